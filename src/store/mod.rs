//! Storage: the SQLite database, the only place that knows SQL.
//!
//! The database is the bus between the stages: extraction writes issues
//! and occurrences, checking writes checks, the archive stage writes
//! lookups and saves, and every report is read back from it. One file per
//! thing stored: `runs.rs` (runs, checks, which check stands for a URL in a
//! run, history), `issues.rs` (issues and their occurrences), `pages.rs`
//! (crawled pages), `archive.rs` (lookups and saves), `findings.rs` (what
//! lint found in each issue of a run), `lint.rs` (what lint asks of the
//! history: earlier citations, working `https://` forms); `writer.rs` is the
//! one thread that writes, in short batched transactions, so a run killed
//! halfway keeps every batch it committed. It never makes requests and
//! never formats output.

mod archive;
mod findings;
mod issues;
mod lint;
mod pages;
mod runs;
mod schema;
mod writer;

pub use archive::{SaveState, SaveStatus};
pub use findings::StoredFinding;
pub use issues::OccurrenceRecord;
pub use lint::LintHistory;
pub use runs::{
    Change, LatestCheck, LinkRecord, RunSettings, TimelineEntry, TrendPoint, HISTORY_WINDOW,
};
pub use writer::{Write, WriteSender, Writer};

use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    /// The writer thread stopped without saying why (it panicked).
    #[error("the database writer stopped unexpectedly")]
    WriterGone,
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
        // Switching a new file to WAL needs it alone, and SQLite answers
        // "busy" at once there instead of waiting its busy timeout: a run
        // opening the same new database at that moment (two nightly jobs)
        // tries again, within the same timeout.
        let started = std::time::Instant::now();
        loop {
            match conn.execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            ) {
                Err(rusqlite::Error::SqliteFailure(f, _))
                    if f.code == rusqlite::ErrorCode::DatabaseBusy
                        && started.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                done => break done.map_err(|e| classify(path, e, true))?,
            }
        }
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

    /// Every row `sql` (a statement kept prepared) answers for `params`, as `row` maps it.
    fn rows<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params, row).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
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
}

/// The SQL text of an optional issue date: `YYYY-MM-DD`, or none.
pub(crate) fn date_text(date: Option<time::Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

/// An issue date read back from its SQL text (`YYYY-MM-DD...`).
pub(crate) fn date_of(text: Option<String>) -> Option<time::Date> {
    text.as_deref()
        .and_then(crate::source::frontmatter::leading_date)
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

/// A database problem met while writing a report.
impl From<StoreError> for std::io::Error {
    fn from(e: StoreError) -> std::io::Error {
        std::io::Error::other(e)
    }
}
