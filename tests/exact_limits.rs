//! Exact limits: each time limit of docs/CUSTODY.md, and the rules around them, exactly at its
//! bound and one millisecond past it (one entry past, for the replay window), so that a `<`
//! where the rule says `<=` cannot go unnoticed. Each row builds its journal by hand with fixed
//! times and co-signatures of fixed keys, bypassing every check of the writer, and the audit
//! must report exactly the row's findings (code, entry), and nothing else.

use custody::audit::verify::{Options, verify_reader};
use custody::bag::IncidentKind;
use custody::bag::{BagKind, BagObs, BagSpec, Correction, Destination};
use custody::entry::{Body, CoSignature, Entry, Hash, Head, LedgerId, leaf_hash};
use custody::event::{
    Arrive, Cabinet, CabinetPlace, Collect, Correct, Dispatch, Event, Genesis, Handover, Incident,
    Inspect, Manifest, ManifestRow, Open, Postpone, Reseal, Return, Schedule, Seal,
};
use custody::journal::{frame, header};
use custody::policy::Policy;
use custody::roster::{Keyholder, Role};
use custody::signing::sign_body;
use custody::time::Timestamp;
use ed25519_dalek::SigningKey;
use std::path::Path;

const ID: LedgerId = [0x5e; 16];
const ZONE: &str = "Asia/Shanghai";
const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
/// 2026-06-01 00:00 in Asia/Shanghai (UTC+8): the genesis.
const T0: i64 = 1_780_243_200_000;
/// The session: 2026-06-03 09:00 to 11:00 in the exam zone.
const START: i64 = T0 + 2 * DAY + 9 * HOUR;
const END: i64 = START + 2 * HOUR;
/// The first instant of the day after the session's, in the exam zone.
const NEXT_DAY: i64 = T0 + 3 * DAY;
/// When the bag is collected and dispatched in the rows that do not test those times.
const COLLECTED: i64 = START - DAY;
const DISPATCHED: i64 = COLLECTED + HOUR;
const SITE: &str = "第一中学";
const ROOM: &str = "第01考场";

fn key(id: &str) -> SigningKey {
    let seed = id
        .bytes()
        .fold(7u8, |s, b| s.wrapping_mul(31).wrapping_add(b));
    SigningKey::from_bytes(&[seed; 32])
}

fn holder(id: &str, roles: &[Role]) -> Keyholder {
    Keyholder {
        id: id.into(),
        name: format!("Keyholder {id}"),
        roles: roles.to_vec(),
        public_key: key(id).verifying_key().to_bytes(),
        person_tag: tag(id),
        valid_from: None,
        valid_until: None,
        key_kind: None,
    }
}

/// A person tag of its own for each id: the rules only compare tags.
fn tag(id: &str) -> [u8; 32] {
    let mut tag = [0u8; 32];
    tag[..id.len()].copy_from_slice(id.as_bytes());
    tag
}

/// A journal built by hand: genesis (admins a1 a2), the cast, the session `s`.
struct Journal {
    records: Vec<u8>,
    leaves: Vec<Hash>,
    /// The last entry's body and co-signatures, to append again.
    last: Option<(Vec<u8>, Vec<CoSignature>)>,
}

impl Journal {
    fn new(policy: Policy) -> Journal {
        Journal::founded(policy, &["a1", "a2"])
    }

    /// [`Journal::new`] with other founders, who all sign the genesis.
    fn founded(mut policy: Policy, founders: &[&str]) -> Journal {
        // The table dispatches a day before the session: the rule that papers leave on their
        // own day (LEFT_EARLY, 4 h by default) is tested in tests/custody_rules.rs, not here.
        policy.leave_before_session_min = policy.leave_before_session_min.max(24 * 60);
        let mut j = Journal {
            records: header(&ID).to_vec(),
            leaves: Vec::new(),
            last: None,
        };
        let genesis = Event::Genesis(Genesis {
            exam: "exact limits".into(),
            time_zone: ZONE.into(),
            ledger_key: key("ledger").verifying_key().to_bytes(),
            person_key_hash: [0x77; 32],
            founders: founders
                .iter()
                .map(|id| holder(id, &[Role::Admin]))
                .collect(),
            policy,
        });
        j.at(T0, genesis, founders);
        for (id, role) in [
            ("c1", Role::Custodian),
            ("s1", Role::Supervisor),
            ("e1", Role::Escort),
            ("x1", Role::ChiefExaminer),
            ("i1", Role::Invigilator),
            ("i2", Role::Invigilator),
        ] {
            j.enroll(T0 + j.size() as i64 * MIN, holder(id, &[role]));
        }
        j.schedule(T0 + HOUR, "s", START);
        j
    }

