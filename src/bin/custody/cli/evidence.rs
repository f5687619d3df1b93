//! The audit and evidence: verify, checkpoint, prove, receipt, export, backup, restore.

use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The genesis hash you trust (init prints it on the line for auditors, and in --json);
    /// without it the genesis is not checked.
    /// Repeatable: with several bundles, each ledger's genesis must be one of them.
    #[arg(long, value_name = "GENESIS_HASH")]
    pub trust: Vec<String>,
    /// A checkpoint you hold (a signed note): the ledger must contain exactly that tree, and may
    /// only have grown since. Repeatable.
    #[arg(long = "checkpoint", value_name = "FILE")]
    pub checkpoints: Vec<PathBuf>,
    /// An inclusion proof (`custody prove`): its entry must be in the ledger. Repeatable.
    #[arg(long = "proof", value_name = "FILE")]
    pub proofs: Vec<PathBuf>,
    /// Audit an export or backup file (custody export) instead of a ledger directory: it needs
    /// nothing else. Repeatable: many counties' exports in one run, in parallel, with one
    /// combined report and one exit code.
    #[arg(long, value_name = "FILE")]
    pub bundle: Vec<PathBuf>,
    /// A line copied from the paper register, "SIZE CODE" (as record, receipt, init and
    /// checkpoint print it): checks only that the ledger's first SIZE entries are exactly the
    /// ones the register saw (exit 0, or 1 when they are not).
    #[arg(long, value_name = "SIZE CODE")]
    pub register: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the report as one self-contained HTML page here, with every bag's timeline
    /// (refuses to overwrite). The exit status is the audit's.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckpointArgs {
    /// An admin's .key file; give twice (two different admins).
    #[arg(long = "sign", value_name = "KEYFILE")]
    pub keys: Vec<PathBuf>,
    /// Passphrase files, in the same order as --sign.
    #[arg(long = "pass-file", value_name = "FILE")]
    pub pass_files: Vec<PathBuf>,
    /// Also write the signed checkpoint here (refuses to overwrite).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ProveArgs {
    /// The entry's sequence number.
    pub seq: u64,
    /// Where to write the proof (refuses to overwrite).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct ReceiptArgs {
    /// The entry's sequence number.
    pub seq: u64,
    /// Write the receipt as a one-page A4 HTML document here instead of printing it (refuses
    /// to overwrite).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Where to write the export (refuses to overwrite).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Where to write the backup (refuses to overwrite).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Read the backup's passphrase from this file instead of asking twice on the terminal.
    #[arg(long, value_name = "FILE")]
    pub pass_file: Option<PathBuf>,
    /// Key-derivation cost: `default`, or `low-cost` for tests and demos only.
    #[arg(
        long,
        env = "CUSTODY_KDF",
        default_value = "default",
        hide_env_values = true
    )]
    pub kdf: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file (made by `custody backup`).
    pub file: PathBuf,
    /// A checkpoint you hold (a signed note): the restored ledger must contain that tree.
    /// Repeatable.
    #[arg(long = "checkpoint", value_name = "FILE")]
    pub checkpoints: Vec<PathBuf>,
    /// Read the backup's passphrase from this file instead of the terminal.
    #[arg(long, value_name = "FILE")]
    pub pass_file: Option<PathBuf>,
    /// The genesis hash you trust (init prints it on the line for auditors, and in --json).
    #[arg(long, value_name = "GENESIS_HASH")]
    pub trust: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
