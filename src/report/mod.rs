//! Reports: one model of what a run found, rendered in several formats.
//!
//! Owns the report model ([`Report`]) and every output format. It does no
//! I/O of its own: renderers write to an `impl Write` they are given, and
//! the model is built from records the store returns.

mod json;
mod terminal;

pub use json::write_json;
pub use terminal::{write_link_line, write_terminal, write_timeline, TerminalOptions};

use crate::check::Status;
use crate::history::{self, Policy, State};
use crate::source::{Problem, Severity};
use crate::store::{rfc3339, Change, LinkRecord};
use serde::Serialize;
use std::collections::BTreeSet;

/// Version of the JSON report format; bumped on incompatible changes.
pub const REPORT_VERSION: u32 = 1;

/// Everything a run found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// Which run.
    pub run: RunInfo,
    /// Counts.
    pub summary: Summary,
    /// One entry per distinct URL as written, sorted by URL.
    pub links: Vec<LinkRecord>,
    /// Inputs that could not be read, or were read with a caveat.
    pub problems: Vec<ProblemRecord>,
}

/// Identity and timing of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// Database id.
    pub id: i64,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339.
    pub finished_at: String,
}

/// Counts per outcome, over distinct URLs as written.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Distinct URLs.
    pub urls: usize,
    /// Occurrences of them in issues.
    pub occurrences: usize,
    /// Issues that hold at least one link.
    pub issues: usize,
    /// HTTP requests sent (each counted once, however many spellings of a
    /// URL shared it).
    pub requests: u64,
    /// Alive.
    pub ok: usize,
    /// Alive after redirects.
    pub redirected: usize,
    /// HTTP error status.
    pub broken: usize,
    /// No answer in time.
    pub timeout: usize,
    /// No HTTP answer.
    pub error: usize,
    /// Skipped by pattern or rule.
    pub excluded: usize,
    /// Not an http(s) link.
    pub unsupported: usize,
    /// Inputs with problems.
    pub problems: usize,
    /// Links whose result was reused from an earlier run (fresh enough).
    pub reused: usize,
    /// Links confirmed dead by their history.
    pub dead: usize,
    /// Links that alternate between alive and failing.
    pub flaky: usize,
    /// Links failing now that were alive (or new) at their previous check.
    pub newly_broken: usize,
    /// Links alive now that were failing at their previous check.
    pub recovered: usize,
}

/// Which links make `check` exit with code 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Any failing link (broken, timeout, error).
    #[default]
    Broken,
    /// Only links confirmed dead by their history.
    Dead,
    /// Only links that became failing since their previous check.
    New,
    /// Never (runtime failures still exit 1).
    None,
}

/// An input problem, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemRecord {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// `error` (not read) or `warning`.
    pub severity: &'static str,
}

impl Report {
    /// Builds the report of run `run_id` from what the store returned,
    /// judging each link's history by `policy`.
    pub fn new(
        run: RunInfo,
        mut links: Vec<LinkRecord>,
        problems: &[Problem],
        requests: u64,
        policy: &Policy,
    ) -> Report {
        let mut s = Summary {
            urls: links.len(),
            problems: problems.len(),
            requests,
            ..Summary::default()
        };
        let mut issues = BTreeSet::new();
        for l in &mut links {
            judge(l, policy);
            s.occurrences += l.occurrences.len();
            issues.extend(l.occurrences.iter().map(|o| o.path.clone()));
            *match l.status {
                Status::Ok => &mut s.ok,
                Status::Redirected => &mut s.redirected,
                Status::Broken => &mut s.broken,
                Status::Timeout => &mut s.timeout,
                Status::Error => &mut s.error,
                Status::Excluded => &mut s.excluded,
                Status::Unsupported => &mut s.unsupported,
            } += 1;
            s.reused += usize::from(l.reused);
            s.dead += usize::from(l.state == Some(State::Dead));
            s.flaky += usize::from(l.state == Some(State::Flaky));
            s.newly_broken += usize::from(l.change == Some(Change::NewlyBroken));
            s.recovered += usize::from(l.change == Some(Change::Recovered));
        }
        s.issues = issues.len();
        Report {
            version: REPORT_VERSION,
            run,
            summary: s,
            links,
            problems: problems
                .iter()
                .map(|p| ProblemRecord {
                    path: p.path.clone(),
                    message: p.message.clone(),
                    severity: match p.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    },
                })
                .collect(),
        }
    }

    /// Whether the run should fail CI under `fail_on`.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        match fail_on {
            FailOn::Broken => self.failures().next().is_some(),
            FailOn::Dead => self.links.iter().any(|l| l.state == Some(State::Dead)),
            FailOn::New => self
                .links
                .iter()
                .any(|l| l.change == Some(Change::NewlyBroken)),
            FailOn::None => false,
        }
    }

    /// Links whose check failed (broken, timeout, error).
    pub fn failures(&self) -> impl Iterator<Item = &LinkRecord> {
        self.links.iter().filter(|l| l.status.is_failure())
    }

    /// Links that changed since their previous check, as `(change, link)`.
    pub fn changes(&self) -> impl Iterator<Item = (Change, &LinkRecord)> {
        self.links.iter().filter_map(|l| l.change.map(|c| (c, l)))
    }

    /// Inputs that could not be read at all.
    pub fn unread_inputs(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == "error")
            .count()
    }
}

/// Fills a link's state, dates and change from its history.
fn judge(l: &mut LinkRecord, policy: &Policy) {
    let Some(v) = history::verdict(&l.history, policy) else {
        return;
    };
    l.state = Some(v.state);
    l.last_ok = v.last_ok.map(rfc3339);
    l.dead_since = v.dead_since.map(rfc3339);
    l.failures = v.failures;
    if l.reused {
        return;
    }
    let mut checks = l.history.iter().rev();
    let (Some(now), previous) = (checks.next(), checks.next()) else {
        return;
    };
    l.change = match (now.failed(), previous.map(history::CheckPoint::failed)) {
        (true, None | Some(false)) => Some(Change::NewlyBroken),
        (false, Some(true)) => Some(Change::Recovered),
        _ => None,
    };
}
