//! GDACS RSS: the Global Disaster Alert and Coordination System's feeds (`rss.xml`, `rss_7d.xml`),
//! RSS 2.0 items extended with `gdacs:` fields and `geo:`/`georss:` positions.
//!
//! One item per GDACS event: the id is event type + event id (`TC1000643`, as GDACS's own guid),
//! so a new episode of a cyclone updates the item the desk already has instead of adding one.
//!
//! Currency. `gdacs:iscurrent=false` is GDACS saying the event is over: it is withdrawn
//! (Expired). `gdacs:todate` is *not* an expiry: it is the date of the latest episode, and for an
//! earthquake it equals the shock itself, so treating a past `todate` as "over" would withdraw
//! every earthquake the moment it is published. What a duty officer expects is that an event
//! stays on the desk while GDACS keeps it current and leaves once GDACS has said nothing new
//! about it for as long as its own 7-day feed looks back. So an item expires [`CURRENT_FOR`]
//! after its latest episode (`todate`, else `fromdate`, else `pubDate`); one already past that
//! is withdrawn (Expired) rather than listed.
//!
//! Severity: the event's alert level on the desk's scale, as USGS PAGER colours map in
//! `usgs.rs`: Green → minor (GDACS: no international response expected), Orange → severe
//! (international response may be needed), Red → critical. GDACS has no yellow. Missing or
//! unknown levels are info. The raw level is kept in `severity_raw`.
//!
//! Location: the event point (`geo:Point` or `georss:point`); the bounding box only when there is
//! no point. A `Multi` of point and box would move `Location::centre` (which the desk measures
//! distances from) to the middle of the box, which for a cyclone is its forecast swath, far
//! from the storm. Real quirks handled: a BOM, a comment after `</rss>`, empty severity and
//! population elements, several countries with one `iso3`, and an empty `iso3`.

use chrono::{DateTime, Duration, Utc};
use roxmltree::{Document, Node};

use super::xml::{child, child_text, children, parse_date, position, text_of, with_document};
use super::{ParseError, Parsed, html};
use crate::domain::{FeedItem, LatLon, Location, Severity, Traffic};
use crate::event::WithdrawReason;

/// How long after its latest episode a current event stays on the desk.
pub const CURRENT_FOR: Duration = Duration::days(7);

const GDACS_NS: &str = "http://www.gdacs.org";

pub fn parse(feed: &str, body: &[u8], now: DateTime<Utc>) -> Result<Parsed, ParseError> {
    with_document(body, |doc| {
        let root = doc.root_element();
        if root.tag_name().name() != "rss" {
            return Err(ParseError::new(format!(
                "not a GDACS RSS document: the root element is <{}>, not <rss>",
                root.tag_name().name()
            )));
        }
        let channel =
            child(root, "channel").ok_or_else(|| ParseError::new("RSS document has no <channel>"))?;
        let mut parsed = Parsed::default();
        for (n, node) in children(channel, "item").enumerate() {
            match entry(feed, node, now) {
                Ok(Entry::Current(item)) => parsed.items.push(*item),
                Ok(Entry::Over(id)) => parsed.withdrawn.push((id, WithdrawReason::Expired)),
                Err(why) => parsed.skipped.push(format!("item {n} ({}): {why}", position(doc, node))),
            }
        }
        check_is_gdacs(doc, &parsed)?;
        Ok(parsed)
    })
}

/// An `<rss>` with no GDACS items at all is a plain news feed configured as GDACS by mistake.
fn check_is_gdacs(doc: &Document<'_>, parsed: &Parsed) -> Result<(), ParseError> {
    let any_gdacs = doc.descendants().any(|n| n.tag_name().namespace() == Some(GDACS_NS));
    let any_items = !(parsed.items.is_empty() && parsed.withdrawn.is_empty() && parsed.skipped.is_empty());
    if any_items && !any_gdacs {
        return Err(ParseError::new("an RSS feed without any gdacs: fields (is this really a GDACS feed?)"));
    }
    Ok(())
}

enum Entry {
    Current(Box<FeedItem>),
    Over(String),
}

/// A `gdacs:` field by local name, whatever prefix the document binds the namespace to.
fn gdacs<'a, 'i>(item: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    item.children().find(|c| c.tag_name().name() == local && c.tag_name().namespace() == Some(GDACS_NS))
}

