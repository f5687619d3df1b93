//! Audit speed against its physical limit, measured in the same run (docs/PERFORMANCE.md):
//!
//!     cargo build --release --examples
//!     cargo run --release --example bench -- --events 100000
//!
//! (a) raw `verify_strict` on all cores, with no ledger around it, over as many signatures as the
//! ledger holds; (b) `custody::audit` on a generated ledger of that many events (written by the
//! `generate_ledger` example beside this one); and b/a. Not part of `cargo test`, except a smoke
//! run of 2,000 events.

use custody::audit::{self, Options};
use custody::signing::{sign_body, verify_body};
use ed25519_dalek::SigningKey;
use rayon::prelude::*;
use std::process::Command;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut events: u64 = 100_000;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--events" => events = args.next().ok_or("--events N")?.parse()?,
            other => return Err(format!("unknown argument {other}: use --events N").into()),
        }
    }
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ledger");
    let generator = std::env::current_exe()?.with_file_name("generate_ledger");
    let started = Instant::now();
    let status = Command::new(&generator)
        .arg(&dir)
        .arg(events.to_string())
        .status()?;
    if !status.success() {
        return Err(format!(
            "{} failed (build it with cargo build --release --examples)",
            generator.display()
        )
        .into());
    }
    let generated = started.elapsed();

    // (b) The audit, as `custody verify` runs it.
    let started = Instant::now();
    let report = audit::verify_with(&dir.join("journal"), &Options::default())?;
    let audit_time = started.elapsed().as_secs_f64();
    if !report.is_clean() || report.entries != events {
        return Err(format!(
            "the generated ledger did not audit clean: {:?}",
            report.findings.first()
        )
        .into());
    }
    let signatures = 2 * events + 1; // every event co-signed by two, the genesis by three

    // (a) The same number of signature checks, alone, on every core: bodies of a typical size.
    let keys: Vec<SigningKey> = (0u8..8)
        .map(|i| SigningKey::from_bytes(&[i + 1; 32]))
        .collect();
    let bodies: Vec<(usize, Vec<u8>, [u8; 64])> = (0..signatures as usize)
        .into_par_iter()
        .map(|i| {
            let mut body = vec![0u8; 180];
            body[..8].copy_from_slice(&(i as u64).to_le_bytes());
            let k = i % keys.len();
            let sig = sign_body(&keys[k], &body);
            (k, body, sig)
        })
        .collect();
    let publics: Vec<[u8; 32]> = keys.iter().map(|k| k.verifying_key().to_bytes()).collect();
    let started = Instant::now();
    let valid = bodies
        .par_iter()
        .filter(|(k, body, sig)| verify_body(&publics[*k], body, sig))
        .count();
    let raw_time = started.elapsed().as_secs_f64();
    assert_eq!(valid, bodies.len());

    let raw_rate = signatures as f64 / raw_time;
    let audit_rate = signatures as f64 / audit_time;
    println!("events            {events}");
    println!("cores             {}", rayon::current_num_threads());
    println!("generated in      {:.2} s", generated.as_secs_f64());
    println!("(a) verify_strict {raw_rate:>10.0} signatures/s ({raw_time:.2} s)");
    println!(
        "(b) audit         {audit_rate:>10.0} signatures/s, {:.0} events/s ({audit_time:.2} s)",
        events as f64 / audit_time
    );
    println!("b/a               {:.2}", audit_rate / raw_rate);
    Ok(())
}
