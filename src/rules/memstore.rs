//! The audit's store: the state of a ledger in memory (`State<MemKv>`).
//!
//! An audit of a large ledger holds a value for each of a million bags, so the store is made
//! small rather than general: each key and its value share one allocation of exactly their size,
//! and a bag's state is kept in a form of its own instead of its canonical encoding. That form
//! never leaves the process: the sled index, exports and everything hashed or signed keep the
//! canonical encoding (`docs/FORMAT.md`), and [`Kv::bag_from`] gives back the same `BagState`.
//!
//! A bag's form: the kind, the session, site and room as numbers of a table of names this store
//! keeps (the same few hundred names recur in every bag of a room), the seal, the count, where it
//! is (its place's names numbered too), the entry that collected it, the latest entries that named
//! it as differences and the number of chunks of earlier ones, when it was opened, the time of its last event, the entry that put it where it
//! is, and its escorts (their ids numbered too). The barcode is not repeated: it is the rest of the key
//! the state keeps the bag under. Integers are LEB128 varints, signed ones zigzag-encoded first.

use crate::format::time::Timestamp;
use crate::model::bag::{BagKind, BagSpec, BagState, Destination, Place};
use crate::rules::custody::{is_bag_key, is_cabinet_key};
use crate::rules::state::{Batch, Kv, State, StoreError, Visitor};
use std::borrow::{Borrow, Cow};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::ops::Bound;
use std::sync::{Mutex, PoisonError};

/// The audit's store: memory only.
#[derive(Default, Debug)]
pub struct MemKv {
    pairs: HashSet<Pair>,
    /// The keys that say which cabinet a bag is in (`custody::is_cabinet_key`), in order: asked
    /// for by prefix, one cabinet at a time. Their values are empty.
    ordered: BTreeSet<Box<[u8]>>,
    names: Mutex<Names>,
}

/// A key and its value: the key's length (4 bytes, little-endian), the key, the value. It is
/// hashed and compared as its key, so the set finds it by key.
#[derive(Debug)]
struct Pair(Box<[u8]>);

impl Pair {
    fn new(key: &[u8], value: &[u8]) -> Pair {
        let len = u32::try_from(key.len()).expect("a key of less than 4 GiB");
        let mut bytes = Vec::with_capacity(4 + key.len() + value.len());
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(key);
        bytes.extend_from_slice(value);
        Pair(bytes.into_boxed_slice())
    }

    fn split(&self) -> (&[u8], &[u8]) {
        let (len, rest) = self.0.split_at(4);
        let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
        rest.split_at(len)
    }

    fn key(&self) -> &[u8] {
        self.split().0
    }
}

impl Borrow<[u8]> for Pair {
    fn borrow(&self) -> &[u8] {
        self.key()
    }
}

impl Hash for Pair {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialEq for Pair {
    fn eq(&self, other: &Pair) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Pair {}

impl Kv for MemKv {
    const OWN_WRITES: bool = true;
    const NEAREST_BARCODES: bool = false;

    fn get(&self, key: &[u8]) -> Result<Option<Cow<'_, [u8]>>, StoreError> {
        if is_cabinet_key(key) {
            return Ok(self.ordered.contains(key).then_some(Cow::Borrowed(&[])));
        }
        Ok(self.pairs.get(key).map(|p| Cow::Borrowed(p.split().1)))
    }

    fn write(&mut self, batch: Batch) -> Result<(), StoreError> {
        for (k, v) in batch {
            match v {
                Some(v) if is_cabinet_key(&k) => {
                    debug_assert!(v.is_empty(), "a cabinet key's value is empty");
                    self.ordered.insert(k.into_boxed_slice());
                }
                None if is_cabinet_key(&k) => {
                    self.ordered.remove(k.as_slice());
                }
                Some(v) => {
                    self.pairs.replace(Pair::new(&k, &v));
                }
                None => {
                    self.pairs.remove(k.as_slice());
                }
            }
        }
        Ok(())
    }

    fn visit_prefix(&self, prefix: &[u8], visit: &mut Visitor<'_>) -> Result<(), StoreError> {
        let ordered = self
            .ordered
            .range::<[u8], _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(|k| k.starts_with(prefix));
        if !prefix.is_empty() && is_cabinet_key(prefix) {
            return ordered.into_iter().try_for_each(|k| visit(k, &[]));
        }
        // References to the pairs only (8 bytes each): the end of an audit visits a million
        // bags.
        let mut found: Vec<&Pair> = self
            .pairs
            .iter()
            .filter(|p| p.key().starts_with(prefix))
            .collect();
        found.sort_unstable_by(|a, b| a.key().cmp(b.key()));
        // The ordered keys, already in order, merged in (every key, for an index built from
        // this state); other prefixes have none of them.
        let mut ordered = ordered.filter(|_| prefix.is_empty()).peekable();
        for p in found {
            let (k, v) = p.split();
            while let Some(o) = ordered.next_if(|o| o[..] < *k) {
                visit(o, &[])?;
            }
            visit(k, v)?;
        }
        ordered.try_for_each(|o| visit(o, &[]))
    }

