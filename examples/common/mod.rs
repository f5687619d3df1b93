//! Code shared by the examples (`#[path = "common/mod.rs"] mod common;`): the demo roster and its
//! key files, a simulated clock, and a `Desk` that prepares, co-signs and appends events the way
//! the terminal in the confidentiality room does, plus two small printers (bag status, findings);
//! and `generator`, which writes large valid ledgers for the benchmark and tests.
//!
//! Not every example uses every item.
#![allow(dead_code)]

pub mod generator;

use custody::bag::{BagKind, BagObs, BagSpec, BagState, Place, SessionState};
use custody::entry::{Body, CoSignature, Hash};
use custody::event::{Event, Schedule};
use custody::finding::Finding;
use custody::keyfile::{
    KdfParams, SecretKeyFile, read_public_key_file, read_secret_key_file, write_key_pair,
};
use custody::ledger::{self, Founder, Ledger, LedgerError, NewLedger, Peek, Receipt};
use custody::policy::Policy;
use custody::roster::{Keyholder, Role, person_tag};
use custody::signing::sign_body;
use custody::time::Timestamp;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub type BoxError = Box<dyn std::error::Error>;

/// The exam's time zone.
pub const ZONE: &str = "Asia/Shanghai";

/// One keyholder of the demo roster. Roles are given at enrolment, not in the key file; the
/// person number is the staff number the exam office checks for "one person, one active key".
pub struct Member {
    pub id: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub person_number: &'static str,
}

const fn m(
    id: &'static str,
    name: &'static str,
    role: &'static str,
    person_number: &'static str,
) -> Member {
    Member {
        id,
        name,
        role,
        person_number,
    }
}

/// The demo roster: 12 keyholders covering every role. admin1-3 found the ledger.
pub const ROSTER: &[Member] = &[
    m("admin1", "张建国", "admin", "QS-2026-0001"),
    m("admin2", "李秀英", "admin", "QS-2026-0002"),
    m("admin3", "王志强", "admin", "QS-2026-0003"),
    m("cust1", "赵敏", "custodian", "QS-2026-0104"),
    m("sup1", "钱伟", "supervisor", "QS-2026-0105"),
    m("esc1", "孙磊", "escort", "QS-2026-0206"),
    m("esc2", "周洋", "escort", "QS-2026-0207"),
    m("pol1", "吴刚", "police", "GA-3307-1108"),
    m("chief1", "郑华", "chief_examiner", "QS-2026-0309"),
    m("chief2", "冯丽", "chief_examiner", "QS-2026-0310"),
    m("inv1", "陈静", "invigilator", "QS-2026-0411"),
    m("inv2", "褚明", "invigilator", "QS-2026-0412"),
];

/// The founding admins.
pub const FOUNDERS: &[&str] = &["admin1", "admin2", "admin3"];

/// A spare-paper bag that `generate_ledger` collects before anything else and keeps in the
/// confidentiality room, so that the benchmark can append inspections to any generated ledger.
pub const RESERVE_BAG: &str = "SP-RESERVE";
pub const RESERVE_SEAL: &str = "PS-RESERVE";

pub fn member(id: &str) -> &'static Member {
    ROSTER
        .iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("{id} is not on the demo roster"))
}

/// The seed of a demo key, derived from the keyholder id, so anyone can regenerate it: these
/// keys are for demos and tests only and protect nothing.
pub fn demo_seed(id: &str) -> [u8; 32] {
    Sha256::digest(format!("custody demo key {id}")).into()
}

/// The passphrase of a demo key file.
pub fn demo_passphrase(id: &str) -> String {
    format!("demo-{id}")
}

/// Writes `ID.key` and `ID.pub` for every member of the roster (low-cost KDF: demo only).
pub fn write_roster_keys(dir: &Path) -> Result<(), BoxError> {
    for m in ROSTER {
        let pass = demo_passphrase(m.id);
        let (bytes, public) = SecretKeyFile::encrypt(
            &demo_seed(m.id),
            m.id,
            m.name,
            pass.as_bytes(),
            KdfParams::LOW_COST,
        )?;
        write_key_pair(dir, &bytes, &public)?;
    }
    Ok(())
}

