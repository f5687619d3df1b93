//! Process crashes: a writer appends co-signed events in a loop and is killed with SIGKILL at
//! random moments. After each kill the ledger must reopen, audit clean, hold every event whose
//! append was acknowledged, and nothing beyond at most the one in flight. So that a writer that
//! does nothing cannot pass, every writer must end by the kill and not by an error of its own,
//! enough of them must open the ledger and acknowledge events, and a last writer, not killed,
//! must open the ledger after all the kills and acknowledge what it was asked to.
//!
//! `cargo test --test crash` runs 50 kills; the full run (docs/RELIABILITY.md) is
//! `cargo build --release --examples && CUSTODY_CRASH_KILLS=1000 cargo test --release --test crash -- --nocapture`.

#[allow(dead_code)]
mod util;

use custody::entry::{DecodedEntry, hex};
use custody::journal;
use rand::RngExt;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// seq -> entry hash, for every complete record of the journal.
fn journal_hashes(dir: &Path) -> BTreeMap<u64, String> {
    let (_, mut reader) = journal::open_reader(&dir.join("journal")).unwrap();
    let mut out = BTreeMap::new();
    while let Some(r) = reader.next_record().unwrap() {
        let d = DecodedEntry::decode(&r.bytes).unwrap();
        out.insert(d.entry.seq, hex(&d.hash));
    }
    out
}

#[test]
fn sigkill_never_loses_an_acknowledged_event_nor_leaves_a_false_finding() {
    let kills: usize = std::env::var("CUSTODY_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(50);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ledger");
    let writer = util::example("crash_writer");
    let status = Command::new(&writer)
        .arg(&dir)
        .arg("--setup")
        .status()
        .unwrap();
    assert!(status.success());
    let custody = env!("CARGO_BIN_EXE_custody");

    let mut rng = rand::rng();
    let mut acked: BTreeMap<u64, String> = BTreeMap::new();
    let (mut in_flight_kept, mut torn_tails, mut opened) = (0, 0, 0);
    // The last entry before the round: what a writer found when it opened the ledger.
    let mut baseline = 4;
    let started = Instant::now();
    for round in 0..kills {
        let mut child = Command::new(&writer)
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut out = String::new();
        if round % 2 == 1 {
            // Every other round waits for the writer to open the ledger, which after a kill it
            // must, so that a loaded machine's slow start still leaves appends to kill.
            stdout.read_line(&mut out).unwrap();
            assert_eq!(out, "opened\n", "round {round}: the writer did not open");
        }
        // Startup and the first append take tens of milliseconds (more in a debug build): kill
        // anywhere from before the ledger is open to several appends in.
        std::thread::sleep(Duration::from_micros(rng.random_range(0..80_000)));
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        stdout.read_to_string(&mut out).unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        torn_tails += err.matches("tail").count();
        // Ended by the signal (no exit code), not by an error before it came.
        assert_eq!(
            status.code(),
            None,
            "round {round}: the writer exited on its own ({status}): {err}"
        );
        let opened_now = out.starts_with("opened\n");
        opened += usize::from(opened_now);
        let mut last_ack_this_round = baseline;
        for line in out.lines().skip(usize::from(opened_now)) {
            // A line cut by the kill was never a complete acknowledgement.
            let mut parts = line.split(' ');
            if let (Some("ack"), Some(seq), Some(hash)) = (parts.next(), parts.next(), parts.next())
                && hash.len() == 64
            {
                assert!(opened_now, "round {round}: acknowledged before opening");
                let seq: u64 = seq.parse().unwrap();
                acked.insert(seq, hash.to_string());
                last_ack_this_round = last_ack_this_round.max(seq);
            }
        }

        let verify = Command::new(custody)
            .args(["--ledger"])
            .arg(&dir)
            .args(["verify", "--json"])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
        assert_eq!(
            report["findings"],
            serde_json::json!([]),
            "round {round}: a crash left findings"
        );
        assert!(verify.status.success(), "round {round}");

        let present = journal_hashes(&dir);
        for (seq, hash) in &acked {
            assert_eq!(
                present.get(seq),
                Some(hash),
                "round {round}: acknowledged entry {seq} lost"
            );
        }
        // Beyond what this writer acknowledged, at most the one append it was killed in.
        let last_present = present.keys().next_back().copied().unwrap();
        assert!(
            last_present <= last_ack_this_round + 1,
            "round {round}: entries beyond the one in flight ({last_present} > {last_ack_this_round} + 1)"
        );
        if last_present == last_ack_this_round + 1 {
            in_flight_kept += 1;
        }
        baseline = last_present;
    }
    let elapsed = started.elapsed().as_secs_f64();
    // How many more depends on the machine's load; none means the writer does nothing.
    assert!(
        opened >= kills / 2,
        "{opened} of {kills} writers opened the ledger"
    );
    assert!(!acked.is_empty(), "no event acknowledged in {kills} kills");

    // After every kill, a writer left to finish opens the ledger and appends.
    let out = Command::new(&writer).arg(&dir).arg("3").output().unwrap();
    assert!(
        out.status.success(),
        "the writer after the kills failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0], "opened");
    let present = journal_hashes(&dir);
    for (k, line) in lines[1..].iter().enumerate() {
        let seq = baseline + 1 + k as u64;
        assert_eq!(
            *line,
            format!("ack {seq} {}", present[&seq]),
            "the writer after the kills"
        );
    }
    assert_eq!(present.len() as u64, baseline + 4);
    println!(
        "{kills} kills in {elapsed:.1} s: {opened} writers opened the ledger, {} acknowledged \
         events, none lost; {in_flight_kept} in-flight events completed after their kill; \
         {torn_tails} torn tails cut; 0 false findings; the writer after the kills appended 3",
        acked.len()
    );
}
