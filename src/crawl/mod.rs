//! Crawling: a newsletter's website in, one [`Page`] per issue page out.
//!
//! Starts from the given pages, reads `robots.txt` and the site's sitemaps,
//! and follows links within the same site (same scheme, host and port),
//! politely: a few requests at a time, spaced by the crawl delay, paused on
//! 429/503 for as long as `Retry-After` asks. Every page is read once, by
//! its canonical URL. A page unchanged since the last crawl (a 304 to a
//! conditional request, or the same bytes) is not extracted again: its
//! stored links are handed on as they are.
//!
//! Links leaving the site are what a page cites (they are checked like any
//! other); links within the site are how the crawl finds pages. The crawl
//! never touches the database: the run hands it what the last crawl stored
//! ([`CachedPage`]) and stores what it finds.

pub mod page;
pub mod sitemap;

use crate::check::{guard, parse_retry_after};
use crate::extract::{self, Link};
use crate::source::Problem;
use futures::stream::{FuturesUnordered, StreamExt};
use regex::RegexSet;
use reqwest::{header, Client, StatusCode};
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;
use time::Date;
use tokio::time::Instant;
use url::Url;

/// How to crawl. [`CrawlConfig::default`] holds the documented defaults.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// Follow links within the site (`--crawl`); otherwise only the given
    /// pages are read.
    pub follow: bool,
    /// Links followed from a start page, at most (`None`: no limit).
    pub max_depth: Option<usize>,
    /// Pages requested, at most.
    pub max_pages: usize,
    /// When not empty, only pages whose URL matches one of these are read.
    pub include: Vec<String>,
    /// Pages whose URL matches one of these are not read.
    pub exclude: Vec<String>,
    /// The least time between two requests (a longer `Crawl-delay` in
    /// robots.txt wins).
    pub delay: Duration,
    /// Requests in flight at once (halved on each 429/503, never below one).
    pub concurrency: usize,
    /// Honour robots.txt.
    pub robots: bool,
    /// Read the site's sitemaps (those robots.txt names, else `/sitemap.xml`).
    pub sitemaps: bool,
    /// Largest page or sitemap read; the rest is cut off.
    pub max_page_bytes: usize,
    /// The product token matched against robots.txt `User-agent` lines.
    pub robots_agent: String,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            follow: false,
            max_depth: None,
            max_pages: 10_000,
            include: Vec::new(),
            exclude: Vec::new(),
            delay: Duration::ZERO,
            concurrency: 4,
            robots: true,
            sitemaps: true,
            max_page_bytes: 8 << 20,
            robots_agent: "linkrot".into(),
        }
    }
}

/// What the last crawl stored of a page, keyed by the URL requested.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CachedPage {
    /// The issue path it was recorded under (its canonical URL).
    pub path: String,
    /// Its title and date as then read.
    pub title: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<Date>,
    /// Validators for a conditional request.
    pub etag: Option<String>,
    /// `Last-Modified` as sent.
    pub last_modified: Option<String>,
    /// A hash of the bytes (see [`crate::store::content_hash`]).
    pub hash: String,
    /// The site's pages it links to.
    pub internal: Vec<String>,
    /// The links it cites, as extracted then.
    pub links: Vec<Link>,
}

/// One page read (or known unchanged), ready to be stored as an issue.
#[derive(Debug, Clone)]
pub struct Page {
    /// The URL requested (the key of [`CachedPage`]).
    pub requested: String,
    /// What it is recorded under: its canonical URL.
    pub path: String,
    /// `<title>`, else `<h1>`.
    pub title: Option<String>,
    /// The date.
    pub date: Option<Date>,
    /// The links it cites (leaving the site), resolved to absolute URLs.
    pub links: Vec<Link>,
    /// The site's pages it links to.
    pub internal: Vec<String>,
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
    /// A hash of its bytes.
    pub hash: String,
    /// True when it was not extracted again: a 304, or the same bytes.
    pub unchanged: bool,
}

