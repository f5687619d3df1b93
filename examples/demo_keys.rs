//! Writes the demo roster's key files. The seeds are derived from the keyholder ids, so anyone
//! can regenerate them: these keys are for demos and tests only and protect nothing.
//!
//!     cargo run --example demo_keys -- keys/          # the public halves, as committed in keys/
//!     cargo run --example demo_keys -- /tmp/k --private   # also the .key files (low-cost KDF,
//!                                                         # passphrase "demo-<id>")

use custody::keyfile::{KdfParams, SecretKeyFile, write_key_pair};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// The demo roster: id, display name, roles (the roles are given at enrolment, not in the key).
pub const ROSTER: &[(&str, &str, &str)] = &[
    ("admin1", "张建国", "admin"),
    ("admin2", "李秀英", "admin"),
    ("admin3", "王志强", "admin"),
    ("cust1", "赵敏", "custodian"),
    ("sup1", "钱伟", "supervisor"),
    ("esc1", "孙磊", "escort"),
    ("esc2", "周洋", "escort"),
    ("pol1", "吴刚", "police"),
    ("chief1", "郑华", "chief_examiner"),
    ("chief2", "冯丽", "chief_examiner"),
    ("inv1", "陈静", "invigilator"),
    ("inv2", "褚明", "invigilator"),
];

fn seed(id: &str) -> [u8; 32] {
    Sha256::digest(format!("custody demo key {id}")).into()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: demo_keys OUT_DIR [--private]")?);
    let private = args.next().as_deref() == Some("--private");
    std::fs::create_dir_all(&out)?;
    for (id, name, roles) in ROSTER {
        let pass = format!("demo-{id}");
        let (bytes, public) =
            SecretKeyFile::encrypt(&seed(id), id, name, pass.as_bytes(), KdfParams::LOW_COST)?;
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
