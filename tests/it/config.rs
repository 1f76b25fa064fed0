//! Configuration from the outside: linkrot.toml and --config files,
//! precedence, unknown keys, .linkrotignore, per-host tables seen by a
//! local server, ${VAR} never leaked, and the flags lychee users expect
//! (--header, --remap, --offline, --insecure, --github-token).

use crate::kit::{linkrot, Behave, Server, TestCa};
use std::path::Path;
use std::process::{Command, Output};

fn output(mut cmd: Command) -> Output {
    cmd.output().expect("run linkrot")
}

async fn run(cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || output(cmd))
        .await
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `linkrot` run in `dir` (where its linkrot.toml is).
fn linkrot_in(dir: &Path) -> Command {
    let mut cmd = linkrot();
    cmd.current_dir(dir);
    cmd
}

/// `key = value  # origin` of `linkrot config`, for `key`.
fn shown(config: &str, key: &str) -> (String, String) {
    let line = config
        .lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in\n{config}"));
    let (kv, origin) = line.rsplit_once("# ").unwrap();
    let value = kv[key.len() + 3..].trim().to_string();
    (value, origin.trim().to_string())
}

#[test]
fn flags_win_over_the_environment_over_later_files_over_earlier_ones_over_defaults() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("base.toml"),
        "max-per-host = 4\nretries = 5\ntimeout = 3\ndb = \"base.db\"\nexclude = [\"^https://a\\\\.\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("ci.toml"),
        "\n\nretries = 1\ndb = \"ci.db\"\nexclude = \"^https://b\\\\.\"\n",
    )
    .unwrap();
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["config", "--config", "base.toml", "--config", "ci.toml"])
        .args(["--timeout", "7", "--exclude", "^https://c\\."])
        .env("LINKROT_DB", "env.db");
    let o = output(cmd);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(
        shown(&out, "max-per-host"),
        ("4".into(), "base.toml:1".into())
    );
    assert_eq!(shown(&out, "retries"), ("1".into(), "ci.toml:3".into()));
    assert_eq!(
        shown(&out, "timeout"),
        ("7".into(), "flag --timeout".into())
    );
    assert_eq!(
        shown(&out, "db"),
        ("\"env.db\"".into(), "environment $LINKROT_DB".into())
    );
    assert_eq!(
        shown(&out, "max-redirects"),
        ("10".into(), "default".into())
    );
    // Lists add up: every file's entries, then the flags'.
    let excludes: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("exclude = ["))
        .skip(1)
        .take_while(|l| *l != "]")
        .collect();
    assert_eq!(excludes.len(), 3, "{out}");
    assert!(excludes[0].contains("base.toml:5") && excludes[1].contains("ci.toml:5"));
    assert!(excludes[2].contains("flag --exclude"));

    // A flag beats the environment too.
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["config", "--config", "ci.toml", "--db", "flag.db"])
        .env("LINKROT_DB", "env.db");
    let out = text(&output(cmd).stdout);
    assert_eq!(
        shown(&out, "db"),
        ("\"flag.db\"".into(), "flag --db".into())
    );
}

#[test]
fn linkrot_toml_in_the_current_folder_is_read_unless_no_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("linkrot.toml"), "max-per-host = 3\n").unwrap();
    let mut cmd = linkrot_in(dir.path());
    cmd.arg("config");
    let out = text(&output(cmd).stdout);
    assert_eq!(
        shown(&out, "max-per-host"),
        ("3".into(), "linkrot.toml:1".into())
    );
    assert!(out.contains("# Read: linkrot.toml"), "{out}");
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["config", "--no-config"]);
    let out = text(&output(cmd).stdout);
    assert_eq!(shown(&out, "max-per-host"), ("6".into(), "default".into()));
    // A --config file that is not there is an error, not a silent default.
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["config", "--config", "missing.toml"]);
    let o = output(cmd);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr).contains("missing.toml"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn unknown_keys_name_the_file_and_line_with_the_near_miss_and_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("linkrot.toml"),
        "# linkrot settings\nmax-per-hots = 4\nmax_age_ok = \"7d\"\ncolour = \"red\"\nformat = \"json\"\n\n[hosts.\"github.com\"]\nrequest-intervall = \"1s\"\nmax-per-host = \"many\"\n",
    )
    .unwrap();
    for args in [
        &["config"][..],
        &["check", "x.md"][..],
        &["links", "x.md"][..],
    ] {
        let mut cmd = linkrot_in(dir.path());
        cmd.args(args);
        let o = output(cmd);
        assert_eq!(o.status.code(), Some(3), "{args:?}");
        let err = text(&o.stderr);
        for expected in [
            "linkrot.toml:2: unknown key `max-per-hots`; did you mean `max-per-host`?",
            "linkrot.toml:3: unknown key `max_age_ok`; did you mean `max-age-ok`?",
            "linkrot.toml:4: unknown key `colour`; `linkrot config` lists the settings",
            "linkrot.toml:5: `format` is not a setting a file can hold; pass --format on the command line",
            "linkrot.toml:8: unknown key `request-intervall` in [hosts.\"github.com\"]; did you mean `request-interval`?",
            "linkrot.toml:9: hosts.\"github.com\".max-per-host: 'many' is not a whole number",
        ] {
            assert!(err.contains(expected), "{args:?}: no {expected:?} in\n{err}");
        }
    }
    std::fs::write(dir.path().join("linkrot.toml"), "accept = [200,\n").unwrap();
    let mut cmd = linkrot_in(dir.path());
    cmd.arg("config");
    let o = output(cmd);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr).contains("linkrot.toml:"),
        "{}",
        text(&o.stderr)
    );
}

