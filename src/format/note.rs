//! The C2SP text formats the ledger publishes: signed notes (c2sp.org/signed-note), checkpoints
//! (c2sp.org/tlog-checkpoint) and inclusion proofs (c2sp.org/tlog-proof).
//!
//! Everything here is written so that Go's `golang.org/x/mod/sumdb/note` opens and verifies it,
//! and parsing follows that reference implementation (`note.Open`) wherever the spec leaves a
//! choice; the few places where this module is stricter are named below. A parser never panics
//! and reads at most [`MAX_NOTE`] bytes of a note, 64 signature lines and 64 proof hashes.
//!
//! # Signed notes
//!
//! ```text
//! <text, one or more lines, each ending in "\n">
//! <blank line>
//! — <key name> <base64(key id (4 bytes) ‖ Ed25519 signature (64 bytes))>
//! ```
//!
//! The signature covers the text, final newline included. The key id of an Ed25519 key is the
//! first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). The text is separated from the
//! signatures by the *last* blank line, so the text may itself hold blank lines.
//!
//! Parsing, as `note.Open` does it: the whole note is UTF-8 without ASCII control characters
//! other than newline; every line after the last blank line must be a well-formed signature line
//! (em dash, space, a valid key name, a space, standard padded base64 of at least 5 bytes), or
//! the note is refused. A well-formed line whose signature is not 64 bytes long belongs to another
//! algorithm (a witness cosignature, say); it is skipped, as signatures from unknown keys must be.
//! [`Note::verified_by`] checks the *first* line that carries the key's name and key id, as
//! `note.Open` does for a known key (later duplicates are ignored), so a bad signature in that
//! place fails the note for that key even if a good one follows.
//!
//! Stricter than `note.Open`: base64 must be canonical (no stray bits in the last character);
//! key names may not hold Unicode control characters (U+007F–U+009F, beyond the spaces and "+"
//! the spec forbids); a note is at most 64 KiB with at most 64 signature lines (the spec asks
//! verifiers to accept at least 16); a note must keep at least one Ed25519 signature; and a line
//! of another length that carries the same name and key id as a later Ed25519 line refuses the
//! note (were that key known to it, `note.Open` would try that line as the key's signature, fail,
//! and refuse the note). [`sign`] also refuses to sign twice under one name and key id.
//!
//! Signatures are checked with the ledger's one acceptance rule, `verify_strict`
//! ([`crate::format::signing::verify_message`]), which refuses small-order keys and R and non-canonical
//! encodings that Go's `ed25519.Verify` lets through; a signature made by an honest signer with an
//! enrollable key (see [`crate::format::signing::check_public_key`]) passes both.

use crate::format::hash::{Hash, hex};
use crate::format::signing::verify_message;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};

/// The largest note, in bytes, that is written or read.
pub const MAX_NOTE: usize = 64 * 1024;

/// The most signature lines a note may carry.
const MAX_SIGNATURES: usize = 64;

/// The most hashes an inclusion proof may carry (a tree of 2^64 leaves needs 64).
const MAX_PROOF_HASHES: usize = 64;

/// The largest proof: the header lines and the hashes are well under a note's size.
const MAX_PROOF: usize = 2 * MAX_NOTE;

/// The signature type byte of Ed25519 in key ids and verifier keys.
const ALG_ED25519: u8 = 0x01;

/// What starts a signature line: U+2014 EM DASH, then a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// The first line of a c2sp.org/tlog-proof.
const PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// Why a note, key, checkpoint or proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    #[error("the {what} is {size} bytes, more than the {max} allowed")]
    TooLarge {
        what: &'static str,
        size: usize,
        max: usize,
    },
    #[error("a control character other than newline at byte {at}")]
    ControlCharacter { at: usize },
    #[error("the note text is empty")]
    EmptyText,
    #[error("the note text does not end in a newline")]
    UnterminatedText,
    #[error("no blank line separates the note text from its signatures")]
    NoBlankLine,
    #[error("the note has no signature lines")]
    NoSignatures,
    #[error("the note has no Ed25519 signature")]
    NoEd25519Signature,
    #[error("the last signature line does not end in a newline")]
    UnterminatedSignatures,
    #[error("more than {max} signature lines")]
    TooManySignatures { max: usize },
    #[error("signature line {line} is malformed: {reason}")]
    MalformedSignature { line: usize, reason: &'static str },
    #[error("invalid key name {0:?} (empty, or holds white space, a control character or '+')")]
    InvalidKeyName(String),
    #[error("key {name}+{key_id} signs twice")]
    DuplicateSigner { name: String, key_id: String },
    #[error("malformed verifier key: {0}")]
    MalformedVerifierKey(&'static str),
    #[error("verifier key of unknown signature type {0:#04x}")]
    UnknownAlgorithm(u8),
    #[error("the verifier key's key id does not match its name and public key")]
    KeyIdMismatch,
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    #[error("malformed proof: {0}")]
    MalformedProof(&'static str),
    #[error("more than {max} hashes in the proof")]
    TooManyProofHashes { max: usize },
}

/// The key id of an Ed25519 key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[..4].
pub fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public_key);
    let digest = h.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Whether `name` may name a key: non-empty, and no white space (Unicode's, as Go's
/// `unicode.IsSpace`), no control character and no "+".
pub fn valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c == '+' || c.is_whitespace() || c.is_control())
}

