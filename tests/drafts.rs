//! Drafts co-signed on separate machines: `cosign`, `submit` and `roster`, through the real
//! binary. Drafts are prepared through the library (`ledger::prepare` + `Draft::new`), so these
//! tests do not depend on the `draft` command. Every refusal leaves the journal (and the draft
//! file, where one is refused) byte for byte as it was.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::draft::{Draft, MAX_DRAFT_FILE, RosterFile};
use custody::entry::Body;
use custody::event::{Event, Revocation};
use custody::keyfile::read_public_key_file;
use custody::ledger::{self, Ledger};
use custody::roster::{Keyholder, Role, person_tag};
use custody::time::Timestamp;
use std::fs;
use std::path::{Path, PathBuf};
use util::Fixture;

/// A ledger with founders a1 a2 a3, and c1's key made (not enrolled).
fn ledger_with_c1_key() -> Fixture {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "王丽");
    fx
}

/// Writes a draft enrolling `id` (key `keys/ID.pub`) as custodian, co-signed by `signers`,
/// against the ledger's current head.
fn enrol_draft(fx: &Fixture, id: &str, person: &str, signers: &[&str], out: &str) -> PathBuf {
    let peek = ledger::peek(&fx.ledger()).unwrap();
    let public = read_public_key_file(&fx.path(&format!("keys/{id}.pub"))).unwrap();
    let key = ledger::person_key(&fx.ledger()).unwrap();
    let event = Event::Enroll(Keyholder {
        id: id.to_string(),
        name: public.name,
        roles: vec![Role::Custodian],
        public_key: public.key,
        person_tag: person_tag(&key, person).unwrap(),
        valid_from: None,
        valid_until: None,
        key_kind: None,
    });
    let signers = signers.iter().map(|s| s.to_string()).collect();
    let body = ledger::prepare(&peek, event, Timestamp::now(), signers);
    write_draft(fx, &body, out)
}

/// Writes a draft revoking `id`, co-signed by `signers`.
fn revoke_draft(fx: &Fixture, id: &str, signers: &[&str], out: &str) -> PathBuf {
    let peek = ledger::peek(&fx.ledger()).unwrap();
    let event = Event::Revoke(Revocation {
        id: id.to_string(),
        reason: "left the exam office".into(),
    });
    let signers = signers.iter().map(|s| s.to_string()).collect();
    let body = ledger::prepare(&peek, event, Timestamp::now(), signers);
    write_draft(fx, &body, out)
}

fn write_draft(fx: &Fixture, body: &Body, out: &str) -> PathBuf {
    let path = fx.path(out);
    Draft::new(body.encode().unwrap())
        .unwrap()
        .write_new(&path)
        .unwrap();
    path
}

/// `cosign FILE --sign keys/ID.key --pass-file ID.pass [--roster ROSTER]`, as arguments.
fn cosign_args(file: &str, id: &str, roster: Option<&str>) -> Vec<String> {
    let mut args = vec![
        "cosign".to_string(),
        file.to_string(),
        "--sign".into(),
        format!("keys/{id}.key"),
        "--pass-file".into(),
        format!("{id}.pass"),
    ];
    if let Some(r) = roster {
        args.extend(["--roster".to_string(), r.to_string()]);
    }
    args
}

/// Exports the roster to `roster.json` in the fixture.
fn export_roster(fx: &Fixture) -> PathBuf {
    fx.run(&["roster", "--out", "roster.json"]).exits(0);
    fx.path("roster.json")
}

/// A site machine: a directory with no ledger, holding copies of the given keyholders' key and
/// passphrase files.
fn site_with_keys(from: &Fixture, ids: &[&str]) -> Fixture {
    let site = Fixture::new();
    fs::create_dir(site.path("keys")).unwrap();
    for id in ids {
        for f in [format!("keys/{id}.key"), format!("{id}.pass")] {
            fs::copy(from.path(&f), site.path(&f)).unwrap();
        }
    }
    assert!(!site.ledger().exists());
    site
}

/// `verify --json` finds nothing, and exits 0.
#[track_caller]
fn verifies_clean(fx: &Fixture) {
    let run = fx.run(&["verify", "--json"]).exits(0);
    assert_eq!(run.json()["findings"], serde_json::json!([]));
}

