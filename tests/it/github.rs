//! GitHub links and the GitHub API: with a token, a link github.com will
//! not answer for (429, or 404 for a private repository) is judged by what
//! the API says of the resource, against a local fake of both; the fake's
//! web host is `github.test`, configured as github.com's stand-in
//! (`--github-host`).

use crate::kit::{check_all, linkrot, test_config, Reply, Request, Server, Settings};
use linkrot::check::{GithubApi, Status};
use linkrot::secret::Secret;
use std::sync::Arc;

/// The host and path of a request, whether it came to the server directly
/// or through it as a proxy.
fn host_path(r: &Request) -> (String, String) {
    match r.target.split_once("://") {
        Some((_, rest)) => {
            let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
            (host.to_string(), format!("/{path}"))
        }
        None => (
            r.headers.get("host").cloned().unwrap_or_default(),
            r.target.clone(),
        ),
    }
}

fn json(body: &str) -> Reply {
    (
        200,
        vec![("Content-Type".into(), "application/json".into())],
        body.as_bytes().to_vec(),
    )
}

/// github.test (reached through the server as a proxy) answers 429 to
/// everything but `/o/private` (404, as for a private repository) and
/// `/features` (404); the API under `/api` knows `o/widget`, `o/private`,
/// issue 7 of `o/old` (moved to `o/new`), and nothing else. A request to
/// the API without the token is answered 401.
async fn github() -> Server {
    Server::start_handler(Arc::new(|r: &Request| {
        let (host, path) = host_path(r);
        if host == "github.test" {
            return Some(match path.as_str() {
                "/o/private" | "/features" => (404, vec![], b"Not Found".to_vec()),
                _ => (429, vec![], b"Too many requests".to_vec()),
            });
        }
        let Some(api) = path.strip_prefix("/api") else {
            return Some((404, vec![], vec![]));
        };
        if r.headers.get("authorization").map(String::as_str) != Some("Bearer s3cret") {
            return Some((401, vec![], b"{\"message\":\"Bad credentials\"}".to_vec()));
        }
        Some(match api {
            "/repos/o/widget" => json(r#"{"html_url":"https://github.test/o/widget"}"#),
            "/repos/o/private" => json(r#"{"html_url":"https://github.test/o/private"}"#),
            "/repos/o/old/issues/7" => (
                301,
                vec![("Location".into(), "/api/repositories/42/issues/7".into())],
                vec![],
            ),
            "/repositories/42/issues/7" => {
                json(r#"{"html_url":"https://github.test/o/new/issues/7"}"#)
            }
            _ => (404, vec![], b"{\"message\":\"Not Found\"}".to_vec()),
        })
    }))
    .await
}

fn settings(s: &Server, token: Option<&str>) -> Settings {
    let mut c = test_config();
    c.net.proxy = s.as_proxy();
    c.net.retry.retries = 1;
    c.check.github = token.map(|t| GithubApi {
        api_url: s.url("/api"),
        token: Secret::new(t, "test"),
        hosts: vec!["github.test".into()],
    });
    c
}

fn urls(paths: &[&str]) -> Vec<String> {
    paths
        .iter()
        .map(|p| format!("http://github.test{p}"))
        .collect()
}

#[tokio::test]
async fn with_a_token_the_api_says_whether_a_refused_github_link_exists() {
    let s = github().await;
    let links = urls(&[
        "/o/widget",
        "/o/gone",
        "/o/private",
        "/o/old/issues/7",
        "/features",
    ]);
    let r = check_all(&links, settings(&s, Some("s3cret"))).await;

    assert_eq!(r[0].status, Status::Ok, "{:?}", r[0]);
    assert!(r[0]
        .error
        .as_deref()
        .unwrap()
        .contains("GitHub API found it"));
    assert_eq!(r[1].status, Status::Broken, "{:?}", r[1]);
    assert_eq!(r[1].http_status, Some(404), "the API's answer, not the 429");
    let why = r[1].error.as_deref().unwrap();
    assert!(why.starts_with("github.test answered 429"), "{why}");
    assert_eq!(
        r[2].status,
        Status::Ok,
        "a private repository the token can see: {:?}",
        r[2]
    );
    // A renamed repository: the API's redirect is followed, and the link
    // is reported as moved to where the resource now lives.
    assert_eq!(r[3].status, Status::Redirected, "{:?}", r[3]);
    assert_eq!(
        r[3].final_url.as_deref(),
        Some("https://github.test/o/new/issues/7")
    );
    // github.test's own pages have no API resource: its answer stands.
    assert_eq!(r[4].status, Status::Broken);
    assert_eq!(r[4].http_status, Some(404));

    let api: Vec<_> = s
        .all_hits()
        .into_iter()
        .filter(|h| h.path.contains("/api/"))
        .collect();
    let asked: Vec<&str> = api.iter().map(|h| h.path.as_str()).collect();
    assert!(!asked.iter().any(|p| p.contains("features")), "{asked:?}");
    assert!(api
        .iter()
        .all(
            |h| h.headers.get("authorization").map(String::as_str) == Some("Bearer s3cret")
                && h.headers.get("accept").map(String::as_str)
                    == Some("application/vnd.github+json")
        ));
}

#[tokio::test]
async fn without_a_token_or_with_a_refused_one_github_com_answers_alone() {
    let s = github().await;
    let links = urls(&["/o/widget"]);
    let r = check_all(&links, settings(&s, None)).await;
    assert_eq!(r[0].http_status, Some(429));
    assert!(s.all_hits().iter().all(|h| !h.path.contains("/api/")));

    let r = check_all(&links, settings(&s, Some("wrong"))).await;
    assert_eq!(r[0].status, Status::Broken);
    assert_eq!(
        r[0].http_status,
        Some(429),
        "a refused token proves nothing"
    );
    let why = r[0].error.as_deref().unwrap();
    assert!(why.contains("token was refused"), "{why}");
    assert!(!why.contains("wrong"), "the token never shows: {why}");
}

/// The binary: `GITHUB_TOKEN`, `--github-api-url` and `--github-host` reach the check, and
/// the token is in no report.
#[tokio::test]
async fn the_binary_takes_the_token_from_the_environment_and_never_reports_it() {
    let s = github().await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("issue.md");
    std::fs::write(
        &issue,
        "[w](http://github.test/o/widget) and [g](http://github.test/o/gone)\n",
    )
    .unwrap();
    let proxy = s.url("");
    let api = s.url("/api");
    let (issue, db, out) = (
        issue.clone(),
        dir.path().join("l.db"),
        dir.path().join("r.json"),
    );
    let o = tokio::task::spawn_blocking(move || {
        linkrot()
            .arg("check")
            .arg(&issue)
            .arg("--db")
            .arg(&db)
            .args(["--format", "json", "--output"])
            .arg(&out)
            .args(["--github-api-url", &api, "--retries", "1"])
            .args(["--github-host", "github.test"])
            .env("http_proxy", &proxy)
            .env("GITHUB_TOKEN", "s3cret")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "one broken link: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    assert!(!report.contains("s3cret"));
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    let status_of = |u: &str| {
        v["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["url"] == u)
            .map(|l| l["status"].as_str().unwrap().to_string())
    };
    assert_eq!(
        status_of("http://github.test/o/widget").as_deref(),
        Some("ok")
    );
    assert_eq!(
        status_of("http://github.test/o/gone").as_deref(),
        Some("broken")
    );
}