#[tokio::test]
async fn linkrotignore_next_to_the_config_excludes_one_regex_a_line() {
    let s = Server::start(&[
        ("/kept", Behave::Status(200)),
        ("/ads", Behave::Status(200)),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("conf");
    std::fs::create_dir(&conf).unwrap();
    std::fs::write(conf.join("linkrot.toml"), "max-age = \"0\"\n").unwrap();
    std::fs::write(
        conf.join(".linkrotignore"),
        "# ads and trackers\n\n   # indented comment\n/ads$\n",
    )
    .unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{}\n\n{}\n", s.url("/kept"), s.url("/ads"))).unwrap();
    let mut cmd = linkrot_in(dir.path());
    cmd.args([
        "check",
        "--config",
        "conf/linkrot.toml",
        "--format",
        "json",
        "-q",
    ])
    .arg(&issue)
    .arg("--db")
    .arg(dir.path().join("l.db"));
    let o = run(cmd).await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["excluded"], 1);
    assert_eq!((s.hits("/kept"), s.hits("/ads")), (1, 0));

    std::fs::write(conf.join(".linkrotignore"), "ok\n(unclosed\n").unwrap();
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["config", "--config", "conf/linkrot.toml"]);
    let o = output(cmd);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr).contains("conf/.linkrotignore:2: invalid regex '(unclosed'"),
        "{}",
        text(&o.stderr)
    );
}

/// Two hosts on one local server, told apart by name (pinned with --resolve).
fn two_hosts(s: &Server) -> [String; 2] {
    let port = s.addr.port();
    [
        format!("a.test:{port}:127.0.0.1"),
        format!("b.test:{port}:127.0.0.1"),
    ]
}

