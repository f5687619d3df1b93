//! custody: an append-only, hash-chained ledger of co-signed custody events for sealed exam
//! papers, and the audit that re-checks it from the journal alone.
//!
//! The library knows nothing of terminals; the `custody` binary is a thin layer on top. The
//! folders are layers, and a module imports only from its own layer or the ones below it:
//!
//! | layer | what it holds |
//! |---|---|
//! | [`present`] | what people read: views, tables, JSON, receipts, the HTML report |
//! | [`ledger`] | the ledger directory and its one writer, bundles (export, backup, restore) |
//! | [`audit`] | the audit and held evidence |
//! | [`store`] | the journal, the index, drafts |
//! | [`rules`] | the state, the custody rules, what an entry changes, the judge |
//! | [`keys`] | personal key files, and keys on PKCS#11 tokens |
//! | [`lang`] | the Chinese and English catalogue, text layout, events in words |
//! | [`model`] | keyholders, policy, bags, events, entries, findings |
//! | [`format`] | canonical encoding, times, hashes, signatures, Merkle trees, signed notes, printable text, the register line |
//! | [`files`] | staged writes: the one way a file is written |
//!
//! (`keys` and `rules` both sit on `model` and `lang`, and neither uses the other.)

#![forbid(unsafe_code)]

pub mod audit;
pub mod files;
pub mod format;
pub mod keys;
pub mod lang;
pub mod ledger;
pub mod model;
pub mod present;
pub mod rules;
pub mod store;

// The short paths that the binary, the tests, the examples and the fuzz targets use.
pub use audit::{evidence, scan};
pub use format::{encoding, merkle, note, printable, register, signing, time};
pub use keys::{keyfile, token};
pub use lang::{i18n, summary};
pub use ledger::bundle;
pub use model::{bag, entry, event, finding, policy, roster};
pub use present::{html, receipt, report_html};
pub use rules::{custody, state};
pub use store::{draft, index, journal};
