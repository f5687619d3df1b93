//! The ledger state derived from the journal: ledger facts, the tip, the roster, the replay
//! window. One implementation over a key-value store serves both callers: the sled index of a
//! live ledger and the in-memory map of an audit. The state changes an entry makes are written
//! once, here, so the two can never disagree.

use crate::format::encoding::{self, EncodingError};
use crate::format::merkle::Accumulator;
use crate::model::bag::BagState;
use crate::model::entry::{DecodedEntry, Hash, LedgerId};

use crate::format::time::Timestamp;
use crate::model::event::Event;
use crate::model::policy::Policy;
use crate::model::roster::Keyholder;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::{Arc, Mutex, PoisonError};

/// A failure of the store underneath the state.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("index: {0}")]
    Backend(String),
    #[error("index holds a value that does not decode: {0}")]
    Corrupt(#[from] EncodingError),
}

/// Writes to apply atomically: `None` deletes.
pub type Batch = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// Keys and values, as a scan returns them.
pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// What [`Kv::visit_prefix`] shows each key and value to.
pub type Visitor<'a> = dyn FnMut(&[u8], &[u8]) -> Result<(), StoreError> + 'a;

/// What [`Kv::write_unordered`] runs: it hands each batch it makes to the function it is given.
pub type Producer<'a, K> =
    dyn FnMut(&K, &mut dyn FnMut(Batch) -> Result<(), StoreError>) -> Result<(), StoreError> + 'a;

/// The store under a [`State`].
pub trait Kv {
    /// Whether every value in the store was written by this process through [`State`]: then
    /// its values are canonical by construction and are decoded without proving it again
    /// (the audit's state). A store on disk could hold anything, so by default they are.
    const OWN_WRITES: bool = false;

    /// Whether a finding about a barcode the ledger does not know names the known ones nearest
    /// to it (`custody::did_you_mean`): a look at every bag, which the person
    /// typing the barcode wants, and which an audit cannot pay for each unknown barcode of a
    /// ledger of a million bags (the audit's store says no: its findings are the same without).
    const NEAREST_BARCODES: bool = true;

    /// The value of a key: borrowed where the store can lend it (the audit's, which reads a
    /// few values per entry), copied where it cannot.
    fn get(&self, key: &[u8]) -> Result<Option<Cow<'_, [u8]>>, StoreError>;
    /// Applies all writes or none.
    fn write(&mut self, batch: Batch) -> Result<(), StoreError>;
    /// Writes every batch `produce` hands over, each all or none, in no particular order: no
    /// key is in two of them. A store that can apply one batch while the next is prepared does
    /// so (the sled index, built from an audit's state); by default they are collected, then
    /// written in turn. `produce` is shown the store, to encode bags in its form ([`Kv::bag_bytes`]).
    fn write_unordered(&mut self, produce: &mut Producer<'_, Self>) -> Result<(), StoreError>
    where
        Self: Sized,
    {
        let mut batches = Vec::new();
        produce(self, &mut |batch| {
            batches.push(batch);
            Ok(())
        })?;
        batches.into_iter().try_for_each(|batch| self.write(batch))
    }
    /// Shows `visit` every key with this prefix and its value, in key order, without copying
    /// them: a store can hold a value for each of a million bags.
    fn visit_prefix(&self, prefix: &[u8], visit: &mut Visitor<'_>) -> Result<(), StoreError>;

    /// The stored form of a bag's state: its canonical encoding, unless the store keeps a
    /// smaller form of its own (the audit's, which holds a million bags).
    fn bag_bytes(&self, bag: &BagState) -> Result<Vec<u8>, StoreError> {
        Ok(encoding::encode(bag)?)
    }

    /// A bag's state from what [`Kv::bag_bytes`] stored under `key`.
    fn bag_from(&self, _key: &[u8], bytes: &[u8]) -> Result<BagState, StoreError> {
        Ok(encoding::decode(bytes)?)
    }

    /// Every key with this prefix and its value, in key order.
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError> {
        let mut out = Vec::new();
        self.visit_prefix(prefix, &mut |k, v| {
            out.push((k.to_vec(), v.to_vec()));
            Ok(())
        })?;
        Ok(out)
    }
}

/// Facts fixed by the genesis entry.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LedgerInfo {
    pub ledger_id: LedgerId,
    pub exam: String,
    pub time_zone: String,
    pub ledger_key: [u8; 32],
    /// What the genesis commits to about `person.key` ([`crate::model::roster::person_key_hash`]).
    pub person_key_hash: Hash,
    pub genesis_hash: Hash,
}

/// The last entry seen.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tip {
    /// The sequence number the next entry should carry.
    pub size: u64,
    pub hash: Hash,
    pub recorded_at: Timestamp,
    /// The widest replay window any policy has set; the window never shrinks, so nothing that
    /// could still be replayed is ever forgotten.
    pub window: u64,
}