#[tokio::test]
async fn a_hosts_headers_user_agent_and_accept_reach_that_host_only() {
    // b.test on one server, a.test on another; a.test's /a-to-b sends
    // readers to b.test: that hop is b.test's request, with b.test's headers.
    let b = Server::start(&[("/b", Behave::Status(403)), ("/ok", Behave::Status(200))]).await;
    let b_port = b.addr.port();
    let a = Server::start(&[
        ("/a", Behave::Status(200)),
        ("/forbidden", Behave::Status(403)),
        (
            "/a-to-b",
            Behave::Redirect(302, format!("http://b.test:{b_port}/ok")),
        ),
    ])
    .await;
    let port = a.addr.port();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("linkrot.toml"),
"header = { X-Everyone = \"hello\" }\n\n[hosts.\"a.test\"]\nheaders = { Authorization = \"Bearer ${A_TOKEN}\" }\nuser-agent = \"curl/8.7.1\"\naccept = \"200..=299,403\"\nmax-per-host = 1\n\n[hosts.\"b.test\"]\nrequest-interval = \"10ms\"\n",
    )
    .unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(
        &issue,
        format!(
            "http://a.test:{port}/a\n\nhttp://a.test:{port}/forbidden\n\nhttp://b.test:{b_port}/b\n\nhttp://a.test:{port}/a-to-b\n"
        ),
    )
    .unwrap();
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["check", "--format", "json", "-q", "--no-soft-404"])
        .arg(&issue)
        .arg("--db")
        .arg(dir.path().join("l.db"))
        .env("A_TOKEN", "tok-123")
        .args(["--resolve", &format!("a.test:{port}:127.0.0.1")])
        .args(["--resolve", &format!("b.test:{b_port}:127.0.0.1")]);
    let o = run(cmd).await;
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o.stderr)));
    let status = |path: &str| {
        v["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["url"].as_str().unwrap().ends_with(path))
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("/forbidden"), "ok", "a.test accepts 403");
    assert_eq!(status("/b"), "broken", "b.test does not");
    assert_eq!(status("/a-to-b"), "redirected");
    let (on_a, on_b) = (a.all_hits(), b.all_hits());
    assert!(!on_a.is_empty() && on_b.len() >= 2, "{on_b:?}");
    for hit in on_a.iter().chain(&on_b) {
        let on_a = hit.host.starts_with("a.test");
        let h = &hit.headers;
        assert_eq!(
            h.get("x-everyone").map(String::as_str),
            Some("hello"),
            "{hit:?}"
        );
        assert_eq!(
            h.get("authorization").map(String::as_str),
            on_a.then_some("Bearer tok-123"),
            "only a.test gets its header, a redirect to b.test does not: {hit:?}"
        );
        let ua = h.get("user-agent").unwrap();
        assert_eq!(on_a, ua == "curl/8.7.1", "{hit:?}");
    }
}

#[tokio::test]
async fn a_hosts_max_per_host_timeout_and_request_interval_are_kept() {
    let mut routes: Vec<(String, Behave)> = (0..6)
        .map(|i| (format!("/slow{i}"), Behave::Slow(150)))
        .collect();
    routes.push(("/hang".into(), Behave::Hang));
    routes.extend((0..4).map(|i| (format!("/spaced{i}"), Behave::Status(200))));
    let refs: Vec<(&str, Behave)> = routes
        .iter()
        .map(|(p, b)| (p.as_str(), b.clone()))
        .collect();
    let s = Server::start(&refs).await;
    let port = s.addr.port();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("linkrot.toml"),
        "max-per-host = 6\ntimeout = 30\n\n[hosts.\"a.test\"]\nmax-per-host = 1\ntimeout = 0.3\n\n[hosts.\"b.test\"]\nrequest-interval = \"200ms\"\n",
    )
    .unwrap();
    let mut body = String::new();
    for i in 0..6 {
        body.push_str(&format!("http://a.test:{port}/slow{i}\n\n"));
    }
    body.push_str(&format!("http://a.test:{port}/hang\n\n"));
    for i in 0..4 {
        body.push_str(&format!("http://b.test:{port}/spaced{i}\n\n"));
    }
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, body).unwrap();
    let mut cmd = linkrot_in(dir.path());
    cmd.args([
        "check",
        "--format",
        "json",
        "-q",
        "--no-soft-404",
        "--retries",
        "0",
    ])
    .arg(&issue)
    .arg("--db")
    .arg(dir.path().join("l.db"));
    for r in two_hosts(&s) {
        cmd.args(["--resolve", &r]);
    }
    let o = run(cmd).await;
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o.stderr)));
    assert_eq!(s.peak_concurrency(), 1, "a.test: one request at a time");
    let hang = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["url"].as_str().unwrap().ends_with("/hang"))
        .unwrap();
    assert_eq!(hang["status"], "timeout", "a.test's own timeout");
    // b.test's requests start at least its interval apart, as the server
    // sees them arrive: each late or early by how busy the machine is, so
    // every gap is at least half the interval (none sent together), and
    // the first and last are the whole intervals apart, within 50 ms.
    let starts: Vec<std::time::Instant> = s
        .all_hits()
        .iter()
        .filter(|h| h.host.starts_with("b.test"))
        .map(|h| h.at)
        .collect();
    assert!(starts.len() >= 4, "{starts:?}");
    let ms = std::time::Duration::from_millis;
    let gaps: Vec<_> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.iter().all(|&g| g >= ms(100)), "{gaps:?}");
    let span = starts[starts.len() - 1] - starts[0];
    let intervals = u32::try_from(gaps.len()).unwrap();
    assert!(span >= ms(200) * intervals - ms(50), "{span:?}: {gaps:?}");
}

