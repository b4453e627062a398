//! The events the journal records. Each is one JSON line; the `kind` names are dotted and stable,
//! because operators run `jq` and scripts over them (README, "Journal events").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Answer, FeedItem, MissionStatus, Severity, Traffic};

mod handover;
mod read;

pub use handover::{HandedAlert, HandedRollcall, JournalHead};
pub use read::{ItemFields, ItemView, read_item, read_record};

/// One journal record: an event with its place in the record and who caused it. Read by hand
/// (`read.rs`): the derived reading of a flattened, tagged enum buffers every field twice.
#[derive(Clone, Debug, PartialEq, Serialize)]
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

/// Declares `Event` with each variant's dotted kind written once: the enum (written and read
/// as one flat object tagged by `kind`), `KINDS`, `Event::kind`, and a reader of each kind's
/// fields straight from the record (`read.rs`).
macro_rules! events {
    ($(
        $(#[$variant_meta:meta])*
        $kind:literal => $variant:ident { $( $(#[$field_meta:meta])* $field:ident : $ty:ty ),* $(,)? }
    ),* $(,)?) => {
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind")]
        pub enum Event {
            $(
                $(#[$variant_meta])*
                #[serde(rename = $kind)]
                $variant { $( $(#[$field_meta])* $field: $ty ),* },
            )*
        }

        /// Every kind name this version writes or reads.
        pub const KINDS: &[&str] = &[$($kind),*];

        impl Event {
            /// The dotted kind name as it appears in the journal.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Event::$variant { .. } => $kind,)*
                }
            }
        }

        /// Each kind's fields as a struct of their own, so they can be read without the
        /// buffering a tagged enum needs.
        mod fields {
            #![allow(clippy::struct_field_names)]
            use super::*;
            $(
                #[derive(Deserialize)]
                pub(super) struct $variant { $( $(#[$field_meta])* pub(super) $field: $ty ),* }
            )*
        }

        /// Reads the fields of an event of `kind` from `fields`; None if the kind is unknown.
        fn read_fields<'de, D: serde::Deserializer<'de>>(kind: &str, fields: D) -> Result<Option<Event>, D::Error> {
            Ok(Some(match kind {
                $($kind => {
                    let fields::$variant { $($field),* } = fields::$variant::deserialize(fields)?;
                    Event::$variant { $($field),* }
                })*
                _ => return Ok(None),
            }))
        }
    };
}

events! {
    "session.started" => SessionStarted { operator: String, host: String, terminal: String },
    "session.ended" => SessionEnded { operator: String, host: String },
    "config.loaded" => ConfigLoaded {
        path: String,
        digest: String,
        feeds: usize,
        missions: usize,
        contacts: usize,
        /// What the configuration shapes on screen, secrets left out (`config::ConfigSnapshot`):
        /// written when the record does not already hold this configuration, and on a reload.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        config: Option<Box<crate::config::ConfigSnapshot>>,
    },
    /// An operator's note, tied to the mission, alert or contact it is about when written
    /// about one (`n` with one selected, `attache note --mission ID`).
    "note" => Note {
        operator: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mission: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alert: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contact: Option<String>,
    },
    "item.seen" => ItemSeen { item: FeedItem },
    "item.updated" => ItemUpdated { item: FeedItem },
    "item.withdrawn" => ItemWithdrawn { feed: String, id: String, reason: WithdrawReason },
    /// A successful poll, journaled when it changed something or after a quiet spell, so the
    /// record shows when each feed was last known good.
    "feed.polled" => FeedPolled {
        feed: String,
        items: usize,
        new: usize,
        updated: usize,
        withdrawn: usize,
        ms: u64,
        /// Entries of the document that could not be read, and items kept with a part that
        /// could not be (a time, a position), with the first problem of either.
        #[serde(default, skip_serializing_if = "is_zero")]
        skipped: usize,
        #[serde(default, skip_serializing_if = "is_zero")]
        incomplete: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        problem: Option<String>,
    },
    "feed.failed" => FeedFailed { feed: String, error: String },
    "feed.recovered" => FeedRecovered { feed: String },
    "alert.raised" => AlertRaised {
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
    "alert.updated" => AlertUpdated { alert: String, severity: Severity, title: String },
    "alert.acknowledged" => AlertAcknowledged {
        alert: String,
        operator: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    "alert.unacknowledged" => AlertUnacknowledged { alert: String, operator: String },
    "alert.escalated" => AlertEscalated { alert: String },
    "alert.resolved" => AlertResolved { alert: String, operator: String, reason: String },
    /// The desk reached a contact: by which channel and with what word, when said. Keyed by the
    /// contact's name, which is its id in the desk file.
    "contact.checked_in" => ContactCheckedIn {
        contact: String,
        operator: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The desk set a mission's status, with a short status line when given; the operator is
    /// the record's `by`. From this record on, a mission not active matches no rule.
    "mission.status_changed" => MissionStatusChanged {
        mission: String,
        status: MissionStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The desk opened a roll-call of `contacts` (named as `contact.checked_in` names them), to
    /// be reached by `deadline`: for a mission (`R`), or for an alert near their posts.
    "rollcall.opened" => RollcallOpened {
        rollcall: String,
        contacts: Vec<String>,
        deadline: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mission: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alert: Option<String>,
        reason: String,
    },
    /// What the desk heard from a contact of a roll-call; who took it is the record's `by`.
    "rollcall.answered" => RollcallAnswered {
        rollcall: String,
        contact: String,
        answer: Answer,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A roll-call's deadline passed with `contacts` not reached: written once, by the process
    /// that polls.
    "rollcall.overdue" => RollcallOverdue { rollcall: String, contacts: Vec<String> },
    "rollcall.closed" => RollcallClosed {
        rollcall: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A `[[notify]]` command took the notification of `record` (its seq): for `rule`, by
    /// `trigger` (the selector as written), after `attempts` runs.
    "notify.sent" => NotifySent { rule: String, trigger: String, record: u64, attempts: u32, ms: u64 },
    /// A `[[notify]]` command did not take it, after `attempts` runs: why the last one failed
    /// (timed out, its exit status, or why it could not be started).
    "notify.failed" => NotifyFailed { rule: String, trigger: String, record: u64, attempts: u32, error: String },
    /// The end of a watch (`attache handover`): what was open, the journal's last record when
    /// the sheet was made (`head`, which the sheet anchors), and where the sheet is. The operator is the
    /// record's `by`; `copy` says how copying the sheet off the host went, when it was asked for.
    "handover" => Handover {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
        open_alerts: Vec<HandedAlert>,
        /// Absent when none were open, so a record without it reads back byte for byte.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        open_rollcalls: Vec<HandedRollcall>,
        overdue_contacts: Vec<String>,
        feeds_down: Vec<String>,
        head: JournalHead,
        sheet: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        copy: Option<String>,
    },
    /// Another desk's record, received over `[sync]`: `record` is its journal line byte for byte
    /// (its own seq, `prev` and `sum`), so that desk's chain can be checked here. `after_seq` and
    /// `after_sum` name the record that desk shared just before it (0 and zeros for its first),
    /// so a gap or a fork in what was shared shows at `journal verify`. `stream_seq` is where the
    /// stream held it: the receiver resumes after the last one its journal holds.
    "remote" => Remote {
        desk: String,
        record: String,
        after_seq: u64,
        after_sum: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stream_seq: Option<u64>,
    },
    /// The desks this desk follows (`[sync] follow`, `"*"` for every desk), written when a
    /// console or `attache poll` starts following other desks than the record last said: what
    /// a desk no longer followed had shown here leaves the screen and later briefings.
    "sync.following" => SyncFollowing { follow: Vec<String> },
    /// An operator chose to append to a journal `journal verify` finds damaged: what it found.
    "journal.written_after_damage" => JournalWrittenAfterDamage { operator: String, damage: String },
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
            event: Event::Note {
                operator: "reyes".into(),
                text: "Called DATT Tokyo".into(),
                mission: None,
                alert: None,
                contact: None,
            },
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
