//! The read-only commands: they read the journal directly and never take the writer lock.

use crate::fail::{EXIT_STORAGE, Fail, input};
use custody::audit::{self, Report, Visit};
use custody::entry::{DecodedEntry, hex};

use custody::event::Event;
use custody::finding::{Code, Finding};
use custody::roster::Keyholder;
use custody::summary::detail;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};

fn journal(dir: &Path) -> Result<PathBuf, Fail> {
    Ok(custody::ledger::journal_path(dir)?)
}

fn keyholder_json(k: &Keyholder) -> Value {
    json!({
        "id": k.id,
        "name": k.name,
        "roles": k.roles,
        "public_key": hex(&k.public_key),
        "person_tag": hex(&k.person_tag),
        "valid_from": k.valid_from.map(|t| t.to_rfc3339()),
        "valid_until": k.valid_until.map(|t| t.to_rfc3339()),
    })
}

fn event_json(e: &Event) -> Value {
    match e {
        Event::Genesis(g) => json!({
            "exam": g.exam,
            "time_zone": g.time_zone,
            "ledger_key": hex(&g.ledger_key),
            "founders": g.founders.iter().map(keyholder_json).collect::<Vec<_>>(),
            "policy": g.policy,
        }),
        Event::Enroll(k) => keyholder_json(k),
        Event::Revoke(r) => json!({"id": r.id, "reason": r.reason}),
        // The other events hold only text and numbers: their serde form is their JSON form,
        // without the enum's tag (the entry's "kind" says it).
        other => match serde_json::to_value(other) {
            Ok(Value::Object(map)) => map
                .into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or(Value::Null),
            _ => Value::Null,
        },
    }
}

fn entry_json(e: &DecodedEntry, findings: &[Finding]) -> Value {
    json!({
        "seq": e.entry.seq,
        "hash": hex(&e.hash),
        "prev_hash": hex(&e.entry.prev_hash),
        "recorded_at": e.entry.recorded_at.to_rfc3339(),
        "event_time": e.body.event_time.to_rfc3339(),
        "kind": e.body.event.kind(),
        "signers": e.body.signers,
        "head": {"size": e.body.head.size, "hash": hex(&e.body.head.hash)},
        "nonce": hex(&e.body.nonce),
        "event": event_json(&e.body.event),
        "signatures": e.entry.signatures.iter().map(|s| json!({"signer": s.signer, "signature": hex(&s.signature)})).collect::<Vec<_>>(),
        "findings": findings,
    })
}

fn zone_of(v: &Visit<'_>, zone: &mut String) {
    if let Some(e) = v.entry
        && let Event::Genesis(g) = &e.body.event
    {
        *zone = g.time_zone.clone();
    }
}

/// A journal whose header cannot be read holds nothing to list.
fn readable(report: &Report) -> Result<(), Fail> {
    match report
        .findings
        .iter()
        .find(|f| f.code == Code::JournalHeader)
    {
        Some(f) if report.entries == 0 => Err(Fail {
            code: EXIT_STORAGE,
            message: format!("cannot read the journal: {}", f.message),
            hint: Some("run `custody verify` for the audit".into()),
        }),
        _ => Ok(()),
    }
}

/// `custody log`: one line per entry, or a JSON array.
pub fn log(dir: &Path, json_out: bool) -> Result<u8, Fail> {
    let path = journal(dir)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut zone = String::from("UTC");
    let mut first = true;
    if json_out {
        let _ = write!(out, "[");
    } else {
        let _ = writeln!(
            out,
            "{:>5}  {:<26}  {:<8}  {:<23}  DETAIL",
            "SEQ", "RECORDED", "EVENT", "SIGNERS"
        );
    }
    let report = audit::walk(&path, None, |v| {
        zone_of(&v, &mut zone);
        let Some(e) = v.entry else {
            if !json_out {
                let _ = writeln!(
                    out,
                    "{:>5}  (record at byte {} does not decode)",
                    "?", v.offset
                );
            }
            return;
        };
        if json_out {
            let sep = if first { "" } else { "," };
            let _ = write!(out, "{sep}\n{}", entry_json(e, v.findings));
        } else {
            let _ = writeln!(
                out,
                "{:>5}  {:<26}  {:<8}  {:<23}  {}",
                e.entry.seq,
                e.entry.recorded_at.display_in(&zone),
                e.body.event.kind().as_str(),
                e.body.signers.join("+"),
                detail(&e.body.event)
            );
        }
        first = false;
    })?;
    if json_out {
        let _ = writeln!(out, "\n]");
    }
    readable(&report)?;
    if !report.is_clean() {
        eprintln!(
            "note: the audit has {} finding(s); run `custody verify`",
            report.findings.len()
        );
    }
    Ok(0)
}

/// `custody show SEQ`: one entry in full.
pub fn show(dir: &Path, seq: u64, json_out: bool) -> Result<u8, Fail> {
    let path = journal(dir)?;
    let mut zone = String::from("UTC");
    let mut shown = false;
    let mut text = String::new();
    let mut value = Value::Null;
    let report = audit::walk(&path, None, |v| {
        zone_of(&v, &mut zone);
        let Some(e) = v.entry else { return };
        if shown || e.entry.seq != seq {
            return;
        }
        shown = true;
        if json_out {
            value = entry_json(e, v.findings);
            return;
        }
        let name = |id: &str| -> String {
            match &e.body.event {
                Event::Genesis(g) => g
                    .founders
                    .iter()
                    .find(|f| f.id == id)
                    .map(|f| f.name.clone()),
                _ => v
                    .state
                    .keyholder(id)
                    .ok()
                    .flatten()
                    .map(|r| r.keyholder.name),
            }
            .unwrap_or_else(|| "?".into())
        };
        let b = &e.body;
        let mut t = format!(
            "entry        {}\nhash         {}\nprevious     {}\nrecorded     {}\nevent time   {}\nevent        {}\ndetail       {}\nsigned at    head {} ({})\nnonce        {}\n",
            e.entry.seq,
            hex(&e.hash),
            hex(&e.entry.prev_hash),
            e.entry.recorded_at.display_in(&zone),
            b.event_time.display_in(&zone),
            b.event.kind(),
            detail(&b.event),
            b.head.size,
            hex(&b.head.hash),
            hex(&b.nonce),
        );
        for s in &e.entry.signatures {
            t.push_str(&format!(
                "signed by    {} ({})  {}\n",
                s.signer,
                name(&s.signer),
                hex(&s.signature)
            ));
        }
        for f in v.findings {
            t.push_str(&format!("FINDING      {}: {}\n", f.code, f.message));
        }
        text = t;
    })?;
    readable(&report)?;
    if !shown {
        return Err(input(format!(
            "no entry {seq}: the ledger has {} entries",
            report.entries
        )));
    }
    if json_out {
        println!("{value}");
    } else {
        print!("{text}");
    }
    Ok(0)
}

/// `custody verify`: the audit report. Returns whether it is clean.
pub fn verify(dir: &Path, trust: Option<[u8; 32]>, json_out: bool) -> Result<bool, Fail> {
    let path = journal(dir)?;
    let report = audit::verify(&path, trust)?;
    if json_out {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| input(e.to_string()))?
        );
    } else {
        print!("{}", render_report(&report));
    }
    Ok(report.is_clean())
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
