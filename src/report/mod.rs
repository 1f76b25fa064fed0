//! Reports: one model of what a run found, rendered in several formats.
//!
//! Owns the report model ([`Report`]) and every output format. Renderers
//! write to an `impl Write` they are given; the model is built from
//! records the store returns, and a run too large to hold is walked from
//! its database at each pass (`links.rs`): a report holds its counts,
//! lists and problems, and its links only when they are few enough.
//!
//! The model carries every figure a format shows, so that no format
//! derives one itself: `summary.rs` (the counts of what the report keeps),
//! `overview.rs` (the whole run's counts, rot by issue year, worst hosts,
//! the trend over runs: computed before any filter and kept through it),
//! `todo.rs` (what to do first, and the `linkrot fix` command), `filter.rs`
//! (what `--status --issue --since --host --lint` keep), `problem.rs`
//! (input problems and lint findings), `paths.rs` (paths as a person reads
//! them). `svg.rs` draws the HTML page's charts.

mod csv;
mod filter;
mod github;
mod html;
mod json;
mod junit;
mod links;
mod lint;
mod listing;
mod markdown;
mod overview;
mod paths;
mod problem;
mod sarif;
mod summary;
mod svg;
mod terminal;
mod todo;

pub use self::csv::{write_csv, CSV_COLUMNS};
pub use filter::Filter;
pub use github::{write_github, GITHUB_ANNOTATION_CAP};
pub use html::{write_html, OPEN_ISSUES};
pub use json::write_json;
pub use junit::write_junit;
pub use links::{Links, HOLD_AT_MOST};
pub use lint::{
    write_findings_text, write_lint_summary, FindingRecord, LinkListing, LintCounts, ListingFormat,
};
pub use listing::write_timeline_json;
pub use markdown::{write_markdown, MARKDOWN_BUDGET};
pub use overview::{HostRot, Overview, YearRot, TREND_RUNS, WORST_HOSTS};
pub use problem::{ProblemKind, ProblemRecord, ProblemSeverity};
pub use sarif::write_sarif;
pub use summary::Summary;
pub use terminal::{write_link_line, write_terminal, write_timeline, TerminalOptions};
pub use todo::{Citation, FixCommand, Todo, TodoItem, TodoList, TODO_ITEMS};

use crate::check::Status;
use crate::clock::rfc3339;
use crate::history::{self, Policy};
use crate::source::Problem;
use crate::store::{Change, LinkRecord, OccurrenceRecord, StoredFinding, TrendPoint};
use overview::OverviewTally;
use serde::Serialize;
use summary::SummaryTally;
use todo::{FixCounts, TodoTally};

/// Version of the JSON report format; bumped on incompatible changes.
pub const REPORT_VERSION: u32 = 1;

/// Everything a run found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// Which run.
    pub run: RunInfo,
    /// Counts of what the report keeps (all of the run, unless filtered).
    pub summary: Summary,
    /// The whole run at a glance, whatever the filter: its counts, the
    /// link-rot curve, the worst hosts, the trend over runs.
    pub overview: Overview,
    /// What to do first, over what the report keeps.
    pub todo: Todo,
    /// One entry per distinct URL as written, sorted by URL.
    pub links: Links,
    /// Inputs that could not be read, or were read with a caveat (kind
    /// `input`), then what lint found (kind `placeholder`, `tracking` ...),
    /// by path and position.
    pub problems: Vec<ProblemRecord>,
    /// What crawling the website found, when the run crawled one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crawl: Option<crate::crawl::CrawlSummary>,
    /// The folder a person reads the report from (the current one), for
    /// showing paths relative to it.
    #[serde(skip)]
    pub cwd: Option<String>,
    /// What the fix command changes, over the whole run.
    #[serde(skip)]
    fix_counts: FixCounts,
}

/// A report's figures over its links, counted in one walk: what
/// [`Report::tallied`] completes with the run's problems.
#[derive(Default)]
pub struct Tally {
    summary: SummaryTally,
    overview: OverviewTally,
    todo: TodoTally,
}

impl Tally {
    /// Walks `links` once.
    pub fn of(links: &Links) -> std::io::Result<Tally> {
        let mut t = Tally::default();
        links.each(|l| {
            t.summary.add(l);
            t.overview.add(l);
            t.todo.add(l);
            Ok(())
        })?;
        Ok(t)
    }
}

/// Identity and timing of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunInfo {
    /// Database id.
    pub id: i64,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339.
    pub finished_at: String,
    /// The inputs as given to the run (folders, files, pages, `-`).
    pub inputs: Vec<String>,
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

impl Report {
    /// Builds the report of run `run` from its links, the input
    /// `problems` met, then lint's `findings`: one walk over the links.
    pub fn new(
        run: RunInfo,
        links: Links,
        problems: &[Problem],
        findings: Vec<StoredFinding>,
        requests: u64,
    ) -> std::io::Result<Report> {
        let tally = Tally::of(&links)?;
        let findings = findings.into_iter().map(ProblemRecord::finding).collect();
        Ok(Report::tallied(
            run, links, tally, problems, findings, requests,
        ))
    }

