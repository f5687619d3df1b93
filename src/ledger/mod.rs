//! A ledger directory and its one writer: creating it, opening it (recovery, index check),
//! and appending co-signed entries.
//!
//! Directory layout: `journal` (the source of truth), `index/` (sled, derived), `lock` (held by
//! the writer), `ledger.key` and `person.key` (the ledger's two secrets, mode 0600).

pub mod bundle;

use crate::audit::verify::{Absorbed, AuditError};
use crate::format::encoding::EncodingError;
use crate::model::entry::{Body, CoSignature, DecodedEntry, Entry, Hash, Head, LedgerId};

use crate::audit::evidence::Named;
use crate::format::merkle::Accumulator;
use crate::format::note::{self, Checkpoint, Note, origin};
use crate::format::time::Timestamp;
use crate::model::event::{Event, Genesis};
use crate::model::finding::{Category, Finding, refuses};
use crate::model::policy::Policy;
use crate::model::roster::{
    BadPersonNumber, KeyKind, Keyholder, Role, person_key_hash, person_tag,
};
use crate::rules::judge::{judge, judge_but_signatures};
use crate::rules::state::{State, StoreError};
use crate::store::index::{ABSORBED, SledKv, TIP_OFFSET};
use crate::store::journal::{self, Access, Disk, DiskFile, End, Fs, JournalError, Reader};
use ed25519_dalek::SigningKey;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

pub const JOURNAL: &str = "journal";
pub const INDEX: &str = "index";
pub const LOCK: &str = "lock";
pub const LEDGER_KEY: &str = "ledger.key";
pub const PERSON_KEY: &str = "person.key";
/// The latest checkpoint the ledger key signed.
pub const CHECKPOINT: &str = "checkpoint";
/// The daily closing checkpoints two admins signed.
pub const CHECKPOINTS: &str = "checkpoints";

/// The layout of the state in the index; an index of another layout is rebuilt. (5: the state
/// keeps the barcodes an entry named that the ledger did not know, and what a correction replaced.)
const INDEX_VERSION_KEY: &[u8] = b"V";
const INDEX_VERSION: &[u8] = b"custody-index-6";
/// Entries absorbed in one open above which the index is reopened at once ([`Ledger::reopen_index`]).
const REOPEN_AFTER: u64 = 1_000;

/// Why a ledger operation failed. [`LedgerError::class`] sorts them for exit codes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    #[error("no ledger at {0}: give --ledger DIR or set CUSTODY_LEDGER (custody init creates one)")]
    NotALedger(PathBuf),
    #[error("{0} already holds a ledger or other files; init needs a new or empty directory")]
    AlreadyExists(PathBuf),
    #[error("{0} is not a directory: --ledger names the ledger's directory")]
    NotADirectory(PathBuf),
    #[error("{0} is not a file: the ledger directory is damaged")]
    JournalNotAFile(PathBuf),
    #[error("ledger in use by another process ({0}); try again when it has finished")]
    Busy(PathBuf),
    #[error("refused: {}", .0.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; "))]
    Refused(Vec<Finding>),
    #[error(
        "system clock went backwards: now {now}, but the last entry was recorded at {last}; fix the clock, nothing was written"
    )]
    ClockBackwards { now: Timestamp, last: Timestamp },
    #[error(
        "journal damaged at byte {offset}: {reason}; appends are refused, run `custody verify` to see the findings"
    )]
    Damaged { offset: u64, reason: String },
    #[error("person number: {0}")]
    PersonNumber(#[from] BadPersonNumber),
    #[error(
        "{0}: person-tag key does not belong to this ledger (its genesis commits to another); nothing was written"
    )]
    ForeignPersonKey(PathBuf),
    #[error("malformed event: {0}")]
    Malformed(EncodingError),
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// How a failure should be reported: the binary maps these to exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Bad usage or bad input.
    Input,
    /// Refused by the ledger's rules.
    Refused,
    /// Another process holds the ledger.
    Busy,
    /// Storage or I/O failure, a damaged journal, a clock that went backwards.
    Storage,
}

impl LedgerError {
    pub fn class(&self) -> ErrorClass {
        match self {
            LedgerError::NotALedger(_)
            | LedgerError::AlreadyExists(_)
            | LedgerError::NotADirectory(_)
            | LedgerError::PersonNumber(_)
            | LedgerError::Malformed(_) => ErrorClass::Input,
            LedgerError::Refused(_) => ErrorClass::Refused,
            LedgerError::Busy(_) => ErrorClass::Busy,
            LedgerError::ClockBackwards { .. }
            | LedgerError::JournalNotAFile(_)
            | LedgerError::Checkpoint(_)
            | LedgerError::ForeignPersonKey(_)
            | LedgerError::Damaged { .. }
            | LedgerError::Journal(_)
            | LedgerError::Store(_)
            | LedgerError::Io { .. } => ErrorClass::Storage,
        }
    }
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> LedgerError + '_ {
    move |source| LedgerError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a successful append hands back to the parties.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Receipt {
    pub seq: u64,
    #[serde(with = "hex_bytes")]
    pub hash: Hash,
    /// The tree this entry completes: its size and RFC 6962 root.
    pub tree_size: u64,
    #[serde(with = "hex_bytes")]
    pub root: Hash,
    /// Violations recorded with an incident note, and late records: the audit reports these.
    pub flagged: Vec<Finding>,
}

mod hex_bytes {
    pub fn serialize<S: serde::Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::model::entry::hex(h))
    }
}

