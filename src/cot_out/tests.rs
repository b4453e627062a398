//! The publisher against a real UDP socket on 127.0.0.1: what it sends for an alert's life, and
//! what it does not send again.

use chrono::{DateTime, Duration, Utc};
use tokio::net::UdpSocket;

use super::{CotOutConfig, Publisher, REFRESH, STALE_AFTER, Target};
use crate::domain::{FeedItem, Location, Severity, Traffic};
use crate::event::{Event, Record};
use crate::state::DeskState;

fn now() -> DateTime<Utc> {
    "2026-12-07T01:05:30Z".parse().unwrap()
}

fn item(id: &str, location: Option<Location>) -> FeedItem {
    FeedItem {
        feed: "tak-in".into(),
        id: id.into(),
        title: id.into(),
        summary: None,
        link: None,
        published: Some(now()),
        updated: None,
        severity: Severity::Severe,
        severity_raw: None,
        category: None,
        magnitude: None,
        location,
        expires: None,
        traffic: Traffic::Real,
    }
}

struct Desk {
    state: DeskState,
    seq: u64,
}

impl Desk {
    fn fold(&mut self, event: Event) {
        self.seq += 1;
        let record = Record { seq: self.seq, ts: now(), by: "attache".into(), event };
        self.state.fold(record);
    }

    fn raise(&mut self, id: &str, location: Option<Location>) {
        self.fold(Event::ItemSeen { item: item(id, location) });
        self.fold(Event::AlertRaised {
            alert: id.into(),
            rule: "hostile".into(),
            feed: "tak-in".into(),
            item: id.into(),
            severity: Severity::Severe,
            title: format!("Track {id}"),
            missions: vec![],
            traffic: Traffic::Real,
        });
    }
}

async fn publisher() -> (Publisher, UdpSocket) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let address = socket.local_addr().unwrap();
    let config =
        CotOutConfig { url: format!("udp://{address}"), target: Target::Udp(address), missions: false };
    (Publisher::start(&[config], "Manila").unwrap(), socket)
}

/// The events that arrive within a short while.
async fn received(socket: &UdpSocket) -> Vec<String> {
    let mut events = Vec::new();
    let mut buf = vec![0u8; 65_536];
    while let Ok(Ok(n)) =
        tokio::time::timeout(std::time::Duration::from_millis(300), socket.recv(&mut buf)).await
    {
        events.push(String::from_utf8(buf[..n].to_vec()).unwrap());
    }
    events
}

