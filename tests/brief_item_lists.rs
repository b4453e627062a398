//! Item lists (`src/brief/item_lists.rs`): chosen on the items' last versions' keys, they still
//! break ties exactly (severity, gap and time equal: by id, then feed).

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::path::Path;

use attache::domain::FeedItem;
use attache::event::Event;
use attache::journal::Writer;

const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/attache.toml");

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// An item at the centre of KFOR's area (0 km from it).
fn seen(feed: &str, id: &str, severity: &str, traffic: &str) -> Event {
    let item: FeedItem = serde_json::from_value(json!({
        "feed": feed, "id": id, "title": format!("{feed} {id} near Pristina"), "severity": severity,
        "location": {"type": "point", "lat": 42.66, "lon": 21.17}, "traffic": traffic,
    }))
    .unwrap();
    Event::ItemSeen { item }
}

/// Two critical items, then fourteen severe ones in one record (the same time, severity and
/// gap: only ids and feeds tell them apart), written in no order; and 55 exercise items in one
/// record.
fn journal(dir: &Path) {
    let mut w = Writer::open(dir).unwrap();
    let critical = vec![seen("gdacs", "c1", "critical", "real"), seen("gdacs", "c2", "critical", "real")];
    w.append("feed:gdacs", t("2026-11-24T01:00:00Z"), critical).unwrap();
    let tied: Vec<Event> = [7, 3, 11, 0, 9, 5, 12, 1, 4, 13, 2, 8, 6, 10]
        .iter()
        .map(|n| {
            seen(
                if n % 2 == 0 { "gdacs" } else { "usgs-quakes" },
                &format!("t{:02}", n / 2),
                "severe",
                "real",
            )
        })
        .collect();
    w.append("feed:usgs-quakes", t("2026-11-24T02:00:00Z"), tied).unwrap();
    let drill: Vec<Event> =
        (0..55).rev().map(|n| seen("usgs-quakes", &format!("x{n:02}"), "severe", "exercise")).collect();
    w.append("feed:usgs-quakes", t("2026-11-24T03:00:00Z"), drill).unwrap();
    for hour in 4..10 {
        let note = Event::Note {
            operator: "reyes".into(),
            text: format!("hour {hour}"),
            mission: None,
            alert: None,
            contact: None,
        };
        w.append("reyes", t(&format!("2026-11-24T{hour:02}:00:00Z")), vec![note]).unwrap();
    }
}

fn brief(dir: &Path) -> Value {
    let mut cmd = Command::cargo_bin("attache").unwrap();
    cmd.env("LOGNAME", "reyes").args(["--config", CONFIG, "--journal"]).arg(dir).args([
        "brief",
        "--from",
        "2026-11-24T00:00:00Z",
        "--to",
        "2026-11-25T00:00:00Z",
        "--generated-at",
        "2026-11-25T00:05:00Z",
        "--format",
        "json",
        "--mission",
        "KFOR",
    ]);
    serde_json::from_slice(&cmd.assert().success().get_output().stdout).unwrap()
}

fn listed(list: &Value) -> Vec<String> {
    let entry = |i: &Value| format!("{} {}", i["feed"].as_str().unwrap(), i["id"].as_str().unwrap());
    list.as_array().unwrap().iter().map(entry).collect()
}

#[test]
fn ties_at_a_lists_cut_are_broken_by_id_then_feed() {
    let dir = tempfile::tempdir().unwrap();
    journal(dir.path());
    let plain = brief(dir.path());
    let near = listed(&plain["missions"][0]["items_near"]);
    let expected = [
        "gdacs c1",
        "gdacs c2",
        "gdacs t00",
        "usgs-quakes t00",
        "gdacs t01",
        "usgs-quakes t01",
        "gdacs t02",
        "usgs-quakes t02",
        "gdacs t03",
        "usgs-quakes t03",
    ];
    assert_eq!(near, expected);
    let drill = &plain["exercise"];
    assert_eq!(drill["items_total"], 55);
    let first: Vec<String> = (0..50).map(|n| format!("usgs-quakes x{n:02}")).collect();
    assert_eq!(listed(&drill["items"]), first);
}
