//! The console's keys: which context a key is read in, what it does there, and the prompts it
//! opens and submits.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::*;

/// Rows a page key moves.
const PAGE: isize = 10;

impl App {
    pub fn context(&self) -> Context {
        match self.overlay {
            Overlay::None => Context::Panes,
            Overlay::Help { .. } | Overlay::Detail { .. } => Context::Overlay,
            Overlay::Prompt { .. } => Context::Prompt,
            Overlay::ConfirmQuit => Context::ConfirmQuit,
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> Option<Effect> {
        let context = self.context();
        // Writing a note is not choosing a row: a note ties only to a record the operator chose.
        if context == Context::Panes
            && key.kind != KeyEventKind::Release
            && keymap::action_for(context, key) != Some(Action::Note)
        {
            self.hold_selection(self.focus);
        }
        if context == Context::Panes
            && self.focus == Pane::Alerts
            && let Some(action) = keymap::action_for(Context::AlertsPane, key)
        {
            return self.act_on_alert(action);
        }
        match keymap::action_for(context, key) {
            Some(action) => self.act(action),
            None if context == Context::Prompt => {
                self.type_into_prompt(key);
                None
            }
            None if context == Context::Panes => {
                self.unknown_key(key);
                None
            }
            None if context == Context::ConfirmQuit => {
                // A release of the q that asked, or a modifier alone, is not an answer.
                if keymap::pressed(key).is_some() {
                    self.overlay = Overlay::None;
                    self.flash = Some("not quitting".into());
                }
                None
            }
            None => None,
        }
    }

    fn act(&mut self, action: Action) -> Option<Effect> {
        match (&mut self.overlay, action) {
            // Quitting the console that polls stops the desk's feeds and escalations until
            // another console takes over: a stray q should not do that.
            (Overlay::None, Action::Quit) if self.polls_feeds => self.overlay = Overlay::ConfirmQuit,
            (_, Action::Quit | Action::QuitNow) => return Some(Effect::Quit),
            (Overlay::Prompt { .. }, Action::Submit) => return self.submit_prompt(),
            (Overlay::Prompt { purpose: PromptPurpose::Filter, .. }, Action::NextMatch) => {
                self.step_match(true)
            }
            (Overlay::Prompt { purpose: PromptPurpose::Filter, .. }, Action::PreviousMatch) => {
                self.step_match(false)
            }
            (Overlay::Prompt { purpose: PromptPurpose::CheckIn(check_in), .. }, Action::NextMatch) => {
                check_in.step_channel(true)
            }
            (Overlay::Prompt { purpose: PromptPurpose::CheckIn(check_in), .. }, Action::PreviousMatch) => {
                check_in.step_channel(false)
            }
            (Overlay::Prompt { purpose: PromptPurpose::MissionStatus(mission), .. }, Action::NextMatch) => {
                mission.step_status(true)
            }
            (
                Overlay::Prompt { purpose: PromptPurpose::MissionStatus(mission), .. },
                Action::PreviousMatch,
            ) => mission.step_status(false),
            (Overlay::Prompt { purpose, input }, Action::Edit(edit)) => {
                if input.apply(edit) && *purpose == PromptPurpose::Filter {
                    let text = input.text().to_string();
                    self.set_filter(text);
                }
            }
            (Overlay::Prompt { purpose, .. }, Action::Close) => {
                match purpose {
                    PromptPurpose::Filter => self.set_filter(String::new()),
                    PromptPurpose::Note(_) => self.flash = Some("note discarded".into()),
                    PromptPurpose::AcknowledgeNote(alert) | PromptPurpose::ResolveReason(alert) => {
                        self.flash = Some(format!("cancelled; {} is unchanged", alert.label))
                    }
                    PromptPurpose::CheckIn(check_in) => {
                        self.flash =
                            Some(format!("check-in with {} not recorded", one_line(&check_in.contact)))
                    }
                    PromptPurpose::MissionStatus(mission) => {
                        self.flash = Some(format!("mission {} is unchanged", one_line(&mission.mission)))
                    }
                    PromptPurpose::OpenRollcall(mission) => {
                        self.flash = Some(format!("no roll-call opened for mission {}", one_line(mission)))
                    }
                    PromptPurpose::CloseRollcall(_) => self.flash = Some("the roll-call stays open".into()),
                    PromptPurpose::AnswerNote(answer) => {
                        self.flash = Some(format!("answer for {} not recorded", one_line(&answer.contact)))
                    }
                    PromptPurpose::BriefSince => self.flash = Some("no briefing written".into()),
                }
                self.overlay = Overlay::None;
                self.back_to_detail();
            }
            (Overlay::Detail { .. } | Overlay::Help { .. }, Action::NextContact) => {
                self.choose_in_detail(true)
            }
            (Overlay::Detail { .. } | Overlay::Help { .. }, Action::PreviousContact) => {
                self.choose_in_detail(false)
            }
            (Overlay::Detail { .. } | Overlay::Help { .. }, Action::CheckIn) => self.check_in_in_detail(),
            (Overlay::Detail { .. } | Overlay::Help { .. }, Action::Note) => self.note_in_detail(),
            (Overlay::Detail { .. } | Overlay::Help { .. }, Action::MissionStatus) => {
                self.mission_status_in_detail()
            }
            (Overlay::Detail { .. } | Overlay::Help { .. }, Action::Rollcall) => self.rollcall_in_detail(),
            (Overlay::Detail { .. } | Overlay::Help { .. }, Action::Answer(answer)) => {
                return self.answer(answer);
            }
            (Overlay::Detail { .. } | Overlay::Help { .. }, Action::AnswerWithNote(answer)) => {
                self.answer_with_note(answer)
            }
            (Overlay::Detail { .. } | Overlay::Help { .. }, Action::CloseRollcall) => self.close_rollcall(),
            (Overlay::Detail { detail, .. }, Action::Down | Action::Up)
                if matches!(detail.key, pane::RowKey::Rollcall(_)) =>
            {
                detail.choose(action == Action::Down)
            }
            // In a roll-call the view follows the contact chosen, so a page moves the choice.
            (Overlay::Detail { detail, .. }, Action::PageDown | Action::PageUp)
                if matches!(detail.key, pane::RowKey::Rollcall(_)) =>
            {
                detail.choose_by(if action == Action::PageDown { PAGE } else { -PAGE })
            }
            (Overlay::Help { scroll } | Overlay::Detail { scroll, .. }, scroll_action) => match scroll_action
            {
                Action::Down => scroll.by(1),
                Action::Up => scroll.by(-1),
                Action::PageDown => scroll.by(PAGE),
                Action::PageUp => scroll.by(-PAGE),
                Action::Close => self.overlay = Overlay::None,
                _ => {}
            },
            (Overlay::None, Action::Brief) if self.briefing => {
                self.flash = Some("a briefing is still being written: one at a time".into())
            }
            (Overlay::None, Action::Brief) => {
                self.overlay =
                    Overlay::Prompt { purpose: PromptPurpose::BriefSince, input: LineEdit::default() }
            }
            (Overlay::None, Action::Reload) => return Some(Effect::Reload),
            (Overlay::None, action) => self.act_on_panes(action),
            (Overlay::Prompt { .. } | Overlay::ConfirmQuit, _) => {}
        }
        None
    }

    fn act_on_panes(&mut self, action: Action) {
        match action {
            Action::FocusNext => self.focus_on(Pane::ALL[(self.focus.index() + 1) % Pane::ALL.len()]),
            Action::FocusPrev => {
                self.focus_on(Pane::ALL[(self.focus.index() + Pane::ALL.len() - 1) % Pane::ALL.len()])
            }
            Action::FocusPane(n) => self.focus_on(Pane::ALL[n.min(Pane::ALL.len() - 1)]),
            Action::Down => self.move_selection(1),
            Action::Up => self.move_selection(-1),
            Action::PageDown => self.move_selection(PAGE),
            Action::PageUp => self.move_selection(-PAGE),
            Action::Top => self.select_in_focused(0),
            Action::Bottom => self.select_in_focused(isize::MAX),
            Action::Open => self.open_detail(),
            Action::Help => self.overlay = Overlay::Help { scroll: Scroll::default() },
            Action::Filter => {
                let input = LineEdit::new(self.pane(self.focus).filter.clone());
                self.overlay = Overlay::Prompt { purpose: PromptPurpose::Filter, input };
            }
            Action::Note => {
                let purpose = PromptPurpose::Note(self.note_about());
                self.overlay = Overlay::Prompt { purpose, input: LineEdit::default() }
            }
            Action::Close => self.set_filter(String::new()),
            Action::NextMatch => self.step_match(true),
            Action::PreviousMatch => self.step_match(false),
            Action::CheckIn => self.check_in(),
            Action::MissionStatus => self.mission_status(),
            Action::Rollcall => self.rollcall(),
            Action::ToggleLogZone => {
                self.log_in_desk_zone = !self.log_in_desk_zone;
                self.refresh(Pane::Log);
            }
            Action::Quit
            | Action::QuitNow
            | Action::Submit
            | Action::Acknowledge
            | Action::AcknowledgeWithNote
            | Action::Unacknowledge
            | Action::Resolve
            | Action::Brief
            | Action::Reload
            | Action::NextContact
            | Action::PreviousContact
            | Action::Answer(_)
            | Action::AnswerWithNote(_)
            | Action::CloseRollcall
            | Action::Edit(_) => {}
        }
    }

    /// Says, briefly, that a key does nothing here, so a mistyped key is not taken for a
    /// stuck console.
    fn unknown_key(&mut self, event: &KeyEvent) {
        let Some(key) = keymap::pressed(event) else { return };
        let name = keymap::label(&key);
        let alerts_key = keymap::action_for(Context::AlertsPane, event).is_some();
        let focus_alerts = keymap::keys_for(Context::Panes, Action::FocusPane(Pane::Alerts.index()));
        self.flash = Some(match focus_alerts {
            Some(focus) if alerts_key => format!("{name} acts on alerts: {focus} focuses Alerts"),
            _ => format!("no key {name} here; ? for help"),
        });
    }

    fn open_detail(&mut self) {
        let Some(row) = self.pane(self.focus).selected_row() else {
            self.flash = Some(nothing_selected(self.focus));
            return;
        };
        let key = row.key.clone();
        if let Some(detail) = self.detail_of(&key) {
            self.overlay = Overlay::Detail { detail, scroll: Scroll::default() };
        }
    }

    pub(super) fn detail_of(&self, key: &pane::RowKey) -> Option<Detail> {
        detail::detail(key, self.in_force.config(), &self.state, &self.feed_runtime, &self.cot_out, self.now)
    }

    fn type_into_prompt(&mut self, key: &KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        let Overlay::Prompt { purpose, input } = &mut self.overlay else { return };
        match key.code {
            KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                input.insert(c)
            }
            _ => return,
        }
        if *purpose == PromptPurpose::Filter {
            let text = input.text().to_string();
            self.set_filter(text);
        }
    }

    fn submit_prompt(&mut self) -> Option<Effect> {
        let effect = self.submitted();
        // A resolution without its reason keeps its prompt open.
        if matches!(self.overlay, Overlay::None) {
            self.back_to_detail();
        }
        effect
    }

    fn submitted(&mut self) -> Option<Effect> {
        let Overlay::Prompt { purpose, input } = std::mem::replace(&mut self.overlay, Overlay::None) else {
            return None;
        };
        let text = one_line(input.text());
        let operator = self.operator.clone();
        let event = match purpose {
            PromptPurpose::Filter => return None,
            PromptPurpose::BriefSince if text.is_empty() => return Some(Effect::WriteBrief { since: None }),
            PromptPurpose::BriefSince => match crate::when::parse_since(&text, self.now) {
                Ok(since) => return Some(Effect::WriteBrief { since: Some(since) }),
                Err(why) => {
                    // Kept open with what was typed, to be mended rather than typed again.
                    self.flash = Some(format!("no briefing written: {why}"));
                    self.overlay = Overlay::Prompt { purpose: PromptPurpose::BriefSince, input };
                    return None;
                }
            },
            PromptPurpose::Note(_) if text.is_empty() => {
                self.flash = Some("empty note not saved".into());
                return None;
            }
            PromptPurpose::Note(about) => {
                let (mission, alert, contact) = about.fields();
                Event::Note { operator, text, mission, alert, contact }
            }
            PromptPurpose::AcknowledgeNote(alert) => {
                if let Some(why) = self.prompt_refusal(&alert, Action::AcknowledgeWithNote) {
                    self.flash = Some(why);
                    return None;
                }
                let note = (!text.is_empty()).then_some(text);
                Event::AlertAcknowledged { alert: alert.id, operator, note }
            }
            PromptPurpose::ResolveReason(alert) if text.is_empty() => {
                // A resolution is a decision on the record: it needs its reason.
                self.flash = Some(format!("{} not resolved: a reason is required", alert.label));
                self.overlay = Overlay::Prompt { purpose: PromptPurpose::ResolveReason(alert), input };
                return None;
            }
            PromptPurpose::ResolveReason(alert) => {
                if let Some(why) = self.prompt_refusal(&alert, Action::Resolve) {
                    self.flash = Some(why);
                    return None;
                }
                Event::AlertResolved { alert: alert.id, operator, reason: text }
            }
            PromptPurpose::CheckIn(check_in) => self.checked_in(check_in, text)?,
            PromptPurpose::MissionStatus(mission) => self.mission_status_changed(mission, text)?,
            PromptPurpose::OpenRollcall(mission) => self.rollcall_opened(mission, text)?,
            PromptPurpose::CloseRollcall(rollcall) => self.rollcall_closed(rollcall, text)?,
            PromptPurpose::AnswerNote(answer) => self.answered_with_note(answer, text)?,
        };
        Some(Effect::Append(Box::new(event)))
    }

    fn set_filter(&mut self, filter: String) {
        let pane = self.focus;
        self.panes[pane.index()].filter = filter;
        self.refresh(pane);
    }
}
