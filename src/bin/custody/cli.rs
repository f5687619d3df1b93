//! The command line, defined once: help text, man page and completions come from here.

use clap::{Args, Parser, Subcommand};
use custody::i18n::Lang;
use std::path::PathBuf;

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("{s:?}: give zh or en"))
}

/// A note must say something: a blank one would excuse a violation without a word.
fn nonblank(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("the note is empty: say what happened".into())
    } else {
        Ok(s.to_string())
    }
}

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
    #[command(after_help = "Example:\n  custody verify --trust <genesis hash printed by init>")]
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
}

#[derive(Args, Debug)]
pub struct CosignArgs {
    /// The draft file; it is rewritten with the new signature.
    pub file: PathBuf,
    /// The co-signer's .key file.
    #[arg(long = "sign", value_name = "KEYFILE")]
    pub key: PathBuf,
    /// Read the passphrase from this file instead of the terminal.
    #[arg(long)]
    pub pass_file: Option<PathBuf>,
    /// The roster file exported with `custody roster --out` (names, roles, keys).
    #[arg(long)]
    pub roster: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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
pub struct KeysArgs {
    /// Print signed-note verifier keys (name+hash+key), one per line, for other tools.
    #[arg(long)]
    pub note_format: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SubmitArgs {
    /// The fully co-signed draft file.
    pub file: PathBuf,
    /// Print the receipt as JSON.
    #[arg(long)]
    pub json: bool,
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
pub struct ReadArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Print TOML, the format `policy set` reads.
    #[arg(long)]
    pub toml: bool,
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
pub struct RecordArgs {
    #[command(subcommand)]
    pub event: EventCmd,
}

#[derive(Args, Debug)]
pub struct DraftArgs {
    /// Where to write the draft (refuses to overwrite).
    #[arg(long, global = true)]
    pub out: Option<PathBuf>,
    /// A keyholder id who must co-sign; give once per co-signer.
    #[arg(long = "cosigner", value_name = "ID", global = true)]
    pub cosigners: Vec<String>,
    #[command(subcommand)]
    pub event: EventCmd,
}

/// The bags of an event: `--bag`, a manifest, or a barcode scanner on standard input.
#[derive(Args, Debug, Default)]
pub struct BagInput {
    /// A bag as BARCODE[:SEAL[:COUNT]]; repeat for each bag.
    #[arg(long = "bag", value_name = "ID[:SEAL[:COUNT]]")]
    pub bags: Vec<String>,
    /// A CSV manifest with a header row: bag_id, and any of seal, count, kind, session, site, room.
    #[arg(long, value_name = "FILE.csv")]
    pub manifest: Option<PathBuf>,
    /// Read bags from standard input (`-`), one per line as `ID [SEAL [COUNT]]`: scan the bag, then its seal.
    #[arg(long, value_name = "-")]
    pub bags_from: Option<String>,
}

/// What every custody event takes.
#[derive(Args, Debug)]
pub struct EventCommon {
    #[command(flatten)]
    pub bags: BagInput,
    /// Record a violation that really happened (a broken seal, an early opening): the event is
    /// accepted with this note and the audit always reports it.
    #[arg(long, value_name = "TEXT", value_parser = nonblank)]
    pub incident: Option<String>,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Subcommand, Debug)]
pub enum EventCmd {
    /// 领取: bags enter the county's custody from upstream (custodian + supervisor).
    #[command(
        after_help = "Example:\n  custody record collect --manifest bags.csv --from 省教育考试院 --sign cust1.key --sign sup1.key\n  custody record collect --bag QP-0001:S1001:30 --kind question_papers --session yuwen --site 第一中学 --room 第01考场 ..."
    )]
    Collect(CollectArgs),
    /// 入库: bags go into a named cabinet (custodian + supervisor).
    #[command(
        after_help = "Example:\n  custody record store --cabinet A1 --bag QP-0001 --sign cust1.key --sign sup1.key"
    )]
    Store(CabinetArgs),
    /// 出库: bags come out of a cabinet (custodian + supervisor).
    #[command(
        after_help = "Example:\n  custody record withdraw --cabinet A1 --bag QP-0001 --sign cust1.key --sign sup1.key"
    )]
    Withdraw(CabinetArgs),
    /// 巡查: seals checked in place (custodian + supervisor).
    #[command(
        after_help = "Example:\n  custody record inspect --bag QP-0001:S1001 --sign cust1.key --sign sup1.key"
    )]
    Inspect(PlainArgs),
    /// 运送: bags leave with named escorts (custodian + escort from the room; chief_examiner + escort from a site).
    #[command(
        after_help = "Example:\n  custody record dispatch --to 第一中学 --escort esc1 --bag QP-0001 --sign cust1.key --sign esc1.key"
    )]
    Dispatch(DispatchArgs),
    /// 到达交接: bags received at a site, seals checked (chief_examiner + escort).
    #[command(
        after_help = "Example:\n  custody record arrive --site 第一中学 --bag QP-0001:S1001 --sign chief1.key --sign esc1.key"
    )]
    Arrive(ArriveArgs),
    /// 启封: bags opened in their room (chief_examiner + invigilator, or two invigilators).
    #[command(
        after_help = "Example:\n  custody record open --site 第一中学 --room 第01考场 --bag QP-0001:S1001:30 --sign chief1.key --sign inv1.key"
    )]
    Open(OpenArgs),
    /// 回收封装: answer sheets counted and sealed into a new bag (two invigilators).
    #[command(
        after_help = "Example:\n  custody record seal --bag AS-0001:S9001:30 --session yuwen --site 第一中学 --room 第01考场 --sign inv1.key --sign inv2.key"
    )]
    Seal(SealArgs),
    /// 返还: bags received back in the confidentiality room, seals checked (custodian + escort).
    #[command(
        after_help = "Example:\n  custody record return --bag AS-0001:S9001 --sign cust1.key --sign esc1.key"
    )]
    Return(PlainArgs),
    /// 移交: bags leave the ledger's custody, e.g. to the marking centre (admin + custodian).
    #[command(
        after_help = "Example:\n  custody record release --to 阅卷中心 --bag AS-0001 --sign admin1.key --sign cust1.key"
    )]
    Release(ReleaseArgs),
    /// 异常: a broken seal, a count mismatch, a lost or damaged bag, a spare used (any two keyholders).
    #[command(
        after_help = "Example:\n  custody record incident --kind broken_seal --bag QP-0001 --note \"seal torn on arrival\" --sign chief1.key --sign esc1.key"
    )]
    Incident(IncidentArgs),
    /// 更正: fixes a mistyped barcode, seal number or count of an earlier entry; both stay visible (custodian + supervisor).
    #[command(
        after_help = "Example:\n  custody record correct --entry 12 --bag QP-0001 --seal S1010 --note \"typed S1001\" --sign cust1.key --sign sup1.key"
    )]
    Correct(CorrectArgs),
    /// 押运交接: escorts change on the road; one handing over and one taking over co-sign (escort + escort).
    #[command(
        after_help = "Example:\n  custody record handover --from-escort esc1 --to-escort pol1 --bag QP-0001:S1001 --sign esc1.key --sign pol1.key"
    )]
    Handover(HandoverArgs),
}

