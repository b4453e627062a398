//! Alerts: the few feed items that need a duty officer. Rules pick them (`rule`); `derive` turns
//! what just changed in the journal into alert events (raised, updated, resolved when the item
//! is withdrawn) and `escalations` finds the ones left waiting too long. All pure: the process
//! that polls journals what these return.

mod derive;
mod rule;

pub use derive::{SYSTEM, derive, escalations};
pub use rule::{DEFAULT_MAX_AGE, LINK_KM, Match, Rule};

/// The alert id for a rule and an item: one alert per (rule, item).
pub fn alert_id(rule: &str, feed: &str, item: &str) -> String {
    format!("{rule}|{feed}|{item}")
}
