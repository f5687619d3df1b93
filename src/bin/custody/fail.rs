//! Failures as the user sees them: one or two lines, and the exit code of PRODUCT.md.

use custody::audit::verify::AuditError;
use custody::finding::{Code, Finding};
use custody::i18n::Msg;
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
            write!(f, "\n{}{h}", crate::lang().t(Msg::HintPrefix))?;
        }
        Ok(())
    }
}

impl Fail {
    /// In Chinese, what kind of failure this is, before a detail that is still English (a
    /// message from the catalogue starts with Chinese and needs none); nothing in English, where
    /// the message says it all.
    pub fn class_prefix(&self, lang: custody::i18n::Lang) -> &'static str {
        let translated = self.message.chars().next().is_some_and(|c| !c.is_ascii());
        if lang == custody::i18n::Lang::En || translated {
            return "";
        }
        lang.t(match self.code {
            EXIT_REFUSED => Msg::FailRefused,
            EXIT_BUSY => Msg::FailBusy,
            EXIT_STORAGE => Msg::FailStorage,
            _ => Msg::FailInput,
        })
    }
}

/// Refuses an output file that exists (a dangling link too), before anything is asked, read or
/// written: no command overwrites a file.
pub fn fresh(out: &std::path::Path) -> Result<(), Fail> {
    if std::fs::symlink_metadata(out).is_ok() {
        return Err(exists(out));
    }
    Ok(())
}

fn exists(out: &std::path::Path) -> Fail {
    input(crate::lang().f(Msg::FileExists, &[("path", &out.display())]))
}

/// Writes an output file whole or not at all, never over an existing file nor through a link
/// (custody::journal::write_new). A place that cannot hold the file (no such directory, no
/// permission) is bad input; a failing disk is a storage failure.
pub fn write_out(out: &std::path::Path, bytes: &[u8]) -> Result<(), Fail> {
    use std::io::ErrorKind;
    custody::journal::write_new(out, bytes, custody::journal::Access::Shared).map_err(|e| {
        let code = match e.kind() {
            ErrorKind::AlreadyExists => return exists(out),
            ErrorKind::NotFound | ErrorKind::PermissionDenied | ErrorKind::IsADirectory => {
                EXIT_INPUT
            }
            _ => EXIT_STORAGE,
        };
        Fail {
            code,
            message: format!("{}: {e}", out.display()),
            hint: None,
        }
    })
}