    fn size(&self) -> u64 {
        self.leaves.len() as u64
    }

    /// Appends an event that happened at `t`, recorded at `t`, signed against the head.
    fn at(&mut self, t: i64, event: Event, signers: &[&str]) -> u64 {
        self.push(event, signers, t, t, self.size())
    }

    /// Appends an event as the writer would, but with every field given and nothing checked.
    fn push(
        &mut self,
        event: Event,
        signers: &[&str],
        event_time: i64,
        recorded_at: i64,
        head_size: u64,
    ) -> u64 {
        let seq = self.size();
        let hash_of = |size: u64| match size {
            0 => [0; 32],
            n => self.leaves[n as usize - 1],
        };
        let body = Body {
            ledger_id: ID,
            head: Head {
                size: head_size,
                hash: hash_of(head_size),
            },
            event_time: Timestamp(event_time),
            nonce: [seq as u8 + 1; 16],
            signers: signers.iter().map(|s| s.to_string()).collect(),
            event,
        }
        .encode()
        .unwrap();
        let entry = Entry {
            seq,
            prev_hash: hash_of(seq),
            recorded_at: Timestamp(recorded_at),
            signatures: signers
                .iter()
                .map(|s| CoSignature {
                    signer: s.to_string(),
                    signature: sign_body(&key(s), &body),
                })
                .collect(),
            body,
        };
        self.last = Some((entry.body.clone(), entry.signatures.clone()));
        self.append(&entry);
        seq
    }

    fn append(&mut self, entry: &Entry) {
        let bytes = entry.encode().unwrap();
        self.leaves.push(leaf_hash(&bytes));
        self.records.extend_from_slice(&frame(&bytes).unwrap());
    }

    fn enroll(&mut self, t: i64, k: Keyholder) -> u64 {
        self.at(t, Event::Enroll(k), &["a1", "a2"])
    }

    fn schedule(&mut self, t: i64, session: &str, start: i64) -> u64 {
        let event = Event::Schedule(Schedule {
            session: session.into(),
            subject: "语文".into(),
            start: Timestamp(start),
            end: Timestamp(start + 2 * HOUR),
            incident: None,
        });
        self.at(t, event, &["a1", "a2"])
    }

    /// An event no custody rule looks at: a session of its own, months ahead.
    fn quiet(&mut self, t: i64) -> u64 {
        let session = format!("later-{}", self.size());
        self.schedule(t, &session, t + 90 * DAY)
    }

    fn collect(&mut self, t: i64, id: &str, kind: BagKind, signers: &[&str]) -> u64 {
        let event = Event::Collect(Collect {
            bags: vec![spec(id, kind)],
            from: "省教育考试院".into(),
            incident: None,
        });
        self.at(t, event, signers)
    }

    fn dispatch(&mut self, t: i64, id: &str, to: Destination, signers: &[&str]) -> u64 {
        let event = Event::Dispatch(Dispatch {
            bags: vec![obs(id)],
            to,
            escorts: vec!["e1".into()],
            incident: None,
        });
        self.at(t, event, signers)
    }

    fn arrive(&mut self, event_time: i64, recorded_at: i64, id: &str) -> u64 {
        let event = Event::Arrive(Arrive {
            bags: vec![obs(id)],
            site: SITE.into(),
            incident: None,
        });
        self.push(event, &["x1", "e1"], event_time, recorded_at, self.size())
    }

    /// Question papers collected and dispatched to their site.
    fn qp_in_transit(policy: Policy) -> Journal {
        let mut j = Journal::new(policy);
        j.collect(COLLECTED, "QP-1", BagKind::QuestionPapers, &["c1", "s1"]);
        j.dispatch(DISPATCHED, "QP-1", site(), &["c1", "e1"]);
        j
    }

