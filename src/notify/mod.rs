//! Notifications beyond the terminal: `[[notify]]` entries run a command for the records they
//! select (the record as JSON on stdin), and journal `notify.sent` or `notify.failed`. Only the
//! process holding the poller lock notifies, so a journal's notifications are sent once.

mod ledger;
mod notifier;
mod run;
mod trigger;

pub use ledger::{Due, Ledger};
pub use notifier::{Notifier, Settled};
pub use trigger::{ROLLCALL_OVERDUE, Trigger};

use std::time::Duration;

/// Who journals notifications.
pub const BY: &str = "notify";
/// How long a command may run when its entry names no `timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How many times a failed command is run again when its entry names no `retries`.
pub const DEFAULT_RETRIES: u32 = 2;
/// The most `retries` an entry may ask for.
pub const MAX_RETRIES: u32 = 10;
/// The wait before the first retry; it doubles for each retry after, up to `MAX_BACKOFF`.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How many commands run at once, whatever their entries: a burst of alerts is paged in
/// turn, not by a hundred processes at once.
pub const MAX_RUNNING: usize = 8;
/// How far back a process that takes the poller lock looks for records not yet notified:
/// this long, plus the longest `feed.down>T` of the entries, before it took the lock.
pub const CATCH_UP: Duration = Duration::from_secs(3600);

/// One `[[notify]]` entry, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyRule {
    /// The entry's `name`, or `notify[N]` by its place in the file; journaled with each
    /// notification so that a restarted process knows what was sent.
    pub name: String,
    pub on: Vec<Trigger>,
    /// The program and its arguments, run without a shell.
    pub command: Vec<String>,
    pub timeout: Duration,
    /// The environment variables passed on, besides PATH.
    pub env: Vec<String>,
    pub retries: u32,
}

impl NotifyRule {
    /// The wait before retry `n` (1-based).
    pub fn backoff(n: u32) -> Duration {
        FIRST_BACKOFF.saturating_mul(1 << n.saturating_sub(1).min(16)).min(MAX_BACKOFF)
    }
}

/// How far back a new lock holder looks for what is not yet notified (`CATCH_UP`).
pub fn catch_up(rules: &[NotifyRule]) -> Duration {
    let longest_down = rules
        .iter()
        .flat_map(|r| &r.on)
        .filter_map(|t| match t {
            Trigger::FeedDown { longer_than } => Some(*longer_than),
            _ => None,
        })
        .max()
        .unwrap_or_default();
    CATCH_UP + longest_down
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_second_up_to_a_minute() {
        let waits: Vec<u64> = (1..=8).map(|n| NotifyRule::backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
    }
}
