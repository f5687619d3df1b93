//! The papers themselves (issue 17, items 7 and 8): voided paper versions, postponed sessions,
//! the printer's list and the senders a collection may come from.
//!
//! A paper version is one session's question papers: every `question_papers` bag whose session
//! is that session (a `BagSpec` names no printing of its own; a session is one subject's paper).
//! Voiding it makes opening any of those bags PAPER_VOIDED, and the session's spare papers
//! (备用卷) become the ones to open: SPARE_OPENED no longer fires for them.
//!
//! Like the custody rules, these are functions of the state before an entry, called by the judge
//! on append and in the audit alike.

use crate::format::time::Timestamp;
use crate::model::bag::{BagKind, BagSpec, BagState, Correction, SessionState};
use crate::model::event::{Collect, Correct, Event, Manifest, ManifestRow, Open, Postpone, Void};
use crate::model::finding::{Code, Finding};
use crate::model::policy::Policy;
use crate::rules::state::{Batch, Kv, State, StoreError, named_key};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Every key of this module starts with this byte, then one of the bytes below.
const PAPERS: u8 = b'y';
const VOIDED: u8 = b'v';
const POSTPONED: u8 = b'p';
const LISTED: u8 = b'm';
/// Present once a printer's list was imported: from then on every collected bag is checked.
const LIST_IMPORTED: u8 = b'M';
/// An entry that named a barcode the ledger did not know (accepted with an incident note), one
/// key each, `yu‖len‖barcode‖seq` (the barcode's length u32 and the entry u64, big-endian): a
/// barcode correction of such an entry links it to the right bag (issue 15, rule 8). One key per
/// mention, not a list per barcode, so that a barcode named again and again costs the same each
/// time.
const UNKNOWN: u8 = b'u';
/// What a seal or count correction replaced, by the correction's entry (issue 15, rule 4): for
/// the views that read the state after it (the receipt).
const WAS: u8 = b'c';

/// The most rows a printer's list may hold (as many as one event's bags), and the longest field.
pub const MAX_MANIFEST_ROWS: usize = 10_000;
pub const MAX_MANIFEST_FIELD: usize = 256;

fn key(sub: u8, rest: &str) -> Vec<u8> {
    let mut k = vec![PAPERS, sub];
    k.extend_from_slice(rest.as_bytes());
    k
}

fn mention_key(bag: &str, seq: u64) -> Vec<u8> {
    let mut k = named_key(&[PAPERS, UNKNOWN], bag);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// A voided paper version: the entry that voided it and why.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Voided {
    pub seq: u64,
    pub note: String,
}

/// A postponed session: its schedule before the first postponement, and the last postponement.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Postponed {
    pub original_start: Timestamp,
    pub original_end: Timestamp,
    /// The entry that scheduled the original times.
    pub original_seq: u64,
    /// The last postponement and its note.
    pub seq: u64,
    pub note: String,
}

/// A bag on a printer's list, and the entry that imported it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub seq: u64,
    pub row: ManifestRow,
}

impl<K: Kv> State<K> {
    /// Whether a session's question papers were voided, and by which entry.
    pub fn voided(&self, session: &str) -> Result<Option<Voided>, StoreError> {
        self.get(&key(VOIDED, session))
    }

    /// The original schedule of a postponed session; `None` if it was never postponed.
    pub fn postponed(&self, session: &str) -> Result<Option<Postponed>, StoreError> {
        self.get(&key(POSTPONED, session))
    }

    /// A bag as the printer's list gives it (the last list that named it).
    pub fn listed(&self, bag: &str) -> Result<Option<Listed>, StoreError> {
        self.get(&key(LISTED, bag))
    }

    /// Whether entry `seq` named `bag` while the ledger did not know it (and no barcode
    /// correction has linked it to a bag since).
    pub fn named_unknown(&self, bag: &str, seq: u64) -> Result<bool, StoreError> {
        Ok(self.kv().get(&mention_key(bag, seq))?.is_some())
    }

    /// The value the seal or count correction at entry `seq` replaced.
    pub fn correction_replaced(&self, seq: u64) -> Result<Option<String>, StoreError> {
        self.get(&key(WAS, &seq.to_string()))
    }

