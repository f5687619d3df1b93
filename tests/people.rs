//! The people in the room (issue 12): times in the exam's zone wherever a person reads them,
//! rules judged before anyone types a passphrase, words staff can use, Chinese everywhere.
//! Everything through the real binary, in both languages.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::time::Timestamp;
use util::{Fixture, Run};

const ZONE: &str = "Asia/Shanghai";

/// A ledger in Beijing time with named staff: c1 孙晓梅 custodian, s1 李强 supervisor, e1 吴刚
/// escort, x1 陈静 chief examiner, i1 杨帆 and i2 赵敏 invigilators.
fn staffed() -> Fixture {
    let fx = Fixture::new();
    fx.init3_with(&["--tz", ZONE]);
    for (id, name, role, person) in [
        ("c1", "孙晓梅", "custodian", "2001"),
        ("s1", "李强", "supervisor", "2002"),
        ("e1", "吴刚", "escort", "2003"),
        ("x1", "陈静", "chief_examiner", "2005"),
        ("i1", "杨帆", "invigilator", "2006"),
        ("i2", "赵敏", "invigilator", "2007"),
    ] {
        fx.keygen(id, name);
        fx.enroll(id, &[role], person, &["a1", "a2"]).exits(0);
    }
    fx
}

/// Runs the binary in `lang` with these words and the signing flags of `signers`.
#[track_caller]
fn run(fx: &Fixture, lang: &str, words: &[&str], signers: &[&str]) -> Run {
    let mut args: Vec<String> = vec!["--lang".into(), lang.into()];
    args.extend(words.iter().map(|w| w.to_string()));
    args.extend(fx.signing(signers));
    fx.run(&args)
}

/// Today's date in the exam's zone, `2026-12-03`, moved by `days`.
fn day(days: i64) -> String {
    Timestamp::now()
        .plus_seconds(days * 86_400)
        .date_in(ZONE)
        .to_string()
}

#[test]
fn a_schedule_reads_in_the_exam_zone_everywhere() {
    let fx = staffed();
    let date = day(1);
    let (start, end) = (
        format!("{} 09:00", date.replace('-', "/")),
        format!("{date} 11:30"),
    );
    let words = [
        "schedule",
        "--session",
        "yuwen",
        "--subject",
        "语文",
        "--start",
        &start,
        "--end",
        &end,
    ];
    let span = format!("{date} 09:00–11:30 +08:00");
    let signed = run(&fx, "zh", &words, &["a1", "a2"]).exits(0);
    assert!(signed.stderr.contains(&span), "{}", signed.stderr);
    assert!(!signed.stderr.contains("01:00:00Z"), "{}", signed.stderr);
    for lang in ["zh", "en"] {
        let show = run(&fx, lang, &["show", "7"], &[]).exits(0).stdout;
        assert!(show.contains(&span), "{show}");
        let log = run(&fx, lang, &["log"], &[]).exits(0).stdout;
        assert!(log.contains("Asia/Shanghai UTC+08:00"), "{log}");
        // The detail column is cut to fit 80 columns.
        assert!(
            log.contains(&format!("yuwen（语文）{date} 09:0"))
                || log.contains(&format!("(语文) {date} 09:0")),
            "{log}"
        );
        assert!(!log.contains('Z'), "{log}");
    }
    // Machines keep UTC: RFC 3339 for the entry's times, milliseconds in the event as signed.
    let json = run(&fx, "zh", &["show", "7", "--json"], &[])
        .exits(0)
        .json();
    let start = Timestamp::parse(&format!("{date}T01:00:00Z"), "UTC").unwrap();
    assert_eq!(json["event"]["start"], start.0, "{json}");
    assert!(
        json["event_time"].as_str().unwrap().ends_with('Z'),
        "{json}"
    );
}

