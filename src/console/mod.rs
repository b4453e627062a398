//! The console's behaviour without a terminal: what is focused and selected, what each key
//! does, and which operator actions must be journaled. `ui` draws it; `runtime` wires it to the
//! terminal, the journal and the feeds.

mod alert_actions;
pub mod attention;
pub mod detail;
pub mod format;
pub mod keymap;
pub mod pane;
pub mod rows;
pub mod summary;

use chrono::{DateTime, Timelike, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::BTreeMap;

use crate::config::Config;
use crate::event::{Event, Record};
use crate::state::DeskState;
use crate::text::one_line;
use detail::Detail;
use keymap::{Action, Context};
use pane::{Pane, PaneView};

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
    Note,
    Filter,
    /// The note to acknowledge this alert with.
    AcknowledgeNote(String),
    /// Why this alert is resolved (required).
    ResolveReason(String),
}

pub enum Overlay {
    None,
    Help { scroll: usize },
    Detail { detail: Detail, scroll: usize },
    Prompt { purpose: PromptPurpose, text: String },
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
}

pub struct App {
    pub config: Config,
    pub state: DeskState,
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
}

pub use summary::Summary;

impl App {
    pub fn new(config: Config, operator: String, now: DateTime<Utc>) -> Self {
        let mut app = App {
            config,
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
        };
        app.refresh_all();
        app
    }

    /// Folds records into the desk state and refreshes the panes.
    pub fn apply(&mut self, records: Vec<Record>) {
        if records.is_empty() {
            return;
        }
        let picks = attention::picks(&records, self.watching_since);
        self.state.fold_all(records);
        let threshold = self.config.bell.unwrap_or(crate::config::DEFAULT_BELL);
        if let Some(news) = attention::notice(&picks, &self.state, threshold, self.config.bell.is_some()) {
            self.flash = Some(news.message);
            self.bells += news.bells;
        }
        self.refresh_all();
    }

    /// Moves the clock. Returns whether anything on screen changes (the clock shows seconds).
    pub fn set_now(&mut self, now: DateTime<Utc>) -> bool {
        let minute_changed = now.minute() != self.now.minute() || (now - self.now).num_seconds().abs() >= 60;
        let second_changed = now.timestamp() != self.now.timestamp();
        self.now = now;
        if minute_changed {
            self.refresh(Pane::Contacts);
            self.refresh(Pane::Alerts);
            self.refresh(Pane::Log);
            self.refresh_summary();
        }
        if second_changed {
            self.refresh(Pane::Feeds);
        }
        second_changed
    }

    pub fn refresh_all(&mut self) {
        for pane in Pane::ALL {
            self.refresh(pane);
        }
        self.refresh_summary();
    }

    fn refresh_summary(&mut self) {
        self.summary = summary::of(&self.state, self.now);
    }

    /// Rebuilds one pane's rows; they change only with state, clock or filter, never per frame.
    pub fn refresh(&mut self, pane: Pane) {
        let rows = match pane {
            Pane::Missions => rows::missions(&self.config, &self.state),
            Pane::Contacts => rows::contacts(&self.config, &self.state, self.now),
            Pane::Alerts => rows::alerts(&self.state, self.now),
            Pane::Log => rows::log(&self.state, self.now, self.log_zone()),
            Pane::Feeds => rows::feeds(&self.config, &self.state, &self.feed_runtime, self.now),
            // The map draws from state directly; it has no rows to select.
            Pane::Map => Vec::new(),
        };
        self.panes[pane.index()].set_rows(rows);
    }

    /// The zone the Event log's times are shown in: the desk's, or None for UTC.
    pub fn log_zone(&self) -> Option<chrono_tz::Tz> {
        self.log_in_desk_zone.then_some(self.config.desk_tz)
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
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> Option<Effect> {
        let context = self.context();
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
            None => None,
        }
    }

