//! Lint: every kind, found where it is written and not where it is not;
//! every format; the levels; `linkrot links --lint` from the outside.

use crate::kit::linkrot;
use linkrot::extract::{extract, Format};
use linkrot::lint::{
    lint, EarlierCitation, Finding, LintContext, LintKind, LintLevel, LintSeverity, NoContext,
};
use linkrot::source::{document_from_bytes, Document};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use time::macros::date;

fn doc(path: &str, text: &str, format: Format) -> Document {
    document_from_bytes(path.into(), text.as_bytes().to_vec(), format, path)
        .unwrap()
        .0
}

fn findings(text: &str, format: Format, ctx: &dyn LintContext, level: LintLevel) -> Vec<Finding> {
    let d = doc("drafts/2026-12-01-draft.md", text, format);
    let links = extract(&d.text, d.body_start, d.format);
    lint(&d, &links, ctx, level)
}

/// `(kind, line, column)` of every finding of a markdown text, nothing known.
fn kinds(text: &str) -> Vec<(LintKind, u32, u32)> {
    kinds_in(text, Format::Markdown)
}

fn kinds_in(text: &str, format: Format) -> Vec<(LintKind, u32, u32)> {
    findings(text, format, &NoContext, LintLevel::All)
        .into_iter()
        .map(|f| (f.kind, f.line, f.column))
        .collect()
}

/// What the database and the project would say, and how often lint asked.
#[derive(Default)]
struct Known {
    cited: HashMap<String, EarlierCitation>,
    https: HashSet<String>,
    files: HashSet<String>,
    questions: Cell<usize>,
}

impl LintContext for Known {
    fn first_cited(
        &self,
        url: &str,
        path: &str,
        date: Option<time::Date>,
    ) -> Option<EarlierCitation> {
        self.questions.set(self.questions.get() + 1);
        assert_eq!(path, "drafts/2026-12-01-draft.md");
        assert_eq!(date, Some(date!(2026 - 12 - 01)));
        self.cited.get(url).cloned()
    }
    fn https_works(&self, http_url: &str) -> bool {
        self.questions.set(self.questions.get() + 1);
        self.https.contains(http_url)
    }
    fn relative_exists(&self, doc_path: &str, target: &str) -> bool {
        assert_eq!(doc_path, "drafts/2026-12-01-draft.md");
        self.files.contains(target)
    }
}

