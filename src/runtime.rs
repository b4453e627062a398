//! The live console: one loop that takes terminal input, the clock, journal growth and feed
//! results, folds journal records into the app, and redraws only when something changed.
//!
//! Every change to desk knowledge goes journal-first: events are appended, then read back by the
//! follower with everyone else's, then folded. Live and replayed records take the same path.

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use crossterm::event::Event as TermEvent;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval, interval_at};

use crate::config::{Config, FeedConfig};
use crate::console::{App, Effect, FeedRuntime, JournalStatus, Moved};
use crate::desk::{Handled, Input, Tick};
use crate::event::{Event, Record};
use crate::journal::{Follower, JournalError, Writer};
use crate::polling::{FeedMsg, Polling};
use crate::state::DeskState;
use crate::ui::{self, Redraw, theme::Theme};

/// How long a quitting console waits for a briefing still being written.
const BRIEF_AT_QUIT: Duration = Duration::from_secs(10);
/// How often the polling console withdraws items whose life has ended (CoT `stale`, CAP
/// `expires`) between polls of their feed.
const SWEEP_EVERY: Duration = Duration::from_secs(5);
/// How many journal records are read and folded at a time.
const FOLLOW_BATCH: usize = 10_000;
/// A console leaving writes a checkpoint if the journal grew by this many records since the
/// last one.
const CHECKPOINT_AT_EXIT: u64 = 1_000;
/// The least time between two draws over a slow link (`--low-bandwidth`).
const LOW_BANDWIDTH_DRAW_GAP: Duration = Duration::from_secs(1);
/// How often a console that does not poll checks whether the poller has gone.
const POLLER_RETRY: Duration = Duration::from_secs(5);

pub fn watch(config: Config, journal_dir: PathBuf, operator: String) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(run(config, journal_dir, operator))
}

struct Desk {
    app: App,
    journal_dir: PathBuf,
    /// The record the newest checkpoint this console knows of was taken at.
    checkpointed: u64,
    checkpoints: crate::checkpoint::Saver,
    writer: Option<Writer>,
    follower: Follower,
    /// What turns feed outcomes, keys and ticks into journal events.
    core: crate::desk::Desk,
    /// Where a briefing written in the background says it is done.
    briefs: mpsc::UnboundedSender<Briefed>,
}

/// A briefing `b` asked for, written (its file and what it holds) or not (why).
type Briefed = Result<(PathBuf, crate::brief::model::Brief), String>;

impl crate::desk::Host for Desk {
    fn state(&self) -> &DeskState {
        self.app.state()
    }

    fn config(&self) -> &Config {
        self.app.config()
    }

    /// Appends, then folds everything new in the journal (ours and others') into the app.
    fn commit(&mut self, by: &str, at: DateTime<Utc>, events: Vec<Event>) -> Result<Option<u64>, String> {
        if events.is_empty() {
            return Ok(None);
        }
        let last = match self.writer.as_mut().map(|w| w.append(by, at, events)) {
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
        Ok(last)
    }

    fn fold(&mut self, records: Vec<Record>) {
        self.app.apply(records);
    }
}

impl Desk {
    /// Hands `input` to the desk's core, now. The core is lent out while it works: a commit
    /// follows the journal, which hands the records read back as `Input::Followed` (a fold,
    /// which needs none of the core's memory).
    fn handle(&mut self, input: Input) -> Handled {
        let mut core = std::mem::take(&mut self.core);
        let handled = core.handle(self, input, Utc::now());
        self.core = core;
        handled
    }

    /// Journals events as the operator (or this console for them).
    fn record(&mut self, by: &str, events: Vec<Event>) -> Option<u64> {
        self.handle(Input::Operator { by: by.to_string(), events }).seq
    }

    /// Starts saving a checkpoint, in the background, when at least `after` records were
    /// folded since the last one.
    fn checkpoint_if_due(&mut self, after: u64) {
        if self.app.state().last_seq() < self.checkpointed + after {
            return;
        }
        let (started, failed) = self.checkpoints.offer(self.app.state());
        if started {
            self.checkpointed = self.app.state().last_seq();
        }
        if let Some(why) = failed {
            self.app.flash = Some(why);
        }
    }

