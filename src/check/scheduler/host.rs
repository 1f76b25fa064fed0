//! One host's adaptive limit, and what its answers have taught us.
//!
//! The limit starts small, grows by one slot for each full window of good
//! answers given under full load, and on 429/503 drops: a refusal (429, or
//! any answer with `Retry-After`) keeps the load below the one refused as
//! a ceiling and pauses the host (until `Retry-After`, or until a request
//! sent after the refused one is answered: then it was that URL's); a
//! bare 503 only counts when two come in a row from different
//! URLs. Pure bookkeeping: no clock of its own, no
//! queue (see `queue.rs`), no verdicts (see `verdict.rs`).

use super::super::verdict::{Answer, Job, Shape};
use crate::net::FailureKind;
use std::time::{Duration, Instant};

/// Rounds of work left (backlog over limit) that make a host's requests
/// go before everyone's first tries (see `queue.rs`'s `Urgency`), and make
/// it the pole of the others' budget (see `budget.rs`).
pub(super) const CRITICAL_ROUNDS: usize = 32;

/// A host goes straight to GET (see `skips_head`) after this many HEADs
/// that needed one: refused (405/501), or, on a host that caps us, any error.
const NO_HEAD_AFTER: u32 = 3;

/// Good answers under a ceiling set by a single 429 before it is lifted
/// by one (doubled at each such 429; see `slow_down`).
const PROBATION: usize = 8;

/// The lowest a 429 can set a host's ceiling (see `slow_down`).
pub(super) const CEILING_FLOOR: usize = 2;

#[derive(Debug)]
pub(super) struct Host {
    pub in_flight: usize,
    pub limit: usize,
    pub ceiling: usize,
    pub paused_until: Option<Instant>,
    /// How many times it has asked us to slow down.
    pub epoch: u64,
    /// Good answers under full load since the limit last grew.
    good_window: usize,
    /// HEADs answered with an error that only a GET could confirm.
    pub head_errors: u32,
    /// HEADs answered 405 or 501.
    pub head_refusals: u32,
    /// HEADs answered at all.
    pub heads: u32,
    /// GETs answered with a file (not a page: large, or not HTML).
    pub files: u32,
    /// How its HEADs that said "gone" (404, 410) looked when the GET after
    /// said the same, and how many did.
    head_gone_confirmed: Vec<(Shape, u32)>,
    /// A HEAD said "gone" and the GET after found the page: HEAD lies here.
    head_lies: bool,
    /// Has refused several requests of one burst (429, or a `Retry-After`):
    /// it caps concurrent requests, so every request counts.
    pub capped: bool,
    /// First tries answered with a bare 503 since its last good answer.
    bare_503s: u32,
    /// Bursts of refusals (429, or a `Retry-After`) so far.
    pub refusals: u64,
    /// Requests sent to it so far (see `Job::sent_seq`).
    pub sent: u64,
    /// The last request whose refusal paused it: an answer to any request
    /// sent after that one ends the pause. `None` while no pause is on.
    paused_by: Option<u64>,
    /// Good answers at a ceiling on probation that lift it by one.
    probation: usize,
    /// The load at which a request was last refused alone.
    lone_refusal_at: Option<usize>,
    /// Good answers at the ceiling since it was last set or lifted.
    good_at_ceiling: usize,
    /// When it last answered (or failed) a request.
    pub last_answer: Option<Instant>,
    /// Requests set aside as outliers (see `Queue::set_aside`), at most `max_per_host`.
    pub outliers: usize,
    /// Has given any answer other than a gateway error.
    pub answered: bool,
    /// First tries that met a connection failure or a gateway error, while
    /// it has never answered.
    pub silent_failures: u32,
    /// Links whose URL is on it and that have no verdict yet (wherever
    /// their redirects went since).
    pub open_urls: usize,
}

impl Host {
    pub fn new(start: usize, max: usize) -> Host {
        Host {
            in_flight: 0,
            limit: start,
            ceiling: max,
            paused_until: None,
            epoch: 0,
            good_window: 0,
            head_errors: 0,
            head_refusals: 0,
            heads: 0,
            files: 0,
            head_gone_confirmed: Vec::new(),
            head_lies: false,
            capped: false,
            bare_503s: 0,
            refusals: 0,
            sent: 0,
            paused_by: None,
            probation: PROBATION,
            lone_refusal_at: None,
            good_at_ceiling: 0,
            last_answer: None,
            outliers: 0,
            answered: false,
            silent_failures: 0,
            open_urls: 0,
        }
    }

