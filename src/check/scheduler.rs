//! The one place where concurrency is bounded.
//!
//! Every request (first try, HEAD->GET fallback, each redirect hop, each
//! retry) is a step scheduled here under two limits: a global one (steps in
//! flight) and one per host, which adapts: it starts small, grows while the
//! host answers well, and on 429/503 drops, remembers the level that hurt
//! as a ceiling (firm for a cap, on probation for what may be one URL's
//! limit), and pauses the host for its `Retry-After`. A host with no free
//! slot never holds a global slot, a retry waiting for its backoff never
//! holds either, and a URL that hangs on a host that answers the others is
//! set aside from its host's count, so a slow, capped or half-broken host
//! never blocks the others. Hosts are served by [`Urgency`]: the long
//! capped ones, then a host just answered (its connection is open), then
//! URLs never tried, then follow-ups.

use super::http::{self, Answer, FailureKind};
use super::{CheckConfig, CheckResult, Hop, Status};
use reqwest::{Client, Method, Url};
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Rounds of work left (backlog over limit) that make a host's requests
/// go before everyone's first tries (see [`Urgency`]).
const CRITICAL_ROUNDS: usize = 32;

/// A host goes straight to GET (see `settle`) after this many HEADs that
/// needed one: refused (405/501), or, on a host that caps us, any error.
const NO_HEAD_AFTER: u32 = 3;

/// Good answers under a ceiling set by a single 429 before it is lifted
/// by one (doubled at each such 429; see `slow_down`).
const PROBATION: usize = 8;

/// The lowest a 429 can set a host's ceiling (see `slow_down`).
const CEILING_FLOOR: usize = 2;

/// Whether a URL is https, and its port: with the host, what a connection serves.
type Origin = (bool, u16);

fn origin(url: &Url) -> Origin {
    (
        url.scheme() == "https",
        url.port_or_known_default().unwrap_or(0),
    )
}

/// A URL on its way to a verdict.
#[derive(Debug)]
struct Job {
    /// The caller's id for the URL.
    id: usize,
    /// The URL of the next request (changes along redirects).
    url: Url,
    method: Method,
    hops: Vec<Hop>,
    /// Tries of the current step that failed transiently.
    tries: u32,
    requests: u32,
    started: Option<Instant>,
    /// The host's in-flight count, this request included, when it was sent:
    /// the load the host answered under.
    sent_level: usize,
    /// The host's slow-down count when it was sent, so that answers sent
    /// before a slow-down do not count toward growing the limit after it,
    /// and one burst of bare 503s halves the limit once, not once per request.
    sent_epoch: u64,
    /// The host's count of refusals (429, or a `Retry-After`) when it was sent.
    sent_refusals: u64,
}

impl Job {
    fn new(id: usize, url: Url) -> Job {
        Job {
            id,
            url,
            method: Method::HEAD,
            hops: Vec::new(),
            tries: 0,
            requests: 0,
            started: None,
            sent_level: 0,
            sent_epoch: 0,
            sent_refusals: 0,
        }
    }
}

#[derive(Debug)]
struct Host {
    ready: VecDeque<Job>,
    in_flight: usize,
    limit: usize,
    ceiling: usize,
    paused_until: Option<Instant>,
    /// How many times it has asked us to slow down.
    epoch: u64,
    /// Good answers under full load since the limit last grew.
    good_window: usize,
    /// HEADs answered with an error that only a GET could confirm.
    head_errors: u32,
    /// HEADs answered 405 or 501.
    head_refusals: u32,
    /// Has refused several requests of one burst (429, or a `Retry-After`):
    /// it caps concurrent requests, so every request counts.
    capped: bool,
    /// Jobs in `ready` whose URL has not had a request yet.
    unstarted: usize,
    /// First tries answered with a bare 503 since its last good answer.
    bare_503s: u32,
    /// Bursts of refusals (429, or a `Retry-After`) so far.
    refusals: u64,
    /// Good answers at a ceiling on probation that lift it by one.
    probation: usize,
    /// The load at which a request was last refused alone.
    lone_refusal_at: Option<usize>,
    /// Good answers at the ceiling since it was last set or lifted.
    good_at_ceiling: usize,
    /// When it last answered (or failed) a request.
    last_answer: Option<Instant>,
    /// Requests set aside as outliers (see `set_aside`), at most `max_per_host`.
    outliers: usize,
    /// Has given any answer other than a gateway error.
    answered: bool,
    /// First tries that met a connection failure or a gateway error, while
    /// it has never answered.
    silent_failures: u32,
    /// In `runnable`, at this urgency (it may also sit there at a lower one).
    queued: Option<Urgency>,
    /// The origin of the connection its last answer came on, until a
    /// request takes it; open for a keep-alive after `last_answer` (see
    /// [`Urgency::Warm`]).
    open: Option<Origin>,
}

