//! Evidence an auditor holds beside the journal: checkpoints (signed tree heads) and inclusion
//! proofs. The audit records, while it streams the journal, the tree roots and leaf hashes the
//! evidence asks about and every key the ledger ever enrolled; this module then judges the
//! evidence against them. A ledger may have grown since a checkpoint, but it must not have been
//! truncated or forked.

use crate::format::merkle::verify_inclusion;
use crate::format::note::{Checkpoint, Note, Proof, origin};
use crate::model::entry::{Hash, hex};
use crate::model::finding::{Code, Finding};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A piece of evidence as the auditor gave it: where it came from, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub label: String,
    pub text: String,
}

/// Checkpoints and proofs to check a journal against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    pub checkpoints: Vec<Named>,
    pub proofs: Vec<Named>,
}

/// What the audit must note while streaming: roots at these tree sizes, leaf hashes at these
/// indices.
#[derive(Debug, Default)]
pub(crate) struct Wanted {
    pub sizes: BTreeSet<u64>,
    pub indices: BTreeSet<u64>,
}

impl Evidence {
    pub(crate) fn wanted(&self) -> Wanted {
        let mut w = Wanted::default();
        for c in &self.checkpoints {
            if let Some(cp) = parse_checkpoint(&c.text) {
                w.sizes.insert(cp.size);
            }
        }
        for p in &self.proofs {
            if let Ok(proof) = Proof::parse(&p.text) {
                w.indices.insert(proof.index);
                if let Some(cp) = parse_checkpoint(&proof.checkpoint) {
                    w.sizes.insert(cp.size);
                }
            }
        }
        w
    }
}

fn parse_checkpoint(note: &str) -> Option<Checkpoint> {
    Note::parse(note)
        .ok()
        .and_then(|n| Checkpoint::parse_text(&n.text).ok())
}

/// The origin a checkpoint note names (`custody/<ledger id>`): which ledger it speaks of.
pub fn checkpoint_origin(note: &str) -> Option<String> {
    parse_checkpoint(note).map(|c| c.origin)
}

/// The origin an inclusion proof's checkpoint names.
pub fn proof_origin(text: &str) -> Option<String> {
    Proof::parse(text)
        .ok()
        .and_then(|p| checkpoint_origin(&p.checkpoint))
}

/// What the audit saw of the journal that evidence is judged against.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    pub ledger_id: Option<[u8; 16]>,
    pub ledger_key: Option<[u8; 32]>,
    /// Every key each keyholder id was ever enrolled with.
    pub holders: HashMap<String, Vec<[u8; 32]>>,
    pub size: u64,
    pub roots: BTreeMap<u64, Hash>,
    pub leaves: BTreeMap<u64, Hash>,
}

/// What a check was of.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Checkpoint,
    /// An inclusion proof, judged with the checkpoint it carries.
    Proof,
}

/// How one checkpoint, or one proof, fared.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckpointCheck {
    pub kind: EvidenceKind,
    pub label: String,
    pub size: Option<u64>,
    #[serde(serialize_with = "opt_hex")]
    pub root: Option<Hash>,
    /// Who signed it, among the keys this ledger knows: "ledger" or keyholder ids.
    pub signed_by: Vec<String>,
    /// Signed by a known key, and the ledger holds exactly that tree at that size.
    pub consistent: bool,
    /// The finding this evidence gave, if any.
    pub problem: Option<Code>,
}

fn opt_hex<S: serde::Serializer>(v: &Option<Hash>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(h) => s.serialize_str(&hex(h)),
        None => s.serialize_none(),
    }
}

impl Observed {
    /// The known keys that signed this note: the ledger key (named by the origin) and keyholder
    /// keys (named `<origin>/<id>`).
    fn signers(&self, note: &Note, origin: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(k) = &self.ledger_key
            && note.verified_by(origin, k)
        {
            out.push("ledger".to_string());
        }
        let mut ids: Vec<&String> = self.holders.keys().collect();
        ids.sort();
        for id in ids {
            let name = format!("{origin}/{id}");
            if self.holders[id].iter().any(|k| note.verified_by(&name, k)) {
                out.push(id.clone());
            }
        }
        out
    }

    /// Judges one checkpoint note; `seq` for findings is the checkpoint's last entry.
    fn checkpoint(&self, label: &str, text: &str, out: &mut Vec<Finding>) -> CheckpointCheck {
        let before = out.len();
        let mut check = self.checkpoint_findings(label, text, out);
        check.problem = out[before..].first().map(|f| f.code);
        check
    }

