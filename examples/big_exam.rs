//! Records a county-scale exam, for measuring the views on a large ledger (the HTML audit report
//! of `custody verify --html`, docs/AUDIT.md): SITES sites of ROOMS rooms, two sessions, and per
//! room and session a question-paper bag, a blank answer-sheet bag and the answer-sheet bag
//! sealed there (6 bags per room), taken through every custody stage with the demo roster.
//! Events are batched per site (per room for opening and sealing), as a confidentiality room
//! records them; the recorded clock runs a minute behind the events, so the ledger audits clean.
//!
//!     cargo run --release --example big_exam -- DIR [SITES [ROOMS]]    (default 56 x 30: 10,080 bags)
//!     custody --ledger DIR verify --html report.html

#[path = "common/mod.rs"]
mod common;

use common::{BoxError, Desk, at, counted_all, plus_min, seen_all, write_roster_keys};
use custody::bag::{BagKind, BagSpec, Destination};
use custody::event::{Arrive, Cabinet, Collect, Dispatch, Event, Open, Release, Return, Seal};
use custody::time::Timestamp;
use std::path::Path;

const EXAM: &str = "大县2026年初中学业水平考试";
const SESSIONS: [(&str, &str, &str, &str); 2] = [
    ("yuwen", "语文", "09:00", "11:30"),
    ("shuxue", "数学", "14:30", "16:30"),
];
const DAY_BEFORE: &str = "2026-06-06";
const EXAM_DAY: &str = "2026-06-07";

/// Records events with a recorded clock a minute behind each event and never going backwards.
struct Clock {
    desk: Desk,
    last: Timestamp,
    entries: u64,
}

impl Clock {
    fn rec(&mut self, t: Timestamp, event: Event, signers: &[&str]) -> Result<(), BoxError> {
        let (body, bytes) = self.desk.draft(event, t, signers)?;
        let sigs = self.desk.sign(&body, &bytes);
        let recorded = plus_min(t, 1).max(self.last.plus_seconds(1));
        self.desk.ledger.append_recorded_at(bytes, sigs, recorded)?;
        self.last = recorded;
        self.entries += 1;
        Ok(())
    }
}

