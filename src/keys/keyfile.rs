//! Personal, passphrase-protected Ed25519 key files (`ID.key`) and their
//! public halves (`ID.pub`).
//!
//! # `.key` file (binary, all integers little-endian)
//!
//! ```text
//! offset  size      field
//! 0       8         magic    "CUSTKEY\0" (43 55 53 54 4B 45 59 00)
//! 8       1         version  0x01
//! 9       4         m_cost   u32, Argon2 memory in KiB
//! 13      4         t_cost   u32, Argon2 passes
//! 17      4         p_cost   u32, Argon2 lanes
//! 21      16        salt     random
//! 37      24        nonce    random, XChaCha20-Poly1305 nonce
//! 61      1         id_len   1..=32
//! 62      id_len    id       ASCII, [a-z0-9._-]{1,32}
//! ..      2         name_len u16, 1..=256
//! ..      name_len  name     UTF-8, no control characters, no U+2028/U+2029,
//!                            no leading or trailing whitespace
//! ..      32        public   Ed25519 public key
//! ..      48        ct       XChaCha20-Poly1305(key, nonce, seed[32], aad)
//!                            = 32 bytes ciphertext || 16 bytes tag
//! ```
//!
//! `aad` is every byte before `ct` (magic through public), so tampering with
//! any header byte makes decryption fail. No trailing bytes are allowed; the
//! file is 62 + id_len + 2 + name_len + 32 + 48 bytes (at most 432).
//!
//! `key` = Argon2id, version 0x13, with (m_cost, t_cost, p_cost), no secret,
//! no associated data, 32-byte output, over the passphrase with the salt.
//!
//! A reader refuses, before deriving anything: a file over [`MAX_KEY_FILE`]
//! bytes; parameters above [`KdfParams::MAX`] (m_cost <= 262144 KiB,
//! t_cost <= 16, p_cost <= 4); parameters below Argon2's minimums
//! (t_cost >= 1, p_cost >= 1, m_cost >= 8 * p_cost); a public key that is not
//! a valid, non-small-order Ed25519 point. After decrypting, the seed's public
//! key must equal `public`.
//!
//! # `.pub` file (one UTF-8 line)
//!
//! ```text
//! custody-pub-v1 <id> <key> <name>
//! ```
//!
//! Fields are separated by single spaces (0x20). `<id>` as above. `<key>` is
//! the 32-byte Ed25519 public key in standard, padded base64 (44 characters,
//! canonical: it must re-encode to the same text). `<name>` is the rest of the
//! line: non-empty, at most 256 bytes, may contain spaces, no control
//! characters, no leading or trailing whitespace. The line may end with one
//! `\n` or `\r\n`; nothing else may follow. Files are at most 4096 bytes.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::files::staged::{self, Access};

use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{KeyInit, Tag, XChaCha20Poly1305, XNonce};
use ed25519_dalek::{SigningKey, VerifyingKey};
use zeroize::{Zeroize, Zeroizing};

use crate::model::roster::{
    MAX_NAME_LEN, display_name_problem as name_problem, valid_keyholder_id,
};

/// Size cap when reading a `.key` or `.pub` file.
pub const MAX_KEY_FILE: usize = 4096;

const KEY_MAGIC: &[u8; 8] = b"CUSTKEY\0";
const KEY_VERSION: u8 = 0x01;
const PUB_MAGIC: &str = "custody-pub-v1";
pub(crate) const SALT_LEN: usize = 16;
pub(crate) const NONCE_LEN: usize = 24;
const SEED_LEN: usize = 32;
pub(crate) const TAG_LEN: usize = 16;
const CT_LEN: usize = SEED_LEN + TAG_LEN;
/// Argon2 needs at least 8 KiB of memory per lane.
const MIN_M_COST_PER_LANE: u32 = 8;

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory, in KiB.
    pub m_cost_kib: u32,
    /// Number of passes.
    pub t_cost: u32,
    /// Number of lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// The profile for real keys: 64 MiB, 3 passes, 1 lane.
    pub const DEFAULT: KdfParams = KdfParams {
        m_cost_kib: 65536,
        t_cost: 3,
        p_cost: 1,
    };

    /// Test/demo profile: the smallest parameters Argon2 accepts (8 KiB, 1
    /// pass, 1 lane). Offers almost no protection against guessing; never
    /// use it for a real key.
    pub const LOW_COST: KdfParams = KdfParams {
        m_cost_kib: 8,
        t_cost: 1,
        p_cost: 1,
    };

    /// Caps applied when reading a file, so a hostile file cannot make us
    /// allocate or compute without bound: 256 MiB, 16 passes, 4 lanes.
    pub const MAX: KdfParams = KdfParams {
        m_cost_kib: 262_144,
        t_cost: 16,
        p_cost: 4,
    };

    /// True when below the OWASP minimum for Argon2id (19 MiB, 2 passes).
    pub fn is_low_cost(&self) -> bool {
        self.m_cost_kib < 19_456 || self.t_cost < 2
    }

    pub(crate) fn check(&self, id: &str) -> Result<(), KeyFileError> {
        let below_min = self.t_cost < 1
            || self.p_cost < 1
            || u64::from(self.m_cost_kib) < u64::from(MIN_M_COST_PER_LANE) * u64::from(self.p_cost);
        let above_cap = self.m_cost_kib > Self::MAX.m_cost_kib
            || self.t_cost > Self::MAX.t_cost
            || self.p_cost > Self::MAX.p_cost;
        if above_cap {
            Err(KeyFileError::KdfTooCostly {
                id: id.to_owned(),
                m_cost_kib: self.m_cost_kib,
                t_cost: self.t_cost,
                p_cost: self.p_cost,
            })
        } else if below_min {
            Err(KeyFileError::BadKdfParams {
                m_cost_kib: self.m_cost_kib,
                t_cost: self.t_cost,
                p_cost: self.p_cost,
            })
        } else {
            Ok(())
        }
    }
}

