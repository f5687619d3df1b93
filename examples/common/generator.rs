//! Writes a valid ledger of N events quickly, for benchmarks (docs/PERFORMANCE.md), with the mix
//! of the county_exam example scaled up and run day after day: 10 exam sites of 16 rooms, two
//! sessions a day. The evening before, each site's papers (question papers and blank answer
//! sheets per room, two spare-paper bags per session) are collected, stored in the site's cabinet
//! and inspected; they are inspected again in the morning. For each session they are withdrawn,
//! dispatched with the site's escort, received by its chief examiner and opened room by room;
//! each room's answer sheets are sealed into a new bag by its two invigilators, sent back with
//! the unused spares, returned and stored; the next morning the answer sheets are released to the
//! marking centre and the spares to the province. Every event is co-signed by two keyholders with
//! the roles the default policy asks for and keeps to its time rules, so the ledger audits clean;
//! a bag is named by about 8 events, so no bag's history grows with N.
//!
//! [`write_ledger`] is shared by the `generate_ledger` example (`cargo run --release --example
//! generate_ledger -- DIR N [COUNTY]`) and the benchmark, which needs nothing built beforehand.
//!
//! The county number goes into the ledger id, so that many ledgers generated for a multi-county
//! audit are distinct ledgers with distinct genesis hashes.
//!
//! The ledger holds exactly N entries. A session (withdrawal to storage) is written whole or not
//! at all, so that no bag is left on the road or at a site; when the next one does not fit, spot
//! checks of bags in the cabinets fill the rest. Entries 0 to 5 are the genesis, the enrolments
//! of cust1 and sup1, the first two sessions and the collection of `RESERVE_BAG`, which stays in
//! the confidentiality room for the benchmark's appends.
//!
//! Times are synthetic: each event is recorded 3 minutes after it happened (or 1 ms after the
//! entry before, if that is later). Bodies of a block of 1,000 entries are signed against the
//! head before the block (within the policy's replay window), so they can be signed in parallel.
//! The ledger's index is not built; the first writer to open it builds it.

use super::{
    BoxError, FOUNDERS, RESERVE_BAG, RESERVE_SEAL, ZONE, counted_all, demo_seed, member, plus_min,
    seen_all,
};
use custody::bag::{BagKind, BagObs, BagSpec, Destination};
use custody::entry::{Body, CoSignature, DecodedEntry, Entry, Hash, Head, leaf_hash};
use custody::event::{
    Arrive, Cabinet, Collect, Dispatch, Event, Genesis, Inspect, Open, Release, Return, Revocation,
    Schedule, Seal,
};
use custody::journal::{frame, header};
use custody::ledger::{JOURNAL, LEDGER_KEY, PERSON_KEY};
use custody::policy::{EventKind, Policy};
use custody::roster::{Keyholder, Role, person_tag};
use custody::signing::sign_body;
use custody::time::Timestamp;
use ed25519_dalek::SigningKey;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Write;
use std::path::Path;

const BLOCK: u64 = 1000;
const SITES: usize = 10;
const ROOMS: usize = 16;
const CANDIDATES: u32 = 30;
/// Spare-paper bags per site and session, and the room they are addressed to.
const SPARES: usize = 2;
const SPARE_ROOM: &str = "备用";
const SPARE_PAPERS: u32 = 5;
const UPSTREAM: &str = "省教育考试院";
const MARKING_CENTRE: &str = "市阅卷中心";
const CUSTODY: [&str; 2] = ["cust1", "sup1"];
const ADMINS: [&str; 2] = ["admin1", "admin2"];
const RELEASERS: [&str; 2] = ["admin1", "cust1"];
/// The sessions of a day: start and end, in minutes after midnight.
const SESSIONS: [(i64, i64); 2] = [(9 * 60, 11 * 60 + 30), (14 * 60 + 30, 16 * 60 + 30)];
/// The entries of one session: per site withdraw, dispatch, arrive, dispatch back, return and
/// store; per room open and seal.
const SESSION_EVENTS: u64 = (SITES * (6 + 2 * ROOMS)) as u64;
const SUBJECTS: [(&str, &str); 9] = [
    ("语文", "yuwen"),
    ("数学", "shuxue"),
    ("英语", "yingyu"),
    ("物理", "wuli"),
    ("化学", "huaxue"),
    ("生物", "shengwu"),
    ("历史", "lishi"),
    ("地理", "dili"),
    ("道德与法治", "daofa"),
];
const RECORD_LAG_MS: i64 = 3 * 60_000;
/// Bags per spot check.
const SPOT_BAGS: usize = 4;

