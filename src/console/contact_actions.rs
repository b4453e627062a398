//! The Contacts pane's check-in: `c` on a contact opens a prompt for how they were reached (a
//! short pick, the first by default) and an optional note; Enter journals `contact.checked_in`,
//! and the row's next due time follows from the record as soon as it is folded.

use super::pane::{Pane, RowKey};
use super::prompt::LineEdit;
use super::{App, Overlay, PromptPurpose};
use crate::domain::CHANNELS;
use crate::event::Event;
use crate::text::{one_line, truncate};

/// The contact a check-in prompt is for, and the channel picked so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptedCheckIn {
    pub contact: String,
    /// An index into `domain::CHANNELS`.
    pub channel: usize,
}

impl PromptedCheckIn {
    pub fn channel(&self) -> &'static str {
        CHANNELS[self.channel % CHANNELS.len()]
    }

    /// Picks the next (or previous) channel, round the list.
    pub fn step_channel(&mut self, forward: bool) {
        let n = CHANNELS.len();
        self.channel = if forward { (self.channel + 1) % n } else { (self.channel + n - 1) % n };
    }

    /// The line above the note: who, and the channel picked among the others.
    pub fn about(&self) -> String {
        let picks: Vec<String> = CHANNELS
            .iter()
            .map(|c| if *c == self.channel() { format!("[{c}]") } else { c.to_string() })
            .collect();
        format!("{}  by {} (↑↓)", truncate(&one_line(&self.contact), 20), picks.join(" "))
    }
}

impl App {
    /// `c`: the check-in prompt for the selected contact.
    pub(super) fn check_in(&mut self) {
        if !self.focused_on(Pane::Contacts, "c checks in with a contact") {
            return;
        }
        let Some(RowKey::Contact(n)) = self.pane(Pane::Contacts).selected_row().map(|r| r.key.clone()) else {
            self.flash = Some(super::selecting::nothing_selected(Pane::Contacts));
            return;
        };
        let Some(contact) = self.config().contacts.get(n) else { return };
        let prompted = PromptedCheckIn { contact: contact.name.clone(), channel: 0 };
        self.overlay =
            Overlay::Prompt { purpose: PromptPurpose::CheckIn(prompted), input: LineEdit::default() };
    }

    /// The check-in the prompt's Enter journals; None (and why, in the status bar) when the
    /// contact left the desk while the prompt was open.
    pub(super) fn checked_in(&mut self, prompted: PromptedCheckIn, note: String) -> Option<Event> {
        if !self.config().contacts.iter().any(|c| c.name == prompted.contact) {
            self.flash = Some(format!(
                "{} is no longer a contact of this desk; nothing was recorded",
                prompted.contact
            ));
            return None;
        }
        Some(Event::ContactCheckedIn {
            channel: Some(prompted.channel().to_string()),
            contact: prompted.contact,
            operator: self.operator.clone(),
            note: (!note.is_empty()).then_some(note),
        })
    }
}

impl App {
    /// What the status bar says once a check-in was journaled as `seq`, or was not: with the
    /// next due time the record now gives.
    pub(super) fn check_in_message(&self, contact: &str, seq: Option<u64>) -> String {
        let name = truncate(&one_line(contact), 40);
        let Some(seq) = seq else {
            return format!("check-in with {name} NOT recorded: journal not writable");
        };
        let due = self.config().contacts.iter().find(|c| c.name == contact).and_then(|c| {
            let last = crate::state::last_contact(self.state().check_ins(), c);
            c.status_at(self.now, last).due
        });
        match due {
            Some(due) => {
                format!("checked in with {name} (#{seq}); next due {}", due.format("%a %d %b %H:%M UTC"))
            }
            None => format!("checked in with {name} (#{seq})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{config, now, press};

    use crossterm::event::KeyCode;

    use super::super::{App, Effect, Pane};

    use crate::event::{Event, Record};

    fn app_on_contacts() -> App {
        let config = config();
        let mut app = App::new(config, "reyes".into(), now());
        press(&mut app, KeyCode::Char('2'));
        app
    }

    #[test]
    fn c_records_a_check_in_by_the_channel_picked_with_the_note_typed() {
        let mut app = app_on_contacts();
        press(&mut app, KeyCode::Char('c'));
        press(&mut app, KeyCode::Down);
        "all well at post".chars().for_each(|c| drop(press(&mut app, KeyCode::Char(c))));
        let first = app.config().contacts[0].name.clone();
        assert_eq!(
            press(&mut app, KeyCode::Enter),
            Some(Effect::Append(Box::new(Event::ContactCheckedIn {
                contact: first,
                operator: "reyes".into(),
                channel: Some("secure voice".into()),
                note: Some("all well at post".into()),
            })))
        );
    }

    #[test]
    fn enter_alone_takes_the_first_channel_and_no_note_and_esc_records_nothing() {
        let mut app = app_on_contacts();
        press(&mut app, KeyCode::Char('j'));
        press(&mut app, KeyCode::Char('c'));
        press(&mut app, KeyCode::Esc);
        assert!(app.flash.as_deref().unwrap().contains("not recorded"), "{:?}", app.flash);
        press(&mut app, KeyCode::Char('c'));
        let Some(Effect::Append(event)) = press(&mut app, KeyCode::Enter) else { panic!("a check-in") };
        let Event::ContactCheckedIn { contact, channel, note, .. } = *event else { panic!("{event:?}") };
        assert_eq!(contact, app.config().contacts[1].name);
        assert_eq!((channel.as_deref(), note), (Some("phone"), None));
    }

    #[test]
    fn c_outside_contacts_says_where_it_acts_and_opens_nothing() {
        let config = config();
        let mut app = App::new(config, "reyes".into(), now());
        assert_eq!(press(&mut app, KeyCode::Char('c')), None);
        assert!(app.flash.as_deref().unwrap().contains("2 focuses Contacts"), "{:?}", app.flash);
        assert!(matches!(app.overlay, super::super::Overlay::None));
    }

    #[test]
    fn the_row_shows_the_next_due_time_once_the_check_in_is_folded() {
        let mut app = app_on_contacts();
        let overdue = app.pane(Pane::Contacts).rows[0].cells[5].clone();
        assert!(overdue.starts_with("OVERDUE"), "{overdue}");
        let contact = app.config().contacts[0].name.clone();
        let event = Event::ContactCheckedIn {
            contact: contact.clone(),
            operator: "reyes".into(),
            channel: None,
            note: None,
        };
        app.apply(vec![Record { seq: 1, ts: now(), by: "reyes".into(), event }]);
        let due = &app.pane(Pane::Contacts).rows[0].cells[5];
        assert_eq!(due, "due in 7d0h", "{contact} checks in every 7d");
        assert!(app.check_in_message(&contact, Some(1)).contains("next due Mon 14 Dec 01:05 UTC"));
    }
}
