//! The flags, as clap parses them. A setting a configuration file can hold
//! is an `Option` (or an empty list, or an unset switch) here, never a
//! clap default: whether it was given is what decides precedence, and the
//! default lives in one place, the resolver (`settings.rs`). Each doc
//! names its default, which a test checks against the resolver's.

use super::parse::{self, Accept, Age, HeaderArg};
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use linkrot::check::Remap;
use linkrot::extract::Format;
use std::path::PathBuf;

/// Link health checker and archiver for a newsletter's archive of issues.
#[derive(Debug, Parser)]
#[command(name = "linkrot", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Read settings from this file instead of ./linkrot.toml (repeatable:
    /// later files win; flags win over files).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// Read no configuration file and no .linkrotignore.
    #[arg(long, global = true, conflicts_with = "config")]
    pub no_config: bool,
    /// Log on stderr: -v the run's steps, -vv every request (host, method,
    /// status, time, retries), -vvv everything; RUST_LOG overrides.
    #[arg(long, short, global = true, action = ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract every link, check each distinct URL, record it all, report.
    Check(Box<CheckArgs>),
    /// List every extracted link (no network, no database).
    Links(LinksArgs),
    /// Extract every link and store issues and occurrences in the database (no network).
    Index(IndexArgs),
    /// Render what the database knows about a run, in any format (no network).
    Report(Box<ReportArgs>),
    /// Show a URL's timeline (every check) and where it is cited.
    History(HistoryArgs),
    /// Find archived replacements for dead links, or save live links to the archive.
    #[command(subcommand)]
    Archive(Box<ArchiveCommand>),
    /// Rewrite dead links to their archived copy and moved links to where they went
    /// (a unified diff; files change only with --write).
    Fix(Box<FixArgs>),
    /// Print the settings in force and where each came from (default,
    /// file:line, flag, environment); takes the flags `check` takes.
    Config(Box<ConfigArgs>),
    /// Print a shell completion script: linkrot completions bash > /etc/bash_completion.d/linkrot
    Completions(CompletionsArgs),
    /// Print the man page (roff): linkrot man > linkrot.1
    Man,
}

#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    /// Look up replacements for the failing links of the latest run.
    Lookup(ArchiveLookupArgs),
    /// Submit live links to Save Page Now (keys: LINKROT_SPN_ACCESS_KEY, LINKROT_SPN_SECRET_KEY).
    Save(ArchiveSaveArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args, Default)]
pub struct DbArg {
    /// SQLite database holding runs, checks and history (env: LINKROT_DB)
    /// [default: linkrot.db]
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// How requests reach the network.
#[derive(Debug, Args, Default)]
pub struct NetArgs {
    /// Whole-request timeout, in seconds [default: 10]
    #[arg(long, value_name = "SECS", value_parser = parse::secs)]
    pub timeout: Option<f64>,
    /// Connect (and TLS handshake) timeout, in seconds [default: 5]
    #[arg(long, value_name = "SECS", value_parser = parse::secs)]
    pub connect_timeout: Option<f64>,
    /// How long an idle connection is kept for its host's next request, in seconds [default: 0.1]
    #[arg(long, value_name = "SECS", value_parser = parse::secs)]
    pub keep_alive: Option<f64>,
    /// Longest Retry-After honoured, in seconds [default: 60]
    #[arg(long, value_name = "SECS", value_parser = parse::secs)]
    pub max_retry_after: Option<f64>,
    /// User-Agent header [default: linkrot/VERSION (link checker)]
    #[arg(long, value_name = "UA")]
    pub user_agent: Option<String>,
    /// Header sent with every request, 'Name: value' (repeatable); ${VAR}
    /// reads the environment and is never shown.
    #[arg(long, short = 'H', value_name = "NAME: VALUE", value_parser = parse::header)]
    pub header: Vec<HeaderArg>,
    /// Proxy for every URL (overrides http_proxy / https_proxy).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Hosts reached without the proxy (overrides no_proxy).
    #[arg(long, value_name = "LIST")]
    pub no_proxy: Option<String>,
    /// Extra CA certificate file (PEM) to trust (repeatable); SSL_CERT_FILE is added too.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Vec<PathBuf>,
    /// Accept invalid TLS certificates (expired, self-signed, another name's).
    #[arg(long)]
    pub insecure: bool,
    /// Also check links to private, loopback and link-local addresses
    /// (refused by default: a link checker must not be a way into your
    /// network) (env: LINKROT_ALLOW_PRIVATE).
    #[arg(long)]
    pub allow_private: bool,
    /// Use this address for this name, as curl does: HOST:PORT:ADDR (repeatable; trusted).
    #[arg(long, value_name = "HOST:PORT:ADDR", value_parser = parse::resolve)]
    pub resolve: Vec<(String, std::net::SocketAddr)>,
}

#[derive(Debug, Args)]
pub struct ArchiveLookupArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub net: NetArgs,
    #[command(flatten)]
    pub archive: ArchiveArgs,
    /// Report format.
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: ReportFormat,
}