/// `t` plus `k` tenths of a second: events of one phase, one after another.
fn step(t: Timestamp, k: usize) -> Timestamp {
    Timestamp(t.0 + 100 * k as i64)
}

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: big_exam DIR [SITES [ROOMS]]   (DIR must not exist)";
    let dir = args.next().ok_or(usage)?;
    let sites: usize = args.next().map_or(Ok(56), |a| a.parse())?;
    let rooms: usize = args.next().map_or(Ok(30), |a| a.parse())?;
    let dir = Path::new(&dir);
    if std::fs::symlink_metadata(dir).is_ok() {
        return Err(format!("{} exists: {usage}", dir.display()).into());
    }
    let started = std::time::Instant::now();
    let tmp = tempfile::tempdir()?;
    let key_dir = tmp.path().join("keys");
    write_roster_keys(&key_dir)?;
    let t0 = at("2026-06-05", "16:00");
    let mut desk = Desk::found(dir, &key_dir, EXAM, t0)?;
    let t = desk.enroll_roster(plus_min(t0, 10), &["admin1", "admin2"])?;
    for (i, (id, subject, start, end)) in SESSIONS.iter().enumerate() {
        desk.schedule(
            plus_min(t, 2 * i as i64),
            id,
            subject,
            at(EXAM_DAY, start),
            at(EXAM_DAY, end),
            &["admin2", "admin3"],
        )?;
    }
    let last = desk.ledger.head()?.size;
    let mut c = Clock {
        desk,
        last: plus_min(t, 30),
        entries: last,
    };

    let site_name = |s: usize| format!("第{:02}中学", s + 1);
    let room_name = |r: usize| format!("第{:02}考场", r + 1);
    let spec = |session: usize, s: usize, r: usize, kind: BagKind| {
        let (prefix, count) = match kind {
            BagKind::QuestionPapers => ("QP", 30),
            BagKind::BlankAnswerSheets => ("AS", 32),
            _ => ("CS", 30),
        };
        let id = format!("{prefix}-{}-{:02}{:02}", SESSIONS[session].0, s + 1, r + 1);
        BagSpec {
            seal: format!("S{id}"),
            id,
            kind,
            session: SESSIONS[session].0.into(),
            site: site_name(s),
            room: room_name(r),
            count,
        }
    };
    // What the province hands over for one site: both sessions' papers and blank sheets.
    let planned = |session: usize, s: usize| -> Vec<BagSpec> {
        (0..rooms)
            .flat_map(|r| {
                [BagKind::QuestionPapers, BagKind::BlankAnswerSheets]
                    .map(|k| spec(session, s, r, k))
            })
            .collect()
    };

    let t = at(DAY_BEFORE, "09:30");
    for s in 0..sites {
        let bags = [planned(0, s), planned(1, s)].concat();
        let event = Event::Collect(Collect {
            bags,
            from: "省教育考试院".into(),
            incident: None,
        });
        c.rec(step(t, s), event, &["cust1", "sup1"])?;
    }
    let t = at(DAY_BEFORE, "10:30");
    for s in 0..sites {
        let bags = seen_all(&[planned(0, s), planned(1, s)].concat());
        let event = Event::Store(Cabinet {
            bags,
            cabinet: format!("A{:02}", s + 1),
            incident: None,
        });
        c.rec(step(t, s), event, &["cust1", "sup1"])?;
    }

    for (session, (_, _, start, end)) in SESSIONS.iter().enumerate() {
        let (start, end) = (at(EXAM_DAY, start), at(EXAM_DAY, end));
        for s in 0..sites {
            let bags = seen_all(&planned(session, s));
            let event = Event::Withdraw(Cabinet {
                bags,
                cabinet: format!("A{:02}", s + 1),
                incident: None,
            });
            c.rec(step(plus_min(start, -100), s), event, &["cust1", "sup1"])?;
        }
        for s in 0..sites {
            let event = Event::Dispatch(Dispatch {
                bags: seen_all(&planned(session, s)),
                to: Destination::Site(site_name(s)),
                escorts: vec!["esc1".into()],
                incident: None,
            });
            c.rec(step(plus_min(start, -95), s), event, &["cust1", "esc1"])?;
        }
        for s in 0..sites {
            let event = Event::Arrive(Arrive {
                bags: seen_all(&planned(session, s)),
                site: site_name(s),
                incident: None,
            });
            c.rec(step(plus_min(start, -45), s), event, &["chief1", "esc1"])?;
        }
        for s in 0..sites {
            for r in 0..rooms {
                let bags = [BagKind::QuestionPapers, BagKind::BlankAnswerSheets]
                    .map(|k| spec(session, s, r, k));
                let event = Event::Open(Open {
                    bags: counted_all(&bags),
                    site: site_name(s),
                    room: room_name(r),
                    incident: None,
                });
                c.rec(
                    step(plus_min(start, -10), s * rooms + r),
                    event,
                    &["chief1", "inv1"],
                )?;
            }
        }
        for s in 0..sites {
            for r in 0..rooms {
                let event = Event::Seal(Seal {
                    bag: spec(session, s, r, BagKind::CompletedAnswerSheets),
                    incident: None,
                });
                c.rec(
                    step(plus_min(end, 5), s * rooms + r),
                    event,
                    &["inv1", "inv2"],
                )?;
            }
        }
        let sheets = |s: usize| -> Vec<BagSpec> {
            (0..rooms)
                .map(|r| spec(session, s, r, BagKind::CompletedAnswerSheets))
                .collect()
        };
        for s in 0..sites {
            let event = Event::Dispatch(Dispatch {
                bags: seen_all(&sheets(s)),
                to: Destination::Room,
                escorts: vec!["esc1".into()],
                incident: None,
            });
            c.rec(step(plus_min(end, 20), s), event, &["chief1", "esc1"])?;
        }
        for s in 0..sites {
            let event = Event::Return(Return {
                bags: seen_all(&sheets(s)),
                incident: None,
            });
            c.rec(step(plus_min(end, 60), s), event, &["cust1", "esc1"])?;
        }
    }
    let t = at(EXAM_DAY, "19:00");
    for s in 0..sites {
        let bags: Vec<BagSpec> = (0..2)
            .flat_map(|session| (0..rooms).map(move |r| (session, r)))
            .map(|(session, r)| spec(session, s, r, BagKind::CompletedAnswerSheets))
            .collect();
        let event = Event::Release(Release {
            bags: seen_all(&bags),
            to: "市阅卷中心".into(),
            incident: None,
        });
        c.rec(step(t, s), event, &["admin1", "cust1"])?;
    }
    let entries = c.entries;
    c.desk.ledger.close()?;
    eprintln!(
        "wrote {} bags in {entries} entries to {} in {:.1} s",
        sites * rooms * 6,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
