//! RFC 6962 / RFC 9162 Merkle trees over the journal's entry hashes.
//!
//! The leaves are the entry hashes themselves: an entry hash is already the RFC 6962 leaf hash
//! SHA-256(0x00 ‖ entry bytes), so this module never sees entry bytes and never hashes a leaf.
//! That keeps one definition of the leaf hash (`crate::format::hash::leaf_hash`) for the chain and the
//! tree alike.
//!
//! Verification follows transparency-dev/merkle (`proof/verify.go`) rather than only the RFC
//! pseudocode, because the known-answer vectors come from it: the expected proof length is
//! computed first and any other length is refused, so no input can make the verifiers index out
//! of range, and a consistency proof from size 0 is refused (see [`verify_consistency`]).

use sha2::{Digest, Sha256};

pub use crate::format::hash::Hash;

/// Why a proof could not be produced or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {size} is larger than the {available} leaves given")]
    SizeBeyondLeaves { size: u64, available: u64 },
    #[error("old tree size {old} is larger than new tree size {new}")]
    SizesOutOfOrder { old: u64, new: u64 },
    #[error("a consistency proof from the empty tree proves nothing")]
    EmptyOldTree,
    #[error("proof has {got} hashes where {want} are needed")]
    WrongProofLength { got: usize, want: usize },
    #[error("the consistency proof does not lead to the old root")]
    OldRootMismatch,
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
}

/// An interior node: SHA-256(0x01 ‖ left ‖ right). The 0x01 prefix, against the leaves' 0x00,
/// keeps a node from ever being passed off as a leaf (second-preimage resistance).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the tree with no leaves: SHA-256 of the empty string, as RFC 6962 defines it.
pub fn empty_root() -> Hash {
    Sha256::digest(b"").into()
}

/// Root of the tree over these leaf hashes (MTH of RFC 6962 §2.1, with leaves given as hashes).
pub fn root(leaves: &[Hash]) -> Hash {
    let mut acc = Accumulator::new();
    for leaf in leaves {
        acc.push(*leaf);
    }
    acc.root()
}

/// An incremental tree: push leaf hashes one by one, get the root in O(log n) memory and time.
/// Used to stream a journal.
///
/// It keeps the roots of the perfect subtrees that the binary digits of the size split the
/// leaves into, largest first; RFC 6962's tree is exactly those subtrees joined right to left.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Accumulator {
    size: u64,
    peaks: Vec<Hash>,
}

impl Accumulator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, leaf: Hash) {
        let mut hash = leaf;
        let mut carry = self.size;
        // Each trailing one bit of the old size is a perfect subtree of the new leaf's height,
        // which now has a right sibling and merges with it, like a binary carry.
        while carry & 1 == 1 {
            let Some(left) = self.peaks.pop() else { break };
            hash = node_hash(&left, &hash);
            carry >>= 1;
        }
        self.peaks.push(hash);
        self.size += 1;
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some(last) = peaks.next() else {
            return empty_root();
        };
        peaks.fold(*last, |right, left| node_hash(left, &right))
    }
}

/// The largest power of two strictly below `n`; RFC 6962's split point. Needs `n >= 2`.
fn split(n: usize) -> usize {
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

fn len_u64(leaves: &[Hash]) -> u64 {
    // usize is at most 64 bits on every target Rust supports.
    leaves.len() as u64
}

/// Inclusion proof (audit path) for leaf `index` in the tree over `leaves` (RFC 9162 §2.1.3.1).
/// Err if index >= len.
///
/// The path is collected from the root down, where each step is a split of a slice, and
/// reversed at the end; the sibling subtrees partition the leaves, so a proof costs n hashes.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, ProofError> {
    let out_of_range = ProofError::IndexOutOfRange {
        index,
        size: len_u64(leaves),
    };
    let mut m = usize::try_from(index).map_err(|_| out_of_range.clone())?;
    if m >= leaves.len() {
        return Err(out_of_range);
    }
    let mut tree = leaves;
    let mut path = Vec::new();
    while tree.len() > 1 {
        let k = split(tree.len());
        if m < k {
            path.push(root(&tree[k..]));
            tree = &tree[..k];
        } else {
            path.push(root(&tree[..k]));
            tree = &tree[k..];
            m -= k;
        }
    }
    path.reverse();
    Ok(path)
}

