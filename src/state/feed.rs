//! A feed's health as its records make it: the one rule the screen's state and a briefing's
//! outages both fold by.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use super::FeedHealth;
use crate::event::Event;
use crate::text::one_line_owned;

/// Folds a feed's poll, failure or recovery into its health (other events change nothing).
pub fn apply(feeds: &mut BTreeMap<String, FeedHealth>, event: Event, ts: DateTime<Utc>) {
    fn health<'f>(feeds: &'f mut BTreeMap<String, FeedHealth>, feed: &str) -> &'f mut FeedHealth {
        feeds.entry(feed.to_string()).or_default()
    }
    match event {
        Event::FeedPolled { feed, ms, skipped, incomplete, problem, .. } => {
            let health = health(feeds, &feed);
            health.last_ok = Some(ts);
            health.last_poll_ms = Some(ms);
            health.failing_since = None;
            health.skipped = skipped;
            health.incomplete = incomplete;
            health.problem = problem.map(one_line_owned);
        }
        Event::FeedFailed { feed, error } => {
            let health = health(feeds, &feed);
            health.last_error = Some((ts, one_line_owned(error)));
            health.failing_since.get_or_insert(ts);
        }
        Event::FeedRecovered { feed } => {
            let health = health(feeds, &feed);
            health.failing_since = None;
            health.last_ok = Some(ts);
        }
        _ => {}
    }
}

/// The feed an event concerns, if it is a feed's poll, failure or recovery.
pub fn feed_of(event: &Event) -> Option<&str> {
    match event {
        Event::FeedPolled { feed, .. } | Event::FeedFailed { feed, .. } | Event::FeedRecovered { feed } => {
            Some(feed)
        }
        _ => None,
    }
}
