use serde::{Deserialize, Serialize};

/// WGS84 mean earth radius, the sphere the desk measures great-circle distances on.
const EARTH_RADIUS_KM: f64 = 6371.0088;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    pub fn new(lat: f64, lon: f64) -> Option<Self> {
        let valid = lat.is_finite()
            && lon.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon);
        valid.then_some(Self { lat, lon })
    }
}

/// Great-circle distance by the haversine formula.
pub fn distance_km(a: LatLon, b: LatLon) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// A mission's area of responsibility.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Area {
    Circle { lat: f64, lon: f64, radius_km: f64 },
    Polygon { polygon: Vec<[f64; 2]> },
}

impl Area {
    /// A representative point: the centre of a circle, the vertex mean of a polygon.
    pub fn centre(&self) -> LatLon {
        match self {
            Area::Circle { lat, lon, .. } => LatLon { lat: *lat, lon: *lon },
            Area::Polygon { polygon } => {
                let n = polygon.len().max(1) as f64;
                let (lat, lon) = polygon.iter().fold((0.0, 0.0), |(a, b), p| (a + p[0], b + p[1]));
                LatLon { lat: lat / n, lon: lon / n }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_city_distances_within_half_a_percent() {
        // Reference great-circle distances on the mean-radius sphere.
        let manila = LatLon { lat: 14.5995, lon: 120.9842 };
        let tokyo = LatLon { lat: 35.6762, lon: 139.6503 };
        let pristina = LatLon { lat: 42.6629, lon: 21.1655 };
        let bangui = LatLon { lat: 4.3947, lon: 18.5582 };
        for (a, b, expected) in [(manila, tokyo, 2996.0), (pristina, bangui, 4263.0)] {
            let got = distance_km(a, b);
            assert!((got - expected).abs() / expected < 0.005, "{got} vs {expected}");
        }
    }

    #[test]
    fn rejects_impossible_coordinates() {
        assert!(LatLon::new(200.0, 0.0).is_none());
        assert!(LatLon::new(f64::NAN, 0.0).is_none());
        assert!(LatLon::new(0.0, f64::INFINITY).is_none());
        assert!(LatLon::new(-33.9, 151.2).is_some());
    }
}
