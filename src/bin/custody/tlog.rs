//! Transparency-log evidence on the command line: the audit (`verify`) with the checkpoints and
//! proofs an auditor holds, the daily closing checkpoint, inclusion proofs, and the keys that
//! sign them.

use crate::cli::{CheckpointArgs, KeysArgs, ProveArgs, VerifyArgs};
use crate::fail::{EXIT_REFUSED, Fail, input};
use custody::audit::{self, Options, Report};
use custody::entry::{Hash, hex, leaf_hash};
use custody::evidence::{Evidence, Named};
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
            let len = std::fs::metadata(p)
                .map_err(|e| input(format!("{what} {}: {e}", p.display())))?
                .len();
            if len > 256 * 1024 {
                return Err(input(format!(
                    "{what} {}: too large to be a {what}",
                    p.display()
                )));
            }
            let text = std::fs::read_to_string(p)
                .map_err(|e| input(format!("{what} {}: {e}", p.display())))?;
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
    let path = ledger::journal_path(dir)?;
    let mut checkpoints = ledger::own_evidence(dir)?;
    checkpoints.extend(named(&a.checkpoints, "checkpoint")?);
    let options = Options {
        trust,
        evidence: Evidence {
            checkpoints,
            proofs: named(&a.proofs, "proof")?,
        },
    };
    let report = audit::verify_with(&path, &options)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| input(e.to_string()))?
        );
    } else {
        print!("{}", render_report(&report));
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
    let (_, state) = audit::replay(&path)?;
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

fn render_report(r: &Report) -> String {
    let zone = r.time_zone.clone().unwrap_or_else(|| "UTC".into());
    let mut s = String::new();
    s.push_str(&format!(
        "custody audit of {}\n",
        r.exam.as_deref().unwrap_or("(unknown exam)")
    ));
    s.push_str(&format!(
        "  ledger id     {}\n",
        r.ledger_id.map(|i| hex(&i)).unwrap_or_else(|| "?".into())
    ));
    s.push_str(&format!("  entries       {}\n", r.entries));
    if let (Some(a), Some(b)) = (r.first_recorded, r.last_recorded) {
        s.push_str(&format!(
            "  recorded      {} to {}\n",
            a.display_in(&zone),
            b.display_in(&zone)
        ));
    }
    let genesis = r
        .genesis_hash
        .map(|h| hex(&h))
        .unwrap_or_else(|| "?".into());
    let trust = match r.genesis_trusted {
        Some(true) => "matches the trusted hash",
        Some(false) => "DOES NOT match the trusted hash",
        None => "not checked: give --trust GENESIS_HASH",
    };
    s.push_str(&format!("  genesis       {genesis} ({trust})\n"));
    if let Some(h) = r.head_hash {
        s.push_str(&format!("  head          {}\n", hex(&h)));
    }
    for n in &r.notices {
        s.push_str(&format!("  note          {n}\n"));
    }
    if r.findings.is_empty() {
        s.push_str("verdict: CLEAN, no findings\n");
    } else {
        s.push_str(&format!("findings ({}):\n", r.findings.len()));
        for f in &r.findings {
            let who = f
                .signer
                .as_deref()
                .map(|w| format!(" [{w}]"))
                .unwrap_or_default();
            s.push_str(&format!(
                "  entry {:>6}  {:<18} {}{who}\n",
                f.seq,
                f.code.as_str(),
                f.message
            ));
        }
        s.push_str(&format!("verdict: {} FINDING(S)\n", r.findings.len()));
    }
    s
}
