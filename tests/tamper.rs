//! The tamper matrix: a clean ledger is built by hand through the library, each kind of
//! tampering is applied to a copy, and the audit must report exactly the expected findings,
//! as a sorted multiset of (code, sequence number), and nothing else. The clean ledger has none.
//!
//! Every case is audited twice:
//! - **alone**: the journal file and nothing else (`custody verify`);
//! - **armed**: with `--trust` (the clean genesis hash) and a checkpoint of the clean ledger
//!   signed by its ledger key, held by the auditor (`custody verify --trust H --checkpoint F`).
//!
//! One flipped bit in every field of every entry: the record is laid out field by field from
//! its bytes ([`layout`]), bits of each field are flipped ([`bits`]), and [`expect`] derives the
//! findings from the field and the new value, one rule per field. Every other kind of tampering
//! is one [`Case`]. Flips that once came out wrong are kept apart: [`expect`] marks them with
//! the bug they showed, the flip tests leave them out, and a regression test named after each
//! bug runs exactly those.
//!
//! `cargo test --test tamper -- --nocapture print_the_matrix` prints the matrix (tampering kind
//! against finding codes) as Markdown, for `docs/RELIABILITY.md`.

use custody::audit::verify::{self as audit, Options};
use custody::bag::{BagKind, BagObs, BagSpec};
use custody::entry::{Body, CoSignature, Entry, Hash, Head, LedgerId, leaf_hash};
use custody::event::{Cabinet, Collect, Event, Genesis, Inspect, Revocation, Schedule};
use custody::evidence::{Evidence, Named};
use custody::finding::Code;
use custody::journal::{HEADER_LEN, frame, header};
use custody::merkle;
use custody::note::{self, Checkpoint};
use custody::policy::Policy;
use custody::roster::{Keyholder, Role};
use custody::signing::sign_body;
use custody::time::Timestamp;
use ed25519_dalek::SigningKey;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// The clean ledger

const ID: LedgerId = [0x7a; 16];
const ZONE: &str = "Asia/Shanghai";
const T0: i64 = 1_780_000_000_000;
const MINUTE: i64 = 60_000;
/// The one session: starts 47 h after the ledger, so the collect (6 min in) is within the
/// 48-hour holding limit, and scheduling it again (a duplicated entry) is still more than the
/// 24-hour change delay before its start: not late.
const START: i64 = T0 + 47 * 60 * MINUTE;
const END: i64 = START + 2 * 60 * MINUTE;
const LEDGER_SEED: u8 = 200;
/// Entries in the clean ledger; the held checkpoint is of all of them.
const N: u64 = 9;
const LAST: u64 = N - 1;
const BAG: &str = "QP-0001";
const SEAL: &str = "SEAL-1001";
/// Each clean entry's signers, in order. Roster: founders a1..a3 (admin); c1 custodian
/// (entry 1), s1 supervisor (2), e1 escort (3), e1 revoked (4).
const SIGNERS: [&[&str]; N as usize] = [
    &["a1", "a2", "a3"],
    &["a1", "a2"],
    &["a2", "a3"],
    &["a3", "a1"],
    &["a1", "a2"],
    &["a2", "a3"],
    &["c1", "s1"],
    &["c1", "s1"],
    &["s1", "c1"],
];
/// A harmless ASCII text of each clean event (an exam name, a display name, a reason, a
/// subject, an upstream party, a cabinet), where a flipped bit changes only the signed bytes;
/// for the inspect, the observed seal.
const TEXT: [&str; N as usize] = [
    "tamper matrix exam",
    "Keyholder c1",
    "Keyholder s1",
    "Keyholder e1",
    "reassigned to another county",
    "Chinese language",
    "provincial exam authority",
    "cabinet A1",
    SEAL,
];

