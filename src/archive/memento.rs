//! Memento TimeGates (RFC 7089): any archive that answers `Accept-Datetime`
//! with a redirect to its memento closest to that time.

use super::{wayback, ArchiveConfig, ArchiveError, Capture, Endpoint};
use crate::net::{Door, Request};
use reqwest::{header, Url};

/// The memento of `url` closest to `timestamp` at the TimeGate `gate`
/// (a base URL the original is appended to).
pub(crate) async fn timegate(
    door: &Door,
    cfg: &ArchiveConfig,
    ep: &Endpoint,
    gate: &str,
    url: &str,
    timestamp: &str,
) -> Result<Option<Capture>, ArchiveError> {
    let target = Url::parse(&format!("{gate}{url}"))
        .map_err(|e| ArchiveError::Config(format!("TimeGate {gate}: {e}")))?;
    let mut req = Request::get(target.clone());
    if let Some(date) = wayback::http_date(&format!("{timestamp:0<14}"))
        .and_then(|d| header::HeaderValue::from_str(&d).ok())
    {
        req = req.header(header::HeaderName::from_static("accept-datetime"), date);
    }
    let resp = ep.send(door, cfg, req).await?;
    if !resp.is_redirect() {
        return Ok(None);
    }
    let Some(location) = resp.header(header::LOCATION) else {
        return Ok(None);
    };
    let memento = target
        .join(location)
        .map_err(|e| ArchiveError::Config(format!("TimeGate {gate} Location: {e}")))?;
    // Wayback-style mementos carry their timestamp in the path.
    let ts = memento
        .path_segments()
        .and_then(|mut s| {
            s.find(|seg| seg.len() >= 14 && seg[..14].bytes().all(|b| b.is_ascii_digit()))
        })
        .map(|seg| seg[..14].to_string())
        .unwrap_or_default();
    Ok(Some(Capture {
        url: memento.to_string(),
        timestamp: ts,
        source: format!("memento:{}", target.host_str().unwrap_or(gate)),
    }))
}
