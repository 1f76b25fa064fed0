//! History: what a URL's checks over time say about it.
//!
//! Owns the verdict state machine (alive, failing, dead, flaky, recovered),
//! the hard/soft failure split and the freshness rules that let a run reuse
//! a recent result instead of asking again. Pure functions over check
//! points: no I/O, no clock of its own (callers pass `now`).

use crate::check::Status;
use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

/// What a URL's history says, as a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Every recent check found it alive.
    Alive,
    /// Failed, not (yet) confirmed dead.
    Failing,
    /// Confirmed: enough consecutive failures over enough days.
    Dead,
    /// Alternates between alive and failing.
    Flaky,
    /// Alive again after having been confirmed dead.
    Recovered,
}

impl State {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Alive => "alive",
            State::Failing => "failing",
            State::Dead => "dead",
            State::Flaky => "flaky",
            State::Recovered => "recovered",
        }
    }
}

/// One past check of a URL, as far as history cares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckPoint {
    /// Unix seconds.
    pub at: i64,
    /// Its verdict.
    pub status: Status,
    /// Its HTTP status, if any.
    pub http_status: Option<u16>,
    /// Its error, if any.
    pub error: Option<String>,
}

impl CheckPoint {
    /// Whether this check found the URL failing.
    pub fn failed(&self) -> bool {
        self.status.is_failure()
    }

    /// A hard failure says "gone" (404, 410, a name that does not resolve);
    /// a soft one may pass (timeouts, 5xx, 429, 403 bot blocking, resets).
    pub fn is_hard(&self) -> bool {
        match self.status {
            Status::Broken => matches!(self.http_status, Some(404 | 410)),
            // The site said "not found" (or sold the domain) in its own way.
            Status::SoftNotFound | Status::Parked => true,
            Status::Error => self.error.as_deref().is_some_and(|e| {
                let e = e.to_ascii_lowercase();
                e.contains("dns error")
                    || e.contains("failed to lookup")
                    || e.contains("name or service not known")
            }),
            _ => false,
        }
    }
}

/// When failures confirm a link dead. Defaults follow Wikipedia's
/// InternetArchiveBot: three failures at least three days apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Consecutive failed checks needed.
    pub dead_after_failures: u32,
    /// Seconds the failing streak must span.
    pub dead_after_secs: i64,
    /// The same, for a streak of hard failures only (404, 410, NXDOMAIN);
    /// lower it to let hard failures confirm faster.
    pub hard_dead_after_failures: u32,
    /// Seconds a streak of hard failures must span.
    pub hard_dead_after_secs: i64,
    /// How many recent checks are read to tell flaky from failing.
    pub window: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            dead_after_failures: 3,
            dead_after_secs: 3 * DAY,
            hard_dead_after_failures: 3,
            hard_dead_after_secs: 3 * DAY,
            window: 10,
        }
    }
}

/// A URL's state and the figures behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The state.
    pub state: State,
    /// First failure of the current failing streak (unix seconds).
    pub dead_since: Option<i64>,
    /// Consecutive failed checks, newest back.
    pub failures: u32,
    /// The newest check that found it alive.
    pub last_ok: Option<i64>,
}

/// The verdict of a history, `points` oldest first (only checks that made a
/// request count). `None` when there is no such check.
pub fn verdict(points: &[CheckPoint], policy: &Policy) -> Option<Verdict> {
    let points: Vec<&CheckPoint> = points.iter().filter(|p| p.status.is_conclusive()).collect();
    let last = *points.last()?;
    let last_ok = points.iter().rev().find(|p| !p.failed()).map(|p| p.at);
    let streak: Vec<&&CheckPoint> = points.iter().rev().take_while(|p| p.failed()).collect();
    let recent = &points[points.len().saturating_sub(policy.window)..];
    let changes = recent
        .windows(2)
        .filter(|w| w[0].failed() != w[1].failed())
        .count();

    if last.failed() {
        let first = streak.last().map_or(last.at, |p| p.at);
        let confirmed = confirmed(&streak, policy);
        let state = if confirmed {
            State::Dead
        } else if changes >= 2 {
            State::Flaky
        } else {
            State::Failing
        };
        return Some(Verdict {
            state,
            dead_since: Some(first),
            failures: u32::try_from(streak.len()).unwrap_or(u32::MAX),
            last_ok,
        });
    }
    // Alive now: was the failing streak before it confirmed dead?
    let before: Vec<&&CheckPoint> = points
        .iter()
        .rev()
        .skip(1)
        .take_while(|p| p.failed())
        .collect();
    let state = if !before.is_empty() && confirmed(&before, policy) {
        State::Recovered
    } else if changes >= 1 && recent.iter().any(|p| p.failed()) {
        State::Flaky
    } else {
        State::Alive
    };
    Some(Verdict {
        state,
        dead_since: None,
        failures: 0,
        last_ok,
    })
}

/// Whether a failing streak (newest first) meets the policy.
fn confirmed(streak: &[&&CheckPoint], policy: &Policy) -> bool {
    let (Some(newest), Some(oldest)) = (streak.first(), streak.last()) else {
        return false;
    };
    let span = newest.at - oldest.at;
    let n = u32::try_from(streak.len()).unwrap_or(u32::MAX);
    let soft = n >= policy.dead_after_failures && span >= policy.dead_after_secs;
    let hard = streak.iter().all(|p| p.is_hard())
        && n >= policy.hard_dead_after_failures
        && span >= policy.hard_dead_after_secs;
    soft || hard
}

