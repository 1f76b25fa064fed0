//! Sources: where issues come from (files, directories, stdin) and what each
//! one is (format, title, date).
//!
//! Owns reading bytes and deciding an issue's metadata. It never extracts
//! links, never touches the network or the database. A file that cannot be
//! read becomes a [`Problem`] naming it; it never stops the run.

pub mod email;
pub mod frontmatter;

use crate::extract::Format;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::io::Read;
use std::path::{Path, PathBuf};
use time::Date;

/// Where to look for issues.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// Files, directories (read recursively) and `-` for stdin.
    pub inputs: Vec<String>,
    /// Globs of paths to skip (`drafts/**`, `**/*.tmp.md`).
    pub exclude_paths: Vec<String>,
    /// The format of stdin, which has no file name to tell it.
    pub stdin_format: Format,
    /// Where the issues are published (see [`parse_base_url`]): relative
    /// links are resolved against it. `None`: relative links stay relative.
    pub base_url: Option<url::Url>,
}

/// An unusable `--base-url`.
#[derive(Debug, thiserror::Error)]
#[error(
    "invalid base URL '{given}': {why}; give the site's address, e.g. https://newsletter.example/"
)]
pub struct BaseUrlError {
    given: String,
    why: String,
}

/// The site's address as a base for relative links: an absolute `http(s)`
/// URL without query or fragment. It names a folder: a missing trailing
/// `/` is added, so `post.html` joins `https://n.example/archive` as
/// `https://n.example/archive/post.html`.
pub fn parse_base_url(given: &str) -> Result<url::Url, BaseUrlError> {
    let err = |why: String| BaseUrlError {
        given: given.to_string(),
        why,
    };
    let mut url = url::Url::parse(given.trim()).map_err(|e| err(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(err("not an http(s) address".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(err("a base URL has no query or fragment".into()));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// One input to read: a file found on disk, or stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file and the format its name implies.
    File(PathBuf, Format),
    /// Standard input.
    Stdin(Format),
}

impl Input {
    /// The name shown in reports: the path as found, or `<stdin>`.
    pub fn display(&self) -> String {
        match self {
            Input::File(p, _) => p.display().to_string(),
            Input::Stdin(_) => STDIN_NAME.to_string(),
        }
    }
}

/// How stdin is named in reports.
pub const STDIN_NAME: &str = "<stdin>";

/// One issue, read and ready for extraction.
#[derive(Debug, Clone)]
pub struct Document {
    /// The path as shown to the user.
    pub path: String,
    /// The whole text (invalid UTF-8 replaced).
    pub text: String,
    /// How to extract its links.
    pub format: Format,
    /// `title` from front matter.
    pub title: Option<String>,
    /// The date: front matter `date`, else a date in the file name.
    pub date: Option<Date>,
    /// Where the content begins, after front matter.
    pub body_start: usize,
    /// Whether `text` is the file's own bytes (so `fix` may rewrite it);
    /// false for emails, whose text is a decoded body.
    pub rewritable: bool,
}

/// Something wrong with one input, told to the user; the run goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (or input) concerned.
    pub path: String,
    /// What is wrong and what to do about it.
    pub message: String,
    /// Errors mean the input was not read at all; warnings that it was read
    /// with a caveat.
    pub severity: Severity,
}

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input was read, with a caveat.
    Warning,
    /// The input could not be read; its links are missing from the run.
    Error,
}

impl Severity {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Problem {
    /// The input was not read.
    pub(crate) fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
            severity: Severity::Error,
        }
    }
    /// The input was read, with a caveat.
    pub(crate) fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
            severity: Severity::Warning,
        }
    }
}

/// Invalid `--exclude-path` glob.
#[derive(Debug, thiserror::Error)]
#[error("invalid --exclude-path glob '{glob}'")]
pub struct GlobError {
    glob: String,
    #[source]
    source: globset::Error,
}

/// Lists every input to read, in a stable order (directories sorted by name),
/// with a problem for each path that does not exist or cannot be listed.
pub fn discover(cfg: &SourceConfig) -> Result<(Vec<Input>, Vec<Problem>), GlobError> {
    let excludes = build_globs(&cfg.exclude_paths)?;
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for raw in &cfg.inputs {
        if raw == "-" {
            inputs.push(Input::Stdin(cfg.stdin_format));
            continue;
        }
        if is_web_input(raw) {
            problems.push(Problem::error(
                raw,
                "is a web page; `linkrot check` reads web pages (add --crawl to follow the site's links)",
            ));
            continue;
        }
        let path = Path::new(raw);
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                problems.push(Problem::error(
                    raw,
                    format!("cannot read: {e}; check the path"),
                ));
                continue;
            }
        };
        if meta.is_file() {
            if !excludes.is_match(path) {
                // A file named explicitly is read even with an unknown extension.
                inputs.push(Input::File(
                    path.to_path_buf(),
                    Format::from_path(path).unwrap_or(Format::Text),
                ));
            }
            continue;
        }
        let walker = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let p = e.path();
                    if excludes.is_match(p) {
                        continue;
                    }
                    if let Some(format) = Format::from_path(p) {
                        inputs.push(Input::File(p.to_path_buf(), format));
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let at = e
                        .path()
                        .map_or_else(|| raw.clone(), |p| p.display().to_string());
                    problems.push(Problem::error(
                        at,
                        format!("cannot list: {}; check its permissions", io_cause(&e)),
                    ));
                }
            }
        }
    }
    Ok((inputs, problems))
}

