//! The pipeline: sources -> extract -> store -> check -> store -> report.
//!
//! Wires the stages together with bounded channels and owns nothing else:
//! no parsing, no HTTP, no SQL, no formatting. Extraction runs on a blocking
//! thread, checking on the async runtime, writes on the store's own thread.

pub mod archive;
pub mod fix;
pub mod lint;

use crate::archive::{Archive, ArchiveError, Lookup};
use crate::check::{self, CheckResult, Classifier, Target};
use crate::crawl;
use crate::extract::{self, Link};
use crate::report::{Report, RunInfo};
use crate::source::{self, Document, Problem};
use crate::store::{self, LatestCheck, Store, Write};
use crate::{Clock, Config};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use time::Date;
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
    /// Archive lookups start for this many (URL, date) pairs.
    fn archiving(&self, _lookups: usize) {}
    /// One archive lookup is done.
    fn archived(&self, _url: &str) {}
    /// Crawling: pages requested so far, and pages waiting.
    fn crawling(&self, _done: usize, _queued: usize) {}
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
    /// A bad --crawl-include/--crawl-exclude pattern.
    #[error(transparent)]
    CrawlPattern(#[from] crawl::CrawlPatternError),
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

/// Reads every input and hands each document with its links to `each`
/// (relative links resolved when `cfg.base_url` is set), reporting
/// problems to `observer`. No network, no database.
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
        match source::read(input) {
            Ok((docs, warning)) => {
                if let Some(w) = warning {
                    observer.problem(&w);
                    problems.push(w);
                }
                for doc in docs {
                    let mut links = extract::extract(&doc.text, doc.body_start, doc.format);
                    if let Some(base) = &cfg.base_url {
                        extract::resolve_relative(&mut links, base);
                    }
                    each(&doc, links);
                }
            }
            Err(p) => {
                observer.problem(&p);
                problems.push(p);
            }
        }
    }
    Ok(problems)
}

/// What the store records of an issue as read at `now`.
fn issue_write(doc: &Document, links: Vec<Link>, now: i64) -> Write {
    Write::Issue {
        path: doc.path.clone(),
        title: doc.title.clone(),
        date: doc.date.map(|d| d.to_string()),
        links,
        seen_at: now,
        content_hash: Some(store::content_hash(doc.text.as_bytes())),
    }
}

/// What the store records of a crawled page: the issue it is, and the
/// page's validators for the next crawl.
fn page_writes(page: crawl::Page, now: i64) -> (Write, Write) {
    let page_write = Write::Page {
        url: page.requested,
        path: page.path.clone(),
        etag: page.etag,
        last_modified: page.last_modified,
        content_hash: page.hash.clone(),
        internal: page.internal,
        at: now,
    };
    let issue = Write::Issue {
        path: page.path,
        title: page.title,
        date: page.date.map(|d| d.to_string()),
        links: page.links,
        seen_at: now,
        content_hash: Some(page.hash),
    };
    (issue, page_write)
}

/// Distinct URLs as written, and the distinct requests they lead to.
#[derive(Default)]
struct UrlTable {
    written: Vec<String>,
    index: HashMap<String, usize>,
    /// The dates of the issues citing each URL (`None`: an issue without one).
    dates: Vec<BTreeSet<Option<Date>>>,
}

impl UrlTable {
    fn add(&mut self, url: &str, date: Option<Date>) {
        let id = *self.index.entry(url.to_string()).or_insert_with(|| {
            self.written.push(url.to_string());
            self.dates.push(BTreeSet::new());
            self.written.len() - 1
        });
        self.dates[id].insert(date);
    }
}

/// The report of run `run_id` (default: the latest) as the database holds
/// it, judged by `policy`; `None` when there is no such run.
pub fn stored_report(
    db: &std::path::Path,
    run_id: Option<i64>,
    policy: &crate::history::Policy,
) -> Result<Option<Report>, RunError> {
    let store = Store::open(db)?;
    let Some(run_id) = run_id.map_or_else(|| store.last_run(), |id| Ok(Some(id)))? else {
        return Ok(None);
    };
    let Some((started, finished)) = store.run_times(run_id)? else {
        return Ok(None);
    };
    let run = RunInfo {
        id: run_id,
        started_at: store::rfc3339(started),
        finished_at: finished.map(store::rfc3339).unwrap_or_default(),
    };
    Ok(Some(Report::new(
        run,
        store.run_links(run_id)?,
        &[],
        0,
        policy,
    )))
}