/// The verifier key `<name>+<key id, 8 lower-case hex digits>+<base64(0x01 ‖ public key)>`, as
/// Go's `note.NewEd25519VerifierKey` writes it.
pub fn verifier_key(name: &str, public_key: &[u8; 32]) -> Result<String, NoteError> {
    if !valid_key_name(name) {
        return Err(NoteError::InvalidKeyName(name.to_owned()));
    }
    let mut key = [0u8; 33];
    key[0] = ALG_ED25519;
    key[1..].copy_from_slice(public_key);
    Ok(format!(
        "{name}+{}+{}",
        hex(&key_id(name, public_key)),
        STANDARD.encode(key)
    ))
}

/// Reads a verifier key (see [`verifier_key`]): the name and the Ed25519 public key, once the
/// key id has been checked against them. The key id's hex digits may be of either case, as Go
/// accepts; nothing around the key (white space, a newline) is.
pub fn parse_verifier_key(text: &str) -> Result<(String, [u8; 32]), NoteError> {
    check_size("verifier key", text.len(), MAX_NOTE)?;
    let malformed = NoteError::MalformedVerifierKey;
    let (name, rest) = text
        .split_once('+')
        .ok_or(malformed("no '+' after the name"))?;
    let (id_hex, key_b64) = rest
        .split_once('+')
        .ok_or(malformed("no '+' after the key id"))?;
    if !valid_key_name(name) {
        return Err(NoteError::InvalidKeyName(name.to_owned()));
    }
    let id = parse_key_id(id_hex).ok_or(malformed("the key id is not 8 hex digits"))?;
    let key = STANDARD
        .decode(key_b64)
        .map_err(|_| malformed("the key is not base64"))?;
    let (&alg, public) = key.split_first().ok_or(malformed("the key is empty"))?;
    if alg != ALG_ED25519 {
        return Err(NoteError::UnknownAlgorithm(alg));
    }
    let public: [u8; 32] = public
        .try_into()
        .map_err(|_| malformed("an Ed25519 public key is 32 bytes"))?;
    if key_id(name, &public) != id {
        return Err(NoteError::KeyIdMismatch);
    }
    Ok((name.to_owned(), public))
}

/// Exactly 8 hex digits, either case.
fn parse_key_id(text: &str) -> Option<[u8; 4]> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok().map(u32::to_be_bytes)
}

fn check_size(what: &'static str, size: usize, max: usize) -> Result<(), NoteError> {
    if size > max {
        return Err(NoteError::TooLarge { what, size, max });
    }
    Ok(())
}

/// No ASCII control character but newline. (In UTF-8, bytes below 0x20 are only ever those
/// characters, so a byte scan is exact.)
fn check_no_controls(text: &str) -> Result<(), NoteError> {
    match text.bytes().position(|b| b < 0x20 && b != b'\n') {
        Some(at) => Err(NoteError::ControlCharacter { at }),
        None => Ok(()),
    }
}

/// The rules for a note text: at most [`MAX_NOTE`] bytes, non-empty, ending in a newline, no
/// control characters but newlines.
fn check_text(text: &str) -> Result<(), NoteError> {
    check_size("note text", text.len(), MAX_NOTE)?;
    if text.is_empty() {
        return Err(NoteError::EmptyText);
    }
    if !text.ends_with('\n') {
        return Err(NoteError::UnterminatedText);
    }
    check_no_controls(text)
}

/// Signs `text` (which must be a valid note text ending in "\n") with each (name, key) in order;
/// returns the whole note.
pub fn sign(text: &str, signers: &[(&str, &SigningKey)]) -> Result<String, NoteError> {
    let signed: Vec<(&str, [u8; 32], [u8; 64])> = signers
        .iter()
        .map(|&(name, key)| {
            let signature = key.sign(text.as_bytes()).to_bytes();
            (name, key.verifying_key().to_bytes(), signature)
        })
        .collect();
    assemble(text, &signed)
}

/// The whole note from `text` and each (name, public key, Ed25519 signature over the text) in
/// order: for signatures made elsewhere, such as on a PKCS#11 token. The signatures are not
/// checked here; a reader checks them with [`Note::verified_by`].
pub fn assemble(text: &str, signers: &[(&str, [u8; 32], [u8; 64])]) -> Result<String, NoteError> {
    check_text(text)?;
    if signers.is_empty() {
        return Err(NoteError::NoSignatures);
    }
    if signers.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures {
            max: MAX_SIGNATURES,
        });
    }
    let mut signatures: Vec<NoteSignature> = Vec::with_capacity(signers.len());
    for &(name, public_key, signature) in signers {
        if !valid_key_name(name) {
            return Err(NoteError::InvalidKeyName(name.to_owned()));
        }
        let id = key_id(name, &public_key);
        if signatures.iter().any(|s| s.name == name && s.key_id == id) {
            return Err(NoteError::DuplicateSigner {
                name: name.to_owned(),
                key_id: hex(&id),
            });
        }
        signatures.push(NoteSignature {
            name: name.to_owned(),
            key_id: id,
            signature,
        });
    }
    let note = Note {
        text: text.to_owned(),
        signatures,
    }
    .encode();
    check_size("note", note.len(), MAX_NOTE)?;
    Ok(note)
}

/// One Ed25519 signature line of a note, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: [u8; 4],
    pub signature: [u8; 64],
}

