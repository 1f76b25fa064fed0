//! The real web's quiet rot: pages that answer 200 but are gone.
//!
//! - A soft 404 is the site's "not found" page served with 200. The
//!   random-path probe finds it (Bar-Yossef et al., "Sic transit gloria
//!   telae", WWW 2004): ask the same directory for a name that cannot
//!   exist; an honest host answers 404, and then a 200 means what it says.
//!   A host that answers the made-up path with 200 too is compared: the
//!   same page (`page::Likeness::same_page`), or the same place after
//!   redirects, means the link is dead.
//! - Sent home: a page that redirects to the root of its own site, or to a
//!   "not found" URL, is dead (as Wikipedia's dead-link checker rules). A
//!   redirect to the root of another site is a move.
//! - Parked: a lapsed domain answers every path with one page; a root that
//!   is the same page as a made-up path is dead if that page is a parking
//!   page (its signature, a parking lander, or no page of its own site to
//!   link to and the domain's name in its text), where an ordinary site
//!   whose "not found" page is its home page keeps a live root.
//!
//! Pure: answers in, verdicts out. The scheduler sends the probes.

use super::page::{likeness, same_title, PageSample};
use super::{parking, Status};
use reqwest::Url;

/// Where a request ended: its last status, URL and hop count, and what the
/// page says when its body was read.
#[derive(Debug, Clone)]
pub(crate) struct Landing {
    pub status: u16,
    pub url: Url,
    pub hops: usize,
    pub page: Option<PageSample>,
}

/// What a host answers for a path that cannot exist.
#[derive(Debug, Clone)]
pub(crate) enum Probed {
    /// An error (404, 410 ...), or no answer: a 200 on this host means what it says.
    Honest,
    /// A 2xx, possibly after redirects: 200s must be compared with it.
    Soft(Box<Landing>),
}

/// A verdict of the quiet rot: the status and why.
pub(crate) type Rot = (Status, String);

/// The probe of the directory `url` is in: scheme, host, port and directory.
pub(crate) fn probe_key(url: &Url) -> (String, String) {
    (
        url.origin().ascii_serialization(),
        parent(url.path()).to_string(),
    )
}

/// A sibling of `url` that cannot exist: the same directory, a random
/// name of the same shape (a trailing slash kept, an extension kept).
pub(crate) fn probe_url(url: &Url, random: &str) -> Url {
    let path = url.path();
    let dir = parent(path);
    let last = &path[dir.len()..];
    let name = if path.ends_with('/') && path.len() > 1 {
        format!("{random}/")
    } else {
        match last.rsplit_once('.') {
            Some((_, ext))
                if (1..=5).contains(&ext.len())
                    && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                format!("{random}.{ext}")
            }
            _ => random.to_string(),
        }
    };
    let mut probe = url.clone();
    probe.set_path(&format!("{dir}{name}"));
    probe.set_query(None);
    probe.set_fragment(None);
    probe
}

/// The directory a path is in, with its trailing slash (`/a/b/` for
/// `/a/b/c` and for `/a/b/c/`).
fn parent(path: &str) -> &str {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    match trimmed.rfind('/') {
        Some(i) => &path[..=i],
        None => "/",
    }
}

/// Whether `u` is its site's home page.
pub(crate) fn is_root(u: &Url) -> bool {
    let path = u.path().to_ascii_lowercase();
    matches!(
        path.as_str(),
        "" | "/"
            | "/index.html"
            | "/index.htm"
            | "/index.php"
            | "/default.aspx"
            | "/home"
            | "/home/"
    )
}

/// Whether `u` is, or stands for, its site's home page (a language root
/// such as `/en/` too): a redirect from it to the root is no rot.
fn is_root_like(u: &Url) -> bool {
    if is_root(u) {
        return true;
    }
    let segs: Vec<&str> = u.path().split('/').filter(|s| !s.is_empty()).collect();
    segs.len() == 1 && (segs[0].len() == 2 || (segs[0].len() == 5 && segs[0].as_bytes()[2] == b'-'))
}

