use chrono::{DateTime, Utc};
use std::time::Duration;

use crate::domain::{Contact, FeedItem, Mission, MissionStatus, Region, Severity, gap_km, location_gap_km};

/// When an item with no geographic condition is still linked to a mission: within this reach.
pub const LINK_KM: f64 = 300.0;

/// How old an item's event may be for a rule to raise an alert on it, unless the rule says.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// A rule that turns feed items into alerts. Every condition given must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub name: String,
    /// Feed names the rule reads; `None` for all feeds. (`kinds` in config resolve to names.)
    pub feeds: Option<Vec<String>>,
    pub min_severity: Option<Severity>,
    pub min_magnitude: Option<f64>,
    /// Any of these, case-insensitive, in title or summary as folded for the screen
    /// (`text::one_line`). Stored folded and lower-cased.
    pub keywords: Vec<String>,
    pub near_mission_km: Option<f64>,
    pub near_contact_km: Option<f64>,
    /// Exercise, test, draft and system traffic are left out unless asked for.
    pub include_exercise: bool,
    pub raise: Severity,
    pub escalate_after: Option<Duration>,
    /// Items whose event (by their own time) is older than this raise nothing: an archive or a
    /// feed's long memory is not news.
    pub max_age: Duration,
}

/// What a rule found: which missions the alert concerns.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub missions: Vec<String>,
}

impl Rule {
    /// A rule with no conditions yet: it matches every real-world item and raises `raise`.
    pub fn new(name: &str, raise: Severity) -> Self {
        Rule {
            name: name.to_string(),
            feeds: None,
            min_severity: None,
            min_magnitude: None,
            keywords: Vec::new(),
            near_mission_km: None,
            near_contact_km: None,
            include_exercise: false,
            raise,
            escalate_after: None,
            max_age: DEFAULT_MAX_AGE,
        }
    }

    /// Whether the item's event is older at `now` than this rule raises alerts for. An item
    /// that carries no time of its own is not too old: it is news as far as anyone can tell.
    pub fn too_old(&self, item: &FeedItem, now: DateTime<Utc>) -> bool {
        let max_age = chrono::Duration::from_std(self.max_age).unwrap_or(chrono::Duration::MAX);
        item.event_time().is_some_and(|t| now.signed_duration_since(t) > max_age)
    }

    pub fn matches(&self, item: &FeedItem, missions: &[Mission], contacts: &[Contact]) -> Option<Match> {
        if self.feeds.as_ref().is_some_and(|feeds| !feeds.contains(&item.feed)) {
            return None;
        }
        if !self.include_exercise && !item.traffic.is_real() {
            return None;
        }
        if self.min_severity.is_some_and(|min| item.severity < min) {
            return None;
        }
        if let Some(min) = self.min_magnitude
            && !item.magnitude.is_some_and(|m| m >= min)
        {
            return None;
        }
        if !self.keywords.is_empty() {
            // Matched as the screen shows it: characters that draw nothing cannot split a word.
            let text = format!("{} {}", item.title, item.summary.as_deref().unwrap_or_default());
            let text = crate::text::one_line_owned(text).to_lowercase();
            if !self.keywords.iter().any(|k| text.contains(k)) {
                return None;
            }
        }
        let reach = self.near_mission_km.unwrap_or(LINK_KM);
        let near: Vec<String> = missions
            .iter()
            .filter(|m| m.status == MissionStatus::Active)
            .filter(|m| {
                item.location
                    .as_ref()
                    .and_then(|l| location_gap_km(l, &m.area))
                    .is_some_and(|gap| gap <= reach)
            })
            .map(|m| m.id.clone())
            .collect();
        if self.near_mission_km.is_some() && near.is_empty() {
            return None;
        }
        if self.near_contact_km.is_some() && self.contacts_near(item, contacts).is_empty() {
            return None;
        }
        Some(Match { missions: near })
    }

    /// The contacts whose posts lie within the rule's `near_contact_km` of the item; none when
    /// the rule has no such condition.
    pub fn contacts_near<'a>(&self, item: &FeedItem, contacts: &'a [Contact]) -> Vec<&'a Contact> {
        let Some(reach) = self.near_contact_km else { return Vec::new() };
        let regions = item.location.as_ref().map(Region::from_location).unwrap_or_default();
        contacts
            .iter()
            .filter(|c| {
                c.post_location
                    .is_some_and(|post| regions.iter().any(|r| gap_km(r, &Region::Point(post)) <= reach))
            })
            .collect()
    }
}
