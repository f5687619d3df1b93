//! The summary each signer reads before typing a passphrase. It is rendered from the canonical
//! body bytes about to be signed, never from the command line, so what is shown is what is signed.

use crate::format::encoding::EncodingError;
use crate::lang::i18n::{Lang, Msg};
use crate::lang::text::{Align, DEFAULT_WIDTH, pad, text_width, wrap};
use crate::model::bag::{BagObs, BagSpec, Correction, Destination};
use crate::model::entry::{Body, hex};
use crate::model::event::Event;

/// Renders the body bytes as a short, plain-text summary: event, bags and seals, where from and
/// to, time, co-signers, ledger. `names` gives the display names of the signers known here.
pub fn summary(
    body_bytes: &[u8],
    time_zone: &str,
    names: &[(&str, &str)],
    lang: Lang,
) -> Result<String, EncodingError> {
    let body = Body::decode(body_bytes)?;
    Ok(render(&body, time_zone, names, lang))
}

/// A destination in words.
pub fn destination(to: &Destination, lang: Lang) -> String {
    match to {
        Destination::Room => lang.t(Msg::ConfidentialityRoom).to_string(),
        Destination::Site(s) => s.clone(),
    }
}

/// One line of detail about an event, for summaries and the log.
pub fn detail(event: &Event, lang: Lang) -> String {
    let note = |n: &Option<String>| {
        n.as_ref()
            .map(|n| lang.f(Msg::IncidentSuffix, &[("note", n)]))
            .unwrap_or_default()
    };
    let bags = bag_list(event, lang);
    let text = |msg, args: &[(&str, &dyn std::fmt::Display)]| {
        let mut all: Vec<(&str, &dyn std::fmt::Display)> = vec![("bags", &bags)];
        all.extend_from_slice(args);
        lang.f(msg, &all)
    };
    match event {
        Event::Genesis(g) => lang.f(
            Msg::DetailGenesis,
            &[
                ("exam", &g.exam),
                ("zone", &g.time_zone),
                (
                    "founders",
                    &join(g.founders.iter().map(|f| format!("{} ({})", f.id, f.name))),
                ),
            ],
        ),
        Event::Enroll(k) => lang.f(
            Msg::DetailEnroll,
            &[
                ("id", &k.id),
                ("name", &k.name),
                ("roles", &join(k.roles.iter().map(|r| lang.role(*r)))),
            ],
        ),
        Event::Revoke(r) => format!("{}: {}", r.id, r.reason),
        Event::Schedule(s) => {
            lang.f(
                Msg::DetailSchedule,
                &[
                    ("session", &s.session),
                    ("subject", &s.subject),
                    ("start", &s.start),
                    ("end", &s.end),
                ],
            ) + &note(&s.incident)
        }
        Event::Policy(_) => lang.t(Msg::DetailPolicy).into(),
        Event::Collect(e) => text(Msg::DetailCollect, &[("from", &e.from)]) + &note(&e.incident),
        Event::Store(e) => text(Msg::DetailStore, &[("cabinet", &e.cabinet)]) + &note(&e.incident),
        Event::Withdraw(e) => {
            text(Msg::DetailWithdraw, &[("cabinet", &e.cabinet)]) + &note(&e.incident)
        }
        Event::Inspect(e) => text(Msg::DetailInspect, &[]) + &note(&e.incident),
        Event::Dispatch(e) => {
            text(
                Msg::DetailDispatch,
                &[
                    ("to", &destination(&e.to, lang)),
                    ("escorts", &e.escorts.join(", ")),
                ],
            ) + &note(&e.incident)
        }
        Event::Arrive(e) => text(Msg::DetailArrive, &[("site", &e.site)]) + &note(&e.incident),
        Event::Handover(e) => {
            text(
                Msg::DetailHandover,
                &[("from", &e.from.join(", ")), ("to", &e.to.join(", "))],
            ) + &note(&e.incident)
        }
        Event::Open(e) => {
            text(Msg::DetailOpen, &[("site", &e.site), ("room", &e.room)]) + &note(&e.incident)
        }
        Event::Seal(e) => {
            lang.f(
                Msg::DetailSeal,
                &[
                    ("count", &e.bag.count),
                    ("bag", &e.bag.id),
                    ("seal", &e.bag.seal),
                    ("site", &e.bag.site),
                    ("room", &e.bag.room),
                    ("session", &e.bag.session),
                ],
            ) + &note(&e.incident)
        }
        Event::Return(e) => text(Msg::DetailReturn, &[]) + &note(&e.incident),
        Event::Release(e) => text(Msg::DetailRelease, &[("to", &e.to)]) + &note(&e.incident),
        Event::Incident(e) => format!("{}: {} ({bags})", lang.incident(e.kind), e.note),
        Event::Correct(e) => {
            let fix = match &e.fix {
                Correction::BagId(v) => lang.f(Msg::FixBagId, &[("value", v)]),
                Correction::Seal(v) => lang.f(Msg::FixSeal, &[("value", v)]),
                Correction::Count(v) => lang.f(Msg::FixCount, &[("value", v)]),
            };
            lang.f(
                Msg::DetailCorrect,
                &[
                    ("seq", &e.seq),
                    ("bag", &e.bag),
                    ("fix", &fix),
                    ("note", &e.note),
                ],
            )
        }
    }
}

