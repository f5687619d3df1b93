//! Integration tests of the `custody` binary: the walk-through a user follows, every refusal
//! (each leaving the journal byte for byte as it was), rules only the library can be made to
//! break, the audit's verdict on hand-edited journals, and recovery of the index.

mod util;

use custody::entry::{DecodedEntry, Entry, leaf_hash};

use custody::event::{Event, Revocation};
use custody::finding::Code;
use custody::journal;
use custody::ledger::{self, Ledger, LedgerError};
use custody::time::Timestamp;
use std::fs;
use util::Fixture;

/// `verify --json` as (code, seq) pairs in report order; checks exit 1 iff there are findings.
#[track_caller]
fn audit(fx: &Fixture) -> Vec<(String, u64)> {
    let run = fx.run(&["verify", "--json"]);
    let report = run.json();
    let findings: Vec<(String, u64)> = report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code").to_string(),
                f["seq"].as_u64().expect("seq"),
            )
        })
        .collect();
    let expected = if findings.is_empty() { 0 } else { 1 };
    assert_eq!(run.code, expected, "verify exit code with {findings:?}");
    findings
}

/// Sorted, for comparing sets of findings whose order within an entry is not the contract.
fn sorted(mut v: Vec<(String, u64)>) -> Vec<(String, u64)> {
    v.sort();
    v
}

fn f(code: &str, seq: u64) -> (String, u64) {
    (code.to_string(), seq)
}

/// Genesis (a1 a2 a3) and three enrolments: c1 custodian, s1 supervisor, e1 escort.
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
    assert!(audit(&fx).is_empty(), "the small ledger starts clean");
    fx
}

/// The entry bytes of each record, in journal order.
fn entries(fx: &Fixture) -> (Vec<u8>, Vec<Vec<u8>>) {
    let (header, records) = fx.records();
    (header, records.into_iter().map(|(_, e)| e).collect())
}

fn position(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in haystack")
}

// ---------------------------------------------------------------------------------------------
// 1. The walk-through

#[test]
fn the_walk_through_builds_a_ledger_that_verifies_clean_and_pins_its_genesis() {
    let fx = Fixture::new();
    let genesis = fx.init3();
    assert_eq!(genesis.len(), 64);
    assert!(genesis.bytes().all(|b| b.is_ascii_hexdigit()));

    fx.keygen("c1", "王丽");
    let pass = fx.path("c1.pass");
    assert!(fs::read_to_string(pass).unwrap().starts_with("pass-c1"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(fx.path("keys/c1.key")).unwrap().permissions();
        assert_eq!(mode.mode() & 0o777, 0o600, "a .key file is private");
    }
    let mut args = vec!["enroll", "--pub", "keys/c1.pub", "--person", "2001"];
    args.extend(["--role", "custodian", "--json"]);
    let signing = fx.signing(&["a1", "a2"]);
    args.extend(signing.iter().map(String::as_str));
    let receipt = fx.run(&args).exits(0).json();
    assert_eq!(receipt["seq"], 1);
    let entry1 = receipt["hash"].as_str().unwrap().to_string();

    let log = fx.run(&["log"]).exits(0);
    assert!(log.stdout.contains("genesis") && log.stdout.contains("a1+a2+a3"));
    assert!(log.stdout.contains("enroll") && log.stdout.contains("王丽"));
    let log = fx.run(&["log", "--json"]).exits(0).json();
    let log = log.as_array().expect("log --json is an array");
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["hash"], genesis.as_str());
    assert_eq!(log[1]["hash"], entry1.as_str());
    assert_eq!(log[1]["prev_hash"], genesis.as_str());
    assert_eq!(log[1]["kind"], "enroll");

    let show = fx.run(&["show", "1", "--json"]).exits(0).json();
    assert_eq!(show["signers"], serde_json::json!(["a1", "a2"]));
    assert_eq!(show["event"]["roles"], serde_json::json!(["custodian"]));
    let show = fx.run(&["show", "1"]).exits(0);
    assert!(show.stdout.contains(&entry1));
    fx.run(&["show", "7"]).exits(2);

    let verify = fx.run(&["verify"]).exits(0);
    assert!(verify.stdout.contains("CLEAN"), "{}", verify.stdout);
    let report = fx.run(&["verify", "--json"]).exits(0).json();
    assert_eq!(report["entries"], 2);
    assert_eq!(report["genesis_hash"], genesis.as_str());
    assert_eq!(report["head_hash"], entry1.as_str());
    assert_eq!(report["findings"], serde_json::json!([]));

    let trusted = fx.run(&["verify", "--trust", &genesis]).exits(0);
    assert!(trusted.stdout.contains("matches the trusted hash"));
    let report = fx.run(&["verify", "--json", "--trust", &genesis]).json();
    assert_eq!(report["genesis_trusted"], true);

    let other = fx
        .run(&["verify", "--json", "--trust", &entry1])
        .exits(1)
        .json();
    assert_eq!(report["entries"], other["entries"]);
    assert_eq!(other["genesis_trusted"], false);
    let findings = other["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["code"], "GENESIS_UNTRUSTED");
    assert_eq!(findings[0]["category"], "integrity");
    assert_eq!(findings[0]["seq"], 0);

    fx.run(&["verify", "--trust", "not-a-hash"]).exits(2);
}

#[test]
fn the_ledger_flag_overrides_the_environment() {
    let fx = Fixture::new();
    fx.init3();
    fs::rename(fx.ledger(), fx.path("elsewhere")).unwrap();
    fx.run(&["verify"]).exits(2);
    let run = fx.run(&["--ledger", "elsewhere", "verify"]).exits(0);
    assert!(run.stdout.contains("CLEAN"));
}

#[test]
fn keygen_refuses_to_overwrite_an_empty_passphrase_and_a_bad_id() {
    let fx = Fixture::new();
    fx.keygen("k1", "First");
    let key = fs::read(fx.path("keys/k1.key")).unwrap();
    let again = ["keygen", "--id", "k1", "--name", "Other", "--out", "keys"];
    let run = fx.run(&[&again[..], &["--pass-file", "k1.pass"]].concat());
    assert!(run.exits(2).stderr.contains("already exists"));
    assert_eq!(fs::read(fx.path("keys/k1.key")).unwrap(), key);

    fs::write(fx.path("empty.pass"), "\n").unwrap();
    let empty = ["keygen", "--id", "k2", "--name", "N", "--out", "keys"];
    fx.run(&[&empty[..], &["--pass-file", "empty.pass"]].concat())
        .exits(2);
    assert!(!fx.path("keys/k2.key").exists() && !fx.path("keys/k2.pub").exists());

    let bad = ["keygen", "--id", "Bad Id", "--name", "N", "--out", "keys"];
    fx.run(&[&bad[..], &["--pass-file", "k1.pass"]].concat())
        .exits(2);
}

// ---------------------------------------------------------------------------------------------
// 2. Refusals: each leaves the journal byte for byte as it was

fn enroll_args(fx: &Fixture, id: &str, extra: &[&str], signers: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec!["enroll".into(), "--pub".into(), format!("keys/{id}.pub")];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(fx.signing(signers));
    args
}

/// `init` of a ledger founded by a1 and a2 with these person numbers, signed by `signers`.
fn init2_args(fx: &Fixture, persons: [&str; 2], signers: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["init", "--exam", "X", "--json"].map(String::from).to_vec();
    for (id, person) in ["a1", "a2"].into_iter().zip(persons) {
        args.extend(["--founder".into(), format!("keys/{id}.pub")]);
        args.extend(["--founder-person".into(), person.into()]);
    }
    args.extend(fx.signing(signers));
    args
}

/// `revoke --id c1`, co-signed by a1 and a2.
fn revoke_c1_args(fx: &Fixture) -> Vec<String> {
    let mut args: Vec<String> = ["revoke", "--id", "c1", "--reason", "moved away"]
        .map(String::from)
        .to_vec();
    args.extend(fx.signing(&["a1", "a2"]));
    args
}

#[test]
fn a_single_signer_is_refused() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    let args = enroll_args(
        &fx,
        "c1",
        &["--person", "2001", "--role", "custodian"],
        &["a1"],
    );
    fx.refused(&args, 3, "TOO_FEW_SIGNERS");
}

