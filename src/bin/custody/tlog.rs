//! Transparency-log evidence on the command line: the audit (`verify`) with the checkpoints and
//! proofs an auditor holds, the daily closing checkpoint, inclusion proofs, and the keys that
//! sign them.

use crate::cli::{CheckpointArgs, KeysArgs, ProveArgs, VerifyArgs};
use crate::fail::{EXIT_REFUSED, Fail, input};
use custody::audit::verify::{self as audit, ListedKind, Options, Report};
use custody::entry::{hex, leaf_hash};
use custody::evidence::{Evidence, EvidenceKind, Named};
use custody::finding::{Code, Finding, Severity};
use custody::i18n::{Lang, Msg};
use custody::journal;
use custody::lang::text::Align;
use custody::lang::text::pad;
use custody::ledger::{self, CHECKPOINTS, Ledger, LedgerError};
use custody::merkle::inclusion_proof;
use custody::note::{self, Checkpoint, Proof, key_id, origin, verifier_key};
use custody::present::labels::SECTIONS;
use custody::roster::Role;
use custody::token::PersonalKey;
use std::path::{Path, PathBuf};

pub(crate) fn named(paths: &[PathBuf], what: &str) -> Result<Vec<Named>, Fail> {
    paths
        .iter()
        .map(|p| {
            let bytes = crate::bags::read_capped(p, 256 * 1024, &format!("a {what}"))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| input(format!("{what} {}: not UTF-8 text", p.display())))?;
            Ok(Named {
                label: p.display().to_string(),
                text,
            })
        })
        .collect()
}

fn store(e: custody::state::StoreError) -> Fail {
    LedgerError::from(e).into()
}

/// The audit of `custody verify` for one ledger directory or one bundle: against the trusted
/// genesis hashes of `options`, the ledger's own checkpoints, and the checkpoints and proofs
/// given.
pub fn audit(dir: &Path, mut options: Options, a: &VerifyArgs) -> Result<Report, Fail> {
    let proofs = named(&a.proofs, "proof")?;
    Ok(match a.bundle.first() {
        // An export carries the ledger's checkpoints as a directory holds them: same audit.
        Some(file) => {
            let checkpoints = named(&a.checkpoints, "checkpoint")?;
            options.evidence = Evidence {
                checkpoints,
                proofs,
            };
            custody::bundle::verify(file, options)?
        }
        None => {
            let path = ledger::journal_path(dir)?;
            let mut checkpoints = ledger::own_evidence(dir)?;
            checkpoints.extend(named(&a.checkpoints, "checkpoint")?);
            options.evidence = Evidence {
                checkpoints,
                proofs,
            };
            audit::verify_with(&path, &options)?
        }
    })
}

/// Prints an audit report, for a person or as JSON.
pub fn print_report(report: &Report, json: bool) -> Result<(), Fail> {
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(report).map_err(|e| input(e.to_string()))?
        );
    } else {
        out!("{}", render_report(report, crate::lang()));
    }
    Ok(())
}

