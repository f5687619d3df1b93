//! Evidence an auditor holds beside the journal: checkpoints (signed tree heads) and inclusion
//! proofs. The audit records, while it streams the journal, the tree roots and leaf hashes the
//! evidence asks about and every key the ledger ever enrolled; this module then judges the
//! evidence against them. A ledger may have grown since a checkpoint, but it must not have been
//! truncated or forked.

use crate::format::merkle::verify_inclusion;
use crate::format::note::{Checkpoint, Note, Proof, key_id, origin};
use crate::format::signing::verify_message;
use crate::model::entry::{Hash, hex};
use crate::model::finding::{Code, Finding};
use crate::model::roster::{Keyholder, Role};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Known public keys by signed-note (key id, key name).
type KnownKeys = HashMap<([u8; 4], String), Vec<[u8; 32]>>;

/// A signer of a note (`None` for the ledger key, or a keyholder id) and the key that verified.
type Signer = (Option<String>, [u8; 32]);

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

/// One enrolment as the roster took it, and the entries it stayed on the roster for.
#[derive(Debug, Clone)]
pub(crate) struct Enrolment {
    pub key: [u8; 32],
    pub person_tag: [u8; 32],
    pub admin: bool,
    /// The record that enrolled it (its leaf index in the tree).
    pub at: u64,
    /// The record that revoked it, or that enrolled its id again; `None` while it holds.
    pub until: Option<u64>,
}

impl Enrolment {
    /// Whether it is on the roster and active in the tree of the first `size` records.
    fn active_at(&self, size: u64) -> bool {
        self.at < size && self.until.is_none_or(|u| u >= size)
    }
}

/// What the audit saw of the journal that evidence is judged against.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    pub ledger_id: Option<[u8; 16]>,
    pub ledger_key: Option<[u8; 32]>,
    /// Each keyholder id's enrolments, in journal order.
    pub holders: HashMap<String, Vec<Enrolment>>,
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
    /// The roster took an enrolment of `id` at record `at`: it replaces the one before.
    /// Records come in order, so each id's enrolments are sorted by record.
    pub(crate) fn enrolled(&mut self, id: &str, k: &Keyholder, at: u64) {
        let all = self.holders.entry(id.to_string()).or_default();
        if let Some(last) = all.last_mut() {
            last.until.get_or_insert(at);
        }
        all.push(Enrolment {
            key: k.public_key,
            person_tag: k.person_tag,
            admin: k.has_role(Role::Admin),
            at,
            until: None,
        });
    }

    /// The roster revoked `id` at record `at`.
    pub(crate) fn revoked(&mut self, id: &str, at: u64) {
        if let Some(last) = self.holders.get_mut(id).and_then(|all| all.last_mut()) {
            last.until.get_or_insert(at);
        }
    }

    /// Every key this ledger knows, by signed-note key name and key id: the ledger key (named
    /// by the origin) and every key ever enrolled (named `<origin>/<id>`). Built once per audit,
    /// so that a note's lines are looked up, not compared with every enrolment.
    fn known_keys(&self, origin: &str) -> KnownKeys {
        let mut known = KnownKeys::new();
        let mut add = |name: String, key: [u8; 32]| {
            let keys = known.entry((key_id(&name, &key), name)).or_default();
            if !keys.contains(&key) {
                keys.push(key);
            }
        };
        if let Some(k) = self.ledger_key {
            add(origin.to_string(), k);
        }
        for (id, all) in &self.holders {
            for e in all {
                add(format!("{origin}/{id}"), e.key);
            }
        }
        known
    }

    /// Opens a note as Go's `note.Open` does with the known keys: the first line of each known
    /// key (name and key id) must verify, later ones are dropped, lines of unknown keys are set
    /// aside. The signers (`None` for the ledger key, or a keyholder id) with the key each line
    /// verified under; or the name of a known key whose line does not verify.
    fn open(&self, note: &Note, origin: &str, known: &KnownKeys) -> Result<Vec<Signer>, String> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for line in &note.signatures {
            let Some(keys) = known.get(&(line.key_id, line.name.clone())) else {
                continue;
            };
            if !seen.insert((line.key_id, &line.name)) {
                continue;
            }
            let good = keys
                .iter()
                .find(|k| verify_message(k, note.text.as_bytes(), &line.signature));
            let Some(key) = good else {
                return Err(line.name.clone());
            };
            let who = line
                .name
                .strip_prefix(origin)
                .and_then(|rest| rest.strip_prefix('/'))
                .map(str::to_string);
            out.push((who, *key));
        }
        Ok(out)
    }

    /// The distinct persons among the admins active at tree size `size` who signed.
    fn admin_persons(&self, signers: &[Signer], size: u64) -> usize {
        let persons: HashSet<[u8; 32]> = signers
            .iter()
            .filter_map(|(id, key)| {
                // The id's enrolment in force at `size`: a binary search, so that many
                // checkpoints against many enrolments stay cheap.
                let all = self.holders.get(id.as_deref()?)?;
                let e = all[..all.partition_point(|e| e.at < size)].last()?;
                (e.active_at(size) && e.admin && e.key == *key).then_some(e.person_tag)
            })
            .collect();
        persons.len()
    }

    /// Judges one checkpoint note; `seq` for findings is the checkpoint's last entry.
    fn checkpoint(
        &self,
        label: &str,
        text: &str,
        known: &KnownKeys,
        out: &mut Vec<Finding>,
    ) -> CheckpointCheck {
        let before = out.len();
        let mut check = self.checkpoint_findings(label, text, known, out);
        check.problem = out[before..].first().map(|f| f.code);
        check
    }

    fn checkpoint_findings(
        &self,
        label: &str,
        text: &str,
        known: &KnownKeys,
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
        let signers = match self.open(&note, &expected, known) {
            Ok(s) => s,
            Err(name) => {
                out.push(Finding::new(
                    Code::CheckpointInvalid,
                    seq,
                    format!(
                        "{label}: the signature line of {name}, a key this ledger knows, does not verify"
                    ),
                ));
                return check;
            }
        };
        let mut names: Vec<String> = signers
            .iter()
            .map(|(id, _)| id.clone().unwrap_or_else(|| "ledger".to_string()))
            .collect();
        names.sort_by_key(|n| (n != "ledger", n.clone()));
        names.dedup();
        check.signed_by = names;
        // The ledger key speaks for the machine; otherwise two admins vouch for the tree, two
        // people as for every entry, and admins at the size they sign.
        let by_ledger = signers.iter().any(|(id, _)| id.is_none());
        if !by_ledger && self.admin_persons(&signers, cp.size) < 2 {
            let who = if check.signed_by.is_empty() {
                "no key this ledger knows".to_string()
            } else {
                check.signed_by.join(", ")
            };
            out.push(Finding::new(
                Code::CheckpointUntrusted,
                seq,
                format!(
                    "{label}: signed by {who}; a checkpoint needs the ledger key or two admins who are distinct persons, active at its size ({})",
                    cp.size
                ),
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
    let known = obs
        .ledger_id
        .map(|id| obs.known_keys(&origin(&id)))
        .unwrap_or_default();
    for c in &ev.checkpoints {
        checks.push(obs.checkpoint(&c.label, &c.text, &known, &mut findings));
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
        let mut check = obs.checkpoint(label, &proof.checkpoint, &known, &mut findings);
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
