//! `custody verify`: one ledger or bundle, or many counties' bundles in one run. Many bundles
//! are audited in parallel and give one combined report and one exit code; each `--trust`
//! hash is matched to the bundle whose genesis it is (the genesis hash commits to the ledger
//! id, so it names one ledger).

use crate::cli::VerifyArgs;
use crate::fail::{EXIT_FINDINGS, Fail, input};
use crate::progress::Bar;
use crate::tlog::{audit, named, print_report};
use custody::audit::verify::{Options, Progress, Report};
use custody::bundle;
use custody::entry::{Hash, hex, parse_hex};
use custody::evidence::{Evidence, Named, checkpoint_origin, proof_origin};
use custody::i18n::Msg;
use custody::note::origin;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `custody verify`, whatever it is given; returns the exit code.
pub fn verify(dir: &Path, a: &VerifyArgs) -> Result<u8, Fail> {
    if let Some(line) = &a.register {
        return register(dir, line, a);
    }
    let trust = a
        .trust
        .iter()
        .map(|t| {
            parse_hex::<32>(t).ok_or_else(|| {
                input(format!(
                    "--trust {t:?} is not a 64-digit hex hash (init printed the genesis hash)"
                ))
            })
        })
        .collect::<Result<Vec<Hash>, Fail>>()?;
    if let Some(out) = &a.html {
        if a.bundle.len() > 1 {
            return Err(input(
                "--html writes the page of one ledger: give it with one --bundle, or none",
            ));
        }
        crate::fail::fresh(out)?;
    }
    let progress = Arc::new(Progress::default());
    let options = Options {
        trust,
        progress: Some(progress.clone()),
        ..Options::default()
    };
    // No bar for a program reading JSON; `Bar::start` also leaves a pipe or a file alone.
    let bar = (!a.json)
        .then(|| Bar::start(input_bytes(dir, &a.bundle), progress))
        .flatten();
    let outcome = if a.bundle.len() > 1 {
        audit_bundles(options, a).map(Outcome::Combined)
    } else {
        audit(dir, options, a).map(|r| Outcome::One(Box::new(r)))
    };
    if let Some(bar) = bar {
        bar.finish();
    }
    match outcome? {
        Outcome::One(report) => {
            print_report(&report, a.json)?;
            if let Some(out) = &a.html {
                crate::html::audit_page(dir, a.bundle.first().map(PathBuf::as_path), &report, out)?;
            }
            Ok(if report.is_clean() { 0 } else { EXIT_FINDINGS })
        }
        Outcome::Combined(combined) => {
            if a.json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&combined).map_err(|e| input(e.to_string()))?
                );
            } else {
                out!("{}", render_combined(&combined));
            }
            Ok(combined.exit_code())
        }
    }
}

enum Outcome {
    One(Box<Report>),
    Combined(Combined),
}

/// The journal bytes the audit will read, for the progress bar (a bundle's size stands for
/// its journal's: the journal is nearly all of it).
fn input_bytes(dir: &Path, bundles: &[PathBuf]) -> u64 {
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    if bundles.is_empty() {
        size(&dir.join(custody::ledger::JOURNAL))
    } else {
        bundles.iter().map(|b| size(b)).sum()
    }
}

/// The combined report of many bundles; its JSON form is documented in `docs/AUDIT.md`.
#[derive(Serialize)]
struct Combined {
    /// No bundle with findings or not audited, and every trusted hash matched a bundle.
    clean: bool,
    bundles: Vec<Audited>,
    /// Trusted genesis hashes that no bundle's genesis matched: a ledger expected and missing.
    unmatched_trust: Vec<String>,
}

#[derive(Serialize)]
struct Audited {
    bundle: String,
    clean: bool,
    /// `None` when the bundle could not be audited at all (see `error`).
    report: Option<Report>,
    error: Option<NotAudited>,
}

#[derive(Serialize)]
struct NotAudited {
    /// The exit code this failure has alone.
    code: u8,
    message: String,
}

impl Combined {
    /// The first bundle's failure's code if one could not be audited; 1 if any finding or an
    /// unmatched trusted hash; 0 when clean.
    fn exit_code(&self) -> u8 {
        match self.bundles.iter().find_map(|b| b.error.as_ref()) {
            Some(e) => e.code,
            None if self.clean => 0,
            None => EXIT_FINDINGS,
        }
    }
}

