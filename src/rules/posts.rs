//! Posts: who may sign where (docs/CUSTODY.md, "Posts"). An `assign` event names a session's
//! chief examiner at a site and the invigilators of its rooms, or the custodians and supervisors
//! on duty in the confidentiality room (or at one cabinet) for a period. Once a session has posts
//! at a site, its arrivals, openings and seals there are co-signed by the people posted there
//! (`WRONG_POST` otherwise); once a place has duty posts, its stores and withdrawals are
//! co-signed by those on duty at that time (`OFF_DUTY` otherwise). Without posts, the role rules
//! alone apply. A `grant` adds a role to a keyholder; the judge checks the combination with the
//! enrolment's own rule.

use crate::format::encoding;
use crate::format::time::Timestamp;
use crate::model::entry::Body;
use crate::model::event::{Assignment, Event, Grant};
use crate::model::finding::{Code, Finding};
use crate::model::roster::{Keyholder, Role};
use crate::rules::state::{Batch, Kv, State, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A session's posts at a site ([`SitePosts`]), under `session \0 site`: one read per event,
/// never a scan (the audit's store scans by visiting every key).
const POST: u8 = b'a';
/// Duty posts in the confidentiality room (`""`) or at a cabinet (its name).
const DUTY: u8 = b'd';

fn key(prefix: u8, rest: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + rest.len());
    k.push(prefix);
    k.extend_from_slice(rest.as_bytes());
    k
}

fn post_key(session: &str, site: &str) -> Vec<u8> {
    key(POST, &format!("{session}\0{site}"))
}

/// The history of each post of one session at one site.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct SitePosts {
    pub chief: Vec<PostRecord>,
    /// Each room's history, rooms in the order first assigned.
    pub rooms: Vec<(String, Vec<PostRecord>)>,
}

impl SitePosts {
    fn room(&self, room: &str) -> &[PostRecord] {
        self.rooms
            .iter()
            .find(|(r, _)| r == room)
            .map_or(&[], |(_, h)| h.as_slice())
    }
}

/// One assignment of one post: who holds it from `from` on (until a later one replaces it).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PostRecord {
    pub from: Timestamp,
    pub seq: u64,
    pub people: Vec<String>,
}

/// One duty assignment of a place, for its period.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DutyRecord {
    pub from: Timestamp,
    pub until: Timestamp,
    pub seq: u64,
    pub people: Vec<String>,
}

/// The assignment of a post in force at `t`: the latest from `t` back, ties to the later entry.
fn in_force(history: &[PostRecord], t: Timestamp) -> Option<&PostRecord> {
    history
        .iter()
        .filter(|r| r.from <= t)
        .max_by_key(|r| (r.from, r.seq))
}

impl<K: Kv> State<K> {
    fn site_posts(&self, session: &str, site: &str) -> Result<SitePosts, StoreError> {
        Ok(self.get(&post_key(session, site))?.unwrap_or_default())
    }

    fn duty_history(&self, place: &str) -> Result<Vec<DutyRecord>, StoreError> {
        Ok(self.get(&key(DUTY, place))?.unwrap_or_default())
    }

    /// The people posted at `session`/`site`, at `t`: the chief, with `room`'s invigilators when
    /// a room is given. `None` when the session has no post at that site at `t`.
    pub fn posted(
        &self,
        session: &str,
        site: &str,
        room: Option<&str>,
        t: Timestamp,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let posts = self.site_posts(session, site)?;
        let posted = in_force(&posts.chief, t).is_some()
            || posts.rooms.iter().any(|(_, h)| in_force(h, t).is_some());
        if !posted {
            return Ok(None);
        }
        let room = room.map_or(&[][..], |r| posts.room(r));
        let mut people = Vec::new();
        for history in [&posts.chief[..], room] {
            if let Some(r) = in_force(history, t) {
                people.extend(r.people.iter().cloned());
            }
        }
        Ok(Some(people))
    }

    /// Every session scheduled that has no post assigned anywhere: the audit lists them, once,
    /// at its end (one pass over the posts).
    pub fn unassigned_sessions(&self) -> Result<Vec<String>, StoreError> {
        let mut posted = HashSet::new();
        self.kv().visit_prefix(&[POST], &mut |k, _| {
            let session = k[1..].split(|b| *b == 0).next().unwrap_or_default();
            posted.insert(session.to_vec());
            Ok(())
        })?;
        Ok(self
            .sessions()?
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| !posted.contains(id.as_bytes()))
            .collect())
    }
}

