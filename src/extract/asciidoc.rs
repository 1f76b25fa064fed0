//! Links in AsciiDoc, by Asciidoctor's rules: URL macros (`https://url[text]`),
//! `link:target[text]` (`link:++a b++[text]` for targets with spaces),
//! `mailto:addr[text]`, `<https://url>`, bare URLs (Asciidoctor ends them
//! before a trailing `,.?!)`, so `https://w.test/Foo_(bar)` loses its `)` as
//! it does on the page), `image::target[alt]` and `image:target[alt]`, and
//! attribute entries whose value is a URL (`:url-docs: https://...`: the
//! entry is where it is written). Listing, literal, passthrough and comment
//! blocks, `//` comments, literal (indented) paragraphs and `pass:[...]` /
//! `+++...+++` hold no links; cross references and targets made of
//! attribute references (`link:{url-docs}/x[]`) are skipped.
//!
//! Written by hand: asciidoc-parser (the maintained Rust parser, which does
//! keep spans) needs Rust 1.88 and edition 2024, above this crate's
//! `rust-version`, and is a very large dependency for the handful of link
//! syntaxes read here.

use super::{
    scan::{self, Masked},
    LinkKind, RawLink,
};

/// The schemes Asciidoctor turns into links on its own.
const SCHEMES: &[&str] = &["https", "http", "ftp", "irc", "file"];

/// Links of an AsciiDoc document whose body starts at byte `start` of `text`.
pub(crate) fn links(text: &str, start: usize) -> Vec<RawLink> {
    let body = &text[start..];
    let masked = blocks(body);
    let mut out = Vec::new();
    attribute_entries(body, start, &masked, &mut out);
    let constructs = macros(body, start, &masked, &mut out);
    urls(body, start, &masked, &constructs, &mut out);
    out
}

fn is_delimiter(line: &str) -> bool {
    let line = line.trim_end();
    if line.starts_with("```") {
        return true;
    }
    line.len() >= 4
        && ["-", ".", "/", "+"]
            .iter()
            .any(|c| line.bytes().all(|b| b == c.as_bytes()[0]))
}

fn is_list_item(trimmed: &str) -> bool {
    let marker = trimmed.split_once(' ').map_or(trimmed, |(m, _)| m);
    !marker.is_empty()
        && (marker.bytes().all(|b| b == b'*' || b == b'-' || b == b'.')
            || (marker.ends_with('.')
                && marker[..marker.len() - 1]
                    .bytes()
                    .all(|b| b.is_ascii_digit())))
}

/// What holds no links: listing (`----`, fenced), literal (`....`),
/// passthrough (`++++`) and comment (`////`) blocks, `//` line comments,
/// literal paragraphs (indented), `pass:[...]` and `+++...+++`.
fn blocks(body: &str) -> Masked {
    let mut m = Masked::default();
    let mut open: Option<(usize, &str)> = None;
    let mut literal: Option<usize> = None;
    let mut prev_blank = true;
    for (at, line) in scan::lines(body) {
        if let Some((from, delimiter)) = open {
            if line.trim_end() == delimiter {
                m.add(from..at + line.len());
                open = None;
            }
            continue;
        }
        let blank = line.trim().is_empty();
        if let Some(from) = literal {
            if blank {
                m.add(from..at);
                literal = None;
            }
        }
        if is_delimiter(line) {
            let close = if line.starts_with("```") {
                "```"
            } else {
                line.trim_end()
            };
            open = Some((at, close));
        } else if line.starts_with("//") {
            // Comment lines are dropped before blocks are read: they neither
            // end nor begin a paragraph.
            m.add(at..at + line.len());
            continue;
        } else if prev_blank
            && !blank
            && line.starts_with([' ', '\t'])
            && !is_list_item(line.trim_start())
        {
            literal = Some(at);
        }
        prev_blank = blank;
    }
    if let Some((from, _)) = open {
        m.add(from..body.len());
    }
    if let Some(from) = literal {
        m.add(from..body.len());
    }
    for (open, close) in [("pass:[", "]"), ("+++", "+++")] {
        let mut from = 0;
        while let Some(i) = body[from..].find(open) {
            let at = from + i;
            let end = body[at + open.len()..]
                .find(close)
                .map_or(body.len(), |e| at + open.len() + e + close.len());
            m.add(at..end);
            from = end;
        }
    }
    m.finish()
}

/// `:name: https://...`: an attribute whose value is a URL, used elsewhere
/// as `{name}`.
fn attribute_entries(body: &str, start: usize, masked: &Masked, out: &mut Vec<RawLink>) {
    for (at, line) in scan::lines(body) {
        if masked.contains(at) {
            continue;
        }
        let Some(rest) = line.strip_prefix(':') else {
            continue;
        };
        let Some(close) = rest.find(": ") else {
            continue;
        };
        if rest[..close].contains(char::is_whitespace) {
            continue;
        }
        let value = &rest[close + 2..];
        let lead = value.len() - value.trim_start().len();
        let url = value.trim();
        if url.contains("://") && !url.contains(char::is_whitespace) {
            let from = start + at + 1 + close + 2 + lead;
            out.push(RawLink::new(
                url.to_string(),
                from..from + url.len(),
                None,
                LinkKind::Reference,
            ));
        }
    }
}