    /// Escalates alerts left waiting past their rule's `escalate_after` (every console on the
    /// host rings for them as it folds them, `console::attention`). Returns whether anything
    /// changed.
    fn escalate(&mut self) -> bool {
        !self.handle(Input::Tick(Tick::Escalate)).events.is_empty()
    }

    /// Rings the terminal bell for what the last folds owe it, once each.
    fn ring(&mut self) {
        use std::io::Write;
        if self.app.bells == 0 {
            return;
        }
        let mut out = std::io::stdout();
        let _ =
            out.write_all(&b"\x07".repeat(std::mem::take(&mut self.app.bells))).and_then(|()| out.flush());
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
    ///
    /// At most one batch per call: on a long journal with no checkpoint the console draws
    /// between batches, so its first frame comes at once and the picture fills in, with the
    /// status bar saying the journal is still being read.
    fn follow(&mut self) -> bool {
        match self.follower.poll_up_to(FOLLOW_BATCH) {
            Ok((records, problems)) => {
                if let Some(first) = problems.first() {
                    self.app.flash = Some(format!("damaged journal record: {first}"));
                    self.journal_failed(JournalError::Corrupt(Box::new(first.clone())));
                }
                self.app.reading_journal = records.len() == FOLLOW_BATCH;
                let changed = !records.is_empty() || !problems.is_empty();
                self.handle(Input::Followed(records));
                changed
            }
            Err(e) => {
                self.app.flash = Some(e.to_string());
                true
            }
        }
    }

    /// Journals the withdrawal of items past their life; returns whether anything changed.
    fn sweep_expired(&mut self) -> bool {
        !self.handle(Input::Tick(Tick::Sweep)).events.is_empty()
    }

    fn feed_message(&mut self, msg: FeedMsg) {
        match msg {
            FeedMsg::Started { feed } => {
                self.app.feed_runtime.entry(feed).or_default().in_flight = true;
            }
            FeedMsg::Done { outcome, next, failures } => {
                let feed = outcome.feed.clone();
                let ms = outcome.ms;
                self.handle(Input::Polled(outcome));
                let now = Utc::now();
                let runtime = self.app.feed_runtime.entry(feed).or_default();
                *runtime = FeedRuntime {
                    in_flight: false,
                    next_poll: next.and_then(|next| chrono::Duration::from_std(next).ok()).map(|d| now + d),
                    failures,
                    last_ms: Some(ms),
                };
            }
        }
        self.app.refresh(crate::console::pane::Pane::Feeds);
    }
}

async fn run(config: Config, journal_dir: PathBuf, operator: String) -> anyhow::Result<()> {
    let feeds_config = config.feeds.clone();
    let low_bandwidth = config.low_bandwidth;
    let session = Event::SessionStarted {
        operator: operator.clone(),
        host: crate::operator::host_name(),
        terminal: crate::operator::terminal(),
    };
    // The last known picture first: from the newest checkpoint, then what came after it.
    let (resumed, follower) = crate::checkpoint::resume(&journal_dir);
    let (briefs, briefed) = mpsc::unbounded_channel();
    let mut desk = Desk {
        app: App::new(config, operator.clone(), Utc::now()),
        writer: None,
        follower,
        core: crate::desk::Desk::new(),
        checkpointed: resumed.last_seq(),
        checkpoints: crate::checkpoint::Saver::new(&journal_dir),
        journal_dir: journal_dir.clone(),
        briefs,
    };
    desk.app.resume(resumed);
    desk.app.set_low_bandwidth(low_bandwidth);
    match Writer::open(&journal_dir) {
        Ok(writer) => {
            if let Some(seq) = writer.head_started() {
                desk.app.flash = Some(crate::journal::head::started(seq));
            }
            desk.writer = Some(writer);
        }
        Err(e) => desk.journal_failed(e),
    }
    // The last known picture first; feeds refresh it afterwards.
    desk.follow();
    // The terminal before the session's first record: a session that never had a screen is
    // not journaled at all.
    let mut terminal = crate::term::open()?;
    // The snapshot only when the record does not already hold this configuration in force: a
    // console started with an older file than the record's latest journals its own, as that
    // is what it runs with.
    let own = desk.app.own_config();
    let mut started = vec![session];
    started.extend(crate::reload::start_events(desk.app.state(), own));
    desk.record(&operator, started);

    let theme = Theme::from_env();
    let result = event_loop(&mut terminal, &mut desk, &journal_dir, feeds_config, briefed, &theme).await;
    desk.record(
        &operator,
        vec![Event::SessionEnded { operator: operator.clone(), host: crate::operator::host_name() }],
    );
    ratatui::restore();
    // Leave a checkpoint for the next console if this watch added much to the journal.
    let earlier = desk.checkpoints.finish();
    desk.checkpoint_if_due(CHECKPOINT_AT_EXIT);
    if let Some(why) = earlier.or(desk.checkpoints.finish()) {
        eprintln!("attache: {why}");
    }
    result
}

async fn event_loop(
    terminal: &mut crate::term::Screen,
    desk: &mut Desk,
    journal_dir: &Path,
    feeds_config: Vec<FeedConfig>,
    mut briefed: mpsc::UnboundedReceiver<Briefed>,
    theme: &Theme,
) -> anyhow::Result<()> {
    let mut input = crate::term::Input::new();
    let mut endings = crate::term::Endings::new()?;
    let (feed_tx, mut feed_rx) = mpsc::channel::<FeedMsg>(256);
    let (settled_tx, mut settled_rx) = mpsc::unbounded_channel::<crate::notify::Settled>();
    let mut notifier: Option<crate::notify::Notifier> = None;
    let mut cot_out: Option<crate::cot_out::Publisher> = None;
    // Sync runs on a thread of its own; what it says of the link comes back here.
    let (sync_said_tx, mut sync_said_rx) = mpsc::unbounded_channel::<String>();
    let mut sync: Option<crate::sync::status::Shared> = None;

    // Tick on the second boundary so the clock changes when the wall clock does.
    let subsec = Utc::now().timestamp_subsec_nanos() as u64;
    let mut clock =
        interval_at(Instant::now() + Duration::from_nanos(1_000_000_000 - subsec), Duration::from_secs(1));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut journal_changes = crate::journal::Changes::watch(journal_dir);
    let mut poller_retry = interval(POLLER_RETRY);
    poller_retry.set_missed_tick_behavior(MissedTickBehavior::Skip);

    let mut sweep = interval(SWEEP_EVERY);
    sweep.set_missed_tick_behavior(MissedTickBehavior::Skip);

    let mut poller_lock: Option<File> = None;
    let mut polling: Option<Polling> = None;
    let mut redraw = Redraw::All;
    let mut painter = ui::Painter::default();
    // Over a slow link, at most one draw a second: what changed meanwhile waits for it.
    let draw_gap = if desk.app.low_bandwidth { LOW_BANDWIDTH_DRAW_GAP } else { Duration::ZERO };
    let mut drawn_at = Instant::now() - draw_gap;
    // One draw for whatever one wake-up changed (a batch of keys, of feed outcomes, of journal
    // records), made before waiting again: a key is on the screen as soon as it is handled.
    // A terminal that cannot be drawn on ends the loop, not what the console does before it
    // stops (a briefing's note, the last CoT).
    let mut failed = None;
    loop {
        if redraw != Redraw::Nothing && drawn_at.elapsed() >= draw_gap {
            if let Err(e) = painter.draw(terminal, &desk.app, theme, redraw).context("drawing the console") {
                failed = Some(e);
                break;
            }
            desk.ring();
            redraw = Redraw::Nothing;
            drawn_at = Instant::now();
        }
        // In this order when several are ready: the operator's keys before any feed's work.
        tokio::select! {
            biased;
            batch = input.next_batch() => match batch {
                Some(pending) => {
                    if pending.into_iter().any(|event| handle_terminal_event(desk, event)) {
                        break;
                    }
                    redraw = Redraw::All;
                }
                // The terminal is gone (SSH link dropped): leave cleanly.
                None => break,
            },
            () = endings.recv() => break,
            _ = clock.tick() => {
                // Escalation is checked every second by the polling process, watched or not.
                if poller_lock.is_some() {
                    desk.escalate();
                }
                if let Some(notifier) = notifier.as_mut() {
                    redraw = redraw.or_all(desk.notify(notifier));
                }
                if let Some(publisher) = cot_out.as_mut() {
                    redraw = redraw.or_all(desk.publish(publisher));
                }
                if let Some(shared) = &sync {
                    let now = shared.get();
                    if desk.app.sync.as_ref() != Some(&now) {
                        desk.app.sync = Some(now);
                        redraw = Redraw::All;
                    }
                }
                redraw = redraw.max(match desk.app.set_now(Utc::now()) {
                    Moved::Nothing => Redraw::Nothing,
                    Moved::Clock => Redraw::StatusBar,
                    Moved::Panes => Redraw::All,
                });
            }
            () = journal_changes.next() => {
                redraw = redraw.or_all(desk.follow());
                if let Some(polling) = polling.as_mut() {
                    redraw = redraw.or_all(desk.follow_config(polling, &feed_tx));
                }
                desk.checkpoint_if_due(crate::checkpoint::EVERY);
            }
            _ = sweep.tick(), if poller_lock.is_some() => redraw = redraw.or_all(desk.sweep_expired()),
            // Polling and alerting need the whole record folded first.
            _ = poller_retry.tick(), if poller_lock.is_none() && !desk.app.reading_journal => {
                poller_lock = crate::lock::try_poller_lock(journal_dir);
                if poller_lock.is_some() {
                    desk.app.polls_feeds = true;
                    if let Err(why) = crate::demo::start_if_configured(desk.app.config().demo_serve) {
                        desk.app.flash = Some(why);
                    } else if desk.app.config().demo_serve.is_some() {
                        let reached = crate::demo::check_ins::due(desk.app.config(), desk.app.state(), Utc::now());
                        desk.record(crate::demo::check_ins::BY, reached);
                    }
                    polling = Some(Polling::start(&feeds_config, &feed_tx));
                    let rules = desk.app.own_config().notify.clone();
                    match crate::notify::Notifier::start(rules, journal_dir, Utc::now(), settled_tx.clone()) {
                        Ok(started) => notifier = started,
                        Err(why) => desk.app.flash = Some(why),
                    }
                    let own = desk.app.own_config();
                    cot_out = crate::cot_out::Publisher::start(&own.cot_out, &own.desk_name);
                    if let Some(polling) = polling.as_mut() {
                        desk.follow_config(polling, &feed_tx);
                    }
                    sync = desk.start_sync(journal_dir, &sync_said_tx);
                    redraw = Redraw::All;
                }
            }
            Some(written) = briefed.recv() => {
                desk.brief_written(written);
                redraw = Redraw::All;
            }
            Some(said) = sync_said_rx.recv() => {
                desk.app.flash = Some(said);
                redraw = Redraw::All;
            }
            Some(settled) = settled_rx.recv() => {
                if let Event::NotifyFailed { rule, error, .. } = &settled.event {
                    desk.app.flash = Some(format!("notify {rule} FAILED: {error}"));
                }
                desk.record(crate::notify::BY, vec![settled.event.clone()]);
                if let Some(notifier) = notifier.as_mut() {
                    notifier.settle(&settled);
                }
                redraw = Redraw::All;
            }
            Some(msg) = feed_rx.recv() => {
                desk.feed_message(msg);
                // The rest of a burst after the keys typed meanwhile, if any.
                while !input.pending()
                    && let Ok(msg) = feed_rx.try_recv()
                {
                    desk.feed_message(msg);
                }
                // The alerts the burst raised go out now, not at the next second.
                if let Some(notifier) = notifier.as_mut() {
                    desk.notify(notifier);
                }
                if let Some(publisher) = cot_out.as_mut() {
                    desk.publish(publisher);
                }
                redraw = Redraw::All;
            }
            // A draw put off by the slow link's pace, now due.
            () = tokio::time::sleep_until(drawn_at + draw_gap), if redraw != Redraw::Nothing && !draw_gap.is_zero() => {}
            // Still reading a long journal: the next batch, once nothing else is ready (so last),
            // leaving checkpoints along the way for later readers.
            () = std::future::ready(()), if desk.app.reading_journal => {
                redraw = redraw.or_all(desk.follow());
                desk.checkpoint_if_due(crate::checkpoint::EVERY);
            }
        }
    }
    // What the console still does before it stops is said on the screen, so it does not seem
    // hung (the terminal may be gone already: then nothing is drawn).
    let mut say = |desk: &mut Desk, what: &str| {
        desk.app.flash = Some(what.to_string());
        let _ = painter.draw(terminal, &desk.app, theme, Redraw::All);
    };
    // A briefing asked for is finished and noted before the console stops, for up to
    // `BRIEF_AT_QUIT`; a signal (SIGTERM, SIGHUP, Ctrl-C) stops without it. One not finished is
    // not written at all (written whole or not: `brief::write_to_briefs_dir`).
    if desk.app.briefing {
        say(desk, "quitting: finishing the briefing first (a signal stops at once)");
        tokio::select! {
            Some(written) = briefed.recv() => desk.brief_written(written),
            () = endings.recv() => {}
            () = tokio::time::sleep(BRIEF_AT_QUIT) => {}
        }
    }
    // What was resolved last goes out as CoT before the console stops.
    if let Some(publisher) = cot_out {
        let drain = crate::poll::service::COT_OUT_DRAIN;
        say(desk, &format!("quitting: sending the last CoT (at most {} s)", drain.as_secs()));
        if let Some(polling) = polling.as_mut() {
            polling.stop();
        }
        desk.follow();
        let config = desk.app.config();
        publisher.close(desk.app.state(), &config.missions, drain).await;
    }
    // Notifications that ended meanwhile are journaled, so the next poller does not send them
    // again.
    while let Ok(settled) = settled_rx.try_recv() {
        desk.record(crate::notify::BY, vec![settled.event]);
    }
    failed.map_or(Ok(()), Err)
}

/// Returns true when the console should quit.
fn handle_terminal_event(desk: &mut Desk, event: TermEvent) -> bool {
    let TermEvent::Key(key) = event else { return false };
    match desk.app.handle_key(&key) {
        Some(Effect::Quit) => true,
        Some(Effect::Append(event)) => {
            let operator = desk.app.operator.clone();
            let saved = desk.record(&operator, vec![(*event).clone()]);
            desk.app.saved(&event, saved);
            false
        }
        Some(Effect::WriteBrief { since }) => {
            desk.write_brief(since);
            false
        }
        Some(Effect::Reload) => {
            desk.reload();
            false
        }
        None => false,
    }
}

impl Desk {
    /// Starts sharing this desk's record with others (`[sync]`) on a thread of its own, when
    /// this host's file asks for it and no other process (`attache sync run`) syncs the journal.
    fn start_sync(
        &mut self,
        journal_dir: &Path,
        said: &mpsc::UnboundedSender<String>,
    ) -> Option<crate::sync::status::Shared> {
        let config = self.app.own_config().sync.clone()?;
        let Some(lock) = crate::lock::try_sync_lock(journal_dir) else {
            self.app.flash = Some("sync runs in another process (attache sync run); not shown here".into());
            return None;
        };
        let shared = crate::sync::status::Shared::default();
        let said = said.clone();
        let spawned =
            crate::sync::engine::spawn(config, journal_dir.to_path_buf(), shared.clone(), move |text| {
                let _ = said.send(text);
            });
        match spawned {
            Ok(_) => {
                crate::lock::keep_until_exit(lock);
                self.app.sync = Some(shared.get());
                Some(shared)
            }
            Err(e) => {
                self.app.flash = Some(format!("sync NOT started: {e}"));
                None
            }
        }
    }

