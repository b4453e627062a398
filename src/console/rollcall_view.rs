//! A roll-call's overlay: why and when it was opened, its deadline (time left by the minute, or
//! OVERDUE), and each contact called with their latest answer, who took it and when. Up/Down
//! choose a contact; `s`, `h`, `x` answer for them, `C` closes the roll-call.

use chrono::{DateTime, Utc};

use super::detail::Detail;
use super::format::{span, stamp, when};
use super::pane::RowKey;
use crate::state::{DeskState, Rollcall};
use crate::text::one_line;

pub fn rollcall(key: &RowKey, id: &str, state: &DeskState, now: DateTime<Utc>) -> Option<Detail> {
    let call = state.rollcalls().get(id)?;
    let mut lines = vec![one_line(&call.reason)];
    let about = match (&call.mission, &call.alert) {
        (Some(mission), _) => format!("   mission {}", one_line(mission)),
        (None, Some(alert)) => match state.alerts().get(alert) {
            Some(alert) => format!("   alert {}", one_line(&alert.title)),
            None => format!("   alert {}", one_line(alert)),
        },
        (None, None) => String::new(),
    };
    lines.push(format!(
        "Opened {} by {} (#{}){about}",
        stamp(call.opened_at),
        one_line(&call.opened_by),
        call.seq
    ));
    lines.push(standing(call, now));
    lines.push(String::new());
    let how =
        if call.is_open() { "   (↑↓ choose  s safe  h needs help  x not reached  C close)" } else { "" };
    lines.push(format!("Contacts: {} of {} reached{how}", call.reached(), call.contacts.len()));
    let mut listed = Vec::new();
    for (n, line) in contact_lines(call, now).into_iter().enumerate() {
        listed.push((n, lines.len()));
        lines.push(line);
    }
    let title = match &call.mission {
        Some(mission) => format!("Roll-call {}", one_line(mission)),
        None => "Roll-call".to_string(),
    };
    Some(Detail { key: key.clone(), title, lines, contacts: listed, chosen: 0 })
}

/// Each contact called, with their latest answer, who took it and when.
pub(super) fn contact_lines(call: &Rollcall, now: DateTime<Utc>) -> Vec<String> {
    let width = call.contacts.iter().map(|c| one_line(c).chars().count()).max().unwrap_or(0);
    let mut lines = Vec::new();
    for contact in &call.contacts {
        let name = one_line(contact);
        let pad = " ".repeat(width.saturating_sub(name.chars().count()));
        let answer = match call.answers.get(contact) {
            Some(taken) => {
                let note = taken.note.as_deref().map(|n| format!(": {}", one_line(n))).unwrap_or_default();
                format!(
                    "{:<18} taken by {} {}{note}",
                    taken.answer.label(),
                    one_line(&taken.by),
                    when(taken.at, now)
                )
            }
            None => "not reached".to_string(),
        };
        lines.push(format!("  {name}{pad}   {answer}"));
    }
    lines
}

/// The roll-call's standing at `now`: time left to the deadline by the minute, OVERDUE, or how
/// it was closed.
pub(super) fn standing(call: &Rollcall, now: DateTime<Utc>) -> String {
    let deadline = when(call.deadline, now);
    if let Some(closed) = &call.closed {
        let why = closed.reason.as_deref().map(|r| format!(": {}", one_line(r))).unwrap_or_default();
        return format!(
            "Closed {} by {}{why}   (deadline was {deadline})",
            when(closed.at, now),
            one_line(&closed.by)
        );
    }
    if call.reached() == call.contacts.len() {
        return format!("Deadline {deadline}: everyone reached");
    }
    if now >= call.deadline {
        return format!("Deadline {deadline}: OVERDUE by {}", minutes(now - call.deadline));
    }
    format!("Deadline {deadline}: {} left", minutes(call.deadline - now + chrono::Duration::seconds(59)))
}

/// A span by the whole minute: the overlay moves at the minute, never by the second.
fn minutes(d: chrono::Duration) -> String {
    span(chrono::Duration::minutes(d.num_minutes()))
}
