//! The stages `run::check` calls, one function each, in the order it
//! calls them. Each takes what the stage before produced and sends what it
//! finds to the writer.

use super::{Observer, Plan, RunError};
use crate::archive::{Archive, ArchiveError, Lookup};
use crate::check::{self, CheckConfig, CheckResult, Classifier, Target};
use crate::clock::Clock;
use crate::crawl;
use crate::extract::{Format, Link};
use crate::lint::{self, CitingIssue, LintLevel};
use crate::net::Door;
use crate::source::{self, Document, Problem};
use crate::store::{LatestCheck, Store, Write, Writer};
use indexmap::IndexSet;
use std::collections::HashMap;
use std::sync::Arc;
use time::Date;
use tokio::sync::mpsc;

/// What every stage is handed: where to write, who watches, the time.
pub(super) struct Run<'a> {
    pub writer: &'a Writer,
    pub observer: &'a dyn Observer,
    pub clock: &'a dyn Clock,
}

impl Run<'_> {
    /// Records `result` for `url` as written; `remapped`: the URL checked
    /// in its place, when `--remap` rewrote it.
    async fn record(&self, url: String, result: CheckResult, remapped: Option<String>) {
        self.observer.checked(&url, &result);
        self.writer
            .send(Write::Check {
                url,
                result,
                checked_at: self.clock.now(),
                remapped,
            })
            .await;
    }
}

/// What the store records of an issue as read at `now`.
pub(super) fn issue_write(doc: &Document, links: Arc<[Link]>, now: i64) -> Write {
    Write::Issue {
        path: doc.path.clone(),
        title: doc.title.clone(),
        date: doc.date,
        links,
        seen_at: now,
        content_hash: Some(source::content_hash(doc.text.as_bytes())),
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
        date: page.date,
        links: page.links.into(),
        seen_at: now,
        content_hash: Some(page.hash),
    };
    (issue, page_write)
}

/// Distinct URLs as written, what each is checked as, and the dates of
/// the issues citing each. Each URL is held once (its id is its index);
/// a URL costs about 70 bytes beside its text.
#[derive(Default)]
pub(super) struct UrlTable {
    /// Shared with [`Requests::urls`] where a URL is requested as written.
    pub written: IndexSet<Arc<str>>,
    /// The absolute URL a relative one resolved to (`--base-url`), by id.
    resolved: HashMap<usize, String>,
    /// The dates of the issues citing each URL (`None`: an issue without
    /// one), each once.
    dates: OneOrMore<Option<Date>>,
    /// Which issues (by their place among those read) cite each URL, in
    /// the order they were read: what lint's `seen-before` knows of the
    /// run's own issues without keeping their links.
    citing: OneOrMore<u32>,
}

/// Values by id, where most ids have one: each id's first value in one
/// vector, the others of the few ids with more beside it. A `Vec` per id
/// would cost 24 bytes and an allocation each, a third of what a URL of
/// the table costs.
#[derive(Debug, Default)]
pub(super) struct OneOrMore<T> {
    first: Vec<T>,
    more: HashMap<usize, Vec<T>>,
}

impl<T: PartialEq> OneOrMore<T> {
    /// Room for `ids` ids.
    fn with_capacity(ids: usize) -> Self {
        Self {
            first: Vec::with_capacity(ids),
            more: HashMap::new(),
        }
    }

    /// Gives back the room grown for ids it has not got.
    fn shrink_to_fit(&mut self) {
        self.first.shrink_to_fit();
    }

    /// A new id (the next index), with its first value.
    fn push(&mut self, value: T) {
        self.first.push(value);
    }

    /// How many ids it has.
    fn len(&self) -> usize {
        self.first.len()
    }

    /// Adds `value` to `id`'s values.
    fn add(&mut self, id: usize, value: T) {
        self.more.entry(id).or_default().push(value);
    }

    /// `id`'s values, in the order they were added.
    fn of(&self, id: usize) -> impl Iterator<Item = &T> + '_ {
        std::iter::once(&self.first[id]).chain(self.more.get(&id).into_iter().flatten())
    }

    fn last(&self, id: usize) -> &T {
        self.more
            .get(&id)
            .and_then(|m| m.last())
            .unwrap_or(&self.first[id])
    }
}