    fn checkpoint_findings(
        &self,
        label: &str,
        text: &str,
        out: &mut Vec<Finding>,
    ) -> CheckpointCheck {
        let mut check = CheckpointCheck {
            kind: EvidenceKind::Checkpoint,
            label: label.to_string(),
            size: None,
            root: None,
            signed_by: Vec::new(),
            consistent: false,
            problem: None,
        };
        let parsed =
            Note::parse(text).and_then(|n| Checkpoint::parse_text(&n.text).map(|c| (n, c)));
        let (note, cp) = match parsed {
            Ok(p) => p,
            Err(e) => {
                out.push(Finding::new(
                    Code::CheckpointInvalid,
                    self.size,
                    format!("{label}: {e}"),
                ));
                return check;
            }
        };
        check.size = Some(cp.size);
        check.root = Some(cp.root);
        let seq = cp.size.saturating_sub(1);
        let Some(id) = self.ledger_id else {
            return check;
        };
        let expected = origin(&id);
        if cp.origin != expected {
            out.push(Finding::new(
                Code::CheckpointInvalid,
                seq,
                format!(
                    "{label}: a checkpoint of {}, not of this ledger ({expected})",
                    cp.origin
                ),
            ));
            return check;
        }
        check.signed_by = self.signers(&note, &expected);
        // The ledger key speaks for the machine; keyholders only two together, like every
        // entry they sign.
        let by_ledger = check.signed_by.iter().any(|s| s == "ledger");
        if !by_ledger && check.signed_by.len() < 2 {
            let who = match check.signed_by.as_slice() {
                [] => "no key this ledger knows".to_string(),
                [one] => format!("only {one}; a checkpoint needs the ledger key or two keyholders"),
                _ => unreachable!("two or more signers are enough"),
            };
            out.push(Finding::new(
                Code::CheckpointUntrusted,
                seq,
                format!("{label}: signed by {who}"),
            ));
            return check;
        }
        if cp.size > self.size {
            out.push(Finding::new(
                Code::Truncated,
                seq,
                format!(
                    "{label}: signed for {} entries, but the ledger holds {}: entries were cut off",
                    cp.size, self.size
                ),
            ));
            return check;
        }
        match self.roots.get(&cp.size) {
            Some(root) if *root == cp.root => check.consistent = true,
            _ => out.push(Finding::new(
                Code::Forked,
                seq,
                format!(
                    "{label}: the ledger's first {} entries have another tree root than the checkpoint: its history was rewritten",
                    cp.size
                ),
            )),
        }
        check
    }
}

/// Judges every checkpoint and proof against what the audit observed.
pub(crate) fn judge(ev: &Evidence, obs: &Observed) -> (Vec<Finding>, Vec<CheckpointCheck>) {
    let mut findings = Vec::new();
    let mut checks = Vec::new();
    for c in &ev.checkpoints {
        checks.push(obs.checkpoint(&c.label, &c.text, &mut findings));
    }
    for p in &ev.proofs {
        let label = &p.label;
        let proof = match Proof::parse(&p.text) {
            Ok(proof) => proof,
            Err(e) => {
                findings.push(Finding::new(
                    Code::ProofInvalid,
                    obs.size,
                    format!("{label}: {e}"),
                ));
                checks.push(CheckpointCheck {
                    kind: EvidenceKind::Proof,
                    label: label.clone(),
                    size: None,
                    root: None,
                    signed_by: Vec::new(),
                    consistent: false,
                    problem: Some(Code::ProofInvalid),
                });
                continue;
            }
        };
        let mut check = obs.checkpoint(label, &proof.checkpoint, &mut findings);
        check.kind = EvidenceKind::Proof;
        if let (Some(size), Some(root), true) = (check.size, check.root, check.consistent) {
            let ok = obs.leaves.get(&proof.index).is_some_and(|leaf| {
                verify_inclusion(proof.index, size, leaf, &proof.path, &root).is_ok()
            });
            if !ok {
                findings.push(Finding::new(
                    Code::ProofInvalid,
                    proof.index,
                    format!(
                        "{label}: does not prove entry {} in the ledger's tree of {size} entries",
                        proof.index
                    ),
                ));
                check.problem = Some(Code::ProofInvalid);
            }
        }
        checks.push(check);
    }
    (findings, checks)
}
