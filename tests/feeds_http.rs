//! Polling over HTTP against real servers on 127.0.0.1 that behave well and badly. Every bad
//! server gives the feed a clear error, bounded in time and memory.

mod common;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use attache::config::{FeedConfig, FeedKind, FeedSource, HeaderValue, Secret};
use attache::feeds::http::{FetchError, Fetched, Fetcher, PER_HOST, Request, Validators};
use attache::feeds::{PollResult, Poller};
use common::{Reply, serve};

const QUAKES: &[u8] = include_bytes!("fixtures/usgs/usgs-4.5_day-2024-02-06-13features.geojson");

fn feed(url: String) -> FeedConfig {
    FeedConfig {
        every: Duration::from_secs(60),
        timeout: Duration::from_secs(5),
        max_bytes: 1 << 20,
        ..FeedConfig::new("quakes", FeedKind::UsgsGeojson, FeedSource::Url(url))
    }
}

async fn fetch(url: &str, timeout: Duration, max_bytes: u64) -> Result<Fetched, FetchError> {
    let validators = Validators::default();
    Fetcher::new()
        .fetch(&Request {
            url,
            timeout,
            max_bytes,
            headers: &[],
            validators: &validators,
            ca_file: None,
            linked_from: None,
        })
        .await
}

fn failure(result: &PollResult) -> &str {
    match result {
        PollResult::Failed(e) => e,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn conditional_requests_turn_an_unchanged_feed_into_a_304() {
    let server = serve(|seen| match seen.header("if-none-match") {
        Some("\"v1\"") => Reply::status("304 Not Modified"),
        _ => Reply::ok(QUAKES)
            .with_header("etag", "\"v1\"")
            .with_header("last-modified", "Tue, 06 Feb 2024 12:39:07 GMT"),
    })
    .await;
    let fetcher = Fetcher::new();
    let mut poller = Poller::new(feed(server.url("/4.5_day.geojson")));
    match poller.poll(&fetcher).await.result {
        PollResult::Fetched(parsed) => assert_eq!(parsed.items.len(), 13),
        other => panic!("{other:?}"),
    }
    assert!(matches!(poller.poll(&fetcher).await.result, PollResult::NotModified));
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].header("user-agent").unwrap().starts_with("attache/"), "{seen:?}");
    assert_eq!(seen[1].header("if-modified-since"), Some("Tue, 06 Feb 2024 12:39:07 GMT"));
    assert!(seen[1].header("accept-encoding").unwrap().contains("gzip"));
}

#[tokio::test]
async fn server_errors_and_retry_after_are_reported_and_honoured() {
    let server = serve(|seen| match seen.path.as_str() {
        "/busy" => Reply::status("429 Too Many Requests").with_header("retry-after", "120"),
        "/down" => Reply::status("503 Service Unavailable").with_header("retry-after", "7"),
        _ => Reply::status("500 Internal Server Error"),
    })
    .await;
    let fetcher = Fetcher::new();
    let mut busy = Poller::new(feed(server.url("/busy")));
    let outcome = busy.poll(&fetcher).await;
    assert_eq!(failure(&outcome.result), "HTTP 429 (server asks to retry after 120s)");
    assert!(busy.next_wait() >= Duration::from_secs(120), "Retry-After is honoured");
    let mut down = Poller::new(feed(server.url("/down")));
    assert!(failure(&down.poll(&fetcher).await.result).starts_with("HTTP 503"));
    let mut broken = Poller::new(feed(server.url("/x")));
    assert_eq!(failure(&broken.poll(&fetcher).await.result), "HTTP 500");
    broken.poll(&fetcher).await;
    assert_eq!(broken.failures(), 2);
    assert!(broken.next_wait() >= Duration::from_secs(90), "backs off: {:?}", broken.next_wait());
}

#[tokio::test]
async fn a_redirect_loop_fails_fast() {
    let server = serve(|seen| {
        let next = if seen.path == "/a" { "/b" } else { "/a" };
        Reply::status("302 Found").with_header("location", next)
    })
    .await;
    let error = fetch(&server.url("/a"), Duration::from_secs(5), 1 << 20).await.unwrap_err();
    assert_eq!(error, FetchError::Redirects);
    assert!(server.seen.lock().unwrap().len() <= 7);
}

#[tokio::test]
async fn oversized_bodies_are_refused_while_reading() {
    let server = serve(|seen| match seen.path.as_str() {
        "/declared" => Reply::ok(vec![b'x'; 50 << 20]),
        _ => Reply::Endless,
    })
    .await;
    for path in ["/declared", "/endless"] {
        let started = Instant::now();
        let error = fetch(&server.url(path), Duration::from_secs(20), 16 << 20).await.unwrap_err();
        assert_eq!(error, FetchError::TooLarge(16 << 20), "{path}");
        assert!(started.elapsed() < Duration::from_secs(10), "{path} stopped early");
    }
}