/// Runs a command that must be refused, checking that neither the journal nor `file` changed.
#[track_caller]
fn refused_keeps(fx: &Fixture, file: &Path, args: &[String], exit: i32, needle: &str) -> util::Run {
    let before = fs::read(file).unwrap_or_default();
    let run = fx.refused(args, exit, needle);
    assert!(
        fs::read(file).unwrap_or_default() == before,
        "a refused command changed {}",
        file.display()
    );
    run
}

#[test]
fn two_cosigns_on_a_copy_then_submit_appends_and_verifies_clean() {
    let fx = ledger_with_c1_key();
    let original = enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "enrol-c1.draft");
    fs::copy(&original, fx.path("copy.draft")).unwrap();

    let run = fx.run(&cosign_args("copy.draft", "a1", None)).exits(0);
    assert!(
        run.stdout.contains("signed copy.draft as a1"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("still to sign: a2"), "{}", run.stdout);
    assert!(
        run.stderr.contains("enroll"),
        "the summary is shown:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("王丽"), "{}", run.stderr);
    assert!(run.stderr.contains("no --roster"), "{}", run.stderr);

    let run = fx.run(&cosign_args("copy.draft", "a2", None)).exits(0);
    assert!(
        run.stdout.contains("every co-signer has signed"),
        "{}",
        run.stdout
    );
    assert_eq!(
        util::temporaries(fx.tmp.path()),
        Vec::<String>::new(),
        "no temporary file is left"
    );

    // The original was never touched; the copy holds both signatures.
    assert!(Draft::read(&original).unwrap().signatures.is_empty());
    let signed = Draft::read(&fx.path("copy.draft")).unwrap();
    assert!(signed.missing().unwrap().is_empty());

    let receipt = fx.run(&["submit", "copy.draft", "--json"]).exits(0).json();
    assert_eq!(receipt["seq"], 1);
    assert_eq!(receipt["hash"].as_str().unwrap().len(), 64);
    let show = fx.run(&["show", "1", "--json"]).exits(0).json();
    assert_eq!(show["kind"], "enroll");
    assert_eq!(show["signers"], serde_json::json!(["a1", "a2"]));
    verifies_clean(&fx);

    // The roster now shows c1.
    let table = fx.run(&["roster"]).exits(0);
    assert!(table.stdout.contains("c1") && table.stdout.contains("王丽"));
    assert!(table.stdout.contains("custodian") && table.stdout.contains("active"));
}

#[test]
fn cosign_works_on_a_machine_with_the_roster_but_no_ledger() {
    let fx = ledger_with_c1_key();
    enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "enrol-c1.draft");
    export_roster(&fx);

    let site = site_with_keys(&fx, &["a1", "a2"]);
    fs::copy(fx.path("enrol-c1.draft"), site.path("enrol-c1.draft")).unwrap();
    fs::copy(fx.path("roster.json"), site.path("roster.json")).unwrap();

    let run = site
        .run(&cosign_args("enrol-c1.draft", "a1", Some("roster.json")))
        .exits(0);
    assert!(
        run.stderr.contains("Admin a2"),
        "names from the roster:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("admin"), "{}", run.stderr);
    assert!(
        run.stderr.contains("+08:00"),
        "the exam's zone:\n{}",
        run.stderr
    );
    let run = site
        .run(&cosign_args("enrol-c1.draft", "a2", Some("roster.json")))
        .exits(0);
    // The earlier signature was checked against the roster and shown as signed.
    assert!(run.stderr.contains("signed"), "{}", run.stderr);
    assert!(!site.ledger().exists(), "cosign created no ledger");

    // Back to the ledger's machine.
    fs::copy(site.path("enrol-c1.draft"), fx.path("back.draft")).unwrap();
    fx.run(&["submit", "back.draft"]).exits(0);
    verifies_clean(&fx);
}

#[test]
fn cosign_with_a_key_the_draft_does_not_name_is_refused() {
    let fx = ledger_with_c1_key();
    let draft = enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "d.draft");
    let run = refused_keeps(&fx, &draft, &cosign_args("d.draft", "a3", None), 3, "a3");
    assert!(run.stderr.contains("not named"), "{}", run.stderr);
    // c1 is the subject of the event, not a co-signer.
    refused_keeps(
        &fx,
        &draft,
        &cosign_args("d.draft", "c1", None),
        3,
        "not named",
    );
}

