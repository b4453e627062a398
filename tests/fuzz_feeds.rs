//! Fuzzing every feed parser: documents from tests/fixtures (each kept with its source in the
//! directory's SOURCES.md), mutated by flips, cuts, deletions, insertions of random bytes and of
//! tokens that mean something to the formats, and duplicated runs. Whatever the document, a
//! parser returns items or a clear error, never panics, and every item it returns has a place on
//! the globe (or none) and survives the journal's JSON round trip.
//! `FUZZ_CASES=N cargo test --test fuzz_feeds` runs N times as many cases.

mod fuzz_support;

use std::sync::LazyLock;

use attache::domain::{FeedItem, Location};
use attache::feeds::json::JsonMapping;
use attache::feeds::spec::FeedKind;
use attache::feeds::{self, ParseError, Parsed};
use chrono::{DateTime, Utc};
use fuzz_support::{config, corpus, mutated};
use proptest::prelude::*;

/// Fixtures up to this size: the large ones (a 1.5 MB GDACS week) make a debug case slow.
const SEED_MAX: u64 = 64 * 1024;

static USGS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| corpus("usgs", &[".geojson"], SEED_MAX));
static GDACS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| corpus("gdacs", &[".xml"], SEED_MAX));
static CAP: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| corpus("cap", &[".xml"], SEED_MAX));
static RSS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| corpus("rss", &[".xml"], SEED_MAX));
static JSON: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| corpus("json", &[".json", ".geojson"], SEED_MAX));
static COT: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| corpus("cot", &[".xml", ".cotstream"], SEED_MAX));

fn now() -> DateTime<Utc> {
    "2024-02-06T12:00:00Z".parse().unwrap()
}

/// The mappings shipped beside the JSON fixtures, plus one that points everywhere at once.
static MAPPINGS: LazyLock<Vec<JsonMapping>> = LazyLock::new(|| {
    let mut maps: Vec<JsonMapping> = std::fs::read_dir("tests/fixtures/json")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".mapping.toml"))
        .map(|p| toml::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    maps.sort_by(|a, b| a.items.cmp(&b.items).then(a.id.cmp(&b.id)));
    maps
});

/// What every parse must hold, error or not.
fn check(result: Result<Parsed, ParseError>) -> Result<(), TestCaseError> {
    let Ok(parsed) = result else { return Ok(()) };
    for item in &parsed.items {
        check_item(item)?;
    }
    Ok(())
}

fn on_globe(lat: f64, lon: f64) -> bool {
    lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)
}

fn check_location(location: &Location) -> Result<(), TestCaseError> {
    match location {
        Location::Point { lat, lon } => prop_assert!(on_globe(*lat, *lon), "{location:?}"),
        Location::Circle { lat, lon, radius_km } => {
            prop_assert!(on_globe(*lat, *lon), "{location:?}");
            prop_assert!(radius_km.is_finite() && *radius_km >= 0.0, "{location:?}");
        }
        Location::Polygon { points } => {
            for [lat, lon] in points {
                prop_assert!(on_globe(*lat, *lon), "{location:?}");
            }
        }
        Location::Bbox { lat_min, lat_max, lon_min, lon_max } => {
            prop_assert!(on_globe(*lat_min, *lon_min) && on_globe(*lat_max, *lon_max), "{location:?}");
        }
        Location::Multi { parts } => {
            for part in parts {
                check_location(part)?;
            }
        }
    }
    Ok(())
}

