//! End to end, in a real terminal: a console running in tmux shows a note written by another
//! process (`attache note`) within one second. The console looks at the journal every 250 ms;
//! the status bar shows the last seq it has folded.

mod journal_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> std::process::Output {
    Command::new("tmux").args(args).output().expect("tmux runs")
}

/// The status bar's `journal #N`, if the pane shows one.
fn shown_seq(session: &str) -> Option<u64> {
    let pane = String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", session]).stdout).into_owned();
    let at = pane.find("journal #")? + "journal #".len();
    pane[at..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// Polls the pane until `wanted` holds or `limit` passes: a terminal offers no signal to wait on.
fn wait_for(session: &str, limit: Duration, wanted: impl Fn(u64) -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if shown_seq(session).is_some_and(&wanted) {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = tmux(&["kill-session", "-t", &self.0]);
    }
}

#[test]
fn a_console_in_tmux_shows_a_note_from_another_process_within_a_second() {
    assert!(
        Command::new("tmux").arg("-V").output().is_ok(),
        "tmux is not installed: this end-to-end check needs a real terminal (apt-get install tmux)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml");
    let session = Session(format!("attache-journal-{}", std::process::id()));
    let console = format!(
        "{} --config {} --journal {}",
        env!("CARGO_BIN_EXE_attache"),
        config.display(),
        journal.display()
    );
    let started = tmux(&["new-session", "-d", "-s", &session.0, "-x", "160", "-y", "40", &console]);
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
    // The console journals its session start and configuration before anything else.
    assert!(
        wait_for(&session.0, Duration::from_secs(20), |seq| seq >= 2).is_some(),
        "the console never showed its journal"
    );

    let out = journal_support::attache()
        .arg("--config")
        .arg(&config)
        .arg("--journal")
        .arg(&journal)
        .args(["note", "Called DATT Tokyo"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let seq: u64 =
        stdout.split('#').nth(1).and_then(|s| s.split_whitespace().next()).unwrap().parse().unwrap();
    let took = wait_for(&session.0, Duration::from_secs(1), |shown| shown >= seq);
    assert!(took.is_some(), "the console did not show note #{seq} within a second");
    eprintln!("the console showed note #{seq} after {:?}", took.unwrap());
}
