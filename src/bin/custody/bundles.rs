//! Export, backup and restore: one file for auditors, one for safekeeping, and the way back.
//! The bundle format and every check live in `custody::bundle`; this module asks for
//! passphrases, prints, and maps failures to exit codes.

use crate::cli::{BackupArgs, ExportArgs, RestoreArgs};
use crate::fail::{Fail, input};
use crate::sign;
use custody::bundle::{self, BundleError, RestoreOptions, Seal, Written};
use custody::entry::{hex, parse_hex};
use custody::i18n::Msg;
use custody::keyfile::KdfParams;
use custody::ledger::journal_path;
use std::path::Path;
use zeroize::Zeroizing;

impl From<BundleError> for Fail {
    fn from(e: BundleError) -> Fail {
        let code = crate::fail::exit_code(e.class());
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

fn print_written(w: &Written, json: bool) {
    if json {
        outln!(
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
        let lang = crate::lang();
        let what = if w.secrets {
            Msg::BackupWritten
        } else {
            Msg::ExportWritten
        };
        outln!(
            "{}",
            lang.f(what, &[("path", &w.path.display()), ("bytes", &w.bytes)])
        );
        field(Msg::FieldEntries, w.entries.to_string());
        if let Some(h) = w.head {
            field(Msg::FieldHead, hex(&h));
        }
        field(
            Msg::FieldCheckpoint,
            match w.checkpoint_size {
                Some(n) => lang.f(Msg::CheckpointOf, &[("n", &n)]),
                None => lang.t(Msg::None).into(),
            },
        );
        field(
            Msg::FieldDaily,
            lang.f(Msg::DailyCheckpoints, &[("n", &w.daily)]),
        );
        field(
            Msg::FieldSecrets,
            lang.t(if w.secrets {
                Msg::SecretsSealed
            } else {
                Msg::SecretsNone
            })
            .into(),
        );
    }
    notes(&w.notices);
}

/// `  label         value`, the label in the chosen language.
fn field(label: Msg, value: String) {
    let label = crate::lang().t(label);
    outln!(
        "  {} {value}",
        custody::lang::text::pad(label, 13, custody::lang::text::Align::Left)
    );
}

fn notes(notices: &[String]) {
    for n in notices {
        eprintln!("{}", crate::lang().f(Msg::Note, &[("text", n)]));
    }
}

/// `custody export --out FILE`: the journal and its checkpoints, no secret.
pub fn export(dir: &Path, a: ExportArgs) -> Result<u8, Fail> {
    crate::fail::fresh(&a.out)?;
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
    crate::fail::fresh(&a.out)?;
    // Refuse a missing ledger before asking for a passphrase that would be wasted.
    journal_path(dir)?;
    let pass: Zeroizing<Vec<u8>> = match &a.pass_file {
        Some(p) => sign::read_pass_file(p)?,
        None => {
            let lang = crate::lang();
            let first = sign::prompt_passphrase(lang.t(Msg::NewBackupPassphrase))?;
            let again = sign::prompt_passphrase(lang.t(Msg::SamePassphrase))?;
            if first != again {
                return Err(input(crate::lang().t(Msg::PassphrasesDiffer)));
            }
            first
        }
    };
    if params.is_low_cost() {
        eprintln!("{}", crate::lang().t(Msg::LowCostProfile));
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
    eprintln!("{}", crate::lang().t(Msg::KeepBackupApart));
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
        None => sign::prompt_passphrase(crate::lang().t(Msg::BackupPassphrase))?,
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
        outln!(
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
        let lang = crate::lang();
        outln!(
            "{}",
            lang.f(Msg::LedgerRestored, &[("dir", &dir.display())])
        );
        field(Msg::FieldEntries, r.entries.to_string());
        if let Some(h) = r.head_hash {
            field(Msg::FieldHead, hex(&h));
        }
        field(Msg::FieldRoot, hex(&r.root));
        if let Some(k) = &restored.kept {
            field(
                Msg::FieldKept,
                lang.f(Msg::KeptJournal, &[("path", &k.display())]),
            );
        }
    }
    if !r.findings.is_empty() {
        eprintln!(
            "{}",
            crate::lang().f(Msg::RestoredFindings, &[("n", &r.findings.len())])
        );
    }
    notes(&restored.notices);
    Ok(0)
}
