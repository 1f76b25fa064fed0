//! Extraction: every link syntax, exact positions, front matter quirks.

use linkrot::extract::{extract, Format, LinkKind};
use linkrot::source::{document_from_bytes, frontmatter};

/// Links of a markdown text as `(url, line, column, kind)`.
fn md(text: &str) -> Vec<(String, u32, u32, LinkKind)> {
    let fm = frontmatter::parse(text);
    extract(text, fm.body_start, Format::Markdown)
        .into_iter()
        .map(|l| (l.url, l.line, l.column, l.kind))
        .collect()
}

fn urls(text: &str, format: Format) -> Vec<String> {
    extract(text, 0, format)
        .into_iter()
        .map(|l| l.url)
        .collect()
}

#[test]
fn inline_link_with_url_as_text_is_one_link_at_the_destination() {
    let got = md("<br>[http://x.test/a](http://x.test/a)\n");
    assert_eq!(
        got,
        vec![("http://x.test/a".into(), 1, 23, LinkKind::Inline)]
    );
}

#[test]
fn every_markdown_syntax_is_found_with_its_position() {
    let text = "\
Intro [text](https://a.test/inline \"title\") and ![alt](https://a.test/img.png).
See <https://a.test/auto> or mail <someone@a.test>.
Bare https://a.test/bare, in prose (https://a.test/paren_(x)) end.
A [ref link][r] and <a href=\"https://a.test/html\">html</a> <img src='https://a.test/htmlimg'>.

[r]: https://a.test/ref
";
    let got = md(text);
    let find = |u: &str| {
        got.iter()
            .find(|l| l.0 == u)
            .unwrap_or_else(|| panic!("{u} not found in {got:?}"))
            .clone()
    };
    assert_eq!(
        find("https://a.test/inline"),
        ("https://a.test/inline".into(), 1, 14, LinkKind::Inline)
    );
    assert_eq!(find("https://a.test/img.png").2, 56);
    assert_eq!(find("https://a.test/img.png").3, LinkKind::Image);
    assert_eq!(
        find("https://a.test/auto"),
        ("https://a.test/auto".into(), 2, 6, LinkKind::Autolink)
    );
    assert_eq!(find("mailto:someone@a.test").3, LinkKind::Autolink);
    assert_eq!(
        find("https://a.test/bare"),
        ("https://a.test/bare".into(), 3, 6, LinkKind::Bare)
    );
    assert_eq!(
        find("https://a.test/paren_(x)").2,
        37,
        "balanced parentheses are kept"
    );
    assert_eq!(
        find("https://a.test/html"),
        ("https://a.test/html".into(), 4, 30, LinkKind::Html)
    );
    assert_eq!(find("https://a.test/htmlimg").3, LinkKind::Html);
    assert_eq!(
        find("https://a.test/ref"),
        ("https://a.test/ref".into(), 6, 6, LinkKind::Reference)
    );
    assert_eq!(got.len(), 9, "{got:?}");
}

#[test]
fn reference_definition_takes_the_text_of_its_use() {
    let links = extract(
        "Read [the post][p].\n\n[p]: http://b.test/p\n",
        0,
        Format::Markdown,
    );
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].text.as_deref(), Some("the post"));
}

#[test]
fn nothing_inside_code_is_a_link() {
    let text = "```\ncurl http://code.test/fenced\n```\n\n    http://code.test/indented\n\nuse `http://code.test/inline` here http://real.test/x\n";
    assert_eq!(urls(text, Format::Markdown), vec!["http://real.test/x"]);
}

#[test]
fn trailing_punctuation_is_not_part_of_a_bare_url() {
    let text =
        "Go to http://p.test/a. Or http://p.test/b, or (http://p.test/c) or http://p.test/d!\n";
    assert_eq!(
        urls(text, Format::Markdown),
        vec![
            "http://p.test/a",
            "http://p.test/b",
            "http://p.test/c",
            "http://p.test/d"
        ]
    );
}

#[test]
fn escaped_and_entity_text_still_maps_to_the_right_column() {
    // The backslash escape makes the parsed text differ from the source.
    let got = md("a\\_b http://e.test/x\n");
    assert_eq!(got, vec![("http://e.test/x".into(), 1, 6, LinkKind::Bare)]);
}

#[test]
fn columns_count_characters_after_multibyte_text() {
    let got = md("Über café — [x](http://u.test/)\n");
    assert_eq!(got[0].2, 17);
}

#[test]
fn html_documents_keep_positions_and_skip_comments_and_scripts() {
    let html = "<html><head><script>var u='http://no.test/script';</script></head>\n<body><!-- <a href=\"http://no.test/comment\"> -->\n  <p><a href=\"http://h.test/a?x=1&amp;y=2\">A</a>\n  <img alt=\"pic\" src=\"http://h.test/i.png\"></p></body></html>\n";
    let links = extract(html, 0, Format::Html);
    let got: Vec<_> = links
        .iter()
        .map(|l| (l.url.as_str(), l.line, l.column, l.text.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("http://h.test/a?x=1&y=2", 3, 15, Some("A")),
            ("http://h.test/i.png", 4, 23, Some("pic"))
        ]
    );
}

