//! Cabinets: where a two-key cabinet stands (the confidentiality room, or an exam site where
//! papers are held overnight), inspections that account for a whole cabinet, incidents on a
//! cabinet that leave its bags exposed until inspected, and reseals of a bag whose seal was
//! found broken. Judged by the one judge through [`check`]; the state they need is written by
//! [`transition`] and by the few lines of [`super::custody`] that call in here.

use crate::format::encoding;
use crate::format::time::Timestamp;
use crate::model::bag::{Correction, Destination, IncidentKind, Place};
use crate::model::entry::Body;
use crate::model::event::{CabinetPlace, Event, Incident, Inspect, Reseal};
use crate::model::finding::{Code, Finding};
use crate::rules::state::{Batch, Kv, State, StoreError};
use std::collections::BTreeMap;

/// A registered cabinet, by name.
const CABINET: u8 = b'C';
/// A bag exposed by an incident on its cabinet, until an inspection lists it: the incident's
/// entry.
const EXPOSED: u8 = b'x';
/// A bag whose seal was found other than recorded (or declared broken), until it is resealed:
/// the entry that found it.
const BROKEN: u8 = b'y';

fn key(prefix: u8, rest: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + rest.len());
    k.push(prefix);
    k.extend_from_slice(rest.as_bytes());
    k
}

/// A registered cabinet: where it stands, and the entry that registered it.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CabinetRecord {
    pub at: Destination,
    pub seq: u64,
}

impl<K: Kv> State<K> {
    pub fn cabinet(&self, name: &str) -> Result<Option<CabinetRecord>, StoreError> {
        self.get(&key(CABINET, name))
    }

    /// Where a bag stored in this cabinet comes from and goes back to when withdrawn: the site
    /// a registered site cabinet stands at, else the confidentiality room.
    pub fn cabinet_home(&self, name: &str) -> Result<Place, StoreError> {
        Ok(match self.cabinet(name)? {
            Some(CabinetRecord {
                at: Destination::Site(site),
                ..
            }) => Place::Site(site),
            _ => Place::Room,
        })
    }

