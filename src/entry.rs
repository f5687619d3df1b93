//! Entries of the journal, the event bodies their co-signers sign, and their hashes.

use crate::encoding::{self, EncodingError, bytes64};
use crate::event::Event;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];
pub type LedgerId = [u8; 16];

/// What co-signatures cover: this prefix, then the canonical body bytes. The NUL byte keeps an
/// event signature from ever being read as a signed-note (checkpoint) signature by the same key,
/// since signed notes are text without NUL bytes.
pub const SIGNED_PREFIX: &[u8] = b"custody event v1\x00";

/// The ledger head: how many entries it held and the hash of the last one.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub size: u64,
    pub hash: Hash,
}

impl Head {
    /// The head of an empty ledger, which the genesis body names.
    pub const EMPTY: Head = Head {
        size: 0,
        hash: [0; 32],
    };
}

/// What the co-signers sign.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub ledger_id: LedgerId,
    /// The ledger head the signers saw: the entry can only be placed after it.
    pub head: Head,
    /// When the signers say it happened.
    pub event_time: Timestamp,
    /// Random; the same signed body cannot be appended twice.
    pub nonce: [u8; 16],
    /// Exactly the keyholders who must sign, in signing order.
    pub signers: Vec<String>,
    pub event: Event,
}

/// One co-signature: who, and the 64-byte Ed25519 signature over the signed message.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CoSignature {
    pub signer: String,
    #[serde(with = "bytes64")]
    pub signature: [u8; 64],
}

/// A journal entry. The body is kept as its canonical bytes, so a verifier can check the
/// signatures over exactly those bytes without re-encoding anything.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub seq: u64,
    pub prev_hash: Hash,
    /// The system clock (UTC) when the entry was appended.
    pub recorded_at: Timestamp,
    pub body: Vec<u8>,
    pub signatures: Vec<CoSignature>,
}

/// An entry whose bytes, body and hash have been checked to belong together.
#[derive(Clone, Debug)]
pub struct DecodedEntry {
    pub entry: Entry,
    pub body: Body,
    pub hash: Hash,
}

/// Why an entry's bytes are not a well-formed entry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EntryError {
    #[error("entry encoding: {0}")]
    Entry(EncodingError),
    #[error("body encoding: {0}")]
    Body(EncodingError),
}

impl Body {
    pub fn encode(&self) -> Result<Vec<u8>, EncodingError> {
        encoding::encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<Body, EncodingError> {
        encoding::decode(bytes)
    }
}

/// The exact bytes each co-signer signs: the prefix, then the canonical body.
pub fn signed_message(body_bytes: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNED_PREFIX.len() + body_bytes.len());
    m.extend_from_slice(SIGNED_PREFIX);
    m.extend_from_slice(body_bytes);
    m
}

/// RFC 6962 leaf hash: SHA-256(0x00 ‖ entry bytes).
pub fn leaf_hash(entry_bytes: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry_bytes);
    h.finalize().into()
}

impl DecodedEntry {
    /// Decodes an entry and its body, both strictly canonical.
    pub fn decode(bytes: &[u8]) -> Result<DecodedEntry, EntryError> {
        let entry: Entry = encoding::decode(bytes).map_err(EntryError::Entry)?;
        let body = Body::decode(&entry.body).map_err(EntryError::Body)?;
        Ok(DecodedEntry {
            hash: leaf_hash(bytes),
            entry,
            body,
        })
    }
}

impl Entry {
    pub fn encode(&self) -> Result<Vec<u8>, EncodingError> {
        encoding::encode(self)
    }
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

    #[test]
    fn the_signed_prefix_holds_a_nul() {
        assert!(SIGNED_PREFIX.contains(&0));
    }
}
