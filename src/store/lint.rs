//! What lint asks of the database, answered for a whole set of URLs at
//! once: the issues citing each URL (for `seen-before`) and the latest
//! check of each `http://` URL and of its `https://` form (for
//! `insecure`). Two queries for each 4,096 URLs, however many links the
//! issues hold; the answers are a [`LintHistory`], which is a
//! [`LintContext`] (lint's [`first_citation`] picks the earliest
//! citation out of these and the run's own).

use super::{date_of, Store, StoreError};
use crate::check::{Hop, Status};
use crate::lint::{first_citation, CitingIssue, EarlierCitation, LintContext};
use rusqlite::params;
use std::collections::{HashMap, HashSet};
use time::Date;

/// An issue citing a URL, as the database knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Citing {
    path: String,
    date: Option<Date>,
    title: Option<String>,
}

/// The database's answers to lint's questions about some URLs (those
/// given to [`Store::lint_history`]; of any other it knows nothing).
#[derive(Debug, Clone, Default)]
pub struct LintHistory {
    /// Every issue citing each URL (as written), whatever run read it.
    citing: HashMap<String, Vec<Citing>>,
    /// The `http://` URLs whose `https://` form is known to work.
    https_works: HashSet<String>,
}

impl LintHistory {
    /// The issues citing `url` that the database told of.
    pub fn citing(&self, url: &str) -> impl Iterator<Item = CitingIssue<'_>> {
        self.citing
            .get(url)
            .into_iter()
            .flatten()
            .map(|c| (c.path.as_str(), c.date, c.title.as_deref()))
    }
}

impl LintContext for LintHistory {
    fn first_cited(&self, url: &str, path: &str, date: Option<Date>) -> Option<EarlierCitation> {
        first_citation(self.citing(url), path, date)
    }

    fn https_works(&self, http_url: &str) -> bool {
        self.https_works.contains(http_url)
    }
}

/// `https://` and the rest of an `http://` URL, if it is one.
fn https_form(http_url: &str) -> Option<String> {
    let rest = http_url
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("http://"))
        .map(|_| &http_url[7..])?;
    Some(format!("https://{rest}"))
}

/// `url` parsed, without its fragment, as a string: how two spellings of
/// one page compare (`https://a.test` and `https://a.test/`).
fn normalized(url: &str) -> Option<String> {
    let mut u = url::Url::parse(url.trim()).ok()?;
    u.set_fragment(None);
    Some(u.into())
}

/// How many URLs [`Store::lint_history`] asks about in one query.
const ASKED_AT_ONCE: usize = 4_096;

/// The latest check of a URL, as far as `insecure` cares.
struct Latest {
    status: Status,
    /// Where its first redirect led.
    redirected_to: Option<String>,
}

impl Store {
    /// What the database knows that lint asks about `urls` (as written):
    /// every issue citing each, and, for each `http://` one, whether its
    /// `https://` form works: its latest check (one that made a request)
    /// was ok or redirected, or the `http://` URL's latest check was
    /// redirected to it. With `read_by` a run, the issues that run read
    /// are left out: the caller knows their links (on a night that reads
    /// the whole archive, the database is asked nothing about citations).
    /// The URLs are asked about [`ASKED_AT_ONCE`] at a time, so that what
    /// the questions hold does not grow with the archive.
    pub fn lint_history<'a>(
        &self,
        urls: impl IntoIterator<Item = &'a str>,
        read_by: Option<i64>,
    ) -> Result<LintHistory, StoreError> {
        let mut out = LintHistory::default();
        let others: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM issues WHERE last_run IS NOT ?1)",
                [read_by],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        let mut urls = urls.into_iter().peekable();
        let mut chunk = Vec::with_capacity(ASKED_AT_ONCE);
        while urls.peek().is_some() {
            chunk.clear();
            chunk.extend(urls.by_ref().take(ASKED_AT_ONCE));
            if others {
                self.citing_issues(&chunk, read_by, &mut out)?;
            }
            self.https_known(&chunk, &mut out)?;
        }
        Ok(out)
    }

    /// Adds to `out` the issues citing each of `urls` that `read_by` did
    /// not read.
    fn citing_issues(
        &self,
        urls: &[&str],
        read_by: Option<i64>,
        out: &mut LintHistory,
    ) -> Result<(), StoreError> {
        // One parameter for many URLs: a JSON array, unpacked by SQLite
        // (`json_each`) and joined on the unique index of `urls`.
        let all = serde_json::to_string(urls).expect("strings serialize");
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT u.url, i.path, i.date, i.title
                 FROM json_each(?1) w
                 JOIN urls u ON u.url = w.value
                 JOIN occurrences o ON o.url_id = u.id
                 JOIN issues i ON i.id = o.issue_id
                 WHERE i.last_run IS NOT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![all, read_by], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Citing {
                        path: r.get(1)?,
                        date: date_of(r.get(2)?),
                        title: r.get(3)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (url, c) = row.map_err(|e| self.err(e))?;
            out.citing.entry(url).or_default().push(c);
        }
        Ok(())
    }

    /// Adds to `out` each `http://` URL of `urls` whose `https://` form works.
    fn https_known(&self, urls: &[&str], out: &mut LintHistory) -> Result<(), StoreError> {
        // Each http:// URL, and its https:// form as written and normalized.
        let insecure: Vec<(&str, String)> = urls
            .iter()
            .filter_map(|u| https_form(u).map(|h| (*u, h)))
            .collect();
        if insecure.is_empty() {
            return Ok(());
        }
        let mut asked: Vec<String> = Vec::with_capacity(insecure.len() * 3);
        for (http, https) in &insecure {
            asked.push((*http).to_string());
            asked.push(https.clone());
            asked.extend(normalized(https).filter(|n| n != https));
        }
        let latest = self.latest_for_lint(&asked)?;
        for (http, https) in insecure {
            let target = normalized(&https);
            let works = |u: &str| {
                latest
                    .get(u)
                    .is_some_and(|l| matches!(l.status, Status::Ok | Status::Redirected))
            };
            let via_redirect = latest.get(http).is_some_and(|l| {
                l.status == Status::Redirected
                    && l.redirected_to.as_deref().and_then(normalized) == target
            });
            if works(&https) || target.as_deref().is_some_and(works) || via_redirect {
                out.https_works.insert(http.to_string());
            }
        }
        Ok(())
    }

    /// The latest check that made a request, of each of `urls` that has one.
    fn latest_for_lint(&self, urls: &[String]) -> Result<HashMap<String, Latest>, StoreError> {
        self.latest_of(urls, "c.status, c.final_url, c.redirects", |r| {
            let status: String = r.get(1)?;
            let final_url: Option<String> = r.get(2)?;
            let hops: Vec<Hop> = serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default();
            // The first hop is the URL itself; where it led is the next
            // hop, or the end when there was one redirect.
            let redirected_to = match hops.get(1) {
                Some(next) => Some(next.url.clone()),
                None if !hops.is_empty() => final_url,
                None => None,
            };
            Ok(Latest {
                status: Status::parse(&status).unwrap_or(Status::Error),
                redirected_to,
            })
        })
    }
}
