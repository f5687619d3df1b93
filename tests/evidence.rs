//! Evidence an auditor holds beside the journal, and the report they read, through the real
//! binary: checkpoints and inclusion proofs that catch a cut or rewritten ledger the journal alone
//! cannot show, checkpoints from strangers or other ledgers, the C2SP bytes another tool reads,
//! and the report's header, sections, severities and listed changes (text and JSON).
//!
//! The signed-note example of the C2SP spec and Go's own test notes are checked in
//! `tests/note_vectors.rs` (`the_c2sp_example_checkpoint_parses_and_re_encodes`,
//! `the_go_example_note_parses_and_verifies`, ...); here the notes are the ones the ledger writes.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::entry::{DecodedEntry, hex, leaf_hash, parse_hex};
use custody::event::Event;
use custody::keyfile::read_secret_key_file;
use custody::note::{self, Checkpoint, Note, Proof};
use custody::time::Timestamp;
use serde_json::Value;
use std::fs;
use util::{Fixture, Run};

/// Genesis (a1 a2 a3) and three enrolments: c1 custodian, s1 supervisor, e1 escort (entries
/// 0..=3). The ledger key has signed `ledger/checkpoint` at 4 entries.
fn small_ledger() -> Fixture {
    let fx = Fixture::new();
    fx.init3();
    for (id, role, person) in [
        ("c1", "custodian", "2001"),
        ("s1", "supervisor", "2002"),
        ("e1", "escort", "2003"),
    ] {
        fx.keygen(id, &format!("Holder {id}"));
        fx.enroll(id, &[role], person, &["a1", "a2"]).exits(0);
    }
    fx
}

