//! Hashes and ids: the 32-byte SHA-256 hash, the 16-byte ledger id, RFC 6962 leaf hashes and
//! the hex form they take on screen and in JSON.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];
/// A ledger's random id, fixed by its genesis.
pub type LedgerId = [u8; 16];

/// RFC 6962 leaf hash: SHA-256(0x00 ‖ entry bytes).
pub fn leaf_hash(entry_bytes: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry_bytes);
    h.finalize().into()
}

/// Lower-case hex, for hashes and ids on screen and in JSON.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Parses lower- or upper-case hex of exactly `N` bytes.
pub fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim();
    if text.len() != 2 * N || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let h = [0xab, 0x01, 0xff];
        assert_eq!(hex(&h), "ab01ff");
        assert_eq!(parse_hex::<3>("AB01ff"), Some(h));
        assert_eq!(parse_hex::<3>("ab01f"), None);
        assert_eq!(parse_hex::<3>("ab01fg"), None);
    }
}
