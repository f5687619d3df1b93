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
use crate::audit::verify::{AuditError, Report};
use crate::format::time::Timestamp;
use crate::lang::i18n::{Lang, Msg};
use crate::lang::summary::ranges;
use crate::model::bag::BagKind;
use crate::model::entry::hex;
use crate::model::finding::{Finding, Severity};
use crate::model::policy::EventKind;
use crate::model::roster::Role;
use crate::present::html::{anchor, escape, page};
use crate::present::labels::short_time;
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

    /// The CSS class of its colour.
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
        let state = scan(input, label, |s| {
            match s.entry {
                Some(e) => {
                    let bags = e.body.event.bag_ids();
                    let seq = e.entry.seq;
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
            for &seq in &b.history {
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
        Ok(AuditPage {
            report,
            zone: report.time_zone.clone().unwrap_or_else(|| "UTC".into()),
            bags,
            entries,
        })
    }

    /// The page in `lang`.
    pub fn html(&self, lang: Lang) -> String {
        let mut b = String::with_capacity(256 * self.bags.len() + 64 * 1024);
        let exam = self.report.exam.clone().unwrap_or_default();
        let _ = writeln!(
            b,
            "<header><h1>{}</h1><p class=\"exam\">{}</p></header>",
            escape(lang.t(Msg::HtmlTitle)),
            escape(&exam)
        );
        self.verdict(&mut b, lang);
        self.facts(&mut b, lang);
        self.findings(&mut b, lang);
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
                b.push_str("</li>\n");
            }
            b.push_str("</ul>\n");
        }
        b.push_str("</section>\n");
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
            "<p class=\"hint\">{}</p>\n<ul class=\"legend\">",
            escape(lang.t(Msg::HtmlLaneHint))
        );
        for h in Holder::ALL {
            let _ = write!(
                b,
                "<li><svg width=\"14\" height=\"14\"><circle class=\"{}\" cx=\"7\" cy=\"7\" r=\"5\"/></svg>{}</li>",
                h.class(),
                escape(&h.legend(lang))
            );
        }
        let _ = writeln!(
            b,
            "<li><svg width=\"18\" height=\"18\"><circle class=\"hr\" cx=\"9\" cy=\"9\" r=\"4\"/><circle class=\"ring\" cx=\"9\" cy=\"9\" r=\"7\"/></svg>{}</li></ul>",
            escape(lang.t(Msg::HtmlRingLegend))
        );

        // One drawing per distinct lane, used by every bag that has it.
        let mut lanes: HashMap<&[Mark], usize> = HashMap::new();
        let mut defs = String::new();
        for bag in &self.bags {
            let next = lanes.len();
            if let std::collections::hash_map::Entry::Vacant(v) = lanes.entry(&bag.marks) {
                v.insert(next);
                self.lane(&mut defs, next, &bag.marks, lang);
            }
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

        let widths: HashMap<usize, usize> = lanes
            .iter()
            .map(|(marks, &n)| (n, lane_width(self, marks)))
            .collect();
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
                for bag in room {
                    let lane = lanes[bag.marks.as_slice()];
                    let _ = writeln!(
                        b,
                        "<li id=\"{}\"><code>{}</code> <span class=\"k\">{}</span><svg class=\"tl\" width=\"{}\" height=\"{LANE_H}\"><use href=\"#t{lane}\"/></svg></li>",
                        anchor("bag", &bag.id),
                        escape(&bag.id),
                        escape(lang.bag_kind(bag.kind)),
                        widths[&lane]
                    );
                }
                b.push_str("</ul></details>\n");
            }
            b.push_str("</details>\n");
        }
        b.push_str("</section>\n");
    }

    /// The x of each mark: one lane at least [`LANE_W`] wide, each gap at least [`GAP`], the
    /// rest shared in proportion to the time between the events.
    fn xs(&self, marks: &[Mark]) -> Vec<f64> {
        let times: Vec<i64> = marks
            .iter()
            .map(|m| match self.entries.get(&m.seq).and_then(|e| e.event) {
                Some((t, _)) => t.0,
                None => 0,
            })
            .collect();
        let gaps: Vec<f64> = times
            .windows(2)
            .map(|w| (w[1].saturating_sub(w[0])).max(0) as f64)
            .collect();
        let total: f64 = gaps.iter().sum();
        let fixed = GAP * gaps.len() as f64;
        let spare = (LANE_W - fixed).max(0.0);
        let mut x = MARGIN;
        let mut xs = vec![x];
        for g in gaps {
            x += GAP + if total > 0.0 { spare * g / total } else { 0.0 };
            xs.push(x);
        }
        xs
    }

    /// Draws a lane as `<g id="tN">`: segments coloured by holder, one dot per event, its entry
    /// number above, a red ring where a finding is, and the first and last time below.
    fn lane(&self, out: &mut String, n: usize, marks: &[Mark], lang: Lang) {
        let xs = self.xs(marks);
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
        for (m, x) in marks.iter().zip(&xs) {
            let class = m.holder.map_or("hu", Holder::class);
            let what = match self.entries.get(&m.seq).and_then(|e| e.event) {
                Some((t, kind)) => format!("{} {}", short_time(t, &self.zone), lang.event(kind)),
                None => String::new(),
            };
            let _ = write!(
                out,
                "<circle class=\"{class}\" cx=\"{x:.0}\" cy=\"{Y}\" r=\"4\"><title>{} {}</title></circle><text x=\"{x:.0}\" y=\"9\">{}</text>",
                m.seq,
                escape(&what),
                m.seq
            );
            if m.finding {
                let _ = write!(
                    out,
                    "<circle class=\"ring\" cx=\"{x:.0}\" cy=\"{Y}\" r=\"7\"/>"
                );
            }
        }
        let time = |m: &Mark| {
            self.entries
                .get(&m.seq)
                .and_then(|e| e.event)
                .map(|(t, _)| short_time(t, &self.zone))
        };
        if let (Some(first), Some(x)) = (marks.first().and_then(time), xs.first()) {
            let _ = write!(
                out,
                "<text class=\"d\" x=\"{x:.0}\" y=\"33\">{}</text>",
                escape(&first)
            );
        }
        if marks.len() > 1
            && let (Some(last), Some(x)) = (marks.last().and_then(time), xs.last())
        {
            let _ = write!(
                out,
                "<text class=\"d e\" x=\"{x:.0}\" y=\"33\">{}</text>",
                escape(&last)
            );
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
                        e.signers.iter().map(|c| escape(&c.label())).collect();
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

/// How wide a lane's drawing is.
fn lane_width(page: &AuditPage<'_>, marks: &[Mark]) -> usize {
    let last = page.xs(marks).last().copied().unwrap_or(MARGIN);
    (last + MARGIN + 60.0) as usize
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
/// Lane geometry, in CSS pixels.
const LANE_W: f64 = 520.0;
const GAP: f64 = 28.0;
const MARGIN: f64 = 10.0;
const Y: u32 = 18;
const LANE_H: u32 = 36;

const REPORT_CSS: &str = r#"
body{padding:16px 24px;max-width:1100px;margin:0 auto;font-size:14px}
header h1{margin:0;font-size:24px}
.exam{margin:2px 0 10px;font-size:16px}
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
.bags li{display:flex;align-items:center;gap:8px;min-height:36px}
.bags code{min-width:9em}
.k{color:#666;font-size:12px;min-width:7em}
.tl{flex:none}
.defs{position:absolute;width:0;height:0;overflow:hidden}
path.s{stroke-width:4;fill:none}
circle.hr,circle.ht,circle.hs,circle.ho,circle.hx,circle.hu{stroke:#fff;stroke-width:1}
.hr{fill:#1565c0;stroke:#1565c0}.ht{fill:#ef6c00;stroke:#ef6c00}.hs{fill:#2e7d32;stroke:#2e7d32}
.ho{fill:#6a1b9a;stroke:#6a1b9a}.hx{fill:#757575;stroke:#757575}.hu{fill:#bdbdbd;stroke:#bdbdbd}
.ring{fill:none;stroke:#d50000;stroke-width:2.5}
text{font-size:9px;fill:#444;text-anchor:middle}
text.d{font-size:9px;fill:#777;text-anchor:start}
text.e{text-anchor:end}
.entries{border-collapse:collapse;font-size:12.5px}
.entries td{padding:1px 10px 1px 0;vertical-align:top}
.entries tr:target{background:#fff3c4}
.bags li:target{background:#fff3c4}
footer{margin-top:24px;color:#666;font-size:12px}
@media print{details{display:block}.toc{display:none}}
"#;
