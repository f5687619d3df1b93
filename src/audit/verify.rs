//! The audit: re-derives everything from a journal alone, entry by entry, with the same judge
//! the append path uses, and memory bounded by the roster and the replay window.

use crate::format::signing::signed_message;
use crate::model::entry::{DecodedEntry, EntryError, Hash, LedgerId, hex};

use crate::audit::evidence::{CheckpointCheck, Evidence, Observed};
use crate::format::signing::{PreparedKey, verify_all};
use crate::format::time::Timestamp;
use crate::model::event::Event;
use crate::model::finding::{Code, Finding};
use crate::model::policy::EventKind;
use crate::rules::judge::{check_signatures_with, judge_but_signatures};
use crate::rules::memstore::MemKv;
use crate::rules::state::{State, StoreError};
use crate::rules::transition::apply;
use crate::store::journal::{self, End, JournalError, Reader, Record};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why an audit could not run at all (as opposed to findings, which it reports).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the audit found: the header facts, the evidence checked, the findings, and the entries
/// an auditor reads whether or not they break a rule.
///
/// Its JSON form (`custody verify --json`) is documented field by field in `docs/AUDIT.md`;
/// times there are RFC 3339 in UTC, hashes and ids lower-case hex.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(serialize_with = "opt_hex")]
    pub ledger_id: Option<[u8; 16]>,
    pub exam: Option<String>,
    pub time_zone: Option<String>,
    /// Complete records read.
    pub entries: u64,
    /// Bags the ledger knows.
    pub bags: u64,
    #[serde(serialize_with = "opt_hex")]
    pub genesis_hash: Option<Hash>,
    /// Whether the genesis matched the hash given with `--trust`; `None` without it.
    pub genesis_trusted: Option<bool>,
    #[serde(serialize_with = "opt_hex")]
    pub head_hash: Option<Hash>,
    #[serde(serialize_with = "opt_time")]
    pub first_recorded: Option<Timestamp>,
    #[serde(serialize_with = "opt_time")]
    pub last_recorded: Option<Timestamp>,
    /// The RFC 6962 tree over every record: its size and root.
    pub tree_size: u64,
    #[serde(serialize_with = "hex32")]
    pub root: Hash,
    /// How each checkpoint the auditor gave (and each proof's checkpoint) fared.
    pub checkpoints: Vec<CheckpointCheck>,
    /// Every finding, in journal order; end-of-ledger and evidence findings last.
    pub findings: Vec<Finding>,
    /// Roster and policy changes, reschedules, incidents and corrections, in journal order,
    /// listed whether or not they break a rule: they are not findings by themselves, but an
    /// auditor wants to see them. A violation recorded with an incident note is both a finding
    /// and a listed incident.
    ///
    /// Memory: unlike the rest of the audit, this list grows with the journal, one item per
    /// such entry. Those entries are few (a county's exam has a dozen roster entries and a
    /// handful of incidents among hundreds of handovers), and each item is one line of text.
    pub listed: Vec<Listed>,
    /// Facts that are not findings, such as an unacknowledged tail left by a crash.
    pub notices: Vec<String>,
}

/// Which list of the report a [`Listed`] entry belongs to.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ListedKind {
    /// The founders (the genesis), an enrolment or a revocation.
    Roster,
    /// A policy change.
    Policy,
    /// A session rescheduled, or scheduled with an incident note. A session's first schedule
    /// is not listed.
    Schedule,
    /// An `incident` event, or any custody event the signers recorded with an incident note.
    Incident,
    /// A `correct` event.
    Correction,
}

impl ListedKind {
    /// The JSON form: `roster`, `policy`, `schedule`, `incident`, `correction`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListedKind::Roster => "roster",
            ListedKind::Policy => "policy",
            ListedKind::Schedule => "schedule",
            ListedKind::Incident => "incident",
            ListedKind::Correction => "correction",
        }
    }
}

/// An entry the report lists whether or not it breaks a rule.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Listed {
    pub kind: ListedKind,
    /// The entry's sequence number.
    pub seq: u64,
    /// The event's kind, as `custody log` names it (`enroll`, `arrive`, `incident`, ...).
    pub event: EventKind,
    /// When the signers say it happened.
    #[serde(serialize_with = "time")]
    pub event_time: Timestamp,
    pub signers: Vec<String>,
    /// The bags the event names, if any.
    pub bags: Vec<String>,
    /// One line in plain words ([`crate::lang::summary::detail`]; for a reschedule, also the times it
    /// replaces; for a policy change, when it takes effect).
    pub text: String,
    /// The incident note (or the correction's note) the signers attached.
    pub note: Option<String>,
    /// The codes of the findings reported at this entry (a noted violation), in report order.
    pub finding_codes: Vec<Code>,
}

