//! USGS earthquake GeoJSON (summary feeds and FDSN `format=geojson` responses).
//!
//! A well-formed document is read in one pass; otherwise each feature is parsed on its own, so
//! one malformed feature costs that feature, not the feed.
//! Real feeds carry nulls almost anywhere (`mag`, `place`, `alert`, `tsunami`, `tz`), status in
//! either case, and magnitudes below zero.

use chrono::{DateTime, Utc};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::{ParseError, Parsed};
use crate::domain::{FeedItem, LatLon, Location, Severity, Traffic};
use crate::text::Text;

#[derive(Deserialize)]
struct Collection<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(borrow)]
    features: Option<Vec<&'a RawValue>>,
}

/// Text fields borrow from the document where they can: most are only looked at, and this
/// runs for every feature of every poll.
#[derive(Deserialize)]
struct Feature<'a> {
    id: Option<String>,
    #[serde(borrow)]
    properties: Properties<'a>,
    geometry: Option<Geometry>,
}

#[derive(Deserialize)]
struct Properties<'a> {
    mag: Option<f64>,
    #[serde(borrow)]
    place: Option<Text<'a>>,
    time: Option<i64>,
    updated: Option<i64>,
    url: Option<String>,
    #[serde(borrow)]
    alert: Option<Text<'a>>,
    tsunami: Option<i64>,
    sig: Option<i64>,
    #[serde(borrow)]
    status: Option<Text<'a>>,
    #[serde(rename = "type", borrow)]
    kind: Option<Text<'a>>,
    title: Option<String>,
    #[serde(borrow)]
    net: Option<Text<'a>>,
    #[serde(borrow)]
    code: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Geometry {
    coordinates: Coordinates,
}

/// The first three numbers of `coordinates` (longitude, latitude, depth), and how many there
/// were: every feature has them, and a Vec for each would be an allocation apiece. Every
/// element is still read as a number, so a bad one is an error as it was with `Vec<f64>`.
struct Coordinates {
    first: [f64; 3],
    len: usize,
}

impl Coordinates {
    fn get(&self, n: usize) -> Option<f64> {
        self.first.get(n).copied().filter(|_| n < self.len)
    }
}

impl<'de> Deserialize<'de> for Coordinates {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CoordinatesVisitor;
        impl<'de> Visitor<'de> for CoordinatesVisitor {
            type Value = Coordinates;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a sequence")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Coordinates, A::Error> {
                let mut coordinates = Coordinates { first: [0.0; 3], len: 0 };
                while let Some(number) = seq.next_element::<f64>()? {
                    if let Some(slot) = coordinates.first.get_mut(coordinates.len) {
                        *slot = number;
                    }
                    coordinates.len += 1;
                }
                Ok(coordinates)
            }
        }
        deserializer.deserialize_seq(CoordinatesVisitor)
    }
}

pub fn parse(feed: &str, body: &[u8]) -> Result<Parsed, ParseError> {
    // One pass when the whole document is well formed; only when it is not, feature by feature,
    // so that a bad feature costs itself and the rest are still read.
    // The one pass checks that the document is UTF-8 once, as a whole: read as bytes, serde_json
    // checks each string on its own, and those 400,000 checks of a 10,000-feature feed cost a
    // seventh of the parse. Bytes that are not UTF-8 are still read as bytes, as before: serde_json
    // does not check the strings it skips, so bad bytes there cost nothing.
    let one_pass = match std::str::from_utf8(body) {
        Ok(text) => one_pass(feed, serde_json::Deserializer::from_str(text)),
        Err(_) => one_pass(feed, serde_json::Deserializer::from_slice(body)),
    };
    if let Some(parsed) = one_pass {
        return Ok(parsed);
    }
    let collection: Collection = serde_json::from_slice(body).map_err(|e| ParseError::json(&e))?;
    if collection.kind.as_deref() != Some("FeatureCollection") {
        return Err(ParseError::new("not a GeoJSON FeatureCollection (no \"type\": \"FeatureCollection\")"));
    }
    let features =
        collection.features.ok_or_else(|| ParseError::new("FeatureCollection has no \"features\" array"))?;
    let mut parsed = Parsed::default();
    for (n, raw) in features.into_iter().enumerate() {
        match serde_json::from_str::<Feature>(raw.get()) {
            Ok(feature) => add(&mut parsed, n, item(feed, feature)),
            Err(e) => parsed.skipped.push(format!("feature {n}: {e}")),
        }
    }
    Ok(parsed)
}

