//! GitHub Actions workflow commands: an `::error` annotation per failing
//! occurrence and per lint error, a `::warning` per redirect, a `::notice`
//! per lint note and bot wall, capped to what GitHub shows.

use super::{describe, ProblemSeverity, Report};
use crate::check::Status;
use std::io::Write;

/// GitHub shows at most this many annotations of a step.
pub const GITHUB_ANNOTATION_CAP: usize = 50;

/// Writes annotations, errors first, then a notice for any left out.
pub fn write_github(report: &Report, mut w: impl Write) -> std::io::Result<()> {
    // The links' annotations by level, in one walk over them.
    let mut by_level: [Vec<String>; 3] = Default::default();
    report.links.each(|l| {
        let (at, level, title) = match l.status {
            s if s.is_failure() => (0, "error", "broken link"),
            Status::Redirected => (1, "warning", "redirected link"),
            Status::Blocked => (2, "notice", "blocked by a bot wall"),
            _ => return Ok(()),
        };
        for o in &l.occurrences {
            let mut msg = format!("{} {}", describe(l), l.url);
            if let Some(f) = &l.final_url {
                msg.push_str(&format!(" -> {f}"));
            }
            by_level[at].push(format!(
                "::{level} file={},line={},col={},title={title}::{}",
                escape_property(report.file_path(&o.path)),
                o.line,
                o.column,
                escape_data(&msg)
            ));
        }
        Ok(())
    })?;
    let mut lines = Vec::new();
    for (level, links) in ["error", "warning", "notice"].into_iter().zip(by_level) {
        lines.extend(links);
        let severity = match level {
            "error" => ProblemSeverity::Error,
            "notice" => ProblemSeverity::Note,
            _ => continue,
        };
        for f in report.findings().filter(|f| f.severity == severity) {
            let Some((path, line, col)) = f.position() else {
                continue;
            };
            lines.push(format!(
                "::{level} file={},line={line},col={col},title=lint {}::{}",
                escape_property(report.file_path(path)),
                f.kind.as_str(),
                escape_data(&f.message)
            ));
        }
    }
    let total = lines.len();
    for line in lines.iter().take(GITHUB_ANNOTATION_CAP) {
        writeln!(w, "{line}")?;
    }
    if total > GITHUB_ANNOTATION_CAP {
        writeln!(
            w,
            "::notice::{} more annotations not shown; see the full report",
            total - GITHUB_ANNOTATION_CAP
        )?;
    }
    Ok(())
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
