//! The network's settings (timeouts, proxies, CA files, headers, hosts)
//! and the GitHub token, resolved through the one merge (`layers.rs`).
//! Secrets start here: `GITHUB_TOKEN` and `${VAR}` values are wrapped the
//! moment they are read (a [`Secret`], a sensitive header) and shown only
//! as where they came from.

use super::file::Value;
use super::flags::NetArgs;
use super::layers::{Origin, Resolver};
use super::parse::{self, Show};
use linkrot::check::{GithubApi, HostPolicy};
use linkrot::net::{NetConfig, ProxyConfig, RetryPolicy};
use linkrot::secret::Secret;
use std::path::PathBuf;

/// How requests reach the network, and each host's policy for the scheduler.
pub fn net(r: &mut Resolver<'_>, net: Option<&NetArgs>) -> (NetConfig, Vec<HostPolicy>) {
    let nd = NetConfig::default();
    let timeout = r.one(
        "timeout",
        net.and_then(|n| n.timeout),
        &[],
        parse::secs,
        nd.timeout.as_secs_f64(),
    );
    let connect_timeout = r.one(
        "connect-timeout",
        net.and_then(|n| n.connect_timeout),
        &[],
        parse::secs,
        nd.connect_timeout.as_secs_f64(),
    );
    let keep_alive = r.one(
        "keep-alive",
        net.and_then(|n| n.keep_alive),
        &[],
        parse::secs,
        nd.keep_alive.as_secs_f64(),
    );
    let max_retry_after = r.one(
        "max-retry-after",
        net.and_then(|n| n.max_retry_after),
        &[],
        parse::secs,
        RetryPolicy::default().max_retry_after.as_secs_f64(),
    );
    let user_agent = r.one(
        "user-agent",
        net.and_then(|n| n.user_agent.clone()),
        &[],
        parse::text,
        nd.user_agent.clone(),
    );
    let proxy = proxy(r, net);
    let ca_env = r
        .env("SSL_CERT_FILE")
        .map(|f| (PathBuf::from(f), Origin::Env("SSL_CERT_FILE".into())));
    let ca_files = r.list(
        "ca-cert",
        net.map(|n| n.ca_cert.clone()).unwrap_or_default(),
        ca_env.into_iter().collect(),
        parse::path,
    );
    let ca_files = relative_to_files(r, "ca-cert", ca_files);
    let insecure = r.switch("insecure", net.is_some_and(|n| n.insecure), &[]);
    let allow_private = r.switch(
        "allow-private",
        net.is_some_and(|n| n.allow_private),
        &["LINKROT_ALLOW_PRIVATE"],
    );
    let resolve = r.list(
        "resolve",
        net.map(|n| n.resolve.clone()).unwrap_or_default(),
        vec![],
        parse::resolve,
    );
    let headers = super::hosts::headers(r, net.map(|n| n.header.as_slice()).unwrap_or_default());
    let (host_policies, host_rules) = super::hosts::hosts(r);
    let config = NetConfig {
        timeout: super::settings::duration(timeout),
        connect_timeout: super::settings::duration(connect_timeout),
        keep_alive: super::settings::duration(keep_alive),
        user_agent,
        proxy,
        ca_files,
        allow_private,
        resolve,
        headers,
        hosts: host_rules,
        insecure,
        retry: RetryPolicy {
            max_retry_after: super::settings::duration(max_retry_after),
            ..RetryPolicy::default()
        },
        ..NetConfig::default()
    };
    (config, host_policies)
}

/// `ca-cert` files written in a configuration file are relative to it.
fn relative_to_files(r: &Resolver<'_>, key: &str, paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let origins: Vec<&Origin> = r
        .shown
        .iter()
        .filter(|s| s.key == key && s.value.is_some())
        .map(|s| &s.origin)
        .collect();
    paths
        .into_iter()
        .zip(
            origins
                .into_iter()
                .chain(std::iter::repeat(&Origin::Default)),
        )
        .map(|(p, o)| super::settings::beside(p, o))
        .collect()
}