fn key(id: &str) -> SigningKey {
    SigningKey::from_bytes(&demo_seed(id))
}

fn holder(
    id: &str,
    name: &str,
    person_number: &str,
    role: Role,
    person_key: &[u8; 32],
) -> Result<Keyholder, BoxError> {
    Ok(Keyholder {
        id: id.into(),
        name: name.into(),
        roles: vec![role],
        public_key: key(id).verifying_key().to_bytes(),
        person_tag: person_tag(person_key, person_number)?,
        valid_from: None,
        valid_until: None,
        key_kind: None,
    })
}

/// One event as planned: when it happens, what, and who co-signs it.
struct Planned {
    t: Timestamp,
    event: Event,
    signers: Vec<String>,
    /// A signer who signs with another key than the one derived from their id (re-keyed).
    rekeyed: Option<(String, SigningKey)>,
}

fn planned(t: Timestamp, event: Event, signers: [&str; 2]) -> Planned {
    Planned {
        t,
        event,
        signers: signers.iter().map(|s| s.to_string()).collect(),
        rekeyed: None,
    }
}

struct Site {
    name: String,
    cabinet: String,
    chief: String,
    escort: String,
    /// The two invigilators of each room.
    invigilators: Vec<[String; 2]>,
    /// Bags collected and not yet stored.
    collected: Vec<BagSpec>,
    /// What its cabinet holds.
    stored: Vec<BagSpec>,
}

/// What happens next. Only a session is more than one entry.
#[derive(Clone, Copy)]
enum Step {
    Genesis,
    Enroll(usize),
    /// Session `s` of a day.
    Schedule(i64, usize),
    CollectReserve,
    MorningInspect(usize),
    ReleaseSheets(usize),
    ReleaseSpares,
    Session(usize),
    Collect(usize),
    Store(usize),
    EveningInspect(usize),
}

impl Step {
    fn len(self) -> u64 {
        match self {
            Step::Session(_) => SESSION_EVENTS,
            _ => 1,
        }
    }
}

fn session_tag(day: i64, s: usize) -> String {
    format!("{day:04}{}", char::from(b'a' + s as u8))
}

/// The subject of session `s` of a day, and its id in session ids.
fn subject(day: i64, s: usize) -> (&'static str, &'static str) {
    SUBJECTS[(day as usize * SESSIONS.len() + s) % SUBJECTS.len()]
}

fn session_id(day: i64, s: usize) -> String {
    format!("{}-{}", subject(day, s).1, session_tag(day, s))
}

fn room_name(r: usize) -> String {
    format!("第{:02}考场", r + 1)
}

/// The county's calendar, played day after day (day 0 sets up, sessions run from day 1), and
/// the events it gives, in order.
struct Plan {
    /// Entries still to give.
    left: u64,
    day: i64,
    midnight: Timestamp,
    steps: VecDeque<Step>,
    pending: VecDeque<Planned>,
    /// When the last planned event happens.
    clock: Timestamp,
    genesis: Event,
    enrolments: Vec<Keyholder>,
    sites: Vec<Site>,
    seals: u64,
}

impl Plan {
    /// Day `day` at `minute` after midnight.
    fn at(&self, day: i64, minute: i64) -> Timestamp {
        Timestamp(self.midnight.0 + day * 86_400_000 + minute * 60_000)
    }

    fn today(&self, minute: i64) -> Timestamp {
        self.at(self.day, minute)
    }

    fn day_steps(&self) -> VecDeque<Step> {
        let mut steps = VecDeque::new();
        if self.day == 0 {
            // cust1 and sup1 first, so that the reserve bag is collected early (entry 5).
            steps.extend([Step::Genesis, Step::Enroll(0), Step::Enroll(1)]);
            steps.extend((0..SESSIONS.len()).map(|s| Step::Schedule(1, s)));
            steps.push_back(Step::CollectReserve);
            steps.extend((2..self.enrolments.len()).map(Step::Enroll));
        } else {
            steps.extend((0..SITES).map(Step::MorningInspect));
            if self.day >= 2 {
                steps.extend((0..SITES).map(Step::ReleaseSheets));
                steps.push_back(Step::ReleaseSpares);
            }
            steps.extend((0..SESSIONS.len()).map(Step::Session));
            steps.extend((0..SESSIONS.len()).map(|s| Step::Schedule(self.day + 1, s)));
        }
        steps.extend((0..SITES).map(Step::Collect));
        steps.extend((0..SITES).map(Step::Store));
        steps.extend((0..SITES).map(Step::EveningInspect));
        steps
    }

