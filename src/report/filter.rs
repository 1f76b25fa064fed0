//! Which links, occurrences and findings a report keeps (`linkrot report
//! --status --issue --since --host --lint`).

use super::{ProblemKind, ProblemRecord, ProblemSeverity};
use crate::lint::LintLevel;
use crate::store::{LinkRecord, OccurrenceRecord};

/// Which links and occurrences a report keeps.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Keep links with one of these statuses or states (`broken`, `failing`
    /// for any failure, `dead`, `flaky`, `redirected` ...); empty: all.
    pub status: Vec<String>,
    /// Keep occurrences in issues whose path contains this.
    pub issue: Option<String>,
    /// Keep occurrences in issues dated this day or later.
    pub since: Option<time::Date>,
    /// Keep links on this host or its subdomains.
    pub host: Option<String>,
    /// Which lint findings to keep (all of those stored, by default).
    pub lint: LintLevel,
}

impl Filter {
    pub(super) fn keeps_link(&self, l: &LinkRecord) -> bool {
        let status_ok = self.status.is_empty()
            || self.status.iter().any(|s| {
                s == l.status.as_str()
                    || (s == "failing" && l.status.is_failure())
                    || l.state.is_some_and(|st| st.as_str() == s)
            });
        let host_ok = self.host.as_deref().is_none_or(|want| {
            url::Url::parse(&l.url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .is_some_and(|h| h == want || h.ends_with(&format!(".{want}")))
        });
        status_ok && host_ok
    }

    pub(super) fn keeps_occurrence(&self, o: &OccurrenceRecord) -> bool {
        self.keeps_issue(&o.path, o.issue_date)
    }

    fn keeps_issue(&self, path: &str, date: Option<time::Date>) -> bool {
        self.issue.as_deref().is_none_or(|p| path.contains(p))
            && self
                .since
                .as_ref()
                .is_none_or(|d| date.is_some_and(|od| od >= *d))
    }

    /// Input problems are always kept; findings by level, issue and host
    /// (`status` is about verdicts, not findings).
    pub(super) fn keeps_problem(&self, p: &ProblemRecord) -> bool {
        let level_ok = match (self.lint, p.severity) {
            _ if p.kind == ProblemKind::Input => return true,
            (LintLevel::None, _) => false,
            (LintLevel::Errors, sev) => sev == ProblemSeverity::Error,
            (LintLevel::All, _) => true,
        };
        let host_ok = self.host.as_deref().is_none_or(|want| {
            p.url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .is_some_and(|h| h == want || h.ends_with(&format!(".{want}")))
        });
        level_ok && host_ok && self.keeps_issue(&p.path, p.issue_date)
    }
}
