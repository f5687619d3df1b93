//! Bundles: a ledger in one file. An *export* carries the journal exactly as it is on disk, the
//! ledger's latest automatic checkpoint and every daily closing checkpoint, so that an auditor
//! can verify the ledger on a machine that has nothing else; it holds no secret. A *backup* is
//! the same plus the ledger's two secrets (`ledger.key`, `person.key`) sealed under a
//! passphrase, and [`restore`] rebuilds a working ledger from it after auditing it against every
//! checkpoint the target directory and the operator hold.
//!
//! # Layout (`docs/FORMAT.md` has it byte for byte)
//!
//! ```text
//! "CUSTBNDL" ‖ version u8 (1) ‖ flags u8 (bit 0: secrets present) ‖ ledger id (16 bytes)
//! then sections, each  kind u8 ‖ len u64 LE ‖ len bytes,  in this order:
//!   1  the latest automatic checkpoint note       0 or 1,  ≤ 64 KiB, UTF-8
//!   2  a daily checkpoint: name_len u8 ‖ file name ‖ note    0..=10,000, note ≤ 64 KiB
//!   3  the sealed secrets (backup only)            exactly 1 iff flag bit 0, ≤ 4096 bytes
//!   4  the journal file, header included           exactly 1, last, ends the file exactly
//! ```
//!
//! Export and backup read the ledger without its writer lock, like `verify`: they read the
//! checkpoints first (a writer signs a checkpoint only after the entries it covers are on disk),
//! then copy the journal up to its last complete record, byte for byte. The bundle is written
//! under a temporary name, fsynced, and linked into place only if nothing is there.

mod restore;
mod write;

pub use restore::{RestoreOptions, Restored, restore};
pub use write::{Seal, Written, read_checkpoint_file, write};

use crate::audit::evidence::Named;
use crate::audit::verify::{self as audit, AuditError, Options, Report};
use crate::format::note::MAX_NOTE;
use crate::keys::keyfile::KeyFileError;
use crate::ledger::{CHECKPOINT, CHECKPOINTS, ErrorClass, LedgerError};
use crate::model::entry::{LedgerId, hex};
use crate::model::finding::Finding;
use crate::store::journal::{self, JournalError, read_full};
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Take};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The first 8 bytes of every bundle.
pub const MAGIC: &[u8; 8] = b"CUSTBNDL";
/// The bundle format version this code writes and reads.
pub const VERSION: u8 = 1;
/// Flag bit 0: the bundle carries the sealed secrets (a backup).
pub const FLAG_SECRETS: u8 = 0x01;
/// Magic, version, flags and ledger id.
pub const PREAMBLE_LEN: usize = 26;

/// Section kinds, in the order they must appear.
pub const KIND_CHECKPOINT: u8 = 1;
pub const KIND_DAILY: u8 = 2;
pub const KIND_SECRETS: u8 = 3;
pub const KIND_JOURNAL: u8 = 4;

/// At most this many daily checkpoints.
pub const MAX_DAILY: usize = 10_000;
/// At most this many bytes of checkpoint notes in all (sections 1 and 2 together).
pub const MAX_NOTES_TOTAL: u64 = 32 * 1024 * 1024;
/// The largest sealed-secrets section.
pub const MAX_SECRETS: usize = 4096;
/// The longest daily checkpoint file name.
pub const MAX_NAME: usize = 255;

/// A section's kind and length.
const SECTION_HEAD: u64 = 9;
/// Plaintext of the sealed secrets: the ledger key's seed, then the person key.
const SECRETS_LEN: usize = 64;
/// The file that keeps a replaced journal.
pub const BEFORE_RESTORE: &str = "journal.before-restore";