/// The head of a ledger read without taking the lock: enough to prepare an event.
#[derive(Debug, Clone)]
pub struct Peek {
    pub ledger_id: LedgerId,
    pub exam: String,
    pub time_zone: String,
    /// What the genesis commits to about `person.key`.
    pub person_key_hash: Hash,
    pub head: Head,
}

/// Reads the ledger id, the genesis facts and the head from the journal alone, without the lock,
/// so that signers can read the summary and type their passphrases while another process writes.
pub fn peek(dir: &Path) -> Result<Peek, LedgerError> {
    let path = journal_path(dir)?;
    let (ledger_id, mut reader) = journal::open_reader(&path)?;
    let first = reader.next_record().map_err(io_at(&path))?;
    let Some(first) = first else {
        return Err(damaged(reader.end(), journal::HEADER_LEN));
    };
    let genesis = DecodedEntry::decode(&first.bytes).map_err(|e| LedgerError::Damaged {
        offset: first.offset,
        reason: e.to_string(),
    })?;
    let Event::Genesis(g) = &genesis.body.event else {
        return Err(LedgerError::Damaged {
            offset: first.offset,
            reason: "the first entry is not a genesis event".into(),
        });
    };
    let last = match journal::read_last(&path)? {
        Some(r) => r,
        None => {
            // Only after a crash: find the last complete record the slow way.
            let mut last = first.clone();
            while let Some(r) = reader.next_record().map_err(io_at(&path))? {
                last = r;
            }
            last
        }
    };
    let last = DecodedEntry::decode(&last.bytes).map_err(|e| LedgerError::Damaged {
        offset: last.offset,
        reason: e.to_string(),
    })?;
    Ok(Peek {
        ledger_id,
        exam: g.exam.clone(),
        time_zone: g.time_zone.clone(),
        person_key_hash: g.person_key_hash,
        head: Head {
            size: last.entry.seq + 1,
            hash: last.hash,
        },
    })
}

fn damaged(end: Option<&End>, offset: u64) -> LedgerError {
    match end {
        Some(End::Damaged { offset, reason }) => LedgerError::Damaged {
            offset: *offset,
            reason: reason.clone(),
        },
        _ => LedgerError::Damaged {
            offset,
            reason: "the journal holds no complete entry".into(),
        },
    }
}

/// The journal of a ledger directory, with a message that says what is wrong if there is none.
pub fn journal_path(dir: &Path) -> Result<PathBuf, LedgerError> {
    let path = dir.join(JOURNAL);
    // A directory or journal we may not look at is an I/O failure, not a missing ledger.
    if let Err(e) = fs::metadata(&path)
        && e.kind() == io::ErrorKind::PermissionDenied
    {
        return Err(io_at(&path)(e));
    }
    if path.is_file() {
        Ok(path)
    } else if dir.exists() && !dir.is_dir() {
        Err(LedgerError::NotADirectory(dir.to_path_buf()))
    } else if path.exists() {
        Err(LedgerError::JournalNotAFile(path))
    } else {
        Err(LedgerError::NotALedger(dir.to_path_buf()))
    }
}

/// A fresh random nonce for a body.
pub fn new_nonce() -> [u8; 16] {
    let mut n = [0u8; 16];
    rand::fill(&mut n);
    n
}

/// Builds the body of an event against the head the signers see.
pub fn prepare(peek: &Peek, event: Event, event_time: Timestamp, signers: Vec<String>) -> Body {
    Body {
        ledger_id: peek.ledger_id,
        head: peek.head,
        event_time,
        nonce: new_nonce(),
        signers,
        event,
    }
}

/// Reads the person key, to turn a person number into its tag; refuses one that is not the key
/// the genesis commits to ([`LedgerError::ForeignPersonKey`]).
pub fn person_key(dir: &Path) -> Result<Zeroizing<[u8; 32]>, LedgerError> {
    own_person_key(dir, &peek(dir)?.person_key_hash)
}

/// Reads `DIR/person.key` and checks it against the genesis's `person_key_hash`.
fn own_person_key(dir: &Path, committed: &Hash) -> Result<Zeroizing<[u8; 32]>, LedgerError> {
    let path = dir.join(PERSON_KEY);
    let bytes = Zeroizing::new(fs::read(&path).map_err(io_at(&path))?);
    let key: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| LedgerError::Damaged {
            offset: 0,
            reason: format!("{} is not a 32-byte key", path.display()),
        })?;
    let key = Zeroizing::new(key);
    if person_key_hash(&key) != *committed {
        return Err(LedgerError::ForeignPersonKey(path));
    }
    Ok(key)
}

