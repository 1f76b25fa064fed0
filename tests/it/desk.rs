//! The editor's desk: `linkrot check draft.md` against the archive's
//! database lints the draft (every kind; `seen-before` and `insecure` from
//! what the database knows), stores the findings with the run, shows them
//! in every format and fails on lint errors; relative links are checked as
//! the URL they become on the site with `--base-url`, and are listed once
//! without one.

use crate::kit::{linkrot, Behave, Handler, Reply, Request, Server, TestCa};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs the binary off the runtime, so the test servers keep answering.
async fn run(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The lint lines of a terminal report.
fn finding_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains(": error[") || l.contains(": note["))
        .map(str::to_string)
        .collect()
}

fn check(db: &Path) -> Command {
    let mut cmd = linkrot();
    cmd.arg("check").arg("--db").arg(db).arg("-q");
    cmd
}

fn issue(title: &str, date: &str, body: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndate: {date}\n---\n{body}")
}

/// An archive of earlier issues, checked once into a database, and the
/// servers its links (and the draft's) point at.
struct Archive {
    dir: tempfile::TempDir,
    db: PathBuf,
    site: Server,
    tls: Server,
    ca: TestCa,
}

impl Archive {
    async fn checked() -> Archive {
        let ca = TestCa::new();
        let site = Server::start(&[
            ("/story", Behave::Status(200)),
            ("/sponsor", Behave::Status(200)),
            ("/later", Behave::Status(200)),
            ("/x", Behave::Status(200)),
        ])
        .await;
        let tls = Server::start_tls(&[("/secure", Behave::Status(200))], &ca).await;
        let dir = tempfile::tempdir().unwrap();
        let (s, t) = (site.url(""), tls.url(""));
        write(
            dir.path(),
            "_posts/2019-03-14-12.md",
            &issue(
                "Issue #12",
                "2019-03-14",
                &format!("[story]({s}/story) [sponsor]({s}/sponsor) [secure]({t}/secure)\n"),
            ),
        );
        for (n, day) in [(13, "21"), (14, "28")] {
            write(
                dir.path(),
                &format!("_posts/2019-03-{day}-{n}.md"),
                &issue(
                    &format!("Issue #{n}"),
                    &format!("2019-03-{day}"),
                    &format!("[sponsor]({s}/sponsor)\n"),
                ),
            );
        }
        // Published after the draft's date: not an earlier issue.
        write(
            dir.path(),
            "_posts/2027-01-01-99.md",
            &issue("Issue #99", "2027-01-01", &format!("[later]({s}/later)\n")),
        );
        let db = dir.path().join("links.db");
        let mut cmd = check(&db);
        cmd.arg(dir.path().join("_posts"))
            .arg("--ca-cert")
            .arg(&ca.pem_path);
        let o = run(cmd).await;
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        Archive {
            dir,
            db,
            site,
            tls,
            ca,
        }
    }

    fn posts(&self, name: &str) -> String {
        self.dir
            .path()
            .join("_posts")
            .join(name)
            .display()
            .to_string()
    }

    /// The draft with every kind of finding, and where its duplicate is.
    fn draft(&self) -> (PathBuf, u32) {
        let s = self.site.url("");
        let insecure = self.tls.url("/secure").replacen("https://", "http://", 1);
        let twice = format!("[a]({s}/x) and [again]({s}/x)");
        let second = twice.find("[again](").unwrap() + "[again](".len() + 1;
        let body = format!(
            "[Reddit](REDDIT_LINK_HERE)\n\
             [slides]()\n\
             [typo](hhttps://example.test/)\n\
             [story]({s}/story)\n\
             [sponsor]({s}/sponsor)\n\
             [later]({s}/later)\n\
             [x]({s}/x?utm_source=newsletter)\n\
             [secure]({insecure})\n\
             {twice}\n"
        );
        let path = write(
            self.dir.path(),
            "drafts/next.md",
            &issue("Next issue", "2026-12-01", &body),
        );
        (path, second as u32)
    }

    /// `check` of `path` against the archive's database, sending no request.
    fn check(&self, path: &Path) -> Command {
        let mut cmd = check(&self.db);
        cmd.arg(path)
            .arg("--ca-cert")
            .arg(&self.ca.pem_path)
            .args(["--max-requests", "0"]);
        cmd
    }
}

