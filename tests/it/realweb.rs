//! The real web's quiet rot, against local sites: soft 404s, pages sent
//! home, parked domains, bot walls and missing anchors. Each site is a
//! scripted server on 127.0.0.1 given a public-looking name (pinned, as
//! `--resolve` does), so that hosts are told apart as on the web.

use crate::kit::{check_all, linkrot, test_config, Handler, Reply, Request, Server, Settings};
use linkrot::check::{CheckResult, Status};
use std::sync::Arc;

fn html(status: u16, body: String) -> Reply {
    (
        status,
        vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body.into_bytes(),
    )
}

/// A site's chrome around `inner`, as real sites wrap every page.
fn chrome(site: &str, title: &str, inner: &str) -> String {
    format!(
        "<!doctype html><html><head><title>{title}</title></head><body>\
         <header><a href='/'>{site}</a><nav><a href='/'>Home</a> <a href='/about/'>About</a> \
         <a href='/archive/'>Archive</a> <a href='/contact/'>Contact</a></nav></header>\
         <main>{inner}</main><footer>&copy; {site}. All rights reserved.</footer></body></html>"
    )
}

/// An article of its own, its words drawn from `seed`.
fn article(site: &str, seed: &str) -> String {
    const VOCAB: &[&str] = &[
        "deploy",
        "pipeline",
        "cluster",
        "latency",
        "rollout",
        "canary",
        "incident",
        "metrics",
        "tracing",
        "drift",
        "container",
        "scheduler",
        "network",
        "storage",
        "backup",
        "failover",
        "alerting",
        "runbook",
        "capacity",
        "release",
        "feature",
        "database",
        "replica",
        "queue",
    ];
    let mut h: usize = seed
        .bytes()
        .fold(7, |a, b| a.wrapping_mul(31).wrapping_add(b as usize));
    let words: Vec<&str> = (0..200)
        .map(|_| {
            h = h
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            VOCAB[(h >> 33) % VOCAB.len()]
        })
        .collect();
    let title = words[..4].join(" ");
    chrome(
        site,
        &format!("{title} - {site}"),
        &format!(
            "<article><h1>{title}</h1><p>{}</p></article>",
            words.join(" ")
        ),
    )
}

/// Runs sites `(name, handler)` on 127.0.0.1, each pinned under its name;
/// returns the servers (kept alive) and settings that reach them.
async fn sites(named: Vec<(&str, Handler)>) -> (Vec<Server>, Settings) {
    let mut cfg = test_config();
    let mut servers = Vec::new();
    for (name, h) in named {
        let s = Server::start_handler(h).await;
        cfg.net.resolve.push((name.to_string(), s.addr));
        servers.push(s);
    }
    (servers, cfg)
}

fn url(servers: &[Server], i: usize, name: &str, path: &str) -> String {
    format!("http://{name}:{}{path}", servers[i].addr.port())
}

fn path_of(req: &Request) -> String {
    req.target.split('?').next().unwrap_or("").to_string()
}