    fn next(&mut self) -> Result<Planned, BoxError> {
        while self.pending.is_empty() {
            let Some(step) = self.steps.pop_front() else {
                self.day += 1;
                self.steps = self.day_steps();
                continue;
            };
            let events = if step.len() <= self.left {
                self.run(step)
            } else {
                self.spot_checks()?
            };
            if let Some(last) = events.last() {
                self.clock = last.t;
            }
            self.pending = events.into();
        }
        self.left -= 1;
        self.pending
            .pop_front()
            .ok_or_else(|| "nothing planned".into())
    }

    /// The rest of the ledger: inspections of a few bags each, round the cabinets.
    fn spot_checks(&self) -> Result<Vec<Planned>, BoxError> {
        let bags: Vec<&BagSpec> = self
            .sites
            .iter()
            .flat_map(|s| s.stored.iter().chain(&s.collected))
            .collect();
        if bags.is_empty() {
            return Err("no bag in the cabinets to inspect".into());
        }
        Ok(bags
            .chunks(SPOT_BAGS)
            .cycle()
            .take(self.left as usize)
            .enumerate()
            .map(|(j, group)| {
                let event = Event::Inspect(Inspect {
                    bags: seen_all(group.iter().copied()),
                    incident: None,
                    cabinet: None,
                });
                planned(self.clock.plus_seconds(10 * (j as i64 + 1)), event, CUSTODY)
            })
            .collect())
    }

    fn run(&mut self, step: Step) -> Vec<Planned> {
        let day = self.day;
        match step {
            Step::Genesis => vec![Planned {
                t: self.today(8 * 60),
                event: self.genesis.clone(),
                signers: FOUNDERS.iter().map(|f| f.to_string()).collect(),
                rekeyed: None,
            }],
            Step::Enroll(j) => {
                let t = match j {
                    0 | 1 => self.today(8 * 60 + 2 + 2 * j as i64),
                    _ => self.today(8 * 60 + 20).plus_seconds(10 * j as i64),
                };
                let event = Event::Enroll(self.enrolments[j].clone());
                vec![planned(t, event, ADMINS)]
            }
            Step::Schedule(on, s) => {
                let minute = if day == 0 { 8 * 60 + 6 } else { 18 * 60 + 30 };
                let (start, end) = SESSIONS[s];
                let event = Event::Schedule(Schedule {
                    session: session_id(on, s),
                    subject: subject(on, s).0.into(),
                    start: self.at(on, start),
                    end: self.at(on, end),
                    incident: None,
                });
                vec![planned(self.today(minute + 2 * s as i64), event, ADMINS)]
            }
            Step::CollectReserve => {
                let bag = BagSpec {
                    id: RESERVE_BAG.into(),
                    kind: BagKind::SparePapers,
                    session: session_id(1, 0),
                    site: self.sites[0].name.clone(),
                    room: SPARE_ROOM.into(),
                    seal: RESERVE_SEAL.into(),
                    count: SPARE_PAPERS,
                };
                vec![self.collect_event(self.today(8 * 60 + 10), vec![bag])]
            }
            Step::MorningInspect(i) => {
                vec![self.inspect(self.today(6 * 60 + i as i64), i)]
            }
            Step::ReleaseSheets(i) => {
                let sheets: Vec<BagSpec> = self.sites[i]
                    .stored
                    .extract_if(.., |b| b.kind == BagKind::CompletedAnswerSheets)
                    .collect();
                let t = self.today(7 * 60 + i as i64);
                vec![release(t, &sheets, MARKING_CENTRE)]
            }
            Step::ReleaseSpares => {
                // Yesterday's unused spares, back to the province in one delivery.
                let today: Vec<String> = (0..SESSIONS.len()).map(|s| session_id(day, s)).collect();
                let mut spares = Vec::new();
                for site in &mut self.sites {
                    spares.extend(site.stored.extract_if(.., |b| {
                        b.kind == BagKind::SparePapers && !today.contains(&b.session)
                    }));
                }
                vec![release(self.today(7 * 60 + 20), &spares, UPSTREAM)]
            }
            Step::Session(s) => self.session(s),
            Step::Collect(i) => {
                let bags = (0..SESSIONS.len())
                    .flat_map(|s| self.papers(i, day + 1, s))
                    .collect::<Vec<_>>();
                self.sites[i].collected = bags.clone();
                vec![self.collect_event(self.today(19 * 60 + i as i64), bags)]
            }
            Step::Store(i) => {
                let site = &mut self.sites[i];
                let bags = std::mem::take(&mut site.collected);
                let event = Event::Store(Cabinet {
                    bags: seen_all(&bags),
                    cabinet: site.cabinet.clone(),
                    incident: None,
                });
                site.stored.extend(bags);
                vec![planned(self.today(19 * 60 + 30 + i as i64), event, CUSTODY)]
            }
            Step::EveningInspect(i) => vec![self.inspect(self.today(21 * 60 + i as i64), i)],
        }
    }

