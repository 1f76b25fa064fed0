//! Bare URLs in running text (plain-text issues, and the text parts of
//! markdown and HTML), found with linkify's GFM-like rules: trailing
//! punctuation dropped, balanced parentheses kept.

use super::{LinkKind, RawLink};
use linkify::{LinkFinder, LinkKind as FoundKind};

/// Every bare URL with a scheme in `text[start..]`, positioned in `text`.
pub(crate) fn links(text: &str, start: usize) -> Vec<RawLink> {
    let mut out = Vec::new();
    bare_urls(&text[start..], start, &mut out);
    out
}

/// Appends the bare URLs of `fragment`, whose first byte is at `offset` in the file.
pub(crate) fn bare_urls(fragment: &str, offset: usize, out: &mut Vec<RawLink>) {
    // Cheap pre-filter: most text runs hold no URL at all.
    if !fragment.contains("://") {
        return;
    }
    let mut finder = LinkFinder::new();
    finder.kinds(&[FoundKind::Url]);
    for found in finder.links(fragment) {
        let url = found.as_str();
        // linkify takes any `scheme://`; a letter glued before `http` ("xhttp://")
        // is a typo of prose, not a link a reader could click.
        if !url.contains("://") {
            continue;
        }
        out.push(RawLink::new(
            url.to_string(),
            offset + found.start()..offset + found.end(),
            None,
            LinkKind::Bare,
        ));
    }
}
