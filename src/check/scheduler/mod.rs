//! The one place where concurrency is bounded.
//!
//! Every request (first try, HEAD->GET fallback, each redirect hop, each
//! retry) is a step scheduled here under two limits: a global one (steps in
//! flight, [`Slots`]) and one per host, which adapts (`host.rs`). A host
//! with no free slot never holds a global slot, a retry waiting for its
//! backoff never holds either, and a URL that hangs on a host that answers
//! the others is set aside from its host's count, so a slow, capped or
//! half-broken host never blocks the others. Hosts are served in the order
//! of `queue.rs`'s `Urgency`; what each answer means is `verdict.rs`'s.
//! Every request goes out through the door (`net::Door`).

mod budget;
mod host;
mod probes;
mod queue;
mod slots;

use super::page::{self, PageSample};
use super::soft::{self, Landing, Probed};
use super::verdict::{self, Answer, HostView, Job, Next, Shape};
use super::{walls, CheckConfig, CheckResult, Fragment, Status, ToCheck};
use crate::net::{Door, Request, Response};
use budget::{Budget, Room};
use probes::{Known, Probes, Waiter};
use queue::{origin, Fresh, Queue};
use reqwest::Method;
use slots::Slots;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

struct Scheduler {
    cfg: Arc<CheckConfig>,
    door: Door,
    queue: Queue,
    probes: Probes,
    /// Verdicts reached, not yet sent.
    /// Verdicts to send: the link's own host, its id, its result.
    outbox: Vec<(usize, usize, CheckResult)>,
    /// Links without a verdict yet (probes are not counted).
    pending: usize,
}

/// Checks every URL and sends `(id, result)` as each verdict is reached.
/// Returns when all are done or the receiver is gone.
pub(crate) async fn run(
    door: Door,
    cfg: Arc<CheckConfig>,
    urls: Vec<ToCheck>,
    results: mpsc::Sender<(usize, CheckResult)>,
) {
    let mut s = Scheduler::new(door, cfg.clone(), urls.len());
    let fragments = cfg.fragments;
    let hosts: Vec<usize> = urls.iter().map(|t| s.queue.host_of(&t.url)).collect();
    for &hid in &hosts {
        s.queue.hosts[hid].open_urls += 1;
    }
    for hid in 0..s.queue.hosts.len() {
        let n = s.queue.hosts[hid].open_urls;
        s.queue.reserve(hid, n);
    }
    // A HEAD goes first even when the anchors need the page: a GET of a
    // URL that turns out to be a large file would start its whole transfer
    // (servers ignore `Range` as often as not), and a URL's extension does
    // not tell.
    s.queue
        .enqueue_all(hosts.into_iter().zip(urls).map(|(hid, t)| {
            let anchors = if fragments { t.anchors } else { Vec::new() };
            (hid, Fresh::new(t.id, &t.url, anchors))
        }));
    // The URLs as they came (a parsed `Url` each) are gone: their room,
    // and what planning freed, go back before the run's longest stage.
    crate::memory::give_back_freed();
    let mut set: JoinSet<(usize, Job, Answer)> = JoinSet::new();
    let mut slots = Slots::new(&cfg);
    let mut budget = Budget::new(
        cfg.max_concurrency.max(1),
        s.door.config().timeout,
        Instant::now(),
    );
    loop {
        // Verdicts reached by the last answer, or without a request.
        for (home, id, result) in std::mem::take(&mut s.outbox) {
            s.pending -= 1;
            s.queue.hosts[home].open_urls -= 1;
            budget.finished(home);
            if results.send((id, result)).await.is_err() {
                return;
            }
        }
        if s.pending == 0 {
            return;
        }
        let now = Instant::now();
        s.queue.wake(now);
        slots.mark_stalled(now);
        s.queue.set_aside(&mut slots, now);
        if let Some(pole) = budget.review(&s.queue.hosts, s.pending, now) {
            slots.set_pole(pole);
        }
        while let Some(room) = slots.room(&budget) {
            let only = match room {
                Room::Any => None,
                Room::Pole(hid) => Some(hid),
            };
            let Some((hid, mut job)) = s.next_step(only, now) else {
                break;
            };
            job.requests += 1;
            job.started.get_or_insert(now);
            let door = s.door.clone();
            let limits = (cfg.max_body_bytes, cfg.max_page_bytes);
            let handle = set.spawn(async move {
                let answer = ask(&door, &job, limits).await;
                (hid, job, answer)
            });
            slots.started(handle.id(), hid, now);
        }
        if !s.outbox.is_empty() {
            continue;
        }
        let timer = [s.queue.next_wake(), slots.next_stall()]
            .into_iter()
            .flatten()
            .min();
        tokio::select! {
            done = set.join_next_with_id(), if !set.is_empty() => {
                let Some(done) = done else { continue };
                let Ok((task, (hid, job, answer))) = done else {
                    // A panicked step loses its URL's verdict; nothing else.
                    if let Some(f) = done.err().and_then(|e| slots.finished(e.id())) {
                        s.queue.release(f.host, f.outlier, None, Instant::now());
                    }
                    s.pending -= 1;
                    continue;
                };
                let outlier = slots.finished(task).is_some_and(|f| f.outlier);
                s.settle(hid, job, answer, outlier, Instant::now());
            }
            () = sleep_until(timer), if timer.is_some() => {}
            else => {
                debug_assert!(false, "scheduler stalled with {} pending", s.pending);
                return;
            }
        }
    }
}

