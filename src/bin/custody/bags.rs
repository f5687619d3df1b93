//! Bag lists from the command line: `--bag`, a CSV manifest, or a barcode scanner on stdin.

use crate::cli::BagInput;
use crate::fail::{Fail, input};
use custody::i18n::Msg;
use std::collections::HashSet;
use std::io::{BufRead, IsTerminal, Read, Write};

/// The most bags one event may name, and the largest manifest read.
const MAX_BAGS: usize = 10_000;
const MAX_MANIFEST: u64 = 8 << 20;

/// One bag as given: the barcode, and whatever else the source supplied.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BagRow {
    pub id: String,
    pub seal: Option<String>,
    pub count: Option<u32>,
    pub kind: Option<String>,
    pub session: Option<String>,
    pub site: Option<String>,
    pub room: Option<String>,
}

fn count(text: &str, id: &str) -> Result<u32, Fail> {
    text.trim()
        .parse()
        .map_err(|_| input(format!("bag {id}: count {text:?} is not a whole number")))
}

fn nonempty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// `ID[:SEAL[:COUNT]]`.
fn parse_bag_arg(arg: &str) -> Result<BagRow, Fail> {
    let mut parts = arg.splitn(3, ':');
    let id = parts.next().unwrap_or_default().trim().to_string();
    let seal = parts.next().and_then(nonempty);
    let count = parts.next().map(|c| count(c, &id)).transpose()?;
    Ok(BagRow {
        id,
        seal,
        count,
        ..BagRow::default()
    })
}

/// `ID [SEAL [COUNT]]`, as a scanner types it.
fn parse_scan_line(line: &str) -> Result<Option<BagRow>, Fail> {
    let mut parts = line.split_whitespace();
    let Some(id) = parts.next() else {
        return Ok(None);
    };
    let seal = parts.next().map(str::to_string);
    let count = parts.next().map(|c| count(c, id)).transpose()?;
    if parts.next().is_some() {
        return Err(input(format!(
            "bag {id}: a scanned line holds at most ID, SEAL and COUNT"
        )));
    }
    Ok(Some(BagRow {
        id: id.to_string(),
        seal,
        count,
        ..BagRow::default()
    }))
}

const COLUMNS: [&str; 7] = ["bag_id", "seal", "count", "kind", "session", "site", "room"];

/// A CSV manifest: a header row naming `bag_id` and any of the other columns; UTF-8.
pub fn parse_manifest(bytes: &[u8], name: &str) -> Result<Vec<BagRow>, Fail> {
    let text =
        std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).map_err(|e| {
            input(format!(
                "{name}: not UTF-8 text (byte {}); save the manifest as UTF-8 CSV",
                e.valid_up_to()
            ))
        })?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| input(format!("{name}: {e}")))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(input(format!("{name}: column {h:?} appears twice")));
        }
        if !COLUMNS.contains(&h.as_str()) {
            return Err(input(format!(
                "{name}: unknown column {h:?}; the columns are {}",
                COLUMNS.join(", ")
            )));
        }
    }
    let col = |n: &str| headers.iter().position(|h| h == n);
    let id_col = col("bag_id")
        .ok_or_else(|| input(format!("{name}: the header row has no bag_id column")))?;
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| input(format!("{name}: {e}")))?;
        let line = i + 2;
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).and_then(nonempty);
        let id =
            get(Some(id_col)).ok_or_else(|| input(format!("{name} line {line}: empty bag_id")))?;
        let count = get(col("count")).map(|c| count(&c, &id)).transpose()?;
        rows.push(BagRow {
            seal: get(col("seal")),
            count,
            kind: get(col("kind")),
            session: get(col("session")),
            site: get(col("site")),
            room: get(col("room")),
            id,
        });
        if rows.len() > MAX_BAGS {
            return Err(input(format!(
                "{name}: more than {MAX_BAGS} bags; split it into several events"
            )));
        }
    }
    Ok(rows)
}

/// Bags scanned at a terminal: a prompt for each scan, the bag echoed with its seal and a
/// running count, until an empty line or end of input. A scanner that fires twice on one bag is
/// an immediate double scan: warned about and ignored, and a line that cannot be read is
/// scanned again, instead of losing the batch.
fn scan_at_terminal() -> Result<Vec<BagRow>, Fail> {
    let lang = crate::lang();
    let mut rows: Vec<BagRow> = Vec::new();
    loop {
        eprint!("{}", lang.f(Msg::ScanPrompt, &[("n", &(rows.len() + 1))]));
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        let read = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| input(format!("standard input: {e}")))?;
        if read == 0 || line.trim().is_empty() {
            eprintln!();
            break;
        }
        let row = match parse_scan_line(&line) {
            Ok(Some(row)) => row,
            Ok(None) => continue,
            Err(e) => {
                eprintln!("{}", lang.f(Msg::ScanAgain, &[("why", &e.message)]));
                continue;
            }
        };
        if rows.last().is_some_and(|last| last.id == row.id) {
            eprintln!("{}", lang.f(Msg::ScanTwice, &[("id", &row.id)]));
            continue;
        }
        let seal = row.seal.clone().unwrap_or_else(|| "-".into());
        rows.push(row);
        let last = &rows[rows.len() - 1];
        eprintln!(
            "{}",
            lang.f(
                Msg::ScanEcho,
                &[("id", &last.id), ("seal", &seal), ("n", &rows.len())]
            )
        );
        if rows.len() > MAX_BAGS {
            return Err(input(format!("more than {MAX_BAGS} bags scanned")));
        }
    }
    Ok(rows)
}

