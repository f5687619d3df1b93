//! Posts (issue 17, items 1-3), through the real binary: who may sign where once a session or
//! the confidentiality room has assignments (`WRONG_POST`, `OFF_DUTY`, each in the three forms
//! of tests/custody_rules.rs), re-assignment, the audit's line for a session without posts, a
//! role granted to an existing keyholder, and the genesis policy shown in full to its founders.
//!
//! The exam (built once, copied into each test): founders a1..a3, custodians c1 and c2 (c2 the
//! assistant nobody posts), supervisor s1, escort e1, chief examiners x1 and x2, invigilators
//! i1 i2 i3; session `yuwen` started an hour ago; three bags collected six hours before it; QP-1 (room 01) and QP-2 (room 02) received at
//! the site 90 minutes before the start; QP-3 still in the confidentiality room.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::bag::BagObs;
use custody::event::{Arrive, Cabinet, Event, Open};
use custody::time::Timestamp;
use serde_json::json;
use std::path::Path;
use std::sync::OnceLock;
use util::Fixture;
use util::forms::{force, full_args, next_seq, record};

const SITE: &str = "第一中学";
const ROOM1: &str = "第01考场";
const ROOM2: &str = "第02考场";
const NOTE: &str = "it really happened: see the paper register";
const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;

struct Template {
    dir: tempfile::TempDir,
    /// When `yuwen` starts.
    start: Timestamp,
}

static TEMPLATE: OnceLock<Template> = OnceLock::new();

/// A fresh copy of the exam, and the session's start.
fn exam() -> (Fixture, Timestamp) {
    let t = TEMPLATE.get_or_init(build_template);
    let fx = Fixture::new();
    util::copy_dir(t.dir.path(), fx.tmp.path());
    (fx, t.start)
}

fn build_template() -> Template {
    let parent = Path::new(env!("CARGO_TARGET_TMPDIR"));
    util::remove_stale_templates(parent, "custody-posts-template-");
    let tmp = tempfile::Builder::new()
        .prefix("custody-posts-template-")
        .tempdir_in(parent)
        .unwrap();
    let fx = Fixture { tmp };
    fx.init3();
    let staff = [
        ("c1", "王丽", "custodian", "2001"),
        ("c2", "孙悦", "custodian", "2009"),
        ("s1", "李强", "supervisor", "2002"),
        ("e1", "张伟", "escort", "2003"),
        ("x1", "陈静", "chief_examiner", "2005"),
        ("x2", "周涛", "chief_examiner", "2010"),
        ("i1", "杨帆", "invigilator", "2006"),
        ("i2", "赵敏", "invigilator", "2007"),
        ("i3", "吴刚", "invigilator", "2008"),
    ];
    for (id, name, role, person) in staff {
        fx.keygen(id, name);
        fx.enroll(id, &[role], person, &["a1", "a2"]).exits(0);
    }
    let start = Timestamp::now().plus_seconds(-HOUR);
    let end = start.plus_seconds(4 * HOUR);
    record(
        &fx,
        &[
            "schedule",
            "--session",
            "yuwen",
            "--subject",
            "语文",
            "--start",
            &start.to_rfc3339(),
            "--end",
            &end.to_rfc3339(),
        ],
        &["a1", "a2"],
        None,
    );
    let mut csv = String::from("bag_id,kind,session,site,room,seal,count\n");
    for (id, room, seal) in [
        ("QP-1", ROOM1, "S1"),
        ("QP-2", ROOM2, "S2"),
        ("QP-3", ROOM1, "S3"),
    ] {
        csv.push_str(&format!(
            "{id},question_papers,yuwen,{SITE},{room},{seal},30\n"
        ));
    }
    std::fs::write(fx.path("bags.csv"), csv).unwrap();
    let collect = [
        "record",
        "collect",
        "--manifest",
        "bags.csv",
        "--from",
        "省教育考试院",
    ];
    record(
        &fx,
        &collect,
        &["c1", "s1"],
        Some(start.plus_seconds(-6 * HOUR)),
    );
    let dispatch = [
        "record", "dispatch", "--to", SITE, "--escort", "e1", "--bag", "QP-1", "--bag", "QP-2",
    ];
    record(
        &fx,
        &dispatch,
        &["c1", "e1"],
        Some(start.plus_seconds(-100 * MINUTE)),
    );
    let arrive = [
        "record", "arrive", "--site", SITE, "--bag", "QP-1:S1", "--bag", "QP-2:S2",
    ];
    record(
        &fx,
        &arrive,
        &["x1", "e1"],
        Some(start.plus_seconds(-90 * MINUTE)),
    );
    Template { dir: fx.tmp, start }
}