    /// Starts the notifications due now, in the background. Returns whether anything was said.
    fn notify(&mut self, notifier: &mut crate::notify::Notifier) -> bool {
        match notifier.tick(self.app.state(), Utc::now()) {
            Ok(_) => false,
            Err(why) => {
                self.app.flash = Some(why);
                true
            }
        }
    }

    /// Sends alerts (and missions) out as CoT where they changed. Returns whether anything was
    /// said: a destination's state, an alert with no place to mark.
    fn publish(&mut self, publisher: &mut crate::cot_out::Publisher) -> bool {
        let said = publisher.tick(self.app.state(), &self.app.config().missions, Utc::now());
        self.app.cot_out = publisher.statuses();
        match said.into_iter().last() {
            Some(message) => {
                self.app.flash = Some(message);
                true
            }
            None => false,
        }
    }

    /// Restarts the feeds when the configuration in force changes them (`Polling::follow_config`).
    /// Returns whether anything was said.
    fn follow_config(&mut self, polling: &mut Polling, tx: &mpsc::Sender<FeedMsg>) -> bool {
        let Some(followed) = polling.follow_config(self.app.state(), tx) else { return false };
        if let Some(names) = followed.restarted {
            self.app.feed_runtime.retain(|name, _| names.contains(name));
        }
        self.app.flash = Some(followed.message);
        true
    }