/// Reads `ID.key` and unlocks it with the keyholder's passphrase, as `--sign ID.key` does at
/// the terminal.
pub fn unlock(dir: &Path, id: &str) -> Result<SigningKey, BoxError> {
    let file = read_secret_key_file(&dir.join(format!("{id}.key")))?;
    Ok(file.unlock(demo_passphrase(id).as_bytes())?)
}

/// The public key from `ID.pub`, as the exam office receives it for `init` and `enroll`.
pub fn public_key(dir: &Path, id: &str) -> Result<[u8; 32], BoxError> {
    Ok(read_public_key_file(&dir.join(format!("{id}.pub")))?.key)
}

/// A wall-clock time in the exam zone: `at("2026-06-07", "08:46")`.
pub fn at(date: &str, hm: &str) -> Timestamp {
    Timestamp::parse(&format!("{date}T{hm}"), ZONE)
        .unwrap_or_else(|e| panic!("bad time {date} {hm}: {e}"))
}

pub fn plus_min(t: Timestamp, minutes: i64) -> Timestamp {
    t.plus_seconds(minutes * 60)
}

/// `08:46` in the exam zone.
pub fn hm(t: Timestamp) -> String {
    let full = t.display_in(ZONE); // 2026-06-07 08:46:00 +08:00
    full[11..16].to_string()
}

/// `06-07 08:46` in the exam zone.
pub fn day_hm(t: Timestamp) -> String {
    let full = t.display_in(ZONE);
    full[5..16].to_string()
}

/// How long after the event the terminal records it, and the least step of the recorded clock.
const RECORD_LAG_MIN: i64 = 3;
const CLOCK_STEP_SEC: i64 = 20;

/// The terminal: one ledger, the unlocked keys of the roster, and a simulated clock. Each event
/// happens at a given time and is recorded a few minutes later; the recorded clock never goes
/// backwards.
pub struct Desk {
    pub ledger: Ledger,
    pub exam: String,
    pub keys: BTreeMap<String, SigningKey>,
    pub key_dir: PathBuf,
    pub genesis_hash: Hash,
    last_recorded: Timestamp,
}

impl Desk {
    /// Unlocks every roster key from `key_dir` and creates the ledger at `dir`, founded by
    /// `FOUNDERS` at time `t` with the default policy.
    pub fn found(dir: &Path, key_dir: &Path, exam: &str, t: Timestamp) -> Result<Desk, BoxError> {
        let mut keys = BTreeMap::new();
        for m in ROSTER {
            keys.insert(m.id.to_string(), unlock(key_dir, m.id)?);
        }
        let mut founders = Vec::new();
        for id in FOUNDERS {
            founders.push(Founder {
                id: id.to_string(),
                name: member(id).name.to_string(),
                public_key: public_key(key_dir, id)?,
                person_number: member(id).person_number.to_string(),
                key_kind: None,
            });
        }
        let new = NewLedger::prepare(exam, ZONE, founders, Policy::default(), t)?;
        let sigs = FOUNDERS
            .iter()
            .map(|id| CoSignature {
                signer: id.to_string(),
                signature: sign_body(&keys[*id], &new.body_bytes),
            })
            .collect();
        let recorded = plus_min(t, RECORD_LAG_MIN);
        let (ledger, receipt) = new.create(dir, sigs, recorded)?;
        Ok(Desk {
            ledger,
            exam: exam.to_string(),
            keys,
            key_dir: key_dir.to_path_buf(),
            genesis_hash: receipt.hash,
            last_recorded: recorded,
        })
    }

    /// What the signers see before signing: the ledger's id, exam, zone and head.
    pub fn peek(&self) -> Result<Peek, LedgerError> {
        let info = self.ledger.state().ledger()?;
        Ok(Peek {
            ledger_id: self.ledger.ledger_id(),
            exam: self.exam.clone(),
            time_zone: ZONE.to_string(),
            person_key_hash: info.map_or([0; 32], |i| i.person_key_hash),
            head: self.ledger.head()?,
        })
    }

