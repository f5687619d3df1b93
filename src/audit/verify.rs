//! The audit: re-derives everything from a journal alone, entry by entry, with the same judge
//! the append path uses, and memory bounded by the roster and the replay window.

use crate::format::signing::signed_message;
use crate::model::entry::{DecodedEntry, EntryError, Hash, LedgerId, hex};

use crate::audit::evidence::{CheckpointCheck, Evidence, Observed};
use crate::format::signing::{PreparedKey, verify_all};
use crate::format::time::Timestamp;
use crate::lang::i18n::{Lang, Msg};
use crate::model::bag::Correction;
use crate::model::event::Event;
use crate::model::finding::{Category, Code, Finding, refuses};
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
use std::ops::ControlFlow::{self, Break, Continue};
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
    /// Every schedule entry, first schedules and reschedules alike, in journal order: the
    /// timetable that decides every opening window, for an auditor to hold against the official
    /// one. One item per schedule entry (a county's exam has a dozen sessions).
    pub timetable: Vec<Scheduled>,
    /// Facts that are not findings, such as an unacknowledged tail left by a crash.
    pub notices: Vec<String>,
    /// The sessions scheduled with no post assigned anywhere: their events were judged by the
    /// role rules alone (docs/AUDIT.md). Listed, not findings: they do not fail the verdict.
    pub unassigned_sessions: Vec<String>,
}

/// One schedule entry of the timetable.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Scheduled {
    /// The entry's sequence number.
    pub seq: u64,
    pub session: String,
    pub subject: String,
    #[serde(serialize_with = "time")]
    pub start: Timestamp,
    #[serde(serialize_with = "time")]
    pub end: Timestamp,
    /// Whether the session was scheduled before (a reschedule).
    pub rescheduled: bool,
    /// When the signers say it was decided, and who signed it.
    #[serde(serialize_with = "time")]
    pub event_time: Timestamp,
    pub signers: Vec<String>,
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
    /// replaces; for a policy change, when it takes effect and every rule it changes against
    /// the policy in force when it was recorded, as `name: old -> new`).
    pub text: String,
    /// [`Listed::text`] in Chinese, for the text report (JSON keeps the English).
    #[serde(skip)]
    pub text_zh: String,
    /// The incident note (or the correction's note) the signers attached.
    pub note: Option<String>,
    /// The codes of the findings reported at this entry (a noted violation), in report order.
    pub finding_codes: Vec<Code>,
}

