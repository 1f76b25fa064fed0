//! Which hosts have been probed with a made-up path, what they answered,
//! and which links wait for the answer.
//!
//! One probe per host while the host answers honestly: the first probe of
//! a host that answers 404 settles every directory of it. A host that
//! answers the made-up path with 200 is probed once per directory of its
//! links (sites mix behaviours by section), up to `MAX_DIRS`; further
//! directories share the host's first answer.

use super::super::soft::{Landing, Probed};
use super::super::verdict::{Job, ProbeKey};
use std::collections::HashMap;

/// Directories probed on one soft host, at most.
const MAX_DIRS: usize = 8;

/// A link waiting for its host's probe: where it landed.
#[derive(Debug)]
pub(super) struct Waiter {
    pub hid: usize,
    pub job: Job,
    pub landing: Landing,
    /// Whether its page could be read (see `Next::Accepted`).
    pub readable: bool,
}

#[derive(Debug)]
enum State {
    Asked(Vec<Waiter>),
    Answered(Probed),
}

/// What is known of a probe when a link needs it.
#[derive(Debug)]
pub(super) enum Known<'a> {
    /// Answered.
    Answered(&'a Probed),
    /// Asked, not answered: the link waits on this key.
    Asked(ProbeKey),
    /// Not asked yet: the caller sends the probe of this key.
    Unasked(ProbeKey),
}

#[derive(Debug, Default)]
pub(super) struct Probes {
    states: HashMap<ProbeKey, State>,
    /// Per origin: its first probe's key and answer, once answered.
    first: HashMap<String, ProbeKey>,
    /// Per origin: directories probed.
    dirs: HashMap<String, usize>,
}

impl Probes {
    /// What is known of the probe `key` stands for.
    pub fn known(&mut self, key: ProbeKey) -> Known<'_> {
        let origin = key.0.clone();
        // Until a host's first probe answers, every directory waits on it;
        // an honest host is honest everywhere; a soft one past its
        // directory budget shares its first answer.
        let settled_by_first = self.first.get(&origin).cloned().filter(|first| {
            let state = self.states.get(first);
            let pending = matches!(state, Some(State::Asked(_)));
            let honest = matches!(state, Some(State::Answered(Probed::Honest)));
            let full = self.dirs.get(&origin).copied().unwrap_or(0) >= MAX_DIRS;
            (pending || honest || full) && !self.states.contains_key(&key)
        });
        let key = settled_by_first.unwrap_or(key);
        match self.states.get(&key) {
            Some(State::Answered(p)) => Known::Answered(p),
            Some(State::Asked(_)) => Known::Asked(key),
            None => Known::Unasked(key),
        }
    }

    /// The probe of `key` is sent.
    pub fn asked(&mut self, key: ProbeKey) {
        *self.dirs.entry(key.0.clone()).or_default() += 1;
        self.first
            .entry(key.0.clone())
            .or_insert_with(|| key.clone());
        self.states.insert(key, State::Asked(Vec::new()));
    }

    /// `waiter` waits for the probe of `key`, as [`Probes::known`] named it.
    pub fn wait(&mut self, key: &ProbeKey, waiter: Waiter) {
        if let Some(State::Asked(waiters)) = self.states.get_mut(key) {
            waiters.push(waiter);
        } else {
            debug_assert!(false, "waiting on a probe not asked: {key:?}");
        }
    }

    /// The probe of `key` answered: returns the links that waited for it.
    pub fn answered(&mut self, key: ProbeKey, probed: Probed) -> Vec<Waiter> {
        match self.states.insert(key, State::Answered(probed)) {
            Some(State::Asked(waiters)) => waiters,
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Url;

    fn key(dir: &str) -> ProbeKey {
        ("https://h.test".into(), dir.into())
    }

    fn waiter() -> Waiter {
        let url = Url::parse("https://h.test/a/b").unwrap();
        Waiter {
            hid: 0,
            job: Job::new(1, url.clone()),
            landing: Landing {
                status: 200,
                url,
                hops: 0,
                page: None,
            },
            readable: true,
        }
    }

    #[test]
    fn an_honest_host_is_probed_once_and_a_soft_one_per_directory() {
        let mut p = Probes::default();
        let Known::Unasked(k) = p.known(key("/a/")) else {
            panic!()
        };
        p.asked(k.clone());
        assert!(matches!(p.known(key("/a/")), Known::Asked(_)));
        p.wait(&k, waiter());
        let woken = p.answered(k, Probed::Honest);
        assert_eq!(woken.len(), 1);
        assert!(
            matches!(p.known(key("/other/")), Known::Answered(Probed::Honest)),
            "one honest answer settles the host"
        );

        let soft = Landing {
            status: 200,
            url: Url::parse("https://s.test/x").unwrap(),
            hops: 0,
            page: None,
        };
        let mut p = Probes::default();
        let skey = |d: &str| ("https://s.test".to_string(), d.to_string());
        p.asked(skey("/a/"));
        assert!(
            matches!(p.known(skey("/b/")), Known::Asked(k) if k == skey("/a/")),
            "until the host's first probe answers, other directories wait on it"
        );
        p.answered(skey("/a/"), Probed::Soft(Box::new(soft.clone())));
        assert!(
            matches!(p.known(skey("/b/")), Known::Unasked(_)),
            "each directory of a soft host"
        );
        for i in 0..MAX_DIRS {
            p.asked(skey(&format!("/d{i}/")));
        }
        assert!(
            matches!(p.known(skey("/z/")), Known::Answered(Probed::Soft(_))),
            "past the budget, the host's first answer"
        );
    }
}