    fn collect_event(&self, t: Timestamp, bags: Vec<BagSpec>) -> Planned {
        let event = Event::Collect(Collect {
            bags,
            from: UPSTREAM.into(),
            incident: None,
        });
        planned(t, event, CUSTODY)
    }

    /// The seals of everything in site `i`'s cabinet.
    fn inspect(&self, t: Timestamp, i: usize) -> Planned {
        let event = Event::Inspect(Inspect {
            bags: seen_all(&self.sites[i].stored),
            incident: None,
            cabinet: None,
        });
        planned(t, event, CUSTODY)
    }

    /// What the province hands over for session `s` of `day` at site `i`.
    fn papers(&mut self, i: usize, day: i64, s: usize) -> Vec<BagSpec> {
        let tag = session_tag(day, s);
        let mut bag = |id: String, kind, room: String, count| {
            self.seals += 1;
            BagSpec {
                id,
                kind,
                session: session_id(day, s),
                site: self.sites[i].name.clone(),
                room,
                seal: format!("PS{:08}", self.seals),
                count,
            }
        };
        let mut bags = Vec::with_capacity(2 * ROOMS + SPARES);
        for r in 0..ROOMS {
            let n = format!("{tag}-{:02}{:02}", i + 1, r + 1);
            bags.push(bag(
                format!("QP-{n}"),
                BagKind::QuestionPapers,
                room_name(r),
                CANDIDATES,
            ));
            bags.push(bag(
                format!("AS-{n}"),
                BagKind::BlankAnswerSheets,
                room_name(r),
                CANDIDATES + 2,
            ));
        }
        for k in 0..SPARES {
            let letter = char::from(b'A' + k as u8);
            let id = format!("SP-{tag}-{:02}{letter}", i + 1);
            bags.push(bag(
                id,
                BagKind::SparePapers,
                SPARE_ROOM.into(),
                SPARE_PAPERS,
            ));
        }
        bags
    }

    /// Session `s` of today at every site, from withdrawal to storage, in time order. Within
    /// the default policy: under 1 h on the road each way (3 h allowed), opened 14 to 4 min
    /// before the start (from 15 min), answer sheets back the same afternoon. Site `k` runs `k`
    /// minutes behind site 0, so with 10 sites the morning ends (12:59) before the afternoon
    /// starts (13:00).
    fn session(&mut self, s: usize) -> Vec<Planned> {
        let (start, end) = SESSIONS[s];
        let start = self.today(start);
        let end = self.today(end);
        let id = session_id(self.day, s);
        let tag = session_tag(self.day, s);
        let mut out = Vec::with_capacity(SESSION_EVENTS as usize);
        for (i, site) in self.sites.iter_mut().enumerate() {
            let k = i as i64;
            let papers: Vec<BagSpec> = site.stored.extract_if(.., |b| b.session == id).collect();
            let withdraw = Event::Withdraw(Cabinet {
                bags: seen_all(&papers),
                cabinet: site.cabinet.clone(),
                incident: None,
            });
            out.push(planned(plus_min(start, k - 90), withdraw, CUSTODY));
            let dispatch = Event::Dispatch(Dispatch {
                bags: seen_all(&papers),
                to: Destination::Site(site.name.clone()),
                escorts: vec![site.escort.clone()],
                incident: None,
            });
            out.push(planned(
                plus_min(start, k - 80),
                dispatch,
                [CUSTODY[0], &site.escort],
            ));
            let arrive = Event::Arrive(Arrive {
                bags: seen_all(&papers),
                site: site.name.clone(),
                incident: None,
            });
            out.push(planned(
                plus_min(start, 2 * k - 55),
                arrive,
                [&site.chief, &site.escort],
            ));
            let mut back = Vec::with_capacity(ROOMS + SPARES);
            for r in 0..ROOMS {
                let room = room_name(r);
                let [a, b] = site.invigilators[r].each_ref().map(String::as_str);
                let open = Event::Open(Open {
                    bags: counted_all(papers.iter().filter(|p| p.room == room)),
                    site: site.name.clone(),
                    room: room.clone(),
                    incident: None,
                });
                let openers = if (r + s).is_multiple_of(2) {
                    [site.chief.as_str(), a]
                } else {
                    [a, b]
                };
                out.push(planned(
                    plus_min(start, -14).plus_seconds(40 * r as i64),
                    open,
                    openers,
                ));
                let absent = (i * 7 + r * 3 + s + self.day as usize) % 3;
                self.seals += 1;
                let sheets = BagSpec {
                    id: format!("CS-{tag}-{:02}{:02}", i + 1, r + 1),
                    kind: BagKind::CompletedAnswerSheets,
                    session: id.clone(),
                    site: site.name.clone(),
                    room,
                    seal: format!("KC{:08}", self.seals),
                    count: CANDIDATES - absent as u32,
                };
                let seal = Event::Seal(Seal {
                    bag: sheets.clone(),
                    incident: None,
                });
                out.push(planned(
                    plus_min(end, 5).plus_seconds(60 * r as i64),
                    seal,
                    [a, b],
                ));
                back.push(sheets);
            }
            back.extend(
                papers
                    .into_iter()
                    .filter(|p| p.kind == BagKind::SparePapers),
            );
            let bags: Vec<BagObs> = seen_all(&back);
            let dispatch = Event::Dispatch(Dispatch {
                bags: bags.clone(),
                to: Destination::Room,
                escorts: vec![site.escort.clone()],
                incident: None,
            });
            out.push(planned(
                plus_min(end, 30 + k),
                dispatch,
                [&site.chief, &site.escort],
            ));
            let ret = Event::Return(Return {
                bags: bags.clone(),
                incident: None,
            });
            out.push(planned(
                plus_min(end, 65 + k),
                ret,
                [CUSTODY[0], &site.escort],
            ));
            let store = Event::Store(Cabinet {
                bags,
                cabinet: site.cabinet.clone(),
                incident: None,
            });
            out.push(planned(plus_min(end, 80 + k), store, CUSTODY));
            site.stored.extend(back);
        }
        debug_assert_eq!(out.len() as u64, SESSION_EVENTS);
        // Every site at once, as the day runs; a stable sort keeps each site's order.
        out.sort_by_key(|p| p.t);
        out
    }
}

