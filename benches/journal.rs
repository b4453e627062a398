//! Journal benchmarks, with the figures the journal issue sets targets for:
//! `cargo bench --bench journal` (or `-- --events N` for another size; `--dir D` to keep the
//! journal). It writes a 1,000,000-event journal through the real writer and measures:
//! append throughput with group commit, an operator action's time to durability (idle and
//! under bulk load), opening the journal (time and resident memory, in a fresh process),
//! seeking to a time, and `verify` against `wc -l` over the same files.
//! Plain `std::time` measurements: the figures are large enough that a harness adds nothing.

use attache::domain::{FeedItem, Location, Severity, Traffic};
use attache::event::Event;
use attache::journal::{self, Follower, Writer};
use chrono::{DateTime, Duration, Utc};
use std::path::{Path, PathBuf};
use std::time::Instant;

const OPEN_CHILD: &str = "ATTACHE_BENCH_OPEN";

fn item(n: u64, ts: DateTime<Utc>) -> Event {
    let places =
        ["Mindanao, Philippines", "Pristina, Kosovo", "Bangui, Central African Republic", "Honshu, Japan"];
    let place = places[(n % 4) as usize];
    Event::ItemSeen {
        item: FeedItem {
            feed: "usgs-quakes".into(),
            id: format!("us7000{n:08}"),
            title: format!("M{}.{} - 42 km SSE of {place}", 4 + n % 3, n % 10),
            summary: Some(format!("Earthquake {} km from {place}; no damage reported", n % 80)),
            link: Some(format!("https://earthquake.usgs.gov/earthquakes/eventpage/us7000{n:08}")),
            published: Some(ts),
            updated: Some(ts),
            severity: Severity::Moderate,
            severity_raw: Some(format!("{}.{}", 4 + n % 3, n % 10)),
            category: Some("earthquake".into()),
            magnitude: Some(4.0 + (n % 30) as f64 / 10.0),
            location: Some(Location::Point { lat: 7.1 + (n % 100) as f64 / 100.0, lon: 125.6 }),
            expires: Some(ts + Duration::hours(6)),
            traffic: Traffic::Real,
        },
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0)
}

