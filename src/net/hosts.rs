//! The user's headers: those sent with every request (`--header`) and
//! each host's own (`[hosts."name"]`: headers, user agent, timeout).
//!
//! A host is matched by its exact lower-case name: no wildcard, no
//! subdomain, no port (`github.com` is not `api.github.com`), as lychee
//! matches it. A redirect to another host is a request to that host: it
//! gets that host's headers, never the ones of the host it left.
//! Header values read from the environment arrive marked sensitive
//! (`HeaderValue::set_sensitive`), so they never show in a `Debug`.

use reqwest::header::{HeaderMap, HeaderValue, USER_AGENT};
use reqwest::Url;
use std::collections::HashMap;
use std::time::Duration;

/// What one host's requests are sent with, on top of the run's settings.
#[derive(Debug, Clone, Default)]
pub struct HostRule {
    /// The host name, lower case (`github.com`).
    pub host: String,
    /// Headers added to its requests (over `--header` of the same name).
    pub headers: HeaderMap,
    /// Its `User-Agent`, in place of the run's.
    pub user_agent: Option<String>,
    /// Its whole-request timeout, in place of the run's.
    pub timeout: Option<Duration>,
}

/// The headers and timeout a request to a given host is sent with.
#[derive(Debug, Default)]
pub(super) struct HostRules {
    /// `--header`: every request.
    all: HeaderMap,
    /// Each host's: `all`, then its own headers and user agent.
    by_host: HashMap<String, (HeaderMap, Option<Duration>)>,
}

impl HostRules {
    /// Folds the rules once, when the door is built.
    pub fn new(all: &HeaderMap, rules: &[HostRule]) -> HostRules {
        let by_host = rules
            .iter()
            .map(|r| {
                let mut headers = all.clone();
                for (name, value) in &r.headers {
                    headers.insert(name.clone(), value.clone());
                }
                if let Some(ua) = r
                    .user_agent
                    .as_deref()
                    .and_then(|u| HeaderValue::from_str(u).ok())
                {
                    headers.insert(USER_AGENT, ua);
                }
                (r.host.to_ascii_lowercase(), (headers, r.timeout))
            })
            .collect();
        HostRules {
            all: all.clone(),
            by_host,
        }
    }

    /// The user's headers for a request to `url`, and its own timeout.
    pub fn for_url(&self, url: &Url) -> (&HeaderMap, Option<Duration>) {
        let host = url.host_str().unwrap_or("");
        match self.by_host.get(host) {
            Some((headers, timeout)) => (headers, *timeout),
            None => (&self.all, None),
        }
    }
}
