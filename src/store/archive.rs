//! Archive lookups and saves: the capture found for each (URL, issue date),
//! and where each Save Page Now submission stands.

use super::{date_of, LinkRecord, Store, StoreError};
use crate::archive::Capture;
use rusqlite::{params, OptionalExtension};
use std::collections::{HashMap, HashSet};
use time::Date;

/// Where a URL's Save Page Now submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveStatus {
    /// Submitted; its job is still running.
    Pending,
    /// Captured.
    Success,
    /// Refused or failed for good.
    Error,
    /// Refused or failed in a way that may pass: tried again next run.
    Retry,
    /// A recent capture existed; nothing was submitted.
    Archived,
}

impl SaveStatus {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SaveStatus::Pending => "pending",
            SaveStatus::Success => "success",
            SaveStatus::Error => "error",
            SaveStatus::Retry => "retry",
            SaveStatus::Archived => "archived",
        }
    }

    /// The status [`SaveStatus::as_str`] names.
    pub fn parse(s: &str) -> Option<SaveStatus> {
        [
            SaveStatus::Pending,
            SaveStatus::Success,
            SaveStatus::Error,
            SaveStatus::Retry,
            SaveStatus::Archived,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// Where a URL's Save Page Now submission stands, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveState {
    /// Its status.
    pub status: SaveStatus,
    /// The job, while there is one.
    pub job_id: Option<String>,
    /// Last change (unix seconds).
    pub updated_at: i64,
}

/// The SQL key of a lookup's target date: `YYYY-MM-DD`, or `''` for none.
fn target_key(target: Option<Date>) -> String {
    target.map(|d| d.to_string()).unwrap_or_default()
}

/// Captures by URL id, each with the issue date it is closest to.
pub(super) type CapturesByUrl = HashMap<i64, Vec<(Option<Date>, Capture)>>;

impl Store {
    /// Captures found for the URLs of a run, by URL id, with their target dates.
    pub(super) fn run_archives(&self, run_id: i64) -> Result<CapturesByUrl, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.url_id, a.target, a.capture_url, a.timestamp, a.source
                 FROM run_urls ru JOIN archive_lookups a ON a.url_id = ru.url_id
                 WHERE ru.run_id = ?1 AND a.capture_url IS NOT NULL",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    date_of(r.get(1)?),
                    Capture {
                        url: r.get(2)?,
                        timestamp: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        source: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = CapturesByUrl::new();
        for row in rows {
            let (id, target, capture) = row.map_err(|e| self.err(e))?;
            out.entry(id).or_default().push((target, capture));
        }
        Ok(out)
    }

    /// Which `(url, target date)` pairs need a lookup at `now`: never looked
    /// up, or longer ago than `relookup_after` seconds.
    pub fn lookups_due(
        &self,
        wanted: &[(String, Option<Date>)],
        now: i64,
        relookup_after: i64,
    ) -> Result<Vec<(String, Option<Date>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.looked_up_at FROM archive_lookups a JOIN urls u ON u.id = a.url_id
                 WHERE u.url = ?1 AND a.target = ?2",
            )
            .map_err(|e| self.err(e))?;
        let mut due = Vec::new();
        for (url, target) in wanted {
            let at: Option<i64> = stmt
                .query_row(params![url, target_key(*target)], |r| r.get(0))
                .optional()
                .map_err(|e| self.err(e))?;
            if at.is_none_or(|at| now - at >= relookup_after) {
                due.push((url.clone(), *target));
            }
        }
        Ok(due)
    }

    /// Where each URL's Save Page Now submission stands, for URLs that have one.
    pub fn save_states(&self, urls: &[&str]) -> Result<HashMap<String, SaveState>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.state, s.job_id, s.updated_at FROM saves s JOIN urls u ON u.id = s.url_id WHERE u.url = ?1",
            )
            .map_err(|e| self.err(e))?;
        let mut out = HashMap::new();
        for url in urls {
            let row = stmt
                .query_row([url], |r| {
                    Ok(SaveState {
                        // An unknown state (a newer linkrot's) is retried.
                        status: SaveStatus::parse(&r.get::<_, String>(0)?)
                            .unwrap_or(SaveStatus::Retry),
                        job_id: r.get(1)?,
                        updated_at: r.get(2)?,
                    })
                })
                .optional()
                .map_err(|e| self.err(e))?;
            if let Some(row) = row {
                out.insert((*url).to_string(), row);
            }
        }
        Ok(out)
    }

    /// URLs with a capture on record (from a lookup or a save), of `urls`.
    pub fn archived(&self, urls: &[&str]) -> Result<HashSet<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM archive_lookups a JOIN urls u ON u.id = a.url_id WHERE u.url = ?1 AND a.capture_url IS NOT NULL)
                     OR EXISTS(SELECT 1 FROM saves s JOIN urls u ON u.id = s.url_id WHERE u.url = ?1 AND s.state IN ('success', 'archived'))",
            )
            .map_err(|e| self.err(e))?;
        let mut out = HashSet::new();
        for url in urls {
            let yes: bool = stmt
                .query_row([url], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            if yes {
                out.insert((*url).to_string());
            }
        }
        Ok(out)
    }
}

/// The link's capture is the one closest to its earliest citing issue; an
/// occurrence whose issue gets a different capture carries its own.
pub(super) fn attach_archives(rec: &mut LinkRecord, found: &[(Option<Date>, Capture)]) {
    let for_date = |date: Option<Date>| {
        found
            .iter()
            .find(|(t, _)| *t == date)
            .map(|(_, c)| c.clone())
    };
    let earliest = rec.occurrences.iter().filter_map(|o| o.issue_date).min();
    rec.archive = for_date(earliest).or_else(|| found.first().map(|(_, c)| c.clone()));
    for o in &mut rec.occurrences {
        let own = for_date(o.issue_date);
        if own.is_some() && own != rec.archive {
            o.archive = own;
        }
    }
}

pub(super) fn write_lookup(
    tx: &rusqlite::Transaction<'_>,
    url: &str,
    target: Option<Date>,
    capture: Option<&Capture>,
    verified: bool,
    at: i64,
) -> rusqlite::Result<()> {
    let uid = super::url_id(tx, url, at)?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO archive_lookups (url_id, target, capture_url, timestamp, source, verified, looked_up_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        uid,
        target_key(target),
        capture.map(|c| &c.url),
        capture.map(|c| &c.timestamp),
        capture.map(|c| &c.source),
        verified,
        at
    ])?;
    Ok(())
}

/// `texts`: job id, status_ext, message, capture URL.
pub(super) fn write_save(
    tx: &rusqlite::Transaction<'_>,
    url: &str,
    state: SaveStatus,
    texts: [&Option<String>; 4],
    at: i64,
) -> rusqlite::Result<()> {
    let uid = super::url_id(tx, url, at)?;
    let [job_id, status_ext, message, capture_url] = texts;
    tx.prepare_cached(
        "INSERT INTO saves (url_id, state, job_id, status_ext, message, capture_url, submitted_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT(url_id) DO UPDATE SET state = excluded.state, job_id = excluded.job_id,
             status_ext = excluded.status_ext, message = excluded.message,
             capture_url = excluded.capture_url, updated_at = excluded.updated_at",
    )?
    .execute(params![uid, state.as_str(), job_id, status_ext, message, capture_url, at])?;
    Ok(())
}
