//! Personal keys on PKCS#11 tokens (smart cards, USB keys): the second kind of key, next to the
//! passphrase-protected files of [`crate::keys::keyfile`].
//!
//! The token makes the same Ed25519 signature over the same message (PKCS#11 3.0 `CKM_EDDSA`,
//! `CKK_EC_EDWARDS` on curve edwards25519), so the ledger, the audit and every verifier see no
//! difference. The private key is generated on the token, sensitive and not extractable; what
//! stays on disk is a small text `.key` file naming the token and the key (an RFC 7512 URI) and
//! holding no secret. The PKCS#11 module is never hard-wired: it comes from the URI's
//! `module-path` attribute, else from `CUSTODY_PKCS11_MODULE`.

use crate::format::signing::{signed_message, verify_message};
use crate::keys::keyfile::{
    KeyFileError, PublicKeyFile, SecretKeyFile, read_capped, write_key_files,
};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::RawAuthPin;
use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable naming the PKCS#11 module when the URI does not.
pub const MODULE_ENV: &str = "CUSTODY_PKCS11_MODULE";

/// First line of a token `.key` file.
pub const TOKEN_KEY_MAGIC: &str = "custody-token-v1";

/// `CKA_EC_PARAMS` for Ed25519: the DER of the object identifier id-Ed25519 (1.3.101.112,
/// RFC 8410), which PKCS#11 3.0 accepts for `CKK_EC_EDWARDS` keys.
const ED25519_PARAMS: [u8; 5] = [0x06, 0x03, 0x2b, 0x65, 0x70];

/// What a token said about the tries left after a wrong PIN. PKCS#11 reports flags, not a
/// number: "low" is all a token may say until the last try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinTries {
    /// The token reports nothing about its counter.
    Unknown,
    /// `CKF_USER_PIN_COUNT_LOW`: fewer tries left than the token started with.
    Low,
    /// `CKF_USER_PIN_FINAL_TRY`: one more wrong PIN locks the token.
    Final,
}

/// Why a token key could not be made, found or used. No variant carries a PIN.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    #[error("{uri:?} is not a usable PKCS#11 token URI: {reason}")]
    BadUri { uri: String, reason: String },
    #[error(
        "no PKCS#11 module named: add module-path to the token URI \
         (pkcs11:token=...?module-path=/path/to/module.so) or set {MODULE_ENV}"
    )]
    NoModule,
    #[error("cannot load the PKCS#11 module {}: {reason}", path.display())]
    Module { path: PathBuf, reason: String },
    #[error("no token matching {uri} is present: insert it, or check the URI")]
    Missing { uri: String },
    #[error("{count} tokens match {uri}: add serial= to the URI to name one")]
    Ambiguous { uri: String, count: usize },
    #[error("wrong PIN for token {token}{}", tries_text(*.tries))]
    WrongPin { token: String, tries: PinTries },
    #[error("the user PIN of token {token} is locked: its security officer must unblock it")]
    Locked { token: String },
    #[error("the PIN is empty")]
    EmptyPin,
    #[error("token {token} holds no private key {what}: it was removed or this is another token")]
    KeyMissing { token: String, what: String },
    #[error(
        "token {token} already holds a key labelled {id} (id={ids}): to use it, add id= to the \
         URI; to make a new one, delete that key from the token first"
    )]
    KeyExists {
        token: String,
        id: String,
        ids: String,
    },
    #[error(
        "the key on token {token} is not the key of {id} in the .key file: \
         the token's key was replaced, or this is another person's token"
    )]
    KeyMismatch { token: String, id: String },
    #[error("token {token} cannot make Ed25519 keys or signatures (CKM_EDDSA): {reason}")]
    NoEd25519 { token: String, reason: String },
    #[error("token {token}: {reason}")]
    Device { token: String, reason: String },
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
}

fn tries_text(t: PinTries) -> &'static str {
    match t {
        PinTries::Unknown => "",
        PinTries::Low => " (the token reports that few tries are left)",
        PinTries::Final => " (the token reports one try left before it locks)",
    }
}

