//! The summary each signer reads before typing a passphrase. It is rendered from the canonical
//! body bytes about to be signed, never from the command line, so what is shown is what is signed.

use crate::format::encoding::EncodingError;
use crate::format::time::Timestamp;
use crate::lang::i18n::{Lang, Msg};
use crate::lang::text::{Align, DEFAULT_WIDTH, pad, text_width, wrap};
use crate::model::bag::{BagObs, BagSpec, Correction, Destination};
use crate::model::entry::{Body, hex};
use crate::model::event::{Assignment, Event};
use crate::model::policy::{EventKind, Policy};
use crate::model::roster::Role;

/// Renders the body bytes as a short, plain-text summary: event, bags and seals, where from and
/// to, time, co-signers, ledger. `names` gives the display names of the signers known here.
/// `in_force` is the policy a policy change would replace, when the signer's side knows it: the
/// summary then shows every rule it changes, old against new; without it, every rule it sets.
pub fn summary(
    body_bytes: &[u8],
    time_zone: &str,
    names: &[(&str, &str)],
    in_force: Option<&Policy>,
    lang: Lang,
) -> Result<String, EncodingError> {
    let context = Context {
        in_force: in_force.cloned(),
        ..Context::default()
    };
    summary_in(body_bytes, time_zone, names, &context, lang)
}

/// What the ledger holds that the signers read beside the event, where the ledger is at hand.
#[derive(Debug, Default, Clone)]
pub struct Context {
    /// For each bag the event names and the ledger knows: its id, and the seal and count the
    /// ledger holds for it (corrections applied).
    pub expected: Vec<(String, String, u32)>,
    /// The rule violations the event is about to record with its incident note, in words.
    pub violations: Vec<String>,
    /// Display names of the other people the event names (escorts), as `(id, name)`.
    pub people: Vec<(String, String)>,
    /// The sessions of the bags the event names: id, subject, start and end.
    pub sessions: Vec<(String, String, Timestamp, Timestamp)>,
    /// The policy a policy change would replace: the summary then shows every rule it changes,
    /// old against new; without it, every rule it sets.
    pub in_force: Option<Policy>,
}

/// A session as people know it, by subject and time: `语文 2026-12-03 09:00–11:30 +08:00（场次
/// yuwen）`.
pub fn session_words(
    id: &str,
    subject: &str,
    start: Timestamp,
    end: Timestamp,
    zone: &str,
    lang: Lang,
) -> String {
    lang.f(
        Msg::SessionWords,
        &[
            ("id", &id),
            ("subject", &subject),
            ("span", &start.span_in(end, zone)),
        ],
    )
}

/// `吴刚 (e1)` when the name is known, else the id.
fn named(id: &str, names: &[(&str, &str)], people: &[(String, String)], lang: Lang) -> String {
    names
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, n)| *n)
        .or_else(|| {
            people
                .iter()
                .find(|(i, _)| i == id)
                .map(|(_, n)| n.as_str())
        })
        .map_or_else(
            || id.to_string(),
            |n| lang.f(Msg::NameId, &[("name", &n), ("id", &id)]),
        )
}

/// [`summary`] with what the ledger expects of each bag, a difference marked, and the
/// violations the event records.
pub fn summary_in(
    body_bytes: &[u8],
    time_zone: &str,
    names: &[(&str, &str)],
    context: &Context,
    lang: Lang,
) -> Result<String, EncodingError> {
    let body = Body::decode(body_bytes)?;
    Ok(render(&body, time_zone, names, context, lang))
}

/// A destination in words.
pub fn destination(to: &Destination, lang: Lang) -> String {
    match to {
        Destination::Room => lang.t(Msg::ConfidentialityRoom).to_string(),
        Destination::Site(s) => s.clone(),
    }
}

/// One line of detail about an event, for summaries and the log; times in `zone`.
pub fn detail(event: &Event, zone: &str, lang: Lang) -> String {
    detail_was(event, zone, lang, None)
}

