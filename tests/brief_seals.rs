//! Seals (`src/brief/collect/seal.rs`): a briefing takes a digest over finished segments without
//! reading their bytes while each segment's file status is as it was when sealed, and finds any
//! change to them exactly as reading every record finds it.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::path::Path;

use attache::brief::collect::{Facts, collect, digest};
use attache::domain::FeedItem;
use attache::event::Event;
use attache::journal::{Options, Writer};

const START: &str = "2026-11-24T00:00:00Z";

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Every item is near the one mission, at a gap that fingerprints its place.
fn near_all(location: &attache::domain::Location) -> attache::brief::collect::Near {
    let place = serde_json::to_string(location).unwrap();
    let km = place.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    [(0, km)].into_iter().collect()
}

/// 90 records a minute apart, in segments of about 2 KB: items, alerts and notes.
fn journal(dir: &Path) {
    let options = Options { segment_bytes: 2048, commit_interval: std::time::Duration::from_millis(10) };
    let mut writer = Writer::open_with(dir, options).unwrap();
    for i in 0..90_i32 {
        let event = match i % 3 {
            0 => Event::ItemSeen {
                item: serde_json::from_value::<FeedItem>(json!({
                    "feed": "usgs-quakes", "id": format!("q{i}"), "title": format!("M 5.{i} quake"),
                    "severity": "severe", "traffic": "real",
                    "location": {"type": "point", "lat": 14.0 + f64::from(i) / 100.0, "lon": 121.0},
                }))
                .unwrap(),
            },
            1 => Event::AlertRaised {
                alert: format!("A{i}"),
                rule: "quake near a mission".into(),
                feed: "usgs-quakes".into(),
                item: format!("q{}", i - 1),
                severity: attache::domain::Severity::Severe,
                title: format!("Quake {i} near EDCA-PH"),
                missions: vec!["EDCA-PH".into()],
                traffic: attache::domain::Traffic::Real,
            },
            _ => Event::Note { operator: "reyes".into(), text: format!("note {i}") },
        };
        writer.append("reyes", t(START) + Duration::minutes(i.into()), vec![event]).unwrap();
    }
}

fn segments(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    paths
}

fn seals(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join(digest::DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".seal"))
        .collect();
    names.sort();
    names
}

/// The facts of the whole journal, read with the digests and seals there are.
fn read(dir: &Path) -> Facts {
    collect(dir, t(START), t(START) + Duration::hours(2), &near_all).unwrap()
}

/// The same, every record read and parsed.
fn parsed(dir: &Path) -> Facts {
    let (digests, aside) = (dir.join(digest::DIR), dir.join("digests-aside"));
    std::fs::rename(&digests, &aside).unwrap();
    let facts = read(dir);
    std::fs::rename(&aside, &digests).unwrap();
    assert_eq!(facts.digested, 0);
    facts
}

/// How long a segment must have been left alone to be sealed.
fn seal_settled() -> std::time::Duration {
    digest::SEAL_SETTLED
}

fn without_counts(mut facts: Facts) -> Facts {
    facts.digested = 0;
    facts.sealed = 0;
    facts
}

#[test]
fn finished_settled_segments_are_sealed_and_taken_unread_until_they_change() {
    let [dir, other, stale] = [(); 3].map(|()| tempfile::tempdir().unwrap());
    for dir in [&dir, &other, &stale] {
        journal(dir.path());
    }
    let files = segments(dir.path());
    assert!(files.len() >= 5, "only {} segments", files.len());
    let expected = read(dir.path());

    // Not settled: nothing is sealed (a write in the same clock tick as a seal would not show).
    let an_hour = std::time::Duration::from_secs(3600);
    for dir in [&dir, &other, &stale] {
        let built = digest::build_spans_settled(dir.path(), 4, usize::MAX, an_hour).unwrap();
        assert!(built.written > 10 && built.damaged.is_empty(), "{built:?}");
        assert_eq!(built.sealed, 0);
    }
    // In the other journal, a segment changed after its digests were made (the same length, so
    // only the bytes tell): it is not sealed, its digests no longer hash right.
    let changed = &segments(other.path())[2];
    let mut bytes = std::fs::read(changed).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(changed, &bytes).unwrap();
    // In the third, a digest made before a change to its span and written only after the
    // segment is sealed (a console stalled between the two): the seal does not name it.
    let late = std::fs::read_dir(stale.path().join(digest::DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("000000000041-"))
        .unwrap();
    let aside = stale.path().join("late-digest");
    std::fs::rename(&late, &aside).unwrap();
    let record = segments(stale.path())
        .into_iter()
        .find(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).contains("\"seq\":43,"))
        .unwrap();
    let text = std::fs::read_to_string(&record).unwrap().replace("M 5.42 quake", "M 9.42 quake");
    std::fs::write(&record, text).unwrap();
    std::thread::sleep(seal_settled() + std::time::Duration::from_millis(200));

    // Every finished segment is sealed, the last (still written) never.
    let built = digest::build_spans(dir.path(), 4, usize::MAX).unwrap();
    assert_eq!((built.written, built.sealed), (0, files.len() - 1));
    let names = seals(dir.path());
    let finished: Vec<String> = (1..files.len()).map(|n| format!("{n:08}.")).collect();
    assert_eq!(names.len(), finished.len(), "{names:?}");
    assert!(names.iter().zip(&finished).all(|(name, number)| name.starts_with(number)), "{names:?}");
    let built = digest::build_spans(other.path(), 4, usize::MAX).unwrap();
    assert!(built.sealed > 0 && built.sealed < files.len() - 1, "{built:?}");
    assert!(!seals(other.path()).iter().any(|name| name.starts_with("00000003.")));
    // (Damage found, the stretch is read again record by record: what reading finds is given.)
    let with = read(other.path());
    assert!(!with.damage.is_empty(), "the changed byte was not found");
    assert_eq!(without_counts(with), parsed(other.path()));

    let built = digest::build_spans(stale.path(), 4, usize::MAX).unwrap();
    assert_eq!(built.damaged, [41], "{built:?}");
    assert!(built.sealed > 0);
    std::fs::rename(&aside, &late).unwrap();
    let with = read(stale.path());
    assert!(!with.damage.is_empty(), "a digest the seal does not name was taken unread");
    assert_eq!(without_counts(with), parsed(stale.path()));

    // Sealed: taken unread, the same facts. (Those with bytes in the last segment are hashed.)
    let with = read(dir.path());
    assert!(with.sealed > 0 && with.sealed < with.digested, "{} of {}", with.sealed, with.digested);
    assert_eq!(without_counts(with), expected);

    // A byte changed in a sealed segment: its seal no longer holds, and the change is found as
    // reading every record finds it.
    let sealed = &files[2];
    let pristine = std::fs::read(sealed).unwrap();
    let mut bytes = pristine.clone();
    bytes[pristine.len() / 2] ^= 0x01;
    std::fs::write(sealed, &bytes).unwrap();
    let with = read(dir.path());
    assert!(!with.damage.is_empty(), "a change to a sealed segment was not found");
    assert_eq!(without_counts(with), parsed(dir.path()));

    // Its bytes put back, or a segment only touched: hashed, taken, the same facts.
    std::fs::write(sealed, &pristine).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&files[3])
        .unwrap()
        .set_modified(std::time::SystemTime::now())
        .unwrap();
    let with = read(dir.path());
    assert!(with.damage.is_empty());
    assert!(with.sealed > 0 && with.sealed < with.digested, "{} of {}", with.sealed, with.digested);
    assert_eq!(without_counts(with), expected);
}
