//! Issue 19, defect 10: what decides the rules is shown to the people who check them. Every
//! session's schedule (the first one too) is in the text and HTML reports as a timetable; a
//! policy change's summary and both reports show every rule it changes, old against new, the
//! co-signer rules and `separated_roles` included.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::policy::{EventKind, Policy};
use util::Fixture;

fn schedule(fx: &Fixture, start: &str, end: &str) {
    let mut args: Vec<String> = [
        "schedule",
        "--session",
        "yuwen",
        "--subject",
        "语文",
        "--start",
        start,
        "--end",
        end,
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(&["a1", "a2"]));
    fx.run(&args).exits(0);
}

fn html_report(fx: &Fixture) -> String {
    fx.run(&["verify", "--html", "report.html"]).exits(0);
    std::fs::read_to_string(fx.path("report.html")).unwrap()
}

#[test]
fn a_session_s_first_schedule_is_in_the_text_and_html_reports() {
    let fx = Fixture::new();
    fx.init3();
    schedule(
        &fx,
        "2030-06-07T09:00:00+08:00",
        "2030-06-07T11:30:00+08:00",
    );
    let text = fx.run(&["verify", "--lang", "en"]).exits(0).stdout;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("yuwen 语文: 2030-06-07 09:00 to 2030-06-07 11:30, scheduled by a1 + a2"),
        "the text report does not show the first schedule:\n{text}"
    );
    let json = fx.run(&["verify", "--json"]).exits(0).json();
    assert_eq!(json["timetable"][0]["session"], "yuwen");
    assert_eq!(json["timetable"][0]["start"], "2030-06-07T01:00:00Z");
    assert_eq!(json["timetable"][0]["rescheduled"], false);
    let page = html_report(&fx);
    assert!(
        page.contains("2030-06-07 09:00") && page.contains("yuwen"),
        "the HTML report does not show the first schedule"
    );
}

#[test]
fn a_policy_change_shows_its_co_signer_rule_and_separated_roles_changes() {
    let fx = Fixture::new();
    fx.init3();
    let mut p = Policy::default();
    p.cosigners
        .iter_mut()
        .find(|r| r.kind == EventKind::Open)
        .unwrap()
        .any_of = vec![vec![]];
    p.separated_roles.clear();
    std::fs::write(fx.path("p.toml"), toml::to_string(&p).unwrap()).unwrap();
    let mut args: Vec<String> = ["policy", "set", "--file", "p.toml", "--lang", "en"]
        .map(String::from)
        .to_vec();
    args.extend(fx.signing(&["a1", "a2"]));
    let run = fx.run(&args).exits(0);
    let open = "cosigners.open: chief_examiner + invigilator | invigilator + invigilator -> any two keyholders";
    let separated = "separated_roles: custodian/supervisor -> (none)";
    // The signers' summary, each change on a line of its own under the label.
    let summary = run.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(summary.contains("changes cosigners.open"), "{summary}");
    assert!(
        summary.contains("custodian/supervisor -> (none)"),
        "{summary}"
    );
    let json = fx.run(&["verify", "--json"]).exits(0).json();
    let listed = json["listed"][1]["text"].as_str().unwrap().to_string();
    assert!(
        listed.contains(open) && listed.contains(separated),
        "{listed}"
    );
    let report = fx.run(&["verify", "--lang", "en"]).exits(0).stdout;
    let report = report.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        report.contains("custodian/supervisor -> (none)"),
        "{report}"
    );
    assert!(report.contains("-> any two keyholders"), "{report}");
    let page = html_report(&fx);
    assert!(page.contains(&open.replace('>', "&gt;")), "the HTML report");
    assert!(
        page.contains(&separated.replace('>', "&gt;")),
        "the HTML report"
    );
}

/// Decided (docs/AUDIT.md, "The rules, precisely"): a keyholder may co-sign their own
/// revocation. With two admins left, an admin can only be revoked with their own signature.
#[test]
fn a_keyholder_may_co_sign_their_own_revocation() {
    let fx = Fixture::new();
    fx.init3();
    let mut args: Vec<String> = ["revoke", "--id", "a1", "--reason", "leaves the office"]
        .map(String::from)
        .to_vec();
    args.extend(fx.signing(&["a1", "a2"]));
    fx.run(&args).exits(0);
    let json = fx.run(&["verify", "--json"]).exits(0).json();
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);
    // Revoked, a1 fills no role any more.
    let mut again: Vec<String> = ["revoke", "--id", "a3", "--reason", "x"]
        .map(String::from)
        .to_vec();
    again.extend(fx.signing(&["a1", "a2"]));
    fx.refused(&again, 3, "SIGNER_REVOKED");
}

/// Every finding code has its row in docs/AUDIT.md's code table, with its category, and every
/// custody or timing code its rule in docs/CUSTODY.md: a code added without its documentation
/// fails here, whoever adds it.
#[test]
fn every_finding_code_is_documented_with_its_category() {
    use custody::finding::{Category, Code};
    let audit =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/AUDIT.md")).unwrap();
    let custody_doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/CUSTODY.md")).unwrap();
    let mut missing = Vec::new();
    for &code in Code::ALL {
        let category = format!("{:?}", code.category()).to_lowercase();
        let row = format!("| `{}` | {category} |", code.as_str());
        if !audit.contains(&row) {
            missing.push(format!("AUDIT.md row `{row}`"));
        }
        if matches!(code.category(), Category::Custody | Category::Timing)
            && !custody_doc.contains(code.as_str())
        {
            missing.push(format!("CUSTODY.md mention of {}", code.as_str()));
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}
