//! USGS earthquake GeoJSON (summary feeds and FDSN `format=geojson` responses).
//!
//! Each feature is parsed on its own, so one malformed feature costs that feature, not the feed.
//! Real feeds carry nulls almost anywhere (`mag`, `place`, `alert`, `tsunami`, `tz`), status in
//! either case, and magnitudes below zero.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{ParseError, Parsed};
use crate::domain::{FeedItem, LatLon, Location, Severity, Traffic};

#[derive(Deserialize)]
struct Collection<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(borrow)]
    features: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct Feature {
    id: Option<String>,
    properties: Properties,
    geometry: Option<Geometry>,
}

#[derive(Deserialize)]
struct Properties {
    mag: Option<f64>,
    place: Option<String>,
    time: Option<i64>,
    updated: Option<i64>,
    url: Option<String>,
    alert: Option<String>,
    tsunami: Option<i64>,
    sig: Option<i64>,
    status: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    title: Option<String>,
    net: Option<String>,
    code: Option<String>,
}

#[derive(Deserialize)]
struct Geometry {
    coordinates: Vec<f64>,
}

pub fn parse(feed: &str, body: &[u8]) -> Result<Parsed, ParseError> {
    let collection: Collection = serde_json::from_slice(body).map_err(|e| ParseError::json(&e))?;
    if collection.kind.as_deref() != Some("FeatureCollection") {
        return Err(ParseError::new("not a GeoJSON FeatureCollection (no \"type\": \"FeatureCollection\")"));
    }
    let features =
        collection.features.ok_or_else(|| ParseError::new("FeatureCollection has no \"features\" array"))?;
    let mut parsed = Parsed::default();
    for (n, raw) in features.into_iter().enumerate() {
        match serde_json::from_str::<Feature>(raw.get()) {
            Ok(feature) => match item(feed, feature) {
                Ok(item) => parsed.items.push(item),
                Err(why) => parsed.skipped.push(format!("feature {n}: {why}")),
            },
            Err(e) => parsed.skipped.push(format!("feature {n}: {e}")),
        }
    }
    Ok(parsed)
}

fn item(feed: &str, feature: Feature) -> Result<FeedItem, String> {
    let p = feature.properties;
    let id = feature
        .id
        .or_else(|| Some(format!("{}{}", p.net.as_deref()?, p.code.as_deref()?)))
        .filter(|id| !id.trim().is_empty())
        .ok_or("no id")?;
    let location = feature.geometry.as_ref().and_then(|g| match g.coordinates.as_slice() {
        [lon, lat, ..] => LatLon::new(*lat, *lon).map(|p| Location::Point { lat: p.lat, lon: p.lon }),
        _ => None,
    });
    let depth_km =
        feature.geometry.as_ref().and_then(|g| g.coordinates.get(2).copied()).filter(|d| d.is_finite());
    let mag = p.mag.filter(|m| m.is_finite());
    let title = p.title.clone().unwrap_or_else(|| match (mag, &p.place) {
        (Some(m), Some(place)) => format!("M {m:.1} - {place}"),
        (Some(m), None) => format!("M {m:.1} earthquake"),
        (None, Some(place)) => format!("Earthquake - {place}"),
        (None, None) => "Earthquake".to_string(),
    });
    let alert = p.alert.as_deref().map(str::to_ascii_lowercase);
    let tsunami = p.tsunami == Some(1);
    let mut summary = Vec::new();
    if let Some(d) = depth_km {
        summary.push(format!("depth {d:.0} km"));
    }
    if let Some(a) = &alert {
        summary.push(format!("PAGER {a}"));
    }
    if tsunami {
        summary.push("tsunami flag".to_string());
    }
    if let Some(sig) = p.sig {
        summary.push(format!("significance {sig}"));
    }
    if let Some(status) = &p.status {
        summary.push(status.to_ascii_lowercase());
    }
    Ok(FeedItem {
        feed: feed.to_string(),
        id,
        title,
        summary: (!summary.is_empty()).then(|| summary.join(", ")),
        link: p.url,
        published: p.time.and_then(DateTime::<Utc>::from_timestamp_millis),
        updated: p.updated.and_then(DateTime::<Utc>::from_timestamp_millis),
        severity: severity(mag, alert.as_deref(), tsunami),
        severity_raw: mag.map(|m| format!("M{m}")),
        category: Some(p.kind.unwrap_or_else(|| "earthquake".into())),
        magnitude: mag,
        location,
        expires: None,
        traffic: Traffic::Real,
    })
}

/// The PAGER alert level when USGS has assessed impact, else the magnitude; whichever is higher.
fn severity(mag: Option<f64>, pager: Option<&str>, tsunami: bool) -> Severity {
    let by_pager = match pager {
        Some("red") => Severity::Critical,
        Some("orange") => Severity::Severe,
        Some("yellow") => Severity::Moderate,
        Some("green") => Severity::Minor,
        _ => Severity::Info,
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
    fn wrong_documents_say_what_they_are_not() {
        assert!(parse("q", b"<html>").unwrap_err().to_string().contains("line 1"));
        assert!(parse("q", br#"{"type":"Feature"}"#).unwrap_err().to_string().contains("FeatureCollection"));
    }
}
