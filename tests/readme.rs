//! The README's walk-through, pasted into a shell as a newcomer would, against the built binary.

use std::process::Command;

#[test]
fn the_readme_walkthrough_runs_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("<!-- walkthrough -->")
        .expect("README marks its walk-through");
    let block = &readme[start..];
    let block = &block[block.find("```sh\n").unwrap() + 6..];
    let script = &block[..block.find("```").unwrap()];

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
    assert!(stdout.contains("verdict: CLEAN"), "{stdout}");
    assert!(stdout.contains("matches the trusted hash"), "{stdout}");
    assert!(stdout.contains("zhao (赵敏) as custodian"), "{stdout}");
}
