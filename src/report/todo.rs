//! What to do first, before the detail: the failing links cited most
//! often, the failing links with an archived copy ready (and the `linkrot
//! fix` command that puts them in), the permanent redirects to update, and
//! what broke since the previous check. Each list is of the links the
//! report keeps, most cited first, at most [`TODO_ITEMS`] long, with its
//! full length beside it.

use crate::history::State;
use crate::store::{Change, LinkRecord};
use serde::Serialize;

/// How many links each list holds, at most.
pub const TODO_ITEMS: usize = 10;

/// The lists of what to do.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Todo {
    /// Failing links, most cited first (confirmed dead ones first among
    /// equals).
    pub most_cited: TodoList,
    /// Failing links with an archived copy.
    pub archived: TodoList,
    /// Alive links whose every redirect is permanent (301, 308): the
    /// server says to update them.
    pub moved: TodoList,
    /// Links failing now that were alive at their previous check.
    pub newly_broken: TodoList,
    /// Links failing at their first check, with no earlier one to compare
    /// (all of them, on an archive's first night): in `most_cited`, not in
    /// `newly_broken`.
    pub failing_first_check: usize,
    /// The `linkrot fix` command that applies the copies and the
    /// redirects, over the whole run whatever the filter; absent when
    /// there is nothing it would change, or no input it can rewrite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixCommand>,
}

/// One list: its first links, and how many there are in all.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct TodoList {
    /// How many links the list has in all.
    pub total: usize,
    /// The first [`TODO_ITEMS`] of them.
    pub items: Vec<TodoItem>,
}

/// A link to act on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TodoItem {
    /// The URL as written.
    pub url: String,
    /// Its verdict as the reports word it: `broken (404)`, `timeout (...)`.
    pub status: String,
    /// What its history says.
    pub state: Option<State>,
    /// First failure of its current failing streak (`YYYY-MM-DD`).
    pub failing_since: Option<String>,
    /// Its occurrences (those the report keeps).
    pub cited: usize,
    /// The issues they are in.
    pub issues: usize,
    /// Where the newest issue citing it does so.
    pub latest: Citation,
    /// Its archived copy (the one closest to the newest citing issue's
    /// date), for a failing link.
    pub archive: Option<String>,
    /// Where its permanent redirects end.
    pub moved_to: Option<String>,
}

impl TodoItem {
    /// How often it is cited: `cited once`, `cited 3 times in 2 issues`.
    pub fn cited_text(&self) -> String {
        let times = if self.cited == 1 {
            "cited once".to_string()
        } else {
            format!("cited {} times", super::overview::count(self.cited))
        };
        if self.issues > 1 {
            format!("{times} in {} issues", super::overview::count(self.issues))
        } else {
            times
        }
    }
}

/// A place a link is cited.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Citation {
    /// The issue's path, as stored.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// The issue's title.
    pub title: Option<String>,
    /// The issue's date.
    #[serde(serialize_with = "crate::clock::serialize_date")]
    pub date: Option<time::Date>,
}

/// `linkrot fix` for the run's inputs, and what it would change.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FixCommand {
    /// `linkrot fix PATHS --write`: the archived copies of links confirmed
    /// dead, and the permanent redirects.
    pub command: String,
    /// Links confirmed dead with a copy: what `command` replaces.
    pub dead: usize,
    /// Permanent redirects: what `command` updates.
    pub redirects: usize,
    /// Failing links with a copy not confirmed dead yet, which only
    /// `broken_command` replaces too.
    pub not_dead: usize,
    /// `linkrot fix PATHS --replace broken --write`, when `not_dead` > 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_command: Option<String>,
}

/// Picks a report's lists from its links, one at a time.
#[derive(Default)]
pub(super) struct TodoTally {
    most_cited: Top,
    archived: Top,
    moved: Top,
    newly_broken: Top,
    failing_first_check: usize,
    fix: FixCounts,
}

impl TodoTally {
    /// Considers `l` for every list.
    pub(super) fn add(&mut self, l: &LinkRecord) {
        self.fix.add(l);
        if l.occurrences.is_empty() {
            return;
        }
        let failing = l.status.is_failure();
        if failing {
            self.most_cited.offer(l);
        }
        if failing && capture(l).is_some() {
            self.archived.offer(l);
        }
        if moved(l) {
            self.moved.offer(l);
        }
        if l.change == Some(Change::NewlyBroken) {
            if first_check(l) {
                self.failing_first_check += 1;
            } else {
                self.newly_broken.offer(l);
            }
        }
    }

    /// The lists of every link added (without a fix command), and what a
    /// fix command over them would change.
    pub(super) fn finish(self) -> (Todo, FixCounts) {
        let todo = Todo {
            most_cited: self.most_cited.into(),
            archived: self.archived.into(),
            moved: self.moved.into(),
            newly_broken: self.newly_broken.into(),
            failing_first_check: self.failing_first_check,
            fix: None,
        };
        (todo, self.fix)
    }
}

/// One list as it is picked: its first [`TODO_ITEMS`] links (most cited
/// first; among equals, confirmed dead first, then by URL), and how many
/// were offered.
#[derive(Default)]
struct Top {
    total: usize,
    best: Vec<TodoItem>,
}

impl Top {
    fn offer(&mut self, l: &LinkRecord) {
        self.total += 1;
        let rank = |cited: usize, state: Option<State>| {
            (std::cmp::Reverse(cited), state != Some(State::Dead))
        };
        let new = (rank(l.occurrences.len(), l.state), l.url.as_str());
        let at = self
            .best
            .partition_point(|i| (rank(i.cited, i.state), i.url.as_str()) < new);
        if at >= TODO_ITEMS {
            return;
        }
        self.best.insert(at, item(l));
        self.best.truncate(TODO_ITEMS);
    }
}

