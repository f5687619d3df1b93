//! Shell completions and the manual page, generated from the clap definitions.

use std::process::Command;

fn custody(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_custody"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_for_bash_zsh_and_fish_know_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let script = custody(&["completions", shell]);
        for word in ["record", "verify", "checkpoint", "restore", "ledger"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
}

#[test]
fn the_manual_page_is_roff_and_names_the_command() {
    let page = custody(&["man"]);
    assert!(
        page.contains(".TH custody 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains("verify"));
}

#[test]
fn an_unknown_shell_is_bad_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_custody"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
