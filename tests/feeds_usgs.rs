//! USGS GeoJSON on real published documents (tests/fixtures/usgs, sources in SOURCES.md), and
//! a poll's outcome turned into journal events: new, unchanged, updated, withdrawn, failed.

use attache::config::FeedKind;
use attache::domain::{Location, Severity};
use attache::event::{Event, Record};
use attache::feeds::{self, PollOutcome, PollResult};
use attache::state::DeskState;

fn parse(name: &str) -> feeds::Parsed {
    let body = std::fs::read(format!("tests/fixtures/usgs/{name}")).unwrap();
    feeds::parse(FeedKind::UsgsGeojson, "quakes", None, &body, chrono::Utc::now()).unwrap()
}

#[test]
fn every_real_document_parses_completely() {
    for (name, count) in [
        ("usgs-2.5_week-2023-07-03-300features.geojson", 300),
        ("usgs-4.5_day-2024-02-06-13features.geojson", 13),
        ("usgs-all_hour-2017-12-03-8features.geojson", 8),
        ("usgs-significant_month-2014-03-24-12features.geojson", 12),
        ("usgs-fdsn-query-empty-2022-02-27-0features.geojson", 0),
    ] {
        let parsed = parse(name);
        assert_eq!(parsed.items.len(), count, "{name}");
        assert!(parsed.skipped.is_empty(), "{name}: {:?}", parsed.skipped);
        for item in &parsed.items {
            assert!(!item.title.is_empty() && !item.id.is_empty(), "{name}: {item:?}");
            assert!(item.published.is_some(), "{name}: {} has a time", item.id);
        }
    }
}

#[test]
fn fields_come_through_as_published() {
    let parsed = parse("usgs-4.5_day-2024-02-06-13features.geojson");
    let luzon = parsed.items.iter().find(|i| i.id == "us7000lx97").unwrap();
    assert_eq!(luzon.title, "M 4.6 - 5 km NW of Baguinge, Philippines");
    assert_eq!(luzon.magnitude, Some(4.6));
    assert_eq!(luzon.severity, Severity::Minor);
    assert_eq!(luzon.location, Some(Location::Point { lat: 16.8088, lon: 121.0701 }));
    assert_eq!(luzon.published.unwrap().to_rfc3339(), "2024-02-06T04:20:51.555+00:00");
    assert!(luzon.summary.as_deref().unwrap().contains("depth 10 km"));
    let venezuela = parsed.items.iter().find(|i| i.id == "us7000lx8h").unwrap();
    assert!(venezuela.title.contains("Güiria"), "UTF-8 place names survive");

    let significant = parse("usgs-significant_month-2014-03-24-12features.geojson");
    let iquique = significant.items.iter().find(|i| i.title.contains("Iquique")).unwrap();
    assert_eq!(iquique.severity, Severity::Severe, "M6.7 with PAGER yellow");
    assert!(iquique.summary.as_deref().unwrap().contains("tsunami flag"));
}

fn fold(state: &mut DeskState, events: Vec<Event>) {
    let base = state.last_seq();
    let records: Vec<Record> = events
        .into_iter()
        .enumerate()
        .map(|(n, event)| Record {
            seq: base + 1 + n as u64,
            ts: "2026-11-25T00:00:00Z".parse().unwrap(),
            by: "t".into(),
            event,
        })
        .collect();
    state.apply_all(&records);
}

fn poll_events(state: &DeskState, outcome: PollOutcome, journal_ok: bool) -> Vec<Event> {
    let now = "2026-11-25T00:00:00Z".parse().unwrap();
    feeds::outcome_events(state, outcome, journal_ok, feeds::Missing::Withdraw, now)
}

fn outcome(result: Result<feeds::Parsed, String>) -> PollOutcome {
    let result = match result {
        Ok(parsed) => PollResult::Fetched(parsed),
        Err(error) => PollResult::Failed(error),
    };
    PollOutcome { feed: "quakes".into(), result, ms: 1 }
}

#[test]
fn unchanged_items_are_not_journaled_again_and_changes_are() {
    let mut state = DeskState::default();
    let first = poll_events(&state, outcome(Ok(parse("usgs-4.5_day-2024-02-06-13features.geojson"))), true);
    assert_eq!(first.iter().filter(|e| matches!(e, Event::ItemSeen { .. })).count(), 13);
    fold(&mut state, first);

    let again = poll_events(&state, outcome(Ok(parse("usgs-4.5_day-2024-02-06-13features.geojson"))), false);
    assert!(again.is_empty(), "an unchanged document journals nothing: {again:?}");

    let mut changed = parse("usgs-4.5_day-2024-02-06-13features.geojson");
    changed.items[0].magnitude = Some(4.9);
    changed.items.pop();
    let events = poll_events(&state, outcome(Ok(changed)), false);
    let kinds: Vec<_> = events.iter().map(Event::kind).collect();
    assert_eq!(kinds, ["item.updated", "item.withdrawn", "feed.polled"]);
}