/// `custody checkpoint`: two admins sign the tree head as a C2SP checkpoint, kept under
/// `checkpoints/` and printed in its short form for the paper register.
pub fn checkpoint(dir: &Path, a: CheckpointArgs) -> Result<u8, Fail> {
    let sign = crate::cli::SignArgs {
        keys: a.keys,
        pass_files: a.pass_files,
        at: None,
        json: a.json,
    };
    let signers = crate::sign::load(&sign)?;
    let ids: Vec<String> = signers.iter().map(|s| s.id().to_string()).collect();
    let problems = custody::rules::judge::signer_list_problems(0, &ids);
    if !problems.is_empty() {
        return Err(crate::fail::refused(&problems));
    }
    if let Some(out) = &a.out {
        crate::fail::fresh(out)?;
    }
    let path = ledger::journal_path(dir)?;
    let (report, state) = audit::replay(&path)?;
    // Two admins vouch for the tree they sign: never for one the audit finds damaged.
    if let Some(f) = report
        .findings
        .iter()
        .find(|f| f.category == custody::finding::Category::Integrity)
    {
        return Err(Fail {
            code: crate::fail::EXIT_STORAGE,
            message: format!("the journal has integrity findings ({f}); nothing was signed"),
            hint: Some("run `custody verify` and resolve them first".into()),
        });
    }
    for id in &ids {
        let admin = state
            .keyholder(id)
            .map_err(store)?
            .is_some_and(|k| k.active() && k.keyholder.has_role(Role::Admin));
        if !admin {
            return Err(Fail {
                code: EXIT_REFUSED,
                message: format!(
                    "{id} is not an active admin; the daily checkpoint is signed by two admins"
                ),
                hint: None,
            });
        }
    }
    let ledger_id = report
        .ledger_id
        .ok_or_else(|| input("the journal names no ledger"))?;
    let tree = state.tree().map_err(store)?;
    let cp = Checkpoint {
        origin: origin(&ledger_id),
        size: tree.size(),
        root: tree.root(),
        extensions: Vec::new(),
    };
    let text = cp.text();
    eprintln!(
        "{}",
        crate::lang().f(Msg::CheckpointToSign, &[("n", &cp.size)])
    );
    eprint!("{text}");
    let mut signatures = Vec::new();
    for s in &signers {
        let signature = match &s.key {
            PersonalKey::Token(key) => {
                crate::tokens::sign_message(key, s.pass_file(), text.as_bytes())?
            }
            PersonalKey::File(key) => {
                let key = crate::sign::unlock(key, s.id(), s.pass_file())?;
                ed25519_dalek::Signer::sign(&key, text.as_bytes()).to_bytes()
            }
        };
        let name = format!("{}/{}", cp.origin, s.id());
        signatures.push((name, s.key.public_key(), signature));
    }
    let signed: Vec<(&str, [u8; 32], [u8; 64])> = signatures
        .iter()
        .map(|(n, k, s)| (n.as_str(), *k, *s))
        .collect();
    let signed = note::assemble(&text, &signed).map_err(|e| input(e.to_string()))?;
    // Held under the writer lock, so that it lands beside a consistent journal.
    let ledger = Ledger::open(dir)?;
    let folder = dir.join(CHECKPOINTS);
    std::fs::create_dir_all(&folder).map_err(|e| input(format!("{}: {e}", folder.display())))?;
    let file = folder.join(format!("{:012}-{}.note", cp.size, ids.join("-")));
    journal::write_atomic(&file, signed.as_bytes(), journal::Access::Shared).map_err(|e| {
        Fail::from(LedgerError::Io {
            path: file.clone(),
            source: e,
        })
    })?;
    ledger.close()?;
    if let Some(out) = &a.out {
        crate::fail::write_out(out, signed.as_bytes())?;
    }
    if a.json {
        outln!(
            "{}",
            serde_json::json!({"origin": cp.origin, "size": cp.size, "root": hex(&cp.root), "human": cp.human(), "note": signed, "file": file.display().to_string()})
        );
    } else {
        let lang = crate::lang();
        outln!(
            "{}",
            lang.f(
                Msg::CheckpointSigned,
                &[("ids", &ids.join(" + ")), ("path", &file.display())]
            )
        );
        outln!("{}", lang.t(Msg::ForPaperRegister));
        outln!(
            "  {}",
            custody::register::line(&ledger_id, cp.size, &cp.root)
        );
    }
    Ok(0)
}