/// Errors from reading, writing, creating or unlocking key files.
///
/// No variant ever carries the passphrase.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// The AEAD tag did not verify: wrong passphrase (or a damaged file).
    #[error("wrong passphrase for key {id}")]
    WrongPassphrase {
        /// Keyholder id from the file header.
        id: String,
    },
    /// An empty passphrase was given.
    #[error("the passphrase is empty; use a non-empty passphrase")]
    EmptyPassphrase,
    /// A new key's passphrase that zxcvbn scores below [`MIN_PASSPHRASE_SCORE`].
    #[error(
        "the passphrase for {id} is too weak (strength {score} of 4, at least {MIN_PASSPHRASE_SCORE} needed)"
    )]
    WeakPassphrase {
        /// Keyholder id of the key being made.
        id: String,
        /// zxcvbn's score, 0 to 4.
        score: u8,
    },
    /// The file to be written already exists.
    #[error("{} already exists; refusing to overwrite it", .0.display())]
    Exists(PathBuf),
    /// A keyholder id outside `[a-z0-9._-]{1,32}`.
    #[error("keyholder id {0:?} is invalid: use 1 to 32 of a-z 0-9 . _ -")]
    BadId(String),
    /// A display name that cannot be stored.
    #[error(
        "keyholder name {name:?} is invalid ({reason}): use 1 to 256 bytes of text \
         without control characters or leading/trailing spaces"
    )]
    BadName {
        /// The refused name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Argon2 parameters above [`KdfParams::MAX`].
    #[error(
        "key file for {id} asks for Argon2 parameters above the cap \
         (m={m_cost_kib} KiB, t={t_cost}, p={p_cost}; the cap is m<=262144 KiB, t<=16, p<=4); \
         the file is corrupt or not from custody"
    )]
    KdfTooCostly {
        /// Keyholder id.
        id: String,
        /// Requested memory, KiB.
        m_cost_kib: u32,
        /// Requested passes.
        t_cost: u32,
        /// Requested lanes.
        p_cost: u32,
    },
    /// Argon2 parameters below what Argon2 accepts.
    #[error(
        "Argon2 parameters m={m_cost_kib} KiB, t={t_cost}, p={p_cost} are invalid: \
         need t>=1, p>=1 and m>=8*p KiB"
    )]
    BadKdfParams {
        /// Requested memory, KiB.
        m_cost_kib: u32,
        /// Requested passes.
        t_cost: u32,
        /// Requested lanes.
        p_cost: u32,
    },
    /// The bytes are not a well-formed key file; the message says where.
    #[error("{0}")]
    Malformed(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The file is over the size cap and was not read in full.
    #[error("{} is larger than {limit} bytes, so it is not a custody key file", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The cap, in bytes.
        limit: usize,
    },
    /// A `.pub` file was given where a `.key` file is needed.
    #[error("{}: this is a public key file; --sign needs the .key file", .0.display())]
    NotASecretKey(PathBuf),
    /// A `.key` file was given where a `.pub` file is needed.
    #[error("{}: this is a private key file; give the .pub file", .0.display())]
    NotAPublicKey(PathBuf),
    /// A `.key` file that group or others may read or write (unix).
    #[error(
        "{}: mode {mode:04o} lets others read or change this private key file; it must be private to its owner",
        path.display()
    )]
    NotPrivate {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The public key is not a valid point or has small order.
    #[error(
        "public key of {id} is not a usable Ed25519 key (invalid or small-order point); \
         the file is corrupt or hostile"
    )]
    WeakKey {
        /// Keyholder id.
        id: String,
    },
    /// The decrypted seed does not belong to the header's public key.
    #[error(
        "key file for {id} is inconsistent: the decrypted key does not match its public key; \
         the file is corrupt or hostile"
    )]
    KeyMismatch {
        /// Keyholder id.
        id: String,
    },
    /// Key derivation or encryption failed (e.g. out of memory).
    #[error("key derivation or encryption failed: {0}")]
    Crypto(String),
}

pub(crate) fn malformed(what: &str) -> KeyFileError {
    KeyFileError::Malformed(format!("malformed key file: {what}"))
}

fn malformed_pub(what: &str) -> KeyFileError {
    KeyFileError::Malformed(format!("malformed public key file: {what}"))
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Name the file in parse errors that would otherwise not say which file.
fn in_file(path: &Path, err: KeyFileError) -> KeyFileError {
    match err {
        KeyFileError::Malformed(m) => KeyFileError::Malformed(format!("{}: {m}", path.display())),
        other => other,
    }
}

/// Checks that a public key is a valid point of large order.
fn check_public(id: &str, key: &[u8; 32]) -> Result<(), KeyFileError> {
    match VerifyingKey::from_bytes(key) {
        Ok(vk) if !vk.is_weak() => Ok(()),
        _ => Err(KeyFileError::WeakKey { id: id.to_owned() }),
    }
}

/// The public half of a keyholder's key, as stored in `ID.pub`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyFile {
    /// Keyholder id, `[a-z0-9._-]{1,32}`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Ed25519 public key.
    pub key: [u8; 32],
}

impl PublicKeyFile {
    /// The `.pub` line, without a trailing newline.
    pub fn to_line(&self) -> String {
        format!(
            "{PUB_MAGIC} {} {} {}",
            self.id,
            B64.encode(self.key),
            self.name
        )
    }

