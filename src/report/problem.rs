//! Problems: inputs that could not be read (or were read with a caveat),
//! and lint findings, as every report format shows them.

use crate::lint::{LintKind, LintSeverity};
use crate::source::{Problem, Severity};
use crate::store::{Store, StoreError, StoredFinding};
use serde::Serialize;

/// What a problem is about: an input that could not be read (or was read
/// with a caveat), or what lint found in a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemKind {
    /// An input problem (`input` in JSON).
    Input,
    /// A lint finding (`placeholder`, `empty-link` ... in JSON).
    Lint(LintKind),
}

impl ProblemKind {
    /// `input`, or the lint kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Input => "input",
            ProblemKind::Lint(k) => k.as_str(),
        }
    }
}

impl Serialize for ProblemKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How bad a problem is: an input's `error` or `warning`, a finding's
/// `error` or `note`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemSeverity {
    /// An input not read; a link broken as written.
    Error,
    /// An input read with a caveat.
    Warning,
    /// A finding worth a look.
    Note,
}

impl ProblemSeverity {
    /// `error`, `warning` or `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemSeverity::Error => "error",
            ProblemSeverity::Warning => "warning",
            ProblemSeverity::Note => "note",
        }
    }
}

/// An input problem or a lint finding, as reported: one element of the
/// JSON `problems`, `{"path","line","column","kind","severity","url","message"}`
/// (`line`, `column` and `url` are `null` for an input problem).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProblemRecord {
    /// The file (or issue).
    pub path: String,
    /// 1-based line of the link's URL, for a finding.
    pub line: Option<u32>,
    /// 1-based column (characters) of the link's URL, for a finding.
    pub column: Option<u32>,
    /// `input`, or the lint kind.
    pub kind: ProblemKind,
    /// Whether the input was read at all; whether the link is broken as written.
    pub severity: ProblemSeverity,
    /// The URL as written, for a finding.
    pub url: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
    /// The issue's date, for `--since`.
    #[serde(skip)]
    pub issue_date: Option<time::Date>,
}

impl ProblemRecord {
    /// An input problem.
    pub fn input(p: &Problem) -> ProblemRecord {
        ProblemRecord {
            path: p.path.clone(),
            line: None,
            column: None,
            kind: ProblemKind::Input,
            severity: match p.severity {
                Severity::Error => ProblemSeverity::Error,
                Severity::Warning => ProblemSeverity::Warning,
            },
            url: None,
            message: p.message.clone(),
            issue_date: None,
        }
    }

    /// A lint finding, as stored with its run.
    pub fn finding(f: StoredFinding) -> ProblemRecord {
        ProblemRecord {
            line: Some(f.line),
            column: Some(f.column),
            kind: ProblemKind::Lint(f.kind),
            severity: match f.kind.severity() {
                LintSeverity::Error => ProblemSeverity::Error,
                LintSeverity::Note => ProblemSeverity::Note,
            },
            url: Some(f.url),
            message: f.message,
            issue_date: f.issue_date,
            path: f.path,
        }
    }

    /// The findings of run `run_id`, in no order, read straight into
    /// records (one copy of them at a time; [`Report::tallied`] puts them
    /// in order).
    ///
    /// [`Report::tallied`]: super::Report::tallied
    pub fn findings_of_run(store: &Store, run_id: i64) -> Result<Vec<ProblemRecord>, StoreError> {
        let mut out = Vec::new();
        store.each_run_finding(run_id, |f| out.push(ProblemRecord::finding(f)))?;
        Ok(out)
    }

    /// The lint kind, for a finding.
    pub fn lint(&self) -> Option<LintKind> {
        match self.kind {
            ProblemKind::Lint(k) => Some(k),
            ProblemKind::Input => None,
        }
    }

    /// `(path, line, column)` of a finding (input problems have none).
    pub fn position(&self) -> Option<(&str, u32, u32)> {
        Some((self.path.as_str(), self.line?, self.column?))
    }
}
