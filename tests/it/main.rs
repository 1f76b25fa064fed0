//! linkrot's integration tests: one binary, one module per stage, all
//! against servers on 127.0.0.1 (see `kit`).

mod archive;
mod browser;
mod check;
mod cli;
mod config;
mod crawl;
mod desk;
mod ecosystem;
mod email;
mod extract;
mod formats;
mod github;
mod history;
mod kit;
mod lint;
mod realweb;
mod safety;
mod scale;
