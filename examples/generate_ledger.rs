//! Writes a valid ledger of N events quickly, for benchmarks (docs/PERFORMANCE.md): a genesis,
//! two enrolments, a session, 1,000 collected bags, then co-signed inspections of those bags
//! until the journal holds N entries. Bodies of a block of 1,000 entries are signed against the
//! head before the block (within the policy's replay window), so they can be signed in parallel.
//!
//!     cargo run --release --example generate_ledger -- DIR N [COUNTY]
//!
//! COUNTY (a number, 0 by default) goes into the ledger id, so that many ledgers generated for
//! a multi-county audit are distinct ledgers with distinct genesis hashes.
//!
//! The recorded times are synthetic (1 ms apart), so the ledger audits clean. Its index is not
//! built; the first writer to open it builds it.

#[path = "common/mod.rs"]
mod common;

use common::{BoxError, FOUNDERS, ZONE, demo_seed, member};
use custody::bag::{BagKind, BagObs, BagSpec};
use custody::entry::{Body, CoSignature, DecodedEntry, Entry, Hash, Head, leaf_hash};
use custody::event::{Collect, Event, Genesis, Inspect, Schedule};
use custody::journal::{frame, header};
use custody::ledger::{JOURNAL, LEDGER_KEY, PERSON_KEY};
use custody::policy::Policy;
use custody::roster::{Keyholder, Role, person_tag};
use custody::signing::sign_body;
use custody::time::Timestamp;
use ed25519_dalek::SigningKey;
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;

const BLOCK: u64 = 1000;
const BAGS: usize = 1000;

fn key(id: &str) -> SigningKey {
    SigningKey::from_bytes(&demo_seed(id))
}

fn holder(id: &str, role: Role, person_key: &[u8; 32]) -> Result<Keyholder, BoxError> {
    Ok(Keyholder {
        id: id.into(),
        name: member(id).name.into(),
        roles: vec![role],
        public_key: key(id).verifying_key().to_bytes(),
        person_tag: person_tag(person_key, member(id).person_number)?,
        valid_from: None,
        valid_until: None,
    })
}

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: generate_ledger DIR N [COUNTY]";
    let dir = args.next().ok_or(usage)?;
    let n: u64 = args.next().ok_or(usage)?.parse()?;
    let county: u64 = args.next().map_or(Ok(0), |c| c.parse())?;
    let dir = Path::new(&dir);
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
    let t0 = Timestamp::parse("2026-06-05T08:00", ZONE)?.0;
    let session_start = Timestamp(t0 + 24 * 3600 * 1000);

    // The events, in order; each with its signers.
    let mut events: Vec<(Event, [&str; 2])> = Vec::new();
    for (id, role) in [("cust1", Role::Custodian), ("sup1", Role::Supervisor)] {
        events.push((
            Event::Enroll(holder(id, role, &person_key)?),
            ["admin1", "admin2"],
        ));
    }
    events.push((
        Event::Schedule(Schedule {
            session: "s1".into(),
            subject: "语文".into(),
            start: session_start,
            end: session_start.plus_seconds(9000),
            incident: None,
        }),
        ["admin1", "admin2"],
    ));
    let bag = |i: usize| format!("QP-{i:06}");
    for chunk in (0..BAGS).collect::<Vec<_>>().chunks(100) {
        let bags = chunk
            .iter()
            .map(|&i| BagSpec {
                id: bag(i),
                kind: BagKind::QuestionPapers,
                session: "s1".into(),
                site: format!("第{}中学", i % 7 + 1),
                room: format!("第{:02}考场", i % 30 + 1),
                seal: format!("S{i:06}"),
                count: 30,
            })
            .collect();
        events.push((
            Event::Collect(Collect {
                bags,
                from: "省教育考试院".into(),
                incident: None,
            }),
            ["cust1", "sup1"],
        ));
    }
    let founders: Vec<Keyholder> = FOUNDERS
        .iter()
        .map(|id| holder(id, Role::Admin, &person_key))
        .collect::<Result<_, _>>()?;
    let genesis = Event::Genesis(Genesis {
        exam: format!("generated ledger {county} of {n} events"),
        time_zone: ZONE.into(),
        ledger_key: SigningKey::from_bytes(&ledger_key)
            .verifying_key()
            .to_bytes(),
        founders,
        policy: Policy::default(),
    });

    let mut out =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join(JOURNAL))?);
    out.write_all(&header(&ledger_id))?;
    let mut prev: Hash = [0; 32];
    let mut seq = 0u64;
    // Block by block: bodies against the head before the block, signed in parallel, then chained.
    while seq < n {
        let head = Head {
            size: seq,
            hash: prev,
        };
        let end = (seq + BLOCK).min(n);
        let block: Vec<(u64, Event, Vec<String>)> = (seq..end)
            .map(|s| {
                let (event, signers): (Event, Vec<String>) = if s == 0 {
                    (
                        genesis.clone(),
                        FOUNDERS.iter().map(|f| f.to_string()).collect(),
                    )
                } else if let Some((e, who)) = events.get(s as usize - 1) {
                    (e.clone(), who.iter().map(|w| w.to_string()).collect())
                } else {
                    let i = (s as usize) % BAGS;
                    let e = Event::Inspect(Inspect {
                        bags: vec![BagObs {
                            id: bag(i),
                            seal: Some(format!("S{i:06}")),
                            count: None,
                        }],
                        incident: None,
                    });
                    (e, vec!["cust1".into(), "sup1".into()])
                };
                (s, event, signers)
            })
            .collect();
        let signed: Vec<(u64, Vec<u8>, Vec<CoSignature>)> = block
            .into_par_iter()
            .map(|(s, event, signers)| {
                let body = Body {
                    ledger_id,
                    head: if s == 0 { Head::EMPTY } else { head },
                    event_time: Timestamp(t0 + s as i64),
                    nonce: {
                        let mut nonce = [0u8; 16];
                        nonce[..8].copy_from_slice(&s.to_le_bytes());
                        nonce
                    },
                    signers: signers.clone(),
                    event,
                };
                let bytes = body.encode().expect("encodes");
                let sigs = signers
                    .iter()
                    .map(|who| CoSignature {
                        signer: who.clone(),
                        signature: sign_body(&key(who), &bytes),
                    })
                    .collect();
                (s, bytes, sigs)
            })
            .collect();
        for (s, body, signatures) in signed {
            let entry = Entry {
                seq: s,
                prev_hash: prev,
                recorded_at: Timestamp(t0 + s as i64 + 500),
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
    eprintln!(
        "wrote {n} entries to {} in {:.1} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
