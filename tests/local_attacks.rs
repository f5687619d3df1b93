//! Attacks from someone with access to the files rather than to two keys (issue 19): a key
//! file others can read, a weak passphrase, a swapped person-tag key. Through the real binary;
//! every refusal leaves the journal byte for byte as it was.

#[allow(dead_code)] // a shared kit: not every test file uses all of it
mod util;

use std::fs;
use util::Fixture;

/// `enroll keys/ID.pub` as custodian, co-signed by `signers`, as arguments.
fn enroll_args(fx: &Fixture, id: &str, person: &str, signers: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["enroll", "--pub", &format!("keys/{id}.pub")]
        .map(String::from)
        .to_vec();
    args.extend(["--person", person, "--role", "custodian"].map(String::from));
    args.extend(fx.signing(signers));
    args
}

/// Issue 19, defect 8: a `.key` file that group or others can read was used without a word,
/// where ssh refuses such a private key.
#[cfg(unix)]
#[test]
fn a_key_file_readable_by_others_is_refused_with_the_chmod_hint() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "王丽");
    let key = fx.path("keys/a2.key");
    for mode in [0o644, 0o640, 0o604, 0o660] {
        fs::set_permissions(&key, fs::Permissions::from_mode(mode)).unwrap();
        let run = fx.refused(
            &enroll_args(&fx, "c1", "2001", &["a1", "a2"]),
            2,
            "keys/a2.key",
        );
        assert!(
            run.stderr.contains("chmod 600 keys/a2.key"),
            "mode {mode:o}: {}",
            run.stderr
        );
    }
    fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
    fx.run(&enroll_args(&fx, "c1", "2001", &["a1", "a2"]))
        .exits(0);
}

/// Issue 19, defect 9: `keygen` accepted the passphrase `1` for a real (default-profile) key,
/// which falls to a guess in a fraction of a second.
#[test]
fn a_weak_passphrase_is_refused_at_keygen() {
    let fx = Fixture::new();
    let keygen = |id: &str, pass: &str, kdf: &str| {
        fs::write(fx.path(&format!("{id}.pass")), format!("{pass}\n")).unwrap();
        let mut cmd = fx.cmd();
        cmd.env_remove("CUSTODY_KDF").args([
            "keygen",
            "--id",
            id,
            "--name",
            "王丽",
            "--out",
            "keys",
            "--pass-file",
            &format!("{id}.pass"),
            "--kdf",
            kdf,
        ]);
        util::run(&mut cmd)
    };
    // The last two are weak because they repeat the keyholder's own id or name.
    for (id, weak) in [
        ("w1", "1"),
        ("w2", "password"),
        ("w3", "qwertyuiop"),
        ("wang.li", "wang.li2026"),
        ("w5", "王丽王丽"),
    ] {
        let run = keygen(id, weak, "default").exits(2);
        assert!(run.stderr.contains("too weak"), "{weak:?}: {}", run.stderr);
        assert!(!fx.path(&format!("keys/{id}.key")).exists());
        assert!(!fx.path(&format!("keys/{id}.pub")).exists());
    }
    keygen("strong", "demo passphrase of wang", "default").exits(0);
    // The low-cost profile, for tests and demos only, keeps its short passphrases.
    let run = keygen("test", "1", "low-cost").exits(0);
    assert!(run.stderr.contains("low-cost"), "{}", run.stderr);
}

/// Issue 19, defect 2: nothing bound `DIR/person.key` to the ledger. After swapping it, the same
/// person number gave a new tag, so two admins could enrol a person a second time (here a1,
/// person 1001, as a custodian next to their admin key) and `verify` still said CLEAN.
#[test]
fn a_swapped_person_key_cannot_enrol_one_person_twice_and_restore_puts_back_the_right_one() {
    let fx = Fixture::new();
    fx.init3();
    fs::write(fx.path("backup.pass"), "the backup's own passphrase\n").unwrap();
    fx.run(&[
        "backup",
        "--out",
        "before.backup",
        "--pass-file",
        "backup.pass",
    ])
    .exits(0);
    let own = fs::read(fx.ledger().join("person.key")).unwrap();
    fx.keygen("a1c", "Admin a1");
    let swap = fx.ledger().join("person.key");
    fs::write(&swap, [0x5a; 32]).unwrap();

    // Any append is refused, the enrolment of a second key for person 1001 among them.
    let run = fx.refused(
        &enroll_args(&fx, "a1c", "1001", &["a2", "a3"]),
        5,
        "person-tag key does not belong to this ledger",
    );
    assert!(run.stderr.contains("custody restore"), "{}", run.stderr);
    // So is a backup, which could never be restored.
    fx.run(&[
        "backup",
        "--out",
        "swapped.backup",
        "--pass-file",
        "backup.pass",
    ])
    .exits(5);
    assert!(!fx.path("swapped.backup").exists());

    // restore puts back the ledger's own key; the second enrolment of 1001 is then refused.
    let run = fx
        .run(&["restore", "before.backup", "--pass-file", "backup.pass"])
        .exits(0);
    assert!(run.stderr.contains("person-tag key") || run.stdout.contains("person-tag key"));
    assert_eq!(fs::read(&swap).unwrap(), own);
    fx.refused(
        &enroll_args(&fx, "a1c", "1001", &["a2", "a3"]),
        3,
        "PERSON_DUPLICATE",
    );
    fx.run(&enroll_args(&fx, "a1c", "2001", &["a2", "a3"]))
        .exits(0);
}

/// The writer lock was opened through a planted link: `DIR/lock -> elsewhere` created (and
/// locked) the link's target with the writer's rights. Now the writer refuses, exit 5, and
/// the target is never created.
#[cfg(unix)]
#[test]
fn a_lock_planted_as_a_link_is_refused_and_its_target_never_created() {
    let fx = Fixture::new();
    fx.init3();
    fx.keygen("c1", "王丽");
    let before = fx.journal_bytes();
    let target = fx.path("created-through-the-link");
    let lock = fx.ledger().join("lock");
    let _ = fs::remove_file(&lock);
    std::os::unix::fs::symlink(&target, &lock).unwrap();

    fx.refused(&enroll_args(&fx, "c1", "2001", &["a1", "a2"]), 5, "lock");

    assert!(!target.exists(), "nothing is created through the link");
    assert_eq!(fx.journal_bytes(), before);
}
