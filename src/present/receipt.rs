//! The handover receipt (交接单): one entry printed for the people who handed bags over and
//! took them, as plain text for a receipt printer (48 columns), as a one-page A4 HTML document,
//! or as JSON.
//!
//! It shows the event, its bags with their seals and counts, the signers with their names and
//! roles as the roster stood when they signed, the escorts by name and the sessions by subject
//! and time, the times in the exam's zone, the line for the paper register (`SIZE CODE`,
//! `format::register`; no hash to copy by hand), a QR code of [`QrPayload`], and blank lines for
//! handwritten signatures. It is a reading aid for the paper register: the
//! machine-checkable proof of an entry stays `custody prove`.

use crate::audit::scan::{Cosigner, scan};
use crate::audit::verify::AuditError;
use crate::format::note::Checkpoint;
use crate::format::signing::verify_body;
use crate::format::time::Timestamp;
use crate::lang::i18n::{Lang, Msg};
use crate::lang::summary::{ranges, session_words};
use crate::lang::text::{Align, one_line, pad, text_width, wrap};
use crate::model::entry::{DecodedEntry, Hash, LedgerId, hex};
use crate::model::event::Event;
use crate::present::html::escape;
use crate::present::json::event_json;
use crate::rules::memstore::MemKv;
use qrcode::{EcLevel, QrCode, render::svg, render::unicode::Dense1x2};
use serde_json::{Value, json};
use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

/// Why a receipt cannot be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    #[error("no entry {seq}: the ledger has {entries} entries")]
    NoEntry { seq: u64, entries: u64 },
    #[error("entry {0} does not decode")]
    Undecodable(u64),
    #[error("the signature of {signer} on entry {seq} does not verify")]
    BadSignature { seq: u64, signer: String },
    #[error("the journal does not match the ledger's own checkpoint of {size} entries")]
    CheckpointMismatch { size: u64 },
    #[error(transparent)]
    Audit(#[from] AuditError),
}

/// One bag as the entry records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BagLine {
    pub id: String,
    pub seal: Option<String>,
    pub count: Option<u32>,
}

/// Everything a receipt shows.
#[derive(Clone, Debug)]
pub struct Handover {
    pub exam: String,
    pub ledger_id: LedgerId,
    pub time_zone: String,
    pub seq: u64,
    pub hash: Hash,
    pub event: Event,
    pub event_time: Timestamp,
    pub recorded_at: Timestamp,
    pub signers: Vec<Cosigner>,
    /// The tree the QR code names: the checkpoint's when one covers the entry, else the tree
    /// that ends with the entry (as its append receipt gave it).
    pub tree_size: u64,
    pub tree_root: Hash,
    /// The ledger's latest checkpoint, when it covers the entry (its tree size is above `seq`).
    pub checkpoint: Option<Checkpoint>,
    /// Names of the escorts the event names, `(id, name)`.
    pub people: Vec<(String, String)>,
    /// The sessions of its bags: id, subject, start, end.
    pub sessions: Vec<(String, String, Timestamp, Timestamp)>,
    /// What a seal or count correction replaced.
    pub replaced: Option<String>,
}

/// What the QR code of a receipt holds, one line of ASCII:
///
/// `CUSTODY:1:<ledger id>:<seq>:<entry hash>:<tree size>:<tree root>`
///
/// with the ledger id (16 bytes), entry hash and root (32 bytes each) in upper-case hex and the
/// numbers in decimal. `docs/FORMAT.md` documents it for auditors. Upper case keeps the whole
/// line in the QR alphanumeric mode, so the code stays small enough for a receipt printer;
/// [`QrPayload::parse`] takes either case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrPayload {
    pub ledger_id: LedgerId,
    pub seq: u64,
    pub hash: Hash,
    pub tree_size: u64,
    pub root: Hash,
}