    /// Parses a `.pub` line; one trailing `\n` or `\r\n` is accepted.
    pub fn parse(text: &str) -> Result<Self, KeyFileError> {
        let line = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(text);
        let mut fields = line.splitn(4, ' ');
        let (Some(magic), Some(id), Some(key_text), Some(name)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(malformed_pub(
                "expected \"custody-pub-v1 <id> <base64 key> <name>\"",
            ));
        };
        if magic != PUB_MAGIC {
            return Err(malformed_pub("it does not start with \"custody-pub-v1 \""));
        }
        if !valid_keyholder_id(id) {
            return Err(KeyFileError::BadId(id.to_owned()));
        }
        // Padded base64 of 32 bytes is exactly 44 characters; checking first
        // bounds the decode work.
        let decoded = if key_text.len() == 44 {
            B64.decode(key_text).ok()
        } else {
            None
        };
        let key: [u8; 32] = decoded
            .and_then(|v| v.try_into().ok())
            .filter(|k: &[u8; 32]| B64.encode(k) == key_text)
            .ok_or_else(|| {
                malformed_pub(&format!(
                    "the key of {id} is not 32 bytes of canonical padded base64"
                ))
            })?;
        if let Some(reason) = name_problem(name) {
            return Err(malformed_pub(&format!(
                "the name of {id} is invalid: {reason}"
            )));
        }
        check_public(id, &key)?;
        Ok(PublicKeyFile {
            id: id.to_owned(),
            name: name.to_owned(),
            key,
        })
    }
}

/// A parsed, still-encrypted `.key` file.
#[derive(Clone)]
pub struct SecretKeyFile {
    id: String,
    name: String,
    public: [u8; 32],
    params: KdfParams,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    /// Every byte before the ciphertext; the AEAD's associated data.
    header: Vec<u8>,
    ct: [u8; CT_LEN],
}

impl fmt::Debug for SecretKeyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKeyFile")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("public", &B64.encode(self.public))
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// Bounds-checked reader over the file bytes.
pub(crate) struct Cursor<'a> {
    pub(crate) rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    /// The header key files and sealed blobs share: magic, version, Argon2 parameters (checked
    /// by the caller before any derivation), salt and nonce.
    pub(crate) fn kdf_header(
        &mut self,
        magic: &[u8; 8],
        version: u8,
        bad_magic: &str,
        bad: &dyn Fn(&str) -> KeyFileError,
    ) -> Result<(KdfParams, [u8; SALT_LEN], [u8; NONCE_LEN]), KeyFileError> {
        if self.take(magic.len(), "magic").ok() != Some(&magic[..]) {
            return Err(bad(bad_magic));
        }
        let found = self.take(1, "version")?[0];
        if found != version {
            return Err(bad(&format!(
                "unsupported version {found} (this program reads version {version})"
            )));
        }
        let params = KdfParams {
            m_cost_kib: self.u32("Argon2 parameters")?,
            t_cost: self.u32("Argon2 parameters")?,
            p_cost: self.u32("Argon2 parameters")?,
        };
        Ok((params, self.array("salt")?, self.array("nonce")?))
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], KeyFileError> {
        if self.rest.len() < n {
            return Err(malformed(&format!("truncated in the {what}")));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], KeyFileError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, KeyFileError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
}

/// Argon2id over the passphrase; the memory it used is wiped afterwards.
pub(crate) fn derive_key(
    passphrase: &[u8],
    salt: &[u8; SALT_LEN],
    params: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, KeyFileError> {
    let crypto = |e: argon2::Error| KeyFileError::Crypto(e.to_string());
    let p = Params::new(
        params.m_cost_kib,
        params.t_cost,
        params.p_cost,
        Some(SEED_LEN),
    )
    .map_err(crypto)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, p);
    // Our own buffer because argon2 is built without its `zeroize` feature,
    // and try_reserve turns an allocation failure into an error, not an abort.
    let n = argon.params().block_count();
    let mut blocks: Vec<Block> = Vec::new();
    blocks
        .try_reserve_exact(n)
        .map_err(|e| KeyFileError::Crypto(format!("cannot allocate Argon2 memory: {e}")))?;
    blocks.resize(n, Block::new());
    let mut key = Zeroizing::new([0u8; 32]);
    let result = argon.hash_password_into_with_memory(passphrase, salt, &mut key[..], &mut blocks);
    for b in &mut blocks {
        b.as_mut().zeroize();
    }
    result.map_err(crypto)?;
    Ok(key)
}

pub(crate) fn cipher(key: &[u8; 32]) -> Result<XChaCha20Poly1305, KeyFileError> {
    XChaCha20Poly1305::new_from_slice(key).map_err(|e| KeyFileError::Crypto(e.to_string()))
}

/// The cleartext fields of a `.key` file.
struct Header<'a> {
    id: &'a str,
    name: &'a str,
    /// Taken as given, not derived from the seed, so tests can forge a
    /// mismatching header.
    public: [u8; 32],
    params: KdfParams,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
}

