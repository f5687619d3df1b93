//! One county's exam day, run with the library the way a newcomer would: real key files (demo
//! roster, low-cost KDF) unlocked with their passphrases, a real ledger directory, and ~100 bags
//! taken through every custody stage on a simulated clock, with one honest incident (a seal found
//! torn on arrival). At the end the audit re-checks the journal and must report that incident (the
//! seal observed at arrival, `SEAL_MISMATCH`, and its declaration, `INCIDENT_BROKEN_SEAL`) and
//! nothing else.
//!
//!     cargo run --release --example county_exam
//!     cargo run --release --example county_exam -- --keep /tmp/county-ledger
//!     custody --ledger /tmp/county-ledger verify
//!     custody --ledger /tmp/county-ledger log
//!
//! Exit status: 0 when the audit reports exactly the expected incident, 1 otherwise, 2 on bad
//! usage (e.g. `--keep` names a directory that exists).
//!
//! The demo roster is small (two chief examiners, two invigilators, two escorts), so the same
//! people sign at every site and room; a real county enrols one chief examiner per site and two
//! invigilators per room.

#[path = "common/mod.rs"]
mod common;

use common::{
    BoxError, Desk, ZONE, at, counted, day_hm, finding_lines, place_counts, plus_min, seen_all,
    status_table, write_roster_keys,
};
use custody::bag::{BagKind, BagSpec, Destination, IncidentKind};
use custody::event::{
    Arrive, Assignment, Cabinet, CabinetPlace, Collect, Dispatch, Event, Incident, Inspect,
    Manifest, ManifestRow, Open, Release, Return, RoomPost, Seal,
};
use custody::finding::Code;
use custody::ledger::Receipt;
use custody::time::Timestamp;
use sha2::Digest;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const EXAM: &str = "青山县2026年初中学业水平考试";
const UPSTREAM: &str = "省教育考试院";
const MARKING_CENTRE: &str = "市阅卷中心";
const SETUP_DAY: &str = "2026-06-05";
const DAY_BEFORE: &str = "2026-06-06";
const EXAM_DAY: &str = "2026-06-07";
const NEXT_DAY: &str = "2026-06-08";
/// The cabinet at the first site where its afternoon spares stay overnight.
const SITE_CABINET: &str = "一中-柜1";
/// Candidates per room.
const CANDIDATES: u32 = 30;

struct Site {
    name: &'static str,
    /// Digit used in bag barcodes.
    code: u32,
    rooms: u32,
    chief: &'static str,
    /// Escorts travelling with this site's bags; the first co-signs.
    escorts: &'static [&'static str],
    cabinet: &'static str,
}

const SITES: [Site; 3] = [
    Site {
        name: "第一中学",
        code: 1,
        rooms: 5,
        chief: "chief1",
        escorts: &["esc1"],
        cabinet: "A1",
    },
    Site {
        name: "第二中学",
        code: 2,
        rooms: 5,
        chief: "chief2",
        escorts: &["esc2", "pol1"],
        cabinet: "A2",
    },
    Site {
        name: "实验中学",
        code: 3,
        rooms: 4,
        chief: "chief1",
        escorts: &["esc1"],
        cabinet: "A3",
    },
];

struct Session {
    id: &'static str,
    code: &'static str,
    subject: &'static str,
    start: &'static str,
    end: &'static str,
}

const SESSIONS: [Session; 2] = [
    Session {
        id: "yuwen-0607",
        code: "YW",
        subject: "语文",
        start: "09:00",
        end: "11:30",
    },
    Session {
        id: "shuxue-0607",
        code: "SX",
        subject: "数学",
        start: "14:30",
        end: "16:30",
    },
];

/// The one honest incident: this question-paper bag's seal is found torn at arrival.
const TORN_BAG: &str = "QP-YW-203";
const SPARES_PER_SITE: u32 = 2;
const SPARE_ROOM: &str = "备用";

fn room_name(r: u32) -> String {
    format!("第{r:02}考场")
}

