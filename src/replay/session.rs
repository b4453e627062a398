//! One replay: the console's `App` with its state driven by the engine under the replay clock,
//! and the replay's own controls. No terminal here, so tests drive it key by key and render it
//! into a `TestBackend`.

use chrono::{DateTime, NaiveTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use super::clock::Clock;
use super::engine::{Engine, Progress};
use super::keys::{self, Control};
use super::review;
use super::timeline::Class;
use crate::console::keymap::{self, Action, Context};
use crate::console::{App, Effect, JournalStatus};
use crate::journal::commands::parse_time;

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
        let mut replay = Replay {
            app,
            engine: Engine::new(dir),
            clock,
            prompt: None,
            help: false,
            message: None,
            review: review::path(dir),
            progress,
        };
        replay.seek(replay.clock.now)?;
        Ok(replay)
    }

    /// Takes the indexer's news; returns whether the screen changes (the banner shows progress).
    pub fn absorb(&mut self) -> bool {
        let Some(rx) = &self.progress else { return false };
        let mut any = false;
        while let Ok(progress) = rx.try_recv() {
            self.engine.absorb(progress);
            any = true;
        }
        if self.engine.indexed {
            self.progress = None;
        }
        any
    }

    /// Moves the replay to time `t` (kept within the range): the state is exactly the fold of
    /// every record stamped at or before it.
    pub fn seek(&mut self, t: DateTime<Utc>) -> anyhow::Result<()> {
        self.clock.go(t);
        self.engine.seek_time(&mut self.app.state, self.clock.now)?;
        self.show();
        Ok(())
    }

    /// Moves to just after record `seq`, the clock at its time.
    pub fn seek_seq(&mut self, seq: u64) -> anyhow::Result<()> {
        self.engine.seek_seq(&mut self.app.state, seq)?;
        if let Some(ts) = self.app.state.last_ts {
            self.clock.go(ts);
        }
        self.show();
        Ok(())
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
        let changed = self.engine.seek_time(&mut self.app.state, self.clock.now)?;
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
        // An open console overlay (detail, filter) takes its own keys first.
        if self.app.context() != Context::Panes {
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

    /// Passes a key to the console's panes unless it would write to the journal.
    fn forward(&mut self, key: &KeyEvent) {
        let writes = |action| {
            matches!(
                action,
                Action::Note
                    | Action::Acknowledge
                    | Action::AcknowledgeWithNote
                    | Action::Unacknowledge
                    | Action::Resolve
            )
        };
        let on_alerts = self.app.focus == crate::console::pane::Pane::Alerts;
        if keymap::action_for(Context::Panes, key).is_some_and(writes)
            || (on_alerts && keymap::action_for(Context::AlertsPane, key).is_some_and(writes))
        {
            self.message = Some("a replay changes nothing in the record (n: review note)".into());
            return;
        }
        self.app.handle_key(key);
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
            Control::PrevAlert => self.jump(false, |c| matches!(c, Class::Alert(_)), "alert"),
            Control::NextAlert => self.jump(true, |c| matches!(c, Class::Alert(_)), "alert"),
            Control::PrevAction => self.jump(false, |c| c == Class::Action, "operator action"),
            Control::NextAction => self.jump(true, |c| c == Class::Action, "operator action"),
            Control::Start => self.seek(self.clock.start),
            Control::End => self.seek(self.clock.end),
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

    /// One record back or forward, within the range.
    fn step(&mut self, forward: bool) -> anyhow::Result<()> {
        self.clock.playing = false;
        let here = self.app.state.last_seq;
        if forward {
            match self.engine.next_ts()? {
                Some(ts) if ts <= self.clock.end => self.seek_seq(here + 1)?,
                _ => self.message = Some("no record after this in the range".into()),
            }
        } else if here == 0 || self.app.state.last_ts.is_some_and(|t| t <= self.clock.start) {
            // The state at the range's start already holds every record up to it.
            self.message = Some("no record before this in the range".into());
        } else {
            self.seek_seq(here - 1)?;
        }
        Ok(())
    }

    fn jump(&mut self, forward: bool, wanted: impl Fn(Class) -> bool, what: &str) -> anyhow::Result<()> {
        self.clock.playing = false;
        let here = self.app.state.last_seq;
        let timeline = &self.engine.timeline;
        let found = if forward { timeline.next(here, wanted) } else { timeline.prev(here, wanted) };
        let in_range = found.filter(|&seq| {
            timeline.ts_of(seq).is_some_and(|t| {
                t >= self.clock.start.timestamp_micros() && t <= self.clock.end.timestamp_micros()
            })
        });
        match in_range {
            Some(seq) => {
                self.seek_seq(seq)?;
                self.message =
                    Some(format!("{what} #{seq} at {}", self.clock.now.format("%Y-%m-%d %H:%M:%SZ")));
            }
            None if !self.engine.indexed && forward => {
                self.message = Some(format!("no {what} found yet: still reading the journal"))
            }
            None => {
                self.message =
                    Some(format!("no {what} {} in the range", if forward { "after" } else { "before" }))
            }
        }
        Ok(())
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
        self.seek(t)?;
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
        review::append(&self.review, self.clock.now, self.app.state.last_seq, &self.app.operator, &text)?;
        self.message = Some(format!("review note saved to {}", self.review.display()));
        Ok(())
    }
}

/// A time typed at `g`: `14:05` or `14:05:30` (UTC, on the replay's current day), else what
/// `journal export` takes (RFC 3339, or an age such as `-2h` counted from the replay clock).
pub fn parse_replay_time(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    for format in ["%H:%M", "%H:%M:%S"] {
        if let Ok(time) = NaiveTime::parse_from_str(text, format) {
            return Ok(now.date_naive().and_time(time).and_utc());
        }
    }
    parse_time(text, now)
}