/// The whole document read in one pass, if it is well formed.
fn one_pass<'de, R: serde_json::de::Read<'de>>(
    feed: &str,
    mut json: serde_json::Deserializer<R>,
) -> Option<Parsed> {
    let parsed = json.deserialize_map(OnePass { feed }).ok()?;
    json.end().ok()?;
    Some(parsed)
}

fn add(parsed: &mut Parsed, n: usize, item: Result<FeedItem, String>) {
    match item {
        Ok(item) => parsed.items.push(item),
        Err(why) => parsed.skipped.push(format!("feature {n}: {why}")),
    }
}

/// Reads a whole well-formed document in one pass, building each item as soon as its feature
/// is read rather than collecting every feature first: no feature outlives its own item. Any
/// surprise (a duplicate or missing member, a bad feature) is an error here, and `parse` reads
/// the document again feature by feature to say what it is.
struct OnePass<'f> {
    feed: &'f str,
}

impl<'de> Visitor<'de> for OnePass<'_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a GeoJSON FeatureCollection")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let (mut kind, mut parsed) = (None, None);
        while let Some(key) = map.next_key::<Text>()? {
            match &*key {
                "type" if kind.is_none() => kind = Some(map.next_value::<Text>()?),
                "features" if parsed.is_none() => {
                    parsed = Some(map.next_value_seed(Features { feed: self.feed })?)
                }
                "type" | "features" => return Err(de::Error::duplicate_field("type or features")),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        match (kind, parsed) {
            (Some(kind), Some(parsed)) if &*kind == "FeatureCollection" => Ok(parsed),
            _ => Err(de::Error::custom("not a FeatureCollection with features")),
        }
    }
}

/// The `features` array of a one-pass read, each feature made an item as it is read.
struct Features<'f> {
    feed: &'f str,
}

impl<'de> DeserializeSeed<'de> for Features<'_> {
    type Value = Parsed;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Parsed, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Features<'_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of GeoJSON features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parsed, A::Error> {
        let mut parsed = Parsed::default();
        let mut n = 0;
        while let Some(feature) = seq.next_element::<Feature>()? {
            add(&mut parsed, n, item(self.feed, feature));
            n += 1;
        }
        Ok(parsed)
    }
}

fn item(feed: &str, feature: Feature<'_>) -> Result<FeedItem, String> {
    let p = feature.properties;
    let id = feature
        .id
        .or_else(|| Some(format!("{}{}", &*p.net?, &*p.code?)))
        .filter(|id| !id.trim().is_empty())
        .ok_or("no id")?;
    let coordinates = feature.geometry.map(|g| g.coordinates);
    let location = coordinates.as_ref().and_then(|c| match (c.get(0), c.get(1)) {
        (Some(lon), Some(lat)) => LatLon::new(lat, lon).map(|p| Location::Point { lat: p.lat, lon: p.lon }),
        _ => None,
    });
    let depth_km = coordinates.and_then(|c| c.get(2)).filter(|d| d.is_finite());
    let mag = p.mag.filter(|m| m.is_finite());
    let title = match p.title {
        Some(title) => title,
        None => match (mag, p.place.as_deref()) {
            (Some(m), Some(place)) => format!("M {m:.1} - {place}"),
            (Some(m), None) => format!("M {m:.1} earthquake"),
            (None, Some(place)) => format!("Earthquake - {place}"),
            (None, None) => "Earthquake".to_string(),
        },
    };
    let alert = p.alert;
    let tsunami = p.tsunami == Some(1);
    // One string, written in place without the formatting machinery: this runs for every
    // feature of every poll, and formatting was most of the cost of building an item.
    let mut summary = String::with_capacity(80);
    let mut numbers = itoa::Buffer::new();
    if let Some(d) = depth_km {
        part(&mut summary, &["depth ", numbers.format(d.round() as i64), " km"]);
    }
    if let Some(a) = &alert {
        part(&mut summary, &["PAGER ", a]);
        lowercase_last(&mut summary, a.len());
    }
    if tsunami {
        part(&mut summary, &["tsunami flag"]);
    }
    if let Some(sig) = p.sig {
        part(&mut summary, &["significance ", numbers.format(sig)]);
    }
    if let Some(status) = &p.status {
        part(&mut summary, &[status]);
        lowercase_last(&mut summary, status.len());
    }
    Ok(FeedItem {
        feed: feed.to_string(),
        id,
        title,
        summary: (!summary.is_empty()).then_some(summary),
        link: p.url,
        published: p.time.and_then(DateTime::<Utc>::from_timestamp_millis),
        updated: p.updated.and_then(DateTime::<Utc>::from_timestamp_millis),
        severity: severity(mag, alert.as_deref(), tsunami),
        severity_raw: mag.map(|m| {
            let mut raw = String::with_capacity(8);
            raw.push('M');
            push_magnitude(&mut raw, m);
            raw
        }),
        category: Some(p.kind.map_or_else(|| "earthquake".into(), |kind| kind.0.into_owned())),
        magnitude: mag,
        location,
        expires: None,
        traffic: Traffic::Real,
    })
}

