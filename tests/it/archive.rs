//! Archive lookups, Save Page Now and `fix`, against a local fake archive.

use crate::kit::{linkrot, Behave, Handler, Reply, Request, Server};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A fake Wayback Machine: CDX, availability, replay, a Memento TimeGate and
/// Save Page Now 2, with the shapes `docs/archive-apis.md` documents.
#[derive(Default)]
struct FakeArchive {
    /// URL -> captures `(14-digit timestamp, status)`.
    captures: HashMap<String, Vec<(String, String)>>,
    /// URLs the availability API claims not to know.
    blind: HashSet<String>,
    /// CDX answers 500.
    cdx_down: bool,
    /// The first N CDX requests get 429 with Retry-After: 1.
    cdx_limited: Mutex<usize>,
    /// Replay answers 404 for every capture.
    replay_broken: bool,
    /// Save Page Now: refusals by URL.
    refuse: HashMap<String, String>,
    /// Polls before a job succeeds.
    pending_polls: usize,
    jobs: Mutex<Vec<(String, usize)>>,
    calls: Mutex<Vec<String>>,
}

const ACCESS: &str = "AKIA-access-7d1";
const SECRET: &str = "s3cr3t-value-never-printed";

fn json(v: serde_json::Value) -> Option<Reply> {
    Some((
        200,
        vec![("Content-Type".into(), "application/json".into())],
        v.to_string().into_bytes(),
    ))
}

fn secs(ts: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| ts.get(r).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    // Comparable, not calendar-exact: enough to order captures by distance.
    ((n(0..4) * 12 + n(4..6)) * 31 + n(6..8)) * 86_400
        + n(8..10) * 3600
        + n(10..12) * 60
        + n(12..14)
}