#[test]
fn placeholders_left_in_are_errors_at_the_destination() {
    use LintKind::Placeholder as P;
    let text = "\
[Reddit](REDDIT_LINK_HERE) and [talk](INSERT_LINK_HERE)
[a](TODO) [b](TBD) [c](XXX) [d](LINK) [e](URL) [f](#) [g](...) [h](YOUR_URL)
[i](http://TODO) [j](<INSERT LINK HERE>) [k](talk) <a href=\"TBD\">l</a>

[ref]: FIXME
";
    assert_eq!(
        kinds(text),
        vec![
            (P, 1, 10),
            (P, 1, 39),
            (P, 2, 5),
            (P, 2, 15),
            (P, 2, 24),
            (P, 2, 33),
            (P, 2, 43),
            (P, 2, 52),
            (P, 2, 59),
            (P, 2, 68),
            (P, 3, 5),
            (P, 3, 23),
            (P, 3, 46),
            (P, 3, 61),
            (P, 5, 8),
        ]
    );
    let f = findings(
        "[Reddit](REDDIT_LINK_HERE)\n",
        Format::Markdown,
        &NoContext,
        LintLevel::All,
    );
    assert_eq!(f[0].severity, LintSeverity::Error);
    assert_eq!(f[0].url, "REDDIT_LINK_HERE");
    assert_eq!(
        f[0].message,
        "placeholder destination 'REDDIT_LINK_HERE': replace it with the link's URL"
    );
    let f = findings(
        "[talk](talk)\n",
        Format::Markdown,
        &NoContext,
        LintLevel::All,
    );
    assert!(
        f[0].message.contains("no file of that name"),
        "{}",
        f[0].message
    );
}

#[test]
fn fragments_files_of_the_project_and_real_urls_are_not_placeholders() {
    let ctx = Known {
        files: ["notes".to_string(), "LINK".to_string()].into(),
        ..Known::default()
    };
    let text = "[s](#section) [r](README.md) [n](notes) [l](LINK) [m](mailto:someone@example.com) \
                [u](https://linkhere.test/todo) [t]({{ site.url }}/x) [p]({% post_url 2019-01-01-a %})\n";
    let got = findings(text, Format::Markdown, &ctx, LintLevel::Errors);
    assert_eq!(
        got,
        vec![],
        "README.md need not exist: only bare words are placeholders"
    );
}

#[test]
fn empty_destinations_are_errors() {
    use LintKind::EmptyLink as E;
    assert_eq!(
        kinds("[slides]() and <a href=\"\">deck</a> and ![]() and [x](<>)\n"),
        vec![(E, 1, 10), (E, 1, 25), (E, 1, 44), (E, 1, 55)]
    );
    let f = findings("[slides]()\n", Format::Markdown, &NoContext, LintLevel::All);
    assert_eq!(
        f[0].message,
        "empty link destination 'slides': put the link's URL between the parentheses"
    );
    assert_eq!(
        kinds("[x](https://a.test/) <a href=\"https://a.test/y\">y</a>\n"),
        vec![]
    );
}

#[test]
fn mistyped_and_missing_schemes_are_malformed() {
    for (written, says) in [
        ("hhttps://a.test/x", "write https://a.test/x"),
        ("ttps://a.test/x", "write https://a.test/x"),
        ("htps://a.test/x", "write https://a.test/x"),
        ("htp://a.test/x", "write http://a.test/x"),
        ("Hhttps://a.test/x", "mistyped scheme 'Hhttps://': write https://a.test/x"),
        ("http//a.test/x", "':' missing after 'http': write http://a.test/x"),
        ("HTTPS//a.test/x", "':' missing after 'https': write https://a.test/x"),
        ("https:/a.test/x", "one '/' missing after 'https': write https://a.test/x"),
        ("http:a.test/x", "'//' missing after 'http': write http://a.test/x"),
        ("https:///a.test/x", "write https://a.test/x"),
        ("http://https://a.test/x", "scheme twice"),
        ("www.example.com", "has no scheme, so it is read as a file next to this page: write https://www.example.com"),
        ("github.com/a/b", "write https://github.com/a/b"),
    ] {
        let f = findings(&format!("[x]({written})\n"), Format::Markdown, &NoContext, LintLevel::All);
        assert_eq!(f.len(), 1, "{written}: {f:?}");
        assert_eq!((f[0].kind, f[0].column), (LintKind::MalformedUrl, 5), "{written}");
        assert!(f[0].message.contains(says), "{written}: {}", f[0].message);
    }
}

#[test]
fn spaces_invisible_characters_and_unbalanced_parentheses_are_malformed() {
    use LintKind::MalformedUrl as M;
    let text = "\
[a](http://x.test/a b) and <a href=\"http://x.test/c d\">c</a>
[z](http://x.test/\u{200b}zero) and [f](https://w.test/wiki/Foo_(bar) cut
[e](https://w.test/wiki/Foo_\\(bar)
";
    assert_eq!(
        kinds(text),
        vec![(M, 1, 5), (M, 1, 37), (M, 2, 5), (M, 2, 34), (M, 3, 5)]
    );
    let f = findings(text, Format::Markdown, &NoContext, LintLevel::All);
    assert!(f[0]
        .message
        .contains("has a space, so markdown shows the link as text"));
    assert!(f[2].message.contains("U+200B"), "{}", f[2].message);
    assert!(
        f[3].message.starts_with("unbalanced parenthesis"),
        "{}",
        f[3].message
    );
}

#[test]
fn valid_urls_of_every_shape_are_not_malformed() {
    let text = "\
[m](mailto:someone@example.com?subject=Hi%20there) [f](ftp://x.test/) [s](sftp://x.test/)
[w](https://w.test/wiki/Foo_(bar)) [r](post.html) [u](../img/a.png) [q](/2019/post/)
[j](javascript:void(0)) [t](tel:+1-555-0100) <https://a.test/auto> https://a.test/bare
[i](https://a.test/search?q=a%20b&x=(1)) [e](https://é.test/ü)
<a href=\"mailto:a@b.test?subject=Hi there\">mail</a>
";
    assert_eq!(kinds(text), vec![]);
}

#[test]
fn the_same_url_twice_in_one_issue_is_a_note_on_the_second() {
    use LintKind::Duplicate as D;
    let text = "\
[a](https://a.test/x) and later [again](https://a.test/x)
[![shot](https://a.test/i.png)](https://a.test/i.png) [https://a.test/u](https://a.test/u)
[p](https://a.test/x#one) [q](https://a.test/x#two)
";
    assert_eq!(kinds(text), vec![(D, 1, 41)]);
    let f = findings(text, Format::Markdown, &NoContext, LintLevel::All);
    assert_eq!(f[0].severity, LintSeverity::Note);
    assert_eq!(
        f[0].message,
        "https://a.test/x is linked twice in this issue (first at 1:5): drop one unless both are meant"
    );
}

#[test]
fn a_url_featured_in_an_earlier_issue_is_a_note_naming_it() {
    let citation = |issues| EarlierCitation {
        path: "_posts/2019-03-14-12.md".into(),
        date: Some(date!(2019 - 03 - 14)),
        title: Some("Issue #12".into()),
        issues,
    };
    let ctx = Known {
        cited: [
            ("https://old.test/story".to_string(), citation(1)),
            ("https://sponsor.test/".to_string(), citation(40)),
        ]
        .into(),
        ..Known::default()
    };
    let text = "---\ndate: 2026-12-01\n---\n[a](https://old.test/story) [b](https://new.test/) [s](https://sponsor.test/)\n";
    let f = findings(text, Format::Markdown, &ctx, LintLevel::All);
    assert_eq!(
        f.len(),
        1,
        "a recurring link is not news featured twice: {f:?}"
    );
    assert_eq!(
        (f[0].kind, f[0].line, f[0].column),
        (LintKind::SeenBefore, 4, 5)
    );
    assert_eq!(
        f[0].message,
        "https://old.test/story was already featured in 'Issue #12' of 2019-03-14 \
         (_posts/2019-03-14-12.md): make sure it is meant to run again"
    );
    // Errors only: the database is not asked.
    let before = ctx.questions.get();
    assert!(findings(text, Format::Markdown, &ctx, LintLevel::Errors).is_empty());
    assert_eq!(ctx.questions.get(), before);
}

#[test]
fn tracking_parameters_are_a_note_and_look_alikes_are_not() {
    let text = "[a](https://a.test/p?utm_source=news&utm_medium=email&id=3) [b](https://a.test/q?fbclid=x)\n\
                [c](https://a.test/r?utmost=1&mc_eids=2) [d](https://a.test/s#utm_source=x)\n";
    let f = findings(text, Format::Markdown, &NoContext, LintLevel::All);
    let got: Vec<_> = f.iter().map(|f| (f.kind, f.line, f.column)).collect();
    assert_eq!(
        got,
        vec![(LintKind::Tracking, 1, 5), (LintKind::Tracking, 1, 65)]
    );
    assert_eq!(
        f[0].message,
        "tracking parameters utm_source, utm_medium left in \
         https://a.test/p?utm_source=news&utm_medium=email&id=3: remove them \
         (`linkrot fix --strip-tracking` does)"
    );
    // What the note promises, `fix` does.
    assert_eq!(
        linkrot::fix::strip_tracking(&f[0].url).as_deref(),
        Some("https://a.test/p?id=3")
    );
}

#[test]
fn an_http_link_whose_https_form_works_is_a_note() {
    let ctx = Known {
        https: ["http://a.test/secure".to_string()].into(),
        ..Known::default()
    };
    let text = "---\ndate: 2026-12-01\n---\n[a](http://a.test/secure) [b](http://a.test/plain) [c](https://a.test/s)\n";
    let f = findings(text, Format::Markdown, &ctx, LintLevel::All);
    let got: Vec<_> = f.iter().map(|f| (f.kind, f.line, f.column)).collect();
    assert_eq!(got, vec![(LintKind::Insecure, 4, 5)]);
    assert!(
        f[0].message.starts_with("https://a.test/secure works too"),
        "{}",
        f[0].message
    );
}

#[test]
fn levels_choose_what_is_found_and_an_error_gets_no_notes() {
    let text = "[a](TODO) [b](https://a.test/x?utm_source=n) [c](https://a.test/x?utm_source=n) [d](hhttps://a.test/?utm_source=n)\n";
    let at = |level| -> Vec<LintKind> {
        findings(text, Format::Markdown, &NoContext, level)
            .into_iter()
            .map(|f| f.kind)
            .collect()
    };
    assert_eq!(at(LintLevel::None), vec![]);
    assert_eq!(
        at(LintLevel::Errors),
        vec![LintKind::Placeholder, LintKind::MalformedUrl]
    );
    assert_eq!(
        at(LintLevel::All),
        vec![
            LintKind::Placeholder,
            LintKind::Tracking,
            LintKind::Duplicate,
            LintKind::Tracking,
            LintKind::MalformedUrl,
        ]
    );
}

#[test]
fn every_format_is_linted_at_the_exact_place() {
    use LintKind::{EmptyLink as E, MalformedUrl as M, Placeholder as P};
    assert_eq!(
        kinds_in(
            "h1. Draft\n\n\"talk\":TODO and !#! and \"slides\":htps://s.test/deck\n",
            Format::Textile
        ),
        vec![(P, 3, 8), (P, 3, 18), (M, 3, 34)]
    );
    assert_eq!(
        kinds_in(
            "Draft\n=====\n\nSee `talk <TODO>`_ and `x <htp://a.test/>`_.\n\n.. _slides: INSERT_LINK_HERE\n",
            Format::Rst
        ),
        vec![(P, 4, 12), (M, 4, 28), (P, 6, 13)]
    );
    assert_eq!(
        kinds_in(
            "= Draft\n\nSee link:TODO[talk], link:[empty] and https://w.test/wiki/Foo_(bar) too.\n",
            Format::AsciiDoc
        ),
        vec![(P, 3, 10), (E, 3, 27), (M, 3, 39)]
    );
    assert_eq!(
        kinds_in(
            "<p><a href=\"#\">x</a> <a href=\"\">y</a></p>\n",
            Format::Html
        ),
        vec![(P, 1, 13), (E, 1, 31)]
    );
}

/// A draft of 200 links of every kind: each finding counted once. (Its
/// speed is measured in `benches/pipeline.rs`, not here.)
#[test]
fn a_200_link_draft_gets_each_finding_once() {
    let mut text = String::from("---\ntitle: Draft\ndate: 2026-12-01\n---\n");
    for i in 0..200 {
        let dest = match i % 10 {
            0 => "TODO".to_string(),
            1 => String::new(),
            2 => format!("hhttps://site{i}.test/"),
            3 => "https://dup.test/same".to_string(),
            4 => format!("https://site{i}.test/?utm_source=news"),
            5 => format!("http://site{i}.test/"),
            6 => format!("https://old{i}.test/"),
            _ => format!("https://site{i}.test/post-{i}"),
        };
        text.push_str(&format!("- [Story {i}]({dest}) and more words\n"));
    }
    let ctx = Known {
        cited: (0..200)
            .filter(|i| i % 10 == 6)
            .map(|i| {
                (
                    format!("https://old{i}.test/"),
                    EarlierCitation {
                        path: "_posts/2019-03-14-12.md".into(),
                        date: None,
                        title: None,
                        issues: 1,
                    },
                )
            })
            .collect(),
        https: (0..200)
            .filter(|i| i % 10 == 5)
            .map(|i| format!("http://site{i}.test/"))
            .collect(),
        ..Known::default()
    };
    let f = findings(&text, Format::Markdown, &ctx, LintLevel::All);
    let mut count: HashMap<LintKind, usize> = HashMap::new();
    for f in &f {
        *count.entry(f.kind).or_default() += 1;
    }
    assert_eq!(count[&LintKind::Placeholder], 20);
    assert_eq!(count[&LintKind::EmptyLink], 20);
    assert_eq!(count[&LintKind::MalformedUrl], 20);
    assert_eq!(count[&LintKind::Duplicate], 19);
    assert_eq!(count[&LintKind::Tracking], 20);
    assert_eq!(count[&LintKind::Insecure], 20);
    assert_eq!(count[&LintKind::SeenBefore], 20);
    assert_eq!(f.len(), 139);
    // The database is asked once per distinct web URL without an error (121
    // first_cited), and once per such http:// URL (20 https_works).
    assert_eq!(ctx.questions.get(), 121 + 20);
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn links_prints_findings_after_the_links_and_exits_2_on_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "# project\n").unwrap();
    let draft = dir.path().join("draft.md");
    std::fs::write(
        &draft,
        "[Reddit](REDDIT_LINK_HERE) [r](README.md) [a](https://a.test/x)\n[b](https://a.test/x?utm_source=n)\n",
    )
    .unwrap();
    let o = linkrot().arg("links").arg(&draft).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let p = draft.display();
    assert_eq!(
        stdout(&o),
        format!(
            "{p}:1:10 REDDIT_LINK_HERE\n\
             {p}:1:32 README.md\n\
             {p}:1:47 https://a.test/x\n\
             {p}:2:5 https://a.test/x?utm_source=n\n\
             {p}:1:10: error[placeholder]: placeholder destination 'REDDIT_LINK_HERE': replace it with the link's URL\n\
             {p}:2:5: note[tracking]: tracking parameter utm_source left in https://a.test/x?utm_source=n: remove it (`linkrot fix --strip-tracking` does)\n"
        )
    );
    assert_eq!(String::from_utf8_lossy(&o.stderr), "1 error, 1 note\n");

    let o = linkrot()
        .args(["links", "--fail-on", "none"])
        .arg(&draft)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let o = linkrot()
        .args(["links", "--lint", "errors"])
        .arg(&draft)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!stdout(&o).contains("note["));
    let o = linkrot()
        .args(["links", "--lint", "none"])
        .arg(&draft)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).lines().count(), 4);
    assert!(o.stderr.is_empty());
    // An unreadable input outranks lint errors.
    let o = linkrot()
        .arg("links")
        .arg(&draft)
        .arg(dir.path().join("missing.md"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn links_json_keeps_the_array_and_gives_each_link_its_problems() {
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("draft.md");
    std::fs::write(&draft, "[slides]() [a](/2019/post/) [b](https://a.test/)\n").unwrap();
    let o = linkrot()
        .args([
            "links",
            "--format",
            "json",
            "--base-url",
            "https://n.example/archive",
        ])
        .arg(&draft)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let links = v.as_array().unwrap();
    assert_eq!(links.len(), 3);
    assert_eq!(
        links[0]["problems"],
        serde_json::json!([{
            "path": draft.display().to_string(),
            "line": 1,
            "column": 10,
            "kind": "empty-link",
            "severity": "error",
            "url": "",
            "message": "empty link destination 'slides': put the link's URL between the parentheses",
        }])
    );
    assert_eq!(links[1]["url"], "/2019/post/");
    assert_eq!(links[1]["resolved"], "https://n.example/2019/post/");
    assert_eq!(links[1]["problems"], serde_json::json!([]));
    assert_eq!(links[2]["resolved"], serde_json::Value::Null);

    let o = linkrot()
        .args(["links", "--base-url", "n.example"])
        .arg(&draft)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "a bad base URL is a usage error");
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid base URL 'n.example'"));
}

#[test]
fn fix_strip_tracking_removes_what_lint_notes_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2026-12-01-draft.md");
    let original = "---\r\ntitle: Draft\r\n---\r\nSee [it](https://a.test/p?x=1&utm_source=news&utm_medium=email#top)\r\n\
                    [https://b.test/?fbclid=abc](https://b.test/?fbclid=abc) and https://c.test/?a=%2F&gclid=1&b=2.\r\n\
                    <a href=\"https://d.test/?q=1&amp;mc_eid=9\">d</a> [keep](https://e.test/?utmost=1)\r\n";
    std::fs::write(&path, original).unwrap();
    let db = dir.path().join("links.db");
    let o = linkrot()
        .arg("index")
        .arg(&path)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let fix = |write: bool| {
        let mut cmd = linkrot();
        cmd.args(["fix", "--strip-tracking", "--redirects", "none"])
            .arg(&path)
            .arg("--db")
            .arg(&db);
        if write {
            cmd.arg("--write");
        }
        cmd.output().unwrap()
    };
    let diff = fix(false);
    assert!(diff.status.success(), "{diff:?}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        original,
        "no --write, no change"
    );
    let written = fix(true);
    assert!(written.status.success(), "{written:?}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "---\r\ntitle: Draft\r\n---\r\nSee [it](https://a.test/p?x=1#top)\r\n\
         [https://b.test/](https://b.test/) and https://c.test/?a=%2F&b=2.\r\n\
         <a href=\"https://d.test/?q=1\">d</a> [keep](https://e.test/?utmost=1)\r\n"
    );
    let o = linkrot().arg("links").arg(&path).output().unwrap();
    assert!(!stdout(&o).contains("note[tracking]"), "{}", stdout(&o));
    let again = fix(true);
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 links in 0 files"));
}

#[test]
fn a_bare_word_naming_a_file_of_the_project_is_not_a_placeholder() {
    use linkrot::run::lint::FsContext;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("about.md"), "# about\n").unwrap();
    std::fs::create_dir(dir.path().join("archive")).unwrap();
    let issue = dir.path().join("2026-12-01-draft.md");
    let text = "[a](about) [b](archive#2019) [c](talk) [d](TODO)\n";
    let d = doc(&issue.display().to_string(), text, Format::Markdown);
    let links = extract(&d.text, d.body_start, d.format);
    let got: Vec<_> = lint(&d, &links, &FsContext, LintLevel::All)
        .into_iter()
        .map(|f| (f.kind, f.url))
        .collect();
    assert_eq!(
        got,
        vec![
            (LintKind::Placeholder, "talk".to_string()),
            (LintKind::Placeholder, "TODO".to_string()),
        ]
    );
}
