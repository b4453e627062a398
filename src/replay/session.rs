//! One replay: the console's `App` with its state driven by the engine under the replay clock,
//! and the replay's own controls. No terminal here, so tests drive it key by key and render it
//! into a `TestBackend`.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use super::clock::Clock;
use super::engine::{Engine, Progress};
use super::keys::{self, Control};
use super::timeline::Class;
use crate::console::keymap::{self, Action, Context};
use crate::console::{App, Effect, JournalStatus};
use crate::review;
use crate::when::{parse_time, time_of_day};

/// Where a jump goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// A time (Home, End, `g`), kept within the range.
    Time(DateTime<Utc>),
    /// Just after record `seq` (← one back).
    Seq(u64),
    /// The next or previous alert raised (`alerts`) or operator action from record `from`.
    Marker { forward: bool, from: u64, alerts: bool },
}

/// A jump asked for before the background reader reached its target: carried out as soon as
/// it does (making it now would fold those records on the keys' thread and freeze the screen).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub goal: Goal,
    /// What the banner says meanwhile: `going to the end`.
    pub what: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    GoTo,
    Note,
}

pub struct Replay {
    pub app: App,
    pub engine: Engine,
    pub clock: Clock,
    /// A one-line prompt of the replay's own (go to, review note) and what is typed so far.
    pub prompt: Option<(Ask, String)>,
    pub help: bool,
    /// The result of the last control, shown in the banner.
    pub message: Option<String>,
    /// A jump waiting for the reader; a newer jump replaces it.
    pub pending: Option<Pending>,
    review: PathBuf,
    progress: Option<Receiver<Progress>>,
}

impl Replay {
    /// A replay of `dir` over `[start, end]`, at `at`. The indexer's progress arrives on
    /// `progress` (None when the caller absorbs it itself).
    pub fn new(
        mut app: App,
        dir: &Path,
        clock: Clock,
        progress: Option<Receiver<Progress>>,
    ) -> anyhow::Result<Self> {
        // Nothing is ever appended in a replay: the status bar's journal field shows the record.
        app.journal = JournalStatus::Writable;
        // A roll-call shows as it stood; the keys that would open, answer or close one say why not.
        app.read_only = Some("replay is read-only: open, answer and close roll-calls in the live console");
        let mut replay = Replay {
            app,
            engine: Engine::new(dir),
            clock,
            prompt: None,
            help: false,
            message: None,
            pending: None,
            review: review::path(dir),
            progress,
        };
        replay.seek(replay.clock.now)?;
        Ok(replay)
    }

    /// Takes the indexer's news; returns whether the screen changes (the banner shows progress).
    pub fn absorb(&mut self) -> bool {
        let Some(rx) = &self.progress else { return false };
        let mut news = Vec::new();
        while let Ok(progress) = rx.try_recv() {
            news.push(progress);
        }
        let any = !news.is_empty();
        for progress in news {
            self.take(progress);
        }
        if self.engine.indexed {
            self.progress = None;
        }
        any
    }

    /// Takes one piece of the reader's news, and makes the pending jump if the reader has now
    /// reached its target.
    pub fn take(&mut self, progress: Progress) {
        self.engine.absorb(progress);
        let Some(pending) = self.pending.take() else { return };
        match self.reach(pending.goal) {
            Ok(true) => {}
            Ok(false) => self.pending = Some(pending),
            Err(e) => self.message = Some(format!("{e:#}")),
        }
    }

    /// Moves the replay to time `t` (kept within the range): the state is exactly the fold of
    /// every record stamped at or before it.
    pub fn seek(&mut self, t: DateTime<Utc>) -> anyhow::Result<()> {
        self.clock.go(t);
        self.engine.seek_time(&mut self.app.reading(), self.clock.now)?;
        self.show();
        Ok(())
    }

    /// Moves to just after record `seq`, the clock at its time.
    pub fn seek_seq(&mut self, seq: u64) -> anyhow::Result<()> {
        self.engine.seek_seq(&mut self.app.reading(), seq)?;
        if let Some(ts) = self.app.state().last_ts() {
            self.clock.go(ts);
        }
        self.show();
        Ok(())
    }

    /// Frees what seeks left behind; called once the frame they led to is drawn.
    pub fn tidy(&mut self) {
        self.engine.tidy();
    }

    fn show(&mut self) {
        self.app.now = self.clock.now;
        self.app.refresh_all();
    }

    /// Advances a playing replay by `wall` time; returns whether the screen changes.
    pub fn tick(&mut self, wall: std::time::Duration) -> anyhow::Result<bool> {
        if !self.clock.playing {
            return Ok(false);
        }
        let next = self.engine.next_ts()?;
        let second = self.clock.now.timestamp();
        self.clock.tick(wall, next);
        let changed = self.engine.seek_time(&mut self.app.reading(), self.clock.now)?;
        if changed {
            self.show();
        } else {
            self.app.set_now(self.clock.now);
        }
        Ok(changed || second != self.clock.now.timestamp() || !self.clock.playing)
    }

