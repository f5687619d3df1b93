//! `custody receipt SEQ`: the handover receipt (交接单) of one entry, as text for a receipt
//! printer, as a one-page A4 HTML document (`--html FILE`), or as JSON. It reads the journal
//! without the writer lock, like every other view.

use crate::cli::ReceiptArgs;
use crate::fail::{EXIT_STORAGE, Fail, input};
use custody::i18n::Msg;
use custody::journal::JournalError;
use custody::receipt::{ReceiptError, find};
use std::path::Path;

fn receipt_fail(e: ReceiptError) -> Fail {
    let lang = crate::lang();
    let damaged = |message: String| Fail {
        code: EXIT_STORAGE,
        message,
        hint: None,
    };
    match e {
        ReceiptError::NoEntry { seq, entries } => {
            input(lang.f(Msg::ReceiptNoEntry, &[("seq", &seq), ("entries", &entries)]))
        }
        ReceiptError::Undecodable(seq) => {
            damaged(lang.f(Msg::ReceiptUndecodable, &[("seq", &seq)]))
        }
        ReceiptError::BadSignature { seq, signer } => damaged(lang.f(
            Msg::ReceiptBadSignature,
            &[("seq", &seq), ("signer", &signer)],
        )),
        ReceiptError::CheckpointMismatch { size } => {
            damaged(lang.f(Msg::ReceiptCheckpointMismatch, &[("size", &size)]))
        }
        ReceiptError::Audit(a) => a.into(),
        other => damaged(other.to_string()),
    }
}

pub fn receipt(dir: &Path, a: ReceiptArgs) -> Result<u8, Fail> {
    if let Some(out) = &a.html {
        crate::fail::fresh(out)?;
    }
    let path = custody::ledger::journal_path(dir)?;
    let checkpoint = custody::ledger::read_checkpoint(dir)?;
    let journal = std::fs::File::open(&path).map_err(|source| JournalError::Io {
        path: path.clone(),
        source,
    })?;
    let handover = find(journal, &path, a.seq, checkpoint.as_ref()).map_err(receipt_fail)?;
    let lang = crate::lang();
    if let Some(out) = &a.html {
        crate::html::write_page(out, &handover.html(lang))?;
    }
    if a.json {
        crate::views::emit(&format!("{}\n", handover.json()));
    } else if a.html.is_none() {
        crate::views::emit(&handover.text(lang));
    }
    Ok(0)
}
