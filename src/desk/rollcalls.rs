//! The roll-calls that follow from alerts just raised: `[rollcall] at` or above, on an item
//! within the rule's `near_contact_km` of contacts' posts, opens a roll-call of those contacts,
//! one per alert. Pure, like `alerts::derive`: the process that polls journals what it returns.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::FeedItem;
use crate::event::Event;
use crate::state::DeskState;

/// The roll-call id for an alert's roll-call.
pub fn for_alert(alert: &str) -> String {
    format!("alert {alert}")
}

/// When a roll-call opened at `now` is due: `[rollcall] deadline` later, by default an hour.
pub fn deadline_after(config: &Config, now: DateTime<Utc>) -> DateTime<Utc> {
    let deadline = config.rollcall.map_or(crate::config::DEFAULT_DEADLINE, |r| r.deadline);
    now + chrono::Duration::from_std(deadline).unwrap_or(chrono::Duration::hours(1))
}

/// The roll-calls `events` (alerts just committed and folded into `state`) open at `now`.
/// Exercise and test traffic opens none: a roll-call rings and pages as the real world.
pub fn opened(config: &Config, state: &DeskState, events: &[Event], now: DateTime<Utc>) -> Vec<Event> {
    let Some(rollcall) = config.rollcall else { return Vec::new() };
    let deadline = deadline_after(config, now);
    events
        .iter()
        .filter_map(|event| {
            let Event::AlertRaised { alert, rule, feed, item, severity, title, traffic, .. } = event else {
                return None;
            };
            if *severity < rollcall.at
                || !traffic.is_real()
                || state.rollcalls().contains_key(&for_alert(alert))
            {
                return None;
            }
            let rule = config.rules.iter().find(|r| r.name == *rule)?;
            let entry = state.items().get(&FeedItem::key_for(feed, item))?;
            let contacts: Vec<String> = rule
                .contacts_near(&entry.item, &config.contacts)
                .into_iter()
                .map(|c| c.name.clone())
                .collect();
            (!contacts.is_empty()).then(|| Event::RollcallOpened {
                rollcall: for_alert(alert),
                contacts,
                deadline,
                mission: None,
                alert: Some(alert.clone()),
                reason: format!("{} alert: {}", severity.as_str(), crate::text::one_line(title)),
            })
        })
        .collect()
}
