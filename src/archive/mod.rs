//! Archive: the replacement for a dead link, and saving live ones.
//!
//! Owns every conversation with web archives: the Wayback CDX and
//! availability APIs, replay verification, Memento TimeGates, and Save Page
//! Now 2. Each endpoint is a setting, paced as a host of its own. It never
//! touches the database or the issues: callers hand it URLs and dates, and
//! get captures back. Its requests go through the door
//! ([`crate::net::Door`]) as configured addresses (the user's own
//! settings, so not filtered by the address guard), each body read within
//! `max_body_bytes`, retried by the one [`RetryPolicy`].

mod memento;
pub mod save;
mod wayback;

use crate::net::{Door, Failure, Pacer, Request, Response, RetryPolicy};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use time::Date;
use tokio::sync::mpsc;

/// Where the archives are and how hard to use them. [`ArchiveConfig::default`]
/// holds the documented defaults (the Internet Archive's addresses and its
/// published limits).
#[derive(Debug, Clone)]
pub struct ArchiveConfig {
    /// Wayback availability API.
    pub availability_url: String,
    /// Wayback CDX API.
    pub cdx_url: String,
    /// Prefix of replay URLs: `<replay><14-digit ts>/<original>`.
    pub replay_url: String,
    /// Save Page Now 2 submission endpoint (POST).
    pub save_url: String,
    /// Save Page Now 2 job status prefix: `<status><job_id>`.
    pub save_status_url: String,
    /// Memento TimeGates tried after the Wayback APIs, each a prefix the
    /// original URL is appended to.
    pub timegates: Vec<String>,
    /// Fetch a capture before offering it: it must answer 200 with `Memento-Datetime`.
    pub verify: bool,
    /// A lookup is repeated only after this many seconds.
    pub relookup_after_secs: i64,
    /// CDX requests a minute.
    pub cdx_per_minute: u32,
    /// Availability requests a minute.
    pub availability_per_minute: u32,
    /// Replay (verification) requests a minute.
    pub replay_per_minute: u32,
    /// TimeGate requests a minute, per run.
    pub timegate_per_minute: u32,
    /// Save Page Now submissions a minute.
    pub save_per_minute: u32,
    /// Save Page Now submissions a day.
    pub save_per_day: u32,
    /// Skip saving a URL archived more recently than this (SPN2 `if_not_archived_within`).
    pub if_not_archived_within: String,
    /// How often a pending save job is polled.
    pub poll_interval: Duration,
    /// Give up polling a job after this long (it is polled again next run).
    pub poll_timeout: Duration,
    /// Archive requests in flight at once.
    pub concurrency: usize,
    /// Extra tries after a 429/503.
    pub retries: u32,
    /// Longest `Retry-After` honoured; without one, a 429 waits this long.
    pub max_retry_after: Duration,
    /// Largest API answer read; an archive's JSON is small.
    pub max_body_bytes: usize,
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        ArchiveConfig {
            availability_url: "https://archive.org/wayback/available".into(),
            cdx_url: "https://web.archive.org/cdx/search/cdx".into(),
            replay_url: "https://web.archive.org/web/".into(),
            save_url: "https://web.archive.org/save".into(),
            save_status_url: "https://web.archive.org/save/status/".into(),
            timegates: Vec::new(),
            verify: false,
            relookup_after_secs: 30 * 86_400,
            cdx_per_minute: 60,
            availability_per_minute: 60,
            replay_per_minute: 600,
            timegate_per_minute: 60,
            save_per_minute: 12,
            save_per_day: 100_000,
            if_not_archived_within: "30d".into(),
            poll_interval: Duration::from_secs(5),
            poll_timeout: Duration::from_secs(120),
            concurrency: 4,
            retries: 2,
            max_retry_after: Duration::from_secs(60),
            max_body_bytes: 1 << 20,
        }
    }
}

impl ArchiveConfig {
    /// Sets every per-minute limit to `per_minute` (for local archives and fakes).
    pub fn with_rate(mut self, per_minute: u32) -> Self {
        self.cdx_per_minute = per_minute;
        self.availability_per_minute = per_minute;
        self.replay_per_minute = per_minute;
        self.timegate_per_minute = per_minute;
        self.save_per_minute = per_minute;
        self
    }

    /// When to retry an archive request: after a 429/503, as long as
    /// `Retry-After` says, or `max_retry_after` when it says nothing (as
    /// the Internet Archive asks), `retries` times.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            retries: self.retries,
            timeout_retries: 0,
            backoff_base: Duration::from_millis(500),
            max_retry_after: self.max_retry_after,
            unasked_wait: self.max_retry_after,
        }
    }
}

