//! The command line: flags (`flags.rs`), configuration files (`file.rs`,
//! `.linkrotignore` too), the one merge that says where each setting comes
//! from (`layers.rs`, `hosts.rs`) and its translation into the library's
//! [`linkrot::Config`] (`settings.rs`). Flags, files and the environment
//! are read here and nowhere else; the library only sees the result.

mod file;
mod flags;
mod hosts;
mod layers;
mod network;
mod parse;
mod settings;
#[cfg(test)]
mod tests;

pub use flags::*;
pub use layers::{write_config, ConfigError};
pub use settings::{Flags, Settings};

/// Every setting for a command given `flags`, from the configuration files
/// `global` names (or `./linkrot.toml`), the environment and the flags.
pub fn settings(global: &GlobalArgs, flags: Flags<'_>) -> Result<Settings, ConfigError> {
    settings::load(global, flags)
}

/// Save Page Now keys from the environment (never from flags, which show in `ps`).
pub fn spn_keys() -> Option<linkrot::archive::save::SpnKeys> {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
    let access = var("LINKROT_SPN_ACCESS_KEY")?;
    let secret = var("LINKROT_SPN_SECRET_KEY")?;
    Some(linkrot::archive::save::SpnKeys::new(access, secret))
}

/// Where logs go, from `-v` and `RUST_LOG`: stderr, never mixed with a
/// report on stdout. `RUST_LOG` (e.g. `linkrot=debug`) wins over `-v`.
pub fn init_logs(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let level = match verbose {
        0 => "warn",
        1 => "linkrot=info",
        2 => "linkrot=debug",
        _ => "trace",
    };
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => {
            EnvFilter::try_new(v).unwrap_or_else(|_| EnvFilter::new(level))
        }
        _ => EnvFilter::new(level),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