    fn bag_bytes(&self, bag: &BagState) -> Result<Vec<u8>, StoreError> {
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(encode_bag(&mut names, bag))
    }

    fn bag_from(&self, key: &[u8], bytes: &[u8]) -> Result<BagState, StoreError> {
        let names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        decode_bag(&names, key, bytes).ok_or_else(|| {
            StoreError::Backend(format!(
                "the audit's store holds a bag it cannot read under key {}",
                String::from_utf8_lossy(key)
            ))
        })
    }
}

/// The names bags share (sessions, sites, rooms, cabinets), numbered in the order first seen.
#[derive(Default, Debug)]
struct Names {
    numbers: HashMap<Box<str>, u64>,
    names: Vec<Box<str>>,
}

impl Names {
    fn number(&mut self, name: &str) -> u64 {
        if let Some(n) = self.numbers.get(name) {
            return *n;
        }
        let n = self.names.len() as u64;
        self.names.push(name.into());
        self.numbers.insert(name.into(), n);
        n
    }

    fn name(&self, n: u64) -> Option<String> {
        let n = usize::try_from(n).ok()?;
        self.names.get(n).map(|s| s.to_string())
    }
}

fn put_uint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_int(out: &mut Vec<u8>, n: i64) {
    put_uint(out, ((n << 1) ^ (n >> 63)) as u64);
}

fn put_text(out: &mut Vec<u8>, s: &str) {
    put_uint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn encode_bag(names: &mut Names, bag: &BagState) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    let spec = &bag.spec;
    let kind = BagKind::ALL.iter().position(|k| *k == spec.kind);
    out.push(kind.expect("a kind of BagKind::ALL") as u8);
    for name in [&spec.session, &spec.site, &spec.room] {
        let n = names.number(name);
        put_uint(&mut out, n);
    }
    put_text(&mut out, &spec.seal);
    put_uint(&mut out, u64::from(spec.count));
    match &bag.place {
        Place::Room => out.push(0),
        Place::Cabinet(c) => {
            out.push(1);
            put_uint(&mut out, names.number(c));
        }
        Place::Transit { to, since, seq } => {
            out.push(2);
            match to {
                Destination::Room => out.push(0),
                Destination::Site(s) => {
                    out.push(1);
                    put_uint(&mut out, names.number(s));
                }
            }
            put_int(&mut out, since.0);
            put_uint(&mut out, *seq);
        }
        Place::Site(s) => {
            out.push(3);
            put_uint(&mut out, names.number(s));
        }
        Place::Opened { site, room } => {
            out.push(4);
            put_uint(&mut out, names.number(site));
            put_uint(&mut out, names.number(room));
        }
        Place::Released(to) => {
            out.push(5);
            put_uint(&mut out, names.number(to));
        }
    }
    put_uint(&mut out, bag.collected_seq);
    put_uint(&mut out, bag.history.len() as u64);
    let mut previous = 0u64;
    for &seq in &bag.history {
        put_int(&mut out, seq.wrapping_sub(previous) as i64);
        previous = seq;
    }
    put_uint(&mut out, u64::from(bag.history_chunks));
    match bag.opened {
        None => out.push(0),
        Some((seq, at)) => {
            out.push(1);
            put_uint(&mut out, seq);
            put_int(&mut out, at.0);
        }
    }
    put_int(&mut out, bag.last_at.0);
    put_uint(&mut out, bag.placed_seq);
    put_uint(&mut out, bag.escorts.len() as u64);
    for escort in &bag.escorts {
        put_uint(&mut out, names.number(escort));
    }
    out
}

/// Reads what [`encode_bag`] wrote; `None` if it did not.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn uint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn int(&mut self) -> Option<i64> {
        let n = self.uint()?;
        Some((n >> 1) as i64 ^ -((n & 1) as i64))
    }

    fn text(&mut self) -> Option<String> {
        let len = usize::try_from(self.uint()?).ok()?;
        if len > self.0.len() {
            return None;
        }
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8(text.to_vec()).ok()
    }

    fn name(&mut self, names: &Names) -> Option<String> {
        names.name(self.uint()?)
    }
}