/// Runs the binary off the runtime, so the test's servers go on answering.
async fn output(mut cmd: std::process::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

async fn check(urls: &[String], cfg: Settings) -> Vec<CheckResult> {
    check_all(urls, cfg).await
}

#[tokio::test]
async fn a_not_found_page_served_with_200_is_a_soft_404_and_a_live_page_is_not() {
    let h: Handler = Arc::new(|req: &Request| {
        let path = path_of(req);
        Some(match path.as_str() {
            "/2019/canary-releases" => html(200, article("Kaizen", "canary")),
            "/" => html(200, article("Kaizen", "home")),
            // A file: HEAD says so; no GET ever pulls it for a comparison.
            "/files/talk.mp4" => (
                200,
                vec![("Content-Type".into(), "video/mp4".into())],
                vec![0; 4096],
            ),
            // Every other path: the site's "not found" page, with 200, echoing the path.
            p => html(
                200,
                chrome(
                    "Kaizen",
                    "404 | Kaizen",
                    &format!("<h1>404</h1><p>The page <code>{p}</code> does not exist.</p>"),
                ),
            ),
        })
    });
    let (s, cfg) = sites(vec![("blog.kaizen.test", h)]).await;
    let live = url(&s, 0, "blog.kaizen.test", "/2019/canary-releases");
    let gone = url(&s, 0, "blog.kaizen.test", "/2017/old-post");
    let root = url(&s, 0, "blog.kaizen.test", "/");
    let file = url(&s, 0, "blog.kaizen.test", "/files/talk.mp4");
    let r = check(&[live.clone(), gone.clone(), root, file], cfg).await;
    assert_eq!(r[3].status, Status::Ok, "{:?}", r[3]);
    assert_eq!(
        s[0].methods("/files/talk.mp4"),
        ["HEAD"],
        "a file is not read"
    );
    assert_eq!(r[0].status, Status::Ok, "{:?}", r[0]);
    assert_eq!(r[1].status, Status::SoftNotFound, "{:?}", r[1]);
    assert_eq!(
        r[1].error.as_deref(),
        Some("same page as a random path on this host")
    );
    assert_eq!(
        r[2].status,
        Status::Ok,
        "the home page is not the not-found page"
    );
    // The host answers made-up paths with 200: one probe per directory of its links.
    let probes = s[0]
        .all_hits()
        .iter()
        .filter(|h| {
            ![
                "/2019/canary-releases",
                "/2017/old-post",
                "/",
                "/files/talk.mp4",
            ]
            .contains(&h.path.as_str())
        })
        .count();
    assert_eq!(
        probes,
        3,
        "/2019/, /2017/ and /, not /files/: {:?}",
        s[0].all_hits()
    );
}

#[tokio::test]
async fn on_a_host_whose_404_page_is_its_home_page_live_pages_and_the_root_stay_alive() {
    let h: Handler = Arc::new(|req: &Request| {
        Some(match path_of(req).as_str() {
            "/docs/install" => html(200, article("Meshy", "install")),
            // The root, and every unknown path: the home page itself.
            _ => html(200, article("Meshy", "home")),
        })
    });
    let (s, cfg) = sites(vec![("meshy.test", h)]).await;
    let r = check(
        &[
            url(&s, 0, "meshy.test", "/docs/install"),
            url(&s, 0, "meshy.test", "/"),
            url(&s, 0, "meshy.test", "/docs/retired-page"),
        ],
        cfg,
    )
    .await;
    assert_eq!(r[0].status, Status::Ok, "a live page: {:?}", r[0]);
    assert_eq!(
        r[1].status,
        Status::Ok,
        "the root is the home page: {:?}",
        r[1]
    );
    assert_eq!(
        r[2].status,
        Status::SoftNotFound,
        "a lost page shows the home page: {:?}",
        r[2]
    );
}

#[tokio::test]
async fn a_site_in_another_language_is_judged_by_the_probe_not_by_its_words() {
    // German wording the checker was never told about for the pages: the
    // probe decides. Its root is the "not found" page too: that one is
    // told by the words of its title.
    let h: Handler = Arc::new(|req: &Request| {
        Some(match path_of(req).as_str() {
            "/artikel/kubernetes-betrieb" => html(200, article("Technikblog", "betrieb")),
            _ => html(
                200,
                chrome(
                    "Technikblog",
                    "Seite nicht gefunden - Technikblog",
                    "<h1>Hoppla!</h1><p>Diese Seite gibt es leider nicht mehr. Versuchen Sie die Suche.</p>",
                ),
            ),
        })
    });
    let (s, cfg) = sites(vec![("technikblog.test", h)]).await;
    let r = check(
        &[
            url(&s, 0, "technikblog.test", "/artikel/kubernetes-betrieb"),
            url(&s, 0, "technikblog.test", "/artikel/alter-beitrag"),
            url(&s, 0, "technikblog.test", "/"),
        ],
        cfg,
    )
    .await;
    assert_eq!(r[0].status, Status::Ok, "{:?}", r[0]);
    assert_eq!(r[1].status, Status::SoftNotFound, "{:?}", r[1]);
    assert_eq!(r[2].status, Status::SoftNotFound, "{:?}", r[2]);
}

#[tokio::test]
async fn a_page_sent_home_is_dead_and_a_move_to_another_sites_home_is_not() {
    let new: Handler = Arc::new(|req: &Request| {
        Some(match path_of(req).as_str() {
            "/" => html(200, article("Newco", "home")),
            _ => html(404, "no".into()),
        })
    });
    let newco = Server::start_handler(new).await;
    let newco_home = format!("http://newco.test:{}/", newco.addr.port());
    let old: Handler = Arc::new(move |req: &Request| {
        Some(match path_of(req).as_str() {
            "/" => html(200, article("Oldco", "home")),
            "/blog/lost" => (302, vec![("Location".into(), "/".into())], vec![]),
            // The company renamed: its product page moved to the new site's home.
            "/product" => (301, vec![("Location".into(), newco_home.clone())], vec![]),
            "/errors" => (
                302,
                vec![("Location".into(), "/errors/404/".into())],
                vec![],
            ),
            "/errors/404/" => html(200, chrome("Oldco", "Oldco", "<p>Nothing here</p>")),
            _ => html(404, "gone".into()),
        })
    });
    let (s, mut cfg) = sites(vec![("oldco.test", old)]).await;
    cfg.net.resolve.push(("newco.test".into(), newco.addr));
    let r = check(
        &[
            url(&s, 0, "oldco.test", "/blog/lost"),
            url(&s, 0, "oldco.test", "/product"),
            url(&s, 0, "oldco.test", "/errors"),
        ],
        cfg,
    )
    .await;
    assert_eq!(r[0].status, Status::SoftNotFound, "{:?}", r[0]);
    assert!(r[0].error.as_deref().unwrap().starts_with("sent home"));
    assert_eq!(r[1].status, Status::Redirected, "a move: {:?}", r[1]);
    assert_eq!(
        r[2].status,
        Status::SoftNotFound,
        "to a not-found URL: {:?}",
        r[2]
    );
}

#[tokio::test]
async fn a_parked_domain_is_dead_root_included_with_or_without_a_lander() {
    let parked_page = |host: &str| {
        format!(
            "<!doctype html><html><head><title>{host}</title></head><body>\
             <p>{host} is parked free, courtesy of a registrar.</p><h2>Related searches</h2>\
             <ul><li>Cloud Hosting</li><li>DevOps Tools</li></ul></body></html>"
        )
    };
    let plain: Handler =
        Arc::new(move |_req: &Request| Some(html(200, parked_page("lapsed.test"))));
    // No parking words at all: a page about the domain, nothing of its own to link to.
    let quiet: Handler = Arc::new(|req: &Request| {
        Some(match path_of(req).as_str() {
            "/lander" => html(
                200,
                "<!doctype html><html><head><title>quietname.test</title></head><body><h1>quietname.test</h1>\
                 <p>Interested? Send an inquiry.</p></body></html>"
                    .into(),
            ),
            _ => (302, vec![("Location".into(), "/lander".into())], vec![]),
        })
    });
    let (s, cfg) = sites(vec![("lapsed.test", plain), ("quietname.test", quiet)]).await;
    let r = check(
        &[
            url(&s, 0, "lapsed.test", "/2014/05/a-good-post.html"),
            url(&s, 0, "lapsed.test", "/"),
            url(&s, 1, "quietname.test", "/blog/post"),
            url(&s, 1, "quietname.test", "/"),
        ],
        cfg,
    )
    .await;
    for (i, r) in r.iter().enumerate() {
        assert_eq!(r.status, Status::Parked, "{i}: {r:?}");
    }
}

#[tokio::test]
async fn bot_walls_are_blocked_never_broken_and_an_ordinary_403_is_broken() {
    let h: Handler = Arc::new(|req: &Request| {
        Some(match path_of(req).as_str() {
            "/cf" => (
                403,
                vec![
                    ("Server".into(), "cloudflare".into()),
                    ("cf-ray".into(), "8a1b2c3d4e5f-AMS".into()),
                    ("cf-mitigated".into(), "challenge".into()),
                ],
                b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Enable JavaScript and cookies to continue</body></html>".to_vec(),
            ),
            "/li" => (999, vec![], vec![]),
            "/dd" => html(
                403,
                "<html><body><script src=\"https://ct.captcha-delivery.com/i.js\"></script></body></html>".into(),
            ),
            "/cdn-404" => (
                404,
                vec![("Server".into(), "cloudflare".into()), ("cf-ray".into(), "1-AMS".into())],
                b"not found".to_vec(),
            ),
            "/forbidden" => html(403, "<h1>403 Forbidden</h1><hr>nginx".into()),
            _ => html(404, "no".into()),
        })
    });
    let (s, cfg) = sites(vec![("walled.test", h)]).await;
    let paths = ["/cf", "/li", "/dd", "/cdn-404", "/forbidden"];
    let urls: Vec<String> = paths.iter().map(|p| url(&s, 0, "walled.test", p)).collect();
    let r = check(&urls, cfg).await;
    assert_eq!(r[0].status, Status::Blocked, "{:?}", r[0]);
    assert!(r[0].error.as_deref().unwrap().contains("Cloudflare"));
    assert_eq!(r[1].status, Status::Blocked, "{:?}", r[1]);
    assert_eq!(r[2].status, Status::Blocked, "{:?}", r[2]);
    assert_eq!(
        r[3].status,
        Status::Broken,
        "served by a CDN is not blocked by it"
    );
    assert_eq!(r[4].status, Status::Broken, "{:?}", r[4]);
    assert!(!Status::Blocked.is_failure());
}

#[tokio::test]
async fn a_blocked_link_fails_no_ci_run_and_is_no_strike() {
    let h: Handler = Arc::new(|_req: &Request| Some((999, vec![], vec![])));
    let s = Server::start_handler(h).await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("<{}>\n", s.url("/in/someone"))).unwrap();
    let db = dir.path().join("l.db");
    for night in 0..2 {
        let mut cmd = linkrot();
        cmd.arg("check")
            .arg(&issue)
            .arg("--db")
            .arg(&db)
            .args(["--max-age", "0", "--format", "json"])
            .args(["--hard-dead-after-failures", "1", "--hard-dead-after", "0"]);
        let o = output(cmd).await;
        assert_eq!(
            o.status.code(),
            Some(0),
            "night {night}: blocked fails nothing"
        );
        crate::formats::assert_valid_report(&o.stdout);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let l = &v["links"][0];
        assert_eq!(l["status"], "blocked");
        assert_eq!(l["failures"], 0, "no strike");
        assert!(l["state"].is_null(), "nothing is known of the page: {l}");
        assert_eq!(v["summary"]["blocked"], 1);
    }
}

