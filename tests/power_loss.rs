//! Power loss. A SIGKILL cannot lose what the page cache holds, so this replays the journal's
//! recorded I/O instead: every write and fsync an append makes goes through `JournalIo`, and a
//! recording double rebuilds each disk state a power cut could leave — every prefix ending at an
//! fsync, and the same with the unsynced append dropped, torn at any point, zero-filled, or
//! complete. Each state must reopen, audit clean, and hold every acknowledged event.

#[allow(dead_code)]
mod util;

use custody::audit::verify as audit;
use custody::journal::{HEADER_LEN, JournalIo, Writer, open_reader};
use custody::ledger::Ledger;
use std::io;
use std::path::Path;
use std::process::Command;

/// What the disk was asked to do.
#[derive(Clone, Debug)]
enum Op {
    Write { offset: u64, bytes: Vec<u8> },
    Sync,
    SetLen(u64),
}

/// A journal file that only records.
#[derive(Default)]
struct Recorder {
    ops: Vec<Op>,
}

impl JournalIo for Recorder {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        self.ops.push(Op::Write {
            offset,
            bytes: bytes.to_vec(),
        });
        Ok(())
    }
    fn sync(&mut self) -> io::Result<()> {
        self.ops.push(Op::Sync);
        Ok(())
    }
    fn set_len(&mut self, len: u64) -> io::Result<()> {
        self.ops.push(Op::SetLen(len));
        Ok(())
    }
}

fn apply(image: &mut Vec<u8>, op: &Op) {
    match op {
        Op::Write { offset, bytes } => {
            let end = *offset as usize + bytes.len();
            if image.len() < end {
                image.resize(end, 0);
            }
            image[*offset as usize..end].copy_from_slice(bytes);
        }
        Op::SetLen(len) => image.resize(*len as usize, 0),
        Op::Sync => {}
    }
}

/// Entry bytes of every record of a journal, and its header.
fn records(path: &Path) -> (Vec<u8>, Vec<Vec<u8>>) {
    let bytes = std::fs::read(path).unwrap();
    let (_, mut reader) = open_reader(path).unwrap();
    let mut out = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        out.push(r.bytes);
    }
    (bytes[..HEADER_LEN as usize].to_vec(), out)
}

#[test]
fn every_disk_state_a_power_cut_can_leave_recovers_with_every_acknowledged_event() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("source");
    let writer = util::example("crash_writer");
    assert!(
        Command::new(&writer)
            .arg(&source)
            .arg("--setup")
            .status()
            .unwrap()
            .success()
    );
    assert!(
        Command::new(&writer)
            .arg(&source)
            .arg("6")
            .status()
            .unwrap()
            .success()
    );
    let (header, entries) = records(&source.join("journal"));
    let base = 5; // genesis, two enrolments, schedule, collect: durable before the appends
    assert!(entries.len() > base + 3);

    // Record the I/O of appending the rest, one acknowledged append after another.
    let mut base_image = header.clone();
    for e in &entries[..base] {
        base_image.extend_from_slice(&custody::journal::frame(e).unwrap());
    }
    let mut w = Writer::with_io(
        Recorder::default(),
        Path::new("journal"),
        base_image.len() as u64,
    );
    let mut acked_after_sync = Vec::new(); // (index of the op that acknowledged, entries acked)
    for (k, e) in entries[base..].iter().enumerate() {
        w.append(e).unwrap();
        acked_after_sync.push((w.io().ops.len(), base + k + 1));
    }
    let ops = w.io().ops.clone();

    // The states: the synced prefix at each fsync, plus what the next append may have left.
    let mut states: Vec<(String, Vec<u8>, usize)> = Vec::new();
    let mut durable = base_image.clone();
    let mut acked = base;
    let mut pending: Vec<Op> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Sync => {
                for p in pending.drain(..) {
                    apply(&mut durable, &p);
                }
                if let Some((_, n)) = acked_after_sync.iter().find(|(at, _)| *at == i + 1) {
                    acked = *n;
                }
                states.push((format!("synced after op {i}"), durable.clone(), acked));
            }
            Op::Write { offset, bytes } => {
                pending.push(op.clone());
                let at = *offset as usize;
                // The unsynced write: dropped, torn at several points, zero-filled, or whole.
                states.push((format!("op {i} dropped"), durable.clone(), acked));
                for cut in [1, 4, 5, bytes.len() / 2, bytes.len() - 4, bytes.len() - 1] {
                    let mut s = durable.clone();
                    s.truncate(at);
                    s.extend_from_slice(&bytes[..cut]);
                    states.push((format!("op {i} torn at {cut}"), s, acked));
                }
                let mut zeros = durable.clone();
                zeros.truncate(at);
                zeros.resize(at + bytes.len(), 0);
                states.push((format!("op {i} zero-filled"), zeros, acked));
                let mut last_page_zero = durable.clone();
                last_page_zero.truncate(at);
                last_page_zero.extend_from_slice(bytes);
                let n = last_page_zero.len();
                last_page_zero[n - 4..].fill(0);
                states.push((
                    format!("op {i} trailer never written"),
                    last_page_zero,
                    acked,
                ));
                let mut whole = durable.clone();
                apply(&mut whole, op);
                states.push((format!("op {i} written, not synced"), whole, acked));
            }
            Op::SetLen(_) => pending.push(op.clone()),
        }
    }
    assert!(states.len() > 30, "{} states", states.len());

    let mut cut_tails = 0;
    for (name, image, acked) in &states {
        let dir = tmp.path().join("state");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        for f in ["ledger.key", "person.key"] {
            std::fs::copy(source.join(f), dir.join(f)).unwrap();
        }
        std::fs::write(dir.join("journal"), image).unwrap();

        // The audit reads it as it is: clean, perhaps with a note about a tail.
        let report = audit::verify(&dir.join("journal"), None).unwrap();
        assert!(report.findings.is_empty(), "{name}: {:?}", report.findings);
        assert!(
            report.entries as usize >= *acked,
            "{name}: acknowledged entries lost"
        );

        // The next writer recovers, and every acknowledged entry is there, byte for byte.
        let ledger = Ledger::open(&dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        cut_tails += ledger.notices.iter().filter(|n| n.contains("tail")).count();
        ledger.close().unwrap();
        let (_, after) = records(&dir.join("journal"));
        assert!(after.len() >= *acked, "{name}");
        assert_eq!(
            after[..*acked],
            entries[..*acked],
            "{name}: acknowledged entries changed"
        );
        let report = audit::verify(&dir.join("journal"), None).unwrap();
        assert!(
            report.is_clean() && report.notices.is_empty(),
            "{name}: {:?}",
            report.notices
        );
    }
    println!(
        "{} power-cut states replayed, {cut_tails} torn tails cut, 0 lost acknowledged events",
        states.len()
    );
}
