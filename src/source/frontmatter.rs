//! Front matter and metadata headers: the `title` and `date` an issue carries.
//!
//! Read at the top of a file: YAML (`---` ... `---`, Jekyll), TOML (`+++`
//! ... `+++`, Hugo and Zola), JSON (a `{"title": ...}` object, Hugo), and
//! Pelican / MultiMarkdown headers (`Title: ...` / `Date: ...` lines ending
//! at the first blank line, only when the first line is one of the keys
//! such headers use, so text opening with "Note: ..." stays text). For
//! reStructuredText and AsciiDoc without front matter, the document's own
//! header (its title and `:date:` / `:revdate:` fields) is read instead.
//!
//! Only top-level scalar keys are read, by hand rather than with a YAML or
//! TOML crate: Jekyll archives are full of front matter that a strict parser
//! rejects (`title: Issue \#12: what: next`, tabs, stray quotes), and losing
//! an issue's date to one bad character would cost its archive lookups.
//! JSON, which has no such dialects, is read with serde_json. Anything
//! unparseable is reported, never fatal.

use crate::extract::Format;
use time::{Date, Month};

/// What front matter (or, failing that, the file name) says about an issue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    /// The `title` value, unquoted and trimmed.
    pub title: Option<String>,
    /// The raw `date` value, as written.
    pub date_raw: Option<String>,
    /// Byte offset where the document body begins (0 without front matter).
    pub body_start: usize,
    /// A problem worth telling the user (unterminated block ...).
    pub problem: Option<String>,
}

/// Keys whose presence on the first line makes a Pelican / MultiMarkdown
/// metadata header.
const HEADER_KEYS: &[&str] = &[
    "title", "date", "modified", "author", "authors", "category", "tags", "keywords", "slug",
    "summary", "lang", "status", "subtitle",
];

/// Parses the front matter of a markdown-like file: a leading `---` (YAML),
/// `+++` (TOML) or JSON block, or a metadata header.
pub fn parse(text: &str) -> FrontMatter {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[bom..];
    if let Some(after) = after_fence(rest, "---") {
        return fenced(text, after, &["---", "..."], yaml_entry, "---");
    }
    if let Some(after) = after_fence(rest, "+++") {
        return fenced(text, after, &["+++"], toml_entry, "+++");
    }
    let json_like = rest.strip_prefix('{').is_some_and(|r| {
        let r = r.trim_start();
        r.starts_with('"') || r.starts_with('}')
    });
    if json_like {
        return json(text, bom);
    }
    metadata_header(text, bom)
}

/// Front matter for a document of `format`: [`parse`], then for
/// reStructuredText and AsciiDoc the document's own header for what front
/// matter did not say.
pub fn parse_for(text: &str, format: Format) -> FrontMatter {
    let mut fm = parse(text);
    let header = match format {
        Format::Rst => rst_header(&text[fm.body_start..]),
        Format::AsciiDoc => asciidoc_header(&text[fm.body_start..]),
        _ => return fm,
    };
    if fm.title.is_none() {
        fm.title = header.0;
    }
    if fm.date_raw.is_none() {
        fm.date_raw = header.1;
    }
    fm
}

fn after_fence<'a>(rest: &'a str, fence: &str) -> Option<&'a str> {
    let after = rest.strip_prefix(fence)?;
    after
        .strip_prefix('\n')
        .or_else(|| after.strip_prefix("\r\n"))
}

/// A block opened by `opener` whose lines after the opening are
/// `after_open`, closed by a line equal to one of `closers`; `entry` reads
/// one line as a top-level key and value (`None` for anything else; it is
/// told, through its second argument, when a TOML table has begun).
fn fenced(
    text: &str,
    after_open: &str,
    closers: &[&str],
    entry: fn(&str, &mut bool) -> Option<(String, String)>,
    opener: &str,
) -> FrontMatter {
    let mut fm = FrontMatter::default();
    let mut offset = text.len() - after_open.len();
    let mut nested = false;
    for line in after_open.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        offset += line.len();
        if closers.contains(&content) {
            fm.body_start = offset;
            return fm;
        }
        if let Some((key, value)) = entry(content, &mut nested) {
            match key.as_str() {
                "title" if !value.is_empty() => fm.title = Some(value),
                "date" if !value.is_empty() => fm.date_raw = Some(value),
                _ => {}
            }
        }
    }
    // No closing line: this was not front matter after all; keep the text as body.
    FrontMatter {
        problem: Some(format!(
            "front matter opened with '{opener}' is never closed; read as plain content"
        )),
        ..FrontMatter::default()
    }
}