/// How long a result stays fresh enough to reuse without a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaxAge {
    /// For `ok` and `redirected` results, in seconds.
    pub alive_secs: i64,
    /// For failures (`broken`, `timeout`, `error`), in seconds.
    pub failing_secs: i64,
}

impl Default for MaxAge {
    fn default() -> Self {
        MaxAge {
            alive_secs: 7 * DAY,
            failing_secs: DAY,
        }
    }
}

impl MaxAge {
    /// Whether `point` may stand for a check made at `now`.
    pub fn is_fresh(&self, point: &CheckPoint, now: i64) -> bool {
        if !point.status.was_checked() {
            return false;
        }
        // A bot wall may lift: it is asked again as soon as a failure is.
        let limit = if point.failed() || !point.status.is_conclusive() {
            self.failing_secs
        } else {
            self.alive_secs
        };
        now - point.at < limit
    }
}

/// Parses a duration as `90`, `90s`, `15m`, `12h`, `7d` or `2w` into seconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a duration; use e.g. 30m, 12h, 7d"))?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => {
            return Err(format!(
                "'{s}' has an unknown unit '{unit}'; use s, m, h, d or w"
            ))
        }
    };
    Ok(n.saturating_mul(mult))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(day: f64, status: Status, code: Option<u16>) -> CheckPoint {
        CheckPoint {
            at: (day * DAY as f64) as i64,
            status,
            http_status: code,
            error: None,
        }
    }
    fn fail(day: f64) -> CheckPoint {
        p(day, Status::Broken, Some(500))
    }
    fn ok(day: f64) -> CheckPoint {
        p(day, Status::Ok, Some(200))
    }
    fn state(points: &[CheckPoint]) -> State {
        verdict(points, &Policy::default()).unwrap().state
    }

    #[test]
    fn three_failures_over_three_days_are_dead_and_in_one_day_still_failing() {
        assert_eq!(state(&[fail(0.0), fail(1.5), fail(3.0)]), State::Dead);
        assert_eq!(state(&[fail(0.0), fail(0.2), fail(0.4)]), State::Failing);
        assert_eq!(
            state(&[fail(0.0), fail(3.0)]),
            State::Failing,
            "two failures are not three"
        );
    }

    #[test]
    fn fail_fail_ok_is_flaky_and_dead_then_ok_is_recovered() {
        assert_eq!(state(&[fail(0.0), fail(1.0), ok(2.0)]), State::Flaky);
        assert_eq!(
            state(&[fail(0.0), fail(2.0), fail(4.0), ok(5.0)]),
            State::Recovered
        );
        assert_eq!(
            state(&[ok(0.0), fail(1.0), ok(2.0), fail(3.0)]),
            State::Flaky
        );
        assert_eq!(state(&[ok(0.0), ok(1.0)]), State::Alive);
        assert_eq!(state(&[ok(0.0), fail(1.0)]), State::Failing);
    }

    #[test]
    fn hard_failures_confirm_faster_only_when_set_to() {
        let gone = |d| p(d, Status::Broken, Some(404));
        let fast = Policy {
            hard_dead_after_failures: 1,
            hard_dead_after_secs: 0,
            ..Policy::default()
        };
        assert_eq!(verdict(&[gone(0.0)], &fast).unwrap().state, State::Dead);
        assert_eq!(
            verdict(&[fail(0.0)], &fast).unwrap().state,
            State::Failing,
            "a 500 is soft"
        );
        assert_eq!(state(&[gone(0.0)]), State::Failing);
        let soft = p(0.0, Status::SoftNotFound, Some(200));
        assert_eq!(
            verdict(&[soft], &fast).unwrap().state,
            State::Dead,
            "a soft 404 is a hard failure, confirmed like a 404"
        );
        let wall = p(1.0, Status::Blocked, Some(403));
        assert_eq!(
            verdict(&[ok(0.0), wall], &Policy::default()).unwrap().state,
            State::Alive,
            "a bot wall is no strike"
        );
    }

    #[test]
    fn dead_since_is_the_first_failure_of_the_streak() {
        let v = verdict(
            &[fail(0.0), ok(1.0), fail(2.0), fail(3.0)],
            &Policy::default(),
        )
        .unwrap();
        assert_eq!(
            (v.dead_since, v.failures, v.last_ok),
            (Some(2 * DAY), 2, Some(DAY))
        );
    }

    #[test]
    fn freshness_depends_on_the_outcome() {
        let age = MaxAge::default();
        assert!(age.is_fresh(&ok(0.0), 6 * DAY));
        assert!(!age.is_fresh(&ok(0.0), 7 * DAY));
        assert!(!age.is_fresh(&fail(0.0), DAY + 1));
        assert_eq!(parse_duration("12h"), Ok(12 * 3600));
        assert_eq!(parse_duration("0"), Ok(0));
        assert!(parse_duration("3 days").is_err());
    }
}
