//! GitHub: when github.com will not say whether a link's page exists (it
//! answers checkers 429, and a private repository 404), its REST API is
//! asked with the user's token, as lychee does.
//!
//! Only a verdict the API can stand behind replaces the web's: the
//! resource found (a repository, an issue, a pull request, a commit, a
//! release, a file at a ref, a user) makes the link alive; the resource,
//! or the repository it lives in, not found makes it broken. Anything else
//! (a refused token, the API's own rate limit, a file not found in a
//! repository that exists, where the ref may hold a slash) keeps the web's
//! verdict, with a note saying what the API said.

use super::{CheckResult, GithubApi, Hop, Status};
use crate::net::{Door, Request};
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Url;

/// Names at github.com's top level that are its own pages, not users.
const RESERVED: &[&str] = &[
    "about",
    "apps",
    "collections",
    "contact",
    "customer-stories",
    "enterprise",
    "events",
    "explore",
    "features",
    "issues",
    "join",
    "login",
    "logout",
    "marketplace",
    "new",
    "notifications",
    "orgs",
    "organizations",
    "pricing",
    "pulls",
    "readme",
    "search",
    "security",
    "settings",
    "site",
    "sponsors",
    "team",
    "topics",
    "trending",
];

/// What a github.com URL names, as the API knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resource {
    /// The API path that answers for it (`/repos/o/r/issues/7`).
    pub api_path: String,
    /// Whether the API path names the page itself; `false` when only the
    /// repository or user it belongs to is asked for (`/o/r/wiki/Page`).
    pub exact: bool,
    /// When the API names a file at a ref: the repository's own path, asked
    /// when the file is not found (a ref may hold a slash).
    pub repo_path: Option<String>,
    /// The part of the URL's path after the resource (`/files` of a pull
    /// request), kept when the API says the resource moved.
    pub rest: String,
}

/// The resource a URL on one of `hosts` (github.com's names, or a GitHub
/// Enterprise server's) names, if the API has one for it.
pub(crate) fn resource(url: &Url, hosts: &[String]) -> Option<Resource> {
    let host = url.host_str()?.to_ascii_lowercase();
    if !hosts.contains(&host) {
        return None;
    }
    let segs: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let owner = *segs.first()?;
    if RESERVED.contains(&owner.to_ascii_lowercase().as_str()) || !is_name(owner) {
        return None;
    }
    let Some(repo) = segs.get(1) else {
        return Some(Resource {
            api_path: format!("/users/{owner}"),
            exact: true,
            repo_path: None,
            rest: String::new(),
        });
    };
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    if !is_name(repo) {
        return None;
    }
    let base = format!("/repos/{owner}/{repo}");
    let rest_from = |n: usize| -> String {
        segs.get(n..)
            .map(|s| s.iter().map(|s| format!("/{s}")).collect())
            .unwrap_or_default()
    };
    let number_at = |i: usize| {
        segs.get(i)
            .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
    };
    let exact = |api_path: String, used: usize| Resource {
        api_path,
        exact: true,
        repo_path: None,
        rest: rest_from(used),
    };
    let resource = match (segs.get(2).copied(), segs.len()) {
        (None, _) => exact(base, 2),
        (Some("issues"), _) if number_at(3) => exact(format!("{base}/issues/{}", segs[3]), 4),
        (Some("pull"), _) if number_at(3) => exact(format!("{base}/pulls/{}", segs[3]), 4),
        (Some("commit"), 4) => exact(format!("{base}/commits/{}", segs[3]), 4),
        (Some("releases"), 5) if segs[3] == "tag" => {
            exact(format!("{base}/releases/tags/{}", segs[4]), 5)
        }
        (Some("blob" | "tree"), n) if n >= 4 => Resource {
            api_path: format!("{base}/contents/{}?ref={}", segs[4..].join("/"), segs[3]),
            exact: true,
            repo_path: Some(base),
            rest: String::new(),
        },
        _ => Resource {
            api_path: base,
            exact: false,
            repo_path: None,
            rest: rest_from(2),
        },
    };
    Some(resource)
}