/// Audits every bundle, as many at once as there are cores, each against all the trusted
/// hashes and the evidence that names its ledger.
fn audit_bundles(options: Options, a: &VerifyArgs) -> Result<Combined, Fail> {
    let evidence = route_evidence(a)?;
    let next = AtomicUsize::new(0);
    let lanes = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(a.bundle.len());
    let mut outcomes: Vec<Option<Result<Report, Fail>>> = a.bundle.iter().map(|_| None).collect();
    // Each lane audits one bundle after another; each audit runs on rayon's pool, so the
    // lanes only wait and the pool's threads do the work.
    std::thread::scope(|scope| {
        let lanes: Vec<_> = (0..lanes)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = a.bundle.get(i) else {
                            return done;
                        };
                        let options = Options {
                            evidence: evidence[i].clone(),
                            ..options.clone()
                        };
                        done.push((i, bundle::verify(path, options).map_err(Fail::from)));
                    }
                })
            })
            .collect();
        for lane in lanes {
            let done = lane
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (i, outcome) in done {
                outcomes[i] = Some(outcome);
            }
        }
    });
    let mut matched = BTreeSet::new();
    let bundles: Vec<Audited> = a
        .bundle
        .iter()
        .zip(outcomes)
        .map(|(path, outcome)| {
            let bundle = path.display().to_string();
            match outcome {
                Some(Ok(report)) => {
                    matched.extend(report.genesis_hash);
                    Audited {
                        bundle,
                        clean: report.is_clean(),
                        report: Some(report),
                        error: None,
                    }
                }
                Some(Err(fail)) => Audited {
                    bundle,
                    clean: false,
                    report: None,
                    error: Some(NotAudited {
                        code: fail.code,
                        message: fail.to_string(),
                    }),
                },
                None => unreachable!("every lane runs until no bundle is left"),
            }
        })
        .collect();
    let unmatched_trust: Vec<String> = options
        .trust
        .iter()
        .filter(|t| !matched.contains(*t))
        .map(|t| hex(t))
        .collect();
    Ok(Combined {
        clean: bundles.iter().all(|b| b.clean) && unmatched_trust.is_empty(),
        bundles,
        unmatched_trust,
    })
}

/// Gives each `--checkpoint` and `--proof` to every bundle of the ledger its checkpoint names:
/// two exports of one ledger (an old, shorter one beside a new one) are each checked against
/// all of it. Evidence that names none of them is refused: it would be checked against nothing.
fn route_evidence(a: &VerifyArgs) -> Result<Vec<Evidence>, Fail> {
    let mut out = vec![Evidence::default(); a.bundle.len()];
    if a.checkpoints.is_empty() && a.proofs.is_empty() {
        return Ok(out);
    }
    let origins: Vec<Option<String>> = a
        .bundle
        .iter()
        .map(|b| bundle::open(b).ok().map(|o| origin(&o.header.ledger_id)))
        .collect();
    let targets = |n: &Named, found: Option<String>| -> Result<Vec<usize>, Fail> {
        let all: Vec<usize> = origins
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_some() && **b == found)
            .map(|(i, _)| i)
            .collect();
        if all.is_empty() {
            return Err(input(format!(
                "{} is not evidence about the ledger of any bundle given",
                n.label
            )));
        }
        Ok(all)
    };
    for n in named(&a.checkpoints, "checkpoint")? {
        for i in targets(&n, checkpoint_origin(&n.text))? {
            out[i].checkpoints.push(n.clone());
        }
    }
    for n in named(&a.proofs, "proof")? {
        for i in targets(&n, proof_origin(&n.text))? {
            out[i].proofs.push(n.clone());
        }
    }
    Ok(out)
}

