//! Lint: what an editor would be embarrassed to send, found without the
//! network.
//!
//! Owns the rules that judge a link by how it is written: a placeholder
//! left in, an empty destination, a malformed URL (errors); the same URL
//! twice, a URL featured before, tracking parameters, an `http://` link
//! whose `https://` form works (notes). It is pure: it takes a document,
//! its links and a [`LintContext`] that answers what only the database or
//! the project's files know, and returns [`Finding`]s. It never reads a
//! file, never touches the network or the database, never writes output.

mod destination;
mod tracking;

pub use tracking::{is_tracking_parameter, query_range, tracking_parameters};

use crate::extract::{Link, LinkKind};
use crate::source::Document;
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Range;
use time::Date;

/// What a finding is about. The names (`placeholder`, `empty-link` ...)
/// are those of the JSON `kind` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LintKind {
    /// A destination left to fill in (`TODO`, `#`, `INSERT_LINK_HERE`), or
    /// a bare word that names no file of the project.
    Placeholder,
    /// `[text]()`, `<a href="">`.
    EmptyLink,
    /// A mistyped or missing scheme, a space, an invisible character, an
    /// unbalanced parenthesis.
    MalformedUrl,
    /// The same URL twice in one issue.
    Duplicate,
    /// A URL already featured in an earlier issue.
    SeenBefore,
    /// Tracking parameters (`utm_*`, `fbclid` ...) left in a link.
    Tracking,
    /// An `http://` link whose `https://` form is known to work.
    Insecure,
}

impl LintKind {
    /// Every kind, in the order findings of one link are given.
    pub const ALL: [LintKind; 7] = [
        LintKind::Placeholder,
        LintKind::EmptyLink,
        LintKind::MalformedUrl,
        LintKind::Duplicate,
        LintKind::SeenBefore,
        LintKind::Tracking,
        LintKind::Insecure,
    ];

    /// The name shown in text output and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LintKind::Placeholder => "placeholder",
            LintKind::EmptyLink => "empty-link",
            LintKind::MalformedUrl => "malformed-url",
            LintKind::Duplicate => "duplicate",
            LintKind::SeenBefore => "seen-before",
            LintKind::Tracking => "tracking",
            LintKind::Insecure => "insecure",
        }
    }

    /// The kind [`LintKind::as_str`] names.
    pub fn parse(name: &str) -> Option<LintKind> {
        LintKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Errors are links a reader cannot follow; notes are worth a look.
    pub fn severity(self) -> LintSeverity {
        match self {
            LintKind::Placeholder | LintKind::EmptyLink | LintKind::MalformedUrl => {
                LintSeverity::Error
            }
            LintKind::Duplicate
            | LintKind::SeenBefore
            | LintKind::Tracking
            | LintKind::Insecure => LintSeverity::Note,
        }
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LintSeverity {
    /// The link is broken as written: fix it before sending.
    Error,
    /// Worth a look; nothing is broken.
    Note,
}

impl LintSeverity {
    /// `error` or `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            LintSeverity::Error => "error",
            LintSeverity::Note => "note",
        }
    }
}

/// Which findings to make (`--lint none|errors|all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LintLevel {
    /// None at all.
    None,
    /// Errors only (and no question to the [`LintContext`] but
    /// `relative_exists`).
    Errors,
    /// Errors and notes.
    #[default]
    All,
}

/// One thing wrong (or worth a look) with one link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What it is.
    pub kind: LintKind,
    /// `kind.severity()`, kept so renderers need not ask.
    pub severity: LintSeverity,
    /// 1-based line of the link's URL.
    pub line: u32,
    /// 1-based column (in characters) of the link's URL.
    pub column: u32,
    /// The URL as written.
    pub url: String,
    /// What is wrong and what to do about it.
    pub message: String,
    /// Byte range of the URL as written (the link's `span`).
    #[serde(skip)]
    pub span: Range<usize>,
    /// Index of the link in the slice given to [`lint`].
    #[serde(skip)]
    pub link: usize,
}

/// An earlier issue that cites a URL, as the database knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierCitation {
    /// The earliest such issue's path.
    pub path: String,
    /// Its date.
    pub date: Option<Date>,
    /// Its title.
    pub title: Option<String>,
    /// How many earlier issues cite the URL in all.
    pub issues: usize,
}

/// An issue citing a URL: its path, date and title.
pub type CitingIssue<'a> = (&'a str, Option<Date>, Option<&'a str>);

/// Whether an issue dated `other` was published before one dated `this`.
/// Two dates compare; an issue without a date is newer than any (a
/// draft), so it comes after every other issue, and nothing undated is
/// known to come before a dated issue (a stale draft, a page of the site).
fn before(other: Option<Date>, this: Option<Date>) -> bool {
    match (other, this) {
        (Some(o), Some(t)) => o < t,
        (_, None) => true,
        (None, Some(_)) => false,
    }
}

