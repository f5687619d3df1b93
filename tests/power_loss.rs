//! Power loss. A SIGKILL cannot lose what the page cache holds, so this replays recorded I/O
//! instead: `Ledger::append` runs over a recording double of `journal::Disk`, which logs every
//! write, fsync and rename of the journal and the checkpoint (the staged file and its rename),
//! and the moment each append returns. From that log the harness rebuilds each disk state a
//! power cut could leave after every operation: for each file, what its last fsync made durable;
//! the journal's unsynced writes dropped, torn at any point, zero-filled or complete; the
//! checkpoint's rename (never followed by a directory sync) lost or kept; the index (sled,
//! derived) as the real ledger left it. Each state must audit clean, reopen, hold every append
//! that had returned before the cut, byte for byte, and take the next append.
//!
//! The harness takes the journal file's behaviour, so that the tests below show it failing on a
//! journal that syncs before it writes, or never: an acknowledged event lost is the finding.

#[allow(dead_code)]
mod util;

use custody::audit::verify as audit;
use custody::entry::DecodedEntry;
use custody::journal::{Disk, DiskFile, Fs, JournalIo, open_reader};
use custody::ledger::Ledger;
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

/// How the journal file under the recorded appends behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Journal {
    /// As `Writer::append` drives it.
    AsIs,
    /// Each write preceded by the append's fsync instead of followed by it: the order of
    /// `Writer::append` reversed.
    SyncBeforeWrite,
    /// Its fsyncs dropped.
    NoSync,
}

/// What the disk was asked to do, by file name within the ledger directory.
#[derive(Clone, Debug)]
enum Op {
    /// Created, or emptied if it was there.
    Create(String),
    Write {
        file: String,
        offset: u64,
        bytes: Vec<u8>,
    },
    Sync(String),
    SetLen {
        file: String,
        len: u64,
    },
    Rename {
        from: String,
        to: String,
    },
    /// Not a disk operation: `Ledger::append` returned, the event is acknowledged.
    Acked,
}

type Log = Arc<Mutex<Vec<Op>>>;

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// The real file system, with every operation logged (after it is done).
struct Recording {
    log: Log,
    journal: Journal,
}

struct RecordedFile {
    inner: DiskFile,
    name: String,
    log: Log,
    journal: Journal,
}

impl RecordedFile {
    fn is_journal(&self) -> bool {
        self.name == "journal"
    }

    fn push(&self, op: Op) {
        self.log.lock().unwrap().push(op);
    }

    fn really_sync(&mut self) -> io::Result<()> {
        self.inner.sync()?;
        self.push(Op::Sync(self.name.clone()));
        Ok(())
    }
}

impl JournalIo for RecordedFile {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        if self.is_journal() && self.journal == Journal::SyncBeforeWrite {
            self.really_sync()?;
        }
        self.inner.write_at(offset, bytes)?;
        self.push(Op::Write {
            file: self.name.clone(),
            offset,
            bytes: bytes.to_vec(),
        });
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        if self.is_journal() && self.journal != Journal::AsIs {
            return Ok(());
        }
        self.really_sync()
    }

    fn set_len(&mut self, len: u64) -> io::Result<()> {
        self.inner.set_len(len)?;
        self.push(Op::SetLen {
            file: self.name.clone(),
            len,
        });
        Ok(())
    }
}

impl Disk for Recording {
    fn open(&self, path: &Path, create: bool) -> io::Result<DiskFile> {
        let inner = Fs.open(path, create)?;
        if create {
            self.log.lock().unwrap().push(Op::Create(name(path)));
        }
        Ok(Box::new(RecordedFile {
            inner,
            name: name(path),
            log: Arc::clone(&self.log),
            journal: self.journal,
        }))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        Fs.rename(from, to)?;
        self.log.lock().unwrap().push(Op::Rename {
            from: name(from),
            to: name(to),
        });
        Ok(())
    }
}

fn apply(image: &mut Vec<u8>, op: &Op) {
    match op {
        Op::Write { offset, bytes, .. } => {
            let end = *offset as usize + bytes.len();
            if image.len() < end {
                image.resize(end, 0);
            }
            image[*offset as usize..end].copy_from_slice(bytes);
        }
        Op::SetLen { len, .. } => image.resize(*len as usize, 0),
        _ => unreachable!("not a file content operation: {op:?}"),
    }
}

