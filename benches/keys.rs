//! Key to changed screen in a real terminal: `cargo bench --bench keys [-- --keys N] [-- --binary PATH]`.
//!
//! A console on a copy of the demo desk runs in tmux (120x40); `4` and `5` are pressed by turns
//! and each is timed from `send-keys` until `capture-pane` shows the focus marker on that pane.
//! Twice: idle (the demo feeds only), then while 1,000 Cursor-on-Target events a second arrive
//! on a `cot-udp` feed (1,000 tracks in turn, every event a small move, coalesced to one record per track per 5 s). `--binary`
//! measures another build of attache (an older one, for a before/after). Needs tmux.

#[path = "../tests/latency_support/mod.rs"]
mod latency_support;

use latency_support::{Console, CotLoad, ms, percentile};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const LOAD_PER_SECOND: u64 = 1_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let keys: usize = arg("--keys").map_or(100, |n| n.parse().unwrap());
    let binary = arg("--binary").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_attache")), PathBuf::from);
    println!("binary {}, {keys} keys a run", binary.display());

    let idle = Console::start("bench-idle", &binary, false);
    println!("capture-pane takes {:.1} ms here (the resolution)", ms(idle.capture_cost()));
    report("idle", &idle.key_latencies(keys, 1));
    drop(idle);

    let loaded = Console::start("bench-cot", &binary, true);
    let load = CotLoad::start(loaded.cot.unwrap(), LOAD_PER_SECOND, 1_000);
    let load_started = Instant::now();
    // Let the tracks arrive and the load settle before measuring.
    std::thread::sleep(Duration::from_secs(3));
    let started = Instant::now();
    let sent_before = load.sent.load(std::sync::atomic::Ordering::Relaxed);
    let latencies = loaded.key_latencies(keys, 2);
    let sent = load.sent.load(std::sync::atomic::Ordering::Relaxed) - sent_before;
    report(&format!("{:.0} CoT events/s", sent as f64 / started.elapsed().as_secs_f64()), &latencies);
    drop(load);
    let loaded_for = load_started.elapsed();
    let journaled = std::fs::read_dir(&loaded.journal)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap().matches("LOAD-").count())
        .sum::<usize>();
    println!(
        "journaled {journaled} records of load tracks in {:.0} s: {:.0} a second",
        loaded_for.as_secs_f64(),
        journaled as f64 / loaded_for.as_secs_f64()
    );
}

fn report(what: &str, latencies: &[Duration]) {
    println!(
        "{what}: key to screen p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} keys)",
        ms(percentile(latencies, 50.0)),
        ms(percentile(latencies, 90.0)),
        ms(percentile(latencies, 99.0)),
        ms(percentile(latencies, 100.0)),
        latencies.len()
    );
}