/// The name a site goes by: its host without `www.`, cut to the
/// registrable part as the last two labels say (three under a two-letter
/// country code with a short second level, as `example.co.uk`).
fn site(u: &Url) -> Option<String> {
    let host = u.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() <= 2 || host.parse::<std::net::IpAddr>().is_ok() {
        return Some(host);
    }
    let n = labels.len();
    let keep = if labels[n - 1].len() == 2 && labels[n - 2].len() <= 3 {
        3
    } else {
        2
    };
    Some(labels[n - keep.min(n)..].join("."))
}

/// Whether two URLs are on the same site (a host and its subdomains).
pub(crate) fn same_site(a: &Url, b: &Url) -> bool {
    site(a).is_some() && site(a) == site(b)
}

/// What a redirect alone says, before any probe: sent home, to a "not
/// found" URL, or to a parking lander.
pub(crate) fn by_redirect(original: &Url, landing: &Landing) -> Option<Rot> {
    if landing.hops == 0 {
        return None;
    }
    let to = &landing.url;
    if parking::landing(original, to) {
        return Some((
            Status::Parked,
            format!("redirects to a parking lander ({to})"),
        ));
    }
    if says_not_found_path(to) && !says_not_found_path(original) {
        return Some((
            Status::SoftNotFound,
            format!("redirects to a \"not found\" page ({to})"),
        ));
    }
    if is_root(to) && !is_root_like(original) && same_site(original, to) {
        return Some((
            Status::SoftNotFound,
            format!("sent home: redirects to the site's home page ({to})"),
        ));
    }
    None
}

/// Whether a URL's path names a "not found" page: a segment `404` (or
/// `404.html`), or one that says not found.
fn says_not_found_path(u: &Url) -> bool {
    u.path().split('/').any(|seg| {
        let seg = seg.to_ascii_lowercase();
        seg == "404"
            || seg.starts_with("404.")
            || [
                "notfound",
                "not-found",
                "not_found",
                "error404",
                "error-404",
            ]
            .iter()
            .any(|m| seg.contains(m))
    })
}

/// The verdict of a 2xx link on a host whose made-up paths answer 2xx too,
/// `None` when the link is alive. `link.page` must have been read.
pub(crate) fn against_probe(original: &Url, link: &Landing, probe: &Landing) -> Option<Rot> {
    let root = is_root_like(original);
    let same_place = link.hops > 0 && probe.hops > 0 && link.url == probe.url;
    let same = match (&link.page, &probe.page) {
        (Some(a), Some(b)) => {
            let l = likeness(a, b);
            l.same_page() || (l.jaccard >= 0.5 && same_title(a, b) && says_not_found(&a.title))
        }
        _ => false,
    };
    if !same && !same_place {
        return None;
    }
    if let Some(page) = &link.page {
        if let Some(why) = parked(original, link, page) {
            return Some((Status::Parked, why));
        }
    }
    if root {
        // A site whose made-up paths answer with its home page keeps a live
        // root: it is the same page as the probe's, and yet alive. Only
        // the page's own words can tell a root that is a "not found" page.
        let page = link.page.as_ref()?;
        let opening: String = page.text.chars().take(600).collect();
        return (title_says_error(&page.title)
            || says_not_found(&page.title)
            || says_not_found(&opening))
        .then(|| {
            (
                Status::SoftNotFound,
                "the home page is the same \"not found\" page as a random path on this host"
                    .to_string(),
            )
        });
    }
    if same_place {
        return Some((
            Status::SoftNotFound,
            format!("ends where a random path on this host ends ({})", link.url),
        ));
    }
    Some((
        Status::SoftNotFound,
        "same page as a random path on this host".to_string(),
    ))
}

/// Why a page that every path of its domain answers is a parked one, if it is.
fn parked(original: &Url, link: &Landing, page: &PageSample) -> Option<String> {
    if let Some(sig) = page.parking {
        return Some(format!("every path answers one page (\"{sig}\")"));
    }
    if parking::landing(original, &link.url) {
        return Some("every path answers one parking lander".into());
    }
    let name = site(original)?;
    let label = name.split('.').next().unwrap_or_default();
    let mentions = page.text.contains(&name) || (label.len() >= 4 && page.title.contains(label));
    (page.same_site_links == 0 && mentions && page.seq.len() < 300)
        .then(|| format!("every path answers one page about the domain {name}, with no page of its own to link to"))
}

/// An error page's title: "Error", "Oops", "404" among its words (a home
/// page is not titled so).
fn title_says_error(title: &str) -> bool {
    title
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w, "error" | "oops" | "404" | "fehler" | "erreur"))
}

