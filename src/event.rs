//! The events the journal records. Each is one JSON line; the `kind` names are dotted and stable,
//! because operators run `jq` and scripts over them (README, "Journal events").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{FeedItem, Severity, Traffic};

/// One journal record: an event with its place in the record and who caused it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    /// The operator (login name) or source (`feed:NAME`, `attache`) that caused the event.
    pub by: String,
    #[serde(flatten)]
    pub event: Event,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WithdrawReason {
    Expired,
    Stale,
    Cancelled,
    Gone,
}

impl WithdrawReason {
    pub fn as_str(self) -> &'static str {
        match self {
            WithdrawReason::Expired => "expired",
            WithdrawReason::Stale => "stale",
            WithdrawReason::Cancelled => "cancelled",
            WithdrawReason::Gone => "gone from feed",
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Event {
    #[serde(rename = "session.started")]
    SessionStarted { operator: String, host: String, terminal: String },
    #[serde(rename = "session.ended")]
    SessionEnded { operator: String, host: String },
    #[serde(rename = "config.loaded")]
    ConfigLoaded { path: String, digest: String, feeds: usize, missions: usize, contacts: usize },
    #[serde(rename = "note")]
    Note { operator: String, text: String },
    #[serde(rename = "item.seen")]
    ItemSeen { item: FeedItem },
    #[serde(rename = "item.updated")]
    ItemUpdated { item: FeedItem },
    #[serde(rename = "item.withdrawn")]
    ItemWithdrawn { feed: String, id: String, reason: WithdrawReason },
    /// A successful poll, journaled when it changed something or after a quiet spell, so the
    /// record shows when each feed was last known good.
    #[serde(rename = "feed.polled")]
    FeedPolled {
        feed: String,
        items: usize,
        new: usize,
        updated: usize,
        withdrawn: usize,
        ms: u64,
        /// Entries of the document that could not be read, with the first one's reason.
        #[serde(default, skip_serializing_if = "is_zero")]
        skipped: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        problem: Option<String>,
    },
    #[serde(rename = "feed.failed")]
    FeedFailed { feed: String, error: String },
    #[serde(rename = "feed.recovered")]
    FeedRecovered { feed: String },
    #[serde(rename = "alert.raised")]
    AlertRaised {
        alert: String,
        rule: String,
        feed: String,
        item: String,
        severity: Severity,
        title: String,
        #[serde(default)]
        missions: Vec<String>,
        /// Exercise and test traffic stays marked as such on every alert it raises.
        #[serde(default)]
        traffic: Traffic,
    },
    #[serde(rename = "alert.updated")]
    AlertUpdated { alert: String, severity: Severity, title: String },
    #[serde(rename = "alert.acknowledged")]
    AlertAcknowledged {
        alert: String,
        operator: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    #[serde(rename = "alert.unacknowledged")]
    AlertUnacknowledged { alert: String, operator: String },
    #[serde(rename = "alert.escalated")]
    AlertEscalated { alert: String },
    #[serde(rename = "alert.resolved")]
    AlertResolved { alert: String, operator: String, reason: String },
    #[serde(rename = "contact.checked_in")]
    ContactCheckedIn { contact: String, operator: String },
}

/// Every kind name this version writes or reads.
pub const KINDS: &[&str] = &[
    "session.started",
    "session.ended",
    "config.loaded",
    "note",
    "item.seen",
    "item.updated",
    "item.withdrawn",
    "feed.polled",
    "feed.failed",
    "feed.recovered",
    "alert.raised",
    "alert.updated",
    "alert.acknowledged",
    "alert.unacknowledged",
    "alert.escalated",
    "alert.resolved",
    "contact.checked_in",
];

impl Event {
    /// The dotted kind name as it appears in the journal.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::SessionStarted { .. } => "session.started",
            Event::SessionEnded { .. } => "session.ended",
            Event::ConfigLoaded { .. } => "config.loaded",
            Event::Note { .. } => "note",
            Event::ItemSeen { .. } => "item.seen",
            Event::ItemUpdated { .. } => "item.updated",
            Event::ItemWithdrawn { .. } => "item.withdrawn",
            Event::FeedPolled { .. } => "feed.polled",
            Event::FeedFailed { .. } => "feed.failed",
            Event::FeedRecovered { .. } => "feed.recovered",
            Event::AlertRaised { .. } => "alert.raised",
            Event::AlertUpdated { .. } => "alert.updated",
            Event::AlertAcknowledged { .. } => "alert.acknowledged",
            Event::AlertUnacknowledged { .. } => "alert.unacknowledged",
            Event::AlertEscalated { .. } => "alert.escalated",
            Event::AlertResolved { .. } => "alert.resolved",
            Event::ContactCheckedIn { .. } => "contact.checked_in",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_is_one_flat_json_object_with_dotted_kind() {
        let record = Record {
            seq: 7,
            ts: "2026-11-25T03:00:00Z".parse().unwrap(),
            by: "reyes".into(),
            event: Event::Note { operator: "reyes".into(), text: "Called DATT Tokyo".into() },
        };
        let line = serde_json::to_string(&record).unwrap();
        assert_eq!(
            line,
            r#"{"seq":7,"ts":"2026-11-25T03:00:00Z","by":"reyes","kind":"note","operator":"reyes","text":"Called DATT Tokyo"}"#
        );
        let back: Record = serde_json::from_str(&line).unwrap();
        assert_eq!(back, record);
        assert_eq!(back.event.kind(), "note");
    }
}
