//! Hardening: refused addresses, hostile servers, concurrent and killed runs.

use crate::kit::{check_all, linkrot, test_config, Behave, Request, Server, Settings, TestCa};
use linkrot::Status;
use std::sync::Arc;
use std::time::Duration;

/// Test settings that trust `ca`.
fn trusting(ca: &TestCa) -> Settings {
    {
        let mut c = test_config();
        c.net.ca_files = vec![ca.pem_path.clone()];
        c
    }
}

fn guarded() -> Settings {
    {
        let mut c = test_config();
        c.net.allow_private = false;
        c
    }
}

#[tokio::test]
async fn private_addresses_are_refused_by_default_literal_or_resolved() {
    let s = Server::start(&[("/secret", Behave::Status(200))]).await;
    let port = s.addr.port();
    let urls = vec![
        s.url("/secret"),                                  // literal loopback
        "http://169.254.169.254/latest/meta-data/".into(), // cloud metadata
        "http://[::1]/".into(),
        "http://10.0.0.1/".into(),
    ];
    // Were the guard ever to fail, these requests would still go no further
    // than the test server, acting as the proxy.
    let cfg = {
        let mut c = guarded();
        c.net.proxy = s.as_proxy();
        c
    };
    let results = check_all(&urls, cfg).await;
    for (u, r) in urls.iter().zip(&results) {
        assert_eq!(r.status, Status::Excluded, "{u}: {r:?}");
        assert!(
            r.error.as_deref().unwrap().contains("--allow-private"),
            "{u}: {:?}",
            r.error
        );
    }
    // A name that resolves to loopback is refused after resolution (no proxy:
    // behind one, names are the proxy's to resolve). Loopback stays local.
    let by_name = check_all(&[format!("http://localhost:{port}/secret")], guarded())
        .await
        .remove(0);
    assert_eq!(by_name.status, Status::Excluded, "{by_name:?}");
    assert!(by_name.error.unwrap().contains("--allow-private"));
    assert_eq!(s.all_hits().len(), 0, "nothing reached the private server");
    // Allowed explicitly, it is checked.
    assert_eq!(
        check_all(&urls[..1], test_config()).await[0].status,
        Status::Ok
    );
}

#[tokio::test]
async fn a_redirect_to_a_private_address_is_refused_at_the_hop() {
    let s = Server::start(&[
        (
            "/to-literal",
            Behave::Redirect(302, "http://127.0.0.1:9/admin".into()),
        ),
        (
            "/to-name",
            Behave::Redirect(301, "http://localhost:9/admin".into()),
        ),
        (
            "/to-file",
            Behave::Redirect(302, "file:///etc/passwd".into()),
        ),
    ])
    .await;
    // `public.test` stands for a public site: pinned to the test server, as --resolve does.
    let cfg = {
        let mut c = guarded();
        c.net.resolve = vec![("public.test".into(), s.addr)];
        c
    };
    let port = s.addr.port();
    let urls: Vec<String> = ["/to-literal", "/to-name", "/to-file"]
        .iter()
        .map(|p| format!("http://public.test:{port}{p}"))
        .collect();
    let r = check_all(&urls, cfg).await;
    assert_eq!(r[0].status, Status::Excluded, "{:?}", r[0]);
    assert_eq!(r[0].redirects.len(), 1, "the hop is recorded");
    assert_eq!(r[1].status, Status::Excluded, "{:?}", r[1]);
    assert_eq!(r[2].status, Status::Error);
    assert!(r[2]
        .error
        .as_deref()
        .unwrap()
        .contains("unsupported scheme"));
}