fn release(t: Timestamp, bags: &[BagSpec], to: &str) -> Planned {
    let event = Event::Release(Release {
        bags: seen_all(bags),
        to: to.into(),
        incident: None,
    });
    planned(t, event, RELEASERS)
}

/// The keyholders to enrol: cust1 and sup1 of the demo roster, then per site a chief examiner,
/// an escort and two invigilators per room, each their own person.
fn staff(person_key: &[u8; 32]) -> Result<(Vec<Keyholder>, Vec<Site>), BoxError> {
    let mut holders = Vec::new();
    for (id, role) in [("cust1", Role::Custodian), ("sup1", Role::Supervisor)] {
        let m = member(id);
        holders.push(holder(id, m.name, m.person_number, role, person_key)?);
    }
    // Staff numbers above the demo roster's.
    let mut number = 1000;
    let mut enrol = |id: String, name: String, role: Role| -> Result<String, BoxError> {
        number += 1;
        let person = format!("QS-2026-{number:04}");
        holders.push(holder(&id, &name, &person, role, person_key)?);
        Ok(id)
    };
    let mut sites = Vec::new();
    for i in 1..=SITES {
        let chief = enrol(
            format!("chief-{i:02}"),
            format!("主考{i:02}"),
            Role::ChiefExaminer,
        )?;
        let escort = enrol(format!("esc-{i:02}"), format!("押运员{i:02}"), Role::Escort)?;
        let mut invigilators = Vec::new();
        for r in 1..=ROOMS {
            let [a, b] = ["a", "b"].map(|x| {
                let name = format!("监考员{i:02}-{r:02}{x}");
                enrol(format!("inv-{i:02}-{r:02}{x}"), name, Role::Invigilator)
            });
            invigilators.push([a?, b?]);
        }
        sites.push(Site {
            name: format!("第{i}中学"),
            cabinet: format!("A{i}"),
            chief,
            escort,
            invigilators,
            collected: Vec::new(),
            stored: Vec::new(),
        });
    }
    Ok((holders, sites))
}

