//! The share of the global limit left to the hosts off the critical path.
//!
//! A run cannot end before its longest host does: a capped platform with
//! thousands of links (the pole), working at its own limit. The other
//! hosts have time to spare, and sending their requests as fast as the
//! global limit allows only makes them compete with the pole's for what
//! every request shares on its way (this machine, its uplink, a proxy):
//! on the linkfarm's 100,000-link archive, the pole's answers took twice
//! their time while the crowd was at full speed, and the run ended when
//! the pole did, long after everyone else.
//!
//! So the others get a budget of requests in flight, reviewed every
//! second, that keeps them due to finish a timeout before the pole (their
//! last first tries may hang for one): lowered when they would finish well
//! before that, raised as soon as they would not. It never goes below
//! [`FLOOR`]; the pole's own requests are never held by it, and with no
//! pole (no host with [`CRITICAL_ROUNDS`] rounds of work left) it is the
//! global limit. Where the pole's pace does not depend on ours, the others
//! still finish before it: the run takes no longer, with a gentler load.

use super::host::{Host, CRITICAL_ROUNDS};
use std::time::{Duration, Instant};

/// The least budget: enough for the hosts that hang to leave room for the rest.
const FLOOR: usize = 32;

/// How often the budget is reviewed.
const REVIEW: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub(super) struct Budget {
    max: usize,
    /// Requests in flight allowed to hosts other than the pole.
    pub others: usize,
    /// The host with the most rounds of work left, when it has many.
    pub pole: Option<usize>,
    /// How long before the pole the others should be done: a timeout.
    margin: Duration,
    last_review: Instant,
    /// Verdicts since the last review, the pole's links' and the others'.
    pole_done: u32,
    others_done: u32,
    /// Verdicts per second, smoothed.
    pole_rate: Option<f64>,
    others_rate: Option<f64>,
    /// The pole's refusals at the last review.
    pole_refusals: Option<u64>,
}

/// What the budget allows next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Room {
    /// A request to any host.
    Any,
    /// A request to the pole only.
    Pole(usize),
}

impl Budget {
    pub fn new(max: usize, margin: Duration, now: Instant) -> Budget {
        Budget {
            max,
            others: max,
            pole: None,
            margin,
            last_review: now,
            pole_done: 0,
            others_done: 0,
            pole_rate: None,
            others_rate: None,
            pole_refusals: None,
        }
    }

    /// What may be sent with `active` requests in flight (stalled ones
    /// not counted), `pole_active` of them the pole's.
    pub fn room(&self, active: usize, pole_active: usize) -> Option<Room> {
        if active >= self.max {
            return None;
        }
        if active - pole_active.min(active) < self.others {
            return Some(Room::Any);
        }
        self.pole.map(Room::Pole)
    }

    /// A link whose URL is on `host` has its verdict.
    pub fn finished(&mut self, host: usize) {
        if self.pole == Some(host) {
            self.pole_done += 1;
        } else {
            self.others_done += 1;
        }
    }