/// A policy change waiting for its delay to pass.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PendingPolicy {
    /// Entries recorded at or after this time are judged by it.
    pub active_from: Timestamp,
    pub seq: u64,
    pub policy: Policy,
}

/// A keyholder as the roster holds them: the enrolment and, once revoked, where.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct KeyholderRecord {
    pub keyholder: Keyholder,
    pub enrolled_seq: u64,
    pub revoked_seq: Option<u64>,
}

impl KeyholderRecord {
    pub fn active(&self) -> bool {
        self.revoked_seq.is_none()
    }
}

const LEDGER: &[u8] = b"L";
const POLICY: &[u8] = b"P";
const PENDING: &[u8] = b"Q";
const TIP: &[u8] = b"T";
const TREE: &[u8] = b"M";
const KEYHOLDER: u8 = b'k';
const PERSON: u8 = b'p';
const PUBLIC_KEY: u8 = b'K';
const NONCE: u8 = b'n';
const WINDOW: u8 = b'w';

/// `prefix‖len‖name`, the name's length as u32 big-endian: a key under which more may follow
/// the name (an entry, a barcode) without one name being read as the start of another.
pub(crate) fn named_key(prefix: &[u8], name: &str) -> Vec<u8> {
    let len = u32::try_from(name.len()).unwrap_or(u32::MAX);
    let mut k = Vec::with_capacity(prefix.len() + 4 + name.len() + 8);
    k.extend_from_slice(prefix);
    k.extend_from_slice(&len.to_be_bytes());
    k.extend_from_slice(name.as_bytes());
    k
}

fn key(prefix: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + rest.len());
    k.push(prefix);
    k.extend_from_slice(rest);
    k
}

/// The writes that put a keyholder on the roster: the record, and the active holder of their
/// person tag and of their public key.
fn enrol(
    put: &mut impl FnMut(Vec<u8>, Vec<u8>),
    k: &Keyholder,
    seq: u64,
) -> Result<(), StoreError> {
    put(key(PERSON, &k.person_tag), encoding::encode(&k.id)?);
    put(key(PUBLIC_KEY, &k.public_key), encoding::encode(&k.id)?);
    let record = KeyholderRecord {
        keyholder: k.clone(),
        enrolled_seq: seq,
        revoked_seq: None,
    };
    put(key(KEYHOLDER, k.id.as_bytes()), encoding::encode(&record)?);
    Ok(())
}

/// Of the changes waiting, the one in force at `t`: the latest activation time at or before
/// `t`, ties going to the later entry. `None` when none is due by `t`.
fn due_at(pending: &[PendingPolicy], t: Timestamp) -> Option<&PendingPolicy> {
    pending
        .iter()
        .filter(|p| p.active_from <= t)
        .max_by_key(|p| (p.active_from, p.seq))
}

/// What the window remembers of one recent entry.
#[derive(Serialize, Deserialize)]
struct WindowSlot {
    hash: Hash,
    nonce: [u8; 16],
}