/// Of the issues `citing` a URL (each at most once), those other than
/// the one at `path` and published before its `date`: the earliest (by
/// date, then path) and how many they are.
pub fn first_citation<'a>(
    citing: impl IntoIterator<Item = CitingIssue<'a>>,
    path: &str,
    date: Option<Date>,
) -> Option<EarlierCitation> {
    let key = |c: &CitingIssue<'a>| (c.1.is_none(), c.1, c.0);
    let mut first: Option<CitingIssue<'a>> = None;
    let mut issues = 0;
    for c in citing {
        if c.0 == path || !before(c.1, date) {
            continue;
        }
        issues += 1;
        if first.as_ref().is_none_or(|f| key(&c) < key(f)) {
            first = Some(c);
        }
    }
    first.map(|(path, date, title)| EarlierCitation {
        path: path.to_string(),
        date,
        title: title.map(str::to_string),
        issues,
    })
}

/// A URL cited by this many earlier issues is a recurring link (a sponsor,
/// the newsletter's own pages), not news featured twice: no `seen-before`.
pub const RECURRING_AFTER: usize = 3;

/// What lint cannot know from the text: the caller answers from the
/// database and the file system. Every answer defaults to "not known".
pub trait LintContext {
    /// The earliest issue other than `path` that cites `url` (as written)
    /// and was published before `date`, with the number of such issues.
    /// An issue without a date (a draft) comes after every other issue;
    /// an undated issue is never known to come before a dated one.
    fn first_cited(&self, url: &str, path: &str, date: Option<Date>) -> Option<EarlierCitation> {
        let _ = (url, path, date);
        None
    }

    /// Whether the `https://` form of `http_url` is known to work (its
    /// latest check was ok or redirected, or `http_url`'s latest check was
    /// redirected to it).
    fn https_works(&self, http_url: &str) -> bool {
        let _ = http_url;
        false
    }

    /// Whether `target`, a relative path written in the issue at
    /// `doc_path`, names a file or folder of the project (with or without
    /// the extension of a format linkrot reads).
    fn relative_exists(&self, doc_path: &str, target: &str) -> bool {
        let _ = (doc_path, target);
        false
    }
}

/// Knows nothing: no database, no files.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoContext;

impl LintContext for NoContext {}

/// The findings for `links` (all extracted from `doc`), in document order;
/// a link with an error gets no notes.
pub fn lint(
    doc: &Document,
    links: &[Link],
    ctx: &dyn LintContext,
    level: LintLevel,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if level == LintLevel::None {
        return out;
    }
    // First occurrence of each URL, images apart: `[![x](a.png)](a.png)` is
    // one picture that opens itself, not a duplicate.
    let mut first: HashMap<(&str, bool), &Link> = HashMap::new();
    for (i, link) in links.iter().enumerate() {
        let found = |kind: LintKind, message: String| Finding {
            kind,
            severity: kind.severity(),
            line: link.line,
            column: link.column,
            url: link.url.clone(),
            message,
            span: link.span.clone(),
            link: i,
        };
        if let Some((kind, message)) = destination::error(link, &doc.path, ctx) {
            out.push(found(kind, message));
            continue;
        }
        if level == LintLevel::Errors || !is_web(&link.url) {
            continue;
        }
        let url = link.url.as_str();
        match first.entry((url, link.kind == LinkKind::Image)) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let at = e.get();
                out.push(found(
                    LintKind::Duplicate,
                    format!(
                        "{url} is linked twice in this issue (first at {}:{}): \
                         drop one unless both are meant",
                        at.line, at.column
                    ),
                ));
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(link);
                if let Some(c) = ctx.first_cited(url, &doc.path, doc.date) {
                    if c.issues < RECURRING_AFTER {
                        out.push(found(LintKind::SeenBefore, seen_before_message(url, &c)));
                    }
                }
            }
        }
        let params = tracking_parameters(url);
        if !params.is_empty() {
            out.push(found(
                LintKind::Tracking,
                format!(
                    "tracking parameter{} {} left in {url}: remove {} \
                     (`linkrot fix --strip-tracking` does)",
                    if params.len() > 1 { "s" } else { "" },
                    params.join(", "),
                    if params.len() > 1 { "them" } else { "it" },
                ),
            ));
        }
        if url
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
            && ctx.https_works(url)
        {
            out.push(found(
                LintKind::Insecure,
                format!(
                    "https://{} works too: link to it (`linkrot fix --redirects` rewrites \
                     http:// links that redirect there)",
                    &url[7..]
                ),
            ));
        }
    }
    out
}

fn seen_before_message(url: &str, c: &EarlierCitation) -> String {
    let mut issue = match &c.title {
        Some(t) => format!("'{t}'"),
        None => c.path.clone(),
    };
    if let Some(d) = c.date {
        issue.push_str(&format!(" of {d}"));
    }
    if c.title.is_some() {
        issue.push_str(&format!(" ({})", c.path));
    }
    let also = match c.issues {
        0 | 1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    format!("{url} was already featured in {issue}{also}: make sure it is meant to run again")
}

/// Whether `url` is an `http(s)` URL, the only kind the notes are about.
fn is_web(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url);
    lower.eq_ignore_ascii_case("https://")
        || lower
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
}

/// Whether any finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == LintSeverity::Error)
}