#[test]
fn the_same_key_cannot_sign_twice() {
    let fx = ledger_with_c1_key();
    let draft = enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "d.draft");
    fx.run(&cosign_args("d.draft", "a1", None)).exits(0);
    refused_keeps(
        &fx,
        &draft,
        &cosign_args("d.draft", "a1", None),
        3,
        "already signed",
    );
    export_roster(&fx);
    refused_keeps(
        &fx,
        &draft,
        &cosign_args("d.draft", "a1", Some("roster.json")),
        3,
        "already signed",
    );
}

#[test]
fn cosign_refuses_a_key_that_differs_from_the_rosters_key_for_its_id() {
    let fx = ledger_with_c1_key();
    let draft = enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "d.draft");
    let roster_path = export_roster(&fx);

    // A roster whose key for a1 is a3's key.
    let mut roster = RosterFile::read(&roster_path).unwrap();
    let a3_key = roster.keyholder("a3").unwrap().public_key.clone();
    roster
        .keyholders
        .iter_mut()
        .find(|k| k.id == "a1")
        .unwrap()
        .public_key = a3_key;
    fs::write(fx.path("forged.json"), roster.to_json()).unwrap();
    refused_keeps(
        &fx,
        &draft,
        &cosign_args("d.draft", "a1", Some("forged.json")),
        3,
        "different public key",
    );

    // A key file that calls itself a1 but is not a1's enrolled key.
    fs::create_dir(fx.path("other")).unwrap();
    fs::write(fx.path("other/a1.pass"), "pass-other\n").unwrap();
    fx.run(&[
        "keygen",
        "--id",
        "a1",
        "--name",
        "Impostor",
        "--out",
        "other",
        "--pass-file",
        "other/a1.pass",
    ])
    .exits(0);
    let args: Vec<String> = [
        "cosign",
        "d.draft",
        "--sign",
        "other/a1.key",
        "--pass-file",
        "other/a1.pass",
        "--roster",
        "roster.json",
    ]
    .map(String::from)
    .to_vec();
    refused_keeps(&fx, &draft, &args, 3, "different public key");
}

#[test]
fn cosign_refuses_a_roster_of_another_ledger() {
    let fx = ledger_with_c1_key();
    let draft = enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "d.draft");
    let other = Fixture::new();
    other.init3();
    export_roster(&other);
    fs::copy(other.path("roster.json"), fx.path("other.json")).unwrap();
    refused_keeps(
        &fx,
        &draft,
        &cosign_args("d.draft", "a1", Some("other.json")),
        3,
        "roster is of ledger",
    );
}

#[test]
fn a_draft_altered_after_the_first_signature_is_refused_by_cosign_and_submit() {
    let fx = ledger_with_c1_key();
    let path = revoke_draft(&fx, "a3", &["a1", "a2"], "d.draft");
    export_roster(&fx);
    fx.run(&cosign_args("d.draft", "a1", Some("roster.json")))
        .exits(0);

    // Flip one byte of the body inside the file: "left" becomes "Left". The file still
    // decodes, canonically, and a1's signature is still in it.
    let mut draft = Draft::read(&path).unwrap();
    let at = draft
        .body
        .windows(4)
        .position(|w| w == b"left")
        .expect("the reason in the body");
    draft.body[at] ^= 0x20;
    let bytes = draft.encode().unwrap();
    assert!(
        Draft::decode(&bytes).is_ok(),
        "the altered draft still decodes"
    );
    assert!(draft.body().is_ok());
    fs::write(&path, &bytes).unwrap();

    // With the roster, a2 is told before typing a passphrase.
    refused_keeps(
        &fx,
        &path,
        &cosign_args("d.draft", "a2", Some("roster.json")),
        3,
        "altered after a1 signed",
    );
    // Without a roster nothing can tell; the ledger does.
    fx.run(&cosign_args("d.draft", "a2", None)).exits(0);
    let run = fx.refused(&["submit", "d.draft"], 3, "SIGNATURE");
    assert!(run.stderr.contains("a1"), "{}", run.stderr);
    verifies_clean(&fx);
}

#[test]
fn an_incomplete_draft_is_refused_naming_who_must_still_sign() {
    let fx = ledger_with_c1_key();
    let draft = enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "d.draft");
    let run = refused_keeps(
        &fx,
        &draft,
        &["submit".to_string(), "d.draft".to_string()],
        3,
        "still to sign: a1, a2",
    );
    assert!(run.stderr.contains("custody cosign"), "{}", run.stderr);
    fx.run(&cosign_args("d.draft", "a2", None)).exits(0);
    let run = refused_keeps(
        &fx,
        &draft,
        &["submit".to_string(), "d.draft".to_string()],
        3,
        "still to sign: a1",
    );
    assert!(!run.stderr.contains("a2,"), "{}", run.stderr);
}

