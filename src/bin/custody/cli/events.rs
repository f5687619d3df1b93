//! Custody events: record and draft (one subcommand per event), cosign and submit.

use super::*;
use clap::{Args, Subcommand};
use std::path::PathBuf;

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
        after_help = "Example:\n  custody record inspect --cabinet A1 --bag QP-0001:S1001 --bag QP-0002:S1002 --sign cust1.key --sign sup1.key"
    )]
    Inspect(InspectArgs),
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
    /// 重新加封: the exam board puts a new seal on a bag whose seal was found broken (admin + custodian).
    #[command(
        after_help = "Example:\n  custody record reseal --bag QP-0001 --old-seal S1001 --new-seal KB-0007 --note \"seal torn in storage; resealed with the county board's seal\" --sign admin1.key --sign cust1.key"
    )]
    Reseal(ResealArgs),
    /// 登记保密柜: a two-key cabinet and where it stands, the room or an exam site (two admins).
    #[command(
        after_help = "Example:\n  custody record cabinet --cabinet 一中-柜1 --site 第一中学 --sign admin1.key --sign admin2.key"
    )]
    Cabinet(CabinetRegArgs),
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
    /// A cabinet the incident happened to (a key lost, a lock forced or replaced): every bag
    /// inside is exposed until an inspection lists it; --bag may then be left out.
    #[arg(long)]
    pub cabinet: Option<String>,
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
pub struct SubmitArgs {
    /// The fully co-signed draft file.
    pub file: PathBuf,
    /// Print the receipt as JSON.
    #[arg(long)]
    pub json: bool,
}
