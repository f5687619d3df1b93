//! The signature acceptance rule against vectors written by others (see
//! `../shared/testvectors/README.md`): Wycheproof's Ed25519 cases and the ed25519-speccheck edge
//! cases on which Ed25519 libraries disagree.
//!
//! The ledger accepts a signature iff `custody::signing::verify_message` does, on the append path
//! and on the audit path alike; these tests pin its verdicts so that a dependency upgrade or a
//! change of verification call that moves any of them fails here first.

mod sigcase;

use custody::signing::{
    KeyProblem, PreparedKey, TABLE_AFTER, check_public_key, verify_all, verify_message,
};
use proptest::prelude::*;
use serde::Deserialize;
use sigcase::{Case, assert_agrees};
use std::path::{Path, PathBuf};

fn vector(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testvectors/ed25519")
        .join(name)
}

fn read<T: for<'de> Deserialize<'de>>(path: &Path) -> T {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd-length hex {s:?}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn array<const N: usize>(s: &str) -> [u8; N] {
    hex(s)
        .try_into()
        .unwrap_or_else(|v: Vec<u8>| panic!("{} bytes where {N} are needed: {s}", v.len()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wycheproof {
    number_of_tests: usize,
    test_groups: Vec<WycheproofGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WycheproofGroup {
    public_key: WycheproofKey,
    tests: Vec<WycheproofCase>,
}

#[derive(Deserialize)]
struct WycheproofKey {
    pk: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WycheproofCase {
    tc_id: u32,
    comment: String,
    msg: String,
    sig: String,
    result: String,
}

#[test]
fn wycheproof_verdicts_match_verify_strict() {
    let file: Wycheproof = read(&vector("wycheproof_ed25519_test.json"));
    let mut cases = 0;
    let mut accepted = 0;
    let mut wrong_length = 0;
    let mut mismatches = Vec::new();
    for group in &file.test_groups {
        let key: [u8; 32] = array(&group.public_key.pk);
        for case in &group.tests {
            cases += 1;
            assert!(
                case.result == "valid" || case.result == "invalid",
                "tcId {}: unexpected result {:?}",
                case.tc_id,
                case.result
            );
            let msg = hex(&case.msg);
            // The ledger stores signatures as [u8; 64]; another length can never reach the
            // verifier, so it is a rejection by construction.
            let verdict = match <[u8; 64]>::try_from(hex(&case.sig)) {
                Ok(signature) => {
                    let verdict = verify_message(&key, &msg, &signature);
                    let c = Case {
                        public_key: key,
                        message: msg,
                        signature,
                    };
                    assert_eq!(verdict, assert_agrees(&c), "tcId {}", case.tc_id);
                    verdict
                }
                Err(_) => {
                    wrong_length += 1;
                    false
                }
            };
            accepted += usize::from(verdict);
            if verdict != (case.result == "valid") {
                mismatches.push(format!(
                    "tcId {} ({}): expected {}, verify_message said {verdict}",
                    case.tc_id, case.comment, case.result
                ));
            }
        }
    }
    println!("{cases} Wycheproof cases, {accepted} accepted, {wrong_length} of the wrong length");
    assert_eq!(cases, 151);
    assert_eq!(cases, file.number_of_tests);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[derive(Deserialize)]
struct SpeccheckCase {
    message: String,
    pub_key: String,
    signature: String,
}

fn speccheck_cases() -> Vec<SpeccheckCase> {
    let cases: Vec<SpeccheckCase> = read(&vector("speccheck_cases.json"));
    assert_eq!(cases.len(), 12);
    cases
}

/// The measured `verify_strict` column of the README's table, case by case.
const VERIFY_STRICT_ACCEPTS: [bool; 12] = [
    false, false, false, true, false, false, false, false, false, false, false, false,
];

#[test]
fn speccheck_verdicts_are_exactly_the_verify_strict_table() {
    for (i, case) in speccheck_cases().iter().enumerate() {
        let verdict = verify_message(
            &array(&case.pub_key),
            &hex(&case.message),
            &array(&case.signature),
        );
        assert_eq!(verdict, VERIFY_STRICT_ACCEPTS[i], "speccheck case {i}");
    }
}

#[test]
fn append_and_audit_verdicts_agree_with_a_direct_verify_strict_call() {
    for (i, case) in speccheck_cases().iter().enumerate() {
        let c = Case {
            public_key: array(&case.pub_key),
            message: hex(&case.message),
            signature: array(&case.signature),
        };
        let direct = assert_agrees(&c);
        assert_eq!(
            verify_message(&c.public_key, &c.message, &c.signature),
            direct,
            "speccheck case {i}"
        );
    }
}

/// Each kind of change `sigcase` makes, alone and in pairs, on a few keys and messages: every
/// one is checked with and without a key's table against a direct `verify_strict` call.
#[test]
fn torsioned_and_non_canonical_signatures_get_the_verdicts_of_verify_strict() {
    let mut accepted = 0;
    let mut all = Vec::new();
    for flags in 0..=255u8 {
        for pick in [0u8, 1, 3, 9, 0x2a, 0x3f] {
            let mut data = vec![flags, pick];
            data.extend_from_slice(&[flags ^ pick; 32]);
            data.extend_from_slice(b"body bytes");
            let c = sigcase::case(&data).expect("long enough");
            let verdict = assert_agrees(&c);
            accepted += usize::from(verdict);
            let key = PreparedKey::new(&c.public_key);
            all.push((c, key, verdict));
        }
    }
    let cases = all.len();
    // All of them encoded together: each verdict is still its own.
    let checks: Vec<(&PreparedKey, &[u8], &[u8; 64])> = all
        .iter()
        .map(|(c, key, _)| (key, c.message.as_slice(), &c.signature))
        .collect();
    let verdicts: Vec<bool> = all.iter().map(|(_, _, v)| *v).collect();
    assert_eq!(verify_all(&checks), verdicts);
    // Honest signatures and a torsioned key whose challenge kills the torsion are accepted; the
    // test would prove little if nothing were.
    assert!(accepted >= 6, "{accepted} of {cases} accepted");
    assert!(accepted < cases / 2, "{accepted} of {cases} accepted");
}

/// A key checks its first `TABLE_AFTER` signatures without its tables and then builds them (the
/// audit's keys): the verdicts on both sides of the switch are `verify_strict`'s, for an honest
/// signature, a torsioned key, a changed message and an S at each edge of its range.
#[test]
fn a_key_switches_to_its_tables_with_the_same_verdicts() {
    let mut seen = [false; 2];
    for flags in [0u8, 1, 0x80, 0x60, 0x61] {
        for pick in [0u8, 3, 5, 6, 7] {
            let mut data = vec![flags, pick];
            data.extend_from_slice(&[pick ^ 0x5a; 32]);
            data.extend_from_slice(b"a body signed many times");
            let c = sigcase::case(&data).expect("long enough");
            let strict = sigcase::strict(&c);
            seen[usize::from(strict)] = true;
            let key = PreparedKey::new(&c.public_key);
            for check in 0..=TABLE_AFTER + 1 {
                assert_eq!(
                    key.has_table(),
                    check > TABLE_AFTER,
                    "check {check} of {c:?}"
                );
                assert_eq!(
                    key.verify(&c.message, &c.signature),
                    strict,
                    "check {check} of {c:?}"
                );
            }
        }
    }
    assert_eq!(seen, [true, true], "both verdicts occur");
}

proptest! {
    #[test]
    fn random_signature_cases_get_the_verdicts_of_verify_strict(
        data in proptest::collection::vec(any::<u8>(), 34..120)
    ) {
        let c = sigcase::case(&data).expect("long enough");
        assert_agrees(&c);
    }
}

#[test]
fn weak_speccheck_keys_cannot_be_enrolled() {
    let cases = speccheck_cases();
    for i in [0, 1, 10, 11] {
        let key: [u8; 32] = array(&cases[i].pub_key);
        assert_eq!(
            check_public_key(&key),
            Err(KeyProblem::Weak),
            "speccheck case {i}"
        );
    }
}
