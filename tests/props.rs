//! Property tests: the canonical encoding, and the chain invariants the audit relies on.

use custody::audit::verify as audit;
use custody::encoding;
use custody::entry::{Body, CoSignature, DecodedEntry, Entry, Hash, Head, leaf_hash};

use custody::event::{Event, Genesis, Revocation};
use custody::journal::{frame, header};
use custody::policy::Policy;
use custody::roster::{Keyholder, Role};
use custody::signing::sign_body;
use custody::time::Timestamp;
use ed25519_dalek::SigningKey;
use proptest::prelude::*;

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn holder(id: &str, n: u8, roles: Vec<Role>) -> Keyholder {
    Keyholder {
        id: id.into(),
        name: format!("持钥人 {id}"),
        roles,
        public_key: key(n).verifying_key().to_bytes(),
        person_tag: [n; 32],
        valid_from: None,
        valid_until: None,
        key_kind: None,
    }
}

/// Builds a journal by hand (no judge involved): a genesis with admins a1..a3 (seeds 1..3), then
/// one enrolment or revocation per op, each co-signed by two admins.
fn build(ops: &[(bool, u8)]) -> (Vec<u8>, Vec<u64>) {
    let id = [0x42; 16];
    let mut out = header(&id).to_vec();
    let mut offsets = Vec::new();
    let mut prev: Hash = [0; 32];
    let t0 = 1_780_000_000_000i64;
    let mut enrolled: Vec<String> = Vec::new();
    let mut push =
        |seq: u64, event: Event, signers: &[(&str, u8)], prev: &mut Hash, out: &mut Vec<u8>| {
            let body = Body {
                ledger_id: id,
                head: Head {
                    size: seq,
                    hash: *prev,
                },
                event_time: Timestamp(t0 + seq as i64 * 1000),
                nonce: [seq as u8; 16],
                signers: signers.iter().map(|(s, _)| s.to_string()).collect(),
                event,
            };
            let bytes = body.encode().unwrap();
            let entry = Entry {
                seq,
                prev_hash: *prev,
                recorded_at: Timestamp(t0 + seq as i64 * 1000 + 500),
                signatures: signers
                    .iter()
                    .map(|(s, n)| CoSignature {
                        signer: s.to_string(),
                        signature: sign_body(&key(*n), &bytes),
                    })
                    .collect(),
                body: bytes,
            };
            let e = entry.encode().unwrap();
            *prev = leaf_hash(&e);
            offsets.push(out.len() as u64);
            out.extend_from_slice(&frame(&e).unwrap());
        };
    let genesis = Event::Genesis(Genesis {
        exam: "prop".into(),
        time_zone: "Asia/Shanghai".into(),
        ledger_key: key(99).verifying_key().to_bytes(),
        person_key_hash: [0x77; 32],
        founders: (1..=3)
            .map(|n| holder(&format!("a{n}"), n, vec![Role::Admin]))
            .collect(),
        policy: Policy::default(),
    });
    push(
        0,
        genesis,
        &[("a1", 1), ("a2", 2), ("a3", 3)],
        &mut prev,
        &mut out,
    );
    for (i, (enroll, pick)) in ops.iter().enumerate() {
        let seq = i as u64 + 1;
        let signers: &[(&str, u8)] = if pick % 2 == 0 {
            &[("a1", 1), ("a2", 2)]
        } else {
            &[("a3", 3), ("a2", 2)]
        };
        let event = if *enroll || enrolled.is_empty() {
            let id = format!("k{seq}");
            enrolled.push(id.clone());
            Event::Enroll(holder(&id, 10 + seq as u8, vec![Role::Custodian]))
        } else {
            let id = enrolled.remove(*pick as usize % enrolled.len());
            Event::Revoke(Revocation {
                id,
                reason: "test".into(),
            })
        };
        push(seq, event, signers, &mut prev, &mut out);
    }
    (out, offsets)
}

fn audit_bytes(bytes: &[u8]) -> audit::Report {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal");
    std::fs::write(&path, bytes).unwrap();
    audit::verify(&path, None).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn a_hand_built_chain_audits_clean(ops in prop::collection::vec((any::<bool>(), any::<u8>()), 0..8)) {
        let (bytes, _) = build(&ops);
        let report = audit_bytes(&bytes);
        prop_assert!(report.is_clean(), "{:?}", report.findings);
        prop_assert_eq!(report.entries, ops.len() as u64 + 1);
    }

    /// Any flipped bit before the last record is found. (The last record's unsigned fields are
    /// protected by checkpoints and receipts, which pin the head.)
    #[test]
    fn a_flipped_bit_before_the_last_record_is_always_found(
        ops in prop::collection::vec((any::<bool>(), any::<u8>()), 1..6),
        pos in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let (mut bytes, offsets) = build(&ops);
        let last = *offsets.last().unwrap() as usize;
        let i = pos.index(last);
        bytes[i] ^= 1 << bit;
        let report = audit_bytes(&bytes);
        prop_assert!(!report.is_clean(), "flip at byte {} of {} went unnoticed", i, bytes.len());
    }

    #[test]
    fn entries_round_trip_and_decode_strictly(
        seq in any::<u64>(), recorded in any::<i64>(), sigs in 0usize..4,
        nonce in any::<[u8; 16]>(), time in any::<i64>(), reason in ".{0,40}",
    ) {
        let body = Body {
            ledger_id: [1; 16],
            head: Head { size: seq / 2, hash: [3; 32] },
            event_time: Timestamp(time),
            nonce,
            signers: vec!["a".into(), "b".into()],
            event: Event::Revoke(Revocation { id: "x".into(), reason }),
        };
        let body_bytes = body.encode().unwrap();
        prop_assert_eq!(Body::decode(&body_bytes).unwrap(), body);
        let entry = Entry {
            seq,
            prev_hash: [9; 32],
            recorded_at: Timestamp(recorded),
            body: body_bytes,
            signatures: (0..sigs).map(|i| CoSignature { signer: format!("s{i}"), signature: [i as u8; 64] }).collect(),
        };
        let bytes = entry.encode().unwrap();
        let d = DecodedEntry::decode(&bytes).unwrap();
        prop_assert_eq!(d.entry, entry);
        prop_assert_eq!(d.hash, leaf_hash(&bytes));
    }

    /// Mutated or random bytes never panic the decoder, and whatever decodes re-encodes to the
    /// same bytes: one value, one encoding.
    #[test]
    fn decoding_is_total_and_canonical(mutations in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4), tail in prop::collection::vec(any::<u8>(), 0..8)) {
        let (journal, offsets) = build(&[(true, 0)]);
        let start = offsets[1] as usize + 4;
        let mut bytes = journal[start..journal.len() - 4].to_vec();
        for (i, b) in &mutations {
            let i = i.index(bytes.len());
            bytes[i] = *b;
        }
        bytes.extend_from_slice(&tail);
        if let Ok(d) = DecodedEntry::decode(&bytes) {
            prop_assert_eq!(encoding::encode(&d.entry).unwrap(), bytes);
        }
    }

    #[test]
    fn random_bytes_never_panic_the_decoders(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = DecodedEntry::decode(&bytes);
        let _ = Body::decode(&bytes);
        let _ = audit_bytes(&[header(&[0; 16]).as_slice(), &bytes].concat());
    }
}
