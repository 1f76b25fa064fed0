//! Runs and checks: what each run was, every check made, which check
//! stands for each URL in a run, and the history a verdict is judged on.

use super::{archive, date_of, OccurrenceRecord, Store, StoreError};
use crate::archive::Capture;
use crate::check::{CheckResult, Fragment, Hop, Status};
use crate::clock::rfc3339;
use crate::extract::LinkKind;
use crate::history::{CheckPoint, Policy, State};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::Date;

/// The settings a run was judged by, stored with it so that every later
/// command (`report`, `archive`, `fix`) judges its links the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSettings {
    /// When failures confirm a link dead.
    pub policy: Policy,
}

/// How a link changed since the run before.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Failing now, alive (or unknown) at its previous check.
    NewlyBroken,
    /// Alive now, failing at its previous check.
    Recovered,
}

/// What a run found about one URL as written, with its history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LinkRecord {
    /// The URL as written.
    pub url: String,
    /// The verdict of the check standing for it in this run.
    pub status: Status,
    /// Last HTTP status.
    pub http_status: Option<u16>,
    /// Where redirects ended.
    pub final_url: Option<String>,
    /// Whether every redirect hop was permanent (301/308).
    pub permanent_redirect: bool,
    /// Each hop.
    pub redirects: Vec<Hop>,
    /// The cause of an error, timeout or skip.
    pub error: Option<String>,
    /// Requests that check sent.
    pub requests: u32,
    /// Time it took.
    pub elapsed_ms: u64,
    /// When it was checked (RFC 3339).
    pub checked_at: String,
    /// Whether that check comes from an earlier run (fresh enough to reuse).
    pub reused: bool,
    /// What the history says (filled by the report from `history`).
    pub state: Option<State>,
    /// When linkrot first saw this URL (RFC 3339).
    pub first_seen: String,
    /// The last check that found it alive (RFC 3339).
    pub last_ok: Option<String>,
    /// First failure of the current failing streak (RFC 3339).
    pub dead_since: Option<String>,
    /// Consecutive failed checks.
    pub failures: u32,
    /// How it changed since its previous check, when this run made that check.
    pub change: Option<Change>,
    /// The anchor it points at (`#name`) and whether the page has it,
    /// when it has a fragment; its status stays the page's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fragment: Option<Fragment>,
    /// The absolute URL a relative link became on the site (`--base-url`),
    /// which is what was checked; `url` stays as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// The URL requested in its place when `--remap` rewrote it.
    pub remapped: Option<String>,
    /// Where it is cited.
    pub occurrences: Vec<OccurrenceRecord>,
    /// The archived replacement closest to the first citing issue's date, once looked up.
    pub archive: Option<Capture>,
    /// Its recent checks, oldest first, up to and including this run's.
    #[serde(skip)]
    pub history: Vec<CheckPoint>,
}

/// The newest check of a URL that made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestCheck {
    /// Its id, to reuse it.
    pub check_id: i64,
    /// What it found.
    pub point: CheckPoint,
}

/// One check in a URL's timeline.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TimelineEntry {
    /// The run that made it.
    pub run_id: i64,
    /// When (RFC 3339).
    pub checked_at: String,
    /// Its verdict.
    pub status: Status,
    /// HTTP status.
    pub http_status: Option<u16>,
    /// Where redirects ended.
    pub final_url: Option<String>,
    /// Error or reason.
    pub error: Option<String>,
}

/// What one run counted, for a trend over runs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TrendPoint {
    /// The run.
    pub run: i64,
    /// When it finished (RFC 3339; empty while it runs).
    pub finished_at: String,
    /// Distinct URLs.
    pub urls: usize,
    /// Their occurrences in issues.
    pub occurrences: usize,
    /// Distinct URLs failing (broken, soft 404, parked, timeout, error).
    pub failing_urls: usize,
}

/// How many recent checks per URL a report reads for its verdict.
pub const HISTORY_WINDOW: usize = 64;