/// A value read through `${VAR}` reaches the server it is meant for and
/// nothing else: not stdout, stderr (with -vv logs), the JSON report,
/// `linkrot config`, or the database's bytes.
#[tokio::test]
async fn a_header_value_from_the_environment_is_sent_and_never_shown_or_stored() {
    const SECRET: &str = "s3cr3t-7f1e9a";
    let s = Server::start(&[
        ("/page", Behave::Status(200)),
        ("/gone", Behave::Status(404)),
    ])
    .await;
    let port = s.addr.port();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("linkrot.toml"),
        "[hosts.\"a.test\"]\nheaders = { Authorization = \"Bearer ${API_TOKEN}\", X-Key = \"${API_TOKEN}\" }\n",
    )
    .unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(
        &issue,
        format!("http://a.test:{port}/page\n\nhttp://a.test:{port}/gone\n"),
    )
    .unwrap();
    let db = dir.path().join("l.db");
    let report = dir.path().join("report.json");
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["check", "-vv", "--format", "json", "--output"])
        .arg(&report)
        .arg(&issue)
        .arg("--db")
        .arg(&db)
        .args(["--resolve", &format!("a.test:{port}:127.0.0.1")])
        .env("API_TOKEN", SECRET)
        .env("GITHUB_TOKEN", "ghp_secret_too");
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let hits = s.all_hits();
    assert!(hits
        .iter()
        .any(|h| h.headers.get("x-key").map(String::as_str) == Some(SECRET)));
    let stderr = text(&o.stderr);
    assert!(
        stderr.contains("response"),
        "-vv logs each request: {stderr}"
    );

    let mut cmd = linkrot_in(dir.path());
    cmd.arg("config")
        .env("API_TOKEN", SECRET)
        .env("GITHUB_TOKEN", "ghp_secret_too");
    let config = output(cmd);
    let shown = text(&config.stdout);
    assert!(
        shown.contains("headers.X-Key = \"<from $API_TOKEN>\""),
        "{shown}"
    );
    assert!(
        shown.contains("github-token = <from $GITHUB_TOKEN>"),
        "{shown}"
    );

    let mut places: Vec<(String, Vec<u8>)> = vec![
        ("stdout".into(), o.stdout.clone()),
        ("stderr".into(), o.stderr.clone()),
        ("config".into(), config.stdout.clone()),
        ("config stderr".into(), config.stderr.clone()),
        ("report".into(), std::fs::read(&report).unwrap()),
    ];
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("l.db") {
            places.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    for (what, bytes) in places {
        for secret in [SECRET, "ghp_secret_too"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} leaked into {what}"
            );
        }
    }
}

#[tokio::test]
async fn header_flag_goes_with_every_request_and_an_unset_variable_is_an_error() {
    let s = Server::start(&[("/x", Behave::Status(200))]).await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{}\n", s.url("/x"))).unwrap();
    let mut cmd = linkrot_in(dir.path());
    cmd.args([
        "check",
        "-q",
        "-H",
        "Accept-Language: en",
        "--header",
        "X-Api: ${KEY}",
    ])
    .arg(&issue)
    .arg("--db")
    .arg(dir.path().join("l.db"))
    .env("KEY", "k1");
    let o = run(cmd).await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let h = &s.all_hits()[0].headers;
    assert_eq!(h.get("accept-language").map(String::as_str), Some("en"));
    assert_eq!(h.get("x-api").map(String::as_str), Some("k1"));

    let mut cmd = linkrot_in(dir.path());
    cmd.args(["check", "-q", "--header", "X-Api: ${NOT_SET_ANYWHERE}"])
        .arg(&issue);
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr).contains("--header X-Api: uses ${NOT_SET_ANYWHERE}, which is not set"),
        "{}",
        text(&o.stderr)
    );
}

#[tokio::test]
async fn remap_checks_the_rewritten_url_and_the_report_shows_both() {
    let s = Server::start(&[
        ("/docs/start", Behave::Status(200)),
        ("/docs/gone", Behave::Status(404)),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(
        &issue,
        "https://docs.example.invalid/start\n\nhttps://docs.example.invalid/gone\n",
    )
    .unwrap();
    let db = dir.path().join("l.db");
    let remap = format!(
        "^https://docs\\.example\\.invalid/(.*) {}",
        s.url("/docs/$1")
    );
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["check", "-q", "--remap", &remap, "--no-soft-404"])
        .arg(&issue)
        .arg("--db")
        .arg(&db);
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains(&format!(
            ":3:1: broken (404) https://docs.example.invalid/gone\n    remapped to {}",
            s.url("/docs/gone")
        )),
        "{out}"
    );
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["report", "--format", "json", "--db"]).arg(&db);
    let stdout = output(cmd).stdout;
    crate::formats::assert_valid_report(&stdout);
    let v: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let start = &v["links"][1];
    assert_eq!(start["url"], "https://docs.example.invalid/start");
    assert_eq!(start["remapped"], s.url("/docs/start"));
    assert_eq!(start["status"], "ok");
}