    /// Handles a key; returns true to quit.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        if self.prompt.is_some() {
            self.type_into_prompt(key);
            return false;
        }
        if self.help {
            self.help = false;
            return key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
        }
        // An open console overlay (detail, filter) takes its own keys first, but not to write.
        if self.app.context() != Context::Panes {
            if self.app.context() == Context::Overlay
                && let Some(why) = read_only_in_detail(key)
            {
                self.message = Some(why.into());
                return false;
            }
            return self.app.handle_key(key) == Some(Effect::Quit);
        }
        match keys::control_for(key) {
            Some(control) => self.control(control),
            None => {
                self.forward(key);
                false
            }
        }
    }

    /// Passes a key to the console's panes (which name a key they do not know), unless it
    /// writes in the console: then the banner says why not.
    fn forward(&mut self, key: &KeyEvent) {
        if keymap::pressed(key).is_some() {
            self.message = None;
        }
        match read_only(key) {
            Some(why) => self.message = Some(why.into()),
            None => {
                self.app.handle_key(key);
            }
        }
    }

    fn control(&mut self, control: Control) -> bool {
        self.message = None;
        let result = match control {
            Control::Quit => return true,
            Control::PlayPause => {
                self.clock.toggle();
                Ok(())
            }
            Control::Faster => {
                self.clock.faster();
                Ok(())
            }
            Control::Slower => {
                self.clock.slower();
                Ok(())
            }
            Control::ToggleIdle => {
                self.clock.skip_idle = !self.clock.skip_idle;
                Ok(())
            }
            Control::StepBack => self.step(false),
            Control::StepForward => self.step(true),
            Control::PrevAlert => self.jump(false, true),
            Control::NextAlert => self.jump(true, true),
            Control::PrevAction => self.jump(false, false),
            Control::NextAction => self.jump(true, false),
            Control::Start => self.go(Goal::Time(self.clock.start), "going to the start".into()),
            Control::End => self.go(Goal::Time(self.clock.end), "going to the end".into()),
            Control::GoTo => {
                self.prompt = Some((Ask::GoTo, String::new()));
                Ok(())
            }
            Control::Note => {
                self.prompt = Some((Ask::Note, String::new()));
                Ok(())
            }
            Control::Help => {
                self.help = true;
                Ok(())
            }
        };
        if let Err(e) = result {
            self.message = Some(format!("{e:#}"));
        }
        false
    }

    /// Makes a jump now if the reader has reached its target or it is near where the state or
    /// a copy of it is; else leaves it pending, in place of any older one.
    fn go(&mut self, goal: Goal, what: String) -> anyhow::Result<()> {
        self.pending = None;
        if !self.reach(goal)? {
            self.pending = Some(Pending { goal, what });
        }
        Ok(())
    }

    /// Makes the jump if it can be made without waiting for the reader; returns whether it was
    /// (a jump that finds nothing is made too: it says so).
    fn reach(&mut self, goal: Goal) -> anyhow::Result<bool> {
        let at_once = |engine: &Engine, state, seq| engine.has_read(seq) || engine.near(state, seq);
        match goal {
            Goal::Time(t) => {
                let t = t.clamp(self.clock.start, self.clock.end);
                let seq = self.engine.seq_at(t)?;
                if !at_once(&self.engine, self.app.state(), seq) {
                    return Ok(false);
                }
                self.seek(t)?;
            }
            Goal::Seq(seq) => {
                if !at_once(&self.engine, self.app.state(), seq) {
                    return Ok(false);
                }
                self.seek_seq(seq)?;
            }
            Goal::Marker { forward, from, alerts } => return self.find_marker(forward, from, alerts),
        }
        Ok(true)
    }

    /// One record back or forward, within the range.
    fn step(&mut self, forward: bool) -> anyhow::Result<()> {
        self.clock.playing = false;
        self.pending = None;
        let here = self.app.state().last_seq();
        if forward {
            match self.engine.next_ts()? {
                Some(ts) if ts <= self.clock.end => self.seek_seq(here + 1)?,
                _ => self.message = Some("no record after this in the range".into()),
            }
        } else if here == 0 || self.app.state().last_ts().is_some_and(|t| t <= self.clock.start) {
            // The state at the range's start already holds every record up to it.
            self.message = Some("no record before this in the range".into());
        } else {
            self.go(Goal::Seq(here - 1), "stepping back".into())?;
        }
        Ok(())
    }

    fn jump(&mut self, forward: bool, alerts: bool) -> anyhow::Result<()> {
        self.clock.playing = false;
        let what = if alerts { "alert" } else { "operator action" };
        let way = if forward { "next" } else { "previous" };
        let from = self.app.state().last_seq();
        self.go(Goal::Marker { forward, from, alerts }, format!("going to the {way} {what}"))
    }

    /// Moves to the next or previous marker from `from` once the part read settles which it is.
    fn find_marker(&mut self, forward: bool, from: u64, alerts: bool) -> anyhow::Result<bool> {
        let wanted = |c| if alerts { matches!(c, Class::Alert(_)) } else { c == Class::Action };
        let what = if alerts { "alert" } else { "operator action" };
        let timeline = &self.engine.timeline;
        let (start, end) = (self.clock.start.timestamp_micros(), self.clock.end.timestamp_micros());
        let found = if forward {
            let found = timeline.next(from, wanted);
            // Not found yet and the reader is still short of the range's end: it may come.
            if found.is_none() && !self.engine.indexed && timeline.last_at_or_before(end).is_none() {
                return Ok(false);
            }
            found
        } else {
            // The one just before `from` may lie in the part not read yet.
            if !self.engine.has_read(from.saturating_sub(1)) {
                return Ok(false);
            }
            timeline.prev(from, wanted)
        };
        let in_range = found.filter(|&seq| timeline.ts_of(seq).is_some_and(|t| t >= start && t <= end));
        match in_range {
            Some(seq) => {
                self.seek_seq(seq)?;
                self.message =
                    Some(format!("{what} #{seq} at {}", self.clock.now.format("%Y-%m-%d %H:%M:%SZ")));
            }
            None => {
                self.message =
                    Some(format!("no {what} {} in the range", if forward { "after" } else { "before" }))
            }
        }
        Ok(true)
    }

    fn type_into_prompt(&mut self, key: &KeyEvent) {
        let Some((ask, text)) = &mut self.prompt else { return };
        match key.code {
            KeyCode::Esc => self.prompt = None,
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => self.prompt = None,
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                text.push(c)
            }
            KeyCode::Enter => {
                let (ask, text) = (*ask, std::mem::take(text));
                self.prompt = None;
                let result = match ask {
                    Ask::GoTo => self.go_to(&text),
                    Ask::Note => self.review_note(&text),
                };
                if let Err(e) = result {
                    self.message = Some(format!("{e:#}"));
                }
            }
            _ => {}
        }
    }

    fn go_to(&mut self, text: &str) -> anyhow::Result<()> {
        let t = parse_replay_time(text, self.clock.now).map_err(anyhow::Error::msg)?;
        self.go(Goal::Time(t), format!("going to {}", t.format("%Y-%m-%d %H:%M:%SZ")))?;
        if t < self.clock.start || t > self.clock.end {
            self.message = Some("that time is outside the range: at its edge".into());
        }
        Ok(())
    }

    fn review_note(&mut self, text: &str) -> anyhow::Result<()> {
        let text = crate::text::one_line(text);
        if text.is_empty() {
            self.message = Some("empty review note not saved".into());
            return Ok(());
        }
        review::append(&self.review, self.clock.now, self.app.state().last_seq(), &self.app.operator, &text)?;
        self.message = Some(format!("review note saved to {}", self.review.display()));
        Ok(())
    }
}