fn join<S: AsRef<str>>(items: impl Iterator<Item = S>) -> String {
    items
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The bags of an event as a count and ranges: `3 bags QP-001..QP-003`.
pub fn bag_list(event: &Event, lang: Lang) -> String {
    let ids = event.bag_ids();
    let msg = if ids.len() == 1 {
        Msg::BagsOne
    } else {
        Msg::BagsMany
    };
    lang.f(msg, &[("n", &ids.len()), ("ids", &ranges(&ids))])
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
fn bag_lines(event: &Event, lang: Lang) -> Vec<String> {
    let spec = |b: &BagSpec| {
        lang.f(
            Msg::SummaryBagSpec,
            &[
                ("id", &b.id),
                ("seal", &b.seal),
                ("count", &b.count),
                ("kind", &crate::lang::i18n::kind_label(b.kind, lang)),
                ("session", &b.session),
                ("site", &b.site),
                ("room", &b.room),
            ],
        )
    };
    let obs = |o: &[BagObs]| -> Vec<String> {
        o.iter()
            .map(|o| {
                let mut text = o.id.clone();
                if let Some(seal) = &o.seal {
                    text.push_str("  ");
                    text.push_str(&lang.f(Msg::SummarySeal, &[("seal", seal)]));
                }
                if let Some(count) = o.count {
                    text.push_str("  ");
                    text.push_str(&lang.f(Msg::SummaryPapers, &[("count", &count)]));
                }
                text
            })
            .collect()
    };
    match event {
        Event::Collect(e) => e.bags.iter().map(spec).collect(),
        Event::Seal(e) => vec![spec(&e.bag)],
        other => other.observations().map(obs).unwrap_or_default(),
    }
}

/// The seal numbers an event states, as ranges, in the order of its bags.
fn seal_ranges(event: &Event) -> String {
    let seals: Vec<&str> = match event {
        Event::Collect(e) => e.bags.iter().map(|b| b.seal.as_str()).collect(),
        Event::Seal(e) => vec![e.bag.seal.as_str()],
        other => other
            .observations()
            .unwrap_or_default()
            .iter()
            .filter_map(|b| b.seal.as_deref())
            .collect(),
    };
    ranges(&seals)
}

/// Summary labels are padded to this display width (a Chinese label is two columns a character).
const LABEL: usize = 10;

fn render(body: &Body, time_zone: &str, names: &[(&str, &str)], lang: Lang) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: String| {
        // What a signer reads is never steered by control characters in the text it shows.
        let value: String = value
            .chars()
            .map(|c| if c.is_control() { '\u{fffd}' } else { c })
            .collect();
        // Long values wrap under their label, so that every line fits an 80-column terminal
        // and nothing signed is cut off.
        let mut head = format!("  {} ", pad(label, LABEL, Align::Left));
        let room = DEFAULT_WIDTH - LABEL - 3;
        let parts = if text_width(&value) <= room {
            vec![value]
        } else {
            wrap(&value, room)
        };
        for part in parts {
            out.push_str(&head);
            out.push_str(&part);
            out.push('\n');
            head = " ".repeat(LABEL + 3);
        }
    };
    let kind = body.event.kind();
    line(
        lang.t(Msg::SummaryEvent),
        match lang {
            Lang::En => kind.to_string(),
            Lang::Zh => format!("{} ({kind})", lang.event(kind)),
        },
    );
    line(lang.t(Msg::SummaryWhat), detail(&body.event, lang));
    if let Event::Enroll(k) = &body.event {
        if let Some(from) = k.valid_from {
            line(lang.t(Msg::SummaryFrom), from.display_in(time_zone));
        }
        if let Some(until) = k.valid_until {
            line(lang.t(Msg::SummaryUntil), until.display_in(time_zone));
        }
        line(lang.t(Msg::SummaryKey), hex(&k.public_key[..8]) + "…");
    }
    let seals = seal_ranges(&body.event);
    if !seals.is_empty() {
        line(lang.t(Msg::SummarySeals), seals);
    }
    // Each bag with the seal and count the signers observed: what they vouch for.
    let bags = bag_lines(&body.event, lang);
    let shown = if bags.len() > BAG_LINES {
        BAG_LINES - 1
    } else {
        bags.len()
    };
    for b in &bags[..shown] {
        line(lang.t(Msg::SummaryBag), b.clone());
    }
    if bags.len() > shown {
        line(
            "",
            lang.f(Msg::SummaryMoreBags, &[("n", &(bags.len() - shown))]),
        );
    }
    if let Event::Policy(p) = &body.event {
        line(
            lang.t(Msg::SummaryWindows),
            lang.f(
                Msg::SummaryPolicyWindows,
                &[
                    ("qp", &p.open_question_papers_before_min),
                    ("as", &p.open_answer_sheets_before_min),
                    ("late", &p.open_late_after_min),
                ],
            ),
        );
        line(
            lang.t(Msg::SummaryLimits),
            lang.f(
                Msg::SummaryPolicyLimits,
                &[
                    ("transit", &p.max_transit_min),
                    ("hold", &p.max_hold_before_session_min),
                    ("record", &p.max_record_delay_min),
                    ("clock", &p.clock_tolerance_sec),
                    ("change", &p.change_delay_min),
                ],
            ),
        );
    }
    line(
        lang.t(Msg::SummaryTime),
        body.event_time.display_in(time_zone),
    );
    let signers: Vec<String> = body
        .signers
        .iter()
        .map(|id| match names.iter().find(|(i, _)| i == id) {
            Some((_, name)) => format!("{name} ({id})"),
            None => id.clone(),
        })
        .collect();
    line(lang.t(Msg::SummarySigners), signers.join(" + "));
    line(
        lang.t(Msg::SummaryLedger),
        lang.f(
            Msg::SummaryLedgerAt,
            &[("id", &hex(&body.ledger_id)), ("size", &body.head.size)],
        ),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::entry::Head;

    use crate::format::time::Timestamp;
    use crate::model::event::Revocation;

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
        let bytes = body.encode().unwrap();
        let text = summary(&bytes, "Asia/Shanghai", &[("admin1", "王丽")], Lang::En).unwrap();
        assert!(text.contains("revoke"), "{text}");
        assert!(text.contains("esc1: 钥匙丢失"), "{text}");
        assert!(text.contains("2026-06-07 08:00:00 +08:00"), "{text}");
        assert!(text.contains("王丽 (admin1) + admin2"), "{text}");
        assert!(
            text.contains(&format!("{} at entry 7", hex(&[0xab; 16]))),
            "{text}"
        );
        let zh = summary(&bytes, "Asia/Shanghai", &[], Lang::Zh).unwrap();
        assert!(zh.contains("吊销密钥 (revoke)"), "{zh}");
        assert!(zh.contains("签名人"), "{zh}");
        assert!(zh.contains("签名时共 7 条"), "{zh}");
    }
}
