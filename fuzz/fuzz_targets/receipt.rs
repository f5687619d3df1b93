//! A tlog-proof file (`custody prove` output, the parties' receipts) from untrusted text.
#![no_main]

use custody::note::Proof;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(proof) = Proof::parse(text) {
        let _ = proof.encode();
    }
});
