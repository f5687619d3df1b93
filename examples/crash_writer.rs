//! A writer for the crash harness (`tests/crash.rs`, docs/RELIABILITY.md): it appends co-signed
//! events to a ledger in a loop with the real clock and fsync on, and prints `opened` on stdout
//! once the ledger is open and `ack SEQ HASH` after each append returns, so that a harness that
//! kills it with SIGKILL knows exactly how far it got and which events were acknowledged.
//!
//!     cargo run --release --example crash_writer -- DIR --setup   # create the ledger
//!     cargo run --release --example crash_writer -- DIR [COUNT]   # append until killed (or COUNT)

#[path = "common/mod.rs"]
mod common;

use common::{BoxError, FOUNDERS, ZONE, demo_seed, member};
use custody::bag::{BagKind, BagObs, BagSpec};
use custody::entry::{CoSignature, hex};
use custody::event::{Collect, Event, Inspect, Schedule};
use custody::ledger::{self, Founder, Ledger, NewLedger};
use custody::policy::Policy;
use custody::roster::{Keyholder, Role, person_tag};
use custody::signing::sign_body;
use custody::time::Timestamp;
use ed25519_dalek::SigningKey;
use std::io::Write;
use std::path::Path;

const BAG: &str = "QP-CRASH-1";
const SEAL: &str = "S-CRASH-1";

fn key(id: &str) -> SigningKey {
    SigningKey::from_bytes(&demo_seed(id))
}

/// Prepares, signs (with the demo seeds) and appends one event with the real clock.
fn append(
    ledger: &mut Ledger,
    dir: &Path,
    event: Event,
    signers: &[&str],
) -> Result<(u64, [u8; 32]), BoxError> {
    let mut peek = ledger::peek(dir)?;
    peek.head = ledger.head()?;
    let body = ledger::prepare(
        &peek,
        event,
        Timestamp::now(),
        signers.iter().map(|s| s.to_string()).collect(),
    );
    let bytes = body.encode()?;
    let sigs = signers
        .iter()
        .map(|s| CoSignature {
            signer: s.to_string(),
            signature: sign_body(&key(s), &bytes),
        })
        .collect();
    let r = ledger.append(bytes, sigs)?;
    Ok((r.seq, r.hash))
}

fn setup(dir: &Path) -> Result<(), BoxError> {
    let founders = FOUNDERS
        .iter()
        .map(|id| Founder {
            id: id.to_string(),
            name: member(id).name.into(),
            public_key: key(id).verifying_key().to_bytes(),
            person_number: member(id).person_number.into(),
            key_kind: None,
        })
        .collect();
    let new = NewLedger::prepare(
        "crash harness",
        ZONE,
        founders,
        Policy::default(),
        Timestamp::now(),
    )?;
    let sigs = FOUNDERS
        .iter()
        .map(|id| CoSignature {
            signer: id.to_string(),
            signature: sign_body(&key(id), &new.body_bytes),
        })
        .collect();
    let (mut ledger, _) = new.create(dir, sigs, Timestamp::now())?;
    let person_key = ledger::person_key(dir)?;
    for (id, role) in [("cust1", Role::Custodian), ("sup1", Role::Supervisor)] {
        let k = Keyholder {
            id: id.into(),
            name: member(id).name.into(),
            roles: vec![role],
            public_key: key(id).verifying_key().to_bytes(),
            person_tag: person_tag(&person_key, member(id).person_number)?,
            valid_from: None,
            valid_until: None,
            key_kind: None,
        };
        append(&mut ledger, dir, Event::Enroll(k), &["admin1", "admin2"])?;
    }
    let start = Timestamp::now().plus_seconds(24 * 3600);
    let schedule = Event::Schedule(Schedule {
        session: "crash".into(),
        subject: "reliability".into(),
        start,
        end: start.plus_seconds(7200),
        incident: None,
    });
    append(&mut ledger, dir, schedule, &["admin1", "admin2"])?;
    let collect = Event::Collect(Collect {
        bags: vec![BagSpec {
            id: BAG.into(),
            kind: BagKind::QuestionPapers,
            session: "crash".into(),
            site: "site".into(),
            room: "room".into(),
            seal: SEAL.into(),
            count: 30,
        }],
        from: "province".into(),
        incident: None,
    });
    append(&mut ledger, dir, collect, &["cust1", "sup1"])?;
    ledger.close()?;
    Ok(())
}

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or("usage: crash_writer DIR [--setup | COUNT]")?;
    let dir = Path::new(&dir);
    let next = args.next();
    if next.as_deref() == Some("--setup") {
        return setup(dir);
    }
    let count: u64 = next.map(|n| n.parse()).transpose()?.unwrap_or(u64::MAX);
    let mut ledger = Ledger::open(dir)?;
    for n in &ledger.notices {
        eprintln!("note: {n}");
    }
    let stdout = std::io::stdout();
    {
        let mut out = stdout.lock();
        writeln!(out, "opened")?;
        out.flush()?;
    }
    for _ in 0..count {
        let event = Event::Inspect(Inspect {
            bags: vec![BagObs {
                id: BAG.into(),
                seal: Some(SEAL.into()),
                count: None,
            }],
            incident: None,
            cabinet: None,
        });
        let (seq, hash) = append(&mut ledger, dir, event, &["cust1", "sup1"])?;
        // Acknowledged: the record is fsynced. Say so at once, before anything else can happen.
        let mut out = stdout.lock();
        writeln!(out, "ack {seq} {}", hex(&hash))?;
        out.flush()?;
    }
    ledger.close()?;
    Ok(())
}
