//! A secret key file (`.key`) and a public key file (`.pub`) from untrusted bytes. A parsed
//! `.key` is unlocked only when its Argon2 parameters are tiny, to keep the fuzzer fast; the
//! caps on larger parameters are checked by `parse` itself.
#![no_main]

use custody::keyfile::{PublicKeyFile, SecretKeyFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = SecretKeyFile::parse(data) {
        let _ = (key.id(), key.name(), key.public_key());
        let params = key.params();
        if params.m_cost_kib <= 64 && params.t_cost <= 2 {
            let _ = key.unlock(b"x");
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(public) = PublicKeyFile::parse(text) {
            let _ = public.to_line();
        }
    }
});
