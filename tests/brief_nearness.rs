//! Nearness files (`src/brief/collect/digest/nearness.rs`): a briefing that takes a digest
//! measures its items against the briefed missions once, keeps the gaps beside the digest, and
//! later briefings of the same missions take them instead of measuring, with the same facts.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use attache::brief::collect::{Facts, Near, Reading, collect_apart, digest};
use attache::domain::{FeedItem, Location};
use attache::event::Event;
use attache::journal::{Options, Writer};

const START: &str = "2026-11-24T00:00:00Z";
const MISSIONS: u128 = 0x0123_4567_89ab_cdef_0123_4567_89ab_cdef;
const OTHER_MISSIONS: u128 = 7;

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// 120 records a minute apart: items in several versions (some near the missions, some not),
/// alerts and notes.
fn journal(dir: &Path) {
    let options = Options { segment_bytes: 4096, commit_interval: std::time::Duration::from_millis(10) };
    let mut writer = Writer::open_with(dir, options).unwrap();
    for i in 0..120_i32 {
        let event = match i % 4 {
            0 | 1 => Event::ItemSeen {
                item: serde_json::from_value::<FeedItem>(json!({
                    "feed": "usgs-quakes", "id": format!("q{}", i % 14), "title": format!("M 5.{i} quake"),
                    "severity": "severe", "traffic": if i % 7 == 0 { "exercise" } else { "real" },
                    "location": {"type": "point", "lat": 14.0 + f64::from(i % 9) / 10.0, "lon": 121.0 + f64::from(i) / 100.0},
                }))
                .unwrap(),
            },
            2 => Event::AlertRaised {
                alert: format!("A{i}"),
                rule: "quake near a mission".into(),
                feed: "usgs-quakes".into(),
                item: format!("q{}", i % 14),
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

/// Items north of 14.45° are near no mission; the others are near mission 0, and those east of
/// 121.5° near mission 1 too, at gaps that fingerprint their place. Counts its calls.
struct Measure(AtomicUsize);

impl Measure {
    fn near(&self, location: &Location) -> Near {
        self.0.fetch_add(1, Ordering::Relaxed);
        let Location::Point { lat, lon } = location else { return Near::new() };
        let km = (lat * 1000.0 + lon * 10.0) as u32;
        match (*lat < 14.45, *lon > 121.5) {
            (false, _) => Near::new(),
            (true, false) => [(0, km)].into_iter().collect(),
            (true, true) => [(0, km), (1, km / 2)].into_iter().collect(),
        }
    }

    fn calls(&self) -> usize {
        self.0.swap(0, Ordering::Relaxed)
    }
}

/// The facts of `[from, to]` with the missions `identity` names (none: measured, nothing kept),
/// with their items, in their last versions.
fn read(
    dir: &Path,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    measure: &Measure,
    identity: Option<u128>,
) -> Facts {
    let near = |location: &Location| measure.near(location);
    let (mut facts, kept) =
        collect_apart(dir, from, to, Reading { near: &near, identity, digests: true }).unwrap();
    facts.items = kept.made_latest().unwrap();
    facts
}

fn without_counts(mut facts: Facts) -> Facts {
    facts.measured_before = 0;
    facts
}

fn nearness_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join(digest::DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "near"))
        .collect();
    paths.sort();
    paths
}

#[test]
fn items_are_measured_once_per_set_of_missions_and_the_gaps_taken_after() {
    let dir = tempfile::tempdir().unwrap();
    journal(dir.path());
    let built = digest::build_spans(dir.path(), 10, usize::MAX).unwrap();
    assert!(built.written >= 10, "{built:?}");
    let whole = (t(START), t(START) + Duration::hours(3));
    // Periods that start and end inside digests' spans: their items are measured in full even
    // so, for the next briefing of any period.
    let inner = (t(START) + Duration::minutes(15), t(START) + Duration::minutes(97));
    let measure = Measure(AtomicUsize::new(0));

    let plain = read(dir.path(), whole, &measure, None);
    assert!(nearness_files(dir.path()).is_empty(), "written without missions named");
    assert!(plain.digested > 100 && plain.items.len() > 5, "{} digested", plain.digested);
    let plain_inner = read(dir.path(), inner, &measure, None);

    // The first briefing measures every item of each digest it takes, and keeps the gaps.
    let first = read(dir.path(), inner, &measure, Some(MISSIONS));
    assert_eq!(first.measured_before, 0);
    assert!(measure.calls() > 0);
    assert_eq!(without_counts(first), plain_inner);
    // (Spans wholly before the period give only steps: their items are not measured.)
    let name = |p: &PathBuf| p.file_name().unwrap().to_str().unwrap().to_string();
    assert!(!nearness_files(dir.path()).iter().any(|p| name(p).starts_with("000000000001-")));
    // The whole journal: the spans after the inner period's end are measured now.
    let second = read(dir.path(), whole, &measure, Some(MISSIONS));
    assert!(second.measured_before > 0 && second.measured_before < second.digested);
    assert!(measure.calls() > 0);
    assert_eq!(without_counts(second), plain);
    let files = nearness_files(dir.path());
    assert_eq!(files.len(), built.written, "{files:?}");

    // Later ones take the gaps: nothing of the digests is measured, the facts the same.
    for (period, expected) in [(whole, &plain), (inner, &plain_inner)] {
        let again = read(dir.path(), period, &measure, Some(MISSIONS));
        assert_eq!(again.measured_before, again.digested, "every digest's gaps taken");
        assert_eq!(measure.calls(), 0, "measured again");
        assert_eq!(&without_counts(again), expected);
    }

    // Other missions: measured, and their gaps kept beside the first set's.
    let other = read(dir.path(), whole, &measure, Some(OTHER_MISSIONS));
    assert_eq!((other.measured_before, measure.calls() > 0), (0, true));
    for identity in [MISSIONS, OTHER_MISSIONS] {
        let again = read(dir.path(), whole, &measure, Some(identity));
        assert_eq!((again.measured_before, measure.calls()), (again.digested, 0));
        assert_eq!(without_counts(again), plain);
    }

    // A damaged file (a byte of its gaps changed) is not taken: measured again and rewritten.
    let damaged = &files[3];
    let mut bytes = std::fs::read(damaged).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(damaged, &bytes).unwrap();
    let again = read(dir.path(), whole, &measure, Some(MISSIONS));
    assert!(again.measured_before < again.digested && measure.calls() > 0);
    assert_eq!(without_counts(again), plain);
    assert_ne!(std::fs::read(damaged).unwrap(), bytes, "not rewritten");
    let again = read(dir.path(), whole, &measure, Some(MISSIONS));
    assert_eq!((again.measured_before, measure.calls()), (again.digested, 0));
}

#[test]
fn gaps_measured_from_another_digest_are_not_taken() {
    let dir = tempfile::tempdir().unwrap();
    journal(dir.path());
    digest::build_spans(dir.path(), 10, usize::MAX).unwrap();
    let whole = (t(START), t(START) + Duration::hours(3));
    let measure = Measure(AtomicUsize::new(0));
    let expected = read(dir.path(), whole, &measure, None);
    read(dir.path(), whole, &measure, Some(MISSIONS));

    // Each nearness file put beside the digest of the span after its own: the names fit, the
    // contents name another digest.
    let files = nearness_files(dir.path());
    let contents: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    for (file, bytes) in files.iter().skip(1).zip(&contents) {
        std::fs::write(file, bytes).unwrap();
    }
    measure.calls();
    let again = read(dir.path(), whole, &measure, Some(MISSIONS));
    assert_eq!(again.measured_before, 10, "only the first span's file is its own");
    assert!(measure.calls() > 0);
    assert_eq!(without_counts(again), expected);
}

#[test]
fn nearness_files_of_digests_gone_or_of_other_versions_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    journal(dir.path());
    digest::build_spans(dir.path(), 10, usize::MAX).unwrap();
    let whole = (t(START), t(START) + Duration::hours(3));
    read(dir.path(), whole, &Measure(AtomicUsize::new(0)), Some(MISSIONS));
    let files = nearness_files(dir.path());
    assert!(files.len() > 5);
    // One digest gone, and a nearness file another version wrote.
    let gone = files[2].with_extension("bin");
    std::fs::remove_file(&gone).unwrap();
    let name = files[0].file_name().unwrap().to_str().unwrap();
    let (span, _) = name.split_once('.').unwrap();
    let foreign = dir.path().join(digest::DIR).join(format!("{span}.v0.0.1d1.near"));
    std::fs::copy(&files[0], &foreign).unwrap();

    digest::build_spans(dir.path(), 10, usize::MAX).unwrap();
    let left = nearness_files(dir.path());
    assert!(!left.contains(&foreign), "another version's nearness file kept");
    assert!(!left.contains(&files[2]), "a nearness file kept after its digest went");
    assert_eq!(left.len(), files.len() - 1);
}
