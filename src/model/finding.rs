//! Findings: what the rules say about an entry, with a stable code, the entry, and who.

use serde::Serialize;
use std::fmt;

/// Which part of the audit report a finding belongs to.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The bytes: framing, encoding, sequence, chain, signatures, the trusted genesis.
    Integrity,
    /// Who signed: roster, roles, two people, replay, the head the signers saw.
    Authorization,
    /// An event that contradicts itself or names what does not exist: always refused.
    Event,
    /// Where bags are, their seals and counts, how they were opened.
    Custody,
    /// Opening windows, transit and holding limits, same-day returns, late records.
    Timing,
}

/// How grave a finding is, for the order in which an auditor reads them. It follows from the
/// code alone ([`Code::severity`]): integrity critical; authorization, event and custody high;
/// timing medium; a late record low.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The record itself cannot be relied on: changed, cut, forked, badly signed.
    Critical,
    /// Someone acted without the authority or the two people the rules require, or a bag's
    /// custody was broken.
    High,
    /// A time rule broken: opened early or late, held or in transit too long.
    Medium,
    /// Recorded late: the event is there, only its record came after the allowed delay.
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// The JSON form: `critical`, `high`, `medium`, `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the append path does with a finding. The audit reports every finding whatever this says.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Never appended.
    Always,
    /// A fact that breaks a rule: appended only with an incident note, and always reported.
    UnlessNoted,
    /// Appended; the audit reports it (a draft submitted late, a bag still open at the end).
    Never,
}

macro_rules! codes {
    ($($variant:ident = $text:literal, $cat:ident, $refusal:ident;)*) => {
        /// Stable finding codes. The text form is part of the audit's public contract.
        #[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $(#[serde(rename = $text)] $variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            pub fn category(self) -> Category {
                match self { $(Code::$variant => Category::$cat,)* }
            }

            pub fn refusal(self) -> Refusal {
                match self { $(Code::$variant => Refusal::$refusal,)* }
            }

            /// How grave a finding with this code is: integrity critical; authorization,
            /// event and custody high; timing medium, except `LATE_RECORD`, low. A declared
            /// incident by its kind: a lost bag critical (its papers are out of every
            /// custody), damage and other incidents medium.
            pub fn severity(self) -> Severity {
                match (self, self.category()) {
                    (Code::LateRecord, _) => Severity::Low,
                    (Code::IncidentLost, _) => Severity::Critical,
                    (Code::IncidentDamaged | Code::IncidentOther, _) => Severity::Medium,
                    (_, Category::Integrity) => Severity::Critical,
                    (_, Category::Authorization | Category::Event | Category::Custody) => {
                        Severity::High
                    }
                    (_, Category::Timing) => Severity::Medium,
                }
            }
        }
    };
}

