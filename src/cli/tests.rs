//! The settings as a whole: the GitHub token and host tables reaching
//! the library's configs, the help's defaults against the resolver's, and
//! the README's example and key table against the keys there are.

use super::file::{self, FileLayer};
use super::layers::ConfigError;
use super::settings::{resolve, Flags, Settings};
use clap::CommandFactory;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

fn layer(text: &str) -> FileLayer {
    FileLayer {
        files: vec![PathBuf::from("linkrot.toml")],
        entries: file::parse(text, Rc::from(Path::new("linkrot.toml"))).unwrap(),
        ..FileLayer::default()
    }
}

fn resolve_with(text: &str, vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let env = move |n: &str| vars.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    resolve(Flags::default(), &layer(text), &env)
}

#[test]
fn the_github_token_is_a_secret_from_the_environment_or_a_file_variable() {
    let s = resolve_with("", &[("GITHUB_TOKEN", "ghp_1")]).unwrap();
    let gh = s.check.github.expect("a token gives the API");
    assert_eq!(
        (gh.api_url.as_str(), gh.token.expose()),
        ("https://api.github.com", "ghp_1")
    );
    assert_eq!(gh.token.to_string(), "<from $GITHUB_TOKEN>");
    let s = resolve_with(
        "github-token = \"${CI_GH}\"\ngithub-api-url = \"http://127.0.0.1:9/api\"\n",
        &[("CI_GH", "ghp_2")],
    )
    .unwrap();
    let gh = s.check.github.clone().unwrap();
    assert_eq!(
        (gh.api_url.as_str(), gh.token.expose()),
        ("http://127.0.0.1:9/api", "ghp_2")
    );
    assert!(format!("{:?}", s.check).contains("<from $CI_GH>"));
    assert!(!format!("{:?}", s.check).contains("ghp_2"));
    assert!(resolve_with("", &[]).unwrap().check.github.is_none());
}

#[test]
fn host_tables_reach_the_scheduler_and_the_door_with_sensitive_headers() {
    let s = resolve_with(
        "[hosts.\"GitHub.com\"]\nmax-per-host = 2\nrequest-interval = \"250ms\"\naccept = \"200,429\"\nheaders = { Authorization = \"Bearer ${T}\" }\ntimeout = 3\n",
        &[("T", "tok")],
    )
    .unwrap();
    let p = &s.check.hosts[0];
    assert_eq!(p.host, "github.com");
    assert_eq!(p.max_per_host, Some(2));
    assert_eq!(p.request_interval, Some(Duration::from_millis(250)));
    assert_eq!(p.accept, Some(vec![200..=200, 429..=429]));
    let rule = &s.net.hosts[0];
    let auth = rule.headers.get("authorization").unwrap();
    assert!(auth.is_sensitive());
    assert_eq!(auth.to_str().unwrap(), "Bearer tok");
    assert!(!format!("{:?}", s.net).contains("tok"));
    assert_eq!(rule.timeout, Some(Duration::from_secs(3)));
}

/// Each flag's doc says its default as `[default: X]`; the resolver's
/// default must be X.
#[test]
fn the_defaults_the_help_names_are_the_defaults_in_force() {
    let s = resolve_with("", &[]).unwrap();
    let default_of = |key: &str| {
        s.shown
            .iter()
            .find(|sh| sh.key == key)
            .and_then(|sh| sh.value.clone())
            .map(|v| v.trim_matches('"').to_string())
    };
    let mut checked = 0;
    let mut stack = vec![crate::cli::Cli::command()];
    while let Some(cmd) = stack.pop() {
        stack.extend(cmd.get_subcommands().cloned());
        for arg in cmd.get_arguments() {
            let (Some(long), Some(help)) = (arg.get_long(), arg.get_help()) else {
                continue;
            };
            let help = help.to_string();
            let Some(said) = help.split("[default: ").nth(1) else {
                continue;
            };
            let said = said
                .trim_end_matches(']')
                .replace("VERSION", env!("CARGO_PKG_VERSION"));
            let in_force = default_of(long).unwrap_or_else(|| panic!("--{long}: no setting"));
            assert_eq!(said, in_force, "--{long} of `{}`", cmd.get_name());
            checked += 1;
        }
    }
    assert!(checked > 30, "{checked}");
}

/// The README's example file holds only known keys, and its table
/// names every key there is.
#[test]
fn the_readme_example_is_valid_and_every_key_is_documented() {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("\n## Configuration\n")
        .nth(1)
        .expect("a Configuration section")
        .split("\n## ")
        .next()
        .unwrap();
    let example = section
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("an example file");
    let s = resolve_with(example, &[("GITHUB_TOKEN", "x"), ("DOCS_TOKEN", "y")]);
    let s = s.unwrap_or_else(|e| panic!("the README example: {e}"));
    assert!(!s.check.hosts.is_empty(), "the example has a host table");
    let mut keys: Vec<&str> = s
        .shown
        .iter()
        .map(|sh| sh.key.split(['.', ' ']).next().unwrap())
        .collect();
    keys.extend(["hosts", "header"]);
    keys.extend(crate::cli::hosts::HOST_KEYS);
    keys.dedup();
    for key in keys {
        assert!(
            section.contains(&format!("`{key}`")),
            "the README does not name `{key}`"
        );
    }
}