/// What `linkrot index` read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexSummary {
    /// The run's id.
    pub run_id: i64,
    /// Issues read.
    pub issues: usize,
    /// Links stored.
    pub links: usize,
    /// Inputs that could not be read.
    pub unread: usize,
}

/// `linkrot index`: extracts every link and stores issues and occurrences,
/// with no network. Streams: one document at a time, batched writes, so
/// memory does not grow with the archive.
pub fn index(
    cfg: &Config,
    observer: &dyn Observer,
    clock: &dyn Clock,
) -> Result<IndexSummary, RunError> {
    let mut store = Store::open(&cfg.db_path)?;
    let run_id = store.begin_run(clock.now(), &cfg.sources.inputs)?;
    let (writes, writer) = store::spawn_writer(store, run_id);
    let mut summary = IndexSummary {
        run_id,
        ..IndexSummary::default()
    };
    let problems = for_each_document(&cfg.sources, observer, |doc, links| {
        summary.issues += 1;
        summary.links += links.len();
        let _ = writes.blocking_send(issue_write(doc, links, clock.now()));
    });
    drop(writes);
    let mut store = writer.join().map_err(|_| RunError::WriterGone)??;
    let problems = problems?;
    summary.unread = problems
        .iter()
        .filter(|p| p.severity == crate::source::Severity::Error)
        .count();
    let counts = serde_json::json!({"issues": summary.issues, "occurrences": summary.links, "problems": problems.len()});
    store.finish_run(run_id, clock.now(), &counts)?;
    Ok(summary)
}

