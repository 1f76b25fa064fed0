//! Checking: distinct URLs in, one [`CheckResult`] each out.
//!
//! Owns HTTP (the client, every request, redirects hop by hop, retries,
//! per-host politeness). It never reads issues, never writes the database
//! and never formats output: verdicts go out over a channel as they are
//! reached, so a run interrupted halfway keeps what it finished.

pub mod guard;
mod http;
mod outcome;
mod scheduler;

pub use http::{build_client, describe_error, parse_retry_after, ClientError};
pub use outcome::{CheckResult, Hop, Status};

use regex::RegexSet;
use reqwest::Url;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Proxies to use; `None` means a direct connection.
#[derive(Debug, Clone, Default)]
pub struct ProxyConfig {
    /// Proxy for `http://` URLs (`http_proxy`).
    pub http: Option<String>,
    /// Proxy for `https://` URLs (`https_proxy`).
    pub https: Option<String>,
    /// Hosts reached directly (`no_proxy`: comma-separated names, domains, CIDRs).
    pub no_proxy: Option<String>,
}

/// How to check. [`CheckConfig::default`] holds the documented defaults.
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
    /// Where a host's concurrency starts before it has proven it copes (one
    /// connection: most hosts of an archive have a link or two, and a
    /// second connection costs a handshake that reuse does not).
    pub initial_per_host: usize,
    /// Whole-request timeout (connect, headers and the bounded body read).
    pub timeout: Duration,
    /// Connection (and TLS handshake) timeout.
    pub connect_timeout: Duration,
    /// How long an idle connection is kept for the next request to its
    /// host. Short: a host's next request (the GET after a HEAD, the next
    /// URL of its queue) follows at once or not for a long while, and an
    /// idle connection costs memory on both ends.
    pub keep_alive: Duration,
    /// Extra tries for resets, 429 and 502/503/504.
    pub retries: u32,
    /// Extra tries after a timeout. Each costs a full timeout, and a link
    /// that times out is a soft failure that the history confirms across
    /// runs, so the default is none.
    pub timeout_retries: u32,
    /// First backoff; doubles with each try, with jitter.
    pub backoff_base: Duration,
    /// Longest `Retry-After` honoured; longer ones are cut to this.
    pub max_retry_after: Duration,
    /// Redirect hops followed before giving up.
    pub max_redirects: usize,
    /// Largest part of a body read before the response is dropped.
    pub max_body_bytes: usize,
    /// `User-Agent` header.
    pub user_agent: String,
    /// HTTP statuses that count as alive.
    pub accept: Vec<RangeInclusive<u16>>,
    /// When not empty, only URLs matching one of these are checked.
    pub include: Vec<String>,
    /// URLs matching one of these are reported as excluded, not checked.
    pub exclude: Vec<String>,
    /// Proxies.
    pub proxy: ProxyConfig,
    /// Extra CA certificates (PEM files) to trust, e.g. `SSL_CERT_FILE`.
    pub ca_files: Vec<PathBuf>,
    /// Whether to trust the built-in and system roots as well.
    pub system_roots: bool,
    /// Check links to private, loopback and link-local addresses too
    /// (refused by default: see `guard`).
    pub allow_private: bool,
    /// Fixed addresses for names, as curl's `--resolve` (trusted, not filtered).
    pub resolve: Vec<(String, std::net::SocketAddr)>,
}

/// The user agent sent unless configured otherwise.
pub const DEFAULT_USER_AGENT: &str =
    concat!("linkrot/", env!("CARGO_PKG_VERSION"), " (link checker)");

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            max_concurrency: 256,
            stall_after: Duration::from_secs(2),
            max_per_host: 6,
            initial_per_host: 2,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            keep_alive: Duration::from_millis(100),
            retries: 2,
            timeout_retries: 0,
            backoff_base: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            max_redirects: 10,
            max_body_bytes: 64 * 1024,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            accept: vec![200..=299],
            include: Vec::new(),
            exclude: Vec::new(),
            proxy: ProxyConfig::default(),
            ca_files: Vec::new(),
            system_roots: true,
            allow_private: false,
            resolve: Vec::new(),
        }
    }
}

impl CheckConfig {
    /// Whether `status` counts as alive.
    pub fn accepts(&self, status: u16) -> bool {
        self.accept.iter().any(|r| r.contains(&status))
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
#[derive(Debug)]
pub struct Classifier {
    include: RegexSet,
    exclude: RegexSet,
    allow_private: bool,
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
            allow_private: cfg.allow_private,
        })
    }

    /// The request a written URL leads to, or why there is none.
    pub fn classify(&self, written: &str) -> Target {
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
        if !self.allow_private {
            if let Some(refused) = guard::literal_private(&url) {
                return Target::Skip(CheckResult::without_request(
                    Status::Excluded,
                    refused.to_string(),
                ));
            }
        }
        let mut url = url;
        url.set_fragment(None);
        Target::Check(url)
    }
}

/// Checks each `(id, url)`, politely, sending `(id, result)` as each verdict
/// is reached. `id`s are the caller's; each URL should appear once.
pub async fn check_urls(
    client: reqwest::Client,
    cfg: Arc<CheckConfig>,
    urls: Vec<(usize, Url)>,
    results: mpsc::Sender<(usize, CheckResult)>,
) {
    scheduler::run(client, cfg, urls, results).await;
}