/// Which host's next request goes first. The run cannot end before its
/// longest host does, so a host with many rounds of work left at its own
/// limit (a capped platform with a thousand links) never waits behind a
/// crowd of one-link hosts; it takes at most its own limit of slots. Among
/// the others, hosts with URLs not yet started go before hosts with only
/// follow-ups left (GET after HEAD, redirect hops, retries), and each host
/// sends its URLs' first requests before its follow-ups: a URL that hangs
/// costs a whole timeout from its first request, so every URL's first
/// request is sent as early as it can be. Before both goes a host whose
/// request has just been answered, when its next request is for the same
/// origin (see [`Urgency::Warm`]).
/// Within a class, the host with the most rounds left goes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Urgency {
    FollowUp,
    FirstTry,
    /// A request to it was answered less than a keep-alive ago, so the
    /// connection it came on is still open: its next request, first try or
    /// follow-up (the GET after a HEAD, a redirect on the same host), goes
    /// over it instead of costing the host (and a proxy) a new connection
    /// and TLS handshake later, if it is for the same origin (an
    /// http -> https redirect needs a new connection anyway, and waits its
    /// turn as a follow-up). A host's queue thus drains over the
    /// connections it has open; on the replay this cut the TLS handshakes
    /// by 40%.
    Warm,
    Critical,
}

impl Host {
    /// Whether its URLs go straight to GET: after `NO_HEAD_AFTER` HEADs
    /// refused, or, once it caps us, `NO_HEAD_AFTER` HEAD errors.
    fn skips_head(&self) -> bool {
        self.head_refusals >= NO_HEAD_AFTER || (self.capped && self.head_errors >= NO_HEAD_AFTER)
    }
}

struct Scheduler {
    cfg: Arc<CheckConfig>,
    hosts: Vec<Host>,
    host_ids: HashMap<String, usize>,
    /// Hosts with a ready job and a free slot, in the order of [`Urgency`],
    /// then largest backlog first.
    runnable: BinaryHeap<(Urgency, usize, std::cmp::Reverse<u64>, usize)>,
    seq: u64,
    delayed: Vec<(Instant, usize, Job)>,
    /// Hosts with a `paused_until`.
    paused: Vec<usize>,
    pending: usize,
    /// The latest time it was told (`wake`, `release`), for [`Urgency::Warm`].
    now: Instant,
}

/// Checks every `(id, url)` and sends `(id, result)` as each verdict is
/// reached. Returns when all are done or the receiver is gone.
pub(crate) async fn run(
    client: Client,
    cfg: Arc<CheckConfig>,
    urls: Vec<(usize, Url)>,
    results: mpsc::Sender<(usize, CheckResult)>,
) {
    let mut s = Scheduler::new(cfg.clone(), urls.len());
    s.enqueue_all(urls.into_iter().map(|(id, url)| Job::new(id, url)));
    let mut set: JoinSet<(usize, Job, Answer)> = JoinSet::new();
    let mut slots = Slots::new(&cfg);
    let max_body = cfg.max_body_bytes;
    while s.pending > 0 {
        let now = Instant::now();
        s.wake(now);
        slots.mark_stalled(now);
        s.set_aside(&mut slots, now);
        while slots.has_room() {
            let Some((hid, mut job)) = s.next_step() else {
                break;
            };
            job.requests += 1;
            job.started.get_or_insert(now);
            let client = client.clone();
            let handle = set.spawn(async move {
                let answer = http::send(&client, job.method.clone(), &job.url, max_body).await;
                (hid, job, answer)
            });
            slots.started(handle.id(), hid, now);
        }
        let timer = [s.next_wake(), slots.next_stall()]
            .into_iter()
            .flatten()
            .min();
        tokio::select! {
            done = set.join_next_with_id(), if !set.is_empty() => {
                let Some(done) = done else { continue };
                let Ok((task, (hid, job, answer))) = done else {
                    // A panicked step loses its URL's verdict; nothing else.
                    if let Some(f) = done.err().and_then(|e| slots.finished(e.id())) {
                        s.release(f.host, f.outlier, None, Instant::now());
                    }
                    s.pending -= 1;
                    continue;
                };
                let outlier = slots.finished(task).is_some_and(|f| f.outlier);
                if let Some((id, result)) = s.settle(hid, job, answer, outlier, Instant::now()) {
                    s.pending -= 1;
                    if results.send((id, result)).await.is_err() {
                        return;
                    }
                }
            }
            () = sleep_until(timer), if timer.is_some() => {}
            else => {
                debug_assert!(false, "scheduler stalled with {} pending", s.pending);
                return;
            }
        }
    }
}

/// The global limit. It bounds requests that are getting answers; one
/// that has heard nothing for `stall_after` (a black-holed host, a server
/// that never answers) moves to a pool of its own, bounded too, so that a
/// few dozen dead hosts cannot hold the whole run at their timeout.
/// Per-host limits still count every request, stalled or not.
struct Slots {
    max_active: usize,
    max_stalled: usize,
    stall_after: Duration,
    /// Requests in flight, oldest first, and what is known of each.
    flights: HashMap<tokio::task::Id, Flight>,
    order: VecDeque<(Instant, tokio::task::Id)>,
    stalled: usize,
}

