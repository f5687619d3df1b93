//! The papers themselves (issue 17, items 7 and 8), through the real binary: a voided paper
//! version, its spare papers, a postponed session, the printer's list and the approved senders.
//! Each custody rule in the three forms of `tests/custody_rules.rs`: refused without a note,
//! recorded with `--incident` and reported, reported when forced into the journal.
//!
//! The exam: founders a1..a3, custodian c1, supervisor s1, escort e1, chief examiner x1,
//! invigilator i1; session `yuwen` from an hour ago to three hours from now; bags QP-1, QP-2
//! (question papers) and SP-1 (spare papers) collected nearly a day ago.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::bag::{BagKind, BagObs, BagSpec};
use custody::event::{Collect, Event, Open};
use custody::policy::Policy;
use custody::time::Timestamp;
use std::fs;
use util::Fixture;
use util::forms::{Case, audit, full_args, record, three_forms};

const SITE: &str = "第一中学";
const ROOM: &str = "第01考场";
const FROM: &str = "省教育考试院";
const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

struct Exam {
    fx: Fixture,
    now: Timestamp,
    /// `yuwen` starts an hour before `now`.
    start: Timestamp,
}

impl std::ops::Deref for Exam {
    type Target = Fixture;
    fn deref(&self) -> &Fixture {
        &self.fx
    }
}

/// The exam, with `policy` as the genesis policy.
fn exam_with(policy: Option<&Policy>) -> Exam {
    let fx = Fixture::new();
    let mut extra = vec!["--tz", "Asia/Shanghai"];
    if let Some(p) = policy {
        fs::write(fx.path("policy.toml"), toml::to_string(p).unwrap()).unwrap();
        extra.extend(["--policy", "policy.toml"]);
    }
    fx.init3_with(&extra);
    for (id, role, person) in [
        ("c1", "custodian", "2001"),
        ("s1", "supervisor", "2002"),
        ("e1", "escort", "2003"),
        ("x1", "chief_examiner", "2005"),
        ("i1", "invigilator", "2006"),
    ] {
        fx.keygen(id, id);
        fx.enroll(id, &[role], person, &["a1", "a2"]).exits(0);
    }
    let now = Timestamp::now();
    let start = now.plus_seconds(-HOUR);
    let ex = Exam { fx, now, start };
    let (s, e) = (
        start.to_rfc3339(),
        start.plus_seconds(4 * HOUR).to_rfc3339(),
    );
    let args = [
        "schedule",
        "--session",
        "yuwen",
        "--subject",
        "语文",
        "--start",
        &s,
        "--end",
        &e,
    ];
    record(&ex, &args, &["a1", "a2"], None);
    fs::write(
        ex.path("bags.csv"),
        format!(
            "bag_id,kind,session,site,room,seal,count\n\
             QP-1,question_papers,yuwen,{SITE},{ROOM},S1001,30\n\
             QP-2,question_papers,yuwen,{SITE},{ROOM},S1002,30\n\
             SP-1,spare_papers,yuwen,{SITE},{ROOM},S3001,5\n"
        ),
    )
    .unwrap();
    let args = [
        "record",
        "collect",
        "--manifest",
        "bags.csv",
        "--from",
        FROM,
    ];
    record(
        &ex,
        &args,
        &["c1", "s1"],
        Some(now.plus_seconds(-(DAY - 2 * MINUTE))),
    );
    ex
}

fn exam() -> Exam {
    exam_with(None)
}

/// The bags (`ID:SEAL`) taken to the site and received there, 100 and 90 minutes before
/// `yuwen` starts.
fn at_the_site(ex: &Exam, bags: &[&str]) {
    let mut dispatch = vec!["record", "dispatch", "--to", SITE, "--escort", "e1"];
    let mut arrive = vec!["record", "arrive", "--site", SITE];
    for b in bags {
        dispatch.extend(["--bag", b.split(':').next().unwrap()]);
        arrive.extend(["--bag", b]);
    }
    record(
        ex,
        &dispatch,
        &["c1", "e1"],
        Some(ex.start.plus_seconds(-100 * MINUTE)),
    );
    record(
        ex,
        &arrive,
        &["x1", "e1"],
        Some(ex.start.plus_seconds(-90 * MINUTE)),
    );
}

