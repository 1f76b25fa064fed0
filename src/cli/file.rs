//! Configuration files: `linkrot.toml` (or the `--config` files, in
//! order) and the `.linkrotignore` next to each, read into a [`FileLayer`]
//! of entries that each know their file and line.
//!
//! Files are parsed with toml's spanned document (`DeTable`), not by a
//! serde struct, so that every key keeps its line (for `linkrot config`
//! and for errors) and every unknown key is reported, not only the first.
//! Which keys exist is the resolver's to say (`layers.rs`): this file
//! knows TOML, not settings.

use super::layers::ConfigError;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The file read from the current directory when no `--config` is given.
pub const DEFAULT_FILE: &str = "linkrot.toml";
/// Exclude patterns, one regex a line, next to the configuration.
pub const IGNORE_FILE: &str = ".linkrotignore";

/// A value as a file wrote it, with the line of each part.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string, integer, float, boolean or date, as the text a flag takes.
    Scalar(String),
    /// An array.
    List(Vec<Item>),
    /// A table: its keys in order of appearance.
    Table(Vec<Entry>),
}

/// A value and the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub value: Value,
    pub line: usize,
}

/// `key = value` in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    /// The file it is in.
    pub file: Rc<Path>,
    /// The line of its key.
    pub line: usize,
    pub value: Item,
}

/// Every file's top-level entries, in the order the files were given
/// (later files win), and the exclude patterns of the ignore files.
#[derive(Debug, Default)]
pub struct FileLayer {
    /// The configuration files read.
    pub files: Vec<PathBuf>,
    /// Their top-level entries, file after file.
    pub entries: Vec<Entry>,
    /// `.linkrotignore` lines: file, line, regex.
    pub ignores: Vec<(Rc<Path>, usize, String)>,
    /// The ignore files read.
    pub ignore_files: Vec<PathBuf>,
}

/// Reads the configuration: `files` (given with `--config`; each must
/// exist), else `linkrot.toml` in `cwd` if there is one; none at all with
/// `no_config`. Then the `.linkrotignore` next to each file read (or in
/// `cwd` when none was).
pub fn load(files: &[PathBuf], no_config: bool, cwd: &Path) -> Result<FileLayer, ConfigError> {
    let mut layer = FileLayer::default();
    if no_config {
        return Ok(layer);
    }
    let mut errors = Vec::new();
    let chosen: Vec<PathBuf> = if files.is_empty() {
        let default = cwd.join(DEFAULT_FILE);
        if default.is_file() {
            vec![PathBuf::from(DEFAULT_FILE)]
        } else {
            Vec::new()
        }
    } else {
        files.to_vec()
    };
    for path in &chosen {
        let full = cwd.join(path);
        match std::fs::read_to_string(&full) {
            Ok(text) => match parse(&text, Rc::from(path.as_path())) {
                Ok(entries) => layer.entries.extend(entries),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(format!(
                "cannot read configuration file {}: {e}; pass an existing file to --config, or --no-config",
                path.display()
            )),
        }
        layer.files.push(path.clone());
    }
    // The ignore file next to each configuration file, once per folder.
    let mut dirs: Vec<PathBuf> = chosen
        .iter()
        .map(|p| p.parent().map(Path::to_path_buf).unwrap_or_default())
        .collect();
    if dirs.is_empty() {
        dirs.push(PathBuf::new());
    }
    dirs.dedup();
    for dir in dirs {
        let path = dir.join(IGNORE_FILE);
        let Ok(text) = std::fs::read_to_string(cwd.join(&path)) else {
            continue;
        };
        let file: Rc<Path> = Rc::from(path.as_path());
        for (i, line) in text.lines().enumerate() {
            let pattern = line.trim();
            // As lychee reads .lycheeignore: a line whose first non-blank
            // character is `#` is a comment; blank lines are skipped too.
            if pattern.is_empty() || pattern.starts_with('#') {
                continue;
            }
            match super::parse::regex(pattern) {
                Ok(p) => layer.ignores.push((file.clone(), i + 1, p)),
                Err(e) => errors.push(format!("{}:{}: {e}", path.display(), i + 1)),
            }
        }
        layer.ignore_files.push(path);
    }
    if errors.is_empty() {
        Ok(layer)
    } else {
        Err(ConfigError(errors))
    }
}

/// Parses one file's text into its top-level entries.
pub fn parse(text: &str, file: Rc<Path>) -> Result<Vec<Entry>, String> {
    let doc = DeTable::parse(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        format!("{}:{line}: {}", file.display(), e.message().trim())
    })?;
    Ok(table(text, doc.get_ref(), &file))
}

fn table(text: &str, t: &DeTable<'_>, file: &Rc<Path>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = t
        .iter()
        .map(|(k, v)| Entry {
            key: k.get_ref().to_string(),
            file: file.clone(),
            line: line_of(text, k.span().start),
            value: item(text, v, file),
        })
        .collect();
    // As written, whatever order the map keeps.
    entries.sort_by_key(|e| e.line);
    entries
}

fn item(text: &str, v: &Spanned<DeValue<'_>>, file: &Rc<Path>) -> Item {
    let line = line_of(text, v.span().start);
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Scalar(s.to_string()),
        DeValue::Integer(i) => Value::Scalar(
            i64::from_str_radix(i.as_str(), i.radix())
                .map_or_else(|_| i.as_str().to_string(), |n| n.to_string()),
        ),
        DeValue::Float(f) => Value::Scalar(f.as_str().to_string()),
        DeValue::Boolean(b) => Value::Scalar(b.to_string()),
        DeValue::Datetime(d) => Value::Scalar(d.to_string()),
        DeValue::Array(a) => Value::List(a.iter().map(|x| item(text, x, file)).collect()),
        DeValue::Table(t) => Value::Table(table(text, t, file)),
    };
    Item { value, line }
}

/// The 1-based line of byte offset `at`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

impl Value {
    /// What kind of value it is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Scalar(_) => "a single value",
            Value::List(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<Entry> {
        parse(text, Rc::from(Path::new("linkrot.toml"))).unwrap()
    }

    #[test]
    fn every_key_keeps_its_line_in_nested_tables_too() {
        let e = entries(
            "max-per-host = 4\naccept = [200, \"403\"]\n\n[hosts.\"github.com\"]\nrequest-interval = \"250ms\"\nheaders = { Authorization = \"Bearer ${GITHUB_TOKEN}\" }\n",
        );
        assert_eq!(
            e.iter()
                .map(|e| (e.key.as_str(), e.line))
                .collect::<Vec<_>>(),
            [("max-per-host", 1), ("accept", 2), ("hosts", 4)]
        );
        assert_eq!(e[0].value.value, Value::Scalar("4".into()));
        let Value::List(items) = &e[1].value.value else {
            panic!()
        };
        assert_eq!(items[1].value, Value::Scalar("403".into()));
        let Value::Table(hosts) = &e[2].value.value else {
            panic!()
        };
        let Value::Table(gh) = &hosts[0].value.value else {
            panic!()
        };
        assert_eq!(hosts[0].key, "github.com");
        assert_eq!((gh[0].key.as_str(), gh[0].line), ("request-interval", 5));
        assert_eq!((gh[1].key.as_str(), gh[1].line), ("headers", 6));
    }

    #[test]
    fn a_syntax_error_names_the_file_and_line() {
        let e = parse("a = 1\nb = [\n", Rc::from(Path::new("x/linkrot.toml"))).unwrap_err();
        assert!(e.starts_with("x/linkrot.toml:"), "{e}");
    }
}