/// A founder as `init` receives them: the public key file's contents and the person number.
pub struct Founder {
    pub id: String,
    pub name: String,
    pub public_key: [u8; 32],
    pub person_number: String,
    /// How the founder's key is held, if declared.
    pub key_kind: Option<KeyKind>,
}

/// A ledger about to be created: its genesis body, waiting for the founders' signatures.
pub struct NewLedger {
    pub body: Body,
    pub body_bytes: Vec<u8>,
    ledger_key: Zeroizing<[u8; 32]>,
    person_key: Zeroizing<[u8; 32]>,
}

impl NewLedger {
    /// Builds the genesis event: a new ledger id, ledger key and person key.
    pub fn prepare(
        exam: &str,
        time_zone: &str,
        founders: Vec<Founder>,
        policy: Policy,
        now: Timestamp,
    ) -> Result<NewLedger, LedgerError> {
        let mut ledger_id = [0u8; 16];
        rand::fill(&mut ledger_id);
        let ledger_key = Zeroizing::new(SigningKey::generate(&mut rand::rng()).to_bytes());
        let mut person_key = Zeroizing::new([0u8; 32]);
        rand::fill(&mut person_key[..]);
        let mut holders = Vec::new();
        for f in founders {
            holders.push(Keyholder {
                person_tag: person_tag(&person_key, &f.person_number)?,
                id: f.id,
                name: f.name,
                roles: vec![Role::Admin],
                public_key: f.public_key,
                valid_from: None,
                valid_until: None,
                key_kind: f.key_kind,
            });
        }
        let body = Body {
            ledger_id,
            head: Head::EMPTY,
            event_time: now,
            nonce: new_nonce(),
            signers: holders.iter().map(|h| h.id.clone()).collect(),
            event: Event::Genesis(Genesis {
                exam: exam.to_string(),
                time_zone: time_zone.to_string(),
                ledger_key: SigningKey::from_bytes(&ledger_key)
                    .verifying_key()
                    .to_bytes(),
                person_key_hash: person_key_hash(&person_key),
                founders: holders,
                policy,
            }),
        };
        let body_bytes = body.encode().map_err(LedgerError::Malformed)?;
        Ok(NewLedger {
            body,
            body_bytes,
            ledger_key,
            person_key,
        })
    }

    /// Judges the signed genesis, then creates the directory. Nothing is left behind on failure.
    /// `recorded_at` is the system clock, except in simulations.
    pub fn create(
        self,
        dir: &Path,
        signatures: Vec<CoSignature>,
        recorded_at: Timestamp,
    ) -> Result<(Ledger, Receipt), LedgerError> {
        let entry = Entry {
            seq: 0,
            prev_hash: [0; 32],
            recorded_at,
            body: self.body_bytes.clone(),
            signatures,
        };
        let bytes = entry.encode().map_err(LedgerError::Malformed)?;
        let decoded =
            DecodedEntry::decode(&bytes).map_err(|e| LedgerError::Malformed(entry_error(e)))?;
        let findings = judge(
            &State::new(crate::rules::memstore::MemKv::default()),
            &decoded,
            &self.body.ledger_id,
        )?;
        if !findings.is_empty() {
            return Err(LedgerError::Refused(findings));
        }

        // Claim the directory under the writer lock, so that two inits racing for it cannot
        // both proceed, and a loser never touches the winner's files.
        let created_dir = match fs::create_dir(dir) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => false,
            Err(e) => return Err(io_at(dir)(e)),
        };
        if !dir.is_dir() {
            return Err(LedgerError::NotADirectory(dir.to_path_buf()));
        }
        let lock = take_lock(dir)?;
        let foreign = fs::read_dir(dir)
            .map_err(io_at(dir))?
            .flatten()
            .any(|e| e.file_name() != LOCK);
        if foreign {
            return Err(LedgerError::AlreadyExists(dir.to_path_buf()));
        }
        let mut written: Vec<PathBuf> = Vec::new();
        let result = (|| {
            for (name, secret) in [
                (LEDGER_KEY, &self.ledger_key),
                (PERSON_KEY, &self.person_key),
            ] {
                let path = dir.join(name);
                write_secret(&path, &secret[..])?;
                written.push(path);
            }
            let path = dir.join(JOURNAL);
            journal::Writer::create(&path, &self.body.ledger_id, &bytes)?;
            written.push(path);
            written.push(dir.join(INDEX));
            written.push(dir.join(CHECKPOINT));
            Ledger::open_locked(dir, lock, false, Arc::new(Fs))
        })();
        let result = result.and_then(|ledger| {
            ledger.sign_checkpoint(&ledger.state.tree()?)?;
            Ok(ledger)
        });
        match result {
            Ok(ledger) => Ok((
                ledger,
                Receipt {
                    seq: 0,
                    hash: decoded.hash,
                    tree_size: 1,
                    root: decoded.hash,
                    flagged: Vec::new(),
                },
            )),
            Err(e) => {
                // Remove only what this init wrote; the directory goes only if it made it.
                for p in written.iter().rev() {
                    let _ = if p.is_dir() {
                        fs::remove_dir_all(p)
                    } else {
                        fs::remove_file(p)
                    };
                }
                if created_dir {
                    let _ = fs::remove_file(dir.join(LOCK));
                    let _ = fs::remove_dir(dir);
                }
                Err(e)
            }
        }
    }
}

