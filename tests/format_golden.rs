//! The golden examples of docs/FORMAT.md, rebuilt from the library and compared byte for byte,
//! so the spec an auditor re-implements from cannot drift from the code.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::bag::BagObs;
use custody::entry::{Body, CoSignature, DecodedEntry, Entry, Head, hex, leaf_hash};
use custody::event::{Arrive, Event, Genesis, Revocation};
use custody::policy::Policy;
use custody::roster::{Keyholder, Role};
use custody::signing::{sign_body, signed_message, verify_body};
use custody::time::Timestamp;
use ed25519_dalek::SigningKey;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// Body, signed message and entry of an event of ledger `11…11`, co-signed by `signers` (id
/// and key seed) in order; the entry recorded a minute after the event.
fn example(
    seq: u64,
    prev: [u8; 32],
    time: i64,
    nonce: u8,
    signers: &[(&str, u8)],
    event: Event,
) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let body = Body {
        ledger_id: [0x11; 16],
        head: Head {
            size: seq,
            hash: prev,
        },
        event_time: Timestamp(time),
        nonce: [nonce; 16],
        signers: signers.iter().map(|(id, _)| id.to_string()).collect(),
        event,
    };
    let body_bytes = body.encode().unwrap();
    let entry = Entry {
        seq,
        prev_hash: prev,
        recorded_at: Timestamp(time + 60_000),
        body: body_bytes.clone(),
        signatures: signers
            .iter()
            .map(|(id, seed)| CoSignature {
                signer: id.to_string(),
                signature: sign_body(&key(*seed), &body_bytes),
            })
            .collect(),
    };
    let message = signed_message(&body_bytes);
    (body_bytes, message, entry.encode().unwrap())
}

/// The example of FORMAT.md: entry 5 revokes `esc1`, co-signed by `a1` and `a2`.
fn revoke() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let event = Event::Revoke(Revocation {
        id: "esc1".into(),
        reason: "lost".into(),
    });
    let signers = [("a1", 1), ("a2", 2)];
    example(5, [0xaa; 32], 1_780_800_000_000, 0x22, &signers, event)
}

/// FORMAT.md's genesis: founders `a1` and `a2`, the default policy.
fn genesis() -> Vec<u8> {
    let founder = |id: &str, seed: u8| Keyholder {
        id: id.into(),
        name: format!("Founder {id}"),
        roles: vec![Role::Admin],
        public_key: key(seed).verifying_key().to_bytes(),
        person_tag: [0x30 + seed; 32],
        valid_from: None,
        valid_until: None,
        key_kind: None,
    };
    let event = Event::Genesis(Genesis {
        exam: "Golden".into(),
        time_zone: "Asia/Shanghai".into(),
        ledger_key: key(9).verifying_key().to_bytes(),
        person_key_hash: [0x55; 32],
        founders: vec![founder("a1", 1), founder("a2", 2)],
        policy: Policy::default(),
    });
    let signers = [("a1", 1), ("a2", 2)];
    example(0, [0; 32], 1_780_700_000_000, 0x33, &signers, event).2
}

/// FORMAT.md's custody event: entry 7, two bags arrive at a site, one seal torn, with a note.
fn arrival() -> Vec<u8> {
    let event = Event::Arrive(Arrive {
        bags: vec![
            BagObs {
                id: "QP-1".into(),
                seal: Some("S1".into()),
                count: Some(30),
            },
            BagObs {
                id: "QP-2".into(),
                seal: Some("S2-torn".into()),
                count: None,
            },
        ],
        site: "Site 1".into(),
        incident: Some("QP-2 seal torn".into()),
    });
    let signers = [("x1", 5), ("e1", 6)];
    example(7, [0xbb; 32], 1_780_810_000_000, 0x44, &signers, event).2
}

/// The hex in the fenced block of FORMAT.md that follows the line `<!-- golden NAME -->`.
fn golden(name: &str) -> String {
    util::golden("FORMAT.md", name)
}

#[test]
fn the_golden_body_message_and_entry_match_format_md() {
    let (body, message, entry) = revoke();
    assert_eq!(golden("body"), hex(&body), "body");
    assert_eq!(golden("message"), hex(&message), "signed message");
    assert_eq!(golden("entry"), hex(&entry), "entry");
    assert_eq!(golden("entry-hash"), hex(&leaf_hash(&entry)), "entry hash");
}

#[test]
fn the_golden_genesis_and_custody_event_match_format_md() {
    for (name, entry) in [("genesis", genesis()), ("arrival", arrival())] {
        assert_eq!(golden(name), hex(&entry), "{name}");
        let hash = format!("{name}-hash");
        assert_eq!(golden(&hash), hex(&leaf_hash(&entry)), "{hash}");
    }
}

#[test]
fn the_golden_entries_decode_and_their_signatures_verify() {
    for (entry, seeds) in [
        (revoke().2, [1, 2]),
        (genesis(), [1, 2]),
        (arrival(), [5, 6]),
    ] {
        let d = DecodedEntry::decode(&entry).unwrap();
        assert_eq!(d.entry.signatures.len(), 2);
        for (sig, seed) in d.entry.signatures.iter().zip(seeds) {
            let public = key(seed).verifying_key().to_bytes();
            assert!(verify_body(&public, &d.entry.body, &sig.signature));
        }
    }
}

#[test]
#[ignore = "prints the golden values for docs/FORMAT.md"]
fn print_golden() {
    let (body, message, entry) = revoke();
    println!(
        "body {}\nmessage {}\nentry {}\nhash {}",
        hex(&body),
        hex(&message),
        hex(&entry),
        hex(&leaf_hash(&entry))
    );
    for (name, entry) in [("genesis", genesis()), ("arrival", arrival())] {
        println!("{name}:");
        for line in entry.chunks(32) {
            println!("{}", hex(line));
        }
        println!("{name}-hash {}", hex(&leaf_hash(&entry)));
    }
    for seed in [1, 2, 5, 6, 9] {
        println!(
            "pub {seed:02x} {}",
            hex(&key(seed).verifying_key().to_bytes())
        );
    }
}

#[test]
fn every_finding_code_is_documented_in_audit_md() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/AUDIT.md")).unwrap();
    for code in custody::finding::Code::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", code.as_str())),
            "{code} is not in docs/AUDIT.md"
        );
    }
}