#[test]
fn the_same_signer_twice_is_refused() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    let mut args = enroll_args(&fx, "c1", &["--person", "2001", "--role", "custodian"], &[]);
    args.extend(["--sign", "keys/a1.key", "--sign", "keys/a1.key"].map(String::from));
    args.extend(["--pass-file", "a1.pass", "--pass-file", "a1.pass"].map(String::from));
    fx.refused(&args, 3, "SIGNER_TWICE");
}

#[test]
fn a_signer_never_enrolled_is_refused() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    fx.keygen("x9", "Stranger");
    let args = enroll_args(
        &fx,
        "c1",
        &["--person", "2001", "--role", "custodian"],
        &["a1", "x9"],
    );
    fx.refused(&args, 3, "SIGNER_UNKNOWN");
}

#[test]
fn a_revoked_signer_is_refused_and_the_journal_is_unchanged() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("a4", "Admin four");
    fx.enroll("a4", &["admin"], "1004", &["a1", "a2"]).exits(0);
    let mut revoke = vec!["revoke", "--id", "a4", "--reason", "key file lost"];
    let signing = fx.signing(&["a1", "a2"]);
    revoke.extend(signing.iter().map(String::as_str));
    fx.run(&revoke).exits(0);
    // Revoking twice is refused too.
    fx.refused(&revoke, 3, "REVOKE_UNKNOWN");

    fx.keygen("c1", "C");
    let args = enroll_args(
        &fx,
        "c1",
        &["--person", "2001", "--role", "custodian"],
        &["a4", "a1"],
    );
    fx.refused(&args, 3, "SIGNER_REVOKED");
    assert!(audit(&fx).is_empty());
}

#[test]
fn an_enrolment_co_signed_by_an_admin_and_a_custodian_is_refused() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    fx.enroll("c1", &["custodian"], "2001", &["a1", "a2"])
        .exits(0);
    fx.keygen("s1", "S");
    let args = enroll_args(
        &fx,
        "s1",
        &["--person", "2002", "--role", "supervisor"],
        &["a1", "c1"],
    );
    fx.refused(&args, 3, "ROLE_MISSING");
}

#[test]
fn a_wrong_passphrase_is_bad_input_and_nothing_is_written() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    let mut args = enroll_args(&fx, "c1", &["--person", "2001", "--role", "custodian"], &[]);
    args.extend(["--sign", "keys/a1.key", "--sign", "keys/a2.key"].map(String::from));
    // a2's key with a1's passphrase.
    args.extend(["--pass-file", "a1.pass", "--pass-file", "a1.pass"].map(String::from));
    fx.refused(&args, 2, "wrong passphrase");
}

#[test]
fn an_empty_passphrase_file_is_bad_input_and_nothing_is_written() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    fs::write(fx.path("empty.pass"), "").unwrap();
    let mut args = enroll_args(&fx, "c1", &["--person", "2001", "--role", "custodian"], &[]);
    args.extend(["--sign", "keys/a1.key", "--sign", "keys/a2.key"].map(String::from));
    args.extend(["--pass-file", "a1.pass", "--pass-file", "empty.pass"].map(String::from));
    fx.refused(&args, 2, "empty");
}

