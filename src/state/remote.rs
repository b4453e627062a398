//! Another desk's records (`remote`), folded where they tell this desk something: its alerts and
//! what was done with them, under its label (id, rule and feed `desk/…`; who acted `name@desk`),
//! its check-ins, which bring a contact both desks list up to date, and its roll-calls, kept
//! apart from this desk's (no tick here makes them overdue, no key here answers them). A record
//! whose text does not match its sum is not folded: `journal verify` reports it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Alert, Rollcall};
use crate::event::{Event, read_record};
use crate::text::one_line;

/// Folds desk `desk`'s `record` into `alerts` and `check_ins`, and into `rollcalls` where the
/// fold keeps other desks' roll-calls (the screen's state does, a briefing does not): the one
/// rule the screen and a briefing both follow for another desk's records.
pub fn fold(
    alerts: &mut BTreeMap<String, Arc<Alert>>,
    check_ins: &mut HashMap<String, DateTime<Utc>>,
    rollcalls: Option<&mut BTreeMap<String, Rollcall>>,
    desk: &str,
    record: &str,
    received: DateTime<Utc>,
) {
    // Most of another desk's records tell this desk nothing it folds (its feed items, when it
    // shares them): passed over after a look at their kind, before any sum or parse.
    let folded = crate::journal::format::kind_of(record.as_bytes()).is_some_and(|kind| {
        super::is_alert_kind(kind) || super::rollcall::is_rollcall_kind(kind) || kind == "contact.checked_in"
    });
    // A desk id that is not one could bring control characters to the screen, or make a
    // `desk/alert` id collide with another desk's: such a record is not folded.
    if !folded
        || !crate::sync::settings::valid_desk_id(desk)
        || crate::journal::format::check(record.as_bytes()).is_err()
    {
        return;
    }
    let Ok(inner) = read_record(record.as_bytes()) else { return };
    let ts = inner.ts;
    // Another desk's words reach the screen and briefings: each on one line, no control
    // characters, as this desk's own feed text is.
    let here = |id: &str| format!("{desk}/{}", one_line(id));
    let by = |operator: &str| format!("{}@{desk}", one_line(operator));
    let event = match inner.event {
        Event::AlertRaised { alert, rule, feed, item, severity, title, missions, traffic } => {
            Event::AlertRaised {
                alert: here(&alert),
                rule: here(&rule),
                feed: here(&feed),
                item,
                severity,
                title,
                missions: missions.iter().map(|m| one_line(m)).collect(),
                traffic,
            }
        }
        Event::AlertUpdated { alert, severity, title } => {
            Event::AlertUpdated { alert: here(&alert), severity, title }
        }
        Event::AlertAcknowledged { alert, operator, note } => {
            Event::AlertAcknowledged { alert: here(&alert), operator: by(&operator), note }
        }
        Event::AlertUnacknowledged { alert, operator } => {
            Event::AlertUnacknowledged { alert: here(&alert), operator: by(&operator) }
        }
        Event::AlertEscalated { alert } => Event::AlertEscalated { alert: here(&alert) },
        Event::AlertResolved { alert, operator, reason } => {
            Event::AlertResolved { alert: here(&alert), operator: by(&operator), reason }
        }
        Event::RollcallOpened { rollcall, contacts, deadline, mission, alert, reason } => {
            let event = Event::RollcallOpened {
                rollcall: here(&rollcall),
                contacts,
                deadline,
                mission,
                alert: alert.map(|a| here(&a)),
                reason,
            };
            return fold_rollcall(rollcalls, event, inner.seq, ts, &by(&inner.by));
        }
        Event::RollcallAnswered { rollcall, contact, answer, note } => {
            let event = Event::RollcallAnswered { rollcall: here(&rollcall), contact, answer, note };
            return fold_rollcall(rollcalls, event, inner.seq, ts, &by(&inner.by));
        }
        Event::RollcallOverdue { rollcall, contacts } => {
            let event = Event::RollcallOverdue { rollcall: here(&rollcall), contacts };
            return fold_rollcall(rollcalls, event, inner.seq, ts, &by(&inner.by));
        }
        Event::RollcallClosed { rollcall, reason } => {
            let event = Event::RollcallClosed { rollcall: here(&rollcall), reason };
            return fold_rollcall(rollcalls, event, inner.seq, ts, &by(&inner.by));
        }
        Event::ContactCheckedIn { contact, .. } => {
            // Records from elsewhere arrive late: an older check-in does not hide a newer one.
            if check_ins.get(&contact).is_none_or(|&known| ts > known) {
                super::check_in(check_ins, contact, ts);
            }
            return;
        }
        _ => return,
    };
    let raised = match &event {
        Event::AlertRaised { alert, .. } => Some(alert.clone()),
        _ => None,
    };
    super::alert::apply(alerts, &event, ts, |_, _| None);
    if let Some(id) = raised
        && let Some(alert) = alerts.get_mut(&id).map(Arc::make_mut)
    {
        alert.desk = Some(desk.to_string());
        alert.received = Some(received);
    }
}

/// Another desk's roll-call record, its ids under the desk's label, who took it `name@desk`,
/// and its seq that desk's own.
fn fold_rollcall(
    rollcalls: Option<&mut BTreeMap<String, Rollcall>>,
    event: Event,
    seq: u64,
    ts: DateTime<Utc>,
    by: &str,
) {
    if let Some(rollcalls) = rollcalls {
        super::rollcall::apply(rollcalls, event, seq, ts, by);
    }
}
