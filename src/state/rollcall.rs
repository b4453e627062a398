//! Roll-calls as the record tells them: opened for a mission or an alert, each contact's latest
//! answer with who took it and when, overdue once its deadline passed with contacts not reached,
//! closed. The screen's state and a briefing's collector fold them by this one rule (`apply`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::domain::Answer;
use crate::event::Event;
use crate::text::one_line_owned;

/// A contact's latest answer in a roll-call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    pub answer: Answer,
    /// Who took the answer (the record's `by`).
    pub by: String,
    pub at: DateTime<Utc>,
    pub seq: u64,
    pub note: Option<String>,
}

/// How a roll-call was closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    pub by: String,
    pub at: DateTime<Utc>,
    pub seq: u64,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollcall {
    pub id: String,
    pub seq: u64,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    /// The contacts called, by name, in the order the record lists them.
    pub contacts: Vec<String>,
    pub deadline: DateTime<Utc>,
    pub mission: Option<String>,
    pub alert: Option<String>,
    pub reason: String,
    /// Each contact's latest answer, by name.
    pub answers: BTreeMap<String, Taken>,
    /// When the record said the deadline passed with contacts not reached, and which.
    pub overdue: Option<(DateTime<Utc>, Vec<String>)>,
    pub closed: Option<Closing>,
}

impl Rollcall {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// The contacts reached (safe or needing help), out of all called.
    pub fn reached(&self) -> usize {
        self.contacts.iter().filter(|c| self.answers.get(*c).is_some_and(|t| t.answer.reached())).count()
    }

    /// The contacts not reached yet: never answered, or tried and not reached.
    pub fn unreached(&self) -> Vec<String> {
        self.contacts
            .iter()
            .filter(|c| !self.answers.get(*c).is_some_and(|t| t.answer.reached()))
            .cloned()
            .collect()
    }

    /// Past its deadline at `now` with contacts not reached, while open.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.is_open() && now >= self.deadline && self.reached() < self.contacts.len()
    }
}

/// Whether a kind is one of a roll-call's life.
pub fn is_rollcall_kind(kind: &str) -> bool {
    kind.starts_with("rollcall.")
}

/// Folds one record of a roll-call's life. An answer, overdue or closing for a roll-call the
/// record never opened changes nothing; a second opening of one id is ignored, so the first
/// stands.
pub fn apply(
    rollcalls: &mut BTreeMap<String, Rollcall>,
    event: Event,
    seq: u64,
    ts: DateTime<Utc>,
    by: &str,
) {
    match event {
        Event::RollcallOpened { rollcall, contacts, deadline, mission, alert, reason } => {
            if rollcalls.contains_key(&rollcall) {
                return;
            }
            let call = Rollcall {
                id: rollcall.clone(),
                seq,
                opened_at: ts,
                opened_by: by.to_string(),
                contacts: contacts.into_iter().map(one_line_owned).collect(),
                deadline,
                mission: mission.map(one_line_owned),
                alert,
                reason: one_line_owned(reason),
                answers: BTreeMap::new(),
                overdue: None,
                closed: None,
            };
            rollcalls.insert(rollcall, call);
        }
        Event::RollcallAnswered { rollcall, contact, answer, note } => {
            let Some(call) = rollcalls.get_mut(&rollcall) else { return };
            let taken = Taken { answer, by: by.to_string(), at: ts, seq, note: note.map(one_line_owned) };
            call.answers.insert(one_line_owned(contact), taken);
        }
        Event::RollcallOverdue { rollcall, contacts } => {
            let Some(call) = rollcalls.get_mut(&rollcall) else { return };
            if call.overdue.is_none() {
                call.overdue = Some((ts, contacts.into_iter().map(one_line_owned).collect()));
            }
        }
        Event::RollcallClosed { rollcall, reason } => {
            let Some(call) = rollcalls.get_mut(&rollcall) else { return };
            if call.closed.is_none() {
                let reason = reason.map(one_line_owned);
                call.closed = Some(Closing { by: by.to_string(), at: ts, seq, reason });
            }
        }
        _ => {}
    }
}

/// Lets go of roll-calls closed before `horizon` (`KEEP_RESOLVED` before the record's time).
pub fn let_go(rollcalls: &mut BTreeMap<String, Rollcall>, horizon: DateTime<Utc>) {
    rollcalls.retain(|_, r| r.closed.as_ref().is_none_or(|c| c.at > horizon));
}

/// The `rollcall.overdue` records due at `now`: open roll-calls past their deadline with
/// contacts not reached, that the record has not yet said so of. Once each.
pub fn overdue(rollcalls: &BTreeMap<String, Rollcall>, now: DateTime<Utc>) -> Vec<Event> {
    rollcalls
        .values()
        .filter(|r| r.overdue.is_none() && r.is_overdue(now))
        .map(|r| Event::RollcallOverdue { rollcall: r.id.clone(), contacts: r.unreached() })
        .collect()
}