/// Admins a1 and a2 void `yuwen`'s question papers, half an hour before it starts.
fn void_yuwen(ex: &Exam) -> u64 {
    let args = [
        "void",
        "--session",
        "yuwen",
        "--note",
        "the paper leaked online",
    ];
    record(
        ex,
        &args,
        &["a1", "a2"],
        Some(ex.start.plus_seconds(-30 * MINUTE)),
    )
}

fn open_event(id: &str, seal: &str, count: u32) -> Event {
    Event::Open(Open {
        bags: vec![BagObs {
            id: id.into(),
            seal: Some(seal.into()),
            count: Some(count),
        }],
        site: SITE.into(),
        room: ROOM.into(),
        incident: None,
    })
}

fn open_args(bag: &str) -> Vec<&str> {
    vec![
        "record", "open", "--site", SITE, "--room", ROOM, "--bag", bag,
    ]
}

// ---------------------------------------------------------------------------------------------
// Voided papers

#[test]
fn a_bag_of_a_voided_paper_version_is_opened_only_with_a_note() {
    let ex = exam();
    at_the_site(&ex, &["QP-1:S1001"]);
    void_yuwen(&ex);
    let case = Case {
        args: open_args("QP-1:S1001:30"),
        signers: &["x1", "i1"],
        at: Some(ex.start),
        event: open_event("QP-1", "S1001", 30),
    };
    three_forms(&ex, case, "PAPER_VOIDED", Some("QP-1"));
}

#[test]
fn the_spare_papers_of_a_voided_version_are_the_ones_to_open() {
    let ex = exam();
    at_the_site(&ex, &["SP-1:S3001"]);
    let args = full_args(
        &ex,
        &open_args("SP-1:S3001:5"),
        &["x1", "i1"],
        Some(ex.start),
    );
    ex.refused(&args, 3, "SPARE_OPENED");
    void_yuwen(&ex);
    record(
        &ex,
        &open_args("SP-1:S3001:5"),
        &["x1", "i1"],
        Some(ex.start),
    );
    assert_eq!(audit(&ex), vec![]);
}

#[test]
fn a_void_takes_two_admins_a_scheduled_session_and_happens_once() {
    let ex = exam();
    let void = |session: &str, signers: &[&str]| {
        full_args(
            &ex,
            &["void", "--session", session, "--note", "leaked"],
            signers,
            None,
        )
    };
    ex.refused(&void("yuwen", &["c1", "s1"]), 3, "ROLE_MISSING");
    ex.refused(&void("shuxue", &["a1", "a2"]), 3, "SESSION_UNKNOWN");
    let seq = record(
        &ex,
        &["void", "--session", "yuwen", "--note", "leaked"],
        &["a1", "a2"],
        None,
    );
    let run = ex.refused(&void("yuwen", &["a1", "a2"]), 3, "EVENT_INVALID");
    assert!(
        run.stderr
            .contains(&format!("already voided (entry {seq})")),
        "{}",
        run.stderr
    );
    let shown = ex
        .run(&["show", &seq.to_string(), "--json"])
        .exits(0)
        .json();
    assert_eq!(shown["event"]["session"], "yuwen", "{shown}");
}

// ---------------------------------------------------------------------------------------------
// Postponed sessions

