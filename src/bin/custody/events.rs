//! Building events from the command line: schedule, policy, and every custody event, recorded
//! at once (`record`) or prepared as a draft (`draft`).

use crate::bags::{self, BagRow};
use crate::cli::{
    DraftArgs, EventCmd, EventCommon, PolicyCmd, PolicySetArgs, ReadArgs, ScheduleArgs, SignArgs,
};
use crate::fail::{Fail, input};
use custody::bag::{BagKind, BagObs, BagSpec, Correction, Destination};
use custody::draft::Draft;
use custody::event::{
    Arrive, Cabinet, CabinetPlace, Collect, Correct, Dispatch, Event, Handover, Incident, Inspect,
    Open, Release, Reseal, Return, Schedule, Seal,
};
use custody::i18n::Msg;
use custody::ledger::{self, Peek};
use custody::policy::Policy;
use custody::time::Timestamp;
use std::path::Path;

fn time(text: &str, flag: &str, zone: &str) -> Result<Timestamp, Fail> {
    Timestamp::parse(text, zone).map_err(|e| input(format!("{flag}: {e}")))
}

/// `custody schedule`.
pub fn schedule(dir: &Path, a: ScheduleArgs) -> Result<u8, Fail> {
    crate::record(dir, &a.sign, |peek| {
        Ok(Event::Schedule(Schedule {
            session: a.session.clone(),
            subject: a.subject.clone(),
            start: time(&a.start, "--start", &peek.time_zone)?,
            end: time(&a.end, "--end", &peek.time_zone)?,
            incident: a.incident.clone(),
        }))
    })
}

/// `custody policy show` and `custody policy set`.
pub fn policy(dir: &Path, cmd: PolicyCmd) -> Result<u8, Fail> {
    match cmd {
        PolicyCmd::Show(a) => show_policy(dir, &a),
        PolicyCmd::Set(a) => set_policy(dir, a),
    }
}

/// The ledger's state read from the journal alone, the time of its last entry, and the policy in
/// force then: what `policy show` prints and what a policy change is compared with.
fn in_force(
    dir: &Path,
) -> Result<
    (
        custody::audit::verify::Report,
        custody::state::State<impl custody::state::Kv>,
        Timestamp,
        std::sync::Arc<Policy>,
    ),
    Fail,
> {
    let path = ledger::journal_path(dir)?;
    let (report, state) = custody::audit::verify::replay(&path)?;
    crate::views::readable(&report)?;
    let now = report.last_recorded.unwrap_or_else(Timestamp::now);
    let policy = state
        .policy_at(now)
        .map_err(|e| Fail::from(ledger::LedgerError::from(e)))?
        .unwrap_or_default();
    Ok((report, state, now, policy))
}

/// The policy a policy change would replace, for its summary; `None` for any other event.
pub(crate) fn replaced_policy(dir: &Path, event: &Event) -> Result<Option<Policy>, Fail> {
    match event {
        Event::Policy(_) => Ok(Some((*in_force(dir)?.3).clone())),
        _ => Ok(None),
    }
}

fn show_policy(dir: &Path, a: &ReadArgs) -> Result<u8, Fail> {
    let (report, state, now, in_force) = in_force(dir)?;
    let map = |e: custody::state::StoreError| Fail::from(ledger::LedgerError::from(e));
    let pending = state.pending_policies().map_err(map)?;
    let zone = report.time_zone.unwrap_or_else(|| "UTC".into());
    if a.json {
        let pending: Vec<_> = pending
            .iter()
            .filter(|p| p.active_from > now)
            .map(|p| serde_json::json!({"seq": p.seq, "active_from": p.active_from.to_rfc3339(), "policy": p.policy}))
            .collect();
        outln!(
            "{}",
            serde_json::json!({"policy": *in_force, "pending": pending})
        );
        return Ok(0);
    }
    let text =
        toml::to_string(&*in_force).map_err(|e| input(format!("cannot print the policy: {e}")))?;
    if !a.toml {
        outln!("{}", crate::lang().t(Msg::PolicyInForce));
    }
    out!("{text}");
    for p in pending.iter().filter(|p| p.active_from > now) {
        eprintln!(
            "{}",
            crate::lang().f(
                Msg::PolicyPending,
                &[("seq", &p.seq), ("at", &p.active_from.display_in(&zone))]
            )
        );
    }
    Ok(0)
}