/// Why a key that writes in the console does nothing in a replay; None for other keys. The
/// console's `n` is the replay's review note and never comes here.
pub fn read_only(key: &KeyEvent) -> Option<&'static str> {
    let action =
        keymap::action_for(Context::AlertsPane, key).or_else(|| keymap::action_for(Context::Panes, key))?;
    Some(match action {
        Action::Acknowledge | Action::AcknowledgeWithNote => {
            "replay is read-only: acknowledge alerts in the live console"
        }
        Action::Unacknowledge => "replay is read-only: unacknowledge alerts in the live console",
        Action::Resolve => "replay is read-only: resolve alerts in the live console",
        Action::Note => "replay is read-only: add notes in the live console (n here: review note)",
        Action::CheckIn => {
            "replay is read-only: check in with contacts in the live console or with attache checkin"
        }
        Action::MissionStatus => {
            "replay is read-only: set a mission's status in the live console or with attache mission"
        }
        Action::Brief => "replay is read-only: write briefings in the live console or with attache brief",
        Action::Reload => {
            "replay is read-only: reload the configuration in the live console or with attache reload"
        }
        _ => return None,
    })
}

/// Why a key that writes from a detail view (a mission's: `c`, `m`, `n`) does nothing in a
/// replay; None for other keys, and for a roll-call's, which the console itself refuses.
pub fn read_only_in_detail(key: &KeyEvent) -> Option<&'static str> {
    Some(match keymap::action_for(Context::Overlay, key)? {
        Action::CheckIn => {
            "replay is read-only: check in with contacts in the live console or with attache checkin"
        }
        Action::MissionStatus => {
            "replay is read-only: set a mission's status in the live console or with attache mission"
        }
        Action::Note => "replay is read-only: add notes in the live console (n in the panes: review note)",
        _ => return None,
    })
}

/// A time typed at `g`: `14:05` or `14:05:30` (UTC, on the replay's current day), else what
/// `journal export` takes (RFC 3339, or an age such as `-2h` counted from the replay clock).
pub fn parse_replay_time(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    match time_of_day(text) {
        Some(time) => Ok(now.date_naive().and_time(time).and_utc()),
        None => parse_time(text, now),
    }
}
