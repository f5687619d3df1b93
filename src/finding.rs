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
}

macro_rules! codes {
    ($($variant:ident = $text:literal, $cat:ident;)*) => {
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
        }
    };
}

codes! {
    JournalHeader = "JOURNAL_HEADER", Integrity;
    Framing = "FRAMING", Integrity;
    Encoding = "ENCODING", Integrity;
    Sequence = "SEQUENCE", Integrity;
    Chain = "CHAIN", Integrity;
    ClockBackwards = "CLOCK_BACKWARDS", Integrity;
    LedgerId = "LEDGER_ID", Integrity;
    GenesisMissing = "GENESIS_MISSING", Integrity;
    GenesisMisplaced = "GENESIS_MISPLACED", Integrity;
    GenesisUntrusted = "GENESIS_UNTRUSTED", Integrity;
    Signature = "SIGNATURE", Integrity;
    SignersMismatch = "SIGNERS_MISMATCH", Authorization;
    SignerTwice = "SIGNER_TWICE", Authorization;
    TooFewSigners = "TOO_FEW_SIGNERS", Authorization;
    SamePerson = "SAME_PERSON", Authorization;
    SignerUnknown = "SIGNER_UNKNOWN", Authorization;
    SignerRevoked = "SIGNER_REVOKED", Authorization;
    SignerNotValid = "SIGNER_NOT_VALID", Authorization;
    RoleMissing = "ROLE_MISSING", Authorization;
    Replay = "REPLAY", Authorization;
    HeadUnknown = "HEAD_UNKNOWN", Authorization;
    HeadTooOld = "HEAD_TOO_OLD", Authorization;
    FutureEvent = "FUTURE_EVENT", Authorization;
    EnrollInvalid = "ENROLL_INVALID", Authorization;
    IdInUse = "ID_IN_USE", Authorization;
    KeyInUse = "KEY_IN_USE", Authorization;
    PersonDuplicate = "PERSON_DUPLICATE", Authorization;
    SelfEnroll = "SELF_ENROLL", Authorization;
    RoleSeparation = "ROLE_SEPARATION", Authorization;
    RevokeUnknown = "REVOKE_UNKNOWN", Authorization;
    GenesisInvalid = "GENESIS_INVALID", Authorization;
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
}

impl Finding {
    pub fn new(code: Code, seq: u64, message: impl Into<String>) -> Finding {
        Finding {
            code,
            category: code.category(),
            seq,
            signer: None,
            bag: None,
            record: None,
            message: message.into(),
        }
    }

    pub fn signer(mut self, id: &str) -> Finding {
        self.signer = Some(id.to_string());
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry {}: {}: {}", self.seq, self.code, self.message)
    }
}