#[test]
fn plain_text_finds_bare_urls() {
    let got: Vec<_> = extract(
        "one http://t.test/1\ntwo https://t.test/2.\n",
        0,
        Format::Text,
    )
    .into_iter()
    .map(|l| (l.url, l.line, l.column))
    .collect();
    assert_eq!(
        got,
        vec![
            ("http://t.test/1".into(), 1, 5),
            ("https://t.test/2".into(), 2, 5)
        ]
    );
}

#[test]
fn front_matter_links_are_not_extracted_and_positions_count_from_file_start() {
    let text = "---\ntitle: x http://fm.test/\ndate: 2015-10-25\n---\n[a](http://b.test/)\n";
    assert_eq!(
        md(text),
        vec![("http://b.test/".into(), 5, 5, LinkKind::Inline)]
    );
}

#[test]
fn issue_date_comes_from_front_matter_then_file_name() {
    let doc = |name: &str, text: &str| {
        document_from_bytes(
            name.into(),
            text.as_bytes().to_vec(),
            Format::Markdown,
            name,
        )
        .unwrap()
    };
    let (d, w) = doc(
        "x.md",
        "---\ntitle: \"Quoted: title\"\ndate: 2015-10-25T12:01:20+00:00\n---\nbody",
    );
    assert_eq!(d.date.unwrap().to_string(), "2015-10-25");
    assert_eq!(d.title.as_deref(), Some("Quoted: title"));
    assert!(w.is_none());
    let (d, _) = doc("2013-01-20-107.md", "no front matter");
    assert_eq!(d.date.unwrap().to_string(), "2013-01-20");
    let (d, w) = doc("2013-01-20-107.md", "---\ndate: someday\n---\n");
    assert_eq!(
        d.date.unwrap().to_string(),
        "2013-01-20",
        "a bad date falls back to the file name"
    );
    assert!(w.unwrap().message.contains("someday"));
    let (d, w) = doc("plain.md", "---\ntitle: never closed\n[a](http://x.test/)");
    assert_eq!(d.date, None);
    assert_eq!(d.body_start, 0);
    assert!(w.unwrap().message.contains("never closed"));
}

#[test]
fn binary_files_are_refused_with_a_message_and_invalid_utf8_is_read() {
    let err = document_from_bytes(
        "b.md".into(),
        vec![0x89, b'P', 0, 0, 1],
        Format::Markdown,
        "b.md",
    )
    .unwrap_err();
    assert!(err.message.contains("binary"), "{}", err.message);
    let (doc, w) = document_from_bytes(
        "u.md".into(),
        b"caf\xe9 http://x.test/".to_vec(),
        Format::Markdown,
        "u.md",
    )
    .unwrap();
    assert!(w.unwrap().message.contains("UTF-8"));
    assert_eq!(urls(&doc.text, Format::Markdown), vec!["http://x.test/"]);
}

/// On the real archive: every `[url](url)` link, at exactly the place its
/// destination is written.
#[test]
fn devopsweekly_corpus_links_sit_exactly_where_the_files_say() {
    let Some(dir) = crate::kit::corpus_dir() else {
        eprintln!("shared corpus not present; skipped");
        return;
    };
    let mut checked = 0;
    let pattern = regex::Regex::new(r"\[(https?://[^\]\s]+)\]\((https?://[^)\s]+)\)").unwrap();
    for entry in std::fs::read_dir(dir.join("_posts")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let fm = frontmatter::parse(&text);
        let links = extract(&text, fm.body_start, Format::Markdown);
        let lines: Vec<&str> = text.split('\n').collect();
        for l in &links {
            let line = lines[l.line as usize - 1];
            let at: String = line
                .chars()
                .skip(l.column as usize - 1)
                .take(l.url.chars().count())
                .collect();
            assert_eq!(at, l.url, "{}:{}:{}", path.display(), l.line, l.column);
            checked += 1;
        }
        // Every `[u](u)` written in the file is found.
        for cap in pattern.captures_iter(&text) {
            if cap[1] == cap[2] {
                assert!(
                    links.iter().any(|l| l.url == cap[2]),
                    "{} missing in {}",
                    &cap[2],
                    path.display()
                );
            }
        }
    }
    assert!(checked > 8000, "only {checked} links checked");
}

/// Found by the fuzz target: an `&` followed within 12 bytes by a multi-byte
/// character made the entity decoder slice inside it.
#[test]
fn an_entity_cut_inside_a_multibyte_character_does_not_panic() {
    let crash: &[u8] = &[
        245, 10, 38, 60, 73, 65, 61, 38, 38, 216, 14, 216, 14, 60, 60, 216, 10, 38, 60,
    ];
    let text = String::from_utf8_lossy(crash);
    for format in [Format::Markdown, Format::Html, Format::Text] {
        let _ = extract(&text, 0, format);
    }
    let text = "<a href=\"http://e.test/?a=1&ééééé;x\">x</a>";
    assert_eq!(
        extract(text, 0, Format::Html)[0].url,
        "http://e.test/?a=1&ééééé;x"
    );
}