#[tokio::test]
async fn the_draft_check_lints_every_kind_against_the_archive_database() {
    let archive = Archive::checked().await;
    let (draft, second) = archive.draft();
    let o = run(archive.check(&draft)).await;
    assert_eq!(
        o.status.code(),
        Some(2),
        "lint errors fail the check: {o:?}"
    );
    let d = draft.display();
    let s = archive.site.url("");
    let secure = archive.tls.url("/secure");
    let expected = vec![
        format!("{d}:5:10: error[placeholder]: placeholder destination 'REDDIT_LINK_HERE': replace it with the link's URL"),
        format!("{d}:6:10: error[empty-link]: empty link destination 'slides': put the link's URL between the parentheses"),
        format!("{d}:7:8: error[malformed-url]: mistyped scheme 'hhttps://': write https://example.test/"),
        format!(
            "{d}:8:9: note[seen-before]: {s}/story was already featured in 'Issue #12' of 2019-03-14 ({}): make sure it is meant to run again",
            archive.posts("2019-03-14-12.md")
        ),
        format!("{d}:11:5: note[tracking]: tracking parameter utm_source left in {s}/x?utm_source=newsletter: remove it (`linkrot fix --strip-tracking` does)"),
        format!("{d}:12:10: note[insecure]: {secure} works too: link to it (`linkrot fix --redirects` rewrites http:// links that redirect there)"),
        format!("{d}:13:{second}: note[duplicate]: {s}/x is linked twice in this issue (first at 13:5): drop one unless both are meant"),
    ];
    let text = stdout(&o);
    assert_eq!(finding_lines(&text), expected, "{text}");
    // The sponsor link is in three earlier issues: recurring, not news.
    // Issue #99 is dated after the draft: not an earlier issue.
    assert!(!text.contains("/sponsor was") && !text.contains("/later was"));
    assert!(
        text.lines()
            .last()
            .unwrap()
            .ends_with("; lint: 3 errors, 4 notes"),
        "{text}"
    );

    // The draft is in the database now; checking it again does not make
    // it an earlier issue of itself.
    let again = run(archive.check(&draft)).await;
    assert_eq!(finding_lines(&stdout(&again)), expected);
}