impl Store {
    /// Records the start of a run and the settings it is judged by; returns its id.
    pub fn begin_run(
        &mut self,
        started_at: i64,
        inputs: &[String],
        settings: &RunSettings,
    ) -> Result<i64, StoreError> {
        let inputs = serde_json::to_string(inputs).expect("strings serialize");
        let settings = serde_json::to_string(settings).expect("settings serialize");
        self.conn
            .execute(
                "INSERT INTO runs (started_at, inputs, settings) VALUES (?1, ?2, ?3)",
                params![started_at, inputs, settings],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Marks a run finished, with its summary.
    pub fn finish_run(
        &mut self,
        run_id: i64,
        finished_at: i64,
        summary: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE runs SET finished_at = ?2, state = 'finished', summary = ?3 WHERE id = ?1",
                params![run_id, finished_at, summary.to_string()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The settings run `run_id` was judged by; the defaults for a run
    /// stored before settings were (or that does not exist).
    pub fn run_settings(&self, run_id: i64) -> Result<RunSettings, StoreError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT settings FROM runs WHERE id = ?1", [run_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?
            .flatten();
        Ok(text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }

    /// When run `run_id` started and finished (unix seconds), if it exists.
    pub fn run_times(&self, run_id: i64) -> Result<Option<(i64, Option<i64>)>, StoreError> {
        self.conn
            .query_row(
                "SELECT started_at, finished_at FROM runs WHERE id = ?1",
                [run_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The inputs run `run_id` was given, as given (a JSON array in the
    /// `runs` table); empty for a run that does not exist.
    pub fn run_inputs(&self, run_id: i64) -> Result<Vec<String>, StoreError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT inputs FROM runs WHERE id = ?1", [run_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }

    /// The finished `check` runs before `run_id` over the same inputs,
    /// the newest `limit` of them, oldest first, each with what its
    /// stored summary counted: a trend over runs. Runs that checked
    /// nothing (`index`) and runs over other inputs (a draft) are left
    /// out: their counts are not the archive's.
    pub fn run_trend(&self, run_id: i64, limit: usize) -> Result<Vec<TrendPoint>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.finished_at, r.summary FROM runs r JOIN runs this ON this.id = ?1
                 WHERE r.id < ?1 AND r.inputs = this.inputs AND r.state = 'finished'
                       AND json_valid(r.summary) AND json_extract(r.summary, '$.broken') IS NOT NULL
                 ORDER BY r.id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![run_id, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (run, finished_at, summary) = row.map_err(|e| self.err(e))?;
            let v: serde_json::Value = serde_json::from_str(&summary).unwrap_or_default();
            let n = |key: &str| {
                v.get(key)
                    .and_then(serde_json::Value::as_u64)
                    .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
            };
            out.push(TrendPoint {
                run,
                finished_at: finished_at.map(rfc3339).unwrap_or_default(),
                urls: n("urls"),
                occurrences: n("occurrences"),
                failing_urls: ["broken", "soft_404", "parked", "timeout", "error"]
                    .iter()
                    .map(|k| n(k))
                    .sum(),
            });
        }
        out.reverse();
        Ok(out)
    }

    /// The id of the newest run, if any.
    pub fn last_run(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row("SELECT max(id) FROM runs", [], |r| r.get(0))
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }

    /// How many distinct URLs run `run_id` has.
    pub fn run_url_count(&self, run_id: i64) -> Result<usize, StoreError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM run_urls WHERE run_id = ?1",
                [run_id],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(|e| self.err(e))
    }

    /// Every URL of `run_id`, with the check standing for it, its recent
    /// history and its occurrences, sorted by URL.
    pub fn run_links(&self, run_id: i64) -> Result<Vec<LinkRecord>, StoreError> {
        let mut out = Vec::new();
        self.each_run_link(run_id, |rec| {
            out.push(rec);
            Ok::<_, StoreError>(())
        })?;
        Ok(out)
    }

    /// Hands `each` every URL of `run_id` in URL order, as [`run_links`]
    /// holds them, one at a time: what a report of a million links walks
    /// without holding it. Three cursors walk the run in URL order together
    /// (the check standing for each URL, its occurrences, its history),
    /// each sorted by SQLite (which spills a large sort to a temporary
    /// file: faster than walking the `urls` index, whose lookups land all
    /// over the file), so nothing is kept by URL id; only the archive
    /// captures, one per failing URL at most, are read first.
    ///
    /// [`run_links`]: Store::run_links
    pub fn each_run_link<E: From<StoreError>>(
        &self,
        run_id: i64,
        mut each: impl FnMut(LinkRecord) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut archives = self.run_archives(run_id)?;
        let mut checks = self
            .conn
            .prepare(
                "SELECT u.id, u.url, c.status, c.http_status, c.final_url, c.redirects, c.error,
                        c.requests, c.elapsed_ms, c.checked_at, u.first_seen, ru.reused, c.fragment,
                        c.remapped
                 FROM run_urls ru JOIN checks c ON c.id = ru.check_id JOIN urls u ON u.id = ru.url_id
                 WHERE ru.run_id = ?1
                 ORDER BY u.url",
            )
            .map_err(|e| self.err(e))?;
        // The issues, read once: joined to each occurrence, their paths
        // and titles would be carried through the sort a hundred times.
        let issues: HashMap<i64, (String, Option<Date>, Option<String>)> = self
            .rows("SELECT id, path, date, title FROM issues", [], |r| {
                Ok((r.get(0)?, (r.get(1)?, date_of(r.get(2)?), r.get(3)?)))
            })?
            .into_iter()
            .collect();
        // By URL only: a URL's few occurrences are put in order here.
        let mut occurrences = self
            .conn
            .prepare(
                "SELECT u.url, o.issue_id, o.line, o.col, o.text, o.kind, o.resolved
                 FROM occurrences o JOIN urls u ON u.id = o.url_id
                 WHERE o.run_id = ?1
                 ORDER BY u.url",
            )
            .map_err(|e| self.err(e))?;
        // Newest first: the last HISTORY_WINDOW checks up to the one
        // standing for the URL.
        let mut history = self
            .conn
            .prepare(
                "SELECT u.url, c.checked_at, c.status, c.http_status, c.error
                 FROM run_urls ru JOIN urls u ON u.id = ru.url_id
                      JOIN checks standing ON standing.id = ru.check_id
                      JOIN checks c ON c.url_id = ru.url_id AND c.checked_at <= standing.checked_at
                 WHERE ru.run_id = ?1 AND c.status NOT IN ('excluded', 'unsupported')
                 ORDER BY u.url, c.checked_at DESC, c.id DESC",
            )
            .map_err(|e| self.err(e))?;
        let mut occurrences = ByUrl(
            occurrences
                .query_map([run_id], |r| {
                    let issue: i64 = r.get(1)?;
                    let (path, issue_date, issue_title) = issues
                        .get(&issue)
                        .cloned()
                        .unwrap_or_else(|| (String::new(), None, None));
                    let occurrence = OccurrenceRecord {
                        path,
                        line: r.get(2)?,
                        column: r.get(3)?,
                        issue_date,
                        issue_title,
                        text: r.get(4)?,
                        kind: LinkKind::parse(&r.get::<_, String>(5)?).unwrap_or(LinkKind::Bare),
                        archive: None,
                    };
                    Ok((
                        r.get::<_, String>(0)?,
                        (occurrence, r.get::<_, Option<String>>(6)?),
                    ))
                })
                .map_err(|e| self.err(e))?
                .peekable(),
        );
        let mut history = ByUrl(
            history
                .query_map([run_id], |r| Ok((r.get::<_, String>(0)?, point(r, 1)?)))
                .map_err(|e| self.err(e))?
                .peekable(),
        );
        let rows = checks
            .query_map([run_id], |r| Ok((r.get::<_, i64>(0)?, link_record(r)?)))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (id, mut rec) = row.map_err(|e| self.err(e))?;
            let mut found = Vec::with_capacity(1);
            occurrences
                .take(&rec.url, |o| found.push(o))
                .map_err(|e| self.err(e))?;
            found.sort_unstable_by(|(a, _), (b, _)| {
                (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column))
            });
            rec.resolved = found.iter().find_map(|(_, r)| r.clone());
            rec.occurrences = found.into_iter().map(|(o, _)| o).collect();
            history
                .take(&rec.url, |p| {
                    if rec.history.len() < HISTORY_WINDOW {
                        rec.history.push(p);
                    }
                })
                .map_err(|e| self.err(e))?;
            rec.history.reverse();
            // A Vec grows to four at its first push: most URLs are checked once.
            rec.history.shrink_to_fit();
            if let Some(found) = archives.remove(&id) {
                archive::attach_archives(&mut rec, found.as_slice());
            }
            each(rec)?;
        }
        Ok(())
    }

    /// The newest check that made a request, for each of `urls` that has one.
    pub fn latest_checks(&self, urls: &[&str]) -> Result<HashMap<String, LatestCheck>, StoreError> {
        // A new database has none: no need to look each URL up.
        let any: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM checks)", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if !any {
            return Ok(HashMap::new());
        }
        self.latest_of(
            urls,
            "c.id, c.checked_at, c.status, c.http_status, c.error",
            |r| {
                Ok(LatestCheck {
                    check_id: r.get(1)?,
                    point: point(r, 2)?,
                })
            },
        )
    }

    /// The newest check that made a request of each of `urls` that has
    /// one, as `read` makes it of a row: `u.url`, then `columns` of that
    /// check (`c`). Many URLs a query, as one JSON array unpacked by SQLite
    /// (`json_each`) and joined on the unique index of `urls`: a statement
    /// per URL costs more than its lookup. The URLs are looked up in
    /// order: each chunk's lookups then fall on neighbouring pages of that
    /// index, a third faster than in the order given.
    pub(super) fn latest_of<T>(
        &self,
        urls: &[impl Serialize + Ord],
        columns: &str,
        read: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<HashMap<String, T>, StoreError> {
        let mut out = HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT u.url, {columns}
                 FROM json_each(?1) w
                 JOIN urls u ON u.url = w.value
                 JOIN checks c ON c.id = (
                     SELECT id FROM checks
                     WHERE url_id = u.id AND status NOT IN ('excluded', 'unsupported')
                     ORDER BY checked_at DESC, id DESC LIMIT 1)"
            ))
            .map_err(|e| self.err(e))?;
        let mut sorted: Vec<_> = urls.iter().collect();
        sorted.sort_unstable();
        for chunk in sorted.chunks(4_096) {
            let all = serde_json::to_string(chunk).expect("strings serialize");
            let rows = stmt
                .query_map([&all], |r| Ok((r.get::<_, String>(0)?, read(r)?)))
                .map_err(|e| self.err(e))?;
            for row in rows {
                let (url, found) = row.map_err(|e| self.err(e))?;
                out.insert(url, found);
            }
        }
        Ok(out)
    }

    /// Every check of `url`, oldest first, and where it is cited now.
    pub fn timeline(
        &self,
        url: &str,
    ) -> Result<(Vec<TimelineEntry>, Vec<OccurrenceRecord>), StoreError> {
        let checks = self.rows(
            "SELECT c.run_id, c.checked_at, c.status, c.http_status, c.final_url, c.error
             FROM checks c JOIN urls u ON u.id = c.url_id WHERE u.url = ?1
             ORDER BY c.checked_at, c.id",
            [url],
            |r| {
                let status: String = r.get(2)?;
                Ok(TimelineEntry {
                    run_id: r.get(0)?,
                    checked_at: rfc3339(r.get(1)?),
                    status: Status::parse(&status).unwrap_or(Status::Error),
                    http_status: r.get(3)?,
                    final_url: r.get(4)?,
                    error: r.get(5)?,
                })
            },
        )?;
        let cited = self.citations(url)?;
        Ok((checks, cited))
    }
}

/// The link record of a row of [`Store::each_run_link`]'s check query
/// (columns 1 to 13), without its occurrences, history or captures.
fn link_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<LinkRecord> {
    let status: String = r.get(2)?;
    let redirects: String = r.get(5)?;
    let redirects: Vec<Hop> = serde_json::from_str(&redirects).unwrap_or_default();
    Ok(LinkRecord {
        url: r.get(1)?,
        status: Status::parse(&status).unwrap_or(Status::Error),
        http_status: r.get(3)?,
        final_url: r.get(4)?,
        permanent_redirect: !redirects.is_empty() && redirects.iter().all(Hop::is_permanent),
        redirects,
        error: r.get(6)?,
        requests: r.get(7)?,
        elapsed_ms: u64::try_from(r.get::<_, i64>(8)?).unwrap_or(0),
        checked_at: rfc3339(r.get(9)?),
        reused: r.get(11)?,
        state: None,
        first_seen: rfc3339(r.get(10)?),
        last_ok: None,
        dead_since: None,
        failures: 0,
        change: None,
        fragment: r
            .get::<_, Option<String>>(12)?
            .and_then(|f| serde_json::from_str(&f).ok()),
        resolved: None,
        remapped: r.get(13)?,
        occurrences: Vec::new(),
        archive: None,
        history: Vec::new(),
    })
}

/// Rows sorted by URL (SQLite's binary order: Rust's order of `str`),
/// taken one URL at a time by a walk in the same order.
struct ByUrl<I: Iterator>(std::iter::Peekable<I>);

impl<T, I: Iterator<Item = rusqlite::Result<(String, T)>>> ByUrl<I> {
    /// Hands `each` the rows of `url`, skipping any of URLs before it (a
    /// URL the walk does not visit).
    fn take(&mut self, url: &str, mut each: impl FnMut(T)) -> rusqlite::Result<()> {
        loop {
            match self.0.peek() {
                Some(Ok((u, _))) if u.as_str() < url => {
                    self.0.next();
                }
                Some(Ok((u, _))) if u == url => {
                    if let Some(Ok((_, row))) = self.0.next() {
                        each(row);
                    }
                }
                Some(Err(_)) => return self.0.next().map_or(Ok(()), |r| r.map(|_| ())),
                _ => return Ok(()),
            }
        }
    }
}

fn point(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<CheckPoint> {
    let status: String = r.get(at + 1)?;
    Ok(CheckPoint {
        at: r.get(at)?,
        status: Status::parse(&status).unwrap_or(Status::Error),
        http_status: r.get(at + 2)?,
        error: r.get(at + 3)?,
    })
}

pub(super) fn write_check(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    url: &str,
    r: &CheckResult,
    at: i64,
    remapped: Option<&str>,
) -> rusqlite::Result<()> {
    let uid = super::url_id(tx, url, at)?;
    tx.prepare_cached(
        "INSERT INTO checks (run_id, url_id, checked_at, status, http_status, final_url, redirects, error, requests, elapsed_ms, fragment, remapped)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        run_id,
        uid,
        at,
        r.status.as_str(),
        r.http_status,
        r.final_url,
        serde_json::to_string(&r.redirects).expect("hops serialize"),
        r.error,
        r.requests,
        i64::try_from(r.elapsed_ms).unwrap_or(i64::MAX),
        r.fragments
            .first()
            .map(|f| serde_json::to_string(f).expect("a fragment serializes")),
        remapped,
    ])?;
    let check_id = tx.last_insert_rowid();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO run_urls (run_id, url_id, check_id, reused) VALUES (?1, ?2, ?3, 0)",
    )?
    .execute(params![run_id, uid, check_id])?;
    // A skipped URL or a bot wall says nothing of the page: no strike, no sign of life.
    if !r.status.is_conclusive() {
        return Ok(());
    }
    if r.status.is_failure() {
        tx.prepare_cached(
            "UPDATE urls SET last_checked = ?2, last_status = ?3, strikes = strikes + 1,
                    failing_since = coalesce(failing_since, ?2) WHERE id = ?1",
        )?
        .execute(params![uid, at, r.status.as_str()])?;
    } else {
        tx.prepare_cached(
            "UPDATE urls SET last_checked = ?2, last_status = ?3, last_ok = ?2, strikes = 0,
                    failing_since = NULL WHERE id = ?1",
        )?
        .execute(params![uid, at, r.status.as_str()])?;
    }
    Ok(())
}

pub(super) fn reuse_checks(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    check_ids: &[i64],
) -> rusqlite::Result<()> {
    let ids = serde_json::to_string(check_ids).expect("numbers serialize");
    tx.prepare_cached(
        "INSERT OR REPLACE INTO run_urls (run_id, url_id, check_id, reused)
         SELECT ?1, c.url_id, c.id, 1 FROM json_each(?2) j JOIN checks c ON c.id = j.value",
    )?
    .execute(params![run_id, ids])?;
    Ok(())
}
