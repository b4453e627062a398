//! Running a `[[notify]]` command: no shell, the record on stdin, only PATH and the named
//! variables in its environment, in a process group of its own that is killed whole when the
//! command outlives its timeout (`crate::process`); failed runs tried again after a growing wait.

use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

use super::{Due, NotifyRule, Settled};
use crate::event::Event;
use crate::process::{self, Ran};

/// One run of the command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    Failed(String),
}

/// Runs the command once with `input` on its stdin.
pub async fn run_once(rule: &NotifyRule, input: &[u8]) -> Attempt {
    let program = &rule.command[0];
    let mut command = tokio::process::Command::new(program);
    command.args(&rule.command[1..]).env_clear();
    for name in std::iter::once("PATH").chain(rule.env.iter().map(String::as_str)) {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    match process::run(command, Some(input), rule.timeout).await {
        Ran::Exited { status, .. } if status.success() => Attempt::Sent,
        Ran::Exited { status, said } => {
            let status = process::described(status);
            Attempt::Failed(if said.is_empty() { status } else { format!("{status}: {said}") })
        }
        Ran::TimedOut => Attempt::Failed(format!(
            "timed out after {} (its process group was killed)",
            humantime::format_duration(rule.timeout)
        )),
        Ran::NotStarted(e) => Attempt::Failed(format!("could not start {program}: {e}")),
        Ran::Lost(e) => Attempt::Failed(format!("waiting for {program}: {e}")),
    }
}

/// Sends one notification: runs the command until it succeeds or has failed `retries` more
/// times, waiting `NotifyRule::backoff` between runs. Returns what to journal.
/// `running` bounds how many commands run at once; a run waits for a permit, a retry's wait
/// holds none.
pub async fn notify(rule: NotifyRule, due: Due, running: Arc<Semaphore>) -> Settled {
    let mut input = serde_json::to_vec(&due.record).expect("records serialize");
    input.push(b'\n');
    let (name, trigger, record) = (rule.name.clone(), due.trigger.to_string(), due.record.seq);
    let mut attempts = 0;
    let error = loop {
        attempts += 1;
        let permit = running.acquire().await.expect("the semaphore is never closed");
        let started = Instant::now();
        let attempt = run_once(&rule, &input).await;
        drop(permit);
        match attempt {
            Attempt::Sent => {
                let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                let event = Event::NotifySent { rule: name.clone(), trigger, record, attempts, ms };
                return Settled { rule: name, record, event };
            }
            Attempt::Failed(why) if attempts > rule.retries => break why,
            Attempt::Failed(_) => tokio::time::sleep(NotifyRule::backoff(attempts)).await,
        }
    };
    let event = Event::NotifyFailed { rule: name.clone(), trigger, record, attempts, error };
    Settled { rule: name, record, event }
}
