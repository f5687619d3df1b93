//! SoftHSM2 tokens for tests: a token store of the fixture's own (`softhsm2.conf` in its
//! directory, which [`Fixture::std_cmd`] then hands to the binary), and tokens initialised in it.
//! The module is required: without it these tests fail, they never skip.

// Only the token tests use this part of the kit.
#![allow(dead_code)]

use super::Fixture;
use std::path::PathBuf;
use std::process::Command;

/// The SO PIN of every test token.
pub const SO_PIN: &str = "so-pin-123456";

/// The SoftHSM2 PKCS#11 module, as installed by Debian's `softhsm2`.
pub fn module() -> PathBuf {
    let listed = Command::new("dpkg")
        .args(["-L", "libsofthsm2"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    listed
        .lines()
        .chain(["/usr/lib/softhsm/libsofthsm2.so"])
        .map(PathBuf::from)
        .find(|p| p.ends_with("libsofthsm2.so") && p.exists())
        .expect(
            "the SoftHSM2 PKCS#11 module is missing: apt-get install softhsm2 \
             (.ci/run installs it); the token tests need a real token",
        )
}

impl Fixture {
    /// The fixture's own SoftHSM2 configuration, created on first use.
    pub fn softhsm_conf(&self) -> PathBuf {
        let conf = self.path("softhsm2.conf");
        if !conf.exists() {
            let dir = self.path("tokens");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                &conf,
                format!(
                    "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                    dir.display()
                ),
            )
            .unwrap();
        }
        conf
    }

    /// A new token labelled `label` with user PIN `pin`.
    #[track_caller]
    pub fn init_token(&self, label: &str, pin: &str) {
        let out = Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", self.softhsm_conf())
            .args(["--init-token", "--free", "--label", label])
            .args(["--so-pin", SO_PIN, "--pin", pin])
            .output()
            .expect("softhsm2-util is missing: apt-get install softhsm2");
        assert!(
            out.status.success(),
            "softhsm2-util: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A token labelled `id` (PIN `pin-ID`, in `ID.pass` like a passphrase) and the key `ID` made
    /// on it with `keygen --token`: `keys/ID.key` and `keys/ID.pub`, used as any key.
    #[track_caller]
    pub fn token_keygen(&self, id: &str, name: &str) {
        self.init_token(id, &format!("pin-{id}"));
        std::fs::write(self.path(&format!("{id}.pass")), format!("pin-{id}\n")).unwrap();
        let uri = format!("pkcs11:token={id}");
        let pass = format!("{id}.pass");
        self.run(&[
            "keygen",
            "--id",
            id,
            "--name",
            name,
            "--out",
            "keys",
            "--token",
            &uri,
            "--pass-file",
            &pass,
        ])
        .exits(0);
    }
}
