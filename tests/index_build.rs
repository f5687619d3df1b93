//! A writer's index built from the journal by the audit's pipeline (a first open, `reindex`,
//! `restore`) holds exactly what appending the same entries one at a time writes.

#[allow(dead_code)]
mod util;

use custody::entry::DecodedEntry;
use custody::journal::{self, HEADER_LEN};
use custody::ledger::{INDEX, JOURNAL, LEDGER_KEY, Ledger, PERSON_KEY};
use custody::state::{Kv, Pairs};
use std::path::Path;
use std::process::Command;

/// Every key and value of the ledger's index, in key order.
fn index_pairs(dir: &Path) -> Pairs {
    let ledger = Ledger::open(dir).unwrap();
    let pairs = ledger.state().kv().scan_prefix(&[]).unwrap();
    ledger.close().unwrap();
    pairs
}

/// The journal's records: header, then each record's bytes.
fn records(dir: &Path) -> Vec<Vec<u8>> {
    let (_, mut reader) = journal::open_reader(&dir.join(JOURNAL)).unwrap();
    let mut out = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        out.push(r.bytes);
    }
    out
}

/// A generated ledger of more than one batch of the audit (1,024 records), with its index built
/// on first open, against a copy grown from its genesis by appending each entry in turn.
#[test]
fn an_index_built_ahead_holds_what_appending_one_entry_at_a_time_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let built = tmp.path().join("built");
    let out = Command::new(util::example("generate_ledger"))
        .arg(&built)
        .arg("1200")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let ahead = index_pairs(&built);
    assert!(built.join(INDEX).exists());

    // The same ledger, appended to entry by entry.
    let grown = tmp.path().join("grown");
    std::fs::create_dir_all(&grown).unwrap();
    for f in [LEDGER_KEY, PERSON_KEY] {
        std::fs::copy(built.join(f), grown.join(f)).unwrap();
    }
    let journal_bytes = std::fs::read(built.join(JOURNAL)).unwrap();
    let all = records(&built);
    let genesis_end = HEADER_LEN as usize + 8 + all[0].len();
    std::fs::write(grown.join(JOURNAL), &journal_bytes[..genesis_end]).unwrap();
    let mut ledger = Ledger::open(&grown).unwrap();
    for bytes in &all[1..] {
        let e = DecodedEntry::decode(bytes).unwrap();
        ledger
            .append_recorded_at(e.entry.body, e.entry.signatures, e.entry.recorded_at)
            .unwrap();
    }
    ledger.close().unwrap();
    assert_eq!(std::fs::read(grown.join(JOURNAL)).unwrap(), journal_bytes);
    let appended = index_pairs(&grown);
    assert_eq!(ahead.len(), appended.len());
    for (a, b) in ahead.iter().zip(&appended) {
        assert_eq!(a, b, "key {}", String::from_utf8_lossy(&a.0));
    }
}

/// A journal damaged in its second batch: the index holds the entries before the damage, and
/// the writer reports the damage where absorbing one entry at a time finds it.
#[test]
fn an_index_built_ahead_stops_before_a_bad_signature() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ledger");
    let out = Command::new(util::example("generate_ledger"))
        .arg(&dir)
        .arg("1200")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let path = dir.join(JOURNAL);
    let mut bytes = std::fs::read(&path).unwrap();
    // Record 1,100: flip a bit of its last signature (the record's last bytes).
    let mut at = HEADER_LEN as usize;
    for _ in 0..1100 {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        at += len + 8;
    }
    let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let damaged_at = at as u64;
    bytes[at + 4 + len - 10] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();

    let Err(err) = Ledger::reindex(&dir) else {
        panic!("a damaged journal was reindexed");
    };
    let err = err.to_string();
    assert!(err.contains(&damaged_at.to_string()), "{err}");
    assert!(err.contains("signature"), "{err}");
    let ledger = Ledger::open(&dir).unwrap();
    assert_eq!(ledger.state().tip().unwrap().unwrap().size, 1100);
}