#[derive(Args, Debug)]
pub struct CollectArgs {
    /// Who handed the bags over; by default the provincial examination authority, stored in
    /// the language of the command (省教育考试院 with --lang zh).
    #[arg(long)]
    pub from: Option<String>,
    /// Default kind for bags without one in the manifest: question_papers, blank_answer_sheets, spare_papers.
    #[arg(long)]
    pub kind: Option<String>,
    /// Default session for bags without one.
    #[arg(long)]
    pub session: Option<String>,
    /// Default destination site.
    #[arg(long)]
    pub site: Option<String>,
    /// Default destination room.
    #[arg(long)]
    pub room: Option<String>,
    #[command(flatten)]
    pub common: EventCommon,
}

#[derive(Args, Debug)]
pub struct CabinetArgs {
    /// The cabinet.
    #[arg(long)]
    pub cabinet: String,
    #[command(flatten)]
    pub common: EventCommon,
}

#[derive(Args, Debug)]
pub struct PlainArgs {
    #[command(flatten)]
    pub common: EventCommon,
}

#[derive(Args, Debug)]
pub struct DispatchArgs {
    /// Destination exam site.
    #[arg(long, conflicts_with = "to_room", required_unless_present = "to_room")]
    pub to: Option<String>,
    /// Back to the confidentiality room.
    #[arg(long)]
    pub to_room: bool,
    /// Keyholder id of an escort travelling with the bags; repeat for each.
    #[arg(long = "escort", value_name = "ID", required = true)]
    pub escorts: Vec<String>,
    #[command(flatten)]
    pub common: EventCommon,
}

