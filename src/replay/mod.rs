//! After-action replay: the console as it was, rebuilt from the journal under a replay clock.
//! The state is the live console's reducer folded over the record (`engine`), the panes are the
//! console's `App` and `ui::render` (`session`, `widget`), so the screen at T in a replay is the
//! screen the watch saw at T. A replay reads the journal and never appends to it; the only file
//! it writes is the review notes file beside it (`review`).

pub mod clock;
pub mod copies;
pub mod engine;
pub mod keys;
pub mod session;
pub mod timeline;
pub mod widget;

#[cfg(test)]
mod tests;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use crossterm::event::Event as TermEvent;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior, interval};

use crate::config::Config;
use crate::console::App;
use crate::journal::Follower;
use crate::ui::theme::Theme;
use crate::when::{parse_time, time_of_day};
use clock::Clock;
use session::Replay;

/// A frame at most this often while playing (and the indexer's progress shown as often).
pub const FRAME_EVERY: Duration = Duration::from_millis(40);

/// What `attache replay` was asked for; times as typed (RFC 3339, `14:05`, `-2h`).
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub from: Option<String>,
    pub to: Option<String>,
    pub at: Option<String>,
    pub speed: Option<f64>,
}

/// The first and last record's times, read from the journal's ends (an index lookup each).
pub fn span(dir: &Path) -> anyhow::Result<(DateTime<Utc>, DateTime<Utc>)> {
    let first = Follower::new(dir).poll_up_to(1)?.0.into_iter().next();
    let Some(first) = first else {
        anyhow::bail!("the journal {} has no records to replay", dir.display());
    };
    // The last record: the end's seq is known from the index and the scan after its last entry.
    let last_seq = Follower::at_end(dir)?.last_seq().unwrap_or(first.seq);
    let last = Follower::from_seq(dir, last_seq)?.poll_up_to(1)?.0.into_iter().next();
    Ok((first.ts, last.map_or(first.ts, |r| r.ts)))
}

/// `--at`: a time of day is the first at or after the range's start (a watch from 22:00 reaches
/// 01:30 the next day); otherwise as `--from` and `--to`, an age counting back from the
/// journal's last record.
fn at_time(text: &str, start: DateTime<Utc>, last: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let Some(time) = time_of_day(text) else { return parse_time(text, last) };
    let at = start.date_naive().and_time(time).and_utc();
    Ok(if at < start { at + chrono::Duration::days(1) } else { at })
}

/// Builds the replay for `dir` as the options ask, with its indexer running in a thread.
pub fn open(config: Config, dir: &Path, options: &Options, operator: String) -> anyhow::Result<Replay> {
    let (first, last) = span(dir)?;
    let start =
        options.from.as_deref().map(|t| parse_time(t, last)).transpose().map_err(anyhow::Error::msg)?;
    let end = options.to.as_deref().map(|t| parse_time(t, last)).transpose().map_err(anyhow::Error::msg)?;
    let (start, end) = (start.unwrap_or(first), end.unwrap_or(last));
    if end < start {
        anyhow::bail!("--to ({end}) is before --from ({start})");
    }
    let at = options
        .at
        .as_deref()
        .map(|t| at_time(t, start, last))
        .transpose()
        .map_err(anyhow::Error::msg)?
        .unwrap_or(start);
    let clock = Clock::new(start, end, at, options.speed.unwrap_or(60.0));
    let (tx, rx) = std::sync::mpsc::channel();
    let indexed_dir: PathBuf = dir.to_path_buf();
    let indexed_config = config.clone();
    std::thread::Builder::new()
        .name("replay-index".into())
        .spawn(move || engine::index(indexed_dir, indexed_config, start, end, tx))
        .context("starting the journal indexer")?;
    let app = App::new(config, operator, at);
    Replay::new(app, dir, clock, Some(rx))
}

pub fn run(config: Config, dir: PathBuf, options: Options, operator: String) -> anyhow::Result<()> {
    let mut replay = open(config, &dir, &options, operator)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let theme = Theme::from_env();
    let mut terminal = crate::term::open()?;
    let result = runtime.block_on(event_loop(&mut terminal, &mut replay, &theme));
    ratatui::restore();
    close(replay);
    result
}

/// Ends a replay whose terminal has been given back, without freeing it: the process exits
/// next (the indexer's thread with it), and freeing a replay's copies of the state one piece at
/// a time would hold the operator's shell for a second or more.
pub fn close(replay: Replay) {
    std::mem::forget(replay);
}

async fn event_loop(
    terminal: &mut crate::term::Screen,
    replay: &mut Replay,
    theme: &Theme,
) -> anyhow::Result<()> {
    let mut input = crate::term::Input::new();
    let mut endings = crate::term::Endings::new()?;
    let mut frame = interval(FRAME_EVERY);
    frame.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut last_tick = Instant::now();
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|f| widget::render(f, replay, theme)).context("drawing the replay")?;
            dirty = false;
            replay.tidy();
        }
        // Keys first when the frame tick is due too: a key is answered before the clock moves on.
        tokio::select! {
            biased;
            batch = input.next_batch() => match batch {
                Some(pending) => {
                    for event in pending {
                        if let TermEvent::Key(key) = event && replay.handle_key(&key) {
                            return Ok(());
                        }
                    }
                    dirty = true;
                }
                None => return Ok(()),
            },
            _ = frame.tick() => {
                let now = Instant::now();
                dirty |= replay.absorb();
                dirty |= replay.tick(now - last_tick)?;
                last_tick = now;
            }
            () = endings.recv() => return Ok(()),
        }
    }
}
