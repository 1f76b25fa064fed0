//! Which request goes next: every host's queue, and the order hosts are
//! served in ([`Urgency`]), under each host's limit and pause.
//!
//! Owns the jobs waiting (ready, or delayed for a backoff), which hosts
//! have a free slot, and the bookkeeping of requests in flight per host
//! (outliers set aside included). What an answer means is `verdict.rs`'s;
//! how a host's limit moves is `host.rs`'s.

use super::super::verdict::Job;
use super::host::{Host, CRITICAL_ROUNDS};
use super::slots::Slots;
use crate::check::CheckConfig;
use reqwest::{Method, Url};
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

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
pub(crate) enum Urgency {
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

/// Whether a URL is https, and its port: with the host, what a connection serves.
pub(crate) type Origin = (bool, u16);

pub(crate) fn origin(url: &Url) -> Origin {
    (
        url.scheme() == "https",
        url.port_or_known_default().unwrap_or(0),
    )
}

/// A URL before its first request: what its [`Job`] is made of when it
/// is sent, in a sixth of a job's room. A host's thousands of URLs wait
/// in its queue for most of the run; only those on their way are jobs.
#[derive(Debug)]
pub(crate) struct Fresh {
    id: usize,
    /// The URL as the url crate wrote it, so it parses back the same.
    url: Box<str>,
    origin: Origin,
    anchors: Box<[String]>,
}

impl Fresh {
    /// URL `id`, with the anchors its page is to have.
    pub fn new(id: usize, url: &Url, anchors: Vec<String>) -> Fresh {
        Fresh {
            id,
            url: url.as_str().into(),
            origin: origin(url),
            anchors: anchors.into_boxed_slice(),
        }
    }

    /// Its job, on host `home`'s queue.
    fn into_job(self, home: usize) -> Job {
        let url = Url::parse(&self.url).expect("a URL the url crate wrote parses");
        let mut job = Job::new(self.id, url);
        job.home = home;
        if !self.anchors.is_empty() {
            job.anchors = Arc::from(self.anchors);
        }
        job
    }
}

/// One host's place in the queue. Its next job is the first of `ready`
/// when some were put first (a probe, a GET that shows whether its HEAD
/// lies), else its next URL not tried yet, else the next follow-up.
#[derive(Debug, Default)]
pub(super) struct Lane {
    /// Jobs put first, then follow-ups (GET after HEAD, redirect hops, retries).
    ready: VecDeque<Job>,
    /// How many at the front of `ready` were put first.
    first: usize,
    /// Its URLs not tried yet, in order.
    fresh: VecDeque<Fresh>,
    /// Jobs and URLs in the lane that have not had a request yet.
    pub unstarted: usize,
    /// In `runnable`, at this urgency (it may also sit there at a lower one).
    queued: Option<Urgency>,
    /// The origin of the connection its last answer came on, until a
    /// request takes it; open for a keep-alive after its last answer.
    open: Option<Origin>,
    /// The host's `request-interval`, if it has one, and when its next
    /// request may be sent: that long after its last one was.
    interval: Option<std::time::Duration>,
    not_before: Option<Instant>,
}

impl Lane {
    fn is_empty(&self) -> bool {
        self.ready.is_empty() && self.fresh.is_empty()
    }

    fn len(&self) -> usize {
        self.ready.len() + self.fresh.len()
    }

    /// The origin of the job [`Lane::pop`] would take.
    fn next_origin(&self) -> Option<Origin> {
        match (self.first, self.fresh.front()) {
            (0, Some(f)) => Some(f.origin),
            _ => self.ready.front().map(|j| origin(&j.url)),
        }
    }

    /// The next job of this lane, host `hid`'s.
    fn pop(&mut self, hid: usize) -> Option<Job> {
        if self.first > 0 {
            self.first -= 1;
            return self.ready.pop_front();
        }
        match self.fresh.pop_front() {
            Some(f) => Some(f.into_job(hid)),
            None => self.ready.pop_front(),
        }
    }
}

pub(super) struct Queue {
    cfg: Arc<CheckConfig>,
    /// How long an idle connection stays open (the door's keep-alive).
    keep_alive: std::time::Duration,
    pub hosts: Vec<Host>,
    /// Each host's queue, by the same index as `hosts`.
    pub lanes: Vec<Lane>,
    host_ids: HashMap<String, usize>,
    /// Hosts with a ready job and a free slot, in the order of [`Urgency`],
    /// then largest backlog first.
    runnable: BinaryHeap<(Urgency, usize, std::cmp::Reverse<u64>, usize)>,
    seq: u64,
    /// Jobs waiting for their backoff: when, which host, the job.
    delayed: Vec<(Instant, usize, Job)>,
    /// Hosts with a `paused_until`.
    paused: Vec<usize>,
    /// Hosts with ready jobs held back by their `request-interval`.
    spaced: Vec<usize>,
    /// Each host's own `max-per-host`, by the same index as `hosts`.
    max_of: Vec<usize>,
    /// Each host's name, by the same index, for the logs.
    names: Vec<String>,
    /// The latest time it was told (`wake`, `release`), for [`Urgency::Warm`].
    now: Instant,
}

impl Queue {
    pub fn new(cfg: Arc<CheckConfig>, keep_alive: std::time::Duration) -> Queue {
        Queue {
            cfg,
            keep_alive,
            hosts: Vec::new(),
            lanes: Vec::new(),
            host_ids: HashMap::new(),
            runnable: BinaryHeap::new(),
            seq: 0,
            delayed: Vec::new(),
            paused: Vec::new(),
            spaced: Vec::new(),
            max_of: Vec::new(),
            names: Vec::new(),
            now: Instant::now(),
        }
    }

