//! Links in HTML: whole documents (parsed with scraper, which decides what is
//! a link the way a browser would) and raw HTML inside markdown (a small tag
//! scanner). Both are positioned by the same scanner, because an HTML parser
//! keeps no source offsets.

use super::{text::bare_urls, LinkKind, RawLink};
use scraper::{Html, Selector};

/// Elements and attributes whose value is a link a reader follows or a
/// resource the issue shows. Page chrome (`<link>`, `<script>`) is not an
/// issue's content.
const LINK_ATTRS: &[(&str, &str)] = &[
    ("a", "href"),
    ("area", "href"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
];

/// Links of an HTML document, in document order.
pub(crate) fn document_links(text: &str, start: usize) -> Vec<RawLink> {
    parsed_document_links(&Html::parse_document(&text[start..]), text, start)
}

/// The same for a document already parsed from `text[start..]`.
pub(crate) fn parsed_document_links(doc: &Html, text: &str, start: usize) -> Vec<RawLink> {
    let body = &text[start..];
    let selector = Selector::parse(
        &LINK_ATTRS
            .iter()
            .map(|(tag, attr)| format!("{tag}[{attr}]"))
            .collect::<Vec<_>>()
            .join(","),
    )
    .expect("static selector is valid");
    let found: Vec<(String, Option<String>)> = doc
        .select(&selector)
        .filter_map(|el| {
            let name = el.value().name();
            let attr = LINK_ATTRS.iter().find(|(t, _)| *t == name)?.1;
            let value = el.value().attr(attr)?.trim().to_string();
            let text = if name == "img" {
                el.value().attr("alt").map(str::to_string)
            } else {
                Some(el.text().collect::<String>().trim().to_string()).filter(|t| !t.is_empty())
            };
            Some((value, text))
        })
        .collect();

    // Position each value by walking the source's attributes in order.
    let attrs = scan(body, start, false).attrs;
    let mut cursor = 0;
    let mut out = Vec::with_capacity(found.len());
    for (value, text) in found {
        let hit = attrs[cursor..].iter().position(|a| a.value == value);
        let span = match hit {
            Some(i) => {
                cursor += i + 1;
                attrs[cursor - 1].span.clone()
            }
            None => start..start,
        };
        out.push(RawLink::new(value, span, text, LinkKind::Html));
    }
    out
}

/// Links in a raw HTML fragment embedded in markdown (`<a href>`, `<img src>`
/// and bare URLs in its text), `offset` being the fragment's place in the file.
pub(crate) fn fragment_links(fragment: &str, offset: usize, out: &mut Vec<RawLink>) {
    let scanned = scan(fragment, offset, true);
    for attr in scanned.attrs {
        if LINK_ATTRS
            .iter()
            .any(|(t, a)| *t == attr.tag && *a == attr.name)
        {
            out.push(RawLink::new(attr.value, attr.span, None, LinkKind::Html));
        }
    }
    for (text_start, text_end) in scanned.texts {
        bare_urls(
            &fragment[text_start - offset..text_end - offset],
            text_start,
            out,
        );
    }
}

/// The `href`/`src` links of the HTML tags in a text written in another
/// markup (Textile allows inline HTML); the text between tags is left to
/// that markup's extractor. `masked` says which bytes of `text` are code.
pub(crate) fn tag_links(
    text: &str,
    offset: usize,
    masked: &super::scan::Masked,
    out: &mut Vec<RawLink>,
) {
    if !text.contains('<') {
        return;
    }
    for attr in scan(text, offset, false).attrs {
        if !masked.contains(attr.span.start - offset)
            && LINK_ATTRS
                .iter()
                .any(|(t, a)| *t == attr.tag && *a == attr.name)
        {
            out.push(RawLink::new(attr.value, attr.span, None, LinkKind::Html));
        }
    }
}

struct Attr {
    tag: String,
    name: String,
    value: String,
    span: std::ops::Range<usize>,
}

struct Scanned {
    attrs: Vec<Attr>,
    /// Absolute byte ranges of text between tags.
    texts: Vec<(usize, usize)>,
}

/// A forgiving tag scanner: attributes with their value spans, and the text
/// runs between tags. Comments and the bodies of `<script>`/`<style>` are skipped.
fn scan(src: &str, offset: usize, want_text: bool) -> Scanned {
    let b = src.as_bytes();
    let mut out = Scanned {
        attrs: Vec::new(),
        texts: Vec::new(),
    };
    let mut i = 0;
    let mut text_start = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let tag_start = i;
        if src[i..].starts_with("<!--") {
            push_text(&mut out, want_text, offset, text_start, tag_start);
            i = src[i + 4..].find("-->").map_or(b.len(), |e| i + 4 + e + 3);
            text_start = i;
            continue;
        }
        let closing = b.get(i + 1) == Some(&b'/');
        let name_start = i + 1 + usize::from(closing);
        let name_len = b[name_start.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        push_text(&mut out, want_text, offset, text_start, tag_start);
        let tag = src[name_start..name_start + name_len].to_ascii_lowercase();
        i = name_start + name_len;
        // attributes until '>'
        while i < b.len() && b[i] != b'>' {
            if b[i].is_ascii_whitespace() || b[i] == b'/' {
                i += 1;
                continue;
            }
            let an_start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/')
            {
                i += 1;
            }
            let name = src[an_start..i].to_ascii_lowercase();
            let mut j = i;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= b.len() || b[j] != b'=' {
                if i == an_start {
                    i += 1;
                }
                continue;
            }
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let (vs, ve, next) = match b.get(j) {
                Some(q @ (b'"' | b'\'')) => {
                    let end = src[j + 1..].find(*q as char).map_or(b.len(), |e| j + 1 + e);
                    (j + 1, end, (end + 1).min(b.len()))
                }
                _ => {
                    let end = j + b[j..]
                        .iter()
                        .take_while(|c| !c.is_ascii_whitespace() && **c != b'>')
                        .count();
                    (j, end, end)
                }
            };
            if !closing {
                let raw = &src[vs..ve];
                let lead = raw.len() - raw.trim_start().len();
                let value = decode_entities(raw.trim());
                out.attrs.push(Attr {
                    tag: tag.clone(),
                    name,
                    value,
                    span: offset + vs + lead..offset + vs + lead + raw.trim().len(),
                });
            }
            i = next;
        }
        i = (i + 1).min(b.len());
        if !closing && (tag == "script" || tag == "style") {
            let close = format!("</{tag}");
            i = find_ci(&src[i..], &close).map_or(b.len(), |e| i + e);
        }
        text_start = i;
    }
    push_text(&mut out, want_text, offset, text_start, b.len());
    out
}

fn push_text(out: &mut Scanned, want: bool, offset: usize, start: usize, end: usize) {
    if want && end > start {
        out.texts.push((offset + start, offset + end));
    }
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(needle)
}

/// Decodes the character references that occur in attribute values.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // A reference is short; look for its ';' in the first bytes only
        // (by byte: a cut at 12 may fall inside a multi-byte character).
        let semi = rest.as_bytes()[..rest.len().min(12)]
            .iter()
            .position(|&b| b == b';');
        let decoded = semi.and_then(|end| {
            let name = &rest[1..end];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name.strip_prefix('#').and_then(|num| {
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            ch.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
