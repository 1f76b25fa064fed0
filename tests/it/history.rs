//! History over runs: verdicts from a fake clock, freshness, budgets, CI
//! gating, the editor's draft check.

use crate::kit::{linkrot, test_config, Behave, Server};
use linkrot::history::{MaxAge, State};
use linkrot::source::SourceConfig;
use linkrot::store::Change;
use linkrot::{Clock, Config, HistoryConfig, Report};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

const DAY: i64 = 86_400;

/// A clock the test moves by hand.
struct FakeClock(AtomicI64);
impl Clock for FakeClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn config(dir: &Path, issue: &Path) -> Config {
    Config {
        sources: SourceConfig {
            inputs: vec![issue.display().to_string()],
            exclude_paths: vec![],
            stdin_format: linkrot::extract::Format::Markdown,
            base_url: None,
        },
        check: test_config().check,
        net: {
            let mut net = test_config().net;
            net.retry.retries = 0;
            net
        },
        db_path: dir.join("links.db"),
        history: HistoryConfig::default(),
        archive: None,
        crawl: linkrot::crawl::CrawlConfig::default(),
        lint: linkrot::lint::LintLevel::All,
        report_hold_at_most: linkrot::report::HOLD_AT_MOST,
        lint_hold_at_most: linkrot::run::LINT_HOLDS_AT_MOST,
    }
}

/// Runs `check` at `day` (days after an epoch in 2026).
async fn run_at(cfg: &Config, clock: &Arc<FakeClock>, day: f64) -> Report {
    clock
        .0
        .store(1_780_000_000 + (day * DAY as f64) as i64, Ordering::SeqCst);
    linkrot::run::check(cfg, Arc::new(linkrot::run::Quiet), clock.clone())
        .await
        .unwrap()
        .report
}

fn state_of(report: &Report, url: &str) -> Option<State> {
    report
        .links
        .to_vec()
        .unwrap()
        .iter()
        .find(|l| l.url == url)
        .unwrap()
        .state
}

#[tokio::test]
async fn three_nights_over_four_days_confirm_dead_and_three_in_a_day_do_not() {
    let s = Server::start(&[("/gone", Behave::Status(500))]).await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{}\n", s.url("/gone"))).unwrap();
    let cfg = config(dir.path(), &issue);
    let clock = Arc::new(FakeClock(AtomicI64::new(0)));
    let url = s.url("/gone");

    let r = run_at(&cfg, &clock, 0.0).await;
    assert_eq!(state_of(&r, &url), Some(State::Failing));
    assert_eq!(
        r.links.to_vec().unwrap()[0].change,
        Some(Change::NewlyBroken)
    );
    let r = run_at(&cfg, &clock, 1.5).await;
    assert_eq!(state_of(&r, &url), Some(State::Failing));
    assert_eq!(
        r.links.to_vec().unwrap()[0].change,
        None,
        "broken before, still broken"
    );
    let r = run_at(&cfg, &clock, 3.5).await;
    assert_eq!(state_of(&r, &url), Some(State::Dead));
    assert_eq!(r.links.to_vec().unwrap()[0].failures, 3);
    assert!(
        r.links.to_vec().unwrap()[0]
            .dead_since
            .as_deref()
            .unwrap()
            .starts_with("2026-05-28"),
        "{:?}",
        r.links.to_vec().unwrap()[0].dead_since
    );
    assert_eq!(s.hits("/gone"), 6, "HEAD and GET on each of three nights");

    // Three failures within one day stay "failing".
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{url}\n")).unwrap();
    let mut cfg = config(dir.path(), &issue);
    cfg.history.max_age = MaxAge {
        alive_secs: 0,
        failing_secs: 0,
    };
    for t in [0.0, 0.3, 0.6] {
        let r = run_at(&cfg, &clock, t).await;
        assert_eq!(state_of(&r, &url), Some(State::Failing), "at day {t}");
    }
}

#[tokio::test]
async fn fail_fail_ok_is_flaky() {
    // HEAD and GET both fail on the first two nights (500 is not retried), then it answers.
    let s = Server::start(&[(
        "/wobbly",
        Behave::Flaky {
            times: 4,
            status: 500,
        },
    )])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{}\n", s.url("/wobbly"))).unwrap();
    let cfg = config(dir.path(), &issue);
    let clock = Arc::new(FakeClock(AtomicI64::new(0)));
    for day in [0.0, 1.5] {
        run_at(&cfg, &clock, day).await;
    }
    let r = run_at(&cfg, &clock, 3.0).await;
    assert_eq!(state_of(&r, &s.url("/wobbly")), Some(State::Flaky));
    assert_eq!(r.links.to_vec().unwrap()[0].change, Some(Change::Recovered));
}

