//! Audit speed against its physical limit, measured in the same run, and the other figures of
//! docs/PERFORMANCE.md:
//!
//!     cargo build --release --bins --examples
//!     cargo run --release --example bench -- --events 100000 [--appends 500] [--counties K]
//!
//! (a) raw `verify_strict` on all cores, with no ledger around it, over as many signatures as the
//! ledger holds; (b) `custody::audit` on a generated ledger of that many events (written by the
//! `generate_ledger` example beside this one); and b/a; (c) the ledger's own signature rule
//! (`signing::verify_all`, per-key tables) on the signatures of (a), and c/a, the stretch's gain
//! on keys that sign many events. Then: the audit's peak memory (VmHWM),
//! the time to open the ledger for one append (the first open builds the index; later opens
//! are what `custody record` does), append latency with fsync against this disk's raw fsync
//! latency, export speed, and with `--counties K` the audit of K ledgers of N events each by
//! `custody verify --bundle ...` (the release binary). Not part of `cargo test`, except a smoke
//! run of 2,000 events.

#[path = "common/mod.rs"]
mod common;

/// The binary's allocator, so that (b) measures the audit `custody verify` runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use common::{BoxError, RESERVE_BAG, RESERVE_SEAL, demo_seed};
use custody::audit::verify::{self as audit, Options};
use custody::bag::BagObs;
use custody::entry::{Body, CoSignature};
use custody::event::{Event, Inspect};
use custody::ledger::{Ledger, new_nonce};
use custody::signing::signed_message;
use custody::signing::{PreparedKey, sign_body, verify_all};
use custody::time::Timestamp;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Args {
    events: u64,
    appends: usize,
    counties: u64,
}

fn args() -> Result<Args, BoxError> {
    let mut out = Args {
        events: 100_000,
        appends: 500,
        counties: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a number"));
        match a.as_str() {
            "--events" => out.events = value()?.parse()?,
            "--appends" => out.appends = value()?.parse()?,
            "--counties" => out.counties = value()?.parse()?,
            other => {
                return Err(format!(
                    "unknown argument {other}: use --events N [--appends N] [--counties K]"
                )
                .into());
            }
        }
    }
    Ok(out)
}

/// A sibling binary of this example: `generate_ledger` beside it, `custody` one level up.
fn built(path: PathBuf) -> Result<PathBuf, BoxError> {
    if path.exists() {
        Ok(path)
    } else {
        Err(format!(
            "{} is not built: cargo build --release --bins --examples",
            path.display()
        )
        .into())
    }
}

fn generate(dir: &Path, events: u64, county: u64) -> Result<(), BoxError> {
    let generator = built(std::env::current_exe()?.with_file_name("generate_ledger"))?;
    let status = Command::new(&generator)
        .arg(dir)
        .arg(events.to_string())
        .arg(county.to_string())
        .status()?;
    if !status.success() {
        return Err(format!("{} failed", generator.display()).into());
    }
    Ok(())
}

