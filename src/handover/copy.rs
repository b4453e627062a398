//! Copying the sheet and its signature off the host with the desk's `[handover] copy` command,
//! run without a shell, `{files}` replaced by the files, killed when it outlasts `TIMEOUT`.

use std::path::PathBuf;
use std::time::Duration;

/// How long the copy may take: an `scp` to a host that does not answer must not hold the
/// handover for ever.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `command` with `files` in place of `{files}`: Ok when it exits 0, else why not.
pub fn run(command: &[String], files: &[PathBuf], timeout: Duration) -> Result<(), String> {
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
    runtime.block_on(async {
        let child = tokio::process::Command::new(program)
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        match tokio::time::timeout(timeout, child.wait_with_output()).await {
            Err(_) => Err(format!(
                "{program} did not finish within {}; killed",
                humantime::format_duration(timeout)
            )),
            Ok(Err(e)) => Err(format!("{program} failed: {e}")),
            Ok(Ok(out)) if out.status.success() => Ok(()),
            Ok(Ok(out)) => {
                let said = crate::text::one_line(&String::from_utf8_lossy(&out.stderr));
                Err(format!(
                    "{program} {}{}",
                    out.status,
                    if said.is_empty() { String::new() } else { format!(": {said}") }
                ))
            }
        }
    })
}
