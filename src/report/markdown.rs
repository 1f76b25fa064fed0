//! Markdown, for a GitHub issue or a job summary: the headline; what to do
//! first (failing links cited most, archived copies ready and the `linkrot
//! fix` command, permanent redirects, what broke since the previous
//! check); the link-rot curve, the worst hosts and the trend as tables;
//! then the failing links by issue as task-list items, and a "Lint"
//! section with a task per finding.
//!
//! A job summary is refused past 1 MiB, so the detailed items (failing
//! links, then findings) stop at `max_items` or where the page would pass
//! [`MARKDOWN_BUDGET`] bytes, measured as it is written; the page then
//! says how many were left out and where the full report is.

use super::overview::{count, percent};
use super::{by_issue, describe, ProblemRecord, RenderOptions, Report, TodoItem, TodoList};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

/// The most bytes a Markdown report takes: GitHub takes 1 MiB of a job
/// summary, and this leaves room for whatever else the step writes.
pub const MARKDOWN_BUDGET: usize = 768 * 1024;

/// Bytes kept back for what follows the detail: the note of what was
/// left out, the lint heading.
const TAIL: usize = 2048;

/// How many runs the trend table shows.
const TREND_ROWS: usize = 10;

/// Writes the report as Markdown.
pub fn write_markdown(
    report: &Report,
    opts: &RenderOptions,
    mut w: impl Write,
) -> std::io::Result<()> {
    let mut out = String::new();
    let _ = writeln!(out, "# Link report\n");
    let _ = writeln!(out, "{}\n", bold_first(&report.headline()));
    write_todo(report, &mut out);
    write_figures(report, &mut out);

    // The detail, within what is left of the budget.
    let budget = MARKDOWN_BUDGET.saturating_sub(out.len() + TAIL);
    let mut items = Items {
        left: opts.max_items.unwrap_or(usize::MAX),
        bytes: budget,
        text: String::new(),
    };
    let failing = report.failures()?;
    let failing = by_issue(&failing);
    let total_rows = report.summary.failing_occurrences;
    let mut rows_shown = 0;
    if !failing.is_empty() {
        items.push("## Failing links by issue\n\n");
    }
    'issues: for issue in &failing {
        let path = report.shown_path(issue.path);
        let title = issue.title.unwrap_or(path);
        let date = issue.date.map(|d| format!(" ({d})")).unwrap_or_default();
        let mut head = format!("### {}{date}\n\n`{}`\n\n", md_escape(title), code(path));
        for (o, l) in &issue.links {
            let mut row = format!("- [ ] line {}: `{}` {}", o.line, code(&l.url), describe(l));
            if let Some(since) = &l.dead_since {
                let _ = write!(row, ", failing since {}", &since[..10.min(since.len())]);
            }
            if let Some(a) = o.archive.as_ref().or(l.archive.as_ref()) {
                let _ = write!(row, "; [archived copy]({})", a.url);
            }
            row.push('\n');
            if !items.take(&head, &row) {
                break 'issues;
            }
            head.clear();
            rows_shown += 1;
        }
        if head.is_empty() {
            items.push("\n");
        }
    }
    let findings: Vec<&ProblemRecord> = report.findings().collect();
    let mut findings_shown = 0;
    if !findings.is_empty() {
        let s = &report.summary;
        items.push(&format!(
            "## Lint\n\n{}, {}.\n\n",
            plural(s.lint_errors, "error", "errors"),
            plural(s.lint_notes, "note", "notes")
        ));
        let mut by_path: BTreeMap<&str, Vec<&ProblemRecord>> = BTreeMap::new();
        for f in &findings {
            by_path.entry(f.path.as_str()).or_default().push(f);
        }
        'paths: for (path, findings) in by_path {
            let mut head = format!("### `{}`\n\n", code(report.shown_path(path)));
            for f in findings {
                let row = format!(
                    "- [ ] line {}, column {}: {}[{}]: {}\n",
                    f.line.unwrap_or(0),
                    f.column.unwrap_or(0),
                    f.severity.as_str(),
                    f.kind.as_str(),
                    f.message.replace('<', "&lt;").replace('>', "&gt;")
                );
                if !items.take(&head, &row) {
                    break 'paths;
                }
                head.clear();
                findings_shown += 1;
            }
            if head.is_empty() {
                items.push("\n");
            }
        }
    }
    out.push_str(&items.text);

    let (rows_left, findings_left) = (total_rows - rows_shown, findings.len() - findings_shown);
    if rows_left + findings_left > 0 {
        let mut what = Vec::new();
        if rows_left > 0 {
            what.push(plural(rows_left, "more failing link", "more failing links"));
        }
        if findings_left > 0 {
            what.push(plural(
                findings_left,
                "more lint finding",
                "more lint findings",
            ));
        }
        let full = opts.full_report.as_deref().map_or_else(
            || "`linkrot report --format html --output report.html` writes it".to_string(),
            |f| f.replace(['\n', '\r'], " "),
        );
        let _ = writeln!(
            out,
            "> **{} not shown**; the full report: {full}.",
            what.join(" and ")
        );
    }
    w.write_all(out.as_bytes())
}

