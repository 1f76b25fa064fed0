//! Links in CommonMark (plus the GFM extensions an issue uses): inline and
//! reference links, autolinks, images, raw HTML and bare URLs in text. Code
//! spans and code blocks hold no links. Text that CommonMark leaves as text
//! but a writer meant as a link (`[a](http://x y)`, an unclosed `(`) is
//! listed too, with its [`Flaw`], for lint.

use super::{html, text::bare_urls, Flaw, LinkKind, RawLink};
use pulldown_cmark::{utils::TextMergeWithOffset, Event, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;

struct OpenLink {
    kind: LinkKind,
    link_type: LinkType,
    dest: String,
    label: String,
    range: Range<usize>,
    text: String,
    /// End of the last event inside the link: the destination follows it.
    inner_end: Option<usize>,
}

/// Links of a markdown document whose body starts at byte `start` of `text`.
pub(crate) fn links(text: &str, start: usize) -> Vec<RawLink> {
    let body = &text[start..];
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    let parser = Parser::new_ext(body, opts);
    let mut out = Vec::new();

    // A reference link's URL is written once, in its definition: that is the occurrence.
    let mut definitions: Vec<(String, RawLink)> = parser
        .reference_definitions()
        .iter()
        .map(|(label, def)| {
            let at = definition_dest_start(body, def.span.clone());
            let written = raw_dest_len(body, at, &def.dest);
            (
                label.to_lowercase(),
                RawLink::new(
                    def.dest.to_string(),
                    start + at..start + at + written,
                    None,
                    LinkKind::Reference,
                ),
            )
        })
        .collect();
    let mut ref_texts: HashMap<String, String> = HashMap::new();

    let mut stack: Vec<OpenLink> = Vec::new();
    let mut code_blocks = 0usize;
    let mut in_html_anchor = false;
    for (event, range) in TextMergeWithOffset::new(parser.into_offset_iter()) {
        if let Some(top) = stack.last_mut() {
            if !matches!(event, Event::End(TagEnd::Link | TagEnd::Image)) {
                top.inner_end = Some(range.end);
            }
        }
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                id,
                ..
            }) => stack.push(OpenLink {
                kind: if link_type == LinkType::Autolink || link_type == LinkType::Email {
                    LinkKind::Autolink
                } else {
                    LinkKind::Inline
                },
                link_type,
                dest: dest_url.to_string(),
                label: id.to_lowercase(),
                range,
                text: String::new(),
                inner_end: None,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                id,
                ..
            }) => stack.push(OpenLink {
                kind: LinkKind::Image,
                link_type,
                dest: dest_url.to_string(),
                label: id.to_lowercase(),
                range,
                text: String::new(),
                inner_end: None,
            }),
            Event::End(TagEnd::Link | TagEnd::Image) => {
                let Some(open) = stack.pop() else { continue };
                let text = open.text.trim().to_string();
                if let Some(parent) = stack.last_mut() {
                    parent.text.push_str(&open.text);
                }
                match open.link_type {
                    LinkType::Inline => {
                        let at = inline_dest_start(body, &open);
                        let written = raw_dest_len(body, at, &open.dest);
                        out.push(RawLink::new(
                            open.dest,
                            start + at..start + at + written,
                            Some(text).filter(|t| !t.is_empty()),
                            open.kind,
                        ));
                    }
                    LinkType::Autolink | LinkType::Email => {
                        let url = if open.link_type == LinkType::Email
                            && !open.dest.starts_with("mailto:")
                        {
                            format!("mailto:{}", open.dest)
                        } else {
                            open.dest.clone()
                        };
                        let at = open.range.start + 1;
                        out.push(RawLink::new(
                            url,
                            start + at..start + open.range.end.saturating_sub(1).max(at),
                            None,
                            LinkKind::Autolink,
                        ));
                    }
                    _ => {
                        // Reference, collapsed or shortcut: the definition is the occurrence.
                        if !text.is_empty() {
                            ref_texts.entry(open.label).or_insert(text);
                        }
                    }
                }
            }
            Event::Start(Tag::CodeBlock(_)) => code_blocks += 1,
            Event::End(TagEnd::CodeBlock) => code_blocks = code_blocks.saturating_sub(1),
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t);
                } else if code_blocks == 0 && !in_html_anchor {
                    let almost = almost_links(body, start, range.clone(), &mut out);
                    let mut bare = Vec::new();
                    text_urls(body, start, range, &t, &mut bare);
                    // A URL inside an almost-link is that link, not another one.
                    out.extend(bare.into_iter().filter(|b| {
                        !almost
                            .iter()
                            .any(|a| b.span.start < a.end && a.start < b.span.end)
                    }));
                }
            }
            Event::Code(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t);
                }
            }
            Event::Html(_) | Event::InlineHtml(_) if code_blocks == 0 => {
                let fragment = &body[range.clone()];
                html::fragment_links(fragment, start + range.start, &mut out);
                let lower = fragment.to_ascii_lowercase();
                if let Some(open) = lower.rfind("<a ") {
                    in_html_anchor = !lower[open..].contains("</a>");
                } else if lower.contains("</a>") {
                    in_html_anchor = false;
                }
            }
            _ => {}
        }
    }
    for (label, mut def) in definitions.drain(..) {
        def.text = ref_texts.remove(&label);
        out.push(def);
    }
    out
}

