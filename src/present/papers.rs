//! What the views show of a session's papers: a postponement with the original schedule, and a
//! voided version (the bag timeline, the reconciliation sheet).

use crate::format::time::Timestamp;
use crate::lang::i18n::{Lang, Msg};
use crate::rules::papers::{Postponed, Voided};
use crate::rules::state::{Kv, State, StoreError};
use serde_json::{Value, json};

/// A session's postponement and void, as the ledger holds them.
#[derive(Clone, Debug, Default)]
pub struct SessionPapers {
    pub postponed: Option<Postponed>,
    pub voided: Option<Voided>,
}

impl SessionPapers {
    pub fn of<K: Kv>(state: &State<K>, session: &str) -> Result<SessionPapers, StoreError> {
        Ok(SessionPapers {
            postponed: state.postponed(session)?,
            voided: state.voided(session)?,
        })
    }

    /// One line each: `postponed from 6月7日 09:00–11:30 (entry 14)`, `question papers voided
    /// (entry 15)`; times in `zone`.
    pub fn lines(&self, zone: &str, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = &self.postponed {
            out.push(lang.f(
                Msg::PostponedFrom,
                &[
                    ("span", &p.original_start.span_in(p.original_end, zone)),
                    ("seq", &p.seq),
                ],
            ));
        }
        if let Some(v) = &self.voided {
            out.push(lang.f(Msg::VoidedPapers, &[("seq", &v.seq)]));
        }
        out
    }

    /// `{"postponed": {"original_start", "original_end" (RFC 3339, UTC), "original_seq", "seq",
    /// "note"} or null, "voided": {"seq", "note"} or null}`.
    pub fn json(&self) -> Value {
        let time = |t: Timestamp| t.to_rfc3339();
        json!({
            "postponed": self.postponed.as_ref().map(|p| json!({
                "original_start": time(p.original_start),
                "original_end": time(p.original_end),
                "original_seq": p.original_seq,
                "seq": p.seq,
                "note": p.note,
            })),
            "voided": self.voided.as_ref().map(|v| json!({"seq": v.seq, "note": v.note})),
        })
    }
}