/// `verify --json`'s findings as (code, seq, signer), sorted.
#[track_caller]
fn audit(fx: &Fixture) -> Vec<(String, u64, Option<String>)> {
    let run = fx.run(&["verify", "--json"]);
    let mut out: Vec<_> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["seq"].as_u64().unwrap(),
                f["signer"].as_str().map(str::to_string),
            )
        })
        .collect();
    out.sort();
    assert_eq!(run.code, i32::from(!out.is_empty()), "{out:?}");
    out
}

/// The morning's posts at the site, by its chief x1 and supervisor s1, two hours before the
/// start: x1 chief, i1 and i2 in room 01, i3 in room 02.
fn posts_assigned(fx: &Fixture, start: Timestamp) -> u64 {
    let args = [
        "assign",
        "site",
        "--session",
        "yuwen",
        "--site",
        SITE,
        "--chief",
        "x1",
        "--room",
        &format!("{ROOM1}=i1,i2"),
        "--room",
        &format!("{ROOM2}=i3"),
    ];
    record(
        fx,
        &args,
        &["x1", "s1"],
        Some(start.plus_seconds(-2 * HOUR)),
    )
}

/// c1 and s1 on duty in the confidentiality room from five to four hours before the start.
fn duty_assigned(fx: &Fixture, start: Timestamp) -> u64 {
    let (from, until) = (
        start.plus_seconds(-5 * HOUR).to_rfc3339(),
        start.plus_seconds(-4 * HOUR).to_rfc3339(),
    );
    let args = [
        "assign",
        "duty",
        "--from",
        &from,
        "--until",
        &until,
        "--custodian",
        "c1",
        "--supervisor",
        "s1",
    ];
    record(
        fx,
        &args,
        &["a1", "a2"],
        Some(start.plus_seconds(-6 * HOUR)),
    )
}

/// The three forms of a posts rule: refused without a note (exit 3, the journal untouched);
/// forced into the journal and reported; accepted with `--incident`, flagged and reported. The
/// finding, naming `signer`, must be the audit's only one.
#[track_caller]
fn three_forms(
    fx: &Fixture,
    args: Vec<String>,
    forced: Event,
    at: Timestamp,
    signers: &[&str],
    code: &str,
    signer: &str,
) {
    let seq = next_seq(fx);
    let before = fx.journal_bytes();
    let run = fx.refused(&args, 3, code);
    assert!(run.stderr.contains("--incident"), "{}", run.stderr);

    assert_eq!(force(fx, forced, at, signers), seq);
    let expected = vec![(code.to_string(), seq, Some(signer.to_string()))];
    assert_eq!(audit(fx), expected, "{code} forced into the journal");
    std::fs::write(fx.journal(), &before).unwrap();

    let mut noted = args;
    noted.extend(["--incident".to_string(), NOTE.to_string(), "--json".into()]);
    let receipt = fx.run(&noted).exits(0).json();
    assert_eq!(receipt["seq"], seq);
    assert_eq!(receipt["flagged"][0]["code"], code);
    assert_eq!(audit(fx), expected, "{code} recorded with a note");
    let report = fx.run(&["verify", "--json"]).json();
    assert_eq!(report["findings"][0]["declared"], true);
    assert_eq!(report["findings"][0]["severity"], "high");
}

fn obs(id: &str, seal: &str, count: Option<u32>) -> BagObs {
    BagObs {
        id: id.into(),
        seal: Some(seal.into()),
        count,
    }
}