/// The derived state over a store.
pub struct State<K: Kv> {
    kv: K,
    /// The genesis facts, the policy and the policy changes waiting, decoded once: every entry
    /// reads them and few change them. A write of their key clears them ([`State::write`]).
    hot: Mutex<Hot>,
}

#[derive(Default)]
struct Hot {
    ledger: Option<Option<LedgerInfo>>,
    policy: Option<Option<Arc<Policy>>>,
    pending: Option<Vec<PendingPolicy>>,
}

impl<K: Kv> State<K> {
    pub fn new(kv: K) -> State<K> {
        State {
            kv,
            hot: Mutex::default(),
        }
    }

    pub fn kv(&self) -> &K {
        &self.kv
    }

    /// Writes a batch that [`super::transition::transition`] began. Every write to the store goes through
    /// here, so that the decoded values kept in `hot` never outlive a change of their key.
    pub fn write(&mut self, batch: Batch) -> Result<(), StoreError> {
        let hot = self.hot.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (k, _) in &batch {
            match k.as_slice() {
                LEDGER => hot.ledger = None,
                POLICY => hot.policy = None,
                PENDING => hot.pending = None,
                _ => {}
            }
        }
        self.kv.write(batch)
    }

    /// [`Kv::write_unordered`] through the state: what `hot` holds is forgotten first.
    pub fn write_unordered(&mut self, produce: &mut Producer<'_, K>) -> Result<(), StoreError> {
        *self.hot.get_mut().unwrap_or_else(PoisonError::into_inner) = Hot::default();
        self.kv.write_unordered(produce)
    }

    /// A value of `hot`, decoded from the store the first time.
    fn hot<T: Clone>(
        &self,
        slot: impl Fn(&mut Hot) -> &mut Option<T>,
        load: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if let Some(v) = slot(&mut self.hot.lock().unwrap_or_else(PoisonError::into_inner)) {
            return Ok(v.clone());
        }
        let v = load()?;
        *slot(&mut self.hot.lock().unwrap_or_else(PoisonError::into_inner)) = Some(v.clone());
        Ok(v)
    }

    pub(crate) fn get<T: Serialize + DeserializeOwned>(
        &self,
        key: &[u8],
    ) -> Result<Option<T>, StoreError> {
        match self.kv.get(key)? {
            Some(bytes) if K::OWN_WRITES => Ok(Some(encoding::decode_own(&bytes)?)),
            Some(bytes) => Ok(Some(encoding::decode(&bytes)?)),
            None => Ok(None),
        }
    }

    /// The genesis facts; `None` before the genesis entry.
    pub fn ledger(&self) -> Result<Option<LedgerInfo>, StoreError> {
        self.hot(|h| &mut h.ledger, || self.get(LEDGER))
    }

    /// The last policy activated; `None` before the genesis entry.
    pub fn policy(&self) -> Result<Option<Arc<Policy>>, StoreError> {
        self.hot(|h| &mut h.policy, || Ok(self.get(POLICY)?.map(Arc::new)))
    }

    /// Policy changes recorded but not yet in force, in the order recorded.
    pub fn pending_policies(&self) -> Result<Vec<PendingPolicy>, StoreError> {
        self.hot(
            |h| &mut h.pending,
            || Ok(self.get(PENDING)?.unwrap_or_default()),
        )
    }

    /// The policy that judges an entry recorded at `t`, and that `policy show` and the audit's
    /// listing report: the change with the latest activation time at or before `t`, ties going
    /// to the later entry; the genesis policy before any. A change takes effect only once the
    /// delay set by the policy in force when it was recorded has passed, so nobody can widen a
    /// window just before using it.
    pub fn policy_at(&self, t: Timestamp) -> Result<Option<Arc<Policy>>, StoreError> {
        let pending = self.pending_policies()?;
        match due_at(&pending, t) {
            Some(p) => Ok(Some(Arc::new(p.policy.clone()))),
            // Every change activated before an earlier entry has been made the policy: none
            // still waiting activates before it (see `transition`).
            None => self.policy(),
        }
    }

