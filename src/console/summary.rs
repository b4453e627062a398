//! What the banner and the status bar count, from state and clock. Real-world counts leave
//! exercise, test, draft and system traffic out; that is counted apart, so the desk never adds
//! one to the other.

use chrono::{DateTime, Utc};

use crate::domain::Severity;
use crate::state::{AlertState, DeskState};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Exercise, test, draft and system traffic in view: open alerts and active items.
    pub exercise_alerts: usize,
    pub exercise_items: usize,
    /// Real-world alerts escalated and still waiting for someone.
    pub escalated: usize,
    /// Real-world alerts nobody has acknowledged.
    pub waiting: usize,
    /// The most severe of those, and how many are of that severity.
    pub worst: Option<(Severity, usize)>,
    /// Exercise and test alerts nobody has acknowledged.
    pub exercise_waiting: usize,
    /// Open roll-calls' contacts reached, out of those called; None while none is open.
    pub rollcall: Option<(usize, usize)>,
    /// An open roll-call is past its deadline with contacts not reached.
    pub rollcall_overdue: bool,
}

pub fn of(state: &DeskState, now: DateTime<Utc>) -> Summary {
    let (exercise_alerts, exercise_items) = state.non_real_traffic(now);
    let mut summary = Summary { exercise_alerts, exercise_items, ..Summary::default() };
    for call in state.rollcalls().values().filter(|r| r.is_open()) {
        let (reached, called) = summary.rollcall.unwrap_or_default();
        summary.rollcall = Some((reached + call.reached(), called + call.contacts.len()));
        summary.rollcall_overdue |= call.is_overdue(now);
    }
    // Other desks' alerts (over `[sync]`) do not wait for this watch.
    for alert in state.open_alerts().filter(|a| a.state == AlertState::Open && a.desk.is_none()) {
        if !alert.traffic.is_real() {
            summary.exercise_waiting += 1;
            continue;
        }
        summary.waiting += 1;
        summary.escalated += usize::from(alert.escalated());
        summary.worst = match summary.worst {
            Some((worst, n)) if worst == alert.severity => Some((worst, n + 1)),
            Some((worst, n)) if worst > alert.severity => Some((worst, n)),
            _ => Some((alert.severity, 1)),
        };
    }
    summary
}