#[test]
fn a_second_writer_is_told_the_ledger_is_in_use_while_readers_carry_on() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(fx.path("ledger/lock"))
        .unwrap();
    lock.lock().unwrap();
    let args = enroll_args(
        &fx,
        "c1",
        &["--person", "2001", "--role", "custodian"],
        &["a1", "a2"],
    );
    fx.refused(&args, 4, "in use");
    fx.refused(&["reindex"], 4, "in use");
    assert!(fx.run(&["verify"]).exits(0).stdout.contains("CLEAN"));
    fx.run(&["log"]).exits(0);
    fx.run(&["show", "0"]).exits(0);
    drop(lock);
    fx.run(&args).exits(0);
    assert!(audit(&fx).is_empty());
}

#[test]
fn an_admin_cannot_enrol_themselves_under_another_id() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("a1b", "Admin a1, second key");
    // a1's own person number, typed in full-width digits: it normalises to the same person.
    let args = enroll_args(
        &fx,
        "a1b",
        &["--person", "１００１", "--role", "admin"],
        &["a1", "a2"],
    );
    let run = fx.refused(&args, 3, "SELF_ENROLL");
    assert!(run.stderr.contains("PERSON_DUPLICATE"), "{}", run.stderr);
}

#[test]
fn one_person_cannot_hold_two_active_keys() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    fx.enroll("c1", &["custodian"], "2001", &["a1", "a2"])
        .exits(0);
    fx.keygen("s1", "S");
    let args = enroll_args(
        &fx,
        "s1",
        &["--person", "20-01", "--role", "supervisor"],
        &["a1", "a3"],
    );
    let run = fx.refused(&args, 3, "PERSON_DUPLICATE");
    // s1 is the person being enrolled, not one who signed.
    assert!(run.stderr.contains("keyholder s1:"), "{}", run.stderr);
    assert!(!run.stderr.contains("signer s1"), "{}", run.stderr);
}

#[test]
fn one_keyholder_cannot_be_both_custodian_and_supervisor() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    let args = enroll_args(
        &fx,
        "c1",
        &[
            "--person",
            "2001",
            "--role",
            "custodian",
            "--role",
            "supervisor",
        ],
        &["a1", "a2"],
    );
    fx.refused(&args, 3, "ROLE_SEPARATION");
}

#[test]
fn an_event_dated_beyond_the_clock_tolerance_is_refused() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    let ten_minutes_ahead = Timestamp::now().plus_seconds(600).to_rfc3339();
    let args = enroll_args(
        &fx,
        "c1",
        &[
            "--person",
            "2001",
            "--role",
            "custodian",
            "--at",
            &ten_minutes_ahead,
        ],
        &["a1", "a2"],
    );
    fx.refused(&args, 3, "FUTURE_EVENT");

    // Within the five minutes of tolerance, the same event is accepted.
    let two_minutes_ahead = Timestamp::now().plus_seconds(120).to_rfc3339();
    let args = enroll_args(
        &fx,
        "c1",
        &[
            "--person",
            "2001",
            "--role",
            "custodian",
            "--at",
            &two_minutes_ahead,
        ],
        &["a1", "a2"],
    );
    fx.run(&args).exits(0);
}

#[test]
fn a_key_file_in_the_wrong_place_is_bad_input() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    let mut args: Vec<String> = ["enroll", "--pub", "keys/c1.key", "--person", "2001"]
        .map(String::from)
        .to_vec();
    args.extend(["--role", "custodian"].map(String::from));
    args.extend(fx.signing(&["a1", "a2"]));
    fx.refused(&args, 2, "private key");

    let mut args = enroll_args(&fx, "c1", &["--person", "2001", "--role", "custodian"], &[]);
    args.extend(["--sign", "keys/a1.pub", "--sign", "keys/a2.key"].map(String::from));
    args.extend(["--pass-file", "a1.pass", "--pass-file", "a2.pass"].map(String::from));
    fx.refused(&args, 2, "public key");
}

#[test]
fn a_malformed_event_time_is_bad_input() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    for at in ["tomorrow", "2026-13-01T08:00", "2026-06-07 8h"] {
        let args = enroll_args(
            &fx,
            "c1",
            &["--person", "2001", "--role", "custodian", "--at", at],
            &["a1", "a2"],
        );
        fx.refused(&args, 2, "--at");
    }
}

#[test]
fn init_refuses_a_directory_that_is_not_empty() {
    let fx = Fixture::new();
    fx.init3();
    let args = init2_args(&fx, ["1001", "1002"], &["a1", "a2"]);
    fx.refused(&args, 2, "already holds");

    // A directory holding someone else's file is left alone too.
    fs::create_dir(fx.path("other")).unwrap();
    fs::write(fx.path("other/notes.txt"), "mine").unwrap();
    fx.run(&[vec!["--ledger".into(), "other".into()], args].concat())
        .exits(2);
    assert_eq!(fs::read_dir(fx.path("other")).unwrap().count(), 1);
    assert_eq!(
        fs::read_to_string(fx.path("other/notes.txt")).unwrap(),
        "mine"
    );
}

#[test]

