//! Headers (`--header`, `header = {...}`) and per-host tables
//! (`[hosts."github.com"]`), with `${VAR}` read from the environment.
//!
//! A value that reads a variable is a secret from then on: its header is
//! marked sensitive (hidden from any `Debug`), and `linkrot config` shows
//! the template with `<from $VAR>` in place of the variable, never the
//! value. Hosts are matched by exact lower-case name, as lychee does.

use super::file::{Entry, Value};
use super::layers::{suggest, Origin, Resolver};
use super::parse::{self, quoted, HeaderArg, Show};
use linkrot::check::HostPolicy;
use linkrot::net::HostRule;
use reqwest::header::{HeaderMap, HeaderValue};
use std::collections::BTreeMap;

/// The keys a `[hosts."name"]` table may hold.
pub const HOST_KEYS: &[&str] = &[
    "max-per-host",
    "request-interval",
    "headers",
    "user-agent",
    "accept",
    "timeout",
];

/// Why a `${VAR}` template could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ExpandError {
    /// A variable it reads is not set (or blank).
    Unset(String),
    /// It is not a template: an unclosed `${`, a bad name.
    Invalid(String),
}

impl std::fmt::Display for ExpandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpandError::Unset(name) => write!(f, "uses ${{{name}}}, which is not set"),
            ExpandError::Invalid(why) => f.write_str(why),
        }
    }
}

/// `${NAME}` in `template`, each replaced by the variable's value: the
/// value and the names read. A variable unset (or blank) is an error.
pub fn expand(
    template: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(String, Vec<String>), ExpandError> {
    let (mut out, mut names, mut rest) = (String::new(), Vec::new(), template);
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            return Err(ExpandError::Invalid(
                "`${` is not closed: write ${NAME}".to_string(),
            ));
        };
        let name = &after[..end];
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(ExpandError::Invalid(format!(
                "`${{{name}}}` is not an environment variable name"
            )));
        }
        match env(name).filter(|v| !v.trim().is_empty()) {
            Some(v) => out.push_str(&v),
            None => return Err(ExpandError::Unset(name.to_string())),
        }
        names.push(name.to_string());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok((out, names))
}

/// How a template is shown: each `${NAME}` as `<from $NAME>`.
pub fn masked(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(end) => {
                out.push_str(&format!("<from ${}>", &after[..end]));
                rest = &after[end + 1..];
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A header as configured: its value read, marked sensitive when it came
/// from the environment.
fn header_value(r: &mut Resolver<'_>, template: &str, at: &str) -> Option<HeaderValue> {
    let env = |n: &str| r.env(n);
    match expand(template, &env) {
        Ok((value, names)) => match HeaderValue::from_str(&value) {
            Ok(mut v) => {
                v.set_sensitive(!names.is_empty());
                Some(v)
            }
            // Never the value itself in the message: it may be a secret.
            Err(_) => {
                r.errors.push(format!(
                    "{at}: not a valid header value (a line break or a control character?)"
                ));
                None
            }
        },
        // A command that sends nothing needs no header: it goes without.
        Err(ExpandError::Unset(_)) if !r.sends => None,
        Err(why) => {
            r.errors.push(format!("{at}: {why}"));
            None
        }
    }
}

/// Headers for every request: the files' `header = { Name = "value" }`
/// tables, then `--header` (a later one of the same name wins).
pub fn headers(r: &mut Resolver<'_>, flags: &[HeaderArg]) -> HeaderMap {
    let mut map = HeaderMap::new();
    let mut given: Vec<(String, String, Origin)> = Vec::new();
    for e in r.tables("header") {
        let Value::Table(items) = &e.value.value else {
            continue;
        };
        for it in items {
            match &it.value.value {
                Value::Scalar(v) => given.push((it.key.clone(), v.clone(), origin(it))),
                other => r.errors.push(format!(
                    "{}:{}: header {}: expected a string, found {}",
                    it.file.display(),
                    it.line,
                    it.key,
                    other.kind()
                )),
            }
        }
    }
    given.extend(flags.iter().map(|h| {
        (
            h.name.clone(),
            h.value.clone(),
            Origin::Flag("header".into()),
        )
    }));
    for (name, template, origin) in given {
        let at = match &origin {
            Origin::Flag(_) => format!("--header {name}"),
            o => format!("{o}: header {name}"),
        };
        let Some(hname) = checked_name(r, &name, &at) else {
            continue;
        };
        if let Some(v) = header_value(r, &template, &at) {
            map.insert(hname, v);
            r.show(
                format!("header.{}", bare_or_quoted(&name)),
                Some(quoted(&masked(&template))),
                origin,
                false,
            );
        }
    }
    map
}

fn checked_name(r: &mut Resolver<'_>, name: &str, at: &str) -> Option<reqwest::header::HeaderName> {
    match parse::header_name(name) {
        Ok(n) => Some(n),
        Err(why) => {
            r.errors.push(format!("{at}: {why}"));
            None
        }
    }
}

fn origin(e: &Entry) -> Origin {
    Origin::File {
        path: e.file.clone(),
        line: e.line,
    }
}

/// A TOML key as written bare when it can be, else quoted.
pub fn bare_or_quoted(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        key.to_string()
    } else {
        quoted(key)
    }
}

/// One host's settings as the files give them, later files winning.
#[derive(Default)]
struct HostEntries<'a> {
    fields: BTreeMap<&'static str, &'a Entry>,
    headers: Vec<&'a Entry>,
}