/// `custody prove SEQ --out FILE`: an inclusion proof of one entry in the tree of the ledger's
/// latest checkpoint, as a c2sp.org/tlog-proof file.
pub fn prove(dir: &Path, a: ProveArgs) -> Result<u8, Fail> {
    crate::fail::fresh(&a.out)?;
    let cp = ledger::read_checkpoint(dir)?
        .ok_or_else(|| input("the ledger has signed no checkpoint yet: record an event first"))?;
    if a.seq >= cp.size {
        return Err(input(format!(
            "entry {} is not in the latest checkpoint, which covers entries 0 to {}",
            a.seq,
            cp.size.saturating_sub(1)
        )));
    }
    let note_text = std::fs::read_to_string(dir.join(ledger::CHECKPOINT))
        .map_err(|e| input(format!("checkpoint: {e}")))?;
    let path = ledger::journal_path(dir)?;
    let (_, mut reader) = journal::open_reader(&path)?;
    let mut leaves = Vec::new();
    while (leaves.len() as u64) < cp.size {
        match reader.next_record().map_err(|e| {
            Fail::from(LedgerError::Io {
                path: path.clone(),
                source: e,
            })
        })? {
            Some(r) => leaves.push(leaf_hash(&r.bytes)),
            None => break,
        }
    }
    if (leaves.len() as u64) < cp.size {
        return Err(Fail::from(LedgerError::Damaged {
            offset: journal::HEADER_LEN,
            reason: format!(
                "the journal holds fewer entries than its checkpoint ({})",
                cp.size
            ),
        }));
    }
    let path_hashes = inclusion_proof(&leaves, a.seq).map_err(|e| input(e.to_string()))?;
    if custody::merkle::root(&leaves) != cp.root {
        return Err(Fail::from(LedgerError::Damaged {
            offset: journal::HEADER_LEN,
            reason: "the journal does not match the ledger's own checkpoint; run `custody verify`"
                .into(),
        }));
    }
    let proof = Proof {
        extra: None,
        index: a.seq,
        path: path_hashes,
        checkpoint: note_text,
    };
    crate::fail::write_out(&a.out, proof.encode().as_bytes())?;
    let lang = crate::lang();
    outln!(
        "{}",
        lang.f(
            Msg::ProofWritten,
            &[
                ("path", &a.out.display()),
                ("seq", &a.seq),
                ("hash", &hex(&leaves[a.seq as usize])),
                ("size", &cp.size),
                ("root", &hex(&cp.root))
            ]
        )
    );
    outln!("{}", lang.f(Msg::ProofCheck, &[("path", &a.out.display())]));
    Ok(0)
}

/// `custody keys`: the ledger key and every keyholder, with the signed-note names and key ids
/// that checkpoints carry.
pub fn keys(dir: &Path, a: KeysArgs) -> Result<u8, Fail> {
    let path = ledger::journal_path(dir)?;
    let (report, state) = audit::replay(&path)?;
    crate::views::readable(&report)?;
    let info = state
        .ledger()
        .map_err(store)?
        .ok_or_else(|| input("the journal holds no genesis entry"))?;
    let origin = origin(&info.ledger_id);
    // Name, who, roles, the entry that revoked the key, key; English words for JSON.
    let lang = if a.json { Lang::En } else { crate::lang() };
    let mut rows = vec![(
        origin.clone(),
        lang.t(Msg::LedgerKey).to_string(),
        lang.t(Msg::Checkpoints).to_string(),
        None,
        info.ledger_key,
        None,
    )];
    for k in state.keyholders().map_err(store)? {
        // Role ids for machines, the reader's words for people.
        let roles: Vec<&str> = k
            .keyholder
            .roles
            .iter()
            .map(|r| if a.json { r.as_str() } else { lang.role(*r) })
            .collect();
        rows.push((
            format!("{origin}/{}", k.keyholder.id),
            format!("{} ({})", k.keyholder.id, k.keyholder.name),
            roles.join(if a.json {
                ","
            } else {
                lang.t(Msg::ListSeparator)
            }),
            k.revoked_seq,
            k.keyholder.public_key,
            k.keyholder.key_kind,
        ));
    }
    let status = |revoked: &Option<u64>| match revoked {
        Some(seq) => lang.f(Msg::RevokedAt, &[("seq", seq)]),
        None => lang.t(Msg::Active).to_string(),
    };
    if a.note_format {
        for (name, _, _, revoked, key, _) in &rows {
            if revoked.is_none() {
                outln!(
                    "{}",
                    verifier_key(name, key).map_err(|e| input(e.to_string()))?
                );
            }
        }
        return Ok(0);
    }
    if a.json {
        let list: Vec<_> = rows
            .iter()
            .map(|(name, who, roles, revoked, key, kind)| {
                serde_json::json!({"name": name, "who": who, "roles": roles, "key_kind": kind, "status": status(revoked), "public_key": hex(key), "key_id": hex(&key_id(name, key))})
            })
            .collect();
        outln!("{}", serde_json::Value::Array(list));
        return Ok(0);
    }
    let mut table = custody::present::table::Table::new(
        [
            Msg::ColKeyId,
            Msg::ColWho,
            Msg::ColRoles,
            Msg::ColKeyKind,
            Msg::ColStatus,
        ]
        .map(|m| lang.t(m)),
    );
    for (i, (name, who, roles, revoked, key, kind)) in rows.iter().enumerate() {
        // The ledger's own key (row 0) is no keyholder's: it has no kind to declare.
        let kind = if i == 0 { "" } else { lang.key_kind(*kind) };
        table.push(vec![
            hex(&key_id(name, key)),
            who.clone(),
            roles.clone(),
            kind.to_string(),
            status(revoked),
        ]);
    }
    out!("{}", table.render(custody::lang::text::DEFAULT_WIDTH));
    outln!("{}", lang.f(Msg::NoteNames, &[("origin", &origin)]));
    Ok(0)
}

