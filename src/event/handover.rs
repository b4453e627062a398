//! The parts of a `handover` record: the alerts left open, and the journal head the sheet anchors.

use serde::{Deserialize, Serialize};

use crate::domain::Severity;

/// An alert open when the watch was handed over, as the record names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandedAlert {
    pub id: String,
    pub severity: Severity,
    pub title: String,
}

/// A roll-call still open at a handover: who had not been reached, and whether it was past its
/// deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandedRollcall {
    pub id: String,
    pub unreached: Vec<String>,
    pub overdue: bool,
}

/// A record of the journal by its seq and sum (64 hex digits): seq 0 (and a sum of zeros) is
/// the start of an empty journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalHead {
    pub seq: u64,
    pub sum: String,
}
