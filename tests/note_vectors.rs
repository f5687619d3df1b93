//! Known-answer tests for `custody::note` against notes written by others, so that what the
//! ledger writes is what Go's `golang.org/x/mod/sumdb/note` reads, and the other way round.
//!
//! Sources, copied verbatim:
//! - golang/mod `sumdb/note/note.go` (package documentation) and `sumdb/note/note_test.go`
//!   (`TestNewVerifier`, `TestSign`, `TestOpen`): the PeterNeumann and EnochRoot keys, the
//!   signed example note, and the malformed notes Go refuses. BSD-3-Clause.
//! - C2SP `signed-note.md`: the quasimodo example note (its public key is not published, so it is
//!   only parsed). C2SP `tlog-checkpoint.md`: the behind-the-sofa checkpoint (same).
//!   C2SP `tlog-proof.md`: the header, index and hash lines of the example proof (its checkpoint
//!   is elided there with "[...]", so the tlog-checkpoint example stands in for it). CC-BY-4.0.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use custody::note::{
    self, Checkpoint, MAX_NOTE, Note, NoteError, Proof, key_id, parse_verifier_key, sign,
    verifier_key,
};
use ed25519_dalek::SigningKey;
use proptest::prelude::*;

/// golang/mod sumdb/note/note_test.go, TestNewVerifier (and note.go's documentation).
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
/// golang/mod sumdb/note/note_test.go, TestNewSigner and TestSign: the private half.
const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
/// golang/mod sumdb/note/note_test.go, TestVerifierList and TestOpen.
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";

/// golang/mod sumdb/note/note_test.go, TestSign and TestOpen.
const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/// C2SP signed-note.md, the example at the top.
const QUASIMODO: &str = "Ognuno sta solo sul cuor della terra\n\
                         trafitto da un raggio di sole:\n\
                         \n\
                         ed è subito sera.\n\
                         \n\
                         \u{2014} quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

/// C2SP tlog-checkpoint.md, the example at the top.
const SOFA: &str = "example.com/behind-the-sofa\n\
                    20852163\n\
                    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\
                    \n\
                    \u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

/// C2SP tlog-proof.md, the example's lines up to the blank line before the checkpoint.
const PROOF_HEAD: &str = "c2sp.org/tlog-proof@v1\n\
                          extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n\
                          index 73894\n\
                          gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n\
                          B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n\
                          EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n\
                          RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n\
                          AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n\
                          \n";

fn peter() -> (String, [u8; 32]) {
    parse_verifier_key(PETER_VKEY).unwrap()
}

fn enoch() -> (String, [u8; 32]) {
    parse_verifier_key(ENOCH_VKEY).unwrap()
}

/// Go's `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>`.
fn peter_signing_key() -> SigningKey {
    // The base64 itself holds a '+': take everything after the fourth.
    let b64 = PETER_SKEY.splitn(5, '+').nth(4).unwrap();
    let raw = STANDARD.decode(b64).unwrap();
    assert_eq!(raw.len(), 33);
    assert_eq!(raw[0], 1, "Ed25519");
    SigningKey::from_bytes(&raw[1..].try_into().unwrap())
}

#[test]
fn the_go_verifier_keys_parse_and_their_key_ids_recompute() {
    let (name, public) = peter();
    assert_eq!(name, "PeterNeumann");
    assert_eq!(key_id(&name, &public), [0xc7, 0x4f, 0x20, 0xa3]);
    assert_eq!(verifier_key(&name, &public).unwrap(), PETER_VKEY);

    let (name, public) = enoch();
    assert_eq!(name, "EnochRoot");
    assert_eq!(key_id(&name, &public), [0xaf, 0x0c, 0xfe, 0x78]);
    assert_eq!(verifier_key(&name, &public).unwrap(), ENOCH_VKEY);

    assert_eq!(
        peter_signing_key().verifying_key().to_bytes(),
        peter().1,
        "the private key of TestSign is the public key of TestNewVerifier"
    );
}

#[test]
fn go_mangled_verifier_keys_are_refused() {
    // TestNewVerifier: every proper substring, and every single-byte increment.
    let b = PETER_VKEY.as_bytes();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i != 0 || j != b.len() {
                let s = std::str::from_utf8(&b[i..j]).unwrap();
                assert!(parse_verifier_key(s).is_err(), "{s}");
            }
        }
    }
    for i in 0..b.len() {
        let mut m = b.to_vec();
        m[i] += 1;
        let s = std::str::from_utf8(&m).unwrap();
        assert!(parse_verifier_key(s).is_err(), "{s}");
    }
    // Wrong-length key and unknown algorithm, each with an adjusted key hash.
    assert!(
        parse_verifier_key(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        )
        .is_err()
    );
    assert_eq!(
        parse_verifier_key("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::UnknownAlgorithm(0x65))
    );
}

