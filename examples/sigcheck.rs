//! One signature check, `verify_strict` against the ledger's rule with a key's tables, one key and
//! one thread: the per-check figures of docs/PERFORMANCE.md ("Where the time goes").
//!
//!     cargo run --release --example sigcheck
//!     valgrind --tool=callgrind target/release/examples/sigcheck --once
//!
//! Each way checks the same 2,000 signatures; the best of 15 timed runs is printed (`--once`:
//! one run, for callgrind, whose instruction counts of `strict_all` and `tables_all` are the
//! figures).

use custody::signing::signed_message;
use custody::signing::{PreparedKey, sign_body, verify_all};
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use std::time::Instant;

const CHECKS: usize = 2000;

#[inline(never)]
fn strict_all(key: &VerifyingKey, checks: &[(Vec<u8>, [u8; 64])]) -> usize {
    checks
        .iter()
        .filter(|(m, s)| key.verify_strict(m, &Signature::from_bytes(s)).is_ok())
        .count()
}

/// As the audit checks them: pieces of 8, the points of a piece encoded together.
#[inline(never)]
fn tables_all(key: &PreparedKey, checks: &[(Vec<u8>, [u8; 64])]) -> usize {
    checks
        .chunks(8)
        .map(|piece| {
            let piece: Vec<(&PreparedKey, &[u8], &[u8; 64])> =
                piece.iter().map(|(m, s)| (key, m.as_slice(), s)).collect();
            verify_all(&piece).into_iter().filter(|v| *v).count()
        })
        .sum()
}

fn main() {
    let once = std::env::args().any(|a| a == "--once");
    let signer = SigningKey::from_bytes(&[3u8; 32]);
    let checks: Vec<(Vec<u8>, [u8; 64])> = (0..CHECKS)
        .map(|i| {
            let mut body = vec![0u8; 180];
            body[..8].copy_from_slice(&(i as u64).to_le_bytes());
            (signed_message(&body), sign_body(&signer, &body))
        })
        .collect();
    let public = signer.verifying_key();
    let prepared = PreparedKey::with_table(&public.to_bytes());
    let (mut strict, mut tables) = (f64::MAX, f64::MAX);
    for _ in 0..if once { 1 } else { 15 } {
        let started = Instant::now();
        assert_eq!(strict_all(&public, &checks), CHECKS);
        strict = strict.min(started.elapsed().as_secs_f64());
        let started = Instant::now();
        assert_eq!(tables_all(&prepared, &checks), CHECKS);
        tables = tables.min(started.elapsed().as_secs_f64());
    }
    let us = |t: f64| t / CHECKS as f64 * 1e6;
    println!(
        "verify_strict {:.1} us, the ledger's rule with tables {:.1} us: {:.2} times faster (best of {} runs of {CHECKS})",
        us(strict),
        us(tables),
        strict / tables,
        if once { 1 } else { 15 }
    );
}
