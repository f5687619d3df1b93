//! The printable-text rule applied to every text field of every event, the genesis included:
//! one function, [`event_text_problem`], that the judge calls on append and in the audit alike.

use crate::format::printable::{TextKind, neutralise, text_problem};
use crate::model::bag::{BagObs, BagSpec, Correction, Destination};
use crate::model::event::Event;

/// Every text field of an event, named as in `docs/FORMAT.md`, with its kind. Keyholder records
/// (founders, enrolments) are checked by the judge's `keyholder_problem` instead: their id
/// has a stricter form and their name its own rule.
fn event_texts(event: &Event) -> Vec<(&'static str, &str, TextKind)> {
    use TextKind::{Identifier as Id, Words};
    let mut out: Vec<(&'static str, &str, TextKind)> = Vec::new();
    fn spec<'a>(out: &mut Vec<(&'static str, &'a str, TextKind)>, b: &'a BagSpec) {
        out.push(("bag id", &b.id, Id));
        out.push(("session", &b.session, Id));
        out.push(("site", &b.site, Id));
        out.push(("room", &b.room, Id));
        out.push(("seal", &b.seal, Id));
    }
    fn obs<'a>(out: &mut Vec<(&'static str, &'a str, TextKind)>, bags: &'a [BagObs]) {
        for b in bags {
            out.push(("bag id", &b.id, Id));
            if let Some(seal) = &b.seal {
                out.push(("seal", seal, Id));
            }
        }
    }
    let incident = match event {
        Event::Genesis(g) => {
            out.push(("exam", &g.exam, Words));
            out.push(("time zone", &g.time_zone, Id));
            None
        }
        Event::Enroll(_) => None,
        Event::Revoke(r) => {
            out.push(("keyholder id", &r.id, Id));
            out.push(("reason", &r.reason, Words));
            None
        }
        Event::Schedule(s) => {
            out.push(("session", &s.session, Id));
            out.push(("subject", &s.subject, Words));
            s.incident.as_deref()
        }
        Event::Policy(_) => None,
        Event::Collect(e) => {
            e.bags.iter().for_each(|b| spec(&mut out, b));
            out.push(("upstream party", &e.from, Words));
            e.incident.as_deref()
        }
        Event::Store(e) | Event::Withdraw(e) => {
            obs(&mut out, &e.bags);
            out.push(("cabinet", &e.cabinet, Id));
            e.incident.as_deref()
        }
        Event::Inspect(e) => {
            obs(&mut out, &e.bags);
            if let Some(c) = &e.cabinet {
                out.push(("cabinet", c, Id));
            }
            e.incident.as_deref()
        }
        Event::Reseal(e) => {
            out.push(("bag id", &e.bag, Id));
            out.push(("old seal", &e.old_seal, Id));
            out.push(("new seal", &e.new_seal, Id));
            out.push(("note", &e.note, Words));
            e.incident.as_deref()
        }
        Event::Cabinet(e) => {
            out.push(("cabinet", &e.cabinet, Id));
            if let Destination::Site(s) = &e.at {
                out.push(("site", s, Id));
            }
            None
        }
        Event::Handover(e) => {
            obs(&mut out, &e.bags);
            for id in e.from.iter().chain(&e.to) {
                out.push(("escort", id, Id));
            }
            e.incident.as_deref()
        }
        Event::Dispatch(e) => {
            obs(&mut out, &e.bags);
            if let Destination::Site(s) = &e.to {
                out.push(("destination site", s, Id));
            }
            for id in &e.escorts {
                out.push(("escort", id, Id));
            }
            e.incident.as_deref()
        }
        Event::Arrive(e) => {
            obs(&mut out, &e.bags);
            out.push(("site", &e.site, Id));
            e.incident.as_deref()
        }
        Event::Open(e) => {
            obs(&mut out, &e.bags);
            out.push(("site", &e.site, Id));
            out.push(("room", &e.room, Id));
            e.incident.as_deref()
        }
        Event::Seal(e) => {
            spec(&mut out, &e.bag);
            e.incident.as_deref()
        }
        Event::Return(e) => {
            obs(&mut out, &e.bags);
            e.incident.as_deref()
        }
        Event::Release(e) => {
            obs(&mut out, &e.bags);
            out.push(("recipient", &e.to, Words));
            e.incident.as_deref()
        }
        Event::Incident(e) => {
            for id in &e.bags {
                out.push(("bag id", id, Id));
            }
            if let Some(c) = &e.cabinet {
                out.push(("cabinet", c, Id));
            }
            Some(e.note.as_str())
        }
        Event::Grant(g) => {
            out.push(("keyholder id", &g.id, Id));
            None
        }
        Event::Assign(a) => {
            match a {
                crate::model::event::Assignment::Site {
                    session,
                    site,
                    chief,
                    rooms,
                } => {
                    out.push(("session", session, Id));
                    out.push(("site", site, Id));
                    out.extend(chief.iter().map(|c| ("keyholder id", c.as_str(), Id)));
                    for r in rooms {
                        out.push(("room", &r.room, Id));
                        out.extend(
                            r.invigilators
                                .iter()
                                .map(|i| ("keyholder id", i.as_str(), Id)),
                        );
                    }
                }
                crate::model::event::Assignment::Duty {
                    cabinet,
                    custodians,
                    supervisors,
                    ..
                } => {
                    out.extend(cabinet.iter().map(|c| ("cabinet", c.as_str(), Id)));
                    for id in custodians.iter().chain(supervisors) {
                        out.push(("keyholder id", id, Id));
                    }
                }
            }
            None
        }
        Event::Correct(e) => {
            out.push(("bag id", &e.bag, Id));
            match &e.fix {
                Correction::BagId(v) => out.push(("corrected bag id", v, Id)),
                Correction::Seal(v) => out.push(("corrected seal", v, Id)),
                Correction::Count(_) => {}
            }
            Some(e.note.as_str())
        }
        Event::Void(e) => {
            out.push(("session", &e.session, Id));
            Some(e.note.as_str())
        }
        Event::Postpone(e) => {
            out.push(("session", &e.session, Id));
            Some(e.note.as_str())
        }
        Event::Manifest(e) => {
            for r in &e.rows {
                out.push(("bag id", &r.bag, Id));
                out.push(("seal", &r.seal, Id));
                out.push(("session", &r.session, Id));
                out.push(("site", &r.site, Id));
                out.push(("room", &r.room, Id));
            }
            None
        }
    };
    if let Some(note) = incident {
        out.push(("note", note, Words));
    }
    out
}

/// The first text of an event that breaks the printable-text rule, as a message naming the
/// field and showing the text neutralised; `None` when every text is fine. The exam name's
/// length and emptiness are the genesis rule's ([`exam_problem`]).
pub fn event_text_problem(event: &Event) -> Option<String> {
    event_texts(event)
        .into_iter()
        .find_map(|(field, text, kind)| {
            text_problem(text, kind).map(|p| format!("the {field} \"{}\" {p}", neutralise(text)))
        })
}
