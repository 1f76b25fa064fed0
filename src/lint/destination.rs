//! The error rules: what is wrong with a destination as written (empty, a
//! placeholder, a malformed URL). Plain string checks, no regex and no
//! allocation unless something is found: they run on every link of every
//! draft.

use super::{LintContext, LintKind};
use crate::extract::{is_template, Flaw, Link, LinkKind};

/// Words that mark a destination as left to fill in (compared without
/// regard to ASCII case, as whole words of the destination).
const PLACEHOLDER_WORDS: &[&str] = &[
    "todo",
    "tbd",
    "tba",
    "tk",
    "xxx",
    "xxxx",
    "fixme",
    "link",
    "links",
    "url",
    "href",
    "placeholder",
    "insert",
];

/// Destinations that are placeholders whatever surrounds them.
const PLACEHOLDER_MARKS: &[&str] = &["#", "...", "…", "?", "-"];

/// Top-level domains common enough that `name.com/x`, written without a
/// scheme, is surely a site and not a file next to the issue.
const SITE_TLDS: &[&str] = &["com", "org", "net", "io", "dev", "edu", "gov", "app"];

/// The error a link's destination deserves, if any: its kind and message.
pub(super) fn error(
    link: &Link,
    doc_path: &str,
    ctx: &dyn LintContext,
) -> Option<(LintKind, String)> {
    let url = link.url.trim();
    if is_template(url) {
        // Rendered by the site generator (`{{ site.url }}/x`, `{% post_url a %}`).
        return None;
    }
    if url.is_empty() {
        return Some((LintKind::EmptyLink, empty_message(link)));
    }
    if let Some(message) = placeholder(link, url, doc_path, ctx) {
        return Some((LintKind::Placeholder, message));
    }
    malformed(link, url).map(|m| (LintKind::MalformedUrl, m))
}

fn empty_message(link: &Link) -> String {
    let text = link
        .text
        .as_deref()
        .map(|t| format!(" '{t}'"))
        .unwrap_or_default();
    match link.kind {
        LinkKind::Html => {
            let on = link
                .text
                .as_deref()
                .map(|t| format!(" on '{t}'"))
                .unwrap_or_default();
            format!("empty href{on}: put the link's URL in it, or remove the <a>")
        }
        LinkKind::Image => {
            format!("empty image source{text}: put the image's URL between the parentheses")
        }
        _ => format!("empty link destination{text}: put the link's URL between the parentheses"),
    }
}

/// Whether `url` starts with a scheme (`https:`, `mailto:`).
fn scheme(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let name = &url[..colon];
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(name)
}

/// The words of a destination made only of letters, digits, `_`, `-` and
/// (for an almost-link) spaces; `None` when it holds anything else.
fn words(url: &str) -> Option<impl Iterator<Item = &str>> {
    url.chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '))
        .then(|| url.split(['_', '-', ' ']).filter(|w| !w.is_empty()))
}

fn is_placeholder_word(word: &str) -> bool {
    PLACEHOLDER_WORDS
        .iter()
        .any(|p| p.eq_ignore_ascii_case(word))
}

fn placeholder(link: &Link, url: &str, doc_path: &str, ctx: &dyn LintContext) -> Option<String> {
    let unwrapped =
        url.trim_matches(|c| matches!(c, '<' | '>' | '[' | ']' | '{' | '}' | '%' | '$'));
    if PLACEHOLDER_MARKS.contains(&unwrapped) {
        return Some(format!(
            "placeholder destination '{url}': replace it with the link's URL"
        ));
    }
    if let Some(name) = scheme(url) {
        // `http://TODO`, `https://your-link-here`: a host that is no host.
        let rest = url[name.len() + 1..].trim_start_matches('/');
        let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        let placeholder_host = is_web_scheme(name)
            && !host.contains('.')
            && !host.eq_ignore_ascii_case("localhost")
            && words(host).is_some_and(|mut w| w.any(is_placeholder_word));
        return placeholder_host
            .then(|| format!("placeholder destination '{url}': replace it with the link's URL"));
    }
    let mut words = words(unwrapped)?;
    if matches!(link.kind, LinkKind::Bare | LinkKind::Autolink)
        || ctx.relative_exists(doc_path, url)
    {
        return None;
    }
    if words.any(is_placeholder_word) {
        return Some(format!(
            "placeholder destination '{url}': replace it with the link's URL"
        ));
    }
    if link.flaw.is_some() {
        // Words and spaces: a sentence in the parentheses, told as malformed.
        return None;
    }
    Some(format!(
        "'{url}' is not a URL, and no file of that name is next to this issue: \
         replace it with the link's URL"
    ))
}

