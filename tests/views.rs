//! The read-only views: the table layout, a bag's timeline, status and the reconciliation sheet
//! on a hand-built journal of a tiny exam, and `log`, `bag` and `status` through the binary on
//! a ledger recorded with `custody record`.

#[allow(dead_code)] // the kit serves several test files; this one uses part of it
mod util;

use custody::audit::verify as audit;
use custody::bag::{BagKind, BagObs, BagSpec, Correction, Destination, IncidentKind, Place};
use custody::entry::{Body, CoSignature, Entry, Hash, Head, leaf_hash};
use custody::event::{
    Arrive, Cabinet, Collect, Correct, Dispatch, Event, Genesis, Incident, Inspect, Open, Release,
    Return, Schedule, Seal,
};
use custody::i18n::Lang;
use custody::journal::{frame, header};
use custody::lang::text::text_width;
use custody::policy::{EventKind, Policy};
use custody::present::error::ViewError;
use custody::present::log::LogFilter;
use custody::present::status::Status;
use custody::present::table::Table;
use custody::roster::{Keyholder, Role};
use custody::signing::sign_body;
use custody::time::Timestamp;
use ed25519_dalek::SigningKey;
use std::path::{Path, PathBuf};
use util::Fixture;

const ZONE: &str = "Asia/Shanghai";
const SITE: &str = "第一中学";
const ROOM1: &str = "第01考场";
const ROOM2: &str = "第02考场";

// ---------------------------------------------------------------------------------------------
// A hand-built journal (no judge on the way in; the audit judges it on the way out)

/// Keyholders: id, seed of their key, display name, roles.
const PEOPLE: &[(&str, u8, &str, Role)] = &[
    ("a1", 1, "周主任", Role::Admin),
    ("a2", 2, "吴主任", Role::Admin),
    ("a3", 3, "郑主任", Role::Admin),
    ("c1", 10, "张伟", Role::Custodian),
    ("s1", 11, "李娜", Role::Supervisor),
    ("e1", 12, "王强", Role::Escort),
    ("ch1", 13, "赵敏", Role::ChiefExaminer),
    ("i1", 14, "刘洋", Role::Invigilator),
    ("i2", 15, "陈静", Role::Invigilator),
];

fn person(id: &str) -> Keyholder {
    let (_, seed, name, role) = PEOPLE.iter().find(|p| p.0 == id).expect("known person");
    Keyholder {
        id: id.into(),
        name: name.to_string(),
        roles: vec![*role],
        public_key: SigningKey::from_bytes(&[*seed; 32])
            .verifying_key()
            .to_bytes(),
        person_tag: [*seed; 32],
        valid_from: None,
        valid_until: None,
        key_kind: None,
    }
}

fn at(local: &str) -> Timestamp {
    Timestamp::parse(local, ZONE).unwrap()
}

struct Builder {
    ledger_id: [u8; 16],
    bytes: Vec<u8>,
    prev: Hash,
    seq: u64,
}

impl Builder {
    fn new() -> Builder {
        let ledger_id = [0x5a; 16];
        Builder {
            ledger_id,
            bytes: header(&ledger_id).to_vec(),
            prev: [0; 32],
            seq: 0,
        }
    }

    /// Appends an event that happened at `local` (exam zone), recorded a minute later. Returns
    /// its sequence number.
    fn push(&mut self, local: &str, signers: &[&str], event: Event) -> u64 {
        let t = at(local);
        let body = Body {
            ledger_id: self.ledger_id,
            head: Head {
                size: self.seq,
                hash: self.prev,
            },
            event_time: t,
            nonce: [self.seq as u8; 16],
            signers: signers.iter().map(|s| s.to_string()).collect(),
            event,
        };
        let body_bytes = body.encode().unwrap();
        let signatures = signers
            .iter()
            .map(|id| {
                let seed = PEOPLE.iter().find(|p| p.0 == *id).unwrap().1;
                CoSignature {
                    signer: id.to_string(),
                    signature: sign_body(&SigningKey::from_bytes(&[seed; 32]), &body_bytes),
                }
            })
            .collect();
        let entry = Entry {
            seq: self.seq,
            prev_hash: self.prev,
            recorded_at: t.plus_seconds(60),
            body: body_bytes,
            signatures,
        }
        .encode()
        .unwrap();
        self.prev = leaf_hash(&entry);
        self.bytes.extend(frame(&entry).unwrap());
        self.seq += 1;
        self.seq - 1
    }
}

fn spec(id: &str, kind: BagKind, room: &str, seal: &str, count: u32) -> BagSpec {
    BagSpec {
        id: id.into(),
        kind,
        session: "yuwen".into(),
        site: SITE.into(),
        room: room.into(),
        seal: seal.into(),
        count,
    }
}

fn obs(list: &[(&str, &str)]) -> Vec<BagObs> {
    list.iter()
        .map(|(id, seal)| BagObs {
            id: id.to_string(),
            seal: Some(seal.to_string()),
            count: None,
        })
        .collect()
}