#[tokio::test]
async fn a_gzip_bomb_stops_at_the_cap() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..200 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 1 << 20, "200 MiB of zeros compress below 1 MiB");
    let server = serve(move |_| Reply::ok(bomb.clone()).with_header("content-encoding", "gzip")).await;
    let error = fetch(&server.url("/bomb"), Duration::from_secs(20), 16 << 20).await.unwrap_err();
    assert_eq!(error, FetchError::TooLarge(16 << 20));
}

#[tokio::test]
async fn a_server_that_sends_one_byte_a_second_times_out() {
    let server = serve(|_| Reply::Trickle { body: QUAKES.to_vec(), every: Duration::from_secs(1) }).await;
    let started = Instant::now();
    let error = fetch(&server.url("/slow"), Duration::from_millis(1500), 1 << 20).await.unwrap_err();
    assert_eq!(error, FetchError::Timeout(Duration::from_millis(1500)));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn connection_refused_says_so() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let error =
        fetch(&format!("http://127.0.0.1:{port}/"), Duration::from_secs(5), 1 << 20).await.unwrap_err();
    match error {
        FetchError::Connect(why) => assert!(why.to_lowercase().contains("refused"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn bad_documents_fail_the_feed_with_the_position() {
    let server = serve(|seen| match seen.path.as_str() {
        "/empty" => Reply::ok(""),
        "/html" => Reply::ok("<!DOCTYPE html><html><body>Maintenance</body></html>"),
        "/truncated" => Reply::ok(&QUAKES[..QUAKES.len() / 2]),
        "/latin1" => Reply::ok(b"{\"type\":\"FeatureCollection\",\"features\":[{\"id\":\"\xff\"}]}".to_vec()),
        _ => Reply::ok(
            "{\"type\":\"FeatureCollection\",\"features\":[{\"id\":\"a\",\"properties\":{\"mag\":\"big\"}}]}",
        ),
    })
    .await;
    let fetcher = Fetcher::new();
    for (path, expect) in [
        ("/empty", "empty document"),
        ("/html", "line 1 column 1"),
        ("/truncated", "EOF while parsing"),
        ("/latin1", "invalid unicode"),
    ] {
        let mut poller = Poller::new(feed(server.url(path)));
        let outcome = poller.poll(&fetcher).await;
        let error = failure(&outcome.result);
        assert!(error.starts_with("parse error") && error.contains(expect), "{path}: {error}");
    }
    // A wrong type inside one entry costs only that entry.
    let mut poller = Poller::new(feed(server.url("/wrong-type")));
    match poller.poll(&fetcher).await.result {
        PollResult::Fetched(parsed) => assert_eq!((parsed.items.len(), parsed.skipped.len()), (0, 1)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn tokens_are_sent_but_never_shown() {
    let server = serve(|seen| match seen.header("authorization") {
        Some("Bearer s3cret-token") => Reply::status("500 Internal Server Error"),
        _ => Reply::status("401 Unauthorized"),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret-token\n").unwrap();
    let mut config = feed(server.url("/secure"));
    config.headers = vec![(
        "Authorization".into(),
        HeaderValue::Secret { secret: Secret::File(token), prefix: "Bearer " },
    )];
    let mut poller = Poller::new(config);
    let outcome = poller.poll(&Fetcher::new()).await;
    let error = failure(&outcome.result);
    assert_eq!(error, "HTTP 500", "the token reached the server");
    assert!(!format!("{outcome:?}").contains("s3cret"));

    let mut missing = feed(server.url("/secure"));
    missing.headers = vec![(
        "X-Api-Key".into(),
        HeaderValue::Secret { secret: Secret::Env("ATTACHE_TEST_UNSET_TOKEN".into()), prefix: "" },
    )];
    let outcome = Poller::new(missing).poll(&Fetcher::new()).await;
    assert_eq!(failure(&outcome.result), "environment variable ATTACHE_TEST_UNSET_TOKEN is not set");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_to_one_host_are_capped() {
    let server = serve(|_| Reply::Delayed(Duration::from_millis(200), Box::new(Reply::ok("{}")))).await;
    let fetcher = Arc::new(Fetcher::new());
    let tasks: Vec<_> = (0..12)
        .map(|n| {
            let (fetcher, url) = (fetcher.clone(), server.url(&format!("/{n}")));
            tokio::spawn(async move {
                let validators = Validators::default();
                let request = Request {
                    url: &url,
                    timeout: Duration::from_secs(20),
                    max_bytes: 1024,
                    headers: &[],
                    validators: &validators,
                    ca_file: None,
                    linked_from: None,
                };
                fetcher.fetch(&request).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let peak = server.peak.load(Ordering::SeqCst);
    assert_eq!(peak, PER_HOST, "the server saw {peak} requests at once");
}