/// `linkrot check`: extracts, stores, checks and reports one run, reusing
/// results that are fresh enough, with time from `clock`.
pub async fn check(
    cfg: &Config,
    observer: Arc<dyn Observer>,
    clock: Arc<dyn Clock>,
) -> Result<RunOutcome, RunError> {
    let classifier = Classifier::new(&cfg.check)?;
    cfg.crawl.check_patterns()?;
    let client = check::build_client(&cfg.check)?;
    // Archive endpoints are configured addresses: trusted, like a proxy.
    let archive_client = match &cfg.archive {
        Some(_) => Some(check::build_client(&archive_check_config(&cfg.check))?),
        None => None,
    };
    let mut store = Store::open(&cfg.db_path)?;
    let reader = Store::open(&cfg.db_path)?;
    let started_at = clock.now();
    let run_id = store.begin_run(started_at, &cfg.sources.inputs)?;
    let (writes, writer) = store::spawn_writer(store, run_id);

    // Web pages are crawled; files are read.
    let (web, files): (Vec<String>, Vec<String>) = cfg
        .sources
        .inputs
        .iter()
        .cloned()
        .partition(|i| crawl::is_web_input(i));
    // Extract on a blocking thread, streaming issues to the writer.
    let sources = source::SourceConfig {
        inputs: files,
        ..cfg.sources.clone()
    };
    let extract_writes = writes.clone();
    let obs = observer.clone();
    let extract_clock = clock.clone();
    let extracted = tokio::task::spawn_blocking(move || {
        let mut table = UrlTable::default();
        let (mut issues, mut links_found) = (0usize, 0usize);
        let problems = for_each_document(&sources, obs.as_ref(), |doc, links| {
            issues += 1;
            links_found += links.len();
            for l in &links {
                table.add(&l.url, doc.date);
            }
            // A closed channel means the writer failed; its error is reported at the end.
            let _ = extract_writes.blocking_send(issue_write(doc, links, extract_clock.now()));
        });
        problems.map(|p| (table, p, issues, links_found))
    })
    .await
    .expect("extraction does not panic");
    let (mut table, mut problems, mut issues, mut links_found) = match extracted {
        Ok(v) => v,
        Err(e) => {
            drop(writes);
            let _ = writer.join();
            return Err(e.into());
        }
    };

    let crawl_summary = if web.is_empty() {
        None
    } else {
        let cache = reader.cached_pages()?;
        let (tx, mut rx) = mpsc::channel::<crawl::Event>(64);
        let crawling = crawl::crawl(&cfg.crawl, &cfg.check, &client, &web, cache, tx);
        let recording = async {
            while let Some(event) = rx.recv().await {
                match event {
                    crawl::Event::Page(page) => {
                        issues += 1;
                        links_found += page.links.len();
                        for l in &page.links {
                            table.add(&l.url, page.date);
                        }
                        let now = clock.now();
                        let (issue, page) = page_writes(*page, now);
                        let _ = writes.send(issue).await;
                        let _ = writes.send(page).await;
                    }
                    crawl::Event::Problem(p) => {
                        observer.problem(&p);
                        problems.push(p);
                    }
                    crawl::Event::Progress { done, queued } => observer.crawling(done, queued),
                }
            }
        };
        let (summary, ()) = tokio::join!(crawling, recording);
        match summary {
            Ok(s) => Some(s),
            Err(e) => {
                drop(writes);
                let _ = writer.join();
                return Err(e.into());
            }
        }
    };
    observer.extracted(issues, links_found);

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
                send(&writes, written.clone(), result, clock.now()).await;
            }
        }
    }

    // Reuse what is fresh; spend the request budget on the stalest of the rest.
    let checkable: Vec<&str> = targets
        .iter()
        .flatten()
        .map(|&w| table.written[w].as_str())
        .collect();
    let latest = reader.latest_checks(&checkable)?;
    let now = clock.now();
    let latest_of = |rid: usize| targets[rid].iter().map(|&w| latest.get(&table.written[w]));
    let mut to_check: Vec<(usize, reqwest::Url)> = Vec::new();
    let mut reuse: Vec<usize> = Vec::new();
    // Written URLs failing now, whether checked or reused: they get archive lookups.
    let mut failing: Vec<usize> = Vec::new();
    for (rid, url) in requests {
        let fresh =
            latest_of(rid).all(|l| l.is_some_and(|l| cfg.history.max_age.is_fresh(&l.point, now)));
        if fresh {
            reuse.push(rid);
        } else {
            to_check.push((rid, url));
        }
    }
    if let Some(budget) = cfg.history.max_requests {
        // Never-checked first, then the longest unchecked.
        to_check.sort_by_key(|(rid, _)| {
            latest_of(*rid)
                .map(|l| l.map_or(i64::MIN, |l| l.point.at))
                .min()
        });
        for (rid, _) in to_check.drain(budget.min(to_check.len())..) {
            for &wid in &targets[rid] {
                let written = &table.written[wid];
                match latest.get(written) {
                    Some(l) => {
                        if reuse_one(&writes, &*observer, written, l).await {
                            failing.push(wid);
                        }
                    }
                    None => {
                        let result = CheckResult::without_request(
                            check::Status::Excluded,
                            "not checked in this run: the --max-requests budget was spent",
                        );
                        observer.checked(written, &result);
                        send(&writes, written.clone(), result, now).await;
                    }
                }
            }
        }
    }
    for rid in reuse {
        for &wid in &targets[rid] {
            let written = &table.written[wid];
            if let Some(l) = latest.get(written) {
                if reuse_one(&writes, &*observer, written, l).await {
                    failing.push(wid);
                }
            }
        }
    }

    let (tx, mut rx) = mpsc::channel::<(usize, CheckResult)>(256);
    let checker = tokio::spawn(check::check_urls(
        client,
        Arc::new(cfg.check.clone()),
        to_check,
        tx,
    ));
    let mut requests_sent = 0u64;
    while let Some((rid, result)) = rx.recv().await {
        requests_sent += u64::from(result.requests);
        for &wid in &targets[rid] {
            if result.status.is_failure() {
                failing.push(wid);
            }
            observer.checked(&table.written[wid], &result);
            send(
                &writes,
                table.written[wid].clone(),
                result.clone(),
                clock.now(),
            )
            .await;
        }
    }
    checker.await.expect("the scheduler does not panic");
    if let Some(archive_cfg) = &cfg.archive {
        let wanted: Vec<(String, String)> = failing
            .iter()
            .flat_map(|&wid| table.dates[wid].iter().map(move |d| (wid, *d)))
            .map(|(wid, d)| {
                (
                    table.written[wid].clone(),
                    d.map(|d| d.to_string()).unwrap_or_default(),
                )
            })
            .collect();
        let due = reader.lookups_due(&wanted, clock.now(), archive_cfg.relookup_after_secs)?;
        let client = archive_client.expect("built when archive lookups are on");
        let archive = Arc::new(Archive::new(client, archive_cfg.clone()));
        lookup_archives(archive, due, &writes, &*observer, &*clock).await;
    }
    drop(reader);
    drop(writes);
    let mut store = writer.join().map_err(|_| RunError::WriterGone)??;

    let links = store.run_links(run_id)?;
    let finished_at = clock.now();
    let run = RunInfo {
        id: run_id,
        started_at: store::rfc3339(started_at),
        finished_at: store::rfc3339(finished_at),
    };
    let mut report = Report::new(run, links, &problems, requests_sent, &cfg.history.policy);
    report.crawl = crawl_summary;
    store.finish_run(
        run_id,
        finished_at,
        &serde_json::to_value(&report.summary).expect("summary serializes"),
    )?;
    Ok(RunOutcome { run_id, report })
}

