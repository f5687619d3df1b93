//! Drafts co-signed on separate machines, and the roster file those machines use.
//!
//! `cosign` needs no ledger: with `--roster` it checks names, roles, keys and the signatures
//! already in the draft against the exported roster. `submit` appends a complete draft under the
//! writer lock; the ledger's judge checks everything again against the state at submission.
//! `roster` reads the journal alone (no lock, no index), like `log` and `verify`.

use crate::cli::{CosignArgs, RosterArgs, SubmitArgs};
use crate::fail::{EXIT_INPUT, EXIT_REFUSED, EXIT_STORAGE, Fail, input, refused};
use custody::draft::{Draft, DraftError, RosterEntry, RosterFile};
use custody::entry::Head;
use custody::entry::{Body, CoSignature, hex};
use custody::finding::Code;
use custody::i18n::Msg;
use custody::ledger::{Ledger, LedgerError, journal_path};
use custody::roster::Role;
use custody::signing::{sign_body, verify_body};
use custody::state::KeyholderRecord;
use custody::summary::summary;
use custody::token::{PersonalKey, read_personal_key};
use std::io::ErrorKind;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

fn fail(code: u8, message: impl Into<String>, hint: Option<&str>) -> Fail {
    Fail {
        code,
        message: message.into(),
        hint: hint.map(str::to_string),
    }
}

/// A refusal (exit 3) that nothing was written for.
fn refuse(message: impl Into<String>, hint: &str) -> Fail {
    fail(
        EXIT_REFUSED,
        crate::lang().f(Msg::DraftRefused, &[("text", &message.into())]),
        Some(hint),
    )
}

/// A draft or roster file that cannot be used: bad input (exit 2), except a store failure.
fn read_fail(e: DraftError) -> Fail {
    let code = match e.inner() {
        DraftError::Store(_) => EXIT_STORAGE,
        _ => EXIT_INPUT,
    };
    let message = match &e {
        DraftError::Io { path, source } => crate::fail::io_text(path, source),
        DraftError::File { path, source } if matches!(**source, DraftError::NotADraft) => {
            crate::lang().f(Msg::NotADraft, &[("path", &path.display())])
        }
        _ => e.to_string(),
    };
    fail(code, message, None)
}

/// A file that could not be written: bad input when it exists or its place is wrong, a storage
/// failure otherwise.
fn write_fail(e: DraftError) -> Fail {
    let code = match &e {
        DraftError::Exists { .. } => EXIT_INPUT,
        DraftError::Io { source, .. }
            if matches!(
                source.kind(),
                ErrorKind::NotFound | ErrorKind::PermissionDenied | ErrorKind::IsADirectory
            ) =>
        {
            EXIT_INPUT
        }
        DraftError::Io { .. } | DraftError::Store(_) => EXIT_STORAGE,
        _ => EXIT_INPUT,
    };
    fail(code, e.to_string(), None)
}

/// Roles in the reader's words: `保管员，监督员`.
fn roles_text(roles: &[Role]) -> String {
    if roles.is_empty() {
        return "-".into();
    }
    let lang = crate::lang();
    roles
        .iter()
        .map(|r| lang.role(*r))
        .collect::<Vec<_>>()
        .join(lang.t(Msg::ListSeparator))
}

