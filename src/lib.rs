//! linkrot: a link health checker and archiver for a newsletter's archive.
//!
//! Data flows one way through the stages, one module each:
//!
//! ```text
//! source  ->  extract  ->  check  ->  store  ->  report
//! (files,     (links +     (HTTP,      (SQLite)   (terminal,
//!  dirs,       positions)   politeness)            JSON)
//!  stdin)
//! ```
//!
//! [`run`] wires them together; [`Config`] is every setting, built once by
//! the binary from flags and environment. A dead link is data
//! ([`check::Status`]), never an error; errors are for the run itself
//! (unreadable database, bad configuration).

pub mod check;
pub mod extract;
pub mod report;
pub mod run;
pub mod source;
pub mod store;

pub use check::{CheckConfig, CheckResult, Status};
pub use report::Report;
pub use run::{Observer, RunError, RunOutcome};

use std::path::PathBuf;

/// Every setting of a run. The binary builds it from flags and environment;
/// the library never reads either.
#[derive(Debug, Clone)]
pub struct Config {
    /// What to read.
    pub sources: source::SourceConfig,
    /// How to check.
    pub check: CheckConfig,
    /// The SQLite database.
    pub db_path: PathBuf,
}

/// The database used when none is given.
pub const DEFAULT_DB: &str = "linkrot.db";
