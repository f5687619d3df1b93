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

use crate::audit::evidence::{Evidence, Named};
use crate::audit::verify::{self as audit, AuditError, Options, Report};
use crate::format::note::{Checkpoint, MAX_NOTE, Note};
use crate::keys::keyfile::{self, KdfParams, KeyFileError};
use crate::ledger::{
    self, CHECKPOINT, CHECKPOINTS, ErrorClass, INDEX, JOURNAL, LEDGER_KEY, LOCK, Ledger,
    LedgerError, PERSON_KEY,
};
use crate::model::entry::{DecodedEntry, Hash, LedgerId, hex, leaf_hash};
use crate::model::event::Event;
use crate::model::finding::{Category, Code, Finding};
use crate::model::roster::person_key_hash;
use crate::store::journal::{self, Access, End, JournalError, Reader, Staged, read_full};
use ed25519_dalek::SigningKey;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, SeekFrom, Take, Write};
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
        let plain =
            keyfile::open_with_passphrase(sealed, passphrase, &aad).map_err(|e| match e {
                KeyFileError::WrongPassphrase { .. } => {
                    BundleError::WrongPassphrase(path.to_path_buf())
                }
                other => BundleError::Secrets(other),
            })?;
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

// ---------------------------------------------------------------------------------------------
// Writing

/// The passphrase and key-derivation cost that seal a backup's secrets.
pub struct Seal<'a> {
    pub passphrase: &'a [u8],
    pub params: KdfParams,
}

/// What an export or a backup wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    /// Size of the bundle file.
    pub bytes: u64,
    /// Size of its journal section.
    pub journal_bytes: u64,
    /// The number of entries the journal claims: its last complete entry's sequence number
    /// plus one (0 when it holds none).
    pub entries: u64,
    /// The entry hash of the last complete entry.
    pub head: Option<Hash>,
    /// The size of the automatic checkpoint carried, if any.
    pub checkpoint_size: Option<u64>,
    pub daily: usize,
    pub secrets: bool,
    /// What the user should know: a damaged journal carried as it is, a tail left out.
    pub notices: Vec<String>,
}

/// Reads a checkpoint note from a file: at most 64 KiB, UTF-8.
fn read_note(path: &Path) -> Result<String, (PathBuf, String)> {
    let file = File::open(path).map_err(|e| (path.to_path_buf(), e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_NOTE as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| (path.to_path_buf(), e.to_string()))?;
    if bytes.len() > MAX_NOTE {
        return Err((
            path.to_path_buf(),
            "over 64 KiB, so it is not a checkpoint note".into(),
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        (
            path.to_path_buf(),
            "not UTF-8, so not a checkpoint note".into(),
        )
    })
}

/// Reads a checkpoint file the operator gives as evidence (`--checkpoint FILE`).
pub fn read_checkpoint_file(path: &Path) -> Result<Named, BundleError> {
    let text =
        read_note(path).map_err(|(path, reason)| BundleError::BadEvidence { path, reason })?;
    Ok(Named {
        label: path.display().to_string(),
        text,
    })
}

/// The checkpoints a ledger directory holds: `checkpoint`, then `checkpoints/*.note` sorted by
/// name (the same files, in the same order, as `ledger::own_evidence`).
fn directory_notes(
    dir: &Path,
    damaged: impl Fn(PathBuf, String) -> BundleError,
) -> Result<(Option<String>, Vec<DailyNote>), BundleError> {
    let latest = dir.join(CHECKPOINT);
    let checkpoint = if latest.is_file() {
        Some(read_note(&latest).map_err(|(p, r)| damaged(p, r))?)
    } else {
        None
    };
    let folder = dir.join(CHECKPOINTS);
    let mut daily = Vec::new();
    let mut total = checkpoint.as_ref().map_or(0, |t| t.len() as u64);
    if folder.is_dir() {
        let mut paths: Vec<PathBuf> = fs::read_dir(&folder)
            .map_err(io_at(&folder))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "note"))
            .collect();
        paths.sort();
        for p in paths {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .filter(|n| valid_daily_name(n))
                .ok_or_else(|| {
                    damaged(
                        p.clone(),
                        "this file name cannot be carried in a bundle; rename it (UTF-8, at most 255 bytes, ending in .note)".into(),
                    )
                })?
                .to_string();
            if daily.len() >= MAX_DAILY {
                return Err(damaged(
                    folder.clone(),
                    format!("more than {MAX_DAILY} daily checkpoints"),
                ));
            }
            let text = read_note(&p).map_err(|(p, r)| damaged(p, r))?;
            total += (1 + name.len() + text.len()) as u64;
            if total > MAX_NOTES_TOTAL {
                return Err(damaged(
                    folder.clone(),
                    "the checkpoints are over 32 MiB in all, more than a bundle carries".into(),
                ));
            }
            daily.push(DailyNote { name, text });
        }
    }
    Ok((checkpoint, daily))
}

