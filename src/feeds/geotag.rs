//! Where a news entry says it is: GeoRSS (`georss:point`, `box`, `polygon`, `circle`, and GML
//! inside `georss:where`) and W3C Basic Geo (`geo:lat`/`geo:long`, bare or in a `geo:Point`).
//! feed-rs leaves these unread, so the document is read a second time for them.
//!
//! GeoRSS writes latitude first, separated by whitespace; publishers also use commas and pad with
//! newlines. A position that is there but cannot be read (not numbers, off the globe, longitude
//! written first) is not guessed at: the entry is kept without it and the note says why.

use roxmltree::{Document, Node};

use super::ParseError;
use super::xml::{child, text_of, with_document};
use crate::domain::{LatLon, Location};

const GEORSS: &str = "georss";
const BASIC_GEO: &str = "wgs84_pos";
const GML: &str = "opengis.net/gml";

/// The position an entry gives: none, one, or one it gives but that cannot be read (why).
pub type Place = Result<Option<Location>, String>;

/// One RSS item or Atom entry of the document, as a key feed-rs would give it and its place.
pub struct Tagged {
    /// The guid or Atom id, trimmed, to match the entry when counts differ.
    pub id: Option<String>,
    pub place: Place,
}

/// Whether the document could hold a position at all: most news feeds do not, and are then
/// not read twice.
pub fn mentions_positions(body: &[u8]) -> bool {
    let has = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    has(GEORSS.as_bytes()) || has(BASIC_GEO.as_bytes())
}

/// Every item or entry of the document in order, with its place.
pub fn places(body: &[u8]) -> Result<Vec<Tagged>, ParseError> {
    with_document(body, |doc| Ok(news_entries(doc).map(tagged).collect()))
}

/// The RSS items and Atom entries of a document, in order.
pub fn news_entries<'a, 'i>(doc: &'a Document<'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    doc.descendants().filter(|n| {
        n.is_element()
            && matches!(n.tag_name().name(), "item" | "entry")
            && n.tag_name().namespace().is_none_or(|ns| !(ns.contains(GEORSS) || ns.contains(BASIC_GEO)))
    })
}

fn tagged(entry: Node<'_, '_>) -> Tagged {
    let id = ["guid", "id"].iter().find_map(|local| child(entry, local).and_then(text_of));
    Tagged { id, place: place(entry) }
}

fn in_namespace<'a, 'i>(node: Node<'a, 'i>, namespace: &str, local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| {
        c.is_element()
            && c.tag_name().name() == local
            && c.tag_name().namespace().is_some_and(|ns| ns.contains(namespace))
    })
}

/// The first position the entry gives, points before shapes.
pub fn place(entry: Node<'_, '_>) -> Place {
    if let Some(point) = in_namespace(entry, GEORSS, "point") {
        return point_text("georss:point", point).map(Some);
    }
    if let Some(found) = basic_geo(entry) {
        return found.map(Some);
    }
    if let Some(place) = in_namespace(entry, GEORSS, "where") {
        return gml(place).map(Some);
    }
    if let Some(shape) = in_namespace(entry, GEORSS, "box") {
        let corners = pairs("georss:box", shape)?;
        return match corners.as_slice() {
            [low, high] => bbox("georss:box", *low, *high).map(Some),
            _ => Err(format!("georss:box {:?} is not two corners", raw(shape))),
        };
    }
    if let Some(shape) = in_namespace(entry, GEORSS, "polygon") {
        return polygon("georss:polygon", shape).map(Some);
    }
    if let Some(shape) = in_namespace(entry, GEORSS, "circle") {
        let numbers = numbers("georss:circle", shape)?;
        let [lat, lon, radius_m] = numbers.as_slice() else {
            return Err(format!("georss:circle {:?} is not a latitude, longitude and radius", raw(shape)));
        };
        let centre = on_earth("georss:circle", shape, *lat, *lon)?;
        if !(radius_m.is_finite() && *radius_m >= 0.0) {
            return Err(format!("georss:circle {:?} has no radius in metres", raw(shape)));
        }
        return Ok(Some(Location::Circle { lat: centre.lat, lon: centre.lon, radius_km: radius_m / 1000.0 }));
    }
    Ok(None)
}

/// `geo:lat` and `geo:long` in a `geo:Point` or straight in the entry (also `geo:lat_long`).
fn basic_geo(entry: Node<'_, '_>) -> Option<Result<Location, String>> {
    let holder = in_namespace(entry, BASIC_GEO, "Point").unwrap_or(entry);
    if let Some(both) = in_namespace(holder, BASIC_GEO, "lat_long") {
        return Some(point_text("geo:lat_long", both));
    }
    let lat = in_namespace(holder, BASIC_GEO, "lat");
    let lon = in_namespace(holder, BASIC_GEO, "long").or_else(|| in_namespace(holder, BASIC_GEO, "lon"));
    match (lat, lon) {
        (None, None) => None,
        (Some(lat), Some(lon)) => Some(lat_long(lat, lon)),
        _ => Some(Err("geo:lat without geo:long, or geo:long without geo:lat".into())),
    }
}