    pub fn tip(&self) -> Result<Option<Tip>, StoreError> {
        self.get(TIP)
    }

    /// The RFC 6962 tree over every record so far, as the roots of its perfect subtrees: the
    /// tree size and root of a receipt or checkpoint, in O(log n).
    pub fn tree(&self) -> Result<Accumulator, StoreError> {
        Ok(self.get(TREE)?.unwrap_or_default())
    }

    pub fn keyholder(&self, id: &str) -> Result<Option<KeyholderRecord>, StoreError> {
        self.get(&key(KEYHOLDER, id.as_bytes()))
    }

    /// Every keyholder the roster has known, active or revoked, in id order.
    pub fn keyholders(&self) -> Result<Vec<KeyholderRecord>, StoreError> {
        self.kv
            .scan_prefix(&[KEYHOLDER])?
            .into_iter()
            .map(|(_, v)| encoding::decode(&v).map_err(StoreError::from))
            .collect()
    }

    /// The id of the active keyholder with this person tag.
    pub fn person_holder(&self, tag: &[u8; 32]) -> Result<Option<String>, StoreError> {
        self.get(&key(PERSON, tag))
    }

    /// The id of the active keyholder with this public key.
    pub fn key_holder(&self, public_key: &[u8; 32]) -> Result<Option<String>, StoreError> {
        self.get(&key(PUBLIC_KEY, public_key))
    }

    /// Where this nonce was last used, if within the replay window.
    pub fn nonce_seq(&self, nonce: &[u8; 16]) -> Result<Option<u64>, StoreError> {
        self.get(&key(NONCE, nonce))
    }

    /// The hash of entry `seq`, if within the replay window.
    pub fn recent_hash(&self, seq: u64) -> Result<Option<Hash>, StoreError> {
        Ok(self
            .get::<WindowSlot>(&key(WINDOW, &seq.to_be_bytes()))?
            .map(|slot| slot.hash))
    }

    /// Steps over a record that does not decode, so that the entry after it is judged against
    /// its hash (a chain finding there) rather than against the entry before it.
    pub fn skip_undecodable(&mut self, hash: Hash) -> Result<(), StoreError> {
        let mut tree = self.tree()?;
        tree.push(hash);
        let mut batch = vec![(TREE.to_vec(), Some(encoding::encode(&tree)?))];
        // Even an undecodable first record becomes the tip, so that the entries after it are
        // judged as entries, not as a missing genesis.
        let tip = match self.tip()? {
            Some(mut tip) => {
                tip.size = tip.size.saturating_add(1);
                tip.hash = hash;
                tip
            }
            None => Tip {
                size: 1,
                hash,
                recorded_at: Timestamp(i64::MIN),
                window: 1,
            },
        };
        batch.push((TIP.to_vec(), Some(encoding::encode(&tip)?)));
        self.write(batch)
    }

