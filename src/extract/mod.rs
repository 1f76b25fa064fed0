//! Extraction: text in, links with exact positions out.
//!
//! Owns the link syntaxes of each format (markdown via pulldown-cmark, HTML via
//! scraper, plain text via linkify) and the mapping of every link back to its
//! 1-based line and column in the original file. It never reads files, never
//! touches the network and never decides whether a link is good: it only says
//! where the links are and what they say.

mod html;
mod markdown;
mod position;
mod text;

use serde::Serialize;

pub use position::LineIndex;

/// The format of a document, which decides the extractor used on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// CommonMark with GFM-style bare URLs and raw HTML.
    Markdown,
    /// An HTML page or fragment.
    Html,
    /// Plain text: only bare URLs.
    Text,
    /// An email (`.eml`, or a `.mail.txt` dump); read as its HTML or text part.
    Email,
    /// An mbox archive of emails.
    Mbox,
}

impl Format {
    /// The format a file name implies, if it is one linkrot reads.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".mail.txt") {
            return Some(Format::Email);
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "eml" => Some(Format::Email),
            "mbox" => Some(Format::Mbox),
            "md" | "markdown" | "mdown" | "mkd" => Some(Format::Markdown),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "txt" | "text" => Some(Format::Text),
            _ => None,
        }
    }

    /// Parses a format name as given on the command line.
    pub fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "markdown" | "md" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "text" | "txt" | "plain" => Some(Format::Text),
            "email" | "eml" => Some(Format::Email),
            "mbox" => Some(Format::Mbox),
            _ => None,
        }
    }
}

/// How a link was written, kept so reports and `fix` know what they touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// `[text](url)`
    Inline,
    /// `[label]: url` (the definition is where the URL is written).
    Reference,
    /// `<http://...>`
    Autolink,
    /// `![alt](url)`
    Image,
    /// `href`/`src` in raw HTML or an HTML document.
    Html,
    /// A URL in running text.
    Bare,
}

impl LinkKind {
    /// The name stored in the database and shown in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Inline => "inline",
            LinkKind::Reference => "reference",
            LinkKind::Autolink => "autolink",
            LinkKind::Image => "image",
            LinkKind::Html => "html",
            LinkKind::Bare => "bare",
        }
    }

    /// The kind [`LinkKind::as_str`] names.
    pub fn parse(name: &str) -> Option<LinkKind> {
        [
            LinkKind::Inline,
            LinkKind::Reference,
            LinkKind::Autolink,
            LinkKind::Image,
            LinkKind::Html,
            LinkKind::Bare,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

/// One link as written in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The destination as a reader's browser would see it (escapes and
    /// entities decoded), not yet normalised.
    pub url: String,
    /// 1-based line of the first character of the URL.
    pub line: u32,
    /// 1-based column, counted in characters, of the first character of the URL.
    pub column: u32,
    /// The link text (or image alt text), when the syntax has one.
    pub text: Option<String>,
    /// The syntax it was written in.
    pub kind: LinkKind,
    /// Byte range of the URL as written in the source; `fix` rewrites exactly this.
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

/// Extracts every link of `text`, in document order. `body_start` is the byte
/// offset where the content begins (after front matter); positions are still
/// reported relative to the whole `text`.
pub fn extract(text: &str, body_start: usize, format: Format) -> Vec<Link> {
    let raw = match format {
        Format::Markdown => markdown::links(text, body_start),
        Format::Html => html::document_links(text, body_start),
        // Emails are decoded by `source` into their HTML or text part first.
        Format::Text | Format::Email | Format::Mbox => text::links(text, body_start),
    };
    positioned(text, raw)
}

/// Links of a whole HTML document the caller has already parsed from
/// `text` (a crawled page, whose metadata is read from the same tree).
pub fn extract_parsed_html(doc: &scraper::Html, text: &str) -> Vec<Link> {
    positioned(text, html::parsed_document_links(doc, text, 0))
}

/// Sorts raw links and gives each its line and column in `text`.
fn positioned(text: &str, mut raw: Vec<RawLink>) -> Vec<Link> {
    let index = LineIndex::new(text);
    raw.sort_by_key(|l| l.span.start);
    raw.into_iter()
        .map(|r| {
            let (line, column) = index.position(r.span.start);
            Link {
                url: r.url,
                line,
                column,
                text: r.text,
                kind: r.kind,
                span: r.span,
            }
        })
        .collect()
}

/// A link found by one of the format extractors, positioned by byte offset.
#[derive(Debug)]
pub(crate) struct RawLink {
    url: String,
    span: std::ops::Range<usize>,
    text: Option<String>,
    kind: LinkKind,
}
