//! Storage: the journal file (the truth), the sled index (rebuildable), and draft files of events
//! waiting for signatures.

pub mod draft;
pub mod index;
pub mod journal;
