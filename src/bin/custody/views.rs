//! Read-only views of the ledger: log, show, the audit report, bag timelines, status and
//! reconciliation. They read the
//! journal directly (never the writer lock, never the index); rows, tables and JSON come from
//! `custody::views`, and this module only prints them.

use crate::cli::{BagArgs, LogArgs, StatusArgs};
use crate::fail::{EXIT_STORAGE, Fail, input};
use crate::lang;
use custody::audit::verify::{self as audit, Report, Visit};
use custody::entry::hex;
use custody::event::Event;
use custody::finding::Code;
use custody::i18n::{Lang, Msg};
use custody::lang::text::DEFAULT_WIDTH;
use custody::present::error::ViewError;
use custody::present::json::entry_json;
use custody::present::log::LogFilter;
use custody::present::status::Status;
use custody::summary::detail_was;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

fn journal(dir: &Path) -> Result<PathBuf, Fail> {
    Ok(custody::ledger::journal_path(dir)?)
}

/// A journal whose header cannot be read holds nothing to show.
pub(crate) fn readable(report: &Report) -> Result<(), Fail> {
    match report
        .findings
        .iter()
        .find(|f| matches!(f.code, Code::JournalHeader | Code::GenesisMissing))
    {
        Some(f) if report.entries == 0 => Err(Fail {
            code: EXIT_STORAGE,
            message: format!("cannot read the journal: {}", f.message),
            hint: Some("run `custody verify` for the audit".into()),
        }),
        _ => Ok(()),
    }
}

/// Says on stderr that the audit found something, without failing the view.
fn note_findings(report: &Report) {
    if !report.is_clean() {
        eprintln!(
            "{}",
            lang().f(Msg::NoteAuditFindings, &[("n", &report.findings.len())])
        );
    }
}

fn view_fail(e: ViewError) -> Fail {
    match e {
        ViewError::Audit(a) => a.into(),
        ViewError::UnknownBag(_) => Fail {
            hint: Some("check the barcode; `custody status` lists every bag".into()),
            ..input(e.to_string())
        },
        other => input(other.to_string()),
    }
}

/// The width to fit: `COLUMNS` when it is set to a sensible number, else 80.
fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| (40..=1000).contains(w))
        .unwrap_or(DEFAULT_WIDTH)
}

/// Writes to stdout, ignoring a closed pipe (`custody log | head`). Everything printed passes
/// here, journal text included: what could steer or reorder a terminal is shown as `\u{..}`.
/// (In JSON, serde has already escaped the control characters; the rest stays readable.)
pub(crate) fn emit(text: &str) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let _ = out.write_all(custody::printable::neutralise(text).as_bytes());
    let _ = out.flush();
}

/// `custody log`: the entries that pass the filters, as a table or a JSON array of entries.
pub fn log(dir: &Path, a: &LogArgs) -> Result<u8, Fail> {
    // A bad kind is bad input whatever the ledger holds.
    if let Some(k) = &a.kind {
        custody::present::log::parse_kind(k).map_err(input)?;
    }
    let path = journal(dir)?;
    let zone = if a.since.is_some() || a.until.is_some() {
        custody::present::labels::exam_zone(&path)?.unwrap_or_else(|| "UTC".into())
    } else {
        "UTC".into()
    };
    let filter = LogFilter::parse(
        a.bag.as_deref(),
        a.kind.as_deref(),
        a.since.as_deref(),
        a.until.as_deref(),
        &zone,
    )
    .map_err(input)?;

    let report = if a.json {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let mut first = true;
        let _ = write!(out, "[");
        let report = custody::present::log::walk_log(&path, &filter, |item| {
            let Some(e) = item.entry else { return };
            let sep = if first { "" } else { "," };
            let _ = write!(out, "{sep}\n{}", entry_json(e, item.findings));
            first = false;
        })?;
        let _ = writeln!(out, "\n]");
        let _ = out.flush();
        readable(&report)?;
        report
    } else {
        let lang = lang();
        let mut table = custody::present::log::log_table(lang);
        let report = custody::present::log::walk_log(&path, &filter, |item| {
            table.push(custody::present::log::log_row(&item, lang))
        })?;
        readable(&report)?;
        let exam = report
            .exam
            .clone()
            .unwrap_or_else(|| lang.t(Msg::UnknownExam).into());
        let zone = report.time_zone.as_deref().unwrap_or("UTC");
        let shown = table.len();
        emit(&format!(
            "{}\n{}",
            lang.f(
                Msg::LogHead,
                &[
                    ("exam", &exam),
                    ("shown", &shown),
                    ("n", &report.entries),
                    ("zone", &custody::time::zone_heading(zone))
                ]
            ),
            table.render(width())
        ));
        report
    };
    note_findings(&report);
    Ok(0)
}