/// Writes a ledger of `n` entries in `dir` (which must not exist), county number `county`, and
/// says on stderr what it wrote.
pub fn write_ledger(dir: &Path, n: u64, county: u64) -> Result<(), BoxError> {
    if dir.exists() {
        return Err(format!("{} exists", dir.display()).into());
    }
    std::fs::create_dir_all(dir)?;
    let started = std::time::Instant::now();
    let mut ledger_id = [0x42u8; 16];
    ledger_id[8..].copy_from_slice(&county.to_be_bytes());
    let ledger_key = [7u8; 32];
    let person_key = [9u8; 32];
    std::fs::write(dir.join(LEDGER_KEY), ledger_key)?;
    std::fs::write(dir.join(PERSON_KEY), person_key)?;

    let founders: Vec<Keyholder> = FOUNDERS
        .iter()
        .map(|id| {
            let m = member(id);
            holder(id, m.name, m.person_number, Role::Admin, &person_key)
        })
        .collect::<Result<_, _>>()?;
    let (enrolments, sites) = staff(&person_key)?;
    // Each key is derived once: deriving the public half costs about as much as a signature.
    let keys: HashMap<String, SigningKey> = FOUNDERS
        .iter()
        .copied()
        .chain(enrolments.iter().map(|k| k.id.as_str()))
        .map(|id| (id.to_string(), key(id)))
        .collect();
    let genesis = Event::Genesis(Genesis {
        exam: format!("generated ledger {county} of {n} events"),
        time_zone: ZONE.into(),
        ledger_key: SigningKey::from_bytes(&ledger_key)
            .verifying_key()
            .to_bytes(),
        person_key_hash: custody::roster::person_key_hash(&person_key),
        founders,
        policy: Policy::default(),
    });
    let midnight = Timestamp::parse("2026-06-05T00:00", ZONE)?;
    let mut plan = Plan {
        left: n,
        day: 0,
        midnight,
        steps: VecDeque::new(),
        pending: VecDeque::new(),
        clock: midnight,
        genesis,
        enrolments,
        sites,
        seals: 0,
    };
    plan.steps = plan.day_steps();

    let written = write_journal(dir, &ledger_id, n, &keys, || plan.next())?;
    eprintln!(
        "wrote {n} entries to {} in {:.1} s: {} days, {}",
        dir.display(),
        started.elapsed().as_secs_f64(),
        plan.day,
        written.summary()
    );
    Ok(())
}

/// What [`write_journal`] wrote: entries by kind, bags named and bags created.
#[derive(Default)]
struct Written {
    kinds: BTreeMap<EventKind, u64>,
    named: u64,
    bags: u64,
}

impl Written {
    fn summary(&self) -> String {
        let kinds: Vec<String> = self.kinds.iter().map(|(k, c)| format!("{k} {c}")).collect();
        format!(
            "{} bags, {:.1} events per bag\n  {}",
            self.bags,
            self.named as f64 / self.bags.max(1) as f64,
            kinds.join(", ")
        )
    }
}

/// Writes the journal of `n` entries that `next` plans, signed with `keys` (by signer id).
fn write_journal(
    dir: &Path,
    ledger_id: &[u8; 16],
    n: u64,
    keys: &HashMap<String, SigningKey>,
    mut next: impl FnMut() -> Result<Planned, BoxError>,
) -> Result<Written, BoxError> {
    let ledger_id = *ledger_id;
    let mut out =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join(JOURNAL))?);
    out.write_all(&header(&ledger_id))?;
    let mut prev: Hash = [0; 32];
    let mut recorded = Timestamp(i64::MIN);
    let mut written = Written::default();
    let mut seq = 0u64;
    // Block by block: bodies against the head before the block, signed in parallel, then chained.
    while seq < n {
        let head = Head {
            size: seq,
            hash: prev,
        };
        let end = (seq + BLOCK).min(n);
        let block = (seq..end)
            .map(|s| Ok((s, next()?)))
            .collect::<Result<Vec<(u64, Planned)>, BoxError>>()?;
        for (_, p) in &block {
            *written.kinds.entry(p.event.kind()).or_default() += 1;
            written.named += p.event.bag_ids().len() as u64;
            written.bags += match &p.event {
                Event::Collect(c) => c.bags.len() as u64,
                Event::Seal(_) => 1,
                _ => 0,
            };
        }
        let signed: Vec<(u64, Timestamp, Vec<u8>, Vec<CoSignature>)> = block
            .into_par_iter()
            .map(|(s, p)| {
                let body = Body {
                    ledger_id,
                    head: if s == 0 { Head::EMPTY } else { head },
                    event_time: p.t,
                    nonce: {
                        let mut nonce = [0u8; 16];
                        nonce[..8].copy_from_slice(&s.to_le_bytes());
                        nonce
                    },
                    signers: p.signers,
                    event: p.event,
                };
                let bytes = body.encode().expect("encodes");
                let sigs = body
                    .signers
                    .iter()
                    .map(|who| {
                        let key = match &p.rekeyed {
                            Some((id, key)) if id == who => key,
                            _ => &keys[who],
                        };
                        CoSignature {
                            signer: who.clone(),
                            signature: sign_body(key, &bytes),
                        }
                    })
                    .collect();
                (s, p.t, bytes, sigs)
            })
            .collect();
        for (s, t, body, signatures) in signed {
            recorded = Timestamp((t.0 + RECORD_LAG_MS).max(recorded.0 + 1));
            let entry = Entry {
                seq: s,
                prev_hash: prev,
                recorded_at: recorded,
                body,
                signatures,
            };
            let bytes = entry.encode()?;
            debug_assert!(DecodedEntry::decode(&bytes).is_ok());
            prev = leaf_hash(&bytes);
            out.write_all(&frame(&bytes)?)?;
        }
        seq = end;
    }
    out.flush()?;
    out.get_ref().sync_all()?;
    Ok(written)
}

