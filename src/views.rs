//! Read-only views of a ledger: the log, one bag's timeline, where every bag is, and the
//! reconciliation sheet of a session.
//!
//! Everything here turns entries (as [`audit::walk`] shows them) or the state after the last entry
//! (as [`audit::replay`] returns it) into rows, text tables and JSON values. Nothing here takes
//! the writer lock, opens the index or prints: the `custody` binary owns the terminal, and an
//! example or another program can print the same tables.
//!
//! Human output is a [`Table`]: aligned by display width (a Chinese character takes two columns),
//! fitted to a width (80 columns by default) by cutting the widest text columns with "…".
//! Times are shown in the exam's zone. JSON field names are snake_case and stable; each
//! `*_json` function documents its shape.

use crate::audit::{self, AuditError};
use crate::bag::{BagKind, BagState, Correction, Destination, Place};
use crate::entry::{DecodedEntry, hex};
use crate::event::Event;
use crate::finding::Finding;
use crate::i18n::{Lang, Msg};
use crate::journal::{self, JournalError};
use crate::policy::EventKind;
use crate::roster::Keyholder;
use crate::state::{Kv, State, StoreError};
use crate::summary::detail;
use crate::time::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The width the views fit when the caller knows no better: an 80-column terminal.
pub const DEFAULT_WIDTH: usize = 80;

/// Why a view cannot be shown (as opposed to findings, which the audit reports).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    #[error("no bag {0} in the ledger")]
    UnknownBag(String),
    #[error("no session {id} in the ledger{}", known_sessions(known))]
    UnknownSession { id: String, known: Vec<String> },
    #[error(transparent)]
    Audit(#[from] AuditError),
}

impl From<StoreError> for ViewError {
    fn from(e: StoreError) -> ViewError {
        ViewError::Audit(AuditError::Store(e))
    }
}

fn known_sessions(known: &[String]) -> String {
    if known.is_empty() {
        " (none is scheduled)".into()
    } else {
        format!(": it has {}", known.join(", "))
    }
}

// ---------------------------------------------------------------------------------------------
// Text layout

/// Display width in terminal columns: a CJK character takes two, a combining mark none.
pub fn text_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Text safe to put in one cell: every control character (newline, tab, escape) becomes a space,
/// so that a note typed by a signer can neither break the layout nor drive the terminal.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Cuts `s` to at most `width` columns, ending in "…" when anything was cut.
pub fn truncate(s: &str, width: usize) -> String {
    if text_width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let budget = width - 1;
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    // Character widths can undercount a sequence the string width knows better (emoji).
    while text_width(&out) > budget {
        out.pop();
    }
    out.push('…');
    out
}

/// How a column lines up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    /// Numbers: right-aligned, and never cut.
    Right,
}

/// Pads `s` with spaces to `width` columns (a wider `s` is left as it is).
pub fn pad(s: &str, width: usize, align: Align) -> String {
    let fill = " ".repeat(width.saturating_sub(text_width(s)));
    match align {
        Align::Left => format!("{s}{fill}"),
        Align::Right => format!("{fill}{s}"),
    }
}