/// The HTTP settings for talking to archives: the run's, but with the
/// address guard off, since their addresses are the user's settings.
pub(crate) fn archive_check_config(check: &check::CheckConfig) -> check::CheckConfig {
    check::CheckConfig {
        allow_private: true,
        ..check.clone()
    }
}

/// Looks up each due `(url, target date)` and writes what was found. A
/// lookup that could not reach any archive is told to the observer and
/// writes nothing, so it is tried again next run.
async fn lookup_archives(
    archive: Arc<Archive>,
    due: Vec<(String, String)>,
    writes: &mpsc::Sender<Write>,
    observer: &dyn Observer,
    clock: &dyn Clock,
) {
    observer.archiving(due.len());
    let jobs: Vec<((String, String), String, Option<Date>)> = due
        .into_iter()
        .map(|(url, target)| {
            let mut request = url.clone();
            if let Ok(mut u) = reqwest::Url::parse(&url) {
                u.set_fragment(None);
                request = u.to_string();
            }
            let date = crate::source::frontmatter::leading_date(&target);
            ((url, target), request, date)
        })
        .collect();
    let (tx, mut rx) = mpsc::channel::<((String, String), Result<Lookup, ArchiveError>)>(64);
    let task = tokio::spawn(archive.lookup_all(jobs, tx));
    let mut failed = 0usize;
    let mut first_error = None;
    while let Some(((url, target), found)) = rx.recv().await {
        observer.archived(&url);
        match found {
            Ok(lookup) => {
                let _ = writes
                    .send(Write::ArchiveLookup {
                        url,
                        target,
                        capture: lookup.capture,
                        verified: lookup.verified,
                        at: clock.now(),
                    })
                    .await;
            }
            Err(e) => {
                failed += 1;
                first_error.get_or_insert_with(|| format!("{url}: {e}"));
            }
        }
    }
    let _ = task.await;
    if let Some(e) = first_error {
        observer.problem(&Problem {
            path: "archive".into(),
            message: format!(
                "{failed} archive lookups failed and will be retried next run; first: {e}"
            ),
            severity: crate::source::Severity::Warning,
        });
    }
}

async fn send(writes: &mpsc::Sender<Write>, url: String, result: CheckResult, checked_at: i64) {
    // A closed channel means the writer failed; its error surfaces when it is joined.
    let _ = writes
        .send(Write::Check {
            url,
            result,
            checked_at,
        })
        .await;
}

/// Records that an earlier check stands for `url` in this run; returns
/// whether that check found it failing.
async fn reuse_one(
    writes: &mpsc::Sender<Write>,
    observer: &dyn Observer,
    url: &str,
    latest: &LatestCheck,
) -> bool {
    observer.checked(
        url,
        &CheckResult::without_request(latest.point.status, "reused"),
    );
    let _ = writes
        .send(Write::Reuse {
            url: url.to_string(),
            check_id: latest.check_id,
        })
        .await;
    latest.point.failed()
}
