//! JUnit XML: one test suite per issue, one test case per link occurrence
//! (a failure for each failing link) and per lint finding (a failure for
//! an error, the message as `system-out` for a note). Accepted by the
//! common CI reporters.

use super::{describe, xml_escape, ProblemRecord, ProblemSeverity, Report};
use crate::store::LinkRecord;
use std::collections::BTreeMap;
use std::io::Write;

/// One test case of an issue's suite.
enum Case<'a> {
    Link(&'a LinkRecord),
    Finding(&'a ProblemRecord),
}

impl Case<'_> {
    fn fails(&self) -> bool {
        match self {
            Case::Link(l) => l.status.is_failure(),
            Case::Finding(f) => f.severity == ProblemSeverity::Error,
        }
    }
}

/// Writes the report as JUnit XML.
pub fn write_junit(report: &Report, mut w: impl Write) -> std::io::Result<()> {
    // A test case per occurrence of every link: JUnit holds them all.
    let links = report.links.to_vec()?;
    let mut suites: BTreeMap<&str, Vec<(u32, u32, Case<'_>)>> = BTreeMap::new();
    for l in &links {
        for o in &l.occurrences {
            suites.entry(report.file_path(&o.path)).or_default().push((
                o.line,
                o.column,
                Case::Link(l),
            ));
        }
    }
    for f in report.findings() {
        if let Some((path, line, col)) = f.position() {
            suites
                .entry(report.file_path(path))
                .or_default()
                .push((line, col, Case::Finding(f)));
        }
    }
    let tests: usize = suites.values().map(Vec::len).sum();
    let failures: usize = suites.values().flatten().filter(|c| c.2.fails()).count();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="linkrot" tests="{tests}" failures="{failures}">"#
    )?;
    for (path, mut cases) in suites {
        // Stable: at one place, the link first, then its findings.
        cases.sort_by_key(|(line, col, _)| (*line, *col));
        let failed = cases.iter().filter(|c| c.2.fails()).count();
        writeln!(
            w,
            r#"  <testsuite name="{}" tests="{}" failures="{failed}">"#,
            xml_escape(path),
            cases.len()
        )?;
        for (line, col, case) in cases {
            let name = match &case {
                Case::Link(l) => format!("{path}:{line}:{col} {}", l.url),
                Case::Finding(f) => format!(
                    "{path}:{line}:{col} lint[{}] {}",
                    f.kind.as_str(),
                    f.url.as_deref().unwrap_or_default()
                ),
            };
            write!(
                w,
                r#"    <testcase classname="{}" name="{}" file="{}" line="{line}""#,
                xml_escape(path),
                xml_escape(&name),
                xml_escape(path)
            )?;
            let body = match case {
                Case::Link(l) if l.status.is_failure() => Some(format!(
                    r#"      <failure type="{}" message="{}"/>"#,
                    l.status.as_str(),
                    xml_escape(&describe(l))
                )),
                Case::Link(l) if !l.status.is_conclusive() => Some(format!(
                    r#"      <skipped message="{}"/>"#,
                    xml_escape(&describe(l))
                )),
                Case::Link(_) => None,
                Case::Finding(f) if f.severity == ProblemSeverity::Error => Some(format!(
                    r#"      <failure type="{}" message="{}"/>"#,
                    f.kind.as_str(),
                    xml_escape(&f.message)
                )),
                Case::Finding(f) => Some(format!(
                    "      <system-out>note[{}]: {}</system-out>",
                    f.kind.as_str(),
                    xml_escape(&f.message)
                )),
            };
            match body {
                Some(body) => {
                    writeln!(w, ">")?;
                    writeln!(w, "{body}")?;
                    writeln!(w, "    </testcase>")?;
                }
                None => writeln!(w, "/>")?,
            }
        }
        writeln!(w, "  </testsuite>")?;
    }
    writeln!(w, "</testsuites>")
}