/// Breaks `s` into lines of at most `width` columns, at spaces where it can and anywhere in a
/// run of text without spaces (Chinese).
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in one_line(s).split(' ').filter(|w| !w.is_empty()) {
        let sep = usize::from(!line.is_empty());
        if text_width(&line) + sep + text_width(word) <= width {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if !line.is_empty()
                && text_width(&line) + UnicodeWidthChar::width(c).unwrap_or(0) > width
            {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[derive(Clone, Debug)]
enum Line {
    Row(Vec<String>),
    /// Free text under the row above it, indented to the second column and wrapped.
    Note(String),
    /// A dashed line across the table, e.g. above a totals row.
    Rule,
}

/// A small text table: headers, rows, right-aligned numeric columns, notes under rows.
///
/// [`Table::render`] fits it to a width: columns are as wide as their widest cell, and while the
/// table is too wide the widest text column loses a column, its cells cut with "…". Numeric
/// columns are never cut. Widths are display widths, so Chinese names line up.
///
/// ```
/// use custody::views::Table;
/// let mut t = Table::new(["NAME", "PAPERS"]).right(1);
/// t.push(["王丽", "30"]);
/// t.push(["Li", "5"]);
/// assert_eq!(t.render(80), "NAME  PAPERS\n王丽      30\nLi         5\n");
/// ```
#[derive(Clone, Debug)]
pub struct Table {
    headers: Vec<String>,
    align: Vec<Align>,
    lines: Vec<Line>,
}

/// Columns between two cells.
const GAP: usize = 2;
/// A text column is never cut below this many columns (or its natural width, if smaller).
const MIN_TEXT_WIDTH: usize = 4;

impl Table {
    pub fn new<I, S>(headers: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let headers: Vec<String> = headers.into_iter().map(|h| one_line(&h.into())).collect();
        let align = vec![Align::Left; headers.len()];
        Table {
            headers,
            align,
            lines: Vec::new(),
        }
    }

    /// Makes column `col` (from 0) a right-aligned numeric column.
    pub fn right(mut self, col: usize) -> Table {
        if let Some(a) = self.align.get_mut(col) {
            *a = Align::Right;
        }
        self
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    pub fn push<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut row: Vec<String> = cells
            .into_iter()
            .take(self.headers.len())
            .map(|c| one_line(&c.into()))
            .collect();
        row.resize(self.headers.len(), String::new());
        self.lines.push(Line::Row(row));
    }

    /// Adds a line of free text under the last row, wrapped to the table's width.
    pub fn note(&mut self, text: impl Into<String>) {
        self.lines.push(Line::Note(text.into()));
    }

    /// Adds a dashed line across the table.
    pub fn rule(&mut self) {
        self.lines.push(Line::Rule);
    }

    /// How many rows (not notes or rules) the table holds.
    pub fn len(&self) -> usize {
        self.lines
            .iter()
            .filter(|l| matches!(l, Line::Row(_)))
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The column widths that fit `width` (or come as close as the numeric columns allow).
    fn widths(&self, width: usize) -> Vec<usize> {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| text_width(h)).collect();
        for line in &self.lines {
            if let Line::Row(row) = line {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(text_width(cell));
                }
            }
        }
        let floor: Vec<usize> = widths
            .iter()
            .zip(&self.align)
            .map(|(&w, a)| match a {
                Align::Right => w,
                Align::Left => w.min(MIN_TEXT_WIDTH),
            })
            .collect();
        let gaps = GAP * n.saturating_sub(1);
        while widths.iter().sum::<usize>() + gaps > width {
            // The widest column that may shrink; the rightmost of equals.
            let Some(i) = (0..n)
                .filter(|&i| widths[i] > floor[i])
                .max_by_key(|&i| (widths[i], i))
            else {
                break;
            };
            widths[i] -= 1;
        }
        widths
    }

    fn render_row(&self, cells: &[String], widths: &[usize]) -> String {
        let gap = " ".repeat(GAP);
        let line = cells
            .iter()
            .zip(widths)
            .zip(&self.align)
            .map(|((c, &w), &a)| pad(&truncate(c, w), w, a))
            .collect::<Vec<_>>()
            .join(&gap);
        line.trim_end().to_string()
    }

    /// The table as text, one line per row ending in a newline, at most `width` columns wide
    /// unless its numeric columns alone are wider.
    pub fn render(&self, width: usize) -> String {
        let widths = self.widths(width);
        let total = widths.iter().sum::<usize>() + GAP * widths.len().saturating_sub(1);
        let indent = match widths.len() {
            0 | 1 => 2,
            _ => widths[0] + GAP,
        };
        let mut out = self.render_row(&self.headers, &widths);
        out.push('\n');
        for line in &self.lines {
            match line {
                Line::Row(row) => {
                    out.push_str(&self.render_row(row, &widths));
                    out.push('\n');
                }
                Line::Note(text) => {
                    let room = width.max(indent + 20) - indent;
                    for l in wrap(text, room) {
                        out.push_str(&" ".repeat(indent));
                        out.push_str(&l);
                        out.push('\n');
                    }
                }
                Line::Rule => {
                    out.push_str(&"-".repeat(total.min(width)));
                    out.push('\n');
                }
            }
        }
        out
    }
}

/// Lines of a heading, each cut to `width`.
fn heading(lines: &[String], width: usize) -> String {
    lines
        .iter()
        .map(|l| truncate(&one_line(l), width) + "\n")
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

/// `2026-06-07 08:45` in the exam's zone: the table form of [`Timestamp::display_in`], whose
/// seconds and offset the heading of each view replaces.
pub fn short_time(t: Timestamp, zone: &str) -> String {
    let full = t.display_in(zone);
    match full.get(..16) {
        Some(s) if full.len() >= 19 => s.to_string(),
        _ => full,
    }
}

/// A bag kind in one word, for tables (JSON uses [`BagKind::as_str`]): questions, blanks (blank
/// answer sheets), spares, answers (completed answer sheets).
pub fn kind_label(kind: BagKind, lang: Lang) -> &'static str {
    lang.t(match kind {
        BagKind::QuestionPapers => Msg::LabelQuestions,
        BagKind::BlankAnswerSheets => Msg::LabelBlanks,
        BagKind::SparePapers => Msg::LabelSpares,
        BagKind::CompletedAnswerSheets => Msg::LabelAnswers,
    })
}

/// Where a bag is, in a few words, for tables. `site` is the bag's destination site, which an
/// opening there leaves out (the room is what matters).
pub fn place_text(place: &Place, site: &str, lang: Lang) -> String {
    match place {
        Place::Room => lang.t(Msg::PlaceRoom).into(),
        Place::Cabinet(c) => lang.f(Msg::PlaceCabinet, &[("cabinet", c)]),
        Place::Transit {
            to: Destination::Room,
            ..
        } => lang.t(Msg::PlaceToRoom).into(),
        Place::Transit {
            to: Destination::Site(s),
            ..
        } => lang.f(Msg::PlaceTo, &[("site", s)]),
        Place::Site(s) => lang.f(Msg::PlaceAt, &[("site", s)]),
        Place::Opened { site: s, room } if s == site => {
            lang.f(Msg::PlaceOpened, &[("where", room)])
        }
        Place::Opened { site, room } => {
            lang.f(Msg::PlaceOpened, &[("where", &format!("{site} {room}"))])
        }
        Place::Released(to) => lang.f(Msg::PlaceReleased, &[("to", to)]),
    }
}

/// Where a bag is, in a sentence: the localized form of `Place`'s `Display`.
pub fn place_words(place: &Place, lang: Lang) -> String {
    match place {
        Place::Room => lang.t(Msg::WhereRoom).into(),
        Place::Cabinet(c) => lang.f(Msg::WhereCabinet, &[("cabinet", c)]),
        Place::Transit { to, .. } => lang.f(
            Msg::WhereTransit,
            &[("to", &crate::summary::destination(to, lang))],
        ),
        Place::Site(s) => lang.f(Msg::PlaceAt, &[("site", s)]),
        Place::Opened { site, room } => lang.f(Msg::WhereOpened, &[("site", site), ("room", room)]),
        Place::Released(to) => lang.f(Msg::WhereReleased, &[("to", to)]),
    }
}

/// Where a bag is, as JSON: `{"where": W, ..., "text": T}` where W is one of
///
/// - `"room"`: in the confidentiality room, outside any cabinet;
/// - `"cabinet"`, with `"cabinet"`;
/// - `"transit"`, with `"to_site"` (the site, or null when bound for the room), `"since"`
///   (RFC 3339, UTC) and `"since_seq"` (the dispatch entry);
/// - `"site"`, with `"site"`: received at a site, sealed;
/// - `"opened"`, with `"site"` and `"room"`;
/// - `"released"`, with `"to"`;
///
/// and T is the place in words (English).
pub fn place_json(place: &Place) -> Value {
    let mut v = match place {
        Place::Room => json!({"where": "room"}),
        Place::Cabinet(c) => json!({"where": "cabinet", "cabinet": c}),
        Place::Transit { to, since, seq } => json!({
            "where": "transit",
            "to_site": match to { Destination::Site(s) => Some(s), Destination::Room => None },
            "since": since.to_rfc3339(),
            "since_seq": seq,
        }),
        Place::Site(s) => json!({"where": "site", "site": s}),
        Place::Opened { site, room } => json!({"where": "opened", "site": site, "room": room}),
        Place::Released(to) => json!({"where": "released", "to": to}),
    };
    v["text"] = Value::String(place.to_string());
    v
}

/// A bag as JSON:
/// `{"id", "kind", "session", "site", "room", "seal", "count", "place", "opened",
/// "collected_seq", "last_seq"}`. `kind` is [`BagKind::as_str`]; `site` and `room` are its
/// destination; `seal` and `count` are as recorded, corrections applied; `place` is
/// [`place_json`]; `opened` is `{"seq", "at"}` or null; `last_seq` is the last entry that touched
/// the bag.
pub fn bag_json(b: &BagState) -> Value {
    json!({
        "id": b.spec.id,
        "kind": b.spec.kind.as_str(),
        "session": b.spec.session,
        "site": b.spec.site,
        "room": b.spec.room,
        "seal": b.spec.seal,
        "count": b.spec.count,
        "place": place_json(&b.place),
        "opened": b.opened.map(|(seq, at)| json!({"seq": seq, "at": at.to_rfc3339()})),
        "collected_seq": b.collected_seq,
        "last_seq": b.history.last().copied().unwrap_or(b.collected_seq),
    })
}

/// The exam's time zone from the journal's genesis entry, read without auditing the journal:
/// `None` when the journal has no readable genesis (the audit that follows says why).
pub fn exam_zone(path: &Path) -> Result<Option<String>, AuditError> {
    let (_, mut reader) = match journal::open_reader(path) {
        Ok(r) => r,
        Err(JournalError::BadHeader { .. } | JournalError::BadVersion { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let first = reader.next_record().map_err(|source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(first
        .and_then(|r| DecodedEntry::decode(&r.bytes).ok())
        .and_then(|e| match e.body.event {
            Event::Genesis(g) => Some(g.time_zone),
            _ => None,
        }))
}

/// The zone of a state: the exam's, or UTC before the genesis.
pub fn zone_of<K: Kv>(state: &State<K>) -> Result<String, StoreError> {
    Ok(state
        .ledger()?
        .map_or_else(|| "UTC".to_string(), |l| l.time_zone))
}

// ---------------------------------------------------------------------------------------------
// The log

fn keyholder_json(k: &Keyholder) -> Value {
    json!({
        "id": k.id,
        "name": k.name,
        "roles": k.roles,
        "public_key": hex(&k.public_key),
        "person_tag": hex(&k.person_tag),
        "valid_from": k.valid_from.map(|t| t.to_rfc3339()),
        "valid_until": k.valid_until.map(|t| t.to_rfc3339()),
        "key_kind": k.key_kind,
    })
}

/// An event's fields as JSON, without its kind: a keyholder as `{"id", "name", "roles",
/// "public_key", "person_tag", "valid_from", "valid_until", "key_kind"}` (keys and tags in hex), the
/// genesis with its founders so, and every other event in its serde form.
pub fn event_json(e: &Event) -> Value {
    match e {
        Event::Genesis(g) => json!({
            "exam": g.exam,
            "time_zone": g.time_zone,
            "ledger_key": hex(&g.ledger_key),
            "founders": g.founders.iter().map(keyholder_json).collect::<Vec<_>>(),
            "policy": g.policy,
        }),
        Event::Enroll(k) => keyholder_json(k),
        Event::Revoke(r) => json!({"id": r.id, "reason": r.reason}),
        // The other events hold only text and numbers: their serde form is their JSON form,
        // without the enum's tag (the entry's "kind" says it).
        other => match serde_json::to_value(other) {
            Ok(Value::Object(map)) => map
                .into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or(Value::Null),
            _ => Value::Null,
        },
    }
}

/// One entry in full, as `custody log --json` and `custody show --json` print it:
/// `{"seq", "hash", "prev_hash", "recorded_at", "event_time", "kind", "signers",
/// "head": {"size", "hash"}, "nonce", "event", "signatures": [{"signer", "signature"}],
/// "findings"}`. Hashes, nonces and signatures are hex; times RFC 3339 in UTC; `event` is
/// [`event_json`]; `findings` are the audit's findings at this entry.
pub fn entry_json(e: &DecodedEntry, findings: &[Finding]) -> Value {
    let signatures: Vec<Value> = e
        .entry
        .signatures
        .iter()
        .map(|s| json!({"signer": s.signer, "signature": hex(&s.signature)}))
        .collect();
    json!({
        "seq": e.entry.seq,
        "hash": hex(&e.hash),
        "prev_hash": hex(&e.entry.prev_hash),
        "recorded_at": e.entry.recorded_at.to_rfc3339(),
        "event_time": e.body.event_time.to_rfc3339(),
        "kind": e.body.event.kind(),
        "signers": e.body.signers,
        "head": {"size": e.body.head.size, "hash": hex(&e.body.head.hash)},
        "nonce": hex(&e.body.nonce),
        "event": event_json(&e.body.event),
        "signatures": signatures,
        "findings": findings,
    })
}

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
        |c: &crate::event::Correct| matches!(&c.fix, Correction::BagId(new) if new == id);
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
        visit(LogItem {
            offset: v.offset,
            entry: v.entry,
            findings: v.findings,
            zone: zone.as_deref().unwrap_or("UTC"),
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
/// ids joined with `+`, and the one-line detail of [`detail`], or a line saying the record does
/// not decode.
pub fn log_row(item: &LogItem<'_>, lang: Lang) -> Vec<String> {
    match item.entry {
        Some(e) => vec![
            e.entry.seq.to_string(),
            short_time(e.body.event_time, item.zone),
            lang.event(e.body.event.kind()).to_string(),
            e.body.signers.join("+"),
            detail(&e.body.event, lang),
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

// ---------------------------------------------------------------------------------------------
// One bag's timeline

/// A co-signer of an entry: the keyholder id and, if the roster knows it, the display name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Signer {
    pub id: String,
    pub name: Option<String>,
}

/// One entry of a bag's timeline.
#[derive(Clone, Debug)]
pub struct TimelineRow {
    pub seq: u64,
    pub event_time: Timestamp,
    pub recorded_at: Timestamp,
    pub kind: EventKind,
    /// The barcode this entry names the bag by: an earlier one before a correction renamed it.
    pub named_as: String,
    /// Where the bag is after this entry.
    pub place: Place,
    pub signers: Vec<Signer>,
    /// The seal number the entry records for this bag: as collected or sealed, as the signers
    /// read it, or as a correction sets it.
    pub seal: Option<String>,
    /// The paper count the entry records for this bag, likewise.
    pub count: Option<u32>,
    /// An incident: `kind: note` of an incident event, or the note attached to another event.
    pub incident: Option<String>,
    /// What a correct entry fixes: `entry 5: seal -> S1010 (typed S1001)`.
    pub correction: Option<String>,
    /// The audit's findings at this entry about this bag, or about the entry as a whole.
    pub findings: Vec<Finding>,
}

/// One bag's history: every entry that touched it, under its current barcode.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// The bag as it is now (current barcode, corrections applied).
    pub bag: BagState,
    /// The barcode asked for, when it was an earlier one that a correction replaced.
    pub asked_for: Option<String>,
    /// Earlier barcodes of the bag, in the order they were replaced.
    pub earlier_ids: Vec<String>,
    pub rows: Vec<TimelineRow>,
    pub time_zone: String,
    /// The language of the incident and correction texts, headings and tables; JSON callers
    /// ask for English so that machine output never changes with the language.
    pub lang: Lang,
}

/// The timeline of bag `id`, from the journal at `path` and the state after its last entry
/// (as [`audit::replay`] returns it). The entries are those the state records in the bag's
/// history, so a correction that changed the barcode keeps the whole history under the current
/// one; an earlier barcode is followed to the current one.
pub fn bag_timeline<K: Kv>(
    path: &Path,
    state: &State<K>,
    id: &str,
    lang: Lang,
) -> Result<Timeline, ViewError> {
    let time_zone = zone_of(state)?;
    let (bag, asked_for) = match state.bag(id)? {
        Some(b) => (b, None),
        None => {
            let current = follow_renames(path, id)?;
            match state.bag(&current)? {
                Some(b) if current != id => (b, Some(id.to_string())),
                _ => return Err(ViewError::UnknownBag(id.to_string())),
            }
        }
    };
    let history: HashSet<u64> = bag.history.iter().copied().collect();

    struct Raw {
        seq: u64,
        event_time: Timestamp,
        recorded_at: Timestamp,
        event: Event,
        signers: Vec<Signer>,
        findings: Vec<Finding>,
    }
    let mut raw: Vec<Raw> = Vec::new();
    let mut seen = HashSet::new();
    audit::walk(path, None, |v| {
        let Some(e) = v.entry else { return };
        let seq = e.entry.seq;
        if !history.contains(&seq) || !seen.insert(seq) {
            return;
        }
        let signers = e
            .body
            .signers
            .iter()
            .map(|s| Signer {
                id: s.clone(),
                name: v
                    .state
                    .keyholder(s)
                    .ok()
                    .flatten()
                    .map(|r| r.keyholder.name),
            })
            .collect();
        raw.push(Raw {
            seq,
            event_time: e.body.event_time,
            recorded_at: e.entry.recorded_at,
            event: e.body.event.clone(),
            signers,
            findings: v.findings.to_vec(),
        });
    })?;

    // The barcode each entry used: walk back from the current one through the renames.
    let mut names = vec![String::new(); raw.len()];
    let mut cur = bag.spec.id.clone();
    for (i, r) in raw.iter().enumerate().rev() {
        if let Event::Correct(c) = &r.event
            && matches!(&c.fix, Correction::BagId(new) if *new == cur)
        {
            cur = c.bag.clone();
        }
        names[i] = cur.clone();
    }

    let mut rows: Vec<TimelineRow> = Vec::new();
    let mut earlier_ids: Vec<String> = Vec::new();
    for (r, name) in raw.into_iter().zip(names) {
        if name != bag.spec.id && !earlier_ids.contains(&name) {
            earlier_ids.push(name.clone());
        }
        let before = rows.last().map(|row| row.place.clone());
        let place =
            place_after(&r.event, r.seq, r.event_time, before).unwrap_or_else(|| bag.place.clone());
        let (seal, count) = observed(&r.event, &name);
        let (incident, correction) = match &r.event {
            Event::Incident(i) => (Some(format!("{}: {}", lang.incident(i.kind), i.note)), None),
            Event::Correct(c) => {
                let fix = match &c.fix {
                    Correction::BagId(v) => {
                        lang.f(Msg::FixBarcode, &[("from", &c.bag), ("value", v)])
                    }
                    Correction::Seal(v) => lang.f(Msg::FixSeal, &[("value", v)]),
                    Correction::Count(v) => lang.f(Msg::FixCount, &[("value", v)]),
                };
                (
                    None,
                    Some(lang.f(
                        Msg::CorrectionOf,
                        &[("seq", &c.seq), ("fix", &fix), ("note", &c.note)],
                    )),
                )
            }
            other => (other.incident_note().map(str::to_string), None),
        };
        let findings = r
            .findings
            .into_iter()
            .filter(|f| f.bag.as_deref().is_none_or(|b| b == name))
            .collect();
        rows.push(TimelineRow {
            seq: r.seq,
            event_time: r.event_time,
            recorded_at: r.recorded_at,
            kind: r.event.kind(),
            named_as: name,
            place,
            signers: r.signers,
            seal,
            count,
            incident,
            correction,
            findings,
        });
    }
    Ok(Timeline {
        bag,
        asked_for,
        earlier_ids,
        rows,
        time_zone,
        lang,
    })
}

/// Follows barcode corrections forward from `id`: the barcode it ended up as.
fn follow_renames(path: &Path, id: &str) -> Result<String, AuditError> {
    let mut cur = id.to_string();
    audit::walk(path, None, |v| {
        if let Some(e) = v.entry
            && let Event::Correct(c) = &e.body.event
            && let Correction::BagId(new) = &c.fix
            && c.bag == cur
        {
            cur = new.clone();
        }
    })?;
    Ok(cur)
}

/// Where an event leaves the bags it names; `before` for events that do not move them.
fn place_after(event: &Event, seq: u64, t: Timestamp, before: Option<Place>) -> Option<Place> {
    Some(match event {
        Event::Collect(_) | Event::Withdraw(_) | Event::Return(_) => Place::Room,
        Event::Store(e) => Place::Cabinet(e.cabinet.clone()),
        Event::Dispatch(e) => Place::Transit {
            to: e.to.clone(),
            since: t,
            seq,
        },
        Event::Arrive(e) => Place::Site(e.site.clone()),
        Event::Open(e) => Place::Opened {
            site: e.site.clone(),
            room: e.room.clone(),
        },
        Event::Seal(e) => Place::Site(e.bag.site.clone()),
        Event::Release(e) => Place::Released(e.to.clone()),
        _ => return before,
    })
}

/// The seal and count an event records for the bag it names `id`.
fn observed(event: &Event, id: &str) -> (Option<String>, Option<u32>) {
    let obs = |bags: &[crate::bag::BagObs]| {
        bags.iter()
            .find(|b| b.id == id)
            .map_or((None, None), |b| (b.seal.clone(), b.count))
    };
    match event {
        Event::Collect(e) => e
            .bags
            .iter()
            .find(|b| b.id == id)
            .map_or((None, None), |b| (Some(b.seal.clone()), Some(b.count))),
        Event::Seal(e) => (Some(e.bag.seal.clone()), Some(e.bag.count)),
        Event::Correct(c) => match &c.fix {
            Correction::Seal(s) => (Some(s.clone()), None),
            Correction::Count(n) => (None, Some(*n)),
            Correction::BagId(_) => (None, None),
        },
        other => other.observations().map_or((None, None), obs),
    }
}

/// A finding in words: its message, prefixed with its bag and signer where the message does not
/// name them; in Chinese, also what its code means (the message itself is the audit's English).
pub fn finding_text(f: &Finding, lang: Lang) -> String {
    let words: Vec<&str> = f
        .message
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .collect();
    let mut who = Vec::new();
    if let Some(bag) = &f.bag
        && !words.contains(&bag.as_str())
    {
        who.push(lang.f(Msg::FindingBag, &[("bag", bag)]));
    }
    if let Some(signer) = &f.signer
        && !words.contains(&signer.as_str())
    {
        who.push(lang.f(Msg::FindingSigner, &[("signer", signer)]));
    }
    let text = if who.is_empty() {
        f.message.clone()
    } else {
        format!("{}: {}", who.join(", "), f.message)
    };
    match lang {
        Lang::En => text,
        Lang::Zh => format!("{}：{text}", lang.explain(f.code)),
    }
}

fn signer_names(signers: &[Signer]) -> String {
    signers
        .iter()
        .map(|s| s.name.clone().unwrap_or_else(|| s.id.clone()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Timeline {
    /// The lines above the table: the bag, where it is now, its earlier barcodes, the zone.
    pub fn heading(&self) -> Vec<String> {
        let (s, lang) = (&self.bag.spec, self.lang);
        let mut lines = vec![
            lang.f(
                if s.kind == BagKind::CompletedAnswerSheets {
                    Msg::TimelineHeadSheets
                } else {
                    Msg::TimelineHeadPapers
                },
                &[
                    ("id", &s.id),
                    ("kind", &kind_label(s.kind, lang)),
                    ("count", &s.count),
                    ("session", &s.session),
                    ("site", &s.site),
                    ("room", &s.room),
                ],
            ),
            lang.f(
                Msg::TimelineNow,
                &[
                    ("place", &place_words(&self.bag.place, lang)),
                    ("seal", &s.seal),
                ],
            ),
        ];
        if let Some(asked) = &self.asked_for {
            lines.push(lang.f(Msg::TimelineAsked, &[("asked", asked), ("id", &s.id)]));
        } else if !self.earlier_ids.is_empty() {
            lines.push(lang.f(
                Msg::TimelineEarlier,
                &[("ids", &self.earlier_ids.join(", "))],
            ));
        }
        lines.push(lang.f(Msg::TimesIn, &[("zone", &self.time_zone)]));
        lines
    }

    /// The timeline as a table: SEQ, TIME, EVENT, PLACE AFTER, SEAL, COUNT, SIGNED BY, with the
    /// barcode used, incidents, corrections and findings as notes under their row.
    pub fn table(&self) -> Table {
        let lang = self.lang;
        let mut t = Table::new(
            [
                Msg::ColSeq,
                Msg::ColTime,
                Msg::ColEvent,
                Msg::ColPlaceAfter,
                Msg::ColSeal,
                Msg::ColCount,
                Msg::ColSignedBy,
            ]
            .map(|m| lang.t(m)),
        )
        .right(0)
        .right(5);
        for r in &self.rows {
            t.push([
                r.seq.to_string(),
                short_time(r.event_time, &self.time_zone),
                lang.event(r.kind).to_string(),
                place_text(&r.place, &self.bag.spec.site, lang),
                r.seal.clone().unwrap_or_default(),
                r.count.map(|c| c.to_string()).unwrap_or_default(),
                signer_names(&r.signers),
            ]);
            if r.named_as != self.bag.spec.id {
                t.note(lang.f(Msg::NoteRecordedAs, &[("id", &r.named_as)]));
            }
            if let Some(i) = &r.incident {
                t.note(lang.f(Msg::NoteIncident, &[("text", i)]));
            }
            if let Some(c) = &r.correction {
                t.note(lang.f(Msg::NoteCorrection, &[("text", c)]));
            }
            for f in &r.findings {
                t.note(lang.f(
                    Msg::NoteFinding,
                    &[("code", &f.code), ("text", &finding_text(f, lang))],
                ));
            }
        }
        t
    }

    /// Heading, a blank line, and the table, fitted to `width`.
    pub fn render(&self, width: usize) -> String {
        format!(
            "{}\n{}",
            heading(&self.heading(), width),
            self.table().render(width)
        )
    }

    /// The timeline as JSON: `{"bag": bag_json, "asked_for", "earlier_ids", "time_zone",
    /// "timeline": [row]}` where each row is `{"seq", "event_time", "recorded_at" (RFC 3339,
    /// UTC), "kind", "named_as", "place" (place_json, after the entry), "signers": [{"id",
    /// "name"}], "seal", "count", "incident", "correction", "findings"}`; absent values are null.
    pub fn json(&self) -> Value {
        json!({
            "bag": bag_json(&self.bag),
            "asked_for": self.asked_for,
            "earlier_ids": self.earlier_ids,
            "time_zone": self.time_zone,
            "timeline": self.rows.iter().map(|r| json!({
                "seq": r.seq,
                "event_time": r.event_time.to_rfc3339(),
                "recorded_at": r.recorded_at.to_rfc3339(),
                "kind": r.kind.as_str(),
                "named_as": r.named_as,
                "place": place_json(&r.place),
                "signers": r.signers,
                "seal": r.seal,
                "count": r.count,
                "incident": r.incident,
                "correction": r.correction,
                "findings": r.findings,
            })).collect::<Vec<_>>(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Status and the reconciliation sheet

/// The bags of `state` for `custody status`: all of them, or those of `session` and of the
/// destination `site` when given, sorted by site, room and barcode.
pub fn bag_rows<K: Kv>(
    state: &State<K>,
    session: Option<&str>,
    site: Option<&str>,
) -> Result<Vec<BagState>, StoreError> {
    let mut bags: Vec<BagState> = state
        .bags()?
        .into_iter()
        .filter(|b| session.is_none_or(|s| b.spec.session == s))
        .filter(|b| site.is_none_or(|s| b.spec.site == s))
        .collect();
    bags.sort_by(|a, b| {
        (&a.spec.site, &a.spec.room, &a.spec.id).cmp(&(&b.spec.site, &b.spec.room, &b.spec.id))
    });
    Ok(bags)
}

/// The short name of where a bag is, as [`place_json`]'s `"where"` has it.
fn place_class(place: &Place) -> &'static str {
    match place {
        Place::Room => "room",
        Place::Cabinet(_) => "cabinet",
        Place::Transit { .. } => "transit",
        Place::Site(_) => "site",
        Place::Opened { .. } => "opened",
        Place::Released(_) => "released",
    }
}

/// Whether a bag is back in the county's hands: in the room, a cabinet, or released onward.
fn back(place: &Place) -> bool {
    matches!(place, Place::Room | Place::Cabinet(_) | Place::Released(_))
}

/// Counts of bags by place, in a fixed order: room, cabinet, transit, site, opened, released.
pub fn place_counts(bags: &[BagState]) -> Vec<(&'static str, u64)> {
    let mut counts: Vec<(&'static str, u64)> =
        ["room", "cabinet", "transit", "site", "opened", "released"]
            .into_iter()
            .map(|c| (c, 0))
            .collect();
    for b in bags {
        let class = place_class(&b.place);
        if let Some(slot) = counts.iter_mut().find(|(c, _)| *c == class) {
            slot.1 += 1;
        }
    }
    counts
}

/// The counters of one line of the reconciliation sheet. Counts are papers (sheets), except
/// `bags` and `missing`, which count bags.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Bags planned for the room: its question-paper, blank answer-sheet and spare-paper bags
    /// (not the answer-sheet bags sealed there).
    pub bags: u64,
    /// Papers sent: the counts of its question-paper and spare-paper bags.
    pub papers: u64,
    /// Papers opened in the room: the counts of its question-paper and spare-paper bags opened
    /// (the room's tally).
    pub opened: u64,
    /// Answer sheets counted and sealed in the room (the room's tally).
    pub sealed: u64,
    /// Answer sheets back: the counts of its completed answer-sheet bags that are in the
    /// confidentiality room, in a cabinet, or released onward.
    pub returned: u64,
    /// Bags not accounted for: planned bags neither opened nor in the room, a cabinet or
    /// released (in transit, or at a site unopened), and answer-sheet bags not back.
    pub missing: u64,
    /// The barcodes of the missing bags.
    pub missing_bags: Vec<String>,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.bags += o.bags;
        self.papers += o.papers;
        self.opened += o.opened;
        self.sealed += o.sealed;
        self.returned += o.returned;
        self.missing += o.missing;
        self.missing_bags.extend(o.missing_bags.iter().cloned());
    }
}

/// One site and room of the reconciliation sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoomLine {
    pub site: String,
    pub room: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// The reconciliation sheet of one session: per site and room, the papers sent, opened, sealed
/// as answer sheets and returned, and the bags not accounted for. See [`Counts`] for what each
/// column counts.
#[derive(Clone, Debug)]
pub struct Reconciliation {
    pub session: String,
    pub subject: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// Only this site's rooms, when given.
    pub site: Option<String>,
    /// In site and room order.
    pub rooms: Vec<RoomLine>,
    pub total: Counts,
    /// The session's bags (of the site, when given), as [`bag_rows`] sorts them.
    pub bags: Vec<BagState>,
    /// Where each missing bag is, by barcode.
    missing_places: BTreeMap<String, Place>,
    pub time_zone: String,
}

/// The reconciliation sheet of `session` (of `site`'s rooms only, when given).
pub fn reconcile<K: Kv>(
    state: &State<K>,
    session: &str,
    site: Option<&str>,
) -> Result<Reconciliation, ViewError> {
    let Some(s) = state.session(session)? else {
        return Err(ViewError::UnknownSession {
            id: session.to_string(),
            known: state.sessions()?.into_iter().map(|(id, _)| id).collect(),
        });
    };
    let bags = bag_rows(state, Some(session), site)?;
    let mut rooms: BTreeMap<(String, String), Counts> = BTreeMap::new();
    let mut missing_places = BTreeMap::new();
    for b in &bags {
        let c = rooms
            .entry((b.spec.site.clone(), b.spec.room.clone()))
            .or_default();
        let count = u64::from(b.spec.count);
        let missing = match b.spec.kind {
            BagKind::CompletedAnswerSheets => {
                if back(&b.place) {
                    c.returned += count;
                }
                !back(&b.place)
            }
            kind => {
                c.bags += 1;
                if matches!(kind, BagKind::QuestionPapers | BagKind::SparePapers) {
                    c.papers += count;
                }
                b.opened.is_none() && !back(&b.place)
            }
        };
        if missing {
            c.missing += 1;
            c.missing_bags.push(b.spec.id.clone());
            missing_places.insert(b.spec.id.clone(), b.place.clone());
        }
    }
    let mut total = Counts::default();
    let mut lines = Vec::new();
    for ((site, room), mut counts) in rooms {
        let tally = state.tally(session, &site, &room)?;
        counts.opened = tally.papers_opened;
        counts.sealed = tally.sheets_sealed;
        total.add(&counts);
        lines.push(RoomLine { site, room, counts });
    }
    Ok(Reconciliation {
        session: session.to_string(),
        subject: s.subject,
        start: s.start,
        end: s.end,
        site: site.map(str::to_string),
        rooms: lines,
        total,
        bags,
        missing_places,
        time_zone: zone_of(state)?,
    })
}

impl Reconciliation {
    /// The lines above the sheet: the session, its times, the zone, the site.
    pub fn heading(&self, lang: Lang) -> Vec<String> {
        let mut first = lang.f(
            Msg::ReconHead,
            &[
                ("session", &self.session),
                ("subject", &self.subject),
                ("start", &short_time(self.start, &self.time_zone)),
                ("end", &short_time(self.end, &self.time_zone)),
            ],
        );
        if let Some(site) = &self.site {
            first.push_str(&lang.f(Msg::ReconSite, &[("site", site)]));
        }
        vec![first, lang.f(Msg::TimesIn, &[("zone", &self.time_zone)])]
    }

    /// The sheet: SITE, ROOM, BAGS, PAPERS, OPENED, SEALED, RETURNED, MISSING, a rule and a
    /// TOTAL row.
    pub fn table(&self, lang: Lang) -> Table {
        let mut t = Table::new(
            [
                Msg::ColSite,
                Msg::ColRoom,
                Msg::ColBags,
                Msg::ColPapers,
                Msg::ColOpened,
                Msg::ColSealed,
                Msg::ColReturned,
                Msg::ColMissing,
            ]
            .map(|m| lang.t(m)),
        );
        for col in 2..8 {
            t = t.right(col);
        }
        let nums = |c: &Counts| {
            [c.bags, c.papers, c.opened, c.sealed, c.returned, c.missing].map(|n| n.to_string())
        };
        for line in &self.rooms {
            let mut row = vec![line.site.clone(), line.room.clone()];
            row.extend(nums(&line.counts));
            t.push(row);
        }
        t.rule();
        let mut row = vec![lang.t(Msg::ColTotal).to_string(), String::new()];
        row.extend(nums(&self.total));
        t.push(row);
        t
    }

    /// The missing bags, one line each with where they are.
    pub fn missing_lines(&self, lang: Lang) -> Vec<String> {
        self.missing_places
            .iter()
            .map(|(id, place)| {
                lang.f(
                    Msg::ReconMissing,
                    &[("id", id), ("place", &place_words(place, lang))],
                )
            })
            .collect()
    }

    /// What the columns count, for the printed sheet (the definitions of [`Counts`]).
    pub fn legend(lang: Lang) -> Vec<String> {
        [
            (Msg::ColBags, Msg::LegendBags),
            (Msg::ColPapers, Msg::LegendPapers),
            (Msg::ColOpened, Msg::LegendOpened),
            (Msg::ColSealed, Msg::LegendSealed),
            (Msg::ColReturned, Msg::LegendReturned),
            (Msg::ColMissing, Msg::LegendMissing),
        ]
        .map(|(col, text)| format!("{} {}", pad(lang.t(col), 9, Align::Left), lang.t(text)))
        .to_vec()
    }

    /// Heading, sheet, missing bags and legend, fitted to `width`.
    pub fn render(&self, width: usize, lang: Lang) -> String {
        let mut out = heading(&self.heading(lang), width);
        out.push('\n');
        out.push_str(&self.table(lang).render(width));
        let missing = self.missing_lines(lang);
        if !missing.is_empty() {
            out.push('\n');
            out.push_str(&heading(&missing, width));
        }
        out.push('\n');
        out.push_str(&heading(&Reconciliation::legend(lang), width));
        out
    }

    /// The sheet as JSON: `{"session", "subject", "start", "end" (RFC 3339, UTC), "site"
    /// (the filter, or null), "time_zone", "rooms": [{"site", "room", "bags", "papers",
    /// "opened", "sealed", "returned", "missing", "missing_bags"}], "total": {the same
    /// counters}, "bags": [bag_json]}`. See [`Counts`] for the counters.
    pub fn json(&self) -> Value {
        json!({
            "session": self.session,
            "subject": self.subject,
            "start": self.start.to_rfc3339(),
            "end": self.end.to_rfc3339(),
            "site": self.site,
            "time_zone": self.time_zone,
            "rooms": self.rooms,
            "total": self.total,
            "bags": self.bags.iter().map(bag_json).collect::<Vec<_>>(),
        })
    }
}

/// Where every bag is: `custody status` without `--session`.
#[derive(Clone, Debug)]
pub struct Status {
    pub exam: Option<String>,
    pub time_zone: String,
    /// When the last entry was recorded.
    pub as_of: Option<Timestamp>,
    /// Only this destination site's bags, when given.
    pub site: Option<String>,
    /// As [`bag_rows`] sorts them.
    pub bags: Vec<BagState>,
}

impl Status {
    /// The status of `state`, the state after the last entry, recorded at `as_of`.
    pub fn new<K: Kv>(
        state: &State<K>,
        as_of: Option<Timestamp>,
        site: Option<&str>,
    ) -> Result<Status, StoreError> {
        Ok(Status {
            exam: state.ledger()?.map(|l| l.exam),
            time_zone: zone_of(state)?,
            as_of,
            site: site.map(str::to_string),
            bags: bag_rows(state, None, site)?,
        })
    }

    pub fn heading(&self, lang: Lang) -> Vec<String> {
        let exam = self
            .exam
            .clone()
            .unwrap_or_else(|| lang.t(Msg::UnknownExam).to_string());
        let n = self.bags.len();
        let mut first = lang.f(
            if n == 1 {
                Msg::StatusHeadOne
            } else {
                Msg::StatusHeadMany
            },
            &[("exam", &exam), ("n", &n)],
        );
        if let Some(site) = &self.site {
            first.push_str(&lang.f(Msg::StatusFor, &[("site", site)]));
        }
        if let Some(t) = self.as_of {
            first.push_str(&lang.f(
                Msg::StatusAsOf,
                &[("time", &short_time(t, &self.time_zone))],
            ));
        }
        vec![first, lang.f(Msg::TimesIn, &[("zone", &self.time_zone)])]
    }

    /// BAG, KIND, SESSION, SITE, ROOM, PLACE, SEAL, COUNT.
    pub fn table(&self, lang: Lang) -> Table {
        let mut t = Table::new(
            [
                Msg::ColBag,
                Msg::ColKind,
                Msg::ColSession,
                Msg::ColSite,
                Msg::ColRoom,
                Msg::ColPlace,
                Msg::ColSeal,
                Msg::ColCount,
            ]
            .map(|m| lang.t(m)),
        )
        .right(7);
        for b in &self.bags {
            let s = &b.spec;
            t.push([
                s.id.clone(),
                kind_label(s.kind, lang).to_string(),
                s.session.clone(),
                s.site.clone(),
                s.room.clone(),
                place_text(&b.place, &s.site, lang),
                s.seal.clone(),
                s.count.to_string(),
            ]);
        }
        t
    }

    /// `2 in the room, 1 in a cabinet, ...`: the non-zero counts by place.
    pub fn summary(&self, lang: Lang) -> String {
        let words = |class: &str| {
            lang.t(match class {
                "room" => Msg::CountInRoom,
                "cabinet" => Msg::CountInCabinet,
                "transit" => Msg::CountInTransit,
                "site" => Msg::CountAtSite,
                "opened" => Msg::CountOpened,
                _ => Msg::CountReleased,
            })
        };
        let parts: Vec<String> = place_counts(&self.bags)
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| lang.f(Msg::CountOf, &[("n", &n), ("what", &words(c))]))
            .collect();
        if parts.is_empty() {
            lang.t(Msg::NoBags).into()
        } else {
            parts.join(lang.t(Msg::ListSeparator))
        }
    }

    pub fn render(&self, width: usize, lang: Lang) -> String {
        format!(
            "{}\n{}\n{}",
            heading(&self.heading(lang), width),
            self.table(lang).render(width),
            heading(&[self.summary(lang)], width)
        )
    }

    /// As JSON: `{"exam", "time_zone", "as_of" (RFC 3339, UTC, or null), "site" (the filter,
    /// or null), "places": {"room", "cabinet", "transit", "site", "opened", "released"} (bag
    /// counts), "bags": [bag_json]}`.
    pub fn json(&self) -> Value {
        let places: serde_json::Map<String, Value> = place_counts(&self.bags)
            .into_iter()
            .map(|(c, n)| (c.to_string(), Value::from(n)))
            .collect();
        json!({
            "exam": self.exam,
            "time_zone": self.time_zone,
            "as_of": self.as_of.map(|t| t.to_rfc3339()),
            "site": self.site,
            "places": places,
            "bags": self.bags.iter().map(bag_json).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutting_keeps_within_the_width_and_marks_the_cut() {
        assert_eq!(truncate("第一中学", 8), "第一中学");
        assert_eq!(truncate("第一中学", 7), "第一中…");
        assert_eq!(truncate("第一中学", 6), "第一…");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(pad("王丽", 6, Align::Left), "王丽  ");
        assert_eq!(pad("7", 3, Align::Right), "  7");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_inside_chinese() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(
            wrap("封条破损封条破损", 6),
            vec!["封条破", "损封条", "破损"]
        );
        assert_eq!(wrap("", 5), vec![""]);
    }

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(one_line("a\nb\x1b[31m"), "a b [31m");
    }
}