/// The ledger's latest automatic checkpoint, if it has signed one.
pub fn read_checkpoint(dir: &Path) -> Result<Option<Checkpoint>, LedgerError> {
    let path = dir.join(CHECKPOINT);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_at(&path)(e)),
    };
    let note = Note::parse(&text)
        .map_err(|e| LedgerError::Checkpoint(format!("{}: {e}", path.display())))?;
    Checkpoint::parse_text(&note.text)
        .map(Some)
        .map_err(|e| LedgerError::Checkpoint(format!("{}: {e}", path.display())))
}

/// The checkpoints a ledger directory holds: the ledger key's latest, then the daily closing
/// ones, as evidence for the audit. `verify --ledger DIR` checks the journal against them, as
/// `verify --bundle` does against those an export carries.
pub fn own_evidence(dir: &Path) -> Result<Vec<Named>, LedgerError> {
    let mut out = Vec::new();
    let read = |path: &Path| -> Result<Named, LedgerError> {
        let len = fs::metadata(path).map_err(io_at(path))?.len();
        if len > note::MAX_NOTE as u64 {
            return Err(LedgerError::Checkpoint(format!(
                "{} is larger than a note can be",
                path.display()
            )));
        }
        let text = fs::read_to_string(path).map_err(io_at(path))?;
        Ok(Named {
            label: path.display().to_string(),
            text,
        })
    };
    let latest = dir.join(CHECKPOINT);
    if latest.is_file() {
        out.push(read(&latest)?);
    }
    let daily = dir.join(CHECKPOINTS);
    if daily.is_dir() {
        let mut paths: Vec<PathBuf> = fs::read_dir(&daily)
            .map_err(io_at(&daily))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "note"))
            .collect();
        paths.sort();
        for p in paths {
            out.push(read(&p)?);
        }
    }
    Ok(out)
}

/// Whether a tree head `now` can follow a checkpoint the ledger signed: same origin, no fewer
/// entries, and the same root at the same size. (A larger tree's consistency with the old root
/// is the audit's to check, with a consistency proof; this check is O(1).)
fn check_against(old: &Checkpoint, now: &Checkpoint) -> Result<(), LedgerError> {
    let contradiction = if old.origin != now.origin {
        Some(format!(
            "the stored checkpoint is of {}, not of this ledger",
            old.origin
        ))
    } else if old.size > now.size {
        Some(format!(
            "the ledger signed a checkpoint of {} entries, but the journal holds {}: entries were removed",
            old.size, now.size
        ))
    } else if old.size == now.size && old.root != now.root {
        Some(format!(
            "the ledger signed another tree root for {} entries: the journal was rewritten",
            old.size
        ))
    } else {
        None
    };
    match contradiction {
        Some(reason) => Err(LedgerError::Damaged {
            offset: journal::HEADER_LEN,
            reason: format!("{reason}; run `custody verify`, or restore from a backup"),
        }),
        None => Ok(()),
    }
}

/// Takes the writer lock of a ledger directory, waiting at most 0.2 s: exit 4 ("in use") for
/// the user when another process holds it.
pub fn take_lock(dir: &Path) -> Result<File, LedgerError> {
    let lock_path = dir.join(LOCK);
    // Never through a planted link: the lock is the one file opened in place, not staged.
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&lock_path)
        .map_err(io_at(&lock_path))?;
    // A lock can outlive its holder by a moment: a writer that is exiting, or a copy of its
    // descriptor in a child process another thread is starting (between fork and exec). So a
    // held lock is tried again for a short while before the ledger counts as busy.
    let mut attempts = 0;
    loop {
        match lock.try_lock() {
            Ok(()) => return Ok(lock),
            Err(TryLockError::WouldBlock) if attempts < LOCK_ATTEMPTS => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(TryLockError::WouldBlock) => return Err(LedgerError::Busy(dir.to_path_buf())),
            Err(TryLockError::Error(e)) => return Err(io_at(&lock_path)(e)),
        }
    }
}

/// How many times a held writer lock is tried again, 10 ms apart, before the ledger is busy.
const LOCK_ATTEMPTS: u32 = 20;

fn entry_error(e: crate::model::entry::EntryError) -> EncodingError {
    match e {
        crate::model::entry::EntryError::Entry(e) | crate::model::entry::EntryError::Body(e) => e,
    }
}

fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), LedgerError> {
    journal::write_new(path, bytes, Access::Private).map_err(io_at(path))
}

/// What opening found of the index.
enum IndexCheck {
    /// It agrees with the journal, which it has absorbed up to this offset.
    Trusted(Box<State<SledKv>>, u64),
    /// Missing, unreadable, of another layout or ledger, or disagreeing: rebuilt.
    Untrusted,
    /// The journal lost bytes the index saw acknowledged: never cut or papered over.
    JournalShorter { offset: u64, reason: String },
}

