//! The short words the views share: times in the exam's zone, bag kinds, where a bag is, and a
//! finding in words.

use crate::audit::verify::AuditError;
use crate::format::time::Timestamp;
use crate::lang::i18n::{Lang, Msg};
use crate::model::bag::{Destination, Place};
use crate::model::entry::DecodedEntry;
use crate::model::event::Event;
use crate::model::finding::{Category, Finding};
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

/// The audit's three sections, as both reports name them, and the finding categories each holds.
pub const SECTIONS: [(Msg, &[Category]); 3] = [
    (Msg::SectionIntegrity, &[Category::Integrity]),
    (
        Msg::SectionAuthorization,
        &[Category::Authorization, Category::Event],
    ),
    (Msg::SectionCustody, &[Category::Custody, Category::Timing]),
];

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
    let message = match lang {
        Lang::En => f.message.clone(),
        Lang::Zh => in_chinese(&f.message).unwrap_or_else(|| f.message.clone()),
    };
    let text = if who.is_empty() {
        message
    } else {
        format!(
            "{}{}{message}",
            who.join(lang.t(Msg::ListJoin)),
            lang.t(Msg::Colon)
        )
    };
    match lang {
        Lang::En => text,
        Lang::Zh => format!("{}：{text}", lang.explain(f.code)),
    }
}

/// The Chinese of the audit's English finding messages, by template (`{x}` stands for any
/// text, the same in both). A message no template matches stays English, after its code's
/// Chinese explanation.
const FINDINGS_ZH: &[(&str, &str)] = &[
    (
        "bag {id} has seal {seal}, but seal {recorded} was recorded",
        "密封袋 {id} 的封条为 {seal}，但台账记录的封条为 {recorded}",
    ),
    (
        "bag {id} holds {count} papers, but {recorded} were recorded",
        "密封袋 {id} 内有 {count} 份，但台账记录为 {recorded} 份",
    ),
    ("bag {id} was never collected", "密封袋 {id} 从未领取"),
    ("bag {id} was already collected", "密封袋 {id} 已经领取过"),
    ("bag {id} was already opened", "密封袋 {id} 已经启封"),
    ("bag {id} is named twice", "密封袋 {id} 被列出两次"),
    (
        "bag id {id} is already in the ledger",
        "密封袋编号 {id} 已在台账中",
    ),
    (
        "bag {id} was released to {to} and is out of the ledger's custody",
        "密封袋 {id} 已移交 {to}，不再由台账保管",
    ),
    (
        "bag {id} opened {time} before its session starts ({start}); the policy allows {before} min",
        "密封袋 {id} 在场次开始（{start}）前 {time} 启封；规则允许提前 {before} 分钟",
    ),
    (
        "bag {id} opened {time} after its session started ({start})",
        "密封袋 {id} 在场次开始（{start}）后 {time} 才启封",
    ),
    (
        "spare-paper bag {id} opened; spares are opened only with an incident note",
        "备用卷袋 {id} 被启封；备用卷只能附异常说明启封",
    ),
    (
        "bag {id} was dispatched to {to} (entry {seq}), not to {other}",
        "密封袋 {id} 运往 {to}（第 {seq} 条），而不是 {other}",
    ),
    ("session {id} is not scheduled", "场次 {id} 未排定"),
    (
        "escort {id} is not an active keyholder",
        "押运员 {id} 不是有效持钥人",
    ),
    ("{id} is not on the roster", "{id} 不在名册中"),
    ("{id} is not a founder", "{id} 不是创始管理员"),
    (
        "{id} was revoked at entry {seq}",
        "{id} 已于第 {seq} 条吊销",
    ),
    ("{id} is named as a signer twice", "{id} 被两次列为签名人"),
    (
        "{n} distinct signer(s); every event needs at least two people",
        "只有 {n} 名不同的签名人；每个事件至少需要两个人",
    ),
    (
        "two of the signing keys belong to the same person",
        "其中两把签名密钥属于同一人",
    ),
    (
        "{kind} must be co-signed by {roles}",
        "{kind} 必须由 {roles} 共同签名",
    ),
    (
        "{kind} needs two different admins",
        "{kind} 需要两名不同的管理员",
    ),
    (
        "{id}'s key is not valid at the event time {time}",
        "{id} 的密钥在事件时间 {time} 不在有效期内",
    ),
    (
        "event time {time} is after the recorded time {recorded} beyond the clock tolerance",
        "事件时间 {time} 晚于记录时间 {recorded}，超出时钟误差",
    ),
    (
        "the same signed event was already appended at entry {seq}",
        "同一已签名事件已于第 {seq} 条追加",
    ),
    (
        "recorded {time} after it happened; the policy allows {allowed}",
        "事件发生 {time} 后才记录；规则允许 {allowed}",
    ),
    // Posts and granted roles (issue 17).
    (
        "{id} is not posted at {place} for session {session} (posted there: {people})",
        "{id} 未被安排在场次 {session} 的 {place}（该处在岗：{people}）",
    ),
    (
        "{id} is not on duty in the confidentiality room at this time (on duty: {people})",
        "{id} 此时不在保密室值守（值守人员：{people}）",
    ),
    (
        "{id} is not on duty at cabinet {cabinet} at this time (on duty: {people})",
        "{id} 此时不在保密柜 {cabinet} 值守（值守人员：{people}）",
    ),
    (
        "posts at {site} for session {session} are co-signed by that site's chief examiner ({chief}) and a supervisor, or by two admins",
        "场次 {session} 在 {site} 的岗位安排须由该考点主考（{chief}）与一名监督员共同签名，或由两名管理员签名",
    ),
    (
        "duty in the confidentiality room is assigned by two admins",
        "保密室值守须由两名管理员安排",
    ),
    (
        "{id} co-signed a role granted to themselves",
        "{id} 共同签署了授予自己的角色",
    ),
    ("{id} already holds {role}", "{id} 已有角色 {role}"),
    (
        "{id} is posted as {role} but does not hold that role",
        "{id} 被安排为 {role}，但不具有该角色",
    ),
    (
        "{id} is named twice for one post",
        "{id} 在同一岗位被列出两次",
    ),
    ("room {room} has no invigilator", "考场 {room} 未安排监考员"),
    ("the assignment names no post", "该安排未列出任何岗位"),
    (
        "a duty assignment names at least one custodian",
        "值守安排至少须列出一名保管员",
    ),
    (
        "the period of duty ends before it starts",
        "值守时段的结束早于开始",
    ),
    ("{id} is not an active keyholder", "{id} 不是有效持钥人"),
];

