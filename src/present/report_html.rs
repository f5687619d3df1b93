//! The audit report as one self-contained HTML page (`custody verify --html FILE`): the verdict,
//! the findings by category and severity (each linked to its entry and bag), every bag's
//! timeline drawn as inline SVG and grouped by site, session and room, and the entries all these
//! point at.
//!
//! The findings are the audit's [`Report`], as they are: nothing here judges. The timelines come
//! from one quick pass over the same journal ([`crate::audit::scan`]): the bags and their histories from
//! the state after the last entry, the time, kind and co-signers of each entry from the pass.
//!
//! Built to stay usable at 10,000 bags: sites and rooms fold (`<details>`, no script), bags
//! whose timelines are the same entries share one drawing (an SVG `<use>` of it), and styles
//! are CSS classes, never per-element.

use crate::audit::scan::{Cosigner, scan};
use crate::audit::verify::{AuditError, Listed, ListedKind, Report};
use crate::format::time::Timestamp;
use crate::lang::i18n::{Lang, Msg};
use crate::lang::summary::ranges;
use crate::model::bag::{BagKind, Correction, IncidentKind};
use crate::model::entry::hex;
use crate::model::event::Event;
use crate::model::finding::{Finding, Severity};
use crate::model::policy::EventKind;
use crate::model::roster::Role;
use crate::present::html::{anchor, escape, page};
use crate::present::labels::{SECTIONS, short_time};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

/// Who holds a bag after an event, which colours its timeline. It follows from the event's kind
/// (where the event leaves the bag), not from a rule: the audit says whether the move was right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Holder {
    /// The custodians: in the confidentiality room or one of its cabinets.
    Room,
    /// The escorts: in transit.
    Transit,
    /// The chief examiner: received at the exam site, sealed.
    Site,
    /// The invigilators: opened in the exam room.
    Opened,
    /// Out of the ledger's custody.
    Released,
}

impl Holder {
    const ALL: [Holder; 5] = [
        Holder::Room,
        Holder::Transit,
        Holder::Site,
        Holder::Opened,
        Holder::Released,
    ];

    /// Where `kind` leaves the bags it names; `None` for events that do not move them.
    fn after(kind: EventKind) -> Option<Holder> {
        Some(match kind {
            EventKind::Collect | EventKind::Store | EventKind::Withdraw | EventKind::Return => {
                Holder::Room
            }
            EventKind::Dispatch => Holder::Transit,
            EventKind::Arrive | EventKind::Seal => Holder::Site,
            EventKind::Open => Holder::Opened,
            EventKind::Release => Holder::Released,
            _ => return None,
        })
    }

    /// The CSS class of its colour, line pattern and mark shape.
    fn class(self) -> &'static str {
        match self {
            Holder::Room => "hr",
            Holder::Transit => "ht",
            Holder::Site => "hs",
            Holder::Opened => "ho",
            Holder::Released => "hx",
        }
    }

    fn legend(self, lang: Lang) -> String {
        let with = |msg, role| lang.f(msg, &[("role", &lang.role(role))]);
        match self {
            Holder::Room => with(Msg::HtmlHolderRoom, Role::Custodian),
            Holder::Transit => with(Msg::HtmlHolderTransit, Role::Escort),
            Holder::Site => with(Msg::HtmlHolderSite, Role::ChiefExaminer),
            Holder::Opened => with(Msg::HtmlHolderOpened, Role::Invigilator),
            Holder::Released => lang.t(Msg::HtmlHolderReleased).to_string(),
        }
    }
}

/// An entry as the page lists it.
#[derive(Clone, Debug)]
struct EntryRow {
    /// `None` for a record that does not decode.
    event: Option<(Timestamp, EventKind)>,
    signers: Vec<Cosigner>,
    bags: Vec<String>,
}

/// A correction as the page shows it: the field it fixes, with the value the ledger held before
/// it (`?` when the ledger never held the bag) and the new one.
#[derive(Clone, Debug)]
struct Fix {
    field: Msg,
    old: String,
    new: String,
    /// The entry that holds the mistake.
    of_seq: u64,
}

/// The time axis that every lane of one session shares: each distinct event time of its bags, in
/// order, and its x. Equal times get equal x, so marks compare between bags.
#[derive(Clone, Debug)]
struct Axis {
    /// Its drawing is `<g id="a{id}">`.
    id: usize,
    times: Vec<i64>,
    xs: Vec<f64>,
}

impl Axis {
    /// Each gap at least [`GAP`] (less when the times are too many to fit), the rest of
    /// [`LANE_W`] shared by the logarithm of the minutes between them: a longer wait is
    /// longer, but a correction months later does not squeeze the exam day into a corner.
    fn new(id: usize, mut times: Vec<i64>) -> Axis {
        times.sort_unstable();
        times.dedup();
        let n = times.len();
        let gap = if n > 1 {
            GAP.min(LANE_W / (n - 1) as f64)
        } else {
            0.0
        };
        let weights: Vec<f64> = times
            .windows(2)
            .map(|w| (w[1].saturating_sub(w[0]) as f64 / 60_000.0).ln_1p())
            .collect();
        let total: f64 = weights.iter().sum();
        let spare = (LANE_W - gap * n.saturating_sub(1) as f64).max(0.0);
        let mut x = MARGIN;
        let mut xs = Vec::with_capacity(n);
        xs.extend(times.first().map(|_| x));
        for w in weights {
            x += gap + if total > 0.0 { spare * w / total } else { 0.0 };
            xs.push(x);
        }
        Axis { id, times, xs }
    }

    /// The x of `t`, one of the axis's times (or the nearest before it).
    fn x(&self, t: i64) -> f64 {
        let i = match self.times.binary_search(&t) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        self.xs.get(i).copied().unwrap_or(MARGIN)
    }
}

/// One event on a bag's lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Mark {
    seq: u64,
    /// Who holds the bag after it (`None`: unknown, before any event that places it).
    holder: Option<Holder>,
    /// A finding at this entry about this bag, or about the entry as a whole.
    finding: bool,
}

#[derive(Clone, Debug)]
struct BagRow {
    id: String,
    kind: BagKind,
    session: String,
    site: String,
    room: String,
    marks: Vec<Mark>,
    findings: usize,
}

/// Everything the page shows, gathered from the report and one pass over the journal.
pub struct AuditPage<'r> {
    report: &'r Report,
    zone: String,
    /// In site, session, room and barcode order.
    bags: Vec<BagRow>,
    /// The entries the findings and the timelines point at, by sequence number.
    entries: BTreeMap<u64, EntryRow>,
    /// Every correction, by its entry's sequence number.
    fixes: HashMap<u64, Fix>,
    /// The kind of every `incident` event, by sequence number.
    incidents: HashMap<u64, IncidentKind>,
    /// Each session's time axis.
    axes: HashMap<String, Axis>,
    /// When the page was made.
    made: Timestamp,
}