fn check_item(item: &FeedItem) -> Result<(), TestCaseError> {
    if let Some(location) = &item.location {
        check_location(location)?;
    }
    if let Some(magnitude) = item.magnitude {
        prop_assert!(magnitude.is_finite(), "{item:?}");
    }
    // The journal records items as JSON: what a parser returns must read back the same.
    let json = serde_json::to_string(item).map_err(|e| TestCaseError::fail(format!("{e}: {item:?}")))?;
    let back: FeedItem =
        serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
    prop_assert_eq!(&back, item, "{}", json);
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn usgs_geojson_never_panics(doc in mutated(&USGS, 6)) {
        check(feeds::parse(FeedKind::UsgsGeojson, "usgs", None, &doc, now()))?;
    }

    #[test]
    fn gdacs_rss_never_panics(doc in mutated(&GDACS, 6)) {
        check(feeds::parse(FeedKind::GdacsRss, "gdacs", None, &doc, now()))?;
    }

    #[test]
    fn cap_alerts_never_panic(doc in mutated(&CAP, 6)) {
        check(feeds::parse(FeedKind::Cap, "cap", None, &doc, now()))?;
    }

    #[test]
    fn cap_index_links_never_panic(doc in mutated(&CAP, 6)) {
        if let Ok(links) = feeds::cap::alert_links(&doc) {
            for link in links {
                prop_assert!(!link.is_empty());
            }
        }
    }

    #[test]
    fn rss_atom_and_georss_never_panic(doc in mutated(&RSS, 6)) {
        check(feeds::parse(FeedKind::Rss, "rss", None, &doc, now()))?;
    }

    #[test]
    fn json_mapping_never_panics(doc in mutated(&JSON, 6), map in 0..8usize) {
        let maps = &*MAPPINGS;
        check(feeds::parse(FeedKind::Json, "json", Some(&maps[map % maps.len()]), &doc, now()))?;
    }

    #[test]
    fn cot_events_never_panic(doc in mutated(&COT, 6)) {
        check(feeds::parse(FeedKind::CotUdp, "tak", None, &doc, now()))?;
    }

    /// Arbitrary pointers over arbitrary JSON: a mapping is validated, never trusted.
    #[test]
    fn any_mapping_over_any_json(
        doc in mutated(&JSON, 3),
        pointers in proptest::collection::vec("(/[a-z0-9~]{0,6}){0,4}|[^/].{0,4}", 9),
        time_format in proptest::option::of("(%[a-zA-Z%:.+#0-9-]|[ -~]){0,8}"),
    ) {
        let p = |i: usize| Some(pointers[i].clone());
        let map = JsonMapping {
            items: pointers[0].clone(),
            id: pointers[1].clone(),
            title: p(2),
            time: p(3),
            time_format,
            link: p(4),
            lat: p(5),
            lon: p(6),
            severity: p(7),
            summary: p(8),
        };
        check(feeds::parse(FeedKind::Json, "json", Some(&map), &doc, now()))?;
    }

    /// Bytes with no structure at all, for every kind.
    #[test]
    fn arbitrary_bytes_for_every_kind(doc in proptest::collection::vec(any::<u8>(), 0..512)) {
        for kind in FeedKind::ALL {
            let map = (kind == FeedKind::Json).then(|| &MAPPINGS[0]);
            check(feeds::parse(kind, "any", map, &doc, now()))?;
        }
        let _ = feeds::cap::alert_links(&doc);
    }
}

/// Found by fuzzing: an XML declaration naming another encoding inside an RSS document made
/// quick-xml (under feed-rs) panic; it is refused as not well-formed, saying where.
#[test]
fn a_declaration_inside_an_rss_document_is_an_error_not_a_panic() {
    let doc = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>t</title>\
        <link><?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>https://example.org/</link>\
        <item><title>a</title><guid>1</guid></item></channel></rss>";
    let error = feeds::parse(FeedKind::Rss, "rss", None, doc, now()).unwrap_err();
    assert!(error.to_string().contains("an XML declaration on line"), "{error}");
    // In CDATA it is text, and the document reads.
    let doc = b"<rss version=\"2.0\"><channel><title>t</title><item><title>a</title><guid>1</guid>\
        <description><![CDATA[<?xml version=\"1.0\"?>]]></description></item></channel></rss>";
    assert_eq!(feeds::parse(FeedKind::Rss, "rss", None, doc, now()).unwrap().items.len(), 1);
}

/// Found by fuzzing: a `<![CDATA[` inside an attribute value is no CDATA section, so the
/// declaration after it is markup, and it reached quick-xml's mid-document encoding change.
#[test]
fn a_declaration_after_cdata_like_text_in_an_attribute_is_an_error_not_a_panic() {
    let doc = b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><entry><id>1</id>\
        <title>a</title><category term=\"<![CDATA[\"/><?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\
        </entry></feed>";
    let error = feeds::parse(FeedKind::Rss, "rss", None, doc, now()).unwrap_err();
    assert!(error.to_string().contains("an XML declaration on line"), "{error}");
}

/// A declaration longer than quick-xml's 64-byte look-ahead, or after blank lines (as PHP sites
/// send), naming a single-byte encoding: quick-xml panicked changing the decoder so late.
#[test]
fn a_long_or_indented_declaration_of_latin_1_reads() {
    let title = b"<title>Caf\xe9 Ren\xe9</title>";
    for head in [
        &b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\" standalone=\"yes\"          ?>"[..],
        &b"\n\n<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"[..],
        &b"\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n<?xml version=\"1.0\" encoding=\"windows-1252\"?>"[..],
    ] {
        let mut doc = head.to_vec();
        doc.extend_from_slice(b"\n<rss version=\"2.0\"><channel><title>t</title><item>");
        doc.extend_from_slice(title);
        doc.extend_from_slice(b"<guid>1</guid></item></channel></rss>");
        let parsed = feeds::parse(FeedKind::Rss, "rss", None, &doc, now())
            .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(head)));
        assert_eq!(parsed.items.len(), 1);
        assert_eq!(parsed.items[0].title, "Café René", "{}", String::from_utf8_lossy(head));
    }
}

