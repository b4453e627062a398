//! The live console: one loop that takes terminal input, the clock, journal growth and feed
//! results, folds journal records into the app, and redraws only when something changed.
//!
//! Every change to desk knowledge goes journal-first: events are appended, then read back by the
//! follower with everyone else's, then folded. Live and replayed records take the same path.

use anyhow::Context as _;
use chrono::Utc;
use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::{FutureExt, StreamExt};
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval, interval_at};

use crate::config::{Config, FeedConfig};
use crate::console::{App, Effect, FeedRuntime, JournalStatus};
use crate::event::Event;
use crate::feeds::{self, PollOutcome};
use crate::journal::{Follower, JournalError, Writer};
use crate::ui::{self, theme::Theme};

/// How often the console looks for records appended by other consoles on the host.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);
/// How many journal records are read and folded at a time.
const FOLLOW_BATCH: usize = 10_000;
/// How often a console that does not poll checks whether the poller has gone.
const POLLER_RETRY: Duration = Duration::from_secs(5);

enum FeedMsg {
    Started { feed: String },
    Done { outcome: PollOutcome, next: Duration },
}

pub fn watch(config: Config, journal_dir: PathBuf, operator: String) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(run(config, journal_dir, operator))
}

struct Desk {
    app: App,
    writer: Option<Writer>,
    follower: Follower,
    /// When each feed last had a `feed.polled` record written by this console.
    journaled_ok: HashMap<String, chrono::DateTime<Utc>>,
}

impl Desk {
    /// Appends events and folds everything new in the journal (ours and others') into the app.
    fn record(&mut self, by: &str, events: Vec<Event>) -> Option<u64> {
        if events.is_empty() {
            return None;
        }
        let last = match self.writer.as_mut().map(|w| w.append(by, Utc::now(), events)) {
            Some(Ok(records)) => {
                self.app.journal = JournalStatus::Writable;
                records.last().map(|r| r.seq)
            }
            Some(Err(e)) => {
                self.journal_failed(e);
                None
            }
            // Read-only or never opened: the status bar already says why.
            None => None,
        };
        self.follow();
        last
    }

    /// Damage stops all appends until an operator decides; other failures (disk full, read-only
    /// directory) are retried at the next append.
    fn journal_failed(&mut self, e: JournalError) {
        if matches!(e, JournalError::Corrupt(_)) {
            self.writer = None;
            self.app.journal = JournalStatus::ReadOnly(e.to_string());
        } else {
            self.app.journal = JournalStatus::Failing(e.to_string());
        }
    }

    /// Folds what is new in the journal, a bounded batch at a time so catching up on a long
    /// journal never holds all of it in memory.
    fn follow(&mut self) -> bool {
        let mut changed = false;
        loop {
            match self.follower.poll_up_to(FOLLOW_BATCH) {
                Ok((records, problems)) => {
                    if let Some(first) = problems.first() {
                        self.app.flash = Some(format!("damaged journal record: {first}"));
                        self.journal_failed(JournalError::Corrupt(Box::new(first.clone())));
                    }
                    changed |= !records.is_empty() || !problems.is_empty();
                    let more = records.len() == FOLLOW_BATCH;
                    self.app.apply(&records);
                    if !more {
                        return changed;
                    }
                }
                Err(e) => {
                    self.app.flash = Some(e.to_string());
                    return true;
                }
            }
        }
    }

    fn feed_message(&mut self, msg: FeedMsg) {
        match msg {
            FeedMsg::Started { feed } => {
                self.app.feed_runtime.entry(feed).or_default().in_flight = true;
            }
            FeedMsg::Done { outcome, next } => {
                let now = Utc::now();
                let feed = outcome.feed.clone();
                let journal_ok =
                    self.journaled_ok.get(&feed).is_none_or(|t| now - *t >= feeds::QUIET_OK_INTERVAL);
                let events = feeds::outcome_events(&self.app.state, outcome, journal_ok);
                if events.iter().any(|e| matches!(e, Event::FeedPolled { .. })) {
                    self.journaled_ok.insert(feed.clone(), now);
                }
                self.record(&format!("feed:{feed}"), events);
                let runtime = self.app.feed_runtime.entry(feed).or_default();
                *runtime = FeedRuntime {
                    in_flight: false,
                    next_poll: chrono::Duration::from_std(next).ok().map(|d| now + d),
                };
            }
        }
        self.app.refresh(crate::console::pane::Pane::Feeds);
    }
}