    /// `L`: what `attache reload` does, in this process. The file this console started with is
    /// checked; refused, its problems are said and the running configuration kept; taken, it
    /// is journaled, and this console and every other adopts it as they fold the record.
    fn reload(&mut self) {
        let path = self.app.own_config().path.clone();
        let config = match crate::reload::load_checked(&path) {
            Ok(config) => config,
            Err(problems) => {
                self.app.flash = Some(crate::reload::refused(&problems));
                return;
            }
        };
        let operator = self.app.operator.clone();
        let event = crate::reload::loaded_event(&config, true);
        let message = match self.record(&operator, vec![event]) {
            Some(seq) => {
                let said = format!(
                    "configuration reloaded from {} (record #{seq}): {} feeds, {} missions, {} contacts",
                    path.display(),
                    config.feeds.len(),
                    config.missions.len(),
                    config.contacts.len()
                );
                self.app.set_own_config(config);
                said
            }
            None => "configuration NOT reloaded: journal not writable".into(),
        };
        self.app.flash = Some(message);
    }

    /// Starts writing a Markdown briefing of the period from `since` (the start of this watch
    /// if None) to now into the briefs directory, on a thread of its own: a long period reads
    /// much of the journal, and the keys stay answered meanwhile. `brief_written` notes it.
    fn write_brief(&mut self, since: Option<chrono::DateTime<Utc>>) {
        if self.app.briefing {
            self.app.flash = Some("a briefing is still being written: one at a time".into());
            return;
        }
        let now = Utc::now();
        let request = crate::brief::Request {
            from: since.unwrap_or(self.app.watching_since),
            to: now,
            missions: Vec::new(),
            desks: Default::default(),
            generated_at: now,
            operator: self.app.operator.clone(),
        };
        self.app.flash =
            Some(format!("writing the briefing since {} ...", crate::brief::render::utc(request.from)));
        self.app.briefing = true;
        let (config, journal, done) =
            (self.app.config().clone(), self.journal_dir.clone(), self.briefs.clone());
        // A thread of its own rather than tokio's blocking pool, which a stopping runtime waits
        // for without limit: a console told to stop does not wait for a briefing (see the quit).
        std::thread::spawn(move || {
            // Answered whatever happens, or the console would wait for it for ever.
            let written =
                std::panic::catch_unwind(|| crate::brief::write_to_briefs_dir(&config, &journal, &request))
                    .unwrap_or_else(|_| Err("the briefing failed inside attache (a bug; see stderr)".into()));
            // The receiver is gone only when the console has stopped.
            let _ = done.send(written);
        });
    }

    /// A briefing written: journals a note saying where it is and what it covers.
    fn brief_written(&mut self, written: Briefed) {
        self.app.briefing = false;
        let operator = self.app.operator.clone();
        self.app.flash = Some(match written {
            Ok((path, brief)) => {
                let text = crate::brief::written_note(&path, &brief);
                match self.record(
                    &operator,
                    vec![Event::Note {
                        operator: operator.clone(),
                        text,
                        mission: None,
                        alert: None,
                        contact: None,
                    }],
                ) {
                    Some(seq) => format!("briefing written to {} (note #{seq})", path.display()),
                    None => {
                        format!("briefing written to {}; NOT noted: journal not writable", path.display())
                    }
                }
            }
            Err(why) => format!("briefing NOT written: {why}"),
        });
    }
}
