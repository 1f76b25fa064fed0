//! The writer: the one thread that writes to the database.
//!
//! Stages send [`Write`]s over a bounded channel (backpressure, so memory
//! stays flat on a million links); the thread writes them in batched
//! transactions. [`Writer`] owns the thread: `finish` (or drop) closes the
//! channel and joins it, handing the store back or the first error.

use super::{archive, classify, findings, issues, pages, runs, SaveStatus, Store, StoreError};
use crate::archive::Capture;
use crate::check::CheckResult;
use crate::extract::Link;
use crate::lint::Finding;
use time::Date;
use tokio::sync::{mpsc, oneshot};

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
        /// The issue's date.
        date: Option<Date>,
        /// Its links.
        links: Vec<Link>,
        /// When it was read (unix seconds): first-seen time of new URLs.
        seen_at: i64,
        /// A hash of its bytes as read (see [`crate::source::content_hash`]).
        content_hash: Option<String>,
    },
    /// What an archive lookup found for a URL and a target date.
    ArchiveLookup {
        /// The URL as written.
        url: String,
        /// The date the capture should be closest to, if any.
        target: Option<Date>,
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
        /// Where it stands.
        state: SaveStatus,
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
        /// The URL requested in its place, when `--remap` rewrote it.
        remapped: Option<String>,
    },
    /// What lint found in one issue of this run.
    Findings {
        /// The issue's path.
        path: String,
        /// Its findings.
        findings: Vec<Finding>,
    },
    /// Answered once everything sent before it is committed (see
    /// [`Writer::flush`]); writes nothing.
    Flush(oneshot::Sender<()>),
}

impl Write {
    /// How many links it carries: an issue's, else one.
    fn links(&self) -> usize {
        match self {
            Write::Issue { links, .. } => links.len().max(1),
            _ => 1,
        }
    }
}

impl Store {
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
                } => issues::write_issue(
                    &tx,
                    run_id,
                    issues::IssueRow {
                        path,
                        title: title.as_deref(),
                        date: *date,
                        content_hash: content_hash.as_deref(),
                    },
                    links,
                    *seen_at,
                ),
                Write::ArchiveLookup {
                    url,
                    target,
                    capture,
                    verified,
                    at,
                } => archive::write_lookup(&tx, url, *target, capture.as_ref(), *verified, *at),
                Write::Save {
                    url,
                    state,
                    job_id,
                    status_ext,
                    message,
                    capture_url,
                    at,
                } => archive::write_save(
                    &tx,
                    url,
                    *state,
                    [job_id, status_ext, message, capture_url],
                    *at,
                ),
                Write::Page {
                    url,
                    path,
                    etag,
                    last_modified,
                    content_hash,
                    internal,
                    at,
                } => pages::write_page(
                    &tx,
                    pages::PageRow {
                        url,
                        path,
                        etag: etag.as_deref(),
                        last_modified: last_modified.as_deref(),
                        content_hash,
                        internal,
                    },
                    *at,
                ),
                Write::Reuse { url, check_id } => runs::reuse_check(&tx, run_id, url, *check_id),
                Write::Check {
                    url,
                    result,
                    checked_at,
                    remapped,
                } => runs::write_check(&tx, run_id, url, result, *checked_at, remapped.as_deref()),
                Write::Findings { path, findings } => {
                    findings::write_findings(&tx, run_id, path, findings)
                }
                Write::Flush(_) => Ok(()),
            }
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }
}

/// Largest batch written in one transaction, in writes and in links.
const BATCH: usize = 512;
const BATCH_LINKS: usize = 8_192;

/// Writes waiting in the channel: an issue holds all its links, and an
/// archive of long issues (250 links each) queued 2,048 of them took 200
/// MB to index; 128 keep the writer busy and memory flat.
const QUEUED: usize = 128;

/// The writer thread, owned: stages send to it, and `finish` (or drop)
/// closes its channel and joins it.
pub struct Writer {
    tx: Option<mpsc::Sender<Write>>,
    handle: Option<std::thread::JoinHandle<Result<Store, StoreError>>>,
}

impl Writer {
    /// Moves `store` to a thread of its own that writes what it receives
    /// for run `run_id`, in batched transactions, until it is finished.
    pub fn spawn(mut store: Store, run_id: i64) -> Writer {
        let (tx, mut rx) = mpsc::channel::<Write>(QUEUED);
        let handle = std::thread::Builder::new()
            .name("linkrot-store".into())
            .spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                while let Some(first) = rx.blocking_recv() {
                    let mut links = first.links();
                    batch.push(first);
                    while batch.len() < BATCH && links < BATCH_LINKS {
                        match rx.try_recv() {
                            Ok(w) => {
                                links += w.links();
                                batch.push(w);
                            }
                            Err(_) => break,
                        }
                    }
                    store.write_batch(run_id, &batch)?;
                    for w in batch.drain(..) {
                        if let Write::Flush(done) = w {
                            let _ = done.send(());
                        }
                    }
                }
                Ok(store)
            })
            .expect("spawn the store thread");
        Writer {
            tx: Some(tx),
            handle: Some(handle),
        }
    }

    /// A sender for a stage on another thread (it must be dropped before
    /// `finish` can return).
    pub fn sender(&self) -> mpsc::Sender<Write> {
        self.tx.clone().expect("open until finished")
    }

    /// Sends `w`. A closed channel means the writer failed; its error is
    /// what `finish` returns.
    pub async fn send(&self, w: Write) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(w).await;
        }
    }

    /// Waits until everything sent so far is committed, so that another
    /// connection reads it. Returns at once if the writer has failed (its
    /// error is what `finish` returns).
    pub async fn flush(&self) {
        let (done, committed) = oneshot::channel();
        self.send(Write::Flush(done)).await;
        let _ = committed.await;
    }

    /// Closes the channel, waits for everything sent to be written, and
    /// hands the store back (or the first error).
    pub fn finish(mut self) -> Result<Store, StoreError> {
        self.tx.take();
        let handle = self.handle.take().expect("joined once");
        handle
            .join()
            .unwrap_or_else(|_| Err(StoreError::WriterGone))
    }
}

impl Drop for Writer {
    /// A run that stops early still writes what it sent.
    fn drop(&mut self) {
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
