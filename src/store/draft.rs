//! What travels to a site machine: draft files (an event waiting for its co-signatures) and the
//! roster file (names, roles, public keys and the policy, for a machine without the ledger).
//!
//! A draft is prepared against a ledger head, carried to each co-signer (who may be on a
//! machine without the ledger), signed one signature at a time, and submitted to the ledger once
//! every named co-signer has signed. The signatures cover the canonical body bytes, so a draft
//! altered after someone signed no longer carries a valid signature of theirs.
//!
//! Draft file (`docs/DRAFTS.md` has it byte for byte): `"CUSTDRFT"` ‖ version `0x01` ‖ the
//! canonical encoding of [`Draft`] (`docs/FORMAT.md` §1). Roster file: pretty JSON,
//! [`RosterFile`].

use crate::format::encoding::{self, EncodingError, MAX_ENCODED};
use crate::format::time::{Timestamp, check_zone};
use crate::model::entry::{Body, CoSignature, Entry, Head, LedgerId, hex, parse_hex};
use crate::model::policy::Policy;
use crate::model::roster::{KeyKind, Role, display_name_problem, valid_keyholder_id};
use crate::rules::state::{KeyholderRecord, State, StoreError};
use crate::store::journal;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The first eight bytes of a draft file.
pub const DRAFT_MAGIC: &[u8; 8] = b"CUSTDRFT";
/// The draft format version this crate reads and writes.
pub const DRAFT_VERSION: u8 = 0x01;
/// Magic and version.
pub const DRAFT_HEADER_LEN: usize = 9;
/// The largest draft file read: the encoding cap plus room for the header.
pub const MAX_DRAFT_FILE: u64 = MAX_ENCODED as u64 + 16;
/// The largest roster file read.
pub const MAX_ROSTER_FILE: u64 = 4 << 20;
/// The `format` field of a roster file.
pub const ROSTER_FORMAT: &str = "custody-roster-v1";

/// Why a draft or a roster file cannot be read, written, signed or submitted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DraftError {
    #[error("not a custody draft (it does not start with CUSTDRFT)")]
    NotADraft,
    #[error("draft format version {0}; this custody reads version {DRAFT_VERSION}")]
    BadVersion(u8),
    #[error("{len} bytes is over the {MAX_DRAFT_FILE}-byte limit of a draft")]
    TooLarge { len: u64 },
    #[error("the draft is damaged or truncated: {0}")]
    Encoding(EncodingError),
    #[error("the event in the draft is malformed: {0}")]
    Body(EncodingError),
    #[error("the event names {signer} as a co-signer twice")]
    NamedTwice { signer: String },
    #[error("{signer} is not named as a co-signer of this event (it names {})", .named.join(", "))]
    NotNamed { signer: String, named: Vec<String> },
    #[error("{signer} has already signed this draft")]
    AlreadySigned { signer: String },
    #[error("not every co-signer has signed yet; still to sign: {}", .missing.join(", "))]
    Incomplete { missing: Vec<String> },
    #[error("{} already exists; refusing to overwrite it", .path.display())]
    Exists { path: PathBuf },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Something wrong with the contents of a named file: the inner error says what.
    #[error("{}: {source}", .path.display())]
    File {
        path: PathBuf,
        #[source]
        source: Box<DraftError>,
    },
    #[error("not a roster file: {0}")]
    Roster(String),
    #[error("the ledger holds no genesis entry")]
    NoGenesis,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DraftError {
    /// The error itself, without the file it was found in.
    pub fn inner(&self) -> &DraftError {
        match self {
            DraftError::File { source, .. } => source.inner(),
            other => other,
        }
    }

    fn in_file(self, path: &Path) -> DraftError {
        match self {
            e @ (DraftError::Io { .. } | DraftError::File { .. } | DraftError::Exists { .. }) => e,
            e => DraftError::File {
                path: path.to_path_buf(),
                source: Box::new(e),
            },
        }
    }
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> DraftError + '_ {
    move |source| DraftError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An event waiting for its co-signatures: the canonical body bytes and the signatures so far,
/// in the order they were added.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// The canonical bytes of a [`Body`]: what every co-signer signs.
    pub body: Vec<u8>,
    /// The co-signatures added so far, each by a signer the body names, at most once each.
    pub signatures: Vec<CoSignature>,
}

