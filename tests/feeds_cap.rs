//! CAP alerts and CAP indexes on real published documents (tests/fixtures/cap, sources in
//! SOURCES.md), and on hostile input.

mod hostile;

use attache::domain::{FeedItem, Location, Severity, Traffic};
use attache::event::WithdrawReason;
use attache::feeds::{Parsed, cap};
use chrono::{DateTime, Utc};
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/cap/{name}")).unwrap()
}

fn parse(name: &str) -> Parsed {
    let parsed = cap::parse("cap", &fixture(name), now()).unwrap();
    assert!(parsed.skipped.is_empty(), "{name}: {:?}", parsed.skipped);
    parsed
}

fn only(name: &str) -> FeedItem {
    let parsed = parse(name);
    assert_eq!(parsed.items.len(), 1, "{name}");
    parsed.items.into_iter().next().unwrap()
}

#[test]
fn the_oasis_example_with_odd_spacing() {
    let item = only("cap-oasis-spec-nws-severe-thunderstorm-polygon.xml");
    assert_eq!(item.id, "KSTO1055887203");
    assert_eq!(item.title, "SEVERE THUNDERSTORM WARNING");
    assert_eq!(item.severity, Severity::Severe);
    assert_eq!(item.severity_raw.as_deref(), Some("Severe"));
    assert_eq!(item.traffic, Traffic::Real);
    assert_eq!(item.category.as_deref(), Some("SEVERE THUNDERSTORM"));
    assert_eq!(item.published, Some("2003-06-17T21:57:00Z".parse().unwrap()));
    assert_eq!(item.expires, Some("2003-06-17T23:00:00Z".parse().unwrap()));
    let Some(Location::Polygon { points }) = &item.location else { panic!("{:?}", item.location) };
    assert_eq!(points.len(), 5);
    assert_eq!(points[0], [38.47, -120.14]);
    let summary = item.summary.unwrap();
    assert!(summary.contains("TAKE COVER IN A SUBSTANTIAL SHELTER"), "{summary}");
    assert!(summary.contains("urgency Immediate, certainty Observed"), "{summary}");
    assert!(summary.contains("geocodes: SAME 006109, SAME 006009, SAME 006003"), "{summary}");
}

#[test]
fn latin1_document_is_decoded() {
    let item = only("cap-usgs-earthquake-iso-8859-1-circle.xml");
    assert_eq!(item.title, "EQ 4.6 Usulután, Usulután, El Salvador - PRELIMINARY REPORT");
    assert_eq!(item.severity, Severity::Info, "Unknown");
    assert_eq!(item.location, Some(Location::Circle { lat: 12.747, lon: -88.783, radius_km: 0.0 }));
    assert_eq!(item.link.as_deref(), Some("http://earthquake.usgs.gov/earthquakes/eventpage/usB000D5T4"));
    assert_eq!(item.expires, Some("2012-10-21T22:53:04Z".parse().unwrap()));
}

#[test]
fn cap_prefixes_and_html_in_descriptions() {
    let item = only("cap-nsw-rfs-structure-fire-circle-cap-prefixed.xml");
    assert_eq!(item.id, "tag:www.rfs.nsw.gov.au2011-10-06:40184");
    assert_eq!(item.title, "Yerong Creek Structure Fire");
    assert_eq!(item.severity, Severity::Minor);
    // Both en-AU blocks give the same circle, kept once; their geocodes are both listed.
    assert_eq!(item.location, Some(Location::Circle { lat: -35.3888, lon: 147.0598, radius_km: 25.0 }));
    let summary = item.summary.unwrap();
    assert!(summary.contains("ALERT LEVEL: Not Applicable\nLOCATION: 12 Cox Street"), "{summary}");
    assert!(!summary.contains("<br"), "{summary}");
    assert!(summary.contains("AU-NSW") && summary.contains("2642"), "{summary}");
}

#[test]
fn english_is_chosen_among_languages() {
    let item = only("cap-eccc-naad-alert-2infos-polygons-empty-references.xml");
    assert_eq!(item.id, "urn:oid:2.49.0.1.124.3026064006.2019", "an empty <references/> changes nothing");
    assert_eq!(item.title, "special weather statement in effect");
    assert_eq!(item.link.as_deref(), Some("http://weather.gc.ca/warnings/index_e.html?prov=nl"));
    assert!(matches!(item.location, Some(Location::Polygon { .. })), "the fr-CA copy is not added");
}

