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
    /// Tracking parameters removed.
    Tracking,
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

/// `url` without its tracking parameters (`utm_*`, `fbclid`, `gclid`,
/// `mc_eid` ...: see [`crate::lint::is_tracking_parameter`]), or `None`
/// when it has none. Every other byte stays as written: the remaining
/// parameters in their order and encoding, empty ones, the fragment; a
/// query left empty loses its `?`.
pub fn strip_tracking(url: &str) -> Option<String> {
    let query = crate::lint::query_range(url)?;
    let pairs: Vec<&str> = url[query.clone()].split('&').collect();
    let kept: Vec<&str> = pairs
        .iter()
        .copied()
        .filter(|pair| {
            let name = pair.split_once('=').map_or(*pair, |(name, _)| name);
            !crate::lint::is_tracking_parameter(name)
        })
        .collect();
    if kept.len() == pairs.len() {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    if kept.is_empty() {
        out.push_str(&url[..query.start - 1]);
    } else {
        out.push_str(&url[..query.start]);
        out.push_str(&kept.join("&"));
    }
    out.push_str(&url[query.end..]);
    Some(out)
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
    fn tracking_parameters_go_and_every_other_byte_stays() {
        assert_eq!(
            strip_tracking("https://a.test/p?id=%2F1&utm_source=news&b=&utm_Medium=x;y#sec?utm_x"),
            Some("https://a.test/p?id=%2F1&b=#sec?utm_x".to_string())
        );
        assert_eq!(
            strip_tracking("https://a.test/p?fbclid=abc&gclid=d#top"),
            Some("https://a.test/p#top".to_string())
        );
        assert_eq!(
            strip_tracking("https://a.test/p/?mc_eid=1"),
            Some("https://a.test/p/".to_string())
        );
        assert_eq!(
            strip_tracking("https://a.test/p?z=1&a=2&mc_cid=3&m=4"),
            Some("https://a.test/p?z=1&a=2&m=4".to_string())
        );
        assert_eq!(
            strip_tracking("https://a.test/p?utmost=1&sutm_source=2"),
            None
        );
        assert_eq!(strip_tracking("https://a.test/#utm_source=x"), None);
        assert_eq!(strip_tracking("https://a.test/"), None);
    }

    #[test]
    fn stripping_tracking_rewrites_only_the_url() {
        let text = "See [it](https://a.test/p?x=1&utm_source=n) and <a href=\"https://a.test/q?a=1&amp;utm_medium=e&amp;b=2\">q</a>.\n";
        let links = extract(text, 0, Format::Markdown);
        let edits = links
            .iter()
            .filter_map(|l| Some(edits_for(text, l, &strip_tracking(&l.url)?)))
            .flatten()
            .collect();
        assert_eq!(
            apply(text, edits),
            "See [it](https://a.test/p?x=1) and <a href=\"https://a.test/q?a=1&amp;b=2\">q</a>.\n"
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
