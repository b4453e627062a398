//! The notifier the poller-lock holder runs: it reads the journal on its own (from a while
//! before it took the lock, to catch what the last holder left unsent), and starts each due
//! notification as a task of its own, so no command ever holds up the loop that drives it.

use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;

use super::{Ledger, NotifyRule, catch_up};
use crate::event::Event;
use crate::journal::Follower;
use crate::state::DeskState;

/// How many records are read at a tick.
const READ_BATCH: usize = 10_000;

/// A notification over: what to journal (`notify.sent` or `notify.failed`).
#[derive(Clone, Debug, PartialEq)]
pub struct Settled {
    pub rule: String,
    pub record: u64,
    pub event: Event,
}

pub struct Notifier {
    rules: Vec<NotifyRule>,
    follower: Follower,
    ledger: Ledger,
    window: Duration,
    settled: UnboundedSender<Settled>,
    /// Permits for `MAX_RUNNING` commands at once.
    running: Arc<Semaphore>,
}

impl Notifier {
    /// A notifier for `rules` on the journal in `dir`, looking back `catch_up(rules)` from
    /// `now`; None when there are no rules. Finished notifications are sent to `settled`, for
    /// the loop to journal and then hand back (`settle`).
    pub fn start(
        rules: Vec<NotifyRule>,
        dir: &Path,
        now: DateTime<Utc>,
        settled: UnboundedSender<Settled>,
    ) -> Result<Option<Notifier>, String> {
        if rules.is_empty() {
            return Ok(None);
        }
        let window = catch_up(&rules);
        let from = now - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::zero());
        let follower = Follower::from_time(dir, from).map_err(|e| format!("notifications: {e}"))?;
        let running = Arc::new(Semaphore::new(super::MAX_RUNNING));
        Ok(Some(Notifier { rules, follower, ledger: Ledger::new(), window, settled, running }))
    }

    /// Reads what is new in the journal and starts what is due at `now` (a feed's outage is
    /// judged by `state`). Returns how many notifications it started. Must run inside a tokio
    /// runtime.
    pub fn tick(&mut self, state: &DeskState, now: DateTime<Utc>) -> Result<usize, String> {
        // A batch at a time, so that catching up on a busy hour never holds the loop long; and
        // nothing is sent before the end is reached, where its `notify.sent` may be.
        let (records, _damage) =
            self.follower.poll_up_to(READ_BATCH).map_err(|e| format!("notifications: {e}"))?;
        for record in &records {
            self.ledger.observe(&self.rules, record);
        }
        if records.len() == READ_BATCH {
            return Ok(0);
        }
        let due = self.ledger.take_due(&self.rules, state, now, self.window);
        let started = due.len();
        for due in due {
            let (rule, settled, running) =
                (self.rules[due.rule].clone(), self.settled.clone(), self.running.clone());
            tokio::spawn(async move {
                let _ = settled.send(super::run::notify(rule, due, running).await);
            });
        }
        Ok(started)
    }

    /// A notification is over and journaled (or could not be: then it is not tried again by
    /// this process).
    pub fn settle(&mut self, settled: &Settled) {
        self.ledger.settle(&settled.rule, settled.record);
    }

    /// Notifications started and not over.
    pub fn in_flight(&self) -> usize {
        self.ledger.in_flight()
    }
}
