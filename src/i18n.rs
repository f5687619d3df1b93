//! Messages in Simplified Chinese and English, in one catalogue.
//!
//! Every message is one entry of the `catalogue!` table below, which takes both texts or does not
//! compile, so no message can exist in one language only; a test checks that the Chinese text is
//! Chinese and that both texts take the same `{placeholders}`. Machine-readable output (`--json`,
//! finding codes, event and role names on the command line) never goes through this module.

use crate::bag::{BagKind, IncidentKind};
use crate::finding::{Category, Code, Severity};
use crate::policy::EventKind;
use crate::roster::Role;
use std::fmt::Display;

/// The language of everything a person reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// `zh` or `en`, also as a locale name (`zh_CN.UTF-8`, `en-GB`).
    pub fn parse(text: &str) -> Option<Lang> {
        let base = text
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match base.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language of the POSIX locale variables, in their order of precedence: the first
    /// non-empty of `LC_ALL`, `LC_MESSAGES` and `LANG`; `zh_*` gives Chinese, anything else
    /// (including `C` and nothing) English.
    pub fn from_locale(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .and_then(|v| (Lang::parse(v) == Some(Lang::Zh)).then_some(Lang::Zh))
            .unwrap_or(Lang::En)
    }

    /// `en` or `zh`, for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The text of `msg` in this language.
    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self)
    }

    /// The text of `msg` with each `{name}` replaced by its value.
    pub fn f(self, msg: Msg, args: &[(&str, &dyn Display)]) -> String {
        fill(msg.text(self), args)
    }

    pub fn event(self, kind: EventKind) -> &'static str {
        self.t(Msg::event(kind))
    }

    pub fn role(self, role: Role) -> &'static str {
        self.t(Msg::role(role))
    }

    pub fn bag_kind(self, kind: BagKind) -> &'static str {
        self.t(match kind {
            BagKind::QuestionPapers => Msg::KindQuestionPapers,
            BagKind::BlankAnswerSheets => Msg::KindBlankAnswerSheets,
            BagKind::SparePapers => Msg::KindSparePapers,
            BagKind::CompletedAnswerSheets => Msg::KindCompletedAnswerSheets,
        })
    }

    pub fn incident(self, kind: IncidentKind) -> &'static str {
        self.t(match kind {
            IncidentKind::BrokenSeal => Msg::IncidentBrokenSeal,
            IncidentKind::CountMismatch => Msg::IncidentCountMismatch,
            IncidentKind::Lost => Msg::IncidentLost,
            IncidentKind::Damaged => Msg::IncidentDamaged,
            IncidentKind::SpareUsed => Msg::IncidentSpareUsed,
            IncidentKind::Other => Msg::IncidentOther,
        })
    }

    pub fn severity(self, severity: Severity) -> &'static str {
        self.t(match severity {
            Severity::Critical => Msg::SeverityCritical,
            Severity::High => Msg::SeverityHigh,
            Severity::Medium => Msg::SeverityMedium,
            Severity::Low => Msg::SeverityLow,
        })
    }

    pub fn category(self, category: Category) -> &'static str {
        self.t(match category {
            Category::Integrity => Msg::CategoryIntegrity,
            Category::Authorization => Msg::CategoryAuthorization,
            Category::Event => Msg::CategoryEvent,
            Category::Custody => Msg::CategoryCustody,
            Category::Timing => Msg::CategoryTiming,
        })
    }

    /// What a finding code means, in a sentence.
    pub fn explain(self, code: Code) -> &'static str {
        self.t(Msg::explain(code))
    }
}

/// Replaces each `{name}` in `template` by its value; unknown names stay as they are.
fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) => match args.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => {
                    out.push_str(&value.to_string());
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            },
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

macro_rules! catalogue {
    ($($id:ident: $en:literal, $zh:literal;)*) => {
        /// A message of the catalogue; [`Msg::text`] gives it in either language.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($id,)* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$id,)*];

            pub fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::En => match self { $(Msg::$id => $en,)* },
                    Lang::Zh => match self { $(Msg::$id => $zh,)* },
                }
            }
        }
    };
}

