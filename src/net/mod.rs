//! The one door to the network.
//!
//! Every request linkrot makes (checked links and their redirect hops,
//! crawled pages, robots.txt, sitemaps, archive APIs, Save Page Now) is
//! sent by [`Door::send`], one request per call: the address guard
//! ([`guard`]) decides before anything leaves, on every hop; no redirect is
//! ever followed by the client and no body is ever inflated; a body is read
//! only through [`Response`], always within a limit; errors are classified
//! once ([`FailureKind`]); and [`retry::RetryPolicy`] is the one answer to
//! "try again, and when". [`Door::fetch`] is the loop for callers that want
//! one answer (pacing, retries, redirects), built on the same `send`.
//!
//! It never decides what an answer means for a link (that is `check`),
//! never touches the database and never reads the environment: every
//! address and limit is in [`NetConfig`].

mod client;
pub mod guard;
mod hosts;
mod pace;
pub mod retry;

pub use client::ClientError;
pub use hosts::HostRule;
pub use pace::Pacer;
pub use retry::{parse_retry_after, Attempt, RetryPolicy};

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use std::path::PathBuf;
use std::time::Duration;

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

/// How to reach the network. [`NetConfig::default`] holds the documented defaults.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Whole-request timeout (connect, headers and the bounded body read).
    pub timeout: Duration,
    /// Connection (and TLS handshake) timeout.
    pub connect_timeout: Duration,
    /// How long an idle connection is kept for the next request to its
    /// host. Short: a host's next request (the GET after a HEAD, the next
    /// URL of its queue) follows at once or not for a long while, and an
    /// idle connection costs memory on both ends.
    pub keep_alive: Duration,
    /// Idle connections kept per host, at most.
    pub max_idle_per_host: usize,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Proxies.
    pub proxy: ProxyConfig,
    /// Extra CA certificates (PEM files) to trust, e.g. `SSL_CERT_FILE`.
    pub ca_files: Vec<PathBuf>,
    /// Whether to trust the built-in and system roots as well.
    pub system_roots: bool,
    /// Let requests reach private, loopback and link-local addresses and
    /// local names too (refused by default: see [`guard`]).
    pub allow_private: bool,
    /// Fixed addresses for names, as curl's `--resolve` (trusted, not filtered).
    pub resolve: Vec<(String, std::net::SocketAddr)>,
    /// When to try again.
    pub retry: RetryPolicy,
    /// Headers sent with every request (`--header`).
    pub headers: HeaderMap,
    /// Headers, user agent and timeout of one host each (see [`HostRule`]).
    pub hosts: Vec<HostRule>,
    /// Accept any certificate, valid or not (`--insecure`).
    pub insecure: bool,
    /// Send nothing at all: every request fails as refused (`--offline`).
    pub offline: bool,
}

/// The user agent sent unless configured otherwise.
pub const DEFAULT_USER_AGENT: &str =
    concat!("linkrot/", env!("CARGO_PKG_VERSION"), " (link checker)");

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            keep_alive: Duration::from_millis(100),
            max_idle_per_host: 6,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            proxy: ProxyConfig::default(),
            ca_files: Vec::new(),
            system_roots: true,
            allow_private: false,
            resolve: Vec::new(),
            retry: RetryPolicy::default(),
            headers: HeaderMap::new(),
            hosts: Vec::new(),
            insecure: false,
            offline: false,
        }
    }
}

/// Whose address a request goes to, which decides whether the guard applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// An address a stranger wrote (a link, a crawled page, where a
    /// redirect points): guarded.
    Public,
    /// An address from the user's own settings (an archive endpoint):
    /// trusted, like a proxy.
    Configured,
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// HEAD, GET or POST.
    pub method: Method,
    /// Where.
    pub url: Url,
    /// Headers besides the door's own (user agent, `Accept`).
    pub headers: HeaderMap,
    /// A body (Save Page Now's form).
    pub body: Option<Vec<u8>>,
    /// Whether the guard applies.
    pub reach: Reach,
}

impl Request {
    /// A request to a public address.
    pub fn new(method: Method, url: Url) -> Request {
        Request {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            reach: Reach::Public,
        }
    }

    /// `GET url`, to a public address.
    pub fn get(url: Url) -> Request {
        Request::new(Method::GET, url)
    }

    /// The same request to a configured (trusted) address.
    pub fn configured(mut self) -> Request {
        self.reach = Reach::Configured;
        self
    }

    /// The same request with one more header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Request {
        self.headers.insert(name, value);
        self
    }

    /// The same request with a body.
    pub fn body(mut self, body: Vec<u8>) -> Request {
        self.body = Some(body);
        self
    }
}

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Which class of failure: decides retries and verdicts.
    pub kind: FailureKind,
    /// The cause, as one line.
    pub cause: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.cause)
    }
}

impl std::error::Error for Failure {}

/// The classes of failure that decide retries and verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// No answer in time.
    Timeout,
    /// The connection dropped or reset: worth another try.
    Transient,
    /// DNS, refused, TLS, protocol: another try now would say the same.
    Permanent,
    /// Not attempted: the address is this machine's or its network's (see [`guard`]).
    Refused,
}