    /// A bag collected, dispatched and arrived at its site.
    fn at_site(id: &str, kind: BagKind) -> Journal {
        let mut j = Journal::new(Policy::default());
        j.collect(COLLECTED, id, kind, &["c1", "s1"]);
        j.dispatch(DISPATCHED, id, site(), &["c1", "e1"]);
        j.arrive(DISPATCHED + HOUR, DISPATCHED + HOUR, id);
        j
    }

    fn open(&mut self, t: i64, id: &str) -> u64 {
        let open = Event::Open(Open {
            bags: vec![obs(id)],
            site: SITE.into(),
            room: ROOM.into(),
            incident: None,
        });
        self.at(t, open, &["x1", "i1"])
    }

    fn seal(&mut self, t: i64, count: u32) -> u64 {
        let mut bag = spec("AS-1", BagKind::CompletedAnswerSheets);
        bag.count = count;
        self.at(
            t,
            Event::Seal(Seal {
                bag,
                incident: None,
            }),
            &["i1", "i2"],
        )
    }

    /// Appends the last entry's signed body again, as the next entry.
    fn replay_last(&mut self, t: i64) -> u64 {
        let (body, signatures) = self.last.clone().unwrap();
        let seq = self.size();
        let entry = Entry {
            seq,
            prev_hash: self.leaves[seq as usize - 1],
            recorded_at: Timestamp(t),
            signatures,
            body,
        };
        self.append(&entry);
        seq
    }

    /// Papers opened at the start, their answer sheets sealed at the end and dispatched back
    /// an hour before midnight.
    fn sheets_on_their_way_back(policy: Policy) -> Journal {
        let mut j = Journal::qp_in_transit(policy);
        j.arrive(DISPATCHED + HOUR, DISPATCHED + HOUR, "QP-1");
        j.open(START, "QP-1");
        j.seal(END, 30);
        j.dispatch(NEXT_DAY - HOUR, "AS-1", Destination::Room, &["x1", "e1"]);
        j
    }

    /// [`Journal::sheets_on_their_way_back`], returned to the room at `t`.
    fn sheets_returned(policy: Policy, t: i64) -> (Journal, u64) {
        let mut j = Journal::sheets_on_their_way_back(policy);
        let seq = j.back(t, "AS-1");
        (j, seq)
    }

    fn back(&mut self, t: i64, id: &str) -> u64 {
        let event = Event::Return(Return {
            bags: vec![obs(id)],
            incident: None,
        });
        self.at(t, event, &["c1", "e1"])
    }

    /// The audit's findings as (code, entry), sorted, and their messages.
    fn findings(&self) -> (Vec<(String, u64)>, Vec<String>) {
        let report =
            verify_reader(&self.records[..], Path::new("journal"), &Options::default()).unwrap();
        let mut out: Vec<(String, u64)> = report
            .findings
            .iter()
            .map(|f| (f.code.as_str().to_string(), f.seq))
            .collect();
        out.sort();
        (
            out,
            report.findings.iter().map(|f| f.message.clone()).collect(),
        )
    }
}

fn site() -> Destination {
    Destination::Site(SITE.into())
}

fn spec(id: &str, kind: BagKind) -> BagSpec {
    BagSpec {
        id: id.into(),
        kind,
        session: "s".into(),
        site: SITE.into(),
        room: ROOM.into(),
        seal: format!("SEAL-{id}"),
        count: 30,
    }
}

fn obs(id: &str) -> BagObs {
    BagObs {
        id: id.into(),
        seal: Some(format!("SEAL-{id}")),
        count: Some(30),
    }
}

fn correct_barcode(to: &str) -> (Journal, u64) {
    let mut j = Journal::new(Policy::default());
    let collected = j.collect(COLLECTED, "QP-1", BagKind::QuestionPapers, &["c1", "s1"]);
    let fix = Event::Correct(Correct {
        seq: collected,
        bag: "QP-1".into(),
        fix: Correction::BagId(to.into()),
        note: "typed the barcode wrong".into(),
    });
    let seq = j.at(COLLECTED + MIN, fix, &["c1", "s1"]);
    (j, seq)
}

