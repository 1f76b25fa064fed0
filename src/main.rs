//! The `linkrot` binary: parse flags, build the runtime, call the library,
//! map the outcome to an exit code. Nothing else lives here.

mod cli;
mod progress;

use anyhow::Context;
use clap::Parser;
use cli::{Cli, Command, LinksFormat, ReportFormat};
use linkrot::report::{self, TerminalOptions};
use linkrot::RunError;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

/// Exit codes, documented in the README.
const OK: u8 = 0;
const RUNTIME_FAILURE: u8 = 1;
const BROKEN_LINKS: u8 = 2;
const USAGE: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE } else { OK });
        }
    };
    let result = match &cli.command {
        Command::Check(args) => check(args),
        Command::Links(args) => links(args),
        Command::History(args) => history(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("linkrot: {e:#}");
            let usage = e.downcast_ref::<RunError>().is_some_and(|r| {
                matches!(
                    r,
                    RunError::Client(_) | RunError::Pattern(_) | RunError::Glob(_)
                )
            });
            ExitCode::from(if usage { USAGE } else { RUNTIME_FAILURE })
        }
    }
}

fn check(args: &cli::CheckArgs) -> anyhow::Result<u8> {
    let config = args.config();
    let bar = Arc::new(progress::Bar::new(args.quiet));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let outcome = runtime.block_on(linkrot::run::check(
        &config,
        bar.clone(),
        Arc::new(linkrot::SystemClock),
    ));
    bar.finish();
    let outcome = outcome?;
    let report = &outcome.report;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write the report to {}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    let opts = TerminalOptions {
        show_redirects: args.show_redirects,
    };
    match args.format {
        ReportFormat::Terminal => report::write_terminal(report, opts, &mut out)?,
        ReportFormat::Json => {
            report::write_json(report, &mut out)?;
            if args.output.is_some() && !args.quiet {
                report::write_terminal(report, opts, std::io::stderr().lock())?;
            }
        }
    }
    out.flush()?;
    Ok(if report.unread_inputs() > 0 {
        RUNTIME_FAILURE
    } else if report.fails(args.fail_on.into()) {
        BROKEN_LINKS
    } else {
        OK
    })
}

fn links(args: &cli::LinksArgs) -> anyhow::Result<u8> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut json = Vec::new();
    let mut io_err = None;
    let problems = linkrot::run::for_each_document(
        &args.sources(),
        &progress::Bar::new(true),
        |doc, links| {
            for link in &links {
                match args.format {
                    LinksFormat::Text => {
                        if let Err(e) = report::write_link_line(&doc.path, link, &mut out) {
                            io_err.get_or_insert(e);
                        }
                    }
                    LinksFormat::Json => json.push(serde_json::json!({
                        "path": doc.path,
                        "line": link.line,
                        "column": link.column,
                        "url": link.url,
                        "text": link.text,
                        "kind": link.kind,
                        "issue_date": doc.date.map(|d| d.to_string()),
                        "issue_title": doc.title,
                    })),
                }
            }
        },
    )
    .map_err(RunError::from)?;
    if let Some(e) = io_err {
        return Err(e).context("cannot write to stdout");
    }
    if args.format == LinksFormat::Json {
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    }
    out.flush()?;
    let unread = problems
        .iter()
        .filter(|p| p.severity == linkrot::source::Severity::Error)
        .count();
    Ok(if unread > 0 { RUNTIME_FAILURE } else { OK })
}

fn history(args: &cli::HistoryArgs) -> anyhow::Result<u8> {
    let store = linkrot::store::Store::open(&args.db)?;
    let (checks, cited) = store.timeline(&args.url)?;
    if checks.is_empty() && cited.is_empty() {
        eprintln!(
            "linkrot: {} is not in {}; run `linkrot check` first",
            args.url,
            args.db.display()
        );
        return Ok(RUNTIME_FAILURE);
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        LinksFormat::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({"url": args.url, "checks": checks, "cited": cited}),
            )?;
            writeln!(out)?;
        }
        LinksFormat::Text => report::write_timeline(&args.url, &checks, &cited, &mut out)?,
    }
    Ok(OK)
}