#[test]
fn the_go_example_note_parses_and_verifies() {
    let signed = format!("{TEXT}\n{PETER_SIG}");
    let note = Note::parse(&signed).unwrap();
    assert_eq!(note.text, TEXT);
    assert_eq!(note.signatures.len(), 1);
    assert_eq!(note.signatures[0].name, "PeterNeumann");
    assert_eq!(note.signatures[0].key_id, [0xc7, 0x4f, 0x20, 0xa3]);
    let (name, public) = peter();
    assert!(note.verified_by(&name, &public));
    let (enoch_name, enoch_public) = enoch();
    assert!(!note.verified_by(&enoch_name, &enoch_public));
    assert!(!note.verified_by("PeterNeuman", &public));
    assert_eq!(note.encode(), signed);
}

#[test]
fn signing_the_go_example_gives_go_bytes() {
    // Ed25519 is deterministic, so the same key over the same text gives TestSign's output.
    let key = peter_signing_key();
    let signed = sign(TEXT, &[("PeterNeumann", &key)]).unwrap();
    assert_eq!(signed, format!("{TEXT}\n{PETER_SIG}"));
}

#[test]
fn the_go_doubly_signed_note_verifies_for_both() {
    let note = Note::parse(&format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}")).unwrap();
    let (p, pk) = peter();
    let (e, ek) = enoch();
    assert!(note.verified_by(&p, &pk));
    assert!(note.verified_by(&e, &ek));
    assert!(!note.verified_by(&p, &ek));
    assert!(!note.verified_by(&e, &pk));

    // TestOpen's duplicated signatures, and a mangled EnochRoot one that comes after them: Go
    // ignores the repeats; so does the first-line rule here.
    let mangled = format!("{}ABCD{}", &ENOCH_SIG[..60], &ENOCH_SIG[60..]);
    let dup = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}{mangled}");
    let note = Note::parse(&dup).unwrap();
    assert!(note.verified_by(&p, &pk));
    assert!(note.verified_by(&e, &ek));
}

#[test]
fn go_refused_notes_are_refused() {
    // TestOpen's "Invalid encoded message syntax" list.
    let bad = [
        TEXT.to_owned(),
        format!("{TEXT}\n"),
        format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
        format!("\x01{TEXT}\n{PETER_SIG}"),
        format!(
            "{TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
        ),
        format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
    ];
    for msg in bad {
        assert!(Note::parse(&msg).is_err(), "{msg:?}");
    }
    // ("\xff" + …, Go's invalid UTF-8 case, cannot be a Rust &str at all.)
    // TestOpen's "Invalid signature": four bytes inserted make it 72 bytes, not an Ed25519
    // signature; with no other line nothing is left to verify, and Go refuses the note too.
    let invalid = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    assert!(Note::parse(&invalid).is_err());
    // Too many signatures: Go refuses over 100 lines, this module over 64.
    assert!(Note::parse(&format!("{TEXT}\n{}", PETER_SIG.repeat(65))).is_err());
    let note = Note::parse(&format!("{TEXT}\n{}", PETER_SIG.repeat(64))).unwrap();
    assert!(note.verified_by(&peter().0, &peter().1));
}

#[test]
fn the_c2sp_example_note_parses_around_its_blank_line() {
    let note = Note::parse(QUASIMODO).unwrap();
    assert_eq!(
        note.text,
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
    );
    assert_eq!(note.signatures.len(), 1);
    assert_eq!(note.signatures[0].name, "quasimodo.example/salvatore");
    assert_eq!(note.encode(), QUASIMODO);
}

#[test]
fn the_c2sp_example_checkpoint_parses_and_re_encodes() {
    let note = Note::parse(SOFA).unwrap();
    let cp = Checkpoint::parse_text(&note.text).unwrap();
    assert_eq!(cp.origin, "example.com/behind-the-sofa");
    assert_eq!(cp.size, 20852163);
    assert_eq!(
        STANDARD.encode(cp.root),
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    );
    assert!(cp.extensions.is_empty());
    assert_eq!(cp.text(), note.text);
    assert_eq!(note.encode(), SOFA);
}

#[test]
fn the_c2sp_example_proof_parses_and_re_encodes() {
    let text = format!("{PROOF_HEAD}{SOFA}");
    let proof = Proof::parse(&text).unwrap();
    assert_eq!(proof.index, 73894);
    assert_eq!(proof.path.len(), 5);
    assert_eq!(
        STANDARD.encode(proof.path[0]),
        "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ="
    );
    assert_eq!(proof.extra.as_ref().map(Vec::len), Some(39));
    assert_eq!(proof.checkpoint, SOFA);
    assert_eq!(proof.encode(), text);
}

