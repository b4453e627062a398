//! What the live console and the replay share about their terminal: making sure there is one,
//! taking keys in batches, and the signals that end a session (SIGTERM, SIGHUP when the SSH link
//! drops, SIGINT).

use anyhow::Context as _;
use crossterm::event::{Event, EventStream};
use futures_util::{FutureExt, StreamExt};
use tokio::signal::unix::{Signal, SignalKind, signal};

/// Refuses a session without a terminal on both stdin and stdout (a script's `</dev/null`,
/// `ssh host attache` without `-t`, output into a pipe), in one sentence for stderr. Checked before
/// the terminal or the journal is touched: nothing is drawn into a pipe, no session is journaled.
pub fn require_terminal(what: &str) -> Result<(), String> {
    use std::io::IsTerminal as _;
    let missing = match (std::io::stdin().is_terminal(), std::io::stdout().is_terminal()) {
        (true, true) => return Ok(()),
        (false, false) => "neither stdin nor stdout is one",
        (false, true) => "stdin is not one",
        (true, false) => "stdout is not one",
    };
    Err(format!("{what} needs a terminal and {missing} (over ssh, use `ssh -t`)"))
}

/// Takes the terminal for a session: raw mode and the alternate screen.
pub fn open() -> anyhow::Result<ratatui::DefaultTerminal> {
    ratatui::try_init().context("opening the terminal")
}

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
