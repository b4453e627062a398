//! What the desk does to a mission from the console: `m` (on the Missions pane or in a mission's
//! detail) opens a prompt to pick the status (↑↓, starting at the one it has) and type a short
//! status line; Enter journals `mission.status_changed`. In a mission's detail, Tab chooses one
//! of its contacts and `c` checks in with them, as `c` does in the Contacts pane, and `n` writes
//! a note tied to the mission.

use super::pane::{Pane, RowKey};
use super::prompt::LineEdit;
use super::{App, Overlay, PromptPurpose, PromptedCheckIn, Scroll};
use crate::domain::MissionStatus;
use crate::event::Event;
use crate::text::{one_line, truncate};

/// The mission detail open: what it shows and which contact is chosen.
struct Shown {
    key: RowKey,
    chosen: usize,
    contact: Option<usize>,
}

/// The mission a status prompt is for, and the status picked so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptedMission {
    pub mission: String,
    /// An index into `MissionStatus::ALL`.
    pub status: usize,
}

impl PromptedMission {
    pub fn status(&self) -> MissionStatus {
        MissionStatus::ALL[self.status % MissionStatus::ALL.len()]
    }

    /// Picks the next (or previous) status, round the list.
    pub fn step_status(&mut self, forward: bool) {
        let n = MissionStatus::ALL.len();
        self.status = if forward { (self.status + 1) % n } else { (self.status + n - 1) % n };
    }

    /// The line above the status line typed: which mission, and the status picked.
    pub fn about(&self) -> String {
        let picks: Vec<String> = MissionStatus::ALL
            .iter()
            .map(|s| if *s == self.status() { format!("[{}]", s.label()) } else { s.label().to_string() })
            .collect();
        format!("{}  {} (↑↓)", truncate(&one_line(&self.mission), 20), picks.join(" "))
    }
}

impl App {
    /// `m` on the panes: the status prompt for the selected mission.
    pub(super) fn mission_status(&mut self) {
        if !self.focused_on(Pane::Missions, "m sets a mission's status") {
            return;
        }
        match self.pane(Pane::Missions).selected_row().map(|r| r.key.clone()) {
            Some(RowKey::Mission(id)) => self.prompt_mission_status(id),
            Some(RowKey::OtherMission(id)) => self.flash = Some(held_elsewhere(self.state(), &id)),
            _ => self.flash = Some(super::selecting::nothing_selected(Pane::Missions)),
        }
    }

    fn prompt_mission_status(&mut self, id: String) {
        let Some(mission) = self.config().missions.iter().find(|m| m.id == id) else { return };
        let now = self.state().mission_status(mission);
        let status = MissionStatus::ALL.iter().position(|s| *s == now).unwrap_or(0);
        let prompted = PromptedMission { mission: id, status };
        self.overlay =
            Overlay::Prompt { purpose: PromptPurpose::MissionStatus(prompted), input: LineEdit::default() };
    }

    /// The status change the prompt's Enter journals; None (and why) when the mission left the
    /// desk while the prompt was open, or when it would change nothing.
    pub(super) fn mission_status_changed(
        &mut self,
        prompted: PromptedMission,
        line: String,
    ) -> Option<Event> {
        let Some(mission) = self.config().missions.iter().find(|m| m.id == prompted.mission) else {
            self.flash = Some(format!(
                "{} is no longer a mission of this desk; nothing was recorded",
                one_line(&prompted.mission)
            ));
            return None;
        };
        // Enter on the status it has, with no line and none to clear, changes nothing: nothing
        // goes on the record.
        let had_line = self.state().missions().get(&mission.id).is_some_and(|m| m.line.is_some());
        if self.state().mission_status(mission) == prompted.status() && line.is_empty() && !had_line {
            self.flash = Some(format!(
                "mission {} is already {}; nothing was recorded",
                one_line(&prompted.mission),
                prompted.status().label()
            ));
            return None;
        }
        Some(Event::MissionStatusChanged {
            status: prompted.status(),
            mission: prompted.mission,
            note: (!line.is_empty()).then_some(line),
        })
    }

    /// What the status bar says once a status change was journaled as `seq`, or was not.
    pub(super) fn mission_status_message(
        &self,
        mission: &str,
        status: MissionStatus,
        seq: Option<u64>,
    ) -> String {
        let id = truncate(&one_line(mission), 40);
        match seq {
            Some(seq) => {
                let rules = if status == MissionStatus::Active {
                    "its area matches rules"
                } else {
                    "its area matches no rule from now on"
                };
                format!("mission {id} {} (#{seq}); {rules}", status.label())
            }
            None => format!("mission {id} NOT set {}: journal not writable", status.label()),
        }
    }
}