/// Checks an entry against the posts: the `assign` event itself, and the signers of the events
/// that posts govern. Called by the custody rules, so that a noted violation is declared.
pub fn check<K: Kv>(
    state: &State<K>,
    seq: u64,
    body: &Body,
    out: &mut Vec<Finding>,
) -> Result<(), StoreError> {
    let t = body.event_time;
    let mut c = Posts {
        state,
        seq,
        t,
        signers: &body.signers,
        out,
    };
    match &body.event {
        Event::Assign(a) => c.assignment(a)?,
        Event::Arrive(e) => {
            let bags: Vec<&str> = e.bags.iter().map(|b| b.id.as_str()).collect();
            for session in c.sessions(&bags)? {
                c.site_signers(&session, &e.site, None, &[Role::ChiefExaminer])?;
            }
        }
        Event::Open(e) => {
            let bags: Vec<&str> = e.bags.iter().map(|b| b.id.as_str()).collect();
            for session in c.sessions(&bags)? {
                c.site_signers(
                    &session,
                    &e.site,
                    Some(&e.room),
                    &[Role::ChiefExaminer, Role::Invigilator],
                )?;
            }
        }
        Event::Seal(e) => c.site_signers(
            &e.bag.session,
            &e.bag.site,
            Some(&e.bag.room),
            &[Role::ChiefExaminer, Role::Invigilator],
        )?,
        Event::Store(e) | Event::Withdraw(e) => c.duty_signers(&e.cabinet)?,
        _ => {}
    }
    Ok(())
}

struct Posts<'a, K: Kv> {
    state: &'a State<K>,
    seq: u64,
    t: Timestamp,
    signers: &'a [String],
    out: &'a mut Vec<Finding>,
}

