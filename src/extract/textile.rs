//! Links in Textile (the markup of older Jekyll archives): `"text":url`,
//! `"text(title)":url`, `["text":url]`, images `!url!`, `!url(alt)!` and
//! `!url!:link`, link aliases (`[name]url` on a line of its own, used as
//! `"text":name`), inline HTML and bare URLs. `bc.`, `pre.`, `notextile.`
//! and `###.` blocks (and their `..` extended forms), `<pre>`, `<code>`,
//! `<notextile>`, `@code@` and HTML comments hold no links.
//!
//! Written by hand: no maintained Rust crate parses Textile, and a renderer
//! to HTML would lose the source positions that `fix` and reports need.

use super::{
    html,
    scan::{self, Masked},
    LinkKind, RawLink,
};

/// Links of a Textile document whose body starts at byte `start` of `text`.
pub(crate) fn links(text: &str, start: usize) -> Vec<RawLink> {
    let body = &text[start..];
    let masked = code(body);
    let mut out = Vec::new();
    // An alias's URL is written once, in its definition: that is the occurrence.
    let mut aliases: Vec<(String, usize)> = Vec::new();
    for (at, line) in scan::lines(body) {
        if masked.contains(at) {
            continue;
        }
        if let Some((name, url_at, url)) = alias_definition(line) {
            aliases.push((name.to_string(), out.len()));
            let from = start + at + url_at;
            out.push(RawLink::new(
                url.to_string(),
                from..from + url.len(),
                None,
                LinkKind::Reference,
            ));
        }
    }
    let mut constructs = Vec::new();
    quoted_links(body, start, &masked, &aliases, &mut constructs, &mut out);
    images(body, start, &masked, &mut out);
    html::tag_links(body, start, &masked, &mut out);
    scan::bare_outside(body, start, &masked, &constructs, &mut out);
    out
}

/// `[name]url`: the alias name, where the URL starts in the line, the URL.
fn alias_definition(line: &str) -> Option<(&str, usize, &str)> {
    let inner = line.strip_prefix('[')?;
    let close = inner.find(']')?;
    let name = &inner[..close];
    let url = inner[close + 1..].trim_end();
    let plausible = !name.is_empty()
        && !name.contains(char::is_whitespace)
        && !url.is_empty()
        && !url.contains(char::is_whitespace)
        && url.contains([':', '/', '.', '#']);
    plausible.then_some((name, close + 2, url))
}

/// Where a link target written after `":` or `!:` ends: at whitespace or a
/// character no URL holds unescaped, less trailing punctuation.
fn target(rest: &str) -> &str {
    let end = rest
        .find(|c: char| c.is_whitespace() || "[]<>\"|".contains(c))
        .unwrap_or(rest.len());
    scan::trim_trailing(&rest[..end])
}

/// `"text":url` (and `"text(title)":url`, `["text":url]`); a target naming
/// an alias gives its text to the alias's definition instead.
fn quoted_links(
    body: &str,
    start: usize,
    masked: &Masked,
    aliases: &[(String, usize)],
    constructs: &mut Vec<std::ops::Range<usize>>,
    out: &mut Vec<RawLink>,
) {
    let mut from = 0;
    while let Some(i) = body[from..].find("\":") {
        let close = from + i;
        from = close + 2;
        if masked.contains(close) {
            continue;
        }
        let url = target(&body[from..]);
        if url.is_empty() {
            continue;
        }
        let line_start = body[..close].rfind('\n').map_or(0, |n| n + 1);
        let Some(open) = body[line_start..close].rfind('"').map(|o| line_start + o) else {
            continue;
        };
        if !scan::starts_construct(body, open) {
            continue;
        }
        let mut text = body[open + 1..close].trim();
        if let (true, Some(paren)) = (text.ends_with(')'), text.rfind('(')) {
            text = text[..paren].trim_end();
        }
        if text.is_empty() {
            continue;
        }
        let text = Some(text.to_string());
        constructs.push(start + open..start + from + url.len());
        if let Some((_, index)) = aliases.iter().find(|(name, _)| name == url) {
            let definition: &mut RawLink = &mut out[*index];
            if definition.text.is_none() {
                definition.text = text;
            }
        } else {
            let at = start + from;
            out.push(RawLink::new(
                url.to_string(),
                at..at + url.len(),
                text,
                LinkKind::Inline,
            ));
        }
        from += url.len();
    }
}

