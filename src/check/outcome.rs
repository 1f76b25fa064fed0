//! What a check concludes about a URL: data, not errors.

use serde::{Deserialize, Serialize};

/// The verdict of one check of one URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Answered with an accepted status, without redirects.
    Ok,
    /// Answered with an accepted status after one or more redirects.
    Redirected,
    /// Answered with a status that is not accepted (404, 410, 500 ...).
    Broken,
    /// Answered 200 (or was redirected to a 200) with the site's "not found"
    /// page: the same page as a made-up path on the host, or its home page
    /// in place of the page asked for.
    #[serde(rename = "soft_404")]
    SoftNotFound,
    /// The domain is parked: every path, the root included, answers one
    /// page of ads or a "for sale" notice.
    Parked,
    /// No answer within the timeout.
    Timeout,
    /// No HTTP answer at all: DNS, connection, TLS, a redirect loop.
    Error,
    /// Answered by a bot wall (a challenge page, LinkedIn's 999): nothing
    /// is known of the page behind it. Not a failure, not a success.
    Blocked,
    /// Not checked: matched an exclude pattern or a safety rule.
    Excluded,
    /// Not checked: a scheme linkrot does not check (mailto:, ftp:, relative).
    Unsupported,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 10] = [
        Status::Ok,
        Status::Redirected,
        Status::Broken,
        Status::SoftNotFound,
        Status::Parked,
        Status::Timeout,
        Status::Error,
        Status::Blocked,
        Status::Excluded,
        Status::Unsupported,
    ];

    /// The name used in JSON, the database and the terminal.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Redirected => "redirected",
            Status::Broken => "broken",
            Status::SoftNotFound => "soft_404",
            Status::Parked => "parked",
            Status::Blocked => "blocked",
            Status::Timeout => "timeout",
            Status::Error => "error",
            Status::Excluded => "excluded",
            Status::Unsupported => "unsupported",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the link failed: what makes a CI run fail.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Status::Broken
                | Status::SoftNotFound
                | Status::Parked
                | Status::Timeout
                | Status::Error
        )
    }

    /// Whether a request was made at all.
    pub fn was_checked(self) -> bool {
        !matches!(self, Status::Excluded | Status::Unsupported)
    }

    /// Whether the check says anything of the page: a bot wall says
    /// nothing, so it is neither a strike nor a sign of life in the history.
    pub fn is_conclusive(self) -> bool {
        self.was_checked() && self != Status::Blocked
    }
}

/// One redirect answered on the way to the final URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// The URL that answered with a redirect.
    pub url: String,
    /// Its status (301, 302, 303, 307, 308).
    pub status: u16,
}

impl Hop {
    /// 301 and 308 say "update your link"; the others say "come back here".
    pub fn is_permanent(&self) -> bool {
        matches!(self.status, 301 | 308)
    }
}

/// Everything one check of one URL found out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The verdict.
    pub status: Status,
    /// The last HTTP status received, if any.
    pub http_status: Option<u16>,
    /// Where the redirects ended (set when there was at least one hop).
    pub final_url: Option<String>,
    /// Every redirect hop, in order.
    pub redirects: Vec<Hop>,
    /// The cause, for errors, timeouts, exclusions and unsupported links;
    /// for soft 404s, parked domains and bot walls, what gave them away;
    /// and where a verdict came from when not from the URL's own answer
    /// (the GitHub API's, when github.com would not say).
    pub error: Option<String>,
    /// Requests sent (HEAD, GET fallback, hops and retries all count).
    pub requests: u32,
    /// Time from the first request to the verdict.
    pub elapsed_ms: u64,
    /// Whether the page has each anchor its spellings point at.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fragments: Vec<Fragment>,
}

/// Whether a page has the anchor a link points at (`#name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fragment {
    /// The fragment as written, without `#`.
    pub name: String,
    /// Found (an `id` or an `<a name>`), missing, or `None` when it is not
    /// an anchor (a script route `#!...`, a text fragment `#:~:text=`) or
    /// the page could not be read.
    pub found: Option<bool>,
}

impl CheckResult {
    /// A verdict reached without any request.
    pub fn without_request(status: Status, reason: impl Into<String>) -> Self {
        CheckResult {
            status,
            http_status: None,
            final_url: None,
            redirects: Vec::new(),
            error: Some(reason.into()),
            requests: 0,
            elapsed_ms: 0,
            fragments: Vec::new(),
        }
    }

    /// Whether every hop of a redirected URL was permanent (301/308): the
    /// link should be updated to `final_url`.
    pub fn permanent_redirect(&self) -> bool {
        !self.redirects.is_empty() && self.redirects.iter().all(Hop::is_permanent)
    }
}