impl<'r> AuditPage<'r> {
    /// Gathers the page of `report` from the journal it audited (`input`, which starts with the
    /// journal header; `label` names it in errors).
    pub fn collect(
        report: &'r Report,
        input: impl Read,
        label: &Path,
    ) -> Result<AuditPage<'r>, AuditError> {
        let finding_seqs: HashSet<u64> = report.findings.iter().map(|f| f.seq).collect();
        let mut entries: BTreeMap<u64, EntryRow> = BTreeMap::new();
        let mut fixes = HashMap::new();
        let mut incidents = HashMap::new();
        // The seal and count the ledger holds for each bag, for a correction's old value.
        let mut held: HashMap<String, (String, u32)> = HashMap::new();
        let state = scan(input, label, |s| {
            match s.entry {
                Some(e) => {
                    let bags = e.body.event.bag_ids();
                    let seq = e.entry.seq;
                    match &e.body.event {
                        Event::Collect(c) => {
                            for b in &c.bags {
                                held.insert(b.id.clone(), (b.seal.clone(), b.count));
                            }
                        }
                        Event::Seal(c) => {
                            held.insert(c.bag.id.clone(), (c.bag.seal.clone(), c.bag.count));
                        }
                        Event::Incident(i) => {
                            incidents.insert(seq, i.kind);
                        }
                        Event::Correct(c) => {
                            let mut now = held.remove(&c.bag);
                            let unknown = || "?".to_string();
                            let (field, old, new) = match &c.fix {
                                Correction::Seal(v) => {
                                    let old = now.as_ref().map_or_else(unknown, |h| h.0.clone());
                                    if let Some(h) = &mut now {
                                        h.0 = v.clone();
                                    }
                                    (Msg::HtmlChangeSeal, old, v.clone())
                                }
                                Correction::Count(n) => {
                                    let old =
                                        now.as_ref().map_or_else(unknown, |h| h.1.to_string());
                                    if let Some(h) = &mut now {
                                        h.1 = *n;
                                    }
                                    (Msg::HtmlChangeCount, old, n.to_string())
                                }
                                Correction::BagId(v) => {
                                    (Msg::HtmlChangeBarcode, c.bag.clone(), v.clone())
                                }
                            };
                            let id = match &c.fix {
                                Correction::BagId(v) => v.clone(),
                                _ => c.bag.clone(),
                            };
                            if let Some(h) = now {
                                held.insert(id, h);
                            }
                            fixes.insert(
                                seq,
                                Fix {
                                    field,
                                    old,
                                    new,
                                    of_seq: c.seq,
                                },
                            );
                        }
                        _ => {}
                    }
                    if !bags.is_empty() || finding_seqs.contains(&seq) {
                        entries.entry(seq).or_insert_with(|| EntryRow {
                            event: Some((e.body.event_time, e.body.event.kind())),
                            signers: s.cosigners,
                            bags: bags.into_iter().map(str::to_string).collect(),
                        });
                    }
                }
                None if finding_seqs.contains(&s.position) => {
                    entries.entry(s.position).or_insert(EntryRow {
                        event: None,
                        signers: Vec::new(),
                        bags: Vec::new(),
                    });
                }
                None => {}
            }
            ControlFlow::Continue(())
        })?;

