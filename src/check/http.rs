//! One HTTP request and what it says: the only place that speaks HTTP.
//!
//! Builds the client (proxy, CA roots, user agent, timeouts; redirects are
//! never followed by the client, so every hop is seen and scheduled), sends
//! a single request and reads at most a bounded prefix of the body.

use super::CheckConfig;
use reqwest::{header, Client, Method, Url};
use std::time::{Duration, SystemTime};

/// A failure to build the HTTP client (bad proxy URL, unreadable CA file).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The CA file could not be read or parsed.
    #[error("cannot use CA certificate file {path}: {reason}; pass a PEM file to --ca-cert or fix SSL_CERT_FILE")]
    Ca {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The proxy setting is not a URL.
    #[error("invalid proxy '{proxy}' (expected e.g. http://127.0.0.1:3128)")]
    Proxy {
        /// The value given.
        proxy: String,
        /// The parse error.
        #[source]
        source: reqwest::Error,
    },
    /// The client could not be built.
    #[error("cannot build the HTTP client")]
    Build(#[source] reqwest::Error),
}

/// Builds the one HTTP client a run uses.
pub fn build_client(cfg: &CheckConfig) -> Result<Client, ClientError> {
    let mut headers = header::HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        header::HeaderValue::from_static("text/html,application/xhtml+xml,*/*;q=0.8"),
    );
    let mut b = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(cfg.user_agent.clone())
        .default_headers(headers)
        .timeout(cfg.timeout)
        .connect_timeout(cfg.connect_timeout)
        .pool_max_idle_per_host(cfg.max_per_host.max(1))
        .pool_idle_timeout(cfg.keep_alive)
        .tcp_nodelay(true)
        .tls_built_in_root_certs(cfg.system_roots)
        .no_proxy();
    for path in &cfg.ca_files {
        let pem = std::fs::read(path).map_err(|e| ClientError::Ca {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ClientError::Ca {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if certs.is_empty() {
            return Err(ClientError::Ca {
                path: path.display().to_string(),
                reason: "no PEM certificate in it".into(),
            });
        }
        for cert in certs {
            b = b.add_root_certificate(cert);
        }
    }
    let no_proxy = cfg
        .proxy
        .no_proxy
        .as_deref()
        .and_then(reqwest::NoProxy::from_string);
    if !cfg.allow_private {
        // Proxies are the user's choice: their names resolve unfiltered.
        let trusted = [&cfg.proxy.http, &cfg.proxy.https]
            .into_iter()
            .flatten()
            .filter_map(|p| Url::parse(p).ok()?.host_str().map(str::to_ascii_lowercase))
            .collect();
        b = b.dns_resolver(std::sync::Arc::new(super::guard::GuardedResolver {
            trusted,
        }));
    }
    for (host, addr) in &cfg.resolve {
        b = b.resolve(host, *addr);
    }
    for (value, scheme) in [(&cfg.proxy.http, "http"), (&cfg.proxy.https, "https")] {
        let Some(p) = value else { continue };
        let proxy = if scheme == "http" {
            reqwest::Proxy::http(p.as_str())
        } else {
            reqwest::Proxy::https(p.as_str())
        }
        .map_err(|source| ClientError::Proxy {
            proxy: p.clone(),
            source,
        })?;
        b = b.proxy(proxy.no_proxy(no_proxy.clone()));
    }
    b.build().map_err(ClientError::Build)
}

/// What one request came back with.
#[derive(Debug)]
pub(crate) enum Answer {
    /// An HTTP response.
    Response {
        status: u16,
        /// `Location`, resolved against the request URL.
        location: Option<Result<Url, String>>,
        retry_after: Option<Duration>,
    },
    /// No response.
    Failed(Failure),
}

/// Why a request got no response.
#[derive(Debug)]
pub(crate) struct Failure {
    pub kind: FailureKind,
    pub cause: String,
}

/// The classes of failure that decide retries and verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// No answer in time.
    Timeout,
    /// The connection dropped or reset: worth another try.
    Transient,
    /// DNS, refused, TLS, protocol: another try now would say the same.
    Permanent,
    /// Not attempted: the address is private (see `guard`).
    Refused,
}

/// Sends one request; reads at most `max_body` bytes of the body, so that
/// small bodies let the connection be reused and big ones are cut off.
pub(crate) async fn send(client: &Client, method: Method, url: &Url, max_body: usize) -> Answer {
    let is_get = method == Method::GET;
    let mut resp = match client.request(method, url.clone()).send().await {
        Ok(r) => r,
        Err(e) => return Answer::Failed(classify(&e)),
    };
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| match v.to_str() {
            Ok(s) => url
                .join(s.trim())
                .map_err(|e| format!("invalid Location '{s}': {e}")),
            Err(_) => Err("Location header is not ASCII".to_string()),
        });
    let retry_after = resp
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    // A body is read (up to `max_body`) only so that the connection can be
    // reused; one that is bigger, or not a page, is dropped unread.
    let worth_reading = resp.content_length().is_none_or(|n| n <= max_body as u64);
    if is_get && !resp.status().is_redirection() && worth_reading {
        let mut read = 0usize;
        while read < max_body {
            match resp.chunk().await {
                Ok(Some(c)) => read += c.len(),
                // A body cut short by the server does not change the status.
                Ok(None) | Err(_) => break,
            }
        }
    }
    Answer::Response {
        status,
        location,
        retry_after,
    }
}

/// `Retry-After` as seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
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
        if s.downcast_ref::<super::guard::PrivateAddress>().is_some() {
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