/// Serializes the header and appends the encrypted seed.
fn build_key_file(
    h: &Header<'_>,
    seed: &[u8; 32],
    passphrase: &[u8],
) -> Result<Vec<u8>, KeyFileError> {
    let id_len = u8::try_from(h.id.len()).map_err(|_| KeyFileError::BadId(h.id.to_owned()))?;
    let name_len = u16::try_from(h.name.len()).map_err(|_| KeyFileError::BadName {
        name: h.name.to_owned(),
        reason: "it is longer than 256 bytes",
    })?;
    let mut out = Vec::with_capacity(62 + h.id.len() + 2 + h.name.len() + 32 + CT_LEN);
    out.extend_from_slice(KEY_MAGIC);
    out.push(KEY_VERSION);
    out.extend_from_slice(&h.params.m_cost_kib.to_le_bytes());
    out.extend_from_slice(&h.params.t_cost.to_le_bytes());
    out.extend_from_slice(&h.params.p_cost.to_le_bytes());
    out.extend_from_slice(&h.salt);
    out.extend_from_slice(&h.nonce);
    out.push(id_len);
    out.extend_from_slice(h.id.as_bytes());
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(h.name.as_bytes());
    out.extend_from_slice(&h.public);

    let key = derive_key(passphrase, &h.salt, h.params)?;
    let mut buf = Zeroizing::new(*seed);
    let tag = cipher(&key)?
        .encrypt_inout_detached(&XNonce::from(h.nonce), &out, buf.as_mut_slice().into())
        .map_err(|e| KeyFileError::Crypto(e.to_string()))?;
    out.extend_from_slice(&buf[..]);
    out.extend_from_slice(&tag);
    Ok(out)
}

impl SecretKeyFile {
    /// Generates a fresh key; returns the encrypted file bytes and the public half.
    pub fn generate(
        id: &str,
        name: &str,
        passphrase: &[u8],
        params: KdfParams,
    ) -> Result<(Vec<u8>, PublicKeyFile), KeyFileError> {
        let mut seed = Zeroizing::new([0u8; SEED_LEN]);
        rand::fill(&mut seed[..]);
        Self::encrypt(&seed, id, name, passphrase, params)
    }

    /// Same as [`SecretKeyFile::generate`], from a given 32-byte seed (used by
    /// tests and the deterministic demo). Salt and nonce are still random.
    pub fn encrypt(
        seed: &[u8; 32],
        id: &str,
        name: &str,
        passphrase: &[u8],
        params: KdfParams,
    ) -> Result<(Vec<u8>, PublicKeyFile), KeyFileError> {
        if !valid_keyholder_id(id) {
            return Err(KeyFileError::BadId(id.to_owned()));
        }
        if let Some(reason) = name_problem(name) {
            return Err(KeyFileError::BadName {
                name: name.to_owned(),
                reason,
            });
        }
        if passphrase.is_empty() {
            return Err(KeyFileError::EmptyPassphrase);
        }
        // A low-cost key has no protection to speak of whatever its passphrase, and is flagged
        // at every use: its short test passphrases are kept.
        if !params.is_low_cost() {
            strong_enough(passphrase, id, name)?;
        }
        // Refuse now what a reader would refuse later.
        params.check(id)?;
        let public = SigningKey::from_bytes(seed).verifying_key().to_bytes();
        let mut header = Header {
            id,
            name,
            public,
            params,
            salt: [0; SALT_LEN],
            nonce: [0; NONCE_LEN],
        };
        rand::fill(&mut header.salt[..]);
        rand::fill(&mut header.nonce[..]);
        let bytes = build_key_file(&header, seed, passphrase)?;
        Ok((
            bytes,
            PublicKeyFile {
                id: id.to_owned(),
                name: name.to_owned(),
                key: public,
            },
        ))
    }

    /// Parses the header without the passphrase. Argon2 parameters are
    /// checked against [`KdfParams::MAX`] and Argon2's minimums here, so a
    /// hostile file is refused before any derivation.
    pub fn parse(bytes: &[u8]) -> Result<SecretKeyFile, KeyFileError> {
        let mut c = Cursor { rest: bytes };
        let (params, salt, nonce) = c.kdf_header(
            KEY_MAGIC,
            KEY_VERSION,
            "not a custody key file (bad magic)",
            &malformed,
        )?;
        let id_len = usize::from(c.take(1, "id length")?[0]);
        let id = std::str::from_utf8(c.take(id_len, "id")?)
            .ok()
            .filter(|id| valid_keyholder_id(id))
            .ok_or_else(|| malformed("the keyholder id is invalid"))?
            .to_owned();
        let name_len = usize::from(u16::from_le_bytes(c.array("name length")?));
        if name_len > MAX_NAME_LEN {
            return Err(malformed(&format!("the name of {id} is over 256 bytes")));
        }
        let name = std::str::from_utf8(c.take(name_len, "name")?)
            .map_err(|_| malformed(&format!("the name of {id} is not UTF-8")))?
            .to_owned();
        if let Some(reason) = name_problem(&name) {
            return Err(malformed(&format!("the name of {id} is invalid: {reason}")));
        }
        let public = c.array::<32>("public key")?;
        let header_len = bytes.len() - c.rest.len();
        let ct = c.array::<CT_LEN>("encrypted key")?;
        if !c.rest.is_empty() {
            return Err(malformed(&format!(
                "{} unexpected bytes after the end of the key of {id}",
                c.rest.len()
            )));
        }
        params.check(&id)?;
        check_public(&id, &public)?;
        Ok(SecretKeyFile {
            id,
            name,
            public,
            params,
            salt,
            nonce,
            header: bytes[..header_len].to_vec(),
            ct,
        })
    }

    /// Keyholder id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Ed25519 public key from the header.
    pub fn public_key(&self) -> [u8; 32] {
        self.public
    }

    /// Argon2id parameters from the header.
    pub fn params(&self) -> KdfParams {
        self.params
    }

    /// The public half, as it would be written to the `.pub` file.
    fn public_file(&self) -> PublicKeyFile {
        PublicKeyFile {
            id: self.id.clone(),
            name: self.name.clone(),
            key: self.public,
        }
    }

