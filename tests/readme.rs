//! The README's walk-through, pasted into a shell as a newcomer would, against the built binary.

use std::process::Command;

/// Runs the walk-through with `edit` applied to it; returns its stdout, after checking that it
/// succeeded.
fn walkthrough(edit: impl Fn(&str) -> String) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("<!-- walkthrough -->")
        .expect("README marks its walk-through");
    let block = &readme[start..];
    let block = &block[block.find("```sh\n").unwrap() + 6..];
    let script = edit(&block[..block.find("```").unwrap()]);

    let dir = tempfile::tempdir().unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_custody"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(script)
        .current_dir(dir.path())
        .env("PATH", path)
        .env_remove("CUSTODY_LEDGER")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "walk-through failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout.into_owned()
}

#[test]
fn the_readme_walkthrough_runs_as_written() {
    let stdout = walkthrough(str::to_string);
    assert!(stdout.contains("verdict: CLEAN"), "{stdout}");
    assert!(stdout.contains("matches the trusted hash"), "{stdout}");
    assert!(stdout.contains("matches the register"), "{stdout}");
    assert!(stdout.contains("zhao (赵敏) as custodian"), "{stdout}");
}

/// The low-cost profile skips the passphrase strength check; the walk-through's passphrases
/// must pass it all the same, so that a reader who drops `CUSTODY_KDF=low-cost` for real keys
/// is not refused.
#[test]
fn the_readme_walkthrough_passphrases_are_strong_enough_for_real_keys() {
    let stdout = walkthrough(|script| {
        assert!(script.contains("CUSTODY_KDF=low-cost"));
        script.replace("CUSTODY_KDF=low-cost", "CUSTODY_KDF=default")
    });
    assert!(stdout.contains("verdict: CLEAN"), "{stdout}");
}