/// Reads one of the ledger's 32-byte secrets.
fn read_secret(path: &Path) -> Result<Zeroizing<[u8; 32]>, BundleError> {
    let file = File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => BundleError::Damaged {
            path: path.to_path_buf(),
            reason: "missing: the ledger directory is damaged".into(),
        },
        _ => io_at(path)(e),
    })?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(33));
    file.take(33).read_to_end(&mut bytes).map_err(io_at(path))?;
    let mut key = Zeroizing::new([0u8; 32]);
    if bytes.len() != 32 {
        return Err(BundleError::Damaged {
            path: path.to_path_buf(),
            reason: "not a 32-byte key".into(),
        });
    }
    key.copy_from_slice(&bytes);
    Ok(key)
}

/// Where a journal's complete records end, found without the writer lock.
struct JournalEnd {
    /// How many bytes to carry.
    len: u64,
    /// The last complete record.
    last: Option<journal::Record>,
    notices: Vec<String>,
}

/// Finds how much of the journal open as `file` to carry: up to its last complete record. A
/// tail left by an interrupted (or running) append is left out; damage (bytes that are neither
/// records nor a tail) is carried as it is, for the audit to report.
fn journal_end(file: &mut File, path: &Path) -> Result<JournalEnd, BundleError> {
    // The fast way: the last record, found from the end of the file; checked against the file
    // this copy reads, in case the journal was replaced in between.
    if let Some(last) = journal::read_last(path)?
        && journal::read_at(file, path, last.offset)?.is_some_and(|r| r.bytes == last.bytes)
    {
        return Ok(JournalEnd {
            len: last.end(),
            last: Some(last),
            notices: Vec::new(),
        });
    }
    // After a crash, during an append, or with damage: scan.
    file.seek(SeekFrom::Start(journal::HEADER_LEN))
        .map_err(io_at(path))?;
    let file_len = file.metadata().map_err(io_at(path))?.len();
    let mut reader = Reader::new(
        BufReader::with_capacity(1 << 20, &mut *file),
        journal::HEADER_LEN,
    );
    let mut last: Option<journal::Record> = None;
    while let Some(r) = reader.next_record().map_err(io_at(path))? {
        last = Some(r);
    }
    let records_end = last.as_ref().map_or(journal::HEADER_LEN, |r| r.end());
    let mut notices = Vec::new();
    let len = match reader.end() {
        Some(End::Tail { offset, bytes }) => {
            notices.push(format!(
                "left out an unacknowledged {bytes}-byte tail at byte {offset} (an interrupted or running append)"
            ));
            *offset
        }
        Some(End::Damaged { offset, reason }) => {
            notices.push(format!(
                "the journal is damaged at byte {offset} ({reason}); it is carried as it is, and `custody verify` reports it"
            ));
            file_len
        }
        _ => records_end,
    };
    Ok(JournalEnd { len, last, notices })
}

fn write_section(out: &mut impl Write, kind: u8, payload: &[u8]) -> io::Result<()> {
    out.write_all(&[kind])?;
    out.write_all(&(payload.len() as u64).to_le_bytes())?;
    out.write_all(payload)
}