/// Reads a file of at most `cap` bytes; larger input (or one that never ends, like a device or
/// a pipe) is refused after `cap + 1` bytes, whatever the file system says its length is.
pub fn read_capped(path: &std::path::Path, cap: u64, what: &str) -> Result<Vec<u8>, Fail> {
    let name = path.display();
    let file = std::fs::File::open(path).map_err(|e| input(format!("{name}: {e}")))?;
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| input(format!("{name}: {e}")))?;
    if bytes.len() as u64 > cap {
        return Err(input(format!(
            "{name}: over the {cap}-byte limit for {what}"
        )));
    }
    Ok(bytes)
}

/// All the bags given, in order; duplicates and an empty list are refused.
pub fn read(bags: &BagInput) -> Result<Vec<BagRow>, Fail> {
    let mut rows = Vec::new();
    for arg in &bags.bags {
        rows.push(parse_bag_arg(arg)?);
    }
    if let Some(path) = &bags.manifest {
        let name = path.display().to_string();
        let bytes = read_capped(path, MAX_MANIFEST, "a manifest")?;
        rows.extend(parse_manifest(&bytes, &name)?);
    }
    match bags.bags_from.as_deref() {
        None => {}
        Some("-") if std::io::stdin().is_terminal() => rows.extend(scan_at_terminal()?),
        Some("-") => {
            // Bounded, like a manifest: a stream that never ends is not a list of bags.
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(MAX_MANIFEST + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| input(format!("standard input: {e}")))?;
            if bytes.len() as u64 > MAX_MANIFEST {
                return Err(input(format!(
                    "standard input: over the {MAX_MANIFEST}-byte limit for a list of bags"
                )));
            }
            let text =
                String::from_utf8(bytes).map_err(|_| input("standard input: not UTF-8 text"))?;
            for line in text.lines() {
                rows.extend(parse_scan_line(line)?);
                if rows.len() > MAX_BAGS {
                    return Err(input(format!(
                        "more than {MAX_BAGS} bags on standard input"
                    )));
                }
            }
        }
        Some(other) => {
            return Err(input(format!(
                "--bags-from {other:?}: only - (standard input) is supported"
            )));
        }
    }
    if rows.is_empty() {
        return Err(input(
            "no bags: give --bag ID[:SEAL[:COUNT]], --manifest FILE.csv or --bags-from -",
        ));
    }
    let mut seen = HashSet::new();
    for r in &rows {
        let fields = [
            Some(&r.id),
            r.seal.as_ref(),
            r.kind.as_ref(),
            r.session.as_ref(),
            r.site.as_ref(),
            r.room.as_ref(),
        ];
        if let Some(bad) = fields
            .into_iter()
            .flatten()
            .find(|f| f.chars().any(char::is_control))
        {
            let shown: String = bad.chars().take(40).collect();
            return Err(input(format!(
                "bag {shown:?}: a control character in a barcode, seal or place; scan or type it again"
            )));
        }
        if r.id.is_empty() {
            return Err(input("a bag id is empty"));
        }
        if !seen.insert(r.id.as_str()) {
            return Err(input(format!("bag {} is given twice", r.id)));
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bag_arguments_take_a_seal_and_a_count() {
        assert_eq!(
            parse_bag_arg("QP-1:S9:30").unwrap(),
            BagRow {
                id: "QP-1".into(),
                seal: Some("S9".into()),
                count: Some(30),
                ..BagRow::default()
            }
        );
        assert_eq!(parse_bag_arg("QP-1").unwrap().seal, None);
        assert!(parse_bag_arg("QP-1:S9:thirty").is_err());
    }

    #[test]
    fn scanned_lines_are_id_seal_count() {
        let row = parse_scan_line("  QP-1   S9  ").unwrap().unwrap();
        assert_eq!(
            (row.id.as_str(), row.seal.as_deref(), row.count),
            ("QP-1", Some("S9"), None)
        );
        assert_eq!(parse_scan_line("   ").unwrap(), None);
        assert!(parse_scan_line("a b 3 d").is_err());
    }

    #[test]
    fn manifests_read_chinese_names_and_refuse_bad_columns() {
        let csv = "bag_id,kind,session,site,room,seal,count\nQP-1,question_papers,yuwen,第一中学,第01考场,S1,30\n";
        let rows = parse_manifest(csv.as_bytes(), "m.csv").unwrap();
        assert_eq!(rows[0].site.as_deref(), Some("第一中学"));
        assert_eq!(rows[0].count, Some(30));
        assert!(parse_manifest(b"id,seal\nQP-1,S1\n", "m.csv").is_err());
        assert!(parse_manifest(b"seal\nS1\n", "m.csv").is_err());
        assert!(parse_manifest(b"bag_id,count\nQP-1,x\n", "m.csv").is_err());
        assert!(parse_manifest(b"bag_id\n\xff\xfe\n", "m.csv").is_err());
    }
}