        let mut by_seq: HashMap<u64, Vec<&Finding>> = HashMap::new();
        for f in &report.findings {
            by_seq.entry(f.seq).or_default().push(f);
        }
        let mut bags = Vec::new();
        for b in state.bags()? {
            let id = b.spec.id.clone();
            let about = |f: &&&Finding| f.bag.as_deref().is_none_or(|x| x == id);
            let mut holder = None;
            let mut marks = Vec::new();
            let mut findings = 0;
            for seq in state.bag_history(&b)? {
                let here = by_seq
                    .get(&seq)
                    .map_or(0, |fs| fs.iter().filter(about).count());
                findings += here;
                if let Some(Some((_, kind))) = entries.get(&seq).map(|e| e.event) {
                    holder = Holder::after(kind).or(holder);
                }
                marks.push(Mark {
                    seq,
                    holder,
                    finding: here > 0,
                });
            }
            bags.push(BagRow {
                id,
                kind: b.spec.kind,
                session: b.spec.session,
                site: b.spec.site,
                room: b.spec.room,
                marks,
                findings,
            });
        }
        bags.sort_by(|a, b| {
            (&a.site, &a.session, &a.room, &a.id).cmp(&(&b.site, &b.session, &b.room, &b.id))
        });
        // Only what the page points at stays listed.
        let pointed: HashSet<u64> = bags
            .iter()
            .flat_map(|b| b.marks.iter().map(|m| m.seq))
            .chain(finding_seqs.iter().copied())
            .collect();
        entries.retain(|seq, _| pointed.contains(seq));
        // One axis per session, over the times of all its bags' events.
        let mut times: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
        for bag in &bags {
            let list = times.entry(&bag.session).or_default();
            for m in &bag.marks {
                if let Some(Some((t, _))) = entries.get(&m.seq).map(|e| e.event) {
                    list.push(t.0);
                }
            }
        }
        let axes = times
            .into_iter()
            .enumerate()
            .map(|(id, (session, times))| (session.to_string(), Axis::new(id, times)))
            .collect();
        Ok(AuditPage {
            report,
            zone: report.time_zone.clone().unwrap_or_else(|| "UTC".into()),
            bags,
            entries,
            fixes,
            incidents,
            axes,
            made: Timestamp::now(),
        })
    }

    /// The page in `lang`.
    pub fn html(&self, lang: Lang) -> String {
        let mut b = String::with_capacity(256 * self.bags.len() + 64 * 1024);
        let exam = self.report.exam.clone().unwrap_or_default();
        let made = lang.f(
            Msg::HtmlMade,
            &[
                ("time", &self.made.display_in(&self.zone)),
                ("version", &env!("CARGO_PKG_VERSION")),
            ],
        );
        let _ = writeln!(
            b,
            "<header><h1>{}</h1><p class=\"exam\">{}</p><p class=\"made\">{}</p></header>",
            escape(lang.t(Msg::HtmlTitle)),
            escape(&exam),
            escape(&made)
        );
        self.verdict(&mut b, lang);
        self.checks(&mut b, lang);
        self.facts(&mut b, lang);
        self.findings(&mut b, lang);
        self.incidents(&mut b, lang);
        self.corrections(&mut b, lang);
        self.listed(
            &mut b,
            lang,
            "roster",
            Msg::HtmlRosterChanges,
            &[ListedKind::Roster],
        );
        self.listed(
            &mut b,
            lang,
            "changes",
            Msg::HtmlOtherChanges,
            &[ListedKind::Policy, ListedKind::Schedule],
        );
        self.timetable(&mut b, lang);
        self.bag_sections(&mut b, lang);
        self.entry_list(&mut b, lang);
        let _ = writeln!(
            b,
            "<footer><p>{}</p></footer>",
            escape(lang.t(Msg::HtmlFooter))
        );
        let title = format!("{} {exam}", lang.t(Msg::HtmlTitle));
        page(lang, &title, REPORT_CSS, &b)
    }

    fn verdict(&self, b: &mut String, lang: Lang) {
        let findings = &self.report.findings;
        if findings.is_empty() {
            let _ = writeln!(
                b,
                "<section class=\"verdict clean\"><h2>{}</h2></section>",
                escape(lang.t(Msg::HtmlClean))
            );
            return;
        }
        let _ = write!(
            b,
            "<section class=\"verdict bad\"><h2>{}</h2><p>",
            escape(&lang.f(Msg::HtmlNotClean, &[("n", &findings.len())]))
        );
        for sev in Severity::ALL {
            let n = findings.iter().filter(|f| f.severity == sev).count();
            if n > 0 {
                let _ = write!(
                    b,
                    "<span class=\"sev s-{}\">{} {n}</span> ",
                    sev.as_str(),
                    escape(lang.severity(sev))
                );
            }
        }
        b.push_str("</p></section>\n");
    }

    fn facts(&self, b: &mut String, lang: Lang) {
        let r = self.report;
        b.push_str("<table class=\"facts\">\n");
        let mut row = |label: Msg, value: String| {
            let _ = writeln!(
                b,
                "<tr><th>{}</th><td>{value}</td></tr>",
                escape(lang.t(label))
            );
        };
        row(
            Msg::HtmlLedger,
            format!(
                "<code>{}</code>",
                r.ledger_id.map(|i| hex(&i)).unwrap_or_else(|| "?".into())
            ),
        );
        row(
            Msg::HtmlExamined,
            escape(&lang.f(
                Msg::HtmlExaminedText,
                &[("entries", &r.entries), ("bags", &r.bags)],
            )),
        );
        if let (Some(a), Some(z)) = (r.first_recorded, r.last_recorded) {
            row(
                Msg::HtmlRecorded,
                escape(&lang.f(
                    Msg::HtmlRecordedText,
                    &[
                        ("from", &a.display_in(&self.zone)),
                        ("to", &z.display_in(&self.zone)),
                    ],
                )),
            );
        }
        let trust = match r.genesis_trusted {
            Some(true) => Msg::HtmlTrusted,
            Some(false) => Msg::HtmlUntrusted,
            None => Msg::HtmlNotChecked,
        };
        row(
            Msg::HtmlGenesis,
            format!(
                "<code>{}</code><br>{}",
                r.genesis_hash
                    .map(|h| hex(&h))
                    .unwrap_or_else(|| "?".into()),
                escape(lang.t(trust))
            ),
        );
        row(
            Msg::HtmlTree,
            escape(&lang.f(
                Msg::HtmlTreeText,
                &[("size", &r.tree_size), ("root", &hex(&r.root))],
            )),
        );
        if r.checkpoints.is_empty() {
            row(Msg::HtmlEvidence, escape(lang.t(Msg::HtmlNoEvidence)));
        }
        for c in &r.checkpoints {
            let verdict = match c.problem {
                Some(code) => code.as_str().to_string(),
                None if c.consistent => {
                    lang.f(Msg::HtmlEvidenceOk, &[("size", &c.size.unwrap_or(0))])
                }
                None => lang.t(Msg::HtmlEvidenceUnchecked).to_string(),
            };
            row(
                Msg::HtmlEvidence,
                format!("<code>{}</code><br>{}", escape(&c.label), escape(&verdict)),
            );
        }
        for n in &r.notices {
            row(Msg::HtmlNotice, escape(n));
        }
        row(
            Msg::HtmlTimes,
            escape(&lang.f(Msg::ReceiptTimes, &[("zone", &self.zone)])),
        );
        b.push_str("</table>\n");
    }

    fn findings(&self, b: &mut String, lang: Lang) {
        let _ = writeln!(
            b,
            "<section id=\"findings\"><h2>{}</h2>",
            escape(lang.t(Msg::HtmlFindings))
        );
        if self.report.findings.is_empty() {
            let _ = write!(b, "<p>{}</p>", escape(lang.t(Msg::HtmlNoFindings)));
        }
        let bag_ids: HashSet<&str> = self.bags.iter().map(|b| b.id.as_str()).collect();
        let mut sorted: Vec<&Finding> = self.report.findings.iter().collect();
        sorted.sort_by_key(|f| (f.category, f.severity, f.seq));
        for group in sorted.chunk_by(|a, b| a.category == b.category) {
            let _ = writeln!(
                b,
                "<h3>{} <span class=\"n\">{}</span></h3>\n<ul class=\"findings\">",
                escape(lang.category(group[0].category)),
                group.len()
            );
            for f in group {
                let _ = write!(
                    b,
                    "<li class=\"s-{}\"><span class=\"sev\">{}</span> <code>{}</code> <span class=\"why\">{}</span><br><span class=\"msg\">{}</span><br><a href=\"#{}\">{}</a>",
                    f.severity.as_str(),
                    escape(lang.severity(f.severity)),
                    f.code.as_str(),
                    escape(lang.explain(f.code)),
                    escape(&f.message),
                    anchor("e", &f.seq.to_string()),
                    escape(&lang.f(Msg::HtmlEntryLink, &[("seq", &f.seq)]))
                );
                if let Some(bag) = &f.bag {
                    let text = escape(&lang.f(Msg::HtmlBagLink, &[("bag", bag)]));
                    if bag_ids.contains(bag.as_str()) {
                        let _ = write!(b, " · <a href=\"#{}\">{text}</a>", anchor("bag", bag));
                    } else {
                        let _ = write!(b, " · {text}");
                    }
                }
                if let Some(signer) = &f.signer {
                    let msg = if f.code.is_about_keyholder() {
                        Msg::FindingKeyholder
                    } else {
                        Msg::HtmlSignerLink
                    };
                    let _ = write!(b, " · {}", escape(&lang.f(msg, &[("signer", signer)])));
                }
                if let Some(by) = f.corrected {
                    let text = escape(lang.f(Msg::FindingCorrected, &[("seq", &by)]).trim());
                    let _ = write!(
                        b,
                        " · <a href=\"#{}\">{text}</a>",
                        anchor("e", &by.to_string())
                    );
                }
                b.push_str("</li>\n");
            }
            b.push_str("</ul>\n");
        }
        b.push_str("</section>\n");
    }

    /// Every schedule entry, by session in journal order, as the text report has it.
    fn timetable(&self, b: &mut String, lang: Lang) {
        let _ = writeln!(
            b,
            "<section id=\"timetable\"><h2>{}</h2>",
            escape(lang.t(Msg::HtmlTimetable))
        );
        let mut rows: Vec<&crate::audit::verify::Scheduled> =
            self.report.timetable.iter().collect();
        if rows.is_empty() {
            let _ = writeln!(
                b,
                "<p>{}</p></section>",
                escape(lang.t(Msg::ReportTimetableNone))
            );
            return;
        }
        rows.sort_by(|a, c| (&a.session, a.seq).cmp(&(&c.session, c.seq)));
        b.push_str("<ul>\n");
        for t in rows {
            let text = lang.f(
                if t.rescheduled {
                    Msg::TimetableRescheduled
                } else {
                    Msg::TimetableScheduled
                },
                &[
                    ("session", &t.session),
                    ("subject", &t.subject),
                    ("start", &short_time(t.start, &self.zone)),
                    ("end", &short_time(t.end, &self.zone)),
                    ("signers", &t.signers.join(" + ")),
                ],
            );
            let _ = writeln!(
                b,
                "<li>{} · {}</li>",
                escape(&lang.f(Msg::ReportEntry, &[("seq", &t.seq)])),
                escape(&text)
            );
        }
        b.push_str("</ul></section>\n");
    }

    /// One line per section of the audit (integrity, authorization, custody): no findings, or
    /// how many; a tick or a cross says it without colour.
    fn checks(&self, b: &mut String, lang: Lang) {
        let _ = writeln!(
            b,
            "<section id=\"checks\"><h2>{}</h2>\n<ul class=\"checks\">",
            escape(lang.t(Msg::HtmlChecks))
        );
        for (title, categories) in SECTIONS {
            let n = self
                .report
                .findings
                .iter()
                .filter(|f| categories.contains(&f.category))
                .count();
            let title = lang.t(title);
            let (class, mark, text) = match n {
                0 => (
                    "ok",
                    "✓",
                    lang.f(Msg::ReportSectionClean, &[("title", &title)]),
                ),
                1 => (
                    "bad",
                    "✗",
                    lang.f(Msg::ReportSectionOne, &[("title", &title), ("n", &n)]),
                ),
                _ => (
                    "bad",
                    "✗",
                    lang.f(Msg::ReportSectionMany, &[("title", &title), ("n", &n)]),
                ),
            };
            let _ = writeln!(
                b,
                "<li class=\"{class}\"><span class=\"mark\">{mark}</span> {}</li>",
                escape(&text)
            );
        }
        b.push_str("</ul></section>\n");
    }

    /// `条目 12`, linked to the entry list when the page lists it.
    fn entry_cell(&self, seq: u64, lang: Lang) -> String {
        let text = escape(&lang.f(Msg::ReportEntry, &[("seq", &seq)]));
        if self.entries.contains_key(&seq) {
            format!("<a href=\"#{}\">{text}</a>", anchor("e", &seq.to_string()))
        } else {
            text
        }
    }

    /// A section's heading and table head, or its heading and "none" (then `None`).
    fn table_head(
        &self,
        b: &mut String,
        lang: Lang,
        id: &str,
        title: Msg,
        kinds: &[ListedKind],
        columns: &[Msg],
    ) -> Option<Vec<&'r Listed>> {
        let _ = writeln!(b, "<section id=\"{id}\"><h2>{}</h2>", escape(lang.t(title)));
        let rows: Vec<&Listed> = self
            .report
            .listed
            .iter()
            .filter(|l| kinds.contains(&l.kind))
            .collect();
        if rows.is_empty() {
            let _ = writeln!(
                b,
                "<p>{}</p></section>",
                escape(lang.t(Msg::HtmlNoneListed))
            );
            return None;
        }
        b.push_str("<table class=\"listed\"><thead><tr>");
        for c in columns {
            let _ = write!(b, "<th>{}</th>", escape(lang.t(*c)));
        }
        b.push_str("</tr></thead><tbody>\n");
        Some(rows)
    }

    /// Declared incidents: `incident` events and custody events recorded with an incident note,
    /// each with its note and the findings the audit reported there.
    fn incidents(&self, b: &mut String, lang: Lang) {
        let Some(rows) = self.table_head(
            b,
            lang,
            "incidents",
            Msg::HtmlIncidents,
            &[ListedKind::Incident],
            &[
                Msg::HtmlColEntry,
                Msg::HtmlColTime,
                Msg::HtmlColWhat,
                Msg::HtmlColBags,
                Msg::HtmlColNote,
                Msg::HtmlColSigners,
                Msg::HtmlColReported,
            ],
        ) else {
            return;
        };
        for l in rows {
            let what = match self.incidents.get(&l.seq) {
                Some(kind) => lang.incident(*kind),
                None => lang.event(l.event),
            };
            let ids: Vec<&str> = l.bags.iter().map(String::as_str).collect();
            let codes: Vec<&str> = l.finding_codes.iter().map(|c| c.as_str()).collect();
            let _ = writeln!(
                b,
                "<tr><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td><code>{}</code></td><td class=\"note\">{}</td><td class=\"nw\">{}</td><td class=\"nw\"><code>{}</code></td></tr>",
                self.entry_cell(l.seq, lang),
                escape(&short_time(l.event_time, &self.zone)),
                escape(what),
                escape(&ranges(&ids)),
                escape(l.note.as_deref().unwrap_or_default()),
                escape(&l.signers.join(" + ")),
                escape(&codes.join(", "))
            );
        }
        b.push_str("</tbody></table></section>\n");
    }

    /// Corrections: which entry and bag, the field with its old and new value, and the note.
    fn corrections(&self, b: &mut String, lang: Lang) {
        let Some(rows) = self.table_head(
            b,
            lang,
            "corrections",
            Msg::HtmlCorrections,
            &[ListedKind::Correction],
            &[
                Msg::HtmlColEntry,
                Msg::HtmlColTime,
                Msg::HtmlColCorrects,
                Msg::HtmlColBags,
                Msg::HtmlColChange,
                Msg::HtmlColNote,
                Msg::HtmlColSigners,
            ],
        ) else {
            return;
        };
        for l in rows {
            let (of, change) = match self.fixes.get(&l.seq) {
                Some(f) => (
                    self.entry_cell(f.of_seq, lang),
                    escape(&lang.f(f.field, &[("old", &f.old), ("new", &f.new)])),
                ),
                // Not seen in the pass (it cannot happen for a listed correction): its words.
                None => (String::new(), escape(&l.text)),
            };
            let ids: Vec<&str> = l.bags.iter().map(String::as_str).collect();
            let _ = writeln!(
                b,
                "<tr><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td class=\"nw\">{of}</td><td><code>{}</code></td><td>{change}</td><td class=\"note\">{}</td><td class=\"nw\">{}</td></tr>",
                self.entry_cell(l.seq, lang),
                escape(&short_time(l.event_time, &self.zone)),
                escape(&ranges(&ids)),
                escape(l.note.as_deref().unwrap_or_default()),
                escape(&l.signers.join(" + "))
            );
        }
        b.push_str("</tbody></table></section>\n");
    }

    /// The listed entries of `kinds` (roster changes; policy changes with every rule changed and
    /// reschedules), as the text report has them.
    fn listed(&self, b: &mut String, lang: Lang, id: &str, title: Msg, kinds: &[ListedKind]) {
        let Some(rows) = self.table_head(
            b,
            lang,
            id,
            title,
            kinds,
            &[
                Msg::HtmlColEntry,
                Msg::HtmlColTime,
                Msg::HtmlColWhat,
                Msg::HtmlColSigners,
            ],
        ) else {
            return;
        };
        for l in rows {
            let _ = writeln!(
                b,
                "<tr><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td>{}</td><td class=\"nw\">{}</td></tr>",
                self.entry_cell(l.seq, lang),
                escape(&short_time(l.event_time, &self.zone)),
                escape(&l.text),
                escape(&l.signers.join(" + "))
            );
        }
        b.push_str("</tbody></table></section>\n");
    }

    fn bag_sections(&self, b: &mut String, lang: Lang) {
        let _ = writeln!(
            b,
            "<section id=\"bags\"><h2>{}</h2>",
            escape(lang.t(Msg::HtmlBags))
        );
        if self.bags.is_empty() {
            let _ = writeln!(b, "<p>{}</p></section>", escape(lang.t(Msg::HtmlNoBags)));
            return;
        }
        let _ = write!(
            b,
            "<p class=\"hint\">{}</p>\n<p class=\"hint\">{}</p>\n<ul class=\"legend\">",
            escape(lang.t(Msg::HtmlLaneHint)),
            escape(lang.t(Msg::HtmlAxisHint))
        );
        for h in Holder::ALL {
            let _ = write!(
                b,
                "<li><svg width=\"40\" height=\"16\"><path class=\"s {}\" d=\"M2 8H28\"/>{}</svg>{}</li>",
                h.class(),
                marker(Some(h), 30.0, 8.0, ""),
                escape(&h.legend(lang))
            );
        }
        let _ = writeln!(
            b,
            "<li><svg width=\"18\" height=\"18\">{}<circle class=\"ring\" cx=\"9\" cy=\"9\" r=\"7.5\"/></svg>{}</li></ul>",
            marker(Some(Holder::Room), 9.0, 9.0, ""),
            escape(lang.t(Msg::HtmlRingLegend))
        );

        // One drawing per distinct lane of a session, used by every bag that has it; one axis
        // per session.
        let mut lanes: HashMap<(&str, &[Mark]), usize> = HashMap::new();
        let mut defs = String::new();
        for bag in &self.bags {
            let next = lanes.len();
            if let std::collections::hash_map::Entry::Vacant(v) =
                lanes.entry((&bag.session, &bag.marks))
            {
                v.insert(next);
                self.lane(&mut defs, next, &self.axes[&bag.session], &bag.marks, lang);
            }
        }
        let mut axes: Vec<&Axis> = self.axes.values().collect();
        axes.sort_by_key(|a| a.id);
        for axis in axes {
            self.axis(&mut defs, axis);
        }
        let _ = writeln!(
            b,
            "<svg class=\"defs\" aria-hidden=\"true\"><defs>\n{defs}</defs></svg>"
        );

        // The table of contents: every site, its sessions and rooms, each a link.
        let open_all = self.bags.len() <= OPEN_BAGS;
        let sites: Vec<&[BagRow]> = self.bags.chunk_by(|a, b| a.site == b.site).collect();
        b.push_str("<nav class=\"toc\"><ul>\n");
        for (i, site) in sites.iter().enumerate() {
            let _ = write!(
                b,
                "<li><a href=\"#site-{i}\">{}</a> <span class=\"n\">{}</span>",
                escape(&site[0].site),
                escape(&lang.f(Msg::HtmlBagCount, &[("n", &site.len())]))
            );
            let mut session = None;
            for (j, room) in rooms_of(site).enumerate() {
                if session != Some(&room[0].session) {
                    session = Some(&room[0].session);
                    let _ = write!(
                        b,
                        "<br><span class=\"ses\">{}</span>",
                        escape(&room[0].session)
                    );
                }
                let _ = write!(
                    b,
                    " <a href=\"#room-{i}-{j}\">{}</a>",
                    escape(&room[0].room)
                );
            }
            b.push_str("</li>\n");
        }
        b.push_str("</ul></nav>\n");

        let width = LANE_W + 2.0 * MARGIN;
        for (i, site) in sites.iter().enumerate() {
            let bad: usize = site.iter().map(|b| b.findings).sum();
            let _ = writeln!(
                b,
                "<details class=\"site\" id=\"site-{i}\"{}><summary>{} <span class=\"n\">{}</span>{}</summary>",
                if open_all || bad > 0 { " open" } else { "" },
                escape(&site[0].site),
                escape(&lang.f(Msg::HtmlBagCount, &[("n", &site.len())])),
                flag(bad, lang)
            );
            for (j, room) in rooms_of(site).enumerate() {
                let bad: usize = room.iter().map(|b| b.findings).sum();
                let _ = writeln!(
                    b,
                    "<details class=\"room\" id=\"room-{i}-{j}\"{}><summary>{} · {} <span class=\"n\">{}</span>{}</summary>\n<ul class=\"bags\">",
                    if open_all || bad > 0 { " open" } else { "" },
                    escape(&room[0].session),
                    escape(&room[0].room),
                    escape(&lang.f(Msg::HtmlBagCount, &[("n", &room.len())])),
                    flag(bad, lang)
                );
                let _ = writeln!(
                    b,
                    "<li class=\"axis\"><code></code> <span class=\"k\"></span><svg class=\"tl\" width=\"{width}\" height=\"{AXIS_H}\"><use href=\"#a{}\"/></svg></li>",
                    self.axes[&room[0].session].id
                );
                for bag in room {
                    let lane = lanes[&(bag.session.as_str(), bag.marks.as_slice())];
                    let _ = writeln!(
                        b,
                        "<li id=\"{}\"><code>{}</code> <span class=\"k\">{}</span><svg class=\"tl\" width=\"{width}\" height=\"{LANE_H}\"><use href=\"#t{lane}\"/></svg></li>",
                        anchor("bag", &bag.id),
                        escape(&bag.id),
                        escape(lang.bag_kind(bag.kind))
                    );
                }
                b.push_str("</ul></details>\n");
            }
            b.push_str("</details>\n");
        }
        b.push_str("</section>\n");
    }

    /// The time of the entry at `seq`, if it decodes.
    fn time_of(&self, seq: u64) -> Option<Timestamp> {
        self.entries.get(&seq).and_then(|e| e.event).map(|(t, _)| t)
    }

    /// The x of each mark on its session's `axis`; a mark without a time stands where the one
    /// before it does.
    fn xs(&self, axis: &Axis, marks: &[Mark]) -> Vec<f64> {
        let mut x = MARGIN;
        marks
            .iter()
            .map(|m| {
                if let Some(t) = self.time_of(m.seq) {
                    x = axis.x(t.0);
                }
                x
            })
            .collect()
    }

    /// Draws a session's axis as `<g id="aN">`: a line, and a tick with its date at the first
    /// event time of each day.
    fn axis(&self, out: &mut String, axis: &Axis) {
        let _ = write!(
            out,
            "<g id=\"a{}\"><path class=\"ax\" d=\"M{MARGIN:.0} 13H{:.0}\"/>",
            axis.id,
            MARGIN + LANE_W
        );
        let mut day = String::new();
        let mut last_label = f64::MIN;
        for (&t, &x) in axis.times.iter().zip(&axis.xs) {
            let this = Timestamp(t).date_in(&self.zone).to_string();
            if this == day {
                continue;
            }
            let _ = write!(out, "<path class=\"ax\" d=\"M{x:.0} 9V16\"/>");
            // A label only where it does not run into the one before.
            if x - last_label >= 34.0 {
                // Near the right edge the label ends at its tick.
                let class = if x + 30.0 > LANE_W + MARGIN {
                    "d e"
                } else {
                    "d"
                };
                let _ = write!(
                    out,
                    "<text class=\"{class}\" x=\"{x:.0}\" y=\"7\">{}</text>",
                    escape(this.get(5..).unwrap_or(&this))
                );
                last_label = x;
            }
            day = this;
        }
        out.push_str("</g>\n");
    }

    /// Draws a lane as `<g id="tN">`: segments with the line pattern (and colour) of their
    /// holder, one mark of its holder's shape per event, its entry number above, a red ring
    /// where a finding is, and the first and last time below.
    fn lane(&self, out: &mut String, n: usize, axis: &Axis, marks: &[Mark], lang: Lang) {
        let xs = self.xs(axis, marks);
        let _ = write!(out, "<g id=\"t{n}\">");
        // The segments, one path per holder.
        let mut paths: Vec<(&str, String)> = Vec::new();
        for (i, pair) in xs.windows(2).enumerate() {
            let class = marks[i].holder.map_or("hu", Holder::class);
            let d = format!("M{:.0} {Y}H{:.0}", pair[0], pair[1]);
            match paths.iter_mut().find(|(c, _)| *c == class) {
                Some((_, all)) => all.push_str(&d),
                None => paths.push((class, d)),
            }
        }
        for (class, d) in paths {
            let _ = write!(out, "<path class=\"s {class}\" d=\"{d}\"/>");
        }
        // Entry numbers that would run into the one before are left out (each mark's tooltip
        // still has it).
        let mut numbered = f64::MIN;
        for (m, x) in marks.iter().zip(&xs) {
            let what = match self.entries.get(&m.seq).and_then(|e| e.event) {
                Some((t, kind)) => format!("{} {}", short_time(t, &self.zone), lang.event(kind)),
                None => String::new(),
            };
            let title = format!("{} {}", m.seq, escape(&what));
            out.push_str(&marker(m.holder, *x, f64::from(Y), &title));
            let half = 2.8 * m.seq.to_string().len() as f64;
            if x - half >= numbered + 2.0 {
                let _ = write!(out, "<text x=\"{x:.0}\" y=\"9\">{}</text>", m.seq);
                numbered = x + half;
            }
            if m.finding {
                let _ = write!(
                    out,
                    "<circle class=\"ring\" cx=\"{x:.0}\" cy=\"{Y}\" r=\"8\"/>"
                );
            }
        }
        let time = |m: &Mark| self.time_of(m.seq).map(|t| short_time(t, &self.zone));
        let first = marks.first().and_then(time).zip(xs.first().copied());
        let last = marks.last().and_then(time).zip(xs.last().copied());
        match (first, last) {
            // Far enough apart: the first time under the first mark, the last under the last.
            (Some((a, xa)), Some((z, xz))) if xz - xa >= 2.0 * LABEL_W + 6.0 => {
                let _ = write!(
                    out,
                    "<text class=\"d\" x=\"{xa:.0}\" y=\"35\">{}</text><text class=\"d e\" x=\"{xz:.0}\" y=\"35\">{}</text>",
                    escape(&a),
                    escape(&z)
                );
            }
            // Close together: one label `first–last`, inside the lane.
            (Some((a, xa)), last) => {
                let xz = last.as_ref().map_or(xa, |(_, x)| *x);
                let text = match last {
                    Some((z, _)) if z == a => a,
                    Some((z, _)) if z.get(..11) == a.get(..11) => {
                        format!("{a}–{}", z.get(11..).unwrap_or(&z))
                    }
                    Some((z, _)) => format!("{a}–{z}"),
                    None => a,
                };
                let wide = LABEL_W / 16.0 * text.chars().count() as f64;
                if xa + wide <= LANE_W + 2.0 * MARGIN {
                    let _ = write!(
                        out,
                        "<text class=\"d\" x=\"{xa:.0}\" y=\"35\">{}</text>",
                        escape(&text)
                    );
                } else {
                    let _ = write!(
                        out,
                        "<text class=\"d e\" x=\"{xz:.0}\" y=\"35\">{}</text>",
                        escape(&text)
                    );
                }
            }
            _ => {}
        }
        out.push_str("</g>\n");
    }

    fn entry_list(&self, b: &mut String, lang: Lang) {
        let _ = writeln!(
            b,
            "<section id=\"entries\"><h2>{}</h2>\n<p class=\"hint\">{}</p>\n<details{}><summary>{}</summary>\n<table class=\"entries\">",
            escape(lang.t(Msg::HtmlEntries)),
            escape(lang.t(Msg::HtmlEntriesHint)),
            if self.entries.len() <= OPEN_ENTRIES {
                " open"
            } else {
                ""
            },
            escape(&lang.f(Msg::HtmlEntryCount, &[("n", &self.entries.len())]))
        );
        for (seq, e) in &self.entries {
            let _ = write!(
                b,
                "<tr id=\"{}\"><td>{seq}</td>",
                anchor("e", &seq.to_string())
            );
            match e.event {
                Some((t, kind)) => {
                    let signers: Vec<String> =
                        e.signers.iter().map(|c| escape(&c.label(lang))).collect();
                    let ids: Vec<&str> = e.bags.iter().map(String::as_str).collect();
                    let _ = writeln!(
                        b,
                        "<td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                        escape(&short_time(t, &self.zone)),
                        escape(lang.event(kind)),
                        signers.join(" + "),
                        escape(&ranges(&ids))
                    );
                }
                None => {
                    let _ = writeln!(
                        b,
                        "<td colspan=\"4\">{}</td></tr>",
                        escape(lang.t(Msg::HtmlUndecodable))
                    );
                }
            }
        }
        // Findings can point past the journal (a checkpoint longer than it): their anchors
        // still exist, saying so.
        let mut missing: Vec<u64> = self
            .report
            .findings
            .iter()
            .map(|f| f.seq)
            .filter(|s| !self.entries.contains_key(s))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        for seq in missing {
            let _ = writeln!(
                b,
                "<tr id=\"{}\"><td>{seq}</td><td colspan=\"4\">{}</td></tr>",
                anchor("e", &seq.to_string()),
                escape(lang.t(Msg::HtmlNoRecord))
            );
        }
        b.push_str("</table></details></section>\n");
    }
}

