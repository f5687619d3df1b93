//! The summary each signer reads before typing a passphrase. It is rendered from the canonical
//! body bytes about to be signed, never from the command line, so what is shown is what is signed.

use crate::encoding::EncodingError;
use crate::entry::{Body, hex};

use crate::bag::Correction;
use crate::event::Event;
/// Renders the body bytes as a short, plain-text summary: event, fields, time, signers, ledger.
pub fn summary(body_bytes: &[u8], time_zone: &str) -> Result<String, EncodingError> {
    let body = Body::decode(body_bytes)?;
    Ok(render(&body, time_zone))
}

/// One line of detail about an event, for summaries and the log.
pub fn detail(event: &Event) -> String {
    let note = |n: &Option<String>| {
        n.as_ref()
            .map(|n| format!("; INCIDENT: {n}"))
            .unwrap_or_default()
    };
    match event {
        Event::Genesis(g) => format!(
            "exam {:?}, zone {}, founders {}",
            g.exam,
            g.time_zone,
            g.founders
                .iter()
                .map(|f| format!("{} ({})", f.id, f.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Event::Enroll(k) => {
            let roles: Vec<&str> = k.roles.iter().map(|r| r.as_str()).collect();
            format!("{} ({}) as {}", k.id, k.name, roles.join(", "))
        }
        Event::Revoke(r) => format!("{}: {}", r.id, r.reason),
        Event::Schedule(s) => format!(
            "session {} ({}) {} to {}{}",
            s.session,
            s.subject,
            s.start,
            s.end,
            note(&s.incident)
        ),
        Event::Policy(_) => "policy change (takes effect after the current policy's delay)".into(),
        Event::Collect(e) => format!("{} from {}{}", bag_list(event), e.from, note(&e.incident)),
        Event::Store(e) => format!(
            "{} into cabinet {}{}",
            bag_list(event),
            e.cabinet,
            note(&e.incident)
        ),
        Event::Withdraw(e) => format!(
            "{} out of cabinet {}{}",
            bag_list(event),
            e.cabinet,
            note(&e.incident)
        ),
        Event::Inspect(e) => format!("{} seals checked{}", bag_list(event), note(&e.incident)),
        Event::Dispatch(e) => format!(
            "{} to {} with {}{}",
            bag_list(event),
            e.to,
            e.escorts.join(", "),
            note(&e.incident)
        ),
        Event::Arrive(e) => format!("{} at {}{}", bag_list(event), e.site, note(&e.incident)),
        Event::Open(e) => format!(
            "{} opened at {} {}{}",
            bag_list(event),
            e.site,
            e.room,
            note(&e.incident)
        ),
        Event::Seal(e) => format!(
            "{} answer sheets into bag {} (seal {}) at {} {}, session {}{}",
            e.bag.count,
            e.bag.id,
            e.bag.seal,
            e.bag.site,
            e.bag.room,
            e.bag.session,
            note(&e.incident)
        ),
        Event::Return(e) => format!("{} back in the room{}", bag_list(event), note(&e.incident)),
        Event::Release(e) => format!(
            "{} released to {}{}",
            bag_list(event),
            e.to,
            note(&e.incident)
        ),
        Event::Incident(e) => format!("{}: {} ({})", e.kind.as_str(), e.note, bag_list(event)),
        Event::Correct(e) => {
            let fix = match &e.fix {
                Correction::BagId(v) => format!("barcode -> {v}"),
                Correction::Seal(v) => format!("seal -> {v}"),
                Correction::Count(v) => format!("count -> {v}"),
            };
            format!("entry {} bag {}: {fix} ({})", e.seq, e.bag, e.note)
        }
    }
}

/// The bags of an event as a count and ranges: `3 bags QP-001..QP-003`.
pub fn bag_list(event: &Event) -> String {
    let ids = event.bag_ids();
    let noun = if ids.len() == 1 { "bag" } else { "bags" };
    format!("{} {noun} {}", ids.len(), ranges(&ids))
}

/// Compresses ids that share a prefix and have consecutive numbers: `A01, A02, A03, B7` becomes
/// `A01..A03, B7`.
pub fn ranges(ids: &[&str]) -> String {
    fn split(id: &str) -> (&str, Option<u64>, usize) {
        let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (prefix, num) = id.split_at(id.len() - digits);
        (prefix, num.parse().ok(), digits)
    }
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let (prefix, num, width) = split(ids[i]);
        let mut j = i;
        if let Some(n) = num {
            while j + 1 < ids.len() {
                let (p2, n2, w2) = split(ids[j + 1]);
                if p2 == prefix && w2 == width && n2 == Some(n + (j + 1 - i) as u64) {
                    j += 1;
                } else {
                    break;
                }
            }
        }
        out.push(if j > i {
            format!("{}..{}", ids[i], ids[j])
        } else {
            ids[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}

/// How many bag lines a summary shows before it counts the rest, so that its first lines fit
/// a terminal.
const BAG_LINES: usize = 8;

/// One line per bag of an event: barcode, seal, count and, for new bags, where they go.
fn bag_lines(event: &Event) -> Vec<String> {
    let spec = |b: &crate::bag::BagSpec| {
        format!(
            "{}  seal {}  {} papers  {} for {} {} {}",
            b.id, b.seal, b.count, b.kind, b.session, b.site, b.room
        )
    };
    let obs = |o: &[crate::bag::BagObs]| -> Vec<String> {
        o.iter()
            .map(|o| {
                let mut text = o.id.clone();
                if let Some(seal) = &o.seal {
                    text.push_str(&format!("  seal {seal}"));
                }
                if let Some(count) = o.count {
                    text.push_str(&format!("  {count} papers"));
                }
                text
            })
            .collect()
    };
    match event {
        Event::Collect(e) => e.bags.iter().map(spec).collect(),
        Event::Seal(e) => vec![spec(&e.bag)],
        Event::Store(e) | Event::Withdraw(e) => obs(&e.bags),
        Event::Inspect(e) => obs(&e.bags),
        Event::Dispatch(e) => obs(&e.bags),
        Event::Arrive(e) => obs(&e.bags),
        Event::Open(e) => obs(&e.bags),
        Event::Return(e) => obs(&e.bags),
        Event::Release(e) => obs(&e.bags),
        _ => Vec::new(),
    }
}

fn render(body: &Body, time_zone: &str) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: String| {
        // What a signer reads is never steered by control characters in the text it shows.
        let value: String = value
            .chars()
            .map(|c| if c.is_control() { '\u{fffd}' } else { c })
            .collect();
        out.push_str(&format!("  {label:<10} {value}\n"));
    };
    line("event", body.event.kind().to_string());
    line("what", detail(&body.event));
    if let Event::Enroll(k) = &body.event {
        if let Some(from) = k.valid_from {
            line("from", from.display_in(time_zone));
        }
        if let Some(until) = k.valid_until {
            line("until", until.display_in(time_zone));
        }
        line("key", hex(&k.public_key[..8]) + "…");
    }
    // Each bag with the seal and count the signers observed: what they vouch for.
    let bags = bag_lines(&body.event);
    let shown = if bags.len() > BAG_LINES {
        BAG_LINES - 1
    } else {
        bags.len()
    };
    for b in &bags[..shown] {
        line("bag", b.clone());
    }
    if bags.len() > shown {
        line("", format!("… and {} more bags", bags.len() - shown));
    }
    if let Event::Policy(p) = &body.event {
        line(
            "windows",
            format!(
                "open question papers {} min / answer sheets {} min before the start, late after {} min",
                p.open_question_papers_before_min,
                p.open_answer_sheets_before_min,
                p.open_late_after_min
            ),
        );
        line(
            "limits",
            format!(
                "transit {} min, hold {} min, record delay {} min, clock {} s, change delay {} min",
                p.max_transit_min,
                p.max_hold_before_session_min,
                p.max_record_delay_min,
                p.clock_tolerance_sec,
                p.change_delay_min
            ),
        );
    }
    line("time", body.event_time.display_in(time_zone));
    line("signers", body.signers.join(" + "));
    line(
        "ledger",
        format!("{} at entry {}", hex(&body.ledger_id), body.head.size),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Head;

    use crate::event::Revocation;
    use crate::time::Timestamp;

    #[test]
    fn consecutive_barcodes_become_ranges() {
        assert_eq!(
            ranges(&["QP-0001", "QP-0002", "QP-0003", "AS-7", "QP-0005"]),
            "QP-0001..QP-0003, AS-7, QP-0005"
        );
        assert_eq!(ranges(&["X", "X1", "X2"]), "X, X1..X2");
        assert_eq!(ranges(&["9", "10"]), "9, 10");
        assert_eq!(ranges(&[]), "");
    }

    #[test]
    fn the_summary_shows_what_the_bytes_say() {
        let body = Body {
            ledger_id: [0xab; 16],
            head: Head {
                size: 7,
                hash: [1; 32],
            },
            event_time: Timestamp::parse("2026-06-07T08:00", "Asia/Shanghai").unwrap(),
            nonce: [0; 16],
            signers: vec!["admin1".into(), "admin2".into()],
            event: Event::Revoke(Revocation {
                id: "esc1".into(),
                reason: "钥匙丢失".into(),
            }),
        };
        let text = summary(&body.encode().unwrap(), "Asia/Shanghai").unwrap();
        assert!(text.contains("revoke"), "{text}");
        assert!(text.contains("esc1: 钥匙丢失"), "{text}");
        assert!(text.contains("2026-06-07 08:00:00 +08:00"), "{text}");
        assert!(text.contains("admin1 + admin2"), "{text}");
        assert!(
            text.contains(&format!("{} at entry 7", hex(&[0xab; 16]))),
            "{text}"
        );
    }
}
