//! `attache poll --once` and `attache demo-serve` as a user runs them: real processes, a real
//! HTTP server on 127.0.0.1, a real journal.

mod common;

use assert_cmd::Command;
use common::{Reply, serve};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A desk in a temp dir whose feeds are served by the demo server on `port`, plus one feed
/// pointed at a port nothing listens on.
fn desk(dir: &Path, port: u16, with_broken_feed: bool) -> std::path::PathBuf {
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), dir.join(file)).unwrap();
    }
    let mut text = format!(
        r#"[desk]
name = "Test desk"
tz = "UTC"
missions = "missions.toml"
contacts = "contacts.toml"

[[feed]]
name = "quakes"
kind = "usgs-geojson"
url = "http://127.0.0.1:{port}/usgs/4.5_day.geojson"
"#
    );
    if with_broken_feed {
        text.push_str(&format!(
            "\n[[feed]]\nname = \"down\"\nkind = \"usgs-geojson\"\nurl = \"http://127.0.0.1:{}/nothing\"\ntimeout = \"5s\"\n",
            free_port()
        ));
    }
    let path = dir.join("attache.toml");
    std::fs::write(&path, text).unwrap();
    path
}

struct DemoServer(Child);

impl DemoServer {
    fn start(port: u16) -> Self {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_attache"))
            .args(["demo-serve", "--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "demo-serve did not start listening");
            std::thread::sleep(Duration::from_millis(20));
        }
        DemoServer(child)
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn poll(config: &Path, journal: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("attache")
        .unwrap()
        .arg("--config")
        .arg(config)
        .arg("--journal")
        .arg(journal)
        .args(["poll", "--once"])
        .args(args)
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn poll_once_journals_and_reports_per_feed_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _server = DemoServer::start(port);
    let config = desk(dir.path(), port, false);
    let journal = dir.path().join("journal");

    let (code, out) = poll(&config, &journal, &["--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["feed"], "quakes");
    assert_eq!(line["status"], "ok");
    assert_eq!(line["new"], 8);
    assert_eq!(line["error"], serde_json::Value::Null);

    // Polled again at once: the server answers 304, nothing new is journaled.
    let before = std::fs::read_to_string(journal.join("00000001.jsonl")).unwrap_or_default();
    let (code, out) = poll(&config, &journal, &["--format", "json"]);
    assert_eq!(code, 0);
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((line["new"].as_u64(), line["items"].as_u64()), (Some(0), Some(8)), "{out}");
    let seen_twice = |text: &str| text.matches("\"kind\":\"item.seen\"").count();
    let after = std::fs::read_to_string(journal.join("00000001.jsonl")).unwrap_or_default();
    assert_eq!(seen_twice(&before), seen_twice(&after), "no item journaled twice");
}

#[test]
fn poll_once_exits_1_when_a_feed_fails_and_still_journals_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _server = DemoServer::start(port);
    let config = desk(dir.path(), port, true);
    let journal = dir.path().join("journal");
    let (code, out) = poll(&config, &journal, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.lines().any(|l| l.starts_with("quakes") && l.contains(" ok ")), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("down") && l.contains("ERROR") && l.contains("cannot connect")),
        "{out}"
    );

    let (code, out) = poll(&config, &journal, &["--feed", "quakes"]);
    assert_eq!(code, 0, "one feed alone: {out}");
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn poll_once_names_the_feeds_when_asked_for_an_unknown_one() {
    let dir = tempfile::tempdir().unwrap();
    let config = desk(dir.path(), free_port(), false);
    let out = Command::cargo_bin("attache")
        .unwrap()
        .arg("--config")
        .arg(&config)
        .args(["poll", "--once", "--feed", "gdacs"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("no feed named `gdacs` (feeds: quakes)"), "{stderr}");
}

/// A desk of one feed, `kind` at `url`, with `extra` lines in its table (such as a `[feed.map]`).
fn desk_with(dir: &Path, kind: &str, url: &str, extra: &str) -> std::path::PathBuf {
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), dir.join(file)).unwrap();
    }
    let text = format!(
        "[desk]\nname = \"Test desk\"\ntz = \"UTC\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n\n\
         [[feed]]\nname = \"feed\"\nkind = \"{kind}\"\nurl = \"{url}\"\n{extra}"
    );
    let path = dir.join("attache.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A real USGS summary whose third feature has its magnitude written as text, as a publisher's
/// glitch can leave it.
fn quakes_with_a_feature_unreadable() -> Vec<u8> {
    let text =
        std::fs::read_to_string("tests/fixtures/usgs/usgs-4.5_day-2024-02-06-13features.geojson").unwrap();
    let broken = text.replacen(
        "\"mag\":4.6,\"place\":\"Reykjanes Ridge\"",
        "\"mag\":\"4.6\",\"place\":\"Reykjanes Ridge\"",
        1,
    );
    assert_ne!(broken, text);
    broken.into_bytes()
}

#[test]
fn poll_once_reports_entries_it_could_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let body = quakes_with_a_feature_unreadable();
    let server = runtime.block_on(serve(move |_| Reply::ok(body.clone())));
    let config = desk_with(dir.path(), "usgs-geojson", &server.url("/4.5_day.geojson"), "");
    let journal = dir.path().join("journal");

    let (code, out) = poll(&config, &journal, &["--format", "json"]);
    assert_eq!(code, 0, "a feed read in part still answered: {out}");
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((line["status"].as_str(), line["items"].as_u64()), (Some("ok"), Some(12)), "{out}");
    assert_eq!((line["skipped"].as_u64(), line["incomplete"].as_u64()), (Some(1), Some(0)), "{out}");
    let problem = line["problem"].as_str().unwrap();
    assert!(problem.starts_with("feature 2: ") && problem.contains("\"4.6\""), "{problem}");
    assert_eq!(line["error"], serde_json::Value::Null, "the fields scripts read are all still there");

    let (code, out) = poll(&config, &journal, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("feed ") && out.contains(" ok "), "{out}");
    assert!(out.contains("; 1 entry skipped, first: feature 2: "), "{out}");
    let records = std::fs::read_to_string(journal.join("00000001.jsonl")).unwrap();
    let polled: Vec<serde_json::Value> = records
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &serde_json::Value| r["kind"] == "feed.polled")
        .collect();
    assert!(!polled.is_empty());
    assert!(polled.iter().all(|r| r["skipped"] == 1 && r["problem"].as_str() == Some(problem)), "{polled:?}");
}

const GDACS: &str = "tests/fixtures/json/gdacs-geojson-getgeometry-eq-1505491-2025-10-16-6features.geojson";

/// The `[feed.map]` a desk writes for the GDACS document, with `time_format` or without.
fn gdacs_map(time_format: Option<&str>) -> String {
    let mut map =
        "[feed.map]\nitems = \"/features\"\nid = \"/properties/Class\"\ntitle = \"/properties/name\"\n\
                   time = \"/properties/fromdate\"\n"
            .to_string();
    if let Some(format) = time_format {
        map.push_str(&format!("time_format = \"{format}\"\n"));
    }
    map
}

/// The `published` time of every item the journal has seen.
fn published(journal: &Path) -> Vec<serde_json::Value> {
    let records = std::fs::read_to_string(journal.join("00000001.jsonl")).unwrap();
    records
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["kind"] == "item.seen")
        .map(|r| r["item"]["published"].clone())
        .collect()
}

#[test]
fn poll_once_reads_gdacs_times_with_the_desks_time_format() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(serve(|_| Reply::ok(std::fs::read(GDACS).unwrap())));
    let url = server.url("/gdacsapi/api/polygons/getgeometry?eventtype=EQ&eventid=1505491");