impl From<Top> for TodoList {
    fn from(top: Top) -> TodoList {
        TodoList {
            total: top.total,
            items: top.best,
        }
    }
}

/// What `linkrot fix` would change over a run's links.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct FixCounts {
    /// Failing links with a copy, confirmed dead.
    dead: usize,
    /// Failing links with a copy, not confirmed dead yet.
    not_dead: usize,
    /// Permanent redirects.
    redirects: usize,
}

impl FixCounts {
    fn add(&mut self, l: &LinkRecord) {
        if l.status.is_failure() && capture(l).is_some() {
            if l.state == Some(State::Dead) {
                self.dead += 1;
            } else {
                self.not_dead += 1;
            }
        }
        self.redirects += usize::from(moved(l));
    }
}

impl Todo {
    /// The fix command that changes what `counts` counted (all of the
    /// run's), for `inputs`, with `db` when it is not the default one.
    pub(super) fn fix_command(
        counts: FixCounts,
        inputs: &[String],
        db: Option<&str>,
    ) -> Option<FixCommand> {
        // Web pages and stdin are not files `fix` can rewrite.
        let paths: Vec<&String> = inputs
            .iter()
            .filter(|i| *i != "-" && !crate::source::is_web_input(i))
            .collect();
        let FixCounts {
            dead,
            not_dead,
            redirects,
        } = counts;
        if paths.is_empty() || dead + not_dead + redirects == 0 {
            return None;
        }
        let mut base = String::from("linkrot fix");
        for p in paths {
            base.push(' ');
            base.push_str(&shell_word(p));
        }
        if let Some(db) = db.filter(|d| *d != crate::DEFAULT_DB) {
            base.push_str(" --db ");
            base.push_str(&shell_word(db));
        }
        Some(FixCommand {
            command: format!("{base} --write"),
            dead,
            redirects,
            not_dead,
            broken_command: (not_dead > 0).then(|| format!("{base} --replace broken --write")),
        })
    }
}

impl FixCommand {
    /// What `command` does, in words: `replaces the 3 links confirmed dead
    /// with their archived copy and updates the 1 permanent redirect`.
    pub fn says(&self) -> String {
        let the = |n: usize, one: &str, many: &str| {
            format!(
                "the {} {}",
                super::overview::count(n),
                if n == 1 { one } else { many }
            )
        };
        let mut what = Vec::new();
        if self.dead > 0 {
            what.push(format!(
                "replaces {} with {}",
                the(self.dead, "link confirmed dead", "links confirmed dead"),
                copies(self.dead)
            ));
        }
        if self.redirects > 0 {
            what.push(format!(
                "updates {}",
                the(self.redirects, "permanent redirect", "permanent redirects")
            ));
        }
        if what.is_empty() {
            return "changes nothing yet: no link with a copy is confirmed dead".into();
        }
        what.join(" and ")
    }

    /// What `broken_command` adds, in words.
    pub fn broken_says(&self) -> String {
        format!(
            "also replaces {} with {}",
            if self.not_dead == 1 {
                "the 1 failing link not confirmed dead yet".to_string()
            } else {
                format!(
                    "the {} failing links not confirmed dead yet",
                    super::overview::count(self.not_dead)
                )
            },
            copies(self.not_dead)
        )
    }
}

fn copies(n: usize) -> &'static str {
    if n == 1 {
        "its archived copy"
    } else {
        "their archived copies"
    }
}

/// Whether the link's check in this run is its first conclusive one.
fn first_check(l: &LinkRecord) -> bool {
    l.history
        .iter()
        .filter(|p| p.status.is_conclusive())
        .count()
        <= 1
}

/// Whether `fix` would update the link to where it moved: alive, and
/// every redirect permanent.
fn moved(l: &LinkRecord) -> bool {
    l.status == crate::check::Status::Redirected && l.permanent_redirect && l.final_url.is_some()
}

/// The link's archived copy: its own, else any of its occurrences'.
fn capture(l: &LinkRecord) -> Option<&str> {
    l.archive
        .as_ref()
        .or_else(|| l.occurrences.iter().find_map(|o| o.archive.as_ref()))
        .map(|c| c.url.as_str())
}

fn item(l: &LinkRecord) -> TodoItem {
    let latest = l
        .occurrences
        .iter()
        .max_by(|a, b| {
            a.issue_date
                .cmp(&b.issue_date)
                .then(b.path.cmp(&a.path))
                .then(b.line.cmp(&a.line))
        })
        .expect("a kept link has an occurrence");
    TodoItem {
        url: l.url.clone(),
        status: super::describe(l),
        state: l.state,
        failing_since: l.dead_since.as_deref().map(|d| d[..10.min(d.len())].into()),
        cited: l.occurrences.len(),
        issues: {
            let mut paths: Vec<&str> = l.occurrences.iter().map(|o| o.path.as_str()).collect();
            paths.sort_unstable();
            paths.dedup();
            paths.len()
        },
        archive: l
            .status
            .is_failure()
            .then(|| {
                latest
                    .archive
                    .as_ref()
                    .map(|c| c.url.as_str())
                    .or_else(|| capture(l))
            })
            .flatten()
            .map(str::to_string),
        moved_to: moved(l).then(|| l.final_url.clone()).flatten(),
        latest: Citation {
            path: latest.path.clone(),
            line: latest.line,
            title: latest.issue_title.clone(),
            date: latest.issue_date,
        },
    }
}

/// `word` as one shell word: as is when it is plain, else single-quoted.
pub(crate) fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=,@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