#[test]
fn an_update_keeps_the_id_of_the_original_alert() {
    let item = only("cap-eccc-update-2infos-4areas-polygons.xml");
    assert_eq!(item.id, "2.49.0.1.124.a3f342a4.2012", "the earliest of the two references");
    assert_eq!(item.title, "severe thunderstorm watch");
    assert_eq!(item.published, Some("2012-05-02T21:45:05Z".parse().unwrap()));
    assert_eq!(item.updated, Some("2012-05-02T23:21:04Z".parse().unwrap()));
    let Some(Location::Multi { parts }) = &item.location else { panic!("{:?}", item.location) };
    assert_eq!(parts.len(), 2, "the two English areas");
    assert!(
        item.summary
            .unwrap()
            .contains("areas: Windsor - Leamington - Essex County; Chatham-Kent - Rondeau Park")
    );
}

#[test]
fn a_signed_cancel_without_info_withdraws_what_it_references() {
    let parsed = parse("cap-ipaws-athoc-cancel-no-info-signed.xml");
    assert!(parsed.items.is_empty());
    assert_eq!(
        parsed.withdrawn,
        vec![("1017033100951096-517189320160225203219800".to_string(), WithdrawReason::Cancelled)]
    );
}

#[test]
fn test_traffic_is_never_real() {
    let item = only("cap-pagasa-typhoon-status-test-polygon-signed.xml");
    assert_eq!(item.traffic, Traffic::Test);
    assert_eq!(item.title, "Tropical Cyclone Alert : Typhoon Paeng  [TEST]");
    let Some(Location::Polygon { points }) = &item.location else { panic!("{:?}", item.location) };
    assert_eq!(points[0], [21.0, 120.0]);
}

#[test]
fn nws_atom_index_in_the_cap_1_1_namespace() {
    let parsed = parse("cap-atom-nws-us-index-2entries-cap11.xml");
    assert_eq!(parsed.items.len(), 2);
    let wind = &parsed.items[1];
    assert!(wind.id.ends_with("HighWindWarning.125154105F10NM.ABQNPWABQ.5695225d7518f8d8e2bcfcd1108f98c2"));
    assert_eq!(
        wind.title,
        "High Wind Warning issued May 10 at 10:00PM MDT until May 11 at 7:00PM MDT by NWS"
    );
    assert_eq!(wind.severity, Severity::Severe);
    assert_eq!(wind.expires, Some("2014-05-12T01:00:00Z".parse().unwrap()));
    assert_eq!(wind.location, None, "an empty <cap:polygon/> is no shape");
    let summary = wind.summary.as_deref().unwrap();
    assert!(summary.starts_with("...VERY STRONG SOUTHWEST WINDS SUNDAY..."), "{summary}");
    assert!(summary.contains("FIPS6 035001 035003") && summary.contains("UGC NMZ508"), "{summary}");
    let links = cap::alert_links(&fixture("cap-atom-nws-us-index-2entries-cap11.xml")).unwrap();
    assert_eq!(links.len(), 2);
    assert!(
        links[0].starts_with("http://alerts.weather.gov/cap/wwacapget.php?x=NM125154019200.WindAdvisory")
    );
}

#[test]
fn meteoalarm_entries_of_one_alert_become_one_item() {
    let parsed = parse("cap-atom-meteoalarm-uk-legacy-index-25entries.xml");
    assert_eq!(parsed.items.len(), 4, "25 entries, one per area, of 4 alerts");
    let snow =
        parsed.items.iter().find(|i| i.id == "2.49.0.0.826.0.GB_221207102852_8785e37a.v3.0.SI").unwrap();
    assert_eq!(snow.title, "Yellow Snow-ice Warning issued for United Kingdom - Strathclyde");
    assert_eq!(snow.severity, Severity::Moderate);
    assert_eq!(snow.category.as_deref(), Some("Yellow snow warning"));
    let summary = snow.summary.as_deref().unwrap();
    assert!(summary.contains("areas: Strathclyde; Orkney & Shetland; Highlands & Eilean Siar"), "{summary}");
    assert!(summary.contains("EMMA_ID UK105"), "{summary}");
    let links = cap::alert_links(&fixture("cap-atom-meteoalarm-uk-legacy-index-25entries.xml")).unwrap();
    assert!(
        links.iter().all(|l| l.starts_with("https://feeds.meteoalarm.org/api/v1/warnings/")),
        "{links:?}"
    );
    assert!(links.len() >= 4 && links.len() <= 25, "{links:?}");
}

#[test]
fn krisinformation_without_status_or_msgtype() {
    let parsed = parse("cap-atom-krisinformation-se-index-4entries-circles.xml");
    assert_eq!(parsed.items.len(), 4);
    let gavle = &parsed.items[0];
    assert_eq!(gavle.title, "Viktigt meddelande till allmänheten i Gävle");
    assert_eq!(gavle.traffic, Traffic::Real);
    assert_eq!(gavle.severity, Severity::Info);
    // The publisher writes "lon,lat" where CAP says "lat,lon"; the document is read as the
    // standard says, not second-guessed (16.57 N, 61.44 E is a valid place).
    let Some(Location::Multi { parts }) = &gavle.location else { panic!("{:?}", gavle.location) };
    assert_eq!(parts[0], Location::Circle { lat: 16.5695265628148, lon: 61.4418656555802, radius_km: 0.0 });
    let links = cap::alert_links(&fixture("cap-atom-krisinformation-se-index-4entries-circles.xml")).unwrap();
    assert_eq!(links[0], "http://api.krisinformation.se/v1/capmessage/11337sv?format=xml");
}

