//! The audit checks signatures ahead, batch by batch, under keys enrolled before a batch and
//! inside it; its findings must be exactly those of judging one entry at a time. A generated
//! ledger of three batches, with signatures broken in the batch that enrols the roster and in
//! a later one, audited both ways.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::audit::verify::{self as audit, Options};
use custody::entry::DecodedEntry;
use custody::journal;
use custody::rules::judge::judge;
use custody::rules::memstore::MemKv;
use custody::state::State;
use std::path::Path;
use std::process::Command;

/// The (code, seq) of every finding, judging entry after entry with `rules::judge` alone.
fn one_at_a_time(path: &Path) -> Vec<(String, u64)> {
    let (id, mut reader) = journal::open_reader(path).unwrap();
    let mut state = State::new(MemKv::default());
    let mut out = Vec::new();
    while let Some(record) = reader.next_record().unwrap() {
        let e = DecodedEntry::decode(&record.bytes).unwrap();
        for f in judge(&state, &e, &id).unwrap() {
            out.push((f.code.as_str().to_string(), f.seq));
        }
        custody::rules::transition::apply(&mut state, &e).unwrap();
    }
    out
}

/// Flips a bit in the last signature of the records at these sequence numbers.
fn break_signatures(path: &Path, seqs: &[u64]) {
    let mut bytes = std::fs::read(path).unwrap();
    let mut at = journal::HEADER_LEN as usize;
    let mut seq = 0;
    while at < bytes.len() {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        if seqs.contains(&seq) {
            bytes[at + 4 + len - 10] ^= 0x01;
        }
        at += len + 8;
        seq += 1;
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn checking_ahead_in_batches_gives_the_findings_of_judging_one_entry_at_a_time() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ledger");
    let out = Command::new(util::example("generate_ledger"))
        .arg(&dir)
        .arg("2500")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let path = dir.join("journal");
    // Entry 5 is signed by keys enrolled in its own batch (entries 1 and 2); 1,030 and 2,400
    // lie in later batches.
    break_signatures(&path, &[5, 1030, 2400]);

    let expected = one_at_a_time(&path);
    let report = audit::verify_with(&path, &Options::default()).unwrap();
    let found: Vec<(String, u64)> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str().to_string(), f.seq))
        .collect();
    assert_eq!(found, expected);
    let signatures: Vec<u64> = found
        .iter()
        .filter(|(code, _)| code == "SIGNATURE")
        .map(|(_, seq)| *seq)
        .collect();
    assert_eq!(signatures, vec![5, 1030, 2400]);
}
