//! The command line, defined once: help text, man page and completions come from here.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "custody",
    version,
    about = "Chain-of-custody ledger for sealed exam papers: every handover co-signed by two people",
    after_help = "Example:\n  custody --ledger ./ledger verify --trust 3f1a…(genesis hash printed by init)"
)]
pub struct Cli {
    /// The ledger directory.
    #[arg(long, global = true, env = "CUSTODY_LEDGER", default_value = "ledger")]
    pub ledger: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a personal, passphrase-protected signing key (ID.key) and its public half (ID.pub).
    #[command(after_help = "Example:\n  custody keygen --id wang.li --name 王丽 --out keys/")]
    Keygen(KeygenArgs),
    /// Create a ledger: the genesis event, co-signed by all founding admins.
    #[command(
        after_help = "Example:\n  custody init --exam \"2026 学考\" --founder a.pub --founder b.pub --founder c.pub \\\n      --sign a.key --sign b.key --sign c.key"
    )]
    Init(InitArgs),
    /// Enrol a keyholder (co-signed by two admins).
    #[command(
        after_help = "Example:\n  custody enroll --pub zhao.pub --role custodian --sign admin1.key --sign admin2.key"
    )]
    Enroll(EnrollArgs),
    /// Revoke a keyholder's key (co-signed by two admins); it is refused from this entry on.
    #[command(
        after_help = "Example:\n  custody revoke --id zhao --reason \"key file lost\" --sign admin1.key --sign admin2.key"
    )]
    Revoke(RevokeArgs),
    /// List the entries of the ledger.
    #[command(after_help = "Example:\n  custody log --json")]
    Log(ReadArgs),
    /// Show one entry in full.
    #[command(after_help = "Example:\n  custody show 3")]
    Show(ShowArgs),
    /// Audit the ledger from its journal alone; exit 1 if anything is wrong.
    #[command(after_help = "Example:\n  custody verify --trust <genesis hash printed by init>")]
    Verify(VerifyArgs),
    /// Rebuild the index from the journal.
    #[command(after_help = "Example:\n  custody reindex")]
    Reindex,
}

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Keyholder id: 1 to 32 of a-z 0-9 . _ -
    #[arg(long)]
    pub id: String,
    /// Display name, e.g. 王丽.
    #[arg(long)]
    pub name: String,
    /// Directory to write ID.key and ID.pub into.
    #[arg(long)]
    pub out: PathBuf,
    /// Read the passphrase from this file instead of the terminal.
    #[arg(long)]
    pub pass_file: Option<PathBuf>,
    /// Key-derivation cost: `default`, or `low-cost` for tests and demos only.
    #[arg(
        long,
        env = "CUSTODY_KDF",
        default_value = "default",
        hide_env_values = true
    )]
    pub kdf: String,
}

/// Co-signers: each `--sign` key, with its passphrase from the `--pass-file` in the same place.
#[derive(Args, Debug)]
pub struct SignArgs {
    /// A co-signer's .key file; give once per co-signer.
    #[arg(long = "sign", value_name = "KEYFILE")]
    pub keys: Vec<PathBuf>,
    /// Passphrase files, in the same order as --sign (otherwise asked on the terminal).
    #[arg(long = "pass-file", value_name = "FILE")]
    pub pass_files: Vec<PathBuf>,
    /// When the event happened (RFC 3339; without an offset, the exam's zone). Default: now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Print the receipt as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Name of the exam, e.g. "2026 年普通高中学业水平合格性考试".
    #[arg(long)]
    pub exam: String,
    /// IANA time zone of the exam.
    #[arg(long, default_value = "Asia/Shanghai")]
    pub tz: String,
    /// A founding admin's .pub file; give two or more (three recommended).
    #[arg(long = "founder", value_name = "PUBFILE", required = true)]
    pub founders: Vec<PathBuf>,
    /// Each founder's staff or ID number, in --founder order (asked if absent).
    #[arg(long = "founder-person", value_name = "NUMBER")]
    pub founder_persons: Vec<String>,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Args, Debug)]
pub struct EnrollArgs {
    /// The new keyholder's .pub file.
    #[arg(long = "pub", value_name = "PUBFILE")]
    pub public: PathBuf,
    /// Staff or ID number (asked if absent, to keep it out of shell history).
    #[arg(long)]
    pub person: Option<String>,
    /// A role: admin, custodian, supervisor, escort, police, chief_examiner, invigilator.
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,
    /// Start of the key's validity (RFC 3339).
    #[arg(long)]
    pub valid_from: Option<String>,
    /// End of the key's validity (RFC 3339).
    #[arg(long)]
    pub valid_until: Option<String>,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Args, Debug)]
pub struct RevokeArgs {
    /// The keyholder to revoke.
    #[arg(long)]
    pub id: String,
    /// Why, in a few words.
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Args, Debug)]
pub struct ReadArgs {
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

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The genesis hash you trust (printed by init); without it the genesis is not checked.
    #[arg(long, value_name = "GENESIS_HASH")]
    pub trust: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}