/// A parsed signed note: the text (final newline included) and its Ed25519 signature lines in
/// the order they appear. Nothing in it is verified until [`Note::verified_by`] says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

/// What one signature line holds once its syntax is checked.
enum SignatureLine<'a> {
    Ed25519(NoteSignature),
    /// A well-formed signature of another length, hence of another algorithm.
    Other {
        name: &'a str,
        key_id: [u8; 4],
    },
}

fn parse_signature_line(line: &str, number: usize) -> Result<SignatureLine<'_>, NoteError> {
    let malformed = |reason| NoteError::MalformedSignature {
        line: number,
        reason,
    };
    let rest = line
        .strip_prefix(SIGNATURE_PREFIX)
        .ok_or(malformed("it does not start with an em dash and a space"))?;
    let (name, b64) = rest.split_once(' ').unwrap_or((rest, ""));
    if !valid_key_name(name) {
        return Err(malformed("invalid key name"));
    }
    if b64.is_empty() {
        return Err(malformed("no signature after the key name"));
    }
    let raw = STANDARD
        .decode(b64)
        .map_err(|_| malformed("the signature is not canonical base64"))?;
    if raw.len() < 5 {
        return Err(malformed("shorter than a 4-byte key id and a signature"));
    }
    let key_id = [raw[0], raw[1], raw[2], raw[3]];
    match <[u8; 64]>::try_from(&raw[4..]) {
        Ok(signature) => Ok(SignatureLine::Ed25519(NoteSignature {
            name: name.to_owned(),
            key_id,
            signature,
        })),
        Err(_) => Ok(SignatureLine::Other { name, key_id }),
    }
}

impl Note {
    /// Parses a signed note (see the module documentation for the rules). Verifies nothing.
    pub fn parse(note: &str) -> Result<Note, NoteError> {
        check_size("note", note.len(), MAX_NOTE)?;
        check_no_controls(note)?;
        let split = note.rfind("\n\n").ok_or(NoteError::NoBlankLine)?;
        let (text, block) = (&note[..split + 1], &note[split + 2..]);
        if block.is_empty() {
            return Err(NoteError::NoSignatures);
        }
        let block = block
            .strip_suffix('\n')
            .ok_or(NoteError::UnterminatedSignatures)?;
        let mut signatures: Vec<NoteSignature> = Vec::new();
        let mut others: Vec<(&str, [u8; 4])> = Vec::new();
        for (i, line) in block.split('\n').enumerate() {
            if i >= MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures {
                    max: MAX_SIGNATURES,
                });
            }
            match parse_signature_line(line, i + 1)? {
                SignatureLine::Ed25519(sig) => {
                    if others.contains(&(sig.name.as_str(), sig.key_id)) {
                        return Err(NoteError::MalformedSignature {
                            line: i + 1,
                            reason: "an earlier line for the same key is not an Ed25519 signature",
                        });
                    }
                    signatures.push(sig);
                }
                SignatureLine::Other { name, key_id } => others.push((name, key_id)),
            }
        }
        if signatures.is_empty() {
            return Err(NoteError::NoEd25519Signature);
        }
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Whether the signature line by `name` with the key id of `public_key` verifies over the
    /// text, under the ledger's strict rule ([`crate::format::signing::verify_message`]). Where several
    /// lines carry that name and key id, the first decides, as in Go's `note.Open`; a note
    /// without such a line is not verified.
    pub fn verified_by(&self, name: &str, public_key: &[u8; 32]) -> bool {
        let id = key_id(name, public_key);
        self.signatures
            .iter()
            .find(|s| s.name == name && s.key_id == id)
            .is_some_and(|s| verify_message(public_key, self.text.as_bytes(), &s.signature))
    }

    /// The note as text: the text, a blank line, then one line per signature, in order.
    /// For a note that [`Note::parse`] returned, `parse(encode(n)) == n`.
    pub fn encode(&self) -> String {
        // A signature line: the prefix (4 bytes), the name, a space, 92 base64 digits, newline.
        let lines: usize = self.signatures.iter().map(|s| s.name.len() + 98).sum();
        let mut out = String::with_capacity(self.text.len() + 1 + lines);
        out.push_str(&self.text);
        out.push('\n');
        for sig in &self.signatures {
            let mut raw = [0u8; 68];
            raw[..4].copy_from_slice(&sig.key_id);
            raw[4..].copy_from_slice(&sig.signature);
            out.push_str(SIGNATURE_PREFIX);
            out.push_str(&sig.name);
            out.push(' ');
            out.push_str(&STANDARD.encode(raw));
            out.push('\n');
        }
        out
    }
}

/// A tree head as c2sp.org/tlog-checkpoint writes it: origin, size, root, extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub extensions: Vec<String>,
}

/// ASCII decimal without a sign or leading zeros ("0" alone is zero), that fits a u64.
fn parse_decimal(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return None;
    }
    text.parse().ok()
}

/// Canonical standard base64 of exactly 32 bytes.
fn parse_hash(text: &str) -> Option<Hash> {
    // 32 bytes are 44 base64 digits; checking first keeps a long line from being decoded.
    if text.len() != 44 {
        return None;
    }
    STANDARD.decode(text).ok()?.try_into().ok()
}

