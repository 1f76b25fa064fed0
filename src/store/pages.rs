//! Crawled pages: what the last crawl read of each page, so an unchanged
//! page is asked conditionally and not extracted again.

use super::{date_of, Store, StoreError};
use crate::crawl::CachedPage;
use crate::extract::Link;
use rusqlite::params;
use std::collections::HashMap;

pub(super) struct PageRow<'a> {
    pub url: &'a str,
    pub path: &'a str,
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
    pub content_hash: &'a str,
    pub internal: &'a [String],
}

impl Store {
    /// What the last crawl stored of each page, with the links of the issue
    /// it was recorded as, keyed by the URL requested.
    pub fn cached_pages(&self) -> Result<HashMap<String, CachedPage>, StoreError> {
        let mut pages: HashMap<String, CachedPage> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT p.url, p.path, p.etag, p.last_modified, p.content_hash, p.internal, i.title, i.date
                 FROM pages p JOIN issues i ON i.path = p.path",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let page = CachedPage {
                    path: r.get(1)?,
                    etag: r.get(2)?,
                    last_modified: r.get(3)?,
                    hash: r.get(4)?,
                    internal: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
                    title: r.get(6)?,
                    date: date_of(r.get(7)?),
                    links: Vec::new(),
                };
                Ok((r.get::<_, String>(0)?, page))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (url, page) = row.map_err(|e| self.err(e))?;
            pages.insert(url, page);
        }
        // Every crawled issue's links in one pass, then handed to its pages.
        let mut by_path: HashMap<String, Vec<Link>> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT i.path, u.url, o.line, o.col, o.span_start, o.span_end, o.kind, o.text,
                        o.resolved, o.flaw
                 FROM occurrences o JOIN issues i ON i.id = o.issue_id JOIN urls u ON u.id = o.url_id
                 WHERE i.path IN (SELECT path FROM pages) ORDER BY i.path, o.span_start",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, super::issues::link_of(r, 1)?))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (path, link) = row.map_err(|e| self.err(e))?;
            by_path.entry(path).or_default().push(link);
        }
        for page in pages.values_mut() {
            if let Some(links) = by_path.get(&page.path) {
                page.links.clone_from(links);
            }
        }
        Ok(pages)
    }
}

pub(super) fn write_page(
    tx: &rusqlite::Transaction<'_>,
    page: PageRow<'_>,
    at: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO pages (url, path, etag, last_modified, content_hash, internal, fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        page.url,
        page.path,
        page.etag,
        page.last_modified,
        page.content_hash,
        serde_json::to_string(page.internal).expect("strings serialize"),
        at
    ])?;
    Ok(())
}