/// An RFC 7512 `pkcs11:` URI, as far as custody uses one: the path attributes that pick a token
/// and an object, and the `module-path` query attribute. Values are kept decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenUri {
    pub token: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub slot_id: Option<u64>,
    pub object: Option<String>,
    /// `CKA_ID`, any bytes.
    pub id: Option<Vec<u8>>,
    pub module_path: Option<PathBuf>,
}

/// RFC 3986 unreserved characters, plus what RFC 7512 lets a path value carry unencoded
/// (`:`, `[`, `]`, `@`, `!`, `$`, `'`, `(`, `)`, `*`, `+`, `,`, `=`, `&`).
fn plain_in_path(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:[]@!$'()*+,=&".contains(&b)
}

fn plain_in_query(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:[]@!$'()*+,=/?|;".contains(&b)
}

fn pct_encode(bytes: &[u8], plain: fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if plain(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn pct_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

impl TokenUri {
    /// Parses a `pkcs11:` URI. Refuses `pin-value` (a PIN written down is no PIN), attributes
    /// given twice, and standard attributes custody does not know; vendor `x-` attributes and
    /// the library and slot descriptions are accepted and ignored.
    pub fn parse(text: &str) -> Result<TokenUri, TokenError> {
        let bad = |reason: &str| TokenError::BadUri {
            uri: text.to_string(),
            reason: reason.to_string(),
        };
        let rest = text
            .get(..7)
            .filter(|s| s.eq_ignore_ascii_case("pkcs11:"))
            .map(|_| &text[7..])
            .ok_or_else(|| bad("it does not start with pkcs11:"))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut uri = TokenUri::default();
        let mut seen = std::collections::HashSet::new();
        let attrs = path
            .split(';')
            .map(|a| (a, true))
            .chain(query.split('&').map(|a| (a, false)))
            .filter(|(a, _)| !a.is_empty());
        for (attr, in_path) in attrs {
            let (name, value) = attr
                .split_once('=')
                .ok_or_else(|| bad(&format!("attribute {attr:?} has no '='")))?;
            if !seen.insert(name) {
                return Err(bad(&format!("attribute {name} is given twice")));
            }
            let raw = pct_decode(value)
                .ok_or_else(|| bad(&format!("attribute {name} has a bad %-escape")))?;
            let utf8 = || {
                String::from_utf8(raw.clone())
                    .map_err(|_| bad(&format!("attribute {name} is not UTF-8")))
            };
            match (name, in_path) {
                ("token", true) => uri.token = Some(utf8()?),
                ("manufacturer", true) => uri.manufacturer = Some(utf8()?),
                ("model", true) => uri.model = Some(utf8()?),
                ("serial", true) => uri.serial = Some(utf8()?),
                ("slot-id", true) => {
                    let id = utf8()?
                        .parse()
                        .map_err(|_| bad("slot-id is not a decimal number"))?;
                    uri.slot_id = Some(id);
                }
                ("object", true) => uri.object = Some(utf8()?),
                ("id", true) => uri.id = Some(raw),
                ("type", true) => {
                    if !matches!(utf8()?.as_str(), "private" | "public") {
                        return Err(bad("type must be private or public for a signing key"));
                    }
                }
                ("module-path", false) => uri.module_path = Some(PathBuf::from(utf8()?)),
                ("pin-value", false) => {
                    return Err(bad(
                        "pin-value would write the PIN down; give it with --pass-file or at the prompt",
                    ));
                }
                (
                    "library-manufacturer"
                    | "library-description"
                    | "library-version"
                    | "slot-description"
                    | "slot-manufacturer",
                    true,
                )
                | ("module-name" | "pin-source", false) => {}
                (n, _) if n.starts_with("x-") => {}
                (n, _) => return Err(bad(&format!("unknown attribute {n}"))),
            }
        }
        Ok(uri)
    }

    /// Whether the URI names one object (by label or `CKA_ID`) rather than only a token.
    pub fn names_object(&self) -> bool {
        self.object.is_some() || self.id.is_some()
    }

    /// The module's path: the URI's `module-path`, else `env` (the value of
    /// [`MODULE_ENV`]), else [`TokenError::NoModule`].
    pub fn module(&self, env: Option<&Path>) -> Result<PathBuf, TokenError> {
        self.module_path
            .clone()
            .or_else(|| {
                env.filter(|p| !p.as_os_str().is_empty())
                    .map(Path::to_path_buf)
            })
            .ok_or(TokenError::NoModule)
    }
}

impl fmt::Display for TokenUri {
    /// The canonical form: path attributes in a fixed order, then `module-path`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut path = Vec::new();
        let text = |name: &str, v: &Option<String>| {
            v.as_ref()
                .map(|v| format!("{name}={}", pct_encode(v.as_bytes(), plain_in_path)))
        };
        path.extend(text("token", &self.token));
        path.extend(text("manufacturer", &self.manufacturer));
        path.extend(text("model", &self.model));
        path.extend(text("serial", &self.serial));
        path.extend(self.slot_id.map(|s| format!("slot-id={s}")));
        path.extend(text("object", &self.object));
        // An id is bytes: every byte escaped, as RFC 7512's examples do.
        path.extend(self.id.as_ref().map(|id| {
            let hex: String = id.iter().map(|b| format!("%{b:02X}")).collect();
            format!("id={hex}")
        }));
        write!(f, "pkcs11:{}", path.join(";"))?;
        if let Some(m) = &self.module_path {
            let m = m.to_string_lossy();
            write!(
                f,
                "?module-path={}",
                pct_encode(m.as_bytes(), plain_in_query)
            )?;
        }
        Ok(())
    }
}

/// A token `.key` file: the keyholder's public half (the `.pub` line) and the URI of the key on
/// the token. Holds no secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenKeyFile {
    pub public: PublicKeyFile,
    pub uri: TokenUri,
}