impl Checkpoint {
    /// The note text: origin, size and base64 root, then the extension lines, each line ending
    /// in "\n". It parses back with [`Checkpoint::parse_text`] when the origin and extensions are
    /// non-empty single lines without control characters.
    pub fn text(&self) -> String {
        let mut text = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        );
        for line in &self.extensions {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Parses a checkpoint's note text (the part a signature covers), by the spec: at least
    /// three lines, each ending in "\n"; a non-empty origin; the size in decimal without leading
    /// zeros; the root as base64 of 32 bytes; non-empty extension lines.
    pub fn parse_text(text: &str) -> Result<Checkpoint, NoteError> {
        let malformed = NoteError::MalformedCheckpoint;
        check_size("checkpoint", text.len(), MAX_NOTE)?;
        check_no_controls(text)?;
        let body = text
            .strip_suffix('\n')
            .ok_or(malformed("the text does not end in a newline"))?;
        if body.split('\n').nth(2).is_none() {
            return Err(malformed("fewer than three lines"));
        }
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or("");
        if origin.is_empty() {
            return Err(malformed("the origin line is empty"));
        }
        let size = lines.next().and_then(parse_decimal).ok_or(malformed(
            "the tree size is not a decimal without leading zeros",
        ))?;
        let root = lines
            .next()
            .and_then(parse_hash)
            .ok_or(malformed("the root hash is not base64 of 32 bytes"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(malformed("an extension line is empty"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// The short form for the paper register: the origin, the size, and the whole root in 16
    /// groups of 4 lower-case hex digits, separated by single spaces, e.g.
    /// `custody/0a1b… 128 3f1a 9c2e …`.
    pub fn human(&self) -> String {
        let root = hex(&self.root);
        let groups: Vec<&str> = (0..root.len())
            .step_by(4)
            .map(|i| &root[i..i + 4])
            .collect();
        format!("{} {} {}", self.origin, self.size, groups.join(" "))
    }
}

/// The origin line of a ledger's checkpoints: `custody/<ledger id in lower-case hex>`.
pub fn origin(ledger_id: &[u8; 16]) -> String {
    format!("custody/{}", hex(ledger_id))
}

/// An inclusion proof as c2sp.org/tlog-proof writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// Opaque, unauthenticated extra data.
    pub extra: Option<Vec<u8>>,
    /// The leaf's index, from 0.
    pub index: u64,
    /// The RFC 6962 audit path, from the leaf's sibling up.
    pub path: Vec<Hash>,
    /// The signed checkpoint, verbatim.
    pub checkpoint: String,
}

/// The line up to the next newline, and what follows it.
fn next_line(text: &str) -> Result<(&str, &str), NoteError> {
    text.split_once('\n')
        .ok_or(NoteError::MalformedProof("it ends before the checkpoint"))
}

impl Proof {
    /// The proof as text: the header, the `extra` line if any, the `index` line, one base64
    /// hash per line, a blank line, then the checkpoint as it is.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(64 + 45 * self.path.len() + self.checkpoint.len());
        out.push_str(PROOF_HEADER);
        out.push('\n');
        if let Some(extra) = &self.extra {
            out.push_str("extra ");
            out.push_str(&STANDARD.encode(extra));
            out.push('\n');
        }
        out.push_str(&format!("index {}\n", self.index));
        for hash in &self.path {
            out.push_str(&STANDARD.encode(hash));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint);
        out
    }

    /// Parses a proof. The checkpoint must be a signed note (see [`Note::parse`]) whose text is
    /// a checkpoint; nothing is verified, and the extra data stays untrusted.
    pub fn parse(text: &str) -> Result<Proof, NoteError> {
        let malformed = NoteError::MalformedProof;
        check_size("proof", text.len(), MAX_PROOF)?;
        let rest = text
            .strip_prefix(PROOF_HEADER)
            .and_then(|r| r.strip_prefix('\n'))
            .ok_or(malformed("the first line is not c2sp.org/tlog-proof@v1"))?;
        let (mut line, mut rest) = next_line(rest)?;
        let mut extra = None;
        if let Some(b64) = line.strip_prefix("extra ") {
            extra = Some(
                STANDARD
                    .decode(b64)
                    .map_err(|_| malformed("the extra data is not canonical base64"))?,
            );
            (line, rest) = next_line(rest)?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(parse_decimal)
            .ok_or(malformed(
                "no index line, or an index that is not a decimal without leading zeros",
            ))?;
        let mut path = Vec::new();
        loop {
            (line, rest) = next_line(rest)?;
            if line.is_empty() {
                break;
            }
            if path.len() == MAX_PROOF_HASHES {
                return Err(NoteError::TooManyProofHashes {
                    max: MAX_PROOF_HASHES,
                });
            }
            path.push(parse_hash(line).ok_or(malformed("a proof hash is not base64 of 32 bytes"))?);
        }
        let note = Note::parse(rest)?;
        Checkpoint::parse_text(&note.text)?;
        Ok(Proof {
            extra,
            index,
            path,
            checkpoint: rest.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn public(seed: u8) -> [u8; 32] {
        key(seed).verifying_key().to_bytes()
    }

    const TEXT: &str = "custody/00112233445566778899aabbccddeeff\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

    fn signed_by_two() -> String {
        sign(TEXT, &[("alice", &key(1)), ("bob.example/k", &key(2))]).unwrap()
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: origin(&[0x0a; 16]),
            size: 128,
            root: std::array::from_fn(|i| i as u8),
            extensions: vec![],
        }
    }

    #[test]
    fn key_id_is_the_head_of_sha256_over_name_newline_type_and_key() {
        let pk = public(1);
        let mut input = b"alice\n\x01".to_vec();
        input.extend_from_slice(&pk);
        let digest = Sha256::digest(&input);
        assert_eq!(key_id("alice", &pk), digest[..4]);
        assert_ne!(key_id("alice", &pk), key_id("alicE", &pk));
        assert_ne!(key_id("alice", &pk), key_id("alice", &public(2)));
    }

    #[test]
    fn verifier_keys_round_trip_and_have_the_go_shape() {
        let pk = public(3);
        let vkey = verifier_key("ledger.example/x", &pk).unwrap();
        let parts: Vec<&str> = vkey.splitn(3, '+').collect();
        assert_eq!(parts[0], "ledger.example/x");
        assert_eq!(parts[1], hex(&key_id("ledger.example/x", &pk)));
        let raw = STANDARD.decode(parts[2]).unwrap();
        assert_eq!(raw.len(), 33);
        assert_eq!(raw[0], 1);
        assert_eq!(raw[1..], pk);
        assert_eq!(
            parse_verifier_key(&vkey),
            Ok(("ledger.example/x".to_owned(), pk))
        );
        // Go reads the key id with ParseUint(…, 16, 32), which takes upper-case digits.
        let upper = format!("{}+{}+{}", parts[0], parts[1].to_uppercase(), parts[2]);
        assert_eq!(parse_verifier_key(&upper).unwrap().1, pk);
    }

    #[test]
    fn bad_verifier_keys_are_refused() {
        let pk = public(3);
        let vkey = verifier_key("n", &pk).unwrap();
        let b64 = STANDARD.encode([&[1u8][..], &pk].concat());
        let id = hex(&key_id("n", &pk));
        assert!(matches!(
            verifier_key("a b", &pk),
            Err(NoteError::InvalidKeyName(_))
        ));
        assert!(verifier_key("a+b", &pk).is_err());
        assert!(verifier_key("", &pk).is_err());
        for bad in [
            String::new(),
            "n".to_owned(),
            format!("n+{id}"),
            format!("n+{id}+"),
            format!("n+{}+{b64}", &id[..7]),
            format!("n+0x{}+{b64}", &id[..6]),
            format!("n+{id}+{b64}\n"),
            format!(" n+{id}+{b64}"),
            format!(
                "n+{id}+{}",
                STANDARD.encode([&[1u8][..], &pk[..31]].concat())
            ),
            format!("n+{id}+{}", &b64[..b64.len() - 1]),
        ] {
            assert!(parse_verifier_key(&bad).is_err(), "{bad:?}");
        }
        let other = hex(&key_id("m", &pk));
        assert_eq!(
            parse_verifier_key(&format!("n+{other}+{b64}")),
            Err(NoteError::KeyIdMismatch)
        );
        let wrong_type = [&[2u8][..], &pk].concat();
        assert_eq!(
            parse_verifier_key(&format!("n+{id}+{}", STANDARD.encode(&wrong_type))),
            Err(NoteError::UnknownAlgorithm(2))
        );
        assert!(parse_verifier_key(&vkey).is_ok());
        // Every one-byte change is caught (as Go's TestNewVerifier checks).
        let bytes = vkey.as_bytes();
        for i in 0..bytes.len() {
            let mut b = bytes.to_vec();
            b[i] = b[i].wrapping_add(1);
            if let Ok(s) = std::str::from_utf8(&b) {
                assert!(parse_verifier_key(s).is_err(), "{s}");
            }
        }
    }

    #[test]
    fn key_names() {
        for good in ["a", "example.com/log42", "PeterNeumann", "名前"] {
            assert!(valid_key_name(good), "{good}");
        }
        for bad in [
            "",
            "a+b",
            "a b",
            "a\tb",
            "a\nb",
            "a\u{a0}b",
            "a\u{2003}b",
            "a\u{3000}",
            "a\u{7f}",
            "a\u{85}",
            "a\u{9f}",
        ] {
            assert!(!valid_key_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_note_signed_by_two_keys_verifies_for_each_and_no_one_else() {
        let signed = signed_by_two();
        let note = Note::parse(&signed).unwrap();
        assert_eq!(note.text, TEXT);
        assert_eq!(note.signatures.len(), 2);
        assert!(note.verified_by("alice", &public(1)));
        assert!(note.verified_by("bob.example/k", &public(2)));
        assert!(!note.verified_by("carol", &public(3)));
        assert!(!note.verified_by("alice", &public(3)));
        assert!(!note.verified_by("alice", &public(2)));
        assert!(!note.verified_by("bob.example/k", &public(1)));
        assert!(!note.verified_by("Alice", &public(1)));
        assert_eq!(note.encode(), signed);
        assert_eq!(Note::parse(&note.encode()), Ok(note));
    }

    #[test]
    fn a_one_byte_change_in_the_text_breaks_verification() {
        let signed = signed_by_two();
        for i in 0..TEXT.len() - 1 {
            let mut b = signed.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(b).unwrap();
            let Ok(note) = Note::parse(&changed) else {
                continue;
            };
            assert!(!note.verified_by("alice", &public(1)), "byte {i}");
            assert!(!note.verified_by("bob.example/k", &public(2)), "byte {i}");
        }
        // And in the signature itself.
        let mut note = Note::parse(&signed).unwrap();
        note.signatures[0].signature[10] ^= 1;
        assert!(!note.verified_by("alice", &public(1)));
    }

    #[test]
    fn the_first_line_for_a_key_decides_as_in_go() {
        let good = Note::parse(&signed_by_two()).unwrap();
        let mut bad_sig = good.signatures[0].clone();
        bad_sig.signature[0] ^= 1;
        let good_sig = good.signatures[0].clone();
        let mut note = good.clone();
        note.signatures = vec![bad_sig.clone(), good_sig.clone()];
        let note = Note::parse(&note.encode()).unwrap();
        assert!(!note.verified_by("alice", &public(1)));
        let mut note = good;
        note.signatures = vec![good_sig, bad_sig];
        let note = Note::parse(&note.encode()).unwrap();
        assert!(note.verified_by("alice", &public(1)));
    }

    #[test]
    fn signatures_of_other_algorithms_are_skipped() {
        let signed = signed_by_two();
        // A 4-byte key id and a 72-byte "cosignature".
        let other = format!("\u{2014} witness.example {}\n", STANDARD.encode([7u8; 76]));
        let note = Note::parse(&format!("{signed}{other}")).unwrap();
        assert_eq!(note.signatures.len(), 2);
        assert!(note.verified_by("alice", &public(1)));
        // Only other algorithms: nothing left to verify.
        assert_eq!(
            Note::parse(&format!("{TEXT}\n{other}")),
            Err(NoteError::NoEd25519Signature)
        );
        // Another length under the name and key id of an Ed25519 line that follows it.
        let id = key_id("alice", &public(1));
        let clash = format!(
            "\u{2014} alice {}\n",
            STANDARD.encode([&id[..], &[0u8; 10]].concat())
        );
        let block = signed
            .strip_prefix(TEXT)
            .unwrap()
            .strip_prefix('\n')
            .unwrap();
        assert!(matches!(
            Note::parse(&format!("{TEXT}\n{clash}{block}")),
            Err(NoteError::MalformedSignature { line: 2, .. })
        ));
        // After it, it is an ignored duplicate, as in Go.
        assert!(
            Note::parse(&format!("{signed}{clash}"))
                .unwrap()
                .verified_by("alice", &public(1))
        );
    }

    #[test]
    fn texts_may_hold_blank_lines_and_non_ascii() {
        let text = "première ligne\n\n\ndernière — ligne\n";
        let signed = sign(text, &[("k", &key(4))]).unwrap();
        let note = Note::parse(&signed).unwrap();
        assert_eq!(note.text, text);
        assert!(note.verified_by("k", &public(4)));
        let minimal = sign("\n", &[("k", &key(4))]).unwrap();
        assert!(Note::parse(&minimal).unwrap().verified_by("k", &public(4)));
    }

    #[test]
    fn malformed_notes_are_refused() {
        let signed = signed_by_two();
        let line = signed.lines().last().unwrap().to_owned();
        let b64 = line.rsplit(' ').next().unwrap().to_owned();
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "empty"),
            (TEXT.to_owned(), "no blank line"),
            (
                format!("{TEXT}{line}\n"),
                "no blank line before the signature",
            ),
            (format!("{TEXT}\n"), "no signatures"),
            ("\n\n".to_owned(), "nothing at all"),
            (signed.trim_end().to_owned(), "unterminated signature"),
            (format!("{signed}trailing line\n"), "not a signature line"),
            (
                format!("{signed}\u{2014}alice {b64}\n"),
                "no space after the dash",
            ),
            (format!("{signed}- alice {b64}\n"), "hyphen for a dash"),
            (format!("{signed}\u{2014} alice\n"), "no signature"),
            (format!("{signed}\u{2014} alice \n"), "empty signature"),
            (format!("{signed}\u{2014} a+b {b64}\n"), "plus in the name"),
            (format!("{signed}\u{2014} a b {b64}\n"), "space in the name"),
            (format!("{signed}\u{2014}  {b64}\n"), "empty name"),
            (
                format!("{signed}\u{2014} a\u{85}b {b64}\n"),
                "control in the name",
            ),
            (
                format!("{signed}\u{2014} alice {b64} x\n"),
                "trailing field",
            ),
            (format!("{signed}\u{2014} alice !!!!\n"), "bad base64"),
            (
                format!("{signed}\u{2014} alice {}\n", &b64[..b64.len() - 1]),
                "bad padding",
            ),
            (format!("{signed}\u{2014} alice AAE=\n"), "2-byte signature"),
            (format!("{signed}\u{2014} alice AAECAw==\n"), "key id only"),
            (format!("a\tb\n\n{line}\n"), "tab in the text"),
            (format!("a\rb\n\n{line}\n"), "carriage return"),
            (format!("a\0b\n\n{line}\n"), "NUL in the text"),
            (signed.replace('\n', "\r\n"), "CRLF"),
            (
                format!("{TEXT}\n{}", format!("{line}\n").repeat(65)),
                "65 signatures",
            ),
        ];
        for (note, why) in cases {
            assert!(Note::parse(&note).is_err(), "{why}: {note:?}");
        }
        let many = format!("{TEXT}\n{}", format!("{line}\n").repeat(64));
        assert!(Note::parse(&many).is_ok());
        let huge = format!("{}\n\n{line}\n", "a".repeat(MAX_NOTE));
        assert!(matches!(
            Note::parse(&huge),
            Err(NoteError::TooLarge { .. })
        ));
    }

    #[test]
    fn sign_refuses_what_it_cannot_write() {
        let k = key(1);
        assert_eq!(sign("", &[("a", &k)]), Err(NoteError::EmptyText));
        assert_eq!(sign("abc", &[("a", &k)]), Err(NoteError::UnterminatedText));
        assert_eq!(
            sign("a\rb\n", &[("a", &k)]),
            Err(NoteError::ControlCharacter { at: 1 })
        );
        assert_eq!(sign("a\n", &[]), Err(NoteError::NoSignatures));
        assert!(matches!(
            sign("a\n", &[("a b", &k)]),
            Err(NoteError::InvalidKeyName(_))
        ));
        assert!(matches!(
            sign("a\n", &[("a+b", &k)]),
            Err(NoteError::InvalidKeyName(_))
        ));
        assert!(matches!(
            sign("a\n", &[("a", &k), ("a", &k)]),
            Err(NoteError::DuplicateSigner { .. })
        ));
        assert!(sign("a\n", &[("a", &k), ("b", &k)]).is_ok());
        let names: Vec<String> = (0..65).map(|i| format!("k{i}")).collect();
        let signers: Vec<(&str, &SigningKey)> = names.iter().map(|n| (n.as_str(), &k)).collect();
        assert!(matches!(
            sign("a\n", &signers),
            Err(NoteError::TooManySignatures { .. })
        ));
        assert!(sign("a\n", &signers[..64]).is_ok());
        let big = format!("{}\n", "a".repeat(MAX_NOTE - 50));
        assert!(matches!(
            sign(&big, &[("a", &k)]),
            Err(NoteError::TooLarge { what: "note", .. })
        ));
        let bigger = format!("{}\n", "a".repeat(MAX_NOTE));
        assert!(matches!(
            sign(&bigger, &[("a", &k)]),
            Err(NoteError::TooLarge {
                what: "note text",
                ..
            })
        ));
    }

    #[test]
    fn checkpoints_round_trip() {
        let mut cp = checkpoint();
        assert_eq!(Checkpoint::parse_text(&cp.text()), Ok(cp.clone()));
        cp.extensions = vec!["ext one".to_owned(), "— two".to_owned()];
        cp.size = u64::MAX;
        assert_eq!(Checkpoint::parse_text(&cp.text()), Ok(cp.clone()));
        cp.size = 0;
        assert!(cp.text().contains("\n0\n"));
        assert_eq!(Checkpoint::parse_text(&cp.text()), Ok(cp.clone()));
        let signed = sign(&cp.text(), &[(&cp.origin, &key(9))]).unwrap();
        let note = Note::parse(&signed).unwrap();
        assert_eq!(Checkpoint::parse_text(&note.text), Ok(cp));
    }

    #[test]
    fn malformed_checkpoints_are_refused() {
        let root = STANDARD.encode([0u8; 32]);
        for (text, why) in [
            (String::new(), "empty"),
            (format!("o\n1\n{root}"), "no final newline"),
            ("o\n1\n".to_owned(), "two lines"),
            (format!("\n1\n{root}\n"), "empty origin"),
            (format!("o\n01\n{root}\n"), "leading zero"),
            (format!("o\n00\n{root}\n"), "zero with a leading zero"),
            (format!("o\n+1\n{root}\n"), "sign"),
            (format!("o\n-1\n{root}\n"), "negative"),
            (format!("o\n 1\n{root}\n"), "space"),
            (format!("o\n\n{root}\n"), "empty size"),
            (format!("o\n18446744073709551616\n{root}\n"), "overflow"),
            (
                format!("o\n1\n{}\n", STANDARD.encode([0u8; 31])),
                "short root",
            ),
            (
                format!("o\n1\n{}\n", STANDARD.encode([0u8; 33])),
                "long root",
            ),
            (
                "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n".to_owned(),
                "stray bits",
            ),
            (format!("o\n1\n{root}\n\n"), "empty extension"),
            (
                format!("o\n1\n{root}\next\n\nmore\n"),
                "empty extension between",
            ),
            (format!("o\n1\n{root}\r\n"), "carriage return"),
        ] {
            assert!(Checkpoint::parse_text(&text).is_err(), "{why}: {text:?}");
        }
    }

    #[test]
    fn human_form_groups_the_root_by_four_hex_digits() {
        let cp = checkpoint();
        assert_eq!(
            cp.human(),
            "custody/0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a 128 \
             0001 0203 0405 0607 0809 0a0b 0c0d 0e0f \
             1011 1213 1415 1617 1819 1a1b 1c1d 1e1f"
        );
    }

    #[test]
    fn origin_is_custody_and_the_ledger_id_in_hex() {
        let mut id = [0u8; 16];
        id[0] = 0xab;
        id[15] = 0x01;
        assert_eq!(origin(&id), "custody/ab000000000000000000000000000001");
    }

    fn proof() -> Proof {
        let cp = checkpoint();
        Proof {
            extra: None,
            index: 5,
            path: vec![[1; 32], [2; 32]],
            checkpoint: sign(&cp.text(), &[(&cp.origin, &key(9))]).unwrap(),
        }
    }

    #[test]
    fn proofs_round_trip() {
        let mut p = proof();
        let text = p.encode();
        assert!(text.starts_with("c2sp.org/tlog-proof@v1\nindex 5\nAQEB"));
        assert!(text.ends_with(&format!("\n\n{}", p.checkpoint)));
        assert_eq!(Proof::parse(&text), Ok(p.clone()));
        p.extra = Some(b"extra information".to_vec());
        p.path.clear();
        p.index = 0;
        let text = p.encode();
        assert!(
            text.starts_with("c2sp.org/tlog-proof@v1\nextra ZXh0cmEgaW5mb3JtYXRpb24=\nindex 0\n\n")
        );
        assert_eq!(Proof::parse(&text), Ok(p.clone()));
        p.extra = Some(vec![]);
        assert_eq!(Proof::parse(&p.encode()), Ok(p.clone()));
        p.path = vec![[7; 32]; 64];
        assert_eq!(Proof::parse(&p.encode()), Ok(p));
    }

    #[test]
    fn malformed_proofs_are_refused() {
        let p = proof();
        let cp = &p.checkpoint;
        let h = STANDARD.encode([1u8; 32]);
        let hashes65 = format!("{h}\n").repeat(65);
        for (text, why) in [
            (String::new(), "empty"),
            (p.encode().replacen("@v1", "@v2", 1), "wrong header"),
            (
                format!("c2sp.org/tlog-proof@v1\r\nindex 1\n\n{cp}"),
                "CRLF header",
            ),
            (
                format!("c2sp.org/tlog-proof@v1\nindex 01\n\n{cp}"),
                "leading zero",
            ),
            (
                format!("c2sp.org/tlog-proof@v1\nindex -1\n\n{cp}"),
                "negative",
            ),
            (format!("c2sp.org/tlog-proof@v1\nindex\n\n{cp}"), "no index"),
            (
                format!("c2sp.org/tlog-proof@v1\n\n{cp}"),
                "index line missing",
            ),
            (
                format!("c2sp.org/tlog-proof@v1\nindex 1\nextra AA==\n\n{cp}"),
                "extra after index",
            ),
            (
                format!("c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\n{cp}"),
                "bad extra",
            ),
            (
                format!("c2sp.org/tlog-proof@v1\nextra\nindex 1\n\n{cp}"),
                "extra without space",
            ),
            (
                format!(
                    "c2sp.org/tlog-proof@v1\nindex 1\n{}\n\n{cp}",
                    STANDARD.encode([1u8; 31])
                ),
                "short hash",
            ),
            (
                format!("c2sp.org/tlog-proof@v1\nindex 1\n{h}\n"),
                "no blank line",
            ),
            (format!("c2sp.org/tlog-proof@v1\nindex 1\n{h}"), "cut short"),
            (
                "c2sp.org/tlog-proof@v1\nindex 1\n\n".to_owned(),
                "no checkpoint",
            ),
            (
                format!("c2sp.org/tlog-proof@v1\nindex 1\n{hashes65}\n{cp}"),
                "65 hashes",
            ),
            (
                format!(
                    "c2sp.org/tlog-proof@v1\nindex 1\n\n{}",
                    sign("not\na checkpoint\n", &[("k", &key(1))]).unwrap()
                ),
                "not a checkpoint",
            ),
            (
                format!("c2sp.org/tlog-proof@v1\nindex 1\n\n{}", checkpoint().text()),
                "unsigned checkpoint",
            ),
        ] {
            assert!(Proof::parse(&text).is_err(), "{why}: {text:?}");
        }
        let huge = format!(
            "c2sp.org/tlog-proof@v1\nextra {}\nindex 1\n\n{cp}",
            "A".repeat(MAX_PROOF)
        );
        assert!(matches!(
            Proof::parse(&huge),
            Err(NoteError::TooLarge { .. })
        ));
    }

    #[test]
    fn error_messages_are_one_line() {
        let errors = [
            NoteError::TooLarge {
                what: "note",
                size: 1,
                max: 0,
            },
            NoteError::ControlCharacter { at: 3 },
            NoteError::MalformedSignature {
                line: 2,
                reason: "why",
            },
            NoteError::InvalidKeyName("a\nb".to_owned()),
            NoteError::UnknownAlgorithm(2),
        ];
        for e in errors {
            assert!(!e.to_string().contains('\n'), "{e}");
        }
    }

    proptest! {
        #[test]
        fn signed_notes_round_trip(
            lines in proptest::collection::vec("[^\\x00-\\x1f]{0,20}", 1..5),
            seeds in proptest::collection::btree_set(1u8..50, 1..4),
        ) {
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let keys: Vec<(String, SigningKey)> =
                seeds.iter().map(|&s| (format!("k{s}"), key(s))).collect();
            let signers: Vec<(&str, &SigningKey)> =
                keys.iter().map(|(n, k)| (n.as_str(), k)).collect();
            let signed = sign(&text, &signers).unwrap();
            let note = Note::parse(&signed).unwrap();
            prop_assert_eq!(&note.text, &text);
            prop_assert_eq!(note.encode(), signed);
            for (name, k) in &keys {
                prop_assert!(note.verified_by(name, &k.verifying_key().to_bytes()));
            }
        }
    }
}
