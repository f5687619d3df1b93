//! The printable pages through the binary: the HTML audit report (`verify --html`) of the
//! county_exam ledger, of a tampered copy and of a ledger full of hostile text, read back with an
//! HTML parser; and the handover receipt (`receipt SEQ`) as text, A4 HTML and JSON, in both
//! languages, with its QR payload, its errors and its snapshot.

#[allow(dead_code)] // the kit serves several test files; this one uses part of it
mod util;

use custody::html::anchor;
use custody::lang::text::text_width;
use custody::receipt::QrPayload;
use scraper::{ElementRef, Html, Selector};
use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;
use util::{Fixture, Run};

// ---------------------------------------------------------------------------------------------
// The county_exam ledger, recorded once by the example and copied into each test

static COUNTY: OnceLock<tempfile::TempDir> = OnceLock::new();

/// A fixture whose `ledger/` is a copy of the county_exam example's ledger (127 entries, 96
/// bags, one torn seal at entry 35, declared as an incident at entry 36).
fn county() -> Fixture {
    let template = COUNTY.get_or_init(|| {
        let parent = Path::new(env!("CARGO_TARGET_TMPDIR"));
        util::remove_stale_templates(parent, "custody-pages-template-");
        let tmp = tempfile::Builder::new()
            .prefix("custody-pages-template-")
            .tempdir_in(parent)
            .expect("template dir");
        let out = std::process::Command::new(util::example("county_exam"))
            .arg("--keep")
            .arg(tmp.path().join("ledger"))
            .output()
            .expect("run county_exam");
        assert!(
            out.status.success(),
            "county_exam failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmp
    });
    let fx = Fixture::new();
    util::copy_dir(template.path(), fx.tmp.path());
    fx
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

fn read(fx: &Fixture, file: &str) -> Html {
    Html::parse_document(&std::fs::read_to_string(fx.path(file)).unwrap())
}

fn text(e: ElementRef<'_>) -> String {
    e.text().collect()
}

/// Every element id of the page.
fn ids(page: &Html) -> HashSet<String> {
    page.select(&sel("[id]"))
        .filter_map(|e| e.value().attr("id").map(str::to_string))
        .collect()
}

/// Self-contained and inert: no script, no event handler, nothing fetched or linked outside
/// the page, every `#` link and SVG reference to an element that exists.
#[track_caller]
fn assert_self_contained(page: &Html) {
    assert_eq!(page.select(&sel("script")).count(), 0, "a <script> element");
    for tag in ["img", "iframe", "object", "embed", "link", "base", "form"] {
        assert_eq!(page.select(&sel(tag)).count(), 0, "a <{tag}> element");
    }
    let known = ids(page);
    for e in page.select(&sel("*")) {
        for (name, value) in e.value().attrs() {
            assert!(!name.starts_with("on"), "event handler {name}={value:?}");
            assert_ne!(name, "src", "src={value:?}");
            if name == "href" {
                let target = value.strip_prefix('#').unwrap_or_else(|| {
                    panic!("href {value:?} leaves the page");
                });
                assert!(known.contains(target), "href {value:?} points nowhere");
            }
        }
    }
    let style: String = page.select(&sel("style")).map(text).collect();
    assert!(!style.contains("url("), "the style loads something");
    assert!(!style.contains("@import"), "the style imports something");
}

/// The bag ids of the ledger, as `custody status --json` lists them.
fn bag_ids(fx: &Fixture) -> Vec<String> {
    let status = fx.run(&["status", "--json"]).exits(0).json();
    status["bags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect()
}

/// Checks what every audit page must hold: its findings each linked to an existing entry
/// anchor, and a section with a drawn timeline for every bag of the ledger.
#[track_caller]
fn assert_report(fx: &Fixture, page: &Html, findings: usize) {
    assert_self_contained(page);
    let known = ids(page);
    let links: Vec<String> = page
        .select(&sel("#findings li a[href^=\"#e-\"]"))
        .map(|a| a.value().attr("href").unwrap()[1..].to_string())
        .collect();
    assert_eq!(links.len(), findings, "one entry link per finding");
    for id in &links {
        let row = page.select(&sel(&format!("#{id}"))).next().unwrap();
        assert_eq!(row.value().name(), "tr", "{id} is an entry row");
    }
    let bags = bag_ids(fx);
    assert!(!bags.is_empty());
    for id in bags {
        let anchor = anchor("bag", &id);
        assert!(known.contains(&anchor), "no section for bag {id}");
        let section = page.select(&sel(&format!("#{anchor}"))).next().unwrap();
        assert!(text(section).contains(&id), "{id}");
        let used = section
            .select(&sel("svg use"))
            .next()
            .unwrap_or_else(|| panic!("bag {id} has no timeline"));
        let lane = &used.value().attr("href").unwrap()[1..];
        let drawing = page.select(&sel(&format!("g#{lane}"))).next().unwrap();
        assert!(drawing.select(&sel("circle")).count() >= 1, "{id}: no mark");
    }
}

// ---------------------------------------------------------------------------------------------
// The HTML audit report

#[test]
fn the_report_of_the_county_exam_shows_the_torn_seal_and_every_bag() {
    let fx = county();
    let run = fx.run(&["verify", "--html", "report.html"]).exits(1);
    assert!(run.stdout.contains("SEAL_MISMATCH"), "{}", run.stdout);
    assert!(run.stderr.contains("wrote report.html"), "{}", run.stderr);
    let page = read(&fx, "report.html");
    // The torn seal observed at arrival, and its declaration as an incident.
    assert_report(&fx, &page, 2);
    let verdict = text(page.select(&sel(".verdict.bad")).next().unwrap());
    assert!(verdict.contains("2 finding(s)"), "{verdict}");
    assert!(verdict.contains("high 2"), "{verdict}");
    let declared = text(page.select(&sel("#findings li")).nth(1).unwrap());
    assert!(declared.contains("INCIDENT_BROKEN_SEAL"), "{declared}");
    let finding = text(page.select(&sel("#findings li")).next().unwrap());
    assert!(finding.contains("SEAL_MISMATCH"), "{finding}");
    assert!(
        finding.contains("a seal number does not match"),
        "{finding}"
    );
    assert!(finding.contains("QP-YW-203"), "{finding}");
    // The torn bag's lane has a red ring; a bag without findings has none.
    let ring = |bag: &str| {
        let section = page
            .select(&sel(&format!("#{}", anchor("bag", bag))))
            .next()
            .unwrap();
        let lane = section.select(&sel("use")).next().unwrap();
        let lane = &lane.value().attr("href").unwrap()[1..];
        page.select(&sel(&format!("g#{lane} circle.ring"))).count()
    };
    assert_eq!(ring("QP-YW-203"), 2, "a ring at each of its two findings");
    assert_eq!(ring("QP-YW-101"), 0);
    // Every legend colour is explained on the page.
    let legend = text(page.select(&sel(".legend")).next().unwrap());
    for words in [
        "custodian",
        "escort",
        "chief examiner",
        "invigilator",
        "released",
        "red ring",
    ] {
        assert!(legend.contains(words), "{words}: {legend}");
    }
}

#[test]
fn the_report_speaks_chinese_and_keeps_the_exit_status() {
    let fx = county();
    fx.run(&["--lang", "zh", "verify", "--json", "--html", "报告.html"])
        .exits(1);
    let page = read(&fx, "报告.html");
    assert_report(&fx, &page, 2);
    let html = page.root_element();
    assert_eq!(html.value().attr("lang"), Some("zh-CN"));
    let all = text(html);
    for words in [
        "审计报告",
        "发现 2 个问题",
        "封条号不符",
        "保管员",
        "押运员",
        "红圈",
    ] {
        assert!(all.contains(words), "{words}");
    }
}

#[test]
fn a_clean_bundle_gets_a_clean_page() {
    let fx = county();
    // Only the verdict differs from the ledger's: the export's page has the same bags.
    fx.run(&["export", "--out", "county.custody"]).exits(0);
    fx.run(&["verify", "--bundle", "county.custody", "--html", "b.html"])
        .exits(1);
    let page = read(&fx, "b.html");
    assert_report(&fx, &page, 2);
}

#[test]
fn a_tampered_ledger_gets_its_integrity_findings_on_the_page() {
    let fx = county();
    let (header, records) = fx.records();
    let mut entries: Vec<Vec<u8>> = records.into_iter().map(|(_, e)| e).collect();
    // The last byte of entry 40 is in its last signature.
    *entries[40].last_mut().unwrap() ^= 0x01;
    fx.write_records(&header, &entries);
    let run = fx.run(&["verify", "--html", "t.html", "--json"]).exits(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap().len();
    let page = read(&fx, "t.html");
    assert_report(&fx, &page, findings);
    let verdict = text(page.select(&sel(".verdict.bad")).next().unwrap());
    assert!(verdict.contains("critical"), "{verdict}");
    let codes = text(page.select(&sel("#findings")).next().unwrap());
    assert!(codes.contains("SIGNATURE"), "{codes}");
    assert!(
        page.select(&sel("#e-40")).next().is_some(),
        "the tampered entry is listed"
    );
}

/// The county_exam ledger with one correction (entry 127: bag QP-YW-101 of entry 13 counted 31
/// papers, not 30), signed with the demo roster's key files.
fn county_with_correction() -> Fixture {
    let fx = county();
    let out = std::process::Command::new(util::example("demo_keys"))
        .arg(fx.path("demo"))
        .arg("--private")
        .output()
        .expect("run demo_keys");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fx.run(&[
        "record",
        "correct",
        "--entry",
        "13",
        "--bag",
        "QP-YW-101",
        "--count",
        "31",
        "--note",
        "miscounted at collection: 31 papers <in> the bag",
        "--sign",
        "demo/cust1.key",
        "--sign",
        "demo/sup1.key",
        "--pass-file",
        "demo/cust1.pass",
        "--pass-file",
        "demo/sup1.pass",
    ])
    .exits(0);
    fx
}

/// The rows of the table in section `id`, each as its cells' text.
fn rows(page: &Html, id: &str) -> Vec<Vec<String>> {
    page.select(&sel(&format!("#{id} tbody tr")))
        .map(|tr| tr.select(&sel("td")).map(text).collect())
        .collect()
}

#[test]
fn the_report_lists_checks_incidents_corrections_and_the_roster_in_both_languages() {
    let fx = county_with_correction();
    fx.run(&["verify", "--html", "en.html"]).exits(1);
    fx.run(&["--lang", "zh", "verify", "--html", "zh.html"])
        .exits(1);
    // How many findings the audit makes of this ledger (the torn seal, observed and declared,
    // and what the count corrected after the bag moved on brings): the page shows each.
    let report = fx.run(&["verify", "--json"]).exits(1).json();
    let custody_findings = report["findings"].as_array().unwrap().len();
    let version = env!("CARGO_PKG_VERSION");
    for (file, words) in [
        (
            "en.html",
            [
                "integrity: no findings",
                "authorization: no findings",
                "custody: ",
                "count 30 → 31",
                "broken seal",
                "custody {version}",
            ],
        ),
        (
            "zh.html",
            [
                "完整性：无问题",
                "授权：无问题",
                "保管：",
                "份数 30 → 31",
                "封条破损",
                "由 custody {version} 于",
            ],
        ),
    ] {
        let page = read(&fx, file);
        assert_report(&fx, &page, custody_findings);
        let checks: Vec<String> = page.select(&sel("#checks li")).map(text).collect();
        assert_eq!(checks.len(), 3, "{checks:?}");
        for (check, want) in checks.iter().zip(&words[..3]) {
            assert!(check.contains(want), "{file}: {check:?} lacks {want:?}");
        }
        assert!(
            checks[0].starts_with('✓') && checks[2].starts_with('✗'),
            "{checks:?}"
        );

        // The three declared incidents, each with its note (in the exam's zone: 08:17 at
        // Asia/Shanghai is 00:17 UTC) and the finding reported at the arrival.
        let incidents = rows(&page, "incidents");
        assert_eq!(incidents.len(), 3, "{file}: {incidents:?}");
        assert!(incidents[0][0].contains("35"), "{incidents:?}");
        assert!(
            incidents[0][1].contains("2026-06-07 08:17"),
            "{incidents:?}"
        );
        assert!(
            incidents[0][4].contains("seal strip found torn"),
            "{incidents:?}"
        );
        assert!(incidents[0][6].contains("SEAL_MISMATCH"), "{incidents:?}");
        assert!(incidents[1][2].contains(words[4]), "{incidents:?}");
        assert!(incidents[1][4].contains("photographed"), "{incidents:?}");

        // The correction: which entry, the old and the new count, the note as text.
        let corrections = rows(&page, "corrections");
        assert_eq!(corrections.len(), 1, "{file}: {corrections:?}");
        let c = &corrections[0];
        assert!(c[0].contains("127") && c[2].contains("13"), "{c:?}");
        assert_eq!(c[3], "QP-YW-101");
        assert_eq!(c[4], words[3]);
        assert_eq!(c[5], "miscounted at collection: 31 papers <in> the bag");
        assert_eq!(c[6], "cust1 + sup1");
        let fixed = page
            .select(&sel("#corrections tbody a"))
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect::<Vec<_>>();
        assert_eq!(fixed, ["#e-127", "#e-13"]);

        // The founders and the nine enrolments.
        let roster = rows(&page, "roster");
        assert_eq!(roster.len(), 10, "{roster:?}");
        assert!(roster[1][2].contains("cust1"), "{roster:?}");
        assert_eq!(rows(&page, "changes").len(), 0);

        // When, in the exam's zone with its offset, and by which version.
        let made = text(page.select(&sel("header .made")).next().unwrap());
        assert!(
            made.contains(&words[5].replace("{version}", version)),
            "{made}"
        );
        assert!(made.contains(" +08:00"), "{made}");
    }
}

/// The x of each entry's mark in lane `g#id`, from the shapes [`marker`] draws.
fn mark_xs(page: &Html, lane: &str) -> Vec<(u64, f64)> {
    let num = |e: ElementRef<'_>, a: &str| -> f64 { e.value().attr(a).unwrap().parse().unwrap() };
    page.select(&sel(&format!("g#{lane} .m")))
        .map(|m| {
            let seq = text(m.select(&sel("title")).next().unwrap());
            let seq = seq.split(' ').next().unwrap().parse().unwrap();
            let x = match m.value().name() {
                "circle" => num(m, "cx"),
                "rect" => num(m, "x") + num(m, "width") / 2.0,
                "polygon" => {
                    let points = m.value().attr("points").unwrap();
                    points.split([',', ' ']).next().unwrap().parse().unwrap()
                }
                "path" => {
                    let d = m.value().attr("d").unwrap();
                    d[1..].split(' ').next().unwrap().parse::<f64>().unwrap() + 5.0
                }
                other => panic!("a mark drawn as <{other}>"),
            };
            (seq, x)
        })
        .collect()
}

#[test]
fn the_timelines_of_a_session_share_one_time_axis() {
    let fx = county();
    fx.run(&["verify", "--html", "r.html"]).exits(1);
    let page = read(&fx, "r.html");
    // Every lane of a room's bags (and so of its session's) puts one entry at one x.
    let mut shared = 0;
    for room in page.select(&sel("details.room")) {
        let axis = room
            .select(&sel("li.axis use"))
            .next()
            .expect("an axis per room");
        assert!(axis.value().attr("href").unwrap().starts_with("#a"));
        let mut at: std::collections::HashMap<u64, f64> = Default::default();
        let mut lanes = HashSet::new();
        for used in room.select(&sel("li[id] use")) {
            let lane = &used.value().attr("href").unwrap()[1..];
            lanes.insert(lane.to_string());
            for (seq, x) in mark_xs(&page, lane) {
                let before = *at.entry(seq).or_insert(x);
                assert!(
                    (before - x).abs() < 0.01,
                    "entry {seq} at {before} and at {x}"
                );
            }
        }
        shared += usize::from(lanes.len() > 1);
    }
    assert!(shared > 0, "no room with bags on different lanes");
}

#[test]
fn an_existing_page_is_never_overwritten() {
    let fx = county();
    std::fs::write(fx.path("report.html"), "keep me").unwrap();
    let run = fx.run(&["verify", "--html", "report.html"]).exits(2);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert!(
        run.stdout.is_empty(),
        "the audit ran anyway: {}",
        run.stdout
    );
    assert_eq!(
        std::fs::read_to_string(fx.path("report.html")).unwrap(),
        "keep me"
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile text: every name, note, barcode and place is attacker-controlled

const HOSTILE_NAME: &str = "<script>alert(\"name\")</script>";
const HOSTILE_SITE: &str = "\"><img src=x onerror=alert(1)>";
const HOSTILE_BAG: &str = "<b>QP'1</b>";
const HOSTILE_NOTE: &str = "</td></tr><script>alert('note')</script>&amp;";

#[test]
fn hostile_text_is_shown_as_text_and_never_runs() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", HOSTILE_NAME);
    fx.enroll("c1", &["custodian"], "2001", &["a1", "a2"])
        .exits(0);
    fx.keygen("s1", "李强");
    fx.enroll("s1", &["supervisor"], "2002", &["a1", "a2"])
        .exits(0);
    let now = custody::time::Timestamp::now();
    let mut args: Vec<String> = ["schedule", "--session", "<s>", "--subject", "语文"]
        .map(String::from)
        .to_vec();
    args.extend(["--start".into(), now.plus_seconds(3600).to_rfc3339()]);
    args.extend(["--end".into(), now.plus_seconds(7200).to_rfc3339()]);
    args.extend(fx.signing(&["a1", "a2"]));
    fx.run(&args).exits(0);
    let mut args: Vec<String> = [
        "record",
        "collect",
        "--bag",
        &format!("{HOSTILE_BAG}:S1:30"),
        "--kind",
        "question_papers",
        "--session",
        "<s>",
        "--site",
        HOSTILE_SITE,
        "--room",
        "'room'",
        "--from",
        HOSTILE_NOTE,
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(&["c1", "s1"]));
    fx.run(&args).exits(0);
    let mut args: Vec<String> = [
        "record",
        "inspect",
        "--bag",
        &format!("{HOSTILE_BAG}:S1"),
        "--incident",
        HOSTILE_NOTE,
    ]
    .map(String::from)
    .to_vec();
    args.extend(fx.signing(&["c1", "s1"]));
    fx.run(&args).exits(0);

    fx.run(&["verify", "--html", "h.html"]);
    // Entry 4 is the collection (its sender is the hostile note), entry 5 the inspection.
    fx.run(&["receipt", "4", "--html", "r4.html"]).exits(0);
    fx.run(&["receipt", "5", "--html", "r5.html"]).exits(0);
    for file in ["h.html", "r4.html", "r5.html"] {
        let raw = std::fs::read_to_string(fx.path(file)).unwrap();
        for bad in ["<script", "<img", "<b>", "onerror=alert(1)>"] {
            assert!(!raw.contains(bad), "{file} holds {bad:?} unescaped");
        }
        let page = Html::parse_document(&raw);
        assert_self_contained(&page);
        let all = text(page.root_element());
        for shown in [HOSTILE_NAME, HOSTILE_BAG] {
            assert!(
                all.contains(shown),
                "{file} does not show {shown:?} as text"
            );
        }
    }
    let report = read(&fx, "h.html");
    assert!(
        report
            .select(&sel(&format!("#{}", anchor("bag", HOSTILE_BAG))))
            .next()
            .is_some()
    );
    let all = text(report.root_element());
    assert!(all.contains(HOSTILE_SITE), "the site is shown as text");
    for file in ["r4.html", "r5.html"] {
        let receipt = text(read(&fx, file).root_element());
        assert!(
            receipt.contains(HOSTILE_NOTE),
            "{file}: the note is shown as text"
        );
    }
    let printed = fx.run(&["receipt", "5"]).exits(0).stdout;
    // On paper the note is printed as it was typed (wrapped to the printer's width).
    assert!(
        printed.contains("</td></tr><script>alert('note')"),
        "{printed}"
    );
}

// ---------------------------------------------------------------------------------------------
// The handover receipt

/// Entry 35: the arrival at 第二中学 with the torn seal, recorded with an incident note.
const ARRIVE: &str = "35";

fn entry_hash(fx: &Fixture, seq: &str) -> String {
    fx.run(&["show", seq, "--json"]).exits(0).json()["hash"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_text_receipt_fits_a_receipt_printer_in_both_languages() {
    let fx = county();
    let hash = entry_hash(&fx, ARRIVE);
    for (lang, words) in [
        (
            "en",
            [
                "Handover receipt",
                "arrive",
                "Signed by",
                "Witness",
                "seal PS260017(撕裂)",
            ],
        ),
        (
            "zh",
            [
                "交接单",
                "到达交接",
                "签名人",
                "见证人",
                "封条 PS260017(撕裂)",
            ],
        ),
    ] {
        let out = fx.run(&["--lang", lang, "receipt", ARRIVE]).exits(0).stdout;
        for w in words {
            assert!(out.contains(w), "{lang}: {w}\n{out}");
        }
        for line in out.lines() {
            assert!(text_width(line) <= 48, "{lang}: {line:?} is too wide");
        }
        assert!(out.contains('█'), "{lang}: no QR code");
        let qr = QrPayload::parse(&scan_printed_code(&out)).unwrap();
        // The register line names the tree the code names, and no hash is there to copy.
        let line = custody::register::line(&qr.ledger_id, qr.tree_size, &qr.root);
        assert!(
            out.contains(&format!("  {line}\n")),
            "{lang}: {line}\n{out}"
        );
        assert!(!out.contains(&hash), "{lang}: the entry hash is printed");
        assert_eq!(qr.seq, 35);
        assert_eq!(custody::entry::hex(&qr.hash), hash);
    }
}

/// Reads the QR code a text receipt prints (half blocks: `█` both modules ink, `▀` the top one,
/// `▄` the bottom one) the way a phone would: as a picture, with a white margin.
fn scan_printed_code(receipt: &str) -> String {
    let rows: Vec<Vec<char>> = receipt
        .lines()
        .filter(|l| l.contains(['█', '▀', '▄']))
        .map(|l| l.chars().skip(2).collect())
        .collect();
    let width = rows.iter().map(Vec::len).max().unwrap();
    let ink = |x: usize, y: usize| {
        let c = rows[y / 2].get(x).copied().unwrap_or(' ');
        let top = y.is_multiple_of(2);
        c == '█' || (top && c == '▀') || (!top && c == '▄')
    };
    let (modules_w, modules_h) = (width, rows.len() * 2);
    let (scale, margin) = (6, 4);
    let (w, h) = (
        (modules_w + 2 * margin) * scale,
        (modules_h + 2 * margin) * scale,
    );
    let mut picture = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let inside = (margin..margin + modules_w).contains(&mx)
            && (margin..margin + modules_h).contains(&my);
        if inside && ink(mx - margin, my - margin) {
            0
        } else {
            255
        }
    });
    let grids = picture.detect_grids();
    assert_eq!(grids.len(), 1, "no QR code found in the printed receipt");
    grids[0].decode().expect("the printed QR code decodes").1
}

#[test]
fn the_printed_code_scans_back_to_the_entry() {
    let fx = county();
    let out = fx.run(&["receipt", ARRIVE]).exits(0).stdout;
    let scanned = scan_printed_code(&out);
    let json = fx.run(&["receipt", ARRIVE, "--json"]).exits(0).json();
    assert_eq!(scanned, json["qr"].as_str().unwrap());
    let p = QrPayload::parse(&scanned).unwrap();
    assert_eq!(p.seq, 35);
    assert_eq!(custody::entry::hex(&p.hash), entry_hash(&fx, ARRIVE));
}

#[test]
fn the_html_receipt_is_one_a4_page_with_a_code_that_names_the_entry_and_tree() {
    let fx = county();
    let audit = fx.run(&["verify", "--json"]).exits(1).json();
    let hash = entry_hash(&fx, ARRIVE);
    for (lang, words) in [
        (
            "en",
            [
                "Handover receipt",
                "arrive",
                "第二中学",
                "Signature",
                "Witness",
            ],
        ),
        ("zh", ["交接单", "到达交接", "第二中学", "签字", "见证人"]),
    ] {
        let file = format!("receipt-{lang}.html");
        fx.run(&["--lang", lang, "receipt", ARRIVE, "--html", &file])
            .exits(0);
        let page = read(&fx, &file);
        assert_self_contained(&page);
        let style: String = page.select(&sel("style")).map(text).collect();
        assert!(style.contains("@page{size:A4"), "{lang}: not an A4 page");
        let all = text(page.root_element());
        for w in words {
            assert!(all.contains(w), "{lang}: {w}");
        }
        // One signature line per signer (two) and one for a witness.
        assert_eq!(page.select(&sel(".sign .line")).count(), 3, "{lang}");
        let qr = page.select(&sel("figure.qr svg path")).count();
        assert_eq!(qr, 1, "{lang}: the QR code is not drawn");
        // The ledger's checkpoint covers every entry: the register line names the audited tree.
        let register = text(page.select(&sel("code.register")).next().unwrap());
        let id = custody::entry::parse_hex::<16>(audit["ledger_id"].as_str().unwrap()).unwrap();
        let root = custody::entry::parse_hex::<32>(audit["root"].as_str().unwrap()).unwrap();
        let size = audit["tree_size"].as_u64().unwrap();
        assert_eq!(
            register,
            custody::register::line(&id, size, &root),
            "{lang}"
        );
        assert!(!all.contains(&hash), "{lang}: the entry hash is printed");
    }
}

#[test]
fn the_json_receipt_has_stable_keys() {
    let fx = county();
    let v = fx.run(&["receipt", ARRIVE, "--json"]).exits(0).json();
    assert_eq!(v["seq"], 35);
    assert_eq!(v["kind"], "arrive");
    assert_eq!(v["hash"], entry_hash(&fx, ARRIVE));
    assert_eq!(v["event"]["site"], "第二中学");
    assert_eq!(v["signers"][0]["id"], "chief2");
    assert_eq!(v["signers"][0]["roles"][0], "chief_examiner");
    assert_eq!(v["time_zone"], "Asia/Shanghai");
    let bags = v["bags"].as_array().unwrap();
    assert!(bags.iter().any(|b| b["id"] == "QP-YW-203"));
    assert!(v["bag_ranges"].as_str().unwrap().contains(".."));
    let cp = &v["checkpoint"];
    assert_eq!(cp["size"], v["tree"]["size"]);
    assert!(cp["human"].as_str().unwrap().starts_with("custody/"));
    let p = QrPayload::parse(v["qr"].as_str().unwrap()).unwrap();
    assert_eq!(custody::entry::hex(&p.ledger_id), v["ledger_id"]);
}

#[test]
fn receipt_errors_are_clear_and_write_nothing() {
    let fx = county();
    let run = fx.run(&["receipt", "999"]).exits(2);
    assert!(
        run.stderr
            .contains("no entry 999: the ledger has 127 entries"),
        "{}",
        run.stderr
    );
    let run = fx.run(&["--lang", "zh", "receipt", "999"]).exits(2);
    assert!(run.stderr.contains("没有第 999 条"), "{}", run.stderr);
    fx.run(&["receipt", "999", "--html", "none.html"]).exits(2);
    assert!(!fx.path("none.html").exists());
    assert_eq!(util::temporaries(fx.tmp.path()), Vec::<String>::new());
    std::fs::write(fx.path("kept.html"), "keep me").unwrap();
    let run = fx.run(&["receipt", "3", "--html", "kept.html"]).exits(2);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(fx.path("kept.html")).unwrap(),
        "keep me"
    );
    let run = fx
        .run(&["receipt", "3", "--html", "no/such/dir/r.html"])
        .exits(2);
    assert!(run.stderr.contains("no/such/dir/r.html"), "{}", run.stderr);
}

#[test]
fn a_receipt_of_a_forged_entry_is_refused() {
    let fx = county();
    let (header, records) = fx.records();
    let mut entries: Vec<Vec<u8>> = records.into_iter().map(|(_, e)| e).collect();
    *entries[35].last_mut().unwrap() ^= 0x01;
    fx.write_records(&header, &entries);
    let run = fx.run(&["receipt", ARRIVE]).exits(5);
    assert!(run.stderr.contains("does not verify"), "{}", run.stderr);
    // An earlier entry verifies, but the journal no longer holds the checkpoint's tree.
    let run = fx.run(&["receipt", "12"]).exits(5);
    assert!(run.stderr.contains("checkpoint"), "{}", run.stderr);
}

#[test]
fn the_receipt_reads_the_ledger_while_a_writer_holds_it() {
    let fx = county();
    let writer = custody::ledger::Ledger::open(&fx.ledger()).unwrap();
    fx.run(&["receipt", ARRIVE]).exits(0);
    writer.close().unwrap();
}

/// The receipt with everything that differs between runs (ledger id, hashes, the QR code and
/// its payload) replaced by placeholders.
fn redacted(out: &str) -> String {
    let hexword = |w: &str| w.len() >= 4 && w.bytes().all(|b| b.is_ascii_hexdigit());
    let mut lines: Vec<String> = Vec::new();
    for line in out.lines() {
        let placeholder = if line.contains(['█', '▀', '▄']) {
            Some("[QR code]")
        } else if line.starts_with("CUSTODY:1:")
            || (line.len() >= 16 && line.bytes().all(|b| b.is_ascii_hexdigit() || b == b':'))
        {
            Some("[QR payload]")
        } else {
            None
        };
        match placeholder {
            Some(p) => {
                if lines.last().map(String::as_str) != Some(p) {
                    lines.push(p.to_string());
                }
            }
            None => lines.push(
                line.split(' ')
                    .map(|w| match w.strip_prefix("custody/") {
                        Some(id) if hexword(id) => "custody/<ledger id>".to_string(),
                        _ if w.len() == 4 && hexword(w) => "xxxx".to_string(),
                        // The register code: five groups of four.
                        _ if w.len() == 24 && w.matches('-').count() == 4 => {
                            "XXXX-XXXX-XXXX-XXXX-XXXX".to_string()
                        }
                        _ => w.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn the_text_receipt_snapshot() {
    let fx = county();
    for lang in ["en", "zh"] {
        let run: Run = fx.run(&["--lang", lang, "receipt", ARRIVE]).exits(0);
        insta::assert_snapshot!(format!("receipt_{lang}"), redacted(&run.stdout));
    }
}
