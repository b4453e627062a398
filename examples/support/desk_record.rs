//! A busy desk's record, generated: bursts of feed items from polls (about 70%: seen, updated,
//! withdrawn), polls and feed failures and recoveries, alerts raised, updated, escalated,
//! acknowledged and resolved (about 10% raised or changed, plus the operators' acks), operator
//! notes, contact check-ins and console sessions. The same seed, event count, days and end give
//! the same bytes. Written by `gen-journal` for benchmarks, and by tests that want a journal
//! shaped like a real one (`tests/brief_fold.rs`).

use attache::domain::{FeedItem, Location, Severity, Traffic};
use attache::event::{Event, WithdrawReason};
use attache::journal::Writer;
use chrono::{DateTime, Duration, Utc};
use std::collections::VecDeque;
use std::path::Path;

/// Writes `events` events spread evenly over the `days` days before `until` into the journal
/// in `dir`, through the real writer; returns how many were written.
pub fn write(dir: &Path, events: u64, days: u32, seed: u64, until: DateTime<Utc>) -> Result<u64, String> {
    let span = Duration::days(i64::from(days)).num_microseconds().unwrap_or(i64::MAX);
    let start = until - Duration::microseconds(span);
    let mut writer = Writer::open(dir).map_err(|e| e.to_string())?;
    let mut desk = Desk {
        rng: Rng(seed),
        next_item: 0,
        next_alert: 0,
        live_items: VecDeque::new(),
        open_alerts: VecDeque::new(),
        failing: Vec::new(),
    };
    let mut written = 0u64;
    while written < events {
        let ts = start + Duration::microseconds((span as f64 * written as f64 / events as f64) as i64);
        let (by, mut batch) = desk.moment(ts);
        batch.truncate((events - written) as usize);
        written += batch.len() as u64;
        writer.append_batch(&by, ts, batch).map_err(|e| format!("after {written} events: {e}"))?;
    }
    writer.sync().map_err(|e| e.to_string())?;
    Ok(written)
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64: tiny, seedable with any value, good enough for a synthetic desk.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const FEEDS: [&str; 6] = ["usgs-quakes", "gdacs", "cap-phivolcs", "reliefweb", "cot-tak", "rss-news"];
const OPERATORS: [&str; 4] = ["reyes", "okafor", "lindqvist", "tanaka"];
const PLACES: [(&str, f64, f64); 8] = [
    ("Mindanao, Philippines", 7.1, 125.6),
    ("Luzon, Philippines", 15.5, 120.9),
    ("Pristina, Kosovo", 42.66, 21.17),
    ("Bangui, Central African Republic", 4.39, 18.56),
    ("Honshu, Japan", 36.2, 138.3),
    ("Aceh, Indonesia", 4.7, 96.7),
    ("Port-au-Prince, Haiti", 18.59, -72.31),
    ("Juba, South Sudan", 4.85, 31.58),
];
const HAZARDS: [&str; 6] =
    ["Earthquake", "Tropical cyclone", "Flood", "Volcanic activity", "Security incident", "Wildfire"];
const NOTES: [&str; 5] = [
    "Called DATT Tokyo; no impact on the embassy",
    "Liaison officer at KFOR HQ confirms patrols unaffected",
    "Passed to J3 for assessment",
    "Host-nation counterpart reports roads open",
    "Shift handover: two alerts open, see log",
];

/// Items a feed lists at once, across the desk's feeds.
const LIVE_ITEMS: usize = 5000;
/// Open alerts at most; past it the oldest is resolved, as its item would have expired.
const OPEN_ALERTS: usize = 200;

struct Desk {
    rng: Rng,
    next_item: u64,
    next_alert: u64,
    live_items: VecDeque<(String, String)>,
    open_alerts: VecDeque<(String, bool)>,
    failing: Vec<String>,
}

impl Desk {
    fn item(&mut self, feed: &str, id: String, ts: DateTime<Utc>) -> FeedItem {
        let (place, lat, lon) = *self.rng.pick(&PLACES);
        let hazard = *self.rng.pick(&HAZARDS);
        let magnitude = 4.0 + self.rng.unit() * 3.5;
        let severity = *self.rng.pick(&Severity::ALL);
        FeedItem {
            feed: feed.to_string(),
            id: id.clone(),
            title: format!("{hazard} M{magnitude:.1} near {place}"),
            summary: Some(format!(
                "{hazard} {:.0} km from {place}; no damage reported",
                self.rng.unit() * 80.0
            )),
            link: Some(format!("https://example.org/{feed}/{id}")),
            published: Some(ts - Duration::minutes(self.rng.below(30) as i64)),
            updated: Some(ts),
            severity,
            severity_raw: Some(format!("{magnitude:.1}")),
            category: Some(hazard.to_lowercase()),
            magnitude: (feed == "usgs-quakes").then_some((magnitude * 10.0).round() / 10.0),
            location: Some(Location::Point {
                lat: ((lat + self.rng.unit() - 0.5) * 1e4).round() / 1e4,
                lon: ((lon + self.rng.unit() - 0.5) * 1e4).round() / 1e4,
            }),
            expires: Some(ts + Duration::hours(6)),
            traffic: if self.rng.below(20) == 0 { Traffic::Exercise } else { Traffic::Real },
        }
    }

    /// One moment of the desk: a poll's burst of items, or one operator or system event.
    fn moment(&mut self, ts: DateTime<Utc>) -> (String, Vec<Event>) {
        if self.open_alerts.len() > OPEN_ALERTS
            && let Some((alert, _)) = self.open_alerts.pop_front()
        {
            let reason = "item withdrawn: expired".to_string();
            return (
                "attache".into(),
                vec![Event::AlertResolved { alert, operator: "attache".into(), reason }],
            );
        }
        let roll = self.rng.below(100);
        if roll < 50 {
            return self.poll(ts);
        }
        let operator = self.rng.pick(&OPERATORS).to_string();
        let event = match roll {
            50..=69 => {
                let feed = self.rng.pick(&FEEDS).to_string();
                let id = self.rng.below(self.next_item.max(1));
                self.next_alert += 1;
                let alert = format!("A{}", self.next_alert);
                self.open_alerts.push_back((alert.clone(), false));
                Event::AlertRaised {
                    alert,
                    rule: self.rng.pick(&["near-mission", "severe-anywhere", "keyword-embassy"]).to_string(),
                    feed,
                    item: format!("ev{id}"),
                    severity: *self.rng.pick(&[Severity::Moderate, Severity::Severe, Severity::Critical]),
                    title: format!("{} near {}", self.rng.pick(&HAZARDS), self.rng.pick(&PLACES).0),
                    missions: vec![self.rng.pick(&["KFOR", "MINUSCA", "EDCA-PH", "UNMISS"]).to_string()],
                    // About one alert in twenty comes from exercise traffic, as on a real desk.
                    traffic: if self.rng.below(20) == 0 { Traffic::Exercise } else { Traffic::Real },
                }
            }
            70..=77 if !self.open_alerts.is_empty() => {
                let i = self.rng.below(self.open_alerts.len() as u64) as usize;
                let (alert, acked) = self.open_alerts[i].clone();
                if acked {
                    self.open_alerts.remove(i);
                    Event::AlertResolved { alert, operator, reason: "no impact on the mission".into() }
                } else {
                    self.open_alerts[i].1 = true;
                    let note = self.rng.below(3).eq(&0).then(|| self.rng.pick(&NOTES).to_string());
                    Event::AlertAcknowledged { alert, operator, note }
                }
            }
            78 | 79 if !self.open_alerts.is_empty() => {
                let (alert, _) =
                    self.open_alerts[self.rng.below(self.open_alerts.len() as u64) as usize].clone();
                match self.rng.below(3) {
                    0 => Event::AlertEscalated { alert },
                    1 => Event::AlertUnacknowledged { alert, operator },
                    _ => {
                        Event::AlertUpdated { alert, severity: Severity::Critical, title: "Upgraded".into() }
                    }
                }
            }
            80..=85 => Event::Note {
                operator,
                text: self.rng.pick(&NOTES).to_string(),
                mission: None,
                alert: None,
                contact: None,
            },
            86..=91 => {
                let feed = self.rng.pick(&FEEDS).to_string();
                if let Some(i) = self.failing.iter().position(|f| *f == feed) {
                    self.failing.remove(i);
                    Event::FeedRecovered { feed }
                } else {
                    self.failing.push(feed.clone());
                    Event::FeedFailed {
                        feed,
                        error: "HTTP 503 Service Unavailable from the publisher".into(),
                    }
                }
            }
            92 | 93 => Event::ContactCheckedIn {
                contact: format!("C{}", self.rng.below(12)),
                operator,
                channel: None,
                note: None,
            },
            94 | 95 => {
                Event::SessionStarted { operator, host: "watch-01".into(), terminal: "tmux-256color".into() }
            }
            96 | 97 => Event::SessionEnded { operator, host: "watch-01".into() },
            _ => Event::ConfigLoaded {
                path: "/etc/attache/attache.toml".into(),
                digest: format!("{:016x}{:016x}", self.rng.next(), self.rng.next()),
                feeds: FEEDS.len(),
                missions: 7,
                contacts: 12,
                config: None,
            },
        };
        let by = match &event {
            Event::FeedFailed { feed, .. } | Event::FeedRecovered { feed } => format!("feed:{feed}"),
            Event::AlertRaised { .. } | Event::AlertEscalated { .. } | Event::AlertUpdated { .. } => {
                "attache".into()
            }
            Event::SessionStarted { operator, .. }
            | Event::SessionEnded { operator, .. }
            | Event::Note { operator, .. }
            | Event::AlertAcknowledged { operator, .. }
            | Event::AlertUnacknowledged { operator, .. }
            | Event::AlertResolved { operator, .. }
            | Event::ContactCheckedIn { operator, .. } => operator.clone(),
            _ => "attache".into(),
        };
        (by, vec![event])
    }

    fn poll(&mut self, ts: DateTime<Utc>) -> (String, Vec<Event>) {
        let feed = self.rng.pick(&FEEDS).to_string();
        let n = 1 + self.rng.below(6);
        let mut events = Vec::with_capacity(n as usize + 1);
        let (mut new, mut updated, mut withdrawn) = (0, 0, 0);
        for _ in 0..n {
            let roll = self.rng.below(100);
            if roll < 70 || self.live_items.is_empty() {
                self.next_item += 1;
                let id = format!("ev{}", self.next_item);
                self.live_items.push_back((feed.clone(), id.clone()));
                events.push(Event::ItemSeen { item: self.item(&feed, id, ts) });
                new += 1;
                // Feeds list a window of recent items: the oldest leaves it, as on a real desk,
                // so the desk's state stays the size a real one has.
                if self.live_items.len() > LIVE_ITEMS
                    && let Some((f, id)) = self.live_items.pop_front()
                {
                    events.push(Event::ItemWithdrawn { feed: f, id, reason: WithdrawReason::Gone });
                    withdrawn += 1;
                }
            } else if roll < 92 {
                let (f, id) = self.live_items[self.rng.below(self.live_items.len() as u64) as usize].clone();
                events.push(Event::ItemUpdated { item: self.item(&f, id, ts) });
                updated += 1;
            } else if let Some(i) = self.live_items.iter().position(|(f, _)| *f == feed)
                && let Some((f, id)) = self.live_items.remove(i)
            {
                let reason = *self.rng.pick(&[
                    WithdrawReason::Expired,
                    WithdrawReason::Stale,
                    WithdrawReason::Cancelled,
                ]);
                events.push(Event::ItemWithdrawn { feed: f, id, reason });
                withdrawn += 1;
            }
        }
        // Quiet polls are journaled only now and then (see `feeds::QUIET_OK_INTERVAL`).
        if self.rng.below(2) == 0 {
            return (format!("feed:{feed}"), events);
        }
        events.push(Event::FeedPolled {
            feed: feed.clone(),
            items: 20 + self.rng.below(200) as usize,
            new,
            updated,
            withdrawn,
            ms: 80 + self.rng.below(900),
            skipped: 0,
            incomplete: 0,
            problem: None,
        });
        (format!("feed:{feed}"), events)
    }
}