impl FakeArchive {
    fn closest<'a>(
        &self,
        caps: &'a [(String, String)],
        want: &str,
    ) -> Option<&'a (String, String)> {
        let want = format!("{want:0<14}");
        caps.iter()
            .min_by_key(|(ts, _)| (secs(ts) - secs(&want)).abs())
    }

    fn handle(&self, req: &Request) -> Option<Reply> {
        let url = url::Url::parse(&format!(
            "http://fake.test/{}",
            req.target.trim_start_matches('/')
        ))
        .unwrap();
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        let path = url.path().to_string();
        self.calls.lock().unwrap().push(path.clone());
        if path == "/cdx/search/cdx" {
            {
                let mut limited = self.cdx_limited.lock().unwrap();
                if *limited > 0 {
                    *limited -= 1;
                    return Some((
                        429,
                        vec![("Retry-After".into(), "1".into())],
                        b"slow down".to_vec(),
                    ));
                }
            }
            if self.cdx_down {
                return Some((500, vec![], b"down".to_vec()));
            }
            let mut caps: Vec<(String, String)> =
                self.captures.get(&q["url"]).cloned().unwrap_or_default();
            if q.get("filter").map(String::as_str) == Some("statuscode:200") {
                caps.retain(|(_, s)| s == "200");
            }
            if let Some(want) = q.get("closest") {
                let want = format!("{want:0<14}");
                caps.sort_by_key(|(ts, _)| (secs(ts) - secs(&want)).abs());
            }
            caps.truncate(
                q.get("limit")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(usize::MAX),
            );
            if caps.is_empty() {
                return json(serde_json::json!([]));
            }
            let mut rows = vec![serde_json::json!(["timestamp", "original", "statuscode"])];
            rows.extend(
                caps.iter()
                    .map(|(ts, st)| serde_json::json!([ts, q["url"], st])),
            );
            return json(serde_json::Value::Array(rows));
        }
        if path == "/wayback/available" {
            let target = &q["url"];
            let caps = if self.blind.contains(target) {
                None
            } else {
                self.captures.get(target)
            };
            let found = caps.and_then(|c| {
                self.closest(c, q.get("timestamp").map_or("99991231", String::as_str))
            });
            return json(match found {
                Some((ts, st)) => {
                    serde_json::json!({"url": target, "archived_snapshots": {"closest": {
                    "status": st, "available": true, "url": format!("http://web.archive.org/web/{ts}/{target}"), "timestamp": ts}}})
                }
                None => serde_json::json!({"url": target, "archived_snapshots": {}}),
            });
        }
        if let Some(rest) = req.target.strip_prefix("/web/") {
            let (ts, original) = rest.split_once('/').unwrap();
            let exists = self
                .captures
                .get(original)
                .is_some_and(|c| c.iter().any(|(t, s)| t == ts && s == "200"));
            if exists && !self.replay_broken {
                return Some((
                    200,
                    vec![(
                        "Memento-Datetime".into(),
                        "Tue, 20 Oct 2015 12:00:00 GMT".into(),
                    )],
                    b"archived".to_vec(),
                ));
            }
            return Some((404, vec![], b"not archived".to_vec()));
        }
        if let Some(original) = req.target.strip_prefix("/timegate/") {
            let want = req
                .headers
                .get("accept-datetime")
                .map(|_| "2015")
                .unwrap_or("9999");
            return match self
                .captures
                .get(original)
                .and_then(|c| self.closest(c, want))
            {
                Some((ts, _)) => Some((
                    302,
                    vec![
                        ("Location".into(), format!("/memento/{ts}/{original}")),
                        ("Vary".into(), "accept-datetime".into()),
                    ],
                    vec![],
                )),
                None => Some((404, vec![], vec![])),
            };
        }
        if path == "/save" && req.method == "POST" {
            if req.headers.get("authorization").map(String::as_str)
                != Some(&format!("LOW {ACCESS}:{SECRET}"))
            {
                return Some((
                    401,
                    vec![],
                    b"<html>You need to be logged in to use Save Page Now.</html>".to_vec(),
                ));
            }
            let form: HashMap<String, String> = url::form_urlencoded::parse(&req.body)
                .into_owned()
                .collect();
            let target = form["url"].clone();
            assert_eq!(
                form.get("if_not_archived_within").map(String::as_str),
                Some("30d")
            );
            if let Some(ext) = self.refuse.get(&target) {
                return json(
                    serde_json::json!({"status": "error", "status_ext": ext, "message": "refused"}),
                );
            }
            let mut jobs = self.jobs.lock().unwrap();
            jobs.push((target.clone(), self.pending_polls));
            return json(
                serde_json::json!({"url": target, "job_id": format!("spn2-{}", jobs.len() - 1)}),
            );
        }
        if let Some(job) = path.strip_prefix("/save/status/") {
            let idx: usize = job.trim_start_matches("spn2-").parse().ok()?;
            let mut jobs = self.jobs.lock().unwrap();
            let (target, left) = jobs.get_mut(idx)?;
            if *left > 0 {
                *left -= 1;
                return json(serde_json::json!({"status": "pending", "job_id": job}));
            }
            return json(
                serde_json::json!({"status": "success", "job_id": job, "original_url": target.clone(), "timestamp": "20261125120000"}),
            );
        }
        None
    }

    async fn serve(self) -> (Server, Arc<FakeArchive>) {
        let me = Arc::new(self);
        let h = me.clone();
        let handler: Handler = Arc::new(move |r: &Request| h.handle(r));
        (Server::start_handler(handler).await, me)
    }

    fn calls(&self, path: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.as_str() == path)
            .count()
    }
}

