//! Extraction: text in, links with exact positions out.
//!
//! Owns the link syntaxes of each format (markdown via pulldown-cmark, HTML via
//! scraper, plain text via linkify; Textile, reStructuredText and AsciiDoc by
//! hand, each module saying why) and the mapping of every link back to its
//! 1-based line and column in the original file. It never reads files, never
//! touches the network and never decides whether a link is good: it only says
//! where the links are and what they say.

mod asciidoc;
mod html;
mod markdown;
mod position;
mod rst;
mod scan;
mod text;
mod textile;

use serde::{Deserialize, Serialize};

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
    /// Textile (`.textile`), as older Jekyll archives hold.
    Textile,
    /// reStructuredText (`.rst`), as Pelican and Sphinx sites hold.
    Rst,
    /// AsciiDoc (`.adoc`, `.asciidoc`).
    AsciiDoc,
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
            "textile" => Some(Format::Textile),
            "rst" | "rest" => Some(Format::Rst),
            "adoc" | "asciidoc" => Some(Format::AsciiDoc),
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
            "textile" => Some(Format::Textile),
            "rst" | "restructuredtext" => Some(Format::Rst),
            "asciidoc" | "adoc" => Some(Format::AsciiDoc),
            _ => None,
        }
    }
}

/// How a link was written, kept so reports and `fix` know what they touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Set when the text only looks like a link: markdown shows it as text
    /// (a space in the destination, a `(` never closed). It is listed all
    /// the same, at its destination, so that lint can point at it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flaw: Option<Flaw>,
    /// The absolute URL a relative link becomes on the site, when a base URL
    /// is known (see [`resolve_relative`]); `url` keeps what is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
}

/// Why text that looks like a link is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flaw {
    /// `[text](http://a b)`: CommonMark ends a destination at a space.
    Space,
    /// `[text](http://a/b_(c)`: the `(` opening the destination is never
    /// closed, often because an unbalanced `(` in the URL took the `)`.
    Unclosed,
}

impl Flaw {
    /// Its name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Flaw::Space => "space",
            Flaw::Unclosed => "unclosed",
        }
    }

    /// The flaw named `name`.
    pub fn parse(name: &str) -> Option<Flaw> {
        [Flaw::Space, Flaw::Unclosed]
            .into_iter()
            .find(|f| f.as_str() == name)
    }
}

/// Extracts every link of `text`, in document order. `body_start` is the byte
/// offset where the content begins (after front matter); positions are still
/// reported relative to the whole `text`.
pub fn extract(text: &str, body_start: usize, format: Format) -> Vec<Link> {
    let raw = match format {
        Format::Markdown => markdown::links(text, body_start),
        Format::Html => html::document_links(text, body_start),
        Format::Textile => textile::links(text, body_start),
        Format::Rst => rst::links(text, body_start),
        Format::AsciiDoc => asciidoc::links(text, body_start),
        // Emails are decoded by `source` into their HTML or text part first.
        Format::Text | Format::Email | Format::Mbox => text::links(text, body_start),
    };
    positioned(text, raw)
}

/// Sets [`Link::resolved`] on every relative link of an issue published
/// under `base` (a folder URL, as `source::parse_base_url` makes it): a
/// root-relative link (`/2019/post/`) joins the base's origin, a
/// document-relative one (`post.html`, `../img.png`) the base itself, and a
/// protocol-relative one (`//cdn.example/x`) takes its scheme. Fragment-only
/// links (`#top`), empty ones, template expressions and [`Link::flaw`]ed
/// ones are left alone.
pub fn resolve_relative(links: &mut [Link], base: &url::Url) {
    for link in links.iter_mut().filter(|l| l.flaw.is_none()) {
        if is_relative(&link.url) && !is_template(&link.url) {
            link.resolved = base.join(link.url.trim()).ok().map(String::from);
        }
    }
}

/// Whether `url` holds a template expression (`{{ site.url }}/x`,
/// `{% post_url a %}`, `<%= url %>`, `${base}/x`): the site generator
/// writes the URL, so it is not one as written.
pub fn is_template(url: &str) -> bool {
    url.contains("{{") || url.contains("{%") || url.contains("<%") || url.contains("${")
}

/// Whether `url`'s path names a file by its extension (an image, an
/// archive, a PDF, a feed...) rather than a page: no links to follow in it,
/// no anchors to find, and its size is no reason to read it.
pub fn names_file(url: &url::Url) -> bool {
    const EXT: &[&str] = &[
        "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "tif", "tiff", "css", "js",
        "pdf", "ps", "epub", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "csv", "zip",
        "gz", "tgz", "bz2", "xz", "7z", "tar", "rar", "jar", "whl", "deb", "rpm", "dmg", "iso",
        "exe", "msi", "apk", "mp3", "mp4", "m4a", "ogg", "wav", "flac", "mov", "avi", "mkv",
        "webm", "woff", "woff2", "ttf", "otf", "rss", "atom", "json", "xml", "txt",
    ];
    url.path().rsplit_once('.').is_some_and(|(_, ext)| {
        !ext.contains('/') && EXT.contains(&ext.to_ascii_lowercase().as_str())
    })
}

/// Whether `url` is relative: no scheme, and more than a fragment.
pub fn is_relative(url: &str) -> bool {
    let url = url.trim();
    !url.is_empty()
        && !url.starts_with('#')
        && matches!(
            url::Url::parse(url),
            Err(url::ParseError::RelativeUrlWithoutBase)
        )
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
                flaw: r.flaw,
                resolved: None,
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
    flaw: Option<Flaw>,
}

impl RawLink {
    /// A link written in a real link syntax.
    fn new(
        url: String,
        span: std::ops::Range<usize>,
        text: Option<String>,
        kind: LinkKind,
    ) -> Self {
        RawLink {
            url,
            span,
            text,
            kind,
            flaw: None,
        }
    }
}