/// Postponed twice, a session keeps its first schedule as the original and shows the latest
/// postponement with its own note (mutation testing found the second note unchecked).
#[test]
fn a_session_postponed_twice_keeps_its_first_schedule_and_shows_the_last_note() {
    let ex = exam();
    let (mut last, mut last_end) = (0, String::new());
    for (days, note) in [(1, "typhoon"), (2, "the typhoon came back")] {
        let (start, end) = (
            ex.now.plus_seconds(days * DAY).to_rfc3339(),
            ex.now.plus_seconds(days * DAY + 2 * HOUR).to_rfc3339(),
        );
        let postpone = [
            "postpone",
            "--session",
            "yuwen",
            "--start",
            &start,
            "--end",
            &end,
            "--note",
            note,
        ];
        last = record(&ex, &postpone, &["a1", "a2"], None);
        last_end = end;
    }
    // The session runs at its new times, end included.
    let status = ex
        .run(&["status", "--session", "yuwen", "--json"])
        .exits(0)
        .json();
    assert_eq!(status["end"], last_end, "{status}");
    let json = ex.run(&["bag", "QP-1", "--json"]).exits(0).json();
    assert_eq!(json["postponed"]["seq"], last, "{json}");
    assert_eq!(json["postponed"]["note"], "the typhoon came back", "{json}");
    assert_eq!(
        json["postponed"]["original_start"],
        ex.start.to_rfc3339(),
        "{json}"
    );
}

#[test]
fn a_postponed_session_opens_at_its_new_date_and_keeps_its_original_schedule() {
    let ex = exam();
    at_the_site(&ex, &["QP-1:S1001"]);
    let (start, end) = (
        ex.now.plus_seconds(DAY).to_rfc3339(),
        ex.now.plus_seconds(DAY + 2 * HOUR).to_rfc3339(),
    );
    let postpone = [
        "postpone",
        "--session",
        "yuwen",
        "--start",
        &start,
        "--end",
        &end,
        "--note",
        "typhoon",
    ];
    // A reschedule this close to the start would be RESCHEDULE_LATE; a postponement is recorded
    // with its note, and flags nothing.
    let seq = record(&ex, &postpone, &["a1", "a2"], None);
    // The old start is no longer the session's: opening then is early by a day.
    let args = full_args(
        &ex,
        &open_args("QP-1:S1001:30"),
        &["x1", "i1"],
        Some(ex.start),
    );
    ex.refused(&args, 3, "OPEN_EARLY");
    assert_eq!(audit(&ex), vec![]);
    // The original schedule stays visible.
    let bag = ex.run(&["bag", "QP-1"]).exits(0);
    assert!(bag.stdout.contains("postponed from"), "{}", bag.stdout);
    assert!(
        bag.stdout.contains(&format!("entry {seq}")),
        "{}",
        bag.stdout
    );
    let json = ex.run(&["bag", "QP-1", "--json"]).exits(0).json();
    assert_eq!(json["postponed"]["seq"], seq, "{json}");
    assert_eq!(
        json["postponed"]["original_start"],
        ex.start.to_rfc3339(),
        "{json}"
    );
    let status = ex.run(&["status", "--session", "yuwen"]).exits(0);
    assert!(
        status.stdout.contains("postponed from"),
        "{}",
        status.stdout
    );
    // The report's timetable lists the first schedule and the postponement.
    let report = ex.run(&["verify", "--json"]).exits(0).json();
    let timetable = report["timetable"].as_array().unwrap();
    assert_eq!(timetable.len(), 2, "{report}");
    assert_eq!(timetable[0]["start"], ex.start.to_rfc3339());
    assert_eq!(timetable[1]["seq"], seq);
    assert_eq!(timetable[1]["start"], start);
    assert_eq!(timetable[1]["rescheduled"], true);
    let listed = report["listed"].as_array().unwrap();
    let shown = listed.iter().find(|l| l["seq"] == seq).expect("listed");
    assert_eq!(shown["kind"], "schedule", "{shown}");
    assert!(
        shown["text"].as_str().unwrap().contains("rescheduled, was"),
        "{shown}"
    );
}

