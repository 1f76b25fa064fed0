//! Every report format, rendered from one fixed report and compared with
//! its reviewed snapshot (insta), plus the properties each format promises.

use linkrot::archive::Capture;
use linkrot::check::{Hop, Status};
use linkrot::history::{CheckPoint, Policy};
use linkrot::report::{render, Filter, Links, OutputFormat, RenderOptions, Report, RunInfo};
use linkrot::store::{LinkRecord, OccurrenceRecord};

fn occurrence(path: &str, line: u32, date: &str) -> OccurrenceRecord {
    OccurrenceRecord {
        path: path.into(),
        line,
        column: 5,
        issue_date: linkrot::source::frontmatter::leading_date(date),
        issue_title: Some(format!("Weekly \"{}\" & more", &date[..4])),
        text: None,
        kind: linkrot::extract::LinkKind::Inline,
        archive: None,
    }
}

fn link(url: &str, status: Status, code: Option<u16>, occ: Vec<OccurrenceRecord>) -> LinkRecord {
    let at = 1_764_000_000;
    LinkRecord {
        url: url.into(),
        status,
        http_status: code,
        final_url: None,
        permanent_redirect: false,
        redirects: vec![],
        error: None,
        requests: 1,
        elapsed_ms: 10,
        checked_at: "2025-11-24T16:00:00Z".into(),
        reused: false,
        state: None,
        first_seen: "2025-11-01T00:00:00Z".into(),
        last_ok: None,
        dead_since: None,
        failures: 0,
        change: None,
        fragment: None,
        resolved: None,
        remapped: None,
        occurrences: occ,
        archive: None,
        history: if status.was_checked() {
            vec![CheckPoint {
                at,
                status,
                http_status: code,
                error: None,
            }]
        } else {
            vec![]
        },
    }
}

pub fn fixture() -> Report {
    report_of(fixture_records())
}

/// A report of `records` (sorted by URL), as run 7 of `_posts/` made it.
fn report_of(records: Vec<LinkRecord>) -> Report {
    let run = RunInfo {
        id: 7,
        started_at: "2025-11-24T16:00:00Z".into(),
        finished_at: "2025-11-24T16:00:27Z".into(),
        inputs: vec!["_posts/".into()],
    };
    Report::new(
        run,
        Links::held(records, &Policy::default()),
        &[],
        vec![],
        6,
    )
    .unwrap()
}

/// The links of [`fixture`]: one of each kind of verdict.
fn fixture_records() -> Vec<LinkRecord> {
    let mut gone = link(
        "http://blog.kaizen.test/2015/gone,with-comma",
        Status::Broken,
        Some(404),
        vec![
            occurrence("_posts/2015-10-25-251.md", 55, "2015-10-25"),
            occurrence("_posts/2018-02-04-370.md", 12, "2018-02-04"),
        ],
    );
    // Alive a week before: broken since the previous check.
    gone.history.insert(
        0,
        CheckPoint {
            at: 1_764_000_000 - 7 * 86_400,
            status: Status::Ok,
            http_status: Some(200),
            error: None,
        },
    );
    gone.archive = Some(Capture {
        url: "https://web.archive.org/web/20151101120000/http://blog.kaizen.test/2015/gone,with-comma".into(),
        timestamp: "20151101120000".into(),
        source: "wayback-cdx".into(),
    });
    let mut moved = link(
        "http://docs.mesh.test/start",
        Status::Redirected,
        Some(200),
        vec![occurrence("_posts/2018-02-04-370.md", 20, "2018-02-04")],
    );
    moved.final_url = Some("https://docs.mesh.test/start".into());
    moved.permanent_redirect = true;
    moved.redirects = vec![Hop {
        url: "http://docs.mesh.test/start".into(),
        status: 301,
    }];
    let mut slow = link(
        "https://slow.test/<script>",
        Status::Timeout,
        None,
        vec![occurrence("_posts/2015-10-25-251.md", 60, "2015-10-25")],
    );
    slow.error = Some("operation timed out".into());
    let fine = link(
        "https://fine.test/",
        Status::Ok,
        Some(200),
        vec![occurrence("_posts/2015-10-25-251.md", 70, "2015-10-25")],
    );
    let mut mail = link(
        "mailto:editor@newsletter.test",
        Status::Unsupported,
        None,
        vec![occurrence("_posts/2018-02-04-370.md", 90, "2018-02-04")],
    );
    mail.error = Some("mailto: links are not checked".into());
    vec![fine, gone, moved, slow, mail]
}