    /// Derives the key and decrypts; checks that the seed's public key equals
    /// the header's. An empty passphrase is refused without deriving, since
    /// no file is ever written with one.
    pub fn unlock(&self, passphrase: &[u8]) -> Result<SigningKey, KeyFileError> {
        if passphrase.is_empty() {
            return Err(KeyFileError::EmptyPassphrase);
        }
        let key = derive_key(passphrase, &self.salt, self.params)?;
        let mut seed = Zeroizing::new([0u8; SEED_LEN]);
        seed.copy_from_slice(&self.ct[..SEED_LEN]);
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&self.ct[SEED_LEN..]);
        cipher(&key)?
            .decrypt_inout_detached(
                &XNonce::from(self.nonce),
                &self.header,
                seed.as_mut_slice().into(),
                &Tag::from(tag),
            )
            .map_err(|_| KeyFileError::WrongPassphrase {
                id: self.id.clone(),
            })?;
        let signing = SigningKey::from_bytes(&seed);
        if signing.verifying_key().to_bytes() != self.public {
            return Err(KeyFileError::KeyMismatch {
                id: self.id.clone(),
            });
        }
        Ok(signing)
    }
}

/// Reads at most `MAX_KEY_FILE` bytes; a larger file is refused without
/// reading the rest.
pub(crate) fn read_capped(path: &Path) -> Result<Vec<u8>, KeyFileError> {
    let file = File::open(path).map_err(io_err(path))?;
    let mut buf = Vec::new();
    file.take(MAX_KEY_FILE as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(io_err(path))?;
    if buf.len() > MAX_KEY_FILE {
        return Err(KeyFileError::TooLarge {
            path: path.to_owned(),
            limit: MAX_KEY_FILE,
        });
    }
    Ok(buf)
}

/// Reads a `.key` file (at most [`MAX_KEY_FILE`] bytes) and parses it; on unix, refuses one
/// that group or others may read or write ([`KeyFileError::NotPrivate`]).
pub fn read_secret_key_file(path: &Path) -> Result<SecretKeyFile, KeyFileError> {
    let bytes = read_capped(path)?;
    if bytes.starts_with(PUB_MAGIC.as_bytes()) {
        return Err(KeyFileError::NotASecretKey(path.to_owned()));
    }
    let file = SecretKeyFile::parse(&bytes).map_err(|e| in_file(path, e))?;
    private_to_owner(path)?;
    Ok(file)
}

/// Refuses a key file that group or others may read or write, as ssh does: whoever can read it
/// can try passphrases offline, and whoever can write it can swap the key.
fn private_to_owner(path: &Path) -> Result<(), KeyFileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)
            .map_err(io_err(path))?
            .permissions()
            .mode()
            & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::NotPrivate {
                path: path.to_owned(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Reads a `.pub` file (at most 4096 bytes) and parses it.
pub fn read_public_key_file(path: &Path) -> Result<PublicKeyFile, KeyFileError> {
    let bytes = read_capped(path)?;
    if bytes.starts_with(KEY_MAGIC) {
        return Err(KeyFileError::NotAPublicKey(path.to_owned()));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed_pub("it is not UTF-8 text"));
    text.and_then(PublicKeyFile::parse)
        .map_err(|e| in_file(path, e))
}

/// Creates `path` (which must not exist) with `data`, fsynced with its directory: staged under
/// a fresh name ([`staged::write_new`]), never through a link planted at or beside it.
fn write_new(path: &Path, data: &[u8], access: Access) -> Result<(), KeyFileError> {
    staged::write_new(path, data, access).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            KeyFileError::Exists(path.to_owned())
        } else {
            io_err(path)(e)
        }
    })
}

/// Writes `DIR/ID.key` (mode 0600) and `DIR/ID.pub` (0644), creating `DIR`
/// (0700) if missing. Refuses with [`KeyFileError::Exists`] if either file
/// exists, and then writes neither; on a failure after the first file is
/// written, removes what it wrote. Both files and the directory are fsynced.
/// `key_bytes` must parse and match `public`.
pub fn write_key_pair(
    dir: &Path,
    key_bytes: &[u8],
    public: &PublicKeyFile,
) -> Result<(PathBuf, PathBuf), KeyFileError> {
    if !valid_keyholder_id(&public.id) {
        return Err(KeyFileError::BadId(public.id.clone()));
    }
    // The id becomes a file name and the pair must stay consistent.
    let parsed = SecretKeyFile::parse(key_bytes)?;
    if parsed.public_file() != *public {
        return Err(KeyFileError::Malformed(format!(
            "the key file and the public key file for {} do not match",
            public.id
        )));
    }
    write_key_files(dir, key_bytes, public)
}

/// [`write_key_pair`] once the pair is known to match: also for a token's `.key` file
/// (`keys::token`), which holds its public half in clear.
pub(crate) fn write_key_files(
    dir: &Path,
    key_bytes: &[u8],
    public: &PublicKeyFile,
) -> Result<(PathBuf, PathBuf), KeyFileError> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let key_path = dir.join(format!("{}.key", public.id));
    let pub_path = dir.join(format!("{}.pub", public.id));
    for p in [&key_path, &pub_path] {
        // symlink_metadata so that a dangling symlink also counts as existing.
        if fs::symlink_metadata(p).is_ok() {
            return Err(KeyFileError::Exists(p.clone()));
        }
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io_err(dir))?;

    write_new(&key_path, key_bytes, Access::Private)?;
    let mut line = public.to_line();
    line.push('\n');
    if let Err(e) = write_new(&pub_path, line.as_bytes(), Access::Public) {
        let _ = fs::remove_file(&key_path);
        return Err(e);
    }
    Ok((key_path, pub_path))
}

