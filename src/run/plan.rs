//! Which URLs a run requests and which keep their last result: a pure
//! decision over what the database knows, the freshness rules and the
//! request budget.

use crate::history::MaxAge;
use crate::store::LatestCheck;

/// What a run does with each request (a distinct URL, fragment stripped),
/// in the caller's ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Requested in this run, never-checked first, then the longest unchecked.
    pub check: Vec<usize>,
    /// Fresh enough: their last check stands for this run.
    pub reuse: Vec<usize>,
    /// Over the request budget: they keep their last result, if any.
    pub deferred: Vec<usize>,
}

/// Decides for each request `(id, [latest check of each of its spellings])`
/// whether to check it now, reuse its last result, or defer it past the
/// budget. A request is reused only when every spelling of it has a fresh
/// result; with a budget, the stalest go first (never checked before any).
pub fn plan<'a, I>(requests: I, max_age: &MaxAge, budget: Option<usize>, now: i64) -> Plan
where
    I: IntoIterator<Item = (usize, Vec<Option<&'a LatestCheck>>)>,
{
    let requests = requests.into_iter();
    let mut out = Plan::default();
    // Sized once: on a first run every request is stale. Each with when
    // it was last checked (`i64::MIN`: some spelling never was).
    let mut stale: Vec<(i64, usize)> = Vec::with_capacity(requests.size_hint().0);
    for (id, latest) in requests {
        let fresh = latest
            .iter()
            .all(|l| l.is_some_and(|l| max_age.is_fresh(&l.point, now)));
        if fresh && !latest.is_empty() {
            out.reuse.push(id);
        } else {
            // The oldest of its spellings' checks; none at all sorts first.
            let oldest = latest.iter().map(|l| l.map(|l| l.point.at)).min().flatten();
            stale.push((oldest.unwrap_or(i64::MIN), id));
        }
    }
    if let Some(budget) = budget {
        // By id among equals, as requested: an unstable sort needs no
        // buffer the size of the list.
        stale.sort_unstable();
        let keep = budget.min(stale.len());
        out.deferred = stale.drain(keep..).map(|(_, id)| id).collect();
    }
    out.check = stale.into_iter().map(|(_, id)| id).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::history::CheckPoint;

    const DAY: i64 = 86_400;

    fn checked(at: i64, status: Status) -> LatestCheck {
        LatestCheck {
            check_id: at,
            point: CheckPoint {
                at,
                status,
                http_status: None,
                error: None,
            },
        }
    }

    #[test]
    fn fresh_results_are_reused_and_stale_or_new_ones_checked() {
        let now = 30 * DAY;
        let ok_yesterday = checked(now - DAY, Status::Ok);
        let ok_long_ago = checked(now - 10 * DAY, Status::Ok);
        let broken_yesterday = checked(now - DAY - 1, Status::Broken);
        let p = plan(
            vec![
                (0, vec![Some(&ok_yesterday)]),
                (1, vec![Some(&ok_long_ago)]),
                (2, vec![None]),
                (3, vec![Some(&broken_yesterday)]),
                (4, vec![Some(&ok_yesterday), None]),
            ],
            &MaxAge::default(),
            None,
            now,
        );
        assert_eq!(p.reuse, [0]);
        assert_eq!(
            p.check,
            [1, 2, 3, 4],
            "in the order given, without a budget"
        );
        assert!(p.deferred.is_empty());
    }

    #[test]
    fn a_budget_goes_to_never_checked_urls_first_then_the_stalest() {
        let now = 100 * DAY;
        let old = checked(now - 50 * DAY, Status::Ok);
        let older = checked(now - 80 * DAY, Status::Ok);
        let p = plan(
            vec![
                (0, vec![Some(&old)]),
                (1, vec![Some(&older)]),
                (2, vec![None]),
            ],
            &MaxAge::default(),
            Some(2),
            now,
        );
        assert_eq!(p.check, [2, 1]);
        assert_eq!(p.deferred, [0]);
        let none = plan(vec![(0, vec![None])], &MaxAge::default(), Some(0), now);
        assert_eq!((none.check.len(), none.deferred), (0, vec![0]));
    }
}
