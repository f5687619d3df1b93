//! Sealed bags and exam sessions: what the ledger knows of each, and where a bag can be.

use crate::format::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a bag holds. The order of the variants is part of the signed format.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum BagKind {
    QuestionPapers,
    BlankAnswerSheets,
    SparePapers,
    /// Made only by `seal`: the answer sheets of one room, counted and sealed.
    CompletedAnswerSheets,
}

impl BagKind {
    pub const ALL: [BagKind; 4] = [
        BagKind::QuestionPapers,
        BagKind::BlankAnswerSheets,
        BagKind::SparePapers,
        BagKind::CompletedAnswerSheets,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BagKind::QuestionPapers => "question_papers",
            BagKind::BlankAnswerSheets => "blank_answer_sheets",
            BagKind::SparePapers => "spare_papers",
            BagKind::CompletedAnswerSheets => "completed_answer_sheets",
        }
    }
}

impl fmt::Display for BagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BagKind {
    type Err = String;
    fn from_str(s: &str) -> Result<BagKind, String> {
        BagKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown bag kind {s:?}: use question_papers, blank_answer_sheets or spare_papers"
                )
            })
    }
}

/// A bag as it enters the ledger (`collect`) or is made (`seal`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct BagSpec {
    /// The barcode.
    pub id: String,
    pub kind: BagKind,
    pub session: String,
    /// Destination exam site and room.
    pub site: String,
    pub room: String,
    pub seal: String,
    pub count: u32,
}

/// A bag as the signers observed it during an event: its barcode, and the seal number and paper
/// count they read or scanned themselves (never pre-filled from the ledger).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct BagObs {
    pub id: String,
    pub seal: Option<String>,
    pub count: Option<u32>,
}

/// Where a journey goes: an exam site, or back to the confidentiality room.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    Room,
    Site(String),
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Room => f.write_str("the confidentiality room"),
            Destination::Site(s) => f.write_str(s),
        }
    }
}

/// Where a bag is.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// In the confidentiality room, outside any cabinet.
    Room,
    Cabinet(String),
    /// On the road since `since` (entry `seq`), bound for `to`.
    Transit {
        to: Destination,
        since: Timestamp,
        seq: u64,
    },
    /// Received at an exam site.
    Site(String),
    /// Opened in a room: its sealed life is over.
    Opened {
        site: String,
        room: String,
    },
    /// Out of the ledger's custody.
    Released(String),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Room => f.write_str("in the confidentiality room"),
            Place::Cabinet(c) => write!(f, "in cabinet {c}"),
            Place::Transit { to, .. } => write!(f, "in transit to {to}"),
            Place::Site(s) => write!(f, "at {s}"),
            Place::Opened { site, room } => write!(f, "opened at {site} {room}"),
            Place::Released(to) => write!(f, "released to {to}"),
        }
    }
}

/// What the ledger knows of a bag now.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct BagState {
    /// As recorded, with corrections applied from the correcting entry on.
    pub spec: BagSpec,
    pub place: Place,
    pub collected_seq: u64,
    /// The latest entries that touched the bag, in order (corrections included). Earlier ones
    /// are kept in chunks of their own (`State::bag_history` gives them all), so that a bag
    /// named by a million entries costs no more per entry than one named by ten.
    pub history: Vec<u64>,
    /// How many chunks of earlier entries the state keeps for the bag.
    pub history_chunks: u32,
    /// When and where it was opened.
    pub opened: Option<(u64, Timestamp)>,
    /// The event time of the last entry that handled it (incidents and corrections aside):
    /// every later event on the bag is dated at or after it.
    pub last_at: Timestamp,
    /// The entry that put it where it is; a correction of an earlier entry's seal or count
    /// comes after the bag moved on.
    pub placed_seq: u64,
    /// The keyholders escorting it while in transit, as its dispatch named them; empty
    /// elsewhere.
    pub escorts: Vec<String>,
}

/// What a bag turned out to be when an incident says so.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    BrokenSeal,
    CountMismatch,
    Lost,
    Damaged,
    SpareUsed,
    Other,
}

impl IncidentKind {
    pub const ALL: [IncidentKind; 6] = [
        IncidentKind::BrokenSeal,
        IncidentKind::CountMismatch,
        IncidentKind::Lost,
        IncidentKind::Damaged,
        IncidentKind::SpareUsed,
        IncidentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::BrokenSeal => "broken_seal",
            IncidentKind::CountMismatch => "count_mismatch",
            IncidentKind::Lost => "lost",
            IncidentKind::Damaged => "damaged",
            IncidentKind::SpareUsed => "spare_used",
            IncidentKind::Other => "other",
        }
    }
}

impl FromStr for IncidentKind {
    type Err = String;
    fn from_str(s: &str) -> Result<IncidentKind, String> {
        IncidentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = IncidentKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "unknown incident kind {s:?}: use one of {}",
                    names.join(", ")
                )
            })
    }
}

/// The field a correction fixes, with its right value.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Correction {
    BagId(String),
    Seal(String),
    Count(u32),
}

/// An exam session: it defines when its bags may be opened.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SessionState {
    pub subject: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub scheduled_seq: u64,
}

/// What one room of one session has seen: the papers opened and answer sheets sealed there.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomTally {
    pub papers_opened: u64,
    pub sheets_sealed: u64,
}
