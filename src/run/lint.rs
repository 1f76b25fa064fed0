//! `linkrot links`: every link of the inputs and what lint finds in them,
//! with no network and no database; [`FsContext`], the lint context that
//! knows the project's files; and [`CheckContext`], the one `check` lints
//! with, which also knows the database's history.

use super::stages::RunCitations;
use super::{for_each_document, Observer};
use crate::extract::Link;
use crate::lint::{self, first_citation, EarlierCitation, Finding, LintContext, LintLevel};
use crate::source::{Document, GlobError, Problem, SourceConfig, STDIN_NAME};
use crate::store::LintHistory;
use std::path::Path;
use time::Date;

/// Extensions of the sources a page may be built from.
const SOURCE_EXTENSIONS: &[&str] = &[
    "md", "markdown", "html", "htm", "textile", "rst", "adoc", "asciidoc", "txt",
];

/// Answers `relative_exists` from the file system, relative to the
/// issue's folder (the working directory for stdin); knows no history.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsContext;

impl LintContext for FsContext {
    fn relative_exists(&self, doc_path: &str, target: &str) -> bool {
        let target = target.split(['#', '?']).next().unwrap_or(target);
        if target.is_empty() {
            return false;
        }
        let folder = if doc_path == STDIN_NAME {
            Path::new(".")
        } else {
            Path::new(doc_path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        };
        let path = folder.join(target);
        if path.exists() {
            return true;
        }
        // `[about](about)` on a site whose source is `about.md`.
        path.extension().is_none()
            && SOURCE_EXTENSIONS
                .iter()
                .any(|ext| path.with_extension(ext).exists())
    }
}

/// What `check` lints with: the issues the run read, the history the
/// database holds (the issues it did not read, checks of `https://`
/// forms) and the project's files.
pub(super) struct CheckContext<'a> {
    /// The database's answers for the run's URLs.
    pub(super) history: &'a LintHistory,
    /// The issues of this run citing each URL.
    pub(super) run: RunCitations<'a>,
}

impl LintContext for CheckContext<'_> {
    fn first_cited(&self, url: &str, path: &str, date: Option<Date>) -> Option<EarlierCitation> {
        first_citation(
            self.run.citing(url).chain(self.history.citing(url)),
            path,
            date,
        )
    }

    fn https_works(&self, http_url: &str) -> bool {
        self.history.https_works(http_url)
    }

    fn relative_exists(&self, doc_path: &str, target: &str) -> bool {
        FsContext.relative_exists(doc_path, target)
    }
}

/// Reads every input, and hands each document with its links and their
/// findings at `level` (asked of `ctx`) to `each`; returns the inputs'
/// problems.
pub fn links(
    sources: &SourceConfig,
    level: LintLevel,
    ctx: &dyn LintContext,
    observer: &dyn Observer,
    mut each: impl FnMut(&Document, &[Link], Vec<Finding>),
) -> Result<Vec<Problem>, GlobError> {
    for_each_document(sources, observer, |doc, links| {
        let findings = lint::lint(doc, &links, ctx, level);
        each(doc, &links, findings);
    })
}
