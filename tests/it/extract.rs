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

/// Links of `text` in `format`, front matter skipped, as
/// `(url, line, column, kind)`; every span checked against its position.
fn links_in(text: &str, format: Format) -> Vec<(String, u32, u32, LinkKind)> {
    let fm = frontmatter::parse_for(text, format);
    let links = extract(text, fm.body_start, format);
    spans_agree(text, &links);
    links
        .into_iter()
        .map(|l| (l.url, l.line, l.column, l.kind))
        .collect()
}

/// What the fuzz target checks: each span is on character boundaries, at
/// the line and column its link claims, and holds the URL as written.
fn spans_agree(text: &str, links: &[linkrot::extract::Link]) {
    let index = linkrot::extract::LineIndex::new(text);
    for l in links {
        assert!(text.is_char_boundary(l.span.start) && text.is_char_boundary(l.span.end));
        assert_eq!(index.position(l.span.start), (l.line, l.column), "{l:?}");
    }
}

fn link(url: &str, line: u32, column: u32, kind: LinkKind) -> (String, u32, u32, LinkKind) {
    (url.to_string(), line, column, kind)
}

#[test]
fn a_destination_with_a_space_is_an_almost_link_at_its_destination() {
    use linkrot::extract::Flaw;
    let text = "See [the talk](https://t.test/a talk) now.\n";
    let links = extract(text, 0, Format::Markdown);
    assert_eq!(
        links.len(),
        1,
        "the bare https://t.test/a is the same link: {links:?}"
    );
    let l = &links[0];
    assert_eq!(
        (l.url.as_str(), l.line, l.column, l.flaw),
        ("https://t.test/a talk", 1, 16, Some(Flaw::Space))
    );
    assert_eq!(l.text.as_deref(), Some("the talk"));
    assert_eq!(&text[l.span.clone()], "https://t.test/a talk");
}

#[test]
fn an_unbalanced_parenthesis_leaves_an_unclosed_almost_link() {
    use linkrot::extract::Flaw;
    let text = "Read [Foo](https://w.test/wiki/Foo_(bar) today.\n";
    let links = extract(text, 0, Format::Markdown);
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0].url, "https://w.test/wiki/Foo_(bar)");
    assert_eq!((links[0].column, links[0].flaw), (12, Some(Flaw::Unclosed)));
}

#[test]
fn real_links_have_no_flaw_and_empty_destinations_are_kept() {
    let text =
        "[slides]() and <a href=\"\">deck</a> and [ok](https://a.test/(x)) and \\[not\\](a link)\n";
    let links = extract(text, 0, Format::Markdown);
    let got: Vec<_> = links
        .iter()
        .map(|l| (l.url.as_str(), l.column, l.kind, l.flaw))
        .collect();
    assert_eq!(
        got,
        vec![
            ("", 10, LinkKind::Inline, None),
            ("", 25, LinkKind::Html, None),
            ("https://a.test/(x)", 45, LinkKind::Inline, None),
        ]
    );
    spans_agree(text, &links);
}

#[test]
fn textile_links_images_and_aliases_are_one_link_each_at_the_url() {
    let text = "\
h1. Issue

\"A post\":http://a.test/post. And \"titled(The title)\":http://a.test/t[title]
!http://a.test/i.png(pic)!:http://a.test/big and [\"bracketed\":http://a.test/br]
\"http://a.test/self\":http://a.test/self and \"alias\":ali, bare http://a.test/bare.
<a href=\"http://a.test/html\">h</a> !<(cls)img/x.png!

[ali]http://a.test/alias

bc. curl http://code.test/block

Code @http://code.test/at@ here.
";
    assert_eq!(
        links_in(text, Format::Textile),
        vec![
            link("http://a.test/post", 3, 10, LinkKind::Inline),
            link("http://a.test/t", 3, 54, LinkKind::Inline),
            link("http://a.test/i.png", 4, 2, LinkKind::Image),
            link("http://a.test/big", 4, 28, LinkKind::Inline),
            link("http://a.test/br", 4, 63, LinkKind::Inline),
            link("http://a.test/self", 5, 22, LinkKind::Inline),
            link("http://a.test/bare", 5, 63, LinkKind::Bare),
            link("http://a.test/html", 6, 10, LinkKind::Html),
            link("img/x.png", 6, 43, LinkKind::Image),
            link("http://a.test/alias", 8, 6, LinkKind::Reference),
        ]
    );
    let alias = extract(text, 0, Format::Textile)
        .into_iter()
        .find(|l| l.kind == LinkKind::Reference)
        .unwrap();
    assert_eq!(alias.text.as_deref(), Some("alias"), "the text of its use");
}

