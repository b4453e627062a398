//! JSON APIs through a mapping of JSON pointers, on real ReliefWeb responses and the mappings a
//! desk would configure for them (tests/fixtures/json, sources in SOURCES.md), and hostile input.

mod common;
mod hostile;

use attache::config::{FeedConfig, FeedKind, FeedSource};
use attache::domain::{Location, Severity, Traffic};
use attache::feeds::http::Fetcher;
use attache::feeds::json::{self, JsonMapping};
use attache::feeds::{Parsed, PollResult, Poller};
use chrono::{DateTime, Utc};
use common::{Reply, serve};
use proptest::prelude::*;

const ONE: &str = "reliefweb-v1-disaster-25466-1item.json";
const LIST: &str = "reliefweb-v1-disasters-list-external-2024-08-1000items.json";
const GDACS: &str = "gdacs-geojson-getgeometry-eq-1505491-2025-10-16-6features.geojson";

fn now() -> DateTime<Utc> {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/json/{name}")).unwrap()
}

/// The mapping file shipped beside a document, read as the config layer reads `[feed.map]`.
fn mapping(name: &str) -> JsonMapping {
    let text = std::fs::read_to_string(format!("tests/fixtures/json/{name}.mapping.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

fn parse(name: &str, mapping: &JsonMapping) -> Parsed {
    let parsed = json::parse("reliefweb", &fixture(name), mapping, now()).unwrap();
    assert!(parsed.skipped.is_empty(), "{name}: {:?}", parsed.skipped);
    parsed
}

#[test]
fn one_disaster_with_its_shipped_mapping() {
    let item = parse(ONE, &mapping(ONE)).items.remove(0);
    assert_eq!(item.id, "25466");
    assert_eq!(item.title, "Burkina Faso: Floods - Aug 2015");
    assert_eq!(item.published, Some("2015-08-07T00:00:00Z".parse().unwrap()));
    assert_eq!(item.link.as_deref(), Some("https://reliefweb.int/disaster/fl-2015-000106-bfa"));
    assert_eq!((item.severity, item.traffic, item.location), (Severity::Info, Traffic::Real, None));
}

#[test]
fn every_optional_pointer_on_the_full_record() {
    let m = JsonMapping {
        lat: Some("/fields/primary_country/location/lat".into()),
        lon: Some("/fields/primary_country/location/lon".into()),
        severity: Some("/fields/status".into()),
        summary: Some("/fields/description-html".into()),
        id: "/fields/id".into(),
        ..mapping(ONE)
    };
    let item = parse(ONE, &m).items.remove(0);
    assert_eq!(item.id, "25466", "an integer id reads the same as the string one");
    assert_eq!(item.location, Some(Location::Point { lat: 12.28, lon: -1.57 }));
    assert_eq!(item.severity_raw.as_deref(), Some("past"));
    let summary = item.summary.unwrap();
    assert!(summary.starts_with("On the first week of August 2015, 20,000 people"), "{summary}");
    assert!(!summary.contains("<p>"), "{summary}");
}

#[test]
fn a_thousand_disasters_without_dates() {
    let parsed = parse(LIST, &mapping(LIST));
    assert_eq!(parsed.items.len(), 1000);
    let chad = &parsed.items[0];
    assert_eq!((chad.id.as_str(), chad.title.as_str()), ("52108", "Chad: Floods - Aug 2024"));
    assert_eq!(chad.link.as_deref(), Some("https://api.reliefweb.int/v1/disasters/52108"));
    assert_eq!(chad.published, None);
    assert_eq!(parsed.items[999].title, "Indonesia: Drought - Aug 2015");
}

#[test]
fn mappings_are_strict_about_their_keys() {
    let err = toml::from_str::<JsonMapping>("items = \"/data\"\nid = \"/id\"\ntitel = \"/x\"").unwrap_err();
    assert!(err.to_string().contains("titel"), "{err}");
    assert!(toml::from_str::<JsonMapping>("items = \"/data\"").is_err(), "id is required");
    let bad = JsonMapping { title: Some("fields/name".into()), ..mapping(ONE) };
    let err = json::parse("r", &fixture(ONE), &bad, now()).unwrap_err().to_string();
    assert!(err.contains("map.title"), "{err}");
}

fn simple() -> JsonMapping {
    JsonMapping {
        items: "/data".into(),
        id: "/id".into(),
        title: Some("/t".into()),
        time: Some("/when".into()),
        time_format: None,
        link: None,
        lat: Some("/lat".into()),
        lon: Some("/lon".into()),
        severity: Some("/sev".into()),
        summary: None,
    }
}

#[test]
fn bad_items_cost_only_themselves() {
    let body = br#"{"data": [
        {"id": 7, "t": "numeric id", "when": 1707193251555, "lat": "16.8", "lon": 121.0, "sev": "Extreme"},
        {"t": "no id"},
        {"id": {"x": 1}},
        {"id": "a", "when": "2024-02-06 04:20"},
        {"id": "b", "when": "2024-02-06T04:20:00+05:30", "lat": 200, "lon": 0},
        {"id": "c", "lat": "NaN", "lon": "inf", "t": ["not", "text"]},
        {"id": "d", "when": "Tue, 6 Feb 2024 04:20:00 PST", "sev": "orange"}
    ]}"#;
    let parsed = json::parse("j", body, &simple(), now()).unwrap();
    let ids: Vec<_> = parsed.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["7", "a", "b", "d"], "an unreadable time costs the item its time, not its place");
    assert_eq!(parsed.skipped.len(), 3, "{:?}", parsed.skipped);
    assert_eq!(parsed.skipped[0], "item 1: no id at /id");
    assert!(parsed.skipped[1].starts_with("item 2: id /id is an object"));
    assert!(parsed.skipped[2].starts_with("item 5: /t is an array, not text"));
    assert_eq!(
        parsed.incomplete,
        ["item 3: time /when: \"2024-02-06 04:20\" is not an RFC 3339 or RFC 2822 date (time_format in \
          [feed.map] reads other forms); kept with the time it was first seen"]
    );
    let seven = &parsed.items[0];
    assert_eq!(seven.published, Some("2024-02-06T04:20:51.555Z".parse().unwrap()));
    assert_eq!(seven.location, Some(Location::Point { lat: 16.8, lon: 121.0 }));
    assert_eq!(seven.severity, Severity::Critical);
    assert_eq!(parsed.items[1].published, None);
    assert_eq!(parsed.items[2].location, None, "latitude 200 is no place");
    assert_eq!(parsed.items[2].published, Some("2024-02-05T22:50:00Z".parse().unwrap()));
    assert_eq!(parsed.items[3].published, Some("2024-02-06T12:20:00Z".parse().unwrap()));
    assert_eq!(parsed.items[3].severity, Severity::Severe);
}

