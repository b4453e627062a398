//! What the live console and the replay share about their terminal: making sure there is one,
//! taking keys in batches, and the signals that end a session (SIGTERM, SIGHUP when the SSH link
//! drops, SIGINT).

use anyhow::Context as _;
use crossterm::event::Event;
use std::time::Duration;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::mpsc;

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

/// The session's terminal: every frame reaches it in one write.
pub type Screen = ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::BufWriter<std::io::Stdout>>>;

/// Room for a whole frame of a large terminal, colours included, so a frame is one write.
const FRAME_BUFFER: usize = 256 * 1024;

/// Takes the terminal for a session: raw mode and the alternate screen, given back on a panic.
///
/// Frames go through a buffer of their own rather than stdout's 1 KiB line buffer: a frame in
/// several writes reaches an SSH link as several packets and can be seen half drawn.
pub fn open() -> anyhow::Result<Screen> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        ratatui::restore();
        hook(info);
    }));
    crossterm::terminal::enable_raw_mode().context("opening the terminal")?;
    crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)
        .context("opening the terminal")?;
    let writer = std::io::BufWriter::with_capacity(FRAME_BUFFER, std::io::stdout());
    ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(writer)).context("opening the terminal")
}

/// Terminal input, a batch at a time. A thread of its own reads the terminal and hands each
/// event over a channel, so a key wakes the session's loop the moment it arrives.
///
/// Not crossterm's `EventStream`: polled with a no-op waker for what else is queued (as a batch
/// needs), its wake-up thread then wakes nobody when the next key comes, and that key waits for
/// some timer to run the loop again (the 250 ms follow tick).
pub struct Input {
    events: mpsc::Receiver<Event>,
}

/// How often the reading thread looks whether its session has ended, between events.
const INPUT_CHECK_EVERY: Duration = Duration::from_secs(2);
/// Events read ahead of the session's loop; past this the reader waits (a long paste).
const INPUT_QUEUE: usize = 1024;

impl Input {
    pub fn new() -> Self {
        let (tx, events) = mpsc::channel(INPUT_QUEUE);
        std::thread::Builder::new()
            .name("terminal-input".into())
            .spawn(move || read_terminal(&tx))
            .expect("a thread for terminal input");
        Self { events }
    }

    /// Whether events are waiting: long work done between keys stops early for them.
    pub fn pending(&self) -> bool {
        !self.events.is_empty()
    }

    /// Waits for the next event, then takes every event already queued with it, so a burst of
    /// typing is handled before the next draw. None when the terminal has gone.
    pub async fn next_batch(&mut self) -> Option<Vec<Event>> {
        let first = self.events.recv().await?;
        let mut batch = vec![first];
        while let Ok(event) = self.events.try_recv() {
            batch.push(event);
        }
        Some(batch)
    }
}

/// Reads terminal events until the terminal fails or the session drops its `Input`.
fn read_terminal(tx: &mpsc::Sender<Event>) {
    loop {
        match crossterm::event::poll(INPUT_CHECK_EVERY) {
            Ok(true) => match crossterm::event::read() {
                Ok(event) => {
                    if tx.blocking_send(event).is_err() {
                        return;
                    }
                }
                Err(_) => return,
            },
            Ok(false) if tx.is_closed() => return,
            Ok(false) => {}
            Err(_) => return,
        }
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
