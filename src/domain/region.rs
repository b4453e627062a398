//! How far apart two places are when either may be a point, a circle or a polygon: zero when
//! they touch or overlap, else the great-circle gap between their nearest edges. Alert rules ask
//! "is this item within N km of that mission's area?", and a CAP polygon that overlaps an area
//! is in it even if the two centres are far apart.
//!
//! Distances are on the WGS84 mean-radius sphere. Containment and edge crossing are decided on
//! longitudes unwrapped around the shape, so shapes across the antimeridian work; a polygon that
//! encloses a pole is not supported (none of the formats in scope sends one).

use super::{Area, LatLon, Location, distance_km};

const EARTH_RADIUS_KM: f64 = 6371.0088;
/// Several areas (a briefing's missions) that locations are measured against, out to a reach,
/// in whole km.
pub struct Reaches {
    reaches: Vec<Reach>,
    within_km: f64,
}

impl Reaches {
    pub fn new<'a>(areas: impl IntoIterator<Item = &'a Area>, within_km: f64) -> Reaches {
        let reaches = areas.into_iter().map(Reach::new).collect();
        Reaches { reaches, within_km }
    }

    /// The areas `location` is within reach of: (the area's place in the list, the gap rounded
    /// to whole km), in the list's order.
    pub fn near(&self, location: &Location) -> smallvec::SmallVec<[(usize, u32); 2]> {
        let placed = Placed::new(location);
        let gap = |reach: &Reach| reach.gap_within_placed(&placed, self.within_km);
        self.reaches.iter().enumerate().filter_map(|(i, r)| Some((i, gap(r)?.round() as u32))).collect()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Region {
    Point(LatLon),
    Circle(LatLon, f64),
    Polygon(Vec<LatLon>),
}

impl Region {
    pub fn from_area(area: &Area) -> Region {
        match area {
            Area::Circle { lat, lon, radius_km } => {
                Region::Circle(LatLon { lat: *lat, lon: *lon }, *radius_km)
            }
            Area::Polygon { polygon } => {
                Region::Polygon(polygon.iter().map(|p| LatLon { lat: p[0], lon: p[1] }).collect())
            }
        }
    }

    /// The regions a feed item occupies; invalid coordinates are left out.
    pub fn from_location(location: &Location) -> Vec<Region> {
        let point = |lat: f64, lon: f64| LatLon::new(lat, lon);
        match location {
            Location::Point { lat, lon } => point(*lat, *lon).map(Region::Point).into_iter().collect(),
            Location::Circle { lat, lon, radius_km } if radius_km.is_finite() && *radius_km >= 0.0 => {
                point(*lat, *lon).map(|c| Region::Circle(c, *radius_km)).into_iter().collect()
            }
            Location::Circle { .. } => Vec::new(),
            Location::Polygon { points } => {
                let points: Option<Vec<_>> = points.iter().map(|p| point(p[0], p[1])).collect();
                match points {
                    Some(points) if points.len() >= 3 => vec![Region::Polygon(points)],
                    Some(points) if points.len() == 1 => vec![Region::Point(points[0])],
                    _ => Vec::new(),
                }
            }
            Location::Bbox { lat_min, lat_max, lon_min, lon_max } => {
                let valid =
                    [point(*lat_min, *lon_min), point(*lat_max, *lon_max)].iter().all(Option::is_some);
                if valid {
                    vec![Region::Polygon(bbox_ring(*lat_min, *lat_max, *lon_min, *lon_max))]
                } else {
                    Vec::new()
                }
            }
            Location::Multi { parts } => parts.iter().flat_map(Region::from_location).collect(),
        }
    }
}

/// A box's outline. Its north and south sides are parallels, which a great-circle edge is not
/// (a 26°-wide edge bows half a degree poleward), so they are walked in steps of at most one
/// degree of longitude, where the difference is a few hundred metres at most.
fn bbox_ring(lat_min: f64, lat_max: f64, lon_min: f64, lon_max: f64) -> Vec<LatLon> {
    let lon_max = if lon_max < lon_min { lon_max + 360.0 } else { lon_max }; // across the antimeridian
    let steps = ((lon_max - lon_min).ceil() as usize).max(1);
    let lon_at = |i: usize| {
        let lon = lon_min + (lon_max - lon_min) * i as f64 / steps as f64;
        if lon > 180.0 { lon - 360.0 } else { lon }
    };
    let south = (0..=steps).map(|i| LatLon { lat: lat_min, lon: lon_at(i) });
    let north = (0..=steps).rev().map(|i| LatLon { lat: lat_max, lon: lon_at(i) });
    south.chain(north).collect()
}

/// The gap in km between two regions: 0 when they touch or overlap.
pub fn gap_km(a: &Region, b: &Region) -> f64 {
    match (a, b) {
        (Region::Circle(c, r), other) | (other, Region::Circle(c, r)) => {
            (gap_km(&Region::Point(*c), other) - r).max(0.0)
        }
        (Region::Point(p), Region::Point(q)) => distance_km(*p, *q),
        (Region::Point(p), Region::Polygon(poly)) | (Region::Polygon(poly), Region::Point(p)) => {
            if contains(poly, *p) {
                0.0
            } else {
                edges(poly).map(|(a, b)| point_segment_km(*p, a, b)).fold(f64::MAX, f64::min)
            }
        }
        (Region::Polygon(a), Region::Polygon(b)) => {
            if a.iter().any(|p| contains(b, *p)) || b.iter().any(|p| contains(a, *p)) || edges_cross(a, b) {
                return 0.0;
            }
            let a_to_b = a.iter().flat_map(|p| edges(b).map(move |(s, e)| point_segment_km(*p, s, e)));
            let b_to_a = b.iter().flat_map(|p| edges(a).map(move |(s, e)| point_segment_km(*p, s, e)));
            a_to_b.chain(b_to_a).fold(f64::MAX, f64::min)
        }
    }
}

/// The smallest gap between any part of an item's location and an area.
pub fn location_gap_km(location: &Location, area: &Area) -> Option<f64> {
    let area = Region::from_area(area);
    Region::from_location(location).iter().map(|r| gap_km(r, &area)).reduce(f64::min)
}

/// An area made ready for many "how far, if within N km?" questions, as a briefing asks of
/// every item in a week: its region built once, and a bounding cap (a centre and the distance
/// to its farthest vertex) that settles most far-away locations with a dot product.
pub struct Reach {
    region: Region,
    /// The cap's centre, as a unit vector.
    unit: [f64; 3],
    radius_km: f64,
    /// A polygon area's outline, made ready for measuring points against it.
    outline: Option<Outline>,
}

/// What measuring a point against a polygon takes that depends on the polygon alone (its
/// vertices stay in the reach's region): its planar ring (for containment) and each edge's
/// length, bearing and great circle. Measured
/// with these, a point's gap is `gap_km`'s to the last bit where it is within the distance
/// asked about; an edge whose great circle is farther than that is not measured.
struct Outline {
    ring: Vec<(f64, f64)>,
    edges: Vec<Edge>,
}

/// An edge, from a vertex to the next.
struct Edge {
    /// Its length as an angle, and its bearing from its start.
    length: f64,
    heading: f64,
    /// The unit normal of its great circle (none for an edge of no length).
    normal: Option<[f64; 3]>,
}

impl Outline {
    fn new(vertices: &[LatLon]) -> Option<Outline> {
        let first = vertices.first()?;
        let edges = edges(vertices)
            .map(|(a, b)| Edge {
                length: distance_km(a, b) / EARTH_RADIUS_KM,
                heading: bearing(a, b),
                normal: normal(unit(a), unit(b)),
            })
            .collect();
        Some(Outline { ring: planar(vertices, first.lon), edges })
    }

    /// `gap_km(Point(p), Polygon(vertices))`, the outline's polygon, where that is at most
    /// `within` km (`unit` is `p` as a unit vector); more than `within` otherwise.
    fn gap_from(&self, vertices: &[LatLon], p: LatLon, unit: [f64; 3], within: f64) -> f64 {
        if ring_contains(&self.ring, vertices[0].lon, p) {
            return 0.0;
        }
        // An arc is no nearer than its great circle, asin(|p . normal|) away: an edge whose
        // circle is past `within` and a kilometre (far more than any rounding) cannot be the
        // nearest within reach, and is not measured.
        // (A reach of a quarter turn or more is everywhere: nothing is skipped.)
        let angle = (within + 1.0) / EARTH_RADIUS_KM;
        let reach = if angle < std::f64::consts::FRAC_PI_2 { angle.sin() } else { f64::INFINITY };
        let mut gap = f64::MAX;
        // The distance to the vertex the last edge measured ended at: the next edge starts
        // there, and each vertex is measured once.
        let mut last_end: Option<(usize, f64)> = None;
        for (i, (a, edge)) in vertices.iter().zip(&self.edges).enumerate() {
            if edge.normal.is_some_and(|n| dot(n, unit).abs() > reach) {
                continue;
            }
            let j = (i + 1) % vertices.len();
            let to_a = match last_end {
                Some((at, km)) if at == i => km,
                _ => distance_km(p, *a),
            };
            let to_b = distance_km(p, vertices[j]);
            last_end = Some((j, to_b));
            gap = gap.min(point_arc_km(p, *a, (to_a, to_b), (edge.length, edge.heading)));
        }
        gap
    }
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// The unit normal of the great circle through `a` and `b`, if they are far enough apart for
/// its direction to be good to well under the 1 km margin (1e-8 rad is 6 cm).
fn normal(a: [f64; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let n = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
    let length = dot(n, n).sqrt();
    (length > 1e-8).then(|| n.map(|x| x / length))
}

/// A location made ready to be measured against several reaches (every mission of a
/// briefing): its regions, each with its bounding cap, the cap's centre as a unit vector, so
/// that a reach far away is settled by a dot product and one cosine.
pub struct Placed {
    /// Most locations are one part: kept inline, the rest in `more`.
    first: Option<Part>,
    more: Vec<Part>,
}

struct Part {
    region: Region,
    unit: [f64; 3],
    extent: f64,
}

impl Placed {
    pub fn new(location: &Location) -> Placed {
        let part = |region: Region| {
            let (anchor, extent) = cap(&region);
            Part { region, unit: unit(anchor), extent }
        };
        match location {
            // Most items are points: placed without building a list of regions first.
            Location::Point { lat, lon } => {
                Placed { first: LatLon::new(*lat, *lon).map(|p| part(Region::Point(p))), more: Vec::new() }
            }
            _ => {
                let mut parts = Region::from_location(location).into_iter().map(part);
                Placed { first: parts.next(), more: parts.collect() }
            }
        }
    }

    fn parts(&self) -> impl Iterator<Item = &Part> {
        self.first.iter().chain(&self.more)
    }
}

fn unit(p: LatLon) -> [f64; 3] {
    let (lat, lon) = (p.lat.to_radians(), p.lon.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

impl Reach {
    pub fn new(area: &Area) -> Reach {
        let region = Region::from_area(area);
        let (centre, radius_km) = cap(&region);
        let outline = match &region {
            Region::Polygon(vertices) => Outline::new(vertices),
            _ => None,
        };
        Reach { region, unit: unit(centre), radius_km, outline }
    }

    /// `gap_km(part, area)` where that is at most `within` km; more than `within` otherwise.
    fn gap_to(&self, part: &Part, within: f64) -> f64 {
        match (&part.region, &self.region, &self.outline) {
            (Region::Point(p), Region::Polygon(vertices), Some(outline)) => {
                outline.gap_from(vertices, *p, part.unit, within)
            }
            (Region::Circle(c, r), Region::Polygon(vertices), Some(outline)) => {
                (outline.gap_from(vertices, *c, part.unit, within + r) - r).max(0.0)
            }
            (region, area, _) => gap_km(region, area),
        }
    }

    /// `gap_within` for a location placed once for all reaches.
    pub fn gap_within_placed(&self, placed: &Placed, km: f64) -> Option<f64> {
        placed.parts().filter_map(|part| self.part_gap_within(part, km)).reduce(f64::min)
    }

    fn part_gap_within(&self, part: &Part, km: f64) -> Option<f64> {
        let reach = part.extent + self.radius_km;
        // The caps' extents are measured to vertices; an edge between two of them bows outward
        // by well under 1% of its length, so 1% and a kilometre spare. As an angle: farther
        // than this, no part can be within. 1 - x²/2 is never more than cos x (and within 1e-6 of it below 0.07 rad, 450 km): a
        // part it turns away is farther still, and no cosine is taken.
        let limit = (reach + km + 1.0 + 0.01 * reach) / EARTH_RADIUS_KM;
        if limit < std::f64::consts::PI && dot(part.unit, self.unit) < 1.0 - limit * limit / 2.0 {
            return None;
        }
        Some(self.gap_to(part, km)).filter(|gap| *gap <= km)
    }

    /// `location_gap_km`, when the gap is at most `km`; None when farther (or unplaceable).
    pub fn gap_within(&self, location: &Location, km: f64) -> Option<f64> {
        self.gap_within_placed(&Placed::new(location), km)
    }
}

/// A point of the region and the greatest distance from it to any of the region's vertices
/// (or its rim). A polygon wider than `CAP_MAX_LON` degrees of longitude gets no cap (an
/// infinite one): containment is decided on the plane of longitude and latitude, where such a
/// polygon holds points far outside the cap its vertices make, nearer the poles.
fn cap(region: &Region) -> (LatLon, f64) {
    match region {
        Region::Point(p) => (*p, 0.0),
        Region::Circle(c, r) => (*c, *r),
        Region::Polygon(points) => {
            let anchor = points.first().copied().unwrap_or(LatLon { lat: 0.0, lon: 0.0 });
            let lons = planar(points, anchor.lon).into_iter().map(|(lon, _)| lon);
            let (west, east) = lons.fold((f64::MAX, f64::MIN), |(w, e), lon| (w.min(lon), e.max(lon)));
            if east - west > CAP_MAX_LON {
                return (anchor, f64::INFINITY);
            }
            (anchor, points.iter().map(|p| distance_km(anchor, *p)).fold(0.0, f64::max))
        }
    }
}

/// The widest polygon, in degrees of longitude, that a cap bounds (see `cap`).
const CAP_MAX_LON: f64 = 30.0;

fn edges(poly: &[LatLon]) -> impl Iterator<Item = (LatLon, LatLon)> + '_ {
    poly.iter().zip(poly.iter().cycle().skip(1)).map(|(a, b)| (*a, *b))
}

/// `lon` moved by whole turns to within 180° of `reference`.
fn unwrap(lon: f64, reference: f64) -> f64 {
    let mut lon = lon;
    while lon - reference > 180.0 {
        lon -= 360.0;
    }
    while reference - lon > 180.0 {
        lon += 360.0;
    }
    lon
}

/// The polygon's vertices as planar (lon, lat), each longitude unwrapped against the one
/// before, so an edge never takes the long way round.
fn planar(poly: &[LatLon], reference: f64) -> Vec<(f64, f64)> {
    let mut previous = reference;
    poly.iter()
        .map(|p| {
            let lon = unwrap(p.lon, previous);
            previous = lon;
            (lon, p.lat)
        })
        .collect()
}

/// Even-odd ray casting on the unwrapped polygon.
fn contains(poly: &[LatLon], p: LatLon) -> bool {
    let Some(first) = poly.first() else { return false };
    ring_contains(&planar(poly, first.lon), first.lon, p)
}

/// `contains`, on the polygon's ring unwrapped around its first vertex's longitude.
fn ring_contains(ring: &[(f64, f64)], first_lon: f64, p: LatLon) -> bool {
    let (x, y) = (unwrap(p.lon, first_lon), p.lat);
    let mut inside = false;
    for (i, &(xi, yi)) in ring.iter().enumerate() {
        let (xj, yj) = ring[(i + ring.len() - 1) % ring.len()];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
    }
    inside
}

fn edges_cross(a: &[LatLon], b: &[LatLon]) -> bool {
    let Some(first) = a.first() else { return false };
    let (ra, rb) = (planar(a, first.lon), planar(b, first.lon));
    let segs = |r: &Vec<(f64, f64)>| -> Vec<((f64, f64), (f64, f64))> {
        (0..r.len()).map(|i| (r[i], r[(i + 1) % r.len()])).collect()
    };
    let (sa, sb) = (segs(&ra), segs(&rb));
    sa.iter().any(|&(p1, p2)| sb.iter().any(|&(q1, q2)| segments_intersect(p1, p2, q1, q2)))
}

fn segments_intersect(p1: (f64, f64), p2: (f64, f64), q1: (f64, f64), q2: (f64, f64)) -> bool {
    let cross =
        |o: (f64, f64), a: (f64, f64), b: (f64, f64)| (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0);
    let (d1, d2) = (cross(q1, q2, p1), cross(q1, q2, p2));
    let (d3, d4) = (cross(p1, p2, q1), cross(p1, p2, q2));
    (d1 > 0.0) != (d2 > 0.0) && (d3 > 0.0) != (d4 > 0.0)
}

fn bearing(a: LatLon, b: LatLon) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlon = (b.lon - a.lon).to_radians();
    (dlon.sin() * lat2.cos()).atan2(lat1.cos() * lat2.sin() - lat1.sin() * lat2.cos() * dlon.cos())
}

/// Great-circle distance from `p` to the arc from `a` to `b`: the cross-track distance when
/// `p` projects onto the arc, else the distance to the nearer end.
fn point_segment_km(p: LatLon, a: LatLon, b: LatLon) -> f64 {
    let arc = (distance_km(a, b) / EARTH_RADIUS_KM, bearing(a, b));
    point_arc_km(p, a, (distance_km(p, a), distance_km(p, b)), arc)
}

/// `point_segment_km` from what it measures: the distances from `p` to the arc's ends, and
/// the arc's length (as an angle) and bearing from `a`. (A distance is the same either way.)
fn point_arc_km(p: LatLon, a: LatLon, (to_a, to_b): (f64, f64), (d12, heading): (f64, f64)) -> f64 {
    let to_ends = to_a.min(to_b);
    let d13 = to_a / EARTH_RADIUS_KM;
    if d12 < 1e-12 {
        return to_ends;
    }
    let delta = bearing(a, p) - heading;
    if delta.cos() < 0.0 {
        return to_ends; // behind the arc's start
    }
    let cross = (d13.sin() * delta.sin()).clamp(-1.0, 1.0).asin();
    let along = (d13.cos() / cross.cos()).clamp(-1.0, 1.0).acos();
    if along > d12 { to_ends } else { (cross.abs() * EARTH_RADIUS_KM).min(to_ends) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ll(lat: f64, lon: f64) -> LatLon {
        LatLon { lat, lon }
    }

    fn square(lat: f64, lon: f64, half: f64) -> Region {
        Region::Polygon(vec![
            ll(lat - half, lon - half),
            ll(lat - half, lon + half),
            ll(lat + half, lon + half),
            ll(lat + half, lon - half),
        ])
    }

    #[test]
    fn a_point_inside_a_polygon_is_at_no_distance() {
        assert_eq!(gap_km(&Region::Point(ll(15.0, 121.0)), &square(15.0, 121.0, 1.0)), 0.0);
    }

    #[test]
    fn a_point_outside_a_polygon_measures_to_the_nearest_edge() {
        // One degree of latitude north of the square's north edge: about 111.2 km.
        let gap = gap_km(&Region::Point(ll(17.0, 121.0)), &square(15.0, 121.0, 1.0));
        assert!((gap - 111.2).abs() < 0.5, "{gap}");
    }

    #[test]
    fn overlapping_polygons_touch_even_with_far_centres() {
        let long_east_west = Region::Polygon(vec![ll(0.0, 0.0), ll(0.0, 20.0), ll(1.0, 20.0), ll(1.0, 0.0)]);
        let long_north_south =
            Region::Polygon(vec![ll(-10.0, 10.0), ll(-10.0, 11.0), ll(10.0, 11.0), ll(10.0, 10.0)]);
        assert_eq!(
            gap_km(&long_east_west, &long_north_south),
            0.0,
            "edges cross, no vertex inside the other"
        );
    }

    #[test]
    fn circles_subtract_their_radius() {
        let manila = ll(14.5995, 120.9842);
        let quake = Region::Point(ll(16.8088, 121.0701));
        let gap = gap_km(&quake, &Region::Circle(manila, 100.0));
        let centre = distance_km(ll(16.8088, 121.0701), manila);
        assert!((gap - (centre - 100.0)).abs() < 1e-9);
        assert_eq!(gap_km(&quake, &Region::Circle(manila, 500.0)), 0.0);
    }

    #[test]
    fn shapes_across_the_antimeridian() {
        // Around Fiji and Tonga: the square spans 178°E to 178°W.
        let across =
            Region::Polygon(vec![ll(-20.0, 178.0), ll(-20.0, -178.0), ll(-15.0, -178.0), ll(-15.0, 178.0)]);
        assert_eq!(gap_km(&Region::Point(ll(-17.5, 179.9)), &across), 0.0);
        assert_eq!(gap_km(&Region::Point(ll(-17.5, -179.9)), &across), 0.0);
        let outside = gap_km(&Region::Point(ll(-17.5, 176.0)), &across);
        assert!((outside - 212.0).abs() < 2.0, "2° of longitude at 17.5°S: {outside}");
        // Two points a few km apart either side of the line are a few km apart.
        let gap = distance_km(ll(0.0, 179.99), ll(0.0, -179.99));
        assert!(gap < 2.5, "{gap}");
    }

    #[test]
    fn distances_over_the_poles() {
        // 89°N on opposite meridians: 2° of arc across the pole.
        let gap = distance_km(ll(89.0, 0.0), ll(89.0, 180.0));
        assert!((gap - 222.4).abs() < 0.5, "{gap}");
        let south = gap_km(&Region::Point(ll(-90.0, 0.0)), &Region::Circle(ll(-89.0, 45.0), 100.0));
        assert!((south - 11.2).abs() < 0.5, "{south}");
    }

    proptest::proptest! {
        /// The cap only ever skips what the full measure finds too far.
        #[test]
        fn reach_agrees_with_the_full_measure(
            lat in -85.0f64..85.0, lon in -180.0f64..180.0, size in 0.1f64..40.0, circle: bool,
            item_dlat in -20.0f64..20.0, item_dlon in -30.0f64..30.0, item_size in 0.0f64..5.0, kind in 0u8..4,
            km in 0.0f64..1500.0,
        ) {
            let area = if circle {
                Area::Circle { lat, lon, radius_km: size * 50.0 }
            } else {
                let (a, b) = (lat - size / 2.0, lat + size / 2.0);
                let (c, d) = (lon - size, lon + size);
                Area::Polygon { polygon: vec![[a, c], [a, d], [b, d], [b, c]] }
            };
            let item_lat = (lat + item_dlat).clamp(-89.0, 89.0);
            let item_lon = (lon + item_dlon + 540.0) % 360.0 - 180.0;
            let location = match kind {
                0 => Location::Point { lat: item_lat, lon: item_lon },
                1 => Location::Circle { lat: item_lat, lon: item_lon, radius_km: item_size * 40.0 },
                2 => Location::Polygon { points: vec![
                    [item_lat, item_lon], [item_lat, (item_lon + item_size).min(180.0)],
                    [(item_lat + item_size).min(90.0), item_lon],
                ] },
                _ => Location::Bbox {
                    lat_min: item_lat, lat_max: (item_lat + item_size).min(90.0),
                    lon_min: item_lon, lon_max: (item_lon + item_size).min(180.0),
                },
            };
            let full = location_gap_km(&location, &area).filter(|gap| *gap <= km);
            let reach = Reach::new(&area);
            proptest::prop_assert_eq!(reach.gap_within(&location, km), full);
            proptest::prop_assert_eq!(reach.gap_within_placed(&Placed::new(&location), km), full);
        }
    }

    #[test]
    fn a_wide_polygon_near_a_pole_is_measured_in_full() {
        // Inside on the plane of longitude and latitude, ~200 km outside its vertices' cap.
        let area = Area::Polygon { polygon: vec![[80.0, 0.0], [60.0, 0.0], [80.0, 180.0]] };
        let item = Location::Point { lat: 70.5, lon: 90.0 };
        assert_eq!(location_gap_km(&item, &area), Some(0.0));
        assert_eq!(Reach::new(&area).gap_within(&item, 0.0), Some(0.0));
        assert_eq!(Reach::new(&area).gap_within_placed(&Placed::new(&item), 0.0), Some(0.0));
    }

    /// What a briefing measures items with, pinned: a change to these gaps changes which items
    /// briefings list, and should be deliberate.
    #[test]
    fn measured_gaps_are_pinned() {
        let areas = [
            Area::Polygon {
                polygon: vec![
                    [18.6, 120.4],
                    [18.6, 122.3],
                    [14.0, 124.4],
                    [8.2, 125.2],
                    [7.8, 117.0],
                    [14.8, 119.8],
                ],
            },
            Area::Circle { lat: 17.6, lon: 121.7, radius_km: 150.0 },
            Area::Circle { lat: 42.66, lon: 21.17, radius_km: 80.0 },
        ];
        let reaches = Reaches::new(&areas, 300.0);
        let places = [
            Location::Point { lat: 14.6, lon: 121.0 },
            Location::Point { lat: 20.2, lon: 121.9 },
            Location::Point { lat: 12.0, lon: 127.1 },
            Location::Point { lat: 43.9, lon: 22.3 },
            Location::Circle { lat: 6.0, lon: 115.0, radius_km: 40.0 },
            Location::Bbox { lat_min: 19.0, lat_max: 21.0, lon_min: 123.0, lon_max: 125.0 },
            Location::Point { lat: 0.0, lon: 0.0 },
        ];
        let gaps: Vec<Vec<(usize, u32)>> = places.iter().map(|p| reaches.near(p).to_vec()).collect();
        let pinned: [&[(usize, u32)]; 7] = [
            &[(0, 0), (1, 192)],
            &[(0, 178), (1, 140)],
            &[(0, 261)],
            &[(2, 85)],
            &[(0, 258)],
            &[(0, 86), (1, 58)],
            &[],
        ];
        assert_eq!(gaps, pinned);
    }

    #[test]
    fn a_gdacs_bbox_has_parallels_for_sides() {
        // Tropical cyclone CALVINIA-19's box (GDACS, 2019-12-29) and Mauritius, just north of it.
        let bbox = Location::Bbox { lat_min: -46.78, lat_max: -20.78, lon_min: 55.08, lon_max: 81.08 };
        let port_louis = Area::Circle { lat: -20.16, lon: 57.50, radius_km: 10.0 };
        let gap = location_gap_km(&bbox, &port_louis).unwrap();
        assert!((gap - (0.62 * 111.2 - 10.0)).abs() < 1.0, "{gap}");
        let inside = Area::Circle { lat: -30.0, lon: 70.0, radius_km: 1.0 };
        assert_eq!(location_gap_km(&bbox, &inside), Some(0.0));
    }
}
