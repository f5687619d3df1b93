//! The events and their fields: what co-signers sign. New kinds are only ever appended to
//! [`Event`]; the chain, storage and signing code never look inside.

use crate::format::time::Timestamp;
use crate::model::bag::{BagObs, BagSpec, Correction, Destination, IncidentKind};
use crate::model::policy::{EventKind, Policy};
use crate::model::roster::{Keyholder, Role};
use serde::{Deserialize, Serialize};

/// Every kind of event. The variant order is part of the signed format and matches
/// [`EventKind`].
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Genesis(Genesis),
    Enroll(Keyholder),
    Revoke(Revocation),
    Schedule(Schedule),
    Policy(Policy),
    Collect(Collect),
    Store(Cabinet),
    Withdraw(Cabinet),
    Inspect(Inspect),
    Dispatch(Dispatch),
    Arrive(Arrive),
    Open(Open),
    Seal(Seal),
    Return(Return),
    Release(Release),
    Incident(Incident),
    Correct(Correct),
    Handover(Handover),
    Assign(Assignment),
    Grant(Grant),
    Reseal(Reseal),
    Cabinet(CabinetPlace),
    Void(Void),
    Postpone(Postpone),
    Manifest(Manifest),
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Genesis(_) => EventKind::Genesis,
            Event::Enroll(_) => EventKind::Enroll,
            Event::Revoke(_) => EventKind::Revoke,
            Event::Schedule(_) => EventKind::Schedule,
            Event::Policy(_) => EventKind::Policy,
            Event::Collect(_) => EventKind::Collect,
            Event::Store(_) => EventKind::Store,
            Event::Withdraw(_) => EventKind::Withdraw,
            Event::Inspect(_) => EventKind::Inspect,
            Event::Dispatch(_) => EventKind::Dispatch,
            Event::Arrive(_) => EventKind::Arrive,
            Event::Open(_) => EventKind::Open,
            Event::Seal(_) => EventKind::Seal,
            Event::Return(_) => EventKind::Return,
            Event::Release(_) => EventKind::Release,
            Event::Incident(_) => EventKind::Incident,
            Event::Correct(_) => EventKind::Correct,
            Event::Handover(_) => EventKind::Handover,
            Event::Assign(_) => EventKind::Assign,
            Event::Grant(_) => EventKind::Grant,
            Event::Reseal(_) => EventKind::Reseal,
            Event::Cabinet(_) => EventKind::Cabinet,
            Event::Void(_) => EventKind::Void,
            Event::Postpone(_) => EventKind::Postpone,
            Event::Manifest(_) => EventKind::Manifest,
        }
    }

    /// The incident note the signers attached, which lets an event that breaks a custody rule be
    /// recorded (and always reported by the audit).
    pub fn incident_note(&self) -> Option<&str> {
        let note = match self {
            Event::Schedule(e) => e.incident.as_deref(),
            Event::Collect(e) => e.incident.as_deref(),
            Event::Store(e) | Event::Withdraw(e) => e.incident.as_deref(),
            Event::Inspect(e) => e.incident.as_deref(),
            Event::Dispatch(e) => e.incident.as_deref(),
            Event::Arrive(e) => e.incident.as_deref(),
            Event::Open(e) => e.incident.as_deref(),
            Event::Seal(e) => e.incident.as_deref(),
            Event::Return(e) => e.incident.as_deref(),
            Event::Release(e) => e.incident.as_deref(),
            Event::Handover(e) => e.incident.as_deref(),
            Event::Reseal(e) => e.incident.as_deref(),
            Event::Incident(e) => Some(e.note.as_str()),
            Event::Correct(e) => Some(e.note.as_str()),
            Event::Void(e) => Some(e.note.as_str()),
            Event::Postpone(e) => Some(e.note.as_str()),
            Event::Genesis(_)
            | Event::Enroll(_)
            | Event::Revoke(_)
            | Event::Policy(_)
            | Event::Assign(_)
            | Event::Grant(_)
            | Event::Cabinet(_)
            | Event::Manifest(_) => None,
        };
        // A blank note excuses nothing.
        note.filter(|n| !n.trim().is_empty())
    }

    /// The bags as the signers observed them (barcode, and the seal and count they read), for
    /// the events that handle bags already in the ledger; `None` for the others.
    pub fn observations(&self) -> Option<&[BagObs]> {
        match self {
            Event::Store(e) | Event::Withdraw(e) => Some(&e.bags),
            Event::Inspect(e) => Some(&e.bags),
            Event::Dispatch(e) => Some(&e.bags),
            Event::Arrive(e) => Some(&e.bags),
            Event::Open(e) => Some(&e.bags),
            Event::Return(e) => Some(&e.bags),
            Event::Release(e) => Some(&e.bags),
            Event::Handover(e) => Some(&e.bags),
            _ => None,
        }
    }

    /// The bag ids the event names, in order.
    pub fn bag_ids(&self) -> Vec<&str> {
        match self {
            Event::Collect(e) => e.bags.iter().map(|b| b.id.as_str()).collect(),
            Event::Seal(e) => vec![e.bag.id.as_str()],
            Event::Incident(e) => e.bags.iter().map(String::as_str).collect(),
            Event::Correct(e) => vec![e.bag.as_str()],
            Event::Reseal(e) => vec![e.bag.as_str()],
            other => other
                .observations()
                .unwrap_or_default()
                .iter()
                .map(|o| o.id.as_str())
                .collect(),
        }
    }
}

