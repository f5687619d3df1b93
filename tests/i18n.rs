//! Chinese and English: an exam day driven through the binary in Chinese, machine output that
//! never changes with the language, and snapshots of the summary each signer reads.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::bag::{BagKind, BagObs, BagSpec, Destination};
use custody::entry::{Body, Head};
use custody::event::{Collect, Dispatch, Event};
use custody::i18n::Lang;
use custody::summary::summary;
use custody::time::Timestamp;
use util::{Fixture, Run};

const SITE: &str = "第一中学";
const ROOM: &str = "第01考场";

/// Runs the binary with a Chinese locale and no `--lang`.
#[track_caller]
fn zh(fx: &Fixture, args: &[String]) -> Run {
    util::run(fx.cmd().env("LANG", "zh_CN.UTF-8").args(args))
}

fn args(fx: &Fixture, words: &[&str], signers: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = words.iter().map(|s| s.to_string()).collect();
    out.extend(fx.signing(signers));
    out
}

/// Records one event in Chinese and checks what the signers read and the receipt.
#[track_caller]
fn record(fx: &Fixture, words: &[&str], signers: &[&str], term: &str) -> Run {
    let run = zh(fx, &args(fx, words, signers)).exits(0);
    assert!(
        run.stderr.contains(&format!("{term}（")),
        "the summary names the event as {term}:\n{}",
        run.stderr
    );
    for label in ["事件", "内容", "时间", "签名人", "台账", "请核对签名内容"] {
        assert!(run.stderr.contains(label), "{label}:\n{}", run.stderr);
    }
    assert!(run.stdout.contains("已记录条目"), "{}", run.stdout);
    assert!(run.stdout.contains("抄入登记簿："), "{}", run.stdout);
    run
}