/// Writes the bundle of the ledger in `dir` to `out`: an export, or with `seal` a backup. Reads
/// the ledger without its lock; refuses to overwrite `out`.
pub fn write(dir: &Path, out: &Path, seal: Option<Seal<'_>>) -> Result<Written, BundleError> {
    let journal_path = ledger::journal_path(dir)?;
    if fs::symlink_metadata(out).is_ok() {
        return Err(BundleError::Exists(out.to_path_buf()));
    }
    // Checkpoints first: a writer signs one only once the entries it covers are on disk, so the
    // journal read after them holds at least those entries.
    let (checkpoint, daily) =
        directory_notes(dir, |path, reason| BundleError::Damaged { path, reason })?;
    let mut file = File::open(&journal_path).map_err(io_at(&journal_path))?;
    let ledger_id = journal::read_header(&mut file, &journal_path)?;
    let sealed = match &seal {
        Some(s) => {
            let mut plain = Zeroizing::new(Vec::with_capacity(SECRETS_LEN));
            plain.extend_from_slice(&read_secret(&dir.join(LEDGER_KEY))?[..]);
            // A backup of a swapped person key could never be restored: refuse it now.
            let person_path = dir.join(PERSON_KEY);
            let person_key = read_secret(&person_path)?;
            if genesis_keys(&journal_path)?.map(|g| g.1) != Some(person_key_hash(&person_key)) {
                return Err(LedgerError::ForeignPersonKey(person_path).into());
            }
            plain.extend_from_slice(&person_key[..]);
            let aad = preamble(&ledger_id, true);
            Some(
                keyfile::seal_with_passphrase(&plain, s.passphrase, s.params, &aad)
                    .map_err(BundleError::Secrets)?,
            )
        }
        None => None,
    };
    let end = journal_end(&mut file, &journal_path)?;

    let access = if sealed.is_some() {
        Access::Private
    } else {
        Access::Shared
    };
    let mut staged = Staged::new(out, access).map_err(io_at(out))?;
    let tmp = staged.temp_path().to_path_buf();
    let at_tmp = |e| BundleError::Io {
        path: tmp.clone(),
        source: e,
    };
    let bytes = (|| -> Result<u64, BundleError> {
        let mut w = io::BufWriter::with_capacity(1 << 20, staged.file());
        w.write_all(&preamble(&ledger_id, sealed.is_some()))
            .map_err(at_tmp)?;
        if let Some(text) = &checkpoint {
            write_section(&mut w, KIND_CHECKPOINT, text.as_bytes()).map_err(at_tmp)?;
        }
        for d in &daily {
            let mut p = Vec::with_capacity(1 + d.name.len() + d.text.len());
            p.push(d.name.len() as u8);
            p.extend_from_slice(d.name.as_bytes());
            p.extend_from_slice(d.text.as_bytes());
            write_section(&mut w, KIND_DAILY, &p).map_err(at_tmp)?;
        }
        if let Some(s) = &sealed {
            write_section(&mut w, KIND_SECRETS, s).map_err(at_tmp)?;
        }
        w.write_all(&[KIND_JOURNAL]).map_err(at_tmp)?;
        w.write_all(&end.len.to_le_bytes()).map_err(at_tmp)?;
        file.seek(SeekFrom::Start(0))
            .map_err(io_at(&journal_path))?;
        let copied = io::copy(&mut (&mut file).take(end.len), &mut w).map_err(at_tmp)?;
        if copied != end.len {
            return Err(BundleError::Damaged {
                path: journal_path.clone(),
                reason: format!(
                    "the journal shrank to {copied} bytes while it was copied; nothing was written"
                ),
            });
        }
        let f = w.into_inner().map_err(|e| at_tmp(e.into_error()))?;
        f.sync_all().map_err(at_tmp)?;
        Ok(f.metadata().map_err(at_tmp)?.len())
    })()?;
    // Never over an existing file, not even one that appeared while the bundle was written.
    staged.place_new().map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            BundleError::Exists(out.to_path_buf())
        } else {
            io_at(out)(e)
        }
    })?;
    journal::sync_dir(out).map_err(io_at(out))?;
    let (entries, head) = match &end.last {
        Some(r) => match DecodedEntry::decode(&r.bytes) {
            Ok(d) => (d.entry.seq.saturating_add(1), Some(d.hash)),
            Err(_) => (0, Some(leaf_hash(&r.bytes))),
        },
        None => (0, None),
    };
    Ok(Written {
        path: out.to_path_buf(),
        bytes,
        journal_bytes: end.len,
        entries,
        head,
        checkpoint_size: checkpoint.as_deref().and_then(checkpoint_size),
        daily: daily.len(),
        secrets: sealed.is_some(),
        notices: end.notices,
    })
}

