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

mod host;
mod queue;
mod slots;

use super::verdict::{self, Answer, HostView, Job, Next};
use super::{CheckConfig, CheckResult};
use crate::net::{Door, Request};
use queue::{origin, Queue};
use reqwest::Url;
use slots::Slots;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

struct Scheduler {
    cfg: Arc<CheckConfig>,
    door: Door,
    queue: Queue,
    pending: usize,
}

/// Checks every `(id, url)` and sends `(id, result)` as each verdict is
/// reached. Returns when all are done or the receiver is gone.
pub(crate) async fn run(
    door: Door,
    cfg: Arc<CheckConfig>,
    urls: Vec<(usize, Url)>,
    results: mpsc::Sender<(usize, CheckResult)>,
) {
    let mut s = Scheduler::new(door, cfg.clone(), urls.len());
    s.queue
        .enqueue_all(urls.into_iter().map(|(id, url)| Job::new(id, url)));
    let mut set: JoinSet<(usize, Job, Answer)> = JoinSet::new();
    let mut slots = Slots::new(&cfg);
    while s.pending > 0 {
        let now = Instant::now();
        s.queue.wake(now);
        slots.mark_stalled(now);
        s.queue.set_aside(&mut slots, now);
        while slots.has_room() {
            let Some((hid, mut job)) = s.queue.next_step() else {
                break;
            };
            job.requests += 1;
            job.started.get_or_insert(now);
            let door = s.door.clone();
            let max_body = cfg.max_body_bytes;
            let handle = set.spawn(async move {
                let answer = ask(&door, &job, max_body).await;
                (hid, job, answer)
            });
            slots.started(handle.id(), hid, now);
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

/// Sends a job's request through the door and reads what its verdict
/// needs: the status, where it redirects, `Retry-After`. A small body is
/// read (up to `max_body`) so the connection can be reused; a larger one
/// is not: its transfer ends with the connection.
async fn ask(door: &Door, job: &Job, max_body: usize) -> Answer {
    let resp = match door
        .send(Request::new(job.method.clone(), job.url.clone()))
        .await
    {
        Ok(r) => r,
        Err(f) => return Answer::Failed(f),
    };
    let (status, location, retry_after) = (
        resp.status,
        resp.is_redirect().then(|| resp.location()).flatten(),
        resp.retry_after(),
    );
    if job.method == reqwest::Method::GET && !resp.is_redirect() {
        resp.finish(max_body).await;
    }
    Answer::Response {
        status,
        location,
        retry_after,
    }
}

impl Scheduler {
    fn new(door: Door, cfg: Arc<CheckConfig>, pending: usize) -> Scheduler {
        let keep_alive = door.config().keep_alive;
        Scheduler {
            queue: Queue::new(cfg.clone(), keep_alive),
            cfg,
            door,
            pending,
        }
    }

    /// Takes an answer: the host learns from it, and its URL gets a verdict
    /// or its next step.
    fn settle(
        &mut self,
        hid: usize,
        job: Job,
        answer: Answer,
        outlier: bool,
        now: Instant,
    ) -> Option<(usize, CheckResult)> {
        let open = matches!(answer, Answer::Response { .. }).then(|| origin(&job.url));
        self.queue.release(hid, outlier, open, now);
        let cfg = self.cfg.clone();
        let policy = self.door.retry().clone();
        let host = &mut self.queue.hosts[hid];
        host.observe(&answer, job.tries == 0);
        let mut head_error = None;
        if let Answer::Response {
            status,
            retry_after,
            ..
        } = &answer
        {
            if matches!(status, 429 | 503) {
                let pause = retry_after.map_or(policy.backoff_base, |d| policy.pause(Some(d)));
                let paused =
                    host.slow_down(&job, *status, *retry_after, pause, cfg.max_per_host, now);
                if let Some(until) = paused {
                    self.queue.pause(hid, until);
                }
            } else {
                self.queue.hosts[hid].speed_up(&job, cfg.max_per_host);
            }
            head_error = Some(*status);
        }
        let view = HostView {
            retries: self.queue.hosts[hid].retry_budget(policy.retries),
        };
        let id = job.id;
        let was_head = job.method == reqwest::Method::HEAD;
        let next = verdict::judge(job, answer, &cfg, &policy, view, now);
        match next {
            Next::Done(result) => {
                self.queue.mark_runnable(hid);
                Some((id, result))
            }
            Next::Retry(job, wait) => {
                self.queue.delay(now + wait, hid, job);
                None
            }
            Next::Get(job) => {
                if let (true, Some(status)) = (was_head, head_error) {
                    self.queue.hosts[hid].head_needed_get(status);
                }
                self.queue.enqueue(job);
                None
            }
            Next::Hop(job) => {
                self.queue.mark_runnable(hid);
                self.queue.enqueue(job);
                None
            }
        }
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
    use reqwest::Method;
    use std::time::Duration;

    fn sched(max_per_host: usize) -> Scheduler {
        let cfg = CheckConfig {
            max_per_host,
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
        let (hid, mut job) = s.queue.next_step().expect("a job is ready");
        job.requests += 1;
        (hid, job)
    }

    fn answer(status: u16) -> Answer {
        Answer::Response {
            status,
            location: None,
            retry_after: None,
        }
    }

    fn fill(s: &mut Scheduler, host: &str, n: usize) {
        s.queue
            .enqueue_all((0..n).map(|i| Job::new(i, url(&format!("http://{host}/{i}")))));
        s.pending += n;
    }

    #[tokio::test]
    async fn a_capped_host_whose_head_answers_need_a_get_goes_straight_to_get() {
        let mut s = sched(6);
        fill(&mut s, "capped.test", 50);
        let now = Instant::now();
        s.queue.hosts[0].capped = true;
        for _ in 0..3 {
            let (h, j) = send(&mut s);
            assert_eq!(j.method, Method::HEAD);
            assert_eq!(j.requests, 1, "first tries go before the GETs that confirm");
            s.settle(h, j, answer(404), false, now);
        }
        let (_, j) = send(&mut s);
        assert_eq!(j.method, Method::GET, "one request per URL from now on");

        // An uncapped host keeps asking with HEAD first.
        let mut s = sched(6);
        fill(&mut s, "open.test", 50);
        for _ in 0..5 {
            let (h, j) = send(&mut s);
            assert_eq!(j.method, Method::HEAD);
            s.settle(h, j, answer(404), false, now);
        }
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
        };
        s.settle(h, j, moved, false, now);
        assert_eq!(send(&mut s).1.url.host_str(), Some("b.test"));
        let (_, hop) = send(&mut s);
        assert_eq!(hop.url.as_str(), "https://a.test/0");
    }
}
