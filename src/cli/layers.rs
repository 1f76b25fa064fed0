//! Where each setting comes from: the one merge of defaults, files,
//! environment and flags.
//!
//! Precedence, for every setting alike: a flag over the environment over
//! the files (later files over earlier ones) over the default. Lists that
//! add up (`exclude`, `include`, `remap`, `header`, ...) are the files'
//! entries, then `.linkrotignore`, then the flags'. Each value resolved is
//! recorded with its [`Origin`] in [`Resolver::shown`], which is what
//! `linkrot config` prints; the same values build the library's `Config`.
//! A key the resolver never asks for is unknown: [`Resolver::finish`]
//! names its file and line, with a near miss when there is one.

use super::file::{Entry, FileLayer, Item, Value};
use super::parse::Show;
use std::collections::BTreeSet;
use std::path::Path;
use std::rc::Rc;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default.
    Default,
    /// A configuration file (or `.linkrotignore`), at this line.
    File { path: Rc<Path>, line: usize },
    /// A command-line flag.
    Flag(String),
    /// An environment variable.
    Env(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File { path, line } => write!(f, "{}:{line}", path.display()),
            Origin::Flag(name) => write!(f, "flag --{name}"),
            Origin::Env(name) => write!(f, "environment ${name}"),
        }
    }
}

/// One line of `linkrot config`: a key, its value as TOML, its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The key (`max-per-host`, `hosts."github.com".accept`); an element of
    /// a list repeats the list's key.
    pub key: String,
    /// The value as TOML, or `None` when it is not set.
    pub value: Option<String>,
    pub origin: Origin,
    /// Whether it is one element of a list.
    pub element: bool,
}

/// Configuration errors, each a line that names its file and line (or
/// flag, or variable). The binary exits with 3 on any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub Vec<String>);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\nlinkrot: "))
    }
}

impl std::error::Error for ConfigError {}

/// Reads the environment, for the resolver (a closure, so tests can give one).
pub type EnvFn<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The one merge: asked for each setting in turn, it picks the value by
/// precedence, records it in [`Self::shown`] and keeps the errors.
pub struct Resolver<'a> {
    files: &'a FileLayer,
    env: EnvFn<'a>,
    pub shown: Vec<Shown>,
    pub errors: Vec<String>,
    /// Keys asked for: the known ones.
    known: BTreeSet<&'static str>,
    /// Whether the command sends requests: only then is a `${VAR}` that
    /// is not set an error (`links` or `report` send no header).
    pub sends: bool,
}

type Parse<T> = fn(&str) -> Result<T, String>;

