//! The links a report keeps: one record per distinct URL as written,
//! sorted by URL, judged by the run's policy and passed through the
//! report's filter. A run of up to [`HOLD_AT_MOST`] URLs is held in
//! memory (a format walks it quickly, as often as it likes); a larger one
//! stays in the database and is read again, one record at a time, at each
//! walk, so a report of a million links is never whole in memory.

use super::{judge, Filter};
use crate::history::Policy;
use crate::store::{LinkRecord, Store};
use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::io;
use std::path::PathBuf;

/// The most URLs a report built from the database holds in memory
/// (about 20 MB of records); beyond, it walks the database instead, at
/// each pass a format makes (0.6 s a walk for 60,000 URLs).
pub const HOLD_AT_MOST: usize = 20_000;

/// The links of a report, walked with [`Links::each`].
#[derive(Debug, Clone)]
pub struct Links {
    source: Source,
    filter: Option<Filter>,
}

#[derive(Debug, Clone)]
enum Source {
    /// Judged already.
    Held(Vec<LinkRecord>),
    /// Run `run_id` of the database at `db`, judged by `policy` as read.
    Stored {
        db: PathBuf,
        run_id: i64,
        policy: Policy,
    },
}

impl Links {
    /// `records` (sorted by URL), judged by `policy`.
    pub fn held(mut records: Vec<LinkRecord>, policy: &Policy) -> Links {
        for l in &mut records {
            judge(l, policy);
        }
        Links {
            source: Source::Held(records),
            filter: None,
        }
    }

    /// The links of run `run_id` in the database at `db`, judged by
    /// `policy`: read again at each walk.
    pub fn stored(db: PathBuf, run_id: i64, policy: Policy) -> Links {
        Links {
            source: Source::Stored { db, run_id, policy },
            filter: None,
        }
    }

    /// The links of run `run_id` in `store`: held when the run has at
    /// most `hold_at_most` URLs, else [stored](Links::stored).
    pub fn of_run(
        store: &Store,
        run_id: i64,
        policy: &Policy,
        hold_at_most: usize,
    ) -> Result<Links, crate::store::StoreError> {
        if store.run_url_count(run_id)? <= hold_at_most {
            Ok(Links::held(store.run_links(run_id)?, policy))
        } else {
            Ok(Links::stored(
                store.path().to_path_buf(),
                run_id,
                policy.clone(),
            ))
        }
    }

    /// The same links as `filter` keeps them, in place of any filter before.
    pub(super) fn filtered(mut self, filter: &Filter) -> Links {
        self.filter = Some(filter.clone());
        self
    }

    /// Hands `each` every link kept, in URL order; stops at its first error.
    pub fn each(&self, mut each: impl FnMut(&LinkRecord) -> io::Result<()>) -> io::Result<()> {
        match &self.source {
            Source::Held(records) => {
                for l in records {
                    if let Some(kept) = self.kept(Cow::Borrowed(l)) {
                        each(&kept)?;
                    }
                }
                Ok(())
            }
            Source::Stored { db, run_id, policy } => {
                let store = Store::open(db)?;
                store.each_run_link(*run_id, |mut l| {
                    judge(&mut l, policy);
                    match self.kept(Cow::Owned(l)) {
                        Some(kept) => each(&kept),
                        None => Ok(()),
                    }
                })
            }
        }
    }

    /// Every link kept, in memory.
    pub fn to_vec(&self) -> io::Result<Vec<LinkRecord>> {
        self.to_vec_where(|_| true)
    }

    /// The links kept that `keep` accepts, in memory.
    pub fn to_vec_where(&self, keep: impl Fn(&LinkRecord) -> bool) -> io::Result<Vec<LinkRecord>> {
        let mut out = Vec::new();
        self.each(|l| {
            if keep(l) {
                out.push(l.clone());
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// `l` as the filter keeps it: `None` when it keeps no occurrence of it.
    fn kept<'a>(&self, l: Cow<'a, LinkRecord>) -> Option<Cow<'a, LinkRecord>> {
        let Some(filter) = &self.filter else {
            return Some(l);
        };
        if !filter.keeps_link(&l) {
            return None;
        }
        let mut l = l;
        if !l.occurrences.iter().all(|o| filter.keeps_occurrence(o)) {
            l.to_mut()
                .occurrences
                .retain(|o| filter.keeps_occurrence(o));
        }
        (!l.occurrences.is_empty()).then_some(l)
    }
}

/// A JSON array written as it is walked.
impl Serialize for Links {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        let mut failed = None;
        let walked = self.each(|l| {
            seq.serialize_element(l).map_err(|e| {
                let message = e.to_string();
                failed = Some(e);
                io::Error::other(message)
            })
        });
        if let Some(e) = failed {
            return Err(e);
        }
        walked.map_err(S::Error::custom)?;
        seq.end()
    }
}