    /// Whether its URLs go straight to GET: once it refuses HEAD as a rule
    /// (`NO_HEAD_AFTER` refusals, and most of the HEADs it answered), as
    /// long as it has served no file to a GET. A host that refuses HEAD for
    /// a few URLs only keeps being asked with HEAD, and so does one with
    /// files among its links: a GET of each URL would start the transfer of
    /// every large body. (Dead links cost one request each once the host's
    /// HEAD is believed: see `trusts_head_gone`.)
    pub fn skips_head(&self) -> bool {
        self.head_refusals >= NO_HEAD_AFTER
            && self.head_refusals * 5 >= self.heads * 4
            && self.files == 0
    }

    /// Whether a HEAD's 404 or 410 that looks like `shape` is believed
    /// without a GET: once GETs have confirmed `NO_HEAD_AFTER` of that look,
    /// and none has contradicted one. A host with a thousand links, a third
    /// of them gone, then costs one request per dead link, not two. A HEAD
    /// that lies about a page usually comes from another path of the
    /// server (no body, another type) than its real "not found" page, and
    /// is asked again with GET.
    pub fn believes_head_gone(&self, shape: &Shape) -> bool {
        !self.head_lies
            && self
                .head_gone_confirmed
                .iter()
                .any(|(s, n)| s == shape && *n >= NO_HEAD_AFTER)
    }

    /// Whether what its HEAD's "gone" is worth is still being learnt.
    pub fn learning_head(&self) -> bool {
        !self.head_lies
            && self
                .head_gone_confirmed
                .iter()
                .all(|(_, n)| *n < NO_HEAD_AFTER)
    }

    /// The GET that confirms a HEAD's `head_said` (and how it looked) answered `status`.
    pub fn head_checked(&mut self, (head_said, shape): &(u16, Shape), status: u16) {
        if !matches!(head_said, 404 | 410) {
            return;
        }
        if status == *head_said {
            match self
                .head_gone_confirmed
                .iter_mut()
                .find(|(s, _)| s == shape)
            {
                Some((_, n)) => *n += 1,
                None => self.head_gone_confirmed.push((shape.clone(), 1)),
            }
        } else if (200..300).contains(&status) {
            self.head_lies = true;
        }
    }

    /// A HEAD answered `status`, an error that a GET must confirm. A host
    /// that refuses HEAD, or that limits us (so that every request
    /// counts), is asked with GET from then on: one request per URL, not two.
    pub fn head_needed_get(&mut self, status: u16) {
        self.head_errors += 1;
        if matches!(status, 405 | 501) {
            self.head_refusals += 1;
        }
    }

    /// Retries left to its URLs. A host that has never answered and has
    /// failed twice (connection errors, gateway errors) is down: each of
    /// its URLs still gets one try, but no more, so a lapsed domain with a
    /// hundred links costs a hundred requests, not three hundred.
    pub fn retry_budget(&self, retries: u32) -> u32 {
        if !self.answered && self.silent_failures >= 2 {
            0
        } else {
            retries
        }
    }

    /// Notes what an answer says of the host's health: a gateway error or a
    /// failed connection on a first try, while it has never answered, is
    /// evidence that it is down; anything else is an answer.
    /// (A timeout says nothing either way: one URL may hang on a live host.)
    pub fn observe(&mut self, answer: &Answer, first_try: bool) {
        match answer {
            Answer::Response {
                status: 502 | 504, ..
            } => self.silent_failures += u32::from(first_try),
            Answer::Response { .. } => self.answered = true,
            Answer::Failed(f) if matches!(f.kind, FailureKind::Timeout | FailureKind::Refused) => {}
            Answer::Failed(_) => self.silent_failures += u32::from(first_try),
        }
    }