fn decode_bag(names: &Names, key: &[u8], bytes: &[u8]) -> Option<BagState> {
    let mut r = Reader(bytes);
    let id = String::from_utf8(key.get(1..)?.to_vec()).ok()?;
    let kind = *BagKind::ALL.get(usize::from(r.byte()?))?;
    let session = r.name(names)?;
    let site = r.name(names)?;
    let room = r.name(names)?;
    let seal = r.text()?;
    let count = u32::try_from(r.uint()?).ok()?;
    let place = match r.byte()? {
        0 => Place::Room,
        1 => Place::Cabinet(r.name(names)?),
        2 => {
            let to = match r.byte()? {
                0 => Destination::Room,
                1 => Destination::Site(r.name(names)?),
                _ => return None,
            };
            Place::Transit {
                to,
                since: Timestamp(r.int()?),
                seq: r.uint()?,
            }
        }
        3 => Place::Site(r.name(names)?),
        4 => Place::Opened {
            site: r.name(names)?,
            room: r.name(names)?,
        },
        5 => Place::Released(r.name(names)?),
        _ => return None,
    };
    let collected_seq = r.uint()?;
    let len = usize::try_from(r.uint()?).ok()?;
    if len > r.0.len() {
        return None;
    }
    let mut history = Vec::with_capacity(len);
    let mut previous = 0u64;
    for _ in 0..len {
        previous = previous.wrapping_add(r.int()? as u64);
        history.push(previous);
    }
    let history_chunks = u32::try_from(r.uint()?).ok()?;
    let opened = match r.byte()? {
        0 => None,
        1 => Some((r.uint()?, Timestamp(r.int()?))),
        _ => return None,
    };
    let last_at = Timestamp(r.int()?);
    let placed_seq = r.uint()?;
    let len = usize::try_from(r.uint()?).ok()?;
    if len > r.0.len() {
        return None;
    }
    let escorts = (0..len)
        .map(|_| r.name(names))
        .collect::<Option<Vec<String>>>()?;
    if !r.0.is_empty() {
        return None;
    }
    Some(BagState {
        spec: BagSpec {
            id,
            kind,
            session,
            site,
            room,
            seal,
            count,
        },
        place,
        collected_seq,
        history,
        history_chunks,
        opened,
        last_at,
        placed_seq,
        escorts,
    })
}

/// Writes in one batch of `State::copy_into`: large, as a store on disk writes a batch faster
/// per key than one entry's few keys, and small enough to hold in memory.
const COPY_BATCH: usize = 16_384;