/// The detailed items written so far, and what is left of the budget.
struct Items {
    /// Items still allowed.
    left: usize,
    /// Bytes still allowed.
    bytes: usize,
    text: String,
}

impl Items {
    /// Writes what goes with the items (headings, blank lines), counted
    /// but never refused: the tail's reserve covers it.
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.bytes = self.bytes.saturating_sub(text.len());
    }

    /// Writes `head` (unless empty) and `row` if both fit.
    fn take(&mut self, head: &str, row: &str) -> bool {
        let need = head.len() + row.len();
        if self.left == 0 || need > self.bytes {
            return false;
        }
        self.text.push_str(head);
        self.text.push_str(row);
        self.bytes -= need;
        self.left -= 1;
        true
    }
}

/// "What to do": four short lists, most cited first.
fn write_todo(report: &Report, out: &mut String) {
    let t = &report.todo;
    out.push_str("## What to do\n\n");

    out.push_str("### Failing links cited most often\n\n");
    list(out, &t.most_cited, "No failing link.", |i| {
        let mut s = format!(
            "`{}` {}; {}",
            clip(&code(&i.url)),
            clip(&i.status),
            i.cited_text()
        );
        if let Some(since) = &i.failing_since {
            let what = if i.state == Some(crate::history::State::Dead) {
                "dead"
            } else {
                "failing"
            };
            let _ = write!(s, "; {what} since {since}");
        }
        if let Some(a) = i.archive.as_deref().filter(|a| a.len() <= LONGEST) {
            let _ = write!(s, "; [archived copy]({a})");
        }
        s
    });

    let _ = writeln!(
        out,
        "### Archived copies ready ({})\n",
        count(t.archived.total)
    );
    list(
        out,
        &t.archived,
        if t.most_cited.total == 0 {
            "No failing link."
        } else {
            "No failing link has an archived copy on record (`linkrot archive lookup` asks the archives)."
        },
        |i| {
            format!(
                "`{}` → [archived copy]({}); {}, {}",
                clip(&code(&i.url)),
                clip(i.archive.as_deref().unwrap_or_default()),
                i.status,
                i.cited_text()
            )
        },
    );

    // A run over thousands of files named one by one would make a command
    // longer than the detail: it is then said in words.
    let command = |c: &str, flags: &str| {
        if c.len() <= 2 * LONGEST {
            format!("\n\n    {c}\n")
        } else {
            format!(" `linkrot fix` with the run's inputs and `{flags}`.\n")
        }
    };
    if let Some(fix) = &t.fix {
        let _ = writeln!(
            out,
            "This command {} (without `--write` it prints the diff):{}",
            fix.says(),
            command(&fix.command, "--write")
        );
        if let Some(broken) = &fix.broken_command {
            let _ = writeln!(
                out,
                "This one {}:{}",
                fix.broken_says(),
                command(broken, "--replace broken --write")
            );
        }
    }

    let _ = writeln!(
        out,
        "### Permanent redirects to update ({})\n",
        count(t.moved.total)
    );
    list(out, &t.moved, "No permanent redirect.", |i| {
        format!(
            "`{}` → `{}`; {}",
            clip(&code(&i.url)),
            clip(&code(i.moved_to.as_deref().unwrap_or_default())),
            i.cited_text()
        )
    });

    let _ = writeln!(
        out,
        "### Broken since the previous check ({})\n",
        count(t.newly_broken.total)
    );
    list(
        out,
        &t.newly_broken,
        if t.failing_first_check > 0 {
            ""
        } else {
            "Nothing broke since the previous check."
        },
        |i| {
            let c = &i.latest;
            let shown = report.shown_path(&c.path);
            let date = c.date.map(|d| format!(" ({d})")).unwrap_or_default();
            format!(
                "`{}` {}; in *{}*{date}, line {}",
                clip(&code(&i.url)),
                clip(&i.status),
                clip(&md_escape(c.title.as_deref().unwrap_or(shown))),
                c.line
            )
        },
    );
    if t.failing_first_check > 0 {
        let _ = writeln!(out, "{}\n", first_check_note(t.failing_first_check));
    }
}

