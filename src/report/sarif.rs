//! SARIF 2.1.0, for code-scanning dashboards: one result per failing
//! occurrence (and a note per redirect), and one per lint finding (a rule
//! per lint kind, level error or note), with file, line and column.

use super::{describe, Report};
use crate::check::Status;
use crate::lint::{LintKind, LintSeverity};
use serde_json::json;
use std::io::Write;

/// What each lint rule is about, for the rule's short description.
fn lint_rule_text(kind: LintKind) -> &'static str {
    match kind {
        LintKind::Placeholder => "A destination left to fill in (TODO, #, INSERT_LINK_HERE ...)",
        LintKind::EmptyLink => "A link with an empty destination",
        LintKind::MalformedUrl => {
            "A URL that cannot work as written (a mistyped or missing scheme, a space, an unbalanced parenthesis)"
        }
        LintKind::Duplicate => "The same URL linked twice in one issue",
        LintKind::SeenBefore => "A URL already featured in an earlier issue",
        LintKind::Tracking => "Tracking parameters (utm_*, fbclid ...) left in a link",
        LintKind::Insecure => "An http:// link whose https:// form is known to work",
    }
}

fn level(severity: LintSeverity) -> &'static str {
    match severity {
        LintSeverity::Error => "error",
        LintSeverity::Note => "note",
    }
}

/// Writes the report as a SARIF 2.1.0 log.
pub fn write_sarif(report: &Report, mut w: impl Write) -> std::io::Result<()> {
    let mut results = Vec::new();
    let noted = report.links.to_vec_where(|l| {
        l.status.is_failure() || matches!(l.status, Status::Redirected | Status::Blocked)
    })?;
    for l in &noted {
        let (rule, level) = match l.status {
            Status::SoftNotFound => ("soft-404", "error"),
            Status::Parked => ("parked-domain", "error"),
            s if s.is_failure() => ("broken-link", "error"),
            Status::Redirected => ("redirected-link", "note"),
            Status::Blocked => ("blocked-link", "note"),
            _ => continue,
        };
        for o in &l.occurrences {
            let mut text = format!("{} {}", describe(l), l.url);
            if let Some(f) = &l.final_url {
                text.push_str(&format!(" (now {f})"));
            }
            if let Some(a) = o.archive.as_ref().or(l.archive.as_ref()) {
                text.push_str(&format!("; archived copy: {}", a.url));
            }
            results.push(json!({
                "ruleId": rule,
                "level": level,
                "message": {"text": text},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": report.file_path(&o.path).trim_start_matches("./")},
                    "region": {"startLine": o.line, "startColumn": o.column, "endColumn": o.column + u32::try_from(l.url.chars().count()).unwrap_or(0)}
                }}],
                "partialFingerprints": {"linkrot/url": l.url},
            }));
        }
    }
    for f in report.findings() {
        let (Some(kind), Some((path, line, col))) = (f.lint(), f.position()) else {
            continue;
        };
        let url = f.url.as_deref().unwrap_or_default();
        results.push(json!({
            "ruleId": kind.as_str(),
            "level": level(kind.severity()),
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": report.file_path(path).trim_start_matches("./")},
                "region": {"startLine": line, "startColumn": col, "endColumn": col + u32::try_from(url.chars().count()).unwrap_or(0)}
            }}],
            "partialFingerprints": {"linkrot/url": url},
        }));
    }
    let mut rules = vec![
        json!({"id": "broken-link", "shortDescription": {"text": "A link that does not answer, or answers with an error"},
               "defaultConfiguration": {"level": "error"}}),
        json!({"id": "soft-404", "shortDescription": {"text": "A link that answers with the site's \"not found\" page (or its home page) instead of the page"},
               "defaultConfiguration": {"level": "error"}}),
        json!({"id": "parked-domain", "shortDescription": {"text": "A link to a domain that is parked: every page is the same ads or \"for sale\" page"},
               "defaultConfiguration": {"level": "error"}}),
        json!({"id": "redirected-link", "shortDescription": {"text": "A link that redirects elsewhere"},
               "defaultConfiguration": {"level": "note"}}),
        json!({"id": "blocked-link", "shortDescription": {"text": "A link answered by a bot wall: the page behind it is unknown"},
               "defaultConfiguration": {"level": "note"}}),
    ];
    rules.extend(LintKind::ALL.into_iter().map(|k| {
        json!({"id": k.as_str(), "shortDescription": {"text": lint_rule_text(k)},
               "defaultConfiguration": {"level": level(k.severity())}})
    }));
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "linkrot",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }},
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut w, &log)?;
    writeln!(w)
}