/// One request in flight.
#[derive(Debug, Clone, Copy)]
struct Flight {
    host: usize,
    sent: Instant,
    /// Silent for `stall_after`: no longer counts toward the global limit.
    stalled: bool,
    /// Silent for `stall_after` while its host answered others since it
    /// was sent: no longer counts toward its host's limit (see
    /// `Scheduler::set_aside`).
    outlier: bool,
}

impl Slots {
    fn new(cfg: &CheckConfig) -> Self {
        Slots {
            max_active: cfg.max_concurrency.max(1),
            max_stalled: cfg.max_concurrency.max(1),
            stall_after: cfg.stall_after,
            flights: HashMap::new(),
            order: VecDeque::new(),
            stalled: 0,
        }
    }

    fn has_room(&self) -> bool {
        self.flights.len() - self.stalled < self.max_active
    }

    fn started(&mut self, id: tokio::task::Id, host: usize, now: Instant) {
        self.flights.insert(
            id,
            Flight {
                host,
                sent: now,
                stalled: false,
                outlier: false,
            },
        );
        self.order.push_back((now, id));
    }

    /// Forgets a finished request and says what it was.
    fn finished(&mut self, id: tokio::task::Id) -> Option<Flight> {
        let f = self.flights.remove(&id)?;
        if f.stalled {
            self.stalled -= 1;
        }
        Some(f)
    }

    fn mark_stalled(&mut self, now: Instant) {
        while let Some(&(at, id)) = self.order.front() {
            if now.duration_since(at) < self.stall_after || self.stalled >= self.max_stalled {
                break;
            }
            self.order.pop_front();
            if let Some(f) = self.flights.get_mut(&id) {
                f.stalled = true;
                self.stalled += 1;
            }
        }
    }

    fn next_stall(&self) -> Option<Instant> {
        if self.stalled >= self.max_stalled {
            return None;
        }
        // Skip entries of requests that already finished.
        self.order
            .iter()
            .find(|(_, id)| self.flights.contains_key(id))
            .map(|(at, _)| *at + self.stall_after)
    }
}

async fn sleep_until(t: Option<Instant>) {
    if let Some(t) = t {
        tokio::time::sleep_until(t.into()).await;
    }
}

impl Scheduler {
    fn new(cfg: Arc<CheckConfig>, pending: usize) -> Scheduler {
        Scheduler {
            cfg,
            hosts: Vec::new(),
            host_ids: HashMap::new(),
            runnable: BinaryHeap::new(),
            seq: 0,
            delayed: Vec::new(),
            paused: Vec::new(),
            pending,
            now: Instant::now(),
        }
    }

    fn host_of(&mut self, url: &Url) -> usize {
        let name = url.host_str().unwrap_or("").to_ascii_lowercase();
        if let Some(&id) = self.host_ids.get(&name) {
            return id;
        }
        let start = self
            .cfg
            .initial_per_host
            .clamp(1, self.cfg.max_per_host.max(1));
        self.hosts.push(Host {
            ready: VecDeque::new(),
            in_flight: 0,
            limit: start,
            ceiling: self.cfg.max_per_host.max(1),
            paused_until: None,
            epoch: 0,
            good_window: 0,
            head_errors: 0,
            head_refusals: 0,
            capped: false,
            unstarted: 0,
            bare_503s: 0,
            refusals: 0,
            probation: PROBATION,
            lone_refusal_at: None,
            good_at_ceiling: 0,
            last_answer: None,
            outliers: 0,
            answered: false,
            silent_failures: 0,
            queued: None,
            open: None,
        });
        self.host_ids.insert(name, self.hosts.len() - 1);
        self.hosts.len() - 1
    }

    /// Queues every job, then ranks the hosts, so that each host is ranked
    /// by its whole backlog.
    fn enqueue_all(&mut self, jobs: impl IntoIterator<Item = Job>) {
        for job in jobs {
            let hid = self.host_of(&job.url);
            let host = &mut self.hosts[hid];
            host.unstarted += usize::from(job.requests == 0);
            host.ready.push_back(job);
        }
        for hid in 0..self.hosts.len() {
            self.mark_runnable(hid);
        }
    }

    /// Puts a job at the back of its host's queue: a host sends every URL's
    /// first request before any follow-up (GET after HEAD, a redirect hop,
    /// a retry), for the reason [`Urgency`] gives.
    fn enqueue(&mut self, job: Job) {
        let hid = self.host_of(&job.url);
        let host = &mut self.hosts[hid];
        host.unstarted += usize::from(job.requests == 0);
        host.ready.push_back(job);
        self.mark_runnable(hid);
    }

