//! Checking, against local servers: one test per behaviour a link can show.

use crate::kit::{check_all, check_one, test_config, Behave, Server, Settings, TestCa};
use linkrot::Status;
use std::time::Duration;

#[tokio::test]
async fn ok_answers_one_head_and_nothing_else() {
    let s = Server::start(&[("/ok", Behave::Status(200))]).await;
    let r = check_one(&s.url("/ok")).await;
    assert_eq!(
        (r.status, r.http_status, r.requests),
        (Status::Ok, Some(200), 1)
    );
    assert_eq!(s.methods("/ok"), vec!["HEAD"]);
}

#[tokio::test]
async fn permanent_and_temporary_redirects_are_followed_hop_by_hop() {
    let s = Server::start(&[
        ("/old", Behave::Redirect(301, "/middle".into())),
        ("/middle", Behave::Redirect(302, "/new".into())),
        ("/new", Behave::Status(200)),
        ("/moved", Behave::Redirect(308, "/new".into())),
        ("/see-other", Behave::Redirect(303, "/new".into())),
        ("/temporary", Behave::Redirect(307, "/new".into())),
    ])
    .await;
    let r = check_one(&s.url("/old")).await;
    assert_eq!(r.status, Status::Redirected);
    assert_eq!(r.final_url.as_deref(), Some(s.url("/new").as_str()));
    let hops: Vec<_> = r
        .redirects
        .iter()
        .map(|h| (h.url.clone(), h.status))
        .collect();
    assert_eq!(hops, vec![(s.url("/old"), 301), (s.url("/middle"), 302)]);
    assert!(
        !r.permanent_redirect(),
        "a 302 in the chain makes it temporary"
    );
    let r = check_one(&s.url("/moved")).await;
    assert!(r.permanent_redirect());
    for path in ["/see-other", "/temporary"] {
        let r = check_one(&s.url(path)).await;
        assert_eq!(r.status, Status::Redirected, "{path}");
        assert!(!r.permanent_redirect(), "{path} is temporary");
    }
}

#[tokio::test]
async fn a_redirect_to_a_dead_page_is_broken_with_its_chain() {
    let s = Server::start(&[("/gone", Behave::Redirect(301, "/nowhere".into()))]).await;
    let r = check_one(&s.url("/gone")).await;
    assert_eq!((r.status, r.http_status), (Status::Broken, Some(404)));
    assert_eq!(r.final_url.as_deref(), Some(s.url("/nowhere").as_str()));
    assert_eq!(r.redirects.len(), 1);
}

#[tokio::test]
async fn redirect_loops_and_endless_chains_are_errors() {
    let mut routes = vec![
        ("/a", Behave::Redirect(302, "/b".into())),
        ("/b", Behave::Redirect(302, "/a".into())),
    ];
    let names: Vec<String> = (0..15).map(|i| format!("/chain{i}")).collect();
    for i in 0..14 {
        routes.push((
            names[i].as_str(),
            Behave::Redirect(301, names[i + 1].clone()),
        ));
    }
    let s = Server::start(&routes).await;
    let r = check_one(&s.url("/a")).await;
    assert_eq!(r.status, Status::Error);
    assert!(r.error.unwrap().contains("loop"));
    let r = check_one(&s.url("/chain0")).await;
    assert_eq!(r.status, Status::Error);
    assert!(r.error.unwrap().contains("more than 10 redirects"));
    assert_eq!(s.hits("/chain11"), 0, "stops after 10 hops");
}

#[tokio::test]
async fn error_statuses_are_confirmed_with_get_and_never_retried() {
    let s = Server::start(&[
        ("/gone", Behave::Status(410)),
        ("/fail", Behave::Status(500)),
    ])
    .await;
    let r = check_one(&s.url("/missing")).await;
    assert_eq!((r.status, r.http_status), (Status::Broken, Some(404)));
    assert_eq!(
        s.methods("/missing"),
        vec!["HEAD", "GET"],
        "404 is asked once with GET, never retried"
    );
    assert_eq!(check_one(&s.url("/gone")).await.http_status, Some(410));
    assert_eq!(check_one(&s.url("/fail")).await.status, Status::Broken);
}

