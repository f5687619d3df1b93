//! The two examples a newcomer runs first, run as they are (cargo builds them with the tests).

#[allow(dead_code)]
mod util;

use std::process::Command;

fn run(name: &str) -> String {
    let out = Command::new(util::example(name)).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn county_exam_runs_an_exam_day_whose_audit_reports_only_the_torn_seal() {
    // The example judges its own audit; the ledger it leaves is judged here by `custody verify`.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ledger");
    let out = Command::new(util::example("county_exam"))
        .arg("--keep")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("Verdict: as expected"), "{stdout}");

    let verify = Command::new(env!("CARGO_BIN_EXE_custody"))
        .arg("--ledger")
        .arg(&dir)
        .args(["verify", "--json"])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(1), "verify finds the torn seal");
    let report: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert!(report["entries"].as_u64().unwrap() > 100, "{report}");
    let findings: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["bag"].as_str().unwrap_or("")))
        .collect();
    // The torn seal, as observed at arrival and as the incident the signers declared.
    assert_eq!(
        findings,
        vec![
            ("SEAL_MISMATCH", "QP-YW-203"),
            ("INCIDENT_BROKEN_SEAL", "QP-YW-203")
        ],
        "{report}"
    );
}

#[test]
fn every_leak_attempt_is_refused_or_flagged() {
    let out = run("leak_attempts");
    assert!(
        out.contains("Every attempt was refused or flagged as expected"),
        "{out}"
    );
}

#[test]
fn the_benchmark_runs_on_a_small_ledger() {
    let out = std::process::Command::new(util::example("bench"))
        .args([
            "--events",
            "2000",
            "--appends",
            "20",
            "--counties",
            "2",
            "--rounds",
            "1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "(a) verify_strict",
        "(c) ledger's rule",
        "b/a",
        "b/c",
        "open, first",
        "adversarial",
        "peak memory",
        "open ",
        "append ",
        "raw fsync",
        "export",
        "multi-ledger ",
    ] {
        assert!(stdout.contains(line), "{line}: {stdout}");
    }
}
