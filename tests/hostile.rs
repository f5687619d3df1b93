//! Hostile and careless input, through the real binary: every case gets a clear message (one
//! `custody: …` line, perhaps a `hint: …` line, no panic), the exit code of PRODUCT.md (2 bad
//! input, 3 refused by the rules, 4 busy, 5 storage or damage) and a journal (and checkpoint)
//! byte for byte as it was.
//!
//! What is real and what is injected. These tests often run as root in a sandbox:
//!
//! - Root reads and writes any file whatever its mode (CAP_DAC_OVERRIDE), so a mode-000 file
//!   proves nothing by itself. Where `setpriv` can drop CAP_DAC_OVERRIDE and
//!   CAP_DAC_READ_SEARCH from the bounding set, the binary runs as root *without* them and
//!   permission bits apply to it as to any owner: "permission denied" is then real. As an
//!   ordinary user nothing is needed. When neither works the permission tests say
//!   "skipped: …" on the test run's output and return. Paths where even root is refused are always covered: a journal that is a
//!   directory (EISDIR), a ledger path under a file (ENOTDIR), a journal that is a FIFO or
//!   `/dev/full`.
//! - A full disk is real when `mount -t tmpfs` works (a small tmpfs, filled up); otherwise those
//!   tests say "skipped: …" and return. It is always also injected through the journal's
//!   [`JournalIo`] interface, which is how a short write is made to stop at any chosen byte.
//! - A read-only file system is real when a bind mount can be remounted read-only.
//! - Two writers at once are two real processes started together.
//!
//! Unix only: the cases are made of Unix files (symlinks, FIFOs, devices, permission bits).

#![cfg(unix)]

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use custody::journal::{self, End, JournalError, JournalIo, Reader, Writer};
use custody::ledger::{ErrorClass, LedgerError};
use custody::time::Timestamp;
use std::cell::Cell;
use std::fs::{self, File};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use util::{Fixture, Run};

const SITE: &str = "第一中学";
const ROOM: &str = "第01考场";
const HEADER: &str = "bag_id,kind,session,site,room,seal,count";
/// The longest line a failure message may have: a path, a reason and what to do fit easily.
const MAX_LINE: usize = 400;

// ---------------------------------------------------------------------------------------------
// A small ledger, built once and copied into each test's own directory

/// Founders a1..a3, custodian c1, supervisor s1, and session `yuwen` starting an hour after
/// the template was built (so that its papers may be collected now).
static TEMPLATE: OnceLock<tempfile::TempDir> = OnceLock::new();

fn ledger() -> Fixture {
    let template = TEMPLATE.get_or_init(build_template);
    let fx = Fixture::new();
    util::copy_dir(template.path(), fx.tmp.path());
    fx
}

fn build_template() -> tempfile::TempDir {
    let parent = Path::new(env!("CARGO_TARGET_TMPDIR"));
    util::remove_stale_templates(parent, "custody-hostile-template-");
    let tmp = tempfile::Builder::new()
        .prefix("custody-hostile-template-")
        .tempdir_in(parent)
        .expect("template dir");
    let fx = Fixture { tmp };
    fx.init3();
    fx.keygen("c1", "王丽");
    fx.enroll("c1", &["custodian"], "2001", &["a1", "a2"])
        .exits(0);
    fx.keygen("s1", "李强");
    fx.enroll("s1", &["supervisor"], "2002", &["a1", "a2"])
        .exits(0);
    let now = Timestamp::now();
    let (start, end) = (now.plus_seconds(3600), now.plus_seconds(4 * 3600));
    let mut args = strings(&["schedule", "--session", "yuwen", "--subject", "语文"]);
    args.extend(["--start".into(), start.to_rfc3339()]);
    args.extend(["--end".into(), end.to_rfc3339()]);
    args.extend(fx.signing(&["a1", "a2"]));
    fx.run(&args).exits(0);
    fx.tmp
}

// ---------------------------------------------------------------------------------------------
// Driving the binary

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// `record collect` with `extra`, co-signed by c1 and s1.
fn collect(fx: &Fixture, extra: &[&str]) -> Vec<String> {
    let mut args = strings(&["record", "collect"]);
    args.extend(strings(extra));
    args.extend(fx.signing(&["c1", "s1"]));
    args
}

/// The flags that give one bag's destination, for `collect --bag`.
const DEFAULTS: [&str; 8] = [
    "--kind",
    "question_papers",
    "--session",
    "yuwen",
    "--site",
    SITE,
    "--room",
    ROOM,
];

/// `record collect --bag ID:S1:30` with the default destination.
fn collect_one(fx: &Fixture, id: &str, extra: &[&str]) -> Vec<String> {
    let bag = format!("{id}:S1:30");
    let mut flags = vec!["--bag", bag.as_str()];
    flags.extend(DEFAULTS);
    flags.extend(extra);
    collect(fx, &flags)
}

/// A complete manifest of `n` question-paper bags `PREFIX-1`…
fn manifest(prefix: &str, n: usize) -> String {
    let mut out = format!("{HEADER}\n");
    for i in 1..=n {
        out.push_str(&format!(
            "{prefix}-{i},question_papers,yuwen,{SITE},{ROOM},S{i},30\n"
        ));
    }
    out
}

/// The number of records in the journal.
fn entries(fx: &Fixture) -> usize {
    fx.records().1.len()
}

/// What a refused command must leave as it was: the journal and the ledger's checkpoint.
fn snapshot(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    (
        fs::read(dir.join("journal")).unwrap_or_default(),
        fs::read(dir.join("checkpoint")).unwrap_or_default(),
    )
}

/// The failure message at the end of stderr: one `custody: …` line, perhaps one `hint: …`
/// line, each short, and no trace of a panic.
#[track_caller]
fn message(run: &Run) -> String {
    for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(
            !run.stderr.contains(bad),
            "{bad} on stderr:\n{}",
            run.stderr
        );
    }
    let lines: Vec<&str> = run.stderr.lines().collect();
    let at = lines
        .iter()
        .rposition(|l| l.starts_with("custody: "))
        .unwrap_or_else(|| panic!("no line starts with \"custody: \":\n{}", run.stderr));
    let tail = &lines[at..];
    assert!(
        tail.len() == 1 || (tail.len() == 2 && tail[1].starts_with("hint: ")),
        "the message is one `custody:` line and at most one `hint:` line:\n{}",
        run.stderr
    );
    for line in tail {
        assert!(
            line.chars().count() <= MAX_LINE,
            "a message line of {} characters:\n{}…",
            line.chars().count(),
            line.chars().take(300).collect::<String>()
        );
    }
    tail.join("\n")
}

