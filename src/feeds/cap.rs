//! OASIS CAP (Common Alerting Protocol) 1.2, and 1.1 which differs only in its namespace: a
//! single `<alert>` document, or an Atom or RSS index of CAP entries (see `cap/index.rs`).
//!
//! Identity. An alert's item id is its `identifier`; an Update's is the identifier of the
//! earliest message in its `references` (the original Alert), so every Update replaces the item
//! the desk already has instead of adding one. A Cancel withdraws every alert it references
//! (reason Cancelled) and shows nothing itself; it may have no `<info>` at all (IPAWS).
//!
//! Status becomes `Traffic` (Actual → real; Exercise, Test, Draft, System as themselves); a status
//! outside the standard costs the alert rather than being guessed, because the desk must never
//! take an exercise for the real thing or the reverse.
//!
//! Language. With several `<info>` blocks (ECCC sends en-CA and fr-CA) the first English one is
//! used (CAP's default language, when `<language>` is absent, is en-US), else the first block;
//! areas are gathered from every block in that language, since NSW RFS splits its geocodes
//! over two en-AU blocks. Severity Extreme/Severe/Moderate/Minor/Unknown maps to
//! critical/severe/moderate/minor/info. Quirks handled: `cap:` prefixes, ISO-8859-1 documents,
//! odd spacing in the declaration, enveloped XML signatures (ignored), empty `<references/>`,
//! HTML written as escaped entities in descriptions, and areas as polygons, circles and geocodes
//! (geocodes have no coordinates; they are listed in the summary).

mod index;

pub use index::alert_links;

use chrono::{DateTime, Utc};
use roxmltree::Node;

use super::xml::{child_text, children, parse_date, position, text_of, with_document};
use super::{ParseError, Parsed, html};
use crate::domain::{FeedItem, LatLon, Location, Severity, Traffic};
use crate::event::WithdrawReason;

pub fn parse(feed: &str, body: &[u8], now: DateTime<Utc>) -> Result<Parsed, ParseError> {
    // `now` is not needed: an alert past `expires` is left to the feed diff, which withdraws
    // it as Expired if the desk holds it and never journals it as new otherwise.
    let _ = now;
    with_document(body, |doc| {
        let root = doc.root_element();
        match root.tag_name().name() {
            "alert" => {
                let mut parsed = Parsed::default();
                match alert(feed, root)? {
                    Message::Item(item) => parsed.items.push(*item),
                    Message::Cancel(ids) => {
                        parsed.withdrawn.extend(ids.into_iter().map(|id| (id, WithdrawReason::Cancelled)));
                    }
                    Message::Nothing(why) => parsed.skipped.push(why),
                }
                Ok(parsed)
            }
            "feed" | "rss" => index::parse(feed, doc),
            other => Err(ParseError::new(format!(
                "not a CAP document: the root element is <{other}>, not <alert>, an Atom <feed> or an <rss> index"
            ))),
        }
    })
}

/// What one CAP message means for the desk.
enum Message {
    Item(Box<FeedItem>),
    /// Ids of the alerts a Cancel withdraws.
    Cancel(Vec<String>),
    /// Ack and Error messages answer other messages and are not alerts.
    Nothing(String),
}

fn alert(feed: &str, root: Node<'_, '_>) -> Result<Message, ParseError> {
    let fail = |what: String| ParseError::new(format!("CAP alert at {}: {what}", where_(root)));
    let identifier = child_text(root, "identifier").ok_or_else(|| fail("no <identifier>".into()))?;
    let fail = |what: String| ParseError::new(format!("CAP alert {identifier}: {what}"));
    let sent = child_text(root, "sent").map(|s| parse_date(&s).map_err(|e| fail(format!("<sent>: {e}"))));
    let sent = sent.transpose()?;
    let traffic = match child_text(root, "status") {
        Some(s) => traffic(&s).map_err(fail)?,
        None => return Err(fail("no <status>".into())),
    };
    let msg_type = child_text(root, "msgType").unwrap_or_else(|| "Alert".into());
    let references = references(child_text(root, "references").as_deref());
    match msg_type.as_str() {
        "Cancel" => {
            if references.is_empty() {
                return Err(fail("a Cancel with no <references> cancels nothing".into()));
            }
            return Ok(Message::Cancel(references.into_iter().map(|r| r.identifier).collect()));
        }
        "Alert" | "Update" => {}
        "Ack" | "Error" => {
            return Ok(Message::Nothing(format!(
                "CAP alert {identifier}: msgType {msg_type} is not an alert"
            )));
        }
        other => return Err(fail(format!("unknown msgType {other:?}"))),
    }
    let original = (msg_type == "Update").then(|| references.first()).flatten();
    let id = original.map_or_else(|| identifier.clone(), |r| r.identifier.clone());
    let infos: Vec<_> = children(root, "info").collect();
    let Some(chosen) = pick_info(&infos) else {
        return Err(fail("no <info> block: nothing to show".into()));
    };
    let language = language_of(chosen);
    let same_language: Vec<_> = infos.iter().copied().filter(|i| language_of(*i) == language).collect();
    let fields = InfoFields::read(chosen).map_err(fail)?;
    let mut areas = Areas::default();
    for info in &same_language {
        for area in children(*info, "area") {
            areas.add(area);
        }
    }
    let title =
        fields.headline.clone().or_else(|| fields.event.clone()).unwrap_or_else(|| identifier.clone());
    Ok(Message::Item(Box::new(FeedItem {
        feed: feed.to_string(),
        id,
        title,
        summary: summary(&fields, &areas),
        link: child_text(chosen, "web"),
        published: original.and_then(|r| r.sent).or(sent),
        updated: original.and(sent),
        severity: fields.severity,
        severity_raw: fields.severity_raw.clone(),
        category: fields.event.clone().or_else(|| child_text(chosen, "category")),
        magnitude: None,
        location: areas.location(),
        expires: fields.expires,
        traffic,
    })))
}