/// `key: value` at the top level of YAML.
fn yaml_entry(content: &str, _: &mut bool) -> Option<(String, String)> {
    if content.starts_with([' ', '\t', '#', '-']) {
        return None;
    }
    let (key, value) = content.split_once(':')?;
    Some((key.trim().to_string(), unquote(value.trim())))
}

/// `key = value` at the top level of TOML (before any `[table]`).
fn toml_entry(content: &str, nested: &mut bool) -> Option<(String, String)> {
    let line = content.trim();
    if line.starts_with('[') {
        *nested = true;
    }
    if *nested || line.starts_with('#') {
        return None;
    }
    let (key, value) = line.split_once('=')?;
    let key = key.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    let value = value.trim();
    let value = if let Some(inner) = value.strip_prefix('"') {
        if inner.starts_with("\"\"") {
            return None;
        }
        toml_basic_string(inner)?
    } else if let Some(inner) = value.strip_prefix('\'') {
        inner[..inner.find('\'')?].to_string()
    } else {
        // A bare value: a date, a number, a boolean; a comment may follow.
        value.split(" #").next().unwrap_or(value).trim().to_string()
    };
    Some((key, value))
}

/// The value of a TOML basic string whose opening quote was just read.
fn toml_basic_string(inner: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// A JSON object at the top of the file (Hugo's JSON front matter).
fn json(text: &str, bom: usize) -> FrontMatter {
    let rest = &text[bom..];
    let mut stream = serde_json::Deserializer::from_str(rest)
        .into_iter::<serde_json::Map<String, serde_json::Value>>();
    match stream.next() {
        Some(Ok(map)) => {
            let mut end = bom + stream.byte_offset();
            // The rest of the closing line belongs to the front matter.
            let tail = &text[end..];
            let line_end = tail.find('\n').map_or(tail.len(), |n| n + 1);
            if tail[..line_end].trim().is_empty() {
                end += line_end;
            }
            let string = |key: &str| {
                map.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .and_then(|(_, v)| v.as_str())
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
            };
            FrontMatter {
                title: string("title"),
                date_raw: string("date"),
                body_start: end,
                problem: None,
            }
        }
        Some(Err(e)) => FrontMatter {
            problem: Some(format!(
                "JSON front matter is not valid JSON ({e}); read as plain content"
            )),
            ..FrontMatter::default()
        },
        None => FrontMatter::default(),
    }
}

/// `Key: value` lines up to the first blank line (Pelican, MultiMarkdown),
/// when the first line's key is one such headers use and every line up to
/// the blank one is an entry or an indented continuation.
fn metadata_header(text: &str, bom: usize) -> FrontMatter {
    let mut fm = FrontMatter::default();
    let mut offset = bom;
    for (i, line) in text[bom..].split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        offset += line.len();
        if content.trim().is_empty() {
            if i == 0 {
                return FrontMatter::default();
            }
            fm.body_start = offset;
            return fm;
        }
        if i > 0 && content.starts_with([' ', '\t']) {
            continue;
        }
        let Some((key, value)) = content.split_once(':') else {
            return FrontMatter::default();
        };
        let key = key.to_ascii_lowercase();
        let is_key = !key.is_empty()
            && !key.starts_with(' ')
            && key
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b' ' | b'_' | b'-'));
        if !is_key || (i == 0 && !HEADER_KEYS.contains(&key.as_str())) {
            return FrontMatter::default();
        }
        let value = value.trim();
        match key.as_str() {
            "title" if !value.is_empty() => fm.title = Some(value.to_string()),
            "date" if !value.is_empty() => fm.date_raw = Some(value.to_string()),
            _ => {}
        }
    }
    // A file that is all header.
    fm.body_start = text.len();
    fm
}

/// The title (a line underlined, and maybe overlined, by one punctuation
/// character repeated) and the `:date:` (or `:title:`) field of an rST
/// document's header.
fn rst_header(body: &str) -> (Option<String>, Option<String>) {
    let adornment = |l: &str| {
        let l = l.trim_end();
        let mut chars = l.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_punctuation() && l.len() >= 2 && l.chars().all(|d| d == c))
    };
    let lines: Vec<&str> = body
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take(40)
        .collect();
    let mut title = None;
    let mut at = 0;
    if lines.len() >= 3 && adornment(lines[0]) && adornment(lines[2]) {
        title = Some(lines[1].trim().to_string());
        at = 3;
    } else if lines.len() >= 2 && !adornment(lines[0]) && adornment(lines[1]) {
        title = Some(lines[0].trim().to_string());
        at = 2;
    }
    let mut date = None;
    for line in lines[at.min(lines.len())..]
        .iter()
        .skip_while(|l| l.trim().is_empty())
    {
        let Some((name, value)) = line.strip_prefix(':').and_then(|l| l.split_once(": ")) else {
            break;
        };
        match name.to_ascii_lowercase().as_str() {
            "date" => date = Some(value.trim().to_string()),
            "title" => title = Some(value.trim().to_string()),
            _ => {}
        }
    }
    (
        title.filter(|t| !t.is_empty()),
        date.filter(|d| !d.is_empty()),
    )
}

