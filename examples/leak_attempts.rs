//! Replays the ways exam papers really leaked (see PRODUCT.md) against a small ledger, and shows
//! that each is either refused by the ledger or, when the signers record what really happened
//! with an incident note, reported by the audit.
//!
//!     cargo run --release --example leak_attempts
//!
//! Exit status: 0 when every attempt was refused or flagged as expected, 1 otherwise.

#[path = "common/mod.rs"]
mod common;

use common::{
    BoxError, Desk, ZONE, at, counted, day_hm, demo_seed, finding_lines, member, seen, seen_all,
    write_roster_keys,
};
use custody::bag::{BagKind, BagObs, BagSpec, Correction, Destination, IncidentKind};
use custody::event::{
    Arrive, Assignment, Cabinet, Collect, Correct, Dispatch, Event, Incident, Inspect, Manifest,
    ManifestRow, Open, Reseal, Revocation, RoomPost, Seal, Void,
};
use custody::finding::{Code, Finding};
use custody::ledger::{LedgerError, Receipt};
use custody::policy::Policy;
use custody::roster::Role;
use ed25519_dalek::SigningKey;
use std::process::ExitCode;
use std::time::Instant;

const EXAM: &str = "青山县2026年初中学业水平考试 (leak drill)";
const DAY_BEFORE: &str = "2026-06-06";
const EXAM_DAY: &str = "2026-06-07";
const SESSION: &str = "yuwen-0607";
/// The afternoon session, whose papers must not leave with the morning's.
const LATER: &str = "shuxue-0607";
const SITE: &str = "第一中学";
const OTHER_SITE: &str = "第二中学";

const ATTEMPTS: [&str; 19] = [
    "CBSE 2018 / Maharashtra 2018: question papers opened 40 minutes early",
    "NEET 2024: a seal that changed in transit",
    "Telangana 2019: a bag dispatched that never arrived",
    "China 2007: one person alone with the papers",
    "A revoked escort co-signs a dispatch",
    "A co-signer swapped on a draft",
    "A policy widened just before use",
    "NEET 2024: a bag taken off its agreed route",
    "A dispatch that names one escort but is co-signed by another",
    "An arrival co-signed by an escort who never left with the bags",
    "The afternoon's question papers withdrawn with the morning's",
    "Events out of order: an inspection before the bag was stored, sheets sealed before the start",
    "NEET 2024: a seal changed on the road, then \"corrected\" to match",
    "Telangana 2019: a bag declared lost",
    "A wrong-room invigilator: room 01's invigilator co-signs room 02's opening",
    "A bag opened from a voided paper version",
    "A collected seal that differs from the printer's list",
    "A bag taken from a cabinet whose lock was forced",
    "A reseal that tries to hide a changed seal",
];

/// What a step must come to.
enum Want {
    /// Refused with one of these codes, the ledger left as it was.
    Refused(&'static [Code]),
    /// Recorded with an incident note; the audit reports this code at the entry, for the bag.
    Flagged(Code),
    /// Recorded; the audit reports this code for the bag at the end of the ledger.
    AtEnd(Code),
    /// An honest control step: recorded without any finding.
    Clean,
}

struct Step {
    attempt: usize,
    what: String,
    bag: Option<String>,
    want: Want,
    result: Result<Receipt, LedgerError>,
    ledger_unchanged: bool,
}

struct Drill {
    desk: Desk,
    steps: Vec<Step>,
}

impl Drill {
    /// Setup events: anything but acceptance stops the drill.
    fn setup(
        &mut self,
        what: &str,
        t: custody::time::Timestamp,
        event: Event,
        signers: &[&str],
    ) -> Result<Receipt, BoxError> {
        self.desk
            .record(t, event, signers)
            .map_err(|e| format!("setup step {what} at {}: {e}", day_hm(t)).into())
    }