#[tokio::test]
async fn anchors_are_looked_for_and_routes_and_text_fragments_are_not_anchors() {
    let h: Handler = Arc::new(|req: &Request| {
        Some(match path_of(req).as_str() {
            "/guide" => html(
                200,
                chrome(
                    "Docs",
                    "Guide - Docs",
                    "<h2 id=\"install\">Install</h2><p>Run it.</p><a name=\"old-style\"></a><h2>Old</h2>",
                ),
            ),
            "/app" => html(200, chrome("App", "App", "<div id=\"root\"></div>")),
            _ => html(404, "no".into()),
        })
    });
    let s = Server::start_handler(h).await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    let guide = s.url("/guide");
    let app = s.url("/app");
    std::fs::write(
        &issue,
        format!(
            "- <{guide}#install>\n- <{guide}#old-style>\n- <{guide}#removed-section>\n- <{app}#!/settings>\n- <{app}#/inbox>\n- <{guide}#:~:text=Run%20it>\n"
        ),
    )
    .unwrap();
    let mut cmd = linkrot();
    cmd.arg("check")
        .arg(&issue)
        .arg("--db")
        .arg(dir.path().join("l.db"))
        .args(["--format", "json"]);
    let o = output(cmd).await;
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let frag = |u: String| {
        let l = v["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["url"] == u)
            .unwrap_or_else(|| panic!("{u}"));
        assert_eq!(l["status"], "ok", "the page's own status: {l}");
        l["fragment"].clone()
    };
    assert_eq!(
        frag(format!("{guide}#install")),
        serde_json::json!({"name": "install", "found": true})
    );
    assert_eq!(
        frag(format!("{guide}#old-style"))["found"],
        true,
        "an <a name> anchor"
    );
    assert_eq!(frag(format!("{guide}#removed-section"))["found"], false);
    assert!(
        frag(format!("{app}#!/settings"))["found"].is_null(),
        "a script route"
    );
    assert!(
        frag(format!("{app}#/inbox"))["found"].is_null(),
        "a script route"
    );
    assert!(
        frag(format!("{guide}#:~:text=Run%20it"))["found"].is_null(),
        "a text fragment"
    );
    assert_eq!(
        s.methods("/guide"),
        ["HEAD", "GET"],
        "one page read for all its anchors"
    );
    // A missing anchor is no failing link: the run does not fail on it.
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