    /// A 429/503: the host asks for less. A refusal (429, or any answer
    /// with `Retry-After`) pauses it for `Retry-After` (`pause`, else the
    /// backoff base) and keeps the load below the one refused as a
    /// ceiling, which the limit drops to: for good when several requests
    /// of one burst were refused (a cap on concurrent requests), on
    /// probation when one was (it may be one URL's limit: the ceiling is
    /// lifted by one after a window of good answers under it, a window
    /// that doubles with each such refusal), and for good again when that
    /// lift draws a lone refusal at the same load. A refusal of a load of
    /// two or less sets no ceiling: it is a rate limit or one URL's. The
    /// pause lasts until a request sent after the last refused one is
    /// answered (not refused): the refusal was then that URL's, or of a
    /// load since lowered, and a host that limits requests over time
    /// refuses those too. A bare 503 (no
    /// `Retry-After`) says nothing of the load that drew it and is often
    /// one URL's answer: two in a row from different URLs halve the limit
    /// (once per burst), and each URL's own backoff does the rest.
    /// Returns until when the host is paused, if it is.
    pub fn slow_down(
        &mut self,
        job: &Job,
        status: u16,
        retry_after: Option<Duration>,
        pause: Duration,
        max_per_host: usize,
        now: Instant,
    ) -> Option<Instant> {
        let floor = CEILING_FLOOR.min(max_per_host.max(1));
        let refusal = status == 429 || retry_after.is_some();
        // A bare 503 amid good answers is one URL's (a dead page behind a
        // proxy); two from different URLs with no good answer between are
        // the host's. A retry's 503 is the same URL saying it again.
        if !refusal && job.tries == 0 {
            self.bare_503s += 1;
        }
        let overloaded = refusal || (job.tries == 0 && self.bare_503s >= 2);
        if job.sent_epoch == self.epoch && overloaded {
            self.epoch += 1;
            self.good_window = 0;
            // A refusal says which load was too much: the ceiling below
            // (set next) is the limit. A bare 503 does not: halve.
            if !refusal {
                self.limit = (self.limit / 2).max(floor);
            }
        }
        let mut paused = None;
        if refusal {
            // Refused too though sent before the burst's first refusal came back?
            let burst = job.sent_refusals < self.refusals;
            if !burst {
                self.refusals += 1;
            }
            // Never below two slots: a load of two or less refused is a
            // rate limit (the pause handles it) or a single URL's, not a
            // cap on concurrent requests, and one stalled request must not
            // be able to hold a whole host.
            if job.sent_level > floor {
                // A level refused twice, alone each time, is a cap too: the
                // ceiling's probation lifted it and the same refusal came back.
                if burst || self.lone_refusal_at == Some(job.sent_level) {
                    self.capped = true;
                } else {
                    self.lone_refusal_at = Some(job.sent_level);
                    self.probation = self.probation.saturating_mul(2);
                }
                self.ceiling = self.ceiling.min(job.sent_level - 1);
                self.good_at_ceiling = 0;
            }
            let until = now + pause;
            let until = self.paused_until.map_or(until, |t| t.max(until));
            self.paused_until = Some(until);
            self.paused_by = Some(self.paused_by.map_or(job.sent_seq, |s| s.max(job.sent_seq)));
            paused = Some(until);
        }
        self.limit = self.limit.min(self.ceiling);
        paused
    }

