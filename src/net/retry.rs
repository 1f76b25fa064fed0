//! The one retry policy: which answers are worth another try, and when.
//!
//! Checks, crawled pages and archive requests all ask it. Transient
//! failures (a reset connection, 429, 502, 503, 504) are tried again up to
//! `retries` times with exponential backoff and jitter; a `Retry-After` is
//! honoured up to `max_retry_after`; a timeout only `timeout_retries`
//! times, since it already cost a whole timeout; nothing else is retried.

use super::FailureKind;
use std::time::{Duration, SystemTime};

/// When to try again. [`RetryPolicy::default`] holds the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Extra tries for resets, 429 and 502/503/504.
    pub retries: u32,
    /// Extra tries after a timeout. Each costs a full timeout, and a link
    /// that times out is a soft failure that the history confirms across
    /// runs, so the default is none.
    pub timeout_retries: u32,
    /// First backoff; doubles with each try, with jitter.
    pub backoff_base: Duration,
    /// Longest `Retry-After` honoured; longer ones are cut to this.
    pub max_retry_after: Duration,
    /// How long a refusal without `Retry-After` holds a retry back, at
    /// least (none for links: the backoff does; the archives ask for 60 s).
    pub unasked_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 2,
            timeout_retries: 0,
            backoff_base: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            unasked_wait: Duration::ZERO,
        }
    }
}

/// What a try came back with, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// An HTTP status, with its `Retry-After` if any.
    Status(u16, Option<Duration>),
    /// No response.
    Failed(FailureKind),
}

impl RetryPolicy {
    /// Whether a status asks for another try later (rate limited, or a
    /// gateway that may recover).
    pub fn transient_status(status: u16) -> bool {
        matches!(status, 429 | 502..=504)
    }

    /// How long to wait before trying again after `attempt`, the try
    /// numbered `tries` (0 for the first), or `None` to give up. `budget`
    /// replaces `retries` when the caller knows better (a host that is
    /// down gets none).
    pub fn again(&self, attempt: Attempt, tries: u32, budget: Option<u32>) -> Option<Duration> {
        let retries = budget.unwrap_or(self.retries);
        match attempt {
            Attempt::Status(s, retry_after) if Self::transient_status(s) && tries < retries => {
                Some(self.pause(retry_after).max(self.backoff(tries)))
            }
            Attempt::Failed(FailureKind::Timeout) if tries < self.timeout_retries => {
                Some(self.backoff(tries))
            }
            Attempt::Failed(FailureKind::Transient) if tries < retries => Some(self.backoff(tries)),
            _ => None,
        }
    }

    /// Exponential backoff with jitter: base * 2^tries, scaled by a random 50-100%.
    pub fn backoff(&self, tries: u32) -> Duration {
        let exp = self.backoff_base.saturating_mul(1 << tries.min(10));
        exp.mul_f64(0.5 + fastrand::f64() * 0.5)
    }

    /// How long a `Retry-After` holds requests back: as asked, up to
    /// `max_retry_after`; none asked, `unasked_wait`.
    pub fn pause(&self, retry_after: Option<Duration>) -> Duration {
        retry_after
            .map(|d| d.min(self.max_retry_after))
            .unwrap_or(self.unasked_wait)
    }
}

/// `Retry-After` as seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_answers_are_retried_within_the_budget_and_nothing_else() {
        let p = RetryPolicy {
            backoff_base: Duration::from_millis(100),
            ..RetryPolicy::default()
        };
        let wait = p.again(Attempt::Status(429, Some(Duration::from_secs(3))), 0, None);
        assert_eq!(wait, Some(Duration::from_secs(3)), "Retry-After wins");
        let capped = p.again(
            Attempt::Status(503, Some(Duration::from_secs(600))),
            0,
            None,
        );
        assert_eq!(
            capped,
            Some(Duration::from_secs(60)),
            "cut to max_retry_after"
        );
        assert!(p.again(Attempt::Status(502, None), 1, None).is_some());
        assert_eq!(p.again(Attempt::Status(502, None), 2, None), None);
        assert_eq!(p.again(Attempt::Status(404, None), 0, None), None);
        assert_eq!(p.again(Attempt::Status(503, None), 0, Some(0)), None);
        assert!(p
            .again(Attempt::Failed(FailureKind::Transient), 0, None)
            .is_some());
        assert_eq!(
            p.again(Attempt::Failed(FailureKind::Timeout), 0, None),
            None
        );
        assert_eq!(
            p.again(Attempt::Failed(FailureKind::Permanent), 0, None),
            None
        );
        assert_eq!(
            p.again(Attempt::Failed(FailureKind::Refused), 0, None),
            None
        );
        let b = p.backoff(2);
        assert!(b >= Duration::from_millis(200) && b <= Duration::from_millis(400));
    }
}
