//! JUnit XML: one test suite per issue, one test case per link occurrence,
//! a failure for each failing link. Accepted by the common CI reporters.

use super::{describe, xml_escape, Report};
use std::collections::BTreeMap;
use std::io::Write;

/// Writes the report as JUnit XML.
pub fn write_junit(report: &Report, mut w: impl Write) -> std::io::Result<()> {
    let mut suites: BTreeMap<&str, Vec<(u32, u32, &crate::store::LinkRecord)>> = BTreeMap::new();
    for l in &report.links {
        for o in &l.occurrences {
            suites
                .entry(o.path.as_str())
                .or_default()
                .push((o.line, o.column, l));
        }
    }
    let tests: usize = suites.values().map(Vec::len).sum();
    let failures: usize = suites
        .values()
        .flatten()
        .filter(|(_, _, l)| l.status.is_failure())
        .count();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="linkrot" tests="{tests}" failures="{failures}">"#
    )?;
    for (path, mut cases) in suites {
        cases.sort_by_key(|(line, col, _)| (*line, *col));
        let failed = cases
            .iter()
            .filter(|(_, _, l)| l.status.is_failure())
            .count();
        writeln!(
            w,
            r#"  <testsuite name="{}" tests="{}" failures="{failed}">"#,
            xml_escape(path),
            cases.len()
        )?;
        for (line, col, l) in cases {
            let name = xml_escape(&format!("{}:{line}:{col} {}", path, l.url));
            write!(
                w,
                r#"    <testcase classname="{}" name="{name}" file="{}" line="{line}""#,
                xml_escape(path),
                xml_escape(path)
            )?;
            if l.status.is_failure() {
                writeln!(w, ">")?;
                writeln!(
                    w,
                    r#"      <failure type="{}" message="{}"/>"#,
                    l.status.as_str(),
                    xml_escape(&describe(l))
                )?;
                writeln!(w, "    </testcase>")?;
            } else if !l.status.is_conclusive() {
                writeln!(w, ">")?;
                writeln!(
                    w,
                    r#"      <skipped message="{}"/>"#,
                    xml_escape(&describe(l))
                )?;
                writeln!(w, "    </testcase>")?;
            } else {
                writeln!(w, "/>")?;
            }
        }
        writeln!(w, "  </testsuite>")?;
    }
    writeln!(w, "</testsuites>")
}