/// Runs a command that must fail with `code`, say `needle` in a clear message, and leave the
/// journal and the checkpoint of `fx`'s ledger byte for byte as they were.
#[track_caller]
fn refuse<S: AsRef<std::ffi::OsStr>>(fx: &Fixture, args: &[S], code: i32, needle: &str) -> Run {
    refuse_in(fx, &fx.ledger(), args, code, needle)
}

/// [`refuse`] for the ledger in `dir`.
#[track_caller]
fn refuse_in<S: AsRef<std::ffi::OsStr>>(
    fx: &Fixture,
    dir: &Path,
    args: &[S],
    code: i32,
    needle: &str,
) -> Run {
    let before = snapshot(dir);
    let run = fx.run(args).exits(code);
    let text = message(&run);
    assert!(
        text.contains(needle),
        "the message should mention {needle:?}:\n{text}"
    );
    assert!(
        snapshot(dir) == before,
        "a refused command changed the journal or the checkpoint"
    );
    run
}

/// Runs the binary through `prefix` (e.g. `setpriv …`), with stdin from `stdin` (or nothing),
/// and kills it if it has not finished after `deadline`: `None` then.
fn spawn(
    fx: &Fixture,
    prefix: &[&str],
    args: &[String],
    stdin: Option<&Path>,
    deadline: Duration,
) -> Option<Run> {
    let bin = env!("CARGO_BIN_EXE_custody");
    let mut cmd = match prefix.split_first() {
        Some((program, rest)) => {
            let mut c = Command::new(program);
            c.args(rest).arg(bin);
            c
        }
        None => Command::new(bin),
    };
    let out = tempfile::tempfile().unwrap();
    let err = tempfile::tempfile().unwrap();
    cmd.args(args)
        .current_dir(fx.tmp.path())
        .env("CUSTODY_KDF", "low-cost")
        .env("CUSTODY_LEDGER", fx.ledger())
        .env("LANG", "C")
        .env_remove("RUST_BACKTRACE")
        .stdin(match stdin {
            Some(p) => Stdio::from(File::open(p).unwrap()),
            None => Stdio::null(),
        })
        .stdout(out.try_clone().unwrap())
        .stderr(err.try_clone().unwrap());
    let mut child = cmd.spawn().expect("spawn custody");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |mut f: File| {
        let mut s = String::new();
        f.rewind().unwrap();
        f.read_to_string(&mut s).unwrap();
        s
    };
    Some(Run {
        code: status.code().expect("custody was killed by a signal"),
        stdout: read(out),
        stderr: read(err),
    })
}

/// `verify` exits 0: the ledger is clean.
#[track_caller]
fn clean(fx: &Fixture) {
    let run = fx.run(&["verify"]).exits(0);
    assert!(run.stdout.contains("CLEAN"), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------------
// 1. A missing ledger, a ledger that is a file, a journal that cannot be read

/// Every command that reads or writes a ledger, as (label, arguments).
fn ledger_commands(fx: &Fixture) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("log", strings(&["log"])),
        ("verify", strings(&["verify"])),
        ("show", strings(&["show", "0"])),
        ("status", strings(&["status"])),
        ("bag", strings(&["bag", "QP-1"])),
        ("keys", strings(&["keys"])),
        ("policy show", strings(&["policy", "show"])),
        ("reindex", strings(&["reindex"])),
        ("export", strings(&["export", "--out", "export.cx"])),
        (
            "backup",
            strings(&["backup", "--out", "backup.cx", "--pass-file", "a1.pass"]),
        ),
        ("record", collect_one(fx, "QP-1", &[])),
    ]
}

#[test]
fn a_missing_ledger_is_bad_input_for_every_command_and_nothing_is_created() {
    let fx = ledger();
    fs::create_dir(fx.path("empty")).unwrap();
    fs::write(fx.path("a-file"), "not a directory").unwrap();
    fs::create_dir(fx.path("dangling")).unwrap();
    std::os::unix::fs::symlink(fx.path("nowhere"), fx.path("dangling/journal")).unwrap();
    for dir in ["nope", "empty", "a-file/ledger", "dangling"] {
        for (label, args) in ledger_commands(&fx) {
            let mut full = strings(&["--ledger", dir]);
            full.extend(args);
            let run = refuse_in(&fx, &fx.path(dir), &full, 2, "no ledger at");
            assert!(
                message(&run).contains("custody init"),
                "{dir} {label}: says how to make one"
            );
        }
        assert!(!fx.path("export.cx").exists() && !fx.path("backup.cx").exists());
    }
    assert!(!fx.path("nope").exists(), "no ledger directory was created");
    assert_eq!(fs::read_dir(fx.path("empty")).unwrap().count(), 0);
    assert_eq!(fs::read_dir(fx.path("dangling")).unwrap().count(), 1);
    assert_eq!(
        fs::read_to_string(fx.path("a-file")).unwrap(),
        "not a directory"
    );
}

#[test]
fn a_ledger_path_that_is_a_file_is_bad_input_and_the_file_is_left_alone() {
    let fx = ledger();
    fs::write(fx.path("ledger.txt"), "my notes").unwrap();
    for (label, args) in ledger_commands(&fx) {
        let mut full = strings(&["--ledger", "ledger.txt"]);
        full.extend(args);
        let run = fx.run(&full).exits(2);
        assert!(
            message(&run).contains("is not a directory"),
            "{label}: {}",
            run.stderr
        );
    }
    assert_eq!(
        fs::read_to_string(fx.path("ledger.txt")).unwrap(),
        "my notes"
    );
}

/// Replaces the journal by something that is not a regular file; returns false if this
/// machine cannot make it.
fn replace_journal(fx: &Fixture, kind: &str) -> bool {
    fs::remove_file(fx.journal()).unwrap();
    match kind {
        "directory" => fs::create_dir(fx.journal()).is_ok(),
        "fifo" => Command::new("mkfifo")
            .arg(fx.journal())
            .status()
            .is_ok_and(|s| s.success()),
        device => {
            Path::new(device).exists() && std::os::unix::fs::symlink(device, fx.journal()).is_ok()
        }
    }
}

