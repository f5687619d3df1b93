//! Export, backup and restore, through the real binary: an export verifies exactly like the
//! ledger it came from and holds no secret; edits to its journal are found; a backup rebuilds a
//! working ledger; a restore that would truncate or fork a ledger is refused; hostile bundle
//! files are refused without a panic. Also the bundle layout of `docs/FORMAT.md`, byte for byte.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::audit::verify::{Options, Report, verify_reader};
use custody::bundle::{self, BundleError};
use custody::entry::{hex, parse_hex};
use custody::evidence::{Evidence, Named};
use custody::finding::Category;
use custody::keyfile::{KdfParams, KeyFileError};
use custody::keys::sealed::{open_with_passphrase, seal_with_passphrase};
use custody::time::Timestamp;
use std::fs;
use std::path::{Path, PathBuf};
use util::Fixture;

/// Person numbers long enough that finding one by chance in a file is impossible.
const PERSONS: [&str; 6] = [
    "330102197001010011",
    "330102197202020022",
    "330102197503030033",
    "330102198005050044",
    "330102198106060055",
    "330102198207070066",
];

/// Three founders (a1 a2 a3), a custodian and a supervisor; returns the genesis hash.
fn ledger(fx: &Fixture) -> String {
    let mut args: Vec<String> = ["init", "--exam", "2026 学考", "--json"]
        .map(String::from)
        .to_vec();
    for (i, id) in ["a1", "a2", "a3"].into_iter().enumerate() {
        fx.keygen(id, &format!("Admin {id}"));
        args.extend([
            "--founder".into(),
            format!("keys/{id}.pub"),
            "--founder-person".into(),
            PERSONS[i].into(),
        ]);
    }
    args.extend(fx.signing(&["a1", "a2", "a3"]));
    let genesis = fx.run(&args).exits(0).json()["genesis_hash"]
        .as_str()
        .unwrap()
        .to_string();
    enroll(fx, "c1", "custodian", PERSONS[3], &[]);
    enroll(fx, "s1", "supervisor", PERSONS[4], &[]);
    genesis
}

#[track_caller]
fn enroll(fx: &Fixture, id: &str, role: &str, person: &str, extra: &[&str]) {
    fx.keygen(id, &format!("Holder {id}"));
    let mut args: Vec<String> = vec![
        "enroll".into(),
        "--pub".into(),
        format!("keys/{id}.pub"),
        "--person".into(),
        person.into(),
        "--role".into(),
        role.into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(fx.signing(&["a1", "a2"]));
    fx.run(&args).exits(0);
}

/// The daily closing checkpoint, signed by a1 and a2.
#[track_caller]
fn daily(fx: &Fixture) {
    let mut args = vec!["checkpoint".to_string()];
    args.extend(fx.signing(&["a1", "a2"]));
    fx.run(&args).exits(0);
}

fn pass_file(fx: &Fixture) -> String {
    fs::write(fx.path("backup.pass"), "backup passphrase 备份\n").unwrap();
    "backup.pass".into()
}

#[track_caller]
fn export(fx: &Fixture, out: &str) -> PathBuf {
    fx.run(&["export", "--out", out]).exits(0);
    fx.path(out)
}

#[track_caller]
fn backup(fx: &Fixture, out: &str) -> PathBuf {
    let pass = pass_file(fx);
    fx.run(&["backup", "--out", out, "--pass-file", &pass])
        .exits(0);
    fx.path(out)
}

/// `verify --json` on a ledger directory.
#[track_caller]
fn verify_dir(fx: &Fixture, dir: &Path, trust: &str) -> serde_json::Value {
    let run = fx.run(&[
        "--ledger",
        dir.to_str().unwrap(),
        "verify",
        "--json",
        "--trust",
        trust,
    ]);
    let report = run.json();
    let clean = report["findings"].as_array().unwrap().is_empty();
    assert_eq!(run.code, if clean { 0 } else { 1 }, "{}", run.stderr);
    report
}

/// The audit of a bundle, as the issue specifies it for the library: `bundle::open`, then
/// `audit::verify_reader` with the bundle's own checkpoints (and any more) as evidence.
fn verify_bundle(path: &Path, trust: &str, more: Vec<Named>) -> Report {
    let opened = bundle::open(path).expect("the bundle opens");
    let mut checkpoints = opened.header.evidence("bundle");
    checkpoints.extend(more);
    let options = Options {
        trust: parse_hex::<32>(trust).into_iter().collect(),
        evidence: Evidence {
            checkpoints,
            proofs: Vec::new(),
        },
        progress: None,
    };
    verify_reader(opened.journal, path, &options).expect("the audit runs")
}

fn codes(report: &Report) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str().to_string(), f.seq))
        .collect();
    v.sort();
    v
}

