//! Calling the operator's eye to what just arrived: a new alert at or above the desk's bell
//! severity, an escalation, or a roll-call overdue, is named in the status bar, and a
//! real-world one rings the terminal bell once. One mechanism for both, in every live console on the host (not only the
//! one that polls): it looks at the records as they are folded. Records stamped before the
//! console started are history (a console reads the whole journal at start-up), and a replay
//! never folds through here.

use chrono::{DateTime, Utc};

use crate::domain::Severity;
use crate::event::{Event, Record};
use crate::state::DeskState;

/// An alert event among the records folded, by alert id.
pub enum Pick {
    Raised(String),
    Escalated(String),
    /// A roll-call past its deadline with these contacts not reached.
    RollcallOverdue(Vec<String>),
}

/// What needs the operator at once: a line for the status bar, and how many bells to ring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attention {
    pub message: String,
    pub bells: usize,
}

/// The alert events in `records` stamped at or after `since`: looked at once folded.
pub fn picks(records: &[Record], since: DateTime<Utc>) -> Vec<Pick> {
    records
        .iter()
        .filter(|r| r.ts >= since)
        .filter_map(|r| match &r.event {
            Event::AlertRaised { alert, .. } => Some(Pick::Raised(alert.clone())),
            Event::AlertEscalated { alert } => Some(Pick::Escalated(alert.clone())),
            Event::RollcallOverdue { contacts, .. } => Some(Pick::RollcallOverdue(contacts.clone())),
            _ => None,
        })
        .collect()
}

/// What of `picks` calls for attention, with `state` folded past them: alerts raised at or
/// above `threshold`, and escalations. With `bell`, real-world ones ring; exercise and test
/// traffic is named, marked, and silent.
pub fn notice(picks: &[Pick], state: &DeskState, threshold: Severity, bell: bool) -> Option<Attention> {
    let mut lines: Vec<(u8, Severity, String)> = Vec::new();
    let mut bells = 0;
    for pick in picks {
        let (id, escalated) = match pick {
            Pick::Raised(id) => (id, false),
            Pick::Escalated(id) => (id, true),
            Pick::RollcallOverdue(contacts) => {
                // People not reached after an event: as pressing as a severe escalation.
                bells += usize::from(bell);
                let names = crate::text::one_line(&contacts.join(", "));
                lines.push((
                    1,
                    Severity::Severe,
                    format!("ROLL-CALL OVERDUE: not reached {names} (R shows it)"),
                ));
                continue;
            }
        };
        let Some(alert) = state.alerts().get(id) else { continue };
        if !escalated && alert.severity < threshold {
            continue;
        }
        bells += usize::from(bell && alert.traffic.is_real());
        let title = super::naming::marked_title(alert.traffic, &alert.title);
        let what = if escalated { "ESCALATED" } else { "NEW" };
        lines.push((u8::from(escalated), alert.severity, format!("{what} {} {title}", alert.severity.tag())));
    }
    // The most severe first; at one severity, an escalation before a new alert.
    lines.sort_by_key(|(escalated, severity, _)| std::cmp::Reverse((*severity, *escalated)));
    let (_, _, first) = lines.first()?;
    let message = match lines.len() {
        1 => first.clone(),
        n => format!("{first} (and {} more)", n - 1),
    };
    Some(Attention { message, bells })
}
