//! Cabinets (docs/CUSTODY.md, "Cabinets"), through the real binary: a site cabinet holds papers
//! overnight at its site; an inspection of a cabinet lists every bag in it
//! (INSPECTION_INCOMPLETE); an incident on a cabinet exposes its bags until they are inspected
//! (CABINET_EXPOSED); a reseal links the old seal to the new, needs the break on record
//! (RESEAL_UNFOUNDED) and never hides it. Each rule in the three forms of
//! `tests/custody_rules.rs` (`util::forms::three_forms`).

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::bag::{BagObs, Destination, IncidentKind};
use custody::event::{Cabinet, CabinetPlace, Event, Incident, Inspect, Reseal};
use custody::time::Timestamp;
use util::Fixture;
use util::forms::{Case, audit, force, found, full_args, next_seq, record, three_forms};

const SITE: &str = "第一中学";
const ROOM: &str = "第01考场";
const SITE_CABINET: &str = "一中-柜1";
const MINUTE: i64 = 60;

/// A small exam: custodian c1, supervisor s1, escort e1, chief examiner x1, invigilator i1;
/// session `yuwen` starting ten minutes from now; bags QP-1 (seal S1001) and QP-2 (S1002) for
/// `SITE` / `ROOM`, collected three hours ago and in the confidentiality room.
struct Exam {
    fx: Fixture,
    now: Timestamp,
}

impl std::ops::Deref for Exam {
    type Target = Fixture;
    fn deref(&self) -> &Fixture {
        &self.fx
    }
}

impl Exam {
    fn new() -> Exam {
        let fx = Fixture::new();
        fx.init3();
        for (id, role, person) in [
            ("c1", "custodian", "2001"),
            ("s1", "supervisor", "2002"),
            ("e1", "escort", "2003"),
            ("x1", "chief_examiner", "2004"),
            ("i1", "invigilator", "2005"),
        ] {
            fx.keygen(id, id);
            fx.enroll(id, &[role], person, &["a1", "a2"]).exits(0);
        }
        let now = Timestamp::now();
        let ex = Exam { fx, now };
        let (start, end) = (ex.at(10).to_rfc3339(), ex.at(120).to_rfc3339());
        ex.ok(
            &[
                "schedule",
                "--session",
                "yuwen",
                "--subject",
                "语文",
                "--start",
                &start,
                "--end",
                &end,
            ],
            &["a1", "a2"],
            None,
        );
        let mut collect = vec!["record", "collect", "--from", "省教育考试院"];
        collect.extend(["--kind", "question_papers", "--session", "yuwen"]);
        collect.extend(["--site", SITE, "--room", ROOM]);
        collect.extend(["--bag", "QP-1:S1001:30", "--bag", "QP-2:S1002:30"]);
        ex.ok(&collect, &["c1", "s1"], Some(ex.at(-180)));
        ex
    }

    /// `now` shifted by `m` minutes.
    fn at(&self, m: i64) -> Timestamp {
        self.now.plus_seconds(m * MINUTE)
    }

    /// Runs a command that must be accepted with nothing flagged; returns the entry's seq.
    #[track_caller]
    fn ok(&self, args: &[&str], signers: &[&str], at: Option<Timestamp>) -> u64 {
        record(self, args, signers, at)
    }

    fn register_site_cabinet(&self) -> u64 {
        self.ok(
            &[
                "record",
                "cabinet",
                "--cabinet",
                SITE_CABINET,
                "--site",
                SITE,
            ],
            &["a1", "a2"],
            None,
        )
    }

    /// QP-1 and QP-2 taken to `SITE` and received there, 2 h 50 and 2 h 40 before now.
    fn at_the_site(&self) {
        let dispatch = [
            "record", "dispatch", "--to", SITE, "--escort", "e1", "--bag", "QP-1", "--bag", "QP-2",
        ];
        self.ok(&dispatch, &["c1", "e1"], Some(self.at(-170)));
        let arrive = [
            "record",
            "arrive",
            "--site",
            SITE,
            "--bag",
            "QP-1:S1001",
            "--bag",
            "QP-2:S1002",
        ];
        self.ok(&arrive, &["x1", "e1"], Some(self.at(-160)));
    }

    /// Both bags into `cabinet`, 2 h 30 before now.
    fn store(&self, cabinet: &str) {
        let store = [
            "record",
            "store",
            "--cabinet",
            cabinet,
            "--bag",
            "QP-1",
            "--bag",
            "QP-2",
        ];
        self.ok(&store, &["c1", "s1"], Some(self.at(-150)));
    }
}

