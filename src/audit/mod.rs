//! The audit and its evidence: the verification of a journal from its genesis (`verify`),
//! checkpoints and proofs held by an auditor (`evidence`), a quick pass over a journal for the
//! printable pages (`scan`) and exported bundles (`bundle`).

pub mod evidence;
pub mod scan;
pub mod verify;
