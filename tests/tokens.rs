//! Keys on PKCS#11 tokens, through the real binary and real SoftHSM2 tokens (docs/TOKENS.md):
//! keygen on a token, a ledger founded, enrolled and recorded by token holders, a token holder
//! co-signing with a key-file holder, a draft cosigned with a token, a wrong PIN, a missing
//! token, module or key, and the policy's tokens_required in its three forms.
//!
//! Each test has its own token store (`SOFTHSM2_CONF` in its temp dir). Without SoftHSM2 these
//! tests fail: `.ci/run` installs it.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::bag::{BagKind, BagSpec};
use custody::event::{Collect, Event};
use custody::ledger;
use custody::policy::Policy;
use custody::roster::Role;
use custody::time::Timestamp;
use serde_json::json;
use std::fs;
use util::Fixture;
use util::forms::force;

const SESSION_START_H: i64 = 20;

/// `init` with these founders (person numbers 100N), their key kinds, and `policy` if given.
#[track_caller]
fn init(fx: &Fixture, founders: &[(&str, &str)], policy: Option<Policy>) {
    let mut args: Vec<String> = ["init", "--exam", "2026 学考"].map(String::from).to_vec();
    for (i, (id, kind)) in founders.iter().enumerate() {
        args.extend([
            "--founder".into(),
            format!("keys/{id}.pub"),
            "--founder-person".into(),
            format!("100{i}"),
            "--founder-key-kind".into(),
            kind.to_string(),
        ]);
    }
    if let Some(p) = policy {
        fs::write(fx.path("policy.toml"), toml::to_string(&p).unwrap()).unwrap();
        args.extend(["--policy".into(), "policy.toml".into()]);
    }
    let ids: Vec<&str> = founders.iter().map(|(id, _)| *id).collect();
    args.extend(fx.signing(&ids));
    fx.run(&args).exits(0);
}

/// `enroll` with a declared key kind.
#[track_caller]
fn enroll(fx: &Fixture, id: &str, role: &str, kind: &str, person: &str, signers: &[&str]) {
    let mut args: Vec<String> = [
        "enroll",
        "--pub",
        &format!("keys/{id}.pub"),
        "--role",
        role,
        "--person",
        person,
        "--key-kind",
        kind,
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(signers));
    fx.run(&args).exits(0);
}

fn policy_requiring(roles: &[Role]) -> Policy {
    Policy {
        tokens_required: roles.to_vec(),
        ..Policy::default()
    }
}

/// Schedules session `yuwen` (admins `by`) and writes `bags.csv` with bag QP-1 for it.
fn schedule_and_manifest(fx: &Fixture, by: &[&str]) {
    let start = Timestamp::now().plus_seconds(SESSION_START_H * 3600);
    let end = start.plus_seconds(2 * 3600);
    let mut args: Vec<String> = [
        "schedule",
        "--session",
        "yuwen",
        "--subject",
        "语文",
        "--start",
        &start.to_rfc3339(),
        "--end",
        &end.to_rfc3339(),
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(by));
    fx.run(&args).exits(0);
    fs::write(
        fx.path("bags.csv"),
        "bag_id,kind,session,site,room,seal,count\nQP-1,question_papers,yuwen,一中,01,S1,30\n",
    )
    .unwrap();
}

fn collect_args(fx: &Fixture, signers: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "record",
        "collect",
        "--manifest",
        "bags.csv",
        "--from",
        "省考试院",
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(signers));
    args
}

