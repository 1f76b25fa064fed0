//! Command-line flags, and their translation into the library's [`Config`]
//! (flags and environment are read here and nowhere else).

use clap::{Args, Parser, Subcommand, ValueEnum};
use linkrot::archive::ArchiveConfig;
use linkrot::crawl::CrawlConfig;
use linkrot::extract::Format;
use linkrot::history::{parse_duration, MaxAge, Policy};
use linkrot::net::{NetConfig, ProxyConfig, RetryPolicy};
use linkrot::report::FailOn;
use linkrot::source::SourceConfig;
use linkrot::{CheckConfig, Config, HistoryConfig};

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

/// Link health checker and archiver for a newsletter's archive of issues.
#[derive(Debug, Parser)]
#[command(version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
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
}

#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    /// Look up replacements for the failing links of the latest run.
    Lookup(ArchiveLookupArgs),
    /// Submit live links to Save Page Now (keys: LINKROT_SPN_ACCESS_KEY, LINKROT_SPN_SECRET_KEY).
    Save(ArchiveSaveArgs),
}

#[derive(Debug, Args)]
pub struct DbArg {
    /// SQLite database holding runs, checks and history.
    #[arg(long, value_name = "PATH", default_value = linkrot::DEFAULT_DB, env = "LINKROT_DB")]
    pub db: PathBuf,
}

/// Network settings for commands that talk to archives only.
#[derive(Debug, Args)]
pub struct NetArgs {
    /// Whole-request timeout, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = NetConfig::default().timeout.as_secs_f64())]
    pub timeout: f64,
    /// Connect (and TLS handshake) timeout, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = NetConfig::default().connect_timeout.as_secs_f64())]
    pub connect_timeout: f64,
    /// How long an idle connection is kept for its host's next request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = NetConfig::default().keep_alive.as_secs_f64())]
    pub keep_alive: f64,
    /// Longest Retry-After honoured, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = RetryPolicy::default().max_retry_after.as_secs_f64())]
    pub max_retry_after: f64,
    /// User-Agent header.
    #[arg(long, value_name = "UA", default_value = linkrot::net::DEFAULT_USER_AGENT)]
    pub user_agent: String,
    /// Proxy for every URL (overrides http_proxy / https_proxy).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Hosts reached without the proxy (overrides no_proxy).
    #[arg(long, value_name = "LIST")]
    pub no_proxy: Option<String>,
    /// Extra CA certificate file (PEM) to trust (repeatable); SSL_CERT_FILE is added too.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Vec<PathBuf>,
    /// Also check links to private, loopback and link-local addresses
    /// (refused by default: a link checker must not be a way into your network).
    #[arg(long, env = "LINKROT_ALLOW_PRIVATE", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_private: bool,
    /// Use this address for this name, as curl does: HOST:PORT:ADDR (repeatable; trusted).
    #[arg(long, value_name = "HOST:PORT:ADDR", value_parser = parse_resolve)]
    pub resolve: Vec<(String, std::net::SocketAddr)>,
}

