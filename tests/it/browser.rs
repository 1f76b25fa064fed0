//! The HTML report in a real browser (Debian's headless Chromium, which
//! .ci/run installs): on a 390 px phone and a 1280 px desktop nothing
//! scrolls sideways, no date and no column header wraps, the charts show
//! their values as text, and filtering hides what does not match. Leaves a
//! screenshot of each width for CI.

use linkrot::report::{render, OutputFormat, RenderOptions, Report};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        // On a developer machine without Chromium; CI installs it and must run this.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium: .ci/run installs it"
        );
        eprintln!("chromium not installed; skipped");
    }
    found
}

/// Runs headless Chromium offline (no network service it would call
/// home with) with `args`; its stdout.
pub fn headless(browser: &Path, profile: &Path, args: &[String]) -> String {
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

/// Measures the laid-out page, once its own script has run, and writes
/// what it found as JSON into `<pre id="probe">` for `--dump-dom` to show:
/// the widths, the dates and column headers that wrap onto a second line,
/// the rows left visible, the charts' texts.
const PROBE: &str = r#"<script>
(() => {
  const lines = el => { const r = document.createRange(); r.selectNodeContents(el);
    return new Set(Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => Math.round(x.top))).size; };
  const visible = el => el.getClientRects().length > 0;
  const texts = sel => Array.from(document.querySelectorAll(sel)).map(t => t.textContent);
  const report = () => parent.postMessage(JSON.stringify({
    inner: window.innerWidth,
    client: document.documentElement.clientWidth,
    scroll: document.documentElement.scrollWidth,
    wrapped_dates: Array.from(document.querySelectorAll('.date')).filter(visible).filter(e => lines(e) > 1).length,
    wrapped_headers: Array.from(document.querySelectorAll('th')).filter(visible).filter(e => lines(e) > 1).map(e => e.textContent),
    rows_visible: Array.from(document.querySelectorAll('table.links tbody tr')).filter(visible).length,
    rows_hidden: document.querySelectorAll('table.links tbody tr[hidden]').length,
    open_issues: Array.from(document.querySelectorAll('details.issue')).filter(d => d.open && !d.hidden).length,
    shown: document.getElementById('shown').textContent,
    hash: location.hash,
    headline: document.querySelector('p.lead').textContent,
    todo: texts('#todo h3'),
    rot: texts('#rot text.val'),
    rot_labels: texts('#rot text.lbl'),
    ticks: texts('#rot text.tick'),
    hosts: texts('#hosts text.val'),
    trend: texts('#trend text.val'),
    cards: Array.from(document.querySelectorAll('table.links tbody tr')).filter(visible).every(tr => getComputedStyle(tr).display === 'block'),
  }), '*');
  // ?type=TEXT: type into the filter box, and look once the page has
  // waited for the pause in typing.
  const typed = new URLSearchParams(location.search).get('type');
  if (typed === null) { report(); return; }
  const input = document.getElementById('filter');
  input.value = typed;
  input.dispatchEvent(new Event('input'));
  setTimeout(report, 1000);
})();
</script>"#;

/// A page holding `report` (with a query or fragment) in a frame
/// `width` px wide: Chromium's headless window is never narrower than
/// 500 px, a frame is the viewport its page is laid out in. It writes what
/// the probe in the report posts into `<pre id="probe">`.
fn frame(dir: &Path, report: &str, width: u32, name: &str) -> String {
    let page = dir.join(format!("{name}.html"));
    std::fs::write(
        &page,
        format!(
            "<!doctype html><html><body style=\"margin:0;background:#ccc\"><iframe src=\"{report}\" style=\"width:{width}px;height:2400px;border:0;display:block;background:#fff\"></iframe>\
             <script>addEventListener('message', e => {{ const p = document.createElement('pre'); p.id = 'probe'; p.textContent = e.data; document.body.appendChild(p); }});</script></body></html>"
        ),
    )
    .unwrap();
    format!("file://{}", page.display())
}

/// Opens `report` (`report.html`, `report.html#filter=x` ...) at `width` px;
/// what the probe found.
pub fn view(browser: &Path, dir: &Path, report: &str, width: u32, name: &str) -> serde_json::Value {
    let url = frame(dir, report, width, name);
    let dom = headless(
        browser,
        &dir.join(format!("profile-{name}")),
        &[
            format!("--window-size={},2400", width.max(500)),
            "--hide-scrollbars".into(),
            "--virtual-time-budget=5000".into(),
            "--dump-dom".into(),
            url,
        ],
    );
    probed(&dom)
}

/// What the probe found in `dom`.
pub fn probed(dom: &str) -> serde_json::Value {
    let json = dom
        .split("<pre id=\"probe\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| {
            panic!(
                "the page rendered and the probe ran: {}",
                &dom[..dom.len().min(600)]
            )
        });
    serde_json::from_str(&json.replace("&quot;", "\"").replace("&amp;", "&"))
        .unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// `report` as `report.html` in `dir`, with the probe; its name.
