//! `[[cot_out]]` as a desk runs it: the real `attache poll` service hears an exercise track on a
//! CoT feed, raises an alert, and publishes it to a TAK-like server over mutual TLS and to a
//! UDP socket on 127.0.0.1; attache's own CoT parser reads the events back with the alert's uid,
//! time, place and exercise marking. When the track goes stale the alert is resolved, and a final
//! event whose stale time is its time takes it off the map.

mod tak_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use attache::domain::{Location, Traffic};
use attache::event::Event;
use attache::feeds::cot::{self, CotFramer, Framed};
use chrono::{DateTime, Utc};
use tak_support::{Ca, tak_server, tak_server_on, write_desk_files};

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// An exercise report of a hostile track, live for ten minutes, or already stale.
fn hostile(uid: &str, live: bool) -> Vec<u8> {
    let now = Utc::now();
    let stale = if live { now + chrono::Duration::minutes(10) } else { now - chrono::Duration::seconds(1) };
    format!(
        r#"<event version="2.0" uid="{uid}" type="a-h-G" how="m-g" opex="e" time="{t}" start="{t}" stale="{s}"><point lat="14.5995" lon="120.9842" hae="9999999" ce="9999999" le="9999999"/><detail><contact callsign="RED &lt;1&gt;&#10;&amp;co&#x202E;"/></detail></event>"#,
        t = stamp(now),
        s = stamp(stale),
    )
    .into_bytes()
}

fn free_udp() -> std::net::UdpSocket {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap()
}

/// The name of the desk the tests run, which the uids it publishes carry.
const DESK: &str = "Test desk";