    pub fn host_of(&mut self, url: &Url) -> usize {
        let name = url.host_str().unwrap_or("").to_ascii_lowercase();
        if let Some(&id) = self.host_ids.get(&name) {
            return id;
        }
        // The host's own settings (`[hosts."name"]`), else the run's.
        let max = self.cfg.max_per_host_of(&name);
        let start = self.cfg.initial_per_host.clamp(1, max);
        self.hosts.push(Host::new(start, max));
        self.max_of.push(max);
        self.lanes.push(Lane {
            interval: self.cfg.host(&name).and_then(|h| h.request_interval),
            ..Lane::default()
        });
        self.names.push(name.clone());
        self.host_ids.insert(name, self.hosts.len() - 1);
        self.hosts.len() - 1
    }

    /// Host `hid`'s `max-per-host`: what its adaptive limit never exceeds.
    pub fn max_per_host(&self, hid: usize) -> usize {
        self.max_of[hid]
    }

    /// Whether host `hid` must wait for its `request-interval` (and is
    /// then held in `spaced` until `wake` finds it due).
    fn spacing(&mut self, hid: usize) -> bool {
        let due = self.lanes[hid].not_before.is_none_or(|t| t <= self.now);
        if !due && !self.spaced.contains(&hid) {
            self.spaced.push(hid);
        }
        !due
    }

    /// Makes room in host `hid`'s queue for `n` more URLs at once: grown
    /// by doubling, a host's thousands would hold up to twice their room,
    /// and three times while it grows.
    pub fn reserve(&mut self, hid: usize, n: usize) {
        self.lanes[hid].fresh.reserve_exact(n);
    }

    /// Queues every URL (with its host's id), then ranks the hosts, so that
    /// each host is ranked by its whole backlog.
    pub fn enqueue_all(&mut self, urls: impl IntoIterator<Item = (usize, Fresh)>) {
        for (hid, fresh) in urls {
            let lane = &mut self.lanes[hid];
            lane.unstarted += 1;
            lane.fresh.push_back(fresh);
        }
        for hid in 0..self.hosts.len() {
            self.mark_runnable(hid);
        }
    }

    /// Puts a job at the back of its host's queue: a host sends every URL's
    /// first request before any follow-up (GET after HEAD, a redirect hop,
    /// a retry), for the reason [`Urgency`] gives.
    pub fn enqueue(&mut self, job: Job) {
        let hid = self.host_of(&job.url);
        let lane = &mut self.lanes[hid];
        lane.unstarted += usize::from(job.requests == 0);
        lane.ready.push_back(job);
        self.mark_runnable(hid);
    }

    /// Puts a job at the front of its host's queue: a probe, which links
    /// of the host wait for.
    pub fn enqueue_first(&mut self, job: Job) {
        let hid = self.host_of(&job.url);
        let lane = &mut self.lanes[hid];
        lane.unstarted += usize::from(job.requests == 0);
        lane.ready.push_front(job);
        lane.first += 1;
        self.mark_runnable(hid);
    }

    /// Holds `job` back until `at` (a backoff).
    pub fn delay(&mut self, at: Instant, hid: usize, job: Job) {
        self.delayed.push((at, hid, job));
    }

    /// Holds every request to `hid` back until `until`.
    pub fn pause(&mut self, hid: usize, until: Instant) {
        if !self.paused.contains(&hid) {
            self.paused.push(hid);
        }
        self.hosts[hid].paused_until = Some(until);
    }