#[tokio::test]
async fn the_cli_refuses_private_addresses_unless_allowed() {
    let s = Server::start(&[("/x", Behave::Status(200))]).await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{}\n", s.url("/x"))).unwrap();
    let db = dir.path().join("l.db");
    let (i2, d2) = (issue.clone(), db.clone());
    let o = tokio::task::spawn_blocking(move || {
        linkrot()
            .env_remove("LINKROT_ALLOW_PRIVATE")
            .arg("check")
            .arg(&i2)
            .arg("--db")
            .arg(&d2)
            .args(["--format", "json"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "excluded is not broken");
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["links"][0]["status"], "excluded");
    assert_eq!(s.all_hits().len(), 0);
    let o = tokio::task::spawn_blocking(move || {
        linkrot()
            .env_remove("LINKROT_ALLOW_PRIVATE")
            .arg("check")
            .arg(&issue)
            .arg("--db")
            .arg(&db)
            .args(["--allow-private", "--max-age", "0"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(s.hits("/x"), 1);
}

/// A server that sends headers without end, or a body one byte at a time.
async fn hostile(kind: &'static str) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = l.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                if kind == "slow-body" && buf[..n].starts_with(b"HEAD") {
                    // Refuse HEAD, so the trickling body has to be met with GET.
                    let _ = sock.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
                    return;
                }
                match kind {
                    "huge-headers" => {
                        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\n").await;
                        for i in 0..100_000 {
                            if sock
                                .write_all(
                                    format!("X-Junk-{i}: {}\r\n", "a".repeat(100)).as_bytes(),
                                )
                                .await
                                .is_err()
                            {
                                return;
                            }
                        }
                    }
                    "slow-body" => {
                        let _ = sock
                            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
                            .await;
                        for _ in 0..1_000_000 {
                            if sock.write_all(b"x").await.is_err() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                    _ => {
                        // A gzip bomb: we never ask for gzip, and never inflate what comes anyway.
                        let head = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 104857600\r\n\r\n";
                        let _ = sock.write_all(head.as_bytes()).await;
                        let chunk = vec![0u8; 65536];
                        for _ in 0..1600 {
                            if sock.write_all(&chunk).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn hostile_servers_end_within_their_bounds_with_a_clear_outcome() {
    let cfg = {
        let mut c = test_config();
        c.net.timeout = Duration::from_secs(2);
        c
    };
    let huge = hostile("huge-headers").await;
    let r = check_all(&[format!("http://{huge}/")], cfg.clone())
        .await
        .remove(0);
    assert_eq!(r.status, Status::Error, "{r:?}");
    let slow = hostile("slow-body").await;
    let r = check_all(&[format!("http://{slow}/")], cfg.clone())
        .await
        .remove(0);
    // The status came at once; the body is read until the timeout at most, then dropped.
    assert_eq!(
        (r.status, r.requests),
        (Status::Ok, 2),
        "HEAD refused, then GET: {r:?}"
    );
    let bomb = hostile("gzip").await;
    let r = check_all(&[format!("http://{bomb}/")], cfg).await.remove(0);
    assert_eq!(r.status, Status::Ok, "{r:?}");
}

#[tokio::test]
async fn tls_errors_are_errors_with_their_cause_not_broken_links() {
    let ca = TestCa::new();
    let s = Server::start_tls(&[("/x", Behave::Status(200))], &ca).await;
    let trusting = trusting(&ca);
    // The certificate names 127.0.0.1 and localhost, not this name.
    let port = s.addr.port();
    let mut cfg = trusting;
    cfg.net.resolve = vec![("wrong-name.test".into(), s.addr)];
    let r = check_all(&[format!("https://wrong-name.test:{port}/x")], cfg)
        .await
        .remove(0);
    assert_eq!(r.status, Status::Error);
    assert!(
        r.error
            .as_deref()
            .unwrap()
            .to_lowercase()
            .contains("certificate"),
        "{:?}",
        r.error
    );
}

#[tokio::test]
async fn two_runs_on_one_database_at_once_both_finish() {
    let paths: Vec<String> = (0..30).map(|i| format!("/p{i}")).collect();
    let routes: Vec<(&str, Behave)> = paths
        .iter()
        .map(|p| (p.as_str(), Behave::Slow(20)))
        .collect();
    let s = Server::start(&routes).await;
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.md");
    let b = dir.path().join("b.md");
    std::fs::write(
        &a,
        paths[..15]
            .iter()
            .map(|p| format!("{}\n\n", s.url(p)))
            .collect::<String>(),
    )
    .unwrap();
    std::fs::write(
        &b,
        paths[15..]
            .iter()
            .map(|p| format!("{}\n\n", s.url(p)))
            .collect::<String>(),
    )
    .unwrap();
    let db = dir.path().join("shared.db");
    let spawn = |issue: std::path::PathBuf| {
        linkrot()
            .arg("check")
            .arg(issue)
            .arg("--db")
            .arg(&db)
            .arg("-q")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (ca, cb) = (spawn(a), spawn(b));
    let (oa, ob) = tokio::task::spawn_blocking(move || {
        (
            ca.wait_with_output().unwrap(),
            cb.wait_with_output().unwrap(),
        )
    })
    .await
    .unwrap();
    assert_eq!(
        oa.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&oa.stderr)
    );
    assert_eq!(
        ob.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ob.stderr)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (runs, checks): (i64, i64) = conn
        .query_row("SELECT (SELECT count(*) FROM runs WHERE state = 'finished'), (SELECT count(*) FROM checks)", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((runs, checks), (2, 30));
}

#[tokio::test]
async fn an_expired_certificate_is_a_tls_error() {
    let ca = TestCa::expired();
    let s = Server::start_tls(&[("/x", Behave::Status(200))], &ca).await;
    let r = check_all(&[s.url("/x")], trusting(&ca)).await.remove(0);
    assert_eq!(r.status, Status::Error);
    let e = r.error.unwrap().to_lowercase();
    assert!(e.contains("certificate") && e.contains("expired"), "{e}");
}

#[test]
fn urls_with_spaces_and_unicode_hosts_go_out_encoded() {
    use linkrot::check::{Classifier, Target};
    let c = Classifier::new(&test_config().check).unwrap();
    let Target::Check(u) = c.classify("http://bücher.test/a file?q=ü") else {
        panic!("checkable")
    };
    assert_eq!(u.as_str(), "http://xn--bcher-kva.test/a%20file?q=%C3%BC");
    let Target::Skip(r) = c.classify("http://exa mple.test/") else {
        panic!("a space in a host is not a URL")
    };
    assert_eq!(r.status, Status::Error);
    assert!(r.error.unwrap().contains("invalid URL"));
}

#[test]
fn a_100_mb_single_line_file_is_read_with_its_links() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.txt");
    let mut text = "word ".repeat(20_000_000);
    text.push_str("http://at-the-end.test/x\n");
    std::fs::write(&path, text).unwrap();
    let o = linkrot().arg("links").arg(&path).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("{}:1:100000001 http://at-the-end.test/x\n", path.display())
    );
}

#[test]
fn a_database_that_cannot_be_opened_is_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("i.md"), "nothing\n").unwrap();
    let db = dir.path().join("no/such/dir/links.db");
    let o = linkrot()
        .arg("check")
        .arg(dir.path().join("i.md"))
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&db.display().to_string()) && err.contains("pass --db"),
        "{err}"
    );
}

/// A small filesystem that fills up, unmounted when the test ends.
struct TinyDisk(std::path::PathBuf);

impl TinyDisk {
    /// Mounts a `size`-byte tmpfs (needs root, as CI runs); `None` elsewhere.
    fn mount(size: &str) -> Option<TinyDisk> {
        let dir = std::env::temp_dir().join(format!("linkrot-full-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(TinyDisk(dir))
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_the_database_sound() {
    let Some(disk) = TinyDisk::mount("2m") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root and must test a full disk"
        );
        eprintln!("cannot mount a tmpfs here (not root); skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Many small issues: the writer's first transaction (at most 512
    // writes, about 2,000 links) fits on the disk however far extraction
    // has run ahead, and the 20,000 links do not.
    for i in 0..5000 {
        let body: String = (0..4)
            .map(|j| format!("http://site{i}.test/a/rather/long/path/to/page-{j}\n\n"))
            .collect();
        std::fs::write(dir.path().join(format!("{i:04}.md")), body).unwrap();
    }
    let db = disk.0.join("links.db");
    let o = linkrot()
        .arg("index")
        .arg(dir.path())
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("disk is full") && err.contains(&db.display().to_string()),
        "{err}"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "no partial corruption");
    let kept: i64 = conn
        .query_row("SELECT count(*) FROM occurrences", [], |r| r.get(0))
        .unwrap();
    assert!(
        kept > 0 && kept < 20_000,
        "the batches committed before the disk filled are kept ({kept})"
    );
}

#[tokio::test]
async fn behind_a_proxy_local_names_are_refused_before_any_request_and_at_every_hop() {
    // The proxy resolves names itself: to its own loopback, or to the
    // cloud's metadata service. Nothing may be asked of it for these.
    let s = Server::start(&[
        (
            "/to-localhost",
            Behave::Redirect(302, "http://localhost:1/admin".into()),
        ),
        (
            "/to-api",
            Behave::Redirect(301, "http://api.localhost/keys".into()),
        ),
        (
            "/to-metadata",
            Behave::Redirect(
                302,
                "http://metadata.google.internal/computeMetadata/v1/".into(),
            ),
        ),
        (
            "/to-mdns",
            Behave::Redirect(302, "http://printer.local/".into()),
        ),
        (
            "/to-home",
            Behave::Redirect(302, "http://nas.home.arpa/".into()),
        ),
        (
            "/to-short",
            Behave::Redirect(302, "http://metadata/computeMetadata/v1/".into()),
        ),
        (
            "/to-decimal",
            Behave::Redirect(302, "http://2130706433/".into()),
        ),
    ])
    .await;
    let mut cfg = guarded();
    cfg.net.proxy = s.as_proxy();
    let hops = [
        "/to-localhost",
        "/to-api",
        "/to-metadata",
        "/to-mdns",
        "/to-home",
        "/to-short",
        "/to-decimal",
    ];
    let mut urls: Vec<String> = hops
        .iter()
        .map(|p| format!("http://public.invalid{p}"))
        .collect();
    let direct = [
        "http://localhost:1/",
        "http://api.localhost/",
        "http://metadata.google.internal/computeMetadata/v1/instance/",
        "http://LOCALHOST./",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
    ];
    urls.extend(direct.iter().map(|u| u.to_string()));
    let results = check_all(&urls, cfg).await;
    for (u, r) in urls.iter().zip(&results) {
        assert_eq!(r.status, Status::Excluded, "{u}: {r:?}");
        assert!(
            r.error.as_deref().unwrap().contains("--allow-private"),
            "{u}: {:?}",
            r.error
        );
    }
    for r in &results[..hops.len()] {
        assert_eq!(r.redirects.len(), 1, "the hop is recorded: {r:?}");
    }
    let asked: Vec<String> = s.all_hits().iter().map(|h| h.host.clone()).collect();
    assert_eq!(
        asked.len(),
        hops.len(),
        "only the public pages were asked: {asked:?}"
    );
    assert!(asked.iter().all(|h| h == "public.invalid"), "{asked:?}");
}

/// Crawls `start` through `proxy` with the guard on; returns the problems.
async fn guarded_crawl(start: &str, proxy: &Server) -> Vec<String> {
    let mut net = guarded().net;
    net.proxy = proxy.as_proxy();
    let door = linkrot::net::Door::new(&net).unwrap();
    let cfg = linkrot::crawl::CrawlConfig {
        follow: true,
        ..linkrot::crawl::CrawlConfig::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let starts = [start.to_string()];
    let collect = async {
        let mut problems = Vec::new();
        while let Some(e) = rx.recv().await {
            if let linkrot::crawl::Event::Problem(p) = e {
                problems.push(format!("{}: {}", p.path, p.message));
            }
        }
        problems
    };
    let (summary, problems) = tokio::join!(
        linkrot::crawl::crawl(&cfg, &door, &starts, Default::default(), tx),
        collect
    );
    summary.unwrap();
    problems
}

#[tokio::test]
async fn a_crawled_page_or_robots_txt_that_redirects_to_cloud_metadata_is_refused() {
    let metadata = "http://169.254.169.254/latest/meta-data/".to_string();
    let s = Server::start_handler(Arc::new(move |req: &Request| {
        let path = req
            .target
            .split("://")
            .nth(1)
            .map_or(req.target.as_str(), |rest| {
                rest.find('/').map_or("/", |i| &rest[i..])
            });
        Some(match path {
            // news.invalid: robots.txt redirects to the metadata service.
            "/robots.txt" if req.target.contains("news.invalid") => {
                (302, vec![("Location".into(), metadata.clone())], vec![])
            }
            "/robots.txt" => (404, vec![], vec![]),
            // moved.invalid: the start page itself "moved" there.
            "/archive/" => (301, vec![("Location".into(), metadata.clone())], vec![]),
            _ => (404, vec![], vec![]),
        })
    }))
    .await;
    let problems = guarded_crawl("http://moved.invalid/archive/", &s).await;
    assert!(
        problems
            .iter()
            .any(|p| p.contains("169.254.169.254") && p.contains("--allow-private")),
        "{problems:?}"
    );
    let problems = guarded_crawl("http://news.invalid/archive/", &s).await;
    assert!(
        problems.iter().any(|p| p.contains("robots.txt")
            && p.contains("169.254.169.254")
            && p.contains("--allow-private")),
        "{problems:?}"
    );
    let hosts: Vec<String> = s.all_hits().iter().map(|h| h.host.clone()).collect();
    assert!(
        hosts.iter().all(|h| !h.contains("169.254")),
        "the metadata service was never asked: {hosts:?}"
    );
}