fn rendered(format: OutputFormat) -> String {
    let mut out = Vec::new();
    render(
        &fixture(),
        format,
        &RenderOptions {
            show_redirects: true,
            ..RenderOptions::default()
        },
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn terminal_snapshot() {
    insta::assert_snapshot!(rendered(OutputFormat::Terminal));
}

#[test]
fn markdown_groups_by_issue_as_tasks() {
    let md = rendered(OutputFormat::Markdown);
    assert!(
        md.contains("- [ ] line 55: `http://blog.kaizen.test/2015/gone,with-comma` broken (404)")
    );
    insta::assert_snapshot!(md);
}

#[test]
fn csv_has_one_row_per_occurrence_and_quotes_by_rfc_4180() {
    let text = rendered(OutputFormat::Csv);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        linkrot::report::CSV_COLUMNS
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6, "one row per occurrence");
    assert!(
        text.contains("\"http://blog.kaizen.test/2015/gone,with-comma\""),
        "a comma is quoted"
    );
    assert!(
        text.contains("\"Weekly \"\"2015\"\" & more\""),
        "quotes are doubled"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn junit_has_a_case_per_occurrence_and_failures_for_broken_links() {
    let xml = rendered(OutputFormat::Junit);
    assert_eq!(xml.matches("<testcase ").count(), 6);
    assert_eq!(xml.matches("<failure ").count(), 3);
    assert!(xml.contains("&lt;script&gt;"), "escaped");
    insta::assert_snapshot!(xml);
}

#[test]
fn sarif_is_2_1_0_with_regions() {
    let text = rendered(OutputFormat::Sarif);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "3 failing occurrences and a redirect");
    for r in results {
        let rule = r["ruleId"].as_str().unwrap();
        assert!(v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == rule));
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(
            region["startLine"].as_u64().unwrap() >= 1
                && region["startColumn"].as_u64().unwrap() >= 1
        );
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
    }
    insta::assert_snapshot!(text);
}

#[test]
fn github_annotations_escape_and_cap() {
    let text = rendered(OutputFormat::Github);
    assert!(text.contains("::error file=_posts/2015-10-25-251.md,line=55,col=5,title=broken link::broken (404) http://blog.kaizen.test/2015/gone,with-comma"));
    assert!(text.contains("::warning file=_posts/2018-02-04-370.md,line=20"));
    insta::assert_snapshot!(text);
    // Capped to what GitHub shows.
    let mut records = fixture_records();
    records[1].occurrences = (1..=80)
        .map(|i| occurrence("_posts/x.md", i, "2020-01-01"))
        .collect();
    let big = report_of(records);
    let mut out = Vec::new();
    render(
        &big,
        OutputFormat::Github,
        &RenderOptions::default(),
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("::error") || l.starts_with("::warning"))
            .count(),
        linkrot::report::GITHUB_ANNOTATION_CAP
    );
    assert!(text.ends_with("more annotations not shown; see the full report\n"));
}

#[test]
fn html_is_self_contained_with_a_bar_per_year_and_a_table_per_issue() {
    let html = rendered(OutputFormat::Html);
    assert!(
        !html.contains("<script src") && !html.contains("<link ") && !html.contains("@import"),
        "no outside resources"
    );
    let rot = html
        .split("<svg id=\"rot\"")
        .nth(1)
        .unwrap()
        .split("</svg>")
        .next()
        .unwrap();
    assert_eq!(rot.matches("class=\"bar\"").count(), 2, "2015 and 2018");
    assert_eq!(html.matches("<details class=\"issue\"").count(), 2);
    assert!(html.contains("<a href=\"https://web.archive.org/web/20151101120000/"));
    insta::assert_snapshot!(html);
}