fn obs(id: &str, seal: &str) -> BagObs {
    BagObs {
        id: id.into(),
        seal: Some(seal.into()),
        count: None,
    }
}

#[test]
fn a_site_cabinet_holds_papers_overnight_at_its_site() {
    let ex = Exam::new();
    // Only two admins register a cabinet.
    let register = [
        "record",
        "cabinet",
        "--cabinet",
        SITE_CABINET,
        "--site",
        SITE,
    ];
    ex.refused(&full_args(&ex, &register, &["c1", "s1"], None), 3, "");
    let registered = ex.register_site_cabinet();
    ex.refused(
        &full_args(&ex, &register, &["a1", "a3"], None),
        3,
        "already registered",
    );

    // A bag still in the confidentiality room does not go into a site's cabinet.
    let store = [
        "record",
        "store",
        "--cabinet",
        SITE_CABINET,
        "--bag",
        "QP-1",
    ];
    let run = ex.refused(
        &full_args(&ex, &store, &["c1", "s1"], None),
        3,
        "WRONG_PLACE",
    );
    assert!(
        run.stderr
            .contains(&format!("only a bag at {SITE} is stored")),
        "{}",
        run.stderr
    );

    ex.at_the_site();
    ex.store(SITE_CABINET);
    let bag = ex.run(&["bag", "QP-1"]).exits(0);
    assert!(bag.stdout.contains(SITE_CABINET), "{}", bag.stdout);
    let mut wide = ex.cmd();
    let status = util::run(wide.arg("status").env("COLUMNS", "160")).exits(0);
    let shown = format!("cabinet {SITE_CABINET} at {SITE}");
    assert!(status.stdout.contains(&shown), "{}", status.stdout);
    let show = ex.run(&["show", &registered.to_string()]).exits(0);
    assert!(
        show.stdout
            .contains(&format!("cabinet {SITE_CABINET} registered at site {SITE}")),
        "{}",
        show.stdout
    );

    // The morning inspection accounts for the whole cabinet; the bags come out at the site
    // and are opened in their room.
    let inspect = [
        "record",
        "inspect",
        "--cabinet",
        SITE_CABINET,
        "--bag",
        "QP-1:S1001",
        "--bag",
        "QP-2:S1002",
    ];
    ex.ok(&inspect, &["c1", "s1"], Some(ex.at(-60)));
    let withdraw = [
        "record",
        "withdraw",
        "--cabinet",
        SITE_CABINET,
        "--bag",
        "QP-1",
        "--bag",
        "QP-2",
    ];
    ex.ok(&withdraw, &["c1", "s1"], Some(ex.at(-20)));
    let open = [
        "record",
        "open",
        "--site",
        SITE,
        "--room",
        ROOM,
        "--bag",
        "QP-1:S1001:30",
    ];
    ex.ok(&open, &["x1", "i1"], None);
    assert_eq!(audit(&ex), vec![]);
}