/// A mark at (`x`, `y`) in the shape of `holder` (unknown: a small hollow circle), with `title`
/// (already HTML) as its tooltip: the shapes tell holders apart on a black-and-white print.
fn marker(holder: Option<Holder>, x: f64, y: f64, title: &str) -> String {
    let class = holder.map_or("hu", Holder::class);
    let title = if title.is_empty() {
        String::new()
    } else {
        format!("<title>{title}</title>")
    };
    let (l, r, t, b) = (x - 5.0, x + 5.0, y - 5.0, y + 5.0);
    match holder {
        Some(Holder::Room) => {
            format!(
                "<circle class=\"m {class}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4.5\">{title}</circle>"
            )
        }
        Some(Holder::Transit) => format!(
            "<polygon class=\"m {class}\" points=\"{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}\">{title}</polygon>",
            y - 6.0,
            x + 6.0,
            y + 6.0,
            x - 6.0
        ),
        Some(Holder::Site) => format!(
            "<rect class=\"m {class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\">{title}</rect>",
            x - 4.5,
            y - 4.5
        ),
        Some(Holder::Opened) => format!(
            "<polygon class=\"m {class}\" points=\"{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\">{title}</polygon>",
            y - 6.0,
            x + 5.5,
            y + 4.5,
            x - 5.5,
            y + 4.5
        ),
        Some(Holder::Released) => format!(
            "<path class=\"m {class}\" d=\"M{l:.1} {t:.1}L{r:.1} {b:.1}M{l:.1} {b:.1}L{r:.1} {t:.1}\">{title}</path>"
        ),
        None => {
            format!(
                "<circle class=\"m {class}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\">{title}</circle>"
            )
        }
    }
}