#[derive(Args, Debug)]
pub struct ArriveArgs {
    /// The site the bags arrived at.
    #[arg(long)]
    pub site: String,
    #[command(flatten)]
    pub common: EventCommon,
}

#[derive(Args, Debug)]
pub struct OpenArgs {
    /// The site.
    #[arg(long)]
    pub site: String,
    /// The exam room.
    #[arg(long)]
    pub room: String,
    #[command(flatten)]
    pub common: EventCommon,
}

#[derive(Args, Debug)]
pub struct SealArgs {
    /// The session the answer sheets belong to.
    #[arg(long)]
    pub session: String,
    /// The site.
    #[arg(long)]
    pub site: String,
    /// The exam room.
    #[arg(long)]
    pub room: String,
    #[command(flatten)]
    pub common: EventCommon,
}

#[derive(Args, Debug)]
pub struct HandoverArgs {
    /// Keyholder id of an escort handing the bags over; repeat for each.
    #[arg(long = "from-escort", value_name = "ID", required = true)]
    pub from: Vec<String>,
    /// Keyholder id of an escort taking the bags over; repeat for each.
    #[arg(long = "to-escort", value_name = "ID", required = true)]
    pub to: Vec<String>,
    #[command(flatten)]
    pub common: EventCommon,
}

#[derive(Args, Debug)]
pub struct ReleaseArgs {
    /// Who receives the bags, e.g. 阅卷中心.
    #[arg(long)]
    pub to: String,
    #[command(flatten)]
    pub common: EventCommon,
}

#[derive(Args, Debug)]
pub struct IncidentArgs {
    /// broken_seal, count_mismatch, lost, damaged, spare_used or other.
    #[arg(long)]
    pub kind: String,
    /// What happened.
    #[arg(long)]
    pub note: String,
    #[command(flatten)]
    pub bags: BagInput,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Args, Debug)]
pub struct CorrectArgs {
    /// The entry that holds the mistake.
    #[arg(long = "entry", value_name = "SEQ")]
    pub entry: u64,
    /// The bag as that entry recorded it.
    #[arg(long)]
    pub bag: String,
    /// The right barcode.
    #[arg(long, group = "fix")]
    pub barcode: Option<String>,
    /// The right seal number.
    #[arg(long, group = "fix")]
    pub seal: Option<String>,
    /// The right paper count.
    #[arg(long, group = "fix")]
    pub count: Option<u32>,
    /// Why.
    #[arg(long)]
    pub note: String,
    #[command(flatten)]
    pub sign: SignArgs,
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

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The genesis hash you trust (printed by init); without it the genesis is not checked.
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
    /// The genesis hash you trust (printed by init).
    #[arg(long, value_name = "GENESIS_HASH")]
    pub trust: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