/// `verify` with these extra arguments and `--json`: the report, and (code, seq) of each finding.
/// Checks that it exits 1 exactly when there are findings.
#[track_caller]
fn audit(fx: &Fixture, extra: &[&str]) -> (Value, Vec<(String, u64)>) {
    let mut args = vec!["verify", "--json"];
    args.extend_from_slice(extra);
    let run = fx.run(&args);
    let report = run.json();
    let findings: Vec<(String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["seq"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        run.code,
        i32::from(!findings.is_empty()),
        "verify exits 1 iff there are findings: {findings:?}"
    );
    (report, findings)
}

fn f(code: &str, seq: u64) -> (String, u64) {
    (code.to_string(), seq)
}

/// The text report of `verify` with these arguments, checked to fit 80 columns.
#[track_caller]
fn text_report(fx: &Fixture, extra: &[&str], exit: i32) -> Run {
    let mut args = vec!["verify"];
    args.extend_from_slice(extra);
    let run = fx.run(&args).exits(exit);
    for line in run.stdout.lines() {
        assert!(
            custody::lang::text::text_width(line) <= 80,
            "wider than 80 columns: {line:?}\n{}",
            run.stdout
        );
    }
    run
}

/// The entry bytes of each record, in journal order.
fn entries(fx: &Fixture) -> (Vec<u8>, Vec<Vec<u8>>) {
    let (header, records) = fx.records();
    (header, records.into_iter().map(|(_, e)| e).collect())
}

/// Removes the checkpoints the ledger directory holds, so that only the auditor's copy speaks.
fn forget_own_checkpoints(fx: &Fixture) {
    fs::remove_file(fx.ledger().join("checkpoint")).unwrap();
    let daily = fx.ledger().join("checkpoints");
    if daily.exists() {
        fs::remove_dir_all(daily).unwrap();
    }
}

/// Renames keyholder `k`'s enrolment (entry `k`) and re-signs it with its own signers, then
/// re-chains every later entry (previous hash, and the head its signers saw) and re-signs it
/// too: a rewritten history in which every entry is valid.
fn rewrite_enrolment(fx: &Fixture, k: usize) {
    let (header, original) = entries(fx);
    let mut e = original.clone();
    for i in k..e.len() {
        let d = DecodedEntry::decode(&e[i]).unwrap();
        let (mut entry, mut body) = (d.entry, d.body);
        if i == k {
            let Event::Enroll(holder) = &mut body.event else {
                panic!("entry {k} is not an enrolment");
            };
            holder.name = "Rewritten".into();
        }
        let h = body.head.size as usize;
        if h > 0 && body.head.hash == leaf_hash(&original[h - 1]) {
            body.head.hash = leaf_hash(&e[h - 1]);
        }
        entry.body = body.encode().unwrap();
        let signers: Vec<&str> = body.signers.iter().map(String::as_str).collect();
        entry.signatures = fx.cosign(&entry.body, &signers);
        if i > 0 {
            entry.prev_hash = leaf_hash(&e[i - 1]);
        }
        e[i] = entry.encode().unwrap();
    }
    fx.write_records(&header, &e);
}

/// Two admins sign the daily checkpoint; also written to `out`.
#[track_caller]
fn daily_checkpoint(fx: &Fixture, out: &str) {
    let mut args: Vec<String> = ["checkpoint", "--out", out].map(String::from).to_vec();
    args.extend(fx.signing(&["a1", "a2"]));
    fx.run(&args).exits(0);
}

/// The ledger's origin line, `custody/<ledger id>`.
fn origin_of(report: &Value) -> String {
    format!("custody/{}", report["ledger_id"].as_str().unwrap())
}

// ---------------------------------------------------------------------------------------------
// 1. A cut or rewritten ledger against what the auditor holds

#[test]
fn entries_cut_off_the_end_are_found_against_a_checkpoint_held_from_before() {
    let fx = small_ledger();
    // The auditor keeps a copy of the ledger's own checkpoint and the daily one, both at 4.
    fs::copy(fx.ledger().join("checkpoint"), fx.path("held.note")).unwrap();
    daily_checkpoint(&fx, "daily.note");

    // The last entry is cut off and the ledger's own checkpoints are gone with it: a shorter
    // journal that is consistent in itself.
    let (header, e) = entries(&fx);
    fx.write_records(&header, &e[..3]);
    forget_own_checkpoints(&fx);
    let (_, alone) = audit(&fx, &[]);
    assert_eq!(alone, vec![], "the journal alone cannot see the cut");

    for held in ["held.note", "daily.note"] {
        let (report, findings) = audit(&fx, &["--checkpoint", held]);
        assert_eq!(findings, vec![f("TRUNCATED", 3)], "{held}");
        assert_eq!(report["findings"][0]["severity"], "critical");
        assert_eq!(report["findings"][0]["category"], "integrity");
        let check = &report["checkpoints"][0];
        assert_eq!(check["label"], held);
        assert_eq!(check["size"], 4);
        assert_eq!(check["consistent"], false);
    }
    let run = text_report(&fx, &["--checkpoint", "held.note"], 1);
    assert!(run.stdout.contains("held.note"), "{}", run.stdout);
    assert!(
        run.stdout.contains("TRUNCATED: see the integrity findings"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("verdict: 1 FINDING(S)"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_last_entry_rewritten_and_re_signed_is_a_fork_of_the_checkpoint_held() {
    let fx = small_ledger();
    fs::copy(fx.ledger().join("checkpoint"), fx.path("held.note")).unwrap();
    let (before, _) = audit(&fx, &[]);

    // e1's enrolment, renamed and validly re-signed by a1 and a2: same size, another root.
    rewrite_enrolment(&fx, 3);
    forget_own_checkpoints(&fx);
    let (after, alone) = audit(&fx, &[]);
    assert_eq!(
        alone,
        vec![],
        "every entry is valid: the journal alone is clean"
    );
    assert_eq!(after["tree_size"], before["tree_size"]);
    assert_ne!(after["root"], before["root"]);

    let (report, findings) = audit(&fx, &["--checkpoint", "held.note"]);
    assert_eq!(findings, vec![f("FORKED", 3)]);
    assert_eq!(report["findings"][0]["severity"], "critical");
    assert_eq!(
        report["checkpoints"][0]["signed_by"],
        serde_json::json!(["ledger"])
    );
    let run = text_report(&fx, &["--checkpoint", "held.note"], 1);
    assert!(run.stdout.contains("FORKED"), "{}", run.stdout);
}

#[test]
fn a_proof_from_before_a_rewrite_no_longer_proves_its_entry() {
    let fx = small_ledger();
    fx.run(&["prove", "2", "--out", "p.proof"]).exits(0);
    assert_eq!(audit(&fx, &["--proof", "p.proof"]).1, vec![]);
    // The same proof claiming another entry: its checkpoint holds, its path does not.
    let proof = fs::read_to_string(fx.path("p.proof")).unwrap();
    fs::write(
        fx.path("moved.proof"),
        proof.replace("\nindex 2\n", "\nindex 1\n"),
    )
    .unwrap();
    let (report, findings) = audit(&fx, &["--proof", "moved.proof"]);
    assert_eq!(findings, vec![f("PROOF_INVALID", 1)]);
    assert_eq!(report["findings"][0]["severity"], "critical");
    let run = text_report(&fx, &["--proof", "moved.proof"], 1);
    assert!(
        run.stdout
            .contains("PROOF_INVALID: it does not prove its entry"),
        "{}",
        run.stdout
    );

    // Entry 1 rewritten and every entry after it re-chained and re-signed.
    rewrite_enrolment(&fx, 1);
    forget_own_checkpoints(&fx);
    assert_eq!(audit(&fx, &[]).1, vec![], "the journal alone is clean");

    let (report, findings) = audit(&fx, &["--proof", "p.proof"]);
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|(code, _)| code == "FORKED" || code == "PROOF_INVALID"),
        "{findings:?}"
    );
    let check = &report["checkpoints"][0];
    assert_eq!(check["label"], "p.proof");
    assert_eq!(check["kind"], "proof");
    assert_eq!(check["consistent"], false);
    let run = text_report(&fx, &["--proof", "p.proof"], 1);
    assert!(run.stdout.contains("proof       p.proof"), "{}", run.stdout);
}

#[test]
fn a_checkpoint_signed_by_a_stranger_or_of_another_ledger_is_not_evidence() {
    let fx = small_ledger();
    let (report, _) = audit(&fx, &[]);
    let origin = origin_of(&report);
    let cp = Checkpoint {
        origin: origin.clone(),
        size: report["tree_size"].as_u64().unwrap(),
        root: parse_hex::<32>(report["root"].as_str().unwrap()).unwrap(),
        extensions: Vec::new(),
    };
    // x9 holds a key file but was never enrolled; it signs the ledger's true tree head, once
    // under its own name and once claiming to be a1.
    fx.keygen("x9", "Outsider");
    let x9 = read_secret_key_file(&fx.path("keys/x9.key"))
        .unwrap()
        .unlock(b"pass-x9")
        .unwrap();
    for (file, name) in [
        ("x9.note", format!("{origin}/x9")),
        ("a1.note", format!("{origin}/a1")),
    ] {
        let signed = note::sign(&cp.text(), &[(name.as_str(), &x9)]).unwrap();
        fs::write(fx.path(file), signed).unwrap();
        let (report, findings) = audit(&fx, &["--checkpoint", file]);
        assert_eq!(findings, vec![f("CHECKPOINT_UNTRUSTED", 3)], "{file}");
        assert_eq!(report["findings"][0]["severity"], "critical");
    }

    // A genuine checkpoint, but of another ledger.
    let other = Fixture::new();
    other.init3();
    fs::copy(other.ledger().join("checkpoint"), fx.path("other.note")).unwrap();
    let (_, findings) = audit(&fx, &["--checkpoint", "other.note"]);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].0, "CHECKPOINT_INVALID");

    let run = text_report(
        &fx,
        &["--checkpoint", "x9.note", "--checkpoint", "other.note"],
        1,
    );
    assert!(
        run.stdout
            .contains("CHECKPOINT_UNTRUSTED: see the integrity findings"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("CHECKPOINT_INVALID: see the integrity findings"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_valid_daily_checkpoint_and_proof_verify_clean_and_head_the_report() {
    let fx = small_ledger();
    daily_checkpoint(&fx, "daily.note");
    fx.run(&["prove", "1", "--out", "p.proof"]).exits(0);
    // The ledger grows after both: a checkpoint pins a prefix, not the whole ledger.
    fx.keygen("p1", "Officer");
    fx.enroll("p1", &["police"], "4001", &["a1", "a3"]).exits(0);

    let (report, findings) = audit(&fx, &["--checkpoint", "daily.note", "--proof", "p.proof"]);
    assert_eq!(findings, vec![]);
    let checks = report["checkpoints"].as_array().unwrap();
    let by_label = |label: &str| {
        checks
            .iter()
            .find(|c| c["label"] == label)
            .unwrap_or_else(|| panic!("no check of {label}: {checks:?}"))
    };
    let daily = by_label("daily.note");
    assert_eq!(daily["consistent"], true);
    assert_eq!(daily["size"], 4);
    assert_eq!(daily["signed_by"], serde_json::json!(["a1", "a2"]));
    let proof = by_label("p.proof");
    assert_eq!(proof["kind"], "proof");
    assert_eq!(proof["problem"], serde_json::Value::Null);
    assert_eq!(proof["consistent"], true);
    assert_eq!(proof["signed_by"], serde_json::json!(["ledger"]));
    // The ledger's own checkpoints are checked too.
    assert!(checks.len() >= 4, "{checks:?}");
    assert!(checks.iter().all(|c| c["consistent"] == true), "{checks:?}");

    let run = text_report(
        &fx,
        &["--checkpoint", "daily.note", "--proof", "p.proof"],
        0,
    );
    let out = &run.stdout;
    let after = |needle: &str| {
        let at = out
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} in\n{out}"));
        out[at..].lines().nth(1).unwrap_or("").to_string()
    };
    assert!(
        after("checkpoint  daily.note").contains("CONSISTENT: signed by a1 + a2;"),
        "{out}"
    );
    // Wrapped lines joined: the verdict may continue on the next line.
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("the ledger holds this tree of 4 entries"),
        "{out}"
    );
    assert!(
        after("proof       p.proof").contains("VALID: its checkpoint signed by the ledger key;"),
        "{out}"
    );
    assert!(
        flat.contains("its entry is in the ledger's tree of 4 entries"),
        "{out}"
    );
    assert!(out.contains("verdict: CLEAN, no findings"), "{out}");
    for section in [
        "integrity: no findings",
        "authorization: no findings",
        "custody: no findings",
    ] {
        assert!(out.contains(section), "{section}\n{out}");
    }
}

// ---------------------------------------------------------------------------------------------
// 2. The bytes other tools read

#[test]
fn the_checkpoints_and_proofs_the_ledger_writes_are_c2sp_byte_for_byte() {
    let fx = small_ledger();
    daily_checkpoint(&fx, "daily.note");
    fx.run(&["prove", "2", "--out", "p.proof"]).exits(0);
    let (report, _) = audit(&fx, &[]);
    let origin = origin_of(&report);

    // The verifier keys another tool is given, and the key table.
    let verifiers: Vec<(String, [u8; 32])> = fx
        .run(&["keys", "--note-format"])
        .exits(0)
        .stdout
        .lines()
        .map(|l| note::parse_verifier_key(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(verifiers.len(), 7, "the ledger key and six keyholders");
    let keys = fx.run(&["keys", "--json"]).exits(0).json();
    for row in keys.as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        let public = parse_hex::<32>(row["public_key"].as_str().unwrap()).unwrap();
        assert_eq!(row["key_id"], hex(&note::key_id(name, &public)), "{name}");
        assert!(verifiers.contains(&(name.to_string(), public)), "{name}");
    }

    for (file, signers) in [
        (fx.ledger().join("checkpoint"), vec![origin.clone()]),
        (
            fx.path("daily.note"),
            vec![format!("{origin}/a1"), format!("{origin}/a2")],
        ),
    ] {
        let bytes = fs::read_to_string(&file).unwrap();
        let parsed = Note::parse(&bytes).unwrap();
        assert_eq!(parsed.encode(), bytes, "{} re-encodes", file.display());
        let cp = Checkpoint::parse_text(&parsed.text).unwrap();
        assert_eq!(cp.text(), parsed.text);
        assert_eq!(cp.origin, origin);
        assert_eq!(cp.size, 4);
        assert_eq!(hex(&cp.root), report["root"].as_str().unwrap());
        let names: Vec<&str> = parsed.signatures.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, signers);
        for (name, public) in &verifiers {
            let signs = signers.contains(name);
            assert_eq!(parsed.verified_by(name, public), signs, "{name}");
            if signs {
                let sig = parsed.signatures.iter().find(|s| &s.name == name).unwrap();
                assert_eq!(sig.key_id, note::key_id(name, public));
            }
        }
    }

    // The proof: its bytes round-trip, it carries the ledger's checkpoint verbatim, and its
    // path proves entry 2's record hash under the checkpoint's root (RFC 6962).
    let text = fs::read_to_string(fx.path("p.proof")).unwrap();
    assert!(
        text.starts_with("c2sp.org/tlog-proof@v1\nindex 2\n"),
        "{text}"
    );
    let proof = Proof::parse(&text).unwrap();
    assert_eq!(proof.encode(), text);
    assert_eq!(
        proof.checkpoint,
        fs::read_to_string(fx.ledger().join("checkpoint")).unwrap()
    );
    let cp = Checkpoint::parse_text(&Note::parse(&proof.checkpoint).unwrap().text).unwrap();
    let (_, e) = entries(&fx);
    custody::merkle::verify_inclusion(2, cp.size, &leaf_hash(&e[2]), &proof.path, &cp.root)
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// 3. What the report lists besides its findings

const NOTE: &str = "封条有划痕，已拍照并报告主考";

#[test]
fn the_report_lists_roster_policy_and_schedule_changes_incidents_and_corrections() {
    let fx = small_ledger();
    let sign = |args: &[&str], signers: &[&str]| -> Value {
        let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        args.extend(fx.signing(signers));
        args.push("--json".into());
        fx.run(&args).exits(0).json()
    };
    let now = Timestamp::now();
    let hours = |h: i64| now.plus_seconds(h * 3600).to_rfc3339();
    let schedule = |start: i64| {
        let (start, end) = (hours(start), hours(start + 2));
        sign(
            &[
                "schedule",
                "--session",
                "yuwen",
                "--subject",
                "语文",
                "--start",
                &start,
                "--end",
                &end,
            ],
            &["a1", "a2"],
        )
    };
    schedule(36); // 4: a first schedule, not listed
    schedule(40); // 5: a reschedule, a day and more ahead: listed, no finding
    let collect = sign(
        &[
            "record",
            "collect",
            "--bag",
            "QP-1:S1001:30",
            "--kind",
            "question_papers",
            "--session",
            "yuwen",
            "--site",
            "第一中学",
            "--room",
            "第01考场",
            "--from",
            "省考试院",
        ],
        &["c1", "s1"],
    );
    let collect_seq = collect["seq"].as_u64().unwrap().to_string();
    // 7: an inspection that finds another seal, recorded with a note: a noted violation.
    let inspect = sign(
        &[
            "record",
            "inspect",
            "--bag",
            "QP-1:S1009",
            "--incident",
            NOTE,
        ],
        &["c1", "s1"],
    );
    let inspect_seq = inspect["seq"].as_u64().unwrap();
    sign(
        &[
            "record",
            "incident",
            "--kind",
            "broken_seal",
            "--bag",
            "QP-1",
            "--note",
            NOTE,
        ],
        &["c1", "s1"],
    );
    sign(
        &[
            "record",
            "correct",
            "--entry",
            &collect_seq,
            "--bag",
            "QP-1",
            "--count",
            "31",
            "--note",
            "typed 30 for 31",
        ],
        &["c1", "s1"],
    );
    let policy = fx.run(&["policy", "show", "--toml"]).exits(0).stdout;
    assert!(policy.contains("max_transit_min = 180"), "{policy}");
    fs::write(
        fx.path("policy.toml"),
        policy.replace("max_transit_min = 180", "max_transit_min = 240"),
    )
    .unwrap();
    sign(&["policy", "set", "--file", "policy.toml"], &["a1", "a2"]);
    sign(&["revoke", "--id", "e1", "--reason", "调离"], &["a1", "a2"]);

    let (report, findings) = audit(&fx, &[]);
    // The declared broken seal is a finding too (issue 15): the verdict is not clean.
    assert_eq!(
        findings,
        vec![
            f("SEAL_MISMATCH", inspect_seq),
            f("INCIDENT_BROKEN_SEAL", 8)
        ]
    );
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "high");
    assert_eq!(finding["category"], "custody");
    assert_eq!(finding["bag"], "QP-1");

    let listed = report["listed"].as_array().unwrap();
    let kinds: Vec<(&str, &str, u64)> = listed
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap(),
                l["event"].as_str().unwrap(),
                l["seq"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("roster", "genesis", 0),
            ("roster", "enroll", 1),
            ("roster", "enroll", 2),
            ("roster", "enroll", 3),
            ("schedule", "schedule", 5),
            ("incident", "inspect", 7),
            ("incident", "incident", 8),
            ("correction", "correct", 9),
            ("policy", "policy", 10),
            ("roster", "revoke", 11),
        ]
    );
    let at = |seq: u64| listed.iter().find(|l| l["seq"] == seq).unwrap();
    // The noted violation: a finding, and a listed incident with its note and its code.
    assert_eq!(at(inspect_seq)["note"], NOTE);
    assert_eq!(
        at(inspect_seq)["finding_codes"],
        serde_json::json!(["SEAL_MISMATCH"])
    );
    assert_eq!(at(inspect_seq)["bags"], serde_json::json!(["QP-1"]));
    assert_eq!(at(8)["note"], NOTE);
    assert_eq!(
        at(8)["finding_codes"],
        serde_json::json!(["INCIDENT_BROKEN_SEAL"])
    );
    assert_eq!(at(9)["note"], "typed 30 for 31");
    // Old -> new: the count the ledger held before the correction.
    assert!(
        at(9)["text"].as_str().unwrap().ends_with("; was 30"),
        "{}",
        at(9)["text"]
    );
    assert!(at(5)["text"].as_str().unwrap().contains("rescheduled, was"));
    assert!(at(10)["text"].as_str().unwrap().contains("in force from"));
    assert_eq!(at(11)["text"], "e1: 调离");
    assert_eq!(at(11)["note"], Value::Null);
    assert_eq!(at(11)["signers"], serde_json::json!(["a1", "a2"]));
    // Times are RFC 3339 in UTC.
    let t = at(11)["event_time"].as_str().unwrap();
    assert!(t.ends_with('Z') && t.contains('T'), "{t}");
    assert!(report["first_recorded"].as_str().unwrap().ends_with('Z'));

    let run = text_report(&fx, &[], 1);
    let out = &run.stdout;
    let listed_part = &out[out.find("listed (").expect("a listed section")..];
    let line = |needle: &str| {
        listed_part
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in\n{out}"))
    };
    assert!(out.contains("custody: 2 findings\n"), "{out}");
    let finding = out.lines().find(|l| l.contains("SEAL_MISMATCH")).unwrap();
    assert!(
        finding.contains(&format!("entry {inspect_seq}")) && finding.contains("HIGH"),
        "{out}"
    );
    assert!(out.contains("QP-1"), "{out}");
    assert!(
        out.contains("listed (10, not findings by themselves"),
        "{out}"
    );
    assert!(line("entry 5 ").contains("schedule"), "{out}");
    assert!(
        line(&format!("entry {inspect_seq} ")).contains("incident"),
        "{out}"
    );
    assert!(out.contains("(reported: SEAL_MISMATCH)"), "{out}");
    assert!(line("entry 9 ").contains("correction"), "{out}");
    assert!(line("entry 10 ").contains("policy"), "{out}");
    assert!(line("entry 11 ").contains("roster"), "{out}");
    assert!(out.contains("e1: 调离"), "{out}");
    assert!(
        out.ends_with(
            "verdict: 2 FINDING(S): 2 high; 2 declared with an incident note, 0 undeclared\n"
        ),
        "{out}"
    );
}

#[test]
fn every_finding_code_has_the_severity_of_its_category() {
    use custody::finding::{Category, Code, Severity};
    for code in Code::ALL {
        let expected = match code.category() {
            _ if *code == Code::LateRecord => Severity::Low,
            // A declared incident by its kind.
            _ if *code == Code::IncidentLost => Severity::Critical,
            _ if matches!(code, Code::IncidentDamaged | Code::IncidentOther) => Severity::Medium,
            Category::Integrity => Severity::Critical,
            Category::Authorization | Category::Event | Category::Custody => Severity::High,
            Category::Timing => Severity::Medium,
        };
        assert_eq!(code.severity(), expected, "{code}");
        let finding = custody::finding::Finding::new(*code, 0, "x");
        assert_eq!(finding.severity, expected);
        let json = serde_json::to_value(&finding).unwrap();
        assert_eq!(json["severity"], expected.as_str());
    }
}

// ---------------------------------------------------------------------------------------------
// 4. docs/AUDIT.md: its golden examples verify, and its JSON field tables match the report

fn audit_doc() -> String {
    fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/AUDIT.md")).unwrap()
}

/// The fenced block after `<!-- golden: NAME -->`, with its final newline.
fn golden(doc: &str, name: &str) -> String {
    let marker = format!("<!-- golden: {name} -->\n```text\n");
    let start = doc
        .find(&marker)
        .unwrap_or_else(|| panic!("no golden {name}"))
        + marker.len();
    let len = doc[start..].find("\n```").unwrap();
    format!("{}\n", &doc[start..start + len])
}

#[test]
fn the_golden_checkpoint_and_proof_of_the_audit_doc_verify_under_its_keys() {
    let doc = audit_doc();
    let keys: Vec<(String, [u8; 32])> = golden(&doc, "keys")
        .lines()
        .map(|l| note::parse_verifier_key(l).unwrap())
        .collect();
    let (ledger_name, ledger_key) = &keys[0];
    assert_eq!(
        ledger_name.matches('/').count(),
        1,
        "the ledger key comes first"
    );

    let text = golden(&doc, "checkpoint");
    let daily = Note::parse(&text).unwrap();
    assert_eq!(daily.encode(), text);
    let cp = Checkpoint::parse_text(&daily.text).unwrap();
    assert_eq!(&cp.origin, ledger_name);
    for (name, key) in &keys[1..] {
        assert!(
            daily.verified_by(name, key),
            "{name} signed the daily checkpoint"
        );
    }
    assert!(!daily.verified_by(ledger_name, ledger_key));

    let text = golden(&doc, "proof");
    let proof = Proof::parse(&text).unwrap();
    assert_eq!(proof.encode(), text);
    let note = Note::parse(&proof.checkpoint).unwrap();
    assert!(note.verified_by(ledger_name, ledger_key));
    let signed = Checkpoint::parse_text(&note.text).unwrap();
    assert_eq!(
        signed, cp,
        "the proof's checkpoint is the tree the admins signed"
    );
    // The entry hash `custody prove` printed beside it.
    let at = doc.find("entry 5 (hash ").unwrap() + "entry 5 (hash ".len();
    let leaf = parse_hex::<32>(&doc[at..at + 64]).unwrap();
    assert_eq!(proof.index, 5);
    custody::merkle::verify_inclusion(5, cp.size, &leaf, &proof.path, &cp.root).unwrap();
}

/// The field names of the table under `heading`, in order.
fn doc_fields(doc: &str, heading: &str) -> Vec<String> {
    let start = doc.find(heading).unwrap_or_else(|| panic!("no {heading}"));
    doc[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| l[..l.find('`').unwrap()].to_string())
        .collect()
}

fn keys_of(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn the_audit_doc_names_every_field_of_the_json_report() {
    let doc = audit_doc();
    // A report with every kind of item: a check, a finding with a bag, a listed incident.
    let fx = small_ledger();
    fx.run(&["prove", "1", "--out", "p.proof"]).exits(0);
    let now = Timestamp::now();
    let (start, end) = (
        now.plus_seconds(30 * 3600).to_rfc3339(),
        now.plus_seconds(32 * 3600).to_rfc3339(),
    );
    let mut args: Vec<String> = [
        "schedule",
        "--session",
        "yw",
        "--subject",
        "语文",
        "--start",
        &start,
        "--end",
        &end,
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(&["a1", "a2"]));
    fx.run(&args).exits(0);
    let mut args: Vec<String> = [
        "record",
        "collect",
        "--bag",
        "QP-1:S1:30",
        "--kind",
        "question_papers",
        "--session",
        "yw",
        "--site",
        "A",
        "--room",
        "1",
        "--from",
        "up",
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(&["c1", "s1"]));
    fx.run(&args).exits(0);
    let mut args: Vec<String> = [
        "record",
        "inspect",
        "--bag",
        "QP-1:S2",
        "--incident",
        "torn",
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(&["c1", "s1"]));
    fx.run(&args).exits(0);
    let (report, findings) = audit(&fx, &["--proof", "p.proof"]);
    assert_eq!(findings.len(), 1);

    let mut report_keys = keys_of(&report);
    let mut documented = doc_fields(&doc, "### Report fields");
    report_keys.sort();
    documented.sort();
    assert_eq!(report_keys, documented, "report fields");
    for (heading, item, optional) in [
        ("### Check fields", &report["checkpoints"][0], &[][..]),
        ("### Listed fields", &report["listed"][0], &[][..]),
        (
            "### Finding fields",
            &report["findings"][0],
            &["signer", "record", "declared", "corrected"][..],
        ),
    ] {
        let mut actual = keys_of(item);
        actual.extend(optional.iter().map(|s| s.to_string()));
        actual.sort();
        actual.dedup();
        let mut documented = doc_fields(&doc, heading);
        documented.sort();
        assert_eq!(actual, documented, "{heading}");
    }
}
