//! Co-signing at the terminal: load each key, show the summary, ask the passphrase (or the
//! token's PIN), sign.

use crate::cli::SignArgs;
use crate::fail::{Fail, input};
use custody::entry::CoSignature;
use custody::i18n::Msg;
use custody::keyfile::{KeyFileError, SecretKeyFile};
use custody::signing::sign_body;
use custody::summary::{Context, summary_in};
use custody::token::{PersonalKey, read_personal_key};
use ed25519_dalek::SigningKey;
use std::io::Read;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// A co-signer's key file, read but not yet unlocked.
pub struct Signer {
    pub path: PathBuf,
    pub key: PersonalKey,
    pass_file: Option<PathBuf>,
}

impl Signer {
    pub fn id(&self) -> &str {
        self.key.id()
    }

    /// The `--pass-file` given for this key, if any.
    pub fn pass_file(&self) -> Option<&Path> {
        self.pass_file.as_deref()
    }
}

/// Reads the `--sign` key files and pairs each with its `--pass-file`.
pub fn load(args: &SignArgs) -> Result<Vec<Signer>, Fail> {
    if args.keys.is_empty() {
        return Err(input(crate::lang().t(Msg::NoCosigners)));
    }
    if !args.pass_files.is_empty() && args.pass_files.len() != args.keys.len() {
        return Err(input(format!(
            "{} --sign but {} --pass-file: give one --pass-file per --sign, in the same order, or none",
            args.keys.len(),
            args.pass_files.len()
        )));
    }
    args.keys
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let key = read_personal_key(path).map_err(Fail::from)?;
            Ok(Signer {
                path: path.clone(),
                key,
                pass_file: args.pass_files.get(i).cloned(),
            })
        })
        .collect()
}

/// Reads a passphrase from a file: the first line, without its line ending.
pub fn read_pass_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, Fail> {
    let mut bytes = Zeroizing::new(Vec::new());
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut bytes))
        .map_err(|e| {
            let why = crate::fail::io_text(path, &e);
            input(crate::lang().f(Msg::PassFileUnreadable, &[("why", &why)]))
        })?;
    let end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len());
    let mut line = Zeroizing::new(bytes[..end].to_vec());
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.is_empty() {
        return Err(Fail::from(KeyFileError::EmptyPassphrase));
    }
    Ok(line)
}

/// Asks for a passphrase on the terminal, without echo.
pub fn prompt_passphrase(prompt: &str) -> Result<Zeroizing<Vec<u8>>, Fail> {
    let text = rpassword::prompt_password(prompt).map_err(|e| {
        input(format!(
            "cannot ask for the passphrase ({e}); use --pass-file FILE"
        ))
    })?;
    let text = Zeroizing::new(text);
    if text.is_empty() {
        return Err(Fail::from(KeyFileError::EmptyPassphrase));
    }
    Ok(Zeroizing::new(text.as_bytes().to_vec()))
}

/// A key that did not unlock, with what to do: where the passphrase came from, and that nothing
/// was written.
pub fn wrong_passphrase(e: KeyFileError, pass_file: Option<&Path>) -> Fail {
    let lang = crate::lang();
    let mut fail = Fail::from(e);
    fail.hint = Some(match pass_file {
        Some(p) => lang.f(Msg::HintPassFile, &[("path", &p.display())]),
        None => lang.t(Msg::HintTryAgain).into(),
    });
    fail
}

/// Each signer in turn reads the summary of the body bytes (with what the ledger expects, in
/// `context`), types their passphrase and signs.
pub fn cosign(
    signers: &[Signer],
    body_bytes: &[u8],
    time_zone: &str,
    context: &Context,
) -> Result<Vec<CoSignature>, Fail> {
    let lang = crate::lang();
    let names: Vec<(&str, &str)> = signers.iter().map(|s| (s.id(), s.key.name())).collect();
    let text = summary_in(body_bytes, time_zone, &names, context, lang)
        .map_err(|e| input(format!("cannot render the event: {e}")))?;
    let mut out = Vec::with_capacity(signers.len());
    for (i, s) in signers.iter().enumerate() {
        eprintln!(
            "{}",
            lang.f(
                Msg::SignerOf,
                &[
                    ("i", &(i + 1)),
                    ("n", &signers.len()),
                    ("name", &s.key.name()),
                    ("id", &s.id())
                ]
            )
        );
        eprint!("{text}");
        let key = match &s.key {
            PersonalKey::File(key) => key,
            PersonalKey::Token(key) => {
                out.push(CoSignature {
                    signer: s.id().to_string(),
                    signature: crate::tokens::sign(key, s.pass_file.as_deref(), body_bytes)?,
                });
                continue;
            }
        };
        if key.params().is_low_cost() {
            eprintln!(
                "{}",
                lang.f(Msg::LowCostKey, &[("path", &s.path.display())])
            );
        }
        let key = unlock(key, s.id(), s.pass_file.as_deref())?;
        out.push(CoSignature {
            signer: s.id().to_string(),
            signature: sign_body(&key, body_bytes),
        });
    }
    Ok(out)
}

/// Tries at a passphrase typed on the terminal; a pass file gets one.
const PASSPHRASE_TRIES: usize = 3;

/// A file key unlocked: the passphrase from its pass file, or asked on the terminal up to
/// [`PASSPHRASE_TRIES`] times. The signers before have signed already and do not type again.
pub fn unlock(key: &SecretKeyFile, id: &str, pass_file: Option<&Path>) -> Result<SigningKey, Fail> {
    let lang = crate::lang();
    let tries = if pass_file.is_some() {
        1
    } else {
        PASSPHRASE_TRIES
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let pass = match pass_file {
            Some(p) => read_pass_file(p)?,
            None => prompt_passphrase(&lang.f(Msg::PassphraseFor, &[("id", &id)]))?,
        };
        match key.unlock(&pass) {
            Ok(key) => return Ok(key),
            Err(KeyFileError::WrongPassphrase { .. }) if attempt < tries => {
                eprintln!("{}", lang.f(Msg::WrongPassphrase, &[("id", &id)]));
            }
            Err(e) => return Err(wrong_passphrase(e, pass_file)),
        }
    }
}