/// A keyholder whose key is valid at one instant only, `T0 + DAY`, co-signs a collect at
/// `T0 + DAY + offset`.
fn one_instant_key(offset: i64) -> (Journal, u64) {
    let mut j = Journal::new(Policy::default());
    let instant = Timestamp(T0 + DAY);
    let mut k = holder("k1", &[Role::Custodian]);
    (k.valid_from, k.valid_until) = (Some(instant), Some(instant));
    j.enroll(T0 + 2 * HOUR, k);
    let seq = j.collect(
        instant.0 + offset,
        "QP-1",
        BagKind::QuestionPapers,
        &["k1", "s1"],
    );
    (j, seq)
}

fn broken_seal(id: &str) -> Event {
    Event::Incident(Incident {
        bags: vec![id.into()],
        kind: IncidentKind::BrokenSeal,
        note: "the seal is torn".into(),
        cabinet: None,
    })
}

/// The exam board's new seal on bag `id`, whose seal on record is `SEAL-{was}`.
fn reseal(id: &str, was: &str) -> Event {
    Event::Reseal(Reseal {
        bag: id.into(),
        old_seal: format!("SEAL-{was}"),
        new_seal: format!("NEW-{id}"),
        note: "resealed by the exam board".into(),
        incident: None,
    })
}

/// A whole-cabinet inspection asks the state which bags are in the cabinet (one key per bag
/// in it, kept as the bags move and are renamed): it must list QP-2, stored there under a
/// wrong barcode and corrected, and not QP-3, stored and withdrawn again (listing it instead is
/// both a bag in the wrong place and an incomplete inspection).
fn cabinet_rows(rows: &mut Vec<Row>) {
    for listed in ["QP-2", "QP-3"] {
        let mut j = Journal::new(Policy::default());
        for id in ["QP-1", "QP-3"] {
            j.collect(COLLECTED, id, BagKind::QuestionPapers, &["c1", "s1"]);
        }
        let store = |id: &str| Cabinet {
            bags: vec![obs(id)],
            cabinet: "A1".into(),
            incident: None,
        };
        let stored = j.at(COLLECTED + MIN, Event::Store(store("QP-1")), &["c1", "s1"]);
        j.at(COLLECTED + MIN, Event::Store(store("QP-3")), &["c1", "s1"]);
        let fix = Event::Correct(Correct {
            seq: stored,
            bag: "QP-1".into(),
            fix: Correction::BagId("QP-2".into()),
            note: "the scanner misread the barcode".into(),
        });
        j.at(COLLECTED + 2 * MIN, fix, &["c1", "s1"]);
        j.at(
            COLLECTED + 3 * MIN,
            Event::Withdraw(store("QP-3")),
            &["c1", "s1"],
        );
        let inspect = Event::Inspect(Inspect {
            bags: vec![BagObs {
                id: listed.into(),
                seal: Some(format!("SEAL-{}", listed.replace("QP-2", "QP-1"))),
                count: None,
            }],
            incident: None,
            cabinet: Some("A1".into()),
        });
        let seq = j.at(COLLECTED + 4 * MIN, inspect, &["c1", "s1"]);
        let expected = if listed == "QP-3" {
            vec![("INSPECTION_INCOMPLETE", seq), ("WRONG_PLACE", seq)]
        } else {
            vec![]
        };
        rows.push((
            "a whole-cabinet inspection after a rename and a withdrawal",
            j,
            expected,
        ));
    }
}

