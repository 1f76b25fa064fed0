//! Save Page Now 2: submit a live URL to the Wayback Machine, then poll its
//! job until it succeeds or fails. Keys come from the caller (the binary
//! reads them from the environment); they never appear in `Debug`, errors,
//! logs or the database.

use super::{Archive, ArchiveError, Capture};

/// Save Page Now credentials. `Debug` shows neither part.
#[derive(Clone)]
pub struct SpnKeys {
    access: String,
    secret: String,
}

impl std::fmt::Debug for SpnKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpnKeys(<redacted>)")
    }
}

impl SpnKeys {
    /// Keys as issued by archive.org (`https://archive.org/account/s3.php`).
    pub fn new(access: impl Into<String>, secret: impl Into<String>) -> SpnKeys {
        SpnKeys {
            access: access.into(),
            secret: secret.into(),
        }
    }

    /// The `Authorization` value, as text.
    fn value(&self) -> String {
        format!("LOW {}:{}", self.access, self.secret)
    }

    /// The `Authorization` header, marked sensitive so no log shows it.
    fn header(&self) -> reqwest::header::HeaderValue {
        let mut v = reqwest::header::HeaderValue::from_str(&self.value())
            .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static("LOW invalid"));
        v.set_sensitive(true);
        v
    }
}

/// What a submission got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// A job to poll.
    Job(String),
    /// A recent capture exists; nothing to do.
    AlreadyArchived(String),
    /// Refused; `retryable` ones may succeed later.
    Refused {
        /// `error:...`
        status_ext: String,
        /// The archive's words.
        message: String,
        /// Whether trying again later may work.
        retryable: bool,
    },
}

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Still working.
    Pending,
    /// Captured.
    Success(Capture),
    /// Failed.
    Failed {
        /// `error:...`
        status_ext: String,
        /// The archive's words.
        message: String,
        /// Whether trying again later may work.
        retryable: bool,
    },
}

/// Refusals that say "not now" rather than "never".
const RETRYABLE: &[&str] = &[
    "error:user-session-limit",
    "error:soft-time-limit-exceeded",
    "error:proxy-error",
    "error:browsing-timeout",
    "error:no-browsers-available",
    "error:too-many-daily-captures",
    "error:too-many-requests",
    "error:service-unavailable",
    "error:internal-server-error",
];

fn retryable(status_ext: &str) -> bool {
    RETRYABLE.contains(&status_ext)
}

impl Archive {
    /// Submits `url` to Save Page Now.
    pub async fn submit(&self, keys: &SpnKeys, url: &str) -> Result<Submitted, ArchiveError> {
        let cfg = self.config();
        let target = super::endpoint_url("save", &cfg.save_url)?;
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("url", url)
            .append_pair("if_not_archived_within", &cfg.if_not_archived_within)
            .append_pair("skip_first_archive", "1")
            .finish();
        use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
        let req = crate::net::Request::new(reqwest::Method::POST, target)
            .header(AUTHORIZATION, keys.header())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .body(form.into_bytes());
        let resp = self.save.send(self.door(), cfg, req).await?;
        if resp.status == 401 || resp.status == 403 {
            return Ok(Submitted::Refused {
                status_ext: "error:unauthorized".into(),
                message: "Save Page Now refused the keys; check LINKROT_SPN_ACCESS_KEY and LINKROT_SPN_SECRET_KEY".into(),
                retryable: false,
            });
        }
        let body = self.save.json(resp, cfg).await?;
        let message = body["message"].as_str().unwrap_or_default().to_string();
        if body["status"].as_str() == Some("error") {
            let status_ext = body["status_ext"]
                .as_str()
                .unwrap_or("error:unknown")
                .to_string();
            return Ok(Submitted::Refused {
                retryable: retryable(&status_ext),
                status_ext,
                message,
            });
        }
        match body["job_id"].as_str() {
            Some(job) if !job.is_empty() => Ok(Submitted::Job(job.to_string())),
            _ if !message.is_empty() => Ok(Submitted::AlreadyArchived(message)),
            _ => Err(ArchiveError::Garbled {
                endpoint: "Save Page Now",
                detail: "neither a job_id nor a message".into(),
            }),
        }
    }

    /// Where job `job_id` stands.
    pub async fn poll(&self, keys: &SpnKeys, job_id: &str) -> Result<JobState, ArchiveError> {
        let cfg = self.config();
        let url = super::endpoint_url("save status", &format!("{}{job_id}", cfg.save_status_url))?;
        let body = self
            .save
            .get_json(self.door(), cfg, url, Some(&keys.value()))
            .await?;
        Ok(match body["status"].as_str() {
            Some("success") => {
                let ts = body["timestamp"].as_str().unwrap_or_default();
                let original = body["original_url"].as_str().unwrap_or_default();
                JobState::Success(Capture::wayback(cfg, ts, original, "save-page-now"))
            }
            Some("error") => {
                let status_ext = body["status_ext"]
                    .as_str()
                    .unwrap_or("error:unknown")
                    .to_string();
                JobState::Failed {
                    retryable: retryable(&status_ext),
                    status_ext,
                    message: body["message"].as_str().unwrap_or_default().to_string(),
                }
            }
            _ => JobState::Pending,
        })
    }
}