const ALL_THREE: &[(&str, &str)] = &[
    ("QP-0001", "S1001"),
    ("QP-0002", "S2010"),
    ("SP-0001", "S3001"),
];

/// A tiny exam: one session, two rooms of one site. The spare bag's barcode and one seal were
/// mistyped at collection and corrected; the spare bag goes out and comes back unopened; room 1's
/// answer sheets come back and are released; room 2's are still at the site.
fn tiny_exam(dir: &Path) -> PathBuf {
    let mut b = Builder::new();
    b.push(
        "2026-06-05T08:00",
        &["a1", "a2", "a3"],
        Event::Genesis(Genesis {
            exam: "2026 学考".into(),
            time_zone: ZONE.into(),
            ledger_key: SigningKey::from_bytes(&[99; 32]).verifying_key().to_bytes(),
            person_key_hash: [0x77; 32],
            founders: ["a1", "a2", "a3"].map(person).to_vec(),
            policy: Policy::default(),
        }),
    );
    for (i, id) in ["c1", "s1", "e1", "ch1", "i1", "i2"]
        .into_iter()
        .enumerate()
    {
        b.push(
            &format!("2026-06-05T08:1{i}"),
            &["a1", "a2"],
            Event::Enroll(person(id)),
        );
    }
    b.push(
        "2026-06-05T09:00",
        &["a1", "a2"],
        Event::Schedule(Schedule {
            session: "yuwen".into(),
            subject: "语文".into(),
            start: at("2026-06-07T09:00"),
            end: at("2026-06-07T11:30"),
            incident: None,
        }),
    );
    let collect = b.push(
        "2026-06-06T10:00",
        &["c1", "s1"],
        Event::Collect(Collect {
            bags: vec![
                spec("QP-0001", BagKind::QuestionPapers, ROOM1, "S1001", 30),
                spec("QP-0002", BagKind::QuestionPapers, ROOM2, "S2001", 30),
                spec("SP-001", BagKind::SparePapers, ROOM1, "S3001", 5),
            ],
            from: "省教育考试院".into(),
            incident: None,
        }),
    );
    assert_eq!(collect, 8);
    b.push(
        "2026-06-06T10:05",
        &["c1", "s1"],
        Event::Correct(Correct {
            seq: collect,
            bag: "SP-001".into(),
            fix: Correction::BagId("SP-0001".into()),
            note: "条码少录一位".into(),
        }),
    );
    b.push(
        "2026-06-06T10:06",
        &["c1", "s1"],
        Event::Correct(Correct {
            seq: collect,
            bag: "QP-0002".into(),
            fix: Correction::Seal("S2010".into()),
            note: "typed S2001".into(),
        }),
    );
    b.push(
        "2026-06-06T10:10",
        &["c1", "s1"],
        Event::Store(Cabinet {
            bags: obs(ALL_THREE),
            cabinet: "A1".into(),
            incident: None,
        }),
    );
    b.push(
        "2026-06-06T20:00",
        &["c1", "s1"],
        Event::Inspect(Inspect {
            bags: obs(ALL_THREE),
            incident: None,
            cabinet: None,
        }),
    );
    b.push(
        "2026-06-07T07:00",
        &["c1", "s1"],
        Event::Withdraw(Cabinet {
            bags: obs(ALL_THREE),
            cabinet: "A1".into(),
            incident: None,
        }),
    );
    b.push(
        "2026-06-07T07:10",
        &["c1", "e1"],
        Event::Dispatch(Dispatch {
            bags: obs(ALL_THREE),
            to: Destination::Site(SITE.into()),
            escorts: vec!["e1".into()],
            incident: None,
        }),
    );
    b.push(
        "2026-06-07T08:00",
        &["ch1", "e1"],
        Event::Arrive(Arrive {
            bags: obs(ALL_THREE),
            site: SITE.into(),
            incident: None,
        }),
    );
    for (bag, room, inv) in [
        (("QP-0001", "S1001"), ROOM1, "i1"),
        (("QP-0002", "S2010"), ROOM2, "i2"),
    ] {
        b.push(
            "2026-06-07T08:50",
            &["ch1", inv],
            Event::Open(Open {
                bags: obs(&[bag])
                    .into_iter()
                    .map(|o| BagObs {
                        count: Some(30),
                        ..o
                    })
                    .collect(),
                site: SITE.into(),
                room: room.into(),
                incident: None,
            }),
        );
    }
    b.push(
        "2026-06-07T09:30",
        &["ch1", "i1"],
        Event::Incident(Incident {
            bags: vec!["SP-0001".into()],
            kind: IncidentKind::Other,
            note: "备用卷袋外包装受潮，封条完好".into(),
            cabinet: None,
        }),
    );
    b.push(
        "2026-06-07T11:40",
        &["i1", "i2"],
        Event::Seal(Seal {
            bag: spec(
                "AS-0001",
                BagKind::CompletedAnswerSheets,
                ROOM1,
                "S9001",
                29,
            ),
            incident: None,
        }),
    );
    b.push(
        "2026-06-07T11:45",
        &["i1", "i2"],
        Event::Seal(Seal {
            bag: spec(
                "AS-0002",
                BagKind::CompletedAnswerSheets,
                ROOM2,
                "S9002",
                30,
            ),
            incident: None,
        }),
    );
    let back = &[("AS-0001", "S9001"), ("SP-0001", "S3001")];
    b.push(
        "2026-06-07T12:00",
        &["ch1", "e1"],
        Event::Dispatch(Dispatch {
            bags: obs(back),
            to: Destination::Room,
            escorts: vec!["e1".into()],
            incident: None,
        }),
    );
    b.push(
        "2026-06-07T13:00",
        &["c1", "e1"],
        Event::Return(Return {
            bags: obs(back),
            incident: None,
        }),
    );
    b.push(
        "2026-06-07T14:00",
        &["a1", "c1"],
        Event::Release(Release {
            bags: obs(&[("AS-0001", "S9001")]),
            to: "阅卷中心".into(),
            incident: None,
        }),
    );
    let path = dir.join("journal");
    std::fs::write(&path, &b.bytes).unwrap();
    path
}