/// The ledger opened by its one writer.
pub struct Ledger {
    dir: PathBuf,
    ledger_id: LedgerId,
    journal: journal::Writer<DiskFile>,
    /// What the journal and the checkpoint are written through: the file system, or a test's
    /// recording double.
    disk: Arc<dyn Disk>,
    state: State<SledKv>,
    /// Set when the journal ends in damage: appends are refused.
    damage: Option<(u64, String)>,
    /// What opening had to do, for the user to know: a cut tail, a rebuilt index.
    pub notices: Vec<String>,
    _lock: File,
}

impl Ledger {
    /// Takes the writer lock, cuts an unacknowledged tail, and brings the index up to date with
    /// the journal (rebuilding it if it cannot be trusted).
    pub fn open(dir: &Path) -> Result<Ledger, LedgerError> {
        Ledger::open_on(dir, Arc::new(Fs))
    }

    /// [`Ledger::open`] with the journal and checkpoint written through `disk`: a test double
    /// that records every operation, from which `tests/power_loss.rs` rebuilds each state a
    /// power cut could leave.
    pub fn open_on(dir: &Path, disk: Arc<dyn Disk>) -> Result<Ledger, LedgerError> {
        journal_path(dir)?;
        let lock = take_lock(dir)?;
        Ledger::open_locked(dir, lock, false, disk)
    }

    /// Rebuilds the index from the journal alone. Refuses (as damage) a journal with framing,
    /// encoding, chain or signature findings; other findings do not stop it.
    pub fn reindex(dir: &Path) -> Result<Ledger, LedgerError> {
        journal_path(dir)?;
        let lock = take_lock(dir)?;
        let ledger = Ledger::open_locked(dir, lock, true, Arc::new(Fs))?;
        if let Some((offset, reason)) = ledger.damage.clone() {
            return Err(LedgerError::Damaged { offset, reason });
        }
        Ok(ledger)
    }

    /// [`Ledger::open`] with the lock already held (from [`take_lock`]), for a caller that
    /// wrote the directory under it (a restore) and must not let another writer in between.
    pub fn open_with_lock(dir: &Path, lock: File) -> Result<Ledger, LedgerError> {
        Ledger::open_locked(dir, lock, false, Arc::new(Fs))
    }

    fn open_locked(
        dir: &Path,
        lock: File,
        rebuild: bool,
        disk: Arc<dyn Disk>,
    ) -> Result<Ledger, LedgerError> {
        let path = journal_path(dir)?;
        let (ledger_id, _) = journal::open_reader(&path)?;
        let journal_len = fs::metadata(&path).map_err(io_at(&path))?.len();
        let mut notices = Vec::new();
        let index_dir = dir.join(INDEX);
        let check = if rebuild {
            IndexCheck::Untrusted
        } else {
            // An index that fails to open is rebuilt like one that disagrees.
            Self::trusted_index(&index_dir, &path, &ledger_id, journal_len)
                .unwrap_or(IndexCheck::Untrusted)
        };
        let (state, from, built) = match check {
            IndexCheck::Trusted(state, absorbed) => (*state, absorbed, 0),
            IndexCheck::JournalShorter { offset, reason } => {
                return Err(LedgerError::Damaged { offset, reason });
            }
            IndexCheck::Untrusted => {
                if index_dir.exists() && !rebuild {
                    notices.push("the index did not match the journal; rebuilt it".to_string());
                }
                let mut state = Self::fresh_index(&index_dir)?;
                let (from, built) = Self::build_index(&mut state, &path, &ledger_id)?;
                (state, from, built)
            }
        };
        let mut ledger = Ledger {
            dir: dir.to_path_buf(),
            ledger_id,
            journal: journal::Writer::open_on(&*disk, &path, from)?,
            disk,
            state,
            damage: None,
            notices,
            _lock: lock,
        };
        if built + ledger.absorb_from(from)? > REOPEN_AFTER {
            ledger = ledger.reopen_index(&index_dir)?;
        }
        if ledger.damage.is_none() {
            let tree = ledger.state.tree()?;
            if let Some(old) = read_checkpoint(dir)? {
                let now = Checkpoint {
                    origin: origin(&ledger_id),
                    size: tree.size(),
                    root: tree.root(),
                    extensions: Vec::new(),
                };
                if let Err(LedgerError::Damaged { offset, reason }) = check_against(&old, &now) {
                    ledger.damage = Some((offset, reason));
                }
            }
        }
        Ok(ledger)
    }

    fn fresh_index(index_dir: &Path) -> Result<State<SledKv>, LedgerError> {
        if index_dir.exists() {
            // Moved aside first: a sled instance this process just dropped may still be
            // flushing into it from a background thread, which a removal in place can race.
            let stale = index_dir.with_extension(format!(
                "stale-{}-{}",
                std::process::id(),
                Timestamp::now().0
            ));
            fs::rename(index_dir, &stale).map_err(io_at(index_dir))?;
            let _ = fs::remove_dir_all(&stale);
        }
        let mut kv = SledKv::open(index_dir)?;
        crate::rules::state::Kv::write(
            &mut kv,
            vec![(INDEX_VERSION_KEY.to_vec(), Some(INDEX_VERSION.to_vec()))],
        )?;
        Ok(State::new(kv))
    }

