//! Checking: distinct URLs in, one [`CheckResult`] each out.
//!
//! Owns what the answers mean for a link (verdicts, redirects hop by hop,
//! HEAD->GET fallback, retries) and per-host politeness (the scheduler).
//! Every request goes out through the door ([`crate::net::Door`]). It never
//! reads issues, never writes the database and never formats output:
//! verdicts go out over a channel as they are reached, so a run interrupted
//! halfway keeps what it finished.

mod github;
mod outcome;
pub(crate) mod page;
mod parking;
mod scheduler;
mod soft;
mod verdict;
mod walls;

pub use outcome::{CheckResult, Fragment, Hop, Status};

use crate::net::Door;
use regex::RegexSet;
use reqwest::Url;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How to check. [`CheckConfig::default`] holds the documented defaults;
/// how requests reach the network is [`crate::net::NetConfig`].
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Requests in flight at once, over all hosts.
    pub max_concurrency: usize,
    /// A request silent this long stops counting toward `max_concurrency`
    /// (it moves to a pool of stalled requests, bounded by the same number);
    /// it still counts toward its host's limit.
    pub stall_after: Duration,
    /// Requests in flight at once to one host, at most (6, what a browser opens).
    pub max_per_host: usize,
    /// Where a host's concurrency starts before it has proven it copes.
    pub initial_per_host: usize,
    /// Redirect hops followed before giving up.
    pub max_redirects: usize,
    /// Largest part of a body read before the response is dropped (and
    /// what a page is compared by).
    pub max_body_bytes: usize,
    /// Largest part of a page read while looking for a link's anchors.
    pub max_page_bytes: usize,
    /// Tell the site's "not found" pages from real ones by asking each host
    /// for a path that cannot exist (see `soft.rs`).
    pub soft_404: bool,
    /// Look for the anchor of every link with a `#fragment`.
    pub fragments: bool,
    /// HTTP statuses that count as alive.
    pub accept: Vec<RangeInclusive<u16>>,
    /// When not empty, only URLs matching one of these are checked.
    pub include: Vec<String>,
    /// URLs matching one of these are reported as excluded, not checked.
    pub exclude: Vec<String>,
    /// Rewrites applied to each URL before it is classified (first match
    /// wins), e.g. a staging site for the production one.
    pub remap: Vec<Remap>,
    /// Settings for one host each, matched by exact lower-case host name
    /// (no wildcard, no subdomain, no port), as lychee matches them.
    pub hosts: Vec<HostPolicy>,
    /// The GitHub REST API, for asking whether a repository, issue or pull
    /// request exists when github.com refuses to say (429, 404); set when
    /// the user gave a token.
    pub github: Option<GithubApi>,
}

/// How one host is treated; `None` fields keep the run's setting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostPolicy {
    /// The host name, lower case (`github.com`).
    pub host: String,
    /// Requests in flight at once to it, at most (also where its adaptive
    /// limit starts, when lower than the usual start).
    pub max_per_host: Option<usize>,
    /// Least time between two requests sent to it.
    pub request_interval: Option<Duration>,
    /// Statuses that count as alive when it answers them.
    pub accept: Option<Vec<RangeInclusive<u16>>>,
}

/// A rewrite of URLs: the first rule whose pattern matches a URL replaces
/// the match (`$1`, `${name}` name the pattern's groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remap {
    /// A regex matched against the URL as written.
    pub pattern: String,
    /// What the match becomes.
    pub replacement: String,
}

/// Where the GitHub REST API is and the token it is asked with.
#[derive(Debug, Clone)]
pub struct GithubApi {
    /// The API's address, [`DEFAULT_GITHUB_API`] unless configured.
    pub api_url: String,
    /// The token (a [`crate::secret::Secret`]: never printed).
    pub token: crate::secret::Secret,
    /// The hosts whose links the API answers for (lower case),
    /// [`DEFAULT_GITHUB_HOSTS`] unless configured (a GitHub Enterprise
    /// server's own name, with its API's address).
    pub hosts: Vec<String>,
}