/// What the province hands over for one session at one site: per room question papers and blank
/// answer sheets, plus spare-paper bags.
fn plan(session: &Session, site: &Site, seals: &mut u32) -> Vec<BagSpec> {
    let mut next_seal = || {
        *seals += 1;
        format!("PS{:06}", 260_000 + *seals)
    };
    let mut bags = Vec::new();
    let spec = |id: String, kind, room: String, seal: String, count| BagSpec {
        id,
        kind,
        session: session.id.to_string(),
        site: site.name.to_string(),
        room,
        seal,
        count,
    };
    for r in 1..=site.rooms {
        let tag = format!("{}-{}{r:02}", session.code, site.code);
        bags.push(spec(
            format!("QP-{tag}"),
            BagKind::QuestionPapers,
            room_name(r),
            next_seal(),
            CANDIDATES,
        ));
        bags.push(spec(
            format!("AS-{tag}"),
            BagKind::BlankAnswerSheets,
            room_name(r),
            next_seal(),
            CANDIDATES + 2,
        ));
    }
    for s in 0..SPARES_PER_SITE {
        let letter = char::from(b'A' + s as u8);
        bags.push(spec(
            format!("SP-{}-{}{letter}", session.code, site.code),
            BagKind::SparePapers,
            SPARE_ROOM.to_string(),
            next_seal(),
            5,
        ));
    }
    bags
}

/// Candidates absent from one room in one session (deterministic).
fn absent(site: &Site, room: u32, session: usize) -> u32 {
    (site.code * 7 + room * 3 + session as u32) % 3
}

/// The terminal and the simulation's bookkeeping.
struct Day {
    desk: Desk,
    /// One line per phase, printed as the day's timeline.
    timeline: Vec<String>,
    phase_start: u64,
}

impl Day {
    /// Appends an event; a refusal stops the simulation with what was being done.
    fn rec(
        &mut self,
        what: &str,
        t: Timestamp,
        event: Event,
        signers: &[&str],
    ) -> Result<Receipt, BoxError> {
        self.desk
            .record(t, event, signers)
            .map_err(|e| format!("{what} at {}: {e}", day_hm(t)).into())
    }

    fn next_seq(&self) -> Result<u64, BoxError> {
        Ok(self.desk.ledger.head()?.size)
    }

    fn begin(&mut self) -> Result<(), BoxError> {
        self.phase_start = self.next_seq()?;
        Ok(())
    }