/// The combined report for a person: each bundle's report in turn, then one line per bundle
/// and the verdict of the whole run.
fn render_combined(c: &Combined) -> String {
    let lang = crate::lang();
    let total = c.bundles.len();
    let mut s = String::new();
    let mut line = |text: String| {
        s.push_str(&text);
        s.push('\n');
    };
    for (i, b) in c.bundles.iter().enumerate() {
        line(lang.f(
            Msg::BundleHead,
            &[("i", &(i + 1)), ("n", &total), ("bundle", &b.bundle)],
        ));
        match (&b.report, &b.error) {
            (Some(report), _) => line(crate::tlog::render_report(report, lang)),
            (None, Some(e)) => {
                line(lang.f(Msg::NotAudited, &[("text", &e.message)]));
                line(String::new());
            }
            (None, None) => line(String::new()),
        }
    }
    line(lang.f(Msg::CombinedHead, &[("n", &total)]));
    let (mut with_findings, mut not_audited) = (0, 0);
    for b in &c.bundles {
        let status = match (&b.report, &b.error) {
            (Some(r), _) if r.is_clean() => lang.t(Msg::Clean).to_string(),
            (Some(r), _) => {
                with_findings += 1;
                lang.f(Msg::NFindings, &[("n", &r.findings.len())])
            }
            _ => {
                not_audited += 1;
                lang.t(Msg::NotAuditedShort).to_string()
            }
        };
        line(format!(
            "  {} {}",
            custody::lang::text::pad(&status, 14, custody::lang::text::Align::Left),
            b.bundle
        ));
    }
    for t in &c.unmatched_trust {
        line(lang.f(Msg::TrustUnmatched, &[("hash", t)]));
    }
    if c.clean {
        line(lang.f(Msg::CombinedClean, &[("n", &total)]));
    } else {
        let mut parts = Vec::new();
        if with_findings > 0 {
            parts.push(lang.f(
                Msg::BundlesWithFindings,
                &[("k", &with_findings), ("n", &total)],
            ));
        }
        if not_audited > 0 {
            parts.push(lang.f(Msg::BundlesNotAudited, &[("k", &not_audited)]));
        }
        if !c.unmatched_trust.is_empty() {
            parts.push(lang.f(Msg::TrustWithoutBundle, &[("k", &c.unmatched_trust.len())]));
        }
        line(lang.f(
            Msg::CombinedVerdict,
            &[("parts", &parts.join(lang.t(Msg::ListSeparator)))],
        ));
    }
    s
}

/// `custody verify --register "SIZE CODE"`: recomputes the register code of the ledger's first
/// SIZE entries (its Merkle tree of that size) and compares.
fn register(dir: &Path, line: &str, a: &VerifyArgs) -> Result<u8, Fail> {
    if !a.bundle.is_empty() || a.html.is_some() {
        return Err(input(
            "--register checks a ledger directory alone: give it without --bundle or --html",
        ));
    }
    let (size, code) = custody::register::parse_line(line).map_err(|e| input(e.to_string()))?;
    if size == 0 {
        return Err(input(
            "--register: a register line names at least one entry",
        ));
    }
    let path = custody::ledger::journal_path(dir)?;
    let file = std::fs::File::open(&path).map_err(|e| input(format!("{}: {e}", path.display())))?;
    let mut found = None;
    let mut entries = 0;
    custody::scan::scan(std::io::BufReader::new(file), &path, |s| {
        entries = s.position + 1;
        if entries < size {
            return std::ops::ControlFlow::Continue(());
        }
        found = s
            .state
            .ledger()
            .ok()
            .flatten()
            .zip(s.state.tree().ok())
            .map(|(info, tree)| custody::register::code(&info.ledger_id, size, &tree.root()));
        std::ops::ControlFlow::Break(())
    })?;
    let lang = crate::lang();
    let (ok, text) = match found {
        Some(c) if c == code => (true, lang.f(Msg::RegisterMatches, &[("size", &size)])),
        Some(c) => (
            false,
            lang.f(
                Msg::RegisterDiffers,
                &[("size", &size), ("code", &code), ("actual", &c)],
            ),
        ),
        None => (
            false,
            lang.f(Msg::RegisterShort, &[("size", &size), ("n", &entries)]),
        ),
    };
    if a.json {
        outln!(
            "{}",
            serde_json::json!({"register": format!("{size} {code}"), "matches": ok, "entries": entries})
        );
    } else {
        outln!("{text}");
    }
    Ok(if ok { 0 } else { EXIT_FINDINGS })
}