pub fn page(report: &Report, dir: &Path) -> String {
    let mut html = Vec::new();
    render(
        report,
        OutputFormat::Html,
        &RenderOptions::default(),
        &mut html,
    )
    .unwrap();
    let html = String::from_utf8(html).unwrap();
    let (body, end) = html.rsplit_once("</body>").expect("a body");
    let page = dir.join("report.html");
    std::fs::write(&page, format!("{body}{PROBE}</body>{end}")).unwrap();
    "report.html".into()
}

/// The fixture with a trend of three runs, as a database with earlier runs
/// gives it.
fn fixture_with_trend() -> Report {
    let earlier = [
        (5, "2025-11-22T03:17:00Z", 1),
        (6, "2025-11-23T03:17:00Z", 3),
    ]
    .into_iter()
    .map(|(run, at, failing)| linkrot::store::TrendPoint {
        run,
        finished_at: at.into(),
        urls: 5,
        occurrences: 6,
        failing_urls: failing,
    })
    .collect();
    crate::formats::fixture().with_trend(earlier)
}

#[test]
fn the_html_report_fits_a_phone_and_a_desktop_shows_its_values_and_filters() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = page(&fixture_with_trend(), dir.path());
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for (width, cards) in [(390, true), (1280, false)] {
        let p = view(&browser, dir.path(), &report, width, &format!("w{width}"));
        assert_eq!(p["inner"], width, "{p}");
        assert!(
            p["scroll"].as_u64() <= p["inner"].as_u64()
                && p["scroll"].as_u64() <= p["client"].as_u64(),
            "no horizontal scroll at {width} px: {p}"
        );
        assert_eq!(p["wrapped_dates"], 0, "no date wraps at {width} px: {p}");
        assert_eq!(
            p["wrapped_headers"],
            serde_json::json!([]),
            "at {width} px: {p}"
        );
        assert_eq!(p["cards"], cards, "rows are cards on a phone only: {p}");
        assert_eq!(p["shown"], "3", "three failing rows: {p}");
        assert_eq!(p["rows_visible"], 3, "{p}");
        assert_eq!(
            p["headline"],
            "2 failing URLs, cited 3 times in 2 issues, of 6 links (5 distinct URLs) in 2 issues; 0 dead, 1 broken since the previous check (1 failing at its first check), 0 recovered."
        );
        assert_eq!(p["todo"].as_array().map(Vec::len), Some(4), "{p}");
        // 2015: the broken and the timed-out links of 3 checked; 2018: the
        // broken one of 2 (the mailto: link is not checked).
        assert_eq!(p["rot"], serde_json::json!(["67%", "50%"]), "{p}");
        assert_eq!(p["rot_labels"], serde_json::json!(["2015", "2018"]), "{p}");
        assert_eq!(
            p["ticks"],
            serde_json::json!(["0%", "20%", "40%", "60%", "80%"]),
            "an axis of round ticks past the largest share: {p}"
        );
        assert_eq!(
            p["hosts"],
            serde_json::json!(["1 · 100%", "1 · 100%"]),
            "{p}"
        );
        assert_eq!(p["trend"], serde_json::json!(["1", "3", "2"]), "{p}");

        let shot = shots.join(format!("report-{width}.png"));
        headless(
            &browser,
            &dir.path().join(format!("shot-{width}")),
            &[
                format!("--screenshot={}", shot.display()),
                format!("--window-size={},2400", width.max(500)),
                "--hide-scrollbars".into(),
                frame(dir.path(), &report, width, &format!("shot{width}")),
            ],
        );
        assert!(
            std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
            "a screenshot was taken at {width} px"
        );
    }

    // A draft with lint findings: their table becomes cards too.
    let draft = tempfile::tempdir().unwrap();
    let report = page(&crate::formats::draft_fixture(), draft.path());
    for width in [390, 1280] {
        let p = view(&browser, draft.path(), &report, width, &format!("d{width}"));
        assert!(
            p["scroll"].as_u64() <= p["client"].as_u64(),
            "no horizontal scroll at {width} px: {p}"
        );
        assert_eq!(p["wrapped_headers"], serde_json::json!([]), "{p}");
    }
    let report = page(&fixture_with_trend(), dir.path());

    // A shared filtered view: only the slow.test row is left.
    let p = view(
        &browser,
        dir.path(),
        &format!("{report}#filter=slow.test"),
        1280,
        "hash",
    );
    assert_eq!(
        (p["shown"].as_str(), p["rows_visible"].as_u64()),
        (Some("1"), Some(1)),
        "{p}"
    );
    assert_eq!(
        p["rows_hidden"], 2,
        "the other failing rows are hidden: {p}"
    );
    // Typing: after the pause, rows are filtered and the address says so.
    let p = view(
        &browser,
        dir.path(),
        &format!("{report}?type=kaizen"),
        390,
        "typed",
    );
    assert_eq!(
        (p["shown"].as_str(), p["rows_visible"].as_u64()),
        (Some("2"), Some(2)),
        "{p}"
    );
    assert_eq!(p["hash"], "#filter=kaizen", "{p}");
    // An issue's title matches all of its rows.
    let p = view(
        &browser,
        dir.path(),
        &format!("{report}#filter=Weekly%20%222018%22"),
        1280,
        "title",
    );
    assert_eq!(p["rows_visible"], 1, "{p}");
}