/// A response whose head has arrived; its body is read only through it,
/// always within a limit.
#[derive(Debug)]
pub struct Response {
    /// The status.
    pub status: u16,
    /// The URL that answered.
    pub url: Url,
    inner: reqwest::Response,
}

/// A body as read: at most the limit asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    /// The bytes read.
    pub bytes: Vec<u8>,
    /// Whether that is the whole body (else it was cut at the limit).
    pub complete: bool,
}

impl Response {
    /// Its headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// A header as text, if present and printable.
    pub fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.inner.headers().get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether it is a redirect (3xx other than 304).
    pub fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status) && self.status != 304
    }

    /// `Location`, resolved against the request URL, when there is one.
    pub fn location(&self) -> Option<Result<Url, String>> {
        self.inner
            .headers()
            .get(header::LOCATION)
            .map(|v| match v.to_str() {
                Ok(s) => self
                    .url
                    .join(s.trim())
                    .map_err(|e| format!("invalid Location '{s}': {e}")),
                Err(_) => Err("Location header is not ASCII".to_string()),
            })
    }

    /// `Retry-After`, when there is one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.header(header::RETRY_AFTER).and_then(parse_retry_after)
    }

    /// `Content-Type`, lower case, or empty.
    pub fn content_type(&self) -> String {
        self.header(header::CONTENT_TYPE)
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    /// Whether the body is a page worth reading for what it says (HTML, or
    /// nothing declared), not an image, a file or a feed.
    pub fn content_type_is_page(&self) -> bool {
        let ct = self.content_type();
        ct.is_empty() || ct.contains("html")
    }

    /// `Content-Length`, when declared.
    pub fn content_length(&self) -> Option<u64> {
        self.inner.content_length()
    }

    /// Reads the body, keeping at most `limit` bytes; the transfer ends
    /// there (the connection is closed rather than drained).
    pub async fn body(self, limit: usize) -> Result<Body, Failure> {
        let mut bytes = Vec::new();
        let complete = self
            .read(limit, |chunk| {
                bytes.extend_from_slice(chunk);
                true
            })
            .await?;
        Ok(Body { bytes, complete })
    }

    /// Reads the body chunk by chunk, at most `limit` bytes in all, handing
    /// each to `each` until it returns false. Returns whether the whole body
    /// was read. Whatever is left unread ends with the connection.
    pub async fn read(
        mut self,
        limit: usize,
        mut each: impl FnMut(&[u8]) -> bool,
    ) -> Result<bool, Failure> {
        let mut read = 0usize;
        while read < limit {
            match self.inner.chunk().await {
                Ok(Some(c)) => {
                    let take = c.len().min(limit - read);
                    read += take;
                    if !each(&c[..take]) {
                        return Ok(false);
                    }
                }
                Ok(None) => return Ok(true),
                Err(e) => return Err(classify(&e)),
            }
        }
        Ok(false)
    }

    /// Reads and drops a small body so the connection can serve the next
    /// request; a body larger than `limit` (declared or found) is not read
    /// on: its transfer ends with the connection.
    pub async fn finish(self, limit: usize) {
        if self.content_length().is_none_or(|n| n <= limit as u64) {
            // A body cut short by the server does not change the answer.
            let _ = self.read(limit, |_| true).await;
        }
    }
}

/// The door: the clients, and the only way to send a request.
#[derive(Debug, Clone)]
pub struct Door {
    cfg: std::sync::Arc<NetConfig>,
    /// For public addresses: names resolved through the guard.
    public: reqwest::Client,
    /// For configured addresses: resolved as they are.
    configured: reqwest::Client,
    /// The user's headers, for every request and per host.
    rules: std::sync::Arc<hosts::HostRules>,
}

impl Door {
    /// Builds the door's clients from `cfg` (CA files are read here, so a
    /// bad one fails before any work).
    pub fn new(cfg: &NetConfig) -> Result<Door, ClientError> {
        Ok(Door {
            public: client::build(cfg, !cfg.allow_private)?,
            configured: client::build(cfg, false)?,
            rules: std::sync::Arc::new(hosts::HostRules::new(&cfg.headers, &cfg.hosts)),
            cfg: std::sync::Arc::new(cfg.clone()),
        })
    }

