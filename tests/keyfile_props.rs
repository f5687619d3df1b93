//! Property tests: the key file parsers never panic, and a mutated `.key`
//! file never unlocks.

use std::sync::OnceLock;

use custody::keyfile::{KdfParams, PublicKeyFile, SecretKeyFile};
use proptest::prelude::*;

const PASS: &[u8] = b"correct horse battery staple";

/// One valid key file and its public half, built once for all cases.
fn valid() -> &'static (Vec<u8>, PublicKeyFile) {
    static VALID: OnceLock<(Vec<u8>, PublicKeyFile)> = OnceLock::new();
    VALID.get_or_init(|| {
        SecretKeyFile::encrypt(
            &[42; 32],
            "k.holder-1",
            "张三 主任",
            PASS,
            KdfParams::LOW_COST,
        )
        .expect("encrypt")
    })
}

/// An accepted `.pub` text must be canonical: it re-serializes to itself.
fn check_pub_canonical(text: &str) {
    if let Ok(p) = PublicKeyFile::parse(text) {
        let line = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(text);
        assert_eq!(p.to_line(), line);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn secret_parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = SecretKeyFile::parse(&bytes);
    }

    #[test]
    fn secret_parse_never_panics_past_magic(tail in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut bytes = b"CUSTKEY\0\x01".to_vec();
        bytes.extend_from_slice(&tail);
        let _ = SecretKeyFile::parse(&bytes);
    }

    #[test]
    fn pub_parse_never_panics(text in any::<String>()) {
        check_pub_canonical(&text);
    }

    #[test]
    fn pub_parse_never_panics_past_magic(rest in "[ -~\u{80}-\u{10ffff}\r\n\t]{0,120}") {
        check_pub_canonical(&format!("custody-pub-v1 {rest}"));
    }

    #[test]
    fn pub_single_byte_mutation(idx in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let line = format!("{}\n", valid().1.to_line());
        let mut bytes = line.into_bytes();
        let i = idx.index(bytes.len());
        bytes[i] = byte;
        if let Ok(text) = std::str::from_utf8(&bytes) {
            check_pub_canonical(text);
        }
    }
}

proptest! {
    // Each case may derive a key; LOW_COST keeps that to a few milliseconds.
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn secret_single_byte_mutation(idx in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let (original, public) = valid();
        let mut bytes = original.clone();
        let i = idx.index(bytes.len());
        let no_op = bytes[i] == byte;
        bytes[i] = byte;
        match SecretKeyFile::parse(&bytes) {
            Ok(file) => {
                let unlocked = file.unlock(PASS);
                if no_op {
                    let key = unlocked.expect("unmodified file must unlock");
                    prop_assert_eq!(key.verifying_key().to_bytes(), public.key);
                } else {
                    prop_assert!(unlocked.is_err(), "mutating byte {} to {:#04x} went unnoticed", i, byte);
                }
            }
            Err(_) => prop_assert!(!no_op, "unmodified file must parse"),
        }
    }
}
