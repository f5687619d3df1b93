//! A journal file from untrusted bytes: header, framed records, entry decoding, and the full
//! audit over the same bytes. Every call must return Ok or Err, never panic.
#![no_main]

use std::path::Path;

use custody::entry::DecodedEntry;
use custody::journal::{self, Reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz");
    let mut input = data;
    if journal::read_header(&mut input, path).is_ok() {
        let mut reader = Reader::new(input, journal::HEADER_LEN);
        while let Ok(Some(record)) = reader.next_record() {
            let _ = DecodedEntry::decode(&record.bytes);
        }
        let _ = reader.end();
    }
    let _ = custody::audit::verify::verify_reader(data, path, &Default::default());
});