fn two_inits_racing_for_one_directory_leave_exactly_the_winners_ledger() {
    let fx = Fixture::new();
    for id in ["a1", "a2"] {
        fx.keygen(id, id);
    }
    let args = init2_args(&fx, ["1001", "1002"], &["a1", "a2"]);
    for round in 0..20 {
        let _ = fs::remove_dir_all(fx.ledger());
        let (one, two) = std::thread::scope(|s| {
            let one = s.spawn(|| fx.run(&args));
            let two = s.spawn(|| fx.run(&args));
            (one.join().unwrap(), two.join().unwrap())
        });
        let winners: Vec<&util::Run> = [&one, &two].into_iter().filter(|r| r.code == 0).collect();
        assert_eq!(winners.len(), 1, "round {round}: {one:?} {two:?}");
        let genesis = winners[0].json()["genesis_hash"]
            .as_str()
            .unwrap()
            .to_string();
        fx.run(&["verify", "--trust", &genesis]).exits(0);
    }
}

#[test]
fn init_needs_every_founder_to_sign() {
    let fx = Fixture::new();
    for id in ["a1", "a2"] {
        fx.keygen(id, id);
    }
    let args = init2_args(&fx, ["1001", "1002"], &["a1"]);
    let run = fx.run(&args).exits(2);
    assert!(run.stderr.contains("a2"), "{}", run.stderr);
    assert!(!fx.ledger().exists(), "a refused init leaves no ledger");
}

#[test]
fn commands_on_a_missing_ledger_are_bad_input_and_create_nothing() {
    let fx = Fixture::new();
    for id in ["a1", "a2", "c1"] {
        fx.keygen(id, id);
    }
    for args in [
        vec!["--ledger", "nope", "log"],
        vec!["--ledger", "nope", "verify"],
        vec!["--ledger", "nope", "show", "0"],
        vec!["--ledger", "nope", "reindex"],
    ] {
        let run = fx.run(&args).exits(2);
        assert!(run.stderr.contains("no ledger"), "{args:?}: {}", run.stderr);
    }
    let mut args = vec!["--ledger".to_string(), "nope".to_string()];
    args.extend(enroll_args(
        &fx,
        "c1",
        &["--person", "2001", "--role", "custodian"],
        &["a1", "a2"],
    ));
    let run = fx.run(&args).exits(2);
    assert!(run.stderr.contains("no ledger"), "{}", run.stderr);
    assert!(!fx.path("nope").exists());
}

#[test]
fn a_key_file_that_claims_an_enrolled_id_is_refused() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "C");
    // An impostor's key under a2's id: the signature is made, but not by a2's enrolled key.
    let forged = [
        "keygen", "--id", "a2", "--name", "Impostor", "--out", "forged",
    ];
    fx.run(&[&forged[..], &["--pass-file", "a2.pass"]].concat())
        .exits(0);
    let mut args = enroll_args(&fx, "c1", &["--person", "2001", "--role", "custodian"], &[]);
    args.extend(["--sign", "keys/a1.key", "--sign", "forged/a2.key"].map(String::from));
    args.extend(["--pass-file", "a1.pass", "--pass-file", "a2.pass"].map(String::from));
    let run = fx.refused(&args, 3, "SIGNATURE");
    assert!(run.stderr.contains("a2"), "{}", run.stderr);
}

#[test]
fn init_refuses_two_founders_who_are_the_same_person() {
    let fx = Fixture::new();
    for id in ["a1", "a2"] {
        fx.keygen(id, id);
    }
    let args = init2_args(&fx, ["1001", "10 01"], &["a1", "a2"]);
    let run = fx.run(&args).exits(3);
    assert!(run.stderr.contains("SAME_PERSON"), "{}", run.stderr);
    assert!(!fx.ledger().exists(), "a refused init leaves no ledger");
}

#[test]
fn an_event_time_without_an_offset_is_read_in_the_exam_zone() {
    let fx = Fixture::new();
    fx.init3(); // Asia/Shanghai, UTC+8 all year
    fx.keygen("c1", "C");
    let hour_ago = Timestamp((Timestamp::now().0 / 1000 - 3600) * 1000);
    let utc = hour_ago.to_rfc3339();
    let civil = hour_ago.plus_seconds(8 * 3600).to_rfc3339();
    let civil = civil.trim_end_matches('Z');
    let args = enroll_args(
        &fx,
        "c1",
        &["--person", "2001", "--role", "custodian", "--at", civil],
        &["a1", "a2"],
    );
    fx.run(&args).exits(0);
    let show = fx.run(&["show", "1", "--json"]).exits(0).json();
    assert_eq!(show["event_time"], utc.as_str(), "--at {civil}");
}

// ---------------------------------------------------------------------------------------------
// 3. Through the library: what the command line cannot produce

/// A revocation of a3, to be signed by a1 and a2, against the ledger's current head.
fn revoke_a3_body(fx: &Fixture) -> Vec<u8> {
    let peek = ledger::peek(&fx.ledger()).unwrap();
    let event = Event::Revoke(Revocation {
        id: "a3".into(),
        reason: "left the exam office".into(),
    });
    let body = ledger::prepare(
        &peek,
        event,
        Timestamp::now(),
        vec!["a1".into(), "a2".into()],
    );
    body.encode().unwrap()
}

#[track_caller]
fn refusal_codes(err: LedgerError) -> Vec<Code> {
    let LedgerError::Refused(findings) = err else {
        panic!("expected a refusal, got {err}");
    };
    findings.iter().map(|f| f.code).collect()
}

