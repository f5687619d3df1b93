//! A small kit for driving the real `custody` binary in a temporary directory.
//!
//! Layout of a fixture: `keys/ID.key`, `keys/ID.pub`, `ID.pass` (passphrase `pass-ID`) and the
//! ledger in `ledger/`. Every command runs in the fixture's directory, so paths stay short.

use assert_cmd::Command;
use custody::entry::CoSignature;
use custody::keyfile::read_secret_key_file;
use custody::signing::sign_body;
use std::path::PathBuf;
use tempfile::TempDir;

pub mod token;

// The custody rules' three forms, for the rules tests only.
#[allow(dead_code)]
pub mod forms;

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code and hands the run back for more checks.
    #[track_caller]
    pub fn exits(self, expected: i32) -> Run {
        assert_eq!(
            self.code, expected,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Parses stdout as one JSON value.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

pub struct Fixture {
    pub tmp: TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            tmp: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    pub fn ledger(&self) -> PathBuf {
        self.path("ledger")
    }

    pub fn journal(&self) -> PathBuf {
        self.path("ledger/journal")
    }

    /// The binary, with the low-cost KDF, the fixture's ledger and a plain locale.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// [`Fixture::cmd`] as a `std::process::Command`, for a test that needs the child's pipes.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_custody"));
        c.current_dir(self.tmp.path())
            .env("CUSTODY_KDF", "low-cost")
            .env("CUSTODY_LEDGER", self.ledger())
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("RUST_BACKTRACE")
            .env_remove("CUSTODY_PKCS11_MODULE");
        // A fixture with tokens (see token.rs): its own token store and SoftHSM2's module.
        let conf = self.path("softhsm2.conf");
        if conf.exists() {
            c.env("SOFTHSM2_CONF", conf)
                .env("CUSTODY_PKCS11_MODULE", token::module());
        }
        c
    }

    /// Runs the binary with `args` and checks that it did not panic, whatever it exits with.
    #[track_caller]
    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Run {
        run(self.cmd().args(args))
    }
}

/// Runs a prepared command of the binary and checks that it did not panic, whatever it exits
/// with.
#[track_caller]
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run custody");
    let run = Run {
        code: out.status.code().expect("custody was killed by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"),
        "custody panicked: {}",
        run.stderr
    );
    run
}

impl Fixture {
    /// Writes `keys/ID.key`, `keys/ID.pub` and `ID.pass` (passphrase `pass-ID`).
    #[track_caller]
    pub fn keygen(&self, id: &str, name: &str) {
        std::fs::write(self.path(&format!("{id}.pass")), format!("pass-{id}\n")).unwrap();
        let pass = format!("{id}.pass");
        self.run(&[
            "keygen",
            "--id",
            id,
            "--name",
            name,
            "--out",
            "keys",
            "--pass-file",
            &pass,
        ])
        .exits(0);
    }

    /// `--sign keys/ID.key` for each signer, then their `--pass-file`s in the same order.
    pub fn signing(&self, signers: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for id in signers {
            out.extend(["--sign".to_string(), format!("keys/{id}.key")]);
        }
        for id in signers {
            out.extend(["--pass-file".to_string(), format!("{id}.pass")]);
        }
        out
    }

    /// Three founders a1 a2 a3 (person numbers 1001..1003); returns the genesis hash.
    #[track_caller]
    pub fn init3(&self) -> String {
        self.init3_with(&[])
    }

    /// [`Fixture::init3`] with more arguments for `init` (a time zone, say).
    #[track_caller]
    pub fn init3_with(&self, extra: &[&str]) -> String {
        let mut args: Vec<String> = ["init", "--exam", "2026 学考", "--json"]
            .map(String::from)
            .to_vec();
        args.extend(extra.iter().map(|a| a.to_string()));
        for (i, id) in ["a1", "a2", "a3"].into_iter().enumerate() {
            self.keygen(id, &format!("Admin {id}"));
            args.extend([
                "--founder".into(),
                format!("keys/{id}.pub"),
                "--founder-person".into(),
                format!("100{}", i + 1),
            ]);
        }
        args.extend(self.signing(&["a1", "a2", "a3"]));
        let run = self.run(&args).exits(0);
        run.json()["genesis_hash"]
            .as_str()
            .expect("genesis_hash")
            .to_string()
    }

    /// Enrols the existing key `keys/ID.pub` with these roles, co-signed by `signers`.
    #[track_caller]
    pub fn enroll(&self, id: &str, roles: &[&str], person: &str, signers: &[&str]) -> Run {
        let mut args: Vec<String> = vec![
            "enroll".into(),
            "--pub".into(),
            format!("keys/{id}.pub"),
            "--person".into(),
            person.into(),
        ];
        for r in roles {
            args.extend(["--role".to_string(), r.to_string()]);
        }
        args.extend(self.signing(signers));
        self.run(&args)
    }

    /// Runs a command that must be refused with `exit`, say `needle` on stderr, and leave the
    /// journal byte for byte as it was.
    #[track_caller]
    pub fn refused<S: AsRef<std::ffi::OsStr>>(&self, args: &[S], exit: i32, needle: &str) -> Run {
        let before = self.journal_bytes();
        let run = self.run(args).exits(exit);
        assert!(
            run.stderr.contains(needle),
            "stderr should mention {needle:?}:\n{}",
            run.stderr
        );
        assert!(
            self.journal_bytes() == before,
            "a refused command changed the journal"
        );
        run
    }