/// A `.textile` file given by name was read as plain text, so the URL of
/// `"http://x":http://x` was found twice (text and target); in a folder
/// it was skipped.
#[test]
fn textile_given_by_name_is_textile_and_a_self_titled_link_is_found_once() {
    use linkrot::source::{discover, read, Input, SourceConfig};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2012-05-06-old.textile");
    std::fs::write(
        &path,
        "---\ntitle: Old\n---\n\"http://a.test/x\":http://a.test/x\n",
    )
    .unwrap();
    for input in [path.display().to_string(), dir.path().display().to_string()] {
        let cfg = SourceConfig {
            inputs: vec![input],
            exclude_paths: Vec::new(),
            stdin_format: Format::Markdown,
            base_url: None,
        };
        let (inputs, problems) = discover(&cfg).unwrap();
        assert!(problems.is_empty());
        assert_eq!(inputs, vec![Input::File(path.clone(), Format::Textile)]);
        let (docs, _) = read(&inputs[0]).unwrap();
        assert_eq!(docs[0].title.as_deref(), Some("Old"));
        let links = extract(&docs[0].text, docs[0].body_start, docs[0].format);
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!((links[0].line, links[0].column), (4, 19));
    }
}

#[test]
fn rst_links_targets_and_images_sit_at_their_urls() {
    let text = "\
My title
########

:date: 2010-10-03 10:20

See `the post <http://r.test/post>`_, `anon <http://r.test/anon>`__, `Python`_ and http://r.test/bare.

.. _Python: http://r.test/python
.. _indirect: Python_

.. image:: img/pic.png
   :alt: picture
   :target: http://r.test/target

.. code-block:: sh

   curl http://code.test/directive

Literal::

    http://code.test/literal

.. a comment http://code.test/comment

Use ``http://code.test/literal`` and :ref:`x <http://code.test/role>`.
";
    assert_eq!(
        links_in(text, Format::Rst),
        vec![
            link("http://r.test/post", 6, 16, LinkKind::Inline),
            link("http://r.test/anon", 6, 46, LinkKind::Inline),
            link("http://r.test/bare", 6, 84, LinkKind::Bare),
            link("http://r.test/python", 8, 13, LinkKind::Reference),
            link("img/pic.png", 11, 12, LinkKind::Image),
            link("http://r.test/target", 13, 13, LinkKind::Inline),
        ]
    );
    let image = extract(text, 0, Format::Rst)
        .into_iter()
        .find(|l| l.kind == LinkKind::Image)
        .unwrap();
    assert_eq!(image.text.as_deref(), Some("picture"));
}

#[test]
fn asciidoc_macros_and_bare_urls_follow_asciidoctor() {
    let text = "\
= Document title
:revdate: 2019-03-14
:url-docs: https://d.test/docs

See https://d.test/macro[the macro], link:https://d.test/link[Link^] and link:other.html[other].
Bare https://w.test/wiki/Foo_(bar) and <https://d.test/angle>, mailto:a@d.test[mail].
image::https://d.test/block.png[Block alt]
An image:icon.png[icon,20] inline, {url-docs}[Docs], link:{url-docs}/x[X], link:++a b.html++[spaced].

----
curl https://code.test/listing
----

// https://code.test/comment
 https://code.test/literal-paragraph
";
    assert_eq!(
        links_in(text, Format::AsciiDoc),
        vec![
            link("https://d.test/docs", 3, 12, LinkKind::Reference),
            link("https://d.test/macro", 5, 5, LinkKind::Inline),
            link("https://d.test/link", 5, 43, LinkKind::Inline),
            link("other.html", 5, 79, LinkKind::Inline),
            // Asciidoctor ends a bare URL before a trailing `)`, as the page shows it.
            link("https://w.test/wiki/Foo_(bar", 6, 6, LinkKind::Bare),
            link("https://d.test/angle", 6, 41, LinkKind::Autolink),
            link("mailto:a@d.test", 6, 64, LinkKind::Inline),
            link("https://d.test/block.png", 7, 8, LinkKind::Image),
            link("icon.png", 8, 10, LinkKind::Image),
            link("a b.html", 8, 83, LinkKind::Inline),
        ]
    );
}

