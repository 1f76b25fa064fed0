//! The pipelines: each command is a short list of stage calls.
//!
//! The database is the bus between the stages: extraction and the crawl
//! send issues to the store's writer thread; checking sends verdicts;
//! archive lookups send captures; lint, once those are committed, asks
//! the database about the run's links and sends findings; the report is
//! read back from the database, judged by the settings stored with the
//! run. This module wires the stages with bounded channels and owns
//! nothing else: no parsing, no HTTP, no SQL, no formatting. Extraction
//! and lint run on blocking threads, checking on the async runtime, writes
//! on the store's own thread.

pub mod archive;
pub mod fix;
pub mod lint;
mod plan;
mod stages;

pub use plan::{plan, Plan};
pub use stages::LINT_HOLDS_AT_MOST;

use crate::check::{self, CheckResult, Classifier};
use crate::clock::{rfc3339, Clock};
use crate::crawl;
use crate::extract::{self, Link};
use crate::net::{self, Door};
use crate::report::{Links, ProblemRecord, Report, RunInfo, Tally, HOLD_AT_MOST, TREND_RUNS};
use crate::source::{self, Document, Problem};
use crate::store::{self, RunSettings, Store, Writer};
use crate::Config;
use std::sync::Arc;

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
    Client(#[from] net::ClientError),
    /// A bad include/exclude pattern.
    #[error(transparent)]
    Pattern(#[from] check::PatternError),
    /// A bad --exclude-path glob.
    #[error(transparent)]
    Glob(#[from] source::GlobError),
    /// A bad --crawl-include/--crawl-exclude pattern.
    #[error(transparent)]
    CrawlPattern(#[from] crawl::CrawlPatternError),
    /// The run's links could not be read back for its report.
    #[error("cannot read the run's links back from the database for its report")]
    Report(#[source] std::io::Error),
}

impl RunError {
    /// Whether it is the user's settings that are wrong (a usage error).
    pub fn is_usage(&self) -> bool {
        !matches!(self, RunError::Store(_) | RunError::Report(_))
    }
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

/// The report of run `run_id` as the database holds it, judged by the
/// settings stored with it; `None` when there is no such run. The one way
/// a report is rebuilt from a run (`report`, `archive`, `fix`).
pub fn report_of(store: &Store, run_id: i64) -> Result<Option<Report>, RunError> {
    let Some((started, finished)) = store.run_times(run_id)? else {
        return Ok(None);
    };
    let settings = store.run_settings(run_id)?;
    let run = RunInfo {
        id: run_id,
        started_at: rfc3339(started),
        finished_at: finished.map(rfc3339).unwrap_or_default(),
        inputs: store.run_inputs(run_id)?,
    };
    let links = Links::of_run(store, run_id, &settings.policy, HOLD_AT_MOST)?;
    let tally = Tally::of(&links).map_err(RunError::Report)?;
    let findings = ProblemRecord::findings_of_run(store, run_id)?;
    Ok(Some(
        Report::tallied(run, links, tally, &[], findings, 0)
            .with_trend(store.run_trend(run_id, TREND_RUNS - 1)?)
            .with_db(store.path()),
    ))
}

/// The report of run `run_id` (default: the latest) in the database at
/// `db`; `None` when there is no such run.
pub fn stored_report(
    db: &std::path::Path,
    run_id: Option<i64>,
) -> Result<Option<Report>, RunError> {
    let store = Store::open(db)?;
    match run_id.map_or_else(|| store.last_run(), |id| Ok(Some(id)))? {
        Some(id) => report_of(&store, id),
        None => Ok(None),
    }
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
    let settings = RunSettings {
        policy: cfg.history.policy.clone(),
    };
    let run_id = store.begin_run(clock.now(), &cfg.sources.inputs, &settings)?;
    let writer = Writer::spawn(store, run_id);
    let writes = writer.sender();
    let mut summary = IndexSummary {
        run_id,
        ..IndexSummary::default()
    };
    let problems = for_each_document(&cfg.sources, observer, |doc, links| {
        summary.issues += 1;
        summary.links += links.len();
        let _ = writes.blocking_send(stages::issue_write(doc, links.into(), clock.now()));
    });
    drop(writes);
    let mut store = writer.finish()?;
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
    // Every setting is validated before any work.
    let classifier = Classifier::new(&cfg.check)?;
    cfg.crawl.check_patterns()?;
    let door = Door::new(&cfg.net)?;
    let mut store = Store::open(&cfg.db_path)?;
    let reader = Store::open(&cfg.db_path)?;
    let started_at = clock.now();
    let settings = RunSettings {
        policy: cfg.history.policy.clone(),
    };
    let run_id = store.begin_run(started_at, &cfg.sources.inputs, &settings)?;
    let writer = Writer::spawn(store, run_id);
    let run = stages::Run {
        writer: &writer,
        observer: observer.as_ref(),
        clock: clock.as_ref(),
    };

    // Offline: no request at all (the door refuses any); every URL keeps
    // its last result, and web pages are not read.
    let offline = cfg.net.offline;
    let (mut web, files) = stages::split_inputs(&cfg.sources);
    let mut found = stages::extract_files(
        files,
        writer.sender(),
        cfg.lint,
        cfg.lint_hold_at_most,
        observer.clone(),
        clock.clone(),
    )
    .await?;
    if offline {
        for page in web.drain(..) {
            let p = Problem::warning(page, "offline: web page not read");
            observer.problem(&p);
            found.problems.push(p);
        }
    }
    let crawled =
        stages::crawl_web(&run, &cfg.crawl, &door, &web, cfg.lint, &reader, &mut found).await?;
    found.table.shrink_to_fit();
    crate::memory::give_back_freed();
    observer.extracted(found.issues, found.links);
    tracing::info!(issues = found.issues, links = found.links, "extracted");

    let requests = stages::classify(&run, &classifier, &found.table).await;
    tracing::debug!(requests = requests.urls.len(), "classified");
    let latest = reader.latest_checks(&requests.spellings(&found.table))?;
    tracing::debug!(known = latest.len(), "latest checks read");
    let plan = plan(
        requests.latest(&found.table, &latest),
        &cfg.history.max_age,
        if offline {
            Some(0)
        } else {
            cfg.history.max_requests
        },
        clock.now(),
    );
    tracing::info!(
        requests = plan.check.len(),
        reused = plan.reuse.len(),
        deferred = plan.deferred.len(),
        offline,
        "planned"
    );
    let unchecked = if offline {
        "offline"
    } else {
        "not checked in this run: the --max-requests budget was spent"
    };
    let mut failing = stages::reuse(&run, &plan, &requests, &found.table, &latest, unchecked).await;
    let sent = stages::check_requests(
        &run,
        door.clone(),
        &cfg.check,
        &plan,
        &requests,
        &found.table,
    )
    .await;
    failing.extend(sent.failing);
    tracing::info!(requests = sent.requests, "checked");
    if let Some(archive_cfg) = cfg.archive.as_ref().filter(|_| !offline) {
        let wanted = found.table.lookups(&failing);
        let due = reader.lookups_due(&wanted, clock.now(), archive_cfg.relookup_after_secs)?;
        let archive = Arc::new(crate::archive::Archive::new(door, archive_cfg.clone()));
        found
            .problems
            .extend(stages::lookup_archives(&run, archive, &found.table.resolved(), due).await);
    }
    // What extraction and planning held goes before lint and the report
    // (read back from the database), so that they never peak together.
    let to_lint = std::mem::take(&mut found.to_lint);
    let problems = std::mem::take(&mut found.problems);
    let lint_urls = std::mem::take(&mut found.table).into_lint_urls();
    drop((found, requests, latest, plan, failing));
    crate::memory::give_back_freed();
    // Everything but lint's findings is committed now: the report's links
    // are read back while lint runs, on another thread.
    writer.flush().await;
    tracing::debug!("committed");
    let links = tokio::task::spawn_blocking({
        let (db, policy, hold) = (
            cfg.db_path.clone(),
            cfg.history.policy.clone(),
            cfg.report_hold_at_most,
        );
        move || -> Result<_, RunError> {
            let links = Links::of_run(&Store::open(&db)?, run_id, &policy, hold)?;
            let tally = Tally::of(&links).map_err(RunError::Report)?;
            tracing::debug!("tallied");
            Ok((links, tally))
        }
    });
    stages::lint_issues(&run, reader, run_id, cfg.lint, to_lint, lint_urls).await?;
    tracing::debug!("linted");
    let mut store = writer.finish()?;
    let (links, tally) = links
        .await
        .expect("reading the links back does not panic")?;
    tracing::info!("stored");
    // What lint held goes back before the findings are read.
    crate::memory::give_back_freed();

    let finished_at = clock.now();
    let info = RunInfo {
        id: run_id,
        started_at: rfc3339(started_at),
        finished_at: rfc3339(finished_at),
        inputs: cfg.sources.inputs.clone(),
    };
    let findings = ProblemRecord::findings_of_run(&store, run_id)?;
    let mut report = Report::tallied(info, links, tally, &problems, findings, sent.requests)
        .with_trend(store.run_trend(run_id, TREND_RUNS - 1)?)
        .with_db(&cfg.db_path);
    report.crawl = crawled;
    tracing::info!(urls = report.summary.urls, "report built");
    store.finish_run(
        run_id,
        finished_at,
        &serde_json::to_value(&report.summary).expect("summary serializes"),
    )?;
    Ok(RunOutcome { run_id, report })
}
