//! The audit: re-derives everything from a journal alone, entry by entry, with the same judge
//! the append path uses, and memory bounded by the roster and the replay window.

use crate::entry::{DecodedEntry, Hash, LedgerId, hex};

use crate::event::Event;
use crate::finding::{Code, Finding};
use crate::journal::{self, End, JournalError, Reader};
use crate::rules::judge;
use crate::state::{MemKv, State, StoreError};
use crate::time::Timestamp;
use serde::Serialize;
use std::io::Read;
use std::path::Path;

/// Why an audit could not run at all (as opposed to findings, which it reports).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the audit found.
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
    pub first_recorded: Option<Timestamp>,
    pub last_recorded: Option<Timestamp>,
    pub findings: Vec<Finding>,
    /// Facts that are not findings, such as an unacknowledged tail left by a crash.
    pub notices: Vec<String>,
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

/// Audits the journal file at `path`.
pub fn verify(path: &Path, trust: Option<Hash>) -> Result<Report, AuditError> {
    walk(path, trust, |_| {})
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
    let mut file = std::fs::File::open(path).map_err(|source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    match journal::read_header(&mut file, path) {
        Ok(id) => {
            let reader = Reader::new(
                std::io::BufReader::with_capacity(1 << 20, file),
                journal::HEADER_LEN,
            );
            walk_records(id, reader, trust, visit)
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
        findings: Vec::new(),
        notices: Vec::new(),
    }
}

fn walk_records<R: Read>(
    header_id: LedgerId,
    mut reader: Reader<R>,
    trust: Option<Hash>,
    mut visit: impl FnMut(Visit<'_>),
) -> Result<(Report, State<MemKv>), AuditError> {
    let mut report = empty_report();
    report.ledger_id = Some(header_id);
    let mut ledger_id = header_id;
    let mut state = State::new(MemKv::default());
    let mut next_seq = 0u64;
    let path = Path::new("journal");
    while let Some(record) = reader.next_record().map_err(|source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    })? {
        report.entries += 1;
        let decoded = match DecodedEntry::decode(&record.bytes) {
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
                state.skip_undecodable(crate::entry::leaf_hash(&record.bytes))?;
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
            if decoded.body.ledger_id != header_id {
                // Judge the rest against the id the genesis signers signed; report the header once.
                report.findings.push(Finding::new(
                    Code::JournalHeader,
                    seq,
                    "the journal header names another ledger than the genesis event",
                ));
                ledger_id = decoded.body.ledger_id;
            }
            if let Some(trusted) = trust {
                let ok = trusted == decoded.hash;
                report.genesis_trusted = Some(ok);
                if !ok {
                    report.findings.push(Finding::new(
                        Code::GenesisUntrusted,
                        seq,
                        format!(
                            "genesis hash is {}, not the trusted {}",
                            hex(&decoded.hash),
                            hex(&trusted)
                        ),
                    ));
                }
            }
        }
        let mut findings = judge(&state, &decoded, &ledger_id)?;
        for f in &mut findings {
            f.record = Some(report.entries - 1);
        }
        visit(Visit {
            offset: record.offset,
            entry: Some(&decoded),
            findings: &findings,
            state: &state,
        });
        report.findings.extend(findings);
        report
            .first_recorded
            .get_or_insert(decoded.entry.recorded_at);
        report.last_recorded = Some(decoded.entry.recorded_at);
        report.head_hash = Some(decoded.hash);
        state.apply(&decoded)?;
        next_seq = seq.saturating_add(1);
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
        report.findings.extend(crate::custody::open_items(
            &state,
            as_of,
            &policy,
            &info.time_zone,
        )?);
        report.bags = state.bags()?.len() as u64;
    }
    if report.entries == 0 {
        report.findings.push(Finding::new(
            Code::GenesisMissing,
            0,
            "the journal holds no entry",
        ));
        if trust.is_some() {
            report.genesis_trusted = Some(false);
        }
    }
    Ok((report, state))
}