fn malformed(link: &Link, url: &str) -> Option<String> {
    if let Some(flaw) = link.flaw {
        return Some(match flaw {
            Flaw::Space => format!(
                "'{url}' has a space, so markdown shows the link as text: \
                 encode the space as %20 or remove it"
            ),
            Flaw::Unclosed if url.contains('(') => format!(
                "unbalanced parenthesis: the ')' meant to close the link closes the '(' in \
                 '{url}' instead, so markdown shows it as text; add a ')' or write the URL's \
                 parentheses as %28 and %29"
            ),
            Flaw::Unclosed => format!(
                "the '(' before '{url}' is never closed, so markdown shows the link as text: \
                 add the missing ')'"
            ),
        });
    }
    if let Some(c) = url.chars().find(|&c| is_invisible(c)) {
        return Some(format!(
            "'{}' holds an invisible character (U+{:04X}): delete it",
            url.escape_debug(),
            u32::from(c)
        ));
    }
    let written_scheme = scheme(url);
    let spaces_allowed = written_scheme.is_some_and(|s| {
        ["mailto", "data", "javascript", "tel", "sms"]
            .iter()
            .any(|a| s.eq_ignore_ascii_case(a))
    });
    if !spaces_allowed && url.contains(char::is_whitespace) {
        return Some(format!(
            "'{url}' has a space: encode it as %20 or remove it"
        ));
    }
    if let Some(message) = bad_scheme(url) {
        return Some(message);
    }
    if written_scheme.is_none() {
        let first = url.split(['/', '?', '#']).next().unwrap_or(url);
        let site_like = first
            .get(..4)
            .is_some_and(|w| w.eq_ignore_ascii_case("www."))
            || first.rsplit_once('.').is_some_and(|(name, tld)| {
                !name.is_empty() && SITE_TLDS.iter().any(|t| t.eq_ignore_ascii_case(tld))
            });
        if site_like && !first.contains(['@', ' ']) {
            return Some(format!(
                "'{url}' has no scheme, so it is read as a file next to this page: \
                 write https://{url}"
            ));
        }
    }
    let opens = url.matches('(').count();
    let closes = url.matches(')').count();
    if opens != closes {
        return Some(format!(
            "unbalanced parenthesis in '{url}': the link lost or took a ')'; \
             write the URL's parentheses as %28 and %29"
        ));
    }
    None
}

/// Characters nobody means to put in a URL and nobody sees: controls,
/// zero-width and direction marks, the byte-order mark, the soft hyphen.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
        )
}

fn is_web_scheme(name: &str) -> bool {
    name.eq_ignore_ascii_case("http") || name.eq_ignore_ascii_case("https")
}

/// A mistyped or broken `http(s)` scheme: `hhttps://`, `ttps://`, `htp://`,
/// `http//`, `http:/`, `http:example.com`, `http://http://`, `https:///`.
fn bad_scheme(url: &str) -> Option<String> {
    // A scheme is short: only the first bytes are looked at.
    let end = (0..=url.len().min(16))
        .rev()
        .find(|&i| url.is_char_boundary(i))
        .unwrap_or(0);
    let head = &url[..end];
    if let Some(sep) = head.find("://") {
        let written = &url[..sep];
        let rest = &url[sep + 3..];
        if !is_web_scheme(written) {
            if !near_http(written) {
                return None;
            }
            let fixed = if written.bytes().any(|c| c.eq_ignore_ascii_case(&b's')) {
                "https"
            } else {
                "http"
            };
            return Some(format!(
                "mistyped scheme '{written}://': write {fixed}://{rest}"
            ));
        }
        if rest.is_empty() {
            return Some(format!("'{url}' has no host: complete the URL"));
        }
        let doubled = rest
            .get(..8)
            .is_some_and(|r| r.eq_ignore_ascii_case("https://"))
            || rest
                .get(..7)
                .is_some_and(|r| r.eq_ignore_ascii_case("http://"));
        if doubled {
            return Some(format!(
                "'{url}' has its scheme twice: remove the first '{written}://'"
            ));
        }
        if rest.starts_with('/') {
            return Some(format!(
                "'{url}' has a '/' too many after '{written}:': write {written}://{}",
                rest.trim_start_matches('/')
            ));
        }
        return None;
    }
    for scheme in ["https", "http"] {
        if !head
            .get(..scheme.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(scheme))
        {
            continue;
        }
        let rest = &head[scheme.len()..];
        let tail = url[scheme.len()..].trim_start_matches([':', '/', ';', '.', ',']);
        let missing = if rest.starts_with("//") {
            Some("':' missing")
        } else if rest.starts_with(":/") {
            Some("one '/' missing")
        } else if rest.starts_with(';') || rest.starts_with(".//") || rest.starts_with(",//") {
            Some("mistyped ':'")
        } else if rest.starts_with(':') && rest[1..].starts_with(|c: char| c.is_alphanumeric()) {
            Some("'//' missing")
        } else {
            None
        };
        return missing
            .map(|why| format!("'{url}': {why} after '{scheme}': write {scheme}://{tail}"));
    }
    None
}

/// Whether a scheme is one typo away from `http` or `https`: a letter
/// added, dropped, changed or two swapped (`hhttps`, `ttps`, `htp`, `htpp`).
fn near_http(scheme: &str) -> bool {
    if scheme.len() > 7 || !scheme.bytes().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let mut buf = [0u8; 7];
    for (b, c) in buf.iter_mut().zip(scheme.bytes()) {
        *b = c.to_ascii_lowercase();
    }
    let lower = &buf[..scheme.len()];
    lower != b"http"
        && lower != b"https"
        && [b"http".as_slice(), b"https".as_slice()]
            .iter()
            .any(|t| one_edit_apart(lower, t))
}

/// Optimal string alignment distance of at most one (and not zero).
fn one_edit_apart(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    match (a.len(), b.len()) {
        (x, y) if x == y => {
            a[1..] == b[1..] || (x >= 2 && a[0] == b[1] && a[1] == b[0] && a[2..] == b[2..])
        }
        (x, y) if x + 1 == y => a == &b[1..],
        (x, y) if y + 1 == x => &a[1..] == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_typo_from_http() {
        for typo in [
            "hhttps", "ttps", "htps", "htp", "htpp", "htttp", "httpss", "thtp",
        ] {
            assert!(near_http(typo), "{typo}");
        }
        for fine in [
            "http", "https", "ftp", "sftp", "ws", "wss", "git", "file", "irc",
        ] {
            assert!(!near_http(fine), "{fine}");
        }
    }
}