/// In a mission's detail view, the keys that act on it.
impl App {
    /// `m` in a detail view: the status prompt for the mission shown; the detail comes back
    /// once the prompt is done.
    pub(super) fn mission_status_in_detail(&mut self) {
        let Some(shown) = self.mission_shown() else { return };
        let RowKey::Mission(id) = shown.key.clone() else { return };
        self.detail_behind = Some((shown.key, shown.chosen));
        self.prompt_mission_status(id);
    }

    /// `c` in a detail view: the check-in prompt for the contact chosen in a mission's detail.
    pub(super) fn check_in_in_detail(&mut self) {
        let Some(shown) = self.mission_shown() else { return };
        let Some(contact) = shown.contact.and_then(|n| self.config().contacts.get(n)) else {
            self.flash = Some("this mission lists no contacts to check in with".into());
            return;
        };
        let prompted = PromptedCheckIn { contact: contact.name.clone(), channel: 0 };
        self.detail_behind = Some((shown.key, shown.chosen));
        self.overlay =
            Overlay::Prompt { purpose: PromptPurpose::CheckIn(prompted), input: LineEdit::default() };
    }

    /// `n` in a detail view: a note tied to the mission shown, listed in the detail once saved.
    pub(super) fn note_in_detail(&mut self) {
        let Some(shown) = self.mission_shown_for_note() else { return };
        let (RowKey::Mission(id) | RowKey::OtherMission(id)) = shown.key.clone() else { return };
        self.detail_behind = Some((shown.key, shown.chosen));
        let purpose = PromptPurpose::Note(super::NoteAbout::Mission(id));
        self.overlay = Overlay::Prompt { purpose, input: LineEdit::default() };
    }

    /// Tab / S-Tab in a detail view: the next or previous contact of a mission's detail or of a
    /// roll-call.
    pub(super) fn choose_in_detail(&mut self, forward: bool) {
        // In a roll-call, Tab chooses as Down does.
        if let Overlay::Detail { detail, .. } = &mut self.overlay
            && matches!(detail.key, RowKey::Rollcall(_))
        {
            detail.choose(forward);
            return;
        }
        if self.mission_shown().is_none() {
            return;
        }
        if let Overlay::Detail { detail, .. } = &mut self.overlay {
            if detail.contacts.is_empty() {
                self.flash = Some("this mission lists no contacts".into());
            }
            detail.choose(forward);
        }
    }

    /// This desk's mission detail open, or None and (in the status bar) why the key does
    /// nothing here.
    fn mission_shown(&mut self) -> Option<Shown> {
        if let Overlay::Detail { detail, .. } = &self.overlay
            && let RowKey::OtherMission(id) = &detail.key
        {
            self.flash = Some(held_elsewhere(self.state(), id));
            return None;
        }
        self.mission_shown_for_note()
    }

    /// A mission detail open, this desk's or another's (a note here may be about either).
    fn mission_shown_for_note(&mut self) -> Option<Shown> {
        match &self.overlay {
            Overlay::Detail { detail, .. } if matches!(detail.key, RowKey::OtherMission(_)) => {
                Some(Shown { key: detail.key.clone(), chosen: detail.chosen, contact: None })
            }
            Overlay::Detail { detail, .. } if matches!(detail.key, RowKey::Mission(_)) => Some(Shown {
                key: detail.key.clone(),
                chosen: detail.chosen,
                contact: detail.chosen_contact(),
            }),
            _ => {
                self.flash =
                    Some("m, c and Tab act in a mission's detail (Enter on the Missions pane)".into());
                None
            }
        }
    }

    /// After a prompt opened from a detail view: the detail again, as the record now gives it.
    pub(super) fn back_to_detail(&mut self) {
        let Some((key, chosen)) = self.detail_behind.take() else { return };
        if let Some(mut detail) = self.detail_of(&key) {
            detail.chosen = chosen.min(detail.contacts.len().saturating_sub(1));
            self.overlay = Overlay::Detail { detail, scroll: Scroll::default() };
        }
    }

    /// The detail open made again from the state (a check-in folded shows its next due time at
    /// once), on the same contact and at the same place.
    pub(super) fn refresh_detail(&mut self) {
        let Overlay::Detail { detail, .. } = &self.overlay else { return };
        let (key, chosen) = (detail.key.clone(), detail.chosen);
        let Some(mut fresh) = self.detail_of(&key) else { return };
        fresh.chosen = chosen.min(fresh.contacts.len().saturating_sub(1));
        if let Overlay::Detail { detail, .. } = &mut self.overlay {
            *detail = fresh;
        }
    }
}