/// The document title (`= Title`) and date (`:revdate:` or `:date:`, else
/// the revision line's date) of an AsciiDoc header.
fn asciidoc_header(body: &str) -> (Option<String>, Option<String>) {
    let mut title = None;
    let mut date = None;
    let mut revision = None;
    for line in body.lines() {
        let line = line.trim_end();
        if line.starts_with("//") {
            continue;
        }
        if title.is_none() {
            if let Some(t) = line.strip_prefix("= ") {
                title = Some(t.trim().to_string());
                continue;
            }
            if line.starts_with(':') || line.is_empty() {
                if let Some(d) = attribute_date(line) {
                    date = Some(d);
                }
                continue;
            }
            break;
        }
        if line.is_empty() {
            break;
        }
        if let Some(d) = attribute_date(line) {
            date = Some(d);
        } else if let Some((_, rest)) = line.split_once(", ") {
            // `v1.0, 2019-03-14: remark`
            if leading_date(rest).is_some() {
                revision = Some(rest.split(':').next().unwrap_or(rest).trim().to_string());
            }
        }
    }
    (title.filter(|t| !t.is_empty()), date.or(revision))
}

fn attribute_date(line: &str) -> Option<String> {
    let (name, value) = line.strip_prefix(':')?.split_once(": ")?;
    matches!(name, "revdate" | "date")
        .then(|| value.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn unquote(v: &str) -> String {
    let v = strip_comment(v);
    if v.len() >= 2 {
        if let Some(inner) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            return inner.replace("''", "'");
        }
        if let Some(inner) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            return inner.replace("\\\"", "\"").replace("\\\\", "\\");
        }
    }
    v.to_string()
}

/// YAML comments start with ` #` outside quotes.
fn strip_comment(v: &str) -> &str {
    if v.starts_with(['"', '\'']) {
        return v;
    }
    match v.find(" #") {
        Some(i) => v[..i].trim_end(),
        None => v,
    }
}

/// The `YYYY-MM-DD` at the start of `s`, if it is a real calendar date.
pub fn leading_date(s: &str) -> Option<Date> {
    let s = s.trim().trim_matches(['"', '\'']);
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let year = i32::try_from(num(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
    let day = u8::try_from(num(8..10)?).ok()?;
    if b.get(10).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Date::from_calendar_date(year, month, day).ok()
}

/// The first `YYYY-MM-DD` anywhere in a file name (`2015-10-25-251.md`).
pub fn date_in_name(name: &str) -> Option<Date> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(9))
        .filter(|&i| i == 0 || !b[i - 1].is_ascii_digit())
        .find_map(|i| leading_date(name.get(i..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_title_and_date_and_body_start() {
        let text = "---\ntitle: DEVOPS WEEKLY ISSUE \\#251 - 25th October 2015 \ndate: 2015-10-25T12:01:20+00:00\n---\nbody";
        let fm = parse(text);
        assert_eq!(
            fm.title.as_deref(),
            Some("DEVOPS WEEKLY ISSUE \\#251 - 25th October 2015")
        );
        assert_eq!(
            leading_date(fm.date_raw.as_deref().unwrap()),
            Some(time::macros::date!(2015 - 10 - 25))
        );
        assert_eq!(&text[fm.body_start..], "body");
    }

    #[test]
    fn unterminated_front_matter_is_reported_and_kept_as_body() {
        let fm = parse("---\ntitle: x\nno end");
        assert_eq!(fm.body_start, 0);
        assert!(fm.problem.is_some());
    }

    #[test]
    fn dates_must_be_real() {
        assert_eq!(leading_date("2015-02-30"), None);
        assert_eq!(leading_date("yesterday"), None);
        assert_eq!(
            date_in_name("2013-01-20-107.md"),
            Some(time::macros::date!(2013 - 01 - 20))
        );
        assert_eq!(date_in_name("issue-107.md"), None);
    }
}