// ---------------------------------------------------------------------------------------------
// The table

#[test]
fn the_table_aligns_chinese_and_ascii_names_and_fits_80_columns() {
    let mut t = Table::new(["SEQ", "NAME", "SITE", "NOTE"]).right(0);
    t.push(["7", "王丽", "第一中学", "short"]);
    t.push(["12", "Li Na", "No. 1 Middle School", "short"]);
    t.push([
        "130",
        "欧阳娜娜",
        "第一中学",
        "封条破损，已拍照留存并报告主考，备用卷袋启用，详见异常记录 with a long English tail that cannot fit",
    ]);
    let text = t.render(80);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    for l in &lines {
        assert!(text_width(l) <= 80, "{} columns: {l}", text_width(l));
    }
    // Each column starts at the same display column on every line.
    let start = |line: &str, cell: &str| text_width(&line[..line.find(cell).unwrap()]);
    assert_eq!(start(lines[1], "王丽"), start(lines[2], "Li Na"));
    assert_eq!(start(lines[1], "王丽"), start(lines[0], "NAME"));
    assert_eq!(start(lines[1], "第一中学"), start(lines[2], "No. 1"));
    assert_eq!(start(lines[1], "short"), start(lines[2], "short"));
    // Numbers line up on the right.
    assert_eq!(start(lines[1], "7") + 1, start(lines[3], "130") + 3);
    // The long note is cut with an ellipsis to fill the line exactly.
    assert!(lines[3].ends_with('…'), "{}", lines[3]);
    assert!(text_width(lines[3]) >= 79, "{}", lines[3]);
    assert!(lines[3].starts_with("130  欧阳娜娜"), "{}", lines[3]);
}

#[test]
fn the_widest_column_gives_way_first_and_numbers_are_never_cut() {
    let mut t = Table::new(["N", "A", "B"]).right(0);
    t.push(["123456", &"甲".repeat(30), &"x".repeat(30)]);
    let text = t.render(40);
    let row = text.lines().nth(1).unwrap();
    assert!(text_width(row) <= 40, "{row}");
    assert!(row.starts_with("123456  "), "{row}");
    assert_eq!(row.matches('…').count(), 2, "{row}");
    // A Chinese cell cut at an odd width is padded, not split.
    let mut t = Table::new(["A", "B"]);
    t.push(["甲乙丙丁", "x"]);
    t.push(["ab", "y"]);
    let text = t.render(9);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        text_width(&lines[1][..lines[1].find('x').unwrap()]),
        8,
        "{text}"
    );
    assert_eq!(
        text_width(&lines[2][..lines[2].find('y').unwrap()]),
        8,
        "{text}"
    );
}

#[test]
fn notes_wrap_under_their_row_and_control_characters_are_neutralised() {
    let mut t = Table::new(["SEQ", "EVENT"]).right(0);
    t.push(["3", "incident\x1b[2J"]);
    t.note(format!("INCIDENT {}", "封条破损".repeat(20)));
    let text = t.render(40);
    assert!(!text.contains('\x1b'));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 3, "{text}");
    for l in &lines[2..] {
        assert!(l.starts_with("     "), "{l:?}");
        assert!(text_width(l) <= 40, "{l}");
    }
}

// ---------------------------------------------------------------------------------------------
// Views of the tiny exam

#[test]
fn the_tiny_exam_audits_clean_but_for_its_declared_incident() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_exam(dir.path());
    let report = audit::verify(&path, None).unwrap();
    let codes: Vec<(&str, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.bag.as_deref()))
        .collect();
    assert_eq!(codes, vec![("INCIDENT_OTHER", Some("SP-0001"))]);
}

