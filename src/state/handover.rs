//! The last handover of the watch, as the state keeps it: who handed over to whom, when, and the
//! journal head the sheet anchors.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::text::one_line_owned;

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

impl HandoverMark {
    /// What a `handover` record (number `seq`, written by `by`) says, as the state keeps it;
    /// None for any other event.
    pub fn of(seq: u64, ts: DateTime<Utc>, by: String, event: &Event) -> Option<Self> {
        let Event::Handover { to, open_alerts, open_rollcalls, overdue_contacts, feeds_down, head, .. } =
            event
        else {
            return None;
        };
        Some(HandoverMark {
            seq,
            ts,
            by,
            to: to.clone().map(one_line_owned),
            head_seq: head.seq,
            open_alerts: open_alerts.len(),
            open_rollcalls: open_rollcalls.len(),
            overdue_contacts: overdue_contacts.len(),
            feeds_down: feeds_down.len(),
        })
    }
}