/// This process's peak resident memory so far (VmHWM), in bytes.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The nearest-rank percentile `p` (0 to 100) of some durations, in milliseconds.
fn percentile(sorted: &[Duration], p: usize) -> f64 {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1].as_secs_f64() * 1e3
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() -> Result<(), BoxError> {
    let args = args()?;
    let events = args.events;
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ledger");
    let started = Instant::now();
    generate(&dir, events, 0)?;
    let generated = started.elapsed();

    // (b) The audit, as `custody verify` runs it.
    let started = Instant::now();
    let report = audit::verify_with(&dir.join("journal"), &Options::default())?;
    let audit_time = started.elapsed().as_secs_f64();
    let audit_peak = peak_memory();
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
    // ed25519-dalek's own call, keys decoded beforehand: the baseline the audit is held to.
    let publics: Vec<VerifyingKey> = keys.iter().map(|k| k.verifying_key()).collect();
    let started = Instant::now();
    let valid = bodies
        .par_iter()
        .filter(|(k, body, sig)| {
            publics[*k]
                .verify_strict(&signed_message(body), &Signature::from_bytes(sig))
                .is_ok()
        })
        .count();
    let raw_time = started.elapsed().as_secs_f64();
    assert_eq!(valid, bodies.len());
    // (c) The ledger's rule on the same signatures, as the audit runs it: keys prepared once
    // (tables after `TABLE_AFTER` checks), the points of 16 checks encoded together.
    let prepared: Vec<PreparedKey> = keys
        .iter()
        .map(|k| PreparedKey::new(&k.verifying_key().to_bytes()))
        .collect();
    let messages: Vec<Vec<u8>> = bodies
        .par_iter()
        .map(|(_, b, _)| signed_message(b))
        .collect();
    let started = Instant::now();
    let valid: usize = bodies
        .par_chunks(16)
        .zip(messages.par_chunks(16))
        .map(|(piece, messages)| {
            let checks: Vec<(&PreparedKey, &[u8], &[u8; 64])> = piece
                .iter()
                .zip(messages)
                .map(|((k, _, sig), m)| (&prepared[*k], m.as_slice(), sig))
                .collect();
            verify_all(&checks).into_iter().filter(|v| *v).count()
        })
        .sum();
    let rule_time = started.elapsed().as_secs_f64();
    assert_eq!(valid, bodies.len());
    drop((bodies, messages));

    let raw_rate = signatures as f64 / raw_time;
    let audit_rate = signatures as f64 / audit_time;
    println!("events            {events}");
    println!("cores             {}", rayon::current_num_threads());
    println!("generated in      {:.2} s", generated.as_secs_f64());
    println!("(a) verify_strict {raw_rate:>10.0} signatures/s ({raw_time:.2} s)");
    println!(
        "(c) ledger's rule  {:>10.0} signatures/s ({rule_time:.2} s; c/a {:.2})",
        signatures as f64 / rule_time,
        raw_time / rule_time
    );
    println!(
        "(b) audit         {audit_rate:>10.0} signatures/s, {:.0} events/s ({audit_time:.2} s)",
        events as f64 / audit_time
    );
    println!("b/a               {:.2}", audit_rate / raw_rate);
    if let Some(peak) = audit_peak {
        println!(
            "peak memory       {:.1} MiB (VmHWM of this process after the audit)",
            mib(peak)
        );
    }

    // Opening for one append: the first open builds the index from the journal; every later
    // open (each `custody record`) finds it and only checks it against the journal.
    let started = Instant::now();
    Ledger::open(&dir)?.close()?;
    let first_open = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut ledger = Ledger::open(&dir)?;
    let open = started.elapsed().as_secs_f64();
    println!("open, first       {first_open:.3} s (builds the index)");
    println!(
        "open              {:.1} ms (as each custody record does)",
        open * 1e3
    );

    let journal = dir.join("journal");
    let before = std::fs::metadata(&journal)?.len();
    let latencies = appends(&mut ledger, args.appends)?;
    let appended = std::fs::metadata(&journal)?.len() - before;
    let record_len = usize::try_from(appended)? / args.appends.max(1);
    ledger.close()?;
    let raw = raw_fsync(tmp.path(), record_len, args.appends)?;
    println!(
        "append            p50 {:.2} ms, p99 {:.2} ms ({} co-signed events, fsync on)",
        percentile(&latencies, 50),
        percentile(&latencies, 99),
        latencies.len()
    );
    println!(
        "raw fsync         p50 {:.2} ms, p99 {:.2} ms (write + fdatasync of {record_len} bytes)",
        percentile(&raw, 50),
        percentile(&raw, 99)
    );

    let out = tmp.path().join("export.custody");
    let started = Instant::now();
    let written = custody::bundle::write(&dir, &out, None)?;
    let export_time = started.elapsed().as_secs_f64();
    println!(
        "export            {:.0} MB/s ({:.1} MB in {export_time:.2} s)",
        written.bytes as f64 / 1e6 / export_time,
        written.bytes as f64 / 1e6
    );

    if args.counties > 0 {
        counties(tmp.path(), args.counties, events)?;
    }
    Ok(())
}

