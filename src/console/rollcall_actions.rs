//! What the desk does with roll-calls from the console: `R` on a mission (the Missions pane or
//! its detail) asks to open a roll-call of its contacts, with an optional reason, or shows the one
//! open for it; `R` elsewhere shows the latest open roll-call. In the roll-call's overlay, `s`,
//! `h` and `x` journal the chosen contact's answer and `C` closes it (asking first).

use super::pane::{Pane, RowKey};
use super::prompt::LineEdit;
use super::{App, Effect, Overlay, PromptPurpose, Scroll};
use crate::domain::Answer;
use crate::event::Event;
use crate::state::rollcall::{latest_open, open_for_mission};
use crate::text::{one_line, truncate};

/// The answer a note prompt is for: which roll-call, which contact, what they said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptedAnswer {
    pub rollcall: String,
    pub contact: String,
    pub answer: Answer,
}

impl PromptedAnswer {
    /// The line above the note: who, and the answer.
    pub fn about(&self) -> String {
        format!("{}: {}", truncate(&one_line(&self.contact), 40), self.answer.label())
    }
}

impl App {
    /// `R` on the panes: the selected mission's roll-call, the roll-call the selected alert
    /// opened, else the latest open.
    pub(super) fn rollcall(&mut self) {
        if self.focus == Pane::Missions
            && let Some(RowKey::Mission(id)) = self.pane(Pane::Missions).selected_row().map(|r| r.key.clone())
        {
            return self.rollcall_for_mission(id);
        }
        if self.focus == Pane::Missions
            && let Some(RowKey::OtherMission(id)) =
                self.pane(Pane::Missions).selected_row().map(|r| r.key.clone())
        {
            self.flash = Some(super::mission_actions::held_elsewhere(self.state(), &id));
            return;
        }
        // Another desk's alert: its roll-calls are that desk's, shown in the alert's detail.
        if self.focus == Pane::Alerts
            && let Some(RowKey::Alert(alert)) = self.pane(Pane::Alerts).selected_row().map(|r| r.key.clone())
            && let Some(desk) = self.state().alerts().get(&alert).and_then(|a| a.desk.clone())
        {
            self.flash = Some(format!(
                "roll-calls for desk {desk}'s alert are run at that desk: Enter shows them in the alert's detail"
            ));
            return;
        }
        // An alert chosen that opened a roll-call: that one, open or closed.
        if self.focus == Pane::Alerts
            && let Some(RowKey::Alert(alert)) = self.pane(Pane::Alerts).selected_row().map(|r| r.key.clone())
            && let Some(call) = self
                .state()
                .rollcalls()
                .values()
                .filter(|r| r.alert.as_deref() == Some(&*alert))
                .max_by_key(|r| r.seq)
        {
            let id = call.id.clone();
            self.show_rollcall(&id);
            return;
        }
        match latest_open(self.state().rollcalls()) {
            Some(call) => {
                let id = call.id.clone();
                self.show_rollcall(&id);
            }
            None => self.flash = Some("no roll-call open".into()),
        }
    }

    /// `R` in a detail view: a mission's roll-call.
    pub(super) fn rollcall_in_detail(&mut self) {
        match &self.overlay {
            Overlay::Detail { detail, .. } => match &detail.key {
                RowKey::Mission(id) => {
                    let id = id.clone();
                    self.rollcall_for_mission(id)
                }
                RowKey::OtherMission(id) => {
                    self.flash = Some(super::mission_actions::held_elsewhere(self.state(), id))
                }
                RowKey::Rollcall(_) => {
                    self.flash = Some("this is the roll-call: s, h, x answer, C closes".into())
                }
                _ => {
                    self.flash =
                        Some("R opens a mission's roll-call (on the Missions pane or its detail)".into())
                }
            },
            _ => {
                self.flash = Some("R opens a mission's roll-call (on the Missions pane or its detail)".into())
            }
        }
    }

