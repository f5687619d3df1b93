//! Event signatures: the one acceptance rule that both the append path and the audit use.
//!
//! Every signature is checked with ed25519-dalek's `verify_strict`, one at a time. Batch
//! verification is never used: its verdicts differ from `verify_strict` on edge cases and depend
//! on which signatures share a batch, and a ledger's verdicts must be deterministic and the same
//! on append and audit.

use crate::entry::signed_message;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

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

/// The acceptance rule on raw messages: `verify_strict`, which refuses non-canonical S and R,
/// small-order R, and weak public keys.
pub fn verify_message(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    match VerifyingKey::from_bytes(public_key) {
        Ok(key) => verify_decoded(&key, message, signature),
        Err(_) => false,
    }
}

/// The same rule with the public key already decoded, for a caller that checks many signatures
/// by few keys (decoding a key costs a field inversion; the verdict is the same).
pub fn verify_decoded(key: &VerifyingKey, message: &[u8], signature: &[u8; 64]) -> bool {
    key.verify_strict(message, &Signature::from_bytes(signature))
        .is_ok()
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