/// Appends one part to a comma-separated summary.
fn part(summary: &mut String, pieces: &[&str]) {
    if !summary.is_empty() {
        summary.push_str(", ");
    }
    pieces.iter().for_each(|piece| summary.push_str(piece));
}

/// Lower-cases the last `len` bytes of the summary, which the caller has just written. Feeds send
/// the PAGER level and status in either case; lower-casing them in place saves a copy of each.
fn lowercase_last(summary: &mut str, len: usize) {
    let from = summary.len() - len;
    summary[from..].make_ascii_lowercase();
}

/// A magnitude as the shortest text that reads back as the same number (what ryu writes), with
/// `5.0` as `5`, as USGS and most people write a whole magnitude.
fn push_magnitude(out: &mut String, m: f64) {
    // Magnitudes have at most two decimals, and then the digits are the hundredths themselves: a
    // decimal of 15 digits or fewer is the only text of that length or shorter that reads back as
    // the nearest double to it. Writing them with itoa costs a tenth of ryu, for every feature.
    let hundredths = (m * 100.0).round();
    if hundredths.abs() >= 1e15 || hundredths / 100.0 != m {
        let mut buffer = ryu::Buffer::new();
        let text = buffer.format_finite(m);
        out.push_str(text.strip_suffix(".0").unwrap_or(text));
        return;
    }
    let hundredths = hundredths.abs() as u64;
    if m.is_sign_negative() {
        out.push('-');
    }
    out.push_str(itoa::Buffer::new().format(hundredths / 100));
    let (tenths, last) = (hundredths / 10 % 10, hundredths % 10);
    if tenths != 0 || last != 0 {
        out.push('.');
        out.push(char::from(b'0' + tenths as u8));
    }
    if last != 0 {
        out.push(char::from(b'0' + last as u8));
    }
}