    /// The settings it was built with.
    pub fn config(&self) -> &NetConfig {
        &self.cfg
    }

    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.cfg.retry
    }

    /// Whether the guard would refuse a request to `url` (a public
    /// address). A name pinned with `--resolve` is the user's own setting.
    pub fn refuses(&self, url: &Url) -> Option<guard::Refused> {
        let pinned = || {
            let host = url.host_str().unwrap_or_default();
            self.cfg
                .resolve
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(host))
        };
        if self.cfg.allow_private || pinned() {
            None
        } else {
            guard::refused(url)
        }
    }

    /// Sends one request: guarded, never following a redirect. The body is
    /// the caller's to read through the [`Response`], within a limit.
    pub async fn send(&self, req: Request) -> Result<Response, Failure> {
        if self.cfg.offline {
            return Err(Failure {
                kind: FailureKind::Refused,
                cause: "offline".to_string(),
            });
        }
        if req.reach == Reach::Public {
            if let Some(refused) = self.refuses(&req.url) {
                return Err(Failure {
                    kind: FailureKind::Refused,
                    cause: refused.to_string(),
                });
            }
        }
        let client = match req.reach {
            Reach::Public => &self.public,
            Reach::Configured => &self.configured,
        };
        let url = req.url.clone();
        let method = req.method.clone();
        // The user's headers (every request's, then the host's own), then
        // the request's own, which win: the caller's protocol needs them.
        let (user_headers, timeout) = self.rules.for_url(&url);
        let mut builder = client
            .request(req.method, req.url)
            .headers(user_headers.clone())
            .headers(req.headers);
        if let Some(t) = timeout {
            builder = builder.timeout(t);
        }
        if let Some(body) = req.body {
            builder = builder.body(body);
        }
        let started = std::time::Instant::now();
        let host = url.host_str().unwrap_or("");
        let elapsed_ms = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match builder.send().await {
            Ok(inner) => {
                let status = inner.status().as_u16();
                tracing::debug!(host, %method, %url, status, elapsed_ms = elapsed_ms(), "response");
                Ok(Response { status, url, inner })
            }
            Err(e) => {
                let failure = classify(&e);
                tracing::debug!(host, %method, %url, error = %failure.cause, kind = ?failure.kind, elapsed_ms = elapsed_ms(), "no response");
                Err(failure)
            }
        }
    }

    /// Sends `req` until it has an answer worth giving: each try waits for
    /// `pacer` (when given), transient failures and statuses are tried again
    /// as `policy` says (a `Retry-After` also pauses the pacer), and up to
    /// `follow` redirects are followed, each hop a guarded request of its
    /// own. The last response is returned whatever its status.
    pub async fn fetch(
        &self,
        mut req: Request,
        policy: &RetryPolicy,
        pacer: Option<&Pacer>,
        follow: usize,
    ) -> Result<Response, Failure> {
        let (mut tries, mut hops) = (0u32, 0usize);
        loop {
            if let Some(p) = pacer {
                p.wait().await;
            }
            match self.send(req.clone()).await {
                Err(f) => match policy.again(Attempt::Failed(f.kind), tries, None) {
                    Some(wait) => {
                        tries += 1;
                        tokio::time::sleep(wait).await;
                    }
                    None => return Err(f),
                },
                Ok(resp) => {
                    let attempt = Attempt::Status(resp.status, resp.retry_after());
                    if let Some(wait) = policy.again(attempt, tries, None) {
                        tries += 1;
                        match pacer {
                            Some(p) => p.pause(wait).await,
                            None => tokio::time::sleep(wait).await,
                        }
                        continue;
                    }
                    if hops < follow && resp.is_redirect() {
                        if let Some(Ok(next)) = resp.location() {
                            hops += 1;
                            tries = 0;
                            req.url = next;
                            if req.method != Method::HEAD {
                                req.method = Method::GET;
                                req.body = None;
                            }
                            continue;
                        }
                    }
                    return Ok(resp);
                }
            }
        }
    }
}

/// What went wrong with a request, as one line: its causes, most specific last.
pub fn describe_error(e: &reqwest::Error) -> String {
    cause_chain(e)
}

fn classify(e: &reqwest::Error) -> Failure {
    let cause = cause_chain(e);
    Failure {
        kind: failure_kind(e, &cause),
        cause,
    }
}

/// Decides from the error's types (and, for DNS, which hyper-util only
/// reports as text, its message) whether another try could help.
fn failure_kind(e: &reqwest::Error, cause: &str) -> FailureKind {
    use std::io::ErrorKind as K;
    if e.is_timeout() {
        return FailureKind::Timeout;
    }
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if s.downcast_ref::<guard::Refused>().is_some() {
            return FailureKind::Refused;
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                K::TimedOut => return FailureKind::Timeout,
                K::ConnectionReset
                | K::ConnectionAborted
                | K::BrokenPipe
                | K::UnexpectedEof
                | K::NotConnected => return FailureKind::Transient,
                K::ConnectionRefused => return FailureKind::Permanent,
                _ => {}
            }
        }
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                return FailureKind::Transient;
            }
        }
        if s.downcast_ref::<rustls::Error>().is_some() {
            // Certificates and handshakes fail the same way on every try.
            return FailureKind::Permanent;
        }
        src = s.source();
    }
    if cause.contains("dns error") || cause.contains("failed to lookup") {
        FailureKind::Permanent
    } else if e.is_connect() {
        FailureKind::Transient
    } else {
        FailureKind::Permanent
    }
}

/// The error's causes, most specific last, without reqwest's "error sending
/// request for url (...)" preamble, which repeats what the report shows.
fn cause_chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        let mut text = s.to_string();
        // hyper-util's wrapper says which step failed, not why.
        if text.starts_with("client error (") {
            src = s.source();
            continue;
        }
        // rustls appends a documentation address to some messages; the report needs the cause only.
        if let Some(i) = text.find(": https://") {
            text.truncate(i);
        }
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        src = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.join(": ")
}