#[test]
fn a_bag_timeline_follows_the_bag_under_its_corrected_barcode() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_exam(dir.path());
    let (_, state) = audit::replay(&path).unwrap();
    let t = custody::present::timeline::bag_timeline(&path, &state, "SP-0001", Lang::En).unwrap();
    let kinds: Vec<&str> = t.rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "collect", "correct", "store", "inspect", "withdraw", "dispatch", "arrive", "incident",
            "dispatch", "return"
        ]
    );
    assert_eq!(t.earlier_ids, ["SP-001"]);
    assert_eq!(t.rows[0].named_as, "SP-001");
    assert_eq!(t.rows[1].named_as, "SP-001");
    assert_eq!(t.rows[2].named_as, "SP-0001");
    assert_eq!(
        t.rows[1].correction.as_deref(),
        Some("entry 8: barcode SP-001 -> SP-0001 (条码少录一位)")
    );
    assert_eq!(t.rows[0].seal.as_deref(), Some("S3001"));
    assert_eq!(t.rows[0].count, Some(5));
    let names: Vec<Option<&str>> = t.rows[0]
        .signers
        .iter()
        .map(|s| s.name.as_deref())
        .collect();
    assert_eq!(names, [Some("张伟"), Some("李娜")]);
    let places: Vec<Place> = t.rows.iter().map(|r| r.place.clone()).collect();
    assert_eq!(places[0], Place::Room);
    assert_eq!(places[1], Place::Room, "a correction does not move the bag");
    assert_eq!(places[2], Place::Cabinet("A1".into()));
    assert!(matches!(&places[5], Place::Transit { to: Destination::Site(s), .. } if s == SITE));
    assert_eq!(places[6], Place::Site(SITE.into()));
    assert!(matches!(
        &places[8],
        Place::Transit {
            to: Destination::Room,
            seq: 21,
            ..
        }
    ));
    assert_eq!(places[9], Place::Room);
    assert_eq!(
        t.rows[7].incident.as_deref(),
        Some("other: 备用卷袋外包装受潮，封条完好")
    );

    let text = t.render(80);
    for l in text.lines() {
        assert!(text_width(l) <= 80, "{l}");
    }
    assert!(text.contains("bag SP-0001"), "{text}");
    assert!(text.contains("earlier barcode: SP-001"), "{text}");
    assert!(text.contains("张伟, 李娜"), "{text}");
    assert!(
        text.contains("CORRECTION entry 8: barcode SP-001 -> SP-0001"),
        "{text}"
    );
    assert!(
        text.contains("INCIDENT other: 备用卷袋外包装受潮"),
        "{text}"
    );
    assert!(text.contains("times in Asia/Shanghai"), "{text}");
    let order: Vec<usize> = ["collect", "store", "withdraw", "arrive", "return"]
        .iter()
        .map(|k| {
            text.find(&format!("  {k}  "))
                .unwrap_or_else(|| panic!("{k}: {text}"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");

    let json = t.json();
    assert_eq!(json["bag"]["id"], "SP-0001");
    assert_eq!(json["bag"]["kind"], "spare_papers");
    assert_eq!(json["bag"]["place"]["where"], "room");
    assert_eq!(json["timeline"][0]["kind"], "collect");
    assert_eq!(json["timeline"][0]["named_as"], "SP-001");
    assert_eq!(json["timeline"][0]["signers"][0]["name"], "张伟");
    assert_eq!(json["timeline"][5]["place"]["where"], "transit");
    assert_eq!(json["timeline"][5]["place"]["to_site"], SITE);
    assert_eq!(json["timeline"][9]["kind"], "return");
}

#[test]
fn an_earlier_barcode_leads_to_the_bag_and_an_unknown_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_exam(dir.path());
    let (_, state) = audit::replay(&path).unwrap();
    let t = custody::present::timeline::bag_timeline(&path, &state, "SP-001", Lang::En).unwrap();
    assert_eq!(t.bag.spec.id, "SP-0001");
    assert_eq!(t.asked_for.as_deref(), Some("SP-001"));
    assert_eq!(t.rows.len(), 10);
    match custody::present::timeline::bag_timeline(&path, &state, "QP-9999", Lang::En) {
        Err(e @ ViewError::UnknownBag(_)) => {
            assert_eq!(e.to_string(), "no bag QP-9999 in the ledger")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_seal_correction_shows_on_the_collect_and_the_corrected_seal_after() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_exam(dir.path());
    let (_, state) = audit::replay(&path).unwrap();
    let t = custody::present::timeline::bag_timeline(&path, &state, "QP-0002", Lang::En).unwrap();
    let kinds: Vec<EventKind> = t.rows.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Collect,
            EventKind::Correct,
            EventKind::Store,
            EventKind::Inspect,
            EventKind::Withdraw,
            EventKind::Dispatch,
            EventKind::Arrive,
            EventKind::Open,
        ]
    );
    assert_eq!(t.rows[0].seal.as_deref(), Some("S2001"));
    assert_eq!(t.rows[1].seal.as_deref(), Some("S2010"));
    assert_eq!(
        t.rows[1].correction.as_deref(),
        Some("entry 8: seal S2001 -> S2010 (typed S2001)"),
        "old -> new"
    );
    assert_eq!(t.bag.spec.seal, "S2010");
    assert_eq!(
        t.rows[7].place,
        Place::Opened {
            site: SITE.into(),
            room: ROOM2.into()
        }
    );
    let names: Vec<&str> = t.rows[7]
        .signers
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    assert_eq!(names, ["赵敏", "陈静"]);
}

#[test]
fn status_lists_every_bag_by_site_room_and_barcode() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_exam(dir.path());
    let (report, state) = audit::replay(&path).unwrap();
    let status = Status::new(&state, report.last_recorded, None).unwrap();
    let ids: Vec<&str> = status.bags.iter().map(|b| b.spec.id.as_str()).collect();
    assert_eq!(ids, ["AS-0001", "QP-0001", "SP-0001", "AS-0002", "QP-0002"]);
    assert_eq!(status.bags[0].place, Place::Released("阅卷中心".into()));
    assert_eq!(status.bags[3].place, Place::Site(SITE.into()));
    assert_eq!(
        status.summary(Lang::En),
        "1 in the room, 1 at a site, 2 opened, 1 released"
    );
    let text = status.render(80, Lang::En);
    for l in text.lines() {
        assert!(text_width(l) <= 80, "{l}");
    }
    assert!(
        text.starts_with("2026 学考: 5 bags, as of 2026-06-07 14:01"),
        "{text}"
    );
    let row = text.lines().find(|l| l.starts_with("AS-0002")).unwrap();
    assert!(
        row.contains("answers") && row.contains("at 第一中学"),
        "{row}"
    );
    assert!(row.ends_with("S9002     30"), "{row}");

    let json = status.json();
    assert_eq!(json["exam"], "2026 学考");
    assert_eq!(json["time_zone"], ZONE);
    assert_eq!(json["places"]["opened"], 2);
    assert_eq!(json["bags"][1]["id"], "QP-0001");
    assert_eq!(json["bags"][1]["place"]["where"], "opened");
    assert_eq!(json["bags"][1]["opened"]["seq"], 16);

    let other = Status::new(&state, None, Some("第二中学")).unwrap();
    assert!(other.bags.is_empty());
    assert_eq!(other.summary(Lang::En), "no bags");
}

#[test]
fn the_reconciliation_sheet_adds_up_per_room_and_in_total() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_exam(dir.path());
    let (_, state) = audit::replay(&path).unwrap();
    let sheet = custody::present::status::reconcile(&state, "yuwen", None).unwrap();
    let line = |i: usize| {
        let c = &sheet.rooms[i].counts;
        [c.bags, c.papers, c.opened, c.sealed, c.returned, c.missing]
    };
    assert_eq!(sheet.rooms.len(), 2);
    assert_eq!(
        (sheet.rooms[0].site.as_str(), sheet.rooms[0].room.as_str()),
        (SITE, ROOM1)
    );
    assert_eq!(line(0), [2, 35, 30, 29, 29, 0]);
    assert_eq!(line(1), [1, 30, 30, 30, 0, 1]);
    assert_eq!(sheet.rooms[1].counts.missing_bags, ["AS-0002"]);
    let t = &sheet.total;
    assert_eq!(
        [t.bags, t.papers, t.opened, t.sealed, t.returned, t.missing],
        [3, 65, 60, 59, 29, 1]
    );

    let text = sheet.render(80, Lang::En);
    for l in text.lines() {
        assert!(text_width(l) <= 80, "{l}");
    }
    assert!(
        text.starts_with(
            "reconciliation of session yuwen (语文), 2026-06-07 09:00 to 2026-06-07 11:30"
        ),
        "{text}"
    );
    let total = text.lines().find(|l| l.starts_with("TOTAL")).unwrap();
    let numbers: Vec<&str> = total.split_whitespace().skip(1).collect();
    assert_eq!(numbers, ["3", "65", "60", "59", "29", "1"], "{text}");
    assert!(text.contains("missing AS-0002: at 第一中学"), "{text}");
    // The numbers of each row end in the same column as their header.
    let head = text.lines().find(|l| l.starts_with("SITE")).unwrap();
    let room1 = text.lines().find(|l| l.contains(ROOM1)).unwrap();
    assert_eq!(text_width(head), text_width(room1), "{text}");
    assert_eq!(text_width(head), text_width(total), "{text}");

    let json = sheet.json();
    assert_eq!(json["session"], "yuwen");
    assert_eq!(json["subject"], "语文");
    assert_eq!(json["rooms"][0]["room"], ROOM1);
    assert_eq!(json["rooms"][0]["papers"], 35);
    assert_eq!(json["rooms"][1]["missing_bags"][0], "AS-0002");
    assert_eq!(json["total"]["returned"], 29);
    assert_eq!(json["total"]["missing"], 1);
    assert_eq!(json["bags"].as_array().unwrap().len(), 5);

    let none = custody::present::status::reconcile(&state, "yuwen", Some("第二中学")).unwrap();
    assert!(none.rooms.is_empty());
    assert_eq!(none.total.bags, 0);
    match custody::present::status::reconcile(&state, "shuxue", None) {
        Err(e @ ViewError::UnknownSession { .. }) => assert_eq!(
            e.to_string(),
            "no session shuxue in the ledger: it has yuwen"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn log_filters_select_by_bag_kind_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_exam(dir.path());
    let seqs = |filter: &LogFilter| {
        let mut out = Vec::new();
        custody::present::log::walk_log(&path, filter, |item| {
            out.push(item.entry.unwrap().entry.seq)
        })
        .unwrap();
        out
    };
    let f = |bag: Option<&str>, kind: Option<&str>, since: Option<&str>, until: Option<&str>| {
        LogFilter::parse(bag, kind, since, until, ZONE).unwrap()
    };
    assert_eq!(seqs(&f(None, None, None, None)).len(), 24);
    assert_eq!(
        seqs(&f(Some("SP-0001"), None, None, None)),
        [9, 11, 12, 13, 14, 15, 18, 21, 22]
    );
    assert_eq!(seqs(&f(Some("SP-001"), None, None, None)), [8, 9]);
    assert_eq!(seqs(&f(None, Some("open"), None, None)), [16, 17]);
    assert_eq!(
        seqs(&f(None, Some("enroll"), None, None)),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        seqs(&f(
            None,
            None,
            Some("2026-06-07T11:40"),
            Some("2026-06-07T13:00")
        )),
        [19, 20, 21, 22]
    );
    // An offset wins over the exam's zone: 03:40Z is 11:40 in Shanghai.
    assert_eq!(
        seqs(&f(None, Some("seal"), Some("2026-06-07T03:40:00Z"), None)),
        [19, 20]
    );
    assert_eq!(
        seqs(&f(
            Some("AS-0001"),
            Some("dispatch"),
            Some("2026-06-07T12:00"),
            None
        )),
        [21]
    );

    let bad = LogFilter::parse(None, Some("opened"), None, None, ZONE).unwrap_err();
    assert!(
        bad.contains("--kind \"opened\" is not an event kind"),
        "{bad}"
    );
    let bad = LogFilter::parse(None, None, Some("yesterday"), None, ZONE).unwrap_err();
    assert!(bad.starts_with("--since: cannot read time"), "{bad}");
    let bad = LogFilter::parse(
        None,
        None,
        Some("2026-06-08T00:00"),
        Some("2026-06-07T00:00"),
        ZONE,
    )
    .unwrap_err();
    assert!(bad.contains("is after --until"), "{bad}");

    // Rows and table.
    let mut table = custody::present::log::log_table(Lang::En);
    custody::present::log::walk_log(&path, &f(None, Some("collect"), None, None), |item| {
        table.push(custody::present::log::log_row(&item, Lang::En))
    })
    .unwrap();
    let text = table.render(80);
    let row = text.lines().nth(1).unwrap();
    assert!(
        row.starts_with("  8  2026-06-06 10:00  collect  c1+s1    3 bags"),
        "{row}"
    );
    assert!(text_width(row) <= 80);
}

#[test]
fn entry_json_keeps_the_log_shape() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_exam(dir.path());
    let mut values = Vec::new();
    custody::present::log::walk_log(&path, &LogFilter::default(), |item| {
        values.push(custody::present::json::entry_json(
            item.entry.unwrap(),
            item.findings,
        ))
    })
    .unwrap();
    let v = &values[8];
    for key in [
        "seq",
        "hash",
        "prev_hash",
        "recorded_at",
        "event_time",
        "kind",
        "signers",
        "head",
        "nonce",
        "event",
        "signatures",
        "findings",
    ] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["kind"], "collect");
    assert_eq!(v["event"]["bags"][2]["id"], "SP-001");
    assert_eq!(v["event_time"], "2026-06-06T02:00:00Z");
    assert_eq!(values[1]["event"]["name"], "张伟");
    assert_eq!(values[8]["prev_hash"], values[7]["hash"]);
}

