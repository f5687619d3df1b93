//! Cabinets: a whole-cabinet inspection, a cabinet's registration, a reseal.

use super::*;
use clap::Args;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The cabinet inspected: the inspection must list every bag the ledger places in it.
    /// Without it, the inspection is a spot check of the bags it lists.
    #[arg(long)]
    pub cabinet: Option<String>,
    #[command(flatten)]
    pub common: EventCommon,
}

#[derive(Args, Debug)]
pub struct CabinetRegArgs {
    /// The cabinet's name, as `store --cabinet` will give it.
    #[arg(long)]
    pub cabinet: String,
    /// The exam site it stands at; without it, the cabinet is in the confidentiality room.
    #[arg(long)]
    pub site: Option<String>,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Args, Debug)]
pub struct ResealArgs {
    /// The bag's barcode.
    #[arg(long)]
    pub bag: String,
    /// The seal on the bag as you find it.
    #[arg(long)]
    pub old_seal: String,
    /// The exam board's new seal.
    #[arg(long)]
    pub new_seal: String,
    /// Why the bag is resealed, and by whose seal.
    #[arg(long, value_parser = nonblank)]
    pub note: String,
    /// Record a violation that really happened (e.g. a reseal outside the room) with this note.
    #[arg(long, value_name = "TEXT", value_parser = nonblank)]
    pub incident: Option<String>,
    #[command(flatten)]
    pub sign: SignArgs,
}
