//! `Location` in a form postcard reads back (it cannot read an internally tagged enum), for
//! digests.

use crate::domain::Location;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
enum Place {
    Point(f64, f64),
    Circle(f64, f64, f64),
    Polygon(Vec<[f64; 2]>),
    Bbox(f64, f64, f64, f64),
    Multi(Parts),
}

/// The parts of a `Multi`, read no deeper than `MAX_DEPTH`: a forged digest nesting them
/// without end would otherwise run the reader out of stack (JSON stops at 128 levels).
#[derive(Serialize)]
struct Parts(Vec<Place>);

const MAX_DEPTH: u32 = 64;

std::thread_local! {
    static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

impl<'de> Deserialize<'de> for Parts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let depth = DEPTH.with(|c| c.get());
        if depth >= MAX_DEPTH {
            return Err(serde::de::Error::custom("places nested too deep"));
        }
        DEPTH.with(|c| c.set(depth + 1));
        let parts = Vec::<Place>::deserialize(d);
        DEPTH.with(|c| c.set(depth));
        parts.map(Parts)
    }
}

fn place(location: &Location) -> Place {
    match location {
        Location::Point { lat, lon } => Place::Point(*lat, *lon),
        Location::Circle { lat, lon, radius_km } => Place::Circle(*lat, *lon, *radius_km),
        Location::Polygon { points } => Place::Polygon(points.clone()),
        Location::Bbox { lat_min, lat_max, lon_min, lon_max } => {
            Place::Bbox(*lat_min, *lat_max, *lon_min, *lon_max)
        }
        Location::Multi { parts } => Place::Multi(Parts(parts.iter().map(place).collect())),
    }
}

fn location(place: Place) -> Location {
    match place {
        Place::Point(lat, lon) => Location::Point { lat, lon },
        Place::Circle(lat, lon, radius_km) => Location::Circle { lat, lon, radius_km },
        Place::Polygon(points) => Location::Polygon { points },
        Place::Bbox(lat_min, lat_max, lon_min, lon_max) => {
            Location::Bbox { lat_min, lat_max, lon_min, lon_max }
        }
        Place::Multi(Parts(parts)) => Location::Multi { parts: parts.into_iter().map(location).collect() },
    }
}

pub fn serialize<S: Serializer>(location: &Location, s: S) -> Result<S::Ok, S::Error> {
    place(location).serialize(s)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Location, D::Error> {
    Place::deserialize(d).map(location)
}