    fn rollcall_for_mission(&mut self, mission: String) {
        if let Some(open) = open_for_mission(self.state().rollcalls(), &mission) {
            let id = open.id.clone();
            self.show_rollcall(&id);
            return;
        }
        if self.mission_contacts(&mission).is_empty() {
            self.flash =
                Some(format!("mission {} lists no contacts: no roll-call to open", one_line(&mission)));
            return;
        }
        if let Some(why) = self.read_only {
            self.flash = Some(why.into());
            return;
        }
        if let Overlay::Detail { detail, .. } = &self.overlay {
            self.detail_behind = Some((detail.key.clone(), detail.chosen));
        }
        self.overlay =
            Overlay::Prompt { purpose: PromptPurpose::OpenRollcall(mission), input: LineEdit::default() };
    }

    /// The names of a mission's contacts, as the configuration in force lists them.
    fn mission_contacts(&self, mission: &str) -> Vec<String> {
        self.config()
            .contacts
            .iter()
            .filter(|c| c.missions.iter().any(|m| m == mission))
            .map(|c| c.name.clone())
            .collect()
    }

    /// Shows roll-call `id` over the panes.
    pub fn show_rollcall(&mut self, id: &str) {
        if let Some(detail) = self.detail_of(&RowKey::Rollcall(id.to_string())) {
            self.overlay = Overlay::Detail { detail, scroll: Scroll::default() };
        }
    }

    /// The roll-call the prompt's Enter opens; None (and why) when the mission lost its contacts
    /// or got a roll-call while the prompt was open.
    pub(super) fn rollcall_opened(&mut self, mission: String, reason: String) -> Option<Event> {
        let contacts = self.mission_contacts(&mission);
        if contacts.is_empty() {
            self.flash =
                Some(format!("mission {} lists no contacts: no roll-call opened", one_line(&mission)));
            return None;
        }
        if let Some(open) = open_for_mission(self.state().rollcalls(), &mission) {
            let id = open.id.clone();
            self.show_rollcall(&id);
            self.flash = Some("a roll-call of this mission is already open".into());
            return None;
        }
        // The operator in the id too: two consoles calling the roll of one mission in the same
        // minute open two roll-calls, not one the second console mistakes for its own.
        let base = format!("{mission} {} {}", self.now.format("%Y-%m-%dT%H:%MZ"), self.operator);
        let mut rollcall = base.clone();
        let mut n = 1;
        while self.state().rollcalls().contains_key(&rollcall) {
            n += 1;
            rollcall = format!("{base} #{n}");
        }
        let deadline = crate::desk::rollcalls::deadline_after(self.config(), self.now);
        let reason = if reason.is_empty() { format!("roll-call of mission {mission}") } else { reason };
        Some(Event::RollcallOpened {
            rollcall,
            contacts,
            deadline,
            mission: Some(mission),
            alert: None,
            reason,
        })
    }

    /// The roll-call shown, and the contact chosen in it; None (and why) when none is shown.
    fn rollcall_shown(&mut self) -> Option<(String, Option<usize>)> {
        match &self.overlay {
            Overlay::Detail { detail, .. } => match &detail.key {
                RowKey::Rollcall(id) => Some((id.clone(), detail.chosen_contact())),
                _ => {
                    self.flash = Some("s, h, x and C act in a roll-call (R shows it)".into());
                    None
                }
            },
            _ => {
                self.flash = Some("s, h, x and C act in a roll-call (R shows it)".into());
                None
            }
        }
    }

    /// `s`, `h`, `x` in a roll-call: the answer of the contact chosen.
    pub(super) fn answer(&mut self, answer: Answer) -> Option<Effect> {
        let PromptedAnswer { rollcall, contact, answer } = self.answerable(answer)?;
        Some(Effect::Append(Box::new(Event::RollcallAnswered { rollcall, contact, answer, note: None })))
    }

