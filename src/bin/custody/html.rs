//! The printable pages on the command line: writing them (never over an existing file, never
//! half), and the HTML audit report of `custody verify --html`.

use crate::fail::{EXIT_INPUT, EXIT_STORAGE, Fail};
use custody::audit::verify::Report;
use custody::i18n::Msg;
use custody::journal::JournalError;
use custody::report_html::AuditPage;
use std::io::ErrorKind;
use std::path::Path;

/// Writes a page whole or not at all, and says so on stderr. A place that cannot hold the file
/// (no such directory, no permission) is bad input; a failing disk is a storage failure.
pub(crate) fn write_page(out: &Path, page: &str) -> Result<(), Fail> {
    crate::fail::fresh(out)?;
    custody::journal::write_atomic(out, page.as_bytes()).map_err(|e| {
        let code = match e.kind() {
            ErrorKind::NotFound | ErrorKind::PermissionDenied | ErrorKind::IsADirectory => {
                EXIT_INPUT
            }
            _ => EXIT_STORAGE,
        };
        Fail {
            code,
            message: format!("{}: {e}", out.display()),
            hint: None,
        }
    })?;
    eprintln!(
        "{}",
        crate::lang().f(
            Msg::HtmlWrote,
            &[("path", &out.display()), ("bytes", &page.len())]
        )
    );
    Ok(())
}

/// `custody verify --html FILE`: the report as a page, with the bag timelines read from the
/// journal that was audited (the ledger's, or the one inside `bundle`).
pub(crate) fn audit_page(
    dir: &Path,
    bundle: Option<&Path>,
    report: &Report,
    out: &Path,
) -> Result<(), Fail> {
    let page = match bundle {
        Some(file) => {
            let opened = custody::bundle::open(file)?;
            AuditPage::collect(report, opened.journal, file)?
        }
        None => {
            let path = custody::ledger::journal_path(dir)?;
            let journal = std::fs::File::open(&path).map_err(|source| JournalError::Io {
                path: path.clone(),
                source,
            })?;
            AuditPage::collect(report, journal, &path)?
        }
    };
    write_page(out, &page.html(crate::lang()))
}
