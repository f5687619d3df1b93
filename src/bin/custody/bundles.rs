//! Export, backup and restore: one file for auditors, one for safekeeping, and the way back.
//! The bundle format and every check live in `custody::bundle`; this module asks for
//! passphrases, prints, and maps failures to exit codes.

use crate::cli::{BackupArgs, ExportArgs, RestoreArgs};
use crate::fail::{EXIT_BUSY, EXIT_INPUT, EXIT_REFUSED, EXIT_STORAGE, Fail, input};
use crate::sign;
use custody::bundle::{self, BundleError, RestoreOptions, Seal, Written};
use custody::entry::{hex, parse_hex};
use custody::keyfile::KdfParams;
use custody::ledger::{ErrorClass, journal_path};
use std::path::Path;
use zeroize::Zeroizing;

impl From<BundleError> for Fail {
    fn from(e: BundleError) -> Fail {
        let code = match e.class() {
            ErrorClass::Input => EXIT_INPUT,
            ErrorClass::Refused => EXIT_REFUSED,
            ErrorClass::Busy => EXIT_BUSY,
            ErrorClass::Storage => EXIT_STORAGE,
        };
        let hint = match &e {
            BundleError::Exists(_) => Some("choose another --out; nothing was written".into()),
            BundleError::Malformed { .. } => {
                Some("the file is damaged or not a custody bundle; nothing was written".into())
            }
            BundleError::Refused { findings, .. } if !findings.is_empty() => Some(
                "restore from a newer backup, or check the checkpoints given; the ledger directory is as it was"
                    .into(),
            ),
            _ => None,
        };
        match e {
            BundleError::Ledger(l) => l.into(),
            other => Fail {
                code,
                message: other.to_string(),
                hint,
            },
        }
    }
}

/// Refuses an existing output before anything is asked or read.
fn fresh_out(out: &Path) -> Result<(), Fail> {
    if std::fs::symlink_metadata(out).is_ok() {
        return Err(BundleError::Exists(out.to_path_buf()).into());
    }
    Ok(())
}

fn print_written(w: &Written, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::json!({
                "file": w.path.display().to_string(),
                "bytes": w.bytes,
                "journal_bytes": w.journal_bytes,
                "entries": w.entries,
                "head": w.head.map(|h| hex(&h)),
                "checkpoint_size": w.checkpoint_size,
                "daily_checkpoints": w.daily,
                "secrets": w.secrets,
                "notices": w.notices,
            })
        );
    } else {
        let what = if w.secrets { "backup" } else { "export" };
        println!("{what} written to {} ({} bytes)", w.path.display(), w.bytes);
        println!("  entries       {}", w.entries);
        if let Some(h) = w.head {
            println!("  head          {}", hex(&h));
        }
        match w.checkpoint_size {
            Some(n) => println!("  checkpoint    of {n} entries, signed by the ledger key"),
            None => println!("  checkpoint    none"),
        }
        println!("  daily         {} closing checkpoint(s)", w.daily);
        if w.secrets {
            println!("  secrets       ledger.key and person.key, sealed under the passphrase");
        } else {
            println!("  secrets       none: this file is for auditors");
        }
    }
    for n in &w.notices {
        eprintln!("note: {n}");
    }
}

/// `custody export --out FILE`: the journal and its checkpoints, no secret.
pub fn export(dir: &Path, a: ExportArgs) -> Result<u8, Fail> {
    fresh_out(&a.out)?;
    let written = bundle::write(dir, &a.out, None)?;
    print_written(&written, a.json);
    Ok(0)
}

fn kdf(name: &str) -> Result<KdfParams, Fail> {
    match name {
        "default" => Ok(KdfParams::DEFAULT),
        "low-cost" => Ok(KdfParams::LOW_COST),
        other => Err(input(format!("--kdf {other:?}: use default or low-cost"))),
    }
}

/// `custody backup --out FILE`: the export plus the ledger's two secrets, sealed under a
/// passphrase typed twice (or read from `--pass-file`).
pub fn backup(dir: &Path, a: BackupArgs) -> Result<u8, Fail> {
    let params = kdf(&a.kdf)?;
    fresh_out(&a.out)?;
    // Refuse a missing ledger before asking for a passphrase that would be wasted.
    journal_path(dir)?;
    let pass: Zeroizing<Vec<u8>> = match &a.pass_file {
        Some(p) => sign::read_pass_file(p)?,
        None => {
            let first = sign::prompt_passphrase("New passphrase for the backup: ")?;
            let again = sign::prompt_passphrase("Same passphrase again: ")?;
            if first != again {
                return Err(input("the two passphrases differ; nothing was written"));
            }
            first
        }
    };
    if params.is_low_cost() {
        eprintln!(
            "warning: low-cost key-derivation profile: for tests and demos only, never for a real backup"
        );
    }
    let written = bundle::write(
        dir,
        &a.out,
        Some(Seal {
            passphrase: &pass,
            params,
        }),
    )?;
    print_written(&written, a.json);
    eprintln!(
        "keep the backup and its passphrase apart: together they can sign checkpoints and tag person numbers"
    );
    Ok(0)
}

/// `custody restore FILE`: rebuilds the ledger in `--ledger DIR` from a backup, after auditing
/// it against every checkpoint the directory and the operator hold.
pub fn restore(dir: &Path, a: RestoreArgs) -> Result<u8, Fail> {
    let trust = match a.trust.as_deref() {
        Some(t) => Some(parse_hex::<32>(t).ok_or_else(|| {
            input(format!(
                "--trust {t:?} is not a 64-digit hex hash (init printed the genesis hash)"
            ))
        })?),
        None => None,
    };
    let opened = bundle::open(&a.file)?;
    if !opened.header.has_secrets() {
        return Err(BundleError::NotABackup(a.file.clone()).into());
    }
    let checkpoints = a
        .checkpoints
        .iter()
        .map(|p| bundle::read_checkpoint_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    let pass = match &a.pass_file {
        Some(p) => sign::read_pass_file(p)?,
        None => sign::prompt_passphrase("Passphrase of the backup: ")?,
    };
    let restored = bundle::restore(
        opened,
        &a.file,
        dir,
        &pass,
        &RestoreOptions { checkpoints, trust },
    )?;
    let r = &restored.report;
    if a.json {
        println!(
            "{}",
            serde_json::json!({
                "ledger": dir.display().to_string(),
                "entries": r.entries,
                "head": r.head_hash.map(|h| hex(&h)),
                "tree_size": r.tree_size,
                "root": hex(&r.root),
                "findings": r.findings.len(),
                "kept": restored.kept.as_ref().map(|p| p.display().to_string()),
                "notices": restored.notices,
            })
        );
    } else {
        println!("ledger restored in {}", dir.display());
        println!("  entries       {}", r.entries);
        if let Some(h) = r.head_hash {
            println!("  head          {}", hex(&h));
        }
        println!("  root          {}", hex(&r.root));
        if let Some(k) = &restored.kept {
            println!(
                "  kept          the journal it replaced, as {}",
                k.display()
            );
        }
    }
    if !r.findings.is_empty() {
        eprintln!(
            "note: the restored ledger has {} audit finding(s) (custody, timing or authorization); run `custody verify`",
            r.findings.len()
        );
    }
    for n in &restored.notices {
        eprintln!("note: {n}");
    }
    Ok(0)
}