    fn mark_runnable(&mut self, hid: usize) {
        let host = &mut self.hosts[hid];
        if host.ready.is_empty() || host.in_flight >= host.limit || host.paused_until.is_some() {
            return;
        }
        let backlog = host.ready.len();
        let rounds = backlog / host.limit.max(1);
        let urgency = if rounds >= CRITICAL_ROUNDS {
            Urgency::Critical
        } else if host.open.is_some_and(|open| {
            host.last_answer
                .is_some_and(|t| t + self.cfg.keep_alive > self.now)
                && host.ready.front().is_some_and(|j| origin(&j.url) == open)
        }) {
            Urgency::Warm
        } else if host.unstarted > 0 {
            Urgency::FirstTry
        } else {
            Urgency::FollowUp
        };
        // Queued lower already: the stale entry is skipped or serves a free slot.
        if host.queued.is_none_or(|q| q < urgency) {
            host.queued = Some(urgency);
            self.seq += 1;
            self.runnable
                .push((urgency, rounds, std::cmp::Reverse(self.seq), hid));
        }
    }

    /// The next step to send, from the host with the largest backlog that has a free slot.
    fn next_step(&mut self) -> Option<(usize, Job)> {
        while let Some((_, _, _, hid)) = self.runnable.pop() {
            let host = &mut self.hosts[hid];
            host.queued = None;
            if host.paused_until.is_some() || host.in_flight >= host.limit {
                continue;
            }
            let Some(job) = host.ready.pop_front() else {
                continue;
            };
            host.in_flight += 1;
            // It takes the connection left open, if any.
            host.open = None;
            host.unstarted -= usize::from(job.requests == 0);
            let mut job = job;
            if host.skips_head() && job.method == Method::HEAD {
                job.method = Method::GET;
            }
            job.sent_level = host.in_flight;
            job.sent_epoch = host.epoch;
            job.sent_refusals = host.refusals;
            self.mark_runnable(hid);
            return Some((hid, job));
        }
        None
    }

    /// A request to `hid` is over: it no longer counts toward the host's
    /// limit. `open`: the origin of the connection it leaves open, if any.
    fn release(&mut self, hid: usize, outlier: bool, open: Option<Origin>, now: Instant) {
        let host = &mut self.hosts[hid];
        if outlier {
            host.outliers -= 1;
        } else {
            host.in_flight -= 1;
        }
        host.last_answer = Some(now);
        self.now = self.now.max(now);
        host.open = open;
        self.mark_runnable(hid);
    }

    /// Sets aside, as outliers, requests silent for `stall_after` on hosts
    /// that have answered other requests since they were sent: a URL that
    /// hangs on a host that works. They stop counting toward the host's
    /// limit, so that a few such URLs cannot hold a host for a whole
    /// timeout; at most `max_per_host` per host, so the host never has more
    /// than twice that many of our requests open, and only while it is
    /// demonstrably answering the rest. A host that answers nothing never
    /// gets more.
    fn set_aside(&mut self, slots: &mut Slots, now: Instant) {
        let max = self.cfg.max_per_host.max(1);
        let stall = self.cfg.stall_after;
        for f in slots.flights.values_mut() {
            if f.outlier || now.duration_since(f.sent) < stall {
                continue;
            }
            let host = &mut self.hosts[f.host];
            if host.outliers < max && host.last_answer.is_some_and(|t| t > f.sent) {
                f.outlier = true;
                host.outliers += 1;
                host.in_flight -= 1;
                let hid = f.host;
                self.mark_runnable(hid);
            }
        }
    }

    /// Releases retries whose backoff is over and hosts whose pause ended.
    fn wake(&mut self, now: Instant) {
        self.now = self.now.max(now);
        let mut i = 0;
        while i < self.paused.len() {
            let hid = self.paused[i];
            if self.hosts[hid].paused_until.is_none_or(|t| t <= now) {
                self.paused.swap_remove(i);
                self.hosts[hid].paused_until = None;
                self.mark_runnable(hid);
            } else {
                i += 1;
            }
        }
        let mut i = 0;
        while i < self.delayed.len() {
            if self.delayed[i].0 <= now {
                let (_, _, job) = self.delayed.swap_remove(i);
                self.enqueue(job);
            } else {
                i += 1;
            }
        }
    }

    fn next_wake(&self) -> Option<Instant> {
        let hosts = self
            .paused
            .iter()
            .filter_map(|&h| self.hosts[h].paused_until);
        let jobs = self.delayed.iter().map(|d| d.0);
        hosts.chain(jobs).min()
    }