    /// Fills a fresh index from the journal with the audit's pipeline (signatures checked ahead
    /// on every core, the state built in memory, then written in large batches), up to the first
    /// record it would not absorb; returns where absorbing goes on from (that record, in order,
    /// as [`Ledger::absorb_from`] absorbs an append) and how many entries it indexed.
    fn build_index(
        state: &mut State<SledKv>,
        path: &Path,
        ledger_id: &LedgerId,
    ) -> Result<(u64, u64), LedgerError> {
        let Absorbed { state: built, last } = crate::audit::verify::absorb_ahead(path, ledger_id)
            .map_err(|e| match e {
            AuditError::Journal(e) => LedgerError::from(e),
            AuditError::Store(e) => LedgerError::from(e),
        })?;
        let Some((offset, end)) = last else {
            return Ok((journal::HEADER_LEN, 0));
        };
        let entries = built.tip()?.map_or(0, |t| t.size);
        built.copy_into(
            state,
            vec![
                (TIP_OFFSET.to_vec(), Some(offset.to_be_bytes().to_vec())),
                (ABSORBED.to_vec(), Some(end.to_be_bytes().to_vec())),
            ],
        )?;
        state.kv().flush()?;
        Ok((end, entries))
    }

    /// Whether the index agrees with the journal: same layout, ledger and genesis, and the entry
    /// it holds as the tip is in the journal where it says, with its hash.
    fn trusted_index(
        index_dir: &Path,
        journal_path: &Path,
        ledger_id: &LedgerId,
        journal_len: u64,
    ) -> Result<IndexCheck, LedgerError> {
        if !index_dir.exists() {
            return Ok(IndexCheck::Untrusted);
        }
        let state = State::new(SledKv::open(index_dir)?);
        // An index written by another version of custody may lack state this one keeps.
        if crate::rules::state::Kv::get(state.kv(), INDEX_VERSION_KEY)?.as_deref()
            != Some(INDEX_VERSION)
        {
            return Ok(IndexCheck::Untrusted);
        }
        let (Some(absorbed), Some(tip), Some(info)) =
            (state.kv().absorbed()?, state.tip()?, state.ledger()?)
        else {
            return Ok(IndexCheck::Untrusted);
        };
        if info.ledger_id != *ledger_id {
            return Ok(IndexCheck::Untrusted);
        }
        let mut file = File::open(journal_path).map_err(io_at(journal_path))?;
        let genesis = journal::read_at(&mut file, journal_path, journal::HEADER_LEN)?;
        if genesis.is_none_or(|g| crate::model::entry::leaf_hash(&g.bytes) != info.genesis_hash) {
            return Ok(IndexCheck::Untrusted);
        }
        if journal_len < absorbed {
            return Ok(IndexCheck::JournalShorter {
                offset: journal_len,
                reason: format!(
                    "the journal ends at byte {journal_len}, but entries up to byte {absorbed} were acknowledged; \
                     run `custody verify`, then restore the latest backup (custody restore)"
                ),
            });
        }
        let Some(offset) = state.kv().tip_offset()? else {
            return Ok(IndexCheck::Untrusted);
        };
        match journal::read_at(&mut file, journal_path, offset)? {
            Some(r)
                if r.end() == absorbed && crate::model::entry::leaf_hash(&r.bytes) == tip.hash =>
            {
                Ok(IndexCheck::Trusted(Box::new(state), absorbed))
            }
            _ => Ok(IndexCheck::Untrusted),
        }
    }

    /// Closes and opens the index again. sled replays, on open, everything written since its
    /// last snapshot, and writes one when that replay ends: after a large absorb (a first open,
    /// a reindex, a restore) one reopen now spares every later command that replay.
    fn reopen_index(self, index_dir: &Path) -> Result<Ledger, LedgerError> {
        let Ledger {
            dir,
            ledger_id,
            journal,
            disk,
            state,
            damage,
            notices,
            _lock,
        } = self;
        state.kv().flush()?;
        drop(state);
        Ok(Ledger {
            dir,
            ledger_id,
            journal,
            disk,
            state: State::new(SledKv::open(index_dir)?),
            damage,
            notices,
            _lock,
        })
    }