/// `custody cosign FILE --sign KEY [--roster FILE]`: check, show, ask, sign, rewrite.
pub fn cosign(a: CosignArgs) -> Result<u8, Fail> {
    let file = a.file.display().to_string();
    let mut draft = Draft::read(&a.file).map_err(read_fail)?;
    let body = draft.body().map_err(read_fail)?;
    let roster = a
        .roster
        .as_deref()
        .map(RosterFile::read)
        .transpose()
        .map_err(read_fail)?;
    let key_file = read_personal_key(&a.key)?;
    let id = key_file.id().to_string();

    // Everything that would make the signature useless is refused before the passphrase.
    if !body.signers.contains(&id) {
        let lang = crate::lang();
        return Err(refuse(
            lang.f(
                Msg::DraftNotNamed,
                &[
                    ("id", &id),
                    ("key", &a.key.display()),
                    ("file", &file),
                    ("named", &body.signers.join(lang.t(Msg::ListJoin))),
                ],
            ),
            lang.t(Msg::HintDraftNotNamed),
        ));
    }
    if draft.has_signed(&id) {
        let lang = crate::lang();
        return Err(refuse(
            lang.f(Msg::DraftSignedAlready, &[("id", &id), ("file", &file)]),
            lang.t(Msg::HintDraftSignedAlready),
        ));
    }
    if let Some(r) = &roster {
        check_against_roster(r, &draft, &body, &id, key_file.public_key(), &file)?;
    }

    // What the signer reads: the summary of the exact bytes, then who co-signs.
    let zone = roster.as_ref().map_or("UTC", |r| r.time_zone.as_str());
    let lang = crate::lang();
    // With the roster, a policy change shows against the policy in force at the roster's head.
    let in_force = roster.as_ref().map(|r| &r.policy);
    let text = summary(&draft.body, zone, &[(&id, key_file.name())], in_force, lang)
        .map_err(|e| input(format!("cannot render the event: {e}")))?;
    eprintln!(
        "{}",
        lang.f(
            Msg::ReadInDraft,
            &[("name", &key_file.name()), ("id", &id), ("file", &file)]
        )
    );
    eprint!("{text}");
    eprint!(
        "{}",
        custody::printable::neutralise(&cosigner_lines(&draft, &body, roster.as_ref(), &id))
    );
    if roster.is_none() {
        eprintln!("{}", lang.t(Msg::NoRoster));
    }

    let signature = match &key_file {
        PersonalKey::Token(key) => crate::tokens::sign(key, a.pass_file.as_deref(), &draft.body)?,
        PersonalKey::File(key_file) => {
            if key_file.params().is_low_cost() {
                eprintln!("{}", lang.f(Msg::LowCostKey, &[("path", &a.key.display())]));
            }
            let key = crate::sign::unlock(key_file, &id, a.pass_file.as_deref())?;
            sign_body(&key, &draft.body)
        }
    };
    if !verify_body(&key_file.public_key(), &draft.body, &signature) {
        return Err(fail(
            EXIT_STORAGE,
            format!("the signature of {id} does not verify; nothing was written"),
            None,
        ));
    }
    draft
        .add(CoSignature {
            signer: id.clone(),
            signature,
        })
        .map_err(|e| refuse(e.to_string(), "check the draft file"))?;
    draft.rewrite(&a.file).map_err(write_fail)?;

    outln!(
        "{}",
        lang.f(
            Msg::SignedDraft,
            &[("file", &file), ("id", &id), ("name", &key_file.name())]
        )
    );
    let missing = draft.missing().map_err(read_fail)?;
    if missing.is_empty() {
        outln!("{}", lang.f(Msg::AllSigned, &[("file", &file)]));
    } else {
        outln!(
            "{}",
            lang.f(Msg::StillToSign, &[("ids", &missing.join(", "))])
        );
    }
    Ok(0)
}

