//! Feed benchmarks, for the figures the feeds issue sets targets for: `cargo bench --bench feeds`.
//!
//! 1. Parsing a USGS feed of 10,000 features with attache's parser, against serde_json alone
//!    into owned structs of the same fields (the floor for any JSON parser of this feed).
//! 2. Parsing a 1,000-item RSS feed with attache's parser, against feed-rs alone.
//! 3. 200 feeds polled from a server on 127.0.0.1 that answers 304 to conditional requests,
//!    for a simulated hour (each feed polled 360 times, as at a 10 s interval, but faster):
//!    CPU time per poll, scaled to what 200 feeds at 10 s cost, and resident memory before and
//!    after. The server runs in a child process so its work is not counted.
//!
//! The documents are real ones from tests/fixtures, repeated with fresh ids to the sizes above.

use std::hint::black_box;
use std::time::{Duration, Instant};

use attache::config::{FeedConfig, FeedKind, FeedSource};
use attache::feeds::http::Fetcher;
use attache::feeds::{self, Poller};
use serde::Deserialize;

const SERVER_CHILD: &str = "ATTACHE_BENCH_FEED_SERVER";
const FEEDS: usize = 200;
const POLLS_PER_FEED: usize = 360;

fn main() {
    if let Ok(port) = std::env::var(SERVER_CHILD) {
        serve_304s(port.parse().unwrap());
        return;
    }
    // `cargo bench --bench feeds -- usgs` (or rss, polling) runs one part.
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |part: &str| only.as_deref().is_none_or(|o| o == part);
    if wanted("usgs") {
        usgs_10k();
    }
    if wanted("rss") {
        rss_1k();
    }
    if wanted("polling") {
        polling_hour();
    }
}

/// CPU time this thread has run, from the scheduler: unlike wall time, it does not count the
/// time spent waiting for a core, so figures stay comparable on a busy 2-core machine.
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    Duration::from_nanos(stat.split_whitespace().next().unwrap().parse().unwrap())
}

/// CPU time per run of `f`: the scheduler's accounting is coarse (a few ms here), so each
/// figure is the average over `runs` runs, and the least of five such figures is kept.
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..5)
        .map(|_| {
            let started = thread_cpu();
            for _ in 0..runs {
                black_box(f());
            }
            (thread_cpu() - started) / runs as u32
        })
        .min()
        .unwrap()
}