/// What lint needs of the URL table once the rest is dropped: each URL,
/// and the issues citing it.
pub(super) struct LintUrls {
    urls: IndexSet<Arc<str>>,
    citing: OneOrMore<u32>,
}

impl UrlTable {
    /// Adds `link`, cited by the `issue`th issue read, dated `date`.
    fn add(&mut self, link: &Link, date: Option<Date>, issue: usize) {
        let issue = u32::try_from(issue).unwrap_or(u32::MAX);
        let id = match self.written.get_index_of(link.url.as_str()) {
            Some(id) => {
                if *self.citing.last(id) != issue {
                    self.citing.add(id, issue);
                }
                if !self.dates.of(id).any(|d| *d == date) {
                    self.dates.add(id, date);
                }
                id
            }
            None => {
                self.citing.push(issue);
                self.dates.push(date);
                self.written.insert_full(Arc::from(link.url.as_str())).0
            }
        };
        if let Some(r) = &link.resolved {
            self.resolved.entry(id).or_insert_with(|| r.clone());
        }
    }

    /// What written URL `wid` is checked as: the absolute URL it resolved
    /// to, else itself.
    pub fn target(&self, wid: usize) -> &str {
        self.resolved
            .get(&wid)
            .map_or(&self.written[wid], String::as_str)
    }

    /// Gives back the room its vectors grew beyond their URLs (up to
    /// half of it on a large archive), once every URL is in.
    pub fn shrink_to_fit(&mut self) {
        self.written.shrink_to_fit();
        self.dates.shrink_to_fit();
        self.citing.shrink_to_fit();
    }

    /// What lint needs of the table, the table dropped.
    pub fn into_lint_urls(self) -> LintUrls {
        LintUrls {
            urls: self.written,
            citing: self.citing,
        }
    }

    /// Each relative URL that resolved, and the absolute URL it is checked as.
    pub fn resolved(&self) -> HashMap<String, String> {
        self.resolved
            .iter()
            .map(|(&w, r)| (self.written[w].to_string(), r.clone()))
            .collect()
    }

    /// The archive lookups the failing URLs need: one per citing issue date.
    pub fn lookups(&self, failing: &[usize]) -> Vec<(String, Option<Date>)> {
        failing
            .iter()
            .flat_map(|&wid| self.dates.of(wid).map(move |d| (wid, *d)))
            .map(|(wid, d)| (self.written[wid].to_string(), d))
            .collect()
    }
}

/// Everything read: the URL table, problems, counts, and (when lint is
/// on) each issue's links, kept for lint.
#[derive(Default)]
pub(super) struct Found {
    pub table: UrlTable,
    pub problems: Vec<Problem>,
    pub issues: usize,
    pub links: usize,
    /// What lint needs of each issue, in the order they were read, with
    /// its links while the run holds at most [`LINT_HOLDS_AT_MOST`] (lint
    /// reads the others' back from the database).
    pub to_lint: Vec<(Document, Option<Arc<[Link]>>)>,
    /// Links held in `to_lint`, and how many it may hold.
    held: usize,
    hold_at_most: usize,
}

/// The most links a run keeps in memory for lint (about 200 bytes each,
/// with their text): an archive's issues beyond are read back from the
/// database when lint comes to them, which costs a query per issue. Lint
/// reads them while the report's links are read back, which takes longer,
/// so the cost is hidden; holding a 100,000-link run's links would cost
/// 20 MB through the whole run.
pub const LINT_HOLDS_AT_MOST: usize = 32_768;

impl Found {
    /// Keeps `doc` for lint, with its `links` while they fit.
    fn keep_for_lint(&mut self, doc: Document, links: &Arc<[Link]>) {
        let fits = self.held + links.len() <= self.hold_at_most;
        if fits {
            self.held += links.len();
        }
        self.to_lint.push((doc, fits.then(|| links.clone())));
    }
}

