//! The sync engine: connect, publish and receive until the link fails, then connect again with a
//! growing pause. Everything local goes on meanwhile; the backlog waits in the journal. It runs
//! on a thread of its own (`spawn`), so a slow server or a sync of the journal never holds up a
//! console's keys.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::link::{self, Error};
use super::local;
use super::settings::SyncConfig;
use super::status::Shared;
use super::{publish, receive};
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
    loop {
        let started = tokio::time::Instant::now();
        let why = match session(config, dir, status, say).await {
            Ok(never) => match never {},
            Err(e) => e.to_string(),
        };
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
        count_backlog(config, dir, status);
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(RETRY_MOST);
    }
}

/// With the link down, what this desk wrote since its last record the stream is known to hold
/// (every shared record before the first link: which of them the stream holds is not known).
fn count_backlog(config: &SyncConfig, dir: &Path, status: &Shared) {
    let shares = |kind: &str| config.shares(kind);
    let published = status.get().published.unwrap_or(0);
    if let Ok(backlog) = local::shared_after(dir, published, &shares) {
        status.update(|s| s.backlog = backlog);
    }
}

async fn session(
    config: &SyncConfig,
    dir: &Path,
    status: &Shared,
    say: &dyn Fn(String),
) -> Result<Infallible, Error> {
    let shares = |kind: &str| config.shares(kind);
    // The position is the journal's: read afresh for every session.
    let mut held = local::read(dir, &shares)?;
    status.update(|s| s.desks = held.chains.desks.clone());
    let mut writer = Writer::open(dir)?;
    let client = link::connect(config).await?;
    let js = link::jetstream(client.clone());
    let stream = link::stream(&js, config.replicas).await?;
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
        r = publish::run(&js, &stream, config, dir, status) => r,
        r = receive::run(&stream, config, &mut held, &mut writer, status, say) => r,
        r = watch => r,
    }
}