/// What a crawl did, in counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CrawlSummary {
    /// Pages recorded as issues.
    pub pages: usize,
    /// Of those, pages unchanged since the last crawl (not extracted again).
    pub unchanged: usize,
    /// Requests made (pages, sitemaps, robots.txt, redirect hops, retries).
    pub requests: usize,
    /// Pages robots.txt disallows.
    pub disallowed: usize,
    /// Pages left out by --crawl-include/--crawl-exclude, --depth or --max-pages.
    pub out_of_scope: usize,
    /// Pages read twice under two URLs (redirect or canonical), kept once.
    pub duplicates: usize,
    /// Responses that were not HTML (images, feeds, files).
    pub not_html: usize,
    /// Pages that failed (an error status, or no answer).
    pub failed: usize,
    /// Sitemaps read.
    pub sitemaps: usize,
}

/// What the crawl tells the run as it goes.
#[derive(Debug)]
pub enum Event {
    /// A page to record.
    Page(Box<Page>),
    /// Something to tell the user.
    Problem(Problem),
    /// Progress: pages requested so far and pages waiting.
    Progress {
        /// Pages requested so far.
        done: usize,
        /// Pages waiting in the queue.
        queued: usize,
    },
}

/// A bad --crawl-include/--crawl-exclude pattern.
#[derive(Debug, thiserror::Error)]
#[error("invalid crawl pattern")]
pub struct CrawlPatternError(#[source] regex::Error);

impl CrawlConfig {
    /// Checks the include and exclude patterns, so that a bad one stops a
    /// run before any work.
    pub fn check_patterns(&self) -> Result<(), CrawlPatternError> {
        pattern_set(&self.include)?;
        pattern_set(&self.exclude)?;
        Ok(())
    }
}

fn pattern_set(patterns: &[String]) -> Result<RegexSet, CrawlPatternError> {
    RegexSet::new(patterns).map_err(CrawlPatternError)
}

/// Whether an input names a web page to read rather than a file.
pub fn is_web_input(input: &str) -> bool {
    let lower = input.get(..8).unwrap_or(input).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Page,
    Sitemap,
}

#[derive(Debug)]
struct Task {
    url: Url,
    kind: Kind,
    depth: usize,
    attempt: u32,
    /// Redirects that led here.
    hops: usize,
    /// Who linked to it, for messages.
    from: Option<String>,
}

/// The answer to one request.
struct Fetched {
    status: StatusCode,
    /// Where a redirect points, resolved.
    location: Option<Result<Url, String>>,
    etag: Option<String>,
    last_modified: Option<String>,
    html: bool,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

/// The crawl's state: what is queued, seen and recorded.
struct Crawl<'a> {
    cfg: &'a CrawlConfig,
    client: &'a Client,
    include: RegexSet,
    exclude: RegexSet,
    origins: HashSet<String>,
    robots: HashMap<String, Option<texting_robots::Robot>>,
    cache: HashMap<String, CachedPage>,
    queue: VecDeque<Task>,
    /// URLs queued or read (fragment removed).
    seen: HashSet<String>,
    /// Paths recorded as issues.
    recorded: HashSet<String>,
    pages_requested: usize,
    sitemaps_read: usize,
    concurrency: usize,
    delay: Duration,
    not_before: Instant,
    summary: CrawlSummary,
    /// Retries, redirects, `Retry-After` limit, backoff, the address guard.
    check: &'a crate::CheckConfig,
}

/// Sitemaps read per crawl, at most (indexes can nest).
const MAX_SITEMAPS: usize = 1000;

/// Crawls from `starts`, sending each page and problem to `events` as it
/// goes; `cache` is what the last crawl stored. Retries, redirects and
/// Retry-After limits come from `check`.
pub async fn crawl(
    cfg: &CrawlConfig,
    check: &crate::CheckConfig,
    client: &Client,
    starts: &[String],
    cache: HashMap<String, CachedPage>,
    events: tokio::sync::mpsc::Sender<Event>,
) -> Result<CrawlSummary, CrawlPatternError> {
    let mut c = Crawl {
        include: pattern_set(&cfg.include)?,
        exclude: pattern_set(&cfg.exclude)?,
        cfg,
        client,
        origins: HashSet::new(),
        robots: HashMap::new(),
        cache,
        queue: VecDeque::new(),
        seen: HashSet::new(),
        recorded: HashSet::new(),
        pages_requested: 0,
        sitemaps_read: 0,
        concurrency: cfg.concurrency.max(1),
        delay: cfg.delay,
        not_before: Instant::now(),
        summary: CrawlSummary::default(),
        check,
    };
    let mut start_urls = Vec::new();
    for raw in starts {
        match Url::parse(raw.trim()) {
            Ok(u) if !c.check.allow_private && guard::literal_private(&u).is_some() => {
                let _ = events
                    .send(Event::Problem(Problem::error(
                        raw,
                        "is a private address; not crawled (pass --allow-private to crawl it)",
                    )))
                    .await;
            }
            Ok(u) => {
                c.origins.insert(origin(&u));
                start_urls.push(u);
            }
            Err(e) => {
                let _ = events
                    .send(Event::Problem(Problem::error(
                        raw,
                        format!(
                            "is not a URL ({e}); give a page like https://example.com/archive/"
                        ),
                    )))
                    .await;
            }
        }
    }
    for u in &start_urls {
        let o = origin(u);
        if !c.robots.contains_key(&o) {
            let robot = c.read_robots(u, &events).await;
            c.robots.insert(o, robot);
        }
    }
    for u in start_urls.clone() {
        if c.allowed(&u) {
            c.enqueue_start(u);
        } else {
            c.summary.disallowed += 1;
            let _ = events
                .send(Event::Problem(Problem::error(
                    u.as_str(),
                    "robots.txt disallows it; not read (pass --ignore-robots if the site is yours)",
                )))
                .await;
        }
    }
    if cfg.follow && cfg.sitemaps {
        c.enqueue_sitemaps(&start_urls);
    }
    c.run(&events).await;
    c.summary.sitemaps = c.sitemaps_read;
    Ok(c.summary)
}

fn origin(u: &Url) -> String {
    u.origin().ascii_serialization()
}

/// The URL without its fragment: what identifies a page.
fn page_key(u: &Url) -> String {
    let mut u = u.clone();
    u.set_fragment(None);
    u.to_string()
}

/// Paths that name files, not pages: not worth a request to find links.
fn looks_like_file(u: &Url) -> bool {
    const EXT: &[&str] = &[
        "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js", "pdf", "zip", "gz", "tgz",
        "mp3", "mp4", "mov", "webm", "woff", "woff2", "ttf", "rss", "atom", "json", "xml", "txt",
    ];
    u.path().rsplit_once('.').is_some_and(|(_, ext)| {
        !ext.contains('/') && EXT.contains(&ext.to_ascii_lowercase().as_str())
    })
}

impl Crawl<'_> {
    async fn read_robots(
        &mut self,
        start: &Url,
        events: &tokio::sync::mpsc::Sender<Event>,
    ) -> Option<texting_robots::Robot> {
        if !self.cfg.robots {
            return None;
        }
        let Ok(mut url) = start.join("/robots.txt") else {
            return None;
        };
        let (mut attempt, mut hops) = (0, 0);
        loop {
            self.summary.requests += 1;
            let answer = fetch(self.client, url.clone(), None, self.cfg.max_page_bytes).await;
            match answer {
                // RFC 9309: follow at least five redirects.
                Ok(Fetched {
                    location: Some(Ok(next)),
                    ..
                }) if hops < self.check.max_redirects.max(5) => {
                    hops += 1;
                    url = next;
                }
                Ok(f) if f.status.is_success() => {
                    return match texting_robots::Robot::new(&self.cfg.robots_agent, &f.body) {
                        Ok(r) => {
                            if let Some(d) = r.delay.filter(|d| d.is_finite() && *d > 0.0) {
                                let d = Duration::from_secs_f32(d.min(60.0));
                                self.delay = self.delay.max(d);
                            }
                            Some(r)
                        }
                        Err(e) => {
                            let _ = events
                                .send(Event::Problem(Problem::warning(
                                    url.as_str(),
                                    format!("cannot parse robots.txt ({e}); crawling as if it allowed everything"),
                                )))
                                .await;
                            None
                        }
                    };
                }
                // RFC 9309: no robots.txt (4xx) allows everything.
                Ok(f)
                    if f.status.is_client_error() && f.status != StatusCode::TOO_MANY_REQUESTS =>
                {
                    return None
                }
                Ok(f) if attempt < self.check.retries && f.retry_after.is_some() => {
                    attempt += 1;
                    tokio::time::sleep(
                        f.retry_after
                            .unwrap_or_default()
                            .min(self.check.max_retry_after),
                    )
                    .await;
                }
                other => {
                    // RFC 9309: an unreachable robots.txt disallows everything.
                    let why = match other {
                        Ok(f) => format!("answered {}", f.status.as_u16()),
                        Err(e) => format!("cannot be read: {e}"),
                    };
                    let _ = events
                        .send(Event::Problem(Problem::error(
                            url.as_str(),
                            format!("robots.txt {why}; the site is not crawled, as RFC 9309 asks (pass --ignore-robots if it is yours)"),
                        )))
                        .await;
                    return Some(
                        texting_robots::Robot::new(
                            &self.cfg.robots_agent,
                            b"User-agent: *\nDisallow: /\n",
                        )
                        .expect("a fixed robots.txt parses"),
                    );
                }
            }
        }
    }

    fn allowed(&self, u: &Url) -> bool {
        match self.robots.get(&origin(u)) {
            Some(Some(r)) => r.allowed(u.as_str()),
            _ => true,
        }
    }

    fn in_scope(&self, u: &Url) -> bool {
        (u.scheme() == "http" || u.scheme() == "https") && self.origins.contains(&origin(u))
    }

    fn enqueue_start(&mut self, url: Url) {
        let key = page_key(&url);
        if self.seen.insert(key) {
            self.queue.push_back(Task {
                url,
                kind: Kind::Page,
                depth: 0,
                attempt: 0,
                hops: 0,
                from: None,
            });
        }
    }

    fn enqueue_sitemaps(&mut self, starts: &[Url]) {
        let mut named: Vec<Url> = Vec::new();
        for u in starts {
            match self.robots.get(&origin(u)) {
                Some(Some(r)) if !r.sitemaps.is_empty() => {
                    named.extend(r.sitemaps.iter().filter_map(|s| Url::parse(s).ok()))
                }
                _ => named.extend(u.join("/sitemap.xml").ok()),
            }
        }
        for url in named {
            if self.in_scope(&url) && self.seen.insert(page_key(&url)) {
                self.queue.push_back(Task {
                    url,
                    kind: Kind::Sitemap,
                    depth: 0,
                    attempt: 0,
                    hops: 0,
                    from: None,
                });
            }
        }
    }

    /// Queues a page found at `depth` (linked from `from`), if the crawl
    /// may and should read it.
    fn enqueue_page(&mut self, url: Url, depth: usize, from: &str) {
        if !self.in_scope(&url) || looks_like_file(&url) {
            return;
        }
        let key = page_key(&url);
        if self.seen.contains(&key) {
            return;
        }
        self.seen.insert(key);
        if !self.allowed(&url) {
            self.summary.disallowed += 1;
            return;
        }
        let matched = |set: &RegexSet| set.is_match(url.as_str());
        if (!self.include.is_empty() && !matched(&self.include))
            || matched(&self.exclude)
            || self.cfg.max_depth.is_some_and(|d| depth > d)
        {
            self.summary.out_of_scope += 1;
            return;
        }
        self.queue.push_back(Task {
            url,
            kind: Kind::Page,
            depth,
            attempt: 0,
            hops: 0,
            from: Some(from.to_string()),
        });
    }

    async fn run(&mut self, events: &tokio::sync::mpsc::Sender<Event>) {
        let client = self.client;
        let mut in_flight = FuturesUnordered::new();
        let mut told = (usize::MAX, usize::MAX);
        loop {
            // Start what the limits allow.
            while in_flight.len() < self.concurrency && Instant::now() >= self.not_before {
                let Some(task) = self.queue.pop_front() else {
                    break;
                };
                if task.kind == Kind::Page && task.attempt == 0 {
                    if self.pages_requested >= self.cfg.max_pages {
                        self.summary.out_of_scope += 1;
                        continue;
                    }
                    self.pages_requested += 1;
                }
                if task.kind == Kind::Page && !self.allowed(&task.url) {
                    self.summary.disallowed += 1;
                    continue;
                }
                self.not_before = Instant::now() + self.delay;
                let conditional = self.cache.get(&page_key(&task.url)).cloned();
                let fut = fetch(
                    client,
                    task.url.clone(),
                    conditional,
                    self.cfg.max_page_bytes,
                );
                in_flight.push(async move { (task, fut.await) });
            }
            let progress = (self.pages_requested, self.queue.len());
            if progress != told {
                told = progress;
                let _ = events
                    .send(Event::Progress {
                        done: progress.0,
                        queued: progress.1,
                    })
                    .await;
            }
            if in_flight.is_empty() {
                if self.queue.is_empty() {
                    return;
                }
                tokio::time::sleep_until(self.not_before).await;
                continue;
            }
            let next = if self.queue.is_empty() || in_flight.len() >= self.concurrency {
                in_flight.next().await
            } else {
                tokio::select! {
                    done = in_flight.next() => done,
                    () = tokio::time::sleep_until(self.not_before) => None,
                }
            };
            if let Some((task, answer)) = next {
                self.handle(task, answer, events).await;
            }
        }
    }

    async fn handle(
        &mut self,
        task: Task,
        answer: Result<Fetched, String>,
        events: &tokio::sync::mpsc::Sender<Event>,
    ) {
        self.summary.requests += 1;
        let shown = task.url.to_string();
        let linked = task
            .from
            .as_deref()
            .map(|f| format!(" (linked from {f})"))
            .unwrap_or_default();
        let f = match answer {
            Ok(f) => f,
            Err(why) => {
                if task.attempt < self.check.retries {
                    self.retry(task, None);
                    return;
                }
                self.failed(&task, format!("cannot be read: {why}{linked}"), events)
                    .await;
                return;
            }
        };
        let status = f.status;
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            // The site asks for less: fewer at once, and a pause.
            self.concurrency = (self.concurrency / 2).max(1);
            if task.attempt < self.check.retries {
                self.retry(task, f.retry_after);
                return;
            }
        }
        match f.location {
            Some(Ok(next)) => return self.redirect(task, next, events).await,
            Some(Err(why)) => return self.failed(&task, format!("{why}{linked}"), events).await,
            None => {}
        }
        if task.kind == Kind::Sitemap {
            self.read_sitemap(&task, &f, events).await;
            return;
        }
        let final_key = page_key(&task.url);
        let cached = self.cache.get(&page_key(&task.url)).cloned();
        if status == StatusCode::NOT_MODIFIED {
            if let Some(c) = cached {
                self.unchanged(task, c, &f, events).await;
                return;
            }
        }
        if !status.is_success() {
            self.failed(
                &task,
                format!("answered {}{linked}", status.as_u16()),
                events,
            )
            .await;
            return;
        }
        if !f.html {
            self.summary.not_html += 1;
            return;
        }
        let hash = crate::store::content_hash(&f.body);
        if let Some(c) = cached.filter(|c| c.hash == hash) {
            self.unchanged(task, c, &f, events).await;
            return;
        }
        let text = String::from_utf8_lossy(&f.body);
        let doc = scraper::Html::parse_document(&text);
        let meta = page::meta(&doc, &task.url);
        let path = match &meta.canonical {
            Some(c) if self.in_scope(c) => page_key(c),
            _ => final_key.clone(),
        };
        if !self.recorded.insert(path.clone()) {
            self.summary.duplicates += 1;
            return;
        }
        if path != final_key {
            // Reading the canonical URL again would read this page twice.
            self.seen.insert(path.clone());
        }
        let base = meta.base.clone().unwrap_or_else(|| task.url.clone());
        let mut links = Vec::new();
        let mut internal = Vec::new();
        let found = extract::extract_parsed_html(&doc, &text);
        // The tree is not `Send`: it must not live across an await.
        drop(doc);
        for mut link in found {
            match base.join(&link.url) {
                Ok(abs) if self.in_scope(&abs) => {
                    internal.push(page_key(&abs));
                }
                Ok(abs) if abs.scheme() == "http" || abs.scheme() == "https" => {
                    link.url = abs.to_string();
                    links.push(link);
                }
                // mailto:, tel: and the like stay as written; the checker says what they are.
                _ => links.push(link),
            }
        }
        let mut distinct = HashSet::new();
        internal.retain(|u| distinct.insert(u.clone()));
        let page = Page {
            requested: page_key(&task.url),
            path,
            title: meta.title,
            date: meta.date,
            links,
            internal: internal.clone(),
            etag: f.etag,
            last_modified: f.last_modified,
            hash,
            unchanged: false,
        };
        self.record(page, events).await;
        if self.cfg.follow && !meta.nofollow {
            self.follow(&internal, task.depth + 1, &shown);
        }
    }

    /// Follows a redirect as a new request, so that a page already read
    /// under its new URL is not read again.
    async fn redirect(&mut self, task: Task, next: Url, events: &tokio::sync::mpsc::Sender<Event>) {
        if task.hops >= self.check.max_redirects {
            let why = format!("more than {} redirects", self.check.max_redirects);
            return self.failed(&task, why, events).await;
        }
        if !self.in_scope(&next) {
            if task.depth == 0 && task.kind == Kind::Page && task.hops == 0 {
                // The site itself moved (http to https, a new domain): follow it there.
                let o = origin(&next);
                self.origins.insert(o.clone());
                if !self.robots.contains_key(&o) {
                    let robot = self.read_robots(&next, events).await;
                    self.robots.insert(o, robot);
                }
            } else {
                self.summary.out_of_scope += 1;
                return;
            }
        }
        if !self.seen.insert(page_key(&next)) {
            self.summary.duplicates += 1;
            return;
        }
        if task.kind == Kind::Page && !self.allowed(&next) {
            self.summary.disallowed += 1;
            return;
        }
        self.queue.push_front(Task {
            url: next,
            hops: task.hops + 1,
            attempt: 0,
            ..task
        });
    }

    fn retry(&mut self, mut task: Task, after: Option<Duration>) {
        let wait = after.map_or(self.check.backoff_base * 2u32.pow(task.attempt), |a| {
            a.min(self.check.max_retry_after)
        });
        self.not_before = self.not_before.max(Instant::now() + wait);
        task.attempt += 1;
        self.queue.push_front(task);
    }

    async fn failed(
        &mut self,
        task: &Task,
        why: String,
        events: &tokio::sync::mpsc::Sender<Event>,
    ) {
        if task.kind == Kind::Page {
            self.summary.failed += 1;
        }
        // A start page that cannot be read means nothing was crawled from it.
        let problem = if task.depth == 0 && task.kind == Kind::Page {
            Problem::error(task.url.as_str(), why)
        } else {
            Problem::warning(task.url.as_str(), why)
        };
        let _ = events.send(Event::Problem(problem)).await;
    }

    async fn unchanged(
        &mut self,
        task: Task,
        c: CachedPage,
        f: &Fetched,
        events: &tokio::sync::mpsc::Sender<Event>,
    ) {
        if !self.recorded.insert(c.path.clone()) {
            self.summary.duplicates += 1;
            return;
        }
        self.seen.insert(c.path.clone());
        self.summary.unchanged += 1;
        let internal = c.internal.clone();
        let page = Page {
            requested: page_key(&task.url),
            path: c.path,
            title: c.title,
            date: c.date,
            links: c.links,
            internal: c.internal,
            etag: f.etag.clone().or(c.etag),
            last_modified: f.last_modified.clone().or(c.last_modified),
            hash: c.hash,
            unchanged: true,
        };
        self.record(page, events).await;
        if self.cfg.follow {
            self.follow(&internal, task.depth + 1, task.url.as_str());
        }
    }

    fn follow(&mut self, internal: &[String], depth: usize, from: &str) {
        for raw in internal {
            if let Ok(u) = Url::parse(raw) {
                self.enqueue_page(u, depth, from);
            }
        }
    }

    async fn record(&mut self, page: Page, events: &tokio::sync::mpsc::Sender<Event>) {
        self.summary.pages += 1;
        let _ = events.send(Event::Page(Box::new(page))).await;
    }

    async fn read_sitemap(
        &mut self,
        task: &Task,
        f: &Fetched,
        events: &tokio::sync::mpsc::Sender<Event>,
    ) {
        if !f.status.is_success() {
            // No sitemap is common; a sitemap robots.txt names that fails is worth saying.
            if f.status != StatusCode::NOT_FOUND {
                let _ = events
                    .send(Event::Problem(Problem::warning(
                        task.url.as_str(),
                        format!(
                            "sitemap answered {}; its pages are found by links only",
                            f.status.as_u16()
                        ),
                    )))
                    .await;
            }
            return;
        }
        self.sitemaps_read += 1;
        let parsed = sitemap::decode(&f.body, self.cfg.max_page_bytes)
            .and_then(|bytes| sitemap::parse(&String::from_utf8_lossy(&bytes)));
        match parsed {
            Ok(sitemap::Sitemap::Pages(urls)) => {
                for u in urls.iter().filter_map(|u| Url::parse(u).ok()) {
                    self.enqueue_page(u, 1, task.url.as_str());
                }
            }
            Ok(sitemap::Sitemap::Index(urls)) => {
                for u in urls.iter().filter_map(|u| Url::parse(u).ok()) {
                    if self.sitemaps_read + self.queue.len() < MAX_SITEMAPS
                        && self.in_scope(&u)
                        && self.seen.insert(page_key(&u))
                    {
                        self.queue.push_back(Task {
                            url: u,
                            kind: Kind::Sitemap,
                            depth: 0,
                            attempt: 0,
                            hops: 0,
                            from: None,
                        });
                    }
                }
            }
            Err(why) => {
                let _ = events
                    .send(Event::Problem(Problem::warning(
                        task.url.as_str(),
                        format!("not a sitemap: {why}"),
                    )))
                    .await;
            }
        }
    }
}

