//! Markdown, to paste into a GitHub issue: failing links grouped by issue,
//! as task-list items, then a "Lint" section with a task per finding.

use super::{by_issue, describe, Report};
use std::collections::BTreeMap;
use std::io::Write;

/// Writes the failing links as Markdown.
pub fn write_markdown(report: &Report, mut w: impl Write) -> std::io::Result<()> {
    let s = &report.summary;
    let failing = s.failing();
    writeln!(w, "# Link report\n")?;
    writeln!(
        w,
        "{failing} failing of {} links ({} distinct URLs in {} issues); {} dead, {} newly broken, {} recovered.\n",
        s.occurrences, s.urls, s.issues, s.dead, s.newly_broken, s.recovered
    )?;
    for issue in by_issue(report, |l| l.status.is_failure()) {
        let title = issue.title.unwrap_or(issue.path);
        let date = issue.date.map(|d| format!(" ({d})")).unwrap_or_default();
        writeln!(w, "## {}{date}\n", md_escape(title))?;
        writeln!(w, "`{}`\n", issue.path)?;
        for (o, l) in issue.links {
            write!(
                w,
                "- [ ] line {}: `{}` {}",
                o.line,
                l.url.replace('`', "%60"),
                describe(l)
            )?;
            if let Some(since) = &l.dead_since {
                write!(w, ", failing since {}", &since[..10.min(since.len())])?;
            }
            if let Some(a) = o.archive.as_ref().or(l.archive.as_ref()) {
                write!(w, "; [archived copy]({})", a.url)?;
            }
            writeln!(w)?;
        }
        writeln!(w)?;
    }
    write_lint(report, &mut w)
}

/// `## Lint`: the findings by issue, a task each.
fn write_lint(report: &Report, mut w: impl Write) -> std::io::Result<()> {
    let mut by_path: BTreeMap<&str, Vec<&super::ProblemRecord>> = BTreeMap::new();
    for f in report.findings() {
        by_path.entry(f.path.as_str()).or_default().push(f);
    }
    if by_path.is_empty() {
        return Ok(());
    }
    let s = &report.summary;
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    writeln!(w, "## Lint\n")?;
    writeln!(
        w,
        "{}, {}.\n",
        plural(s.lint_errors, "error"),
        plural(s.lint_notes, "note")
    )?;
    for (path, findings) in by_path {
        writeln!(w, "### `{path}`\n")?;
        for f in findings {
            writeln!(
                w,
                "- [ ] line {}, column {}: {}[{}]: {}",
                f.line.unwrap_or(0),
                f.column.unwrap_or(0),
                f.severity.as_str(),
                f.kind.as_str(),
                f.message.replace('<', "&lt;").replace('>', "&gt;")
            )?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn md_escape(s: &str) -> String {
    s.replace('\\', "").replace(['<', '>'], "")
}