/// Why a key that works a mission does nothing on a followed desk's: that desk works it.
pub(super) fn held_elsewhere(state: &crate::state::DeskState, id: &str) -> String {
    let desk = state.others_missions().get(id).map_or("another desk", |m| m.desk.as_str());
    format!(
        "{} is desk {desk}'s mission: its status and roll-calls are set there (n adds a note here)",
        one_line(id)
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{config, now, press};

    use crossterm::event::KeyCode;

    use super::super::{App, Effect, Overlay, Pane};

    use crate::domain::MissionStatus;
    use crate::event::{Event, Record};

    fn typed(app: &mut App, text: &str) {
        text.chars().for_each(|c| drop(press(app, KeyCode::Char(c))));
    }

    /// The console on the Missions pane with HADR-CAGAYAN (the second row) selected.
    fn app_on_cagayan() -> App {
        let config = config();
        let mut app = App::new(config, "reyes".into(), now());
        press(&mut app, KeyCode::Char('1'));
        press(&mut app, KeyCode::Char('j'));
        app
    }

    fn record(seq: u64, event: Event) -> Record {
        Record { seq, ts: now(), by: "reyes".into(), event }
    }

    fn cagayan_row(app: &App) -> Vec<String> {
        let rows = &app.pane(Pane::Missions).rows;
        rows.iter().find(|r| r.cells[1] == "HADR-CAGAYAN").unwrap().cells.clone()
    }

    fn detail_text(app: &App) -> String {
        match &app.overlay {
            Overlay::Detail { detail, .. } => detail.lines.join("\n"),
            _ => panic!("no detail open"),
        }
    }

    #[test]
    fn m_sets_the_status_picked_from_the_one_it_has_with_the_line_typed() {
        let mut app = app_on_cagayan();
        press(&mut app, KeyCode::Char('m'));
        let Overlay::Prompt { purpose: super::PromptPurpose::MissionStatus(prompted), .. } = &app.overlay
        else {
            panic!("a status prompt")
        };
        assert_eq!(prompted.status(), MissionStatus::Active, "the pick starts at the mission's status");
        assert!(prompted.about().contains("[active]"), "{}", prompted.about());
        press(&mut app, KeyCode::Down);
        typed(&mut app, "convoys halted, typhoon");
        assert_eq!(
            press(&mut app, KeyCode::Enter),
            Some(Effect::Append(Box::new(Event::MissionStatusChanged {
                mission: "HADR-CAGAYAN".into(),
                status: MissionStatus::Suspended,
                note: Some("convoys halted, typhoon".into()),
            })))
        );
    }

    #[test]
    fn m_outside_missions_says_where_it_acts_and_esc_changes_nothing() {
        let mut app = app_on_cagayan();
        press(&mut app, KeyCode::Char('2'));
        assert_eq!(press(&mut app, KeyCode::Char('m')), None);
        assert!(app.flash.as_deref().unwrap().contains("1 focuses Missions"), "{:?}", app.flash);
        press(&mut app, KeyCode::Char('1'));
        press(&mut app, KeyCode::Char('m'));
        assert_eq!(press(&mut app, KeyCode::Esc), None);
        assert_eq!(app.flash.as_deref(), Some("mission HADR-CAGAYAN is unchanged"));
    }

    #[test]
    fn enter_on_the_status_it_has_with_no_line_records_nothing() {
        let mut app = app_on_cagayan();
        press(&mut app, KeyCode::Char('m'));
        assert_eq!(press(&mut app, KeyCode::Enter), None);
        assert_eq!(
            app.flash.as_deref(),
            Some("mission HADR-CAGAYAN is already active; nothing was recorded")
        );
        // With a line, or to clear one, it is a change.
        press(&mut app, KeyCode::Char('m'));
        typed(&mut app, "all teams deployed");
        assert!(matches!(press(&mut app, KeyCode::Enter), Some(Effect::Append(_))));
        let event = Event::MissionStatusChanged {
            mission: "HADR-CAGAYAN".into(),
            status: MissionStatus::Active,
            note: Some("all teams deployed".into()),
        };
        app.apply(vec![record(1, event)]);
        press(&mut app, KeyCode::Char('m'));
        let Some(Effect::Append(event)) = press(&mut app, KeyCode::Enter) else { panic!("the line cleared") };
        assert!(matches!(*event, Event::MissionStatusChanged { note: None, .. }));
    }

    #[test]
    fn the_pane_and_the_detail_show_the_status_the_record_gives() {
        let mut app = app_on_cagayan();
        assert_eq!(cagayan_row(&app)[0], "ACT");
        let event = Event::MissionStatusChanged {
            mission: "HADR-CAGAYAN".into(),
            status: MissionStatus::Suspended,
            note: Some("convoys halted".into()),
        };
        app.apply(vec![record(1, event)]);
        let row = cagayan_row(&app);
        assert_eq!(row[0], "SUS");
        assert!(row[2].ends_with(" - convoys halted"), "{}", row[2]);
        press(&mut app, KeyCode::Enter);
        let detail = detail_text(&app);
        assert!(detail.contains("Status: suspended"), "{detail}");
        assert!(detail.contains("by reyes (#1): convoys halted"), "{detail}");
        let message = app.saved_message(
            &Event::MissionStatusChanged {
                mission: "HADR-CAGAYAN".into(),
                status: MissionStatus::Suspended,
                note: None,
            },
            Some(1),
        );
        assert_eq!(message, "mission HADR-CAGAYAN suspended (#1); its area matches no rule from now on");
    }

    #[test]
    fn the_detail_lists_the_missions_notes_newest_first() {
        let mut app = app_on_cagayan();
        let note = |text: &str, mission: &str| Event::Note {
            operator: "reyes".into(),
            text: text.into(),
            mission: Some(mission.into()),
            alert: None,
            contact: None,
        };
        app.apply(vec![
            record(1, note("first word from Tuguegarao", "HADR-CAGAYAN")),
            record(2, note("about another mission", "KFOR")),
            record(3, note("second word", "HADR-CAGAYAN")),
        ]);
        press(&mut app, KeyCode::Enter);
        let detail = detail_text(&app);
        assert!(detail.contains("Notes (2)"), "{detail}");
        let (second, first) =
            (detail.find("reyes: second word").unwrap(), detail.find("reyes: first word").unwrap());
        assert!(second < first, "newest first:\n{detail}");
        assert!(!detail.contains("another mission"), "{detail}");
    }

    #[test]
    fn m_in_the_detail_comes_back_to_it() {
        let mut app = app_on_cagayan();
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('m'));
        assert!(matches!(app.overlay, Overlay::Prompt { .. }));
        press(&mut app, KeyCode::Up);
        let Some(Effect::Append(event)) = press(&mut app, KeyCode::Enter) else { panic!("a status change") };
        assert!(matches!(*event, Event::MissionStatusChanged { status: MissionStatus::Planned, .. }));
        assert!(
            matches!(&app.overlay, Overlay::Detail { detail, .. } if detail.title == "Mission HADR-CAGAYAN")
        );
    }

    #[test]
    fn c_in_the_detail_checks_in_with_the_contact_chosen_and_the_line_shows_the_next_due_time() {
        let mut app = app_on_cagayan();
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Char('c'));
        let Some(Effect::Append(event)) = press(&mut app, KeyCode::Enter) else { panic!("a check-in") };
        let Event::ContactCheckedIn { contact, channel, .. } = (*event).clone() else { panic!("{event:?}") };
        assert_eq!((contact.as_str(), channel.as_deref()), ("BGen. Ramon Aquino", Some("phone")));
        let Overlay::Detail { detail, .. } = &app.overlay else { panic!("back in the detail") };
        assert_eq!(detail.chosen, 1, "still on the contact chosen");
        let line = detail.lines[detail.chosen_line().unwrap()].clone();
        assert!(line.contains("BGen. Ramon Aquino") && line.contains("OVERDUE"), "{line}");
        app.apply(vec![record(1, *event)]);
        let Overlay::Detail { detail, .. } = &app.overlay else { panic!("the detail") };
        let line = &detail.lines[detail.chosen_line().unwrap()];
        assert!(line.contains("check-in due in 2d0h   "), "Aquino checks in every 2d: {line}");
    }

    #[test]
    fn n_in_the_detail_ties_the_note_to_the_mission_and_lists_it_once_saved() {
        let mut app = app_on_cagayan();
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('n'));
        typed(&mut app, "relief flight ETA 0400Z");
        let Some(Effect::Append(event)) = press(&mut app, KeyCode::Enter) else { panic!("a note") };
        let Event::Note { mission, text, .. } = (*event).clone() else { panic!("{event:?}") };
        assert_eq!((mission.as_deref(), text.as_str()), (Some("HADR-CAGAYAN"), "relief flight ETA 0400Z"));
        assert!(detail_text(&app).contains("Notes (0)"), "back in the detail, nothing folded yet");
        app.apply(vec![record(1, *event)]);
        assert!(detail_text(&app).contains("reyes: relief flight ETA 0400Z"), "{}", detail_text(&app));
    }

    #[test]
    fn keys_of_a_missions_detail_elsewhere_say_where_they_act() {
        let mut app = app_on_cagayan();
        press(&mut app, KeyCode::Char('2'));
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('c'));
        assert!(app.flash.as_deref().unwrap().contains("act in a mission's detail"), "{:?}", app.flash);
        assert!(matches!(app.overlay, Overlay::Detail { .. }), "the contact's detail stays open");
    }
}