/// What lint needs of a document: all but its text.
fn lint_copy(doc: &Document) -> Document {
    Document {
        path: doc.path.clone(),
        text: String::new(),
        format: doc.format,
        title: doc.title.clone(),
        date: doc.date,
        body_start: 0,
        rewritable: doc.rewritable,
    }
}

/// The inputs that are web pages (crawled) and the rest (read as files).
pub(super) fn split_inputs(cfg: &source::SourceConfig) -> (Vec<String>, source::SourceConfig) {
    let (web, files): (Vec<String>, Vec<String>) = cfg
        .inputs
        .iter()
        .cloned()
        .partition(|i| source::is_web_input(i));
    (
        web,
        source::SourceConfig {
            inputs: files,
            ..cfg.clone()
        },
    )
}

/// Reads and extracts every file on a blocking thread, streaming issues to
/// the writer (and keeping their links for lint, unless `lint` is none).
pub(super) async fn extract_files(
    sources: source::SourceConfig,
    writes: crate::store::WriteSender,
    lint: LintLevel,
    lint_hold_at_most: usize,
    observer: Arc<dyn Observer>,
    clock: Arc<dyn Clock>,
) -> Result<Found, RunError> {
    tokio::task::spawn_blocking(move || {
        let mut found = Found {
            hold_at_most: lint_hold_at_most,
            ..Found::default()
        };
        let problems = super::for_each_document(&sources, observer.as_ref(), |doc, links| {
            found.issues += 1;
            found.links += links.len();
            let issue = found.to_lint.len();
            for l in &links {
                found.table.add(l, doc.date, issue);
            }
            // Lint and the writer share one copy of the links.
            let links: Arc<[Link]> = links.into();
            if lint != LintLevel::None {
                found.keep_for_lint(lint_copy(doc), &links);
            }
            // A closed channel means the writer failed; its error is reported at the end.
            let _ = writes.blocking_send(issue_write(doc, links, clock.now()));
        })?;
        found.problems = problems;
        Ok(found)
    })
    .await
    .expect("extraction does not panic")
}

/// Crawls the inputs that are web pages, recording each page as an issue
/// (and keeping its links for lint, unless `lint` is none).
pub(super) async fn crawl_web(
    run: &Run<'_>,
    cfg: &crawl::CrawlConfig,
    door: &Door,
    web: &[String],
    lint: LintLevel,
    reader: &Store,
    found: &mut Found,
) -> Result<Option<crawl::CrawlSummary>, RunError> {
    if web.is_empty() {
        return Ok(None);
    }
    let cache = reader.cached_pages()?;
    let (tx, mut rx) = mpsc::channel::<crawl::Event>(64);
    let crawling = crawl::crawl(cfg, door, web, cache, tx);
    let recording = async {
        while let Some(event) = rx.recv().await {
            match event {
                crawl::Event::Page(page) => {
                    found.issues += 1;
                    found.links += page.links.len();
                    let issue = found.to_lint.len();
                    for l in &page.links {
                        found.table.add(l, page.date, issue);
                    }
                    if lint != LintLevel::None {
                        let doc = Document {
                            path: page.path.clone(),
                            text: String::new(),
                            format: Format::Html,
                            title: page.title.clone(),
                            date: page.date,
                            body_start: 0,
                            rewritable: false,
                        };
                        found.keep_for_lint(doc, &page.links.clone().into());
                    }
                    let (issue, page) = page_writes(*page, run.clock.now());
                    run.writer.send(issue).await;
                    run.writer.send(page).await;
                }
                crawl::Event::Problem(p) => {
                    run.observer.problem(&p);
                    found.problems.push(p);
                }
                crawl::Event::Progress { done, queued } => run.observer.crawling(done, queued),
            }
        }
    };
    let (summary, ()) = tokio::join!(crawling, recording);
    Ok(Some(summary?))
}

