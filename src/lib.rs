//! linkrot: a link health checker and archiver for a newsletter's archive.
//!
//! Data flows one way through the stages, one module each, and the
//! database is the bus between them:
//!
//! ```text
//! source -> extract --+                      +--> archive --+
//! crawl --------------+--> store (SQLite) ---+--> check ----+--> store --> report / fix
//!                          issues, occurrences    verdicts       checks, captures
//! ```
//!
//! Every request (checks, crawl, archives) goes through one door, [`net`]:
//! the address guard, bounded bodies, one retry policy. [`history`] judges
//! a URL by its checks over time (alive, failing, dead, flaky, recovered)
//! and decides which results are fresh enough to reuse.
//!
//! [`lint`] judges each link by how it is written, with no network: a
//! placeholder left in, an empty or malformed destination (errors); the
//! same URL twice, one featured before, tracking parameters, an `http://`
//! link whose `https://` form works (notes).
//!
//! [`run`] wires the stages together; [`Config`] is every setting, built
//! once by the binary. A dead link is data ([`check::Status`]), never an
//! error; errors are for the run itself (unreadable database, bad
//! configuration).

pub mod archive;
pub mod check;
pub mod clock;
pub mod crawl;
pub mod extract;
pub mod fix;
pub mod history;
pub mod lint;
mod memory;
pub mod net;
pub mod report;
pub mod run;
pub mod secret;
pub mod source;
pub mod store;

pub use check::{CheckConfig, CheckResult, Status};
pub use clock::{Clock, SystemClock};
pub use net::NetConfig;
pub use report::Report;
pub use run::{Observer, RunError, RunOutcome};

use std::path::PathBuf;

/// Every setting of a run. The binary builds it from flags, configuration
/// files and environment; the library never reads any of them.
#[derive(Debug, Clone)]
pub struct Config {
    /// What to read.
    pub sources: source::SourceConfig,
    /// How to read inputs that are web pages.
    pub crawl: crawl::CrawlConfig,
    /// How to check.
    pub check: CheckConfig,
    /// How requests reach the network.
    pub net: NetConfig,
    /// The SQLite database.
    pub db_path: PathBuf,
    /// History, freshness and budget.
    pub history: HistoryConfig,
    /// Look up archived replacements of failing links, with these settings.
    pub archive: Option<archive::ArchiveConfig>,
    /// Which lint findings `check` makes (`--lint`).
    pub lint: lint::LintLevel,
    /// The report holds the run's links in memory up to this many URLs,
    /// and walks them from the database beyond, once, then from a spool
    /// file beside it ([`report::HOLD_AT_MOST`]).
    pub report_hold_at_most: usize,
    /// Lint keeps the issues' links in memory up to this many, and reads
    /// the others back from the database ([`run::LINT_HOLDS_AT_MOST`]).
    pub lint_hold_at_most: usize,
}

/// How history is judged and used.
#[derive(Debug, Clone, Default)]
pub struct HistoryConfig {
    /// When failures confirm a link dead.
    pub policy: history::Policy,
    /// How long results are reused without a request.
    pub max_age: history::MaxAge,
    /// At most this many URLs are requested in a run, stalest first; the
    /// rest keep their last result.
    pub max_requests: Option<usize>,
}

/// The database used when none is given.
pub const DEFAULT_DB: &str = "linkrot.db";