    /// Decides what a step's answer means: a verdict, or the next step.
    fn settle(
        &mut self,
        hid: usize,
        mut job: Job,
        answer: Answer,
        outlier: bool,
        now: Instant,
    ) -> Option<(usize, CheckResult)> {
        let cfg = self.cfg.clone();
        let open = matches!(answer, Answer::Response { .. }).then(|| origin(&job.url));
        self.release(hid, outlier, open, now);
        let verdict = match answer {
            Answer::Response {
                status,
                location,
                retry_after,
            } => {
                if status == 429 || status == 503 {
                    self.slow_down(hid, &job, status, retry_after, now);
                } else {
                    self.hosts[hid].bare_503s = 0;
                    self.speed_up(hid, &job);
                }
                if matches!(status, 502 | 504) {
                    // First tries only: the evidence must come from different URLs.
                    self.hosts[hid].silent_failures += u32::from(job.tries == 0);
                } else {
                    self.hosts[hid].answered = true;
                }
                let retries = self.retry_budget(hid, cfg.retries);
                match status {
                    s if cfg.accepts(s) => Some(done(&job, now, s, true, None)),
                    300..=399 if location.is_some() => {
                        let next = location.expect("checked");
                        return self.follow(hid, job, status, next, now);
                    }
                    429 | 502..=504 if job.tries < retries => {
                        let wait = retry_after
                            .map(|d| d.min(cfg.max_retry_after))
                            .unwrap_or_default()
                            .max(backoff(&cfg, job.tries));
                        job.tries += 1;
                        self.delayed.push((now + wait, hid, job));
                        return None;
                    }
                    429 | 502..=504 => Some(done(
                        &job,
                        now,
                        status,
                        false,
                        Some(format!("still {status} after {} tries", job.tries + 1)),
                    )),
                    _ if job.method == Method::HEAD => {
                        // Servers lie on HEAD: ask again with GET before calling
                        // it broken. A host that refuses HEAD, or that limits
                        // us (so that every request counts), is asked with GET
                        // from then on: one request per URL, not two.
                        let host = &mut self.hosts[hid];
                        host.head_errors += 1;
                        if matches!(status, 405 | 501) {
                            host.head_refusals += 1;
                        }
                        job.method = Method::GET;
                        self.enqueue(job);
                        return None;
                    }
                    _ => Some(done(&job, now, status, false, None)),
                }
            }
            Answer::Failed(f) => {
                let budget = if f.kind == FailureKind::Timeout {
                    cfg.timeout_retries
                } else {
                    if f.kind != FailureKind::Refused {
                        self.hosts[hid].silent_failures += u32::from(job.tries == 0);
                    }
                    self.retry_budget(hid, cfg.retries)
                };
                if matches!(f.kind, FailureKind::Timeout | FailureKind::Transient)
                    && job.tries < budget
                {
                    let wait = backoff(&cfg, job.tries);
                    job.tries += 1;
                    self.delayed.push((now + wait, hid, job));
                    return None;
                }
                let status = match f.kind {
                    FailureKind::Timeout => Status::Timeout,
                    FailureKind::Refused => Status::Excluded,
                    FailureKind::Transient | FailureKind::Permanent => Status::Error,
                };
                Some(CheckResult {
                    status,
                    http_status: None,
                    final_url: job.hops.last().map(|_| job.url.to_string()),
                    redirects: std::mem::take(&mut job.hops),
                    error: Some(f.cause),
                    requests: job.requests,
                    elapsed_ms: elapsed(&job, now),
                })
            }
        };
        self.mark_runnable(hid);
        verdict.map(|r| (job.id, r))
    }

    /// Records a redirect hop and schedules the next request, on whichever host it goes to.
    fn follow(
        &mut self,
        hid: usize,
        mut job: Job,
        status: u16,
        next: Result<Url, String>,
        now: Instant,
    ) -> Option<(usize, CheckResult)> {
        self.mark_runnable(hid);
        job.hops.push(Hop {
            url: job.url.to_string(),
            status,
        });
        let fail = |job: &mut Job, why: String| {
            Some((
                job.id,
                CheckResult {
                    status: Status::Error,
                    http_status: Some(status),
                    final_url: Some(job.url.to_string()),
                    redirects: std::mem::take(&mut job.hops),
                    error: Some(why),
                    requests: job.requests,
                    elapsed_ms: elapsed(job, now),
                },
            ))
        };
        let mut next = match next {
            Ok(u) => u,
            Err(why) => return fail(&mut job, why),
        };
        next.set_fragment(None);
        if !matches!(next.scheme(), "http" | "https") {
            return fail(&mut job, format!("redirect to unsupported scheme: {next}"));
        }
        if !self.cfg.allow_private {
            if let Some(refused) = super::guard::literal_private(&next) {
                let mut r = fail(&mut job, format!("redirect to {next}: {refused}"));
                if let Some((_, result)) = r.as_mut() {
                    result.status = Status::Excluded;
                }
                return r;
            }
        }
        if job.hops.iter().any(|h| h.url == next.as_str()) {
            return fail(&mut job, format!("redirect loop back to {next}"));
        }
        if job.hops.len() >= self.cfg.max_redirects {
            return fail(
                &mut job,
                format!("more than {} redirects", self.cfg.max_redirects),
            );
        }
        job.url = next;
        job.method = Method::HEAD;
        job.tries = 0;
        self.enqueue(job);
        None
    }

