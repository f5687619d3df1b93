//! What people read: the read-only views of a ledger (the log, one bag's timeline, where every
//! bag is, the reconciliation sheet), tables, JSON, and the printable pages (handover receipts and
//! the HTML audit report). Nothing here takes the writer lock, opens the index or prints: the
//! `custody` binary owns the terminal, and an example or another program can print the same tables.

pub mod error;
pub mod html;
pub mod json;
pub mod labels;
pub mod log;
pub mod papers;
pub mod receipt;
pub mod report_html;
pub mod status;
pub mod table;
pub mod timeline;
