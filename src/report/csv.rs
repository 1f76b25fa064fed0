//! CSV: one row per occurrence, stable column names, RFC 4180 quoting.
//! CSV lists links only: a lint finding is not a row of its own but the
//! `lint` column of the occurrence it is about (its kinds, `;`-separated);
//! the messages are in the other formats.

use super::Report;
use std::collections::HashMap;
use std::io::Write;

/// The columns, in order; never renamed, only appended to.
pub const CSV_COLUMNS: &[&str] = &[
    "path",
    "line",
    "column",
    "url",
    "status",
    "http_status",
    "state",
    "final_url",
    "archive_url",
    "issue_date",
    "issue_title",
    "dead_since",
    "checked_at",
    "error",
    "lint",
];

/// Writes every occurrence of every link as CSV.
pub fn write_csv(report: &Report, w: impl Write) -> std::io::Result<()> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(w);
    out.write_record(CSV_COLUMNS)?;
    let mut lint: HashMap<(&str, u32, u32), String> = HashMap::new();
    for f in report.findings() {
        if let Some(at) = f.position() {
            let kinds = lint.entry(at).or_default();
            if !kinds.is_empty() {
                kinds.push(';');
            }
            kinds.push_str(f.kind.as_str());
        }
    }
    report.links.each(|l| {
        for o in &l.occurrences {
            let kinds = lint
                .get(&(o.path.as_str(), o.line, o.column))
                .map_or("", String::as_str);
            let archive = o
                .archive
                .as_ref()
                .or(l.archive.as_ref())
                .map(|a| a.url.as_str());
            out.write_record([
                o.path.as_str(),
                &o.line.to_string(),
                &o.column.to_string(),
                &l.url,
                l.status.as_str(),
                &l.http_status.map(|c| c.to_string()).unwrap_or_default(),
                l.state.map(|s| s.as_str()).unwrap_or_default(),
                l.final_url.as_deref().unwrap_or_default(),
                archive.unwrap_or_default(),
                &o.issue_date.map(|d| d.to_string()).unwrap_or_default(),
                o.issue_title.as_deref().unwrap_or_default(),
                l.dead_since.as_deref().unwrap_or_default(),
                &l.checked_at,
                l.error.as_deref().unwrap_or_default(),
                kinds,
            ])?;
        }
        Ok(())
    })?;
    out.flush()
}