#[test]
fn an_exam_day_can_be_driven_in_chinese() {
    let fx = Fixture::new();
    let genesis = fx.init3();
    for (id, name, role, person) in [
        ("c1", "王丽", "custodian", "2001"),
        ("s1", "李强", "supervisor", "2002"),
        ("e1", "张伟", "escort", "2003"),
        ("x1", "陈静", "chief_examiner", "2005"),
        ("i1", "杨帆", "invigilator", "2006"),
        ("i2", "赵敏", "invigilator", "2007"),
    ] {
        fx.keygen(id, name);
        let mut words = vec!["enroll", "--pub"];
        let key = format!("keys/{id}.pub");
        words.extend([key.as_str(), "--person", person, "--role", role]);
        record(&fx, &words, &["a1", "a2"], "登记持钥人");
    }
    let now = Timestamp::now();
    // Started five minutes ago: its papers open now, and its answer sheets are sealed after it
    // started (SEALED_EARLY).
    let (start, end) = (
        now.plus_seconds(-5 * 60).to_rfc3339(),
        now.plus_seconds(3 * 3600).to_rfc3339(),
    );
    record(
        &fx,
        &[
            "schedule",
            "--session",
            "yuwen",
            "--subject",
            "语文",
            "--start",
            &start,
            "--end",
            &end,
        ],
        &["a1", "a2"],
        "排定场次",
    );
    let collect = record(
        &fx,
        &[
            "record",
            "collect",
            "--from",
            "省教育考试院",
            "--session",
            "yuwen",
            "--site",
            SITE,
            "--room",
            ROOM,
            "--kind",
            "question_papers",
            "--bag",
            "QP-0001:S1001:30",
            "--bag",
            "QP-0002:S1002:30",
            "--bag",
            "QP-0003:S1003:30",
        ],
        &["c1", "s1"],
        "领取",
    );
    // Consecutive barcodes and seals are shown as ranges.
    assert!(
        collect.stderr.contains("3 袋 QP-0001..QP-0003"),
        "{}",
        collect.stderr
    );
    assert!(
        collect.stderr.contains("S1001..S1003"),
        "{}",
        collect.stderr
    );
    assert!(collect.stderr.contains("王丽（c1）"), "{}", collect.stderr);

    let bags = ["--bag", "QP-0001:S1001", "--bag", "QP-0002:S1002"];
    let steps: [(&[&str], &[&str], &str); 4] = [
        (
            &["record", "store", "--cabinet", "A1"],
            &["c1", "s1"],
            "入库",
        ),
        (
            &["record", "withdraw", "--cabinet", "A1"],
            &["c1", "s1"],
            "出库",
        ),
        (&["record", "inspect"], &["c1", "s1"], "巡查"),
        (
            &["record", "dispatch", "--to", SITE, "--escort", "e1"],
            &["c1", "e1"],
            "运送",
        ),
    ];
    for (words, signers, term) in steps {
        let mut words = words.to_vec();
        words.extend(bags);
        record(&fx, &words, signers, term);
    }
    let mut words = vec!["record", "arrive", "--site", SITE];
    words.extend(bags);
    record(&fx, &words, &["x1", "e1"], "到达交接");
    record(
        &fx,
        &[
            "record",
            "open",
            "--site",
            SITE,
            "--room",
            ROOM,
            "--bag",
            "QP-0001:S1001:30",
        ],
        &["x1", "i1"],
        "启封",
    );
    record(
        &fx,
        &[
            "record",
            "seal",
            "--session",
            "yuwen",
            "--site",
            SITE,
            "--room",
            ROOM,
            "--bag",
            "AS-0001:S9001:29",
        ],
        &["i1", "i2"],
        "回收封装",
    );
    record(
        &fx,
        &[
            "record",
            "dispatch",
            "--to-room",
            "--escort",
            "e1",
            "--bag",
            "AS-0001:S9001",
            "--bag",
            "QP-0002:S1002",
        ],
        &["x1", "e1"],
        "运送",
    );
    record(
        &fx,
        &[
            "record",
            "return",
            "--bag",
            "AS-0001:S9001",
            "--bag",
            "QP-0002:S1002",
        ],
        &["c1", "e1"],
        "返还",
    );
    record(
        &fx,
        &[
            "record",
            "incident",
            "--kind",
            "damaged",
            "--note",
            "外袋受潮，封条完好",
            "--bag",
            "QP-0003",
        ],
        &["c1", "s1"],
        "异常",
    );
    let log = zh(&fx, &["log".to_string(), "--json".into()])
        .exits(0)
        .json();
    let collect_seq = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "collect")
        .unwrap()["seq"]
        .to_string();
    record(
        &fx,
        &[
            "record",
            "correct",
            "--entry",
            &collect_seq,
            "--bag",
            "QP-0003",
            "--count",
            "31",
            "--note",
            "清点为 31 份",
        ],
        &["c1", "s1"],
        "更正",
    );
    record(
        &fx,
        &[
            "record",
            "release",
            "--to",
            "市阅卷中心",
            "--bag",
            "AS-0001:S9001",
            "--bag",
            "QP-0002:S1002",
            "--bag",
            "QP-0003:S1003",
        ],
        &["a1", "c1"],
        "移交",
    );

    let log = zh(&fx, &["log".to_string()]).exits(0).stdout;
    for word in [
        "序号",
        "事件",
        "签名人",
        "领取",
        "到达交接",
        "回收封装",
        "移交",
    ] {
        assert!(log.contains(word), "{word}:\n{log}");
    }
    let bag = zh(&fx, &["bag".to_string(), "QP-0001".into()])
        .exits(0)
        .stdout;
    assert!(bag.contains("密封袋 QP-0001"), "{bag}");
    assert!(bag.contains("之后位置") && bag.contains("启封"), "{bag}");
    let status = zh(&fx, &["status".to_string()]).exits(0).stdout;
    assert!(
        status.contains("类别") && status.contains("已移交"),
        "{status}"
    );
    let sheet = zh(
        &fx,
        &["status".to_string(), "--session".into(), "yuwen".into()],
    )
    .exits(0)
    .stdout;
    assert!(
        sheet.contains("核对表") && sheet.contains("合计"),
        "{sheet}"
    );
    // The damaged bag, declared truthfully, is still a finding, explained in Chinese.
    let report = zh(&fx, &["verify".to_string(), "--trust".into(), genesis])
        .exits(1)
        .stdout;
    assert!(report.contains("结论：发现 1 个问题"), "{report}");
    assert!(
        report.contains("INCIDENT_DAMAGED") && report.contains("密封袋申报损坏"),
        "{report}"
    );
    assert!(report.contains("与信任的哈希一致"), "{report}");
    assert!(report.contains("异常"), "the incident is listed:\n{report}");

    // A refusal explains itself in Chinese and says what to do.
    let refused = zh(
        &fx,
        &args(
            &fx,
            &["record", "inspect", "--bag", "QP-9999:S1"],
            &["c1", "s1"],
        ),
    )
    .exits(3);
    assert!(
        refused.stderr.contains("已拒绝 [BAG_NOT_COLLECTED]"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("提示："), "{}", refused.stderr);

    // --lang wins over the locale.
    let en = zh(&fx, &["--lang".to_string(), "en".into(), "status".into()])
        .exits(0)
        .stdout;
    assert!(en.contains("KIND") && !en.contains("类别"), "{en}");
}

