//! Writing a bundle: an export (the journal and its checkpoints) or a backup (the same and the
//! ledger's two secrets, sealed under a passphrase), staged and linked into place only if nothing
//! is there.

use super::restore::genesis_keys;
use super::*;
use crate::audit::evidence::Named;
use crate::format::note::{Checkpoint, MAX_NOTE, Note};
use crate::keys::keyfile::KdfParams;
use crate::ledger::{self, CHECKPOINT, CHECKPOINTS, LEDGER_KEY, LedgerError, PERSON_KEY};
use crate::model::entry::{DecodedEntry, Hash, leaf_hash};
use crate::model::roster::person_key_hash;
use crate::store::journal::{self, Access, End, Reader, Staged};
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

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
pub(super) fn directory_notes(
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
pub(super) fn read_secret(path: &Path) -> Result<Zeroizing<[u8; 32]>, BundleError> {
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
pub(super) struct JournalEnd {
    /// How many bytes to carry.
    len: u64,
    /// The last complete record.
    pub(super) last: Option<journal::Record>,
    notices: Vec<String>,
}

/// Finds how much of the journal open as `file` to carry: up to its last complete record. A
/// tail left by an interrupted (or running) append is left out; damage (bytes that are neither
/// records nor a tail) is carried as it is, for the audit to report.
pub(super) fn journal_end(file: &mut File, path: &Path) -> Result<JournalEnd, BundleError> {
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
                crate::keys::sealed::seal_with_passphrase(&plain, s.passphrase, s.params, &aad)
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

pub(super) fn checkpoint_size(note: &str) -> Option<u64> {
    Note::parse(note)
        .ok()
        .and_then(|n| Checkpoint::parse_text(&n.text).ok())
        .map(|c| c.size)
}