#[tokio::test]
async fn offline_sends_nothing_and_keeps_every_last_result() {
    let s = Server::start(&[("/ok", Behave::Status(200)), ("/gone", Behave::Status(404))]).await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{}\n\n{}\n", s.url("/ok"), s.url("/gone"))).unwrap();
    let db = dir.path().join("l.db");
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["check", "-q"]).arg(&issue).arg("--db").arg(&db);
    assert_eq!(run(cmd).await.status.code(), Some(2));
    let before = s.all_hits().len();
    // A new link, an old one, a web page: none is requested.
    std::fs::write(
        &issue,
        format!(
            "{}\n\n{}\n\n{}\n",
            s.url("/ok"),
            s.url("/gone"),
            s.url("/new")
        ),
    )
    .unwrap();
    let mut cmd = linkrot_in(dir.path());
    cmd.args([
        "check",
        "-q",
        "--offline",
        "--max-age",
        "0",
        "--archive",
        "--format",
        "json",
    ])
    .arg(&issue)
    .arg(s.url("/page.html"))
    .arg("--db")
    .arg(&db);
    let o = run(cmd).await;
    assert_eq!(s.all_hits().len(), before, "no request at all");
    assert_eq!(
        o.status.code(),
        Some(2),
        "the known broken link still fails"
    );
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let by = |p: &str| {
        v["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["url"] == s.url(p))
            .unwrap()
            .clone()
    };
    assert_eq!(
        (by("/ok")["status"].clone(), by("/ok")["reused"].clone()),
        ("ok".into(), true.into())
    );
    assert_eq!(by("/gone")["status"], "broken");
    assert_eq!(
        (by("/new")["status"].clone(), by("/new")["error"].clone()),
        ("excluded".into(), "offline".into())
    );
    assert!(
        v["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("offline"),
        "{v}"
    );
}

#[tokio::test]
async fn insecure_accepts_an_untrusted_certificate_and_says_so_once() {
    let ca = TestCa::new();
    let s = Server::start_tls(
        &[("/x", Behave::Status(200)), ("/y", Behave::Status(200))],
        &ca,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{}\n\n{}\n", s.url("/x"), s.url("/y"))).unwrap();
    let check = |extra: &'static [&'static str]| {
        let mut cmd = linkrot_in(dir.path());
        cmd.args(["check", "-q", "--max-age", "0", "--format", "json"])
            .args(extra)
            .arg(&issue)
            .arg("--db")
            .arg(dir.path().join("l.db"));
        run(cmd)
    };
    let o = check(&[]).await;
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["error"], 2, "untrusted without --insecure");
    let o = check(&["--insecure"]).await;
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["ok"], 2, "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stderr).matches("--insecure").count(),
        1,
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn the_accept_list_of_the_readme_is_taken_by_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["config", "--accept", "200..=299,403"]);
    let o = output(cmd);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        shown(&text(&o.stdout), "accept"),
        ("\"200..=299,403\"".into(), "flag --accept".into())
    );
}

#[test]
fn an_unset_variable_stops_only_the_commands_that_send_requests() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("linkrot.toml"),
        "[hosts.\"docs.test\"]\nheaders = { Authorization = \"Bearer ${DOCS_TOKEN_UNSET}\" }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("i.md"), "https://docs.test/a\n").unwrap();
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["links", "i.md"]);
    let o = output(cmd);
    assert!(
        o.status.success(),
        "links sends nothing: {}",
        text(&o.stderr)
    );
    let mut cmd = linkrot_in(dir.path());
    cmd.args(["check", "i.md", "--offline"]);
    let o = output(cmd);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr).contains("linkrot.toml:2: hosts.\"docs.test\".headers.Authorization: uses ${DOCS_TOKEN_UNSET}, which is not set"),
        "{}",
        text(&o.stderr)
    );
}