#[test]
fn a_co_signature_by_anyone_but_the_named_signer_is_refused() {
    let fx = Fixture::new();
    fx.init3();
    let before = fx.journal_bytes();
    let body = revoke_a3_body(&fx);
    let mut ledger = Ledger::open(&fx.ledger()).unwrap();

    // a3 signs in a2's slot.
    let mut sigs = fx.cosign(&body, &["a1", "a3"]);
    sigs[1].signer = "a2".into();
    let err = ledger.append(body.clone(), sigs).unwrap_err();
    assert_eq!(refusal_codes(err), vec![Code::Signature]);

    // The right people, in another order than the body names them.
    let sigs = fx.cosign(&body, &["a2", "a1"]);
    let err = ledger.append(body.clone(), sigs).unwrap_err();
    assert_eq!(refusal_codes(err), vec![Code::SignersMismatch]);

    // A third signature the body does not name.
    let sigs = fx.cosign(&body, &["a1", "a2", "a3"]);
    let err = ledger.append(body.clone(), sigs).unwrap_err();
    assert!(refusal_codes(err).contains(&Code::SignersMismatch));

    ledger.close().unwrap();
    assert!(fx.journal_bytes() == before, "refusals changed the journal");
    assert!(audit(&fx).is_empty());
}

#[test]
fn the_same_signed_event_cannot_be_appended_twice() {
    let fx = Fixture::new();
    fx.init3();
    let body = revoke_a3_body(&fx);
    let sigs = fx.cosign(&body, &["a1", "a2"]);
    let mut ledger = Ledger::open(&fx.ledger()).unwrap();
    let receipt = ledger.append(body.clone(), sigs.clone()).unwrap();
    assert_eq!(receipt.seq, 1);
    ledger.close().unwrap();
    let before = fx.journal_bytes();

    let mut ledger = Ledger::open(&fx.ledger()).unwrap();
    let err = ledger.append(body, sigs).unwrap_err();
    assert!(refusal_codes(err).contains(&Code::Replay));
    ledger.close().unwrap();
    assert!(fx.journal_bytes() == before);
    assert!(audit(&fx).is_empty());
}

#[test]
fn a_replay_forced_into_the_journal_is_found_by_verify() {
    let fx = Fixture::new();
    fx.init3();
    let body = revoke_a3_body(&fx);
    let sigs = fx.cosign(&body, &["a1", "a2"]);
    let mut ledger = Ledger::open(&fx.ledger()).unwrap();
    let receipt = ledger.append(body.clone(), sigs.clone()).unwrap();
    ledger.close().unwrap();

    // The bypass: the same signed body as entry 2, correctly chained, with no rule checks.
    let replay = Entry {
        seq: 2,
        prev_hash: receipt.hash,
        recorded_at: Timestamp::now(),
        body,
        signatures: sigs,
    }
    .encode()
    .unwrap();
    let len = fx.journal_bytes().len() as u64;
    journal::Writer::open(&fx.journal(), len)
        .unwrap()
        .append(&replay)
        .unwrap();

    // Replaying a revocation also revokes someone no longer active.
    assert_eq!(
        sorted(audit(&fx)),
        vec![f("REPLAY", 2), f("REVOKE_UNKNOWN", 2)]
    );
}

#[test]
fn a_clock_behind_the_last_entry_is_refused_with_exit_5() {
    let fx = Fixture::new();
    fx.init3();
    // An entry recorded an hour from now, as if the clock has since gone back.
    let body = revoke_a3_body(&fx);
    let tomorrow = Entry {
        seq: 1,
        prev_hash: fx.run(&["verify", "--json"]).json()["head_hash"]
            .as_str()
            .and_then(custody::entry::parse_hex::<32>)
            .unwrap(),
        recorded_at: Timestamp::now().plus_seconds(3600),
        signatures: fx.cosign(&body, &["a1", "a2"]),
        body,
    }
    .encode()
    .unwrap();
    let len = fx.journal_bytes().len() as u64;
    journal::Writer::open(&fx.journal(), len)
        .unwrap()
        .append(&tomorrow)
        .unwrap();
    assert!(audit(&fx).is_empty());

    fx.keygen("c1", "C");
    let args = enroll_args(
        &fx,
        "c1",
        &["--person", "2001", "--role", "custodian"],
        &["a1", "a2"],
    );
    fx.refused(&args, 5, "clock");
}

// ---------------------------------------------------------------------------------------------
// 4. The audit's verdict on hand edits to a small clean ledger (entries 0..=3)

#[test]
fn a_flipped_signature_byte_is_a_signature_finding() {
    let fx = small_ledger();
    let (header, mut e) = entries(&fx);
    let sig = DecodedEntry::decode(&e[2]).unwrap().entry.signatures[1].signature;
    let at = position(&e[2], &sig) + 10;
    e[2][at] ^= 0x01;
    fx.write_records(&header, &e);
    // Entry 3 was signed against the original entry 2: one chain finding there, no more.
    assert_eq!(
        sorted(audit(&fx)),
        vec![f("CHAIN", 3), f("FORKED", 3), f("SIGNATURE", 2)]
    );
}

#[test]
fn a_flipped_body_byte_breaks_the_signatures_of_that_entry() {
    let fx = small_ledger();
    let (header, mut e) = entries(&fx);
    let nonce = DecodedEntry::decode(&e[1]).unwrap().body.nonce;
    let at = position(&e[1], &nonce);
    e[1][at] ^= 0x80;
    fx.write_records(&header, &e);
    // Both co-signatures of entry 1 fail; entry 2 no longer chains to it.
    assert_eq!(
        sorted(audit(&fx)),
        vec![
            f("CHAIN", 2),
            f("FORKED", 3),
            f("SIGNATURE", 1),
            f("SIGNATURE", 1)
        ]
    );
}