/// Sends a job's request through the door and reads what its verdict
/// needs: the status, where it redirects, `Retry-After`, whether a bot wall
/// answered. A GET that samples the page reads its body (the first
/// `max_body` bytes, or up to `max_page` while anchors are still missing,
/// stopping as soon as they are found); a GET with an error status is
/// read a little, for the walls that only their page names; any other
/// small body is read so the connection can be reused, and a larger one is
/// not: its transfer ends with the connection.
async fn ask(door: &Door, job: &Job, (max_body, max_page): (usize, usize)) -> Answer {
    let is_get = job.method == Method::GET;
    let limit = if job.anchors.is_empty() {
        max_body
    } else {
        max_page.max(max_body)
    };
    let mut req = Request::new(job.method.clone(), job.url.clone());
    if is_get && job.ranged {
        // Servers that honour it (static files: where large bodies live)
        // send no more than is read; the others answer 200 as usual.
        if let Ok(v) = reqwest::header::HeaderValue::from_str(&format!("bytes=0-{}", limit - 1)) {
            req = req.header(reqwest::header::RANGE, v);
        }
    }
    let resp = match door.send(req).await {
        Ok(r) => r,
        Err(f) => return Answer::Failed(f),
    };
    let (status, location, retry_after) = (
        resp.status,
        resp.is_redirect().then(|| resp.location()).flatten(),
        resp.retry_after(),
    );
    let shape = Shape {
        content_type: resp
            .content_type()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string(),
        empty: resp.content_length() == Some(0),
    };
    let mut wall = walls::in_headers(status, resp.headers());
    let mut page = None;
    let error = status >= 400;
    // A page worth reading for what it says: HTML (or undeclared), and no
    // larger than pages are. A file is no soft 404, and has no anchors.
    let readable =
        resp.content_type_is_page() && resp.content_length().is_none_or(|n| n <= MAX_PAGE_DECLARED);
    if is_get && !resp.is_redirect() && wall.is_none() {
        if job.sample && !error && readable {
            let anchors = job.anchors.clone();
            if let Ok((body, complete)) = read_page(resp, limit, &anchors).await {
                let mut sample = page::sample(&body, &job.url, !anchors.is_empty());
                sample.complete = complete;
                page = Some(Box::new(sample));
            }
        } else if error {
            let headers = resp.headers().clone();
            let declared = resp.content_length();
            if let Ok(body) = resp.body(max_body).await {
                let len = declared.map_or(body.bytes.len(), |n| {
                    usize::try_from(n).unwrap_or(usize::MAX)
                });
                let markup = String::from_utf8_lossy(&body.bytes).to_lowercase();
                wall = walls::in_body(status, &headers, &markup, len);
            }
        } else {
            resp.finish(max_body).await;
        }
    }
    Answer::Response {
        status,
        location,
        retry_after,
        wall,
        page,
        readable,
        shape,
    }
}

