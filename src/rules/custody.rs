//! The custody rules: where each bag is, and whether each handover followed the rules.
//!
//! These are functions of the state before an entry, called by the judge on append and in the
//! audit alike. A broken custody rule is a finding; the append path refuses it unless the
//! signers attached an incident note, and the audit always reports it: record the truth, flag
//! the violation. Malformed events are refused whatever the note says.

use crate::format::encoding;
use crate::format::time::Timestamp;
use crate::model::bag::{
    BagKind, BagObs, BagSpec, BagState, Correction, Destination, IncidentKind, Place, RoomTally,
    SessionState,
};
use crate::model::entry::Body;
use crate::model::event::Event;
use crate::model::finding::{Code, Finding};
use crate::model::policy::Policy;
use crate::rules::papers;
use crate::rules::state::{Batch, Kv, State, StoreError, named_key};
use std::collections::HashSet;

const BAG: u8 = b'b';
const SESSION: u8 = b's';
const TALLY: u8 = b'r';
/// A chunk of a bag's earlier history: `h‖len‖barcode‖chunk`, the barcode's length and the
/// chunk's number as u32 big-endian (a barcode may be the start of another).
const HISTORY: u8 = b'h';
/// A bag in a cabinet, while it is there: `i‖len‖cabinet‖barcode` (the cabinet's length as
/// u32 big-endian), an empty value. The bags of a cabinet are then found without a look at every
/// bag (an inspection or an incident of a whole cabinet).
const IN_CABINET: u8 = b'i';
/// How many of its latest entries a bag's own value holds: beyond that, the earliest of them
/// move to a chunk of their own. An honest bag is named by about 8 entries and never has one.
const HISTORY_TAIL: usize = 64;

fn key(prefix: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + rest.len());
    k.push(prefix);
    k.extend_from_slice(rest);
    k
}

fn tally_key(session: &str, site: &str, room: &str) -> Vec<u8> {
    key(TALLY, format!("{session}\0{site}\0{room}").as_bytes())
}

fn history_key(id: &str, chunk: u32) -> Vec<u8> {
    let mut k = named_key(&[HISTORY], id);
    k.extend_from_slice(&chunk.to_be_bytes());
    k
}

fn member_key(cabinet: &str, id: &str) -> Vec<u8> {
    let mut k = named_key(&[IN_CABINET], cabinet);
    k.extend_from_slice(id.as_bytes());
    k
}

fn cabinet_of(place: &Place) -> Option<&str> {
    match place {
        Place::Cabinet(c) => Some(c),
        _ => None,
    }
}

/// Whether a key of the state says which cabinet a bag is in: a store that keeps most keys
/// unordered keeps these in order, as the bags of one cabinet are asked for by prefix.
pub(crate) fn is_cabinet_key(key: &[u8]) -> bool {
    key.first() == Some(&IN_CABINET)
}

/// Whether a key of the state is a bag's: its value is in the form its store keeps
/// ([`Kv::bag_bytes`]), not necessarily the canonical encoding.
pub(crate) fn is_bag_key(key: &[u8]) -> bool {
    key.first() == Some(&BAG)
}

