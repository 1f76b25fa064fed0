//! How a setting's text becomes its value: one parser per kind of value,
//! shared by the flags (as clap value parsers) and the configuration file
//! (whose values are read as the same text), so both accept the same
//! spellings and say the same thing when they cannot. And how a value is
//! shown again, as TOML, by `linkrot config` ([`Show`]).

use clap::ValueEnum;
use linkrot::check::Remap;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

/// A duration in whole seconds, as `history` counts them (`7d`, `12h`, `0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Age(pub i64);

/// Statuses that count as alive: `200..=299,403`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accept(pub Vec<RangeInclusive<u16>>);

/// A short duration: `250ms`, `1.5s`, `2m` (a bare number is seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval(pub Duration);

/// `--header 'Name: value'`, before `${VAR}` is expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderArg {
    /// The header's name, as written.
    pub name: String,
    /// Its value, as written (`${VAR}` not yet read).
    pub value: String,
}

pub fn count(s: &str) -> Result<usize, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a whole number"))
}

pub fn count32(s: &str) -> Result<u32, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a whole number"))
}

/// Seconds, possibly fractional (`10`, `0.5`).
pub fn secs(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("'{s}' is not a number of seconds")),
    }
}

pub fn age(s: &str) -> Result<Age, String> {
    linkrot::history::parse_duration(s).map(Age)
}

pub fn interval(s: &str) -> Result<Interval, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a duration; use e.g. 250ms, 1s, 2m"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        u => {
            return Err(format!(
                "'{s}' has an unknown unit '{u}'; use ms, s, m or h"
            ))
        }
    };
    Duration::try_from_secs_f64(secs)
        .map(Interval)
        .map_err(|_| format!("'{s}' is not a duration"))
}

pub fn boolean(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        _ => Err(format!("'{s}' is not true or false")),
    }
}

pub fn text(s: &str) -> Result<String, String> {
    Ok(s.to_string())
}

pub fn path(s: &str) -> Result<PathBuf, String> {
    if s.trim().is_empty() {
        return Err("an empty path".into());
    }
    Ok(PathBuf::from(s))
}

/// A regex, compiled here once so that a bad one fails at the edge, with
/// the place it was written.
pub fn regex(s: &str) -> Result<String, String> {
    regex::Regex::new(s)
        .map(|_| s.to_string())
        .map_err(|e| format!("invalid regex '{s}': {}", one_line(&e.to_string())))
}

/// Codes and ranges, comma-separated: `200..=299,403`, `200..299` (the
/// end included either way, as lychee reads it).
pub fn accept(s: &str) -> Result<Accept, String> {
    let code = |v: &str| {
        v.trim()
            .parse::<u16>()
            .ok()
            .filter(|c| (100..=999).contains(c))
            .ok_or_else(|| format!("'{}' is not an HTTP status", v.trim()))
    };
    let mut ranges = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        ranges.push(match part.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (code(a)?, code(b.trim_start_matches('='))?);
                if a > b {
                    return Err(format!("'{part}' is an empty range"));
                }
                a..=b
            }
            None => {
                let c = code(part)?;
                c..=c
            }
        });
    }
    if ranges.is_empty() {
        return Err("no status given; e.g. 200..=299,403".into());
    }
    Ok(Accept(ranges))
}

/// `REGEX REPLACEMENT`, separated by whitespace (neither may contain any).
pub fn remap(s: &str) -> Result<Remap, String> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [pattern, replacement] = parts[..] else {
        return Err(format!(
            "'{s}' is not 'REGEX REPLACEMENT' (two parts separated by whitespace)"
        ));
    };
    regex(pattern)?;
    Ok(Remap {
        pattern: pattern.to_string(),
        replacement: replacement.to_string(),
    })
}

/// `Name: value`, as curl takes it; the value may hold `${VAR}`.
pub fn header(s: &str) -> Result<HeaderArg, String> {
    let Some((name, value)) = s.split_once(':') else {
        return Err("a header is 'Name: value'".to_string());
    };
    header_name(name.trim())?;
    Ok(HeaderArg {
        name: name.trim().to_string(),
        value: value.trim().to_string(),
    })
}

pub fn header_name(name: &str) -> Result<reqwest::header::HeaderName, String> {
    reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("'{name}' is not a header name"))
}

pub fn resolve(s: &str) -> Result<(String, std::net::SocketAddr), String> {
    let mut parts = s.splitn(3, ':');
    let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("'{s}' is not HOST:PORT:ADDR"));
    };
    let port: u16 = port
        .parse()
        .map_err(|_| format!("'{port}' is not a port"))?;
    let ip: std::net::IpAddr = addr
        .trim_matches(['[', ']'])
        .parse()
        .map_err(|_| format!("'{addr}' is not an IP address"))?;
    Ok((
        host.to_ascii_lowercase(),
        std::net::SocketAddr::new(ip, port),
    ))
}

pub fn date(s: &str) -> Result<time::Date, String> {
    linkrot::source::frontmatter::leading_date(s)
        .filter(|_| s.trim().len() == 10)
        .ok_or_else(|| format!("'{s}' is not a date; use YYYY-MM-DD"))
}

pub fn base_url(s: &str) -> Result<url::Url, String> {
    linkrot::source::parse_base_url(s).map_err(|e| e.to_string())
}

/// An address of the user's (an API): an http(s) URL.
pub fn address(s: &str) -> Result<String, String> {
    match url::Url::parse(s.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(s.trim().to_string()),
        _ => Err(format!("'{s}' is not an http(s) URL")),
    }
}

