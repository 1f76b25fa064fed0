//! `linkrot fix`: rewrite dead links to their captures and moved links to
//! where they went, in the issues' sources, from what the database knows;
//! with `strip_tracking`, drop tracking parameters too.

use super::{for_each_document, Observer, RunError};
use crate::fix::{edits_for, keep_fragment, strip_tracking, unified_diff, Reason};
use crate::history::State;
use crate::source::content_hash;
use crate::source::{Problem, Severity, SourceConfig};
use crate::store::{LinkRecord, Store};
use std::collections::HashMap;
use std::path::Path;

/// Which redirects `fix` follows into the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Redirects {
    /// Only 301/308 chains (the server said: update your link).
    #[default]
    Permanent,
    /// Temporary ones too.
    All,
    /// None.
    None,
}

/// Which failing links `fix` replaces with their capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Replace {
    /// Only links confirmed dead by their history.
    #[default]
    Dead,
    /// Any failing link.
    Broken,
}

/// What `fix` does.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixOptions {
    /// Redirects followed.
    pub redirects: Redirects,
    /// Failing links replaced.
    pub replace: Replace,
    /// Write the files (else only the diff is produced).
    pub write: bool,
    /// Remove tracking parameters (`utm_*`, `fbclid` ...) from every link
    /// that is not replaced by an archived capture.
    pub strip_tracking: bool,
}

/// One file's fix.
#[derive(Debug, Clone)]
pub struct FileFix {
    /// The file.
    pub path: String,
    /// Unified diff (empty when nothing changes).
    pub diff: String,
    /// Each replacement: line, column, from, to, why.
    pub changes: Vec<(u32, u32, String, String, Reason)>,
}

/// Plans (and with `write`, applies) the fixes of every input.
pub fn fix(
    db: &Path,
    sources: &SourceConfig,
    opts: FixOptions,
    observer: &dyn Observer,
) -> Result<(Vec<FileFix>, Vec<Problem>), RunError> {
    let store = Store::open(db)?;
    let mut runs: HashMap<i64, HashMap<String, LinkRecord>> = HashMap::new();
    let mut fixes = Vec::new();
    let mut skipped = Vec::new();
    let mut failure: Option<RunError> = None;
    let mut problems = for_each_document(sources, observer, |doc, links| {
        if failure.is_some() {
            return;
        }
        if !doc.rewritable {
            skipped.push(Problem {
                path: doc.path.clone(),
                message: "an email is not rewritten; fix its source instead".into(),
                severity: Severity::Warning,
            });
            return;
        }
        let known = match store.issue(&doc.path) {
            Ok(Some(k)) => k,
            Ok(None) => {
                skipped.push(Problem {
                    path: doc.path.clone(),
                    message: "never checked; run `linkrot check` on it first".into(),
                    severity: Severity::Warning,
                });
                return;
            }
            Err(e) => {
                failure = Some(e.into());
                return;
            }
        };
        let (run_id, hash) = known;
        if hash.as_deref() != Some(content_hash(doc.text.as_bytes()).as_str()) {
            skipped.push(Problem {
                path: doc.path.clone(),
                message: format!("changed since it was checked (run {run_id}); skipped, run `linkrot check` on it again"),
                severity: Severity::Warning,
            });
            return;
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = runs.entry(run_id) {
            // Judged by the settings the run that read it was judged by.
            match super::report_of(&store, run_id) {
                Ok(report) => {
                    let links = match report.map(|r| r.links.to_vec()).transpose() {
                        Ok(links) => links.unwrap_or_default(),
                        Err(e) => {
                            failure = Some(RunError::Report(e));
                            return;
                        }
                    };
                    slot.insert(links.into_iter().map(|l| (l.url.clone(), l)).collect());
                }
                Err(e) => {
                    failure = Some(e);
                    return;
                }
            }
        }
        let records = &runs[&run_id];
        let mut edits = Vec::new();
        let mut changes = Vec::new();
        for link in &links {
            let replaced = records
                .get(&link.url)
                .and_then(|rec| replacement(rec, link.line, link.column, opts))
                .map(|(to, why)| (keep_fragment(&link.url, &to), why));
            let (to, why) = match replaced {
                // A capture's address names the page as it was archived: left whole.
                Some((to, Reason::Archived)) => (to, Reason::Archived),
                Some((to, why)) if opts.strip_tracking => (strip_tracking(&to).unwrap_or(to), why),
                Some(found) => found,
                None if opts.strip_tracking => match strip_tracking(&link.url) {
                    Some(to) => (to, Reason::Tracking),
                    None => continue,
                },
                None => continue,
            };
            if to == link.url {
                continue;
            }
            edits.extend(edits_for(&doc.text, link, &to));
            changes.push((link.line, link.column, link.url.clone(), to, why));
        }
        if changes.is_empty() {
            return;
        }
        let new_text = crate::fix::apply(&doc.text, edits);
        let diff = unified_diff(&doc.path, &doc.text, &new_text);
        if opts.write {
            if let Err(e) = write_atomically(Path::new(&doc.path), &new_text) {
                skipped.push(Problem {
                    path: doc.path.clone(),
                    message: format!("cannot write: {e}; nothing changed in it"),
                    severity: Severity::Error,
                });
                return;
            }
            // The file is now what linkrot made it: a second run finds nothing to do.
            if let Err(e) = store.set_issue_hash(&doc.path, &content_hash(new_text.as_bytes())) {
                failure = Some(e.into());
                return;
            }
        }
        fixes.push(FileFix {
            path: doc.path.clone(),
            diff,
            changes,
        });
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    for p in &skipped {
        observer.problem(p);
    }
    problems.extend(skipped);
    Ok((fixes, problems))
}

/// What a link becomes, and why, if anything.
fn replacement(
    rec: &LinkRecord,
    line: u32,
    column: u32,
    opts: FixOptions,
) -> Option<(String, Reason)> {
    if rec.status.is_failure() {
        let wanted = match opts.replace {
            Replace::Dead => rec.state == Some(State::Dead),
            Replace::Broken => true,
        };
        let own = rec
            .occurrences
            .iter()
            .find(|o| o.line == line && o.column == column)
            .and_then(|o| o.archive.as_ref());
        let capture = own.or(rec.archive.as_ref())?;
        return wanted.then(|| (capture.url.clone(), Reason::Archived));
    }
    let follow = match opts.redirects {
        Redirects::Permanent => rec.permanent_redirect,
        Redirects::All => !rec.redirects.is_empty(),
        Redirects::None => false,
    };
    (follow && rec.status == crate::check::Status::Redirected)
        .then(|| rec.final_url.clone().map(|f| (f, Reason::Redirect)))
        .flatten()
}

/// Replaces `path` with `text` via a temporary file in the same folder and
/// a rename, keeping its permissions: a crash leaves the old file or the new.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.linkrot-fix"));
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(&tmp, meta.permissions())?;
    }
    std::fs::rename(&tmp, path)
}
