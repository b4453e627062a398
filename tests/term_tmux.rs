//! The terminal itself, end to end in tmux: a console whose output goes into a pipe refuses
//! cleanly, and keys show on the screen promptly, idle and under a Cursor-on-Target load.

mod latency_support;

use std::path::Path;
use std::time::{Duration, Instant};

use latency_support::{Console, CotLoad, Tmux, WAIT, ms, percentile};

/// Waits for the shell to write the exit status into `file`.
fn exit_status(tmux: &Tmux, file: &Path) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(text) = std::fs::read_to_string(file)
            && text.ends_with('\n')
        {
            return text.trim().to_string();
        }
        assert!(Instant::now() < deadline, "attache did not exit:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn replay_into_a_pipe_refuses_in_one_sentence_and_draws_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(["--config", "config/attache.toml", "--journal"])
        .arg(&journal)
        .args(["note", "something to replay"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let exit_file = tmp.path().join("exit");
    // stdin is the terminal; stdout is a pipe into `od`, which shows every byte that reaches it.
    // The shell stays, so that the screen can be read (the server is killed when the test ends).
    let command = format!(
        "{} --config config/attache.toml --journal {} replay --from -2h | od -c; echo \"${{PIPESTATUS[0]}}\" > {}; sleep 60",
        env!("CARGO_BIN_EXE_attache"),
        journal.display(),
        exit_file.display()
    );
    let tmux = Tmux::new("replay-pipe", "pipe");
    tmux.start(100, 30, &format!("bash -c '{}'", command.replace('\'', r"'\''")));
    assert_eq!(exit_status(&tmux, &exit_file), "2", "exit status; screen:\n{}", tmux.screen());
    let screen = tmux.wait_for("the refusal", |s| s.contains("attache: replay needs a terminal"));
    assert!(screen.contains("stdout is not one"), "{screen}");
    assert!(!screen.contains("033"), "escape sequences went into the pipe:\n{screen}");
    assert!(!screen.contains("panicked"), "{screen}");
}

/// Keys pressed one at a time, a varied pause apart, show within a frame or so. A key that waits
/// for the loop's next wake-up for another reason (the 250 ms follow tick, a feed's batch) puts
/// the median near 100 ms or past it; a debug build on a busy machine stays near 20 ms.
const MEDIAN_BOUND: Duration = Duration::from_millis(60);

#[test]
fn keys_show_at_once_when_idle() {
    let console = Console::start("keys-idle", Path::new(env!("CARGO_BIN_EXE_attache")), false);
    let latencies = console.key_latencies(20, 7);
    let median = percentile(&latencies, 50.0);
    let shown: Vec<String> = latencies.iter().map(|d| format!("{:.0}", ms(*d))).collect();
    eprintln!("key to screen, ms: {shown:?}");
    assert!(median < MEDIAN_BOUND, "median {:.0} ms; each key, ms: {shown:?}", ms(median));
}

/// The same while a TAK feed delivers 1,000 events a second (each track's first journaled, its
/// small moves coalesced): keys are answered before the feed's work.
#[test]
fn keys_show_promptly_under_a_cursor_on_target_load() {
    let console = Console::start("keys-cot", Path::new(env!("CARGO_BIN_EXE_attache")), true);
    let _load = CotLoad::start(console.cot.unwrap(), 1_000, 1_000);
    console.tmux.wait_for("the load's tracks in the Event log", |s| s.contains("Load "));
    let latencies = console.key_latencies(20, 8);
    let median = percentile(&latencies, 50.0);
    let shown: Vec<String> = latencies.iter().map(|d| format!("{:.0}", ms(*d))).collect();
    eprintln!("key to screen, ms: {shown:?}");
    assert!(median < MEDIAN_BOUND, "median {:.0} ms; each key, ms: {shown:?}", ms(median));
}