/// [`detail`], with a seal or count correction shown as old -> new when `was`, the value the
/// ledger held before it, is known.
pub fn detail_was(event: &Event, zone: &str, lang: Lang, was: Option<&str>) -> String {
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
                    &join(
                        g.founders.iter().map(|f| {
                            let name = match f.key_kind {
                                None => f.name.clone(),
                                kind => {
                                    let comma = if lang == Lang::Zh { "，" } else { ", " };
                                    format!("{}{comma}{}", f.name, lang.key_kind(kind))
                                }
                            };
                            lang.f(Msg::IdName, &[("id", &f.id), ("name", &name)])
                        }),
                        lang,
                    ),
                ),
            ],
        ),
        Event::Enroll(k) => {
            let text = lang.f(
                Msg::DetailEnroll,
                &[
                    ("id", &k.id),
                    ("name", &k.name),
                    ("roles", &join(k.roles.iter().map(|r| lang.role(*r)), lang)),
                ],
            );
            // Only a declared kind is shown, so older enrolments read as before.
            match k.key_kind {
                None => text,
                kind => format!("{text}, {}", lang.key_kind(kind)),
            }
        }
        Event::Revoke(r) => lang.f(Msg::DetailRevoke, &[("id", &r.id), ("reason", &r.reason)]),
        Event::Schedule(s) => {
            lang.f(
                Msg::DetailSchedule,
                &[
                    ("session", &s.session),
                    ("subject", &s.subject),
                    ("span", &s.start.span_in(s.end, zone)),
                ],
            ) + &note(&s.incident)
        }
        Event::Policy(_) => lang.t(Msg::DetailPolicy).into(),
        Event::Collect(e) => text(Msg::DetailCollect, &[("from", &e.from)]) + &note(&e.incident),
        Event::Store(e) => text(Msg::DetailStore, &[("cabinet", &e.cabinet)]) + &note(&e.incident),
        Event::Withdraw(e) => {
            text(Msg::DetailWithdraw, &[("cabinet", &e.cabinet)]) + &note(&e.incident)
        }
        Event::Inspect(e) => {
            let seen = match &e.cabinet {
                Some(c) => text(Msg::DetailInspectCabinet, &[("cabinet", c)]),
                None => text(Msg::DetailInspect, &[]),
            };
            seen + &note(&e.incident)
        }
        Event::Dispatch(e) => {
            text(
                Msg::DetailDispatch,
                &[
                    ("to", &destination(&e.to, lang)),
                    ("escorts", &join(e.escorts.iter(), lang)),
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
        Event::Incident(e) => match &e.cabinet {
            Some(c) => lang.f(
                Msg::DetailIncidentCabinet,
                &[
                    ("kind", &lang.incident(e.kind)),
                    ("cabinet", c),
                    ("note", &e.note),
                    ("bags", &bags),
                ],
            ),
            None => lang.f(
                Msg::DetailIncident,
                &[
                    ("kind", &lang.incident(e.kind)),
                    ("note", &e.note),
                    ("bags", &bags),
                ],
            ),
        },
        Event::Reseal(e) => {
            lang.f(
                Msg::DetailReseal,
                &[
                    ("bag", &e.bag),
                    ("old", &e.old_seal),
                    ("new", &e.new_seal),
                    ("note", &e.note),
                ],
            ) + &note(&e.incident)
        }
        Event::Cabinet(e) => match &e.at {
            Destination::Room => lang.f(Msg::DetailCabinetRoom, &[("cabinet", &e.cabinet)]),
            Destination::Site(s) => lang.f(
                Msg::DetailCabinetSite,
                &[("cabinet", &e.cabinet), ("site", s)],
            ),
        },
        Event::Correct(e) => {
            let fix = match (&e.fix, was) {
                (Correction::BagId(v), _) => lang.f(Msg::FixBagId, &[("value", v)]),
                (Correction::Seal(v), Some(old)) => {
                    lang.f(Msg::FixSealWas, &[("old", &old), ("value", v)])
                }
                (Correction::Count(v), Some(old)) => {
                    lang.f(Msg::FixCountWas, &[("old", &old), ("value", v)])
                }
                (Correction::Seal(v), None) => lang.f(Msg::FixSeal, &[("value", v)]),
                (Correction::Count(v), None) => lang.f(Msg::FixCount, &[("value", v)]),
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
        Event::Assign(a) => assignment(a, zone, lang),
        Event::Grant(g) => lang.f(
            Msg::DetailGrant,
            &[("id", &g.id), ("role", &lang.role(g.role))],
        ),
        Event::Void(e) => lang.f(
            Msg::DetailVoid,
            &[("session", &e.session), ("note", &e.note)],
        ),
        Event::Postpone(e) => lang.f(
            Msg::DetailPostpone,
            &[
                ("session", &e.session),
                ("span", &e.start.span_in(e.end, zone)),
                ("note", &e.note),
            ],
        ),
        Event::Manifest(e) => lang.f(
            Msg::DetailManifest,
            &[("n", &e.rows.len()), ("sha256", &hex(&e.sha256))],
        ),
    }
}

/// An assignment in one line: who holds which post.
fn assignment(a: &Assignment, zone: &str, lang: Lang) -> String {
    let ids = |ids: &[String]| {
        if ids.is_empty() {
            lang.t(Msg::Nobody).to_string()
        } else {
            join(ids.iter(), lang)
        }
    };
    match a {
        Assignment::Site {
            session,
            site,
            chief,
            rooms,
        } => {
            let posts = chief
                .iter()
                .map(|c| lang.f(Msg::AssignChief, &[("id", c)]))
                .chain(rooms.iter().map(|r| {
                    lang.f(
                        Msg::AssignRoom,
                        &[("room", &r.room), ("ids", &ids(&r.invigilators))],
                    )
                }));
            lang.f(
                Msg::DetailAssignSite,
                &[
                    ("site", site),
                    ("session", session),
                    (
                        "posts",
                        &posts.collect::<Vec<_>>().join(lang.t(Msg::ListSeparator)),
                    ),
                ],
            )
        }
        Assignment::Duty {
            cabinet,
            from,
            until,
            custodians,
            supervisors,
        } => {
            let place = match cabinet {
                Some(c) => lang.f(Msg::DutyCabinet, &[("cabinet", c)]),
                None => lang.t(Msg::ConfidentialityRoom).to_string(),
            };
            lang.f(
                Msg::DetailAssignDuty,
                &[
                    ("place", &place),
                    ("from", &from.display_in(zone)),
                    ("until", &until.display_in(zone)),
                    ("custodians", &ids(custodians)),
                    ("supervisors", &ids(supervisors)),
                ],
            )
        }
    }
}

/// A duration of `m` minutes as people say it: `2 d`, `4 h`, `1 h 30 min`, `15 min`.
fn minutes_words(m: u64, lang: Lang) -> String {
    match m {
        m if m >= 1440 && m % 1440 == 0 => lang.f(Msg::PolicyDays, &[("n", &(m / 1440))]),
        m if m >= 60 && m % 60 == 0 => lang.f(Msg::PolicyHours, &[("n", &(m / 60))]),
        m if m > 60 => lang.f(
            Msg::PolicyHoursMinutes,
            &[("h", &(m / 60)), ("m", &(m % 60))],
        ),
        m => lang.f(Msg::PolicyMinutes, &[("n", &m)]),
    }
}

/// Every rule of a policy in the reader's words, one line each, in the order of
/// [`Policy::rules`] (which names every field): what it means, its value with durations in days,
/// hours and minutes, and the field name that `policy show --toml` and `init --policy` use.
pub fn policy_lines(p: &Policy, lang: Lang) -> Vec<String> {
    let roles = |rs: &[Role], sep: &str| {
        if rs.is_empty() {
            lang.t(Msg::PolicyNone).to_string()
        } else {
            rs.iter()
                .map(|r| lang.role(*r))
                .collect::<Vec<_>>()
                .join(sep)
        }
    };
    let list = lang.t(Msg::ListSeparator);
    let duration = |m: u32| minutes_words(u64::from(m), lang);
    let yes = |b: bool| {
        lang.t(if b { Msg::PolicyYes } else { Msg::PolicyNo })
            .to_string()
    };
    p.rules()
        .into_iter()
        .map(|(name, raw)| {
            let kind = name
                .strip_prefix("cosigners.")
                .and_then(|k| EventKind::ALL.into_iter().find(|e| e.as_str() == k));
            let (label, value) = match (kind, name.as_str()) {
                (Some(kind), _) => (
                    lang.f(Msg::PolicyCosigners, &[("event", &lang.event(kind))]),
                    p.cosigners_for(kind).map_or(raw, |sets| {
                        sets.iter()
                            .map(|set| match set.as_slice() {
                                [] => lang.t(Msg::PolicyAnyTwo).to_string(),
                                set => roles(set, " + "),
                            })
                            .collect::<Vec<_>>()
                            .join(lang.t(Msg::PolicyOr))
                    }),
                ),
                (None, "separated_roles") => (
                    lang.t(Msg::PolicySeparatedRoles).to_string(),
                    if p.separated_roles.is_empty() {
                        lang.t(Msg::PolicyNone).to_string()
                    } else {
                        p.separated_roles
                            .iter()
                            .map(|(a, b)| roles(&[*a, *b], "/"))
                            .collect::<Vec<_>>()
                            .join(list)
                    },
                ),
                (None, "tokens_required") => (
                    lang.t(Msg::PolicyTokensRequired).to_string(),
                    roles(&p.tokens_required, list),
                ),
                (None, "escort_roles") => (
                    lang.t(Msg::PolicyEscortRoles).to_string(),
                    roles(&p.escort_roles, list),
                ),
                (None, field) => {
                    let (msg, value) = match field {
                        "open_question_papers_before_min" => (
                            Msg::PolicyOpenQuestionPapers,
                            duration(p.open_question_papers_before_min),
                        ),
                        "open_answer_sheets_before_min" => (
                            Msg::PolicyOpenAnswerSheets,
                            duration(p.open_answer_sheets_before_min),
                        ),
                        "spare_papers_need_incident" => {
                            (Msg::PolicySpareIncident, yes(p.spare_papers_need_incident))
                        }
                        "open_late_after_min" => {
                            (Msg::PolicyOpenLate, duration(p.open_late_after_min))
                        }
                        "max_hold_before_session_min" => {
                            (Msg::PolicyMaxHold, duration(p.max_hold_before_session_min))
                        }
                        "max_transit_min" => (Msg::PolicyMaxTransit, duration(p.max_transit_min)),
                        "answer_sheets_back_same_day" => {
                            (Msg::PolicySameDay, yes(p.answer_sheets_back_same_day))
                        }
                        "max_record_delay_min" => {
                            (Msg::PolicyRecordDelay, duration(p.max_record_delay_min))
                        }
                        "clock_tolerance_sec" => (
                            Msg::PolicyClockTolerance,
                            match p.clock_tolerance_sec {
                                s if s % 60 == 0 => duration(s / 60),
                                s => lang.f(Msg::PolicySeconds, &[("n", &s)]),
                            },
                        ),
                        "max_head_lag" => (
                            Msg::PolicyHeadLag,
                            lang.f(Msg::PolicyEntries, &[("n", &p.max_head_lag)]),
                        ),
                        "change_delay_min" => {
                            (Msg::PolicyChangeDelay, duration(p.change_delay_min))
                        }
                        "leave_before_session_min" => {
                            (Msg::PolicyLeaveBefore, duration(p.leave_before_session_min))
                        }
                        "seal_after_session_end" => {
                            (Msg::PolicySealAfterEnd, yes(p.seal_after_session_end))
                        }
                        "max_inspection_gap_min" => (
                            Msg::PolicyInspectionGap,
                            match p.max_inspection_gap_min {
                                0 => lang.t(Msg::PolicyOff).to_string(),
                                m => duration(m),
                            },
                        ),
                        "approved_senders" => (
                            Msg::PolicyApprovedSenders,
                            if p.approved_senders.is_empty() {
                                lang.t(Msg::PolicyAnySender).to_string()
                            } else {
                                p.approved_senders.join(lang.t(Msg::PolicyListSeparator))
                            },
                        ),
                        // A rule added later shows by its field name until it has words.
                        _ => {
                            return lang.f(
                                Msg::PolicyLine,
                                &[("label", &name), ("value", &raw), ("name", &name)],
                            );
                        }
                    };
                    (lang.t(msg).to_string(), value)
                }
            };
            lang.f(
                Msg::PolicyLine,
                &[("label", &label), ("value", &value), ("name", &name)],
            )
        })
        .collect()
}

/// A list in the reader's way: `a, b` or `甲、乙`.
fn join<S: AsRef<str>>(items: impl Iterator<Item = S>, lang: Lang) -> String {
    items
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(lang.t(Msg::ListJoin))
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

/// One line per bag of an event: barcode, seal, count and, for new bags, where they go; for a
/// bag the ledger knows, the seal and count it holds, and a mark where they differ.
fn bag_lines(event: &Event, context: &Context, lang: Lang) -> Vec<String> {
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
                if let Some((_, seal, count)) = context.expected.iter().find(|e| e.0 == o.id) {
                    text.push_str("  ");
                    text.push_str(
                        &lang.f(Msg::SummaryExpected, &[("seal", seal), ("count", count)]),
                    );
                    if o.seal.as_ref().is_some_and(|s| s != seal)
                        || o.count.is_some_and(|c| c != *count)
                    {
                        text.push_str(lang.t(Msg::SummaryDiffers));
                    }
                }
                text
            })
            .collect()
    };
    match event {
        Event::Collect(e) => e.bags.iter().map(spec).collect(),
        Event::Seal(e) => vec![spec(&e.bag)],
        // The printer's list: what its signers vouch was imported, row by row.
        Event::Manifest(e) => e
            .rows
            .iter()
            .map(|r| {
                lang.f(
                    Msg::SummaryListedRow,
                    &[
                        ("id", &r.bag),
                        ("seal", &r.seal),
                        ("count", &r.count),
                        ("session", &r.session),
                        ("site", &r.site),
                        ("room", &r.room),
                    ],
                )
            })
            .collect(),
        other => other.observations().map(obs).unwrap_or_default(),
    }
}

/// The seal numbers an event states, as ranges, in the order of its bags.
fn seal_ranges(event: &Event) -> String {
    let seals: Vec<&str> = match event {
        Event::Collect(e) => e.bags.iter().map(|b| b.seal.as_str()).collect(),
        Event::Seal(e) => vec![e.bag.seal.as_str()],
        Event::Manifest(e) => e.rows.iter().map(|r| r.seal.as_str()).collect(),
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

fn render(
    body: &Body,
    time_zone: &str,
    names: &[(&str, &str)],
    context: &Context,
    lang: Lang,
) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: String| {
        // What a signer reads is never steered or reordered by the text it shows.
        let value = crate::format::printable::neutralise_line(&value).into_owned();
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
            Lang::Zh => format!("{}（{kind}）", lang.event(kind)),
        },
    );
    line(
        lang.t(Msg::SummaryWhat),
        detail(&body.event, time_zone, lang),
    );
    if let Event::Dispatch(d) = &body.event {
        let escorts: Vec<String> = d
            .escorts
            .iter()
            .map(|id| named(id, names, &context.people, lang))
            .collect();
        line(
            lang.t(Msg::SummaryEscorts),
            escorts.join(lang.t(Msg::ListSeparator)),
        );
    }
    for (id, subject, start, end) in &context.sessions {
        line(
            lang.t(Msg::SummarySession),
            session_words(id, subject, *start, *end, time_zone, lang),
        );
    }
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
    let bags = bag_lines(&body.event, context, lang);
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
    for v in &context.violations {
        line(lang.t(Msg::SummaryViolation), v.clone());
    }
    // Each founder reads the whole genesis policy before signing it.
    if let Event::Genesis(g) = &body.event {
        for rule in policy_lines(&g.policy, lang) {
            line(lang.t(Msg::SummaryRule), rule);
        }
    }
    if let Event::Policy(p) = &body.event {
        match context.in_force.as_ref() {
            Some(old) => {
                let changes = old.changes(p);
                if changes.is_empty() {
                    line(
                        lang.t(Msg::SummaryChange),
                        lang.t(Msg::SummaryNoChange).into(),
                    );
                }
                for change in changes {
                    line(lang.t(Msg::SummaryChange), change);
                }
            }
            None => {
                for (name, value) in p.rules() {
                    line(lang.t(Msg::SummaryRule), format!("{name}: {value}"));
                }
            }
        }
    }
    line(
        lang.t(Msg::SummaryTime),
        body.event_time.display_in(time_zone),
    );
    let signers: Vec<String> = body
        .signers
        .iter()
        .map(|id| named(id, names, &[], lang))
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
    fn every_rule_of_the_policy_has_words_in_both_languages() {
        let p = Policy::default();
        for lang in Lang::ALL {
            let lines = policy_lines(&p, lang);
            assert_eq!(lines.len(), p.rules().len());
            for (line, (name, _)) in lines.iter().zip(p.rules()) {
                // The label is never the field name itself (the fallback for a rule without words).
                assert!(!line.starts_with(&name), "{lang:?}: {line}");
                if lang == Lang::Zh {
                    assert!(
                        line.contains('：') && line.ends_with(&format!("（{name}）")),
                        "{line}"
                    );
                }
            }
        }
        assert_eq!(minutes_words(2880, Lang::En), "2 d");
        assert_eq!(minutes_words(90, Lang::Zh), "1 小时 30 分钟");
        assert_eq!(minutes_words(240, Lang::En), "4 h");
        assert_eq!(minutes_words(15, Lang::En), "15 min");
    }

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
        let text = summary(
            &bytes,
            "Asia/Shanghai",
            &[("admin1", "王丽")],
            None,
            Lang::En,
        )
        .unwrap();
        assert!(text.contains("revoke"), "{text}");
        assert!(text.contains("esc1: 钥匙丢失"), "{text}");
        assert!(text.contains("2026-06-07 08:00:00 +08:00"), "{text}");
        assert!(text.contains("王丽 (admin1) + admin2"), "{text}");
        assert!(
            text.contains(&format!("{} at entry 7", hex(&[0xab; 16]))),
            "{text}"
        );
        let zh = summary(&bytes, "Asia/Shanghai", &[], None, Lang::Zh).unwrap();
        assert!(zh.contains("吊销密钥（revoke）"), "{zh}");
        assert!(zh.contains("签名人"), "{zh}");
        assert!(zh.contains("签名时共 7 条"), "{zh}");
    }
}