/// The rooms of a site's bags, each session's apart, in page order: the sections and the table
/// of contents number them alike (`room-<site>-<n>`).
fn rooms_of(site: &[BagRow]) -> impl Iterator<Item = &[BagRow]> {
    site.chunk_by(|a, b| a.session == b.session && a.room == b.room)
}

/// `· 3 findings`, or nothing.
fn flag(n: usize, lang: Lang) -> String {
    if n == 0 {
        return String::new();
    }
    format!(
        " <span class=\"flag\">{}</span>",
        escape(&lang.f(Msg::HtmlNotClean, &[("n", &n)]))
    )
}

/// Sites and rooms start open when the ledger has at most this many bags.
const OPEN_BAGS: usize = 300;
/// The entry list starts open when it has at most this many entries.
const OPEN_ENTRIES: usize = 500;
/// Lane geometry, in CSS pixels: narrow enough for the barcode, the kind and the lane to fit
/// the width of an A4 page.
const LANE_W: f64 = 440.0;
const GAP: f64 = 28.0;
const MARGIN: f64 = 10.0;
const Y: u32 = 18;
const LANE_H: u32 = 38;
const AXIS_H: u32 = 18;
/// About the width of a time label (`2026-06-07 09:50`, 16 characters) at the lanes' font size.
const LABEL_W: f64 = 80.0;

