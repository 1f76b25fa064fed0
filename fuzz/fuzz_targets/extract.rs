//! Feeds arbitrary bytes to front matter parsing and to every extractor, and
//! checks what extraction promises: no panic, and every link's span lies on
//! a character boundary inside the text, at the line and column it claims.
#![no_main]

use libfuzzer_sys::fuzz_target;
use linkrot::extract::{extract, Format, LineIndex};
use linkrot::source::frontmatter;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let index = LineIndex::new(&text);
    for format in [
        Format::Markdown,
        Format::Html,
        Format::Text,
        Format::Textile,
        Format::Rst,
        Format::AsciiDoc,
    ] {
        let fm = frontmatter::parse_for(&text, format);
        assert!(fm.body_start <= text.len() && text.is_char_boundary(fm.body_start));
        let _ = fm.date_raw.as_deref().map(frontmatter::leading_date);
        let start = if format == Format::Html || format == Format::Text { 0 } else { fm.body_start };
        for link in extract(&text, start, format) {
            assert!(link.span.start <= link.span.end && link.span.end <= text.len());
            assert!(text.is_char_boundary(link.span.start) && text.is_char_boundary(link.span.end));
            assert_eq!(index.position(link.span.start), (link.line, link.column));
        }
    }
});