    /// Unlocks each signer's key file and signs the body bytes, in order.
    pub fn cosign(&self, body_bytes: &[u8], signers: &[&str]) -> Vec<CoSignature> {
        signers
            .iter()
            .map(|id| {
                let file = read_secret_key_file(&self.path(&format!("keys/{id}.key"))).unwrap();
                let key = file.unlock(format!("pass-{id}").as_bytes()).unwrap();
                CoSignature {
                    signer: id.to_string(),
                    signature: sign_body(&key, body_bytes),
                }
            })
            .collect()
    }

    /// The journal's bytes, or empty when there is no journal file.
    pub fn journal_bytes(&self) -> Vec<u8> {
        std::fs::read(self.journal()).unwrap_or_default()
    }

    /// The journal's header and its records as (offset, entry bytes), read by the framing alone.
    #[track_caller]
    pub fn records(&self) -> (Vec<u8>, Vec<(u64, Vec<u8>)>) {
        let bytes = self.journal_bytes();
        assert!(bytes.len() >= 28 && bytes.starts_with(b"CUSTJRNL"));
        let mut out = Vec::new();
        let mut at = 28;
        while at < bytes.len() {
            let len = u32_at(&bytes, at) as usize;
            let trailer = u32_at(&bytes, at + 4 + len) as usize;
            assert_eq!(len, trailer, "record at byte {at} has a bad trailer");
            out.push((at as u64, bytes[at + 4..at + 4 + len].to_vec()));
            at += len + 8;
        }
        (bytes[..28].to_vec(), out)
    }

    /// Replaces the journal with `header` and these entries, each framed as a record.
    pub fn write_records(&self, header: &[u8], entries: &[Vec<u8>]) {
        let mut bytes = header.to_vec();
        for e in entries {
            bytes.extend(custody::journal::frame(e).unwrap());
        }
        std::fs::write(self.journal(), bytes).unwrap();
    }
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

/// The path of a built example. Test binaries live in target/<profile>/deps and examples in
/// target/<profile>/examples; `cargo test` builds both (`--test NAME` alone needs `--examples`).
#[allow(dead_code)] // not every test binary runs an example
pub fn example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    assert!(
        path.exists(),
        "{} is not built: run `cargo test`, or `cargo build --examples` (with --release for a release test) first",
        path.display()
    );
    path
}

/// The temporary files a write left in `dir` (every staged file is named `.NAME.RANDOM.tmp`).
#[allow(dead_code)] // not every test binary looks for them
pub fn temporaries(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// Copies a directory tree (a prepared ledger, for each test its own copy).
#[allow(dead_code)] // not every test binary copies a template
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Removes template directories named `prefix…` that earlier runs left (a static is never
/// dropped) once they are over an hour old.
#[allow(dead_code)] // not every test binary keeps templates
pub fn remove_stale_templates(parent: &std::path::Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if stale && entry.file_name().to_string_lossy().starts_with(prefix) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The hex digits of the fenced block after the line `<!-- golden NAME -->` in `docs/DOC`.
#[allow(dead_code)] // not every test binary reads a golden example
pub fn golden(doc: &str, name: &str) -> String {
    let path = format!("{}/docs/{doc}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let marker = format!("<!-- golden {name} -->");
    let start = text
        .find(&marker)
        .unwrap_or_else(|| panic!("{doc} has no {marker}"));
    let block = &text[start + marker.len()..];
    let open = block.find("```").unwrap();
    let block = &block[open + 3..];
    let block = &block[block.find('\n').unwrap() + 1..];
    let close = block.find("```").unwrap();
    block[..close].split_whitespace().collect()
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), typing `lines` one by one as a
/// person would: each once a new prompt waits (the output ends in a colon and has grown since
/// the last line typed), so that it answers the prompt it is meant for and is never echoed by a
/// terminal still in line mode, however loaded the machine (fixed pauses were not enough).
#[allow(dead_code)] // not every test crate drives a terminal
pub fn on_terminal(fx: &Fixture, args: &[String], lines: &[&str]) -> Run {
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    let base = fx.std_cmd();
    let mut line = format!("exec {}", env!("CARGO_BIN_EXE_custody"));
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .current_dir(fx.tmp.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in base.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let mut child = cmd
        .spawn()
        .expect("script (util-linux) runs the binary on a terminal");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let reader = {
        let seen = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    let prompting = |after: usize| {
        let out = seen.lock().unwrap();
        let text = String::from_utf8_lossy(&out);
        let tail = text.trim_end_matches(' ');
        out.len() > after && (tail.ends_with(':') || tail.ends_with('：'))
    };
    let mut typed_at = 0;
    for l in lines {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !prompting(typed_at) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        // A moment for the prompt to turn echo off after printing itself.
        std::thread::sleep(Duration::from_millis(200));
        typed_at = seen.lock().unwrap().len();
        let _ = writeln!(stdin, "{l}");
    }
    std::thread::sleep(Duration::from_millis(700));
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let stdout = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    Run {
        code: status.code().unwrap(),
        stdout,
        stderr,
    }
}