fn where_(node: Node<'_, '_>) -> String {
    position(node.document(), node)
}

/// CAP `status` as traffic. Only the five values of the standard are accepted.
pub(crate) fn traffic(status: &str) -> Result<Traffic, String> {
    match status.trim() {
        "Actual" => Ok(Traffic::Real),
        "Exercise" => Ok(Traffic::Exercise),
        "Test" => Ok(Traffic::Test),
        "Draft" => Ok(Traffic::Draft),
        "System" => Ok(Traffic::System),
        other => Err(format!("status {other:?} is not one of Actual, Exercise, System, Test, Draft")),
    }
}

/// CAP `severity` on the desk's scale.
pub(crate) fn severity(raw: Option<&str>) -> Severity {
    match raw.map(str::trim) {
        Some("Extreme") => Severity::Critical,
        Some("Severe") => Severity::Severe,
        Some("Moderate") => Severity::Moderate,
        Some("Minor") => Severity::Minor,
        _ => Severity::Info,
    }
}

/// One earlier message named in `references` ("sender,identifier,sent").
pub(crate) struct Reference {
    pub identifier: String,
    pub sent: Option<DateTime<Utc>>,
}

/// The referenced messages, earliest first, so the first is the original alert.
pub(crate) fn references(raw: Option<&str>) -> Vec<Reference> {
    let mut refs: Vec<Reference> = raw
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|r| {
            let mut parts = r.split(',');
            let (_sender, identifier, sent) = (parts.next()?, parts.next()?, parts.next());
            let sent = sent.and_then(|s| parse_date(s).ok());
            (!identifier.is_empty()).then(|| Reference { identifier: identifier.to_string(), sent })
        })
        .collect();
    // A stable sort: references without a usable date keep their written order, after the rest.
    refs.sort_by_key(|r| (r.sent.is_none(), r.sent));
    refs
}

fn language_of(info: Node<'_, '_>) -> String {
    child_text(info, "language").unwrap_or_else(|| "en-US".into()).to_ascii_lowercase()
}

fn pick_info<'a, 'i>(infos: &[Node<'a, 'i>]) -> Option<Node<'a, 'i>> {
    let english = |i: &&Node<'a, 'i>| {
        let l = language_of(**i);
        l == "en" || l.starts_with("en-")
    };
    infos.iter().find(english).or_else(|| infos.first()).copied()
}

/// The fields of an `<info>` block, or of an index entry's `cap:` elements, that make an item.
#[derive(Default)]
pub(crate) struct InfoFields {
    pub event: Option<String>,
    pub headline: Option<String>,
    pub description: Option<String>,
    pub instruction: Option<String>,
    pub urgency: Option<String>,
    pub certainty: Option<String>,
    pub severity: Severity,
    pub severity_raw: Option<String>,
    pub effective: Option<DateTime<Utc>>,
    pub onset: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
}

impl InfoFields {
    pub(crate) fn read(node: Node<'_, '_>) -> Result<Self, String> {
        let date = |name: &str| {
            child_text(node, name).map(|v| parse_date(&v).map_err(|e| format!("<{name}>: {e}"))).transpose()
        };
        let severity_raw = child_text(node, "severity");
        Ok(InfoFields {
            event: child_text(node, "event"),
            headline: child_text(node, "headline"),
            description: child_text(node, "description").map(|d| html::to_text(&d)),
            instruction: child_text(node, "instruction").map(|d| html::to_text(&d)),
            urgency: child_text(node, "urgency"),
            certainty: child_text(node, "certainty"),
            severity: severity(severity_raw.as_deref()),
            severity_raw,
            effective: date("effective")?,
            onset: date("onset")?,
            expires: date("expires")?,
        })
    }
}