/// The largest body a page is declared with; anything larger is a file.
const MAX_PAGE_DECLARED: u64 = 8 << 20;

/// Reads a page's body up to `limit` bytes, stopping early once every one
/// of `anchors` has appeared as an attribute value. Returns the bytes and
/// whether the whole body was read.
async fn read_page(
    resp: Response,
    limit: usize,
    anchors: &[String],
) -> Result<(Vec<u8>, bool), crate::net::Failure> {
    let mut body = Vec::new();
    let mut missing: Vec<&String> = anchors.iter().collect();
    let mut scanned = 0usize;
    let complete = resp
        .read(limit, |chunk| {
            body.extend_from_slice(chunk);
            if missing.is_empty() {
                return true;
            }
            // Look again from a little before the new bytes, for names cut in two.
            let from = scanned.saturating_sub(256);
            let seen = String::from_utf8_lossy(&body[from..]);
            missing.retain(|name| !page::mentions_anchor(&seen, name));
            scanned = body.len();
            !missing.is_empty()
        })
        .await?;
    Ok((body, complete))
}

impl Scheduler {
    fn new(door: Door, cfg: Arc<CheckConfig>, pending: usize) -> Scheduler {
        let keep_alive = door.config().keep_alive;
        Scheduler {
            queue: Queue::new(cfg.clone(), keep_alive),
            probes: Probes::default(),
            outbox: Vec::new(),
            cfg,
            door,
            pending,
        }
    }

    /// Takes an answer: the host learns from it, and its URL gets a verdict
    /// (in the outbox) or its next step.
    fn settle(&mut self, hid: usize, job: Job, answer: Answer, outlier: bool, now: Instant) {
        let open = matches!(answer, Answer::Response { .. }).then(|| origin(&job.url));
        self.queue.release(hid, outlier, open, now);
        let cfg = self.cfg.clone();
        let policy = self.door.retry().clone();
        // The host's own max-per-host (`[hosts."name"]`), else the run's.
        let max = self.queue.max_per_host(hid);
        let host = &mut self.queue.hosts[hid];
        host.observe(&answer, job.tries == 0);
        match (&job.method, &answer) {
            (&Method::HEAD, Answer::Response { .. }) => host.heads += 1,
            (
                &Method::GET,
                Answer::Response {
                    status: 200..=299,
                    readable: false,
                    ..
                },
            ) => host.files += 1,
            _ => {}
        }
        let mut head_error = None;
        if let Answer::Response {
            status,
            retry_after,
            ..
        } = &answer
        {
            if matches!(status, 429 | 503) {
                let pause = retry_after.map_or(policy.backoff_base, |d| policy.pause(Some(d)));
                let paused = host.slow_down(&job, *status, *retry_after, pause, max, now);
                if let Some(until) = paused {
                    self.queue.pause(hid, until);
                }
            } else {
                self.queue.hosts[hid].speed_up(&job, max);
            }
            head_error = Some(*status);
        }
        if let (Some(said), Answer::Response { status, .. }) = (&job.head_said, &answer) {
            self.queue.hosts[hid].head_checked(said, *status);
        }
        let believes_head_gone = match (&job.method, &answer) {
            (&Method::HEAD, Answer::Response { shape, .. }) => {
                self.queue.hosts[hid].believes_head_gone(shape)
            }
            _ => false,
        };
        let view = HostView {
            retries: self.queue.hosts[hid].retry_budget(policy.retries),
            believes_head_gone,
        };
        let (id, home) = (job.id, job.home);
        let probe = job.probe.as_deref().cloned();
        let why = match &answer {
            Answer::Response { status, .. } => status.to_string(),
            Answer::Failed(f) => f.cause.clone(),
        };
        let was_head = job.method == reqwest::Method::HEAD;
        let next = verdict::judge(job, answer, &cfg, &policy, view, now);
        match next {
            Next::Done(result) => {
                self.queue.mark_runnable(hid);
                match probe {
                    // A made-up path that fails (404, 410, no answer) says
                    // the host is honest.
                    Some(key) => self.probe_answered(key, Probed::Honest, now),
                    None => self.outbox.push((home, id, result)),
                }
            }
            Next::Accepted(job, status, page, readable) => {
                self.queue.mark_runnable(hid);
                self.accepted(hid, job, status, page, readable, now);
            }
            Next::Retry(job, wait) => {
                tracing::debug!(
                    host = job.url.host_str().unwrap_or(""),
                    url = %job.url,
                    why = %why,
                    wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    "retry"
                );
                self.queue.delay(now + wait, hid, job);
            }
            Next::Get(job) => {
                if let (true, Some(status)) = (was_head, head_error) {
                    self.queue.hosts[hid].head_needed_get(status);
                }
                // Until the host's HEAD is known to tell the truth (or to
                // lie), the GETs that would show it go first: on a long
                // queue they would otherwise all wait behind the first tries.
                if job.head_said.is_some() && self.queue.hosts[hid].learning_head() {
                    self.queue.enqueue_first(job);
                } else {
                    self.queue.enqueue(job);
                }
            }
            Next::Hop(job) => {
                self.queue.mark_runnable(hid);
                self.queue.enqueue(job);
            }
        }
    }