/// The text of a macro's `[...]`: its first positional attribute, without
/// quotes or the `^` that opens a new window. `inner` is what is between
/// the brackets.
fn macro_text(inner: &str) -> Option<String> {
    let first = match inner.split_once(',') {
        Some((first, rest)) if rest.contains('=') || !inner.starts_with('"') => first,
        _ => inner,
    };
    let text = first.trim().trim_end_matches('^').trim_matches('"').trim();
    Some(text.to_string()).filter(|t| !t.is_empty())
}

/// Where the `]` closing a macro's attributes opened at `open` is, on the
/// same line and not escaped.
fn closing_bracket(body: &str, open: usize) -> Option<usize> {
    let rest = &body[open + 1..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ']' => return Some(open + 1 + i),
            _ => {}
        }
    }
    None
}

/// `link:`, `mailto:`, `image::` and `image:` macros; returns the body
/// ranges of the whole macros (their text may hold a URL too).
fn macros(
    body: &str,
    start: usize,
    masked: &Masked,
    out: &mut Vec<RawLink>,
) -> Vec<std::ops::Range<usize>> {
    let mut constructs = Vec::new();
    for name in ["link:", "mailto:", "image:"] {
        let mut from = 0;
        while let Some(i) = body[from..].find(name) {
            let at = from + i;
            from = at + name.len();
            let word_before = body[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '\\' || c == '_');
            if masked.contains(at) || word_before {
                continue;
            }
            let mut target_at = at + name.len();
            let block = name == "image:" && body[target_at..].starts_with(':');
            if block {
                target_at += 1;
            }
            let rest = &body[target_at..];
            let (target_len, written_len) = if name == "link:" && rest.starts_with("++") {
                match rest[2..].find("++") {
                    Some(e) => (e, e + 4),
                    None => continue,
                }
            } else if name == "image:" {
                // Asciidoctor lets an image target hold spaces, not at its ends.
                let len = rest.find(['[', '\n']).unwrap_or(rest.len());
                (len, len)
            } else {
                let len = rest
                    .find(|c: char| c.is_whitespace() || c == '[')
                    .unwrap_or(rest.len());
                (len, len)
            };
            let open = target_at + written_len;
            if body.as_bytes().get(open) != Some(&b'[') {
                continue;
            }
            let Some(close) = closing_bracket(body, open) else {
                continue;
            };
            let (url_at, url) = if written_len != target_len {
                (target_at + 2, &rest[2..2 + target_len])
            } else {
                (target_at, &rest[..target_len])
            };
            let (url_at, url) = if name == "mailto:" {
                (at, &body[at..target_at + target_len])
            } else {
                (url_at, url)
            };
            from = close + 1;
            constructs.push(at..close + 1);
            if url.starts_with(' ') || url.ends_with(' ') || url.contains('{') {
                continue;
            }
            let kind = if name == "image:" {
                LinkKind::Image
            } else {
                LinkKind::Inline
            };
            out.push(RawLink::new(
                url.to_string(),
                start + url_at..start + url_at + url.len(),
                macro_text(&body[open + 1..close]),
                kind,
            ));
        }
    }
    constructs
}

/// URLs with a scheme: `https://url[text]` macros, `<https://url>` and bare.
fn urls(
    body: &str,
    start: usize,
    masked: &Masked,
    constructs: &[std::ops::Range<usize>],
    out: &mut Vec<RawLink>,
) {
    let taken: Vec<std::ops::Range<usize>> = out
        .iter()
        .map(|l| l.span.start - start..l.span.end - start)
        .chain(constructs.iter().cloned())
        .collect();
    let mut from = 0;
    while let Some(i) = body[from..].find("://") {
        let sep = from + i;
        from = sep + 3;
        let scheme_len = body[..sep]
            .bytes()
            .rev()
            .take_while(u8::is_ascii_alphabetic)
            .count();
        let at = sep - scheme_len;
        let scheme = body[at..sep].to_ascii_lowercase();
        if !SCHEMES.contains(&scheme.as_str())
            || masked.contains(at)
            || taken
                .iter()
                .any(|t| t.start <= at && at < t.end.max(t.start + 1))
        {
            continue;
        }
        let before = body[..at].chars().last();
        if !before.is_none_or(|c| c.is_whitespace() || "<>()[];\"'".contains(c)) {
            continue;
        }
        let rest = &body[at..];
        let len = rest
            .find(|c: char| c.is_whitespace() || "[]<>".contains(c))
            .unwrap_or(rest.len());
        let after = rest[len..].chars().next();
        let (url, kind, text, next) = if after == Some('[') {
            let Some(close) = closing_bracket(body, at + len) else {
                continue;
            };
            let text = macro_text(&body[at + len + 1..close]);
            (&rest[..len], LinkKind::Inline, text, close + 1)
        } else if before == Some('<') && after == Some('>') {
            (&rest[..len], LinkKind::Autolink, None, at + len + 1)
        } else {
            let url = rest[..len].trim_end_matches([',', '.', '?', '!', ')']);
            (url, LinkKind::Bare, None, at + url.len())
        };
        if url.len() <= scheme_len + 3 {
            continue;
        }
        out.push(RawLink::new(
            url.to_string(),
            start + at..start + at + url.len(),
            text,
            kind,
        ));
        from = next.max(from);
    }
}