#[test]
fn a_journal_that_is_not_a_regular_file_is_refused_as_damage_without_blocking() {
    // A directory cannot be read even by root (EISDIR); a FIFO would block a reader forever;
    // /dev/full takes every read and fails every write with ENOSPC; /dev/zero never ends.
    for kind in ["directory", "fifo", "/dev/full", "/dev/zero"] {
        let fx = ledger();
        if !replace_journal(&fx, kind) {
            skipped(&format!("a journal that is a {kind}: cannot make one here"));
            continue;
        }
        for (label, args) in ledger_commands(&fx) {
            let run = spawn(&fx, &[], &args, None, Duration::from_secs(30))
                .unwrap_or_else(|| panic!("{kind} {label}: still running after 30 s"));
            let run = run.exits(5);
            assert!(
                message(&run).contains("is not a file"),
                "{kind} {label}: {}",
                run.stderr
            );
        }
        assert!(!fx.path("export.cx").exists() && !fx.path("backup.cx").exists());
    }
}

/// A journal that is not one: empty, something else, or of another format version.
fn bad_journals() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut version9 = journal::header(&[7; 16]).to_vec();
    version9[8] = 9;
    vec![
        ("empty", Vec::new(), "not a custody journal"),
        (
            "a zip file",
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00 not a journal at all, just bytes".to_vec(),
            "not a custody journal",
        ),
        ("version 9", version9, "version 9"),
    ]
}

#[test]
fn a_journal_with_a_bad_header_is_storage_damage_and_verify_reports_it() {
    for (what, bytes, needle) in bad_journals() {
        let fx = ledger();
        fs::write(fx.journal(), &bytes).unwrap();
        for args in [
            strings(&["log"]),
            strings(&["show", "0"]),
            strings(&["status"]),
            strings(&["bag", "QP-1"]),
            strings(&["reindex"]),
            strings(&["export", "--out", "export.cx"]),
            collect_one(&fx, "QP-1", &[]),
        ] {
            let run = refuse(&fx, &args, 5, needle);
            assert!(!run.stderr.is_empty(), "{what}");
        }
        let report = fx.run(&["verify", "--json"]).exits(1).json();
        assert_eq!(report["findings"][0]["code"], "JOURNAL_HEADER", "{what}");
        assert_eq!(fs::read(fx.journal()).unwrap(), bytes, "{what}");
        assert!(!fx.path("export.cx").exists());
    }
}

#[test]

fn keys_and_policy_show_report_a_bad_journal_as_damage() {
    for (what, bytes, _) in bad_journals() {
        let fx = ledger();
        fs::write(fx.journal(), &bytes).unwrap();
        for args in [["keys"].as_slice(), ["policy", "show"].as_slice()] {
            let run = fx.run(args);
            assert_eq!(
                run.code, 5,
                "{what} {args:?}:\n{}{}",
                run.stdout, run.stderr
            );
            message(&run);
            assert!(!run.stdout.contains("policy in force"), "{what} {args:?}");
        }
    }
}

#[test]

