//! Any JSON API, read through a mapping of JSON pointers (RFC 6901) that the desk configures as
//! `[feed.map]`: one pointer to the array of items, the rest pointing inside one item.
//!
//! Real APIs are loose about types, so each field takes what it reasonably can: ids as strings
//! or numbers (ReliefWeb's item `id` is a string, `fields.id` an integer); coordinates as numbers
//! or numeric strings; times as RFC 3339 / RFC 2822 strings, in the publisher's own form when the
//! desk gives it (`time_format`), or epoch numbers (seconds, or milliseconds when the number is
//! too large to be seconds, as USGS writes them); severity as the desk's own words, CAP's
//! (Extreme…Unknown) or alert colours (green…red), the raw value kept. An item whose id is
//! missing is skipped with its index; one whose time cannot be read is kept without it (the desk
//! then knows it by when it first saw it) and noted; a coordinate off the globe (NaN, 1e400,
//! latitude 200) leaves the item without a location.
//! serde_json refuses nesting deeper than 128, so a 10,000-deep document is an error, not a
//! stack overflow.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::time_format::TimeFormat;
use super::xml::parse_date;
use super::{ParseError, Parsed, html};
use crate::domain::{FeedItem, LatLon, Location, Severity, Traffic};

/// Where a JSON document keeps its items and their fields, as JSON pointers.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonMapping {
    /// The array of items, from the document root (`"/data"`).
    pub items: String,
    /// Each item's id, from the item (`"/id"`). All fields below are optional.
    pub id: String,
    pub title: Option<String>,
    pub time: Option<String>,
    /// How the publisher writes `time` when it is not RFC 3339 or RFC 2822: a strftime format,
    /// UTC unless it carries an offset (`%z`).
    pub time_format: Option<String>,
    pub link: Option<String>,
    pub lat: Option<String>,
    pub lon: Option<String>,
    pub severity: Option<String>,
    pub summary: Option<String>,
}

impl JsonMapping {
    /// Every pointer must be empty (the whole value) or start with `/`; `lat` and `lon` come
    /// together. Says which key is wrong, for the config layer to report with its file and line.
    pub fn validate(&self) -> Result<(), String> {
        for (key, pointer) in self.pointers() {
            if let Some(p) = pointer
                && !p.is_empty()
                && !p.starts_with('/')
            {
                return Err(format!("map.{key} = {p:?} is not a JSON pointer (it must start with \"/\")"));
            }
        }
        if self.lat.is_some() != self.lon.is_some() {
            return Err("map.lat and map.lon must be given together".into());
        }
        if let Some(format) = &self.time_format {
            if self.time.is_none() {
                return Err("map.time_format says how map.time is written, but there is no map.time".into());
            }
            TimeFormat::new(format).map_err(|e| format!("map.{e}"))?;
        }
        Ok(())
    }

    fn pointers(&self) -> [(&'static str, Option<&str>); 9] {
        [
            ("items", Some(self.items.as_str())),
            ("id", Some(self.id.as_str())),
            ("title", self.title.as_deref()),
            ("time", self.time.as_deref()),
            ("link", self.link.as_deref()),
            ("lat", self.lat.as_deref()),
            ("lon", self.lon.as_deref()),
            ("severity", self.severity.as_deref()),
            ("summary", self.summary.as_deref()),
        ]
    }
}

pub fn parse(
    feed: &str,
    body: &[u8],
    mapping: &JsonMapping,
    now: DateTime<Utc>,
) -> Result<Parsed, ParseError> {
    // JSON APIs carry no expiry the mapping could name; `now` is part of the common signature.
    let _ = now;
    mapping.validate().map_err(ParseError::new)?;
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| ParseError::new(format!("bad JSON at line {} column {}: {e}", e.line(), e.column())))?;
    let items = match doc.pointer(&mapping.items) {
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(ParseError::new(format!(
                "map.items {:?} leads to {}, not an array of items",
                mapping.items,
                kind(other)
            )));
        }
        None => {
            return Err(ParseError::new(format!("map.items {:?} is not in the document", mapping.items)));
        }
    };
    let format = mapping.time_format.as_deref().map(TimeFormat::new).transpose().map_err(ParseError::new)?;
    let mut parsed = Parsed::default();
    for (n, value) in items.iter().enumerate() {
        match item(feed, value, mapping, format.as_ref()) {
            Ok((item, note)) => {
                parsed.items.push(item);
                if let Some(note) = note {
                    parsed.incomplete.push(format!("item {n}: {note}"));
                }
            }
            Err(why) => parsed.skipped.push(format!("item {n}: {why}")),
        }
    }
    Ok(parsed)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The value at an optional pointer, treating `null` as absent.
fn at<'a>(value: &'a Value, pointer: Option<&'a String>) -> Option<(&'a String, &'a Value)> {
    let pointer = pointer?;
    value.pointer(pointer).filter(|v| !v.is_null()).map(|v| (pointer, v))
}

/// A scalar as text: strings as they are, numbers and booleans as written.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn text(item: &Value, pointer: Option<&String>) -> Result<Option<String>, String> {
    let Some((p, v)) = at(item, pointer) else { return Ok(None) };
    let s = scalar(v).ok_or_else(|| format!("{p} is {}, not text", kind(v)))?;
    Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The item, and a note when it is kept without a part that could not be read.
