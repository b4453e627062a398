//! The Alerts pane's keys: acknowledge (with or without a note), unacknowledge, resolve with a
//! reason. Each acts on the one selected alert and becomes a journal event; nothing here acts
//! on many alerts at once. Every prompt, refusal and confirmation names the alert it is about.

use super::keymap::Action;
use super::naming;
use super::pane::{Pane, RowKey};
use super::prompt::LineEdit;
use super::{App, Effect, Overlay, PromptPurpose};
use crate::event::Event;
use crate::state::{Alert, AlertState};

/// The alert a prompt will act on, with the words that name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptedAlert {
    pub id: String,
    pub label: String,
}

impl App {
    pub(super) fn act_on_alert(&mut self, action: Action) -> Option<Effect> {
        let Some(RowKey::Alert(id)) = self.pane(Pane::Alerts).selected_row().map(|r| r.key.clone()) else {
            // Never a neighbour in place of an alert that left: the operator selects again.
            self.flash = Some(match self.pane(Pane::Alerts).departure() {
                Some(departure) => super::selecting::departure_message(Pane::Alerts, &departure),
                None => super::selecting::nothing_selected(Pane::Alerts),
            });
            return None;
        };
        let alert = self.state.alerts().get(&id)?;
        if let Some(why) = refusal(alert, action) {
            self.flash = Some(why);
            return None;
        }
        let prompted = PromptedAlert { id: id.clone(), label: naming::alert(alert) };
        let operator = self.operator.clone();
        match action {
            Action::Acknowledge => {
                Some(Effect::Append(Box::new(Event::AlertAcknowledged { alert: id, operator, note: None })))
            }
            Action::AcknowledgeWithNote => {
                self.overlay = Overlay::Prompt {
                    purpose: PromptPurpose::AcknowledgeNote(prompted),
                    input: LineEdit::default(),
                };
                None
            }
            Action::Unacknowledge => {
                Some(Effect::Append(Box::new(Event::AlertUnacknowledged { alert: id, operator })))
            }
            Action::Resolve => {
                self.overlay = Overlay::Prompt {
                    purpose: PromptPurpose::ResolveReason(prompted),
                    input: LineEdit::default(),
                };
                None
            }
            _ => None,
        }
    }

    /// Why the prompted alert can no longer take the action, if it changed while the prompt
    /// was open (another console acknowledged or resolved it, or it was let go).
    pub(super) fn prompt_refusal(&self, alert: &PromptedAlert, action: Action) -> Option<String> {
        match self.state.alerts().get(&alert.id) {
            Some(current) => refusal(current, action),
            None => Some(format!("{} is no longer listed; nothing was done", alert.label)),
        }
    }

    /// What the status bar says once an operator event was journaled as `seq`, or was not.
    pub fn saved_message(&self, event: &Event, seq: Option<u64>) -> String {
        let (done, alert) = match event {
            Event::AlertAcknowledged { alert, .. } => ("acknowledged", alert),
            Event::AlertUnacknowledged { alert, .. } => ("unacknowledged", alert),
            Event::AlertResolved { alert, .. } => ("resolved", alert),
            Event::ContactCheckedIn { contact, .. } => return self.check_in_message(contact, seq),
            Event::MissionStatusChanged { mission, status, .. } => {
                return self.mission_status_message(mission, *status, seq);
            }
            Event::RollcallOpened { .. } | Event::RollcallAnswered { .. } | Event::RollcallClosed { .. } => {
                return self.rollcall_message(event, seq).unwrap_or_default();
            }
            _ => {
                return match seq {
                    Some(seq) => format!("{} #{seq} saved", event.kind()),
                    None => format!("{} NOT saved: journal not writable", event.kind()),
                };
            }
        };
        let label = match self.state.alerts().get(alert) {
            Some(alert) => naming::alert(alert),
            None => format!("alert {}", crate::text::one_line(alert)),
        };
        match seq {
            Some(seq) => format!("{done} {label} (#{seq})"),
            None => format!("NOT {done} {label}: journal not writable"),
        }
    }
}

/// Why `alert`, as it stands, cannot take `action`; None when it can.
fn refusal(alert: &Alert, action: Action) -> Option<String> {
    if let Some(desk) = &alert.desk {
        return Some(format!("{} is desk {desk}'s alert: it is acted on at that desk", naming::alert(alert)));
    }
    let why = match (action, alert.state) {
        (_, AlertState::Resolved) => "is resolved",
        (Action::Acknowledge | Action::AcknowledgeWithNote, AlertState::Acknowledged) => {
            "is already acknowledged"
        }
        (Action::Unacknowledge, AlertState::Open) => "is not acknowledged",
        _ => return None,
    };
    Some(format!("{} {why}", naming::alert(alert)))
}
