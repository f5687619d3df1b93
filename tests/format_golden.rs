//! The golden examples of docs/FORMAT.md, rebuilt from the library and compared byte for byte,
//! so the spec an auditor re-implements from cannot drift from the code.

use custody::entry::{Body, CoSignature, DecodedEntry, Entry, Head, hex, leaf_hash};

use custody::event::{Event, Revocation};
use custody::signing::{sign_body, signed_message, verify_body};
use custody::time::Timestamp;
use ed25519_dalek::SigningKey;

/// The example of FORMAT.md: entry 5 revokes `esc1`, co-signed by `a1` and `a2`.
fn example() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let a1 = SigningKey::from_bytes(&[1; 32]);
    let a2 = SigningKey::from_bytes(&[2; 32]);
    let body = Body {
        ledger_id: [0x11; 16],
        head: Head {
            size: 5,
            hash: [0xaa; 32],
        },
        event_time: Timestamp(1_780_800_000_000),
        nonce: [0x22; 16],
        signers: vec!["a1".into(), "a2".into()],
        event: Event::Revoke(Revocation {
            id: "esc1".into(),
            reason: "lost".into(),
        }),
    };
    let body_bytes = body.encode().unwrap();
    let entry = Entry {
        seq: 5,
        prev_hash: [0xaa; 32],
        recorded_at: Timestamp(1_780_800_060_000),
        body: body_bytes.clone(),
        signatures: vec![
            CoSignature {
                signer: "a1".into(),
                signature: sign_body(&a1, &body_bytes),
            },
            CoSignature {
                signer: "a2".into(),
                signature: sign_body(&a2, &body_bytes),
            },
        ],
    };
    let message = signed_message(&body_bytes);
    (body_bytes, message, entry.encode().unwrap())
}

/// The hex in the fenced block of FORMAT.md that follows the line `<!-- golden NAME -->`.
fn golden(name: &str) -> String {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md")).unwrap();
    let marker = format!("<!-- golden {name} -->");
    let start = doc
        .find(&marker)
        .unwrap_or_else(|| panic!("FORMAT.md has no {marker}"));
    let block = &doc[start + marker.len()..];
    let open = block.find("```").unwrap();
    let block = &block[open + 3..];
    let block = &block[block.find('\n').unwrap() + 1..];
    let close = block.find("```").unwrap();
    block[..close].split_whitespace().collect()
}

#[test]
fn the_golden_body_message_and_entry_match_format_md() {
    let (body, message, entry) = example();
    assert_eq!(golden("body"), hex(&body), "body");
    assert_eq!(golden("message"), hex(&message), "signed message");
    assert_eq!(golden("entry"), hex(&entry), "entry");
    assert_eq!(golden("entry-hash"), hex(&leaf_hash(&entry)), "entry hash");
}

#[test]
fn the_golden_entry_decodes_and_its_signatures_verify() {
    let (_, _, entry) = example();
    let d = DecodedEntry::decode(&entry).unwrap();
    for (sig, seed) in d.entry.signatures.iter().zip([[1u8; 32], [2u8; 32]]) {
        let public = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        assert!(verify_body(&public, &d.entry.body, &sig.signature));
    }
}

#[test]
#[ignore = "prints the golden values for docs/FORMAT.md"]
fn print_golden() {
    let (body, message, entry) = example();
    println!(
        "body {}\nmessage {}\nentry {}\nhash {}",
        hex(&body),
        hex(&message),
        hex(&entry),
        hex(&leaf_hash(&entry))
    );
    for seed in [[1u8; 32], [2u8; 32]] {
        println!(
            "pub {}",
            hex(&SigningKey::from_bytes(&seed).verifying_key().to_bytes())
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