/// `custody bag ID`: one bag's timeline.
pub fn bag(dir: &Path, a: &BagArgs) -> Result<u8, Fail> {
    let path = journal(dir)?;
    let (report, state) = audit::replay(&path)?;
    readable(&report)?;
    // JSON never changes with the language.
    let lang = if a.json { Lang::En } else { lang() };
    let timeline =
        custody::present::timeline::bag_timeline(&path, &state, &a.id, lang).map_err(view_fail)?;
    if a.json {
        emit(&format!("{}\n", timeline.json()));
    } else {
        emit(&timeline.render(width()));
    }
    note_findings(&report);
    Ok(0)
}

/// `custody status`: where every bag is; with `--session`, the reconciliation sheet.
pub fn status(dir: &Path, a: &StatusArgs) -> Result<u8, Fail> {
    let path = journal(dir)?;
    let (report, state) = audit::replay(&path)?;
    readable(&report)?;
    match &a.session {
        Some(session) => {
            let sheet = custody::present::status::reconcile(&state, session, a.site.as_deref())
                .map_err(view_fail)?;
            if a.json {
                emit(&format!("{}\n", sheet.json()));
            } else {
                emit(&sheet.render(width(), lang()));
            }
        }
        None => {
            let status = Status::new(&state, report.last_recorded, a.site.as_deref())
                .map_err(|e| view_fail(e.into()))?;
            if a.json {
                emit(&format!("{}\n", status.json()));
            } else {
                emit(&status.render(width(), lang()));
            }
        }
    }
    note_findings(&report);
    Ok(0)
}

fn zone_of(v: &Visit<'_>, zone: &mut String) {
    if let Some(e) = v.entry
        && let Event::Genesis(g) = &e.body.event
    {
        *zone = g.time_zone.clone();
    }
}

/// `custody show SEQ`: one entry in full.
pub fn show(dir: &Path, seq: u64, json_out: bool) -> Result<u8, Fail> {
    let path = journal(dir)?;
    let mut zone = String::from("UTC");
    let mut shown = false;
    let mut text = String::new();
    let mut value = Value::Null;
    let report = audit::walk(&path, None, |v| {
        zone_of(&v, &mut zone);
        let Some(e) = v.entry else { return };
        if shown || e.entry.seq != seq {
            return;
        }
        shown = true;
        if json_out {
            value = entry_json(e, v.findings);
            return;
        }
        let name = |id: &str| -> String {
            match &e.body.event {
                Event::Genesis(g) => g
                    .founders
                    .iter()
                    .find(|f| f.id == id)
                    .map(|f| f.name.clone()),
                _ => v
                    .state
                    .keyholder(id)
                    .ok()
                    .flatten()
                    .map(|r| r.keyholder.name),
            }
            .unwrap_or_else(|| "?".into())
        };
        let (b, lang) = (&e.body, lang());
        let mut t = String::new();
        let mut field = |label: Msg, value: String| {
            t.push_str(&format!(
                "{} {value}\n",
                custody::lang::text::pad(lang.t(label), 12, custody::lang::text::Align::Left)
            ));
        };
        field(Msg::ShowEntry, e.entry.seq.to_string());
        field(Msg::ShowHash, hex(&e.hash));
        field(Msg::ShowPrevious, hex(&e.entry.prev_hash));
        field(Msg::ShowRecorded, e.entry.recorded_at.display_in(&zone));
        field(Msg::ShowEventTime, b.event_time.display_in(&zone));
        field(Msg::ShowEvent, lang.event(b.event.kind()).to_string());
        let was = custody::rules::papers::correction_was(v.state, &b.event)
            .ok()
            .flatten();
        field(
            Msg::ShowDetail,
            detail_was(&b.event, &zone, lang, was.as_deref()),
        );
        field(
            Msg::ShowSignedAt,
            lang.f(
                Msg::ShowHead,
                &[("size", &b.head.size), ("hash", &hex(&b.head.hash))],
            ),
        );
        field(Msg::ShowNonce, hex(&b.nonce));
        for s in &e.entry.signatures {
            field(
                Msg::ShowSignedBy,
                format!("{} ({})  {}", s.signer, name(&s.signer), hex(&s.signature)),
            );
        }
        for f in v.findings {
            field(
                Msg::ShowFinding,
                format!(
                    "{}: {}",
                    f.code,
                    custody::present::labels::finding_text(f, lang)
                ),
            );
        }
        text = t;
    })?;
    readable(&report)?;
    if !shown {
        return Err(input(
            lang().f(Msg::NoSuchEntry, &[("seq", &seq), ("n", &report.entries)]),
        ));
    }
    if json_out {
        outln!("{value}");
    } else {
        out!("{text}");
    }
    Ok(0)
}
