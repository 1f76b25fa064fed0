//! What an answer means for a URL: its verdict, or the next request.
//!
//! Pure: a [`Job`] (a URL on its way to a verdict) and the [`Answer`] to
//! its last request go in, a [`Next`] comes out. The scheduler owns when
//! and where the next request goes; this file owns what it is: HEAD then
//! GET when HEAD answers an error (servers lie on HEAD), a redirect hop
//! recorded and followed, a transient failure retried as the
//! [`RetryPolicy`] says, everything else a verdict.

use super::page::PageSample;
use super::{CheckConfig, CheckResult, Hop, Status};
use crate::net::{Attempt, Failure, FailureKind, RetryPolicy};
use reqwest::{Method, Url};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which probe a job is: the origin and directory it answers for.
pub(crate) type ProbeKey = (String, String);

/// A URL on its way to a verdict.
#[derive(Debug)]
pub(crate) struct Job {
    /// The caller's id for the URL.
    pub id: usize,
    /// The scheduler's id of the URL's own host (before any redirect),
    /// which its verdict counts to.
    pub home: usize,
    /// The URL of the next request (changes along redirects).
    pub url: Url,
    pub method: Method,
    pub hops: Vec<Hop>,
    /// Tries of the current step that failed transiently.
    pub tries: u32,
    pub requests: u32,
    pub started: Option<Instant>,
    /// The host's in-flight count, this request included, when it was sent:
    /// the load the host answered under.
    pub sent_level: usize,
    /// The host's slow-down count when it was sent, so that answers sent
    /// before a slow-down do not count toward growing the limit after it,
    /// and one burst of bare 503s halves the limit once, not once per request.
    pub sent_epoch: u64,
    /// The host's count of refusals (429, or a `Retry-After`) when it was sent.
    pub sent_refusals: u64,
    /// Its place among the requests sent to its host (1, 2, ...).
    pub sent_seq: u64,
    /// Its GET keeps what the page says (a sample of its body), to compare
    /// it with a made-up path's answer or to find its anchors.
    pub sample: bool,
    /// The anchors its spellings point at (`#name`), decoded.
    pub anchors: Arc<[String]>,
    /// Not a link but the probe of a directory: its answer settles the key.
    pub probe: Option<Box<ProbeKey>>,
    /// Its GET asks for the first bytes only (`Range`); cleared when a
    /// server answers 416 to it.
    pub ranged: bool,
    /// The error its HEAD answered, and how that answer looked, when this
    /// GET is asked to confirm it.
    pub head_said: Option<Box<(u16, Shape)>>,
}

impl Job {
    pub fn new(id: usize, url: Url) -> Job {
        Job {
            id,
            home: 0,
            url,
            method: Method::HEAD,
            hops: Vec::new(),
            tries: 0,
            requests: 0,
            started: None,
            sent_level: 0,
            sent_epoch: 0,
            sent_refusals: 0,
            sent_seq: 0,
            sample: false,
            anchors: Arc::from(Vec::new()),
            probe: None,
            ranged: true,
            head_said: None,
        }
    }

    /// The probe of `key`: a GET of `url`, a path that cannot exist.
    pub fn probe(key: ProbeKey, url: Url) -> Job {
        Job {
            method: Method::GET,
            sample: true,
            probe: Some(Box::new(key)),
            ..Job::new(usize::MAX, url)
        }
    }

    /// The URL the job started from, before any redirect.
    pub fn original(&self) -> Url {
        self.hops
            .first()
            .and_then(|h| Url::parse(&h.url).ok())
            .unwrap_or_else(|| self.url.clone())
    }
}

/// How an answer looked, as far as telling a host's real "not found" from
/// a HEAD that lies goes: its content type, and whether it said its body
/// is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    pub content_type: String,
    pub empty: bool,
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
        /// The bot manager whose wall this is, if it is one (see `walls.rs`).
        wall: Option<&'static str>,
        /// What the page says, when its body was sampled.
        page: Option<Box<PageSample>>,
        /// Whether the body is a page that could be read for what it says
        /// (HTML, or not declared, and not larger than a page may be).
        readable: bool,
        /// How it looked (see `Shape`).
        shape: Shape,
    },
    /// No response.
    Failed(Failure),
}

/// What the host knows that the verdict depends on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HostView {
    /// Retries left to the host's URLs (none when it is down).
    pub retries: u32,
    /// This HEAD's "gone" (404, 410) looks like the ones GETs have
    /// confirmed on this host every time, often enough to be believed
    /// without one.
    pub believes_head_gone: bool,
}