impl Listed {
    /// The one-line text in `lang`.
    pub fn text_in(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.text,
            Lang::Zh => &self.text_zh,
        }
    }
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
    let mut extra: Option<String> = None;
    let mut rescheduled = None;
    // What the entry changed, for the text: a reschedule's old times, a correction's old value.
    let mut change = None;
    let kind = match event {
        Event::Genesis(_) | Event::Enroll(_) | Event::Revoke(_) | Event::Grant(_) => {
            ListedKind::Roster
        }
        Event::Policy(new) => {
            let old = state.policy_at(e.entry.recorded_at)?.unwrap_or_default();
            let changes = old.changes(new);
            extra = Some(changes.join("; "));
            ListedKind::Policy
        }
        Event::Schedule(s) => match state.session(&s.session)? {
            Some(old) => {
                rescheduled = Some(old);
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
                    crate::model::bag::Correction::Seal(_) => Some(bag.spec.seal.clone()),
                    crate::model::bag::Correction::Count(_) => Some(bag.spec.count.to_string()),
                    crate::model::bag::Correction::BagId(_) => None,
                };
            }
            ListedKind::Correction
        }
        // A postponement is a schedule change, shown with the times it replaces; a void is
        // listed with the incidents, by its note.
        Event::Postpone(p) => {
            rescheduled = state.session(&p.session)?;
            ListedKind::Schedule
        }
        _ if note.is_some() => ListedKind::Incident,
        _ => return Ok(None),
    };
    // Times in the exam's zone, as people read them; the genesis names the zone itself.
    let zone = match event {
        Event::Genesis(g) => g.time_zone.clone(),
        _ => state
            .ledger()?
            .map_or_else(|| "UTC".to_string(), |l| l.time_zone),
    };
    let [text, text_zh] = Lang::ALL.map(|lang| {
        let mut text = crate::lang::summary::detail(event, &zone, lang);
        if let Some(old) = &rescheduled {
            text.push_str(&lang.f(
                Msg::ListedRescheduled,
                &[("span", &old.start.span_in(old.end, &zone))],
            ));
        }
        // In the reader's words: the old value, the rules a policy change changes.
        match extra.as_deref() {
            Some("") => text.push_str(lang.t(Msg::ListedNoRuleChanged)),
            Some(changes) => text.push_str(&lang.f(Msg::ListedChanges, &[("changes", &changes)])),
            None => {}
        }
        if let Some(old) = &change {
            text.push_str(&lang.f(Msg::ListedWas, &[("old", old)]));
        }
        text
    });
    Ok(Some(Listed {
        kind,
        seq: e.entry.seq,
        event: event.kind(),
        event_time: e.body.event_time,
        signers: e.body.signers.clone(),
        bags: event.bag_ids().into_iter().map(str::to_string).collect(),
        text,
        text_zh,
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
    /// Where the record ends in the journal.
    pub end: u64,
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

/// How far audits have got: records and journal bytes read, added once per batch; and the work
/// done, for a caller (a test) that checks the audit's cost grows with its input and no faster.
/// Audits running at once may share one.
#[derive(Debug, Default)]
pub struct Progress {
    entries: AtomicU64,
    bytes: AtomicU64,
    signature_checks: AtomicU64,
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

    /// Entry signatures checked so far (ahead or in order), each check counted once.
    pub fn signature_checks(&self) -> u64 {
        self.signature_checks.load(Ordering::Relaxed)
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
    rayon::scope(|_| walk_input(input, label, options, Finish::Report, |_| Continue(())))
        .map(|(report, _)| report)
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
    mut visit: impl FnMut(Visit<'_>),
) -> Result<(Report, State<MemKv>), AuditError> {
    let file = std::fs::File::open(path).map_err(|source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let options = Options {
        trust: trust.into_iter().collect(),
        ..Options::default()
    };
    walk_input(file, path, &options, Finish::Report, |v| {
        visit(v);
        Continue(())
    })
}

/// The state a writer's index starts from, built by the audit's pipeline (signatures checked
/// ahead on every core): the journal at `path` judged entry by entry up to, not including, the
/// first record that does not decode, has an integrity finding, or names another ledger than
/// the journal's header. The writer absorbs that record and the rest one by one, as it absorbs
/// an append, so that what it makes of damage does not depend on this path.
pub(crate) fn absorb_ahead(path: &Path, ledger_id: &LedgerId) -> Result<Absorbed, AuditError> {
    let file = std::fs::File::open(path).map_err(|source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut last = None;
    let (_, state) = rayon::scope(|_| {
        walk_input(file, path, &Options::default(), Finish::Stop, |v| {
            // The audit judges a journal whose header was changed against the id its founders
            // signed; a writer judges against the header's.
            let ours = v.entry.is_some_and(|e| e.body.ledger_id == *ledger_id);
            if !ours || v.findings.iter().any(|f| f.category == Category::Integrity) {
                return Break(());
            }
            last = Some((v.offset, v.end));
            Continue(())
        })
    })?;
    Ok(Absorbed { state, last })
}

/// What [`absorb_ahead`] built.
pub(crate) struct Absorbed {
    pub state: State<MemKv>,
    /// Where the last entry the state holds starts and ends in the journal; `None` if it holds
    /// none.
    pub last: Option<(u64, u64)>,
}

/// What a walk does once the entries are judged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Finish {
    /// The findings of the journal's end, of open items and of the evidence.
    Report,
    /// Nothing: only the state is wanted.
    Stop,
}

fn walk_input(
    mut input: impl Read,
    path: &Path,
    options: &Options,
    finish: Finish,
    visit: impl FnMut(Visit<'_>) -> ControlFlow<()>,
) -> Result<(Report, State<MemKv>), AuditError> {
    match journal::read_header(&mut input, path) {
        Ok(id) => {
            let reader = Reader::new(
                std::io::BufReader::with_capacity(1 << 20, input),
                journal::HEADER_LEN,
            );
            walk_records(id, reader, options, finish, visit)
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
        timetable: Vec::new(),
        notices: Vec::new(),
        unassigned_sessions: Vec::new(),
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

/// Each keyholder id's key as the roster holds it: the key of the id's latest enrolment (the
/// roster takes every enrolment, refused or not, and a revocation keeps the key). The judge
/// checks a signature under that key and no other, so it is the only key checked ahead: one
/// check per signature, however often an id was enrolled.
type Roster = HashMap<String, [u8; 32]>;

/// A batch decoded, with its signatures checked ahead: per entry, per signature, the verdict
/// under its signer's key at that position (`None` for a signer with no key).
type Ahead = Vec<(Result<DecodedEntry, EntryError>, Vec<Option<Verdict>>)>;

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

/// The keys a genesis or an enrolment puts on the roster, in the order the roster takes them.
fn enrolled(e: &DecodedEntry) -> Vec<(&str, [u8; 32])> {
    match &e.body.event {
        Event::Genesis(g) => g
            .founders
            .iter()
            .map(|f| (f.id.as_str(), f.public_key))
            .collect(),
        Event::Enroll(k) => vec![(k.id.as_str(), k.public_key)],
        _ => Vec::new(),
    }
}

/// Decodes a batch and checks each signature, in parallel, under the one key its signer holds
/// at that position: in `roster` as it stood two batches back, overlaid with the enrolments of
/// the batch before (`before`) and those of this batch up to the entry. A genesis is checked
/// under its own founders, as the judge does. Returns the batch's own enrolments too.
fn check_ahead(
    batch: &[Record],
    roster: &Roster,
    before: &Roster,
    prepared: &Prepared,
) -> (Ahead, Roster) {
    // Small pieces, so that the cores finish a batch together: rayon splits a batch of 1,024 in
    // only a few large pieces unless told, and one core then checks the last piece alone.
    let decoded: Vec<Result<DecodedEntry, EntryError>> = batch
        .par_iter()
        .with_max_len(PIECE)
        .map(|record| DecodedEntry::decode(&record.bytes))
        .collect();
    let mut mine = Roster::new();
    let keys: Vec<Vec<Option<[u8; 32]>>> = decoded
        .iter()
        .map(|d| {
            let Ok(e) = d else {
                return Vec::new();
            };
            let keys = e
                .entry
                .signatures
                .iter()
                .map(|s| match &e.body.event {
                    Event::Genesis(g) => g
                        .founders
                        .iter()
                        .find(|f| f.id == s.signer)
                        .map(|f| f.public_key),
                    _ => [&mine, before, roster]
                        .iter()
                        .find_map(|r| r.get(&s.signer).copied()),
                })
                .collect();
            for (id, key) in enrolled(e) {
                mine.insert(id.to_string(), key);
            }
            keys
        })
        .collect();
    // A key enrolled inside this batch is not prepared yet: it is for this batch alone.
    let local: Prepared = mine
        .values()
        .filter(|k| !prepared.contains_key(*k))
        .map(|k| (*k, Arc::new(PreparedKey::new(k))))
        .collect();
    let key = |k: &[u8; 32]| prepared.get(k).or_else(|| local.get(k)).cloned();
    let verdicts: Vec<Vec<Vec<Option<Verdict>>>> = decoded
        .par_chunks(PIECE)
        .zip(keys.par_chunks(PIECE))
        .map(|(piece, keys)| verdicts_ahead(piece, keys, &key))
        .collect();
    let ahead = decoded
        .into_iter()
        .zip(verdicts.into_iter().flatten())
        .collect();
    (ahead, mine)
}

/// A signature checked ahead: the key it was checked under, and the verdict.
struct Verdict {
    key: [u8; 32],
    valid: bool,
}

/// Checks each signature of a piece's entries under the key given for it, with the one
/// acceptance rule: the verdicts of each entry, by signature.
fn verdicts_ahead(
    piece: &[Result<DecodedEntry, EntryError>],
    keys: &[Vec<Option<[u8; 32]>>],
    prepared: &impl Fn(&[u8; 32]) -> Option<Arc<PreparedKey>>,
) -> Vec<Vec<Option<Verdict>>> {
    let messages: Vec<Option<Vec<u8>>> = piece
        .iter()
        .map(|d| d.as_ref().ok().map(|e| signed_message(&e.entry.body)))
        .collect();
    let mut held = Vec::new();
    let mut out: Vec<Vec<Option<Verdict>>> = Vec::with_capacity(piece.len());
    for ((d, message), keys) in piece.iter().zip(&messages).zip(keys) {
        let (Ok(e), Some(message)) = (d, message) else {
            out.push(Vec::new());
            continue;
        };
        let mut verdicts = Vec::with_capacity(keys.len());
        for (sig, key) in e.entry.signatures.iter().zip(keys) {
            let key = key.as_ref().and_then(prepared);
            verdicts.push(key.as_ref().map(|k| Verdict {
                key: *k.public_key(),
                valid: false,
            }));
            if let Some(k) = key {
                held.push((k, message.as_slice(), &sig.signature));
            }
        }
        out.push(verdicts);
    }
    let checks: Vec<(&PreparedKey, &[u8], &[u8; 64])> =
        held.iter().map(|(k, m, s)| (&**k, *m, *s)).collect();
    let mut valid = verify_all(&checks).into_iter();
    for v in out.iter_mut().flatten().flatten() {
        v.valid = valid.next().expect("a verdict for each check");
    }
    out
}

fn walk_records<R: Read>(
    header_id: LedgerId,
    mut reader: Reader<R>,
    options: &Options,
    finish: Finish,
    mut visit: impl FnMut(Visit<'_>) -> ControlFlow<()>,
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
    // and each signature is checked ahead under the key the roster will hold for its signer at
    // its position, so the verdicts are exactly those of judging one by one; a signature the
    // judge claims under another key (none does) would be checked in order, when judged.
    let mut prepared = Prepared::new();
    // The roster's keys before the batch being judged, and that batch's enrolments: the work
    // per batch grows with the batch, never with the roster or the journal before it.
    let mut roster = Roster::new();
    let mut batch = read_batch(&mut reader)?;
    let (mut ahead, mut batch_enrolled) = check_ahead(&batch, &roster, &Roster::new(), &prepared);
    let mut bytes_read = 0;
    let mut stopped = false;
    while !batch.is_empty() && !stopped {
        let following = read_batch(&mut reader)?;
        for k in batch_enrolled.values() {
            prepared
                .entry(*k)
                .or_insert_with(|| Arc::new(PreparedKey::new(k)));
        }
        let mut following_ahead = (Ahead::new(), Roster::new());
        // The checks are a task of rayon's pool: a thread of the pool that runs out of work,
        // this one included once it has judged the batch, takes a share of them.
        rayon::in_place_scope(|scope| -> Result<(), AuditError> {
            scope.spawn(|_| {
                following_ahead = check_ahead(&following, &roster, &batch_enrolled, &prepared)
            });
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
                        if visit(Visit {
                            offset: record.offset,
                            end: record.end(),
                            entry: None,
                            findings: &f,
                            state: &state,
                        })
                        .is_break()
                        {
                            stopped = true;
                            break;
                        }
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
                // Checks made ahead, and those made now for a verdict not checked ahead.
                let checks = std::cell::Cell::new(verdicts.iter().flatten().count() as u64);
                findings.extend(check_signatures_with(&decoded, &claims, |index, key| {
                    let ahead = verdicts
                        .get(index)
                        .and_then(Option::as_ref)
                        .filter(|v| v.key == *key)
                        .map(|v| v.valid);
                    if ahead.is_none() {
                        checks.set(checks.get() + 1);
                    }
                    ahead
                }));
                if let Some(progress) = &options.progress {
                    progress
                        .signature_checks
                        .fetch_add(checks.get(), Ordering::Relaxed);
                }
                for f in &mut findings {
                    f.record = Some(report.entries - 1);
                }
                if visit(Visit {
                    offset: record.offset,
                    end: record.end(),
                    entry: Some(&decoded),
                    findings: &findings,
                    state: &state,
                })
                .is_break()
                {
                    stopped = true;
                    break;
                }
                let listed = listed(&state, &decoded, &findings)?;
                if let Event::Schedule(s) = &decoded.body.event {
                    report.timetable.push(Scheduled {
                        seq,
                        session: s.session.clone(),
                        subject: s.subject.clone(),
                        start: s.start,
                        end: s.end,
                        rescheduled: state.session(&s.session)?.is_some(),
                        event_time: decoded.body.event_time,
                        signers: decoded.body.signers.clone(),
                    });
                }
                // A postponement is a change of the timetable: listed under its first schedule.
                if let Event::Postpone(p) = &decoded.body.event
                    && let Some(old) = state.session(&p.session)?
                {
                    report.timetable.push(Scheduled {
                        seq,
                        session: p.session.clone(),
                        subject: old.subject,
                        start: p.start,
                        end: p.end,
                        rescheduled: true,
                        event_time: decoded.body.event_time,
                        signers: decoded.body.signers.clone(),
                    });
                }
                // A barcode correction accepted puts right the findings about the wrong id at
                // the entry it corrects: still listed, shown as corrected.
                if let Event::Correct(c) = &decoded.body.event
                    && matches!(c.fix, Correction::BagId(_))
                    && !refuses(&findings, true)
                {
                    for f in report.findings.iter_mut().filter(|f| {
                        f.seq == c.seq && f.bag.as_deref() == Some(&c.bag) && f.corrected.is_none()
                    }) {
                        f.corrected = Some(seq);
                    }
                }
                report.findings.extend(findings);
                report
                    .first_recorded
                    .get_or_insert(decoded.entry.recorded_at);
                report.last_recorded = Some(decoded.entry.recorded_at);
                report.head_hash = Some(decoded.hash);
                apply(&mut state, &decoded)?;
                // The roster as the state just took it, by record (a leaf of the tree), for the
                // checkpoints judged at the end.
                let at = report.entries - 1;
                match &decoded.body.event {
                    Event::Genesis(g) => {
                        observed.ledger_id = Some(ledger_id);
                        observed.ledger_key = Some(g.ledger_key);
                        for f in &g.founders {
                            observed.enrolled(&f.id, f, at);
                        }
                    }
                    Event::Enroll(k) => observed.enrolled(&k.id, k, at),
                    Event::Revoke(r)
                        if state
                            .keyholder(&r.id)?
                            .is_some_and(|k| k.revoked_seq == Some(seq)) =>
                    {
                        observed.revoked(&r.id, at)
                    }
                    _ => {}
                }
                if let Some(mut item) = listed {
                    if let Event::Policy(_) = &decoded.body.event
                        && let Some(p) = state
                            .pending_policies()?
                            .iter()
                            .rev()
                            .find(|p| p.seq == seq)
                    {
                        let zone = state
                            .ledger()?
                            .map_or_else(|| "UTC".to_string(), |l| l.time_zone);
                        let at = p.active_from.display_in(&zone);
                        item.text
                            .push_str(&Lang::En.f(Msg::ListedInForce, &[("at", &at)]));
                        item.text_zh
                            .push_str(&Lang::Zh.f(Msg::ListedInForce, &[("at", &at)]));
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
        roster.extend(batch_enrolled);
        batch = following;
        (ahead, batch_enrolled) = following_ahead;
    }
    if finish == Finish::Stop {
        return Ok((report, state));
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
        report.unassigned_sessions = state.unassigned_sessions()?;
    }
    let tree = state.tree()?;
    report.tree_size = tree.size();
    report.root = tree.root();
    observed.size = tree.size();
    let (evidence_findings, checks) = crate::audit::evidence::judge(&options.evidence, &observed);
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