impl Draft {
    /// A draft of these body bytes with no signatures yet. The bytes must be the canonical
    /// encoding of a body that names each co-signer once, small enough that the entry holding
    /// it and all its signatures fits the 1 MiB limit.
    pub fn new(body_bytes: Vec<u8>) -> Result<Draft, DraftError> {
        let body = Body::decode(&body_bytes).map_err(DraftError::Body)?;
        named_once(&body)?;
        // The largest entry this body can become: every varint at its widest.
        let widest = Entry {
            seq: u64::MAX,
            prev_hash: [0xff; 32],
            recorded_at: Timestamp(i64::MIN),
            signatures: body
                .signers
                .iter()
                .map(|s| CoSignature {
                    signer: s.clone(),
                    signature: [0xff; 64],
                })
                .collect(),
            body: body_bytes,
        };
        match encoding::encode(&widest) {
            Ok(_) => {}
            Err(EncodingError::TooLarge { len }) => {
                return Err(DraftError::TooLarge { len: len as u64 });
            }
            Err(e) => return Err(DraftError::Encoding(e)),
        }
        Ok(Draft {
            body: widest.body,
            signatures: Vec::new(),
        })
    }

    /// The draft file's bytes: magic, version, canonical encoding of the draft.
    pub fn encode(&self) -> Result<Vec<u8>, DraftError> {
        let inner = encoding::encode(self).map_err(DraftError::Encoding)?;
        let mut out = Vec::with_capacity(DRAFT_HEADER_LEN + inner.len());
        out.extend_from_slice(DRAFT_MAGIC);
        out.push(DRAFT_VERSION);
        out.extend_from_slice(&inner);
        Ok(out)
    }

    /// Reads a draft file's bytes, strictly: the header, a canonical encoding with nothing after
    /// it, a body that decodes canonically, and signatures only by named signers, once each.
    /// The signatures themselves are not verified here (that needs the keys).
    pub fn decode(bytes: &[u8]) -> Result<Draft, DraftError> {
        if bytes.len() as u64 > MAX_DRAFT_FILE {
            return Err(DraftError::TooLarge {
                len: bytes.len() as u64,
            });
        }
        if bytes.len() < DRAFT_MAGIC.len() || &bytes[..DRAFT_MAGIC.len()] != DRAFT_MAGIC {
            return Err(DraftError::NotADraft);
        }
        match bytes.get(DRAFT_MAGIC.len()) {
            Some(&DRAFT_VERSION) => {}
            Some(&v) => return Err(DraftError::BadVersion(v)),
            None => return Err(DraftError::NotADraft),
        }
        let draft: Draft =
            encoding::decode(&bytes[DRAFT_HEADER_LEN..]).map_err(DraftError::Encoding)?;
        let body = draft.body()?;
        named_once(&body)?;
        let mut seen = HashSet::new();
        for s in &draft.signatures {
            if !body.signers.contains(&s.signer) {
                return Err(DraftError::NotNamed {
                    signer: s.signer.clone(),
                    named: body.signers.clone(),
                });
            }
            if !seen.insert(&s.signer) {
                return Err(DraftError::AlreadySigned {
                    signer: s.signer.clone(),
                });
            }
        }
        Ok(draft)
    }

    /// The event the draft holds.
    pub fn body(&self) -> Result<Body, DraftError> {
        Body::decode(&self.body).map_err(DraftError::Body)
    }

    /// The named co-signers who have not signed yet, in the order the body names them.
    pub fn missing(&self) -> Result<Vec<String>, DraftError> {
        Ok(self
            .body()?
            .signers
            .into_iter()
            .filter(|id| !self.has_signed(id))
            .collect())
    }

