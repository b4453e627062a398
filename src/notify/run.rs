//! Running a `[[notify]]` command: no shell, the record on stdin, only PATH and the named
//! variables in its environment, in a process group of its own that is killed whole when the
//! command outlives its timeout; failed runs tried again after a growing wait.

use std::os::unix::process::ExitStatusExt as _;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::Semaphore;

use super::{Due, NotifyRule, Settled};
use crate::event::Event;

/// How much of a failed command's stderr is kept for `notify.failed`.
const STDERR_KEPT: u64 = 4096;
/// How long to wait for the rest of stderr once the command has ended (a child it left behind
/// may hold the pipe).
const STDERR_GRACE: Duration = Duration::from_millis(500);

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
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return Attempt::Failed(format!("could not start {program}: {e}")),
    };
    // Armed until the command has ended by itself: a timeout, or this task dropped (the
    // process leaving), takes the whole group down with it.
    let mut group = Group(child.id().and_then(|pid| i32::try_from(pid).ok()));
    let stdin = child.stdin.take();
    let stderr = child.stderr.take().map(|stderr| {
        tokio::spawn(async move {
            let mut kept = Vec::new();
            let _ = stderr.take(STDERR_KEPT).read_to_end(&mut kept).await;
            kept
        })
    });
    let ran = tokio::time::timeout(rule.timeout, async {
        if let Some(mut stdin) = stdin {
            // A command that does not read its stdin is no failure of ours.
            let _ = stdin.write_all(input).await;
        }
        child.wait().await
    })
    .await;
    let status = match ran {
        Ok(Ok(status)) if status.success() => {
            group.disarm();
            return Attempt::Sent;
        }
        Ok(Ok(status)) => {
            group.disarm();
            status
        }
        Ok(Err(e)) => return Attempt::Failed(format!("waiting for {program}: {e}")),
        Err(_) => {
            drop(group);
            let _ = child.wait().await;
            return Attempt::Failed(format!(
                "timed out after {} (its process group was killed)",
                humantime::format_duration(rule.timeout)
            ));
        }
    };
    let said = match stderr {
        Some(task) => tokio::time::timeout(STDERR_GRACE, task).await.ok().and_then(Result::ok),
        None => None,
    };
    let said = said.map(|bytes| crate::text::one_line(&String::from_utf8_lossy(&bytes))).unwrap_or_default();
    let status = described(status);
    Attempt::Failed(if said.is_empty() { status } else { format!("{status}: {said}") })
}

/// A command's process group, killed when this is dropped armed.
struct Group(Option<i32>);

impl Group {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL);
        }
    }
}

fn described(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => status.to_string(),
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
