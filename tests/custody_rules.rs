//! The custody rules of `docs/CUSTODY.md`, through the real binary, each in its three forms:
//!
//! 1. refused without a note: exit 3, the finding code on stderr, the journal byte for byte as
//!    it was;
//! 2. accepted with `--incident TEXT` and reported by `verify` (exit 1) at that entry, with the
//!    bag in the JSON finding's `bag` field;
//! 3. reported by `verify` when the same event is forced into the journal by a raw append that
//!    bypasses every check (`force`).
//!
//! Plus the rules that are never bent (always refused), late records and the end-of-ledger
//! findings, one honest journey with no finding at all, co-signer roles, corrections and the
//! ways bags are given on the command line.
//!
//! One small exam is built once (`template`) and copied into each test's own directory: founders
//! a1..a3, custodian c1, supervisor s1, escorts e1 e2, chief examiner x1, invigilators i1 i2,
//! four sessions placed around the time the suite starts, and six bags in the confidentiality
//! room. Opening windows and time limits are exercised with `--at` times in the past: an event
//! time more than 5 minutes ahead is refused (`FUTURE_EVENT`), so a session that starts hours
//! from now cannot have its window tested today.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::bag::Destination;
use custody::bag::{BagKind, BagObs, BagSpec, Correction, IncidentKind};
use custody::draft::Draft;
use custody::event::{
    Arrive, Cabinet, Collect, Correct, Dispatch, Event, Handover, Incident, Inspect, Open, Return,
    Schedule, Seal,
};
use custody::finding::Code;
use custody::ledger::{self, Ledger, LedgerError};
use custody::time::Timestamp;
use serde_json::json;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;
use util::forms::{
    Case, NOTE, audit, force, found, full_args, next_seq, record, strings, three_forms,
};
use util::{Fixture, Run};

const SITE: &str = "第一中学";
const ROOM: &str = "第01考场";
const OTHER_SITE: &str = "第二中学";
const OTHER_ROOM: &str = "第02考场";
const FROM: &str = "省教育考试院";
const CABINET: &str = "A1";

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// The exam zone and its offset from UTC in hours: a fixed-offset zone in which it is about noon
/// when the tests start, so that the sessions placed a few hours around now fall on one calendar
/// day whatever the hour the suite runs. (In Asia/Shanghai, `yuwen` started on the day before
/// from 00:00 to 01:00 there, and two tests failed with SHEETS_NOT_BACK.)
fn zone() -> &'static (String, i64) {
    static ZONE: OnceLock<(String, i64)> = OnceLock::new();
    ZONE.get_or_init(|| {
        let utc_hour = Timestamp::now().0.div_euclid(HOUR * 1000).rem_euclid(24);
        let offset = 12 - utc_hour;
        // POSIX signs: Etc/GMT-8 is eight hours ahead of UTC.
        let name = match offset {
            0 => "Etc/UTC".to_string(),
            o if o > 0 => format!("Etc/GMT-{o}"),
            o => format!("Etc/GMT+{}", -o),
        };
        (name, offset)
    })
}

fn zone_name() -> &'static str {
    &zone().0
}

/// The entry of the template's collect (after the genesis, 7 enrolments and 4 sessions).
const COLLECT_SEQ: u64 = 12;

/// The template's bags: id, kind, session, seal, count. All for `SITE` / `ROOM`.
const BAGS: [(&str, &str, &str, &str, u32); 6] = [
    ("QP-1", "question_papers", "yuwen", "S1001", 30),
    ("QP-2", "question_papers", "yuwen", "S1002", 30),
    ("BA-1", "blank_answer_sheets", "yuwen", "S2001", 30),
    ("SP-1", "spare_papers", "yuwen", "S3001", 5),
    ("QE-1", "question_papers", "ended", "S4001", 30),
    ("QY-1", "question_papers", "yesterday", "S6001", 30),
];

// ---------------------------------------------------------------------------------------------
// The exam fixture, built once and copied

/// Times the template was built around.
#[derive(Clone, Copy)]
struct Clock {
    /// When the template was built.
    now: Timestamp,
    /// `yuwen` starts an hour before `now` and ends three hours after it.
    yuwen: Timestamp,
    /// `ended` ran from six to four hours before `now`.
    ended: Timestamp,
    /// `later` starts three days after `now`: too far ahead to collect its papers today.
    later: Timestamp,
    /// `yesterday` starts one minute before the last midnight in the exam zone, so that
    /// anything recorded now is on another calendar day than its start.
    yesterday: Timestamp,
    /// A time in `yesterday`'s opening window and less than 24 hours before `now`.
    yesterday_open: Timestamp,
}

impl Clock {
    fn around(now: Timestamp) -> Clock {
        // The last midnight in the exam zone, in UTC milliseconds.
        let offset = zone().1 * HOUR * 1000;
        let midnight = Timestamp((now.0 + offset).div_euclid(DAY * 1000) * DAY * 1000 - offset);
        assert_eq!(midnight.date_in(zone_name()), now.date_in(zone_name()));
        assert_ne!(
            midnight.plus_seconds(-1).date_in(zone_name()),
            now.date_in(zone_name())
        );
        let yesterday = midnight.plus_seconds(-MINUTE);
        // Ten minutes before its start, unless that is more than 23 h 55 min ago.
        let yesterday_open = Timestamp(
            yesterday
                .plus_seconds(-10 * MINUTE)
                .0
                .max(now.plus_seconds(-(DAY - 5 * MINUTE)).0),
        );
        assert!(yesterday_open <= yesterday.plus_seconds(15 * MINUTE));
        Clock {
            now,
            yuwen: now.plus_seconds(-HOUR),
            ended: now.plus_seconds(-6 * HOUR),
            later: now.plus_seconds(3 * DAY),
            yesterday,
            yesterday_open,
        }
    }

    /// `now` shifted by `s` seconds.
    fn at(&self, s: i64) -> Timestamp {
        self.now.plus_seconds(s)
    }
}

struct Template {
    dir: tempfile::TempDir,
    clock: Clock,
}

static TEMPLATE: OnceLock<Template> = OnceLock::new();

/// One test's own copy of the exam.
struct Exam {
    fx: Fixture,
    clock: Clock,
}

impl std::ops::Deref for Exam {
    type Target = Fixture;
    fn deref(&self) -> &Fixture {
        &self.fx
    }
}

/// A fresh copy of the exam fixture, index included (rebuilding it costs a full replay).
fn exam() -> Exam {
    let t = TEMPLATE.get_or_init(build_template);
    let fx = Fixture::new();
    util::copy_dir(t.dir.path(), fx.tmp.path());
    Exam { fx, clock: t.clock }
}

fn build_template() -> Template {
    let parent = Path::new(env!("CARGO_TARGET_TMPDIR"));
    util::remove_stale_templates(parent, "custody-rules-template-");
    let tmp = tempfile::Builder::new()
        .prefix("custody-rules-template-")
        .tempdir_in(parent)
        .expect("template dir");
    let fx = Fixture { tmp };
    fx.init3_with(&["--tz", zone_name()]);
    let staff = [
        ("c1", "王丽", "custodian", "2001"),
        ("s1", "李强", "supervisor", "2002"),
        ("e1", "张伟", "escort", "2003"),
        ("e2", "刘洋", "escort", "2004"),
        ("x1", "陈静", "chief_examiner", "2005"),
        ("i1", "杨帆", "invigilator", "2006"),
        ("i2", "赵敏", "invigilator", "2007"),
    ];
    for (id, name, role, person) in staff {
        fx.keygen(id, name);
        fx.enroll(id, &[role], person, &["a1", "a2"]).exits(0);
    }
    let clock = Clock::around(Timestamp::now());
    for (session, subject, start, length) in [
        ("yuwen", "语文", clock.yuwen, 4 * HOUR),
        ("ended", "数学", clock.ended, 2 * HOUR),
        ("later", "英语", clock.later, 2 * HOUR),
        ("yesterday", "物理", clock.yesterday, 30 * MINUTE),
    ] {
        schedule(&fx, session, subject, start, start.plus_seconds(length));
    }
    let mut csv = String::from("bag_id,kind,session,site,room,seal,count\n");
    for (id, kind, session, seal, count) in BAGS {
        csv.push_str(&format!(
            "{id},{kind},{session},{SITE},{ROOM},{seal},{count}\n"
        ));
    }
    fs::write(fx.path("bags.csv"), csv).unwrap();
    let seq = record(
        &fx,
        &[
            "record",
            "collect",
            "--manifest",
            "bags.csv",
            "--from",
            FROM,
        ],
        &["c1", "s1"],
        // Nearly a day ago (LATE_RECORD comes after 24 h): every event on a bag is dated at or
        // after its collection, and the tests date openings in the past.
        Some(clock.at(-(DAY - 2 * MINUTE))),
    );
    assert_eq!(seq, COLLECT_SEQ);
    assert_eq!(audit(&fx), vec![], "the exam fixture starts clean");
    Template { dir: fx.tmp, clock }
}

// ---------------------------------------------------------------------------------------------
// Driving the binary

#[track_caller]
fn schedule(fx: &Fixture, session: &str, subject: &str, start: Timestamp, end: Timestamp) -> u64 {
    let (start, end) = (start.to_rfc3339(), end.to_rfc3339());
    let args = [
        "schedule",
        "--session",
        session,
        "--subject",
        subject,
        "--start",
        &start,
        "--end",
        &end,
    ];
    record(fx, &args, &["a1", "a2"], None)
}