/// A file that cannot be read, in the reader's words where the reason is a common one (no such
/// file, no permission); the system's words otherwise.
pub fn io_text(path: &std::path::Path, e: &std::io::Error) -> String {
    let lang = crate::lang();
    let path = path.display();
    match e.kind() {
        std::io::ErrorKind::NotFound => lang.f(Msg::NoSuchFile, &[("path", &path)]),
        std::io::ErrorKind::PermissionDenied => lang.f(Msg::NoPermission, &[("path", &path)]),
        _ => format!("{path}: {e}"),
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
        let lang = crate::lang();
        let hint = match &e {
            KeyFileError::NotPrivate { path, .. } => {
                Some(lang.f(Msg::HintChmod, &[("path", &path.display())]))
            }
            KeyFileError::WeakPassphrase { .. } => Some(lang.t(Msg::HintPassphrase).into()),
            _ => None,
        };
        Fail {
            hint,
            ..input(match &e {
                KeyFileError::WrongPassphrase { id } => lang.f(Msg::WrongPassphrase, &[("id", id)]),
                KeyFileError::EmptyPassphrase => lang.t(Msg::EmptyPassphrase).to_string(),
                KeyFileError::Io { path, source } => io_text(path, source),
                KeyFileError::NotASecretKey(path) => {
                    lang.f(Msg::NotASecretKey, &[("path", &path.display())])
                }
                KeyFileError::NotAPublicKey(path) => {
                    lang.f(Msg::NotAPublicKey, &[("path", &path.display())])
                }
                _ => e.to_string(),
            })
        }
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

/// The exit code of PRODUCT.md for a class of library error.
pub fn exit_code(class: ErrorClass) -> u8 {
    match class {
        ErrorClass::Input => EXIT_INPUT,
        ErrorClass::Refused => EXIT_REFUSED,
        ErrorClass::Busy => EXIT_BUSY,
        ErrorClass::Storage => EXIT_STORAGE,
    }
}

impl From<LedgerError> for Fail {
    fn from(e: LedgerError) -> Fail {
        let code = exit_code(e.class());
        let disk = matches!(
            e,
            LedgerError::Io { .. } | LedgerError::Journal(JournalError::Io { .. })
        );
        let lang = crate::lang();
        match e {
            LedgerError::Refused(findings) => refused(&findings),
            LedgerError::ForeignPersonKey(_) => Fail {
                code,
                message: e.to_string(),
                hint: Some(lang.t(Msg::HintPersonKey).to_string()),
            },
            LedgerError::NotALedger(dir) => Fail {
                code,
                message: lang.f(Msg::NoLedger, &[("dir", &dir.display())]),
                hint: None,
            },
            LedgerError::Busy(dir) => Fail {
                code,
                message: lang.f(Msg::LedgerBusy, &[("dir", &dir.display())]),
                hint: None,
            },
            other => Fail {
                code,
                message: other.to_string(),
                // An append that failed on the disk was cut back: the ledger is as it was.
                hint: disk.then(|| lang.t(Msg::HintDisk).to_string()),
            },
        }
    }
}

/// A refusal by the rules: the first finding, how many more, and what to do about it.
pub fn refused(findings: &[Finding]) -> Fail {
    let lang = crate::lang();
    let Some(first) = findings.first() else {
        return Fail {
            code: EXIT_REFUSED,
            message: lang.t(Msg::RefusedByRules).into(),
            hint: None,
        };
    };
    // Each other code once, in the order found, with how often it was found: a replayed
    // collection of thirty bags is one line, not thirty codes (issue 12).
    let mut codes: Vec<(Code, usize)> = Vec::new();
    for f in &findings[1..] {
        match codes.iter_mut().find(|(c, _)| *c == f.code) {
            Some((_, n)) => *n += 1,
            None => codes.push((f.code, 1)),
        }
    }
    let more = if codes.is_empty() {
        String::new()
    } else {
        let listed: Vec<String> = codes
            .iter()
            .map(|(code, n)| match n {
                1 => code.as_str().to_string(),
                n => format!("{} ×{n}", code.as_str()),
            })
            .collect();
        lang.f(
            Msg::RefusedMore,
            &[("n", &(findings.len() - 1)), ("codes", &listed.join(", "))],
        )
    };
    Fail {
        code: EXIT_REFUSED,
        message: lang.f(
            Msg::Refused,
            &[
                ("code", &first.code),
                ("text", &custody::present::labels::finding_text(first, lang)),
                ("more", &more),
            ],
        ),
        hint: hint(first.code).map(|m| lang.t(m).to_string()),
    }
}

fn hint(code: Code) -> Option<Msg> {
    if code == Code::TokenRequired {
        return Some(Msg::HintTokenRequired);
    }
    if code.refusal() == custody::finding::Refusal::UnlessNoted {
        return Some(Msg::HintIncident);
    }
    Some(match code {
        Code::TooFewSigners | Code::SignerTwice => Msg::HintTwoPeople,
        Code::SamePerson => Msg::HintSamePerson,
        Code::RoleSeparation => Msg::HintRoleSeparation,
        Code::EnrollInvalid => Msg::HintEnrollInvalid,
        Code::KeyInUse => Msg::HintKeyInUse,
        Code::SignerUnknown => Msg::HintSignerUnknown,
        Code::SignerRevoked => Msg::HintSignerRevoked,
        Code::SignerNotValid => Msg::HintSignerNotValid,
        Code::RoleMissing => Msg::HintRoleMissing,
        Code::FutureEvent => Msg::HintFutureEvent,
        Code::IdInUse => Msg::HintIdInUse,
        Code::PersonDuplicate => Msg::HintPersonDuplicate,
        Code::SelfEnroll => Msg::HintSelfEnroll,
        Code::HeadUnknown | Code::HeadTooOld => Msg::HintHeadMoved,
        _ => return None,
    })
}