impl<K: Kv> State<K> {
    pub fn bag(&self, id: &str) -> Result<Option<BagState>, StoreError> {
        let k = key(BAG, id.as_bytes());
        match self.kv().get(&k)? {
            Some(bytes) => Ok(Some(self.kv().bag_from(&k, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Every entry that touched the bag, in order: its chunks of earlier entries, then the
    /// latest it holds itself.
    pub fn bag_history(&self, bag: &BagState) -> Result<Vec<u64>, StoreError> {
        let mut out = Vec::new();
        for chunk in 0..bag.history_chunks {
            let earlier: Option<Vec<u64>> = self.get(&history_key(&bag.spec.id, chunk))?;
            out.extend(earlier.unwrap_or_default());
        }
        out.extend_from_slice(&bag.history);
        Ok(out)
    }

    /// Whether entry `seq` touched the bag.
    pub fn bag_named_in(&self, bag: &BagState, seq: u64) -> Result<bool, StoreError> {
        Ok(bag.history.contains(&seq) || self.bag_history(bag)?.contains(&seq))
    }

    /// The bags the ledger places in a cabinet, in barcode order.
    pub fn cabinet_bags(&self, cabinet: &str) -> Result<Vec<String>, StoreError> {
        let prefix = named_key(&[IN_CABINET], cabinet);
        let mut out = Vec::new();
        self.kv().visit_prefix(&prefix, &mut |k, _| {
            out.push(String::from_utf8_lossy(&k[prefix.len()..]).into_owned());
            Ok(())
        })?;
        Ok(out)
    }

    /// Whether the ledger knows bag `id`, without decoding it.
    pub fn has_bag(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.kv().get(&key(BAG, id.as_bytes()))?.is_some())
    }

    pub fn session(&self, id: &str) -> Result<Option<SessionState>, StoreError> {
        self.get(&key(SESSION, id.as_bytes()))
    }

    pub fn tally(&self, session: &str, site: &str, room: &str) -> Result<RoomTally, StoreError> {
        Ok(self
            .get(&tally_key(session, site, room))?
            .unwrap_or_default())
    }

    /// Every bag, in id order.
    pub fn bags(&self) -> Result<Vec<BagState>, StoreError> {
        let mut out = Vec::new();
        self.for_each_bag(|b| {
            out.push(b);
            Ok(())
        })?;
        Ok(out)
    }

    /// How many bags the ledger knows.
    pub fn bag_count(&self) -> Result<u64, StoreError> {
        let mut n = 0;
        self.kv().visit_prefix(&[BAG], &mut |_, _| {
            n += 1;
            Ok(())
        })?;
        Ok(n)
    }

    /// Each bag in barcode order, decoded one at a time: the audit's end-of-ledger checks visit
    /// every bag of a ledger that may hold a million.
    pub fn for_each_bag(
        &self,
        mut visit: impl FnMut(BagState) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.kv()
            .visit_prefix(&[BAG], &mut |k, v| visit(self.kv().bag_from(k, v)?))
    }

    /// Every session, with its id, in id order.
    pub fn sessions(&self) -> Result<Vec<(String, SessionState)>, StoreError> {
        self.kv()
            .scan_prefix(&[SESSION])?
            .into_iter()
            .map(|(k, v)| {
                let id = String::from_utf8_lossy(&k[1..]).into_owned();
                Ok((id, encoding::decode(&v)?))
            })
            .collect()
    }
}

/// Checks an entry's event against the custody rules and the state before it.
pub fn check<K: Kv>(
    state: &State<K>,
    seq: u64,
    body: &Body,
    recorded_at: Timestamp,
    policy: &Policy,
    time_zone: &str,
    out: &mut Vec<Finding>,
) -> Result<(), StoreError> {
    let t = body.event_time;
    let first = out.len();
    let declared = body.event.incident_note().is_some();
    let mut c = Checker {
        state,
        seq,
        t,
        policy,
        time_zone,
        signers: &body.signers,
        out,
    };
    let delay_ms = recorded_at.0.saturating_sub(t.0);
    if delay_ms > i64::from(policy.max_record_delay_min) * 60_000 {
        c.flag(
            Code::LateRecord,
            None,
            format!(
                "recorded {} after it happened; the policy allows {}",
                minutes(delay_ms),
                minutes(i64::from(policy.max_record_delay_min) * 60_000)
            ),
        );
    }
    // The genesis's texts are the genesis rule's (GENESIS_INVALID); an enrolment's, the
    // keyholder rule's (ENROLL_INVALID).
    if !matches!(body.event, Event::Genesis(_) | Event::Enroll(_))
        && let Some(problem) = crate::rules::texts::event_text_problem(&body.event)
    {
        // A control character in a barcode or a note could hide the rest of a line from the
        // signers who read the summary; a bidi override could make it read as another.
        c.invalid(problem);
    }
    match &body.event {
        Event::Genesis(_) | Event::Enroll(_) | Event::Revoke(_) => {}
        Event::Policy(p) => {
            for problem in p.problems() {
                c.invalid(format!("policy: {problem}"));
            }
        }
        Event::Schedule(s) => c.schedule(s, recorded_at)?,
        Event::Collect(e) => {
            c.collect(e)?;
            papers::collect(state, seq, e, policy, c.out)?;
        }
        Event::Store(e) => {
            c.nonempty_names(&[&e.cabinet], "cabinet");
            // A site cabinet takes the bags received at its site; any other, the room's.
            let home = state.cabinet_home(&e.cabinet)?;
            let wanted = match &home {
                Place::Site(s) => format!("at {s}"),
                _ => "in the confidentiality room, outside any cabinet,".into(),
            };
            for (obs, bag) in c.bags(&e.bags, false)? {
                if bag.place != home {
                    c.flag(
                        Code::WrongPlace,
                        Some(&obs.id),
                        format!(
                            "bag {} is {}: only a bag {wanted} is stored in cabinet {}",
                            obs.id, bag.place, e.cabinet
                        ),
                    );
                }
            }
        }
        Event::Withdraw(e) => {
            c.nonempty_names(&[&e.cabinet], "cabinet");
            for (obs, bag) in c.bags(&e.bags, false)? {
                if bag.place == Place::Cabinet(e.cabinet.clone()) {
                    c.own_day(&obs.id, &bag, "withdrawn")?;
                    if let Some(f) = inspection_overdue(&bag, c.t, policy, c.seq) {
                        c.out.push(f);
                    }
                } else {
                    c.flag(
                        Code::WrongPlace,
                        Some(&obs.id),
                        format!(
                            "bag {} is {}, not in cabinet {}: a bag is withdrawn from the cabinet it is in",
                            obs.id, bag.place, e.cabinet
                        ),
                    );
                }
            }
        }
        Event::Inspect(e) => {
            for (obs, bag) in c.bags(&e.bags, true)? {
                if !matches!(bag.place, Place::Room | Place::Cabinet(_)) {
                    c.wrong_place(&obs.id, &bag.place, "inspected in the confidentiality room");
                }
            }
        }
        Event::Dispatch(e) => c.dispatch(e)?,
        Event::Arrive(e) => {
            c.nonempty_names(&[&e.site], "site");
            let to = Destination::Site(e.site.clone());
            for (obs, bag) in c.bags(&e.bags, true)? {
                c.arrival(&obs.id, &bag, &to)?;
            }
        }
        Event::Open(e) => {
            c.open(e)?;
            papers::open(state, seq, e, c.out)?;
        }
        Event::Seal(e) => c.seal(&e.bag)?,
        Event::Return(e) => {
            for (obs, bag) in c.bags(&e.bags, true)? {
                c.arrival(&obs.id, &bag, &Destination::Room)?;
                if bag.spec.kind == BagKind::CompletedAnswerSheets
                    && policy.answer_sheets_back_same_day
                {
                    c.same_day(&obs.id, &bag.spec.session)?;
                }
            }
        }
        Event::Release(e) => {
            c.nonempty_names(&[&e.to], "recipient");
            for (obs, bag) in c.bags(&e.bags, false)? {
                if !matches!(bag.place, Place::Room | Place::Cabinet(_)) {
                    c.wrong_place(
                        &obs.id,
                        &bag.place,
                        "released from the confidentiality room",
                    );
                }
            }
        }
        Event::Incident(e) => {
            if e.note.trim().is_empty() {
                c.invalid("an incident needs a note saying what happened".into());
            }
            // An incident on a cabinet may name no bag: it concerns every bag inside.
            if e.cabinet.is_none() || !e.bags.is_empty() {
                c.unique(e.bags.iter().map(String::as_str));
            }
            for id in &e.bags {
                if c.state.bag(id)?.is_none() {
                    let hint = did_you_mean(c.state, id)?;
                    c.flag(
                        Code::BagNotCollected,
                        Some(id),
                        format!("bag {id} was never collected{hint}"),
                    );
                }
                // Declared truthfully, a lost or broken bag is still what the audit exists to
                // show: it is listed as a finding, never refused. A used spare is only listed.
                if let Some(code) = incident_code(e.kind) {
                    c.flag(
                        code,
                        Some(id),
                        format!("bag {id} declared {}", e.kind.as_str()),
                    );
                }
            }
        }
        Event::Correct(e) => c.correct(e)?,
        Event::Handover(e) => c.handover(e)?,
        Event::Assign(_) | Event::Grant(_) | Event::Reseal(_) | Event::Cabinet(_) => {}
        Event::Void(_) | Event::Postpone(_) | Event::Manifest(_) => {
            papers::check(state, seq, &body.event, t, c.out)?
        }
    }
    crate::rules::posts::check(state, seq, body, out)?;
    crate::rules::cabinets::check(state, seq, t, &body.event, time_zone, out)?;
    for f in &mut out[first..] {
        f.declared = declared;
    }
    Ok(())
}

/// " (did you mean A, B?)": the known barcodes nearest to `id` by edit distance, ignoring case,
/// at most 2 edits away (up to three of the nearest); empty when there is none, and in the
/// audit ([`Kv::NEAREST_BARCODES`]). Only an unknown barcode pays for the look.
pub fn did_you_mean<K: Kv>(state: &State<K>, id: &str) -> Result<String, StoreError> {
    if !K::NEAREST_BARCODES {
        return Ok(String::new());
    }
    let wanted: Vec<char> = id.to_lowercase().chars().collect();
    let mut near: Vec<(usize, String)> = Vec::new();
    state.kv().visit_prefix(&[BAG], &mut |k, _| {
        let known = String::from_utf8_lossy(&k[1..]);
        let d = edit_distance(&wanted, &known.to_lowercase().chars().collect::<Vec<_>>());
        if d <= 2 {
            near.push((d, known.into_owned()));
        }
        Ok(())
    })?;
    near.sort();
    let nearest = near.first().map_or(0, |(d, _)| *d);
    let best: Vec<String> = near
        .into_iter()
        .take_while(|(d, _)| *d == nearest)
        .take(3)
        .map(|(_, id)| id)
        .collect();
    Ok(if best.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", best.join(", "))
    })
}

/// Levenshtein distance between two strings of characters.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The finding a declared incident of this kind is; `None` for a used spare, which is listed.
pub(crate) fn incident_code(kind: IncidentKind) -> Option<Code> {
    match kind {
        IncidentKind::Lost => Some(Code::IncidentLost),
        IncidentKind::BrokenSeal => Some(Code::IncidentBrokenSeal),
        IncidentKind::CountMismatch => Some(Code::IncidentCountMismatch),
        IncidentKind::Damaged => Some(Code::IncidentDamaged),
        IncidentKind::Other => Some(Code::IncidentOther),
        IncidentKind::SpareUsed => None,
    }
}

fn minutes(ms: i64) -> String {
    let m = ms / 60_000;
    match (m >= 120, m % 60) {
        (true, 0) => format!("{} h", m / 60),
        (true, r) => format!("{} h {r} min", m / 60),
        _ => format!("{m} min"),
    }
}

struct Checker<'a, K: Kv> {
    state: &'a State<K>,
    seq: u64,
    t: Timestamp,
    policy: &'a Policy,
    time_zone: &'a str,
    /// The keyholders who co-sign the entry.
    signers: &'a [String],
    out: &'a mut Vec<Finding>,
}

impl<K: Kv> Checker<'_, K> {
    fn flag(&mut self, code: Code, bag: Option<&str>, message: String) {
        self.out
            .push(Finding::new(code, self.seq, message).about_bag(bag));
    }

    fn invalid(&mut self, message: String) {
        self.flag(Code::EventInvalid, None, message);
    }

    fn wrong_place(&mut self, id: &str, place: &Place, wanted: &str) {
        self.flag(
            Code::WrongPlace,
            Some(id),
            format!("bag {id} is {place}, but must be {wanted}"),
        );
    }

    fn nonempty_names(&mut self, names: &[&str], what: &str) {
        if names.iter().any(|n| n.trim().is_empty()) {
            self.invalid(format!("the {what} is empty"));
        }
    }

    fn unique<'b>(&mut self, ids: impl Iterator<Item = &'b str>) {
        let mut seen = HashSet::new();
        let mut any = false;
        for id in ids {
            any = true;
            if id.trim().is_empty() {
                self.invalid("a bag id is empty".into());
            } else if !seen.insert(id) {
                self.invalid(format!("bag {id} is named twice"));
            }
        }
        if !any {
            self.invalid("the event names no bag".into());
        }
    }

