//! The figures a person reads before the detail, computed once over the
//! whole run, before any filter narrows the report: the run's counts, the
//! share of each issue-year's links failing now (the link-rot curve), the
//! hosts with the most failing links, and the trend over earlier runs.
//! Every format shows these figures; none computes them itself.

use super::Summary;
use crate::store::{LinkRecord, TrendPoint};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many hosts the worst-hosts figure keeps.
pub const WORST_HOSTS: usize = 10;

/// How many runs (this one included) the trend covers, at most.
pub const TREND_RUNS: usize = 30;

/// The whole run at a glance, whatever the filter.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Overview {
    /// The counts of the whole run: `summary` before any filter.
    pub run: Summary,
    /// Each issue year's links and the share of them failing now, oldest
    /// year first, undated issues last.
    pub rot_by_year: Vec<YearRot>,
    /// The hosts with the most failing URLs, worst first, at most
    /// [`WORST_HOSTS`].
    pub worst_hosts: Vec<HostRot>,
    /// What earlier runs over the same inputs counted, oldest first, then
    /// this run: at most [`TREND_RUNS`].
    pub trend: Vec<TrendPoint>,
}

/// The links of the issues of one year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct YearRot {
    /// The issues' year; `None` for issues without a date.
    pub year: Option<i32>,
    /// Links (occurrences) in that year's issues.
    pub links: usize,
    /// Those with a verdict: checked, neither excluded, unsupported nor
    /// behind a bot wall.
    pub checked: usize,
    /// Those failing now.
    pub failing: usize,
    /// `failing / checked`, 0 to 1 (four decimals).
    pub share: f64,
}

/// The URLs on one host.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HostRot {
    /// Lower-case host name.
    pub host: String,
    /// Distinct URLs on it.
    pub urls: usize,
    /// Those with a verdict.
    pub checked: usize,
    /// Those failing now.
    pub failing: usize,
    /// `failing / checked`, 0 to 1 (four decimals).
    pub share: f64,
}

/// Counts a run's links into an [`Overview`], one at a time: per issue
/// year and per host, (links or URLs, checked, failing).
#[derive(Default)]
pub(super) struct OverviewTally {
    years: BTreeMap<Option<i32>, (usize, usize, usize)>,
    hosts: BTreeMap<String, (usize, usize, usize)>,
}

impl OverviewTally {
    /// Counts `l`.
    pub(super) fn add(&mut self, l: &LinkRecord) {
        let checked = l.status.is_conclusive();
        let failing = l.status.is_failure();
        for o in &l.occurrences {
            let e = self
                .years
                .entry(o.issue_date.map(|d| d.year()))
                .or_default();
            e.0 += 1;
            e.1 += usize::from(checked);
            e.2 += usize::from(failing);
        }
        if let Some(host) = host_of(l) {
            let e = self.hosts.entry(host).or_default();
            e.0 += 1;
            e.1 += usize::from(checked);
            e.2 += usize::from(failing);
        }
    }

    /// The figures of every link added, all of a run's, counted as `run`.
    pub(super) fn finish(self, run: Summary) -> Overview {
        let OverviewTally { years, hosts } = self;
        let mut rot_by_year: Vec<YearRot> = years
            .into_iter()
            .map(|(year, (links, checked, failing))| YearRot {
                year,
                links,
                checked,
                failing,
                share: share(failing, checked),
            })
            .collect();
        // `None` sorts first in a BTreeMap; a reader looks for it last.
        rot_by_year.sort_by_key(|y| (y.year.is_none(), y.year));
        let mut worst_hosts: Vec<HostRot> = hosts
            .into_iter()
            .filter(|(_, (_, _, failing))| *failing > 0)
            .map(|(host, (urls, checked, failing))| HostRot {
                host,
                urls,
                checked,
                failing,
                share: share(failing, checked),
            })
            .collect();
        worst_hosts.sort_by(|a, b| {
            b.failing
                .cmp(&a.failing)
                .then(b.share.total_cmp(&a.share))
                .then(a.host.cmp(&b.host))
        });
        worst_hosts.truncate(WORST_HOSTS);
        Overview {
            run,
            rot_by_year,
            worst_hosts,
            trend: Vec::new(),
        }
    }
}

impl Overview {
    /// This run as the last point of the trend.
    pub(super) fn this_run(&self, run: i64, finished_at: &str) -> TrendPoint {
        TrendPoint {
            run,
            finished_at: finished_at.to_string(),
            urls: self.run.urls,
            occurrences: self.run.occurrences,
            failing_urls: self.run.failing(),
        }
    }
}

/// The host a link is on (of the URL it resolved to, for a relative one),
/// lower case; `None` for a link that names none (`mailto:`, relative).
pub(crate) fn host_of(l: &LinkRecord) -> Option<String> {
    let url = url::Url::parse(l.resolved.as_deref().unwrap_or(&l.url)).ok()?;
    url.host_str().map(str::to_ascii_lowercase)
}

/// `part / whole`, rounded to four decimals; 0 when `whole` is 0.
fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0
}

/// A share as people read it: `46%`, `<1%` for a small one that is not
/// nothing, `0%`.
pub(crate) fn percent(share: f64) -> String {
    match share {
        s if s <= 0.0 => "0%".to_string(),
        s if s < 0.005 => "<1%".to_string(),
        s => format!("{:.0}%", s * 100.0),
    }
}

/// A count with thousands separators, as people read it: `97,306`.
pub(crate) fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{count, percent};

    #[test]
    fn counts_and_shares_read_as_people_write_them() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(97306), "97,306");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.004), "<1%");
        assert_eq!(percent(0.4615), "46%");
        assert_eq!(percent(1.0), "100%");
    }
}
