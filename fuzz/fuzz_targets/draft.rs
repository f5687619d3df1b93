//! A draft (`custody draft` output, passed between co-signers) and a roster file, from
//! untrusted bytes.
#![no_main]

use custody::draft::{Draft, RosterFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(draft) = Draft::decode(data) {
        let _ = draft.body();
        let _ = draft.missing();
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(roster) = RosterFile::from_json(text) {
            let _ = roster.ledger_id_bytes();
        }
    }
});
