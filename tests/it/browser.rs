//! The HTML report in a real browser (Debian's headless Chromium, which
//! .ci/run installs): it renders, the rot chart has one bar per year, and
//! filtering hides what does not match. Leaves a screenshot for CI.

use linkrot::report::{render, OutputFormat, TerminalOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn headless(browser: &Path, profile: &Path, args: &[String]) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_html_report_renders_charts_and_filters_in_a_browser() {
    let Some(browser) = chromium() else {
        // On a developer machine without Chromium; CI installs it and must run this.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium: .ci/run installs it"
        );
        eprintln!("chromium not installed; skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let mut html = Vec::new();
    render(
        &crate::formats::fixture(),
        OutputFormat::Html,
        TerminalOptions::default(),
        &mut html,
    )
    .unwrap();
    std::fs::write(&page, &html).unwrap();
    let url = format!("file://{}", page.display());

    let dom = headless(
        &browser,
        &dir.path().join("p1"),
        &["--dump-dom".into(), url.clone()],
    );
    let rot = dom
        .split("<svg id=\"rot\"")
        .nth(1)
        .expect("the chart rendered")
        .split("</svg>")
        .next()
        .unwrap();
    assert_eq!(
        rot.matches("class=\"bar\"").count(),
        2,
        "one bar per issue year"
    );
    assert!(
        dom.contains("id=\"shown\">3</span>"),
        "three failing rows: {}",
        &dom[..dom.len().min(400)]
    );

    let filtered = headless(
        &browser,
        &dir.path().join("p2"),
        &["--dump-dom".into(), format!("{url}#filter=slow.test")],
    );
    assert!(
        filtered.contains("id=\"shown\">1</span>"),
        "only the slow.test row is left"
    );
    assert_eq!(
        filtered.matches("<tr hidden=\"\">").count(),
        2,
        "the other failing rows are hidden"
    );

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    headless(
        &browser,
        &dir.path().join("p3"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600".into(),
            url,
        ],
    );
    assert!(
        std::fs::metadata(&shot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "a screenshot was taken"
    );
}
