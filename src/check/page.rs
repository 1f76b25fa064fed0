//! What a page says, read from the first bytes of its body: its words as
//! a fingerprint (to tell whether two answers are the same page), its
//! title, how many links it has to its own site, and which anchors it has.
//!
//! Pure and quick: one pass of a small tag scanner over at most the bytes
//! read, no tree. Written by hand rather than with scraper because it runs
//! on every sampled body, chunk by chunk, and needs no tree: only words,
//! a title, `href`s and `id`/`name` attributes.

use reqwest::Url;
use std::collections::HashSet;

/// Words per shingle: three words in a row, the usual size for telling
/// near-duplicate pages apart (robust to reordering and small edits).
const SHINGLE: usize = 3;

/// What a sampled page says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PageSample {
    /// Its words in order, hashed (words with digits left out: dates,
    /// counters and tokens change from one answer to the next).
    pub seq: Vec<u64>,
    /// The words of its own URL's path and query, hashed and sorted: left
    /// out of every comparison, since pages echo the path they were asked for.
    pub own: Vec<u64>,
    /// Its `<title>`'s words, hashed.
    pub title_seq: Vec<u64>,
    /// Its `<title>`, lower case, whitespace collapsed.
    pub title: String,
    /// Its visible text, lower case, collapsed (the first few KiB), for the
    /// parking signatures and "not found" wording.
    pub text: String,
    /// Links to other pages of its own host.
    pub same_site_links: usize,
    /// Links to other hosts.
    pub other_links: usize,
    /// Every `id` and `<a name>` it has (only kept when asked for).
    pub anchors: HashSet<String>,
    /// The parking signature it carries, if any (see `parking.rs`).
    pub parking: Option<&'static str>,
    /// Whether the whole body was read (else only its first bytes).
    pub complete: bool,
}

/// How much visible text a sample keeps for the signatures.
const TEXT_KEPT: usize = 8 * 1024;

/// Words of a page kept for its fingerprint, at most.
const WORDS_KEPT: usize = 20_000;

/// Reads `body` (the first bytes of the page at `url`). `anchors`: keep the
/// page's anchors.
pub(crate) fn sample(body: &[u8], url: &Url, anchors: bool) -> PageSample {
    let html = String::from_utf8_lossy(body);
    let markup = html.to_lowercase();
    let mut own: Vec<u64> = words_of(url.path())
        .chain(url.query().map(words_of).into_iter().flatten())
        .map(|w| hash(&[&w]))
        .collect();
    own.sort_unstable();
    own.dedup();
    let mut scan = Scan::default();
    scan.run(&html, anchors);
    let host = url.host_str().unwrap_or_default();
    let mut out = PageSample {
        anchors: scan.anchors,
        own,
        ..PageSample::default()
    };
    for href in &scan.hrefs {
        match url.join(href) {
            Ok(to) if !matches!(to.scheme(), "http" | "https") => {}
            Ok(to) if to.host_str() == Some(host) => {
                if to.path() != url.path() {
                    out.same_site_links += 1;
                }
            }
            Ok(_) => out.other_links += 1,
            Err(_) => {}
        }
    }
    let hashed = |text: &str| -> Vec<u64> {
        words_of(text)
            .filter(|w| !w.bytes().any(|b| b.is_ascii_digit()))
            .take(WORDS_KEPT)
            .map(|w| hash(&[&w]))
            .collect()
    };
    out.title_seq = hashed(&scan.title);
    out.title = scan
        .title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    out.seq = hashed(&scan.text);
    let mut text = scan.text;
    text.truncate(floor_char_boundary(&text, TEXT_KEPT));
    out.text = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    out.parking = super::parking::signature(&out.text, &markup);
    out
}