/// The roll-call open for `mission`, the latest opened if several.
pub fn open_for_mission<'a>(
    rollcalls: &'a BTreeMap<String, Rollcall>,
    mission: &str,
) -> Option<&'a Rollcall> {
    rollcalls.values().filter(|r| r.is_open() && r.mission.as_deref() == Some(mission)).max_by_key(|r| r.seq)
}

/// The latest roll-call opened that is still open.
pub fn latest_open(rollcalls: &BTreeMap<String, Rollcall>) -> Option<&Rollcall> {
    rollcalls.values().filter(|r| r.is_open()).max_by_key(|r| r.seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        format!("2026-12-07T{text}Z").parse().unwrap()
    }

    fn opened() -> Event {
        Event::RollcallOpened {
            rollcall: "KFOR 14:00".into(),
            contacts: vec!["Lt. Col. Berisha".into(), "Maj. Okafor".into()],
            deadline: at("15:00:00"),
            mission: Some("KFOR".into()),
            alert: None,
            reason: "shelling reported".into(),
        }
    }

    fn answered(contact: &str, answer: Answer) -> Event {
        Event::RollcallAnswered { rollcall: "KFOR 14:00".into(), contact: contact.into(), answer, note: None }
    }

    #[test]
    fn folds_the_latest_answer_with_who_took_it() {
        let mut calls = BTreeMap::new();
        apply(&mut calls, opened(), 1, at("14:00:00"), "reyes");
        apply(&mut calls, answered("Maj. Okafor", Answer::NotReached), 2, at("14:05:00"), "reyes");
        let call = &calls["KFOR 14:00"];
        assert_eq!((call.reached(), call.unreached().len()), (0, 2), "tried is not reached");
        apply(&mut calls, answered("Maj. Okafor", Answer::NeedsHelp), 3, at("14:10:00"), "santos");
        apply(&mut calls, answered("Lt. Col. Berisha", Answer::Safe), 4, at("14:12:00"), "santos");
        let call = &calls["KFOR 14:00"];
        assert_eq!(call.reached(), 2);
        let taken = &call.answers["Maj. Okafor"];
        assert_eq!((taken.answer, taken.by.as_str(), taken.seq), (Answer::NeedsHelp, "santos", 3));
        assert!(!call.is_overdue(at("16:00:00")), "everyone reached: not overdue");
        assert_eq!(latest_open(&calls).map(|r| r.seq), Some(1));
        assert!(open_for_mission(&calls, "KFOR").is_some());
    }

    #[test]
    fn overdue_is_due_once_past_the_deadline_with_contacts_unreached() {
        let mut calls = BTreeMap::new();
        apply(&mut calls, opened(), 1, at("14:00:00"), "reyes");
        apply(&mut calls, answered("Maj. Okafor", Answer::Safe), 2, at("14:05:00"), "reyes");
        assert!(overdue(&calls, at("14:59:59")).is_empty(), "before the deadline");
        let due = overdue(&calls, at("15:00:00"));
        assert_eq!(
            due,
            vec![Event::RollcallOverdue {
                rollcall: "KFOR 14:00".into(),
                contacts: vec!["Lt. Col. Berisha".into()]
            }]
        );
        apply(&mut calls, due.into_iter().next().unwrap(), 3, at("15:00:00"), "attache");
        assert!(overdue(&calls, at("15:30:00")).is_empty(), "written once");
        assert!(calls["KFOR 14:00"].is_overdue(at("15:30:00")), "still overdue on screen");
    }

    #[test]
    fn closed_roll_calls_stop_waiting_and_are_let_go_after_a_day() {
        let mut calls = BTreeMap::new();
        apply(&mut calls, opened(), 1, at("14:00:00"), "reyes");
        let close =
            Event::RollcallClosed { rollcall: "KFOR 14:00".into(), reason: Some("all accounted".into()) };
        apply(&mut calls, close, 2, at("14:30:00"), "santos");
        assert!(overdue(&calls, at("16:00:00")).is_empty(), "a closed roll-call is never overdue");
        assert_eq!(latest_open(&calls), None);
        assert_eq!(calls["KFOR 14:00"].closed.as_ref().map(|c| c.by.as_str()), Some("santos"));
        let_go(&mut calls, at("14:29:00"));
        assert_eq!(calls.len(), 1);
        let_go(&mut calls, at("14:30:00"));
        assert!(calls.is_empty());
    }

    #[test]
    fn records_for_an_unknown_roll_call_change_nothing() {
        let mut calls = BTreeMap::new();
        apply(&mut calls, answered("Maj. Okafor", Answer::Safe), 1, at("14:00:00"), "reyes");
        assert!(calls.is_empty());
        apply(&mut calls, opened(), 2, at("14:00:00"), "reyes");
        let mut again = opened();
        if let Event::RollcallOpened { reason, .. } = &mut again {
            *reason = "second".into();
        }
        apply(&mut calls, again, 3, at("14:01:00"), "reyes");
        assert_eq!(calls["KFOR 14:00"].reason, "shelling reported", "the first opening stands");
    }
}