    /// Every [`REVIEW`]: finds the pole and moves the budget, by the links
    /// left without a verdict (`pending` in all) and the pace verdicts
    /// come at. Returns the new pole when it changed.
    pub fn review(
        &mut self,
        hosts: &[Host],
        pending: usize,
        now: Instant,
    ) -> Option<Option<usize>> {
        let dt = now.duration_since(self.last_review);
        if dt < REVIEW {
            return None;
        }
        self.last_review = now;
        let secs = dt.as_secs_f64();
        let smooth = |old: Option<f64>, n: u32| {
            let r = f64::from(n) / secs;
            Some(old.map_or(r, |o| (o + r) / 2.0))
        };
        // A pause (a 429's Retry-After) says nothing of the pole's pace.
        let refusals = self.pole.map(|p| hosts[p].refusals);
        let paused = self.pole.is_some_and(|p| hosts[p].paused_until.is_some())
            || refusals != self.pole_refusals;
        self.pole_refusals = refusals;
        let done = std::mem::take(&mut self.pole_done);
        if !paused && done > 0 {
            self.pole_rate = smooth(self.pole_rate, done);
        }
        self.others_rate = smooth(self.others_rate, std::mem::take(&mut self.others_done));

        let mut best = None::<(usize, usize, usize)>;
        for (hid, host) in hosts.iter().enumerate() {
            let left = host.open_urls;
            let rounds = left / host.limit.max(1);
            if rounds >= CRITICAL_ROUNDS && best.is_none_or(|(r, _, _)| rounds > r) {
                best = Some((rounds, hid, left));
            }
        }
        let pole = best.map(|(_, hid, _)| hid);
        if pole != self.pole {
            self.pole = pole;
            self.others = self.max;
            self.pole_rate = None;
            self.others_rate = None;
            return Some(pole);
        }
        let (Some((_, _, pole_left)), Some(pr), Some(or)) =
            (best, self.pole_rate, self.others_rate)
        else {
            self.others = self.max;
            return None;
        };
        if pr <= 0.0 || or <= 0.0 {
            return None;
        }
        let pole_eta = pole_left as f64 / pr;
        let others_eta = pending.saturating_sub(pole_left) as f64 / or;
        let target = pole_eta - self.margin.as_secs_f64() / 2.0;
        if target <= self.margin.as_secs_f64() {
            // The pole is nearly done: nothing to gain by holding anyone.
            self.others = self.max;
        } else if others_eta < 0.85 * target {
            self.others = (self.others * 85 / 100).max(FLOOR.min(self.max));
        } else if others_eta > target {
            self.others = (self.others * 6 / 5 + 1).min(self.max);
        }
        tracing::debug!(
            others = self.others,
            pole_eta_s = pole_eta as u64,
            others_eta_s = others_eta as u64,
            "budget"
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pole_always_has_room_and_the_others_only_within_their_budget() {
        let mut b = Budget::new(100, Duration::from_secs(10), Instant::now());
        assert_eq!(b.room(99, 0), Some(Room::Any), "no pole: the global limit");
        assert_eq!(b.room(100, 0), None);
        b.pole = Some(7);
        b.others = 40;
        assert_eq!(b.room(43, 4), Some(Room::Any));
        assert_eq!(
            b.room(44, 4),
            Some(Room::Pole(7)),
            "the others' budget is spent"
        );
        assert_eq!(
            b.room(100, 4),
            None,
            "the global limit holds for the pole too"
        );
    }

    /// One host of `pole_urls` open links at limit 4, then `others` hosts
    /// of one link each.
    fn hosts(pole_urls: usize, others: usize) -> Vec<Host> {
        let mut pole = Host::new(4, 4);
        pole.open_urls = pole_urls;
        let mut out = vec![pole];
        for _ in 0..others {
            let mut h = Host::new(2, 6);
            h.open_urls = 1;
            out.push(h);
        }
        out
    }

    /// Reviews a second later, with `pole` and `others` verdicts in it.
    fn tick(b: &mut Budget, q: &[Host], pending: usize, pole: u32, others: u32, at: &mut Instant) {
        for _ in 0..pole {
            b.finished(0);
        }
        for _ in 0..others {
            b.finished(1);
        }
        *at += REVIEW;
        b.review(q, pending, *at);
    }

    #[test]
    fn the_others_are_held_while_they_would_finish_long_before_the_pole_and_let_go_when_not() {
        let mut at = Instant::now();
        let mut b = Budget::new(256, Duration::from_secs(10), at);
        // 4,000 links on the pole (1,000 rounds at 4) and 2,000 elsewhere.
        let q = hosts(4_000, 2_000);
        at += REVIEW;
        assert_eq!(
            b.review(&q, 6_000, at),
            Some(Some(0)),
            "the host with most rounds"
        );
        // The pole does 50 a second (80 s left), the others 500 (4 s).
        for _ in 0..20 {
            tick(&mut b, &q, 6_000, 50, 500, &mut at);
        }
        assert_eq!(b.others, FLOOR, "far ahead: held down to the floor");
        // Now the others would finish after the pole: they are let go.
        for _ in 0..40 {
            tick(&mut b, &q, 6_000, 50, 10, &mut at);
        }
        assert_eq!(b.others, 256, "behind: raised back to the global limit");
    }

    #[test]
    fn no_host_with_many_rounds_left_means_no_pole_and_the_global_limit() {
        let mut at = Instant::now();
        let mut b = Budget::new(256, Duration::from_secs(10), at);
        let q = hosts(40, 2_000);
        at += REVIEW;
        assert_eq!(b.review(&q, 2_040, at), None);
        assert_eq!((b.pole, b.others), (None, 256));
    }
}