/// The GitHub REST API asked unless configured otherwise.
pub const DEFAULT_GITHUB_API: &str = "https://api.github.com";

/// The hosts whose links the GitHub API answers for unless configured.
pub const DEFAULT_GITHUB_HOSTS: &[&str] = &["github.com", "www.github.com"];

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            max_concurrency: 256,
            stall_after: Duration::from_secs(2),
            max_per_host: 6,
            initial_per_host: 2,
            max_redirects: 10,
            max_body_bytes: 64 * 1024,
            max_page_bytes: 2 << 20,
            soft_404: true,
            fragments: true,
            accept: vec![200..=299],
            include: Vec::new(),
            exclude: Vec::new(),
            remap: Vec::new(),
            hosts: Vec::new(),
            github: None,
        }
    }
}

impl CheckConfig {
    /// Whether `status` counts as alive.
    pub fn accepts(&self, status: u16) -> bool {
        self.accept.iter().any(|r| r.contains(&status))
    }

    /// Whether `status` counts as alive when `url`'s host answers it: the
    /// host's own `accept` if it has one, else the run's.
    pub fn accepts_from(&self, url: &Url, status: u16) -> bool {
        match self
            .host(url.host_str().unwrap_or(""))
            .and_then(|h| h.accept.as_ref())
        {
            Some(accept) => accept.iter().any(|r| r.contains(&status)),
            None => self.accepts(status),
        }
    }

    /// The settings of host `name` (compared in lower case), if it has any.
    pub fn host(&self, name: &str) -> Option<&HostPolicy> {
        self.hosts
            .iter()
            .find(|h| h.host.eq_ignore_ascii_case(name))
    }

    /// Requests in flight at once to host `name`, at most.
    pub fn max_per_host_of(&self, name: &str) -> usize {
        self.host(name)
            .and_then(|h| h.max_per_host)
            .unwrap_or(self.max_per_host)
            .max(1)
    }
}

/// A bad pattern in the configuration.
#[derive(Debug, thiserror::Error)]
#[error("invalid {which} pattern")]
pub struct PatternError {
    which: &'static str,
    #[source]
    source: regex::Error,
}

/// What to do with a URL as written, decided without any request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Check it: the URL to request (fragment stripped).
    Check(Url),
    /// Do not check it; the verdict and why.
    Skip(CheckResult),
}

/// Decides, for URLs as written, which to request and which to skip.
/// Where a request may go is the door's to decide, when it is sent.
#[derive(Debug)]
pub struct Classifier {
    include: RegexSet,
    exclude: RegexSet,
    remap: Vec<(regex::Regex, String)>,
}

impl Classifier {
    /// Compiles the include/exclude patterns.
    pub fn new(cfg: &CheckConfig) -> Result<Self, PatternError> {
        Ok(Classifier {
            include: RegexSet::new(&cfg.include).map_err(|source| PatternError {
                which: "--include",
                source,
            })?,
            exclude: RegexSet::new(&cfg.exclude).map_err(|source| PatternError {
                which: "--exclude",
                source,
            })?,
            remap: cfg
                .remap
                .iter()
                .map(|r| {
                    let re = regex::Regex::new(&r.pattern).map_err(|source| PatternError {
                        which: "--remap",
                        source,
                    })?;
                    Ok((re, r.replacement.clone()))
                })
                .collect::<Result<_, PatternError>>()?,
        })
    }

    /// What `written` becomes under the first remap rule that matches it,
    /// if one does and changes it. The result is what is classified and
    /// requested; reports show both.
    pub fn remap(&self, written: &str) -> Option<String> {
        let (re, replacement) = self.remap.iter().find(|(re, _)| re.is_match(written))?;
        let to = re.replace_all(written, replacement.as_str());
        (to != written).then(|| to.into_owned())
    }

