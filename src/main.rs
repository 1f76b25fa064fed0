//! The `linkrot` binary: parse flags, build the runtime, call the library,
//! map the outcome to an exit code. Nothing else lives here.

mod cli;
mod limits;
mod progress;

use anyhow::Context;
use clap::Parser;
use cli::{ArchiveCommand, Cli, Command, Flags, GlobalArgs, LinksFormat, ReportFormat};
use linkrot::report::{self, RenderOptions, TerminalOptions};
use linkrot::RunError;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

/// Exit codes, documented in the README (`links` exits with BROKEN_LINKS
/// on a lint error).
const OK: u8 = 0;
const RUNTIME_FAILURE: u8 = 1;
const BROKEN_LINKS: u8 = 2;
const USAGE: u8 = 3;

fn main() -> ExitCode {
    limits::prepare();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE } else { OK });
        }
    };
    cli::init_logs(cli.global.verbose);
    let g = &cli.global;
    let result = match &cli.command {
        Command::Check(args) => check(g, args),
        Command::Links(args) => links(g, args),
        Command::History(args) => history(g, args),
        Command::Index(args) => index(g, args),
        Command::Report(args) => stored_report(g, args),
        Command::Archive(cmd) => match cmd.as_ref() {
            ArchiveCommand::Lookup(args) => archive_lookup(g, args),
            ArchiveCommand::Save(args) => archive_save(g, args),
        },
        Command::Fix(args) => fix(g, args),
        Command::Config(args) => config(g, args),
        Command::Completions(args) => completions(args.shell),
        Command::Man => man(),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            // The reader went away (`linkrot report | head`): nothing to say.
            ExitCode::from(OK)
        }
        Err(e) => {
            eprintln!("linkrot: {e:#}");
            let usage = e.downcast_ref::<RunError>().is_some_and(RunError::is_usage)
                || e.downcast_ref::<cli::ConfigError>().is_some();
            ExitCode::from(if usage { USAGE } else { RUNTIME_FAILURE })
        }
    }
}

fn check(g: &GlobalArgs, args: &cli::CheckArgs) -> anyhow::Result<u8> {
    let s = cli::settings(
        g,
        Flags {
            check: Some(&args.settings),
            ..Flags::default()
        },
    )?;
    let config = s.config(&args.paths);
    if config.net.insecure {
        eprintln!("linkrot: --insecure: TLS certificates are not verified; an invalid one is not reported");
    }
    // Logs and a progress bar on one terminal do not mix.
    let bar = Arc::new(progress::Bar::new(args.quiet || g.verbose > 0));
    let outcome = runtime()?.block_on(linkrot::run::check(
        &config,
        bar.clone(),
        Arc::new(linkrot::SystemClock),
    ));
    bar.finish();
    let report = &seen_here(outcome?.report);
    let opts = RenderOptions {
        show_redirects: s.show_redirects,
        max_items: s.max_items,
        full_report: args.full_report.clone(),
    };
    emit(report, args.format, args.output.as_deref(), &opts)?;
    if args.output.is_some() && args.format != ReportFormat::Terminal && !args.quiet {
        let terminal = TerminalOptions {
            show_redirects: s.show_redirects,
        };
        report::write_terminal(report, terminal, std::io::stderr().lock())?;
    }
    Ok(if report.unread_inputs() > 0 {
        RUNTIME_FAILURE
    } else if report.fails(s.fail_on.into()) {
        BROKEN_LINKS
    } else {
        OK
    })
}

fn links(g: &GlobalArgs, args: &cli::LinksArgs) -> anyhow::Result<u8> {
    let s = cli::settings(
        g,
        Flags {
            source: Some(&args.input.source),
            links: Some(args),
            ..Flags::default()
        },
    )?;
    let format = match args.format {
        LinksFormat::Text => report::ListingFormat::Text,
        LinksFormat::Json => report::ListingFormat::Json,
    };
    let mut listing =
        report::LinkListing::new(format, std::io::BufWriter::new(std::io::stdout().lock()));
    let mut io_err = None;
    let problems = linkrot::run::lint::links(
        &s.config(&args.input.paths).sources,
        s.lint.into(),
        &linkrot::run::lint::FsContext,
        &progress::Bar::new(true),
        |doc, links, findings| {
            if let Err(e) = listing.issue(doc, links, &findings) {
                io_err.get_or_insert(e);
            }
        },
    )
    .map_err(RunError::from)?;
    if let Some(e) = io_err {
        return Err(e).context("cannot write to stdout");
    }
    let counts = listing.finish().context("cannot write to stdout")?;
    if s.lint != cli::LintArg::None && args.format == LinksFormat::Text {
        report::write_lint_summary(counts, std::io::stderr().lock())?;
    }
    let unread = problems
        .iter()
        .filter(|p| p.severity == linkrot::source::Severity::Error)
        .count();
    Ok(if unread > 0 {
        RUNTIME_FAILURE
    } else if counts.errors > 0 && s.links_fail_on == cli::LinksFailOnArg::Broken {
        BROKEN_LINKS
    } else {
        OK
    })
}

