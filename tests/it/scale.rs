//! A large archive: 670 weekly issues, 100,500 links to 60,000 URLs, about
//! 13,000 of them failing, written to a database through the store (as
//! `check` writes it, with no network). Its Markdown report fits a job
//! summary with room to spare and says what it left out; its HTML page
//! renders in headless Chromium with every failing row.

use crate::browser::{chromium, page, view};
use linkrot::archive::Capture;
use linkrot::check::{CheckResult, Hop, Status};
use linkrot::extract::{Link, LinkKind};
use linkrot::report::{render, Filter, OutputFormat, RenderOptions, Report};
use linkrot::store::{RunSettings, Store, Write};
use std::path::Path;

const ISSUES: usize = 670;
const LINKS_PER_ISSUE: usize = 150;
/// URLs every few issues cite again (sponsors, tools, the newsletter's own pages).
const POPULAR: usize = 500;
const URLS: usize = 60_000;
const DAY: i64 = 86_400;
/// When the archive was checked: 2026-11-25.
const NOW: i64 = 1_795_564_800;

/// The URL of occurrence `j` of issue `k`, by index.
fn url_index(k: usize, j: usize) -> usize {
    if j < 10 {
        (k * 7 + j * 53) % POPULAR
    } else {
        // In issue order, most cited once, some by the next issue too.
        let at = k * (LINKS_PER_ISSUE - 10) + j - 10;
        POPULAR + at * (URLS - POPULAR) / (ISSUES * (LINKS_PER_ISSUE - 10))
    }
}

fn url(i: usize) -> String {
    format!("https://host{}.test/{}/post-{i}", i % 2766, i / 97)
}

/// What URL `i` answers: old issues' links rot more (45% of 2013's down to
/// 4% of the last year's), a few popular ones are gone too.
fn verdict(i: usize) -> CheckResult {
    let first_issue = if i < POPULAR {
        0
    } else {
        (i - POPULAR) * ISSUES / (URLS - POPULAR)
    };
    let rot = 400 - 360 * first_issue / ISSUES;
    let roll = (i * 2_654_435_761) % 1000;
    let failing = if i < POPULAR { i % 50 == 0 } else { roll < rot };
    if failing {
        match roll % 10 {
            0..=6 => CheckResult {
                http_status: Some(404),
                requests: 2,
                ..CheckResult::without_request(Status::Broken, "404")
            },
            7 | 8 => CheckResult::without_request(
                Status::Error,
                "dns error: failed to lookup address information",
            ),
            _ => CheckResult::without_request(Status::Timeout, "operation timed out"),
        }
    } else if roll % 20 == 19 {
        CheckResult {
            status: Status::Redirected,
            http_status: Some(200),
            final_url: Some(format!("{}/", url(i))),
            redirects: vec![Hop {
                url: url(i),
                status: 301,
            }],
            error: None,
            requests: 2,
            elapsed_ms: 40,
            fragments: vec![],
        }
    } else {
        CheckResult {
            http_status: Some(200),
            error: None,
            requests: 1,
            ..CheckResult::without_request(Status::Ok, "")
        }
    }
}

/// Builds the archive's database at `db`; how many URLs fail.
fn build(db: &Path) -> usize {
    let mut store = Store::open(db).unwrap();
    let run = store
        .begin_run(NOW - 3600, &["_posts/".into()], &RunSettings::default())
        .unwrap();
    let first = time::macros::date!(2013 - 01 - 06);
    let mut writes = Vec::new();
    for k in 0..ISSUES {
        let date = first + time::Duration::weeks(k as i64);
        let links: Vec<Link> = (0..LINKS_PER_ISSUE)
            .map(|j| Link {
                url: url(url_index(k, j)),
                line: 10 + j as u32,
                column: 3,
                text: Some("a story".into()),
                kind: LinkKind::Inline,
                span: 0..1,
                flaw: None,
                resolved: None,
            })
            .collect();
        writes.push(Write::Issue {
            path: format!("_posts/{date}-{}.md", k + 1),
            title: Some(format!("Weekly #{} of {date}", k + 1)),
            date: Some(date),
            links: links.into(),
            seen_at: NOW - 3600,
            content_hash: None,
        });
    }
    let mut failing = 0;
    for i in 0..URLS {
        let result = verdict(i);
        if result.status.is_failure() {
            failing += 1;
            // A third have failed for days: confirmed dead.
            if i % 3 == 0 {
                for days in [4, 2] {
                    writes.push(Write::Check {
                        url: url(i),
                        result: result.clone(),
                        checked_at: NOW - days * DAY,
                        remapped: None,
                    });
                }
            }
            // Half have an archived copy.
            if i % 2 == 0 {
                writes.push(Write::ArchiveLookup {
                    url: url(i),
                    target: None,
                    capture: Some(Capture {
                        url: format!("https://web.archive.test/web/20150101000000/{}", url(i)),
                        timestamp: "20150101000000".into(),
                        source: "wayback-cdx".into(),
                    }),
                    verified: false,
                    at: NOW,
                });
            }
        }
        writes.push(Write::Check {
            url: url(i),
            result,
            checked_at: NOW,
            remapped: None,
        });
    }
    for batch in writes.chunks(2048) {
        store.write_batch(run, batch).unwrap();
    }
    store
        .finish_run(run, NOW, &serde_json::json!({"broken": failing}))
        .unwrap();
    failing
}

