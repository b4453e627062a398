//! Coalescing a CoT track's position reports. A large exercise sends a position (PLI) for every
//! track every few seconds; journaling each would grow the journal without telling the desk
//! anything new. A report is let through when it is a track's first, when the track moved at
//! least the minimum distance, when the minimum interval has passed since the last one let
//! through, or when anything other than its position changed: its type, callsign, remarks,
//! traffic, or a stale time earlier than the one let through. A stale time later than the one
//! let through is held back only while the track's journaled life outlasts the interval, so
//! coalescing never lets a live track go stale on the screen.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::domain::{FeedItem, LatLon, distance_km};

/// What was let through last for a track: what a later report is compared with.
struct Kept {
    at: Instant,
    position: Option<LatLon>,
    title: String,
    kind: Option<String>,
    remarks: Option<String>,
    traffic: crate::domain::Traffic,
    expires: Option<DateTime<Utc>>,
}

impl Kept {
    fn of(item: &FeedItem, at: Instant) -> Self {
        Kept {
            at,
            position: item.location.as_ref().and_then(|l| l.centre()),
            title: item.title.clone(),
            kind: item.severity_raw.clone(),
            remarks: remarks(item).map(str::to_string),
            traffic: item.traffic,
            expires: item.expires,
        }
    }
}

/// The sender's remarks: the summary's lines before the last, which holds the report's type,
/// height and accuracy (position detail, coalesced like the position itself).
fn remarks(item: &FeedItem) -> Option<&str> {
    let summary = item.summary.as_deref()?;
    summary.rsplit_once('\n').map(|(remarks, _)| remarks)
}

pub struct Coalescer {
    min_interval: Duration,
    min_distance_km: f64,
    tracks: HashMap<String, Kept>,
    /// Reports held back since the listener started.
    pub held: u64,
}

impl Coalescer {
    pub fn new(min_interval: Duration, min_distance_m: f64) -> Self {
        Coalescer { min_interval, min_distance_km: min_distance_m / 1000.0, tracks: HashMap::new(), held: 0 }
    }

    /// Whether `item` is journaled; remembers it as its track's last if so.
    pub fn admit(&mut self, item: &FeedItem, at: Instant, now: DateTime<Utc>) -> bool {
        let through = match self.tracks.get(&item.id) {
            None => true,
            Some(kept) => self.differs(kept, item, at, now),
        };
        if through {
            self.tracks.insert(item.id.clone(), Kept::of(item, at));
        } else {
            self.held += 1;
        }
        through
    }

    fn differs(&self, kept: &Kept, item: &FeedItem, at: Instant, now: DateTime<Utc>) -> bool {
        let position = item.location.as_ref().and_then(|l| l.centre());
        let moved = match (kept.position, position) {
            (Some(a), Some(b)) => distance_km(a, b) >= self.min_distance_km,
            (a, b) => a.is_some() != b.is_some(),
        };
        let interval = chrono::Duration::from_std(self.min_interval).unwrap_or(chrono::Duration::MAX / 4);
        let stale_changed = match (kept.expires, item.expires) {
            (Some(kept), Some(new)) => new < kept || kept <= now + interval,
            (kept, new) => kept != new,
        };
        moved
            || stale_changed
            || at.duration_since(kept.at) >= self.min_interval
            || kept.title != item.title
            || kept.kind != item.severity_raw
            || kept.remarks.as_deref() != remarks(item)
            || kept.traffic != item.traffic
    }

    /// A track the sender withdrew starts afresh.
    pub fn forget(&mut self, uid: &str) {
        self.tracks.remove(uid);
    }

    /// Lets go of tracks whose last report has gone stale, so memory follows the live picture.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        self.tracks.retain(|_, kept| kept.expires.is_none_or(|t| t > now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Location, Severity, Traffic};

    fn pli(lat: f64, stale_min: i64, remarks: &str) -> FeedItem {
        let now = Utc::now();
        FeedItem {
            feed: "tak".into(),
            id: "ANDROID-1".into(),
            title: "JENNY".into(),
            summary: Some(format!("{remarks}\ntype a-f-G, height {lat} m")),
            link: None,
            published: Some(now),
            updated: None,
            severity: Severity::Info,
            severity_raw: Some("a-f-G".into()),
            category: None,
            magnitude: None,
            location: Some(Location::Point { lat, lon: 120.0 }),
            expires: Some(now + chrono::Duration::minutes(stale_min)),
            traffic: Traffic::Real,
        }
    }

    #[test]
    fn a_hundred_reports_within_the_interval_make_one_and_a_far_move_goes_through() {
        let mut c = Coalescer::new(Duration::from_secs(5), 50.0);
        let t0 = Instant::now();
        let through = (0..100)
            .filter(|i| c.admit(&pli(14.0 + *i as f64 * 1e-6, 5, "on station"), t0, Utc::now()))
            .count();
        assert_eq!(through, 1, "a track jittering in place is one report");
        assert_eq!(c.held, 99);
        assert!(c.admit(&pli(14.001, 5, "on station"), t0, Utc::now()), "111 m is a move");
        assert!(!c.admit(&pli(14.0012, 5, "on station"), t0, Utc::now()), "22 m from the last let through");
        assert!(c.admit(&pli(14.0012, 5, "contact"), t0, Utc::now()), "new remarks");
        assert!(
            c.admit(&pli(14.0012, 5, "contact"), t0 + Duration::from_secs(5), Utc::now()),
            "interval passed"
        );
    }

    #[test]
    fn a_shorter_stale_time_or_one_about_to_lapse_goes_through() {
        let mut c = Coalescer::new(Duration::from_secs(5), 50.0);
        let t0 = Instant::now();
        assert!(c.admit(&pli(14.0, 5, "x"), t0, Utc::now()));
        assert!(!c.admit(&pli(14.0, 6, "x"), t0, Utc::now()), "a later stale time waits");
        assert!(c.admit(&pli(14.0, 1, "x"), t0, Utc::now()), "an earlier stale time does not");
        let now = Utc::now() + chrono::Duration::seconds(57);
        assert!(c.admit(&pli(14.0, 5, "x"), t0, now), "the journaled one would lapse within the interval");
    }

    #[test]
    fn no_interval_and_no_distance_let_everything_through() {
        let mut c = Coalescer::new(Duration::ZERO, 0.0);
        let t0 = Instant::now();
        assert!((0..10).all(|_| c.admit(&pli(14.0, 5, "x"), t0, Utc::now())));
    }
}