/// The PAGER alert level when USGS has assessed impact, else the magnitude; whichever is higher.
fn severity(mag: Option<f64>, pager: Option<&str>, tsunami: bool) -> Severity {
    let level = |name: &str| pager.is_some_and(|p| p.eq_ignore_ascii_case(name));
    let by_pager = if level("red") {
        Severity::Critical
    } else if level("orange") {
        Severity::Severe
    } else if level("yellow") {
        Severity::Moderate
    } else if level("green") {
        Severity::Minor
    } else {
        Severity::Info
    };
    let by_mag = match mag {
        Some(m) if m >= 7.0 => Severity::Critical,
        Some(m) if m >= 6.0 => Severity::Severe,
        Some(m) if m >= 5.0 => Severity::Moderate,
        Some(m) if m >= 4.0 => Severity::Minor,
        _ => Severity::Info,
    };
    let by_tsunami = if tsunami { Severity::Moderate } else { Severity::Info };
    by_pager.max(by_mag).max(by_tsunami)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_takes_the_higher_of_pager_and_magnitude() {
        assert_eq!(severity(Some(4.4), Some("yellow"), false), Severity::Moderate);
        assert_eq!(severity(Some(6.7), Some("green"), false), Severity::Severe);
        assert_eq!(severity(Some(-0.3), None, false), Severity::Info);
        assert_eq!(severity(None, None, true), Severity::Moderate);
    }

    #[test]
    fn a_bad_feature_costs_only_itself() {
        let body = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":"a1","properties":{"mag":5.2,"place":"Luzon","time":1707193251555},"geometry":{"type":"Point","coordinates":[121.0,16.8,10]}},
            {"type":"Feature","id":"b2","properties":"oops"},
            {"type":"Feature","id":"c3","properties":{"mag":null},"geometry":{"type":"Point","coordinates":[0,200,0]}}
        ]}"#;
        let parsed = parse("q", body).unwrap();
        assert_eq!(parsed.items.len(), 2);
        assert_eq!(parsed.skipped.len(), 1);
        assert_eq!(parsed.items[0].title, "M 5.2 - Luzon");
        assert_eq!(parsed.items[1].location, None, "latitude 200 is no place");
    }

    #[test]
    fn escaped_text_and_any_number_of_coordinates_are_read() {
        // Text with escapes cannot be borrowed from the document; it must still come through.
        let body = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"mag":4.25,"place":"Sa\u00f1 \"Q\"","net":"u\u0073","code":"7",
                "status":"REVIEWED","alert":"Yel\u006cow"},"geometry":{"type":"Point","coordinates":[1,2]}},
            {"type":"Feature","id":"d4","properties":{},"geometry":{"type":"Point","coordinates":[1,2,3,4]}},
            {"type":"Feature","id":"e5","properties":{},"geometry":{"type":"Point","coordinates":[1]}},
            {"type":"Feature","id":"f6","properties":{},"geometry":{"type":"Point","coordinates":[1,2,"3"]}}
        ]}"#;
        let parsed = parse("q", body).unwrap();
        assert_eq!(parsed.items.len(), 3);
        assert_eq!(parsed.items[0].id, "us7");
        assert_eq!(parsed.items[0].title, "M 4.2 - Sa\u{f1} \"Q\"");
        assert_eq!(parsed.items[0].summary.as_deref(), Some("PAGER yellow, reviewed"));
        assert_eq!(parsed.items[0].location, Some(Location::Point { lat: 2.0, lon: 1.0 }));
        assert_eq!(parsed.items[1].summary.as_deref(), Some("depth 3 km"));
        assert_eq!(parsed.items[1].location, Some(Location::Point { lat: 2.0, lon: 1.0 }));
        assert_eq!(parsed.items[2].location, None, "one number is no place");
        assert!(parsed.skipped[0].starts_with("feature 3: invalid type: string"), "{:?}", parsed.skipped);
    }

    #[test]
    fn bytes_that_are_not_utf8_cost_nothing_where_they_are_not_read() {
        let mut body = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":"a1","properties":{"mag":5.2,"detail":"x?y"},"geometry":null}]}"#
            .to_vec();
        let at = body.iter().position(|b| *b == b'?').unwrap();
        body[at] = 0xff;
        let parsed = parse("q", &body).unwrap();
        assert_eq!((parsed.items.len(), parsed.skipped.len()), (1, 0));
    }

    /// What `push_magnitude` writes in one step for the usual magnitude, ryu writes for any.
    fn ryu_magnitude(m: f64) -> String {
        let mut buffer = ryu::Buffer::new();
        let text = buffer.format_finite(m);
        text.strip_suffix(".0").unwrap_or(text).to_string()
    }

    fn magnitude(m: f64) -> String {
        let mut out = String::new();
        push_magnitude(&mut out, m);
        out
    }

    #[test]
    fn magnitudes_are_written_as_ryu_writes_them() {
        for hundredths in -100_000..=100_000 {
            let m = hundredths as f64 / 100.0;
            assert_eq!(magnitude(m), ryu_magnitude(m), "{hundredths} hundredths");
        }
        for m in [-0.0, 0.0, 0.001, 4.255, 1e-7, 9e12 + 0.25, 1e14, 1e15, 1e300, f64::MAX, f64::MIN_POSITIVE]
        {
            assert_eq!(magnitude(m), ryu_magnitude(m), "{m:e}");
        }
        assert_eq!(magnitude(5.0), "5");
        assert_eq!(magnitude(-0.35), "-0.35");
    }

    proptest::proptest! {
        #[test]
        fn any_magnitude_is_written_as_ryu_writes_it(m in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO) {
            proptest::prop_assert_eq!(magnitude(m), ryu_magnitude(m));
        }

        #[test]
        fn any_two_decimal_magnitude_is_written_as_ryu_writes_it(hundredths in -(10i64.pow(15))..10i64.pow(15)) {
            let m = hundredths as f64 / 100.0;
            proptest::prop_assert_eq!(magnitude(m), ryu_magnitude(m));
        }
    }

    #[test]
    fn wrong_documents_say_what_they_are_not() {
        assert!(parse("q", b"<html>").unwrap_err().to_string().contains("line 1"));
        assert!(parse("q", br#"{"type":"Feature"}"#).unwrap_err().to_string().contains("FeatureCollection"));
    }
}
#[cfg(test)]
mod one_pass_tests {
    #[test]
    fn a_real_well_formed_document_takes_the_one_pass_path() {
        let body = include_bytes!("../../tests/fixtures/usgs/usgs-2.5_week-2023-07-03-300features.geojson");
        let mut json = serde_json::Deserializer::from_slice(body);
        let r = serde::Deserializer::deserialize_map(&mut json, super::OnePass { feed: "q" });
        assert!(r.is_ok(), "{:?}", r.err());
        assert!(json.end().is_ok());
    }
}