/// A host name as in a URL, without scheme, port or path; lower case.
pub fn host(s: &str) -> Result<String, String> {
    super::hosts::host_name(s.trim()).ok_or_else(|| {
        format!("'{s}' is not a host name; write it as in a URL, without scheme, port or path (github.example.test)")
    })
}

pub fn format(s: &str) -> Result<linkrot::extract::Format, String> {
    linkrot::extract::Format::parse(s).ok_or_else(|| format!("unknown format '{s}'; expected markdown, html, text, email, mbox, textile, rst or asciidoc"))
}

/// One of an enum's values, by its flag spelling.
pub fn choice<T: ValueEnum>(s: &str) -> Result<T, String> {
    T::from_str(s.trim(), true).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        format!("'{s}' is not one of {}", names.join(", "))
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A value as `linkrot config` shows it: TOML, as the file would say it.
pub trait Show {
    fn show(&self) -> String;
}

/// A TOML basic string.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

macro_rules! show_display {
    ($($t:ty),*) => {$(impl Show for $t { fn show(&self) -> String { self.to_string() } })*};
}
show_display!(usize, u32, bool);

impl Show for f64 {
    fn show(&self) -> String {
        // `10`, not `10.0`: what one writes.
        let s = format!("{self}");
        s.strip_suffix(".0").map_or(s.clone(), str::to_string)
    }
}

impl Show for String {
    fn show(&self) -> String {
        quoted(self)
    }
}

impl Show for PathBuf {
    fn show(&self) -> String {
        quoted(&self.display().to_string())
    }
}

impl Show for url::Url {
    fn show(&self) -> String {
        quoted(self.as_str())
    }
}

impl Show for Age {
    fn show(&self) -> String {
        let s = self.0;
        let text = [(86_400, "d"), (3600, "h"), (60, "m")]
            .into_iter()
            .find(|(unit, _)| s != 0 && s % unit == 0)
            .map_or(format!("{s}s"), |(unit, name)| {
                format!("{}{name}", s / unit)
            });
        quoted(if s == 0 { "0" } else { &text })
    }
}

impl Show for Interval {
    fn show(&self) -> String {
        let ms = self.0.as_millis();
        quoted(&if ms % 1000 == 0 {
            format!("{}s", ms / 1000)
        } else {
            format!("{ms}ms")
        })
    }
}

impl Show for Accept {
    fn show(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|r| {
                if r.start() == r.end() {
                    r.start().to_string()
                } else {
                    format!("{}..={}", r.start(), r.end())
                }
            })
            .collect();
        quoted(&parts.join(","))
    }
}

impl Show for Remap {
    fn show(&self) -> String {
        quoted(&format!("{} {}", self.pattern, self.replacement))
    }
}

impl Show for (String, std::net::SocketAddr) {
    fn show(&self) -> String {
        quoted(&format!("{}:{}:{}", self.0, self.1.port(), self.1.ip()))
    }
}

impl Show for linkrot::extract::Format {
    fn show(&self) -> String {
        quoted(&format!("{self:?}").to_ascii_lowercase())
    }
}

/// Shows a clap value enum by its flag spelling.
macro_rules! show_choice {
    ($($t:ty),*) => {$(
        impl $crate::cli::parse::Show for $t {
            fn show(&self) -> String {
                let name = clap::ValueEnum::to_possible_value(self)
                    .map(|p| p.get_name().to_string())
                    .unwrap_or_default();
                $crate::cli::parse::quoted(&name)
            }
        }
    )*};
}
pub(crate) use show_choice;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_takes_codes_and_ranges_separated_by_commas() {
        assert_eq!(
            accept("200..=299,403").unwrap().0,
            vec![200..=299, 403..=403]
        );
        assert_eq!(
            accept(" 200..299 , 429").unwrap().0,
            vec![200..=299, 429..=429]
        );
        assert!(accept("200..=29x").is_err());
        assert!(accept("").is_err());
        assert_eq!(accept("200..=299,403").unwrap().show(), "\"200..=299,403\"");
    }

    #[test]
    fn intervals_and_ages_show_as_they_are_written() {
        assert_eq!(interval("250ms").unwrap().0, Duration::from_millis(250));
        assert_eq!(interval("1.5s").unwrap().0, Duration::from_millis(1500));
        assert_eq!(interval("0").unwrap().0, Duration::ZERO);
        assert!(interval("5 parsecs").is_err());
        assert_eq!(interval("250ms").unwrap().show(), "\"250ms\"");
        assert_eq!(age("7d").unwrap().show(), "\"7d\"");
        assert_eq!(age("90m").unwrap().show(), "\"90m\"");
        assert_eq!(age("0").unwrap().show(), "\"0\"");
        assert_eq!(10.0f64.show(), "10");
        assert_eq!(0.1f64.show(), "0.1");
    }

    #[test]
    fn remap_and_header_need_their_two_parts() {
        let r = remap("^https://old\\.test/(.*) https://new.test/$1").unwrap();
        assert_eq!(r.replacement, "https://new.test/$1");
        assert!(remap("only-one").is_err());
        assert!(remap("a b c").is_err());
        assert!(remap("( x").unwrap_err().contains("invalid regex"));
        let h = header("Authorization: Bearer ${TOKEN}").unwrap();
        assert_eq!(
            (h.name.as_str(), h.value.as_str()),
            ("Authorization", "Bearer ${TOKEN}")
        );
        assert!(header("no colon").is_err());
        assert!(header("bad name: x").is_err());
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(quoted("^https://a\\.\"b\""), r#""^https://a\\.\"b\"""#);
    }
}