/// What follows an answer.
#[derive(Debug)]
pub(crate) enum Next {
    /// The URL's verdict.
    Done(CheckResult),
    /// An accepted status, what the page says if it was read, and whether
    /// it is a page that could be: alive, unless the quiet rot says
    /// otherwise (see `soft.rs`).
    Accepted(Job, u16, Option<Box<PageSample>>, bool),
    /// The same request again after a wait.
    Retry(Job, Duration),
    /// The same URL asked again with GET.
    Get(Job),
    /// The next hop of a redirect (its `url` is where it points).
    Hop(Job),
}

/// Decides what `answer` means for `job`.
pub(crate) fn judge(
    mut job: Job,
    answer: Answer,
    cfg: &CheckConfig,
    policy: &RetryPolicy,
    host: HostView,
    now: Instant,
) -> Next {
    match answer {
        Answer::Response {
            status,
            location,
            retry_after,
            wall,
            page,
            readable,
            shape,
        } => {
            if let Some(who) = wall {
                // Nothing is known of the page behind; no retry will tell.
                let mut r = done(&job, now, status, false, Some(who.to_string()));
                r.status = Status::Blocked;
                return Next::Done(r);
            }
            if cfg.accepts_from(&job.url, status) {
                return Next::Accepted(job, status, page, readable);
            }
            if status == 416 && job.ranged && job.method == Method::GET {
                // An empty body cannot serve a range: ask for it whole.
                job.ranged = false;
                return Next::Get(job);
            }
            if (300..400).contains(&status) {
                if let Some(next) = location {
                    return follow(job, status, next, cfg, now);
                }
            }
            let attempt = Attempt::Status(status, retry_after);
            if RetryPolicy::transient_status(status) {
                // A Retry-After asks for at least that long; the backoff
                // spreads the retries of one burst.
                if let Some(wait) = policy.again(attempt, job.tries, Some(host.retries)) {
                    job.tries += 1;
                    return Next::Retry(job, wait);
                }
                let why = format!("still {status} after {} tries", job.tries + 1);
                return Next::Done(done(&job, now, status, false, Some(why)));
            }
            if job.method == Method::HEAD {
                if host.believes_head_gone && matches!(status, 404 | 410) {
                    return Next::Done(done(&job, now, status, false, None));
                }
                // Servers lie on HEAD: ask again with GET before calling it broken.
                job.method = Method::GET;
                job.head_said = Some(Box::new((status, shape)));
                return Next::Get(job);
            }
            Next::Done(done(&job, now, status, false, None))
        }
        Answer::Failed(f) => {
            if let Some(wait) = policy.again(Attempt::Failed(f.kind), job.tries, Some(host.retries))
            {
                job.tries += 1;
                return Next::Retry(job, wait);
            }
            let status = match f.kind {
                FailureKind::Timeout => Status::Timeout,
                FailureKind::Refused => Status::Excluded,
                FailureKind::Transient | FailureKind::Permanent => Status::Error,
            };
            Next::Done(CheckResult {
                status,
                http_status: None,
                final_url: job.hops.last().map(|_| job.url.to_string()),
                redirects: std::mem::take(&mut job.hops),
                error: Some(f.cause),
                // A refusal by the address guard sent nothing.
                requests: job.requests
                    - u32::from(f.kind == FailureKind::Refused).min(job.requests),
                elapsed_ms: elapsed(&job, now),
                fragments: Vec::new(),
            })
        }
    }
}

/// Records a redirect hop; the next request goes where it points, unless
/// that is no place to go (another scheme, a loop, too many hops). Where
/// it points is guarded like any request: the door refuses it when sent.
fn follow(
    mut job: Job,
    status: u16,
    next: Result<Url, String>,
    cfg: &CheckConfig,
    now: Instant,
) -> Next {
    job.hops.push(Hop {
        url: job.url.to_string(),
        status,
    });
    let fail = |mut job: Job, why: String| {
        Next::Done(CheckResult {
            status: Status::Error,
            http_status: Some(status),
            final_url: Some(job.url.to_string()),
            redirects: std::mem::take(&mut job.hops),
            error: Some(why),
            requests: job.requests,
            elapsed_ms: elapsed(&job, now),
            fragments: Vec::new(),
        })
    };
    let mut next = match next {
        Ok(u) => u,
        Err(why) => return fail(job, why),
    };
    next.set_fragment(None);
    if !matches!(next.scheme(), "http" | "https") {
        return fail(job, format!("redirect to unsupported scheme: {next}"));
    }
    if job.hops.iter().any(|h| h.url == next.as_str()) {
        return fail(job, format!("redirect loop back to {next}"));
    }
    if job.hops.len() >= cfg.max_redirects {
        return fail(job, format!("more than {} redirects", cfg.max_redirects));
    }
    job.url = next;
    job.method = Method::HEAD;
    job.tries = 0;
    Next::Hop(job)
}

