//! custody: an append-only, hash-chained ledger of co-signed custody events for sealed exam
//! papers, and the audit that re-checks it from the journal alone.
//!
//! The library knows nothing of terminals; the `custody` binary is a thin layer on top.
//! Where to look: `encoding` (canonical bytes), `entry` (entries, bodies, hashes), `signing`
//! (signature rule), `keyfile` (personal key files), `token` (keys on PKCS#11 tokens), `roster`
//! and `policy` (who may sign what), `rules` (the judge), `state` (what entries change),
//! `journal` and `index` (storage), `ledger` (the writer), `audit` (verification), `merkle`
//! (tree hashes), `receipt` and `report_html` (the printable pages, on `html` and the quick
//! journal pass of `scan`).

#![forbid(unsafe_code)]

pub mod audit;
pub mod bag;
pub mod bundle;
pub mod custody;
pub mod draft;
pub mod encoding;
pub mod entry;
pub mod event;
pub mod evidence;
pub mod finding;
pub mod html;
pub mod i18n;
pub mod index;
pub mod journal;
pub mod keyfile;
pub mod ledger;
mod memstore;
pub mod merkle;
pub mod note;
pub mod policy;
pub mod receipt;
pub mod report_html;
pub mod roster;
pub mod rules;
pub mod scan;
pub mod signing;
pub mod state;
pub mod summary;
pub mod time;
pub mod token;
pub mod views;