#[tokio::test]
async fn servers_that_refuse_or_lie_about_head_are_asked_with_get() {
    let s = Server::start(&[
        ("/no-head", Behave::HeadGet(405, 200)),
        ("/liar", Behave::HeadGet(404, 200)),
    ])
    .await;
    for path in ["/no-head", "/liar"] {
        let r = check_one(&s.url(path)).await;
        assert_eq!(r.status, Status::Ok, "{path}");
        assert_eq!(s.methods(path), vec!["HEAD", "GET"]);
    }
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_after_that_wait_and_ends_ok() {
    let s = Server::start(&[(
        "/busy",
        Behave::RateLimited {
            times: 1,
            retry_after: 1,
        },
    )])
    .await;
    let r = check_one(&s.url("/busy")).await;
    assert_eq!((r.status, r.requests), (Status::Ok, 2));
    let hits = s.all_hits();
    let waited = hits[1].at.duration_since(hits[0].at);
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 honoured, waited {waited:?}"
    );
}

#[tokio::test]
async fn transient_failures_are_retried_and_recover() {
    let s = Server::start(&[
        (
            "/flaky",
            Behave::Flaky {
                times: 1,
                status: 503,
            },
        ),
        (
            "/bad-gateway",
            Behave::Flaky {
                times: 2,
                status: 502,
            },
        ),
        ("/reset-once", Behave::ResetFirst { times: 1 }),
    ])
    .await;
    for (path, requests) in [("/flaky", 2), ("/bad-gateway", 3), ("/reset-once", 2)] {
        let r = check_one(&s.url(path)).await;
        assert_eq!((r.status, r.requests), (Status::Ok, requests), "{path}");
    }
}

#[tokio::test]
async fn retries_are_bounded() {
    let s = Server::start(&[("/down", Behave::Status(503)), ("/reset", Behave::Reset)]).await;
    let r = check_one(&s.url("/down")).await;
    assert_eq!((r.status, r.http_status), (Status::Broken, Some(503)));
    assert_eq!(s.hits("/down"), 3, "one try and two retries");
    let r = check_one(&s.url("/reset")).await;
    assert_eq!(r.status, Status::Error);
    assert_eq!(s.hits("/reset"), 3);
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_timeout() {
    let s = Server::start(&[("/hang", Behave::Hang)]).await;
    let cfg = {
        let mut c = test_config();
        c.net.timeout = Duration::from_millis(300);
        c
    };
    let r = check_all(&[s.url("/hang")], cfg).await.remove(0);
    assert_eq!(r.status, Status::Timeout);
    assert_eq!(s.hits("/hang"), 1, "timeouts are not retried by default");
}

#[tokio::test]
async fn a_connection_refused_is_an_error_with_its_cause() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let r = check_one(&format!("http://127.0.0.1:{port}/")).await;
    assert_eq!(r.status, Status::Error);
    assert!(r.error.unwrap().to_lowercase().contains("refused"));
}

#[tokio::test]
async fn big_bodies_are_not_downloaded() {
    let size = 64 << 20;
    let s = Server::start(&[
        ("/big", Behave::Big(size)),
        ("/big-get", Behave::BigNoHead(size)),
    ])
    .await;
    let r = check_one(&s.url("/big")).await;
    assert_eq!(r.status, Status::Ok);
    assert!(
        s.bytes_sent() < 64,
        "HEAD reads no body (the probe of a made-up path reads a 404's few bytes): {}",
        s.bytes_sent()
    );
    let r = check_one(&s.url("/big-get")).await;
    assert_eq!(r.status, Status::Ok);
    // What the kernel buffers before the drop is counted too; 64 MB is not.
    assert!(s.bytes_sent() < 8 << 20, "sent {} bytes", s.bytes_sent());
}

#[tokio::test]
async fn a_get_asks_for_the_first_bytes_only_and_a_server_that_honours_range_sends_no_more() {
    let size = 64 << 20;
    let s = Server::start(&[
        ("/video.mp4", Behave::RangedBigNoHead(size)),
        ("/empty", Behave::RangeUnsatisfiable),
    ])
    .await;
    let r = check_one(&s.url("/video.mp4")).await;
    assert_eq!((r.status, r.http_status), (Status::Ok, Some(206)), "{r:?}");
    assert!(
        s.bytes_sent() <= 64 * 1024 + 64,
        "only the range was sent: {} bytes",
        s.bytes_sent()
    );
    // A server that cannot serve the range (an empty file) is asked again whole.
    let r = check_one(&s.url("/empty")).await;
    assert_eq!((r.status, r.http_status), (Status::Ok, Some(200)), "{r:?}");
    assert_eq!(s.methods("/empty"), ["HEAD", "GET", "GET"]);
}

