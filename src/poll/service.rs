//! `attache poll` with no `--once`: the desk's poller as a service, with no terminal. It waits
//! for the poller lock (a console holding it keeps polling until it closes), then polls the
//! feeds, escalates, withdraws what expired and sends notifications, all through the desk core,
//! until SIGTERM, SIGINT or SIGHUP.

use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{MissedTickBehavior, interval};

use crate::config::Config;
use crate::desk::{Desk, Host, InForce, Input, Tick};
use crate::event::{Event, Record};
use crate::journal::{Follower, Writer};
use crate::notify::{Notifier, Settled};
use crate::polling::{FeedMsg, Polling};
use crate::state::DeskState;

/// How often the service looks for the poller lock while another process holds it.
pub const LOCK_RETRY: Duration = Duration::from_secs(5);
/// How often items past their life are withdrawn between polls.
const SWEEP_EVERY: Duration = Duration::from_secs(5);
/// How many records are read and folded at a time.
const FOLLOW_BATCH: usize = 10_000;
/// How long a stopping desk waits for its TAK destinations that are up to take what is queued.
pub const COT_OUT_DRAIN: Duration = Duration::from_secs(2);

pub fn run(config: &Config, journal_dir: &Path, after_damage: bool) -> ExitCode {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime starts");
    match runtime.block_on(serve(config, journal_dir, after_damage)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("attache: {why}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: &Config, journal_dir: &Path, after_damage: bool) -> Result<(), String> {
    let mut endings = crate::term::Endings::new().map_err(|e| format!("cannot watch for signals: {e}"))?;
    let mut said_waiting = false;
    let _lock = loop {
        if let Some(lock) = crate::lock::try_poller_lock(journal_dir) {
            break lock;
        }
        if !said_waiting {
            eprintln!(
                "attache: another attache process (a console, or another poll) is polling the feeds of {}; \
                 waiting to take over when it ends",
                journal_dir.display()
            );
            said_waiting = true;
        }
        tokio::select! {
            () = endings.recv() => return Ok(()),
            () = tokio::time::sleep(LOCK_RETRY) => {}
        }
    };
    let operator = crate::operator::operator();
    let writer = Writer::open_checked(journal_dir, &operator, after_damage).map_err(|e| e.to_string())?;
    if let Some(seq) = writer.head_started() {
        eprintln!("attache: {}", crate::journal::head::started(seq));
    }
    let (state, follower) = crate::checkpoint::resume(journal_dir);
    let mut service = Service {
        checkpointed: state.last_seq(),
        state,
        in_force: InForce::new(config.clone()),
        writer,
        follower,
        checkpoints: crate::checkpoint::Saver::new(journal_dir),
        journal_dir: journal_dir.to_path_buf(),
    };
    let mut desk = Desk::new();
    // All of the record first: alerts are derived, and escalated, from the whole of it.
    while service.follow()? == FOLLOW_BATCH {}
    // The record holds the configuration this process derives alerts by, as a console's does.
    let started = crate::reload::start_events(&service.state, config);
    journal(&mut desk, &mut service, &operator, started);
    if let Err(why) = crate::demo::start_if_configured(config.demo_serve) {
        eprintln!("attache: {why}");
    }

    let (feed_tx, mut feed_rx) = mpsc::channel::<FeedMsg>(256);
    let (settled_tx, mut settled_rx) = mpsc::unbounded_channel::<Settled>();
    let mut polling = Polling::start(&config.feeds, &feed_tx);
    let mut notifier = Notifier::start(config.notify.clone(), journal_dir, Utc::now(), settled_tx)?;
    let mut cot_out = crate::cot_out::Publisher::start(&config.cot_out, &config.desk_name);
    let mut syncing = Syncing::default();
    syncing.try_start(config, journal_dir);
    eprintln!(
        "attache: polling {} of {} for the journal in {}; {}",
        crate::words::count(config.feeds.iter().filter(|f| f.enabled).count() as u64, "feed", "feeds"),
        config.path.display(),
        journal_dir.display(),
        match &notifier {
            Some(_) => crate::words::count(config.notify.len() as u64, "notify entry", "notify entries"),
            None => "no notify entries".into(),
        }
    );

    let mut clock = interval(Duration::from_secs(1));
    let mut journal_changes = crate::journal::Changes::watch(journal_dir);
    let mut sweep = interval(SWEEP_EVERY);
    for timer in [&mut clock, &mut sweep] {
        timer.set_missed_tick_behavior(MissedTickBehavior::Skip);
    }
    loop {
        tokio::select! {
            () = endings.recv() => break,
            Some(msg) = feed_rx.recv() => {
                if let FeedMsg::Done { outcome, .. } = msg {
                    let handled = desk.handle(&mut service, Input::Polled(outcome), Utc::now());
                    if let Some(why) = handled.failed {
                        eprintln!("attache: polled, but not journaled: {why}");
                    }
                    // The alerts a poll raised go out now, not at the next second.
                    notify(notifier.as_mut(), &service.state);
                    publish(cot_out.as_mut(), &service);
                }
            }
            Some(settled) = settled_rx.recv() => {
                if let Event::NotifyFailed { rule, record, error, .. } = &settled.event {
                    eprintln!("attache: notify {rule} of record #{record} failed: {error}");
                }
                journal(&mut desk, &mut service, crate::notify::BY, vec![settled.event.clone()]);
                if let Some(notifier) = notifier.as_mut() {
                    notifier.settle(&settled);
                }
            }
            _ = clock.tick() => {
                let handled = desk.handle(&mut service, Input::Tick(Tick::Escalate), Utc::now());
                if let Some(why) = handled.failed {
                    eprintln!("attache: escalations not journaled: {why}");
                }
                notify(notifier.as_mut(), &service.state);
                publish(cot_out.as_mut(), &service);
            }
            () = journal_changes.next() => {
                service.follow()?;
                if let Some(followed) = polling.follow_config(&service.state, &feed_tx) {
                    eprintln!("attache: {}", followed.message);
                }
                service.checkpoint_if_due(crate::checkpoint::EVERY);
            }
            _ = sweep.tick() => {
                desk.handle(&mut service, Input::Tick(Tick::Sweep), Utc::now());
                // A `sync run` that held the journal may have stopped: sync is taken over.
                syncing.try_start(config, journal_dir);
            }
        }
    }
    polling.stop();
    // What other processes journaled last (an operator's resolution) goes out as CoT before the
    // service stops, as does whatever is still queued.
    if let Some(publisher) = cot_out {
        if let Err(why) = service.follow() {
            eprintln!("attache: {why}");
        }
        publisher.close(&service.state, &service.in_force.config().missions, COT_OUT_DRAIN).await;
    }
    // Notifications that ended meanwhile are journaled, so the next poller does not send them
    // again.
    while let Ok(settled) = settled_rx.try_recv() {
        journal(&mut desk, &mut service, crate::notify::BY, vec![settled.event.clone()]);
        if let Some(notifier) = notifier.as_mut() {
            notifier.settle(&settled);
        }
    }
    let in_flight = notifier.as_ref().map_or(0, Notifier::in_flight);
    if in_flight > 0 {
        eprintln!(
            "attache: stopped with {} under way; the next process to poll sends them",
            crate::words::count(in_flight as u64, "notification", "notifications")
        );
    }
    if let Some(why) = service.checkpoints.finish() {
        eprintln!("attache: {why}");
    }
    eprintln!("attache: stopped polling {}", service.journal_dir.display());
    Ok(())
}

/// Starts the notifications due now, saying on stderr when the journal could not be read.
fn notify(notifier: Option<&mut Notifier>, state: &DeskState) {
    if let Some(notifier) = notifier
        && let Err(why) = notifier.tick(state, Utc::now())
    {
        eprintln!("attache: {why}");
    }
}

/// Sends alerts out as CoT where they changed, saying on stderr what is worth saying.
fn publish(publisher: Option<&mut crate::cot_out::Publisher>, service: &Service) {
    if let Some(publisher) = publisher {
        for said in publisher.tick(&service.state, &service.in_force.config().missions, Utc::now()) {
            eprintln!("attache: {said}");
        }
    }
}

/// Journals `events` through the desk core, saying on stderr when it could not.
fn journal(desk: &mut Desk, service: &mut Service, by: &str, events: Vec<Event>) {
    let handled = desk.handle(service, Input::Operator { by: by.to_string(), events }, Utc::now());
    if let Some(why) = handled.failed {
        eprintln!("attache: not journaled: {why}");
    }
}

/// The journal on disk, written by this process and followed for everyone's records.
struct Service {
    state: DeskState,
    in_force: InForce,
    writer: Writer,
    follower: Follower,
    checkpoints: crate::checkpoint::Saver,
    checkpointed: u64,
    journal_dir: PathBuf,
}

impl Service {
    /// Folds a batch of what is new in the journal, this process's records and others'; how
    /// many records it read. Damage stops the service: `journal verify` says where, and an
    /// operator decides.
    fn follow(&mut self) -> Result<usize, String> {
        let (records, problems) = self.follower.poll_up_to(FOLLOW_BATCH).map_err(|e| e.to_string())?;
        if let Some(first) = problems.first() {
            return Err(format!("damaged journal record: {first}; nothing more is polled or journaled"));
        }
        let read = records.len();
        self.fold(records);
        Ok(read)
    }

    fn checkpoint_if_due(&mut self, after: u64) {
        if self.state.last_seq() < self.checkpointed + after {
            return;
        }
        let (started, failed) = self.checkpoints.offer(&self.state);
        if started {
            self.checkpointed = self.state.last_seq();
        }
        if let Some(why) = failed {
            eprintln!("attache: {why}");
        }
    }
}

impl Host for Service {
    fn state(&self) -> &DeskState {
        &self.state
    }

    fn config(&self) -> &Config {
        self.in_force.config()
    }

    /// Appends, then follows the journal up to what was appended: records a console wrote
    /// just before ours are folded in their place, not skipped.
    fn commit(&mut self, by: &str, at: DateTime<Utc>, events: Vec<Event>) -> Result<Option<u64>, String> {
        if events.is_empty() {
            return Ok(None);
        }
        let records = self.writer.append(by, at, events).map_err(|e| e.to_string())?;
        let last = records.last().map(|r| r.seq);
        while last.is_some_and(|seq| self.state.last_seq() < seq) {
            if self.follow()? == 0 {
                return Err(format!("record #{} was appended but cannot be read back", last.unwrap_or(0)));
            }
        }
        Ok(last)
    }

    fn fold(&mut self, records: Vec<Record>) {
        self.state.fold_all(records);
        self.in_force.follow(&self.state);
    }
}

/// Sharing this desk's record with others (`[sync]`) on a thread of its own, as a polling
/// console does, unless another process (`attache sync run`) syncs this journal: then tried
/// again at each sweep, so that sync goes on when that process stops.
#[derive(Default)]
struct Syncing {
    /// Whether sync runs here: its lock is then held until the process exits.
    started: bool,
    said_elsewhere: bool,
}

impl Syncing {
    fn try_start(&mut self, config: &Config, journal_dir: &Path) {
        let Some(sync) = config.sync.clone() else { return };
        if self.started {
            return;
        }
        let Some(lock) = crate::lock::try_sync_lock(journal_dir) else {
            if !self.said_elsewhere {
                eprintln!(
                    "attache: sync runs in another process (attache sync run); this poll takes it over when that one stops"
                );
                self.said_elsewhere = true;
            }
            return;
        };
        let say = |text: String| eprintln!("attache: {}", crate::text::one_line(&text));
        match crate::sync::engine::spawn(sync, journal_dir.to_path_buf(), Default::default(), say) {
            Ok(_) => {
                crate::lock::keep_until_exit(lock);
                self.started = true;
            }
            Err(e) => eprintln!("attache: sync NOT started: {e}"),
        }
    }
}