fn checkpoint_size(note: &str) -> Option<u64> {
    Note::parse(note)
        .ok()
        .and_then(|n| Checkpoint::parse_text(&n.text).ok())
        .map(|c| c.size)
}

// ---------------------------------------------------------------------------------------------
// Restore

/// What a restore is given besides the bundle.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Checkpoints the operator holds (`--checkpoint FILE`); the restored ledger must hold each.
    pub checkpoints: Vec<Named>,
    /// The genesis hash the operator trusts, if given.
    pub trust: Option<Hash>,
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The audit of the restored journal (against every checkpoint held).
    pub report: Report,
    /// Where the journal it replaced was kept, if it replaced one.
    pub kept: Option<PathBuf>,
    pub notices: Vec<String>,
}

/// The names a directory may hold, without a journal, for a restore to write into it.
fn ledger_file_name(name: &str) -> bool {
    [
        JOURNAL,
        INDEX,
        LOCK,
        LEDGER_KEY,
        PERSON_KEY,
        CHECKPOINT,
        CHECKPOINTS,
        BEFORE_RESTORE,
    ]
    .contains(&name)
        || name.ends_with(".tmp")
}

/// Writes a secret atomically with mode 0600 ([`journal::write_atomic`]).
fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), BundleError> {
    journal::write_atomic(path, bytes, Access::Private).map_err(io_at(path))
}

fn refused(reason: impl Into<String>) -> BundleError {
    BundleError::Refused {
        reason: reason.into(),
        findings: Vec::new(),
    }
}