#[test]
fn an_invigilator_from_room_01_cannot_co_sign_room_02_s_opening() {
    let (fx, start) = exam();
    posts_assigned(&fx, start);
    let args = [
        "record",
        "open",
        "--site",
        SITE,
        "--room",
        ROOM2,
        "--bag",
        "QP-2:S2:30",
    ];
    let forced = Event::Open(Open {
        bags: vec![obs("QP-2", "S2", Some(30))],
        site: SITE.into(),
        room: ROOM2.into(),
        incident: None,
    });
    let signers = ["i1", "i3"];
    let args = full_args(&fx, &args, &signers, Some(start));
    three_forms(&fx, args, forced, start, &signers, "WRONG_POST", "i1");
    let zh = fx.run(&["verify", "--lang", "zh"]).exits(1).stdout;
    let zh = zh.split_whitespace().collect::<String>();
    assert!(
        zh.contains("i1未被安排在场次yuwen的第一中学第02考场（该处在岗：x1,i3）"),
        "{zh}"
    );
}

#[test]
fn the_posted_invigilators_and_the_site_s_chief_open_without_a_finding() {
    let (fx, start) = exam();
    posts_assigned(&fx, start);
    let open = |bag: &str, room: &str, signers: &[&str]| {
        let args = [
            "record", "open", "--site", SITE, "--room", room, "--bag", bag,
        ];
        record(&fx, &args, signers, Some(start));
    };
    open("QP-1:S1:30", ROOM1, &["x1", "i2"]);
    open("QP-2:S2:30", ROOM2, &["i3", "x1"]);
    assert_eq!(audit(&fx), vec![]);
}

#[test]
fn an_arrival_is_co_signed_by_the_site_s_own_chief() {
    let (fx, start) = exam();
    // Posts assigned before the bags left: x2 is no chief of this site.
    let args = [
        "assign",
        "site",
        "--session",
        "yuwen",
        "--site",
        SITE,
        "--chief",
        "x1",
    ];
    record(
        &fx,
        &args,
        &["a1", "a2"],
        Some(start.plus_seconds(-3 * HOUR)),
    );
    let at = start.plus_seconds(-30 * MINUTE);
    record(
        &fx,
        &[
            "record", "dispatch", "--to", SITE, "--escort", "e1", "--bag", "QP-3",
        ],
        &["c1", "e1"],
        Some(at.plus_seconds(-10 * MINUTE)),
    );
    let args = full_args(
        &fx,
        &["record", "arrive", "--site", SITE, "--bag", "QP-3:S3"],
        &["x2", "e1"],
        Some(at),
    );
    let forced = Event::Arrive(Arrive {
        bags: vec![obs("QP-3", "S3", None)],
        site: SITE.into(),
        incident: None,
    });
    three_forms(&fx, args, forced, at, &["x2", "e1"], "WRONG_POST", "x2");
}

#[test]
fn a_re_assignment_replaces_the_earlier_one_from_its_time_on() {
    let (fx, start) = exam();
    posts_assigned(&fx, start);
    // Room 02's post goes to i2 and i3 half an hour before the start.
    let args = [
        "assign",
        "site",
        "--session",
        "yuwen",
        "--site",
        SITE,
        "--room",
    ];
    let mut args: Vec<&str> = args.to_vec();
    let room = format!("{ROOM2}=i2,i3");
    args.push(&room);
    record(
        &fx,
        &args,
        &["x1", "s1"],
        Some(start.plus_seconds(-30 * MINUTE)),
    );
    let open = [
        "record",
        "open",
        "--site",
        SITE,
        "--room",
        ROOM2,
        "--bag",
        "QP-2:S2:30",
    ];
    // Before the re-assignment, i2 was posted in room 01 only.
    let early = full_args(
        &fx,
        &open,
        &["i2", "i3"],
        Some(start.plus_seconds(-40 * MINUTE)),
    );
    fx.refused(&early, 3, "WRONG_POST");
    record(&fx, &open, &["i2", "i3"], Some(start));
    // Room 01's post is unchanged: i1 and i2 still hold it.
    let open1 = [
        "record",
        "open",
        "--site",
        SITE,
        "--room",
        ROOM1,
        "--bag",
        "QP-1:S1:30",
    ];
    record(&fx, &open1, &["i1", "i2"], Some(start));
    assert_eq!(audit(&fx), vec![]);
}