#[tokio::test]
async fn findings_are_stored_with_the_run_and_every_format_shows_them() {
    let archive = Archive::checked().await;
    let (draft, _) = archive.draft();
    let mut cmd = archive.check(&draft);
    cmd.arg(archive.dir.path().join("missing.md"))
        .args(["--format", "json"]);
    let o = run(cmd).await;
    assert_eq!(
        o.status.code(),
        Some(1),
        "an unreadable input wins over lint errors"
    );
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems[0]["kind"], "input", "{problems:?}");
    assert_eq!(problems[0]["line"], serde_json::Value::Null);
    assert_eq!(problems[0]["severity"], "error");
    let kinds: Vec<&str> = problems[1..]
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "placeholder",
            "empty-link",
            "malformed-url",
            "seen-before",
            "tracking",
            "insecure",
            "duplicate"
        ]
    );
    let placeholder = &problems[1];
    assert_eq!(
        (
            placeholder["path"].as_str(),
            placeholder["line"].as_u64(),
            placeholder["column"].as_u64(),
            placeholder["severity"].as_str(),
            placeholder["url"].as_str()
        ),
        (
            Some(draft.display().to_string().as_str()),
            Some(5),
            Some(10),
            Some("error"),
            Some("REDDIT_LINK_HERE")
        )
    );
    assert_eq!(v["summary"]["lint_errors"], 3);
    assert_eq!(v["summary"]["lint_notes"], 4);
    assert_eq!(v["summary"]["problems"], 1, "input problems, as before");

    // `report` reads them back from the database, in every format.
    let report = |format: &str, lint: &str| {
        let mut cmd = linkrot();
        cmd.args(["report", "--format", format, "--lint", lint, "--db"])
            .arg(&archive.db);
        cmd.output().unwrap()
    };
    let json: serde_json::Value = serde_json::from_slice(&report("json", "all").stdout).unwrap();
    assert_eq!(json["problems"].as_array().unwrap().len(), 7);
    let errors: serde_json::Value =
        serde_json::from_slice(&report("json", "errors").stdout).unwrap();
    assert!(errors["problems"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["severity"] == "error"));
    assert_eq!(errors["problems"].as_array().unwrap().len(), 3);
    let none: serde_json::Value = serde_json::from_slice(&report("json", "none").stdout).unwrap();
    assert_eq!(none["problems"], serde_json::json!([]));

    let shown = |format: &str| String::from_utf8(report(format, "all").stdout).unwrap();
    let d = draft.display().to_string();
    assert!(shown("terminal").contains(&format!("{d}:5:10: error[placeholder]: ")));
    let md = shown("markdown");
    assert!(
        md.contains("## Lint\n") && md.contains("- [ ] line 5, column 10: error[placeholder]: ")
    );
    let html = shown("html");
    assert!(html.contains("<section class=\"lint\">") && html.contains("seen-before"));
    let csv = shown("csv");
    assert!(csv.lines().next().unwrap().ends_with(",error,lint"));
    assert!(csv
        .lines()
        .any(|l| l.contains("REDDIT_LINK_HERE") && l.ends_with(",placeholder")));
    let junit = shown("junit");
    assert_eq!(junit.matches("<failure type=\"placeholder\"").count(), 1);
    assert!(junit.contains("<system-out>note[tracking]: "));
    let sarif: serde_json::Value = serde_json::from_str(&shown("sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let insecure = results.iter().find(|r| r["ruleId"] == "insecure").unwrap();
    assert_eq!(insecure["level"], "note");
    assert_eq!(
        insecure["locations"][0]["physicalLocation"]["region"]["startLine"],
        12
    );
    let github = shown("github");
    assert!(github.contains(&format!(
        "::error file={},line=5,col=10,title=lint placeholder::placeholder destination",
        d.replace(':', "%3A").replace(',', "%2C")
    )));
    assert!(github.contains("title=lint duplicate::"));
}

#[tokio::test]
async fn lint_errors_fail_only_fail_on_broken_and_lint_levels_choose_the_findings() {
    let s = Server::start(&[
        ("/ok", Behave::Status(200)),
        ("/ok?utm_source=x", Behave::Status(200)),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let draft = write(
        dir.path(),
        "draft.md",
        &format!(
            "[todo](TODO) [a]({ok}?utm_source=x) [b]({ok})\n",
            ok = s.url("/ok")
        ),
    );
    let db = dir.path().join("links.db");
    let go = |args: &[&str]| {
        let mut cmd = check(&db);
        cmd.arg(&draft).args(args);
        run(cmd)
    };
    let o = go(&[]).await;
    assert_eq!(
        o.status.code(),
        Some(2),
        "every link is ok; the placeholder fails"
    );
    for fail_on in ["dead", "new", "none"] {
        let o = go(&["--fail-on", fail_on]).await;
        assert_eq!(o.status.code(), Some(0), "--fail-on {fail_on}");
    }
    let o = go(&["--lint", "errors"]).await;
    assert_eq!(o.status.code(), Some(2));
    let lines = finding_lines(&stdout(&o));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("error[placeholder]"));
    let o = go(&["--lint", "none"]).await;
    assert_eq!(o.status.code(), Some(0));
    assert!(finding_lines(&stdout(&o)).is_empty());
    assert!(stdout(&o).ends_with("; lint: 0 errors, 0 notes\n"));
    // What a run stored is what `report` shows: none for that last run.
    let o = linkrot()
        .args(["report", "--format", "json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["problems"], serde_json::json!([]));
}

#[tokio::test]
async fn relative_links_are_checked_as_the_url_they_become_with_a_base_url() {
    let s = Server::start(&[
        ("/2019/post/", Behave::Status(200)),
        ("/archive/gone.html", Behave::Status(404)),
        ("/archive/img/a.png", Behave::Status(200)),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let issue = write(
        dir.path(),
        "2026-12-01-draft.md",
        "[post](/2019/post/) [gone](gone.html) ![a](img/a.png) [top](#top)\n\
         [t]({{site.url}}/2019/post/)\n",
    );
    let db = dir.path().join("links.db");
    let mut cmd = check(&db);
    cmd.arg(&issue).arg("--base-url").arg(s.url("/archive"));
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let text = stdout(&o);
    // The report shows the link as written, where it is written.
    assert!(
        text.starts_with(&format!(
            "{}:1:28: broken (404) gone.html\n",
            issue.display()
        )),
        "{text}"
    );
    assert!(!text.contains("relative link"), "{text}");
    assert_eq!(s.hits("/2019/post/"), 1);
    assert_eq!(s.hits("/archive/gone.html"), 2, "HEAD, then GET to confirm");
    assert_eq!(s.hits("/archive/img/a.png"), 1);

    let o = linkrot()
        .args(["report", "--format", "json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let link = |u: &str| {
        v["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["url"] == u)
            .unwrap_or_else(|| panic!("{u}"))
            .clone()
    };
    let post = link("/2019/post/");
    assert_eq!(post["status"], "ok");
    assert_eq!(post["resolved"], s.url("/2019/post/"));
    assert_eq!(link("gone.html")["resolved"], s.url("/archive/gone.html"));
    assert_eq!(
        link("#top")["status"],
        "unsupported",
        "a fragment stays on the page"
    );
    let template = link("{{site.url}}/2019/post/");
    assert_eq!(template["resolved"], serde_json::Value::Null);
    assert!(
        template["error"]
            .as_str()
            .unwrap()
            .contains("template expression"),
        "the site generator writes it: {template}"
    );
    assert_eq!(v["summary"]["relative_unchecked"], 0);
}

#[tokio::test]
async fn without_a_base_url_relative_links_are_listed_once_in_the_summary() {
    let s = Server::start(&[("/gone", Behave::Status(404))]).await;
    let dir = tempfile::tempdir().unwrap();
    let issue = write(
        dir.path(),
        "issue.md",
        &format!(
            "[a](/2019/post/) [b](post.html) [c](../img.png)\n[a again](/2019/post/) [d]({})\n\
             [t]({{{{site.baseurl}}}}/about/) [todo](TODO)\n",
            s.url("/gone")
        ),
    );
    let db = dir.path().join("links.db");
    let mut cmd = check(&db);
    cmd.arg(&issue);
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(2));
    let text = stdout(&o);
    assert!(
        !text.contains("/2019/post/") && !text.contains("post.html"),
        "no line for each: {text}"
    );
    assert_eq!(
        text.matches("4 relative links not checked (pass --base-url)\n")
            .count(),
        1,
        "{text}"
    );
    assert!(text.contains(", 5 unsupported;"), "{text}");
    assert!(
        text.contains(":3:37: error[placeholder]: "),
        "a placeholder is a lint error, not a link wanting a base: {text}"
    );
    let o = linkrot()
        .args(["report", "--format", "json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["relative_unchecked"], 4);
    assert_eq!(v["summary"]["unsupported"], 5);
}

#[tokio::test]
async fn seen_before_does_not_depend_on_the_order_issues_are_read_in() {
    let s = Server::start(&[("/story", Behave::Status(200))]).await;
    let dir = tempfile::tempdir().unwrap();
    let story = s.url("/story");
    // Read in path order: the 2020 issue first, then the 2019 one it repeats.
    let newer = write(
        dir.path(),
        "a-second.md",
        &issue("Second", "2020-01-01", &format!("[s]({story})\n")),
    );
    write(
        dir.path(),
        "b-first.md",
        &issue("First", "2019-01-01", &format!("[s]({story})\n")),
    );
    let mut cmd = check(&dir.path().join("fresh.db"));
    cmd.arg(dir.path());
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(0), "notes do not fail: {o:?}");
    let lines = finding_lines(&stdout(&o));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!(
            "{}:5:5: note[seen-before]: {story} was already featured in 'First' of 2019-01-01",
            newer.display()
        )),
        "{lines:?}"
    );
}

#[tokio::test]
async fn seen_before_counts_the_runs_own_issues_and_those_only_the_database_knows() {
    let s = Server::start(&[("/story", Behave::Status(200))]).await;
    let story = s.url("/story");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("links.db");
    // Last night's run read the 2019 issue; tonight's reads two others.
    let old = dir.path().join("old");
    let new = dir.path().join("new");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::create_dir_all(&new).unwrap();
    let first = write(
        &old,
        "first.md",
        &issue("First", "2019-01-01", &format!("[s]({story})\n")),
    );
    write(
        &new,
        "second.md",
        &issue("Second", "2020-01-01", &format!("[s]({story})\n")),
    );
    let third = write(
        &new,
        "third.md",
        &issue("Third", "2021-01-01", &format!("[s]({story})\n")),
    );
    let mut cmd = check(&db);
    cmd.arg(&old);
    assert_eq!(run(cmd).await.status.code(), Some(0));
    let mut cmd = check(&db);
    cmd.arg(&new);
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(0), "notes do not fail: {o:?}");
    let lines = finding_lines(&stdout(&o));
    assert_eq!(lines.len(), 2, "{lines:?}");
    // The earliest is the one only the database knows; this run's own
    // issue is counted beside it.
    let want = format!(
        "{}:5:5: note[seen-before]: {story} was already featured in 'First' of 2019-01-01 ({}) and 1 more",
        third.display(),
        first.display()
    );
    assert!(lines.iter().any(|l| l.starts_with(&want)), "{lines:?}");
}

#[test]
fn an_http_link_that_redirected_to_its_https_form_is_insecure_and_one_that_failed_is_not() {
    use linkrot::check::{CheckResult, Hop, Status};
    use linkrot::lint::LintContext;
    use linkrot::store::{RunSettings, Store, Write};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("links.db")).unwrap();
    let run = store
        .begin_run(1_780_000_000, &[], &RunSettings::default())
        .unwrap();
    let result = |status: Status, hops: Vec<Hop>, end: Option<&str>| {
        let mut r = CheckResult::without_request(status, "");
        r.error = None;
        r.requests = 1;
        r.redirects = hops;
        r.final_url = end.map(str::to_string);
        r
    };
    let hop = |url: &str| Hop {
        url: url.into(),
        status: 301,
    };
    let checks = [
        // Redirected to its https form, then on to a page there.
        (
            "http://moved.test/a",
            result(
                Status::Redirected,
                vec![hop("http://moved.test/a"), hop("https://moved.test/a")],
                Some("https://moved.test/a/"),
            ),
        ),
        // Redirected elsewhere: says nothing of its https form.
        (
            "http://away.test/",
            result(
                Status::Redirected,
                vec![hop("http://away.test/")],
                Some("https://other.test/"),
            ),
        ),
        // Its https form was checked and is broken.
        ("https://broken.test/", result(Status::Broken, vec![], None)),
        // Its https form was checked ok (the http:// link is written
        // without the final `/`).
        ("https://fine.test/", result(Status::Ok, vec![], None)),
    ];
    let writes: Vec<Write> = checks
        .into_iter()
        .map(|(url, result)| Write::Check {
            url: url.into(),
            result,
            checked_at: 1_780_000_000,
            remapped: None,
        })
        .collect();
    store.write_batch(run, &writes).unwrap();
    let asked = [
        "http://moved.test/a",
        "http://away.test/",
        "http://broken.test/",
        "http://fine.test",
        "http://never.test/",
    ];
    let known = store.lint_history(asked, None).unwrap();
    let works: Vec<bool> = asked.iter().map(|u| known.https_works(u)).collect();
    assert_eq!(works, [true, false, false, true, false]);
}

#[tokio::test]
async fn a_crawled_page_is_linted_like_a_file() {
    let cited = Server::start(&[("/x?utm_source=site&fbclid=1", Behave::Status(200))]).await;
    let target = cited.url("/x?utm_source=site&fbclid=1");
    let page: Handler = Arc::new(move |req: &Request| -> Option<Reply> {
        let body = match req.target.as_str() {
            "/issues/1.html" => format!(
                "<html><head><title>Issue 1</title></head><body>\n<p><a href=\"{target}\">x</a> <a href=\"\">empty</a></p></body></html>\n"
            ),
            _ => return Some((404, vec![], b"not found".to_vec())),
        };
        Some((
            200,
            vec![("Content-Type".into(), "text/html".into())],
            body.into_bytes(),
        ))
    });
    let site = Server::start_handler(page).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = check(&dir.path().join("links.db"));
    cmd.arg(site.url("/issues/1.html"))
        .args(["--format", "json"]);
    let o = run(cmd).await;
    crate::formats::assert_valid_report(&o.stdout);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let kinds: Vec<(&str, &str)> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["path"].as_str().unwrap(), p["kind"].as_str().unwrap()))
        .collect();
    let page = site.url("/issues/1.html");
    assert_eq!(kinds, [(page.as_str(), "tracking")], "{v:#}");
    assert_eq!(o.status.code(), Some(0), "{o:?}");
}
