//! End to end, in a real terminal: `b` in the console asks where the briefing starts, writes it
//! into the briefs directory and notes it in the journal; a period it cannot read is refused
//! with the prompt kept.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> std::process::Output {
    Command::new("tmux").args(args).output().expect("tmux runs")
}

fn pane(session: &str) -> String {
    String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-J", "-t", session]).stdout).into_owned()
}

/// Polls the pane until it shows `text` or `limit` passes: a terminal offers no signal to wait on.
fn wait_for(session: &str, text: &str, limit: Duration) -> Result<(), String> {
    let started = Instant::now();
    loop {
        let shown = pane(session);
        if shown.contains(text) {
            return Ok(());
        }
        if started.elapsed() > limit {
            return Err(shown);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn keys(session: &str, keys: &[&str]) {
    let mut args = vec!["send-keys", "-t", session];
    args.extend_from_slice(keys);
    let out = tmux(&args);
    assert!(out.status.success(), "send-keys {keys:?}: {}", String::from_utf8_lossy(&out.stderr));
}

struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = tmux(&["kill-session", "-t", &self.0]);
    }
}

#[test]
fn b_writes_a_briefing_of_the_period_typed_and_notes_it() {
    assert!(
        Command::new("tmux").arg("-V").output().is_ok(),
        "tmux is not installed: this end-to-end check needs a real terminal (apt-get install tmux)"
    );
    let desk = tempfile::tempdir().unwrap();
    let journal = desk.path().join("journal");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml");
    let session = Session(format!("attache-brief-{}", std::process::id()));
    let console = format!(
        "{} --config {} --journal {}",
        env!("CARGO_BIN_EXE_attache"),
        config.display(),
        journal.display()
    );
    let started = tmux(&["new-session", "-d", "-s", &session.0, "-x", "160", "-y", "40", &console]);
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
    wait_for(&session.0, "journal #", Duration::from_secs(20)).expect("the console never showed its journal");

    keys(&session.0, &["b"]);
    wait_for(&session.0, "Briefing since", Duration::from_secs(5)).expect("no prompt for the period");
    keys(&session.0, &["-l", "since lunch"]);
    keys(&session.0, &["Enter"]);
    let refused = "no briefing written: `since lunch` is not a time";
    wait_for(&session.0, refused, Duration::from_secs(5)).expect("a period it cannot read is refused");
    assert!(pane(&session.0).contains("Briefing since"), "the prompt stays to be mended");
    assert!(!desk.path().join("briefs").exists(), "nothing written");

    keys(&session.0, &["C-u"]);
    keys(&session.0, &["-l", "--", "-2h"]);
    keys(&session.0, &["Enter"]);
    let shown = wait_for(&session.0, "briefing written to", Duration::from_secs(20));
    shown.unwrap_or_else(|pane| panic!("no briefing written:\n{pane}"));

    let written: Vec<_> =
        std::fs::read_dir(desk.path().join("briefs")).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let text = std::fs::read_to_string(&written[0]).unwrap();
    assert!(text.starts_with("# SITREP: "), "{text}");
    // The note names the period: it starts two hours before it was written (give or take the
    // minute the keys and the note may fall either side of).
    let segment = std::fs::read_to_string(journal.join("00000001.jsonl")).unwrap();
    let note = segment.lines().find(|l| l.contains("briefing written: ")).expect("the briefing is noted");
    let record: serde_json::Value = serde_json::from_str(note).unwrap();
    let ts: chrono::DateTime<chrono::Utc> = record["ts"].as_str().unwrap().parse().unwrap();
    let said = record["text"].as_str().unwrap();
    let from = |ago: i64| (ts - chrono::Duration::minutes(ago)).format("period %Y-%m-%d %H:%MZ").to_string();
    assert!(
        said.contains(&from(120)) || said.contains(&from(121)),
        "the period starts at {}: {said}",
        from(120)
    );
}