fn set_policy(dir: &Path, a: PolicySetArgs) -> Result<u8, Fail> {
    let policy = read_policy(&a.file)?;
    crate::record(dir, &a.sign, |_| Ok(Event::Policy(policy.clone())))
}

/// A policy file (TOML, as `policy show --toml` prints it), checked to be one that can be put in
/// force: for `policy set` and `init --policy`.
pub fn read_policy(path: &Path) -> Result<Policy, Fail> {
    let name = path.display().to_string();
    let bytes = bags::read_capped(path, 1 << 20, "a policy file")?;
    let text = String::from_utf8(bytes).map_err(|_| input(format!("{name}: not UTF-8 text")))?;
    let policy: Policy = toml::from_str(&text).map_err(|e| input(format!("{name}: {e}")))?;
    let problems = policy.problems();
    if !problems.is_empty() {
        return Err(input(format!("{name}: {}", problems.join("; "))));
    }
    Ok(policy)
}

fn obs(rows: Vec<BagRow>, seal_required: bool) -> Result<Vec<BagObs>, Fail> {
    rows.into_iter()
        .map(|r| {
            if seal_required && r.seal.is_none() {
                return Err(input(format!(
                    "bag {}: give the seal number you see on the bag (--bag {}:SEAL); this event checks seals",
                    r.id, r.id
                )));
            }
            Ok(BagObs {
                id: r.id,
                seal: r.seal,
                count: r.count,
            })
        })
        .collect()
}

fn required(
    value: Option<String>,
    fallback: &Option<String>,
    what: &str,
    id: &str,
) -> Result<String, Fail> {
    value.or_else(|| fallback.clone()).ok_or_else(|| {
        input(format!(
            "bag {id}: no {what}; give --{what} or a {what} column in the manifest"
        ))
    })
}

fn spec(
    row: BagRow,
    kind: BagKind,
    session: String,
    site: String,
    room: String,
) -> Result<BagSpec, Fail> {
    let seal = row.seal.ok_or_else(|| {
        input(format!(
            "bag {}: give its seal number (--bag {}:SEAL:COUNT)",
            row.id, row.id
        ))
    })?;
    let count = row.count.ok_or_else(|| {
        input(format!(
            "bag {}: give its paper count (--bag {}:SEAL:COUNT)",
            row.id, row.id
        ))
    })?;
    Ok(BagSpec {
        id: row.id,
        kind,
        session,
        site,
        room,
        seal,
        count,
    })
}

/// Builds an event once the ledger's head and zone are known.
type MakeEvent = Box<dyn FnOnce(&Peek) -> Result<Event, Fail>>;