/// The keyholder id the adversarial ledger re-keys again and again.
const CHURN: &str = "churn";
/// The bag the adversarial ledger names in one long run of events.
const RUN_BAG: &str = "RUN-0001";
/// The length of the adversarial ledger's free-text fields (bag ids, seals, site and room
/// names; keyholder names are at their limit, `roster::MAX_NAME_LEN`).
const LONG: usize = 256;
/// Bags of the adversarial ledger with long fields, and how many one event names.
const LONG_BAGS: usize = 256;
const LONG_PER_EVENT: usize = 4;

/// A string of `LONG` bytes ending in `tag`.
fn long(tag: &str) -> String {
    format!("{tag:x>LONG$}")
}

/// The adversarial ledger's events, in order: a valid ledger that no honest county would write
/// (`write_adversarial`).
struct Hostile {
    n: u64,
    /// Entries planned so far.
    i: u64,
    start: Timestamp,
    session: String,
    person_key: [u8; 32],
    churn_end: u64,
    run_end: u64,
    genesis: Event,
    roster: Vec<Keyholder>,
}

impl Hostile {
    fn churn_holder(&self, cycle: u64) -> Result<(Keyholder, SigningKey), BoxError> {
        let key = SigningKey::from_bytes(&demo_seed(&format!("{CHURN}-{cycle}")));
        let name = format!("{:\u{4e00}>1$}", cycle, 256 / 3);
        let mut k = holder(CHURN, &name, "QS-CHURN", Role::Custodian, &self.person_key)?;
        k.public_key = key.verifying_key().to_bytes();
        Ok((k, key))
    }

    fn long_bag(&self, j: usize) -> BagSpec {
        BagSpec {
            id: long(&format!("L{j:04}")),
            kind: BagKind::QuestionPapers,
            session: self.session.clone(),
            site: long("site"),
            room: long(&format!("room{}", j % 16)),
            seal: long(&format!("S{j:04}")),
            count: CANDIDATES,
        }
    }

    fn next(&mut self) -> Result<Planned, BoxError> {
        let i = self.i;
        self.i += 1;
        // 10 ms apart: a million entries fit in the morning before the session.
        let t = Timestamp(self.start.0 + 10 * i as i64);
        let run = |signers: [&str; 2]| {
            let event = Event::Inspect(Inspect {
                bags: vec![BagObs {
                    id: RUN_BAG.into(),
                    seal: Some(RESERVE_SEAL.into()),
                    count: None,
                }],
                incident: None,
                cabinet: None,
            });
            planned(t, event, signers)
        };
        Ok(match i {
            0 => Planned {
                t,
                event: self.genesis.clone(),
                signers: FOUNDERS.iter().map(|f| f.to_string()).collect(),
                rekeyed: None,
            },
            1..=3 => planned(
                t,
                Event::Enroll(self.roster[i as usize - 1].clone()),
                ADMINS,
            ),
            4 => planned(
                t,
                Event::Schedule(Schedule {
                    session: self.session.clone(),
                    subject: "数学".into(),
                    start: plus_min(self.start, 25 * 60),
                    end: plus_min(self.start, 27 * 60 + 30),
                    incident: None,
                }),
                ADMINS,
            ),
            5 => {
                let bag = BagSpec {
                    id: RUN_BAG.into(),
                    kind: BagKind::SparePapers,
                    session: self.session.clone(),
                    site: "第1中学".into(),
                    room: SPARE_ROOM.into(),
                    seal: RESERVE_SEAL.into(),
                    count: SPARE_PAPERS,
                };
                let event = Event::Collect(Collect {
                    bags: vec![bag],
                    from: UPSTREAM.into(),
                    incident: None,
                });
                planned(t, event, CUSTODY)
            }
            // Revoke, enrol again with a new key, sign once with it: the id's keys pile up.
            i if i < self.churn_end => {
                let cycle = (i - 6) / 3;
                match (i - 6) % 3 {
                    0 => {
                        let event = Event::Revoke(Revocation {
                            id: CHURN.into(),
                            reason: long("key card lost"),
                        });
                        planned(t, event, ADMINS)
                    }
                    1 => planned(t, Event::Enroll(self.churn_holder(cycle + 1)?.0), ADMINS),
                    _ => {
                        let mut p = run([CHURN, CUSTODY[1]]);
                        p.rekeyed = Some((CHURN.into(), self.churn_holder(cycle + 1)?.1));
                        p
                    }
                }
            }
            i if i < self.run_end || i >= self.n => run(CUSTODY),
            // Long fields: the bags collected a few at a time, then inspected in turn.
            i => {
                let k = (i - self.run_end) as usize;
                let collects = LONG_BAGS / LONG_PER_EVENT;
                let first = (k % collects) * LONG_PER_EVENT;
                let bags: Vec<BagSpec> = (first..first + LONG_PER_EVENT)
                    .map(|j| self.long_bag(j))
                    .collect();
                let event = if k < collects {
                    Event::Collect(Collect {
                        bags,
                        from: long("upstream"),
                        incident: None,
                    })
                } else {
                    Event::Inspect(Inspect {
                        bags: seen_all(&bags),
                        incident: None,
                        cabinet: None,
                    })
                };
                planned(t, event, CUSTODY)
            }
        })
    }
}