#[test]
fn a_body_byte_that_breaks_its_encoding_is_an_encoding_finding() {
    let fx = small_ledger();
    let (header, mut e) = entries(&fx);
    let at = position(&e[1], b"Holder c1");
    e[1][at] = 0xff; // no longer UTF-8
    fx.write_records(&header, &e);
    assert_eq!(
        sorted(audit(&fx)),
        vec![f("CHAIN", 2), f("ENCODING", 1), f("FORKED", 3)]
    );
    // The other commands still read the journal around the damage.
    let log = fx.run(&["log"]).exits(0);
    assert!(log.stdout.contains("does not decode"), "{}", log.stdout);
    assert!(log.stderr.contains("finding"), "{}", log.stderr);
}

#[test]
fn a_record_deleted_from_the_middle_is_found_at_the_next_entry() {
    let fx = small_ledger();
    let (header, mut e) = entries(&fx);
    e.remove(2);
    fx.write_records(&header, &e);
    // Entry 3 follows entry 1: wrong number, wrong previous hash, signed against a head (size 3)
    // this journal never had.
    assert_eq!(
        sorted(audit(&fx)),
        vec![f("CHAIN", 3), f("SEQUENCE", 3), f("TRUNCATED", 3)]
    );
}

#[test]
fn a_duplicated_record_is_a_replay_out_of_sequence() {
    let fx = small_ledger();
    let (header, mut e) = entries(&fx);
    let copy = e[2].clone();
    e.insert(3, copy);
    fx.write_records(&header, &e);
    // The copy (it still says seq 2) is out of sequence, does not chain, replays entry 2 and
    // re-enrols s1 (same id, key and person). The real entry 3 chains to the copy, which has
    // entry 2's hash, so it has no finding.
    assert_eq!(
        sorted(audit(&fx)),
        vec![
            f("CHAIN", 2),
            f("FORKED", 3),
            f("ID_IN_USE", 2),
            f("KEY_IN_USE", 2),
            f("PERSON_DUPLICATE", 2),
            f("REPLAY", 2),
            f("SEQUENCE", 2),
        ]
    );
}

#[test]
fn two_swapped_records_are_found_at_both() {
    let fx = small_ledger();
    let (header, mut e) = entries(&fx);
    let recorded = |b: &[u8]| DecodedEntry::decode(b).unwrap().entry.recorded_at;
    let went_backwards = recorded(&e[2]) < recorded(&e[3]);
    e.swap(2, 3);
    fx.write_records(&header, &e);
    // First entry 3 where 2 belongs, then entry 2 after it, recorded earlier than the entry
    // before it: sequence and chain findings at both, nothing at the entries around them.
    let mut expected = vec![
        f("CHAIN", 2),
        f("CHAIN", 3),
        f("FORKED", 3),
        f("SEQUENCE", 2),
        f("SEQUENCE", 3),
    ];
    if went_backwards {
        expected.push(f("CLOCK_BACKWARDS", 2));
    }
    assert_eq!(sorted(audit(&fx)), sorted(expected));
}

#[test]
fn an_entry_re_signed_by_a_key_not_on_the_roster_leaves_only_authorization_findings() {
    let fx = small_ledger();
    fx.keygen("x9", "Outsider");
    let (header, original) = entries(&fx);

    // Re-signs entry 1 naming `signers`, then re-chains and re-signs every entry after it.
    let forge = |signers: &[&str]| -> Vec<Vec<u8>> {
        let mut e = original.clone();
        for k in 1..e.len() {
            let d = DecodedEntry::decode(&e[k]).unwrap();
            let (mut entry, mut body) = (d.entry, d.body);
            if k == 1 {
                body.signers = signers.iter().map(|s| s.to_string()).collect();
            }
            let h = body.head.size as usize;
            if h > 0 && body.head.hash == leaf_hash(&original[h - 1]) {
                body.head.hash = leaf_hash(&e[h - 1]);
            }
            entry.body = body.encode().unwrap();
            let ids: Vec<&str> = body.signers.iter().map(String::as_str).collect();
            entry.signatures = fx.cosign(&entry.body, &ids);
            entry.prev_hash = leaf_hash(&e[k - 1]);
            e[k] = entry.encode().unwrap();
        }
        e
    };

    // Control: re-signing by the original signers gives a clean ledger, so the re-chaining
    // itself leaves no trace.
    fx.write_records(&header, &forge(&["a1", "a2"]));
    assert!(audit(&fx).is_empty());

    fx.write_records(&header, &forge(&["a1", "x9"]));
    // The ledger's own checkpoint shows the rewrite at once...
    assert!(audit(&fx).contains(&f("FORKED", 3)));
    // ...and the journal alone shows who signed what.
    let checkpoint = fx.ledger().join("checkpoint");
    let saved = fs::read(&checkpoint).unwrap();
    fs::remove_file(&checkpoint).unwrap();
    let report = fx.run(&["verify", "--json"]).exits(1).json();
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings.iter().all(|f| f["category"] == "authorization"),
        "{findings:?}"
    );
    assert_eq!(
        sorted(audit(&fx)),
        vec![f("ROLE_MISSING", 1), f("SIGNER_UNKNOWN", 1)]
    );
    let unknown = findings
        .iter()
        .find(|f| f["code"] == "SIGNER_UNKNOWN")
        .unwrap();
    assert_eq!(unknown["signer"], "x9");
    // Authorization findings do not stop a rebuild of the index of a journal brought from
    // elsewhere...
    fx.run(&["reindex"]).exits(0);
    // ...but the ledger's own checkpoint pins the root it signed: a rewritten journal is refused.
    fs::write(&checkpoint, saved).unwrap();
    let run = fx.run(&["reindex"]).exits(5);
    assert!(run.stderr.contains("rewritten"), "{}", run.stderr);
}