    /// Whether this keyholder's signature is already in the draft.
    pub fn has_signed(&self, id: &str) -> bool {
        self.signatures.iter().any(|s| s.signer == id)
    }

    /// Adds a co-signature by a named signer who has not signed yet. It is not verified here.
    pub fn add(&mut self, sig: CoSignature) -> Result<(), DraftError> {
        let body = self.body()?;
        if !body.signers.contains(&sig.signer) {
            return Err(DraftError::NotNamed {
                signer: sig.signer,
                named: body.signers,
            });
        }
        if self.has_signed(&sig.signer) {
            return Err(DraftError::AlreadySigned { signer: sig.signer });
        }
        self.signatures.push(sig);
        Ok(())
    }

    /// The body bytes and the signatures in the order the body names the signers, as the ledger
    /// wants them; refused while anyone named has not signed.
    pub fn into_entry_parts(self) -> Result<(Vec<u8>, Vec<CoSignature>), DraftError> {
        let missing = self.missing()?;
        if !missing.is_empty() {
            return Err(DraftError::Incomplete { missing });
        }
        let body = self.body()?;
        let mut pool: Vec<Option<CoSignature>> = self.signatures.into_iter().map(Some).collect();
        let mut ordered = Vec::with_capacity(body.signers.len());
        for id in &body.signers {
            let slot = pool
                .iter_mut()
                .find(|s| s.as_ref().is_some_and(|s| &s.signer == id))
                .and_then(Option::take);
            match slot {
                Some(s) => ordered.push(s),
                None => {
                    return Err(DraftError::Incomplete {
                        missing: vec![id.clone()],
                    });
                }
            }
        }
        if let Some(extra) = pool.into_iter().flatten().next() {
            return Err(DraftError::NotNamed {
                signer: extra.signer,
                named: body.signers,
            });
        }
        Ok((self.body, ordered))
    }

    /// Reads and decodes a draft file; a file over [`MAX_DRAFT_FILE`] bytes is refused without
    /// being read.
    pub fn read(path: &Path) -> Result<Draft, DraftError> {
        let bytes = read_capped(path, MAX_DRAFT_FILE)?;
        Draft::decode(&bytes).map_err(|e| e.in_file(path))
    }

    /// Writes the draft to a new file; refuses to overwrite anything.
    pub fn write_new(&self, path: &Path) -> Result<(), DraftError> {
        let bytes = self.encode().map_err(|e| e.in_file(path))?;
        write_new_file(path, &bytes)
    }

    /// Replaces the draft file atomically ([`journal::write_atomic`]: staged under a fresh name,
    /// never through a link planted beside it). A crash leaves either the old draft or the new
    /// one.
    pub fn rewrite(&self, path: &Path) -> Result<(), DraftError> {
        let bytes = self.encode().map_err(|e| e.in_file(path))?;
        journal::write_atomic(path, &bytes, journal::Access::Shared).map_err(io_at(path))?;
        Ok(())
    }
}

/// Refuses a body that names one co-signer twice: a draft holds one signature per name.
fn named_once(body: &Body) -> Result<(), DraftError> {
    let mut seen = HashSet::new();
    for id in &body.signers {
        if !seen.insert(id) {
            return Err(DraftError::NamedTwice { signer: id.clone() });
        }
    }
    Ok(())
}

/// Reads a whole file of at most `cap` bytes; a larger one is refused without reading it.
fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, DraftError> {
    let file = File::open(path).map_err(io_at(path))?;
    let len = file.metadata().map_err(io_at(path))?.len();
    if len > cap {
        return Err(DraftError::TooLarge { len }.in_file(path));
    }
    // The length can change under us (or be 0 for a device): never read more than the cap.
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(io_at(path))?;
    if bytes.len() as u64 > cap {
        return Err(DraftError::TooLarge {
            len: bytes.len() as u64,
        }
        .in_file(path));
    }
    Ok(bytes)
}

