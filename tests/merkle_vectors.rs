//! Known-answer tests for the Merkle tree against vectors written by others (see
//! `../shared/testvectors/README.md`): roots computed with Go's `sumdb/tlog`, and the inclusion
//! and consistency proof cases of transparency-dev/merkle, valid and broken.
//!
//! The vectors hold some "hashes" that are not 32 bytes long (empty, 9 or 12 bytes), which the
//! typed API cannot take. Where the Go verifier refuses such a value outright (a leaf hash of the
//! wrong size), the case counts as rejected without calling the verifier, as the typed API can
//! never be handed one. Where Go only compares or hashes it (roots, proof hashes), it is replaced
//! by a stand-in 32-byte value that keeps equal values equal and unequal ones unequal, so the
//! verdict stays the verifier's own.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use custody::merkle::{self, Accumulator, Hash};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testvectors/rfc6962")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

fn read<T: for<'de> Deserialize<'de>>(path: &Path) -> T {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd-length hex {s:?}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn decode(b64: Option<&str>) -> Vec<u8> {
    STANDARD
        .decode(b64.unwrap_or(""))
        .unwrap_or_else(|e| panic!("bad base64 {b64:?}: {e}"))
}

fn exact(b64: Option<&str>) -> Result<Hash, usize> {
    let bytes = decode(b64);
    Hash::try_from(bytes.as_slice()).map_err(|_| bytes.len())
}

/// Turns a vector's field into a `Hash`; see the module comment for values of other lengths.
/// The stand-in is domain-separated so it cannot coincide with a real node or leaf hash.
struct Hashes {
    stand_ins: usize,
}

impl Hashes {
    fn get(&mut self, b64: Option<&str>) -> Hash {
        match exact(b64) {
            Ok(hash) => hash,
            Err(_) => {
                self.stand_ins += 1;
                let mut h = Sha256::new();
                h.update(b"stand-in for a value that is not 32 bytes\x00");
                h.update(decode(b64));
                h.finalize().into()
            }
        }
    }

    fn proof(&mut self, proof: &Option<Vec<String>>) -> Vec<Hash> {
        proof.iter().flatten().map(|p| self.get(Some(p))).collect()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InclusionCase {
    leaf_idx: u64,
    tree_size: u64,
    root: Option<String>,
    leaf_hash: Option<String>,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyCase {
    size1: u64,
    size2: u64,
    root1: Option<String>,
    root2: Option<String>,
    proof: Option<Vec<String>>,
    desc: String,
    #[serde(rename = "wantErr")]
    want_err: bool,
}

#[derive(Deserialize)]
struct Roots {
    leaf_inputs_hex: Vec<String>,
    empty_root_hex: String,
    roots: Vec<SizedRoot>,
}

#[derive(Deserialize)]
struct SizedRoot {
    tree_size: usize,
    root_hex: String,
}

/// The leaf hashes of the standard RFC 6962 test leaves, which the proof vectors' trees use.
fn standard_leaves() -> (Roots, Vec<Hash>) {
    let roots: Roots = read(&vectors_dir().join("roots.json"));
    let leaves = roots
        .leaf_inputs_hex
        .iter()
        .map(|input| custody::entry::leaf_hash(&hex(input)))
        .collect();
    (roots, leaves)
}

#[test]
fn roots_match_go_sumdb_tlog() {
    let (roots, leaves) = standard_leaves();
    assert_eq!(merkle::empty_root().to_vec(), hex(&roots.empty_root_hex));
    assert_eq!(merkle::root(&[]).to_vec(), hex(&roots.empty_root_hex));
    assert_eq!(roots.roots.len(), 8);
    let mut acc = Accumulator::new();
    for (leaf, want) in leaves.iter().zip(&roots.roots) {
        acc.push(*leaf);
        assert_eq!(acc.size() as usize, want.tree_size);
        let want_root = hex(&want.root_hex);
        let size = want.tree_size;
        assert_eq!(
            merkle::root(&leaves[..size]).to_vec(),
            want_root,
            "size {size}"
        );
        assert_eq!(acc.root().to_vec(), want_root, "accumulator at size {size}");
    }
}

#[test]
fn inclusion_vectors_get_the_reference_verdicts() {
    let dir = vectors_dir().join("inclusion");
    let files = json_files(&dir);
    let (_, standard) = standard_leaves();
    let mut hashes = Hashes { stand_ins: 0 };
    let mut failures = Vec::new();
    let mut regenerated = 0;
    let mut refused_leaves = 0;
    for path in &files {
        let case: InclusionCase = read(path);
        let root = hashes.get(case.root.as_deref());
        let proof = hashes.proof(&case.proof);
        let verdict = match exact(case.leaf_hash.as_deref()) {
            Ok(leaf) => {
                merkle::verify_inclusion(case.leaf_idx, case.tree_size, &leaf, &proof, &root)
                    .map_err(|e| e.to_string())
            }
            Err(len) => {
                refused_leaves += 1;
                Err(format!("a {len}-byte leaf hash cannot be passed"))
            }
        };
        if verdict.is_err() != case.want_err {
            failures.push(format!(
                "{}: {:?} (wantErr {}, {})",
                path.display(),
                verdict,
                case.want_err,
                case.desc
            ));
        }
        // A valid proof over the standard leaves must also be the one this crate generates:
        // inclusion proofs are unique, so any other valid-looking proof would be a bug here.
        let over_standard = usize::try_from(case.tree_size)
            .ok()
            .filter(|&n| n <= standard.len())
            .filter(|&n| merkle::root(&standard[..n]) == root);
        if let (false, Some(n)) = (case.want_err, over_standard) {
            let ours = merkle::inclusion_proof(&standard[..n], case.leaf_idx);
            if ours.as_ref() != Ok(&proof) {
                failures.push(format!("{}: generated {ours:?}", path.display()));
            }
            regenerated += 1;
        }
    }
    println!(
        "{} inclusion vector files from {}, {} proofs regenerated, {} non-32-byte leaf hashes \
         refused, {} other non-32-byte values replaced",
        files.len(),
        dir.display(),
        regenerated,
        refused_leaves,
        hashes.stand_ins
    );
    assert!(!files.is_empty(), "no vector files in {}", dir.display());
    assert!(regenerated > 0);
    assert!(
        failures.is_empty(),
        "wrong verdicts:\n{}",
        failures.join("\n")
    );
}

#[test]
fn consistency_vectors_get_the_reference_verdicts() {
    let dir = vectors_dir().join("consistency");
    let files = json_files(&dir);
    let (_, standard) = standard_leaves();
    let mut hashes = Hashes { stand_ins: 0 };
    let mut failures = Vec::new();
    let mut regenerated = 0;
    for path in &files {
        let case: ConsistencyCase = read(path);
        let root1 = hashes.get(case.root1.as_deref());
        let root2 = hashes.get(case.root2.as_deref());
        let proof = hashes.proof(&case.proof);
        let verdict = merkle::verify_consistency(case.size1, case.size2, &root1, &root2, &proof);
        if verdict.is_err() != case.want_err {
            failures.push(format!(
                "{}: {:?} (wantErr {}, {})",
                path.display(),
                verdict,
                case.want_err,
                case.desc
            ));
        }
        let over_standard = usize::try_from(case.size2)
            .ok()
            .filter(|&n| n <= standard.len())
            .filter(|&n| merkle::root(&standard[..n]) == root2);
        if let (false, Some(_)) = (case.want_err, over_standard) {
            let ours = merkle::consistency_proof(&standard, case.size1, case.size2);
            if ours.as_ref() != Ok(&proof) {
                failures.push(format!("{}: generated {ours:?}", path.display()));
            }
            regenerated += 1;
        }
    }
    println!(
        "{} consistency vector files from {}, {} proofs regenerated, {} non-32-byte values \
         replaced",
        files.len(),
        dir.display(),
        regenerated,
        hashes.stand_ins
    );
    assert!(!files.is_empty(), "no vector files in {}", dir.display());
    assert!(regenerated > 0);
    assert!(
        failures.is_empty(),
        "wrong verdicts:\n{}",
        failures.join("\n")
    );
}