    /// Runs one step of an attempt and remembers how it ended.
    fn step(
        &mut self,
        attempt: usize,
        what: &str,
        bag: Option<&str>,
        want: Want,
        run: impl FnOnce(&mut Desk) -> Result<Receipt, LedgerError>,
    ) -> Result<Option<Receipt>, BoxError> {
        let before = self.desk.ledger.head()?;
        let result = run(&mut self.desk);
        let after = self.desk.ledger.head()?;
        let ledger_unchanged = before == after;
        let receipt = result.as_ref().ok().cloned();
        self.steps.push(Step {
            attempt,
            what: what.to_string(),
            bag: bag.map(str::to_string),
            want,
            result,
            ledger_unchanged,
        });
        Ok(receipt)
    }
}

fn bag(room: u32, seal: u32) -> BagSpec {
    BagSpec {
        id: format!("QP-YW-1{room:02}"),
        kind: BagKind::QuestionPapers,
        session: SESSION.into(),
        site: SITE.into(),
        room: format!("第{room:02}考场"),
        seal: format!("PS{:06}", 260_000 + seal),
        count: 30,
    }
}

fn dispatch(bags: Vec<BagObs>, escort: &str) -> Event {
    Event::Dispatch(Dispatch {
        bags,
        to: Destination::Site(SITE.into()),
        escorts: vec![escort.into()],
        incident: None,
    })
}

fn open(bag: &BagSpec, incident: Option<&str>) -> Event {
    Event::Open(Open {
        bags: vec![counted(bag)],
        site: SITE.into(),
        room: bag.room.clone(),
        incident: incident.map(str::to_string),
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("leak_attempts: {e}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<bool, BoxError> {
    let started = Instant::now();
    let tmp = tempfile::tempdir()?;
    let key_dir = tmp.path().join("keys");
    write_roster_keys(&key_dir)?;

    // --- Setup: the roster, one session, five question-paper bags and a spare for 第一中学.
    let desk = Desk::found(
        &tmp.path().join("ledger"),
        &key_dir,
        EXAM,
        at("2026-06-05", "16:00"),
    )?;
    let mut d = Drill {
        desk,
        steps: Vec::new(),
    };
    let t = d
        .desk
        .enroll_roster(at("2026-06-05", "16:10"), &["admin1", "admin2"])?;
    d.desk.schedule(
        t,
        SESSION,
        "语文",
        at(EXAM_DAY, "09:00"),
        at(EXAM_DAY, "11:30"),
        &["admin2", "admin3"],
    )?;
    let qp: Vec<BagSpec> = (1..=5).map(|r| bag(r, r)).collect();
    let spare = BagSpec {
        id: "SP-YW-1A".into(),
        kind: BagKind::SparePapers,
        room: "备用".into(),
        seal: "PS260006".into(),
        count: 5,
        ..bag(1, 6)
    };
    // Rooms 6 to 8 travel with a police escort; room 9's bag is lost in the room.
    let extra: Vec<BagSpec> = (6..=9).map(|r| bag(r, r + 10)).collect();
    let afternoon = BagSpec {
        id: "QP-SX-101".into(),
        session: LATER.into(),
        seal: "PS260101".into(),
        ..bag(1, 101)
    };
    d.desk.schedule(
        at(DAY_BEFORE, "09:00"),
        LATER,
        "数学",
        at(EXAM_DAY, "15:00"),
        at(EXAM_DAY, "17:00"),
        &["admin2", "admin3"],
    )?;
    let mut all = qp.clone();
    all.extend(extra.iter().cloned());
    all.push(afternoon.clone());
    all.push(spare.clone());
    let collected = d
        .setup(
            "collect",
            at(DAY_BEFORE, "09:30"),
            Event::Collect(Collect {
                bags: all.clone(),
                from: "省教育考试院".into(),
                incident: None,
            }),
            &["cust1", "sup1"],
        )?
        .seq;
    d.setup(
        "store",
        at(DAY_BEFORE, "10:00"),
        Event::Store(Cabinet {
            bags: seen_all(&all),
            cabinet: "A1".into(),
            incident: None,
        }),
        &["cust1", "sup1"],
    )?;
    // The evening check of cabinet A1: every bag in it, its seal seen (at least every 12 h).
    d.setup(
        "inspect",
        at(DAY_BEFORE, "21:00"),
        Event::Inspect(Inspect {
            bags: seen_all(&all),
            incident: None,
            cabinet: None,
        }),
        &["cust1", "sup1"],
    )?;
    d.setup(
        "withdraw",
        at(EXAM_DAY, "06:30"),
        Event::Withdraw(Cabinet {
            bags: seen_all(qp.iter().chain(&extra)),
            cabinet: "A1".into(),
            incident: None,
        }),
        &["cust1", "sup1"],
    )?;
    let [qp1, qp2, qp3, qp4, qp5] = [&qp[0], &qp[1], &qp[2], &qp[3], &qp[4]];
    let [qp6, qp7, qp8, qp9] = [&extra[0], &extra[1], &extra[2], &extra[3]];

    // 11. The afternoon's papers taken out at 06:31 with the morning's: 8 h 29 min early.
    let event = Event::Withdraw(Cabinet {
        bags: vec![seen(&afternoon)],
        cabinet: "A1".into(),
        incident: None,
    });
    d.step(
        10,
        "QP-SX-101 (数学, 15:00) withdrawn at 06:31",
        Some(&afternoon.id),
        Want::Refused(&[Code::LeftEarly]),
        |desk| desk.record(at(EXAM_DAY, "06:31"), event, &["cust1", "sup1"]),
    )?;

    // 12. An inspection of the spare bag dated before it was stored (the day before, 10:00).
    let event = Event::Inspect(Inspect {
        bags: vec![seen(&spare)],
        incident: None,
        cabinet: None,
    });
    d.step(
        11,
        "SP-YW-1A inspected \"at 09:55 the day before\", before it was stored at 10:00",
        Some(&spare.id),
        Want::Refused(&[Code::OutOfOrder]),
        |desk| desk.record(at(DAY_BEFORE, "09:55"), event, &["cust1", "sup1"]),
    )?;

    // 9. The dispatch names esc1, but pol1 co-signs it: esc1 never vouched for the bags.
    let police_van = vec![seen(qp6), seen(qp7), seen(qp8)];
    let event = dispatch(police_van.clone(), "esc1");
    d.step(
        8,
        "QP-YW-106..108 dispatched naming esc1, co-signed by cust1 and pol1",
        None,
        Want::Refused(&[Code::EscortNotSigning]),
        |desk| desk.record(at(EXAM_DAY, "06:58"), event, &["cust1", "pol1"]),
    )?;
    let event = dispatch(police_van, "pol1");
    d.step(
        8,
        "control: police officer pol1 named as the escort, co-signing (公安押运)",
        None,
        Want::Clean,
        |desk| desk.record(at(EXAM_DAY, "07:00"), event, &["cust1", "pol1"]),
    )?;

    // 13. On the road QP-YW-108's seal is swapped; a "correction" of the collected seal follows.
    let swapped = "PS269918";
    let event = Event::Correct(Correct {
        seq: collected,
        bag: qp8.id.clone(),
        fix: Correction::Seal(swapped.into()),
        note: "seal typed wrong at collection".into(),
    });
    d.step(
        12,
        "QP-YW-108's collected seal \"corrected\" to PS269918 while it is on the road",
        Some(&qp8.id),
        Want::Flagged(Code::CorrectionAfterMove),
        |desk| desk.record(at(EXAM_DAY, "07:10"), event, &["cust1", "sup1"]),
    )?;
    let qp8_seen = BagObs {
        seal: Some(swapped.into()),
        ..seen(qp8)
    };
    let received = vec![seen(qp6), seen(qp7), qp8_seen.clone()];

    // 10. The arrival is co-signed by esc1, who never travelled with the bags.
    let arrive_with = |bags: Vec<BagObs>| {
        Event::Arrive(Arrive {
            bags,
            site: SITE.into(),
            incident: None,
        })
    };
    let event = arrive_with(received.clone());
    d.step(
        9,
        "QP-YW-106..108 received by chief1 and esc1; pol1 escorted them",
        Some(&qp6.id),
        Want::Refused(&[Code::EscortNotOnDispatch]),
        |desk| desk.record(at(EXAM_DAY, "07:30"), event, &["chief1", "esc1"]),
    )?;
    let event = arrive_with(received);
    d.step(
        9,
        "control: received by chief1 and pol1, the seal matching the correction",
        None,
        Want::Clean,
        |desk| desk.record(at(EXAM_DAY, "07:31"), event, &["chief1", "pol1"]),
    )?;

    // 14. A bag missing from the room, declared truthfully: still a finding.
    let event = Event::Incident(Incident {
        bags: vec![qp9.id.clone()],
        kind: IncidentKind::Lost,
        note: "QP-YW-109 not found in the room after the withdrawal; police informed".into(),
        cabinet: None,
    });
    d.step(
        13,
        "QP-YW-109 declared lost",
        Some(&qp9.id),
        Want::Flagged(Code::IncidentLost),
        |desk| desk.record(at(EXAM_DAY, "07:33"), event, &["cust1", "sup1"]),
    )?;

    // 4. China 2007: one person alone. cust1 signs a dispatch twice, as if a witness had signed.
    let alone = dispatch(vec![seen(qp3)], "esc1");
    d.step(
        3,
        "cust1 signs the dispatch of QP-YW-103 twice",
        Some(&qp3.id),
        Want::Refused(&[Code::SignerTwice, Code::TooFewSigners]),
        |desk| desk.record(at(EXAM_DAY, "06:35"), alone, &["cust1", "cust1"]),
    )?;
    // ... and one person holding two keys: a second key enrolled under cust1's staff number.
    let second_key = SigningKey::from_bytes(&demo_seed("zhao.min"))
        .verifying_key()
        .to_bytes();
    d.step(
        3,
        "a second key for cust1's person number, enrolled as an escort",
        None,
        Want::Refused(&[Code::PersonDuplicate]),
        |desk| {
            let k = desk.keyholder(
                "zhao.min",
                member("cust1").name,
                &[Role::Escort],
                second_key,
                member("cust1").person_number,
            )?;
            desk.record(
                at(EXAM_DAY, "06:37"),
                Event::Enroll(k),
                &["admin1", "admin2"],
            )
        },
    )?;

    // 6. A co-signer swapped on a draft: the body names esc1, esc2 signs in esc1's slot.
    let van = vec![seen(qp1), seen(qp2), seen(qp4), seen(qp5)];
    for (claimed, what, code) in [
        (
            "esc1",
            "draft names esc1; esc2 signs in esc1's slot",
            &[Code::Signature],
        ),
        (
            "esc2",
            "draft names esc1; esc2 signs under his own name",
            &[Code::SignersMismatch],
        ),
    ] {
        let event = dispatch(van.clone(), "esc1");
        d.step(5, what, None, Want::Refused(code), |desk| {
            let (body, bytes) = desk.draft(event, at(EXAM_DAY, "06:40"), &["cust1", "esc1"])?;
            let sigs = desk.sign_as(&bytes, &[("cust1", "cust1"), (claimed, "esc2")]);
            desk.submit(&body, bytes, sigs)
        })?;
    }
    let event = dispatch(van.clone(), "esc1");
    d.step(
        5,
        "control: the same dispatch signed by esc1 himself",
        None,
        Want::Clean,
        |desk| desk.record(at(EXAM_DAY, "06:41"), event, &["cust1", "esc1"]),
    )?;

    // 5. A revoked escort: esc2 is revoked, then co-signs a dispatch.
    d.setup(
        "revoke esc2",
        at(EXAM_DAY, "06:45"),
        Event::Revoke(Revocation {
            id: "esc2".into(),
            reason: "transferred out of the county exam office".into(),
        }),
        &["admin1", "admin3"],
    )?;
    let event = dispatch(vec![seen(qp3)], "esc2");
    d.step(
        4,
        "revoked esc2 co-signs the dispatch of QP-YW-103",
        Some(&qp3.id),
        Want::Refused(&[Code::SignerRevoked]),
        |desk| desk.record(at(EXAM_DAY, "06:50"), event, &["cust1", "esc2"]),
    )?;

    // 3. Telangana 2019: a bag that vanishes. QP-YW-103 leaves with esc1 and never arrives.
    let event = dispatch(vec![seen(qp3)], "esc1");
    d.step(
        2,
        "QP-YW-103 dispatched at 06:55, then nothing",
        Some(&qp3.id),
        Want::AtEnd(Code::StillInTransit),
        |desk| desk.record(at(EXAM_DAY, "06:55"), event, &["cust1", "esc1"]),
    )?;

    // 8. NEET 2024: off the route. A bag bound for 第一中学 is received at 第二中学.
    let event = Event::Arrive(Arrive {
        bags: vec![seen(qp5)],
        site: OTHER_SITE.into(),
        incident: None,
    });
    d.step(
        7,
        "QP-YW-105, dispatched to 第一中学, received at 第二中学",
        Some(&qp5.id),
        Want::Refused(&[Code::WrongDestination]),
        |desk| desk.record(at(EXAM_DAY, "07:35"), event, &["chief2", "esc1"]),
    )?;

    // 2. NEET 2024: a seal changed in transit.
    let changed = BagObs {
        seal: Some("PS269917".into()),
        ..seen(qp2)
    };
    let arrive = |incident: Option<&str>| {
        Event::Arrive(Arrive {
            bags: vec![changed.clone()],
            site: SITE.into(),
            incident: incident.map(str::to_string),
        })
    };
    let event = arrive(None);
    d.step(
        1,
        "QP-YW-102 arrives with seal PS269917, not PS260002; no note",
        Some(&qp2.id),
        Want::Refused(&[Code::SealMismatch]),
        |desk| desk.record(at(EXAM_DAY, "07:40"), event, &["chief1", "esc1"]),
    )?;
    let event = arrive(Some(
        "seal on QP-YW-102 reads PS269917, manifest says PS260002; bag kept sealed apart, \
         county exam office and police informed",
    ));
    d.step(
        1,
        "the same arrival recorded with an incident note",
        Some(&qp2.id),
        Want::Flagged(Code::SealMismatch),
        |desk| desk.record(at(EXAM_DAY, "07:42"), event, &["chief1", "esc1"]),
    )?;
    d.setup(
        "arrive",
        at(EXAM_DAY, "07:45"),
        Event::Arrive(Arrive {
            bags: vec![seen(qp1), seen(qp4), seen(qp5)],
            site: SITE.into(),
            incident: None,
        }),
        &["chief1", "esc1"],
    )?;

    // 7. A policy widened just before use: 120 minutes, then an opening 60 minutes early.
    d.setup(
        "policy change",
        at(EXAM_DAY, "07:50"),
        Event::Policy(Policy {
            open_question_papers_before_min: 120,
            ..Policy::default()
        }),
        &["admin1", "admin3"],
    )?;
    let event = open(qp4, None);
    d.step(
        6,
        "admins widen the window to 120 min at 07:50; QP-YW-104 opened at 08:00",
        Some(&qp4.id),
        Want::Refused(&[Code::OpenEarly]),
        |desk| desk.record(at(EXAM_DAY, "08:00"), event, &["chief1", "inv1"]),
    )?;

    // 1. CBSE 2018 / Maharashtra 2018: opened 40 minutes early.
    let event = open(qp1, None);
    d.step(
        0,
        "QP-YW-101 opened at 08:20 for a 09:00 session; no note",
        Some(&qp1.id),
        Want::Refused(&[Code::OpenEarly]),
        |desk| desk.record(at(EXAM_DAY, "08:20"), event, &["chief1", "inv1"]),
    )?;
    let event = open(
        qp1,
        Some("opened at 08:20 by mistake, 40 min early; room sealed off, papers counted, reported"),
    );
    d.step(
        0,
        "the same opening recorded with an incident note",
        Some(&qp1.id),
        Want::Flagged(Code::OpenEarly),
        |desk| desk.record(at(EXAM_DAY, "08:20"), event, &["chief1", "inv1"]),
    )?;
    let event = open(qp4, None);
    d.step(
        6,
        "control: QP-YW-104 opened at 08:50, inside the 15-min window",
        Some(&qp4.id),
        Want::Clean,
        |desk| desk.record(at(EXAM_DAY, "08:50"), event, &["chief1", "inv1"]),
    )?;
    d.setup(
        "open",
        at(EXAM_DAY, "08:52"),
        open(qp5, None),
        &["inv1", "inv2"],
    )?;
    for (minute, obs, room) in [
        ("08:53", counted(qp6), &qp6.room),
        ("08:54", counted(qp7), &qp7.room),
        (
            "08:55",
            BagObs {
                count: Some(qp8.count),
                ..qp8_seen
            },
            &qp8.room,
        ),
    ] {
        let event = Event::Open(Open {
            bags: vec![obs],
            site: SITE.into(),
            room: room.clone(),
            incident: None,
        });
        d.setup("open", at(EXAM_DAY, minute), event, &["chief1", "inv1"])?;
    }

    wrong_room_invigilator(&mut d, qp2)?;

    // 12. Answer sheets of room 6 sealed at 08:56, before the 09:00 start.
    let sheets = BagSpec {
        id: "CS-YW-106".into(),
        kind: BagKind::CompletedAnswerSheets,
        seal: "KC260006".into(),
        ..qp6.clone()
    };
    let event = Event::Seal(Seal {
        bag: sheets.clone(),
        incident: None,
    });
    d.step(
        11,
        "CS-YW-106 sealed at 08:56 for the 09:00 session",
        Some(&sheets.id),
        Want::Refused(&[Code::SealedEarly]),
        |desk| desk.record(at(EXAM_DAY, "08:56"), event, &["inv1", "inv2"]),
    )?;

    // Later that morning, the routine check of what is left in A1.
    d.setup(
        "inspect",
        at(EXAM_DAY, "10:30"),
        Event::Inspect(Inspect {
            bags: vec![seen(&spare), seen(&afternoon)],
            incident: None,
            cabinet: None,
        }),
        &["cust1", "sup1"],
    )?;

    voided_paper(&mut d)?;
    printers_list(&mut d)?;
    forced_lock(&mut d, &spare, &afternoon)?;
    hidden_by_reseal(&mut d, &spare)?;

    // --- The audit, from the journal alone.
    let state = d.desk.ledger.state();
    let tip = state.tip()?.ok_or("the ledger has no entries")?;
    let policy = state.policy_at(tip.recorded_at)?.unwrap_or_default();
    let open_items = custody::custody::open_items(state, tip.recorded_at, &policy, ZONE)?;
    let report = custody::audit::verify::verify(&d.desk.journal(), Some(d.desk.genesis_hash))?;

    println!(
        "Leak attempts against a ledger of {} entries ({SITE}, 语文 {EXAM_DAY} 09:00-11:30, audited as of {}):",
        tip.size,
        day_hm(tip.recorded_at)
    );
    let mut all_ok = true;
    let mut explained: Vec<&Finding> = Vec::new();
    for (n, title) in ATTEMPTS.iter().enumerate() {
        println!();
        println!("{}. {title}", n + 1);
        for s in d.steps.iter().filter(|s| s.attempt == n) {
            let (ok, line) = judge(s, &report.findings, &open_items, &mut explained);
            all_ok &= ok;
            println!("   {} {}", if ok { "ok  " } else { "FAIL" }, s.what);
            println!("        {line}");
        }
    }
    let unexplained: Vec<Finding> = report
        .findings
        .iter()
        .filter(|f| !explained.iter().any(|e| std::ptr::eq(*e, *f)))
        .cloned()
        .collect();
    println!();
    println!(
        "Audit: {} entries, {} finding(s), {}:",
        report.entries,
        report.findings.len(),
        if report.genesis_trusted == Some(true) {
            "genesis trusted"
        } else {
            "genesis NOT trusted"
        }
    );
    print!("{}", finding_lines(&report.findings));
    if !unexplained.is_empty() {
        all_ok = false;
        println!("Findings no attempt explains:");
        print!("{}", finding_lines(&unexplained));
    }
    println!();
    if all_ok {
        println!(
            "Every attempt was refused or flagged as expected ({:.2} s).",
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("SOME ATTEMPTS WERE NOT REFUSED OR FLAGGED AS EXPECTED (see FAIL above).");
    }
    Ok(all_ok)
}

/// Whether a step ended as wanted, and the line that says how it ended.
fn judge<'a>(
    s: &Step,
    audit: &'a [Finding],
    open_items: &[Finding],
    explained: &mut Vec<&'a Finding>,
) -> (bool, String) {
    let codes = |fs: &[Finding]| {
        let mut c: Vec<&str> = fs.iter().map(|f| f.code.as_str()).collect();
        c.dedup();
        c.join(", ")
    };
    match (&s.want, &s.result) {
        (Want::Refused(wanted), Err(LedgerError::Refused(findings))) => {
            let hit = findings.iter().find(|f| wanted.contains(&f.code));
            match hit {
                Some(f) if s.ledger_unchanged => (
                    true,
                    format!("REFUSED [{}]: {}", codes(findings), f.message),
                ),
                Some(_) => (
                    false,
                    format!("refused [{}], but the ledger changed", codes(findings)),
                ),
                None => (
                    false,
                    format!(
                        "refused for other reasons [{}], wanted one of {:?}",
                        codes(findings),
                        wanted.iter().map(|c| c.as_str()).collect::<Vec<_>>()
                    ),
                ),
            }
        }
        (Want::Refused(_), Ok(r)) => (false, format!("ACCEPTED at entry {}", r.seq)),
        (Want::Flagged(code), Ok(r)) => {
            let hit = audit
                .iter()
                .find(|f| f.code == *code && f.seq == r.seq && f.bag == s.bag);
            match hit {
                Some(f) => {
                    explained.push(f);
                    (
                        true,
                        format!(
                            "RECORDED with note, audit reports [{code}] at entry {}",
                            f.seq
                        ),
                    )
                }
                None => (
                    false,
                    format!(
                        "recorded at entry {}, but the audit does not report {code}",
                        r.seq
                    ),
                ),
            }
        }
        (Want::AtEnd(code), Ok(r)) => {
            let hit = audit.iter().find(|f| f.code == *code && f.bag == s.bag);
            match hit {
                Some(f) => {
                    explained.push(f);
                    (
                        true,
                        format!(
                            "RECORDED at entry {}, never arrived: audit reports [{code}] at entry {}",
                            r.seq, f.seq
                        ),
                    )
                }
                None => {
                    let side = open_items
                        .iter()
                        .find(|f| f.code == *code && f.bag == s.bag)
                        .map(|f| {
                            format!(
                                "; custody::custody::open_items does report it ({}), so audit::verify \
                                 does not run the end-of-ledger checks",
                                f
                            )
                        })
                        .unwrap_or_default();
                    (
                        false,
                        format!(
                            "recorded at entry {}, but the audit does not report {code}{side}",
                            r.seq
                        ),
                    )
                }
            }
        }
        (Want::Clean, Ok(r)) if r.flagged.is_empty() => {
            (true, format!("accepted at entry {}, no finding", r.seq))
        }
        (Want::Clean, Ok(r)) => (
            false,
            format!("accepted at entry {} with [{}]", r.seq, codes(&r.flagged)),
        ),
        (_, Err(e)) => (false, format!("failed: {e}")),
    }
}

/// Attempt 15: the morning's posts (the lottery) put inv1 in room 01 and inv2 in room 02; inv1 then
/// co-signs room 02's opening of QP-YW-102 (its seal as recorded with a note at arrival).
fn wrong_room_invigilator(d: &mut Drill, qp2: &BagSpec) -> Result<(), BoxError> {
    let post = |room: u32, invs: &[&str]| RoomPost {
        room: format!("第{room:02}考场"),
        invigilators: invs.iter().map(|i| i.to_string()).collect(),
    };
    d.setup(
        "assign",
        at(EXAM_DAY, "08:55"),
        Event::Assign(Assignment::Site {
            session: SESSION.into(),
            site: SITE.into(),
            chief: Some("chief1".into()),
            // Room 06 (attempt 12's sheets) keeps both invigilators.
            rooms: vec![
                post(1, &["inv1"]),
                post(2, &["inv2"]),
                post(6, &["inv1", "inv2"]),
            ],
        }),
        &["chief1", "sup1"],
    )?;
    let opening = |incident: Option<&str>| {
        Event::Open(Open {
            bags: vec![BagObs {
                id: qp2.id.clone(),
                seal: Some("PS269917".into()),
                count: Some(qp2.count),
            }],
            site: SITE.into(),
            room: qp2.room.clone(),
            incident: incident.map(str::to_string),
        })
    };
    let event = opening(None);
    d.step(
        14,
        "QP-YW-102 opened in 第02考场 by inv1 (posted in 第01考场) and inv2",
        None,
        Want::Refused(&[Code::WrongPost]),
        |desk| desk.record(at(EXAM_DAY, "08:56"), event, &["inv1", "inv2"]),
    )?;
    let event = opening(Some(
        "inv1 stood in for room 02's second invigilator, taken ill; chief examiner informed",
    ));
    d.step(
        14,
        "the same opening recorded with an incident note",
        None,
        Want::Flagged(Code::WrongPost),
        |desk| desk.record(at(EXAM_DAY, "08:56"), event, &["inv1", "inv2"]),
    )?;
    Ok(())
}

/// Attempt 16: a short 历史 paper at 10:50 leaks and is voided: opening one of its bags is refused, and
/// its spare papers are the ones opened. (Before 11:30, when 语文 ends, so that QP-YW-102 is not
/// yet overdue at the site.)
fn voided_paper(d: &mut Drill) -> Result<(), BoxError> {
    const LISHI: &str = "lishi-0607";
    d.desk.schedule(
        at(EXAM_DAY, "10:31"),
        LISHI,
        "历史",
        at(EXAM_DAY, "10:50"),
        at(EXAM_DAY, "11:20"),
        &["admin2", "admin3"],
    )?;
    let paper = BagSpec {
        id: "QP-LS-101".into(),
        session: LISHI.into(),
        seal: "PS260401".into(),
        ..bag(1, 401)
    };
    let spare = BagSpec {
        id: "SP-LS-101".into(),
        kind: BagKind::SparePapers,
        seal: "PS260402".into(),
        count: 5,
        ..paper.clone()
    };
    let both = vec![paper.clone(), spare.clone()];
    let collect = Event::Collect(Collect {
        bags: both.clone(),
        from: "省教育考试院".into(),
        incident: None,
    });
    d.setup(
        "collect",
        at(EXAM_DAY, "10:32"),
        collect,
        &["cust1", "sup1"],
    )?;
    let event = dispatch(seen_all(&both), "esc1");
    d.setup("dispatch", at(EXAM_DAY, "10:33"), event, &["cust1", "esc1"])?;
    let event = Event::Arrive(Arrive {
        bags: seen_all(&both),
        site: SITE.into(),
        incident: None,
    });
    d.setup("arrive", at(EXAM_DAY, "10:40"), event, &["chief1", "esc1"])?;
    let event = Event::Void(Void {
        session: LISHI.into(),
        note: "历史 paper seen on social media at 10:38; the board voids it, spares to be used"
            .into(),
    });
    d.setup("void", at(EXAM_DAY, "10:41"), event, &["admin1", "admin3"])?;
    let event = open(&paper, None);
    d.step(
        15,
        "QP-LS-101 (历史, voided at 10:41) opened at 10:45",
        Some(&paper.id),
        Want::Refused(&[Code::PaperVoided]),
        |desk| desk.record(at(EXAM_DAY, "10:45"), event, &["chief1", "inv1"]),
    )?;
    let event = open(&spare, None);
    d.step(
        15,
        "control: its spare papers SP-LS-101 opened at 10:46, no note needed",
        None,
        Want::Clean,
        |desk| desk.record(at(EXAM_DAY, "10:46"), event, &["chief1", "inv1"]),
    )?;
    Ok(())
}

/// Attempt 17: the printer's list says PS260501; the bag collected carries another seal.
fn printers_list(d: &mut Drill) -> Result<(), BoxError> {
    const WULI: &str = "wuli-0608";
    d.desk.schedule(
        at(EXAM_DAY, "10:47"),
        WULI,
        "物理",
        at("2026-06-08", "09:00"),
        at("2026-06-08", "10:30"),
        &["admin2", "admin3"],
    )?;
    let listed = BagSpec {
        id: "QP-WL-101".into(),
        session: WULI.into(),
        seal: "PS260501".into(),
        ..bag(1, 501)
    };
    let event = Event::Manifest(Manifest {
        // The SHA-256 of the printer's file; the drill has no file, so a placeholder.
        sha256: [0x5a; 32],
        rows: vec![ManifestRow {
            bag: listed.id.clone(),
            seal: listed.seal.clone(),
            count: listed.count,
            session: listed.session.clone(),
            site: listed.site.clone(),
            room: listed.room.clone(),
        }],
    });
    d.setup(
        "printer's list",
        at(EXAM_DAY, "10:48"),
        event,
        &["cust1", "sup1"],
    )?;
    let collect = |seal: &str| {
        Event::Collect(Collect {
            bags: vec![BagSpec {
                seal: seal.into(),
                ..listed.clone()
            }],
            from: "省教育考试院".into(),
            incident: None,
        })
    };
    let event = collect("PS269501");
    d.step(
        16,
        "QP-WL-101 collected with seal PS269501; the printer's list says PS260501",
        Some(&listed.id),
        Want::Refused(&[Code::ManifestMismatch]),
        |desk| desk.record(at(EXAM_DAY, "10:49"), event, &["cust1", "sup1"]),
    )?;
    let event = collect("PS260501");
    d.step(
        16,
        "control: collected with the seal on the printer's list",
        None,
        Want::Clean,
        |desk| desk.record(at(EXAM_DAY, "10:50"), event, &["cust1", "sup1"]),
    )?;
    Ok(())
}

/// Attempt 18: the lock of cabinet A1 is found forced at 11:00: declared, and every bag inside is exposed.
/// The afternoon's papers taken out before anyone inspected them are refused; after an
/// inspection of the whole cabinet they may leave.
fn forced_lock(d: &mut Drill, spare: &BagSpec, afternoon: &BagSpec) -> Result<(), BoxError> {
    let event = Event::Incident(Incident {
        bags: Vec::new(),
        kind: IncidentKind::Damaged,
        note: "lock of cabinet A1 found forced at the 11:00 round; police informed".into(),
        cabinet: Some("A1".into()),
    });
    d.step(
        17,
        "the lock of cabinet A1 declared forced",
        None,
        Want::Flagged(Code::IncidentDamaged),
        |desk| desk.record(at(EXAM_DAY, "11:00"), event, &["cust1", "sup1"]),
    )?;
    let withdraw = || {
        Event::Withdraw(Cabinet {
            bags: vec![seen(afternoon)],
            cabinet: "A1".into(),
            incident: None,
        })
    };
    let event = withdraw();
    d.step(
        17,
        "QP-SX-101 withdrawn from A1 at 11:05, nobody having inspected it since",
        Some(&afternoon.id),
        Want::Refused(&[Code::CabinetExposed]),
        |desk| desk.record(at(EXAM_DAY, "11:05"), event, &["cust1", "sup1"]),
    )?;
    let event = Event::Inspect(Inspect {
        bags: vec![seen(spare), seen(afternoon)],
        incident: None,
        cabinet: Some("A1".into()),
    });
    d.step(
        17,
        "control: cabinet A1 inspected whole at 11:06",
        None,
        Want::Clean,
        |desk| desk.record(at(EXAM_DAY, "11:06"), event, &["cust1", "sup1"]),
    )?;
    let event = withdraw();
    d.step(
        17,
        "control: QP-SX-101 withdrawn after the inspection",
        Some(&afternoon.id),
        Want::Clean,
        |desk| desk.record(at(EXAM_DAY, "11:07"), event, &["cust1", "sup1"]),
    )?;
    Ok(())
}

/// Attempt 19: the spare bag's seal now reads PS269906. Resealing it to "match", as if nothing had been
/// found, is refused; recorded truthfully, the mismatch stays a finding after the board's reseal.
fn hidden_by_reseal(d: &mut Drill, spare: &BagSpec) -> Result<(), BoxError> {
    let found = "PS269906";
    let reseal = |old: &str, new: &str, note: &str| {
        Event::Reseal(Reseal {
            bag: spare.id.clone(),
            old_seal: old.into(),
            new_seal: new.into(),
            note: note.into(),
            incident: None,
        })
    };
    let event = reseal(&spare.seal, found, "seal renewed");
    d.step(
        18,
        "SP-YW-1A \"resealed\" from PS260006 to PS269906, no broken seal on record",
        Some(&spare.id),
        Want::Refused(&[Code::ResealUnfounded]),
        |desk| desk.record(at(EXAM_DAY, "11:10"), event, &["admin1", "cust1"]),
    )?;
    let event = Event::Inspect(Inspect {
        bags: vec![BagObs {
            seal: Some(found.into()),
            ..seen(spare)
        }],
        incident: Some(
            "seal of SP-YW-1A reads PS269906, not PS260006; kept apart, reported".into(),
        ),
        cabinet: None,
    });
    d.step(
        18,
        "the changed seal recorded at an inspection with a note",
        Some(&spare.id),
        Want::Flagged(Code::SealMismatch),
        |desk| desk.record(at(EXAM_DAY, "11:12"), event, &["cust1", "sup1"]),
    )?;
    let event = reseal(
        found,
        "KB260001",
        "resealed with the county exam board's seal",
    );
    d.step(
        18,
        "control: the board reseals it (admin1 and cust1); the mismatch stays in the audit",
        Some(&spare.id),
        Want::Clean,
        |desk| desk.record(at(EXAM_DAY, "11:15"), event, &["admin1", "cust1"]),
    )?;
    Ok(())
}
