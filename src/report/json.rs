//! The JSON report: the [`Report`] model as is, documented in the README.

use super::Report;
use std::io::Write;

/// Writes `report` as pretty JSON followed by a newline.
pub fn write_json(report: &Report, mut w: impl Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut w, report)?;
    writeln!(w)
}
