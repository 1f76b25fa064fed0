//! Lint findings: what lint found in each issue of a run, kept with the
//! run so that every later command (`report`) shows the same findings.

use super::{date_of, Store, StoreError};
use crate::lint::{Finding, LintKind};
use rusqlite::params;
use time::Date;

/// A lint finding as stored with its run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFinding {
    /// The issue's path.
    pub path: String,
    /// 1-based line of the URL.
    pub line: u32,
    /// 1-based column (characters) of the URL.
    pub column: u32,
    /// What it is.
    pub kind: LintKind,
    /// The URL as written.
    pub url: String,
    /// What is wrong and what to do.
    pub message: String,
    /// The issue's date, as the database knows it now.
    pub issue_date: Option<Date>,
}

impl Store {
    /// The findings of run `run_id`, in no order (a report puts them in
    /// its own).
    pub fn run_findings(&self, run_id: i64) -> Result<Vec<StoredFinding>, StoreError> {
        let mut out = Vec::new();
        self.each_run_finding(run_id, |f| out.push(f))?;
        Ok(out)
    }

    /// Hands `each` the findings of run `run_id`, in no order: for a
    /// caller that keeps them in a shape of its own.
    pub fn each_run_finding(
        &self,
        run_id: i64,
        mut each: impl FnMut(StoredFinding),
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT f.path, f.line, f.col, f.kind, f.url, f.message, i.date
                 FROM findings f LEFT JOIN issues i ON i.path = f.path
                 WHERE f.run_id = ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([run_id], |r| {
                let kind: String = r.get(3)?;
                let Some(kind) = LintKind::parse(&kind) else {
                    return Ok(None);
                };
                Ok(Some(StoredFinding {
                    path: r.get(0)?,
                    line: r.get(1)?,
                    column: r.get(2)?,
                    kind,
                    url: r.get(4)?,
                    message: r.get(5)?,
                    issue_date: date_of(r.get(6)?),
                }))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            // A kind this linkrot does not know (written by a newer one) is left out.
            if let Some(f) = row.map_err(|e| self.err(e))? {
                each(f);
            }
        }
        Ok(())
    }
}

pub(super) fn write_findings(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    path: &str,
    findings: &[Finding],
) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO findings (run_id, path, line, col, kind, url, message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for f in findings {
        insert.execute(params![
            run_id,
            path,
            f.line,
            f.column,
            f.kind.as_str(),
            f.url,
            f.message
        ])?;
    }
    Ok(())
}
