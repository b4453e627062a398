//! The Alerts pane's keys: acknowledge (with or without a note), unacknowledge, resolve with a
//! reason. Each acts on the one selected alert and becomes a journal event; nothing here acts
//! on many alerts at once.

use super::keymap::Action;
use super::pane::{Pane, RowKey};
use super::{App, Effect, Overlay, PromptPurpose};
use crate::event::Event;
use crate::state::AlertState;

impl App {
    pub(super) fn act_on_alert(&mut self, action: Action) -> Option<Effect> {
        let Some(RowKey::Alert(id)) = self.pane(Pane::Alerts).selected_row().map(|r| r.key.clone()) else {
            // Never a neighbour in place of an alert that left: the operator selects again.
            self.flash = Some(match self.pane(Pane::Alerts).departure() {
                Some(departure) => super::departure_message(Pane::Alerts, &departure),
                None => super::nothing_selected(Pane::Alerts),
            });
            return None;
        };
        let state = self.state.alerts.get(&id).map(|a| a.state)?;
        let operator = self.operator.clone();
        let refuse = |app: &mut App, why: &str| {
            app.flash = Some(why.to_string());
            None
        };
        match (action, state) {
            (_, AlertState::Resolved) => refuse(self, "that alert is resolved"),
            (Action::Acknowledge, AlertState::Open) => {
                Some(Effect::Append(Box::new(Event::AlertAcknowledged { alert: id, operator, note: None })))
            }
            (Action::AcknowledgeWithNote, AlertState::Open) => {
                self.overlay =
                    Overlay::Prompt { purpose: PromptPurpose::AcknowledgeNote(id), text: String::new() };
                None
            }
            (Action::Acknowledge | Action::AcknowledgeWithNote, _) => refuse(self, "already acknowledged"),
            (Action::Unacknowledge, AlertState::Acknowledged) => {
                Some(Effect::Append(Box::new(Event::AlertUnacknowledged { alert: id, operator })))
            }
            (Action::Unacknowledge, _) => refuse(self, "not acknowledged"),
            (Action::Resolve, _) => {
                self.overlay =
                    Overlay::Prompt { purpose: PromptPurpose::ResolveReason(id), text: String::new() };
                None
            }
            _ => None,
        }
    }
}
