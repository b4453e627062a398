//! A CoT flood into a running console: `cargo bench --bench flood [-- --rate N] [-- --seconds S]
//! [-- --keys N] [-- --binary PATH]`.
//!
//! A console on a copy of the demo desk runs in tmux with a `cot-udp` feed; 50,000 events a
//! second (5,000 tracks in turn, each event a small move) arrive over loopback for 60 s while
//! `4` and `5` are pressed by turns and timed to the screen. Then: how many datagrams the
//! kernel dropped for the whole host (`RcvbufErrors` in /proc/net/snmp), how many the console
//! counted and journaled as lost, how long the count took to show, and how many records the
//! load made (coalescing keeps a track's jitter out of the journal). Needs tmux.

#[path = "../tests/latency_support/mod.rs"]
mod latency_support;

use latency_support::{Console, CotLoad, ms, percentile};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let rate: u64 = arg("--rate").map_or(50_000, |n| n.parse().unwrap());
    let seconds: u64 = arg("--seconds").map_or(60, |n| n.parse().unwrap());
    let keys: usize = arg("--keys").map_or(100, |n| n.parse().unwrap());
    let binary = arg("--binary").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_attache")), PathBuf::from);
    println!("binary {}, {rate} CoT datagrams/s for {seconds} s, {keys} keys", binary.display());

    let console = Console::start("bench-flood", &binary, true);
    let kernel_before = rcvbuf_errors();
    let load = CotLoad::start(console.cot.unwrap(), rate, 5_000);
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut first_shown = None;
    while started.elapsed() < Duration::from_secs(seconds) {
        latencies.extend(console.key_latencies(2, latencies.len() as u64));
        if first_shown.is_none()
            && rcvbuf_errors() > kernel_before
            && console.tmux.screen().contains("PARTIAL")
        {
            first_shown = Some(started.elapsed());
        }
        if latencies.len() >= keys {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let sent = load.sent.load(std::sync::atomic::Ordering::Relaxed);
    drop(load);
    std::thread::sleep(Duration::from_secs(1));
    let kernel_dropped = rcvbuf_errors() - kernel_before;
    let journal: String = std::fs::read_dir(&console.journal)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let counted = journal
        .lines()
        .filter_map(|l| {
            l.split_once(" lost since listening began")?.0.rsplit_once("; ")?.1.parse::<u64>().ok()
        })
        .max()
        .unwrap_or(0);
    let load_records = journal.lines().filter(|l| l.contains("LOAD-")).count();
    println!(
        "sent {sent} in {:.1} s ({:.0}/s); kernel dropped {kernel_dropped} (host-wide RcvbufErrors); \
         journaled as lost {counted}",
        started.elapsed().as_secs_f64(),
        sent as f64 / started.elapsed().as_secs_f64()
    );
    match first_shown {
        Some(t) => println!("loss first on screen (PARTIAL) {:.1} s into the flood", t.as_secs_f64()),
        None => println!("no loss shown on screen"),
    }
    println!(
        "journaled {load_records} records of load tracks ({:.2} a datagram sent)",
        load_records as f64 / sent as f64
    );
    println!(
        "under the flood: key to screen p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} keys)",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
        ms(percentile(&latencies, 100.0)),
        latencies.len()
    );
}

/// The host's count of UDP datagrams dropped for a full receive buffer.
fn rcvbuf_errors() -> u64 {
    let snmp = std::fs::read_to_string("/proc/net/snmp").unwrap();
    let mut udp = snmp.lines().filter(|l| l.starts_with("Udp:"));
    let (names, values) = (udp.next().unwrap(), udp.next().unwrap());
    let at = names.split_whitespace().position(|n| n == "RcvbufErrors").unwrap();
    values.split_whitespace().nth(at).unwrap().parse().unwrap()
}
