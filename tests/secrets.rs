//! Secrets never leave where they belong: private key material, passphrases and person numbers
//! appear on no output, nor in the journal, the index, a draft, an export of the roster, or a
//! key file in the clear. Each place is searched for the raw bytes.

#[allow(dead_code)]
mod util;

use custody::entry::hex;
use custody::keyfile::read_secret_key_file;
use std::path::Path;
use util::Fixture;

/// Every file below `dir`, read whole.
fn files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_secret_appears_in_outputs_journal_index_drafts_or_exports() {
    let fx = Fixture::new();
    fx.init3();
    // Distinctive person numbers, so a chance match in a hash is impossible.
    let persons = ["PN7Q4K9Z2W", "PN8R5L0X3V"];
    fx.keygen("c1", "赵敏");
    fx.keygen("s1", "钱伟");
    let mut outputs = Vec::new();
    for (id, role, person) in [
        ("c1", "custodian", persons[0]),
        ("s1", "supervisor", persons[1]),
    ] {
        let run = fx.enroll(id, &[role], person, &["a1", "a2"]).exits(0);
        outputs.push(run.stdout + &run.stderr);
    }
    let draft = fx.path("revoke.draft");
    let mut args: Vec<String> = [
        "draft",
        "store",
        "--cabinet",
        "A",
        "--bag",
        "X",
        "--cosigner",
        "c1",
        "--cosigner",
        "s1",
        "--out",
    ]
    .map(String::from)
    .to_vec();
    args.push(draft.display().to_string());
    // The bag was never collected: the draft is still written (the rules judge at submission).
    let run = fx.run(&args);
    outputs.push(run.stdout + &run.stderr);
    for cmd in [
        vec!["log", "--json"],
        vec!["verify", "--json"],
        vec!["roster", "--json"],
        vec!["keys", "--json"],
        vec!["show", "1", "--json"],
    ] {
        let run = fx.run(&cmd).exits(0);
        outputs.push(run.stdout + &run.stderr);
    }
    let run = fx.run(&["roster", "--out", "roster.json"]).exits(0);
    outputs.push(run.stdout + &run.stderr);

    // The secrets: every private seed, every passphrase, both person numbers, the ledger's keys.
    let mut secrets: Vec<(String, Vec<u8>)> = Vec::new();
    for id in ["a1", "a2", "a3", "c1", "s1"] {
        let pass = format!("pass-{id}");
        let key = read_secret_key_file(&fx.path(&format!("keys/{id}.key")))
            .unwrap()
            .unlock(pass.as_bytes())
            .unwrap();
        let seed = key.to_bytes();
        secrets.push((format!("{id} seed"), seed.to_vec()));
        secrets.push((format!("{id} seed hex"), hex(&seed).into_bytes()));
        secrets.push((format!("{id} passphrase"), pass.into_bytes()));
    }
    for p in persons {
        secrets.push((format!("person number {p}"), p.as_bytes().to_vec()));
    }
    for f in ["ledger.key", "person.key"] {
        let bytes = std::fs::read(fx.ledger().join(f)).unwrap();
        secrets.push((format!("{f} hex"), hex(&bytes).into_bytes()));
        secrets.push((f.to_string(), bytes));
    }

    // The places: outputs, every file of the ledger (journal, index, checkpoints), the draft,
    // the roster export, the public key files. (ledger.key and person.key hold themselves.)
    let mut places: Vec<(String, Vec<u8>)> = outputs
        .into_iter()
        .enumerate()
        .map(|(i, o)| (format!("output {i}"), o.into_bytes()))
        .collect();
    files(&fx.ledger(), &mut places);
    places.retain(|(name, _)| !name.ends_with("ledger.key") && !name.ends_with("person.key"));
    for f in ["revoke.draft", "roster.json", "keys/c1.pub", "keys/a1.pub"] {
        places.push((f.to_string(), std::fs::read(fx.path(f)).unwrap()));
    }
    assert!(
        places.iter().any(|(n, _)| n.contains("index")),
        "the index was searched"
    );
    for (what, secret) in &secrets {
        for (place, bytes) in &places {
            assert!(!contains(bytes, secret), "{what} found in {place}");
        }
    }
    // Key files hold the seed only encrypted.
    for id in ["a1", "c1"] {
        let file = std::fs::read(fx.path(&format!("keys/{id}.key"))).unwrap();
        let seed = &secrets
            .iter()
            .find(|(w, _)| *w == format!("{id} seed"))
            .unwrap()
            .1;
        assert!(
            !contains(&file, seed),
            "{id}.key holds its seed in the clear"
        );
    }
}