#[test]
fn a_submitted_draft_cannot_be_submitted_twice() {
    let fx = ledger_with_c1_key();
    enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "d.draft");
    fx.run(&cosign_args("d.draft", "a1", None)).exits(0);
    fx.run(&cosign_args("d.draft", "a2", None)).exits(0);
    fx.run(&["submit", "d.draft"]).exits(0);
    let run = fx.refused(&["submit", "d.draft"], 3, "REPLAY");
    assert!(run.stderr.contains("already submitted"), "{}", run.stderr);
    verifies_clean(&fx);
}

#[test]
fn a_draft_prepared_before_another_entry_is_still_accepted() {
    let fx = ledger_with_c1_key();
    fx.keygen("s1", "Supervisor One");
    // Prepared at head 1 (the genesis alone).
    enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "d.draft");
    assert_eq!(
        Draft::read(&fx.path("d.draft"))
            .unwrap()
            .body()
            .unwrap()
            .head
            .size,
        1
    );
    fx.run(&cosign_args("d.draft", "a1", None)).exits(0);
    fx.run(&cosign_args("d.draft", "a2", None)).exits(0);

    // Meanwhile the ledger moves on.
    fx.enroll("s1", &["supervisor"], "2002", &["a2", "a3"])
        .exits(0);

    let receipt = fx.run(&["submit", "d.draft", "--json"]).exits(0).json();
    assert_eq!(receipt["seq"], 2);
    let show = fx.run(&["show", "2", "--json"]).exits(0).json();
    assert_eq!(show["head"]["size"], 1, "the head the signers saw");
    verifies_clean(&fx);
}

#[test]
fn submit_waits_for_no_one_it_reports_a_busy_ledger() {
    let fx = ledger_with_c1_key();
    enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "d.draft");
    fx.run(&cosign_args("d.draft", "a1", None)).exits(0);
    fx.run(&cosign_args("d.draft", "a2", None)).exits(0);
    let held = Ledger::open(&fx.ledger()).unwrap();
    fx.refused(&["submit", "d.draft"], 4, "in use");
    held.close().unwrap();
    fx.run(&["submit", "d.draft"]).exits(0);
}

#[test]
fn a_wrong_passphrase_changes_nothing() {
    let fx = ledger_with_c1_key();
    let draft = enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "d.draft");
    fs::write(fx.path("wrong.pass"), "not-it\n").unwrap();
    let args: Vec<String> = [
        "cosign",
        "d.draft",
        "--sign",
        "keys/a1.key",
        "--pass-file",
        "wrong.pass",
    ]
    .map(String::from)
    .to_vec();
    refused_keeps(&fx, &draft, &args, 2, "wrong passphrase");
}