/// Creates `path` (never overwriting it) with the bytes, fsynced with its directory; nothing is
/// left at `path` on failure.
fn write_new_file(path: &Path, bytes: &[u8]) -> Result<(), DraftError> {
    journal::write_new(path, bytes, journal::Access::Shared).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            DraftError::Exists {
                path: path.to_path_buf(),
            }
        } else {
            io_at(path)(e)
        }
    })
}

/// One keyholder as the roster file shows them. No person tag: the file is for display.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RosterEntry {
    pub id: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// Ed25519 public key, 64 hex digits.
    pub public_key: String,
    /// RFC 3339, UTC.
    pub valid_from: Option<String>,
    /// RFC 3339, UTC.
    pub valid_until: Option<String>,
    /// Not revoked.
    pub active: bool,
    /// The entry that enrolled them (0: a founder).
    pub enrolled_seq: u64,
    /// The entry that revoked them.
    pub revoked_seq: Option<u64>,
    /// How the key is held, as declared at enrolment; absent from older roster files.
    #[serde(default)]
    pub key_kind: Option<KeyKind>,
}

impl RosterEntry {
    fn from_record(r: &KeyholderRecord) -> RosterEntry {
        let k = &r.keyholder;
        RosterEntry {
            id: k.id.clone(),
            name: k.name.clone(),
            roles: k.roles.clone(),
            public_key: hex(&k.public_key),
            valid_from: k.valid_from.map(Timestamp::to_rfc3339),
            valid_until: k.valid_until.map(Timestamp::to_rfc3339),
            active: r.active(),
            enrolled_seq: r.enrolled_seq,
            revoked_seq: r.revoked_seq,
            key_kind: k.key_kind,
        }
    }

    /// The public key's 32 bytes (checked when the file was read).
    pub fn public_key_bytes(&self) -> Option<[u8; 32]> {
        parse_hex::<32>(&self.public_key)
    }

    /// Whether the validity window contains `t`.
    pub fn valid_at(&self, t: Timestamp) -> bool {
        let at = |s: &Option<String>| s.as_deref().and_then(|s| Timestamp::parse(s, "UTC").ok());
        at(&self.valid_from).is_none_or(|from| from <= t)
            && at(&self.valid_until).is_none_or(|until| t <= until)
    }

    fn problem(&self) -> Option<String> {
        if !valid_keyholder_id(&self.id) {
            return Some(format!("keyholder id {:?} is invalid", self.id));
        }
        if let Some(p) = display_name_problem(&self.name) {
            return Some(format!("the name of {}: {p}", self.id));
        }
        if self.roles.windows(2).any(|w| w[0] >= w[1]) {
            return Some(format!(
                "the roles of {} are not strictly increasing",
                self.id
            ));
        }
        if self.public_key_bytes().is_none() {
            return Some(format!(
                "the public key of {} is not 64 hex digits",
                self.id
            ));
        }
        for t in [&self.valid_from, &self.valid_until].into_iter().flatten() {
            if t.parse::<jiff::Timestamp>().is_err() {
                return Some(format!(
                    "the validity of {} holds {t:?}, not an RFC 3339 time",
                    self.id
                ));
            }
        }
        if self.active != self.revoked_seq.is_none() {
            return Some(format!(
                "{} is marked active {} with revoked_seq {:?}",
                self.id, self.active, self.revoked_seq
            ));
        }
        None
    }
}

/// The public roster and the policy of a ledger at one head, exported for machines that have
/// no ledger (`custody roster --out FILE`), so they can show names and roles and check keys.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RosterFile {
    /// Always [`ROSTER_FORMAT`].
    pub format: String,
    /// 32 hex digits.
    pub ledger_id: String,
    pub exam: String,
    /// IANA zone of the exam.
    pub time_zone: String,
    /// The head the roster was read at: number of entries and the hash of the last one.
    pub head_size: u64,
    /// 64 hex digits.
    pub head_hash: String,
    /// Every keyholder the ledger has known, active or revoked, in id order.
    pub keyholders: Vec<RosterEntry>,
    /// The policy in force at the head.
    pub policy: Policy,
}