    /// The next request to send, if any. A GET that was to confirm a HEAD's
    /// 404 or 410 on a host whose HEAD is believed by now is not sent: the
    /// HEAD's answer is its verdict.
    fn next_step(&mut self, only: Option<usize>, now: Instant) -> Option<(usize, Job)> {
        loop {
            let (hid, job) = self.queue.next_step(only)?;
            let believed = job.head_said.as_deref().is_some_and(|(s, shape)| {
                matches!(s, 404 | 410) && self.queue.hosts[hid].believes_head_gone(shape)
            });
            if !believed {
                return Some((hid, job));
            }
            self.queue.unsend(hid);
            let status = job.head_said.as_deref().map_or(404, |(s, _)| *s);
            self.outbox.push((
                job.home,
                job.id,
                verdict::done(&job, now, status, false, None),
            ));
        }
    }

    /// An accepted answer: for a probe, what its host answers made-up
    /// paths with; for a link, alive unless the quiet rot says otherwise
    /// (sent home, the same page as a made-up path, parked), and with its
    /// anchors looked for.
    fn accepted(
        &mut self,
        hid: usize,
        mut job: Job,
        status: u16,
        page: Option<Box<PageSample>>,
        readable: bool,
        now: Instant,
    ) {
        let landing = Landing {
            status,
            url: job.url.clone(),
            hops: job.hops.len(),
            page: page.map(|p| *p),
        };
        if let Some(key) = job.probe.take().map(|k| *k) {
            return self.probe_answered(key, Probed::Soft(Box::new(landing)), now);
        }
        // Anchors need the page: ask with GET before anything else, and the
        // same page serves the comparison with a probe. A page asked for
        // once and not readable (not HTML, too slow) is judged without it.
        let can_ask = landing.page.is_none() && !job.sample && readable;
        if can_ask && !job.anchors.is_empty() {
            return self.ask_page(job);
        }
        let original = job.original();
        if let Some(rot) = soft::by_redirect(&original, &landing) {
            return self.finish(job, landing, Some(rot), now);
        }
        // A file (not HTML, or larger than pages are) is no "not found" page.
        if !self.cfg.soft_404 || (!readable && landing.page.is_none()) {
            return self.finish(job, landing, None, now);
        }
        match self.probes.known(soft::probe_key(&job.url)) {
            Known::Answered(Probed::Honest) => self.finish(job, landing, None, now),
            Known::Answered(Probed::Soft(probe)) => {
                // Pages are compared only when the probe's could be read.
                if can_ask && probe.page.is_some() {
                    return self.ask_page(job);
                }
                let rot = soft::against_probe(&original, &landing, probe);
                self.finish(job, landing, rot, now);
            }
            Known::Asked(key) => self.probes.wait(
                &key,
                Waiter {
                    hid,
                    job,
                    landing,
                    readable,
                },
            ),
            Known::Unasked(key) => {
                let random: String = (0..20)
                    .map(|_| fastrand::alphanumeric().to_ascii_lowercase())
                    .collect();
                let probe = Job::probe(key.clone(), soft::probe_url(&job.url, &random));
                self.probes.asked(key.clone());
                self.probes.wait(
                    &key,
                    Waiter {
                        hid,
                        job,
                        landing,
                        readable,
                    },
                );
                // Links of the host wait for it: it goes before their next requests.
                self.queue.enqueue_first(probe);
            }
        }
    }