impl NetArgs {
    /// The network settings: these flags over the environment over the defaults.
    pub fn net_config(&self) -> NetConfig {
        NetConfig {
            timeout: secs(self.timeout),
            connect_timeout: secs(self.connect_timeout),
            keep_alive: secs(self.keep_alive),
            user_agent: self.user_agent.clone(),
            proxy: proxy_config(self.proxy.clone(), self.no_proxy.clone()),
            ca_files: ca_files(&self.ca_cert),
            allow_private: self.allow_private,
            resolve: self.resolve.clone(),
            retry: RetryPolicy {
                max_retry_after: secs(self.max_retry_after),
                ..RetryPolicy::default()
            },
            ..NetConfig::default()
        }
    }
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

#[derive(Debug, Args)]
pub struct ArchiveSaveArgs {
    /// Issues or drafts whose live links to save; none: every live link of the latest run.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Only links with no capture on record.
    #[arg(long)]
    pub never_archived: bool,
    /// Submissions a minute.
    #[arg(long, value_name = "N", default_value_t = ArchiveConfig::default().save_per_minute)]
    pub per_minute: u32,
    /// Submissions a day.
    #[arg(long, value_name = "N", default_value_t = ArchiveConfig::default().save_per_day)]
    pub per_day: u32,
    /// Skip URLs archived more recently than this (SPN2 if_not_archived_within).
    #[arg(long, value_name = "AGE", default_value = "30d")]
    pub if_not_archived_within: String,
    /// How often pending jobs are polled, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = ArchiveConfig::default().poll_interval.as_secs_f64())]
    pub poll_interval: f64,
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
    /// Which redirects to follow into the source.
    #[arg(long, value_enum, default_value = "permanent")]
    pub redirects: RedirectsArg,
    /// Which failing links to replace with their archived copy.
    #[arg(long, value_enum, default_value = "dead")]
    pub replace: ReplaceArg,
    /// Also remove tracking parameters (utm_*, fbclid, gclid, mc_eid ...) from links.
    #[arg(long)]
    pub strip_tracking: bool,
}

impl FixArgs {
    pub fn sources(&self) -> SourceConfig {
        self.input.sources()
    }
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub base: BaseUrlArg,
}

impl IndexArgs {
    pub fn config(&self) -> Config {
        Config {
            sources: self.base.sources(self.input.sources()),
            lint: linkrot::lint::LintLevel::None,
            check: CheckConfig::default(),
            net: NetConfig::default(),
            db_path: self.db.db.clone(),
            history: HistoryConfig::default(),
            archive: None,
            crawl: CrawlConfig::default(),
        }
    }
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The URL, as written in the issues.
    pub url: String,
    /// SQLite database holding runs, checks and history.
    #[arg(long, value_name = "PATH", default_value = linkrot::DEFAULT_DB, env = "LINKROT_DB")]
    pub db: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LinksFormat,
}

/// Where the archives are and how hard to use them.
#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// Fetch each capture before offering it (must answer 200 with Memento-Datetime).
    #[arg(long)]
    pub archive_verify: bool,
    /// Requests a minute to each archive endpoint (defaults: the published
    /// limits, e.g. CDX 60); raise it for a local archive.
    #[arg(long, value_name = "N")]
    pub archive_rate: Option<u32>,
    /// Look a URL up again only after this long.
    #[arg(long, value_name = "AGE", default_value = "30d", value_parser = parse_duration)]
    pub archive_relookup: i64,
    /// A Memento TimeGate to try after the Wayback Machine (repeatable), as a
    /// prefix the URL is appended to, e.g. https://archive.ph/timegate/
    #[arg(long, value_name = "URL")]
    pub timegate: Vec<String>,
    /// Wayback availability API.
    #[arg(long, value_name = "URL", default_value_t = ArchiveConfig::default().availability_url)]
    pub availability_url: String,
    /// Wayback CDX API.
    #[arg(long, value_name = "URL", default_value_t = ArchiveConfig::default().cdx_url)]
    pub cdx_url: String,
    /// Prefix of Wayback replay URLs.
    #[arg(long, value_name = "URL", default_value_t = ArchiveConfig::default().replay_url)]
    pub replay_url: String,
    /// Save Page Now endpoint.
    #[arg(long, value_name = "URL", default_value_t = ArchiveConfig::default().save_url)]
    pub save_url: String,
    /// Save Page Now job status prefix.
    #[arg(long, value_name = "URL", default_value_t = ArchiveConfig::default().save_status_url)]
    pub save_status_url: String,
}