#[tokio::test]
async fn a_second_run_inside_the_freshness_window_sends_no_request() {
    let s = Server::start(&[
        ("/a", Behave::Status(200)),
        ("/b", Behave::Redirect(301, "/a".into())),
        ("/c", Behave::Status(404)),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(
        &issue,
        format!("{}\n\n{}\n\n{}\n", s.url("/a"), s.url("/b"), s.url("/c")),
    )
    .unwrap();
    let cfg = config(dir.path(), &issue);
    let clock = Arc::new(FakeClock(AtomicI64::new(0)));
    let first = run_at(&cfg, &clock, 0.0).await;
    let sent = s.all_hits().len();
    let second = run_at(&cfg, &clock, 0.5).await;
    assert_eq!(s.all_hits().len(), sent, "no request inside the window");
    assert_eq!(second.summary.reused, 3);
    assert_eq!(second.summary.requests, 0);
    let statuses = |r: &Report| {
        r.links
            .to_vec()
            .unwrap()
            .into_iter()
            .map(|l| (l.url, l.status, l.final_url))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        statuses(&first),
        statuses(&second),
        "reused results are the same results"
    );
    // After a day the failing one is stale; the alive ones are not.
    let third = run_at(&cfg, &clock, 1.5).await;
    assert_eq!(third.summary.reused, 2);
    assert_eq!(s.hits("/c"), 4);
}

#[tokio::test]
async fn a_request_budget_checks_the_stalest_first() {
    let paths: Vec<String> = (0..5).map(|i| format!("/p{i}")).collect();
    let routes: Vec<(&str, Behave)> = paths
        .iter()
        .map(|p| (p.as_str(), Behave::Status(200)))
        .collect();
    let s = Server::start(&routes).await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(
        &issue,
        paths
            .iter()
            .map(|p| format!("{}\n\n", s.url(p)))
            .collect::<String>(),
    )
    .unwrap();
    let mut cfg = config(dir.path(), &issue);
    cfg.history.max_requests = Some(2);
    let clock = Arc::new(FakeClock(AtomicI64::new(0)));
    let mut seen = std::collections::HashSet::new();
    for night in 0..3 {
        let r = run_at(&cfg, &clock, f64::from(night) * 8.0).await;
        assert_eq!(r.summary.requests, 2, "night {night}");
        // Probes of made-up paths aside.
        seen.extend(
            s.all_hits()
                .into_iter()
                .map(|h| h.path)
                .filter(|p| paths.contains(p)),
        );
    }
    assert_eq!(seen.len(), 5, "every URL checked within three nights");
    // Night 4: the two checked first (night 0) are the stalest again.
    let before: Vec<usize> = paths.iter().map(|p| s.hits(p)).collect();
    run_at(&cfg, &clock, 24.0).await;
    let again: Vec<&String> = paths
        .iter()
        .zip(&before)
        .filter(|(p, b)| s.hits(p) > **b)
        .map(|(p, _)| p)
        .collect();
    assert_eq!(again.len(), 2);
    assert!(
        before
            .iter()
            .zip(&paths)
            .filter(|(_, p)| again.contains(p))
            .all(|(b, _)| *b == 1),
        "{again:?} were among the first checked"
    );
}

fn run_cli_blocking(args: &[String], db: &Path, input: Option<&str>) -> std::process::Output {
    use std::io::Write;
    let mut cmd = linkrot();
    cmd.args(args)
        .arg("--db")
        .arg(db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd.stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    if let Some(text) = input {
        stdin.write_all(text.as_bytes()).unwrap();
    }
    drop(stdin);
    child.wait_with_output().unwrap()
}

/// Runs the binary off the async runtime (the tests' local servers live on it).
async fn run_cli(args: &[&str], db: &Path, input: Option<&str>) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (db, input) = (db.to_path_buf(), input.map(str::to_string));
    tokio::task::spawn_blocking(move || run_cli_blocking(&args, &db, input.as_deref()))
        .await
        .unwrap()
}

#[tokio::test]
async fn fail_on_new_fails_only_when_a_link_breaks_and_drafts_reuse_what_is_known() {
    let s = Server::start(&[
        ("/ok", Behave::Status(200)),
        ("/gone", Behave::Status(404)),
        ("/old", Behave::Redirect(301, "/ok".into())),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("links.db");
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{}\n\n{}\n", s.url("/ok"), s.url("/gone"))).unwrap();
    let issue_s = issue.display().to_string();
    let first = run_cli(
        &["check", &issue_s, "--fail-on", "new", "--max-age", "0"],
        &db,
        None,
    )
    .await;
    assert_eq!(
        first.status.code(),
        Some(2),
        "a newly broken link fails the nightly run"
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("newly broken:"));
    let second = run_cli(
        &["check", &issue_s, "--fail-on", "new", "--max-age", "0"],
        &db,
        None,
    )
    .await;
    assert_eq!(
        second.status.code(),
        Some(0),
        "still broken, but not new: {}",
        String::from_utf8_lossy(&second.stdout)
    );
    let dead = run_cli(&["check", &issue_s, "--fail-on", "dead"], &db, None).await;
    assert_eq!(
        dead.status.code(),
        Some(0),
        "failing, not yet confirmed dead"
    );

    // The editor's draft, on stdin: known links cost nothing, a new one is checked.
    let hits_before = s.all_hits().len();
    let draft = format!(
        "# Draft\n\nKnown: {}\nNew: [moved]({})\n",
        s.url("/gone"),
        s.url("/old")
    );
    let out = run_cli(&["check", "-", "--show-redirects"], &db, Some(&draft)).await;
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("<stdin>:3:8: broken (404) {}", s.url("/gone"))),
        "{text}"
    );
    assert!(
        text.contains(&format!("<stdin>:4:14: redirected (301) {}", s.url("/old"))),
        "{text}"
    );
    assert!(
        text.contains(&format!("moved permanently to {}", s.url("/ok"))),
        "{text}"
    );
    // The links' own requests (probes of made-up paths aside).
    let new_hits: Vec<String> = s.all_hits()[hits_before..]
        .iter()
        .map(|h| h.path.clone())
        .filter(|p| ["/ok", "/old", "/gone"].contains(&p.as_str()))
        .collect();
    assert_eq!(
        new_hits,
        vec!["/old", "/ok"],
        "only the unknown link was requested"
    );

    // And its timeline.
    let hist = run_cli(&["history", &s.url("/gone")], &db, None).await;
    let text = String::from_utf8_lossy(&hist.stdout);
    assert_eq!(text.matches("broken 404").count(), 2, "{text}");
    assert!(
        text.contains("cited in:") && text.contains("i.md:3:1"),
        "{text}"
    );
}

#[tokio::test]
async fn a_stored_report_is_judged_by_the_policy_the_run_was_checked_with() {
    let s = Server::start(&[("/down", Behave::Status(500))]).await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{}\n", s.url("/down"))).unwrap();
    let mut cfg = config(dir.path(), &issue);
    cfg.history.policy.dead_after_failures = 2;
    cfg.history.policy.dead_after_secs = DAY;
    let clock = Arc::new(FakeClock(AtomicI64::new(0)));
    let url = s.url("/down");
    run_at(&cfg, &clock, 0.0).await;
    let checked = run_at(&cfg, &clock, 1.5).await;
    assert_eq!(
        state_of(&checked, &url),
        Some(State::Dead),
        "two nights a day apart"
    );
    let stored = linkrot::run::stored_report(&cfg.db_path, None)
        .unwrap()
        .unwrap();
    assert_eq!(
        state_of(&stored, &url),
        Some(State::Dead),
        "the report agrees with check, not with the default policy"
    );
    assert_eq!(stored.summary.dead, 1);
}

#[tokio::test]
async fn the_trend_counts_failing_urls_night_by_night_over_the_same_inputs_only() {
    let s = Server::start(&[
        ("/ok", Behave::Status(200)),
        ("/gone", Behave::Status(404)),
        ("/gone-too", Behave::Status(404)),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    let cfg = config(dir.path(), &issue);
    let clock = Arc::new(FakeClock(AtomicI64::new(0)));
    let night = |paths: &[&str]| {
        let body: String = paths.iter().map(|p| format!("{}\n\n", s.url(p))).collect();
        std::fs::write(&issue, body).unwrap();
    };
    night(&["/ok"]);
    run_at(&cfg, &clock, 0.0).await;
    // A draft checked against the same database is not a night of the archive.
    let draft = dir.path().join("draft.md");
    std::fs::write(&draft, format!("{}\n", s.url("/gone"))).unwrap();
    run_at(&config(dir.path(), &draft), &clock, 0.5).await;
    night(&["/ok", "/gone"]);
    run_at(&cfg, &clock, 1.0).await;
    night(&["/ok", "/gone", "/gone-too"]);
    let checked = run_at(&cfg, &clock, 2.0).await;
    let failing =
        |r: &Report| -> Vec<usize> { r.overview.trend.iter().map(|p| p.failing_urls).collect() };
    assert_eq!(failing(&checked), vec![0, 1, 2]);
    assert_eq!(
        checked.overview.trend.last().unwrap().run,
        checked.run.id,
        "this run last"
    );
    let stored = linkrot::run::stored_report(&cfg.db_path, None)
        .unwrap()
        .unwrap();
    assert_eq!(failing(&stored), vec![0, 1, 2], "the stored report agrees");
    assert_eq!(stored.overview.trend, checked.overview.trend);
    let earlier = linkrot::run::stored_report(&cfg.db_path, Some(checked.run.id - 1))
        .unwrap()
        .unwrap();
    assert_eq!(
        failing(&earlier),
        vec![0, 1],
        "an earlier run's trend ends with it"
    );
}

/// Run `run_id` of `db`, its links held in memory (`hold_at_most` large)
/// or walked from the database (0: once, then from the spool).
fn report_holding(db: &Path, run_id: i64, requests: u64, hold_at_most: usize) -> Report {
    let store = linkrot::store::Store::open(db).unwrap();
    let policy = store.run_settings(run_id).unwrap().policy;
    let links = linkrot::report::Links::of_run(&store, run_id, &policy, hold_at_most).unwrap();
    let run = linkrot::report::RunInfo {
        id: run_id,
        inputs: vec!["i.md".into()],
        ..Default::default()
    };
    Report::new(
        run,
        links,
        &[],
        store.run_findings(run_id).unwrap(),
        requests,
    )
    .unwrap()
}

#[tokio::test]
async fn a_report_walked_from_the_database_says_what_a_held_one_says_in_every_format() {
    use linkrot::report::{render, Filter, OutputFormat, RenderOptions};
    let s = Server::start(&[
        ("/ok", Behave::Status(200)),
        ("/gone", Behave::Status(404)),
        (
            "/back",
            Behave::Flaky {
                times: 2,
                status: 500,
            },
        ),
        ("/moved", Behave::Redirect(301, "/ok".into())),
        ("/down", Behave::Status(500)),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    let second = dir.path().join("j.md");
    std::fs::write(
        &issue,
        format!(
            "---\ntitle: One\ndate: 2016-01-01\n---\n{} {} [x]({}) {}\n\n<{}> [TODO](TODO)\n",
            s.url("/ok"),
            s.url("/gone"),
            s.url("/moved"),
            s.url("/down"),
            s.url("/gone")
        ),
    )
    .unwrap();
    std::fs::write(
        &second,
        format!(
            "---\ntitle: Two\ndate: 2019-01-01\n---\n{} {}\n",
            s.url("/gone"),
            s.url("/back")
        ),
    )
    .unwrap();
    let mut cfg = config(dir.path(), dir.path());
    cfg.history.policy.dead_after_failures = 2;
    cfg.history.policy.dead_after_secs = DAY;
    let clock = Arc::new(FakeClock(AtomicI64::new(0)));
    run_at(&cfg, &clock, 0.0).await;
    // The second night walks its links from the database: same verdicts.
    cfg.report_hold_at_most = 0;
    let walked = run_at(&cfg, &clock, 2.0).await;
    let requests = walked.summary.requests;
    let held = report_holding(&cfg.db_path, walked.run.id, requests, usize::MAX);
    let stored = report_holding(&cfg.db_path, walked.run.id, requests, 0);
    assert_eq!(walked.summary, held.summary);
    let s_ = &held.summary;
    assert_eq!((s_.urls, s_.broken, s_.redirected, s_.ok), (6, 2, 1, 2));
    assert_eq!(
        (s_.dead, s_.recovered),
        (2, 1),
        "failing two nights apart; /back"
    );
    assert!(
        !held.findings().collect::<Vec<_>>().is_empty(),
        "TODO is a placeholder"
    );
    assert_eq!(stored.summary, held.summary);
    assert_eq!(stored.overview, held.overview);
    assert_eq!(stored.todo, held.todo);

    let all = |r: &Report| -> Vec<String> {
        [
            OutputFormat::Terminal,
            OutputFormat::Json,
            OutputFormat::Markdown,
            OutputFormat::Csv,
            OutputFormat::Junit,
            OutputFormat::Sarif,
            OutputFormat::Github,
            OutputFormat::Html,
        ]
        .into_iter()
        .map(|f| {
            let mut out = Vec::new();
            render(r, f, &RenderOptions::default(), &mut out).unwrap();
            String::from_utf8(out).unwrap()
        })
        .collect()
    };
    let (from_memory, from_db) = (all(&held), all(&stored));
    assert!(
        from_memory[1].contains(&s.url("/gone")),
        "{}",
        from_memory[1]
    );
    for (a, b) in from_memory.iter().zip(&from_db) {
        assert_eq!(a, b);
    }
    // A URL's occurrences come in path and position order.
    let v: serde_json::Value = serde_json::from_str(&from_db[1]).unwrap();
    let gone = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["url"] == s.url("/gone"))
        .unwrap();
    let at: Vec<(String, u64)> = gone["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let path = o["path"].as_str().unwrap();
            let file = Path::new(path).file_name().unwrap().to_string_lossy();
            (file.into_owned(), o["line"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        at,
        [("i.md".into(), 5), ("i.md".into(), 7), ("j.md".into(), 5)]
    );
    // Filtered alike: only the broken links of the 2019 issue.
    let filter = Filter {
        status: vec!["broken".into()],
        since: Some(time::macros::date!(2018 - 01 - 01)),
        ..Filter::default()
    };
    let (held, stored) = (
        held.filtered(&filter).unwrap(),
        stored.filtered(&filter).unwrap(),
    );
    assert_eq!(held.summary.occurrences, 1);
    assert_eq!(stored.summary, held.summary);
    assert_eq!(all(&stored), all(&held));
}

#[tokio::test]
async fn links_walked_from_the_database_read_it_once_then_their_spool() {
    let s = Server::start(&[
        ("/ok", Behave::Status(200)),
        ("/gone", Behave::Status(404)),
        ("/moved", Behave::Redirect(301, "/ok".into())),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(
        &issue,
        format!(
            "---\ntitle: One\ndate: 2016-01-01\n---\n{} [gone]({})\n\n{} {}\n",
            s.url("/ok"),
            s.url("/gone"),
            s.url("/moved"),
            s.url("/gone")
        ),
    )
    .unwrap();
    let cfg = config(dir.path(), dir.path());
    let clock = Arc::new(FakeClock(AtomicI64::new(0)));
    run_at(&cfg, &clock, 0.0).await;
    let run_id = run_at(&cfg, &clock, 2.0).await.run.id;
    let store = linkrot::store::Store::open(&cfg.db_path).unwrap();
    let policy = store.run_settings(run_id).unwrap().policy;
    let held = linkrot::report::Links::of_run(&store, run_id, &policy, usize::MAX)
        .unwrap()
        .to_vec()
        .unwrap();
    assert_eq!(held.len(), 3);
    assert!(held.iter().all(|l| l.state.is_some()), "judged: {held:?}");
    assert!(
        held.iter().any(|l| l.history.len() == 2),
        "a failing link checked both nights: {held:?}"
    );
    let stored = linkrot::report::Links::of_run(&store, run_id, &policy, 0).unwrap();
    drop(store);
    // A walk its callback stops leaves no spool: the next reads the database.
    let mut seen = 0;
    let stopped = stored.each(|_| {
        seen += 1;
        Err(std::io::Error::other("stop"))
    });
    assert!(stopped.is_err());
    assert_eq!(seen, 1);
    assert_eq!(stored.to_vec().unwrap(), held, "read from the database");
    // Every later walk, of the links or of a copy, reads the spool: the
    // database can be gone.
    for end in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{end}", cfg.db_path.display()));
    }
    assert_eq!(stored.to_vec().unwrap(), held, "read from the spool");
    assert_eq!(stored.clone().to_vec().unwrap(), held);
}

#[tokio::test]
async fn an_issue_read_again_unchanged_keeps_its_links_and_an_edited_one_gets_its_new_ones() {
    let s = Server::start(&[("/a", Behave::Status(200)), ("/b", Behave::Status(404))]).await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{}\n\n{}\n", s.url("/a"), s.url("/b"))).unwrap();
    let cfg = config(dir.path(), &issue);
    let clock = Arc::new(FakeClock(AtomicI64::new(0)));
    let cited = |r: &Report| -> Vec<(String, u32)> {
        let mut out = Vec::new();
        for l in r.links.to_vec().unwrap() {
            out.extend(l.occurrences.iter().map(|o| (l.url.clone(), o.line)));
        }
        out
    };
    let first = run_at(&cfg, &clock, 0.0).await;
    let want = vec![(s.url("/a"), 1), (s.url("/b"), 3)];
    assert_eq!(cited(&first), want);
    // Read again as it was: the same occurrences stand for the new run.
    let again = run_at(&cfg, &clock, 1.0).await;
    assert_eq!(cited(&again), want);
    let stored = linkrot::run::stored_report(&cfg.db_path, Some(again.run.id))
        .unwrap()
        .unwrap();
    assert_eq!(cited(&stored), want, "the database says so too");
    assert_eq!(stored.summary.occurrences, 2);
    // Edited: a line above both, and /a cited twice.
    std::fs::write(
        &issue,
        format!(
            "intro\n{}\n\n{}\n{}\n",
            s.url("/a"),
            s.url("/b"),
            s.url("/a")
        ),
    )
    .unwrap();
    let edited = run_at(&cfg, &clock, 2.0).await;
    assert_eq!(
        cited(&edited),
        vec![(s.url("/a"), 2), (s.url("/a"), 5), (s.url("/b"), 4)]
    );
    // And once more unchanged: still the edited links, not the first ones.
    let later = run_at(&cfg, &clock, 3.0).await;
    assert_eq!(cited(&later), cited(&edited));
}

#[tokio::test]
async fn lint_finds_the_same_whether_it_holds_the_links_or_reads_them_back() {
    let s = Server::start(&[("/story", Behave::Status(200)), ("/x", Behave::Status(200))]).await;
    let findings = |links_held: usize| {
        let s = &s;
        async move {
            let dir = tempfile::tempdir().unwrap();
            let posts = dir.path().join("_posts");
            std::fs::create_dir(&posts).unwrap();
            let story = s.url("/story");
            std::fs::write(
                posts.join("2019-01-01-first.md"),
                format!("---\ntitle: First\ndate: 2019-01-01\n---\n[s]({story})\n"),
            )
            .unwrap();
            std::fs::write(
                posts.join("2020-01-01-second.md"),
                format!(
                    "---\ntitle: Second\ndate: 2020-01-01\n---\n[s]({story}) [again]({story})\n\n\
                     [t]({}?utm_source=news) [gap](http://a b) [TODO](TODO) []()\n",
                    s.url("/x")
                ),
            )
            .unwrap();
            let mut cfg = config(dir.path(), &posts);
            cfg.lint_hold_at_most = links_held;
            let clock = Arc::new(FakeClock(AtomicI64::new(0)));
            let r = run_at(&cfg, &clock, 0.0).await;
            r.findings()
                .map(|f| {
                    let at = f.position().map(|(p, l, c)| {
                        let name = Path::new(p)
                            .file_name()
                            .unwrap()
                            .to_string_lossy()
                            .to_string();
                        (name, l, c)
                    });
                    let message = f
                        .message
                        .replace(&s.url(""), "")
                        .replace(&dir.path().display().to_string(), "");
                    (at, f.kind.as_str(), message)
                })
                .collect::<Vec<_>>()
        }
    };
    let held = findings(usize::MAX).await;
    let read_back = findings(0).await;
    let kinds: Vec<&str> = held.iter().map(|f| f.1).collect();
    for kind in [
        "seen-before",
        "duplicate",
        "tracking",
        "placeholder",
        "empty-link",
        "malformed-url",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {held:?}");
    }
    assert_eq!(read_back, held);
}