fn desk(dir: &Path, feed_port: u16, out_udp: u16, tak_port: u16) -> PathBuf {
    let common = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_configs/common");
    let text = format!(
        r#"[desk]
name = "Test desk"
tz = "UTC"
missions = "{missions}"
contacts = "{contacts}"

[[feed]]
name = "tak-in"
kind = "cot-udp"
listen = "127.0.0.1:{feed_port}"

[[rule]]
name = "hostile"
feeds = ["tak-in"]
min_severity = "severe"
include_exercise = true
raise = "severe"

[[cot_out]]
url = "udp://127.0.0.1:{out_udp}"

[[cot_out]]
url = "ssl://localhost:{tak_port}"
ca_file = "ca.pem"
client_cert = "desk.pem"
client_key = "desk.key"
"#,
        missions = common.join("missions.toml").display(),
        contacts = common.join("contacts.toml").display(),
    );
    let path = dir.join("attache.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `attache poll` on `journal`, its stderr into `stderr` if given; stopped with SIGTERM when dropped.
struct Service(Child);

impl Service {
    fn start(config: &Path, journal: &Path, stderr: Option<&Path>) -> Service {
        let stderr = stderr.map_or_else(Stdio::null, |path| std::fs::File::create(path).unwrap().into());
        let child = Command::new(env!("CARGO_BIN_EXE_attache"))
            .arg("--config")
            .arg(config)
            .arg("--journal")
            .arg(journal)
            .arg("poll")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        Service(child)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

/// Points the desk's `[[cot_out]]` at a plain `tcp://` TAK server on `tak_port`.
fn with_plain_tcp_out(config: &Path, tak_port: u16) {
    let text = std::fs::read_to_string(config).unwrap();
    let plain = text[..text.rfind("[[cot_out]]").unwrap()].to_string()
        + &format!("[[cot_out]]\nurl = \"tcp://127.0.0.1:{tak_port}\"\n");
    std::fs::write(config, plain).unwrap();
}

/// A desk publishing to a plain `tcp://` TAK server the test holds, whose rule has raised an
/// alert on `track` (its marker seen over UDP): the server, the UDP socket and feed port, and the
/// alert's uid.
struct PlainTcpDesk {
    dir: tempfile::TempDir,
    server: tokio::net::TcpListener,
    out: std::net::UdpSocket,
    feed: u16,
    _service: Service,
    uid: String,
}

impl PlainTcpDesk {
    async fn start(track: &str) -> PlainTcpDesk {
        let dir = tempfile::tempdir().unwrap();
        let server = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let out = free_udp();
        let feed = free_udp().local_addr().unwrap().port();
        let config = desk(dir.path(), feed, out.local_addr().unwrap().port(), 1);
        with_plain_tcp_out(&config, server.local_addr().unwrap().port());
        let journal = dir.path().join("journal");
        let service = Service::start(&config, &journal, None);
        tokio::task::block_in_place(|| {
            receive_until(&out, feed, &hostile(track, true), |event| is_marker_of(event, track))
        });
        let (alert, _) = alert_raised(&journal).unwrap();
        let uid = attache::cot_out::alert_uid(DESK, &alert);
        PlainTcpDesk { dir, server, out, feed, _service: service, uid }
    }
}

/// Whether `event` is the marker of the alert the rule raised on `track`.
fn is_marker_of(event: &[u8], track: &str) -> bool {
    let uid = attache::cot_out::alert_uid(DESK, &attache::alerts::alert_id("hostile", "tak-in", track));
    let text = String::from_utf8_lossy(event);
    text.contains(&format!("uid=\"{uid}\"")) && text.contains(attache::cot_out::MARKER_TYPE)
}

/// What the UDP socket receives until `done` says enough, resending `send` to the feed meanwhile
/// (the service's listener may not be up yet).
fn receive_until(
    socket: &std::net::UdpSocket,
    feed: u16,
    send: &[u8],
    mut done: impl FnMut(&[u8]) -> bool,
) -> Vec<u8> {
    let sender = free_udp();
    socket.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut buf = vec![0u8; 65_536];
    loop {
        assert!(Instant::now() < deadline, "nothing came out over UDP");
        sender.send_to(send, ("127.0.0.1", feed)).unwrap();
        while let Ok(n) = socket.recv(&mut buf) {
            if done(&buf[..n]) {
                return buf[..n].to_vec();
            }
        }
    }
}

fn alert_raised(journal: &Path) -> Option<(String, Traffic)> {
    let (records, _) = attache::journal::read_all(journal).ok()?;
    records.into_iter().find_map(|r| match r.event {
        Event::AlertRaised { alert, traffic, .. } => Some((alert, traffic)),
        _ => None,
    })
}

/// The `time` and `stale` attributes of an event, as written.
fn times(event: &[u8]) -> (DateTime<Utc>, DateTime<Utc>) {
    let text = std::str::from_utf8(event).unwrap();
    let doc = roxmltree::Document::parse(text).unwrap();
    let root = doc.root_element();
    let at = |name| root.attribute(name).unwrap().parse::<DateTime<Utc>>().unwrap();
    (at("time"), at("stale"))
}

/// Checks one published event against the alert: uid, time, place, marking.
fn assert_reads_back(event: &[u8], uid: &str, sent_between: (DateTime<Utc>, DateTime<Utc>)) {
    let parsed = cot::parse("tak-out", event, Utc::now()).unwrap();
    assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
    let item =
        parsed.items.first().unwrap_or_else(|| panic!("no item in {}", String::from_utf8_lossy(event)));
    assert_eq!(item.id, uid);
    let (time, stale) = times(event);
    assert_eq!(item.published, Some(time), "the time read back is the time written");
    assert!(sent_between.0 - chrono::Duration::seconds(1) <= time && time <= sent_between.1, "{time}");
    assert!(stale - time >= chrono::Duration::minutes(30), "an open alert holds the map a while: {stale}");
    assert_eq!(item.location, Some(Location::Point { lat: 14.5995, lon: 120.9842 }));
    assert_eq!(item.traffic, Traffic::Exercise, "opex marks exercise traffic");
    // The line feed is folded to a space and the bidi override dropped: one clean line.
    assert_eq!(item.title, "[EXERCISE] RED <1> &co");
    let summary = item.summary.as_deref().unwrap_or_default();
    assert!(summary.contains("severe alert"), "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_go_out_over_tls_and_udp_and_read_back_equal() {
    let ca = Ca::new("TAK test CA");
    let dir = tempfile::tempdir().unwrap();
    write_desk_files(dir.path(), &ca, &ca.client("manila-desk"));
    let mut tak = tak_server(&ca, &ca.server(&["localhost"]), &ca, Vec::new()).await;
    let out = free_udp();
    let feed = free_udp().local_addr().unwrap().port();
    let config = desk(dir.path(), feed, out.local_addr().unwrap().port(), tak.port);
    let journal = dir.path().join("journal");
    let stderr = dir.path().join("stderr");
    let started = Utc::now();
    let _service = Service::start(&config, &journal, Some(&stderr));

    let over_udp = tokio::task::block_in_place(|| {
        receive_until(&out, feed, &hostile("TRACK-1", true), |event| is_marker_of(event, "TRACK-1"))
    });
    let sent = (started, Utc::now());
    let (alert, traffic) = alert_raised(&journal).expect("the alert was journaled before it went out");
    assert_eq!(traffic, Traffic::Exercise);
    let uid = attache::cot_out::alert_uid(DESK, &alert);
    assert_reads_back(&over_udp, &uid, sent);

    // The same event over mutual TLS, framed as a TAK server frames its stream.
    let mut framer = CotFramer::default();
    let over_tls = loop {
        let bytes = tokio::time::timeout(Duration::from_secs(30), tak.received.recv())
            .await
            .expect("an event over TLS")
            .expect("the server runs");
        let events: Vec<_> = framer
            .push(&bytes)
            .into_iter()
            .map(|f| match f {
                Framed::Event(e) => e,
                Framed::Dropped(why) => panic!("{why}"),
            })
            .collect();
        if let Some(event) = events.into_iter().next() {
            break event;
        }
    };
    assert_reads_back(&over_tls, &uid, (started, Utc::now()));

    // The track goes stale: the item is withdrawn, the alert resolved, and a final event sent.
    let before = Utc::now();
    let last = tokio::task::block_in_place(|| {
        receive_until(&out, feed, &hostile("TRACK-1", false), |event| {
            let (time, stale) = times(event);
            stale <= time
        })
    });
    let (time, stale) = times(&last);
    assert!(time >= before - chrono::Duration::seconds(1), "{time}");
    assert!(stale <= time + chrono::Duration::seconds(1), "the final event ends its life: {time} {stale}");
    let parsed = cot::parse("tak-out", &last, Utc::now()).unwrap();
    assert_eq!(parsed.withdrawn.first().map(|(id, _)| id.as_str()), Some(uid.as_str()), "read back as over");
    // Then its delete, which TAK clients act on at once.
    let delete = tokio::task::block_in_place(|| {
        receive_until(&out, feed, &hostile("TRACK-1", false), |event| {
            String::from_utf8_lossy(event).contains("type=\"t-x-d-d\"")
        })
    });
    let parsed = cot::parse("tak-out", &delete, Utc::now()).unwrap();
    assert_eq!(parsed.withdrawn, vec![(uid.clone(), attache::event::WithdrawReason::Cancelled)]);
    let said = std::fs::read_to_string(&stderr).unwrap();
    assert!(said.contains(&format!("cot out ssl://localhost:{}: connected", tak.port)), "{said}");
}

#[test]
fn check_refuses_a_cot_out_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let config = desk(dir.path(), 1, 2, 3);
    let text = std::fs::read_to_string(&config).unwrap().replace("udp://127.0.0.1:2", "udp://239.2.3.1");
    std::fs::write(&config, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_attache"))
        .arg("--config")
        .arg(&config)
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cot_out[0].url: `udp://239.2.3.1` is not udp://ADDRESS:PORT"), "{stderr}");

    // The TLS files are read by `check`, once the file itself is sound.
    let text = std::fs::read_to_string(&config).unwrap().replace("udp://239.2.3.1", "udp://127.0.0.1:2");
    std::fs::write(&config, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_attache"))
        .arg("--config")
        .arg(&config)
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cot_out[1].ca_file: ") && stderr.contains("ca.pem: cannot read"), "{stderr}");
}

/// A key the running account cannot read (here: one not there, as the tests may run as root)
/// stops neither `note`, `brief` nor a reload: only `check` and the connection read the TLS files.
#[test]
fn a_key_this_account_cannot_read_stops_only_check() {
    let ca = Ca::new("TAK test CA");
    let dir = tempfile::tempdir().unwrap();
    write_desk_files(dir.path(), &ca, &ca.client("manila-desk"));
    let config = desk(dir.path(), 1, 2, 3);
    let text = std::fs::read_to_string(&config).unwrap().replace("\"desk.key\"", "\"poller-only/desk.key\"");
    std::fs::write(&config, text).unwrap();
    let journal = dir.path().join("journal");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_attache"))
            .arg("--config")
            .arg(&config)
            .arg("--journal")
            .arg(&journal)
            .args(args)
            .output()
            .unwrap()
    };
    let noted = run(&["note", "watch handed over"]);
    assert!(noted.status.success(), "{}", String::from_utf8_lossy(&noted.stderr));
    let brief = run(&["brief", "--read-only"]);
    assert!(brief.status.success(), "{}", String::from_utf8_lossy(&brief.stderr));
    let reload = run(&["reload"]);
    assert!(reload.status.success(), "{}", String::from_utf8_lossy(&reload.stderr));
    let checked = run(&["check"]);
    assert_eq!(checked.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&checked.stderr);
    assert!(
        stderr.contains("cot_out[1].client_key: ") && stderr.contains("poller-only/desk.key: cannot read"),
        "{stderr}"
    );
}

/// The events in what a TAK server received, as attache's parser reads them.
async fn read_events(
    tak: &mut tak_support::TakServer,
    mut enough: impl FnMut(&[attache::domain::FeedItem]) -> bool,
) -> Vec<attache::domain::FeedItem> {
    let mut framer = CotFramer::default();
    let mut items = Vec::new();
    while !enough(&items) {
        let bytes = tokio::time::timeout(Duration::from_secs(60), tak.received.recv())
            .await
            .expect("events over TLS")
            .expect("the server runs");
        for frame in framer.push(&bytes) {
            let Framed::Event(event) = frame else { panic!("{frame:?}") };
            items.extend(cot::parse("tak-out", &event, Utc::now()).unwrap().items);
        }
    }
    items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tak_server_that_was_down_gets_what_is_open_when_it_comes_up() {
    let ca = Ca::new("TAK test CA");
    let dir = tempfile::tempdir().unwrap();
    write_desk_files(dir.path(), &ca, &ca.client("manila-desk"));
    let tak_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = free_udp();
    let feed = free_udp().local_addr().unwrap().port();
    let config = desk(dir.path(), feed, out.local_addr().unwrap().port(), tak_port);
    let text = std::fs::read_to_string(&config).unwrap() + "missions = true\n";
    std::fs::write(&config, text).unwrap();
    let journal = dir.path().join("journal");
    let stderr = dir.path().join("stderr");
    let _service = Service::start(&config, &journal, Some(&stderr));
    // The alert goes out over UDP while the TAK server is down: one destination never waits
    // for another.
    tokio::task::block_in_place(|| {
        receive_until(&out, feed, &hostile("TRACK-9", true), |event| is_marker_of(event, "TRACK-9"))
    });
    let down = format!("cot out ssl://localhost:{tak_port}: cannot connect to ssl://localhost:{tak_port}");
    let said = || std::fs::read_to_string(&stderr).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !said().contains(&down) {
        assert!(Instant::now() < deadline, "the service never said the server was down: {}", said());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut tak = tak_server_on(tak_port, &ca, &ca.server(&["localhost"]), &ca, Vec::new()).await;
    let (alert, _) = alert_raised(&journal).unwrap();
    let uid = attache::cot_out::alert_uid(DESK, &alert);
    let kfor = attache::cot_out::mission_uid(DESK, "KFOR");
    let items = read_events(&mut tak, |items| {
        items.iter().any(|i| i.id == uid) && items.iter().any(|i| i.id == kfor)
    })
    .await;
    let mission = items.iter().find(|i| i.id == kfor).unwrap();
    assert_eq!(mission.title, "NATO Kosovo Force");
    assert_eq!(mission.location, Some(Location::Point { lat: 42.66, lon: 21.17 }));
    assert_eq!(mission.traffic, Traffic::Real);
    assert!(mission.summary.as_deref().unwrap_or_default().contains("mission KFOR: active"), "{mission:?}");
    let alert_item = items.iter().find(|i| i.id == uid).unwrap();
    assert_eq!(alert_item.traffic, Traffic::Exercise);
    let connected = format!("cot out ssl://localhost:{tak_port}: connected");
    while !said().contains(&connected) {
        assert!(Instant::now() < deadline + Duration::from_secs(60), "never said connected: {}", said());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tak_server_that_refuses_the_desk_is_said_to_and_sent_nothing() {
    let ca = Ca::new("TAK test CA");
    let stranger = Ca::new("Some other CA");
    let dir = tempfile::tempdir().unwrap();
    write_desk_files(dir.path(), &stranger, &stranger.client("intruder"));
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
    let tak = tak_server(&ca, &ca.server(&["localhost"]), &ca, Vec::new()).await;
    let out = free_udp();
    let feed = free_udp().local_addr().unwrap().port();
    let config = desk(dir.path(), feed, out.local_addr().unwrap().port(), tak.port);
    let stderr = dir.path().join("stderr");
    let _service = Service::start(&config, &dir.path().join("journal"), Some(&stderr));
    tokio::task::block_in_place(|| {
        receive_until(&out, feed, &hostile("TRACK-5", true), |event| is_marker_of(event, "TRACK-5"))
    });
    let said = || std::fs::read_to_string(&stderr).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !said().contains("refused this desk's client certificate") {
        assert!(Instant::now() < deadline, "the refusal was never said: {}", said());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Nothing is counted as sent or said to be connected on a connection the server refused
    // just after the handshake (the link's own test reads its counters).
    let connected = format!("cot out ssl://localhost:{}: connected", tak.port);
    assert!(!said().contains(&connected), "{}", said());
}

/// A plain `tcp://` TAK server that drops the desk after its first event: the desk reconnects
/// and sends what is open again, as the server keeps nothing for a desk that left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_is_made_again_and_what_is_open_sent_again() {
    use tokio::io::AsyncReadExt;
    let PlainTcpDesk { dir: _dir, server, out: _out, feed: _feed, _service, uid } =
        PlainTcpDesk::start("TRACK-7").await;
    let mut uids_on_each = Vec::new();
    for _ in 0..2 {
        let (mut connection, _) = tokio::time::timeout(Duration::from_secs(30), server.accept())
            .await
            .expect("a connection")
            .unwrap();
        let mut framer = CotFramer::default();
        let mut buf = vec![0u8; 65_536];
        let event = loop {
            let n = tokio::time::timeout(Duration::from_secs(30), connection.read(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert!(n > 0, "the desk hung up");
            if let Some(Framed::Event(event)) = framer.push(&buf[..n]).into_iter().next() {
                break event;
            }
        };
        let parsed = cot::parse("tak-out", &event, Utc::now()).unwrap();
        uids_on_each.push(parsed.items[0].id.clone());
        drop(connection); // the server goes away
    }
    assert_eq!(uids_on_each, [uid.clone(), uid], "the open alert again on the new connection");
}

/// A desk whose CoT feed hears its own cot_out (the same address; on a TAK server, its events
/// reflected back): its own markers are dropped on the way in, so they are never journaled as
/// items and raise nothing, and one track raises one alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_never_takes_in_its_own_markers() {
    let dir = tempfile::tempdir().unwrap();
    let out = free_udp();
    let feed = free_udp().local_addr().unwrap().port();
    let config = desk(dir.path(), feed, out.local_addr().unwrap().port(), 1);
    let text = std::fs::read_to_string(&config).unwrap();
    let looped = text[..text.rfind("[[cot_out]]").unwrap()]
        .replace("min_severity = \"severe\"", "min_severity = \"info\"")
        + &format!("[[cot_out]]\nurl = \"udp://127.0.0.1:{feed}\"\n");
    std::fs::write(&config, looped).unwrap();
    let journal = dir.path().join("journal");
    let _service = Service::start(&config, &journal, None);
    tokio::task::block_in_place(|| {
        receive_until(&out, feed, &hostile("TRACK-3", true), |event| is_marker_of(event, "TRACK-3"))
    });
    // The same marker went to the feed's own port at the same moment; give it time to come back
    // round, and the desk time to journal what it would.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (records, _) = attache::journal::read_all(&journal).unwrap();
    let own = attache::cot_out::desk_prefix(DESK);
    let mut alerts = Vec::new();
    for record in records {
        match record.event {
            Event::ItemSeen { item } => assert!(!item.id.starts_with("attache."), "took in {}", item.id),
            Event::AlertRaised { alert, .. } => alerts.push(alert),
            _ => {}
        }
    }
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(!alerts[0].contains(&own) && alerts[0].ends_with("TRACK-3"), "{alerts:?}");
}

/// A TAK server that drops the desk just after the alert was resolved, with the final event
/// written into the dying connection: the final event goes again on the next connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_final_event_lost_with_its_connection_is_sent_again() {
    use tokio::io::AsyncReadExt;
    let PlainTcpDesk { dir: _dir, server, out, feed, _service, uid } = PlainTcpDesk::start("TRACK-8").await;
    let (first, _) =
        tokio::time::timeout(Duration::from_secs(30), server.accept()).await.expect("a connection").unwrap();

    // The track goes stale; the server stops reading, so the final event sits unread in the
    // connection when the server drops it.
    tokio::task::block_in_place(|| {
        receive_until(&out, feed, &hostile("TRACK-8", false), |event| {
            let (time, stale) = times(event);
            stale <= time
        })
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(first);

    let (mut second, _) = tokio::time::timeout(Duration::from_secs(30), server.accept())
        .await
        .expect("a new connection")
        .unwrap();
    let mut framer = CotFramer::default();
    let mut buf = vec![0u8; 65_536];
    let last = loop {
        let n = tokio::time::timeout(Duration::from_secs(30), second.read(&mut buf))
            .await
            .expect("the final event on the new connection")
            .unwrap();
        assert!(n > 0, "the desk hung up");
        if let Some(Framed::Event(event)) = framer.push(&buf[..n]).into_iter().next() {
            break event;
        }
    };
    let (time, stale) = times(&last);
    assert!(stale <= time, "the final event, not the open one: {}", String::from_utf8_lossy(&last));
    let parsed = cot::parse("tak-out", &last, Utc::now()).unwrap();
    assert_eq!(parsed.withdrawn.first().map(|(id, _)| id.as_str()), Some(uid.as_str()));
}

/// An operator resolves an alert (a console's record, journaled by another process) and the
/// service is stopped at once: before it stops it folds that record and sends the final event,
/// rather than leave the marker on TAK maps for its stale hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolution_journaled_just_before_the_service_stops_still_goes_out() {
    let PlainTcpDesk { dir, server: _server, out, feed: _feed, _service, uid } =
        PlainTcpDesk::start("TRACK-9").await;
    let (alert, _) = alert_raised(&dir.path().join("journal")).unwrap();
    let mut writer = attache::journal::Writer::open(&dir.path().join("journal")).unwrap();
    let resolved =
        Event::AlertResolved { alert, operator: "reyes".into(), reason: "friendly after all".into() };
    writer.append("reyes", Utc::now(), vec![resolved]).unwrap();
    drop(writer);
    tokio::task::block_in_place(|| drop(_service)); // SIGTERM, and waits for the exit
    out.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = vec![0u8; 65_536];
    let last = loop {
        let n = out.recv(&mut buf).expect("the final event before the service stopped");
        let event = &buf[..n];
        let (time, stale) = times(event);
        if String::from_utf8_lossy(event).contains(&format!("uid=\"{uid}\"")) && stale <= time {
            break String::from_utf8_lossy(event).to_string();
        }
    };
    assert!(last.contains("friendly after all"), "{last}");
}