fn seed(id: &str) -> u8 {
    match id {
        "a1" => 1,
        "a2" => 2,
        "a3" => 3,
        "c1" => 11,
        "s1" => 12,
        "e1" => 13,
        "c2" => 21,
        "x1" => 50,
        _ => panic!("no key for {id}"),
    }
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn event_time(k: u64) -> i64 {
    T0 + k as i64 * MINUTE
}

fn recorded_at(k: u64) -> i64 {
    event_time(k) + MINUTE / 2
}

/// A keyholder whose key and person tag follow from `seed(id) + shift` (a forger's cast has
/// other keys under the same ids).
fn holder(id: &str, role: Role, shift: u8) -> Keyholder {
    let s = seed(id) + shift;
    Keyholder {
        id: id.into(),
        name: format!("Keyholder {id}"),
        roles: vec![role],
        public_key: key(s).verifying_key().to_bytes(),
        person_tag: [s; 32],
        valid_from: None,
        valid_until: None,
        key_kind: None,
    }
}

/// One entry to build: the event, who the body names, and the co-signatures written (the id
/// written in the entry and the seed of the key that signs).
#[derive(Clone)]
struct Spec {
    event: Event,
    named: Vec<String>,
    sigs: Vec<(String, u8)>,
    event_time: i64,
    recorded_at: i64,
    nonce: [u8; 16],
}

impl Spec {
    fn new(k: u64, event: Event, signers: &[&str], shift: u8) -> Spec {
        Spec {
            event,
            named: signers.iter().map(|s| s.to_string()).collect(),
            sigs: signers
                .iter()
                .map(|s| (s.to_string(), seed(s) + shift))
                .collect(),
            event_time: event_time(k),
            recorded_at: recorded_at(k),
            nonce: [0x11 * (k as u8 + 1); 16],
        }
    }
}

fn obs() -> Vec<BagObs> {
    vec![BagObs {
        id: BAG.into(),
        seal: Some(SEAL.into()),
        count: Some(30),
    }]
}

/// The clean ledger's entries; `shift` moves every keyholder's key (not the ledger key), for a
/// forger who re-signs a whole chain with founders of their own.
fn clean_specs(shift: u8) -> Vec<Spec> {
    let events = vec![
        Event::Genesis(Genesis {
            exam: TEXT[0].into(),
            time_zone: ZONE.into(),
            ledger_key: key(LEDGER_SEED).verifying_key().to_bytes(),
            person_key_hash: [0x77; 32],
            founders: ["a1", "a2", "a3"]
                .iter()
                .map(|id| holder(id, Role::Admin, shift))
                .collect(),
            policy: Policy::default(),
        }),
        Event::Enroll(holder("c1", Role::Custodian, shift)),
        Event::Enroll(holder("s1", Role::Supervisor, shift)),
        Event::Enroll(holder("e1", Role::Escort, shift)),
        Event::Revoke(Revocation {
            id: "e1".into(),
            reason: TEXT[4].into(),
        }),
        Event::Schedule(Schedule {
            session: "yuwen".into(),
            subject: TEXT[5].into(),
            start: Timestamp(START),
            end: Timestamp(END),
            incident: None,
        }),
        Event::Collect(Collect {
            bags: vec![BagSpec {
                id: BAG.into(),
                kind: BagKind::QuestionPapers,
                session: "yuwen".into(),
                site: "First Middle School".into(),
                room: "Room 01".into(),
                seal: SEAL.into(),
                count: 30,
            }],
            from: TEXT[6].into(),
            incident: None,
        }),
        Event::Store(Cabinet {
            bags: obs(),
            cabinet: TEXT[7].into(),
            incident: None,
        }),
        Event::Inspect(Inspect {
            bags: obs(),
            incident: None,
            cabinet: None,
        }),
    ];
    events
        .into_iter()
        .enumerate()
        .map(|(k, e)| Spec::new(k as u64, e, SIGNERS[k], shift))
        .collect()
}

/// A journal as entries and their framed records.
#[derive(Clone, Default)]
struct Built {
    entries: Vec<Entry>,
    frames: Vec<Vec<u8>>,
    leaves: Vec<Hash>,
}

impl Built {
    /// Chains and signs the specs: each body names the head before it, each entry its hash.
    fn chain(specs: &[Spec]) -> Built {
        let mut b = Built::default();
        for s in specs {
            b.push_spec(s);
        }
        b
    }

    fn tip(&self) -> Hash {
        self.leaves.last().copied().unwrap_or([0; 32])
    }

    fn push_spec(&mut self, s: &Spec) {
        let k = self.entries.len() as u64;
        let body = Body {
            ledger_id: ID,
            head: Head {
                size: k,
                hash: self.tip(),
            },
            event_time: Timestamp(s.event_time),
            nonce: s.nonce,
            signers: s.named.clone(),
            event: s.event.clone(),
        }
        .encode()
        .unwrap();
        let entry = Entry {
            seq: k,
            prev_hash: self.tip(),
            recorded_at: Timestamp(s.recorded_at),
            signatures: s
                .sigs
                .iter()
                .map(|(id, seed)| CoSignature {
                    signer: id.clone(),
                    signature: sign_body(&key(*seed), &body),
                })
                .collect(),
            body,
        };
        self.push_entry(entry);
    }

    fn push_entry(&mut self, entry: Entry) {
        let bytes = entry.encode().unwrap();
        self.push_raw(entry, bytes);
    }

    /// Appends an entry given as its (possibly non-canonical) bytes.
    fn push_raw(&mut self, entry: Entry, bytes: Vec<u8>) {
        self.leaves.push(leaf_hash(&bytes));
        self.frames.push(frame(&bytes).unwrap());
        self.entries.push(entry);
    }

    fn journal(&self) -> Vec<u8> {
        let mut out = header(&ID).to_vec();
        for f in &self.frames {
            out.extend_from_slice(f);
        }
        out
    }

    /// The journal of these records, in this order (by index into `frames`).
    fn journal_of(&self, order: &[usize]) -> Vec<u8> {
        let mut out = header(&ID).to_vec();
        for &i in order {
            out.extend_from_slice(&self.frames[i]);
        }
        out
    }
}

struct Clean {
    built: Built,
    journal: Vec<u8>,
    checkpoint: String,
}

fn clean() -> &'static Clean {
    static CLEAN: OnceLock<Clean> = OnceLock::new();
    CLEAN.get_or_init(|| {
        let built = Built::chain(&clean_specs(0));
        let origin = note::origin(&ID);
        let text = Checkpoint {
            origin: origin.clone(),
            size: N,
            root: merkle::root(&built.leaves),
            extensions: vec![],
        }
        .text();
        let checkpoint = note::sign(&text, &[(&origin, &key(LEDGER_SEED))]).unwrap();
        Clean {
            journal: built.journal(),
            built,
            checkpoint,
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Auditing

type Found = Vec<(Code, u64)>;

/// Audits journals from one temporary file.
struct Auditor {
    _dir: tempfile::TempDir,
    path: PathBuf,
    armed: Options,
}

impl Auditor {
    fn new() -> Auditor {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let c = clean();
        let armed = Options {
            trust: vec![c.built.leaves[0]],
            evidence: Evidence {
                checkpoints: vec![Named {
                    label: "held checkpoint".into(),
                    text: c.checkpoint.clone(),
                }],
                proofs: vec![],
            },
            progress: None,
        };
        Auditor {
            _dir: dir,
            path,
            armed,
        }
    }

    /// The findings as a sorted multiset of (code, seq).
    fn audit(&self, journal: &[u8], armed: bool) -> Found {
        std::fs::write(&self.path, journal).unwrap();
        let options = if armed {
            self.armed.clone()
        } else {
            Options::default()
        };
        let report = audit::verify_with(&self.path, &options).unwrap();
        sorted(report.findings.iter().map(|f| (f.code, f.seq)).collect())
    }
}

fn sorted(mut v: Found) -> Found {
    v.sort();
    v
}

fn show(found: &[(Code, u64)]) -> String {
    if found.is_empty() {
        return "none".into();
    }
    found
        .iter()
        .map(|(c, s)| format!("{c}@{s}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The codes of a finding set, each once, for the printed matrix.
fn codes(found: &[(Code, u64)]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for (c, s) in found {
        let item = format!("`{c}`@{s}");
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    if seen.is_empty() {
        "none".into()
    } else {
        seen.join(", ")
    }
}

#[test]
fn the_clean_ledger_has_no_findings() {
    let a = Auditor::new();
    let c = clean();
    assert_eq!(a.audit(&c.journal, false), vec![]);
    assert_eq!(a.audit(&c.journal, true), vec![]);
    let report = audit::verify_with(&a.path, &a.armed).unwrap();
    assert_eq!(report.entries, N);
    assert_eq!(report.genesis_trusted, Some(true));
    assert!(report.checkpoints.iter().all(|c| c.consistent));
    assert!(report.notices.is_empty());
}

// ---------------------------------------------------------------------------------------------
// One flipped bit in every field of every entry

/// The fields of a record, as `docs/FORMAT.md` lays them out: the framing, the entry, the body
/// inside it and the co-signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Field {
    FrameLen,
    Seq,
    PrevHash,
    RecordedAt,
    BodyLen,
    LedgerId,
    HeadSize,
    HeadHash,
    EventTime,
    Nonce,
    SignerCount,
    SignerLen(usize),
    SignerName(usize),
    EventVariant,
    EventText,
    SigCount,
    CosignerLen(usize),
    CosignerId(usize),
    Signature(usize),
    FrameTrailer,
}

impl Field {
    fn name(self) -> String {
        match self {
            Field::FrameLen => "record length (leading u32)".into(),
            Field::Seq => "`seq` varint".into(),
            Field::PrevHash => "`prev_hash`".into(),
            Field::RecordedAt => "`recorded_at` (zigzag varint)".into(),
            Field::BodyLen => "body length varint".into(),
            Field::LedgerId => "body `ledger_id`".into(),
            Field::HeadSize => "body head size".into(),
            Field::HeadHash => "body head hash".into(),
            Field::EventTime => "body `event_time`".into(),
            Field::Nonce => "body `nonce`".into(),
            Field::SignerCount => "body signer count".into(),
            Field::SignerLen(_) => "body signer id length".into(),
            Field::SignerName(_) => "body signer id bytes".into(),
            Field::EventVariant => "event variant index".into(),
            Field::EventText => "event bytes (a text field)".into(),
            Field::SigCount => "co-signature count".into(),
            Field::CosignerLen(_) => "co-signer id length".into(),
            Field::CosignerId(_) => "co-signer id bytes".into(),
            Field::Signature(_) => "signature (R and S)".into(),
            Field::FrameTrailer => "record length (trailing u32)".into(),
        }
    }

    /// The same field whatever the signer slot, for grouping.
    fn kind(self) -> Field {
        match self {
            Field::SignerLen(_) => Field::SignerLen(0),
            Field::SignerName(_) => Field::SignerName(0),
            Field::CosignerLen(_) => Field::CosignerLen(0),
            Field::CosignerId(_) => Field::CosignerId(0),
            Field::Signature(_) => Field::Signature(0),
            f => f,
        }
    }
}

/// How many bytes a varint takes, from its first byte.
fn varint_len(first: u8) -> usize {
    match first {
        0..=250 => 1,
        251 => 3,
        252 => 5,
        253 => 9,
        254 => 17,
        255 => panic!("not a varint"),
    }
}

/// The value of the varint at the start of `b`, if it still has the form (`len` bytes) it had
/// before the flip and that form is the shortest for its value; `None` when it does not, and
/// the entry then no longer decodes canonically.
fn varint_value(b: &[u8], len: usize) -> Option<u64> {
    let v = match (b[0], len) {
        (0..=250, 1) => u64::from(b[0]),
        (251, 3) => u64::from(u16::from_le_bytes([b[1], b[2]])),
        (252, 5) => u64::from(u32::from_le_bytes(b[1..5].try_into().unwrap())),
        (253, 9) => u64::from_le_bytes(b[1..9].try_into().unwrap()),
        _ => return None,
    };
    let shortest = match v {
        0..=250 => 1,
        251..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    };
    (shortest == len).then_some(v)
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// One record of the clean journal and where each of its fields lies (absolute offsets).
struct Record {
    k: u64,
    start: usize,
    fields: Vec<(Field, Range<usize>)>,
}

/// Walks a record's bytes, naming each field.
struct Cursor<'a> {
    journal: &'a [u8],
    at: usize,
    fields: Vec<(Field, Range<usize>)>,
}

impl Cursor<'_> {
    /// The next `n` bytes are `field`.
    fn take(&mut self, field: Field, n: usize) -> Range<usize> {
        let r = self.at..self.at + n;
        self.fields.push((field, r.clone()));
        self.at += n;
        r
    }

    /// The next varint is `field`; returns its value.
    fn varint(&mut self, field: Field) -> usize {
        let r = self.take(field, varint_len(self.journal[self.at]));
        varint_value(&self.journal[r.clone()], r.len()).unwrap() as usize
    }
}

/// Lays out the clean journal's records by reading the bytes (not through the library's
/// decoder, which is under test).
fn layout(journal: &[u8]) -> Vec<Record> {
    let mut out = Vec::new();
    let mut pos = HEADER_LEN as usize;
    while pos < journal.len() {
        let k = out.len() as u64;
        let mut c = Cursor {
            journal,
            at: pos,
            fields: Vec::new(),
        };
        let r = c.take(Field::FrameLen, 4);
        let len = u32::from_le_bytes(journal[r].try_into().unwrap()) as usize;
        c.varint(Field::Seq);
        c.take(Field::PrevHash, 32);
        c.varint(Field::RecordedAt);
        let body_len = c.varint(Field::BodyLen);
        let body_end = c.at + body_len;
        c.take(Field::LedgerId, 16);
        c.varint(Field::HeadSize);
        c.take(Field::HeadHash, 32);
        c.varint(Field::EventTime);
        c.take(Field::Nonce, 16);
        let signers = c.varint(Field::SignerCount);
        for j in 0..signers {
            let n = c.varint(Field::SignerLen(j));
            c.take(Field::SignerName(j), n);
        }
        let event = c.at..body_end;
        c.fields.push((Field::EventVariant, c.at..c.at + 1));
        let text = TEXT[k as usize].as_bytes();
        let found = journal[event.clone()]
            .windows(text.len())
            .position(|w| w == text)
            .expect("the event's text")
            + event.start
            + 2;
        c.fields.push((Field::EventText, found..found + 1));
        c.at = body_end;
        let sigs = c.varint(Field::SigCount);
        for j in 0..sigs {
            let n = c.varint(Field::CosignerLen(j));
            c.take(Field::CosignerId(j), n);
            c.take(Field::Signature(j), 64);
        }
        assert_eq!(c.at, pos + 4 + len, "record {k} laid out to its end");
        c.take(Field::FrameTrailer, 4);
        out.push(Record {
            k,
            start: pos,
            fields: c.fields,
        });
        pos += len + 8;
    }
    assert_eq!(out.len() as u64, N);
    out
}

/// One flipped bit.
#[derive(Clone, Debug)]
struct Flip {
    k: u64,
    field: Field,
    /// The field's bytes in the journal.
    range: Range<usize>,
    record_start: usize,
    byte: usize,
    bit: u8,
}

/// Which bits of a field to flip: every bit of one-byte fields and of the ids' characters;
/// for the lengths, the times and the varints, every bit of the first byte (the form of a
/// varint, the low byte of a length) and two bits of each other byte; a few bits spread over
/// the large fields (hashes, ids, nonces, signatures), whose bytes all play the same part.
fn bits(field: Field, range: &Range<usize>) -> Vec<(usize, u8)> {
    let s = range.start;
    let last = range.end - 1;
    match field {
        Field::PrevHash | Field::LedgerId | Field::HeadHash | Field::Nonce => {
            vec![(s, 0), (s + 7, 3), (last, 7)]
        }
        // R's first and last bytes, S's first and last: bit 7 of S's last byte makes S
        // non-canonical (at least L).
        Field::Signature(_) => vec![(s, 0), (s + 31, 6), (s + 32, 2), (last, 7)],
        // A low bit (another letter) and the high bit (not UTF-8).
        Field::EventText => vec![(s, 0), (s, 7)],
        // Counts and lengths of ids: 2 or 3 → 3, 0, 6, 130; 2 → 3, 0, 6, 130.
        Field::SignerCount | Field::SigCount | Field::SignerLen(_) | Field::CosignerLen(_) => {
            [0, 1, 2, 7].map(|b| (s, b)).to_vec()
        }
        _ => {
            let mut out: Vec<(usize, u8)> = (0..8).map(|b| (s, b)).collect();
            for (i, byte) in range.clone().enumerate().skip(1) {
                let i = i as u8;
                out.push((byte, i % 8));
                out.push((byte, (i + 4) % 8));
            }
            out
        }
    }
}

fn flips() -> Vec<Flip> {
    let c = clean();
    let mut out = Vec::new();
    for rec in layout(&c.journal) {
        for (field, range) in &rec.fields {
            for (byte, bit) in bits(*field, range) {
                out.push(Flip {
                    k: rec.k,
                    field: *field,
                    range: range.clone(),
                    record_start: rec.start,
                    byte,
                    bit,
                });
            }
        }
    }
    out
}

/// A keyholder's standing just before entry `k` of the clean ledger (for `k >= 1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    Unknown,
    Revoked,
    Active(Role),
}

fn standing(id: &str, k: u64) -> Standing {
    match id {
        "a1" | "a2" | "a3" if k >= 1 => Standing::Active(Role::Admin),
        "c1" if k >= 2 => Standing::Active(Role::Custodian),
        "s1" if k >= 3 => Standing::Active(Role::Supervisor),
        "e1" if k == 4 => Standing::Active(Role::Escort),
        "e1" if k >= 5 => Standing::Revoked,
        _ => Standing::Unknown,
    }
}

/// The one co-signer role set of entry `k`'s kind under the default policy.
fn role_set(k: u64) -> [Role; 2] {
    match k {
        1..=5 => [Role::Admin, Role::Admin],
        _ => [Role::Custodian, Role::Supervisor],
    }
}

fn fills(roles: &[Role], k: u64) -> bool {
    let mut left: Vec<Role> = roles.to_vec();
    role_set(k)
        .iter()
        .all(|r| match left.iter().position(|x| x == r) {
            Some(i) => {
                left.remove(i);
                true
            }
            None => false,
        })
}

/// What the audit should make of one flip.
#[derive(Clone, Debug)]
struct Expect {
    /// The findings of the journal alone.
    alone: Found,
    /// Complete records the audit reads (fewer than `N` when the framing breaks).
    read: u64,
    /// Whether the genesis still decodes (the checkpoint's key comes from it).
    genesis: bool,
    /// The sequence number the genesis carries (another one when its `seq` was flipped): the
    /// `GENESIS_UNTRUSTED` finding names it.
    genesis_seq: u64,
    /// The record no longer decodes: `ENCODING`, and what depends on it.
    undecodable: bool,
    /// Set for the flips of a bug that was fixed: its regression test runs them.
    bug: Option<&'static str>,
}

const TAIL_BUG: &str = "a record length flipped to run past the end of the file makes every \
                        later acknowledged entry an 'unacknowledged tail': a notice, no finding";

const GENESIS_BUG: &str = "an undecodable genesis is not stepped over: entry 1 is judged as \
                           the first entry (SEQUENCE@1, GENESIS_MISSING@1, its signers never \
                           looked up), and --trust reports nothing (GENESIS_UNTRUSTED missing)";

const LEDGER_BUG: &str = "a flipped ledger id in the genesis body, whose signatures then fail, \
                          is believed over the journal header: JOURNAL_HEADER@0, LEDGER_ID at \
                          every later entry, and the held checkpoint CHECKPOINT_INVALID";

impl Expect {
    fn found(alone: Found) -> Expect {
        Expect {
            alone: sorted(alone),
            read: N,
            genesis: true,
            genesis_seq: 0,
            undecodable: false,
            bug: None,
        }
    }

    /// With `--trust` and the held checkpoint of all `N` clean entries: a changed record 0, if
    /// it was read at all, is not the trusted genesis (`GENESIS_UNTRUSTED`, at the sequence
    /// number it carries); the checkpoint is judged against the records read: fewer than it
    /// signed → `TRUNCATED`, as many with another root → `FORKED`, and with no genesis to take
    /// the ledger key from → `CHECKPOINT_UNTRUSTED`. All at the checkpoint's last entry.
    fn armed(&self, k: u64) -> Found {
        let mut f = self.alone.clone();
        if k == 0 && self.read > 0 {
            f.push((Code::GenesisUntrusted, self.genesis_seq));
        }
        f.push(if !self.genesis {
            (Code::CheckpointUntrusted, LAST)
        } else if self.read < N {
            (Code::Truncated, LAST)
        } else {
            (Code::Forked, LAST)
        });
        sorted(f)
    }
}

/// `CHAIN` at the entry after `k`, whose previous-hash no longer matches: every flip changes
/// record `k`'s hash.
fn next(k: u64, f: &mut Found) {
    if k < LAST {
        f.push((Code::Chain, k + 1));
    }
}

/// A `SIGNATURE` finding per co-signer of entry `k`: they all signed the body bytes.
fn all_signatures(k: u64, f: &mut Found) {
    for _ in SIGNERS[k as usize] {
        f.push((Code::Signature, k));
    }
}

/// What the later entries of the clean ledger lose when entry `k`'s event is not applied (its
/// record does not decode): a keyholder it enrolled is not on the roster when they sign
/// (SIGNER_UNKNOWN, and their role set is not filled: ROLE_MISSING), a session it scheduled or
/// a bag it collected does not exist. The audit cannot vouch for what depends on an unreadable
/// entry, so these are facts, not noise.
fn lost(k: u64, f: &mut Found) {
    let mut unknown = |who: &[&str], entries: Range<u64>| {
        for j in entries {
            let missing = SIGNERS[j as usize]
                .iter()
                .filter(|s| who.contains(s))
                .count();
            for _ in 0..missing {
                f.push((Code::SignerUnknown, j));
            }
            if missing > 0 {
                f.push((Code::RoleMissing, j));
            }
        }
    };
    match k {
        // The founders.
        0 => unknown(&["a1", "a2", "a3"], 1..N),
        // c1, s1: every custody event is theirs.
        1 => unknown(&["c1"], 2..N),
        2 => unknown(&["s1"], 3..N),
        // e1 is then not active when entry 4 revokes them.
        3 => f.push((Code::RevokeUnknown, 4)),
        // The session: the collect names a session that is not scheduled.
        5 => f.push((Code::SessionUnknown, 6)),
        // The bag: stored and inspected without having been collected.
        6 => {
            f.push((Code::BagNotCollected, 7));
            f.push((Code::BagNotCollected, 8));
        }
        // A revocation of someone who never signs again, a store before an inspect (which may
        // as well be in the room): nothing depends on them.
        _ => {}
    }
}

/// The record no longer decodes canonically: `ENCODING` where it was expected; the audit
/// steps over it, so the next entry's previous-hash does not match.
fn encoding(k: u64) -> Expect {
    let mut f = vec![(Code::Encoding, k)];
    next(k, &mut f);
    lost(k, &mut f);
    let mut e = Expect::found(f);
    e.undecodable = true;
    if k == 0 {
        // Without a genesis there is no ledger key to check the checkpoint with.
        e.genesis = false;
        e.bug = Some(GENESIS_BUG);
    }
    e
}

/// The framing breaks at record `k`: `FRAMING` there, nothing after it is read (and with no
/// record at all, no genesis).
fn framing(k: u64) -> Expect {
    let mut f = vec![(Code::Framing, k)];
    if k == 0 {
        f.push((Code::GenesisMissing, 0));
    }
    Expect {
        alone: sorted(f),
        read: k,
        genesis: k > 0,
        genesis_seq: 0,
        undecodable: false,
        bug: None,
    }
}

fn expect(flip: &Flip, journal: &[u8]) -> Expect {
    let k = flip.k;
    let bytes = &journal[flip.range.clone()];
    let len = flip.range.len();
    let mut f: Found = Vec::new();
    match flip.field {
        // The leading length: a length over the limit, or one whose trailer does not repeat it,
        // is damage; one that runs past the end of the file reads as a crash's tail. Only the
        // last record can be a tail: every record before it was acknowledged, so for them the
        // right answer is still FRAMING.
        Field::FrameLen => {
            let n = u32::from_le_bytes(bytes.try_into().unwrap()) as usize;
            let past_end = flip.record_start + 8 + n > journal.len();
            if n == 0 || n > 1 << 20 || !past_end {
                return framing(k);
            }
            if k == LAST {
                return Expect {
                    alone: vec![],
                    read: k,
                    genesis: true,
                    genesis_seq: 0,
                    undecodable: false,
                    bug: None,
                };
            }
            let mut e = framing(k);
            e.bug = Some(TAIL_BUG);
            return e;
        }
        // A trailer that does not repeat the length: damage, nothing after it is read.
        Field::FrameTrailer => return framing(k),
        // Another sequence number: SEQUENCE there (the finding carries the number written),
        // and the audit continues from it, so the next entry is out of sequence too (and its
        // previous-hash fails). A number below the head the signers saw is a head "after the
        // entry": HEAD_UNKNOWN. The genesis names the empty head, so only the sequence breaks;
        // armed, its GENESIS_UNTRUSTED carries the new number too.
        Field::Seq => {
            let Some(s) = varint_value(bytes, len) else {
                return encoding(k);
            };
            f.push((Code::Sequence, s));
            if k > 0 && s < k {
                f.push((Code::HeadUnknown, s));
            }
            if k < LAST {
                f.push((Code::Sequence, k + 1));
            }
            next(k, &mut f);
            let mut e = Expect::found(f);
            e.genesis_seq = s;
            return e;
        }
        // The previous-hash is unsigned: CHAIN here, CHAIN at the next entry.
        Field::PrevHash => f.push((Code::Chain, k)),
        // The recorded time is unsigned: only what the new time breaks, against its
        // neighbours (CLOCK_BACKWARDS here or at the next entry) and against the signed event
        // time (FUTURE_EVENT beyond the 5-minute tolerance, LATE_RECORD beyond 24 h,
        // INSPECTION_OVERDUE at the end beyond 12 h).
        Field::RecordedAt => {
            let Some(v) = varint_value(bytes, len) else {
                return encoding(k);
            };
            let t = unzigzag(v);
            if k > 0 && t < recorded_at(k - 1) {
                f.push((Code::ClockBackwards, k));
            }
            if k < LAST && recorded_at(k + 1) < t {
                f.push((Code::ClockBackwards, k + 1));
            }
            if event_time(k) > t.saturating_add(300_000) {
                f.push((Code::FutureEvent, k));
            }
            if t.saturating_sub(event_time(k)) > 24 * 60 * MINUTE {
                f.push((Code::LateRecord, k));
            }
            // The last recorded time is the audit's "now": the bag, in its cabinet since the
            // inspection at the last entry, is then overdue for one after 12 h.
            if k == LAST && t.saturating_sub(event_time(k)) > 12 * 60 * MINUTE {
                f.push((Code::InspectionOverdue, k));
            }
        }
        // Any other body length: the entry no longer decodes (a length past the end, or
        // trailing bytes).
        Field::BodyLen => return encoding(k),
        // Every body field is signed: each co-signature fails, plus what the new value breaks.
        // Here the body names another ledger than the header (LEDGER_ID). In the genesis, too:
        // its signatures fail, so the header is the better witness of the ledger's id.
        Field::LedgerId => {
            all_signatures(k, &mut f);
            f.push((Code::LedgerId, k));
            if k == 0 {
                next(k, &mut f);
                let mut e = Expect::found(f);
                e.bug = Some(LEDGER_BUG);
                return e;
            }
        }
        // A head the ledger never had at that size (or one after the entry): HEAD_UNKNOWN.
        Field::HeadSize => {
            if varint_value(bytes, len).is_none() {
                return encoding(k);
            }
            all_signatures(k, &mut f);
            f.push((Code::HeadUnknown, k));
        }
        Field::HeadHash => {
            all_signatures(k, &mut f);
            f.push((Code::HeadUnknown, k));
        }
        // The event time against the recorded time (FUTURE_EVENT, LATE_RECORD), for the
        // collect against its session (HELD_TOO_LONG beyond 48 h before the start), and against
        // the bag's events before and after it (OUT_OF_ORDER).
        Field::EventTime => {
            let Some(v) = varint_value(bytes, len) else {
                return encoding(k);
            };
            let t = unzigzag(v);
            all_signatures(k, &mut f);
            if t > recorded_at(k).saturating_add(300_000) {
                f.push((Code::FutureEvent, k));
            }
            if recorded_at(k).saturating_sub(t) > 24 * 60 * MINUTE {
                f.push((Code::LateRecord, k));
            }
            if k == 6 && START.saturating_sub(t) > 48 * 60 * MINUTE {
                f.push((Code::HeldTooLong, k));
            }
            // Entries 6 to 8 handle the bag in turn: each is dated at or after the one before.
            if (7..=8).contains(&k) && t < event_time(k - 1) {
                f.push((Code::OutOfOrder, k));
            }
            if (6..=7).contains(&k) && event_time(k + 1) < t {
                f.push((Code::OutOfOrder, k + 1));
            }
            // The last entry inspects the bag in its cabinet: dated more than 12 h before the
            // audit's "now" (the last recorded time), the bag is overdue for another.
            if k == LAST && recorded_at(k).saturating_sub(t) > 12 * 60 * MINUTE {
                f.push((Code::InspectionOverdue, k));
            }
        }
        // A fresh random value either way: only the signatures.
        Field::Nonce => all_signatures(k, &mut f),
        // Counts and lengths: the body (or the entry) no longer decodes.
        Field::SignerCount | Field::SignerLen(_) | Field::SigCount | Field::CosignerLen(_) => {
            return encoding(k);
        }
        // Another variant index reads the fields as another event's, which almost never
        // decodes. The store's fields (bags, a name, an incident) are also those of a withdraw
        // (7) and of a release (14): the withdraw is from a cabinet the bag is not in
        // (WRONG_PLACE); the release needs an admin (ROLE_MISSING), and the bag is then
        // inspected after its release (AFTER_RELEASE at the next entry).
        Field::EventVariant => match (k, bytes[0]) {
            (7, 7) => {
                all_signatures(k, &mut f);
                f.push((Code::WrongPlace, k));
            }
            (7, 14) => {
                all_signatures(k, &mut f);
                f.push((Code::RoleMissing, k));
                f.push((Code::AfterRelease, k + 1));
            }
            // An inspection's fields (bags, no incident, no cabinet) read as an arrival's (10):
            // bags, an empty site, no incident. The empty site is EVENT_INVALID, the custodian
            // and supervisor are not a chief examiner and an escort (ROLE_MISSING), and the bag
            // is in its cabinet, not on the road (WRONG_PLACE).
            (8, 10) => {
                all_signatures(k, &mut f);
                f.push((Code::RoleMissing, k));
                f.push((Code::EventInvalid, k));
                f.push((Code::WrongPlace, k));
            }
            // The revocation's two texts are also a void's (22): a void of "session" e1, which
            // is not scheduled.
            (4, 22) => {
                all_signatures(k, &mut f);
                f.push((Code::SessionUnknown, k));
            }
            _ => return encoding(k),
        },
        // A named signer changed: the signatures fail, they no longer match the names
        // (SIGNERS_MISMATCH), a name now given twice is SIGNER_TWICE (and TOO_FEW_SIGNERS below
        // two distinct), and a genesis not named by exactly its founders is GENESIS_INVALID.
        Field::SignerName(j) => {
            let Ok(new) = std::str::from_utf8(bytes) else {
                return encoding(k);
            };
            all_signatures(k, &mut f);
            f.push((Code::SignersMismatch, k));
            let mut named: Vec<&str> = SIGNERS[k as usize].to_vec();
            named[j] = new;
            let mut seen: Vec<&str> = Vec::new();
            for id in &named {
                if seen.contains(id) {
                    f.push((Code::SignerTwice, k));
                } else {
                    seen.push(id);
                }
            }
            if seen.len() < 2 {
                f.push((Code::TooFewSigners, k));
            }
            if k == 0 {
                f.push((Code::GenesisInvalid, 0));
            }
        }
        // A low bit of an ASCII letter: another valid text, so only the signatures fail (and
        // for the inspect, whose text is the observed seal, SEAL_MISMATCH); the high bit makes
        // it invalid UTF-8.
        Field::EventText => {
            if flip.bit == 7 {
                return encoding(k);
            }
            all_signatures(k, &mut f);
            if k == 8 {
                f.push((Code::SealMismatch, k));
            }
        }
        // The co-signer id is unsigned; the audit looks the new id up: not on the roster (or
        // not a founder) → SIGNER_UNKNOWN, revoked → SIGNER_REVOKED, another keyholder → that
        // key does not verify the signature (SIGNATURE), and as two slots for one keyholder,
        // SAME_PERSON. The names no longer match the body (SIGNERS_MISMATCH), and the signers
        // left may no longer fill the role set (ROLE_MISSING).
        Field::CosignerId(j) => {
            let Ok(new) = std::str::from_utf8(bytes) else {
                return encoding(k);
            };
            f.push((Code::SignersMismatch, k));
            let mut ids: Vec<&str> = SIGNERS[k as usize].to_vec();
            ids[j] = new;
            if k == 0 {
                if ["a1", "a2", "a3"].contains(&new) {
                    f.push((Code::Signature, 0));
                    f.push((Code::SamePerson, 0));
                } else {
                    f.push((Code::SignerUnknown, 0));
                }
            } else {
                let mut kept: Vec<(&str, Role)> = Vec::new();
                for (i, id) in ids.iter().enumerate() {
                    match standing(id, k) {
                        Standing::Unknown => f.push((Code::SignerUnknown, k)),
                        Standing::Revoked => f.push((Code::SignerRevoked, k)),
                        Standing::Active(role) => {
                            if i == j {
                                f.push((Code::Signature, k));
                            }
                            kept.push((id, role));
                        }
                    }
                }
                let people: std::collections::BTreeSet<&str> =
                    kept.iter().map(|(id, _)| *id).collect();
                if people.len() < kept.len() {
                    f.push((Code::SamePerson, k));
                }
                let roles: Vec<Role> = kept.iter().map(|(_, r)| *r).collect();
                if !fills(&roles, k) {
                    f.push((Code::RoleMissing, k));
                }
            }
        }
        // One signature no longer verifies; the entry hash changed.
        Field::Signature(_) => f.push((Code::Signature, k)),
    }
    next(k, &mut f);
    Expect::found(f)
}

/// Applies a flip to a copy of the clean journal.
fn flipped(flip: &Flip) -> Vec<u8> {
    let mut j = clean().journal.clone();
    j[flip.byte] ^= 1 << flip.bit;
    j
}

/// A short name of an outcome: its codes, each once, in order.
fn class(found: &[(Code, u64)]) -> String {
    let mut codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    codes.sort();
    codes.dedup();
    if codes.is_empty() {
        "(none)".into()
    } else {
        codes.join(" + ")
    }
}

/// Runs the flips of records `records`, each audited alone and armed; panics listing every
/// flip whose findings differ from the expectation. Flips of a fixed bug are left to its
/// regression test: `bug` selects the flips of one bug instead.
fn run_flips(records: Range<u64>, bug: Option<&str>) {
    let a = Auditor::new();
    let mut wrong = Vec::new();
    let mut ran = 0;
    for flip in flips().into_iter().filter(|f| records.contains(&f.k)) {
        let journal = flipped(&flip);
        let want = expect(&flip, &journal);
        if want.bug != bug {
            continue;
        }
        ran += 1;
        assert!(
            !want.alone.is_empty() || flip.k == LAST,
            "a flip before the last entry is expected to be found"
        );
        for armed in [false, true] {
            let got = a.audit(&journal, armed);
            let want = if armed {
                want.armed(flip.k)
            } else {
                want.alone.clone()
            };
            if got != want {
                wrong.push(format!(
                    "record {} {:?} byte {} bit {} ({}): got [{}], want [{}]",
                    flip.k,
                    flip.field,
                    flip.byte - flip.range.start,
                    flip.bit,
                    if armed { "armed" } else { "alone" },
                    show(&got),
                    show(&want)
                ));
            }
        }
    }
    assert!(ran > 0);
    println!("records {records:?}: {ran} flips, each audited alone and armed");
    assert!(
        wrong.is_empty(),
        "{} audits of {ran} flips came out otherwise than expected:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn one_flipped_bit_in_every_field_of_the_genesis() {
    run_flips(0..1, None);
}

#[test]
fn one_flipped_bit_in_every_field_of_the_roster_entries() {
    run_flips(1..5, None);
}

#[test]
fn one_flipped_bit_in_every_field_of_the_custody_entries() {
    run_flips(5..N, None);
}

#[test]
fn a_record_length_flipped_past_the_end_is_damage_not_a_tail() {
    run_flips(0..N, Some(TAIL_BUG));
}

#[test]
fn an_undecodable_genesis_is_stepped_over() {
    run_flips(0..1, Some(GENESIS_BUG));
}

#[test]
fn a_forged_ledger_id_in_the_genesis_is_not_believed() {
    run_flips(0..1, Some(LEDGER_BUG));
}

// ---------------------------------------------------------------------------------------------
// Every other kind of tampering

/// One kind of tampering: the journal it leaves and the findings expected of it, alone and
/// armed (with `--trust` and the held checkpoint of the clean ledger).
struct Case {
    kind: &'static str,
    journal: Vec<u8>,
    alone: Found,
    armed: Found,
}

impl Case {
    /// Armed, the held checkpoint adds `extra` (its finding at the checkpoint's last entry).
    fn new(kind: &'static str, journal: Vec<u8>, alone: Found, extra: &[(Code, u64)]) -> Case {
        let armed = sorted([alone.clone(), extra.to_vec()].concat());
        Case {
            kind,
            journal,
            alone: sorted(alone),
            armed,
        }
    }
}

fn check(case: Case) {
    let a = Auditor::new();
    for (armed, want) in [(false, &case.alone), (true, &case.armed)] {
        let got = a.audit(&case.journal, armed);
        assert_eq!(
            &got,
            want,
            "{} ({}): got [{}], want [{}]",
            case.kind,
            if armed { "armed" } else { "alone" },
            show(&got),
            show(want)
        );
    }
}

/// The clean ledger with its specs changed by `edit`, chained and signed again from the start:
/// a rewrite by someone holding the keys the specs name.
fn rewritten(edit: impl FnOnce(&mut Vec<Spec>)) -> Built {
    let mut specs = clean_specs(0);
    edit(&mut specs);
    Built::chain(&specs)
}

/// Every record but entry 4 (the revocation of e1, who never signs again, so nothing else
/// depends on it): entry 5 is out of sequence and its previous-hash names the missing entry.
/// The ledger is one entry shorter than the checkpoint: TRUNCATED.
fn deleted_entry() -> Case {
    let order = [0, 1, 2, 3, 5, 6, 7, 8];
    Case::new(
        "deleted entry (4 of 0..8)",
        clean().built.journal_of(&order),
        vec![(Code::Sequence, 5), (Code::Chain, 5)],
        &[(Code::Truncated, LAST)],
    )
}

/// Entry 5 (a schedule) twice in a row: the copy is out of sequence, follows an entry that is
/// not its predecessor, and its nonce was used since the head it names (REPLAY). The entry
/// after it chains to the copy, whose bytes are the original's, so it is clean. The first nine
/// records are no longer the checkpoint's: FORKED.
fn duplicated_entry() -> Case {
    let order = [0, 1, 2, 3, 4, 5, 5, 6, 7, 8];
    Case::new(
        "duplicated entry (5)",
        clean().built.journal_of(&order),
        vec![(Code::Sequence, 5), (Code::Chain, 5), (Code::Replay, 5)],
        &[(Code::Forked, LAST)],
    )
}

/// Entries 1 and 2 (two independent enrolments) swapped: each of the three entries after the
/// genesis follows an entry that is not its predecessor (CHAIN) and is out of the sequence the
/// audit continues from (SEQUENCE): 2 after 0, 1 after 2, 3 after 1; and 1 was recorded before
/// 2 (CLOCK_BACKWARDS).
fn swapped_entries() -> Case {
    let order = [0, 2, 1, 3, 4, 5, 6, 7, 8];
    Case::new(
        "swapped entries (1 and 2)",
        clean().built.journal_of(&order),
        vec![
            (Code::Sequence, 2),
            (Code::Chain, 2),
            (Code::Sequence, 1),
            (Code::Chain, 1),
            (Code::ClockBackwards, 1),
            (Code::Sequence, 3),
            (Code::Chain, 3),
        ],
        &[(Code::Forked, LAST)],
    )
}

/// The collect (6) named and signed by c1 and x1, whose key was never enrolled, the rest of the
/// ledger chained again: x1 is not on the roster, so c1 alone is left to fill custodian +
/// supervisor (ROLE_MISSING).
fn resigned_by_an_unknown_key() -> Case {
    let built = rewritten(|s| {
        s[6].named = vec!["c1".into(), "x1".into()];
        s[6].sigs = vec![("c1".into(), seed("c1")), ("x1".into(), seed("x1"))];
    });
    Case::new(
        "entry re-signed by a key not on the roster",
        built.journal(),
        vec![(Code::SignerUnknown, 6), (Code::RoleMissing, 6)],
        &[(Code::Forked, LAST)],
    )
}

/// The collect (6) named and signed by c1 and e1, revoked at entry 4, with e1's real key: e1
/// counts for nothing, so the role set is not filled either.
fn resigned_by_a_revoked_key() -> Case {
    let built = rewritten(|s| {
        s[6].named = vec!["c1".into(), "e1".into()];
        s[6].sigs = vec![("c1".into(), seed("c1")), ("e1".into(), seed("e1"))];
    });
    Case::new(
        "entry re-signed by a revoked key",
        built.journal(),
        vec![(Code::SignerRevoked, 6), (Code::RoleMissing, 6)],
        &[(Code::Forked, LAST)],
    )
}

/// The same, with e1 as a third co-signer beside c1 and s1: only SIGNER_REVOKED.
fn cosigned_by_a_revoked_key() -> Case {
    let built = rewritten(|s| {
        s[6].named = vec!["c1".into(), "s1".into(), "e1".into()];
        s[6].sigs.push(("e1".into(), seed("e1")));
    });
    Case::new(
        "revoked key added as a third co-signer",
        built.journal(),
        vec![(Code::SignerRevoked, 6)],
        &[(Code::Forked, LAST)],
    )
}

/// s1's slot of the collect (6) holds a1's signature over the same body: a1 is enrolled, but
/// the slot is s1's, whose key does not verify it.
fn swapped_cosigner() -> Case {
    let built = rewritten(|s| s[6].sigs[1].1 = seed("a1"));
    Case::new(
        "swapped co-signer (a1's signature in s1's slot)",
        built.journal(),
        vec![(Code::Signature, 6)],
        &[(Code::Forked, LAST)],
    )
}

/// The two co-signatures of the collect (6) in the other order than the body names them: the
/// order is not signed, so the next entry's previous-hash fails too.
fn reordered_cosignatures() -> Case {
    let mut built = clean().built.clone();
    let mut entry = built.entries[6].clone();
    entry.signatures.swap(0, 1);
    let bytes = entry.encode().unwrap();
    built.frames[6] = frame(&bytes).unwrap();
    Case::new(
        "co-signatures reordered",
        built.journal(),
        vec![(Code::SignersMismatch, 6), (Code::Chain, 7)],
        &[(Code::Forked, LAST)],
    )
}

/// A tenth entry enrols c2, another custodian key, with c1's person tag while c1 is active.
/// The checkpoint's nine entries are untouched.
fn same_person_twice() -> Case {
    let mut built = clean().built.clone();
    let mut c2 = holder("c2", Role::Custodian, 0);
    c2.person_tag = holder("c1", Role::Custodian, 0).person_tag;
    built.push_spec(&Spec::new(N, Event::Enroll(c2), &["a1", "a2"], 0));
    Case::new(
        "same person enrolled twice under two ids",
        built.journal(),
        vec![(Code::PersonDuplicate, N)],
        &[],
    )
}

/// Entry 8's body and co-signatures appended again as entry 9, chained and recorded properly:
/// the head it names (8) is recent, but its nonce was used at entry 8, after that head.
fn replayed_event() -> Case {
    let mut built = clean().built.clone();
    let original = built.entries[8].clone();
    let replay = Entry {
        seq: N,
        prev_hash: built.tip(),
        recorded_at: Timestamp(recorded_at(N)),
        ..original
    };
    built.push_entry(replay);
    Case::new(
        "replayed signed event (8 appended again as 9)",
        built.journal(),
        vec![(Code::Replay, N)],
        &[],
    )
}

/// The whole ledger signed again by founders with other keys (and everyone else re-keyed
/// likewise), keeping the ledger's public checkpoint key: a valid ledger on its own, but not
/// the genesis the auditor trusts, and not the tree the checkpoint signed.
fn forged_genesis() -> Case {
    Case::new(
        "forged genesis (whole chain re-signed by other founders)",
        Built::chain(&clean_specs(100)).journal(),
        vec![],
        &[(Code::GenesisUntrusted, 0), (Code::Forked, LAST)],
    )
}

/// The last two entries cut off: consistent on its own; shorter than the checkpoint.
fn truncated_tail() -> Case {
    Case::new(
        "truncated tail (7 and 8 cut)",
        clean().built.journal_of(&[0, 1, 2, 3, 4, 5, 6]),
        vec![],
        &[(Code::Truncated, LAST)],
    )
}

/// The same size with another valid last entry (an inspect with another nonce and time): the
/// checkpoint's root differs.
fn forked_ledger() -> Case {
    let built = rewritten(|s| {
        s[8].nonce = [0xee; 16];
        s[8].event_time += 10_000;
    });
    Case::new(
        "forked ledger (another valid last entry)",
        built.journal(),
        vec![],
        &[(Code::Forked, LAST)],
    )
}

/// Entry 4 (the revocation, on which nothing depends) with its `seq` written `fb 04 00`
/// instead of `04`, the record length fixed up: a lenient decoder reads the same values, the
/// strict one refuses it, and the entry hash (over the bytes) is not the one entry 5 chains to.
fn non_canonical_entry() -> Case {
    let mut built = clean().built.clone();
    let canonical = built.entries[4].encode().unwrap();
    assert_eq!(canonical[0], 4);
    let long = [&[0xfb, 4, 0][..], &canonical[1..]].concat();
    let (lenient, _): (Entry, usize) =
        bincode::serde::decode_from_slice(&long, bincode::config::standard()).unwrap();
    assert_eq!(
        lenient, built.entries[4],
        "the long form decodes to the same values"
    );
    built.frames[4] = frame(&long).unwrap();
    Case::new(
        "non-canonical re-encoding of an entry (`seq` varint in long form)",
        built.journal(),
        vec![(Code::Encoding, 4), (Code::Chain, 5)],
        &[(Code::Forked, LAST)],
    )
}

/// Entry 4's body with its head size written `fb 04 00`, signed again by its signers over
/// those bytes and carried in a canonical entry: the body still must decode canonically.
fn non_canonical_body() -> Case {
    let mut built = clean().built.clone();
    let mut entry = built.entries[4].clone();
    let at = 16; // after the ledger id: the head size
    assert_eq!(entry.body[at], 4);
    let body = [&entry.body[..at], &[0xfb, 4, 0][..], &entry.body[at + 1..]].concat();
    let (lenient, _): (Body, usize) =
        bincode::serde::decode_from_slice(&body, bincode::config::standard()).unwrap();
    assert_eq!(lenient, Body::decode(&entry.body).unwrap());
    for (sig, id) in entry.signatures.iter_mut().zip(SIGNERS[4]) {
        sig.signature = sign_body(&key(seed(id)), &body);
    }
    entry.body = body;
    built.frames[4] = frame(&entry.encode().unwrap()).unwrap();
    Case::new(
        "non-canonical re-encoding of a body, re-signed (head size in long form)",
        built.journal(),
        vec![(Code::Encoding, 4), (Code::Chain, 5)],
        &[(Code::Forked, LAST)],
    )
}

/// Another ledger id in the journal header: the genesis names the ledger, so the header is
/// reported once and the records are judged against the genesis's id (the checkpoint too).
fn header_ledger_id() -> Case {
    let mut journal = clean().journal.clone();
    journal[12] ^= 1;
    Case::new(
        "journal header: ledger id changed",
        journal,
        vec![(Code::JournalHeader, 0)],
        &[],
    )
}

/// A flipped bit in the magic or the version: not a journal this version reads; nothing
/// else can be judged.
fn header_magic() -> Case {
    let mut journal = clean().journal.clone();
    journal[0] ^= 1;
    let case = Case::new(
        "journal header: magic or version changed",
        journal,
        vec![(Code::JournalHeader, 0)],
        &[],
    );
    let mut version = clean().journal.clone();
    version[8] ^= 2;
    check(Case::new("version", version, case.alone.clone(), &[]));
    case
}

const CASES: &[fn() -> Case] = &[
    deleted_entry,
    duplicated_entry,
    swapped_entries,
    resigned_by_an_unknown_key,
    resigned_by_a_revoked_key,
    cosigned_by_a_revoked_key,
    swapped_cosigner,
    reordered_cosignatures,
    same_person_twice,
    replayed_event,
    forged_genesis,
    truncated_tail,
    forked_ledger,
    non_canonical_entry,
    non_canonical_body,
    header_ledger_id,
    header_magic,
];

#[test]
fn a_deleted_entry() {
    check(deleted_entry());
}

#[test]
fn a_duplicated_entry() {
    check(duplicated_entry());
}

#[test]
fn swapped_entries_are_found() {
    check(swapped_entries());
}

#[test]
fn an_entry_re_signed_by_a_key_not_on_the_roster() {
    check(resigned_by_an_unknown_key());
}

#[test]
fn an_entry_re_signed_by_a_revoked_key() {
    check(resigned_by_a_revoked_key());
    check(cosigned_by_a_revoked_key());
}

#[test]
fn a_swapped_co_signer() {
    check(swapped_cosigner());
    check(reordered_cosignatures());
}

#[test]
fn the_same_person_enrolled_twice() {
    check(same_person_twice());
}

#[test]
fn a_replayed_signed_event() {
    check(replayed_event());
}

#[test]
fn a_forged_genesis_under_trust() {
    check(forged_genesis());
}

#[test]
fn a_truncated_tail_against_a_held_checkpoint() {
    check(truncated_tail());
}

#[test]
fn a_forked_ledger_against_a_held_checkpoint() {
    check(forked_ledger());
}

#[test]
fn a_non_canonical_re_encoding() {
    check(non_canonical_entry());
    check(non_canonical_body());
}

#[test]
fn a_changed_journal_header() {
    check(header_ledger_id());
    check(header_magic());
}

// ---------------------------------------------------------------------------------------------
// The matrix

/// Where a finding lies relative to the flipped record `k`.
fn relative(field: Field, code: Code, k: u64, seq: u64) -> String {
    match seq {
        0 if matches!(code, Code::GenesisMissing | Code::GenesisInvalid) => "0".into(),
        s if s == k => "k".into(),
        s if s == k + 1 => "k+1".into(),
        _ if field == Field::Seq => "k′".into(),
        s if s > k => "later".into(),
        _ => "earlier".into(),
    }
}

/// Prints the tampering matrix as Markdown (run with `--nocapture`), checking every kind as it
/// goes; the flip rows come from the expectation the flip tests assert.
#[test]
fn print_the_matrix() {
    let mut md = String::new();
    let w = &mut md;
    writeln!(
        w,
        "| Tampering | Journal alone | With `--trust` and the held checkpoint |"
    )
    .unwrap();
    writeln!(w, "|---|---|---|").unwrap();
    for case in CASES {
        let case = case();
        let row = (case.kind, codes(&case.alone), codes(&case.armed));
        check(case);
        writeln!(w, "| {} | {} | {} |", row.0, row.1, row.2).unwrap();
    }
    writeln!(w).unwrap();

    // One flipped bit: per field, every finding any of its flips gives (at the flipped entry
    // k, the next one, a later one, or at the sequence number k′ it then carries), and how
    // many flips it took.
    /// One field's row: its flips, the findings they give (ranked by where), bug marks.
    #[derive(Default)]
    struct Row {
        flips: usize,
        items: Vec<(u8, String)>,
    }
    let mut per_field: BTreeMap<Field, Row> = BTreeMap::new();
    let mut per_class: BTreeMap<String, usize> = BTreeMap::new();
    let (mut total, mut bugs, mut silent) = (0, 0, 0);
    for flip in flips() {
        let want = expect(&flip, &flipped(&flip));
        total += 1;
        bugs += usize::from(want.bug.is_some());
        silent += usize::from(want.alone.is_empty());
        *per_class.entry(class(&want.alone)).or_default() += 1;
        let row = per_field.entry(flip.field.kind()).or_default();
        row.flips += 1;
        let mut found: Vec<(u8, String)> = Vec::new();
        if want.undecodable {
            found.push((4, "undecodable¹".into()));
        } else {
            for (code, seq) in &want.alone {
                let rel = relative(flip.field, *code, flip.k, *seq);
                let rank = ["k′", "k", "k+1"]
                    .iter()
                    .position(|r| *r == rel)
                    .unwrap_or(3);
                found.push((rank as u8, format!("`{code}`@{rel}")));
            }
        }
        for item in found {
            if !row.items.contains(&item) {
                row.items.push(item);
            }
        }
    }
    writeln!(
        w,
        "One flipped bit ({total} flips in every field of each of the {N} entries of the clean \
         ledger). k is the flipped entry, k′ the sequence number it then carries; a finding at \
         k+1 is absent when k is the last entry. ¹ undecodable: `ENCODING`@k, `CHAIN`@k+1, and \
         at the later entries that depend on it what it enrolled, scheduled or collected is \
         missing (`SIGNER_UNKNOWN` + `ROLE_MISSING`, `REVOKE_UNKNOWN`, `SESSION_UNKNOWN`, \
         `BAG_NOT_COLLECTED`).\n"
    )
    .unwrap();
    writeln!(w, "| Field flipped | Flips | Findings (journal alone) |").unwrap();
    writeln!(w, "|---|---|---|").unwrap();
    for (field, row) in &mut per_field {
        row.items.sort();
        let list: Vec<&str> = row.items.iter().map(|(_, i)| i.as_str()).collect();
        writeln!(
            w,
            "| {} | {} | {} |",
            field.name(),
            row.flips,
            list.join(", ")
        )
        .unwrap();
    }
    writeln!(
        w,
        "\nWith `--trust` and the held checkpoint, every flip adds `FORKED`@8 (`TRUNCATED`@8 \
         when the framing breaks and records are lost; `CHECKPOINT_UNTRUSTED`@8 when the genesis \
         no longer decodes, so no ledger key is known), and a flip in the genesis adds \
         `GENESIS_UNTRUSTED`. Alone, {silent} flips give no finding, all in the last entry: a \
         small change of its unsigned recorded time, or its record length run past the end of \
         the file (an unacknowledged tail); the checkpoint catches them. {bugs} of these flips \
         exposed three bugs, now fixed: an undecodable genesis not stepped over, a flipped \
         ledger id in the genesis believed over the journal header, and a record length run \
         past the end of the file read as an unacknowledged tail.\n"
    )
    .unwrap();
    writeln!(w, "| Outcome class (journal alone) | Flips |").unwrap();
    writeln!(w, "|---|---|").unwrap();
    for (class, n) in &per_class {
        writeln!(w, "| {class} | {n} |").unwrap();
    }
    println!("{md}");
}
