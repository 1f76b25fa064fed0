//! `linkrot archive lookup` and `linkrot archive save`: archive work on
//! what the database already knows, without re-checking anything.

use super::{archive_check_config, lookup_archives, Observer, RunError};
use crate::archive::save::{JobState, SpnKeys, Submitted};
use crate::archive::{Archive, ArchiveConfig};
use crate::check::{self, CheckConfig};
use crate::history::Policy;
use crate::report::{Report, RunInfo};
use crate::store::{self, Store, Write};
use crate::Clock;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// The latest run's report, rebuilt from the database.
fn latest_report(store: &Store, policy: &Policy) -> Result<Option<Report>, RunError> {
    let Some(run_id) = store.last_run()? else {
        return Ok(None);
    };
    let links = store.run_links(run_id)?;
    let run = RunInfo {
        id: run_id,
        started_at: String::new(),
        finished_at: String::new(),
    };
    Ok(Some(Report::new(run, links, &[], 0, policy)))
}

/// Looks up replacements for the failing links of the latest run (those
/// not looked up within the relookup interval), and returns that run's
/// report with them.
pub async fn lookup(
    db: &Path,
    check_cfg: &CheckConfig,
    archive_cfg: &ArchiveConfig,
    policy: &Policy,
    observer: Arc<dyn Observer>,
    clock: Arc<dyn Clock>,
) -> Result<Option<Report>, RunError> {
    let store = Store::open(db)?;
    let Some(report) = latest_report(&store, policy)? else {
        return Ok(None);
    };
    let mut wanted = Vec::new();
    for l in report.failures() {
        let mut dates: Vec<String> = l
            .occurrences
            .iter()
            .map(|o| o.issue_date.clone().unwrap_or_default())
            .collect();
        dates.sort();
        dates.dedup();
        wanted.extend(dates.into_iter().map(|d| (l.url.clone(), d)));
    }
    let due = store.lookups_due(&wanted, clock.now(), archive_cfg.relookup_after_secs)?;
    let archive = Arc::new(Archive::new(
        check::build_client(check_cfg)?,
        archive_cfg.clone(),
    ));
    let (writes, writer) = store::spawn_writer(store, report.run.id);
    lookup_archives(archive, due, &writes, &*observer, &*clock).await;
    drop(writes);
    let store = writer.join().map_err(|_| RunError::WriterGone)??;
    latest_report(&store, policy)
}

/// Which live links `archive save` submits.
#[derive(Debug, Clone)]
pub enum SaveScope {
    /// Every live link of the latest run.
    All,
    /// The live links of these URLs (from given issues or drafts).
    Urls(Vec<String>),
}

/// What `archive save` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SaveSummary {
    /// Captured (now or by a job submitted earlier).
    pub saved: usize,
    /// A recent capture existed.
    pub already_archived: usize,
    /// Refused or failed for good.
    pub failed: usize,
    /// To be tried again in a later run (limits, transient errors, jobs still pending).
    pub later: usize,
    /// Skipped: done before, not known alive, or over the daily limit.
    pub skipped: usize,
    /// `(url, status_ext)` of each refusal or failure.
    pub errors: Vec<(String, String)>,
}