#[test]
fn hostile_draft_files_are_bad_input_never_a_panic() {
    let fx = ledger_with_c1_key();
    let good = enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "good.draft");
    fx.run(&cosign_args("good.draft", "a1", None)).exits(0);
    let good = fs::read(good).unwrap();
    export_roster(&fx);

    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("magic-only".into(), b"CUSTDRFT".to_vec()),
        ("text".into(), b"hello, this is not a draft\n".to_vec()),
    ];
    // Pseudo-random bytes, with and without the right header.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut random = Vec::new();
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        random.push(x as u8);
    }
    cases.push(("random".into(), random.clone()));
    let mut headed = b"CUSTDRFT\x01".to_vec();
    headed.extend_from_slice(&random);
    cases.push(("random-with-header".into(), headed));
    for cut in [9, 10, 40, good.len() / 2, good.len() - 1] {
        cases.push((format!("truncated-{cut}"), good[..cut].to_vec()));
    }
    let mut trailing = good.clone();
    trailing.push(0);
    cases.push(("trailing-byte".into(), trailing));
    let mut version = good.clone();
    version[8] = 2;
    cases.push(("version-2".into(), version));
    // A body length that claims far more than the file holds.
    let mut long = good[..9].to_vec();
    long.extend_from_slice(&[0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    cases.push(("huge-length".into(), long));

    for (name, bytes) in &cases {
        let file = format!("{name}.draft");
        fs::write(fx.path(&file), bytes).unwrap();
        for args in [
            cosign_args(&file, "a2", None),
            cosign_args(&file, "a2", Some("roster.json")),
            vec!["submit".to_string(), file.clone()],
        ] {
            let run = refused_keeps(&fx, &fx.path(&file), &args, 2, &file);
            assert!(
                run.stderr.lines().count() <= 3,
                "{name}: one or two lines:\n{}",
                run.stderr
            );
        }
    }

    // A file over the cap is refused without being read (a sparse file of 64 MiB).
    let huge = fs::File::create(fx.path("huge.draft")).unwrap();
    huge.set_len(64 << 20).unwrap();
    drop(huge);
    const { assert!(64 << 20 > MAX_DRAFT_FILE) };
    let run = fx.refused(&cosign_args("huge.draft", "a2", None), 2, "over the");
    assert!(run.stderr.contains("huge.draft"), "{}", run.stderr);
    fx.refused(&["submit", "huge.draft"], 2, "over the");

    // A directory and a missing file.
    fs::create_dir(fx.path("dir.draft")).unwrap();
    fx.refused(&cosign_args("dir.draft", "a2", None), 2, "dir.draft");
    fx.refused(&["submit", "dir.draft"], 2, "dir.draft");
    fx.refused(&["submit", "missing.draft"], 2, "missing.draft");
}

#[test]
fn hostile_roster_files_are_bad_input() {
    let fx = ledger_with_c1_key();
    let draft = enrol_draft(&fx, "c1", "2001", &["a1", "a2"], "d.draft");
    let roster = fs::read_to_string(export_roster(&fx)).unwrap();
    let cases = [
        ("junk", "{not json".to_string()),
        ("array", "[]".to_string()),
        (
            "bad-key",
            roster.replacen("\"public_key\": \"", "\"public_key\": \"zz", 1),
        ),
        ("bad-zone", roster.replace("Asia/Shanghai", "Mars/Olympus")),
        (
            "extra-field",
            roster.replacen("{", "{\n  \"surprise\": 1,", 1),
        ),
        (
            "bad-format",
            roster.replace("custody-roster-v1", "custody-roster-v9"),
        ),
        (
            "huge-lag",
            roster.replace(
                "\"max_head_lag\": 10000",
                "\"max_head_lag\": 18446744073709551615",
            ),
        ),
    ];
    for (name, text) in cases {
        assert_ne!(text, roster, "{name} changes the roster");
        let file = format!("{name}.json");
        fs::write(fx.path(&file), text).unwrap();
        refused_keeps(
            &fx,
            &draft,
            &cosign_args("d.draft", "a1", Some(&file)),
            2,
            &file,
        );
    }
}

#[test]
fn the_roster_file_holds_names_roles_keys_and_the_policy_but_no_person_tags() {
    let fx = ledger_with_c1_key();
    fx.enroll("c1", &["custodian"], "2001", &["a1", "a2"])
        .exits(0);
    fx.run(&[
        "revoke",
        "--id",
        "a3",
        "--reason",
        "left",
        "--sign",
        "keys/a1.key",
        "--sign",
        "keys/a2.key",
        "--pass-file",
        "a1.pass",
        "--pass-file",
        "a2.pass",
    ])
    .exits(0);
    let path = export_roster(&fx);
    let text = fs::read_to_string(&path).unwrap();
    assert!(!text.contains("person_tag"), "no person tags:\n{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["format"], "custody-roster-v1");
    assert_eq!(json["exam"], "2026 学考");
    assert_eq!(json["time_zone"], "Asia/Shanghai");
    assert_eq!(json["head_size"], 3);
    assert_eq!(json["policy"]["max_head_lag"], 10000);
    let ids: Vec<&str> = json["keyholders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["a1", "a2", "a3", "c1"]);
    assert_eq!(json["keyholders"][2]["active"], false);
    assert_eq!(json["keyholders"][2]["revoked_seq"], 2);
    assert_eq!(
        json["keyholders"][3]["roles"],
        serde_json::json!(["custodian"])
    );
    assert_eq!(json["keyholders"][3]["name"], "王丽");
    let public = read_public_key_file(&fx.path("keys/c1.pub")).unwrap();
    assert_eq!(
        json["keyholders"][3]["public_key"],
        custody::entry::hex(&public.key)
    );
    RosterFile::read(&path).expect("the exported file reads back");

    // --json prints the same document; --out never overwrites.
    let printed = fx.run(&["roster", "--json"]).exits(0).json();
    assert_eq!(printed, json);
    let run = fx.run(&["roster", "--out", "roster.json"]).exits(2);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(&path).unwrap(), text);

    let table = fx.run(&["roster"]).exits(0);
    assert!(
        table.stdout.contains("revoked at entry 2"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("always"), "{}", table.stdout);

    // A revoked key cannot co-sign a draft where the roster shows it.
    fx.keygen("s1", "Supervisor One");
    let draft = enrol_draft(&fx, "s1", "2002", &["a1", "a3"], "d.draft");
    let run = refused_keeps(
        &fx,
        &draft,
        &cosign_args("d.draft", "a3", Some("roster.json")),
        3,
        "revoked",
    );
    assert!(run.stderr.contains("a3"), "{}", run.stderr);
}

#[test]
fn roster_needs_a_ledger() {
    let site = Fixture::new();
    let run = site.run(&["roster"]).exits(2);
    assert!(run.stderr.contains("no ledger"), "{}", run.stderr);
}

/// The bytes of the fenced block after `<!-- golden NAME -->` in docs/DRAFTS.md.
fn golden(name: &str) -> Vec<u8> {
    let hex = util::golden("DRAFTS.md", name);
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn the_golden_draft_of_drafts_md_is_what_the_library_writes() {
    use custody::entry::{CoSignature, Head};
    use custody::signing::sign_body;
    use ed25519_dalek::SigningKey;

    let body = Body {
        ledger_id: [0x11; 16],
        head: Head {
            size: 5,
            hash: [0xaa; 32],
        },
        event_time: Timestamp(1_780_800_000_000),
        nonce: [0x22; 16],
        signers: vec!["a1".into(), "a2".into()],
        event: Event::Revoke(Revocation {
            id: "esc1".into(),
            reason: "lost".into(),
        }),
    }
    .encode()
    .unwrap();
    let mut draft = Draft::new(body.clone()).unwrap();
    draft
        .add(CoSignature {
            signer: "a2".into(),
            signature: sign_body(&SigningKey::from_bytes(&[2; 32]), &body),
        })
        .unwrap();
    let bytes = draft.encode().unwrap();
    assert_eq!(
        custody::entry::hex(&bytes),
        custody::entry::hex(&golden("draft"))
    );
    let read = Draft::decode(&bytes).unwrap();
    assert_eq!(read.missing().unwrap(), vec!["a1".to_string()]);
}

#[test]
fn cosign_with_a_roster_refuses_a_key_outside_its_validity_window() {
    let fx = ledger_with_c1_key();
    let mut args: Vec<String> = [
        "enroll",
        "--pub",
        "keys/c1.pub",
        "--person",
        "2001",
        "--role",
        "custodian",
        "--valid-until",
        "2020-01-01T00:00",
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(&["a1", "a2"]));
    fx.run(&args).exits(0);
    export_roster(&fx);
    let draft = revoke_draft(&fx, "a3", &["a1", "c1"], "d.draft");
    refused_keeps(
        &fx,
        &draft,
        &cosign_args("d.draft", "c1", Some("roster.json")),
        3,
        "not valid at the event time",
    );
}

/// Issue 19, defect 1: `cosign FILE` wrote `FILE.tmp` with create + truncate, so a symlink
/// planted there by whoever can write into the draft's folder was followed (the signer's shell
/// start-up file overwritten with the draft), then renamed over the draft.
#[cfg(unix)]
#[test]
fn cosign_through_a_planted_tmp_symlink_leaves_the_links_target_alone() {
    let fx = ledger_with_c1_key();
    let draft = revoke_draft(&fx, "a3", &["a1", "a2"], "d.draft");
    let victim = fx.path("bashrc");
    fs::write(&victim, b"export PATH=/usr/bin\n").unwrap();
    let planted = fx.path("d.draft.tmp");
    std::os::unix::fs::symlink(&victim, &planted).unwrap();

    fx.run(&cosign_args("d.draft", "a1", None)).exits(0);

    assert_eq!(fs::read(&victim).unwrap(), b"export PATH=/usr/bin\n");
    assert_eq!(
        fs::read_link(&planted).unwrap(),
        victim,
        "the link is left as it was"
    );
    assert!(
        fs::symlink_metadata(&draft).unwrap().is_file(),
        "the draft is a file, not the planted link"
    );
    let signed = Draft::read(&draft).unwrap();
    assert_eq!(signed.missing().unwrap(), vec!["a2".to_string()]);
}