#[test]
fn the_hold_limit_counts_from_the_new_date() {
    let ex = exam();
    let (start, end) = (
        ex.now.plus_seconds(3 * DAY).to_rfc3339(),
        ex.now.plus_seconds(3 * DAY + 2 * HOUR).to_rfc3339(),
    );
    let postpone = [
        "postpone",
        "--session",
        "yuwen",
        "--start",
        &start,
        "--end",
        &end,
        "--note",
        "typhoon",
    ];
    record(&ex, &postpone, &["a1", "a2"], None);
    // The papers already held are not flagged by the postponement...
    assert_eq!(audit(&ex), vec![]);
    // ...but papers collected now for a session three days away are held too long.
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
            "--from",
            FROM,
        ],
        &["c1", "s1"],
        None,
    );
    ex.refused(&args, 3, "HELD_TOO_LONG");
}

#[test]
fn a_postponement_moves_a_session_later_with_a_note() {
    let ex = exam();
    let at = |s: i64| ex.now.plus_seconds(s).to_rfc3339();
    let (start, end) = (at(2 * DAY), at(2 * DAY + HOUR));
    let args = [
        "schedule",
        "--session",
        "shuxue",
        "--subject",
        "数学",
        "--start",
        &start,
        "--end",
        &end,
    ];
    record(&ex, &args, &["a1", "a2"], None);
    let (earlier, end) = (at(DAY), at(DAY + HOUR));
    let mut args = vec![
        "postpone",
        "--session",
        "shuxue",
        "--start",
        &earlier,
        "--end",
        &end,
        "--note",
        "x",
    ];
    let run = ex.refused(
        &full_args(&ex, &args, &["a1", "a2"], None),
        3,
        "EVENT_INVALID",
    );
    assert!(
        run.stderr.contains("moves session shuxue later"),
        "{}",
        run.stderr
    );
    // Started already: to a time past, it is no postponement either.
    let past = at(-DAY);
    args[2] = "yuwen";
    args[4] = &past;
    let run = ex.refused(
        &full_args(&ex, &args, &["a1", "a2"], None),
        3,
        "EVENT_INVALID",
    );
    assert!(
        run.stderr.contains("a start already past"),
        "{}",
        run.stderr
    );
    args[8] = " ";
    ex.refused(&full_args(&ex, &args, &["a1", "a2"], None), 2, "note");
    args[2] = "yingyu";
    args[4] = &earlier;
    args[8] = "typhoon";
    ex.refused(
        &full_args(&ex, &args, &["a1", "a2"], None),
        3,
        "SESSION_UNKNOWN",
    );
}

// ---------------------------------------------------------------------------------------------
// The printer's list and the approved senders

const LIST: &str = "bag_id,seal,count,session,site,room\n\
                    QP-8,S8001,30,yuwen,第一中学,第01考场\n\
                    QP-9,S9001,30,yuwen,第一中学,第01考场\n";

/// c1 and s1 import the printer's list `LIST`; returns the entry's seq.
fn import(ex: &Exam) -> u64 {
    fs::write(ex.path("printer.csv"), LIST).unwrap();
    record(
        ex,
        &["manifest", "import", "printer.csv"],
        &["c1", "s1"],
        None,
    )
}

fn collect_args(bag: &str) -> Vec<&str> {
    vec![
        "record",
        "collect",
        "--bag",
        bag,
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
    ]
}

fn collect_event(id: &str, seal: &str, count: u32, from: &str) -> Event {
    Event::Collect(Collect {
        bags: vec![BagSpec {
            id: id.into(),
            kind: BagKind::QuestionPapers,
            session: "yuwen".into(),
            site: SITE.into(),
            room: ROOM.into(),
            seal: seal.into(),
            count,
        }],
        from: from.into(),
        incident: None,
    })
}