/// The audit report as an inspector reads it, fitted to 80 columns: the header (what was
/// examined, the trusted genesis, the tree, each checkpoint and proof with its verdict), the
/// findings in three sections (integrity; authorization and event; custody and timing), one
/// line each with long messages wrapped under it, the listed changes and incidents, and the
/// verdict. `docs/AUDIT.md` shows one.
pub(crate) fn render_report(r: &Report, lang: Lang) -> String {
    let zone = r.time_zone.clone().unwrap_or_else(|| "UTC".into());
    let mut s = String::new();
    let exam = r
        .exam
        .clone()
        .unwrap_or_else(|| lang.t(Msg::UnknownExam).into());
    hang(&mut s, "", &lang.f(Msg::ReportTitle, &[("exam", &exam)]), 2);
    let field = |s: &mut String, m: Msg, text: &str| hang(s, &label(lang, m), text, LABEL_INDENT);
    field(
        &mut s,
        Msg::ReportLedgerId,
        &r.ledger_id.map(|i| hex(&i)).unwrap_or_else(|| "?".into()),
    );
    field(
        &mut s,
        Msg::ReportExamined,
        &lang.f(
            Msg::ReportExaminedText,
            &[("entries", &r.entries), ("bags", &r.bags)],
        ),
    );
    if let (Some(a), Some(b)) = (r.first_recorded, r.last_recorded) {
        field(
            &mut s,
            Msg::ReportRecorded,
            &lang.f(
                Msg::ReportFromTo,
                &[("from", &a.display_in(&zone)), ("to", &b.display_in(&zone))],
            ),
        );
    }
    let genesis = r
        .genesis_hash
        .map(|h| hex(&h))
        .unwrap_or_else(|| "?".into());
    field(&mut s, Msg::ReportGenesis, &genesis);
    let trust = match r.genesis_trusted {
        Some(true) => Msg::ReportTrusted,
        Some(false) => Msg::ReportNotTrusted,
        None => Msg::ReportTrustUnchecked,
    };
    hang(
        &mut s,
        &" ".repeat(LABEL_INDENT),
        lang.t(trust),
        LABEL_INDENT,
    );
    if let Some(h) = r.head_hash {
        field(&mut s, Msg::ReportHead, &hex(&h));
    }
    field(&mut s, Msg::ReportTreeSize, &r.tree_size.to_string());
    field(&mut s, Msg::ReportTreeRoot, &hex(&r.root));
    render_evidence(&mut s, r, lang);
    for n in &r.notices {
        field(&mut s, Msg::ReportNotice, n);
    }

    for (title, categories) in SECTIONS {
        let findings: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| categories.contains(&f.category))
            .collect();
        s.push('\n');
        let title = lang.t(title);
        if findings.is_empty() {
            s.push_str(&lang.f(Msg::ReportSectionClean, &[("title", &title)]));
            s.push('\n');
            continue;
        }
        s.push_str(&lang.f(
            if findings.len() == 1 {
                Msg::ReportSectionOne
            } else {
                Msg::ReportSectionMany
            },
            &[("title", &title), ("n", &findings.len())],
        ));
        s.push('\n');
        for f in findings {
            let head = format!(
                "  {} {:<8} {}  ",
                pad(
                    &lang.f(Msg::ReportEntry, &[("seq", &f.seq)]),
                    11,
                    Align::Left
                ),
                match lang {
                    Lang::En => f.severity.as_str().to_uppercase(),
                    Lang::Zh => lang.severity(f.severity).to_string(),
                },
                f.code.as_str()
            );
            let mut text = custody::present::labels::finding_text(f, lang);
            if f.declared {
                text.push_str(lang.t(Msg::ReportDeclared));
            }
            if let Some(by) = f.corrected {
                text.push_str(&format!(
                    " ({})",
                    lang.f(Msg::FindingCorrected, &[("seq", &by)])
                ));
            }
            hang(&mut s, &head, &text, FINDING_INDENT);
        }
    }

    s.push('\n');
    if r.listed.is_empty() {
        s.push_str(lang.t(Msg::ReportListedNone));
        s.push('\n');
    } else {
        hang(
            &mut s,
            "",
            &lang.f(
                Msg::ReportListedHead,
                &[
                    ("n", &r.listed.len()),
                    ("zone", &custody::time::zone_heading(&zone)),
                ],
            ),
            2,
        );
        for l in &r.listed {
            let head = format!(
                "  {} {} {}  ",
                pad(
                    &lang.f(Msg::ReportEntry, &[("seq", &l.seq)]),
                    11,
                    Align::Left
                ),
                pad(
                    lang.t(match l.kind {
                        ListedKind::Roster => Msg::ListedRoster,
                        ListedKind::Policy => Msg::EventPolicy,
                        ListedKind::Schedule => Msg::EventSchedule,
                        ListedKind::Incident => Msg::EventIncident,
                        ListedKind::Correction => Msg::ListedCorrection,
                    }),
                    10,
                    Align::Left
                ),
                custody::present::labels::short_time(l.event_time, &zone)
            );
            let mut text = l.text_in(lang).to_string();
            if !l.finding_codes.is_empty() {
                let codes: Vec<&str> = l.finding_codes.iter().map(|c| c.as_str()).collect();
                text.push_str(&lang.f(Msg::ReportReported, &[("codes", &codes.join(", "))]));
            }
            hang(&mut s, &head, &text, FINDING_INDENT);
        }
    }

    s.push('\n');
    render_timetable(&mut s, r, lang, &zone);
    for session in &r.unassigned_sessions {
        hang(
            &mut s,
            "  ",
            &lang.f(Msg::ReportNoAssignments, &[("session", session)]),
            FINDING_INDENT,
        );
    }

    s.push('\n');
    if r.findings.is_empty() {
        s.push_str(lang.t(Msg::VerdictClean));
        s.push('\n');
    } else {
        let declared = r.findings.iter().filter(|f| f.declared).count();
        let counts: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|sev| {
                let n = r.findings.iter().filter(|f| f.severity == *sev).count();
                (n > 0).then(|| format!("{n} {}", lang.severity(*sev)))
            })
            .collect();
        hang(
            &mut s,
            "",
            &(lang.f(
                Msg::VerdictFindings,
                &[
                    ("n", &r.findings.len()),
                    ("counts", &counts.join(lang.t(Msg::ListSeparator))),
                ],
            ) + &lang.f(
                Msg::VerdictDeclared,
                &[
                    ("declared", &declared),
                    ("undeclared", &(r.findings.len() - declared)),
                ],
            )),
            FINDING_INDENT,
        );
    }
    s
}

