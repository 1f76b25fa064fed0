//! `linkrot links`: every link of the inputs and what lint finds in them,
//! with no network and no database; and [`FsContext`], the lint context
//! that knows the project's files.

use super::{for_each_document, Observer};
use crate::extract::Link;
use crate::lint::{self, Finding, LintContext, LintLevel};
use crate::source::{Document, GlobError, Problem, SourceConfig, STDIN_NAME};
use std::path::Path;

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