    /// The request a written URL leads to, or why there is none.
    pub fn classify(&self, written: &str) -> Target {
        if crate::extract::is_template(written) {
            return Target::Skip(CheckResult::without_request(
                Status::Unsupported,
                "template expression: the site generator writes this URL",
            ));
        }
        let url = match Url::parse(written.trim()) {
            Ok(u) => u,
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                return Target::Skip(CheckResult::without_request(
                    Status::Unsupported,
                    "relative link (no base URL)",
                ));
            }
            Err(e) => {
                return Target::Skip(CheckResult::without_request(
                    Status::Error,
                    format!("invalid URL: {e}"),
                ));
            }
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Target::Skip(CheckResult::without_request(
                Status::Unsupported,
                format!("{}: links are not checked", url.scheme()),
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Target::Skip(CheckResult::without_request(
                Status::Error,
                "invalid URL: no host",
            ));
        }
        if self.exclude.is_match(written)
            || (!self.include.is_empty() && !self.include.is_match(written))
        {
            return Target::Skip(CheckResult::without_request(
                Status::Excluded,
                "excluded by pattern",
            ));
        }
        let mut url = url;
        url.set_fragment(None);
        Target::Check(url)
    }
}

/// One request to check: the caller's id, the URL (fragment stripped) and
/// the anchors its spellings point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToCheck {
    /// The caller's id.
    pub id: usize,
    /// What to request.
    pub url: Url,
    /// Anchor names (decoded fragments) to look for in the page.
    pub anchors: Vec<String>,
}

impl ToCheck {
    /// A URL with no anchor to look for.
    pub fn url(id: usize, url: Url) -> ToCheck {
        ToCheck {
            id,
            url,
            anchors: Vec::new(),
        }
    }
}

/// The anchor a fragment names, decoded; `None` for a fragment that is no
/// anchor (a script route `#!`/`#/`, a text fragment `#:~:text=`).
pub fn anchor_name(fragment: &str) -> Option<String> {
    page::anchor_name(fragment)
}

/// Checks each URL through `door`, politely, sending `(id, result)` as each
/// verdict is reached. `id`s are the caller's; each URL should appear once.
pub async fn check_urls(
    door: Door,
    cfg: Arc<CheckConfig>,
    urls: Vec<ToCheck>,
    results: mpsc::Sender<(usize, CheckResult)>,
) {
    let Some(api) = cfg.github.clone() else {
        return scheduler::run(door, cfg, urls, results).await;
    };
    let on_github: std::collections::HashMap<usize, Url> = urls
        .iter()
        .filter(|t| github::resource(&t.url, &api.hosts).is_some())
        .map(|t| (t.id, t.url.clone()))
        .collect();
    if on_github.is_empty() {
        return scheduler::run(door, cfg, urls, results).await;
    }
    // github.com's failures go by the API first; every other verdict
    // passes straight through.
    let (tx, mut rx) = mpsc::channel(256);
    let checking = scheduler::run(door.clone(), cfg, urls, tx);
    let relay = async {
        let mut asking = futures::stream::FuturesUnordered::new();
        let mut open = true;
        while open || !asking.is_empty() {
            tokio::select! {
                got = rx.recv(), if open && asking.len() < GITHUB_API_AT_ONCE => {
                    let Some((id, result)) = got else {
                        open = false;
                        continue;
                    };
                    let asked = on_github
                        .get(&id)
                        .filter(|_| github::worth_asking(&result))
                        .map(|checked| github::asked_url(checked, &result))
                        .and_then(|u| github::resource(&u, &api.hosts).map(|r| (u, r)));
                    match asked {
                        Some((url, res)) => {
                            let (door, api) = (&door, &api);
                            asking.push(async move {
                                (id, github::confirm(door, api, &url, &res, result).await)
                            });
                        }
                        None => {
                            if results.send((id, result)).await.is_err() {
                                return;
                            }
                        }
                    }
                }
                Some(done) = futures::StreamExt::next(&mut asking), if !asking.is_empty() => {
                    if results.send(done).await.is_err() {
                        return;
                    }
                }
            }
        }
    };
    tokio::join!(checking, relay);
}

/// Requests to the GitHub API in flight at once (its limits are per token).
const GITHUB_API_AT_ONCE: usize = 2;