    /// The body of an event at time `t`, named signers in order, and its canonical bytes.
    pub fn draft(
        &self,
        event: Event,
        t: Timestamp,
        signers: &[&str],
    ) -> Result<(Body, Vec<u8>), LedgerError> {
        let signers = signers.iter().map(|s| s.to_string()).collect();
        let body = ledger::prepare(&self.peek()?, event, t, signers);
        let bytes = body.encode().map_err(LedgerError::Malformed)?;
        Ok((body, bytes))
    }

    /// Co-signatures for `slots`: (the signer the signature claims to be, whose key signs).
    /// An honest terminal always uses the same id twice.
    pub fn sign_as(&self, body_bytes: &[u8], slots: &[(&str, &str)]) -> Vec<CoSignature> {
        slots
            .iter()
            .map(|(claimed, key)| CoSignature {
                signer: claimed.to_string(),
                signature: sign_body(&self.keys[*key], body_bytes),
            })
            .collect()
    }

    /// Each named signer signs with their own key, in the body's order.
    pub fn sign(&self, body: &Body, body_bytes: &[u8]) -> Vec<CoSignature> {
        let slots: Vec<(&str, &str)> = body
            .signers
            .iter()
            .map(|s| (s.as_str(), s.as_str()))
            .collect();
        self.sign_as(body_bytes, &slots)
    }

    /// When the terminal records an event that happened at `t`.
    pub fn recorded_time(&self, t: Timestamp) -> Timestamp {
        plus_min(t, RECORD_LAG_MIN).max(self.last_recorded.plus_seconds(CLOCK_STEP_SEC))
    }

    /// Appends a signed body; the simulated clock advances only when it is accepted.
    pub fn submit(
        &mut self,
        body: &Body,
        body_bytes: Vec<u8>,
        signatures: Vec<CoSignature>,
    ) -> Result<Receipt, LedgerError> {
        let recorded = self.recorded_time(body.event_time);
        let receipt = self
            .ledger
            .append_recorded_at(body_bytes, signatures, recorded)?;
        self.last_recorded = recorded;
        Ok(receipt)
    }

    /// Prepares, co-signs (each signer with their own key) and appends an event.
    pub fn record(
        &mut self,
        t: Timestamp,
        event: Event,
        signers: &[&str],
    ) -> Result<Receipt, LedgerError> {
        let (body, bytes) = self.draft(event, t, signers)?;
        let sigs = self.sign(&body, &bytes);
        self.submit(&body, bytes, sigs)
    }

    /// The keyholder record `enroll` builds: roles, public key, and the person tag of the
    /// person number under the ledger's person key.
    pub fn keyholder(
        &self,
        id: &str,
        name: &str,
        roles: &[Role],
        public_key: [u8; 32],
        person_number: &str,
    ) -> Result<Keyholder, LedgerError> {
        let person_key = ledger::person_key(self.ledger.dir())?;
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        Ok(Keyholder {
            id: id.to_string(),
            name: name.to_string(),
            roles,
            public_key,
            person_tag: person_tag(&person_key, person_number)?,
            valid_from: None,
            valid_until: None,
            key_kind: None,
        })
    }

    /// Enrols every non-founding member of the roster (two admins co-sign each), one every two
    /// minutes from `t`; returns the time after the last.
    pub fn enroll_roster(
        &mut self,
        mut t: Timestamp,
        admins: &[&str],
    ) -> Result<Timestamp, BoxError> {
        for m in ROSTER.iter().filter(|m| !FOUNDERS.contains(&m.id)) {
            let role: Role = m.role.parse()?;
            let public = public_key(&self.key_dir, m.id)?;
            let k = self.keyholder(m.id, m.name, &[role], public, m.person_number)?;
            self.record(t, Event::Enroll(k), admins)?;
            t = plus_min(t, 2);
        }
        Ok(t)
    }

    /// Schedules a session (two admins).
    pub fn schedule(
        &mut self,
        t: Timestamp,
        session: &str,
        subject: &str,
        start: Timestamp,
        end: Timestamp,
        admins: &[&str],
    ) -> Result<Receipt, LedgerError> {
        let event = Event::Schedule(Schedule {
            session: session.to_string(),
            subject: subject.to_string(),
            start,
            end,
            incident: None,
        });
        self.record(t, event, admins)
    }

