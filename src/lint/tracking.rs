//! Tracking parameters: which query parameters only tell an analytics
//! service where a reader came from. `fix::strip_tracking` removes them.

/// Query parameters that only track: `utm_*` (Google Analytics campaigns),
/// click ids of ad networks, and mailing-list ids (Mailchimp, HubSpot,
/// Marketo). Compared without regard to ASCII case.
const TRACKING: &[&str] = &[
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_eid",
    "mc_cid", "_hsenc", "_hsmi", "mkt_tok",
];

/// Whether a query parameter named `name` (as written, undecoded) only tracks.
pub fn is_tracking_parameter(name: &str) -> bool {
    let utm = name
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("utm_"));
    utm || TRACKING.iter().any(|t| t.eq_ignore_ascii_case(name))
}

/// The query of `url` (between the first `?` and the `#` of the fragment)
/// as a byte range, when it has one.
pub fn query_range(url: &str) -> Option<std::ops::Range<usize>> {
    let fragment = url.find('#').unwrap_or(url.len());
    let q = url[..fragment].find('?')?;
    Some(q + 1..fragment)
}

/// The names of the tracking parameters in `url`'s query, in order.
pub fn tracking_parameters(url: &str) -> Vec<&str> {
    let Some(query) = query_range(url) else {
        return Vec::new();
    };
    url[query]
        .split('&')
        .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name))
        .filter(|name| is_tracking_parameter(name))
        .collect()
}