impl ArchiveArgs {
    pub fn config(&self, max_retry_after: Duration) -> ArchiveConfig {
        let base = ArchiveConfig {
            availability_url: self.availability_url.clone(),
            cdx_url: self.cdx_url.clone(),
            replay_url: self.replay_url.clone(),
            save_url: self.save_url.clone(),
            save_status_url: self.save_status_url.clone(),
            timegates: self.timegate.clone(),
            verify: self.archive_verify,
            relookup_after_secs: self.archive_relookup,
            max_retry_after,
            ..ArchiveConfig::default()
        };
        match self.archive_rate {
            Some(rate) => base.with_rate(rate),
            None => base,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// Any failing link (broken, timeout, error), and any lint error.
    Broken,
    /// Only links confirmed dead by their history.
    Dead,
    /// Only links that became failing since their previous check (for nightly CI).
    New,
    /// Never fail on links.
    None,
}

impl From<FailOnArg> for FailOn {
    fn from(a: FailOnArg) -> FailOn {
        match a {
            FailOnArg::Broken => FailOn::Broken,
            FailOnArg::Dead => FailOn::Dead,
            FailOnArg::New => FailOn::New,
            FailOnArg::None => FailOn::None,
        }
    }
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files and directories to read (.md, .markdown, .html, .htm, .txt, .eml, .mbox,
    /// .textile, .rst, .adoc, .asciidoc);
    /// `-` reads stdin; `check` also reads web pages (http:// or https://, see --crawl).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Skip paths matching this glob (repeatable), e.g. 'drafts/**'.
    #[arg(long, value_name = "GLOB")]
    pub exclude_path: Vec<String>,
    /// Format of stdin.
    #[arg(long, value_name = "FORMAT", default_value = "markdown", value_parser = parse_format)]
    pub stdin_format: Format,
}

impl InputArgs {
    fn sources(&self) -> SourceConfig {
        SourceConfig {
            inputs: self.paths.clone(),
            exclude_paths: self.exclude_path.clone(),
            stdin_format: self.stdin_format,
            base_url: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Compiler-style lines for failing links, then a summary.
    Terminal,
    /// The JSON report (see the README).
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
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<time::Date>,
    /// Only links on this host (and its subdomains).
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Also list redirected links in the terminal report.
    #[arg(long)]
    pub show_redirects: bool,
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

/// The site the issues are published on.
#[derive(Debug, Args)]
pub struct BaseUrlArg {
    /// The site the issues are published on (https://newsletter.example/):
    /// relative links are resolved against it (and `check` checks them so).
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<url::Url>,
}

impl BaseUrlArg {
    fn sources(&self, sources: SourceConfig) -> SourceConfig {
        SourceConfig {
            base_url: self.base_url.clone(),
            ..sources
        }
    }
}

#[derive(Debug, Args)]
pub struct LinksArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LinksFormat,
    /// Which lint findings to print after the links: none, errors (placeholder,
    /// empty-link, malformed-url) or all (notes too: duplicate, tracking ...).
    #[arg(long, value_enum, default_value = "all")]
    pub lint: LintArg,
    /// Exit with code 2 on a lint error (broken), or never (none).
    #[arg(long, value_enum, default_value = "broken")]
    pub fail_on: LinksFailOnArg,
    #[command(flatten)]
    pub base: BaseUrlArg,
}

impl LinksArgs {
    pub fn sources(&self) -> SourceConfig {
        self.base.sources(self.input.sources())
    }
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
    #[command(flatten)]
    pub input: InputArgs,
    /// SQLite database holding runs, checks and history.
    #[arg(long, value_name = "PATH", default_value = linkrot::DEFAULT_DB, env = "LINKROT_DB")]
    pub db: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: ReportFormat,
    /// Write the report here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also list redirected links in the terminal report.
    #[arg(long)]
    pub show_redirects: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// What makes the run exit with code 2: broken also fails on a lint error.
    #[arg(long, value_enum, default_value = "broken")]
    pub fail_on: FailOnArg,
    /// Which lint findings to make: none, errors (placeholder, empty-link,
    /// malformed-url) or all (notes too: duplicate, seen-before, tracking, insecure).
    #[arg(long, value_enum, default_value = "all")]
    pub lint: LintArg,
    #[command(flatten)]
    pub base: BaseUrlArg,
    /// Look up an archived replacement for each failing link (closest to
    /// the date of the issue that cites it).
    #[arg(long)]
    pub archive: bool,
    #[command(flatten)]
    pub archive_args: ArchiveArgs,

    /// Reuse any result younger than this instead of asking again (e.g. 0, 30m, 12h, 7d);
    /// overrides both --max-age-ok and --max-age-failing.
    #[arg(long, value_name = "AGE", value_parser = parse_duration)]
    pub max_age: Option<i64>,
    /// How long an ok or redirected result is reused.
    #[arg(long, value_name = "AGE", default_value = "7d", value_parser = parse_duration)]
    pub max_age_ok: i64,
    /// How long a failing result is reused.
    #[arg(long, value_name = "AGE", default_value = "1d", value_parser = parse_duration)]
    pub max_age_failing: i64,
    /// Request at most this many URLs, stalest first; the others keep their last result.
    #[arg(long, value_name = "N")]
    pub max_requests: Option<usize>,
    /// Consecutive failures that confirm a link dead...
    #[arg(long, value_name = "N", default_value_t = Policy::default().dead_after_failures)]
    pub dead_after_failures: u32,
    /// ...spanning at least this long.
    #[arg(long, value_name = "AGE", default_value = "3d", value_parser = parse_duration)]
    pub dead_after: i64,
    /// The same for hard failures only (404, 410, unknown host): lower to confirm them faster.
    #[arg(long, value_name = "N", default_value_t = Policy::default().hard_dead_after_failures)]
    pub hard_dead_after_failures: u32,
    /// ...spanning at least this long.
    #[arg(long, value_name = "AGE", default_value = "3d", value_parser = parse_duration)]
    pub hard_dead_after: i64,

    /// Requests in flight at once, over all hosts.
    #[arg(long, value_name = "N", default_value_t = CheckConfig::default().max_concurrency)]
    pub max_concurrency: usize,
    /// Requests in flight at once to one host (the adaptive limit never exceeds it).
    #[arg(long, value_name = "N", default_value_t = CheckConfig::default().max_per_host)]
    pub max_per_host: usize,
    /// Extra tries for transient failures (resets, 429, 502, 503, 504).
    #[arg(long, value_name = "N", default_value_t = RetryPolicy::default().retries)]
    pub retries: u32,
    /// Extra tries after a timeout.
    #[arg(long, value_name = "N", default_value_t = RetryPolicy::default().timeout_retries)]
    pub timeout_retries: u32,
    /// Redirect hops followed before giving up.
    #[arg(long, value_name = "N", default_value_t = CheckConfig::default().max_redirects)]
    pub max_redirects: usize,
    /// Statuses that count as alive: codes and ranges, e.g. '200..=299,403'.
    #[arg(long, value_name = "LIST", default_value = "200..=299", value_parser = parse_accept)]
    pub accept: Vec<RangeInclusive<u16>>,
    /// Only check URLs matching this regex (repeatable).
    #[arg(long, value_name = "REGEX")]
    pub include: Vec<String>,
    /// Do not check URLs matching this regex (repeatable); reported as excluded.
    #[arg(long, value_name = "REGEX")]
    pub exclude: Vec<String>,
    /// Do not ask hosts for a made-up path to tell their "not found" pages
    /// (soft 404s, parked domains) from real ones.
    #[arg(long)]
    pub no_soft_404: bool,
    /// Do not look for the anchors of links with a #fragment.
    #[arg(long)]
    pub no_fragments: bool,
    #[command(flatten)]
    pub crawl: CrawlArgs,
    #[command(flatten)]
    pub net: NetArgs,
}

/// How web pages given as inputs are read.
#[derive(Debug, Args)]
#[command(next_help_heading = "Crawling (inputs that are web pages)")]
pub struct CrawlArgs {
    /// Follow links within the site of each web page given, reading every
    /// page found (and the site's sitemaps) as an issue.
    #[arg(long)]
    pub crawl: bool,
    /// Links followed from a start page, at most (default: no limit).
    #[arg(long, value_name = "N", requires = "crawl")]
    pub depth: Option<usize>,
    /// Pages requested, at most.
    #[arg(long, value_name = "N", default_value_t = CrawlConfig::default().max_pages)]
    pub max_pages: usize,
    /// Only read pages whose URL matches this regex (repeatable).
    #[arg(long, value_name = "REGEX")]
    pub crawl_include: Vec<String>,
    /// Do not read pages whose URL matches this regex (repeatable).
    #[arg(long, value_name = "REGEX")]
    pub crawl_exclude: Vec<String>,
    /// Seconds between two requests to the site (robots.txt Crawl-delay wins if longer).
    #[arg(long, value_name = "SECS", default_value_t = 0.0)]
    pub crawl_delay: f64,
    /// Pages requested at once (halved whenever the site answers 429 or 503).
    #[arg(long, value_name = "N", default_value_t = CrawlConfig::default().concurrency)]
    pub crawl_concurrency: usize,
    /// Crawl pages robots.txt disallows (for a site you run).
    #[arg(long)]
    pub ignore_robots: bool,
    /// Do not read the site's sitemaps.
    #[arg(long)]
    pub no_sitemap: bool,
}

impl CrawlArgs {
    fn config(&self) -> CrawlConfig {
        CrawlConfig {
            follow: self.crawl,
            max_depth: self.depth,
            max_pages: self.max_pages,
            include: self.crawl_include.clone(),
            exclude: self.crawl_exclude.clone(),
            delay: secs(self.crawl_delay),
            concurrency: self.crawl_concurrency.max(1),
            robots: !self.ignore_robots,
            sitemaps: !self.no_sitemap,
            ..CrawlConfig::default()
        }
    }
}

fn parse_resolve(s: &str) -> Result<(String, std::net::SocketAddr), String> {
    let mut parts = s.splitn(3, ':');
    let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("'{s}' is not HOST:PORT:ADDR"));
    };
    let port: u16 = port
        .parse()
        .map_err(|_| format!("'{port}' is not a port"))?;
    let ip: std::net::IpAddr = addr
        .trim_matches(['[', ']'])
        .parse()
        .map_err(|_| format!("'{addr}' is not an IP address"))?;
    Ok((
        host.to_ascii_lowercase(),
        std::net::SocketAddr::new(ip, port),
    ))
}

fn parse_date(s: &str) -> Result<time::Date, String> {
    linkrot::source::frontmatter::leading_date(s)
        .filter(|_| s.trim().len() == 10)
        .ok_or_else(|| format!("'{s}' is not a date; use YYYY-MM-DD"))
}

fn parse_base_url(s: &str) -> Result<url::Url, String> {
    linkrot::source::parse_base_url(s).map_err(|e| e.to_string())
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("unknown format '{s}'; expected markdown, html, text, email, mbox, textile, rst or asciidoc"))
}

fn parse_accept(s: &str) -> Result<RangeInclusive<u16>, String> {
    let s = s.trim();
    let code = |v: &str| {
        v.trim()
            .parse::<u16>()
            .map_err(|_| format!("'{v}' is not an HTTP status"))
    };
    match s.split_once("..") {
        Some((a, b)) => Ok(code(a)?..=code(b.trim_start_matches('='))?),
        None => {
            let c = code(s)?;
            Ok(c..=c)
        }
    }
}

fn env(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok())
        .filter(|v| !v.trim().is_empty())
}

fn secs(v: f64) -> Duration {
    Duration::try_from_secs_f64(v).unwrap_or(Duration::from_secs(1))
}

/// `--ca-cert` files, then `SSL_CERT_FILE`.
fn ca_files(flags: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = flags.to_vec();
    if let Some(f) = env(&["SSL_CERT_FILE"]) {
        files.push(PathBuf::from(f));
    }
    files
}

/// `--proxy`/`--no-proxy` over the standard environment variables.
fn proxy_config(proxy: Option<String>, no_proxy: Option<String>) -> ProxyConfig {
    ProxyConfig {
        http: proxy
            .clone()
            .or_else(|| env(&["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"])),
        https: proxy.or_else(|| env(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"])),
        no_proxy: no_proxy.or_else(|| env(&["no_proxy", "NO_PROXY"])),
    }
}

/// Save Page Now keys from the environment (never from flags, which show in `ps`).
pub fn spn_keys() -> Option<linkrot::archive::save::SpnKeys> {
    let access = env(&["LINKROT_SPN_ACCESS_KEY"])?;
    let secret = env(&["LINKROT_SPN_SECRET_KEY"])?;
    Some(linkrot::archive::save::SpnKeys::new(access, secret))
}

impl CheckArgs {
    /// The run's configuration: these flags over the environment over the defaults.
    pub fn config(&self) -> Config {
        let mut net = self.net.net_config();
        net.retry.retries = self.retries;
        net.retry.timeout_retries = self.timeout_retries;
        net.max_idle_per_host = self.max_per_host.max(1);
        let max_age = MaxAge {
            alive_secs: self.max_age.unwrap_or(self.max_age_ok),
            failing_secs: self.max_age.unwrap_or(self.max_age_failing),
        };
        Config {
            sources: self.base.sources(self.input.sources()),
            lint: self.lint.into(),
            db_path: self.db.clone(),
            history: HistoryConfig {
                policy: Policy {
                    dead_after_failures: self.dead_after_failures,
                    dead_after_secs: self.dead_after,
                    hard_dead_after_failures: self.hard_dead_after_failures,
                    hard_dead_after_secs: self.hard_dead_after,
                    ..Policy::default()
                },
                max_age,
                max_requests: self.max_requests,
            },
            archive: self
                .archive
                .then(|| self.archive_args.config(net.retry.max_retry_after)),
            crawl: CrawlConfig {
                max_redirects: self.max_redirects,
                ..self.crawl.config()
            },
            check: CheckConfig {
                max_concurrency: self.max_concurrency.max(1),
                max_per_host: self.max_per_host.max(1),
                initial_per_host: CheckConfig::default()
                    .initial_per_host
                    .min(self.max_per_host.max(1)),
                max_redirects: self.max_redirects,
                accept: self.accept.clone(),
                include: self.include.clone(),
                exclude: self.exclude.clone(),
                soft_404: !self.no_soft_404,
                fragments: !self.no_fragments,
                ..CheckConfig::default()
            },
            net,
        }
    }
}
