//! RSS 2.0, RSS 1.0 (RDF) and Atom news feeds from real publishers (tests/fixtures/rss, sources
//! in SOURCES.md), and hostile input.

mod hostile;

use attache::alerts::Rule;
use attache::domain::{Area, FeedItem, Location, Mission, MissionKind, MissionStatus, Severity, Traffic};
use attache::feeds::{Parsed, rss};
use chrono::{DateTime, Utc};
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/rss/{name}")).unwrap()
}

fn parse(name: &str) -> Parsed {
    let parsed = rss::parse("news", &fixture(name), now()).unwrap();
    assert!(parsed.skipped.is_empty(), "{name}: {:?}", parsed.skipped);
    parsed
}

#[test]
fn every_real_document_parses_completely() {
    for (name, count) in [
        ("bbc-news-world-rss20-2017-stylesheet-pi.xml", 3),
        ("debian-news-rss10-rdf.xml", 1),
        ("ilgiornale-cronache-rss20-escaped-html-italian.xml", 1),
        ("un-news-europe-rss20-2022.xml", 30),
        ("usgs-earthquakes-past-hour-atom10-html-summary.xml", 1),
        ("xmlcom-rss10-spec-sample-no-dates.xml", 2),
    ] {
        let parsed = parse(name);
        assert_eq!(parsed.items.len(), count, "{name}");
        for item in &parsed.items {
            assert!(!item.id.is_empty() && !item.title.is_empty(), "{name}: {item:?}");
            assert_eq!((item.severity, item.traffic), (Severity::Info, Traffic::Real));
            assert!(
                !item.title.contains('<') && !item.summary.as_deref().unwrap_or("").contains("<p"),
                "{item:?}"
            );
        }
    }
}

#[test]
fn rss2_with_a_stylesheet_and_cdata() {
    let parsed = parse("bbc-news-world-rss20-2017-stylesheet-pi.xml");
    let first = &parsed.items[0];
    assert_eq!(first.id, "http://www.bbc.co.uk/news/world-europe-38691103");
    assert_eq!(first.title, "Rigopiano avalanche: Eight found alive in Italy hotel after two days");
    assert_eq!(
        first.summary.as_deref(),
        Some("Two children are among the eight who have spent at least 40 hours buried in snow and rubble.")
    );
    assert_eq!(first.link.as_deref(), Some("http://www.bbc.co.uk/news/world-europe-38691103"));
    assert_eq!(first.published, Some("2017-01-20T12:55:28Z".parse().unwrap()));
}

#[test]
fn escaped_html_becomes_text() {
    let item = parse("ilgiornale-cronache-rss20-escaped-html-italian.xml").items.remove(0);
    assert_eq!(
        item.title,
        "Arrestato in Pakistan Shabbar Abbas. In Italia è accusato per l'omicidio di Saman"
    );
    let summary = item.summary.unwrap();
    assert!(summary.starts_with("È stato arrestato in Pakistan"), "{summary}");
    assert!(summary.contains("l'uomo è accusato") && summary.contains("d'onore"), "{summary}");
    assert_eq!(item.published, Some("2022-11-15T20:15:04Z".parse().unwrap()), "a bare Z zone");
    assert_eq!(item.category.as_deref(), Some("Cronaca nera"));
}

#[test]
fn atom_with_an_html_summary() {
    let item = parse("usgs-earthquakes-past-hour-atom10-html-summary.xml").items.remove(0);
    assert_eq!(item.id, "urn:earthquake-usgs-gov:nc:73239366");
    assert_eq!(item.title, "M 3.6 - 15km W of Petrolia, CA");
    assert_eq!(item.link.as_deref(), Some("https://earthquake.usgs.gov/earthquakes/eventpage/nc73239366"));
    let summary = item.cleaned().summary.unwrap();
    assert!(summary.contains("ShakeMap - II DYFI? - IV"), "{summary}");
    assert!(summary.contains("40.347°N 124.460°W"), "{summary}");
    assert_eq!(item.published, Some("2019-07-31T13:07:31.364Z".parse().unwrap()));
}

