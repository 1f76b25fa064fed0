//! The progress bar: an [`Observer`] drawing on stderr, hidden when stderr
//! is not a terminal or `CI` is set.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use linkrot::source::Problem;
use linkrot::{CheckResult, Observer};
use std::io::IsTerminal;

pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new(quiet: bool) -> Self {
        let visible = !quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let bar = ProgressBar::with_draw_target(
            None,
            if visible {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {pos}/{len} {per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_message("reading issues");
        Bar { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Bar {
    fn problem(&self, p: &Problem) {
        let sev = match p.severity {
            linkrot::source::Severity::Error => "error",
            linkrot::source::Severity::Warning => "warning",
        };
        self.bar
            .suspend(|| eprintln!("{}: {sev}: {}", p.path, p.message));
    }
    fn extracted(&self, issues: usize, links: usize) {
        self.bar
            .set_message(format!("{links} links in {issues} issues; checking"));
    }
    fn crawling(&self, done: usize, queued: usize) {
        self.bar
            .set_message(format!("crawling: {done} pages read, {queued} queued"));
        self.bar.tick();
    }
    fn checking(&self, urls: usize) {
        self.bar.set_length(urls as u64);
    }
    fn checked(&self, _url: &str, _result: &CheckResult) {
        self.bar.inc(1);
    }
    fn archiving(&self, lookups: usize) {
        self.bar.set_message("looking up archived copies");
        self.bar.set_position(0);
        self.bar.set_length(lookups as u64);
    }
    fn archived(&self, _url: &str) {
        self.bar.inc(1);
    }
}
