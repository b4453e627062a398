//! The console's behaviour without a terminal: what is focused and selected, what each key
//! does, and which operator actions must be journaled. `ui` draws it; `runtime` wires it to the
//! terminal, the journal and the feeds.

mod alert_actions;
pub mod attention;
mod contact_actions;
pub mod detail;
pub mod format;
pub mod keymap;
mod mission_actions;
pub mod mission_detail;
pub mod naming;
mod note_tie;
pub mod pane;
pub mod prompt;
mod rollcall_actions;
pub mod rollcall_view;
pub mod rows;
mod selecting;
pub mod summary;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Timelike, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::cell::Cell;
use std::collections::BTreeMap;

use crate::config::Config;
use crate::desk::InForce;
use crate::event::{Event, Record};
use crate::state::DeskState;
use crate::text::one_line;
pub use alert_actions::PromptedAlert;
pub use contact_actions::PromptedCheckIn;
use detail::Detail;
use keymap::{Action, Context};
pub use mission_actions::PromptedMission;
pub use note_tie::NoteAbout;
use pane::{Pane, PaneView};
use prompt::LineEdit;
pub use rollcall_actions::PromptedAnswer;
use rows::Ages;
use selecting::{departure_message, nothing_selected};

/// Rows a page key moves.
const PAGE: isize = 10;

/// What the runtime knows about a feed's polling that is not desk knowledge (and so not
/// journaled): when it polls next and whether a poll is under way.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeedRuntime {
    pub next_poll: Option<DateTime<Utc>>,
    pub in_flight: bool,
    /// Polls in a row that failed; above zero the next poll is backed off.
    pub failures: u32,
    /// How long the last poll took, 304s included (those are not journaled).
    pub last_ms: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptPurpose {
    /// A note, about the selection it was opened on.
    Note(NoteAbout),
    Filter,
    /// The note to acknowledge this alert with.
    AcknowledgeNote(PromptedAlert),
    /// Why this alert is resolved (required).
    ResolveReason(PromptedAlert),
    /// How this contact was reached, and an optional note.
    CheckIn(PromptedCheckIn),
    /// The status to set this mission to, and an optional status line.
    MissionStatus(PromptedMission),
    /// Opening a roll-call of this mission's contacts, with an optional reason.
    OpenRollcall(String),
    /// Closing this roll-call, with an optional reason.
    CloseRollcall(String),
    /// A roll-call contact's answer, with an optional note.
    AnswerNote(PromptedAnswer),
}

/// How far a help or detail view is scrolled, and how far it can be: the view learns that
/// when drawn, as only it knows its size once lines are wrapped.
#[derive(Debug)]
pub struct Scroll {
    at: usize,
    max: Cell<usize>,
}

impl Default for Scroll {
    fn default() -> Self {
        Self { at: 0, max: Cell::new(usize::MAX) }
    }
}

impl Scroll {
    fn by(&mut self, delta: isize) {
        self.at = self.at.saturating_add_signed(delta).min(self.max.get());
    }

    /// The line to draw from, given the view's `total` lines and `visible` lines on screen.
    pub fn fit(&self, total: usize, visible: usize) -> usize {
        self.max.set(total.saturating_sub(visible));
        self.at.min(self.max.get())
    }
}

pub enum Overlay {
    None,
    Help {
        scroll: Scroll,
    },
    Detail {
        detail: Detail,
        scroll: Scroll,
    },
    Prompt {
        purpose: PromptPurpose,
        input: LineEdit,
    },
    /// `q` in the console that polls the desk's feeds: quitting stops the polling.
    ConfirmQuit,
}

/// The journal as the status bar shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalStatus {
    Writable,
    /// Appends fail (disk full, read-only directory); the console keeps showing what it has.
    Failing(String),
    /// The journal is damaged before its end: nothing is appended until an operator decides.
    ReadOnly(String),
}

/// What the runtime must do after a key.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Quit,
    /// Journal this operator event; it shows as done only once durable.
    Append(Box<Event>),
    /// Write a briefing of the watch so far and journal that it was written.
    WriteBrief,
    /// Load the configuration file again, check it, and journal it if it checks out.
    Reload,
}