#[test]
fn a_failing_feed_is_journaled_once_per_distinct_error_and_recovers() {
    let mut state = DeskState::default();
    let failed = poll_events(&state, outcome(Err("timeout".into())), false);
    assert_eq!(failed.len(), 1);
    fold(&mut state, failed);
    assert!(poll_events(&state, outcome(Err("timeout".into())), false).is_empty());
    assert_eq!(poll_events(&state, outcome(Err("HTTP 503".into())), false).len(), 1);
    let recovered = poll_events(&state, outcome(Ok(feeds::Parsed::default())), false);
    assert_eq!(recovered.first().map(Event::kind), Some("feed.recovered"));
    fold(&mut state, recovered);
    assert!(state.feeds()["quakes"].failing_since.is_none());
}

#[test]
fn hostile_documents_give_errors_that_say_where() {
    for (body, expect) in [
        (&b""[..], "empty document"),
        (b"<!DOCTYPE html><html>", "line 1 column 1"),
        (b"{\"type\":\"FeatureCollection\",\"features\":[", "line 1"),
        (b"\xEF\xBB\xBF{\"type\":\"FeatureCollection\"}", "no \"features\" array"),
    ] {
        let error =
            feeds::parse(FeedKind::UsgsGeojson, "q", None, body, chrono::Utc::now()).unwrap_err().to_string();
        assert!(error.contains(expect), "{error} lacks {expect}");
    }
    // A number too large for f64 costs that feature only, and says which.
    let huge = br#"{"type":"FeatureCollection","features":[{"id":"x","properties":{"mag":1e400}}]}"#;
    let parsed = feeds::parse(FeedKind::UsgsGeojson, "q", None, huge, chrono::Utc::now()).unwrap();
    assert_eq!(parsed.items.len(), 0);
    assert!(parsed.skipped[0].starts_with("feature 0:"), "{:?}", parsed.skipped);
}

#[test]
fn expired_items_are_withdrawn_and_never_journaled_as_seen() {
    let now: chrono::DateTime<chrono::Utc> = "2026-11-25T00:00:00Z".parse().unwrap();
    let mut parsed = parse("usgs-4.5_day-2024-02-06-13features.geojson");
    parsed.items[0].expires = Some(now - chrono::Duration::minutes(1));
    let mut state = DeskState::default();
    let first = poll_events(&state, outcome(Ok(parsed)), false);
    assert_eq!(first.iter().filter(|e| matches!(e, Event::ItemSeen { .. })).count(), 12);
    fold(&mut state, first);

    let mut later = parse("usgs-4.5_day-2024-02-06-13features.geojson");
    later.items[0].expires = Some(now - chrono::Duration::minutes(1));
    later.items[1].expires = Some(now);
    later.withdrawn.push((later.items[2].id.clone(), attache::event::WithdrawReason::Cancelled));
    let events = poll_events(&state, outcome(Ok(later)), false);
    let reasons: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::ItemWithdrawn { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect();
    use attache::event::WithdrawReason::{Cancelled, Expired};
    assert_eq!(
        reasons,
        [Cancelled, Expired],
        "a cancel and an expiry; the never-seen expired item stays out"
    );
    assert!(!events.iter().any(|e| matches!(e, Event::ItemSeen { .. })));
}

#[test]
fn a_304_journals_nothing_but_expiries() {
    let now: chrono::DateTime<chrono::Utc> = "2026-11-25T00:00:00Z".parse().unwrap();
    let mut parsed = parse("usgs-4.5_day-2024-02-06-13features.geojson");
    parsed.items[0].expires = Some(now + chrono::Duration::minutes(5));
    let mut state = DeskState::default();
    let seen = poll_events(&state, outcome(Ok(parsed)), false);
    fold(&mut state, seen);
    let unchanged = PollOutcome { feed: "quakes".into(), result: PollResult::NotModified, ms: 2 };
    let quiet = feeds::outcome_events(&state, unchanged, false, feeds::Missing::Withdraw, now);
    assert!(quiet.is_empty(), "{quiet:?}");
    let later = now + chrono::Duration::minutes(6);
    let unchanged = PollOutcome { feed: "quakes".into(), result: PollResult::NotModified, ms: 2 };
    let kinds: Vec<_> = feeds::outcome_events(&state, unchanged, false, feeds::Missing::Withdraw, later)
        .iter()
        .map(Event::kind)
        .collect();
    assert_eq!(kinds, ["item.withdrawn", "feed.polled"]);
}
