//! `linkrot archive lookup` and `linkrot archive save`: archive work on
//! what the database already knows, without re-checking anything.

use super::stages::{self, Run};
use super::{report_of, Observer, RunError};
use crate::archive::save::{JobState, SpnKeys, Submitted};
use crate::archive::{Archive, ArchiveConfig};
use crate::clock::Clock;
use crate::net::{Door, NetConfig};
use crate::report::Report;
use crate::store::{SaveStatus, Store, Write, Writer};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// The latest run's report, rebuilt from the database.
fn latest_report(store: &Store) -> Result<Option<Report>, RunError> {
    match store.last_run()? {
        Some(run_id) => report_of(store, run_id),
        None => Ok(None),
    }
}

/// Looks up replacements for the failing links of the latest run (those
/// not looked up within the relookup interval), and returns that run's
/// report with them.
pub async fn lookup(
    db: &Path,
    net: &NetConfig,
    archive_cfg: &ArchiveConfig,
    observer: Arc<dyn Observer>,
    clock: Arc<dyn Clock>,
) -> Result<Option<Report>, RunError> {
    let door = Door::new(net)?;
    let store = Store::open(db)?;
    let Some(report) = latest_report(&store)? else {
        return Ok(None);
    };
    let mut wanted = Vec::new();
    let mut checked_as = HashMap::new();
    for l in &report.failures().map_err(RunError::Report)? {
        if let Some(r) = &l.resolved {
            checked_as.insert(l.url.clone(), r.clone());
        }
        let mut dates: Vec<_> = l.occurrences.iter().map(|o| o.issue_date).collect();
        dates.sort();
        dates.dedup();
        wanted.extend(dates.into_iter().map(|d| (l.url.clone(), d)));
    }
    let due = store.lookups_due(&wanted, clock.now(), archive_cfg.relookup_after_secs)?;
    let archive = Arc::new(Archive::new(door, archive_cfg.clone()));
    let writer = Writer::spawn(store, report.run.id);
    let run = Run {
        writer: &writer,
        observer: observer.as_ref(),
        clock: clock.as_ref(),
    };
    // The problem, if any, has been told to the observer.
    let _ = stages::lookup_archives(&run, archive, &checked_as, due).await;
    let store = writer.finish()?;
    latest_report(&store)
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
    net: &NetConfig,
    archive_cfg: &ArchiveConfig,
    keys: &SpnKeys,
    scope: SaveScope,
    never_archived: bool,
    observer: Arc<dyn Observer>,
    clock: Arc<dyn Clock>,
) -> Result<SaveSummary, RunError> {
    let door = Door::new(net)?;
    let store = Store::open(db)?;
    let mut summary = SaveSummary::default();
    let Some(report) = latest_report(&store)? else {
        return Ok(summary);
    };
    let mut alive: HashMap<String, bool> = HashMap::new();
    report
        .links
        .each(|l| {
            let live = !l.status.is_failure() && l.status.was_checked();
            alive.insert(l.url.clone(), live);
            Ok(())
        })
        .map_err(RunError::Report)?;
    let candidates: Vec<String> = match scope {
        SaveScope::All => {
            let mut all: Vec<String> = alive.keys().cloned().collect();
            all.sort_unstable();
            all
        }
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
        match states.get(url).map(|s| (s.status, s.job_id.clone())) {
            Some((SaveStatus::Success | SaveStatus::Archived | SaveStatus::Error, _)) => {
                summary.skipped += 1
            }
            Some((SaveStatus::Pending, Some(job))) => to_poll.push((url.clone(), job)),
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
    let archive = Archive::new(door, archive_cfg.clone());
    let writer = Writer::spawn(store, report.run.id);
    let record = |url: &str,
                  state: SaveStatus,
                  job: Option<String>,
                  ext: Option<String>,
                  msg: Option<String>,
                  capture: Option<String>| Write::Save {
        url: url.to_string(),
        state,
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
                writer
                    .send(record(
                        &url,
                        SaveStatus::Pending,
                        Some(job.clone()),
                        None,
                        None,
                        None,
                    ))
                    .await;
                to_poll.push((url, job));
                continue;
            }
            Ok(Submitted::AlreadyArchived(msg)) => {
                summary.already_archived += 1;
                writer
                    .send(record(
                        &url,
                        SaveStatus::Archived,
                        None,
                        None,
                        Some(msg),
                        None,
                    ))
                    .await;
            }
            Ok(Submitted::Refused {
                status_ext,
                message,
                retryable,
            }) => {
                let state = if retryable {
                    SaveStatus::Retry
                } else {
                    SaveStatus::Error
                };
                if retryable {
                    summary.later += 1;
                } else {
                    summary.failed += 1;
                }
                summary.errors.push((url.clone(), status_ext.clone()));
                writer
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
                writer
                    .send(record(
                        &url,
                        SaveStatus::Retry,
                        None,
                        None,
                        Some(e.to_string()),
                        None,
                    ))
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
                    writer
                        .send(record(
                            &url,
                            SaveStatus::Success,
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
                    let state = if retryable {
                        SaveStatus::Retry
                    } else {
                        SaveStatus::Error
                    };
                    writer
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
    writer.finish()?;
    Ok(summary)
}
