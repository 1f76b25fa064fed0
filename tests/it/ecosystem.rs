//! What lives around the binary: shell completions and the man page,
//! logs on stderr, the GitHub Action's script and the pre-commit hook,
//! each run against a local server.

use crate::kit::{linkrot, Behave, Server};
use std::path::{Path, PathBuf};
use std::process::Output;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn completions_are_generated_for_every_shell_and_know_the_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = linkrot().args(["completions", shell]).output().unwrap();
        assert!(o.status.success(), "{shell}: {}", text(&o.stderr));
        let script = text(&o.stdout);
        for word in ["linkrot", "check", "max-per-host", "config", "remap"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let o = linkrot().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn the_man_page_is_roff_with_commands_files_and_exit_codes() {
    let o = linkrot().arg("man").output().unwrap();
    assert!(o.status.success());
    let page = text(&o.stdout);
    assert!(page.contains(".TH linkrot 1"), "{page}");
    for word in [
        "check",
        "config",
        "completions",
        ".SH FILES",
        "linkrot.toml",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(page.contains(word), "the man page lacks {word}");
    }
}

#[tokio::test]
async fn verbose_logs_each_request_on_stderr_and_never_in_the_report() {
    let s = Server::start(&[
        ("/ok", Behave::Status(200)),
        (
            "/flaky",
            Behave::Flaky {
                times: 1,
                status: 503,
            },
        ),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("i.md");
    std::fs::write(&issue, format!("{}\n\n{}\n", s.url("/ok"), s.url("/flaky"))).unwrap();
    let run = |extra: Vec<&'static str>, env: Option<(&'static str, &'static str)>| {
        let mut cmd = linkrot();
        cmd.args([
            "check",
            "--format",
            "json",
            "--max-age",
            "0",
            "--no-soft-404",
        ])
        .args(extra)
        .arg(&issue)
        .arg("--db")
        .arg(dir.path().join("l.db"));
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
    };
    let o: Output = run(vec!["-vv"], None).await.unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("stdout is the report alone");
    assert_eq!(v["summary"]["ok"], 2);
    let logs = text(&o.stderr);
    let port = s.addr.port();
    for expected in [
        "response".to_string(),
        "method=HEAD".to_string(),
        "status=503".to_string(),
        "status=200".to_string(),
        "elapsed_ms=".to_string(),
        format!("url=http://127.0.0.1:{port}/flaky"),
        "retry".to_string(),
        "why=503".to_string(),
        "planned".to_string(),
    ] {
        assert!(logs.contains(&expected), "no {expected:?} in\n{logs}");
    }
    // Quiet by default; RUST_LOG alone turns the logs on.
    let o = run(vec!["-q"], None).await.unwrap();
    assert!(!text(&o.stderr).contains("response"), "{}", text(&o.stderr));
    let o = run(vec!["-q"], Some(("RUST_LOG", "linkrot=debug")))
        .await
        .unwrap();
    assert!(text(&o.stderr).contains("response"), "{}", text(&o.stderr));
}

/// Runs `scripts/action.sh`, the GitHub Action's logic, as the runner
/// would: inputs as `INPUT_*`, the summary and outputs files given.
fn action(dir: &Path, args: &str, fail: bool) -> (Output, String, String) {
    let summary = dir.join("summary.md");
    let outputs = dir.join("outputs.txt");
    std::fs::write(&summary, "").unwrap();
    std::fs::write(&outputs, "").unwrap();
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(repo().join("scripts/action.sh"))
        .current_dir(dir)
        .env("LINKROT", env!("CARGO_BIN_EXE_linkrot"))
        .env("INPUT_ARGS", args)
        .env("INPUT_DB", ".linkrot/links.db")
        .env("INPUT_FAIL", if fail { "true" } else { "false" })
        .env("INPUT_JOB_SUMMARY", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_TEMP", dir)
        .env("LINKROT_ALLOW_PRIVATE", "1")
        .env_remove("GITHUB_TOKEN")
        .env_remove("http_proxy")
        .env_remove("https_proxy");
    let o = cmd.output().unwrap();
    (
        o,
        std::fs::read_to_string(&summary).unwrap(),
        std::fs::read_to_string(&outputs).unwrap(),
    )
}

#[tokio::test]
async fn the_action_writes_the_summary_the_outputs_and_annotations() {
    let s = Server::start(&[("/ok", Behave::Status(200)), ("/gone", Behave::Status(404))]).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("issues")).unwrap();
    std::fs::write(
        dir.path().join("issues/2024-01-07-1.md"),
        format!(
            "---\ntitle: Issue 1\n---\n[fine]({})\n\n[dead]({})\n",
            s.url("/ok"),
            s.url("/gone")
        ),
    )
    .unwrap();
    let d = dir.path().to_path_buf();
    let (o, summary, outputs) =
        tokio::task::spawn_blocking(move || action(&d, "issues/ --no-soft-404", true))
            .await
            .unwrap();
    let stdout = text(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(2),
        "fail: true passes the exit code on\n{stdout}\n{}",
        text(&o.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "::error file=issues/2024-01-07-1.md,line=6,col=8,title=broken link::broken (404) {}",
            s.url("/gone")
        )),
        "{stdout}"
    );
    assert!(
        summary.contains("# Link report\n")
            && summary.contains("\n## What to do\n")
            && summary.contains(&s.url("/gone"))
            && !summary.contains("not shown"),
        "{summary}"
    );
    assert!(outputs.contains("exit_code=2\n"), "{outputs}");
    assert!(outputs.contains("failing=1\n"), "{outputs}");
    let html = outputs
        .lines()
        .find_map(|l| l.strip_prefix("html="))
        .expect("an html output");
    assert!(std::fs::read_to_string(html)
        .unwrap()
        .contains(&s.url("/gone")));
    let report = outputs
        .lines()
        .find_map(|l| l.strip_prefix("report="))
        .expect("a report output");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    assert_eq!(v["summary"]["broken"], 1);
    assert!(
        dir.path().join(".linkrot/links.db").exists(),
        "the database the cache saves"
    );

    // max-items in linkrot.toml keeps the summary short, and it says
    // where the rest is.
    std::fs::write(dir.path().join("linkrot.toml"), "max-items = 0\n").unwrap();
    let d = dir.path().to_path_buf();
    let (_, summary, _) =
        tokio::task::spawn_blocking(move || action(&d, "issues/ --no-soft-404", true))
            .await
            .unwrap();
    assert!(
        summary.contains(&format!(
            "> **1 more failing link not shown**; the full report: {html} (the html output)."
        )),
        "{summary}"
    );
    std::fs::remove_file(dir.path().join("linkrot.toml")).unwrap();

    // fail: false reports, and the step passes.
    let d = dir.path().to_path_buf();
    let (o, _, outputs) =
        tokio::task::spawn_blocking(move || action(&d, "issues/ --no-soft-404", false))
            .await
            .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(outputs.contains("exit_code=2\n"), "{outputs}");
}

#[tokio::test]
async fn the_pre_commit_hook_lints_and_checks_offline_by_default() {
    let s = Server::start(&[("/gone", Behave::Status(404))]).await;
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("draft.md");
    std::fs::write(&draft, format!("[dead]({})\n", s.url("/gone"))).unwrap();
    let hook = |files: Vec<PathBuf>, args: Vec<&'static str>| {
        let mut cmd = std::process::Command::new("bash");
        cmd.arg(repo().join("scripts/pre-commit.sh"))
            .args(args)
            .args(files)
            .current_dir(dir.path())
            .env("LINKROT", env!("CARGO_BIN_EXE_linkrot"))
            .env("LINKROT_ALLOW_PRIVATE", "1");
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
    };
    // Offline: a link never checked is not requested and does not fail.
    let o = hook(vec![draft.clone()], vec![]).await.unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert_eq!(s.all_hits().len(), 0, "offline by default");
    // --online checks it; then offline knows it is broken.
    let o = hook(vec![draft.clone()], vec!["--online"]).await.unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let hits = s.all_hits().len();
    let o = hook(vec![draft.clone()], vec![]).await.unwrap();
    assert_eq!(o.status.code(), Some(2), "the database knows it is broken");
    assert_eq!(s.all_hits().len(), hits);
    assert!(
        text(&o.stdout).contains("broken (404)"),
        "{}",
        text(&o.stdout)
    );
    // Lint runs always: a placeholder fails the commit, without a request.
    std::fs::write(&draft, "[talk](TODO)\n").unwrap();
    let o = hook(vec![draft.clone()], vec![]).await.unwrap();
    assert_eq!(o.status.code(), Some(2));
    let out = text(&o.stdout);
    assert!(out.contains("error[placeholder]"), "{out}");
    assert!(
        !out.contains("draft.md:1:8 TODO"),
        "the link listing is not shown: {out}"
    );
}