/// Save Page Now's limits.
#[derive(Debug, Args, Default)]
pub struct SaveArgs {
    /// Only links with no capture on record.
    #[arg(long)]
    pub never_archived: bool,
    /// Submissions a minute [default: 12]
    #[arg(long, value_name = "N", value_parser = parse::count32)]
    pub per_minute: Option<u32>,
    /// Submissions a day [default: 100000]
    #[arg(long, value_name = "N", value_parser = parse::count32)]
    pub per_day: Option<u32>,
    /// Skip URLs archived more recently than this (SPN2 if_not_archived_within) [default: 30d]
    #[arg(long, value_name = "AGE", value_parser = parse::age)]
    pub if_not_archived_within: Option<Age>,
    /// How often pending jobs are polled, in seconds [default: 5]
    #[arg(long, value_name = "SECS", value_parser = parse::secs)]
    pub poll_interval: Option<f64>,
}

#[derive(Debug, Args)]
pub struct ArchiveSaveArgs {
    /// Issues or drafts whose live links to save; none: every live link of the latest run.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub save: SaveArgs,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub net: NetArgs,
    #[command(flatten)]
    pub archive: ArchiveArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RedirectsArg {
    /// Only 301/308 chains.
    Permanent,
    /// Temporary redirects too.
    All,
    /// Leave redirects alone.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplaceArg {
    /// Only links confirmed dead by their history.
    Dead,
    /// Any failing link with a capture.
    Broken,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub db: DbArg,
    /// Change the files (else print a unified diff).
    #[arg(long)]
    pub write: bool,
    /// Which redirects to follow into the source [default: permanent]
    #[arg(long, value_enum)]
    pub redirects: Option<RedirectsArg>,
    /// Which failing links to replace with their archived copy [default: dead]
    #[arg(long, value_enum)]
    pub replace: Option<ReplaceArg>,
    /// Also remove tracking parameters (utm_*, fbclid, gclid, mc_eid ...) from links.
    #[arg(long)]
    pub strip_tracking: bool,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The URL, as written in the issues.
    pub url: String,
    #[command(flatten)]
    pub db: DbArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LinksFormat,
}

/// Where the archives are and how hard to use them.
#[derive(Debug, Args, Default)]
pub struct ArchiveArgs {
    /// Fetch each capture before offering it (must answer 200 with Memento-Datetime).
    #[arg(long)]
    pub archive_verify: bool,
    /// Requests a minute to each archive endpoint (defaults: the published
    /// limits, e.g. CDX 60); raise it for a local archive.
    #[arg(long, value_name = "N", value_parser = parse::count32)]
    pub archive_rate: Option<u32>,
    /// Look a URL up again only after this long [default: 30d]
    #[arg(long, value_name = "AGE", value_parser = parse::age)]
    pub archive_relookup: Option<Age>,
    /// A Memento TimeGate to try after the Wayback Machine (repeatable), as a
    /// prefix the URL is appended to, e.g. https://archive.ph/timegate/
    #[arg(long, value_name = "URL", value_parser = parse::address)]
    pub timegate: Vec<String>,
    /// Wayback availability API [default: https://archive.org/wayback/available]
    #[arg(long, value_name = "URL", value_parser = parse::address)]
    pub availability_url: Option<String>,
    /// Wayback CDX API [default: https://web.archive.org/cdx/search/cdx]
    #[arg(long, value_name = "URL", value_parser = parse::address)]
    pub cdx_url: Option<String>,
    /// Prefix of Wayback replay URLs [default: https://web.archive.org/web/]
    #[arg(long, value_name = "URL", value_parser = parse::address)]
    pub replay_url: Option<String>,
    /// Save Page Now endpoint [default: https://web.archive.org/save]
    #[arg(long, value_name = "URL", value_parser = parse::address)]
    pub save_url: Option<String>,
    /// Save Page Now job status prefix [default: https://web.archive.org/save/status/]
    #[arg(long, value_name = "URL", value_parser = parse::address)]
    pub save_status_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// Any failing link (broken, timeout, error).
    Broken,
    /// Only links confirmed dead by their history.
    Dead,
    /// Only links that became failing since their previous check (for nightly CI).
    New,
    /// Never fail on links.
    None,
}

impl From<FailOnArg> for linkrot::report::FailOn {
    fn from(a: FailOnArg) -> Self {
        use linkrot::report::FailOn;
        match a {
            FailOnArg::Broken => FailOn::Broken,
            FailOnArg::Dead => FailOn::Dead,
            FailOnArg::New => FailOn::New,
            FailOnArg::None => FailOn::None,
        }
    }
}

/// Which inputs, and how to read them.
#[derive(Debug, Args, Default)]
pub struct SourceArgs {
    /// Skip paths matching this glob (repeatable), e.g. 'drafts/**'.
    #[arg(long, value_name = "GLOB")]
    pub exclude_path: Vec<String>,
    /// Format of stdin [default: markdown]
    #[arg(long, value_name = "FORMAT", value_parser = parse::format)]
    pub stdin_format: Option<Format>,
    /// The site the issues are published on (https://newsletter.example/):
    /// relative links are resolved against it (and `check` checks them so).
    #[arg(long, value_name = "URL", value_parser = parse::base_url)]
    pub base_url: Option<url::Url>,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files and directories to read (.md, .markdown, .html, .htm, .txt, .eml, .mbox,
    /// .textile, .rst, .adoc, .asciidoc);
    /// `-` reads stdin; `check` also reads web pages (http:// or https://, see --crawl).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Compiler-style lines for failing links, then a summary.
    Terminal,
    /// The JSON report (see the README; schema/report.schema.json).
    Json,
    /// Markdown for a GitHub issue: failing links by issue, as tasks.
    Markdown,
    /// One row per link occurrence (RFC 4180).
    Csv,
    /// JUnit XML: a test case per occurrence.
    Junit,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions annotations.
    Github,
    /// One self-contained HTML page with charts.
    Html,
}

impl From<ReportFormat> for linkrot::report::OutputFormat {
    fn from(f: ReportFormat) -> Self {
        use linkrot::report::OutputFormat as O;
        match f {
            ReportFormat::Terminal => O::Terminal,
            ReportFormat::Json => O::Json,
            ReportFormat::Markdown => O::Markdown,
            ReportFormat::Csv => O::Csv,
            ReportFormat::Junit => O::Junit,
            ReportFormat::Sarif => O::Sarif,
            ReportFormat::Github => O::Github,
            ReportFormat::Html => O::Html,
        }
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Report format.
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: ReportFormat,
    /// Write the report here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which run (default: the latest).
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    /// Only links with these statuses or states (comma-separated: broken, timeout, error,
    /// failing, dead, flaky, redirected, ok ...).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub status: Vec<String>,
    /// Only issues whose path contains this.
    #[arg(long, value_name = "TEXT")]
    pub issue: Option<String>,
    /// Only issues dated this day or later (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse::date)]
    pub since: Option<time::Date>,
    /// Only links on this host (and its subdomains).
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Also list redirected links in the terminal report.
    #[arg(long)]
    pub show_redirects: bool,
    /// Markdown: list at most N failing links and lint findings (default: as
    /// many as fit in 768 KiB, under a job summary's 1 MiB; never more).
    #[arg(long, value_name = "N", value_parser = parse::count)]
    pub max_items: Option<usize>,
    /// Markdown: where the full report is (a file, an artifact's name), said
    /// when items are left out.
    #[arg(long, value_name = "WHERE")]
    pub full_report: Option<String>,
    /// Which of the run's lint findings to show: none, errors, or all those stored.
    #[arg(long, value_enum, default_value = "all")]
    pub lint: LintArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LinksFormat {
    /// `path:line:column url`
    Text,
    /// A JSON array of links with their positions.
    Json,
}

#[derive(Debug, Args)]
pub struct LinksArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LinksFormat,
    /// Which lint findings to print after the links: none, errors (placeholder,
    /// empty-link, malformed-url) or all (notes too: duplicate, tracking ...) [default: all]
    #[arg(long, value_enum)]
    pub lint: Option<LintArg>,
    /// Exit with code 2 on a lint error (broken), or never (none) [default: broken]
    #[arg(long, value_enum)]
    pub fail_on: Option<LinksFailOnArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintArg {
    /// No lint.
    None,
    /// Errors only: placeholder, empty-link, malformed-url.
    Errors,
    /// Errors and notes.
    All,
}

impl From<LintArg> for linkrot::lint::LintLevel {
    fn from(a: LintArg) -> Self {
        use linkrot::lint::LintLevel;
        match a {
            LintArg::None => LintLevel::None,
            LintArg::Errors => LintLevel::Errors,
            LintArg::All => LintLevel::All,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LinksFailOnArg {
    /// Any lint error (placeholder, empty-link, malformed-url).
    Broken,
    /// Never fail on findings.
    None,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and directories to read (.md, .markdown, .html, .htm, .txt, .eml, .mbox,
    /// .textile, .rst, .adoc, .asciidoc);
    /// `-` reads stdin; web pages (http:// or https://) are read too, see --crawl.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: ReportFormat,
    /// Write the report here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Markdown: where the full report is (a file, an artifact's name), said
    /// when items are left out.
    #[arg(long, value_name = "WHERE")]
    pub full_report: Option<String>,
    #[command(flatten)]
    pub settings: CheckSettings,
}

/// `linkrot config`: the settings `check` would run with.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub settings: CheckSettings,
}

/// Every setting of `check`: what a configuration file can hold too.
#[derive(Debug, Args, Default)]
pub struct CheckSettings {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub db: DbArg,
    /// What makes the run exit with code 2; broken also fails on a lint error [default: broken]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOnArg>,
    /// Which lint findings to make: none, errors (placeholder, empty-link,
    /// malformed-url) or all (notes too: duplicate, seen-before, tracking,
    /// insecure) [default: all]
    #[arg(long, value_enum)]
    pub lint: Option<LintArg>,
    /// Also list redirected links in the terminal report.
    #[arg(long)]
    pub show_redirects: bool,
    /// Markdown: list at most N failing links and lint findings (default: as
    /// many as fit in 768 KiB, under a job summary's 1 MiB; never more).
    #[arg(long, value_name = "N", value_parser = parse::count)]
    pub max_items: Option<usize>,
    /// Send no request at all: every link keeps its last result (never
    /// checked: excluded, "offline"); history and reuse only.
    #[arg(long)]
    pub offline: bool,
    /// Look up an archived replacement for each failing link (closest to
    /// the date of the issue that cites it).
    #[arg(long)]
    pub archive: bool,
    #[command(flatten)]
    pub archive_args: ArchiveArgs,

    /// Reuse any result younger than this instead of asking again (e.g. 0, 30m, 12h, 7d);
    /// overrides both --max-age-ok and --max-age-failing.
    #[arg(long, value_name = "AGE", value_parser = parse::age)]
    pub max_age: Option<Age>,
    /// How long an ok or redirected result is reused [default: 7d]
    #[arg(long, value_name = "AGE", value_parser = parse::age)]
    pub max_age_ok: Option<Age>,
    /// How long a failing result is reused [default: 1d]
    #[arg(long, value_name = "AGE", value_parser = parse::age)]
    pub max_age_failing: Option<Age>,
    /// Request at most this many URLs, stalest first; the others keep their last result.
    #[arg(long, value_name = "N", value_parser = parse::count)]
    pub max_requests: Option<usize>,
    /// Consecutive failures that confirm a link dead... [default: 3]
    #[arg(long, value_name = "N", value_parser = parse::count32)]
    pub dead_after_failures: Option<u32>,
    /// ...spanning at least this long [default: 3d]
    #[arg(long, value_name = "AGE", value_parser = parse::age)]
    pub dead_after: Option<Age>,
    /// The same for hard failures only (404, 410, unknown host): lower to confirm them faster [default: 3]
    #[arg(long, value_name = "N", value_parser = parse::count32)]
    pub hard_dead_after_failures: Option<u32>,
    /// ...spanning at least this long [default: 3d]
    #[arg(long, value_name = "AGE", value_parser = parse::age)]
    pub hard_dead_after: Option<Age>,

    /// Requests in flight at once, over all hosts [default: 256]
    #[arg(long, value_name = "N", value_parser = parse::count)]
    pub max_concurrency: Option<usize>,
    /// Requests in flight at once to one host (the adaptive limit never exceeds it) [default: 6]
    #[arg(long, value_name = "N", value_parser = parse::count)]
    pub max_per_host: Option<usize>,
    /// Extra tries for transient failures (resets, 429, 502, 503, 504) [default: 2]
    #[arg(long, value_name = "N", value_parser = parse::count32)]
    pub retries: Option<u32>,
    /// Extra tries after a timeout [default: 0]
    #[arg(long, value_name = "N", value_parser = parse::count32)]
    pub timeout_retries: Option<u32>,
    /// Redirect hops followed before giving up [default: 10]
    #[arg(long, value_name = "N", value_parser = parse::count)]
    pub max_redirects: Option<usize>,
    /// Statuses that count as alive: codes and ranges, e.g. '200..=299,403' [default: 200..=299]
    #[arg(long, value_name = "LIST", value_parser = parse::accept)]
    pub accept: Option<Accept>,
    /// Only check URLs matching this regex (repeatable).
    #[arg(long, value_name = "REGEX", value_parser = parse::regex)]
    pub include: Vec<String>,
    /// Do not check URLs matching this regex (repeatable); reported as
    /// excluded. .linkrotignore adds one a line.
    #[arg(long, value_name = "REGEX", value_parser = parse::regex)]
    pub exclude: Vec<String>,
    /// Rewrite URLs before checking them: 'REGEX REPLACEMENT' (repeatable;
    /// the first match wins; $1 names a group), e.g.
    /// '^https://example\.com/(.*) http://127.0.0.1:8080/$1'.
    #[arg(long, value_name = "REGEX REPLACEMENT", value_parser = parse::remap)]
    pub remap: Vec<Remap>,
    /// Do not ask hosts for a made-up path to tell their "not found" pages
    /// (soft 404s, parked domains) from real ones.
    #[arg(long)]
    pub no_soft_404: bool,
    /// Do not look for the anchors of links with a #fragment.
    #[arg(long)]
    pub no_fragments: bool,
    /// A GitHub token, to ask the GitHub API whether a repository, issue or
    /// pull request exists when github.com answers 429 or 404 (env:
    /// GITHUB_TOKEN; never shown).
    #[arg(long, value_name = "TOKEN")]
    pub github_token: Option<String>,
    /// The GitHub REST API [default: https://api.github.com]
    #[arg(long, value_name = "URL", value_parser = parse::address)]
    pub github_api_url: Option<String>,
    /// A host whose links the GitHub API answers for, in place of
    /// github.com and www.github.com (a GitHub Enterprise server, with
    /// --github-api-url https://HOST/api/v3); repeatable
    #[arg(long, value_name = "HOST", value_parser = parse::host)]
    pub github_host: Vec<String>,
    #[command(flatten)]
    pub crawl: CrawlArgs,
    #[command(flatten)]
    pub net: NetArgs,
}

/// How web pages given as inputs are read.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Crawling (inputs that are web pages)")]
pub struct CrawlArgs {
    /// Follow links within the site of each web page given, reading every
    /// page found (and the site's sitemaps) as an issue.
    #[arg(long)]
    pub crawl: bool,
    /// Links followed from a start page, at most (default: no limit).
    #[arg(long, value_name = "N", value_parser = parse::count)]
    pub depth: Option<usize>,
    /// Pages requested, at most [default: 10000]
    #[arg(long, value_name = "N", value_parser = parse::count)]
    pub max_pages: Option<usize>,
    /// Only read pages whose URL matches this regex (repeatable).
    #[arg(long, value_name = "REGEX", value_parser = parse::regex)]
    pub crawl_include: Vec<String>,
    /// Do not read pages whose URL matches this regex (repeatable).
    #[arg(long, value_name = "REGEX", value_parser = parse::regex)]
    pub crawl_exclude: Vec<String>,
    /// Seconds between two requests to the site (robots.txt Crawl-delay wins if longer) [default: 0]
    #[arg(long, value_name = "SECS", value_parser = parse::secs)]
    pub crawl_delay: Option<f64>,
    /// Pages requested at once (halved whenever the site answers 429 or 503) [default: 4]
    #[arg(long, value_name = "N", value_parser = parse::count)]
    pub crawl_concurrency: Option<usize>,
    /// Crawl pages robots.txt disallows (for a site you run).
    #[arg(long)]
    pub ignore_robots: bool,
    /// Do not read the site's sitemaps.
    #[arg(long)]
    pub no_sitemap: bool,
}