/// The distinct requests (fragment stripped) and the written URLs each stands for.
pub(super) struct Requests {
    /// Each URL requested, once (its id is its index), as parsed: the
    /// written URL's own string when they are the same.
    pub urls: Vec<Arc<str>>,
    /// The written URLs each request stands for.
    pub targets: OneOrMore<usize>,
    /// The anchors the spellings of a request point at, for those with any.
    pub anchors: HashMap<usize, Vec<String>>,
    /// What `--remap` made of each written URL it rewrote, by written id.
    pub remapped: HashMap<usize, String>,
}

impl Requests {
    /// Every written URL that leads to a request.
    pub fn spellings<'a>(&self, table: &'a UrlTable) -> Vec<&'a str> {
        // At least one each: sized for that, not grown by doubling.
        let mut out = Vec::with_capacity(self.targets.len());
        out.extend(
            (0..self.targets.len())
                .flat_map(|rid| self.targets.of(rid))
                .map(|&w| &*table.written[w]),
        );
        out
    }

    /// Each request with the latest check of each of its spellings, for [`super::plan`].
    pub fn latest<'a>(
        &'a self,
        table: &'a UrlTable,
        latest: &'a HashMap<String, LatestCheck>,
    ) -> impl Iterator<Item = (usize, Vec<Option<&'a LatestCheck>>)> + 'a {
        (0..self.targets.len()).map(move |rid| {
            (
                rid,
                self.targets
                    .of(rid)
                    .map(|&w| latest.get(&*table.written[w]))
                    .collect(),
            )
        })
    }
}

/// Decides which written URLs lead to a request; the others get their
/// verdict now (unsupported, excluded, invalid).
pub(super) async fn classify(run: &Run<'_>, classifier: &Classifier, table: &UrlTable) -> Requests {
    run.observer.checking(table.written.len());
    // Sized once for all: most written URLs are requested as written.
    let mut urls: IndexSet<Arc<str>> = IndexSet::with_capacity(table.written.len());
    let mut out = Requests {
        urls: Vec::new(),
        targets: OneOrMore::with_capacity(table.written.len()),
        anchors: HashMap::new(),
        remapped: HashMap::new(),
    };
    for (wid, written) in table.written.iter().enumerate() {
        // The URL requested: the relative link resolved on the site, or the
        // written one; a remapped URL is classified (and requested) as it
        // was rewritten.
        let target = table.target(wid);
        let remapped = classifier.remap(target);
        match classifier.classify(remapped.as_deref().unwrap_or(target)) {
            Target::Check(url) => {
                let rid = match urls.get_index_of(url.as_str()) {
                    Some(rid) => {
                        out.targets.add(rid, wid);
                        rid
                    }
                    None => {
                        out.targets.push(wid);
                        let url = if url.as_str() == &**written {
                            written.clone()
                        } else {
                            Arc::from(url.as_str())
                        };
                        urls.insert_full(url).0
                    }
                };
                if let Some(name) = fragment_of(target).and_then(|f| check::anchor_name(&f)) {
                    let anchors = out.anchors.entry(rid).or_default();
                    if !anchors.contains(&name) {
                        anchors.push(name);
                    }
                }
            }
            Target::Skip(result) => {
                run.record(written.to_string(), result, remapped.clone())
                    .await;
            }
        }
        if let Some(to) = remapped {
            out.remapped.insert(wid, to);
        }
    }
    // Only looked up by id from here on: the index goes (a third of what
    // the set costs beside its strings).
    out.urls = urls.into_iter().collect();
    out
}

