//! Bot walls: the answers that say a bot manager stopped us, so nothing is
//! known of the page behind it.
//!
//! From what the bot managers document of their block and challenge
//! responses (Cloudflare's `cf-mitigated`, AWS WAF's `x-amzn-waf-action`,
//! Vercel's `x-vercel-mitigated`, the pages of PerimeterX's SDK, Imperva,
//! Akamai, DataDome, Sucuri, Kasada, F5) and what public checkers match
//! (linkinator's 999 and `cf-mitigated`, wafw00f's block-page texts).
//! Presence is not a wall: `server: cloudflare`, `cf-ray`, `x-datadome:
//! protected`, `AkamaiGHost` and the vendors' cookies ride on real pages and
//! real 404s alike, so none of them is enough on its own. Cloudflare's
//! 520-526 and 530 say the origin is down: real failures, not walls.

use reqwest::header::HeaderMap;

/// Statuses a wall answers with (AWS WAF's challenge is a 202 and its
/// CAPTCHA a 405; Cloudflare's legacy challenge a 503; LinkedIn's 999).
fn wall_status(status: u16) -> bool {
    matches!(status, 202 | 401 | 403 | 405 | 429 | 503 | 999)
}

/// Largest page whose text markers count: an interstitial is small, and a
/// long article that merely mentions "access denied" is not a wall.
const SMALL_PAGE: usize = 32 * 1024;

/// The bot manager whose wall this answer is, judged by its status and
/// headers alone; `None` when they do not say.
pub(crate) fn in_headers(status: u16, headers: &HeaderMap) -> Option<&'static str> {
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    if status == 999 {
        return Some("LinkedIn refuses robots (999)");
    }
    // Set on every challenge page, whatever its status (Cloudflare's docs).
    if h("cf-mitigated").is_some_and(|v| v.contains("challenge")) {
        return Some("Cloudflare challenge (cf-mitigated)");
    }
    if h("x-amzn-waf-action").is_some_and(|v| v.contains("challenge") || v.contains("captcha")) {
        return Some("AWS WAF challenge (x-amzn-waf-action)");
    }
    if h("x-vercel-mitigated").is_some_and(|v| v.contains("challenge") || v.contains("deny")) {
        return Some("Vercel checkpoint (x-vercel-mitigated)");
    }
    if !wall_status(status) {
        return None;
    }
    if h("x-dd-b").is_some() || h("x-datadome-cid").is_some() {
        return Some("DataDome (x-dd-b)");
    }
    if h("x-sucuri-block").is_some() {
        return Some("Sucuri firewall (x-sucuri-block)");
    }
    if status == 429 && headers.keys().any(|k| k.as_str().starts_with("x-kpsdk-")) {
        return Some("Kasada (x-kpsdk)");
    }
    None
}

/// Markers of block and challenge pages in their markup (lower case):
/// `(marker, who)`, for answers with a wall's status.
const BLOCK_MARKERS: &[(&str, &str)] = &[
    ("<title>just a moment...</title>", "Cloudflare challenge"),
    ("/cdn-cgi/challenge-platform/", "Cloudflare challenge"),
    ("_cf_chl_opt", "Cloudflare challenge"),
    ("/cdn-cgi/images/trace/", "Cloudflare challenge"),
    ("attention required! | cloudflare", "Cloudflare block"),
    ("cf-error-details", "Cloudflare block"),
    ("sorry, you have been blocked", "Cloudflare block"),
    ("captcha-delivery.com", "DataDome"),
    ("px-captcha", "HUMAN/PerimeterX"),
    ("perimeterx.com/whywasiblocked", "HUMAN/PerimeterX"),
    ("access to this page has been denied", "HUMAN/PerimeterX"),
    (
        "denied because we believe you are using automation tools",
        "HUMAN/PerimeterX",
    ),
    ("press &amp; hold", "HUMAN/PerimeterX"),
    ("errors.edgesuite.net", "Akamai"),
    ("access denied - sucuri website firewall", "Sucuri firewall"),
    ("sucuri-firewall-block", "Sucuri firewall"),
    ("cloudproxy@sucuri.net", "Sucuri firewall"),
    ("aws-waf-token", "AWS WAF"),
    ("awswafintegration", "AWS WAF"),
    (
        "the requested url was rejected. please consult with your administrator",
        "F5 BIG-IP",
    ),
    ("vercel security checkpoint", "Vercel checkpoint"),
    ("ddos-guard", "DDoS-GUARD"),
    ("challenges.cloudflare.com/turnstile", "a CAPTCHA"),
    ("g-recaptcha", "a CAPTCHA"),
    ("h-captcha", "a CAPTCHA"),
    ("hcaptcha.com", "a CAPTCHA"),
    ("arkoselabs.com", "a CAPTCHA"),
    ("verify you are human", "a CAPTCHA"),
    ("verify that you are human", "a CAPTCHA"),
    ("are you a robot", "a CAPTCHA"),
    ("our systems have detected unusual traffic", "a CAPTCHA"),
    (
        "enable javascript and cookies to continue",
        "a JavaScript challenge",
    ),
];