/// Rows for mutants that survived mutation testing (docs/RELIABILITY.md).
fn mutation_rows(rows: &mut Vec<Row>) {
    // A cabinet registration needs the cabinet's name and, at a site, the site's name.
    for (cabinet, at) in [(" ", site()), ("C9", Destination::Site(" ".into()))] {
        let mut j = Journal::new(Policy::default());
        let event = Event::Cabinet(CabinetPlace {
            cabinet: cabinet.into(),
            at,
        });
        let seq = j.at(COLLECTED, event, &["a1", "a2"]);
        rows.push((
            "a cabinet registered without a name or a site",
            j,
            vec![("EVENT_INVALID", seq)],
        ));
    }
    // A reseal needs a new seal, other than the one found.
    for new_seal in [" ", "SEAL-QP-1"] {
        let mut j = Journal::new(Policy::default());
        j.collect(COLLECTED, "QP-1", BagKind::QuestionPapers, &["c1", "s1"]);
        let broken = j.at(COLLECTED + MIN, broken_seal("QP-1"), &["c1", "s1"]);
        let mut event = reseal("QP-1", "QP-1");
        if let Event::Reseal(r) = &mut event {
            r.new_seal = new_seal.into();
        }
        let seq = j.at(COLLECTED + 2 * MIN, event, &["a1", "c1"]);
        rows.push((
            "a reseal without a new seal",
            j,
            vec![("EVENT_INVALID", seq), ("INCIDENT_BROKEN_SEAL", broken)],
        ));
    }
    // A reseal is judged against the bag's last event like any other event on it: exactly at
    // it, and 1 ms before (an incident does not move a bag's last event).
    for d in [0, 1] {
        let mut j = Journal::new(Policy::default());
        j.collect(COLLECTED, "QP-1", BagKind::QuestionPapers, &["c1", "s1"]);
        let broken = j.at(COLLECTED + MIN, broken_seal("QP-1"), &["c1", "s1"]);
        let event = reseal("QP-1", "QP-1");
        let seq = j.push(
            event,
            &["a1", "c1"],
            COLLECTED - d,
            COLLECTED + HOUR,
            j.size(),
        );
        let mut expected = vec![("INCIDENT_BROKEN_SEAL", broken)];
        if d == 1 {
            expected.push(("OUT_OF_ORDER", seq));
        }
        rows.push(("resealed at the bag's last event", j, expected));
    }
    // The broken seal on record follows a barcode correction, so that the reseal under the
    // right barcode is founded.
    let mut j = Journal::new(Policy::default());
    let collected = j.collect(COLLECTED, "QP-1", BagKind::QuestionPapers, &["c1", "s1"]);
    let broken = j.at(COLLECTED + MIN, broken_seal("QP-1"), &["c1", "s1"]);
    let fix = Event::Correct(Correct {
        seq: collected,
        bag: "QP-1".into(),
        fix: Correction::BagId("QP-9".into()),
        note: "typed the barcode wrong".into(),
    });
    j.at(COLLECTED + 2 * MIN, fix, &["c1", "s1"]);
    j.at(COLLECTED + 3 * MIN, reseal("QP-9", "QP-1"), &["a1", "c1"]);
    rows.push((
        "a bag resealed under its corrected barcode",
        j,
        vec![("INCIDENT_BROKEN_SEAL", broken)],
    ));
    // A handover that names nobody handing over is invalid (and e2 signs for a bag whose
    // dispatch did not name them), but whether both sides co-sign is asked only of a handover
    // that names both.
    let mut j = Journal::qp_in_transit(Policy::default());
    j.enroll(DISPATCHED + MIN, holder("e2", &[Role::Escort]));
    let handover = Event::Handover(Handover {
        bags: vec![obs("QP-1")],
        from: vec![],
        to: vec!["e2".into()],
        incident: None,
    });
    let seq = j.at(DISPATCHED + HOUR, handover, &["e1", "e2"]);
    rows.push((
        "a handover from nobody",
        j,
        vec![("ESCORT_NOT_ON_DISPATCH", seq), ("EVENT_INVALID", seq)],
    ));
    // A session may be postponed to start at the very moment the postponement is recorded.
    both_sides(
        rows,
        "postponed to start when recorded",
        "EVENT_INVALID",
        |d| {
            let mut j = Journal::new(Policy::default());
            let t = START + HOUR;
            let later = Event::Postpone(Postpone {
                session: "s".into(),
                start: Timestamp(t - d),
                end: Timestamp(t - d + 2 * HOUR),
                note: "a storm closed the roads".into(),
            });
            let seq = j.at(t, later, &["a1", "a2"]);
            (j, seq)
        },
    );
}

type Row = (&'static str, Journal, Vec<(&'static str, u64)>);

/// Both sides of a limit: `build(0)` exactly at it, with no finding; `build(1)` one past it,
/// with `code` at the entry `build` returns.
fn both_sides(
    rows: &mut Vec<Row>,
    name: &'static str,
    code: &'static str,
    build: impl Fn(i64) -> (Journal, u64),
) {
    let (at, _) = build(0);
    rows.push((name, at, vec![]));
    let (past, seq) = build(1);
    rows.push((name, past, vec![(code, seq)]));
}

fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    both_sides(&mut rows, "recorded 24 h after", "LATE_RECORD", |d| {
        let mut j = Journal::new(Policy::default());
        let recorded = T0 + DAY + HOUR;
        let later = Event::Schedule(Schedule {
            session: "late".into(),
            subject: "数学".into(),
            start: Timestamp(T0 + 30 * DAY),
            end: Timestamp(T0 + 30 * DAY + HOUR),
            incident: None,
        });
        let seq = j.push(later, &["a1", "a2"], recorded - DAY - d, recorded, j.size());
        (j, seq)
    });
    both_sides(
        &mut rows,
        "rescheduled 24 h before the start",
        "RESCHEDULE_LATE",
        |d| {
            let mut j = Journal::new(Policy::default());
            let seq = j.schedule(START - DAY + d, "s", START);
            (j, seq)
        },
    );
    both_sides(
        &mut rows,
        "collected 48 h before the session",
        "HELD_TOO_LONG",
        |d| {
            let mut j = Journal::new(Policy::default());
            let seq = j.collect(
                START - 2 * DAY - d,
                "QP-1",
                BagKind::QuestionPapers,
                &["c1", "s1"],
            );
            (j, seq)
        },
    );
    both_sides(
        &mut rows,
        "arrived at the instant of dispatch",
        "ARRIVED_BEFORE_DISPATCH",
        |d| {
            let mut j = Journal::qp_in_transit(Policy::default());
            let seq = j.arrive(DISPATCHED - d, DISPATCHED, "QP-1");
            (j, seq)
        },
    );
    both_sides(
        &mut rows,
        "arrived 3 h after dispatch",
        "TRANSIT_TOO_LONG",
        |d| {
            let mut j = Journal::qp_in_transit(Policy::default());
            let t = DISPATCHED + 3 * HOUR + d;
            let seq = j.arrive(t, t, "QP-1");
            (j, seq)
        },
    );
    both_sides(
        &mut rows,
        "in transit 3 h at the ledger's end",
        "STILL_IN_TRANSIT",
        |d| {
            let mut j = Journal::qp_in_transit(Policy::default());
            let dispatched = j.size() - 1; // the bag's last entry
            j.quiet(DISPATCHED + 3 * HOUR + d);
            (j, dispatched)
        },
    );
    both_sides(
        &mut rows,
        "at the site when its session ends",
        "NOT_RETURNED",
        |d| {
            let mut j = Journal::qp_in_transit(Policy::default());
            let arrived = j.arrive(DISPATCHED + HOUR, DISPATCHED + HOUR, "QP-1");
            j.quiet(END + d);
            (j, arrived)
        },
    );
    both_sides(
        &mut rows,
        "signed 2 entries behind, the replay window",
        "HEAD_TOO_OLD",
        |d| {
            let policy = Policy {
                max_head_lag: 2,
                ..Policy::default()
            };
            let mut j = Journal::new(policy);
            j.quiet(T0 + 2 * HOUR);
            j.quiet(T0 + 3 * HOUR);
            j.quiet(T0 + 4 * HOUR);
            let t = T0 + 5 * HOUR;
            let head = j.size() - 2 - d as u64;
            let later = Event::Schedule(Schedule {
                session: "late".into(),
                subject: "数学".into(),
                start: Timestamp(T0 + 30 * DAY),
                end: Timestamp(T0 + 30 * DAY + HOUR),
                incident: None,
            });
            let seq = j.push(later, &["a1", "a2"], t, t, head);
            (j, seq)
        },
    );
    both_sides(
        &mut rows,
        "dated 5 min after its recording",
        "FUTURE_EVENT",
        |d| {
            let mut j = Journal::new(Policy::default());
            let recorded = T0 + 2 * HOUR;
            let later = Event::Schedule(Schedule {
                session: "late".into(),
                subject: "数学".into(),
                start: Timestamp(T0 + 30 * DAY),
                end: Timestamp(T0 + 30 * DAY + HOUR),
                incident: None,
            });
            let seq = j.push(
                later,
                &["a1", "a2"],
                recorded + 5 * MIN + d,
                recorded,
                j.size(),
            );
            (j, seq)
        },
    );
    both_sides(
        &mut rows,
        "a key valid one instant, used after it",
        "SIGNER_NOT_VALID",
        one_instant_key,
    );
    let (before, seq) = one_instant_key(-1);
    rows.push((
        "a key valid one instant, used before it",
        before,
        vec![("SIGNER_NOT_VALID", seq)],
    ));
    both_sides(
        &mut rows,
        "answer sheets back at midnight",
        "ANSWER_SHEETS_LATE",
        |d| Journal::sheets_returned(Policy::default(), NEXT_DAY - 1 + d),
    );
    both_sides(
        &mut rows,
        "answer sheets away at midnight",
        "SHEETS_NOT_BACK",
        |d| {
            let mut j = Journal::sheets_on_their_way_back(Policy::default());
            let dispatched = j.size() - 1;
            j.quiet(NEXT_DAY - 1 + d);
            (j, dispatched)
        },
    );
    both_sides(
        &mut rows,
        "question papers opened 15 min early",
        "OPEN_EARLY",
        |d| {
            let mut j = Journal::at_site("QP-1", BagKind::QuestionPapers);
            let seq = j.open(START - 15 * MIN - d, "QP-1");
            (j, seq)
        },
    );
    both_sides(
        &mut rows,
        "answer sheets opened 30 min early",
        "OPEN_EARLY",
        |d| {
            let mut j = Journal::at_site("BA-1", BagKind::BlankAnswerSheets);
            let seq = j.open(START - 30 * MIN - d, "BA-1");
            (j, seq)
        },
    );
    both_sides(&mut rows, "papers opened 15 min late", "OPEN_LATE", |d| {
        let mut j = Journal::at_site("QP-1", BagKind::QuestionPapers);
        let seq = j.open(START + 15 * MIN + d, "QP-1");
        (j, seq)
    });
    both_sides(
        &mut rows,
        "as many answer sheets as papers",
        "SHEETS_EXCEED_PAPERS",
        |d| {
            let mut j = Journal::at_site("QP-1", BagKind::QuestionPapers);
            j.open(START, "QP-1");
            let seq = j.seal(END, 30 + d as u32);
            (j, seq)
        },
    );

    // Around the limits.
    let no_same_day = Policy {
        answer_sheets_back_same_day: false,
        ..Policy::default()
    };
    let (j, _) = Journal::sheets_returned(no_same_day.clone(), NEXT_DAY + HOUR);
    rows.push((
        "answer sheets back the next day, not required the same day",
        j,
        vec![],
    ));
    // Still on their way after their day, within the transit limit: late only if required.
    for (policy, expected) in [(Policy::default(), true), (no_same_day, false)] {
        let mut j = Journal::sheets_on_their_way_back(policy);
        let dispatched = j.size() - 1;
        j.quiet(NEXT_DAY + HOUR);
        let found = [("SHEETS_NOT_BACK", dispatched)];
        rows.push((
            "answer sheets away after their day",
            j,
            found[..usize::from(expected)].to_vec(),
        ));
    }
    let mut j = Journal::qp_in_transit(Policy::default());
    j.arrive(DISPATCHED + HOUR, DISPATCHED + HOUR, "QP-1");
    j.dispatch(
        NEXT_DAY + 10 * MIN,
        "QP-1",
        Destination::Room,
        &["x1", "e1"],
    );
    j.back(NEXT_DAY + 20 * MIN, "QP-1");
    rows.push(("question papers back the next day", j, vec![]));
    let (j, seq) = correct_barcode("QP-1");
    rows.push((
        "a barcode corrected to itself",
        j,
        vec![("CORRECTION_INVALID", seq)],
    ));
    let (j, seq) = correct_barcode("");
    rows.push((
        "a barcode corrected to nothing",
        j,
        vec![("CORRECTION_INVALID", seq)],
    ));
    let mut j = Journal::new(Policy::default());
    j.quiet(T0 + 2 * HOUR);
    let seq = j.replay_last(T0 + 3 * HOUR);
    rows.push(("the same signed event twice", j, vec![("REPLAY", seq)]));
    let mut j = Journal::new(Policy::default());
    let seq = j.enroll(T0 + 2 * HOUR, holder("k2", &[Role::Escort, Role::Escort]));
    rows.push((
        "a keyholder with a role twice",
        j,
        vec![("ENROLL_INVALID", seq)],
    ));
    // Two roles in order, a window of a day: a well-formed keyholder.
    let mut j = Journal::new(Policy::default());
    let mut k = holder("k3", &[Role::Escort, Role::Police]);
    (k.valid_from, k.valid_until) = (Some(Timestamp(T0)), Some(Timestamp(T0 + DAY)));
    j.enroll(T0 + 2 * HOUR, k);
    rows.push(("a keyholder with two roles and a window", j, vec![]));
    // More than two founders; two keys of one person never make two signers.
    let j = Journal::founded(Policy::default(), &["a1", "a2", "a3"]);
    rows.push(("three founders", j, vec![]));
    let mut j = Journal::new(Policy::default());
    let mut k = holder("k5", &[Role::Custodian]);
    k.person_tag = tag("s1");
    let enrolled = j.enroll(T0 + 2 * HOUR, k);
    let seq = j.collect(COLLECTED, "QP-1", BagKind::QuestionPapers, &["k5", "s1"]);
    rows.push((
        "two keys of one person",
        j,
        vec![("PERSON_DUPLICATE", enrolled), ("SAME_PERSON", seq)],
    ));
    // Found by mutation testing: answer sheets sealed at the very start of their session.
    both_sides(
        &mut rows,
        "answer sheets sealed at the start",
        "SEALED_EARLY",
        |d| {
            let mut j = Journal::at_site("QP-1", BagKind::QuestionPapers);
            j.open(START - 10 * MIN, "QP-1");
            let seq = j.seal(START - d, 30);
            (j, seq)
        },
    );
    // A bag opened at another site than the one it is at: in the wrong place, and not its room.
    let mut j = Journal::at_site("QP-1", BagKind::QuestionPapers);
    let elsewhere = Event::Open(Open {
        bags: vec![obs("QP-1")],
        site: "第二中学".into(),
        room: ROOM.into(),
        incident: None,
    });
    let seq = j.at(START, elsewhere, &["x1", "i1"]);
    rows.push((
        "a bag opened at another site",
        j,
        vec![("OPEN_WRONG_ROOM", seq), ("WRONG_PLACE", seq)],
    ));
    // A second key of an admin's own person, enrolled by that admin: self-enrolment, whatever
    // the id and key.
    let mut j = Journal::new(Policy::default());
    let mut k = holder("k6", &[Role::Custodian]);
    k.person_tag = tag("a1");
    let seq = j.enroll(T0 + 2 * HOUR, k);
    rows.push((
        "an admin enrols a second key of their own",
        j,
        vec![("PERSON_DUPLICATE", seq), ("SELF_ENROLL", seq)],
    ));
    // A text on the printer's list: at most 256 bytes (found by mutation testing).
    both_sides(
        &mut rows,
        "a printer's list field of 256 bytes",
        "EVENT_INVALID",
        |d| {
            let mut j = Journal::new(Policy::default());
            let list = Event::Manifest(Manifest {
                sha256: [7; 32],
                rows: vec![ManifestRow {
                    bag: "QP-1".into(),
                    seal: "S".repeat(256 + d as usize),
                    count: 30,
                    session: "s".into(),
                    site: SITE.into(),
                    room: ROOM.into(),
                }],
            });
            let seq = j.at(COLLECTED - HOUR, list, &["c1", "s1"]);
            (j, seq)
        },
    );
    mutation_rows(&mut rows);
    cabinet_rows(&mut rows);
    rows
}

#[test]
fn every_limit_holds_exactly_at_its_bound_and_fails_one_past_it() {
    let mut wrong = Vec::new();
    let rows = rows();
    for (name, journal, expected) in &rows {
        let expected: Vec<(String, u64)> = expected
            .iter()
            .map(|(code, seq)| (code.to_string(), *seq))
            .collect();
        let (found, messages) = journal.findings();
        if found != expected {
            wrong.push(format!("{name}: expected {expected:?}, found {found:?}"));
        }
        // Durations in messages: whole hours as hours.
        if *name == "arrived 3 h after dispatch" && !expected.is_empty() {
            assert!(
                messages[0].contains("the policy allows 3 h"),
                "{messages:?}"
            );
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(rows.len(), 62);
}