    /// Notes a phase that ran from `from` to `to`, covering the entries since `begin`.
    fn phase(&mut self, from: Timestamp, to: Timestamp, text: String) -> Result<(), BoxError> {
        let end = self.next_seq()? - 1;
        let when = if from == to {
            day_hm(from)
        } else {
            format!("{}-{}", day_hm(from), common::hm(to))
        };
        let entries = if end == self.phase_start {
            format!("entry {end}")
        } else {
            format!("entries {}-{end}", self.phase_start)
        };
        self.timeline
            .push(format!("  {when:<17} {entries:<15} {text}"));
        Ok(())
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut keep = None;
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--keep", Some(dir)) => keep = Some(PathBuf::from(dir)),
            _ => {
                eprintln!("usage: county_exam [--keep DIR]   (DIR must not exist)");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(dir) = &keep
        && std::fs::symlink_metadata(dir).is_ok()
    {
        eprintln!(
            "county_exam: {} exists; --keep writes a new ledger there and never overwrites one",
            dir.display()
        );
        return ExitCode::from(2);
    }
    match run(keep) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("county_exam: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(keep: Option<PathBuf>) -> Result<ExitCode, BoxError> {
    let started = Instant::now();
    let tmp = tempfile::tempdir()?;
    let key_dir = tmp.path().join("keys");
    let ledger_dir = keep.clone().unwrap_or_else(|| tmp.path().join("ledger"));
    write_roster_keys(&key_dir)?;

    // --- Day -2: the exam office founds the ledger, enrols the staff, schedules the sessions.
    let t0 = at(SETUP_DAY, "16:00");
    let desk = Desk::found(&ledger_dir, &key_dir, EXAM, t0)?;
    let mut day = Day {
        desk,
        timeline: Vec::new(),
        phase_start: 0,
    };
    day.phase(t0, t0, "genesis: founded by admin1, admin2, admin3".into())?;
    day.begin()?;
    let t = plus_min(t0, 10);
    let t_end = day.desk.enroll_roster(t, &["admin1", "admin2"])?;
    day.phase(
        t,
        plus_min(t_end, -2),
        "enroll: 9 keyholders (admin1 + admin2)".into(),
    )?;
    day.begin()?;
    let mut t = plus_min(t_end, 5);
    let t_sched = t;
    for s in &SESSIONS {
        day.desk
            .schedule(
                t,
                s.id,
                s.subject,
                at(EXAM_DAY, s.start),
                at(EXAM_DAY, s.end),
                &["admin2", "admin3"],
            )
            .map_err(|e| format!("schedule {}: {e}", s.id))?;
        t = plus_min(t, 2);
    }
    day.phase(
        t_sched,
        plus_min(t, -2),
        "schedule: 语文 09:00-11:30, 数学 14:30-16:30 (admin2 + admin3)".into(),
    )?;

    // The bags, per session and site.
    let mut seals = 0;
    let bags: Vec<Vec<Vec<BagSpec>>> = SESSIONS
        .iter()
        .map(|s| SITES.iter().map(|site| plan(s, site, &mut seals)).collect())
        .collect();
    let site_bags = |i: usize| -> Vec<&BagSpec> { bags.iter().flat_map(|s| &s[i]).collect() };

    // --- Day -1: collection from the province, storage, evening inspection.
    day.begin()?;
    let t1 = at(DAY_BEFORE, "09:30");
    // The printer's list first: every collection is checked against it.
    let list = printers_list(bags.iter().flatten().flatten());
    day.rec("manifest", plus_min(t1, -10), list, &["cust1", "sup1"])?;
    for i in 0..SITES.len() {
        let event = Event::Collect(Collect {
            bags: site_bags(i).into_iter().cloned().collect(),
            from: UPSTREAM.into(),
            incident: None,
        });
        day.rec(
            "collect",
            plus_min(t1, 10 * i as i64),
            event,
            &["cust1", "sup1"],
        )?;
    }
    let collected: usize = (0..SITES.len()).map(|i| site_bags(i).len()).sum();
    day.phase(
        plus_min(t1, -10),
        plus_min(t1, 20),
        format!("printer's list, collect: {collected} bags from {UPSTREAM} (cust1 + sup1)"),
    )?;
    day.begin()?;
    let t = at(DAY_BEFORE, "10:10");
    for (i, site) in SITES.iter().enumerate() {
        let event = Event::Store(Cabinet {
            bags: seen_all(site_bags(i)),
            cabinet: site.cabinet.into(),
            incident: None,
        });
        day.rec(
            "store",
            plus_min(t, 5 * i as i64),
            event,
            &["cust1", "sup1"],
        )?;
    }
    day.phase(
        t,
        plus_min(t, 10),
        "store: into cabinets A1-A3, one per site".into(),
    )?;
    for (date, hm) in [(DAY_BEFORE, "21:00"), (EXAM_DAY, "06:10")] {
        day.begin()?;
        let t = at(date, hm);
        for (i, site) in SITES.iter().enumerate() {
            let event = Event::Inspect(Inspect {
                bags: seen_all(site_bags(i)),
                incident: None,
                cabinet: Some(site.cabinet.into()),
            });
            day.rec(
                "inspect",
                plus_min(t, 5 * i as i64),
                event,
                &["cust1", "sup1"],
            )?;
        }
        day.phase(
            t,
            plus_min(t, 10),
            "inspect: seals of all three cabinets intact".into(),
        )?;
    }

    // --- The exam day: two sessions.
    let mut torn_seqs = Vec::new();
    // The incident entries that declare the torn seal: a finding each (INCIDENT_BROKEN_SEAL).
    let mut declared_seqs = Vec::new();
    let mut sealed: Vec<BagSpec> = Vec::new();
    let mut sheet_seals = 0;
    for (s_idx, session) in SESSIONS.iter().enumerate() {
        let start = at(EXAM_DAY, session.start);
        let end = at(EXAM_DAY, session.end);
        let label = session.subject;

        // The morning's posts, drawn by lottery: each site's chief and its rooms' invigilators,
        // co-signed by the chief and the supervisor. Arrivals, openings and seals are then
        // checked against them (the afternoon keeps the role rules alone).
        if s_idx == 0 {
            day.begin()?;
            let t = plus_min(start, -150);
            for (i, site) in SITES.iter().enumerate() {
                let event = Event::Assign(Assignment::Site {
                    session: session.id.into(),
                    site: site.name.into(),
                    chief: Some(site.chief.into()),
                    rooms: (1..=site.rooms)
                        .map(|r| RoomPost {
                            room: room_name(r),
                            invigilators: vec!["inv1".into(), "inv2".into()],
                        })
                        .collect(),
                });
                day.rec(
                    "assign",
                    plus_min(t, i as i64),
                    event,
                    &[site.chief, "sup1"],
                )?;
            }
            day.phase(
                t,
                plus_min(t, 2),
                format!("assign: {label} posts at 3 sites (chief + sup1)"),
            )?;
        }

        // Out of the cabinets and onto the road, about two hours before the start.
        day.begin()?;
        let t = plus_min(start, -90);
        for (i, site) in SITES.iter().enumerate() {
            let event = Event::Withdraw(Cabinet {
                bags: seen_all(&bags[s_idx][i]),
                cabinet: site.cabinet.into(),
                incident: None,
            });
            day.rec(
                "withdraw",
                plus_min(t, 3 * i as i64),
                event,
                &["cust1", "sup1"],
            )?;
        }
        day.phase(
            t,
            plus_min(t, 6),
            format!("withdraw: {label} bags out of A1-A3"),
        )?;
        day.begin()?;
        let t = plus_min(start, -80);
        for (i, site) in SITES.iter().enumerate() {
            let event = Event::Dispatch(Dispatch {
                bags: seen_all(&bags[s_idx][i]),
                to: Destination::Site(site.name.into()),
                escorts: site.escorts.iter().map(|e| e.to_string()).collect(),
                incident: None,
            });
            day.rec(
                "dispatch",
                plus_min(t, 5 * i as i64),
                event,
                &["cust1", site.escorts[0]],
            )?;
        }
        day.phase(
            t,
            plus_min(t, 10),
            format!("dispatch: {label} to 3 sites (cust1 + escort)"),
        )?;

        // Arrival at the sites; one seal is found torn on the morning run to 第二中学.
        day.begin()?;
        let t = plus_min(start, -55);
        for (i, site) in SITES.iter().enumerate() {
            let when = plus_min(t, 12 * i as i64);
            let mut obs = seen_all(&bags[s_idx][i]);
            let torn = obs.iter_mut().find(|o| o.id == TORN_BAG);
            let incident = torn.map(|o| {
                // What the chief examiner and the escort read on the bag: the seal strip is torn.
                o.seal = o.seal.take().map(|s| format!("{s}(撕裂)"));
                format!(
                    "{TORN_BAG}: seal strip found torn at the gate of {}; bag kept apart, county exam office informed",
                    site.name
                )
            });
            let noted = incident.is_some();
            let event = Event::Arrive(Arrive {
                bags: obs,
                site: site.name.into(),
                incident,
            });
            let r = day.rec("arrive", when, event, &[site.chief, site.escorts[0]])?;
            if noted {
                torn_seqs.push(r.seq);
                let event = Event::Incident(Incident {
                    bags: vec![TORN_BAG.into()],
                    kind: IncidentKind::BrokenSeal,
                    note: "seal strip of the question-paper bag torn on arrival; photographed, \
                           reported to the county exam office"
                        .into(),
                    cabinet: None,
                });
                let r = day.rec("incident", plus_min(when, 3), event, &[site.chief, "pol1"])?;
                declared_seqs.push(r.seq);
            }
        }
        let torn_note = if s_idx == 0 {
            format!("; {TORN_BAG} seal torn -> incident")
        } else {
            String::new()
        };
        day.phase(
            t,
            plus_min(t, 24),
            format!("arrive: at 3 sites (chief + escort){torn_note}"),
        )?;

        // Opening in each room, 14 to 1 minutes before the start.
        day.begin()?;
        let t = plus_min(start, -14);
        let mut k = 0;
        for (i, site) in SITES.iter().enumerate() {
            for r in 1..=site.rooms {
                let room = room_name(r);
                let mut obs: Vec<_> = bags[s_idx][i]
                    .iter()
                    .filter(|b| b.room == room)
                    .map(counted)
                    .collect();
                let mut incident = None;
                if let Some(o) = obs.iter_mut().find(|o| o.id == TORN_BAG) {
                    o.seal = o.seal.take().map(|s| format!("{s}(撕裂)"));
                    incident = Some(format!(
                        "{TORN_BAG} opened with the seal found torn on arrival (entry {}), on the \
                         county exam office's instruction; {CANDIDATES} papers counted, none missing",
                        torn_seqs[0]
                    ));
                }
                let signers: [&str; 2] = if k % 2 == 0 {
                    [site.chief, "inv1"]
                } else {
                    ["inv1", "inv2"]
                };
                let event = Event::Open(Open {
                    bags: obs,
                    site: site.name.into(),
                    room,
                    incident,
                });
                // The torn seal was recorded at arrival and is the bag's seal from then on: the
                // opening matches it, and its note says what was done.
                day.rec("open", plus_min(t, k), event, &signers)?;
                k += 1;
            }
        }
        day.phase(
            t,
            plus_min(t, k - 1),
            format!("open: {label} in {k} rooms (chief + inv, or inv1 + inv2)"),
        )?;

        // After the session: answer sheets counted and sealed, room by room.
        day.begin()?;
        let t = plus_min(end, 5);
        let mut k = 0;
        let mut sheets = vec![Vec::new(); SITES.len()];
        for (i, site) in SITES.iter().enumerate() {
            for r in 1..=site.rooms {
                sheet_seals += 1;
                let spec = BagSpec {
                    id: format!("CS-{}-{}{r:02}", session.code, site.code),
                    kind: BagKind::CompletedAnswerSheets,
                    session: session.id.into(),
                    site: site.name.into(),
                    room: room_name(r),
                    seal: format!("KC{:06}", 260_000 + sheet_seals),
                    count: CANDIDATES - absent(site, r, s_idx),
                };
                let event = Event::Seal(Seal {
                    bag: spec.clone(),
                    incident: None,
                });
                day.rec("seal", plus_min(t, k), event, &["inv1", "inv2"])?;
                sheets[i].push(spec);
                k += 1;
            }
        }
        day.phase(
            t,
            plus_min(t, k - 1),
            format!("seal: {label} answer sheets into {k} bags (inv1 + inv2)"),
        )?;

        // The afternoon's unused spares at the first site stay there overnight (below).
        let overnight = |i: usize| s_idx == SESSIONS.len() - 1 && i == 0;

        // Back to the confidentiality room: answer sheets and the unused spares.
        day.begin()?;
        let t = plus_min(end, 30);
        let mut going_back = Vec::new();
        for (i, site) in SITES.iter().enumerate() {
            let mut back: Vec<&BagSpec> = sheets[i].iter().collect();
            if !overnight(i) {
                back.extend(spares_of(&bags[s_idx][i]));
            }
            let event = Event::Dispatch(Dispatch {
                bags: seen_all(back.iter().copied()),
                to: Destination::Room,
                escorts: site.escorts.iter().map(|e| e.to_string()).collect(),
                incident: None,
            });
            day.rec(
                "dispatch back",
                plus_min(t, 5 * i as i64),
                event,
                &[site.chief, site.escorts[0]],
            )?;
            going_back.push(back);
        }
        day.phase(
            t,
            plus_min(t, 10),
            format!("dispatch: {label} sheets + spares back (chief + escort)"),
        )?;
        day.begin()?;
        let t = plus_min(end, 65);
        for (i, site) in SITES.iter().enumerate() {
            let event = Event::Return(Return {
                bags: seen_all(going_back[i].iter().copied()),
                incident: None,
            });
            day.rec(
                "return",
                plus_min(t, 10 * i as i64),
                event,
                &["cust1", site.escorts[0]],
            )?;
        }
        day.phase(
            t,
            plus_min(t, 20),
            format!("return: {label} bags in the room (cust1 + escort)"),
        )?;
        sealed.extend(sheets.into_iter().flatten());
    }

    // --- Evening: answer sheets to the marking centre, spares back into a cabinet.
    day.begin()?;
    let t = at(EXAM_DAY, "18:10");
    for (s_idx, session) in SESSIONS.iter().enumerate() {
        let event = Event::Release(Release {
            bags: seen_all(sealed.iter().filter(|b| b.session == session.id)),
            to: MARKING_CENTRE.into(),
            incident: None,
        });
        day.rec(
            "release",
            plus_min(t, 5 * s_idx as i64),
            event,
            &["admin1", "cust1"],
        )?;
    }
    day.phase(
        t,
        plus_min(t, 5),
        format!(
            "release: {} answer-sheet bags to {MARKING_CENTRE} (admin1 + cust1)",
            sealed.len()
        ),
    )?;
    day.begin()?;
    let t = at(EXAM_DAY, "18:25");
    let kept = spares_of(&bags[SESSIONS.len() - 1][0]);
    let spares: Vec<&BagSpec> = bags
        .iter()
        .flatten()
        .flatten()
        .filter(|b| b.kind == BagKind::SparePapers && !kept.contains(b))
        .collect();
    let event = Event::Store(Cabinet {
        bags: seen_all(spares.iter().copied()),
        cabinet: "B1".into(),
        incident: None,
    });
    day.rec("store spares", t, event, &["cust1", "sup1"])?;
    day.phase(
        t,
        t,
        format!("store: {} unused spare bags into cabinet B1", spares.len()),
    )?;

    // --- The night at the first site: the afternoon's unused spares go into a two-key cabinet
    // the exam office registers there, inspected whole in the evening and the morning, and
    // come back to the room the next day.
    let site = &SITES[0];
    day.begin()?;
    let t = at(EXAM_DAY, "18:28");
    let event = Event::Cabinet(CabinetPlace {
        cabinet: SITE_CABINET.into(),
        at: Destination::Site(site.name.into()),
    });
    day.rec("register cabinet", t, event, &["admin1", "admin2"])?;
    let event = Event::Store(Cabinet {
        bags: seen_all(kept.iter().copied()),
        cabinet: SITE_CABINET.into(),
        incident: None,
    });
    day.rec(
        "store at the site",
        plus_min(t, 2),
        event,
        &["cust1", "sup1"],
    )?;
    day.phase(
        t,
        plus_min(t, 2),
        format!(
            "cabinet: {SITE_CABINET} registered at {} (admin1 + admin2); {} spares stored in it overnight",
            site.name,
            kept.len()
        ),
    )?;
    for (date, hm) in [(EXAM_DAY, "21:00"), (NEXT_DAY, "06:10")] {
        day.begin()?;
        let t = at(date, hm);
        let event = Event::Inspect(Inspect {
            bags: seen_all(kept.iter().copied()),
            incident: None,
            cabinet: Some(SITE_CABINET.into()),
        });
        day.rec("inspect the site cabinet", t, event, &["cust1", "sup1"])?;
        day.phase(t, t, format!("inspect: {SITE_CABINET}, seals intact"))?;
    }
    // The room's morning round: cabinet B1 with the spares stored last evening.
    day.begin()?;
    let t = at(NEXT_DAY, "06:20");
    let event = Event::Inspect(Inspect {
        bags: seen_all(spares.iter().copied()),
        incident: None,
        cabinet: Some("B1".into()),
    });
    day.rec("inspect", t, event, &["cust1", "sup1"])?;
    day.phase(t, t, "inspect: B1, seals intact".into())?;
    day.begin()?;
    let t = at(NEXT_DAY, "07:00");
    let event = Event::Withdraw(Cabinet {
        bags: seen_all(kept.iter().copied()),
        cabinet: SITE_CABINET.into(),
        incident: None,
    });
    day.rec("withdraw at the site", t, event, &["cust1", "sup1"])?;
    let event = Event::Dispatch(Dispatch {
        bags: seen_all(kept.iter().copied()),
        to: Destination::Room,
        escorts: site.escorts.iter().map(|e| e.to_string()).collect(),
        incident: None,
    });
    day.rec(
        "dispatch back",
        plus_min(t, 5),
        event,
        &[site.chief, site.escorts[0]],
    )?;
    let event = Event::Return(Return {
        bags: seen_all(kept.iter().copied()),
        incident: None,
    });
    day.rec(
        "return",
        plus_min(t, 45),
        event,
        &["cust1", site.escorts[0]],
    )?;
    let event = Event::Store(Cabinet {
        bags: seen_all(kept.iter().copied()),
        cabinet: "B1".into(),
        incident: None,
    });
    day.rec("store spares", plus_min(t, 50), event, &["cust1", "sup1"])?;
    day.phase(
        t,
        plus_min(t, 50),
        format!(
            "withdraw, dispatch, return: {} spares from {SITE_CABINET} into B1",
            kept.len()
        ),
    )?;
    let simulated = started.elapsed();

    // --- What the ledger holds now.
    let state = day.desk.ledger.state();
    let all_bags = state.bags()?;
    let keyholders = state.keyholders()?.len();
    let sessions = state.sessions()?.len();
    let tip = state.tip()?.ok_or("the ledger has no entries")?;
    let policy = state.policy_at(tip.recorded_at)?.unwrap_or_default();
    let open_items = custody::custody::open_items(state, tip.recorded_at, &policy, ZONE)?;
    let entries = tip.size;

    println!("{EXAM} - simulated on {SETUP_DAY} .. {NEXT_DAY} ({ZONE})");
    println!(
        "Summary: {entries} entries, {} bags, {keyholders} keyholders, {sessions} sessions, \
         3 sites / {} rooms; simulated in {:.2} s",
        all_bags.len(),
        SITES.iter().map(|s| s.rooms).sum::<u32>(),
        simulated.as_secs_f64()
    );
    println!();
    println!("Timeline (event times; each entry recorded a few minutes later):");
    for line in &day.timeline {
        println!("{line}");
    }
    println!();
    println!("Where every bag is now:");
    print!("{}", status_table(&all_bags, &state.sessions()?));
    println!();
    let counts: Vec<String> = place_counts(&all_bags)
        .into_iter()
        .map(|(n, place)| format!("{n} {place}"))
        .collect();
    println!("  in all: {}", counts.join(", "));
    println!();
    let ledger_dir = day.desk.ledger.dir().to_path_buf();
    let journal = day.desk.journal();
    let genesis_hash = day.desk.genesis_hash;
    day.desk.ledger.close()?;

    // --- The audit, from the journal alone, against the genesis hash the founders hold.
    let audit_started = Instant::now();
    let report = custody::audit::verify::verify(&journal, Some(genesis_hash))?;
    let audit_time = audit_started.elapsed();
    // The torn seal, twice: observed at arrival (with its note) and declared as an incident.
    let expected: BTreeSet<(Code, u64, String)> = torn_seqs
        .iter()
        .map(|seq| (Code::SealMismatch, *seq, TORN_BAG.to_string()))
        .chain(
            declared_seqs
                .iter()
                .map(|seq| (Code::IncidentBrokenSeal, *seq, TORN_BAG.to_string())),
        )
        .collect();
    let found: BTreeSet<(Code, u64, String)> = report
        .findings
        .iter()
        .map(|f| (f.code, f.seq, f.bag.clone().unwrap_or_default()))
        .collect();
    let unexpected: Vec<_> = report
        .findings
        .iter()
        .filter(|f| !expected.contains(&(f.code, f.seq, f.bag.clone().unwrap_or_default())))
        .cloned()
        .collect();
    let missing: Vec<_> = expected.difference(&found).collect();
    println!();
    println!(
        "Audit of {}: {} entries, genesis {}, {} finding(s), {:.2} s",
        journal.display(),
        report.entries,
        match report.genesis_trusted {
            Some(true) => "trusted",
            Some(false) => "NOT TRUSTED",
            None => "not checked",
        },
        report.findings.len(),
        audit_time.as_secs_f64()
    );
    print!("{}", finding_lines(&report.findings));
    for n in &report.notices {
        println!("  notice: {n}");
    }
    if !open_items.is_empty() {
        println!("Bags still open at the end of the day:");
        print!("{}", finding_lines(&open_items));
    }
    let ok = unexpected.is_empty() && missing.is_empty() && open_items.is_empty();
    if ok {
        println!(
            "Verdict: as expected - the torn seal of {TORN_BAG}, recorded with a note at arrival \
             and declared as an incident, nothing else."
        );
    } else {
        println!("Verdict: UNEXPECTED audit result");
        for f in &unexpected {
            println!("  unexpected: {f}");
        }
        for (code, seq, bag) in &missing {
            println!("  missing: {code} at entry {seq} for bag {bag}");
        }
    }
    println!();
    if keep.is_some() {
        println!("Ledger kept in {}; try:", ledger_dir.display());
        println!(
            "  custody --ledger {} verify --trust {}",
            ledger_dir.display(),
            custody::entry::hex(&genesis_hash)
        );
        println!("  custody --ledger {} log", ledger_dir.display());
        println!(
            "  (the demo key files: cargo run --example demo_keys -- KEYDIR --private; passphrase demo-<id>)"
        );
    } else {
        println!(
            "Ledger was in {} (deleted on exit; run with --keep DIR to keep it)",
            ledger_dir.display()
        );
    }
    println!("Total time: {:.2} s", started.elapsed().as_secs_f64());
    drop(tmp);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The spare-paper bags among `bags`.
fn spares_of(bags: &[BagSpec]) -> Vec<&BagSpec> {
    bags.iter()
        .filter(|b| b.kind == BagKind::SparePapers)
        .collect()
}

/// The printer's list of `bags` as a `manifest` event, with the SHA-256 of the CSV it came in.
fn printers_list<'a>(bags: impl Iterator<Item = &'a BagSpec>) -> Event {
    let rows: Vec<ManifestRow> = bags
        .map(|b| ManifestRow {
            bag: b.id.clone(),
            seal: b.seal.clone(),
            count: b.count,
            session: b.session.clone(),
            site: b.site.clone(),
            room: b.room.clone(),
        })
        .collect();
    let mut csv = String::from("bag_id,seal,count,session,site,room\n");
    for r in &rows {
        let line = [
            &r.bag,
            &r.seal,
            &r.count.to_string(),
            &r.session,
            &r.site,
            &r.room,
        ];
        csv.push_str(&format!("{}\n", line.map(|f| f.as_str()).join(",")));
    }
    Event::Manifest(Manifest {
        sha256: sha2::Sha256::digest(csv.as_bytes()).into(),
        rows,
    })
}
