//! Writes the demo roster's key files. The seeds are derived from the keyholder ids, so anyone
//! can regenerate them: these keys are for demos and tests only and protect nothing.
//!
//!     cargo run --example demo_keys -- keys/          # the public halves, as committed in keys/
//!     cargo run --example demo_keys -- /tmp/k --private   # also the .key files (low-cost KDF,
//!                                                         # passphrase "demo-<id>")
//!
//! The roster itself (ids, names, roles, person numbers) lives in `examples/common`, shared with
//! the `county_exam` and `leak_attempts` examples.

#[path = "common/mod.rs"]
mod common;

use common::{ROSTER, demo_passphrase, demo_seed};
use custody::keyfile::{KdfParams, SecretKeyFile, write_key_pair};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: demo_keys OUT_DIR [--private]")?);
    let private = args.next().as_deref() == Some("--private");
    std::fs::create_dir_all(&out)?;
    for m in ROSTER {
        let (id, name, roles) = (m.id, m.name, m.role);
        let pass = demo_passphrase(id);
        let (bytes, public) = SecretKeyFile::encrypt(
            &demo_seed(id),
            id,
            name,
            pass.as_bytes(),
            KdfParams::LOW_COST,
        )?;
        if private {
            write_key_pair(&out, &bytes, &public)?;
            std::fs::write(out.join(format!("{id}.pass")), format!("{pass}\n"))?;
        } else {
            std::fs::write(out.join(format!("{id}.pub")), public.to_line() + "\n")?;
        }
        println!("{id:<7} {roles:<15} {}", public.to_line());
    }
    Ok(())
}