fn a_journal_cut_inside_its_header_is_not_a_journal() {
    let fx = ledger();
    let mut bytes = fx.journal_bytes();
    bytes.truncate(20);
    fs::write(fx.journal(), &bytes).unwrap();
    for args in [
        strings(&["log"]),
        strings(&["status"]),
        strings(&["show", "0"]),
        strings(&["export", "--out", "export.cx"]),
        collect_one(&fx, "QP-1", &[]),
    ] {
        let run = refuse(&fx, &args, 5, "not a custody journal");
        assert!(!message(&run).contains("shrank"), "{args:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Permission denied, and a read-only file system

/// How to run the binary so that file permission bits apply to it (see the top of the file),
/// or `None` (with a note) when this machine cannot.
fn permission_prefix(fx: &Fixture) -> Option<Vec<&'static str>> {
    use std::os::unix::fs::PermissionsExt;
    let probe = fx.path("probe");
    fs::write(&probe, "x").unwrap();
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).unwrap();
    let prefix = if fs::read(&probe).is_err() {
        Some(Vec::new())
    } else {
        let setpriv = vec!["setpriv", "--bounding-set=-dac_override,-dac_read_search"];
        let denied = Command::new(setpriv[0])
            .args(&setpriv[1..])
            .arg("cat")
            .arg(&probe)
            .output()
            .is_ok_and(|o| {
                !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("denied")
            });
        denied.then_some(setpriv)
    };
    fs::remove_file(&probe).unwrap();
    if prefix.is_none() {
        skipped(
            "permission bits: needs an ordinary user, or root with a setpriv that can drop CAP_DAC_OVERRIDE",
        );
    }
    prefix
}

/// Says on the test run's own output, which the harness does not capture, that a case could not
/// run here: a skipped case must not look like a passed one.
fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs `args` under `prefix`: must fail with `code`, mention `needle`, change nothing.
#[track_caller]
fn refuse_under(fx: &Fixture, prefix: &[&str], args: &[String], code: i32, needle: &str) {
    let before = snapshot(&fx.ledger());
    let run = spawn(fx, prefix, args, None, Duration::from_secs(60)).expect("finished");
    let run = run.exits(code);
    let text = message(&run);
    assert!(text.contains(needle), "{args:?}: {text}");
    assert!(
        snapshot(&fx.ledger()) == before,
        "{args:?} changed the ledger"
    );
}

#[test]
fn permission_denied_is_a_clear_failure_and_changes_nothing() {
    let fx = ledger();
    let Some(prefix) = permission_prefix(&fx) else {
        return;
    };
    let record = collect_one(&fx, "QP-1", &[]);

    // A journal nobody may read: every command stops with exit 5.
    chmod(&fx.journal(), 0o000);
    for (label, args) in ledger_commands(&fx) {
        refuse_under(&fx, &prefix, &args, 5, "Permission denied");
        assert!(!fx.path("export.cx").exists(), "{label}");
    }
    // A journal that may be read but not written: readers work, a writer stops with exit 5.
    chmod(&fx.journal(), 0o444);
    for args in [["log"], ["verify"], ["status"], ["keys"]] {
        let run = spawn(&fx, &prefix, &strings(&args), None, Duration::from_secs(60));
        run.expect("finished").exits(0);
    }
    refuse_under(&fx, &prefix, &record, 5, "Permission denied");
    chmod(&fx.journal(), 0o644);

    // The writer's lock file, a key file and a passphrase file.
    chmod(&fx.path("ledger/lock"), 0o000);
    refuse_under(&fx, &prefix, &record, 5, "lock: Permission denied");
    chmod(&fx.path("ledger/lock"), 0o644);
    chmod(&fx.path("keys/s1.key"), 0o000);
    refuse_under(&fx, &prefix, &record, 2, "s1.key: Permission denied");
    chmod(&fx.path("keys/s1.key"), 0o600);
    chmod(&fx.path("s1.pass"), 0o000);
    refuse_under(&fx, &prefix, &record, 2, "s1.pass: Permission denied");
    chmod(&fx.path("s1.pass"), 0o644);

    // Nothing was damaged by any of those refusals.
    clean(&fx);

    // The index directory cannot be opened: it is derived data, so the writer moves it aside
    // and rebuilds it from the journal, and the event is recorded.
    chmod(&fx.path("ledger/index"), 0o000);
    let run = spawn(&fx, &prefix, &record, None, Duration::from_secs(60));
    run.expect("finished").exits(0);
    clean(&fx);
}

#[test]

fn a_ledger_directory_that_cannot_be_entered_is_not_reported_as_missing() {
    let fx = ledger();
    let Some(prefix) = permission_prefix(&fx) else {
        return;
    };
    chmod(&fx.ledger(), 0o000);
    let runs: Vec<Run> = ledger_commands(&fx)
        .into_iter()
        .map(|(_, args)| spawn(&fx, &prefix, &args, None, Duration::from_secs(60)).unwrap())
        .collect();
    chmod(&fx.ledger(), 0o755);
    for run in runs {
        let run = run.exits(5);
        let text = message(&run);
        assert!(text.contains("Permission denied"), "{text}");
        assert!(!text.contains("custody init"), "{text}");
    }
    clean(&fx);
}

/// A mount made for one test, unmounted when dropped (before the fixture's directory goes).
struct Mount {
    path: PathBuf,
}

impl Mount {
    /// A tmpfs of `size` (e.g. "256k") at `path`, or `None` (with a note) without privileges.
    fn tmpfs(path: &Path, size: &str) -> Option<Mount> {
        fs::create_dir_all(path).unwrap();
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            skipped(
                "a real full disk: needs root to mount a tmpfs (the injected full disk still runs)",
            );
            return None;
        }
        Some(Mount {
            path: path.to_path_buf(),
        })
    }

    /// `dir` bound onto itself and remounted read-only, or `None` (with a note).
    fn read_only(dir: &Path) -> Option<Mount> {
        let mount = |args: &[&str]| {
            Command::new("mount")
                .args(args)
                .arg(dir)
                .arg(dir)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !mount(&["--bind"]) {
            skipped("a read-only file system: needs root to bind-mount");
            return None;
        }
        let m = Mount {
            path: dir.to_path_buf(),
        };
        let ro = Command::new("mount")
            .args(["-o", "remount,ro,bind"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ro {
            skipped("a read-only file system: needs root to remount read-only");
            return None;
        }
        Some(m)
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let done = Command::new("umount")
            .arg(&self.path)
            .status()
            .is_ok_and(|s| s.success());
        if !done {
            let _ = Command::new("umount").arg("-l").arg(&self.path).status();
        }
    }
}

#[test]
fn a_ledger_on_a_read_only_file_system_can_be_audited_but_not_written() {
    let fx = ledger();
    let Some(_ro) = Mount::read_only(&fx.ledger()) else {
        return;
    };
    for args in [
        vec!["log"],
        vec!["verify"],
        vec!["show", "0"],
        vec!["status"],
        vec!["keys"],
    ] {
        fx.run(&args).exits(0);
    }
    let record = collect_one(&fx, "QP-1", &[]);
    refuse(&fx, &record, 5, "Read-only file system");
    refuse(&fx, &["reindex"], 5, "Read-only file system");
}

// ---------------------------------------------------------------------------------------------
// 3. A full disk

/// A disk that holds `capacity` bytes of one journal image: a write past it stores what fits
/// and fails with ENOSPC, as write(2) does on a full file system. `sync` and `set_len` can be
/// made to fail too.
struct FullDisk {
    image: Vec<u8>,
    capacity: Rc<Cell<usize>>,
    sync_fails: bool,
    set_len_fails: bool,
}

impl FullDisk {
    fn new(image: Vec<u8>, capacity: usize) -> FullDisk {
        FullDisk {
            image,
            capacity: Rc::new(Cell::new(capacity)),
            sync_fails: false,
            set_len_fails: false,
        }
    }
}

fn enospc() -> io::Error {
    io::Error::new(io::ErrorKind::StorageFull, "No space left on device")
}

impl JournalIo for FullDisk {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        let offset = offset as usize;
        let fits = self.capacity.get().saturating_sub(offset).min(bytes.len());
        let end = offset + fits;
        if self.image.len() < end {
            self.image.resize(end, 0);
        }
        self.image[offset..end].copy_from_slice(&bytes[..fits]);
        if fits < bytes.len() {
            Err(enospc())
        } else {
            Ok(())
        }
    }

    fn sync(&mut self) -> io::Result<()> {
        if self.sync_fails {
            Err(io::Error::other("Input/output error"))
        } else {
            Ok(())
        }
    }

    fn set_len(&mut self, len: u64) -> io::Result<()> {
        if self.set_len_fails {
            return Err(enospc());
        }
        self.image.resize(len as usize, 0);
        Ok(())
    }
}

/// The records of a journal image and how it ends.
fn read_image(image: &[u8]) -> (usize, End) {
    let mut input = image;
    journal::read_header(&mut input, Path::new("image")).unwrap();
    let mut reader = Reader::new(input, journal::HEADER_LEN);
    let mut n = 0;
    while reader.next_record().unwrap().is_some() {
        n += 1;
    }
    (n, reader.end().unwrap().clone())
}

#[test]
fn a_full_disk_under_the_writer_leaves_the_journal_image_as_it_was() {
    let fx = ledger();
    let before = fx.journal_bytes();
    let (records, _) = read_image(&before);
    let entry = vec![0x5a; 5000];
    let record_len = journal::frame(&entry).unwrap().len();
    for room in [0, 1, 3, 4, 5, 100, 4096, record_len - 4, record_len - 1] {
        let disk = FullDisk::new(before.clone(), before.len() + room);
        let capacity = Rc::clone(&disk.capacity);
        let mut writer = Writer::with_io(disk, &fx.journal(), before.len() as u64);
        let err = writer.append(&entry).expect_err("the disk is full");
        match &err {
            JournalError::Io { path, source } => {
                assert_eq!(path, &fx.journal());
                assert_eq!(source.kind(), io::ErrorKind::StorageFull);
            }
            other => panic!("room {room}: {other:?}"),
        }
        assert!(err.to_string().contains("No space left on device"), "{err}");
        assert!(
            writer.io().image == before,
            "room {room}: the partial record was not cut back"
        );
        assert_eq!(writer.len(), before.len() as u64, "room {room}");
        // What the binary makes of it: class Storage, exit 5.
        assert_eq!(LedgerError::from(err).class(), ErrorClass::Storage);

        // Space freed, the same writer appends where the journal really ends.
        capacity.set(usize::MAX);
        let offset = writer.append(&entry).expect("room again");
        assert_eq!(offset, before.len() as u64);
        let image = &writer.io().image;
        assert_eq!(image.len(), before.len() + record_len);
        assert_eq!(read_image(image), (records + 1, End::Clean), "room {room}");
    }

    // A complete write whose fsync fails was never acknowledged: it is cut back too.
    let mut disk = FullDisk::new(before.clone(), usize::MAX);
    disk.sync_fails = true;
    let mut writer = Writer::with_io(disk, &fx.journal(), before.len() as u64);
    let err = writer.append(&entry).expect_err("fsync fails");
    assert!(writer.io().image == before);
    assert_eq!(LedgerError::from(err).class(), ErrorClass::Storage);
}

#[test]
fn when_even_the_cut_back_fails_the_partial_record_is_a_tail_the_next_writer_cuts() {
    let fx = ledger();
    let before = fx.journal_bytes();
    let (records, _) = read_image(&before);
    let mut disk = FullDisk::new(before.clone(), before.len() + 10);
    disk.set_len_fails = true;
    let mut writer = Writer::with_io(disk, &fx.journal(), before.len() as u64);
    writer.append(&[0x5a; 5000]).expect_err("the disk is full");
    let image = writer.io().image.clone();
    assert_eq!(image.len(), before.len() + 10);
    assert_eq!(
        read_image(&image),
        (
            records,
            End::Tail {
                offset: before.len() as u64,
                bytes: 10
            }
        ),
        "ten bytes of an unacknowledged record"
    );

    // On the real ledger: the audit notes the tail, the next writer cuts it and appends.
    fs::write(fx.journal(), &image).unwrap();
    let run = fx.run(&["verify"]).exits(0);
    assert!(run.stderr.contains("tail") || run.stdout.contains("tail"));
    let run = fx.run(&collect_one(&fx, "QP-1", &[])).exits(0);
    assert!(
        run.stderr.contains("cut an unacknowledged 10-byte tail"),
        "{}",
        run.stderr
    );
    assert_eq!(entries(&fx), records + 1);
    clean(&fx);
}

/// Fills the file system holding `dir` with zeros, then frees `free` bytes of the filler.
fn fill(dir: &Path, free: u64) {
    let path = dir.join("filler");
    let mut f = File::create(&path).unwrap();
    let chunk = vec![0u8; 64 << 10];
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::StorageFull => break,
            Err(e) => panic!("filling {}: {e}", dir.display()),
        }
    }
    let len = f.metadata().unwrap().len();
    f.set_len(len.saturating_sub(free)).unwrap();
}