/// Appends `n` co-signed inspections of the generator's reserve bag through the library, each
/// against the head before it, and times each `append` (the judge, the journal with its fsync,
/// the index, the checkpoint). Returns the sorted latencies.
fn appends(ledger: &mut Ledger, n: usize) -> Result<Vec<Duration>, BoxError> {
    let signers = ["cust1", "sup1"];
    let keys: Vec<SigningKey> = signers
        .iter()
        .map(|id| SigningKey::from_bytes(&demo_seed(id)))
        .collect();
    // Synthetic times after the generated ledger's last entry, 1 ms apart, recorded 500 ms after.
    let last = ledger
        .state()
        .tip()?
        .ok_or("the ledger is empty")?
        .recorded_at
        .0;
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let at = last + 1 + i as i64;
        let body = Body {
            ledger_id: ledger.ledger_id(),
            head: ledger.head()?,
            event_time: Timestamp(at),
            nonce: new_nonce(),
            signers: signers.iter().map(|s| s.to_string()).collect(),
            event: Event::Inspect(Inspect {
                bags: vec![BagObs {
                    id: RESERVE_BAG.into(),
                    seal: Some(RESERVE_SEAL.into()),
                    count: None,
                }],
                incident: None,
            }),
        };
        let bytes = body.encode()?;
        let signatures = signers
            .iter()
            .zip(&keys)
            .map(|(id, key)| CoSignature {
                signer: id.to_string(),
                signature: sign_body(key, &bytes),
            })
            .collect();
        let started = Instant::now();
        let receipt = ledger.append_recorded_at(bytes, signatures, Timestamp(at + 500))?;
        latencies.push(started.elapsed());
        if !receipt.flagged.is_empty() {
            return Err(format!("append {i} was flagged: {:?}", receipt.flagged).into());
        }
    }
    latencies.sort();
    Ok(latencies)
}

/// This disk's own latency for what an append must wait for: a write of one record and
/// fdatasync, `n` times, to a file in the same directory as the ledger.
fn raw_fsync(dir: &Path, record_len: usize, n: usize) -> Result<Vec<Duration>, BoxError> {
    let mut file = std::fs::File::create(dir.join("fsync-probe"))?;
    let record = vec![0x5au8; record_len];
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        file.write_all(&record)?;
        file.sync_data()?;
        out.push(started.elapsed());
    }
    out.sort();
    Ok(out)
}

/// K county ledgers of `events` each, exported, then audited in one run of
/// `custody verify --bundle ...` (the release binary), under /usr/bin/time for its peak memory.
fn counties(tmp: &Path, k: u64, events: u64) -> Result<(), BoxError> {
    let custody = built(
        std::env::current_exe()?
            .parent()
            .and_then(Path::parent)
            .ok_or("no target directory")?
            .join("custody"),
    )?;
    let started = Instant::now();
    let mut bundles = Vec::new();
    for c in 1..=k {
        let dir = tmp.join(format!("county-{c}"));
        generate(&dir, events, c)?;
        let out = tmp.join(format!("county-{c}.custody"));
        custody::bundle::write(&dir, &out, None)?;
        std::fs::remove_dir_all(&dir)?;
        bundles.push(out);
    }
    let prepared = started.elapsed().as_secs_f64();
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "%M"]).arg(&custody).arg("verify");
    for b in &bundles {
        cmd.arg("--bundle").arg(b);
    }
    let started = Instant::now();
    let out = cmd.output()?;
    let time = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "custody verify of {k} bundles failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak_kib: Option<u64> = stderr.lines().last().and_then(|l| l.trim().parse().ok());
    let total = k * events;
    println!(
        "counties          {k} ledgers of {events} events, generated and exported in {prepared:.1} s"
    );
    println!(
        "multi-ledger      {:.0} events/s, {:.0} signatures/s ({time:.2} s, custody verify --bundle x{k})",
        total as f64 / time,
        (2 * events + 1) as f64 * k as f64 / time
    );
    if let Some(kib) = peak_kib {
        println!(
            "multi-ledger peak {:.1} MiB (maximum resident set of custody verify)",
            mib(kib * 1024)
        );
    }
    Ok(())
}
