//! Cursor-on-Target listeners on real sockets on 127.0.0.1: datagrams to a UDP port, and a TCP
//! stream from a server that sends events back to back, drops the connection mid-event, and is
//! reconnected to.

use std::time::Duration;

use attache::config::{FeedConfig, FeedKind, FeedSource};
use attache::feeds::{PollOutcome, PollResult, listen};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;

/// A real ATAK position report with its times moved to now, so it is live when it arrives.
fn live_event(uid: &str) -> Vec<u8> {
    let now = chrono::Utc::now();
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><event version="2.0" uid="{uid}" type="a-f-G-U-C" how="m-g" time="{t}" start="{t}" stale="{s}"><point lat="14.5995" lon="120.9842" hae="10" ce="9.9" le="9999999"/><detail><contact callsign="JENNY"/><remarks>on station</remarks></detail></event>"#,
        t = stamp(now),
        s = stamp(now + chrono::Duration::minutes(5)),
    )
    .into_bytes()
}

fn feed(kind: FeedKind, source: FeedSource) -> FeedConfig {
    FeedConfig { timeout: Duration::from_secs(5), ..FeedConfig::new("tak", kind, source) }
}

/// The next outcome that carries items, or fails.
async fn next_items(rx: &mut mpsc::Receiver<PollOutcome>) -> PollOutcome {
    loop {
        let outcome = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("an outcome")
            .expect("open");
        match &outcome.result {
            PollResult::Fetched(parsed) if parsed.items.is_empty() && parsed.skipped.is_empty() => continue,
            _ => return outcome,
        }
    }
}

#[tokio::test]
async fn udp_datagrams_become_items() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen_on = format!("127.0.0.1:{port}").parse().unwrap();
    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(listen::listen(
        feed(FeedKind::CotUdp, FeedSource::Udp { listen: listen_on, group: None }),
        tx,
    ));
    // The listener says it is up before any traffic.
    let first = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.unwrap().unwrap();
    assert!(matches!(first.result, PollResult::Fetched(_)), "{first:?}");

    let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sender.send_to(&live_event("ANDROID-1"), listen_on).await.unwrap();
    sender.send_to(b"<event><not cot", listen_on).await.unwrap();
    sender.send_to(&live_event("ANDROID-2"), listen_on).await.unwrap();
    let mut uids = Vec::new();
    let mut skipped = Vec::new();
    while uids.len() < 2 {
        let PollResult::Fetched(parsed) = next_items(&mut rx).await.result else {
            panic!("udp never fails here")
        };
        uids.extend(parsed.items.into_iter().map(|i| i.id));
        skipped.extend(parsed.skipped);
    }
    uids.sort();
    assert_eq!(uids, ["ANDROID-1", "ANDROID-2"]);
    assert!(
        skipped.iter().any(|s| s.contains("127.0.0.1")),
        "the bad datagram is reported with its sender: {skipped:?}"
    );
}

#[tokio::test]
async fn a_tcp_stream_is_framed_and_reconnected_after_a_drop() {
    let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = server.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        // First connection: two events in one write, then half of a third, then a hang-up.
        let (mut first, _) = server.accept().await.unwrap();
        let mut bytes = live_event("TRACK-1");
        bytes.extend(live_event("TRACK-2"));
        let third = live_event("TRACK-3");
        bytes.extend(&third[..third.len() / 2]);
        first.write_all(&bytes).await.unwrap();
        drop(first);
        // Second connection: one event, split across writes.
        let (mut second, _) = server.accept().await.unwrap();
        let event = live_event("TRACK-4");
        second.write_all(&event[..40]).await.unwrap();
        second.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        second.write_all(&event[40..]).await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(listen::listen(feed(FeedKind::CotTcp, FeedSource::Tcp(address.clone())), tx));

    let PollResult::Fetched(parsed) = next_items(&mut rx).await.result else { panic!("first batch") };
    let uids: Vec<_> = parsed.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(uids, ["TRACK-1", "TRACK-2"]);
    let dropped = next_items(&mut rx).await;
    let PollResult::Failed(why) = dropped.result else { panic!("{dropped:?}") };
    assert!(why.contains("closed the connection") && why.contains("unfinished event"), "{why}");
    let PollResult::Fetched(parsed) = next_items(&mut rx).await.result else { panic!("after reconnecting") };
    assert_eq!(parsed.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["TRACK-4"]);
}

#[tokio::test]
async fn an_unreachable_tcp_source_says_so() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(listen::listen(feed(FeedKind::CotTcp, FeedSource::Tcp(format!("127.0.0.1:{port}"))), tx));
    let outcome = next_items(&mut rx).await;
    let PollResult::Failed(why) = outcome.result else { panic!("{outcome:?}") };
    assert!(why.starts_with(&format!("cannot connect to tcp://127.0.0.1:{port}")), "{why}");
}

fn udp_feed(listen_on: std::net::SocketAddr, cot: attache::feeds::spec::CotOptions) -> FeedConfig {
    FeedConfig { cot, ..feed(FeedKind::CotUdp, FeedSource::Udp { listen: listen_on, group: None }) }
}