#[tokio::test]
async fn unsupported_schemes_relative_links_and_excluded_urls_make_no_request() {
    let s = Server::start(&[("/skip", Behave::Status(200))]).await;
    let cfg = {
        let mut c = test_config();
        c.check.exclude = vec!["/skip$".into()];
        c
    };
    let urls = [
        "mailto:a@b.test",
        "ftp://f.test/x",
        "../relative.md",
        "javascript:void(0)",
        &s.url("/skip"),
    ]
    .map(String::from);
    let got: Vec<Status> = check_all(&urls, cfg)
        .await
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        got,
        vec![
            Status::Unsupported,
            Status::Unsupported,
            Status::Unsupported,
            Status::Unsupported,
            Status::Excluded
        ]
    );
    assert_eq!(s.all_hits().len(), 0);
}

#[tokio::test]
async fn accepted_statuses_are_a_setting() {
    let s = Server::start(&[("/forbidden", Behave::Status(403))]).await;
    let cfg = {
        let mut c = test_config();
        c.check.accept = vec![200..=299, 403..=403];
        c
    };
    assert_eq!(
        check_all(&[s.url("/forbidden")], cfg).await[0].status,
        Status::Ok
    );
}

#[tokio::test]
async fn no_host_gets_more_than_its_share() {
    let paths: Vec<String> = (0..12).map(|i| format!("/slow{i}")).collect();
    let routes: Vec<(&str, Behave)> = paths
        .iter()
        .map(|p| (p.as_str(), Behave::Slow(100)))
        .collect();
    let s = Server::start(&routes).await;
    let cfg = {
        let mut c = test_config();
        c.check.max_per_host = 2;
        c
    };
    let urls: Vec<String> = paths.iter().map(|p| s.url(p)).collect();
    let results = check_all(&urls, cfg).await;
    assert!(results.iter().all(|r| r.status == Status::Ok));
    assert_eq!(s.peak_concurrency(), 2);
}

#[tokio::test]
async fn the_proxy_setting_is_honoured() {
    let proxy = Server::start(&[("/page", Behave::Status(200))]).await;
    let cfg = {
        let mut c = test_config();
        c.net.proxy = proxy.as_proxy();
        c
    };
    // `.invalid` never resolves: only the proxy can answer.
    let r = check_all(&["http://newsletter.invalid/page".to_string()], cfg)
        .await
        .remove(0);
    assert_eq!(r.status, Status::Ok);
    let hit = &proxy.all_hits()[0];
    assert!(hit.proxied);
    assert_eq!(hit.host, "newsletter.invalid");
}

/// A host that has just answered sends its next request at once, over the
/// connection still open: the GET that confirms a HEAD's 404 does not wait
/// behind other hosts' first tries until that connection has closed.
#[tokio::test]
async fn the_get_after_a_head_goes_over_the_connection_the_head_used() {
    let proxy = Server::start(&[
        ("/gone", Behave::Status(404)),
        ("/slow", Behave::Slow(400)),
        ("/ok", Behave::Status(200)),
    ])
    .await;
    let cfg = {
        let mut c = test_config();
        c.check.max_concurrency = 1;
        // No probes of made-up paths: the order of the links' own requests is the point.
        c.check.soft_404 = false;
        c.net.proxy = proxy.as_proxy();
        c
    };
    // Through a proxy, one connection per origin: the count tells reuse.
    let urls = [
        "http://a.invalid/gone",
        "http://b.invalid/slow",
        "http://c.invalid/ok",
    ];
    let urls: Vec<String> = urls.iter().map(|u| u.to_string()).collect();
    let r = check_all(&urls, cfg).await;
    assert_eq!(r[0].http_status, Some(404));
    assert_eq!(proxy.methods("/gone"), ["HEAD", "GET"]);
    let order: Vec<String> = proxy.all_hits().iter().map(|h| h.host.clone()).collect();
    assert_eq!(order, ["a.invalid", "a.invalid", "b.invalid", "c.invalid"]);
    assert_eq!(proxy.connections(), 3, "one connection per host");
}

#[tokio::test]
async fn a_custom_ca_is_trusted_and_an_unknown_one_is_a_tls_error() {
    let ca = TestCa::new();
    let s = Server::start_tls(&[("/secure", Behave::Status(200))], &ca).await;
    let trusted = {
        let mut c = test_config();
        c.net.ca_files = vec![ca.pem_path.clone()];
        c
    };
    assert_eq!(
        check_all(&[s.url("/secure")], trusted).await[0].status,
        Status::Ok
    );
    let r = check_one(&s.url("/secure")).await;
    assert_eq!(r.status, Status::Error);
    assert!(
        r.error.unwrap().to_lowercase().contains("certificate"),
        "reported as a TLS problem"
    );
}

