//! What a crawled HTML page says about itself: title, date, canonical URL,
//! base URL and whether robots may follow its links. Pure: text in, facts out.

use crate::source::frontmatter::{date_in_name, leading_date};
use scraper::{Html, Selector};
use time::Date;
use url::Url;

/// The facts of one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMeta {
    /// `<title>`, else the first `<h1>`, whitespace collapsed.
    pub title: Option<String>,
    /// `<time datetime>`, `article:published_time`, or a date in the URL.
    pub date: Option<Date>,
    /// `<link rel=canonical>`, resolved.
    pub canonical: Option<Url>,
    /// What relative links resolve against: `<base href>`, else the page.
    pub base: Option<Url>,
    /// `<meta name=robots content=nofollow>`: its links are not followed.
    pub nofollow: bool,
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector is valid")
}

fn collapse(s: &str) -> Option<String> {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// Reads the facts of the page at `url`, parsed.
pub fn meta(doc: &Html, url: &Url) -> PageMeta {
    let first_text = |s: &str| {
        doc.select(&sel(s))
            .find_map(|e| collapse(&e.text().collect::<String>()))
    };
    let attr = |s: &str, a: &str| {
        doc.select(&sel(s))
            .find_map(|e| e.value().attr(a).map(str::trim).map(str::to_string))
    };
    let title = first_text("title").or_else(|| first_text("h1"));
    let base = attr("base[href]", "href")
        .and_then(|h| url.join(&h).ok())
        .unwrap_or_else(|| url.clone());
    let canonical = doc
        .select(&sel("link[rel][href]"))
        .find(|e| {
            e.value().attr("rel").is_some_and(|r| {
                r.split_whitespace()
                    .any(|t| t.eq_ignore_ascii_case("canonical"))
            })
        })
        .and_then(|e| base.join(e.value().attr("href")?.trim()).ok());
    let published = doc
        .select(&sel("meta[content]"))
        .find(|e| {
            let v = e.value();
            v.attr("property")
                .or_else(|| v.attr("name"))
                .or_else(|| v.attr("itemprop"))
                .is_some_and(|p| {
                    ["article:published_time", "datePublished", "date", "dc.date"]
                        .iter()
                        .any(|k| p.eq_ignore_ascii_case(k))
                })
        })
        .and_then(|e| leading_date(e.value().attr("content")?));
    let date = attr("time[datetime]", "datetime")
        .and_then(|d| leading_date(&d))
        .or(published)
        .or_else(|| date_in_url(url));
    let nofollow = doc.select(&sel("meta[name][content]")).any(|e| {
        e.value()
            .attr("name")
            .is_some_and(|n| n.eq_ignore_ascii_case("robots"))
            && e.value().attr("content").is_some_and(|c| {
                c.split(',')
                    .any(|t| ["nofollow", "none"].contains(&t.trim().to_ascii_lowercase().as_str()))
            })
    });
    PageMeta {
        title,
        date,
        canonical,
        base: Some(base),
        nofollow,
    }
}

/// A date in a URL's path: `/2019/03/14/`, `/2019-03-14-title`.
pub fn date_in_url(url: &Url) -> Option<Date> {
    let path = url.path();
    if let Some(d) = date_in_name(path) {
        return Some(d);
    }
    let parts: Vec<&str> = path.split('/').collect();
    parts.windows(3).find_map(|w| {
        let ok = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        (ok(w[0], 4) && (1..=2).contains(&w[1].len()) && ok(w[1], w[1].len()))
            .then(|| {
                let day: String = w[2].chars().take_while(char::is_ascii_digit).collect();
                (1..=2)
                    .contains(&day.len())
                    .then(|| leading_date(&format!("{}-{:0>2}-{:0>2}", w[0], w[1], day)))?
            })
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn title_date_canonical_from_markup() {
        let html = r#"<html><head><title> Issue
            #12 </title><link rel="canonical" href="/issues/12/">
            <meta property="article:published_time" content="2016-02-03T10:00:00Z"></head>
            <body><h1>Ignored</h1></body></html>"#;
        let m = meta(&Html::parse_document(html), &u("http://news.test/a/b?x=1"));
        assert_eq!(m.title.as_deref(), Some("Issue #12"));
        assert_eq!(m.date, Some(date!(2016 - 02 - 03)));
        assert_eq!(m.canonical, Some(u("http://news.test/issues/12/")));
        assert!(!m.nofollow);
    }

    #[test]
    fn time_element_wins_then_url_date() {
        let m = meta(
            &Html::parse_document(r#"<h1>Only h1</h1><time datetime="2015-10-25">25 Oct</time>"#),
            &u("http://n.test/2014/01/02/x"),
        );
        assert_eq!(m.title.as_deref(), Some("Only h1"));
        assert_eq!(m.date, Some(date!(2015 - 10 - 25)));
        let m = meta(
            &Html::parse_document("<p>x</p>"),
            &u("http://n.test/2014/1/2/x.html"),
        );
        assert_eq!(m.date, Some(date!(2014 - 01 - 02)));
        let m = meta(
            &Html::parse_document("<p>x</p>"),
            &u("http://n.test/issues/2013-05-06-251.html"),
        );
        assert_eq!(m.date, Some(date!(2013 - 05 - 06)));
        let m = meta(
            &Html::parse_document("<p>x</p>"),
            &u("http://n.test/issues/251"),
        );
        assert_eq!(m.date, None);
    }

    #[test]
    fn base_and_robots_meta() {
        let m = meta(
            &Html::parse_document(
                r#"<head><base href="/root/"><meta name="ROBOTS" content="noindex, NoFollow"></head>"#,
            ),
            &u("http://n.test/a/b"),
        );
        assert_eq!(m.base, Some(u("http://n.test/root/")));
        assert!(m.nofollow);
    }
}
