//! Issues and their occurrences: every issue as last read, and where each
//! of its links stands in it.

use super::{date_of, date_text, Store, StoreError};
use crate::archive::Capture;
use crate::extract::{Flaw, Link, LinkKind};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use time::Date;

/// Where a link stands in an issue, as the database records it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OccurrenceRecord {
    /// The issue's path.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub column: u32,
    /// The issue's date.
    #[serde(
        serialize_with = "crate::clock::serialize_date",
        deserialize_with = "crate::clock::deserialize_date"
    )]
    pub issue_date: Option<Date>,
    /// The issue's title.
    pub issue_title: Option<String>,
    /// Link text.
    pub text: Option<String>,
    /// Link syntax.
    pub kind: LinkKind,
    /// The capture closest to this issue's date, when it differs from the link's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<Capture>,
}

pub(super) struct IssueRow<'a> {
    pub path: &'a str,
    pub title: Option<&'a str>,
    pub date: Option<Date>,
    pub content_hash: Option<&'a str>,
}

impl Store {
    /// The run that last read the issue at `path`, and the hash of its
    /// bytes then.
    pub fn issue(&self, path: &str) -> Result<Option<(i64, Option<String>)>, StoreError> {
        self.conn
            .query_row(
                "SELECT last_run, content_hash FROM issues WHERE path = ?1",
                [path],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Records the hash of an issue's bytes after linkrot rewrote it.
    pub fn set_issue_hash(&self, path: &str, hash: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE issues SET content_hash = ?2 WHERE path = ?1",
                params![path, hash],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The links of the issue at `path` as last stored, in the order they
    /// were read: what lint reads back instead of a run keeping them all.
    pub fn issue_links(&self, path: &str) -> Result<Vec<Link>, StoreError> {
        self.rows(
            "SELECT u.url, o.line, o.col, o.span_start, o.span_end, o.kind, o.text, o.resolved, o.flaw
             FROM issues i JOIN occurrences o ON o.issue_id = i.id JOIN urls u ON u.id = o.url_id
             WHERE i.path = ?1 ORDER BY o.span_start, o.rowid",
            [path],
            |r| link_of(r, 0),
        )
    }

    /// Where `url` is cited now, in path and line order.
    pub fn citations(&self, url: &str) -> Result<Vec<OccurrenceRecord>, StoreError> {
        self.rows(
            "SELECT i.path, o.line, o.col, i.date, i.title, o.text, o.kind
             FROM occurrences o JOIN issues i ON i.id = o.issue_id JOIN urls u ON u.id = o.url_id
             WHERE u.url = ?1 ORDER BY i.path, o.line, o.col",
            [url],
            |r| occurrence(r, 0),
        )
    }
}

/// The link stored in a row's columns from `at` on: `u.url, o.line, o.col,
/// o.span_start, o.span_end, o.kind, o.text, o.resolved, o.flaw`.
pub(super) fn link_of(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Link> {
    Ok(Link {
        url: r.get(at)?,
        line: r.get(at + 1)?,
        column: r.get(at + 2)?,
        span: usize::try_from(r.get::<_, i64>(at + 3)?).unwrap_or(0)
            ..usize::try_from(r.get::<_, i64>(at + 4)?).unwrap_or(0),
        kind: LinkKind::parse(&r.get::<_, String>(at + 5)?).unwrap_or(LinkKind::Bare),
        text: r.get(at + 6)?,
        resolved: r.get(at + 7)?,
        flaw: r
            .get::<_, Option<String>>(at + 8)?
            .as_deref()
            .and_then(Flaw::parse),
    })
}

pub(super) fn occurrence(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<OccurrenceRecord> {
    Ok(OccurrenceRecord {
        path: r.get(at)?,
        line: r.get(at + 1)?,
        column: r.get(at + 2)?,
        issue_date: date_of(r.get(at + 3)?),
        issue_title: r.get(at + 4)?,
        text: r.get(at + 5)?,
        kind: LinkKind::parse(&r.get::<_, String>(at + 6)?).unwrap_or(LinkKind::Bare),
        archive: None,
    })
}

/// A fingerprint of `links` as the occurrences table stores them: two
/// issues read with the same one have the same occurrences.
fn links_hash(links: &[Link]) -> String {
    let mut bytes = Vec::with_capacity(links.len() * 96);
    for l in links {
        for field in [
            l.url.as_str(),
            l.kind.as_str(),
            l.text.as_deref().unwrap_or("\u{0}none"),
            l.resolved.as_deref().unwrap_or("\u{0}none"),
            l.flaw.map_or("\u{0}none", Flaw::as_str),
        ] {
            bytes.extend_from_slice(field.as_bytes());
            bytes.push(0xff);
        }
        for n in [l.line as usize, l.column as usize, l.span.start, l.span.end] {
            bytes.extend_from_slice(&n.to_le_bytes());
        }
    }
    crate::source::content_hash(&bytes)
}

pub(super) fn write_issue(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    issue: IssueRow<'_>,
    links: &[Link],
    now: i64,
) -> rusqlite::Result<()> {
    let hash = links_hash(links);
    let stored: Option<Option<String>> = tx
        .prepare_cached("SELECT links_hash FROM issues WHERE path = ?1")?
        .query_row([issue.path], |r| r.get(0))
        .optional()?;
    let issue_id: i64 = tx
        .prepare_cached(
            "INSERT INTO issues (path, title, date, last_run, content_hash, links_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(path) DO UPDATE SET title = excluded.title, date = excluded.date,
                 last_run = excluded.last_run, content_hash = excluded.content_hash,
                 links_hash = excluded.links_hash
             RETURNING id",
        )?
        .query_row(
            params![
                issue.path,
                issue.title,
                date_text(issue.date),
                run_id,
                issue.content_hash,
                hash
            ],
            |r| r.get(0),
        )?;
    if stored.flatten().as_deref() == Some(hash.as_str()) {
        // The same links as stored: they are this run's now.
        tx.prepare_cached("UPDATE occurrences SET run_id = ?1 WHERE issue_id = ?2")?
            .execute([run_id, issue_id])?;
        return Ok(());
    }
    tx.prepare_cached("DELETE FROM occurrences WHERE issue_id = ?1")?
        .execute([issue_id])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO occurrences (issue_id, url_id, run_id, line, col, span_start, span_end, kind, text, resolved, flaw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for l in links {
        let uid = super::url_id(tx, &l.url, now)?;
        insert.execute(params![
            issue_id,
            uid,
            run_id,
            l.line,
            l.column,
            i64::try_from(l.span.start).unwrap_or(i64::MAX),
            i64::try_from(l.span.end).unwrap_or(i64::MAX),
            l.kind.as_str(),
            l.text,
            l.resolved,
            l.flaw.map(Flaw::as_str)
        ])?;
    }
    Ok(())
}