#[tokio::test]
async fn a_host_that_never_answers_costs_about_one_try_per_url() {
    let paths: Vec<String> = (0..6).map(|i| format!("/down{i}")).collect();
    let routes: Vec<(&str, Behave)> = paths.iter().map(|p| (p.as_str(), Behave::Reset)).collect();
    let s = Server::start(&routes).await;
    let urls: Vec<String> = paths.iter().map(|p| s.url(p)).collect();
    let results = check_all(&urls, test_config()).await;
    assert!(results.iter().all(|r| r.status == Status::Error));
    // Retries stop once two different URLs failed on a host that never answered.
    assert!(
        s.all_hits().len() <= 8,
        "{} requests for 6 URLs",
        s.all_hits().len()
    );
    assert!(s.all_hits().len() >= 6, "every URL is still tried");
}

/// Checks `paths` on `s` with `cfg`, returning the paths in the order their
/// verdicts arrived, each with its status and the hits the server had seen then.
async fn arrival_order(s: &Server, paths: &[&str], cfg: Settings) -> Vec<(String, Status, usize)> {
    let door = linkrot::net::Door::new(&cfg.net).unwrap();
    let urls = paths
        .iter()
        .enumerate()
        .map(|(i, p)| linkrot::check::ToCheck::url(i, reqwest::Url::parse(&s.url(p)).unwrap()))
        .collect();
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let task = tokio::spawn(linkrot::check::check_urls(
        door,
        std::sync::Arc::new(cfg.check),
        urls,
        tx,
    ));
    let mut order = Vec::new();
    while let Some((i, r)) = rx.recv().await {
        order.push((paths[i].to_string(), r.status, s.all_hits().len()));
    }
    task.await.unwrap();
    order
}

#[tokio::test]
async fn urls_that_hang_on_a_host_that_answers_do_not_hold_its_slots() {
    let mut routes = vec![
        ("/first", Behave::Status(200)),
        ("/hang1", Behave::Hang),
        ("/hang2", Behave::Hang),
    ];
    let oks: Vec<String> = (0..8).map(|i| format!("/ok{i}")).collect();
    routes.extend(oks.iter().map(|p| (p.as_str(), Behave::Status(200))));
    let s = Server::start(&routes).await;
    let cfg = {
        let mut c = test_config();
        c.check.max_per_host = 2;
        c.check.initial_per_host = 2;
        c.check.stall_after = Duration::from_millis(100);
        c.net.timeout = Duration::from_secs(3);
        c
    };
    let paths: Vec<&str> = routes.iter().map(|(p, _)| *p).collect();
    let order = arrival_order(&s, &paths, cfg).await;
    let names: Vec<&str> = order.iter().map(|(p, _, _)| p.as_str()).collect();
    // Both hanging URLs held the host's two slots; set aside once the host
    // had answered others since, they let every other URL through before
    // their own timeout.
    assert_eq!(&names[names.len() - 2..], ["/hang1", "/hang2"], "{names:?}");
    assert!(order[..order.len() - 2]
        .iter()
        .all(|(_, st, _)| *st == Status::Ok));
    assert!(order[order.len() - 2..]
        .iter()
        .all(|(_, st, _)| *st == Status::Timeout));
}

#[tokio::test]
async fn a_host_that_answers_nothing_never_gets_more_than_its_limit() {
    let routes: Vec<(String, Behave)> = (0..4).map(|i| (format!("/h{i}"), Behave::Hang)).collect();
    let routes: Vec<(&str, Behave)> = routes
        .iter()
        .map(|(p, b)| (p.as_str(), b.clone()))
        .collect();
    let s = Server::start(&routes).await;
    let cfg = {
        let mut c = test_config();
        c.check.max_per_host = 2;
        c.check.initial_per_host = 2;
        c.check.stall_after = Duration::from_millis(50);
        c.net.timeout = Duration::from_millis(600);
        c
    };
    let paths: Vec<&str> = routes.iter().map(|(p, _)| *p).collect();
    let order = arrival_order(&s, &paths, cfg).await;
    assert!(order.iter().all(|(_, st, _)| *st == Status::Timeout));
    // When the first verdict came, the host had been sent two requests only.
    assert_eq!(order[0].2, 2, "{order:?}");
}