// ---------------------------------------------------------------------------------------------
// Through the binary, on a ledger recorded with `custody record`

/// A fixed-offset zone in which it is now between 18:00 and 19:00, so that events recorded a few
/// hours ago all fall on today's date there.
fn evening_zone() -> String {
    let hour = Timestamp::now().0.div_euclid(3_600_000).rem_euclid(24);
    let mut k = (18 - hour).rem_euclid(24);
    if k > 14 {
        k -= 24;
    }
    match k {
        0 => "Etc/GMT".into(),
        k if k > 0 => format!("Etc/GMT-{k}"),
        k => format!("Etc/GMT+{}", -k),
    }
}

/// `minutes` from now, as the exam zone's civil time without an offset (`2026-06-07T13:05:00`).
fn local(minutes: i64, zone: &str) -> String {
    let shown = Timestamp::now().plus_seconds(minutes * 60).display_in(zone);
    shown[..19].replacen(' ', "T", 1)
}

struct Exam {
    fx: Fixture,
    zone: String,
}

impl Exam {
    #[track_caller]
    fn record(&self, signers: &[&str], at_min: i64, args: &[&str]) {
        let mut all: Vec<String> = vec!["record".into()];
        all.extend(args.iter().map(|s| s.to_string()));
        all.extend(["--at".to_string(), local(at_min, &self.zone)]);
        all.extend(self.fx.signing(signers));
        self.fx.run(&all).exits(0);
    }
}