    /// Retries left to a host's URLs. A host that has never answered and
    /// has failed twice (connection errors, gateway errors) is down: each of
    /// its URLs still gets one try, but no more, so a lapsed domain with a
    /// hundred links costs a hundred requests, not three hundred.
    fn retry_budget(&self, hid: usize, retries: u32) -> u32 {
        let host = &self.hosts[hid];
        if !host.answered && host.silent_failures >= 2 {
            0
        } else {
            retries
        }
    }

    /// A 429/503: the host asks for less. A refusal (429, or any answer
    /// with `Retry-After`) pauses it for `Retry-After` and keeps the load
    /// below the one refused as a ceiling, which the limit drops to: for
    /// good when several requests of one burst were refused (a cap on
    /// concurrent requests), on probation when one was (it may be one
    /// URL's limit: the ceiling is lifted by one after a window of good
    /// answers under it, a window that doubles with each such refusal),
    /// and for good again when that lift draws a lone refusal at the same
    /// load. A bare 503 (no `Retry-After`) says nothing of the load that
    /// drew it and is often one URL's answer: two in a row from different
    /// URLs halve the limit (once per burst), and each URL's own backoff
    /// does the rest.
    fn slow_down(
        &mut self,
        hid: usize,
        job: &Job,
        status: u16,
        retry_after: Option<Duration>,
        now: Instant,
    ) {
        let floor = CEILING_FLOOR.min(self.cfg.max_per_host.max(1));
        let host = &mut self.hosts[hid];
        let refusal = status == 429 || retry_after.is_some();
        // A bare 503 amid good answers is one URL's (a dead page behind a
        // proxy); two from different URLs with no good answer between are
        // the host's. A retry's 503 is the same URL saying it again.
        if !refusal && job.tries == 0 {
            host.bare_503s += 1;
        }
        let overloaded = refusal || (job.tries == 0 && host.bare_503s >= 2);
        if job.sent_epoch == host.epoch && overloaded {
            host.epoch += 1;
            host.good_window = 0;
            // A refusal says which load was too much: the ceiling below
            // (set next) is the limit. A bare 503 does not: halve.
            if !refusal {
                host.limit = (host.limit / 2).max(floor);
            }
        }
        if refusal {
            // Refused too though sent before the burst's first refusal came back?
            let burst = job.sent_refusals < host.refusals;
            if !burst {
                host.refusals += 1;
            }
            // A level refused twice, alone each time, is a cap too: the
            // ceiling's probation lifted it and the same refusal came back.
            if burst || host.lone_refusal_at == Some(job.sent_level) {
                host.capped = true;
            } else {
                host.lone_refusal_at = Some(job.sent_level);
                host.probation = host.probation.saturating_mul(2);
            }
            // Never below two slots: a 429 there is a rate limit
            // (Retry-After handles it) or a single URL's, and one stalled
            // request must not be able to hold a whole host.
            host.ceiling = host
                .ceiling
                .min(job.sent_level.saturating_sub(1).max(floor));
            host.good_at_ceiling = 0;
            let pause =
                retry_after.map_or(self.cfg.backoff_base, |d| d.min(self.cfg.max_retry_after));
            let until = now + pause;
            if host.paused_until.is_none() {
                self.paused.push(hid);
            }
            host.paused_until = Some(host.paused_until.map_or(until, |t| t.max(until)));
        }
        host.limit = host.limit.min(host.ceiling);
    }

    /// A good answer given under full load counts toward one more slot; a
    /// full window of them (as many as the limit) earns it, up to the
    /// ceiling. One slot per round, not per answer: growing per answer
    /// doubles the load before the first 429 can come back, and every
    /// request sent meanwhile draws one. At a ceiling on probation, a
    /// window of `probation` good answers lifts it by one.
    fn speed_up(&mut self, hid: usize, job: &Job) {
        let max = self.cfg.max_per_host.max(1);
        let host = &mut self.hosts[hid];
        if job.sent_level < host.limit || job.sent_epoch != host.epoch {
            return;
        }
        if host.limit >= host.ceiling {
            if host.capped || host.ceiling >= max {
                return;
            }
            host.good_at_ceiling += 1;
            if host.good_at_ceiling >= host.probation {
                host.ceiling += 1;
                host.good_at_ceiling = 0;
            }
            return;
        }
        host.good_window += 1;
        if host.good_window >= host.limit {
            host.limit += 1;
            host.good_window = 0;
        }
    }
}

fn done(
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
    }
}

fn elapsed(job: &Job, now: Instant) -> u64 {
    job.started.map_or(0, |s| {
        u64::try_from(now.duration_since(s).as_millis()).unwrap_or(u64::MAX)
    })
}

