//! The counts of a report: per outcome over distinct URLs, occurrences,
//! issues, lint findings, and the failing links among them.

use super::{ProblemKind, ProblemRecord, ProblemSeverity};
use crate::check::Status;
use crate::history::State;
use crate::store::{Change, LinkRecord};
use serde::Serialize;
use std::collections::BTreeSet;

/// Counts per outcome, over distinct URLs as written.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Distinct URLs.
    pub urls: usize,
    /// Occurrences of them in issues.
    pub occurrences: usize,
    /// Issues that hold at least one link.
    pub issues: usize,
    /// Occurrences of the failing URLs: the failing links a reader meets.
    pub failing_occurrences: usize,
    /// Issues that hold at least one failing link.
    pub failing_issues: usize,
    /// HTTP requests sent (each counted once, however many spellings of a
    /// URL shared it).
    pub requests: u64,
    /// Alive.
    pub ok: usize,
    /// Alive after redirects.
    pub redirected: usize,
    /// HTTP error status.
    pub broken: usize,
    /// The site's "not found" page, answered with 200 (or a trip home).
    #[serde(rename = "soft_404")]
    pub soft_404: usize,
    /// Parked domains.
    pub parked: usize,
    /// No answer in time.
    pub timeout: usize,
    /// No HTTP answer.
    pub error: usize,
    /// Behind a bot wall: unknown.
    pub blocked: usize,
    /// Skipped by pattern or rule.
    pub excluded: usize,
    /// Not an http(s) link.
    pub unsupported: usize,
    /// Inputs with problems.
    pub problems: usize,
    /// Lint findings that are errors (placeholder, empty-link, malformed-url).
    pub lint_errors: usize,
    /// Lint findings that are notes (duplicate, seen-before, tracking, insecure).
    pub lint_notes: usize,
    /// Occurrences of relative links not checked for want of a base URL
    /// (placeholders and other lint errors, and template expressions, apart).
    pub relative_unchecked: usize,
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

impl Summary {
    /// Distinct URLs failing (broken, soft 404, parked, timeout, error).
    pub fn failing(&self) -> usize {
        self.broken + self.soft_404 + self.parked + self.timeout + self.error
    }
}

/// Counts a report's links into a [`Summary`], one at a time; the
/// problems are counted at the end.
#[derive(Default)]
pub(super) struct SummaryTally {
    s: Summary,
    /// Where relative links were left unchecked (no base URL).
    relative: Vec<(String, u32, u32)>,
    issues: BTreeSet<String>,
    failing_issues: BTreeSet<String>,
}

impl SummaryTally {
    /// Counts `l`.
    pub(super) fn add(&mut self, l: &LinkRecord) {
        let s = &mut self.s;
        s.urls += 1;
        s.occurrences += l.occurrences.len();
        for o in &l.occurrences {
            if !self.issues.contains(&o.path) {
                self.issues.insert(o.path.clone());
            }
            if l.status.is_failure() && !self.failing_issues.contains(&o.path) {
                self.failing_issues.insert(o.path.clone());
            }
        }
        if l.status.is_failure() {
            s.failing_occurrences += l.occurrences.len();
        }
        if l.status == Status::Unsupported
            && l.resolved.is_none()
            && crate::extract::is_relative(&l.url)
            && !crate::extract::is_template(&l.url)
        {
            self.relative.extend(
                l.occurrences
                    .iter()
                    .map(|o| (o.path.clone(), o.line, o.column)),
            );
        }
        *match l.status {
            Status::Ok => &mut s.ok,
            Status::Redirected => &mut s.redirected,
            Status::Broken => &mut s.broken,
            Status::SoftNotFound => &mut s.soft_404,
            Status::Parked => &mut s.parked,
            Status::Blocked => &mut s.blocked,
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

    /// The counts of every link added, and of `problems`, for a run that
    /// sent `requests`.
    pub(super) fn finish(mut self, problems: &[ProblemRecord], requests: u64) -> Summary {
        let s = &mut self.s;
        s.requests = requests;
        s.issues = self.issues.len();
        s.failing_issues = self.failing_issues.len();
        for p in problems {
            *match (p.kind, p.severity) {
                (ProblemKind::Input, _) => &mut s.problems,
                (ProblemKind::Lint(_), ProblemSeverity::Note) => &mut s.lint_notes,
                (ProblemKind::Lint(_), _) => &mut s.lint_errors,
            } += 1;
        }
        // A relative link lint calls an error (a placeholder) wants
        // fixing, not a base URL.
        let lint_errors: BTreeSet<(&str, u32, u32)> = problems
            .iter()
            .filter(|p| p.lint().is_some() && p.severity == ProblemSeverity::Error)
            .filter_map(ProblemRecord::position)
            .collect();
        s.relative_unchecked = self
            .relative
            .iter()
            .filter(|(path, line, col)| !lint_errors.contains(&(path.as_str(), *line, *col)))
            .count();
        self.s
    }
}

impl super::Report {
    /// The report in one sentence, counting links (occurrences in issues)
    /// and distinct URLs apart: `3 failing URLs, cited 4 times in 2
    /// issues, of 9 links (8 distinct URLs) in 3 issues; 1 dead, 2 broken
    /// since the previous check, 0 recovered.` Under a filter it says what
    /// the report keeps of the whole run.
    pub fn headline(&self) -> String {
        use super::overview::count;
        let (s, run) = (&self.summary, &self.overview.run);
        let plural = |n: usize, one: &str, many: &str| {
            format!("{} {}", count(n), if n == 1 { one } else { many })
        };
        let times = match s.failing_occurrences {
            1 => "once".to_string(),
            n => format!("{} times", count(n)),
        };
        let failing = format!(
            "{}, cited {times} in {}",
            plural(s.failing(), "failing URL", "failing URLs"),
            plural(s.failing_issues, "issue", "issues"),
        );
        let whole = |s: &Summary| {
            format!(
                "{} ({}) in {}",
                plural(s.occurrences, "link", "links"),
                plural(s.urls, "distinct URL", "distinct URLs"),
                plural(s.issues, "issue", "issues")
            )
        };
        // "Newly broken" counts links failing at their first check too (what
        // `--fail-on new` fails on); a person reads it as "it worked before".
        let first = match self.todo.failing_first_check {
            0 => String::new(),
            1 => " (1 failing at its first check)".to_string(),
            n => format!(" ({} failing at their first check)", count(n)),
        };
        let changes = format!(
            "{} dead, {} broken since the previous check{first}, {} recovered.",
            count(s.dead),
            count(self.todo.newly_broken.total),
            count(s.recovered)
        );
        if self.is_filtered() {
            format!(
                "Filtered: {} kept of the run's {}; {failing}; {changes}",
                whole(s),
                whole(run)
            )
        } else {
            format!("{failing}, of {}; {changes}", whole(run))
        }
    }
}