fn json_codes(report: &serde_json::Value) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["seq"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The bundle audit and the directory audit agree on everything but the evidence labels; once
/// `verify --bundle` exists on the command line, it must agree too.
#[track_caller]
fn assert_same_audit(fx: &Fixture, file: &Path, trust: &str) -> Report {
    let dir = verify_dir(fx, &fx.ledger(), trust);
    let b = verify_bundle(file, trust, Vec::new());
    assert_eq!(codes(&b), json_codes(&dir));
    assert_eq!(serde_json::json!(b.entries), dir["entries"]);
    assert_eq!(serde_json::json!(b.tree_size), dir["tree_size"]);
    assert_eq!(serde_json::json!(hex(&b.root)), dir["root"]);
    assert_eq!(
        serde_json::json!(b.head_hash.map(|h| hex(&h))),
        dir["head_hash"]
    );
    assert_eq!(serde_json::json!(b.genesis_trusted), dir["genesis_trusted"]);
    let dir_checks: Vec<(u64, bool)> = dir["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["size"].as_u64().unwrap(),
                c["consistent"].as_bool().unwrap(),
            )
        })
        .collect();
    let b_checks: Vec<(u64, bool)> = b
        .checkpoints
        .iter()
        .map(|c| (c.size.unwrap(), c.consistent))
        .collect();
    assert_eq!(b_checks, dir_checks);
    // The command line, when it has `verify --bundle`.
    let run = fx.run(&[
        "verify",
        "--bundle",
        file.to_str().unwrap(),
        "--trust",
        trust,
        "--json",
    ]);
    if !run.stderr.contains("unexpected argument") {
        let cli = run.json();
        assert_eq!(json_codes(&cli), json_codes(&dir));
        assert_eq!(cli["entries"], dir["entries"]);
        assert_eq!(cli["root"], dir["root"]);
        assert_eq!(run.code, if b.is_clean() { 0 } else { 1 });
    }
    b
}

// ---------------------------------------------------------------------------------------------
// The layout, independently of the code that writes it

/// A section as the spec lays it out: kind, position of its payload, payload length.
fn sections(bytes: &[u8]) -> Vec<(u8, usize, usize)> {
    let mut out = Vec::new();
    let mut at = 26;
    while at < bytes.len() {
        let kind = bytes[at];
        let len = u64::from_le_bytes(bytes[at + 1..at + 9].try_into().unwrap()) as usize;
        out.push((kind, at + 9, len));
        at += 9 + len;
    }
    assert_eq!(at, bytes.len(), "sections end the file exactly");
    out
}