/// `!url!`, `!url(alt)!`, with alignment and modifiers (`!<(class)url!`),
/// and the link of `!url!:target`.
fn images(body: &str, start: usize, masked: &Masked, out: &mut Vec<RawLink>) {
    let b = body.as_bytes();
    let mut from = 0;
    while let Some(i) = body[from..].find('!') {
        let bang = from + i;
        from = bang + 1;
        if masked.contains(bang) || !scan::starts_construct(body, bang) {
            continue;
        }
        let mut j = bang + 1;
        while j < b.len() && matches!(b[j], b'<' | b'>' | b'=') {
            j += 1;
        }
        while let Some(closer) = match b.get(j) {
            Some(b'(') => Some(')'),
            Some(b'{') => Some('}'),
            Some(b'[') => Some(']'),
            _ => None,
        } {
            match same_line_find(body, j + 1, closer) {
                Some(c) => j = c + 1,
                None => break,
            }
        }
        let rest = &body[j..];
        let len = rest
            .find(|c: char| c.is_whitespace() || c == '!' || c == '(')
            .unwrap_or(rest.len());
        if len == 0 {
            continue;
        }
        let mut k = j + len;
        let mut alt = None;
        if b.get(k) == Some(&b'(') {
            let Some(c) = same_line_find(body, k + 1, ')') else {
                continue;
            };
            alt = Some(body[k + 1..c].trim().to_string()).filter(|a| !a.is_empty());
            k = c + 1;
        }
        if b.get(k) != Some(&b'!') {
            continue;
        }
        out.push(RawLink::new(
            rest[..len].to_string(),
            start + j..start + j + len,
            alt,
            LinkKind::Image,
        ));
        k += 1;
        if b.get(k) == Some(&b':') {
            let url = target(&body[k + 1..]);
            if !url.is_empty() {
                let at = start + k + 1;
                out.push(RawLink::new(
                    url.to_string(),
                    at..at + url.len(),
                    None,
                    LinkKind::Inline,
                ));
                k += 1 + url.len();
            }
        }
        from = k;
    }
}

/// The offset of `c` at or after `from`, before the end of the line.
fn same_line_find(body: &str, from: usize, c: char) -> Option<usize> {
    let rest = &body[from..];
    let end = rest.find('\n').unwrap_or(rest.len());
    rest[..end].find(c).map(|i| from + i)
}

/// The block signature a line starts with (`p.`, `bc..`, `h2(class).`),
/// and whether it is the extended (`..`) form.
fn block_signature(line: &str) -> Option<(&str, bool)> {
    let name_len = if line.starts_with("###") {
        3
    } else {
        line.bytes().take_while(u8::is_ascii_alphanumeric).count()
    };
    let name = &line[..name_len];
    let known = matches!(
        name,
        "p" | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "bq"
            | "bc"
            | "pre"
            | "notextile"
            | "###"
            | "table"
            | "clear"
            | "dl"
    ) || name
        .strip_prefix("fn")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()));
    if !known {
        return None;
    }
    let mut rest = &line[name_len..];
    loop {
        let closer = match rest.as_bytes().first() {
            Some(b'<' | b'>' | b'=') => {
                rest = &rest[1..];
                continue;
            }
            Some(b'(') => ')',
            Some(b'{') => '}',
            Some(b'[') => ']',
            _ => break,
        };
        match rest.find(closer) {
            Some(c) => rest = &rest[c + 1..],
            None => break,
        }
    }
    let rest = rest.strip_prefix('.')?;
    let (extended, rest) = match rest.strip_prefix('.') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    (rest.is_empty() || rest.starts_with(' ')).then_some((name, extended))
}

/// What holds no links: code, preformatted and notextile blocks, comment
/// blocks, `<pre>`/`<code>`/`<notextile>` elements, `@code@`, HTML comments.
fn code(body: &str) -> Masked {
    let mut m = Masked::default();
    let mut skipping: Option<(usize, bool)> = None;
    let mut prev_blank = true;
    for (at, line) in scan::lines(body) {
        let blank = line.trim().is_empty();
        let signature = if prev_blank && !blank {
            block_signature(line)
        } else {
            None
        };
        if let Some((from, extended)) = skipping {
            // A plain block ends at a blank line; an extended one at the next signature.
            let ends = if extended { signature.is_some() } else { blank };
            if ends {
                m.add(from..at);
                skipping = None;
            }
        }
        if skipping.is_none() {
            if let Some((name, extended)) = signature {
                if matches!(name, "bc" | "pre" | "notextile" | "###") {
                    skipping = Some((at, extended));
                }
            }
        }
        prev_blank = blank;
    }
    if let Some((from, _)) = skipping {
        m.add(from..body.len());
    }
    // ASCII lower-casing keeps byte offsets.
    let lower = body.to_ascii_lowercase();
    for tag in ["pre", "code", "notextile"] {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        let mut from = 0;
        while let Some(i) = lower[from..].find(&open) {
            let at = from + i;
            let after = lower.as_bytes().get(at + open.len());
            from = at + open.len();
            if !matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
                continue;
            }
            let end = lower[from..]
                .find(&close)
                .map_or(body.len(), |e| from + e + close.len());
            m.add(at..end);
            from = end;
        }
    }
    let mut from = 0;
    while let Some(i) = lower[from..].find("<!--") {
        let at = from + i;
        let end = lower[at + 4..]
            .find("-->")
            .map_or(body.len(), |e| at + 4 + e + 3);
        m.add(at..end);
        from = end;
    }
    let b = body.as_bytes();
    let mut from = 0;
    while let Some(i) = body[from..].find('@') {
        let at = from + i;
        from = at + 1;
        if !scan::starts_construct(body, at) || b.get(at + 1).is_none_or(u8::is_ascii_whitespace) {
            continue;
        }
        let Some(end) = same_line_find(body, at + 1, '@') else {
            continue;
        };
        if b[end - 1].is_ascii_whitespace() || b.get(end + 1).is_some_and(u8::is_ascii_alphanumeric)
        {
            continue;
        }
        m.add(at..end + 1);
        from = end + 1;
    }
    m.finish()
}