/// Found by fuzzing: after a malformed reference (`&` then markup) quick-xml reads on, and so
/// does feed-rs, into the declaration behind it.
#[test]
fn a_declaration_after_a_bare_ampersand_is_an_error_not_a_panic() {
    let doc = b"<rss version=\"2.0\"><channel><title>t</title><item><title>a</title><guid>1</guid>\
        <description>Phone &<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>lt;br</description>\
        </item></channel></rss>";
    let error = feeds::parse(FeedKind::Rss, "rss", None, doc, now()).unwrap_err();
    assert!(error.to_string().contains("an XML declaration on line"), "{error}");
}

/// Found by fuzzing: a 17-digit coordinate read back from the journal's JSON a unit in the last
/// place off, so the item journaled was not the item read back.
#[test]
fn a_seventeen_digit_coordinate_survives_the_journal() {
    let doc = br#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"nc72934325",
        "properties":{"mag":1.05,"place":"23km NW of Parkfield, CA","time":1512340448030,
        "updated":1512341343063,"title":"M 1.1 - 23km NW of Parkfield, CA","url":"https://x"},
        "geometry":{"type":"Point","coordinates":[-120.61844674407372,36.0366669,1]}}]}"#;
    let parsed = feeds::parse(FeedKind::UsgsGeojson, "usgs", None, doc, now()).unwrap();
    assert_eq!(parsed.items.len(), 1);
    check(Ok(parsed)).unwrap();
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|unit| if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() })
        .collect()
}

/// Found in review: UTF-16 without a byte-order mark passed as UTF-8 (ASCII with NULs between),
/// so the check for late declarations read nothing, and feed-rs, which recognises `<\0?\0`,
/// met them and panicked. It is decoded as UTF-16 now, and a NUL is refused.
#[test]
fn utf16_without_a_byte_order_mark_reads_or_is_refused_never_a_panic() {
    let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><title>t</title>\
        <item><title>Caf\u{e9}</title><guid>1</guid></item></channel></rss>";
    for big_endian in [false, true] {
        let parsed = feeds::parse(FeedKind::Rss, "rss", None, &utf16(doc, big_endian), now()).unwrap();
        assert_eq!(parsed.items[0].title, "Café");
        let late = doc.replace("<guid>", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><guid>");
        let error = feeds::parse(FeedKind::Rss, "rss", None, &utf16(&late, big_endian), now()).unwrap_err();
        assert!(error.to_string().contains("an XML declaration on line"), "{error}");
    }
    let nul = b"<rss version=\"2.0\"><channel><title>t\0</title></channel></rss>";
    let error = feeds::parse(FeedKind::Rss, "rss", None, nul, now()).unwrap_err();
    assert!(error.to_string().contains("NUL"), "{error}");
}

/// `<?xml?>` is a declaration too (quick-xml reads it as one): at the start it is not refused.
#[test]
fn a_bare_declaration_opening_the_document_reads() {
    let doc = b"<?xml?><rss version=\"2.0\"><channel><title>t</title><item><title>a</title>\
        <guid>1</guid></item></channel></rss>";
    assert_eq!(feeds::parse(FeedKind::Rss, "rss", None, doc, now()).unwrap().items.len(), 1);
}

/// Found by fuzzing: a document whose first reading failed inside an entry, read again with a
/// bare `&` escaped by the same feed-rs parser, tripped an assertion in its MediaRSS state.
#[test]
fn a_second_reading_after_a_failed_one_is_not_a_panic() {
    let doc: &[u8] = b"<rss *275760-09-13T00:00:00Z<event xmlns:georss=\"http://www.georss.org/georss\" xmlns:gml=\"http://www.opengis.net/gml\" version=\"2.0\"><channel><title>Stores Feed</title><description>List of Stores</description><item><title>Home Office - NON-OPERATING 07890</title><description>Phone:  4792734000 &lt;br /&gt;Status:  Open&";
    let _ = feeds::parse(FeedKind::Rss, "rss", None, doc, now());
}