/// A finding message in Chinese, when a template of [`FINDINGS_ZH`] matches it whole.
fn in_chinese(message: &str) -> Option<String> {
    FINDINGS_ZH.iter().find_map(|(en, zh)| {
        let values = match_template(en, message)?;
        let mut out = (*zh).to_string();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        Some(out)
    })
}

/// The values of a template's `{name}`s in `text`, each the shortest that lets the next literal
/// part follow; `None` unless the whole text matches.
fn match_template<'t>(template: &'t str, text: &'t str) -> Option<Vec<(&'t str, &'t str)>> {
    let mut values = Vec::new();
    let (mut template, mut text) = (template, text);
    loop {
        let Some(open) = template.find('{') else {
            return (template == text).then_some(values);
        };
        text = text.strip_prefix(&template[..open])?;
        let close = open + template[open..].find('}')?;
        let name = &template[open + 1..close];
        template = &template[close + 1..];
        let next = template.find('{').map_or(template, |i| &template[..i]);
        let end = if next.is_empty() {
            text.len()
        } else {
            text.find(next)?
        };
        if end == 0 {
            return None;
        }
        values.push((name, &text[..end]));
        text = &text[end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_messages_read_in_chinese() {
        assert_eq!(
            in_chinese("bag QP-0102 has seal S0120, but seal S0102 was recorded").as_deref(),
            Some("密封袋 QP-0102 的封条为 S0120，但台账记录的封条为 S0102")
        );
        assert_eq!(
            in_chinese("e1 was revoked at entry 12").as_deref(),
            Some("e1 已于第 12 条吊销")
        );
        // Not a whole match: stays English.
        assert_eq!(in_chinese("bag QP-1 was never collected, twice"), None);
        assert_eq!(in_chinese("something new"), None);
    }
}