/// An archived copy of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    /// Where to read it.
    pub url: String,
    /// When it was captured: 14 digits, `YYYYMMDDhhmmss` (empty if unknown).
    pub timestamp: String,
    /// Which service found it (`wayback-cdx`, `wayback-availability`, `memento:HOST`, `save-page-now`).
    pub source: String,
}

impl Capture {
    pub(crate) fn wayback(cfg: &ArchiveConfig, ts: &str, original: &str, source: &str) -> Capture {
        Capture {
            url: format!("{}{ts}/{original}", cfg.replay_url),
            timestamp: ts.to_string(),
            source: source.to_string(),
        }
    }
}

/// An endpoint address from the settings, parsed; `what` names the setting.
pub(crate) fn endpoint_url(what: &str, raw: &str) -> Result<Url, ArchiveError> {
    Url::parse(raw).map_err(|e| ArchiveError::Config(format!("{what} address {raw}: {e}")))
}

/// Why an archive could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A bad endpoint setting.
    #[error("archive setting: {0}")]
    Config(String),
    /// No HTTP answer.
    #[error("{endpoint}: {source}")]
    Http {
        /// Which endpoint.
        endpoint: &'static str,
        /// Why.
        #[source]
        source: Failure,
    },
    /// An HTTP error status.
    #[error("{endpoint} answered {status}")]
    Status {
        /// Which endpoint.
        endpoint: &'static str,
        /// The status.
        status: u16,
    },
    /// Still rate limited after every retry.
    #[error("{endpoint} is rate limiting us (429/503) after {tries} tries; try again later")]
    Limited {
        /// Which endpoint.
        endpoint: &'static str,
        /// Tries made.
        tries: u32,
    },
    /// Not the JSON the API documents.
    #[error("{endpoint} answered something that is not its JSON: {detail}")]
    Garbled {
        /// Which endpoint.
        endpoint: &'static str,
        /// What was wrong.
        detail: String,
    },
}

/// One archive endpoint: its name and its pace.
#[derive(Debug)]
pub(crate) struct Endpoint {
    name: &'static str,
    pacer: Pacer,
}

impl Endpoint {
    fn new(name: &'static str, per_minute: u32) -> Endpoint {
        Endpoint {
            name,
            pacer: Pacer::per_minute(per_minute),
        }
    }

    /// Sends `req` (a configured address) in its turn through the door,
    /// retried as the archive's policy says; a 429/503 also pauses the
    /// endpoint for every later request.
    pub(crate) async fn send(
        &self,
        door: &Door,
        cfg: &ArchiveConfig,
        req: Request,
    ) -> Result<Response, ArchiveError> {
        let resp = door
            .fetch(req.configured(), &cfg.retry_policy(), Some(&self.pacer), 0)
            .await
            .map_err(|source| ArchiveError::Http {
                endpoint: self.name,
                source,
            })?;
        if matches!(resp.status, 429 | 503) {
            return Err(ArchiveError::Limited {
                endpoint: self.name,
                tries: cfg.retries + 1,
            });
        }
        Ok(resp)
    }

    pub(crate) async fn get_json(
        &self,
        door: &Door,
        cfg: &ArchiveConfig,
        url: Url,
        auth: Option<&str>,
    ) -> Result<serde_json::Value, ArchiveError> {
        let (k, v) = wayback::accept_json();
        let mut req = Request::get(url).header(k, v);
        if let Some(a) = auth.and_then(|a| reqwest::header::HeaderValue::from_str(a).ok()) {
            let mut a = a;
            a.set_sensitive(true);
            req = req.header(reqwest::header::AUTHORIZATION, a);
        }
        let resp = self.send(door, cfg, req).await?;
        self.json(resp, cfg).await
    }

    pub(crate) async fn json(
        &self,
        resp: Response,
        cfg: &ArchiveConfig,
    ) -> Result<serde_json::Value, ArchiveError> {
        let status = resp.status;
        if !(200..300).contains(&status) {
            return Err(ArchiveError::Status {
                endpoint: self.name,
                status,
            });
        }
        let body = resp
            .body(cfg.max_body_bytes)
            .await
            .map_err(|source| ArchiveError::Http {
                endpoint: self.name,
                source,
            })?;
        if !body.complete {
            return Err(ArchiveError::Garbled {
                endpoint: self.name,
                detail: format!("the answer is larger than {} bytes", cfg.max_body_bytes),
            });
        }
        serde_json::from_slice(&body.bytes).map_err(|e| ArchiveError::Garbled {
            endpoint: self.name,
            detail: e.to_string(),
        })
    }
}

