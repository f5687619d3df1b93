//! Transparency-log evidence on the command line: the audit (`verify`) with the checkpoints and
//! proofs an auditor holds, the daily closing checkpoint, inclusion proofs, and the keys that
//! sign them.

use crate::cli::{CheckpointArgs, KeysArgs, ProveArgs, VerifyArgs};
use crate::fail::{EXIT_REFUSED, Fail, input};
use custody::audit::{self, Options, Report};
use custody::entry::{Hash, hex, leaf_hash};
use custody::evidence::{Evidence, EvidenceKind, Named};
use custody::finding::{Category, Code, Finding, Severity};
use custody::journal;
use custody::ledger::{self, CHECKPOINTS, Ledger, LedgerError};
use custody::merkle::inclusion_proof;
use custody::note::{self, Checkpoint, Proof, key_id, origin, verifier_key};
use custody::roster::Role;
use std::path::{Path, PathBuf};

fn named(paths: &[PathBuf], what: &str) -> Result<Vec<Named>, Fail> {
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

/// `custody verify`: the audit report, against the trusted genesis, the ledger's own
/// checkpoints, and the checkpoints and proofs given. Returns whether it is clean.
pub fn verify(dir: &Path, trust: Option<Hash>, a: &VerifyArgs) -> Result<bool, Fail> {
    if let Some(out) = &a.html {
        crate::html::fresh(out)?;
    }
    let proofs = named(&a.proofs, "proof")?;
    let report = match &a.bundle {
        // An export carries the ledger's checkpoints as a directory holds them: same audit.
        Some(file) => {
            let checkpoints = named(&a.checkpoints, "checkpoint")?;
            custody::bundle::verify(
                file,
                trust,
                Evidence {
                    checkpoints,
                    proofs,
                },
            )?
        }
        None => {
            let path = ledger::journal_path(dir)?;
            let mut checkpoints = ledger::own_evidence(dir)?;
            checkpoints.extend(named(&a.checkpoints, "checkpoint")?);
            let options = Options {
                trust,
                evidence: Evidence {
                    checkpoints,
                    proofs,
                },
            };
            audit::verify_with(&path, &options)?
        }
    };
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| input(e.to_string()))?
        );
    } else {
        print!("{}", render_report(&report));
    }
    if let Some(out) = &a.html {
        crate::html::audit_page(dir, a.bundle.as_deref(), &report, out)?;
    }
    Ok(report.is_clean())
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
    let problems = custody::rules::signer_list_problems(0, &ids);
    if !problems.is_empty() {
        return Err(crate::fail::refused(&problems));
    }
    if let Some(out) = &a.out
        && out.exists()
    {
        return Err(input(format!(
            "{} already exists; refusing to overwrite it",
            out.display()
        )));
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
        "The tree head the admins sign (checkpoint of {} entries):",
        cp.size
    );
    eprint!("{text}");
    let mut keys = Vec::new();
    for s in &signers {
        let pass = match &s.pass_file() {
            Some(p) => crate::sign::read_pass_file(p)?,
            None => crate::sign::prompt_passphrase(&format!("Passphrase for {}: ", s.id()))?,
        };
        keys.push((
            format!("{}/{}", cp.origin, s.id()),
            s.key.unlock(&pass).map_err(Fail::from)?,
        ));
    }
    let signing: Vec<(&str, &ed25519_dalek::SigningKey)> =
        keys.iter().map(|(n, k)| (n.as_str(), k)).collect();
    let signed = note::sign(&text, &signing).map_err(|e| input(e.to_string()))?;
    // Held under the writer lock, so that it lands beside a consistent journal.
    let ledger = Ledger::open(dir)?;
    let folder = dir.join(CHECKPOINTS);
    std::fs::create_dir_all(&folder).map_err(|e| input(format!("{}: {e}", folder.display())))?;
    let file = folder.join(format!("{:012}-{}.note", cp.size, ids.join("-")));
    journal::write_atomic(&file, signed.as_bytes()).map_err(|e| {
        Fail::from(LedgerError::Io {
            path: file.clone(),
            source: e,
        })
    })?;
    ledger.close()?;
    if let Some(out) = &a.out {
        std::fs::write(out, signed.as_bytes())
            .map_err(|e| input(format!("{}: {e}", out.display())))?;
    }
    if a.json {
        println!(
            "{}",
            serde_json::json!({"origin": cp.origin, "size": cp.size, "root": hex(&cp.root), "human": cp.human(), "note": signed, "file": file.display().to_string()})
        );
    } else {
        println!(
            "daily checkpoint signed by {} and stored in {}",
            ids.join(" + "),
            file.display()
        );
        println!("for the paper register:");
        println!("  {}", cp.human());
    }
    Ok(0)
}