/// Why a text is not a receipt's QR payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a custody receipt code: {0}")]
pub struct PayloadError(&'static str);

impl QrPayload {
    pub fn encode(&self) -> String {
        format!(
            "CUSTODY:1:{}:{}:{}:{}:{}",
            hex(&self.ledger_id),
            self.seq,
            hex(&self.hash),
            self.tree_size,
            hex(&self.root)
        )
        .to_ascii_uppercase()
    }

    pub fn parse(text: &str) -> Result<QrPayload, PayloadError> {
        let parts: Vec<&str> = text.trim().split(':').collect();
        let [tag, version, id, seq, hash, size, root] = parts.as_slice() else {
            return Err(PayloadError("it does not have seven fields"));
        };
        if !tag.eq_ignore_ascii_case("custody") || *version != "1" {
            return Err(PayloadError("it does not start with CUSTODY:1"));
        }
        let number = |t: &str| {
            (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<u64>().ok())
                .flatten()
                .ok_or(PayloadError("a number is not decimal"))
        };
        let lower = |t: &str| t.to_ascii_lowercase();
        Ok(QrPayload {
            ledger_id: crate::model::entry::parse_hex(&lower(id))
                .ok_or(PayloadError("the ledger id is not 32 hex digits"))?,
            seq: number(seq)?,
            hash: crate::model::entry::parse_hex(&lower(hash))
                .ok_or(PayloadError("the entry hash is not 64 hex digits"))?,
            tree_size: number(size)?,
            root: crate::model::entry::parse_hex(&lower(root))
                .ok_or(PayloadError("the root is not 64 hex digits"))?,
        })
    }

    fn code(&self) -> QrCode {
        // Low error correction keeps a 180-character line at 41x41 modules; printed receipts are
        // read right away, not after years of wear.
        QrCode::with_error_correction_level(self.encode(), EcLevel::L)
            .expect("a receipt payload (under 200 alphanumeric characters) fits a QR code")
    }

    /// The code as lines of Unicode half blocks, two modules per character cell vertically: a
    /// full block is ink. Without the quiet zone (the paper around it is white).
    pub fn text(&self) -> String {
        self.code().render::<Dense1x2>().quiet_zone(false).build()
    }

    /// The code as an inline SVG element (black on white, with its quiet zone).
    pub fn svg(&self) -> String {
        let svg = self
            .code()
            .render::<svg::Color>()
            .min_dimensions(200, 200)
            .build();
        // An XML declaration has no place inside an HTML document.
        match svg.find("<svg") {
            Some(i) => svg[i..].to_string(),
            None => svg,
        }
    }
}

/// Finds entry `seq` in the journal in `input` and gathers its receipt. `checkpoint` is the
/// ledger's latest; when it covers the entry, the journal must hold exactly its tree. The
/// entry's signatures are checked against the keys of its signers, so that a receipt never
/// vouches for an entry someone forged into the file.
pub fn find(
    input: impl Read,
    label: &Path,
    seq: u64,
    checkpoint: Option<&Checkpoint>,
) -> Result<Handover, ReceiptError> {
    let covering = checkpoint.filter(|c| c.size > seq);
    let mut found: Option<Result<Handover, ReceiptError>> = None;
    let mut checked = covering.is_none();
    let mut matches = true;
    let mut records = 0;
    scan(input, label, |s| {
        records = s.position + 1;
        if found.is_none() {
            match s.entry {
                Some(e) if e.entry.seq == seq => {
                    let info = s.state.ledger().ok().flatten();
                    let tree = s.state.tree().unwrap_or_default();
                    let mut h = gather(e, s.cosigners, info, &tree);
                    if let Ok(h) = &mut h {
                        h.name_people_and_sessions(s.state);
                    }
                    found = Some(h);
                }
                None if s.position == seq => found = Some(Err(ReceiptError::Undecodable(seq))),
                _ => {}
            }
        }
        if let Some(c) = covering
            && records == c.size
        {
            matches = s.state.tree().is_ok_and(|t| t.root() == c.root);
            checked = true;
        }
        if found.is_some() && checked {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    let mut handover = found.ok_or(ReceiptError::NoEntry {
        seq,
        entries: records,
    })??;
    if let Some(c) = covering {
        if !checked || !matches {
            return Err(ReceiptError::CheckpointMismatch { size: c.size });
        }
        handover.tree_size = c.size;
        handover.tree_root = c.root;
        handover.checkpoint = Some(c.clone());
    }
    Ok(handover)
}

fn gather(
    e: &DecodedEntry,
    signers: Vec<Cosigner>,
    info: Option<crate::rules::state::LedgerInfo>,
    tree: &crate::format::merkle::Accumulator,
) -> Result<Handover, ReceiptError> {
    let seq = e.entry.seq;
    for s in &e.entry.signatures {
        let key = signers
            .iter()
            .find(|c| c.id == s.signer)
            .and_then(|c| c.public_key);
        if !key.is_some_and(|k| verify_body(&k, &e.entry.body, &s.signature)) {
            return Err(ReceiptError::BadSignature {
                seq,
                signer: s.signer.clone(),
            });
        }
    }
    let (exam, time_zone) = info.map_or_else(
        || (String::new(), "UTC".to_string()),
        |i| (i.exam, i.time_zone),
    );
    Ok(Handover {
        exam,
        ledger_id: e.body.ledger_id,
        time_zone,
        seq,
        hash: e.hash,
        event: e.body.event.clone(),
        event_time: e.body.event_time,
        recorded_at: e.entry.recorded_at,
        signers,
        tree_size: tree.size(),
        tree_root: tree.root(),
        checkpoint: None,
        people: Vec::new(),
        sessions: Vec::new(),
        replaced: None,
    })
}

/// The bags an event names, with the seal and count it records for each.
fn bag_lines(event: &Event) -> Vec<BagLine> {
    let obs = |bags: &[crate::model::bag::BagObs]| {
        bags.iter()
            .map(|b| BagLine {
                id: b.id.clone(),
                seal: b.seal.clone(),
                count: b.count,
            })
            .collect()
    };
    let spec = |b: &crate::model::bag::BagSpec| BagLine {
        id: b.id.clone(),
        seal: Some(b.seal.clone()),
        count: Some(b.count),
    };
    match event {
        Event::Collect(e) => e.bags.iter().map(spec).collect(),
        Event::Seal(e) => vec![spec(&e.bag)],
        other => match other.observations() {
            Some(bags) => obs(bags),
            None => other
                .bag_ids()
                .into_iter()
                .map(|id| BagLine {
                    id: id.to_string(),
                    seal: None,
                    count: None,
                })
                .collect(),
        },
    }
}

/// The barcodes as ranges, sorted first so that consecutive ones become ranges whatever order
/// they were scanned in.
fn id_ranges(bags: &[BagLine]) -> String {
    let mut ids: Vec<&str> = bags.iter().map(|b| b.id.as_str()).collect();
    ids.sort_unstable();
    ranges(&ids)
}

/// The widest plain-text receipt, for 48-column receipt printers.
pub const TEXT_WIDTH: usize = 48;

/// How many bags the one-page HTML receipt lists before it counts the rest.
const PAGE_BAGS: usize = 120;

impl Handover {
    /// Finds the escorts' names, the bags' sessions and what a correction replaced, in the state
    /// after the entry.
    fn name_people_and_sessions(&mut self, state: &crate::rules::state::State<MemKv>) {
        self.replaced = state.correction_replaced(self.seq).ok().flatten();
        if let Event::Dispatch(d) = &self.event {
            self.people = d
                .escorts
                .iter()
                .filter_map(|id| {
                    let k = state.keyholder(id).ok().flatten()?;
                    Some((id.clone(), k.keyholder.name))
                })
                .collect();
        }
        let mut ids: Vec<String> = self
            .event
            .bag_ids()
            .into_iter()
            .filter_map(|id| Some(state.bag(id).ok().flatten()?.spec.session))
            .collect();
        ids.sort();
        ids.dedup();
        self.sessions = ids
            .into_iter()
            .filter_map(|id| {
                let s = state.session(&id).ok().flatten()?;
                Some((id, s.subject, s.start, s.end))
            })
            .collect();
    }

    pub fn qr(&self) -> QrPayload {
        QrPayload {
            ledger_id: self.ledger_id,
            seq: self.seq,
            hash: self.hash,
            tree_size: self.tree_size,
            root: self.tree_root,
        }
    }

    /// The line for the paper register: the size of the tree the QR code names and its register
    /// code (`format::register`), short enough to copy by hand and read aloud.
    pub fn register_line(&self) -> String {
        crate::format::register::line(&self.ledger_id, self.tree_size, &self.tree_root)
    }

    /// Whether the ledger has signed that state, in words.
    fn register_note(&self, lang: Lang) -> String {
        match &self.checkpoint {
            Some(c) => lang.f(Msg::ReceiptSigned, &[("size", &c.size)]),
            None => lang.t(Msg::ReceiptNoCheckpoint).to_string(),
        }
    }

    /// The event's own fields, labelled, in the reader's language (ledger text as recorded).
    fn fields(&self, lang: Lang) -> Vec<(&'static str, String)> {
        let t = |m| lang.t(m);
        let dest = |d: &crate::model::bag::Destination| match d {
            crate::model::bag::Destination::Site(s) => s.clone(),
            crate::model::bag::Destination::Room => t(Msg::ReceiptConfRoom).to_string(),
        };
        let mut out: Vec<(&'static str, String)> = match &self.event {
            Event::Genesis(g) => vec![(t(Msg::ReceiptZone), g.time_zone.clone())],
            Event::Enroll(k) => vec![
                (t(Msg::ReceiptKeyholder), format!("{} ({})", k.name, k.id)),
                (
                    t(Msg::ReceiptRoles),
                    k.roles
                        .iter()
                        .map(|r| lang.role(*r))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
            Event::Revoke(r) => vec![
                (t(Msg::ReceiptKeyholder), r.id.clone()),
                (t(Msg::ReceiptReason), r.reason.clone()),
            ],
            Event::Schedule(s) => vec![
                (
                    t(Msg::ReceiptSession),
                    format!("{} ({})", s.session, s.subject),
                ),
                (t(Msg::ReceiptStart), s.start.display_in(&self.time_zone)),
                (t(Msg::ReceiptEnd), s.end.display_in(&self.time_zone)),
            ],
            Event::Policy(_) => Vec::new(),
            Event::Collect(e) => vec![(t(Msg::ReceiptFrom), e.from.clone())],
            Event::Store(e) | Event::Withdraw(e) => {
                vec![(t(Msg::ReceiptCabinet), e.cabinet.clone())]
            }
            Event::Inspect(e) => e
                .cabinet
                .iter()
                .map(|c| (t(Msg::ReceiptCabinet), c.clone()))
                .collect(),
            Event::Reseal(e) => vec![
                (t(Msg::ReceiptOldSeal), e.old_seal.clone()),
                (t(Msg::ReceiptNewSeal), e.new_seal.clone()),
                (t(Msg::ReceiptNote), e.note.clone()),
            ],
            Event::Cabinet(e) => vec![
                (t(Msg::ReceiptCabinet), e.cabinet.clone()),
                (t(Msg::ReceiptSite), dest(&e.at)),
            ],
            Event::Dispatch(e) => vec![
                (t(Msg::ReceiptTo), dest(&e.to)),
                (
                    t(Msg::ReceiptEscorts),
                    e.escorts
                        .iter()
                        .map(|id| match self.people.iter().find(|(i, _)| i == id) {
                            Some((_, name)) => lang.f(Msg::NameId, &[("name", name), ("id", id)]),
                            None => id.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join(t(Msg::ListSeparator)),
                ),
            ],
            Event::Arrive(e) => vec![(t(Msg::ReceiptSite), e.site.clone())],
            Event::Handover(e) => vec![
                (t(Msg::ReceiptEscortsFrom), e.from.join(", ")),
                (t(Msg::ReceiptEscortsTo), e.to.join(", ")),
            ],
            Event::Open(e) => vec![
                (t(Msg::ReceiptSite), e.site.clone()),
                (t(Msg::ReceiptRoom), e.room.clone()),
            ],
            // The session is shown below, by subject and time.
            Event::Seal(e) => vec![
                (t(Msg::ReceiptSite), e.bag.site.clone()),
                (t(Msg::ReceiptRoom), e.bag.room.clone()),
            ],
            Event::Return(_) => vec![(
                t(Msg::ReceiptTo),
                dest(&crate::model::bag::Destination::Room),
            )],
            Event::Release(e) => vec![(t(Msg::ReceiptTo), e.to.clone())],
            Event::Grant(g) => vec![
                (t(Msg::ReceiptKeyholder), g.id.clone()),
                (t(Msg::ReceiptRoles), lang.role(g.role).to_string()),
            ],
            Event::Assign(_) => vec![(
                t(Msg::EventAssign),
                crate::lang::summary::detail(&self.event, &self.time_zone, lang),
            )],
            Event::Incident(e) => {
                let mut v = vec![(t(Msg::ReceiptIncident), lang.incident(e.kind).into())];
                v.extend(
                    e.cabinet
                        .iter()
                        .map(|c| (t(Msg::ReceiptCabinet), c.clone())),
                );
                v
            }
            Event::Correct(c) => {
                let fix = match &c.fix {
                    crate::model::bag::Correction::BagId(v) => {
                        lang.f(Msg::ReceiptFixBarcode, &[("value", v)])
                    }
                    // Old -> new when the ledger knew the old value.
                    crate::model::bag::Correction::Seal(v) => match &self.replaced {
                        Some(old) => lang.f(Msg::FixSealWas, &[("old", old), ("value", v)]),
                        None => lang.f(Msg::ReceiptFixSeal, &[("value", v)]),
                    },
                    crate::model::bag::Correction::Count(v) => match &self.replaced {
                        Some(old) => lang.f(Msg::FixCountWas, &[("old", old), ("value", v)]),
                        None => lang.f(Msg::ReceiptFixCount, &[("value", v)]),
                    },
                };
                vec![(
                    t(Msg::ReceiptCorrects),
                    lang.f(
                        Msg::ReceiptCorrectsText,
                        &[("seq", &c.seq), ("bag", &c.bag), ("fix", &fix)],
                    ),
                )]
            }
            Event::Void(e) => vec![
                (t(Msg::ReceiptSession), e.session.clone()),
                (
                    t(Msg::ReceiptVoided),
                    crate::lang::i18n::kind_label(crate::model::bag::BagKind::QuestionPapers, lang)
                        .into(),
                ),
            ],
            Event::Postpone(e) => vec![
                (t(Msg::ReceiptSession), e.session.clone()),
                (t(Msg::ReceiptStart), e.start.display_in(&self.time_zone)),
                (t(Msg::ReceiptEnd), e.end.display_in(&self.time_zone)),
            ],
            Event::Manifest(e) => vec![
                (
                    t(Msg::ReceiptManifestFile),
                    crate::model::entry::hex(&e.sha256),
                ),
                (t(Msg::ReceiptManifestRows), e.rows.len().to_string()),
            ],
        };
        for (id, subject, start, end) in &self.sessions {
            out.push((
                t(Msg::ReceiptSession),
                session_words(id, subject, *start, *end, &self.time_zone, lang),
            ));
        }
        if let Some(note) = self.event.incident_note() {
            out.push((t(Msg::ReceiptNote), note.to_string()));
        }
        out
    }

    /// The bag summary line (`6 bags: QP-0001..QP-0005, AS-0001`) and the total papers when the
    /// entry records counts.
    fn bag_summary(&self, lang: Lang, bags: &[BagLine]) -> (String, Option<String>) {
        let line = lang.f(
            Msg::ReceiptBagCount,
            &[("n", &bags.len()), ("ranges", &id_ranges(bags))],
        );
        let counted: Vec<u64> = bags.iter().filter_map(|b| b.count).map(u64::from).collect();
        let total = (!counted.is_empty()).then(|| {
            lang.f(
                Msg::ReceiptTotal,
                &[("papers", &counted.iter().sum::<u64>())],
            )
        });
        (line, total)
    }

    fn bag_detail(lang: Lang, b: &BagLine) -> String {
        let mut parts = Vec::new();
        if let Some(seal) = &b.seal {
            parts.push(lang.f(Msg::ReceiptSeal, &[("seal", seal)]));
        }
        if let Some(count) = b.count {
            parts.push(lang.f(Msg::ReceiptPapers, &[("count", &count)]));
        }
        parts.join("  ")
    }

    fn signer_roles(lang: Lang, c: &Cosigner) -> String {
        if c.name.is_none() {
            return lang.t(Msg::ReceiptUnknownSigner).to_string();
        }
        c.roles
            .iter()
            .map(|r| lang.role(*r))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The receipt as plain text, at most [`TEXT_WIDTH`] columns wide except for an unbroken
    /// word wider than that, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let w = TEXT_WIDTH;
        let mut out = String::new();
        // Ledger text reaches a printer or a terminal: no control character gets through.
        let mut line = |s: &str| {
            out.push_str(one_line(s).trim_end());
            out.push('\n');
        };
        let rule = "-".repeat(w);
        let title = lang.t(Msg::ReceiptTitle);
        line(&"=".repeat(w));
        line(&format!(
            "{}{title}",
            " ".repeat(w.saturating_sub(text_width(title)) / 2)
        ));
        for l in wrap(&self.exam, w) {
            line(&l);
        }
        line(&rule);
        let mut facts: Vec<(&str, String)> = vec![
            (
                lang.t(Msg::ReceiptEvent),
                lang.event(self.event.kind()).to_string(),
            ),
            (lang.t(Msg::ReceiptEntry), self.seq.to_string()),
            (
                lang.t(Msg::ReceiptEventTime),
                self.event_time.display_in(&self.time_zone),
            ),
            (
                lang.t(Msg::ReceiptRecorded),
                self.recorded_at.display_in(&self.time_zone),
            ),
        ];
        facts.extend(self.fields(lang));
        let label_w = facts.iter().map(|(l, _)| text_width(l)).max().unwrap_or(0) + 2;
        for (label, value) in &facts {
            let room = w.saturating_sub(label_w).max(12);
            for (i, l) in wrap(value, room).into_iter().enumerate() {
                let head = if i == 0 { *label } else { "" };
                line(&format!("{}{l}", pad(head, label_w, Align::Left)));
            }
        }
        let bags = bag_lines(&self.event);
        if !bags.is_empty() {
            line(&rule);
            let (summary, total) = self.bag_summary(lang, &bags);
            for l in wrap(&summary, w) {
                line(&l);
            }
            let id_w = bags.iter().map(|b| text_width(&b.id)).max().unwrap_or(0);
            for b in &bags {
                let detail = Self::bag_detail(lang, b);
                if id_w + 2 + text_width(&detail) <= w {
                    line(&format!("  {}  {detail}", pad(&b.id, id_w, Align::Left)));
                } else {
                    line(&format!("  {}", b.id));
                    if !detail.is_empty() {
                        line(&format!("      {detail}"));
                    }
                }
            }
            if let Some(total) = total {
                line(&total);
            }
        }
        line(&rule);
        line(lang.t(Msg::ReceiptSigners));
        for c in &self.signers {
            for l in wrap(
                &format!("{}  {}", c.label(lang), Self::signer_roles(lang, c)),
                w - 2,
            ) {
                line(&format!("  {l}"));
            }
        }
        line(&rule);
        line(lang.t(Msg::ReceiptRegister));
        line(&format!("  {}", self.register_line()));
        for l in wrap(&self.register_note(lang), w - 2) {
            line(&format!("  {l}"));
        }
        line(&rule);
        line(lang.t(Msg::ReceiptQr));
        line("");
        for l in self.qr().text().lines() {
            line(&format!("  {l}"));
        }
        line(&rule);
        let blank = "_".repeat(w - 12);
        for c in &self.signers {
            line("");
            line(&c.label(lang));
            line(&format!(
                "{}{blank}",
                pad(lang.t(Msg::ReceiptSignHere), 12, Align::Left)
            ));
        }
        line("");
        line(&format!(
            "{}{blank}",
            pad(lang.t(Msg::ReceiptWitness), 12, Align::Left)
        ));
        line("");
        line(&rule);
        for l in wrap(&lang.f(Msg::ReceiptTimes, &[("zone", &self.time_zone)]), w) {
            line(&l);
        }
        for l in wrap(&lang.f(Msg::ReceiptProve, &[("seq", &self.seq)]), w) {
            line(&l);
        }
        out
    }

    /// The receipt as JSON: `{"exam", "ledger_id", "time_zone", "seq", "hash", "kind",
    /// "event_time", "recorded_at" (RFC 3339, UTC), "event" (views::event_json), "bags": [{"id",
    /// "seal", "count"}], "bag_ranges", "signers": [{"id", "name", "roles"}], "tree": {"size",
    /// "root"}, "checkpoint": {"origin", "size", "root", "human"} or null, "qr"}`; hashes and ids
    /// in lower-case hex, `qr` the QR code's text.
    pub fn json(&self) -> Value {
        let bags = bag_lines(&self.event);
        json!({
            "exam": self.exam,
            "ledger_id": hex(&self.ledger_id),
            "time_zone": self.time_zone,
            "seq": self.seq,
            "hash": hex(&self.hash),
            "kind": self.event.kind(),
            "event_time": self.event_time.to_rfc3339(),
            "recorded_at": self.recorded_at.to_rfc3339(),
            "event": event_json(&self.event),
            "bags": bags.iter().map(|b| json!({"id": b.id, "seal": b.seal, "count": b.count})).collect::<Vec<_>>(),
            "bag_ranges": id_ranges(&bags),
            "signers": self.signers,
            "tree": {"size": self.tree_size, "root": hex(&self.tree_root)},
            "checkpoint": self.checkpoint.as_ref().map(|c| json!({
                "origin": c.origin,
                "size": c.size,
                "root": hex(&c.root),
                "human": c.human(),
            })),
            "qr": self.qr().encode(),
        })
    }

    /// The receipt as a one-page, print-ready A4 HTML document in `lang`.
    pub fn html(&self, lang: Lang) -> String {
        let t = |m| lang.t(m);
        let mut b = String::new();
        b.push_str("<main class=\"sheet\">\n<header>");
        b.push_str(&format!(
            "<h1>{}</h1><p class=\"exam\">{}</p></header>\n",
            escape(t(Msg::ReceiptTitle)),
            escape(&self.exam)
        ));
        b.push_str("<section class=\"top\">\n<table class=\"kv\">\n");
        let row = |b: &mut String, label: &str, value: &str, class: &str| {
            b.push_str(&format!(
                "<tr><th>{}</th><td{class}>{}</td></tr>\n",
                escape(label),
                escape(value)
            ));
        };
        row(
            &mut b,
            t(Msg::ReceiptEvent),
            lang.event(self.event.kind()),
            " class=\"event\"",
        );
        row(&mut b, t(Msg::ReceiptEntry), &self.seq.to_string(), "");
        row(
            &mut b,
            t(Msg::ReceiptEventTime),
            &self.event_time.display_in(&self.time_zone),
            "",
        );
        row(
            &mut b,
            t(Msg::ReceiptRecorded),
            &self.recorded_at.display_in(&self.time_zone),
            "",
        );
        for (label, value) in self.fields(lang) {
            row(&mut b, label, &value, "");
        }
        b.push_str("</table>\n<figure class=\"qr\">");
        b.push_str(&self.qr().svg());
        b.push_str(&format!(
            "<figcaption>{}</figcaption></figure>\n</section>\n",
            escape(t(Msg::ReceiptQr)),
        ));

        let bags = bag_lines(&self.event);
        if !bags.is_empty() {
            let (summary, total) = self.bag_summary(lang, &bags);
            b.push_str(&format!(
                "<h2>{}</h2>\n<p>{}</p>\n<ol class=\"bags\">\n",
                escape(t(Msg::ReceiptBags)),
                escape(&summary)
            ));
            for bag in bags.iter().take(PAGE_BAGS) {
                b.push_str(&format!(
                    "<li><code>{}</code> {}</li>\n",
                    escape(&bag.id),
                    escape(&Self::bag_detail(lang, bag))
                ));
            }
            b.push_str("</ol>\n");
            if bags.len() > PAGE_BAGS {
                b.push_str(&format!(
                    "<p>{}</p>\n",
                    escape(&lang.f(
                        Msg::ReceiptMoreBags,
                        &[("n", &(bags.len() - PAGE_BAGS)), ("seq", &self.seq)]
                    ))
                ));
            }
            if let Some(total) = total {
                b.push_str(&format!("<p class=\"total\">{}</p>\n", escape(&total)));
            }
        }

        b.push_str(&format!(
            "<h2>{}</h2>\n<table class=\"signers\">\n",
            escape(t(Msg::ReceiptSigners))
        ));
        for c in &self.signers {
            b.push_str(&format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
                escape(c.name.as_deref().unwrap_or("")),
                escape(&c.id),
                escape(&Self::signer_roles(lang, c))
            ));
        }
        b.push_str("</table>\n<table class=\"kv proof\">\n");
        b.push_str(&format!(
            "<tr><th>{}</th><td><code class=\"register\">{}</code><br>{}</td></tr>\n</table>\n\n",
            escape(t(Msg::ReceiptRegister)),
            escape(&self.register_line()),
            escape(&self.register_note(lang))
        ));
        b.push_str("<section class=\"sign\">\n");
        let sign_line = |b: &mut String, who: &str, label: &str| {
            b.push_str(&format!(
                "<div class=\"line\"><span class=\"who\">{}</span><span class=\"label\">{}</span><span class=\"blank\"></span></div>\n",
                escape(who),
                escape(label)
            ));
        };
        for c in &self.signers {
            sign_line(&mut b, &c.label(lang), t(Msg::ReceiptSignHere));
        }
        sign_line(&mut b, "", t(Msg::ReceiptWitness));
        b.push_str("</section>\n<footer>");
        b.push_str(&format!(
            "<p>{}</p><p>{}</p>",
            escape(&lang.f(Msg::ReceiptTimes, &[("zone", &self.time_zone)])),
            escape(&lang.f(Msg::ReceiptProve, &[("seq", &self.seq)]))
        ));
        b.push_str("</footer>\n</main>\n");
        let title = format!("{} {}", t(Msg::ReceiptTitle), self.seq);
        crate::present::html::page(lang, &title, RECEIPT_CSS, &b)
    }
}

/// One A4 page: the facts and the QR code side by side, bags in columns, signature lines.
const RECEIPT_CSS: &str = r#"
@page{size:A4;margin:12mm 14mm}
.sheet{max-width:182mm;margin:0 auto;padding:6mm 4mm;font-size:10.5pt}
header{border-bottom:2px solid #1a1a1a;margin-bottom:4mm}
h1{font-size:20pt;margin:0 0 1mm;letter-spacing:.1em}
h2{font-size:12pt;margin:4mm 0 1.5mm;border-bottom:1px solid #999}
.exam{margin:0 0 2mm;font-size:11pt}
.top{display:flex;gap:6mm;align-items:flex-start;justify-content:space-between}
.kv{border-collapse:collapse}
.kv th{text-align:left;font-weight:normal;color:#555;padding:.6mm 4mm .6mm 0;white-space:nowrap;vertical-align:top}
.kv td{padding:.6mm 0;overflow-wrap:anywhere}
.kv td.event{font-size:15pt;font-weight:bold}
.qr{margin:0;text-align:center;width:46mm;flex:none}
.qr svg{width:40mm;height:40mm}
.qr figcaption{font-size:7pt;color:#555}
.payload{font-size:6pt;overflow-wrap:anywhere;word-break:break-all}
.bags{columns:3;column-gap:6mm;margin:0;padding-left:6mm;font-size:9pt}
.bags li{break-inside:avoid}
.total{font-weight:bold}
.signers{border-collapse:collapse}
.signers td{padding:.6mm 5mm .6mm 0}
.proof code{font-size:8.5pt;overflow-wrap:anywhere}
.sign{margin-top:6mm}
.line{display:flex;align-items:flex-end;gap:3mm;height:13mm}
.line .who{width:55mm}
.line .label{color:#555}
.line .blank{flex:1;border-bottom:1px solid #1a1a1a}
footer{margin-top:5mm;font-size:8.5pt;color:#555}
footer p{margin:.5mm 0}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> QrPayload {
        QrPayload {
            ledger_id: [0xab; 16],
            seq: 42,
            hash: [0x01; 32],
            tree_size: 1234,
            root: [0xfe; 32],
        }
    }

    #[test]
    fn the_payload_parses_back_in_either_case() {
        let p = payload();
        let text = p.encode();
        // The example of docs/FORMAT.md, section 10.
        assert_eq!(
            text,
            format!(
                "CUSTODY:1:{}:42:{}:1234:{}",
                "AB".repeat(16),
                "01".repeat(32),
                "FE".repeat(32)
            )
        );
        assert_eq!(QrPayload::parse(&text), Ok(p.clone()));
        assert_eq!(QrPayload::parse(&text.to_ascii_lowercase()), Ok(p));
        for bad in [
            "",
            "CUSTODY:2:AB:1:00:1:00",
            "custody:1:abab:42:0101:1:fefe",
            &text.replace(":42:", ":-42:"),
            &text.replace(":42:", ":+42:"),
            &format!("{text}:extra"),
        ] {
            assert!(QrPayload::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_code_fits_a_48_column_receipt() {
        let mut p = payload();
        p.seq = 9_999_999;
        p.tree_size = 10_000_000;
        let text = p.text();
        let widest = text.lines().map(text_width).max().unwrap();
        assert!(widest + 2 <= TEXT_WIDTH, "{widest} columns");
        assert!(p.svg().starts_with("<svg"), "{}", &p.svg()[..40]);
    }
}