#[test]
fn a_full_disk_under_the_journal_is_exit_5_and_the_journal_is_unchanged() {
    let fx = ledger();
    let Some(disk) = Mount::tmpfs(&fx.path("disk"), "256k") else {
        return;
    };
    // The journal alone moves onto the small disk (through a symlink), so that the index and
    // the checkpoint still have room and the append itself meets the full disk.
    let journal = disk.path.join("journal");
    fs::copy(fx.journal(), &journal).unwrap();
    fs::remove_file(fx.journal()).unwrap();
    std::os::unix::fs::symlink(&journal, fx.journal()).unwrap();
    let records = entries(&fx);
    // About 17 KB: more than one free page and the slack of the journal's last page.
    fs::write(fx.path("bags.csv"), manifest("QP", 600)).unwrap();
    let args = collect(&fx, &["--manifest", "bags.csv"]);
    // No room at all, then one page: part of the record is written and must be cut back.
    for free in [0, 4096] {
        fill(&disk.path, free);
        refuse(&fx, &args, 5, "No space left on device");
        fs::remove_file(disk.path.join("filler")).unwrap();
    }
    // With room again, the same event is recorded, and the ledger is clean.
    fx.run(&args).exits(0);
    assert_eq!(entries(&fx), records + 1);
    clean(&fx);
}

#[test]

