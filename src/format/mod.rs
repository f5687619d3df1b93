//! Bytes and cryptography: canonical encoding, times, hashes, the signature rule, Merkle trees
//! and signed notes. Nothing here knows what an event or a bag is.

pub mod encoding;
pub mod hash;
pub mod merkle;
pub mod note;
pub mod printable;
pub mod register;
pub mod signing;
pub mod time;
