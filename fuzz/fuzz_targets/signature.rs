//! Differential: the ledger's signature rule (`signing::PreparedKey`, with and without a key's
//! table) against ed25519-dalek's `verify_strict`, on signatures with torsioned keys and R,
//! non-canonical S, R and keys, and raw bytes (`tests/sigcase/mod.rs` builds them).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/sigcase/mod.rs"]
mod sigcase;

fuzz_target!(|data: &[u8]| {
    if let Some(c) = sigcase::case(data) {
        sigcase::assert_agrees(&c);
    }
});