/// Consistency proof between sizes old <= new over the first `new` leaves (RFC 9162 §2.1.4.1).
/// old == 0 or old == new gives an empty proof.
///
/// Note that [`verify_consistency`] refuses every proof from old == 0, as the reference verifier
/// does: a caller holding the empty tree has nothing to check and must not ask.
pub fn consistency_proof(leaves: &[Hash], old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
    if old > new {
        return Err(ProofError::SizesOutOfOrder { old, new });
    }
    let n = usize::try_from(new)
        .ok()
        .filter(|&n| n <= leaves.len())
        .ok_or(ProofError::SizeBeyondLeaves {
            size: new,
            available: len_u64(leaves),
        })?;
    if old == 0 || old == new {
        return Ok(Vec::new());
    }
    // old < new <= leaves.len(), so old fits a usize.
    let mut m = old as usize;
    let mut tree = &leaves[..n];
    // RFC 9162's flag b: whether the current subtree is one the verifier already knows the
    // root of, so that its root can be left out of the proof.
    let mut known = true;
    let mut path = Vec::new();
    // Invariant: 0 < m <= tree.len(), so a split exists whenever m < tree.len().
    while m < tree.len() {
        let k = split(tree.len());
        if m <= k {
            path.push(root(&tree[k..]));
            tree = &tree[..k];
        } else {
            path.push(root(&tree[..k]));
            tree = &tree[k..];
            m -= k;
            known = false;
        }
    }
    if !known {
        path.push(root(tree));
    }
    path.reverse();
    Ok(path)
}