impl<'a> Resolver<'a> {
    pub fn new(files: &'a FileLayer, env: EnvFn<'a>) -> Resolver<'a> {
        Resolver {
            files,
            env,
            shown: Vec::new(),
            errors: Vec::new(),
            known: BTreeSet::new(),
            sends: true,
        }
    }

    /// The environment variable `name`, when set and not blank.
    pub fn env(&self, name: &str) -> Option<String> {
        (self.env)(name).filter(|v| !v.trim().is_empty())
    }

    /// The last file entry for `key` (later files win).
    pub fn entry(&mut self, key: &'static str) -> Option<&'a Entry> {
        self.known.insert(key);
        self.files.entries.iter().rev().find(|e| e.key == key)
    }

    /// Every file entry for `key`, in order.
    fn entries(&mut self, key: &'static str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.known.insert(key);
        self.files.entries.iter().filter(move |e| e.key == key)
    }

    pub fn show(&mut self, key: String, value: Option<String>, origin: Origin, element: bool) {
        self.shown.push(Shown {
            key,
            value,
            origin,
            element,
        });
    }

    /// A file's scalar for `key`, parsed; errors name the file and line.
    fn parse_entry<T>(&mut self, e: &Entry, parse: Parse<T>) -> Option<T> {
        match &e.value.value {
            Value::Scalar(s) => match parse(s) {
                Ok(v) => Some(v),
                Err(why) => {
                    self.errors
                        .push(format!("{}:{}: {}: {why}", e.file.display(), e.line, e.key));
                    None
                }
            },
            other => {
                self.errors.push(format!(
                    "{}:{}: {}: expected a single value, found {}",
                    e.file.display(),
                    e.line,
                    e.key,
                    other.kind()
                ));
                None
            }
        }
    }

    /// A setting with one value: the flag's, else the environment's, else
    /// the last file's, else `default`.
    pub fn one<T: Show>(
        &mut self,
        key: &'static str,
        flag: Option<T>,
        env: &[&'static str],
        parse: Parse<T>,
        default: T,
    ) -> T {
        let (v, origin) = self
            .pick(key, flag, env, parse)
            .unwrap_or((default, Origin::Default));
        self.show(key.to_string(), Some(v.show()), origin, false);
        v
    }

    /// A setting that may be unset.
    pub fn maybe<T: Show>(
        &mut self,
        key: &'static str,
        flag: Option<T>,
        env: &[&'static str],
        parse: Parse<T>,
    ) -> Option<T> {
        match self.pick(key, flag, env, parse) {
            Some((v, origin)) => {
                self.show(key.to_string(), Some(v.show()), origin, false);
                Some(v)
            }
            None => {
                self.show(key.to_string(), None, Origin::Default, false);
                None
            }
        }
    }

    /// A switch: on when the flag is given, else as the environment or the
    /// last file says, else off.
    pub fn switch(&mut self, key: &'static str, flag: bool, env: &[&'static str]) -> bool {
        self.one(key, flag.then_some(true), env, super::parse::boolean, false)
    }

    fn pick<T>(
        &mut self,
        key: &'static str,
        flag: Option<T>,
        env: &[&'static str],
        parse: Parse<T>,
    ) -> Option<(T, Origin)> {
        let entry = self.entry(key);
        if let Some(v) = flag {
            return Some((v, Origin::Flag(key.to_string())));
        }
        if let Some((name, text)) = env.iter().find_map(|n| self.env(n).map(|t| (*n, t))) {
            match parse(&text) {
                Ok(v) => return Some((v, Origin::Env(name.to_string()))),
                Err(why) => self.errors.push(format!("environment ${name}: {why}")),
            }
        }
        let e = entry?;
        let origin = Origin::File {
            path: e.file.clone(),
            line: e.line,
        };
        self.parse_entry(e, parse).map(|v| (v, origin))
    }

    /// A list that adds up: every file's elements (an array, or a single
    /// value), then `extra` (the ignore files'), then the flags'.
    pub fn list<T: Show>(
        &mut self,
        key: &'static str,
        flags: Vec<T>,
        extra: Vec<(T, Origin)>,
        parse: Parse<T>,
    ) -> Vec<T> {
        let mut out: Vec<(T, Origin)> = Vec::new();
        for e in self.entries(key).collect::<Vec<_>>() {
            let items: Vec<Item> = match &e.value.value {
                Value::List(items) => items.clone(),
                single @ Value::Scalar(_) => vec![Item {
                    value: single.clone(),
                    line: e.line,
                }],
                Value::Table(_) => {
                    self.errors.push(format!(
                        "{}:{}: {key}: expected an array, found a table",
                        e.file.display(),
                        e.line
                    ));
                    continue;
                }
            };
            for it in items {
                let one = Entry {
                    value: it.clone(),
                    line: it.line,
                    ..e.clone()
                };
                if let Some(v) = self.parse_entry(&one, parse) {
                    let path = e.file.clone();
                    out.push((
                        v,
                        Origin::File {
                            path,
                            line: it.line,
                        },
                    ));
                }
            }
        }
        out.extend(extra);
        out.extend(
            flags
                .into_iter()
                .map(|v| (v, Origin::Flag(key.to_string()))),
        );
        for (v, origin) in &out {
            self.show(key.to_string(), Some(v.show()), origin.clone(), true);
        }
        if out.is_empty() {
            self.show(key.to_string(), None, Origin::Default, true);
        }
        out.into_iter().map(|(v, _)| v).collect()
    }

    /// The tables of `key` (`hosts`, `header`), from every file in order.
    pub fn tables(&mut self, key: &'static str) -> Vec<&'a Entry> {
        let found: Vec<&'a Entry> = self.entries(key).collect();
        found
            .into_iter()
            .filter(|e| {
                let table = matches!(e.value.value, Value::Table(_));
                if !table {
                    self.errors.push(format!(
                        "{}:{}: {key}: expected a table, found {}",
                        e.file.display(),
                        e.line,
                        e.value.value.kind()
                    ));
                }
                table
            })
            .collect()
    }

    /// A key that only a flag may set: an error that says so, when a file has it.
    pub fn flag_only(&mut self, key: &'static str) {
        for e in self.entries(key).collect::<Vec<_>>() {
            self.errors.push(format!(
                "{}:{}: `{key}` is not a setting a file can hold; pass --{key} on the command line",
                e.file.display(),
                e.line
            ));
        }
    }

    /// The errors, unknown keys included, or `Ok` when there are none.
    pub fn finish(mut self) -> Result<Vec<Shown>, ConfigError> {
        for e in &self.files.entries {
            if !self.known.contains(e.key.as_str()) {
                let known: Vec<&str> = self.known.iter().copied().collect();
                self.errors.push(unknown(e, &known));
            }
        }
        if self.errors.is_empty() {
            Ok(self.shown)
        } else {
            Err(ConfigError(self.errors))
        }
    }
}

/// "unknown key" for `e`, with the nearest known key when one is close.
pub fn unknown(e: &Entry, known: &[&str]) -> String {
    let hint = suggest(&e.key, known)
        .map(|k| format!("; did you mean `{k}`?"))
        .unwrap_or_else(|| "; `linkrot config` lists the settings".to_string());
    format!(
        "{}:{}: unknown key `{}`{hint}",
        e.file.display(),
        e.line,
        e.key
    )
}

/// The known key most like `key`, if any is close: the same word spelt
/// with `_` for `-`, or one clap would suggest (Jaro similarity over 0.8,
/// the measure clap uses for flags).
pub fn suggest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let kebab = key.to_ascii_lowercase().replace('_', "-");
    if let Some(k) = known.iter().find(|k| **k == kebab) {
        return Some(k);
    }
    known
        .iter()
        .map(|k| (strsim::jaro(&kebab, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// Writes `linkrot config`: each setting as TOML with its origin in a
/// comment, lists as arrays (one element a line), host tables last.
pub fn write_config(
    shown: &[Shown],
    read: &[std::path::PathBuf],
    mut w: impl std::io::Write,
) -> std::io::Result<()> {
    const COLUMN: usize = 44;
    let line = |w: &mut dyn std::io::Write, text: String, origin: &Origin| {
        let pad = COLUMN.saturating_sub(text.chars().count()).max(1);
        writeln!(w, "{text}{:pad$}# {origin}", "")
    };
    writeln!(
        w,
        "# The settings in force, each with where it came from (default, file:line, flag, environment)."
    )?;
    let read: Vec<String> = read.iter().map(|p| p.display().to_string()).collect();
    if read.is_empty() {
        writeln!(w, "# No configuration file read.")?;
    } else {
        writeln!(w, "# Read: {}", read.join(", "))?;
    }
    let (hosts, top): (Vec<&Shown>, Vec<&Shown>) =
        shown.iter().partition(|s| s.key.starts_with("hosts."));
    let mut i = 0;
    while i < top.len() {
        let s = top[i];
        if s.element {
            let n = top[i..]
                .iter()
                .take_while(|t| t.element && t.key == s.key)
                .count();
            match &top[i..i + n] {
                [only] if only.value.is_none() => {
                    line(&mut w, format!("{} = []", s.key), &s.origin)?
                }
                items => {
                    writeln!(w, "{} = [", s.key)?;
                    for it in items {
                        let v = it.value.clone().unwrap_or_default();
                        line(&mut w, format!("    {v},"), &it.origin)?;
                    }
                    writeln!(w, "]")?;
                }
            }
            i += n;
            continue;
        }
        match &s.value {
            Some(v) => line(&mut w, format!("{} = {v}", s.key), &s.origin)?,
            None => writeln!(w, "# {} is not set", s.key)?,
        }
        i += 1;
    }
    let mut table = String::new();
    for s in hosts {
        // `hosts."github.com".max-per-host`: the table, then the key.
        let rest = &s.key["hosts.".len()..];
        let Some(end) = rest[1..].find('"').map(|e| e + 2) else {
            continue;
        };
        let (name, key) = (&rest[..end], &rest[end + 1..]);
        if name != table {
            writeln!(w, "\n[hosts.{name}]")?;
            table = name.to_string();
        }
        line(
            &mut w,
            format!("{key} = {}", s.value.clone().unwrap_or_default()),
            &s.origin,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_suggested_and_far_ones_are_not() {
        let known = ["max-per-host", "max-pages", "timeout", "request-interval"];
        assert_eq!(suggest("max-per-hots", &known), Some("max-per-host"));
        assert_eq!(suggest("max_per_host", &known), Some("max-per-host"));
        assert_eq!(suggest("timout", &known), Some("timeout"));
        assert_eq!(suggest("colour", &known), None);
    }
}