    /// The same URL again, with GET, keeping what the page says.
    fn ask_page(&mut self, mut job: Job) {
        job.method = Method::GET;
        job.sample = true;
        job.tries = 0;
        self.queue.enqueue(job);
    }

    /// A probe answered: each link that waited for it is judged again.
    fn probe_answered(&mut self, key: verdict::ProbeKey, probed: Probed, now: Instant) {
        for w in self.probes.answered(key, probed) {
            let Waiter {
                hid,
                job,
                landing,
                readable,
            } = w;
            let status = landing.status;
            self.accepted(hid, job, status, landing.page.map(Box::new), readable, now);
        }
    }

    /// A link's verdict: alive (ok or redirected) unless `rot` says why
    /// not, with whether its page has each anchor it points at.
    fn finish(&mut self, job: Job, landing: Landing, rot: Option<soft::Rot>, now: Instant) {
        let mut result = verdict::done(&job, now, landing.status, true, None);
        if let Some((status, why)) = rot {
            result.status = status;
            result.error = Some(why);
        } else {
            let anchors = landing.page.as_ref().map(|p| &p.anchors);
            result.fragments = job
                .anchors
                .iter()
                .map(|name| Fragment {
                    name: name.clone(),
                    found: anchors.map(|a| page::has_anchor(a, name)),
                })
                .collect();
        }
        debug_assert!(result.status != Status::Excluded);
        self.outbox.push((job.home, job.id, result));
    }
}

