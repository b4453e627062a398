//! What a `[[notify]]` entry listens for, as written in its `on` list: `alert.raised` (at or
//! above a severity with `>=`), `alert.escalated`, `rollcall.overdue`, `feed.down>T`.

use chrono::{DateTime, Utc};
use std::fmt;
use std::time::Duration;

use crate::domain::Severity;
use crate::event::{Event, Record};

/// The kind of record a roll-call past its deadline with contacts not reached leaves (written
/// once per roll-call by the process that polls).
pub const ROLLCALL_OVERDUE: &str = "rollcall.overdue";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A real or exercise alert raised at `at_least` or above (`alert.raised` alone: any).
    AlertRaised {
        at_least: Severity,
    },
    AlertEscalated,
    RollcallOverdue,
    /// A feed failing for longer than this, from its first `feed.failed` until it answers again.
    FeedDown {
        longer_than: Duration,
    },
}

impl Trigger {
    pub fn parse(text: &str) -> Result<Trigger, String> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix("alert.raised") {
            return match rest.trim() {
                "" => Ok(Trigger::AlertRaised { at_least: Severity::Info }),
                rest => match rest.strip_prefix(">=") {
                    Some(severity) => severity
                        .trim()
                        .parse::<Severity>()
                        .map(|at_least| Trigger::AlertRaised { at_least })
                        .map_err(|e| format!("`{text}`: {e}")),
                    None => Err(format!(
                        "`{text}`: write a severity threshold as alert.raised>=SEVERITY (e.g. alert.raised>=severe)"
                    )),
                },
            };
        }
        if let Some(rest) = text.strip_prefix("feed.down") {
            let Some(longer) = rest.trim().strip_prefix('>') else {
                return Err(format!(
                    "`{text}`: say for how long, as feed.down>DURATION (e.g. feed.down>30m)"
                ));
            };
            let longer_than = crate::config::parse_duration(longer).map_err(|e| format!("`{text}`: {e}"))?;
            return Ok(Trigger::FeedDown { longer_than });
        }
        match text {
            "alert.escalated" => Ok(Trigger::AlertEscalated),
            ROLLCALL_OVERDUE => Ok(Trigger::RollcallOverdue),
            _ => Err(format!(
                "unknown selector `{text}` (expected alert.raised, alert.raised>=SEVERITY, alert.escalated, \
                 rollcall.overdue or feed.down>DURATION)"
            )),
        }
    }

    /// Whether `record` is one this trigger fires on. `feed.down` fires on no record: a feed's
    /// outage lasting long enough is a matter of time (`down_long_enough`).
    pub fn matches(&self, record: &Record) -> bool {
        match (self, &record.event) {
            (Trigger::AlertRaised { at_least }, Event::AlertRaised { severity, .. }) => severity >= at_least,
            (Trigger::AlertEscalated, Event::AlertEscalated { .. }) => true,
            (Trigger::RollcallOverdue, Event::RollcallOverdue { .. }) => true,
            _ => false,
        }
    }

    /// Whether an outage that began at `since` has lasted long enough at `now`.
    pub fn down_long_enough(&self, since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        match self {
            Trigger::FeedDown { longer_than } => {
                chrono::Duration::from_std(*longer_than).is_ok_and(|longer| now - since > longer)
            }
            _ => false,
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::AlertRaised { at_least: Severity::Info } => f.write_str("alert.raised"),
            Trigger::AlertRaised { at_least } => write!(f, "alert.raised>={at_least}"),
            Trigger::AlertEscalated => f.write_str("alert.escalated"),
            Trigger::RollcallOverdue => f.write_str(ROLLCALL_OVERDUE),
            Trigger::FeedDown { longer_than } => {
                write!(f, "feed.down>{}", humantime::format_duration(*longer_than))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_as_interfaces_names_them() {
        assert_eq!(
            Trigger::parse("alert.raised>=severe"),
            Ok(Trigger::AlertRaised { at_least: Severity::Severe })
        );
        assert_eq!(Trigger::parse("alert.raised"), Ok(Trigger::AlertRaised { at_least: Severity::Info }));
        assert_eq!(Trigger::parse("alert.escalated"), Ok(Trigger::AlertEscalated));
        assert_eq!(Trigger::parse("rollcall.overdue"), Ok(Trigger::RollcallOverdue));
        assert_eq!(
            Trigger::parse("feed.down>30m"),
            Ok(Trigger::FeedDown { longer_than: Duration::from_secs(1800) })
        );
        assert_eq!(Trigger::parse("feed.down>30m").unwrap().to_string(), "feed.down>30m");
        assert_eq!(Trigger::parse("alert.raised>=severe").unwrap().to_string(), "alert.raised>=severe");
    }

    #[test]
    fn rollcall_overdue_fires_on_the_record_the_desk_writes_and_no_other() {
        let record = |event| Record {
            seq: 9,
            ts: "2026-12-07T02:00:00Z".parse().unwrap(),
            by: "attache".into(),
            event,
        };
        let overdue =
            Event::RollcallOverdue { rollcall: "KFOR".into(), contacts: vec!["Maj. Okafor".into()] };
        assert_eq!(overdue.kind(), ROLLCALL_OVERDUE);
        assert!(Trigger::RollcallOverdue.matches(&record(overdue)));
        let closed = Event::RollcallClosed { rollcall: "KFOR".into(), reason: None };
        assert!(!Trigger::RollcallOverdue.matches(&record(closed)));
    }

    #[test]
    fn bad_selectors_say_what_is_expected() {
        assert!(Trigger::parse("alert.raised>=extreme").unwrap_err().contains("unknown severity"));
        assert!(Trigger::parse("alert.raised>severe").unwrap_err().contains(">="));
        assert!(Trigger::parse("feed.down").unwrap_err().contains("feed.down>DURATION"));
        assert!(Trigger::parse("feed.down>soon").unwrap_err().contains("bad duration"));
        assert!(Trigger::parse("alert.resolved").unwrap_err().contains("unknown selector"));
    }
}