impl TokenKeyFile {
    /// The file's text: the magic line, the `.pub` line, and `uri <URI>`.
    pub fn to_text(&self) -> String {
        format!(
            "{TOKEN_KEY_MAGIC}\n{}\nuri {}\n",
            self.public.to_line(),
            self.uri
        )
    }

    /// Writes `DIR/ID.key` (this file) and `DIR/ID.pub` as [`crate::keys::keyfile::write_key_pair`]
    /// does: neither if either exists, both fsynced.
    pub fn write(&self, dir: &Path) -> Result<(PathBuf, PathBuf), TokenError> {
        // The public half was checked when it was made or read (id, name, point).
        let public = PublicKeyFile::parse(&self.public.to_line())?;
        Ok(write_key_files(dir, self.to_text().as_bytes(), &public)?)
    }

    pub fn parse(text: &str) -> Result<TokenKeyFile, TokenError> {
        let malformed = |what: &str| {
            TokenError::KeyFile(KeyFileError::Malformed(format!(
                "malformed token key file: {what}"
            )))
        };
        let mut lines = text.lines();
        if lines.next() != Some(TOKEN_KEY_MAGIC) {
            return Err(malformed("it does not start with \"custody-token-v1\""));
        }
        let public = PublicKeyFile::parse(lines.next().unwrap_or_default())?;
        let uri = lines
            .next()
            .and_then(|l| l.strip_prefix("uri "))
            .ok_or_else(|| malformed("the third line is not \"uri pkcs11:...\""))?;
        let uri = TokenUri::parse(uri)?;
        if lines.next().is_some() {
            return Err(malformed("text after the uri line"));
        }
        if !uri.names_object() {
            return Err(malformed("the uri names no key (object= or id=)"));
        }
        Ok(TokenKeyFile { public, uri })
    }
}

/// A personal key as `--sign` reads it: a passphrase-protected file, or a key on a token.
#[derive(Debug)]
pub enum PersonalKey {
    File(SecretKeyFile),
    Token(TokenKeyFile),
}

impl PersonalKey {
    pub fn id(&self) -> &str {
        match self {
            PersonalKey::File(k) => k.id(),
            PersonalKey::Token(k) => &k.public.id,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            PersonalKey::File(k) => k.name(),
            PersonalKey::Token(k) => &k.public.name,
        }
    }