/// Founders a1..a3, six staff, session yuwen from 4 h ago to 2 h ago; two question-paper bags
/// collected, sent and opened, answer sheets of room 1 sealed and returned, room 2's still due.
fn recorded_exam() -> Exam {
    let fx = Fixture::new();
    let zone = evening_zone();
    let mut args: Vec<String> = ["init", "--exam", "2026 学考", "--tz", &zone, "--json"]
        .map(String::from)
        .to_vec();
    for (i, id) in ["a1", "a2", "a3"].into_iter().enumerate() {
        fx.keygen(id, &format!("主任{i}"));
        args.extend([
            "--founder".into(),
            format!("keys/{id}.pub"),
            "--founder-person".into(),
            format!("100{}", i + 1),
        ]);
    }
    args.extend(fx.signing(&["a1", "a2", "a3"]));
    fx.run(&args).exits(0);
    for (i, (id, name, role)) in [
        ("c1", "张伟", "custodian"),
        ("s1", "李娜", "supervisor"),
        ("e1", "王强", "escort"),
        ("ch1", "赵敏", "chief_examiner"),
        ("i1", "刘洋", "invigilator"),
        ("i2", "陈静", "invigilator"),
    ]
    .into_iter()
    .enumerate()
    {
        fx.keygen(id, name);
        fx.enroll(id, &[role], &format!("200{i}"), &["a1", "a2"])
            .exits(0);
    }
    let mut schedule: Vec<String> = ["schedule", "--session", "yuwen", "--subject", "语文"]
        .map(String::from)
        .to_vec();
    schedule.extend([
        "--start".into(),
        local(-240, &zone),
        "--end".into(),
        local(-120, &zone),
    ]);
    schedule.extend(fx.signing(&["a1", "a2"]));
    fx.run(&schedule).exits(0);
    let exam = Exam { fx, zone };
    exam.record(
        &["c1", "s1"],
        -300,
        &[
            "collect",
            "--bag",
            "QP-0001:S1001:30",
            "--bag",
            "QP-0002:S2001:30",
            "--kind",
            "question_papers",
            "--session",
            "yuwen",
            "--site",
            SITE,
            "--room",
            ROOM1,
        ],
    );
    exam.record(
        &["c1", "e1"],
        -290,
        &[
            "dispatch", "--to", SITE, "--escort", "e1", "--bag", "QP-0001", "--bag", "QP-0002",
        ],
    );
    exam.record(
        &["ch1", "e1"],
        -260,
        &[
            "arrive",
            "--site",
            SITE,
            "--bag",
            "QP-0001:S1001",
            "--bag",
            "QP-0002:S2001",
        ],
    );
    exam.record(
        &["ch1", "i1"],
        -245,
        &[
            "open",
            "--site",
            SITE,
            "--room",
            ROOM1,
            "--bag",
            "QP-0001:S1001:30",
        ],
    );
    exam.record(
        &["i1", "i2"],
        -110,
        &[
            "seal",
            "--bag",
            "AS-0001:S9001:29",
            "--session",
            "yuwen",
            "--site",
            SITE,
            "--room",
            ROOM1,
        ],
    );
    exam.record(
        &["ch1", "e1"],
        -100,
        &[
            "dispatch",
            "--to-room",
            "--escort",
            "e1",
            "--bag",
            "AS-0001",
        ],
    );
    exam.record(&["c1", "e1"], -70, &["return", "--bag", "AS-0001:S9001"]);
    exam
}