pub struct App {
    /// The configuration the panes and rules use: the one in force at the state's last record
    /// (`DeskState::config_in_force`), or this process's own file where the record holds none.
    in_force: InForce,
    /// The fold of the record so far: changed only by `apply` (and `resume`), and by a replay
    /// moving along the record (`replay_state`).
    state: DeskState,
    pub now: DateTime<Utc>,
    pub operator: String,
    pub focus: Pane,
    pub overlay: Overlay,
    pub panes: [PaneView; 6],
    pub journal: JournalStatus,
    /// A short message for the status bar (last action's result).
    pub flash: Option<String>,
    pub feed_runtime: BTreeMap<String, FeedRuntime>,
    /// Whether this console polls the feeds or another console on the host does.
    pub polls_feeds: bool,
    /// The journal is still being read (a long one, with no checkpoint near its end).
    pub reading_journal: bool,
    /// Counts the banner and status bar show, kept with the rows rather than counted per frame.
    pub summary: Summary,
    /// When this console started: alerts in records stamped earlier are history, not news.
    pub watching_since: DateTime<Utc>,
    /// Terminal bells owed for alerts just folded (`attention`); the runtime rings them.
    pub bells: usize,
    /// The Event log shows times in the desk's zone rather than UTC.
    pub log_in_desk_zone: bool,
    /// The detail view a prompt was opened from (`m`, `c` in a mission's detail), and the
    /// contact chosen in it: shown again once the prompt is done.
    detail_behind: Option<(pane::RowKey, usize)>,
    /// Over a slow or metered link: the clock and the ages on screen move by the minute, not
    /// by the second (`--low-bandwidth`, `[ui] low_bandwidth`).
    pub low_bandwidth: bool,
    /// Why keys that would write do nothing here (a replay), or None in the live console.
    pub read_only: Option<&'static str>,
}

/// What moving the clock changed on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Moved {
    Nothing,
    /// Only the status bar's clock.
    Clock,
    /// Rows of the panes as well (an age, a due time).
    Panes,
}

pub use summary::Summary;

impl App {
    pub fn new(config: Config, operator: String, now: DateTime<Utc>) -> Self {
        let mut app = App {
            in_force: InForce::new(config),
            state: DeskState::default(),
            now,
            operator,
            focus: Pane::Missions,
            overlay: Overlay::None,
            panes: Default::default(),
            journal: JournalStatus::Writable,
            flash: None,
            feed_runtime: BTreeMap::new(),
            polls_feeds: false,
            reading_journal: false,
            summary: Summary::default(),
            watching_since: now,
            bells: 0,
            log_in_desk_zone: false,
            low_bandwidth: false,
            detail_behind: None,
            read_only: None,
        };
        app.refresh_all();
        app
    }

    /// The desk's state at the last record folded.
    pub fn state(&self) -> &DeskState {
        &self.state
    }

    /// For the replay's engine alone, which moves the state to another point of the record
    /// (from its copies, by the same fold); the caller refreshes the panes (`refresh_all`).
    pub(crate) fn replay_state(&mut self) -> &mut DeskState {
        &mut self.state
    }

    /// Starts from a state already folded (a checkpoint) in place of the empty one.
    pub fn resume(&mut self, state: DeskState) {
        self.state = state;
        self.refresh_all();
    }

    /// Folds records into the desk state and refreshes the panes.
    pub fn apply(&mut self, records: Vec<Record>) {
        if records.is_empty() {
            return;
        }
        let picks = attention::picks(&records, self.watching_since);
        self.state.fold_all(records);
        let threshold = self.in_force.config().bell.unwrap_or(crate::config::DEFAULT_BELL);
        let news = attention::notice(&picks, &self.state, threshold, self.in_force.config().bell.is_some());
        let earlier = self.flash.take();
        let adopted = self.in_force.adopted().map(str::to_string);
        self.refresh_all();
        // Refreshing says if the focused pane's selection left; a new alert is said first, and
        // neither hides the other.
        let departure = self.flash.take();
        self.flash = match (news, departure) {
            (Some(news), departure) => {
                self.bells += news.bells;
                Some(match departure {
                    Some(departure) => format!("{}; {departure}", news.message),
                    None => news.message,
                })
            }
            (None, Some(departure)) => Some(departure),
            (None, None) => earlier,
        };
        // Panes that change under the operator's eyes say why: another console or `attache
        // reload` put another configuration in force.
        if adopted.is_some() && self.in_force.adopted() != adopted.as_deref() {
            let said = self.config_changed();
            self.flash = Some(match self.flash.take() {
                Some(other) => format!("{said}; {other}"),
                None => said,
            });
        }
    }

    fn config_changed(&self) -> String {
        let seq = self.state.config_in_force().map_or(0, |c| c.seq);
        format!(
            "configuration of record #{seq} now in force: {} missions, {} contacts, {} feeds",
            self.in_force.config().missions.len(),
            self.in_force.config().contacts.len(),
            self.in_force.config().feeds.len()
        )
    }