#[test]
fn filters_keep_what_they_say() {
    let by = |f: Filter| {
        fixture()
            .filtered(&f)
            .unwrap()
            .links
            .to_vec()
            .unwrap()
            .into_iter()
            .map(|l| l.url)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by(Filter {
            status: vec!["failing".into()],
            ..Filter::default()
        })
        .len(),
        2
    );
    assert_eq!(
        by(Filter {
            host: Some("mesh.test".into()),
            ..Filter::default()
        }),
        vec!["http://docs.mesh.test/start"]
    );
    let since = fixture()
        .filtered(&Filter {
            since: Some(time::macros::date!(2018 - 01 - 01)),
            status: vec!["broken".into()],
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(since.links.to_vec().unwrap()[0].occurrences.len(), 1);
    assert_eq!(since.summary.occurrences, 1);
    assert_eq!(
        by(Filter {
            issue: Some("370".into()),
            ..Filter::default()
        })
        .len(),
        3
    );
}

/// The counts a person reads: `(urls, links, issues, failing URLs,
/// failing links, issues with failing links)`.
fn counts(s: &linkrot::report::Summary) -> (usize, usize, usize, usize, usize, usize) {
    (
        s.urls,
        s.occurrences,
        s.issues,
        s.failing(),
        s.failing_occurrences,
        s.failing_issues,
    )
}

/// `fixture()` under `filter`, after checking that the whole run's figures
/// and the fix command are what they were.
fn kept(filter: Filter) -> Report {
    let whole = fixture();
    let r = fixture().filtered(&filter).unwrap();
    assert_eq!(
        r.overview, whole.overview,
        "the overview is the whole run's"
    );
    assert_eq!(counts(&r.overview.run), (5, 6, 2, 2, 3, 2));
    assert_eq!(r.todo.fix, whole.todo.fix, "fix rewrites the whole run");
    assert!(r.is_filtered());
    r
}

#[test]
fn the_unfiltered_counts_name_links_and_urls_apart() {
    let r = fixture();
    assert_eq!(counts(&r.summary), (5, 6, 2, 2, 3, 2));
    assert!(!r.is_filtered());
    assert_eq!(
        r.headline(),
        "2 failing URLs, cited 3 times in 2 issues, of 6 links (5 distinct URLs) in 2 issues; 0 dead, 1 broken since the previous check (1 failing at its first check), 0 recovered."
    );
}

#[test]
fn the_status_filter_counts_what_it_keeps_against_the_whole_run() {
    let r = kept(Filter {
        status: vec!["failing".into()],
        ..Filter::default()
    });
    assert_eq!(counts(&r.summary), (2, 3, 2, 2, 3, 2));
    // The regression: 3 is the failing links, not the run's links (6).
    assert_eq!(
        r.headline(),
        "Filtered: 3 links (2 distinct URLs) in 2 issues kept of the run's 6 links (5 distinct URLs) in 2 issues; 2 failing URLs, cited 3 times in 2 issues; 0 dead, 1 broken since the previous check (1 failing at its first check), 0 recovered."
    );
    let mut md = Vec::new();
    render(
        &r,
        OutputFormat::Markdown,
        &RenderOptions::default(),
        &mut md,
    )
    .unwrap();
    assert!(String::from_utf8(md).unwrap().contains(&r.headline()));
    assert_eq!(r.todo.most_cited.total, 2);
    assert_eq!(r.todo.moved.total, 0, "not failing: filtered out");

    let r = kept(Filter {
        status: vec!["redirected".into()],
        ..Filter::default()
    });
    assert_eq!(counts(&r.summary), (1, 1, 1, 0, 0, 0));
    assert_eq!(r.todo.moved.total, 1);
}

#[test]
fn the_issue_filter_counts_the_occurrences_in_the_issues_it_keeps() {
    let r = kept(Filter {
        issue: Some("370".into()),
        ..Filter::default()
    });
    assert_eq!(counts(&r.summary), (3, 3, 1, 1, 1, 1));
    let gone = &r.todo.most_cited.items[0];
    assert_eq!((gone.cited, gone.issues), (1, 1), "only the kept citation");
}

#[test]
fn the_since_filter_counts_the_issues_dated_from_that_day() {
    let r = kept(Filter {
        since: Some(time::macros::date!(2018 - 01 - 01)),
        ..Filter::default()
    });
    assert_eq!(counts(&r.summary), (3, 3, 1, 1, 1, 1));
    let r = kept(Filter {
        since: Some(time::macros::date!(2019 - 01 - 01)),
        ..Filter::default()
    });
    assert_eq!(counts(&r.summary), (0, 0, 0, 0, 0, 0));
    assert!(r
        .headline()
        .starts_with("Filtered: 0 links (0 distinct URLs) in 0 issues kept"));
}

#[test]
fn the_host_filter_counts_the_links_on_that_host_and_its_subdomains() {
    let r = kept(Filter {
        host: Some("kaizen.test".into()),
        ..Filter::default()
    });
    assert_eq!(counts(&r.summary), (1, 2, 2, 1, 2, 2));
    let r = kept(Filter {
        host: Some("slow.test".into()),
        ..Filter::default()
    });
    assert_eq!(counts(&r.summary), (1, 1, 1, 1, 1, 1));
}

#[test]
fn the_lint_filter_counts_the_findings_it_keeps() {
    use linkrot::lint::LintLevel;
    let lint = |level| {
        let r = draft_fixture()
            .filtered(&Filter {
                lint: level,
                ..Filter::default()
            })
            .unwrap();
        assert_eq!(
            (r.overview.run.lint_errors, r.overview.run.lint_notes),
            (3, 4)
        );
        (
            r.summary.lint_errors,
            r.summary.lint_notes,
            r.findings().count(),
        )
    };
    assert_eq!(lint(LintLevel::All), (3, 4, 7));
    assert_eq!(lint(LintLevel::Errors), (3, 0, 3));
    assert_eq!(lint(LintLevel::None), (0, 0, 0));
    let r = draft_fixture()
        .filtered(&Filter {
            lint: LintLevel::Errors,
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(
        counts(&r.summary),
        counts(&r.overview.run),
        "links untouched"
    );
    assert!(r.is_filtered(), "findings were left out");
}

/// The fixture as a run given the absolute folder `/srv/news/_posts`.
fn fixture_under_srv_news() -> Report {
    let mut records = fixture_records();
    for l in &mut records {
        for o in &mut l.occurrences {
            o.path = format!("/srv/news/{}", o.path);
        }
    }
    let mut r = report_of(records);
    r.run.inputs = vec!["/srv/news/_posts".into()];
    r
}

fn shown(r: &Report, format: OutputFormat) -> String {
    let mut out = Vec::new();
    render(r, format, &RenderOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn paths_are_shown_from_the_input_folder_and_json_keeps_them_as_stored() {
    let r = fixture_under_srv_news();
    let md = shown(&r, OutputFormat::Markdown);
    assert!(md.contains("\n`2015-10-25-251.md`\n"), "{md}");
    assert!(!md.contains("/srv/news/"), "{md}");
    let md = shown(
        &r.clone().with_cwd(std::path::Path::new("/srv/news")),
        OutputFormat::Markdown,
    );
    assert!(md.contains("\n`_posts/2015-10-25-251.md`\n"), "{md}");
    let html = shown(&r, OutputFormat::Html);
    assert!(
        html.contains("&middot; 2015-10-25-251.md</span></summary>"),
        "{html}"
    );
    let json = shown(&r, OutputFormat::Json);
    assert!(json.contains("\"path\": \"/srv/news/_posts/2015-10-25-251.md\""));
}

/// Terminal lines, annotations, SARIF and JUnit name a file as a tool
/// opens it from the current folder (the checkout, in CI): relative to it
/// when under it, else as stored, never cut to the input folder.
#[test]
fn tool_formats_name_files_from_the_current_folder_or_as_stored() {
    let r = fixture_under_srv_news();
    let here = r.clone().with_cwd(std::path::Path::new("/srv/news"));
    let elsewhere = r.clone().with_cwd(std::path::Path::new("/home/me"));
    for (format, relative, absolute) in [
        (
            OutputFormat::Terminal,
            "\n_posts/2015-10-25-251.md:",
            "\n/srv/news/_posts/2015-10-25-251.md:",
        ),
        (
            OutputFormat::Github,
            "file=_posts/2015-10-25-251.md,",
            "file=/srv/news/_posts/2015-10-25-251.md,",
        ),
        (
            OutputFormat::Sarif,
            "\"uri\": \"_posts/2015-10-25-251.md\"",
            "\"uri\": \"/srv/news/_posts/2015-10-25-251.md\"",
        ),
        (
            OutputFormat::Junit,
            "name=\"_posts/2015-10-25-251.md\"",
            "name=\"/srv/news/_posts/2015-10-25-251.md\"",
        ),
    ] {
        let out = shown(&here, format);
        assert!(out.contains(relative), "{format:?} from /srv/news: {out}");
        assert!(
            !out.contains("/srv/news/"),
            "{format:?} from /srv/news: {out}"
        );
        let out = shown(&elsewhere, format);
        assert!(out.contains(absolute), "{format:?} from /home/me: {out}");
    }
}

/// Where .ci/run puts the official SARIF 2.1.0 schema.
fn sarif_schema() -> Option<std::path::PathBuf> {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/sarif-schema/package/lib/schemas/sarif-2.1.0-rtm.5.json");
    p.exists().then_some(p)
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    let (Some(schema), true) = (sarif_schema(), validator) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must validate SARIF: .ci/run fetches the schema and jsonschema"
        );
        eprintln!("SARIF schema or python3-jsonschema not available; skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("report.sarif");
    std::fs::write(&log, rendered(OutputFormat::Sarif)).unwrap();
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\njsonschema.validate(json.load(open(sys.argv[2])), schema, cls=jsonschema.Draft7Validator)\nprint('valid')";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .arg(&log)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "valid");
}

/// What the archive's database would answer about the draft's links.
struct Archive;

impl linkrot::lint::LintContext for Archive {
    fn first_cited(
        &self,
        url: &str,
        _path: &str,
        _date: Option<time::Date>,
    ) -> Option<linkrot::lint::EarlierCitation> {
        (url == "https://old.test/story").then(|| linkrot::lint::EarlierCitation {
            path: "_posts/2019-03-14-12.md".into(),
            date: Some(time::macros::date!(2019 - 03 - 14)),
            title: Some("Issue #12".into()),
            issues: 1,
        })
    }
    fn https_works(&self, http_url: &str) -> bool {
        http_url == "http://a.test/"
    }
}

/// A draft with every kind of finding and one broken link, as `check`
/// reports it: the findings are what lint makes of the real text.
pub fn draft_fixture() -> Report {
    use linkrot::lint::{lint, LintLevel};
    use linkrot::store::StoredFinding;
    let text = "---\ntitle: Next issue\ndate: 2026-12-01\n---\n\
                [Reddit](REDDIT_LINK_HERE) and [slides]()\n\
                [typo](hhttps://example.test/) [old](https://old.test/story)\n\
                [t](https://a.test/?utm_source=news) [i](http://a.test/)\n\
                [x](https://a.test/<x>) [x again](https://a.test/<x>) [gone](https://gone.test/<b>)\n\
                [post](/2019/post/)\n";
    let path = "drafts/2026-12-01-next.md";
    let doc = linkrot::source::document_from_bytes(
        path.into(),
        text.as_bytes().to_vec(),
        linkrot::extract::Format::Markdown,
        path,
    )
    .unwrap()
    .0;
    let links = linkrot::extract::extract(&doc.text, doc.body_start, doc.format);
    let findings = lint(&doc, &links, &Archive, LintLevel::All);
    let mut records: Vec<LinkRecord> = Vec::new();
    for l in &links {
        let mut o = occurrence(path, l.line, "2026-12-01");
        o.column = l.column;
        o.issue_title = Some("Next issue".into());
        match records.iter_mut().find(|r| r.url == l.url) {
            Some(r) => r.occurrences.push(o),
            None => {
                let (status, code) = match l.url.as_str() {
                    "https://gone.test/<b>" => (Status::Broken, Some(404)),
                    "http://a.test/" => (Status::Ok, Some(200)),
                    u if u.starts_with("https://") => (Status::Ok, Some(200)),
                    _ => (Status::Unsupported, None),
                };
                records.push(link(&l.url, status, code, vec![o]));
            }
        }
    }
    records.sort_by(|a, b| a.url.cmp(&b.url));
    let run = RunInfo {
        id: 8,
        started_at: "2026-12-01T09:00:00Z".into(),
        finished_at: "2026-12-01T09:00:01Z".into(),
        inputs: vec!["drafts/2026-12-01-next.md".into()],
    };
    let stored = findings
        .into_iter()
        .map(|f| StoredFinding {
            path: path.into(),
            line: f.line,
            column: f.column,
            kind: f.kind,
            url: f.url,
            message: f.message,
            issue_date: doc.date,
        })
        .collect();
    Report::new(
        run,
        Links::held(records, &Policy::default()),
        &[],
        stored,
        4,
    )
    .unwrap()
}

fn rendered_draft(format: OutputFormat) -> String {
    let mut out = Vec::new();
    render(
        &draft_fixture(),
        format,
        &RenderOptions::default(),
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn every_format_shows_every_kind_of_lint_finding() {
    use linkrot::lint::LintKind;
    let report = draft_fixture();
    let kinds: Vec<LintKind> = report.findings().filter_map(|f| f.lint()).collect();
    for kind in LintKind::ALL {
        assert!(kinds.contains(&kind), "the fixture has a {kind:?}");
    }
    assert_eq!(
        (report.summary.lint_errors, report.summary.lint_notes),
        (3, 4)
    );
    assert_eq!(
        report.summary.relative_unchecked, 1,
        "/2019/post/, not the placeholder"
    );
    assert!(report.fails(linkrot::report::FailOn::Broken));

    let terminal = rendered_draft(OutputFormat::Terminal);
    assert!(terminal.contains("drafts/2026-12-01-next.md:5:10: error[placeholder]: placeholder destination 'REDDIT_LINK_HERE'"));
    assert!(terminal.contains("1 relative link not checked (pass --base-url)\n"));
    insta::assert_snapshot!("lint_terminal", terminal);

    let json: serde_json::Value =
        serde_json::from_str(&rendered_draft(OutputFormat::Json)).unwrap();
    let problems = json["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 7);
    for p in problems {
        for key in [
            "path", "line", "column", "kind", "severity", "url", "message",
        ] {
            assert!(!p[key].is_null(), "{key} in {p}");
        }
    }
    insta::assert_snapshot!(
        "lint_json_problems",
        serde_json::to_string_pretty(problems).unwrap()
    );

    let md = rendered_draft(OutputFormat::Markdown);
    assert_eq!(
        md.matches("\n- [ ] line ").count(),
        1 + 7,
        "the broken link, then the findings"
    );
    insta::assert_snapshot!("lint_markdown", md);

    let csv_text = rendered_draft(OutputFormat::Csv);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let lint_col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "lint")
        .unwrap();
    let tagged: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[lint_col].to_string())
        .filter(|k| !k.is_empty())
        .collect();
    assert_eq!(tagged.len(), 7, "{tagged:?}");
    insta::assert_snapshot!("lint_csv", csv_text);

    let xml = rendered_draft(OutputFormat::Junit);
    assert!(
        xml.contains(r#"<testsuites name="linkrot" tests="17" failures="4">"#),
        "{xml}"
    );
    assert_eq!(xml.matches("<system-out>note[").count(), 4);
    insta::assert_snapshot!("lint_junit", xml);

    let sarif: serde_json::Value =
        serde_json::from_str(&rendered_draft(OutputFormat::Sarif)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let lint_results: Vec<_> = results
        .iter()
        .filter(|r| r["ruleId"] != "broken-link")
        .collect();
    assert_eq!(lint_results.len(), 7);
    for r in &lint_results {
        let kind = LintKind::parse(r["ruleId"].as_str().unwrap()).unwrap();
        assert_eq!(r["level"], kind.severity().as_str());
        assert!(r["locations"][0]["physicalLocation"]["region"]["startColumn"].as_u64() >= Some(1));
    }
    insta::assert_snapshot!(
        "lint_sarif_results",
        serde_json::to_string_pretty(results).unwrap()
    );

    let github = rendered_draft(OutputFormat::Github);
    assert_eq!(github.matches("::error ").count(), 1 + 3);
    assert_eq!(github.matches("::notice ").count(), 4);
    insta::assert_snapshot!("lint_github", github);

    let html = rendered_draft(OutputFormat::Html);
    let section = html.split("<section class=\"lint\">").nth(1).unwrap();
    assert_eq!(section.matches("<tr><td>").count(), 7);
    assert!(
        section.contains("https://a.test/&lt;x&gt; is linked twice") && !section.contains("<x>"),
        "escaped"
    );
    insta::assert_snapshot!(
        "lint_html_section",
        section.split("</section>").next().unwrap()
    );
}

/// Validates a JSON report against `schema/report.schema.json` (JSON
/// Schema 2020-12, with Python's jsonschema, which .ci/run installs).
pub fn assert_valid_report(json: &[u8]) {
    let has_validator = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_validator {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must validate reports: .ci/run installs jsonschema"
        );
        eprintln!("python3-jsonschema not available; report not validated");
        return;
    }
    let schema =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    std::fs::write(&report, json).unwrap();
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\njsonschema.Draft202012Validator.check_schema(schema)\njsonschema.validate(json.load(open(sys.argv[2])), schema, cls=jsonschema.Draft202012Validator)\nprint('valid')";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the report does not match the schema: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(json)
    );
}

#[test]
fn json_matches_the_published_schema_with_every_field_filled() {
    let mut records = fixture_records();
    records[1].remapped = Some("https://mirror.test/2015/gone".into());
    records[1].fragment = Some(linkrot::check::Fragment {
        name: "top".into(),
        found: Some(false),
    });
    records[1].occurrences[1].archive = records[1].archive.clone();
    let mut report = report_of(records);
    report.crawl = Some(linkrot::crawl::CrawlSummary {
        pages: 3,
        ..Default::default()
    });
    let mut out = Vec::new();
    render(
        &report,
        OutputFormat::Json,
        &RenderOptions::default(),
        &mut out,
    )
    .unwrap();
    assert_valid_report(&out);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["links"][1]["remapped"], "https://mirror.test/2015/gone");
    let mut out = Vec::new();
    let failing = fixture()
        .filtered(&Filter {
            status: vec!["failing".into()],
            ..Filter::default()
        })
        .unwrap();
    render(
        &failing,
        OutputFormat::Json,
        &RenderOptions::default(),
        &mut out,
    )
    .unwrap();
    assert_valid_report(&out);
}