/// A token's PIN appears on no output, in no file of the ledger, no key file and no draft: not
/// when it is right, not when it is wrong.
#[test]
fn no_token_pin_appears_in_outputs_journal_key_files_or_drafts() {
    let fx = Fixture::new();
    fx.token_keygen("zhang", "张建国");
    fx.token_keygen("li", "李明");
    let pins = ["pin-zhang", "pin-li", "PIN9X7WRONG"];
    let mut outputs = Vec::new();
    let mut init: Vec<String> = ["init", "--exam", "E"].map(String::from).to_vec();
    for (i, id) in ["zhang", "li"].into_iter().enumerate() {
        init.extend([
            "--founder".into(),
            format!("keys/{id}.pub"),
            "--founder-person".into(),
            format!("900{i}"),
        ]);
    }
    init.extend(fx.signing(&["zhang", "li"]));
    let run = fx.run(&init).exits(0);
    outputs.push(run.stdout + &run.stderr);
    let draft = [
        "draft",
        "store",
        "--cabinet",
        "A",
        "--bag",
        "X",
        "--cosigner",
        "zhang",
        "--cosigner",
        "li",
        "--out",
        "revoke.draft",
    ];
    let run = fx.run(&draft).exits(0);
    outputs.push(run.stdout + &run.stderr);
    let run = fx
        .run(&[
            "cosign",
            "revoke.draft",
            "--sign",
            "keys/zhang.key",
            "--pass-file",
            "zhang.pass",
        ])
        .exits(0);
    outputs.push(run.stdout + &run.stderr);
    std::fs::write(fx.path("wrong.pass"), "PIN9X7WRONG\n").unwrap();
    let run = fx
        .run(&[
            "cosign",
            "revoke.draft",
            "--sign",
            "keys/li.key",
            "--pass-file",
            "wrong.pass",
        ])
        .exits(2);
    outputs.push(run.stdout + &run.stderr);

    let mut places: Vec<(String, Vec<u8>)> = outputs
        .into_iter()
        .enumerate()
        .map(|(i, o)| (format!("output {i}"), o.into_bytes()))
        .collect();
    files(&fx.ledger(), &mut places);
    files(&fx.path("keys"), &mut places);
    places.push((
        "revoke.draft".into(),
        std::fs::read(fx.path("revoke.draft")).unwrap(),
    ));
    for pin in pins {
        for (place, bytes) in &places {
            assert!(
                !contains(bytes, pin.as_bytes()),
                "PIN {pin} found in {place}"
            );
        }
    }
}

/// On a terminal a wrong passphrase is asked again, three times in all, then the command exits
/// 2 with nothing written; the signer before, who already signed, does not type again. (Before,
/// one wrong passphrase ended the command and both signers had to start over.)
#[test]
fn a_wrong_passphrase_on_a_terminal_gets_three_tries_and_the_first_signer_types_once() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("wang", "王丽");
    let args: Vec<String> = [
        "enroll",
        "--pub",
        "keys/wang.pub",
        "--role",
        "custodian",
        "--person",
        "3001",
        "--sign",
        "keys/a1.key",
        "--sign",
        "keys/a2.key",
    ]
    .map(String::from)
    .to_vec();
    let before = fx.journal_bytes();
    let run = util::on_terminal(&fx, &args, &["pass-a1", "bad-1", "bad-2", "bad-3"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(
        run.stdout.matches("Passphrase for a1:").count(),
        1,
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("Passphrase for a2:").count(),
        3,
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("wrong passphrase for key a2").count(),
        3,
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("bad-"), "not echoed: {}", run.stdout);
    assert_eq!(fx.journal_bytes(), before, "nothing written");

    let run = util::on_terminal(&fx, &args, &["pass-a1", "bad-1", "pass-a2"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.stdout.matches("Passphrase for a1:").count(),
        1,
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("wrong passphrase for key a2").count(),
        1,
        "{}",
        run.stdout
    );
    assert_ne!(fx.journal_bytes(), before, "the enrolment is recorded");
}