/// A user, organisation or repository name as GitHub allows them.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Whether the API is worth asking about `result`: a failure whose answer
/// github.com gives checkers whatever the page (429, 403) or hides a
/// private repository behind (404).
pub(crate) fn worth_asking(result: &CheckResult) -> bool {
    result.status.is_failure() && matches!(result.http_status, Some(403 | 404 | 429))
}

/// The URL whose resource is asked about: where the redirects ended, else
/// the URL checked.
pub(crate) fn asked_url(checked: &Url, result: &CheckResult) -> Url {
    result
        .final_url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
        .unwrap_or_else(|| checked.clone())
}

/// What the API answered for one path.
enum Said {
    /// Found; its `html_url`, if it gave one.
    Found(Option<String>),
    NotFound,
    /// Anything else, described.
    Other(String),
}

/// Asks the API about `url` and returns the verdict it supports (see the
/// module's comment); `result` is the web's.
pub(crate) async fn confirm(
    door: &Door,
    api: &GithubApi,
    url: &Url,
    res: &Resource,
    mut result: CheckResult,
) -> CheckResult {
    let web = result.http_status.unwrap_or_default();
    // Who answered on the web: github.com, or the Enterprise server.
    let site = url.host_str().unwrap_or_default();
    let said = ask(door, api, &res.api_path, &mut result).await;
    let said = match (said, &res.repo_path) {
        // A file not found: the repository decides whether the link is dead.
        (Said::NotFound, Some(repo)) => match ask(door, api, repo, &mut result).await {
            Said::Found(_) => {
                result.error = Some(format!(
                    "{site} answered {web}; the GitHub API has the repository but not this file at this ref"
                ));
                return result;
            }
            other => other,
        },
        (said, _) => said,
    };
    match said {
        Said::Found(html_url) => {
            if !res.exact && web == 404 {
                // The repository is there and the page is not: github.com's 404 stands.
                result.error = Some(format!(
                    "{site} answered 404; the GitHub API has the repository, so the page itself is gone"
                ));
                return result;
            }
            let moved = html_url
                .and_then(|h| Url::parse(&format!("{h}{}", res.rest)).ok())
                .filter(|h| !same_page(h, url));
            result.status = Status::Ok;
            result.http_status = Some(200);
            if let Some(to) = moved {
                result.redirects.push(Hop {
                    url: url.to_string(),
                    status: 301,
                });
                result.final_url = Some(to.to_string());
                result.status = Status::Redirected;
            } else if result.redirects.is_empty() {
                result.final_url = None;
            } else {
                result.status = Status::Redirected;
            }
            result.error = Some(format!(
                "{site} answered {web}; the GitHub API found {}",
                if res.exact {
                    "it"
                } else {
                    "the repository (the page itself was not asked for)"
                }
            ));
        }
        Said::NotFound => {
            result.status = Status::Broken;
            result.http_status = Some(404);
            result.error = Some(format!(
                "{site} answered {web}; the GitHub API has no such resource"
            ));
        }
        Said::Other(why) => {
            result.error = Some(format!(
                "{site} answered {web}; the GitHub API could not say ({why})"
            ));
        }
    }
    result
}

/// Whether two github.com URLs name the same page (GitHub's names are not
/// case-sensitive, and a trailing slash changes nothing).
fn same_page(a: &Url, b: &Url) -> bool {
    let norm = |u: &Url| u.path().trim_end_matches('/').to_ascii_lowercase();
    norm(a) == norm(b)
}