impl<K: Kv> Posts<'_, K> {
    fn flag(&mut self, code: Code, signer: Option<&str>, message: String) {
        let mut f = Finding::new(code, self.seq, message);
        f.signer = signer.map(str::to_string);
        self.out.push(f);
    }

    /// The sessions of the known bags among `ids`, each once, in order.
    fn sessions(&self, ids: &[&str]) -> Result<Vec<String>, StoreError> {
        let mut out: Vec<String> = Vec::new();
        for id in ids {
            if let Some(bag) = self.state.bag(id)?
                && !out.contains(&bag.spec.session)
            {
                out.push(bag.spec.session);
            }
        }
        Ok(out)
    }

    /// The active keyholder `id`, if there is one.
    fn holder(&self, id: &str) -> Result<Option<Keyholder>, StoreError> {
        Ok(self
            .state
            .keyholder(id)?
            .filter(|r| r.active())
            .map(|r| r.keyholder))
    }

    /// The signers who hold one of `roles`: the ones a post speaks for.
    fn signers_holding(&self, roles: &[Role]) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for id in self.signers {
            if self
                .holder(id)?
                .is_some_and(|k| roles.iter().any(|r| k.has_role(*r)))
            {
                out.push(id.clone());
            }
        }
        Ok(out)
    }

    /// WRONG_POST for each signer holding one of `roles` who is not posted at `session`/`site`
    /// (the chief, or `room`'s invigilators), once the session has posts there.
    fn site_signers(
        &mut self,
        session: &str,
        site: &str,
        room: Option<&str>,
        roles: &[Role],
    ) -> Result<(), StoreError> {
        let Some(posted) = self.state.posted(session, site, room, self.t)? else {
            return Ok(());
        };
        let place = match room {
            Some(room) => format!("{site} {room}"),
            None => site.to_string(),
        };
        for id in self.signers_holding(roles)? {
            if !posted.contains(&id) {
                self.flag(
                    Code::WrongPost,
                    Some(&id),
                    format!(
                        "{id} is not posted at {place} for session {session} (posted there: {})",
                        list(&posted)
                    ),
                );
            }
        }
        Ok(())
    }

    /// OFF_DUTY for each custodian or supervisor signing a store or withdrawal at `cabinet` who
    /// is not on duty there at the event time, once the cabinet (or else the room) has duty posts.
    fn duty_signers(&mut self, cabinet: &str) -> Result<(), StoreError> {
        let mut history = self.state.duty_history(cabinet)?;
        let mut place = format!("at cabinet {cabinet}");
        if history.is_empty() {
            history = self.state.duty_history("")?;
            place = "in the confidentiality room".into();
        }
        if history.is_empty() {
            return Ok(());
        }
        // Of the periods around the event time, the one assigned last.
        let on_duty = history
            .iter()
            .filter(|r| r.from <= self.t && self.t <= r.until)
            .max_by_key(|r| r.seq)
            .map(|r| r.people.clone())
            .unwrap_or_default();
        for id in self.signers_holding(&[Role::Custodian, Role::Supervisor])? {
            if !on_duty.contains(&id) {
                self.flag(
                    Code::OffDuty,
                    Some(&id),
                    format!(
                        "{id} is not on duty {place} at this time (on duty: {})",
                        list(&on_duty)
                    ),
                );
            }
        }
        Ok(())
    }

    fn invalid(&mut self, message: String) {
        self.flag(Code::EventInvalid, None, message);
    }

    /// The people of one post: each named once, an active keyholder holding `role`. (One person
    /// may hold several posts: a small county's invigilators serve in more than one room.)
    fn people(&mut self, ids: &[String], role: Role) -> Result<(), StoreError> {
        let mut seen = HashSet::new();
        for id in ids {
            if !seen.insert(id) {
                self.invalid(format!("{id} is named twice for one post"));
            }
            match self.holder(id)? {
                None => self.invalid(format!("{id} is not an active keyholder")),
                Some(k) if !k.has_role(role) => self.invalid(format!(
                    "{id} is posted as {role} but does not hold that role"
                )),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Whether two of the signers are admins: then any assignment is theirs to make.
    fn two_admins(&self) -> Result<bool, StoreError> {
        Ok(self.signers_holding(&[Role::Admin])?.len() >= 2)
    }

    fn assignment(&mut self, a: &Assignment) -> Result<(), StoreError> {
        match a {
            Assignment::Site {
                session,
                site,
                chief,
                rooms,
            } => {
                if self.state.session(session)?.is_none() {
                    self.flag(
                        Code::SessionUnknown,
                        None,
                        format!("session {session} is not scheduled"),
                    );
                }
                if site.trim().is_empty() {
                    self.invalid("the site is empty".into());
                }
                if chief.is_none() && rooms.is_empty() {
                    self.invalid("the assignment names no post".into());
                }
                if let Some(chief) = chief {
                    self.people(std::slice::from_ref(chief), Role::ChiefExaminer)?;
                }
                let mut names = HashSet::new();
                for r in rooms {
                    if r.room.trim().is_empty() {
                        self.invalid("a room is empty".into());
                    } else if !names.insert(r.room.as_str()) {
                        self.invalid(format!("room {} is named twice", r.room));
                    }
                    if r.invigilators.is_empty() {
                        self.invalid(format!("room {} has no invigilator", r.room));
                    }
                    self.people(&r.invigilators, Role::Invigilator)?;
                }
                if self.two_admins()? {
                    return Ok(());
                }
                // Otherwise the site's own chief co-signs: the one this assignment names, or
                // the one in force there.
                let the_chief = match chief {
                    Some(c) => Some(c.clone()),
                    None => in_force(&self.state.site_posts(session, site)?.chief, self.t)
                        .and_then(|r| r.people.first().cloned()),
                };
                if !the_chief.as_ref().is_some_and(|c| self.signers.contains(c)) {
                    self.flag(
                        Code::RoleMissing,
                        None,
                        format!(
                            "posts at {site} for session {session} are co-signed by that site's chief examiner ({}) and a supervisor, or by two admins",
                            the_chief.as_deref().unwrap_or("none assigned")
                        ),
                    );
                }
            }
            Assignment::Duty {
                cabinet,
                from,
                until,
                custodians,
                supervisors,
            } => {
                if cabinet.as_ref().is_some_and(|c| c.trim().is_empty()) {
                    self.invalid("the cabinet is empty".into());
                }
                if until <= from {
                    self.invalid("the period of duty ends before it starts".into());
                }
                if custodians.is_empty() {
                    self.invalid("a duty assignment names at least one custodian".into());
                }
                self.people(custodians, Role::Custodian)?;
                self.people(supervisors, Role::Supervisor)?;
                // A chief examiner has no say over the confidentiality room.
                if !self.two_admins()? {
                    self.flag(
                        Code::RoleMissing,
                        None,
                        "duty in the confidentiality room is assigned by two admins".into(),
                    );
                }
            }
        }
        Ok(())
    }
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        "nobody".into()
    } else {
        ids.join(", ")
    }
}

/// The keyholder `g` would make: the same record with the role added, for the judge to check
/// with the enrolment's rule (role separation). `None`, with a finding, when there is nobody to
/// grant it to, the role is held already, or a signer grants it to themselves.
pub fn granted<K: Kv>(
    state: &State<K>,
    seq: u64,
    g: &Grant,
    signers: &[Keyholder],
    out: &mut Vec<Finding>,
) -> Result<Option<Keyholder>, StoreError> {
    let finding = |code, m: String| Finding::new(code, seq, m).signer(&g.id);
    let Some(mut k) = state
        .keyholder(&g.id)?
        .filter(|r| r.active())
        .map(|r| r.keyholder)
    else {
        out.push(finding(
            Code::EnrollInvalid,
            format!("{} is not an active keyholder", g.id),
        ));
        return Ok(None);
    };
    if signers.iter().any(|s| s.person_tag == k.person_tag) {
        out.push(finding(
            Code::SelfEnroll,
            format!("{} co-signed a role granted to themselves", g.id),
        ));
    }
    if k.has_role(g.role) {
        out.push(finding(
            Code::EnrollInvalid,
            format!("{} already holds {}", g.id, g.role),
        ));
        return Ok(None);
    }
    k.roles.push(g.role);
    k.roles.sort();
    Ok(Some(k))
}

/// The writes an `assign` event makes: each post it names gets a new record in its history.
pub fn transition<K: Kv>(
    state: &State<K>,
    seq: u64,
    t: Timestamp,
    a: &Assignment,
    batch: &mut Batch,
) -> Result<(), StoreError> {
    match a {
        Assignment::Site {
            session,
            site,
            chief,
            rooms,
        } => {
            let record = |people: Vec<String>| PostRecord {
                from: t,
                seq,
                people,
            };
            let mut posts = state.site_posts(session, site)?;
            if let Some(c) = chief {
                posts.chief.push(record(vec![c.clone()]));
            }
            for r in rooms {
                let new = record(r.invigilators.clone());
                match posts.rooms.iter_mut().find(|(room, _)| *room == r.room) {
                    Some((_, history)) => history.push(new),
                    None => posts.rooms.push((r.room.clone(), vec![new])),
                }
            }
            batch.push((post_key(session, site), Some(encoding::encode(&posts)?)));
        }
        Assignment::Duty {
            cabinet,
            from,
            until,
            custodians,
            supervisors,
        } => {
            let place = cabinet.as_deref().unwrap_or("");
            let mut history = state.duty_history(place)?;
            history.push(DutyRecord {
                from: *from,
                until: *until,
                seq,
                people: custodians.iter().chain(supervisors).cloned().collect(),
            });
            batch.push((key(DUTY, place), Some(encoding::encode(&history)?)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_assignment_replaces_the_earlier_from_its_time_on() {
        let r = |from, seq, who: &str| PostRecord {
            from: Timestamp(from),
            seq,
            people: vec![who.into()],
        };
        let history = [r(100, 5, "i1"), r(200, 9, "i2"), r(200, 7, "i3")];
        assert_eq!(in_force(&history, Timestamp(99)), None);
        assert_eq!(in_force(&history, Timestamp(150)).unwrap().people, ["i1"]);
        // The same time: the later entry wins.
        assert_eq!(in_force(&history, Timestamp(200)).unwrap().people, ["i2"]);
    }

    #[test]
    fn an_assignment_encodes_as_format_md_says() {
        let a = Event::Assign(Assignment::Site {
            session: "g1".into(),
            site: "S1".into(),
            chief: Some("x1".into()),
            rooms: vec![crate::model::event::RoomPost {
                room: "R1".into(),
                invigilators: vec!["i1".into()],
            }],
        });
        assert_eq!(
            crate::model::entry::hex(&encoding::encode(&a).unwrap()),
            "1200026731025331010278310102523101026931"
        );
    }
}