/// Walls that answer 200: Imperva's block page and Akamai's and Anubis's
/// interstitials. Only on a small page.
const OK_WALL_MARKERS: &[(&str, &str)] = &[
    ("incapsula incident id", "Imperva/Incapsula"),
    ("/_incapsula_resource", "Imperva/Incapsula"),
    ("bm-verify", "Akamai Bot Manager"),
    ("/_sec/cp_challenge/", "Akamai Bot Manager"),
    ("id=\"anubis_challenge\"", "Anubis proof of work"),
    (
        "<title>pardon our interruption</title>",
        "Imperva bot protection",
    ),
];

/// The wall a page is, judged by its markup (`markup`: the first bytes of
/// the body, lower case; `len`: its size if known). Akamai's "Access
/// Denied" page names itself only by its `Server` header and a reference
/// number, so it needs both.
pub(crate) fn in_body(
    status: u16,
    headers: &HeaderMap,
    markup: &str,
    len: usize,
) -> Option<&'static str> {
    if len > SMALL_PAGE {
        return None;
    }
    if wall_status(status) {
        if let Some((_, who)) = BLOCK_MARKERS.iter().find(|(m, _)| markup.contains(m)) {
            return Some(who);
        }
        let akamai = headers
            .get_all("server")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.to_ascii_lowercase().contains("akamaighost"));
        if akamai && markup.contains("access denied") && markup.contains("reference #") {
            return Some("Akamai (Access Denied)");
        }
    }
    OK_WALL_MARKERS
        .iter()
        .find(|(m, _)| markup.contains(m))
        .map(|(_, who)| *who)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn documented_walls_are_told_apart_from_a_cdns_own_404() {
        assert!(in_headers(403, &headers(&[("cf-mitigated", "challenge")])).is_some());
        assert!(in_headers(999, &HeaderMap::new()).is_some());
        assert!(in_headers(202, &headers(&[("x-amzn-waf-action", "challenge")])).is_some());
        assert!(in_headers(429, &headers(&[("x-vercel-mitigated", "challenge")])).is_some());
        assert!(in_headers(403, &headers(&[("x-dd-b", "1")])).is_some());
        // Protected by DataDome, served by Cloudflare: not blocked by them.
        assert_eq!(
            in_headers(403, &headers(&[("x-datadome", "protected")])),
            None
        );
        let cdn = headers(&[("server", "cloudflare"), ("cf-ray", "8a1b2c3d4e5f-AMS")]);
        assert_eq!(in_headers(404, &cdn), None);
        assert_eq!(in_headers(403, &cdn), None);
        assert_eq!(in_body(404, &cdn, "<title>404 not found</title>", 40), None);
        assert!(in_body(403, &cdn, "<title>just a moment...</title>", 40).is_some());
        let akamai = headers(&[("server", "AkamaiGHost")]);
        let denied = "<h1>access denied</h1> you don't have permission to access \"x\" on this server.<p>reference #18.4a2c1702.1719133194.15bcf105";
        assert!(in_body(403, &akamai, denied, denied.len()).is_some());
        assert_eq!(
            in_body(403, &HeaderMap::new(), "<h1>403 forbidden</h1>nginx", 30),
            None
        );
        assert_eq!(
            in_body(200, &HeaderMap::new(), "are you a robot", 20),
            None,
            "a captcha on a form"
        );
        let incapsula = "<iframe src=\"/_incapsula_resource?swudnsai=31\">request unsuccessful. incapsula incident id: 18480</iframe>";
        assert!(in_body(200, &HeaderMap::new(), incapsula, incapsula.len()).is_some());
        assert_eq!(
            in_body(403, &cdn, "<title>just a moment...</title>", 500_000),
            None,
            "a long page that mentions a challenge is not one"
        );
    }
}
