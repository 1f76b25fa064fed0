//! Reports: one model of what a run found, rendered in several formats.
//!
//! Owns the report model ([`Report`]) and every output format. It does no
//! I/O of its own: renderers write to an `impl Write` they are given, and
//! the model is built from records the store returns.

mod csv;
mod github;
mod html;
mod json;
mod junit;
mod lint;
mod listing;
mod markdown;
mod sarif;
mod terminal;

pub use self::csv::{write_csv, CSV_COLUMNS};
pub use github::{write_github, GITHUB_ANNOTATION_CAP};
pub use html::write_html;
pub use json::write_json;
pub use junit::write_junit;
pub use lint::{
    write_findings_text, write_lint_summary, FindingRecord, LinkListing, LintCounts, ListingFormat,
};
pub use listing::write_timeline_json;
pub use markdown::write_markdown;
pub use sarif::write_sarif;
pub use terminal::{write_link_line, write_terminal, write_timeline, TerminalOptions};

use crate::check::Status;
use crate::clock::rfc3339;
use crate::history::{self, Policy, State};
use crate::lint::{LintKind, LintLevel, LintSeverity};
use crate::source::{Problem, Severity};
use crate::store::{Change, LinkRecord, OccurrenceRecord, StoredFinding};
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
    /// Inputs that could not be read, or were read with a caveat (kind
    /// `input`), then what lint found (kind `placeholder`, `tracking` ...),
    /// by path and position.
    pub problems: Vec<ProblemRecord>,
    /// What crawling the website found, when the run crawled one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crawl: Option<crate::crawl::CrawlSummary>,
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

    /// The counts of `links` and `problems`.
    fn of(links: &[LinkRecord], problems: &[ProblemRecord], requests: u64) -> Summary {
        let mut s = Summary {
            urls: links.len(),
            requests,
            ..Summary::default()
        };
        for p in problems {
            *match (p.kind, p.severity) {
                (ProblemKind::Input, _) => &mut s.problems,
                (ProblemKind::Lint(_), ProblemSeverity::Note) => &mut s.lint_notes,
                (ProblemKind::Lint(_), _) => &mut s.lint_errors,
            } += 1;
        }
        // A relative link lint calls an error (a placeholder) wants fixing,
        // not a base URL.
        let lint_errors: BTreeSet<(&str, u32, u32)> = problems
            .iter()
            .filter(|p| p.lint().is_some() && p.severity == ProblemSeverity::Error)
            .filter_map(ProblemRecord::position)
            .collect();
        let mut issues = BTreeSet::new();
        for l in links {
            s.occurrences += l.occurrences.len();
            if l.status == Status::Unsupported
                && l.resolved.is_none()
                && crate::extract::is_relative(&l.url)
                && !crate::extract::is_template(&l.url)
            {
                s.relative_unchecked += l
                    .occurrences
                    .iter()
                    .filter(|o| !lint_errors.contains(&(o.path.as_str(), o.line, o.column)))
                    .count();
            }
            issues.extend(l.occurrences.iter().map(|o| o.path.as_str()));
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
        s.issues = issues.len();
        s
    }
}

/// Which links and occurrences a report keeps.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Keep links with one of these statuses or states (`broken`, `failing`
    /// for any failure, `dead`, `flaky`, `redirected` ...); empty: all.
    pub status: Vec<String>,
    /// Keep occurrences in issues whose path contains this.
    pub issue: Option<String>,
    /// Keep occurrences in issues dated this day or later.
    pub since: Option<time::Date>,
    /// Keep links on this host or its subdomains.
    pub host: Option<String>,
    /// Which lint findings to keep (all of those stored, by default).
    pub lint: LintLevel,
}