codes! {
    JournalHeader = "JOURNAL_HEADER", Integrity, Always;
    Framing = "FRAMING", Integrity, Always;
    Encoding = "ENCODING", Integrity, Always;
    Sequence = "SEQUENCE", Integrity, Always;
    Chain = "CHAIN", Integrity, Always;
    ClockBackwards = "CLOCK_BACKWARDS", Integrity, Always;
    LedgerId = "LEDGER_ID", Integrity, Always;
    GenesisMissing = "GENESIS_MISSING", Integrity, Always;
    GenesisMisplaced = "GENESIS_MISPLACED", Integrity, Always;
    GenesisUntrusted = "GENESIS_UNTRUSTED", Integrity, Always;
    CheckpointInvalid = "CHECKPOINT_INVALID", Integrity, Always;
    CheckpointUntrusted = "CHECKPOINT_UNTRUSTED", Integrity, Always;
    Truncated = "TRUNCATED", Integrity, Always;
    Forked = "FORKED", Integrity, Always;
    ProofInvalid = "PROOF_INVALID", Integrity, Always;
    Signature = "SIGNATURE", Integrity, Always;
    SignersMismatch = "SIGNERS_MISMATCH", Authorization, Always;
    SignerTwice = "SIGNER_TWICE", Authorization, Always;
    TooFewSigners = "TOO_FEW_SIGNERS", Authorization, Always;
    SamePerson = "SAME_PERSON", Authorization, Always;
    SignerUnknown = "SIGNER_UNKNOWN", Authorization, Always;
    SignerRevoked = "SIGNER_REVOKED", Authorization, Always;
    SignerNotValid = "SIGNER_NOT_VALID", Authorization, Always;
    RoleMissing = "ROLE_MISSING", Authorization, Always;
    TokenRequired = "TOKEN_REQUIRED", Authorization, UnlessNoted;
    Replay = "REPLAY", Authorization, Always;
    HeadUnknown = "HEAD_UNKNOWN", Authorization, Always;
    HeadTooOld = "HEAD_TOO_OLD", Authorization, Always;
    FutureEvent = "FUTURE_EVENT", Authorization, Always;
    EnrollInvalid = "ENROLL_INVALID", Authorization, Always;
    IdInUse = "ID_IN_USE", Authorization, Always;
    KeyInUse = "KEY_IN_USE", Authorization, Always;
    PersonDuplicate = "PERSON_DUPLICATE", Authorization, Always;
    SelfEnroll = "SELF_ENROLL", Authorization, Always;
    RoleSeparation = "ROLE_SEPARATION", Authorization, Always;
    RevokeUnknown = "REVOKE_UNKNOWN", Authorization, Always;
    GenesisInvalid = "GENESIS_INVALID", Authorization, Always;
    EventInvalid = "EVENT_INVALID", Event, Always;
    SessionUnknown = "SESSION_UNKNOWN", Event, Always;
    CorrectionInvalid = "CORRECTION_INVALID", Event, Always;
    BagNotCollected = "BAG_NOT_COLLECTED", Custody, UnlessNoted;
    BagAlreadyCollected = "BAG_ALREADY_COLLECTED", Custody, UnlessNoted;
    WrongPlace = "WRONG_PLACE", Custody, UnlessNoted;
    WrongDestination = "WRONG_DESTINATION", Custody, UnlessNoted;
    SealMismatch = "SEAL_MISMATCH", Custody, UnlessNoted;
    CountMismatch = "COUNT_MISMATCH", Custody, UnlessNoted;
    SheetsExceedPapers = "SHEETS_EXCEED_PAPERS", Custody, UnlessNoted;
    OpenTwice = "OPEN_TWICE", Custody, UnlessNoted;
    OpenWrongRoom = "OPEN_WRONG_ROOM", Custody, UnlessNoted;
    OpenNotAllowed = "OPEN_NOT_ALLOWED", Custody, UnlessNoted;
    SpareOpened = "SPARE_OPENED", Custody, UnlessNoted;
    AfterRelease = "AFTER_RELEASE", Custody, UnlessNoted;
    EscortNotSigning = "ESCORT_NOT_SIGNING", Custody, UnlessNoted;
    EscortNotOnDispatch = "ESCORT_NOT_ON_DISPATCH", Custody, UnlessNoted;
    CorrectionAfterMove = "CORRECTION_AFTER_MOVE", Custody, UnlessNoted;
    IncidentLost = "INCIDENT_LOST", Custody, Never;
    IncidentBrokenSeal = "INCIDENT_BROKEN_SEAL", Custody, Never;
    IncidentCountMismatch = "INCIDENT_COUNT_MISMATCH", Custody, Never;
    IncidentDamaged = "INCIDENT_DAMAGED", Custody, Never;
    IncidentOther = "INCIDENT_OTHER", Custody, Never;
    OpenEarly = "OPEN_EARLY", Timing, UnlessNoted;
    OpenLate = "OPEN_LATE", Timing, UnlessNoted;
    TransitTooLong = "TRANSIT_TOO_LONG", Timing, UnlessNoted;
    ArrivedBeforeDispatch = "ARRIVED_BEFORE_DISPATCH", Timing, UnlessNoted;
    HeldTooLong = "HELD_TOO_LONG", Timing, UnlessNoted;
    AnswerSheetsLate = "ANSWER_SHEETS_LATE", Timing, UnlessNoted;
    RescheduleLate = "RESCHEDULE_LATE", Timing, UnlessNoted;
    OutOfOrder = "OUT_OF_ORDER", Timing, UnlessNoted;
    SealedEarly = "SEALED_EARLY", Timing, UnlessNoted;
    LeftEarly = "LEFT_EARLY", Timing, UnlessNoted;
    InspectionOverdue = "INSPECTION_OVERDUE", Timing, Never;
    LateRecord = "LATE_RECORD", Timing, Never;
    StillInTransit = "STILL_IN_TRANSIT", Custody, Never;
    NotReturned = "NOT_RETURNED", Custody, Never;
    SheetsNotBack = "SHEETS_NOT_BACK", Timing, Never;
    // Posts (issue 17): who may sign where.
    WrongPost = "WRONG_POST", Authorization, UnlessNoted;
    OffDuty = "OFF_DUTY", Authorization, UnlessNoted;
    // Cabinets (issue 17 items 4-6, issue 15 rule 7): whole-cabinet inspections, cabinet
    // incidents, reseals.
    InspectionIncomplete = "INSPECTION_INCOMPLETE", Custody, UnlessNoted;
    CabinetExposed = "CABINET_EXPOSED", Custody, UnlessNoted;
    ResealUnfounded = "RESEAL_UNFOUNDED", Custody, UnlessNoted;
    // Papers (issue 17, items 7-8): voided versions, the printer's list, approved senders.
    PaperVoided = "PAPER_VOIDED", Custody, UnlessNoted;
    ManifestMismatch = "MANIFEST_MISMATCH", Custody, UnlessNoted;
    NotOnManifest = "NOT_ON_MANIFEST", Custody, UnlessNoted;
    SenderNotApproved = "SENDER_NOT_APPROVED", Custody, UnlessNoted;
}