#[test]
fn a_bag_at_a_site_goes_into_that_sites_cabinet_only() {
    let ex = Exam::new();
    ex.register_site_cabinet();
    ex.at_the_site();
    // A room cabinet (any cabinet never registered at a site) takes the room's bags only.
    let case = Case {
        args: vec!["record", "store", "--cabinet", "A1", "--bag", "QP-1"],
        signers: &["c1", "s1"],
        at: None,
        event: Event::Store(Cabinet {
            bags: vec![BagObs {
                id: "QP-1".into(),
                seal: None,
                count: None,
            }],
            cabinet: "A1".into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "WRONG_PLACE", Some("QP-1"));
}

#[test]
fn an_inspection_of_a_cabinet_lists_every_bag_in_it() {
    let ex = Exam::new();
    ex.store("A1");
    // A spot check (no cabinet named) may list some bags only.
    ex.ok(
        &["record", "inspect", "--bag", "QP-1:S1001"],
        &["c1", "s1"],
        Some(ex.at(-100)),
    );
    let case = Case {
        args: vec![
            "record",
            "inspect",
            "--cabinet",
            "A1",
            "--bag",
            "QP-1:S1001",
        ],
        signers: &["c1", "s1"],
        at: None,
        event: Event::Inspect(Inspect {
            bags: vec![obs("QP-1", "S1001")],
            incident: None,
            cabinet: Some("A1".into()),
        }),
    };
    three_forms(&ex, case, "INSPECTION_INCOMPLETE", Some("QP-2"));
}

#[test]
fn a_bag_exposed_by_an_incident_on_its_cabinet_leaves_only_after_an_inspection() {
    let ex = Exam::new();
    ex.store("A1");
    // The lock forced: declared, reported, never refused; both bags inside are exposed, and
    // the incident is in each one's timeline.
    let incident = [
        "record",
        "incident",
        "--cabinet",
        "A1",
        "--kind",
        "damaged",
        "--note",
        "lock of cabinet A1 forced overnight",
    ];
    let mut args = full_args(&ex, &incident, &["c1", "s1"], Some(ex.at(-120)));
    args.push("--json".into());
    let seq = ex.run(&args).exits(0).json()["seq"].as_u64().unwrap();
    assert_eq!(audit(&ex), vec![found("INCIDENT_DAMAGED", seq, None)]);
    let bag = ex.run(&["bag", "QP-2"]).exits(0);
    assert!(
        bag.stdout.contains("lock of cabinet A1 forced"),
        "{}",
        bag.stdout
    );

    let case = Case {
        args: vec!["record", "withdraw", "--cabinet", "A1", "--bag", "QP-1"],
        signers: &["c1", "s1"],
        at: None,
        event: Event::Withdraw(Cabinet {
            bags: vec![BagObs {
                id: "QP-1".into(),
                seal: None,
                count: None,
            }],
            cabinet: "A1".into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "CABINET_EXPOSED", Some("QP-1"));

    // Inspected by two people, QP-2 may leave.
    ex.ok(
        &["record", "inspect", "--bag", "QP-2:S1002"],
        &["c1", "s1"],
        None,
    );
    ex.ok(
        &["record", "withdraw", "--cabinet", "A1", "--bag", "QP-2"],
        &["c1", "s1"],
        None,
    );
}

#[test]
fn an_incident_on_a_cabinet_names_a_cabinet_the_ledger_knows() {
    let ex = Exam::new();
    let args = [
        "record",
        "incident",
        "--cabinet",
        "Z9",
        "--kind",
        "other",
        "--note",
        "key lost",
    ];
    ex.refused(
        &full_args(&ex, &args, &["c1", "s1"], None),
        3,
        "EVENT_INVALID",
    );
    let event = Event::Incident(Incident {
        bags: Vec::new(),
        kind: IncidentKind::Other,
        note: "key lost".into(),
        cabinet: Some("Z9".into()),
    });
    let seq = force(&ex, event, Timestamp::now(), &["c1", "s1"]);
    let codes = audit(&ex);
    assert!(
        codes.contains(&found("EVENT_INVALID", seq, None)),
        "{codes:?}"
    );
}

/// QP-1's seal found as `seal` at an inspection in cabinet A1, recorded with a note.
fn found_broken(ex: &Exam, seal: &str) -> u64 {
    ex.store("A1");
    let bag = format!("QP-1:{seal}");
    let inspect = ["record", "inspect", "--bag", bag.as_str()];
    let mut args = full_args(ex, &inspect, &["c1", "s1"], Some(ex.at(-100)));
    args.extend([
        "--incident".into(),
        "seal strip torn".into(),
        "--json".into(),
    ]);
    ex.run(&args).exits(0).json()["seq"].as_u64().unwrap()
}

#[test]
fn a_reseal_links_the_old_seal_to_the_new_and_never_hides_the_mismatch() {
    let ex = Exam::new();
    let inspected = found_broken(&ex, "S1001-TORN");
    let reseal = [
        "record",
        "reseal",
        "--bag",
        "QP-1",
        "--old-seal",
        "S1001-TORN",
        "--new-seal",
        "KB-0007",
        "--note",
        "resealed with the county board's seal",
    ];
    // The pair that keeps the bag does not reseal it alone.
    ex.refused(
        &full_args(&ex, &reseal, &["c1", "s1"], None),
        3,
        "ROLE_MISSING",
    );
    let resealed = ex.ok(&reseal, &["a1", "c1"], Some(ex.at(-90)));
    // The mismatch found stays the audit's finding, at the entry that found it.
    assert_eq!(
        audit(&ex),
        vec![found("SEAL_MISMATCH", inspected, Some("QP-1"))]
    );
    let bag = ex.run(&["bag", "QP-1"]).exits(0);
    assert!(
        bag.stdout.contains("S1001-TORN → KB-0007"),
        "{}",
        bag.stdout
    );
    // The new seal is the bag's seal from then on.
    ex.ok(
        &[
            "record",
            "inspect",
            "--cabinet",
            "A1",
            "--bag",
            "QP-1:KB-0007",
            "--bag",
            "QP-2:S1002",
        ],
        &["c1", "s1"],
        Some(ex.at(-80)),
    );
    assert!(resealed > inspected);
    // Resealed once, the bag needs a new break on record to be resealed again.
    let again = [
        "record",
        "reseal",
        "--bag",
        "QP-1",
        "--old-seal",
        "KB-0007",
        "--new-seal",
        "KB-0008",
        "--note",
        "again",
    ];
    ex.refused(
        &full_args(&ex, &again, &["a1", "c1"], None),
        3,
        "RESEAL_UNFOUNDED",
    );
}

#[test]
fn a_reseal_needs_the_broken_seal_on_record() {
    let ex = Exam::new();
    ex.store("A1");
    // A seal swapped quietly and "resealed" to match: no entry found the seal broken.
    let case = Case {
        args: vec![
            "record",
            "reseal",
            "--bag",
            "QP-1",
            "--old-seal",
            "S1001",
            "--new-seal",
            "S1001-X",
            "--note",
            "resealed",
        ],
        signers: &["a1", "c1"],
        at: None,
        event: Event::Reseal(Reseal {
            bag: "QP-1".into(),
            old_seal: "S1001".into(),
            new_seal: "S1001-X".into(),
            note: "resealed".into(),
            incident: None,
        }),
    };
    three_forms(&ex, case, "RESEAL_UNFOUNDED", Some("QP-1"));
}

#[test]
fn a_cabinet_registered_at_a_site_is_recorded_and_forced_registrations_are_judged() {
    let ex = Exam::new();
    ex.store("A1");
    // A room cabinet that holds bags is not moved to a site by a registration.
    let seq = next_seq(&ex);
    let event = Event::Cabinet(CabinetPlace {
        cabinet: "A1".into(),
        at: Destination::Site(SITE.into()),
    });
    force(&ex, event, Timestamp::now(), &["a1", "a2"]);
    assert_eq!(audit(&ex), vec![found("EVENT_INVALID", seq, None)]);
}

/// A broken seal declared as an incident founds a reseal; an incident of another kind does not
/// (mutation testing found the kind of the incident unchecked).
#[test]
fn a_declared_broken_seal_founds_a_reseal_and_other_incidents_do_not() {
    for (kind, founded) in [("broken_seal", true), ("damaged", false)] {
        let ex = Exam::new();
        ex.store("A1");
        let incident = [
            "record",
            "incident",
            "--kind",
            kind,
            "--bag",
            "QP-1",
            "--note",
            "seal strip torn",
        ];
        let mut args = full_args(&ex, &incident, &["c1", "s1"], None);
        args.push("--json".into());
        ex.run(&args).exits(0);
        let reseal = [
            "record",
            "reseal",
            "--bag",
            "QP-1",
            "--old-seal",
            "S1001",
            "--new-seal",
            "KB-0009",
            "--note",
            "resealed with the county board's seal",
        ];
        if founded {
            ex.ok(&reseal, &["a1", "c1"], None);
        } else {
            ex.refused(
                &full_args(&ex, &reseal, &["a1", "c1"], None),
                3,
                "RESEAL_UNFOUNDED",
            );
        }
    }
}

/// Question papers left in a site's cabinet after their session are not back: NOT_RETURNED, as
/// at the site itself (mutation testing found the cabinet's case untested).
#[test]
fn papers_left_in_a_site_cabinet_after_their_session_are_not_returned() {
    let ex = Exam::new();
    ex.register_site_cabinet();
    let (start, end) = (ex.at(-300).to_rfc3339(), ex.at(-240).to_rfc3339());
    let schedule = [
        "schedule",
        "--session",
        "ended",
        "--subject",
        "数学",
        "--start",
        &start,
        "--end",
        &end,
    ];
    ex.ok(&schedule, &["a1", "a2"], None);
    let mut collect = vec!["record", "collect", "--from", "省教育考试院"];
    collect.extend(["--kind", "question_papers", "--session", "ended"]);
    collect.extend(["--site", SITE, "--room", ROOM, "--bag", "QE-1:S4001:30"]);
    ex.ok(&collect, &["c1", "s1"], Some(ex.at(-400)));
    let dispatch = [
        "record", "dispatch", "--to", SITE, "--escort", "e1", "--bag", "QE-1",
    ];
    ex.ok(&dispatch, &["c1", "e1"], Some(ex.at(-390)));
    let arrive = ["record", "arrive", "--site", SITE, "--bag", "QE-1:S4001"];
    ex.ok(&arrive, &["x1", "e1"], Some(ex.at(-380)));
    let store = [
        "record",
        "store",
        "--cabinet",
        SITE_CABINET,
        "--bag",
        "QE-1",
    ];
    let stored = ex.ok(&store, &["c1", "s1"], Some(ex.at(-370)));
    assert_eq!(
        audit(&ex),
        vec![found("NOT_RETURNED", stored, Some("QE-1"))]
    );
}
