//! What an answer means for the crawl: a page recorded (or known
//! unchanged), a redirect followed as a request of its own, a sitemap
//! read, a retry, or a problem told. And the one request it sends.

use super::{
    origin, page, page_key, sitemap, CachedPage, Crawl, Event, Fetched, Kind, Page, Task,
    MAX_SITEMAPS,
};
use crate::extract;
use crate::net::{Attempt, Door, Failure, Request};
use crate::source::Problem;
use reqwest::{header, StatusCode};
use std::collections::HashSet;
use url::Url;

impl Crawl<'_> {
    pub(super) async fn handle(
        &mut self,
        task: Task,
        answer: Result<Fetched, Failure>,
        events: &tokio::sync::mpsc::Sender<Event>,
    ) {
        self.summary.requests += 1;
        let shown = task.url.to_string();
        let linked = task
            .from
            .as_deref()
            .map(|f| format!(" (linked from {f})"))
            .unwrap_or_default();
        let policy = self.door.retry();
        let f = match answer {
            Ok(f) => f,
            Err(why) => {
                if let Some(wait) = policy.again(Attempt::Failed(why.kind), task.attempt, None) {
                    self.retry(task, wait);
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
        }
        let attempt = Attempt::Status(status.as_u16(), f.retry_after);
        if let Some(wait) = policy.again(attempt, task.attempt, None) {
            self.retry(task, wait);
            return;
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
        let hash = crate::source::content_hash(&f.body);
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
    pub(super) async fn redirect(
        &mut self,
        task: Task,
        next: Url,
        events: &tokio::sync::mpsc::Sender<Event>,
    ) {
        if task.hops >= self.cfg.max_redirects {
            let why = format!("more than {} redirects", self.cfg.max_redirects);
            return self.failed(&task, why, events).await;
        }
        if let Some(refused) = self.door.refuses(&next) {
            let why = format!("redirects to {next}, which is refused: {refused}");
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

    pub(super) async fn failed(
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

    pub(super) async fn unchanged(
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

    pub(super) async fn record(&mut self, page: Page, events: &tokio::sync::mpsc::Sender<Event>) {
        self.summary.pages += 1;
        let _ = events.send(Event::Page(Box::new(page))).await;
    }

    pub(super) async fn read_sitemap(
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

/// GETs `url` through the door (one request; redirects are the crawl's to
/// follow), conditionally when `cached` has validators; reads at most
/// `max_bytes` of a page, sitemap or robots.txt body.
pub(super) async fn fetch(
    door: &Door,
    url: Url,
    cached: Option<CachedPage>,
    max_bytes: usize,
) -> Result<Fetched, Failure> {
    let mut req = Request::get(url.clone());
    if let Some(c) = &cached {
        let value = |v: &str| header::HeaderValue::from_str(v).ok();
        if let Some(e) = c.etag.as_deref().and_then(value) {
            req = req.header(header::IF_NONE_MATCH, e);
        }
        if let Some(m) = c.last_modified.as_deref().and_then(value) {
            req = req.header(header::IF_MODIFIED_SINCE, m);
        }
    }
    let resp = door.send(req).await?;
    let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let text = |name| resp.header(name).map(str::to_string);
    let location = (status.is_redirection() && status != StatusCode::NOT_MODIFIED).then(|| {
        resp.location()
            .unwrap_or_else(|| Err(format!("answered {} without a Location", status.as_u16())))
    });
    let content_type = resp.content_type();
    let etag = text(header::ETAG);
    let last_modified = text(header::LAST_MODIFIED);
    let retry_after = resp.retry_after();
    // Pages, sitemaps and robots.txt are read; images and files are not.
    let readable = content_type.is_empty()
        || content_type.contains("html")
        || content_type.contains("xml")
        || content_type.starts_with("text/")
        || content_type.contains("gzip")
        || url.path().ends_with(".gz");
    let body = if readable && status.is_success() {
        resp.body(max_bytes).await?.bytes
    } else {
        Vec::new()
    };
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
