//! Secrets sealed under a passphrase, with the key files' KDF and cipher: the ledger's two
//! secrets in a backup (`ledger::bundle`).

use crate::keys::keyfile::{
    Cursor, KdfParams, KeyFileError, MAX_KEY_FILE, NONCE_LEN, SALT_LEN, TAG_LEN, cipher, derive_key,
};
use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{Tag, XNonce};
use zeroize::Zeroizing;

/// Magic of a blob sealed under a passphrase ([`seal_with_passphrase`]).
const SEALED_MAGIC: &[u8; 8] = b"CUSTSEAL";
const SEALED_VERSION: u8 = 0x01;
/// Magic, version, Argon2 parameters, salt and nonce.
const SEALED_HEADER_LEN: usize = 8 + 1 + 12 + SALT_LEN + NONCE_LEN;
/// Size cap of a sealed blob, header and tag included.
const SEALED_MAX: usize = MAX_KEY_FILE;
/// The name a sealed blob goes by in errors that name a key.
const SEALED_NAME: &str = "sealed blob";

/// Encrypts `plaintext` under a passphrase, with the key files' KDF and cipher:
///
/// ```text
/// "CUSTSEAL" ‖ 0x01 ‖ m_cost u32 LE ‖ t_cost u32 LE ‖ p_cost u32 LE ‖ salt (16) ‖ nonce (24)
///   ‖ XChaCha20-Poly1305(Argon2id(passphrase, salt), nonce, plaintext,
///                        aad = the 61 bytes before it ‖ aad) = ciphertext ‖ tag (16)
/// ```
///
/// `aad` binds the blob to its context (it is not stored); the same bytes must be given to
/// [`open_with_passphrase`]. The whole blob is at most 4096 bytes.
pub fn seal_with_passphrase(
    plaintext: &[u8],
    passphrase: &[u8],
    params: KdfParams,
    aad: &[u8],
) -> Result<Vec<u8>, KeyFileError> {
    if passphrase.is_empty() {
        return Err(KeyFileError::EmptyPassphrase);
    }
    params.check(SEALED_NAME)?;
    if SEALED_HEADER_LEN + plaintext.len() + TAG_LEN > SEALED_MAX {
        return Err(KeyFileError::Malformed(format!(
            "{} bytes are too many to seal (at most {})",
            plaintext.len(),
            SEALED_MAX - SEALED_HEADER_LEN - TAG_LEN
        )));
    }
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    rand::fill(&mut salt[..]);
    rand::fill(&mut nonce[..]);
    let mut out = Vec::with_capacity(SEALED_HEADER_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(SEALED_MAGIC);
    out.push(SEALED_VERSION);
    out.extend_from_slice(&params.m_cost_kib.to_le_bytes());
    out.extend_from_slice(&params.t_cost.to_le_bytes());
    out.extend_from_slice(&params.p_cost.to_le_bytes());
    out.extend_from_slice(&salt);
    out.extend_from_slice(&nonce);
    let mut full_aad = out.clone();
    full_aad.extend_from_slice(aad);

    let key = derive_key(passphrase, &salt, params)?;
    let mut buf = Zeroizing::new(plaintext.to_vec());
    let tag = cipher(&key)?
        .encrypt_inout_detached(&XNonce::from(nonce), &full_aad, buf.as_mut_slice().into())
        .map_err(|e| KeyFileError::Crypto(e.to_string()))?;
    out.extend_from_slice(&buf[..]);
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Decrypts a blob made by [`seal_with_passphrase`] with the same `aad`. The Argon2 parameters
/// it names are checked against [`KdfParams::MAX`] before anything is derived, as for key files;
/// a wrong passphrase, a changed byte or another `aad` is [`KeyFileError::WrongPassphrase`].
pub fn open_with_passphrase(
    sealed: &[u8],
    passphrase: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyFileError> {
    let bad = |what: &str| KeyFileError::Malformed(format!("malformed sealed blob: {what}"));
    if sealed.len() > SEALED_MAX {
        return Err(bad("over 4096 bytes"));
    }
    if sealed.len() < SEALED_HEADER_LEN + TAG_LEN {
        return Err(bad("truncated"));
    }
    let mut c = Cursor { rest: sealed };
    let (params, salt, nonce) = c.kdf_header(SEALED_MAGIC, SEALED_VERSION, "bad magic", &bad)?;
    params.check(SEALED_NAME)?;
    if passphrase.is_empty() {
        return Err(KeyFileError::EmptyPassphrase);
    }
    let (ct, tag) = c.rest.split_at(c.rest.len() - TAG_LEN);
    let mut tag_bytes = [0u8; TAG_LEN];
    tag_bytes.copy_from_slice(tag);
    let mut full_aad = sealed[..SEALED_HEADER_LEN].to_vec();
    full_aad.extend_from_slice(aad);

    let key = derive_key(passphrase, &salt, params)?;
    let mut buf = Zeroizing::new(ct.to_vec());
    cipher(&key)?
        .decrypt_inout_detached(
            &XNonce::from(nonce),
            &full_aad,
            buf.as_mut_slice().into(),
            &Tag::from(tag_bytes),
        )
        .map_err(|_| KeyFileError::WrongPassphrase {
            id: SEALED_NAME.to_owned(),
        })?;
    Ok(buf)
}