/// A YAML file of the repository as JSON (Python's yaml, which .ci/run
/// installs), or `None` where there is no yaml module outside CI.
fn yaml(path: &str) -> Option<serde_json::Value> {
    let o = std::process::Command::new("python3")
        .args([
            "-c",
            "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(repo().join(path))
        .output()
        .ok()?;
    if !o.status.success() {
        assert!(
            std::env::var_os("CI").is_none() || !text(&o.stderr).contains("No module named"),
            "CI must read YAML: .ci/run installs PyYAML"
        );
        assert!(
            text(&o.stderr).contains("No module named"),
            "{path}: {}",
            text(&o.stderr)
        );
        return None;
    }
    Some(serde_json::from_slice(&o.stdout).unwrap())
}

fn executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

/// act cannot run the Action here (its cache steps are remote actions,
/// and remote actions cannot be fetched): what the runner reads is
/// checked instead, and `scripts/action.sh` is run above.
#[test]
fn the_action_the_hook_and_the_workflows_fit_together() {
    let Some(action) = yaml("action.yml") else {
        return;
    };
    assert_eq!(action["runs"]["using"], "composite");
    let script = std::fs::read_to_string(repo().join("scripts/action.sh")).unwrap();
    for name in ["exit_code", "failing", "report", "html"] {
        let value = action["outputs"][name]["value"].as_str().unwrap();
        assert_eq!(value, format!("${{{{ steps.check.outputs.{name} }}}}"));
        assert!(
            script.contains(&format!("echo \"{name}=")),
            "action.sh never sets {name}"
        );
    }
    let steps = action["runs"]["steps"].as_array().unwrap();
    let mut ran = Vec::new();
    for step in steps {
        if let Some(run) = step["run"].as_str() {
            assert_eq!(step["shell"], "bash", "{step}");
            let rel = run
                .trim_matches(['"', '\''])
                .trim_start_matches("\"$GITHUB_ACTION_PATH/")
                .trim_end_matches('"');
            let rel = rel.trim_start_matches("$GITHUB_ACTION_PATH/");
            assert!(
                executable(&repo().join(rel)),
                "{rel} is not an executable script"
            );
            ran.push(rel.to_string());
        }
        if let Some(uses) = step["uses"].as_str() {
            assert!(uses.starts_with("actions/cache/"), "{uses}");
        }
    }
    assert_eq!(ran, ["scripts/action-install.sh", "scripts/action.sh"]);
    let save = steps.last().unwrap();
    assert_eq!(
        (save["uses"].as_str(), save["if"].as_str()),
        (Some("actions/cache/save@v4"), Some("always()"))
    );

    let hooks = yaml(".pre-commit-hooks.yaml").unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"], "linkrot");
    assert_eq!(hook["language"], "script");
    assert!(executable(&repo().join(hook["entry"].as_str().unwrap())));

    let audit = yaml(".github/workflows/link-audit.yml").unwrap();
    let uses: Vec<&str> = audit["jobs"]["audit"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["uses"].as_str())
        .collect();
    assert!(
        uses.contains(&"./"),
        "the nightly audit uses the Action: {uses:?}"
    );

    let release = yaml(".github/workflows/release.yml").unwrap();
    let targets: Vec<&str> = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    let install = std::fs::read_to_string(repo().join("scripts/action-install.sh")).unwrap();
    for t in &targets {
        if !t.contains("windows") {
            assert!(
                install.contains(t),
                "the Action cannot install the {t} binary"
            );
        }
    }
    assert!(
        targets.iter().any(|t| t.ends_with("linux-musl"))
            && targets.iter().any(|t| t.contains("apple"))
            && targets.iter().any(|t| t.contains("windows"))
    );
}