impl Filter {
    fn keeps_link(&self, l: &LinkRecord) -> bool {
        let status_ok = self.status.is_empty()
            || self.status.iter().any(|s| {
                s == l.status.as_str()
                    || (s == "failing" && l.status.is_failure())
                    || l.state.is_some_and(|st| st.as_str() == s)
            });
        let host_ok = self.host.as_deref().is_none_or(|want| {
            url::Url::parse(&l.url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .is_some_and(|h| h == want || h.ends_with(&format!(".{want}")))
        });
        status_ok && host_ok
    }

    fn keeps_occurrence(&self, o: &OccurrenceRecord) -> bool {
        self.keeps_issue(&o.path, o.issue_date)
    }

    fn keeps_issue(&self, path: &str, date: Option<time::Date>) -> bool {
        self.issue.as_deref().is_none_or(|p| path.contains(p))
            && self
                .since
                .as_ref()
                .is_none_or(|d| date.is_some_and(|od| od >= *d))
    }

    /// Input problems are always kept; findings by level, issue and host
    /// (`status` is about verdicts, not findings).
    fn keeps_problem(&self, p: &ProblemRecord) -> bool {
        let level_ok = match (self.lint, p.severity) {
            _ if p.kind == ProblemKind::Input => return true,
            (LintLevel::None, _) => false,
            (LintLevel::Errors, sev) => sev == ProblemSeverity::Error,
            (LintLevel::All, _) => true,
        };
        let host_ok = self.host.as_deref().is_none_or(|want| {
            p.url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .is_some_and(|h| h == want || h.ends_with(&format!(".{want}")))
        });
        level_ok && host_ok && self.keeps_issue(&p.path, p.issue_date)
    }
}

/// Which links make `check` exit with code 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Any failing link (broken, timeout, error), and any lint error.
    #[default]
    Broken,
    /// Only links confirmed dead by their history.
    Dead,
    /// Only links that became failing since their previous check.
    New,
    /// Never (runtime failures still exit 1).
    None,
}

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
        for l in &mut links {
            judge(l, policy);
        }
        let problems: Vec<ProblemRecord> = problems.iter().map(ProblemRecord::input).collect();
        Report {
            version: REPORT_VERSION,
            run,
            summary: Summary::of(&links, &problems, requests),
            links,
            problems,
            crawl: None,
        }
    }

    /// The same report with lint's `findings` after its input problems.
    pub fn with_findings(mut self, findings: Vec<StoredFinding>) -> Report {
        self.problems
            .extend(findings.into_iter().map(ProblemRecord::finding));
        self.summary = Summary::of(&self.links, &self.problems, self.summary.requests);
        self
    }

    /// The same report keeping only what `filter` accepts.
    pub fn filtered(mut self, filter: &Filter) -> Report {
        self.links.retain(|l| filter.keeps_link(l));
        for l in &mut self.links {
            l.occurrences.retain(|o| filter.keeps_occurrence(o));
        }
        self.links.retain(|l| !l.occurrences.is_empty());
        self.problems.retain(|p| filter.keeps_problem(p));
        self.summary = Summary::of(&self.links, &self.problems, self.summary.requests);
        self
    }

    /// Whether the run should fail CI under `fail_on`: `broken` fails on
    /// any failing link and on any lint error; `dead` and `new` only on
    /// the links they name.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        match fail_on {
            FailOn::Broken => {
                self.failures().next().is_some() || self.lint_errors().next().is_some()
            }
            FailOn::Dead => self.links.iter().any(|l| l.state == Some(State::Dead)),
            FailOn::New => self
                .links
                .iter()
                .any(|l| l.change == Some(Change::NewlyBroken)),
            FailOn::None => false,
        }
    }

    /// Links whose check failed (broken, soft 404, parked, timeout, error).
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
            .filter(|p| p.kind == ProblemKind::Input && p.severity == ProblemSeverity::Error)
            .count()
    }

    /// Input problems, in the order they were met.
    pub fn input_problems(&self) -> impl Iterator<Item = &ProblemRecord> {
        self.problems
            .iter()
            .filter(|p| p.kind == ProblemKind::Input)
    }

    /// Lint findings, by path and position.
    pub fn findings(&self) -> impl Iterator<Item = &ProblemRecord> {
        self.problems.iter().filter(|p| p.lint().is_some())
    }

    /// Lint findings that are errors.
    pub fn lint_errors(&self) -> impl Iterator<Item = &ProblemRecord> {
        self.findings()
            .filter(|p| p.severity == ProblemSeverity::Error)
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
    let mut checks = l.history.iter().rev().filter(|p| p.status.is_conclusive());
    let (Some(now), previous) = (checks.next(), checks.next()) else {
        return;
    };
    l.change = match (now.failed(), previous.map(history::CheckPoint::failed)) {
        (true, None | Some(false)) => Some(Change::NewlyBroken),
        (false, Some(true)) => Some(Change::Recovered),
        _ => None,
    };
}

