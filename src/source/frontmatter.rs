//! YAML front matter: the `title` and `date` an issue carries.
//!
//! Only top-level scalar keys are read, by hand rather than with a YAML
//! crate: Jekyll archives are full of front matter that a strict YAML parser
//! rejects (`title: Issue \#12: what: next`, tabs, stray quotes), and losing
//! an issue's date to one bad character would cost its archive lookups.
//! Anything unparseable is reported, never fatal.

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

/// Parses a leading `---` ... `---` (or `...`) block.
pub fn parse(text: &str) -> FrontMatter {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[bom..];
    let Some(after_open) = rest
        .strip_prefix("---\n")
        .or_else(|| rest.strip_prefix("---\r\n"))
    else {
        return FrontMatter::default();
    };
    let mut fm = FrontMatter::default();
    let mut offset = text.len() - after_open.len();
    for line in after_open.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        offset += line.len();
        if content == "---" || content == "..." {
            fm.body_start = offset;
            return fm;
        }
        if content.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        if let Some((key, value)) = content.split_once(':') {
            let value = unquote(value.trim());
            match key.trim() {
                "title" if !value.is_empty() => fm.title = Some(value),
                "date" if !value.is_empty() => fm.date_raw = Some(value),
                _ => {}
            }
        }
    }
    // No closing line: this was not front matter after all; keep the text as body.
    FrontMatter {
        problem: Some(
            "front matter opened with '---' is never closed; read as plain content".into(),
        ),
        ..FrontMatter::default()
    }
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
