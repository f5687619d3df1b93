//! The ledger's vocabulary, as it is signed: keyholders and roles, the policy, bags, events,
//! entries and findings. Types and their own checks; no rule that needs the ledger's state.

pub mod bag;
pub mod entry;
pub mod event;
pub mod finding;
pub mod policy;
pub mod roster;