/// How many failing links had no earlier check to compare with.
pub(super) fn first_check_note(n: usize) -> String {
    match n {
        1 => {
            "1 failing link was checked for the first time: nothing to compare it with yet.".into()
        }
        n => format!(
            "{} failing links were checked for the first time: nothing to compare them with yet.",
            count(n)
        ),
    }
}

fn list(out: &mut String, l: &TodoList, empty: &str, item: impl Fn(&TodoItem) -> String) {
    if l.items.is_empty() {
        if !empty.is_empty() {
            let _ = writeln!(out, "{empty}\n");
        }
        return;
    }
    for (n, i) in l.items.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", n + 1, item(i));
    }
    if l.total > l.items.len() {
        let _ = writeln!(out, "\nand {} more.", count(l.total - l.items.len()));
    }
    out.push('\n');
}

/// The link-rot curve, the worst hosts and the trend, as tables with a
/// bar drawn in text.
fn write_figures(report: &Report, out: &mut String) {
    let o = &report.overview;
    if !o.rot_by_year.is_empty() {
        out.push_str("## Link rot by issue year\n\nThe share of each year's checked links that fail now, over the whole run.\n\n| Year | Failing | Checked links | Share |\n|---|---:|---:|:---|\n");
        for y in &o.rot_by_year {
            let _ = writeln!(
                out,
                "| {} | {} | {} | `{}` {} |",
                y.year
                    .map_or_else(|| "no date".to_string(), |y| y.to_string()),
                count(y.failing),
                count(y.checked),
                bar(y.share),
                percent(y.share)
            );
        }
        out.push('\n');
    }
    if !o.worst_hosts.is_empty() {
        out.push_str("## Hosts with the most failing URLs\n\n| Host | Failing URLs | Checked URLs | Share |\n|---|---:|---:|---:|\n");
        for h in &o.worst_hosts {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                h.host,
                count(h.failing),
                count(h.checked),
                percent(h.share)
            );
        }
        out.push('\n');
    }
    if o.trend.len() >= 2 {
        let max = o.trend.iter().map(|p| p.failing_urls).max().unwrap_or(0);
        let spark: String = o
            .trend
            .iter()
            .map(|p| {
                let ticks = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
                ticks[(p.failing_urls * 7).checked_div(max).unwrap_or(0)]
            })
            .collect();
        let _ = writeln!(
            out,
            "## Failing URLs, run by run\n\n`{spark}` over the last {} runs over the same inputs.\n\n| Run | Finished | Failing URLs | URLs |\n|---:|---|---:|---:|",
            o.trend.len()
        );
        for p in o.trend.iter().rev().take(TREND_ROWS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                p.run,
                p.finished_at.get(..10).unwrap_or("running"),
                count(p.failing_urls),
                count(p.urls)
            );
        }
        out.push('\n');
    }
}

/// A share as a bar of 20 blocks.
fn bar(share: f64) -> String {
    let full = (share.clamp(0.0, 1.0) * 20.0).round() as usize;
    "█".repeat(full) + &"░".repeat(20 - full)
}

/// The headline with its first clause (the failing URLs) in bold.
fn bold_first(headline: &str) -> String {
    match headline.split_once(", cited") {
        Some((first, rest)) if !headline.starts_with("Filtered:") => {
            format!("**{first}**, cited{rest}")
        }
        _ => headline.to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// The longest URL or text a to-do item shows whole: the lists before
/// the detail stay small whatever the archive holds, so the detail has
/// the budget.
const LONGEST: usize = 2000;

/// `s`, cut at [`LONGEST`] bytes (on a character boundary) with `…`.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= LONGEST {
        return s.into();
    }
    let mut end = LONGEST;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end]).into()
}

/// Text inside a code span: a backtick or a pipe (which would end a table
/// cell) as its percent-escape.
fn code(s: &str) -> String {
    s.replace('`', "%60").replace('|', "%7C")
}

fn md_escape(s: &str) -> String {
    s.replace('\\', "")
        .replace(['<', '>'], "")
        .replace('|', "\\|")
}
