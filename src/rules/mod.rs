//! The rules and the state they judge: the state's store interface (`state`) and its in-memory
//! form for the audit (`memstore`), the custody rules of bags (`custody`), what an entry changes
//! (`transition`) and the judge that accepts or refuses an entry (`judge`), the one function
//! that both the append path and the audit call.

pub mod cabinets;
pub mod custody;
pub mod judge;
pub mod memstore;
pub mod papers;
pub mod posts;
pub mod state;
pub mod texts;
pub mod transition;