/// The `[hosts."name"]` tables of every file: what the scheduler needs
/// (`HostPolicy`) and what the door needs (`HostRule`), host by host.
pub fn hosts(r: &mut Resolver<'_>) -> (Vec<HostPolicy>, Vec<HostRule>) {
    let mut by_host: BTreeMap<String, HostEntries<'_>> = BTreeMap::new();
    for e in r.tables("hosts") {
        let Value::Table(hosts) = &e.value.value else {
            continue;
        };
        for h in hosts {
            let Some(name) = host_name(&h.key) else {
                r.errors.push(format!(
                    "{}:{}: hosts.{}: a host name, as in a URL but without scheme, port or path (\"github.com\")",
                    h.file.display(),
                    h.line,
                    quoted(&h.key)
                ));
                continue;
            };
            let Value::Table(fields) = &h.value.value else {
                r.errors.push(format!(
                    "{}:{}: hosts.{}: expected a table, found {}",
                    h.file.display(),
                    h.line,
                    quoted(&h.key),
                    h.value.value.kind()
                ));
                continue;
            };
            let slot = by_host.entry(name).or_default();
            for f in fields {
                match HOST_KEYS.iter().find(|k| **k == f.key) {
                    Some(&"headers") => slot.headers.push(f),
                    Some(k) => {
                        slot.fields.insert(k, f);
                    }
                    None => {
                        let hint = suggest(&f.key, HOST_KEYS)
                            .map(|k| format!("; did you mean `{k}`?"))
                            .unwrap_or_else(|| format!("; a host takes {}", HOST_KEYS.join(", ")));
                        r.errors.push(format!(
                            "{}:{}: unknown key `{}` in [hosts.{}]{hint}",
                            f.file.display(),
                            f.line,
                            f.key,
                            quoted(&h.key)
                        ));
                    }
                }
            }
        }
    }
    let (mut policies, mut rules) = (Vec::new(), Vec::new());
    for (name, entries) in by_host {
        let prefix = format!("hosts.{}", quoted(&name));
        let field = |r: &mut Resolver<'_>, key: &'static str| -> Option<(String, Origin)> {
            let e = entries.fields.get(key)?;
            match &e.value.value {
                Value::Scalar(s) => Some((s.clone(), origin(e))),
                other => {
                    r.errors.push(format!(
                        "{}:{}: {prefix}.{key}: expected a single value, found {}",
                        e.file.display(),
                        e.line,
                        other.kind()
                    ));
                    None
                }
            }
        };
        let raw = field(r, "max-per-host");
        let max_per_host = setting(r, &prefix, "max-per-host", raw, parse::count);
        let raw = field(r, "request-interval");
        let request_interval = setting(r, &prefix, "request-interval", raw, parse::interval);
        let raw = field(r, "accept");
        let accept = setting(r, &prefix, "accept", raw, parse::accept);
        let raw = field(r, "timeout");
        let timeout = setting(r, &prefix, "timeout", raw, parse::secs);
        let raw = field(r, "user-agent");
        let user_agent = setting(r, &prefix, "user-agent", raw, parse::text);
        let mut headers = HeaderMap::new();
        for e in &entries.headers {
            let Value::Table(items) = &e.value.value else {
                r.errors.push(format!(
                    "{}:{}: {prefix}.headers: expected a table, found {}",
                    e.file.display(),
                    e.line,
                    e.value.value.kind()
                ));
                continue;
            };
            for it in items {
                let at = format!(
                    "{}:{}: {prefix}.headers.{}",
                    it.file.display(),
                    it.line,
                    it.key
                );
                let Value::Scalar(template) = &it.value.value else {
                    r.errors.push(format!("{at}: expected a string"));
                    continue;
                };
                let Some(hname) = checked_name(r, &it.key, &at) else {
                    continue;
                };
                if let Some(v) = header_value(r, template, &at) {
                    headers.insert(hname, v);
                    r.show(
                        format!("{prefix}.headers.{}", bare_or_quoted(&it.key)),
                        Some(quoted(&masked(template))),
                        origin(it),
                        false,
                    );
                }
            }
        }
        policies.push(HostPolicy {
            host: name.clone(),
            max_per_host: max_per_host.map(|n| n.max(1)),
            request_interval: request_interval.map(|i| i.0),
            accept: accept.map(|a| a.0),
        });
        rules.push(HostRule {
            host: name,
            headers,
            user_agent,
            timeout: timeout.and_then(|t| std::time::Duration::try_from_secs_f64(t).ok()),
        });
    }
    (policies, rules)
}

