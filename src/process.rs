//! Running an external command with a time limit: in a process group of its own, so that when
//! it outlives its timeout the whole group is killed, the children it started (scp's ssh, a
//! script's background jobs) with it, not only the command itself.

use std::os::unix::process::ExitStatusExt as _;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// How much of a command's stderr is kept.
const STDERR_KEPT: u64 = 4096;
/// How long to wait for the rest of stderr once the command has ended (a child it left behind
/// may hold the pipe).
const STDERR_GRACE: Duration = Duration::from_millis(500);

/// How a run ended.
#[derive(Debug)]
pub enum Ran {
    /// The command ended by itself; when it failed, what it said on stderr, on one line.
    Exited { status: ExitStatus, said: String },
    /// It was still running at its timeout, and its process group was killed.
    TimedOut,
    /// It could not be started.
    NotStarted(std::io::Error),
    /// Waiting for it failed.
    Lost(std::io::Error),
}

/// Runs `command` with `input` on its stdin (none: stdin is /dev/null), stdout discarded, in a
/// process group of its own that is killed whole at `timeout`, or when this future is dropped
/// before the command ended (the process leaving).
pub async fn run(mut command: tokio::process::Command, input: Option<&[u8]>, timeout: Duration) -> Ran {
    command
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return Ran::NotStarted(e),
    };
    // Armed until the command has ended by itself.
    let mut group = Group(child.id().and_then(|pid| i32::try_from(pid).ok()));
    let stdin = child.stdin.take();
    let stderr = child.stderr.take().map(|stderr| {
        tokio::spawn(async move {
            let mut kept = Vec::new();
            let _ = stderr.take(STDERR_KEPT).read_to_end(&mut kept).await;
            kept
        })
    });
    let ran = tokio::time::timeout(timeout, async {
        if let (Some(mut stdin), Some(input)) = (stdin, input) {
            // A command that does not read its stdin is no failure of ours.
            let _ = stdin.write_all(input).await;
        }
        child.wait().await
    })
    .await;
    let status = match ran {
        // Success needs no words, and is not held up by a child still holding stderr.
        Ok(Ok(status)) if status.success() => {
            group.disarm();
            return Ran::Exited { status, said: String::new() };
        }
        Ok(Ok(status)) => {
            group.disarm();
            status
        }
        Ok(Err(e)) => return Ran::Lost(e),
        Err(_) => {
            drop(group);
            let _ = child.wait().await;
            return Ran::TimedOut;
        }
    };
    let said = match stderr {
        Some(task) => tokio::time::timeout(STDERR_GRACE, task).await.ok().and_then(Result::ok),
        None => None,
    };
    let said = said.map(|bytes| crate::text::one_line(&String::from_utf8_lossy(&bytes))).unwrap_or_default();
    Ran::Exited { status, said }
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

/// An exit status in words: `exit status 1`, `killed by signal 9`.
pub fn described(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => status.to_string(),
    }
}
