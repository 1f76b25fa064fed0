//! Links in reStructuredText: embedded URIs (`` `text <url>`_ `` and the
//! anonymous `` `text <url>`__ ``), hyperlink targets (`.. _name: url`,
//! `.. __: url`, `__ url`: the definition is the occurrence), `image` and
//! `figure` directives (and their `:target:`), and standalone URLs.
//! Comments, literal blocks (after `::`), `code`/`code-block`/`sourcecode`/
//! `raw`/`math` directives and ``inline literals`` hold no links; a
//! role's text (`` :ref:`x <y>` ``) is not a hyperlink.
//!
//! Written by hand: the one rST crate (rst_parser) builds a document tree
//! that keeps no source positions, and covers only part of the syntax; the
//! link syntaxes are few and local, so a line scanner gives exact spans.

use super::{
    scan::{self, Masked},
    LinkKind, RawLink,
};

/// Links of an rST document whose body starts at byte `start` of `text`.
pub(crate) fn links(text: &str, start: usize) -> Vec<RawLink> {
    let body = &text[start..];
    let lines: Vec<(usize, &str)> = scan::lines(body).collect();
    let mut masked = Masked::default();
    let mut out = Vec::new();
    explicit_markup(&lines, body.len(), start, &mut masked, &mut out);
    literal_blocks(&lines, body.len(), &mut masked);
    inline_literals(body, &mut masked);
    let masked = masked.finish();
    let mut constructs = Vec::new();
    embedded_uris(body, start, &masked, &mut constructs, &mut out);
    scan::bare_outside(body, start, &masked, &constructs, &mut out);
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The index of the first line after the block that line `i` opens: the
/// following lines that are blank or indented deeper than line `i`.
fn block_end(lines: &[(usize, &str)], i: usize) -> usize {
    let depth = indent(lines[i].1);
    let mut end = i + 1;
    let mut last = i + 1;
    while end < lines.len() {
        let l = lines[end].1;
        if l.trim().is_empty() {
            end += 1;
            continue;
        }
        if indent(l) <= depth {
            break;
        }
        end += 1;
        last = end;
    }
    last
}

/// Byte offset where line `i` starts (the end of the text past the last line).
fn line_start(lines: &[(usize, &str)], i: usize, len: usize) -> usize {
    lines.get(i).map_or(len, |l| l.0)
}

/// Targets, images and figures, and the blocks that hold no links:
/// comments and code directives.
fn explicit_markup(
    lines: &[(usize, &str)],
    len: usize,
    start: usize,
    masked: &mut Masked,
    out: &mut Vec<RawLink>,
) {
    let mut i = 0;
    while i < lines.len() {
        let (at, line) = lines[i];
        let lead = indent(line);
        let trimmed = &line[lead..];
        if let Some(url) = trimmed.strip_prefix("__ ") {
            // `__ url`: an anonymous target.
            push_target(out, start + at + lead + 3, url, None);
            i += 1;
            continue;
        }
        let Some(rest) = trimmed
            .strip_prefix(".. ")
            .or((trimmed == "..").then_some(""))
        else {
            i += 1;
            continue;
        };
        let rest_at = at + lead + 3;
        let end = block_end(lines, i);
        if let Some(target) = rest.strip_prefix('_') {
            hyperlink_target(lines, i, target, rest_at + 1, start, out);
        } else if rest.starts_with('[') {
            // A footnote or citation: ordinary content.
        } else if let Some((name, args_at)) = directive(rest) {
            let args = rest[args_at..].trim();
            let args_at =
                rest_at + args_at + (rest[args_at..].len() - rest[args_at..].trim_start().len());
            match name {
                "image" | "figure" if !args.is_empty() => {
                    let image = out.len();
                    push_link(out, start + args_at, args, LinkKind::Image, None);
                    for &(o_at, o_line) in &lines[i + 1..end] {
                        let o_lead = indent(o_line);
                        let option = &o_line[o_lead..];
                        if let Some(url) = option.strip_prefix(":target:") {
                            let skip = url.len() - url.trim_start().len();
                            let url_at = start + o_at + o_lead + 8 + skip;
                            push_link(out, url_at, url.trim(), LinkKind::Inline, None);
                        } else if let Some(alt) = option.strip_prefix(":alt:") {
                            out[image].text =
                                Some(alt.trim().to_string()).filter(|a| !a.is_empty());
                        }
                    }
                }
                "code" | "code-block" | "sourcecode" | "raw" | "math" => {
                    masked.add(at..line_start(lines, end, len));
                }
                _ => {}
            }
        } else {
            // Anything else after `..` is a comment.
            masked.add(at..line_start(lines, end, len));
        }
        i += 1;
    }
}

/// `name:: args` (after an optional `|substitution|`): the directive's name
/// and where its arguments start in `rest`.
fn directive(rest: &str) -> Option<(&str, usize)> {
    let (rest, skipped) = match rest.strip_prefix('|') {
        Some(r) => {
            let close = r.find('|')?;
            let after = &r[close + 1..];
            let spaces = after.len() - after.trim_start().len();
            (&after[spaces..], 1 + close + 1 + spaces)
        }
        None => (rest, 0),
    };
    let colons = rest.find("::")?;
    let name = &rest[..colons];
    if name.is_empty()
        || !name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'+' | b'.'))
    {
        return None;
    }
    Some((name, skipped + colons + 2))
}

