//! `linkrot links` and `linkrot history` as JSON: what was extracted, and
//! one URL's timeline, for scripts.

use crate::extract::{Link, LinkKind};
use crate::source::Document;
use crate::store::{OccurrenceRecord, TimelineEntry};
use serde::Serialize;
use std::io::Write;

/// One extracted link, as `linkrot links --format json` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ListedLink {
    /// The issue's path.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub column: u32,
    /// The URL as written.
    pub url: String,
    /// Link text.
    pub text: Option<String>,
    /// Link syntax.
    pub kind: LinkKind,
    /// The issue's date.
    #[serde(serialize_with = "crate::clock::serialize_date")]
    pub issue_date: Option<time::Date>,
    /// The issue's title.
    pub issue_title: Option<String>,
}

impl ListedLink {
    /// `link` of `doc`, as listed.
    pub fn new(doc: &Document, link: &Link) -> ListedLink {
        ListedLink {
            path: doc.path.clone(),
            line: link.line,
            column: link.column,
            url: link.url.clone(),
            text: link.text.clone(),
            kind: link.kind,
            issue_date: doc.date,
            issue_title: doc.title.clone(),
        }
    }
}

/// Writes the listed links as a pretty JSON array.
pub fn write_links_json(links: &[ListedLink], mut w: impl Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut w, links)?;
    writeln!(w)
}

/// Writes a URL's timeline as JSON: `{"url", "checks", "cited"}`.
pub fn write_timeline_json(
    url: &str,
    checks: &[TimelineEntry],
    cited: &[OccurrenceRecord],
    mut w: impl Write,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Timeline<'a> {
        url: &'a str,
        checks: &'a [TimelineEntry],
        cited: &'a [OccurrenceRecord],
    }
    serde_json::to_writer_pretty(&mut w, &Timeline { url, checks, cited })?;
    writeln!(w)
}