fn section(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The journal section's bytes.
fn journal_of(bytes: &[u8]) -> Vec<u8> {
    let (_, at, len) = *sections(bytes).last().unwrap();
    bytes[at..at + len].to_vec()
}

/// The same bundle with another journal section (its length fixed).
fn with_journal(bytes: &[u8], journal: &[u8]) -> Vec<u8> {
    let (_, at, _) = *sections(bytes).last().unwrap();
    let mut out = bytes[..at - 9].to_vec();
    out.extend(section(4, journal));
    out
}

/// The same bundle without its checkpoint sections (kinds 1 and 2).
fn without_checkpoints(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes[..26].to_vec();
    for (kind, at, len) in sections(bytes) {
        if kind != 1 && kind != 2 {
            out.extend(section(kind, &bytes[at..at + len]));
        }
    }
    out
}

/// The records of a journal as (offset, length of the whole record).
fn records(journal: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 28;
    while at < journal.len() {
        let len = u32::from_le_bytes(journal[at..at + 4].try_into().unwrap()) as usize;
        out.push((at, len + 8));
        at += len + 8;
    }
    out
}

#[test]
fn the_golden_bundle_of_format_md() {
    // docs/FORMAT.md: an export of ledger 11…11 whose journal holds only its header.
    let bytes: Vec<u8> = parse_hex_bytes(&util::golden("FORMAT.md", "bundle"));
    assert_eq!(bundle::preamble(&[0x11; 16], false)[..], bytes[..26]);
    let mut flagged = bundle::preamble(&[0x11; 16], true);
    assert_eq!(flagged[9], 0x01);
    flagged[9] = 0;
    assert_eq!(flagged[..], bytes[..26]);

    let fx = Fixture::new();
    let path = fx.path("golden.custody");
    fs::write(&path, &bytes).unwrap();
    let mut opened = bundle::open(&path).unwrap();
    assert_eq!(opened.header.ledger_id, [0x11; 16]);
    assert_eq!(opened.header.checkpoint, None);
    assert!(opened.header.daily.is_empty());
    assert!(!opened.header.has_secrets());
    assert_eq!(opened.header.journal_offset, 35);
    assert_eq!(opened.header.journal_len, 28);
    let mut journal = Vec::new();
    std::io::Read::read_to_end(&mut opened.journal, &mut journal).unwrap();
    assert_eq!(journal, bytes[35..]);

    // A daily checkpoint section: name length, name, note.
    let note = "custody/11111111111111111111111111111111\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— x AAAAAA==\n";
    let mut payload = vec![23u8];
    payload.extend_from_slice(b"000000000000-a1-a2.note");
    payload.extend_from_slice(note.as_bytes());
    let mut with_daily = bytes[..26].to_vec();
    with_daily.extend(section(2, &payload));
    with_daily.extend_from_slice(&bytes[26..]);
    fs::write(&path, &with_daily).unwrap();
    let opened = bundle::open(&path).unwrap();
    assert_eq!(opened.header.daily.len(), 1);
    assert_eq!(opened.header.daily[0].name, "000000000000-a1-a2.note");
    assert_eq!(opened.header.daily[0].text, note);
}

fn parse_hex_bytes(text: &str) -> Vec<u8> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Export

#[test]
fn an_export_verifies_exactly_like_its_ledger_and_carries_the_journal_unchanged() {
    let fx = Fixture::new();
    let genesis = ledger(&fx);
    daily(&fx);
    enroll(&fx, "e1", "escort", PERSONS[5], &[]);
    let file = export(&fx, "ledger.custody");

    let bytes = fs::read(&file).unwrap();
    assert_eq!(&bytes[..8], b"CUSTBNDL");
    assert_eq!(bytes[9], 0, "an export has no secrets flag");
    assert_eq!(
        journal_of(&bytes),
        fx.journal_bytes(),
        "the journal, byte for byte"
    );
    let kinds: Vec<u8> = sections(&bytes).iter().map(|s| s.0).collect();
    assert_eq!(kinds, vec![1, 2, 4]);

    let report = assert_same_audit(&fx, &file, &genesis);
    assert!(report.is_clean(), "{:?}", report.findings);
    assert_eq!(report.entries, 4);
    assert_eq!(report.checkpoints.len(), 2);
    assert!(report.checkpoints.iter().all(|c| c.consistent));
    assert_eq!(report.checkpoints[0].signed_by, vec!["ledger"]);
    assert_eq!(report.checkpoints[1].signed_by, vec!["a1", "a2"]);

    // The library's own shortcut agrees.
    let options = Options {
        trust: parse_hex::<32>(&genesis).into_iter().collect(),
        ..Options::default()
    };
    let direct = bundle::verify(&file, options).unwrap();
    assert_eq!(codes(&direct), codes(&report));

    // A second export to the same file is refused, and the first is untouched.
    let run = fx.run(&["export", "--out", "ledger.custody"]).exits(2);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(fs::read(&file).unwrap(), bytes);
    // JSON for scripts.
    let out = fx
        .run(&["export", "--out", "again.custody", "--json"])
        .exits(0)
        .json();
    assert_eq!(out["entries"], 4);
    assert_eq!(out["secrets"], false);
    assert_eq!(out["daily_checkpoints"], 1);
}

#[test]
fn an_export_of_a_ledger_with_a_noted_violation_reports_the_same_findings() {
    let fx = Fixture::new();
    let genesis = ledger(&fx);
    // Recorded three days after it happened: the audit reports LATE_RECORD.
    let at = Timestamp::now().plus_seconds(-3 * 24 * 3600).to_rfc3339();
    enroll(&fx, "e1", "escort", PERSONS[5], &["--at", &at]);
    let file = export(&fx, "ledger.custody");
    let report = assert_same_audit(&fx, &file, &genesis);
    assert!(
        codes(&report).contains(&("LATE_RECORD".to_string(), 3)),
        "{:?}",
        report.findings
    );
}

#[test]
fn an_entry_removed_from_the_middle_of_an_export_is_found() {
    let fx = Fixture::new();
    let genesis = ledger(&fx);
    enroll(&fx, "e1", "escort", PERSONS[5], &[]);
    let file = export(&fx, "ledger.custody");
    let bytes = fs::read(&file).unwrap();
    let journal = journal_of(&bytes);
    let (at, len) = records(&journal)[2];
    let mut cut = journal[..at].to_vec();
    cut.extend_from_slice(&journal[at + len..]);
    let edited = fx.path("edited.custody");
    fs::write(&edited, with_journal(&bytes, &cut)).unwrap();

    let report = verify_bundle(&edited, &genesis, Vec::new());
    let found = codes(&report);
    assert!(
        found.iter().any(|(c, _)| c == "SEQUENCE" || c == "CHAIN"),
        "{found:?}"
    );
    // Without the bundle's checkpoints the journal alone still shows it.
    fs::write(&edited, without_checkpoints(&with_journal(&bytes, &cut))).unwrap();
    let alone = codes(&verify_bundle(&edited, &genesis, Vec::new()));
    assert!(alone.contains(&("SEQUENCE".to_string(), 3)), "{alone:?}");
    assert!(alone.contains(&("CHAIN".to_string(), 3)), "{alone:?}");
}

#[test]
fn the_last_entries_cut_off_an_export_are_truncation_against_an_earlier_checkpoint() {
    let fx = Fixture::new();
    let genesis = ledger(&fx);
    enroll(&fx, "e1", "escort", PERSONS[5], &[]);
    let saved = fs::read_to_string(fx.path("ledger/checkpoint")).unwrap();
    let file = export(&fx, "ledger.custody");
    let bytes = fs::read(&file).unwrap();
    let journal = journal_of(&bytes);
    let recs = records(&journal);
    let cut = journal[..recs[recs.len() - 2].0].to_vec();
    let edited = fx.path("cut.custody");

    // Against the bundle's own checkpoint section.
    fs::write(&edited, with_journal(&bytes, &cut)).unwrap();
    let report = verify_bundle(&edited, &genesis, Vec::new());
    assert_eq!(codes(&report), vec![("TRUNCATED".to_string(), 3)]);
    assert_eq!(report.entries, 2);

    // With the checkpoints taken out, the cut journal looks whole...
    fs::write(&edited, without_checkpoints(&with_journal(&bytes, &cut))).unwrap();
    assert!(verify_bundle(&edited, &genesis, Vec::new()).is_clean());
    // ...until the auditor brings the checkpoint they saved.
    let held = Named {
        label: "saved checkpoint".into(),
        text: saved,
    };
    let report = verify_bundle(&edited, &genesis, vec![held]);
    assert_eq!(codes(&report), vec![("TRUNCATED".to_string(), 3)]);
}

/// Issue 19, defect 5: with several bundles of one ledger, held evidence went to the first
/// bundle only, so an old, shorter export given second was CLEAN beside a checkpoint it fails.
#[test]
fn a_held_checkpoint_is_checked_against_every_bundle_of_its_ledger() {
    let fx = Fixture::new();
    ledger(&fx);
    export(&fx, "old.custody");
    enroll(&fx, "e1", "escort", PERSONS[5], &[]);
    fs::copy(fx.path("ledger/checkpoint"), fx.path("held.note")).unwrap();
    export(&fx, "new.custody");
    let args = |first: &str, second: &str| {
        let mut a = vec!["verify", "--json", "--checkpoint", "held.note"];
        a.extend(["--bundle", first, "--bundle", second]);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    for (first, second) in [
        ("new.custody", "old.custody"),
        ("old.custody", "new.custody"),
    ] {
        let combined = fx.run(&args(first, second)).exits(1).json();
        for b in combined["bundles"].as_array().unwrap() {
            let report = &b["report"];
            let held: Vec<&serde_json::Value> = report["checkpoints"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["label"] == "held.note")
                .collect();
            assert_eq!(
                held.len(),
                1,
                "{}: the held checkpoint is checked once",
                b["bundle"]
            );
            let truncated = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == "TRUNCATED");
            assert_eq!(b["bundle"] == "old.custody", truncated, "{b}");
        }
    }
}

#[test]
fn an_export_holds_no_secret() {
    let fx = Fixture::new();
    ledger(&fx);
    daily(&fx);
    let file = export(&fx, "ledger.custody");
    let backup = backup(&fx, "ledger.backup");
    let ledger_key = fs::read(fx.path("ledger/ledger.key")).unwrap();
    let person_key = fs::read(fx.path("ledger/person.key")).unwrap();
    assert_eq!((ledger_key.len(), person_key.len()), (32, 32));
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    for (path, what) in [(&file, "export"), (&backup, "backup")] {
        let bytes = fs::read(path).unwrap();
        assert!(!contains(&bytes, &ledger_key), "ledger.key in the {what}");
        assert!(!contains(&bytes, &person_key), "person.key in the {what}");
        assert!(!contains(&bytes, hex(&ledger_key).as_bytes()));
        assert!(!contains(&bytes, hex(&person_key).as_bytes()));
        for p in PERSONS {
            assert!(
                !contains(&bytes, p.as_bytes()),
                "person number {p} in the {what}"
            );
        }
    }
    let opened = bundle::open(&file).unwrap();
    assert!(!opened.header.has_secrets());
    assert!(bundle::open(&backup).unwrap().header.has_secrets());
}

#[test]
fn export_and_backup_work_while_a_writer_holds_the_lock() {
    let fx = Fixture::new();
    let genesis = ledger(&fx);
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(fx.path("ledger/lock"))
        .unwrap();
    lock.lock().unwrap();
    let file = export(&fx, "ledger.custody");
    backup(&fx, "ledger.backup");
    assert!(verify_bundle(&file, &genesis, Vec::new()).is_clean());
    // A restore into the locked ledger is told it is in use.
    let pass = pass_file(&fx);
    let before = fx.journal_bytes();
    let run = fx
        .run(&["restore", "ledger.backup", "--pass-file", &pass])
        .exits(4);
    assert!(run.stderr.contains("in use"), "{}", run.stderr);
    assert_eq!(fx.journal_bytes(), before);
    drop(lock);
}

#[test]
fn an_export_leaves_out_an_unacknowledged_tail_and_carries_damage_as_it_is() {
    let fx = Fixture::new();
    let genesis = ledger(&fx);
    let clean = fx.journal_bytes();
    let (_, recs) = fx.records();
    let last = recs.last().unwrap().0 as usize;

    // An append interrupted after 10 bytes: left out.
    let mut torn = clean.clone();
    torn.extend_from_slice(&clean[last..last + 10]);
    fs::write(fx.journal(), &torn).unwrap();
    let run = fx.run(&["export", "--out", "torn.custody"]).exits(0);
    assert!(run.stderr.contains("tail"), "{}", run.stderr);
    let bytes = fs::read(fx.path("torn.custody")).unwrap();
    assert_eq!(journal_of(&bytes), clean);

    // Garbage after the last record: carried, so the bundle's audit shows what the ledger's does.
    let mut damaged = clean.clone();
    damaged.extend_from_slice(b"\xffGARBAGE");
    fs::write(fx.journal(), &damaged).unwrap();
    let run = fx.run(&["export", "--out", "damaged.custody"]).exits(0);
    assert!(run.stderr.contains("damaged"), "{}", run.stderr);
    let file = fx.path("damaged.custody");
    assert_eq!(journal_of(&fs::read(&file).unwrap()), damaged);
    let report = assert_same_audit(&fx, &file, &genesis);
    assert_eq!(codes(&report), vec![("FRAMING".to_string(), 3)]);
}

#[test]
fn export_of_a_missing_ledger_is_bad_input_and_writes_nothing() {
    let fx = Fixture::new();
    let run = fx.run(&["export", "--out", "x.custody"]).exits(2);
    assert!(run.stderr.contains("no ledger"), "{}", run.stderr);
    assert!(!fx.path("x.custody").exists());
    let leftovers: Vec<_> = fs::read_dir(fx.tmp.path()).unwrap().flatten().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// ---------------------------------------------------------------------------------------------
// Backup and restore

fn restore_args(fx: &Fixture, file: &str, dir: &str, extra: &[&str]) -> Vec<String> {
    let pass = pass_file(fx);
    let mut args: Vec<String> = ["--ledger", dir, "restore", file, "--pass-file", &pass]
        .map(String::from)
        .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Copies a ledger directory's files (not its index or lock), as an older copy of it.
fn copy_ledger(from: &Path, to: &Path) {
    fs::create_dir_all(to.join("checkpoints")).unwrap();
    for name in ["journal", "ledger.key", "person.key", "checkpoint"] {
        fs::copy(from.join(name), to.join(name)).unwrap();
    }
    if let Ok(entries) = fs::read_dir(from.join("checkpoints")) {
        for e in entries.flatten() {
            fs::copy(e.path(), to.join("checkpoints").join(e.file_name())).unwrap();
        }
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_backup_restores_a_working_ledger_with_the_same_head() {
    let fx = Fixture::new();
    let genesis = ledger(&fx);
    daily(&fx);
    let file = backup(&fx, "ledger.backup");
    let bytes = fs::read(&file).unwrap();
    assert_eq!(bytes[9], 1, "a backup sets the secrets flag");
    let kinds: Vec<u8> = sections(&bytes).iter().map(|s| s.0).collect();
    assert_eq!(kinds, vec![1, 2, 3, 4]);

    let run = fx
        .run(&restore_args(
            &fx,
            "ledger.backup",
            "restored",
            &["--trust", &genesis],
        ))
        .exits(0);
    assert!(run.stdout.contains("restored"), "{}", run.stdout);
    let restored = fx.path("restored");
    let original = verify_dir(&fx, &fx.ledger(), &genesis);
    let again = verify_dir(&fx, &restored, &genesis);
    assert_eq!(json_codes(&again), Vec::<(String, u64)>::new());
    for field in ["entries", "head_hash", "root", "tree_size"] {
        assert_eq!(again[field], original[field], "{field}");
    }
    for name in ["journal", "ledger.key", "person.key", "checkpoint"] {
        assert_eq!(
            fs::read(restored.join(name)).unwrap(),
            fs::read(fx.ledger().join(name)).unwrap(),
            "{name}"
        );
    }
    assert_eq!(
        fs::read_dir(restored.join("checkpoints")).unwrap().count(),
        1
    );
    assert!(restored.join("index").is_dir(), "the index was rebuilt");
    #[cfg(unix)]
    {
        assert_eq!(mode(&file), 0o600, "a backup is private");
        assert_eq!(mode(&restored.join("ledger.key")), 0o600);
        assert_eq!(mode(&restored.join("person.key")), 0o600);
    }
    // The restored ledger takes a new entry, and its person key tags numbers as before: the
    // same person cannot be enrolled twice.
    fx.keygen("e1", "Escort");
    let mut args: Vec<String> = [
        "--ledger",
        "restored",
        "enroll",
        "--pub",
        "keys/e1.pub",
        "--person",
        PERSONS[5],
        "--role",
        "escort",
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(&["a1", "a2"]));
    fx.run(&args).exits(0);
    fx.keygen("e2", "Escort two");
    let mut twice = args.clone();
    twice[4] = "keys/e2.pub".into();
    let run = fx.run(&twice).exits(3);
    assert!(run.stderr.contains("PERSON_DUPLICATE"), "{}", run.stderr);
    let after = verify_dir(&fx, &restored, &genesis);
    assert_eq!(after["entries"], 4);
    assert!(json_codes(&after).is_empty());
}

#[test]
fn a_newer_backup_replaces_an_older_copy_and_keeps_its_journal() {
    let fx = Fixture::new();
    let genesis = ledger(&fx);
    let old = fx.path("old");
    copy_ledger(&fx.ledger(), &old);
    let old_journal = fs::read(old.join("journal")).unwrap();
    enroll(&fx, "e1", "escort", PERSONS[5], &[]);
    daily(&fx);
    backup(&fx, "ledger.backup");

    fx.run(&restore_args(&fx, "ledger.backup", "old", &[]))
        .exits(0);
    assert_eq!(
        fs::read(old.join("journal")).unwrap(),
        fx.journal_bytes(),
        "the newer journal is in place"
    );
    assert_eq!(
        fs::read(old.join("journal.before-restore")).unwrap(),
        old_journal,
        "the replaced journal is kept"
    );
    let report = verify_dir(&fx, &old, &genesis);
    assert!(json_codes(&report).is_empty());
    assert_eq!(report["entries"], 4);

    // A second restore would overwrite the kept journal: refused.
    let run = fx
        .run(&restore_args(&fx, "ledger.backup", "old", &[]))
        .exits(2);
    assert!(
        run.stderr.contains("journal.before-restore"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_restore_from_an_old_backup_over_a_grown_ledger_is_refused() {
    let fx = Fixture::new();
    ledger(&fx);
    backup(&fx, "old.backup");
    enroll(&fx, "e1", "escort", PERSONS[5], &[]);
    let run = fx.refused(
        &restore_args(&fx, "old.backup", "ledger", &[]),
        3,
        "would truncate the ledger",
    );
    assert!(run.stderr.contains("TRUNCATED"), "{}", run.stderr);
    assert!(!fx.path("ledger/journal.before-restore").exists());

    // Without the directory's checkpoint, the journal itself still says it has grown.
    fs::remove_file(fx.path("ledger/checkpoint")).unwrap();
    fx.refused(
        &restore_args(&fx, "old.backup", "ledger", &[]),
        3,
        "would truncate the ledger",
    );
    assert!(!fx.path("ledger/journal.before-restore").exists());
}

#[test]
fn a_restore_that_contradicts_a_checkpoint_the_operator_holds_is_refused() {
    let fx = Fixture::new();
    ledger(&fx);
    backup(&fx, "old.backup");
    enroll(&fx, "e1", "escort", PERSONS[5], &[]);
    fs::copy(fx.path("ledger/checkpoint"), fx.path("newer.note")).unwrap();

    // Into an empty directory: the operator's checkpoint pins a longer ledger.
    let args = restore_args(&fx, "old.backup", "fresh", &["--checkpoint", "newer.note"]);
    let run = fx.run(&args).exits(3);
    assert!(
        run.stderr.contains("would truncate the ledger"),
        "{}",
        run.stderr
    );
    assert!(!fx.path("fresh").exists(), "nothing is left behind");

    // Into a directory that still holds the checkpoint of a lost ledger.
    fs::create_dir(fx.path("lost")).unwrap();
    fs::copy(fx.path("newer.note"), fx.path("lost/checkpoint")).unwrap();
    let run = fx
        .run(&restore_args(&fx, "old.backup", "lost", &[]))
        .exits(3);
    assert!(run.stderr.contains("TRUNCATED"), "{}", run.stderr);
    assert!(!fx.path("lost/journal").exists());

    // The same backup goes into an empty directory when no one holds a newer checkpoint.
    fx.run(&restore_args(&fx, "old.backup", "fresh", &[]))
        .exits(0);
}

#[test]
fn a_restore_over_another_history_is_refused() {
    let fx = Fixture::new();
    ledger(&fx);
    let copy = fx.path("copy");
    copy_ledger(&fx.ledger(), &copy);
    // The ledger grows one way...
    enroll(&fx, "e1", "escort", PERSONS[5], &[]);
    backup(&fx, "one.backup");
    // ...and its copy another, with its own checkpoint.
    let args: Vec<String> = {
        fx.keygen("e2", "Escort two");
        let mut a: Vec<String> = [
            "--ledger",
            "copy",
            "enroll",
            "--pub",
            "keys/e2.pub",
            "--person",
            PERSONS[5],
            "--role",
            "escort",
        ]
        .map(String::from)
        .to_vec();
        a.extend(fx.signing(&["a1", "a2"]));
        a
    };
    fx.run(&args).exits(0);
    let before = fs::read(copy.join("journal")).unwrap();
    let run = fx
        .run(&restore_args(&fx, "one.backup", "copy", &[]))
        .exits(3);
    assert!(run.stderr.contains("FORKED"), "{}", run.stderr);
    assert_eq!(fs::read(copy.join("journal")).unwrap(), before);

    // Without the copy's checkpoint, the journals themselves disagree.
    fs::remove_file(copy.join("checkpoint")).unwrap();
    let run = fx
        .run(&restore_args(&fx, "one.backup", "copy", &[]))
        .exits(3);
    assert!(run.stderr.contains("histories differ"), "{}", run.stderr);
    assert_eq!(fs::read(copy.join("journal")).unwrap(), before);
}

#[test]
fn a_wrong_passphrase_or_an_export_cannot_be_restored() {
    let fx = Fixture::new();
    ledger(&fx);
    backup(&fx, "ledger.backup");
    export(&fx, "ledger.custody");
    fs::write(fx.path("wrong.pass"), "not the passphrase\n").unwrap();
    let run = fx
        .run(&[
            "--ledger",
            "r",
            "restore",
            "ledger.backup",
            "--pass-file",
            "wrong.pass",
        ])
        .exits(2);
    assert!(run.stderr.contains("wrong passphrase"), "{}", run.stderr);
    assert!(!fx.path("r").exists());

    let run = fx
        .run(&restore_args(&fx, "ledger.custody", "r", &[]))
        .exits(2);
    assert!(
        run.stderr.contains("an export, not a backup"),
        "{}",
        run.stderr
    );
    assert!(!fx.path("r").exists());

    // A directory that is not a ledger's is not written into.
    fs::create_dir(fx.path("home")).unwrap();
    fs::write(fx.path("home/notes.txt"), "mine").unwrap();
    let run = fx
        .run(&restore_args(&fx, "ledger.backup", "home", &[]))
        .exits(2);
    assert!(run.stderr.contains("no journal"), "{}", run.stderr);
    assert!(!fx.path("home/journal").exists());

    // Keys of another ledger in the directory are never overwritten.
    fs::create_dir(fx.path("other")).unwrap();
    fs::write(fx.path("other/ledger.key"), [9u8; 32]).unwrap();
    let run = fx
        .run(&restore_args(&fx, "ledger.backup", "other", &[]))
        .exits(3);
    assert!(run.stderr.contains("another ledger"), "{}", run.stderr);
    assert_eq!(fs::read(fx.path("other/ledger.key")).unwrap(), [9u8; 32]);
}

#[test]
fn backup_refuses_a_bad_passphrase_file_and_an_existing_output() {
    let fx = Fixture::new();
    ledger(&fx);
    fs::write(fx.path("empty.pass"), "\n").unwrap();
    fx.run(&["backup", "--out", "b.custody", "--pass-file", "empty.pass"])
        .exits(2);
    assert!(!fx.path("b.custody").exists());
    fs::write(fx.path("b.custody"), "mine").unwrap();
    let pass = pass_file(&fx);
    fx.run(&["backup", "--out", "b.custody", "--pass-file", &pass])
        .exits(2);
    assert_eq!(fs::read(fx.path("b.custody")).unwrap(), b"mine");
}

// ---------------------------------------------------------------------------------------------
// Hostile files

/// Opens and audits a hostile file through the library; it must fail cleanly or audit.
fn library_survives(path: &Path) {
    if let Ok(opened) = bundle::open(path) {
        let _ = verify_reader(opened.journal, path, &Options::default());
    }
    let _ = bundle::verify(path, Options::default());
}

#[test]
fn hostile_bundles_are_refused_without_a_panic() {
    let fx = Fixture::new();
    ledger(&fx);
    daily(&fx);
    let good = fs::read(backup(&fx, "good.backup")).unwrap();
    let path = fx.path("hostile.custody");
    let pass = pass_file(&fx);
    let restore = |bytes: &[u8]| {
        fs::write(&path, bytes).unwrap();
        library_survives(&path);
        let run = fx.run(&[
            "--ledger",
            "target-dir",
            "restore",
            "hostile.custody",
            "--pass-file",
            &pass,
        ]);
        assert!(
            run.code == 2 || run.code == 5,
            "exit {}: {}",
            run.code,
            run.stderr
        );
        assert!(!fx.path("target-dir/journal").exists());
        run
    };

    // Random bytes, an empty file, a bare preamble.
    let mut noise = vec![0u8; 4096];
    for (i, b) in noise.iter_mut().enumerate() {
        *b = (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3];
    }
    restore(&noise);
    restore(b"");
    restore(&good[..26]);

    // Truncated anywhere: the library at every byte of the head, the binary at a few places.
    let secs = sections(&good);
    let journal_at = secs.last().unwrap().1;
    for cut in 0..journal_at + 40 {
        fs::write(&path, &good[..cut]).unwrap();
        assert!(bundle::open(&path).is_err(), "cut at {cut} must not open");
    }
    for cut in [10, 30, journal_at - 3, journal_at + 5, good.len() - 1] {
        let run = restore(&good[..cut]);
        assert!(
            run.stderr.contains("not a usable custody bundle"),
            "{}",
            run.stderr
        );
    }
    // Trailing bytes.
    let mut longer = good.clone();
    longer.push(0);
    restore(&longer);

    // Every section's length off by one either way, and huge.
    for (i, &(_, at, len)) in secs.iter().enumerate() {
        for wrong in [
            len as u64 + 1,
            (len as u64).wrapping_sub(1),
            u64::MAX,
            1 << 40,
            u64::MAX - 8,
        ] {
            let mut bytes = good.clone();
            bytes[at - 8..at].copy_from_slice(&wrong.to_le_bytes());
            let run = restore(&bytes);
            assert!(!run.stderr.is_empty(), "section {i} length {wrong}");
        }
    }
    // Unknown kinds, sections out of order or repeated, bad flags, another version.
    let mut bytes = good.clone();
    bytes[secs[0].1 - 9] = 9;
    restore(&bytes);
    let mut bytes = good[..26].to_vec();
    bytes.extend(section(3, &good[secs[2].1..secs[2].1 + secs[2].2]));
    bytes.extend(section(1, &good[secs[0].1..secs[0].1 + secs[0].2]));
    bytes.extend(section(4, &journal_of(&good)));
    restore(&bytes);
    let mut bytes = good[..26].to_vec();
    bytes.extend(section(1, b"one\n"));
    bytes.extend(section(1, b"two\n"));
    bytes.extend(section(4, &journal_of(&good)));
    restore(&bytes);
    for (at, value) in [(8, 2u8), (9, 0x03), (9, 0x00), (0, b'X')] {
        let mut bytes = good.clone();
        bytes[at] = value;
        restore(&bytes);
    }
    // A daily checkpoint with a path in its name, or a name length past its section.
    for name in ["../../evil.note", "a/b.note", "plain", ".note"] {
        let mut payload = vec![name.len() as u8];
        payload.extend_from_slice(name.as_bytes());
        payload.extend_from_slice(b"note\n");
        let mut bytes = good[..26].to_vec();
        bytes.extend(section(2, &payload));
        bytes.extend_from_slice(&good[secs[2].1 - 9..]);
        let run = restore(&bytes);
        assert!(run.stderr.contains("file name"), "{name}: {}", run.stderr);
    }
    let mut bytes = good[..26].to_vec();
    bytes.extend(section(2, &[200, b'a']));
    bytes.extend_from_slice(&good[secs[2].1 - 9..]);
    restore(&bytes);
    // Secrets that are not a sealed blob, or too large; the journal of another ledger.
    let mut bytes = good[..secs[2].1 - 9].to_vec();
    bytes.extend(section(3, &[0u8; 100]));
    bytes.extend(section(4, &journal_of(&good)));
    restore(&bytes);
    let mut bytes = good[..secs[2].1 - 9].to_vec();
    bytes.extend(section(3, &vec![1u8; 5000]));
    bytes.extend(section(4, &journal_of(&good)));
    restore(&bytes);
    let mut other = journal_of(&good);
    other[12] ^= 1;
    let run = restore(&with_journal(&good, &other));
    assert!(run.stderr.contains("of ledger"), "{}", run.stderr);
    let run = restore(&with_journal(&good, &other[..20]));
    assert!(
        run.stderr.contains("shorter than a journal header"),
        "{}",
        run.stderr
    );
    // Nothing was ever created for any of them.
    assert!(!fx.path("target-dir").exists());
}

#[test]
fn too_many_daily_checkpoints_are_refused_before_they_are_read() {
    let fx = Fixture::new();
    let mut bytes = bundle::preamble(&[0x11; 16], false).to_vec();
    let mut payload = Vec::new();
    for i in 0..=bundle::MAX_DAILY {
        let name = format!("{i:06}.note");
        payload.clear();
        payload.push(name.len() as u8);
        payload.extend_from_slice(name.as_bytes());
        bytes.extend(section(2, &payload));
    }
    let mut journal = b"CUSTJRNL\x01\x00\x00\x00".to_vec();
    journal.extend_from_slice(&[0x11; 16]);
    bytes.extend(section(4, &journal));
    let path = fx.path("many.custody");
    fs::write(&path, &bytes).unwrap();
    let err = bundle::open(&path).unwrap_err();
    assert!(
        matches!(&err, BundleError::Malformed { reason, .. } if reason.contains("10000")),
        "{err}"
    );
    // One fewer opens.
    let one_fewer = {
        let secs = sections(&bytes);
        let mut out = bytes[..26].to_vec();
        for (kind, at, len) in &secs[1..] {
            out.extend(section(*kind, &bytes[*at..*at + *len]));
        }
        out
    };
    fs::write(&path, &one_fewer).unwrap();
    assert_eq!(
        bundle::open(&path).unwrap().header.daily.len(),
        bundle::MAX_DAILY
    );
}

// ---------------------------------------------------------------------------------------------
// Sealing under a passphrase

#[test]
fn a_sealed_blob_opens_only_with_its_passphrase_and_context() {
    let secret = b"two keys, 64 bytes of them, say";
    let sealed = seal_with_passphrase(secret, b"pass", KdfParams::LOW_COST, b"ctx").unwrap();
    assert_eq!(&sealed[..8], b"CUSTSEAL");
    assert_eq!(sealed.len(), 61 + secret.len() + 16);
    assert_eq!(
        open_with_passphrase(&sealed, b"pass", b"ctx")
            .unwrap()
            .as_slice(),
        secret
    );
    assert!(matches!(
        open_with_passphrase(&sealed, b"wrong", b"ctx"),
        Err(KeyFileError::WrongPassphrase { .. })
    ));
    assert!(matches!(
        open_with_passphrase(&sealed, b"pass", b"other context"),
        Err(KeyFileError::WrongPassphrase { .. })
    ));
    assert!(matches!(
        open_with_passphrase(&sealed, b"", b"ctx"),
        Err(KeyFileError::EmptyPassphrase)
    ));
    // Every byte is covered.
    for i in 0..sealed.len() {
        let mut bad = sealed.clone();
        bad[i] ^= 0x01;
        assert!(
            open_with_passphrase(&bad, b"pass", b"ctx").is_err(),
            "byte {i}"
        );
    }
    // Hostile parameters are refused before anything is derived; short and long blobs too.
    let mut costly = sealed.clone();
    costly[9..13].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        open_with_passphrase(&costly, b"pass", b"ctx"),
        Err(KeyFileError::KdfTooCostly { .. })
    ));
    for cut in 0..sealed.len() {
        assert!(open_with_passphrase(&sealed[..cut], b"pass", b"ctx").is_err());
    }
    let mut long = sealed.clone();
    long.resize(5000, 0);
    assert!(open_with_passphrase(&long, b"pass", b"ctx").is_err());
    assert!(seal_with_passphrase(&[0u8; 5000], b"pass", KdfParams::LOW_COST, b"").is_err());
    assert!(seal_with_passphrase(b"x", b"", KdfParams::LOW_COST, b"").is_err());
    // Fresh salt and nonce each time.
    let again = seal_with_passphrase(secret, b"pass", KdfParams::LOW_COST, b"ctx").unwrap();
    assert_ne!(again, sealed);
}

#[test]
fn restore_findings_that_are_not_integrity_do_not_stop_it() {
    let fx = Fixture::new();
    let genesis = ledger(&fx);
    let at = Timestamp::now().plus_seconds(-3 * 24 * 3600).to_rfc3339();
    enroll(&fx, "e1", "escort", PERSONS[5], &["--at", &at]);
    let file = backup(&fx, "ledger.backup");
    let report = verify_bundle(&file, &genesis, Vec::new());
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.category != Category::Integrity)
    );
    assert!(!report.is_clean());
    let run = fx
        .run(&restore_args(&fx, "ledger.backup", "restored", &[]))
        .exits(0);
    assert!(run.stderr.contains("finding"), "{}", run.stderr);
    let again = verify_dir(&fx, &fx.path("restored"), &genesis);
    assert_eq!(json_codes(&again), codes(&report));
}

#[test]
fn a_backup_whose_journal_fails_its_audit_is_not_restored() {
    let fx = Fixture::new();
    ledger(&fx);
    enroll(&fx, "e1", "escort", PERSONS[5], &[]);
    let file = backup(&fx, "ledger.backup");
    let bytes = fs::read(&file).unwrap();
    let journal = journal_of(&bytes);
    let (at, len) = records(&journal)[2];
    let mut cut = journal[..at].to_vec();
    cut.extend_from_slice(&journal[at + len..]);
    fs::write(fx.path("edited.backup"), with_journal(&bytes, &cut)).unwrap();
    let run = fx
        .run(&restore_args(&fx, "edited.backup", "r", &[]))
        .exits(3);
    // The bundle's own checkpoint now pins more entries than its journal holds, and the
    // journal itself shows the gap.
    assert!(
        run.stderr.contains("TRUNCATED") && run.stderr.contains("CHAIN"),
        "{}",
        run.stderr
    );
    // Without the checkpoints, the journal alone refuses it.
    fs::write(
        fx.path("edited.backup"),
        without_checkpoints(&with_journal(&bytes, &cut)),
    )
    .unwrap();
    let run = fx
        .run(&restore_args(&fx, "edited.backup", "r", &[]))
        .exits(3);
    assert!(run.stderr.contains("fails its audit"), "{}", run.stderr);
    assert!(!fx.path("r").exists());
    assert!(!fx.path("r").exists());

    // A genesis other than the one the operator trusts.
    let run = fx
        .run(&restore_args(
            &fx,
            "ledger.backup",
            "r",
            &["--trust", &"ab".repeat(32)],
        ))
        .exits(3);
    assert!(run.stderr.contains("GENESIS_UNTRUSTED"), "{}", run.stderr);
    assert!(!fx.path("r").exists());
    let run = fx
        .run(&restore_args(
            &fx,
            "ledger.backup",
            "r",
            &["--trust", "nothex"],
        ))
        .exits(2);
    assert!(run.stderr.contains("--trust"), "{}", run.stderr);
}
