//! The Wayback Machine: the CDX API (every capture, filtered and sorted),
//! the availability API (one closest capture) and replay URLs (to verify a
//! capture answers 200 with `Memento-Datetime`).

use super::{ArchiveConfig, ArchiveError, Capture, Endpoint};
use crate::net::{Door, Request};
use reqwest::{header, Url};

/// The 2xx capture of `url` closest to `timestamp` (1-14 digits), from CDX.
pub(crate) async fn cdx_closest(
    door: &Door,
    cfg: &ArchiveConfig,
    ep: &Endpoint,
    url: &str,
    timestamp: &str,
) -> Result<Option<Capture>, ArchiveError> {
    let mut q = super::endpoint_url("CDX", &cfg.cdx_url)?;
    q.query_pairs_mut()
        .append_pair("url", url)
        .append_pair("output", "json")
        .append_pair("fl", "timestamp,original,statuscode")
        .append_pair("filter", "statuscode:200")
        .append_pair("limit", "1");
    if !timestamp.is_empty() {
        q.query_pairs_mut()
            .append_pair("closest", timestamp)
            .append_pair("sort", "closest");
    }
    let body = ep.get_json(door, cfg, q, None).await?;
    // `[]`, or a header row then rows of [timestamp, original, statuscode].
    let rows = body.as_array().cloned().unwrap_or_default();
    let Some(row) = rows.get(1).and_then(|r| r.as_array()) else {
        return Ok(None);
    };
    let ts = row.first().and_then(|v| v.as_str()).unwrap_or_default();
    let original = row.get(1).and_then(|v| v.as_str()).unwrap_or(url);
    Ok(is_timestamp(ts).then(|| Capture::wayback(cfg, ts, original, "wayback-cdx")))
}

/// A full Wayback timestamp: 14 digits, `YYYYMMDDhhmmss`.
fn is_timestamp(ts: &str) -> bool {
    ts.len() == 14 && ts.bytes().all(|b| b.is_ascii_digit())
}

/// The closest capture from the availability API, if it is a 200.
pub(crate) async fn available(
    door: &Door,
    cfg: &ArchiveConfig,
    ep: &Endpoint,
    url: &str,
    timestamp: &str,
) -> Result<Option<Capture>, ArchiveError> {
    let mut q = super::endpoint_url("availability", &cfg.availability_url)?;
    q.query_pairs_mut().append_pair("url", url);
    if !timestamp.is_empty() {
        q.query_pairs_mut().append_pair("timestamp", timestamp);
    }
    let body = ep.get_json(door, cfg, q, None).await?;
    let closest = &body["archived_snapshots"]["closest"];
    let good =
        closest["status"].as_str() == Some("200") && closest["available"].as_bool() != Some(false);
    let ts = closest["timestamp"].as_str().unwrap_or_default();
    Ok((good && is_timestamp(ts)).then(|| Capture::wayback(cfg, ts, url, "wayback-availability")))
}

/// Whether a capture answers 200 with `Memento-Datetime` (a real memento,
/// not a redirect or an error page).
pub(crate) async fn verify(
    door: &Door,
    cfg: &ArchiveConfig,
    ep: &Endpoint,
    capture: &Capture,
) -> Result<bool, ArchiveError> {
    let url = Url::parse(&capture.url)
        .map_err(|e| ArchiveError::Config(format!("capture {}: {e}", capture.url)))?;
    let resp = ep.send(door, cfg, Request::get(url)).await?;
    Ok(resp.status == 200 && resp.headers().contains_key("memento-datetime"))
}

/// `Accept-Datetime` for a 14-digit timestamp.
pub(crate) fn http_date(ts: &str) -> Option<String> {
    let fmt = time::macros::format_description!("[year][month][day][hour][minute][second]");
    let dt = time::PrimitiveDateTime::parse(ts, &fmt).ok()?.assume_utc();
    Some(httpdate::fmt_http_date(
        std::time::UNIX_EPOCH
            + std::time::Duration::from_secs(u64::try_from(dt.unix_timestamp()).ok()?),
    ))
}

/// The accept header for JSON APIs.
pub(crate) fn accept_json() -> (header::HeaderName, header::HeaderValue) {
    (
        header::ACCEPT,
        header::HeaderValue::from_static("application/json"),
    )
}
