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
        links: std::sync::Arc<[Link]>,
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
    /// Earlier checks stand for their URLs in this run (fresh enough, or
    /// the request budget was spent): each check's URL is the one it stands
    /// for. Many at once: one statement for all of them.
    Reuse {
        /// The checks reused.
        check_ids: Vec<i64>,
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
        // Immediate: the write lock is taken (or waited for) at the start. A
        // transaction that reads first and writes after finds another run's
        // commit in between and fails at once ("locked"), busy timeout or not.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
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
                Write::Reuse { check_ids } => runs::reuse_checks(&tx, run_id, check_ids),
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
const BATCH_LINKS: usize = 32_768;

/// Writes waiting in the channel.
const QUEUED: usize = 4 * BATCH;

/// Links of issues waiting in the channel, at most: an issue holds all its
/// links, and an archive of long issues (250 links each) with 2,048 of them
/// queued took 200 MB to index. Only blocking senders of issues wait for
/// room (extraction); checks and the rest go by the channel alone, so that
/// the checker is never held by a queue of issues.
const BACKLOG_LINKS: usize = 65_536;

/// What is queued: a write, and the room it holds in the backlog.
struct Queued {
    write: Write,
    ticket: Option<Ticket>,
}

/// The links of issues queued to the writer, and a wake-up when they go.
#[derive(Default)]
struct Backlog {
    links: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

/// Room for `links` in the backlog, given back when dropped (once written).
struct Ticket {
    backlog: std::sync::Arc<Backlog>,
    links: usize,
}

impl Backlog {
    /// Waits until `links` fit (always, with nothing queued: one issue
    /// larger than the bound still goes).
    fn reserve(backlog: &std::sync::Arc<Backlog>, links: usize) -> Ticket {
        let mut queued = backlog.links.lock().unwrap_or_else(|e| e.into_inner());
        while *queued > 0 && *queued + links > BACKLOG_LINKS {
            queued = backlog
                .freed
                .wait(queued)
                .unwrap_or_else(|e| e.into_inner());
        }
        *queued += links;
        Ticket {
            backlog: backlog.clone(),
            links,
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut queued = self.backlog.links.lock().unwrap_or_else(|e| e.into_inner());
        *queued -= self.links;
        self.backlog.freed.notify_all();
    }
}

/// A sender for a stage on a blocking thread. An issue waits for room in
/// the backlog; everything else goes by the channel.
#[derive(Clone)]
pub struct WriteSender {
    tx: mpsc::Sender<Queued>,
    backlog: std::sync::Arc<Backlog>,
}

impl WriteSender {
    /// Sends `w`, waiting while the channel is full or, for an issue, while
    /// too many issues' links are queued. Fails only when the writer has
    /// stopped (its error is what `Writer::finish` returns).
    pub fn blocking_send(&self, w: Write) -> Result<(), StoreError> {
        let ticket =
            matches!(w, Write::Issue { .. }).then(|| Backlog::reserve(&self.backlog, w.links()));
        self.tx
            .blocking_send(Queued { write: w, ticket })
            .map_err(|_| StoreError::WriterGone)
    }
}

/// The writer thread, owned: stages send to it, and `finish` (or drop)
/// closes its channel and joins it.
pub struct Writer {
    tx: Option<mpsc::Sender<Queued>>,
    backlog: std::sync::Arc<Backlog>,
    handle: Option<std::thread::JoinHandle<Result<Store, StoreError>>>,
}

impl Writer {
    /// Moves `store` to a thread of its own that writes what it receives
    /// for run `run_id`, in batched transactions, until it is finished.
    pub fn spawn(mut store: Store, run_id: i64) -> Writer {
        let (tx, mut rx) = mpsc::channel::<Queued>(QUEUED);
        let handle = std::thread::Builder::new()
            .name("linkrot-store".into())
            .spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                let mut tickets = Vec::new();
                while let Some(first) = rx.blocking_recv() {
                    let mut links = 0;
                    let mut next = Some(first);
                    while let Some(q) = next.take() {
                        links += q.write.links();
                        batch.push(q.write);
                        tickets.push(q.ticket);
                        if batch.len() < BATCH && links < BATCH_LINKS {
                            next = rx.try_recv().ok();
                        }
                    }
                    store.write_batch(run_id, &batch)?;
                    // Written: the issues' room in the backlog is free.
                    tickets.clear();
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
            backlog: std::sync::Arc::default(),
            handle: Some(handle),
        }
    }

    /// A sender for a stage on a blocking thread (it must be dropped
    /// before `finish` can return).
    pub fn sender(&self) -> WriteSender {
        WriteSender {
            tx: self.tx.clone().expect("open until finished"),
            backlog: self.backlog.clone(),
        }
    }

    /// Sends `w`. A closed channel means the writer failed; its error is
    /// what `finish` returns.
    pub async fn send(&self, w: Write) {
        if let Some(tx) = &self.tx {
            let _ = tx
                .send(Queued {
                    write: w,
                    ticket: None,
                })
                .await;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn queued(b: &Backlog) -> usize {
        *b.links.lock().unwrap()
    }

    #[test]
    fn an_issue_waits_while_the_backlog_is_full_and_goes_once_the_writer_frees_it() {
        let backlog = Arc::new(Backlog::default());
        // One issue larger than the bound goes when nothing is queued.
        let big = Backlog::reserve(&backlog, BACKLOG_LINKS + 1);
        let other = backlog.clone();
        let waiting = std::thread::spawn(move || Backlog::reserve(&other, 10));
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!waiting.is_finished(), "no room: it waits");
        assert_eq!(queued(&backlog), BACKLOG_LINKS + 1);
        drop(big);
        let small = waiting.join().unwrap();
        assert_eq!(queued(&backlog), 10, "the written issue gave its room back");
        drop(small);
        assert_eq!(queued(&backlog), 0);
    }
}
