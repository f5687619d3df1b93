//! Entries of the journal, the event bodies their co-signers sign, and their hashes.

use crate::format::encoding::{self, EncodingError, bytes64};
use crate::format::time::Timestamp;
use crate::model::event::Event;

pub use crate::format::hash::{Hash, LedgerId, hex, leaf_hash, parse_hex};
use serde::{Deserialize, Serialize};

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