/// The event and the signing flags of a custody subcommand.
fn build(cmd: EventCmd) -> Result<(MakeEvent, SignArgs), Fail> {
    fn common(
        c: EventCommon,
        seal_required: bool,
    ) -> Result<(Vec<BagObs>, Option<String>, SignArgs), Fail> {
        let bags = obs(bags::read(&c.bags)?, seal_required)?;
        Ok((bags, c.incident, c.sign))
    }
    Ok(match cmd {
        EventCmd::Collect(a) => {
            let rows = bags::read(&a.common.bags)?;
            let mut specs = Vec::new();
            for row in rows {
                let id = row.id.clone();
                let kind = required(row.kind.clone(), &a.kind, "kind", &id)?
                    .parse::<BagKind>()
                    .map_err(|e| input(format!("bag {id}: {e}")))?;
                if kind == BagKind::CompletedAnswerSheets {
                    return Err(input(format!(
                        "bag {id}: completed answer sheets are made by `record seal`"
                    )));
                }
                let session = required(row.session.clone(), &a.session, "session", &id)?;
                let site = required(row.site.clone(), &a.site, "site", &id)?;
                let room = required(row.room.clone(), &a.room, "room", &id)?;
                specs.push(spec(row, kind, session, site, room)?);
            }
            // The ledger keeps what the signers read: the default in their language.
            let from = a
                .from
                .unwrap_or_else(|| crate::lang().t(Msg::DefaultFrom).to_string());
            let incident = a.common.incident;
            (
                Box::new(move |_| {
                    Ok(Event::Collect(Collect {
                        bags: specs,
                        from,
                        incident,
                    }))
                }),
                a.common.sign,
            )
        }
        EventCmd::Store(a) | EventCmd::Withdraw(a) if a.cabinet.trim().is_empty() => {
            return Err(input("--cabinet is empty"));
        }
        EventCmd::Store(a) => {
            let cabinet = a.cabinet;
            let (bags, incident, sign) = common(a.common, false)?;
            (
                Box::new(move |_| {
                    Ok(Event::Store(Cabinet {
                        bags,
                        cabinet,
                        incident,
                    }))
                }),
                sign,
            )
        }
        EventCmd::Withdraw(a) => {
            let cabinet = a.cabinet;
            let (bags, incident, sign) = common(a.common, false)?;
            (
                Box::new(move |_| {
                    Ok(Event::Withdraw(Cabinet {
                        bags,
                        cabinet,
                        incident,
                    }))
                }),
                sign,
            )
        }
        EventCmd::Inspect(a) => {
            let cabinet = a.cabinet;
            let (bags, incident, sign) = common(a.common, true)?;
            (
                Box::new(move |_| {
                    Ok(Event::Inspect(Inspect {
                        bags,
                        incident,
                        cabinet,
                    }))
                }),
                sign,
            )
        }
        EventCmd::Dispatch(a) => {
            let to = match a.to {
                Some(site) => Destination::Site(site),
                None => Destination::Room,
            };
            let escorts = a.escorts;
            let (bags, incident, sign) = common(a.common, false)?;
            (
                Box::new(move |_| {
                    Ok(Event::Dispatch(Dispatch {
                        bags,
                        to,
                        escorts,
                        incident,
                    }))
                }),
                sign,
            )
        }
        EventCmd::Arrive(a) => {
            let site = a.site;
            let (bags, incident, sign) = common(a.common, true)?;
            (
                Box::new(move |_| {
                    Ok(Event::Arrive(Arrive {
                        bags,
                        site,
                        incident,
                    }))
                }),
                sign,
            )
        }
        EventCmd::Open(a) => {
            let (site, room) = (a.site, a.room);
            let (bags, incident, sign) = common(a.common, true)?;
            // The papers are counted as the bag is opened: a short count is how a paper taken
            // from the envelope in storage shows up.
            if let Some(b) = bags.iter().find(|b| b.count.is_none()) {
                return Err(input(format!(
                    "bag {}: give the papers you count as it is opened (--bag {}:SEAL:COUNT)",
                    b.id, b.id
                )));
            }
            (
                Box::new(move |_| {
                    Ok(Event::Open(Open {
                        bags,
                        site,
                        room,
                        incident,
                    }))
                }),
                sign,
            )
        }
        EventCmd::Seal(a) => {
            let mut rows = bags::read(&a.common.bags)?;
            if rows.len() != 1 {
                return Err(input(
                    "seal makes one answer-sheet bag: give exactly one --bag ID:SEAL:COUNT",
                ));
            }
            let bag = spec(
                rows.remove(0),
                BagKind::CompletedAnswerSheets,
                a.session,
                a.site,
                a.room,
            )?;
            let incident = a.common.incident;
            (
                Box::new(move |_| Ok(Event::Seal(Seal { bag, incident }))),
                a.common.sign,
            )
        }
        EventCmd::Return(a) => {
            let (bags, incident, sign) = common(a.common, true)?;
            (
                Box::new(move |_| Ok(Event::Return(Return { bags, incident }))),
                sign,
            )
        }
        EventCmd::Handover(a) => {
            let (from, to) = (a.from, a.to);
            let (bags, incident, sign) = common(a.common, true)?;
            (
                Box::new(move |_| {
                    Ok(Event::Handover(Handover {
                        bags,
                        from,
                        to,
                        incident,
                    }))
                }),
                sign,
            )
        }
        EventCmd::Release(a) => {
            let to = a.to;
            let (bags, incident, sign) = common(a.common, false)?;
            (
                Box::new(move |_| Ok(Event::Release(Release { bags, to, incident }))),
                sign,
            )
        }
        EventCmd::Incident(a) => {
            let kind = a.kind.parse().map_err(input)?;
            if a.note.trim().is_empty() {
                return Err(input("--note is empty: say what happened"));
            }
            let cabinet = a.cabinet;
            // An incident on a cabinet concerns every bag inside: naming them is optional.
            let named =
                !a.bags.bags.is_empty() || a.bags.manifest.is_some() || a.bags.bags_from.is_some();
            let bags = if cabinet.is_some() && !named {
                Vec::new()
            } else {
                bags::read(&a.bags)?.into_iter().map(|r| r.id).collect()
            };
            let note = a.note;
            (
                Box::new(move |_| {
                    Ok(Event::Incident(Incident {
                        bags,
                        kind,
                        note,
                        cabinet,
                    }))
                }),
                a.sign,
            )
        }
        EventCmd::Correct(a) => {
            let fix = match (a.barcode, a.seal, a.count) {
                (Some(b), None, None) => Correction::BagId(b),
                (None, Some(s), None) => Correction::Seal(s),
                (None, None, Some(c)) => Correction::Count(c),
                _ => return Err(input("give exactly one of --barcode, --seal or --count")),
            };
            if a.note.trim().is_empty() {
                return Err(input("--note is empty: say what was mistyped"));
            }
            let (seq, bag, note) = (a.entry, a.bag, a.note);
            (
                Box::new(move |_| {
                    Ok(Event::Correct(Correct {
                        seq,
                        bag,
                        fix,
                        note,
                    }))
                }),
                a.sign,
            )
        }
        EventCmd::Reseal(a) => {
            let (bag, old_seal, new_seal, note, incident) =
                (a.bag, a.old_seal, a.new_seal, a.note, a.incident);
            (
                Box::new(move |_| {
                    Ok(Event::Reseal(Reseal {
                        bag,
                        old_seal,
                        new_seal,
                        note,
                        incident,
                    }))
                }),
                a.sign,
            )
        }
        EventCmd::Cabinet(a) => {
            let at = match a.site {
                Some(site) => Destination::Site(site),
                None => Destination::Room,
            };
            let cabinet = a.cabinet;
            (
                Box::new(move |_| Ok(Event::Cabinet(CabinetPlace { cabinet, at }))),
                a.sign,
            )
        }
    })
}