fn a_full_disk_says_that_nothing_was_recorded() {
    let fx = ledger();
    let Some(disk) = Mount::tmpfs(&fx.path("disk"), "256k") else {
        return;
    };
    let journal = disk.path.join("journal");
    fs::copy(fx.journal(), &journal).unwrap();
    fs::remove_file(fx.journal()).unwrap();
    std::os::unix::fs::symlink(&journal, fx.journal()).unwrap();
    fs::write(fx.path("bags.csv"), manifest("QP", 600)).unwrap();
    fill(&disk.path, 0);
    let run = refuse(
        &fx,
        &collect(&fx, &["--manifest", "bags.csv"]),
        5,
        "No space left on device",
    );
    assert!(
        message(&run).contains("nothing was written"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_ledger_on_a_full_disk_records_or_fails_cleanly_and_stays_consistent() {
    let fx = ledger();
    let Some(disk) = Mount::tmpfs(&fx.path("disk"), "1m") else {
        return;
    };
    fs::write(fx.path("bags.csv"), manifest("QP", 300)).unwrap();
    let dir = disk.path.join("ledger");
    let mut args = strings(&["--ledger", dir.to_str().unwrap()]);
    args.extend(collect(&fx, &["--manifest", "bags.csv"]));
    let mut failed = 0;
    // The whole ledger on the small disk, with a little more room each time: the journal,
    // the index or the checkpoint meets the full disk first, in turn.
    for pages in [0, 1, 2, 3, 4, 8, 16, 64] {
        util::copy_dir(&fx.ledger(), &dir);
        fill(&disk.path, pages * 4096);
        let before = snapshot(&dir);
        let run = fx.run(&args);
        match run.code {
            0 => {
                let after = fs::read(dir.join("journal")).unwrap();
                assert!(after.len() > before.0.len() && after.starts_with(&before.0));
            }
            5 => {
                failed += 1;
                assert!(message(&run).contains("No space left on device"));
                assert!(
                    snapshot(&dir).0 == before.0,
                    "{pages} pages: journal changed"
                );
            }
            code => panic!("{pages} pages free: exit {code}\n{}", run.stderr),
        }
        fs::remove_file(disk.path.join("filler")).unwrap();
        // Whatever happened, journal and index agree: the audit is clean, and the event is
        // either recorded (a second try is refused) or not (a second try records it).
        let verify = fx.run(&["--ledger", dir.to_str().unwrap(), "verify"]);
        assert_eq!(verify.code, 0, "{pages} pages: {}", verify.stdout);
        let again = fx.run(&args);
        let expected = if run.code == 0 { 3 } else { 0 };
        assert_eq!(again.code, expected, "{pages} pages: {}", again.stderr);
        fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!("note: {failed} of 8 runs on a full disk failed with exit 5; the others fitted");
}

// ---------------------------------------------------------------------------------------------
// 4. Key files and passphrases

#[test]
fn a_key_file_given_where_a_pub_file_is_expected_is_bad_input() {
    let fx = ledger();
    fx.keygen("k1", "Holder k1");
    fs::write(fx.path("empty.pub"), "").unwrap();
    fs::create_dir(fx.path("dir.pub")).unwrap();
    fs::write(
        fx.path("ssh.pub"),
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb0 user@host\n",
    )
    .unwrap();
    for (public, needle) in [
        ("keys/k1.key", "private key file; give the .pub file"),
        ("keys/a1.key", "private key file; give the .pub file"),
        ("empty.pub", "malformed public key file"),
        ("ssh.pub", "malformed public key file"),
        ("dir.pub", "Is a directory"),
        ("missing.pub", "No such file"),
        ("/dev/zero", "larger than 4096 bytes"),
    ] {
        let mut args = strings(&["enroll", "--pub", public, "--person", "3001"]);
        args.extend(strings(&["--role", "custodian"]));
        args.extend(fx.signing(&["a1", "a2"]));
        refuse(&fx, &args, 2, needle);
    }

    // init with a founder's .key in place of the .pub: no ledger is created.
    let mut args = strings(&["--ledger", "new", "init", "--exam", "X"]);
    for (id, person) in [("a1", "1001"), ("a2", "1002")] {
        let public = if id == "a1" {
            "keys/a1.key"
        } else {
            "keys/a2.pub"
        };
        args.extend(strings(&["--founder", public, "--founder-person", person]));
    }
    args.extend(fx.signing(&["a1", "a2"]));
    let run = fx.run(&args).exits(2);
    assert!(message(&run).contains("give the .pub file"));
    assert!(!fx.path("new").exists());

    // And the other way round: a .pub, an empty file or /dev/zero where a .key is expected.
    for key in ["keys/s1.pub", "empty.pub", "/dev/zero"] {
        let mut args = collect_one(&fx, "QP-1", &[]);
        let at = args.iter().position(|a| a == "keys/s1.key").unwrap();
        args[at] = key.to_string();
        refuse(&fx, &args, 2, key);
    }
}

#[test]
fn an_empty_passphrase_is_bad_input_and_writes_nothing() {
    let fx = ledger();
    for (name, content) in [
        ("empty.pass", ""),
        ("newline.pass", "\n"),
        ("crlf.pass", "\r\n"),
        ("blank-first-line.pass", "\nthe passphrase on line two\n"),
    ] {
        fs::write(fx.path(name), content).unwrap();
        let mut args = collect_one(&fx, "QP-1", &[]);
        let at = args.iter().position(|a| a == "s1.pass").unwrap();
        args[at] = name.to_string();
        refuse(&fx, &args, 2, "passphrase is empty");

        // keygen writes neither half of the key.
        let args = ["keygen", "--id", "k2", "--name", "K", "--out", "keys"];
        let run = fx
            .run(&[&args[..], &["--pass-file", name]].concat())
            .exits(2);
        assert!(message(&run).contains("passphrase is empty"));
        assert!(!fx.path("keys/k2.key").exists() && !fx.path("keys/k2.pub").exists());

        // init creates no ledger.
        let mut args = strings(&["--ledger", "new", "init", "--exam", "X"]);
        for (id, person) in [("a1", "1001"), ("a2", "1002")] {
            args.extend(["--founder".into(), format!("keys/{id}.pub")]);
            args.extend(strings(&["--founder-person", person]));
        }
        args.extend(strings(&["--sign", "keys/a1.key", "--sign", "keys/a2.key"]));
        args.extend(strings(&["--pass-file", "a1.pass", "--pass-file", name]));
        let run = fx.run(&args).exits(2);
        assert!(message(&run).contains("passphrase is empty"));
        assert!(!fx.path("new").exists());
    }
    // A passphrase file that is a directory, or missing, or endless zeros (read up to a limit).
    fs::create_dir(fx.path("dir.pass")).unwrap();
    for (name, needle) in [
        ("dir.pass", "Is a directory"),
        ("missing.pass", "No such file"),
        ("/dev/zero", "wrong passphrase"),
    ] {
        let mut args = collect_one(&fx, "QP-1", &[]);
        let at = args.iter().position(|a| a == "s1.pass").unwrap();
        args[at] = name.to_string();
        refuse(&fx, &args, 2, needle);
    }
    clean(&fx);
}

// ---------------------------------------------------------------------------------------------
// 5. Manifests

#[test]
fn a_huge_manifest_is_refused_quickly() {
    let fx = ledger();
    let quick = Duration::from_secs(10);

    // 10,001 rows (about 0.5 MB).
    fs::write(fx.path("rows.csv"), manifest("QP", 10_001)).unwrap();
    let started = Instant::now();
    refuse(
        &fx,
        &collect(&fx, &["--manifest", "rows.csv"]),
        2,
        "more than 10000 bags",
    );
    assert!(started.elapsed() < quick, "took {:?}", started.elapsed());

    // Over 8 MiB, whatever it holds.
    let mut big = manifest("QP", 10);
    while big.len() <= 8 << 20 {
        big.push_str(&format!("# {}\n", "padding ".repeat(1000)));
    }
    fs::write(fx.path("big.csv"), &big).unwrap();
    let started = Instant::now();
    refuse(
        &fx,
        &collect(&fx, &["--manifest", "big.csv"]),
        2,
        "over the 8388608-byte limit",
    );
    assert!(started.elapsed() < quick, "took {:?}", started.elapsed());

    // Under both limits, but more than one entry can hold: 9,000 rows of 700-byte seals.
    let mut fat = format!("{HEADER}\n");
    for i in 0..9_000 {
        let seal = format!("S{i}{}", "x".repeat(700));
        fat.push_str(&format!(
            "QP-{i},question_papers,yuwen,{SITE},{ROOM},{seal},30\n"
        ));
    }
    fs::write(fx.path("fat.csv"), &fat).unwrap();
    let started = Instant::now();
    refuse(
        &fx,
        &collect(&fx, &["--manifest", "fat.csv"]),
        2,
        "cannot be encoded",
    );
    assert!(started.elapsed() < quick, "took {:?}", started.elapsed());

    // 10,001 barcodes from a scanner on standard input.
    let mut lines = String::new();
    for i in 0..10_001 {
        lines.push_str(&format!("QP-{i} S{i} 30\n"));
    }
    fs::write(fx.path("scan.txt"), &lines).unwrap();
    let mut args = strings(&["record", "collect", "--bags-from", "-"]);
    args.extend(strings(&DEFAULTS));
    args.extend(fx.signing(&["c1", "s1"]));
    let before = fx.journal_bytes();
    let started = Instant::now();
    let run = spawn(&fx, &[], &args, Some(&fx.path("scan.txt")), quick * 3)
        .expect("finished")
        .exits(2);
    assert!(started.elapsed() < quick, "took {:?}", started.elapsed());
    assert!(message(&run).contains("more than 10000 bags on standard input"));
    assert!(fx.journal_bytes() == before);
}

#[test]

fn a_manifest_that_never_ends_is_refused_not_read_forever() {
    let fx = ledger();
    let deadline = Duration::from_secs(10);
    for source in ["/dev/zero", "/dev/urandom"] {
        let args = collect(&fx, &["--manifest", source]);
        let run = spawn(&fx, &[], &args, None, deadline)
            .unwrap_or_else(|| panic!("--manifest {source}: still reading after {deadline:?}"));
        let run = run.exits(2);
        assert!(message(&run).contains("limit"), "{}", run.stderr);
    }
    let mut args = strings(&["record", "collect", "--bags-from", "-"]);
    args.extend(strings(&DEFAULTS));
    args.extend(fx.signing(&["c1", "s1"]));
    let run = spawn(&fx, &[], &args, Some(Path::new("/dev/zero")), deadline)
        .unwrap_or_else(|| panic!("--bags-from - < /dev/zero: still reading after {deadline:?}"));
    message(&run.exits(2));
    clean(&fx);
}

#[test]
fn malformed_manifests_are_bad_input_and_say_where() {
    let fx = ledger();
    // 第一中学 as a Windows spreadsheet in China saves it: GBK, not UTF-8.
    let gbk_site: &[u8] = b"\xb5\xda\xd2\xbb\xd6\xd0\xd1\xa7";
    let mut gbk = format!("{HEADER}\nQP-1,question_papers,yuwen,").into_bytes();
    gbk.extend_from_slice(gbk_site);
    gbk.extend_from_slice(format!(",{ROOM},S1,30\n").as_bytes());
    let mut utf16 = vec![0xff, 0xfe];
    for unit in format!("{HEADER}\n").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    // café in Latin-1: one byte 0xe9.
    let mut latin1 = format!("{HEADER}\nQP-caf").into_bytes();
    latin1.push(0xe9);
    latin1.extend_from_slice(format!(",question_papers,yuwen,{SITE},{ROOM},S1,30\n").as_bytes());
    let row = |id: &str| format!("{id},question_papers,yuwen,{SITE},{ROOM},S1,30\n");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("gbk.csv", gbk, "gbk.csv: not UTF-8 text (byte 68)"),
        ("utf16.csv", utf16, "not UTF-8 text"),
        ("latin1.csv", latin1, "not UTF-8 text"),
        (
            "dup.csv",
            format!("{HEADER}\n{}{}{}", row("QP-1"), row("QP-2"), row("QP-1")).into_bytes(),
            "bag QP-1 is given twice",
        ),
        (
            "dup-spaces.csv",
            format!("{HEADER}\n{}{}", row("QP-1"), row("  QP-1  ")).into_bytes(),
            "bag QP-1 is given twice",
        ),
        (
            "no-id-column.csv",
            b"seal,count\nS1,30\n".to_vec(),
            "has no bag_id column",
        ),
        (
            "id-misnamed.csv",
            b"barcode,seal,count\nQP-1,S1,30\n".to_vec(),
            "unknown column \"barcode\"",
        ),
        ("empty.csv", Vec::new(), "has no bag_id column"),
        (
            "header-only.csv",
            format!("{HEADER}\n").into_bytes(),
            "no bags",
        ),
        (
            "short-row.csv",
            format!("{HEADER}\n{}QP-2,question_papers,yuwen\n", row("QP-1")).into_bytes(),
            "line: 3",
        ),
        (
            "empty-id.csv",
            format!("{HEADER}\n{}", row("")).into_bytes(),
            "line 2: empty bag_id",
        ),
        (
            "no-seal.csv",
            format!(
                "bag_id,kind,session,site,room,count\nQP-1,question_papers,yuwen,{SITE},{ROOM},30\n"
            )
            .into_bytes(),
            "bag QP-1: give its seal number",
        ),
        (
            "no-kind.csv",
            format!("bag_id,session,site,room,seal,count\nQP-1,yuwen,{SITE},{ROOM},S1,30\n")
                .into_bytes(),
            "bag QP-1: no kind",
        ),
        (
            "bad-count.csv",
            format!("{HEADER}\nQP-1,question_papers,yuwen,{SITE},{ROOM},S1,thirty\n").into_bytes(),
            "count \"thirty\" is not a whole number",
        ),
        (
            "negative-count.csv",
            format!("{HEADER}\nQP-1,question_papers,yuwen,{SITE},{ROOM},S1,-3\n").into_bytes(),
            "count \"-3\" is not a whole number",
        ),
        (
            "huge-count.csv",
            format!("{HEADER}\nQP-1,question_papers,yuwen,{SITE},{ROOM},S1,99999999999\n")
                .into_bytes(),
            "is not a whole number",
        ),
        (
            "bad-kind.csv",
            format!("{HEADER}\nQP-1,exam_papers,yuwen,{SITE},{ROOM},S1,30\n").into_bytes(),
            "bag QP-1",
        ),
    ];
    for (name, bytes, needle) in cases {
        fs::write(fx.path(name), &bytes).unwrap();
        refuse(&fx, &collect(&fx, &["--manifest", name]), 2, needle);
    }
    // A bag given both on the command line and in the manifest.
    fs::write(fx.path("one.csv"), format!("{HEADER}\n{}", row("QP-1"))).unwrap();
    let both = collect(&fx, &["--bag", "QP-1:S1:30", "--manifest", "one.csv"]);
    refuse(&fx, &both, 2, "bag QP-1 is given twice");
    // A manifest that is missing or is a directory.
    fs::create_dir(fx.path("dir.csv")).unwrap();
    refuse(
        &fx,
        &collect(&fx, &["--manifest", "missing.csv"]),
        2,
        "missing.csv",
    );
    refuse(&fx, &collect(&fx, &["--manifest", "dir.csv"]), 2, "dir.csv");
    clean(&fx);
}

#[test]
fn a_manifest_with_a_bom_crlf_and_spaces_is_read_as_meant() {
    // The control for the refusals above: what a spreadsheet writes is accepted.
    let fx = ledger();
    let text = format!(
        "\u{feff}BAG_ID, Kind ,session,site,room,seal,count\r\n QP-1 ,question_papers,yuwen,{SITE},{ROOM}, S1 ,30\r\n\"QP-2\",question_papers,yuwen,{SITE},{ROOM},S2,30\r\n"
    );
    fs::write(fx.path("excel.csv"), text).unwrap();
    let records = entries(&fx);
    fx.run(&collect(&fx, &["--manifest", "excel.csv"])).exits(0);
    assert_eq!(entries(&fx), records + 1);
    let bag = fx.run(&["bag", "QP-1", "--json"]).exits(0);
    assert!(bag.stdout.contains("S1"), "{}", bag.stdout);
    clean(&fx);
}

#[test]

fn a_manifest_naming_a_column_twice_is_refused() {
    let fx = ledger();
    let text = format!("{HEADER},seal\nQP-1,question_papers,yuwen,{SITE},{ROOM},S1,30,S9\n");
    fs::write(fx.path("twice.csv"), text).unwrap();
    refuse(&fx, &collect(&fx, &["--manifest", "twice.csv"]), 2, "seal");
}

#[test]

fn bag_ids_with_control_characters_are_refused() {
    let fx = ledger();
    let quoted = format!("{HEADER}\n\"QP-1\nQP-666\",question_papers,yuwen,{SITE},{ROOM},S1,30\n");
    fs::write(fx.path("newline.csv"), quoted).unwrap();
    for args in [
        collect_one(&fx, "QP-9\u{1b}[8m", &[]),
        collect(&fx, &["--manifest", "newline.csv"]),
    ] {
        let run = refuse(&fx, &args, 2, "bag");
        assert!(!run.stderr.contains('\u{1b}'), "raw ESC on the terminal");
    }
}

#[test]

fn a_refusal_of_many_bags_is_still_a_short_message() {
    let fx = ledger();
    fs::write(fx.path("bags.csv"), manifest("QP", 300)).unwrap();
    let args = collect(&fx, &["--manifest", "bags.csv"]);
    fx.run(&args).exits(0);
    refuse(&fx, &args, 3, "BAG_ALREADY_COLLECTED");
}

// ---------------------------------------------------------------------------------------------
// 6. Times in the wrong format

// `08:45` (today) and `2026/06/07 08:45` are how people type times: see tests/people.rs.
const BAD_TIMES: [&str; 11] = [
    "",
    "tomorrow",
    "2026-13-01T08:00",
    "2026-02-30T08:00",
    "2026-06-07T24:01",
    "1717740000",
    "07/06/2026 08:45",
    "2026-06-07T08:45Z and more",
    "2026-06-07\nT08:45",
    "２０２６-06-07T08:45",
    "99999-01-01T00:00",
];

#[test]
fn times_in_the_wrong_format_are_bad_input_for_every_flag() {
    let fx = ledger();
    fx.keygen("k1", "Holder k1");
    let ok = Timestamp::now().plus_seconds(3 * 24 * 3600).to_rfc3339();
    for bad in BAD_TIMES {
        refuse(
            &fx,
            &collect_one(&fx, "QP-1", &["--at", bad]),
            2,
            "--at: cannot read time",
        );
        let run = fx.run(&["log", "--since", bad]).exits(2);
        assert!(message(&run).contains("cannot read time"), "{bad:?}");
    }
    for bad in &BAD_TIMES[..5] {
        for (flag, start, end) in [("--start", *bad, ok.as_str()), ("--end", ok.as_str(), bad)] {
            let mut args = strings(&["schedule", "--session", "shuxue", "--subject", "数学"]);
            args.extend(strings(&["--start", start, "--end", end]));
            args.extend(fx.signing(&["a1", "a2"]));
            refuse(&fx, &args, 2, &format!("{flag}: cannot read time"));
        }
        for flag in ["--valid-from", "--valid-until"] {
            let mut args = strings(&["enroll", "--pub", "keys/k1.pub", "--person", "3001"]);
            args.extend(strings(&["--role", "custodian", flag, bad]));
            args.extend(fx.signing(&["a1", "a2"]));
            refuse(&fx, &args, 2, &format!("{flag}: cannot read time"));
        }
    }
    clean(&fx);
}

#[test]

fn a_date_without_a_time_is_not_read_as_midnight() {
    let fx = ledger();
    let tomorrow = Timestamp::now()
        .plus_seconds(24 * 3600)
        .date_in("Asia/Shanghai");
    let date = tomorrow.to_string();
    let end = format!("{date}T23:00");
    let mut args = strings(&["schedule", "--session", "shuxue", "--subject", "数学"]);
    args.extend(strings(&["--start", &date, "--end", &end]));
    args.extend(fx.signing(&["a1", "a2"]));
    refuse(&fx, &args, 2, "--start");
    let today = Timestamp::now().date_in("Asia/Shanghai").to_string();
    refuse(&fx, &collect_one(&fx, "QP-1", &["--at", &today]), 2, "--at");
}

// ---------------------------------------------------------------------------------------------
// 7. Two writers at once

#[test]
fn two_writers_at_once_one_records_and_the_other_is_told_the_ledger_is_in_use() {
    let fx = ledger();
    let start = entries(&fx);
    let (mut recorded, mut busy) = (0, 0);
    for round in 0..8 {
        let writers: Vec<Vec<String>> = (0..2)
            .map(|w| collect_one(&fx, &format!("QP-{round}-{w}"), &[]))
            .collect();
        let fx = &fx;
        let (runs, reader) = std::thread::scope(|s| {
            let handles: Vec<_> = writers
                .iter()
                .map(|args| s.spawn(move || fx.run(args)))
                .collect();
            // A reader at the same time neither waits nor trips over a half-written record.
            let reader = s.spawn(|| fx.run(&["verify"]));
            let runs: Vec<Run> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            (runs, reader.join().unwrap())
        });
        assert_eq!(reader.code, 0, "round {round}: {}", reader.stdout);
        for run in &runs {
            match run.code {
                0 => recorded += 1,
                4 => {
                    busy += 1;
                    let text = message(run);
                    assert!(text.contains("in use by another process"), "{text}");
                    assert!(text.contains("try again"), "{text}");
                }
                code => panic!("round {round}: exit {code}\n{}", run.stderr),
            }
        }
        assert!(
            runs.iter().any(|r| r.code == 0),
            "round {round}: someone records"
        );
    }
    assert_eq!(entries(&fx), start + recorded, "one entry per success");
    clean(&fx);
    eprintln!("note: {recorded} recorded, {busy} told the ledger was in use");
}
