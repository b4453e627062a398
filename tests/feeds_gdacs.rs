//! GDACS RSS on real published documents (tests/fixtures/gdacs, sources in SOURCES.md), and on
//! hostile input.

mod hostile;

use attache::domain::{Location, Severity, Traffic};
use attache::event::WithdrawReason;
use attache::feeds::{Parsed, gdacs};
use chrono::{DateTime, Utc};
use proptest::prelude::*;

/// When GDACS wrote the captured documents (the 16-item file's closing comment).
fn captured() -> DateTime<Utc> {
    "2019-12-30T02:38:17Z".parse().unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/gdacs/{name}")).unwrap()
}

fn parse_at(name: &str, now: DateTime<Utc>) -> Parsed {
    gdacs::parse("gdacs", &fixture(name), now).unwrap()
}

const CURRENT_16: &str = "gdacs-rss-2019-12-30-current-16items-dr-eq-tc.xml";
const WEEK_115: &str = "gdacs-rss-7d-2019-12-30-115items-dr-eq-tc-vo.xml";
const SUBSET_4: &str = "gdacs-rss-fixture-4items-tc-eq-dr.xml";

#[test]
fn current_items_are_listed_and_the_rest_withdrawn() {
    let parsed = parse_at(CURRENT_16, captured());
    assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
    assert_eq!(parsed.items.len(), 7, "seven items are iscurrent=true");
    assert_eq!(parsed.withdrawn.len(), 9, "nine are iscurrent=false");
    assert!(parsed.withdrawn.iter().all(|(_, r)| *r == WithdrawReason::Expired));
    assert!(parsed.withdrawn.iter().any(|(id, _)| id == "DR1013281"));
    let ids: Vec<_> = parsed.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        ["TC1000643", "EQ1199929", "TC1000642", "EQ1199647", "TC1000641", "DR1013682", "DR1013588"]
    );
}

#[test]
fn fields_come_through_as_published() {
    let parsed = parse_at(CURRENT_16, captured());
    let phanfone = parsed.items.iter().find(|i| i.id == "TC1000641").unwrap();
    assert!(phanfone.title.starts_with("Orange alert for tropical cyclone PHANFONE-19."));
    assert_eq!(phanfone.severity, Severity::Severe);
    assert_eq!(phanfone.severity_raw.as_deref(), Some("Orange"));
    assert_eq!(phanfone.category.as_deref(), Some("tropical cyclone"));
    assert_eq!(phanfone.traffic, Traffic::Real);
    // The point, not the bounding box: GDACS's box for this storm does not even contain it.
    assert_eq!(phanfone.location, Some(Location::Point { lat: 14.6, lon: 112.1 }));
    assert_eq!(phanfone.published, Some("2019-12-21T18:00:00Z".parse().unwrap()));
    assert_eq!(phanfone.updated, Some("2019-12-28T18:00:00Z".parse().unwrap()));
    assert_eq!(phanfone.expires, Some("2020-01-04T18:00:00Z".parse().unwrap()));
    let summary = phanfone.summary.as_deref().unwrap();
    assert!(summary.contains("is 4.477 million"), "{summary}");
    assert!(summary.contains("countries: Philippines (PHL)"), "{summary}");
    assert!(summary.contains("episode 29"), "{summary}");
    assert_eq!(
        phanfone.link.as_deref(),
        Some("http://www.gdacs.org/report.aspx?eventtype=TC&eventid=1000641")
    );

    let quake = parsed.items.iter().find(|i| i.id == "EQ1199929").unwrap();
    assert_eq!(quake.magnitude, Some(5.5));
    assert_eq!(quake.severity, Severity::Minor, "Green");
    assert_eq!(quake.location, Some(Location::Point { lat: -44.5653, lon: 37.087 }));

    let drought = parsed.items.iter().find(|i| i.id == "DR1013682").unwrap();
    assert!(drought.summary.as_deref().unwrap().contains("countries: Bulgaria, Iraq, Iran, Turkey (BGR)"));
    assert_eq!(drought.magnitude, None, "km2 is not a magnitude");
}

#[test]
fn the_week_feed_parses_every_item() {
    let parsed = parse_at(WEEK_115, captured());
    assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
    assert_eq!(parsed.items.len() + parsed.withdrawn.len(), 115);
    assert!(parsed.withdrawn.len() >= 43, "43 items are iscurrent=false");
    // The one volcano (Nishinoshima) is no longer current.
    assert!(parsed.withdrawn.iter().any(|(id, _)| id.starts_with("VO")));
    assert!(parsed.items.iter().all(|i| i.category.as_deref() != Some("volcano")));
}

