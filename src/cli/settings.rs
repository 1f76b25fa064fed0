//! Every setting, resolved once from defaults, files, environment and
//! flags (see `layers.rs` for the precedence), into the library's configs.
//!
//! This is the one place the defaults of settings are written (each the
//! library's documented `Default`), and the one list of the keys a
//! configuration file may hold: the keys asked for here. Every command
//! resolves all of them, so a file holds the same keys whatever command
//! reads it; each command uses the settings it has.

use super::file::FileLayer;
use super::flags::{
    ArchiveArgs, CheckSettings, CrawlArgs, DbArg, FailOnArg, FixArgs, LinksArgs, LinksFailOnArg,
    LintArg, NetArgs, RedirectsArg, ReplaceArg, SaveArgs, SourceArgs,
};
use super::layers::{ConfigError, EnvFn, Origin, Resolver, Shown};
use super::parse::{self, show_choice, Accept, Age, Show};
use linkrot::archive::ArchiveConfig;
use linkrot::crawl::CrawlConfig;
use linkrot::history::{MaxAge, Policy};
use linkrot::net::{NetConfig, RetryPolicy};
use linkrot::source::SourceConfig;
use linkrot::{CheckConfig, Config, HistoryConfig};
use std::path::PathBuf;
use std::time::Duration;

show_choice!(FailOnArg, LintArg, RedirectsArg, ReplaceArg);

/// The flags a command was given, by group; a command without a group
/// leaves it `None` (its settings then come from files and defaults).
#[derive(Debug, Default, Clone, Copy)]
pub struct Flags<'a> {
    pub check: Option<&'a CheckSettings>,
    pub db: Option<&'a DbArg>,
    pub source: Option<&'a SourceArgs>,
    pub net: Option<&'a NetArgs>,
    pub archive: Option<&'a ArchiveArgs>,
    pub save: Option<&'a SaveArgs>,
    pub links: Option<&'a LinksArgs>,
    pub fix: Option<&'a FixArgs>,
    /// `report --show-redirects`.
    pub show_redirects: bool,
    /// `report --max-items`.
    pub max_items: Option<usize>,
}

/// Every setting in force, as the library's configs and the binary's own.
#[derive(Debug)]
pub struct Settings {
    pub db: PathBuf,
    /// What to read (inputs are the command's).
    pub sources: SourceConfig,
    pub check: CheckConfig,
    pub net: NetConfig,
    pub crawl: CrawlConfig,
    pub history: HistoryConfig,
    /// Archive endpoints and limits (save limits included).
    pub archive: ArchiveConfig,
    /// `check --archive`: look up replacements for failing links.
    pub archive_failing: bool,
    pub fail_on: FailOnArg,
    pub show_redirects: bool,
    /// Markdown: detailed items at most (`None`: as many as fit its budget).
    pub max_items: Option<usize>,
    pub lint: LintArg,
    pub links_fail_on: LinksFailOnArg,
    pub redirects: RedirectsArg,
    pub replace: ReplaceArg,
    pub strip_tracking: bool,
    pub never_archived: bool,
    /// Every value with its origin, for `linkrot config`.
    pub shown: Vec<Shown>,
    /// The configuration and ignore files read.
    pub files: Vec<PathBuf>,
}

impl Settings {
    /// The run's configuration for these inputs.
    pub fn config(&self, inputs: &[String]) -> Config {
        Config {
            sources: SourceConfig {
                inputs: inputs.to_vec(),
                ..self.sources.clone()
            },
            crawl: self.crawl.clone(),
            lint: self.lint.into(),
            check: self.check.clone(),
            net: self.net.clone(),
            db_path: self.db.clone(),
            history: self.history.clone(),
            archive: self.archive_failing.then(|| self.archive.clone()),
            report_hold_at_most: linkrot::report::HOLD_AT_MOST,
            lint_hold_at_most: linkrot::run::LINT_HOLDS_AT_MOST,
        }
    }
}

/// A path written in a file is relative to that file's folder.
pub(super) fn beside(path: PathBuf, origin: &Origin) -> PathBuf {
    match origin {
        Origin::File { path: file, .. } if path.is_relative() => {
            file.parent().map_or(path.clone(), |dir| dir.join(&path))
        }
        _ => path,
    }
}

pub(super) fn duration(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::from_secs(1))
}