/// In a fresh process: open the journal as the console does (writer, then a follower placed at
/// the last hour's records, read) and report time and peak resident memory.
fn open_child(dir: &Path) {
    let before = rss_kib("VmHWM:");
    let started = Instant::now();
    let writer = Writer::open(dir).expect("open");
    let now = Follower::at_end(dir).expect("seek to end");
    let last = now.last_seq().unwrap_or(0);
    let mut window = Follower::from_seq(dir, last.saturating_sub(999).max(1)).expect("seek");
    let (records, _) = window.poll().expect("read the last 1,000 records");
    let elapsed = started.elapsed();
    drop(writer);
    println!("{:.2} {} {} {}", elapsed.as_secs_f64() * 1e3, rss_kib("VmHWM:"), before, records.len());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(dir) = std::env::var_os(OPEN_CHILD) {
        open_child(Path::new(&dir));
        return;
    }
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let events: u64 = flag("--events").and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let tmp = tempfile::tempdir_in(std::env::var_os("TMPDIR").unwrap_or_else(|| "/tmp".into())).unwrap();
    let dir: PathBuf = flag("--dir").map_or_else(|| tmp.path().join("journal"), PathBuf::from);
    let _ = std::fs::remove_dir_all(&dir);
    println!("journal benchmarks: {events} events in {}", dir.display());
    println!("machine: {} cores", std::thread::available_parallelism().map_or(1, |n| n.get()));

    // 1. Append throughput with group commit, in batches of 64 (a feed poll's burst).
    let start: DateTime<Utc> = Utc::now() - Duration::days(30);
    let step = Duration::days(30).num_microseconds().unwrap() / events as i64;
    let mut writer = Writer::open(&dir).unwrap();
    let began = Instant::now();
    let mut n = 0;
    while n < events {
        let ts = start + Duration::microseconds(step * n as i64);
        let batch: Vec<Event> = (n..(n + 64).min(events)).map(|i| item(i, ts)).collect();
        n += batch.len() as u64;
        writer.append_batch("feed:usgs-quakes", ts, batch).unwrap();
    }
    writer.sync().unwrap();
    let secs = began.elapsed().as_secs_f64();
    let bytes: u64 = journal::segment::list(&dir)
        .unwrap()
        .iter()
        .map(|&s| std::fs::metadata(journal::segment::segment_path(&dir, s)).unwrap().len())
        .sum();
    println!(
        "append (group commit, batches of 64): {events} events, {:.0} MB, {secs:.2} s, {:.0} events/s",
        bytes as f64 / 1e6,
        events as f64 / secs
    );

    // The same with one event per call, as a console writes feed events one poll at a time.
    let single = tmp.path().join("single");
    let mut w = Writer::open(&single).unwrap();
    let began = Instant::now();
    for i in 0..100_000 {
        w.append_batch("feed:usgs-quakes", start, vec![item(i, start)]).unwrap();
    }
    w.sync().unwrap();
    let secs = began.elapsed().as_secs_f64();
    println!("append (group commit, 1 event per call): 100000 events, {:.0} events/s", 1e5 / secs);
    drop(w);

    // 2. An operator action's time to durability: idle, then with a bulk writer appending.
    let mut op = Writer::open(&single).unwrap();
    let lat = |op: &mut Writer| {
        let mut samples = Vec::with_capacity(300);
        for i in 0..300 {
            let t = Instant::now();
            op.append(
                "reyes",
                Utc::now(),
                vec![Event::Note {
                    operator: "reyes".into(),
                    text: format!("ack {i}"),
                    mission: None,
                    alert: None,
                    contact: None,
                }],
            )
            .unwrap();
            samples.push(t.elapsed().as_secs_f64() * 1e3);
        }
        samples.sort_by(f64::total_cmp);
        samples
    };
    let idle = lat(&mut op);
    // A bulk writer in the same process (its own writer, so it competes for the lock like
    // another console would): at a heavy feed burst's rate, then as fast as it can.
    let under_load = |op: &mut Writer, rate: Option<f64>| {
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            let bulk = s.spawn(|| {
                let mut w = Writer::open(&single).unwrap();
                let began = Instant::now();
                let mut k = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let batch: Vec<Event> = (k..k + 64).map(|i| item(i, Utc::now())).collect();
                    w.append_batch("feed:usgs-quakes", Utc::now(), batch).unwrap();
                    k += 64;
                    if let Some(rate) = rate {
                        let due = std::time::Duration::from_secs_f64(k as f64 / rate);
                        std::thread::sleep(due.saturating_sub(began.elapsed()));
                    }
                }
                k as f64 / began.elapsed().as_secs_f64()
            });
            let samples = lat(op);
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            (samples, bulk.join().unwrap())
        })
    };
    let burst = under_load(&mut op, Some(20_000.0));
    let flat_out = under_load(&mut op, None);
    let cases = [
        ("idle".to_string(), &idle),
        (format!("bulk writer at {:.0} events/s", burst.1), &burst.0),
        (format!("bulk writer flat out, {:.0} events/s", flat_out.1), &flat_out.0),
    ];
    for (name, s) in cases {
        println!(
            "operator action durable ({name}): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            percentile(s, 0.5),
            percentile(s, 0.99),
            s[s.len() - 1]
        );
    }
    drop(op);

    // 3. Open, in a fresh process: time and peak resident memory.
    let exe = std::env::current_exe().unwrap();
    let mut opens = Vec::new();
    let mut rss = 0;
    for _ in 0..5 {
        let out = std::process::Command::new(&exe).env(OPEN_CHILD, &dir).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let fields: Vec<&str> = text.split_whitespace().collect();
        opens.push(fields[0].parse::<f64>().unwrap());
        rss = rss.max(fields[1].parse::<u64>().unwrap());
    }
    opens.sort_by(f64::total_cmp);
    println!(
        "open {events}-event journal + read the last 1,000 records: median {:.2} ms, max {:.2} ms, peak RSS {:.1} MiB",
        percentile(&opens, 0.5),
        opens[opens.len() - 1],
        rss as f64 / 1024.0
    );

    // 4. Seek to a time: 1,000 times spread over the span, each a fresh follower + first record.
    let mut seeks = Vec::new();
    for i in 0..1000u64 {
        let t = start + Duration::microseconds(step * ((i * 7919) % events) as i64 + 1);
        let began = Instant::now();
        let f = Follower::from_time(&dir, t).unwrap();
        let _ = f.position();
        seeks.push(began.elapsed().as_secs_f64() * 1e3);
    }
    seeks.sort_by(f64::total_cmp);
    println!(
        "seek to a time: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        percentile(&seeks, 0.5),
        percentile(&seeks, 0.99),
        seeks[seeks.len() - 1]
    );

    // What a console pays today to fold the whole journal from scratch (checked and parsed, in
    // bounded batches as the console reads it): the reason a first frame within 150 ms needs a
    // state snapshot rather than a faster journal.
    let began = Instant::now();
    let mut all = Follower::new(&dir);
    let mut read = 0;
    loop {
        let (records, problems) = all.poll_up_to(10_000).unwrap();
        assert!(problems.is_empty());
        read += records.len();
        if records.len() < 10_000 {
            break;
        }
    }
    println!(
        "read and parse every record (as the console's first fold does): {read} records, {:.2} s",
        began.elapsed().as_secs_f64()
    );

    // 5. verify against wc -l over the same files (page cache warm for both).
    let files: Vec<PathBuf> = journal::segment::list(&dir)
        .unwrap()
        .iter()
        .map(|&s| journal::segment::segment_path(&dir, s))
        .collect();
    let wc = || {
        let began = Instant::now();
        let out = std::process::Command::new("wc").arg("-l").args(&files).output().unwrap();
        assert!(out.status.success());
        began.elapsed().as_secs_f64()
    };
    wc();
    let wc_best = (0..3).map(|_| wc()).fold(f64::MAX, f64::min);
    let mut verify_best = f64::MAX;
    for _ in 0..3 {
        let began = Instant::now();
        let report = journal::verify::verify(&dir).unwrap();
        assert!(report.intact());
        verify_best = verify_best.min(began.elapsed().as_secs_f64());
    }
    println!(
        "verify: {verify_best:.3} s; wc -l: {wc_best:.3} s; ratio {:.1}x ({:.0} MB)",
        verify_best / wc_best,
        bytes as f64 / 1e6
    );
}
