//! The log: which entries `custody log` lists (its filters) and its rows.

use crate::audit::verify::{self as audit, AuditError};
use crate::format::time::Timestamp;
use crate::lang::i18n::{Lang, Msg};
use crate::lang::summary::detail_was;
use crate::model::bag::Correction;
use crate::model::entry::DecodedEntry;
use crate::model::event::Event;
use crate::model::finding::Finding;
use crate::model::policy::EventKind;
use crate::present::labels::short_time;
use crate::present::table::Table;
use crate::rules::papers::correction_was;
use std::path::Path;

/// Reads an event kind as `custody log --kind` takes it ([`EventKind::as_str`]).
pub fn parse_kind(text: &str) -> Result<EventKind, String> {
    EventKind::ALL
        .into_iter()
        .find(|k| k.as_str() == text.trim())
        .ok_or_else(|| {
            let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
            format!(
                "--kind {text:?} is not an event kind: use one of {}",
                names.join(", ")
            )
        })
}

/// Which entries `custody log` lists: every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Entries that name this barcode: the bags of the event, or the new barcode of a
    /// correction. (`custody bag` also follows a barcode through its corrections.)
    pub bag: Option<String>,
    pub kind: Option<EventKind>,
    /// Event time at or after.
    pub since: Option<Timestamp>,
    /// Event time at or before.
    pub until: Option<Timestamp>,
}

impl LogFilter {
    /// The filter of `custody log`'s flags; times without an offset are read in `zone`. The
    /// error names the flag and says what to type.
    pub fn parse(
        bag: Option<&str>,
        kind: Option<&str>,
        since: Option<&str>,
        until: Option<&str>,
        zone: &str,
    ) -> Result<LogFilter, String> {
        let time = |t: Option<&str>, flag: &str| {
            t.map(|t| Timestamp::parse(t, zone).map_err(|e| format!("{flag}: {e}")))
                .transpose()
        };
        let filter = LogFilter {
            bag: bag.map(str::to_string),
            kind: kind.map(parse_kind).transpose()?,
            since: time(since, "--since")?,
            until: time(until, "--until")?,
        };
        if let (Some(a), Some(b)) = (filter.since, filter.until)
            && a > b
        {
            return Err(format!(
                "--since {} is after --until {}: nothing can match",
                a.display_in(zone),
                b.display_in(zone)
            ));
        }
        Ok(filter)
    }

    pub fn matches(&self, e: &DecodedEntry) -> bool {
        let event = &e.body.event;
        let t = e.body.event_time;
        self.kind.is_none_or(|k| event.kind() == k)
            && self.since.is_none_or(|s| t >= s)
            && self.until.is_none_or(|u| t <= u)
            && self.bag.as_deref().is_none_or(|id| names_bag(event, id))
    }
}

/// Whether an event names the bag `id`, as one of its bags or as a correction's new barcode.
pub fn names_bag(event: &Event, id: &str) -> bool {
    let renamed_to =
        |c: &crate::model::event::Correct| matches!(&c.fix, Correction::BagId(new) if new == id);
    event.bag_ids().contains(&id) || matches!(event, Event::Correct(c) if renamed_to(c))
}

/// One record of the journal as the log shows it.
pub struct LogItem<'a> {
    /// Where the record starts in the journal file.
    pub offset: u64,
    /// `None` when the record does not decode.
    pub entry: Option<&'a DecodedEntry>,
    pub findings: &'a [Finding],
    /// The exam's zone (UTC until the genesis is read).
    pub zone: &'a str,
    /// What a seal or count correction replaces (the ledger's value before it).
    pub was: Option<String>,
}

/// Audits the journal and shows `visit` each entry that passes `filter`, in journal order.
/// Records that do not decode pass every filter: what they held is unknown.
pub fn walk_log(
    path: &Path,
    filter: &LogFilter,
    mut visit: impl FnMut(LogItem<'_>),
) -> Result<audit::Report, AuditError> {
    let mut zone: Option<String> = None;
    audit::walk(path, None, |v| {
        if zone.is_none()
            && let Some(e) = v.entry
            && let Event::Genesis(g) = &e.body.event
        {
            zone = Some(g.time_zone.clone());
        }
        if let Some(e) = v.entry
            && !filter.matches(e)
        {
            return;
        }
        let was = v
            .entry
            .and_then(|e| correction_was(v.state, &e.body.event).ok().flatten());
        visit(LogItem {
            offset: v.offset,
            entry: v.entry,
            findings: v.findings,
            zone: zone.as_deref().unwrap_or("UTC"),
            was,
        });
    })
}

/// The log's table, without rows: SEQ, TIME (event time), EVENT, SIGNERS, DETAIL.
pub fn log_table(lang: Lang) -> Table {
    Table::new(
        [
            Msg::ColSeq,
            Msg::ColTime,
            Msg::ColEvent,
            Msg::ColSigners,
            Msg::ColDetail,
        ]
        .map(|m| lang.t(m)),
    )
    .right(0)
}

/// One log row: the entry's number, its event time in the exam's zone, its kind, the signer
/// ids joined with `+`, and the one-line detail of [`detail_was`], or a line saying the record does
/// not decode.
pub fn log_row(item: &LogItem<'_>, lang: Lang) -> Vec<String> {
    match item.entry {
        Some(e) => vec![
            e.entry.seq.to_string(),
            short_time(e.body.event_time, item.zone),
            lang.event(e.body.event.kind()).to_string(),
            e.body.signers.join("+"),
            detail_was(&e.body.event, item.zone, lang, item.was.as_deref()),
        ],
        None => vec![
            "?".into(),
            String::new(),
            String::new(),
            String::new(),
            lang.f(Msg::RecordUndecodable, &[("offset", &item.offset)]),
        ],
    }
}