/// The first entry: the exam, its zone, the founders and the policy.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Genesis {
    pub exam: String,
    /// IANA zone name, for display and calendar-day rules.
    pub time_zone: String,
    /// Public half of the ledger key that signs automatic checkpoints.
    pub ledger_key: [u8; 32],
    /// [`crate::model::roster::person_key_hash`] of the ledger's person-tag key: binds `person.key` to
    /// this ledger, so that a writer with another key refuses to append.
    pub person_key_hash: [u8; 32],
    /// The founding admins; all of them sign the genesis event.
    pub founders: Vec<Keyholder>,
    pub policy: Policy,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Revocation {
    pub id: String,
    pub reason: String,
}

/// Schedules (or reschedules) an exam session.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub session: String,
    pub subject: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub incident: Option<String>,
}

/// Bags enter the county's custody from upstream.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Collect {
    pub bags: Vec<BagSpec>,
    /// Who handed them over, e.g. the provincial examination authority.
    pub from: String,
    pub incident: Option<String>,
}

/// Bags go into (`store`) or come out of (`withdraw`) a named cabinet.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Cabinet {
    pub bags: Vec<BagObs>,
    pub cabinet: String,
    pub incident: Option<String>,
}

/// Seals checked in place.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Inspect {
    pub bags: Vec<BagObs>,
    pub incident: Option<String>,
    /// The cabinet inspected: the inspection accounts for every bag the ledger places in it
    /// (and in any other cabinet whose bags it lists).
    pub cabinet: Option<String>,
}

/// Bags leave for a destination with named escorts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Dispatch {
    pub bags: Vec<BagObs>,
    pub to: Destination,
    /// Keyholder ids of the escorts who travel with the bags.
    pub escorts: Vec<String>,
    pub incident: Option<String>,
}

/// Bags received at an exam site, seals checked.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Arrive {
    pub bags: Vec<BagObs>,
    pub site: String,
    pub incident: Option<String>,
}

/// Bags opened in a room in front of witnesses.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Open {
    pub bags: Vec<BagObs>,
    pub site: String,
    pub room: String,
    pub incident: Option<String>,
}

/// Answer sheets counted and sealed into a new bag, linked to its room and session.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Seal {
    pub bag: BagSpec,
    pub incident: Option<String>,
}

