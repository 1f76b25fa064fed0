//! `linkrot history` as JSON: one URL's timeline, for scripts.

use crate::store::{OccurrenceRecord, TimelineEntry};
use serde::Serialize;
use std::io::Write;

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