async fn run(config: Config, journal_dir: PathBuf, operator: String) -> anyhow::Result<()> {
    let feeds_config = config.feeds.clone();
    let session = Event::SessionStarted {
        operator: operator.clone(),
        host: crate::operator::host_name(),
        terminal: crate::operator::terminal(),
    };
    let loaded = Event::ConfigLoaded {
        path: config.path.display().to_string(),
        digest: config.digest.clone(),
        feeds: config.feeds.len(),
        missions: config.missions.len(),
        contacts: config.contacts.len(),
    };
    let mut desk = Desk {
        app: App::new(config, operator.clone(), Utc::now()),
        writer: None,
        follower: Follower::new(&journal_dir),
        journaled_ok: HashMap::new(),
    };
    match Writer::open(&journal_dir) {
        Ok(writer) => desk.writer = Some(writer),
        Err(e) => desk.journal_failed(e),
    }
    // The last known picture first; feeds refresh it afterwards.
    desk.follow();
    desk.record(&operator, vec![session, loaded]);

    let theme = Theme::from_env();
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, &mut desk, &journal_dir, feeds_config, &theme).await;
    desk.record(
        &operator,
        vec![Event::SessionEnded { operator: operator.clone(), host: crate::operator::host_name() }],
    );
    ratatui::restore();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    desk: &mut Desk,
    journal_dir: &Path,
    feeds_config: Vec<FeedConfig>,
    theme: &Theme,
) -> anyhow::Result<()> {
    let mut input = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let (feed_tx, mut feed_rx) = mpsc::channel::<FeedMsg>(256);

    // Tick on the second boundary so the clock changes when the wall clock does.
    let subsec = Utc::now().timestamp_subsec_nanos() as u64;
    let mut clock =
        interval_at(Instant::now() + Duration::from_nanos(1_000_000_000 - subsec), Duration::from_secs(1));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut follow = interval(FOLLOW_EVERY);
    follow.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut poller_retry = interval(POLLER_RETRY);
    poller_retry.set_missed_tick_behavior(MissedTickBehavior::Skip);

    let mut poller_lock: Option<File> = None;
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|frame| ui::render(frame, &desk.app, theme)).context("drawing the console")?;
            dirty = false;
        }
        tokio::select! {
            event = input.next() => match event {
                Some(Ok(event)) => {
                    // Take every key already typed before drawing again.
                    let mut pending = vec![event];
                    while let Some(Some(Ok(event))) = input.next().now_or_never() {
                        pending.push(event);
                    }
                    for event in pending {
                        if handle_terminal_event(desk, event) {
                            return Ok(());
                        }
                    }
                    dirty = true;
                }
                // The terminal is gone (SSH link dropped): leave cleanly.
                Some(Err(_)) | None => return Ok(()),
            },
            _ = clock.tick() => dirty |= desk.app.set_now(Utc::now()),
            _ = follow.tick() => dirty |= desk.follow(),
            _ = poller_retry.tick(), if poller_lock.is_none() => {
                poller_lock = try_poller_lock(journal_dir);
                if poller_lock.is_some() {
                    desk.app.polls_feeds = true;
                    for feed in feeds_config.iter().filter(|f| f.enabled) {
                        tokio::spawn(poll_forever(feed.clone(), feed_tx.clone()));
                    }
                    dirty = true;
                }
            }
            Some(msg) = feed_rx.recv() => {
                desk.feed_message(msg);
                while let Ok(msg) = feed_rx.try_recv() {
                    desk.feed_message(msg);
                }
                dirty = true;
            }
            _ = sigterm.recv() => return Ok(()),
            _ = sighup.recv() => return Ok(()),
            _ = sigint.recv() => return Ok(()),
        }
    }
}

/// Returns true when the console should quit.
fn handle_terminal_event(desk: &mut Desk, event: TermEvent) -> bool {
    let TermEvent::Key(key) = event else { return false };
    match desk.app.handle_key(&key) {
        Some(Effect::Quit) => true,
        Some(Effect::Append(event)) => {
            let operator = desk.app.operator.clone();
            let kind = event.kind();
            desk.app.flash = Some(match desk.record(&operator, vec![*event]) {
                Some(seq) => format!("{kind} #{seq} saved"),
                None => format!("{kind} NOT saved: journal not writable"),
            });
            false
        }
        None => false,
    }
}

/// Exactly one console on a host polls the feeds: the one holding `poller.lock`. When it exits,
/// the lock is released and another console takes over at its next retry.
fn try_poller_lock(journal_dir: &Path) -> Option<File> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(journal_dir.join("poller.lock"))
        .ok()?;
    file.try_lock().ok().map(|()| file)
}

async fn poll_forever(feed: FeedConfig, tx: mpsc::Sender<FeedMsg>) {
    loop {
        if tx.send(FeedMsg::Started { feed: feed.name.clone() }).await.is_err() {
            return;
        }
        let config = feed.clone();
        let outcome = tokio::task::spawn_blocking(move || feeds::poll_once(&config)).await;
        let outcome = outcome.unwrap_or_else(|e| PollOutcome {
            feed: feed.name.clone(),
            result: Err(format!("the parser crashed: {e}")),
            ms: 0,
        });
        if tx.send(FeedMsg::Done { outcome, next: feed.every }).await.is_err() {
            return;
        }
        tokio::time::sleep(feed.every).await;
    }
}
