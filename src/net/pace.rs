//! A per-endpoint pacer: at most N requests a minute, evenly spaced, and a
//! pause when the endpoint says 429/503 with `Retry-After`.
//!
//! Written by hand rather than with governor: one endpoint, one rate, and
//! a pause that the server sets; a mutex over one instant does it.

use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Paces requests to one endpoint.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    /// At most `per_minute` requests a minute (0 means unlimited).
    pub fn per_minute(per_minute: u32) -> Pacer {
        let interval = if per_minute == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs(60) / per_minute
        };
        Pacer {
            interval,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this request's turn.
    pub async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let at = (*next).max(now);
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }

    /// Holds every later request until `pause` has passed.
    pub async fn pause(&self, pause: Duration) {
        let mut next = self.next.lock().await;
        *next = (*next).max(Instant::now() + pause);
    }
}