fn gdacs_text(item: Node<'_, '_>, local: &str) -> Option<String> {
    gdacs(item, local).and_then(text_of)
}

/// A plain RSS element (no namespace), so `<title>` is never `gdacs:title`.
fn plain_text(item: Node<'_, '_>, local: &str) -> Option<String> {
    item.children()
        .find(|c| c.tag_name().name() == local && c.tag_name().namespace().is_none())
        .and_then(text_of)
}

fn date(field: &str, value: Option<String>) -> Result<Option<DateTime<Utc>>, String> {
    value.map(|v| parse_date(&v).map_err(|e| format!("{field}: {e}"))).transpose()
}

fn entry(feed: &str, node: Node<'_, '_>, now: DateTime<Utc>) -> Result<Entry, String> {
    let event_type = gdacs_text(node, "eventtype");
    let event_id = gdacs_text(node, "eventid");
    let id = match (&event_type, &event_id) {
        (Some(t), Some(e)) => format!("{t}{e}"),
        _ => plain_text(node, "guid").ok_or("no gdacs:eventtype and gdacs:eventid, and no guid")?,
    };
    let from = date("gdacs:fromdate", gdacs_text(node, "fromdate"))?;
    let to = date("gdacs:todate", gdacs_text(node, "todate"))?;
    let pub_date = date("pubDate", plain_text(node, "pubDate"))?;
    let current = gdacs_text(node, "iscurrent").is_none_or(|c| !c.eq_ignore_ascii_case("false"));
    let latest = to.or(from).or(pub_date);
    let expires = latest.map(|t| t + CURRENT_FOR);
    if !current || expires.is_some_and(|t| t <= now) {
        return Ok(Entry::Over(id));
    }

    let level = gdacs_text(node, "alertlevel");
    let severity = match level.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("red") => Severity::Critical,
        Some("orange") => Severity::Severe,
        Some("green") => Severity::Minor,
        _ => Severity::Info,
    };
    let name = gdacs_text(node, "eventname");
    let kind = event_type.as_deref().map(category);
    let title = plain_text(node, "title").unwrap_or_else(|| {
        let what = kind.clone().unwrap_or_else(|| "event".into());
        match &name {
            Some(name) => format!("GDACS {what} {name}"),
            None => format!("GDACS {what} {id}"),
        }
    });
    let sev_node = gdacs(node, "severity");
    let magnitude = sev_node
        .filter(|s| s.attribute("unit") == Some("M"))
        .and_then(|s| s.attribute("value"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|m| m.is_finite());

    Ok(Entry::Current(Box::new(FeedItem {
        feed: feed.to_string(),
        id,
        title,
        summary: summary(node),
        link: plain_text(node, "link"),
        published: from.or(pub_date),
        updated: to.or(pub_date),
        severity,
        severity_raw: level,
        category: kind,
        magnitude,
        location: location(node),
        expires,
        traffic: Traffic::Real,
    })))
}

/// GDACS's own two-letter event types in words.
fn category(code: &str) -> String {
    match code.to_ascii_uppercase().as_str() {
        "EQ" => "earthquake".into(),
        "TC" => "tropical cyclone".into(),
        "FL" => "flood".into(),
        "VO" => "volcano".into(),
        "DR" => "drought".into(),
        "WF" => "wildfire".into(),
        "TS" => "tsunami".into(),
        other => other.to_ascii_lowercase(),
    }
}