    /// The journal file, for the audit.
    pub fn journal(&self) -> PathBuf {
        self.ledger.dir().join(ledger::JOURNAL)
    }
}

/// A bag as the signers observe it: its barcode and the seal number they read.
pub fn seen(spec: &BagSpec) -> BagObs {
    BagObs {
        id: spec.id.clone(),
        seal: Some(spec.seal.clone()),
        count: None,
    }
}

pub fn seen_all<'a>(specs: impl IntoIterator<Item = &'a BagSpec>) -> Vec<BagObs> {
    specs.into_iter().map(seen).collect()
}

/// A bag as it is opened: its seal, and the papers counted in it.
pub fn counted(spec: &BagSpec) -> BagObs {
    BagObs {
        count: Some(spec.count),
        ..seen(spec)
    }
}

pub fn counted_all<'a>(specs: impl IntoIterator<Item = &'a BagSpec>) -> Vec<BagObs> {
    specs.into_iter().map(counted).collect()
}

/// Where every bag is now, grouped by destination site and room (sites in the order they were
/// first collected, spare-paper groups last), each room's bags by session start and kind.
/// A stand-in until the library offers a status view.
pub fn status_table(bags: &[BagState], sessions: &[(String, SessionState)]) -> String {
    let start = |session: &str| {
        sessions
            .iter()
            .find(|(id, _)| id == session)
            .map(|(_, s)| s.start)
    };
    let mut site_first: BTreeMap<&str, u64> = BTreeMap::new();
    let mut groups: BTreeMap<(&str, &str), Vec<&BagState>> = BTreeMap::new();
    for b in bags {
        let first = site_first.entry(&b.spec.site).or_insert(b.collected_seq);
        *first = (*first).min(b.collected_seq);
        groups
            .entry((b.spec.site.as_str(), b.spec.room.as_str()))
            .or_default()
            .push(b);
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by_key(|((site, room), bags)| {
        let spares_only = bags.iter().all(|b| b.spec.kind == BagKind::SparePapers);
        (site_first[site], *site, spares_only, *room)
    });
    let width =
        |f: fn(&BagState) -> usize, min: usize| bags.iter().map(f).max().unwrap_or(min).max(min);
    let id_w = width(|b| b.spec.id.len(), 3);
    let seal_w = width(|b| b.spec.seal.len(), 4);
    let sess_w = width(|b| b.spec.session.len(), 7);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {:<id_w$}  {:<23}  {:<sess_w$}  {:<seal_w$}  {:>5}  {:>5}  now",
        "bag", "kind", "session", "seal", "count", "entry"
    );
    let mut site = "";
    for ((s, room), mut bags) in groups {
        if s != site {
            let _ = writeln!(out, "{s}");
            site = s;
        }
        let _ = writeln!(out, " {room}");
        bags.sort_by_key(|b| {
            (
                start(&b.spec.session),
                b.spec.session.clone(),
                b.spec.kind,
                b.spec.id.clone(),
            )
        });
        for b in bags {
            let last = b.history.last().copied().unwrap_or(b.collected_seq);
            let _ = writeln!(
                out,
                "  {:<id_w$}  {:<23}  {:<sess_w$}  {:<seal_w$}  {:>5}  {:>5}  {}",
                b.spec.id,
                b.spec.kind.as_str(),
                b.spec.session,
                b.spec.seal,
                b.spec.count,
                last,
                b.place
            );
        }
    }
    out
}

/// How many bags are where, e.g. `28 released to 阅卷中心`, most first.
pub fn place_counts(bags: &[BagState]) -> Vec<(usize, String)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for b in bags {
        let label = match &b.place {
            Place::Opened { .. } => "opened in their rooms".to_string(),
            other => other.to_string(),
        };
        *counts.entry(label).or_default() += 1;
    }
    let mut v: Vec<(usize, String)> = counts.into_iter().map(|(k, n)| (n, k)).collect();
    v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    v
}

/// One line per finding: code, entry, bag, message.
pub fn finding_lines(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "  {:<18} entry {:>4}  bag {:<12} {}",
            f.code.as_str(),
            f.seq,
            f.bag.as_deref().unwrap_or("-"),
            f.message
        );
    }
    out
}