/// Writes an adversarial ledger of `n` entries in `dir` (which must not exist), for the
/// benchmark's linear-cost line: valid (two admins may do all of it), but a third of it
/// re-keys one keyholder id again and again (revoke, enrol with a new key, sign once), a third
/// is one long run of inspections of one bag, and a third names bags whose ids, seals, sites
/// and rooms are 256 bytes long (keyholder names at their 256-byte limit).
pub fn write_adversarial(dir: &Path, n: u64) -> Result<(), BoxError> {
    if n < 9 {
        return Err("an adversarial ledger needs at least 9 entries".into());
    }
    if dir.exists() {
        return Err(format!("{} exists", dir.display()).into());
    }
    std::fs::create_dir_all(dir)?;
    let started = std::time::Instant::now();
    let ledger_id = [0x66u8; 16];
    let ledger_key = [7u8; 32];
    let person_key = [9u8; 32];
    std::fs::write(dir.join(LEDGER_KEY), ledger_key)?;
    std::fs::write(dir.join(PERSON_KEY), person_key)?;
    let founders: Vec<Keyholder> = FOUNDERS
        .iter()
        .map(|id| {
            let m = member(id);
            holder(id, m.name, m.person_number, Role::Admin, &person_key)
        })
        .collect::<Result<_, _>>()?;
    let mut roster = Vec::new();
    for (id, role) in [("cust1", Role::Custodian), ("sup1", Role::Supervisor)] {
        let m = member(id);
        roster.push(holder(id, m.name, m.person_number, role, &person_key)?);
    }
    let start = Timestamp::parse("2026-06-05T08:00", ZONE)?;
    let third = (n - 6) / 3;
    let mut plan = Hostile {
        n,
        i: 0,
        start,
        session: "shuxue-0001a".into(),
        person_key,
        churn_end: 6 + third / 3 * 3,
        run_end: 6 + third / 3 * 3 + third,
        genesis: Event::Genesis(Genesis {
            exam: format!("adversarial ledger of {n} events"),
            time_zone: ZONE.into(),
            ledger_key: SigningKey::from_bytes(&ledger_key)
                .verifying_key()
                .to_bytes(),
            person_key_hash: custody::roster::person_key_hash(&person_key),
            founders,
            policy: Policy::default(),
        }),
        roster: Vec::new(),
    };
    roster.push(plan.churn_holder(0)?.0);
    plan.roster = roster;
    let keys: HashMap<String, SigningKey> = FOUNDERS
        .iter()
        .chain(&["cust1", "sup1"])
        .map(|id| (id.to_string(), key(id)))
        .chain([(CHURN.to_string(), plan.churn_holder(0)?.1)])
        .collect();
    let written = write_journal(dir, &ledger_id, n, &keys, || plan.next())?;
    eprintln!(
        "wrote an adversarial ledger of {n} entries to {} in {:.1} s: {}",
        dir.display(),
        started.elapsed().as_secs_f64(),
        written.summary()
    );
    Ok(())
}
