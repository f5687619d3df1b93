//! Personal keys: the passphrase-protected key file and the public-key file.

pub mod keyfile;
