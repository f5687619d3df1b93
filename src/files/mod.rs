//! Files: the one way custody writes a file (staged, never through a link nor over a file).

pub mod staged;
