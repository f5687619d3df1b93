//! One bag's timeline: every entry that touched it, under its current barcode.

use crate::audit::verify::{self as audit, AuditError};
use crate::format::time::{Timestamp, zone_heading};
use crate::lang::i18n::kind_label;
use crate::lang::i18n::{Lang, Msg};
use crate::model::bag::{BagKind, BagState, Correction, Place};
use crate::model::event::Event;
use crate::model::finding::Finding;
use crate::model::policy::EventKind;
use crate::present::error::ViewError;
use crate::present::json::{bag_json, place_json};
use crate::present::labels::{finding_text, place_text, place_words, short_time, zone_of};
use crate::present::papers::SessionPapers;
use crate::present::table::{Table, heading};
use crate::rules::state::{Kv, State};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::Path;

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
    /// What a reseal did: the seal found, the new seal, and the note.
    pub reseal: Option<String>,
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
    /// Its session's postponement and void, if any.
    pub papers: SessionPapers,
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
    let history: HashSet<u64> = state.bag_history(&bag)?.into_iter().collect();

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

    // The barcode each entry used: walk back from the current one through the renames. A
    // correction of a barcode the bag was never collected under names that one entry only (a
    // bag recorded under a wrong id); a rename names every entry before it.
    let made: HashSet<&str> = raw
        .iter()
        .filter(|r| matches!(r.event, Event::Collect(_) | Event::Seal(_)))
        .flat_map(|r| r.event.bag_ids())
        .collect();
    let mut names = vec![String::new(); raw.len()];
    let mut relinked: Vec<(u64, String)> = Vec::new();
    let mut cur = bag.spec.id.clone();
    for (i, r) in raw.iter().enumerate().rev() {
        if let Event::Correct(c) = &r.event
            && matches!(&c.fix, Correction::BagId(new) if *new == cur)
        {
            if made.contains(c.bag.as_str()) {
                cur = c.bag.clone();
            } else {
                relinked.push((c.seq, c.bag.clone()));
            }
        }
        names[i] = match relinked.iter().find(|(seq, _)| *seq == r.seq) {
            Some((_, wrong)) => wrong.clone(),
            None => cur.clone(),
        };
    }

    let mut rows: Vec<TimelineRow> = Vec::new();
    let mut earlier_ids: Vec<String> = Vec::new();
    for (r, name) in raw.into_iter().zip(names) {
        if name != bag.spec.id && !earlier_ids.contains(&name) {
            earlier_ids.push(name.clone());
        }
        let before = rows.last().map(|row| row.place.clone());
        let place = match &r.event {
            // Out of a cabinet, back where the bag was when it went in: the room, or the site
            // of a site cabinet.
            Event::Withdraw(_) => rows
                .iter()
                .rev()
                .skip_while(|row| row.kind != EventKind::Store)
                .nth(1)
                .map_or(Place::Room, |row| row.place.clone()),
            _ => place_after(&r.event, r.seq, r.event_time, before)
                .unwrap_or_else(|| bag.place.clone()),
        };
        let reseal = match &r.event {
            Event::Reseal(e) => Some(lang.f(
                Msg::ResealOf,
                &[
                    ("old", &e.old_seal),
                    ("new", &e.new_seal),
                    ("note", &e.note),
                ],
            )),
            _ => None,
        };
        let (seal, count) = observed(&r.event, &name);
        let (incident, correction) = match &r.event {
            Event::Incident(i) => (Some(format!("{}: {}", lang.incident(i.kind), i.note)), None),
            Event::Correct(c) => {
                let fix = match &c.fix {
                    Correction::BagId(v) => {
                        lang.f(Msg::FixBarcode, &[("from", &c.bag), ("value", v)])
                    }
                    // Old -> new: the last seal or count this timeline shows before it.
                    Correction::Seal(v) => match rows.iter().rev().find_map(|r| r.seal.clone()) {
                        Some(old) => lang.f(Msg::FixSealWas, &[("old", &old), ("value", v)]),
                        None => lang.f(Msg::FixSeal, &[("value", v)]),
                    },
                    Correction::Count(v) => match rows.iter().rev().find_map(|r| r.count) {
                        Some(old) => lang.f(Msg::FixCountWas, &[("old", &old), ("value", v)]),
                        None => lang.f(Msg::FixCount, &[("value", v)]),
                    },
                };
                (
                    None,
                    Some(lang.f(
                        Msg::CorrectionOf,
                        &[("seq", &c.seq), ("fix", &fix), ("note", &c.note)],
                    )),
                )
            }
            other => {
                // A note attached to an event belongs to the bags that broke a rule there; when
                // no bag did, to every bag of the event.
                let flagged = |b: &str| r.findings.iter().any(|f| f.bag.as_deref() == Some(b));
                let concerns = !r.findings.iter().any(|f| f.bag.is_some()) || flagged(&name);
                (
                    other
                        .incident_note()
                        .filter(|_| concerns)
                        .map(str::to_string),
                    None,
                )
            }
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
            reseal,
            findings,
        });
    }
    Ok(Timeline {
        papers: SessionPapers::of(state, &bag.spec.session)?,
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
    let obs = |bags: &[crate::model::bag::BagObs]| {
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
        Event::Reseal(e) => (Some(e.new_seal.clone()), None),
        Event::Correct(c) => match &c.fix {
            Correction::Seal(s) => (Some(s.clone()), None),
            Correction::Count(n) => (None, Some(*n)),
            Correction::BagId(_) => (None, None),
        },
        other => other.observations().map_or((None, None), obs),
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
        lines.extend(self.papers.lines(&self.time_zone, lang));
        lines.push(lang.f(Msg::TimesIn, &[("zone", &zone_heading(&self.time_zone))]));
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
            if let Some(c) = &r.reseal {
                t.note(lang.f(Msg::NoteReseal, &[("text", c)]));
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
    /// "postponed", "voided" (as [`SessionPapers::json`]),
    /// "timeline": [row]}` where each row is `{"seq", "event_time", "recorded_at" (RFC 3339,
    /// UTC), "kind", "named_as", "place" (place_json, after the entry), "signers": [{"id",
    /// "name"}], "seal", "count", "incident", "correction", "findings"}`; absent values are null.
    pub fn json(&self) -> Value {
        let papers = self.papers.json();
        json!({
            "postponed": papers["postponed"],
            "voided": papers["voided"],
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
                "reseal": r.reseal,
                "findings": r.findings,
            })).collect::<Vec<_>>(),
        })
    }
}
