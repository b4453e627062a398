//! The console's first frame on a long journal: `cargo bench --bench startup [-- --journal DIR]`.
//!
//! Uses a journal made by `cargo run --release --example gen-journal -- --events 1000000
//! --days 30 --seed 7 --journal DIR --until 2026-11-25T00:00:00Z` (made on first run if DIR
//! does not exist; default /tmp/attache-bench-1m). Measures, each in a fresh child process so
//! resident memory is the process's own:
//! - a cold start: fold every record from the beginning, then draw the first frame;
//! - a start from a checkpoint taken 1,000 records before the end (as a console leaves one on
//!   exit), folding only the records after it, then drawing the first frame.
//!
//! The work timed is what `runtime::run` does before its first draw, without the terminal.

use std::path::{Path, PathBuf};
use std::time::Instant;

use attache::config::Config;
use attache::console::App;
use attache::journal::Follower;
use attache::state::DeskState;
use ratatui::{Terminal, backend::TestBackend};

const CHILD: &str = "ATTACHE_BENCH_STARTUP";

fn main() {
    let mut args = std::env::args().skip_while(|a| a != "--journal");
    let dir = args.nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/tmp/attache-bench-1m"));
    if let Ok(mode) = std::env::var(CHILD) {
        child(&dir, &mode);
        return;
    }
    if !dir.exists() {
        generate(&dir);
    }
    prepare_checkpoint(&dir);
    for mode in ["cold", "checkpoint"] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--journal", dir.to_str().unwrap()])
            .env(CHILD, mode)
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
    }
}

fn generate(dir: &Path) {
    eprintln!("writing a 1,000,000-event journal to {} (once)", dir.display());
    let status = std::process::Command::new(env!("CARGO"))
        .args(["run", "--release", "--example", "gen-journal", "--", "--events", "1000000", "--days", "30"])
        .args(["--seed", "7", "--until", "2026-11-25T00:00:00Z", "--journal"])
        .arg(dir)
        .status()
        .unwrap();
    assert!(status.success());
}

/// A checkpoint 1,000 records before the end, the newest, as a console leaves on exit.
fn prepare_checkpoint(dir: &Path) {
    let mut state = DeskState::default();
    let mut follower = Follower::new(dir);
    let last = {
        let mut count = Follower::new(dir);
        let mut last = 0;
        count
            .poll_lines(|raw, _| {
                last = raw.seq;
                true
            })
            .unwrap();
        last
    };
    loop {
        let (records, _) = follower.poll_up_to(10_000).unwrap();
        let done = records.is_empty();
        for record in records.iter().filter(|r| r.seq <= last - 1000) {
            state.apply(record);
        }
        if done || state.last_seq() >= last - 1000 {
            break;
        }
    }
    // Newer ones (say from `journal checkpoint`) would be used instead: not what is measured.
    for entry in std::fs::read_dir(dir.join(attache::checkpoint::DIR)).into_iter().flatten().flatten() {
        let seq = entry.file_name().to_str().and_then(|n| n.split('.').next()?.parse::<u64>().ok());
        if seq.is_some_and(|seq| seq > state.last_seq()) {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let started = Instant::now();
    let path = attache::checkpoint::save(dir, &state).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "checkpoint at record {} of {last}: {:.1} MB, written in {:.0} ms",
        state.last_seq(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64() * 1e3
    );
}

fn child(dir: &Path, mode: &str) {
    let started = Instant::now();
    let config = Config::load(Path::new("config/attache.toml")).unwrap();
    let (mut state, mut follower) = match mode {
        "cold" => (DeskState::default(), Follower::new(dir)),
        _ => attache::checkpoint::resume(dir),
    };
    let resumed_at = state.last_seq();
    let mut app = App::new(config, "bench".into(), chrono::Utc::now());
    loop {
        let (records, _) = follower.poll_up_to(10_000).unwrap();
        if records.is_empty() {
            break;
        }
        state.fold_all(records);
    }
    app.resume(state);
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal
        .draw(|frame| attache::ui::render(frame, &app, &attache::ui::theme::Theme { color: true }))
        .unwrap();
    let elapsed = started.elapsed();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    println!(
        "first frame, {mode} start (resumed at record {resumed_at}, folded to {}): {:.0} ms, peak resident memory {} MiB",
        app.state().last_seq(),
        elapsed.as_secs_f64() * 1e3,
        peak.parse::<u64>().unwrap() / 1024
    );
}