#[track_caller]
fn fits(text: &str) {
    for l in text.lines() {
        assert!(text_width(l) <= 80, "{} columns: {l}", text_width(l));
    }
}

#[test]
fn log_bag_and_status_through_the_binary() {
    let exam = recorded_exam();
    let fx = &exam.fx;
    let zone = exam.zone.as_str();

    // log: filters by kind, bag and time (civil times read in the exam's zone).
    let kinds = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["log", "--json"];
        all.extend(args);
        let v = fx.run(&all).exits(0).json();
        v.as_array()
            .expect("an array")
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds(&[]).len(), 15);
    assert_eq!(kinds(&["--kind", "open"]), ["open"]);
    assert_eq!(kinds(&["--kind", "enroll"]).len(), 6);
    assert_eq!(
        kinds(&["--bag", "QP-0001"]),
        ["collect", "dispatch", "arrive", "open"]
    );
    let since = local(-120, zone);
    let until = local(-60, zone);
    assert_eq!(
        kinds(&["--since", &since, "--until", &until]),
        ["seal", "dispatch", "return"]
    );
    assert_eq!(
        kinds(&["--since", &since, "--until", &until, "--kind", "dispatch"]),
        ["dispatch"]
    );
    let log = fx.run(&["log", "--bag", "AS-0001"]).exits(0);
    fits(&log.stdout);
    assert!(
        log.stdout.contains(&format!("times in {zone}")),
        "{}",
        log.stdout
    );
    assert_eq!(log.stdout.lines().count(), 5, "{}", log.stdout);
    assert!(log.stdout.contains("  seal  "), "{}", log.stdout);

    let bad = fx.run(&["log", "--kind", "opened"]).exits(2);
    assert!(bad.stderr.contains("not an event kind"), "{}", bad.stderr);
    assert!(bad.stderr.contains("collect"), "{}", bad.stderr);
    let bad = fx.run(&["log", "--since", "last tuesday"]).exits(2);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
    let bad = fx
        .run(&["log", "--since", &until, "--until", &since])
        .exits(2);
    assert!(bad.stderr.contains("after --until"), "{}", bad.stderr);

    // bag: the timeline in order, with names.
    let bag = fx.run(&["bag", "QP-0001"]).exits(0);
    fits(&bag.stdout);
    let text = &bag.stdout;
    let pos: Vec<usize> = ["collect", "dispatch", "arrive", "open"]
        .iter()
        .map(|k| {
            text.find(&format!("  {k}  "))
                .unwrap_or_else(|| panic!("{k}: {text}"))
        })
        .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(
        text.contains("张伟, 李娜") && text.contains("赵敏, 刘洋"),
        "{text}"
    );
    assert!(text.contains("opened 第01考场"), "{text}");
    let v = fx.run(&["bag", "AS-0001", "--json"]).exits(0).json();
    let kinds: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["seal", "dispatch", "return"]);
    assert_eq!(v["bag"]["place"]["where"], "room");
    assert_eq!(v["timeline"][2]["signers"][1]["name"], "王强");
    let bad = fx.run(&["bag", "QP-9999"]).exits(2);
    assert!(
        bad.stderr.contains("no bag QP-9999 in the ledger"),
        "{}",
        bad.stderr
    );

    // status: every bag, and the reconciliation sheet.
    let status = fx.run(&["status"]).exits(0);
    fits(&status.stdout);
    assert!(status.stdout.contains("3 bags"), "{}", status.stdout);
    let v = fx.run(&["status", "--json"]).exits(0).json();
    let ids: Vec<&str> = v["bags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["AS-0001", "QP-0001", "QP-0002"]);
    let sheet = fx.run(&["status", "--session", "yuwen"]).exits(0);
    fits(&sheet.stdout);
    let total = sheet
        .stdout
        .lines()
        .find(|l| l.starts_with("TOTAL"))
        .unwrap_or_else(|| panic!("{}", sheet.stdout));
    // Both bags went to room 1: 2 bags, 60 papers, 30 opened, 29 sealed and back, QP-0002
    // still unopened at the site.
    let numbers: Vec<&str> = total.split_whitespace().skip(1).collect();
    assert_eq!(
        numbers,
        ["2", "60", "30", "29", "29", "1"],
        "{}",
        sheet.stdout
    );
    assert!(
        sheet.stdout.contains("missing QP-0002: at 第一中学"),
        "{}",
        sheet.stdout
    );
    let v = fx
        .run(&["status", "--session", "yuwen", "--json", "--site", SITE])
        .exits(0)
        .json();
    assert_eq!(v["total"]["opened"], 30);
    assert_eq!(v["rooms"][0]["missing_bags"][0], "QP-0002");
    let bad = fx.run(&["status", "--session", "shuxue"]).exits(2);
    assert!(
        bad.stderr
            .contains("no session shuxue in the ledger: it has yuwen"),
        "{}",
        bad.stderr
    );
}

