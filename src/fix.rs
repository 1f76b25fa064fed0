//! Fix: rewriting links in an issue's source, byte for byte.
//!
//! Owns the text surgery: each edit replaces exactly the bytes of a URL as
//! written (and, for `[u](u)` links, the identical link text too), nothing
//! else, so line endings, front matter and spacing survive. Renders unified
//! diffs. Does no I/O and decides nothing about which links to replace.

use crate::extract::{Link, LinkKind};
use std::ops::Range;

/// One replacement in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Bytes replaced.
    pub span: Range<usize>,
    /// What goes there.
    pub with: String,
}

/// Why a link is replaced, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Dead: replaced by its archived capture.
    Archived,
    /// Redirected: replaced by where it ends.
    Redirect,
}

/// The edits that put `new_url` where `link` is written in `text`.
pub fn edits_for(text: &str, link: &Link, new_url: &str) -> Vec<Edit> {
    let written = &text[link.span.clone()];
    let mut new_url = new_url.replace(' ', "%20");
    if link.kind == LinkKind::Html && written.contains("&amp;") {
        new_url = new_url.replace('&', "&amp;");
    }
    let mut edits = vec![Edit {
        span: link.span.clone(),
        with: new_url.clone(),
    }];
    // `[u](u)`: the text is the URL too; a reader would see the dead one.
    if matches!(link.kind, LinkKind::Inline | LinkKind::Image) {
        let before = &text[..link.span.start];
        let titled = format!("[{written}](");
        if before.ends_with(&titled) {
            let text_start = link.span.start - titled.len() + 1;
            edits.push(Edit {
                span: text_start..text_start + written.len(),
                with: new_url,
            });
        }
    }
    edits
}

/// `text` with `edits` applied (overlapping edits keep the first).
pub fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| e.span.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        if e.span.start < at {
            continue;
        }
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.with);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A unified diff of `old` to `new` for `path` (empty when they are equal).
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// `url` with the fragment of `written` kept, when `url` has none.
pub fn keep_fragment(written: &str, url: &str) -> String {
    match (written.split_once('#'), url.contains('#')) {
        (Some((_, frag)), false) if !frag.is_empty() => format!("{url}#{frag}"),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{extract, Format};

    fn fix(text: &str, to: &str) -> String {
        let links = extract(text, 0, Format::Markdown);
        let edits = links.iter().flat_map(|l| edits_for(text, l, to)).collect();
        apply(text, edits)
    }

    #[test]
    fn self_titled_links_get_text_and_destination_replaced() {
        assert_eq!(
            fix(
                "<br>[http://a.test/x](http://a.test/x)\r\n",
                "https://b.test/y"
            ),
            "<br>[https://b.test/y](https://b.test/y)\r\n"
        );
        assert_eq!(
            fix("[read this](http://a.test/x)\n", "https://b.test/y"),
            "[read this](https://b.test/y)\n"
        );
    }

    #[test]
    fn html_escaping_is_kept() {
        let text = "<a href=\"http://a.test/?x=1&amp;y=2\">x</a>\n";
        assert_eq!(
            fix(text, "https://b.test/?p=1&q=2"),
            "<a href=\"https://b.test/?p=1&amp;q=2\">x</a>\n"
        );
    }

    #[test]
    fn fragments_survive_a_redirect() {
        assert_eq!(
            keep_fragment("http://a.test/p#sec", "https://a.test/p"),
            "https://a.test/p#sec"
        );
        assert_eq!(
            keep_fragment("http://a.test/p", "https://a.test/p"),
            "https://a.test/p"
        );
    }
}
