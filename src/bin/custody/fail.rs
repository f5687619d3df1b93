//! Failures as the user sees them: one or two lines, and the exit code of PRODUCT.md.

use custody::audit::AuditError;
use custody::finding::{Code, Finding};
use custody::journal::JournalError;
use custody::keyfile::KeyFileError;
use custody::ledger::{ErrorClass, LedgerError};
use std::fmt;

pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_INPUT: u8 = 2;
pub const EXIT_REFUSED: u8 = 3;
pub const EXIT_BUSY: u8 = 4;
pub const EXIT_STORAGE: u8 = 5;

/// A failure with its exit code, its message and, where one helps, what to do.
#[derive(Debug)]
pub struct Fail {
    pub code: u8,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\nhint: {h}")?;
        }
        Ok(())
    }
}

pub fn input(message: impl Into<String>) -> Fail {
    Fail {
        code: EXIT_INPUT,
        message: message.into(),
        hint: None,
    }
}

impl From<KeyFileError> for Fail {
    fn from(e: KeyFileError) -> Fail {
        input(e.to_string())
    }
}

impl From<JournalError> for Fail {
    fn from(e: JournalError) -> Fail {
        match &e {
            JournalError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                input(e.to_string())
            }
            _ => Fail {
                code: EXIT_STORAGE,
                message: e.to_string(),
                hint: None,
            },
        }
    }
}

impl From<AuditError> for Fail {
    fn from(e: AuditError) -> Fail {
        match e {
            AuditError::Journal(j) => j.into(),
            other => Fail {
                code: EXIT_STORAGE,
                message: other.to_string(),
                hint: None,
            },
        }
    }
}

impl From<LedgerError> for Fail {
    fn from(e: LedgerError) -> Fail {
        let code = match e.class() {
            ErrorClass::Input => EXIT_INPUT,
            ErrorClass::Refused => EXIT_REFUSED,
            ErrorClass::Busy => EXIT_BUSY,
            ErrorClass::Storage => EXIT_STORAGE,
        };
        let disk = matches!(
            e,
            LedgerError::Io { .. } | LedgerError::Journal(JournalError::Io { .. })
        );
        match e {
            LedgerError::Refused(findings) => refused(&findings),
            other => Fail {
                code,
                message: other.to_string(),
                // An append that failed on the disk was cut back: the ledger is as it was.
                hint: disk.then(|| {
                    "check the disk (free space, permissions, read-only mount); nothing was written, so run the command again once it is fixed".to_string()
                }),
            },
        }
    }
}

/// A refusal by the rules: the first finding, how many more, and what to do about it.
pub fn refused(findings: &[Finding]) -> Fail {
    let Some(first) = findings.first() else {
        return Fail {
            code: EXIT_REFUSED,
            message: "refused by the ledger's rules".into(),
            hint: None,
        };
    };
    let more = match findings.len() {
        1 => String::new(),
        n if n > 6 => {
            let mut codes: Vec<&str> = findings[1..].iter().map(|f| f.code.as_str()).collect();
            codes.sort();
            codes.dedup();
            format!(" (and {} more: {})", n - 1, codes.join(", "))
        }
        n => format!(
            " (and {} more: {})",
            n - 1,
            findings[1..]
                .iter()
                .map(|f| f.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Fail {
        code: EXIT_REFUSED,
        message: format!(
            "refused [{}]: {}{more}; nothing was written",
            first.code, first.message
        ),
        hint: hint(first.code).map(str::to_string),
    }
}

fn hint(code: Code) -> Option<&'static str> {
    if code.refusal() == custody::finding::Refusal::UnlessNoted {
        return Some(
            "check the bag, seal and time; if this really happened, record it with --incident \"what happened\": the audit will report it",
        );
    }
    Some(match code {
        Code::TooFewSigners | Code::SignerTwice => {
            "every event needs two different people: give --sign once for each co-signer"
        }
        Code::SamePerson => {
            "two of the keys belong to one person: each co-signer must be a different person"
        }
        Code::RoleSeparation => {
            "give the keyholder one of the two roles; another person takes the other"
        }
        Code::EnrollInvalid => "check the .pub file, the roles and the validity window",
        Code::KeyInUse => {
            "every keyholder needs their own key: run custody keygen for the new keyholder"
        }
        Code::SignerUnknown => {
            "enrol the keyholder first (custody enroll), or check the --sign key file"
        }
        Code::SignerRevoked => "that key was revoked; the keyholder must use their new key",
        Code::SignerNotValid => "the key is outside its validity window at the event time (--at)",
        Code::RoleMissing => "ask a keyholder with the required role to co-sign",
        Code::FutureEvent => "the event time (--at) lies in the future; check it and the clock",
        Code::IdInUse => "revoke the old key first (custody revoke), then enrol the new one",
        Code::PersonDuplicate => "one person holds one active key: revoke their other key first",
        Code::SelfEnroll => "two other admins must co-sign an admin's enrolment",
        Code::HeadUnknown | Code::HeadTooOld => {
            "the ledger moved on; prepare and sign the event again"
        }
        _ => return None,
    })
}
