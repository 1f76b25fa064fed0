//! The one place where concurrency is bounded.
//!
//! Every request (first try, HEAD->GET fallback, each redirect hop, each
//! retry) is a step scheduled here under two limits: a global one (steps in
//! flight) and one per host, which adapts: it starts small, grows while the
//! host answers well, and on 429/503 drops, remembers the level that hurt
//! as a ceiling for the rest of the run, and pauses the host for its
//! `Retry-After`. A host with no free slot never holds a global slot, and a
//! retry waiting for its backoff never holds either, so a slow or capped
//! host never blocks the others.

use super::http::{self, Answer, FailureKind};
use super::{CheckConfig, CheckResult, Hop, Status};
use reqwest::{Client, Method, Url};
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// The lowest a 429 can set a host's ceiling (see `slow_down`).
const CEILING_FLOOR: usize = 2;

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
    /// The host's slow-down count when it was sent, so that one burst of
    /// 429s halves the limit once, not once per request.
    sent_epoch: u64,
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
    /// Answered HEAD with 405/501: go straight to GET.
    no_head: bool,
    /// Has given any answer other than a gateway error.
    answered: bool,
    /// First tries that met a connection failure or a gateway error, while
    /// it has never answered.
    silent_failures: u32,
    queued: bool,
}

struct Scheduler {
    cfg: Arc<CheckConfig>,
    hosts: Vec<Host>,
    host_ids: HashMap<String, usize>,
    /// Hosts with a ready job and a free slot, largest backlog first: the
    /// run cannot end before its biggest host does, so that one is never
    /// left waiting behind a crowd of one-link hosts.
    runnable: BinaryHeap<(usize, std::cmp::Reverse<u64>, usize)>,
    seq: u64,
    delayed: Vec<(Instant, usize, Job)>,
    pending: usize,
}

