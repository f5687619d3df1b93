//! Signed notes, checkpoints and verifier keys from untrusted text.
#![no_main]

use custody::note::{Checkpoint, Note, parse_verifier_key};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(note) = Note::parse(text) {
        let _ = note.encode();
    }
    if let Ok(checkpoint) = Checkpoint::parse_text(text) {
        let _ = checkpoint.text();
    }
    let _ = parse_verifier_key(text);
});
