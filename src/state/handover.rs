//! The last handover of the watch, as the state keeps it: who handed over to whom, when, and the
//! journal head the sheet anchors.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverMark {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub by: String,
    pub to: Option<String>,
    /// The record the sheet anchors: the journal's last before the handover.
    pub head_seq: u64,
    pub open_alerts: usize,
    #[serde(default)]
    pub open_rollcalls: usize,
    pub overdue_contacts: usize,
    pub feeds_down: usize,
}