impl State<MemKv> {
    /// Writes this whole state into `to`'s store, in batches (applied while the next is made,
    /// [`Kv::write_unordered`]), each bag in the form that store keeps; then `last`, so that a
    /// store left with only some of the batches (a crash) lacks it. For an index built from an audit's state: the
    /// store then holds exactly what applying the same entries to it one by one would.
    pub(crate) fn copy_into<K: Kv>(
        &self,
        to: &mut State<K>,
        last: Batch,
    ) -> Result<(), StoreError> {
        to.write_unordered(&mut |to, write| {
            let mut batch: Batch = Vec::with_capacity(COPY_BATCH);
            self.kv().visit_prefix(&[], &mut |k, v| {
                let value = if is_bag_key(k) {
                    to.bag_bytes(&self.kv().bag_from(k, v)?)?
                } else {
                    v.to_vec()
                };
                batch.push((k.to_vec(), Some(value)));
                if batch.len() == COPY_BATCH {
                    write(std::mem::replace(
                        &mut batch,
                        Vec::with_capacity(COPY_BATCH),
                    ))?;
                }
                Ok(())
            })?;
            write(batch)
        })?;
        to.write(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn place() -> impl Strategy<Value = Place> {
        prop_oneof![
            Just(Place::Room),
            ".*".prop_map(Place::Cabinet),
            (proptest::option::of(".*"), any::<i64>(), any::<u64>()).prop_map(
                |(to, since, seq)| {
                    Place::Transit {
                        to: to.map_or(Destination::Room, Destination::Site),
                        since: Timestamp(since),
                        seq,
                    }
                }
            ),
            ".*".prop_map(Place::Site),
            (".*", ".*").prop_map(|(site, room)| Place::Opened { site, room }),
            ".*".prop_map(Place::Released),
        ]
    }

    fn bag() -> impl Strategy<Value = BagState> {
        (
            (
                ".*",
                0..4usize,
                "[a-c]{0,2}",
                "[a-c]{0,2}",
                ".*",
                ".*",
                any::<u32>(),
            ),
            place(),
            any::<u64>(),
            (proptest::collection::vec(any::<u64>(), 0..12), any::<u32>()),
            proptest::option::of((any::<u64>(), any::<i64>())),
            (
                any::<i64>(),
                any::<u64>(),
                proptest::collection::vec("[d-f]{0,2}", 0..3),
            ),
        )
            .prop_map(
                |(
                    (id, kind, session, site, room, seal, count),
                    place,
                    collected,
                    (history, history_chunks),
                    opened,
                    (last_at, placed_seq, escorts),
                )| {
                    BagState {
                        spec: BagSpec {
                            id,
                            kind: BagKind::ALL[kind],
                            session,
                            site,
                            room,
                            seal,
                            count,
                        },
                        place,
                        collected_seq: collected,
                        history,
                        history_chunks,
                        opened: opened.map(|(seq, at)| (seq, Timestamp(at))),
                        last_at: Timestamp(last_at),
                        placed_seq,
                        escorts,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn a_bag_comes_back_as_it_was_stored(mut bags in proptest::collection::vec(bag(), 1..6)) {
            let mut kv = MemKv::default();
            for (i, b) in bags.iter_mut().enumerate() {
                b.spec.id = format!("{i}{}", b.spec.id);
            }
            let keys: Vec<Vec<u8>> = bags
                .iter()
                .map(|b| [b"b".as_slice(), b.spec.id.as_bytes()].concat())
                .collect();
            let batch = keys
                .iter()
                .zip(&bags)
                .map(|(k, b)| Ok((k.clone(), Some(kv.bag_bytes(b)?))))
                .collect::<Result<Batch, StoreError>>()
                .unwrap();
            kv.write(batch).unwrap();
            for (k, b) in keys.iter().zip(&bags) {
                let bytes = kv.get(k).unwrap().unwrap();
                prop_assert_eq!(&kv.bag_from(k, &bytes).unwrap(), b);
            }
        }
    }

    /// The cabinet keys live in an ordered set of their own; a visit of every key (an index
    /// built from the audit's state) still sees them, in key order among the others.
    #[test]
    fn cabinet_keys_are_visited_in_order_with_the_rest() {
        let mut kv = MemKv::default();
        let keys: [&[u8]; 5] = [b"i\0\0\0\x02A1QP-2", b"b", b"i\0\0\0\x02A1QP-1", b"s", b"j"];
        let batch = keys
            .iter()
            .map(|k| (k.to_vec(), Some(Vec::new())))
            .collect();
        kv.write(batch).unwrap();
        let mut seen = Vec::new();
        kv.visit_prefix(&[], &mut |k, _| {
            seen.push(k.to_vec());
            Ok(())
        })
        .unwrap();
        let mut sorted: Vec<Vec<u8>> = keys.iter().map(|k| k.to_vec()).collect();
        sorted.sort();
        assert_eq!(seen, sorted);
        let mut cabinet = Vec::new();
        kv.visit_prefix(b"i\0\0\0\x02A1", &mut |k, _| {
            cabinet.push(k.to_vec());
            Ok(())
        })
        .unwrap();
        assert_eq!(cabinet, [keys[2].to_vec(), keys[0].to_vec()]);
        kv.write(vec![(keys[2].to_vec(), None)]).unwrap();
        assert!(kv.get(keys[2]).unwrap().is_none());
        assert!(kv.get(keys[0]).unwrap().is_some());
    }

    #[test]
    fn a_damaged_bag_is_an_error_not_a_panic() {
        let mut kv = MemKv::default();
        let bag = BagState {
            spec: BagSpec {
                id: "QP-1".into(),
                kind: BagKind::QuestionPapers,
                session: "s1".into(),
                site: "site".into(),
                room: "r1".into(),
                seal: "S1".into(),
                count: 30,
            },
            place: Place::Room,
            collected_seq: 4,
            history: vec![4, 9],
            history_chunks: 2,
            opened: None,
            last_at: Timestamp(1_700_000_000_000),
            placed_seq: 9,
            escorts: vec!["e1".into()],
        };
        let bytes = kv.bag_bytes(&bag).unwrap();
        kv.write(vec![(b"bQP-1".to_vec(), Some(bytes.clone()))])
            .unwrap();
        assert_eq!(kv.bag_from(b"bQP-1", &bytes).unwrap(), bag);
        for cut in 0..bytes.len() {
            assert!(
                kv.bag_from(b"bQP-1", &bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(kv.bag_from(b"bQP-1", &longer).is_err());
    }
}