/// Checks every `(id, url)` and sends `(id, result)` as each verdict is
/// reached. Returns when all are done or the receiver is gone.
pub(crate) async fn run(
    client: Client,
    cfg: Arc<CheckConfig>,
    urls: Vec<(usize, Url)>,
    results: mpsc::Sender<(usize, CheckResult)>,
) {
    let mut s = Scheduler {
        cfg: cfg.clone(),
        hosts: Vec::new(),
        host_ids: HashMap::new(),
        runnable: BinaryHeap::new(),
        seq: 0,
        delayed: Vec::new(),
        pending: urls.len(),
    };
    for (id, url) in urls {
        let job = Job {
            id,
            url,
            method: Method::HEAD,
            hops: Vec::new(),
            tries: 0,
            requests: 0,
            started: None,
            sent_level: 0,
            sent_epoch: 0,
        };
        s.enqueue(job, false);
    }
    let mut set: JoinSet<(usize, Job, Answer)> = JoinSet::new();
    let mut slots = Slots::new(&cfg);
    let max_body = cfg.max_body_bytes;
    while s.pending > 0 {
        let now = Instant::now();
        s.wake(now);
        slots.mark_stalled(now);
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
            slots.started(handle.id(), now);
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
                    if let Err(e) = done {
                        slots.finished(e.id());
                    }
                    s.pending -= 1;
                    continue;
                };
                slots.finished(task);
                if let Some((id, result)) = s.settle(hid, job, answer, Instant::now()) {
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
    /// Requests in flight, oldest first, and whether each has stalled.
    flights: HashMap<tokio::task::Id, bool>,
    order: VecDeque<(Instant, tokio::task::Id)>,
    stalled: usize,
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

    fn started(&mut self, id: tokio::task::Id, now: Instant) {
        self.flights.insert(id, false);
        self.order.push_back((now, id));
    }

    fn finished(&mut self, id: tokio::task::Id) {
        if self.flights.remove(&id) == Some(true) {
            self.stalled -= 1;
        }
    }

    fn mark_stalled(&mut self, now: Instant) {
        while let Some(&(at, id)) = self.order.front() {
            if now.duration_since(at) < self.stall_after || self.stalled >= self.max_stalled {
                break;
            }
            self.order.pop_front();
            if let Some(stalled) = self.flights.get_mut(&id) {
                *stalled = true;
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
            no_head: false,
            answered: false,
            silent_failures: 0,
            queued: false,
        });
        self.host_ids.insert(name, self.hosts.len() - 1);
        self.hosts.len() - 1
    }

    /// Puts a job on its host's queue; `urgent` jobs (a chain under way) go first.
    fn enqueue(&mut self, mut job: Job, urgent: bool) {
        let hid = self.host_of(&job.url);
        let host = &mut self.hosts[hid];
        if host.no_head && job.method == Method::HEAD {
            job.method = Method::GET;
        }
        if urgent {
            host.ready.push_front(job);
        } else {
            host.ready.push_back(job);
        }
        self.mark_runnable(hid);
    }

    fn mark_runnable(&mut self, hid: usize) {
        let host = &mut self.hosts[hid];
        if !host.queued
            && !host.ready.is_empty()
            && host.in_flight < host.limit
            && host.paused_until.is_none()
        {
            host.queued = true;
            self.seq += 1;
            self.runnable
                .push((host.ready.len(), std::cmp::Reverse(self.seq), hid));
        }
    }

    /// The next step to send, from the host with the largest backlog that has a free slot.
    fn next_step(&mut self) -> Option<(usize, Job)> {
        while let Some((_, _, hid)) = self.runnable.pop() {
            let host = &mut self.hosts[hid];
            host.queued = false;
            if host.paused_until.is_some() || host.in_flight >= host.limit {
                continue;
            }
            let Some(job) = host.ready.pop_front() else {
                continue;
            };
            host.in_flight += 1;
            let mut job = job;
            job.sent_level = host.in_flight;
            job.sent_epoch = host.epoch;
            self.mark_runnable(hid);
            return Some((hid, job));
        }
        None
    }

    /// Releases retries whose backoff is over and hosts whose pause ended.
    fn wake(&mut self, now: Instant) {
        for hid in 0..self.hosts.len() {
            if self.hosts[hid].paused_until.is_some_and(|t| t <= now) {
                self.hosts[hid].paused_until = None;
                self.mark_runnable(hid);
            }
        }
        let mut i = 0;
        while i < self.delayed.len() {
            if self.delayed[i].0 <= now {
                let (_, _, job) = self.delayed.swap_remove(i);
                self.enqueue(job, true);
            } else {
                i += 1;
            }
        }
    }

    fn next_wake(&self) -> Option<Instant> {
        let hosts = self.hosts.iter().filter_map(|h| h.paused_until);
        let jobs = self.delayed.iter().map(|d| d.0);
        hosts.chain(jobs).min()
    }

    /// Decides what a step's answer means: a verdict, or the next step.
    fn settle(
        &mut self,
        hid: usize,
        mut job: Job,
        answer: Answer,
        now: Instant,
    ) -> Option<(usize, CheckResult)> {
        let cfg = self.cfg.clone();
        self.hosts[hid].in_flight -= 1;
        let verdict = match answer {
            Answer::Response {
                status,
                location,
                retry_after,
            } => {
                if status == 429 || status == 503 {
                    self.slow_down(hid, &job, retry_after, now);
                } else {
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
                        // Servers lie on HEAD: ask again with GET before calling it broken.
                        if matches!(status, 405 | 501) {
                            self.hosts[hid].no_head = true;
                        }
                        job.method = Method::GET;
                        self.enqueue(job, true);
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
        self.enqueue(job, true);
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

    /// A 429/503: never again exceed the load that drew it, halve the
    /// host's concurrency (once per burst), and pause it for `Retry-After`.
    fn slow_down(&mut self, hid: usize, job: &Job, retry_after: Option<Duration>, now: Instant) {
        let host = &mut self.hosts[hid];
        // The load that drew a 429 is the ceiling, but never below two
        // slots: a 429 there is a rate limit (Retry-After handles
        // it) or a single URL's, and one stalled request must not be able
        // to hold a whole host.
        let floor = CEILING_FLOOR.min(self.cfg.max_per_host.max(1));
        host.ceiling = host
            .ceiling
            .min(job.sent_level.saturating_sub(1).max(floor));
        if job.sent_epoch == host.epoch {
            host.epoch += 1;
            host.limit = (host.limit / 2).max(floor);
            host.good_window = 0;
        }
        host.limit = host.limit.min(host.ceiling);
        let pause = retry_after.map_or(self.cfg.backoff_base, |d| d.min(self.cfg.max_retry_after));
        let until = now + pause;
        host.paused_until = Some(host.paused_until.map_or(until, |t| t.max(until)));
    }

    /// A good answer given under full load counts toward one more slot; a
    /// full window of them (as many as the limit) earns it, up to the
    /// ceiling. One slot per round, not per answer: growing per answer
    /// doubles the load before the first 429 can come back, and every
    /// request sent meanwhile draws one.
    fn speed_up(&mut self, hid: usize, job: &Job) {
        let host = &mut self.hosts[hid];
        if job.sent_level < host.limit || job.sent_epoch != host.epoch || host.limit >= host.ceiling
        {
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
