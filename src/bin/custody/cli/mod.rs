//! The command line, defined once: help text, man page and completions come from here.

use clap::{Args, Parser, Subcommand};
use custody::i18n::{Lang, Msg};
use std::path::PathBuf;

mod cabinets;
mod events;
mod evidence;
mod papers;
mod posts;
mod roster;
mod views;

pub use cabinets::*;
pub use events::*;
pub use evidence::*;
pub use papers::*;
pub use posts::*;
pub use roster::*;
pub use views::*;

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| crate::lang().f(Msg::ArgBadLang, &[("value", &format!("{s:?}"))]))
}

/// A note must say something: a blank one would excuse a violation without a word.
fn nonblank(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err(crate::lang().t(Msg::ArgNoteEmpty).into())
    } else {
        Ok(s.to_string())
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "custody",
    version,
    about = "Chain-of-custody ledger for sealed exam papers: every handover co-signed by two people",
    after_help = "Example:\n  custody --ledger ./ledger verify --register \"1 K7Q2-9XWD-3MFA-PQ8R-T2ZB\"  # init's register line"
)]
pub struct Cli {
    /// The ledger directory.
    #[arg(long, global = true, env = "CUSTODY_LEDGER", default_value = "ledger")]
    pub ledger: PathBuf,
    /// The language of messages, summaries and tables: zh (中文) or en. Without it, LC_ALL,
    /// LC_MESSAGES or LANG decide (zh_* gives Chinese). --json output never changes.
    #[arg(long, global = true, value_name = "zh|en", value_parser = parse_lang)]
    pub lang: Option<Lang>,
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
    /// Schedule (or reschedule) an exam session (co-signed by two admins).
    #[command(
        after_help = "Example:\n  custody schedule --session yuwen --subject 语文 --start 2026-06-07T09:00 --end 2026-06-07T11:30 \\\n      --sign admin1.key --sign admin2.key"
    )]
    Schedule(ScheduleArgs),
    /// Show the policy in force, or change it (an admin-pair event that takes effect after a delay).
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// Record a co-signed custody event.
    #[command(
        after_help = "Example:\n  custody record arrive --site 第一中学 --bag QP-0001:S1001 --sign chief1.key --sign esc1.key"
    )]
    Record(RecordArgs),
    /// Prepare an event as a draft file, to be co-signed on other machines (custody cosign) and appended (custody submit).
    #[command(
        after_help = "Example:\n  custody draft open --site 第一中学 --room 第01考场 --bag QP-0001:S1001:30 --cosigner chief1 --cosigner inv1 --out open-01.draft"
    )]
    Draft(DraftArgs),
    /// List the entries of the ledger.
    #[command(after_help = "Example:\n  custody log --bag QP-0001 --since 2026-06-07T00:00")]
    Log(LogArgs),
    /// One bag's timeline: every event, place, time, signers, seal, incidents and corrections.
    #[command(after_help = "Example:\n  custody bag QP-0001")]
    Bag(BagArgs),
    /// Where every bag is now; with --session, the reconciliation sheet per site and room.
    #[command(after_help = "Example:\n  custody status --session yuwen --site 第一中学")]
    Status(StatusArgs),
    /// Show one entry in full.
    #[command(after_help = "Example:\n  custody show 3")]
    Show(ShowArgs),
    /// Audit the ledger from its journal alone; exit 1 if anything is wrong.
    #[command(
        after_help = "Example:\n  custody verify --register \"1 K7Q2-9XWD-3MFA-PQ8R-T2ZB\"\n  custody verify --trust <genesis hash>"
    )]
    Verify(VerifyArgs),
    /// Rebuild the index from the journal.
    #[command(after_help = "Example:\n  custody reindex")]
    Reindex,
    /// Add one co-signature to a draft, on any machine that has the roster file.
    #[command(
        after_help = "Example:\n  custody cosign dispatch-0612.draft --sign esc1.key --roster roster.json"
    )]
    Cosign(CosignArgs),
    /// Append a draft once all its named co-signers have signed.
    #[command(after_help = "Example:\n  custody submit dispatch-0612.draft")]
    Submit(SubmitArgs),
    /// The daily closing: two admins sign the tree head; prints its short form for the register.
    #[command(
        after_help = "Example:\n  custody checkpoint --sign admin1.key --sign admin2.key --out 2026-06-07.note"
    )]
    Checkpoint(CheckpointArgs),
    /// An inclusion proof of one entry (c2sp.org/tlog-proof), for the parties to a handover.
    #[command(after_help = "Example:\n  custody prove 42 --out entry-42.tlog-proof")]
    Prove(ProveArgs),
    /// A printable handover receipt (交接单) of one entry: text for a receipt printer, or a
    /// one-page A4 HTML document with a QR code and lines for handwritten signatures.
    #[command(
        after_help = "Example:\n  custody receipt 42\n  custody --lang zh receipt 42 --html receipt-42.html"
    )]
    Receipt(ReceiptArgs),
    /// The ledger key and every keyholder's key, with fingerprints.
    #[command(after_help = "Example:\n  custody keys --note-format")]
    Keys(KeysArgs),
    /// Print a shell completion script (bash, zsh or fish) generated from this command line.
    #[command(after_help = "Example:\n  custody completions bash > /etc/bash_completion.d/custody")]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), generated from this command line.
    #[command(after_help = "Example:\n  custody man > /usr/local/share/man/man1/custody.1")]
    Man,
    /// Show the roster, or export it with the policy for machines without the ledger.
    #[command(after_help = "Example:\n  custody roster --out roster.json")]
    Roster(RosterArgs),
    /// Write one self-contained file for auditors: the journal and its checkpoints, no secret.
    #[command(
        after_help = "Example:\n  custody export --out ledger-2026-06-07.custody\n  custody verify --bundle ledger-2026-06-07.custody --trust <genesis hash>"
    )]
    Export(ExportArgs),
    /// Write the export plus the ledger's two secrets, sealed under a passphrase.
    #[command(after_help = "Example:\n  custody backup --out /media/usb/ledger-backup.custody")]
    Backup(BackupArgs),
    /// Rebuild a working ledger from a backup, after auditing it against the checkpoints held.
    #[command(
        after_help = "Example:\n  custody restore /media/usb/ledger-backup.custody --ledger ./ledger --checkpoint register-0607.note"
    )]
    Restore(RestoreArgs),
    /// Record who serves where: a session's chief examiner and room invigilators, or who is on
    /// duty in the confidentiality room.
    #[command(subcommand)]
    Assign(AssignCmd),
    /// Give an existing keyholder another role (co-signed by two admins): same key, same person.
    #[command(
        after_help = "Example:\n  custody grant zhao --role invigilator --sign admin1.key --sign admin2.key"
    )]
    Grant(GrantArgs),
    /// 作废试卷: void a session's question papers after a leak; its spare papers are opened instead (two admins).
    #[command(
        after_help = "Example:\n  custody void --session yuwen --note \"paper leaked\" --sign admin1.key --sign admin2.key"
    )]
    Void(VoidArgs),
    /// 推迟场次: postpone a session after its papers were collected; the original schedule stays visible (two admins).
    #[command(
        after_help = "Example:\n  custody postpone --session yuwen --start 2026-06-09T09:00 --end 2026-06-09T11:30 --note \"typhoon\" \\\n      --sign admin1.key --sign admin2.key"
    )]
    Postpone(PostponeArgs),
    /// 印制清单: the printer's list that collections are checked against.
    #[command(subcommand)]
    Manifest(ManifestCmd),
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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
pub struct ReadArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Print TOML, the format `policy set` reads.
    #[arg(long)]
    pub toml: bool,
}
