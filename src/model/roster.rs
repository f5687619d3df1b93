//! Keyholders, their roles, and the keyed tags that tell whether two keys belong to one person.

use crate::format::time::Timestamp;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;
use std::str::FromStr;
use unicode_normalization::UnicodeNormalization;

/// What a keyholder may co-sign. The order of the variants is part of the signed format.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Custodian,
    Supervisor,
    Escort,
    Police,
    ChiefExaminer,
    Invigilator,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Custodian,
        Role::Supervisor,
        Role::Escort,
        Role::Police,
        Role::ChiefExaminer,
        Role::Invigilator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Custodian => "custodian",
            Role::Supervisor => "supervisor",
            Role::Escort => "escort",
            Role::Police => "police",
            Role::ChiefExaminer => "chief_examiner",
            Role::Invigilator => "invigilator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown role {s:?}: use one of {}", names.join(", "))
            })
    }
}

/// How a keyholder's private key is held, as declared (and signed) at enrolment. The ledger
/// cannot see a key's kind in a signature: it only records what the admins declared.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// A passphrase-protected key file.
    File,
    /// A key on a PKCS#11 token that signs but never reveals it.
    Token,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::File => "file",
            KeyKind::Token => "token",
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyKind {
    type Err = String;
    fn from_str(s: &str) -> Result<KeyKind, String> {
        match s {
            "file" => Ok(KeyKind::File),
            "token" => Ok(KeyKind::Token),
            _ => Err(format!("unknown key kind {s:?}: use file or token")),
        }
    }
}

/// A keyholder as enrolled: everything the ledger knows of them, in the signed body.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Keyholder {
    pub id: String,
    pub name: String,
    /// Strictly increasing, so that one set of roles has one encoding.
    pub roles: Vec<Role>,
    pub public_key: [u8; 32],
    /// HMAC-SHA256 of the normalised person number under the ledger's person key.
    pub person_tag: [u8; 32],
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    /// How the key is held, if the enrolment declared it.
    pub key_kind: Option<KeyKind>,
}

impl Keyholder {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the validity window contains `t`.
    pub fn valid_at(&self, t: Timestamp) -> bool {
        self.valid_from.is_none_or(|from| from <= t)
            && self.valid_until.is_none_or(|until| t <= until)
    }
}

/// Why a person number was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("person number must be 1 to 32 digits or letters A-Z after dropping spaces and hyphens")]
pub struct BadPersonNumber;

/// NFKC, spaces and hyphens dropped, upper case; then `[0-9A-Z]{1,32}`.
/// Full-width digits typed on a Chinese keyboard normalise to the same number.
pub fn normalize_person_number(raw: &str) -> Result<String, BadPersonNumber> {
    let n: String = raw
        .nfkc()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(|c| c.to_uppercase())
        .collect();
    if (1..=32).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        Ok(n)
    } else {
        Err(BadPersonNumber)
    }
}

/// The person tag stored in the journal: HMAC-SHA256(person key, normalised number).
/// The key stays in the ledger directory, so the journal never reveals a number, yet equal
/// tags still show one person holding two keys.
pub fn person_tag(person_key: &[u8; 32], raw: &str) -> Result<[u8; 32], BadPersonNumber> {
    let n = normalize_person_number(raw)?;
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(person_key).expect("HMAC takes any key length");
    mac.update(n.as_bytes());
    Ok(mac.finalize().into_bytes().into())
}

/// What the genesis commits to about the person-tag key:
/// SHA-256("custody person key v1" ‖ 0x00 ‖ key). It reveals nothing of the key (32 random bytes)
/// and lets a writer tell the ledger's own key from a swapped one.
pub fn person_key_hash(person_key: &[u8; 32]) -> [u8; 32] {
    let mut h = <Sha256 as sha2::Digest>::new();
    sha2::Digest::update(&mut h, b"custody person key v1\0");
    sha2::Digest::update(&mut h, person_key);
    sha2::Digest::finalize(h).into()
}

/// The longest display name, in UTF-8 bytes.
pub const MAX_NAME_LEN: usize = 256;