#[test]
fn a_torn_final_record_is_a_note_and_the_next_writer_cuts_it() {
    let fx = small_ledger();
    let (_, records) = fx.records();
    let before = fx.journal_bytes();
    // An append interrupted after 10 bytes of its record: a copy of the last record, cut short.
    let last = records.last().unwrap().0 as usize;
    let mut bytes = before.clone();
    bytes.extend_from_slice(&before[last..last + 10]);
    fs::write(fx.journal(), &bytes).unwrap();

    let run = fx.run(&["verify"]).exits(0);
    assert!(
        run.stdout.contains("CLEAN") && run.stdout.contains("tail"),
        "{}",
        run.stdout
    );
    let report = fx.run(&["verify", "--json"]).exits(0).json();
    assert_eq!(report["entries"], 4);
    assert_eq!(report["notices"].as_array().unwrap().len(), 1);

    let mut revoke = revoke_c1_args(&fx);
    revoke.push("--json".into());
    let run = fx.run(&revoke).exits(0);
    assert!(run.stderr.contains("tail"), "{}", run.stderr);
    assert_eq!(run.json()["seq"], 4);

    let after = fx.journal_bytes();
    assert_eq!(after[..before.len()], before[..], "only the tail was cut");
    let report = fx.run(&["verify", "--json"]).exits(0).json();
    assert_eq!(report["entries"], 5);
    assert_eq!(report["notices"], serde_json::json!([]));
}

#[test]
fn a_cut_acknowledged_record_is_never_cut_further_or_papered_over() {
    let fx = small_ledger();
    let (_, records) = fx.records();
    let last = records.last().unwrap().0 as usize;
    let mut bytes = fx.journal_bytes();
    bytes.truncate(last + 10);
    fs::write(fx.journal(), &bytes).unwrap();

    // The index saw entry 3 acknowledged: the writer refuses instead of cutting it away.
    let run = fx.refused(&revoke_c1_args(&fx), 5, "acknowledged");
    assert!(run.stderr.contains("custody restore"), "{}", run.stderr);
    // Nor does a rebuild paper over it: the ledger signed a checkpoint of 4 entries.
    let run = fx.run(&["reindex"]).exits(5);
    assert!(
        run.stderr.contains("entries were removed"),
        "{}",
        run.stderr
    );
    let report = fx.run(&["verify", "--json"]).exits(1).json();
    assert_eq!(report["entries"], 3);
    assert_eq!(sorted(audit(&fx)), vec![f("TRUNCATED", 3)]);
}

#[test]
fn garbage_after_the_last_record_is_a_framing_finding_and_blocks_writers() {
    let fx = small_ledger();
    let mut bytes = fx.journal_bytes();
    let end = bytes.len();
    bytes.extend_from_slice(b"\xffGARBAGE");
    fs::write(fx.journal(), &bytes).unwrap();
    assert_eq!(audit(&fx), vec![f("FRAMING", 4)]);
    let run = fx.run(&["verify"]).exits(1);
    assert!(
        run.stdout.contains(&format!("at byte {end}")),
        "{}",
        run.stdout
    );

    let revoke = revoke_c1_args(&fx);
    fx.refused(&revoke, 5, "damaged");
}

#[test]
fn a_flipped_byte_in_the_journal_header_is_a_header_finding() {
    let fx = small_ledger();
    let clean = fx.journal_bytes();
    let revoke = revoke_c1_args(&fx);

    // The magic, the format version, then the ledger id.
    for (at, writer_says) in [
        (3, "not a custody journal"),
        (8, "version"),
        (20, "damaged"),
    ] {
        let mut bytes = clean.clone();
        bytes[at] ^= 0x20;
        fs::write(fx.journal(), &bytes).unwrap();
        assert_eq!(audit(&fx), vec![f("JOURNAL_HEADER", 0)], "byte {at}");
        let run = fx.run(&["verify"]).exits(1);
        assert!(run.stdout.contains("JOURNAL_HEADER"), "{}", run.stdout);
        fx.refused(&revoke, 5, writer_says);
    }
}

// ---------------------------------------------------------------------------------------------
// 5. The index is derived data: lost or damaged, it is rebuilt from the journal

#[test]
fn a_deleted_index_is_rebuilt_by_the_next_writer() {
    let fx = small_ledger();
    fs::remove_dir_all(fx.path("ledger/index")).unwrap();
    fx.keygen("p1", "Officer");
    fx.enroll("p1", &["police"], "4001", &["a2", "a3"]).exits(0);
    assert!(fx.path("ledger/index").is_dir());
    assert!(audit(&fx).is_empty());
    // The rebuilt index knows the whole roster: enrolling c1's person again is still refused.
    fx.keygen("c2", "C two");
    let args = enroll_args(
        &fx,
        "c2",
        &["--person", "2001", "--role", "custodian"],
        &["a1", "a2"],
    );
    fx.refused(&args, 3, "PERSON_DUPLICATE");
}

fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn a_corrupt_index_is_rebuilt_by_the_next_writer() {
    let fx = small_ledger();
    let mut files = Vec::new();
    files_under(&fx.path("ledger/index"), &mut files);
    assert!(!files.is_empty());
    for p in files {
        let len = fs::metadata(&p).unwrap().len().max(64) as usize;
        fs::write(&p, vec![0xa5; len]).unwrap();
    }
    fx.keygen("p1", "Officer");
    let run = fx.enroll("p1", &["police"], "4001", &["a2", "a3"]).exits(0);
    assert!(run.stderr.contains("rebuilt"), "{}", run.stderr);
    assert!(audit(&fx).is_empty());
    let log = fx.run(&["log", "--json"]).exits(0).json();
    assert_eq!(log.as_array().unwrap().len(), 5);
}