#[test]
fn rss1_with_and_without_dates() {
    let debian = parse("debian-news-rss10-rdf.xml").items.remove(0);
    assert_eq!(debian.title, "Updated Debian 11: 11.6 released");
    assert!(debian.summary.unwrap().contains("(codename bullseye)"), "the escaped <q> is stripped");
    assert_eq!(debian.published, Some("2022-12-17T00:00:00Z".parse().unwrap()), "a date with no time");
    let spec: Vec<FeedItem> = parse("xmlcom-rss10-spec-sample-no-dates.xml").items;
    assert_eq!(spec[1].title, "Putting RDF to Work");
    assert!(spec.iter().all(|i| i.published.is_none() && i.updated.is_none()));
    assert_eq!(spec[0].id, "http://xml.com/pub/2000/08/09/xslt/xslt.html");
}

#[test]
fn un_news_in_rss2() {
    let parsed = parse("un-news-europe-rss20-2022.xml");
    let first = &parsed.items[0];
    assert_eq!(first.title, "First Person: \u{2018}I fear I will never see my husband again\u{2019}");
    assert!(first.summary.as_deref().unwrap().starts_with("Nataliia Vladimirova fled her home in Kharkiv"));
    let mut ids: Vec<_> = parsed.items.iter().map(|i| &i.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 30, "ids are distinct");
}

#[test]
fn ids_are_stable_without_guid_or_link() {
    let body = b"<rss version='2.0'><channel><title>t</title><item><title>Only a title</title></item>\
        <item><description>nothing to know it by</description></item></channel></rss>";
    let a = rss::parse("news", body, now()).unwrap();
    let b = rss::parse("news", body, now()).unwrap();
    assert_eq!(a.items.len(), 1);
    assert_eq!(a.items[0].id, b.items[0].id, "the same on every poll");
    assert!(a.items[0].id.starts_with("title-sha256-"));
    assert_eq!(a.skipped, ["entry 1: no guid, id, link or title to know it by"]);
}

#[test]
fn unreadable_dates_leave_the_item_undated_with_a_note() {
    let body = b"<rss version='2.0'><channel><title>t</title>\
        <item><guid>1</guid><title>a</title><pubDate>le 3 mars</pubDate></item>\
        <item><guid>2</guid><title>b</title><pubDate>2022-03-03T10:00:00</pubDate></item>\
        <item><guid>3</guid><title>c</title><pubDate>Thu, 03 Mar 2022 10:00:00 +0530</pubDate></item>\
        </channel></rss>";
    let parsed = rss::parse("news", body, now()).unwrap();
    assert_eq!(parsed.items.len(), 3);
    assert_eq!(parsed.items[0].published, None);
    assert_eq!(parsed.items[1].published, None, "no zone: not guessed");
    assert_eq!(parsed.items[2].published, Some("2022-03-03T04:30:00Z".parse().unwrap()));
    assert!(parsed.skipped.is_empty(), "kept items are not skipped: {:?}", parsed.skipped);
    assert_eq!(parsed.incomplete.len(), 2);
    assert!(
        parsed.incomplete[0].starts_with("entry 0: date \"le 3 mars\" not understood"),
        "{:?}",
        parsed.incomplete
    );
    assert!(
        parsed.incomplete[1].starts_with("entry 1: date \"2022-03-03T10:00:00\""),
        "{:?}",
        parsed.incomplete
    );
}

fn mission_at(lat: f64, lon: f64, radius_km: f64) -> Mission {
    Mission {
        id: "AOR".into(),
        name: "area of responsibility".into(),
        kind: MissionKind::JointTaskForce,
        status: MissionStatus::Active,
        country: "US".into(),
        area: Area::Circle { lat, lon, radius_km },
        lead: None,
        partners: vec![],
        start: None,
        end: None,
    }
}

#[test]
fn a_georss_point_locates_the_entry_for_geographic_rules() {
    let item = parse("usgs-earthquakes-past-hour-atom10-html-summary.xml").items.remove(0);
    assert_eq!(item.location, Some(Location::Point { lat: 40.3465004, lon: -124.4599991 }));
    let mut near = Rule::new("near the coast", Severity::Moderate);
    near.near_mission_km = Some(50.0);
    // Eureka, CA is some 60 km north of Petrolia: within reach of a 20 km area plus 50 km.
    assert!(near.matches(&item, &[mission_at(40.80, -124.16, 20.0)], &[]).is_some());
    assert!(near.matches(&item, &[mission_at(14.6, 121.0, 20.0)], &[]).is_none(), "Manila is not");
}

