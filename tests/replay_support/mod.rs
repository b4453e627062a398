//! A fixture journal for the replay tests, written through the real `journal::Writer`: the
//! scripted watch of 2026-11-25 (sessions, quakes, alerts raised, acknowledged, resolved, notes).

#![allow(dead_code)] // each test file uses a different part of this module

use attache::config::Config;
use attache::event::Record;
use attache::journal::Writer;
use std::path::Path;

pub fn config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml")).unwrap()
}

/// The scripted watch's records (as the live console appended them).
pub fn script() -> Vec<Record> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journeys/watch-2026-11-25.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Appends each scripted record through the writer; `each` sees what was written.
pub fn write_script(dir: &Path, mut each: impl FnMut(&Record, &[Record])) {
    let mut writer = Writer::open(dir).unwrap();
    for record in script() {
        let written = writer.append(&record.by, record.ts, vec![record.event.clone()]).unwrap();
        each(&record, &written);
    }
}

/// A long watch for tests that need the replay's reader to take a while: `records` records
/// over 2026-11-24, a hundred a minute, feed items seen with their polls (what most of a busy
/// desk's journal is). Returns the last record's seq.
pub fn write_long_watch(dir: &Path, records: u64) -> u64 {
    use attache::domain::{FeedItem, Location, Severity, Traffic};
    use attache::event::Event;
    use chrono::{Duration, TimeZone, Utc};

    let start = Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap();
    let mut writer = Writer::open(dir).unwrap();
    let mut seq = 0;
    for minute in 0.. {
        let ts = start + Duration::minutes(minute);
        let mut events = Vec::new();
        while events.len() < 100 && seq < records {
            seq += 1;
            events.push(if seq % 10 == 0 {
                Event::FeedPolled {
                    feed: "usgs-quakes".into(),
                    items: 9,
                    new: 9,
                    updated: 0,
                    withdrawn: 0,
                    ms: 120,
                    skipped: 0,
                    incomplete: 0,
                    problem: None,
                }
            } else {
                Event::ItemSeen {
                    item: FeedItem {
                        feed: "usgs-quakes".into(),
                        id: format!("ev{seq}"),
                        title: format!("M4.{} near Mindanao, Philippines", seq % 10),
                        summary: Some("Earthquake 40 km from Davao; no damage reported".into()),
                        link: Some(format!("https://example.org/usgs-quakes/ev{seq}")),
                        published: Some(ts),
                        updated: Some(ts),
                        severity: Severity::Minor,
                        severity_raw: Some("4.5".into()),
                        category: Some("earthquake".into()),
                        magnitude: Some(4.5),
                        location: Some(Location::Point { lat: 7.1, lon: 125.6 }),
                        expires: Some(ts + Duration::hours(6)),
                        traffic: Traffic::Real,
                    },
                }
            });
        }
        if events.is_empty() {
            break;
        }
        writer.append_batch("feed:usgs-quakes", ts, events).unwrap();
    }
    writer.sync().unwrap();
    seq
}