/// `report` as read from the current folder: its paths are shown from here.
fn seen_here(report: linkrot::Report) -> linkrot::Report {
    match std::env::current_dir() {
        Ok(cwd) => report.with_cwd(&cwd),
        Err(_) => report,
    }
}

/// Writes `report` in `format` to `output` (or stdout).
fn emit(
    report: &linkrot::Report,
    format: ReportFormat,
    output: Option<&std::path::Path>,
    opts: &RenderOptions,
) -> anyhow::Result<()> {
    let to: Box<dyn Write> = match output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write the report to {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    // The buffer outside the box: a format's many small writes are not
    // each a call through it.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, to);
    report::render(report, format.into(), opts, &mut out)?;
    out.flush()?;
    tracing::debug!(?format, "rendered");
    Ok(())
}

fn stored_report(g: &GlobalArgs, args: &cli::ReportArgs) -> anyhow::Result<u8> {
    let s = cli::settings(
        g,
        Flags {
            db: Some(&args.db),
            show_redirects: args.show_redirects,
            max_items: args.max_items,
            ..Flags::default()
        },
    )?;
    let Some(report) = linkrot::run::stored_report(&s.db, args.run)? else {
        eprintln!(
            "linkrot: no such run in {}; run `linkrot check` first",
            s.db.display()
        );
        return Ok(RUNTIME_FAILURE);
    };
    let report_run = report.run.id;
    let filter = report::Filter {
        status: args.status.clone(),
        issue: args.issue.clone(),
        since: args.since,
        host: args.host.clone(),
        lint: args.lint.into(),
    };
    let opts = RenderOptions {
        show_redirects: s.show_redirects,
        max_items: s.max_items,
        full_report: args.full_report.clone(),
    };
    emit(
        &seen_here(
            report.filtered(&filter).with_context(|| {
                format!("cannot read run {} from {}", report_run, s.db.display())
            })?,
        ),
        args.format,
        args.output.as_deref(),
        &opts,
    )?;
    Ok(OK)
}

fn index(g: &GlobalArgs, args: &cli::IndexArgs) -> anyhow::Result<u8> {
    let settings = cli::settings(
        g,
        Flags {
            db: Some(&args.db),
            source: Some(&args.input.source),
            ..Flags::default()
        },
    )?;
    let mut config = settings.config(&args.input.paths);
    // Indexing stores links; lint is `check`'s and `links`' to do.
    config.lint = linkrot::lint::LintLevel::None;
    let s = linkrot::run::index(&config, &progress::Bar::new(true), &linkrot::SystemClock)?;
    println!(
        "{} links in {} issues stored in {} (run {})",
        s.links,
        s.issues,
        config.db_path.display(),
        s.run_id
    );
    Ok(if s.unread > 0 { RUNTIME_FAILURE } else { OK })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn archive_lookup(g: &GlobalArgs, args: &cli::ArchiveLookupArgs) -> anyhow::Result<u8> {
    let s = cli::settings(
        g,
        Flags {
            db: Some(&args.db),
            net: Some(&args.net),
            archive: Some(&args.archive),
            ..Flags::default()
        },
    )?;
    let bar = Arc::new(progress::Bar::new(g.verbose > 0));
    let found = runtime()?.block_on(linkrot::run::archive::lookup(
        &s.db,
        &s.net,
        &s.archive,
        bar.clone(),
        Arc::new(linkrot::SystemClock),
    ));
    bar.finish();
    let Some(report) = found? else {
        eprintln!(
            "linkrot: {} holds no run yet; run `linkrot check` first",
            s.db.display()
        );
        return Ok(RUNTIME_FAILURE);
    };
    emit(
        &seen_here(report),
        args.format,
        None,
        &RenderOptions::default(),
    )?;
    Ok(OK)
}

fn archive_save(g: &GlobalArgs, args: &cli::ArchiveSaveArgs) -> anyhow::Result<u8> {
    let s = cli::settings(
        g,
        Flags {
            db: Some(&args.db),
            net: Some(&args.net),
            archive: Some(&args.archive),
            save: Some(&args.save),
            ..Flags::default()
        },
    )?;
    let Some(keys) = cli::spn_keys() else {
        eprintln!(
            "linkrot: Save Page Now needs keys: set LINKROT_SPN_ACCESS_KEY and LINKROT_SPN_SECRET_KEY \
             (your archive.org S3-like keys); they are read from the environment only"
        );
        return Ok(USAGE);
    };
    let bar = Arc::new(progress::Bar::new(args.quiet || g.verbose > 0));
    let scope = if args.paths.is_empty() {
        linkrot::run::archive::SaveScope::All
    } else {
        let mut urls = Vec::new();
        let sources = linkrot::source::SourceConfig {
            inputs: args.paths.clone(),
            ..s.sources.clone()
        };
        linkrot::run::for_each_document(&sources, bar.as_ref(), |_, links| {
            urls.extend(links.into_iter().map(|l| l.url))
        })
        .map_err(RunError::from)?;
        urls.sort();
        urls.dedup();
        linkrot::run::archive::SaveScope::Urls(urls)
    };
    let summary = runtime()?.block_on(linkrot::run::archive::save(
        &s.db,
        &s.net,
        &s.archive,
        &keys,
        scope,
        s.never_archived,
        bar.clone(),
        Arc::new(linkrot::SystemClock),
    ));
    bar.finish();
    let s = summary?;
    for (url, why) in &s.errors {
        println!("{url}: {why}");
    }
    println!(
        "{} saved, {} already archived, {} failed, {} to retry later, {} skipped",
        s.saved, s.already_archived, s.failed, s.later, s.skipped
    );
    Ok(if s.failed > 0 { RUNTIME_FAILURE } else { OK })
}

fn fix(g: &GlobalArgs, args: &cli::FixArgs) -> anyhow::Result<u8> {
    use linkrot::run::fix::{FixOptions, Redirects, Replace};
    let s = cli::settings(
        g,
        Flags {
            db: Some(&args.db),
            source: Some(&args.input.source),
            fix: Some(args),
            ..Flags::default()
        },
    )?;
    let opts = FixOptions {
        redirects: match s.redirects {
            cli::RedirectsArg::Permanent => Redirects::Permanent,
            cli::RedirectsArg::All => Redirects::All,
            cli::RedirectsArg::None => Redirects::None,
        },
        replace: match s.replace {
            cli::ReplaceArg::Dead => Replace::Dead,
            cli::ReplaceArg::Broken => Replace::Broken,
        },
        write: args.write,
        strip_tracking: s.strip_tracking,
    };
    let bar = progress::Bar::new(true);
    let sources = s.config(&args.input.paths).sources;
    let (fixes, problems) = linkrot::run::fix::fix(&s.db, &sources, opts, &bar)?;
    let mut out = std::io::stdout().lock();
    let mut changed = 0;
    for f in &fixes {
        if args.write {
            for (line, col, from, to, _) in &f.changes {
                writeln!(out, "{}:{line}:{col}: {from} -> {to}", f.path)?;
            }
        } else {
            out.write_all(f.diff.as_bytes())?;
        }
        changed += f.changes.len();
    }
    eprintln!(
        "{changed} links in {} files {}",
        fixes.len(),
        if args.write {
            "rewritten"
        } else {
            "would change (pass --write to apply)"
        }
    );
    let unread = problems
        .iter()
        .filter(|p| p.severity == linkrot::source::Severity::Error)
        .count();
    Ok(if unread > 0 { RUNTIME_FAILURE } else { OK })
}

fn history(g: &GlobalArgs, args: &cli::HistoryArgs) -> anyhow::Result<u8> {
    let s = cli::settings(
        g,
        Flags {
            db: Some(&args.db),
            ..Flags::default()
        },
    )?;
    let store = linkrot::store::Store::open(&s.db)?;
    let (checks, cited) = store.timeline(&args.url)?;
    if checks.is_empty() && cited.is_empty() {
        eprintln!(
            "linkrot: {} is not in {}; run `linkrot check` first",
            args.url,
            s.db.display()
        );
        return Ok(RUNTIME_FAILURE);
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        LinksFormat::Json => report::write_timeline_json(&args.url, &checks, &cited, &mut out)?,
        LinksFormat::Text => report::write_timeline(&args.url, &checks, &cited, &mut out)?,
    }
    Ok(OK)
}

/// `linkrot config`: every setting `check` would run with, and where each
/// came from.
fn config(g: &GlobalArgs, args: &cli::ConfigArgs) -> anyhow::Result<u8> {
    let s = cli::settings(
        g,
        Flags {
            check: Some(&args.settings),
            ..Flags::default()
        },
    )?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    cli::write_config(&s.shown, &s.files, &mut out)?;
    out.flush()?;
    Ok(OK)
}

/// `linkrot completions SHELL`: the script, from the same clap definition.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<u8> {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "linkrot", &mut std::io::stdout().lock());
    Ok(OK)
}

/// `linkrot man`: the man page, in roff, with the files and exit codes
/// clap does not know about.
fn man() -> anyhow::Result<u8> {
    use clap::CommandFactory;
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.write_all(
        br#".SH FILES
.TP
\fBlinkrot.toml\fR
Settings, read from the current directory (or \fB\-\-config\fR); keys are the long flag names.
.TP
\fB.linkrotignore\fR
One regex a line, next to the configuration: URLs to exclude.
.TP
\fBlinkrot.db\fR
The database (\fB\-\-db\fR, LINKROT_DB).
.SH "EXIT STATUS"
.TP
0
No failing link.
.TP
1
Runtime failure: the database, the network stack, an input that could not be read.
.TP
2
Failing links found (as \fB\-\-fail\-on\fR decides); for \fBlinks\fR, a lint error.
.TP
3
Usage or configuration error.
"#,
    )?;
    Ok(OK)
}