pub(crate) fn done(
    job: &Job,
    now: Instant,
    status: u16,
    accepted: bool,
    error: Option<String>,
) -> CheckResult {
    let verdict = match (accepted, job.hops.is_empty()) {
        (true, true) => Status::Ok,
        (true, false) => Status::Redirected,
        (false, _) => Status::Broken,
    };
    CheckResult {
        status: verdict,
        http_status: Some(status),
        final_url: (!job.hops.is_empty()).then(|| job.url.to_string()),
        redirects: job.hops.clone(),
        error,
        requests: job.requests,
        elapsed_ms: elapsed(job, now),
        fragments: Vec::new(),
    }
}

fn elapsed(job: &Job, now: Instant) -> u64 {
    job.started.map_or(0, |s| {
        u64::try_from(now.duration_since(s).as_millis()).unwrap_or(u64::MAX)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(u: &str) -> Job {
        let mut j = Job::new(7, Url::parse(u).unwrap());
        j.requests = 1;
        j
    }

    fn response(status: u16, location: Option<&str>) -> Answer {
        Answer::Response {
            status,
            location: location.map(|l| Ok(Url::parse(l).unwrap())),
            retry_after: None,
            wall: None,
            page: None,
            readable: true,
            shape: Shape::default(),
        }
    }

    fn judge_one(j: Job, a: Answer) -> Next {
        let policy = RetryPolicy {
            backoff_base: Duration::from_millis(10),
            ..RetryPolicy::default()
        };
        judge(
            j,
            a,
            &CheckConfig::default(),
            &policy,
            HostView {
                retries: 2,
                believes_head_gone: false,
            },
            Instant::now(),
        )
    }

    #[test]
    fn an_error_to_head_is_asked_again_with_get_and_then_it_is_the_verdict() {
        let Next::Get(j) = judge_one(job("http://a.test/x"), response(404, None)) else {
            panic!("HEAD 404 is asked again with GET")
        };
        assert_eq!(j.method, Method::GET);
        let Next::Done(r) = judge_one(j, response(404, None)) else {
            panic!("GET 404 is the verdict")
        };
        assert_eq!((r.status, r.http_status), (Status::Broken, Some(404)));
    }

    #[test]
    fn a_redirect_is_a_hop_and_a_loop_or_another_scheme_an_error() {
        let Next::Hop(j) = judge_one(
            job("http://a.test/x"),
            response(301, Some("https://a.test/x#frag")),
        ) else {
            panic!("a hop")
        };
        assert_eq!(j.url.as_str(), "https://a.test/x", "fragment dropped");
        assert_eq!(j.hops.len(), 1);
        let Next::Done(r) = judge_one(j, response(302, Some("http://a.test/x"))) else {
            panic!("a loop ends it")
        };
        assert_eq!(r.status, Status::Error);
        assert!(r.error.unwrap().contains("loop"));
        let Next::Done(r) = judge_one(
            job("http://a.test/y"),
            response(302, Some("file:///etc/passwd")),
        ) else {
            panic!("file: is not followed")
        };
        assert!(r.error.unwrap().contains("unsupported scheme"));
    }

    #[test]
    fn transient_answers_are_retried_then_reported_with_the_tries() {
        let Next::Retry(j, _) = judge_one(job("http://a.test/x"), response(503, None)) else {
            panic!("retried")
        };
        let Next::Retry(j, _) = judge_one(j, response(503, None)) else {
            panic!("retried again")
        };
        let Next::Done(r) = judge_one(j, response(503, None)) else {
            panic!("given up")
        };
        assert_eq!(r.error.as_deref(), Some("still 503 after 3 tries"));
        let refused = Answer::Failed(Failure {
            kind: FailureKind::Refused,
            cause: "10.0.0.1 is private".into(),
        });
        let Next::Done(r) = judge_one(job("http://a.test/x"), refused) else {
            panic!("a refusal is final")
        };
        assert_eq!(r.status, Status::Excluded);
        assert_eq!(r.requests, 0, "the guard refused it: nothing was sent");
    }
}
