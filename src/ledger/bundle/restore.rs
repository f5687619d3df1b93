//! Restoring a ledger from a backup: audited against every checkpoint the target directory and
//! the operator hold, and refused where it would truncate or fork what they signed.

use super::write::{checkpoint_size, directory_notes, journal_end, read_secret};
use super::*;
use crate::audit::evidence::{Evidence, Named};
use crate::audit::verify::{self as audit, Options, Report};
use crate::ledger::{
    self, CHECKPOINT, CHECKPOINTS, INDEX, JOURNAL, LEDGER_KEY, LOCK, Ledger, LedgerError,
    PERSON_KEY,
};
use crate::model::entry::{DecodedEntry, Hash, hex};
use crate::model::event::Event;
use crate::model::finding::{Category, Code, Finding};
use crate::model::roster::person_key_hash;
use crate::store::journal::{self, Access, Staged, read_full};
use ed25519_dalek::SigningKey;
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

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
pub(super) fn genesis_keys(path: &Path) -> Result<Option<([u8; 32], Hash)>, BundleError> {
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
