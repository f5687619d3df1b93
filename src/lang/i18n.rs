//! Messages in Simplified Chinese and English, in one catalogue.
//!
//! Every message is one entry of the `catalogue!` table below, which takes both texts or does not
//! compile, so no message can exist in one language only; a test checks that the Chinese text is
//! Chinese and that both texts take the same `{placeholders}`. Machine-readable output (`--json`,
//! finding codes, event and role names on the command line) never goes through this module.

use crate::model::bag::{BagKind, IncidentKind};
use crate::model::finding::{Category, Code, Severity};
use crate::model::policy::EventKind;
use crate::model::roster::{KeyKind, Role};
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

    /// How a key is held, as declared at enrolment; `-` when it was not declared.
    pub fn key_kind(self, kind: Option<KeyKind>) -> &'static str {
        match kind {
            None => "-",
            Some(KeyKind::File) => self.t(Msg::KeyKindFile),
            Some(KeyKind::Token) => self.t(Msg::KeyKindToken),
        }
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
            EventKind::Handover => Msg::EventHandover,
            EventKind::Assign => Msg::EventAssign,
            EventKind::Grant => Msg::EventGrant,
            EventKind::Reseal => Msg::EventReseal,
            EventKind::Cabinet => Msg::EventCabinet,
            EventKind::Void => Msg::EventVoid,
            EventKind::Postpone => Msg::EventPostpone,
            EventKind::Manifest => Msg::EventManifest,
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
            TokenRequired => Msg::WhyTokenRequired,
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
            EscortNotSigning => Msg::WhyEscortNotSigning,
            EscortNotOnDispatch => Msg::WhyEscortNotOnDispatch,
            CorrectionAfterMove => Msg::WhyCorrectionAfterMove,
            IncidentLost => Msg::WhyIncidentLost,
            IncidentBrokenSeal => Msg::WhyIncidentBrokenSeal,
            IncidentCountMismatch => Msg::WhyIncidentCountMismatch,
            IncidentDamaged => Msg::WhyIncidentDamaged,
            IncidentOther => Msg::WhyIncidentOther,
            OpenEarly => Msg::WhyOpenEarly,
            OpenLate => Msg::WhyOpenLate,
            TransitTooLong => Msg::WhyTransitTooLong,
            ArrivedBeforeDispatch => Msg::WhyArrivedBeforeDispatch,
            HeldTooLong => Msg::WhyHeldTooLong,
            AnswerSheetsLate => Msg::WhyAnswerSheetsLate,
            RescheduleLate => Msg::WhyRescheduleLate,
            OutOfOrder => Msg::WhyOutOfOrder,
            SealedEarly => Msg::WhySealedEarly,
            LeftEarly => Msg::WhyLeftEarly,
            InspectionOverdue => Msg::WhyInspectionOverdue,
            LateRecord => Msg::WhyLateRecord,
            StillInTransit => Msg::WhyStillInTransit,
            NotReturned => Msg::WhyNotReturned,
            SheetsNotBack => Msg::WhySheetsNotBack,
            WrongPost => Msg::WhyWrongPost,
            OffDuty => Msg::WhyOffDuty,
            InspectionIncomplete => Msg::WhyInspectionIncomplete,
            CabinetExposed => Msg::WhyCabinetExposed,
            ResealUnfounded => Msg::WhyResealUnfounded,
            PaperVoided => Msg::WhyPaperVoided,
            ManifestMismatch => Msg::WhyManifestMismatch,
            NotOnManifest => Msg::WhyNotOnManifest,
            SenderNotApproved => Msg::WhySenderNotApproved,
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
    EventHandover: "handover", "押运交接";

    RoleAdmin: "admin", "管理员";
    RoleCustodian: "custodian", "保管员";
    RoleSupervisor: "supervisor", "监督员";
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
    ReceiptRegister: "For the register (copy this line)", "抄入登记簿";
    ReceiptSigned: "the ledger signed its state of {size} entries", "台账已签署共 {size} 条的状态";
    ReceiptNoCheckpoint: "no signed checkpoint covers this entry yet; the line names the ledger as it ends with this entry", "尚无签署的检查点覆盖本条目；此行对应截至本条目的台账";
    ReceiptQr: "Scan to check", "扫码核对";
    ReceiptSignHere: "Signature", "签字";
    ReceiptWitness: "Witness", "见证人";
    ReceiptTimes: "Times in {zone}.", "时间均为 {zone} 时区。";
    ReceiptProve: "Machine-checkable proof: custody prove {seq} --out entry-{seq}.tlog-proof", "机器可核验的证明：custody prove {seq} --out entry-{seq}.tlog-proof";
    ReceiptNoEntry: "no entry {seq}: the ledger has {entries} entries", "没有第 {seq} 条：台账共有 {entries} 条";
    ReceiptUndecodable: "entry {seq} does not decode; run custody verify", "第 {seq} 条无法解码；请运行 custody verify";
    ReceiptBadSignature: "the signature of {signer} on entry {seq} does not verify; run custody verify", "第 {seq} 条上 {signer} 的签名验证失败；请运行 custody verify";
    ReceiptCheckpointMismatch: "the journal does not match the ledger's own checkpoint of {size} entries; run custody verify", "日志与台账自身 {size} 条的检查点不符；请运行 custody verify";
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
    HtmlLaneHint: "Each lane runs from a bag's first event to its last. Each mark is an event; its shape and the line's pattern (and, on screen, its colour) show who holds the bag after it; the number above it is the entry, the times below are the first and last event.", "每条时间线从密封袋的第一个事件到最后一个事件。每个标记是一个事件，标记的形状和线条样式（屏幕上还有颜色）表示事件之后由谁保管；上方数字为条目号，下方为首末事件时间。";
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
    WhyCheckpointInvalid: "a checkpoint's form is invalid, or a signature of a known key does not verify", "检查点格式无效，或已知密钥的签名验证失败";
    WhyCheckpointUntrusted: "a checkpoint is not signed by the ledger key or two admins who are distinct persons", "检查点未由台账密钥或两名不同人员的管理员签名";
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
    WhyTokenRequired: "a signer whose role requires a token key signed with a key not declared as on a token", "角色要求使用硬件密钥的签名人，使用了未登记为硬件密钥的密钥签名";
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
    WhyEscortNotSigning: "a dispatch was not co-signed by any escort it names", "运送未由其登记的任何押运员签名";
    WhyEscortNotOnDispatch: "a bag was received without an escort who travelled with it", "接收时没有随袋押运的押运员签名";
    WhyCorrectionAfterMove: "a seal or count corrected after the bag had moved on", "密封袋移交后又更正了封条号或份数";
    WhyIncidentLost: "a bag was declared lost", "密封袋申报丢失";
    WhyIncidentBrokenSeal: "a broken seal was declared", "申报封条破损";
    WhyIncidentCountMismatch: "a count mismatch was declared", "申报份数不符";
    WhyIncidentDamaged: "a bag was declared damaged", "密封袋申报损坏";
    WhyIncidentOther: "an incident was declared", "申报其他异常";
    WhyOpenEarly: "a bag was opened before its window", "密封袋早于规定时间启封";
    WhyOpenLate: "a bag was opened late", "密封袋启封过晚";
    WhyTransitTooLong: "a transport took longer than allowed", "运送时间超过规定";
    WhyArrivedBeforeDispatch: "a bag was received before the time it was dispatched", "密封袋的接收时间早于其运出时间";
    WhyHeldTooLong: "papers were held too long before their session", "试卷在考前存放时间过长";
    WhyAnswerSheetsLate: "answer sheets came back after their day", "答卷未在当天返还";
    WhyRescheduleLate: "a session was rescheduled too close to its start", "场次改期距开考时间过近";
    WhyOutOfOrder: "an event on a bag is dated before the bag's previous event", "密封袋的事件时间早于其上一事件";
    WhySealedEarly: "answer sheets were sealed before their session allowed", "答卷在场次规定时间之前封装";
    WhyLeftEarly: "papers left the room too long before their session", "试卷在场次开始前过早出库或运出";
    WhyInspectionOverdue: "a stored bag went uninspected longer than allowed", "存放的密封袋超过规定时间未巡查";
    WhyLateRecord: "an event was recorded later than allowed", "事件记录晚于规定时限";
    WhyStillInTransit: "a bag is still in transit at the end of the ledger", "台账结束时密封袋仍在运送途中";
    WhyNotReturned: "a bag was never returned or released", "密封袋从未返还或移交";
    WhySheetsNotBack: "a room's answer sheets are not back", "考场答卷未返还";

    // The summary each signer reads, and the one-line details of events.
    SummaryEvent: "event", "事件";
    SummaryWhat: "what", "内容";
    SummaryFrom: "from", "生效";
    SummaryUntil: "until", "失效";
    SummaryKey: "key", "公钥";
    SummarySeals: "seals", "封条";
    SummaryBag: "bag", "密封袋";
    SummaryChange: "changes", "变更";
    SummaryRule: "rules", "规则";
    SummaryTime: "time", "时间";
    SummarySigners: "signers", "签名人";
    SummaryLedger: "ledger", "台账";
    SummaryLedgerAt: "{id} at entry {size}", "{id}，签名时共 {size} 条";
    SummaryMoreBags: "… and {n} more bags", "……另有 {n} 袋";
    SummaryBagSpec: "{id}  seal {seal}  {count} {kind}  {session} {site} {room}", "{id}  封条 {seal}  {count} 份{kind}  {session} {site} {room}";
    SummarySeal: "seal {seal}", "封条 {seal}";
    SummaryPapers: "{count} papers", "{count} 份";
    SummaryNoChange: "none: every rule stays as it is in force", "无：各项规则与现行规则相同";
    SummaryExpected: "(ledger: {seal}, {count})", "（台账：{seal}，{count} 份）";
    SummaryDiffers: " << DIFFERS", " ←不符";
    SummaryViolation: "records", "记录违规";
    SummaryEscorts: "escorts", "押运";
    SummarySession: "session", "场次";
    SessionWords: "{subject} {span} (session {id})", "{subject} {span}（场次 {id}）";
    SummaryPolicyWindows: "open question papers {qp} min / answer sheets {as} min before the start, late after {late} min", "试卷开考前 {qp} 分钟、答题卡开考前 {as} 分钟起可启封，开考 {late} 分钟后为迟启";
    SummaryPolicyLimits: "transit {transit} min, hold {hold} min, record delay {record} min, clock {clock} s, change delay {change} min", "运送 {transit} 分钟，存放 {hold} 分钟，补录 {record} 分钟，时钟误差 {clock} 秒，变更延迟 {change} 分钟";
    ConfidentialityRoom: "the confidentiality room", "保密室";
    ScanPrompt: "scan bag {n} (barcode and seal on one line; empty line to finish): ", "扫描第 {n} 袋（条码和封条在同一行；空行结束）：";
    ScanEcho: "  {id}  seal {seal}  ({n} so far)", "  {id}  封条 {seal}  （已扫 {n} 袋）";
    ScanTwice: "  {id} scanned twice in a row: the second scan is ignored", "  {id} 连续扫描两次：第二次已忽略";
    ScanAgain: "  {why}; scan it again", "  {why}；请重新扫描";
    DefaultFrom: "provincial examination authority", "省教育考试院";
    IncidentSuffix: "; INCIDENT: {note}", "；异常说明：{note}";
    BagsOne: "1 bag {ids}", "1 袋 {ids}";
    BagsMany: "{n} bags {ids}", "{n} 袋 {ids}";
    DetailGenesis: "exam {exam}, zone {zone}, founders {founders}", "考试 {exam}，时区 {zone}，创始管理员 {founders}";
    DetailEnroll: "{id} ({name}) as {roles}", "{id}（{name}），角色：{roles}";
    DetailSchedule: "session {session} ({subject}) {span}", "场次 {session}（{subject}）{span}";
    DetailRevoke: "{id}: {reason}", "{id}：{reason}";
    DetailIncident: "{kind}: {note} ({bags})", "{kind}：{note}（{bags}）";
    IdName: "{id} ({name})", "{id}（{name}）";
    NameId: "{name} ({id})", "{name}（{id}）";
    ListJoin: ", ", "、";
    Colon: ": ", "：";
    DetailPolicy: "policy change (takes effect after the current policy's delay)", "规则变更（按现行规则的延迟生效）";
    DetailCollect: "{bags} from {from}", "{bags}，来自 {from}";
    DetailStore: "{bags} into cabinet {cabinet}", "{bags} 存入保密柜 {cabinet}";
    DetailWithdraw: "{bags} out of cabinet {cabinet}", "{bags} 从保密柜 {cabinet} 取出";
    DetailInspect: "{bags} seals checked", "{bags} 封条已查验";
    DetailDispatch: "{bags} to {to} with {escorts}", "{bags} 运往 {to}，押运：{escorts}";
    DetailArrive: "{bags} at {site}", "{bags} 到达 {site}";
    DetailHandover: "{bags} handed over on the road by {from} to {to}", "{bags} 途中由 {from} 交给 {to} 押运";
    ReceiptEscortsFrom: "Escorts handing over", "交出押运人员";
    ReceiptEscortsTo: "Escorts taking over", "接收押运人员";
    DetailOpen: "{bags} opened at {site} {room}", "{bags} 于 {site} {room} 启封";
    DetailSeal: "{count} answer sheets into bag {bag} (seal {seal}) at {site} {room}, session {session}", "{count} 份答卷封入袋 {bag}（封条 {seal}），{site} {room}，场次 {session}";
    DetailReturn: "{bags} back in the room", "{bags} 返还保密室";
    DetailRelease: "{bags} released to {to}", "{bags} 移交 {to}";
    DetailCorrect: "entry {seq} bag {bag}: {fix} ({note})", "条目 {seq} 袋 {bag}：{fix}（{note}）";
    FixBagId: "barcode -> {value}", "条码改为 {value}";
    FixSeal: "seal -> {value}", "封条号改为 {value}";
    FixCount: "count -> {value}", "份数改为 {value}";
    FixSealWas: "seal {old} -> {value}", "封条号 {old} 改为 {value}";
    FixCountWas: "count {old} -> {value}", "份数 {old} 改为 {value}";

    // Tables and views.
    LabelQuestions: "questions", "试卷";
    LabelBlanks: "blanks", "空白卡";
    LabelSpares: "spares", "备用卷";
    LabelAnswers: "answers", "答卷";
    PlaceRoom: "conf. room", "保密室";
    PlaceCabinet: "cabinet {cabinet}", "保密柜 {cabinet}";
    PlaceToRoom: "to conf. room", "运回保密室";
    PlaceTo: "to {site}", "运往 {site}";
    PlaceAt: "at {site}", "在 {site}";
    PlaceOpened: "opened {where}", "已启封 {where}";
    PlaceReleased: "released {to}", "已移交 {to}";
    WhereRoom: "in the confidentiality room", "在保密室";
    WhereCabinet: "in cabinet {cabinet}", "在保密柜 {cabinet}";
    WhereTransit: "in transit to {to}", "运往 {to} 途中";
    WhereOpened: "opened at {site} {room}", "已于 {site} {room} 启封";
    WhereReleased: "released to {to}", "已移交 {to}";
    ColSeq: "SEQ", "序号";
    ColTime: "TIME", "时间";
    ColEvent: "EVENT", "事件";
    ColSigners: "SIGNERS", "签名人";
    ColDetail: "DETAIL", "内容";
    ColPlaceAfter: "PLACE AFTER", "之后位置";
    ColSeal: "SEAL", "封条";
    ColCount: "COUNT", "份数";
    ColSignedBy: "SIGNED BY", "签名";
    ColSite: "SITE", "考点";
    ColRoom: "ROOM", "考场";
    ColBags: "BAGS", "袋数";
    ColPapers: "PAPERS", "试卷份数";
    ColOpened: "OPENED", "已启封";
    ColSealed: "SEALED", "已封装";
    ColReturned: "RETURNED", "已返还";
    ColMissing: "MISSING", "缺失";
    ColTotal: "TOTAL", "合计";
    ColBag: "BAG", "密封袋";
    ColKind: "KIND", "类别";
    ColSession: "SESSION", "场次";
    ColPlace: "PLACE", "位置";
    RecordUndecodable: "(record at byte {offset} does not decode)", "（第 {offset} 字节处的记录无法解码）";
    FixBarcode: "barcode {from} -> {value}", "条码 {from} 改为 {value}";
    CorrectionOf: "entry {seq}: {fix} ({note})", "条目 {seq}：{fix}（{note}）";
    TimelineHeadPapers: "bag {id}  {kind}, {count} papers  session {session}  for {site} {room}", "密封袋 {id}  {kind}，{count} 份  场次 {session}  发往 {site} {room}";
    TimelineHeadSheets: "bag {id}  {kind}, {count} sheets  session {session}  for {site} {room}", "密封袋 {id}  {kind}，{count} 张  场次 {session}  来自 {site} {room}";
    TimelineNow: "now {place}, seal {seal}", "现在{place}，封条 {seal}";
    TimelineAsked: "{asked} is an earlier barcode of this bag, corrected to {id}", "{asked} 是此袋更正前的条码，已更正为 {id}";
    TimelineEarlier: "earlier barcode: {ids}", "更正前条码：{ids}";
    TimesIn: "times in {zone}", "时间按 {zone}";
    NoteRecordedAs: "recorded as {id}", "记录时条码为 {id}";
    NoteIncident: "INCIDENT {text}", "异常 {text}";
    NoteCorrection: "CORRECTION {text}", "更正 {text}";
    NoteFinding: "FINDING {code}: {text}", "审计发现 {code}：{text}";
    FindingBag: "bag {bag}", "密封袋 {bag}";
    FindingSigner: "signer {signer}", "签名人 {signer}";
    FindingKeyholder: "keyholder {signer}", "持钥人 {signer}";
    ReconHead: "reconciliation of session {session} ({subject}), {start} to {end}", "场次 {session}（{subject}）核对表，{start} 至 {end}";
    ReconSite: ", site {site}", "，考点 {site}";
    ReconMissing: "missing {id}: {place}", "缺失 {id}：{place}";
    LegendBags: "question, blank-sheet and spare bags planned for the room", "计划发往该考场的试卷袋、空白答题卡袋和备用卷袋";
    LegendPapers: "papers in its question and spare bags", "试卷袋和备用卷袋中的试卷份数";
    LegendOpened: "papers opened there", "在该考场启封的试卷份数";
    LegendSealed: "answer sheets counted and sealed there", "在该考场清点封装的答卷份数";
    LegendReturned: "sealed answer sheets back in the room (or released onward)", "已返还保密室（或已移交）的答卷份数";
    LegendMissing: "bags neither opened nor back, and answer-sheet bags not back", "既未启封也未返还的密封袋，以及未返还的答卷袋";
    UnknownExam: "(unknown exam)", "（未知考试）";
    StatusHeadOne: "{exam}: {n} bag", "{exam}：共 {n} 袋";
    StatusHeadMany: "{exam}: {n} bags", "{exam}：共 {n} 袋";
    StatusFor: " for {site}", "，考点 {site}";
    StatusAsOf: ", as of {time}", "，截至 {time}";
    CountOf: "{n} {what}", "{what} {n} 袋";
    CountInRoom: "in the room", "在保密室";
    CountInCabinet: "in a cabinet", "在保密柜";
    CountInTransit: "in transit", "运送途中";
    CountAtSite: "at a site", "在考点";
    CountOpened: "opened", "已启封";
    CountReleased: "released", "已移交";
    NoBags: "no bags", "没有密封袋";
    ListSeparator: ", ", "，";
    NoteAuditFindings: "note: the audit has {n} finding(s); run `custody verify`", "注意：审计发现 {n} 个问题，请运行 `custody verify`";
    LogHead: "{exam}: {shown} of {n} entries, times in {zone}", "{exam}：显示 {shown} 条，共 {n} 条，时间按 {zone}";
    ShowEntry: "entry", "条目";
    ShowHash: "hash", "哈希";
    ShowPrevious: "previous", "上一条哈希";
    ShowRecorded: "recorded", "记录时间";
    ShowEventTime: "event time", "事件时间";
    ShowEvent: "event", "事件";
    ShowDetail: "detail", "内容";
    ShowSignedAt: "signed at", "签名时";
    ShowHead: "head {size} ({hash})", "台账第 {size} 条（{hash}）";
    ShowNonce: "nonce", "随机数";
    ShowSignedBy: "signed by", "签名";
    ShowFinding: "FINDING", "审计发现";
    NoSuchEntry: "no entry {seq}: the ledger has {n} entries", "没有条目 {seq}：台账共有 {n} 条";

    // Signing and recording.
    SignerOf: "Signer {i} of {n}: {name} ({id}) — read what you sign:", "第 {i} 位签名人（共 {n} 位）：{name}（{id}）——请核对签名内容：";
    KeyKindFile: "key file", "密钥文件";
    KeyKindToken: "token", "硬件密钥";
    ColKeyKind: "KEY", "密钥";
    InsertToken: "Insert the token of {name} ({id}) and type its PIN", "请插入 {name}（{id}）的密钥并输入 PIN";
    PinFor: "PIN of {id}'s token: ", "{id} 的密钥 PIN：";
    PinOfToken: "User PIN of token {token}: ", "密钥 {token} 的用户 PIN：";
    WrongPin: "wrong PIN for token {token}{tries}", "密钥 {token} 的 PIN 错误{tries}";
    PinTriesLow: " (the token reports that few tries are left)", "（密钥报告剩余尝试次数不多）";
    PinTriesFinal: " (the token reports one try left before it locks)", "（密钥报告只剩最后一次尝试，再错将被锁定）";
    PinLocked: "the user PIN of token {token} is locked: its security officer must unblock it", "密钥 {token} 的用户 PIN 已锁定：须由其安全管理员解锁";
    WroteTokenKey: "wrote {path} (the key stays on token {token}; this file holds no secret)", "已写入 {path}（私钥留在密钥 {token} 中；此文件不含任何秘密）";
    PassphraseFor: "Passphrase for {id}: ", "{id} 的口令：";
    LowCostKey: "warning: {path} uses the low-cost test key-derivation profile; fine for tests and demos, never for real keys", "警告：{path} 使用低成本测试密钥派生参数，只可用于测试和演示，不得用于真实密钥";
    ReadInDraft: "{name} ({id}), read what you sign in {file}:", "{name}（{id}），请核对 {file} 中的签名内容：";
    Recorded: "recorded entry {seq}", "已记录条目 {seq}";
    ReceiptLine: "for the register: {line}", "抄入登记簿：{line}";
    Flagged: "flagged for the audit [{code}]: {text}", "已标记供审计 [{code}]：{text}";

    // The audit report.
    ListedRoster: "roster", "名册";
    ListedCorrection: "correction", "更正";
    ListedRescheduled: "; rescheduled, was {span}", "；改期前为 {span}";
    ListedInForce: "; in force from {at}", "；自 {at} 起生效";
    ReportTitle: "custody audit of {exam}", "保管审计：{exam}";
    ReportLedgerId: "ledger id", "台账编号";
    ReportExamined: "examined", "已审查";
    ReportExaminedText: "{entries} entries, {bags} bags", "{entries} 条记录，{bags} 个密封袋";
    ReportRecorded: "recorded", "记录时间";
    ReportFromTo: "{from} to {to}", "{from} 至 {to}";
    ReportGenesis: "genesis", "创建条目";
    ReportTrusted: "matches the trusted hash", "与信任的哈希一致";
    ReportNotTrusted: "DOES NOT match the trusted hash", "与信任的哈希不一致";
    ReportTrustUnchecked: "not checked: give --trust GENESIS_HASH", "未核对：请用 --trust 给出创建条目哈希";
    ReportHead: "head", "最新哈希";
    ReportTreeSize: "tree size", "树大小";
    ReportTreeRoot: "tree root", "根哈希";
    ReportNotice: "notice", "提示";
    ReportEvidence: "evidence", "证据";
    ReportNoEvidence: "none: no checkpoint in the ledger, and none given with --checkpoint FILE or --proof FILE", "无：台账中没有检查点，也未用 --checkpoint FILE 或 --proof FILE 提供";
    ReportProof: "proof", "证明";
    ReportCheckpoint: "checkpoint", "检查点";
    SignedByLedgerKey: "signed by the ledger key; ", "由台账密钥签名；";
    SignedByIds: "signed by {ids}; ", "由 {ids} 签名；";
    EvidenceProofInvalid: "PROOF_INVALID: it does not prove its entry in the ledger's tree of {size} entries", "PROOF_INVALID：不能证明其条目在台账 {size} 条的树中";
    EvidenceSeeFindings: "{code}: see the integrity findings", "{code}：见完整性审计发现";
    EvidenceNotChecked: "NOT CHECKED: the journal names no ledger", "未核对：日志未表明台账";
    EvidenceProofValid: "VALID: its checkpoint {signed}its entry is in the ledger's tree of {size} entries", "有效：其检查点{signed}其条目在台账 {size} 条的树中";
    EvidenceConsistent: "CONSISTENT: {signed}the ledger holds this tree of {size} entries", "一致：{signed}台账包含这棵 {size} 条的树";
    SectionIntegrity: "integrity", "完整性";
    SectionAuthorization: "authorization", "授权";
    SectionCustody: "custody", "保管";
    ReportSectionClean: "{title}: no findings", "{title}：无问题";
    ReportSectionOne: "{title}: {n} finding", "{title}：{n} 个问题";
    ReportSectionMany: "{title}: {n} findings", "{title}：{n} 个问题";
    ReportEntry: "entry {seq}", "条目 {seq}";
    ReportListedNone: "listed: no roster or policy change, reschedule, incident or correction", "列示：无名册或规则变更、改期、异常或更正";
    ReportListedHead: "listed ({n}, not findings by themselves; times in {zone}):", "列示（{n} 项，本身不是问题；时间按 {zone}）：";
    ReportReported: " (reported: {codes})", "（已报告：{codes}）";
    ReportTimetableNone: "timetable: no session is scheduled", "时间表：未安排任何场次";
    ReportTimetableHead: "timetable ({n} schedule entries, each session's first and every change; times in {zone}):", "时间表（{n} 条安排记录，各场次的首次安排及每次变更；时间按 {zone}）：";
    TimetableScheduled: "{session} {subject}: {start} to {end}, scheduled by {signers}", "{session} {subject}：{start} 至 {end}，由 {signers} 安排";
    TimetableRescheduled: "{session} {subject}: {start} to {end}, RESCHEDULED by {signers}", "{session} {subject}：{start} 至 {end}，由 {signers} 改期";
    HtmlTimetable: "Timetable: every session's schedule and every change", "时间表：各场次的安排及每次变更";
    HtmlNoneListed: "none", "无";
    HtmlChecks: "Checks", "核查结果";
    HtmlMade: "made {time} by custody {version}", "由 custody {version} 于 {time} 生成";
    HtmlIncidents: "Incidents declared, with their notes", "已申报的异常及其说明";
    HtmlCorrections: "Corrections: old → new, with their notes", "更正：原值 → 新值及其说明";
    HtmlRosterChanges: "Roster changes", "名册变更";
    HtmlOtherChanges: "Policy changes and reschedules", "规则变更和改期";
    HtmlColEntry: "entry", "条目";
    HtmlColTime: "time", "时间";
    HtmlColWhat: "what", "内容";
    HtmlColBags: "bags", "密封袋";
    HtmlColNote: "note", "说明";
    HtmlColSigners: "signed by", "签名人";
    HtmlColReported: "reported", "已报告";
    HtmlColCorrects: "corrects", "更正的条目";
    HtmlColChange: "old → new", "原值 → 新值";
    HtmlChangeSeal: "seal {old} → {new}", "封条号 {old} → {new}";
    HtmlChangeCount: "count {old} → {new}", "份数 {old} → {new}";
    HtmlChangeBarcode: "barcode {old} → {new}", "条码 {old} → {new}";
    HtmlAxisHint: "The timelines of one session share one time axis (its days are marked above the first bag of each room), so marks at the same place happened at the same time; short gaps are widened and long ones shortened, so the order and the days stay readable.", "同一场次的时间线共用一条时间轴（日期标在每个考场第一个密封袋的上方），位置相同的标记即同一时间发生；较短的间隔会放宽、较长的间隔会缩短，以便看清先后和日期。";
    VerdictClean: "verdict: CLEAN, no findings", "结论：无问题（CLEAN）";
    VerdictFindings: "verdict: {n} FINDING(S): {counts}", "结论：发现 {n} 个问题：{counts}";
    VerdictDeclared: "; {declared} declared with an incident note, {undeclared} undeclared", "；其中 {declared} 个已随异常说明申报，{undeclared} 个未申报";
    ReportDeclared: " (declared)", "（已申报）";

    // Refusals and what to do about them.
    FileExists: "{path} already exists; refusing to overwrite it", "{path} 已存在，拒绝覆盖";
    HintPrefix: "hint: ", "提示：";
    HintPassphrase: "choose four or more unrelated words, or a sentence of your own: a stolen key file can be guessed offline", "请选用四个以上互不相关的词，或自己编的一句话：密钥文件一旦被盗，可被离线猜测口令";
    HintPersonKey: "keep a copy of that person.key as evidence, then put back the ledger's own: custody restore from a backup", "请将该 person.key 另存一份留作证据，然后用 custody restore 从备份恢复本台账自己的密钥";
    HintChmod: "make it private to its owner: chmod 600 {path}", "请只允许文件所有者读写：chmod 600 {path}";
    HintDisk: "check the disk (free space, permissions, read-only mount); nothing was written, so run the command again once it is fixed", "请检查磁盘（剩余空间、权限、只读挂载）；未写入任何内容，修复后重新运行该命令";
    RefusedByRules: "refused by the ledger's rules", "被台账规则拒绝";
    RefusedMore: " (and {n} more: {codes})", "（另有 {n} 项：{codes}）";
    Refused: "refused [{code}]: {text}{more}; nothing was written", "已拒绝 [{code}]：{text}{more}；未写入任何内容";
    HintTokenRequired: "sign with that keyholder's token key (re-enrol them with --key-kind token); if the event really happened this way, record it with --incident \"what happened\" where the event takes one: the audit will report it", "请使用该持钥人的硬件密钥签名（以 --key-kind token 重新登记）；如事件确实如此发生，在该事件支持时用 --incident \"发生了什么\" 记录，审计会报告此事";
    HintIncident: "check the bag, seal and time; if this really happened, record it with --incident \"what happened\": the audit will report it", "请核对密封袋、封条和时间；如确有其事，请用 --incident \"发生了什么\" 记录，审计会报告此事";
    HintTwoPeople: "every event needs two different people: give --sign once for each co-signer", "每个事件需要两个不同的人：每位共同签名人各给一次 --sign";
    HintSamePerson: "two of the keys belong to one person: each co-signer must be a different person", "其中两把密钥属于同一人：每位共同签名人必须是不同的人";
    HintRoleSeparation: "give the keyholder one of the two roles; another person takes the other", "只授予该持钥人两个角色之一，另一个由他人担任";
    HintEnrollInvalid: "check the .pub file, the roles and the validity window", "请检查 .pub 文件、角色和有效期";
    HintKeyInUse: "every keyholder needs their own key: run custody keygen for the new keyholder", "每位持钥人需要自己的密钥：请为新持钥人运行 custody keygen";
    HintSignerUnknown: "enrol the keyholder first (custody enroll), or check the --sign key file", "请先登记该持钥人（custody enroll），或检查 --sign 密钥文件";
    HintSignerRevoked: "that key was revoked; the keyholder must use their new key", "该密钥已被吊销；持钥人必须使用新密钥";
    HintSignerNotValid: "the key is outside its validity window at the event time (--at)", "事件时间（--at）不在该密钥的有效期内";
    HintRoleMissing: "ask a keyholder with the required role to co-sign", "请具有所需角色的持钥人共同签名";
    HintFutureEvent: "the event time (--at) lies in the future; check it and the clock", "事件时间（--at）在未来；请检查该时间和系统时钟";
    HintIdInUse: "revoke the old key first (custody revoke), then enrol the new one", "请先吊销旧密钥（custody revoke），再登记新密钥";
    HintPersonDuplicate: "one person holds one active key: revoke their other key first", "一人只能持有一把有效密钥：请先吊销其另一把密钥";
    HintSelfEnroll: "two other admins must co-sign an admin's enrolment", "管理员的登记必须由另外两名管理员共同签名";
    HintHeadMoved: "the ledger moved on; prepare and sign the event again", "台账已有新记录；请重新准备并签名该事件";

    // Keys, the ledger and notes.
    NoLedger: "no ledger at {dir}: give --ledger DIR or set CUSTODY_LEDGER (custody init creates one)", "目录 {dir} 中没有台账：请用 --ledger DIR 指定或设置 CUSTODY_LEDGER（custody init 可创建台账）";
    LedgerBusy: "ledger in use by another process ({dir}); try again when it has finished", "台账正被另一进程使用（{dir}）；请待其结束后重试";
    NoCosigners: "no co-signers: give --sign KEYFILE once per co-signer (two different people)", "没有共同签名人：每位共同签名人各给一次 --sign 密钥文件（两个不同的人）";
    WrongPassphrase: "wrong passphrase for key {id}", "密钥 {id} 的口令错误";
    EmptyPassphrase: "the passphrase is empty; use a non-empty passphrase", "口令为空；请使用非空口令";
    FailInput: "bad input: ", "输入有误：";
    FailRefused: "refused: ", "已拒绝：";
    FailBusy: "ledger in use: ", "台账正被另一进程使用：";
    FailStorage: "storage or I/O failure: ", "存储或读写错误：";
    IndexRebuilt: "index rebuilt from {n} entries", "已根据 {n} 条记录重建索引";
    NewPassphrase: "New passphrase for {id}: ", "{id} 的新口令：";
    SamePassphrase: "Same passphrase again: ", "再次输入同一口令：";
    PassphrasesDiffer: "the two passphrases differ; nothing was written", "两次输入的口令不同；未写入任何内容";
    LowCostProfile: "warning: low-cost key-derivation profile: for tests and demos only, never for real keys", "警告：低成本密钥派生参数，只可用于测试和演示，不得用于真实密钥";
    WrotePrivate: "wrote {path} (private, keep it to yourself)", "已写入 {path}（私钥，请自行妥善保管）";
    WrotePublic: "wrote {path} (public, give it to the exam office)", "已写入 {path}（公钥，请交给考试机构）";
    AskPerson: "Staff or ID number of {name} ({id}): ", "{name}（{id}）的工号或身份证号：";
    FewFounders: "warning: only {n} founders; with two, losing one key freezes the roster (three are recommended)", "警告：只有 {n} 名创始管理员；只有两名时，丢失一把密钥将冻结名册（建议三名）";
    LedgerCreated: "ledger created in {dir}", "已在 {dir} 创建台账";
    Note: "note: {text}", "注意：{text}";
    FewAdmins: "warning: only {n} active admin(s) left: the roster can no longer change (enrolment and revocation need two admins)", "警告：只剩 {n} 名有效管理员：名册无法再变更（登记和吊销需要两名管理员）";

    // Export, backup and restore.
    BackupWritten: "backup written to {path} ({bytes} bytes)", "备份已写入 {path}（{bytes} 字节）";
    ExportWritten: "export written to {path} ({bytes} bytes)", "导出已写入 {path}（{bytes} 字节）";
    FieldEntries: "entries", "条目数";
    FieldHead: "head", "最新哈希";
    FieldRoot: "root", "根哈希";
    FieldCheckpoint: "checkpoint", "检查点";
    FieldDaily: "daily", "每日检查点";
    FieldSecrets: "secrets", "密钥";
    FieldKept: "kept", "保留";
    CheckpointOf: "of {n} entries, signed by the ledger key", "{n} 条，由台账密钥签名";
    None: "none", "无";
    DailyCheckpoints: "{n} closing checkpoint(s)", "{n} 个每日结账检查点";
    SecretsSealed: "ledger.key and person.key, sealed under the passphrase", "ledger.key 和 person.key，以口令加密";
    SecretsNone: "none: this file is for auditors", "无：此文件供审计人使用";
    KeepBackupApart: "keep the backup and its passphrase apart: together they can sign checkpoints and tag person numbers", "备份文件与其口令请分开保管：两者合在一起可签署检查点并标记人员编号";
    NewBackupPassphrase: "New passphrase for the backup: ", "备份的新口令：";
    BackupPassphrase: "Passphrase of the backup: ", "备份的口令：";
    LedgerRestored: "ledger restored in {dir}", "台账已恢复到 {dir}";
    KeptJournal: "the journal it replaced, as {path}", "被替换的日志，保存为 {path}";
    RestoredFindings: "note: the restored ledger has {n} audit finding(s) (custody, timing or authorization); run `custody verify`", "注意：恢复的台账有 {n} 个审计问题（保管、时限或授权）；请运行 `custody verify`";

    // Drafts and the roster.
    NoRoster: "note: no --roster: the names, roles and keys of the co-signers, and the signatures already in the draft, are not checked on this machine", "注意：未给出 --roster：本机不核对共同签名人的姓名、角色和密钥，也不核对草稿中已有的签名";
    HintPassFile: "the passphrase came from --pass-file {path}; nothing was written", "口令来自 --pass-file {path}；未写入任何内容";
    HintPinFile: "the PIN came from --pass-file {path}; nothing was written", "PIN 来自 --pass-file {path}；未写入任何内容";
    HintTryAgain: "try again; nothing was written", "请重试；未写入任何内容";
    SignedDraft: "signed {file} as {id} ({name})", "已以 {id}（{name}）的身份签署 {file}";
    AllSigned: "every co-signer has signed: append it with `custody submit {file}`", "所有共同签名人均已签名：请用 `custody submit {file}` 追加";
    StillToSign: "still to sign: {ids}", "尚未签名：{ids}";
    NotOnRoster: "warning: {id} is not on the roster; their signature cannot be checked here", "警告：{id} 不在名册中；无法在此核对其签名";
    RosterOlder: "warning: the roster (entry {roster}) is older than the draft (prepared at entry {draft}); a fresh roster may know more keyholders", "警告：名册（第 {roster} 条）早于草稿（准备于第 {draft} 条）；新名册可能包含更多持钥人";
    DraftTooOld: "warning: the ledger has moved {n} entries past the draft's head; the policy allows {max}, so it will be refused (HEAD_TOO_OLD)", "警告：台账已比草稿多出 {n} 条；规则只允许 {max} 条，因此将被拒绝（HEAD_TOO_OLD）";
    NotOnTheRoster: "(not on the roster)", "（不在名册中）";
    CosignerSigned: "signed", "已签名";
    CosignerSigningNow: "signing now", "正在签名";
    CosignerNotYet: "not yet", "尚未签名";
    Cosigners: "co-signers", "共同签名人";
    DraftRefused: "refused: {text}; nothing was written", "已拒绝：{text}；未写入任何内容";
    DraftNotNamed: "{id} (key {key}) is not named as a co-signer of {file}; it names {named}", "{id}（密钥 {key}）不是 {file} 指定的共同签名人；草稿指定的是 {named}";
    HintDraftNotNamed: "only the keyholders the draft names can sign it; check the --sign key file", "只有草稿指定的持钥人才能签署；请检查 --sign 密钥文件";
    DraftSignedAlready: "{id} has already signed {file}", "{id} 已签署过 {file}";
    HintDraftSignedAlready: "each co-signer signs once; pass the draft on to those still missing", "每位共同签名人只签一次；请把草稿交给尚未签名的人";
    HintNewRoster: "export the roster of the draft's ledger with `custody roster --out FILE` on the ledger's machine", "请在台账所在电脑上用 `custody roster --out FILE` 导出该草稿所属台账的名册";
    DraftOtherLedger: "{file} is for ledger {draft}, but the roster is of ledger {roster}", "{file} 属于台账 {draft}，但名册属于台账 {roster}";
    DraftNotOnRoster: "{id} is not on the roster (ledger at entry {size})", "{id} 不在名册中（台账第 {size} 条时的名册）";
    DraftOtherKey: "the key file holds a different public key from the roster's key for {id} ({key}…)", "密钥文件中的公钥与名册中 {id} 的公钥（{key}…）不同";
    HintDraftOtherKey: "sign with your own enrolled key file; if it was replaced, the new key must be enrolled first", "请用本人已登记的密钥文件签名；如已更换密钥，须先登记新密钥";
    DraftRevoked: "{id}'s key was revoked at entry {seq}", "{id} 的密钥已于第 {seq} 条吊销";
    HintDraftRevoked: "that key was revoked; the keyholder must use their new key, and the draft be prepared again", "该密钥已被吊销；持钥人须使用新密钥，草稿须重新准备";
    DraftNotValid: "{id}'s key is not valid at the event time {time}", "{id} 的密钥在事件时间 {time} 不在有效期内";
    DraftAltered: "the draft was altered after {id} signed: their signature in {file} does not verify", "{id} 签名后草稿被改动：{file} 中其签名无法验证";
    DraftIncomplete: "{file} is not fully co-signed: still to sign: {ids}", "{file} 尚未全部签名：尚未签名的有 {ids}";
    HintDraftIncomplete: "each of them runs `custody cosign {file} --sign THEIR.key`, then submit again", "请他们各自运行 `custody cosign {file} --sign 本人.key`，然后再提交";
    HintDraftSubmitted: "this draft was already submitted; there is nothing more to do", "此草稿已提交；无需再做任何事";
    HintDraftAltered: "the draft was altered after it was signed (or signed with another key): prepare the event again and have everyone sign the new draft", "草稿在签名后被修改（或用其他密钥签名）：请重新准备该事件，并让所有人签署新草稿";
    HintDraftTooOld: "the ledger moved on too far since the draft was prepared: prepare it again with `custody draft` and have everyone sign the new draft", "自草稿准备以来台账新增记录过多：请用 `custody draft` 重新准备，并让所有人签署新草稿";
    RosterWritten: "wrote {path}: {n} keyholders ({active} active) and the policy of ledger {ledger} at entry {size}", "已写入 {path}：台账 {ledger} 第 {size} 条时的 {n} 名持钥人（{active} 名有效）及规则";
    RosterUse: "co-signers use it with: custody cosign DRAFT --sign THEIR.key --roster {path}", "共同签名人这样使用：custody cosign 草稿 --sign 本人.key --roster {path}";
    RosterHead: "roster of {exam} at entry {size} (ledger {ledger})", "{exam} 第 {size} 条时的名册（台账 {ledger}）";
    ColId: "ID", "编号";
    ColName: "NAME", "姓名";
    ColRoles: "ROLES", "角色";
    ColStatus: "STATUS", "状态";
    ColValid: "VALID", "有效期";
    Active: "active", "有效";
    RevokedAt: "revoked at entry {seq}", "于第 {seq} 条吊销";
    Always: "always", "长期";
    ValidFrom: "from {from}", "自 {from}";
    ValidUntil: "until {until}", "至 {until}";
    DraftWritten: "wrote draft {path} for {ids}", "已写入草稿 {path}，签名人 {ids}";
    DraftNext: "next, here: custody roster --out roster.json; then each co-signer, with the draft and roster.json, on their machine:", "下一步：先在本机运行 custody roster --out roster.json；然后每位共同签名人带上草稿和 roster.json，在自己的电脑上运行：";
    DraftNextCosign: "  {id}: custody cosign {path} --sign {id}.key --roster roster.json", "  {id}：custody cosign {path} --sign {id}.key --roster roster.json";
    DraftNextSubmit: "then, here: custody submit {path}", "最后在本机运行：custody submit {path}";

    // Checkpoints, proofs and keys.
    CheckpointToSign: "The checkpoint the admins sign ({n} entries):", "管理员签署的检查点（共 {n} 条）：";
    CheckpointSigned: "daily checkpoint signed by {ids} and stored in {path}", "每日检查点已由 {ids} 签署，保存在 {path}";
    ForPaperRegister: "for the paper register:", "抄入纸质登记簿：";
    RegisterMatches: "matches the register: the ledger's first {size} entries are the ones the register saw (run custody verify for the full audit)", "与登记簿一致：台账前 {size} 条正是登记时的内容（完整审计请运行 custody verify）";
    RegisterDiffers: "DOES NOT match the register: the ledger's first {size} entries give {actual}, the register says {code}; they were changed, or the line was miscopied", "与登记簿不符：台账前 {size} 条对应 {actual}，登记簿为 {code}；内容已被改动，或抄写有误";
    RegisterShort: "DOES NOT match the register: it names {size} entries, the ledger has {n}; the ledger was cut", "与登记簿不符：登记簿为 {size} 条，台账只有 {n} 条；台账已被截短";
    ProofWritten: "wrote {path}: entry {seq} (hash {hash}) in the tree of {size} entries, root {root}", "已写入 {path}：条目 {seq}（哈希 {hash}）在 {size} 条的树中，根哈希 {root}";
    ProofCheck: "check it with: custody verify --proof {path}", "用以下命令核对：custody verify --proof {path}";
    LedgerKey: "ledger key", "台账密钥";
    Checkpoints: "checkpoints", "检查点";
    ColKeyId: "KEY ID", "密钥编号";
    ColWho: "WHO", "持有人";
    NoteNames: "signed-note names: {origin} (ledger), {origin}/<id> (keyholders); --note-format prints verifier keys", "签名注记名称：{origin}（台账），{origin}/<编号>（持钥人）；--note-format 输出验证公钥";
    PolicyInForce: "# the policy in force (custody policy set --file reads this format)", "# 现行规则（custody policy set --file 读取此格式）";
    PolicyPending: "note: a policy change recorded at entry {seq} takes effect at {at}", "注意：第 {seq} 条记录的规则变更于 {at} 生效";

    // Many bundles in one audit.
    Progress: "{n} entries, {rate} entries/s{left}", "{n} 条，每秒 {rate} 条{left}";
    ProgressLeft: ", {s} s left", "，剩余 {s} 秒";
    BundleHead: "== bundle {i} of {n}: {bundle}", "== 第 {i} 个包（共 {n} 个）：{bundle}";
    NotAudited: "NOT AUDITED: {text}", "未审计：{text}";
    NotAuditedShort: "NOT AUDITED", "未审计";
    CombinedHead: "combined audit of {n} bundles", "{n} 个包的合并审计";
    Clean: "CLEAN", "无问题";
    NFindings: "{n} FINDING(S)", "{n} 个问题";
    TrustUnmatched: "  trusted genesis {hash} matches none of the bundles", "  信任的创建条目哈希 {hash} 与任何包都不匹配";
    CombinedClean: "verdict: CLEAN, {n} bundles, no findings", "结论：无问题，共 {n} 个包";
    BundlesWithFindings: "{k} of {n} bundles with findings", "{n} 个包中 {k} 个有问题";
    BundlesNotAudited: "{k} not audited", "{k} 个未审计";
    TrustWithoutBundle: "{k} trusted genesis hash(es) without a bundle", "{k} 个信任的创建条目哈希没有对应的包";
    CombinedVerdict: "verdict: {parts}", "结论：{parts}";

    // The command line's own values (issue 12: the help and clap's errors are in src/bin/custody/help.rs).
    ArgBadLang: "{value}: give zh or en", "{value}：请给出 zh 或 en";
    ArgNoteEmpty: "the note is empty: say what happened", "说明为空：请写明发生了什么";
    InitRegisterCheck: "anyone checks the ledger against that line with: custody verify --register \"{line}\"", "任何人都可用此行核对台账：custody verify --register \"{line}\"";
    InitForAuditors: "for auditors only, passed on as a file and never copied by hand: genesis hash {genesis}", "仅供审计人（以文件传递，不要手抄）：创建条目哈希 {genesis}";
    NoSuchFile: "{path}: No such file or directory", "找不到文件 {path}";
    NoPermission: "{path}: Permission denied", "没有读写 {path} 的权限";
    NotADraft: "{path}: not a custody draft (made by custody draft)", "不是本系统的草稿文件：{path}（应由 custody draft 生成）";
    NotASecretKey: "{path}: this is a public key file; --sign needs the .key file", "这是公钥文件：{path}；--sign 需要 .key 私钥文件";
    NotAPublicKey: "{path}: this is a private key file; give the .pub file", "这是私钥文件：{path}；请给出 .pub 公钥文件";
    PassFileUnreadable: "cannot read the passphrase file: {why}", "无法读取口令文件：{why}";
    ListedWas: "; was {old}", "；原为 {old}";
    ListedChanges: "; changes {changes}", "；变更 {changes}";
    ListedNoRuleChanged: "; changes no rule", "；未变更任何规则";

    // Posts and granted roles (issue 17), and the genesis policy in full.
    EventAssign: "assign", "岗位安排";
    EventGrant: "grant", "增授角色";
    WhyWrongPost: "a signer co-signed where they are not posted for the session", "签名人不在该场次为其安排的岗位上";
    WhyOffDuty: "a custodian or supervisor signed where or when they are not on duty", "保管员或监督员在非值守地点或时段签名";
    DetailAssignSite: "posts at {site} for session {session}: {posts}", "场次 {session} 在 {site} 的岗位：{posts}";
    AssignChief: "chief examiner {id}", "主考 {id}";
    AssignRoom: "{room} invigilators {ids}", "{room} 监考员 {ids}";
    DetailAssignDuty: "on duty at {place} from {from} to {until}: custodians {custodians}; supervisors {supervisors}", "{place} 值守，{from} 至 {until}：保管员 {custodians}；监督员 {supervisors}";
    DutyCabinet: "cabinet {cabinet}", "保密柜 {cabinet}";
    Nobody: "nobody", "无";
    DetailGrant: "{id} is granted the role {role}", "{id} 增授角色：{role}";
    ReportNoAssignments: "no assignments recorded for session {session}", "场次 {session} 未记录岗位安排";
    PolicyLine: "{label}: {value} ({name})", "{label}：{value}（{name}）";
    PolicyCosigners: "who co-signs {event}", "{event}的共同签名人";
    PolicyAnyTwo: "any two keyholders", "任意两名持钥人";
    PolicyOr: " or ", " 或 ";
    PolicyNone: "(none)", "（无）";
    PolicyYes: "yes", "是";
    PolicyNo: "no", "否";
    PolicyOff: "off", "关闭";
    PolicyDays: "{n} d", "{n} 天";
    PolicyHours: "{n} h", "{n} 小时";
    PolicyHoursMinutes: "{h} h {m} min", "{h} 小时 {m} 分钟";
    PolicyMinutes: "{n} min", "{n} 分钟";
    PolicySeconds: "{n} s", "{n} 秒";
    PolicyEntries: "{n} entries", "{n} 条";
    PolicySeparatedRoles: "roles one person may not hold together", "同一人不得兼任的角色";
    PolicyTokensRequired: "roles that must sign with a token", "须用硬件令牌签名的角色";
    PolicyOpenQuestionPapers: "question papers opened at most this long before the start", "试卷袋最早于开考前多久启封";
    PolicyOpenAnswerSheets: "blank answer sheets opened at most this long before the start", "空白答题卡袋最早于开考前多久启封";
    PolicySpareIncident: "spare papers opened only with an incident note", "备用卷须附事件说明方可启封";
    PolicyOpenLate: "an opening later than this after the start is late", "开考后超过此时长启封即为迟开";
    PolicyMaxHold: "papers held by the county at most this long before their session", "试卷在场次开始前最长保管时间";
    PolicyMaxTransit: "longest transit", "最长运送时间";
    PolicySameDay: "answer sheets back in the room the same day", "答卷当天返回保密室";
    PolicyRecordDelay: "an event recorded at most this long after it happened", "事件最迟补记时限";
    PolicyClockTolerance: "clock tolerance", "时钟容差";
    PolicyHeadLag: "entries the ledger may grow between preparing and appending (replay window)", "准备与追加之间台账最多增加的条数（重放窗口）";
    PolicyChangeDelay: "a policy change takes effect after", "规则变更生效延迟";
    PolicyEscortRoles: "roles that may escort", "可担任押运的角色";
    PolicyLeaveBefore: "papers leave the room at most this long before their session", "试卷最早于场次开始前多久离开保密室";
    PolicySealAfterEnd: "answer sheets sealed only after the session ends", "答卷须在场次结束后封装";
    PolicyInspectionGap: "longest time between inspections of a cabinet", "保密柜两次检查的最长间隔";
    PolicyApprovedSenders: "approved printers and carriers papers may be collected from", "可从其领取试卷的印制和承运单位";
    PolicyAnySender: "any sender", "不限";
    PolicyListSeparator: ", ", "、";
    // Cabinets: site cabinets, whole-cabinet inspections, cabinet incidents, reseals.
    EventReseal: "reseal", "重新加封";
    EventCabinet: "register cabinet", "登记保密柜";
    WhyInspectionIncomplete: "an inspection of a cabinet left out a bag in it", "保密柜巡查漏查柜内试卷袋";
    WhyCabinetExposed: "a bag left a cabinet after an incident on it, uninspected", "保密柜出事后试卷袋未经查验即被取用";
    WhyResealUnfounded: "a bag resealed with no broken seal on record", "无封条破损记录而重新加封";
    DetailReseal: "bag {bag} resealed: seal {old} → {new} ({note})", "试卷袋 {bag} 重新加封：封条 {old} → {new}（{note}）";
    DetailCabinetRoom: "cabinet {cabinet} registered in the confidentiality room", "保密柜 {cabinet} 登记于保密室";
    DetailCabinetSite: "cabinet {cabinet} registered at site {site}", "保密柜 {cabinet} 登记于考点 {site}";
    DetailInspectCabinet: "{bags} seals checked, cabinet {cabinet}", "{bags} 封条已查验，保密柜 {cabinet}";
    DetailIncidentCabinet: "{kind} at cabinet {cabinet}: {note} ({bags})", "保密柜 {cabinet} {kind}：{note}（{bags}）";
    ReceiptOldSeal: "Seal found", "原封条";
    ReceiptNewSeal: "New seal", "新封条";
    ResealOf: "seal {old} → {new} ({note})", "封条 {old} → {new}（{note}）";
    NoteReseal: "RESEALED {text}", "重新加封 {text}";
    PlaceSiteCabinet: "cabinet {cabinet} at {site}", "{site} 保密柜 {cabinet}";
    // Papers: voided versions, postponed sessions, the printer's list.
    EventVoid: "void", "作废试卷";
    EventPostpone: "postpone", "推迟场次";
    EventManifest: "manifest", "印制清单";
    WhyPaperVoided: "a bag of a voided paper version was opened", "已作废试卷的袋被启封";
    WhyManifestMismatch: "a collected bag differs from the printer's list", "领取的袋与印制清单不符";
    WhyNotOnManifest: "a collected bag is not on the printer's list", "领取的袋不在印制清单上";
    WhySenderNotApproved: "papers came from a sender not on the approved list", "试卷来自未经核准的发送方";
    DetailVoid: "question papers of session {session} voided ({note})", "场次 {session} 的试卷作废（{note}）";
    DetailPostpone: "session {session} postponed to {span} ({note})", "场次 {session} 推迟至 {span}（{note}）";
    DetailManifest: "printer's list of {n} bags, SHA-256 {sha256}", "印制清单，共 {n} 袋，SHA-256 {sha256}";
    ReceiptVoided: "voided", "作废";
    ReceiptManifestFile: "file SHA-256", "文件 SHA-256";
    ReceiptManifestRows: "bags listed", "清单袋数";
    FindingCorrected: " (corrected at entry {seq})", "（已于第 {seq} 条更正）";
    SummaryListedRow: "{id}  seal {seal}  {count} papers  {session} {site} {room}", "{id}  封条 {seal}  {count} 份  {session} {site} {room}";
    PostponedFrom: "postponed from {span} (entry {seq})", "原定 {span}，已推迟（第 {seq} 条）";
    VoidedPapers: "question papers voided (entry {seq})", "试卷已作废（第 {seq} 条）";
}

/// A bag kind in one word, for tables (JSON uses [`BagKind::as_str`]): questions, blanks (blank
/// answer sheets), spares, answers (completed answer sheets).
pub fn kind_label(kind: BagKind, lang: Lang) -> &'static str {
    lang.t(match kind {
        BagKind::QuestionPapers => Msg::LabelQuestions,
        BagKind::BlankAnswerSheets => Msg::LabelBlanks,
        BagKind::SparePapers => Msg::LabelSpares,
        BagKind::CompletedAnswerSheets => Msg::LabelAnswers,
    })
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
        // CJK ideographs, and CJK or full-width punctuation for a separator.
        text.chars()
            .any(|c| matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}'))
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