    fn act(&mut self, action: Action) -> Option<Effect> {
        match (&mut self.overlay, action) {
            (_, Action::Quit) => return Some(Effect::Quit),
            (Overlay::Prompt { .. }, Action::Submit) => return self.submit_prompt(),
            (Overlay::Prompt { purpose, .. }, Action::Close) => {
                match purpose {
                    PromptPurpose::Filter => self.set_filter(String::new()),
                    PromptPurpose::Note => self.flash = Some("note discarded".into()),
                    PromptPurpose::AcknowledgeNote(_) | PromptPurpose::ResolveReason(_) => {
                        self.flash = Some("cancelled; the alert is unchanged".into())
                    }
                }
                self.overlay = Overlay::None;
            }
            (Overlay::Help { scroll } | Overlay::Detail { scroll, .. }, scroll_action) => match scroll_action
            {
                Action::Down => *scroll += 1,
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::PageDown => *scroll += PAGE as usize,
                Action::PageUp => *scroll = scroll.saturating_sub(PAGE as usize),
                Action::Close => self.overlay = Overlay::None,
                _ => {}
            },
            (Overlay::None, Action::Brief) => return Some(Effect::WriteBrief),
            (Overlay::None, action) => self.act_on_panes(action),
            (Overlay::Prompt { .. }, _) => {}
        }
        None
    }

    fn act_on_panes(&mut self, action: Action) {
        let selected = self.pane(self.focus).selected as isize;
        match action {
            Action::FocusNext => self.focus = Pane::ALL[(self.focus.index() + 1) % Pane::ALL.len()],
            Action::FocusPrev => {
                self.focus = Pane::ALL[(self.focus.index() + Pane::ALL.len() - 1) % Pane::ALL.len()]
            }
            Action::FocusPane(n) => self.focus = Pane::ALL[n.min(Pane::ALL.len() - 1)],
            Action::Down => self.focused_mut().select(selected + 1),
            Action::Up => self.focused_mut().select(selected - 1),
            Action::PageDown => self.focused_mut().select(selected + PAGE),
            Action::PageUp => self.focused_mut().select(selected - PAGE),
            Action::Top => self.focused_mut().select(0),
            Action::Bottom => self.focused_mut().select(isize::MAX),
            Action::Open => self.open_detail(),
            Action::Help => self.overlay = Overlay::Help { scroll: 0 },
            Action::Filter => {
                let text = self.pane(self.focus).filter.clone();
                self.overlay = Overlay::Prompt { purpose: PromptPurpose::Filter, text };
            }
            Action::Note => {
                self.overlay = Overlay::Prompt { purpose: PromptPurpose::Note, text: String::new() }
            }
            Action::Close => self.set_filter(String::new()),
            Action::ToggleLogZone => {
                self.log_in_desk_zone = !self.log_in_desk_zone;
                self.refresh(Pane::Log);
            }
            Action::Quit
            | Action::Submit
            | Action::Acknowledge
            | Action::AcknowledgeWithNote
            | Action::Unacknowledge
            | Action::Resolve
            | Action::Brief => {}
        }
    }

    fn open_detail(&mut self) {
        let Some(row) = self.pane(self.focus).selected_row() else { return };
        if let Some(detail) =
            detail::detail(&row.key, &self.config, &self.state, &self.feed_runtime, self.now)
        {
            self.overlay = Overlay::Detail { detail, scroll: 0 };
        }
    }

    fn type_into_prompt(&mut self, key: &KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        let Overlay::Prompt { purpose, text } = &mut self.overlay else { return };
        match key.code {
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                text.push(c)
            }
            _ => return,
        }
        if *purpose == PromptPurpose::Filter {
            let text = text.clone();
            self.set_filter(text);
        }
    }

    fn submit_prompt(&mut self) -> Option<Effect> {
        let Overlay::Prompt { purpose, text } = std::mem::replace(&mut self.overlay, Overlay::None) else {
            return None;
        };
        let text = one_line(&text);
        let operator = self.operator.clone();
        let event = match purpose {
            PromptPurpose::Filter => return None,
            PromptPurpose::Note if text.is_empty() => {
                self.flash = Some("empty note not saved".into());
                return None;
            }
            PromptPurpose::Note => Event::Note { operator, text },
            PromptPurpose::AcknowledgeNote(alert) => {
                let note = (!text.is_empty()).then_some(text);
                Event::AlertAcknowledged { alert, operator, note }
            }
            PromptPurpose::ResolveReason(alert) if text.is_empty() => {
                // A resolution is a decision on the record: it needs its reason.
                self.flash = Some("not resolved: a reason is required".into());
                self.overlay = Overlay::Prompt { purpose: PromptPurpose::ResolveReason(alert), text };
                return None;
            }
            PromptPurpose::ResolveReason(alert) => Event::AlertResolved { alert, operator, reason: text },
        };
        Some(Effect::Append(Box::new(event)))
    }

    fn set_filter(&mut self, filter: String) {
        let pane = self.focus;
        self.panes[pane.index()].filter = filter;
        self.refresh(pane);
    }
}
