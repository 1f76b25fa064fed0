//! Parking signatures: what the pages of domain-parking services say and
//! load, as a second signal behind the probe (a parked domain answers
//! every path with one page). From the parked-page markers public tools
//! use (ODPExtension's redirection alerts, dnstwister's parked check,
//! parking-redirect detectors) and the parking services' own landers
//! (Sedo, Bodis, ParkingCrew, GoDaddy's `/lander`).

/// Phrases of "for sale" and parked pages, lower case, in the languages
/// they are found in.
const PHRASES: &[&str] = &[
    "this domain may be for sale",
    "this domain is for sale",
    "domain is for sale",
    "this website is for sale",
    "the domain is available for purchase",
    "buy this domain",
    "purchase this domain",
    "inquire about this domain",
    "make an offer on this domain",
    "is parked free, courtesy of",
    "this domain is parked",
    "domain parking",
    "parked domain",
    "this domain name has expired",
    "the domain has expired",
    "is pending renewal or deletion",
    "below are sponsored listings for goods and services related to",
    "domain owner maintains no relationship with third party advertisers",
    "diese domain steht zum verkauf",
    "domain kaufen",
    "domain geparkt",
    "ce nom de domaine est à vendre",
    "acheter ce domaine",
    "este dominio está en venta",
    "este dominio está a la venta",
    "comprar este dominio",
    "se encuentra en parking",
    "dominio in vendita",
    "dit domein is te koop",
    "dit domein te koop",
    "este domínio está à venda",
    "domínio à venda",
    "satılık domain",
    "домен продается",
    "купить домен",
    "域名出售",
    "出售此域名",
];

/// What parking services' pages load or link to, lower case.
const MARKUP: &[&str] = &[
    "sedoparking.com",
    "parkingcrew.net",
    "bodis.com",
    "parklogic.com",
    "wsimg.com/parking-lander",
    "lander_system",
    "afternic.com",
    "hugedomains.com",
    "undeveloped.com",
    "buydomains.com",
    "domainmarket.com",
    "dan.com/buy-domain",
    "?framerequest=1",
];

/// The parking signature a page carries, if any: a phrase of its text or a
/// marker of its markup (both lower case).
pub(crate) fn signature(text: &str, markup: &str) -> Option<&'static str> {
    PHRASES
        .iter()
        .find(|p| text.contains(*p))
        .or_else(|| MARKUP.iter().find(|m| markup.contains(*m)))
        .copied()
}

/// Whether a redirect went to a parking service's landing host or path:
/// `ww1.` (or `ww2.` ...) of the same domain, or GoDaddy's `/lander`.
pub(crate) fn landing(original: &url::Url, landed: &url::Url) -> bool {
    let (Some(from), Some(to)) = (original.host_str(), landed.host_str()) else {
        return false;
    };
    let bare = from.strip_prefix("www.").unwrap_or(from);
    let ww = to.split_once('.').is_some_and(|(first, rest)| {
        first.len() >= 3
            && first.starts_with("ww")
            && first[2..].bytes().all(|b| b.is_ascii_digit())
            && rest == bare
            && first != from.split('.').next().unwrap_or_default()
    });
    ww || (to == from && landed.path() == "/lander")
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    #[test]
    fn parking_pages_and_landers_are_recognised_and_ordinary_pages_are_not() {
        assert!(signature("kaizen.test - this domain may be for sale!", "").is_some());
        assert!(signature("diese domain steht zum verkauf", "").is_some());
        assert!(signature("", "<script src=\"//img.sedoparking.com/js/x.js\">").is_some());
        assert_eq!(
            signature("our product is for teams", "<a href=/pricing>"),
            None
        );
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(landing(
            &u("http://raynos.test/blog/1"),
            &u("http://ww1.raynos.test/blog/1")
        ));
        assert!(landing(&u("http://x.test/a"), &u("http://x.test/lander")));
        assert!(!landing(&u("http://x.test/a"), &u("http://www.x.test/a")));
    }
}
