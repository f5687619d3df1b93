//! Writes a valid ledger of N events quickly, for benchmarks and tests (docs/PERFORMANCE.md); the
//! generator itself is `common/generator.rs`, which says what the ledger holds.
//!
//!     cargo run --release --example generate_ledger -- DIR N [COUNTY]
//!
//! COUNTY (a number, 0 by default) goes into the ledger id, so that many ledgers generated for
//! a multi-county audit are distinct ledgers with distinct genesis hashes.

#[path = "common/mod.rs"]
mod common;

use common::BoxError;
use std::path::Path;

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: generate_ledger DIR N [COUNTY]";
    let dir = args.next().ok_or(usage)?;
    let n: u64 = args.next().ok_or(usage)?.parse()?;
    let county: u64 = args.next().map_or(Ok(0), |c| c.parse())?;
    common::generator::write_ledger(Path::new(&dir), n, county)
}