#[test]
fn an_assistant_with_no_appointment_cannot_store_papers() {
    let (fx, start) = exam();
    duty_assigned(&fx, start);
    // Inside the period, c2 (the assistant) has no post there.
    let at = start.plus_seconds(-4 * HOUR - 15 * MINUTE);
    let args = full_args(
        &fx,
        &["record", "store", "--cabinet", "A1", "--bag", "QP-3"],
        &["c2", "s1"],
        Some(at),
    );
    let forced = Event::Store(Cabinet {
        bags: vec![BagObs {
            id: "QP-3".into(),
            seal: None,
            count: None,
        }],
        cabinet: "A1".into(),
        incident: None,
    });
    three_forms(&fx, args, forced, at, &["c2", "s1"], "OFF_DUTY", "c2");
}

#[test]
fn outside_the_period_of_duty_even_the_posted_custodian_is_off_duty() {
    let (fx, start) = exam();
    duty_assigned(&fx, start);
    let store = ["record", "store", "--cabinet", "A1", "--bag", "QP-3"];
    record(
        &fx,
        &store,
        &["c1", "s1"],
        Some(start.plus_seconds(-4 * HOUR - 30 * MINUTE)),
    );
    // At night, after the duty ended: both signers are off duty.
    let withdraw = ["record", "withdraw", "--cabinet", "A1", "--bag", "QP-3"];
    let args = full_args(
        &fx,
        &withdraw,
        &["c1", "s1"],
        Some(start.plus_seconds(-3 * HOUR)),
    );
    fx.refused(&args, 3, "OFF_DUTY");
    let mut noted = args;
    noted.extend(["--incident".to_string(), NOTE.to_string()]);
    let seq = next_seq(&fx);
    fx.run(&noted).exits(0);
    let off = |who: &str| ("OFF_DUTY".to_string(), seq, Some(who.to_string()));
    assert_eq!(audit(&fx), vec![off("c1"), off("s1")]);
}

#[test]
fn a_chief_examiner_assigns_only_at_their_own_site_and_no_duty() {
    let (fx, start) = exam();
    posts_assigned(&fx, start);
    // x2 is not this site's chief.
    let args = [
        "assign",
        "site",
        "--session",
        "yuwen",
        "--site",
        SITE,
        "--room",
        "第03考场=i2",
    ];
    let args = full_args(&fx, &args, &["x2", "s1"], None);
    fx.refused(&args, 3, "ROLE_MISSING");
    // A duty in the room is the admins' to assign.
    let (from, until) = (start.to_rfc3339(), start.plus_seconds(HOUR).to_rfc3339());
    let duty = [
        "assign",
        "duty",
        "--from",
        &from,
        "--until",
        &until,
        "--custodian",
        "c1",
    ];
    let args = full_args(&fx, &duty, &["x1", "s1"], None);
    fx.refused(&args, 3, "ROLE_MISSING");
    // Only invigilators are posted in rooms.
    let args = [
        "assign",
        "site",
        "--session",
        "yuwen",
        "--site",
        SITE,
        "--room",
        "第03考场=c1",
    ];
    let args = full_args(&fx, &args, &["a1", "a2"], None);
    fx.refused(&args, 3, "EVENT_INVALID");
}

#[test]
fn without_assignments_the_audit_lists_the_session_but_stays_clean() {
    let (fx, start) = exam();
    let run = fx.run(&["verify", "--lang", "en"]).exits(0);
    assert!(
        run.stdout
            .contains("no assignments recorded for session yuwen"),
        "{}",
        run.stdout
    );
    let zh = fx.run(&["verify", "--lang", "zh"]).exits(0);
    assert!(
        zh.stdout.contains("场次 yuwen 未记录岗位安排"),
        "{}",
        zh.stdout
    );
    let json = fx.run(&["verify", "--json"]).exits(0).json();
    assert_eq!(json["unassigned_sessions"], json!(["yuwen"]));
    // Role rules alone: room 01's invigilator opens room 02's bag without a finding.
    let open = [
        "record",
        "open",
        "--site",
        SITE,
        "--room",
        ROOM2,
        "--bag",
        "QP-2:S2:30",
    ];
    record(&fx, &open, &["i1", "i3"], Some(start));
    posts_assigned(&fx, start);
    let json = fx.run(&["verify", "--json"]).exits(0).json();
    assert_eq!(json["unassigned_sessions"], json!([]));
}