/// Submits live links to Save Page Now and polls their jobs. Resumable:
/// every submission and outcome is written as it happens, so a later run
/// polls jobs still pending, retries what may succeed now, and skips what
/// is done.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    db: &Path,
    check_cfg: &CheckConfig,
    archive_cfg: &ArchiveConfig,
    keys: &SpnKeys,
    scope: SaveScope,
    never_archived: bool,
    observer: Arc<dyn Observer>,
    clock: Arc<dyn Clock>,
) -> Result<SaveSummary, RunError> {
    let store = Store::open(db)?;
    let mut summary = SaveSummary::default();
    let Some(report) = latest_report(&store, &Policy::default())? else {
        return Ok(summary);
    };
    let alive: HashMap<&str, bool> = report
        .links
        .iter()
        .map(|l| {
            (
                l.url.as_str(),
                !l.status.is_failure() && l.status.was_checked(),
            )
        })
        .collect();
    let candidates: Vec<String> = match scope {
        SaveScope::All => report.links.iter().map(|l| l.url.clone()).collect(),
        SaveScope::Urls(urls) => urls,
    };
    let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
    let states = store.save_states(&refs)?;
    let archived = if never_archived {
        store.archived(&refs)?
    } else {
        Default::default()
    };
    let mut to_submit = Vec::new();
    let mut to_poll = Vec::new();
    for url in &candidates {
        match states
            .get(url)
            .map(|s| (s.state.as_str(), s.job_id.clone()))
        {
            Some(("success" | "archived" | "error", _)) => summary.skipped += 1,
            Some(("pending", Some(job))) => to_poll.push((url.clone(), job)),
            _ if archived.contains(url) => summary.skipped += 1,
            _ if alive.get(url.as_str()) != Some(&true) => summary.skipped += 1,
            _ => to_submit.push(url.clone()),
        }
    }
    let budget = usize::try_from(archive_cfg.save_per_day).unwrap_or(usize::MAX);
    if to_submit.len() > budget {
        summary.later += to_submit.len() - budget;
        to_submit.truncate(budget);
    }
    let archive = Archive::new(
        check::build_client(&archive_check_config(check_cfg))?,
        archive_cfg.clone(),
    );
    let (writes, writer) = store::spawn_writer(store, report.run.id);
    let record = |url: &str,
                  state: &str,
                  job: Option<String>,
                  ext: Option<String>,
                  msg: Option<String>,
                  capture: Option<String>| Write::Save {
        url: url.to_string(),
        state: state.to_string(),
        job_id: job,
        status_ext: ext,
        message: msg,
        capture_url: capture,
        at: clock.now(),
    };
    observer.archiving(to_submit.len() + to_poll.len());
    for url in to_submit {
        match archive.submit(keys, &url).await {
            Ok(Submitted::Job(job)) => {
                let _ = writes
                    .send(record(&url, "pending", Some(job.clone()), None, None, None))
                    .await;
                to_poll.push((url, job));
                continue;
            }
            Ok(Submitted::AlreadyArchived(msg)) => {
                summary.already_archived += 1;
                let _ = writes
                    .send(record(&url, "archived", None, None, Some(msg), None))
                    .await;
            }
            Ok(Submitted::Refused {
                status_ext,
                message,
                retryable,
            }) => {
                let state = if retryable { "retry" } else { "error" };
                if retryable {
                    summary.later += 1;
                } else {
                    summary.failed += 1;
                }
                summary.errors.push((url.clone(), status_ext.clone()));
                let _ = writes
                    .send(record(
                        &url,
                        state,
                        None,
                        Some(status_ext),
                        Some(message),
                        None,
                    ))
                    .await;
            }
            Err(e) => {
                summary.later += 1;
                summary.errors.push((url.clone(), e.to_string()));
                let _ = writes
                    .send(record(&url, "retry", None, None, Some(e.to_string()), None))
                    .await;
            }
        }
        observer.archived(&url);
    }
    // Poll every job until it ends or the poll timeout passes.
    let deadline = Instant::now() + archive_cfg.poll_timeout;
    while !to_poll.is_empty() {
        let mut still = Vec::new();
        for (url, job) in to_poll {
            match archive.poll(keys, &job).await {
                Ok(JobState::Pending) => still.push((url, job)),
                Ok(JobState::Success(capture)) => {
                    summary.saved += 1;
                    let _ = writes
                        .send(record(
                            &url,
                            "success",
                            Some(job),
                            None,
                            None,
                            Some(capture.url),
                        ))
                        .await;
                    observer.archived(&url);
                }
                Ok(JobState::Failed {
                    status_ext,
                    message,
                    retryable,
                }) => {
                    if retryable {
                        summary.later += 1;
                    } else {
                        summary.failed += 1;
                    }
                    summary.errors.push((url.clone(), status_ext.clone()));
                    let state = if retryable { "retry" } else { "error" };
                    let _ = writes
                        .send(record(
                            &url,
                            state,
                            Some(job),
                            Some(status_ext),
                            Some(message),
                            None,
                        ))
                        .await;
                    observer.archived(&url);
                }
                Err(_) => still.push((url, job)),
            }
        }
        to_poll = still;
        if to_poll.is_empty() || Instant::now() >= deadline {
            summary.later += to_poll.len();
            break;
        }
        tokio::time::sleep(archive_cfg.poll_interval).await;
    }
    drop(writes);
    writer.join().map_err(|_| RunError::WriterGone)??;
    Ok(summary)
}