#[allow(dead_code)] // fields are read by serde: parsing them is what is measured
#[derive(Deserialize)]
struct OwnedCollection {
    features: Vec<OwnedFeature>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct OwnedFeature {
    id: Option<String>,
    properties: OwnedProperties,
    geometry: Option<OwnedGeometry>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct OwnedProperties {
    mag: Option<f64>,
    place: Option<String>,
    time: Option<i64>,
    updated: Option<i64>,
    url: Option<String>,
    alert: Option<String>,
    tsunami: Option<i64>,
    sig: Option<i64>,
    status: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    title: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct OwnedGeometry {
    coordinates: Vec<f64>,
}

fn usgs_10k() {
    let week: serde_json::Value = serde_json::from_slice(include_bytes!(
        "../tests/fixtures/usgs/usgs-2.5_week-2023-07-03-300features.geojson"
    ))
    .unwrap();
    let features = week["features"].as_array().unwrap();
    let mut many = Vec::with_capacity(10_000);
    for n in 0..10_000 {
        let mut feature = features[n % features.len()].clone();
        feature["id"] = format!("bench{n:05}").into();
        many.push(feature);
    }
    let body =
        serde_json::to_vec(&serde_json::json!({"type": "FeatureCollection", "features": many})).unwrap();
    let now = chrono::Utc::now();
    let ours =
        best_of(20, || feeds::parse(FeedKind::UsgsGeojson, "bench", None, &body, now).unwrap().items.len());
    let floor = best_of(20, || serde_json::from_slice::<OwnedCollection>(&body).unwrap().features.len());
    println!(
        "usgs 10,000 features ({:.1} MB): attache {:.1} ms, serde_json alone {:.1} ms, ratio {:.2}",
        body.len() as f64 / 1e6,
        ours.as_secs_f64() * 1e3,
        floor.as_secs_f64() * 1e3,
        ours.as_secs_f64() / floor.as_secs_f64()
    );
}

fn rss_1k() {
    let text =
        std::str::from_utf8(include_bytes!("../tests/fixtures/rss/un-news-europe-rss20-2022.xml")).unwrap();
    let start = text.find("<item>").unwrap();
    let end = text.rfind("</item>").unwrap() + "</item>".len();
    let items: Vec<&str> = text[start..end].split_inclusive("</item>").map(str::trim).collect();
    let mut body = String::from(&text[..start]);
    for n in 0..1000 {
        let item = items[n % items.len()];
        body.push_str(&item.replace("</guid>", &format!("?bench={n}</guid>")));
    }
    body.push_str(&text[end..]);
    let now = chrono::Utc::now();
    let ours =
        best_of(20, || feeds::parse(FeedKind::Rss, "bench", None, body.as_bytes(), now).unwrap().items.len());
    let parsed = feeds::parse(FeedKind::Rss, "bench", None, body.as_bytes(), now).unwrap();
    assert_eq!(parsed.items.len(), 1000, "every item read");
    let floor = best_of(20, || feed_rs::parser::parse(body.as_bytes()).unwrap().entries.len());
    println!(
        "rss 1,000 items ({:.1} MB): attache {:.1} ms, feed-rs alone {:.1} ms, ratio {:.2}",
        body.len() as f64 / 1e6,
        ours.as_secs_f64() * 1e3,
        floor.as_secs_f64() * 1e3,
        ours.as_secs_f64() / floor.as_secs_f64()
    );
}

/// CPU time this process has used (user + system), from /proc.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn polling_hour() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = std::process::Command::new(std::env::current_exe().unwrap())
        .env(SERVER_CHILD, port.to_string())
        .spawn()
        .unwrap();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(10));
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (cpu, rss_before, rss_after, wall, not_modified) = runtime.block_on(async {
        let fetcher = Fetcher::new();
        let mut pollers: Vec<Poller> = (0..FEEDS)
            .map(|n| {
                let url = FeedSource::Url(format!("http://127.0.0.1:{port}/feed/{n}"));
                Poller::new(FeedConfig {
                    every: Duration::from_secs(10),
                    ..FeedConfig::new(&format!("feed{n}"), FeedKind::UsgsGeojson, url)
                })
            })
            .collect();
        let state = attache::state::DeskState::default();
        // One poll each first, to warm connections and caches; then the measured hour.
        for poller in &mut pollers {
            poller.poll(&fetcher).await;
        }
        let (cpu_start, rss_before, started) = (cpu_time(), rss_kib(), Instant::now());
        let mut not_modified = 0;
        for _ in 0..POLLS_PER_FEED {
            let outcomes = futures_util::future::join_all(pollers.iter_mut().map(|p| p.poll(&fetcher))).await;
            for outcome in outcomes {
                not_modified += usize::from(matches!(outcome.result, feeds::PollResult::NotModified));
                let missing = feeds::Missing::Withdraw;
                black_box(feeds::outcome_events(&state, outcome, false, missing, chrono::Utc::now()));
            }
        }
        (cpu_time() - cpu_start, rss_before, rss_kib(), started.elapsed(), not_modified)
    });
    let _ = server.kill();
    let _ = server.wait();
    let polls = (FEEDS * POLLS_PER_FEED) as f64;
    let per_poll = cpu.as_secs_f64() / polls;
    // 200 feeds at a 10 s interval make 20 polls a second.
    let share = per_poll * (FEEDS as f64 / 10.0) * 100.0;
    println!(
        "200 feeds x 360 polls ({not_modified} of {polls} answered 304) in {:.1} s: {:.0} us CPU per poll, \
         {share:.2}% of one core at a 10 s interval; resident memory {} KiB before, {} KiB after",
        wall.as_secs_f64(),
        per_poll * 1e6,
        rss_before,
        rss_after
    );
}

/// The child: answers every feed with a small document and an ETag, and 304 when the client
/// already has it.
fn serve_304s(port: u16) {
    use axum::http::{HeaderMap, StatusCode, header};
    use axum::response::IntoResponse;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        let app = axum::Router::new().route(
            "/feed/{n}",
            axum::routing::get(|headers: HeaderMap| async move {
                if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == "\"v1\"") {
                    return (StatusCode::NOT_MODIFIED, [(header::ETAG, "\"v1\"")]).into_response();
                }
                let body = r#"{"type":"FeatureCollection","features":[]}"#;
                (StatusCode::OK, [(header::ETAG, "\"v1\"")], body).into_response()
            }),
        );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        axum::serve(listener, app).await.unwrap();
    });
}
