//! The register code: a short fingerprint of a tree head, for the paper register. People copy
//! `SIZE CODE` by hand and read it aloud, so the code is 100 bits in Crockford base32, in five
//! groups of four (`K7Q2-9XWD-3MFA-PQ8R-T2ZB`); `docs/FORMAT.md` specifies it byte for byte.

use sha2::{Digest, Sha256};

/// What the fingerprint hashes first, so that it is never the hash of anything else.
const DOMAIN: &[u8] = b"custody register code v1\n";

/// Crockford's base32 alphabet: no I, L, O or U, which are misread or misheard.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Symbols in a code: 20 of 5 bits, 100 bits.
const SYMBOLS: usize = 20;

/// Why a register line cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterError {
    #[error(
        "{0:?} is not a register line: give the size and the code, e.g. \"128 K7Q2-9XWD-3MFA-PQ8R-T2ZB\""
    )]
    Shape(String),
    #[error("{0:?}: a register code has 20 letters and digits (Crockford base32, no I, L, O or U)")]
    Code(String),
}

/// The code of the tree of `size` entries with root `root` in ledger `ledger_id`:
/// SHA-256(DOMAIN ‖ ledger id ‖ size as 8 bytes big-endian ‖ root), its first 100 bits in
/// base32, most significant bit first, grouped by four with `-`.
pub fn code(ledger_id: &[u8; 16], size: u64, root: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(ledger_id);
    h.update(size.to_be_bytes());
    h.update(root);
    let digest = h.finalize();
    let mut out = String::with_capacity(SYMBOLS + SYMBOLS / 4);
    for i in 0..SYMBOLS {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let bit = i * 5;
        let pair = u16::from_be_bytes([digest[bit / 8], digest[bit / 8 + 1]]);
        let symbol = (pair >> (11 - bit % 8)) & 0x1f;
        out.push(char::from(ALPHABET[usize::from(symbol)]));
    }
    out
}

/// The line for the paper register: `128 K7Q2-9XWD-3MFA-PQ8R-T2ZB`.
pub fn line(ledger_id: &[u8; 16], size: u64, root: &[u8; 32]) -> String {
    format!("{size} {}", code(ledger_id, size, root))
}

/// Reads a line copied from the register: the size, then the code, in either case, with or
/// without dashes and spaces; `O` is read as `0` and `I`, `L` as `1`, as Crockford says.
/// Returns the size and the code in its printed form.
pub fn parse_line(text: &str) -> Result<(u64, String), RegisterError> {
    let text = text.trim();
    let (size, rest) = text
        .split_once(char::is_whitespace)
        .ok_or_else(|| RegisterError::Shape(text.to_string()))?;
    let size: u64 = size
        .parse()
        .map_err(|_| RegisterError::Shape(text.to_string()))?;
    let mut symbols = String::with_capacity(SYMBOLS);
    for c in rest.chars().filter(|c| *c != '-' && !c.is_whitespace()) {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
            return Err(RegisterError::Code(rest.trim().to_string()));
        }
        symbols.push(c);
    }
    if symbols.len() != SYMBOLS {
        return Err(RegisterError::Code(rest.trim().to_string()));
    }
    let grouped: Vec<&str> = (0..SYMBOLS)
        .step_by(4)
        .map(|i| &symbols[i..i + 4])
        .collect();
    Ok((size, grouped.join("-")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_100_bits_in_five_groups() {
        let c = code(&[1; 16], 10, &[2; 32]);
        assert_eq!(c.len(), 24, "{c}");
        assert_eq!(c.matches('-').count(), 4, "{c}");
        assert!(c.chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
        // Every input changes it.
        assert_ne!(c, code(&[1; 16], 11, &[2; 32]));
        assert_ne!(c, code(&[3; 16], 10, &[2; 32]));
        assert_ne!(c, code(&[1; 16], 10, &[4; 32]));
    }

    #[test]
    fn the_code_follows_its_specification() {
        // docs/FORMAT.md gives this vector.
        assert_eq!(code(&[0; 16], 1, &[0; 32]), VECTOR);
    }
    const VECTOR: &str = "EJGT-G1X7-9MSG-TCXY-TP69";

    #[test]
    fn a_copied_line_is_read_loosely() {
        let c = code(&[1; 16], 10, &[2; 32]);
        let (size, read) =
            parse_line(&format!("10 {}", c.to_lowercase().replace('-', " "))).unwrap();
        assert_eq!((size, read.as_str()), (10, c.as_str()));
        let o = "10 0000-0000-0000-0000-0000";
        assert_eq!(
            parse_line("10 OOOO-oooo-0000-0000-0000").unwrap().1,
            &o[3..]
        );
        assert!(parse_line("K7Q2").is_err());
        assert!(parse_line("10 K7Q2-9XWD").is_err());
        assert!(parse_line("10 K7Q2-9XWD-3MFA-PQ8R-T2ZU").is_err());
    }
}