    fn ages(&self) -> Ages {
        if self.low_bandwidth { Ages::Minutes } else { Ages::Seconds }
    }

    /// Shows the clock and the ages by the minute (a slow link) or by the second.
    pub fn set_low_bandwidth(&mut self, on: bool) {
        self.low_bandwidth = on;
        self.refresh(Pane::Feeds);
        self.refresh(Pane::Contacts);
    }

    /// Moves the clock; says what on screen changes with it. The feeds' ages are looked at
    /// every second, and the screen changes only when one of them does.
    pub fn set_now(&mut self, now: DateTime<Utc>) -> Moved {
        let minute_changed = now.minute() != self.now.minute() || (now - self.now).num_seconds().abs() >= 60;
        let second_changed = now.timestamp() != self.now.timestamp();
        self.now = now;
        if minute_changed {
            self.refresh(Pane::Contacts);
            self.refresh(Pane::Alerts);
            self.refresh(Pane::Log);
            self.refresh_detail();
            self.refresh(Pane::Feeds);
            self.refresh_summary();
            return Moved::Panes;
        }
        // A slow link's screen moves at the minute only, all at once: one draw.
        if !second_changed || self.low_bandwidth {
            return Moved::Nothing;
        }
        let before = self.panes[Pane::Feeds.index()].rows.clone();
        self.refresh(Pane::Feeds);
        if self.panes[Pane::Feeds.index()].rows != before { Moved::Panes } else { Moved::Clock }
    }

    pub fn refresh_all(&mut self) {
        self.in_force.follow(&self.state);
        for pane in Pane::ALL {
            self.refresh(pane);
        }
        self.refresh_summary();
        self.refresh_detail();
    }

    /// The configuration in force at the state's last record (`desk::InForce`).
    pub fn config(&self) -> &Config {
        self.in_force.config()
    }

    /// Whether the configuration shown is one the record holds, rather than this process's own
    /// file standing in for a record that has none at this point.
    pub fn config_from_record(&self) -> bool {
        self.in_force.from_record()
    }

    /// The configuration file this process started with, or last reloaded.
    pub fn own_config(&self) -> &Config {
        self.in_force.own()
    }

    /// After this process reloaded its file: what the record does not hold (layout, bell) is
    /// taken from it too.
    pub fn set_own_config(&mut self, config: Config) {
        self.in_force.set_own(config);
        self.refresh_all();
    }

    fn refresh_summary(&mut self) {
        self.summary = summary::of(&self.state, self.now);
    }

    /// Rebuilds one pane's rows; they change only with state, clock or filter, never per frame.
    pub fn refresh(&mut self, pane: Pane) {
        let rows = match pane {
            Pane::Missions => rows::missions(self.in_force.config(), &self.state),
            Pane::Contacts => rows::contacts(self.in_force.config(), &self.state, self.now, self.ages()),
            Pane::Alerts => rows::alerts(&self.state, self.now),
            Pane::Log => rows::log(&self.state, self.now, self.log_zone()),
            Pane::Feeds => {
                rows::feeds(self.in_force.config(), &self.state, &self.feed_runtime, self.now, self.ages())
            }
            // The map draws from state directly; it has no rows to select.
            Pane::Map => Vec::new(),
        };
        let departed = self.panes[pane.index()].set_rows(rows);
        self.relabel(pane);
        // Only the focused pane's news is worth the status bar now; others say it on focus.
        if pane == self.focus
            && let Some(departure) = departed
        {
            self.flash = Some(departure_message(pane, &departure));
        }
    }

    /// The zone the Event log's times are shown in: the desk's, or None for UTC.
    pub fn log_zone(&self) -> Option<chrono_tz::Tz> {
        self.log_in_desk_zone.then_some(self.in_force.config().desk_tz)
    }

    pub fn pane(&self, pane: Pane) -> &PaneView {
        &self.panes[pane.index()]
    }

    fn focused_mut(&mut self) -> &mut PaneView {
        &mut self.panes[self.focus.index()]
    }

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
            (Overlay::Help { scroll } | Overlay::Detail { scroll, .. }, scroll_action) => match scroll_action
            {
                Action::Down => scroll.by(1),
                Action::Up => scroll.by(-1),
                Action::PageDown => scroll.by(PAGE),
                Action::PageUp => scroll.by(-PAGE),
                Action::Close => self.overlay = Overlay::None,
                _ => {}
            },
            (Overlay::None, Action::Brief) => return Some(Effect::WriteBrief),
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

    fn detail_of(&self, key: &pane::RowKey) -> Option<Detail> {
        detail::detail(key, self.in_force.config(), &self.state, &self.feed_runtime, self.now)
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