#[test]
fn the_views_need_a_ledger() {
    let fx = Fixture::new();
    for args in [
        vec!["--ledger", "nope", "bag", "QP-0001"],
        vec!["--ledger", "nope", "status"],
        vec!["--ledger", "nope", "log", "--kind", "open"],
    ] {
        let run = fx.run(&args).exits(2);
        assert!(run.stderr.contains("no ledger"), "{args:?}: {}", run.stderr);
    }
    let run = fx
        .run(&["--ledger", "nope", "log", "--kind", "nope"])
        .exits(2);
    assert!(run.stderr.contains("not an event kind"), "{}", run.stderr);
}

/// Every view of the tiny exam, in both languages, as a person reads it at 80 columns.
#[test]
fn the_tables_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_exam(dir.path());
    let (report, state) = audit::replay(&path).unwrap();
    let mut out = String::new();
    for lang in Lang::ALL {
        let mut log = custody::present::log::log_table(lang);
        custody::present::log::walk_log(&path, &LogFilter::default(), |item| {
            log.push(custody::present::log::log_row(&item, lang))
        })
        .unwrap();
        let status = Status::new(&state, report.last_recorded, None).unwrap();
        let sheet = custody::present::status::reconcile(&state, "yuwen", None).unwrap();
        let timeline =
            custody::present::timeline::bag_timeline(&path, &state, "SP-0001", lang).unwrap();
        for text in [
            log.render(80),
            status.render(80, lang),
            sheet.render(80, lang),
            timeline.render(80),
        ] {
            for l in text.lines() {
                assert!(text_width(l) <= 80, "{l}");
            }
            out.push_str(&text);
            out.push('\n');
        }
    }
    insta::assert_snapshot!(out);
}