#[test]
fn exercise_update_and_cancel_in_an_rss_index() {
    let body = br#"<rss version="2.0" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2"><channel>
      <item><title>Drill</title><link>https://example.org/a.xml</link><guid>g1</guid>
        <cap:status>Exercise</cap:status><cap:msgType>Update</cap:msgType>
        <cap:references>s,ORIG,2024-01-01T00:00:00Z s,U1,2024-01-02T00:00:00Z</cap:references>
        <enclosure url="https://example.org/a.cap" type="application/cap+xml"/></item>
      <item><title>Over</title><guid>g2</guid><cap:msgType>Cancel</cap:msgType>
        <cap:references>s,OLD,2024-01-01T00:00:00Z</cap:references></item>
      <item><title>Odd</title><guid>g3</guid><cap:status>Practice</cap:status></item>
    </channel></rss>"#;
    let parsed = cap::parse("cap", body, now()).unwrap();
    assert_eq!(parsed.items.len(), 1);
    assert_eq!(parsed.items[0].id, "ORIG");
    assert_eq!(parsed.items[0].traffic, Traffic::Exercise);
    assert_eq!(parsed.withdrawn, vec![("OLD".to_string(), WithdrawReason::Cancelled)]);
    assert_eq!(parsed.skipped.len(), 1);
    assert!(
        parsed.skipped[0].starts_with("entry 2 (line 8") && parsed.skipped[0].contains("Practice"),
        "{:?}",
        parsed.skipped
    );
    assert_eq!(cap::alert_links(body).unwrap()[0], "https://example.org/a.cap");
}

#[test]
fn hostile_documents_give_clear_errors() {
    let err = |body: &[u8]| cap::parse("cap", body, now()).unwrap_err().to_string();
    assert!(err(hostile::HTML_PAGE).contains("root element is <html>"));
    assert!(err(hostile::INVALID_UTF8).contains("invalid UTF-8 at byte"));
    let full = fixture("cap-oasis-spec-nws-severe-thunderstorm-polygon.xml");
    assert!(err(hostile::truncated(&full, 900)).contains("cut short?"));
    assert!(err(&hostile::billion_laughs("alert")).contains("entity"));
    let xxe = hostile::external_entity("alert", "<alert><identifier>XXE</identifier></alert>");
    assert!(err(&xxe).contains("bad XML"), "{}", err(&xxe));
    let alert = |inner: &str| format!("<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'>{inner}</alert>");
    let e = err(alert("<sent>2024-01-01T00:00:00Z</sent><status>Actual</status>").as_bytes());
    assert!(e.contains("CAP alert at line 1 column 1: no <identifier>"), "{e}");
    let e = err(alert("<identifier>X</identifier><sent>yesterday</sent><status>Actual</status>").as_bytes());
    assert!(e.contains("CAP alert X: <sent>") && e.contains("yesterday"), "{e}");
    let e =
        err(alert("<identifier>X</identifier><status>Actual</status><msgType>Cancel</msgType>").as_bytes());
    assert!(e.contains("cancels nothing"), "{e}");
    let e = err(alert(
        "<identifier>X</identifier><status>Actual</status><info><expires>2024-01-01 10:00</expires></info>",
    )
    .as_bytes());
    assert!(e.contains("<expires>"), "{e}");
    let news = b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>1</id><title>t</title></entry></feed>";
    assert!(err(news).contains("without any cap: fields"));
}

#[test]
fn impossible_areas_are_dropped_not_trusted() {
    let body = br#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>X</identifier>
      <status>Actual</status><msgType>Alert</msgType><info><headline>h</headline>
      <area><polygon>200,0 1,1 2,2 200,0</polygon><circle>NaN,1 5</circle><circle>1,1 1e400</circle></area>
      </info></alert>"#;
    let item = cap::parse("cap", body, now()).unwrap().items.remove(0);
    assert_eq!(item.location, None);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = cap::parse("cap", &body, now());
        let _ = cap::alert_links(&body);
    }

    #[test]
    fn mangled_real_documents_never_panic(cut in 0usize..9_770, byte in any::<u8>()) {
        let mut body = fixture("cap-eccc-update-2infos-4areas-polygons.xml");
        if cut < body.len() {
            body[cut] = byte;
        }
        let _ = cap::parse("cap", &body, now());
        body.truncate(cut);
        let _ = cap::parse("cap", &body, now());
    }
}
