use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::domain::{Severity, Traffic};
use crate::event::Event;
use crate::text::one_line;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AlertState {
    /// Raised and waiting for someone.
    Open,
    Acknowledged,
    Resolved,
}

impl AlertState {
    pub fn label(self) -> &'static str {
        match self {
            AlertState::Open => "OPEN",
            AlertState::Acknowledged => "ACK",
            AlertState::Resolved => "RESOLVED",
        }
    }
}

/// One step in an alert's life, for the detail view and briefings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertStep {
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub ts: DateTime<Utc>,
    pub what: String,
}

/// Who acknowledged an alert, when, and with what note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub by: String,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

/// Who resolved an alert, and why (when: `Alert::resolved_at`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    pub by: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub rule: String,
    pub feed: String,
    pub item: String,
    pub severity: Severity,
    pub title: String,
    pub missions: Vec<String>,
    pub traffic: Traffic,
    pub state: AlertState,
    /// When it was escalated, while it waits unacknowledged after that.
    #[serde(default, deserialize_with = "crate::rfc3339::option")]
    pub escalated_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub raised: DateTime<Utc>,
    /// When the item's event happened (its own time, as the journal's item holds it), if it
    /// says: beside `raised`, it tells a fresh event from an old one raised late.
    #[serde(default, deserialize_with = "crate::rfc3339::option")]
    pub event_time: Option<DateTime<Utc>>,
    /// When it last began waiting for someone: raised, or unacknowledged. Escalation counts
    /// from here.
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub waiting_since: DateTime<Utc>,
    pub acknowledged: Option<Acknowledgement>,
    #[serde(default, deserialize_with = "crate::rfc3339::option")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub resolution: Option<Resolution>,
    pub history: Vec<AlertStep>,
    /// The desk that raised it, when another desk did (`remote`): this desk shows it, and
    /// leaves acting on it to that desk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk: Option<String>,
    /// When its raising reached this desk, for another desk's alert: a link down for hours
    /// brings it here long after `raised`, and a briefing counts it in the period it arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<DateTime<Utc>>,
}

impl Alert {
    /// When this desk learned of it: when raised here, or when another desk's raising arrived.
    pub fn raised_here(&self) -> DateTime<Utc> {
        self.received.unwrap_or(self.raised)
    }

    /// Escalated and still waiting for someone.
    pub fn escalated(&self) -> bool {
        self.escalated_at.is_some()
    }
}

/// Folds an alert event: the one definition of an alert's life, for the screen and for
/// briefings. `event_time` looks up the time of the item an alert concerns, which the journal
/// recorded (and the state folded) before the alert; a reader that keeps no items says None.
pub fn apply(
    alerts: &mut BTreeMap<String, Arc<Alert>>,
    event: &Event,
    ts: DateTime<Utc>,
    event_time: impl Fn(&str, &str) -> Option<DateTime<Utc>>,
) {
    let step = |what: String| AlertStep { ts, what: one_line(&what) };
    match event {
        Event::AlertRaised { alert, rule, feed, item, severity, title, missions, traffic } => {
            alerts.insert(
                alert.clone(),
                Arc::new(Alert {
                    id: alert.clone(),
                    rule: one_line(rule),
                    feed: one_line(feed),
                    item: one_line(item),
                    severity: *severity,
                    title: one_line(title),
                    missions: missions.clone(),
                    traffic: *traffic,
                    state: AlertState::Open,
                    escalated_at: None,
                    raised: ts,
                    event_time: event_time(feed, item),
                    waiting_since: ts,
                    acknowledged: None,
                    resolved_at: None,
                    resolution: None,
                    history: vec![step(format!("raised by rule {rule}"))],
                    desk: None,
                    received: None,
                }),
            );
        }
        Event::AlertUpdated { alert, severity, title } => {
            if let Some(a) = alerts.get_mut(alert).map(Arc::make_mut) {
                a.severity = *severity;
                a.title = one_line(title);
                a.event_time = event_time(&a.feed, &a.item).or(a.event_time);
                a.history.push(step(format!("updated: {severity}")));
            }
        }
        Event::AlertAcknowledged { alert, operator, note } => {
            if let Some(a) = still_open(alerts, alert) {
                a.state = AlertState::Acknowledged;
                a.escalated_at = None;
                a.acknowledged = Some(Acknowledgement {
                    by: one_line(operator),
                    at: ts,
                    note: note.as_deref().map(one_line),
                });
                let what = match note {
                    Some(note) => format!("acknowledged by {operator}: {note}"),
                    None => format!("acknowledged by {operator}"),
                };
                a.history.push(step(what));
            }
        }
        Event::AlertUnacknowledged { alert, operator } => {
            if let Some(a) = still_open(alerts, alert) {
                a.state = AlertState::Open;
                a.acknowledged = None;
                a.waiting_since = ts;
                a.history.push(step(format!("unacknowledged by {operator}")));
            }
        }
        Event::AlertEscalated { alert } => {
            if let Some(a) = still_open(alerts, alert) {
                a.escalated_at = Some(ts);
                a.history.push(step("escalated".to_string()));
            }
        }
        Event::AlertResolved { alert, operator, reason } => {
            if let Some(a) = still_open(alerts, alert) {
                a.state = AlertState::Resolved;
                a.escalated_at = None;
                a.resolved_at = Some(ts);
                a.resolution = Some(Resolution { by: one_line(operator), reason: one_line(reason) });
                a.history.push(step(format!("resolved by {operator}: {reason}")));
            }
        }
        _ => {}
    }
}

/// The alert to change, unless it is resolved: its life is over, and an action that crossed its
/// resolution (another desk's, or a command racing the poller) must not reopen it.
fn still_open<'a>(alerts: &'a mut BTreeMap<String, Arc<Alert>>, id: &str) -> Option<&'a mut Alert> {
    alerts.get_mut(id).filter(|a| a.state != AlertState::Resolved).map(Arc::make_mut)
}