    /// The entry of the first printer's list imported; `None` if none was.
    pub fn list_imported(&self) -> Result<Option<u64>, StoreError> {
        self.get(&key(LIST_IMPORTED, ""))
    }
}

fn flag(out: &mut Vec<Finding>, code: Code, seq: u64, bag: Option<&str>, message: String) {
    out.push(Finding::new(code, seq, message).about_bag(bag));
}

/// The rules of the events this module adds: a void, a postponement, a printer's list.
pub fn check<K: Kv>(
    state: &State<K>,
    seq: u64,
    event: &Event,
    t: Timestamp,
    out: &mut Vec<Finding>,
) -> Result<(), StoreError> {
    let invalid = |out: &mut Vec<Finding>, m: String| flag(out, Code::EventInvalid, seq, None, m);
    let session = |out: &mut Vec<Finding>, id: &str| -> Result<_, StoreError> {
        let s = state.session(id)?;
        if s.is_none() {
            flag(
                out,
                Code::SessionUnknown,
                seq,
                None,
                format!("session {id} is not scheduled"),
            );
        }
        Ok(s)
    };
    match event {
        Event::Void(Void { session: id, note }) => {
            if note.trim().is_empty() {
                invalid(out, "voiding papers needs a note saying why".into());
            }
            session(out, id)?;
            if let Some(v) = state.voided(id)? {
                invalid(
                    out,
                    format!(
                        "the question papers of session {id} were already voided (entry {})",
                        v.seq
                    ),
                );
            }
        }
        Event::Postpone(p) => postpone(p, t, out, &invalid, session)?,
        Event::Manifest(m) => manifest(m, out, &invalid),
        _ => {}
    }
    Ok(())
}

fn postpone(
    p: &Postpone,
    t: Timestamp,
    out: &mut Vec<Finding>,
    invalid: &impl Fn(&mut Vec<Finding>, String),
    session: impl FnOnce(&mut Vec<Finding>, &str) -> Result<Option<SessionState>, StoreError>,
) -> Result<(), StoreError> {
    if p.note.trim().is_empty() {
        invalid(out, "a postponement needs a note saying why".into());
    }
    if p.end <= p.start {
        invalid(out, format!("session {} ends before it starts", p.session));
    }
    if p.start < t {
        invalid(
            out,
            format!("session {} is postponed to a start already past", p.session),
        );
    }
    if let Some(old) = session(out, &p.session)?
        && p.start <= old.start
    {
        invalid(
            out,
            format!(
                "a postponement moves session {} later; schedule moves it otherwise",
                p.session
            ),
        );
    }
    Ok(())
}

fn manifest(m: &Manifest, out: &mut Vec<Finding>, invalid: &impl Fn(&mut Vec<Finding>, String)) {
    if m.rows.is_empty() {
        invalid(out, "the printer's list names no bag".into());
    }
    if m.rows.len() > MAX_MANIFEST_ROWS {
        invalid(
            out,
            format!(
                "the printer's list has {} rows; at most {MAX_MANIFEST_ROWS} in one event",
                m.rows.len()
            ),
        );
    }
    let mut seen = HashSet::new();
    for r in &m.rows {
        for (value, what) in [
            (&r.bag, "bag id"),
            (&r.seal, "seal"),
            (&r.session, "session"),
            (&r.site, "site"),
            (&r.room, "room"),
        ] {
            if value.trim().is_empty() {
                invalid(
                    out,
                    format!("bag {} has an empty {what} on the printer's list", r.bag),
                );
            } else if value.len() > MAX_MANIFEST_FIELD {
                invalid(
                    out,
                    format!(
                        "bag {}: the {what} is over {MAX_MANIFEST_FIELD} bytes on the printer's list",
                        r.bag
                    ),
                );
            }
        }
        if !seen.insert(r.bag.as_str()) {
            invalid(out, format!("bag {} is listed twice", r.bag));
        }
    }
}

