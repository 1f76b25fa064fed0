//! Email issues: MIME decoding, which part links come from, mbox, and the
//! Devops Weekly emails against their markdown copies.

use linkrot::extract::{extract, Format};
use linkrot::source::{read, Document, Input};
use std::path::Path;

fn docs(path: &Path) -> Vec<Document> {
    let format = Format::from_path(path).expect("a format linkrot reads");
    read(&Input::File(path.to_path_buf(), format))
        .expect("readable")
        .0
}

fn urls(doc: &Document) -> Vec<String> {
    extract(&doc.text, doc.body_start, doc.format)
        .into_iter()
        .map(|l| l.url)
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text.replace('\n', "\r\n")).unwrap();
    p
}

#[test]
fn quoted_printable_soft_breaks_inside_urls_are_joined() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "300.mail.txt",
        "Subject: =?utf-8?Q?Devops=20Weekly=20#300?=\nDate: Sun, 25 Sep 2016 10:48:59 +0000\n\nA long one: https://blog.scherer.test/run-linux-and-windows-containers-on-window=\ns-10/\nand caf=C3=A9 http://x.test/a=3Db\n",
    );
    let d = &docs(&p)[0];
    assert_eq!(d.title.as_deref(), Some("Devops Weekly #300"));
    assert_eq!(d.date.unwrap().to_string(), "2016-09-25");
    assert!(
        !d.rewritable,
        "fix never rewrites decoded text into an email"
    );
    assert_eq!(
        urls(d),
        vec![
            "https://blog.scherer.test/run-linux-and-windows-containers-on-windows-10/",
            "http://x.test/a=b"
        ]
    );
    assert!(d.text.contains("café"));
}

#[test]
fn multipart_alternative_takes_the_html_part_and_base64_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let html_b64 = "PHA+PGEgaHJlZj0iaHR0cHM6Ly9odG1sLnRlc3QvcG9zdCI+cG9zdDwvYT48L3A+"; // <p><a href="https://html.test/post">post</a></p>
    let p = write(
        dir.path(),
        "issue.eml",
        &format!(
            "Subject: Issue 12\nDate: Mon, 2 Jan 2017 09:00:00 +0100\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nText part: https://text.test/post\n--b1\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n{html_b64}\n--b1--\n"
        ),
    );
    let d = &docs(&p)[0];
    assert_eq!(d.format, Format::Html);
    assert_eq!(urls(d), vec!["https://html.test/post"]);
    assert_eq!(d.date.unwrap().to_string(), "2017-01-02");

    let p = write(
        dir.path(),
        "plain.eml",
        "Subject: Plain\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\naHR0cHM6Ly9iNjQudGVzdC94\n",
    );
    assert_eq!(urls(&docs(&p)[0]), vec!["https://b64.test/x"]);
}

#[test]
fn an_mbox_is_one_issue_per_message() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "archive.mbox",
        "From news@x.test Sun Jan 20 12:08:21 2013\nSubject: One\nDate: Sun, 20 Jan 2013 12:08:21 +0000\n\nhttp://one.test/\n\nFrom news@x.test Sun Jan 27 12:08:21 2013\nSubject: Two\nDate: Sun, 27 Jan 2013 12:08:21 +0000\n\nhttp://two.test/\n",
    );
    let all = docs(&p);
    assert_eq!(all.len(), 2);
    assert!(all[1].path.ends_with("archive.mbox#2"));
    assert_eq!(
        (all[1].title.as_deref(), urls(&all[1])),
        (Some("Two"), vec!["http://two.test/".to_string()])
    );
}

/// The raw emails of the archive hold the links of the markdown issues,
/// apart from the subscribe link of their footer and the links whose
/// markdown copy kept a trailing `.` (a plain-text reader would not click it).
#[test]
fn devopsweekly_emails_hold_the_links_of_their_markdown_issues() {
    let Some(corpus) = crate::kit::corpus_dir() else {
        eprintln!("shared corpus not present; skipped");
        return;
    };
    let mut posts: Vec<_> = std::fs::read_dir(corpus.join("_posts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    posts.sort();
    let mut compared = 0;
    for post in posts.iter().step_by(7) {
        let name = post.file_name().unwrap().to_string_lossy().to_string();
        let num = name
            .trim_end_matches(".md")
            .rsplit('-')
            .next()
            .unwrap()
            .to_string();
        let mail = corpus.join("originals").join(format!("{num}.mail.txt"));
        let md: std::collections::BTreeSet<String> = urls(&docs(post)[0])
            .into_iter()
            .filter(|u| u.starts_with("http"))
            .collect();
        let em: std::collections::BTreeSet<String> = urls(&docs(&mail)[0])
            .into_iter()
            .filter(|u| u.starts_with("http"))
            .collect();
        for u in md.difference(&em) {
            assert!(
                u.ends_with('.') && em.contains(u.trim_end_matches('.')),
                "issue {num}: {u} is missing from the email"
            );
        }
        for u in em.difference(&md) {
            assert!(
                u.strip_prefix("http://") == Some("devopsweekly.com")
                    || md.contains(&format!("{u}.")),
                "issue {num}: {u} is only in the email"
            );
        }
        compared += 1;
    }
    assert!(compared >= 80, "{compared} issues compared");
}