    /// The named bags that the ledger knows, with the observed seal and count checked. Bags it
    /// does not know, or that were released, are flagged and left out.
    fn bags<'o>(
        &mut self,
        bags: &'o [BagObs],
        seal_required: bool,
    ) -> Result<Vec<(&'o BagObs, BagState)>, StoreError> {
        self.unique(bags.iter().map(|b| b.id.as_str()));
        let mut known = Vec::new();
        for obs in bags {
            if seal_required && obs.seal.is_none() {
                self.invalid(format!(
                    "bag {} is given without the seal number the signers observed",
                    obs.id
                ));
            }
            let Some(bag) = self.state.bag(&obs.id)? else {
                let hint = did_you_mean(self.state, &obs.id)?;
                self.flag(
                    Code::BagNotCollected,
                    Some(&obs.id),
                    format!("bag {} was never collected{hint}", obs.id),
                );
                continue;
            };
            if let Place::Released(to) = &bag.place {
                self.flag(
                    Code::AfterRelease,
                    Some(&obs.id),
                    format!(
                        "bag {} was released to {to} and is out of the ledger's custody",
                        obs.id
                    ),
                );
                continue;
            }
            self.observed(obs, &bag.spec);
            // An arrival dated before its dispatch is ARRIVED_BEFORE_DISPATCH, reported there.
            let before_dispatch =
                matches!(bag.place, Place::Transit { since, .. } if self.t < since);
            if self.t < bag.last_at && !before_dispatch {
                self.flag(
                    Code::OutOfOrder,
                    Some(&obs.id),
                    format!(
                        "bag {} is handled at {}, before its previous event at {} (entry {})",
                        obs.id,
                        self.t.display_in(self.time_zone),
                        bag.last_at.display_in(self.time_zone),
                        bag.history.last().copied().unwrap_or(bag.collected_seq)
                    ),
                );
            }
            known.push((obs, bag));
        }
        Ok(known)
    }

    fn observed(&mut self, obs: &BagObs, spec: &BagSpec) {
        if let Some(seal) = &obs.seal
            && *seal != spec.seal
        {
            self.flag(
                Code::SealMismatch,
                Some(&obs.id),
                format!(
                    "bag {} has seal {seal}, but seal {} was recorded",
                    obs.id, spec.seal
                ),
            );
        }
        if let Some(count) = obs.count
            && count != spec.count
        {
            self.flag(
                Code::CountMismatch,
                Some(&obs.id),
                format!(
                    "bag {} holds {count} papers, but {} were recorded",
                    obs.id, spec.count
                ),
            );
        }
    }

    fn session_or_invalid(&mut self, id: &str) -> Result<Option<SessionState>, StoreError> {
        let s = self.state.session(id)?;
        if s.is_none() {
            self.flag(
                Code::SessionUnknown,
                None,
                format!("session {id} is not scheduled"),
            );
        }
        Ok(s)
    }

    fn spec_form(&mut self, b: &BagSpec) {
        for (value, what) in [
            (&b.session, "session"),
            (&b.site, "site"),
            (&b.room, "room"),
            (&b.seal, "seal"),
        ] {
            if value.trim().is_empty() {
                self.invalid(format!("bag {} has an empty {what}", b.id));
            }
        }
    }

    fn schedule(
        &mut self,
        s: &crate::model::event::Schedule,
        recorded_at: Timestamp,
    ) -> Result<(), StoreError> {
        if s.session.trim().is_empty() || s.subject.trim().is_empty() {
            self.invalid("a session needs an id and a subject".into());
        }
        if s.end <= s.start {
            self.invalid(format!("session {} ends before it starts", s.session));
        }
        if let Some(old) = self.state.session(&s.session)? {
            let delay = i64::from(self.policy.change_delay_min) * 60_000;
            let first = old.start.min(s.start);
            if recorded_at.0 > first.0.saturating_sub(delay) {
                self.flag(
                    Code::RescheduleLate,
                    None,
                    format!(
                        "session {} rescheduled less than {} before its start",
                        s.session,
                        minutes(delay)
                    ),
                );
            }
        }
        Ok(())
    }

    fn collect(&mut self, e: &crate::model::event::Collect) -> Result<(), StoreError> {
        self.nonempty_names(&[&e.from], "upstream party");
        self.unique(e.bags.iter().map(|b| b.id.as_str()));
        for b in &e.bags {
            self.spec_form(b);
            if b.kind == BagKind::CompletedAnswerSheets {
                self.invalid(format!(
                    "bag {}: completed answer sheets are made by seal, not collected",
                    b.id
                ));
            }
            if self.state.bag(&b.id)?.is_some() {
                self.flag(
                    Code::BagAlreadyCollected,
                    Some(&b.id),
                    format!("bag {} was already collected", b.id),
                );
            }
            if let Some(session) = self.session_or_invalid(&b.session)? {
                let hold = i64::from(self.policy.max_hold_before_session_min) * 60_000;
                if session.start.0.saturating_sub(self.t.0) > hold {
                    self.flag(
                        Code::HeldTooLong,
                        Some(&b.id),
                        format!(
                            "bag {} collected {} before its session; the policy allows {}",
                            b.id,
                            minutes(session.start.0 - self.t.0),
                            minutes(hold)
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    fn dispatch(&mut self, e: &crate::model::event::Dispatch) -> Result<(), StoreError> {
        if let Destination::Site(s) = &e.to {
            self.nonempty_names(&[s], "destination site");
        }
        if e.escorts.is_empty() {
            self.invalid("a dispatch names the escorts who travel with the bags".into());
        }
        for id in &e.escorts {
            self.escort(id)?;
        }
        if !e.escorts.is_empty() && !e.escorts.iter().any(|id| self.signers.contains(id)) {
            self.flag(
                Code::EscortNotSigning,
                None,
                format!(
                    "the dispatch names the escorts {} but none of them co-signs it (signed by {})",
                    e.escorts.join(", "),
                    self.signers.join(", ")
                ),
            );
        }
        for (obs, bag) in self.bags(&e.bags, false)? {
            if matches!(e.to, Destination::Site(_)) && bag.place == Place::Room {
                self.own_day(&obs.id, &bag, "dispatched")?;
            }
            match (&bag.place, &e.to) {
                (Place::Room | Place::Cabinet(_), Destination::Room) => self.invalid(format!(
                    "bag {} is already in the confidentiality room",
                    obs.id
                )),
                (Place::Room, _) | (Place::Site(_), _) => {}
                (place, _) => self.wrong_place(
                    &obs.id,
                    place,
                    "dispatched from the confidentiality room or a site",
                ),
            }
        }
        Ok(())
    }

    /// A keyholder named as an escort must be active and hold a role that may escort.
    fn escort(&mut self, id: &str) -> Result<(), StoreError> {
        let holder = self.state.keyholder(id)?.filter(|k| k.active());
        match holder {
            None => self.invalid(format!("escort {id} is not an active keyholder")),
            Some(k)
                if !k
                    .keyholder
                    .roles
                    .iter()
                    .any(|r| self.policy.escort_roles.contains(r)) =>
            {
                let roles: Vec<&str> = self
                    .policy
                    .escort_roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect();
                self.invalid(format!(
                    "{id} is named as an escort but holds none of the roles that may escort ({})",
                    roles.join(", ")
                ))
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Escorts change on the road: an escort handing over and one taking over co-sign, and
    /// the bags are in transit with those handing over.
    fn handover(&mut self, e: &crate::model::event::Handover) -> Result<(), StoreError> {
        if e.from.is_empty() || e.to.is_empty() {
            self.invalid("a handover names the escorts handing over and those taking over".into());
        }
        for id in &e.to {
            self.escort(id)?;
        }
        let signs = |ids: &[String]| ids.iter().any(|id| self.signers.contains(id));
        // Both sides named (else EVENT_INVALID above), but not both co-signing.
        let both_sign = signs(&e.from) && signs(&e.to);
        if !(e.from.is_empty() || e.to.is_empty() || both_sign) {
            self.flag(
                Code::EscortNotSigning,
                None,
                format!(
                    "a handover from {} to {} is co-signed by one escort of each side (signed by {})",
                    e.from.join(", "),
                    e.to.join(", "),
                    self.signers.join(", ")
                ),
            );
        }
        for (obs, bag) in self.bags(&e.bags, true)? {
            if !matches!(bag.place, Place::Transit { .. }) {
                self.wrong_place(&obs.id, &bag.place, "in transit");
            } else if !bag.escorts.is_empty() && !e.from.iter().any(|f| bag.escorts.contains(f)) {
                self.flag(
                    Code::EscortNotOnDispatch,
                    Some(&obs.id),
                    format!(
                        "bag {} travels with {}, not with {}",
                        obs.id,
                        bag.escorts.join(", "),
                        e.from.join(", ")
                    ),
                );
            }
        }
        Ok(())
    }

    /// An arrival at `to` (a site, or back in the room): the bag must be on its way there, and
    /// not for longer than the transit limit.
    fn arrival(&mut self, id: &str, bag: &BagState, to: &Destination) -> Result<(), StoreError> {
        let Place::Transit {
            to: bound,
            since,
            seq,
        } = &bag.place
        else {
            let wanted = format!("in transit to {to}");
            self.wrong_place(id, &bag.place, &wanted);
            return Ok(());
        };
        if !bag.escorts.is_empty() && !bag.escorts.iter().any(|id| self.signers.contains(id)) {
            self.flag(
                Code::EscortNotOnDispatch,
                Some(id),
                format!(
                    "bag {id} travelled with {} (entry {seq}), but none of them co-signs its receipt (signed by {})",
                    bag.escorts.join(", "),
                    self.signers.join(", ")
                ),
            );
        }
        if bound != to {
            self.flag(
                Code::WrongDestination,
                Some(id),
                format!("bag {id} was dispatched to {bound} (entry {seq}), not to {to}"),
            );
        }
        if self.t < *since {
            self.flag(
                Code::ArrivedBeforeDispatch,
                Some(id),
                format!(
                    "bag {id} is received at {}, before it was dispatched at {} (entry {seq})",
                    self.t.display_in(self.time_zone),
                    since.display_in(self.time_zone)
                ),
            );
        }
        let limit = i64::from(self.policy.max_transit_min) * 60_000;
        if self.t.0.saturating_sub(since.0) > limit {
            self.flag(
                Code::TransitTooLong,
                Some(id),
                format!(
                    "bag {id} was in transit {} (since entry {seq}); the policy allows {}",
                    minutes(self.t.0 - since.0),
                    minutes(limit)
                ),
            );
        }
        Ok(())
    }

    fn open(&mut self, e: &crate::model::event::Open) -> Result<(), StoreError> {
        self.nonempty_names(&[&e.site, &e.room], "site or room");
        for obs in e.bags.iter().filter(|b| b.count.is_none()) {
            self.invalid(format!(
                "bag {} is opened without the count of the papers found in it",
                obs.id
            ));
        }
        for (obs, bag) in self.bags(&e.bags, true)? {
            let id = obs.id.as_str();
            if bag.opened.is_some() {
                self.flag(
                    Code::OpenTwice,
                    Some(id),
                    format!("bag {id} was already opened"),
                );
                continue;
            }
            match &bag.place {
                Place::Site(s) if *s == e.site => {}
                place => self.wrong_place(id, place, &format!("at {}", e.site)),
            }
            if bag.spec.site != e.site || bag.spec.room != e.room {
                self.flag(
                    Code::OpenWrongRoom,
                    Some(id),
                    format!(
                        "bag {id} belongs to {} {}, not {} {}",
                        bag.spec.site, bag.spec.room, e.site, e.room
                    ),
                );
            }
            let before = match bag.spec.kind {
                BagKind::QuestionPapers => self.policy.open_question_papers_before_min,
                BagKind::BlankAnswerSheets => self.policy.open_answer_sheets_before_min,
                BagKind::SparePapers => {
                    // A voided version's spares are the papers to open.
                    if self.policy.spare_papers_need_incident
                        && !papers::spares_in_use(self.state, &bag.spec)?
                    {
                        self.flag(
                            Code::SpareOpened,
                            Some(id),
                            format!("spare-paper bag {id} opened; spares are opened only with an incident note"),
                        );
                    }
                    self.policy.open_question_papers_before_min
                }
                BagKind::CompletedAnswerSheets => {
                    self.flag(
                        Code::OpenNotAllowed,
                        Some(id),
                        format!("bag {id} holds completed answer sheets, which are not opened in the county"),
                    );
                    continue;
                }
            };
            let Some(session) = self.state.session(&bag.spec.session)? else {
                continue;
            };
            let earliest = session.start.0 - i64::from(before) * 60_000;
            let latest = session.start.0 + i64::from(self.policy.open_late_after_min) * 60_000;
            if self.t.0 < earliest {
                self.flag(
                    Code::OpenEarly,
                    Some(id),
                    format!(
                        "bag {id} opened {} before its session starts ({}); the policy allows {before} min",
                        minutes(session.start.0 - self.t.0),
                        session.start.display_in(self.time_zone)
                    ),
                );
            } else if self.t.0 > latest {
                self.flag(
                    Code::OpenLate,
                    Some(id),
                    format!(
                        "bag {id} opened {} after its session started ({})",
                        minutes(self.t.0 - session.start.0),
                        session.start.display_in(self.time_zone)
                    ),
                );
            }
        }
        Ok(())
    }

    fn seal(&mut self, b: &BagSpec) -> Result<(), StoreError> {
        self.spec_form(b);
        self.unique(std::iter::once(b.id.as_str()));
        if b.kind != BagKind::CompletedAnswerSheets {
            self.invalid(format!(
                "seal makes completed_answer_sheets bags, not {}",
                b.kind
            ));
        }
        if self.state.bag(&b.id)?.is_some() {
            self.flag(
                Code::BagAlreadyCollected,
                Some(&b.id),
                format!("bag id {} is already in the ledger", b.id),
            );
        }
        if let Some(session) = self.session_or_invalid(&b.session)? {
            let (from, what) = if self.policy.seal_after_session_end {
                (session.end, "ends")
            } else {
                (session.start, "starts")
            };
            if self.t < from {
                self.flag(
                    Code::SealedEarly,
                    Some(&b.id),
                    format!(
                        "answer sheets {} sealed at {}, before session {} {} ({})",
                        b.id,
                        self.t.display_in(self.time_zone),
                        b.session,
                        what,
                        from.display_in(self.time_zone)
                    ),
                );
            }
        }
        let tally = self.state.tally(&b.session, &b.site, &b.room)?;
        let sealed = tally.sheets_sealed + u64::from(b.count);
        if sealed > tally.papers_opened {
            self.flag(
                Code::SheetsExceedPapers,
                Some(&b.id),
                format!(
                    "{sealed} answer sheets sealed in {} {} for session {}, but only {} papers were opened there",
                    b.site, b.room, b.session, tally.papers_opened
                ),
            );
        }
        Ok(())
    }

    /// Papers leave the room only within the policy's window before their own session: earlier,
    /// they are another day's or a later session's papers travelling with today's.
    fn own_day(&mut self, id: &str, bag: &BagState, what: &str) -> Result<(), StoreError> {
        if bag.spec.kind == BagKind::CompletedAnswerSheets {
            return Ok(());
        }
        let Some(s) = self.state.session(&bag.spec.session)? else {
            return Ok(());
        };
        let window = i64::from(self.policy.leave_before_session_min) * 60_000;
        if self.t.0 < s.start.0.saturating_sub(window) {
            self.flag(
                Code::LeftEarly,
                Some(id),
                format!(
                    "bag {id} {what} {} before its session {} starts ({}); the policy allows {}",
                    minutes(s.start.0 - self.t.0),
                    bag.spec.session,
                    s.start.display_in(self.time_zone),
                    minutes(window)
                ),
            );
        }
        Ok(())
    }

    fn same_day(&mut self, id: &str, session: &str) -> Result<(), StoreError> {
        let Some(s) = self.state.session(session)? else {
            return Ok(());
        };
        let day = |t: Timestamp| t.date_in(self.time_zone);
        if day(self.t) != day(s.start) {
            self.flag(
                Code::AnswerSheetsLate,
                Some(id),
                format!(
                    "answer sheets of bag {id} came back on {}, not on the session's day {}",
                    day(self.t),
                    day(s.start)
                ),
            );
        }
        Ok(())
    }

    fn correct(&mut self, e: &crate::model::event::Correct) -> Result<(), StoreError> {
        if e.note.trim().is_empty() {
            self.invalid("a correction needs a note".into());
        }
        let Some(bag) = self.state.bag(&e.bag)? else {
            // A bag recorded under a wrong id may be corrected to the right one.
            match papers::relinks_to(self.state, e)? {
                Some(new) if self.state.bag(new)?.is_some() => {}
                Some(new) => {
                    let hint = did_you_mean(self.state, new)?;
                    self.flag(
                        Code::CorrectionInvalid,
                        Some(&e.bag),
                        format!(
                            "entry {} named bag {}, which the ledger does not know; bag {new} is not in the ledger either{hint}",
                            e.seq, e.bag
                        ),
                    );
                }
                None => self.flag(
                    Code::CorrectionInvalid,
                    Some(&e.bag),
                    format!("bag {} is not in the ledger", e.bag),
                ),
            }
            return Ok(());
        };
        let recorded = self.state.bag_named_in(&bag, e.seq)?;
        if !recorded {
            self.flag(
                Code::CorrectionInvalid,
                Some(&e.bag),
                format!("entry {} did not record bag {}", e.seq, e.bag),
            );
        }
        if matches!(e.fix, Correction::Seal(_) | Correction::Count(_))
            && recorded
            && e.seq < bag.placed_seq
        {
            // A seal swapped on the road and "corrected" afterwards would pass every later
            // check: only the entry that put the bag where it still is may be corrected quietly.
            self.flag(
                Code::CorrectionAfterMove,
                Some(&e.bag),
                format!(
                    "bag {} is corrected in entry {}, but it moved on at entry {} ({})",
                    e.bag, e.seq, bag.placed_seq, bag.place
                ),
            );
        }
        if let Correction::BagId(new) = &e.fix {
            if new.trim().is_empty() || *new == e.bag {
                self.flag(
                    Code::CorrectionInvalid,
                    Some(&e.bag),
                    "the corrected barcode is empty or unchanged".into(),
                );
            } else if self.state.bag(new)?.is_some() {
                self.flag(
                    Code::CorrectionInvalid,
                    Some(&e.bag),
                    format!("bag {new} is already in the ledger"),
                );
            }
        }
        Ok(())
    }
}

/// Findings about bags still open at the end of a ledger, as of its last recorded time: in
/// transit for longer than the limit, left at a site after their session ended, answer sheets not
/// back in the room after their day.
pub fn open_items<K: Kv>(
    state: &State<K>,
    as_of: Timestamp,
    policy: &Policy,
    time_zone: &str,
) -> Result<Vec<Finding>, StoreError> {
    let mut out = Vec::new();
    state.for_each_bag(|bag| {
        let id = bag.spec.id.as_str();
        let last = bag.history.last().copied().unwrap_or(bag.collected_seq);
        if let Some(f) = inspection_overdue(&bag, as_of, policy, last) {
            out.push(f);
        }
        let mut flag = |code: Code, message: String| {
            out.push(Finding::new(code, last, message).about_bag(Some(id)));
        };
        let session = state.session(&bag.spec.session)?;
        match &bag.place {
            Place::Transit { to, since, seq } => {
                let limit = i64::from(policy.max_transit_min) * 60_000;
                if as_of.0.saturating_sub(since.0) > limit {
                    flag(
                        Code::StillInTransit,
                        format!("bag {id} left for {to} at entry {seq} and never arrived"),
                    );
                }
            }
            Place::Site(site)
                if bag.spec.kind != BagKind::CompletedAnswerSheets
                    && session.as_ref().is_some_and(|s| as_of > s.end) =>
            {
                flag(
                    Code::NotReturned,
                    format!("bag {id} is still unopened at {site} after its session ended"),
                );
            }
            // Kept in a site's cabinet is still kept at the site.
            Place::Cabinet(c)
                if bag.spec.kind != BagKind::CompletedAnswerSheets
                    && session.as_ref().is_some_and(|s| as_of > s.end) =>
            {
                if let Place::Site(site) = state.cabinet_home(c)? {
                    flag(
                        Code::NotReturned,
                        format!(
                            "bag {id} is still unopened in cabinet {c} at {site} after its session ended"
                        ),
                    );
                }
            }
            _ => {}
        }
        if bag.spec.kind == BagKind::CompletedAnswerSheets
            && policy.answer_sheets_back_same_day
            && !matches!(
                bag.place,
                Place::Room | Place::Cabinet(_) | Place::Released(_)
            )
            && let Some(s) = &session
            && as_of.date_in(time_zone) > s.start.date_in(time_zone)
        {
            flag(
                Code::SheetsNotBack,
                format!(
                    "answer sheets of bag {id} are not back in the room after the session's day"
                ),
            );
        }
        Ok(())
    })?;
    Ok(out)
}

/// INSPECTION_OVERDUE for a bag in a cabinet whose last event (its store or its last
/// inspection) lies further back than the policy's gap at `now`; reported at `seq`.
fn inspection_overdue(
    bag: &BagState,
    now: Timestamp,
    policy: &Policy,
    seq: u64,
) -> Option<Finding> {
    let Place::Cabinet(cabinet) = &bag.place else {
        return None;
    };
    let gap = i64::from(policy.max_inspection_gap_min) * 60_000;
    if gap == 0 || now.0.saturating_sub(bag.last_at.0) <= gap {
        return None;
    }
    let overdue = Finding::new(
        Code::InspectionOverdue,
        seq,
        format!(
            "bag {} in cabinet {cabinet} went {} without an inspection; the policy allows {}",
            bag.spec.id,
            minutes(now.0 - bag.last_at.0),
            minutes(gap)
        ),
    )
    .about_bag(Some(&bag.spec.id));
    Some(overdue)
}

/// What the signers observed becomes the bag's seal and count from this entry on: a mismatch
/// was accepted only with an incident note (and is reported once, here), so later checks compare
/// against the truth as last witnessed, not against what the bag was before it. A seal other
/// than recorded is remembered as found broken, which a reseal needs.
fn observe(
    bag: &mut BagState,
    obs: &BagObs,
    seq: u64,
    batch: &mut Batch,
) -> Result<(), StoreError> {
    if let Some(seal) = &obs.seal {
        if *seal != bag.spec.seal {
            crate::rules::cabinets::seal_found_broken(batch, &obs.id, seq)?;
        }
        bag.spec.seal = seal.clone();
    }
    if let Some(count) = obs.count {
        bag.spec.count = count;
    }
    Ok(())
}

/// Writes a bag's state. A history longer than [`HISTORY_TAIL`] leaves its first
/// [`HISTORY_TAIL`] entries in a chunk of their own, so the value written stays small however
/// often the bag is named. Writing the same state twice in a batch writes the same keys.
fn put_bag<K: Kv>(state: &State<K>, batch: &mut Batch, b: &BagState) -> Result<(), StoreError> {
    let key_of = key(BAG, b.spec.id.as_bytes());
    if b.history.len() <= HISTORY_TAIL {
        batch.push((key_of, Some(state.kv().bag_bytes(b)?)));
        return Ok(());
    }
    let mut b = b.clone();
    let chunk: Vec<u64> = b.history.drain(..HISTORY_TAIL).collect();
    batch.push((
        history_key(&b.spec.id, b.history_chunks),
        Some(encoding::encode(&chunk)?),
    ));
    b.history_chunks = b.history_chunks.saturating_add(1);
    batch.push((key_of, Some(state.kv().bag_bytes(&b)?)));
    Ok(())
}

/// [`put_bag`] for a bag that may have changed places since `was`: it leaves the cabinet it
/// was in and joins the one it is in now.
fn put_moved_bag<K: Kv>(
    state: &State<K>,
    batch: &mut Batch,
    was: Option<&Place>,
    b: &BagState,
) -> Result<(), StoreError> {
    let before = was.and_then(cabinet_of);
    let after = cabinet_of(&b.place);
    if before != after {
        if let Some(c) = before {
            batch.push((member_key(c, &b.spec.id), None));
        }
        if let Some(c) = after {
            batch.push((member_key(c, &b.spec.id), Some(Vec::new())));
        }
    }
    put_bag(state, batch, b)
}

/// The writes that move a bag's chunks of earlier history from `from` to the barcode it is
/// corrected to.
fn move_history<K: Kv>(
    state: &State<K>,
    batch: &mut Batch,
    from: &str,
    to: &str,
    chunks: u32,
) -> Result<(), StoreError> {
    for chunk in 0..chunks {
        let old = history_key(from, chunk);
        let value = state.kv().get(&old)?.map(|v| v.into_owned());
        batch.push((old, None));
        batch.push((history_key(to, chunk), value));
    }
    Ok(())
}

/// The writes a custody event makes to bags, sessions and room tallies.
pub fn transition<K: Kv>(
    state: &State<K>,
    seq: u64,
    body: &Body,
    batch: &mut Batch,
) -> Result<(), StoreError> {
    let t = body.event_time;
    let put_bag = |batch: &mut Batch, b: &BagState| put_bag(state, batch, b);
    // Moves each named, known bag to a new place, with the escorts it travels with.
    let move_bags = |batch: &mut Batch,
                     ids: &[BagObs],
                     place: &dyn Fn(&BagState) -> Place,
                     escorts: &[String]|
     -> Result<(), StoreError> {
        for obs in ids {
            if let Some(mut bag) = state.bag(&obs.id)? {
                observe(&mut bag, obs, seq, batch)?;
                let now = place(&bag);
                let was = std::mem::replace(&mut bag.place, now);
                bag.placed_seq = seq;
                bag.escorts = escorts.to_vec();
                bag.last_at = t;
                bag.history.push(seq);
                put_moved_bag(state, batch, Some(&was), &bag)?;
            }
        }
        Ok(())
    };
    match &body.event {
        Event::Genesis(_) | Event::Enroll(_) | Event::Revoke(_) => {}
        Event::Assign(_) | Event::Grant(_) => {} // posts and the roster: not bags
        Event::Policy(_) => {} // pending policies live in the state's policy history
        Event::Schedule(s) => {
            let session = SessionState {
                subject: s.subject.clone(),
                start: s.start,
                end: s.end,
                scheduled_seq: seq,
            };
            batch.push((
                key(SESSION, s.session.as_bytes()),
                Some(encoding::encode(&session)?),
            ));
        }
        Event::Collect(e) => {
            for spec in &e.bags {
                // A reused barcode (flagged) keeps the history it had.
                let old = state.bag(&spec.id)?;
                let (mut history, history_chunks) = old
                    .as_ref()
                    .map_or_else(Default::default, |b| (b.history.clone(), b.history_chunks));
                history.push(seq);
                put_moved_bag(
                    state,
                    batch,
                    old.as_ref().map(|b| &b.place),
                    &BagState {
                        spec: spec.clone(),
                        place: Place::Room,
                        collected_seq: seq,
                        history,
                        history_chunks,
                        opened: None,
                        last_at: t,
                        placed_seq: seq,
                        escorts: Vec::new(),
                    },
                )?;
            }
        }
        Event::Store(e) => move_bags(batch, &e.bags, &|_| Place::Cabinet(e.cabinet.clone()), &[])?,
        Event::Withdraw(e) => {
            let home = state.cabinet_home(&e.cabinet)?;
            move_bags(batch, &e.bags, &|_| home.clone(), &[])?
        }
        Event::Inspect(e) => {
            // An inspection leaves each bag where it is, with whoever escorts it.
            for obs in &e.bags {
                if let Some(mut bag) = state.bag(&obs.id)? {
                    observe(&mut bag, obs, seq, batch)?;
                    bag.last_at = t;
                    bag.history.push(seq);
                    put_bag(batch, &bag)?;
                }
            }
        }
        Event::Dispatch(e) => move_bags(
            batch,
            &e.bags,
            &|_| Place::Transit {
                to: e.to.clone(),
                since: t,
                seq,
            },
            &e.escorts,
        )?,
        Event::Arrive(e) => move_bags(batch, &e.bags, &|_| Place::Site(e.site.clone()), &[])?,
        Event::Open(e) => {
            // Several bags of one room may open together: add them up before writing the tally.
            let mut tallies: std::collections::BTreeMap<Vec<u8>, RoomTally> = Default::default();
            for obs in &e.bags {
                let Some(mut bag) = state.bag(&obs.id)? else {
                    continue;
                };
                observe(&mut bag, obs, seq, batch)?;
                if bag.opened.is_none() {
                    let k = tally_key(&bag.spec.session, &bag.spec.site, &bag.spec.room);
                    if !tallies.contains_key(&k) {
                        let current =
                            state.tally(&bag.spec.session, &bag.spec.site, &bag.spec.room)?;
                        tallies.insert(k.clone(), current);
                    }
                    if matches!(
                        bag.spec.kind,
                        BagKind::QuestionPapers | BagKind::SparePapers
                    ) && let Some(tally) = tallies.get_mut(&k)
                    {
                        tally.papers_opened += u64::from(bag.spec.count);
                    }
                    bag.opened = Some((seq, t));
                }
                let was = std::mem::replace(
                    &mut bag.place,
                    Place::Opened {
                        site: e.site.clone(),
                        room: e.room.clone(),
                    },
                );
                bag.placed_seq = seq;
                bag.escorts.clear();
                bag.last_at = t;
                bag.history.push(seq);
                put_moved_bag(state, batch, Some(&was), &bag)?;
            }
            for (k, tally) in tallies {
                batch.push((k, Some(encoding::encode(&tally)?)));
            }
        }
        Event::Seal(e) => {
            let b = &e.bag;
            let mut tally = state.tally(&b.session, &b.site, &b.room)?;
            tally.sheets_sealed += u64::from(b.count);
            batch.push((
                tally_key(&b.session, &b.site, &b.room),
                Some(encoding::encode(&tally)?),
            ));
            // A reused barcode (flagged) keeps the history it had, as a second collect does.
            let old = state.bag(&b.id)?;
            let (mut history, history_chunks) = old.as_ref().map_or_else(Default::default, |old| {
                (old.history.clone(), old.history_chunks)
            });
            history.push(seq);
            put_moved_bag(
                state,
                batch,
                old.as_ref().map(|b| &b.place),
                &BagState {
                    spec: b.clone(),
                    place: Place::Site(b.site.clone()),
                    collected_seq: seq,
                    history,
                    history_chunks,
                    opened: None,
                    last_at: t,
                    placed_seq: seq,
                    escorts: Vec::new(),
                },
            )?;
        }
        Event::Return(e) => move_bags(batch, &e.bags, &|_| Place::Room, &[])?,
        Event::Release(e) => move_bags(batch, &e.bags, &|_| Place::Released(e.to.clone()), &[])?,
        Event::Incident(e) => {
            let mut ids = e.bags.clone();
            if let Some(cabinet) = &e.cabinet {
                let inside = state.cabinet_bags(cabinet)?;
                ids.extend(inside.into_iter().filter(|id| !e.bags.contains(id)));
            }
            for id in &ids {
                if let Some(mut bag) = state.bag(id)? {
                    bag.history.push(seq);
                    put_bag(batch, &bag)?;
                }
            }
        }
        Event::Handover(e) => {
            // The bags stay on the road, now with the escorts taking over.
            for obs in &e.bags {
                if let Some(mut bag) = state.bag(&obs.id)? {
                    observe(&mut bag, obs, seq, batch)?;
                    bag.escorts.retain(|id| !e.from.contains(id));
                    for id in &e.to {
                        if !bag.escorts.contains(id) {
                            bag.escorts.push(id.clone());
                        }
                    }
                    bag.last_at = t;
                    bag.history.push(seq);
                    put_bag(batch, &bag)?;
                }
            }
        }
        Event::Reseal(e) => {
            if let Some(mut bag) = state.bag(&e.bag)? {
                bag.spec.seal = e.new_seal.clone();
                bag.last_at = t;
                bag.history.push(seq);
                put_bag(batch, &bag)?;
            }
        }
        Event::Cabinet(_) => {}
        Event::Correct(e) => {
            papers::note_replaced(state, seq, &body.event, batch)?;
            if let Some(mut bag) = state.bag(&e.bag)? {
                bag.history.push(seq);
                match &e.fix {
                    Correction::Seal(s) => bag.spec.seal = s.clone(),
                    Correction::Count(n) => bag.spec.count = *n,
                    Correction::BagId(new) => {
                        batch.push((key(BAG, e.bag.as_bytes()), None));
                        move_history(state, batch, &e.bag, new, bag.history_chunks)?;
                        if let Some(c) = cabinet_of(&bag.place) {
                            batch.push((member_key(c, &e.bag), None));
                            batch.push((member_key(c, new), Some(Vec::new())));
                        }
                        bag.spec.id = new.clone();
                    }
                }
                put_bag(batch, &bag)?;
            } else if let Some(bag) = papers::relinked(state, seq, e, batch)? {
                put_bag(batch, &bag)?;
            }
        }
        Event::Void(_) | Event::Postpone(_) | Event::Manifest(_) => papers::transition(
            state,
            seq,
            &body.event,
            |id| key(SESSION, id.as_bytes()),
            batch,
        )?,
    }
    crate::rules::cabinets::transition(state, seq, body, batch)?;
    papers::note_unknown_bags(state, seq, &body.event, batch)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_in_minutes_then_in_hours_and_minutes() {
        let m = |min: i64| super::minutes(min * 60_000);
        assert_eq!(m(119), "119 min");
        assert_eq!(m(120), "2 h");
        assert_eq!(m(125), "2 h 5 min");
        assert_eq!(m(24 * 60), "24 h");
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        let d = |a: &str, b: &str| {
            super::edit_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("qp-1", "qp-1"), 0);
        assert_eq!(d("qp-l", "qp-1"), 1);
        assert_eq!(d("qp1", "qp-1"), 1);
        assert_eq!(d("qp-11", "qp-1"), 1);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("第一", "第二"), 1);
    }
}
