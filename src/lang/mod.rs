//! Words: the Chinese and English catalogue, text laid out for a terminal, and events in plain
//! words (the summary a signer reads, the one-line detail the audit lists).

pub mod i18n;
pub mod summary;
pub mod text;
