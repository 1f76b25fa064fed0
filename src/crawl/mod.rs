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
//! ([`CachedPage`]) and stores what it finds. Every request, redirect hops
//! and robots.txt included, goes through the door ([`crate::net::Door`]),
//! so the address guard refuses what it would refuse of a checked link,
//! and retries follow the one [`crate::net::RetryPolicy`].

pub mod page;
mod read;
mod robots;
pub mod sitemap;

use crate::extract::{self, Link};
use crate::net::Door;
use crate::source::Problem;
use futures::stream::{FuturesUnordered, StreamExt};
use regex::RegexSet;
use reqwest::StatusCode;
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
    /// Redirect hops followed from one page before giving up.
    pub max_redirects: usize,
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
            max_redirects: 10,
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
    /// A hash of the bytes (see [`crate::source::content_hash`]).
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
    door: &'a Door,
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
}

/// Sitemaps read per crawl, at most (indexes can nest).
const MAX_SITEMAPS: usize = 1000;

/// Crawls from `starts` through `door`, sending each page and problem to
/// `events` as it goes; `cache` is what the last crawl stored.
pub async fn crawl(
    cfg: &CrawlConfig,
    door: &Door,
    starts: &[String],
    cache: HashMap<String, CachedPage>,
    events: tokio::sync::mpsc::Sender<Event>,
) -> Result<CrawlSummary, CrawlPatternError> {
    let mut c = Crawl {
        include: pattern_set(&cfg.include)?,
        exclude: pattern_set(&cfg.exclude)?,
        cfg,
        door,
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
    };
    let mut start_urls = Vec::new();
    for raw in starts {
        match Url::parse(raw.trim()) {
            Ok(u) if door.refuses(&u).is_some() => {
                let why = door.refuses(&u).expect("checked");
                let _ = events
                    .send(Event::Problem(Problem::error(
                        raw,
                        format!("not crawled: {why}"),
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

impl Crawl<'_> {
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
        // Paths that name files, not pages: not worth a request to find links.
        if !self.in_scope(&url) || extract::names_file(&url) {
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
        let door = self.door;
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
                let fut = read::fetch(door, task.url.clone(), conditional, self.cfg.max_page_bytes);
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

    fn retry(&mut self, mut task: Task, wait: Duration) {
        self.not_before = self.not_before.max(Instant::now() + wait);
        task.attempt += 1;
        self.queue.push_front(task);
    }

    fn follow(&mut self, internal: &[String], depth: usize, from: &str) {
        for raw in internal {
            if let Ok(u) = Url::parse(raw) {
                self.enqueue_page(u, depth, from);
            }
        }
    }
}
