//! Crawling a newsletter's website: a local site on 127.0.0.1 with an
//! index and its pagination, issue pages, robots.txt disallowing a section,
//! a sitemap index, a redirect, a page reachable by two URLs, and ETags.

use crate::kit::{linkrot, test_config, Handler, Reply, Request, Server};
use linkrot::crawl::{self, CrawlConfig, CrawlSummary, Event, Page};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Requests the site saw with `If-None-Match`, and the answers it gave.
type Conditional = Arc<Mutex<Vec<(String, u16)>>>;

fn html(body: &str) -> Reply {
    (
        200,
        vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body.as_bytes().to_vec(),
    )
}

fn issue_page(n: u32, cited: &str, canonical: bool) -> String {
    let canon = if canonical {
        format!(r#"<link rel="canonical" href="/issues/{n}.html">"#)
    } else {
        String::new()
    };
    format!(
        "<!doctype html>\n<html><head><title>Issue #{n}</title>{canon}</head>\n<body>\n\
         <h1>Issue {n}</h1><time datetime=\"2016-0{n}-0{n}\">the day</time>\n\
         <p>Read <a href=\"{cited}/ok/{n}\">this</a> and\n<a href=\"{cited}/gone/{n}\">that</a>.</p>\n\
         <p><a href=\"mailto:editor@news.test\">write</a> <a href=\"../archive/\">archive</a>\n\
         <img src=\"/logo.png\"></p>\n</body></html>\n"
    )
}

/// A sitemap served compressed, as `sitemap.xml.gz` often is.
fn gzipped(xml: String) -> Reply {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(xml.as_bytes()).unwrap();
    (
        200,
        vec![("Content-Type".into(), "application/x-gzip".into())],
        gz.finish().unwrap(),
    )
}

/// The newsletter's site; links it cites go to `cited`.
fn site(cited: String, conditional: Conditional) -> Handler {
    Arc::new(move |req: &Request| {
        let host = req.headers.get("host").cloned().unwrap_or_default();
        let path = req.target.split('?').next().unwrap_or("").to_string();
        let xml = |body: String| -> Reply {
            (
                200,
                vec![("Content-Type".into(), "application/xml".into())],
                body.into_bytes(),
            )
        };
        Some(match path.as_str() {
            "/robots.txt" => (
                200,
                vec![("Content-Type".into(), "text/plain".into())],
                format!(
                    "User-agent: *\nDisallow: /private/\n\nSitemap: http://{host}/sitemap_index.xml\n"
                )
                .into_bytes(),
            ),
            "/sitemap_index.xml" => xml(format!(
                "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                 <sitemap><loc>http://{host}/sitemap-issues.xml.gz</loc></sitemap></sitemapindex>"
            )),
            "/sitemap-issues.xml.gz" => gzipped(format!(
                "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                 <url><loc>http://{host}/issues/1.html</loc></url>\
                 <url><loc>http://{host}/issues/4.html</loc></url>\
                 <url><loc>http://{host}/issues/5.html</loc></url>\
                 <url><loc>http://{host}/private/hidden.html</loc></url>\
                 <url><loc>http://elsewhere.test/page.html</loc></url></urlset>"
            )),
            "/archive/" => html(&format!(
                "<html><head><title>Archive</title></head><body>\n\
                 <a href=\"/issues/1.html\">1</a> <a href=\"/issues/2.html\">2</a>\n\
                 <a href=\"/issues/2.html#links\">2 again</a>\n\
                 <a href=\"/private/drafts.html\">drafts</a> <a href=\"/logo.png\">logo</a>\n\
                 <a href=\"page/2/\">Older issues</a> <a href=\"{cited}/subscribe\">Subscribe</a>\n\
                 </body></html>"
            )),
            "/archive/page/2/" => html(
                "<html><head><title>Archive, page 2</title></head><body>\n\
                 <a href=\"/issues/3.html\">3</a> <a href=\"/old/4\">4</a> <a href=\"/issues/2/\">2</a>\n\
                 </body></html>",
            ),
            "/old/4" => (301, vec![("Location".into(), "/issues/4.html".into())], vec![]),
            "/issues/2/" => html(&issue_page(2, &cited, true)),
            p if p.starts_with("/issues/") && p.ends_with(".html") => {
                let n: u32 = p["/issues/".len()..p.len() - ".html".len()].parse().ok()?;
                if !(1..=5).contains(&n) {
                    return Some((404, vec![], b"no such issue".to_vec()));
                }
                let etag = format!("\"v{n}\"");
                if let Some(sent) = req.headers.get("if-none-match") {
                    let answer = if *sent == etag { 304 } else { 200 };
                    conditional.lock().unwrap().push((path.clone(), answer));
                    if answer == 304 {
                        return Some((304, vec![("ETag".into(), etag)], vec![]));
                    }
                }
                let (status, mut headers, body) = html(&issue_page(n, &cited, n == 2));
                headers.push(("ETag".into(), etag));
                (status, headers, body)
            }
            _ => (404, vec![], b"not found".to_vec()),
        })
    })
}

/// The sites linked from the issues: `/gone/*` is 404, the rest 200.
async fn cited_server() -> Server {
    Server::start_handler(Arc::new(|req: &Request| {
        Some(if req.target.starts_with("/gone/") {
            (404, vec![], b"gone".to_vec())
        } else {
            (200, vec![], b"fine".to_vec())
        })
    }))
    .await
}

async fn run_crawl(
    start: &str,
    cfg: &CrawlConfig,
) -> (CrawlSummary, BTreeMap<String, Page>, Vec<String>) {
    let door = linkrot::net::Door::new(&test_config().net).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let collect = async {
        let mut pages = BTreeMap::new();
        let mut problems = Vec::new();
        while let Some(e) = rx.recv().await {
            match e {
                Event::Page(p) => {
                    assert!(
                        pages.insert(p.path.clone(), *p).is_none(),
                        "a page recorded twice"
                    );
                }
                Event::Problem(p) => problems.push(format!("{}: {}", p.path, p.message)),
                Event::Progress { .. } => {}
            }
        }
        (pages, problems)
    };
    let starts = [start.to_string()];
    let (summary, (pages, problems)) = tokio::join!(
        crawl::crawl(cfg, &door, &starts, Default::default(), tx),
        collect
    );
    (summary.unwrap(), pages, problems)
}

fn following() -> CrawlConfig {
    CrawlConfig {
        follow: true,
        ..CrawlConfig::default()
    }
}

#[tokio::test]
async fn crawl_finds_every_issue_page_once_and_skips_what_robots_disallow() {
    let cited = cited_server().await;
    let site = Server::start_handler(site(cited.url(""), Conditional::default())).await;
    let (summary, pages, problems) = run_crawl(&site.url("/archive/"), &following()).await;

    let paths: Vec<&str> = pages.keys().map(String::as_str).collect();
    let expected: Vec<String> = [
        "/archive/",
        "/archive/page/2/",
        "/issues/1.html",
        "/issues/2.html",
        "/issues/3.html",
        "/issues/4.html",
        "/issues/5.html",
    ]
    .iter()
    .map(|p| site.url(p))
    .collect();
    assert_eq!(
        paths,
        expected.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(problems.is_empty(), "{problems:?}");

    // robots.txt: the private section is never requested, from a link or the sitemap.
    assert_eq!(
        site.hits("/private/drafts.html") + site.hits("/private/hidden.html"),
        0
    );
    assert_eq!(summary.disallowed, 2);
    // Files are not requested to look for links.
    assert_eq!(site.hits("/logo.png"), 0);
    // Each page is read once, whether linked twice, with a fragment, or from the sitemap.
    for n in 1..=5 {
        assert_eq!(site.hits(&format!("/issues/{n}.html")), 1, "issue {n}");
    }
    // A redirect to a page already read, and a second URL whose canonical
    // is a page already read, are both kept once.
    assert_eq!(site.hits("/old/4"), 1);
    assert_eq!(summary.duplicates, 2);
    assert_eq!(summary.sitemaps, 2);
    assert_eq!(summary.pages, 7);
    // robots.txt, two sitemaps, seven pages, /old/4 and /issues/2/.
    assert_eq!(summary.requests, 12, "{summary:?}");
    // Pages off the site are never requested.
    assert!(site
        .all_hits()
        .iter()
        .all(|h| !h.host.contains("elsewhere")));

    // An issue page: title, date, and the links it cites resolved to absolute URLs.
    let three = &pages[&site.url("/issues/3.html")];
    assert_eq!(three.title.as_deref(), Some("Issue #3"));
    assert_eq!(
        three.date.map(|d| d.to_string()).as_deref(),
        Some("2016-03-03")
    );
    let cites: Vec<(&str, u32)> = three
        .links
        .iter()
        .map(|l| (l.url.as_str(), l.line))
        .collect();
    assert_eq!(
        cites,
        vec![
            (cited.url("/ok/3").as_str(), 5),
            (cited.url("/gone/3").as_str(), 6),
            ("mailto:editor@news.test", 7),
        ]
    );
    // Links within the site are followed, not cited.
    assert!(three.internal.contains(&site.url("/archive/")));
    // The index cites what it links to off the site.
    let index = &pages[&site.url("/archive/")];
    assert_eq!(index.links.len(), 1);
    assert_eq!(index.links[0].url, cited.url("/subscribe"));
}

#[tokio::test]
async fn depth_patterns_and_page_limits_narrow_the_crawl() {
    let cited = cited_server().await;
    let site = Server::start_handler(site(cited.url(""), Conditional::default())).await;
    let start = site.url("/archive/");

    // Depth 1 without sitemaps: the index, what it links to, and no further.
    let cfg = CrawlConfig {
        max_depth: Some(1),
        sitemaps: false,
        ..following()
    };
    let (summary, pages, _) = run_crawl(&start, &cfg).await;
    let found: Vec<String> = pages.keys().cloned().collect();
    assert_eq!(
        found,
        [
            "/archive/",
            "/archive/page/2/",
            "/issues/1.html",
            "/issues/2.html"
        ]
        .iter()
        .map(|p| site.url(p))
        .collect::<Vec<_>>()
    );
    assert!(summary.out_of_scope >= 2, "{summary:?}");
    assert_eq!(site.hits("/issues/3.html"), 0);

    // An exclude pattern keeps the crawl off the pagination.
    let cfg = CrawlConfig {
        exclude: vec!["/archive/page/".into()],
        sitemaps: false,
        ..following()
    };
    let (_, pages, _) = run_crawl(&start, &cfg).await;
    assert_eq!(pages.len(), 3);

    // Without --crawl only the page given is read.
    let (summary, pages, _) = run_crawl(&site.url("/issues/5.html"), &CrawlConfig::default()).await;
    assert_eq!(pages.len(), 1);
    assert_eq!(summary.sitemaps, 0);

    // --max-pages stops the crawl.
    let cfg = CrawlConfig {
        max_pages: 2,
        ..following()
    };
    let (_, pages, _) = run_crawl(&start, &cfg).await;
    assert_eq!(pages.len(), 2);
}

#[tokio::test]
async fn crawl_delay_and_retry_after_are_honoured() {
    let served = Arc::new(Mutex::new(0usize));
    let count = served.clone();
    let site = Server::start_handler(Arc::new(move |req: &Request| {
        Some(match req.target.as_str() {
            "/robots.txt" => (200, vec![], b"User-agent: *\nCrawl-delay: 0.3\n".to_vec()),
            "/" => html("<a href=\"/a\">a</a> <a href=\"/b\">b</a> <a href=\"/c\">c</a>"),
            "/b" => {
                let mut n = count.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    (
                        429,
                        vec![("Retry-After".into(), "1".into())],
                        b"slow down".to_vec(),
                    )
                } else {
                    html("<p>b</p>")
                }
            }
            _ => html("<p>page</p>"),
        })
    }))
    .await;
    let cfg = CrawlConfig {
        sitemaps: false,
        ..following()
    };
    let (summary, pages, problems) = run_crawl(&site.url("/"), &cfg).await;
    assert_eq!(pages.len(), 4, "{problems:?}");
    assert_eq!(summary.failed, 0);
    let hits = site.all_hits();
    let pages_hits: Vec<_> = hits.iter().filter(|h| h.path != "/robots.txt").collect();
    for w in pages_hits.windows(2) {
        assert!(
            w[1].at - w[0].at >= Duration::from_millis(290),
            "requests {} and {} only {:?} apart",
            w[0].path,
            w[1].path,
            w[1].at - w[0].at
        );
    }
    let b: Vec<_> = hits.iter().filter(|h| h.path == "/b").collect();
    assert_eq!(b.len(), 2);
    assert!(b[1].at - b[0].at >= Duration::from_millis(990));
}

#[tokio::test]
async fn an_unreachable_robots_txt_stops_the_crawl_unless_told_otherwise() {
    let site = Server::start_handler(Arc::new(|req: &Request| {
        Some(match req.target.as_str() {
            "/robots.txt" => (500, vec![], b"oops".to_vec()),
            _ => html("<a href=\"/a\">a</a>"),
        })
    }))
    .await;
    let cfg = CrawlConfig {
        sitemaps: false,
        ..following()
    };
    let (_, pages, problems) = run_crawl(&site.url("/"), &cfg).await;
    assert!(pages.is_empty());
    assert!(
        problems
            .iter()
            .any(|p| p.contains("robots.txt answered 500") && p.contains("--ignore-robots")),
        "{problems:?}"
    );
    let cfg = CrawlConfig {
        robots: false,
        ..cfg
    };
    let (_, pages, _) = run_crawl(&site.url("/"), &cfg).await;
    assert_eq!(pages.len(), 2);
}

fn json(path: &std::path::Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap();
    crate::formats::assert_valid_report(&bytes);
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn check_crawl_records_pages_as_issues_and_a_second_crawl_reads_only_what_changed() {
    let cited = cited_server().await;
    let conditional = Conditional::default();
    let site = Server::start_handler(site(cited.url(""), conditional.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("links.db");
    let run = |out: &str| {
        let out = dir.path().join(out);
        let mut cmd = linkrot();
        cmd.args(["check", "--crawl", "--format", "json", "--max-age", "0"])
            .arg(site.url("/archive/"))
            .arg("--db")
            .arg(&db)
            .arg("--output")
            .arg(&out);
        async move {
            let o = tokio::task::spawn_blocking(move || cmd.output().unwrap())
                .await
                .unwrap();
            let report = json(&out);
            (o, report)
        }
    };
    let (o, first) = run("first.json").await;
    let stderr = String::from_utf8_lossy(&o.stderr);
    // The 404s the issues cite make the run fail as a CI wants.
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("crawl: 7 pages read (0 unchanged"),
        "{stderr}"
    );
    assert_eq!(first["crawl"]["pages"], 7);
    assert_eq!(first["summary"]["issues"], 6, "six pages cite links");

    let gone = first["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["url"] == cited.url("/gone/3"))
        .expect("the link is reported");
    assert_eq!(gone["status"], "broken");
    let at = &gone["occurrences"][0];
    assert_eq!(at["path"], site.url("/issues/3.html"));
    assert_eq!(at["line"], 6);
    assert_eq!(at["issue_date"], "2016-03-03");
    assert!(conditional.lock().unwrap().is_empty());

    // Second crawl: conditional requests, 304s, nothing extracted again,
    // and the same links reported.
    let (_, second) = run("second.json").await;
    let answers = conditional.lock().unwrap().clone();
    assert_eq!(answers.len(), 5, "{answers:?}");
    assert!(answers.iter().all(|(_, status)| *status == 304));
    // Issue pages answered 304; the index pages (no ETag) had the same bytes.
    assert_eq!(second["crawl"]["unchanged"], 7);
    let urls = |r: &serde_json::Value| -> Vec<String> {
        r["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| format!("{} {}", l["url"], l["occurrences"]))
            .collect()
    };
    assert_eq!(urls(&first), urls(&second));
}

#[test]
fn commands_without_network_say_how_to_read_a_web_page() {
    let o = linkrot()
        .args(["links", "https://news.test/archive/"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "an input not read");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("https://news.test/archive/: error: is a web page; `linkrot check`"),
        "{stderr}"
    );
}

#[test]
fn a_bad_crawl_pattern_is_a_usage_error_before_any_work() {
    let o = linkrot()
        .args([
            "check",
            "--crawl",
            "--crawl-exclude",
            "(",
            "http://127.0.0.1:9/",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("--crawl-exclude") && stderr.contains("invalid regex"),
        "{stderr}"
    );
}