/// Why a display name is unacceptable, or `None` when it is fine. Names are free UTF-8 (usually
/// Chinese) but sit on one line of a `.pub` file and of every summary.
pub fn display_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.len() > MAX_NAME_LEN {
        Some("it is longer than 256 bytes")
    } else if crate::format::printable::text_problem(
        name,
        crate::format::printable::TextKind::Words,
    )
    .is_some()
    {
        Some("it contains a control character or line break")
    } else if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
        // A leading space would turn the .pub separator into a double space.
        Some("it starts or ends with whitespace")
    } else {
        None
    }
}

/// Keyholder ids: `[a-z0-9._-]{1,32}`; they appear in file names and signed-note key names.
pub fn valid_keyholder_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_numbers_normalise() {
        assert_eq!(
            normalize_person_number(" 3301-0219 80x ").unwrap(),
            "3301021980X"
        );
        // Full-width digits and letters (as typed with a Chinese IME) are the same number.
        assert_eq!(normalize_person_number("３３０１ｘ").unwrap(), "3301X");
        assert!(normalize_person_number("").is_err());
        assert!(normalize_person_number("12/34").is_err());
        assert!(normalize_person_number(&"1".repeat(33)).is_err());
    }

    #[test]
    fn tags_depend_on_the_number_and_the_key() {
        let k = [1u8; 32];
        assert_eq!(
            person_tag(&k, "12-34").unwrap(),
            person_tag(&k, "1234").unwrap()
        );
        assert_ne!(
            person_tag(&k, "1234").unwrap(),
            person_tag(&k, "1235").unwrap()
        );
        assert_ne!(
            person_tag(&k, "1234").unwrap(),
            person_tag(&[2u8; 32], "1234").unwrap()
        );
    }

    #[test]
    fn validity_windows_include_both_ends() {
        let k = Keyholder {
            id: "c1".into(),
            name: "王丽".into(),
            roles: vec![Role::Custodian],
            public_key: [1; 32],
            person_tag: [2; 32],
            valid_from: Some(Timestamp(1_000)),
            valid_until: Some(Timestamp(2_000)),
            key_kind: None,
        };
        assert!(!k.valid_at(Timestamp(999)));
        assert!(k.valid_at(Timestamp(1_000)));
        assert!(k.valid_at(Timestamp(2_000)));
        assert!(!k.valid_at(Timestamp(2_001)));
    }

    #[test]
    fn roles_parse_and_print() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("boss".parse::<Role>().is_err());
    }

    #[test]
    fn the_key_kind_ends_a_keyholder_as_format_md_says() {
        let mut k = Keyholder {
            id: "zhang".into(),
            name: "张建国".into(),
            roles: vec![Role::Custodian],
            public_key: [1; 32],
            person_tag: [2; 32],
            valid_from: None,
            valid_until: None,
            key_kind: Some(KeyKind::Token),
        };
        let token = crate::format::encoding::encode(&k).unwrap();
        assert!(token.ends_with(&[0x00, 0x00, 0x01, 0x01]), "{token:02x?}");
        k.key_kind = Some(KeyKind::File);
        assert!(
            crate::format::encoding::encode(&k)
                .unwrap()
                .ends_with(&[0x01, 0x00])
        );
        k.key_kind = None;
        assert!(
            crate::format::encoding::encode(&k)
                .unwrap()
                .ends_with(&[0x00, 0x00, 0x00])
        );
        for kind in [KeyKind::File, KeyKind::Token] {
            assert_eq!(kind.as_str().parse::<KeyKind>().unwrap(), kind);
        }
        assert!("smartcard".parse::<KeyKind>().is_err());
    }

    #[test]
    fn keyholder_ids() {
        assert!(valid_keyholder_id("wang.li-2"));
        assert!(!valid_keyholder_id("Wang"));
        assert!(!valid_keyholder_id(""));
        assert!(!valid_keyholder_id(&"a".repeat(33)));
        assert!(!valid_keyholder_id("a b"));
    }
}