/// The archives, ready to be asked: the door, one pacer per endpoint.
pub struct Archive {
    door: Door,
    cfg: Arc<ArchiveConfig>,
    cdx: Endpoint,
    availability: Endpoint,
    replay: Endpoint,
    timegate: Endpoint,
    pub(crate) save: Endpoint,
}

/// What one lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The good capture closest to the date, if any archive has one.
    pub capture: Option<Capture>,
    /// Whether it was fetched and answered 200 with `Memento-Datetime`.
    pub verified: bool,
}

/// The 14-digit timestamp a lookup aims at: midnight of the date.
pub fn target_timestamp(date: Option<Date>) -> String {
    date.map(|d| {
        format!(
            "{:04}{:02}{:02}000000",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
    })
    .unwrap_or_default()
}

impl Archive {
    /// Asks through `door` (the run's: same proxy, CA and user agent) with `cfg`.
    pub fn new(door: Door, cfg: ArchiveConfig) -> Archive {
        Archive {
            cdx: Endpoint::new("CDX API", cfg.cdx_per_minute),
            availability: Endpoint::new("availability API", cfg.availability_per_minute),
            replay: Endpoint::new("Wayback replay", cfg.replay_per_minute),
            timegate: Endpoint::new("Memento TimeGate", cfg.timegate_per_minute),
            save: Endpoint::new("Save Page Now", cfg.save_per_minute),
            door,
            cfg: Arc::new(cfg),
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &ArchiveConfig {
        &self.cfg
    }

    pub(crate) fn door(&self) -> &Door {
        &self.door
    }

    /// The good (2xx) capture of `url` closest to `date`: CDX first, the
    /// availability API when CDX has none (or fails), then each TimeGate.
    /// `Ok` with no capture means some source answered and none has one;
    /// `Err` means no source could be asked, so nothing should be concluded.
    pub async fn lookup(&self, url: &str, date: Option<Date>) -> Result<Lookup, ArchiveError> {
        enum Source<'a> {
            Cdx,
            Availability,
            Gate(&'a str),
        }
        let ts = target_timestamp(date);
        let (door, cfg) = (&self.door, &*self.cfg);
        let sources = [Source::Cdx, Source::Availability]
            .into_iter()
            .chain(cfg.timegates.iter().map(|g| Source::Gate(g.as_str())));
        let mut answered = false;
        let mut last_err = None;
        for source in sources {
            let found = match source {
                Source::Cdx => wayback::cdx_closest(door, cfg, &self.cdx, url, &ts).await,
                Source::Availability => {
                    wayback::available(door, cfg, &self.availability, url, &ts).await
                }
                Source::Gate(gate) => {
                    memento::timegate(door, cfg, &self.timegate, gate, url, &ts).await
                }
            };
            match found {
                Ok(Some(capture)) => {
                    answered = true;
                    if let Some(good) = self.accept(capture).await {
                        return Ok(good);
                    }
                }
                Ok(None) => answered = true,
                Err(e) => last_err = Some(e),
            }
        }
        match (answered, last_err) {
            (false, Some(e)) => Err(e),
            _ => Ok(Lookup {
                capture: None,
                verified: false,
            }),
        }
    }

    /// The capture, if it passes verification (when verification is on).
    async fn accept(&self, capture: Capture) -> Option<Lookup> {
        if !self.cfg.verify {
            return Some(Lookup {
                capture: Some(capture),
                verified: false,
            });
        }
        let ok = wayback::verify(&self.door, &self.cfg, &self.replay, &capture)
            .await
            .unwrap_or(false);
        ok.then_some(Lookup {
            capture: Some(capture),
            verified: true,
        })
    }

    /// Looks up every `(key, url, date)`, `concurrency` at a time, sending
    /// `(key, result)` as each is known.
    pub async fn lookup_all<K: Send + 'static>(
        self: Arc<Self>,
        jobs: Vec<(K, String, Option<Date>)>,
        results: mpsc::Sender<(K, Result<Lookup, ArchiveError>)>,
    ) {
        use futures::stream::{self, StreamExt};
        let concurrency = self.cfg.concurrency.max(1);
        let mut answers = stream::iter(jobs)
            .map(|(key, url, date)| {
                let me = self.clone();
                async move { (key, me.lookup(&url, date).await) }
            })
            .buffer_unordered(concurrency);
        while let Some(answer) = answers.next().await {
            if results.send(answer).await.is_err() {
                return;
            }
        }
    }
}