    let dir = tempfile::tempdir().unwrap();
    let config = desk_with(dir.path(), "json", &url, &gdacs_map(Some("%Y-%m-%dT%H:%M:%S")));
    let journal = dir.path().join("journal");
    let (code, out) = poll(&config, &journal, &["--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((line["items"].as_u64(), line["new"].as_u64()), (Some(6), Some(6)), "{out}");
    assert_eq!((line["skipped"].as_u64(), line["incomplete"].as_u64()), (Some(0), Some(0)), "{out}");
    assert_eq!(published(&journal), vec![serde_json::json!("2025-10-16T17:02:58Z"); 6]);

    // Without it every item is still journaled, placed at when it was first seen, and the
    // problem is reported rather than an `ok, 0 items`.
    let dir = tempfile::tempdir().unwrap();
    let config = desk_with(dir.path(), "json", &url, &gdacs_map(None));
    let journal = dir.path().join("journal");
    let (code, out) = poll(&config, &journal, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("     6 items    6 new"), "{out}");
    assert!(
        out.contains("; 6 items incomplete, first: item 0: time /properties/fromdate: date \"2025-10-16T17:02:58\" has no time zone"),
        "{out}"
    );
    assert_eq!(published(&journal), vec![serde_json::Value::Null; 6]);
}