#[test]
fn the_new_formats_are_found_in_folders_by_extension() {
    use std::path::Path;
    for (name, format) in [
        ("a.textile", Format::Textile),
        ("a.rst", Format::Rst),
        ("a.adoc", Format::AsciiDoc),
        ("a.asciidoc", Format::AsciiDoc),
    ] {
        assert_eq!(Format::from_path(Path::new(name)), Some(format));
    }
    assert_eq!(Format::parse("rst"), Some(Format::Rst));
    assert_eq!(Format::parse("adoc"), Some(Format::AsciiDoc));
}

fn front(name: &str, text: &str, format: Format) -> (Option<String>, Option<String>, String) {
    let (d, w) = document_from_bytes(name.into(), text.as_bytes().to_vec(), format, name).unwrap();
    assert!(w.is_none(), "{w:?}");
    (
        d.title,
        d.date.map(|d| d.to_string()),
        d.text[d.body_start..].to_string(),
    )
}

#[test]
fn toml_json_and_pelican_headers_give_title_date_and_body() {
    let some =
        |t: &str, d: &str, b: &str| (Some(t.to_string()), Some(d.to_string()), b.to_string());
    assert_eq!(
        front(
            "x.md",
            "+++\ntitle = \"Issue \\\"12\\\"\"\ndate = 2019-03-14T08:00:00Z\n[extra]\ntitle = \"no\"\n+++\nbody\n",
            Format::Markdown
        ),
        some("Issue \"12\"", "2019-03-14", "body\n")
    );
    assert_eq!(
        front(
            "x.md",
            "{\n  \"title\": \"JSON issue\",\n  \"date\": \"2019-03-15\",\n  \"tags\": [\"a\"]\n}\nbody\n",
            Format::Markdown
        ),
        some("JSON issue", "2019-03-15", "body\n")
    );
    assert_eq!(
        front(
            "x.md",
            "Title: Pelican issue\nDate: 2010-12-03 10:20\nTags: a,\n    b\n\nbody\n",
            Format::Markdown
        ),
        some("Pelican issue", "2010-12-03", "body\n")
    );
    assert_eq!(
        front(
            "x.textile",
            "Title: Textile issue\nDate: 2011-01-02\n\nbody\n",
            Format::Textile
        ),
        some("Textile issue", "2011-01-02", "body\n")
    );
    // Text that merely starts with a word and a colon is not a header.
    assert_eq!(
        front(
            "x.md",
            "Note: read this\nsecond line\n\nbody\n",
            Format::Markdown
        ),
        (
            None,
            None,
            "Note: read this\nsecond line\n\nbody\n".to_string()
        )
    );
    // Liquid and shortcodes at the top are not JSON.
    assert_eq!(
        front("x.md", "{% include head.html %}\nbody\n", Format::Markdown).2,
        "{% include head.html %}\nbody\n"
    );
}