#[test]
fn at_a_time_of_day_is_today_in_the_exam_zone() {
    let fx = staffed();
    let words = ["schedule", "--session", "s", "--subject", "语文"];
    let mut args = words.to_vec();
    args.extend(["--start", "00:00", "--end", "00:01", "--at", "00:00"]);
    run(&fx, "en", &args, &["a1", "a2"]).exits(0);
    let json = run(&fx, "en", &["show", "7", "--json"], &[])
        .exits(0)
        .json();
    let midnight = Timestamp::parse(&format!("{}T00:00", day(0)), ZONE).unwrap();
    assert_eq!(json["event_time"], midnight.to_rfc3339(), "{json}");
    assert_eq!(json["event"]["start"], midnight.0, "{json}");
}

#[test]
fn a_future_event_is_told_in_the_exam_zone() {
    let fx = staffed();
    let words = [
        "schedule",
        "--session",
        "s",
        "--subject",
        "语文",
        "--start",
        "2099/01/01 09:00",
        "--end",
        "2099/01/01 11:00",
        "--at",
        "2099/01/01 08:00",
    ];
    let mut args: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    args.extend(fx.signing(&["a1", "a2"]));
    let run = fx.refused(&args, 3, "FUTURE_EVENT");
    assert!(
        run.stderr.contains("2099-01-01 08:00:00 +08:00"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("2099-01-01T00:00:00Z"),
        "{}",
        run.stderr
    );
}

/// [`staffed`] with session `yuwen` starting in an hour and bags QP-0101 (seal S0101) and
/// QP-0102 (S0102), 30 papers each, collected into the room.
fn with_bags() -> Fixture {
    let fx = staffed();
    let now = Timestamp::now();
    let (start, end) = (
        now.plus_seconds(3600).to_rfc3339(),
        now.plus_seconds(4 * 3600).to_rfc3339(),
    );
    let words = ["schedule", "--session", "yuwen", "--subject", "语文"];
    let mut args = words.to_vec();
    args.extend(["--start", &start, "--end", &end]);
    run(&fx, "en", &args, &["a1", "a2"]).exits(0);
    let words = [
        "record",
        "collect",
        "--from",
        "省考试院",
        "--session",
        "yuwen",
        "--site",
        "一中",
        "--room",
        "01",
        "--kind",
        "question_papers",
        "--bag",
        "QP-0101:S0101:30",
        "--bag",
        "QP-0102:S0102:30",
    ];
    run(&fx, "en", &words, &["c1", "s1"]).exits(0);
    fx
}

/// The signing flags without `--pass-file`: each passphrase would be asked on the terminal.
fn keys_only(signers: &[&str]) -> Vec<String> {
    signers
        .iter()
        .flat_map(|id| ["--sign".to_string(), format!("keys/{id}.key")])
        .collect()
}

#[test]
fn a_broken_rule_is_refused_before_any_passphrase_is_asked() {
    let fx = with_bags();
    // No --pass-file and no terminal: a prompt would fail with exit 2; the rule comes first.
    let cases: [(&[&str], &[&str], &str, &str); 4] = [
        (
            &["record", "inspect", "--bag", "QP-0101:S0120"],
            &["c1", "s1"],
            "SEAL_MISMATCH",
            "S0101",
        ),
        (
            &["record", "inspect", "--bag", "QP-0999:S0999"],
            &["c1", "s1"],
            "BAG_NOT_COLLECTED",
            "QP-0999",
        ),
        (
            &["record", "withdraw", "--cabinet", "A", "--bag", "QP-0101"],
            &["c1", "s1"],
            "WRONG_PLACE",
            "cabinet A",
        ),
        (
            &["record", "inspect", "--bag", "QP-0101:S0101"],
            &["c1", "x1"],
            "ROLE_MISSING",
            "custodian + supervisor",
        ),
    ];
    for (words, signers, code, expected) in cases {
        for lang in ["en", "zh"] {
            let mut args: Vec<String> = vec!["--lang".into(), lang.into()];
            args.extend(words.iter().map(|w| w.to_string()));
            args.extend(keys_only(signers));
            let run = fx.refused(&args, 3, code);
            assert!(run.stderr.contains(expected), "{}", run.stderr);
            // Nobody was shown a summary to sign, nor asked anything.
            for asked in ["Passphrase", "口令", "read what you sign", "请核对签名内容"] {
                assert!(!run.stderr.contains(asked), "{}", run.stderr);
            }
        }
    }
    // A busy ledger is told before the prompt too.
    let held = custody::ledger::Ledger::open(&fx.ledger()).unwrap();
    let mut args: Vec<String> = ["record", "inspect", "--bag", "QP-0101:S0101"]
        .map(String::from)
        .to_vec();
    args.extend(keys_only(&["c1", "s1"]));
    let run = fx.refused(&args, 4, "in use");
    assert!(!run.stderr.contains("Passphrase"), "{}", run.stderr);
    held.close().unwrap();
}

#[test]
fn the_summary_shows_what_the_ledger_expects_and_the_violation_recorded() {
    for (lang, expected, differs, records) in [
        ("en", "(ledger: S0101, 30)", " << DIFFERS", "records"),
        ("zh", "（台账：S0101，30 份）", " ←不符", "记录违规"),
    ] {
        let fx = with_bags();
        let words = [
            "record",
            "inspect",
            "--bag",
            "QP-0101:S0120:29",
            "--bag",
            "QP-0102:S0102:30",
            "--incident",
            "封条号不符，已拍照",
        ];
        let signed = run(&fx, lang, &words, &["c1", "s1"]).exits(0).stderr;
        let line = |id: &str| -> String {
            signed
                .lines()
                .find(|l| l.contains(id))
                .unwrap_or_default()
                .to_string()
        };
        let first = line("QP-0101  ");
        assert!(first.contains(expected), "{signed}");
        assert!(first.ends_with(differs), "{signed}");
        let second = line("QP-0102  ");
        assert!(
            second.contains("S0102") && !second.contains(differs.trim()),
            "{signed}"
        );
        let violation = signed
            .lines()
            .find(|l| l.contains(records))
            .unwrap_or_default();
        assert!(violation.contains("[SEAL_MISMATCH]"), "{signed}");
        assert!(signed.contains("[COUNT_MISMATCH]"), "{signed}");
    }
}

/// Words staff must never copy by hand.
#[track_caller]
fn staff_words(text: &str) {
    for word in ["树大小", "根哈希", "默克尔树", "树头", "tree size", "root "] {
        assert!(!text.contains(word), "{word:?} in:\n{text}");
    }
    let hex_run = text
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(hex_run < 32, "a long hex run in:\n{text}");
}

#[test]
fn the_register_gets_a_short_code_that_verify_checks() {
    let fx = with_bags();
    for (lang, label) in [("en", "for the register: "), ("zh", "抄入登记簿：")] {
        let words = ["record", "inspect", "--bag", "QP-0101:S0101"];
        let recorded = run(&fx, lang, &words, &["c1", "s1"]).exits(0).stdout;
        staff_words(&recorded);
        let line = recorded
            .lines()
            .find_map(|l| l.strip_prefix(label))
            .unwrap_or_else(|| panic!("{recorded}"))
            .to_string();
        let (size, code) = line.split_once(' ').unwrap();
        assert_eq!(code.len(), 24, "{line}");
        let ok = run(&fx, lang, &["verify", "--register", &line], &[]).exits(0);
        assert!(ok.stdout.contains(size), "{}", ok.stdout);
        // Copied in lower case, without dashes, O for 0: still the same code.
        let loose = format!(
            "{size} {}",
            code.to_lowercase().replace('-', " ").replace('0', "o")
        );
        run(&fx, lang, &["verify", "--register", &loose], &[]).exits(0);
        // Another size, or a miscopied symbol, does not match.
        let shorter = format!("{} {code}", size.parse::<u64>().unwrap() - 1);
        run(&fx, lang, &["verify", "--register", &shorter], &[]).exits(1);
        let longer = format!("{} {code}", size.parse::<u64>().unwrap() + 5);
        run(&fx, lang, &["verify", "--register", &longer], &[]).exits(1);
        run(&fx, lang, &["verify", "--register", "12 K7Q2"], &[]).exits(2);
        let seq = (size.parse::<u64>().unwrap() - 1).to_string();
        let receipt = run(&fx, lang, &["receipt", &seq], &[]).exits(0).stdout;
        staff_words(&receipt);
        assert!(receipt.contains(&line), "{receipt}");
        let checkpoint = run(&fx, lang, &["checkpoint"], &["a1", "a2"]).exits(0);
        staff_words(&checkpoint.stdout);
        assert!(!checkpoint.stderr.contains("树头"), "{}", checkpoint.stderr);
    }
}

#[test]
fn summaries_and_receipts_name_the_escort_and_the_session() {
    let fx = with_bags();
    let words = [
        "record", "dispatch", "--to", "一中", "--escort", "e1", "--bag", "QP-0101",
    ];
    let signed = run(&fx, "zh", &words, &["c1", "e1"]).exits(0).stderr;
    let escort = signed
        .lines()
        .find(|l| l.contains("押运 "))
        .unwrap_or_default();
    assert!(escort.contains("吴刚（e1）"), "{signed}");
    let session = signed
        .lines()
        .find(|l| l.contains("  场次 "))
        .unwrap_or_default();
    assert!(
        session.contains("语文 ") && session.contains("+08:00"),
        "{signed}"
    );
    for lang in ["zh", "en"] {
        let receipt = run(&fx, lang, &["receipt", "9"], &[]).exits(0).stdout;
        let name = if lang == "zh" {
            "吴刚（e1）"
        } else {
            "吴刚 (e1)"
        };
        assert!(receipt.contains(name), "{receipt}");
        assert!(receipt.contains("语文 "), "{receipt}");
    }
}

#[test]
fn roles_read_as_the_exam_office_says_them() {
    let fx = with_bags();
    let roster = run(&fx, "zh", &["roster"], &[]).exits(0).stdout;
    for word in ["管理员", "保管员", "监督员", "押运员", "主考", "监考员"] {
        assert!(roster.contains(word), "{word}:\n{roster}");
    }
    for word in ["负责人", "supervisor", "custodian"] {
        assert!(!roster.contains(word), "{word}:\n{roster}");
    }
    let keys = run(&fx, "zh", &["keys"], &[]).exits(0).stdout;
    assert!(
        keys.contains("监督员") && !keys.contains("supervisor"),
        "{keys}"
    );
    // Entry 8 is the collection, signed by the custodian and the supervisor.
    let receipt = run(&fx, "zh", &["receipt", "8"], &[]).exits(0).stdout;
    assert!(
        receipt.contains("监督员") && receipt.contains("保管员"),
        "{receipt}"
    );
    // Machines keep the role ids.
    let json = run(&fx, "zh", &["keys", "--json"], &[]).exits(0).stdout;
    assert!(json.contains("\"supervisor\""), "{json}");
}

#[test]
fn refusals_errors_and_listings_read_in_chinese() {
    let fx = with_bags();
    let mut args: Vec<String> = [
        "--lang",
        "zh",
        "record",
        "inspect",
        "--bag",
        "QP-0101:S0120",
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(&["c1", "s1"]));
    let seal = fx.refused(&args, 3, "SEAL_MISMATCH").stderr;
    assert!(
        seal.contains("密封袋 QP-0101 的封条为 S0120，但台账记录的封条为 S0101"),
        "{seal}"
    );
    std::fs::write(fx.path("wrong.pass"), "wrong\n").unwrap();
    let words = [
        "--lang",
        "zh",
        "record",
        "inspect",
        "--bag",
        "QP-0101:S0101",
    ];
    let mut args: Vec<String> = words.map(String::from).to_vec();
    args.extend(
        ["--sign", "keys/c1.key", "--sign", "keys/s1.key"]
            .map(String::from)
            .into_iter()
            .chain(["--pass-file", "wrong.pass", "--pass-file", "s1.pass"].map(String::from)),
    );
    let wrong = fx.refused(&args, 2, "密钥 c1 的口令错误").stderr;
    assert!(!wrong.contains("wrong passphrase"), "{wrong}");
    let none = run(
        &fx,
        "zh",
        &["record", "inspect", "--bag", "QP-0101:S0101"],
        &[],
    )
    .exits(2);
    assert!(none.stderr.contains("没有共同签名人"), "{}", none.stderr);
    let nowhere = run(&fx, "zh", &["--ledger", "nowhere", "log"], &[]).exits(2);
    // A message that starts in Chinese needs no 输入有误 before it.
    assert!(
        nowhere
            .stderr
            .starts_with("custody: 目录 nowhere 中没有台账"),
        "{}",
        nowhere.stderr
    );
    let report = run(&fx, "zh", &["verify"], &[]).exits(0).stdout;
    assert!(report.contains("c1（孙晓梅），角色：保管员"), "{report}");
    assert!(report.contains("创始管理员 a1（Admin a1）"), "{report}");
    assert!(!report.contains(" as "), "{report}");
    // The audit's JSON keeps its English text.
    let json = run(&fx, "zh", &["verify", "--json"], &[]).exits(0).json();
    assert_eq!(
        json["listed"][1]["text"], "c1 (孙晓梅) as custodian",
        "{json}"
    );
}

#[test]
fn the_default_sender_is_stored_in_the_language_of_the_command() {
    let fx = with_bags();
    for (lang, bag, from) in [
        ("zh", "QP-0201:S0201:30", "省教育考试院"),
        ("en", "QP-0202:S0202:30", "provincial examination authority"),
    ] {
        let words = [
            "record",
            "collect",
            "--session",
            "yuwen",
            "--site",
            "一中",
            "--room",
            "01",
            "--kind",
            "question_papers",
            "--bag",
            bag,
        ];
        let receipt = run(&fx, lang, &words, &["c1", "s1"]).exits(0).stdout;
        let seq = receipt
            .split_whitespace()
            .find_map(|w| w.parse::<u64>().ok())
            .unwrap();
        let json = run(&fx, lang, &["show", &seq.to_string(), "--json"], &[])
            .exits(0)
            .json();
        assert_eq!(json["event"]["from"], from, "{json}");
    }
}

#[test]
fn the_draft_hint_gives_the_whole_next_commands() {
    let fx = with_bags();
    for (lang, file) in [("en", "en.draft"), ("zh", "zh.draft")] {
        let words = [
            "draft",
            "dispatch",
            "--to",
            "一中",
            "--escort",
            "e1",
            "--bag",
            "QP-0101",
            "--cosigner",
            "c1",
            "--cosigner",
            "e1",
            "--out",
            file,
        ];
        let out = run(&fx, lang, &words, &[]).exits(0).stdout;
        assert!(out.contains("custody roster --out roster.json"), "{out}");
        for id in ["c1", "e1"] {
            let cosign = format!("custody cosign {file} --sign {id}.key --roster roster.json");
            assert!(out.contains(&cosign), "{out}");
        }
        assert!(out.contains(&format!("custody submit {file}")), "{out}");
    }
}

/// Chinese characters in a text, to tell a translated help from clap's English one.
fn chinese(text: &str) -> usize {
    text.chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count()
}

#[test]
fn help_and_clap_errors_read_in_chinese() {
    let fx = Fixture::new();
    let top = fx.run(&["--lang", "zh", "--help"]).exits(0).stdout;
    assert!(chinese(&top) > 300, "{top}");
    for english in [
        "Usage",
        "Options",
        "Commands",
        "Print help",
        "[default",
        "Example",
    ] {
        assert!(!top.contains(english), "{english:?} in:\n{top}");
    }
    assert!(top.contains("用法：custody [选项] <命令>"), "{top}");
    // The locale decides before parsing too, for every command's help.
    let mut cmd = fx.cmd();
    cmd.env("LANG", "zh_CN.UTF-8")
        .args(["record", "collect", "--help"]);
    let collect = util::run(&mut cmd).exits(0).stdout;
    assert!(collect.contains("--sign <密钥文件>"), "{collect}");
    assert!(collect.contains("领取"), "{collect}");
    assert!(!collect.contains("Print"), "{collect}");
    // clap's own refusals: exit 2, in Chinese, with the suggestion.
    let cases: [(&[&str], &str); 6] = [
        (&["verify", "--trsut", "x"], "无法识别的参数 --trsut"),
        (&["verfy"], "是否想用命令 verify"),
        (&["log", "--bag"], "--bag <密封袋> 需要一个值"),
        (&["show", "abc"], "应为非负整数"),
        (
            &["init", "--exam", "x"],
            "缺少必需的参数：--founder <公钥文件>",
        ),
        (&["completions", "tcsh"], "可选：bash"),
    ];
    for (words, expected) in cases {
        let mut args = vec!["--lang", "zh"];
        args.extend(words);
        let run = fx.run(&args).exits(2);
        assert!(run.stderr.contains(expected), "{words:?}:\n{}", run.stderr);
        assert!(!run.stderr.contains("error:"), "{}", run.stderr);
    }
    let run = fx.run(&["--lang", "zh", "verify", "--trsut", "x"]);
    assert!(
        run.stderr.contains("是否想用参数 --trust"),
        "{}",
        run.stderr
    );
    // English stays clap's.
    let run = fx.run(&["--lang", "en", "verfy"]).exits(2);
    assert!(
        run.stderr.contains("unrecognized subcommand 'verfy'"),
        "{}",
        run.stderr
    );
    // Completions and the manual page follow the language.
    let fish = fx
        .run(&["--lang", "zh", "completions", "fish"])
        .exits(0)
        .stdout;
    assert!(fish.contains("打印帮助"), "{fish}");
    let man = fx.run(&["--lang", "zh", "man"]).exits(0).stdout;
    assert!(
        man.contains(".SH 名称") && man.contains("试卷保密交接台账"),
        "{man}"
    );
}

#[test]
fn init_gives_staff_the_register_line_and_auditors_the_hash() {
    for (lang, register, auditors) in [
        ("en", "for the register: ", "for auditors only"),
        ("zh", "抄入登记簿：", "仅供审计人"),
    ] {
        let fx = Fixture::new();
        let mut args: Vec<String> = ["--lang", lang, "init", "--exam", "2026 学考"]
            .map(String::from)
            .to_vec();
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
        let out = fx.run(&args).exits(0).stdout;
        // Every line staff read is free of hashes; the genesis hash is on the auditors' line.
        let (for_auditors, for_staff): (Vec<&str>, Vec<&str>) =
            out.lines().partition(|l| l.starts_with(auditors));
        staff_words(&for_staff.join("\n"));
        let genesis = for_auditors[0].split_whitespace().last().unwrap();
        assert_eq!(genesis.len(), 64, "{out}");
        let line = out
            .lines()
            .find_map(|l| l.strip_prefix(register))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(
            out.contains(&format!("custody verify --register \"{line}\"")),
            "{out}"
        );
        let ok = run(&fx, lang, &["verify", "--register", line], &[]).exits(0);
        assert!(!ok.stdout.is_empty());
        let trusted = run(&fx, "en", &["verify", "--trust", genesis], &[]).exits(0);
        assert!(
            trusted.stdout.contains("matches the trusted hash"),
            "{}",
            trusted.stdout
        );
    }
}

#[test]
fn a_replayed_draft_lists_each_code_once() {
    let fx = with_bags();
    let words = [
        "draft",
        "collect",
        "--from",
        "省考试院",
        "--session",
        "yuwen",
        "--site",
        "一中",
        "--room",
        "01",
        "--kind",
        "question_papers",
        "--bag",
        "QP-0301:S0301:30",
        "--bag",
        "QP-0302:S0302:30",
        "--bag",
        "QP-0303:S0303:30",
        "--cosigner",
        "c1",
        "--cosigner",
        "s1",
        "--out",
        "c.draft",
    ];
    run(&fx, "en", &words, &[]).exits(0);
    for id in ["c1", "s1"] {
        let args = [
            "cosign",
            "c.draft",
            "--sign",
            &format!("keys/{id}.key"),
            "--pass-file",
            &format!("{id}.pass"),
        ];
        fx.run(&args).exits(0);
    }
    fx.run(&["submit", "c.draft"]).exits(0);
    for lang in ["en", "zh"] {
        let refused = fx.refused(&["--lang", lang, "submit", "c.draft"], 3, "REPLAY");
        let line = refused
            .stderr
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        for code in ["REPLAY", "BAG_ALREADY_COLLECTED"] {
            assert_eq!(line.matches(code).count(), 1, "{code} twice in: {line}");
        }
        // How many findings the entry had is still said.
        assert!(line.contains('3'), "{line}");
    }
}

#[test]
fn file_errors_read_in_chinese() {
    let fx = with_bags();
    std::fs::write(fx.path("bad.draft"), "garbage\n").unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "cosign",
                "none.draft",
                "--sign",
                "keys/c1.key",
                "--pass-file",
                "c1.pass",
            ],
            "custody: 找不到文件 none.draft",
        ),
        (
            &["submit", "bad.draft"],
            "custody: 不是本系统的草稿文件：bad.draft",
        ),
        (
            &[
                "record",
                "inspect",
                "--bag",
                "QP-0101:S0101",
                "--sign",
                "keys/c1.pub",
                "--sign",
                "keys/s1.key",
            ],
            "custody: 这是公钥文件：keys/c1.pub",
        ),
        (
            &[
                "record",
                "inspect",
                "--bag",
                "QP-0101:S0101",
                "--sign",
                "keys/c9.key",
                "--sign",
                "keys/s1.key",
            ],
            "custody: 找不到文件 keys/c9.key",
        ),
        (
            &[
                "record",
                "inspect",
                "--bag",
                "QP-0101:S0101",
                "--sign",
                "keys/c1.key",
                "--sign",
                "keys/s1.key",
                "--pass-file",
                "none.pass",
                "--pass-file",
                "s1.pass",
            ],
            "custody: 无法读取口令文件：找不到文件 none.pass",
        ),
    ];
    for (words, expected) in cases {
        let mut args = vec!["--lang", "zh"];
        args.extend(words);
        let run = fx.run(&args).exits(2);
        assert!(run.stderr.contains(expected), "{words:?}:\n{}", run.stderr);
        assert!(!run.stderr.contains("No such file"), "{}", run.stderr);
    }
}

#[test]
fn a_listed_correction_says_the_old_value_in_chinese() {
    let fx = with_bags();
    let words = [
        "record", "correct", "--entry", "8", "--bag", "QP-0101", "--count", "29", "--note", "点错",
    ];
    run(&fx, "zh", &words, &["c1", "s1"]).exits(0);
    let report = run(&fx, "zh", &["verify"], &[]).exits(0).stdout;
    assert!(report.contains("（点错）；原为 30"), "{report}");
    assert!(!report.contains("was 30"), "{report}");
    // The audit's JSON keeps its English text.
    let json = run(&fx, "zh", &["verify", "--json"], &[]).exits(0).stdout;
    assert!(json.contains("; was 30"), "{json}");
}
