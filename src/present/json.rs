//! The JSON of entries, events, bags and places, as `--json` prints them. Field names are
//! snake_case and stable; each function documents its shape. Times are RFC 3339 in UTC.

use crate::model::bag::{BagState, Destination, Place};
use crate::model::entry::{DecodedEntry, hex};
use crate::model::event::Event;
use crate::model::finding::Finding;
use crate::model::roster::Keyholder;
use serde_json::{Value, json};

/// Where a bag is, as JSON: `{"where": W, ..., "text": T}` where W is one of
///
/// - `"room"`: in the confidentiality room, outside any cabinet;
/// - `"cabinet"`, with `"cabinet"`;
/// - `"transit"`, with `"to_site"` (the site, or null when bound for the room), `"since"`
///   (RFC 3339, UTC) and `"since_seq"` (the dispatch entry);
/// - `"site"`, with `"site"`: received at a site, sealed;
/// - `"opened"`, with `"site"` and `"room"`;
/// - `"released"`, with `"to"`;
///
/// and T is the place in words (English).
pub fn place_json(place: &Place) -> Value {
    let mut v = match place {
        Place::Room => json!({"where": "room"}),
        Place::Cabinet(c) => json!({"where": "cabinet", "cabinet": c}),
        Place::Transit { to, since, seq } => json!({
            "where": "transit",
            "to_site": match to { Destination::Site(s) => Some(s), Destination::Room => None },
            "since": since.to_rfc3339(),
            "since_seq": seq,
        }),
        Place::Site(s) => json!({"where": "site", "site": s}),
        Place::Opened { site, room } => json!({"where": "opened", "site": site, "room": room}),
        Place::Released(to) => json!({"where": "released", "to": to}),
    };
    v["text"] = Value::String(place.to_string());
    v
}

/// A bag as JSON:
/// `{"id", "kind", "session", "site", "room", "seal", "count", "place", "opened",
/// "collected_seq", "last_seq"}`. `kind` is [`BagKind::as_str`]; `site` and `room` are its
/// destination; `seal` and `count` are as recorded, corrections applied; `place` is
/// [`place_json`]; `opened` is `{"seq", "at"}` or null; `last_seq` is the last entry that touched
/// the bag.
pub fn bag_json(b: &BagState) -> Value {
    json!({
        "id": b.spec.id,
        "kind": b.spec.kind.as_str(),
        "session": b.spec.session,
        "site": b.spec.site,
        "room": b.spec.room,
        "seal": b.spec.seal,
        "count": b.spec.count,
        "place": place_json(&b.place),
        "opened": b.opened.map(|(seq, at)| json!({"seq": seq, "at": at.to_rfc3339()})),
        "collected_seq": b.collected_seq,
        "last_seq": b.history.last().copied().unwrap_or(b.collected_seq),
    })
}

fn keyholder_json(k: &Keyholder) -> Value {
    json!({
        "id": k.id,
        "name": k.name,
        "roles": k.roles,
        "public_key": hex(&k.public_key),
        "person_tag": hex(&k.person_tag),
        "valid_from": k.valid_from.map(|t| t.to_rfc3339()),
        "valid_until": k.valid_until.map(|t| t.to_rfc3339()),
        "key_kind": k.key_kind,
    })
}

/// An event's fields as JSON, without its kind: a keyholder as `{"id", "name", "roles",
/// "public_key", "person_tag", "valid_from", "valid_until", "key_kind"}` (keys and tags in hex),
/// the genesis with its founders so, a printer's list as `{"sha256" (hex), "rows"}`, and every
/// other event in its serde form.
pub fn event_json(e: &Event) -> Value {
    match e {
        Event::Genesis(g) => json!({
            "exam": g.exam,
            "time_zone": g.time_zone,
            "ledger_key": hex(&g.ledger_key),
            "founders": g.founders.iter().map(keyholder_json).collect::<Vec<_>>(),
            "policy": g.policy,
        }),
        Event::Enroll(k) => keyholder_json(k),
        Event::Revoke(r) => json!({"id": r.id, "reason": r.reason}),
        Event::Manifest(m) => json!({"sha256": hex(&m.sha256), "rows": m.rows}),
        // The other events hold only text and numbers: their serde form is their JSON form,
        // without the enum's tag (the entry's "kind" says it).
        other => match serde_json::to_value(other) {
            Ok(Value::Object(map)) => map
                .into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or(Value::Null),
            _ => Value::Null,
        },
    }
}

/// One entry in full, as `custody log --json` and `custody show --json` print it:
/// `{"seq", "hash", "prev_hash", "recorded_at", "event_time", "kind", "signers",
/// "head": {"size", "hash"}, "nonce", "event", "signatures": [{"signer", "signature"}],
/// "findings"}`. Hashes, nonces and signatures are hex; times RFC 3339 in UTC; `event` is
/// [`event_json`]; `findings` are the audit's findings at this entry.
pub fn entry_json(e: &DecodedEntry, findings: &[Finding]) -> Value {
    let signatures: Vec<Value> = e
        .entry
        .signatures
        .iter()
        .map(|s| json!({"signer": s.signer, "signature": hex(&s.signature)}))
        .collect();
    json!({
        "seq": e.entry.seq,
        "hash": hex(&e.hash),
        "prev_hash": hex(&e.entry.prev_hash),
        "recorded_at": e.entry.recorded_at.to_rfc3339(),
        "event_time": e.body.event_time.to_rfc3339(),
        "kind": e.body.event.kind(),
        "signers": e.body.signers,
        "head": {"size": e.body.head.size, "hash": hex(&e.body.head.hash)},
        "nonce": hex(&e.body.nonce),
        "event": event_json(&e.body.event),
        "signatures": signatures,
        "findings": findings,
    })
}