    /// Judges and indexes the journal's records from `offset` on, then deals with its end;
    /// returns how many entries it indexed.
    fn absorb_from(&mut self, offset: u64) -> Result<u64, LedgerError> {
        let path = self.journal.path().to_path_buf();
        let mut file = File::open(&path).map_err(io_at(&path))?;
        std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(offset)).map_err(io_at(&path))?;
        let mut reader = Reader::new(io::BufReader::with_capacity(1 << 20, file), offset);
        let mut absorbed = 0;
        while let Some(record) = reader.next_record().map_err(io_at(&path))? {
            let decoded = match DecodedEntry::decode(&record.bytes) {
                Ok(d) => d,
                Err(e) => {
                    self.damage = Some((record.offset, e.to_string()));
                    return Ok(absorbed);
                }
            };
            let findings = judge(&self.state, &decoded, &self.ledger_id)?;
            if let Some(f) = findings.iter().find(|f| f.category == Category::Integrity) {
                self.damage = Some((record.offset, f.to_string()));
                return Ok(absorbed);
            }
            self.index(&decoded, record.offset, record.end())?;
            absorbed += 1;
        }
        match reader.end() {
            Some(End::Tail { offset, bytes }) => {
                self.journal = journal::Writer::open_on(&*self.disk, &path, *offset)?;
                self.journal.cut_tail()?;
                self.notices.push(format!(
                    "cut an unacknowledged {bytes}-byte tail left by an interrupted append at byte {offset}"
                ));
            }
            Some(End::Damaged { offset, reason }) => self.damage = Some((*offset, reason.clone())),
            _ => {}
        }
        if absorbed > 0 {
            self.state.kv().flush()?;
        }
        let len = match reader.end() {
            Some(End::Tail { offset, .. }) | Some(End::Damaged { offset, .. }) => *offset,
            _ => fs::metadata(&path).map_err(io_at(&path))?.len(),
        };
        self.journal = journal::Writer::open_on(&*self.disk, &path, len)?;
        if self.state.tip()?.is_none() && self.damage.is_none() {
            self.damage = Some((
                journal::HEADER_LEN,
                "the journal holds no genesis entry".into(),
            ));
        }
        Ok(absorbed)
    }

    fn index(&mut self, e: &DecodedEntry, offset: u64, end: u64) -> Result<(), LedgerError> {
        let mut batch = crate::rules::transition::transition(&self.state, e)?;
        batch.push((TIP_OFFSET.to_vec(), Some(offset.to_be_bytes().to_vec())));
        batch.push((ABSORBED.to_vec(), Some(end.to_be_bytes().to_vec())));
        self.state.write(batch)?;
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn ledger_id(&self) -> LedgerId {
        self.ledger_id
    }

    pub fn state(&self) -> &State<SledKv> {
        &self.state
    }

    /// The current head.
    pub fn head(&self) -> Result<Head, LedgerError> {
        let tip = self.state.tip()?.ok_or_else(|| LedgerError::Damaged {
            offset: journal::HEADER_LEN,
            reason: "the journal holds no genesis entry".into(),
        })?;
        Ok(Head {
            size: tip.size,
            hash: tip.hash,
        })
    }

    /// Appends a co-signed body if every rule accepts it; the journal is untouched otherwise.
    /// Judges the body bytes as [`Ledger::append`] would at `recorded_at`, by every rule but the
    /// signatures themselves, with the signers the body names: a command refuses a violation
    /// before anyone types a passphrase. The findings are those an append would give, less a
    /// bad signature; [`refuses`] says whether the append would be refused.
    pub fn judge_unsigned(
        &self,
        body_bytes: &[u8],
        recorded_at: Timestamp,
    ) -> Result<Vec<Finding>, LedgerError> {
        let body = Body::decode(body_bytes).map_err(LedgerError::Malformed)?;
        // Each named signer in place, with a signature still to come.
        let signatures = body
            .signers
            .iter()
            .map(|id| CoSignature {
                signer: id.clone(),
                signature: [0; 64],
            })
            .collect();
        let (_, decoded) = self.next_entry(body_bytes.to_vec(), signatures, recorded_at)?;
        let (findings, _claims) = judge_but_signatures(&self.state, &decoded, &self.ledger_id)?;
        Ok(findings)
    }

    /// The entry that would follow the tip, encoded and decoded back.
    fn next_entry(
        &self,
        body_bytes: Vec<u8>,
        signatures: Vec<CoSignature>,
        recorded_at: Timestamp,
    ) -> Result<(Vec<u8>, DecodedEntry), LedgerError> {
        if let Some((offset, reason)) = &self.damage {
            return Err(LedgerError::Damaged {
                offset: *offset,
                reason: reason.clone(),
            });
        }
        Body::decode(&body_bytes).map_err(LedgerError::Malformed)?;
        // A swapped person-tag key would give one person a second tag, and so a second key.
        if let Some(info) = self.state.ledger()? {
            own_person_key(&self.dir, &info.person_key_hash)?;
        }
        let tip = self.state.tip()?.ok_or_else(|| LedgerError::Damaged {
            offset: journal::HEADER_LEN,
            reason: "the journal holds no genesis entry".into(),
        })?;
        let entry = Entry {
            seq: tip.size,
            prev_hash: tip.hash,
            recorded_at,
            body: body_bytes,
            signatures,
        };
        if entry.recorded_at < tip.recorded_at {
            return Err(LedgerError::ClockBackwards {
                now: entry.recorded_at,
                last: tip.recorded_at,
            });
        }
        let bytes = entry.encode().map_err(LedgerError::Malformed)?;
        let decoded =
            DecodedEntry::decode(&bytes).map_err(|e| LedgerError::Malformed(entry_error(e)))?;
        Ok((bytes, decoded))
    }

    pub fn append(
        &mut self,
        body_bytes: Vec<u8>,
        signatures: Vec<CoSignature>,
    ) -> Result<Receipt, LedgerError> {
        self.append_recorded_at(body_bytes, signatures, Timestamp::now())
    }

    /// [`Ledger::append`] with the recorded time given: the system clock, except in simulations
    /// (the `county_exam` example replays an exam day in seconds).
    pub fn append_recorded_at(
        &mut self,
        body_bytes: Vec<u8>,
        signatures: Vec<CoSignature>,
        recorded_at: Timestamp,
    ) -> Result<Receipt, LedgerError> {
        let (bytes, decoded) = self.next_entry(body_bytes, signatures, recorded_at)?;
        let findings = judge(&self.state, &decoded, &self.ledger_id)?;
        if refuses(&findings, decoded.body.event.incident_note().is_some()) {
            return Err(LedgerError::Refused(findings));
        }
        let mut tree = self.state.tree()?;
        tree.push(decoded.hash);
        // The checkpoint of the tree with this entry is written and fsynced while the journal
        // is, and put in place only once the entry is durable: a power cut can leave the
        // checkpoint behind the journal, never ahead of it.
        let checkpoint_path = self.dir.join(CHECKPOINT);
        let checkpoint = self.checkpoint_note(&tree);
        let note = checkpoint.as_ref().ok().and_then(Option::as_deref);
        let disk = Arc::clone(&self.disk);
        let stage = || {
            note.map(|n| journal::stage_on(&*disk, &checkpoint_path, n.as_bytes()))
                .transpose()
                .map_err(io_at(&checkpoint_path))
        };
        let (offset, staged) = std::thread::scope(|scope| {
            // Without a second thread the two syncs simply follow each other.
            let staged = std::thread::Builder::new().spawn_scoped(scope, stage);
            let offset = self.journal.append(&bytes);
            let staged = match staged {
                Ok(thread) => thread.join().unwrap_or_else(|_| {
                    Err(LedgerError::Checkpoint("the writing thread failed".into()))
                }),
                Err(_) if offset.is_ok() => stage(),
                Err(_) => Ok(None),
            };
            (offset, staged)
        });
        let offset = offset?;
        let receipt = Receipt {
            seq: decoded.entry.seq,
            hash: decoded.hash,
            tree_size: tree.size(),
            root: tree.root(),
            flagged: findings,
        };
        // The entry is durable now; an index or checkpoint failure must not make it look
        // unrecorded.
        let end = self.journal.len();
        if let Err(e) = self.index(&decoded, offset, end) {
            self.notices.push(format!(
                "entry {} is recorded, but the index could not be updated ({e}); it will be rebuilt on the next open",
                receipt.seq
            ));
        } else if let Err(e) = checkpoint.and(staged).and_then(|s| {
            s.map_or(Ok(()), |s| {
                s.replace(&*disk).map_err(io_at(&checkpoint_path))
            })
        }) {
            self.notices.push(format!(
                "entry {} is recorded, but the ledger could not sign its checkpoint ({e})",
                receipt.seq
            ));
        }
        Ok(receipt)
    }

    /// The ledger key, which signs automatic checkpoints.
    fn ledger_key(&self) -> Result<SigningKey, LedgerError> {
        let path = self.dir.join(LEDGER_KEY);
        let bytes = Zeroizing::new(fs::read(&path).map_err(io_at(&path))?);
        let seed: Zeroizing<[u8; 32]> =
            Zeroizing::new(bytes.as_slice().try_into().map_err(|_| {
                LedgerError::Checkpoint(format!("{} is not a 32-byte key", path.display()))
            })?);
        Ok(SigningKey::from_bytes(&seed))
    }

    /// Signs the tree head with the ledger key and stores it.
    fn sign_checkpoint(&self, tree: &Accumulator) -> Result<(), LedgerError> {
        match self.checkpoint_note(tree)? {
            Some(note) => {
                let path = self.dir.join(CHECKPOINT);
                journal::write_atomic(&path, note.as_bytes(), Access::Shared).map_err(io_at(&path))
            }
            None => Ok(()),
        }
    }

    /// The tree head signed with the ledger key, or `None` if the stored checkpoint is of this
    /// tree already. It never signs two roots for one size, nor a smaller tree than it signed
    /// before: either would mean history was rewritten.
    fn checkpoint_note(&self, tree: &Accumulator) -> Result<Option<String>, LedgerError> {
        let cp = Checkpoint {
            origin: origin(&self.ledger_id),
            size: tree.size(),
            root: tree.root(),
            extensions: Vec::new(),
        };
        if let Some(old) = read_checkpoint(&self.dir)? {
            check_against(&old, &cp)?;
            if old == cp {
                return Ok(None);
            }
        }
        let key = self.ledger_key()?;
        note::sign(&cp.text(), &[(cp.origin.as_str(), &key)])
            .map(Some)
            .map_err(|e| LedgerError::Checkpoint(e.to_string()))
    }

    /// The tree over the journal: its size and root.
    pub fn tree(&self) -> Result<Accumulator, LedgerError> {
        Ok(self.state.tree()?)
    }

    /// Writes the index to disk; call once when done appending.
    pub fn close(self) -> Result<(), LedgerError> {
        self.state.kv().flush()?;
        Ok(())
    }
}
