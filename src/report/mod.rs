//! Reports: one model of what a run found, rendered in several formats.
//!
//! Owns the report model ([`Report`]) and every output format. It does no
//! I/O of its own: renderers write to an `impl Write` they are given, and
//! the model is built from records the store returns.

mod json;
mod terminal;

pub use json::write_json;
pub use terminal::{write_link_line, write_terminal, TerminalOptions};

use crate::check::Status;
use crate::source::{Problem, Severity};
use crate::store::LinkRecord;
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
    /// Builds the report of run `run_id` from what the store returned.
    pub fn new(
        run_id: i64,
        started_at: i64,
        finished_at: i64,
        links: Vec<LinkRecord>,
        problems: &[Problem],
        requests: u64,
    ) -> Report {
        let mut s = Summary {
            urls: links.len(),
            problems: problems.len(),
            requests,
            ..Summary::default()
        };
        let mut issues = BTreeSet::new();
        for l in &links {
            s.occurrences += l.occurrences.len();
            issues.extend(l.occurrences.iter().map(|o| o.path.as_str()));
            *match l.status {
                Status::Ok => &mut s.ok,
                Status::Redirected => &mut s.redirected,
                Status::Broken => &mut s.broken,
                Status::Timeout => &mut s.timeout,
                Status::Error => &mut s.error,
                Status::Excluded => &mut s.excluded,
                Status::Unsupported => &mut s.unsupported,
            } += 1;
        }
        s.issues = issues.len();
        Report {
            version: REPORT_VERSION,
            run: RunInfo {
                id: run_id,
                started_at: crate::store::rfc3339(started_at),
                finished_at: crate::store::rfc3339(finished_at),
            },
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

    /// Links whose check failed (broken, timeout, error).
    pub fn failures(&self) -> impl Iterator<Item = &LinkRecord> {
        self.links.iter().filter(|l| l.status.is_failure())
    }

    /// Inputs that could not be read at all.
    pub fn unread_inputs(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == "error")
            .count()
    }
}
