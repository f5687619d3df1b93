//! Why a view cannot be shown (as opposed to findings, which the audit reports).

use crate::audit::verify::AuditError;
use crate::rules::state::StoreError;

/// Why a view cannot be shown (as opposed to findings, which the audit reports).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    #[error("no bag {0} in the ledger")]
    UnknownBag(String),
    #[error("no session {id} in the ledger{}", known_sessions(known))]
    UnknownSession { id: String, known: Vec<String> },
    #[error(transparent)]
    Audit(#[from] AuditError),
}

impl From<StoreError> for ViewError {
    fn from(e: StoreError) -> ViewError {
        ViewError::Audit(AuditError::Store(e))
    }
}

fn known_sessions(known: &[String]) -> String {
    if known.is_empty() {
        " (none is scheduled)".into()
    } else {
        format!(": it has {}", known.join(", "))
    }
}
