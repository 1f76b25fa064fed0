//! The terminal report: a summary and one compiler-style line per failing
//! occurrence (`path:line:column: broken (404) url`) and per lint finding
//! (`path:line:column: error[placeholder]: message`), in file order, which
//! editors and CI log viewers turn into links.

use super::{describe, ProblemRecord, Report};
use crate::check::Status;
use crate::extract::Link;
use crate::history::State;
use crate::store::{Change, LinkRecord, OccurrenceRecord, TimelineEntry};
use std::io::Write;

/// What the terminal report shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct TerminalOptions {
    /// Also list redirected links (with their final URL).
    pub show_redirects: bool,
}

/// One line of the report, at a place in an issue.
enum Line<'a> {
    Link(&'a LinkRecord),
    Finding(&'a ProblemRecord),
}

/// Writes the failing links (one line per occurrence) and the lint
/// findings, in file order, then the summary.
pub fn write_terminal(
    report: &Report,
    opts: TerminalOptions,
    mut w: impl Write,
) -> std::io::Result<()> {
    let shown = |l: &LinkRecord| {
        l.status.is_failure() || (opts.show_redirects && l.status == Status::Redirected)
    };
    // What the lines and the changes name: a walk over the links for both.
    let picked = report
        .links
        .to_vec_where(|l| shown(l) || l.change.is_some())?;
    let mut lines: Vec<((&str, u32, u32), Line<'_>)> = Vec::new();
    for l in picked.iter().filter(|l| shown(l)) {
        for o in &l.occurrences {
            lines.push(((o.path.as_str(), o.line, o.column), Line::Link(l)));
        }
    }
    for f in report.findings() {
        if let Some(at) = f.position() {
            lines.push((at, Line::Finding(f)));
        }
    }
    // Stable: at one place, the verdict first, then findings in lint's order.
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    for ((path, line, col), entry) in lines {
        let l = match entry {
            Line::Link(l) => l,
            Line::Finding(f) => {
                writeln!(
                    w,
                    "{}:{line}:{col}: {}[{}]: {}",
                    report.file_path(path),
                    f.severity.as_str(),
                    f.kind.as_str(),
                    f.message
                )?;
                continue;
            }
        };
        let state = match (l.state, &l.dead_since) {
            (Some(State::Dead), Some(since)) => {
                format!(" [dead since {}]", &since[..10.min(since.len())])
            }
            (Some(State::Flaky), _) => " [flaky]".to_string(),
            _ => String::new(),
        };
        writeln!(
            w,
            "{}:{line}:{col}: {} {}{state}",
            report.file_path(path),
            describe(l),
            l.url
        )?;
        if let Some(r) = &l.remapped {
            writeln!(w, "    remapped to {r}")?;
        }
        if let Some(a) = l
            .occurrences
            .iter()
            .find(|o| o.path == path && o.line == line && o.column == col)
            .and_then(|o| o.archive.as_ref())
            .or(l.archive.as_ref())
        {
            writeln!(w, "    archived copy: {}", a.url)?;
        }
        if let Some(f) = &l.final_url {
            let kind = if l.permanent_redirect {
                "moved permanently to"
            } else {
                "redirects to"
            };
            writeln!(w, "    {kind} {f}")?;
        }
    }
    let changes: Vec<_> = picked
        .iter()
        .filter_map(|l| l.change.map(|c| (c, l)))
        .collect();
    if !changes.is_empty() {
        writeln!(w, "since the previous check:")?;
        for (change, l) in changes {
            let what = match change {
                Change::NewlyBroken => "newly broken",
                Change::Recovered => "recovered",
            };
            writeln!(w, "  {what}: {}", l.url)?;
        }
    }
    for p in report.input_problems() {
        writeln!(
            w,
            "{}: {}: {}",
            report.file_path(&p.path),
            p.severity.as_str(),
            p.message
        )?;
    }
    if let Some(c) = &report.crawl {
        writeln!(
            w,
            "crawl: {} pages read ({} unchanged since the last crawl), {} sitemaps; skipped {} disallowed by robots.txt, {} out of scope, {} duplicates, {} not HTML; {} failed; {} requests",
            c.pages, c.unchanged, c.sitemaps, c.disallowed, c.out_of_scope, c.duplicates, c.not_html, c.failed, c.requests
        )?;
    }
    let s = &report.summary;
    // The statuses of the quiet rot and of bot walls show when there are any.
    let mut counts = format!(
        "{} ok, {} redirected, {} broken",
        s.ok, s.redirected, s.broken
    );
    for (n, what) in [(s.soft_404, "soft 404"), (s.parked, "parked")] {
        if n > 0 {
            counts.push_str(&format!(", {n} {what}"));
        }
    }
    counts.push_str(&format!(", {} timeout, {} error", s.timeout, s.error));
    if s.blocked > 0 {
        counts.push_str(&format!(", {} blocked", s.blocked));
    }
    if s.relative_unchecked > 0 {
        // Listed once rather than a line each: they are one setting away.
        writeln!(
            w,
            "{} relative link{} not checked (pass --base-url)",
            s.relative_unchecked,
            if s.relative_unchecked == 1 { "" } else { "s" }
        )?;
    }
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    writeln!(
        w,
        "{} links ({} distinct URLs in {} issues): {counts}, {} excluded, {} unsupported; {} dead, {} flaky, {} newly broken, {} recovered; {} requests, {} reused; lint: {}, {}",
        s.occurrences, s.urls, s.issues, s.excluded, s.unsupported,
        s.dead, s.flaky, s.newly_broken, s.recovered, s.requests, s.reused,
        plural(s.lint_errors, "error"), plural(s.lint_notes, "note")
    )
}

/// One extracted link as `path:line:column url`, for `linkrot links`.
pub fn write_link_line(path: &str, link: &Link, mut w: impl Write) -> std::io::Result<()> {
    writeln!(w, "{path}:{}:{} {}", link.line, link.column, link.url)
}

/// A URL's timeline for `linkrot history`: each check, then where it is cited.
pub fn write_timeline(
    url: &str,
    checks: &[TimelineEntry],
    cited: &[OccurrenceRecord],
    mut w: impl Write,
) -> std::io::Result<()> {
    writeln!(w, "{url}")?;
    for c in checks {
        let code = c.http_status.map(|s| format!(" {s}")).unwrap_or_default();
        write!(w, "  {}  {}{code}", c.checked_at, c.status.as_str())?;
        if let Some(f) = &c.final_url {
            write!(w, " -> {f}")?;
        }
        if let Some(e) = &c.error {
            write!(w, " ({e})")?;
        }
        writeln!(w, "  [run {}]", c.run_id)?;
    }
    writeln!(w, "cited in:")?;
    for o in cited {
        let date = o
            .issue_date
            .map_or_else(|| "no date".to_string(), |d| d.to_string());
        writeln!(w, "  {}:{}:{} ({date})", o.path, o.line, o.column)?;
    }
    Ok(())
}