/// Custodian c1 and escort e1 take bags from the room to `SITE`.
#[track_caller]
fn dispatch(fx: &Fixture, bags: &[&str], at: Option<Timestamp>) -> u64 {
    let mut args = strings(&["record", "dispatch", "--to", SITE, "--escort", "e1"]);
    for b in bags {
        args.extend(["--bag".to_string(), b.to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    record(fx, &args, &["c1", "e1"], at)
}

/// Chief examiner x1 and escort e1 receive bags (`ID:SEAL`) at `SITE`.
#[track_caller]
fn arrive(fx: &Fixture, bags: &[&str], at: Option<Timestamp>) -> u64 {
    let mut args = strings(&["record", "arrive", "--site", SITE]);
    for b in bags {
        args.extend(["--bag".to_string(), b.to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    record(fx, &args, &["x1", "e1"], at)
}

/// x1 and invigilator i1 open one bag (`ID:SEAL`) in `SITE` / `ROOM`.
#[track_caller]
fn open(fx: &Fixture, bag: &str, at: Timestamp) -> u64 {
    let args = [
        "record", "open", "--site", SITE, "--room", ROOM, "--bag", bag,
    ];
    record(fx, &args, &["x1", "i1"], Some(at))
}

/// Two invigilators seal answer sheets (`ID:SEAL:COUNT`) for `session` in `SITE` / `ROOM`.
#[track_caller]
fn seal(fx: &Fixture, bag: &str, session: &str) -> u64 {
    let args = [
        "record",
        "seal",
        "--bag",
        bag,
        "--session",
        session,
        "--site",
        SITE,
        "--room",
        ROOM,
    ];
    record(fx, &args, &["i1", "i2"], None)
}

/// A bag (`ID:SEAL`) of `yuwen` taken to its site and received there, 100 and 90 minutes before
/// the session starts: early enough for every opening the tests date.
fn at_the_site(ex: &Exam, bag: &str) {
    let id = bag.split(':').next().unwrap();
    dispatch(ex, &[id], Some(ex.clock.yuwen.plus_seconds(-100 * MINUTE)));
    arrive(ex, &[bag], Some(ex.clock.yuwen.plus_seconds(-90 * MINUTE)));
}

/// QP-1 taken to its site and received there.
fn qp1_at_the_site(ex: &Exam) {
    at_the_site(ex, "QP-1:S1001");
}

/// QP-1 at its site and opened there, on time (30 papers in the room's tally).
fn qp1_opened(ex: &Exam) {
    qp1_at_the_site(ex);
    open(ex, "QP-1:S1001:30", ex.clock.yuwen);
}

/// QY-1 (session `yesterday`) opened on time, and its 30 answer sheets sealed as AY-1, still at
/// the site. Returns the seal's seq.
fn yesterdays_sheets_sealed(ex: &Exam) -> u64 {
    let opening = ex.clock.yesterday_open;
    dispatch(ex, &["QY-1"], Some(opening.plus_seconds(-2 * MINUTE)));
    arrive(ex, &["QY-1:S6001"], Some(opening.plus_seconds(-MINUTE)));
    open(ex, "QY-1:S6001:30", ex.clock.yesterday_open);
    seal(ex, "AY-1:S9101:30", "yesterday")
}

// ---------------------------------------------------------------------------------------------
// The audit

// ---------------------------------------------------------------------------------------------
// Events, as the library builds them for `force`

fn obs(id: &str, seal: Option<&str>, count: Option<u32>) -> BagObs {
    BagObs {
        id: id.into(),
        seal: seal.map(str::to_string),
        count,
    }
}

fn spec(id: &str, kind: BagKind, session: &str, seal: &str, count: u32) -> BagSpec {
    BagSpec {
        id: id.into(),
        kind,
        session: session.into(),
        site: SITE.into(),
        room: ROOM.into(),
        seal: seal.into(),
        count,
    }
}

fn inspect_event(bags: Vec<BagObs>) -> Event {
    Event::Inspect(Inspect {
        bags,
        incident: None,
        cabinet: None,
    })
}

fn open_event(bag: BagObs, site: &str, room: &str) -> Event {
    Event::Open(Open {
        bags: vec![bag],
        site: site.into(),
        room: room.into(),
        incident: None,
    })
}

// ---------------------------------------------------------------------------------------------
// The three forms of a custody rule

#[test]
fn a_bag_that_was_never_collected_cannot_be_handled_without_a_note() {
    let ex = exam();
    let case = Case {
        args: vec!["record", "inspect", "--bag", "GHOST-1:S9999"],
        signers: &["c1", "s1"],
        at: None,
        event: inspect_event(vec![obs("GHOST-1", Some("S9999"), None)]),
    };
    three_forms(&ex, case, "BAG_NOT_COLLECTED", Some("GHOST-1"));
}

#[test]
fn a_barcode_is_collected_only_once() {
    let ex = exam();
    let case = Case {
        args: vec![
            "record",
            "collect",
            "--bag",
            "QP-1:S1001:30",
            "--kind",
            "question_papers",
            "--session",
            "yuwen",
            "--site",
            SITE,
            "--room",
            ROOM,
            "--from",
            FROM,
        ],
        signers: &["c1", "s1"],
        at: None,
        event: Event::Collect(Collect {
            bags: vec![spec("QP-1", BagKind::QuestionPapers, "yuwen", "S1001", 30)],
            from: FROM.into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "BAG_ALREADY_COLLECTED", Some("QP-1"));
}

#[test]
fn a_bag_is_withdrawn_only_from_the_cabinet_it_is_in() {
    let ex = exam();
    record(
        &ex,
        &["record", "store", "--cabinet", CABINET, "--bag", "QP-1"],
        &["c1", "s1"],
        None,
    );
    // The refusal says where the bag is and which cabinet was named, the right way round.
    let args = ["record", "withdraw", "--cabinet", "A2", "--bag", "QP-1"];
    let run = ex.refused(
        &full_args(&ex, &args, &["c1", "s1"], None),
        3,
        "WRONG_PLACE",
    );
    assert!(
        run.stderr
            .contains("bag QP-1 is in cabinet A1, not in cabinet A2"),
        "{}",
        run.stderr
    );
    let store = ["record", "store", "--cabinet", "A2", "--bag", "QP-1"];
    let run = ex.refused(
        &full_args(&ex, &store, &["c1", "s1"], None),
        3,
        "WRONG_PLACE",
    );
    assert!(
        run.stderr.contains(
            "bag QP-1 is in cabinet A1: only a bag in the confidentiality room, outside any \
             cabinet, is stored"
        ),
        "{}",
        run.stderr
    );
    let case = Case {
        args: args.to_vec(),
        signers: &["c1", "s1"],
        at: None,
        event: Event::Withdraw(Cabinet {
            bags: vec![obs("QP-1", None, None)],
            cabinet: "A2".into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "WRONG_PLACE", Some("QP-1"));
}

#[test]
fn a_bag_arrives_only_where_it_was_dispatched() {
    let ex = exam();
    dispatch(&ex, &["QP-1"], None);
    let case = Case {
        args: vec![
            "record",
            "arrive",
            "--site",
            OTHER_SITE,
            "--bag",
            "QP-1:S1001",
        ],
        signers: &["x1", "e1"],
        at: None,
        event: Event::Arrive(Arrive {
            bags: vec![obs("QP-1", Some("S1001"), None)],
            site: OTHER_SITE.into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "WRONG_DESTINATION", Some("QP-1"));
}

#[test]
fn the_seal_the_signers_see_must_be_the_recorded_seal() {
    let ex = exam();
    let case = Case {
        args: vec!["record", "inspect", "--bag", "QP-1:S1009"],
        signers: &["c1", "s1"],
        at: None,
        event: inspect_event(vec![obs("QP-1", Some("S1009"), None)]),
    };
    three_forms(&ex, case, "SEAL_MISMATCH", Some("QP-1"));
    // The report a person reads names the code and the bag too.
    let report = ex.run(&["verify"]).exits(1);
    assert!(report.stdout.contains("SEAL_MISMATCH"), "{}", report.stdout);
    assert!(report.stdout.contains("QP-1"), "{}", report.stdout);
}

#[test]
fn the_count_the_signers_see_must_be_the_recorded_count() {
    let ex = exam();
    let case = Case {
        args: vec!["record", "inspect", "--bag", "QP-1:S1001:29"],
        signers: &["c1", "s1"],
        at: None,
        event: inspect_event(vec![obs("QP-1", Some("S1001"), Some(29))]),
    };
    three_forms(&ex, case, "COUNT_MISMATCH", Some("QP-1"));
}

#[test]
fn answer_sheets_sealed_in_a_room_never_exceed_the_papers_opened_there() {
    let ex = exam();
    qp1_opened(&ex); // 30 papers opened in the room
    let case = Case {
        args: vec![
            "record",
            "seal",
            "--bag",
            "AS-1:S9001:31",
            "--session",
            "yuwen",
            "--site",
            SITE,
            "--room",
            ROOM,
        ],
        signers: &["i1", "i2"],
        at: None,
        event: Event::Seal(Seal {
            bag: spec("AS-1", BagKind::CompletedAnswerSheets, "yuwen", "S9001", 31),
            incident: None,
        }),
    };
    three_forms(&ex, case, "SHEETS_EXCEED_PAPERS", Some("AS-1"));
}

/// Mutation testing found that every room could share one tally and nothing noticed: papers
/// opened in one room then covered answer sheets sealed in any other.
#[test]
fn answer_sheets_are_counted_against_the_papers_of_their_own_room_only() {
    let ex = exam();
    qp1_opened(&ex); // 30 papers opened in ROOM, none in R-99
    let case = Case {
        args: vec![
            "record",
            "seal",
            "--bag",
            "AS-1:S9001:1",
            "--session",
            "yuwen",
            "--site",
            SITE,
            "--room",
            "R-99",
        ],
        signers: &["i1", "i2"],
        at: None,
        event: Event::Seal(Seal {
            bag: BagSpec {
                room: "R-99".into(),
                ..spec("AS-1", BagKind::CompletedAnswerSheets, "yuwen", "S9001", 1)
            },
            incident: None,
        }),
    };
    three_forms(&ex, case, "SHEETS_EXCEED_PAPERS", Some("AS-1"));
}

/// The audit's summary counts the bags the ledger knows (mutation testing found no test read it).
#[test]
fn the_audit_counts_every_bag_it_knows() {
    let ex = exam();
    let report = ex.run(&["verify", "--json"]).json();
    assert_eq!(report["bags"], BAGS.len());
    qp1_opened(&ex);
    seal(&ex, "AS-1:S9001:30", "yuwen");
    let report = ex.run(&["verify", "--json"]).json();
    assert_eq!(report["bags"], BAGS.len() + 1);
}

/// A session needs an id and a subject, each on its own: mutation testing found that a blank
/// subject beside a real id went unnoticed.
#[test]
fn a_session_with_a_blank_id_or_a_blank_subject_is_invalid() {
    for (session, subject) in [("s9", " "), (" ", "化学")] {
        let ex = exam();
        let start = ex.clock.now.plus_seconds(3 * DAY);
        let event = Event::Schedule(Schedule {
            session: session.into(),
            subject: subject.into(),
            start,
            end: start.plus_seconds(2 * HOUR),
            incident: None,
        });
        let seq = force(&ex, event, ex.clock.now, &["a1", "a2"]);
        assert_eq!(
            audit(&ex),
            vec![found("EVENT_INVALID", seq, None)],
            "session {session:?}, subject {subject:?}"
        );
    }
}

/// A bag needs a session, a site, a room and a seal: mutation testing found the check of the
/// last three unexercised.
#[test]
fn a_bag_collected_without_a_site_a_room_or_a_seal_is_invalid() {
    for blank in ["site", "room", "seal"] {
        let ex = exam();
        let mut bag = spec("QP-9", BagKind::QuestionPapers, "yuwen", "S9009", 30);
        match blank {
            "site" => bag.site = " ".into(),
            "room" => bag.room = " ".into(),
            _ => bag.seal = " ".into(),
        }
        let event = Event::Collect(Collect {
            bags: vec![bag],
            from: FROM.into(),
            incident: None,
        });
        let at = ex.clock.at(-(DAY - 3 * MINUTE));
        let seq = force(&ex, event, at, &["c1", "s1"]);
        assert_eq!(
            audit(&ex),
            vec![found("EVENT_INVALID", seq, None)],
            "a blank {blank}"
        );
    }
}

#[test]
fn a_bag_is_opened_only_once() {
    let ex = exam();
    qp1_opened(&ex);
    let case = Case {
        args: vec![
            "record",
            "open",
            "--site",
            SITE,
            "--room",
            ROOM,
            "--bag",
            "QP-1:S1001:30",
        ],
        signers: &["x1", "i1"],
        at: Some(ex.clock.yuwen),
        event: open_event(obs("QP-1", Some("S1001"), Some(30)), SITE, ROOM),
    };
    three_forms(&ex, case, "OPEN_TWICE", Some("QP-1"));
}

#[test]
fn a_bag_is_opened_only_in_its_own_room() {
    let ex = exam();
    qp1_at_the_site(&ex);
    let case = Case {
        args: vec![
            "record",
            "open",
            "--site",
            SITE,
            "--room",
            OTHER_ROOM,
            "--bag",
            "QP-1:S1001:30",
        ],
        signers: &["x1", "i1"],
        at: Some(ex.clock.yuwen),
        event: open_event(obs("QP-1", Some("S1001"), Some(30)), SITE, OTHER_ROOM),
    };
    three_forms(&ex, case, "OPEN_WRONG_ROOM", Some("QP-1"));
}

#[test]
fn completed_answer_sheets_are_never_opened_in_the_county() {
    let ex = exam();
    qp1_opened(&ex);
    seal(&ex, "AS-1:S9001:30", "yuwen");
    let case = Case {
        args: vec![
            "record",
            "open",
            "--site",
            SITE,
            "--room",
            ROOM,
            "--bag",
            "AS-1:S9001:30",
        ],
        signers: &["x1", "i1"],
        at: None,
        event: open_event(obs("AS-1", Some("S9001"), Some(30)), SITE, ROOM),
    };
    three_forms(&ex, case, "OPEN_NOT_ALLOWED", Some("AS-1"));
}

#[test]
fn spare_papers_are_opened_only_with_a_note() {
    let ex = exam();
    at_the_site(&ex, "SP-1:S3001");
    let case = Case {
        args: vec![
            "record",
            "open",
            "--site",
            SITE,
            "--room",
            ROOM,
            "--bag",
            "SP-1:S3001:5",
        ],
        signers: &["x1", "i1"],
        at: Some(ex.clock.yuwen),
        event: open_event(obs("SP-1", Some("S3001"), Some(5)), SITE, ROOM),
    };
    three_forms(&ex, case, "SPARE_OPENED", Some("SP-1"));
}

#[test]
fn nothing_happens_to_a_bag_after_its_release() {
    let ex = exam();
    record(
        &ex,
        &["record", "release", "--to", "阅卷中心", "--bag", "QP-1"],
        &["a1", "c1"],
        None,
    );
    let case = Case {
        args: vec!["record", "inspect", "--bag", "QP-1:S1001"],
        signers: &["c1", "s1"],
        at: None,
        event: inspect_event(vec![obs("QP-1", Some("S1001"), None)]),
    };
    three_forms(&ex, case, "AFTER_RELEASE", Some("QP-1"));
}

#[test]
fn question_papers_are_not_opened_more_than_15_minutes_before_the_start() {
    let ex = exam();
    qp1_at_the_site(&ex);
    let case = Case {
        args: vec![
            "record",
            "open",
            "--site",
            SITE,
            "--room",
            ROOM,
            "--bag",
            "QP-1:S1001:30",
        ],
        signers: &["x1", "i1"],
        at: Some(ex.clock.yuwen.plus_seconds(-HOUR)),
        event: open_event(obs("QP-1", Some("S1001"), Some(30)), SITE, ROOM),
    };
    three_forms(&ex, case, "OPEN_EARLY", Some("QP-1"));
}

#[test]
fn papers_are_not_opened_more_than_15_minutes_after_the_start() {
    let ex = exam();
    qp1_at_the_site(&ex);
    let case = Case {
        args: vec![
            "record",
            "open",
            "--site",
            SITE,
            "--room",
            ROOM,
            "--bag",
            "QP-1:S1001:30",
        ],
        signers: &["x1", "i1"],
        at: Some(ex.clock.yuwen.plus_seconds(30 * MINUTE)),
        event: open_event(obs("QP-1", Some("S1001"), Some(30)), SITE, ROOM),
    };
    three_forms(&ex, case, "OPEN_LATE", Some("QP-1"));
}

#[test]
fn a_transit_of_more_than_3_hours_is_flagged_on_arrival() {
    let ex = exam();
    dispatch(&ex, &["QP-1"], Some(ex.clock.at(-5 * HOUR)));
    let case = Case {
        args: vec!["record", "arrive", "--site", SITE, "--bag", "QP-1:S1001"],
        signers: &["x1", "e1"],
        at: Some(ex.clock.at(-HOUR)),
        event: Event::Arrive(Arrive {
            bags: vec![obs("QP-1", Some("S1001"), None)],
            site: SITE.into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "TRANSIT_TOO_LONG", Some("QP-1"));
}

#[test]
fn a_bag_is_not_received_before_it_was_dispatched() {
    let ex = exam();
    dispatch(&ex, &["QP-1"], Some(ex.clock.at(-HOUR)));
    let case = Case {
        args: vec!["record", "arrive", "--site", SITE, "--bag", "QP-1:S1001"],
        signers: &["x1", "e1"],
        at: Some(ex.clock.at(-2 * HOUR)),
        event: Event::Arrive(Arrive {
            bags: vec![obs("QP-1", Some("S1001"), None)],
            site: SITE.into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "ARRIVED_BEFORE_DISPATCH", Some("QP-1"));
}

#[test]
fn papers_are_not_collected_more_than_2_days_before_their_session() {
    let ex = exam();
    let case = Case {
        args: vec![
            "record",
            "collect",
            "--bag",
            "QL-1:S5001:30",
            "--kind",
            "question_papers",
            "--session",
            "later",
            "--site",
            SITE,
            "--room",
            ROOM,
            "--from",
            FROM,
        ],
        signers: &["c1", "s1"],
        at: None,
        event: Event::Collect(Collect {
            bags: vec![spec("QL-1", BagKind::QuestionPapers, "later", "S5001", 30)],
            from: FROM.into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "HELD_TOO_LONG", Some("QL-1"));
}

#[test]
fn completed_answer_sheets_come_back_on_the_day_of_their_session() {
    let ex = exam();
    yesterdays_sheets_sealed(&ex);
    record(
        &ex,
        &[
            "record",
            "dispatch",
            "--to-room",
            "--escort",
            "e2",
            "--bag",
            "AY-1",
        ],
        &["x1", "e2"],
        None,
    );
    let case = Case {
        args: vec!["record", "return", "--bag", "AY-1:S9101"],
        signers: &["c1", "e2"],
        at: None,
        event: Event::Return(Return {
            bags: vec![obs("AY-1", Some("S9101"), None)],
            incident: None,
        }),
    };
    three_forms(&ex, case, "ANSWER_SHEETS_LATE", Some("AY-1"));
}

#[test]
fn a_session_is_not_rescheduled_less_than_24_hours_before_its_start() {
    let ex = exam();
    let start = ex.clock.yuwen.plus_seconds(30 * MINUTE);
    let end = start.plus_seconds(3 * HOUR);
    let (start_text, end_text) = (start.to_rfc3339(), end.to_rfc3339());
    let case = Case {
        args: vec![
            "schedule",
            "--session",
            "yuwen",
            "--subject",
            "语文",
            "--start",
            &start_text,
            "--end",
            &end_text,
        ],
        signers: &["a1", "a2"],
        at: None,
        event: Event::Schedule(Schedule {
            session: "yuwen".into(),
            subject: "语文".into(),
            start,
            end,
            incident: None,
        }),
    };
    // A reschedule concerns a session, not a bag: the finding names none.
    three_forms(&ex, case, "RESCHEDULE_LATE", None);
}

// ---------------------------------------------------------------------------------------------
// Rules that are never bent

#[test]
fn an_event_dated_in_the_future_is_refused_even_with_a_note() {
    let ex = exam();
    let ahead = Timestamp::now().plus_seconds(10 * MINUTE);
    let args = full_args(
        &ex,
        &["record", "inspect", "--bag", "QP-1:S1001"],
        &["c1", "s1"],
        Some(ahead),
    );
    ex.refused(&args, 3, "FUTURE_EVENT");
    let noted = [args, strings(&["--incident", NOTE])].concat();
    ex.refused(&noted, 3, "FUTURE_EVENT");

    let seq = force(
        &ex,
        inspect_event(vec![obs("QP-1", Some("S1001"), None)]),
        ahead,
        &["c1", "s1"],
    );
    assert_eq!(audit(&ex), vec![found("FUTURE_EVENT", seq, None)]);
}

#[test]
fn a_bag_for_a_session_never_scheduled_is_refused_even_with_a_note() {
    let ex = exam();
    let args = full_args(
        &ex,
        &[
            "record",
            "collect",
            "--bag",
            "QN-1:S7001:30",
            "--kind",
            "question_papers",
            "--session",
            "nosuch",
            "--site",
            SITE,
            "--room",
            ROOM,
        ],
        &["c1", "s1"],
        None,
    );
    ex.refused(&args, 3, "SESSION_UNKNOWN");
    let noted = [args, strings(&["--incident", NOTE])].concat();
    ex.refused(&noted, 3, "SESSION_UNKNOWN");

    let event = Event::Collect(Collect {
        bags: vec![spec("QN-1", BagKind::QuestionPapers, "nosuch", "S7001", 30)],
        from: FROM.into(),
        incident: None,
    });
    let seq = force(&ex, event, Timestamp::now(), &["c1", "s1"]);
    assert_eq!(audit(&ex), vec![found("SESSION_UNKNOWN", seq, None)]);
}

#[test]
fn an_event_that_contradicts_itself_is_refused_even_with_a_note() {
    let ex = exam();
    // An escort who is not on the roster: the dispatch contradicts the ledger.
    let args = full_args(
        &ex,
        &[
            "record", "dispatch", "--to", SITE, "--escort", "nobody", "--bag", "QP-1",
        ],
        &["c1", "e1"],
        None,
    );
    ex.refused(&args, 3, "EVENT_INVALID");
    let noted = [args, strings(&["--incident", NOTE])].concat();
    ex.refused(&noted, 3, "EVENT_INVALID");

    // An opening of no bag at all: the command line cannot even say it...
    let args = full_args(
        &ex,
        &["record", "open", "--site", SITE, "--room", ROOM],
        &["x1", "i1"],
        None,
    );
    ex.refused(&args, 2, "no bags");
    // ...the library refuses it...
    let empty = || {
        Event::Open(Open {
            bags: vec![],
            site: SITE.into(),
            room: ROOM.into(),
            incident: Some(NOTE.into()),
        })
    };
    let before = ex.journal_bytes();
    let peek = ledger::peek(&ex.ledger()).unwrap();
    let body = ledger::prepare(&peek, empty(), Timestamp::now(), strings(&["x1", "i1"]))
        .encode()
        .unwrap();
    let sigs = ex.cosign(&body, &["x1", "i1"]);
    let mut ledger = Ledger::open(&ex.ledger()).unwrap();
    let err = ledger.append(body, sigs).unwrap_err();
    ledger.close().unwrap();
    let LedgerError::Refused(findings) = err else {
        panic!("expected a refusal, got {err}");
    };
    let codes: Vec<Code> = findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, vec![Code::EventInvalid]);
    assert!(ex.journal_bytes() == before);

    // ...and the audit reports it when it is forced in.
    let seq = force(&ex, empty(), Timestamp::now(), &["x1", "i1"]);
    assert_eq!(audit(&ex), vec![found("EVENT_INVALID", seq, None)]);
}

#[test]
fn a_text_with_a_control_character_is_refused_on_submit_and_reported_when_forced() {
    // The command line refuses such text before the rules see it (tests/hostile.rs); a draft
    // made by hand, or a forced entry, reaches the rule itself.
    let ex = exam();
    for bad in ["\u{1b}[2K", "\u{85}", "\u{7f}"] {
        let text = format!("seal intact{bad} (hidden)");
        let events = [
            (
                "inspect",
                Event::Inspect(Inspect {
                    bags: vec![obs("QP-1", Some("S1001"), Some(30))],
                    incident: Some(text.clone()),
                    cabinet: None,
                }),
            ),
            (
                "incident",
                Event::Incident(Incident {
                    bags: vec!["QP-1".into()],
                    kind: IncidentKind::Other,
                    note: text.clone(),
                    cabinet: None,
                }),
            ),
            (
                "correction",
                Event::Correct(Correct {
                    seq: COLLECT_SEQ,
                    bag: "QP-1".into(),
                    fix: Correction::Count(31),
                    note: text.clone(),
                }),
            ),
        ];
        for (what, event) in events {
            let case = format!("{what} with {bad:?}");
            let before = ex.journal_bytes();
            let seq = next_seq(&ex);

            // Submitted as a hand-made draft, co-signed: refused, the journal untouched.
            let peek = ledger::peek(&ex.ledger()).unwrap();
            let signers = ["c1", "s1"];
            let ids = signers.iter().map(|s| s.to_string()).collect();
            let body = ledger::prepare(&peek, event.clone(), Timestamp::now(), ids)
                .encode()
                .unwrap();
            let mut draft = Draft::new(body.clone()).unwrap();
            for sig in ex.cosign(&body, &signers) {
                draft.add(sig).unwrap();
            }
            let file = ex.path(&format!("{what}-{}.draft", bad.len()));
            draft.write_new(&file).unwrap();
            let run = ex.refused(
                &["submit".to_string(), file.display().to_string()],
                3,
                "EVENT_INVALID",
            );
            assert!(
                run.stderr.contains("control character"),
                "{case}: {}",
                run.stderr
            );
            assert_eq!(ex.journal_bytes(), before, "{case}");

            let declares = matches!(event, Event::Incident(_));
            // Forced into the journal: the audit's finding is the same.
            assert_eq!(force(&ex, event, Timestamp::now(), &signers), seq);
            // A forced incident is also what it declares (INCIDENT_OTHER on its bag).
            let mut expected = vec![found("EVENT_INVALID", seq, None)];
            if declares {
                expected.push(found("INCIDENT_OTHER", seq, Some("QP-1")));
            }
            assert_eq!(audit(&ex), expected, "{case} forced into the journal");
            fs::write(ex.journal(), &before).unwrap();
        }
    }
}

#[test]
fn empty_notes_are_bad_input() {
    let ex = exam();
    let incident = full_args(
        &ex,
        &[
            "record", "incident", "--kind", "other", "--note", " ", "--bag", "QP-1",
        ],
        &["c1", "s1"],
        None,
    );
    ex.refused(&incident, 2, "--note");
    let correct = full_args(
        &ex,
        &[
            "record", "correct", "--entry", "12", "--bag", "QP-1", "--seal", "S1002", "--note", "",
        ],
        &["c1", "s1"],
        None,
    );
    ex.refused(&correct, 2, "--note");
}

#[test]
fn an_empty_incident_note_does_not_excuse_a_violation() {
    let ex = exam();
    for note in ["", "   "] {
        let args = full_args(
            &ex,
            &[
                "record",
                "inspect",
                "--bag",
                "QP-1:S1009",
                "--incident",
                note,
            ],
            &["c1", "s1"],
            None,
        );
        let run = ex.run(&args);
        assert!(
            run.code == 2 || run.code == 3,
            "an empty --incident {note:?} was accepted: {run:?}"
        );
    }
    assert_eq!(audit(&ex), vec![]);
}

#[test]
fn a_correction_of_an_entry_that_did_not_record_the_bag_is_refused() {
    let ex = exam();
    // Entry 8 scheduled `yuwen`; it recorded no bag.
    let args = full_args(
        &ex,
        &[
            "record",
            "correct",
            "--entry",
            "8",
            "--bag",
            "QP-1",
            "--seal",
            "S1009",
            "--note",
            "typed the wrong seal",
        ],
        &["c1", "s1"],
        None,
    );
    ex.refused(&args, 3, "CORRECTION_INVALID");
    // A bag the ledger never saw, and a barcode already in use.
    let args = full_args(
        &ex,
        &[
            "record", "correct", "--entry", "12", "--bag", "QP-9", "--seal", "S1009", "--note",
            "typo",
        ],
        &["c1", "s1"],
        None,
    );
    ex.refused(&args, 3, "CORRECTION_INVALID");
    let args = full_args(
        &ex,
        &[
            "record",
            "correct",
            "--entry",
            "12",
            "--bag",
            "QP-1",
            "--barcode",
            "QP-2",
            "--note",
            "typo",
        ],
        &["c1", "s1"],
        None,
    );
    ex.refused(&args, 3, "CORRECTION_INVALID");

    let event = Event::Correct(Correct {
        seq: 8,
        bag: "QP-1".into(),
        fix: Correction::Seal("S1009".into()),
        note: "typed the wrong seal".into(),
    });
    let seq = force(&ex, event, Timestamp::now(), &["c1", "s1"]);
    assert_eq!(
        audit(&ex),
        vec![found("CORRECTION_INVALID", seq, Some("QP-1"))]
    );
}

// ---------------------------------------------------------------------------------------------
// Late records and what is still open at the end of the ledger

#[test]
fn an_event_recorded_more_than_a_day_late_is_accepted_and_reported() {
    let ex = exam();
    let late = ex.clock.at(-25 * HOUR);
    let args = late_schedule(&ex);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut args = full_args(&ex, &args, &["a1", "a2"], Some(late));
    args.push("--json".into());
    let receipt = ex.run(&args).exits(0).json();
    let seq = receipt["seq"].as_u64().unwrap();
    assert_eq!(receipt["flagged"][0]["code"], "LATE_RECORD", "{receipt}");
    assert_eq!(audit(&ex), vec![found("LATE_RECORD", seq, None)]);
}

/// Scheduling a session two days ahead: an event on no bag, which may be dated before the
/// template's bags were collected.
fn late_schedule(ex: &Exam) -> Vec<String> {
    let start = ex.clock.at(2 * DAY).to_rfc3339();
    let end = ex.clock.at(2 * DAY + 2 * HOUR).to_rfc3339();
    strings(&[
        "schedule",
        "--session",
        "late",
        "--subject",
        "化学",
        "--start",
        &start,
        "--end",
        &end,
    ])
}

#[test]
fn the_receipt_tells_the_signers_what_the_audit_will_report() {
    let ex = exam();
    let args = late_schedule(&ex);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let late = full_args(&ex, &args, &["a1", "a2"], Some(ex.clock.at(-25 * HOUR)));
    let run = ex.run(&late).exits(0);
    assert!(
        run.stderr.contains("LATE_RECORD"),
        "a late record is accepted without a word:\n{}",
        run.stderr
    );
    let noted = full_args(
        &ex,
        &[
            "record",
            "inspect",
            "--bag",
            "QP-1:S1009",
            "--incident",
            NOTE,
        ],
        &["c1", "s1"],
        None,
    );
    let run = ex.run(&noted).exits(0);
    assert!(
        run.stderr.contains("SEAL_MISMATCH"),
        "a noted violation is accepted without a word:\n{}",
        run.stderr
    );
}

#[test]
fn a_bag_dispatched_and_never_received_is_still_in_transit() {
    let ex = exam();
    let seq = dispatch(&ex, &["QP-1"], Some(ex.clock.at(-4 * HOUR)));
    record(
        &ex,
        &["record", "inspect", "--bag", "QP-2:S1002"],
        &["c1", "s1"],
        None,
    );
    assert_eq!(
        audit(&ex),
        vec![found("STILL_IN_TRANSIT", seq, Some("QP-1"))]
    );
}

#[test]
fn a_bag_left_unopened_at_a_site_after_its_session_is_not_returned() {
    let ex = exam();
    dispatch(&ex, &["QE-1"], None);
    let seq = arrive(&ex, &["QE-1:S4001"], None);
    assert_eq!(audit(&ex), vec![found("NOT_RETURNED", seq, Some("QE-1"))]);
}

#[test]
fn answer_sheets_still_at_the_site_after_their_day_are_not_back() {
    let ex = exam();
    let seq = yesterdays_sheets_sealed(&ex);
    assert_eq!(
        audit(&ex),
        vec![found("SHEETS_NOT_BACK", seq, Some("AY-1"))]
    );
}

// ---------------------------------------------------------------------------------------------
// The honest path

/// A session start within a minute of now, on the calendar day (exam zone) of the next few
/// minutes, so that opening now is on time and a return now is on the same day.
fn start_near_now() -> Timestamp {
    let now = Timestamp::now();
    let start = now.plus_seconds(-MINUTE);
    if start.date_in(zone_name()) == now.plus_seconds(5 * MINUTE).date_in(zone_name()) {
        start
    } else {
        now.plus_seconds(5 * MINUTE)
    }
}

#[test]
fn an_honest_journey_from_collection_to_release_has_no_findings() {
    let ex = exam();
    let start = start_near_now();
    schedule(&ex, "honest", "化学", start, start.plus_seconds(2 * HOUR));
    let room = ["c1", "s1"];
    let collect = [
        "record",
        "collect",
        "--bag",
        "HQ-1:S8001:30",
        "--kind",
        "question_papers",
        "--session",
        "honest",
        "--site",
        SITE,
        "--room",
        ROOM,
        "--from",
        FROM,
    ];
    record(&ex, &collect, &room, None);
    let cabinet = ["--cabinet", CABINET, "--bag", "HQ-1"];
    record(
        &ex,
        &[&["record", "store"][..], &cabinet].concat(),
        &room,
        None,
    );
    record(
        &ex,
        &["record", "inspect", "--bag", "HQ-1:S8001"],
        &room,
        None,
    );
    record(
        &ex,
        &[&["record", "withdraw"][..], &cabinet].concat(),
        &room,
        None,
    );
    dispatch(&ex, &["HQ-1"], None);
    arrive(&ex, &["HQ-1:S8001"], None);
    open(
        &ex,
        "HQ-1:S8001:30",
        Timestamp::now().max(start.plus_seconds(-10 * MINUTE)),
    );
    seal(&ex, "HA-1:S8101:29", "honest");
    record(
        &ex,
        &[
            "record",
            "dispatch",
            "--to-room",
            "--escort",
            "e2",
            "--bag",
            "HA-1",
        ],
        &["x1", "e2"],
        None,
    );
    record(
        &ex,
        &["record", "return", "--bag", "HA-1:S8101"],
        &["c1", "e2"],
        None,
    );
    record(
        &ex,
        &["record", "release", "--to", "阅卷中心", "--bag", "HA-1"],
        &["a1", "c1"],
        None,
    );
    assert_eq!(audit(&ex), vec![], "verify exits 0 on the honest journey");
}

#[test]
fn opening_windows_include_their_bounds_and_blank_answer_sheets_open_30_minutes_early() {
    let ex = exam();
    let start = ex.clock.yuwen;
    dispatch(
        &ex,
        &["QP-1", "QP-2", "BA-1"],
        Some(start.plus_seconds(-100 * MINUTE)),
    );
    arrive(
        &ex,
        &["QP-1:S1001", "QP-2:S1002", "BA-1:S2001"],
        Some(start.plus_seconds(-90 * MINUTE)),
    );
    let open_args = |bag: &str, at: Timestamp| {
        full_args(
            &ex,
            &[
                "record", "open", "--site", SITE, "--room", ROOM, "--bag", bag,
            ],
            &["x1", "i1"],
            Some(at),
        )
    };
    open(&ex, "QP-1:S1001:30", start.plus_seconds(-15 * MINUTE));
    ex.refused(
        &open_args("QP-2:S1002:30", start.plus_seconds(-15 * MINUTE - 1)),
        3,
        "OPEN_EARLY",
    );
    ex.refused(
        &open_args("QP-2:S1002:30", start.plus_seconds(15 * MINUTE + 1)),
        3,
        "OPEN_LATE",
    );
    open(&ex, "QP-2:S1002:30", start.plus_seconds(15 * MINUTE));
    ex.refused(
        &open_args("BA-1:S2001:30", start.plus_seconds(-30 * MINUTE - 1)),
        3,
        "OPEN_EARLY",
    );
    open(&ex, "BA-1:S2001:30", start.plus_seconds(-30 * MINUTE));
    assert_eq!(audit(&ex), vec![]);
}

// ---------------------------------------------------------------------------------------------
// Co-signer roles

#[test]
fn a_collect_co_signed_by_two_custodians_is_refused() {
    let ex = exam();
    ex.keygen("c2", "周丽");
    ex.enroll("c2", &["custodian"], "2008", &["a1", "a2"])
        .exits(0);
    let args = full_args(
        &ex,
        &[
            "record",
            "collect",
            "--bag",
            "QP-3:S1003:30",
            "--kind",
            "question_papers",
            "--session",
            "yuwen",
            "--site",
            SITE,
            "--room",
            ROOM,
        ],
        &["c1", "c2"],
        None,
    );
    ex.refused(&args, 3, "ROLE_MISSING");
    // A note records a fact; it never stands in for the second role.
    let noted = [args, strings(&["--incident", NOTE])].concat();
    ex.refused(&noted, 3, "ROLE_MISSING");
}

#[test]
fn two_invigilators_may_open_a_bag() {
    let ex = exam();
    qp1_at_the_site(&ex);
    let args = [
        "record",
        "open",
        "--site",
        SITE,
        "--room",
        ROOM,
        "--bag",
        "QP-1:S1001:30",
    ];
    record(&ex, &args, &["i1", "i2"], Some(ex.clock.yuwen));
    assert_eq!(audit(&ex), vec![]);
}

// ---------------------------------------------------------------------------------------------
// Issue 15: escorts, incidents, the order of events, the exam day

fn dispatch_event(bags: Vec<BagObs>, escorts: &[&str]) -> Event {
    Event::Dispatch(Dispatch {
        bags,
        to: Destination::Site(SITE.into()),
        escorts: escorts.iter().map(|e| e.to_string()).collect(),
        incident: None,
    })
}

#[test]
fn a_dispatch_is_co_signed_by_an_escort_it_names() {
    let ex = exam();
    let case = Case {
        args: vec![
            "record", "dispatch", "--to", SITE, "--escort", "e2", "--bag", "QP-1",
        ],
        signers: &["c1", "e1"],
        at: None,
        event: dispatch_event(vec![obs("QP-1", None, None)], &["e2"]),
    };
    three_forms(&ex, case, "ESCORT_NOT_SIGNING", None);
}

#[test]
fn an_arrival_is_co_signed_by_an_escort_who_travelled_with_the_bag() {
    let ex = exam();
    dispatch(&ex, &["QP-1"], None);
    let case = Case {
        args: vec!["record", "arrive", "--site", SITE, "--bag", "QP-1:S1001"],
        signers: &["x1", "e2"],
        at: None,
        event: Event::Arrive(Arrive {
            bags: vec![obs("QP-1", Some("S1001"), None)],
            site: SITE.into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "ESCORT_NOT_ON_DISPATCH", Some("QP-1"));
}

#[test]
fn escorts_change_on_the_road_by_a_handover_both_co_sign() {
    let ex = exam();
    dispatch(&ex, &["QP-1"], None);
    let handover = [
        "record",
        "handover",
        "--from-escort",
        "e1",
        "--to-escort",
        "e2",
        "--bag",
        "QP-1:S1001",
    ];
    record(&ex, &handover, &["e1", "e2"], None);
    // e1 left the bags with e2: only e2 can vouch for them at the site.
    let by_e1 = ["record", "arrive", "--site", SITE, "--bag", "QP-1:S1001"];
    ex.refused(
        &full_args(&ex, &by_e1, &["x1", "e1"], None),
        3,
        "ESCORT_NOT_ON_DISPATCH",
    );
    record(&ex, &by_e1, &["x1", "e2"], None);
    assert_eq!(audit(&ex), vec![]);
}

#[test]
fn a_handover_is_made_by_an_escort_who_has_the_bags() {
    let ex = exam();
    dispatch(&ex, &["QP-1"], None);
    let case = Case {
        args: vec![
            "record",
            "handover",
            "--from-escort",
            "e2",
            "--to-escort",
            "e1",
            "--bag",
            "QP-1:S1001",
        ],
        signers: &["e2", "e1"],
        at: None,
        event: Event::Handover(Handover {
            bags: vec![obs("QP-1", Some("S1001"), None)],
            from: vec!["e2".into()],
            to: vec!["e1".into()],
            incident: None,
        }),
    };
    three_forms(&ex, case, "ESCORT_NOT_ON_DISPATCH", Some("QP-1"));
}

#[test]
fn police_officers_escort_papers() {
    let ex = exam();
    ex.keygen("p1", "周警官");
    ex.enroll("p1", &["police"], "2008", &["a1", "a2"]).exits(0);
    record(
        &ex,
        &[
            "record", "dispatch", "--to", SITE, "--escort", "p1", "--bag", "QP-1",
        ],
        &["c1", "p1"],
        None,
    );
    record(
        &ex,
        &["record", "arrive", "--site", SITE, "--bag", "QP-1:S1001"],
        &["x1", "p1"],
        None,
    );
    assert_eq!(audit(&ex), vec![]);
}

#[test]
fn a_declared_lost_bag_is_a_finding() {
    let ex = exam();
    let args = [
        "record",
        "incident",
        "--kind",
        "lost",
        "--bag",
        "QP-1",
        "--note",
        "not in cabinet A1 at the morning check",
    ];
    // Forced into the journal past every check: reported.
    let before = ex.journal_bytes();
    let event = Event::Incident(Incident {
        bags: vec!["QP-1".into()],
        kind: custody::bag::IncidentKind::Lost,
        note: "not in cabinet A1".into(),
        cabinet: None,
    });
    let seq = force(&ex, event, Timestamp::now(), &["c1", "s1"]);
    assert_eq!(audit(&ex), vec![found("INCIDENT_LOST", seq, Some("QP-1"))]);
    fs::write(ex.journal(), &before).unwrap();

    // Recorded, never refused: it is a note. Reported, critical, and verify exits 1.
    let mut full = full_args(&ex, &args, &["c1", "s1"], None);
    full.push("--json".into());
    let receipt = ex.run(&full).exits(0).json();
    assert_eq!(receipt["seq"], seq);
    assert_eq!(receipt["flagged"][0]["code"], "INCIDENT_LOST", "{receipt}");
    let report = ex.run(&["verify", "--json"]).exits(1).json();
    assert_eq!(report["findings"][0]["severity"], "critical", "{report}");
    assert_eq!(audit(&ex), vec![found("INCIDENT_LOST", seq, Some("QP-1"))]);
}

#[test]
fn a_used_spare_is_only_listed() {
    let ex = exam();
    let args = [
        "record",
        "incident",
        "--kind",
        "spare_used",
        "--bag",
        "SP-1",
        "--note",
        "a torn paper replaced",
    ];
    record(&ex, &args, &["c1", "s1"], None);
    assert_eq!(audit(&ex), vec![]);
}

#[test]
fn an_event_on_a_bag_is_not_dated_before_its_previous_event() {
    let ex = exam();
    let cabinet = ["record", "store", "--cabinet", CABINET, "--bag", "QP-1"];
    record(
        &ex,
        &cabinet,
        &["c1", "s1"],
        Some(ex.clock.yuwen.plus_seconds(-3 * HOUR)),
    );
    let case = Case {
        args: vec!["record", "inspect", "--bag", "QP-1:S1001"],
        signers: &["c1", "s1"],
        at: Some(ex.clock.yuwen.plus_seconds(-4 * HOUR)),
        event: inspect_event(vec![obs("QP-1", Some("S1001"), None)]),
    };
    three_forms(&ex, case, "OUT_OF_ORDER", Some("QP-1"));
}

#[test]
fn answer_sheets_are_not_sealed_before_their_session_starts() {
    let ex = exam();
    qp1_at_the_site(&ex);
    open(
        &ex,
        "QP-1:S1001:30",
        ex.clock.yuwen.plus_seconds(-10 * MINUTE),
    );
    let case = Case {
        args: vec![
            "record",
            "seal",
            "--bag",
            "AS-1:S9001:30",
            "--session",
            "yuwen",
            "--site",
            SITE,
            "--room",
            ROOM,
        ],
        signers: &["i1", "i2"],
        at: Some(ex.clock.yuwen.plus_seconds(-5 * MINUTE)),
        event: Event::Seal(Seal {
            bag: spec("AS-1", BagKind::CompletedAnswerSheets, "yuwen", "S9001", 30),
            incident: None,
        }),
    };
    three_forms(&ex, case, "SEALED_EARLY", Some("AS-1"));
}

#[test]
fn papers_leave_the_room_only_within_hours_of_their_session() {
    let ex = exam();
    let store = ["record", "store", "--cabinet", CABINET, "--bag", "QP-1"];
    record(
        &ex,
        &store,
        &["c1", "s1"],
        Some(ex.clock.yuwen.plus_seconds(-6 * HOUR)),
    );
    let case = Case {
        args: vec!["record", "withdraw", "--cabinet", CABINET, "--bag", "QP-1"],
        signers: &["c1", "s1"],
        at: Some(ex.clock.yuwen.plus_seconds(-5 * HOUR)),
        event: Event::Withdraw(Cabinet {
            bags: vec![obs("QP-1", None, None)],
            cabinet: CABINET.into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "LEFT_EARLY", Some("QP-1"));
}

#[test]
fn a_seal_corrected_after_the_bag_moved_on_is_reported() {
    let ex = exam();
    dispatch(&ex, &["QP-1"], None);
    let entry = COLLECT_SEQ.to_string();
    let args = [
        "record",
        "correct",
        "--entry",
        &entry,
        "--bag",
        "QP-1",
        "--seal",
        "S1009",
        "--note",
        "typed S1001 for S1009",
    ];
    let before = ex.journal_bytes();
    let event = Event::Correct(Correct {
        seq: COLLECT_SEQ,
        bag: "QP-1".into(),
        fix: Correction::Seal("S1009".into()),
        note: "typed S1001 for S1009".into(),
    });
    let seq = force(&ex, event, Timestamp::now(), &["c1", "s1"]);
    assert_eq!(
        audit(&ex),
        vec![found("CORRECTION_AFTER_MOVE", seq, Some("QP-1"))]
    );
    fs::write(ex.journal(), &before).unwrap();

    // A correction carries its note: recorded, flagged on the receipt, always reported.
    let mut full = full_args(&ex, &args, &["c1", "s1"], None);
    full.push("--json".into());
    let receipt = ex.run(&full).exits(0).json();
    assert_eq!(receipt["seq"], seq);
    assert_eq!(receipt["flagged"][0]["code"], "CORRECTION_AFTER_MOVE");
    // The swapped seal then arrives "matching": the correction is what the audit shows.
    arrive(&ex, &["QP-1:S1009"], None);
    assert_eq!(
        audit(&ex),
        vec![found("CORRECTION_AFTER_MOVE", seq, Some("QP-1"))]
    );
}

#[test]
fn an_incident_note_belongs_to_the_bags_that_broke_the_rule() {
    let ex = exam();
    dispatch(&ex, &["QP-1", "QP-2"], None);
    let args = [
        "record",
        "arrive",
        "--site",
        SITE,
        "--bag",
        "QP-1:S1009",
        "--bag",
        "QP-2:S1002",
        "--incident",
        NOTE,
    ];
    let seq = ex.run(&full_args(&ex, &args, &["x1", "e1"], None)).exits(0);
    assert!(seq.stderr.contains("SEAL_MISMATCH"), "{}", seq.stderr);
    let note_at_arrival = |bag: &str| {
        let v = ex.run(&["bag", bag, "--json"]).exits(0).json();
        let rows = v["timeline"].as_array().unwrap().clone();
        let row = rows.iter().find(|r| r["kind"] == "arrive").unwrap().clone();
        row["incident"].clone()
    };
    assert_eq!(note_at_arrival("QP-1"), json!(NOTE), "the torn bag's note");
    assert_eq!(
        note_at_arrival("QP-2"),
        serde_json::Value::Null,
        "QP-2 arrived intact with it"
    );
}

#[test]
fn papers_are_counted_as_a_bag_is_opened() {
    let ex = exam();
    qp1_at_the_site(&ex);
    // Without a count: bad input on the command line, EVENT_INVALID in the judge.
    let uncounted = [
        "record",
        "open",
        "--site",
        SITE,
        "--room",
        ROOM,
        "--bag",
        "QP-1:S1001",
    ];
    ex.refused(
        &full_args(&ex, &uncounted, &["x1", "i1"], Some(ex.clock.yuwen)),
        2,
        "COUNT",
    );
    // One paper short: taken from the envelope in storage.
    let case = Case {
        args: vec![
            "record",
            "open",
            "--site",
            SITE,
            "--room",
            ROOM,
            "--bag",
            "QP-1:S1001:29",
        ],
        signers: &["x1", "i1"],
        at: Some(ex.clock.yuwen),
        event: open_event(obs("QP-1", Some("S1001"), Some(29)), SITE, ROOM),
    };
    three_forms(&ex, case, "COUNT_MISMATCH", Some("QP-1"));
}

#[test]
fn stored_bags_are_inspected_every_12_hours() {
    let ex = exam();
    let store = |bag: &str, at: Timestamp| {
        let args = ["record", "store", "--cabinet", CABINET, "--bag", bag];
        record(&ex, &args, &["c1", "s1"], Some(at));
    };
    store("QP-1", ex.clock.yuwen.plus_seconds(-20 * HOUR));
    store("QP-2", ex.clock.at(-13 * HOUR));
    // QP-1 leaves after 18 h unseen: recorded (it is a fact), flagged, reported.
    let withdraw = ["record", "withdraw", "--cabinet", CABINET, "--bag", "QP-1"];
    let mut args = full_args(
        &ex,
        &withdraw,
        &["c1", "s1"],
        Some(ex.clock.yuwen.plus_seconds(-2 * HOUR)),
    );
    args.push("--json".into());
    let receipt = ex.run(&args).exits(0).json();
    let seq = receipt["seq"].as_u64().unwrap();
    assert_eq!(receipt["flagged"][0]["code"], "INSPECTION_OVERDUE");
    // QP-2, 13 h in the cabinet at the end of the ledger, is reported there.
    let qp2_stored = seq - 1;
    assert_eq!(
        audit(&ex),
        vec![
            found("INSPECTION_OVERDUE", qp2_stored, Some("QP-2")),
            found("INSPECTION_OVERDUE", seq, Some("QP-1")),
        ]
    );
    // An inspection of QP-2 resets its clock.
    record(
        &ex,
        &["record", "inspect", "--bag", "QP-2:S1002"],
        &["c1", "s1"],
        None,
    );
    assert_eq!(
        audit(&ex),
        vec![found("INSPECTION_OVERDUE", seq, Some("QP-1"))]
    );
}

#[test]
fn an_unknown_barcode_gets_the_nearest_known_ones() {
    let ex = exam();
    // A lower-case L typed for the digit 1, and the case of a scanner set to lower case.
    let args = ["record", "inspect", "--bag", "qp-l:S1001"];
    let run = ex.refused(
        &full_args(&ex, &args, &["c1", "s1"], None),
        3,
        "BAG_NOT_COLLECTED",
    );
    assert!(
        run.stderr.contains("(did you mean QP-1, QP-2?)"),
        "{}",
        run.stderr
    );
    let args = ["record", "inspect", "--bag", "ZZ-99:S1"];
    let run = ex.refused(
        &full_args(&ex, &args, &["c1", "s1"], None),
        3,
        "BAG_NOT_COLLECTED",
    );
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Corrections

#[test]
fn a_corrected_seal_is_the_one_checked_from_then_on() {
    let ex = exam();
    let room = ["c1", "s1"];
    let collect = [
        "record",
        "collect",
        "--bag",
        "QC-1:S777:30",
        "--kind",
        "question_papers",
        "--session",
        "yuwen",
        "--site",
        SITE,
        "--room",
        ROOM,
    ];
    let collected = record(&ex, &collect, &room, None);
    let entry = collected.to_string();
    let correct = [
        "record",
        "correct",
        "--entry",
        &entry,
        "--bag",
        "QC-1",
        "--seal",
        "S7777",
        "--note",
        "typed S777 for S7777",
    ];
    record(&ex, &correct, &room, None);
    record(
        &ex,
        &["record", "inspect", "--bag", "QC-1:S7777"],
        &room,
        None,
    );
    let old = full_args(
        &ex,
        &["record", "inspect", "--bag", "QC-1:S777"],
        &room,
        None,
    );
    ex.refused(&old, 3, "SEAL_MISMATCH");

    // Both stay visible; neither the mistake nor its correction is a finding.
    let shown = ex.run(&["show", &entry, "--json"]).exits(0).json();
    assert_eq!(shown["event"]["bags"][0]["seal"], "S777", "{shown}");
    assert_eq!(audit(&ex), vec![]);
}

// ---------------------------------------------------------------------------------------------
// How bags are given

#[test]
fn a_manifest_with_chinese_site_names_collects_its_bags() {
    let ex = exam();
    // With a byte-order mark, as spreadsheet programs save it; kind from --kind.
    let csv = "\u{feff}bag_id,session,site,room,seal,count\n\
               QM-1,yuwen,第二中学,第03考场,S7101,30\n\
               QM-2,yuwen,第二中学,第04考场,S7102,28\n";
    fs::write(ex.path("m.csv"), csv).unwrap();
    let seq = record(
        &ex,
        &[
            "record",
            "collect",
            "--manifest",
            "m.csv",
            "--kind",
            "question_papers",
            "--from",
            FROM,
        ],
        &["c1", "s1"],
        None,
    );
    let shown = ex
        .run(&["show", &seq.to_string(), "--json"])
        .exits(0)
        .json();
    let bags = &shown["event"]["bags"];
    assert_eq!(bags[0]["site"], OTHER_SITE, "{shown}");
    assert_eq!(bags[0]["room"], "第03考场");
    assert_eq!(bags[1]["room"], "第04考场");
    assert_eq!(bags[1]["count"], 28);
    assert_eq!(bags[1]["kind"], "question_papers");
    // The template's own bags came from a manifest too.
    let shown = ex.run(&["show", &COLLECT_SEQ.to_string(), "--json"]).json();
    assert_eq!(shown["event"]["bags"][0]["site"], SITE);
    assert_eq!(shown["event"]["bags"][5]["session"], "yesterday");
    assert_eq!(audit(&ex), vec![]);
}

#[test]
fn a_malformed_manifest_is_bad_input_and_writes_nothing() {
    let ex = exam();
    let header = "bag_id,kind,session,site,room,seal,count\n";
    let row = |id: &str| format!("{id},question_papers,yuwen,{SITE},{ROOM},S7201,30\n");
    let mut bad_utf8 = header.as_bytes().to_vec();
    bad_utf8.extend(b"QM-9,question_papers,yuwen,\xb5\xda\xd2\xbb,r,S1,3\n"); // GBK, not UTF-8
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "dup.csv",
            format!("{header}{}{}", row("QM-5"), row("QM-5")).into_bytes(),
            "twice",
        ),
        ("gbk.csv", bad_utf8, "UTF-8"),
        (
            "noid.csv",
            "seal,count,kind,session,site,room\nS1,30,question_papers,yuwen,x,y\n".into(),
            "bag_id",
        ),
    ];
    for (name, bytes, needle) in cases {
        fs::write(ex.path(name), bytes).unwrap();
        let args = full_args(
            &ex,
            &["record", "collect", "--manifest", name],
            &["c1", "s1"],
            None,
        );
        ex.refused(&args, 2, needle);
    }
}

#[test]
fn a_barcode_scanner_on_standard_input_gives_ids_and_seals() {
    let ex = exam();
    let args = full_args(
        &ex,
        &["record", "inspect", "--bags-from", "-", "--json"],
        &["c1", "s1"],
        None,
    );
    let out = ex
        .cmd()
        .args(&args)
        .write_stdin("QP-1 S1001\n\n  QP-2\tS1002  \n")
        .output()
        .unwrap();
    let run = Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    let seq = run.exits(0).json()["seq"].as_u64().unwrap();
    let shown = ex
        .run(&["show", &seq.to_string(), "--json"])
        .exits(0)
        .json();
    assert_eq!(
        shown["event"]["bags"],
        json!([
            {"id": "QP-1", "seal": "S1001", "count": null},
            {"id": "QP-2", "seal": "S1002", "count": null},
        ])
    );
    assert_eq!(audit(&ex), vec![]);
}

#[test]
fn events_that_check_seals_refuse_a_bag_given_without_one() {
    let ex = exam();
    dispatch(&ex, &["QP-1"], None);
    let cases: [(&[&str], &[&str]); 4] = [
        (
            &["record", "arrive", "--site", SITE, "--bag", "QP-1"],
            &["x1", "e1"],
        ),
        (&["record", "inspect", "--bag", "QP-2"], &["c1", "s1"]),
        (
            &[
                "record", "open", "--site", SITE, "--room", ROOM, "--bag", "QP-1:",
            ],
            &["x1", "i1"],
        ),
        (&["record", "return", "--bag", "QP-1"], &["c1", "e1"]),
    ];
    for (args, signers) in cases {
        ex.refused(&full_args(&ex, args, signers, None), 2, "seal");
    }
}

#[test]
fn a_seal_change_recorded_with_a_note_is_reported_once_and_is_the_seal_from_then_on() {
    let ex = exam();
    let mut args = full_args(
        &ex,
        &["record", "inspect", "--bag", "QP-1:S7777"],
        &["c1", "s1"],
        None,
    );
    args.extend([
        "--incident".into(),
        "seal replaced by the province, letter 12".into(),
        "--json".into(),
    ]);
    let seq = ex.run(&args).exits(0).json()["seq"].as_u64().unwrap();
    // The next check of the same bag compares against the seal last witnessed.
    record(
        &ex,
        &["record", "inspect", "--bag", "QP-1:S7777"],
        &["c1", "s1"],
        None,
    );
    assert_eq!(audit(&ex), vec![found("SEAL_MISMATCH", seq, Some("QP-1"))]);
}

#[test]
fn a_dispatch_names_only_escorts_or_police_as_escorts() {
    let ex = exam();
    let args = full_args(
        &ex,
        &[
            "record",
            "dispatch",
            "--to",
            SITE,
            "--escort",
            "c1",
            "--bag",
            "QP-1",
            "--incident",
            "x",
        ],
        &["c1", "e1"],
        None,
    );
    ex.refused(&args, 3, "EVENT_INVALID");
}

#[test]
fn a_short_count_at_arrival_is_a_count_mismatch() {
    // Issue 15, rule 6: the count observed at every handover, the arrival included.
    let ex = exam();
    dispatch(
        &ex,
        &["QP-1"],
        Some(ex.clock.yuwen.plus_seconds(-100 * MINUTE)),
    );
    let at = Some(ex.clock.yuwen.plus_seconds(-90 * MINUTE));
    let case = Case {
        args: vec!["record", "arrive", "--site", SITE, "--bag", "QP-1:S1001:29"],
        signers: &["x1", "e1"],
        at,
        event: Event::Arrive(Arrive {
            bags: vec![obs("QP-1", Some("S1001"), Some(29))],
            site: SITE.into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "COUNT_MISMATCH", Some("QP-1"));
}

#[test]
fn a_short_count_at_return_is_a_count_mismatch() {
    // Issue 15, rule 6: a bag brought back unopened is counted again in the room.
    let ex = exam();
    qp1_at_the_site(&ex);
    let back = [
        "record",
        "dispatch",
        "--to-room",
        "--escort",
        "e1",
        "--bag",
        "QP-1",
    ];
    let at = ex.clock.yuwen.plus_seconds(-80 * MINUTE);
    record(&ex, &back, &["x1", "e1"], Some(at));
    let case = Case {
        args: vec!["record", "return", "--bag", "QP-1:S1001:29"],
        signers: &["c1", "e1"],
        at: Some(at.plus_seconds(10 * MINUTE)),
        event: Event::Return(Return {
            bags: vec![obs("QP-1", Some("S1001"), Some(29))],
            incident: None,
        }),
    };
    three_forms(&ex, case, "COUNT_MISMATCH", Some("QP-1"));
}

#[test]
fn a_bag_recorded_under_a_wrong_id_is_corrected_to_the_right_one() {
    // Issue 15, rule 8: an inspection typed QP-l for QP-1, accepted with a note; the barcode
    // correction links that entry to QP-1, and the finding stays listed, shown as corrected.
    let ex = exam();
    let mut inspect = full_args(
        &ex,
        &["record", "inspect", "--bag", "QP-l:S1001"],
        &["c1", "s1"],
        None,
    );
    inspect.extend(["--incident".into(), "scanner misread the barcode".into()]);
    ex.run(&inspect).exits(0);
    let wrong = next_seq(&ex) - 1;
    assert_eq!(
        audit(&ex),
        vec![found("BAG_NOT_COLLECTED", wrong, Some("QP-l"))]
    );
    let entry = wrong.to_string();
    let correct = |to: &str| {
        full_args(
            &ex,
            &[
                "record",
                "correct",
                "--entry",
                &entry,
                "--bag",
                "QP-l",
                "--barcode",
                to,
                "--note",
                "QP-1 misread",
            ],
            &["c1", "s1"],
            None,
        )
    };
    // To a barcode the ledger does not know either: refused, the nearest named.
    let run = ex.refused(&correct("QP-7"), 3, "CORRECTION_INVALID");
    assert!(run.stderr.contains("did you mean QP-1"), "{}", run.stderr);
    let fixed = ex.run(&correct("QP-1")).exits(0);
    let fix = next_seq(&ex) - 1;
    assert!(!fixed.stderr.contains("refused"), "{}", fixed.stderr);

    // Still listed, now shown as corrected, in JSON and in both languages.
    let report = ex.run(&["verify", "--json"]).exits(1).json();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["code"], "BAG_NOT_COLLECTED");
    assert_eq!(findings[0]["corrected"], fix, "{report}");
    // (The report wraps its lines: compared without white space.)
    let squeezed = |lang: &str| {
        let run = ex.run(&["--lang", lang, "verify"]).exits(1);
        run.stdout.split_whitespace().collect::<String>()
    };
    assert!(squeezed("en").contains(&format!("(correctedatentry{fix})")));
    assert!(squeezed("zh").contains(&format!("（已于第{fix}条更正）")));
    // QP-1's timeline holds the entry, named as it was recorded, and the correction.
    let timeline = ex.run(&["bag", "QP-1", "--json"]).exits(0).json();
    let rows = timeline["timeline"].as_array().unwrap();
    let row = |seq: u64| rows.iter().find(|r| r["seq"] == seq).expect("row");
    assert_eq!(row(wrong)["named_as"], "QP-l", "{timeline}");
    assert_eq!(row(COLLECT_SEQ)["named_as"], "QP-1", "{timeline}");
    assert!(
        row(fix)["correction"].as_str().unwrap().contains("QP-1"),
        "{timeline}"
    );
    // Once linked, the entry is not corrected twice.
    ex.refused(&correct("QP-2"), 3, "CORRECTION_INVALID");
}

#[test]
fn a_correction_shows_old_and_new_in_log_show_and_the_receipt() {
    // Issue 15, rule 4: every correction shows old -> new with its note (the reports and the
    // bag's timeline are checked in tests/pages.rs and tests/views.rs).
    let ex = exam();
    let collected = COLLECT_SEQ.to_string();
    let args = [
        "record",
        "correct",
        "--entry",
        &collected,
        "--bag",
        "QP-1",
        "--seal",
        "S1010",
        "--note",
        "typed S1001",
    ];
    let seq = record(&ex, &args, &["c1", "s1"], None).to_string();
    // (Tables wrap their cells: compared without white space.)
    let squeezed = |args: &[&str]| {
        let run = ex.run(args).exits(0);
        run.stdout.split_whitespace().collect::<String>()
    };
    for view in [
        vec!["log", "--bag", "QP-1"],
        vec!["show", &seq],
        vec!["receipt", &seq],
    ] {
        let mut en = vec!["--lang", "en"];
        en.extend(&view);
        let text = squeezed(&en);
        // (The log cuts a long detail to the width: the note is in `show` and the receipt.)
        assert!(text.contains("sealS1001->S1010"), "{text}");
        assert!(view[0] == "log" || text.contains("typedS1001"), "{text}");
        let mut zh = vec!["--lang", "zh"];
        zh.extend(&view);
        let text = squeezed(&zh);
        assert!(text.contains("封条号S1001改为S1010"), "{text}");
    }
}

/// A bag named by more entries than its own state holds (`HISTORY_TAIL`, 64) keeps every one of
/// them: the earliest move to chunks of their own, so that an entry costs the same however long
/// the run on one bag (the benchmark's adversarial ledger, one bag inspected a third of the
/// time, was quadratic before). A correction of an entry in a chunk, a barcode correction (the
/// chunks follow the bag), an append judged against the index, and the timeline all see the
/// whole history.
#[test]
fn a_bag_named_by_hundreds_of_entries_keeps_its_whole_history() {
    let ex = exam();
    let inspections: Vec<u64> = (0..150)
        .map(|_| {
            force(
                &ex,
                inspect_event(vec![obs("QP-2", Some("S1002"), None)]),
                ex.clock.now,
                &["c1", "s1"],
            )
        })
        .collect();
    assert_eq!(audit(&ex), vec![]);
    let correct = |seq: u64, bag: &str, fix: Correction| {
        let event = Event::Correct(Correct {
            seq,
            bag: bag.into(),
            fix,
            note: "recounted".into(),
        });
        force(&ex, event, ex.clock.now, &["c1", "s1"])
    };
    // The first inspection is in the bag's first chunk, the 70th in its second.
    let first = correct(inspections[0], "QP-2", Correction::Count(31));
    let renamed = correct(COLLECT_SEQ, "QP-2", Correction::BagId("QP-22".into()));
    let second = correct(inspections[69], "QP-22", Correction::Count(30));
    assert_eq!(audit(&ex), vec![]);
    // Appended through the binary: judged against the writer's index, absorbed one entry at
    // a time, then rebuilt from the audit's state.
    let third = record(
        &ex,
        &[
            "record",
            "correct",
            "--entry",
            &inspections[1].to_string(),
            "--bag",
            "QP-22",
            "--count",
            "29",
            "--note",
            "recounted",
        ],
        &["c1", "s1"],
        None,
    );
    ex.run(&["reindex"]).exits(0);
    let fourth = record(
        &ex,
        &[
            "record",
            "correct",
            "--entry",
            &inspections[2].to_string(),
            "--bag",
            "QP-22",
            "--count",
            "28",
            "--note",
            "recounted",
        ],
        &["c1", "s1"],
        None,
    );
    // An entry that never named the bag is still refused, chunks or not.
    let args = full_args(
        &ex,
        &[
            "record",
            "correct",
            "--entry",
            &(COLLECT_SEQ - 1).to_string(),
            "--bag",
            "QP-22",
            "--count",
            "29",
            "--note",
            "recounted",
        ],
        &["c1", "s1"],
        None,
    );
    ex.refused(&args, 3, "CORRECTION_INVALID");
    assert_eq!(audit(&ex), vec![]);
    let timeline = ex.run(&["bag", "QP-22", "--json"]).exits(0).json();
    let seqs: Vec<u64> = timeline["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .collect();
    let mut expected = vec![COLLECT_SEQ];
    expected.extend(&inspections);
    expected.extend([first, renamed, second, third, fourth]);
    assert_eq!(seqs, expected);
}
