//! A bundle (export or backup) from untrusted bytes: `bundle::open` parses and checks
//! everything before the journal, then the journal section is read to its end.
#![no_main]

use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// One file per fuzzing process, rewritten for every input.
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("custody-fuzz-bundle-{}.bundle", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    std::fs::write(path, data).expect("write the scratch bundle");
    if let Ok(mut bundle) = custody::bundle::open(path) {
        let _ = bundle.header.has_secrets();
        let _ = bundle.header.evidence("fuzz");
        let mut buf = [0u8; 1 << 16];
        loop {
            match bundle.journal.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }
});