#[test]
fn a_100000_link_archive_fits_a_job_summary_and_renders_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("links.db");
    let started = std::time::Instant::now();
    let failing = build(&db);
    eprintln!("database built in {:?}", started.elapsed());
    let report: Report = linkrot::run::stored_report(&db, None).unwrap().unwrap();
    let run = &report.overview.run;
    assert_eq!(
        (run.occurrences, run.urls, run.issues),
        (ISSUES * LINKS_PER_ISSUE, URLS, ISSUES)
    );
    assert_eq!(run.failing(), failing);
    assert!((12_000..14_000).contains(&failing), "{failing}");
    assert!(
        run.failing_occurrences > failing,
        "popular URLs are cited often"
    );
    let first = &report.overview.rot_by_year[0];
    let last = report.overview.rot_by_year.last().unwrap();
    assert_eq!((first.year, last.year), (Some(2013), Some(2025)));
    assert!(
        first.share > 0.3 && last.share < 0.1,
        "old links rot more: {first:?} {last:?}"
    );
    assert_eq!(
        report.todo.fix.as_ref().unwrap().command,
        format!("linkrot fix _posts/ --db {} --write", db.display())
    );

    // The job summary: the whole Markdown under 1 MiB, measured.
    let started = std::time::Instant::now();
    let mut md = Vec::new();
    render(
        &report,
        OutputFormat::Markdown,
        &RenderOptions {
            full_report: Some("the link-report artifact".into()),
            ..RenderOptions::default()
        },
        &mut md,
    )
    .unwrap();
    eprintln!("markdown: {} bytes in {:?}", md.len(), started.elapsed());
    assert!(md.len() <= linkrot::report::MARKDOWN_BUDGET, "{}", md.len());
    assert!(md.len() < 1024 * 1024);
    assert!(
        md.len() > linkrot::report::MARKDOWN_BUDGET * 9 / 10,
        "the budget is used"
    );
    let md = String::from_utf8(md).unwrap();
    let shown = md.matches("\n- [ ] line ").count();
    let rows = run.failing_occurrences;
    assert!(
        md.trim_end().ends_with(&format!(
            "> **{} more failing links not shown**; the full report: the link-report artifact.",
            linkrot_count(rows - shown)
        )),
        "{}",
        &md[md.len() - 300..]
    );
    for section in [
        "## What to do\n",
        "### Failing links cited most often\n",
        "### Archived copies ready (",
        "## Link rot by issue year\n",
        "## Hosts with the most failing URLs\n",
        "## Failing links by issue\n",
    ] {
        assert!(md.contains(section), "{section}");
    }
    // --max-items caps the items below what fits.
    let mut few = Vec::new();
    render(
        &report,
        OutputFormat::Markdown,
        &RenderOptions {
            max_items: Some(100),
            ..RenderOptions::default()
        },
        &mut few,
    )
    .unwrap();
    let few = String::from_utf8(few).unwrap();
    assert_eq!(few.matches("\n- [ ] line ").count(), 100);
    assert!(few.contains(&format!(
        "> **{} more failing links not shown**; the full report: `linkrot report --format html --output report.html` writes it.",
        linkrot_count(rows - 100)
    )));

    // The HTML page, every failing row, in a browser.
    let Some(browser) = chromium() else {
        return;
    };
    let name = page(&report, dir.path());
    let html_bytes = std::fs::metadata(dir.path().join(&name)).unwrap().len();
    let started = std::time::Instant::now();
    let p = view(&browser, dir.path(), &name, 1280, "big");
    eprintln!(
        "html: {html_bytes} bytes, rendered and probed in {:?}",
        started.elapsed()
    );
    assert_eq!(p["shown"], rows.to_string(), "{p}");
    assert_eq!(
        p["rows_visible"], rows,
        "every failing row is in the page: {p}"
    );
    assert_eq!(p["open_issues"], linkrot::report::OPEN_ISSUES, "{p}");
    assert!(p["scroll"].as_u64() <= p["client"].as_u64(), "{p}");
    assert_eq!(p["headline"], report.headline(), "{p}");
    assert_eq!(p["rot_labels"].as_array().unwrap().len(), 13, "{p}");

    let shot = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-100k.png");
    crate::browser::headless(
        &browser,
        &dir.path().join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2400".into(),
            "--hide-scrollbars".into(),
            format!("file://{}", dir.path().join(&name).display()),
        ],
    );
    assert!(std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000));

    // A filter narrows the 100,000-link page too.
    let host = "host7.test";
    let want = report
        .filtered(&Filter {
            host: Some(host.into()),
            status: vec!["failing".into()],
            ..Filter::default()
        })
        .unwrap()
        .summary
        .failing_occurrences;
    let p = view(
        &browser,
        dir.path(),
        &format!("{name}#filter=//{host}/"),
        1280,
        "bigfilter",
    );
    assert_eq!(p["shown"], want.to_string(), "{p}");
}

/// Thousands separators, as the reports write counts.
fn linkrot_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
