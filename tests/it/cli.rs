//! The binary from the outside: `links`, `check`, the JSON report, the
//! database, exit codes.

use crate::kit::{linkrot, Behave, Server};
use std::process::Output;

fn run(cmd: &mut std::process::Command) -> Output {
    cmd.output().expect("run linkrot")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn links_lists_every_link_with_its_position_without_network() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("2015-10-25-1.md"),
        "# Issue\n\n<br>[http://a.test/x](http://a.test/x)\nsee https://b.test/y.\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.bin"), [0u8, 1, 2]).unwrap();
    let o = run(linkrot().arg("links").arg(dir.path()));
    assert!(o.status.success(), "{o:?}");
    let path = dir.path().join("2015-10-25-1.md");
    assert_eq!(
        stdout(&o),
        format!(
            "{p}:3:23 http://a.test/x\n{p}:4:5 https://b.test/y\n",
            p = path.display()
        )
    );
    let o = run(linkrot()
        .args(["links", "--format", "json"])
        .arg(dir.path()));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["issue_date"], "2015-10-25");
    assert_eq!(v[1]["kind"], "bare");
}

#[test]
fn exclude_path_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("drafts")).unwrap();
    std::fs::write(dir.path().join("drafts/d.md"), "http://draft.test/\n").unwrap();
    std::fs::write(dir.path().join("a.md"), "http://kept.test/\n").unwrap();
    let o = run(linkrot()
        .arg("links")
        .arg(dir.path())
        .args(["--exclude-path", "**/drafts"]));
    assert!(stdout(&o).contains("kept.test") && !stdout(&o).contains("draft.test"));

    let mut child = linkrot()
        .args(["links", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"line\n[x](http://stdin.test/)\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(stdout(&o), "<stdin>:2:5 http://stdin.test/\n");
}

#[test]
fn unreadable_inputs_are_named_and_the_rest_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.md"), "http://fine.test/\n").unwrap();
    let o = run(linkrot()
        .arg("links")
        .arg(dir.path())
        .arg(dir.path().join("missing.md")));
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("fine.test"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.md"));
}

#[test]
fn usage_errors_exit_3() {
    assert_eq!(run(linkrot().arg("check")).status.code(), Some(3));
    assert_eq!(
        run(linkrot().args(["check", "x", "--exclude", "("]))
            .status
            .code(),
        Some(3)
    );
    assert_eq!(run(linkrot().args(["nonsense"])).status.code(), Some(3));
    assert_eq!(run(linkrot().arg("--help")).status.code(), Some(0));
}

/// A whole run: issues on disk, a local site, the JSON report, the database.
#[tokio::test]
async fn check_writes_the_json_report_and_the_database_and_exits_2_on_broken_links() {
    let s = Server::start(&[
        ("/ok", Behave::Status(200)),
        ("/old", Behave::Redirect(301, "/ok".into())),
        ("/gone", Behave::Status(404)),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let issue = format!(
        "---\ntitle: Issue 1\ndate: 2015-10-25\n---\n[a]({ok}#top) and [b]({ok}#bottom)\n<br>[{old}]({old})\n\nDead: {gone}\nmail <x@y.test>\n",
        ok = s.url("/ok"),
        old = s.url("/old"),
        gone = s.url("/gone")
    );
    let path = dir.path().join("issue.md");
    std::fs::write(&path, issue).unwrap();
    let db = dir.path().join("links.db");
    let out = dir.path().join("report.json");
    let mut cmd = linkrot();
    cmd.arg("check")
        .arg(&path)
        .arg("--db")
        .arg(&db)
        .args(["--format", "json", "--output"])
        .arg(&out);
    let o = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let bytes = std::fs::read(&out).unwrap();
    crate::formats::assert_valid_report(&bytes);
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["version"], 1);
    let s_ = &v["summary"];
    assert_eq!(
        (
            s_["ok"].as_u64(),
            s_["redirected"].as_u64(),
            s_["broken"].as_u64(),
            s_["unsupported"].as_u64()
        ),
        (Some(2), Some(1), Some(1), Some(1))
    );
    let links = v["links"].as_array().unwrap();
    let by_url = |u: &str| {
        links
            .iter()
            .find(|l| l["url"] == u)
            .unwrap_or_else(|| panic!("{u}"))
    };
    let gone = by_url(&s.url("/gone"));
    assert_eq!(gone["status"], "broken");
    assert_eq!(gone["http_status"], 404);
    assert_eq!(gone["archive"], serde_json::Value::Null);
    let occ = &gone["occurrences"][0];
    assert_eq!(
        (
            occ["line"].as_u64(),
            occ["column"].as_u64(),
            occ["issue_date"].as_str()
        ),
        (Some(8), Some(7), Some("2015-10-25"))
    );
    let old = by_url(&s.url("/old"));
    assert_eq!(old["status"], "redirected");
    assert_eq!(old["final_url"], s.url("/ok"));
    assert_eq!(old["redirects"][0]["status"], 301);
    // Two spellings of one page (fragments differ): two entries, one request.
    assert_eq!(by_url(&format!("{}#top", s.url("/ok")))["status"], "ok");
    let mut methods = s.methods("/ok");
    methods.sort();
    assert_eq!(
        methods,
        ["GET", "HEAD", "HEAD"],
        "/ok#top and /ok#bottom: one HEAD, one GET for their anchors; one HEAD as the redirect's target"
    );

    // The database holds the run, the issue and every check.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let one = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("SELECT count(*) FROM runs WHERE state = 'finished'"), 1);
    assert_eq!(one("SELECT count(*) FROM checks"), 5);
    assert_eq!(one("SELECT count(*) FROM occurrences"), 5);
    assert_eq!(one("SELECT strikes FROM urls WHERE url LIKE '%/gone'"), 1);
    assert_eq!(
        one("SELECT count(*) FROM urls WHERE last_ok IS NOT NULL"),
        3
    );
    let chain: String = conn.query_row("SELECT redirects FROM checks c JOIN urls u ON u.id = c.url_id WHERE u.url LIKE '%/old'", [], |r| r.get(0)).unwrap();
    assert!(chain.contains("301"));
}

#[tokio::test]
async fn a_second_run_adds_history_and_keeps_the_schema() {
    let s = Server::start(&[("/gone", Behave::Status(404))]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.md");
    std::fs::write(&path, format!("{}\n", s.url("/gone"))).unwrap();
    let db = dir.path().join("links.db");
    for _ in 0..2 {
        let mut cmd = linkrot();
        cmd.arg("check")
            .arg(&path)
            .arg("--db")
            .arg(&db)
            .args(["-q", "--max-age", "0"]);
        let o = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains(&format!(
                "{}:1:1: broken (404) {}",
                path.display(),
                s.url("/gone")
            )),
            "{text}"
        );
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (strikes, checks, version): (i64, i64, i64) = conn
        .query_row("SELECT (SELECT strikes FROM urls), (SELECT count(*) FROM checks), (SELECT user_version FROM pragma_user_version)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    assert_eq!(
        (strikes, checks, version),
        (2, 2, linkrot::store::SCHEMA_VERSION as i64)
    );
}

#[test]
fn a_database_from_a_newer_linkrot_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    std::fs::write(dir.path().join("a.md"), "nothing\n").unwrap();
    let o = run(linkrot()
        .arg("check")
        .arg(dir.path().join("a.md"))
        .arg("--db")
        .arg(&db));
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("newer than this linkrot"));
}

#[tokio::test]
async fn a_run_killed_halfway_keeps_every_completed_check() {
    let paths: Vec<String> = (0..20).map(|i| format!("/fast{i}")).collect();
    let mut routes: Vec<(&str, Behave)> = paths
        .iter()
        .map(|p| (p.as_str(), Behave::Status(200)))
        .collect();
    routes.push(("/hang", Behave::Hang));
    let s = Server::start(&routes).await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    let body: String = paths
        .iter()
        .chain(std::iter::once(&"/hang".to_string()))
        .map(|p| format!("{}\n\n", s.url(p)))
        .collect();
    std::fs::write(&issue, body).unwrap();
    let db = dir.path().join("links.db");
    let mut child = linkrot()
        .arg("check")
        .arg(&issue)
        .arg("--db")
        .arg(&db)
        .args(["--timeout", "60", "-q"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the 20 fast verdicts are committed, then kill without warning.
    let count = |db: &std::path::Path| -> i64 {
        rusqlite::Connection::open(db)
            .and_then(|c| c.query_row("SELECT count(*) FROM checks", [], |r| r.get(0)))
            .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while count(&db) < 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "checks never reached the database"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let fast: i64 = conn
        .query_row("SELECT count(*) FROM checks c JOIN urls u ON u.id = c.url_id WHERE u.url LIKE '%/fast%' AND c.status = 'ok'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fast, 20);
    let state: String = conn
        .query_row("SELECT state FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(state, "running", "the killed run is not marked finished");
    drop(conn);

    // The rerun continues: what was checked is fresh and reused; only the rest is asked.
    let before = s.all_hits().len();
    let (issue2, db2) = (issue.clone(), db.clone());
    let o = tokio::task::spawn_blocking(move || {
        linkrot()
            .arg("check")
            .arg(&issue2)
            .arg("--db")
            .arg(&db2)
            .args(["--timeout", "0.5", "-q", "--format", "json"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["summary"]["reused"],
        20,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let asked: Vec<String> = s.all_hits()[before..]
        .iter()
        .map(|h| h.path.clone())
        .collect();
    assert_eq!(
        asked,
        vec!["/hang"],
        "only the unfinished URL is requested again"
    );
}

#[test]
fn symlinked_issues_in_a_folder_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::write(real.join("a.md"), "http://linked.test/\n").unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::os::unix::fs::symlink(real.join("a.md"), tree.join("a.md")).unwrap();
    let o = run(linkrot().arg("links").arg(&tree));
    assert!(stdout(&o).contains("linked.test"), "{o:?}");
}

#[test]
fn an_unreadable_entry_in_a_folder_is_named_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "http://fine.test/\n").unwrap();
    // Root reads any file, so a link to nowhere stands in for an unreadable entry.
    std::os::unix::fs::symlink(dir.path().join("gone.md"), dir.path().join("b.md")).unwrap();
    let o = run(linkrot().arg("links").arg(dir.path()));
    assert_eq!(o.status.code(), Some(1), "an input was not read");
    assert!(stdout(&o).contains("fine.test"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("b.md") && err.contains("cannot"), "{err}");
}

/// The sample issues link to the real web: a test that reads them sends
/// every request to a local proxy, never further.
#[tokio::test]
async fn the_sample_issues_are_checked_through_a_local_proxy_and_nothing_leaves() {
    let handler: crate::kit::Handler = std::sync::Arc::new(|req: &crate::kit::Request| {
        // Tunnels (https) are refused; plain http is answered here.
        Some(if req.method == "CONNECT" {
            (403, vec![], b"no tunnels".to_vec())
        } else {
            (200, vec![], b"<html><body>ok</body></html>".to_vec())
        })
    });
    let proxy = Server::start_handler(handler).await;
    let data = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = linkrot();
    cmd.arg("check")
        .arg(&data)
        .arg("--db")
        .arg(dir.path().join("l.db"))
        .args(["-q", "--format", "json", "--no-soft-404"])
        .env("http_proxy", proxy.url(""))
        .env("https_proxy", proxy.url(""));
    let o = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&o.stderr)));
    crate::formats::assert_valid_report(&o.stdout);
    let links = v["links"].as_array().unwrap();
    let hits = proxy.all_hits();
    for l in links {
        let url = l["url"].as_str().unwrap();
        if !url.starts_with("http") {
            assert_eq!(l["status"], "unsupported", "{url}");
            continue;
        }
        let host = reqwest::Url::parse(url)
            .unwrap()
            .host_str()
            .unwrap()
            .to_string();
        assert!(
            hits.iter().any(|h| h.host.starts_with(&host)),
            "{url} did not go through the proxy"
        );
        let error = l["error"].as_str().unwrap_or("");
        assert!(!error.contains("dns error"), "{url} was resolved: {error}");
    }
    assert!(links.len() >= 15, "{v}");
    assert_eq!(
        v["summary"]["ok"], 2,
        "the http:// links, answered by the proxy"
    );
}
