//! The pipeline: sources -> extract -> store -> check -> store -> report.
//!
//! Wires the stages together with bounded channels and owns nothing else:
//! no parsing, no HTTP, no SQL, no formatting. Extraction runs on a blocking
//! thread, checking on the async runtime, writes on the store's own thread.

use crate::check::{self, CheckResult, Classifier, Target};
use crate::extract::{self, Link};
use crate::report::Report;
use crate::source::{self, Document, Input, Problem};
use crate::store::{self, Store, Write};
use crate::Config;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc;

/// What a run tells whoever watches it (the binary's progress bar).
pub trait Observer: Send + Sync {
    /// An input could not be read, or was read with a caveat.
    fn problem(&self, _problem: &Problem) {}
    /// Extraction finished: issues read and links found.
    fn extracted(&self, _issues: usize, _links: usize) {}
    /// Checking starts for this many distinct URLs as written.
    fn checking(&self, _urls: usize) {}
    /// One URL (as written) has its verdict.
    fn checked(&self, _url: &str, _result: &CheckResult) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl Observer for Quiet {}

/// A failure that stops the run (as opposed to a broken link, which is data).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The database.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Client(#[from] check::ClientError),
    /// A bad include/exclude pattern.
    #[error(transparent)]
    Pattern(#[from] check::PatternError),
    /// A bad --exclude-path glob.
    #[error(transparent)]
    Glob(#[from] source::GlobError),
    /// The store thread stopped (its error is reported instead when known).
    #[error("the database writer stopped unexpectedly")]
    WriterGone,
}

/// What `linkrot check` produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// The run's id in the database.
    pub run_id: i64,
    /// Everything found, ready to render.
    pub report: Report,
}

/// Reads every input and hands each document with its links to `each`,
/// reporting problems to `observer`. No network, no database.
pub fn for_each_document(
    cfg: &source::SourceConfig,
    observer: &dyn Observer,
    mut each: impl FnMut(&Document, Vec<Link>),
) -> Result<Vec<Problem>, source::GlobError> {
    let (inputs, mut problems) = source::discover(cfg)?;
    for p in &problems {
        observer.problem(p);
    }
    for input in &inputs {
        match read_one(input) {
            Ok((doc, links, warning)) => {
                if let Some(w) = warning {
                    observer.problem(&w);
                    problems.push(w);
                }
                each(&doc, links);
            }
            Err(p) => {
                observer.problem(&p);
                problems.push(p);
            }
        }
    }
    Ok(problems)
}

fn read_one(input: &Input) -> Result<(Document, Vec<Link>, Option<Problem>), Problem> {
    let (doc, warning) = source::read(input)?;
    let links = extract::extract(&doc.text, doc.body_start, doc.format);
    Ok((doc, links, warning))
}

/// Distinct URLs as written, and the distinct requests they lead to.
#[derive(Default)]
struct UrlTable {
    written: Vec<String>,
    index: HashMap<String, usize>,
}

impl UrlTable {
    fn add(&mut self, url: &str) {
        if !self.index.contains_key(url) {
            self.index.insert(url.to_string(), self.written.len());
            self.written.push(url.to_string());
        }
    }
}

/// `linkrot check`: extracts, stores, checks and reports one run.
pub async fn check(cfg: &Config, observer: Arc<dyn Observer>) -> Result<RunOutcome, RunError> {
    let classifier = Classifier::new(&cfg.check)?;
    let client = check::build_client(&cfg.check)?;
    let mut store = Store::open(&cfg.db_path)?;
    let started_at = store::now_unix();
    let run_id = store.begin_run(started_at, &cfg.sources.inputs)?;
    let (writes, writer) = store::spawn_writer(store, run_id);

    // Extract on a blocking thread, streaming issues to the writer.
    let sources = cfg.sources.clone();
    let extract_writes = writes.clone();
    let obs = observer.clone();
    let extracted = tokio::task::spawn_blocking(move || {
        let mut table = UrlTable::default();
        let (mut issues, mut links_found) = (0usize, 0usize);
        let problems = for_each_document(&sources, obs.as_ref(), |doc, links| {
            issues += 1;
            links_found += links.len();
            for l in &links {
                table.add(&l.url);
            }
            // A closed channel means the writer failed; its error is reported at the end.
            let _ = extract_writes.blocking_send(Write::Issue {
                path: doc.path.clone(),
                title: doc.title.clone(),
                date: doc.date.map(|d| d.to_string()),
                links,
            });
        });
        obs.extracted(issues, links_found);
        problems.map(|p| (table, p))
    })
    .await
    .expect("extraction does not panic");
    let (table, problems) = match extracted {
        Ok(v) => v,
        Err(e) => {
            drop(writes);
            let _ = writer.join();
            return Err(e.into());
        }
    };

    // One request per distinct URL (fragments stripped); the rest are verdicts already.
    observer.checking(table.written.len());
    let mut request_of: HashMap<String, usize> = HashMap::new();
    let mut targets: Vec<Vec<usize>> = Vec::new();
    let mut requests = Vec::new();
    for (wid, written) in table.written.iter().enumerate() {
        match classifier.classify(written) {
            Target::Check(url) => {
                let rid = *request_of
                    .entry(url.as_str().to_string())
                    .or_insert_with(|| {
                        targets.push(Vec::new());
                        requests.push((targets.len() - 1, url));
                        targets.len() - 1
                    });
                targets[rid].push(wid);
            }
            Target::Skip(result) => {
                observer.checked(written, &result);
                send(&writes, written.clone(), result).await;
            }
        }
    }
    let (tx, mut rx) = mpsc::channel::<(usize, CheckResult)>(256);
    let checker = tokio::spawn(check::check_urls(
        client,
        Arc::new(cfg.check.clone()),
        requests,
        tx,
    ));
    let mut requests_sent = 0u64;
    while let Some((rid, result)) = rx.recv().await {
        requests_sent += u64::from(result.requests);
        for &wid in &targets[rid] {
            observer.checked(&table.written[wid], &result);
            send(&writes, table.written[wid].clone(), result.clone()).await;
        }
    }
    checker.await.expect("the scheduler does not panic");
    drop(writes);
    let mut store = writer.join().map_err(|_| RunError::WriterGone)??;

    let links = store.run_links(run_id)?;
    let finished_at = store::now_unix();
    let report = Report::new(
        run_id,
        started_at,
        finished_at,
        links,
        &problems,
        requests_sent,
    );
    store.finish_run(
        run_id,
        finished_at,
        &serde_json::to_value(&report.summary).expect("summary serializes"),
    )?;
    Ok(RunOutcome { run_id, report })
}

async fn send(writes: &mpsc::Sender<Write>, url: String, result: CheckResult) {
    // A closed channel means the writer failed; its error surfaces when it is joined.
    let _ = writes
        .send(Write::Check {
            url,
            result,
            checked_at: store::now_unix(),
        })
        .await;
}
