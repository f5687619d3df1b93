//! Keys, the ledger, its roster, policy and sessions: keygen, init, enroll, revoke, schedule,
//! policy, roster, keys.

use super::*;
use clap::{Args, Subcommand};
use std::path::PathBuf;

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
    /// Read the passphrase (with --token, the token's user PIN) from this file instead of the
    /// terminal.
    #[arg(long)]
    pub pass_file: Option<PathBuf>,
    /// Make the key on this PKCS#11 token (an RFC 7512 URI, e.g. pkcs11:token=zhang); ID.key
    /// then names the key on the token and holds no secret. The module comes from the URI's
    /// module-path, else CUSTODY_PKCS11_MODULE.
    #[arg(long, value_name = "URI")]
    pub token: Option<String>,
    /// Key-derivation cost: `default`, or `low-cost` for tests and demos only.
    #[arg(
        long,
        env = "CUSTODY_KDF",
        default_value = "default",
        hide_env_values = true
    )]
    pub kdf: String,
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
    /// Each founder's key kind, `file` or `token`, in --founder order (not declared if absent).
    #[arg(long = "founder-key-kind", value_name = "KIND")]
    pub founder_key_kinds: Vec<String>,
    /// The genesis policy, as a TOML file (see `custody policy show --toml`); default policy if
    /// absent.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
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
    /// How the key is held, `file` or `token`: signed into the enrolment, shown by roster, keys
    /// and the audit, and checked against the policy's tokens_required.
    #[arg(long, value_name = "KIND")]
    pub key_kind: Option<String>,
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
pub struct ScheduleArgs {
    /// Session id, e.g. yuwen-0607.
    #[arg(long)]
    pub session: String,
    /// Subject, e.g. 语文.
    #[arg(long)]
    pub subject: String,
    /// Start (RFC 3339; without an offset, the exam's zone).
    #[arg(long)]
    pub start: String,
    /// End.
    #[arg(long)]
    pub end: String,
    /// Why a late reschedule happened, if it breaks the policy's delay.
    #[arg(long, value_parser = nonblank)]
    pub incident: Option<String>,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Subcommand, Debug)]
pub enum PolicyCmd {
    /// Print the policy in force (and any change waiting for its delay).
    #[command(after_help = "Example:\n  custody policy show")]
    Show(ReadArgs),
    /// Change the policy from a TOML file (two admins); it takes effect after the current policy's delay.
    #[command(
        after_help = "Example:\n  custody policy show --toml > policy.toml   # edit, then:\n  custody policy set --file policy.toml --sign admin1.key --sign admin2.key"
    )]
    Set(PolicySetArgs),
}

#[derive(Args, Debug)]
pub struct PolicySetArgs {
    /// The new policy, as TOML.
    #[arg(long)]
    pub file: PathBuf,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Args, Debug)]
pub struct RosterArgs {
    /// Write the public roster and the policy to this file (refuses to overwrite).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct KeysArgs {
    /// Print signed-note verifier keys (name+hash+key), one per line, for other tools.
    #[arg(long)]
    pub note_format: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