/// Every output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Compiler-style lines and a summary.
    Terminal,
    /// The JSON report.
    Json,
    /// Markdown for a GitHub issue.
    Markdown,
    /// One row per occurrence.
    Csv,
    /// JUnit XML.
    Junit,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions annotations.
    Github,
    /// A self-contained HTML page with charts.
    Html,
}

/// Renders `report` in `format`.
pub fn render(
    report: &Report,
    format: OutputFormat,
    opts: TerminalOptions,
    w: impl std::io::Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Terminal => write_terminal(report, opts, w),
        OutputFormat::Json => write_json(report, w),
        OutputFormat::Markdown => write_markdown(report, w),
        OutputFormat::Csv => write_csv(report, w),
        OutputFormat::Junit => write_junit(report, w),
        OutputFormat::Sarif => write_sarif(report, w),
        OutputFormat::Github => write_github(report, w),
        OutputFormat::Html => write_html(report, w),
    }
}

/// `broken (404)`, `timeout (...)`, `redirected (301)` ...
pub(crate) fn describe(l: &LinkRecord) -> String {
    match (l.status, l.http_status, &l.error) {
        (Status::Broken, Some(code), _) => format!("broken ({code})"),
        (Status::SoftNotFound, _, Some(why)) => format!("soft 404: {why}"),
        (Status::Parked, _, Some(why)) => format!("parked: {why}"),
        (Status::Blocked, _, Some(why)) => format!("blocked: {why}"),
        (Status::Redirected, _, _) if !l.redirects.is_empty() => {
            format!("redirected ({})", l.redirects[0].status)
        }
        (st, _, Some(e)) if st != Status::Ok => format!("{} ({e})", st.as_str()),
        (st, _, _) => st.as_str().to_string(),
    }
}

/// Escapes text for XML and HTML content and attributes.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// One issue and the links of it that a filter keeps.
pub(crate) struct IssueGroup<'a> {
    pub path: &'a str,
    pub title: Option<&'a str>,
    pub date: Option<time::Date>,
    pub links: Vec<(&'a OccurrenceRecord, &'a LinkRecord)>,
}

/// The occurrences of links `keep` accepts, grouped by issue (newest issue
/// first), each group in line order.
pub(crate) fn by_issue<'a>(
    report: &'a Report,
    keep: impl Fn(&LinkRecord) -> bool,
) -> Vec<IssueGroup<'a>> {
    let mut groups: std::collections::BTreeMap<&str, IssueGroup<'a>> =
        std::collections::BTreeMap::new();
    for l in report.links.iter().filter(|l| keep(l)) {
        for o in &l.occurrences {
            groups
                .entry(o.path.as_str())
                .or_insert_with(|| IssueGroup {
                    path: &o.path,
                    title: o.issue_title.as_deref(),
                    date: o.issue_date,
                    links: Vec::new(),
                })
                .links
                .push((o, l));
        }
    }
    let mut out: Vec<IssueGroup<'a>> = groups.into_values().collect();
    for g in &mut out {
        g.links.sort_by_key(|(o, _)| (o.line, o.column));
    }
    out.sort_by(|a, b| b.date.cmp(&a.date).then(a.path.cmp(b.path)));
    out
}