    pub fn public_key(&self) -> [u8; 32] {
        match self {
            PersonalKey::File(k) => k.public_key(),
            PersonalKey::Token(k) => k.public.key,
        }
    }
}

/// Reads a `.key` file of either kind.
pub fn read_personal_key(path: &Path) -> Result<PersonalKey, TokenError> {
    let bytes = read_capped(path)?;
    if !bytes.starts_with(TOKEN_KEY_MAGIC.as_bytes()) {
        return Ok(PersonalKey::File(
            crate::keys::keyfile::read_secret_key_file(path)?,
        ));
    }
    let in_file = |e: TokenError| match e {
        TokenError::KeyFile(KeyFileError::Malformed(m)) => {
            TokenError::KeyFile(KeyFileError::Malformed(format!("{}: {m}", path.display())))
        }
        other => other,
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        in_file(TokenError::KeyFile(KeyFileError::Malformed(
            "malformed token key file: it is not UTF-8 text".into(),
        )))
    })?;
    TokenKeyFile::parse(text)
        .map(PersonalKey::Token)
        .map_err(in_file)
}

/// A token found through its URI, with its module loaded and initialised.
pub struct Token {
    ctx: Pkcs11,
    slot: Slot,
    label: String,
}

impl Token {
    /// Loads the module and finds the one token the URI names. `env` is the value of
    /// [`MODULE_ENV`], read by the caller.
    pub fn open(uri: &TokenUri, env: Option<&Path>) -> Result<Token, TokenError> {
        let path = uri.module(env)?;
        let module_err = |reason: String| TokenError::Module {
            path: path.clone(),
            reason,
        };
        let ctx = Pkcs11::new(&path).map_err(|e| module_err(e.to_string()))?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(module_err(e.to_string())),
        }
        let slots = ctx
            .get_slots_with_token()
            .map_err(|e| module_err(e.to_string()))?;
        let mut found = Vec::new();
        for slot in slots {
            if uri.slot_id.is_some_and(|id| id != slot.id()) {
                continue;
            }
            let Ok(info) = ctx.get_token_info(slot) else {
                continue;
            };
            let matches = |want: &Option<String>, have: &str| {
                want.as_deref().is_none_or(|w| w == have.trim_end())
            };
            if matches(&uri.token, info.label())
                && matches(&uri.manufacturer, info.manufacturer_id())
                && matches(&uri.model, info.model())
                && matches(&uri.serial, info.serial_number())
            {
                found.push((slot, info.label().trim_end().to_string()));
            }
        }
        let shown = TokenUri {
            module_path: None,
            ..uri.clone()
        }
        .to_string();
        match found.len() {
            0 => Err(TokenError::Missing { uri: shown }),
            1 => {
                let (slot, label) = found.remove(0);
                Ok(Token { ctx, slot, label })
            }
            count => Err(TokenError::Ambiguous { uri: shown, count }),
        }
    }

    /// The token's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The token's serial number, to pin a key's URI to this very token.
    fn serial(&self) -> Result<String, TokenError> {
        let info = self
            .ctx
            .get_token_info(self.slot)
            .map_err(|e| self.device(e))?;
        Ok(info.serial_number().trim_end().to_string())
    }

    fn device(&self, e: CkError) -> TokenError {
        TokenError::Device {
            token: self.label.clone(),
            reason: e.to_string(),
        }
    }

    /// What the token's flags say about the PIN counter, right after a wrong PIN.
    fn tries(&self) -> PinTries {
        match self.ctx.get_token_info(self.slot) {
            Ok(i) if i.user_pin_final_try() => PinTries::Final,
            Ok(i) if i.user_pin_count_low() => PinTries::Low,
            _ => PinTries::Unknown,
        }
    }

    /// Opens a read-write session and logs the user in with `pin`.
    pub fn login(&self, pin: &[u8]) -> Result<Session, TokenError> {
        if pin.is_empty() {
            return Err(TokenError::EmptyPin);
        }
        let session = self
            .ctx
            .open_rw_session(self.slot)
            .map_err(|e| self.device(e))?;
        let raw = RawAuthPin::new(Box::new(pin.to_vec()));
        match session.login_with_raw(UserType::User, &raw) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
            Err(CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _)) => {
                Err(TokenError::WrongPin {
                    token: self.label.clone(),
                    tries: self.tries(),
                })
            }
            Err(CkError::Pkcs11(RvError::PinLocked, _)) => Err(TokenError::Locked {
                token: self.label.clone(),
            }),
            Err(e) => Err(self.device(e)),
        }
    }

    /// Ed25519 key objects of `class` on the token with this label and/or id.
    fn find(
        &self,
        session: &Session,
        class: ObjectClass,
        label: Option<&str>,
        id: Option<&[u8]>,
    ) -> Result<Vec<ObjectHandle>, TokenError> {
        let mut template = vec![
            Attribute::Class(class),
            Attribute::KeyType(KeyType::EC_EDWARDS),
        ];
        template.extend(label.map(|l| Attribute::Label(l.as_bytes().to_vec())));
        template.extend(id.map(|i| Attribute::Id(i.to_vec())));
        session.find_objects(&template).map_err(|e| self.device(e))
    }

    fn object_id(&self, session: &Session, key: ObjectHandle) -> Result<Vec<u8>, TokenError> {
        let attrs = session
            .get_attributes(key, &[AttributeType::Id])
            .map_err(|e| self.device(e))?;
        Ok(attrs
            .into_iter()
            .find_map(|a| match a {
                Attribute::Id(id) => Some(id),
                _ => None,
            })
            .unwrap_or_default())
    }

    fn public_point(&self, session: &Session, key: ObjectHandle) -> Result<[u8; 32], TokenError> {
        let attrs = session
            .get_attributes(key, &[AttributeType::EcPoint])
            .map_err(|e| self.device(e))?;
        let point = attrs
            .into_iter()
            .find_map(|a| match a {
                Attribute::EcPoint(p) => Some(p),
                _ => None,
            })
            .unwrap_or_default();
        // PKCS#11 3.0 says a DER OCTET STRING; some modules give the 32 bytes bare.
        let raw = match point.as_slice() {
            [0x04, 0x20, rest @ ..] if rest.len() == 32 => rest,
            bare if bare.len() == 32 => bare,
            _ => {
                return Err(TokenError::NoEd25519 {
                    token: self.label.clone(),
                    reason: format!(
                        "its public key is {} bytes, not an Ed25519 key",
                        point.len()
                    ),
                });
            }
        };
        Ok(raw.try_into().expect("32 bytes"))
    }

    /// `custody keygen --token`: a new key pair on the token, labelled `id`, the private half
    /// sensitive and not extractable; or, when the URI names one with `id=`, the key pair
    /// already there. Refuses a token that already holds a key labelled `id` unless the URI
    /// says which one to use. Returns the `.key` file to write.
    pub fn generate(
        &self,
        session: &Session,
        uri: &TokenUri,
        id: &str,
        name: &str,
    ) -> Result<TokenKeyFile, TokenError> {
        let (cka_id, public_key) = match &uri.id {
            Some(cka_id) => {
                let publics = self.find(session, ObjectClass::PUBLIC_KEY, None, Some(cka_id))?;
                let privates = self.find(session, ObjectClass::PRIVATE_KEY, None, Some(cka_id))?;
                let (Some(&public), false) = (publics.first(), privates.is_empty()) else {
                    return Err(TokenError::KeyMissing {
                        token: self.label.clone(),
                        what: format!("with {}", id_text(cka_id)),
                    });
                };
                (cka_id.clone(), self.public_point(session, public)?)
            }
            None => {
                let existing = self.find(session, ObjectClass::PRIVATE_KEY, Some(id), None)?;
                if !existing.is_empty() {
                    let ids: Vec<String> = existing
                        .iter()
                        .map(|k| self.object_id(session, *k).map(|i| id_text(&i)))
                        .collect::<Result<_, _>>()?;
                    return Err(TokenError::KeyExists {
                        token: self.label.clone(),
                        id: id.to_string(),
                        ids: ids.join(", "),
                    });
                }
                let mut cka_id = vec![0u8; 8];
                rand::fill(&mut cka_id[..]);
                let label = Attribute::Label(id.as_bytes().to_vec());
                let public_template = [
                    Attribute::Token(true),
                    Attribute::Private(false),
                    Attribute::EcParams(ED25519_PARAMS.to_vec()),
                    Attribute::Verify(true),
                    label.clone(),
                    Attribute::Id(cka_id.clone()),
                ];
                let private_template = [
                    Attribute::Token(true),
                    Attribute::Private(true),
                    Attribute::Sensitive(true),
                    Attribute::Extractable(false),
                    Attribute::Sign(true),
                    label,
                    Attribute::Id(cka_id.clone()),
                ];
                let (public, _) = session
                    .generate_key_pair(
                        &Mechanism::EccEdwardsKeyPairGen,
                        &public_template,
                        &private_template,
                    )
                    .map_err(|e| match e {
                        CkError::Pkcs11(
                            RvError::MechanismInvalid
                            | RvError::CurveNotSupported
                            | RvError::DomainParamsInvalid
                            | RvError::TemplateInconsistent,
                            _,
                        ) => TokenError::NoEd25519 {
                            token: self.label.clone(),
                            reason: e.to_string(),
                        },
                        e => self.device(e),
                    })?;
                (cka_id, self.public_point(session, public)?)
            }
        };
        let public = PublicKeyFile {
            id: id.to_string(),
            name: name.to_string(),
            key: public_key,
        };
        // The same checks as a .pub file read back: id, name, a usable point.
        let public = PublicKeyFile::parse(&public.to_line())?;
        let uri = TokenUri {
            token: Some(self.label.clone()),
            serial: Some(self.serial()?).filter(|s| !s.is_empty()),
            object: Some(id.to_string()),
            id: Some(cka_id),
            module_path: uri.module_path.clone(),
            ..TokenUri::default()
        };
        Ok(TokenKeyFile { public, uri })
    }

    /// Signs a body with the key the `.key` file names, logged in with `session`: the same
    /// Ed25519 signature over the same message (`signed_message`) as a key file gives.
    pub fn sign_body(
        &self,
        session: &Session,
        key: &TokenKeyFile,
        body: &[u8],
    ) -> Result<[u8; 64], TokenError> {
        self.sign(session, key, &signed_message(body))
    }

    /// Signs `message` as it is (pure Ed25519) with the key the `.key` file names. The signature
    /// is checked against the file's public key, so a replaced key is an error, not a bad entry.
    pub fn sign(
        &self,
        session: &Session,
        key: &TokenKeyFile,
        message: &[u8],
    ) -> Result<[u8; 64], TokenError> {
        let keys = self.find(
            session,
            ObjectClass::PRIVATE_KEY,
            key.uri.object.as_deref(),
            key.uri.id.as_deref(),
        )?;
        let handle = match keys.as_slice() {
            [one] => *one,
            [] => {
                return Err(TokenError::KeyMissing {
                    token: self.label.clone(),
                    what: key_text(&key.uri),
                });
            }
            _ => {
                return Err(TokenError::BadUri {
                    uri: key.uri.to_string(),
                    reason: format!("it names {} keys on token {}", keys.len(), self.label),
                });
            }
        };
        let mechanism = Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure));
        let signature = session
            .sign(&mechanism, handle, message)
            .map_err(|e| match e {
                CkError::Pkcs11(RvError::MechanismInvalid, _) => TokenError::NoEd25519 {
                    token: self.label.clone(),
                    reason: e.to_string(),
                },
                e => self.device(e),
            })?;
        let signature: [u8; 64] =
            signature
                .try_into()
                .map_err(|s: Vec<u8>| TokenError::NoEd25519 {
                    token: self.label.clone(),
                    reason: format!("it made a {}-byte signature", s.len()),
                })?;
        if !verify_message(&key.public.key, message, &signature) {
            return Err(TokenError::KeyMismatch {
                token: self.label.clone(),
                id: key.public.id.clone(),
            });
        }
        Ok(signature)
    }
}