/// Records that an earlier check stands for each reused (or deferred)
/// request in this run; returns the written URLs found failing then. A
/// deferred URL never checked is excluded, `unchecked` saying why.
pub(super) async fn reuse(
    run: &Run<'_>,
    plan: &Plan,
    requests: &Requests,
    table: &UrlTable,
    latest: &HashMap<String, LatestCheck>,
    unchecked: &str,
) -> Vec<usize> {
    /// Reused checks go to the writer this many at a time.
    const REUSED_AT_ONCE: usize = 4096;
    let mut failing = Vec::new();
    let mut reused = Vec::new();
    for &rid in plan.deferred.iter().chain(&plan.reuse) {
        for &wid in requests.targets.of(rid) {
            let written = &table.written[wid];
            match latest.get(&**written) {
                Some(l) => {
                    run.observer.checked(
                        written,
                        &CheckResult::without_request(l.point.status, "reused"),
                    );
                    reused.push(l.check_id);
                    if reused.len() == REUSED_AT_ONCE {
                        let check_ids = std::mem::take(&mut reused);
                        run.writer.send(Write::Reuse { check_ids }).await;
                    }
                    if l.point.failed() {
                        failing.push(wid);
                    }
                }
                None => {
                    let result = CheckResult::without_request(check::Status::Excluded, unchecked);
                    let remapped = requests.remapped.get(&wid).cloned();
                    run.record(written.to_string(), result, remapped).await;
                }
            }
        }
    }
    if !reused.is_empty() {
        run.writer.send(Write::Reuse { check_ids: reused }).await;
    }
    failing
}

/// The fragment of a URL as written, without `#`.
fn fragment_of(written: &str) -> Option<String> {
    reqwest::Url::parse(written.trim())
        .ok()?
        .fragment()
        .filter(|f| !f.is_empty())
        .map(str::to_string)
}

/// A request's result as it stands for one spelling of its URL (as
/// checked: resolved, for a relative one): the anchor that spelling points
/// at, and whether the page has it (`None` for a fragment that is no
/// anchor, or a page that failed).
fn for_spelling(result: &CheckResult, spelling: &str) -> CheckResult {
    let mut own = result.clone();
    own.fragments = fragment_of(spelling)
        .map(|raw| {
            let found = check::anchor_name(&raw).and_then(|name| {
                result
                    .fragments
                    .iter()
                    .find(|f| f.name == name)
                    .and_then(|f| f.found)
            });
            vec![check::Fragment { name: raw, found }]
        })
        .unwrap_or_default();
    own
}

/// What checking sent and found.
pub(super) struct Sent {
    /// Requests sent.
    pub requests: u64,
    /// Written URLs found failing.
    pub failing: Vec<usize>,
}

/// Checks the planned requests, recording each verdict for every spelling
/// of its URL as soon as it is reached.
pub(super) async fn check_requests(
    run: &Run<'_>,
    door: Door,
    cfg: &CheckConfig,
    plan: &Plan,
    requests: &Requests,
    table: &UrlTable,
) -> Sent {
    let to_check: Vec<check::ToCheck> = plan
        .check
        .iter()
        .map(|&rid| check::ToCheck {
            id: rid,
            url: reqwest::Url::parse(&requests.urls[rid])
                .expect("a request's URL is one that parsed"),
            anchors: requests.anchors.get(&rid).cloned().unwrap_or_default(),
        })
        .collect();
    let (tx, mut rx) = mpsc::channel::<(usize, CheckResult)>(256);
    let checker = tokio::spawn(check::check_urls(door, Arc::new(cfg.clone()), to_check, tx));
    let mut sent = Sent {
        requests: 0,
        failing: Vec::new(),
    };
    while let Some((rid, result)) = rx.recv().await {
        sent.requests += u64::from(result.requests);
        for &wid in requests.targets.of(rid) {
            if result.status.is_failure() {
                sent.failing.push(wid);
            }
            let written = &table.written[wid];
            let remapped = requests.remapped.get(&wid).cloned();
            run.record(
                written.to_string(),
                for_spelling(&result, table.target(wid)),
                remapped,
            )
            .await;
        }
    }
    checker.await.expect("the scheduler does not panic");
    sent
}

