//! Where every bag is (`custody status`) and the reconciliation sheet of a session.

use crate::format::time::{Timestamp, zone_heading};
use crate::lang::i18n::kind_label;
use crate::lang::i18n::{Lang, Msg};
use crate::lang::text::{Align, pad};
use crate::model::bag::{BagKind, BagState, Place};
use crate::present::error::ViewError;
use crate::present::json::bag_json;
use crate::present::labels::{place_text, place_words, short_time, zone_of};
use crate::present::papers::SessionPapers;
use crate::present::table::{Table, heading};
use crate::rules::state::{Kv, State, StoreError};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

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
    /// The session's postponement and void, if any.
    pub papers: SessionPapers,
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
    // A bag kept overnight in a site's cabinet is still out at the site, not back.
    let at_sites = state.site_cabinets()?;
    let back = |p: &Place| back(p) && !matches!(p, Place::Cabinet(c) if at_sites.contains_key(c));
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
        papers: SessionPapers::of(state, session)?,
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
        let mut lines = vec![first];
        lines.extend(self.papers.lines(&self.time_zone, lang));
        lines.push(lang.f(Msg::TimesIn, &[("zone", &zone_heading(&self.time_zone))]));
        lines
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
    /// counters}, "bags": [bag_json], "postponed", "voided" (as [`SessionPapers::json`])}`.
    /// See [`Counts`] for the counters.
    pub fn json(&self) -> Value {
        let papers = self.papers.json();
        json!({
            "postponed": papers["postponed"],
            "voided": papers["voided"],
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
    /// The cabinets registered at a site, with their site: a bag in one is shown there.
    pub site_cabinets: BTreeMap<String, String>,
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
            site_cabinets: state.site_cabinets()?,
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
        vec![
            first,
            lang.f(Msg::TimesIn, &[("zone", &zone_heading(&self.time_zone))]),
        ]
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
                match &b.place {
                    Place::Cabinet(c) if self.site_cabinets.contains_key(c) => lang.f(
                        Msg::PlaceSiteCabinet,
                        &[("cabinet", c), ("site", &self.site_cabinets[c])],
                    ),
                    place => place_text(place, &s.site, lang),
                },
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