    /// Every cabinet registered at a site, with its site, by name.
    pub fn site_cabinets(&self) -> Result<BTreeMap<String, String>, StoreError> {
        let mut out = BTreeMap::new();
        self.kv().visit_prefix(&[CABINET], &mut |k, v| {
            let record: CabinetRecord = encoding::decode(v)?;
            if let Destination::Site(site) = record.at {
                out.insert(String::from_utf8_lossy(&k[1..]).into_owned(), site);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The cabinet incident that left this bag exposed, if no inspection has listed it since.
    pub fn exposed_by(&self, bag: &str) -> Result<Option<u64>, StoreError> {
        self.get(&key(EXPOSED, bag))
    }

    /// The entry that found this bag's seal broken or other than recorded, if it has not been
    /// resealed since.
    pub fn seal_broken_at(&self, bag: &str) -> Result<Option<u64>, StoreError> {
        self.get(&key(BROKEN, bag))
    }
}

/// Marks a bag's seal as found broken at `seq` (an observation that differs from the record).
pub(crate) fn seal_found_broken(batch: &mut Batch, bag: &str, seq: u64) -> Result<(), StoreError> {
    batch.push((key(BROKEN, bag), Some(encoding::encode(&seq)?)));
    Ok(())
}

/// The cabinet rules of an entry, beside [`super::custody::check`]'s.
pub(crate) fn check<K: Kv>(
    state: &State<K>,
    seq: u64,
    t: Timestamp,
    event: &Event,
    time_zone: &str,
    out: &mut Vec<Finding>,
) -> Result<(), StoreError> {
    let mut j = Judge {
        state,
        seq,
        t,
        time_zone,
        out,
    };
    match event {
        Event::Cabinet(e) => j.register(e)?,
        Event::Inspect(e) => j.inspect(e)?,
        Event::Incident(e) => j.incident(e)?,
        Event::Reseal(e) => j.reseal(e)?,
        Event::Withdraw(e) => j.exposed(e.bags.iter().map(|b| b.id.as_str()), "withdrawn")?,
        Event::Dispatch(e) => j.exposed(e.bags.iter().map(|b| b.id.as_str()), "dispatched")?,
        Event::Open(e) => j.exposed(e.bags.iter().map(|b| b.id.as_str()), "opened")?,
        Event::Release(e) => j.exposed(e.bags.iter().map(|b| b.id.as_str()), "released")?,
        _ => {}
    }
    Ok(())
}

struct Judge<'a, K: Kv> {
    state: &'a State<K>,
    seq: u64,
    t: Timestamp,
    time_zone: &'a str,
    out: &'a mut Vec<Finding>,
}

impl<K: Kv> Judge<'_, K> {
    fn flag(&mut self, code: Code, bag: Option<&str>, message: String) {
        self.out
            .push(Finding::new(code, self.seq, message).about_bag(bag));
    }

    fn invalid(&mut self, message: String) {
        self.flag(Code::EventInvalid, None, message);
    }

    /// A cabinet is registered once, under a name no bag is in: registering a cabinet that
    /// already holds bags would move them without anyone carrying them.
    fn register(&mut self, e: &CabinetPlace) -> Result<(), StoreError> {
        if e.cabinet.trim().is_empty()
            || matches!(&e.at, Destination::Site(s) if s.trim().is_empty())
        {
            self.invalid("a cabinet registration needs the cabinet and its site".into());
        }
        if let Some(old) = self.state.cabinet(&e.cabinet)? {
            self.invalid(format!(
                "cabinet {} was already registered at entry {}",
                e.cabinet, old.seq
            ));
        } else if e.at != Destination::Room && !self.state.cabinet_bags(&e.cabinet)?.is_empty() {
            self.invalid(format!(
                "cabinet {} already holds bags in the confidentiality room",
                e.cabinet
            ));
        }
        Ok(())
    }

    /// An inspection that names its cabinet lists every bag the ledger places there, and only
    /// those; one that names none is a spot check of the bags it lists.
    fn inspect(&mut self, e: &Inspect) -> Result<(), StoreError> {
        let Some(cabinet) = &e.cabinet else {
            return Ok(());
        };
        if cabinet.trim().is_empty() {
            self.invalid("the cabinet is empty".into());
            return Ok(());
        }
        for obs in &e.bags {
            if let Some(bag) = self.state.bag(&obs.id)?
                && matches!(bag.place, Place::Room | Place::Cabinet(_))
                && bag.place != Place::Cabinet(cabinet.clone())
            {
                self.flag(
                    Code::WrongPlace,
                    Some(&obs.id),
                    format!(
                        "bag {} is {}, not in cabinet {cabinet}: an inspection of a cabinet lists the bags in it",
                        obs.id, bag.place
                    ),
                );
            }
        }
        for id in self.state.cabinet_bags(cabinet)? {
            if !e.bags.iter().any(|b| b.id == id) {
                self.flag(
                    Code::InspectionIncomplete,
                    Some(&id),
                    format!(
                        "bag {id} is in cabinet {cabinet}, but the inspection of the cabinet does not list it"
                    ),
                );
            }
        }
        Ok(())
    }

    /// An incident on a cabinet names a cabinet the ledger knows, and is itself a finding by
    /// its kind when it names no bag (a bag it names is flagged by the custody rules).
    fn incident(&mut self, e: &Incident) -> Result<(), StoreError> {
        let Some(cabinet) = &e.cabinet else {
            return Ok(());
        };
        let bags = self.state.cabinet_bags(cabinet)?;
        if self.state.cabinet(cabinet)?.is_none() && bags.is_empty() {
            self.invalid(format!(
                "cabinet {cabinet} is neither registered nor holds any bag"
            ));
        }
        if e.kind == IncidentKind::SpareUsed {
            self.invalid("an incident on a cabinet is not a spare used".into());
        }
        if e.bags.is_empty()
            && let Some(code) = super::custody::incident_code(e.kind)
        {
            self.flag(
                code,
                None,
                format!(
                    "cabinet {cabinet} declared {}: {} bag(s) inside exposed",
                    e.kind.as_str(),
                    bags.len()
                ),
            );
        }
        Ok(())
    }

    /// A bag exposed by an incident on its cabinet leaves it only after an inspection.
    fn exposed<'b>(
        &mut self,
        ids: impl Iterator<Item = &'b str>,
        what: &str,
    ) -> Result<(), StoreError> {
        for id in ids {
            if let Some(at) = self.state.exposed_by(id)? {
                self.flag(
                    Code::CabinetExposed,
                    Some(id),
                    format!(
                        "bag {id} is {what} after the incident on its cabinet (entry {at}) without an inspection since"
                    ),
                );
            }
        }
        Ok(())
    }

    /// A reseal puts a new seal on a bag kept in the confidentiality room (in or out of a
    /// cabinet), whose seal the ledger found broken: a reseal without that record would turn a
    /// swapped seal into the bag's seal with no finding at all.
    fn reseal(&mut self, e: &Reseal) -> Result<(), StoreError> {
        if e.note.trim().is_empty() {
            self.invalid("a reseal needs a note saying why and by whose seal".into());
        }
        if e.old_seal.trim().is_empty() || e.new_seal.trim().is_empty() || e.old_seal == e.new_seal
        {
            self.invalid(format!(
                "bag {}: a reseal needs the seal found and a new, different seal",
                e.bag
            ));
        }
        let Some(bag) = self.state.bag(&e.bag)? else {
            let hint = super::custody::did_you_mean(self.state, &e.bag)?;
            self.flag(
                Code::BagNotCollected,
                Some(&e.bag),
                format!("bag {} was never collected{hint}", e.bag),
            );
            return Ok(());
        };
        if !matches!(bag.place, Place::Room | Place::Cabinet(_))
            || matches!(&bag.place, Place::Cabinet(c) if self.state.cabinet_home(c)? != Place::Room)
        {
            self.flag(
                Code::WrongPlace,
                Some(&e.bag),
                format!(
                    "bag {} is {}, but must be resealed in the confidentiality room",
                    e.bag, bag.place
                ),
            );
        }
        if e.old_seal != bag.spec.seal {
            self.flag(
                Code::SealMismatch,
                Some(&e.bag),
                format!(
                    "bag {} is resealed from seal {}, but seal {} was recorded",
                    e.bag, e.old_seal, bag.spec.seal
                ),
            );
        }
        if self.state.seal_broken_at(&e.bag)?.is_none() {
            self.flag(
                Code::ResealUnfounded,
                Some(&e.bag),
                format!(
                    "bag {} is resealed, but no entry recorded its seal {} broken or other than recorded",
                    e.bag, e.old_seal
                ),
            );
        }
        if self.t < bag.last_at {
            self.flag(
                Code::OutOfOrder,
                Some(&e.bag),
                format!(
                    "bag {} is resealed at {}, before its previous event at {}",
                    e.bag,
                    self.t.display_in(self.time_zone),
                    bag.last_at.display_in(self.time_zone)
                ),
            );
        }
        Ok(())
    }
}

/// The writes of the cabinet rules' own state: registrations, exposed bags, broken seals.
/// The bags' own changes (a reseal's seal, a cabinet incident in each bag's history) are
/// [`super::custody::transition`]'s.
pub(crate) fn transition<K: Kv>(
    state: &State<K>,
    seq: u64,
    body: &Body,
    batch: &mut Batch,
) -> Result<(), StoreError> {
    let forget = |batch: &mut Batch, prefix: u8, id: &str| -> Result<(), StoreError> {
        if state.get::<u64>(&key(prefix, id))?.is_some() {
            batch.push((key(prefix, id), None));
        }
        Ok(())
    };
    match &body.event {
        Event::Cabinet(e) => {
            let record = CabinetRecord {
                at: e.at.clone(),
                seq,
            };
            batch.push((key(CABINET, &e.cabinet), Some(encoding::encode(&record)?)));
        }
        Event::Incident(e) => {
            if let Some(cabinet) = &e.cabinet {
                for id in state.cabinet_bags(cabinet)? {
                    batch.push((key(EXPOSED, &id), Some(encoding::encode(&seq)?)));
                }
            }
            if e.kind == IncidentKind::BrokenSeal {
                for id in &e.bags {
                    seal_found_broken(batch, id, seq)?;
                }
            }
        }
        // Two people looked at the bag: it is no longer exposed.
        Event::Inspect(e) => {
            for obs in &e.bags {
                forget(batch, EXPOSED, &obs.id)?;
            }
        }
        Event::Reseal(e) => forget(batch, BROKEN, &e.bag)?,
        Event::Correct(e) => {
            if let Correction::BagId(new) = &e.fix {
                for prefix in [EXPOSED, BROKEN] {
                    if let Some(at) = state.get::<u64>(&key(prefix, &e.bag))? {
                        batch.push((key(prefix, &e.bag), None));
                        batch.push((key(prefix, new), Some(encoding::encode(&at)?)));
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}
