//! Personal keys: the passphrase-protected key file and the public-key file, and keys on
//! PKCS#11 tokens.

pub mod keyfile;
pub mod sealed;
pub mod token;