/// A collection checked against the printer's list (once one was imported) and the approved
/// senders (when the policy names any).
pub fn collect<K: Kv>(
    state: &State<K>,
    seq: u64,
    e: &Collect,
    policy: &Policy,
    out: &mut Vec<Finding>,
) -> Result<(), StoreError> {
    if !policy.approved_senders.is_empty()
        && !policy
            .approved_senders
            .iter()
            .any(|s| s.trim() == e.from.trim())
    {
        flag(
            out,
            Code::SenderNotApproved,
            seq,
            None,
            format!(
                "the bags come from {}, who is not among the approved senders ({})",
                e.from,
                policy.approved_senders.join(", ")
            ),
        );
    }
    if state.list_imported()?.is_none() {
        return Ok(());
    }
    for b in &e.bags {
        match state.listed(&b.id)? {
            None => flag(
                out,
                Code::NotOnManifest,
                seq,
                Some(&b.id),
                format!("bag {} is not on the printer's list", b.id),
            ),
            Some(listed) => {
                let differences = differences(b, &listed.row);
                if !differences.is_empty() {
                    flag(
                        out,
                        Code::ManifestMismatch,
                        seq,
                        Some(&b.id),
                        format!(
                            "bag {}: {} (printer's list, entry {})",
                            b.id,
                            differences.join(", "),
                            listed.seq
                        ),
                    );
                }
            }
        }
    }
    Ok(())
}

/// Each field of a collected bag that differs from its row: `seal S2, listed S1`.
fn differences(b: &BagSpec, row: &ManifestRow) -> Vec<String> {
    let count = b.count.to_string();
    let listed_count = row.count.to_string();
    [
        ("seal", &b.seal, &row.seal),
        ("count", &count, &listed_count),
        ("session", &b.session, &row.session),
        ("site", &b.site, &row.site),
        ("room", &b.room, &row.room),
    ]
    .into_iter()
    .filter(|(_, got, listed)| got != listed)
    .map(|(what, got, listed)| format!("{what} {got}, listed {listed}"))
    .collect()
}

/// An opening of a voided paper version's bags: PAPER_VOIDED for each, unless already opened.
pub fn open<K: Kv>(
    state: &State<K>,
    seq: u64,
    e: &Open,
    out: &mut Vec<Finding>,
) -> Result<(), StoreError> {
    for obs in &e.bags {
        let Some(bag) = state.bag(&obs.id)? else {
            continue;
        };
        if bag.spec.kind != BagKind::QuestionPapers || bag.opened.is_some() {
            continue;
        }
        if let Some(v) = state.voided(&bag.spec.session)? {
            flag(
                out,
                Code::PaperVoided,
                seq,
                Some(&obs.id),
                format!(
                    "bag {} holds the question papers of session {}, voided at entry {} ({}); open its spare papers",
                    obs.id, bag.spec.session, v.seq, v.note
                ),
            );
        }
    }
    Ok(())
}

/// Whether a spare-paper bag is one to open without a note: its session's papers were voided.
pub fn spares_in_use<K: Kv>(state: &State<K>, spec: &BagSpec) -> Result<bool, StoreError> {
    Ok(spec.kind == BagKind::SparePapers && state.voided(&spec.session)?.is_some())
}

