//! The sync engine: connect, publish and receive until the link fails, then connect again with a
//! growing pause. Everything local goes on meanwhile; the backlog waits in the journal. It runs
//! on a thread of its own (`spawn`), so a slow server or a sync of the journal never holds up a
//! console's keys.

use chrono::Utc;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::link::{self, Error};
use super::local;
use super::settings::SyncConfig;
use super::status::Shared;
use super::{publish, receive};
use crate::event::Event;
use crate::journal::Writer;

/// The first pause before connecting again, and the longest.
const RETRY_FIRST: Duration = Duration::from_millis(250);
const RETRY_MOST: Duration = Duration::from_secs(4);
/// How often a session checks that its connection is still up.
const LINK_CHECK: Duration = Duration::from_millis(250);

/// Runs the engine on a thread of its own; `say` hears each change of the link, in words.
pub fn spawn(
    config: SyncConfig,
    dir: PathBuf,
    status: Shared,
    say: impl Fn(String) + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("attache-sync".into()).spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime,
            Err(e) => return say(format!("sync NOT started: {e}")),
        };
        runtime.block_on(run(&config, &dir, &status, &say));
    })
}

/// Infallible returns: a desk keeps trying to reach its servers for as long as it runs.
pub async fn run(config: &SyncConfig, dir: &Path, status: &Shared, say: &dyn Fn(String)) {
    let mut pause = RETRY_FIRST;
    let mut said: Option<String> = None;
    // Read from the journal once, then kept current by the receiver (the one writer of `remote`
    // records): a retry every few seconds while offline does not reread the whole journal.
    let mut held: Option<local::Local> = None;
    let mut backlog = Backlog::default();
    let mut learned = Learned::default();
    loop {
        let started = tokio::time::Instant::now();
        let why = match session(config, dir, status, say, &mut held, &mut learned).await {
            Ok(never) => match never {},
            Err(e) => e.to_string(),
        };
        // A link that came up and went down again is said again, whatever it said before.
        if status.get().link_up {
            said = None;
        }
        status.update(|s| {
            s.link_up = false;
            s.error = Some(why.clone());
        });
        if said.as_ref() != Some(&why) {
            say(format!("sync link down: {why}"));
            said = Some(why);
        }
        if started.elapsed() > Duration::from_secs(10) {
            pause = RETRY_FIRST;
        }
        backlog.count(config, dir, status);
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(RETRY_MOST);
    }
}

/// What one session learns of the servers that the next need not learn again.
struct Learned {
    /// Whether the stream is yet to be asked to take atomic batches.
    ask_for_batches: bool,
    batching: publish::Batching,
}

impl Default for Learned {
    fn default() -> Self {
        Learned { ask_for_batches: true, batching: publish::Batching::default() }
    }
}

/// With the link down, what this desk wrote since its last record the stream is known to hold
/// (every shared record before the first link: which of them the stream holds is not known).
/// Counted on from where the last count stopped, so a retry reads only what was written since.
#[derive(Default)]
struct Backlog {
    /// The record counted from, the last record read, and the count.
    counted: Option<(u64, u64, u64)>,
}

impl Backlog {
    fn count(&mut self, config: &SyncConfig, dir: &Path, status: &Shared) {
        let shares = |kind: &str| config.shares(kind);
        let published = status.get().published.unwrap_or(0);
        let (from, count) = match self.counted {
            Some((from, last, count)) if from == published => (last, count),
            _ => (published, 0),
        };
        if let Ok((more, last)) = local::count_shared(dir, from, &shares) {
            self.counted = Some((published, last, count + more));
            status.update(|s| s.backlog = count + more);
        }
    }
}

async fn session(
    config: &SyncConfig,
    dir: &Path,
    status: &Shared,
    say: &dyn Fn(String),
    kept: &mut Option<local::Local>,
    learned: &mut Learned,
) -> Result<Infallible, Error> {
    let held = match kept {
        Some(held) => held,
        None => {
            let shares = |kind: &str| config.shares(kind);
            let read = local::read(dir, &shares)?;
            status.update(|s| s.desks = read.chains.followed(&config.follow));
            kept.insert(read)
        }
    };
    let mut writer = Writer::open(dir)?;
    // `sync run` restarted with another `follow` says so, as a restarted console does.
    let holds_others = !held.chains.desks.is_empty();
    if let Some(event) =
        super::settings::following_event(held.following.as_deref(), Some(&config.follow), holds_others)
    {
        let said = match &event {
            Event::SyncFollowing { follow } => Some(follow.clone()),
            _ => None,
        };
        writer.append(receive::BY, Utc::now(), vec![event])?;
        held.following = said;
    }
    let client = link::connect(config).await?;
    let js = link::jetstream(client.clone(), config);
    let stream = link::stream(&js, config.replicas, &mut learned.ask_for_batches, say).await?;
    status.update(|s| {
        s.link_up = true;
        s.error = None;
    });
    say(format!("sync link up: desk {} on {}", config.desk, client.server_info().host));
    let watch = async {
        loop {
            tokio::time::sleep(LINK_CHECK).await;
            if client.connection_state() != async_nats::connection::State::Connected {
                return Err::<Infallible, Error>("connection to the server lost".into());
            }
        }
    };
    tokio::select! {
        r = publish::run(&js, &stream, config, dir, status, &mut learned.batching, say) => r,
        r = receive::run(&stream, config, held, &mut writer, status, say) => r,
        r = watch => r,
    }
}