/// "Not found" in the words of a page's title or opening, in the
/// languages sites use most. A second signal only, behind the probe.
fn says_not_found(text: &str) -> bool {
    const STEMS: &[&str] = &[
        "not found",
        "page not found",
        "does not exist",
        "doesn t exist",
        "no longer exists",
        "no longer available",
        "can t be found",
        "cannot be found",
        "couldn t be found",
        "could not be found",
        "couldn t find",
        "could not find",
        "can t find",
        "cannot find",
        "nothing was found",
        "nothing found",
        "error 404",
        "404 error",
        "introuvable",
        "non trouv",
        "n a pas été trouvée",
        "no encontrad",
        "nicht gefunden",
        "non trovat",
        "não encontrad",
        "не найден",
        "не знайдено",
        "未找到",
        "找不到",
        "見つかりません",
        "찾을 수 없습니다",
        "غير موجودة",
        "bulunamadı",
        "không tìm thấy",
        "nie znaleziono",
        "nie została znaleziona",
        "niet gevonden",
        "δεν βρέθηκε",
        "hittades inte",
        "nebyla nalezena",
        "nem található",
        "tidak ditemukan",
        "nu a fost găsit",
    ];
    let words: String = text
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let padded = format!(" {words} ");
    padded.starts_with(" 404 ") || STEMS.iter().any(|s| padded.contains(&format!(" {s}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn landed(url: &str, hops: usize) -> Landing {
        Landing {
            status: 200,
            url: u(url),
            hops,
            page: None,
        }
    }

    #[test]
    fn a_probe_is_a_sibling_of_the_same_shape() {
        let r = "qzkvw";
        assert_eq!(
            probe_url(&u("https://a.test/blog/post-1?x=1#f"), r).as_str(),
            "https://a.test/blog/qzkvw"
        );
        assert_eq!(
            probe_url(&u("https://a.test/blog/post-1/"), r).as_str(),
            "https://a.test/blog/qzkvw/"
        );
        assert_eq!(
            probe_url(&u("https://a.test/docs/page.html"), r).as_str(),
            "https://a.test/docs/qzkvw.html"
        );
        assert_eq!(
            probe_url(&u("https://a.test/"), r).as_str(),
            "https://a.test/qzkvw"
        );
        assert_eq!(probe_key(&u("https://a.test/blog/post/")).1, "/blog/");
    }

    #[test]
    fn sent_home_is_rot_and_a_move_to_another_sites_home_is_not() {
        let gone = u("http://blog.kaizen.test/2019/post");
        assert!(by_redirect(&gone, &landed("https://kaizen.test/", 2)).is_some());
        assert!(by_redirect(&gone, &landed("https://blog.kaizen.test/", 1)).is_some());
        assert_eq!(
            by_redirect(&gone, &landed("https://newco.test/", 1)),
            None,
            "a company renamed"
        );
        assert_eq!(
            by_redirect(
                &u("http://kaizen.test/"),
                &landed("https://kaizen.test/", 1)
            ),
            None
        );
        assert_eq!(
            by_redirect(
                &u("http://kaizen.test/en/"),
                &landed("https://kaizen.test/", 1)
            ),
            None
        );
        assert_eq!(
            by_redirect(&gone, &landed("https://kaizen.test/2019/post/", 1)),
            None
        );
        assert!(by_redirect(&gone, &landed("https://kaizen.test/errors/404/", 1)).is_some());
        assert!(by_redirect(&gone, &landed("https://kaizen.test/404", 1)).is_some());
        assert_eq!(
            by_redirect(&gone, &landed("https://kaizen.test/4042-release-notes", 1)),
            None
        );
        assert!(by_redirect(
            &u("http://raynos.test/p"),
            &landed("http://ww1.raynos.test/p", 1)
        )
        .is_some());
        // A two-letter country code under a short second level (`co.uk`
        // and the like) keeps three labels; `zz` is a user-assigned ISO
        // 3166 code, never a delegated name.
        assert!(same_site(
            &u("http://a.example.co.zz/"),
            &u("https://example.co.zz/")
        ));
        assert!(!same_site(
            &u("http://one.co.zz/"),
            &u("https://two.co.zz/")
        ));
    }
}