/// Why a bundle could not be written, read or restored. [`BundleError::class`] sorts them for
/// exit codes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("{} already exists; refusing to overwrite it", .0.display())]
    Exists(PathBuf),
    #[error("{} is not a usable custody bundle: {reason}", path.display())]
    Malformed { path: PathBuf, reason: String },
    #[error(
        "{} is an export, not a backup: it holds no secrets to rebuild a ledger from (make one with `custody backup`)",
        .0.display()
    )]
    NotABackup(PathBuf),
    #[error(
        "wrong passphrase for the backup {} (or its secrets were altered); nothing was written",
        .0.display()
    )]
    WrongPassphrase(PathBuf),
    /// A checkpoint file given as evidence that cannot be read as one.
    #[error("{}: {reason}", path.display())]
    BadEvidence { path: PathBuf, reason: String },
    /// The ledger directory holds something a restore must not touch or cannot use.
    #[error("{0}")]
    Unusable(String),
    /// Refused by the rules: the bundle would truncate or fork the ledger, fails its audit, or
    /// does not belong to the ledger in the directory.
    #[error("refused: {reason}; nothing was written")]
    Refused {
        reason: String,
        findings: Vec<Finding>,
    },
    /// The ledger directory holds something that cannot be carried in a bundle.
    #[error("{}: {reason}", path.display())]
    Damaged { path: PathBuf, reason: String },
    #[error(transparent)]
    Secrets(KeyFileError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl BundleError {
    /// How the failure should be reported: the binary maps these to exit codes.
    pub fn class(&self) -> ErrorClass {
        match self {
            BundleError::Exists(_)
            | BundleError::Malformed { .. }
            | BundleError::NotABackup(_)
            | BundleError::WrongPassphrase(_)
            | BundleError::BadEvidence { .. }
            | BundleError::Unusable(_)
            | BundleError::Secrets(_) => ErrorClass::Input,
            BundleError::Refused { .. } => ErrorClass::Refused,
            BundleError::Ledger(e) => e.class(),
            BundleError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound => {
                ErrorClass::Input
            }
            BundleError::Journal(JournalError::Io { source, .. })
                if source.kind() == io::ErrorKind::NotFound =>
            {
                ErrorClass::Input
            }
            BundleError::Damaged { .. }
            | BundleError::Journal(_)
            | BundleError::Audit(_)
            | BundleError::Io { .. } => ErrorClass::Storage,
        }
    }
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn malformed(path: &Path, reason: impl Into<String>) -> BundleError {
    BundleError::Malformed {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// The 26 bytes every bundle starts with; also the associated data of the sealed secrets.
pub fn preamble(ledger_id: &LedgerId, secrets: bool) -> [u8; PREAMBLE_LEN] {
    let mut p = [0u8; PREAMBLE_LEN];
    p[..8].copy_from_slice(MAGIC);
    p[8] = VERSION;
    p[9] = if secrets { FLAG_SECRETS } else { 0 };
    p[10..].copy_from_slice(ledger_id);
    p
}

/// Whether `name` may name a daily checkpoint in a bundle, and so a file in `checkpoints/`: one
/// plain path component ending in `.note`, at most 255 bytes, without control characters.
pub fn valid_daily_name(name: &str) -> bool {
    name.len() > ".note".len()
        && name.len() <= MAX_NAME
        && name.ends_with(".note")
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
}

/// A daily closing checkpoint as a bundle carries it: its file name under `checkpoints/` and
/// the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyNote {
    pub name: String,
    pub text: String,
}

/// Everything in a bundle before its journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleHeader {
    pub version: u8,
    pub ledger_id: LedgerId,
    /// The ledger key's latest automatic checkpoint, as a signed note.
    pub checkpoint: Option<String>,
    /// The daily closing checkpoints, in the order of their file names.
    pub daily: Vec<DailyNote>,
    /// The sealed secrets of a backup; `None` in an export.
    pub sealed_secrets: Option<Vec<u8>>,
    /// Where the journal section's bytes start in the file, and how many there are.
    pub journal_offset: u64,
    pub journal_len: u64,
}

impl BundleHeader {
    /// Whether this is a backup (it carries the ledger's secrets, sealed).
    pub fn has_secrets(&self) -> bool {
        self.sealed_secrets.is_some()
    }

    /// The bundle's checkpoints as audit evidence, labelled `LABEL: checkpoint` and
    /// `LABEL: checkpoints/NAME`, in the order `verify --ledger` reads them from a directory.
    pub fn evidence(&self, label: &str) -> Vec<Named> {
        let mut out = Vec::new();
        if let Some(text) = &self.checkpoint {
            out.push(Named {
                label: format!("{label}: {CHECKPOINT}"),
                text: text.clone(),
            });
        }
        for d in &self.daily {
            out.push(Named {
                label: format!("{label}: {CHECKPOINTS}/{}", d.name),
                text: d.text.clone(),
            });
        }
        out
    }

    /// Decrypts the secrets of a backup. `path` names the bundle in errors.
    pub fn secrets(&self, passphrase: &[u8], path: &Path) -> Result<Secrets, BundleError> {
        let Some(sealed) = &self.sealed_secrets else {
            return Err(BundleError::NotABackup(path.to_path_buf()));
        };
        let aad = preamble(&self.ledger_id, true);
        let plain = crate::keys::sealed::open_with_passphrase(sealed, passphrase, &aad).map_err(
            |e| match e {
                KeyFileError::WrongPassphrase { .. } => {
                    BundleError::WrongPassphrase(path.to_path_buf())
                }
                other => BundleError::Secrets(other),
            },
        )?;
        if plain.len() != SECRETS_LEN {
            return Err(malformed(
                path,
                format!(
                    "its secrets are {} bytes, not the {SECRETS_LEN} of two keys",
                    plain.len()
                ),
            ));
        }
        let mut ledger_key = Zeroizing::new([0u8; 32]);
        let mut person_key = Zeroizing::new([0u8; 32]);
        ledger_key.copy_from_slice(&plain[..32]);
        person_key.copy_from_slice(&plain[32..]);
        Ok(Secrets {
            ledger_key,
            person_key,
        })
    }
}

/// The ledger's two secrets, as a backup carries them.
pub struct Secrets {
    /// The 32-byte Ed25519 seed of the ledger (checkpoint) key: `ledger.key`.
    pub ledger_key: Zeroizing<[u8; 32]>,
    /// The 32-byte HMAC key for person tags: `person.key`.
    pub person_key: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets { .. }")
    }
}

/// The journal section of an open bundle, streamed from the file. It yields exactly the
/// section's bytes; if the file turns out shorter (it shrank after it was opened) reading fails
/// with `UnexpectedEof` rather than ending early, so an audit never mistakes it for a cut journal.
#[derive(Debug)]
pub struct JournalSection {
    inner: Take<BufReader<File>>,
}

impl JournalSection {
    /// Bytes not read yet.
    pub fn remaining(&self) -> u64 {
        self.inner.limit()
    }
}

impl Read for JournalSection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 && self.inner.limit() > 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the bundle ended before its journal section did",
            ));
        }
        Ok(n)
    }
}