    /// [`Report::new`] with the walk over `links` made already (while
    /// lint ran, say), and the `findings` as records, in any order
    /// ([`ProblemRecord::findings_of_run`]): the report puts them by path,
    /// position and kind.
    pub fn tallied(
        run: RunInfo,
        links: Links,
        tally: Tally,
        problems: &[Problem],
        findings: Vec<ProblemRecord>,
        requests: u64,
    ) -> Report {
        // The inputs' few problems go first, into the findings' vector (a
        // 1,000,000-link archive may have 250,000 findings: not copied).
        let mut all = findings;
        // Unique (one finding of a kind at a position): no stable sort's buffer.
        all.sort_unstable_by(|a, b| {
            (&a.path, a.line, a.column, a.kind).cmp(&(&b.path, b.line, b.column, b.kind))
        });
        all.splice(0..0, problems.iter().map(ProblemRecord::input));
        let problems = all;
        let Tally {
            summary,
            overview,
            todo,
        } = tally;
        let summary = summary.finish(&problems, requests);
        let (mut todo, fix_counts) = todo.finish();
        todo.fix = Todo::fix_command(fix_counts, &run.inputs, None);
        let mut report = Report {
            version: REPORT_VERSION,
            overview: overview.finish(summary.clone()),
            summary,
            todo,
            run,
            links,
            problems,
            crawl: None,
            cwd: None,
            fix_counts,
        };
        report.overview.trend = vec![report.this_run()];
        report
    }

    /// The same report with what earlier runs over the same inputs counted
    /// (oldest first) before this run in its trend.
    pub fn with_trend(mut self, mut earlier: Vec<TrendPoint>) -> Report {
        earlier.push(self.this_run());
        let skip = earlier.len().saturating_sub(TREND_RUNS);
        self.overview.trend = earlier.split_off(skip);
        self
    }

    /// The same report with its fix command naming the database at `db`
    /// (when it is not the default one).
    pub fn with_db(mut self, db: &std::path::Path) -> Report {
        let db = db.display().to_string();
        self.todo.fix = Todo::fix_command(self.fix_counts, &self.run.inputs, Some(&db));
        self
    }

    /// The same report read from the folder `cwd`: paths under it are
    /// shown relative to it.
    pub fn with_cwd(mut self, cwd: &std::path::Path) -> Report {
        self.cwd = Some(cwd.display().to_string());
        self
    }

    /// The same report keeping only what `filter` accepts (in place of
    /// any filter before); the overview and the fix command stay the
    /// whole run's.
    pub fn filtered(mut self, filter: &Filter) -> std::io::Result<Report> {
        self.links = self.links.filtered(filter);
        self.problems.retain(|p| filter.keeps_problem(p));
        // The overview stays the whole run's: only its tally is new.
        let Tally { summary, todo, .. } = Tally::of(&self.links)?;
        self.summary = summary.finish(&self.problems, self.summary.requests);
        let fix = self.todo.fix.take();
        self.todo = todo.finish().0;
        self.todo.fix = fix;
        Ok(self)
    }

    /// Whether a filter left out part of the run.
    pub fn is_filtered(&self) -> bool {
        self.summary != self.overview.run
    }

    /// `path` as a person reads it: relative to the current folder when
    /// under it, else to the input folder given that holds it; as stored
    /// otherwise (a relative path is relative to where the run was made).
    pub fn shown_path<'a>(&self, path: &'a str) -> &'a str {
        paths::shown(path, self.cwd.as_deref(), &self.run.inputs)
    }

    /// `path` as a tool opens it from the current folder: relative to it
    /// when under it (what an editor's click-through, GitHub's annotations
    /// and SARIF viewers resolve against the checkout), else as stored.
    pub fn file_path<'a>(&self, path: &'a str) -> &'a str {
        paths::from_cwd(path, self.cwd.as_deref())
    }

    fn this_run(&self) -> TrendPoint {
        self.overview.this_run(self.run.id, &self.run.finished_at)
    }

    /// Whether the run should fail CI under `fail_on`: `broken` fails on
    /// any failing link and on any lint error; `dead` and `new` only on
    /// the links they name.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        match fail_on {
            FailOn::Broken => self.summary.failing() > 0 || self.lint_errors().next().is_some(),
            FailOn::Dead => self.summary.dead > 0,
            FailOn::New => self.summary.newly_broken > 0,
            FailOn::None => false,
        }
    }

    /// The links whose check failed (broken, soft 404, parked, timeout,
    /// error), in memory.
    pub fn failures(&self) -> std::io::Result<Vec<LinkRecord>> {
        self.links.to_vec_where(|l| l.status.is_failure())
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
pub(crate) fn judge(l: &mut LinkRecord, policy: &Policy) {
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

/// What the formats that choose what to show are told.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Terminal: also list redirected links (with their final URL).
    pub show_redirects: bool,
    /// Markdown: at most this many detailed items (failing links, then
    /// lint findings); never more than fit in [`MARKDOWN_BUDGET`] bytes.
    pub max_items: Option<usize>,
    /// Markdown: where the full report is (a file, an artifact's name),
    /// said when items are left out.
    pub full_report: Option<String>,
}

/// Renders `report` in `format`.
pub fn render(
    report: &Report,
    format: OutputFormat,
    opts: &RenderOptions,
    w: impl std::io::Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Terminal => write_terminal(
            report,
            TerminalOptions {
                show_redirects: opts.show_redirects,
            },
            w,
        ),
        OutputFormat::Json => write_json(report, w),
        OutputFormat::Markdown => write_markdown(report, opts, w),
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

/// The occurrences of `links`, grouped by issue (newest issue first),
/// each group in line order.
pub(crate) fn by_issue(links: &[LinkRecord]) -> Vec<IssueGroup<'_>> {
    let mut groups: std::collections::BTreeMap<&str, IssueGroup<'_>> =
        std::collections::BTreeMap::new();
    for l in links {
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
    let mut out: Vec<IssueGroup<'_>> = groups.into_values().collect();
    for g in &mut out {
        g.links.sort_by_key(|(o, _)| (o.line, o.column));
    }
    out.sort_by(|a, b| b.date.cmp(&a.date).then(a.path.cmp(b.path)));
    out
}
