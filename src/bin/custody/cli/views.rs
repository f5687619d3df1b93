//! Reading the ledger: log, show, bag, status.

use clap::Args;

#[derive(Args, Debug)]
pub struct LogArgs {
    /// Only entries that name this bag.
    #[arg(long)]
    pub bag: Option<String>,
    /// Only entries of this kind (collect, open, enroll, ...).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only entries whose event time is at or after this time.
    #[arg(long)]
    pub since: Option<String>,
    /// Only entries whose event time is at or before this time.
    #[arg(long)]
    pub until: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BagArgs {
    /// The bag's barcode.
    pub id: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Only this session: the reconciliation sheet.
    #[arg(long)]
    pub session: Option<String>,
    /// Only this site.
    #[arg(long)]
    pub site: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The entry's sequence number.
    pub seq: u64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
