//! The links a report keeps: one record per distinct URL as written,
//! sorted by URL, judged by the run's policy and passed through the
//! report's filter. A run of up to [`HOLD_AT_MOST`] URLs is held in
//! memory (a format walks it quickly, as often as it likes); a larger one
//! stays out of memory, one record at a time: its first walk reads the
//! database (three sorted cursors, the slow part) and writes each judged
//! record to a spool, an unnamed file beside the database, which every
//! later walk reads from start to end instead. So a report of a million
//! links is never whole in memory, and only its first walk waits on
//! SQLite.

use super::{judge, Filter};
use crate::history::Policy;
use crate::store::{LinkRecord, Store};
use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The most URLs a report built from the database holds in memory
/// (about 20 MB of records); beyond, it walks the database once (0.6 s
/// for 60,000 URLs) and its spool after, a fraction of that.
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
    /// Run `run_id` of the database at `db`, judged by `policy` as read;
    /// once walked whole, its spool (shared by clones and filtered copies).
    Stored {
        db: PathBuf,
        run_id: i64,
        policy: Policy,
        spool: Arc<OnceLock<Spool>>,
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
    /// `policy`: read from the database at the first whole walk, from its
    /// spool at every later one.
    pub fn stored(db: PathBuf, run_id: i64, policy: Policy) -> Links {
        Links {
            source: Source::Stored {
                db,
                run_id,
                policy,
                spool: Arc::default(),
            },
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
        let mut keep = |l: Cow<'_, LinkRecord>| match self.kept(l) {
            Some(kept) => each(&kept),
            None => Ok(()),
        };
        match &self.source {
            Source::Held(records) => records.iter().try_for_each(|l| keep(Cow::Borrowed(l))),
            Source::Stored {
                db,
                run_id,
                policy,
                spool,
            } => {
                if let Some(spool) = spool.get() {
                    return spool.each(|l| keep(Cow::Owned(l)));
                }
                let store = Store::open(db)?;
                let mut writing = SpoolWriter::beside(db);
                store.each_run_link(*run_id, |mut l| {
                    judge(&mut l, policy);
                    if let Some(w) = &mut writing {
                        if let Err(e) = w.push(&l) {
                            tracing::debug!(error = %e, "the report's spool failed: its walks read the database");
                            writing = None;
                        }
                    }
                    keep(Cow::Owned(l))
                })?;
                // Only a whole walk is a spool (a walk stops at its
                // callback's first error); another walk's may be set
                // already, with the same records.
                if let Some(made) = writing.and_then(SpoolWriter::finish) {
                    let _ = spool.set(made);
                }
                Ok(())
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

/// The judged records of a whole walk, in URL order, one JSON line each
/// (the record, then its history, which the report's JSON leaves out), in
/// an unnamed file that goes when the links do.
#[derive(Debug)]
struct Spool {
    file: File,
}

impl Spool {
    /// Hands `each` every record, in the order they were written.
    fn each(&self, mut each: impl FnMut(LinkRecord) -> io::Result<()>) -> io::Result<()> {
        // Each walk reads at its own offset: walks may overlap.
        let mut lines = BufReader::with_capacity(
            1 << 18,
            ReadAt {
                file: &self.file,
                at: 0,
            },
        );
        let mut line = Vec::new();
        loop {
            line.clear();
            if lines.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            let (mut l, history): (LinkRecord, Vec<_>) = serde_json::from_slice(&line)
                .map_err(|e| io::Error::other(format!("the report's spool: {e}")))?;
            l.history = history;
            each(l)?;
        }
    }
}

/// A spool being written.
struct SpoolWriter(BufWriter<File>);

impl SpoolWriter {
    /// A new spool in the folder of the database `db`, which has room for
    /// what the database holds (a temporary folder may be memory); `None`
    /// when no file can be made there (a read-only folder), and each walk
    /// reads the database.
    fn beside(db: &Path) -> Option<SpoolWriter> {
        let dir = db
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        match tempfile::tempfile_in(dir) {
            Ok(file) => Some(SpoolWriter(BufWriter::with_capacity(1 << 18, file))),
            Err(e) => {
                tracing::debug!(dir = %dir.display(), error = %e, "no spool for the report: its walks read the database");
                None
            }
        }
    }

    fn push(&mut self, l: &LinkRecord) -> io::Result<()> {
        serde_json::to_writer(&mut self.0, &(l, &l.history))?;
        self.0.write_all(b"\n")
    }

    fn finish(self) -> Option<Spool> {
        match self.0.into_inner() {
            Ok(file) => Some(Spool { file }),
            Err(e) => {
                tracing::debug!(error = %e.error(), "the report's spool failed: its walks read the database");
                None
            }
        }
    }
}

/// Reads a file from `at`, leaving the file's own offset (shared by its
/// handles) alone.
struct ReadAt<'a> {
    file: &'a File,
    at: u64,
}

impl Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.at)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
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