    /// `S`, `H`, `X` in a roll-call: a prompt for a note to go with the answer.
    pub(super) fn answer_with_note(&mut self, answer: Answer) {
        let Some(prompted) = self.answerable(answer) else { return };
        if let Overlay::Detail { detail, .. } = &self.overlay {
            self.detail_behind = Some((detail.key.clone(), detail.chosen));
        }
        self.overlay =
            Overlay::Prompt { purpose: PromptPurpose::AnswerNote(prompted), input: LineEdit::default() };
    }

    /// The answer the note prompt's Enter journals; None when the roll-call closed meanwhile.
    pub(super) fn answered_with_note(&mut self, prompted: PromptedAnswer, note: String) -> Option<Event> {
        if self.state().rollcalls().get(&prompted.rollcall).is_none_or(|r| !r.is_open()) {
            self.flash = Some("this roll-call is closed; nothing was recorded".into());
            return None;
        }
        let PromptedAnswer { rollcall, contact, answer } = prompted;
        Some(Event::RollcallAnswered { rollcall, contact, answer, note: (!note.is_empty()).then_some(note) })
    }

    /// The roll-call shown and the contact chosen in it, when an answer can be taken for them;
    /// else None and (in the status bar) why not.
    fn answerable(&mut self, answer: Answer) -> Option<PromptedAnswer> {
        let (id, chosen) = self.rollcall_shown()?;
        if let Some(why) = self.read_only {
            self.flash = Some(why.into());
            return None;
        }
        let Some(call) = self.state().rollcalls().get(&id) else {
            self.flash =
                Some("this roll-call is no longer kept (closed over a day ago); nothing was recorded".into());
            return None;
        };
        if !call.is_open() {
            self.flash = Some("this roll-call is closed; nothing was recorded".into());
            return None;
        }
        let Some(contact) = chosen.and_then(|n| call.contacts.get(n)).cloned() else {
            self.flash = Some("no contact chosen in this roll-call: Up and Down choose one".into());
            return None;
        };
        Some(PromptedAnswer { rollcall: id, contact, answer })
    }

    /// `C` in a roll-call: asks for an optional reason before closing it.
    pub(super) fn close_rollcall(&mut self) {
        let Some((id, _)) = self.rollcall_shown() else { return };
        if let Some(why) = self.read_only {
            self.flash = Some(why.into());
            return;
        }
        if self.state().rollcalls().get(&id).is_none_or(|r| !r.is_open()) {
            self.flash = Some("this roll-call is already closed".into());
            return;
        }
        if let Overlay::Detail { detail, .. } = &self.overlay {
            self.detail_behind = Some((detail.key.clone(), detail.chosen));
        }
        self.overlay =
            Overlay::Prompt { purpose: PromptPurpose::CloseRollcall(id), input: LineEdit::default() };
    }

    /// The closing the prompt's Enter journals; None when it was closed meanwhile.
    pub(super) fn rollcall_closed(&mut self, rollcall: String, reason: String) -> Option<Event> {
        if self.state().rollcalls().get(&rollcall).is_none_or(|r| !r.is_open()) {
            self.flash = Some("this roll-call is already closed".into());
            return None;
        }
        Some(Event::RollcallClosed { rollcall, reason: (!reason.is_empty()).then_some(reason) })
    }

    /// What the status bar says once a roll-call record was journaled as `seq`, or was not.
    pub(super) fn rollcall_message(&self, event: &Event, seq: Option<u64>) -> Option<String> {
        let done = match event {
            Event::RollcallOpened { contacts, deadline, mission, .. } => {
                let of = mission
                    .as_deref()
                    .map(|m| format!(" of mission {}", truncate(&one_line(m), 30)))
                    .unwrap_or_default();
                format!(
                    "roll-call{of} opened: {} to reach by {}",
                    crate::words::count(contacts.len() as u64, "contact", "contacts"),
                    deadline.format("%H:%MZ")
                )
            }
            Event::RollcallAnswered { contact, answer, .. } => {
                format!("roll-call: {} {}", truncate(&one_line(contact), 30), answer.label())
            }
            Event::RollcallClosed { .. } => "roll-call closed".into(),
            _ => return None,
        };
        Some(match seq {
            Some(seq) => format!("{done} (#{seq})"),
            None => format!("NOT recorded ({done}): journal not writable"),
        })
    }