fn free_udp() -> std::net::SocketAddr {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

/// How many datagrams an outcome says the kernel dropped.
fn lost(parsed: &attache::feeds::Parsed) -> u64 {
    parsed.skipped.iter().filter_map(|s| s.split_once(" datagrams lost: ")?.0.parse::<u64>().ok()).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_datagram_the_kernel_drops_is_counted() {
    let listen_on = free_udp();
    let (tx, mut rx) = mpsc::channel(64);
    // The smallest buffer the kernel grants, and nothing coalesced: each event is one item.
    let cot = attache::feeds::spec::CotOptions {
        min_interval: Duration::ZERO,
        min_distance_m: 0.0,
        receive_buffer: 1,
    };
    tokio::spawn(listen::listen(udp_feed(listen_on, cot), tx));
    let first = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.unwrap().unwrap();
    assert!(matches!(first.result, PollResult::Fetched(_)), "{first:?}");

    const SENT: u64 = 20_000;
    let events: Vec<Vec<u8>> = (0..SENT).map(|n| live_event(&format!("LOAD-{n}"))).collect();
    std::thread::spawn(move || {
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        for event in &events {
            sender.send_to(event, listen_on).unwrap();
        }
    });
    let (mut items, mut dropped) = (0u64, 0u64);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while items + dropped < SENT {
        let outcome = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("{items} received and {dropped} counted lost of {SENT} sent"))
            .unwrap();
        let PollResult::Fetched(parsed) = outcome.result else { panic!("udp never fails here") };
        items += parsed.items.len() as u64;
        dropped += lost(&parsed);
    }
    assert_eq!(items + dropped, SENT, "{items} received, {dropped} lost");
    assert!(dropped > 0, "a buffer of a few datagrams overflows under {SENT} sent back to back");
}

#[tokio::test]
async fn a_tracks_reports_within_the_interval_are_one_and_a_far_move_goes_through() {
    let listen_on = free_udp();
    let (tx, mut rx) = mpsc::channel(64);
    tokio::spawn(listen::listen(udp_feed(listen_on, Default::default()), tx));
    let first = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.unwrap().unwrap();
    assert!(matches!(first.result, PollResult::Fetched(_)), "{first:?}");

    let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    for _ in 0..100 {
        sender.send_to(&live_event("ANDROID-1"), listen_on).await.unwrap();
    }
    let moved =
        String::from_utf8(live_event("ANDROID-1")).unwrap().replace("lat=\"14.5995\"", "lat=\"14.6100\"");
    sender.send_to(moved.as_bytes(), listen_on).await.unwrap();
    let mut lats = Vec::new();
    let quiet = Duration::from_secs(2);
    while let Ok(Some(outcome)) = tokio::time::timeout(quiet, rx.recv()).await {
        let PollResult::Fetched(parsed) = outcome.result else { panic!("udp never fails here") };
        lats.extend(parsed.items.iter().map(|i| match i.location {
            Some(attache::domain::Location::Point { lat, .. }) => lat,
            ref other => panic!("{other:?}"),
        }));
    }
    assert_eq!(lats, [14.5995, 14.61], "one report of the hundred, then the 1.2 km move");
}

/// A marker seen over UDP and then deleted by its sender (ATAK's `t-x-d-d`): the desk journals
/// the marker's withdrawal, cancelled, at once rather than when it would have gone stale.
#[tokio::test]
async fn a_deleted_marker_is_withdrawn_at_once() {
    use attache::desk::{Desk, Host, InMemory, Input};
    use attache::event::{Event, WithdrawReason};

    let listen_on = free_udp();
    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(listen::listen(
        feed(FeedKind::CotUdp, FeedSource::Udp { listen: listen_on, group: None }),
        tx,
    ));
    tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.unwrap().unwrap();
    let config = attache::config::Config::load(std::path::Path::new("config/attache.toml")).unwrap();
    let (mut desk, mut record) = (Desk::new(), InMemory::new(config));

    let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sender.send_to(&live_event("ANDROID-7.marker-1"), listen_on).await.unwrap();
    desk.handle(&mut record, Input::Polled(next_items(&mut rx).await), chrono::Utc::now());
    assert_eq!(record.state().items().len(), 1);

    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
    let delete = format!(
        r#"<event version="2.0" uid="delete-1" type="t-x-d-d" how="m-g" time="{now}" start="{now}" stale="{now}"><detail><link uid="ANDROID-7.marker-1" relation="none" type="none"/><__forcedelete/></detail><point lat="0" lon="0" hae="0" ce="9999999" le="9999999"/></event>"#
    );
    sender.send_to(delete.as_bytes(), listen_on).await.unwrap();
    let withdrawn = loop {
        let outcome = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.unwrap().unwrap();
        let handled = desk.handle(&mut record, Input::Polled(outcome), chrono::Utc::now());
        if let Some(event) = handled.events.into_iter().find(|e| matches!(e, Event::ItemWithdrawn { .. })) {
            break event;
        }
    };
    let Event::ItemWithdrawn { id, reason, .. } = withdrawn else { unreachable!() };
    assert_eq!((id.as_str(), reason), ("ANDROID-7.marker-1", WithdrawReason::Cancelled));
    assert!(record.state().items().is_empty(), "nothing stays on the desk's picture");
}