/// GETs `url` (one request; redirects are the crawl's to follow),
/// conditionally when `cached` has validators; reads at most `max_bytes` of
/// a page, sitemap or robots.txt body.
async fn fetch(
    client: &Client,
    url: Url,
    cached: Option<CachedPage>,
    max_bytes: usize,
) -> Result<Fetched, String> {
    let mut req = client.get(url.clone());
    if let Some(c) = &cached {
        if let Some(e) = &c.etag {
            req = req.header(header::IF_NONE_MATCH, e);
        }
        if let Some(m) = &c.last_modified {
            req = req.header(header::IF_MODIFIED_SINCE, m);
        }
    }
    let mut resp = req
        .send()
        .await
        .map_err(|e| crate::check::describe_error(&e))?;
    let status = resp.status();
    let h = resp.headers();
    let text = |name| {
        h.get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let location = (status.is_redirection() && status != StatusCode::NOT_MODIFIED).then(|| {
        let loc = text(header::LOCATION)
            .ok_or_else(|| format!("answered {} without a Location", status.as_u16()))?;
        url.join(loc.trim())
            .map_err(|e| format!("invalid Location '{loc}': {e}"))
    });
    let content_type = text(header::CONTENT_TYPE)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let etag = text(header::ETAG);
    let last_modified = text(header::LAST_MODIFIED);
    let retry_after = text(header::RETRY_AFTER).and_then(|v| parse_retry_after(&v));
    // Pages, sitemaps and robots.txt are read; images and files are not.
    let readable = content_type.is_empty()
        || content_type.contains("html")
        || content_type.contains("xml")
        || content_type.starts_with("text/")
        || content_type.contains("gzip")
        || url.path().ends_with(".gz");
    let mut body = Vec::new();
    if readable && status.is_success() {
        while body.len() < max_bytes {
            match resp.chunk().await {
                Ok(Some(c)) => body.extend_from_slice(&c[..c.len().min(max_bytes - body.len())]),
                Ok(None) => break,
                Err(e) => return Err(crate::check::describe_error(&e)),
            }
        }
    }
    Ok(Fetched {
        status,
        location,
        etag,
        last_modified,
        html: content_type.is_empty() || content_type.contains("html"),
        retry_after,
        body,
    })
}