/// Why an audit with integrity findings refuses a restore, in words.
fn integrity_refusal(report: &Report) -> Option<BundleError> {
    let bad: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.category == Category::Integrity)
        .collect();
    let first = *bad.first()?;
    let lead = bad
        .iter()
        .find(|f| f.code == Code::Truncated)
        .or_else(|| bad.iter().find(|f| f.code == Code::Forked))
        .copied()
        .unwrap_or(first);
    let mut reason = match lead.code {
        Code::Truncated => format!(
            "a restore from an old backup would truncate the ledger [TRUNCATED]: {}",
            lead.message
        ),
        Code::Forked => format!(
            "the backup's history differs from a checkpoint held [FORKED]: {}",
            lead.message
        ),
        code => format!(
            "the backup fails its audit [{code}] at entry {}: {}",
            lead.seq, lead.message
        ),
    };
    if bad.len() > 1 {
        reason.push_str(&format!(
            " (and {} more integrity finding(s): {})",
            bad.len() - 1,
            bad.iter()
                .filter(|f| !std::ptr::eq(**f, lead))
                .map(|f| f.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Some(BundleError::Refused {
        reason,
        findings: bad.into_iter().cloned().collect(),
    })
}

/// Whether the first `len` bytes of `a` and `b` are equal; `false` if either is shorter.
fn same_prefix(a: &Path, b: &Path, len: u64) -> Result<bool, BundleError> {
    let mut fa = BufReader::new(File::open(a).map_err(io_at(a))?).take(len);
    let mut fb = BufReader::new(File::open(b).map_err(io_at(b))?).take(len);
    let mut ba = vec![0u8; 1 << 16];
    let mut bb = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left.min(ba.len() as u64)).unwrap_or(ba.len());
        if read_full(&mut fa, &mut ba[..n]).map_err(io_at(a))? < n
            || read_full(&mut fb, &mut bb[..n]).map_err(io_at(b))? < n
        {
            return Ok(false);
        }
        if ba[..n] != bb[..n] {
            return Ok(false);
        }
        left -= n as u64;
    }
    Ok(true)
}

/// The ledger key's public half and the person key's hash, as the journal's genesis names them.
fn genesis_keys(path: &Path) -> Result<Option<([u8; 32], Hash)>, BundleError> {
    let (_, mut reader) = journal::open_reader(path)?;
    let Some(first) = reader.next_record().map_err(io_at(path))? else {
        return Ok(None);
    };
    Ok(match DecodedEntry::decode(&first.bytes) {
        Ok(d) => match d.body.event {
            Event::Genesis(g) => Some((g.ledger_key, g.person_key_hash)),
            _ => None,
        },
        Err(_) => None,
    })
}

/// Rebuilds a working ledger in `dir` from a backup, after auditing it.
///
/// The secrets are decrypted first (a wrong passphrase changes nothing). Under the writer lock
/// of `dir` (created if missing), the bundle's journal is copied beside the ledger's and audited
/// with, as evidence, the bundle's own checkpoints, the directory's `checkpoint` and
/// `checkpoints/*.note`, and the operator's; any integrity finding refuses the restore (a
/// TRUNCATED one means the backup is older than a checkpoint held). A journal already in `dir`
/// is replaced only if it is a prefix of the backup's (same history, not longer); it is kept as
/// `journal.before-restore`. Keys already in `dir` must equal the backup's. Then the journal,
/// keys and checkpoints are put in place, the index is removed, and the ledger is opened once
/// to rebuild it.
pub fn restore(
    bundle: OpenBundle,
    bundle_path: &Path,
    dir: &Path,
    passphrase: &[u8],
    options: &RestoreOptions,
) -> Result<Restored, BundleError> {
    let secrets = bundle.header.secrets(passphrase, bundle_path)?;
    if fs::symlink_metadata(dir).is_ok() && !dir.is_dir() {
        return Err(LedgerError::NotADirectory(dir.to_path_buf()).into());
    }
    let created = match fs::create_dir(dir) {
        Ok(()) => true,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => false,
        Err(e) => return Err(io_at(dir)(e)),
    };
    let lock = ledger::take_lock(dir).map_err(BundleError::from);
    let result = lock.and_then(|lock| {
        restore_locked(bundle, bundle_path, dir, &secrets, options).map(|r| (r, lock))
    });
    let (mut restored, lock) = match result {
        Ok(r) => r,
        Err(e) => {
            // Leave no trace in a directory this restore made, unless it got as far as the
            // journal (a failure while writing the rest is reported, and the journal stays).
            if created && !dir.join(JOURNAL).exists() {
                let _ = fs::remove_file(dir.join(LOCK));
                let _ = fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    // Build the index, still under the lock taken before anything was written.
    let ledger = Ledger::open_with_lock(dir, lock)?;
    restored.notices.extend(ledger.notices.iter().cloned());
    ledger.close()?;
    Ok(restored)
}

fn restore_locked(
    mut bundle: OpenBundle,
    bundle_path: &Path,
    dir: &Path,
    secrets: &Secrets,
    options: &RestoreOptions,
) -> Result<Restored, BundleError> {
    let journal_path = dir.join(JOURNAL);
    let existing = match fs::symlink_metadata(&journal_path) {
        Ok(m) if m.is_file() => true,
        Ok(_) => return Err(LedgerError::JournalNotAFile(journal_path).into()),
        Err(_) => false,
    };
    let kept = dir.join(BEFORE_RESTORE);
    if existing {
        if fs::symlink_metadata(&kept).is_ok() {
            return Err(BundleError::Unusable(format!(
                "{} exists from an earlier restore; move it away (keep it as evidence) and try again",
                kept.display()
            )));
        }
    } else {
        for e in fs::read_dir(dir).map_err(io_at(dir))?.flatten() {
            let name = e.file_name();
            if !name.to_str().is_some_and(ledger_file_name) {
                return Err(BundleError::Unusable(format!(
                    "{} holds {} but no journal: restore into a ledger directory or a new or empty one",
                    dir.display(),
                    name.to_string_lossy()
                )));
            }
        }
    }

    // The ledger key already in the directory, if any, must be the backup's. A person key that
    // differs is not this ledger's (the backup's is checked against the genesis below): the
    // backup's is put back.
    let ledger_key_path = dir.join(LEDGER_KEY);
    let person_key_path = dir.join(PERSON_KEY);
    let mut write_keys = Vec::new();
    let mut swapped_person_key = false;
    for (path, key) in [
        (&ledger_key_path, &secrets.ledger_key),
        (&person_key_path, &secrets.person_key),
    ] {
        if fs::symlink_metadata(path).is_ok() {
            let held = read_secret(path)?;
            if held[..] != key[..] && path == &person_key_path {
                swapped_person_key = true;
                write_keys.push((path.clone(), key));
            } else if held[..] != key[..] {
                return Err(refused(format!(
                    "{} differs from the backup's: the directory belongs to another ledger (or the key file is damaged); move it aside and try again",
                    path.display()
                )));
            }
        } else {
            write_keys.push((path.clone(), key));
        }
    }

    // Evidence: the bundle's own checkpoints, the directory's, the operator's.
    let mut evidence = bundle.header.evidence(&bundle_path.display().to_string());
    let (dir_checkpoint, dir_daily) = directory_notes(dir, |path, reason| {
        BundleError::BadEvidence { path, reason }
    })?;
    if let Some(text) = &dir_checkpoint {
        evidence.push(Named {
            label: dir.join(CHECKPOINT).display().to_string(),
            text: text.clone(),
        });
    }
    for d in &dir_daily {
        evidence.push(Named {
            label: dir.join(CHECKPOINTS).join(&d.name).display().to_string(),
            text: d.text.clone(),
        });
    }
    evidence.extend(options.checkpoints.iter().cloned());

    // Copy the journal beside the ledger's, then audit the copy: what is audited is what is put
    // in place. Dropped (removed) on any refusal.
    let mut staged = Staged::new(&journal_path, Access::Shared).map_err(io_at(&journal_path))?;
    let tmp = &staged.temp_path().to_path_buf();
    let copy = (|| -> io::Result<u64> {
        let n = io::copy(&mut bundle.journal, staged.file())?;
        staged.file().sync_all()?;
        Ok(n)
    })();
    let copied = match copy {
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            return Err(malformed(
                bundle_path,
                "it ended before its journal section did",
            ));
        }
        Err(e) => return Err(io_at(tmp)(e)),
    };
    let report = audit::verify_with(
        tmp,
        &Options {
            trust: options.trust.into_iter().collect(),
            evidence: Evidence {
                checkpoints: evidence,
                proofs: Vec::new(),
            },
            progress: None,
        },
    )?;
    if let Some(refusal) = integrity_refusal(&report) {
        return Err(refusal);
    }
    let (id, _) = journal::open_reader(tmp)?;
    if id != bundle.header.ledger_id {
        return Err(malformed(
            bundle_path,
            "its journal changed while it was read",
        ));
    }
    let public = SigningKey::from_bytes(&secrets.ledger_key)
        .verifying_key()
        .to_bytes();
    let genesis = genesis_keys(tmp)?;
    if genesis.map(|g| g.0) != Some(public) {
        return Err(refused(
            "the backup's ledger key is not the one its journal's genesis names: the backup was assembled from two ledgers",
        ));
    }
    if genesis.map(|g| g.1) != Some(person_key_hash(&secrets.person_key)) {
        return Err(refused(
            "the backup's person-tag key does not belong to its ledger (the genesis commits to another): the backup was made from a directory whose person.key had been swapped",
        ));
    }

    // A journal already there must be a prefix of the backup's: the same history, not longer.
    if existing {
        let mut file = File::open(&journal_path).map_err(io_at(&journal_path))?;
        let held_id = journal::read_header(&mut file, &journal_path).map_err(|e| {
            refused(format!(
                "the journal in {} cannot be read ({e}); move it aside (keep it as evidence) and restore into the directory again",
                dir.display()
            ))
        })?;
        if held_id != id {
            return Err(refused(format!(
                "{} holds ledger {}, the backup is of ledger {}",
                dir.display(),
                hex(&held_id),
                hex(&id)
            )));
        }
        let held = journal_end(&mut file, &journal_path)?;
        let held_entries = held
            .last
            .as_ref()
            .and_then(|r| DecodedEntry::decode(&r.bytes).ok())
            .map_or(0, |d| d.entry.seq.saturating_add(1));
        let records_end = held.last.as_ref().map_or(journal::HEADER_LEN, |r| r.end());
        if records_end > copied {
            let reason = if same_prefix(tmp, &journal_path, copied)? {
                format!(
                    "a restore from an old backup would truncate the ledger: {} holds {held_entries} entries, the backup {}; restore from a newer backup",
                    dir.display(),
                    report.entries
                )
            } else {
                format!(
                    "the backup is inconsistent with the ledger in {}: their histories differ",
                    dir.display()
                )
            };
            return Err(refused(reason));
        }
        if !same_prefix(tmp, &journal_path, records_end)? {
            return Err(refused(format!(
                "the backup is inconsistent with the ledger in {}: their histories differ (if that journal was tampered with, move it aside, keep it as evidence, and restore into the directory again)",
                dir.display()
            )));
        }
    }

    // Commit.
    let mut notices = Vec::new();
    if swapped_person_key {
        notices.push(format!(
            "put back the ledger's own person-tag key: {} held one that does not belong to this ledger",
            person_key_path.display()
        ));
    }
    let mut kept_path = None;
    if existing {
        fs::hard_link(&journal_path, &kept).map_err(io_at(&kept))?;
        kept_path = Some(kept);
    }
    staged.replace().map_err(io_at(&journal_path))?;
    journal::sync_dir(&journal_path).map_err(io_at(&journal_path))?;
    for (path, key) in write_keys {
        write_secret(&path, &key[..])?;
    }
    if let Some(text) = &bundle.header.checkpoint {
        let newer = match (
            checkpoint_size(text),
            dir_checkpoint.as_deref().and_then(checkpoint_size),
        ) {
            (Some(new), Some(old)) => new >= old,
            _ => true,
        };
        if newer && dir_checkpoint.as_deref() != Some(text.as_str()) {
            let path = dir.join(CHECKPOINT);
            journal::write_atomic(&path, text.as_bytes(), Access::Shared).map_err(io_at(&path))?;
        }
    }
    if !bundle.header.daily.is_empty() {
        let folder = dir.join(CHECKPOINTS);
        fs::create_dir_all(&folder).map_err(io_at(&folder))?;
        for d in &bundle.header.daily {
            let path = folder.join(&d.name);
            match dir_daily.iter().find(|h| h.name == d.name) {
                Some(h) if h.text == d.text => {}
                Some(_) => notices.push(format!(
                    "kept {} as it was: the backup holds another note of that name",
                    path.display()
                )),
                None => {
                    journal::write_atomic(&path, d.text.as_bytes(), Access::Shared)
                        .map_err(io_at(&path))?;
                }
            }
        }
    }
    let index = dir.join(INDEX);
    if index.exists() {
        fs::remove_dir_all(&index).map_err(io_at(&index))?;
    }
    Ok(Restored {
        report,
        kept: kept_path,
        notices,
    })
}