fn time<S: serde::Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}

fn opt_time<S: serde::Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => time(t, s),
        None => s.serialize_none(),
    }
}

/// The entry as a [`Listed`] item, if the report lists it; judged on the state before it.
fn listed(
    state: &State<MemKv>,
    e: &DecodedEntry,
    findings: &[Finding],
) -> Result<Option<Listed>, StoreError> {
    let event = &e.body.event;
    let note = event.incident_note().map(str::to_string);
    // The kind first: most entries are not listed, and their text is never written.
    // What the entry changed, for the text: a reschedule's old times, a correction's old value.
    let mut change = None;
    let kind = match event {
        Event::Genesis(_) | Event::Enroll(_) | Event::Revoke(_) => ListedKind::Roster,
        Event::Policy(_) => ListedKind::Policy,
        Event::Schedule(s) => match state.session(&s.session)? {
            Some(old) => {
                change = Some(format!("; rescheduled, was {} to {}", old.start, old.end));
                ListedKind::Schedule
            }
            None if note.is_some() => ListedKind::Schedule,
            None => return Ok(None),
        },
        Event::Incident(_) => ListedKind::Incident,
        Event::Correct(c) => {
            // Old -> new: the value the ledger held for the bag before this correction.
            if let Some(bag) = state.bag(&c.bag)? {
                change = match &c.fix {
                    crate::model::bag::Correction::Seal(_) => {
                        Some(format!("; was {}", bag.spec.seal))
                    }
                    crate::model::bag::Correction::Count(_) => {
                        Some(format!("; was {}", bag.spec.count))
                    }
                    crate::model::bag::Correction::BagId(_) => None,
                };
            }
            ListedKind::Correction
        }
        _ if note.is_some() => ListedKind::Incident,
        _ => return Ok(None),
    };
    let mut text = crate::lang::summary::detail(event, crate::lang::i18n::Lang::En);
    text.extend(change);
    Ok(Some(Listed {
        kind,
        seq: e.entry.seq,
        event: event.kind(),
        event_time: e.body.event_time,
        signers: e.body.signers.clone(),
        bags: event.bag_ids().into_iter().map(str::to_string).collect(),
        text,
        note,
        finding_codes: findings.iter().map(|f| f.code).collect(),
    }))
}

fn hex32<S: serde::Serializer>(v: &Hash, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(v))
}

fn opt_hex<S: serde::Serializer, const N: usize>(
    v: &Option<[u8; N]>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_str(&hex(b)),
        None => s.serialize_none(),
    }
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// One entry as the audit saw it, for callers that list the journal while auditing it.
pub struct Visit<'a> {
    pub offset: u64,
    /// `None` when the record does not decode.
    pub entry: Option<&'a DecodedEntry>,
    pub findings: &'a [Finding],
    /// The state before this entry (the roster that judged it).
    pub state: &'a State<MemKv>,
}

/// What the auditor brings besides the journal.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The genesis hashes they trust: the genesis must be one of them (an auditor of many
    /// ledgers gives one per ledger). None given: the genesis is not checked.
    pub trust: Vec<Hash>,
    /// Checkpoints and proofs they hold.
    pub evidence: Evidence,
    /// Where the audit counts what it has read, for a caller that shows progress.
    pub progress: Option<Arc<Progress>>,
}

/// How far audits have got: records and journal bytes read, added once per batch. Audits
/// running at once may share one.
#[derive(Debug, Default)]
pub struct Progress {
    entries: AtomicU64,
    bytes: AtomicU64,
}

impl Progress {
    /// Records read so far.
    pub fn entries(&self) -> u64 {
        self.entries.load(Ordering::Relaxed)
    }

