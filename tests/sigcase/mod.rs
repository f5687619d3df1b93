//! Signature cases built from bytes for the differential checks of `custody::signing` against
//! ed25519-dalek's `verify_strict`: honest signatures, and signatures with torsioned keys and R,
//! non-canonical S, R and keys, and raw bytes. Shared by `tests/signature_vectors.rs` (a property
//! test) and `fuzz/fuzz_targets/signature.rs` (libFuzzer), so both explore the same space.

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use custody::signing::{PreparedKey, verify_all};
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha512};

/// One public key, message and signature.
#[derive(Debug)]
pub struct Case {
    pub public_key: [u8; 32],
    pub message: Vec<u8>,
    pub signature: [u8; 64],
}

/// The group order, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Encodings that are not the canonical one of their point, or of no point: y = p and y = p + 1
/// (y = 0 and y = 1 again), and the small-order points with the sign bit flipped.
fn odd_encoding(i: u8) -> [u8; 32] {
    match i % 10 {
        0 | 1 => {
            let mut b = [0xff; 32];
            b[0] = 0xed + i % 10;
            b[31] = 0x7f;
            b
        }
        n => {
            let mut b = EIGHT_TORSION[usize::from(n - 2)].compress().to_bytes();
            b[31] ^= 0x80;
            b
        }
    }
}

/// Canonical scalars at the edges of the range, for the variable-time multiplication's digit
/// expansion: 0, 1, 2, L - 1, L - 2, 2^252 - 1, 2^252 and (L - 1) / 2.
fn edge_scalar(i: u8) -> [u8; 32] {
    let minus = |d: u8| {
        let mut s = L;
        s[0] -= d;
        s
    };
    match i % 8 {
        n @ 0..=2 => {
            let mut s = [0u8; 32];
            s[0] = n;
            s
        }
        3 => minus(1),
        4 => minus(2),
        5 => {
            let mut s = [0xff; 32];
            s[31] = 0x0f;
            s
        }
        6 => {
            let mut s = [0u8; 32];
            s[31] = 0x10;
            s
        }
        _ => {
            // (L - 1) / 2: L is odd, so shift L right by one.
            let mut s = [0u8; 32];
            for (i, b) in s.iter_mut().enumerate() {
                *b = L[i] >> 1 | L.get(i + 1).map_or(0, |next| next << 7);
            }
            s
        }
    }
}

/// Adds the group order to a canonical scalar: the same value mod L, not canonical.
fn plus_l(s: [u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(s[i]) + u16::from(L[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    out
}

/// Builds a case from bytes: `data[0]` says what to change (bits 0-3: torsion on the key, on R,
/// S plus the group order, raw S; bits 4-6: odd or raw R or key, a small-order R, or S at an edge
/// of its range; bit 7: the message changed after signing), `data[1]` which torsion points, odd
/// encoding or edge scalar, `data[2..34]` seeds the key, the nonce and any raw bytes; the rest is the message.
pub fn case(data: &[u8]) -> Option<Case> {
    let (&flags, rest) = data.split_first()?;
    let (&pick, rest) = rest.split_first()?;
    let seed: [u8; 32] = rest.get(..32)?.try_into().ok()?;
    let message = rest[32..].to_vec();
    let raw = |tag: u8| -> [u8; 32] {
        let h = Sha512::new()
            .chain_update([tag])
            .chain_update(seed)
            .finalize();
        h[..32].try_into().expect("32 bytes")
    };
    let a = Scalar::from_bytes_mod_order(seed);
    let mut big_a = EdwardsPoint::mul_base(&a);
    if flags & 1 != 0 {
        big_a += EIGHT_TORSION[usize::from(pick & 7)];
    }
    let mode = flags >> 4 & 7;
    // Mode 5 signs with R a small-order point and no nonce: then [S]B - [k]A is of small order
    // too, and equals R when the challenge and the torsions line up.
    let r = if mode == 5 {
        Scalar::ZERO
    } else {
        Scalar::from_bytes_mod_order_wide(
            &Sha512::new()
                .chain_update(seed)
                .chain_update(&message)
                .finalize()
                .into(),
        )
    };
    let mut big_r = match mode {
        5 => EIGHT_TORSION[usize::from(pick & 7)],
        _ => EdwardsPoint::mul_base(&r),
    };
    if flags & 2 != 0 {
        big_r += EIGHT_TORSION[usize::from(pick >> 3 & 7)];
    }
    let mut public_key = big_a.compress().to_bytes();
    let mut r_bytes = big_r.compress().to_bytes();
    match mode {
        1 => r_bytes = odd_encoding(pick),
        2 => public_key = odd_encoding(pick),
        3 => r_bytes = raw(1),
        4 => public_key = raw(2),
        _ => {}
    }
    let k = Scalar::from_hash(
        Sha512::new()
            .chain_update(r_bytes)
            .chain_update(public_key)
            .chain_update(&message),
    );
    let mut s = (r + k * a).to_bytes();
    if flags & 4 != 0 {
        s = plus_l(s);
    }
    if flags & 8 != 0 {
        s = raw(3);
    }
    if mode == 6 {
        s = edge_scalar(pick);
    }
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&r_bytes);
    signature[32..].copy_from_slice(&s);
    let mut message = message;
    if flags & 0x80 != 0 {
        match message.first_mut() {
            Some(b) => *b ^= 1,
            None => message.push(0),
        }
    }
    Some(Case {
        public_key,
        message,
        signature,
    })
}

/// `verify_strict`'s verdict, called directly.
pub fn strict(c: &Case) -> bool {
    VerifyingKey::from_bytes(&c.public_key).is_ok_and(|k| {
        k.verify_strict(&c.message, &Signature::from_bytes(&c.signature))
            .is_ok()
    })
}

/// Panics unless the ledger's rule, with and without a key's table, alone and encoded together
/// with another, gives `verify_strict`'s verdict; returns it.
pub fn assert_agrees(c: &Case) -> bool {
    let strict = strict(c);
    let plain_key = PreparedKey::new(&c.public_key);
    let tabled_key = PreparedKey::with_table(&c.public_key);
    let plain = plain_key.verify(&c.message, &c.signature);
    let tabled = tabled_key.verify(&c.message, &c.signature);
    assert_eq!((plain, tabled), (strict, strict), "{c:?}");
    let together = verify_all(&[
        (&plain_key, &c.message, &c.signature),
        (&tabled_key, &c.message, &c.signature),
    ]);
    assert_eq!(together, [strict, strict], "{c:?}");
    strict
}
