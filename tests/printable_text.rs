//! Issue 19, defect 6: one printable-text rule for every text of every event, the genesis
//! included, on append and in the audit; and journal text neutralised wherever it reaches a
//! terminal. Each attack through the real binary, and the same text forced into a journal by a
//! raw append that no rule judges.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::entry::{DecodedEntry, Entry};
use custody::event::{Event, Schedule};
use custody::time::Timestamp;
use util::Fixture;
use util::forms::force;

const ESC_EXAM: &str = "2026 学考\u{1b}[8m hidden from every reader";
const BIDI_SESSION: &str = "QP-\u{202e}100";

fn init_args(fx: &Fixture, exam: &str) -> Vec<String> {
    let mut args: Vec<String> = vec!["init".into(), "--exam".into(), exam.into()];
    for (i, id) in ["a1", "a2", "a3"].into_iter().enumerate() {
        fx.keygen(id, &format!("Admin {id}"));
        args.extend([
            "--founder".into(),
            format!("keys/{id}.pub"),
            "--founder-person".into(),
            format!("100{}", i + 1),
        ]);
    }
    args.extend(fx.signing(&["a1", "a2", "a3"]));
    args
}

/// The founders re-sign the genesis with another exam name: a journal whose genesis no writer
/// would have accepted, with valid signatures.
fn force_exam(fx: &Fixture, exam: &str) {
    let (header, records) = fx.records();
    let old = DecodedEntry::decode(&records[0].1).unwrap();
    let mut body = old.body.clone();
    let Event::Genesis(g) = &mut body.event else {
        panic!("entry 0 is not the genesis")
    };
    g.exam = exam.into();
    let body = body.encode().unwrap();
    let entry = Entry {
        seq: 0,
        prev_hash: [0; 32],
        recorded_at: old.entry.recorded_at,
        signatures: fx.cosign(&body, &["a1", "a2", "a3"]),
        body,
    };
    fx.write_records(&header, &[entry.encode().unwrap()]);
}

/// The codes `verify --json` reports at entry `seq`.
fn codes_at(fx: &Fixture, seq: u64) -> Vec<String> {
    let run = fx.run(&["verify", "--json"]).exits(1);
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["seq"] == seq)
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn assert_no_raw(what: &str, text: &str) {
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{2028}'),
        "{what} prints a raw control, bidi or separator character:\n{text:?}"
    );
}

fn schedule(session: &str, incident: Option<&str>) -> Event {
    let start = Timestamp::now().plus_seconds(3 * 24 * 3600);
    Event::Schedule(Schedule {
        session: session.into(),
        subject: "语文".into(),
        start,
        end: start.plus_seconds(2 * 3600),
        incident: incident.map(str::to_string),
    })
}

#[test]
fn an_exam_name_with_an_escape_sequence_is_refused_at_init() {
    let fx = Fixture::new();
    let args = init_args(&fx, ESC_EXAM);
    let run = fx.run(&args);
    assert_ne!(run.code, 0, "init accepted an exam name holding ESC");
    assert!(run.stderr.contains("exam name"), "{}", run.stderr);
    assert_no_raw("init's refusal", &run.stderr);
    assert!(
        fx.journal_bytes().is_empty(),
        "a refused init left a journal"
    );
}

#[test]
fn an_exam_name_of_unbounded_length_is_refused_at_init() {
    let fx = Fixture::new();
    let args = init_args(&fx, &"考".repeat(100));
    let run = fx.run(&args);
    assert_ne!(run.code, 0, "init accepted a 300-byte exam name");
    assert!(run.stderr.contains("exam name"), "{}", run.stderr);
}

#[test]
fn an_exam_name_with_an_escape_sequence_is_reported_and_never_printed_raw() {
    let fx = Fixture::new();
    fx.init3();
    force_exam(&fx, ESC_EXAM);
    // (The ledger's own checkpoints also show the rewrite as a fork.)
    assert!(codes_at(&fx, 0).contains(&"GENESIS_INVALID".to_string()));
    let verify = fx.run(&["verify"]).exits(1);
    assert_no_raw("verify", &verify.stdout);
    for args in [&["log"][..], &["show", "0"], &["roster"], &["status"]] {
        let run = fx.run(args);
        assert_no_raw(&args.join(" "), &run.stdout);
        assert_no_raw(&args.join(" "), &run.stderr);
    }
}

#[test]
fn the_ledger_s_own_roster_file_is_read_back_by_cosign() {
    // The roster reader and the genesis share one exam rule: whatever exam name `init` takes,
    // the ledger's own roster file reads back (a 1,100-byte name used to pass `init` only).
    for exam in ["考".repeat(85), "考".repeat(367), ESC_EXAM.to_string()] {
        let fx = Fixture::new();
        if fx.run(&init_args(&fx, &exam)).code != 0 {
            continue;
        }
        fx.run(&["roster", "--out", "roster.json"]).exits(0);
        let text = std::fs::read_to_string(fx.path("roster.json")).unwrap();
        if let Err(e) = custody::draft::RosterFile::from_json(&text) {
            panic!(
                "init took a {}-byte exam name its roster file refuses: {e}",
                exam.len()
            );
        }
    }
}

#[test]
fn a_session_id_with_a_bidi_override_is_refused_at_append() {
    let fx = Fixture::new();
    fx.init3();
    let mut args: Vec<String> = [
        "schedule",
        "--session",
        BIDI_SESSION,
        "--subject",
        "语文",
        "--start",
        "2030-06-07T09:00:00+08:00",
        "--end",
        "2030-06-07T11:30:00+08:00",
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(&["a1", "a2"]));
    let run = fx.refused(&args, 3, "EVENT_INVALID");
    assert!(run.stderr.contains("bidirectional"), "{}", run.stderr);
    assert_no_raw("the refusal", &run.stderr);
}

#[test]
fn a_note_with_a_line_separator_is_refused_at_append() {
    let fx = Fixture::new();
    fx.init3();
    let mut args: Vec<String> = [
        "schedule",
        "--session",
        "yuwen",
        "--subject",
        "语文",
        "--start",
        "2030-06-07T09:00:00+08:00",
        "--end",
        "2030-06-07T11:30:00+08:00",
        "--incident",
        "agreed\u{2028}with the province",
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(&["a1", "a2"]));
    fx.refused(&args, 3, "separator");
}

#[test]
fn a_bidi_override_forced_into_a_journal_is_reported_and_never_printed_raw() {
    let fx = Fixture::new();
    fx.init3();
    let seq = force(
        &fx,
        schedule(BIDI_SESSION, None),
        Timestamp::now(),
        &["a1", "a2"],
    );
    let noted = force(
        &fx,
        schedule("yuwen", Some("fine\u{2028}forged line")),
        Timestamp::now(),
        &["a1", "a2"],
    );
    assert_eq!(codes_at(&fx, seq), vec!["EVENT_INVALID"]);
    assert_eq!(codes_at(&fx, noted), vec!["EVENT_INVALID"]);
    for args in [
        &["log"][..],
        &["show", &seq.to_string()],
        &["show", &noted.to_string()],
        &["verify"],
    ] {
        let run = fx.run(args);
        assert_no_raw(&args.join(" "), &run.stdout);
        assert_no_raw(&args.join(" "), &run.stderr);
    }
    let show = fx.run(&["show", &seq.to_string()]);
    assert!(show.stdout.contains("QP-\\u202e100"), "{}", show.stdout);
}