/// The writes of a void, a postponement or a printer's list. `session_key` is where custody
/// keeps a session.
pub fn transition<K: Kv>(
    state: &State<K>,
    seq: u64,
    event: &Event,
    session_key: impl Fn(&str) -> Vec<u8>,
    batch: &mut Batch,
) -> Result<(), StoreError> {
    use crate::format::encoding::encode;
    match event {
        Event::Void(v) => batch.push((
            key(VOIDED, &v.session),
            Some(encode(&Voided {
                seq,
                note: v.note.clone(),
            })?),
        )),
        Event::Postpone(p) => {
            let Some(old) = state.session(&p.session)? else {
                return Ok(());
            };
            // The first schedule stays: a session postponed twice shows when it was meant to be.
            let record = match state.postponed(&p.session)? {
                Some(first) => Postponed {
                    seq,
                    note: p.note.clone(),
                    ..first
                },
                None => Postponed {
                    original_start: old.start,
                    original_end: old.end,
                    original_seq: old.scheduled_seq,
                    seq,
                    note: p.note.clone(),
                },
            };
            batch.push((key(POSTPONED, &p.session), Some(encode(&record)?)));
            let session = SessionState {
                start: p.start,
                end: p.end,
                scheduled_seq: seq,
                ..old
            };
            batch.push((session_key(&p.session), Some(encode(&session)?)));
        }
        Event::Manifest(m) => {
            if state.list_imported()?.is_none() {
                batch.push((key(LIST_IMPORTED, ""), Some(encode(&seq)?)));
            }
            for row in &m.rows {
                let listed = Listed {
                    seq,
                    row: row.clone(),
                };
                batch.push((key(LISTED, &row.bag), Some(encode(&listed)?)));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The right barcode, when a correction fixes the barcode of an entry that named a bag the
/// ledger does not know (a bag recorded under a wrong id); `None` for any other correction.
pub fn relinks_to<'e, K: Kv>(
    state: &State<K>,
    e: &'e Correct,
) -> Result<Option<&'e str>, StoreError> {
    match &e.fix {
        Correction::BagId(new) if state.named_unknown(&e.bag, e.seq)? => Ok(Some(new.as_str())),
        _ => Ok(None),
    }
}

/// The writes that remember the barcodes an event names that the ledger does not know (bags
/// that exist are the custody rules' business; a collect or a seal makes its bags).
pub fn note_unknown_bags<K: Kv>(
    state: &State<K>,
    seq: u64,
    event: &Event,
    batch: &mut Batch,
) -> Result<(), StoreError> {
    if matches!(
        event,
        Event::Collect(_) | Event::Seal(_) | Event::Correct(_)
    ) {
        return Ok(());
    }
    let mut seen = HashSet::new();
    for id in event.bag_ids() {
        if seen.insert(id) && !state.has_bag(id)? {
            batch.push((mention_key(id, seq), Some(Vec::new())));
        }
    }
    Ok(())
}

/// A barcode correction that links an entry to the right bag: that bag, with the entry and the
/// correction in its history (its place stays as the ledger has it), and the entry no longer
/// counted against the wrong barcode. `None` when the correction is not one.
pub fn relinked<K: Kv>(
    state: &State<K>,
    seq: u64,
    e: &Correct,
    batch: &mut Batch,
) -> Result<Option<BagState>, StoreError> {
    let Correction::BagId(new) = &e.fix else {
        return Ok(None);
    };
    if !state.named_unknown(&e.bag, e.seq)? {
        return Ok(None);
    }
    let Some(mut bag) = state.bag(new)? else {
        return Ok(None);
    };
    batch.push((mention_key(&e.bag, e.seq), None));
    if !state.bag_named_in(&bag, e.seq)? {
        bag.history.push(e.seq);
    }
    bag.history.push(seq);
    Ok(Some(bag))
}

/// What a seal or count correction replaces: the value the ledger held for the bag before it,
/// as `state` (the state before the correction) has it; `None` for any other event, a barcode
/// correction (its text names both barcodes) or a bag the ledger does not know (issue 15, rule 4).
pub fn correction_was<K: Kv>(
    state: &State<K>,
    event: &Event,
) -> Result<Option<String>, StoreError> {
    let Event::Correct(c) = event else {
        return Ok(None);
    };
    let Some(bag) = state.bag(&c.bag)? else {
        return Ok(None);
    };
    Ok(match c.fix {
        Correction::Seal(_) => Some(bag.spec.seal),
        Correction::Count(_) => Some(bag.spec.count.to_string()),
        Correction::BagId(_) => None,
    })
}

/// The write that remembers what a seal or count correction replaces ([`correction_was`]).
pub fn note_replaced<K: Kv>(
    state: &State<K>,
    seq: u64,
    event: &Event,
    batch: &mut Batch,
) -> Result<(), StoreError> {
    if let Some(was) = correction_was(state, event)? {
        batch.push((
            key(WAS, &seq.to_string()),
            Some(crate::format::encoding::encode(&was)?),
        ));
    }
    Ok(())
}
