//! Storage: the SQLite database, the only place that knows SQL.
//!
//! Owns the schema and its migrations, runs, issues, URLs, occurrences and
//! every check, and the per-URL history (first seen, last ok, failing since,
//! strikes). Writes happen on one thread ([`spawn_writer`]) in short
//! batched transactions, so a run killed halfway keeps every batch it
//! committed. It never makes requests and never formats output.

mod schema;

use crate::archive::Capture;
use crate::check::{CheckResult, Hop, Status};
use crate::crawl::CachedPage;
use crate::extract::{Link, LinkKind};
use crate::history::{CheckPoint, State};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;

/// A database problem, with the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened or migrated.
    #[error("cannot open database {path} (check the path and its permissions, or pass --db)")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// Another run holds the write lock for longer than the busy timeout.
    #[error("database {path} is locked by another linkrot run; wait for it to finish or pass another --db")]
    Locked {
        /// The database file.
        path: PathBuf,
    },
    /// The database's disk or folder does not accept writes.
    #[error("database {path} is on a read-only disk or folder; nothing was changed. Pass --db with a writable path")]
    ReadOnly {
        /// The database file.
        path: PathBuf,
    },
    /// No space left where the database lives.
    #[error("database {path}: the disk is full; what was committed before is kept. Free some space, or pass --db on another disk")]
    Full {
        /// The database file.
        path: PathBuf,
    },
    /// Written by a newer linkrot.
    #[error("database {path} has schema version {found}, newer than this linkrot knows ({known}); upgrade linkrot or pass another --db")]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// Ours.
        known: i64,
    },
    /// Any other SQLite failure (disk full, read-only file ...).
    #[error("database {path}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
}

/// One thing to write, sent to the writer thread.
#[derive(Debug)]
pub enum Write {
    /// An issue as read in this run, with every link it holds (replacing
    /// what an earlier run stored for the same path).
    Issue {
        /// The path as shown.
        path: String,
        /// Front-matter title.
        title: Option<String>,
        /// `YYYY-MM-DD`.
        date: Option<String>,
        /// Its links.
        links: Vec<Link>,
        /// When it was read (unix seconds): first-seen time of new URLs.
        seen_at: i64,
        /// A hash of its bytes as read (see [`content_hash`]).
        content_hash: Option<String>,
    },
    /// What an archive lookup found for a URL and a target date.
    ArchiveLookup {
        /// The URL as written.
        url: String,
        /// `YYYY-MM-DD` the capture should be closest to, or empty.
        target: String,
        /// The capture, if any archive has a good one.
        capture: Option<Capture>,
        /// Whether it was verified.
        verified: bool,
        /// When (unix seconds).
        at: i64,
    },
    /// Where a Save Page Now submission of a URL stands.
    Save {
        /// The URL as written.
        url: String,
        /// `pending`, `success`, `error`, `retry` or `archived`.
        state: String,
        /// The job, while there is one.
        job_id: Option<String>,
        /// `error:...` when refused or failed.
        status_ext: Option<String>,
        /// The archive's message.
        message: Option<String>,
        /// The capture, on success.
        capture_url: Option<String>,
        /// When (unix seconds).
        at: i64,
    },
    /// A crawled page as read, for the next crawl's conditional request.
    Page {
        /// The URL requested.
        url: String,
        /// The issue path it is recorded as.
        path: String,
        /// `ETag`.
        etag: Option<String>,
        /// `Last-Modified`.
        last_modified: Option<String>,
        /// A hash of its bytes.
        content_hash: String,
        /// The site's pages it links to.
        internal: Vec<String>,
        /// When (unix seconds).
        at: i64,
    },
    /// An earlier check stands for this URL in this run (fresh enough, or
    /// the request budget was spent).
    Reuse {
        /// The URL as written.
        url: String,
        /// The check reused.
        check_id: i64,
    },
    /// The result of checking one URL as written.
    Check {
        /// The URL as written.
        url: String,
        /// What the check found.
        result: CheckResult,
        /// When, in unix seconds.
        checked_at: i64,
    },
}

/// Where a link stands in an issue, as the database records it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OccurrenceRecord {
    /// The issue's path.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub column: u32,
    /// The issue's date.
    pub issue_date: Option<String>,
    /// The issue's title.
    pub issue_title: Option<String>,
    /// Link text.
    pub text: Option<String>,
    /// Link syntax.
    pub kind: String,
    /// The capture closest to this issue's date, when it differs from the link's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<Capture>,
}

