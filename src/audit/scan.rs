//! A quick pass over a journal for the printed views (the handover receipt, the HTML report):
//! each entry decoded, with its co-signers as the roster stood before it, and the ledger state
//! after it.
//!
//! It judges nothing: no signature is checked and no rule applied. The audit does that, and the
//! views take their findings from its report; this pass only replays the state (the same
//! [`State::apply`] the audit uses), so it costs a decode and a state update per entry instead
//! of two signature checks. It reads any stream that starts with a journal header: a ledger's
//! journal file or the journal section of an export.

use crate::audit::verify::AuditError;
use crate::lang::i18n::{Lang, Msg};
use crate::model::entry::{DecodedEntry, leaf_hash};
use crate::model::event::Event;
use crate::model::roster::{Keyholder, Role};
use crate::rules::memstore::MemKv;
use crate::rules::state::State;
use crate::rules::transition::apply;
use crate::store::journal::{self, JournalError, Reader};
use serde::Serialize;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

/// A co-signer of an entry as the roster knew them when they signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cosigner {
    pub id: String,
    /// `None` when the roster does not know the id.
    pub name: Option<String>,
    pub roles: Vec<Role>,
    #[serde(skip)]
    pub public_key: Option<[u8; 32]>,
}

impl Cosigner {
    fn known(k: &Keyholder) -> Cosigner {
        Cosigner {
            id: k.id.clone(),
            name: Some(k.name.clone()),
            roles: k.roles.clone(),
            public_key: Some(k.public_key),
        }
    }

    /// `name (id)` (`姓名（id）` in Chinese), or the id alone when the roster does not know it.
    pub fn label(&self, lang: Lang) -> String {
        match &self.name {
            Some(name) => lang.f(Msg::NameId, &[("name", name), ("id", &self.id)]),
            None => self.id.clone(),
        }
    }
}

/// One record of the journal as the pass saw it.
pub struct Scanned<'a> {
    /// The record's position in the journal (0 for the first).
    pub position: u64,
    /// `None` when the record does not decode.
    pub entry: Option<&'a DecodedEntry>,
    /// The entry's co-signers, in signing order, as the roster stood before it.
    pub cosigners: Vec<Cosigner>,
    /// The state after the record.
    pub state: &'a State<MemKv>,
}

/// Reads the journal in `input` record by record, showing each to `visit` until it breaks, and
/// returns the state after the last record read. A stream whose header is not a journal header
/// holds nothing to show: the state is empty (the audit reports why).
pub fn scan(
    mut input: impl Read,
    label: &Path,
    mut visit: impl FnMut(Scanned<'_>) -> ControlFlow<()>,
) -> Result<State<MemKv>, AuditError> {
    let mut state = State::new(MemKv::default());
    match journal::read_header(&mut input, label) {
        Ok(_) => {}
        Err(JournalError::BadHeader { .. } | JournalError::BadVersion { .. }) => return Ok(state),
        Err(e) => return Err(e.into()),
    }
    let mut reader = Reader::new(
        std::io::BufReader::with_capacity(1 << 20, input),
        journal::HEADER_LEN,
    );
    let mut position = 0;
    loop {
        let record = reader.next_record().map_err(|source| JournalError::Io {
            path: label.to_path_buf(),
            source,
        })?;
        let Some(record) = record else { break };
        let decoded = DecodedEntry::decode(&record.bytes).ok();
        let cosigners = match &decoded {
            Some(e) => cosigners(&state, e)?,
            None => Vec::new(),
        };
        match &decoded {
            Some(e) => apply(&mut state, e)?,
            None => state.skip_undecodable(leaf_hash(&record.bytes))?,
        }
        let flow = visit(Scanned {
            position,
            entry: decoded.as_ref(),
            cosigners,
            state: &state,
        });
        if flow.is_break() {
            break;
        }
        position += 1;
    }
    Ok(state)
}

/// The signers of `e` as the roster before it knows them; a genesis names its own founders.
fn cosigners(state: &State<MemKv>, e: &DecodedEntry) -> Result<Vec<Cosigner>, AuditError> {
    e.body
        .signers
        .iter()
        .map(|id| {
            let known = match &e.body.event {
                Event::Genesis(g) => g.founders.iter().find(|f| &f.id == id).cloned(),
                _ => state.keyholder(id)?.map(|r| r.keyholder),
            };
            Ok(known.as_ref().map_or_else(
                || Cosigner {
                    id: id.clone(),
                    name: None,
                    roles: Vec::new(),
                    public_key: None,
                },
                Cosigner::known,
            ))
        })
        .collect()
}