#[tokio::test]
async fn an_alert_is_sent_when_it_changes_and_when_due_and_ended_once() {
    let (mut publisher, socket) = publisher().await;
    let mut desk = Desk { state: DeskState::default(), seq: 0 };
    desk.raise("T1", Some(Location::Point { lat: 14.5, lon: 120.9 }));
    publisher.tick(&desk.state, &[], now());
    let first = received(&socket).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(
        first[0].contains("uid=\"attache.manila.alert.T1\"") && first[0].contains("OPEN"),
        "{}",
        first[0]
    );

    publisher.tick(&desk.state, &[], now() + Duration::seconds(5));
    assert_eq!(received(&socket).await, Vec::<String>::new(), "nothing changed: nothing sent");
    // Past the minute in which an unchanged journal is not even looked at.
    publisher.tick(&desk.state, &[], now() + Duration::seconds(61));
    assert_eq!(received(&socket).await, Vec::<String>::new(), "nothing changed nor due: nothing sent");

    desk.fold(Event::AlertAcknowledged { alert: "T1".into(), operator: "reyes".into(), note: None });
    publisher.tick(&desk.state, &[], now() + Duration::seconds(62));
    let acked = received(&socket).await;
    assert!(acked.len() == 1 && acked[0].contains("severe alert, ACK"), "{acked:?}");

    publisher.tick(&desk.state, &[], now() + Duration::seconds(62) + REFRESH);
    assert_eq!(received(&socket).await.len(), 1, "sent again before it goes stale");

    desk.fold(Event::ItemWithdrawn {
        feed: "tak-in".into(),
        id: "T1".into(),
        reason: crate::event::WithdrawReason::Stale,
    });
    desk.fold(Event::AlertResolved { alert: "T1".into(), operator: "attache".into(), reason: "gone".into() });
    let at = now() + Duration::seconds(63) + REFRESH;
    publisher.tick(&desk.state, &[], at);
    let last = received(&socket).await;
    assert_eq!(last.len(), 2, "the final event, then the delete: {last:?}");
    let stamp = at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    assert!(
        last[0].contains(&format!("time=\"{stamp}\"")) && last[0].contains(&format!("stale=\"{stamp}\""))
    );
    assert!(last[0].contains("lat=\"14.5\"") && last[0].contains("RESOLVED: gone"), "{}", last[0]);
    // The delete, read back as a CoT feed reads one: the marker withdrawn at once.
    let deleted = crate::feeds::cot::parse("tak", last[1].as_bytes(), at).unwrap();
    let marker = "attache.manila.alert.T1".to_string();
    assert_eq!(deleted.withdrawn, vec![(marker, crate::event::WithdrawReason::Cancelled)], "{}", last[1]);
    assert!(deleted.items.is_empty() && last[1].contains("<__forcedelete/>"), "{}", last[1]);

    publisher.tick(&desk.state, &[], at + Duration::seconds(1));
    assert_eq!(received(&socket).await, Vec::<String>::new(), "the final event is not sent at every look");
    publisher.tick(&desk.state, &[], at + REFRESH);
    let again = received(&socket).await;
    assert_eq!(again.len(), 2, "{again:?}");
    assert_eq!(again[0], last[0], "the final event again, in case the first was lost");
    // Its delete made afresh: one stale on arrival may be dropped by a server.
    let later = (at + REFRESH).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    assert!(again[1].contains(&format!("time=\"{later}\"")) && again[1].contains("t-x-d-d"), "{}", again[1]);
    publisher.tick(&desk.state, &[], at + STALE_AFTER);
    assert_eq!(received(&socket).await, Vec::<String>::new(), "nothing once the marker is stale anyway");
}

#[tokio::test]
async fn alerts_without_a_place_are_said_once_and_not_sent() {
    let (mut publisher, socket) = publisher().await;
    let mut desk = Desk { state: DeskState::default(), seq: 0 };
    desk.raise("A", None);
    desk.raise("B", None);
    let said = publisher.tick(&desk.state, &[], now());
    assert!(
        said.contains(&"cot out: 2 alerts have no place to mark and not sent (\"Track A\")".to_string()),
        "{said:?}"
    );
    desk.fold(Event::Note {
        operator: "reyes".into(),
        text: "x".into(),
        mission: None,
        alert: None,
        contact: None,
    });
    let again = publisher.tick(&desk.state, &[], now() + Duration::seconds(1));
    assert!(again.iter().all(|s| !s.contains("no place")), "{again:?}");
    assert_eq!(received(&socket).await, Vec::<String>::new());
}

/// Another desk's alert (over `[sync]`) is that desk's to put on TAK maps: not sent from here,
/// nor said to have no place.
#[tokio::test]
async fn another_desks_alert_is_not_sent_nor_said_placeless() {
    let (mut publisher, socket) = publisher().await;
    let mut desk = Desk { state: DeskState::default(), seq: 0 };
    let elsewhere = tempfile::tempdir().unwrap();
    let mut pristina = crate::journal::Writer::open(elsewhere.path()).unwrap();
    let raised = Event::AlertRaised {
        alert: "P1".into(),
        rule: "hostile".into(),
        feed: "tak-in".into(),
        item: "P1".into(),
        severity: Severity::Critical,
        title: "Track P1".into(),
        missions: vec![],
        traffic: Traffic::Real,
    };
    pristina.append("attache", now(), vec![raised]).unwrap();
    let mut line = String::new();
    crate::journal::Follower::new(elsewhere.path())
        .poll_lines(|raw, _| {
            line = String::from_utf8(raw.bytes.to_vec()).unwrap();
            true
        })
        .unwrap();
    desk.fold(Event::Remote {
        desk: "pristina".into(),
        record: line,
        after_seq: 0,
        after_sum: String::new(),
        stream_seq: None,
    });
    assert!(desk.state.alerts().contains_key("pristina/P1"), "folded as pristina's");
    desk.raise("T1", Some(Location::Point { lat: 14.5, lon: 120.9 }));
    let said = publisher.tick(&desk.state, &[], now());
    assert!(said.iter().all(|s| !s.contains("no place")), "{said:?}");
    let sent = received(&socket).await;
    assert_eq!(sent.len(), 1, "this desk's own alert only: {sent:?}");
    assert!(sent[0].contains("attache.manila.alert.T1"), "{}", sent[0]);
}