    pub fn mark_runnable(&mut self, hid: usize) {
        let (host, lane) = (&self.hosts[hid], &mut self.lanes[hid]);
        if lane.is_empty() || host.in_flight >= host.limit || host.paused_until.is_some() {
            return;
        }
        if lane.not_before.is_some() && self.spacing(hid) {
            return;
        }
        let (host, lane) = (&self.hosts[hid], &mut self.lanes[hid]);
        let backlog = lane.len();
        let rounds = backlog / host.limit.max(1);
        let urgency = if rounds >= CRITICAL_ROUNDS {
            Urgency::Critical
        } else if lane.open.is_some_and(|open| {
            host.last_answer
                .is_some_and(|t| t + self.keep_alive > self.now)
                && lane.next_origin() == Some(open)
        }) {
            Urgency::Warm
        } else if lane.unstarted > 0 {
            Urgency::FirstTry
        } else {
            Urgency::FollowUp
        };
        // Queued lower already: the stale entry is skipped or serves a free slot.
        if lane.queued.is_none_or(|q| q < urgency) {
            lane.queued = Some(urgency);
            self.seq += 1;
            self.runnable
                .push((urgency, rounds, std::cmp::Reverse(self.seq), hid));
        }
    }

    /// The next step to send, from the most urgent host with a free slot
    /// (`only` that host, when given: `None` when it is not the most urgent).
    pub fn next_step(&mut self, only: Option<usize>) -> Option<(usize, Job)> {
        while let Some((_, _, _, hid)) = self.runnable.pop() {
            let (host, lane) = (&mut self.hosts[hid], &mut self.lanes[hid]);
            lane.queued = None;
            if host.paused_until.is_some() || host.in_flight >= host.limit {
                continue;
            }
            if lane.not_before.is_some() && self.spacing(hid) {
                continue;
            }
            if only.is_some_and(|o| o != hid) {
                self.mark_runnable(hid);
                return None;
            }
            let (host, lane) = (&mut self.hosts[hid], &mut self.lanes[hid]);
            let Some(mut job) = lane.pop(hid) else {
                continue;
            };
            host.in_flight += 1;
            // A request interval counts from when the last request was sent.
            lane.not_before = lane.interval.map(|i| self.now + i);
            // It takes the connection left open, if any.
            lane.open = None;
            lane.unstarted -= usize::from(job.requests == 0);
            if host.skips_head() && job.method == Method::HEAD {
                job.method = Method::GET;
            }
            job.sent_level = host.in_flight;
            job.sent_epoch = host.epoch;
            job.sent_refusals = host.refusals;
            host.sent += 1;
            job.sent_seq = host.sent;
            self.mark_runnable(hid);
            return Some((hid, job));
        }
        None
    }

    /// A request to `hid` is over: it no longer counts toward the host's
    /// limit. `open`: the origin of the connection it leaves open, if any.
    pub fn release(&mut self, hid: usize, outlier: bool, open: Option<Origin>, now: Instant) {
        let host = &mut self.hosts[hid];
        if outlier {
            host.outliers -= 1;
        } else {
            host.in_flight -= 1;
        }
        host.last_answer = Some(now);
        self.now = self.now.max(now);
        self.lanes[hid].open = open;
        self.mark_runnable(hid);
    }

    /// A step taken by `next_step` is not sent after all: it gives its slot back.
    pub fn unsend(&mut self, hid: usize) {
        self.hosts[hid].in_flight -= 1;
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
    pub fn set_aside(&mut self, slots: &mut Slots, now: Instant) {
        let max = self.cfg.max_per_host.max(1);
        let stall = self.cfg.stall_after;
        for f in slots.flights.values_mut() {
            if f.outlier || now.duration_since(f.sent) < stall {
                continue;
            }
            let host = &mut self.hosts[f.host];
            if host.outliers < max && host.last_answer.is_some_and(|t| t > f.sent) {
                tracing::debug!(host = %self.names[f.host], silent_ms = u64::try_from(now.duration_since(f.sent).as_millis()).unwrap_or(u64::MAX), "set aside: silent while its host answers others");
                f.outlier = true;
                host.outliers += 1;
                host.in_flight -= 1;
                let hid = f.host;
                self.mark_runnable(hid);
            }
        }
    }

    /// Releases retries whose backoff is over and hosts whose pause ended.
    pub fn wake(&mut self, now: Instant) {
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
        while i < self.spaced.len() {
            let hid = self.spaced[i];
            if self.lanes[hid].not_before.is_none_or(|t| t <= now) {
                self.spaced.swap_remove(i);
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

    /// When the next paused host, delayed job or spaced host is due.
    pub fn next_wake(&self) -> Option<Instant> {
        let hosts = self
            .paused
            .iter()
            .filter_map(|&h| self.hosts[h].paused_until);
        let jobs = self.delayed.iter().map(|d| d.0);
        let spaced = self.spaced.iter().filter_map(|&h| self.lanes[h].not_before);
        hosts.chain(jobs).chain(spaced).min()
    }
}
