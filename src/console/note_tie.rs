//! `n` written with a mission, an alert or a contact selected is about it: the note is tied to
//! the selection as the prompt opened (records arriving while it is typed move nothing).

use super::App;
use super::pane::RowKey;
use crate::text::{one_line, truncate};

/// What a note being typed is about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum NoteAbout {
    #[default]
    Nothing,
    Mission(String),
    Alert(String),
    Contact(String),
}

impl NoteAbout {
    /// The record's `mission`, `alert` and `contact` fields.
    pub fn fields(self) -> (Option<String>, Option<String>, Option<String>) {
        match self {
            NoteAbout::Nothing => (None, None, None),
            NoteAbout::Mission(id) => (Some(id), None, None),
            NoteAbout::Alert(id) => (None, Some(id), None),
            NoteAbout::Contact(name) => (None, None, Some(name)),
        }
    }

    /// The prompt's words for it: `about mission KFOR`.
    pub fn words(&self) -> Option<String> {
        let (what, id) = match self {
            NoteAbout::Nothing => return None,
            NoteAbout::Mission(id) => ("mission", id),
            NoteAbout::Alert(id) => ("alert", id),
            NoteAbout::Contact(name) => ("contact", name),
        };
        Some(format!("about {what} {}", truncate(&one_line(id), 48)))
    }
}

impl App {
    /// What the focused pane's selection would tie a note to: only a record the operator chose
    /// (a highlight still resting on the first row ties nothing, or every note written at the
    /// console's start would be about whichever mission sorts first).
    pub(super) fn note_about(&self) -> NoteAbout {
        let pane = self.pane(self.focus);
        if !pane.held() {
            return NoteAbout::Nothing;
        }
        match pane.selected_row().map(|r| &r.key) {
            // A note here about another desk's mission (`pristina/KFOR`) is this desk's own.
            Some(RowKey::Mission(id) | RowKey::OtherMission(id)) => NoteAbout::Mission(id.clone()),
            Some(RowKey::Alert(id)) => NoteAbout::Alert(id.clone()),
            Some(RowKey::Contact(n)) => self
                .config()
                .contacts
                .get(*n)
                .map_or(NoteAbout::Nothing, |c| NoteAbout::Contact(c.name.clone())),
            _ => NoteAbout::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{config, press};
    use chrono::{DateTime, Utc};
    use crossterm::event::KeyCode;

    use super::super::{App, Effect};

    use crate::event::Event;

    /// The note `n` then `text` then Enter journals with `focus` pressed first.
    fn note_from(focus: char, text: &str) -> Event {
        let config = config();
        let now: DateTime<Utc> = "2026-12-07T01:00:00Z".parse().unwrap();
        let mut app = App::new(config, "reyes".into(), now);
        press(&mut app, KeyCode::Char(focus));
        press(&mut app, KeyCode::Char('j'));
        press(&mut app, KeyCode::Char('n'));
        text.chars().for_each(|c| drop(press(&mut app, KeyCode::Char(c))));
        let Some(Effect::Append(event)) = press(&mut app, KeyCode::Enter) else { panic!("a note") };
        *event
    }

    #[test]
    fn n_ties_the_note_to_the_selected_mission_or_contact_and_not_in_the_event_log() {
        let Event::Note { mission, alert, contact, .. } = note_from('1', "convoy delayed") else { panic!() };
        assert_eq!((mission.as_deref(), alert, contact), (Some("HADR-CAGAYAN"), None, None));
        let Event::Note { mission, contact, .. } = note_from('2', "on leave Friday") else { panic!() };
        assert_eq!((mission, contact.as_deref()), (None, Some("BGen. Ramon Aquino")));
        let Event::Note { mission, alert, contact, .. } = note_from('4', "general") else { panic!() };
        assert_eq!((mission, alert, contact), (None, None, None));
    }

    #[test]
    fn n_before_the_operator_chose_a_row_ties_nothing() {
        let config = config();
        let now: DateTime<Utc> = "2026-12-07T01:00:00Z".parse().unwrap();
        let mut app = App::new(config, "reyes".into(), now);
        press(&mut app, KeyCode::Char('n'));
        "status quiet".chars().for_each(|c| drop(press(&mut app, KeyCode::Char(c))));
        let Some(Effect::Append(event)) = press(&mut app, KeyCode::Enter) else { panic!("a note") };
        let Event::Note { mission, alert, contact, .. } = *event else { panic!("a note") };
        assert_eq!((mission, alert, contact), (None, None, None), "the resting highlight chose nothing");
    }
}