async fn sleep_until(t: Option<Instant>) {
    if let Some(t) = t {
        tokio::time::sleep_until(t.into()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::NetConfig;
    use reqwest::{Method, Url};
    use std::time::Duration;

    /// A scheduler whose hosts are not probed: these tests are about order.
    fn sched(max_per_host: usize) -> Scheduler {
        let cfg = CheckConfig {
            max_per_host,
            soft_404: false,
            ..CheckConfig::default()
        };
        let door = Door::new(&NetConfig::default()).unwrap();
        Scheduler::new(door, Arc::new(cfg), 0)
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// Sends the host's next job, as the run loop would.
    fn send(s: &mut Scheduler) -> (usize, Job) {
        let (hid, mut job) = s.queue.next_step(None).expect("a job is ready");
        job.requests += 1;
        (hid, job)
    }

    fn answer(status: u16) -> Answer {
        Answer::Response {
            status,
            location: None,
            retry_after: None,
            wall: None,
            page: None,
            readable: true,
            shape: Shape::default(),
        }
    }

    fn fill(s: &mut Scheduler, host: &str, n: usize) {
        let hid = s.queue.host_of(&url(&format!("http://{host}/")));
        s.queue.enqueue_all((0..n).map(|i| {
            (
                hid,
                Fresh::new(i, &url(&format!("http://{host}/{i}")), Vec::new()),
            )
        }));
        s.pending += n;
    }

    #[tokio::test]
    async fn once_gets_confirm_a_hosts_head_404s_a_dead_link_costs_one_request() {
        let mut s = sched(6);
        fill(&mut s, "big.test", 3);
        let now = Instant::now();
        // Three dead links, each HEAD then the GET that confirms it.
        let mut methods = Vec::new();
        while let Some((h, mut job)) = s.queue.next_step(None) {
            job.requests += 1;
            methods.push(job.method.clone());
            s.settle(h, job, answer(404), false, now);
        }
        assert_eq!(methods.iter().filter(|m| **m == Method::GET).count(), 3);
        assert_eq!(s.outbox.len(), 3);
        // The fourth: its HEAD's 404 is believed.
        let hid = s.queue.host_of(&url("http://big.test/"));
        s.queue
            .enqueue_all([(hid, Fresh::new(9, &url("http://big.test/9"), Vec::new()))]);
        let (h, head) = send(&mut s);
        assert_eq!(head.method, Method::HEAD);
        s.settle(h, head, answer(404), false, now);
        assert_eq!(s.outbox.len(), 4, "no GET: a verdict at once");
        assert_eq!(s.outbox[3].2.requests, 1);
        assert_eq!(s.outbox[3].2.status, crate::check::Status::Broken);
    }

    #[tokio::test]
    async fn long_hosts_go_first_then_urls_never_tried_then_follow_ups() {
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
        s.settle(h, j, answer(503), false, now);
        s.queue.wake(now + Duration::from_secs(2));
        let (_, j) = send(&mut s);
        assert_eq!(j.url.host_str(), Some("other.test"));
        let (_, j) = send(&mut s);
        assert_eq!(j.url.host_str(), Some("small.test"));
        assert_eq!(j.tries, 1, "the retry");
    }

    #[tokio::test]
    async fn a_host_that_just_answered_goes_on_over_the_open_connection() {
        // A 404 to HEAD: the GET that confirms it goes at once, on the
        // connection the HEAD came back on, before anyone's first try.
        let mut s = sched(6);
        let now = Instant::now();
        fill(&mut s, "a.test", 1);
        fill(&mut s, "b.test", 1);
        let (h, head) = send(&mut s);
        assert_eq!(head.url.host_str(), Some("a.test"));
        s.settle(h, head, answer(404), false, now);
        let (_, get) = send(&mut s);
        assert_eq!(get.url.host_str(), Some("a.test"));
        assert_eq!(get.method, Method::GET);
        assert_eq!(send(&mut s).1.url.host_str(), Some("b.test"));

        // A first try the same way: p.test's third URL follows its first.
        let mut s = sched(6);
        let now = Instant::now();
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
        s.settle(hp, p0, answer(200), false, now);
        let (_, p2) = send(&mut s);
        assert_eq!(
            p2.url.as_str(),
            "http://p.test/2",
            "before r.test's first try"
        );
        assert_eq!(send(&mut s).1.url.host_str(), Some("r.test"));

        // A redirect to https needs a new connection anyway: it waits its turn.
        let mut s = sched(6);
        let now = Instant::now();
        fill(&mut s, "a.test", 1);
        fill(&mut s, "b.test", 1);
        let (h, j) = send(&mut s);
        let moved = Answer::Response {
            status: 301,
            location: Some(Ok(url("https://a.test/0"))),
            retry_after: None,
            wall: None,
            page: None,
            readable: true,
            shape: Shape::default(),
        };
        s.settle(h, j, moved, false, now);
        assert_eq!(send(&mut s).1.url.host_str(), Some("b.test"));
        let (_, hop) = send(&mut s);
        assert_eq!(hop.url.as_str(), "https://a.test/0");
    }
}