fn archive_flags(a: &Server) -> Vec<String> {
    vec![
        "--cdx-url".into(),
        a.url("/cdx/search/cdx"),
        "--availability-url".into(),
        a.url("/wayback/available"),
        "--replay-url".into(),
        a.url("/web/"),
        "--save-url".into(),
        a.url("/save"),
        "--save-status-url".into(),
        a.url("/save/status/"),
        "--archive-rate".into(),
        "0".into(),
    ]
}

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn run(args: Vec<String>, env: Vec<(&'static str, &'static str)>) -> Out {
    tokio::task::spawn_blocking(move || {
        let mut cmd = linkrot();
        cmd.args(&args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let o = cmd.output().unwrap();
        Out {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

fn issue(dir: &Path, name: &str, date: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!("---\ntitle: {name}\ndate: {date}\n---\n{body}"),
    )
    .unwrap();
    path.display().to_string()
}

/// `check --archive` over `paths`; returns the JSON report.
async fn check_archive(
    paths: &[String],
    db: &Path,
    a: &Server,
    extra: &[&str],
) -> serde_json::Value {
    let out = db.with_extension("json");
    let mut args: Vec<String> = vec!["check".into()];
    args.extend(paths.iter().cloned());
    args.extend([
        "--db".into(),
        db.display().to_string(),
        "--archive".into(),
        "--format".into(),
        "json".into(),
        "-o".into(),
        out.display().to_string(),
    ]);
    args.extend(archive_flags(a));
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = run(args, vec![]).await;
    assert!(matches!(o.code, Some(0 | 2)), "{}", o.stderr);
    let bytes = std::fs::read(out).unwrap();
    crate::formats::assert_valid_report(&bytes);
    serde_json::from_slice(&bytes).unwrap()
}

fn link<'a>(report: &'a serde_json::Value, url: &str) -> &'a serde_json::Value {
    report["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["url"] == url)
        .unwrap()
}

#[tokio::test]
async fn the_good_capture_closest_to_the_issue_date_is_chosen_per_citing_issue() {
    let site = Server::start(&[("/gone", Behave::Status(404))]).await;
    let dead = site.url("/gone");
    let mut fake = FakeArchive::default();
    fake.captures.insert(
        dead.clone(),
        vec![
            ("20151019000000".into(), "404".into()), // closest of all, but a 404
            ("20151021000000".into(), "302".into()), // a redirect capture
            ("20151101120000".into(), "200".into()), // the good one closest to 2015-10-20
            ("20180101000000".into(), "200".into()), // the good one closest to 2018
            ("20260101000000".into(), "200".into()), // newest: maybe a parked domain
        ],
    );
    let (a, fake) = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let old = issue(
        dir.path(),
        "old.md",
        "2015-10-20",
        &format!("[x]({dead})\n"),
    );
    let new = issue(
        dir.path(),
        "new.md",
        "2018-02-01",
        &format!("again: {dead}\n"),
    );
    let db = dir.path().join("links.db");
    let report = check_archive(&[old, new], &db, &a, &[]).await;
    let l = link(&report, &dead);
    assert_eq!(
        l["archive"]["url"],
        a.url(&format!("/web/20151101120000/{dead}"))
    );
    assert_eq!(l["archive"]["timestamp"], "20151101120000");
    assert_eq!(l["archive"]["source"], "wayback-cdx");
    let later = l["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["issue_date"] == "2018-02-01")
        .unwrap();
    assert_eq!(
        later["archive"]["timestamp"], "20180101000000",
        "the 2018 issue gets the 2018 capture"
    );
    assert_eq!(
        fake.calls("/wayback/available"),
        0,
        "CDX answered; no fallback needed"
    );

    // The editor's view of the same issue shows the replacement under the dead link.
    let o = run(
        vec![
            "check".into(),
            dir.path().join("new.md").display().to_string(),
            "--db".into(),
            db.display().to_string(),
        ],
        vec![],
    )
    .await;
    assert!(
        o.stdout.contains(&format!(
            "new.md:5:8: broken (404) {dead}\n    archived copy: {}",
            a.url(&format!("/web/20180101000000/{dead}"))
        )),
        "{}",
        o.stdout
    );

    // Looked up once: the next run (inside the relookup interval) asks nothing.
    let cdx = fake.calls("/cdx/search/cdx");
    check_archive(
        &[dir.path().join("old.md").display().to_string()],
        &db,
        &a,
        &["--max-age", "0"],
    )
    .await;
    assert_eq!(fake.calls("/cdx/search/cdx"), cdx);
}

#[tokio::test]
async fn availability_is_the_fallback_and_cdx_finds_what_availability_misses() {
    let site = Server::start(&[("/a", Behave::Status(404)), ("/b", Behave::Status(410))]).await;
    let (ua, ub) = (site.url("/a"), site.url("/b"));
    let mut fake = FakeArchive::default();
    fake.captures
        .insert(ua.clone(), vec![("20150101000000".into(), "200".into())]);
    fake.blind.insert(ua.clone());
    let (a, _) = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let p = issue(dir.path(), "i.md", "2015-01-02", &format!("{ua}\n\n{ub}\n"));
    let report = check_archive(std::slice::from_ref(&p), &dir.path().join("1.db"), &a, &[]).await;
    assert_eq!(
        link(&report, &ua)["archive"]["source"],
        "wayback-cdx",
        "CDX has what availability misses"
    );
    assert_eq!(
        link(&report, &ub)["archive"],
        serde_json::Value::Null,
        "no capture anywhere"
    );

    let mut fake = FakeArchive {
        cdx_down: true,
        ..FakeArchive::default()
    };
    fake.captures.insert(
        ua.clone(),
        vec![
            ("20150101000000".into(), "200".into()),
            ("20140101000000".into(), "404".into()),
        ],
    );
    let (a, _) = fake.serve().await;
    let report = check_archive(&[p], &dir.path().join("2.db"), &a, &[]).await;
    assert_eq!(
        link(&report, &ua)["archive"]["source"],
        "wayback-availability"
    );
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_timegates_are_a_last_resort() {
    let site = Server::start(&[("/a", Behave::Status(404)), ("/m", Behave::Status(404))]).await;
    let (ua, um) = (site.url("/a"), site.url("/m"));
    let mut fake = FakeArchive {
        cdx_limited: Mutex::new(1),
        ..FakeArchive::default()
    };
    fake.captures
        .insert(ua.clone(), vec![("20150101000000".into(), "200".into())]);
    let (a, fake) = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let p = issue(dir.path(), "i.md", "2015-01-02", &format!("{ua}\n"));
    let started = std::time::Instant::now();
    let report = check_archive(&[p], &dir.path().join("1.db"), &a, &[]).await;
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(950),
        "Retry-After: 1 honoured"
    );
    assert_eq!(link(&report, &ua)["archive"]["timestamp"], "20150101000000");
    assert_eq!(fake.calls("/cdx/search/cdx"), 2);

    // CDX down and availability blind to /m: only the TimeGate has it.
    let fake2 = FakeArchive {
        captures: HashMap::from([(
            um.clone(),
            vec![("20150303000000".to_string(), "200".to_string())],
        )]),
        blind: HashSet::from([um.clone()]),
        cdx_down: true,
        ..FakeArchive::default()
    };
    let (a2, _) = fake2.serve().await;
    let p = issue(dir.path(), "m.md", "2015-03-01", &format!("{um}\n"));
    let gate = a2.url("/timegate/");
    let report = check_archive(&[p], &dir.path().join("2.db"), &a2, &["--timegate", &gate]).await;
    let arch = &link(&report, &um)["archive"];
    assert_eq!(
        arch["url"],
        a2.url(&format!("/memento/20150303000000/{um}"))
    );
    assert!(arch["source"].as_str().unwrap().starts_with("memento:"));
}

#[tokio::test]
async fn verification_rejects_captures_that_do_not_replay() {
    let site = Server::start(&[("/a", Behave::Status(404))]).await;
    let ua = site.url("/a");
    let mut fake = FakeArchive {
        replay_broken: true,
        ..FakeArchive::default()
    };
    fake.captures
        .insert(ua.clone(), vec![("20150101000000".into(), "200".into())]);
    let (a, _) = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let p = issue(dir.path(), "i.md", "2015-01-02", &format!("{ua}\n"));
    let report = check_archive(
        std::slice::from_ref(&p),
        &dir.path().join("1.db"),
        &a,
        &["--archive-verify"],
    )
    .await;
    assert_eq!(link(&report, &ua)["archive"], serde_json::Value::Null);
    let report = check_archive(&[p], &dir.path().join("2.db"), &a, &[]).await;
    assert_eq!(
        link(&report, &ua)["archive"]["timestamp"],
        "20150101000000",
        "unverified, it is offered"
    );
}

#[tokio::test]
async fn save_page_now_submits_polls_resumes_and_never_shows_the_keys() {
    let site = Server::start(&[
        ("/live", Behave::Status(200)),
        ("/refused", Behave::Status(200)),
        ("/later", Behave::Status(200)),
        ("/dead", Behave::Status(404)),
    ])
    .await;
    let fake = FakeArchive {
        refuse: HashMap::from([
            (site.url("/refused"), "error:blocked-url".to_string()),
            (site.url("/later"), "error:user-session-limit".to_string()),
        ]),
        pending_polls: 2,
        ..FakeArchive::default()
    };
    let (a, fake) = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let body = ["/live", "/refused", "/later", "/dead"]
        .iter()
        .map(|p| format!("{}\n\n", site.url(p)))
        .collect::<String>();
    let p = issue(dir.path(), "i.md", "2020-01-01", &body);
    let db = dir.path().join("links.db").display().to_string();
    let o = run(
        vec![
            "check".into(),
            p.clone(),
            "--db".into(),
            db.clone(),
            "-q".into(),
        ],
        vec![],
    )
    .await;
    assert_eq!(o.code, Some(2));

    let mut args: Vec<String> = vec![
        "archive".into(),
        "save".into(),
        "--db".into(),
        db.clone(),
        "--poll-interval".into(),
        "0.05".into(),
        "-q".into(),
    ];
    args.extend(archive_flags(&a));
    let no_keys = run(args.clone(), vec![]).await;
    assert_eq!(no_keys.code, Some(3));
    assert!(
        no_keys.stderr.contains("LINKROT_SPN_ACCESS_KEY"),
        "{}",
        no_keys.stderr
    );

    let keys = vec![
        ("LINKROT_SPN_ACCESS_KEY", ACCESS),
        ("LINKROT_SPN_SECRET_KEY", SECRET),
    ];
    let first = run(args.clone(), keys.clone()).await;
    assert!(
        first
            .stdout
            .contains("1 saved, 0 already archived, 1 failed, 1 to retry later, 1 skipped"),
        "{}",
        first.stdout
    );
    assert!(first.stdout.contains("error:blocked-url"));
    assert_eq!(fake.calls("/save"), 3, "the dead link is not submitted");
    assert!(
        fake.calls("/save/status/spn2-0") >= 3,
        "pending, pending, success"
    );

    // Resumable: the saved and refused ones are done; only the retryable one goes again.
    let second = run(args, keys).await;
    assert!(
        second
            .stdout
            .contains("0 saved, 0 already archived, 0 failed, 1 to retry later, 3 skipped"),
        "{}",
        second.stdout
    );
    assert_eq!(fake.calls("/save"), 4);

    for text in [&first.stdout, &first.stderr, &second.stdout, &second.stderr] {
        assert!(!text.contains(SECRET) && !text.contains(ACCESS));
    }
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let hay = String::from_utf8_lossy(&bytes);
        assert!(
            !hay.contains(SECRET) && !hay.contains(ACCESS),
            "a key reached a file"
        );
    }
}

#[tokio::test]
async fn fix_rewrites_dead_and_moved_links_byte_for_byte_and_only_once() {
    let site = Server::start(&[
        ("/gone", Behave::Status(404)),
        ("/moved", Behave::Redirect(301, "/new-home".into())),
        ("/new-home", Behave::Status(200)),
        ("/visiting", Behave::Redirect(302, "/new-home".into())),
    ])
    .await;
    let (gone, moved, visiting) = (site.url("/gone"), site.url("/moved"), site.url("/visiting"));
    let mut fake = FakeArchive::default();
    fake.captures
        .insert(gone.clone(), vec![("20151101120000".into(), "200".into())]);
    let (a, _) = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2015-10-25-251.md");
    let original = format!(
        "---\r\ntitle: Issue 251\r\ndate: 2015-10-25\r\n---\r\nDead:  <br>[{gone}]({gone})\r\nMoved: [the post]({moved}#part-2)\r\nVisiting: {visiting}\r\n\r\n    code {gone}\r\n"
    );
    std::fs::write(&path, &original).unwrap();
    let p = path.display().to_string();
    let db = dir.path().join("links.db");
    check_archive(std::slice::from_ref(&p), &db, &a, &[]).await;
    let fix = |extra: Vec<&str>| {
        let mut args: Vec<String> = vec![
            "fix".into(),
            p.clone(),
            "--db".into(),
            db.display().to_string(),
            "--replace".into(),
            "broken".into(),
        ];
        args.extend(extra.into_iter().map(String::from));
        run(args, vec![])
    };
    let capture = a.url(&format!("/web/20151101120000/{gone}"));
    let new_home = site.url("/new-home");
    let expected = format!(
        "---\r\ntitle: Issue 251\r\ndate: 2015-10-25\r\n---\r\nDead:  <br>[{capture}]({capture})\r\nMoved: [the post]({new_home}#part-2)\r\nVisiting: {visiting}\r\n\r\n    code {gone}\r\n"
    );

    let diff = fix(vec![]).await;
    assert_eq!(diff.code, Some(0), "{}", diff.stderr);
    assert!(
        diff.stdout.starts_with(&format!("--- a/{p}\n+++ b/{p}\n")),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout
            .contains(&format!("+Dead:  <br>[{capture}]({capture})\r\n")),
        "{}",
        diff.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        original,
        "no --write, no change"
    );

    let written = fix(vec!["--write"]).await;
    assert_eq!(written.code, Some(0), "{}", written.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
    let again = fix(vec!["--write"]).await;
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        expected,
        "idempotent"
    );
    assert!(
        again.stderr.contains("0 links in 0 files"),
        "{}",
        again.stderr
    );

    let all = fix(vec!["--redirects", "all"]).await;
    assert!(
        all.stdout.contains(&format!("+Visiting: {new_home}\r\n")),
        "{}",
        all.stdout
    );

    // Edited since it was checked: skipped, untouched.
    std::fs::write(&path, format!("{expected}\r\nnew line {visiting}\r\n")).unwrap();
    let changed = fix(vec!["--redirects", "all", "--write"]).await;
    assert!(
        changed.stderr.contains("changed since it was checked"),
        "{}",
        changed.stderr
    );
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains(&format!("Visiting: {visiting}")));
}

#[tokio::test]
async fn archive_endpoints_are_settings_and_reached_with_the_guard_on_by_every_command() {
    // The site stands for a public host (pinned, as --resolve does); the
    // archive lives on 127.0.0.1, which the guard refuses for links but
    // not for the user's own endpoint settings.
    let site = Server::start(&[("/gone", Behave::Status(404))]).await;
    let port = site.addr.port();
    let dead = format!("http://public.test:{port}/gone");
    let mut fake = FakeArchive::default();
    fake.captures
        .insert(dead.clone(), vec![("20151101120000".into(), "200".into())]);
    let (a, fake) = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let p = issue(dir.path(), "i.md", "2015-10-20", &format!("[x]({dead})\n"));
    let db = dir.path().join("links.db");
    let guarded = |mut args: Vec<String>| {
        args.extend(archive_flags(&a));
        args.extend(["--resolve".into(), format!("public.test:{port}:127.0.0.1")]);
        tokio::task::spawn_blocking(move || {
            linkrot()
                .env_remove("LINKROT_ALLOW_PRIVATE")
                .args(&args)
                .output()
                .unwrap()
        })
    };
    let o = guarded(vec![
        "check".into(),
        p.clone(),
        "--db".into(),
        db.display().to_string(),
        "--archive".into(),
        "--format".into(),
        "json".into(),
    ])
    .await
    .unwrap();
    crate::formats::assert_valid_report(&o.stdout);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        link(&report, &dead)["archive"]["timestamp"],
        "20151101120000",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let before = fake.calls("/cdx/search/cdx");
    let o = guarded(vec![
        "archive".into(),
        "lookup".into(),
        "--db".into(),
        db.display().to_string(),
        "--archive-relookup".into(),
        "0".into(),
    ])
    .await
    .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        fake.calls("/cdx/search/cdx") > before,
        "archive lookup reached the archive: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("archived copy"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[tokio::test]
async fn an_archive_answer_larger_than_the_limit_is_refused_not_read_whole() {
    // Valid JSON, a capture in it, and 2 MiB long: read whole, it would be used.
    let padding = "x".repeat(2 << 20);
    let huge = Arc::new(move |req: &Request| {
        let body = if req.target.starts_with("/cdx/") {
            serde_json::json!([
                ["timestamp", "original", "statuscode", "pad"],
                ["20151101120000", "http://x.test/", "200", padding]
            ])
        } else {
            serde_json::json!({"archived_snapshots": {"closest": {"status": "200",
                "available": true, "timestamp": "20151101120000", "pad": padding}}})
        };
        json(body)
    });
    let a = Server::start_handler(huge).await;
    let site = Server::start(&[("/gone", Behave::Status(404))]).await;
    let dir = tempfile::tempdir().unwrap();
    let dead = site.url("/gone");
    let p = issue(dir.path(), "i.md", "2015-10-20", &format!("[x]({dead})\n"));
    let db = dir.path().join("links.db");
    let report = check_archive(&[p], &db, &a, &[]).await;
    assert!(link(&report, &dead)["archive"].is_null(), "{report}");
    let problems = report["problems"].to_string();
    assert!(problems.contains("larger than 1048576 bytes"), "{problems}");
}

#[tokio::test]
async fn report_and_fix_judge_a_run_by_the_policy_it_was_checked_with() {
    let site = Server::start(&[("/gone", Behave::Status(404))]).await;
    let gone = site.url("/gone");
    let mut fake = FakeArchive::default();
    fake.captures
        .insert(gone.clone(), vec![("20151101120000".into(), "200".into())]);
    let (a, _) = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let p = issue(dir.path(), "i.md", "2015-10-20", &format!("Gone: {gone}\n"));
    let db = dir.path().join("links.db");
    let db_arg = db.display().to_string();
    // One 404 confirms a link dead under this policy; under the default it takes three.
    let report = check_archive(
        std::slice::from_ref(&p),
        &db,
        &a,
        &["--hard-dead-after-failures", "1", "--hard-dead-after", "0"],
    )
    .await;
    assert_eq!(link(&report, &gone)["state"], "dead");
    let o = run(
        vec![
            "report".into(),
            "--db".into(),
            db_arg.clone(),
            "--status".into(),
            "dead".into(),
            "--format".into(),
            "json".into(),
        ],
        vec![],
    )
    .await;
    crate::formats::assert_valid_report(o.stdout.as_bytes());
    let stored: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(stored["links"].as_array().unwrap().len(), 1, "{}", o.stdout);
    assert_eq!(stored["summary"]["dead"], 1);
    let o = run(vec!["fix".into(), p.clone(), "--db".into(), db_arg], vec![]).await;
    assert!(
        o.stdout.contains(&format!(
            "+Gone: {}",
            a.url(&format!("/web/20151101120000/{gone}"))
        )),
        "fix --replace dead replaces what check called dead: {}{}",
        o.stdout,
        o.stderr
    );
}

#[tokio::test]
async fn a_confirmed_parked_or_soft_404_link_gets_its_capture_from_fix() {
    // Every path of the lapsed domain answers one "for sale" page.
    let parked: Handler = Arc::new(|_req: &Request| {
        Some((
            200,
            vec![("Content-Type".into(), "text/html".into())],
            b"<html><head><title>lapsed.test</title></head><body><p>This domain may be for sale!</p></body></html>".to_vec(),
        ))
    });
    let site = Server::start_handler(parked).await;
    let port = site.addr.port();
    let gone = format!("http://lapsed.test:{port}/2015/post");
    let mut fake = FakeArchive::default();
    fake.captures
        .insert(gone.clone(), vec![("20151101120000".into(), "200".into())]);
    let (a, _) = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let p = issue(dir.path(), "i.md", "2015-10-20", &format!("Post: {gone}\n"));
    let db = dir.path().join("links.db");
    let pin = format!("lapsed.test:{port}:127.0.0.1");
    // Parked is a hard failure: a policy that confirms hard failures at once confirms it.
    let report = check_archive(
        std::slice::from_ref(&p),
        &db,
        &a,
        &[
            "--hard-dead-after-failures",
            "1",
            "--hard-dead-after",
            "0",
            "--resolve",
            &pin,
        ],
    )
    .await;
    let l = link(&report, &gone);
    assert_eq!(l["status"], "parked", "{l}");
    assert_eq!(l["state"], "dead", "{l}");
    let o = run(
        vec![
            "fix".into(),
            p.clone(),
            "--db".into(),
            db.display().to_string(),
        ],
        vec![],
    )
    .await;
    assert!(
        o.stdout.contains(&format!(
            "+Post: {}",
            a.url(&format!("/web/20151101120000/{gone}"))
        )),
        "{}{}",
        o.stdout,
        o.stderr
    );
}

#[tokio::test]
async fn the_fix_command_the_report_gives_does_what_it_says() {
    let site = Server::start(&[
        ("/dead", Behave::Status(404)),
        ("/failing", Behave::Status(500)),
        ("/moved", Behave::Redirect(301, "/new-home".into())),
        ("/new-home", Behave::Status(200)),
    ])
    .await;
    let (dead, failing, moved) = (site.url("/dead"), site.url("/failing"), site.url("/moved"));
    let mut fake = FakeArchive::default();
    for u in [&dead, &failing] {
        fake.captures
            .insert(u.clone(), vec![("20151101120000".into(), "200".into())]);
    }
    let (a, _) = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let issues = dir.path().join("issues");
    std::fs::create_dir(&issues).unwrap();
    let p = issue(
        &issues,
        "2015-10-25-251.md",
        "2015-10-25",
        &format!("Dead: {dead}\n\nFailing: {failing}\n\nMoved: {moved}\n"),
    );
    let db = dir.path().join("links.db");
    // A 404 confirms a link dead at once under this policy; a 500 does not.
    let folder = issues.display().to_string();
    check_archive(
        std::slice::from_ref(&folder),
        &db,
        &a,
        &["--hard-dead-after-failures", "1", "--hard-dead-after", "0"],
    )
    .await;
    let o = run(
        vec![
            "report".into(),
            "--db".into(),
            db.display().to_string(),
            "--format".into(),
            "markdown".into(),
        ],
        vec![],
    )
    .await;
    let md = o.stdout;
    assert!(
        md.contains("\n`2015-10-25-251.md`\n"),
        "the issue shown from its input folder: {md}"
    );
    let command = format!("linkrot fix {folder} --db {} --write", db.display());
    assert!(
        md.contains(&format!(
            "This command replaces the 1 link confirmed dead with its archived copy and updates the 1 permanent redirect (without `--write` it prints the diff):\n\n    {command}\n"
        )),
        "{md}"
    );
    let broken = format!(
        "linkrot fix {folder} --db {} --replace broken --write",
        db.display()
    );
    assert!(
        md.contains(&format!("also replaces the 1 failing link not confirmed dead yet with its archived copy:\n\n    {broken}\n")),
        "{md}"
    );
    // Run it as written (the paths have no spaces to quote).
    let args: Vec<String> = command.split(' ').skip(1).map(String::from).collect();
    let o = run(args, vec![]).await;
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(
        text.contains(&format!(
            "Dead: {}",
            a.url(&format!("/web/20151101120000/{dead}"))
        )) && text.contains(&format!("Failing: {failing}\n"))
            && text.contains(&format!("Moved: {}", site.url("/new-home"))),
        "{text}"
    );
    let args: Vec<String> = broken.split(' ').skip(1).map(String::from).collect();
    assert_eq!(run(args, vec![]).await.code, Some(0));
    assert!(std::fs::read_to_string(&p).unwrap().contains(&format!(
        "Failing: {}",
        a.url(&format!("/web/20151101120000/{failing}"))
    )));
}
