//! Regression tests for the defects of issue 19 that need journals no honest writer produces:
//! a journal built by hand through the library (keys from seeds, times chosen), then audited
//! through the real binary or, for the audit's work counters, through the library.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::audit::verify::{Options, Progress};
use custody::entry::{Body, CoSignature, Entry, Hash, Head, LedgerId, leaf_hash};
use custody::event::{Event, Genesis, Revocation, Schedule};
use custody::journal::{frame, header};
use custody::merkle;
use custody::note::{self, Checkpoint, Note};
use custody::policy::Policy;
use custody::roster::{Keyholder, Role};
use custody::signing::sign_body;
use custody::time::Timestamp;
use ed25519_dalek::SigningKey;
use std::path::Path;
use std::sync::Arc;
use util::Fixture;

const ID: LedgerId = [0x5e; 16];
const T0: i64 = 1_780_000_000_000;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const LEDGER_KEY: u32 = 999_999;

/// The signing key numbered `n`: every id in these journals has its own number.
fn key(n: u32) -> SigningKey {
    let mut seed = [0x42u8; 32];
    seed[..4].copy_from_slice(&n.to_le_bytes());
    SigningKey::from_bytes(&seed)
}

/// A keyholder with key `n` and person tag `person`.
fn holder(id: &str, role: Role, n: u32, person: u32) -> Keyholder {
    let mut tag = [0u8; 32];
    tag[..4].copy_from_slice(&person.to_le_bytes());
    Keyholder {
        id: id.into(),
        name: format!("Keyholder {id}"),
        roles: vec![role],
        public_key: key(n).verifying_key().to_bytes(),
        person_tag: tag,
        valid_from: None,
        valid_until: None,
        key_kind: None,
    }
}

/// A journal built entry by entry: each body names the head before it, each entry is signed by
/// the keys given, and each nonce is the entry's number.
#[derive(Default)]
struct Forge {
    frames: Vec<Vec<u8>>,
    leaves: Vec<Hash>,
    signatures: u64,
}

impl Forge {
    fn tip(&self) -> Hash {
        self.leaves.last().copied().unwrap_or([0; 32])
    }

    /// Appends `event` recorded at `recorded_at`, happened at `event_time`, signed by each
    /// (id, key number) in order.
    fn push(&mut self, event: Event, signers: &[(&str, u32)], event_time: i64, recorded_at: i64) {
        let k = self.leaves.len() as u64;
        let mut nonce = [0u8; 16];
        nonce[..8].copy_from_slice(&k.to_le_bytes());
        let body = Body {
            ledger_id: ID,
            head: Head {
                size: k,
                hash: self.tip(),
            },
            event_time: Timestamp(event_time),
            nonce,
            signers: signers.iter().map(|(id, _)| id.to_string()).collect(),
            event,
        }
        .encode()
        .unwrap();
        let entry = Entry {
            seq: k,
            prev_hash: self.tip(),
            recorded_at: Timestamp(recorded_at),
            signatures: signers
                .iter()
                .map(|(id, n)| CoSignature {
                    signer: id.to_string(),
                    signature: sign_body(&key(*n), &body),
                })
                .collect(),
            body,
        };
        self.signatures += signers.len() as u64;
        let bytes = entry.encode().unwrap();
        self.leaves.push(leaf_hash(&bytes));
        self.frames.push(frame(&bytes).unwrap());
    }

    /// The journal of the first `n` entries.
    fn journal(&self, n: usize) -> Vec<u8> {
        let mut out = header(&ID).to_vec();
        for f in &self.frames[..n] {
            out.extend_from_slice(f);
        }
        out
    }

    /// Writes the first `n` entries as the journal of the ledger directory `dir`.
    fn write(&self, dir: &Path, n: usize) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("journal"), self.journal(n)).unwrap();
    }

    /// A checkpoint of the first `n` entries, signed by each (key name, key number).
    fn checkpoint(&self, n: usize, signers: &[(&str, u32)]) -> String {
        let text = Checkpoint {
            origin: note::origin(&ID),
            size: n as u64,
            root: merkle::root(&self.leaves[..n]),
            extensions: vec![],
        }
        .text();
        let keys: Vec<(String, SigningKey)> = signers
            .iter()
            .map(|(name, n)| (name.to_string(), key(*n)))
            .collect();
        let keys: Vec<(&str, &SigningKey)> = keys.iter().map(|(n, k)| (n.as_str(), k)).collect();
        note::sign(&text, &keys).unwrap()
    }
}