/// One field of a host table, parsed and shown.
fn setting<T: Show>(
    r: &mut Resolver<'_>,
    prefix: &str,
    key: &str,
    raw: Option<(String, Origin)>,
    parse: fn(&str) -> Result<T, String>,
) -> Option<T> {
    let (text, origin) = raw?;
    match parse(&text) {
        Ok(v) => {
            r.show(format!("{prefix}.{key}"), Some(v.show()), origin, false);
            Some(v)
        }
        Err(why) => {
            r.errors.push(format!("{origin}: {prefix}.{key}: {why}"));
            None
        }
    }
}

/// The lower-case host name a table key names, if it names one.
pub(super) fn host_name(key: &str) -> Option<String> {
    if key.is_empty() || key.contains(['/', ':', '@', ' ', '*']) {
        return None;
    }
    let url = url::Url::parse(&format!("http://{key}/")).ok()?;
    url.host_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "TOKEN").then(|| "s3cr3t".to_string())
    }

    #[test]
    fn variables_are_read_and_never_shown() {
        assert_eq!(
            expand("Bearer ${TOKEN}", &env).unwrap(),
            ("Bearer s3cr3t".to_string(), vec!["TOKEN".to_string()])
        );
        assert_eq!(masked("Bearer ${TOKEN}"), "Bearer <from $TOKEN>");
        assert_eq!(expand("plain", &env).unwrap().0, "plain");
        assert_eq!(
            expand("${MISSING}", &env).unwrap_err().to_string(),
            "uses ${MISSING}, which is not set"
        );
        assert!(expand("${TOKEN", &env).is_err());
        assert!(expand("${1X}", &env).is_err());
    }

    #[test]
    fn host_keys_are_bare_lower_case_names() {
        assert_eq!(host_name("GitHub.com").as_deref(), Some("github.com"));
        assert_eq!(host_name("https://github.com"), None);
        assert_eq!(host_name("github.com:443"), None);
        assert_eq!(host_name("*.github.com"), None);
    }
}
