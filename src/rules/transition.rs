//! What an entry changes: the roster, the policy and the chain's bookkeeping (the state's own
//! part, [`State::ledger_transition`]) and, for a custody event, its bags, sessions and room
//! tallies ([`custody::transition`]). The audit follows the journal as written, whatever the
//! rules said of an entry, so that one bad entry is reported once, not at every entry after it.

use crate::model::entry::DecodedEntry;
use crate::model::event::Event;
use crate::rules::custody;
use crate::rules::state::{Batch, Kv, State, StoreError};

/// The writes an entry makes, for a caller that adds its own to the same batch.
pub fn transition<K: Kv>(state: &State<K>, e: &DecodedEntry) -> Result<Batch, StoreError> {
    let mut batch = state.ledger_transition(e)?;
    match &e.body.event {
        Event::Genesis(_)
        | Event::Enroll(_)
        | Event::Policy(_)
        | Event::Revoke(_)
        | Event::Grant(_) => {}
        Event::Assign(a) => {
            crate::rules::posts::transition(state, e.entry.seq, e.body.event_time, a, &mut batch)?
        }
        _ => custody::transition(state, e.entry.seq, &e.body, &mut batch)?,
    }
    Ok(batch)
}

/// The state change an entry makes, written.
pub fn apply<K: Kv>(state: &mut State<K>, e: &DecodedEntry) -> Result<(), StoreError> {
    let batch = transition(state, e)?;
    state.write(batch)
}