#[test]
fn rst_and_asciidoc_headers_give_title_and_date() {
    assert_eq!(
        front(
            "x.rst",
            "#########\nMy title\n#########\n\n:date: 2010-10-03 10:20\n:tags: a\n\nbody\n",
            Format::Rst
        )
        .0
        .as_deref(),
        Some("My title")
    );
    let (title, date, _) = front(
        "x.rst",
        "My title\n========\n\n:date: 2010-10-03 10:20\n\nbody\n",
        Format::Rst,
    );
    assert_eq!(
        (title.as_deref(), date.as_deref()),
        (Some("My title"), Some("2010-10-03"))
    );
    let (title, date, _) = front(
        "x.adoc",
        "= Doc title\nJane Doe <jane@d.test>\nv1.0, 2019-03-14: first\n\nbody\n",
        Format::AsciiDoc,
    );
    assert_eq!(
        (title.as_deref(), date.as_deref()),
        (Some("Doc title"), Some("2019-03-14"))
    );
    let (_, date, _) = front(
        "x.adoc",
        "= Doc title\n:revdate: 2019-03-16\n\nbody\n",
        Format::AsciiDoc,
    );
    assert_eq!(date.as_deref(), Some("2019-03-16"));
}

#[test]
fn invalid_json_front_matter_is_reported_and_read_as_content() {
    let (d, w) = document_from_bytes(
        "x.md".into(),
        b"{\"title\": \"x\",}\nbody".to_vec(),
        Format::Markdown,
        "x.md",
    )
    .unwrap();
    assert_eq!(d.body_start, 0);
    assert!(w.unwrap().message.contains("JSON"));
}

#[test]
fn relative_links_resolve_against_the_base_url_and_keep_what_is_written() {
    use linkrot::extract::resolve_relative;
    use linkrot::source::parse_base_url;
    let text = "[a](/2019/post/) [b](../img.png) [c](post.html) [d](#top) [e](https://x.test/) [f](//cdn.test/x) [g]()\n";
    let mut links = extract(text, 0, Format::Markdown);
    let base = parse_base_url("https://newsletter.example/archive").unwrap();
    assert_eq!(base.as_str(), "https://newsletter.example/archive/");
    resolve_relative(&mut links, &base);
    let got: Vec<_> = links
        .iter()
        .map(|l| (l.url.as_str(), l.resolved.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("/2019/post/", Some("https://newsletter.example/2019/post/")),
            ("../img.png", Some("https://newsletter.example/img.png")),
            (
                "post.html",
                Some("https://newsletter.example/archive/post.html")
            ),
            ("#top", None),
            ("https://x.test/", None),
            ("//cdn.test/x", Some("https://cdn.test/x")),
            ("", None),
        ]
    );
    assert!(parse_base_url("newsletter.example").is_err());
    assert!(parse_base_url("ftp://n.example/").is_err());
    assert!(parse_base_url("https://n.example/?q=1").is_err());
}

/// The fuzz target's promise, on a seeded soup of the tokens every syntax
/// is made of (so that it runs in every `cargo test`, on stable).
#[test]
fn every_extractor_keeps_its_span_promises_on_token_soup() {
    const TOKENS: &[&str] = &[
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "\"",
        ":",
        "!",
        "`",
        "_",
        "__",
        "..",
        ".. ",
        "::",
        "\n",
        "\r\n",
        "\n\n",
        " ",
        "\t",
        "http://a.test/x",
        "https://é.test/ü",
        "link:",
        "image::",
        "mailto:",
        "[t]",
        "](",
        "\":",
        "@",
        "bc. ",
        "----\n",
        "---\n",
        "+++\n",
        "{\"title\": 1}",
        "Title: x\n",
        "= T\n",
        "é",
        "€",
        "\\",
        "&amp;",
        "<a href=\"",
        "``",
        ":date: ",
        "#",
        "++",
        "+++",
        "pass:[",
        "//",
        "{x}",
    ];
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..3000 {
        let n = rng.usize(1..40);
        let text: String = (0..n).map(|_| TOKENS[rng.usize(..TOKENS.len())]).collect();
        for format in [
            Format::Markdown,
            Format::Html,
            Format::Text,
            Format::Textile,
            Format::Rst,
            Format::AsciiDoc,
        ] {
            let fm = frontmatter::parse_for(&text, format);
            assert!(text.is_char_boundary(fm.body_start), "{text:?}");
            let links = extract(&text, fm.body_start, format);
            for l in &links {
                assert!(
                    l.span.start <= l.span.end && l.span.end <= text.len(),
                    "{text:?}"
                );
            }
            spans_agree(&text, &links);
        }
    }
}