/// The summary the desk shows: description, instruction, then how urgent and certain, when it
/// takes effect, and where.
pub(crate) fn summary(f: &InfoFields, areas: &Areas) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    lines.extend(f.description.iter().map(|d| d.trim().to_string()));
    lines.extend(f.instruction.iter().map(|i| i.trim().to_string()));
    let mut facts = Vec::new();
    if let Some(u) = &f.urgency {
        facts.push(format!("urgency {u}"));
    }
    if let Some(c) = &f.certainty {
        facts.push(format!("certainty {c}"));
    }
    if let Some(t) = f.onset.or(f.effective) {
        facts.push(format!("from {}", t.format("%Y-%m-%d %H:%MZ")));
    }
    if !facts.is_empty() {
        lines.push(facts.join(", "));
    }
    if !areas.names.is_empty() {
        lines.push(format!("areas: {}", areas.names.join("; ")));
    }
    if !areas.geocodes.is_empty() {
        lines.push(format!("geocodes: {}", areas.geocodes.join(", ")));
    }
    lines.retain(|l| !l.is_empty());
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Everything an alert says about where: shapes, area names and geocodes.
#[derive(Default)]
pub(crate) struct Areas {
    pub parts: Vec<Location>,
    pub names: Vec<String>,
    pub geocodes: Vec<String>,
}

impl Areas {
    /// Reads one `<area>` (or an index entry, whose `cap:` children are laid out the same way).
    pub(crate) fn add(&mut self, area: Node<'_, '_>) {
        if let Some(name) = child_text(area, "areaDesc") {
            self.push_name(name);
        }
        for polygon in children(area, "polygon").filter_map(text_of) {
            self.push_part(parse_polygon(&polygon));
        }
        for circle in children(area, "circle").filter_map(text_of) {
            self.push_part(parse_circle(&circle));
        }
        for geocode in children(area, "geocode") {
            // Usually one valueName/value pair; NWS puts several pairs in one geocode.
            let names = children(geocode, "valueName").filter_map(text_of);
            let values = children(geocode, "value").filter_map(text_of);
            for (name, value) in names.zip(values) {
                let code = format!("{name} {value}");
                if !self.geocodes.contains(&code) {
                    self.geocodes.push(code);
                }
            }
        }
    }

    /// Takes in the areas of another entry of the same alert.
    pub(crate) fn merge(&mut self, other: Areas) {
        other.names.into_iter().for_each(|n| self.push_name(n));
        other.parts.into_iter().for_each(|p| self.push_part(Some(p)));
        for code in other.geocodes {
            if !self.geocodes.contains(&code) {
                self.geocodes.push(code);
            }
        }
    }

    pub(crate) fn push_name(&mut self, name: String) {
        if !self.names.contains(&name) {
            self.names.push(name);
        }
    }

    pub(crate) fn push_part(&mut self, part: Option<Location>) {
        if let Some(part) = part.filter(|p| !self.parts.contains(p)) {
            self.parts.push(part);
        }
    }

    pub(crate) fn location(&self) -> Option<Location> {
        match self.parts.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            many => Some(Location::Multi { parts: many.to_vec() }),
        }
    }
}

/// A CAP polygon: "lat,lon lat,lon ..." with at least four pairs. A polygon with any point off
/// the globe is dropped whole: a shape with a vertex missing would be a different shape.
pub(crate) fn parse_polygon(raw: &str) -> Option<Location> {
    let points: Option<Vec<[f64; 2]>> = raw
        .split_whitespace()
        .map(|pair| {
            let p = lat_lon(pair)?;
            Some([p.lat, p.lon])
        })
        .collect();
    let points = points?;
    (points.len() >= 3).then_some(Location::Polygon { points })
}

/// A CAP circle: "lat,lon radius" with the radius in kilometres.
pub(crate) fn parse_circle(raw: &str) -> Option<Location> {
    let mut parts = raw.split_whitespace();
    let centre = lat_lon(parts.next()?)?;
    let radius_km: f64 = parts.next()?.parse().ok()?;
    (radius_km.is_finite() && radius_km >= 0.0).then_some(Location::Circle {
        lat: centre.lat,
        lon: centre.lon,
        radius_km,
    })
}

fn lat_lon(pair: &str) -> Option<LatLon> {
    let (lat, lon) = pair.split_once(',')?;
    LatLon::new(lat.trim().parse().ok()?, lon.trim().parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_original_alert_is_the_earliest_reference() {
        let refs =
            references(Some("s,B,2012-05-02T21:55:21-00:00 s,A,2012-05-02T21:45:05-00:00 s,C\n s,,x junk"));
        let ids: Vec<_> = refs.iter().map(|r| r.identifier.as_str()).collect();
        assert_eq!(ids, ["A", "B", "C"]);
        assert!(references(Some("  ")).is_empty());
    }

    #[test]
    fn shapes_off_the_globe_are_dropped() {
        assert!(parse_polygon("38.47,-120.14 38.34,-119.95 38.52,-119.74 38.47,-120.14").is_some());
        assert!(parse_polygon("38.47,-120.14 200,-119.95 38.52,-119.74 38.47,-120.14").is_none());
        assert!(parse_polygon("NaN,1 2,3 4,5 NaN,1").is_none());
        assert!(parse_circle("-35.3888,147.0598 25.0").is_some());
        assert!(parse_circle("-35.3888,147.0598 1e400").is_none());
        assert!(parse_circle("-35.3888 25.0").is_none());
    }

    #[test]
    fn unknown_status_is_refused_not_guessed() {
        assert_eq!(traffic("Exercise"), Ok(Traffic::Exercise));
        assert!(traffic("Practice").is_err());
    }
}
