//! Event signatures: the one acceptance rule that both the append path and the audit use.
//!
//! A signature is accepted exactly when ed25519-dalek's `verify_strict` accepts it: `S` below the
//! group order, `R` and the public key of large order, and `[S]B - [k]A` encoding to exactly the
//! bytes of `R`, with `k = SHA-512(R || A || M)`. Batch verification is never used: its verdicts
//! differ from `verify_strict` on edge cases and depend on which signatures share a batch, and a
//! ledger's verdicts must be deterministic and the same on append and audit.
//!
//! [`PreparedKey`] and [`verify_all`] compute that verdict faster for keys that check many
//! signatures (an audit), and every caller goes through them. They differ from `verify_strict`
//! only in how they compute:
//! - It never decompresses `R`. If `[S]B - [k]A` compresses to the bytes of `R`, those bytes are
//!   the canonical encoding of that point, so `R` decompresses to it, and `R` is of small order
//!   exactly when the point is; if it does not, both reject. So "compresses to `R` and is not of
//!   small order" is `verify_strict`'s "`R` decompresses, is not of small order, and `[S]B -
//!   [k]A` compresses to `R`".
//! - The key is decompressed, and checked for small order, once.
//! - After [`TABLE_AFTER`] signatures, `[S]B - [k]A` is computed from tables of odd multiples
//!   of both `B` and `-A` (curve25519-dalek's `VartimeEdwardsPrecomputation`, width-8 NAF), with
//!   one shared run of doublings, rather than from a width-5 table of `-A` built for every
//!   check. Point arithmetic is exact, so both give the same point whatever `A` is, torsion
//!   included. It runs in variable time: a verification handles only public data (keys,
//!   messages, signatures), so constant time would protect nothing. Signing
//!   ([`sign_body`], ed25519-dalek's) stays constant time.
//! - [`verify_all`] encodes the points of several checks with one field inversion (Montgomery's
//!   trick). Each point's encoding is exactly what it is alone, so no verdict depends on another
//!   signature: this is not batch verification.
//!
//! `tests/signature_vectors.rs` checks both ways against `verify_strict` on every Wycheproof and
//! speccheck case and on random torsioned and non-canonical inputs, and `fuzz/` has a
//! differential target (`signature`) for longer runs.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint, VartimeEdwardsPrecomputation};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimePrecomputedMultiscalarMul;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha512};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// What co-signatures cover: this prefix, then the canonical body bytes. The NUL byte keeps an
/// event signature from ever being read as a signed-note (checkpoint) signature by the same key,
/// since signed notes are text without NUL bytes.
pub const SIGNED_PREFIX: &[u8] = b"custody event v1\x00";

/// The exact bytes each co-signer signs: the prefix, then the canonical body.
pub fn signed_message(body_bytes: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNED_PREFIX.len() + body_bytes.len());
    m.extend_from_slice(SIGNED_PREFIX);
    m.extend_from_slice(body_bytes);
    m
}

/// Why a public key may not be enrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyProblem {
    #[error("not a valid Ed25519 public key encoding")]
    Invalid,
    #[error("a weak (small-order) public key")]
    Weak,
    #[error("a public key with a torsion component")]
    Torsion,
}

/// Signs canonical body bytes as an event co-signature.
pub fn sign_body(key: &SigningKey, body_bytes: &[u8]) -> [u8; 64] {
    key.sign(&signed_message(body_bytes)).to_bytes()
}

/// Whether `signature` is a valid co-signature by `public_key` over the body bytes.
pub fn verify_body(public_key: &[u8; 32], body_bytes: &[u8], signature: &[u8; 64]) -> bool {
    verify_message(public_key, &signed_message(body_bytes), signature)
}

/// The acceptance rule on raw messages: `verify_strict`'s verdict, which refuses non-canonical S
/// and R, small-order R, and weak public keys.
pub fn verify_message(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    PreparedKey::new(public_key).verify(message, signature)
}

/// Signatures a [`PreparedKey`] checks before it builds its tables: building them costs about
/// half a check (22 us against 44 us for a check without them, on the project's machine) and
/// saves about a quarter of each later check, so a key that signs a handful of times gains. A
/// key checked once (an append) never builds them.
pub const TABLE_AFTER: u32 = 4;

/// A public key decoded once for many signature checks, with the verdicts of `verify_strict`
/// (see the module's documentation). It may be shared between threads.
pub struct PreparedKey {
    bytes: [u8; 32],
    /// `-A`, or `None` when the bytes are not a point or the point is of small order: then no
    /// signature verifies.
    minus_a: Option<EdwardsPoint>,
    checks: AtomicU32,
    /// Odd multiples of `B` and `-A`, once the key has checked [`TABLE_AFTER`] signatures.
    table: OnceLock<VartimeEdwardsPrecomputation>,
}