/// The least zxcvbn score a new key's passphrase needs: 3 means at least 10^8 guesses, about
/// 140 CPU-days at the default profile's Argon2id cost (docs/SECURITY.md §4.4).
pub const MIN_PASSPHRASE_SCORE: u8 = 3;

/// Refuses a passphrase that zxcvbn scores below [`MIN_PASSPHRASE_SCORE`], counting the
/// keyholder's id and name as known to the guesser. Only the first 100 characters are scored
/// (zxcvbn's cost grows with the length; a longer passphrase is not weaker).
pub fn strong_enough(passphrase: &[u8], id: &str, name: &str) -> Result<(), KeyFileError> {
    let text = String::from_utf8_lossy(passphrase);
    let head: String = text.chars().take(100).collect();
    let score = u8::from(zxcvbn::zxcvbn(&head, &[id, name]).score());
    if score < MIN_PASSPHRASE_SCORE {
        return Err(KeyFileError::WeakPassphrase {
            id: id.to_owned(),
            score,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    const SEED: [u8; 32] = [7u8; 32];
    const PASS: &[u8] = b"correct horse battery staple";

    fn sample() -> (Vec<u8>, PublicKeyFile) {
        SecretKeyFile::encrypt(&SEED, "alice", "Alice Example", PASS, KdfParams::LOW_COST)
            .expect("encrypt")
    }

    #[test]
    fn ids() {
        for ok in ["a", "alice", "a.b_c-d", "0", &"x".repeat(32)] {
            assert!(valid_keyholder_id(ok), "{ok}");
        }
        for bad in ["", "Alice", "a b", "a/b", "é", &"x".repeat(33), "a\n"] {
            assert!(!valid_keyholder_id(bad), "{bad}");
        }
    }

    #[test]
    fn profiles() {
        assert!(KdfParams::LOW_COST.is_low_cost());
        assert!(!KdfParams::DEFAULT.is_low_cost());
        assert!(KdfParams::LOW_COST.check("x").is_ok());
        assert!(KdfParams::DEFAULT.check("x").is_ok());
        assert!(KdfParams::MAX.check("x").is_ok());
    }

    #[test]
    fn round_trip() {
        let (bytes, public) = sample();
        assert_eq!(
            public.key,
            SigningKey::from_bytes(&SEED).verifying_key().to_bytes()
        );
        let f = SecretKeyFile::parse(&bytes).unwrap();
        assert_eq!(f.id(), "alice");
        assert_eq!(f.name(), "Alice Example");
        assert_eq!(f.params(), KdfParams::LOW_COST);
        assert_eq!(f.public_key(), public.key);
        assert_eq!(f.unlock(PASS).unwrap().to_bytes(), SEED);
        assert_eq!(bytes.len(), 62 + 5 + 2 + 13 + 32 + 48);
    }

    #[test]
    fn generate_round_trip() {
        let (bytes, public) =
            SecretKeyFile::generate("bob", "张三 主任", PASS, KdfParams::LOW_COST).unwrap();
        let f = SecretKeyFile::parse(&bytes).unwrap();
        let sk = f.unlock(PASS).unwrap();
        assert_eq!(sk.verifying_key().to_bytes(), public.key);
        assert_eq!(f.name(), "张三 主任");
    }

    #[test]
    fn salt_and_nonce_are_fresh() {
        let (a, _) = sample();
        let (b, _) = sample();
        assert_ne!(a, b);
    }

    #[test]
    fn wrong_passphrase() {
        let (bytes, _) = sample();
        let f = SecretKeyFile::parse(&bytes).unwrap();
        let err = f.unlock(b"hunter2").unwrap_err();
        assert!(matches!(err, KeyFileError::WrongPassphrase { ref id } if id == "alice"));
        assert_eq!(err.to_string(), "wrong passphrase for key alice");
        assert!(matches!(f.unlock(b""), Err(KeyFileError::EmptyPassphrase)));
    }

    #[test]
    fn passphrase_never_in_output() {
        let (bytes, _) = sample();
        let f = SecretKeyFile::parse(&bytes).unwrap();
        let err = f.unlock(b"hunter2").unwrap_err();
        for s in [format!("{err}"), format!("{err:?}"), format!("{f:?}")] {
            assert!(!s.contains("hunter2") && !s.contains("horse"), "{s}");
        }
    }

    #[test]
    fn every_byte_is_protected() {
        let (bytes, _) = sample();
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x80] {
                let mut m = bytes.clone();
                m[i] ^= flip;
                if let Ok(f) = SecretKeyFile::parse(&m) {
                    assert!(f.unlock(PASS).is_err(), "byte {i} flip {flip:#x} unnoticed");
                }
            }
        }
    }

    fn set_params(bytes: &mut [u8], p: KdfParams) {
        bytes[9..13].copy_from_slice(&p.m_cost_kib.to_le_bytes());
        bytes[13..17].copy_from_slice(&p.t_cost.to_le_bytes());
        bytes[17..21].copy_from_slice(&p.p_cost.to_le_bytes());
    }

    #[test]
    fn costly_params_refused_before_deriving() {
        let (bytes, _) = sample();
        let four_gib = KdfParams {
            m_cost_kib: 4 * 1024 * 1024,
            t_cost: 1,
            p_cost: 1,
        };
        let too_many_passes = KdfParams {
            t_cost: 17,
            ..KdfParams::LOW_COST
        };
        let too_many_lanes = KdfParams {
            m_cost_kib: 64,
            t_cost: 1,
            p_cost: 5,
        };
        for p in [four_gib, too_many_passes, too_many_lanes] {
            let mut m = bytes.clone();
            set_params(&mut m, p);
            let start = Instant::now();
            let err = SecretKeyFile::parse(&m).unwrap_err();
            assert!(start.elapsed() < Duration::from_millis(100));
            assert!(matches!(err, KeyFileError::KdfTooCostly { .. }), "{err}");
            assert!(err.to_string().contains("above the cap"));
            assert!(err.to_string().contains("alice"));
        }
        let zero_t = KdfParams {
            t_cost: 0,
            ..KdfParams::LOW_COST
        };
        let zero_p = KdfParams {
            p_cost: 0,
            ..KdfParams::LOW_COST
        };
        let small_m = KdfParams {
            m_cost_kib: 15,
            t_cost: 1,
            p_cost: 2,
        };
        for p in [zero_t, zero_p, small_m] {
            let mut m = bytes.clone();
            set_params(&mut m, p);
            let err = SecretKeyFile::parse(&m).unwrap_err();
            assert!(matches!(err, KeyFileError::BadKdfParams { .. }), "{err}");
        }
        // The same limits apply when creating a file.
        let err = SecretKeyFile::encrypt(&SEED, "a", "A", PASS, four_gib).unwrap_err();
        assert!(matches!(err, KeyFileError::KdfTooCostly { .. }));
    }

    #[test]
    fn trailing_and_truncated_refused() {
        let (bytes, _) = sample();
        let mut long = bytes.clone();
        long.push(0);
        let err = SecretKeyFile::parse(&long).unwrap_err();
        assert!(err.to_string().contains("unexpected bytes"), "{err}");
        for n in 0..bytes.len() {
            assert!(SecretKeyFile::parse(&bytes[..n]).is_err(), "prefix {n}");
        }
    }

    #[test]
    fn bad_version_and_magic() {
        let (bytes, _) = sample();
        let mut m = bytes.clone();
        m[8] = 2;
        assert!(
            SecretKeyFile::parse(&m)
                .unwrap_err()
                .to_string()
                .contains("unsupported version 2")
        );
        m = bytes.clone();
        m[0] = b'X';
        assert!(
            SecretKeyFile::parse(&m)
                .unwrap_err()
                .to_string()
                .contains("bad magic")
        );
    }

    fn forge(public: &[u8; 32]) -> Vec<u8> {
        let h = Header {
            id: "mallory",
            name: "M",
            public: *public,
            params: KdfParams::LOW_COST,
            salt: [1; SALT_LEN],
            nonce: [2; NONCE_LEN],
        };
        build_key_file(&h, &SEED, PASS).unwrap()
    }

    #[test]
    fn public_key_must_match_seed() {
        let other = SigningKey::from_bytes(&[9u8; 32])
            .verifying_key()
            .to_bytes();
        let f = SecretKeyFile::parse(&forge(&other)).unwrap();
        assert!(matches!(
            f.unlock(PASS),
            Err(KeyFileError::KeyMismatch { .. })
        ));
    }

    #[test]
    fn weak_public_key_refused() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let err = SecretKeyFile::parse(&forge(&identity)).unwrap_err();
        assert!(matches!(err, KeyFileError::WeakKey { .. }), "{err}");
    }

    #[test]
    fn creation_inputs_checked() {
        let enc = |id: &str, name: &str, pass: &[u8]| {
            SecretKeyFile::encrypt(&SEED, id, name, pass, KdfParams::LOW_COST).unwrap_err()
        };
        assert!(matches!(enc("Alice", "A", PASS), KeyFileError::BadId(_)));
        assert!(matches!(enc("a", "A", b""), KeyFileError::EmptyPassphrase));
        let long = "n".repeat(257);
        for name in [
            "",
            "a\nb",
            "a\tb",
            "a\u{7f}",
            " a",
            "a ",
            "a\u{2028}b",
            &long,
        ] {
            assert!(
                matches!(enc("a", name, PASS), KeyFileError::BadName { .. }),
                "{name:?}"
            );
        }
        let ok = "n".repeat(256);
        assert!(SecretKeyFile::encrypt(&SEED, "a", &ok, PASS, KdfParams::LOW_COST).is_ok());
    }

    #[test]
    fn pub_round_trip_chinese_name() {
        let p = PublicKeyFile {
            id: "zhang.san".into(),
            name: "张三 主任".into(),
            key: SigningKey::from_bytes(&SEED).verifying_key().to_bytes(),
        };
        let line = p.to_line();
        assert!(!line.ends_with('\n'));
        assert!(line.starts_with("custody-pub-v1 zhang.san "));
        assert!(line.ends_with(" 张三 主任"));
        assert_eq!(PublicKeyFile::parse(&line).unwrap(), p);
        assert_eq!(PublicKeyFile::parse(&format!("{line}\n")).unwrap(), p);
        assert_eq!(PublicKeyFile::parse(&format!("{line}\r\n")).unwrap(), p);
    }

    #[test]
    fn pub_parse_is_strict() {
        let key = SigningKey::from_bytes(&SEED).verifying_key().to_bytes();
        let k = B64.encode(key);
        let short = B64.encode(&key[..31]);
        let unpadded = k.trim_end_matches('=').to_owned();
        // Same 32 bytes, but with non-zero unused bits in the last character.
        let mut noncanon = k.clone();
        let last = noncanon.as_bytes()[42];
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let idx = alphabet.find(last as char).unwrap();
        noncanon.replace_range(42..43, &alphabet[(idx ^ 1)..=(idx ^ 1)]);
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let weak = B64.encode(identity);
        assert!(PublicKeyFile::parse(&format!("custody-pub-v1 a {k} A")).is_ok());
        let bad = [
            String::new(),
            "\n".into(),
            format!("custody-pub-v2 a {k} A"),
            format!("Custody-pub-v1 a {k} A"),
            format!(" custody-pub-v1 a {k} A"),
            format!("custody-pub-v1  a {k} A"),
            format!("custody-pub-v1 a  {k} A"),
            format!("custody-pub-v1 a {k}  A"),
            format!("custody-pub-v1\ta {k} A"),
            format!("custody-pub-v1 a {k} A "),
            format!("custody-pub-v1 a {k} "),
            format!("custody-pub-v1 a {k}"),
            format!("custody-pub-v1 A {k} A"),
            format!("custody-pub-v1 a {short} A"),
            format!("custody-pub-v1 a {unpadded} A"),
            format!("custody-pub-v1 a {noncanon} A"),
            format!("custody-pub-v1 a {weak} A"),
            format!("custody-pub-v1 a {k} A\n\n"),
            format!("custody-pub-v1 a {k} A\r"),
            format!("custody-pub-v1 a {k} A\nB"),
            format!("custody-pub-v1 a {k} A\u{0}B"),
            format!("custody-pub-v1 a {k} {}", "n".repeat(257)),
            format!("\u{feff}custody-pub-v1 a {k} A"),
        ];
        for text in &bad {
            assert!(PublicKeyFile::parse(text).is_err(), "accepted {text:?}");
        }
    }

    #[test]
    fn write_pair_and_modes() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("keys");
        let (bytes, public) = sample();
        let (kp, pp) = write_key_pair(&dir, &bytes, &public).unwrap();
        assert_eq!(kp, dir.join("alice.key"));
        assert_eq!(pp, dir.join("alice.pub"));
        assert_eq!(fs::read(&kp).unwrap(), bytes);
        assert_eq!(
            fs::read_to_string(&pp).unwrap(),
            format!("{}\n", public.to_line())
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&kp), 0o600);
            assert_eq!(mode(&pp), 0o644);
        }
        let f = read_secret_key_file(&kp).unwrap();
        assert_eq!(f.unlock(PASS).unwrap().to_bytes(), SEED);
        assert_eq!(read_public_key_file(&pp).unwrap(), public);
    }

    #[test]
    fn write_pair_refuses_to_overwrite() {
        let tmp = tempfile::tempdir().unwrap();
        let (bytes, public) = sample();
        let (kp, pp) = write_key_pair(tmp.path(), &bytes, &public).unwrap();
        let (other, other_pub) =
            SecretKeyFile::encrypt(&[3; 32], "alice", "Other", PASS, KdfParams::LOW_COST).unwrap();
        let err = write_key_pair(tmp.path(), &other, &other_pub).unwrap_err();
        assert!(
            matches!(err, KeyFileError::Exists(ref p) if *p == kp),
            "{err}"
        );
        assert!(
            err.to_string()
                .ends_with("already exists; refusing to overwrite it")
        );
        assert_eq!(fs::read(&kp).unwrap(), bytes);
        assert_eq!(read_public_key_file(&pp).unwrap(), public);

        // Only the .pub exists: nothing is written either.
        fs::remove_file(&kp).unwrap();
        let err = write_key_pair(tmp.path(), &other, &other_pub).unwrap_err();
        assert!(matches!(err, KeyFileError::Exists(ref p) if *p == pp));
        assert!(!kp.exists());
    }

    #[test]
    fn write_pair_checks_consistency() {
        let tmp = tempfile::tempdir().unwrap();
        let (bytes, mut public) = sample();
        public.name = "Someone Else".into();
        assert!(write_key_pair(tmp.path(), &bytes, &public).is_err());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn wrong_kind_of_file() {
        let tmp = tempfile::tempdir().unwrap();
        let (bytes, public) = sample();
        let (kp, pp) = write_key_pair(tmp.path(), &bytes, &public).unwrap();
        let err = read_secret_key_file(&pp).unwrap_err();
        assert!(matches!(err, KeyFileError::NotASecretKey(ref p) if *p == pp));
        assert!(err.to_string().contains("--sign needs the .key file"));
        let err = read_public_key_file(&kp).unwrap_err();
        assert!(matches!(err, KeyFileError::NotAPublicKey(ref p) if *p == kp));
        assert!(err.to_string().contains("give the .pub file"));
    }

    #[test]
    fn oversized_and_missing_files() {
        let tmp = tempfile::tempdir().unwrap();
        let big = tmp.path().join("big.key");
        let (mut bytes, _) = sample();
        bytes.resize(MAX_KEY_FILE + 1, 0);
        fs::write(&big, &bytes).unwrap();
        assert!(matches!(
            read_secret_key_file(&big),
            Err(KeyFileError::TooLarge { .. })
        ));
        assert!(matches!(
            read_public_key_file(&big),
            Err(KeyFileError::TooLarge { .. })
        ));
        let missing = tmp.path().join("nope.key");
        let err = read_secret_key_file(&missing).unwrap_err();
        assert!(matches!(err, KeyFileError::Io { .. }));
        assert!(err.to_string().contains("nope.key"));
    }

    #[test]
    fn malformed_errors_name_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("junk.key");
        fs::write(&p, b"CUSTKEY\0\x01").unwrap();
        let err = read_secret_key_file(&p).unwrap_err();
        assert!(err.to_string().contains("junk.key"), "{err}");
        let q = tmp.path().join("junk.pub");
        fs::write(&q, b"\xff\xfe").unwrap();
        let err = read_public_key_file(&q).unwrap_err();
        assert!(err.to_string().contains("junk.pub"), "{err}");
    }
}