/// The description, then the facts GDACS carries in its own fields: the measure of severity,
/// population, countries and episode, each only when the document fills it in.
fn summary(node: Node<'_, '_>) -> Option<String> {
    let mut lines = Vec::new();
    if let Some(d) = plain_text(node, "description") {
        lines.push(html::to_text(&d).trim().to_string());
    }
    let mut facts = Vec::new();
    if let Some(s) = gdacs_text(node, "severity") {
        facts.push(format!("severity: {s}"));
    }
    if let Some(p) = gdacs_text(node, "population") {
        facts.push(format!("population: {p}"));
    }
    match (gdacs_text(node, "country"), gdacs_text(node, "iso3")) {
        (Some(c), Some(iso)) => facts.push(format!("countries: {c} ({iso})")),
        (Some(c), None) => facts.push(format!("countries: {c}")),
        (None, Some(iso)) => facts.push(format!("countries: {iso}")),
        (None, None) => {}
    }
    if let Some(e) = gdacs_text(node, "episodeid") {
        facts.push(format!("episode {e}"));
    }
    if !facts.is_empty() {
        lines.push(facts.join("; "));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn location(node: Node<'_, '_>) -> Option<Location> {
    let point = geo_point(node).or_else(|| georss_point(node));
    if let Some(p) = point {
        return Some(Location::Point { lat: p.lat, lon: p.lon });
    }
    // gdacs:bbox is "lonmin lonmax latmin latmax" (the feed's own comment says so).
    let bbox = gdacs_text(node, "bbox")?;
    let v: Vec<f64> = bbox.split_whitespace().map(str::parse).collect::<Result<_, _>>().ok()?;
    let [lon_min, lon_max, lat_min, lat_max] = v.as_slice() else { return None };
    let low = LatLon::new(*lat_min, *lon_min)?;
    let high = LatLon::new(*lat_max, *lon_max)?;
    Some(Location::Bbox { lat_min: low.lat, lat_max: high.lat, lon_min: low.lon, lon_max: high.lon })
}

fn geo_point(node: Node<'_, '_>) -> Option<LatLon> {
    let point = child(node, "Point")?;
    let lat = child_text(point, "lat")?.parse().ok()?;
    let lon = child_text(point, "long")?.parse().ok()?;
    LatLon::new(lat, lon)
}

fn georss_point(node: Node<'_, '_>) -> Option<LatLon> {
    let text = child_text(node, "point")?;
    let mut parts = text.split_whitespace().map(str::parse::<f64>);
    let (Some(Ok(lat)), Some(Ok(lon))) = (parts.next(), parts.next()) else { return None };
    LatLon::new(lat, lon)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(items: &str) -> Vec<u8> {
        format!(
            r#"<rss version="2.0" xmlns:gdacs="http://www.gdacs.org" xmlns:geo="http://www.w3.org/2003/01/geo/wgs84_pos#"><channel>{items}</channel></rss>"#
        )
        .into_bytes()
    }

    fn now() -> DateTime<Utc> {
        "2019-12-30T02:38:00Z".parse().unwrap()
    }

    #[test]
    fn a_past_todate_within_the_window_keeps_an_earthquake() {
        let body = doc("<item><gdacs:eventtype>EQ</gdacs:eventtype><gdacs:eventid>1</gdacs:eventid>\
            <gdacs:todate>Sat, 28 Dec 2019 15:36:35 GMT</gdacs:todate><gdacs:alertlevel>Red</gdacs:alertlevel></item>");
        let parsed = parse("g", &body, now()).unwrap();
        assert_eq!(parsed.items[0].id, "EQ1");
        assert_eq!(parsed.items[0].severity, Severity::Critical);
        assert_eq!(parsed.items[0].expires, Some("2020-01-04T15:36:35Z".parse().unwrap()));
        let later = parse("g", &body, "2020-01-05T00:00:00Z".parse().unwrap()).unwrap();
        assert!(later.items.is_empty());
        assert_eq!(later.withdrawn, vec![("EQ1".to_string(), WithdrawReason::Expired)]);
    }

    #[test]
    fn bbox_is_used_only_without_a_point() {
        let body = doc("<item><gdacs:eventtype>DR</gdacs:eventtype><gdacs:eventid>2</gdacs:eventid>\
            <gdacs:bbox>10 20 -5 5</gdacs:bbox></item>");
        let parsed = parse("g", &body, now()).unwrap();
        let expected = Location::Bbox { lat_min: -5.0, lat_max: 5.0, lon_min: 10.0, lon_max: 20.0 };
        assert_eq!(parsed.items[0].location, Some(expected));
    }

    #[test]
    fn bad_dates_cost_the_item_and_say_which_field() {
        let body = doc("<item><gdacs:eventtype>EQ</gdacs:eventtype><gdacs:eventid>3</gdacs:eventid>\
            <gdacs:todate>30/12/2019</gdacs:todate></item>");
        let parsed = parse("g", &body, now()).unwrap();
        assert!(parsed.items.is_empty());
        assert!(parsed.skipped[0].starts_with("item 0 (line 1 column"), "{:?}", parsed.skipped);
        assert!(parsed.skipped[0].contains("gdacs:todate"), "{:?}", parsed.skipped);
    }
}