/// The distinct shingles of `seq` without the words in `skip` (sorted).
fn shingles(seq: &[u64], skip: &[u64]) -> Vec<u64> {
    let words: Vec<u64> = seq
        .iter()
        .copied()
        .filter(|w| skip.binary_search(w).is_err())
        .collect();
    let mut out: Vec<u64> = if words.len() < SHINGLE {
        words.clone()
    } else {
        words
            .windows(SHINGLE)
            .map(|w| w[0].rotate_left(21) ^ w[1].rotate_left(42) ^ w[2])
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// The words of both pages' own URLs, which neither page's comparison counts.
fn skipped(a: &PageSample, b: &PageSample) -> Vec<u64> {
    let mut skip: Vec<u64> = a.own.iter().chain(&b.own).copied().collect();
    skip.sort_unstable();
    skip.dedup();
    skip
}

/// Whether two pages have the same title (their URLs' words aside), and one.
pub(crate) fn same_title(a: &PageSample, b: &PageSample) -> bool {
    let skip = skipped(a, b);
    let kept = |s: &[u64]| -> Vec<u64> {
        s.iter()
            .copied()
            .filter(|w| skip.binary_search(w).is_err())
            .collect()
    };
    let t = kept(&a.title_seq);
    !t.is_empty() && t == kept(&b.title_seq)
}

/// How alike two samples are, as their shingles say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Likeness {
    /// Jaccard similarity of the shingle sets, 0 to 1.
    pub jaccard: f64,
    /// Shingles of the first that the second lacks: content of its own.
    pub own: usize,
    /// Shingles of the second that the first lacks.
    pub other: usize,
}

/// How alike `a` and `b` are, the words of both their URLs left out.
pub(crate) fn likeness(a: &PageSample, b: &PageSample) -> Likeness {
    let skip = skipped(a, b);
    let (x, y) = (shingles(&a.seq, &skip), shingles(&b.seq, &skip));
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = x.len() + y.len() - common;
    Likeness {
        jaccard: if union == 0 {
            1.0
        } else {
            common as f64 / union as f64
        },
        own: x.len() - common,
        other: y.len() - common,
    }
}

impl Likeness {
    /// The same page, give or take what pages echo of their request (a
    /// path, a time, a token): nearly every shingle shared, and no more
    /// than a sentence or two of content of its own on either side. A live
    /// page has content of its own, however much site chrome it shares
    /// with the "not found" page, so an absolute bound decides, not a
    /// share: a short article inside a huge menu is still an article.
    pub fn same_page(&self) -> bool {
        let slack = |n: usize| n <= 12;
        self.jaccard >= 0.8 && slack(self.own) && slack(self.other)
    }
}

/// Whether a page has the anchor `name`: an `id`, or an `<a name>`.
/// Also GitHub's rendered markdown, whose ids carry a `user-content-`
/// prefix that its script resolves (`#install` finds `user-content-install`).
pub(crate) fn has_anchor(anchors: &HashSet<String>, name: &str) -> bool {
    anchors.contains(name) || anchors.contains(&format!("user-content-{name}"))
}

/// A fragment as it names an anchor: percent-decoded. `None` for what is
/// not an anchor at all: script routes (`#!...`, `#/...`) and text
/// fragments (`#:~:text=`).
pub(crate) fn anchor_name(fragment: &str) -> Option<String> {
    if fragment.is_empty()
        || fragment.starts_with('!')
        || fragment.starts_with('/')
        || fragment.starts_with(":~:")
    {
        return None;
    }
    let decoded: String =
        url::form_urlencoded::parse(format!("x={}", fragment.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| fragment.to_string());
    Some(decoded)
}

/// Whether `html` has `name` as an attribute value (`="name"`, `='name'`
/// or `=name`): a cheap test of whether reading on could find the anchor.
pub(crate) fn mentions_anchor(html: &str, name: &str) -> bool {
    let mut from = 0;
    while let Some(i) = html[from..].find(name) {
        let at = from + i;
        let before = html[..at].trim_end_matches(['"', '\'']);
        let after = html[at + name.len()..].chars().next();
        if before.ends_with('=') && after.is_none_or(|c| matches!(c, '"' | '\'' | ' ' | '>' | '/'))
        {
            return true;
        }
        from = at + name.len().max(1);
    }
    false
}

/// Lower-case words (letters and digits) of `s`.
fn words_of(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

fn hash(words: &[&str]) -> u64 {
    // FNV-1a: stable across runs and platforms, which a fingerprint kept
    // in memory for one run does not need, but tests do.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.bytes().chain(std::iter::once(b' ')) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The tag scanner's state.
#[derive(Default)]
struct Scan {
    title: String,
    text: String,
    hrefs: Vec<String>,
    anchors: HashSet<String>,
}

impl Scan {
    fn run(&mut self, html: &str, anchors: bool) {
        let b = html.as_bytes();
        let mut i = 0;
        let mut in_title = false;
        while i < b.len() {
            if b[i] != b'<' {
                let end = memchr(b'<', &b[i..]).map_or(b.len(), |n| i + n);
                let chunk = decode_entities(&html[i..end]);
                if in_title {
                    self.title.push_str(&chunk);
                    self.title.push(' ');
                }
                self.text.push_str(&chunk);
                self.text.push(' ');
                i = end;
                continue;
            }
            if html[i..].starts_with("<!--") {
                i = html[i..].find("-->").map_or(b.len(), |n| i + n + 3);
                continue;
            }
            let end = tag_end(b, i);
            let tag = &html[i + 1..end.saturating_sub(1).max(i + 1)];
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            i = end;
            match name.as_str() {
                "script" | "style" | "noscript" | "template" if !closing => {
                    let close = format!("</{name}");
                    i = find_ci(html, i, &close).unwrap_or(b.len());
                    continue;
                }
                "title" => in_title = !closing,
                _ => {}
            }
            if closing {
                continue;
            }
            // Block elements separate words.
            self.text.push(' ');
            let attrs = &tag[name.len().min(tag.len())..];
            if name == "a" || name == "area" {
                if let Some(h) = attr(attrs, "href") {
                    self.hrefs.push(h);
                }
            }
            if anchors {
                if let Some(id) = attr(attrs, "id") {
                    self.anchors.insert(id);
                }
                if name == "a" {
                    if let Some(n) = attr(attrs, "name") {
                        self.anchors.insert(n);
                    }
                }
            }
        }
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

/// The index just past the `>` that ends the tag opened at `start`, quotes respected.
fn tag_end(b: &[u8], start: usize) -> usize {
    let mut quote = None;
    let mut i = start + 1;
    while i < b.len() {
        match (quote, b[i]) {
            (None, b'"' | b'\'') => quote = Some(b[i]),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Where `needle` (ASCII, lower case) next starts at or after `from`, ignoring case.
fn find_ci(hay: &str, from: usize, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    hay.as_bytes()[from..]
        .windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
        .map(|p| from + p)
}

/// The value of attribute `name` in a tag's attribute text, entities decoded.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let b = attrs.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
            i += 1;
        }
        let key = &attrs[start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = None;
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let v0 = i + 1;
                let v1 = memchr(q, &b[v0..]).map_or(b.len(), |n| v0 + n);
                value = Some(&attrs[v0..v1]);
                i = (v1 + 1).min(b.len());
            } else {
                let v0 = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = Some(&attrs[v0..i]);
            }
        }
        if key.eq_ignore_ascii_case(name) {
            return value.map(|v| decode_entities(v.trim()).into_owned());
        }
        if i == start {
            i += 1;
        }
    }
    None
}

/// The few entities that matter in words and attribute values.
fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let decoded = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some(' '),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, body: &str) -> PageSample {
        sample(body.as_bytes(), &Url::parse(url).unwrap(), true)
    }

    const CHROME: &str = "<header><a href='/'>Kaizen</a><nav><a href='/'>Home</a> <a href='/about/'>About</a> <a href='/archive/'>Archive</a></nav></header>";

    #[test]
    fn a_not_found_page_echoing_its_path_is_the_same_page_for_any_path() {
        let nf = |path: &str| {
            format!("<html><head><title>404 | Kaizen</title></head><body>{CHROME}<main><h1>404</h1><p>The page <code>{path}</code> does not exist. Try the archive.</p></main></body></html>")
        };
        let a = page("https://k.test/2019/old-post", &nf("/2019/old-post"));
        let b = page(
            "https://k.test/2019/qzkvwhrtplmx",
            &nf("/2019/qzkvwhrtplmx"),
        );
        let l = likeness(&a, &b);
        assert!(l.same_page(), "{l:?}");
        assert!(same_title(&a, &b));
        assert_eq!(a.same_site_links, 4);
    }

    #[test]
    fn a_short_article_inside_a_big_menu_is_not_the_not_found_page() {
        // A menu of 300 sections with names of their own ("aa", "ab" ...).
        let name = |i: usize| {
            let l = |n: usize| char::from(b'a' + u8::try_from(n % 26).unwrap());
            format!("{}{}{}", l(i / 676), l(i / 26), l(i))
        };
        let menu: String = (0..300)
            .map(|i| format!("<a href='/section/'>Section {} topics</a> ", name(i)))
            .collect();
        let nf = format!(
            "<body>{menu}<main><h1>Not here</h1><p>Sorry, nothing was found.</p></main></body>"
        );
        let article = format!("<body>{menu}<main><h1>Rolling out canaries</h1><p>We moved our deploys to canary releases last spring and the error budget held every week since then.</p></main></body>");
        let l = likeness(
            &page("https://k.test/p/canaries", &article),
            &page("https://k.test/p/zzqv", &nf),
        );
        assert!(l.jaccard > 0.8, "mostly menu: {l:?}");
        assert!(!l.same_page(), "but it has content of its own: {l:?}");
    }

    #[test]
    fn anchors_are_ids_and_a_names_and_fragments_that_are_routes_are_none() {
        let p = page(
            "https://d.test/guide",
            "<h2 id=\"install\">Install</h2><a name=old-style></a><p name=\"para\">x</p><div id='caf&#233;'></div><h2 id=\"user-content-usage\">",
        );
        assert!(has_anchor(&p.anchors, "install"));
        assert!(has_anchor(&p.anchors, "old-style"));
        assert!(
            !has_anchor(&p.anchors, "para"),
            "only <a> has a name anchor"
        );
        assert!(
            has_anchor(&p.anchors, "usage"),
            "GitHub's user-content- ids"
        );
        assert!(has_anchor(&p.anchors, &anchor_name("caf%C3%A9").unwrap()));
        assert_eq!(anchor_name("!/route"), None);
        assert_eq!(anchor_name("/settings"), None);
        assert_eq!(anchor_name(":~:text=hello"), None);
    }

    #[test]
    fn scripts_styles_and_comments_are_not_words() {
        let p = page(
            "https://s.test/",
            "<title>Home</title><script>var x = '<b>not text</b>';</script><style>p{}</style><!-- hidden words --><p>visible words here</p>",
        );
        assert_eq!(p.title, "home");
        assert!(p.text.contains("visible words here"));
        assert!(!p.text.contains("not text") && !p.text.contains("hidden"));
    }
}