#[path = "../../tests/tak_support/mod.rs"]
mod tak_support;

/// Under TLS 1.3 a server refusing the desk's certificate says so just after the client's
/// handshake: the link must neither count that connection, nor say it is connected, nor take
/// events from the queue into it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_refused_after_the_handshake_is_not_counted_and_sent_nothing() {
    use crate::feeds::tls::{ClientFiles, TlsFiles};
    use tak_support::{Ca, tak_server, write_desk_files};
    let ca = Ca::new("TAK test CA");
    let stranger = Ca::new("Some other CA");
    let dir = tempfile::tempdir().unwrap();
    let (ca_file, cert, key) = write_desk_files(dir.path(), &stranger, &stranger.client("intruder"));
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let mut tak = tak_server(&ca, &ca.server(&["localhost"]), &ca, Vec::new()).await;
    let address = format!("localhost:{}", tak.port);
    let tls = TlsFiles { ca_file, client: Some(ClientFiles { cert, key }), server_name: None };
    let config = CotOutConfig {
        url: format!("ssl://{address}"),
        target: Target::Stream { address, tls: Some(tls) },
        missions: false,
    };
    let link = super::Link::start(&config);
    assert!(link.send(b"<event/>".to_vec()));
    tokio::time::timeout(std::time::Duration::from_secs(20), tak.refused.recv())
        .await
        .expect("the server refuses the desk")
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !link.status().state.contains("refused this desk's client certificate") {
        assert!(std::time::Instant::now() < deadline, "{:?}", link.status());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let status = link.status();
    assert_eq!((status.connections, status.sent, status.up), (0, 0, false), "{status:?}");
}

/// With `missions = true`, a mission the configuration stops listing (a reload dropped it) is
/// deleted from TAK maps at once, read back as a CoT feed reads a delete; the others stay.
#[tokio::test]
async fn a_mission_the_configuration_drops_is_deleted() {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let address = socket.local_addr().unwrap();
    let config =
        CotOutConfig { url: format!("udp://{address}"), target: Target::Udp(address), missions: true };
    let mut publisher = Publisher::start(&[config], "Manila").unwrap();
    let desk = crate::config::Config::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml"),
    )
    .unwrap();
    let state = DeskState::default();
    publisher.tick(&state, &desk.missions, now());
    assert_eq!(received(&socket).await.len(), desk.missions.len(), "a marker for each mission");

    let kept: Vec<_> = desk.missions.iter().filter(|m| m.id != "KFOR").cloned().collect();
    publisher.tick(&state, &kept, now() + Duration::seconds(61));
    let sent = received(&socket).await;
    assert_eq!(sent.len(), 1, "only the delete: the others are not due: {sent:?}");
    let read = crate::feeds::cot::parse("tak", sent[0].as_bytes(), now() + Duration::seconds(61)).unwrap();
    let kfor = super::mission_uid("Manila", "KFOR");
    assert_eq!(read.withdrawn, vec![(kfor, crate::event::WithdrawReason::Cancelled)]);

    publisher.tick(&state, &kept, now() + Duration::seconds(122));
    assert_eq!(received(&socket).await, Vec::<String>::new(), "deleted once");
}
