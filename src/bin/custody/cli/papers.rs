//! The papers themselves: voiding a paper version, postponing a session, the printer's list.

use super::*;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct VoidArgs {
    /// The session whose question papers are voided (its spare papers are opened instead).
    #[arg(long)]
    pub session: String,
    /// Why, e.g. the leak that was found.
    #[arg(long, value_parser = nonblank)]
    pub note: String,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Args, Debug)]
pub struct PostponeArgs {
    /// The session postponed.
    #[arg(long)]
    pub session: String,
    /// The new start (RFC 3339; without an offset, the exam's zone).
    #[arg(long)]
    pub start: String,
    /// The new end.
    #[arg(long)]
    pub end: String,
    /// Why.
    #[arg(long, value_parser = nonblank)]
    pub note: String,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Subcommand, Debug)]
pub enum ManifestCmd {
    /// Import the printer's list (CSV: bag_id, seal, count, session, site, room), co-signed by a
    /// custodian and a supervisor; collections are then checked against it.
    #[command(
        after_help = "Example:\n  custody manifest import printer-list.csv --sign cust1.key --sign sup1.key"
    )]
    Import(ManifestImportArgs),
}

#[derive(Args, Debug)]
pub struct ManifestImportArgs {
    /// The printer's list, UTF-8 CSV with a header row.
    pub file: PathBuf,
    #[command(flatten)]
    pub sign: SignArgs,
}