/// How an inclusion proof for `index` in a tree of `size` splits: `inner` hashes below the point
/// where the paths to `index` and to the last leaf part, then `border` hashes of left siblings
/// along the right border. Needs `index < size`.
fn decompose(index: u64, size: u64) -> (usize, usize) {
    let inner = (u64::BITS - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = index.checked_shr(inner as u32).unwrap_or(0).count_ones() as usize;
    (inner, border)
}

/// RFC 9162 §2.1.3.2 verification.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (inner, border) = decompose(index, size);
    if proof.len() != inner + border {
        return Err(ProofError::WrongProofLength {
            got: proof.len(),
            want: inner + border,
        });
    }
    let (inner_path, border_path) = proof.split_at(inner);
    let mut hash = *leaf;
    for (level, sibling) in inner_path.iter().enumerate() {
        hash = if (index >> level) & 1 == 0 {
            node_hash(&hash, sibling)
        } else {
            node_hash(sibling, &hash)
        };
    }
    for sibling in border_path {
        hash = node_hash(sibling, &hash);
    }
    if hash != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2 verification, with the edge cases of transparency-dev/merkle: old > new is
/// refused; old == 0 is refused whatever the proof and roots (the empty tree is consistent with
/// every tree, so a "proof" of it proves nothing and is more likely a caller's mistake);
/// old == new needs an empty proof and equal roots.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizesOutOfOrder { old, new });
    }
    if old == 0 {
        return Err(ProofError::EmptyOldTree);
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongProofLength {
                got: proof.len(),
                want: 0,
            });
        }
        if old_root != new_root {
            return Err(ProofError::RootMismatch);
        }
        return Ok(());
    }

    // The proof is, in effect, the inclusion proof of the last old leaf in the new tree, cut
    // off below the largest perfect subtree that ends the old tree: that subtree's root is the
    // seed, sent as the first proof hash unless it is the whole old tree, whose root the
    // verifier already has.
    let (inner_full, border) = decompose(old - 1, new);
    let shift = old.trailing_zeros() as usize;
    // old < new makes the paths to old - 1 and new - 1 part above that subtree.
    let inner = inner_full.saturating_sub(shift);
    let seeded = old.is_power_of_two();
    let want = usize::from(!seeded) + inner + border;
    if proof.len() != want {
        return Err(ProofError::WrongProofLength {
            got: proof.len(),
            want,
        });
    }
    let (seed, rest) = if seeded {
        (old_root, proof)
    } else {
        (&proof[0], &proof[1..])
    };
    let (inner_path, border_path) = rest.split_at(inner);
    let mask = (old - 1) >> shift;
    let mut old_hash = *seed;
    let mut new_hash = *seed;
    for (level, sibling) in inner_path.iter().enumerate() {
        if (mask >> level) & 1 == 1 {
            old_hash = node_hash(sibling, &old_hash);
            new_hash = node_hash(sibling, &new_hash);
        } else {
            // A right sibling holds only leaves added after the old size.
            new_hash = node_hash(&new_hash, sibling);
        }
    }
    for sibling in border_path {
        old_hash = node_hash(sibling, &old_hash);
        new_hash = node_hash(sibling, &new_hash);
    }
    if old_hash != *old_root {
        return Err(ProofError::OldRootMismatch);
    }
    if new_hash != *new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| crate::format::hash::leaf_hash(&(i as u64).to_be_bytes()))
            .collect()
    }

    /// MTH written straight from RFC 6962 §2.1, to check the streaming root against.
    fn reference_root(d: &[Hash]) -> Hash {
        match d.len() {
            0 => empty_root(),
            1 => d[0],
            n => {
                let k = split(n);
                node_hash(&reference_root(&d[..k]), &reference_root(&d[k..]))
            }
        }
    }

    fn flipped(h: &Hash) -> Hash {
        let mut h = *h;
        h[31] ^= 1;
        h
    }

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        let want = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let got: String = empty_root().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn accumulator_and_root_agree_with_the_rfc_definition() {
        let all = leaves(100);
        let mut acc = Accumulator::new();
        assert_eq!(acc.root(), empty_root());
        for n in 0..=100 {
            assert_eq!(acc.size(), n as u64);
            assert_eq!(acc.root(), root(&all[..n]), "size {n}");
            assert_eq!(root(&all[..n]), reference_root(&all[..n]), "size {n}");
            if n < 100 {
                acc.push(all[n]);
            }
        }
    }

    #[test]
    fn inclusion_proofs_verify_and_any_tampering_fails() {
        let all = leaves(40);
        for size in 1..=40usize {
            let tree = &all[..size];
            let r = root(tree);
            let n = size as u64;
            for index in 0..size {
                let i = index as u64;
                let proof = inclusion_proof(tree, i).unwrap();
                assert_eq!(verify_inclusion(i, n, &tree[index], &proof, &r), Ok(()));
                assert_eq!(
                    verify_inclusion(i, n, &tree[index], &proof, &flipped(&r)),
                    Err(ProofError::RootMismatch)
                );
                assert!(verify_inclusion(i, n, &flipped(&tree[index]), &proof, &r).is_err());
                for k in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[k] = flipped(&bad[k]);
                    assert!(verify_inclusion(i, n, &tree[index], &bad, &r).is_err());
                }
                for other in (0..size).filter(|&o| o != index) {
                    let o = other as u64;
                    assert!(verify_inclusion(o, n, &tree[index], &proof, &r).is_err());
                }
                let mut longer = proof.clone();
                longer.push(r);
                assert!(verify_inclusion(i, n, &tree[index], &longer, &r).is_err());
                if !proof.is_empty() {
                    let shorter = &proof[..proof.len() - 1];
                    assert!(verify_inclusion(i, n, &tree[index], shorter, &r).is_err());
                }
            }
            assert_eq!(
                inclusion_proof(tree, n),
                Err(ProofError::IndexOutOfRange { index: n, size: n })
            );
        }
    }

    #[test]
    fn consistency_proofs_verify_and_any_tampering_fails() {
        let all = leaves(40);
        for new in 1..=40usize {
            let new_root = root(&all[..new]);
            let n = new as u64;
            for old in 1..=new {
                let old_root = root(&all[..old]);
                let o = old as u64;
                let proof = consistency_proof(&all, o, n).unwrap();
                assert_eq!(
                    verify_consistency(o, n, &old_root, &new_root, &proof),
                    Ok(()),
                    "{old} -> {new}"
                );
                assert!(verify_consistency(o, n, &flipped(&old_root), &new_root, &proof).is_err());
                assert!(verify_consistency(o, n, &old_root, &flipped(&new_root), &proof).is_err());
                for k in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[k] = flipped(&bad[k]);
                    assert!(verify_consistency(o, n, &old_root, &new_root, &bad).is_err());
                }
                let mut longer = proof.clone();
                longer.push(new_root);
                assert!(verify_consistency(o, n, &old_root, &new_root, &longer).is_err());
                if !proof.is_empty() {
                    let shorter = &proof[..proof.len() - 1];
                    assert!(verify_consistency(o, n, &old_root, &new_root, shorter).is_err());
                }
            }
            assert_eq!(consistency_proof(&all, 0, n), Ok(Vec::new()));
            assert_eq!(
                verify_consistency(0, n, &empty_root(), &new_root, &[]),
                Err(ProofError::EmptyOldTree)
            );
        }
    }

    #[test]
    fn out_of_range_requests_are_errors() {
        let all = leaves(5);
        assert!(inclusion_proof(&[], 0).is_err());
        assert!(inclusion_proof(&all, u64::MAX).is_err());
        assert_eq!(
            consistency_proof(&all, 3, 2),
            Err(ProofError::SizesOutOfOrder { old: 3, new: 2 })
        );
        assert_eq!(
            consistency_proof(&all, 2, 6),
            Err(ProofError::SizeBeyondLeaves {
                size: 6,
                available: 5
            })
        );
        assert!(consistency_proof(&all, 1, u64::MAX).is_err());
        let r = root(&all);
        assert!(verify_inclusion(0, 0, &all[0], &[], &r).is_err());
        assert!(verify_inclusion(u64::MAX, u64::MAX, &all[0], &[], &r).is_err());
        assert!(verify_consistency(1, 0, &r, &r, &[]).is_err());
        assert!(verify_consistency(0, 0, &r, &r, &[]).is_err());
        assert!(verify_consistency(2, 2, &r, &r, &[r]).is_err());
        assert!(verify_consistency(2, 2, &r, &flipped(&r), &[]).is_err());
        assert_eq!(verify_consistency(2, 2, &r, &r, &[]), Ok(()));
    }

    proptest! {
        #[test]
        fn verifiers_never_panic(
            index in any::<u64>(),
            size in any::<u64>(),
            old in any::<u64>(),
            new in any::<u64>(),
            len in 0usize..140,
        ) {
            let h = leaves(1)[0];
            let proof = vec![h; len];
            let index_in_range = index % size.max(1);
            let old_in_range = old.min(new);
            let _ = verify_inclusion(index, size, &h, &proof, &h);
            let _ = verify_consistency(old, new, &h, &h, &proof);
            // A proof of exactly the wanted length gets past the length check into the hashing,
            // with the extreme sizes a hostile checkpoint could claim.
            if let Err(ProofError::WrongProofLength { want, .. }) =
                verify_inclusion(index_in_range, size, &h, &proof, &h)
            {
                let _ = verify_inclusion(index_in_range, size, &h, &vec![h; want], &h);
            }
            if let Err(ProofError::WrongProofLength { want, .. }) =
                verify_consistency(old_in_range, new, &h, &h, &proof)
            {
                let _ = verify_consistency(old_in_range, new, &h, &h, &vec![h; want]);
            }
        }
    }
}
