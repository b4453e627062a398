//! Copying the sheet and its signature off the host with the desk's `[handover] copy` command,
//! run without a shell, `{files}` replaced by the files, killed with whatever it started (scp's
//! ssh) when it outlasts `TIMEOUT`.

use std::path::PathBuf;
use std::time::Duration;

use crate::process::Ran;

/// How long the copy may take: an `scp` to a host that does not answer must not hold the
/// handover for ever.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `command` with `files` in place of `{files}`: Ok when it exits 0, else why not.
/// `withheld`: a variable of this process the command must not see (the desk's NATS
/// credentials, when `[sync]` takes them from the environment).
pub fn run(
    command: &[String],
    files: &[PathBuf],
    timeout: Duration,
    withheld: Option<&str>,
) -> Result<(), String> {
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    for arg in command.iter().skip(1) {
        match arg.as_str() {
            crate::config::HANDOVER_FILES => args.extend(files.iter().map(|f| f.as_os_str().to_owned())),
            _ => args.push(arg.into()),
        }
    }
    let program = command.first().ok_or("no copy command")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the copy: {e}"))?;
    let mut child = tokio::process::Command::new(program);
    child.args(&args);
    if let Some(name) = withheld {
        child.env_remove(name);
    }
    match runtime.block_on(crate::process::run(child, None, timeout)) {
        Ran::Exited { status, .. } if status.success() => Ok(()),
        Ran::Exited { status, said } => Err(format!(
            "{program} {status}{}",
            if said.is_empty() { String::new() } else { format!(": {said}") }
        )),
        Ran::TimedOut => Err(format!(
            "{program} did not finish within {}; killed with the processes it started",
            humantime::format_duration(timeout)
        )),
        Ran::NotStarted(e) => Err(format!("cannot run {program}: {e}")),
        Ran::Lost(e) => Err(format!("{program} failed: {e}")),
    }
}
