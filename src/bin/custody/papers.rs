//! `custody void`, `custody postpone` and `custody manifest import`.

use crate::bags::{self, BagRow};
use crate::cli::{ManifestImportArgs, PostponeArgs, VoidArgs};
use crate::fail::{Fail, input};
use custody::event::{Event, Manifest, ManifestRow, Postpone, Void};
use custody::rules::papers::MAX_MANIFEST_ROWS;
use custody::time::Timestamp;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The largest printer's list read.
const MAX_LIST_FILE: u64 = 8 << 20;

pub fn void(dir: &Path, a: VoidArgs) -> Result<u8, Fail> {
    crate::record(dir, &a.sign, |_| {
        Ok(Event::Void(Void {
            session: a.session.clone(),
            note: a.note.clone(),
        }))
    })
}

pub fn postpone(dir: &Path, a: PostponeArgs) -> Result<u8, Fail> {
    let time = |text: &str, flag: &str, zone: &str| {
        Timestamp::parse(text, zone).map_err(|e| input(format!("{flag}: {e}")))
    };
    crate::record(dir, &a.sign, |peek| {
        Ok(Event::Postpone(Postpone {
            session: a.session.clone(),
            start: time(&a.start, "--start", &peek.time_zone)?,
            end: time(&a.end, "--end", &peek.time_zone)?,
            note: a.note.clone(),
        }))
    })
}

pub fn import(dir: &Path, a: ManifestImportArgs) -> Result<u8, Fail> {
    let name = a.file.display().to_string();
    let bytes = bags::read_capped(&a.file, MAX_LIST_FILE, "a printer's list")?;
    let rows = bags::parse_manifest(&bytes, &name)?
        .into_iter()
        .map(|r| row(r, &name))
        .collect::<Result<Vec<_>, Fail>>()?;
    if rows.len() > MAX_MANIFEST_ROWS {
        return Err(input(format!(
            "{name}: more than {MAX_MANIFEST_ROWS} bags; split it into several lists"
        )));
    }
    let sha256: [u8; 32] = Sha256::digest(&bytes).into();
    crate::record(dir, &a.sign, |_| {
        Ok(Event::Manifest(Manifest {
            sha256,
            rows: rows.clone(),
        }))
    })
}

/// A row of the printer's list: every column but `kind` is required.
fn row(r: BagRow, name: &str) -> Result<ManifestRow, Fail> {
    let missing = |what: &str| input(format!("{name}: bag {} has no {what}", r.id));
    Ok(ManifestRow {
        seal: r.seal.clone().ok_or_else(|| missing("seal"))?,
        count: r.count.ok_or_else(|| missing("count"))?,
        session: r.session.clone().ok_or_else(|| missing("session"))?,
        site: r.site.clone().ok_or_else(|| missing("site"))?,
        room: r.room.clone().ok_or_else(|| missing("room"))?,
        bag: r.id,
    })
}