/// One file as the disk holds it: what its last fsync made durable, and what came after.
struct Inode {
    synced: Vec<u8>,
    pending: Vec<Op>,
}

/// The disk as the log has left it so far. No append syncs the directory, so every creation
/// and rename since the start is pending: a cut keeps all of them (`now`) or none (`durable`).
struct Model {
    inodes: Vec<Inode>,
    durable: BTreeMap<String, usize>,
    now: BTreeMap<String, usize>,
}

impl Model {
    fn step(&mut self, op: &Op) {
        match op {
            Op::Create(file) => {
                self.inodes.push(Inode {
                    synced: Vec::new(),
                    pending: Vec::new(),
                });
                self.now.insert(file.clone(), self.inodes.len() - 1);
            }
            Op::Write { file, .. } | Op::SetLen { file, .. } => {
                self.inodes[self.now[file]].pending.push(op.clone())
            }
            Op::Sync(file) => {
                let inode = &mut self.inodes[self.now[file]];
                for p in inode.pending.drain(..) {
                    apply(&mut inode.synced, &p);
                }
            }
            Op::Rename { from, to } => {
                let id = self.now.remove(from).unwrap();
                self.now.insert(to.clone(), id);
            }
            Op::Acked => {}
        }
    }

    /// The journal's possible contents: its synced bytes, plus each prefix of its unsynced
    /// writes with the next one dropped, torn at several points, zero-filled, missing its last
    /// bytes (the trailer's page), or whole.
    fn journal_images(&self) -> Vec<(String, Vec<u8>)> {
        let inode = &self.inodes[self.now["journal"]];
        let mut out = vec![("synced".to_string(), inode.synced.clone())];
        let mut done = inode.synced.clone();
        for (k, op) in inode.pending.iter().enumerate() {
            if let Op::Write { offset, bytes, .. } = op {
                let at = *offset as usize;
                let mut cut_at = |what: String, tail: &[u8]| {
                    let mut s = done.clone();
                    s.truncate(at);
                    s.extend_from_slice(tail);
                    out.push((format!("unsynced write {k} {what}"), s));
                };
                for cut in [1, 4, 5, bytes.len() / 2, bytes.len() - 4, bytes.len() - 1] {
                    cut_at(format!("torn at {cut}"), &bytes[..cut]);
                }
                cut_at("zero-filled".into(), &vec![0; bytes.len()]);
                let mut no_trailer = bytes.clone();
                let n = no_trailer.len();
                no_trailer[n - 4..].fill(0);
                cut_at("trailer never written".into(), &no_trailer);
            }
            apply(&mut done, op);
            out.push((format!("unsynced write {k} whole"), done.clone()));
        }
        out
    }
}

/// What a replay found.
#[derive(Debug)]
struct Replayed {
    states: usize,
    acknowledged: usize,
    torn_tails: usize,
}

/// The entries the replay appends, and the ledger directory before them (closed, with its
/// index and checkpoint).
struct Source {
    _tmp: tempfile::TempDir,
    base_dir: PathBuf,
    base: usize,
    entries: Vec<Vec<u8>>,
}

fn records(path: &Path) -> Vec<Vec<u8>> {
    let (_, mut reader) = open_reader(path).unwrap();
    let mut out = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        out.push(r.bytes);
    }
    out
}

fn source() -> Source {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("source");
    let writer = util::example("crash_writer");
    let run = |arg: &str| {
        let status = Command::new(&writer)
            .arg(&source)
            .arg(arg)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "crash_writer {arg}");
    };
    run("--setup");
    let base_dir = tmp.path().join("base");
    util::copy_dir(&source, &base_dir);
    run("6");
    let entries = records(&source.join("journal"));
    let base = records(&base_dir.join("journal")).len();
    assert_eq!(base, 5, "genesis, two enrolments, schedule, collect");
    assert_eq!(entries.len(), base + 6);
    Source {
        _tmp: tmp,
        base_dir,
        base,
        entries,
    }
}