impl Msg {
    pub fn event(kind: EventKind) -> Msg {
        match kind {
            EventKind::Genesis => Msg::EventGenesis,
            EventKind::Enroll => Msg::EventEnroll,
            EventKind::Revoke => Msg::EventRevoke,
            EventKind::Schedule => Msg::EventSchedule,
            EventKind::Policy => Msg::EventPolicy,
            EventKind::Collect => Msg::EventCollect,
            EventKind::Store => Msg::EventStore,
            EventKind::Withdraw => Msg::EventWithdraw,
            EventKind::Inspect => Msg::EventInspect,
            EventKind::Dispatch => Msg::EventDispatch,
            EventKind::Arrive => Msg::EventArrive,
            EventKind::Open => Msg::EventOpen,
            EventKind::Seal => Msg::EventSeal,
            EventKind::Return => Msg::EventReturn,
            EventKind::Release => Msg::EventRelease,
            EventKind::Incident => Msg::EventIncident,
            EventKind::Correct => Msg::EventCorrect,
        }
    }

    pub fn role(role: Role) -> Msg {
        match role {
            Role::Admin => Msg::RoleAdmin,
            Role::Custodian => Msg::RoleCustodian,
            Role::Supervisor => Msg::RoleSupervisor,
            Role::Escort => Msg::RoleEscort,
            Role::Police => Msg::RolePolice,
            Role::ChiefExaminer => Msg::RoleChiefExaminer,
            Role::Invigilator => Msg::RoleInvigilator,
        }
    }

    pub fn explain(code: Code) -> Msg {
        use Code::*;
        match code {
            JournalHeader => Msg::WhyJournalHeader,
            Framing => Msg::WhyFraming,
            Encoding => Msg::WhyEncoding,
            Sequence => Msg::WhySequence,
            Chain => Msg::WhyChain,
            ClockBackwards => Msg::WhyClockBackwards,
            LedgerId => Msg::WhyLedgerId,
            GenesisMissing => Msg::WhyGenesisMissing,
            GenesisMisplaced => Msg::WhyGenesisMisplaced,
            GenesisUntrusted => Msg::WhyGenesisUntrusted,
            CheckpointInvalid => Msg::WhyCheckpointInvalid,
            CheckpointUntrusted => Msg::WhyCheckpointUntrusted,
            Truncated => Msg::WhyTruncated,
            Forked => Msg::WhyForked,
            ProofInvalid => Msg::WhyProofInvalid,
            Signature => Msg::WhySignature,
            SignersMismatch => Msg::WhySignersMismatch,
            SignerTwice => Msg::WhySignerTwice,
            TooFewSigners => Msg::WhyTooFewSigners,
            SamePerson => Msg::WhySamePerson,
            SignerUnknown => Msg::WhySignerUnknown,
            SignerRevoked => Msg::WhySignerRevoked,
            SignerNotValid => Msg::WhySignerNotValid,
            RoleMissing => Msg::WhyRoleMissing,
            Replay => Msg::WhyReplay,
            HeadUnknown => Msg::WhyHeadUnknown,
            HeadTooOld => Msg::WhyHeadTooOld,
            FutureEvent => Msg::WhyFutureEvent,
            EnrollInvalid => Msg::WhyEnrollInvalid,
            IdInUse => Msg::WhyIdInUse,
            KeyInUse => Msg::WhyKeyInUse,
            PersonDuplicate => Msg::WhyPersonDuplicate,
            SelfEnroll => Msg::WhySelfEnroll,
            RoleSeparation => Msg::WhyRoleSeparation,
            RevokeUnknown => Msg::WhyRevokeUnknown,
            GenesisInvalid => Msg::WhyGenesisInvalid,
            EventInvalid => Msg::WhyEventInvalid,
            SessionUnknown => Msg::WhySessionUnknown,
            CorrectionInvalid => Msg::WhyCorrectionInvalid,
            BagNotCollected => Msg::WhyBagNotCollected,
            BagAlreadyCollected => Msg::WhyBagAlreadyCollected,
            WrongPlace => Msg::WhyWrongPlace,
            WrongDestination => Msg::WhyWrongDestination,
            SealMismatch => Msg::WhySealMismatch,
            CountMismatch => Msg::WhyCountMismatch,
            SheetsExceedPapers => Msg::WhySheetsExceedPapers,
            OpenTwice => Msg::WhyOpenTwice,
            OpenWrongRoom => Msg::WhyOpenWrongRoom,
            OpenNotAllowed => Msg::WhyOpenNotAllowed,
            SpareOpened => Msg::WhySpareOpened,
            AfterRelease => Msg::WhyAfterRelease,
            OpenEarly => Msg::WhyOpenEarly,
            OpenLate => Msg::WhyOpenLate,
            TransitTooLong => Msg::WhyTransitTooLong,
            HeldTooLong => Msg::WhyHeldTooLong,
            AnswerSheetsLate => Msg::WhyAnswerSheetsLate,
            RescheduleLate => Msg::WhyRescheduleLate,
            LateRecord => Msg::WhyLateRecord,
            StillInTransit => Msg::WhyStillInTransit,
            NotReturned => Msg::WhyNotReturned,
            SheetsNotBack => Msg::WhySheetsNotBack,
        }
    }
}