/// `custody prove SEQ --out FILE`: an inclusion proof of one entry in the tree of the ledger's
/// latest checkpoint, as a c2sp.org/tlog-proof file.
pub fn prove(dir: &Path, a: ProveArgs) -> Result<u8, Fail> {
    if a.out.exists() {
        return Err(input(format!(
            "{} already exists; refusing to overwrite it",
            a.out.display()
        )));
    }
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
    std::fs::write(&a.out, proof.encode())
        .map_err(|e| input(format!("{}: {e}", a.out.display())))?;
    println!(
        "wrote {}: entry {} (hash {}) in the tree of {} entries, root {}",
        a.out.display(),
        a.seq,
        hex(&leaves[a.seq as usize]),
        cp.size,
        hex(&cp.root)
    );
    println!("check it with: custody verify --proof {}", a.out.display());
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
    let mut rows = vec![(
        origin.clone(),
        "ledger key".to_string(),
        "checkpoints".to_string(),
        "active".to_string(),
        info.ledger_key,
    )];
    for k in state.keyholders().map_err(store)? {
        let roles: Vec<&str> = k.keyholder.roles.iter().map(|r| r.as_str()).collect();
        let status = match k.revoked_seq {
            Some(seq) => format!("revoked at entry {seq}"),
            None => "active".to_string(),
        };
        rows.push((
            format!("{origin}/{}", k.keyholder.id),
            format!("{} ({})", k.keyholder.id, k.keyholder.name),
            roles.join(","),
            status,
            k.keyholder.public_key,
        ));
    }
    if a.note_format {
        for (name, _, _, status, key) in &rows {
            if status == "active" {
                println!(
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
            .map(|(name, who, roles, status, key)| {
                serde_json::json!({"name": name, "who": who, "roles": roles, "status": status, "public_key": hex(key), "key_id": hex(&key_id(name, key))})
            })
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return Ok(0);
    }
    let mut table = custody::views::Table::new(vec!["KEY ID", "WHO", "ROLES", "STATUS"]);
    for (name, who, roles, status, key) in &rows {
        table.push(vec![
            hex(&key_id(name, key)),
            who.clone(),
            roles.clone(),
            status.clone(),
        ]);
    }
    print!("{}", table.render(custody::views::DEFAULT_WIDTH));
    println!(
        "signed-note names: {origin} (ledger), {origin}/<id> (keyholders); --note-format prints verifier keys"
    );
    Ok(0)
}

/// The audit report as an inspector reads it, fitted to 80 columns: the header (what was
/// examined, the trusted genesis, the tree, each checkpoint and proof with its verdict), the
/// findings in three sections (integrity; authorization and event; custody and timing), one
/// line each with long messages wrapped under it, the listed changes and incidents, and the
/// verdict. `docs/AUDIT.md` shows one.
pub(crate) fn render_report(r: &Report) -> String {
    let zone = r.time_zone.clone().unwrap_or_else(|| "UTC".into());
    let mut s = String::new();
    hang(
        &mut s,
        "custody audit of ",
        r.exam.as_deref().unwrap_or("(unknown exam)"),
        2,
    );
    let field = |s: &mut String, label: &str, text: &str| {
        hang(s, &format!("  {label:<12}"), text, LABEL_INDENT);
    };
    field(
        &mut s,
        "ledger id",
        &r.ledger_id.map(|i| hex(&i)).unwrap_or_else(|| "?".into()),
    );
    field(
        &mut s,
        "examined",
        &format!(
            "{} {}, {} {}",
            r.entries,
            plural(r.entries, "entry", "entries"),
            r.bags,
            plural(r.bags, "bag", "bags")
        ),
    );
    if let (Some(a), Some(b)) = (r.first_recorded, r.last_recorded) {
        field(
            &mut s,
            "recorded",
            &format!("{} to {}", a.display_in(&zone), b.display_in(&zone)),
        );
    }
    let genesis = r
        .genesis_hash
        .map(|h| hex(&h))
        .unwrap_or_else(|| "?".into());
    field(&mut s, "genesis", &genesis);
    let trust = match r.genesis_trusted {
        Some(true) => "matches the trusted hash",
        Some(false) => "DOES NOT match the trusted hash",
        None => "not checked: give --trust GENESIS_HASH",
    };
    field(&mut s, "", trust);
    if let Some(h) = r.head_hash {
        field(&mut s, "head", &hex(&h));
    }
    field(&mut s, "tree size", &r.tree_size.to_string());
    field(&mut s, "tree root", &hex(&r.root));
    render_evidence(&mut s, r);
    for n in &r.notices {
        field(&mut s, "notice", n);
    }

    for (title, categories) in SECTIONS {
        let findings: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| categories.contains(&f.category))
            .collect();
        s.push('\n');
        if findings.is_empty() {
            s.push_str(&format!("{title}: no findings\n"));
            continue;
        }
        s.push_str(&format!(
            "{title}: {} {}\n",
            findings.len(),
            plural(findings.len() as u64, "finding", "findings")
        ));
        for f in findings {
            let head = format!(
                "  entry {:<5} {:<8} {}  ",
                f.seq,
                f.severity.as_str().to_uppercase(),
                f.code.as_str()
            );
            hang(&mut s, &head, &finding_text(f), FINDING_INDENT);
        }
    }

    s.push('\n');
    if r.listed.is_empty() {
        s.push_str("listed: no roster or policy change, reschedule, incident or correction\n");
    } else {
        hang(
            &mut s,
            "",
            &format!(
                "listed ({}, not findings by themselves; times in {zone}):",
                r.listed.len()
            ),
            2,
        );
        for l in &r.listed {
            let head = format!(
                "  entry {:<5} {:<10} {}  ",
                l.seq,
                l.kind.as_str(),
                custody::views::short_time(l.event_time, &zone)
            );
            let mut text = l.text.clone();
            if !l.finding_codes.is_empty() {
                let codes: Vec<&str> = l.finding_codes.iter().map(|c| c.as_str()).collect();
                text.push_str(&format!(" (reported: {})", codes.join(", ")));
            }
            hang(&mut s, &head, &text, FINDING_INDENT);
        }
    }

    s.push('\n');
    if r.findings.is_empty() {
        s.push_str("verdict: CLEAN, no findings\n");
    } else {
        let counts: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|sev| {
                let n = r.findings.iter().filter(|f| f.severity == *sev).count();
                (n > 0).then(|| format!("{n} {sev}"))
            })
            .collect();
        hang(
            &mut s,
            "",
            &format!(
                "verdict: {} FINDING(S): {}",
                r.findings.len(),
                counts.join(", ")
            ),
            FINDING_INDENT,
        );
    }
    s
}

/// Where wrapped header values and finding messages continue.
const LABEL_INDENT: usize = 14;
const FINDING_INDENT: usize = 6;

/// The report's three sections and the finding categories each holds.
const SECTIONS: [(&str, &[Category]); 3] = [
    ("integrity", &[Category::Integrity]),
    ("authorization", &[Category::Authorization, Category::Event]),
    ("custody", &[Category::Custody, Category::Timing]),
];

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A finding's message, prefixed with its bag and signer where the message does not name them.
fn finding_text(f: &Finding) -> String {
    let words: Vec<&str> = f
        .message
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .collect();
    let mut who = Vec::new();
    if let Some(bag) = &f.bag
        && !words.contains(&bag.as_str())
    {
        who.push(format!("bag {bag}"));
    }
    if let Some(signer) = &f.signer
        && !words.contains(&signer.as_str())
    {
        who.push(format!("signer {signer}"));
    }
    if who.is_empty() {
        f.message.clone()
    } else {
        format!("{}: {}", who.join(", "), f.message)
    }
}

/// Each checkpoint and proof the audit checked, with its verdict.
fn render_evidence(s: &mut String, r: &Report) {
    if r.checkpoints.is_empty() {
        hang(
            s,
            &format!("  {:<12}", "evidence"),
            "none: no checkpoint in the ledger, and none given with --checkpoint FILE or --proof FILE",
            LABEL_INDENT,
        );
        return;
    }
    let pad = " ".repeat(LABEL_INDENT);
    for c in &r.checkpoints {
        let what = match c.kind {
            EvidenceKind::Proof => "proof",
            EvidenceKind::Checkpoint => "checkpoint",
        };
        hang(s, &format!("  {what:<12}"), &c.label, LABEL_INDENT);
        let size = c.size.unwrap_or(0);
        let signed = match c.signed_by.as_slice() {
            [] => String::new(),
            [only] if only == "ledger" => "signed by the ledger key; ".to_string(),
            ids => format!("signed by {}; ", ids.join(" + ")),
        };
        let verdict = match (c.problem, c.kind) {
            (Some(Code::ProofInvalid), _) if c.consistent => {
                format!(
                    "PROOF_INVALID: it does not prove its entry in the ledger's tree of {size} entries"
                )
            }
            (Some(code), _) => format!("{code}: see the integrity findings"),
            (None, _) if !c.consistent => "NOT CHECKED: the journal names no ledger".to_string(),
            (None, EvidenceKind::Proof) => {
                format!(
                    "VALID: its checkpoint {signed}its entry is in the ledger's tree of {size} entries"
                )
            }
            (None, EvidenceKind::Checkpoint) => {
                format!("CONSISTENT: {signed}the ledger holds this tree of {size} entries")
            }
        };
        hang(s, &pad, &verdict, LABEL_INDENT);
    }
}

/// Appends `head` and then `text`, word-wrapped to 80 columns (display width), continuation
/// lines indented by `indent` spaces; a word wider than a line is broken anywhere (Chinese text
/// has no spaces). Control characters in `text` become spaces.
fn hang(out: &mut String, head: &str, text: &str, indent: usize) {
    use custody::views::{DEFAULT_WIDTH as WIDTH, one_line, text_width};
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
