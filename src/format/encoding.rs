//! The canonical binary encoding of everything that is hashed or signed.
//!
//! Every use of bincode in the crate goes through this module. The format is bincode 2.0.1's
//! `standard()` configuration (little-endian, variable-length integers) driven by serde. Version
//! 2.0.1 is pinned on purpose: 3.0.0 is an empty release (RUSTSEC-2025-0141), and a format that
//! auditors re-implement must not drift with a dependency. `docs/FORMAT.md` spells the encoding out
//! byte for byte.
//!
//! Decoding is strict: it refuses input larger than a cap, trailing bytes, and any input that does
//! not re-encode to the identical bytes (a non-minimal varint, say). So one value has exactly one
//! encoding, and a hash or a signature over the bytes is a hash or signature over the value.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::cell::RefCell;

/// The largest encoded value the crate will decode: an entry, a draft, a genesis.
pub const MAX_ENCODED: usize = 1 << 20;

type Config = bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<MAX_ENCODED>,
>;

const CONFIG: Config = bincode::config::standard().with_limit::<MAX_ENCODED>();

/// Why some bytes are not the canonical encoding of a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodingError {
    #[error("{len} bytes is over the {MAX_ENCODED}-byte limit")]
    TooLarge { len: usize },
    #[error("does not decode: {0}")]
    Malformed(String),
    #[error("{extra} trailing bytes after the value")]
    Trailing { extra: usize },
    #[error("not canonical: re-encoding gives different bytes")]
    NonCanonical,
    #[error("cannot encode: {0}")]
    Encode(String),
}

/// Encodes a value canonically.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, EncodingError> {
    with_encoding(value, <[u8]>::to_vec)
}

/// Shows `then` the canonical encoding of a value, written into a buffer this thread keeps: an
/// audit encodes a few values per entry, and a vector grown byte by byte to each one's size
/// would be reallocated several times.
fn with_encoding<T: Serialize, R>(
    value: &T,
    then: impl FnOnce(&[u8]) -> R,
) -> Result<R, EncodingError> {
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    let encode_into = |buffer: &mut Vec<u8>| {
        buffer.clear();
        bincode::serde::encode_into_std_write(value, buffer, CONFIG)
            .map_err(|e| EncodingError::Encode(e.to_string()))?;
        if buffer.len() > MAX_ENCODED {
            return Err(EncodingError::TooLarge { len: buffer.len() });
        }
        Ok(then(buffer))
    };
    BUFFER.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut buffer) => encode_into(&mut buffer),
        // A value whose serialisation encodes another value: a buffer of its own.
        Err(_) => encode_into(&mut Vec::new()),
    })
}

/// Decodes bytes that must be exactly the canonical encoding of one value.
pub fn decode<T: Serialize + DeserializeOwned>(bytes: &[u8]) -> Result<T, EncodingError> {
    let value = decode_own(bytes)?;
    if !with_encoding(&value, |again| again == bytes)? {
        return Err(EncodingError::NonCanonical);
    }
    Ok(value)
}

/// [`decode`] of bytes this process wrote itself with [`encode`] (the audit's in-memory
/// state), which are canonical by construction: the re-encoding that proves it is skipped.
pub fn decode_own<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, EncodingError> {
    if bytes.len() > MAX_ENCODED {
        return Err(EncodingError::TooLarge { len: bytes.len() });
    }
    let (value, used): (T, usize) = bincode::serde::decode_from_slice(bytes, CONFIG)
        .map_err(|e| EncodingError::Malformed(e.to_string()))?;
    if used != bytes.len() {
        return Err(EncodingError::Trailing {
            extra: bytes.len() - used,
        });
    }
    Ok(value)
}

/// Serde for fixed 64-byte arrays (Ed25519 signatures), as 64 raw bytes with no length prefix.
/// serde itself only derives arrays up to 32 elements.
pub mod bytes64 {
    use serde::de::{Error, SeqAccess, Visitor};
    use serde::ser::SerializeTuple;
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(bytes: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(64)?;
        for b in bytes {
            t.serialize_element(b)?;
        }
        t.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = [u8; 64];
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("64 bytes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<[u8; 64], A::Error> {
                let mut out = [0u8; 64];
                for (i, slot) in out.iter_mut().enumerate() {
                    *slot = seq
                        .next_element()?
                        .ok_or_else(|| A::Error::invalid_length(i, &self))?;
                }
                Ok(out)
            }
        }
        d.deserialize_tuple(64, V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Sample {
        n: u64,
        s: String,
        #[serde(with = "bytes64")]
        sig: [u8; 64],
        flag: bool,
    }

    fn sample() -> Sample {
        Sample {
            n: 300,
            s: "张三".into(),
            sig: [7; 64],
            flag: true,
        }
    }

    #[test]
    fn round_trip_is_identity() {
        let bytes = encode(&sample()).unwrap();
        assert_eq!(decode::<Sample>(&bytes).unwrap(), sample());
    }

    #[test]
    fn varint_layout_matches_the_spec() {
        // 300 = 0xfb then u16 LE; string = len + UTF-8; 64 raw bytes; bool as one byte.
        let bytes = encode(&sample()).unwrap();
        assert_eq!(&bytes[..3], &[0xfb, 0x2c, 0x01]);
        assert_eq!(bytes[3], 6);
        assert_eq!(&bytes[4..10], "张三".as_bytes());
        assert_eq!(&bytes[10..74], &[7u8; 64]);
        assert_eq!(bytes[74], 1);
        assert_eq!(bytes.len(), 75);
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let mut bytes = encode(&sample()).unwrap();
        bytes.push(0);
        assert_eq!(
            decode::<Sample>(&bytes),
            Err(EncodingError::Trailing { extra: 1 })
        );
    }

    #[test]
    fn non_minimal_varint_is_refused() {
        // 5 written as 0xfb + u16 decodes to the same value but is not canonical.
        let canonical = encode(&5u64).unwrap();
        assert_eq!(canonical, vec![5]);
        assert_eq!(
            decode::<u64>(&[0xfb, 5, 0]),
            Err(EncodingError::NonCanonical)
        );
    }

    #[test]
    fn a_bool_other_than_0_or_1_is_refused() {
        let mut bytes = encode(&sample()).unwrap();
        bytes[74] = 2;
        assert!(decode::<Sample>(&bytes).is_err());
    }

    #[test]
    fn oversized_input_is_refused_before_decoding() {
        let big = vec![0u8; MAX_ENCODED + 1];
        assert_eq!(
            decode::<u64>(&big),
            Err(EncodingError::TooLarge {
                len: MAX_ENCODED + 1
            })
        );
    }

    #[test]
    fn a_declared_length_beyond_the_limit_does_not_allocate() {
        // A string claiming 2^60 bytes must fail fast, not try to allocate.
        let mut bytes = vec![0xfd];
        bytes.extend_from_slice(&(1u64 << 60).to_le_bytes());
        assert!(decode::<String>(&bytes).is_err());
    }
}