fn lat_long(lat: Node<'_, '_>, lon: Node<'_, '_>) -> Result<Location, String> {
    let number = |node: Node<'_, '_>, name: &str| {
        raw(node).parse::<f64>().map_err(|_| format!("{name} {:?} is not a number", raw(node)))
    };
    let at = LatLon::new(number(lat, "geo:lat")?, number(lon, "geo:long")?).ok_or_else(|| {
        format!("geo:lat {:?} and geo:long {:?} are not a place on earth", raw(lat), raw(lon))
    })?;
    Ok(Location::Point { lat: at.lat, lon: at.lon })
}

/// GML in `georss:where`: a `gml:Point`'s `gml:pos`, a `gml:Envelope`, or a `gml:Polygon`'s
/// outer ring; latitude first, as GeoRSS GML says.
fn gml(place: Node<'_, '_>) -> Result<Location, String> {
    let shape = place
        .children()
        .find(|c| c.is_element() && c.tag_name().namespace().is_some_and(|ns| ns.contains(GML)));
    let Some(shape) = shape else { return Err("georss:where holds no GML shape".into()) };
    match shape.tag_name().name() {
        "Point" => {
            let pos = in_namespace(shape, GML, "pos").ok_or("gml:Point has no gml:pos")?;
            point_text("gml:pos", pos)
        }
        "Envelope" => {
            let corner = |local| {
                let node =
                    in_namespace(shape, GML, local).ok_or(format!("gml:Envelope has no gml:{local}"))?;
                match pairs(&format!("gml:{local}"), node)?.as_slice() {
                    [pair] => Ok(*pair),
                    _ => Err(format!("gml:{local} {:?} is not one position", raw(node))),
                }
            };
            bbox("gml:Envelope", corner("lowerCorner")?, corner("upperCorner")?)
        }
        "Polygon" => {
            let ring = in_namespace(shape, GML, "exterior")
                .and_then(|e| in_namespace(e, GML, "LinearRing"))
                .and_then(|r| in_namespace(r, GML, "posList"))
                .ok_or("gml:Polygon has no exterior gml:LinearRing/gml:posList")?;
            polygon("gml:posList", ring)
        }
        other => Err(format!("gml:{other} in georss:where is not a shape attache reads")),
    }
}

fn raw(node: Node<'_, '_>) -> String {
    text_of(node).unwrap_or_default()
}

/// The numbers in an element's text, split on whitespace and commas.
fn numbers(name: &str, node: Node<'_, '_>) -> Result<Vec<f64>, String> {
    let text = raw(node);
    let parts: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || c == ',').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return Err(format!("{name} is empty"));
    }
    parts.iter().map(|p| p.parse::<f64>().map_err(|_| format!("{name} {text:?} is not numbers"))).collect()
}

fn on_earth(name: &str, node: Node<'_, '_>, lat: f64, lon: f64) -> Result<LatLon, String> {
    LatLon::new(lat, lon).ok_or_else(|| {
        let swapped = LatLon::new(lon, lat).is_some();
        let hint = if swapped { " (longitude first? GeoRSS puts latitude first)" } else { "" };
        format!("{name} {:?} is not a latitude and longitude on earth{hint}", raw(node))
    })
}

/// Latitude-longitude pairs, each checked to be on the globe.
fn pairs(name: &str, node: Node<'_, '_>) -> Result<Vec<LatLon>, String> {
    let numbers = numbers(name, node)?;
    if numbers.len() % 2 != 0 {
        return Err(format!("{name} {:?} is not latitude and longitude pairs", raw(node)));
    }
    numbers.chunks(2).map(|p| on_earth(name, node, p[0], p[1])).collect()
}

fn point_text(name: &str, node: Node<'_, '_>) -> Result<Location, String> {
    match pairs(name, node)?.as_slice() {
        [p] => Ok(Location::Point { lat: p.lat, lon: p.lon }),
        _ => Err(format!("{name} {:?} is not one latitude and longitude", raw(node))),
    }
}

fn bbox(name: &str, low: LatLon, high: LatLon) -> Result<Location, String> {
    if low.lat > high.lat {
        return Err(format!("{name} has its south above its north"));
    }
    // A box whose west edge is east of its east edge crosses the antimeridian, as GDACS boxes may.
    Ok(Location::Bbox { lat_min: low.lat, lat_max: high.lat, lon_min: low.lon, lon_max: high.lon })
}