#[test]
fn w3c_geo_and_gml_positions_as_publishers_write_them() {
    let yahoo = rss::parse(
        "news",
        &fixture("yahoo-weather-rss20-2012-w3c-geo-lat-long-space-before-declaration.xml"),
        now(),
    )
    .unwrap();
    assert!(yahoo.skipped.is_empty(), "{:?}", yahoo.skipped);
    let weather = &yahoo.items[0];
    assert_eq!(weather.location, Some(Location::Point { lat: 34.05, lon: -118.25 }));
    assert_eq!(weather.title, "Conditions for Los Angeles, CA at 11:47 am PDT");
    assert_eq!(weather.published, None, "\"11:47 am PDT\" is not RFC 2822");
    assert_eq!(
        yahoo.incomplete,
        ["entry 0: date \"Mon, 23 Jul 2012 11:47 am PDT\" not understood: the item is kept without it"],
        "the channel's own lastBuildDate is no item's concern"
    );

    let stores = parse("walmart-stores-rss20-georss-gml-where-excerpt.xml");
    assert_eq!(stores.items.len(), 2);
    for store in &stores.items {
        assert_eq!(store.location, Some(Location::Point { lat: 36.3651, lon: -94.2145 }), "{store:?}");
        assert!(store.id.starts_with("title-sha256-"), "no guid or link: {store:?}");
    }
}

#[test]
fn gdacs_rss_read_as_news_keeps_its_positions() {
    for (name, count) in [
        ("gdacs-rss-fixture-4items-tc-eq-dr.xml", 4),
        ("gdacs-rss-2019-12-30-current-16items-dr-eq-tc.xml", 16),
        ("gdacs-rss-7d-2019-12-30-115items-dr-eq-tc-vo.xml", 115),
    ] {
        let body = std::fs::read(format!("tests/fixtures/gdacs/{name}")).unwrap();
        let parsed = rss::parse("news", &body, now()).unwrap();
        assert!(parsed.skipped.is_empty() && parsed.incomplete.is_empty(), "{name}: {parsed:?}");
        assert_eq!(parsed.items.len(), count, "{name}");
        let unlocated: Vec<_> = parsed.items.iter().filter(|i| i.location.is_none()).map(|i| &i.id).collect();
        assert!(unlocated.is_empty(), "{name}: {unlocated:?}");
    }
    let body = std::fs::read("tests/fixtures/gdacs/gdacs-rss-fixture-4items-tc-eq-dr.xml").unwrap();
    let first = rss::parse("news", &body, now()).unwrap().items.remove(0);
    assert_eq!(first.location, Some(Location::Point { lat: -19.4, lon: 59.8 }));
}

#[test]
fn positions_that_cannot_be_read_keep_the_entry_and_say_why() {
    let body = b"<rss version='2.0' xmlns:georss='http://www.georss.org/georss'><channel><title>t</title>\
        <item><guid>lon-first</guid><title>a</title><georss:point>-124.46 40.35</georss:point></item>\
        <item><guid>padded</guid><title>b</title><georss:point>\n\t 14.6 ,\n 121.0 </georss:point></item>\
        <item><guid>none</guid><title>c</title></item>\
        </channel></rss>";
    let parsed = rss::parse("news", body, now()).unwrap();
    assert_eq!(parsed.items.len(), 3);
    assert_eq!(parsed.items[0].location, None, "not guessed");
    assert_eq!(parsed.items[1].location, Some(Location::Point { lat: 14.6, lon: 121.0 }));
    assert_eq!(parsed.items[2].location, None);
    assert_eq!(
        parsed.incomplete,
        [
            "entry 0: georss:point \"-124.46 40.35\" is not a latitude and longitude on earth (longitude first? \
          GeoRSS puts latitude first); kept without a position"
        ]
    );
}