impl Code {
    /// Whether a finding's `signer` is the keyholder an enrolment or revocation is about, not
    /// one who signed it: the text calls them what they are.
    pub fn is_about_keyholder(self) -> bool {
        matches!(
            self,
            Code::EnrollInvalid
                | Code::IdInUse
                | Code::KeyInUse
                | Code::PersonDuplicate
                | Code::RoleSeparation
                | Code::SelfEnroll
                | Code::RevokeUnknown
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: a rule broken at one entry.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub category: Category,
    /// How grave it is; follows from the code ([`Code::severity`]).
    pub severity: Severity,
    /// The entry's sequence number as the journal holds it; for framing, the record's position.
    pub seq: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bag: Option<String>,
    /// The record's position in the journal file (0 for the first), set by the audit, so that
    /// two records claiming one sequence number can be told apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    pub message: String,
    /// Declared: the signers recorded it with an incident note (or it is a declared incident),
    /// as opposed to a finding nobody declared. In JSON only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub declared: bool,
    /// The entry whose barcode correction put right the bag this finding names at its entry (a
    /// bag recorded under a wrong id): the finding stays listed, shown as corrected. In JSON
    /// only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected: Option<u64>,
}

impl Finding {
    pub fn new(code: Code, seq: u64, message: impl Into<String>) -> Finding {
        Finding {
            code,
            category: code.category(),
            severity: code.severity(),
            seq,
            signer: None,
            bag: None,
            record: None,
            message: message.into(),
            declared: false,
            corrected: None,
        }
    }

    pub fn signer(mut self, id: &str) -> Finding {
        self.signer = Some(id.to_string());
        self
    }

    /// The bag the finding is about, if any.
    pub fn about_bag(mut self, bag: Option<&str>) -> Finding {
        self.bag = bag.map(str::to_string);
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry {}: {}: {}", self.seq, self.code, self.message)
    }
}

/// Whether the append path refuses an entry with these findings: any finding refuses, except
/// custody and timing violations that the signers recorded with an incident note, and those the
/// audit reports without refusing.
pub fn refuses(findings: &[Finding], noted: bool) -> bool {
    findings.iter().any(|f| match f.code.refusal() {
        Refusal::Always => true,
        Refusal::UnlessNoted => !noted,
        Refusal::Never => false,
    })
}
