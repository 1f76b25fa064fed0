//! Benchmarks of the offline stages: extraction and storage, on the
//! Devops Weekly archive when `../shared` is beside the project (else on
//! `data/`). Run with `cargo bench`; figures go in BENCHMARKS.md.

use linkrot::extract::{extract, Format, Link};
use linkrot::source::frontmatter;
use linkrot::store::{Store, Write};
use std::path::PathBuf;

fn main() {
    divan::main();
}

/// Every issue of the corpus, read once: `(path, text)`.
fn corpus() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/corpus/devopsweekly/_posts");
    let dir = if shared.is_dir() {
        shared
    } else {
        root.join("data")
    };
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .filter_map(|e| {
            let p = e.ok()?.path();
            Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?))
        })
        .collect();
    out.sort();
    out
}

fn links_of(text: &str, path: &str) -> Vec<Link> {
    let format = Format::from_path(std::path::Path::new(path)).unwrap_or(Format::Markdown);
    let body = if format == Format::Markdown {
        frontmatter::parse(text).body_start
    } else {
        0
    };
    extract(text, body, format)
}

/// Extraction of every link of every issue (no I/O: texts are in memory).
#[divan::bench]
fn extract_corpus(bencher: divan::Bencher) {
    let docs = corpus();
    bencher.bench(|| {
        docs.iter()
            .map(|(p, t)| links_of(t, p).len())
            .sum::<usize>()
    });
}

/// Storing every issue with its links in a fresh database, in batches.
#[divan::bench(sample_count = 10)]
fn store_corpus(bencher: divan::Bencher) {
    let docs: Vec<(String, Vec<Link>)> = corpus()
        .into_iter()
        .map(|(p, t)| {
            let l = links_of(&t, &p);
            (p, l)
        })
        .collect();
    bencher
        .with_inputs(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("bench.db")).unwrap();
            (dir, store)
        })
        .bench_values(|(dir, mut store)| {
            let run = store
                .begin_run(0, &[], &linkrot::store::RunSettings::default())
                .unwrap();
            let writes: Vec<Write> = docs
                .iter()
                .map(|(p, links)| Write::Issue {
                    path: p.clone(),
                    title: None,
                    date: None,
                    links: links.clone().into(),
                    seen_at: 0,
                    content_hash: None,
                })
                .collect();
            for batch in writes.chunks(512) {
                store.write_batch(run, batch).unwrap();
            }
            drop(dir);
        });
}

/// A 200-link draft of every kind of link, as `lint_draft` reads it.
fn draft_200() -> (linkrot::source::Document, Vec<Link>) {
    let mut text = String::from("---\ntitle: Draft\ndate: 2026-12-01\n---\n");
    for i in 0..200 {
        let dest = match i % 10 {
            0 => "TODO".to_string(),
            1 => String::new(),
            2 => format!("hhttps://site{i}.test/"),
            3 => "https://dup.test/same".to_string(),
            4 => format!("https://site{i}.test/?utm_source=news&id={i}"),
            5 => format!("http://site{i}.test/"),
            6 => format!("www.site{i}.com/page"),
            _ => format!("https://site{i}.test/2026/12/post-{i}?page=2#section"),
        };
        text.push_str(&format!("- [Story {i}]({dest}) and more words about it\n"));
    }
    let (doc, _) = linkrot::source::document_from_bytes(
        "draft.md".into(),
        text.into_bytes(),
        Format::Markdown,
        "draft.md",
    )
    .unwrap();
    let links = extract(&doc.text, doc.body_start, doc.format);
    (doc, links)
}

/// Lint alone on a 200-link draft (the editor's case): the goal is
/// microseconds per link.
#[divan::bench]
fn lint_draft(bencher: divan::Bencher) {
    let (doc, links) = draft_200();
    assert_eq!(links.len(), 200);
    bencher.bench(|| {
        linkrot::lint::lint(
            &doc,
            &links,
            &linkrot::lint::NoContext,
            linkrot::lint::LintLevel::All,
        )
        .len()
    });
}

/// The archive in a database, as a warm one holds it: every issue with
/// its date, and an ok check of the `https://` form of each `http://`
/// link; and a 200-link draft made of the archive's links (half cited
/// once before, a fifth `http://`) and new ones.
fn warm_archive() -> (
    tempfile::TempDir,
    Store,
    linkrot::source::Document,
    Vec<Link>,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("warm.db")).unwrap();
    let run = store
        .begin_run(0, &[], &linkrot::store::RunSettings::default())
        .unwrap();
    let mut writes = Vec::new();
    let mut cited: std::collections::HashMap<String, usize> = Default::default();
    for (p, t) in corpus() {
        let format = Format::from_path(std::path::Path::new(&p)).unwrap_or(Format::Markdown);
        let (doc, _) =
            linkrot::source::document_from_bytes(p.clone(), t.into_bytes(), format, &p).unwrap();
        let links = extract(&doc.text, doc.body_start, doc.format);
        for l in &links {
            *cited.entry(l.url.clone()).or_default() += 1;
            if let Some(rest) = l.url.strip_prefix("http://") {
                writes.push(Write::Check {
                    url: format!("https://{rest}"),
                    result: linkrot::CheckResult::without_request(linkrot::Status::Ok, "ok"),
                    checked_at: 1,
                    remapped: None,
                });
            }
        }
        writes.push(Write::Issue {
            path: p,
            title: doc.title.clone(),
            date: doc.date,
            links: links.into(),
            seen_at: 0,
            content_hash: None,
        });
    }
    for batch in writes.chunks(512) {
        store.write_batch(run, batch).unwrap();
    }
    let mut once: Vec<&String> = cited
        .iter()
        .filter(|(u, n)| **n == 1 && u.starts_with("https://"))
        .map(|(u, _)| u)
        .collect();
    let mut insecure: Vec<&String> = cited.keys().filter(|u| u.starts_with("http://")).collect();
    once.sort();
    insecure.sort();
    let mut text = String::from("---\ntitle: Draft\ndate: 2026-12-01\n---\n");
    for u in once.iter().take(100).chain(insecure.iter().take(40)) {
        text.push_str(&format!("- [a story]({u})\n"));
    }
    for i in 0..60 {
        text.push_str(&format!(
            "- [new](https://new{i}.test/2026/12/post?utm_source=n)\n"
        ));
    }
    let (doc, _) = linkrot::source::document_from_bytes(
        "draft.md".into(),
        text.into_bytes(),
        Format::Markdown,
        "draft.md",
    )
    .unwrap();
    let links = extract(&doc.text, doc.body_start, doc.format);
    (dir, store, doc, links)
}

/// What `check` adds for lint on a 200-link draft against the warm
/// archive: the two queries of `lint_history`, then lint with its answers.
#[divan::bench(sample_count = 50)]
fn lint_draft_against_the_archive(bencher: divan::Bencher) {
    let (_dir, store, doc, links) = warm_archive();
    assert_eq!(links.len(), 200);
    // A connection is not `Sync`: one thread.
    bencher.bench_local(|| {
        let mut urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        urls.sort_unstable();
        urls.dedup();
        let known = store.lint_history(urls, None).unwrap();
        linkrot::lint::lint(&doc, &links, &known, linkrot::lint::LintLevel::All).len()
    });
}
