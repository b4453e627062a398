//! Desks over JetStream, measured: `cargo bench --bench sync [-- --records N] [-- --rate N]
//! [-- --seconds S]`. Needs `nats-server`.
//!
//! 1. Catch-up: two desks with `attache sync run` and the server down; 100,000 shared records are
//!    written at one desk (its backlog after an outage); the server starts. Timed: from the server
//!    listening to the other desk holding every record as a `remote` record (the reconnect pause,
//!    at most 4 s, included), and the rate once the records flow.
//! 2. Latency: with the link up, one desk appends a shared record every millisecond for 10 s;
//!    for each, the time from its append (its own `ts`) to the other desk's journal holding it
//!    (what a console there folds as soon as the journal changes): median, p99, max.

#[path = "../tests/sync_support/mod.rs"]
mod sync_support;

use std::time::{Duration, Instant};

use attache::event::Event;
use attache::journal::{Follower, Writer};
use sync_support::{Desk, NatsServer};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let records: usize = arg("--records").map_or(100_000, |n| n.parse().unwrap());
    let rate: u64 = arg("--rate").map_or(1_000, |n| n.parse().unwrap());
    let seconds: u64 = arg("--seconds").map_or(10, |n| n.parse().unwrap());
    catch_up(records);
    halves(records);
    latency(rate, seconds);
}

fn note(n: usize) -> Event {
    Event::Note {
        operator: "reyes".into(),
        text: format!("note {n} from manila"),
        mission: None,
        alert: None,
        contact: None,
    }
}

/// Counts the `remote` records appended to a journal, following it.
struct Counter {
    follower: Follower,
    count: usize,
}

impl Counter {
    fn new(desk: &Desk) -> Self {
        Counter { follower: Follower::new(&desk.journal), count: 0 }
    }

    /// Reads what is new; calls `each` with each remote record's origin line.
    fn poll(&mut self, mut each: impl FnMut(&[u8])) -> usize {
        let count = &mut self.count;
        self.follower
            .poll_lines(|raw, _| {
                if attache::journal::format::kind_of(raw.bytes) == Some("remote") {
                    *count += 1;
                    each(raw.bytes);
                }
                true
            })
            .unwrap();
        *count
    }
}

fn catch_up(records: usize) {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = NatsServer::start(&tmp.path().join("nats"));
    let url = server.url();
    server.kill();
    let mut manila = Desk::plain(tmp.path(), "manila", &["pristina"], std::slice::from_ref(&url));
    let mut pristina = Desk::plain(tmp.path(), "pristina", &["manila"], &[url]);
    manila.start_sync();
    pristina.start_sync();
    let mut writer = Writer::open(&manila.journal).unwrap();
    let written = Instant::now();
    for chunk in (0..records).collect::<Vec<_>>().chunks(1_000) {
        writer.append_batch("reyes", chrono::Utc::now(), chunk.iter().map(|&n| note(n)).collect()).unwrap();
    }
    writer.sync().unwrap();
    println!(
        "catch-up: {records} shared records written at manila with the server down ({:.1} s)",
        written.elapsed().as_secs_f64()
    );
    std::thread::sleep(Duration::from_secs(2));
    server.restart();
    let back = Instant::now();
    let mut counter = Counter::new(&pristina);
    let mut first = None;
    while counter.poll(|_| {}) < records {
        if first.is_none() && counter.count > 0 {
            first = Some(back.elapsed());
        }
        assert!(back.elapsed() < Duration::from_secs(300), "catch-up stalled at {}", counter.count);
        std::thread::sleep(Duration::from_millis(5));
    }
    let all = back.elapsed();
    let first = first.unwrap_or(all);
    let flowing = all.saturating_sub(first).as_secs_f64().max(1e-3);
    println!(
        "catch-up: in sync {:.2} s after the server came back (first record after {:.2} s: the reconnect pause); {:.0} records/s once flowing",
        all.as_secs_f64(),
        first.as_secs_f64(),
        records as f64 / flowing
    );
}

/// The two halves of catch-up apart: publishing the backlog with no one receiving, then
/// receiving it all with nothing left to publish.
fn halves(records: usize) {
    let tmp = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&tmp.path().join("nats"));
    let mut manila = Desk::plain(tmp.path(), "manila", &["pristina"], &[server.url()]);
    let mut pristina = Desk::plain(tmp.path(), "pristina", &["manila"], &[server.url()]);
    let mut writer = Writer::open(&manila.journal).unwrap();
    for chunk in (0..records).collect::<Vec<_>>().chunks(1_000) {
        writer.append_batch("reyes", chrono::Utc::now(), chunk.iter().map(|&n| note(n)).collect()).unwrap();
    }
    writer.sync().unwrap();
    let started = Instant::now();
    manila.start_sync();
    loop {
        let out = manila.attache().args(["sync", "status", "--format", "json"]).output().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if json["backlog"] == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let published = started.elapsed();
    let started = Instant::now();
    pristina.start_sync();
    let mut counter = Counter::new(&pristina);
    while counter.poll(|_| {}) < records {
        std::thread::sleep(Duration::from_millis(5));
    }
    let received = started.elapsed();
    println!(
        "halves: published {records} in {:.2} s ({:.0}/s, process start included); received them in {:.2} s ({:.0}/s, process start included)",
        published.as_secs_f64(),
        records as f64 / published.as_secs_f64(),
        received.as_secs_f64(),
        records as f64 / received.as_secs_f64()
    );
}

fn latency(rate: u64, seconds: u64) {
    let tmp = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&tmp.path().join("nats"));
    let mut manila = Desk::plain(tmp.path(), "manila", &["pristina"], &[server.url()]);
    let mut pristina = Desk::plain(tmp.path(), "pristina", &["manila"], &[server.url()]);
    manila.start_sync();
    pristina.start_sync();
    std::thread::sleep(Duration::from_secs(2));
    let total = (rate * seconds) as usize;
    let watcher = {
        let pristina_journal = pristina.journal.clone();
        std::thread::spawn(move || {
            let mut follower = Follower::new(&pristina_journal);
            let mut latencies = Vec::with_capacity(total);
            let started = Instant::now();
            while latencies.len() < total && started.elapsed() < Duration::from_secs(seconds + 60) {
                follower
                    .poll_lines(|raw, _| {
                        if let Some(Ok(envelope)) = attache::sync::local::envelope(raw.bytes) {
                            let origin =
                                attache::journal::format::ts_micros_of(envelope.record.as_bytes()).unwrap();
                            let now = chrono::Utc::now().timestamp_micros();
                            latencies.push(Duration::from_micros((now - origin).max(0) as u64));
                        }
                        true
                    })
                    .unwrap();
                std::thread::sleep(Duration::from_micros(500));
            }
            latencies
        })
    };
    let mut writer = Writer::open(&manila.journal).unwrap();
    let every = Duration::from_secs(1) / rate as u32;
    let start = Instant::now();
    for n in 0..total {
        let due = start + every * n as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        writer.append_batch("reyes", chrono::Utc::now(), vec![note(n)]).unwrap();
    }
    writer.sync().unwrap();
    let latencies = watcher.join().unwrap();
    assert_eq!(latencies.len(), total, "every record arrived");
    let pct = |p: f64| {
        let mut sorted = latencies.clone();
        sorted.sort();
        let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
        sorted[rank.min(sorted.len()) - 1].as_secs_f64() * 1e3
    };
    println!(
        "latency: {total} records at {rate}/s, append at manila to held at pristina: median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(50.0),
        pct(99.0),
        pct(100.0)
    );
}