catalogue! {
    // Events, with the domain terms of the exam office.
    EventGenesis: "genesis", "创建台账";
    EventEnroll: "enroll", "登记持钥人";
    EventRevoke: "revoke", "吊销密钥";
    EventSchedule: "schedule", "排定场次";
    EventPolicy: "policy", "变更规则";
    EventCollect: "collect", "领取";
    EventStore: "store", "入库";
    EventWithdraw: "withdraw", "出库";
    EventInspect: "inspect", "巡查";
    EventDispatch: "dispatch", "运送";
    EventArrive: "arrive", "到达交接";
    EventOpen: "open", "启封";
    EventSeal: "seal", "回收封装";
    EventReturn: "return", "返还";
    EventRelease: "release", "移交";
    EventIncident: "incident", "异常";
    EventCorrect: "correct", "更正";

    RoleAdmin: "admin", "考试机构负责人";
    RoleCustodian: "custodian", "保管员";
    RoleSupervisor: "supervisor", "考务负责人";
    RoleEscort: "escort", "押运员";
    RolePolice: "police", "公安";
    RoleChiefExaminer: "chief examiner", "主考";
    RoleInvigilator: "invigilator", "监考员";

    KindQuestionPapers: "question papers", "试卷";
    KindBlankAnswerSheets: "blank answer sheets", "空白答题卡";
    KindSparePapers: "spare papers", "备用卷";
    KindCompletedAnswerSheets: "answer sheets", "答卷";

    IncidentBrokenSeal: "broken seal", "封条破损";
    IncidentCountMismatch: "count mismatch", "数量不符";
    IncidentLost: "lost", "丢失";
    IncidentDamaged: "damaged", "损坏";
    IncidentSpareUsed: "spare used", "启用备用卷";
    IncidentOther: "other", "其他";

    SeverityCritical: "critical", "严重";
    SeverityHigh: "high", "高";
    SeverityMedium: "medium", "中";
    SeverityLow: "low", "低";

    CategoryIntegrity: "Integrity", "完整性";
    CategoryAuthorization: "Authorization", "授权";
    CategoryEvent: "Events", "事件";
    CategoryCustody: "Custody", "保管";
    CategoryTiming: "Timing", "时限";

    // The HTML audit report and the handover receipt (交接单).
    ReceiptTitle: "Handover receipt", "交接单";
    ReceiptEvent: "Event", "事件";
    ReceiptEntry: "Entry", "条目";
    ReceiptEventTime: "Event time", "事件时间";
    ReceiptRecorded: "Recorded", "记录时间";
    ReceiptConfRoom: "the confidentiality room", "保密室";
    ReceiptZone: "Time zone", "时区";
    ReceiptKeyholder: "Keyholder", "持钥人";
    ReceiptRoles: "Roles", "角色";
    ReceiptReason: "Reason", "原因";
    ReceiptSession: "Session", "场次";
    ReceiptStart: "Start", "开始";
    ReceiptEnd: "End", "结束";
    ReceiptFrom: "From", "交出单位";
    ReceiptCabinet: "Cabinet", "保密柜";
    ReceiptTo: "To", "送往";
    ReceiptEscorts: "Escorts", "押运人员";
    ReceiptSite: "Site", "考点";
    ReceiptRoom: "Room", "考场";
    ReceiptIncident: "Incident", "异常情况";
    ReceiptNote: "Note", "情况说明";
    ReceiptCorrects: "Corrects", "更正内容";
    ReceiptCorrectsText: "entry {seq}, bag {bag}: {fix}", "第 {seq} 条，密封袋 {bag}：{fix}";
    ReceiptFixBarcode: "barcode {value}", "条码改为 {value}";
    ReceiptFixSeal: "seal {value}", "封条号改为 {value}";
    ReceiptFixCount: "count {value}", "份数改为 {value}";
    ReceiptBags: "Bags", "密封袋";
    ReceiptBagCount: "{n} bag(s): {ranges}", "共 {n} 袋：{ranges}";
    ReceiptSeal: "seal {seal}", "封条 {seal}";
    ReceiptPapers: "{count} papers", "{count} 份";
    ReceiptTotal: "Total: {papers} papers", "合计：{papers} 份";
    ReceiptMoreBags: "... and {n} more bags: custody show {seq} lists them all", "……另有 {n} 袋，custody show {seq} 可列出全部";
    ReceiptSigners: "Signed by", "签名人";
    ReceiptUnknownSigner: "not on the roster", "不在持钥人名册中";
    ReceiptEntryHash: "Entry hash", "条目哈希";
    ReceiptCheckpoint: "Checkpoint", "检查点";
    ReceiptTreeSize: "tree of {size} entries", "共 {size} 条的树";
    ReceiptNoCheckpoint: "no checkpoint covers this entry yet; the code names the tree that ends with it", "尚无覆盖本条目的检查点；二维码记录的是截至本条目的树";
    ReceiptQr: "Scan to check", "扫码核对";
    ReceiptSignHere: "Signature", "签字";
    ReceiptWitness: "Witness", "见证人";
    ReceiptTimes: "Times in {zone}.", "时间均为 {zone} 时区。";
    ReceiptProve: "Machine-checkable proof: custody prove {seq} --out entry-{seq}.tlog-proof", "机器可核验的证明：custody prove {seq} --out entry-{seq}.tlog-proof";
    ReceiptNoEntry: "no entry {seq}: the ledger has {entries} entries", "没有第 {seq} 条：台账共有 {entries} 条";
    ReceiptUndecodable: "entry {seq} does not decode; run custody verify", "第 {seq} 条无法解码；请运行 custody verify";
    ReceiptBadSignature: "the signature of {signer} on entry {seq} does not verify; run custody verify", "第 {seq} 条上 {signer} 的签名验证失败；请运行 custody verify";
    ReceiptCheckpointMismatch: "the journal does not match the ledger's own checkpoint of {size} entries; run custody verify", "日志与台账自身 {size} 条的检查点不符；请运行 custody verify";
    HtmlExists: "{path} already exists; refusing to overwrite it", "{path} 已存在，拒绝覆盖";
    HtmlWrote: "wrote {path} ({bytes} bytes)", "已写入 {path}（{bytes} 字节）";
    HtmlTitle: "Audit report", "审计报告";
    HtmlClean: "CLEAN: no findings", "通过：未发现问题";
    HtmlNotClean: "{n} finding(s)", "发现 {n} 个问题";
    HtmlLedger: "Ledger id", "台账编号";
    HtmlExamined: "Examined", "审计范围";
    HtmlExaminedText: "{entries} entries, {bags} bags", "{entries} 条记录，{bags} 个密封袋";
    HtmlRecorded: "Recorded", "记录时间";
    HtmlRecordedText: "{from} to {to}", "{from} 至 {to}";
    HtmlGenesis: "Genesis", "创建条目";
    HtmlTrusted: "matches the trusted hash", "与信任的哈希一致";
    HtmlUntrusted: "DOES NOT match the trusted hash", "与信任的哈希不一致";
    HtmlNotChecked: "not checked: give --trust GENESIS_HASH", "未核对：请用 --trust 给出创建条目哈希";
    HtmlTree: "Tree", "默克尔树";
    HtmlTreeText: "{size} entries, root {root}", "{size} 条，根哈希 {root}";
    HtmlEvidence: "Evidence", "证据";
    HtmlNoEvidence: "none: no checkpoint in the ledger, none given", "无：台账中没有检查点，也未提供";
    HtmlEvidenceOk: "consistent: the ledger holds this tree of {size} entries", "一致：台账包含这棵 {size} 条的树";
    HtmlEvidenceUnchecked: "not checked: the journal names no ledger", "未核对：日志未指明台账";
    HtmlNotice: "Notice", "提示";
    HtmlTimes: "Times", "时间";
    HtmlFindings: "Findings", "发现的问题";
    HtmlNoFindings: "No findings.", "未发现问题。";
    HtmlEntryLink: "entry {seq}", "第 {seq} 条";
    HtmlBagLink: "bag {bag}", "密封袋 {bag}";
    HtmlSignerLink: "signer {signer}", "签名人 {signer}";
    HtmlBags: "Bags by site, session and room", "密封袋（按考点、场次、考场）";
    HtmlNoBags: "The ledger has no bags.", "台账中没有密封袋。";
    HtmlLaneHint: "Each lane runs from a bag's first event to its last. Each dot is an event, coloured by who holds the bag after it; the number above it is the entry, the times below are the first and last event.", "每条时间线从密封袋的第一个事件到最后一个事件。每个圆点是一个事件，颜色表示事件之后由谁保管；上方数字为条目号，下方为首末事件时间。";
    HtmlHolderRoom: "{role}: in the confidentiality room or a cabinet", "{role}：在保密室或保密柜中";
    HtmlHolderTransit: "{role}: in transit", "{role}：运送途中";
    HtmlHolderSite: "{role}: received at the exam site", "{role}：已到达考点";
    HtmlHolderOpened: "{role}: opened in the exam room", "{role}：已在考场启封";
    HtmlHolderReleased: "released: out of the ledger's custody", "已移交：离开本台账保管";
    HtmlRingLegend: "red ring: a finding at that entry", "红圈：该条目有发现的问题";
    HtmlBagCount: "{n} bag(s)", "{n} 袋";
    HtmlEntries: "Entries", "条目";
    HtmlEntriesHint: "The entries the findings and the timelines point at.", "发现的问题和时间线所指向的条目。";
    HtmlEntryCount: "{n} entries", "{n} 条";
    HtmlUndecodable: "the record does not decode", "该记录无法解码";
    HtmlNoRecord: "no such entry in the journal", "日志中没有此条目";
    HtmlFooter: "This page is a reading aid. The audit is custody verify; the machine-checkable proof of an entry is custody prove.", "本页仅供阅读。审计以 custody verify 为准；条目的机器可核验证明由 custody prove 生成。";

    // What each finding code means.
    WhyJournalHeader: "the journal's header is not a custody journal header", "日志文件头不是本系统的日志文件头";
    WhyFraming: "a record's length framing is broken", "记录的长度分帧已损坏";
    WhyEncoding: "an entry is not in canonical encoding", "条目不是规范编码";
    WhySequence: "an entry's sequence number is out of order", "条目序号不连续";
    WhyChain: "an entry does not chain to the one before it", "条目未与上一条目正确链接";
    WhyClockBackwards: "an entry was recorded earlier than the one before it", "条目记录时间早于上一条目";
    WhyLedgerId: "an entry names another ledger", "条目属于另一本台账";
    WhyGenesisMissing: "the ledger does not begin with its genesis", "台账不是以创建条目开头";
    WhyGenesisMisplaced: "a genesis entry appears after the first entry", "创建条目出现在首条之后";
    WhyGenesisUntrusted: "the genesis is not the one the auditor trusts", "创建条目与审计人信任的不一致";
    WhyCheckpointInvalid: "a checkpoint's signature or form is invalid", "检查点签名或格式无效";
    WhyCheckpointUntrusted: "a checkpoint is not signed by the ledger key or two keyholders", "检查点未由台账密钥或两名持钥人签名";
    WhyTruncated: "the ledger is shorter than a checkpoint the auditor holds", "台账短于审计人持有的检查点";
    WhyForked: "the ledger contradicts a checkpoint the auditor holds", "台账与审计人持有的检查点矛盾";
    WhyProofInvalid: "an inclusion or consistency proof does not hold", "包含证明或一致性证明不成立";
    WhySignature: "a signature does not verify", "签名验证失败";
    WhySignersMismatch: "the signatures are not those of the named signers", "签名与列明的签名人不符";
    WhySignerTwice: "the same signer signed twice", "同一签名人签了两次";
    WhyTooFewSigners: "fewer than two people signed", "签名人少于两人";
    WhySamePerson: "two keys of one person signed", "同一人的两把密钥共同签名";
    WhySignerUnknown: "a signer is not on the roster", "签名人不在持钥人名册中";
    WhySignerRevoked: "a signer's key was revoked", "签名人的密钥已被吊销";
    WhySignerNotValid: "a signer's key was not valid at the event time", "签名人的密钥在事件时间不在有效期内";
    WhyRoleMissing: "no signer holds a role the policy requires", "签名人中缺少规则要求的角色";
    WhyReplay: "the same signed event was appended twice", "同一已签名事件被重复追加";
    WhyHeadUnknown: "signed against a ledger state this ledger never had", "签名所依据的台账状态并不存在";
    WhyHeadTooOld: "the signers saw a ledger state too far back", "签名人所见的台账状态过旧";
    WhyFutureEvent: "the event is dated after it was recorded", "事件时间晚于记录时间";
    WhyEnrollInvalid: "an enrolment is malformed", "持钥人登记内容无效";
    WhyIdInUse: "a keyholder id is already in use", "持钥人编号已被使用";
    WhyKeyInUse: "a public key is already enrolled", "该公钥已登记";
    WhyPersonDuplicate: "the person already holds an active key", "此人已持有有效密钥";
    WhySelfEnroll: "a keyholder co-signed their own enrolment", "持钥人为自己的登记签名";
    WhyRoleSeparation: "one keyholder given two roles the policy keeps apart", "一名持钥人被授予规则要求分离的两个角色";
    WhyRevokeUnknown: "a revocation names an unknown keyholder", "吊销的持钥人不存在";
    WhyGenesisInvalid: "the genesis is malformed", "创建条目内容无效";
    WhyEventInvalid: "an event contradicts itself", "事件内容自相矛盾";
    WhySessionUnknown: "an event names a session that was never scheduled", "事件引用了未排定的场次";
    WhyCorrectionInvalid: "a correction does not match the entry it corrects", "更正与被更正的条目不符";
    WhyBagNotCollected: "a bag appears without having been collected", "密封袋未经领取就出现";
    WhyBagAlreadyCollected: "a bag was collected twice", "密封袋被重复领取";
    WhyWrongPlace: "a bag was moved from a place it was not at", "密封袋从其不在的地点被移动";
    WhyWrongDestination: "a bag arrived or returned where it was not sent", "密封袋到达或返还的地点不是运送目的地";
    WhySealMismatch: "a seal number does not match", "封条号不符";
    WhyCountMismatch: "a paper count does not match", "份数不符";
    WhySheetsExceedPapers: "more answer sheets sealed for a room than papers opened there", "考场封装的答卷多于启封的试卷";
    WhyOpenTwice: "a bag was opened twice", "密封袋被启封两次";
    WhyOpenWrongRoom: "a bag was opened in the wrong room", "密封袋在错误的考场启封";
    WhyOpenNotAllowed: "a completed answer-sheet bag was opened", "已封装的答卷袋被启封";
    WhySpareOpened: "a spare-paper bag was opened", "备用卷袋被启封";
    WhyAfterRelease: "something was done to a bag after it was released", "密封袋移交后仍有操作";
    WhyOpenEarly: "a bag was opened before its window", "密封袋早于规定时间启封";
    WhyOpenLate: "a bag was opened late", "密封袋启封过晚";
    WhyTransitTooLong: "a transport took longer than allowed", "运送时间超过规定";
    WhyHeldTooLong: "papers were held too long before their session", "试卷在考前存放时间过长";
    WhyAnswerSheetsLate: "answer sheets came back after their day", "答卷未在当天返还";
    WhyRescheduleLate: "a session was rescheduled too close to its start", "场次改期距开考时间过近";
    WhyLateRecord: "an event was recorded later than allowed", "事件记录晚于规定时限";
    WhyStillInTransit: "a bag is still in transit at the end of the ledger", "台账结束时密封袋仍在运送途中";
    WhyNotReturned: "a bag was never returned or released", "密封袋从未返还或移交";
    WhySheetsNotBack: "a room's answer sheets are not back", "考场答卷未返还";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<&str> {
        let mut names: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(n, _)| n))
            .collect();
        names.sort();
        names
    }

    fn has_chinese(text: &str) -> bool {
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn no_message_exists_in_one_language_only() {
        for &msg in Msg::ALL {
            let (en, zh) = (msg.text(Lang::En), msg.text(Lang::Zh));
            assert!(!en.trim().is_empty(), "{msg:?}: empty English text");
            assert!(
                has_chinese(zh),
                "{msg:?}: the Chinese text {zh:?} is not Chinese"
            );
            assert!(
                !has_chinese(en),
                "{msg:?}: the English text {en:?} is Chinese"
            );
            assert_eq!(
                placeholders(en),
                placeholders(zh),
                "{msg:?}: the two texts take different placeholders"
            );
        }
    }

    #[test]
    fn every_code_event_and_role_has_its_own_text() {
        for lang in Lang::ALL {
            let mut seen = std::collections::HashSet::new();
            for &code in Code::ALL {
                assert!(
                    seen.insert(lang.explain(code)),
                    "{code}: explanation shared"
                );
            }
            let events: std::collections::HashSet<_> =
                EventKind::ALL.iter().map(|k| lang.event(*k)).collect();
            assert_eq!(events.len(), EventKind::ALL.len());
        }
        assert_eq!(Lang::Zh.event(EventKind::Arrive), "到达交接");
        assert_eq!(Lang::Zh.event(EventKind::Seal), "回收封装");
    }

    #[test]
    fn the_locale_decides_without_the_flag() {
        assert_eq!(Lang::from_locale(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(
            Lang::from_locale(Some("C"), None, Some("zh_CN.UTF-8")),
            Lang::En
        );
        assert_eq!(Lang::from_locale(Some(""), None, Some("zh_TW")), Lang::Zh);
        assert_eq!(
            Lang::from_locale(None, Some("zh_CN"), Some("en_US")),
            Lang::Zh
        );
        assert_eq!(Lang::from_locale(None, None, None), Lang::En);
        assert_eq!(Lang::from_locale(None, None, Some("de_DE.UTF-8")), Lang::En);
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn placeholders_are_filled_by_name() {
        let n = 3;
        assert_eq!(
            fill("{n} bags to {to}", &[("n", &n), ("to", &"一中")]),
            "3 bags to 一中"
        );
        assert_eq!(fill("{x} {", &[]), "{x} {");
    }
}