#[test]
fn json_output_never_changes_with_the_language() {
    let fx = Fixture::new();
    fx.init3();
    for cmd in [
        &["log", "--json"][..],
        &["verify", "--json"],
        &["status", "--json"],
        &["show", "0", "--json"],
    ] {
        let cmd: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        let chinese = zh(&fx, &cmd).stdout;
        let english = fx.run(&cmd).stdout;
        assert!(!english.is_empty(), "{cmd:?}");
        assert_eq!(chinese, english, "{cmd:?}");
    }
}

#[test]
fn a_bad_language_is_bad_usage() {
    let fx = Fixture::new();
    let run = fx.run(&["--lang", "fr", "status"]).exits(2);
    assert!(run.stderr.contains("give zh or en"), "{}", run.stderr);
}

fn spec(n: u32) -> BagSpec {
    BagSpec {
        id: format!("QP-{n:04}"),
        kind: BagKind::QuestionPapers,
        session: "yuwen".into(),
        site: SITE.into(),
        room: format!("第{:02}考场", n.div_ceil(2)),
        seal: format!("S{}", 1000 + n),
        count: 30,
    }
}

fn body(event: Event) -> Vec<u8> {
    Body {
        ledger_id: [0x5a; 16],
        head: Head {
            size: 42,
            hash: [7; 32],
        },
        event_time: Timestamp::parse("2026-06-07T07:40", "Asia/Shanghai").unwrap(),
        nonce: [0; 16],
        signers: vec!["c1".into(), "e1".into()],
        event,
    }
    .encode()
    .unwrap()
}

fn both(bytes: &[u8]) -> String {
    let names = [("c1", "王丽"), ("e1", "张伟")];
    Lang::ALL
        .iter()
        .map(|lang| summary(bytes, "Asia/Shanghai", &names, None, *lang).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_summary_of_a_collection_in_both_languages() {
    let bytes = body(Event::Collect(Collect {
        bags: (1..=12).map(spec).collect(),
        from: "省教育考试院".into(),
        incident: None,
    }));
    let text = both(&bytes);
    // The first lines fit an 80x24 terminal.
    for summary in text.split("\n\n") {
        assert!(summary.lines().count() <= 20, "{summary}");
    }
    for line in text.lines() {
        assert!(custody::lang::text::text_width(line) <= 80, "{line}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn the_summary_of_a_dispatch_in_both_languages() {
    let obs = |id: &str, seal: &str| BagObs {
        id: id.into(),
        seal: Some(seal.into()),
        count: None,
    };
    let bytes = body(Event::Dispatch(Dispatch {
        bags: vec![
            obs("QP-0001", "S1001"),
            obs("QP-0002", "S1002"),
            obs("BA-0007", "S2007"),
        ],
        to: Destination::Site(SITE.into()),
        escorts: vec!["e1".into()],
        incident: Some("车辆改道，晚到 20 分钟".into()),
    }));
    insta::assert_snapshot!(both(&bytes));
}
