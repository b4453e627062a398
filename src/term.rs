//! What the live console and the replay share about their terminal: taking keys in batches,
//! and the signals that end a session (SIGTERM, SIGHUP when the SSH link drops, SIGINT).

use crossterm::event::{Event, EventStream};
use futures_util::{FutureExt, StreamExt};
use tokio::signal::unix::{Signal, SignalKind, signal};

/// Terminal input, a batch at a time.
pub struct Input(EventStream);

impl Input {
    pub fn new() -> Self {
        Self(EventStream::new())
    }

    /// Waits for the next event, then takes every event already queued with it, so a burst of
    /// typing is handled before the next draw. None when the terminal has gone.
    pub async fn next_batch(&mut self) -> Option<Vec<Event>> {
        let first = self.0.next().await?.ok()?;
        let mut batch = vec![first];
        while let Some(Some(Ok(event))) = self.0.next().now_or_never() {
            batch.push(event);
        }
        Some(batch)
    }
}

impl Default for Input {
    fn default() -> Self {
        Self::new()
    }
}

/// The signals after which a session ends cleanly.
pub struct Endings {
    terminate: Signal,
    hangup: Signal,
    interrupt: Signal,
}

impl Endings {
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// Resolves when any of them arrives.
    pub async fn recv(&mut self) {
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.hangup.recv() => {}
            _ = self.interrupt.recv() => {}
        }
    }
}
