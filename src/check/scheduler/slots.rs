//! The global limit: requests in flight over all hosts, with the ones
//! that have heard nothing for a while moved to a pool of their own.

use super::budget::{Budget, Room};
use crate::check::CheckConfig;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The global limit. It bounds requests that are getting answers; one
/// that has heard nothing for `stall_after` (a black-holed host, a server
/// that never answers) moves to a pool of its own, bounded too, so that a
/// few dozen dead hosts cannot hold the whole run at their timeout.
/// Per-host limits still count every request, stalled or not.
pub(super) struct Slots {
    max_active: usize,
    max_stalled: usize,
    stall_after: Duration,
    /// Requests in flight, oldest first, and what is known of each.
    pub flights: HashMap<tokio::task::Id, Flight>,
    order: VecDeque<(Instant, tokio::task::Id)>,
    stalled: usize,
    /// The host on the critical path (see `budget.rs`), and how many of
    /// its requests count toward the limit.
    pole: Option<usize>,
    pole_active: usize,
}

/// One request in flight.
#[derive(Debug, Clone, Copy)]
pub(super) struct Flight {
    pub host: usize,
    pub sent: Instant,
    /// Silent for `stall_after`: no longer counts toward the global limit.
    stalled: bool,
    /// Silent for `stall_after` while its host answered others since it
    /// was sent: no longer counts toward its host's limit (see
    /// `Queue::set_aside`).
    pub outlier: bool,
}

impl Slots {
    pub fn new(cfg: &CheckConfig) -> Self {
        Slots {
            max_active: cfg.max_concurrency.max(1),
            max_stalled: cfg.max_concurrency.max(1),
            stall_after: cfg.stall_after,
            flights: HashMap::new(),
            order: VecDeque::new(),
            stalled: 0,
            pole: None,
            pole_active: 0,
        }
    }

    /// What may be sent now: within the global limit, and the others'
    /// share of it that `budget` leaves.
    pub fn room(&self, budget: &Budget) -> Option<Room> {
        let active = self.flights.len() - self.stalled;
        if active >= self.max_active {
            return None;
        }
        budget.room(active, self.pole_active)
    }

    /// The pole changed: its requests in flight are counted again.
    pub fn set_pole(&mut self, pole: Option<usize>) {
        self.pole = pole;
        self.pole_active = self
            .flights
            .values()
            .filter(|f| !f.stalled && Some(f.host) == pole)
            .count();
    }

    pub fn started(&mut self, id: tokio::task::Id, host: usize, now: Instant) {
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
        self.pole_active += usize::from(self.pole == Some(host));
    }

    /// Forgets a finished request and says what it was.
    pub fn finished(&mut self, id: tokio::task::Id) -> Option<Flight> {
        let f = self.flights.remove(&id)?;
        if f.stalled {
            self.stalled -= 1;
        } else if self.pole == Some(f.host) {
            self.pole_active -= 1;
        }
        Some(f)
    }

    pub fn mark_stalled(&mut self, now: Instant) {
        while let Some(&(at, id)) = self.order.front() {
            if now.duration_since(at) < self.stall_after || self.stalled >= self.max_stalled {
                break;
            }
            self.order.pop_front();
            if let Some(f) = self.flights.get_mut(&id) {
                f.stalled = true;
                self.stalled += 1;
                if self.pole == Some(f.host) {
                    self.pole_active -= 1;
                }
            }
        }
    }

    pub fn next_stall(&self) -> Option<Instant> {
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