fn item(
    feed: &str,
    item: &Value,
    m: &JsonMapping,
    format: Option<&TimeFormat>,
) -> Result<(FeedItem, Option<String>), String> {
    let id = match item.pointer(&m.id) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => return Err(format!("id {} is {}, not a string or number", m.id, kind(other))),
        None => return Err(format!("no id at {}", m.id)),
    };
    let (time, note) = match at(item, m.time.as_ref()).map(|(p, v)| (p, time(v, format))) {
        None => (None, None),
        Some((_, Ok(t))) => (Some(t), None),
        Some((p, Err(e))) => {
            let hint = if format.is_none() { " (time_format in [feed.map] reads other forms)" } else { "" };
            (None, Some(format!("time {p}: {e}{hint}; kept with the time it was first seen")))
        }
    };
    let location = match (at(item, m.lat.as_ref()), at(item, m.lon.as_ref())) {
        (Some((_, lat)), Some((_, lon))) => number(lat)
            .zip(number(lon))
            .and_then(|(lat, lon)| LatLon::new(lat, lon))
            .map(|p| Location::Point { lat: p.lat, lon: p.lon }),
        _ => None,
    };
    let severity_raw = text(item, m.severity.as_ref())?;
    let item = FeedItem {
        feed: feed.to_string(),
        title: text(item, m.title.as_ref())?.unwrap_or_else(|| id.clone()),
        id,
        summary: text(item, m.summary.as_ref())?.map(|s| html::to_text(&s).trim().to_string()),
        link: text(item, m.link.as_ref())?,
        published: time,
        updated: None,
        severity: severity_raw.as_deref().map_or(Severity::Info, severity),
        severity_raw,
        category: None,
        magnitude: None,
        location,
        expires: None,
        traffic: Traffic::Real,
    };
    Ok((item, note))
}

/// A time as a date string (in the publisher's format when there is one, else RFC 3339 or
/// RFC 2822), or epoch seconds, or epoch milliseconds when too large for seconds.
fn time(v: &Value, format: Option<&TimeFormat>) -> Result<DateTime<Utc>, String> {
    match v {
        Value::String(s) => match format {
            // A value in a standard form still reads when the format does not fit it.
            Some(format) => format.read(s).or_else(|e| parse_date(s).map_err(|_| e)),
            None => parse_date(s),
        },
        Value::Number(n) => {
            let secs = n.as_f64().filter(|f| f.is_finite()).ok_or("not a finite number")?;
            // 1e11 seconds is the year 5138; beyond that the number is milliseconds.
            let millis = if secs.abs() < 1e11 { secs * 1000.0 } else { secs };
            DateTime::from_timestamp_millis(millis as i64).ok_or_else(|| format!("{n} is out of range"))
        }
        other => Err(format!("{} is not a date", kind(other))),
    }
}

/// A publisher's severity word on the desk's scale: the desk's own words, CAP's, or colours.
fn severity(raw: &str) -> Severity {
    if let Ok(s) = raw.parse::<Severity>() {
        return s;
    }
    match raw.trim().to_ascii_lowercase().as_str() {
        "extreme" | "red" => Severity::Critical,
        "orange" => Severity::Severe,
        "yellow" => Severity::Moderate,
        "green" => Severity::Minor,
        _ => Severity::Info,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_seconds_or_milliseconds() {
        let s = time(&serde_json::json!(1_707_193_251), None).unwrap();
        let ms = time(&serde_json::json!(1_707_193_251_555_i64), None).unwrap();
        assert_eq!(s.timestamp(), ms.timestamp());
        assert!(time(&serde_json::json!("2024-02-06 04:20"), None).is_err());
        assert!(time(&serde_json::json!(true), None).is_err());
        let format = TimeFormat::new("%Y-%m-%d %H:%M").unwrap();
        let local = time(&serde_json::json!("2024-02-06 04:20"), Some(&format)).unwrap();
        assert_eq!(local, "2024-02-06T04:20:00Z".parse::<DateTime<Utc>>().unwrap());
        let standard = time(&serde_json::json!("2024-02-06T04:20:00+08:00"), Some(&format)).unwrap();
        assert_eq!(standard, "2024-02-05T20:20:00Z".parse::<DateTime<Utc>>().unwrap());
    }

    #[test]
    fn severity_words_from_several_vocabularies() {
        assert_eq!(severity("Severe"), Severity::Severe);
        assert_eq!(severity("Extreme"), Severity::Critical);
        assert_eq!(severity("orange"), Severity::Severe);
        assert_eq!(severity("ongoing"), Severity::Info);
    }

    #[test]
    fn mappings_must_hold_pointers() {
        let mut m = JsonMapping {
            items: "/data".into(),
            id: "/id".into(),
            title: Some("fields.name".into()),
            time: None,
            time_format: None,
            link: None,
            lat: None,
            lon: None,
            severity: None,
            summary: None,
        };
        assert!(m.validate().unwrap_err().contains("map.title"));
        m.title = None;
        m.lat = Some("/lat".into());
        assert!(m.validate().unwrap_err().contains("together"));
        m.lat = None;
        m.time_format = Some("%d %b %Y".into());
        assert!(m.validate().unwrap_err().contains("no map.time"));
        m.time = Some("/when".into());
        assert_eq!(m.validate(), Ok(()));
        m.time_format = Some("%d %b %Y %Z".into());
        assert!(m.validate().unwrap_err().starts_with("map.time_format \"%d %b %Y %Z\" has %Z"));
    }
}