/// Bags received back in the confidentiality room, seals checked.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Return {
    pub bags: Vec<BagObs>,
    pub incident: Option<String>,
}

/// Bags leave the ledger's custody.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Release {
    pub bags: Vec<BagObs>,
    /// Who receives them, e.g. the marking centre.
    pub to: String,
    pub incident: Option<String>,
}

/// Something went wrong: a broken seal, a count mismatch, a lost or damaged bag, a spare used.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    pub bags: Vec<String>,
    pub kind: IncidentKind,
    pub note: String,
    /// A cabinet the incident happened to (a key lost, a lock forced or replaced): every bag
    /// the ledger places in it is exposed until an inspection lists it.
    pub cabinet: Option<String>,
}

/// Fixes a mistyped barcode, seal number or count of a bag in an earlier entry. The earlier
/// entry stays; rules use the corrected value from this entry on.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Correct {
    /// The entry that holds the mistake.
    pub seq: u64,
    /// The bag as that entry named it.
    pub bag: String,
    pub fix: Correction,
    pub note: String,
}

/// Escorts change on the road: those handing over give the bags, seals checked, to those taking
/// over, and one of each co-signs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Handover {
    pub bags: Vec<BagObs>,
    /// Keyholder ids of the escorts handing the bags over.
    pub from: Vec<String>,
    /// Keyholder ids of the escorts taking them over.
    pub to: Vec<String>,
    pub incident: Option<String>,
}

/// Who serves where (docs/CUSTODY.md, "Posts"). A later assignment of the same post replaces the
/// earlier one from its event time on.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Assignment {
    /// For one session at one site: its chief examiner and the invigilators of its rooms. The
    /// chief's post and each room's are replaced on their own.
    Site {
        session: String,
        site: String,
        chief: Option<String>,
        rooms: Vec<RoomPost>,
    },
    /// Custodians and supervisors on duty in the confidentiality room (`cabinet` `None`) or at
    /// one cabinet, from `from` to `until`.
    Duty {
        cabinet: Option<String>,
        from: Timestamp,
        until: Timestamp,
        custodians: Vec<String>,
        supervisors: Vec<String>,
    },
}

/// The invigilators of one exam room.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RoomPost {
    pub room: String,
    pub invigilators: Vec<String>,
}

/// Two admins add a role to an existing keyholder: the same key and person tag.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub role: Role,
}

/// The exam board puts a new seal on a bag whose seal was found broken: from this entry on the
/// bag's seal is `new_seal`. The finding that recorded the break stays.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Reseal {
    pub bag: String,
    /// The seal on the bag as the signers found it.
    pub old_seal: String,
    pub new_seal: String,
    /// Why the bag is resealed, and by whose seal.
    pub note: String,
    pub incident: Option<String>,
}

/// Registers a two-key cabinet and where it stands: in the confidentiality room, or at an exam
/// site, where papers held overnight are stored. A cabinet never registered is in the room.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CabinetPlace {
    pub cabinet: String,
    pub at: Destination,
}

/// A paper version voided, after a leak: the question papers of one session (every
/// `question_papers` bag whose session is `session`). Its bags are not opened from here on; the
/// session's spare papers (备用卷) are opened instead.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Void {
    pub session: String,
    pub note: String,
}

/// A session postponed after its papers were collected: its new start and end. The schedule it
/// replaces stays in the ledger and in the views.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Postpone {
    pub session: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub note: String,
}

/// The printer's list (or the provincial office's): the bags it sends, imported before they are
/// collected, with the SHA-256 of the file it came in.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub sha256: [u8; 32],
    pub rows: Vec<ManifestRow>,
}

/// One bag on the printer's list.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ManifestRow {
    pub bag: String,
    pub seal: String,
    pub count: u32,
    pub session: String,
    /// Destination exam site and room.
    pub site: String,
    pub room: String,
}
