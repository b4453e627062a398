//! The console's behaviour without a terminal: what is focused and selected, what each key
//! does, and which operator actions must be journaled. `ui` draws it; `runtime` wires it to the
//! terminal, the journal and the feeds.

mod alert_actions;
pub mod attention;
mod contact_actions;
#[cfg(test)]
mod cot_out_tests;
pub mod detail;
pub mod format;
pub mod keymap;
mod keys;
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
pub mod sync_line;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Timelike, Utc};
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
    /// Where the briefing `b` writes starts: empty for the start of this watch.
    BriefSince,
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
    /// Write a briefing of the period from `since` (None: from the start of this watch) to now,
    /// and journal that it was written.
    WriteBrief {
        since: Option<DateTime<Utc>>,
    },
    /// Load the configuration file again, check it, and journal it if it checks out.
    Reload,
}

pub struct App {
    /// The configuration the panes and rules use: the one in force at the state's last record
    /// (`DeskState::config_in_force`), or this process's own file where the record holds none.
    in_force: InForce,
    /// The fold of the record so far: changed only by `apply` (and `resume`), and by a replay
    /// moving along the record (`reading`).
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
    /// Where alerts go out as CoT and how each destination is doing, while this process
    /// publishes them (it holds the poller lock); shown under the feeds.
    /// The publisher's destinations as it runs them (not as a later reload says) and their state.
    pub cot_out: Vec<(crate::cot_out::CotOutConfig, crate::cot_out::LinkStatus)>,
    /// Whether this console polls the feeds or another console on the host does.
    pub polls_feeds: bool,
    /// The journal is still being read (a long one, with no checkpoint near its end).
    pub reading_journal: bool,
    /// A briefing `b` asked for is being written, on a thread of the runtime's: one at a time.
    pub briefing: bool,
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
    /// Where sharing with other desks stands, when this console runs it (`[sync]`).
    pub sync: Option<crate::sync::status::SyncStatus>,
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
            cot_out: Vec::new(),
            polls_feeds: false,
            reading_journal: false,
            briefing: false,
            summary: Summary::default(),
            watching_since: now,
            bells: 0,
            log_in_desk_zone: false,
            low_bandwidth: false,
            detail_behind: None,
            read_only: None,
            sync: None,
        };
        app.refresh_all();
        app
    }

    /// The desk's state at the last record folded.
    pub fn state(&self) -> &DeskState {
        &self.state
    }

    /// For the replay's engine alone, which moves the state to another point of the record
    /// (from its copies, and through the desk's core); the caller refreshes the panes
    /// (`refresh_all`).
    pub(crate) fn reading(&mut self) -> crate::desk::Reading<'_> {
        crate::desk::Reading::new(&mut self.state, &mut self.in_force)
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
                let mut rows = rows::feeds(
                    self.in_force.config(),
                    &self.state,
                    &self.feed_runtime,
                    self.now,
                    self.ages(),
                );
                rows.extend(rows::cot_out(&self.cot_out));
                rows
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
}
