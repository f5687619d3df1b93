//! `custody verify` with many bundles (one combined report, one exit code, `--trust` matched
//! to each ledger) and its progress bar, through the real binary.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use util::Fixture;

/// A county: a ledger of its own (three founders, one enrolment) exported to `NAME.custody`
/// in the fixture's directory. Returns the export and the genesis hash.
fn county(fx: &Fixture, name: &str) -> (PathBuf, String) {
    let genesis = fx.init3();
    fx.keygen("c1", "Holder c1");
    fx.enroll("c1", &["custodian"], "2001", &["a1", "a2"])
        .exits(0);
    let out = format!("{name}.custody");
    fx.run(&["export", "--out", &out]).exits(0);
    (fx.path(&out), genesis)
}

fn arg(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// Flips a bit in the last co-signature of the bundle's journal: a signature that no longer
/// verifies.
fn tamper(fx: &Fixture, bundle: &Path) {
    let journal = fx.journal_bytes();
    let mut bytes = fs::read(bundle).unwrap();
    let at = bytes
        .windows(journal.len())
        .position(|w| w == journal.as_slice())
        .expect("an export carries its journal byte for byte");
    // The record's last bytes: its last signature, then the 4-byte trailer.
    bytes[at + journal.len() - 4 - 10] ^= 0x01;
    fs::write(bundle, bytes).unwrap();
}

#[test]
fn two_clean_bundles_pass_with_their_trusted_hashes_in_any_order() {
    let (x, y) = (Fixture::new(), Fixture::new());
    let (a, ga) = county(&x, "north");
    let (b, gb) = county(&y, "south");
    let args = [
        "verify",
        "--bundle",
        &arg(&a),
        "--bundle",
        &arg(&b),
        "--trust",
        &gb,
        "--trust",
        &ga,
    ];
    let run = x.run(&args).exits(0);
    assert!(
        run.stdout
            .contains("verdict: CLEAN, 2 bundles, no findings"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.matches("matches the trusted hash").count(), 2);

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let doc = x.run(&json_args).exits(0).json();
    assert_eq!(doc["clean"], true);
    let bundles = doc["bundles"].as_array().unwrap();
    assert_eq!(bundles.len(), 2);
    assert_eq!(bundles[0]["bundle"], arg(&a));
    assert_eq!(bundles[1]["report"]["genesis_hash"], gb.as_str());
    assert_eq!(bundles[1]["report"]["genesis_trusted"], true);
    assert_eq!(doc["unmatched_trust"].as_array().unwrap().len(), 0);
}

#[test]
fn one_tampered_bundle_fails_the_run_and_is_named() {
    let (x, y) = (Fixture::new(), Fixture::new());
    let (a, ga) = county(&x, "north");
    let (b, gb) = county(&y, "south");
    tamper(&y, &b);
    let args = [
        "verify",
        "--bundle",
        &arg(&a),
        "--bundle",
        &arg(&b),
        "--trust",
        &ga,
        "--trust",
        &gb,
    ];
    let run = x.run(&args).exits(1);
    let line = |path: &Path| {
        run.stdout
            .lines()
            .rfind(|l| l.ends_with(&format!(" {}", arg(path))))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line(&a).trim_start().starts_with("CLEAN "),
        "{}",
        run.stdout
    );
    assert!(line(&b).contains("FINDING(S)"), "{}", run.stdout);
    assert!(
        run.stdout.contains("verdict: 1 of 2 bundles with findings"),
        "{}",
        run.stdout
    );

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let doc = x.run(&json_args).exits(1).json();
    assert_eq!(doc["clean"], false);
    assert_eq!(doc["bundles"][0]["clean"], true);
    assert_eq!(doc["bundles"][1]["clean"], false);
    let codes: Vec<&str> = doc["bundles"][1]["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"SIGNATURE"), "{codes:?}");
}

#[test]
fn a_bundle_without_a_matching_trust_is_a_finding_and_an_unused_trust_is_reported() {
    let (x, y, z) = (Fixture::new(), Fixture::new(), Fixture::new());
    let (a, ga) = county(&x, "north");
    let (b, _) = county(&y, "south");
    let (_, gz) = county(&z, "west");
    let doc = x
        .run(&[
            "verify",
            "--json",
            "--bundle",
            &arg(&a),
            "--bundle",
            &arg(&b),
            "--trust",
            &ga,
            "--trust",
            &gz,
        ])
        .exits(1)
        .json();
    assert_eq!(doc["bundles"][0]["clean"], true);
    let south = &doc["bundles"][1]["report"];
    assert_eq!(south["genesis_trusted"], false);
    assert_eq!(south["findings"][0]["code"], "GENESIS_UNTRUSTED");
    assert!(
        south["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("none of the 2 trusted hashes"),
        "{south}"
    );
    assert_eq!(doc["unmatched_trust"], serde_json::json!([gz]));
}

#[test]
fn a_missing_bundle_is_not_audited_and_gives_its_own_exit_code() {
    let x = Fixture::new();
    let (a, _) = county(&x, "north");
    let run = x
        .run(&[
            "verify",
            "--bundle",
            &arg(&a),
            "--bundle",
            "nowhere.custody",
        ])
        .exits(2);
    assert!(run.stdout.contains("NOT AUDITED"), "{}", run.stdout);
    assert!(run.stdout.contains("CLEAN          "), "{}", run.stdout);
}

#[test]
fn an_html_page_is_one_ledger_so_two_bundles_with_html_is_bad_usage() {
    let (x, y) = (Fixture::new(), Fixture::new());
    let (a, _) = county(&x, "north");
    let (b, _) = county(&y, "south");
    let run = x
        .run(&[
            "verify",
            "--bundle",
            &arg(&a),
            "--bundle",
            &arg(&b),
            "--html",
            "both.html",
        ])
        .exits(2);
    assert!(run.stderr.contains("--html"), "{}", run.stderr);
    assert!(
        run.stdout.is_empty(),
        "refused before any audit:\n{}",
        run.stdout
    );
    assert!(!x.path("both.html").exists());
}

#[test]
fn checkpoints_go_to_the_bundle_of_their_ledger() {
    let (x, y) = (Fixture::new(), Fixture::new());
    let (a, _) = county(&x, "north");
    let (b, _) = county(&y, "south");
    // The ledger's own automatic checkpoint, held by the auditor.
    fs::copy(y.path("ledger/checkpoint"), x.path("south.note")).unwrap();
    let doc = x
        .run(&[
            "verify",
            "--json",
            "--bundle",
            &arg(&a),
            "--bundle",
            &arg(&b),
            "--checkpoint",
            "south.note",
        ])
        .exits(0)
        .json();
    let held = |i: usize| {
        doc["bundles"][i]["report"]["checkpoints"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["label"] == "south.note")
            .count()
    };
    assert_eq!((held(0), held(1)), (0, 1));
    // Evidence about no bundle's ledger is refused rather than checked against nothing.
    fs::write(x.path("other.note"), "not a checkpoint\n").unwrap();
    x.run(&[
        "verify",
        "--bundle",
        &arg(&a),
        "--bundle",
        &arg(&b),
        "--checkpoint",
        "other.note",
    ])
    .exits(2);
}

/// A generated ledger long enough that the audit is still running when the bar may appear
/// (`CUSTODY_PROGRESS_DELAY_MS=0`: at once).
fn long_ledger(fx: &Fixture) -> PathBuf {
    let dir = fx.path("long");
    let out = Command::new(util::example("generate_ledger"))
        .arg(&dir)
        .arg("3000")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    dir
}

#[test]
fn the_progress_bar_is_drawn_on_a_terminal_and_never_on_a_pipe() {
    let fx = Fixture::new();
    let dir = long_ledger(&fx);
    // A pipe: the report on stdout, nothing at all on stderr.
    let out = fx
        .cmd()
        .env("CUSTODY_PROGRESS_DELAY_MS", "0")
        .args(["--ledger", dir.to_str().unwrap(), "verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("verdict: CLEAN"));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    // A terminal (script(1) gives the command a pseudo-terminal): the bar, with its rate.
    let command = format!(
        "{} --ledger {} verify",
        env!("CARGO_BIN_EXE_custody"),
        dir.display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("CUSTODY_PROGRESS_DELAY_MS", "0")
        .output()
        .expect("script(1) from util-linux");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("entries/s"), "{screen}");
    assert!(screen.contains("verdict: CLEAN"), "{screen}");

    // --json: no bar even on a terminal.
    let out = Command::new("script")
        .args(["-qec", &format!("{command} --json"), "/dev/null"])
        .env("CUSTODY_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(!screen.contains("entries/s"), "{screen}");
    assert!(screen.contains("\"findings\""), "{screen}");
}