/// Every schedule entry, grouped by session in journal order: the timetable that decides the
/// opening windows, for the auditor to hold against the official one.
fn render_timetable(s: &mut String, r: &Report, lang: Lang, zone: &str) {
    if r.timetable.is_empty() {
        s.push_str(lang.t(Msg::ReportTimetableNone));
        s.push('\n');
        return;
    }
    hang(
        s,
        "",
        &lang.f(
            Msg::ReportTimetableHead,
            &[("n", &r.timetable.len()), ("zone", &zone)],
        ),
        2,
    );
    let mut rows: Vec<&custody::audit::verify::Scheduled> = r.timetable.iter().collect();
    rows.sort_by(|a, b| (&a.session, a.seq).cmp(&(&b.session, b.seq)));
    for t in rows {
        let head = format!(
            "  {} ",
            pad(
                &lang.f(Msg::ReportEntry, &[("seq", &t.seq)]),
                11,
                Align::Left
            )
        );
        let text = lang.f(
            if t.rescheduled {
                Msg::TimetableRescheduled
            } else {
                Msg::TimetableScheduled
            },
            &[
                ("session", &t.session),
                ("subject", &t.subject),
                (
                    "start",
                    &custody::present::labels::short_time(t.start, zone),
                ),
                ("end", &custody::present::labels::short_time(t.end, zone)),
                ("signers", &t.signers.join(" + ")),
            ],
        );
        hang(s, &head, &text, FINDING_INDENT);
    }
}

