//! End to end in a real terminal: `attache replay` on a fixture journal in a detached tmux
//! session. The banner shows, `]` jumps to the first alert (its time shows), `g` goes to a typed
//! time, `q` exits 0, and the journal's files are byte-identical before and after. `End`
//! pressed while the background reader is still reading a long journal is carried out once it
//! has read to the end.

mod replay_support;
mod tmux_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tmux_support::{Tmux, WAIT};

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn replay_in_tmux_jumps_to_an_alert_goes_to_a_time_and_leaves_the_journal_as_it_was() {
    assert!(
        Command::new("tmux").arg("-V").output().is_ok(),
        "tmux is not installed: this end-to-end check needs a real terminal (apt-get install tmux)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    replay_support::write_script(&journal, |_, _| {});
    let before = files(&journal);
    let alert = replay_support::script().into_iter().find(|r| r.event.kind() == "alert.raised").unwrap();

    let exit_file = tmp.path().join("exit");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml");
    let command = format!(
        "{} --config {} --journal {} replay; echo $? > {}",
        env!("CARGO_BIN_EXE_attache"),
        config.display(),
        journal.display(),
        exit_file.display()
    );
    let tmux = Tmux::new("replay", "replay");
    let started = tmux.run(&["new-session", "-d", "-s", "replay", "-x", "120", "-y", "40", &command]);
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
    tmux.run(&["set-option", "-t", "replay", "remain-on-exit", "on"]);

    tmux.wait_for("the REPLAY banner at the journal's start", |s| {
        s.lines().next().is_some_and(|top| top.contains("REPLAY │ 2026-11-25 00:00:00Z"))
            && s.contains("Missions")
    });
    tmux.keys(&["]"]);
    let when = alert.ts.format("%Y-%m-%d %H:%M:%SZ").to_string();
    tmux.wait_for("the first alert's time", |s| s.contains(&format!("alert #{} at {when}", alert.seq)));
    tmux.keys(&["g"]);
    tmux.wait_for("the go-to prompt", |s| s.contains("go to (RFC 3339, 14:05, -2h):"));
    tmux.keys(&["00:41", "Enter"]);
    tmux.wait_for("the replay at 00:41", |s| {
        s.contains("REPLAY │ 2026-11-25 00:41:00Z") && s.contains("#14")
    });
    tmux.keys(&["q"]);
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&exit_file)
            && text.ends_with('\n')
        {
            break text.trim().to_string();
        }
        assert!(Instant::now() < deadline, "replay did not exit:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status, "0");
    assert!(files(&journal) == before, "the replay changed the journal's files");
}

/// Records enough that a debug build's reader takes several seconds over them.
const LONG_WATCH: u64 = 60_000;

#[test]
fn end_pressed_while_the_reader_reads_reaches_the_last_record_without_a_second_press() {
    assert!(
        Command::new("tmux").arg("-V").output().is_ok(),
        "tmux is not installed: this end-to-end check needs a real terminal (apt-get install tmux)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    let last = replay_support::write_long_watch(&journal, LONG_WATCH);
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml");
    let command = format!(
        "{} --config {} --journal {} replay",
        env!("CARGO_BIN_EXE_attache"),
        config.display(),
        journal.display(),
    );
    let tmux = Tmux::new("replay-end", "replay");
    tmux.start(140, 40, &command);
    tmux.wait_for("the first frame, the reader just started", |s| {
        s.lines().next().is_some_and(|top| top.contains("REPLAY │ 2026-11-24 00:00:00Z"))
            && s.contains("│ reading ")
    });
    tmux.keys(&["End"]);
    let total = format!("{},{:03}", last / 1000, last % 1000);
    let waiting = tmux.wait_for("the banner saying the replay goes to the end once read", |s| {
        s.lines().next().is_some_and(|top| {
            top.contains("going to the end: reading ") && top.contains(&format!(" of {total} records"))
        })
    });
    assert!(!waiting.lines().next().unwrap().contains(&format!("#{last} ")), "{waiting}");
    // The screen stays live meanwhile: the reader's count moves on in the banner.
    let first_count = waiting.lines().next().unwrap().to_string();
    tmux.wait_for("the reader's count moving on", |s| s.lines().next().is_some_and(|top| top != first_count));
    tmux.wait_for_long("the replay at the last record", Duration::from_secs(120), |s| {
        s.lines().next().is_some_and(|top| {
            top.contains("REPLAY │ 2026-11-24 09:59:00Z") && top.contains(&format!("#{last} "))
        })
    });
    let screen = tmux.screen();
    assert!(!screen.lines().next().unwrap().contains("going to"), "{screen}");
    tmux.keys(&["q"]);
}