/// One API request (redirects followed, as for a renamed repository).
async fn ask(door: &Door, api: &GithubApi, path: &str, result: &mut CheckResult) -> Said {
    let Ok(url) = Url::parse(&format!("{}{path}", api.api_url.trim_end_matches('/'))) else {
        return Said::Other(format!("bad API address {}", api.api_url));
    };
    let Ok(mut token) = HeaderValue::from_str(&format!("Bearer {}", api.token.expose())) else {
        return Said::Other("the token is not a valid header value".into());
    };
    token.set_sensitive(true);
    let req = Request::get(url)
        .configured()
        .header(AUTHORIZATION, token)
        .header(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
    result.requests += 1;
    let resp = match door.fetch(req, door.retry(), None, 3).await {
        Ok(r) => r,
        Err(f) => return Said::Other(f.cause),
    };
    match resp.status {
        200..=299 => {
            let html_url = resp.body(256 << 10).await.ok().and_then(|b| {
                serde_json::from_slice::<serde_json::Value>(&b.bytes)
                    .ok()?
                    .get("html_url")?
                    .as_str()
                    .map(str::to_string)
            });
            Said::Found(html_url)
        }
        404 | 410 => Said::NotFound,
        401 => Said::Other("401: the token was refused".into()),
        s => Said::Other(format!("it answered {s}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses only: these tests map URLs and send nothing (the requests
    /// are tests/it/github.rs's, to a local server as proxy and API). The
    /// hosts stand for github.com's two names, as configured.
    fn res(u: &str) -> Option<Resource> {
        let hosts = ["github.test".to_string(), "www.github.test".to_string()];
        resource(&Url::parse(u).unwrap(), &hosts)
    }

    #[test]
    fn github_urls_map_to_the_api_resource_that_answers_for_them() {
        let api = |u: &str| res(u).map(|r| (r.api_path, r.exact));
        assert_eq!(
            api("https://github.test/o/r"),
            Some(("/repos/o/r".into(), true))
        );
        assert_eq!(
            api("https://github.test/o/r.git"),
            Some(("/repos/o/r".into(), true))
        );
        assert_eq!(
            api("https://www.github.test/o/r/"),
            Some(("/repos/o/r".into(), true))
        );
        assert_eq!(
            api("https://github.test/o"),
            Some(("/users/o".into(), true))
        );
        assert_eq!(
            api("https://github.test/o/r/issues/12"),
            Some(("/repos/o/r/issues/12".into(), true))
        );
        assert_eq!(
            api("https://github.test/o/r/pull/3/files"),
            Some(("/repos/o/r/pulls/3".into(), true))
        );
        assert_eq!(
            api("https://github.test/o/r/commit/abc123"),
            Some(("/repos/o/r/commits/abc123".into(), true))
        );
        assert_eq!(
            api("https://github.test/o/r/releases/tag/v1.2"),
            Some(("/repos/o/r/releases/tags/v1.2".into(), true))
        );
        assert_eq!(
            api("https://github.test/o/r/blob/main/docs/a.md"),
            Some(("/repos/o/r/contents/docs/a.md?ref=main".into(), true))
        );
        assert_eq!(
            api("https://github.test/o/r/wiki/Page"),
            Some(("/repos/o/r".into(), false))
        );
        assert_eq!(
            api("https://github.test/o/r/issues"),
            Some(("/repos/o/r".into(), false))
        );
        assert_eq!(res("https://github.test/features/actions"), None);
        assert_eq!(res("https://github.test/"), None);
        assert_eq!(res("https://gist.github.test/o/abc"), None);
        assert_eq!(res("https://example.test/o/r"), None);
        // Only the configured hosts.
        let url = Url::parse("https://github.test/o/r").unwrap();
        assert_eq!(resource(&url, &["ghe.test".to_string()]), None);
    }

    #[test]
    fn the_part_after_the_resource_is_kept_for_where_it_moved() {
        assert_eq!(
            res("https://github.test/o/r/pull/3/files").unwrap().rest,
            "/files"
        );
        assert_eq!(
            res("https://github.test/o/r/wiki/Page").unwrap().rest,
            "/wiki/Page"
        );
        assert_eq!(res("https://github.test/o/r").unwrap().rest, "");
    }
}