/// `.. _name: url` (`target` is what follows the `_`, at byte `target_at`
/// of the body); the URL may sit on the next, indented, line.
fn hyperlink_target(
    lines: &[(usize, &str)],
    i: usize,
    target: &str,
    target_at: usize,
    start: usize,
    out: &mut Vec<RawLink>,
) {
    let (name, after) = if let Some(quoted) = target.strip_prefix('`') {
        let Some(close) = quoted.find('`') else {
            return;
        };
        (&quoted[..close], close + 2)
    } else {
        let Some(colon) = target
            .char_indices()
            .find(|&(j, c)| {
                c == ':'
                    && target[j + 1..]
                        .chars()
                        .next()
                        .is_none_or(char::is_whitespace)
            })
            .map(|(j, _)| j)
        else {
            return;
        };
        (&target[..colon], colon)
    };
    let Some(rest) = target.get(after..).and_then(|r| r.strip_prefix(':')) else {
        return;
    };
    let text = Some(name.trim().to_string()).filter(|n| !n.is_empty() && n != "_");
    if rest.trim().is_empty() {
        // The URL on the next line, indented.
        if let Some(&(at, line)) = lines.get(i + 1) {
            if indent(line) > indent(lines[i].1) {
                push_target(out, start + at + indent(line), line.trim_start(), text);
            }
        }
        return;
    }
    push_target(out, start + target_at + after + 1, rest, text);
}

/// A target's URL, unless it is an indirect target (`other_`).
fn push_target(out: &mut Vec<RawLink>, at: usize, written: &str, text: Option<String>) {
    let lead = written.len() - written.trim_start().len();
    let url = written.trim();
    if url.ends_with('_') && !url.contains(char::is_whitespace) {
        return;
    }
    push_link(out, at + lead, url, LinkKind::Reference, text);
}

fn push_link(out: &mut Vec<RawLink>, at: usize, url: &str, kind: LinkKind, text: Option<String>) {
    if !url.is_empty() {
        out.push(RawLink::new(
            url.to_string(),
            at..at + url.len(),
            text,
            kind,
        ));
    }
}

/// The indented block after a paragraph ending in `::` is literal.
fn literal_blocks(lines: &[(usize, &str)], len: usize, masked: &mut Masked) {
    for (i, &(_, line)) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if !trimmed.ends_with("::") || trimmed.starts_with("..") {
            continue;
        }
        let depth = indent(line);
        let Some(first) = lines[i + 1..]
            .iter()
            .position(|l| !l.1.trim().is_empty())
            .map(|p| i + 1 + p)
        else {
            continue;
        };
        if indent(lines[first].1) <= depth {
            continue;
        }
        let mut end = first;
        while end < lines.len() && (lines[end].1.trim().is_empty() || indent(lines[end].1) > depth)
        {
            end += 1;
        }
        masked.add(lines[first].0..line_start(lines, end, len));
    }
}

/// ``inline literals``.
fn inline_literals(body: &str, masked: &mut Masked) {
    let mut from = 0;
    while let Some(i) = body[from..].find("``") {
        let open = from + i;
        let Some(close) = body[open + 2..].find("``").map(|c| open + 2 + c + 2) else {
            return;
        };
        masked.add(open..close);
        from = close;
    }
}

/// `` `text <url>`_ `` and `` `text <url>`__ ``. Every backquoted
/// construct (these, and roles, whose text is no hyperlink) goes to
/// `constructs`, so that no bare URL is read inside one.
fn embedded_uris(
    body: &str,
    start: usize,
    masked: &Masked,
    constructs: &mut Vec<std::ops::Range<usize>>,
    out: &mut Vec<RawLink>,
) {
    let mut from = 0;
    while let Some(i) = body[from..].find('`') {
        let open = from + i;
        from = open + 1;
        if masked.contains(open) {
            continue;
        }
        let Some(close) = body[open + 1..].find('`').map(|c| open + 1 + c) else {
            return;
        };
        let inner = &body[open + 1..close];
        if inner.contains("\n\n") || inner.contains("\n\r\n") {
            // Not across paragraphs: this backtick opens nothing.
            continue;
        }
        from = close + 1;
        constructs.push(start + open..start + close + 1);
        let role = body[..open].ends_with(':');
        if role || !body[close + 1..].starts_with('_') || !inner.ends_with('>') {
            continue;
        }
        let Some(lt) = inner.rfind('<') else { continue };
        let url = &inner[lt + 1..inner.len() - 1];
        if url.ends_with('_') || url.is_empty() {
            // `text <name_>`_ points at another target, which holds the URL.
            continue;
        }
        let text = Some(inner[..lt].trim().to_string()).filter(|t| !t.is_empty());
        push_link(out, start + open + 1 + lt + 1, url, LinkKind::Inline, text);
    }
}