#[test]
fn positions_under_any_prefix_in_a_declared_encoding() {
    // ISO-8859-1, as some publishers still declare; GeoRSS bound to another prefix, with the
    // namespace's trailing slash some write; a W3C point inside geo:Point.
    let body = b"<?xml version='1.0' encoding='ISO-8859-1'?>\
        <rss version='2.0' xmlns:g='http://www.georss.org/georss/' xmlns:w='http://www.w3.org/2003/01/geo/wgs84_pos#'>\
        <channel><title>t</title>\
        <item><guid>1</guid><title>Usulut\xe1n</title><g:point>13.35 -88.44</g:point></item>\
        <item><guid>2</guid><title>b</title><w:Point><w:lat>-19.4</w:lat><w:long>59.8</w:long></w:Point></item>\
        </channel></rss>";
    let parsed = rss::parse("news", body, now()).unwrap();
    assert!(parsed.incomplete.is_empty(), "{:?}", parsed.incomplete);
    assert_eq!(parsed.items[0].title, "Usulut\u{e1}n");
    assert_eq!(parsed.items[0].location, Some(Location::Point { lat: 13.35, lon: -88.44 }));
    assert_eq!(parsed.items[1].location, Some(Location::Point { lat: -19.4, lon: 59.8 }));
}

#[test]
fn hostile_documents_give_clear_errors() {
    let err = |body: &[u8]| rss::parse("news", body, now()).unwrap_err().to_string();
    let html = err(hostile::HTML_PAGE);
    assert!(html.contains("no <rss>, <rdf:RDF> or <feed> root element"), "{html}");
    let utf8 = err(hostile::INVALID_UTF8);
    assert!(utf8.contains("invalid UTF-8 at byte 44 (line 2)"), "{utf8}");
    let full = fixture("bbc-news-world-rss20-2017-stylesheet-pi.xml");
    let cut = rss::parse("news", hostile::truncated(&full, 1500), now());
    assert!(cut.as_ref().is_err() || cut.as_ref().unwrap().items.len() < 3, "{cut:?}");
    assert!(err(&hostile::billion_laughs("rss")).contains("declares XML entities"));
    let xxe = hostile::external_entity(
        "rss",
        "<rss version='2.0'><channel><item><title>XXE</title></item></channel></rss>",
    );
    assert!(err(&xxe).contains("declares XML entities"));
    assert!(err(b"   ").contains("not a readable"));
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = rss::parse("news", &body, now());
    }

    #[test]
    fn mangled_real_documents_never_panic(cut in 0usize..3_051, byte in any::<u8>()) {
        let mut body = fixture("bbc-news-world-rss20-2017-stylesheet-pi.xml");
        if cut < body.len() {
            body[cut] = byte;
        }
        let _ = rss::parse("news", &body, now());
        body.truncate(cut);
        let _ = rss::parse("news", &body, now());
    }
}

/// Hand-made feeds write a bare `&` ("Q&A", a link's `?a=1&b=2`), which is not XML: the feed is
/// read with each one taken as text, and said to be incomplete, rather than lost whole.
#[test]
fn a_bare_ampersand_is_read_as_text_and_noted() {
    let doc = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
        xmlns:georss=\"http://www.georss.org/georss\"><channel><title>Ops & Plans</title>\
        <item><title>Q&A with the MINUSCA Force Commander</title>\
        <link>https://example.org/news?id=7&lang=en</link><guid>7</guid>\
        <description><![CDATA[Bangui & Bambari]]></description>\
        <georss:point>4.36 18.55</georss:point></item>\
        <item><title>AT&amp;T outage &#8211; Manila</title><guid>8</guid></item></channel></rss>";
    let parsed = rss::parse("news", doc, now()).unwrap();
    let titles: Vec<&str> = parsed.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Q&A with the MINUSCA Force Commander", "AT&T outage – Manila"]);
    assert_eq!(parsed.items[0].link.as_deref(), Some("https://example.org/news?id=7&lang=en"));
    assert_eq!(parsed.items[0].summary.as_deref(), Some("Bangui & Bambari"));
    assert!(parsed.items[0].location.is_some(), "positions are read from the mended text too");
    assert_eq!(parsed.incomplete, ["not well-formed XML: 3 bare ampersands (&) read as text"]);
    // A document broken otherwise is still refused, with feed-rs's words on that other fault
    // (not on the `&`, where its first reading stopped).
    let broken = b"<rss version=\"2.0\"><channel><title>A & B</title><item><title>x</title></channel></rss>";
    let error = rss::parse("news", broken, now()).unwrap_err().to_string();
    assert!(error.contains("not a readable RSS") && !error.contains("reference"), "{error}");
}