/// The checks only a roster allows: the same ledger, the signer's key and standing, and the
/// signatures already in the draft.
fn check_against_roster(
    r: &RosterFile,
    draft: &Draft,
    body: &Body,
    id: &str,
    public_key: [u8; 32],
    file: &str,
) -> Result<(), Fail> {
    let lang = crate::lang();
    let new_roster = lang.t(Msg::HintNewRoster);
    if r.ledger_id_bytes() != Some(body.ledger_id) {
        return Err(refuse(
            lang.f(
                Msg::DraftOtherLedger,
                &[
                    ("file", &file),
                    ("draft", &hex(&body.ledger_id)),
                    ("roster", &r.ledger_id),
                ],
            ),
            new_roster,
        ));
    }
    let Some(me) = r.keyholder(id) else {
        return Err(refuse(
            lang.f(
                Msg::DraftNotOnRoster,
                &[("id", &id), ("size", &r.head_size)],
            ),
            new_roster,
        ));
    };
    if me.public_key_bytes() != Some(public_key) {
        return Err(refuse(
            lang.f(
                Msg::DraftOtherKey,
                &[("id", &id), ("key", &&me.public_key[..16])],
            ),
            lang.t(Msg::HintDraftOtherKey),
        ));
    }
    if let Some(seq) = me.revoked_seq {
        return Err(refuse(
            lang.f(Msg::DraftRevoked, &[("id", &id), ("seq", &seq)]),
            lang.t(Msg::HintDraftRevoked),
        ));
    }
    if !me.valid_at(body.event_time) {
        return Err(refuse(
            lang.f(
                Msg::DraftNotValid,
                &[
                    ("id", &id),
                    ("time", &body.event_time.display_in(&r.time_zone)),
                ],
            ),
            lang.t(Msg::HintSignerNotValid),
        ));
    }
    for s in &draft.signatures {
        match r
            .keyholder(&s.signer)
            .and_then(RosterEntry::public_key_bytes)
        {
            Some(pk) if !verify_body(&pk, &draft.body, &s.signature) => {
                return Err(refuse(
                    lang.f(Msg::DraftAltered, &[("id", &s.signer), ("file", &file)]),
                    lang.t(Msg::HintDraftAltered),
                ));
            }
            Some(_) => {}
            None => eprintln!(
                "{}",
                crate::lang().f(Msg::NotOnRoster, &[("id", &s.signer)])
            ),
        }
    }
    if body.head.size > r.head_size {
        eprintln!(
            "{}",
            crate::lang().f(
                Msg::RosterOlder,
                &[("roster", &r.head_size), ("draft", &body.head.size)]
            )
        );
    } else if r.head_size - body.head.size > r.policy.max_head_lag {
        eprintln!(
            "{}",
            crate::lang().f(
                Msg::DraftTooOld,
                &[
                    ("n", &(r.head_size - body.head.size)),
                    ("max", &r.policy.max_head_lag)
                ]
            )
        );
    }
    Ok(())
}

/// The named co-signers, each with name and roles when the roster knows them, and whether they
/// have signed.
fn cosigner_lines(draft: &Draft, body: &Body, roster: Option<&RosterFile>, me: &str) -> String {
    let lang = crate::lang();
    let mut rows: Vec<[String; 4]> = Vec::new();
    for id in &body.signers {
        let (name, roles) = match roster.and_then(|r| r.keyholder(id)) {
            Some(k) => (k.name.clone(), roles_text(&k.roles)),
            None if roster.is_some() => (lang.t(Msg::NotOnTheRoster).into(), "-".into()),
            None => ("?".into(), "?".into()),
        };
        let status = lang.t(if draft.has_signed(id) {
            Msg::CosignerSigned
        } else if id == me {
            Msg::CosignerSigningNow
        } else {
            Msg::CosignerNotYet
        });
        rows.push([id.clone(), name, roles, status.into()]);
    }
    let mut out = format!("  {}\n", lang.t(Msg::Cosigners));
    out.push_str(&table(&rows, "    "));
    out
}