/// The GitHub API, when a token is given: `--github-token`, else
/// `GITHUB_TOKEN`, else the file's `github-token` (`"${VAR}"` reads a
/// variable). The token is a [`Secret`] from the first moment.
pub fn github(
    r: &mut Resolver<'_>,
    flag: Option<String>,
    api_flag: Option<String>,
    host_flags: Vec<String>,
) -> Option<GithubApi> {
    let entry = r.entry("github-token");
    let token = if let Some(t) = flag.filter(|t| !t.trim().is_empty()) {
        Some((
            Secret::new(t, "--github-token"),
            Origin::Flag("github-token".into()),
        ))
    } else if let Some(t) = r.env("GITHUB_TOKEN") {
        Some((
            Secret::new(t, "$GITHUB_TOKEN"),
            Origin::Env("GITHUB_TOKEN".into()),
        ))
    } else if let Some(e) = entry {
        let origin = Origin::File {
            path: e.file.clone(),
            line: e.line,
        };
        match &e.value.value {
            Value::Scalar(template) => {
                let env = |n: &str| r.env(n);
                match super::hosts::expand(template, &env) {
                    Ok((value, names)) => {
                        let from = match names.as_slice() {
                            [] => origin.to_string(),
                            [one] => format!("${one}"),
                            _ => names
                                .iter()
                                .map(|n| format!("${n}"))
                                .collect::<Vec<_>>()
                                .join(" "),
                        };
                        Some((Secret::new(value, from), origin))
                    }
                    Err(super::hosts::ExpandError::Unset(_)) if !r.sends => None,
                    Err(why) => {
                        r.errors.push(format!("{origin}: github-token: {why}"));
                        None
                    }
                }
            }
            other => {
                r.errors.push(format!(
                    "{origin}: github-token: expected a string, found {}",
                    other.kind()
                ));
                None
            }
        }
    } else {
        None
    };
    let api_url = r.one(
        "github-api-url",
        api_flag,
        &[],
        parse::address,
        linkrot::check::DEFAULT_GITHUB_API.to_string(),
    );
    let mut hosts = r.list("github-host", host_flags, vec![], parse::host);
    if hosts.is_empty() {
        hosts = linkrot::check::DEFAULT_GITHUB_HOSTS
            .iter()
            .map(|h| h.to_string())
            .collect();
    }
    match token {
        Some((token, origin)) => {
            r.show(
                "github-token".into(),
                Some(token.to_string()),
                origin,
                false,
            );
            Some(GithubApi {
                api_url,
                token,
                hosts,
            })
        }
        None => {
            r.show("github-token".into(), None, Origin::Default, false);
            None
        }
    }
}

/// Proxies, per scheme: `--proxy`, else the environment's (`https_proxy`
/// or `http_proxy`, then `all_proxy`, upper case too), else the file's
/// `proxy`; `no-proxy` the same way.
fn proxy(r: &mut Resolver<'_>, net: Option<&NetArgs>) -> ProxyConfig {
    const HTTPS: &[&str] = &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];
    const HTTP: &[&str] = &["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"];
    let flag = net.and_then(|n| n.proxy.clone());
    let https = r.maybe("proxy", flag.clone(), HTTPS, parse::text);
    let file = r.entry("proxy").and_then(|e| match &e.value.value {
        Value::Scalar(v) => Some((
            v.clone(),
            Origin::File {
                path: e.file.clone(),
                line: e.line,
            },
        )),
        _ => None,
    });
    let http = flag
        .map(|p| (p, Origin::Flag("proxy".into())))
        .or_else(|| {
            HTTP.iter()
                .find_map(|n| r.env(n).map(|v| (v, Origin::Env((*n).into()))))
        })
        .or(file);
    if let Some((v, origin)) = &http {
        if Some(v) != https.as_ref() {
            r.show(
                "proxy (for http:// URLs)".into(),
                Some(v.show()),
                origin.clone(),
                false,
            );
        }
    }
    let no_proxy = r.maybe(
        "no-proxy",
        net.and_then(|n| n.no_proxy.clone()),
        &["no_proxy", "NO_PROXY"],
        parse::text,
    );
    ProxyConfig {
        http: http.map(|(v, _)| v),
        https,
        no_proxy,
    }
}