fn polygon(name: &str, node: Node<'_, '_>) -> Result<Location, String> {
    let points = pairs(name, node)?;
    if points.len() < 3 {
        return Err(format!("{name} has {} positions, fewer than a polygon needs", points.len()));
    }
    Ok(Location::Polygon { points: points.iter().map(|p| [p.lat, p.lon]).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry_place(children: &str) -> Place {
        let body = format!(
            "<rss xmlns:georss='http://www.georss.org/georss' xmlns:geo='http://www.w3.org/2003/01/geo/wgs84_pos#' \
             xmlns:gml='http://www.opengis.net/gml'><channel><item><guid>1</guid>{children}</item></channel></rss>"
        );
        let mut tagged = places(body.as_bytes()).unwrap();
        assert_eq!(tagged.len(), 1);
        assert_eq!(tagged[0].id.as_deref(), Some("1"));
        tagged.remove(0).place
    }

    fn point(lat: f64, lon: f64) -> Place {
        Ok(Some(Location::Point { lat, lon }))
    }

    #[test]
    fn points_as_publishers_write_them() {
        assert_eq!(
            entry_place("<georss:point>40.3465004 -124.4599991</georss:point>"),
            point(40.3465004, -124.4599991)
        );
        assert_eq!(
            entry_place("<georss:point>\n   45.256   -71.92\n  </georss:point>"),
            point(45.256, -71.92)
        );
        assert_eq!(entry_place("<georss:point>45.256,-71.92</georss:point>"), point(45.256, -71.92));
        assert_eq!(entry_place("<georss:point>45.256, -71.92</georss:point>"), point(45.256, -71.92));
        let geo = "<geo:Point><geo:lat>-19.4</geo:lat><geo:long>59.8</geo:long></geo:Point>";
        assert_eq!(entry_place(geo), point(-19.4, 59.8));
        assert_eq!(entry_place("<geo:lat> 14.6 </geo:lat><geo:long>121.0</geo:long>"), point(14.6, 121.0));
        assert_eq!(entry_place("<geo:lat_long>14.6,121.0</geo:lat_long>"), point(14.6, 121.0));
        let gml = "<georss:where><gml:Point><gml:pos>14.6 121.0</gml:pos></gml:Point></georss:where>";
        assert_eq!(entry_place(gml), point(14.6, 121.0));
        assert_eq!(entry_place("<title>no position</title>"), Ok(None));
        assert_eq!(entry_place("<point>1 2</point>"), Ok(None), "an element of no geo namespace");
    }

    #[test]
    fn shapes() {
        assert_eq!(
            entry_place("<georss:box>42.943 -71.032 43.039 -69.856</georss:box>"),
            Ok(Some(Location::Bbox { lat_min: 42.943, lat_max: 43.039, lon_min: -71.032, lon_max: -69.856 }))
        );
        assert_eq!(
            entry_place(
                "<georss:polygon>45.256 -110.45 46.46 -109.48 43.84 -109.86 45.256 -110.45</georss:polygon>"
            ),
            Ok(Some(Location::Polygon {
                points: vec![[45.256, -110.45], [46.46, -109.48], [43.84, -109.86], [45.256, -110.45]]
            }))
        );
        assert_eq!(
            entry_place("<georss:circle>14.6 121.0 5000</georss:circle>"),
            Ok(Some(Location::Circle { lat: 14.6, lon: 121.0, radius_km: 5.0 }))
        );
        let envelope = "<georss:where><gml:Envelope><gml:lowerCorner>42.9 -71.0</gml:lowerCorner>\
                        <gml:upperCorner>43.0 -69.8</gml:upperCorner></gml:Envelope></georss:where>";
        assert_eq!(
            entry_place(envelope),
            Ok(Some(Location::Bbox { lat_min: 42.9, lat_max: 43.0, lon_min: -71.0, lon_max: -69.8 }))
        );
    }

    #[test]
    fn positions_that_cannot_be_read_say_why_and_are_not_guessed() {
        let why = |children: &str| entry_place(children).unwrap_err();
        assert_eq!(
            why("<georss:point>-124.46 40.35</georss:point>"),
            "georss:point \"-124.46 40.35\" is not a latitude and longitude on earth (longitude first? GeoRSS puts latitude first)"
        );
        assert_eq!(
            why("<georss:point>91 200</georss:point>"),
            "georss:point \"91 200\" is not a latitude and longitude on earth"
        );
        assert_eq!(
            why("<georss:point>NaN 3</georss:point>"),
            "georss:point \"NaN 3\" is not a latitude and longitude on earth"
        );
        assert_eq!(
            why("<georss:point>14.6</georss:point>"),
            "georss:point \"14.6\" is not latitude and longitude pairs"
        );
        assert_eq!(
            why("<georss:point>14.6N 121E</georss:point>"),
            "georss:point \"14.6N 121E\" is not numbers"
        );
        assert_eq!(why("<georss:point/>"), "georss:point is empty");
        assert_eq!(why("<geo:lat>14.6</geo:lat>"), "geo:lat without geo:long, or geo:long without geo:lat");
        assert!(why("<georss:box>43 -71 42 -69</georss:box>").contains("south above its north"));
        assert!(why("<georss:polygon>1 2 3 4</georss:polygon>").contains("fewer than a polygon needs"));
    }
}
