//! The custody rules' three forms (refused, recorded with a note, forced), shared by
//! tests/custody_rules.rs and the tests/rules_*.rs files.

use super::Fixture;

use custody::entry::Entry;
use custody::event::Event;
use custody::journal;
use custody::ledger;
use custody::time::Timestamp;
use serde_json::json;

/// The incident note the three forms record a violation with.
pub const NOTE: &str = "it really happened: see the paper register";

pub fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// `args`, then `--at` if given, then the signing flags.
pub fn full_args(
    fx: &Fixture,
    args: &[&str],
    signers: &[&str],
    at: Option<Timestamp>,
) -> Vec<String> {
    let mut out = strings(args);
    if let Some(at) = at {
        out.extend(["--at".to_string(), at.to_rfc3339()]);
    }
    out.extend(fx.signing(signers));
    out
}

/// Runs a command that must be accepted with nothing flagged; returns the entry's seq.
#[track_caller]
pub fn record(fx: &Fixture, args: &[&str], signers: &[&str], at: Option<Timestamp>) -> u64 {
    let mut args = full_args(fx, args, signers, at);
    args.push("--json".into());
    let receipt = fx.run(&args).exits(0).json();
    assert_eq!(receipt["flagged"], json!([]), "{args:?}");
    receipt["seq"].as_u64().expect("seq in the receipt")
}

pub type Found = (String, u64, Option<String>);

pub fn found(code: &str, seq: u64, bag: Option<&str>) -> Found {
    (code.to_string(), seq, bag.map(str::to_string))
}

/// `verify --json` as (code, seq, bag), sorted; checks that it exits 1 iff there are findings.
#[track_caller]
pub fn audit(fx: &Fixture) -> Vec<Found> {
    let run = fx.run(&["verify", "--json"]);
    let report = run.json();
    let mut findings: Vec<Found> = report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code").to_string(),
                f["seq"].as_u64().expect("seq"),
                f["bag"].as_str().map(str::to_string),
            )
        })
        .collect();
    findings.sort();
    let expected = if findings.is_empty() { 0 } else { 1 };
    assert_eq!(run.code, expected, "verify exit code with {findings:?}");
    findings
}

/// The size of the ledger: the seq the next entry gets.
pub fn next_seq(fx: &Fixture) -> u64 {
    ledger::peek(&fx.ledger()).unwrap().head.size
}

/// The bypass: builds `event` through the library, has `signers` co-sign it, and appends it to
/// the journal with a raw write, judged by no rule at all. Returns its seq.
pub fn force(fx: &Fixture, event: Event, event_time: Timestamp, signers: &[&str]) -> u64 {
    let peek = ledger::peek(&fx.ledger()).unwrap();
    let ids = signers.iter().map(|s| s.to_string()).collect();
    let body = ledger::prepare(&peek, event, event_time, ids)
        .encode()
        .unwrap();
    let entry = Entry {
        seq: peek.head.size,
        prev_hash: peek.head.hash,
        recorded_at: Timestamp::now(),
        signatures: fx.cosign(&body, signers),
        body,
    };
    let len = fx.journal_bytes().len() as u64;
    journal::Writer::open(&fx.journal(), len)
        .unwrap()
        .append(&entry.encode().unwrap())
        .unwrap();
    entry.seq
}

/// One event that breaks one custody rule, as a command line and as a library event.
pub struct Case<'a> {
    /// The command, without `--at`, `--incident` or signing flags.
    pub args: Vec<&'a str>,
    pub signers: &'a [&'a str],
    /// The event time (`--at`); `None` for now.
    pub at: Option<Timestamp>,
    /// The same event, without an incident note, for the bypass.
    pub event: Event,
}

/// Checks the three forms of a rule on the state the exam is in now: refused without a note;
/// forced into the journal through the bypass and reported; then, on the journal as it was,
/// accepted with a note and reported. The finding must be the only one besides those the audit
/// already reported.
#[track_caller]
pub fn three_forms(ex: &Fixture, case: Case<'_>, code: &str, bag: Option<&str>) {
    let seq = next_seq(ex);
    let before = ex.journal_bytes();
    // What the audit already reports (a declared incident, say) may stay; nothing else is new.
    let earlier = audit(ex);
    let only_this = |what: &str| {
        let now = audit(ex);
        let here: Vec<Found> = now.iter().filter(|f| f.1 == seq).cloned().collect();
        assert_eq!(here, vec![found(code, seq, bag)], "{code} {what}");
        let new: Vec<&Found> = now
            .iter()
            .filter(|f| f.1 != seq && !earlier.contains(f))
            .collect();
        assert!(new.is_empty(), "{code} {what}: also {new:?}");
    };
    let args = full_args(ex, &case.args, case.signers, case.at);

    // 1. Refused without a note: exit 3, the code named, the journal untouched.
    let run = ex.refused(&args, 3, code);
    assert!(
        run.stderr.contains(&format!("refused [{code}]")),
        "the refusal names {code} first:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--incident"),
        "the refusal says how to record it:\n{}",
        run.stderr
    );

    // 3. Forced into the journal past every check: the audit reports it all the same.
    let at = case.at.unwrap_or_else(Timestamp::now);
    assert_eq!(force(ex, case.event, at, case.signers), seq);
    only_this("forced into the journal");
    assert_eq!(
        this_finding(ex, code, seq).get("declared"),
        None,
        "nobody declared the forced {code}"
    );
    // Back to the journal as it was (the index never saw the forced entry).
    std::fs::write(ex.journal(), &before).unwrap();

    // 2. Accepted with a note, flagged on the receipt, and reported by the audit.
    let mut noted = args.clone();
    noted.extend(["--incident".to_string(), NOTE.to_string(), "--json".into()]);
    let receipt = ex.run(&noted).exits(0).json();
    assert_eq!(receipt["seq"], seq);
    let flagged: Vec<&str> = receipt["flagged"]
        .as_array()
        .expect("flagged")
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, vec![code], "the receipt flags the violation");
    only_this("recorded with a note");
    assert_eq!(
        this_finding(ex, code, seq)["declared"],
        true,
        "{code} noted"
    );
}

/// The audit's JSON finding with this code at this entry.
fn this_finding(ex: &Fixture, code: &str, seq: u64) -> serde_json::Value {
    let report = ex.run(&["verify", "--json"]).json();
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .find(|f| f["code"] == code && f["seq"] == seq)
        .cloned()
        .expect("the finding")
}