#[test]
fn reindex_rebuilds_a_clean_ledger_and_refuses_a_damaged_journal() {
    let fx = small_ledger();
    let run = fx.run(&["reindex"]).exits(0);
    assert!(run.stdout.contains("4 entries"), "{}", run.stdout);
    fx.keygen("p1", "Officer");
    fx.enroll("p1", &["police"], "4001", &["a1", "a3"]).exits(0);
    assert!(audit(&fx).is_empty());

    let (header, mut e) = entries(&fx);
    let sig = DecodedEntry::decode(&e[2]).unwrap().entry.signatures[0].signature;
    let at = position(&e[2], &sig);
    e[2][at] ^= 0x40;
    fx.write_records(&header, &e);
    fx.refused(&["reindex"], 5, "damaged");
}

// ---------------------------------------------------------------------------------------------
// 6. Things that are not what they should be

#[test]
fn a_journal_that_is_a_directory_is_reported_without_a_panic() {
    let fx = small_ledger();
    fs::remove_file(fx.journal()).unwrap();
    fs::create_dir(fx.journal()).unwrap();
    for args in [
        vec!["log"],
        vec!["verify"],
        vec!["show", "0"],
        vec!["reindex"],
    ] {
        let run = fx.run(&args).exits(5);
        assert!(run.stderr.starts_with("custody: "), "{}", run.stderr);
    }
    let revoke = revoke_c1_args(&fx);
    fx.run(&revoke).exits(5);
    assert!(fx.journal().is_dir());
}

#[test]
fn a_ledger_path_that_is_a_file_is_reported_without_a_panic() {
    let fx = Fixture::new();
    for id in ["a1", "a2", "c1"] {
        fx.keygen(id, id);
    }
    fs::write(fx.ledger(), "not a directory").unwrap();
    for args in [
        vec!["log"],
        vec!["verify"],
        vec!["show", "0"],
        vec!["reindex"],
    ] {
        let run = fx.run(&args).exits(2);
        assert!(run.stderr.starts_with("custody: "), "{}", run.stderr);
    }
    let args = enroll_args(
        &fx,
        "c1",
        &["--person", "2001", "--role", "custodian"],
        &["a1", "a2"],
    );
    fx.run(&args).exits(2);
    let init = init2_args(&fx, ["1001", "1002"], &["a1", "a2"]);
    fx.run(&init).exits(2);
    assert_eq!(fs::read_to_string(fx.ledger()).unwrap(), "not a directory");
}

#[test]
fn revoking_down_to_one_admin_warns_that_the_roster_is_frozen() {
    let fx = Fixture::new();
    fx.init3();
    let revoke = |id: &str| {
        let mut args: Vec<String> = ["revoke", "--id", id, "--reason", "left"]
            .map(String::from)
            .to_vec();
        args.extend(fx.signing(&["a1", "a2"]));
        fx.run(&args).exits(0)
    };
    let run = revoke("a3");
    assert!(!run.stderr.contains("no longer change"), "{}", run.stderr);
    let run = revoke("a2");
    assert!(run.stderr.contains("only 1 active admin"), "{}", run.stderr);
}

#[test]
fn log_and_show_on_a_journal_with_a_bad_header_say_so() {
    let fx = small_ledger();
    let mut bytes = fx.journal_bytes();
    bytes[0] ^= 0x20;
    fs::write(fx.journal(), &bytes).unwrap();
    for args in [vec!["log"], vec!["show", "0"]] {
        let run = fx.run(&args).exits(5);
        assert!(
            run.stderr.contains("cannot read the journal"),
            "{}",
            run.stderr
        );
    }
}

/// `custody verify | head`: a reader that stops early closes the pipe; the command still ends
/// as it would have, without a panic and its backtrace.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    let fx = Fixture::new();
    fx.init3();
    for args in [&["verify"][..], &["keys"], &["roster"], &["policy", "show"]] {
        let mut child = fx
            .std_cmd()
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn custody");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait for custody");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn every_append_leaves_a_checkpoint_of_the_whole_journal_and_no_temporary_file() {
    let fx = small_ledger();
    let (_, records) = fx.records();
    let checkpoint = custody::ledger::read_checkpoint(&fx.ledger())
        .unwrap()
        .expect("the ledger key signed a checkpoint");
    // The genesis and three enrolments, each appended by the binary.
    assert_eq!(records.len(), 4);
    assert_eq!(checkpoint.size, records.len() as u64);
    assert_eq!(util::temporaries(&fx.ledger()), Vec::<String>::new());
}

#[test]
fn an_unsigned_checkpoint_is_a_notice_and_the_event_is_still_recorded() {
    let fx = small_ledger();
    // The ledger key is unreadable: the append must still stand, with the old checkpoint.
    fs::write(fx.ledger().join("ledger.key"), b"not a key").unwrap();
    fx.keygen("c2", "Holder c2");
    let run = fx
        .enroll("c2", &["custodian"], "2009", &["a1", "a2"])
        .exits(0);
    assert!(
        run.stderr
            .contains("could not sign its checkpoint (checkpoint: ")
            && run.stderr.contains("not a 32-byte key")
            && !run.stderr.contains("checkpoint: checkpoint:"),
        "{}",
        run.stderr
    );
    let (_, records) = fx.records();
    assert_eq!(records.len(), 5);
    let checkpoint = custody::ledger::read_checkpoint(&fx.ledger())
        .unwrap()
        .expect("the checkpoint signed before");
    assert_eq!(checkpoint.size, 4);
    assert_eq!(util::temporaries(&fx.ledger()), Vec::<String>::new());
}
