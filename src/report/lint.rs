//! Lint findings and the `linkrot links` listing, as text and JSON.
//!
//! Text: each link as `path:line:column url`, then each finding as
//! `path:line:column: error[placeholder]: message`, compiler style, so
//! editors and CI logs link it to the place. JSON: the array of links
//! `links` always printed, each with its `problems` (a flat list is
//! `jq '[.[].problems[]]'`).

use crate::extract::Link;
use crate::lint::{Finding, LintKind, LintSeverity};
use crate::source::Document;
use serde::Serialize;
use std::io::{self, Write};

/// A finding with the issue it is in: one element of a JSON `problems`
/// list, `{"path","line","column","kind","severity","url","message"}`.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRecord<'a> {
    /// The issue.
    pub path: &'a str,
    /// 1-based line of the URL.
    pub line: u32,
    /// 1-based column of the URL.
    pub column: u32,
    /// `placeholder`, `empty-link` ...
    pub kind: LintKind,
    /// `error` or `note`.
    pub severity: LintSeverity,
    /// The URL as written.
    pub url: &'a str,
    /// What is wrong and what to do.
    pub message: &'a str,
}

impl<'a> FindingRecord<'a> {
    /// `finding`, in the issue at `path`.
    pub fn new(path: &'a str, finding: &'a Finding) -> Self {
        FindingRecord {
            path,
            line: finding.line,
            column: finding.column,
            kind: finding.kind,
            severity: finding.severity,
            url: &finding.url,
            message: &finding.message,
        }
    }
}

/// `path:line:column: error[placeholder]: message`, one line per finding.
pub fn write_findings_text(path: &str, findings: &[Finding], mut w: impl Write) -> io::Result<()> {
    for f in findings {
        writeln!(
            w,
            "{path}:{}:{}: {}[{}]: {}",
            f.line,
            f.column,
            f.severity.as_str(),
            f.kind.as_str(),
            f.message
        )?;
    }
    Ok(())
}

/// Findings counted by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LintCounts {
    /// Error findings.
    pub errors: usize,
    /// Note findings.
    pub notes: usize,
}

impl LintCounts {
    fn add(&mut self, findings: &[Finding]) {
        for f in findings {
            match f.severity {
                LintSeverity::Error => self.errors += 1,
                LintSeverity::Note => self.notes += 1,
            }
        }
    }
}

/// `2 errors, 1 note`, or `no lint findings`.
pub fn write_lint_summary(counts: LintCounts, mut w: impl Write) -> io::Result<()> {
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    if counts.errors + counts.notes == 0 {
        return writeln!(w, "no lint findings");
    }
    writeln!(
        w,
        "{}, {}",
        plural(counts.errors, "error"),
        plural(counts.notes, "note")
    )
}

/// How `linkrot links` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingFormat {
    /// Link lines, then finding lines.
    Text,
    /// One JSON array of links, each with its problems.
    Json,
}

#[derive(Serialize)]
struct ListedLink<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    url: &'a str,
    /// The absolute URL of a relative link, with `--base-url`.
    resolved: Option<&'a str>,
    text: Option<&'a str>,
    kind: crate::extract::LinkKind,
    issue_date: Option<String>,
    issue_title: Option<&'a str>,
    problems: Vec<FindingRecord<'a>>,
}

/// The `linkrot links` output, fed one issue at a time: text link lines
/// are written as they come, finding lines (and JSON) at [`finish`].
///
/// [`finish`]: LinkListing::finish
pub struct LinkListing<W: Write> {
    format: ListingFormat,
    out: W,
    /// Text: the finding lines, written after every link.
    pending: Vec<u8>,
    /// JSON: the entries, already serialized.
    entries: Vec<serde_json::Value>,
    counts: LintCounts,
}

impl<W: Write> LinkListing<W> {
    /// A listing written to `out`.
    pub fn new(format: ListingFormat, out: W) -> Self {
        LinkListing {
            format,
            out,
            pending: Vec::new(),
            entries: Vec::new(),
            counts: LintCounts::default(),
        }
    }

    /// One issue's links and their findings.
    pub fn issue(
        &mut self,
        doc: &Document,
        links: &[Link],
        findings: &[Finding],
    ) -> io::Result<()> {
        self.counts.add(findings);
        match self.format {
            ListingFormat::Text => {
                for link in links {
                    super::write_link_line(&doc.path, link, &mut self.out)?;
                }
                write_findings_text(&doc.path, findings, &mut self.pending)
            }
            ListingFormat::Json => {
                for (i, link) in links.iter().enumerate() {
                    let entry = ListedLink {
                        path: &doc.path,
                        line: link.line,
                        column: link.column,
                        url: &link.url,
                        resolved: link.resolved.as_deref(),
                        text: link.text.as_deref(),
                        kind: link.kind,
                        issue_date: doc.date.map(|d| d.to_string()),
                        issue_title: doc.title.as_deref(),
                        problems: findings
                            .iter()
                            .filter(|f| f.link == i)
                            .map(|f| FindingRecord::new(&doc.path, f))
                            .collect(),
                    };
                    self.entries
                        .push(serde_json::to_value(entry).map_err(io::Error::other)?);
                }
                Ok(())
            }
        }
    }

    /// Writes what was held back; returns the findings counted.
    pub fn finish(mut self) -> io::Result<LintCounts> {
        match self.format {
            ListingFormat::Text => self.out.write_all(&self.pending)?,
            ListingFormat::Json => {
                serde_json::to_writer_pretty(&mut self.out, &self.entries)
                    .map_err(io::Error::other)?;
                writeln!(self.out)?;
            }
        }
        self.out.flush()?;
        Ok(self.counts)
    }
}
