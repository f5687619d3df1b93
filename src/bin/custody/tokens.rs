//! Keys on PKCS#11 tokens at the terminal: `keygen --token`, and a token holder's PIN when they
//! co-sign (`--sign`, `cosign`).

use crate::cli::KeygenArgs;
use crate::fail::{EXIT_STORAGE, Fail, input};
use crate::sign::{prompt_passphrase, read_pass_file};
use cryptoki::session::Session;
use custody::i18n::Msg;
use custody::keyfile::KeyFileError;
use custody::roster::{display_name_problem, valid_keyholder_id};
use custody::token::{MODULE_ENV, PinTries, Token, TokenError, TokenKeyFile, TokenUri};
use std::path::{Path, PathBuf};

/// Wrong PINs a person may type at the terminal before the command gives up, as for a
/// passphrase; a PIN from `--pass-file` gets one try, so a script never locks a token.
const PIN_TRIES: usize = 3;

impl From<TokenError> for Fail {
    fn from(e: TokenError) -> Fail {
        let lang = crate::lang();
        match e {
            TokenError::KeyFile(e) => Fail::from(e),
            TokenError::WrongPin { token, tries } => input(lang.f(
                Msg::WrongPin,
                &[("token", &token), ("tries", &tries_text(tries))],
            )),
            TokenError::Locked { token } => input(lang.f(Msg::PinLocked, &[("token", &token)])),
            // The token answered with an error of its own: hardware or storage, not the input.
            e @ TokenError::Device { .. } => Fail {
                code: EXIT_STORAGE,
                message: e.to_string(),
                hint: None,
            },
            e => input(e.to_string()),
        }
    }
}

fn tries_text(tries: PinTries) -> String {
    let lang = crate::lang();
    match tries {
        PinTries::Unknown => String::new(),
        PinTries::Low => lang.t(Msg::PinTriesLow).to_string(),
        PinTries::Final => lang.t(Msg::PinTriesFinal).to_string(),
    }
}

/// The module named by `CUSTODY_PKCS11_MODULE`, used when the URI has no `module-path`.
fn module_env() -> Option<PathBuf> {
    std::env::var_os(MODULE_ENV).map(PathBuf::from)
}

/// Opens the token the URI names and logs in: the PIN from `pass_file` (one try), or asked on
/// the terminal up to [`PIN_TRIES`] times, saying what the token reports of the tries left.
/// The token is looked for after each PIN, so that it can be inserted while the prompt waits.
fn login(uri: &TokenUri, pass_file: Option<&Path>, prompt: &str) -> Result<(Token, Session), Fail> {
    let lang = crate::lang();
    let tries = if pass_file.is_some() { 1 } else { PIN_TRIES };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let pin = match pass_file {
            Some(p) => read_pass_file(p)?,
            None => prompt_passphrase(prompt)?,
        };
        let token = Token::open(uri, module_env().as_deref())?;
        match token.login(&pin) {
            Ok(session) => return Ok((token, session)),
            Err(TokenError::WrongPin { token, tries: left }) if attempt < tries => {
                eprintln!(
                    "{}",
                    lang.f(
                        Msg::WrongPin,
                        &[("token", &token), ("tries", &tries_text(left))]
                    )
                );
            }
            Err(e) => {
                let wrong_pin = matches!(e, TokenError::WrongPin { .. });
                let mut f = Fail::from(e);
                if wrong_pin {
                    f.hint = Some(match pass_file {
                        Some(p) => lang.f(Msg::HintPinFile, &[("path", &p.display())]),
                        None => lang.t(Msg::HintTryAgain).into(),
                    });
                }
                return Err(f);
            }
        }
    }
}

/// A token holder's signature over a body, after the summary was shown: asks for their token and
/// PIN by name, signs on the token, and checks the signature against their `.key` file.
pub fn sign(key: &TokenKeyFile, pass_file: Option<&Path>, body: &[u8]) -> Result<[u8; 64], Fail> {
    sign_message(key, pass_file, &custody::signing::signed_message(body))
}

/// [`sign`] over a message as it is: a checkpoint note's text.
pub fn sign_message(
    key: &TokenKeyFile,
    pass_file: Option<&Path>,
    message: &[u8],
) -> Result<[u8; 64], Fail> {
    let lang = crate::lang();
    let public = &key.public;
    eprintln!(
        "{}",
        lang.f(
            Msg::InsertToken,
            &[("name", &public.name), ("id", &public.id)]
        )
    );
    let (token, session) = login(
        &key.uri,
        pass_file,
        &lang.f(Msg::PinFor, &[("id", &public.id)]),
    )?;
    Ok(token.sign(&session, key, message)?)
}

/// `custody keygen --token URI`: the key pair made on the token, `ID.pub` as for a key file, and
/// `ID.key` holding the key's URI and no secret.
pub fn keygen(a: &KeygenArgs, uri: &str) -> Result<u8, Fail> {
    let uri = TokenUri::parse(uri)?;
    // Everything that would waste a key on the token is checked first.
    if !valid_keyholder_id(&a.id) {
        return Err(KeyFileError::BadId(a.id.clone()).into());
    }
    if let Some(reason) = display_name_problem(&a.name) {
        return Err(KeyFileError::BadName {
            name: a.name.clone(),
            reason,
        }
        .into());
    }
    for ext in ["key", "pub"] {
        crate::fail::fresh(&a.out.join(format!("{}.{ext}", a.id)))?;
    }
    let lang = crate::lang();
    let (token, session) = login(
        &uri,
        a.pass_file.as_deref(),
        &lang.f(Msg::PinOfToken, &[("token", &uri)]),
    )?;
    let file = token.generate(&session, &uri, &a.id, &a.name)?;
    let (key_path, pub_path) = file.write(&a.out)?;
    outln!(
        "{}",
        lang.f(
            Msg::WroteTokenKey,
            &[("path", &key_path.display()), ("token", &token.label())]
        )
    );
    outln!(
        "{}",
        lang.f(Msg::WrotePublic, &[("path", &pub_path.display())])
    );
    outln!("{}", file.public.to_line());
    Ok(0)
}

/// `--key-kind` parsed, for `enroll` and `init`.
pub fn key_kind(text: &str) -> Result<custody::roster::KeyKind, Fail> {
    text.parse().map_err(input)
}