const REPORT_CSS: &str = r#"
body{padding:16px 24px;max-width:1100px;margin:0 auto;font-size:14px}
header h1{margin:0;font-size:24px}
.exam{margin:2px 0 0;font-size:16px}
.made{margin:0 0 10px;color:#555;font-size:12px}
.checks{list-style:none;padding:0;margin:4px 0 10px;display:flex;flex-wrap:wrap;gap:4px 24px}
.checks .mark{font-weight:bold}
.checks .bad{color:#8e1b1b;font-weight:bold}
table.listed{border-collapse:collapse;font-size:12.5px;width:100%}
table.listed th{text-align:left;font-weight:normal;color:#555;border-bottom:1px solid #bbb;padding:2px 10px 2px 0}
table.listed td{padding:2px 10px 2px 0;vertical-align:top;border-bottom:1px dotted #ddd;overflow-wrap:anywhere}
td.note{min-width:12em}
td.nw{white-space:nowrap}
.verdict{padding:8px 14px;border-radius:6px;margin:8px 0 14px}
.verdict h2{margin:0;font-size:20px}
.verdict p{margin:6px 0 0}
.clean{background:#e3f4e6;border:2px solid #2e7d32;color:#1b5e20}
.bad{background:#fdecea;border:2px solid #c62828;color:#8e1b1b}
.sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px;background:#777}
.s-critical .sev,.sev.s-critical{background:#b71c1c}
.s-high .sev,.sev.s-high{background:#e65100}
.s-medium .sev,.sev.s-medium{background:#f9a825;color:#1a1a1a}
.s-low .sev,.sev.s-low{background:#607d8b}
.facts{border-collapse:collapse;margin-bottom:10px}
.facts th{text-align:left;font-weight:normal;color:#555;padding:2px 14px 2px 0;vertical-align:top;white-space:nowrap}
.facts td{padding:2px 0;overflow-wrap:anywhere}
code{font-size:12px}
h2{font-size:19px;border-bottom:1px solid #bbb;padding-bottom:2px;margin-top:22px}
h3{font-size:16px;margin:14px 0 6px}
.n{color:#666;font-weight:normal;font-size:12px}
.findings{list-style:none;padding:0;margin:0}
.findings li{border-left:4px solid #999;padding:4px 10px;margin:0 0 6px;background:#fafafa}
.findings li.s-critical{border-color:#b71c1c}.findings li.s-high{border-color:#e65100}
.findings li.s-medium{border-color:#f9a825}.findings li.s-low{border-color:#607d8b}
.why{font-weight:bold}.msg{color:#333}
.hint{color:#555;margin:4px 0}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 18px;margin:6px 0 10px}
.legend li{display:flex;align-items:center;gap:5px}
.toc ul{list-style:none;padding:0;columns:2;column-gap:24px;margin:6px 0 12px}
.toc li{break-inside:avoid;margin-bottom:6px}
.ses{color:#555;font-size:12px}
details{margin:2px 0}
summary{cursor:pointer;padding:2px 0}
.site>summary{font-weight:bold;font-size:15px}
.room{margin-left:18px}
.flag{color:#c62828;font-weight:bold;font-size:12px}
.bags{list-style:none;margin:0 0 6px;padding:0 0 0 14px}
.bags li{display:flex;align-items:center;gap:8px;min-height:38px}
.bags li.axis{min-height:18px}
.bags code{flex:none;width:10em;overflow-wrap:anywhere}
.k{color:#666;font-size:12px;flex:none;width:6.5em}
.tl{flex:none}
.defs{position:absolute;width:0;height:0;overflow:hidden}
path.s{stroke-width:4;fill:none}
.hr{fill:#1565c0;stroke:#1565c0}.ht{fill:#ef6c00;stroke:#ef6c00}.hs{fill:#2e7d32;stroke:#2e7d32}
.ho{fill:#6a1b9a;stroke:#6a1b9a}.hx{fill:#757575;stroke:#757575}.hu{fill:#fff;stroke:#9e9e9e}
path.s.ht{stroke-dasharray:7 3}path.s.hs{stroke-dasharray:2 3}path.s.ho{stroke-dasharray:9 3 2 3}
path.s.hx{stroke-width:1.5}path.s.hu{stroke-width:2;stroke-dasharray:1 3}
.m{stroke:#fff;stroke-width:1}.m.hx{fill:none;stroke:#424242;stroke-width:2.2}.m.hu{stroke:#757575}
.ring{fill:none;stroke:#d50000;stroke-width:2.5}
path.ax{stroke:#888;stroke-width:1;fill:none}
text{font-size:9px;fill:#444;text-anchor:middle}
text.d{font-size:9px;fill:#777;text-anchor:start}
text.e{text-anchor:end}
.entries{border-collapse:collapse;font-size:12.5px}
.entries td{padding:1px 10px 1px 0;vertical-align:top}
.entries td:nth-child(-n+3){white-space:nowrap}
.entries tr:target{background:#fff3c4}
.bags li:target{background:#fff3c4}
footer{margin-top:24px;color:#666;font-size:12px}
@page{size:A4;margin:12mm}
@media print{
body{padding:0;max-width:none;font-size:12px}
details{display:block}.toc{display:none}
h1,h2,h3,summary,.hint,.legend,thead{break-after:avoid;page-break-after:avoid}
h2,h3,li,tr,.verdict,.checks,.facts tr{break-inside:avoid;page-break-inside:avoid}
thead{display:table-header-group}
.bags li{break-inside:avoid}
.bags li.axis{break-after:avoid;page-break-after:avoid}
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// A black-and-white print loses the colours: each holder must still differ in the shape
    /// of its marks and the pattern of its lines.
    #[test]
    fn holders_differ_in_shape_and_line_pattern_not_only_colour() {
        let shapes: HashSet<String> = Holder::ALL
            .iter()
            .map(|h| Some(*h))
            .chain([None])
            .map(|h| marker(h, 20.0, 20.0, "").replace(h.map_or("hu", Holder::class), ""))
            .collect();
        assert_eq!(shapes.len(), Holder::ALL.len() + 1, "{shapes:?}");
        let patterns: HashSet<String> = Holder::ALL
            .iter()
            .filter_map(|h| {
                let rule = format!("path.s.{}{{", h.class());
                let at = REPORT_CSS.find(&rule)?;
                let end = REPORT_CSS[at..].find('}')?;
                Some(REPORT_CSS[at + rule.len()..at + end].to_string())
            })
            .collect();
        // The room's line is the plain one: the others each have their own.
        assert_eq!(patterns.len(), Holder::ALL.len() - 1, "{patterns:?}");
    }

    /// On A4, a heading never ends a page: it stays with what follows it.
    #[test]
    fn headings_keep_with_what_follows_when_printed() {
        let print = &REPORT_CSS[REPORT_CSS.find("@media print").unwrap()..];
        assert!(REPORT_CSS.contains("@page{size:A4"));
        let rule = print
            .lines()
            .find(|l| l.contains("break-after:avoid"))
            .unwrap();
        for sel in ["h1", "h2", "h3", "summary", "thead"] {
            assert!(
                rule.split('{').next().unwrap().split(',').any(|s| s == sel),
                "{sel}"
            );
        }
    }

    #[test]
    fn a_session_axis_keeps_order_and_gives_equal_times_one_x() {
        let axis = Axis::new(0, vec![3_600_000, 0, 60_000, 3_600_000, 86_400_000]);
        assert_eq!(axis.times, [0, 60_000, 3_600_000, 86_400_000]);
        assert!(
            axis.xs.windows(2).all(|w| w[1] - w[0] >= GAP - 0.01),
            "{:?}",
            axis.xs
        );
        assert_eq!(axis.x(0), MARGIN);
        assert!((axis.x(86_400_000) - (MARGIN + LANE_W)).abs() < 0.01);
        // Too many times for the minimum gap: still inside the lane, still in order.
        let crowded = Axis::new(1, (0..1000).collect());
        assert!(crowded.xs.windows(2).all(|w| w[1] > w[0]));
        assert!(*crowded.xs.last().unwrap() <= MARGIN + LANE_W + 0.01);
    }
}