    /// Journal bytes read so far, the journal header included.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

/// Audits the journal file at `path`.
pub fn verify(path: &Path, trust: Option<Hash>) -> Result<Report, AuditError> {
    walk(path, trust, |_| {})
}

/// Audits the journal file at `path` against a trusted genesis and the evidence held.
pub fn verify_with(path: &Path, options: &Options) -> Result<Report, AuditError> {
    let file = std::fs::File::open(path).map_err(|source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    verify_reader(file, path, options)
}

/// Audits a journal read from any stream (a bundle's journal section, say); `label` names it
/// in errors.
pub fn verify_reader(
    input: impl Read + Send,
    label: &Path,
    options: &Options,
) -> Result<Report, AuditError> {
    // On a thread of rayon's pool, so that the judging thread is one of the pool's: while it
    // waits for the signature checks it takes a share of them, and the cores are never asked
    // to run more threads than they have.
    rayon::scope(|_| walk_input(input, label, options, |_| {})).map(|(report, _)| report)
}

/// Audits the journal at `path`, showing each entry to `visit` as it goes.
pub fn walk(
    path: &Path,
    trust: Option<Hash>,
    visit: impl FnMut(Visit<'_>),
) -> Result<Report, AuditError> {
    walk_to_state(path, trust, visit).map(|(report, _)| report)
}

/// Audits the journal and also hands back the state after its last entry: where every bag is,
/// the roster, the policy. The read-only commands use it; it never takes the writer lock.
pub fn replay(path: &Path) -> Result<(Report, State<MemKv>), AuditError> {
    walk_to_state(path, None, |_| {})
}

fn walk_to_state(
    path: &Path,
    trust: Option<Hash>,
    visit: impl FnMut(Visit<'_>),
) -> Result<(Report, State<MemKv>), AuditError> {
    let file = std::fs::File::open(path).map_err(|source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let options = Options {
        trust: trust.into_iter().collect(),
        ..Options::default()
    };
    walk_input(file, path, &options, visit)
}

fn walk_input(
    mut input: impl Read,
    path: &Path,
    options: &Options,
    visit: impl FnMut(Visit<'_>),
) -> Result<(Report, State<MemKv>), AuditError> {
    match journal::read_header(&mut input, path) {
        Ok(id) => {
            let reader = Reader::new(
                std::io::BufReader::with_capacity(1 << 20, input),
                journal::HEADER_LEN,
            );
            walk_records(id, reader, options, visit)
        }
        Err(e @ (JournalError::BadHeader { .. } | JournalError::BadVersion { .. })) => {
            let mut report = empty_report();
            report
                .findings
                .push(Finding::new(Code::JournalHeader, 0, e.to_string()));
            Ok((report, State::new(MemKv::default())))
        }
        Err(e) => Err(e.into()),
    }
}

fn empty_report() -> Report {
    Report {
        ledger_id: None,
        exam: None,
        time_zone: None,
        entries: 0,
        bags: 0,
        genesis_hash: None,
        genesis_trusted: None,
        head_hash: None,
        first_recorded: None,
        last_recorded: None,
        tree_size: 0,
        root: crate::format::merkle::empty_root(),
        checkpoints: Vec::new(),
        findings: Vec::new(),
        listed: Vec::new(),
        notices: Vec::new(),
    }
}

/// Compares the first record's hash with the genesis hashes the auditor trusts.
fn check_trust(report: &mut Report, trust: &[Hash], genesis: Hash, seq: u64) {
    if trust.is_empty() {
        return;
    }
    let ok = trust.contains(&genesis);
    report.genesis_trusted = Some(ok);
    if !ok {
        let trusted = match trust {
            [one] => format!("not the trusted {}", hex(one)),
            many => format!("none of the {} trusted hashes given", many.len()),
        };
        report.findings.push(Finding::new(
            Code::GenesisUntrusted,
            seq,
            format!("genesis hash is {}, {trusted}", hex(&genesis)),
        ));
    }
}

/// Whether a genesis carries a valid signature of every founder it names: then its ledger id is
/// the one they signed, whatever the journal header says.
fn genesis_signed(e: &DecodedEntry) -> bool {
    let Event::Genesis(g) = &e.body.event else {
        return false;
    };
    !e.entry.signatures.is_empty()
        && e.entry.signatures.iter().all(|s| {
            g.founders.iter().any(|f| {
                f.id == s.signer
                    && crate::format::signing::verify_body(
                        &f.public_key,
                        &e.entry.body,
                        &s.signature,
                    )
            })
        })
}

/// Records decoded and signature-checked ahead at a time.
const BATCH: usize = 1024;

/// Records in one piece of parallel work (a few hundred microseconds of signature checks).
const PIECE: usize = 8;

/// Every key enrolled so far, prepared once for the whole audit: decoded, and with a table of
/// its multiples once it has checked enough signatures (a few hundred keys sign a million events).
type Prepared = HashMap<[u8; 32], Arc<PreparedKey>>;

/// Each keyholder id's prepared keys, for one batch.
type BatchKeys<'a> = HashMap<&'a str, Vec<Arc<PreparedKey>>>;

/// A batch decoded, with its signatures checked ahead.
type Ahead = Vec<(Result<DecodedEntry, EntryError>, Vec<Verdict>)>;

fn read_batch<R: Read>(reader: &mut Reader<R>) -> Result<Vec<Record>, AuditError> {
    let mut batch = Vec::with_capacity(BATCH);
    while batch.len() < BATCH {
        let next = reader.next_record().map_err(|source| JournalError::Io {
            path: Path::new("journal").to_path_buf(),
            source,
        })?;
        match next {
            Some(record) => batch.push(record),
            None => break,
        }
    }
    Ok(batch)
}

/// Each keyholder id's public keys.
type Holders = HashMap<String, Vec<[u8; 32]>>;

/// Adds the keys that genesis and enrolment entries bring. Checking a signature ahead under a
/// key enrolled only later (or never for that signer) is harmless: the judge takes the verdict
/// under the key the roster holds for the signer at that entry, and no other.
fn add_enrolled<'a>(holders: &mut Holders, entries: impl Iterator<Item = &'a DecodedEntry>) {
    for e in entries {
        let keys: Vec<(&str, [u8; 32])> = match &e.body.event {
            Event::Genesis(g) => g
                .founders
                .iter()
                .map(|f| (f.id.as_str(), f.public_key))
                .collect(),
            Event::Enroll(k) => vec![(k.id.as_str(), k.public_key)],
            _ => continue,
        };
        for (id, key) in keys {
            let known = holders.entry(id.to_string()).or_default();
            if !known.contains(&key) {
                known.push(key);
            }
        }
    }
}

/// Decodes a batch and checks its signatures, in parallel, under the keys enrolled before it
/// (`holders`) and those enrolled inside it: a ledger's first batches, where the roster is
/// enrolled, are checked ahead like any other.
fn check_ahead(batch: &[Record], holders: &Holders, prepared: &Prepared) -> Ahead {
    // Small pieces, so that the cores finish a batch together: rayon splits a batch of 1,024 in
    // only a few large pieces unless told, and one core then checks the last piece alone.
    let decoded: Vec<Result<DecodedEntry, EntryError>> = batch
        .par_iter()
        .with_max_len(PIECE)
        .map(|record| DecodedEntry::decode(&record.bytes))
        .collect();
    let mut holders = holders.clone();
    add_enrolled(&mut holders, decoded.iter().filter_map(|d| d.as_ref().ok()));
    // A key enrolled inside this batch is not prepared yet: it is for this batch alone.
    let keys: BatchKeys = holders
        .iter()
        .map(|(id, ks)| {
            let prepared = ks
                .iter()
                .map(|k| {
                    prepared
                        .get(k)
                        .cloned()
                        .unwrap_or_else(|| Arc::new(PreparedKey::new(k)))
                })
                .collect();
            (id.as_str(), prepared)
        })
        .collect();
    let verdicts: Vec<Vec<Vec<Verdict>>> = decoded
        .par_chunks(PIECE)
        .map(|piece| verdicts_ahead(piece, &keys))
        .collect();
    decoded
        .into_iter()
        .zip(verdicts.into_iter().flatten())
        .collect()
}

/// A signature checked ahead: signature `index` of an entry under `key`.
struct Verdict {
    index: usize,
    key: [u8; 32],
    valid: bool,
}

/// Checks each signature of a piece's entries under every key its signer has been enrolled with
/// so far (usually one), with the one acceptance rule: the verdicts of each entry, in order.
fn verdicts_ahead(
    piece: &[Result<DecodedEntry, EntryError>],
    keys: &BatchKeys,
) -> Vec<Vec<Verdict>> {
    let messages: Vec<Option<Vec<u8>>> = piece
        .iter()
        .map(|d| d.as_ref().ok().map(|e| signed_message(&e.entry.body)))
        .collect();
    let mut checks = Vec::new();
    let mut out: Vec<Vec<Verdict>> = piece.iter().map(|_| Vec::new()).collect();
    for ((d, message), verdicts) in piece.iter().zip(&messages).zip(&mut out) {
        let (Ok(e), Some(message)) = (d, message) else {
            continue;
        };
        for (index, sig) in e.entry.signatures.iter().enumerate() {
            for key in keys.get(sig.signer.as_str()).into_iter().flatten() {
                checks.push((&**key, message.as_slice(), &sig.signature));
                verdicts.push(Verdict {
                    index,
                    key: *key.public_key(),
                    valid: false,
                });
            }
        }
    }
    let mut valid = verify_all(&checks).into_iter();
    for v in out.iter_mut().flatten() {
        v.valid = valid.next().expect("a verdict for each check");
    }
    out
}

fn walk_records<R: Read>(
    header_id: LedgerId,
    mut reader: Reader<R>,
    options: &Options,
    mut visit: impl FnMut(Visit<'_>),
) -> Result<(Report, State<MemKv>), AuditError> {
    let trust = options.trust.as_slice();
    let wanted = options.evidence.wanted();
    let mut observed = Observed {
        ledger_id: Some(header_id),
        ..Observed::default()
    };
    if wanted.sizes.contains(&0) {
        observed
            .roots
            .insert(0, crate::format::merkle::empty_root());
    }
    // Notes the root after `n` records and the leaf hash of record `n - 1`, if asked for.
    let note = |observed: &mut Observed,
                state: &State<MemKv>,
                n: u64,
                leaf: Hash|
     -> Result<(), StoreError> {
        if wanted.indices.contains(&(n - 1)) {
            observed.leaves.insert(n - 1, leaf);
        }
        if wanted.sizes.contains(&n) {
            observed.roots.insert(n, state.tree()?.root());
        }
        Ok(())
    };
    let mut report = empty_report();
    report.ledger_id = Some(header_id);
    let mut ledger_id = header_id;
    let mut state = State::new(MemKv::default());
    let mut next_seq = 0u64;
    // Batch after batch: while this thread judges one batch in order, another decodes the next
    // and checks its signatures ahead on every core. Signature verdicts never change the state,
    // so checking them ahead against the keys enrolled so far gives exactly the verdicts of
    // judging one by one; a signature whose key is enrolled meanwhile is checked in order, when
    // it is judged.
    let mut prepared = Prepared::new();
    let mut batch = read_batch(&mut reader)?;
    let mut ahead = check_ahead(&batch, &observed.holders, &prepared);
    let mut bytes_read = 0;
    while !batch.is_empty() {
        let following = read_batch(&mut reader)?;
        // The keys known once this batch is judged.
        let mut holders = observed.holders.clone();
        add_enrolled(
            &mut holders,
            ahead.iter().filter_map(|(d, _)| d.as_ref().ok()),
        );
        for k in holders.values().flatten() {
            prepared
                .entry(*k)
                .or_insert_with(|| Arc::new(PreparedKey::new(k)));
        }
        let mut following_ahead = Ahead::new();
        // The checks are a task of rayon's pool: a thread of the pool that runs out of work,
        // this one included once it has judged the batch, takes a share of them.
        rayon::in_place_scope(|scope| -> Result<(), AuditError> {
            scope.spawn(|_| following_ahead = check_ahead(&following, &holders, &prepared));
            for (record, (decoded, verdicts)) in batch.iter().zip(ahead) {
                report.entries += 1;
                let decoded = match decoded {
                    Ok(d) => d,
                    Err(e) => {
                        let mut f = vec![Finding::new(
                            Code::Encoding,
                            next_seq,
                            format!("record at byte {}: {e}", record.offset),
                        )];
                        f[0].record = Some(report.entries - 1);
                        visit(Visit {
                            offset: record.offset,
                            entry: None,
                            findings: &f,
                            state: &state,
                        });
                        report.findings.extend(f);
                        let leaf = crate::model::entry::leaf_hash(&record.bytes);
                        if report.entries == 1 {
                            report.genesis_hash = Some(leaf);
                            check_trust(&mut report, trust, leaf, 0);
                        }
                        state.skip_undecodable(leaf)?;
                        note(&mut observed, &state, report.entries, leaf)?;
                        next_seq += 1;
                        continue;
                    }
                };
                let seq = decoded.entry.seq;
                if report.entries == 1 {
                    report.genesis_hash = Some(decoded.hash);
                    if let Event::Genesis(g) = &decoded.body.event {
                        report.exam = Some(g.exam.clone());
                        report.time_zone = Some(g.time_zone.clone());
                    }
                    if decoded.body.ledger_id != header_id && genesis_signed(&decoded) {
                        // The founders signed another id than the header's: the header was
                        // changed. Judge the rest against the signed id; report the header once.
                        report.findings.push(Finding::new(
                            Code::JournalHeader,
                            seq,
                            "the journal header names another ledger than the genesis event",
                        ));
                        ledger_id = decoded.body.ledger_id;
                    }
                    check_trust(&mut report, trust, decoded.hash, seq);
                }
                let (mut findings, claims) = judge_but_signatures(&state, &decoded, &ledger_id)?;
                findings.extend(check_signatures_with(&decoded, &claims, |index, key| {
                    verdicts
                        .iter()
                        .find(|v| v.index == index && v.key == *key)
                        .map(|v| v.valid)
                }));
                for f in &mut findings {
                    f.record = Some(report.entries - 1);
                }
                visit(Visit {
                    offset: record.offset,
                    entry: Some(&decoded),
                    findings: &findings,
                    state: &state,
                });
                let listed = listed(&state, &decoded, &findings)?;
                report.findings.extend(findings);
                report
                    .first_recorded
                    .get_or_insert(decoded.entry.recorded_at);
                report.last_recorded = Some(decoded.entry.recorded_at);
                report.head_hash = Some(decoded.hash);
                match &decoded.body.event {
                    Event::Genesis(g) => {
                        observed.ledger_id = Some(ledger_id);
                        observed.ledger_key = Some(g.ledger_key);
                        for f in &g.founders {
                            observed
                                .holders
                                .entry(f.id.clone())
                                .or_default()
                                .push(f.public_key);
                        }
                    }
                    Event::Enroll(k) => observed
                        .holders
                        .entry(k.id.clone())
                        .or_default()
                        .push(k.public_key),
                    _ => {}
                }
                apply(&mut state, &decoded)?;
                if let Some(mut item) = listed {
                    if let Event::Policy(_) = &decoded.body.event
                        && let Some(p) = state
                            .pending_policies()?
                            .iter()
                            .rev()
                            .find(|p| p.seq == seq)
                    {
                        item.text
                            .push_str(&format!("; in force from {}", p.active_from));
                    }
                    report.listed.push(item);
                }
                note(&mut observed, &state, report.entries, decoded.hash)?;
                next_seq = seq.saturating_add(1);
            }
            Ok(())
        })?;
        if let (Some(progress), Some(last)) = (&options.progress, batch.last()) {
            progress
                .entries
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            progress
                .bytes
                .fetch_add(last.end() - bytes_read, Ordering::Relaxed);
            bytes_read = last.end();
        }
        batch = following;
        ahead = following_ahead;
    }
    match reader.end() {
        Some(End::Tail { offset, bytes }) => report.notices.push(format!(
            "the journal ends in an unacknowledged {bytes}-byte tail at byte {offset} (an interrupted append); the next writer cuts it"
        )),
        Some(End::Damaged { offset, reason }) => report.findings.push(Finding::new(
            Code::Framing,
            next_seq,
            format!("at byte {offset}: {reason}; nothing after it can be read"),
        )),
        _ => {}
    }
    if let (Some(as_of), Some(info)) = (report.last_recorded, state.ledger()?) {
        let policy = state.policy_at(as_of)?.unwrap_or_default();
        report.findings.extend(crate::rules::custody::open_items(
            &state,
            as_of,
            &policy,
            &info.time_zone,
        )?);
        report.bags = state.bag_count()?;
    }
    let tree = state.tree()?;
    report.tree_size = tree.size();
    report.root = tree.root();
    observed.size = tree.size();
    let (evidence_findings, checks) = crate::evidence::judge(&options.evidence, &observed);
    report.findings.extend(evidence_findings);
    report.checkpoints = checks;
    if report.entries == 0 {
        report.findings.push(Finding::new(
            Code::GenesisMissing,
            0,
            "the journal holds no entry",
        ));
        if !trust.is_empty() {
            report.genesis_trusted = Some(false);
        }
    }
    Ok((report, state))
}