/// Left-aligned columns, by display width (Chinese names are two columns a character).
fn table<const N: usize>(rows: &[[String; N]], indent: &str) -> String {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(indent);
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(widths[i] - cell.width() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `custody submit FILE`: append a fully co-signed draft.
pub fn submit(dir: &Path, a: SubmitArgs) -> Result<u8, Fail> {
    let file = a.file.display().to_string();
    let draft = Draft::read(&a.file).map_err(read_fail)?;
    let (body, signatures) = draft.into_entry_parts().map_err(|e| match e {
        DraftError::Incomplete { missing } => {
            let lang = crate::lang();
            refuse(
                lang.f(
                    Msg::DraftIncomplete,
                    &[
                        ("file", &file),
                        ("ids", &missing.join(lang.t(Msg::ListJoin))),
                    ],
                ),
                &lang.f(Msg::HintDraftIncomplete, &[("file", &file)]),
            )
        }
        other => read_fail(other),
    })?;
    let mut ledger = Ledger::open(dir)?;
    let result = ledger.append(body, signatures);
    crate::finish_append(ledger, result.map_err(submit_refusal), a.json)
}

/// A refusal of a draft, with the hint that fits a draft.
fn submit_refusal(e: LedgerError) -> Fail {
    let LedgerError::Refused(findings) = e else {
        return e.into();
    };
    let mut f = refused(&findings);
    let hint = match findings.first().map(|f| f.code) {
        Some(Code::Replay) => Some(Msg::HintDraftSubmitted),
        Some(Code::Signature) => Some(Msg::HintDraftAltered),
        Some(Code::HeadTooOld | Code::HeadUnknown) => Some(Msg::HintDraftTooOld),
        _ => None,
    };
    if let Some(h) = hint {
        f.hint = Some(crate::lang().t(h).to_string());
    }
    f
}

/// `custody roster`: the keyholders as a table or JSON, or the roster file written with `--out`.
pub fn roster(dir: &Path, a: RosterArgs) -> Result<u8, Fail> {
    let path = journal_path(dir)?;
    let (report, state) = custody::audit::verify::replay(&path)?;
    crate::views::readable(&report)?;
    let head = state
        .tip()
        .map_err(LedgerError::from)?
        .map_or(Head::EMPTY, |t| Head {
            size: t.size,
            hash: t.hash,
        });
    let roster = RosterFile::from_state(&state, head).map_err(|e| match e {
        DraftError::NoGenesis => fail(
            EXIT_STORAGE,
            format!("{}: the journal holds no genesis entry", path.display()),
            Some("run `custody verify` to see what is wrong"),
        ),
        other => read_fail(other),
    })?;
    if let Some(out) = &a.out {
        roster.write_new(out).map_err(write_fail)?;
        let active = roster.keyholders.iter().filter(|k| k.active).count();
        if a.json {
            outln!(
                "{}",
                serde_json::json!({
                    "out": out.display().to_string(),
                    "ledger_id": roster.ledger_id,
                    "head_size": roster.head_size,
                    "head_hash": roster.head_hash,
                    "keyholders": roster.keyholders.len(),
                    "active": active,
                })
            );
        } else {
            let lang = crate::lang();
            outln!(
                "{}",
                lang.f(
                    Msg::RosterWritten,
                    &[
                        ("path", &out.display()),
                        ("n", &roster.keyholders.len()),
                        ("active", &active),
                        ("ledger", &roster.ledger_id),
                        ("size", &roster.head_size)
                    ]
                )
            );
            outln!("{}", lang.f(Msg::RosterUse, &[("path", &out.display())]));
        }
        return Ok(0);
    }
    if a.json {
        out!("{}", roster.to_json());
        return Ok(0);
    }
    let records = state.keyholders().map_err(LedgerError::from)?;
    let lang = crate::lang();
    outln!(
        "{}",
        lang.f(
            Msg::RosterHead,
            &[
                ("exam", &roster.exam),
                ("size", &roster.head_size),
                ("ledger", &roster.ledger_id)
            ]
        )
    );
    let mut rows = vec![
        [
            Msg::ColId,
            Msg::ColName,
            Msg::ColRoles,
            Msg::ColKeyKind,
            Msg::ColStatus,
            Msg::ColValid,
        ]
        .map(|m| lang.t(m).to_string()),
    ];
    rows.extend(records.iter().map(|r| roster_row(r, &roster.time_zone)));
    out!("{}", table(&rows, ""));
    Ok(0)
}

fn roster_row(r: &KeyholderRecord, zone: &str) -> [String; 6] {
    let k = &r.keyholder;
    let lang = crate::lang();
    let status = match r.revoked_seq {
        None => lang.t(Msg::Active).to_string(),
        Some(seq) => lang.f(Msg::RevokedAt, &[("seq", &seq)]),
    };
    let valid = match (k.valid_from, k.valid_until) {
        (None, None) => lang.t(Msg::Always).to_string(),
        (Some(f), None) => lang.f(Msg::ValidFrom, &[("from", &f.display_in(zone))]),
        (None, Some(u)) => lang.f(Msg::ValidUntil, &[("until", &u.display_in(zone))]),
        (Some(f), Some(u)) => lang.f(
            Msg::ReportFromTo,
            &[("from", &f.display_in(zone)), ("to", &u.display_in(zone))],
        ),
    };
    [
        k.id.clone(),
        k.name.clone(),
        roles_text(&k.roles),
        lang.key_kind(k.key_kind).to_string(),
        status,
        valid,
    ]
}