/// `custody record <event>`.
pub fn record_event(dir: &Path, cmd: EventCmd) -> Result<u8, Fail> {
    let (make, sign) = build(cmd)?;
    crate::record(dir, &sign, make)
}

/// `custody draft <event> --cosigner A --cosigner B --out FILE`.
pub fn draft(dir: &Path, a: DraftArgs) -> Result<u8, Fail> {
    let out = a
        .out
        .ok_or_else(|| input("give --out FILE: where to write the draft"))?;
    let (make, sign) = build(a.event)?;
    if !sign.keys.is_empty() || !sign.pass_files.is_empty() {
        return Err(input(
            "a draft is not signed where it is prepared: name the co-signers with --cosigner ID, and each runs custody cosign",
        ));
    }
    crate::fail::fresh(&out)?;
    let peek = ledger::peek(dir)?;
    let problems = custody::rules::judge::signer_list_problems(peek.head.size, &a.cosigners);
    if !problems.is_empty() {
        return Err(crate::fail::refused(&problems));
    }
    let event = make(&peek)?;
    let time = crate::event_time(sign.at.as_deref(), &peek.time_zone)?;
    let body = ledger::prepare(&peek, event, time, a.cosigners);
    let body_bytes = body
        .encode()
        .map_err(|e| input(format!("the event cannot be encoded: {e}")))?;
    // A draft is never a policy change: nothing to compare.
    let text = custody::summary::summary(&body_bytes, &peek.time_zone, &[], None, crate::lang())
        .map_err(|e| input(format!("cannot render the event: {e}")))?;
    Draft::new(body_bytes)
        .and_then(|d| d.write_new(&out))
        .map_err(|e| input(e.to_string()))?;
    eprint!("{text}");
    let lang = crate::lang();
    outln!(
        "{}",
        lang.f(
            Msg::DraftWritten,
            &[("path", &out.display()), ("ids", &body.signers.join(" + "))]
        )
    );
    // The whole next commands, so that nobody signs without the roster that shows names.
    outln!("{}", lang.t(Msg::DraftNext));
    for id in &body.signers {
        outln!(
            "{}",
            lang.f(
                Msg::DraftNextCosign,
                &[("id", id), ("path", &out.display())]
            )
        );
    }
    outln!(
        "{}",
        lang.f(Msg::DraftNextSubmit, &[("path", &out.display())])
    );
    Ok(0)
}