/// A genesis with founders a1, a2, a3 (admins; keys and persons 1, 2, 3) and this policy.
fn genesis(policy: Policy) -> Event {
    Event::Genesis(Genesis {
        exam: "security regression exam".into(),
        time_zone: "Asia/Shanghai".into(),
        ledger_key: key(LEDGER_KEY).verifying_key().to_bytes(),
        person_key_hash: [0x77; 32],
        founders: (1..=3)
            .map(|i| holder(&format!("a{i}"), Role::Admin, i, i))
            .collect(),
        policy,
    })
}

const ADMINS: [(&str, u32); 2] = [("a1", 1), ("a2", 2)];

fn schedule(session: &str) -> Event {
    Event::Schedule(Schedule {
        session: session.into(),
        subject: "Chinese language".into(),
        start: Timestamp(T0 + 30 * 24 * HOUR),
        end: Timestamp(T0 + 30 * 24 * HOUR + 2 * HOUR),
        incident: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Defect 3: the audit's cost on a journal that enrols one key under one id many times.

/// Signature checks the audit makes on `journal`.
fn signature_checks(journal: &[u8]) -> u64 {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("journal");
    std::fs::write(&path, journal).unwrap();
    let progress = Arc::new(Progress::default());
    let options = Options {
        progress: Some(progress.clone()),
        ..Options::default()
    };
    custody::audit::verify::verify_with(&path, &options).unwrap();
    progress.signature_checks()
}

/// Enrolments, then events each co-signed by one of the enrolled ids and a1. `same` enrols one
/// key under one id every time (a forger's journal), otherwise each enrolment is a new person.
fn enrolments_then_events(enrolments: u32, events: u32, same: bool) -> Forge {
    let mut f = Forge::default();
    let mut t = T0;
    let mut tick = || {
        t += 1000;
        t
    };
    let now = tick();
    f.push(
        genesis(Policy::default()),
        &[("a1", 1), ("a2", 2), ("a3", 3)],
        now,
        now,
    );
    let enrolled = |i: u32| if same { 0 } else { i };
    for i in 0..enrolments {
        let n = enrolled(i);
        let now = tick();
        f.push(
            Event::Enroll(holder(&format!("x{n:05}"), Role::Admin, 1000 + n, 1000 + n)),
            &ADMINS,
            now,
            now,
        );
    }
    for i in 0..events {
        let n = enrolled(i);
        let now = tick();
        f.push(
            schedule(&format!("s{i}")),
            &[(&format!("x{n:05}"), 1000 + n), ("a1", 1)],
            now,
            now,
        );
    }
    f
}

#[test]
fn audit_cost_stays_linear_when_one_key_is_enrolled_many_times_under_one_id() {
    // Over two batches of 1,024 records of enrolments, so that the events are checked ahead
    // with every enrolment before them known.
    let (enrolments, events) = (2100, 40);
    let forged = enrolments_then_events(enrolments, events, true);
    let honest = enrolments_then_events(enrolments, events, false);
    let (forged_journal, honest_journal) = (
        forged.journal(forged.frames.len()),
        honest.journal(honest.frames.len()),
    );
    // The same size: the two journals differ only in ids, keys and tags.
    assert_eq!(forged_journal.len(), honest_journal.len());
    let forged_checks = signature_checks(&forged_journal);
    let honest_checks = signature_checks(&honest_journal);
    // At most one check per signature, on any journal.
    assert!(
        honest_checks <= honest.signatures,
        "{honest_checks} checks of {} signatures",
        honest.signatures
    );
    assert!(
        forged_checks <= forged.signatures,
        "the forged journal cost {forged_checks} signature checks for {} signatures (the honest one {honest_checks})",
        forged.signatures
    );
    assert!(forged_checks <= honest_checks);
}

// ---------------------------------------------------------------------------------------------
// Defect 4: which policy is in force when changes overlap.

/// A policy that tells itself apart by its record-delay limit (`LATE_RECORD` quotes it) and
/// sets this change delay for the changes after it.
fn marked(limit_min: u32, change_delay_min: u32) -> Policy {
    Policy {
        max_record_delay_min: limit_min,
        change_delay_min,
        ..Policy::default()
    }
}

/// A probe: a schedule recorded at `at`, said to have happened two days before, so that it is
/// `LATE_RECORD` under every policy here and the finding names the limit in force.
fn probe(f: &mut Forge, at: i64, session: &str) {
    f.push(schedule(session), &ADMINS, at - 48 * HOUR, at);
}

#[test]
fn a_policy_change_recorded_first_but_activating_later_still_takes_effect() {
    // P0 (genesis): limit 100 min, changes wait 10 h.
    // C1 at 0:30 under P0: in force from 10:30; its changes wait 1 h.
    // C2 at 9:00 under P0: in force from 19:00.
    // C3 at 11:00 under C1: in force from 12:00; its changes wait 7 h.
    // C4 and C5 at 13:00 under C3: both in force from 20:00, a tie the later entry (C5) wins.
    // C2 is recorded before C3, C4 and C5 and activates between them: the three overlap.
    let mut f = Forge::default();
    let at = |h: f64| T0 + (h * HOUR as f64) as i64;
    f.push(
        genesis(marked(100, 600)),
        &[("a1", 1), ("a2", 2), ("a3", 3)],
        T0,
        T0,
    );
    let change = |f: &mut Forge, h: f64, p: Policy| f.push(Event::Policy(p), &ADMINS, at(h), at(h));
    change(&mut f, 0.5, marked(101, 60));
    probe(&mut f, at(5.0), "p0");
    change(&mut f, 9.0, marked(102, 60));
    change(&mut f, 11.0, marked(103, 420));
    probe(&mut f, at(11.5), "p1");
    change(&mut f, 13.0, marked(104, 60));
    change(&mut f, 13.0, marked(105, 60));
    probe(&mut f, at(15.0), "p2");
    probe(&mut f, at(19.5), "p3");
    probe(&mut f, at(21.0), "p4");
    // Each probe's entry number and the limit in force when it is recorded.
    let expected = [(2, 100), (5, 101), (8, 103), (9, 102), (10, 105)];

    let fx = Fixture::new();
    f.write(&fx.ledger(), f.frames.len());
    let report = fx.run(&["verify", "--json"]).exits(1).json();
    for (seq, limit) in expected {
        let late: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["code"] == "LATE_RECORD" && x["seq"] == seq)
            .map(|x| x["message"].as_str().unwrap())
            .collect();
        assert_eq!(late.len(), 1, "entry {seq}: {late:?}");
        assert!(
            late[0].ends_with(&format!("the policy allows {limit} min")),
            "entry {seq} should be judged under the policy with limit {limit}: {}",
            late[0]
        );
    }
    // The listing says when each change takes effect, in the exam's zone.
    let listed: Vec<String> = report["listed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "policy")
        .map(|x| x["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed.len(), 5, "{listed:?}");
    for (text, h) in listed.iter().zip([10.5, 19.0, 12.0, 20.0, 20.0]) {
        let from = Timestamp(at(h)).display_in("Asia/Shanghai");
        assert!(
            text.ends_with(&format!("in force from {from}")),
            "{text} (expected {from})"
        );
    }
    // `policy show` as of each probe shows the policy that judged it.
    for (seq, limit) in expected {
        f.write(&fx.ledger(), seq + 1);
        let shown = fx.run(&["policy", "show", "--json"]).exits(0).json();
        assert_eq!(
            shown["policy"]["max_record_delay_min"], limit,
            "policy show after entry {seq}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Defect 7: which checkpoints the audit accepts.

/// Founders a1 a2 a3; c1 a custodian (entry 1); a4 an admin enrolled under a1's person tag
/// (entry 2, a finding, but the roster takes it); a3 revoked (entry 3); a schedule (entry 4).
fn roster_journal() -> Forge {
    let mut f = Forge::default();
    let mut t = T0;
    let mut next = |f: &mut Forge, event: Event, signers: &[(&str, u32)]| {
        t += MINUTE;
        f.push(event, signers, t, t);
    };
    next(
        &mut f,
        genesis(Policy::default()),
        &[("a1", 1), ("a2", 2), ("a3", 3)],
    );
    next(
        &mut f,
        Event::Enroll(holder("c1", Role::Custodian, 11, 11)),
        &ADMINS,
    );
    next(
        &mut f,
        Event::Enroll(holder("a4", Role::Admin, 4, 1)),
        &[("a2", 2), ("a3", 3)],
    );
    let revoke = Event::Revoke(Revocation {
        id: "a3".into(),
        reason: "left the exam office".into(),
    });
    next(&mut f, revoke, &ADMINS);
    next(&mut f, schedule("yuwen"), &ADMINS);
    f
}

/// The signed-note key name of the ledger key (`ledger`) or of a keyholder.
fn key_name(who: &str) -> String {
    match who {
        "ledger" => note::origin(&ID),
        id => format!("{}/{id}", note::origin(&ID)),
    }
}

fn key_number(who: &str) -> u32 {
    match who {
        "ledger" => LEDGER_KEY,
        "c1" => 11,
        "zz" => 77,
        id => id[1..].parse().unwrap(),
    }
}

/// A checkpoint of the first `size` entries signed by `signers`, with the signature lines of
/// `corrupt` flipped in one bit.
fn checkpoint_by(f: &Forge, size: usize, signers: &[&str], corrupt: &[&str]) -> String {
    let names: Vec<(String, u32)> = signers
        .iter()
        .map(|s| (key_name(s), key_number(s)))
        .collect();
    let names: Vec<(&str, u32)> = names.iter().map(|(n, k)| (n.as_str(), *k)).collect();
    let mut parsed = Note::parse(&f.checkpoint(size, &names)).unwrap();
    for who in corrupt {
        let name = key_name(who);
        let line = parsed
            .signatures
            .iter_mut()
            .find(|s| s.name == name)
            .unwrap();
        line.signature[20] ^= 0x01;
    }
    parsed.encode()
}

/// `verify --checkpoint` of one checkpoint: its problem (a finding code, or null) and who
/// the audit says signed it.
fn held_verdict(note: &str) -> (serde_json::Value, serde_json::Value) {
    let fx = Fixture::new();
    let f = roster_journal();
    f.write(&fx.ledger(), f.frames.len());
    std::fs::write(fx.path("held.note"), note).unwrap();
    let report = fx
        .run(&["verify", "--json", "--checkpoint", "held.note"])
        .json();
    let check = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == "held.note")
        .unwrap()
        .clone();
    (check["problem"].clone(), check["signed_by"].clone())
}

#[track_caller]
fn assert_refused(size: usize, signers: &[&str], corrupt: &[&str], code: &str) {
    let note = checkpoint_by(&roster_journal(), size, signers, corrupt);
    let (problem, signed_by) = held_verdict(&note);
    assert_eq!(
        problem, code,
        "{signers:?} (corrupt {corrupt:?}): signed by {signed_by}"
    );
}

#[track_caller]
fn assert_accepted(size: usize, signers: &[&str], corrupt: &[&str]) {
    let note = checkpoint_by(&roster_journal(), size, signers, corrupt);
    let (problem, signed_by) = held_verdict(&note);
    assert!(
        problem.is_null(),
        "{signers:?} (corrupt {corrupt:?}): {problem}, signed by {signed_by}"
    );
}

#[test]
fn a_checkpoint_signed_by_an_admin_and_a_custodian_is_untrusted() {
    assert_refused(5, &["a1", "c1"], &[], "CHECKPOINT_UNTRUSTED");
}

#[test]
fn a_checkpoint_with_a_corrupted_line_of_a_known_key_is_refused_beside_a_good_one() {
    assert_refused(5, &["ledger", "a1"], &["a1"], "CHECKPOINT_INVALID");
}

#[test]
fn a_checkpoint_with_a_corrupted_ledger_key_line_is_refused_beside_two_good_admins() {
    assert_refused(
        5,
        &["a1", "a2", "ledger"],
        &["ledger"],
        "CHECKPOINT_INVALID",
    );
}

#[test]
fn a_checkpoint_co_signed_by_an_admin_revoked_before_its_size_is_untrusted() {
    assert_refused(5, &["a1", "a3"], &[], "CHECKPOINT_UNTRUSTED");
    // At a size before the revocation, the same two admins vouch for the tree.
    assert_accepted(3, &["a1", "a3"], &[]);
}

#[test]
fn a_checkpoint_signed_by_one_person_under_two_admin_ids_is_untrusted() {
    assert_refused(5, &["a1", "a4"], &[], "CHECKPOINT_UNTRUSTED");
}

#[test]
fn a_checkpoint_of_the_ledger_key_or_two_admin_persons_is_accepted() {
    assert_accepted(5, &["ledger"], &[]);
    assert_accepted(5, &["a1", "a2"], &[]);
    // A line of a key this ledger never knew is set aside, good or bad, as `note.Open` does.
    assert_accepted(5, &["a1", "a2", "zz"], &["zz"]);
}