/// Where wrapped header values and finding messages continue.
const LABEL_INDENT: usize = 14;
const FINDING_INDENT: usize = 6;

/// A header label of the report, indented and padded (by display width) to its value column.
fn label(lang: Lang, m: Msg) -> String {
    format!("  {}", pad(lang.t(m), LABEL_INDENT - 2, Align::Left))
}

/// Each checkpoint and proof the audit checked, with its verdict.
fn render_evidence(s: &mut String, r: &Report, lang: Lang) {
    let label = |m: Msg| label(lang, m);
    if r.checkpoints.is_empty() {
        hang(
            s,
            &label(Msg::ReportEvidence),
            lang.t(Msg::ReportNoEvidence),
            LABEL_INDENT,
        );
        return;
    }
    let pad = " ".repeat(LABEL_INDENT);
    for c in &r.checkpoints {
        let what = match c.kind {
            EvidenceKind::Proof => Msg::ReportProof,
            EvidenceKind::Checkpoint => Msg::ReportCheckpoint,
        };
        hang(s, &label(what), &c.label, LABEL_INDENT);
        let size = c.size.unwrap_or(0);
        let signed = match c.signed_by.as_slice() {
            [] => String::new(),
            [only] if only == "ledger" => lang.t(Msg::SignedByLedgerKey).to_string(),
            ids => lang.f(Msg::SignedByIds, &[("ids", &ids.join(" + "))]),
        };
        let verdict = match (c.problem, c.kind) {
            (Some(Code::ProofInvalid), _) if c.consistent => {
                lang.f(Msg::EvidenceProofInvalid, &[("size", &size)])
            }
            (Some(code), _) => lang.f(Msg::EvidenceSeeFindings, &[("code", &code)]),
            (None, _) if !c.consistent => lang.t(Msg::EvidenceNotChecked).to_string(),
            (None, EvidenceKind::Proof) => lang.f(
                Msg::EvidenceProofValid,
                &[("signed", &signed), ("size", &size)],
            ),
            (None, EvidenceKind::Checkpoint) => lang.f(
                Msg::EvidenceConsistent,
                &[("signed", &signed), ("size", &size)],
            ),
        };
        hang(s, &pad, &verdict, LABEL_INDENT);
    }
}

/// Appends `head` and then `text`, word-wrapped to 80 columns (display width), continuation
/// lines indented by `indent` spaces; a word wider than a line is broken anywhere (Chinese text
/// has no spaces). Control characters in `text` become spaces.
fn hang(out: &mut String, head: &str, text: &str, indent: usize) {
    use custody::lang::text::DEFAULT_WIDTH as WIDTH;
    use custody::lang::text::one_line;
    use custody::lang::text::text_width;
    let pad = " ".repeat(indent);
    let mut line = head.to_string();
    // Whether the line holds nothing but its indentation.
    let mut fresh = head.trim().is_empty();
    let flush = |out: &mut String, line: &mut String, fresh: &mut bool| {
        out.push_str(line.trim_end());
        out.push('\n');
        *line = pad.clone();
        *fresh = true;
    };
    for word in one_line(text).split(' ').filter(|w| !w.is_empty()) {
        let sep = usize::from(!line.is_empty() && !line.ends_with(' '));
        let w = text_width(word);
        if text_width(&line) + sep + w <= WIDTH {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            fresh = false;
            continue;
        }
        if indent + w <= WIDTH {
            if !fresh {
                flush(out, &mut line, &mut fresh);
            }
            line.push_str(word);
            fresh = false;
            continue;
        }
        // Wider than any line: start it here and break it where the line is full.
        if sep == 1 && text_width(&line) + 2 <= WIDTH {
            line.push(' ');
        }
        for c in word.chars() {
            let cw = text_width(c.encode_utf8(&mut [0; 4]));
            if !fresh && text_width(&line) + cw > WIDTH {
                flush(out, &mut line, &mut fresh);
            }
            line.push(c);
            fresh = false;
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
}