/// A bundle opened for reading: its header parsed and checked, its journal ready to stream.
#[derive(Debug)]
pub struct OpenBundle {
    pub header: BundleHeader,
    pub journal: JournalSection,
}

/// Reads exactly `len` bytes (already capped by the caller) of a section's payload.
fn payload(
    input: &mut BufReader<File>,
    len: u64,
    path: &Path,
    what: &str,
) -> Result<Vec<u8>, BundleError> {
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    input
        .by_ref()
        .take(len)
        .read_to_end(&mut buf)
        .map_err(io_at(path))?;
    if (buf.len() as u64) < len {
        return Err(malformed(path, format!("it ends inside the {what}")));
    }
    Ok(buf)
}

fn utf8(bytes: Vec<u8>, path: &Path, what: &str) -> Result<String, BundleError> {
    String::from_utf8(bytes).map_err(|_| malformed(path, format!("the {what} is not UTF-8")))
}

/// Opens a bundle: reads and checks everything before the journal (every length is capped
/// before anything is allocated), checks that the journal section is the rest of the file to
/// the byte and starts with the journal header of the bundle's ledger, and hands the journal
/// section back as a stream.
pub fn open(path: &Path) -> Result<OpenBundle, BundleError> {
    let file = File::open(path).map_err(io_at(path))?;
    let meta = file.metadata().map_err(io_at(path))?;
    if !meta.is_file() {
        return Err(malformed(path, "it is not a file"));
    }
    let file_len = meta.len();
    let mut input = BufReader::with_capacity(1 << 16, file);

    let mut pre = [0u8; PREAMBLE_LEN];
    if read_full(&mut input, &mut pre).map_err(io_at(path))? < PREAMBLE_LEN {
        return Err(malformed(path, "it is shorter than a bundle header"));
    }
    if &pre[..8] != MAGIC {
        return Err(malformed(path, "it does not start with \"CUSTBNDL\""));
    }
    if pre[8] != VERSION {
        return Err(malformed(
            path,
            format!(
                "bundle format version {}; this custody reads version {VERSION}",
                pre[8]
            ),
        ));
    }
    let flags = pre[9];
    if flags & !FLAG_SECRETS != 0 {
        return Err(malformed(path, format!("unknown flags {flags:#04x}")));
    }
    let mut ledger_id = [0u8; 16];
    ledger_id.copy_from_slice(&pre[10..]);

    let mut header = BundleHeader {
        version: VERSION,
        ledger_id,
        checkpoint: None,
        daily: Vec::new(),
        sealed_secrets: None,
        journal_offset: 0,
        journal_len: 0,
    };
    let mut pos = PREAMBLE_LEN as u64;
    let mut last_kind = 0u8;
    let mut notes_total = 0u64;
    loop {
        if pos == file_len {
            return Err(malformed(path, "it has no journal section"));
        }
        let head = payload(&mut input, SECTION_HEAD, path, "section header")?;
        let kind = head[0];
        let mut len8 = [0u8; 8];
        len8.copy_from_slice(&head[1..]);
        let len = u64::from_le_bytes(len8);
        let start = pos + SECTION_HEAD;
        let end = start
            .checked_add(len)
            .ok_or_else(|| malformed(path, format!("section of kind {kind} is impossibly long")))?;
        let repeated = match kind {
            KIND_CHECKPOINT | KIND_SECRETS | KIND_JOURNAL => last_kind >= kind,
            KIND_DAILY => last_kind > kind,
            _ => {
                return Err(malformed(
                    path,
                    format!("unknown section kind {kind} at byte {pos}"),
                ));
            }
        };
        if repeated {
            return Err(malformed(
                path,
                format!("section of kind {kind} at byte {pos} is repeated or out of order"),
            ));
        }
        last_kind = kind;
        if kind == KIND_JOURNAL {
            if (flags & FLAG_SECRETS != 0) != header.sealed_secrets.is_some() {
                return Err(malformed(
                    path,
                    "its flags and its sections disagree about the secrets",
                ));
            }
            if end != file_len {
                return Err(malformed(
                    path,
                    format!(
                        "the journal section declares {len} bytes, but {} follow it",
                        file_len.saturating_sub(start)
                    ),
                ));
            }
            if len < journal::HEADER_LEN {
                return Err(malformed(
                    path,
                    "the journal section is shorter than a journal header",
                ));
            }
            let found = payload(&mut input, journal::HEADER_LEN, path, "journal header")?;
            let expected = journal::header(&ledger_id);
            if found[..8] != expected[..8] {
                return Err(malformed(
                    path,
                    "its journal section is not a custody journal",
                ));
            }
            if found[8..12] != expected[8..12] {
                return Err(malformed(
                    path,
                    "its journal has a format version this custody does not read",
                ));
            }
            if found[..] != expected[..] {
                return Err(malformed(
                    path,
                    format!(
                        "the bundle names ledger {} but its journal is of ledger {}",
                        hex(&ledger_id),
                        hex(&found[12..])
                    ),
                ));
            }
            input.seek(SeekFrom::Start(start)).map_err(io_at(path))?;
            header.journal_offset = start;
            header.journal_len = len;
            return Ok(OpenBundle {
                header,
                journal: JournalSection {
                    inner: input.take(len),
                },
            });
        }
        if end > file_len {
            return Err(malformed(
                path,
                format!(
                    "section of kind {kind} at byte {pos} declares {len} bytes, past the end of the file"
                ),
            ));
        }
        match kind {
            KIND_CHECKPOINT => {
                if len > MAX_NOTE as u64 {
                    return Err(malformed(path, "its checkpoint is over 64 KiB"));
                }
                notes_total += len;
                let bytes = payload(&mut input, len, path, "checkpoint")?;
                header.checkpoint = Some(utf8(bytes, path, "checkpoint")?);
            }
            KIND_DAILY => {
                if header.daily.len() >= MAX_DAILY {
                    return Err(malformed(
                        path,
                        format!("it has more than {MAX_DAILY} daily checkpoints"),
                    ));
                }
                if len > (1 + MAX_NAME + MAX_NOTE) as u64 || len < 1 {
                    return Err(malformed(
                        path,
                        format!("daily checkpoint at byte {pos} has an impossible length {len}"),
                    ));
                }
                notes_total += len;
                if notes_total > MAX_NOTES_TOTAL {
                    return Err(malformed(path, "its checkpoints are over 32 MiB in all"));
                }
                let bytes = payload(&mut input, len, path, "daily checkpoint")?;
                let name_len = usize::from(bytes[0]);
                if bytes.len() < 1 + name_len || bytes.len() - 1 - name_len > MAX_NOTE {
                    return Err(malformed(
                        path,
                        format!("daily checkpoint at byte {pos} has a bad name length"),
                    ));
                }
                let name = std::str::from_utf8(&bytes[1..1 + name_len])
                    .ok()
                    .filter(|n| valid_daily_name(n))
                    .ok_or_else(|| {
                        malformed(
                            path,
                            format!("daily checkpoint at byte {pos} has an unusable file name"),
                        )
                    })?
                    .to_string();
                if header.daily.iter().any(|d| d.name == name) {
                    return Err(malformed(
                        path,
                        format!("daily checkpoint {name} appears twice"),
                    ));
                }
                let text = utf8(bytes[1 + name_len..].to_vec(), path, "daily checkpoint")?;
                header.daily.push(DailyNote { name, text });
            }
            KIND_SECRETS => {
                if flags & FLAG_SECRETS == 0 {
                    return Err(malformed(
                        path,
                        "it carries secrets although its flags say it does not",
                    ));
                }
                if len == 0 || len > MAX_SECRETS as u64 {
                    return Err(malformed(
                        path,
                        "its secrets section has an impossible length",
                    ));
                }
                header.sealed_secrets = Some(payload(&mut input, len, path, "secrets")?);
            }
            // The journal returned above; other kinds were refused before.
            _ => {}
        }
        pos = end;
    }
}

/// Audits a bundle's journal against its own checkpoints and the evidence given, with the
/// same audit as `verify --ledger`.
pub fn verify(path: &Path, mut options: Options) -> Result<Report, BundleError> {
    let bundle = open(path)?;
    let mut checkpoints = bundle.header.evidence(&path.display().to_string());
    checkpoints.append(&mut options.evidence.checkpoints);
    options.evidence.checkpoints = checkpoints;
    let report = audit::verify_reader(bundle.journal, path, &options)?;
    Ok(report)
}
