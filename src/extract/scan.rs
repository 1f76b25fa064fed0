//! Small pieces the hand-written extractors (Textile, reStructuredText,
//! AsciiDoc) share: lines with their offsets, ranges that hold no links
//! (code, comments), and bare URLs outside both those and the links a
//! syntax already found.

use super::{text::bare_urls, RawLink};
use std::ops::Range;

/// Each line of `text` (without its `\n` or `\r\n`) with the byte offset
/// where it starts.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split_inclusive('\n').map(move |l| {
        let start = at;
        at += l.len();
        (start, l.trim_end_matches(['\n', '\r']))
    })
}

/// Byte ranges of a text that hold no links (code, comments, literal
/// blocks), in the text's own offsets.
#[derive(Debug, Default)]
pub(crate) struct Masked(Vec<Range<usize>>);

impl Masked {
    /// Adds a range (empty ones are ignored).
    pub(crate) fn add(&mut self, range: Range<usize>) {
        if range.start < range.end {
            self.0.push(range);
        }
    }

    /// Sorts the ranges; call once, after the last `add`.
    pub(crate) fn finish(mut self) -> Self {
        self.0.sort_by_key(|r| r.start);
        self
    }

    /// Whether byte `at` lies in a masked range.
    pub(crate) fn contains(&self, at: usize) -> bool {
        let i = self.0.partition_point(|r| r.start <= at);
        i > 0 && at < self.0[i - 1].end
    }

    /// The unmasked stretches of `0..len`.
    fn gaps(&self, len: usize) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut at = 0;
        for r in &self.0 {
            if r.start > at {
                out.push(at..r.start.min(len));
            }
            at = at.max(r.end);
        }
        if at < len {
            out.push(at..len);
        }
        out
    }
}

/// Appends the bare URLs of `body` (which starts at byte `start` of the
/// file) that lie outside `masked`, outside every link in `out` already and
/// outside `constructs` (file offsets of whole link constructs, whose text
/// may be a URL too: `"http://a":http://a` is one link).
pub(crate) fn bare_outside(
    body: &str,
    start: usize,
    masked: &Masked,
    constructs: &[Range<usize>],
    out: &mut Vec<RawLink>,
) {
    let mut found = Vec::new();
    for gap in masked.gaps(body.len()) {
        bare_urls(&body[gap.clone()], start + gap.start, &mut found);
    }
    let taken: Vec<Range<usize>> = out
        .iter()
        .map(|l| l.span.clone())
        .chain(constructs.iter().cloned())
        .collect();
    out.extend(found.into_iter().filter(|b| {
        !taken
            .iter()
            .any(|t| b.span.start < t.end.max(t.start + 1) && t.start < b.span.end)
    }));
}

/// `url` without the punctuation that ends a sentence rather than the URL:
/// trailing `.,;:!?'"*` and a `)` that closes nothing in the URL.
pub(crate) fn trim_trailing(url: &str) -> &str {
    let mut url = url;
    loop {
        let Some(last) = url.chars().last() else {
            return url;
        };
        let cut = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"' | '*' => true,
            ')' => url.matches(')').count() > url.matches('(').count(),
            _ => false,
        };
        if !cut {
            return url;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
}

/// Whether the byte before `at` in `text` lets a markup construct start
/// there: the start of the text, whitespace or opening punctuation.
pub(crate) fn starts_construct(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .last()
        .is_none_or(|c| c.is_whitespace() || "([{<>|\"'".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_ranges_and_gaps() {
        let mut m = Masked::default();
        m.add(5..8);
        m.add(2..3);
        let m = m.finish();
        assert!(m.contains(2) && !m.contains(3) && m.contains(7) && !m.contains(8));
        assert_eq!(m.gaps(10), vec![0..2, 3..5, 8..10]);
    }

    #[test]
    fn trailing_punctuation_and_unbalanced_parens_are_trimmed() {
        assert_eq!(trim_trailing("http://a.test/x)."), "http://a.test/x");
        assert_eq!(trim_trailing("http://a.test/x_(y)"), "http://a.test/x_(y)");
    }
}