/// `verify --json`'s findings as (code, seq).
fn findings(fx: &Fixture) -> Vec<(String, u64)> {
    let report = fx.run(&["verify", "--json"]).json();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().into(),
                f["seq"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn keygen_on_a_token_writes_a_key_file_that_holds_no_secret() {
    let fx = Fixture::new();
    fx.token_keygen("zhang", "张建国");
    let key = fs::read_to_string(fx.path("keys/zhang.key")).unwrap();
    let public = fs::read_to_string(fx.path("keys/zhang.pub")).unwrap();
    let lines: Vec<&str> = key.lines().collect();
    assert_eq!(lines.len(), 3, "{key}");
    assert_eq!(lines[0], "custody-token-v1");
    assert_eq!(format!("{}\n", lines[1]), public, "the .pub line, repeated");
    assert!(
        lines[2].starts_with("uri pkcs11:token=zhang;serial=")
            && lines[2].contains(";object=zhang;id=%"),
        "{key}"
    );
    assert!(!key.contains("pin-zhang"), "the PIN is not in the key file");

    // A second key of that id on the same token is refused, unless the URI names which one.
    let run = fx
        .run(&[
            "keygen",
            "--id",
            "zhang",
            "--name",
            "张建国",
            "--out",
            "again",
            "--token",
            "pkcs11:token=zhang",
            "--pass-file",
            "zhang.pass",
        ])
        .exits(2);
    assert!(
        run.stderr.contains("already holds a key labelled zhang"),
        "{}",
        run.stderr
    );
    assert!(!fx.path("again").exists(), "nothing written");
    let id = lines[2].split(";id=").nth(1).unwrap();
    let uri = format!("pkcs11:token=zhang;id={id}");
    fx.run(&[
        "keygen",
        "--id",
        "zhang",
        "--name",
        "张建国",
        "--out",
        "again",
        "--token",
        &uri,
        "--pass-file",
        "zhang.pass",
    ])
    .exits(0);
    assert_eq!(
        fs::read_to_string(fx.path("again/zhang.pub")).unwrap(),
        public
    );
}

/// Two keyholders whose keys live on two tokens found the ledger and enrol a key-file custodian
/// and a token supervisor; a token holder and a file-key holder record a collection together; a
/// draft is cosigned on a "site laptop" with a file key and a token and submitted. The policy
/// requires tokens of admins and supervisors, all of whom declared them: the audit is clean, and
/// roster, keys and the audit show who signs with a token.
#[test]
fn token_holders_found_enrol_record_and_cosign_drafts_and_the_audit_is_clean() {
    let fx = Fixture::new();
    fx.token_keygen("zhang", "张建国");
    fx.token_keygen("li", "李明");
    fx.keygen("c1", "王丽");
    fx.token_keygen("s1", "赵敏");
    let policy = policy_requiring(&[Role::Admin, Role::Supervisor]);
    init(&fx, &[("zhang", "token"), ("li", "token")], Some(policy));
    enroll(&fx, "c1", "custodian", "file", "2001", &["zhang", "li"]);
    enroll(&fx, "s1", "supervisor", "token", "2002", &["li", "zhang"]);
    schedule_and_manifest(&fx, &["zhang", "li"]);
    let run = fx.run(&collect_args(&fx, &["c1", "s1"])).exits(0);
    assert!(
        run.stderr
            .contains("Insert the token of 赵敏 (s1) and type its PIN"),
        "{}",
        run.stderr
    );

    // The summary is shown before the PIN is asked.
    let summary = run.stderr.find("read what you sign").unwrap();
    let insert = run.stderr.find("Insert the token of 赵敏").unwrap();
    assert!(summary < insert, "{}", run.stderr);

    // A draft on a site laptop: cosigned with a file key and a token, then submitted.
    fx.run(&[
        "draft",
        "store",
        "--cabinet",
        "A1",
        "--bag",
        "QP-1",
        "--cosigner",
        "c1",
        "--cosigner",
        "s1",
        "--out",
        "store.draft",
    ])
    .exits(0);
    fx.run(&["roster", "--out", "roster.json"]).exits(0);
    for id in ["s1", "c1"] {
        let key = format!("keys/{id}.key");
        let pass = format!("{id}.pass");
        fx.run(&[
            "cosign",
            "store.draft",
            "--sign",
            &key,
            "--pass-file",
            &pass,
            "--roster",
            "roster.json",
        ])
        .exits(0);
    }
    fx.run(&["submit", "store.draft"]).exits(0);

    assert_eq!(findings(&fx), vec![], "the audit is clean");
    let verify = fx.run(&["verify"]).exits(0);
    assert!(
        verify
            .stdout
            .contains("zhang (张建国, token), li (李明, token)")
            && verify.stdout.contains("key file")
            && verify.stdout.contains("token"),
        "{}",
        verify.stdout
    );
    let keys = fx.run(&["keys", "--json"]).exits(0).json();
    let kinds: Vec<(String, serde_json::Value)> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["who"].as_str().unwrap().to_string(),
                k["key_kind"].clone(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("c1 (王丽)".into(), json!("file"))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("s1 (赵敏)".into(), json!("token"))),
        "{kinds:?}"
    );
    let roster = fx.run(&["--lang", "zh", "roster"]).exits(0);
    assert!(
        roster.stdout.contains("硬件密钥") && roster.stdout.contains("密钥文件"),
        "{}",
        roster.stdout
    );
}

#[test]
fn a_wrong_pin_exits_2_and_leaves_the_journal_as_it_was() {
    let fx = Fixture::new();
    fx.token_keygen("zhang", "张建国");
    fx.token_keygen("li", "李明");
    init(&fx, &[("zhang", "token"), ("li", "token")], None);
    fs::write(fx.path("li.pass"), "not-the-pin\n").unwrap();
    let mut args: Vec<String> = ["revoke", "--id", "zhang", "--reason", "lost"]
        .map(String::from)
        .to_vec();
    args.extend(fx.signing(&["zhang", "li"]));
    let run = fx.refused(&args, 2, "wrong PIN for token li");
    assert!(
        run.stderr
            .contains("the PIN came from --pass-file li.pass; nothing was written"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not-the-pin") && !run.stdout.contains("not-the-pin"));
    // The same in Chinese, with the token's report of the tries left.
    let mut zh = vec!["--lang".to_string(), "zh".into()];
    zh.extend(args);
    let run = fx.refused(&zh, 2, "密钥 li 的 PIN 错误");
    assert!(run.stderr.contains("剩余尝试次数"), "{}", run.stderr);
}

#[test]
fn a_missing_token_module_or_key_is_named_and_nothing_is_written() {
    let fx = Fixture::new();
    fx.token_keygen("zhang", "张建国");
    fx.token_keygen("li", "李明");
    init(&fx, &[("zhang", "token"), ("li", "token")], None);
    let mut args: Vec<String> = ["revoke", "--id", "zhang", "--reason", "lost"]
        .map(String::from)
        .to_vec();
    args.extend(fx.signing(&["zhang", "li"]));

    // No module: neither in the URI nor in the environment.
    let before = fx.journal_bytes();
    let run = util::run(fx.cmd().args(&args).env_remove("CUSTODY_PKCS11_MODULE")).exits(2);
    assert!(
        run.stderr.contains("module-path") && run.stderr.contains("CUSTODY_PKCS11_MODULE"),
        "{}",
        run.stderr
    );
    // A module that is not there.
    let run = util::run(
        fx.cmd()
            .args(&args)
            .env("CUSTODY_PKCS11_MODULE", fx.path("no-such-module.so")),
    )
    .exits(2);
    assert!(
        run.stderr.contains("cannot load the PKCS#11 module"),
        "{}",
        run.stderr
    );
    assert_eq!(fx.journal_bytes(), before);

    // The token is not inserted: another token store, without li's token.
    let store = fx.path("tokens");
    let li_token = fs::read_dir(&store)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| fs::read(p.join("token.object")).is_ok_and(|b| contains(&b, b"li")))
        .expect("li's token directory");
    let away = fx.path("li-token-away");
    fs::rename(&li_token, &away).unwrap();
    fx.refused(&args, 2, "no token matching pkcs11:token=li;serial=");
    fs::rename(&away, &li_token).unwrap();

    // The token is there but its key was removed: each object file of the token deleted.
    for f in fs::read_dir(&li_token).unwrap().flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        if name.ends_with(".object") && name != "token.object" {
            fs::remove_file(f.path()).unwrap();
        }
    }
    fx.refused(&args, 2, "token li holds no private key labelled li");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// tokens_required = [custodian], and custodian c1 enrolled with a key file: a collection c1
/// co-signs is refused without a note; recorded with --incident and reported; and reported when
/// forced into the journal. A custodian declared with a token signs with no finding.
#[test]
fn a_file_key_where_the_policy_requires_a_token_in_its_three_forms() {
    let fx = Fixture::new();
    for id in ["a1", "a2", "c1", "s1"] {
        fx.keygen(id, &format!("Keyholder {id}"));
    }
    init(
        &fx,
        &[("a1", "file"), ("a2", "file")],
        Some(policy_requiring(&[Role::Custodian])),
    );
    enroll(&fx, "c1", "custodian", "file", "2001", &["a1", "a2"]);
    enroll(&fx, "s1", "supervisor", "file", "2002", &["a1", "a2"]);
    schedule_and_manifest(&fx, &["a1", "a2"]);
    let seq = ledger::peek(&fx.ledger()).unwrap().head.size;
    let before = fx.journal_bytes();
    let args = collect_args(&fx, &["c1", "s1"]);

    // 1. Refused without a note: exit 3, the code and what to do, the journal untouched.
    let run = fx.refused(&args, 3, "refused [TOKEN_REQUIRED]");
    assert!(
        run.stderr
            .contains("c1 signed with a key file; the policy requires a token for custodian")
            && run.stderr.contains("--key-kind token")
            && run.stderr.contains("--incident"),
        "{}",
        run.stderr
    );

    // 3. Forced into the journal past every check: the audit reports it.
    let event = Event::Collect(Collect {
        bags: vec![BagSpec {
            id: "QP-1".into(),
            kind: BagKind::QuestionPapers,
            session: "yuwen".into(),
            site: "一中".into(),
            room: "01".into(),
            seal: "S1".into(),
            count: 30,
        }],
        from: "省考试院".into(),
        incident: None,
    });
    assert_eq!(force(&fx, event, Timestamp::now(), &["c1", "s1"]), seq);
    assert_eq!(findings(&fx), vec![("TOKEN_REQUIRED".to_string(), seq)]);
    fs::write(fx.journal(), &before).unwrap();

    // 2. Recorded with a note, flagged on the receipt, reported by the audit.
    let mut noted = args.clone();
    noted.extend([
        "--incident".into(),
        "c1's token is at the repair shop".into(),
        "--json".into(),
    ]);
    let receipt = fx.run(&noted).exits(0).json();
    assert_eq!(receipt["seq"], seq);
    assert_eq!(receipt["flagged"][0]["code"], "TOKEN_REQUIRED");
    assert_eq!(findings(&fx), vec![("TOKEN_REQUIRED".to_string(), seq)]);
}

/// On a terminal a wrong PIN is asked again, three times in all, then the command exits 2 with
/// nothing written; a right PIN at the second try signs.
#[test]
fn a_wrong_pin_on_a_terminal_gets_three_tries_then_exits_2() {
    let fx = Fixture::new();
    fx.token_keygen("zhang", "张建国");
    fx.token_keygen("li", "李明");
    fx.keygen("wang", "王丽");
    init(&fx, &[("zhang", "token"), ("li", "token")], None);
    let mut args: Vec<String> = [
        "enroll",
        "--pub",
        "keys/wang.pub",
        "--role",
        "custodian",
        "--person",
        "3001",
    ]
    .map(String::from)
    .to_vec();
    args.extend(["--sign", "keys/zhang.key", "--sign", "keys/li.key"].map(String::from));
    let before = fx.journal_bytes();
    let run = util::on_terminal(&fx, &args, &["bad-1", "bad-2", "bad-3"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    // `script` puts the terminal's output, prompts and messages alike, on its stdout.
    assert_eq!(
        run.stdout.matches("PIN of zhang's token:").count(),
        3,
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("wrong PIN for token zhang").count(),
        3,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("try again; nothing was written"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("bad-"),
        "the PIN is not echoed: {}",
        run.stdout
    );
    assert_eq!(fx.journal_bytes(), before, "nothing written");

    let run = util::on_terminal(&fx, &args, &["bad-1", "pin-zhang", "pin-li"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.stdout.matches("wrong PIN for token zhang").count(),
        1,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("recorded entry 1"), "{}", run.stdout);
}

/// The daily checkpoint, signed by two admins whose keys are on tokens, verifies as theirs.
#[test]
fn two_token_admins_sign_the_daily_checkpoint() {
    let fx = Fixture::new();
    fx.token_keygen("zhang", "张建国");
    fx.token_keygen("li", "李明");
    init(&fx, &[("zhang", "token"), ("li", "token")], None);
    let mut args = vec!["checkpoint".to_string(), "--out".into(), "day.note".into()];
    args.extend(fx.signing(&["zhang", "li"]));
    fx.run(&args).exits(0);
    let report = fx
        .run(&["verify", "--json", "--checkpoint", "day.note"])
        .exits(0)
        .json();
    let held = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"].as_str().unwrap().ends_with("day.note"))
        .unwrap_or_else(|| panic!("day.note was not checked: {report}"));
    assert_eq!(held["consistent"], true, "{held}");
    assert_eq!(held["signed_by"], json!(["li", "zhang"]), "{held}");
}