impl RosterFile {
    /// The roster of a ledger state at its head.
    pub fn from_state<K: crate::rules::state::Kv>(
        state: &State<K>,
        head: Head,
    ) -> Result<RosterFile, DraftError> {
        let info = state.ledger()?.ok_or(DraftError::NoGenesis)?;
        let policy = state.policy()?.ok_or(DraftError::NoGenesis)?;
        Ok(RosterFile {
            format: ROSTER_FORMAT.to_string(),
            ledger_id: hex(&info.ledger_id),
            exam: info.exam,
            time_zone: info.time_zone,
            head_size: head.size,
            head_hash: hex(&head.hash),
            keyholders: state
                .keyholders()?
                .iter()
                .map(RosterEntry::from_record)
                .collect(),
            policy: (*policy).clone(),
        })
    }

    /// Pretty JSON, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Parses and checks a roster file's text.
    pub fn from_json(text: &str) -> Result<RosterFile, DraftError> {
        let r: RosterFile =
            serde_json::from_str(text).map_err(|e| DraftError::Roster(e.to_string()))?;
        if let Some(p) = r.problem() {
            return Err(DraftError::Roster(p));
        }
        Ok(r)
    }

    /// Reads a roster file of at most [`MAX_ROSTER_FILE`] bytes and checks every field.
    pub fn read(path: &Path) -> Result<RosterFile, DraftError> {
        let bytes = read_capped(path, MAX_ROSTER_FILE)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| DraftError::Roster("not UTF-8 text".into()).in_file(path))?;
        RosterFile::from_json(text).map_err(|e| e.in_file(path))
    }

    /// Writes the roster to a new file; refuses to overwrite anything.
    pub fn write_new(&self, path: &Path) -> Result<(), DraftError> {
        write_new_file(path, self.to_json().as_bytes())
    }

    /// The ledger id's 16 bytes (checked when the file was read).
    pub fn ledger_id_bytes(&self) -> Option<LedgerId> {
        parse_hex::<16>(&self.ledger_id)
    }

    /// The keyholder with this id.
    pub fn keyholder(&self, id: &str) -> Option<&RosterEntry> {
        self.keyholders.iter().find(|k| k.id == id)
    }

    fn problem(&self) -> Option<String> {
        if self.format != ROSTER_FORMAT {
            return Some(format!(
                "format {:?}; this custody reads {ROSTER_FORMAT:?}",
                self.format
            ));
        }
        if self.ledger_id_bytes().is_none() {
            return Some("ledger_id is not 32 hex digits".into());
        }
        if parse_hex::<32>(&self.head_hash).is_none() {
            return Some("head_hash is not 64 hex digits".into());
        }
        if check_zone(&self.time_zone).is_err() {
            return Some(format!("unknown time zone {:?}", self.time_zone));
        }
        // The genesis rule, so that a ledger's own roster file always reads back.
        if let Some(problem) = crate::format::printable::exam_problem(&self.exam) {
            return Some(problem);
        }
        let mut ids = HashSet::new();
        for k in &self.keyholders {
            if let Some(p) = k.problem() {
                return Some(p);
            }
            if !ids.insert(k.id.as_str()) {
                return Some(format!("{} is listed twice", k.id));
            }
        }
        let problems = self.policy.problems();
        if !problems.is_empty() {
            return Some(format!("policy: {}", problems.join("; ")));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::{Event, Revocation};

    fn body(signers: &[&str]) -> Vec<u8> {
        Body {
            ledger_id: [0x11; 16],
            head: Head {
                size: 5,
                hash: [0xaa; 32],
            },
            event_time: Timestamp(1_780_800_000_000),
            nonce: [0x22; 16],
            signers: signers.iter().map(|s| s.to_string()).collect(),
            event: Event::Revoke(Revocation {
                id: "esc1".into(),
                reason: "lost".into(),
            }),
        }
        .encode()
        .unwrap()
    }

    fn sig(id: &str, b: u8) -> CoSignature {
        CoSignature {
            signer: id.into(),
            signature: [b; 64],
        }
    }

    #[test]
    fn the_file_layout_is_magic_version_then_the_encoding() {
        let b = body(&["a1", "a2"]);
        let mut d = Draft::new(b.clone()).unwrap();
        d.add(sig("a2", 7)).unwrap();
        let bytes = d.encode().unwrap();
        assert_eq!(&bytes[..8], b"CUSTDRFT");
        assert_eq!(bytes[8], 1);
        assert_eq!(bytes[9] as usize, b.len(), "body length varint");
        assert_eq!(&bytes[10..10 + b.len()], &b[..]);
        let rest = &bytes[10 + b.len()..];
        assert_eq!(rest[0], 1, "one signature");
        assert_eq!(&rest[1..4], &[2, b'a', b'2']);
        assert_eq!(&rest[4..], &[7u8; 64]);
        assert_eq!(Draft::decode(&bytes).unwrap(), d);
    }

    #[test]
    fn signatures_come_out_in_body_order_and_only_when_complete() {
        let mut d = Draft::new(body(&["a1", "a2"])).unwrap();
        assert_eq!(d.missing().unwrap(), vec!["a1", "a2"]);
        d.add(sig("a2", 2)).unwrap();
        assert!(matches!(
            d.clone().into_entry_parts(),
            Err(DraftError::Incomplete { missing }) if missing == vec!["a1".to_string()]
        ));
        assert!(matches!(
            d.add(sig("a2", 3)),
            Err(DraftError::AlreadySigned { .. })
        ));
        assert!(matches!(
            d.add(sig("zz", 3)),
            Err(DraftError::NotNamed { .. })
        ));
        d.add(sig("a1", 1)).unwrap();
        let (_, sigs) = d.into_entry_parts().unwrap();
        let ids: Vec<&str> = sigs.iter().map(|s| s.signer.as_str()).collect();
        assert_eq!(ids, vec!["a1", "a2"]);
    }

    #[test]
    fn a_body_too_large_for_its_entry_is_refused() {
        let mut big = Body::decode(&body(&["a1", "a2"])).unwrap();
        big.event = Event::Revoke(Revocation {
            id: "esc1".into(),
            reason: "x".repeat(MAX_ENCODED - 200),
        });
        let bytes = big.encode().unwrap();
        assert!(matches!(
            Draft::new(bytes),
            Err(DraftError::TooLarge { .. })
        ));
    }

    #[test]
    fn hostile_bytes_are_refused_without_panic() {
        let mut d = Draft::new(body(&["a1", "a2"])).unwrap();
        d.add(sig("a1", 1)).unwrap();
        let good = d.encode().unwrap();
        for cut in 0..good.len() {
            assert!(Draft::decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = good.clone();
        extra.push(0);
        assert!(matches!(
            Draft::decode(&extra),
            Err(DraftError::Encoding(EncodingError::Trailing { .. }))
        ));
        let mut v2 = good.clone();
        v2[8] = 2;
        assert!(matches!(Draft::decode(&v2), Err(DraftError::BadVersion(2))));
        // A signature by someone the body does not name, smuggled in by hand.
        let mut d2 = d.clone();
        d2.signatures.push(sig("zz", 9));
        assert!(matches!(
            Draft::decode(&d2.encode().unwrap()),
            Err(DraftError::NotNamed { .. })
        ));
        let mut d3 = d.clone();
        d3.signatures.push(sig("a1", 9));
        assert!(matches!(
            Draft::decode(&d3.encode().unwrap()),
            Err(DraftError::AlreadySigned { .. })
        ));
        assert!(matches!(
            Draft::new(body(&["a1", "a1"])),
            Err(DraftError::NamedTwice { .. })
        ));
        assert!(Draft::new(b"junk".to_vec()).is_err());
    }
}