/// Text that looks like an inline link but that CommonMark left as text:
/// `[text](http://a b)` (a destination ends at a space) and
/// `[text](http://a/b_(c)` (the `(` is never closed). Each is pushed with its
/// [`Flaw`], positioned at its destination; the byte ranges pushed are
/// returned so the bare URLs inside them are not listed again.
fn almost_links(
    body: &str,
    start: usize,
    range: Range<usize>,
    out: &mut Vec<RawLink>,
) -> Vec<Range<usize>> {
    let source = &body[range.clone()];
    let b = source.as_bytes();
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(i) = source[from..].find("](") {
        let bracket = from + i;
        from = bracket + 2;
        if bracket > 0 && b[bracket - 1] == b'\\' {
            continue;
        }
        let mut at = from;
        while at < b.len() && matches!(b[at], b' ' | b'\t') {
            at += 1;
        }
        if at < b.len() && b[at] == b'<' {
            at += 1;
        }
        let rest = &source[at..];
        let (len, flaw) = match closing_paren(rest) {
            Some(close) => {
                let content = rest[..close].trim_end();
                if !content.contains(char::is_whitespace) {
                    // Not a link for some other reason (escapes, brackets): not ours.
                    continue;
                }
                (content.len(), Flaw::Space)
            }
            None => (
                rest.find(char::is_whitespace).unwrap_or(rest.len()),
                Flaw::Unclosed,
            ),
        };
        if len == 0 {
            continue;
        }
        let text = bracket_text(&source[..bracket]);
        let span = start + range.start + at..start + range.start + at + len;
        spans.push(span.clone());
        out.push(RawLink {
            url: rest[..len].to_string(),
            span,
            text,
            kind: LinkKind::Inline,
            flaw: Some(flaw),
        });
        from = at + len;
    }
    spans
}

/// Where the `)` closing a destination is in `rest`, parentheses nested.
fn closing_paren(rest: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The text of the `[...]` that `before` ends with, when it is all there.
fn bracket_text(before: &str) -> Option<String> {
    let mut depth = 0usize;
    for (i, c) in before.char_indices().rev() {
        match c {
            ']' => depth += 1,
            '[' if depth == 0 => {
                let text = before[i + 1..].trim();
                return Some(text.to_string()).filter(|t| !t.is_empty());
            }
            '[' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Bare URLs of a text event. The event's text has escapes and entities
/// resolved, so it is mapped back onto the source slice it came from.
fn text_urls(body: &str, start: usize, range: Range<usize>, t: &str, out: &mut Vec<RawLink>) {
    if !t.contains("://") {
        return;
    }
    let source = &body[range.clone()];
    if source == t {
        bare_urls(source, start + range.start, out);
        return;
    }
    let mut found = Vec::new();
    bare_urls(t, 0, &mut found);
    let mut cursor = 0;
    for mut link in found {
        let at = source[cursor..]
            .find(&link.url)
            .map(|i| cursor + i)
            .unwrap_or(cursor);
        cursor = at;
        let len = if source[at..].starts_with(&link.url) {
            link.url.len()
        } else {
            0
        };
        link.span = start + range.start + at..start + range.start + at + len;
        out.push(link);
    }
}

/// Where the destination of `[text](dest)` starts in the source.
fn inline_dest_start(body: &str, open: &OpenLink) -> usize {
    let from = open.inner_end.unwrap_or(open.range.start);
    let slice = &body[from..open.range.end];
    let Some(paren) = slice.find("](").map(|i| from + i + 2) else {
        return open.range.start;
    };
    skip_to_dest(body, paren, open.range.end)
}

/// Where the destination of `[label]: dest` starts in the source.
fn definition_dest_start(body: &str, span: Range<usize>) -> usize {
    match body[span.clone()].find("]:") {
        Some(i) => skip_to_dest(body, span.start + i + 2, span.end),
        None => span.start,
    }
}

fn skip_to_dest(body: &str, mut at: usize, end: usize) -> usize {
    let b = body.as_bytes();
    while at < end && b[at].is_ascii_whitespace() {
        at += 1;
    }
    if at < end && b[at] == b'<' {
        at += 1;
    }
    at
}

/// Length in the source of a destination starting at `at` whose parsed value
/// is `dest`: the parsed value when it was written verbatim, else up to the
/// first space, `>` or unbalanced `)`.
fn raw_dest_len(body: &str, at: usize, dest: &str) -> usize {
    let rest = &body[at..];
    if rest.starts_with(dest) {
        return dest.len();
    }
    let mut depth = 0i32;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' if depth == 0 => return i,
            ')' => depth -= 1,
            '>' => return i,
            c if c.is_whitespace() => return i,
            _ => {}
        }
    }
    rest.len()
}