impl PreparedKey {
    pub fn new(public_key: &[u8; 32]) -> PreparedKey {
        let minus_a = CompressedEdwardsY(*public_key)
            .decompress()
            .filter(|a| !a.is_small_order())
            .map(|a| -a);
        PreparedKey {
            bytes: *public_key,
            minus_a,
            checks: AtomicU32::new(0),
            table: OnceLock::new(),
        }
    }

    /// A key with its table built at once, whatever its use: for tests of the table's verdicts.
    pub fn with_table(public_key: &[u8; 32]) -> PreparedKey {
        let key = PreparedKey::new(public_key);
        key.build_table();
        key
    }

    pub fn public_key(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Whether the key has built its tables (after [`TABLE_AFTER`] checks).
    pub fn has_table(&self) -> bool {
        self.table.get().is_some()
    }

    fn build_table(&self) -> Option<&VartimeEdwardsPrecomputation> {
        let minus_a = self.minus_a?;
        Some(
            self.table.get_or_init(|| {
                VartimeEdwardsPrecomputation::new([ED25519_BASEPOINT_POINT, minus_a])
            }),
        )
    }

    /// Whether `signature` is valid on `message` under this key: exactly `verify_strict`.
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        verify_all(&[(self, message, signature)])[0]
    }

    /// `[S]B - [k]A`, which must encode to R; `None` if the signature is refused before (a
    /// non-canonical S, a key that is not a point or of small order).
    fn expected_r(&self, message: &[u8], signature: &[u8; 64]) -> Option<EdwardsPoint> {
        let minus_a = self.minus_a.as_ref()?;
        let (r, s) = signature.split_at(32);
        let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(
            s.try_into().expect("32 bytes"),
        ))?;
        let k = Scalar::from_hash(
            Sha512::new()
                .chain_update(r)
                .chain_update(self.bytes)
                .chain_update(message),
        );
        let table = match self.table.get() {
            Some(t) => Some(t),
            // The check that reaches the threshold builds the table; others meanwhile go on
            // without it.
            None if self.checks.fetch_add(1, Ordering::Relaxed) == TABLE_AFTER => {
                self.build_table()
            }
            None => None,
        };
        Some(match table {
            Some(t) => t.vartime_multiscalar_mul([&s, &k]),
            None => EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, minus_a, &s),
        })
    }
}

/// [`PreparedKey::verify`] of several signatures: the verdict of each, in order. Each verdict is
/// that signature's alone (this is not batch verification): the points are only encoded
/// together, with one field inversion for all of them (Montgomery's trick), which gives each
/// point exactly the encoding it has alone.
pub fn verify_all(checks: &[(&PreparedKey, &[u8], &[u8; 64])]) -> Vec<bool> {
    let expected: Vec<Option<EdwardsPoint>> = checks
        .iter()
        .map(|(key, message, signature)| key.expected_r(message, signature))
        .collect();
    let points: Vec<EdwardsPoint> = expected.iter().flatten().copied().collect();
    let mut encoded = EdwardsPoint::compress_batch_alloc(&points).into_iter();
    checks
        .iter()
        .zip(&expected)
        .map(|((_, _, signature), point)| {
            point.is_some_and(|p| {
                let e = encoded.next().expect("one encoding a point");
                e.as_bytes()[..] == signature[..32] && !p.is_small_order()
            })
        })
        .collect()
}

impl std::fmt::Debug for PreparedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedKey")
            .field("bytes", &self.bytes)
            .field("table", &self.has_table())
            .finish_non_exhaustive()
    }
}

/// The enrolment rule for public keys: a valid encoding of a point of prime order.
pub fn check_public_key(public_key: &[u8; 32]) -> Result<(), KeyProblem> {
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| KeyProblem::Invalid)?;
    if key.is_weak() {
        return Err(KeyProblem::Weak);
    }
    if !key.to_edwards().is_torsion_free() {
        return Err(KeyProblem::Torsion);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_prefix_holds_a_nul() {
        assert!(SIGNED_PREFIX.contains(&0));
    }

    #[test]
    fn sign_then_verify() {
        let key = SigningKey::from_bytes(&[9u8; 32]);
        let public = key.verifying_key().to_bytes();
        let sig = sign_body(&key, b"body");
        assert!(verify_body(&public, b"body", &sig));
        assert!(!verify_body(&public, b"bodY", &sig));
        assert!(check_public_key(&public).is_ok());
    }

    #[test]
    fn the_identity_point_is_a_weak_key() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(check_public_key(&identity), Err(KeyProblem::Weak));
    }
}