/// Appends `entry` again, as it was signed and recorded, through `Ledger::append`.
fn append_again(ledger: &mut Ledger, entry: &[u8]) -> Result<(), String> {
    let d = DecodedEntry::decode(entry).unwrap();
    let e = d.entry;
    let receipt = ledger
        .append_recorded_at(e.body, e.signatures, e.recorded_at)
        .map_err(|err| format!("append of entry {} refused: {err}", e.seq))?;
    if receipt.hash != d.hash || !ledger.notices.is_empty() {
        return Err(format!(
            "entry {} appended otherwise: {:?}",
            e.seq, ledger.notices
        ));
    }
    Ok(())
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Records the appends of `src` over a journal that behaves as `journal` says, then replays
/// every power-cut state. `Err` names every state that fails, and why.
fn replay_power_cuts(src: &Source, journal: Journal) -> Result<Replayed, String> {
    // The states are built from the log, not from what the real disk kept: where there is a
    // memory file system, its no-op fsyncs spare hundreds of real ones.
    let shm = Path::new("/dev/shm");
    let work = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .unwrap();
    let rec = work.path().join("recorded");
    util::copy_dir(&src.base_dir, &rec);
    // The index as the real ledger left it after each acknowledged append.
    let index_after = |n: usize| work.path().join(format!("index-{n}"));
    util::copy_dir(&rec.join("index"), &index_after(src.base));

    let log: Log = Arc::default();
    let disk = Arc::new(Recording {
        log: Arc::clone(&log),
        journal,
    });
    for (n, entry) in src.entries.iter().enumerate().skip(src.base) {
        let mut ledger = Ledger::open_on(&rec, disk.clone()).map_err(|e| e.to_string())?;
        // Reopened at once, sled may still hold its files from the close and the index is
        // rebuilt: not what this records.
        ledger.notices.clear();
        append_again(&mut ledger, entry)?;
        log.lock().unwrap().push(Op::Acked);
        ledger.close().unwrap();
        util::copy_dir(&rec.join("index"), &index_after(n + 1));
    }
    let ops = log.lock().unwrap().clone();
    let returned = ops.iter().filter(|op| matches!(op, Op::Acked)).count();
    ensure!(
        returned == src.entries.len() - src.base,
        "{returned} appends returned"
    );

    let base_files = |file: &str| std::fs::read(src.base_dir.join(file)).unwrap();
    let mut model = Model {
        inodes: Vec::new(),
        durable: BTreeMap::new(),
        now: BTreeMap::new(),
    };
    for file in ["journal", "checkpoint"] {
        model.inodes.push(Inode {
            synced: base_files(file),
            pending: Vec::new(),
        });
        model.durable.insert(file.into(), model.inodes.len() - 1);
    }
    model.now = model.durable.clone();

    let mut replayed = Replayed {
        states: 0,
        acknowledged: src.base,
        torn_tails: 0,
    };
    // How often each entry was found intact after its append returned.
    let mut survived = vec![0usize; src.entries.len()];
    let mut failures = Vec::new();
    // After the journal's fsync of the append in flight, its index may be written too.
    let (mut wrote, mut synced_write) = (false, false);
    for i in 0..=ops.len() {
        if i > 0 {
            let op = &ops[i - 1];
            model.step(op);
            match op {
                Op::Acked => {
                    replayed.acknowledged += 1;
                    (wrote, synced_write) = (false, false);
                }
                Op::Write { file, .. } if file == "journal" => wrote = true,
                Op::Sync(file) if file == "journal" && wrote => synced_write = true,
                _ => {}
            }
        }
        let acked = replayed.acknowledged;
        let indexed = acked + usize::from(synced_write);
        let mut names = vec![("renames kept", &model.now)];
        if model.durable != model.now {
            names.push(("renames lost", &model.durable));
        }
        for (journal_name, journal_image) in model.journal_images() {
            for (names_name, names) in &names {
                let state = format!(
                    "after op {i} of {} ({:?}), journal {journal_name}, {names_name}",
                    ops.len(),
                    ops.get(i.wrapping_sub(1))
                        .map(|op| format!("{op:?}").chars().take(40).collect::<String>())
                );
                let dir = work.path().join("state");
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir(&dir).unwrap();
                for f in ["ledger.key", "person.key"] {
                    std::fs::copy(src.base_dir.join(f), dir.join(f)).unwrap();
                }
                for (file, id) in names.iter() {
                    let bytes = if file == "journal" {
                        &journal_image
                    } else {
                        &model.inodes[*id].synced
                    };
                    std::fs::write(dir.join(file), bytes).unwrap();
                }
                util::copy_dir(&index_after(indexed), &dir.join("index"));
                match check_state(src, &dir, acked, &state, &mut survived) {
                    Ok(torn) => replayed.torn_tails += torn,
                    Err(e) => failures.push(e),
                }
                replayed.states += 1;
            }
        }
    }
    if replayed.acknowledged != src.entries.len() {
        failures.push(format!("{} acknowledged at the end", replayed.acknowledged));
    }
    for (n, count) in survived.iter().enumerate() {
        if *count == 0 {
            failures.push(format!("entry {n} was never found intact after its append"));
        }
    }
    if failures.is_empty() {
        Ok(replayed)
    } else {
        Err(failures.join("\n"))
    }
}

/// One power-cut state: audits clean, reopens, holds the first `acked` entries byte for byte,
/// and takes the next entry. Returns how many torn tails the reopening cut.
fn check_state(
    src: &Source,
    dir: &Path,
    acked: usize,
    state: &str,
    survived: &mut [usize],
) -> Result<usize, String> {
    // The audit reads it as it is: clean, perhaps with a note about a tail.
    let report = audit::verify(&dir.join("journal"), None).map_err(|e| format!("{state}: {e}"))?;
    ensure!(report.findings.is_empty(), "{state}: {:?}", report.findings);
    ensure!(
        report.entries as usize >= acked,
        "{state}: acknowledged entries lost: {} of {acked} left",
        report.entries
    );

    // The next writer recovers, with the checkpoint and index the cut left, and appends.
    let mut ledger = Ledger::open(dir).map_err(|e| format!("{state}: reopening: {e}"))?;
    let torn = ledger.notices.iter().filter(|n| n.contains("tail")).count();
    ledger.notices.clear();
    let size = ledger.head().map_err(|e| e.to_string())?.size as usize;
    if let Some(next) = src.entries.get(size) {
        append_again(&mut ledger, next).map_err(|e| format!("{state}: {e}"))?;
    }
    ledger.close().unwrap();
    let after = records(&dir.join("journal"));
    ensure!(
        after.len() >= acked,
        "{state}: acknowledged entries lost after reopening: {} of {acked} left",
        after.len()
    );
    let expected = &src.entries[..after.len().min(src.entries.len())];
    ensure!(
        after == expected,
        "{state}: entries changed after reopening"
    );
    for s in &mut survived[..acked] {
        *s += 1;
    }
    let report = audit::verify(&dir.join("journal"), None).unwrap();
    ensure!(
        report.is_clean() && report.notices.is_empty(),
        "{state}: {:?}",
        report.notices
    );
    Ok(torn)
}

#[test]
fn every_disk_state_a_power_cut_can_leave_recovers_with_every_acknowledged_event() {
    let src = source();
    let r = replay_power_cuts(&src, Journal::AsIs).unwrap();
    assert_eq!(r.acknowledged, src.entries.len());
    assert!(r.states > 60, "{r:?}");
    assert!(r.torn_tails > 0, "{r:?}");
    println!(
        "{} power-cut states replayed over {} acknowledged appends, {} torn tails cut, 0 lost acknowledged events",
        r.states,
        src.entries.len() - src.base,
        r.torn_tails
    );
}

#[test]
fn the_harness_finds_a_lost_event_when_the_journal_syncs_before_it_writes() {
    let err = replay_power_cuts(&source(), Journal::SyncBeforeWrite).unwrap_err();
    assert!(err.contains("acknowledged entries lost"), "{err}");
}

#[test]
fn the_harness_finds_a_lost_event_when_the_journal_never_syncs() {
    let err = replay_power_cuts(&source(), Journal::NoSync).unwrap_err();
    assert!(err.contains("acknowledged entries lost"), "{err}");
}