#[test]
fn the_printers_list_records_the_files_sha256_and_its_rows() {
    let ex = exam();
    let seq = import(&ex);
    let shown = ex
        .run(&["show", &seq.to_string(), "--json"])
        .exits(0)
        .json();
    let manifest = &shown["event"];
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(LIST.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(manifest["sha256"], sha, "{shown}");
    assert_eq!(manifest["rows"][1]["bag"], "QP-9");
    assert_eq!(manifest["rows"][1]["seal"], "S9001");
    // A list on the printer's list checks out: the collection flags nothing.
    record(&ex, &collect_args("QP-8:S8001:30"), &["c1", "s1"], None);
    assert_eq!(audit(&ex), vec![]);
    // The signers read every row before they sign.
    let again = full_args(
        &ex,
        &["manifest", "import", "printer.csv"],
        &["c1", "s1"],
        None,
    );
    let run = ex.run(&again).exits(0);
    assert!(
        run.stderr
            .contains("QP-9  seal S9001  30 papers  yuwen 第一中学 第01考场"),
        "{}",
        run.stderr
    );
    // A row without its seal is bad input; a field over 256 bytes is refused by the rule.
    fs::write(
        ex.path("bad.csv"),
        "bag_id,count,session,site,room\nQP-7,30,yuwen,a,b\n",
    )
    .unwrap();
    let args = full_args(&ex, &["manifest", "import", "bad.csv"], &["c1", "s1"], None);
    ex.refused(&args, 2, "has no seal");
    let long = "S".repeat(300);
    fs::write(
        ex.path("long.csv"),
        format!("bag_id,seal,count,session,site,room\nQP-7,{long},30,yuwen,a,b\n"),
    )
    .unwrap();
    let args = full_args(
        &ex,
        &["manifest", "import", "long.csv"],
        &["c1", "s1"],
        None,
    );
    ex.refused(&args, 3, "over 256 bytes");
    // An admin pair does not import it: a custodian and a supervisor do.
    let args = full_args(
        &ex,
        &["manifest", "import", "printer.csv"],
        &["a1", "a2"],
        None,
    );
    ex.refused(&args, 3, "ROLE_MISSING");
}

#[test]
fn a_collected_seal_that_differs_from_the_printers_list_is_a_violation() {
    let ex = exam();
    let list = import(&ex);
    let case = Case {
        args: collect_args("QP-8:S8002:30"),
        signers: &["c1", "s1"],
        at: None,
        event: collect_event("QP-8", "S8002", 30, FROM),
    };
    three_forms(&ex, case, "MANIFEST_MISMATCH", Some("QP-8"));
    let report = ex.run(&["verify", "--json"]).json();
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "seal S8002, listed S8001 (printer's list, entry {list})"
        )),
        "{message}"
    );
}

#[test]
fn a_collected_count_that_differs_from_the_printers_list_is_a_violation() {
    let ex = exam();
    import(&ex);
    let case = Case {
        args: collect_args("QP-9:S9001:29"),
        signers: &["c1", "s1"],
        at: None,
        event: collect_event("QP-9", "S9001", 29, FROM),
    };
    three_forms(&ex, case, "MANIFEST_MISMATCH", Some("QP-9"));
}

#[test]
fn a_bag_not_on_the_printers_list_is_a_violation() {
    let ex = exam();
    import(&ex);
    let case = Case {
        args: collect_args("QP-7:S7001:30"),
        signers: &["c1", "s1"],
        at: None,
        event: collect_event("QP-7", "S7001", 30, FROM),
    };
    three_forms(&ex, case, "NOT_ON_MANIFEST", Some("QP-7"));
}

#[test]
fn a_sender_not_among_the_approved_is_a_violation() {
    let policy = Policy {
        approved_senders: vec![FROM.into(), "新华印刷厂".into()],
        ..Policy::default()
    };
    let ex = exam_with(Some(&policy));
    let mut args = collect_args("QP-7:S7001:30");
    *args.last_mut().unwrap() = "顺路物流";
    let case = Case {
        args,
        signers: &["c1", "s1"],
        at: None,
        event: collect_event("QP-7", "S7001", 30, "顺路物流"),
    };
    three_forms(&ex, case, "SENDER_NOT_APPROVED", None);
    // An approved sender passes (the template's own collection came from one).
    record(&ex, &collect_args("QP-8:S8001:30"), &["c1", "s1"], None);
}