/// How a link changed since the run before.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Failing now, alive (or unknown) at its previous check.
    NewlyBroken,
    /// Alive now, failing at its previous check.
    Recovered,
}

/// What a run found about one URL as written, with its history.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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
    /// Where it is cited.
    pub occurrences: Vec<OccurrenceRecord>,
    /// The archived replacement closest to the first citing issue's date, once looked up.
    pub archive: Option<Capture>,
    /// Its recent checks, oldest first, up to and including this run's.
    #[serde(skip)]
    pub history: Vec<CheckPoint>,
}

/// Where a URL's Save Page Now submission stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveState {
    /// `pending`, `success`, `error`, `retry` or `archived`.
    pub state: String,
    /// The job, while there is one.
    pub job_id: Option<String>,
    /// Last change (unix seconds).
    pub updated_at: i64,
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

/// How many recent checks per URL a report reads for its verdict.
pub const HISTORY_WINDOW: usize = 64;

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// The schema version this linkrot writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: usize = schema::MIGRATIONS.len();

/// How long a write waits for another run's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl Store {
    /// Opens (creating and migrating as needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Self::open_inner(path).map_err(|e| match e {
            StoreError::Open { .. } | StoreError::Sqlite { .. } if !writable_folder(path) => {
                StoreError::ReadOnly {
                    path: path.to_path_buf(),
                }
            }
            other => other,
        })
    }

    fn open_inner(path: &Path) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(|e| classify(path, e, true))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.path, e, false)
    }

    /// Applies the missing migrations, one transaction each. Each step takes
    /// the write lock first and reads the version inside it, so two runs
    /// opening a new database at once do not both apply the same step.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = i64::try_from(schema::MIGRATIONS.len()).expect("few migrations");
        let path = self.path.clone();
        let err = |e| classify(&path, e, false);
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(err)?;
            let version: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(err)?;
            if version > known {
                return Err(StoreError::TooNew {
                    path: self.path.clone(),
                    found: version,
                    known,
                });
            }
            let Some(sql) = usize::try_from(version)
                .ok()
                .and_then(|v| schema::MIGRATIONS.get(v))
            else {
                return Ok(());
            };
            tx.execute_batch(sql).map_err(err)?;
            tx.pragma_update(None, "user_version", version + 1)
                .map_err(err)?;
            tx.commit().map_err(err)?;
        }
    }

    /// The path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records the start of a run; returns its id.
    pub fn begin_run(&mut self, started_at: i64, inputs: &[String]) -> Result<i64, StoreError> {
        let inputs = serde_json::to_string(inputs).expect("strings serialize");
        self.conn
            .execute(
                "INSERT INTO runs (started_at, inputs) VALUES (?1, ?2)",
                params![started_at, inputs],
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

    /// Writes a batch in one transaction.
    pub fn write_batch(&mut self, run_id: i64, batch: &[Write]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |e| classify(&path, e, false);
        let tx = self.conn.transaction().map_err(err)?;
        for w in batch {
            match w {
                Write::Issue {
                    path,
                    title,
                    date,
                    links,
                    seen_at,
                    content_hash,
                } => write_issue(
                    &tx,
                    run_id,
                    IssueRow {
                        path,
                        title: title.as_deref(),
                        date: date.as_deref(),
                        content_hash: content_hash.as_deref(),
                    },
                    links,
                    *seen_at,
                )
                .map_err(err)?,
                Write::ArchiveLookup {
                    url,
                    target,
                    capture,
                    verified,
                    at,
                } => {
                    write_lookup(&tx, url, target, capture.as_ref(), *verified, *at).map_err(err)?
                }
                Write::Save {
                    url,
                    state,
                    job_id,
                    status_ext,
                    message,
                    capture_url,
                    at,
                } => {
                    let uid = url_id(&tx, url, *at).map_err(err)?;
                    tx.prepare_cached(
                        "INSERT INTO saves (url_id, state, job_id, status_ext, message, capture_url, submitted_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
                         ON CONFLICT(url_id) DO UPDATE SET state = excluded.state, job_id = excluded.job_id,
                             status_ext = excluded.status_ext, message = excluded.message,
                             capture_url = excluded.capture_url, updated_at = excluded.updated_at",
                    )
                    .and_then(|mut st| st.execute(params![uid, state, job_id, status_ext, message, capture_url, at]))
                    .map_err(err)?;
                }
                Write::Page {
                    url,
                    path,
                    etag,
                    last_modified,
                    content_hash,
                    internal,
                    at,
                } => {
                    tx.prepare_cached(
                        "INSERT OR REPLACE INTO pages (url, path, etag, last_modified, content_hash, internal, fetched_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )
                    .and_then(|mut st| {
                        st.execute(params![
                            url,
                            path,
                            etag,
                            last_modified,
                            content_hash,
                            serde_json::to_string(internal).expect("strings serialize"),
                            at
                        ])
                    })
                    .map_err(err)?;
                }
                Write::Reuse { url, check_id } => {
                    reuse_check(&tx, run_id, url, *check_id).map_err(err)?
                }
                Write::Check {
                    url,
                    result,
                    checked_at,
                } => write_check(&tx, run_id, url, result, *checked_at).map_err(err)?,
            }
        }
        tx.commit().map_err(err)
    }

    /// What the last crawl stored of each page, with the links of the issue
    /// it was recorded as, keyed by the URL requested.
    pub fn cached_pages(&self) -> Result<HashMap<String, CachedPage>, StoreError> {
        let mut pages: HashMap<String, CachedPage> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT p.url, p.path, p.etag, p.last_modified, p.content_hash, p.internal, i.title, i.date
                 FROM pages p JOIN issues i ON i.path = p.path",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let page = CachedPage {
                    path: r.get(1)?,
                    etag: r.get(2)?,
                    last_modified: r.get(3)?,
                    hash: r.get(4)?,
                    internal: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
                    title: r.get(6)?,
                    date: r
                        .get::<_, Option<String>>(7)?
                        .and_then(|d| crate::source::frontmatter::leading_date(&d)),
                    links: Vec::new(),
                };
                Ok((r.get::<_, String>(0)?, page))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (url, page) = row.map_err(|e| self.err(e))?;
            pages.insert(url, page);
        }
        // Every crawled issue's links in one pass, then handed to its pages.
        let mut by_path: HashMap<String, Vec<Link>> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT i.path, u.url, o.line, o.col, o.span_start, o.span_end, o.kind, o.text
                 FROM occurrences o JOIN issues i ON i.id = o.issue_id JOIN urls u ON u.id = o.url_id
                 WHERE i.path IN (SELECT path FROM pages) ORDER BY i.path, o.span_start",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let link = Link {
                    url: r.get(1)?,
                    line: r.get(2)?,
                    column: r.get(3)?,
                    span: usize::try_from(r.get::<_, i64>(4)?).unwrap_or(0)
                        ..usize::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
                    kind: LinkKind::parse(&r.get::<_, String>(6)?).unwrap_or(LinkKind::Html),
                    text: r.get(7)?,
                    flaw: None,
                    resolved: None,
                };
                Ok((r.get::<_, String>(0)?, link))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (path, link) = row.map_err(|e| self.err(e))?;
            by_path.entry(path).or_default().push(link);
        }
        for page in pages.values_mut() {
            if let Some(links) = by_path.get(&page.path) {
                page.links.clone_from(links);
            }
        }
        Ok(pages)
    }

    /// Every URL of `run_id`, with the check standing for it, its recent
    /// history and its occurrences, sorted by URL.
    pub fn run_links(&self, run_id: i64) -> Result<Vec<LinkRecord>, StoreError> {
        let mut occ = self.run_occurrences(run_id)?;
        let mut history = self.run_history(run_id)?;
        let mut archives = self.run_archives(run_id)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT u.id, u.url, c.status, c.http_status, c.final_url, c.redirects, c.error,
                        c.requests, c.elapsed_ms, c.checked_at, u.first_seen, ru.reused
                 FROM run_urls ru JOIN checks c ON c.id = ru.check_id JOIN urls u ON u.id = ru.url_id
                 WHERE ru.run_id = ?1
                 ORDER BY u.url",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([run_id], |r| {
                let id: i64 = r.get(0)?;
                let status: String = r.get(2)?;
                let redirects: String = r.get(5)?;
                let redirects: Vec<Hop> = serde_json::from_str(&redirects).unwrap_or_default();
                Ok((
                    id,
                    LinkRecord {
                        url: r.get(1)?,
                        status: Status::parse(&status).unwrap_or(Status::Error),
                        http_status: r.get(3)?,
                        final_url: r.get(4)?,
                        permanent_redirect: !redirects.is_empty()
                            && redirects.iter().all(Hop::is_permanent),
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
                        occurrences: Vec::new(),
                        archive: None,
                        history: Vec::new(),
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, mut rec) = row.map_err(|e| self.err(e))?;
            rec.occurrences = occ.remove(&id).unwrap_or_default();
            rec.history = history.remove(&id).unwrap_or_default();
            if let Some(found) = archives.remove(&id) {
                attach_archives(&mut rec, found.as_slice());
            }
            out.push(rec);
        }
        Ok(out)
    }

    /// Captures found for the URLs of a run, by URL id, with their target dates.
    fn run_archives(
        &self,
        run_id: i64,
    ) -> Result<HashMap<i64, Vec<(String, Capture)>>, StoreError> {
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
                    r.get::<_, String>(1)?,
                    Capture {
                        url: r.get(2)?,
                        timestamp: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        source: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out: HashMap<i64, Vec<(String, Capture)>> = HashMap::new();
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
        wanted: &[(String, String)],
        now: i64,
        relookup_after: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
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
                .query_row(params![url, target], |r| r.get(0))
                .optional()
                .map_err(|e| self.err(e))?;
            if at.is_none_or(|at| now - at >= relookup_after) {
                due.push((url.clone(), target.clone()));
            }
        }
        Ok(due)
    }

    /// The run that last read the issue at `path`, and the hash of its
    /// bytes then.
    pub fn issue(&self, path: &str) -> Result<Option<(i64, Option<String>)>, StoreError> {
        self.conn
            .query_row(
                "SELECT last_run, content_hash FROM issues WHERE path = ?1",
                [path],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Records the hash of an issue's bytes after linkrot rewrote it.
    pub fn set_issue_hash(&self, path: &str, hash: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE issues SET content_hash = ?2 WHERE path = ?1",
                params![path, hash],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
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
                        state: r.get(0)?,
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
    pub fn archived(&self, urls: &[&str]) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM archive_lookups a JOIN urls u ON u.id = a.url_id WHERE u.url = ?1 AND a.capture_url IS NOT NULL)
                     OR EXISTS(SELECT 1 FROM saves s JOIN urls u ON u.id = s.url_id WHERE u.url = ?1 AND s.state IN ('success', 'archived'))",
            )
            .map_err(|e| self.err(e))?;
        let mut out = std::collections::HashSet::new();
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

    fn run_occurrences(
        &self,
        run_id: i64,
    ) -> Result<HashMap<i64, Vec<OccurrenceRecord>>, StoreError> {
        let mut occ: HashMap<i64, Vec<OccurrenceRecord>> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT o.url_id, i.path, o.line, o.col, i.date, i.title, o.text, o.kind
                 FROM occurrences o JOIN issues i ON i.id = o.issue_id
                 WHERE o.run_id = ?1 ORDER BY i.path, o.line, o.col",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([run_id], |r| Ok((r.get::<_, i64>(0)?, occurrence(r, 1)?)))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (id, o) = row.map_err(|e| self.err(e))?;
            occ.entry(id).or_default().push(o);
        }
        Ok(occ)
    }

    /// The last [`HISTORY_WINDOW`] checks that made a request, for each URL
    /// of the run, oldest first, up to the check standing for it in the run.
    fn run_history(&self, run_id: i64) -> Result<HashMap<i64, Vec<CheckPoint>>, StoreError> {
        let mut out: HashMap<i64, Vec<CheckPoint>> = HashMap::new();
        // Newest first, straight off the `checks_url` index (a window
        // function over the same rows sorts them all: three times slower).
        let mut stmt = self
            .conn
            .prepare(
                "SELECT ru.url_id, c.checked_at, c.status, c.http_status, c.error
                 FROM run_urls ru JOIN checks c ON c.url_id = ru.url_id
                      AND c.checked_at <= (SELECT checked_at FROM checks WHERE id = ru.check_id)
                 WHERE ru.run_id = ?1 AND c.status NOT IN ('excluded', 'unsupported')
                 ORDER BY ru.url_id, c.checked_at DESC, c.id DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([run_id], |r| Ok((r.get::<_, i64>(0)?, point(r, 1)?)))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (id, p) = row.map_err(|e| self.err(e))?;
            let points = out.entry(id).or_default();
            if points.len() < HISTORY_WINDOW {
                points.push(p);
            }
        }
        for points in out.values_mut() {
            points.reverse();
        }
        Ok(out)
    }

    /// The newest check that made a request, for each of `urls` that has one.
    pub fn latest_checks(&self, urls: &[&str]) -> Result<HashMap<String, LatestCheck>, StoreError> {
        let mut out = HashMap::new();
        // A new database: one query instead of one per URL.
        let any: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM checks)", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if !any {
            return Ok(out);
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.id, c.checked_at, c.status, c.http_status, c.error
                 FROM checks c JOIN urls u ON u.id = c.url_id
                 WHERE u.url = ?1 AND c.status NOT IN ('excluded', 'unsupported')
                 ORDER BY c.checked_at DESC, c.id DESC LIMIT 1",
            )
            .map_err(|e| self.err(e))?;
        for url in urls {
            let found = stmt
                .query_row([url], |r| {
                    Ok(LatestCheck {
                        check_id: r.get(0)?,
                        point: point(r, 1)?,
                    })
                })
                .optional()
                .map_err(|e| self.err(e))?;
            if let Some(latest) = found {
                out.insert((*url).to_string(), latest);
            }
        }
        Ok(out)
    }

    /// Every check of `url`, oldest first, and where it is cited now.
    pub fn timeline(
        &self,
        url: &str,
    ) -> Result<(Vec<TimelineEntry>, Vec<OccurrenceRecord>), StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.run_id, c.checked_at, c.status, c.http_status, c.final_url, c.error
                 FROM checks c JOIN urls u ON u.id = c.url_id WHERE u.url = ?1
                 ORDER BY c.checked_at, c.id",
            )
            .map_err(|e| self.err(e))?;
        let checks = stmt
            .query_map([url], |r| {
                let status: String = r.get(2)?;
                Ok(TimelineEntry {
                    run_id: r.get(0)?,
                    checked_at: rfc3339(r.get(1)?),
                    status: Status::parse(&status).unwrap_or(Status::Error),
                    http_status: r.get(3)?,
                    final_url: r.get(4)?,
                    error: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT i.path, o.line, o.col, i.date, i.title, o.text, o.kind
                 FROM occurrences o JOIN issues i ON i.id = o.issue_id JOIN urls u ON u.id = o.url_id
                 WHERE u.url = ?1 ORDER BY i.path, o.line, o.col",
            )
            .map_err(|e| self.err(e))?;
        let cited = stmt
            .query_map([url], |r| occurrence(r, 0))
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok((checks, cited))
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

    /// The id of the newest run, if any.
    pub fn last_run(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row("SELECT max(id) FROM runs", [], |r| r.get(0))
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }
}

/// The link's capture is the one closest to its earliest citing issue; an
/// occurrence whose issue gets a different capture carries its own.
fn attach_archives(rec: &mut LinkRecord, found: &[(String, Capture)]) {
    let for_date = |date: Option<&str>| {
        let target = date.unwrap_or("");
        found
            .iter()
            .find(|(t, _)| t == target)
            .map(|(_, c)| c.clone())
    };
    let earliest = rec
        .occurrences
        .iter()
        .filter_map(|o| o.issue_date.as_deref())
        .min();
    rec.archive = for_date(earliest).or_else(|| found.first().map(|(_, c)| c.clone()));
    for o in &mut rec.occurrences {
        let own = for_date(o.issue_date.as_deref());
        if own.is_some() && own != rec.archive {
            o.archive = own;
        }
    }
}

fn occurrence(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<OccurrenceRecord> {
    Ok(OccurrenceRecord {
        path: r.get(at)?,
        line: r.get(at + 1)?,
        column: r.get(at + 2)?,
        issue_date: r.get(at + 3)?,
        issue_title: r.get(at + 4)?,
        text: r.get(at + 5)?,
        kind: r.get(at + 6)?,
        archive: None,
    })
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

/// Whether a file can be created beside `db` (SQLite needs that for its
/// journal, so a read-only folder fails in ways its messages do not name).
fn writable_folder(db: &Path) -> bool {
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let probe = dir.join(format!(".linkrot-write-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        // A missing folder is not a read-only one: the open error says it.
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

fn classify(path: &Path, e: rusqlite::Error, opening: bool) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        if matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        ) {
            return StoreError::Locked {
                path: path.to_path_buf(),
            };
        }
        if f.code == rusqlite::ErrorCode::DiskFull {
            return StoreError::Full {
                path: path.to_path_buf(),
            };
        }
    }
    if opening {
        StoreError::Open {
            path: path.to_path_buf(),
            source: e,
        }
    } else {
        StoreError::Sqlite {
            path: path.to_path_buf(),
            source: e,
        }
    }
}

fn url_id(tx: &rusqlite::Transaction<'_>, url: &str, now: i64) -> rusqlite::Result<i64> {
    tx.prepare_cached("INSERT OR IGNORE INTO urls (url, first_seen) VALUES (?1, ?2)")?
        .execute(params![url, now])?;
    tx.prepare_cached("SELECT id FROM urls WHERE url = ?1")?
        .query_row([url], |r| r.get(0))
}

struct IssueRow<'a> {
    path: &'a str,
    title: Option<&'a str>,
    date: Option<&'a str>,
    content_hash: Option<&'a str>,
}

fn write_issue(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    issue: IssueRow<'_>,
    links: &[Link],
    now: i64,
) -> rusqlite::Result<()> {
    let issue_id: i64 = tx
        .prepare_cached(
            "INSERT INTO issues (path, title, date, last_run, content_hash) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(path) DO UPDATE SET title = excluded.title, date = excluded.date,
                 last_run = excluded.last_run, content_hash = excluded.content_hash
             RETURNING id",
        )?
        .query_row(params![issue.path, issue.title, issue.date, run_id, issue.content_hash], |r| r.get(0))?;
    tx.prepare_cached("DELETE FROM occurrences WHERE issue_id = ?1")?
        .execute([issue_id])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO occurrences (issue_id, url_id, run_id, line, col, span_start, span_end, kind, text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for l in links {
        let uid = url_id(tx, &l.url, now)?;
        insert.execute(params![
            issue_id,
            uid,
            run_id,
            l.line,
            l.column,
            i64::try_from(l.span.start).unwrap_or(i64::MAX),
            i64::try_from(l.span.end).unwrap_or(i64::MAX),
            l.kind.as_str(),
            l.text
        ])?;
    }
    Ok(())
}

fn write_check(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    url: &str,
    r: &CheckResult,
    at: i64,
) -> rusqlite::Result<()> {
    let uid = url_id(tx, url, at)?;
    tx.prepare_cached(
        "INSERT INTO checks (run_id, url_id, checked_at, status, http_status, final_url, redirects, error, requests, elapsed_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
        i64::try_from(r.elapsed_ms).unwrap_or(i64::MAX)
    ])?;
    let check_id = tx.last_insert_rowid();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO run_urls (run_id, url_id, check_id, reused) VALUES (?1, ?2, ?3, 0)",
    )?
    .execute(params![run_id, uid, check_id])?;
    if !r.status.was_checked() {
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

fn write_lookup(
    tx: &rusqlite::Transaction<'_>,
    url: &str,
    target: &str,
    capture: Option<&Capture>,
    verified: bool,
    at: i64,
) -> rusqlite::Result<()> {
    let uid = url_id(tx, url, at)?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO archive_lookups (url_id, target, capture_url, timestamp, source, verified, looked_up_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        uid,
        target,
        capture.map(|c| &c.url),
        capture.map(|c| &c.timestamp),
        capture.map(|c| &c.source),
        verified,
        at
    ])?;
    Ok(())
}

/// A short, stable fingerprint of a file's bytes (FNV-1a, 64 bits, and the
/// length), to tell whether an issue changed since it was read. Not for
/// security: only to avoid rewriting a file someone edited since.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:016x}-{}", h, bytes.len())
}

fn reuse_check(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    url: &str,
    check_id: i64,
) -> rusqlite::Result<()> {
    let uid = url_id(tx, url, 0)?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO run_urls (run_id, url_id, check_id, reused) VALUES (?1, ?2, ?3, 1)",
    )?
    .execute(params![run_id, uid, check_id])?;
    Ok(())
}

/// Now, in unix seconds.
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Unix seconds as RFC 3339 (UTC).
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Largest batch written in one transaction.
const BATCH: usize = 512;

/// Moves `store` to a thread of its own that writes what it receives, in
/// batched transactions, until every sender is dropped; the thread hands
/// the store back (or the first error) when joined.
pub fn spawn_writer(
    mut store: Store,
    run_id: i64,
) -> (
    mpsc::Sender<Write>,
    std::thread::JoinHandle<Result<Store, StoreError>>,
) {
    let (tx, mut rx) = mpsc::channel::<Write>(4 * BATCH);
    let handle = std::thread::Builder::new()
        .name("linkrot-store".into())
        .spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            while let Some(first) = rx.blocking_recv() {
                batch.push(first);
                while batch.len() < BATCH {
                    match rx.try_recv() {
                        Ok(w) => batch.push(w),
                        Err(_) => break,
                    }
                }
                store.write_batch(run_id, &batch)?;
                batch.clear();
            }
            Ok(store)
        })
        .expect("spawn the store thread");
    (tx, handle)
}