/// Exponential backoff with jitter: base * 2^tries, scaled by a random 50-100%.
fn backoff(cfg: &CheckConfig, tries: u32) -> Duration {
    let exp = cfg.backoff_base.saturating_mul(1 << tries.min(10));
    exp.mul_f64(0.5 + fastrand::f64() * 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(max_per_host: usize) -> Scheduler {
        let cfg = CheckConfig {
            max_per_host,
            ..CheckConfig::default()
        };
        Scheduler::new(Arc::new(cfg), 0)
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// Sends the host's next job, as the run loop would.
    fn send(s: &mut Scheduler) -> (usize, Job) {
        let (hid, mut job) = s.next_step().expect("a job is ready");
        job.requests += 1;
        (hid, job)
    }

    fn answer(status: u16, retry_after: Option<Duration>) -> Answer {
        Answer::Response {
            status,
            location: None,
            retry_after,
        }
    }

    fn fill(s: &mut Scheduler, host: &str, n: usize) {
        s.enqueue_all((0..n).map(|i| Job::new(i, url(&format!("http://{host}/{i}")))));
        s.pending += n;
    }

    /// Sends as many requests as the host's limit allows, then answers them all.
    fn round(s: &mut Scheduler, h: usize, status: u16, now: Instant) {
        let mut sent = Vec::new();
        while s.hosts[h].in_flight < s.hosts[h].limit {
            let Some((_, mut j)) = s.next_step() else {
                break;
            };
            j.requests += 1;
            sent.push(j);
        }
        for j in sent {
            s.settle(h, j, answer(status, None), false, now);
        }
    }

    #[test]
    fn a_bare_503_amid_good_answers_is_one_urls_and_two_in_a_row_are_the_hosts() {
        let mut s = sched(6);
        fill(&mut s, "a.test", 20);
        let now = Instant::now();
        let h = 0;
        assert_eq!(s.hosts[h].limit, 2);
        round(&mut s, h, 200, now);
        round(&mut s, h, 200, now);
        assert_eq!(
            s.hosts[h].limit, 3,
            "a full window of good answers earns a slot"
        );
        let (_, dead) = send(&mut s);
        s.settle(h, dead, answer(503, None), false, now);
        assert_eq!(
            s.hosts[h].limit, 3,
            "one dead page's 503 does not slow the host"
        );
        assert!(s.hosts[h].paused_until.is_none());
        let (_, a) = send(&mut s);
        let (_, b) = send(&mut s);
        s.settle(h, a, answer(503, None), false, now);
        s.settle(h, b, answer(503, None), false, now);
        assert_eq!(s.hosts[h].limit, 2, "503s from two URLs in a row halve it");
        assert_eq!(s.hosts[h].ceiling, 6, "a bare 503 sets no ceiling");
    }

    #[test]
    fn a_429_drops_to_the_load_below_on_probation_alone_and_for_good_in_a_burst() {
        let mut s = sched(6);
        fill(&mut s, "lone.test", 200);
        let now = Instant::now();
        let h = 0;
        s.hosts[h].limit = 4;
        let jobs: Vec<_> = (0..4).map(|_| send(&mut s).1).collect();
        let mut jobs = jobs.into_iter();
        // The fourth request, sent at level 4, is refused alone.
        let last = jobs.next_back().unwrap();
        s.settle(h, last, answer(429, Some(Duration::ZERO)), false, now);
        assert_eq!(s.hosts[h].ceiling, 3);
        assert_eq!(
            s.hosts[h].limit, 3,
            "after its pause the host goes on at the load below the one refused, not at half"
        );
        assert!(s.hosts[h].paused_until.is_some());
        assert!(!s.hosts[h].capped);
        for j in jobs {
            s.settle(h, j, answer(200, None), false, now);
        }
        s.wake(now + Duration::from_secs(1));
        // Good answers at the ceiling lift it by one after the probation window.
        let mut lifted = false;
        for _ in 0..60 {
            round(&mut s, h, 200, now);
            if s.hosts[h].ceiling > 3 {
                lifted = true;
                break;
            }
        }
        assert!(lifted, "the ceiling stays on probation: {:?}", s.hosts[h]);
        // The lifted level refused alone again: that is the host's cap.
        let mut lone = None;
        for _ in 0..20 {
            let jobs: Vec<_> = (0..s.hosts[h].limit).map(|_| send(&mut s).1).collect();
            if jobs.len() == 4 {
                lone = Some(jobs);
                break;
            }
            for j in jobs {
                s.settle(h, j, answer(200, None), false, now);
            }
        }
        let mut jobs = lone.expect("the limit grows back to 4").into_iter();
        let last = jobs.next_back().unwrap();
        assert_eq!(last.sent_level, 4);
        s.settle(h, last, answer(429, Some(Duration::ZERO)), false, now);
        assert!(s.hosts[h].capped, "refused twice at 4: {:?}", s.hosts[h]);
        assert_eq!(s.hosts[h].ceiling, 3);
        for j in jobs {
            s.settle(h, j, answer(200, None), false, now);
        }

        // A burst: two requests of one round refused.
        let mut s = sched(6);
        fill(&mut s, "capped.test", 50);
        s.hosts[0].limit = 5;
        let mut sent: Vec<_> = (0..5).map(|_| send(&mut s).1).collect();
        // The first answer frees a slot, refilled at level 5 again before
        // the refusal of the first level-5 request comes back.
        let first = sent.remove(0);
        s.settle(0, first, answer(200, None), false, now);
        let again = send(&mut s).1;
        assert_eq!(again.sent_level, 5);
        let a = sent.pop().unwrap();
        assert_eq!(a.sent_level, 5);
        s.settle(0, a, answer(429, Some(Duration::ZERO)), false, now);
        assert!(!s.hosts[0].capped, "one refusal could be one URL's");
        s.settle(0, again, answer(429, Some(Duration::ZERO)), false, now);
        assert!(s.hosts[0].capped);
        assert_eq!(s.hosts[0].ceiling, 4);
    }

    #[test]
    fn a_capped_host_whose_head_answers_need_a_get_goes_straight_to_get() {
        let mut s = sched(6);
        fill(&mut s, "capped.test", 50);
        let now = Instant::now();
        s.hosts[0].capped = true;
        for _ in 0..NO_HEAD_AFTER {
            let (h, j) = send(&mut s);
            assert_eq!(j.method, Method::HEAD);
            assert_eq!(j.requests, 1, "first tries go before the GETs that confirm");
            s.settle(h, j, answer(404, None), false, now);
        }
        let (_, j) = send(&mut s);
        assert_eq!(j.method, Method::GET, "one request per URL from now on");

        // An uncapped host keeps asking with HEAD first.
        let mut s = sched(6);
        fill(&mut s, "open.test", 50);
        for _ in 0..NO_HEAD_AFTER + 2 {
            let (h, j) = send(&mut s);
            assert_eq!(j.method, Method::HEAD);
            s.settle(h, j, answer(404, None), false, now);
        }
    }

    #[test]
    fn long_hosts_go_first_then_urls_never_tried_then_follow_ups() {
        let mut s = sched(6);
        let now = Instant::now();
        fill(&mut s, "small.test", 1);
        fill(&mut s, "big.test", 200);
        fill(&mut s, "other.test", 1);
        // The long host first, up to its limit.
        let order: Vec<String> = (0..2)
            .map(|_| send(&mut s).1.url.host_str().unwrap().to_string())
            .collect();
        assert_eq!(order, ["big.test", "big.test"]);
        // small.test answers a bare 503: its retry, once its backoff is
        // over and its connection long closed, is a follow-up, and
        // other.test's URL, never tried, goes before it.
        let (h, j) = send(&mut s);
        assert_eq!(j.url.host_str(), Some("small.test"));
        s.settle(h, j, answer(503, None), false, now);
        s.wake(now + Duration::from_secs(2));
        let (_, j) = send(&mut s);
        assert_eq!(j.url.host_str(), Some("other.test"));
        let (_, j) = send(&mut s);
        assert_eq!(j.url.host_str(), Some("small.test"));
        assert_eq!(j.tries, 1, "the retry");
    }

    #[test]
    fn a_host_that_just_answered_goes_on_over_the_open_connection() {
        let now = Instant::now();
        // A 404 to HEAD: the GET that confirms it goes at once, on the
        // connection the HEAD came back on, before anyone's first try.
        let mut s = sched(6);
        fill(&mut s, "a.test", 1);
        fill(&mut s, "b.test", 1);
        let (h, head) = send(&mut s);
        assert_eq!(head.url.host_str(), Some("a.test"));
        s.settle(h, head, answer(404, None), false, now);
        let (_, get) = send(&mut s);
        assert_eq!(get.url.host_str(), Some("a.test"));
        assert_eq!(get.method, Method::GET);
        assert_eq!(send(&mut s).1.url.host_str(), Some("b.test"));

        // A first try the same way: p.test's third URL follows its first.
        let mut s = sched(6);
        fill(&mut s, "p.test", 3);
        fill(&mut s, "q.test", 1);
        fill(&mut s, "r.test", 1);
        let (hp, p0) = send(&mut s);
        let (_, p1) = send(&mut s);
        assert_eq!((p0.url.path(), p1.url.path()), ("/0", "/1"));
        assert_eq!(
            send(&mut s).1.url.host_str(),
            Some("q.test"),
            "p.test is at its limit"
        );
        s.settle(hp, p0, answer(200, None), false, now);
        let (_, p2) = send(&mut s);
        assert_eq!(
            p2.url.as_str(),
            "http://p.test/2",
            "before r.test's first try"
        );
        assert_eq!(send(&mut s).1.url.host_str(), Some("r.test"));

        // A redirect to https needs a new connection anyway: it waits its turn.
        let mut s = sched(6);
        fill(&mut s, "a.test", 1);
        fill(&mut s, "b.test", 1);
        let (h, j) = send(&mut s);
        let moved = Answer::Response {
            status: 301,
            location: Some(Ok(url("https://a.test/0"))),
            retry_after: None,
        };
        s.settle(h, j, moved, false, now);
        assert_eq!(send(&mut s).1.url.host_str(), Some("b.test"));
        let (_, hop) = send(&mut s);
        assert_eq!(hop.url.as_str(), "https://a.test/0");
    }
}
