//! The short words the views share: times in the exam's zone, bag kinds, where a bag is, and a
//! finding in words.

use crate::audit::verify::AuditError;
use crate::format::time::Timestamp;
use crate::lang::i18n::{Lang, Msg};
use crate::model::bag::{Destination, Place};
use crate::model::entry::DecodedEntry;
use crate::model::event::Event;
use crate::model::finding::Finding;
use crate::rules::state::{Kv, State, StoreError};
use crate::store::journal::{self, JournalError};
use std::path::Path;

/// `2026-06-07 08:45` in the exam's zone: the table form of [`Timestamp::display_in`], whose
/// seconds and offset the heading of each view replaces.
pub fn short_time(t: Timestamp, zone: &str) -> String {
    let full = t.display_in(zone);
    match full.get(..16) {
        Some(s) if full.len() >= 19 => s.to_string(),
        _ => full,
    }
}

/// Where a bag is, in a few words, for tables. `site` is the bag's destination site, which an
/// opening there leaves out (the room is what matters).
pub fn place_text(place: &Place, site: &str, lang: Lang) -> String {
    match place {
        Place::Room => lang.t(Msg::PlaceRoom).into(),
        Place::Cabinet(c) => lang.f(Msg::PlaceCabinet, &[("cabinet", c)]),
        Place::Transit {
            to: Destination::Room,
            ..
        } => lang.t(Msg::PlaceToRoom).into(),
        Place::Transit {
            to: Destination::Site(s),
            ..
        } => lang.f(Msg::PlaceTo, &[("site", s)]),
        Place::Site(s) => lang.f(Msg::PlaceAt, &[("site", s)]),
        Place::Opened { site: s, room } if s == site => {
            lang.f(Msg::PlaceOpened, &[("where", room)])
        }
        Place::Opened { site, room } => {
            lang.f(Msg::PlaceOpened, &[("where", &format!("{site} {room}"))])
        }
        Place::Released(to) => lang.f(Msg::PlaceReleased, &[("to", to)]),
    }
}

/// Where a bag is, in a sentence: the localized form of `Place`'s `Display`.
pub fn place_words(place: &Place, lang: Lang) -> String {
    match place {
        Place::Room => lang.t(Msg::WhereRoom).into(),
        Place::Cabinet(c) => lang.f(Msg::WhereCabinet, &[("cabinet", c)]),
        Place::Transit { to, .. } => lang.f(
            Msg::WhereTransit,
            &[("to", &crate::lang::summary::destination(to, lang))],
        ),
        Place::Site(s) => lang.f(Msg::PlaceAt, &[("site", s)]),
        Place::Opened { site, room } => lang.f(Msg::WhereOpened, &[("site", site), ("room", room)]),
        Place::Released(to) => lang.f(Msg::WhereReleased, &[("to", to)]),
    }
}

/// The exam's time zone from the journal's genesis entry, read without auditing the journal:
/// `None` when the journal has no readable genesis (the audit that follows says why).
pub fn exam_zone(path: &Path) -> Result<Option<String>, AuditError> {
    let (_, mut reader) = match journal::open_reader(path) {
        Ok(r) => r,
        Err(JournalError::BadHeader { .. } | JournalError::BadVersion { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let first = reader.next_record().map_err(|source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(first
        .and_then(|r| DecodedEntry::decode(&r.bytes).ok())
        .and_then(|e| match e.body.event {
            Event::Genesis(g) => Some(g.time_zone),
            _ => None,
        }))
}

/// The zone of a state: the exam's, or UTC before the genesis.
pub fn zone_of<K: Kv>(state: &State<K>) -> Result<String, StoreError> {
    Ok(state
        .ledger()?
        .map_or_else(|| "UTC".to_string(), |l| l.time_zone))
}

/// A finding in words: its message, prefixed with its bag and signer where the message does not
/// name them; in Chinese, also what its code means (the message itself is the audit's English).
pub fn finding_text(f: &Finding, lang: Lang) -> String {
    let words: Vec<&str> = f
        .message
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .collect();
    let mut who = Vec::new();
    if let Some(bag) = &f.bag
        && !words.contains(&bag.as_str())
    {
        who.push(lang.f(Msg::FindingBag, &[("bag", bag)]));
    }
    if let Some(signer) = &f.signer
        && !words.contains(&signer.as_str())
    {
        let msg = if f.code.is_about_keyholder() {
            Msg::FindingKeyholder
        } else {
            Msg::FindingSigner
        };
        who.push(lang.f(msg, &[("signer", signer)]));
    }
    let text = if who.is_empty() {
        f.message.clone()
    } else {
        format!("{}: {}", who.join(", "), f.message)
    };
    match lang {
        Lang::En => text,
        Lang::Zh => format!("{}：{text}", lang.explain(f.code)),
    }
}