fn io_cause(e: &walkdir::Error) -> String {
    e.io_error()
        .map_or_else(|| e.to_string(), std::string::ToString::to_string)
}

fn build_globs(globs: &[String]) -> Result<GlobSet, GlobError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|source| GlobError {
            glob: g.clone(),
            source,
        })?;
        b.add(glob);
        // A glob naming a directory (`drafts`, `**/drafts/`) also means everything under it.
        if !g.ends_with("/**") {
            let under = format!("{}/**", g.trim_end_matches('/'));
            if let Ok(glob) = Glob::new(&under) {
                b.add(glob);
            }
        }
    }
    b.build().map_err(|source| GlobError {
        glob: globs.join(", "),
        source,
    })
}

/// Whether an input names a web page to read (crawl) rather than a file.
pub fn is_web_input(input: &str) -> bool {
    let lower = input.get(..8).unwrap_or(input).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// A short, stable fingerprint of an input's bytes (FNV-1a, 64 bits, and
/// the length), to tell whether an issue changed since it was read. Not
/// for security: only to avoid rewriting a file someone edited since.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:016x}-{}", h, bytes.len())
}

/// Largest input read; bigger files are refused with a message rather than
/// exhausting memory.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// Reads one input into its documents (one, or one per message of an
/// mbox), with any warning about it.
pub fn read(input: &Input) -> Result<(Vec<Document>, Option<Problem>), Problem> {
    let name = input.display();
    let (bytes, format, file_name) = match input {
        Input::File(path, format) => {
            let mut bytes = Vec::new();
            std::fs::File::open(path)
                .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
                .map_err(|e| {
                    Problem::error(&name, format!("cannot read: {e}; check its permissions"))
                })?;
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (bytes, *format, file_name)
        }
        Input::Stdin(format) => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(MAX_INPUT_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Problem::error(&name, format!("cannot read stdin: {e}")))?;
            (bytes, *format, String::new())
        }
    };
    match format {
        Format::Email => Ok((vec![email_document(name, &bytes, &file_name)?], None)),
        Format::Mbox => {
            let messages = email::split_mbox(&bytes);
            let mut docs = Vec::with_capacity(messages.len());
            let mut warning = None;
            for (i, m) in messages.into_iter().enumerate() {
                match email_document(format!("{name}#{}", i + 1), m, &file_name) {
                    Ok(d) => docs.push(d),
                    Err(p) => {
                        warning.get_or_insert(Problem::warning(&p.path, p.message));
                    }
                }
            }
            Ok((docs, warning))
        }
        _ => document_from_bytes(name, bytes, format, &file_name).map(|(d, w)| (vec![d], w)),
    }
}

/// A document from one email: its HTML or text part, `Subject` and `Date`.
fn email_document(name: String, bytes: &[u8], file_name: &str) -> Result<Document, Problem> {
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Problem::error(
            &name,
            format!("larger than {} MiB; skipped", MAX_INPUT_BYTES >> 20),
        ));
    }
    let msg = email::parse_message(bytes)
        .map_err(|why| Problem::error(&name, format!("{why}; skipped")))?;
    Ok(Document {
        date: msg.date.or_else(|| frontmatter::date_in_name(file_name)),
        title: msg.subject,
        path: name,
        text: msg.body,
        format: msg.format,
        body_start: 0,
        rewritable: false,
    })
}

/// Builds a [`Document`] from raw bytes; `file_name` may hold a date.
pub fn document_from_bytes(
    name: String,
    bytes: Vec<u8>,
    format: Format,
    file_name: &str,
) -> Result<(Document, Option<Problem>), Problem> {
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Problem::error(
            &name,
            format!(
                "larger than {} MiB; skipped (split it, or exclude it with --exclude-path)",
                MAX_INPUT_BYTES >> 20
            ),
        ));
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(Problem::error(
            &name,
            "looks binary (NUL bytes); skipped (exclude it with --exclude-path)",
        ));
    }
    let mut warning = None;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            warning = Some(Problem::warning(
                &name,
                format!(
                    "not valid UTF-8 (first bad byte at offset {}); read with replacement characters",
                    e.utf8_error().valid_up_to()
                ),
            ));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    let fm = match format {
        Format::Markdown | Format::Textile | Format::Rst | Format::AsciiDoc => {
            frontmatter::parse_for(&text, format)
        }
        Format::Html | Format::Text | Format::Email | Format::Mbox => {
            frontmatter::FrontMatter::default()
        }
    };
    if let Some(p) = &fm.problem {
        warning.get_or_insert_with(|| Problem::warning(&name, p.clone()));
    }
    let mut date = None;
    if let Some(raw) = &fm.date_raw {
        date = frontmatter::leading_date(raw);
        if date.is_none() {
            warning.get_or_insert_with(|| {
                Problem::warning(
                    &name,
                    format!("front matter date '{raw}' is not a YYYY-MM-DD date; using the file name's date if any"),
                )
            });
        }
    }
    let date = date.or_else(|| frontmatter::date_in_name(file_name));
    Ok((
        Document {
            path: name,
            title: fm.title,
            date,
            body_start: fm.body_start,
            format,
            text,
            rewritable: true,
        },
        warning,
    ))
}
