//! Paths as a person reads them: an issue stored as
//! `/home/me/news/_posts/2024-03-17-689.md` (the run was given an absolute
//! folder) is shown as `_posts/2024-03-17-689.md` from `/home/me/news`, and
//! as `2024-03-17-689.md` from anywhere else. The JSON report keeps the
//! path as stored.

use std::path::Path;

/// `path` relative to `cwd` when it is absolute and under it; else as stored.
pub(super) fn from_cwd<'a>(path: &'a str, cwd: Option<&str>) -> &'a str {
    if !Path::new(path).is_absolute() {
        return path;
    }
    cwd.and_then(|dir| {
        path.strip_prefix(dir.trim_end_matches('/'))?
            .strip_prefix('/')
            .filter(|rest| !rest.is_empty())
    })
    .unwrap_or(path)
}

/// `path` relative to `cwd` when under it; else relative to the input
/// folder given (the longest that holds it) or to the folder of the input
/// file it is; else as stored. A relative path is already relative to the
/// folder the run was made in, and stays as it is.
pub(super) fn shown<'a>(path: &'a str, cwd: Option<&str>, inputs: &[String]) -> &'a str {
    if !Path::new(path).is_absolute() {
        return path;
    }
    let under = |dir: &str| -> Option<&'a str> {
        path.strip_prefix(dir.trim_end_matches('/'))?
            .strip_prefix('/')
            .filter(|rest| !rest.is_empty())
    };
    if let Some(rest) = cwd.and_then(under) {
        return rest;
    }
    let folder = inputs
        .iter()
        .filter_map(|i| under(i).map(|rest| (i.len(), rest)))
        .max_by_key(|(len, _)| *len)
        .map(|(_, rest)| rest);
    // An input file is shown by its name (an mbox's messages as `name#3`).
    let file = || {
        inputs
            .iter()
            .filter(|i| {
                path == i.as_str()
                    || path
                        .strip_prefix(i.as_str())
                        .is_some_and(|r| r.starts_with('#'))
            })
            .find_map(|i| {
                Path::new(i)
                    .parent()
                    .and_then(|p| p.to_str())
                    .and_then(under)
            })
    };
    folder.or_else(file).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn a_path_for_tools_is_relative_to_the_current_folder_or_as_stored() {
        use super::from_cwd;
        let p = "/srv/news/_posts/2024-03-17-689.md";
        assert_eq!(from_cwd(p, Some("/srv/news")), "_posts/2024-03-17-689.md");
        assert_eq!(from_cwd(p, Some("/srv/news/")), "_posts/2024-03-17-689.md");
        assert_eq!(from_cwd(p, Some("/srv/new")), p, "a whole path component");
        assert_eq!(from_cwd(p, Some("/home/me")), p);
        assert_eq!(from_cwd(p, None), p);
        assert_eq!(from_cwd("_posts/x.md", Some("/srv/news")), "_posts/x.md");
    }

    #[test]
    fn paths_are_shown_from_the_current_folder_or_the_input_folder() {
        let inputs = vec!["/srv/news/_posts/".to_string()];
        let p = "/srv/news/_posts/2024-03-17-689.md";
        assert_eq!(
            shown(p, Some("/srv/news"), &inputs),
            "_posts/2024-03-17-689.md"
        );
        assert_eq!(shown(p, Some("/home/me"), &inputs), "2024-03-17-689.md");
        assert_eq!(shown(p, None, &inputs), "2024-03-17-689.md");
        assert_eq!(
            shown("/srv/newsletter/x.md", None, &inputs),
            "/srv/newsletter/x.md",
            "a folder is a whole path component"
        );
        assert_eq!(
            shown("_posts/x.md", Some("/srv/news"), &inputs),
            "_posts/x.md",
            "relative paths stay"
        );
        let file = vec!["/srv/news/archive.mbox".to_string()];
        assert_eq!(
            shown("/srv/news/archive.mbox#3", Some("/"), &file),
            "srv/news/archive.mbox#3"
        );
        assert_eq!(
            shown("/srv/news/archive.mbox#3", None, &file),
            "archive.mbox#3"
        );
    }
}