fn gdacs_feed(url: String, map: JsonMapping) -> FeedConfig {
    FeedConfig { map: Some(map), ..FeedConfig::new("gdacs", FeedKind::Json, FeedSource::Url(url)) }
}

async fn poll_gdacs(map: JsonMapping) -> Parsed {
    let server = serve(|_| Reply::ok(fixture(GDACS)).with_header("content-type", "application/json")).await;
    let mut poller = Poller::new(gdacs_feed(server.url("/gdacsapi/api/polygons/getgeometry"), map));
    match poller.poll(&Fetcher::new()).await.result {
        PollResult::Fetched(parsed) => parsed,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn gdacs_geojson_times_without_a_zone_read_through_time_format() {
    let parsed = poll_gdacs(mapping(GDACS)).await;
    assert!(parsed.skipped.is_empty() && parsed.incomplete.is_empty(), "{parsed:?}");
    assert_eq!(parsed.items.len(), 6);
    let shapes: Vec<_> = parsed.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        shapes,
        [
            "Point_Centroid",
            "Poly_SMPInt_0",
            "Poly_SMPInt_4",
            "Poly_SMPInt_4.5",
            "Poly_SMPInt_5",
            "Poly_Circle"
        ]
    );
    for item in &parsed.items {
        assert_eq!(item.published, Some("2025-10-16T17:02:58Z".parse().unwrap()), "{item:?}");
        assert_eq!(item.title, "Earthquake in Indonesia");
        assert_eq!(item.severity, Severity::Minor, "Green");
    }
    let centroid = &parsed.items[0];
    assert_eq!(centroid.location, Some(Location::Point { lat: -2.1142, lon: 139.0855 }));
    assert_eq!(
        centroid.link.as_deref(),
        Some("https://www.gdacs.org/report.aspx?eventid=1505491&episodeid=1666479&eventtype=EQ")
    );
    assert_eq!(parsed.items[1].location, None, "a polygon's coordinates are not one point");

    // The same document with the description's own form of the time.
    let described = JsonMapping {
        time: Some("/properties/htmldescription".into()),
        time_format: Some("Green M 5.1 Earthquake in Indonesia at: %d %b %Y %H:%M:%S.".into()),
        ..mapping(GDACS)
    };
    let parsed = poll_gdacs(described).await;
    assert!(parsed.incomplete.is_empty(), "{:?}", parsed.incomplete);
    assert!(parsed.items.iter().all(|i| i.published == Some("2025-10-16T17:02:58Z".parse().unwrap())));
}

#[tokio::test]
async fn without_time_format_gdacs_items_are_kept_and_the_problem_noted() {
    let parsed = poll_gdacs(JsonMapping { time_format: None, ..mapping(GDACS) }).await;
    assert_eq!(parsed.items.len(), 6, "not one of them dropped: {:?}", parsed.skipped);
    assert!(parsed.skipped.is_empty());
    assert!(parsed.items.iter().all(|i| i.published.is_none()));
    assert_eq!(parsed.incomplete.len(), 6);
    assert_eq!(
        parsed.incomplete[0],
        "item 0: time /properties/fromdate: date \"2025-10-16T17:02:58\" has no time zone (time_format in \
         [feed.map] reads other forms); kept with the time it was first seen"
    );
    // A format that does not fit says so, and still costs no item.
    let wrong = JsonMapping { time_format: Some("%d %b %Y %H:%M:%S".into()), ..mapping(GDACS) };
    let parsed = poll_gdacs(wrong).await;
    assert_eq!(parsed.items.len(), 6);
    assert!(
        parsed.incomplete[5].starts_with(
            "item 5: time /properties/fromdate: \"2025-10-16T17:02:58\" does not match time_format \"%d %b %Y %H:%M:%S\""
        ),
        "{:?}",
        parsed.incomplete
    );
}

#[test]
fn hostile_documents_give_clear_errors() {
    let err = |body: &[u8]| json::parse("j", body, &simple(), now()).unwrap_err().to_string();
    assert!(err(hostile::HTML_PAGE).contains("bad JSON at line 1 column 1"));
    assert!(err(b"{\"data\": [\"\xff\"]}").contains("bad JSON at line 1"));
    let full = fixture(LIST);
    assert!(err(hostile::truncated(&full, 5000)).contains("EOF while parsing"));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let e = err(deep.as_bytes());
    assert!(e.contains("recursion limit exceeded"), "{e}");
    assert!(err(br#"{"data": [{"id": 1, "lat": NaN, "lon": 0}]}"#).contains("line 1 column"));
    let e = err(br#"{"data": [{"id": 1, "lat": 1e400, "lon": 0}]}"#);
    assert!(e.contains("number out of range"), "{e}");
    assert!(err(br#"{"data": {"id": 1}}"#).contains("leads to an object, not an array"));
    assert!(err(br#"{"items": []}"#).contains("map.items \"/data\" is not in the document"));
    assert!(err(b"").contains("EOF"));
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = json::parse("j", &body, &simple(), now());
    }

    #[test]
    fn arbitrary_json_values_never_panic(
        id in prop_oneof![Just("1".to_string()), Just("\"x\"".to_string()), Just("null".to_string()), Just("[]".to_string())],
        when in prop_oneof![Just("-1e300".to_string()), Just("9e18".to_string()), Just("\"\"".to_string()), Just("{}".to_string())],
        lat in prop_oneof![Just("-1e308".to_string()), Just("\"1e999\"".to_string()), Just("45".to_string())],
    ) {
        let body = format!("{{\"data\": [{{\"id\": {id}, \"when\": {when}, \"lat\": {lat}, \"lon\": 1}}]}}");
        let _ = json::parse("j", body.as_bytes(), &simple(), now());
    }
}
