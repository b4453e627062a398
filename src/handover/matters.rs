//! What a watch hands over: the alerts still open, the contacts overdue for a check-in and the
//! feeds down, read from the desk's state (the one reducer's fold) against the configuration in
//! force, at a moment. One function, so the sheet, the record and the screen agree.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::Severity;
use crate::event::{HandedAlert, HandedRollcall};
use crate::state::{AlertState, DeskState, last_contact};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenAlert {
    pub id: String,
    pub severity: Severity,
    pub title: String,
    pub raised: DateTime<Utc>,
    /// `OPEN`, `ACK` or `ESCALATED`.
    pub state: &'static str,
    pub acknowledged_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverdueContact {
    pub name: String,
    pub post: String,
    pub last_contact: Option<DateTime<Utc>>,
    /// Past due by this much; None when never contacted.
    pub overdue_by: Option<chrono::Duration>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenRollcall {
    pub id: String,
    pub reason: String,
    pub opened: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    /// Never answered, or tried and not reached.
    pub unreached: Vec<String>,
    pub called: usize,
    pub overdue: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedDown {
    pub feed: String,
    pub since: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// The matters open at a handover, each list in the order the sheet shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matters {
    /// Most severe first, then oldest first.
    pub open_alerts: Vec<OpenAlert>,
    /// Overdue first, then the oldest.
    pub open_rollcalls: Vec<OpenRollcall>,
    /// Never contacted first, then longest overdue first.
    pub overdue_contacts: Vec<OverdueContact>,
    /// By name.
    pub feeds_down: Vec<FeedDown>,
}

/// What is open in `state` at `now`, the contacts and their cadences as `config` (the one in
/// force at the state's last record) says.
pub fn open_at(state: &DeskState, config: &Config, now: DateTime<Utc>) -> Matters {
    // Other desks' alerts (over `[sync]`) are theirs to work: not handed over as this watch's.
    let mut open_alerts: Vec<OpenAlert> = state
        .open_alerts()
        .filter(|a| a.desk.is_none())
        .map(|a| OpenAlert {
            id: a.id.clone(),
            severity: a.severity,
            title: a.title.clone(),
            raised: a.raised,
            state: match (a.state, a.escalated()) {
                (AlertState::Acknowledged, _) => "ACK",
                (_, true) => "ESCALATED",
                _ => "OPEN",
            },
            acknowledged_by: a.acknowledged.as_ref().map(|ack| ack.by.clone()),
        })
        .collect();
    open_alerts
        .sort_by(|a, b| b.severity.cmp(&a.severity).then(a.raised.cmp(&b.raised)).then(a.id.cmp(&b.id)));
    let mut overdue_contacts: Vec<OverdueContact> = config
        .contacts
        .iter()
        .filter_map(|contact| {
            let last = last_contact(state.check_ins(), contact);
            let overdue_by = contact.status_at(now, last).overdue_by?;
            Some(OverdueContact {
                name: contact.name.clone(),
                post: contact.post.clone(),
                last_contact: last,
                overdue_by: last.map(|_| overdue_by),
            })
        })
        .collect();
    overdue_contacts.sort_by(|a, b| {
        let key = |c: &OverdueContact| c.overdue_by.map(|d| -d.num_seconds()).unwrap_or(i64::MIN);
        key(a).cmp(&key(b)).then(a.name.cmp(&b.name))
    });
    let feeds_down = state
        .feeds()
        .iter()
        .filter_map(|(feed, health)| {
            Some(FeedDown {
                feed: feed.clone(),
                since: health.failing_since?,
                last_error: health.last_error.as_ref().map(|(_, error)| error.clone()),
            })
        })
        .collect();
    let mut open_rollcalls: Vec<OpenRollcall> = state
        .rollcalls()
        .values()
        .filter(|r| r.is_open())
        .map(|r| OpenRollcall {
            id: r.id.clone(),
            reason: r.reason.clone(),
            opened: r.opened_at,
            deadline: r.deadline,
            unreached: r.unreached(),
            called: r.contacts.len(),
            overdue: r.is_overdue(now),
        })
        .collect();
    open_rollcalls
        .sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.opened.cmp(&b.opened)).then(a.id.cmp(&b.id)));
    Matters { open_alerts, open_rollcalls, overdue_contacts, feeds_down }
}

impl Matters {
    /// The roll-calls as the `handover` record names them.
    pub fn handed_rollcalls(&self) -> Vec<HandedRollcall> {
        self.open_rollcalls
            .iter()
            .map(|r| HandedRollcall { id: r.id.clone(), unreached: r.unreached.clone(), overdue: r.overdue })
            .collect()
    }

    /// The alerts as the `handover` record names them.
    pub fn handed_alerts(&self) -> Vec<HandedAlert> {
        self.open_alerts
            .iter()
            .map(|a| HandedAlert { id: a.id.clone(), severity: a.severity, title: a.title.clone() })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Record;

    fn record(seq: u64, ts: &str, line: &str) -> Record {
        let text = format!(r#"{{"seq":{seq},"ts":"{ts}","by":"reyes",{line}}}"#);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    fn raised(seq: u64, ts: &str, id: &str, severity: &str) -> Record {
        let line = format!(
            r#""kind":"alert.raised","alert":"{id}","rule":"r","feed":"f","item":"{id}","severity":"{severity}","title":"T {id}""#
        );
        record(seq, ts, &line)
    }

    #[test]
    fn open_matters_are_ordered_and_labelled_as_the_sheet_shows_them() {
        let config =
            Config::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml"))
                .unwrap();
        let mut state = DeskState::default();
        state.fold_all([
            raised(1, "2026-12-01T01:00:00Z", "late-severe", "severe"),
            raised(2, "2026-12-01T00:00:00Z", "early-severe", "severe"),
            raised(3, "2026-12-01T02:00:00Z", "crit", "critical"),
            raised(4, "2026-12-01T02:00:00Z", "done", "critical"),
            record(
                5,
                "2026-12-01T03:00:00Z",
                r#""kind":"alert.acknowledged","alert":"crit","operator":"kim""#,
            ),
            record(6, "2026-12-01T03:00:00Z", r#""kind":"alert.escalated","alert":"early-severe""#),
            record(
                7,
                "2026-12-01T03:00:00Z",
                r#""kind":"alert.resolved","alert":"done","operator":"kim","reason":"x""#,
            ),
            record(
                8,
                "2026-12-01T04:00:00Z",
                r#""kind":"feed.failed","feed":"usgs-quakes","error":"HTTP 503""#,
            ),
            record(
                9,
                "2026-12-01T05:00:00Z",
                r#""kind":"contact.checked_in","contact":"Col. Ana Reyes","operator":"reyes""#,
            ),
        ]);
        let now = "2026-12-01T06:00:00Z".parse().unwrap();
        let m = open_at(&state, &config, now);
        let alerts: Vec<(&str, &str, Option<&str>)> =
            m.open_alerts.iter().map(|a| (a.id.as_str(), a.state, a.acknowledged_by.as_deref())).collect();
        // Most severe first, then the earliest raised (by the records' times, not their order).
        assert_eq!(
            alerts,
            [
                ("crit", "ACK", Some("kim")),
                ("early-severe", "ESCALATED", None),
                ("late-severe", "OPEN", None)
            ]
        );
        let overdue: Vec<&str> = m.overdue_contacts.iter().map(|c| c.name.as_str()).collect();
        assert!(!overdue.contains(&"Col. Ana Reyes"), "checked in an hour ago: {overdue:?}");
        assert_eq!(overdue.first(), Some(&"Maj. Didier Ngaba"), "never contacted comes first");
        let waits: Vec<i64> =
            m.overdue_contacts.iter().filter_map(|c| c.overdue_by).map(|d| d.num_seconds()).collect();
        assert!(waits.windows(2).all(|w| w[0] >= w[1]), "longest overdue first: {waits:?}");
        assert_eq!(
            m.feeds_down,
            [FeedDown {
                feed: "usgs-quakes".into(),
                since: "2026-12-01T04:00:00Z".parse().unwrap(),
                last_error: Some("HTTP 503".into())
            }]
        );
        assert_eq!(m.handed_alerts().len(), 3);
    }
}
