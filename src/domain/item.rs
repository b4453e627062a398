use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::{LatLon, Severity};
use crate::text::{one_line, one_line_owned};

/// Whether traffic describes the real world. CAP `status` and CoT `opex` mark exercise and test
/// traffic; the desk must never mistake one for the other, so it travels with every item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Traffic {
    #[default]
    Real,
    Exercise,
    Test,
    Draft,
    System,
}

impl Traffic {
    pub fn is_real(self) -> bool {
        self == Traffic::Real
    }

    pub fn tag(self) -> &'static str {
        match self {
            Traffic::Real => "",
            Traffic::Exercise => "EXERCISE",
            Traffic::Test => "TEST",
            Traffic::Draft => "DRAFT",
            Traffic::System => "SYSTEM",
        }
    }

    /// The tag a line showing `title` must add to say what traffic it is: none for real-world
    /// traffic, nor where the title already carries it (a CAP headline ending in `[TEST]`).
    pub fn tag_for(self, title: &str) -> Option<&'static str> {
        let tag = self.tag();
        let carried = title.to_ascii_uppercase().contains(&format!("[{tag}]"));
        (!self.is_real() && !carried).then_some(tag)
    }
}

/// Where an item is. Feeds describe places as points (USGS, CoT), circles and polygons (CAP) or
/// bounding boxes (GDACS).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Location {
    Point {
        lat: f64,
        lon: f64,
    },
    Circle {
        lat: f64,
        lon: f64,
        radius_km: f64,
    },
    Polygon {
        points: Vec<[f64; 2]>,
    },
    Bbox {
        lat_min: f64,
        lat_max: f64,
        lon_min: f64,
        lon_max: f64,
    },
    /// Several areas at once, as a CAP alert with more than one `<area>` or polygon.
    Multi {
        parts: Vec<Location>,
    },
}

impl Location {
    /// A representative point for distances and the map.
    pub fn centre(&self) -> Option<LatLon> {
        match self {
            Location::Point { lat, lon } | Location::Circle { lat, lon, .. } => LatLon::new(*lat, *lon),
            Location::Polygon { points } if !points.is_empty() => {
                let n = points.len() as f64;
                let (lat, lon) = points.iter().fold((0.0, 0.0), |(a, b), p| (a + p[0], b + p[1]));
                LatLon::new(lat / n, lon / n)
            }
            Location::Polygon { .. } => None,
            Location::Bbox { lat_min, lat_max, lon_min, lon_max } => {
                LatLon::new((lat_min + lat_max) / 2.0, (lon_min + lon_max) / 2.0)
            }
            Location::Multi { parts } => {
                let centres: Vec<_> = parts.iter().filter_map(Location::centre).collect();
                let n = centres.len() as f64;
                (n > 0.0).then_some(())?;
                let (lat, lon) = centres.iter().fold((0.0, 0.0), |(a, b), p| (a + p.lat, b + p.lon));
                LatLon::new(lat / n, lon / n)
            }
        }
    }
}

/// One thing a feed reported, normalized across formats. This is what the journal records in
/// `item.seen` and `item.updated`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    pub feed: String,
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::rfc3339::option")]
    pub published: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::rfc3339::option")]
    pub updated: Option<DateTime<Utc>>,
    pub severity: Severity,
    /// The publisher's own word for severity (a magnitude, "Extreme", "Orange"), kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_raw: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub magnitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// CAP `expires`, CoT `stale`, GDACS `todate`: past this the item leaves the active view.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::rfc3339::option")]
    pub expires: Option<DateTime<Utc>>,
    #[serde(default)]
    pub traffic: Traffic,
}

/// Items are identified by feed and the publisher's own id. Shared text: every state a replay
/// keeps holds a copy of every key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ItemKey {
    pub feed: Arc<str>,
    pub id: Arc<str>,
}

impl FeedItem {
    /// The item with every text field folded to one printable line (see `text::one_line`).
    pub fn cleaned(&self) -> FeedItem {
        self.clone().into_cleaned()
    }

    /// `cleaned`, reusing the item's own text where it is already clean.
    pub fn into_cleaned(self) -> FeedItem {
        let clean = |s: Option<String>| s.map(one_line_owned);
        FeedItem {
            feed: one_line_owned(self.feed),
            id: one_line_owned(self.id),
            title: one_line_owned(self.title),
            summary: clean(self.summary),
            link: clean(self.link),
            severity_raw: clean(self.severity_raw),
            category: clean(self.category),
            ..self
        }
    }

    /// The key an item of `feed` with publisher id `id` has in state.
    pub fn key_for(feed: &str, id: &str) -> ItemKey {
        ItemKey { feed: one_line(feed).into(), id: one_line(id).into() }
    }

    pub fn key(&self) -> ItemKey {
        ItemKey { feed: self.feed.as_str().into(), id: self.id.as_str().into() }
    }

    /// When the event itself happened or was first issued (a quake's origin time, a CAP
    /// alert's first `sent`), not when its record was last revised: what an item's age is
    /// measured from.
    pub fn event_time(&self) -> Option<DateTime<Utc>> {
        self.published.or(self.updated)
    }
}