#[test]
fn two_admins_grant_a_role_to_an_existing_keyholder() {
    let (fx, _) = exam();
    let grant = |id: &str, role: &str| {
        vec![
            "grant".to_string(),
            id.to_string(),
            "--role".to_string(),
            role.to_string(),
        ]
    };
    let with = |mut args: Vec<String>, signers: &[&str]| {
        args.extend(fx.signing(signers));
        args
    };
    // Not by a custodian and an admin; never to oneself; not a role held already.
    fx.refused(
        &with(grant("i1", "chief_examiner"), &["c1", "a1"]),
        3,
        "ROLE_MISSING",
    );
    fx.refused(
        &with(grant("a1", "custodian"), &["a1", "a2"]),
        3,
        "SELF_ENROLL",
    );
    fx.refused(
        &with(grant("i1", "invigilator"), &["a1", "a2"]),
        3,
        "ENROLL_INVALID",
    );
    // The separation the enrolment enforces holds for a granted role too.
    fx.refused(
        &with(grant("c1", "supervisor"), &["a1", "a2"]),
        3,
        "ROLE_SEPARATION",
    );

    fx.run(&with(grant("i1", "chief_examiner"), &["a1", "a2"]))
        .exits(0);
    let roster = fx.run(&["roster", "--json"]).exits(0).json();
    let i1 = roster["keyholders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == "i1")
        .unwrap_or_else(|| panic!("{roster}"))
        .clone();
    assert_eq!(i1["roles"], json!(["chief_examiner", "invigilator"]));
    let keys = fx.run(&["keys", "--json"]).exits(0).stdout;
    assert_eq!(
        keys.matches("/i1\"").count(),
        1,
        "one key, one keyholder:\n{keys}"
    );
    let text = fx.run(&["roster", "--lang", "zh"]).exits(0).stdout;
    assert!(text.contains("主考") && text.contains("监考员"), "{text}");
    assert_eq!(audit(&fx), vec![]);
}

#[test]
fn each_founder_reads_the_genesis_policy_in_full_in_both_languages() {
    let fx = Fixture::new();
    let policy = custody::policy::Policy {
        open_question_papers_before_min: 45,
        escort_roles: vec![custody::roster::Role::Police],
        max_inspection_gap_min: 0,
        ..Default::default()
    };
    std::fs::write(fx.path("p.toml"), toml::to_string(&policy).unwrap()).unwrap();
    fx.keygen("a1", "Admin a1");
    fx.keygen("a2", "Admin a2");
    for (lang, expected) in [
        (
            "en",
            [
                "question papers opened at most this long before the start: 45 min (open_question_papers_before_min)",
                "papers held by the county at most this long before their session: 2 d (max_hold_before_session_min)",
                "roles that may escort: police (escort_roles)",
                "who co-signs open: chief examiner + invigilator or invigilator + invigilator (cosigners.open)",
                "longest time between inspections of a cabinet: off (max_inspection_gap_min)",
            ],
        ),
        (
            "zh",
            [
                "试卷袋最早于开考前多久启封：45 分钟（open_question_papers_before_min）",
                "试卷在场次开始前最长保管时间：2 天（max_hold_before_session_min）",
                "可担任押运的角色：公安（escort_roles）",
                "启封的共同签名人：主考 + 监考员 或 监考员 + 监考员（cosigners.open）",
                "保密柜两次检查的最长间隔：关闭（max_inspection_gap_min）",
            ],
        ),
    ] {
        let dir = format!("ledger-{lang}");
        let run = fx
            .run(&[
                "--ledger",
                &dir,
                "--lang",
                lang,
                "init",
                "--exam",
                "2026 学考",
                "--policy",
                "p.toml",
                "--founder",
                "keys/a1.pub",
                "--founder",
                "keys/a2.pub",
                "--founder-person",
                "1001",
                "--founder-person",
                "1002",
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
        // Wrapped at 80 columns, Chinese anywhere: compare without the white space.
        let bare = |t: &str| t.split_whitespace().collect::<String>();
        let shown = bare(&run.stderr);
        for line in expected {
            assert!(
                shown.contains(&bare(line)),
                "{lang}: {line:?} not in\n{}",
                run.stderr
            );
        }
        // Every rule, by the name the policy file gives it, and shown to each founder.
        for (name, _) in policy.rules() {
            assert_eq!(
                run.stderr.matches(&format!("({name})")).count()
                    + run.stderr.matches(&format!("（{name}）")).count(),
                2,
                "{lang}: {name} is not shown to both founders"
            );
        }
    }
}