#[test]
fn a_checkpoint_written_here_parses_back_byte_for_byte() {
    let ledger_key = SigningKey::from_bytes(&[0x5a; 32]);
    let cp = Checkpoint {
        origin: note::origin(&[0x0a; 16]),
        size: 128,
        root: [0x3f; 32],
        extensions: vec![],
    };
    let text = cp.text();
    let signed = sign(&text, &[(&cp.origin, &ledger_key)]).unwrap();
    let parsed = Note::parse(&signed).unwrap();
    assert_eq!(parsed.text, text);
    assert_eq!(parsed.encode(), signed);
    assert_eq!(Checkpoint::parse_text(&parsed.text).unwrap(), cp);
    assert_eq!(Checkpoint::parse_text(&parsed.text).unwrap().text(), text);
    let public = ledger_key.verifying_key().to_bytes();
    assert!(parsed.verified_by(&cp.origin, &public));
    // The verifier key an auditor gives Go's note.NewVerifier.
    let vkey = verifier_key(&cp.origin, &public).unwrap();
    assert_eq!(
        parse_verifier_key(&vkey).unwrap(),
        (cp.origin.clone(), public)
    );

    let proof = Proof {
        extra: None,
        index: 7,
        path: vec![[1; 32]; 7],
        checkpoint: signed.clone(),
    };
    let encoded = proof.encode();
    assert_eq!(Proof::parse(&encoded).unwrap(), proof);
    assert!(encoded.ends_with(&format!("\n\n{signed}")));
}

/// Pieces that the parsers give meaning to, to build inputs that get past the first checks.
const TOKENS: &[&str] = &[
    "\n",
    "\n\n",
    "\u{2014} ",
    "\u{2014}",
    " ",
    "+",
    "=",
    "A",
    "/",
    "0",
    "1",
    "01",
    "é",
    "\r",
    "\t",
    "\u{a0}",
    "PeterNeumann",
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
    "AAAA",
    "c2sp.org/tlog-proof@v1\n",
    "extra ",
    "index ",
    "18446744073709551616",
];

fn token_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(0..TOKENS.len(), 0..60)
        .prop_map(|ix| ix.into_iter().map(|i| TOKENS[i]).collect())
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(usize, char),
    Replace(usize, char),
    Truncate(usize),
    DuplicateLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let ch = prop_oneof![
        Just('\n'),
        Just('\u{2014}'),
        Just(' '),
        Just('+'),
        Just('='),
        Just('\r'),
        Just('\0'),
        Just('A'),
        Just('0'),
        any::<char>(),
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), ch.clone()).prop_map(|(i, c)| Edit::Insert(i, c)),
        (any::<usize>(), ch).prop_map(|(i, c)| Edit::Replace(i, c)),
        any::<usize>().prop_map(Edit::Truncate),
        any::<usize>().prop_map(Edit::DuplicateLine),
    ]
}

fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let n = chars.len();
        match *e {
            Edit::Delete(i) if n > 0 => {
                chars.remove(i % n);
            }
            Edit::Insert(i, c) => chars.insert(i % (n + 1), c),
            Edit::Replace(i, c) if n > 0 => chars[i % n] = c,
            Edit::Truncate(i) => chars.truncate(i % (n + 1)),
            Edit::DuplicateLine(i) => {
                let s: String = chars.iter().collect();
                let lines: Vec<&str> = s.split_inclusive('\n').collect();
                if !lines.is_empty() {
                    let k = i % lines.len();
                    let mut out: Vec<&str> = lines.clone();
                    out.insert(k, lines[k]);
                    chars = out.concat().chars().collect();
                }
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// Parses as a note and as a proof; what parses must survive a re-encoding unchanged.
fn check_parsers(input: &str) -> Result<(), TestCaseError> {
    if let Ok(note) = Note::parse(input) {
        prop_assert!(note.text.ends_with('\n'));
        prop_assert!(!note.signatures.is_empty());
        prop_assert_eq!(Note::parse(&note.encode()), Ok(note.clone()));
        let (name, public) = peter();
        let _ = note.verified_by(&name, &public);
        if let Ok(cp) = Checkpoint::parse_text(&note.text) {
            prop_assert_eq!(cp.text(), note.text);
            let _ = cp.human();
        }
    }
    if let Ok(proof) = Proof::parse(input) {
        prop_assert_eq!(proof.encode(), input);
    }
    let _ = Checkpoint::parse_text(input);
    let _ = parse_verifier_key(input);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsers_never_panic_on_random_text(input in any::<String>()) {
        check_parsers(&input)?;
    }

    #[test]
    fn parsers_never_panic_on_token_soup(input in token_soup()) {
        check_parsers(&input)?;
    }

    #[test]
    fn parsers_never_panic_on_mutated_notes(
        edits in proptest::collection::vec(edit(), 1..6),
        which in 0usize..4,
    ) {
        let doubly = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        let proof = format!("{PROOF_HEAD}{SOFA}");
        let base = [doubly.as_str(), QUASIMODO, SOFA, proof.as_str()][which];
        check_parsers(&mutate(base, &edits))?;
    }
}

#[test]
fn oversize_inputs_are_refused_before_parsing() {
    let big = format!("{}\n\n{PETER_SIG}", "a".repeat(MAX_NOTE));
    assert!(matches!(Note::parse(&big), Err(NoteError::TooLarge { .. })));
    let big_proof = format!("{PROOF_HEAD}{}", "a".repeat(4 * MAX_NOTE));
    assert!(matches!(
        Proof::parse(&big_proof),
        Err(NoteError::TooLarge { .. })
    ));
    assert!(parse_verifier_key(&"a".repeat(MAX_NOTE + 1)).is_err());
}