/// Resolves every setting; `env` reads the environment.
pub fn resolve(
    flags: Flags<'_>,
    files: &FileLayer,
    env: EnvFn<'_>,
) -> Result<Settings, ConfigError> {
    let mut r = Resolver::new(files, env);
    r.sends = flags.check.is_some() || flags.net.is_some();
    let c = flags.check;
    let net = c.map(|c| &c.net).or(flags.net);
    let arch = c.map(|c| &c.archive_args).or(flags.archive);
    let crawl: Option<&CrawlArgs> = c.map(|c| &c.crawl);
    let source = c.map(|c| &c.source).or(flags.source);
    let db_flag = c.map(|c| &c.db).or(flags.db).and_then(|d| d.db.clone());

    // Keys only a flag may set: a file holding one is told so.
    for key in [
        "config",
        "no-config",
        "format",
        "output",
        "quiet",
        "verbose",
        "write",
        "run",
        "status",
        "issue",
        "since",
        "host",
        "full-report",
    ] {
        r.flag_only(key);
    }

    // What to read, and where to record it.
    let db = r.one(
        "db",
        db_flag,
        &["LINKROT_DB"],
        parse::path,
        PathBuf::from(linkrot::DEFAULT_DB),
    );
    let db = beside(db, &r.shown.last().expect("just shown").origin);
    let exclude_path = r.list(
        "exclude-path",
        source.map(|s| s.exclude_path.clone()).unwrap_or_default(),
        vec![],
        parse::text,
    );
    let stdin_format = r.one(
        "stdin-format",
        source.and_then(|s| s.stdin_format),
        &[],
        parse::format,
        linkrot::extract::Format::Markdown,
    );
    let base_url = r.maybe(
        "base-url",
        source.and_then(|s| s.base_url.clone()),
        &[],
        parse::base_url,
    );
    let lint = r.one(
        "lint",
        c.and_then(|c| c.lint).or(flags.links.and_then(|l| l.lint)),
        &[],
        parse::choice,
        LintArg::All,
    );

    // What fails the run, and what the terminal shows.
    let fail_on = r.one(
        "fail-on",
        c.and_then(|c| c.fail_on),
        &[],
        parse::choice,
        FailOnArg::Broken,
    );
    let show_redirects = r.switch(
        "show-redirects",
        flags.show_redirects || c.is_some_and(|c| c.show_redirects),
        &[],
    );
    let max_items = r.maybe(
        "max-items",
        flags.max_items.or(c.and_then(|c| c.max_items)),
        &[],
        parse::count,
    );
    let offline = r.switch("offline", c.is_some_and(|c| c.offline), &[]);

    // History: freshness, budget, when a link is dead.
    let max_age = r.maybe("max-age", c.and_then(|c| c.max_age), &[], parse::age);
    let d = MaxAge::default();
    let max_age_ok = r.one(
        "max-age-ok",
        c.and_then(|c| c.max_age_ok),
        &[],
        parse::age,
        Age(d.alive_secs),
    );
    let max_age_failing = r.one(
        "max-age-failing",
        c.and_then(|c| c.max_age_failing),
        &[],
        parse::age,
        Age(d.failing_secs),
    );
    let max_requests = r.maybe(
        "max-requests",
        c.and_then(|c| c.max_requests),
        &[],
        parse::count,
    );
    let p = Policy::default();
    let dead_after_failures = r.one(
        "dead-after-failures",
        c.and_then(|c| c.dead_after_failures),
        &[],
        parse::count32,
        p.dead_after_failures,
    );
    let dead_after = r.one(
        "dead-after",
        c.and_then(|c| c.dead_after),
        &[],
        parse::age,
        Age(p.dead_after_secs),
    );
    let hard_failures = r.one(
        "hard-dead-after-failures",
        c.and_then(|c| c.hard_dead_after_failures),
        &[],
        parse::count32,
        p.hard_dead_after_failures,
    );
    let hard_after = r.one(
        "hard-dead-after",
        c.and_then(|c| c.hard_dead_after),
        &[],
        parse::age,
        Age(p.hard_dead_after_secs),
    );
    let history = HistoryConfig {
        policy: Policy {
            dead_after_failures,
            dead_after_secs: dead_after.0,
            hard_dead_after_failures: hard_failures,
            hard_dead_after_secs: hard_after.0,
            ..p
        },
        max_age: MaxAge {
            alive_secs: max_age.unwrap_or(max_age_ok).0,
            failing_secs: max_age.unwrap_or(max_age_failing).0,
        },
        max_requests,
    };

    // Checking: limits, what counts as alive, which URLs.
    let cd = CheckConfig::default();
    let max_concurrency = r.one(
        "max-concurrency",
        c.and_then(|c| c.max_concurrency),
        &[],
        parse::count,
        cd.max_concurrency,
    );
    let max_per_host = r.one(
        "max-per-host",
        c.and_then(|c| c.max_per_host),
        &[],
        parse::count,
        cd.max_per_host,
    );
    let rd = RetryPolicy::default();
    let retries = r.one(
        "retries",
        c.and_then(|c| c.retries),
        &[],
        parse::count32,
        rd.retries,
    );
    let timeout_retries = r.one(
        "timeout-retries",
        c.and_then(|c| c.timeout_retries),
        &[],
        parse::count32,
        rd.timeout_retries,
    );
    let max_redirects = r.one(
        "max-redirects",
        c.and_then(|c| c.max_redirects),
        &[],
        parse::count,
        cd.max_redirects,
    );
    let accept = r.one(
        "accept",
        c.and_then(|c| c.accept.clone()),
        &[],
        parse::accept,
        Accept(cd.accept.clone()),
    );
    let include = r.list(
        "include",
        c.map(|c| c.include.clone()).unwrap_or_default(),
        vec![],
        parse::regex,
    );
    let ignored = files
        .ignores
        .iter()
        .map(|(path, line, p)| {
            (
                p.clone(),
                Origin::File {
                    path: path.clone(),
                    line: *line,
                },
            )
        })
        .collect();
    let exclude = r.list(
        "exclude",
        c.map(|c| c.exclude.clone()).unwrap_or_default(),
        ignored,
        parse::regex,
    );
    let remap = r.list(
        "remap",
        c.map(|c| c.remap.clone()).unwrap_or_default(),
        vec![],
        parse::remap,
    );
    let no_soft_404 = r.switch("no-soft-404", c.is_some_and(|c| c.no_soft_404), &[]);
    let no_fragments = r.switch("no-fragments", c.is_some_and(|c| c.no_fragments), &[]);
    let github = super::network::github(
        &mut r,
        c.and_then(|c| c.github_token.clone()),
        c.and_then(|c| c.github_api_url.clone()),
        c.map(|c| c.github_host.clone()).unwrap_or_default(),
    );

    // Crawling.
    let k = CrawlConfig::default();
    let follow = r.switch("crawl", crawl.is_some_and(|a| a.crawl), &[]);
    let depth = r.maybe("depth", crawl.and_then(|a| a.depth), &[], parse::count);
    let max_pages = r.one(
        "max-pages",
        crawl.and_then(|a| a.max_pages),
        &[],
        parse::count,
        k.max_pages,
    );
    let crawl_include = r.list(
        "crawl-include",
        crawl.map(|a| a.crawl_include.clone()).unwrap_or_default(),
        vec![],
        parse::regex,
    );
    let crawl_exclude = r.list(
        "crawl-exclude",
        crawl.map(|a| a.crawl_exclude.clone()).unwrap_or_default(),
        vec![],
        parse::regex,
    );
    let crawl_delay = r.one(
        "crawl-delay",
        crawl.and_then(|a| a.crawl_delay),
        &[],
        parse::secs,
        k.delay.as_secs_f64(),
    );
    let crawl_concurrency = r.one(
        "crawl-concurrency",
        crawl.and_then(|a| a.crawl_concurrency),
        &[],
        parse::count,
        k.concurrency,
    );
    let ignore_robots = r.switch("ignore-robots", crawl.is_some_and(|a| a.ignore_robots), &[]);
    let no_sitemap = r.switch("no-sitemap", crawl.is_some_and(|a| a.no_sitemap), &[]);

    let (net, host_policies) = super::network::net(&mut r, net);

    // Archives.
    let ad = ArchiveConfig::default();
    let archive_failing = r.switch("archive", c.is_some_and(|c| c.archive), &[]);
    let verify = r.switch(
        "archive-verify",
        arch.is_some_and(|a| a.archive_verify),
        &[],
    );
    let rate = r.maybe(
        "archive-rate",
        arch.and_then(|a| a.archive_rate),
        &[],
        parse::count32,
    );
    let relookup = r.one(
        "archive-relookup",
        arch.and_then(|a| a.archive_relookup),
        &[],
        parse::age,
        Age(ad.relookup_after_secs),
    );
    let timegates = r.list(
        "timegate",
        arch.map(|a| a.timegate.clone()).unwrap_or_default(),
        vec![],
        parse::address,
    );
    let availability_url = r.one(
        "availability-url",
        arch.and_then(|a| a.availability_url.clone()),
        &[],
        parse::address,
        ad.availability_url.clone(),
    );
    let cdx_url = r.one(
        "cdx-url",
        arch.and_then(|a| a.cdx_url.clone()),
        &[],
        parse::address,
        ad.cdx_url.clone(),
    );
    let replay_url = r.one(
        "replay-url",
        arch.and_then(|a| a.replay_url.clone()),
        &[],
        parse::address,
        ad.replay_url.clone(),
    );
    let save_url = r.one(
        "save-url",
        arch.and_then(|a| a.save_url.clone()),
        &[],
        parse::address,
        ad.save_url.clone(),
    );
    let save_status_url = r.one(
        "save-status-url",
        arch.and_then(|a| a.save_status_url.clone()),
        &[],
        parse::address,
        ad.save_status_url.clone(),
    );
    let save = flags.save;
    let never_archived = r.switch(
        "never-archived",
        save.is_some_and(|s| s.never_archived),
        &[],
    );
    let per_minute = r.one(
        "per-minute",
        save.and_then(|s| s.per_minute),
        &[],
        parse::count32,
        ad.save_per_minute,
    );
    let per_day = r.one(
        "per-day",
        save.and_then(|s| s.per_day),
        &[],
        parse::count32,
        ad.save_per_day,
    );
    let within = r.one(
        "if-not-archived-within",
        save.and_then(|s| s.if_not_archived_within),
        &[],
        parse::age,
        parse::age(&ad.if_not_archived_within).unwrap_or(Age(0)),
    );
    let poll = r.one(
        "poll-interval",
        save.and_then(|s| s.poll_interval),
        &[],
        parse::secs,
        ad.poll_interval.as_secs_f64(),
    );

    // Fixing.
    let fix = flags.fix;
    let redirects = r.one(
        "redirects",
        fix.and_then(|f| f.redirects),
        &[],
        parse::choice,
        RedirectsArg::Permanent,
    );
    let replace = r.one(
        "replace",
        fix.and_then(|f| f.replace),
        &[],
        parse::choice,
        ReplaceArg::Dead,
    );
    let strip_tracking = r.switch("strip-tracking", fix.is_some_and(|f| f.strip_tracking), &[]);

    let shown = r.finish()?;

    let max_per_host = max_per_host.max(1);
    let mut net = net;
    net.max_idle_per_host = max_per_host;
    net.offline = offline;
    net.retry.retries = retries;
    net.retry.timeout_retries = timeout_retries;
    let mut archive = ArchiveConfig {
        availability_url,
        cdx_url,
        replay_url,
        save_url,
        save_status_url,
        timegates,
        verify,
        relookup_after_secs: relookup.0,
        max_retry_after: net.retry.max_retry_after,
        ..ArchiveConfig::default()
    };
    if let Some(rate) = rate {
        archive = archive.with_rate(rate);
    }
    archive.save_per_minute = rate.unwrap_or(per_minute);
    archive.save_per_day = per_day;
    archive.if_not_archived_within = show_age(within);
    archive.poll_interval = duration(poll);
    Ok(Settings {
        db,
        sources: SourceConfig {
            inputs: Vec::new(),
            exclude_paths: exclude_path,
            stdin_format,
            base_url,
        },
        check: CheckConfig {
            max_concurrency: max_concurrency.max(1),
            max_per_host,
            initial_per_host: cd.initial_per_host.min(max_per_host),
            max_redirects,
            accept: accept.0,
            include,
            exclude,
            remap,
            soft_404: !no_soft_404,
            fragments: !no_fragments,
            hosts: host_policies,
            github,
            ..CheckConfig::default()
        },
        crawl: CrawlConfig {
            follow,
            max_depth: depth,
            max_pages,
            include: crawl_include,
            exclude: crawl_exclude,
            delay: duration(crawl_delay),
            concurrency: crawl_concurrency.max(1),
            robots: !ignore_robots,
            sitemaps: !no_sitemap,
            max_redirects,
            ..CrawlConfig::default()
        },
        net,
        history,
        archive,
        archive_failing,
        fail_on,
        show_redirects,
        max_items,
        lint,
        // `links` has two ways to fail; `fail-on = "none"` is the one
        // that turns lint failures off there too.
        links_fail_on: flags.links.and_then(|l| l.fail_on).unwrap_or(
            if fail_on == FailOnArg::None {
                LinksFailOnArg::None
            } else {
                LinksFailOnArg::Broken
            },
        ),
        redirects,
        replace,
        strip_tracking,
        never_archived,
        shown,
        files: files
            .files
            .iter()
            .chain(&files.ignore_files)
            .cloned()
            .collect(),
    })
}

/// An age as SPN2's `if_not_archived_within` takes it (`30d`).
fn show_age(a: Age) -> String {
    a.show().trim_matches('"').to_string()
}

/// Reads the configuration files for `global` in the current directory.
pub fn load(global: &super::GlobalArgs, flags: Flags<'_>) -> Result<Settings, ConfigError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let files = super::file::load(&global.config, global.no_config, &cwd)?;
    tracing::info!(files = ?files.files, ignore_files = ?files.ignore_files, "configuration");
    let env = |name: &str| std::env::var(name).ok();
    resolve(flags, &files, &env)
}