fn id_text(id: &[u8]) -> String {
    id.iter().map(|b| format!("%{b:02X}")).collect()
}

fn key_text(uri: &TokenUri) -> String {
    let mut parts = Vec::new();
    parts.extend(uri.object.as_ref().map(|o| format!("labelled {o}")));
    parts.extend(uri.id.as_ref().map(|i| format!("with id={}", id_text(i))));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_uri_parses_and_prints_back() {
        let uri = TokenUri::parse(
            "pkcs11:token=%E5%BC%A0;serial=0123;object=zhang;id=%01%ff;type=private\
             ?module-path=/usr/lib/softhsm/libsofthsm2.so",
        )
        .unwrap();
        assert_eq!(uri.token.as_deref(), Some("张"));
        assert_eq!(uri.id.as_deref(), Some(&[1u8, 0xff][..]));
        assert_eq!(
            uri.module_path.as_deref(),
            Some(Path::new("/usr/lib/softhsm/libsofthsm2.so"))
        );
        let text = uri.to_string();
        assert_eq!(
            text,
            "pkcs11:token=%E5%BC%A0;serial=0123;object=zhang;id=%01%FF\
             ?module-path=/usr/lib/softhsm/libsofthsm2.so"
        );
        assert_eq!(TokenUri::parse(&text).unwrap(), uri);
        assert_eq!(
            TokenUri::parse("PKCS11:token=a%3Bb").unwrap().to_string(),
            "pkcs11:token=a%3Bb"
        );
    }

    #[test]
    fn a_bad_token_uri_is_refused_with_the_reason() {
        for (uri, reason) in [
            ("token=zhang", "pkcs11:"),
            ("pkcs11:token=a;token=b", "twice"),
            ("pkcs11:token=%zz", "%-escape"),
            ("pkcs11:colour=red", "unknown attribute colour"),
            ("pkcs11:token=a?pin-value=1234", "write the PIN down"),
            ("pkcs11:slot-id=x", "decimal"),
            ("pkcs11:token", "no '='"),
        ] {
            let e = TokenUri::parse(uri).unwrap_err().to_string();
            assert!(e.contains(reason), "{uri}: {e}");
        }
        // Vendor attributes and descriptions are allowed and ignored.
        assert!(TokenUri::parse("pkcs11:x-vendor=1;slot-description=a?module-name=b").is_ok());
    }

    #[test]
    fn the_module_comes_from_the_uri_then_the_environment() {
        let env = Path::new("/env/module.so");
        let with = TokenUri::parse("pkcs11:token=a?module-path=/uri/module.so").unwrap();
        assert_eq!(
            with.module(Some(env)).unwrap(),
            PathBuf::from("/uri/module.so")
        );
        let without = TokenUri::parse("pkcs11:token=a").unwrap();
        assert_eq!(without.module(Some(env)).unwrap(), env);
        let e = without.module(None).unwrap_err().to_string();
        assert!(e.contains("module-path") && e.contains(MODULE_ENV), "{e}");
        assert!(without.module(Some(Path::new(""))).is_err());
    }

    #[test]
    fn a_token_key_file_round_trips_and_holds_only_public_data() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let file = TokenKeyFile {
            public: PublicKeyFile {
                id: "zhang".into(),
                name: "张建国".into(),
                key: key.verifying_key().to_bytes(),
            },
            uri: TokenUri::parse("pkcs11:token=zhang;object=zhang;id=%01").unwrap(),
        };
        let text = file.to_text();
        assert!(text.starts_with("custody-token-v1\ncustody-pub-v1 zhang "));
        assert_eq!(TokenKeyFile::parse(&text).unwrap(), file);
        let no_object = text.replace(";object=zhang;id=%01", "");
        assert!(TokenKeyFile::parse(&no_object).is_err());
        assert!(TokenKeyFile::parse(&format!("{text}more\n")).is_err());
    }
}