/// Looks up each due `(url, target date)` and writes what was found; the
/// archives are asked for the URL as `checked_as` gives it (a relative
/// link's absolute URL). A lookup that could not reach any archive writes
/// nothing, so it is tried again next run; the problem that says so is
/// told and returned.
pub(super) async fn lookup_archives(
    run: &Run<'_>,
    archive: Arc<Archive>,
    checked_as: &HashMap<String, String>,
    due: Vec<(String, Option<Date>)>,
) -> Option<Problem> {
    run.observer.archiving(due.len());
    type Key = (String, Option<Date>);
    let jobs: Vec<(Key, String, Option<Date>)> = due
        .into_iter()
        .map(|(url, target)| {
            let mut request = checked_as.get(&url).unwrap_or(&url).clone();
            if let Ok(mut u) = reqwest::Url::parse(&request) {
                u.set_fragment(None);
                request = u.to_string();
            }
            ((url, target), request, target)
        })
        .collect();
    type Found = (Key, Result<Lookup, ArchiveError>);
    let (tx, mut rx) = mpsc::channel::<Found>(64);
    let task = tokio::spawn(archive.lookup_all(jobs, tx));
    let mut failed = 0usize;
    let mut first_error = None;
    while let Some(((url, target), found)) = rx.recv().await {
        run.observer.archived(&url);
        match found {
            Ok(lookup) => {
                run.writer
                    .send(Write::ArchiveLookup {
                        url,
                        target,
                        capture: lookup.capture,
                        verified: lookup.verified,
                        at: run.clock.now(),
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
    let e = first_error?;
    let problem = Problem::warning(
        "archive",
        format!("{failed} archive lookups failed and will be retried next run; first: {e}"),
    );
    run.observer.problem(&problem);
    Some(problem)
}

/// Lints every issue read in this run against what the database knows
/// (the issues citing each URL: this run's from the links they were read
/// with, the others' from the database; the latest check of
/// each `http://` URL and of its `https://` form, this run's among them),
/// once everything sent so far is committed, and sends the findings to the
/// writer. Lint waits for the whole run so that its answers do not depend
/// on the order the issues were read in, nor on how far the writer got.
pub(super) async fn lint_issues(
    run: &Run<'_>,
    reader: Store,
    run_id: i64,
    level: LintLevel,
    issues: Vec<(Document, Option<Arc<[Link]>>)>,
    urls: LintUrls,
) -> Result<(), RunError> {
    if level == LintLevel::None || issues.is_empty() {
        return Ok(());
    }
    run.writer.flush().await;
    let writes = run.writer.sender();
    tokio::task::spawn_blocking(move || {
        let history = if level == LintLevel::All {
            let web = urls.urls.iter().map(|u| &**u).filter(|u| is_web(u));
            reader.lint_history(web, Some(run_id))?
        } else {
            // Errors only: nothing to ask the database.
            crate::store::LintHistory::default()
        };
        let ctx = super::lint::CheckContext {
            history: &history,
            run: RunCitations {
                urls: &urls,
                issues: &issues,
            },
        };
        for (doc, held) in &issues {
            let read;
            let links = match held {
                Some(links) => links,
                // As stored a moment ago.
                None => {
                    read = reader.issue_links(&doc.path)?;
                    &read[..]
                }
            };
            let findings = lint::lint(doc, links, &ctx, level);
            if !findings.is_empty() {
                let _ = writes.blocking_send(Write::Findings {
                    path: doc.path.clone(),
                    findings,
                });
            }
        }
        Ok(())
    })
    .await
    .expect("lint does not panic")
}

/// The issues of a run citing each URL, read off its URL table (not
/// copied: on a night that reads the whole archive that is every link).
pub(super) struct RunCitations<'a> {
    urls: &'a LintUrls,
    issues: &'a [(Document, Option<Arc<[Link]>>)],
}

impl RunCitations<'_> {
    /// The issues of the run citing `url` (as written), each once.
    pub(super) fn citing(&self, url: &str) -> impl Iterator<Item = CitingIssue<'_>> {
        let wid = self.urls.urls.get_index_of(url);
        wid.into_iter()
            .flat_map(|wid| self.urls.citing.of(wid))
            .map(|&d| {
                let doc = &self.issues[d as usize].0;
                (doc.path.as_str(), doc.date, doc.title.as_deref())
            })
    }
}

/// Whether `url` is written as an `http(s)` URL: the only kind lint asks
/// the database about.
fn is_web(url: &str) -> bool {
    let scheme = |s: &str| {
        url.get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s))
    };
    scheme("http://") || scheme("https://")
}