    /// The writes an entry makes to the roster, the policy and the chain's bookkeeping (tip,
    /// tree, replay window): everything but a custody event's bags, sessions and tallies, which
    /// [`super::transition`] adds.
    pub fn ledger_transition(&self, e: &DecodedEntry) -> Result<Batch, StoreError> {
        let mut batch: Batch = Vec::new();
        let mut put = |k: Vec<u8>, v: Vec<u8>| batch.push((k, Some(v)));
        let seq = e.entry.seq;
        let body = &e.body;

        let in_force = self.policy_at(e.entry.recorded_at)?;
        let mut policy_lag = in_force.as_ref().map(|p| p.max_head_lag);
        let mut pending = self.pending_policies()?;
        // The change in force from this entry on becomes the policy; every change due by now
        // leaves the list, whatever order they were recorded in.
        let mut pending_changed = false;
        if let Some(now) = due_at(&pending, e.entry.recorded_at) {
            put(POLICY.to_vec(), encoding::encode(&now.policy)?);
            pending.retain(|p| p.active_from > e.entry.recorded_at);
            pending_changed = true;
        }
        match &body.event {
            Event::Genesis(g) => {
                let info = LedgerInfo {
                    ledger_id: body.ledger_id,
                    exam: g.exam.clone(),
                    time_zone: g.time_zone.clone(),
                    ledger_key: g.ledger_key,
                    person_key_hash: g.person_key_hash,
                    genesis_hash: e.hash,
                };
                put(LEDGER.to_vec(), encoding::encode(&info)?);
                put(POLICY.to_vec(), encoding::encode(&g.policy)?);
                policy_lag = Some(g.policy.max_head_lag);
                for k in &g.founders {
                    enrol(&mut put, k, seq)?;
                }
            }
            Event::Enroll(k) => enrol(&mut put, k, seq)?,
            // Another role on the same record: the key and person tag stay as they are.
            Event::Grant(g) => {
                if let Some(mut record) = self.keyholder(&g.id)?
                    && record.active()
                    && !record.keyholder.has_role(g.role)
                {
                    record.keyholder.roles.push(g.role);
                    record.keyholder.roles.sort();
                    put(key(KEYHOLDER, g.id.as_bytes()), encoding::encode(&record)?);
                }
            }
            Event::Policy(p) => {
                let delay = in_force
                    .as_ref()
                    .map_or(0, |p| i64::from(p.change_delay_min));
                pending.push(PendingPolicy {
                    active_from: e.entry.recorded_at.plus_seconds(delay * 60),
                    seq,
                    policy: p.clone(),
                });
                policy_lag = policy_lag.max(Some(p.max_head_lag));
                pending_changed = true;
            }
            Event::Revoke(r) => {
                if let Some(mut record) = self.keyholder(&r.id)?
                    && record.active()
                {
                    record.revoked_seq = Some(seq);
                    let tag = record.keyholder.person_tag;
                    if self.person_holder(&tag)?.as_deref() == Some(r.id.as_str()) {
                        batch.push((key(PERSON, &tag), None));
                    }
                    let public = record.keyholder.public_key;
                    if self.key_holder(&public)?.as_deref() == Some(r.id.as_str()) {
                        batch.push((key(PUBLIC_KEY, &public), None));
                    }
                    batch.push((
                        key(KEYHOLDER, r.id.as_bytes()),
                        Some(encoding::encode(&record)?),
                    ));
                }
            }
            _ => {}
        }
        if pending_changed {
            batch.push((PENDING.to_vec(), Some(encoding::encode(&pending)?)));
        }

        let old = self.tip()?;
        let window = old
            .map_or(0, |t| t.window)
            .max(policy_lag.unwrap_or(0))
            .max(1);
        let tip = Tip {
            size: seq.saturating_add(1),
            hash: e.hash,
            recorded_at: e.entry.recorded_at,
            window,
        };
        batch.push((TIP.to_vec(), Some(encoding::encode(&tip)?)));
        let mut tree = self.tree()?;
        tree.push(e.hash);
        batch.push((TREE.to_vec(), Some(encoding::encode(&tree)?)));
        let slot = WindowSlot {
            hash: e.hash,
            nonce: body.nonce,
        };
        batch.push((
            key(WINDOW, &seq.to_be_bytes()),
            Some(encoding::encode(&slot)?),
        ));
        batch.push((key(NONCE, &body.nonce), Some(encoding::encode(&seq)?)));
        // Forget the entry that just left the window, and its nonce unless reused since. A body
        // signed `window` entries back names the head before them, whose hash is one entry
        // further back still: the window keeps `window + 1` hashes.
        if let Some(gone) = seq.checked_sub(window.saturating_add(1)) {
            let gone_key = key(WINDOW, &gone.to_be_bytes());
            if let Some(old_slot) = self.get::<WindowSlot>(&gone_key)? {
                batch.push((gone_key, None));
                if old_slot.nonce != body.nonce && self.nonce_seq(&old_slot.nonce)? == Some(gone) {
                    batch.push((key(NONCE, &old_slot.nonce), None));
                }
            }
        }
        Ok(batch)
    }
}