#[test]
fn the_subset_file_gives_the_same_items_as_the_full_one() {
    let full = parse_at(CURRENT_16, captured());
    let subset = parse_at(SUBSET_4, captured());
    assert_eq!(subset.items.len(), 4);
    for item in &subset.items {
        assert_eq!(Some(item), full.items.iter().find(|i| i.id == item.id));
    }
}

#[test]
fn years_later_nothing_is_current() {
    let parsed = parse_at(CURRENT_16, "2026-11-25T12:00:00Z".parse().unwrap());
    assert!(parsed.items.is_empty());
    assert_eq!(parsed.withdrawn.len(), 16);
}

#[test]
fn a_new_episode_updates_the_same_item() {
    let body = String::from_utf8(fixture(SUBSET_4)).unwrap();
    let next = body
        .replace("<gdacs:episodeid>1</gdacs:episodeid>", "<gdacs:episodeid>2</gdacs:episodeid>")
        .replace("<gdacs:alertlevel>Green</gdacs:alertlevel>", "<gdacs:alertlevel>Red</gdacs:alertlevel>");
    let before = gdacs::parse("gdacs", body.as_bytes(), captured()).unwrap();
    let after = gdacs::parse("gdacs", next.as_bytes(), captured()).unwrap();
    let ids = |p: &Parsed| p.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&before), ids(&after));
    assert_ne!(before.items[0], after.items[0]);
    assert_eq!(after.items[0].severity, Severity::Critical);
}

#[test]
fn hostile_documents_give_clear_errors() {
    let now = captured();
    let err = |body: &[u8]| gdacs::parse("gdacs", body, now).unwrap_err().to_string();
    assert!(err(hostile::HTML_PAGE).contains("root element is <html>"), "{}", err(hostile::HTML_PAGE));
    assert!(err(hostile::INVALID_UTF8).contains("invalid UTF-8 at byte"));
    let full = fixture(SUBSET_4);
    let cut = err(hostile::truncated(&full, 20_000));
    assert!(cut.contains("bad XML") && cut.contains("ends at line 238"), "{cut}");
    let laughs = err(&hostile::billion_laughs("rss"));
    assert!(laughs.contains("entity"), "{laughs}");
    let xxe = hostile::external_entity(
        "rss",
        "<rss xmlns:gdacs=\"http://www.gdacs.org\"><channel><item><title>XXE</title></item></channel></rss>",
    );
    assert!(err(&xxe).contains("bad XML"), "{}", err(&xxe));
    assert!(err(b"<feed xmlns='http://www.w3.org/2005/Atom'/>").contains("root element is <feed>"));
    let news = b"<rss><channel><item><title>News</title></item></channel></rss>";
    assert!(err(news).contains("without any gdacs: fields"));
}

#[test]
fn bad_entries_cost_only_themselves() {
    let body = br#"<rss xmlns:gdacs="http://www.gdacs.org" xmlns:geo="http://www.w3.org/2003/01/geo/wgs84_pos#"><channel>
        <item><title>no id</title></item>
        <item><gdacs:eventtype>EQ</gdacs:eventtype><gdacs:eventid>1</gdacs:eventid>
              <gdacs:fromdate>2019-12-29 12:00</gdacs:fromdate></item>
        <item><gdacs:eventtype>EQ</gdacs:eventtype><gdacs:eventid>2</gdacs:eventid>
              <gdacs:todate>2019-12-29T12:00:00+05:30</gdacs:todate>
              <geo:Point><geo:lat>200</geo:lat><geo:long>NaN</geo:long></geo:Point>
              <gdacs:bbox>1e400 0 0 0</gdacs:bbox></item>
    </channel></rss>"#;
    let parsed = gdacs::parse("gdacs", body, captured()).unwrap();
    assert_eq!(parsed.skipped.len(), 2, "{:?}", parsed.skipped);
    assert!(parsed.skipped[0].starts_with("item 0 (line 2"), "{}", parsed.skipped[0]);
    assert!(parsed.skipped[1].contains("gdacs:fromdate"), "{}", parsed.skipped[1]);
    assert_eq!(parsed.items.len(), 1);
    assert_eq!(parsed.items[0].location, None, "latitude 200, NaN and 1e400 are no place");
    assert_eq!(parsed.items[0].updated, Some("2019-12-29T06:30:00Z".parse().unwrap()), "zones are honoured");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = gdacs::parse("gdacs", &body, captured());
    }

    #[test]
    fn mangled_real_documents_never_panic(cut in 0usize..54_828, byte in any::<u8>()) {
        let mut body = fixture(SUBSET_4);
        if cut < body.len() {
            body[cut] = byte;
            body.truncate(cut + (cut % 997));
        }
        let _ = gdacs::parse("gdacs", &body, captured());
    }
}