    /// After an operator's record was journaled (or not): the status bar says so, and a
    /// roll-call just opened is shown.
    pub fn saved(&mut self, event: &Event, seq: Option<u64>) {
        self.flash = Some(self.saved_message(event, seq));
        if let (Event::RollcallOpened { rollcall, .. }, Some(seq)) = (event, seq) {
            // Another console opened one by the same id first: the record keeps that one.
            if let Some(first) = self.state().rollcalls().get(rollcall).filter(|r| r.seq != seq) {
                self.flash = Some(format!(
                    "roll-call {} was already opened by {} (#{}): that one is shown",
                    one_line(rollcall),
                    one_line(&first.opened_by),
                    first.seq
                ));
            }
            self.show_rollcall(rollcall);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{config, now, press};

    use crossterm::event::KeyCode;

    use super::super::{App, Effect, Overlay, Pane, PromptPurpose};
    use crate::config::Config;
    use crate::domain::Answer;
    use crate::event::{Event, Record};

    const KOVAC: &str = "Lt Col. Mirela Kovač";

    /// The console on the Missions pane with KFOR selected.
    fn app_on_kfor(config: Config) -> App {
        let mut app = App::new(config, "reyes".into(), now());
        press(&mut app, KeyCode::Char('1'));
        let row = app.pane(Pane::Missions).rows.iter().position(|r| r.cells[1] == "KFOR").unwrap();
        for _ in 0..row {
            press(&mut app, KeyCode::Char('j'));
        }
        app
    }

    /// Journals what a key asked for, as the runtime does: folded, then said.
    fn journal(app: &mut App, effect: Option<Effect>, seq: u64) -> Event {
        let Some(Effect::Append(event)) = effect else { panic!("an append, not {effect:?}") };
        app.apply(vec![Record { seq, ts: app.now, by: "reyes".into(), event: (*event).clone() }]);
        app.saved(&event, Some(seq));
        *event
    }

    fn overlay_text(app: &App) -> String {
        match &app.overlay {
            Overlay::Detail { detail, .. } => format!("{}\n{}", detail.title, detail.lines.join("\n")),
            _ => panic!("no detail open"),
        }
    }

    #[test]
    fn r_on_a_mission_opens_its_roll_call_and_s_answers_for_the_contact_chosen() {
        let mut app = app_on_kfor(config());
        press(&mut app, KeyCode::Char('R'));
        assert!(
            matches!(&app.overlay, Overlay::Prompt { purpose: PromptPurpose::OpenRollcall(m), .. } if m == "KFOR")
        );
        "shelling near Mitrovica".chars().for_each(|c| drop(press(&mut app, KeyCode::Char(c))));
        let effect = press(&mut app, KeyCode::Enter);
        let opened = journal(&mut app, effect, 1);
        let Event::RollcallOpened { contacts, deadline, mission, reason, .. } = &opened else { panic!() };
        assert_eq!(contacts, &[KOVAC.to_string()]);
        assert_eq!((*deadline, mission.as_deref()), (now() + chrono::Duration::hours(1), Some("KFOR")));
        assert_eq!(reason, "shelling near Mitrovica");
        let text = overlay_text(&app);
        assert!(text.contains("Roll-call KFOR") && text.contains("Deadline 02:05Z: 1h00 left"), "{text}");
        assert!(text.contains(&format!("{KOVAC}   not reached")), "{text}");
        assert_eq!(app.summary.rollcall, Some((0, 1)));

        let effect = press(&mut app, KeyCode::Char('s'));
        let answered = journal(&mut app, effect, 2);
        assert!(
            matches!(&answered, Event::RollcallAnswered { contact, answer: Answer::Safe, .. } if contact == KOVAC)
        );
        let text = overlay_text(&app);
        assert!(text.contains("reached, safe") && text.contains("taken by reyes 01:05Z"), "{text}");
        assert_eq!(app.summary.rollcall, Some((1, 1)));
        assert_eq!(app.flash.as_deref(), Some(&*format!("roll-call: {KOVAC} reached, safe (#2)")));

        // R again on the mission shows the one open; C asks, then closes it.
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('R'));
        assert!(overlay_text(&app).contains("Roll-call KFOR"));
        press(&mut app, KeyCode::Char('C'));
        assert!(matches!(&app.overlay, Overlay::Prompt { purpose: PromptPurpose::CloseRollcall(_), .. }));
        let effect = press(&mut app, KeyCode::Enter);
        let closed = journal(&mut app, effect, 3);
        assert!(matches!(closed, Event::RollcallClosed { reason: None, .. }));
        assert!(overlay_text(&app).contains("Closed 01:05Z by reyes"), "{}", overlay_text(&app));
        assert_eq!(app.summary.rollcall, None);
        assert_eq!(press(&mut app, KeyCode::Char('s')), None);
        assert_eq!(app.flash.as_deref(), Some("this roll-call is closed; nothing was recorded"));
    }

    #[test]
    fn r_with_no_mission_selected_shows_the_latest_open_roll_call_or_says_there_is_none() {
        let mut app = app_on_kfor(config());
        press(&mut app, KeyCode::Char('2'));
        press(&mut app, KeyCode::Char('R'));
        assert_eq!(app.flash.as_deref(), Some("no roll-call open"));
        let opened = Event::RollcallOpened {
            rollcall: "alert quake".into(),
            contacts: vec![KOVAC.into()],
            deadline: now() - chrono::Duration::minutes(5),
            mission: None,
            alert: Some("quake".into()),
            reason: "severe alert: M 6.2".into(),
        };
        app.apply(vec![Record { seq: 1, ts: now(), by: "attache".into(), event: opened }]);
        assert!(app.summary.rollcall_overdue);
        press(&mut app, KeyCode::Char('R'));
        let text = overlay_text(&app);
        assert!(text.contains("severe alert: M 6.2") && text.contains("OVERDUE by 5m"), "{text}");
    }

    #[test]
    fn an_overdue_roll_call_is_named_on_the_status_bar_and_rings_once() {
        let mut app = app_on_kfor(config());
        let opened = Event::RollcallOpened {
            rollcall: "KFOR 00:05".into(),
            contacts: vec![KOVAC.into()],
            deadline: now(),
            mission: Some("KFOR".into()),
            alert: None,
            reason: "drill".into(),
        };
        let overdue = Event::RollcallOverdue { rollcall: "KFOR 00:05".into(), contacts: vec![KOVAC.into()] };
        app.apply(vec![
            Record { seq: 1, ts: now(), by: "reyes".into(), event: opened },
            Record { seq: 2, ts: now(), by: "attache".into(), event: overdue },
        ]);
        assert_eq!(
            app.flash.as_deref(),
            Some(&*format!("ROLL-CALL OVERDUE: not reached {KOVAC} (R shows it)"))
        );
        assert_eq!(app.bells, 1);
    }

    #[test]
    fn r_on_an_alert_shows_the_roll_call_it_opened() {
        let mut app = app_on_kfor(config());
        let raised = Event::AlertRaised {
            alert: "quake|usgs|q1".into(),
            rule: "quake".into(),
            feed: "usgs".into(),
            item: "q1".into(),
            severity: crate::domain::Severity::Severe,
            title: "M 6.2 - Pristina".into(),
            missions: vec!["KFOR".into()],
            traffic: crate::domain::Traffic::Real,
        };
        let opened = Event::RollcallOpened {
            rollcall: "alert quake|usgs|q1".into(),
            contacts: vec![KOVAC.into()],
            deadline: now() + chrono::Duration::hours(1),
            mission: None,
            alert: Some("quake|usgs|q1".into()),
            reason: "severe alert: M 6.2 - Pristina".into(),
        };
        let closed = Event::RollcallClosed { rollcall: "alert quake|usgs|q1".into(), reason: None };
        app.apply(vec![
            Record { seq: 1, ts: now(), by: "attache".into(), event: raised },
            Record { seq: 2, ts: now(), by: "attache".into(), event: opened },
            Record { seq: 3, ts: now(), by: "reyes".into(), event: closed },
        ]);
        // Closed, so only the alert leads to it: no roll-call is open.
        press(&mut app, KeyCode::Char('3'));
        press(&mut app, KeyCode::Char('R'));
        let text = overlay_text(&app);
        assert!(text.contains("alert M 6.2 - Pristina") && text.contains("Closed 01:05Z by reyes"), "{text}");
    }

    #[test]
    fn capital_h_takes_a_note_with_the_answer_and_comes_back_to_the_roll_call() {
        let mut app = app_on_kfor(config());
        press(&mut app, KeyCode::Char('R'));
        let effect = press(&mut app, KeyCode::Enter);
        let opened = journal(&mut app, effect, 1);
        let Event::RollcallOpened { rollcall, reason, .. } = opened else { panic!() };
        assert_eq!(reason, "roll-call of mission KFOR", "no reason typed: one is made");
        press(&mut app, KeyCode::Char('H'));
        let Overlay::Prompt { purpose: PromptPurpose::AnswerNote(prompted), .. } = &app.overlay else {
            panic!("a note prompt")
        };
        assert_eq!(prompted.about(), format!("{KOVAC}: NEEDS HELP"));
        "vehicle hit, two hurt".chars().for_each(|c| drop(press(&mut app, KeyCode::Char(c))));
        let effect = press(&mut app, KeyCode::Enter);
        assert!(matches!(app.overlay, Overlay::Detail { .. }), "back in the roll-call");
        let answered = journal(&mut app, effect, 2);
        assert_eq!(
            answered,
            Event::RollcallAnswered {
                rollcall,
                contact: KOVAC.into(),
                answer: Answer::NeedsHelp,
                note: Some("vehicle hit, two hurt".into())
            }
        );
        assert!(
            overlay_text(&app).contains("NEEDS HELP")
                && overlay_text(&app).contains(": vehicle hit, two hurt")
        );
        // Esc on the note prompt records nothing.
        press(&mut app, KeyCode::Char('S'));
        assert_eq!(press(&mut app, KeyCode::Esc), None);
        assert_eq!(app.flash.as_deref(), Some(&*format!("answer for {KOVAC} not recorded")));
        assert!(matches!(app.overlay, Overlay::Detail { .. }));
    }

    #[test]
    fn a_mission_with_no_contacts_says_so_and_opens_nothing() {
        let mut config = config();
        config.contacts.retain(|c| !c.missions.iter().any(|m| m == "KFOR"));
        let mut app = app_on_kfor(config);
        assert_eq!(press(&mut app, KeyCode::Char('R')), None);
        assert!(matches!(app.overlay, Overlay::None));
        assert_eq!(app.flash.as_deref(), Some("mission KFOR lists no contacts: no roll-call to open"));
    }

    #[test]
    fn read_only_keys_say_why_and_write_nothing() {
        let mut app = app_on_kfor(config());
        app.read_only = Some("replay is read-only");
        press(&mut app, KeyCode::Char('R'));
        assert_eq!(app.flash.as_deref(), Some("replay is read-only"));
        let opened = Event::RollcallOpened {
            rollcall: "KFOR 01:00".into(),
            contacts: vec![KOVAC.into()],
            deadline: now(),
            mission: Some("KFOR".into()),
            alert: None,
            reason: "drill".into(),
        };
        app.apply(vec![Record { seq: 1, ts: now(), by: "reyes".into(), event: opened }]);
        press(&mut app, KeyCode::Char('R'));
        assert!(overlay_text(&app).contains("drill"), "shown as it stands");
        for key in ['s', 'h', 'x', 'S', 'H', 'X', 'C'] {
            app.flash = None;
            assert_eq!(press(&mut app, KeyCode::Char(key)), None);
            assert_eq!(app.flash.as_deref(), Some("replay is read-only"), "{key}");
        }
    }

    /// A roll-call longer than the screen: the contact Down chooses stays in view, and Tab
    /// chooses as Down does.
    #[test]
    fn the_contact_chosen_in_a_long_roll_call_stays_on_screen() {
        let mut app = App::new(config(), "reyes".into(), now());
        let contacts: Vec<String> = (1..=25).map(|n| format!("Officer {n:02}")).collect();
        let opened = Event::RollcallOpened {
            rollcall: "big".into(),
            contacts,
            deadline: now() + chrono::Duration::hours(1),
            mission: None,
            alert: None,
            reason: "a long list".into(),
        };
        app.apply(vec![Record { seq: 1, ts: now(), by: "reyes".into(), event: opened }]);
        app.show_rollcall("big");
        for _ in 0..19 {
            press(&mut app, KeyCode::Down);
        }
        press(&mut app, KeyCode::Tab);
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        let theme = crate::ui::theme::Theme { color: false };
        terminal.draw(|frame| crate::ui::render(frame, &app, &theme)).unwrap();
        let screen = format!("{:?}", terminal.backend().buffer());
        assert!(screen.contains("> Officer 21"), "{screen}");
        // A page key moves the choice a page, and stops at the last.
        press(&mut app, KeyCode::PageDown);
        terminal.draw(|frame| crate::ui::render(frame, &app, &theme)).unwrap();
        let screen = format!("{:?}", terminal.backend().buffer());
        assert!(screen.contains("> Officer 25"), "{screen}");
    }

    /// Keys that did nothing and said nothing: `s` over the help, and `R` then Esc from a
    /// mission's detail (back to the detail, as `m`, `n` and `c` come back).
    #[test]
    fn roll_call_keys_say_why_not_and_esc_goes_back_where_r_was_pressed() {
        let mut app = app_on_kfor(config());
        press(&mut app, KeyCode::Char('?'));
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(app.flash.as_deref(), Some("s, h, x and C act in a roll-call (R shows it)"));
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Enter);
        assert!(overlay_text(&app).contains("KFOR"), "the mission's detail");
        press(&mut app, KeyCode::Char('R'));
        assert!(matches!(app.overlay, Overlay::Prompt { purpose: PromptPurpose::OpenRollcall(_), .. }));
        press(&mut app, KeyCode::Esc);
        assert!(overlay_text(&app).contains("KFOR"), "back in the mission's detail");
    }

    /// Two consoles, one id: the record keeps the first opening, and the second console says so.
    #[test]
    fn a_roll_call_another_console_opened_by_the_same_id_is_named_not_claimed() {
        let mut app = app_on_kfor(config());
        let mine = Event::RollcallOpened {
            rollcall: "KFOR same".into(),
            contacts: vec![KOVAC.into()],
            deadline: now() + chrono::Duration::hours(1),
            mission: Some("KFOR".into()),
            alert: None,
            reason: "mine".into(),
        };
        let first = Record { seq: 1, ts: now(), by: "santos".into(), event: mine.clone() };
        app.apply(vec![first, Record { seq: 2, ts: now(), by: "reyes".into(), event: mine.clone() }]);
        app.saved(&mine, Some(2));
        let said = app.flash.as_deref().unwrap_or_default();
        assert_eq!(said, "roll-call KFOR same was already opened by santos (#1): that one is shown");
    }
}