    /// A good answer given under full load counts toward one more slot; a
    /// full window of them (as many as the limit) earns it, up to the
    /// ceiling. One slot per round, not per answer: growing per answer
    /// doubles the load before the first 429 can come back, and every
    /// request sent meanwhile draws one. At a ceiling on probation, a
    /// window of `probation` good answers lifts it by one. It also ends a
    /// lone refusal's pause when sent after the refused request.
    pub fn speed_up(&mut self, job: &Job, max_per_host: usize) {
        let max = max_per_host.max(1);
        self.bare_503s = 0;
        if self.paused_until.is_none() {
            self.paused_by = None;
        } else if self.paused_by.is_some_and(|s| job.sent_seq > s) {
            // Sent after the refused request and not refused: the pause was not the host's.
            self.paused_until = None;
            self.paused_by = None;
        }
        if job.sent_level < self.limit || job.sent_epoch != self.epoch {
            return;
        }
        if self.limit >= self.ceiling {
            if self.capped || self.ceiling >= max {
                return;
            }
            self.good_at_ceiling += 1;
            if self.good_at_ceiling >= self.probation {
                self.ceiling += 1;
                self.good_at_ceiling = 0;
            }
            return;
        }
        self.good_window += 1;
        if self.good_window >= self.limit {
            self.limit += 1;
            self.good_window = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Url;

    fn sent(h: &mut Host, tries: u32) -> Job {
        h.in_flight += 1;
        let mut j = Job::new(0, Url::parse("http://h.test/").unwrap());
        j.tries = tries;
        j.sent_level = h.in_flight;
        j.sent_epoch = h.epoch;
        j.sent_refusals = h.refusals;
        h.sent += 1;
        j.sent_seq = h.sent;
        j
    }

    fn answer_ok(h: &mut Host, j: &Job) {
        h.in_flight -= 1;
        h.speed_up(j, 6);
    }

    fn answer(h: &mut Host, j: &Job, status: u16, retry_after: Option<Duration>) {
        h.in_flight -= 1;
        h.slow_down(j, status, retry_after, Duration::ZERO, 6, Instant::now());
    }

    /// Sends as many requests as the limit allows, then answers them all well.
    fn good_round(h: &mut Host) {
        let jobs: Vec<Job> = (0..h.limit).map(|_| sent(h, 0)).collect();
        for j in &jobs {
            answer_ok(h, j);
        }
    }

    #[test]
    fn a_bare_503_amid_good_answers_is_one_urls_and_two_in_a_row_are_the_hosts() {
        let mut h = Host::new(2, 6);
        good_round(&mut h);
        good_round(&mut h);
        assert_eq!(h.limit, 3, "a full window of good answers earns a slot");
        let dead = sent(&mut h, 0);
        answer(&mut h, &dead, 503, None);
        assert_eq!(h.limit, 3, "one dead page's 503 does not slow the host");
        assert!(h.paused_until.is_none());
        let (a, b) = (sent(&mut h, 0), sent(&mut h, 0));
        answer(&mut h, &a, 503, None);
        answer(&mut h, &b, 503, None);
        assert_eq!(h.limit, 2, "503s from two URLs in a row halve it");
        assert_eq!(h.ceiling, 6, "a bare 503 sets no ceiling");
    }

    #[test]
    fn a_429_drops_to_the_load_below_on_probation_alone_and_for_good_in_a_burst() {
        let mut h = Host::new(4, 6);
        let mut jobs: Vec<Job> = (0..4).map(|_| sent(&mut h, 0)).collect();
        // The fourth request, sent at level 4, is refused alone.
        let last = jobs.pop().unwrap();
        answer(&mut h, &last, 429, Some(Duration::ZERO));
        assert_eq!(h.ceiling, 3);
        assert_eq!(
            h.limit, 3,
            "after its pause the host goes on at the load below the one refused, not at half"
        );
        assert!(h.paused_until.is_some());
        assert!(!h.capped);
        for j in &jobs {
            answer_ok(&mut h, j);
        }
        h.paused_until = None;
        // Good answers at the ceiling lift it by one after the probation window.
        for _ in 0..60 {
            good_round(&mut h);
            if h.ceiling > 3 {
                break;
            }
        }
        assert_eq!(h.ceiling, 4, "the ceiling stays on probation: {h:?}");
        for _ in 0..20 {
            if h.limit == 4 {
                break;
            }
            good_round(&mut h);
        }
        assert_eq!(h.limit, 4, "the limit grows back to 4");
        // The lifted level refused alone again: that is the host's cap.
        let mut jobs: Vec<Job> = (0..4).map(|_| sent(&mut h, 0)).collect();
        let last = jobs.pop().unwrap();
        assert_eq!(last.sent_level, 4);
        answer(&mut h, &last, 429, Some(Duration::ZERO));
        assert!(h.capped, "refused twice at 4: {h:?}");
        assert_eq!(h.ceiling, 3);

        // A burst: two requests of one round refused.
        let mut h = Host::new(5, 6);
        let mut sent_jobs: Vec<Job> = (0..5).map(|_| sent(&mut h, 0)).collect();
        // The first answer frees a slot, refilled at level 5 again before
        // the refusal of the first level-5 request comes back.
        let first = sent_jobs.remove(0);
        answer_ok(&mut h, &first);
        let again = sent(&mut h, 0);
        assert_eq!(again.sent_level, 5);
        let a = sent_jobs.pop().unwrap();
        answer(&mut h, &a, 429, Some(Duration::ZERO));
        assert!(!h.capped, "one refusal could be one URL's");
        answer(&mut h, &again, 429, Some(Duration::ZERO));
        assert!(h.capped);
        assert_eq!(h.ceiling, 4);
    }

    fn refuse(h: &mut Host, j: &Job) {
        h.in_flight -= 1;
        let second = Duration::from_secs(1);
        h.slow_down(j, 429, Some(second), second, 6, Instant::now());
    }

    #[test]
    fn a_refusals_pause_ends_when_a_request_sent_after_it_is_answered() {
        let mut h = Host::new(4, 6);
        let jobs: Vec<Job> = (0..4).map(|_| sent(&mut h, 0)).collect();
        refuse(&mut h, &jobs[2]);
        assert!(h.paused_until.is_some());
        answer_ok(&mut h, &jobs[0]);
        assert!(
            h.paused_until.is_some(),
            "sent before the refused one: says nothing"
        );
        answer_ok(&mut h, &jobs[3]);
        assert!(
            h.paused_until.is_none(),
            "a later request answered: the refusal was its URL's"
        );
        assert_eq!(h.ceiling, 2, "the load refused is not tried again");

        // A host that limits requests over time refuses the later ones too.
        let mut h = Host::new(4, 6);
        let jobs: Vec<Job> = (0..4).map(|_| sent(&mut h, 0)).collect();
        for j in &jobs[1..] {
            refuse(&mut h, j);
        }
        answer_ok(&mut h, &jobs[0]);
        assert!(h.paused_until.is_some(), "{h:?}");
    }

    #[test]
    fn a_refusal_of_a_lone_request_pauses_but_sets_no_ceiling() {
        let mut h = Host::new(2, 6);
        let (a, b) = (sent(&mut h, 0), sent(&mut h, 0));
        refuse(&mut h, &a);
        refuse(&mut h, &b);
        assert!(h.paused_until.is_some());
        assert_eq!(
            h.ceiling, 6,
            "two at once refused says nothing of a cap: {h:?}"
        );
        assert!(!h.capped);
    }

    fn status(s: u16) -> Answer {
        Answer::Response {
            status: s,
            location: None,
            retry_after: None,
            wall: None,
            page: None,
            readable: true,
            shape: Shape::default(),
        }
    }

    fn reset() -> Answer {
        Answer::Failed(crate::net::Failure {
            kind: FailureKind::Transient,
            cause: "connection reset".into(),
        })
    }

    #[test]
    fn only_a_host_that_refuses_head_as_a_rule_is_asked_with_get_straight_away() {
        let mut h = Host::new(2, 6);
        h.heads = 20;
        for _ in 0..3 {
            h.head_needed_get(405);
        }
        assert!(!h.skips_head(), "3 refusals of 20: HEAD works for the rest");
        let mut h = Host::new(2, 6);
        h.heads = 3;
        for _ in 0..3 {
            h.head_needed_get(405);
        }
        assert!(h.skips_head(), "every HEAD refused");
        h.files = 1;
        assert!(
            !h.skips_head(),
            "but not when it serves files: each GET would pull one"
        );
    }

    #[test]
    fn a_hosts_head_404_is_believed_once_gets_have_confirmed_it_and_never_after_a_lie() {
        let page = Shape {
            content_type: "text/html".into(),
            empty: false,
        };
        let bare = Shape::default();
        let mut h = Host::new(2, 6);
        for _ in 0..3 {
            assert!(!h.believes_head_gone(&page));
            h.head_checked(&(404, page.clone()), 404);
        }
        assert!(h.believes_head_gone(&page));
        assert!(
            !h.believes_head_gone(&bare),
            "a bodiless 404 is not the host's not-found page"
        );
        h.head_checked(&(404, page.clone()), 429);
        assert!(
            h.believes_head_gone(&page),
            "a 429 to the GET says nothing of the HEAD"
        );
        h.head_checked(&(404, bare.clone()), 200);
        assert!(
            !h.believes_head_gone(&page),
            "HEAD said gone, GET found the page"
        );
    }

    #[test]
    fn a_host_that_never_answers_and_fails_twice_is_down_and_gets_no_retries() {
        let mut h = Host::new(2, 6);
        h.observe(&reset(), true);
        assert_eq!(h.retry_budget(2), 2, "one failure may be one URL's");
        h.observe(&status(502), true);
        assert_eq!(h.retry_budget(2), 0);
        let mut h = Host::new(2, 6);
        h.observe(&status(404), true);
        h.observe(&reset(), true);
        h.observe(&reset(), true);
        assert_eq!(h.retry_budget(2), 2, "it answered once: it is up");
    }
}
