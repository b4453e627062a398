use chrono::{DateTime, Utc};

use super::{Rule, alert_id};
use crate::domain::{Contact, FeedItem, Mission};
use crate::event::Event;
use crate::state::{AlertState, DeskState};

/// Who the journal says raised, updated, escalated or resolved an alert on its own.
pub const SYSTEM: &str = "attache";

/// The alert events that follow from `events`, which have just been folded into `state` at
/// `now`: an item seen or updated that a rule matches raises its alert (or updates it, saying
/// so), unless its event is older than the rule's `max_age`; an updated item that no longer
/// matches, or a withdrawn one, resolves its alerts with the reason. An alert an operator
/// already resolved stays resolved. Missions match by the status the record gives them
/// (`mission.status_changed`), not the desk file's.
pub fn derive(
    rules: &[Rule],
    missions: &[Mission],
    contacts: &[Contact],
    state: &DeskState,
    events: &[Event],
    now: DateTime<Utc>,
) -> Vec<Event> {
    let missions = crate::state::mission::as_of(state.missions(), missions);
    let missions = &*missions;
    let mut out = Vec::new();
    for event in events {
        match event {
            Event::ItemSeen { item } | Event::ItemUpdated { item } => {
                let Some(entry) = state.items().get(&item.cleaned().key()) else { continue };
                let updated = matches!(event, Event::ItemUpdated { .. });
                for rule in rules {
                    item_alert(rule, &entry.item, updated, (missions, contacts), state, now, &mut out);
                }
            }
            Event::ItemWithdrawn { feed, id, reason } => {
                let key = FeedItem::key_for(feed, id);
                for alert in state.open_alerts().filter(|a| *a.feed == *key.feed && *a.item == *key.id) {
                    out.push(Event::AlertResolved {
                        alert: alert.id.clone(),
                        operator: SYSTEM.into(),
                        reason: format!("item withdrawn: {}", reason.as_str()),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

fn item_alert(
    rule: &Rule,
    item: &FeedItem,
    updated: bool,
    (missions, contacts): (&[Mission], &[Contact]),
    state: &DeskState,
    now: DateTime<Utc>,
    out: &mut Vec<Event>,
) {
    let id = alert_id(&rule.name, &item.feed, &item.id);
    let existing = state.alerts().get(&id);
    // The rule's level, or the item's own if that is higher: a critical event stays critical.
    let severity = rule.raise.max(item.severity);
    match (rule.matches(item, missions, contacts), existing) {
        (Some(_), None) if rule.too_old(item, now) => {}
        (Some(found), None) => out.push(Event::AlertRaised {
            alert: id,
            rule: rule.name.clone(),
            feed: item.feed.clone(),
            item: item.id.clone(),
            severity,
            title: item.title.clone(),
            missions: found.missions,
            traffic: item.traffic,
        }),
        (Some(_), Some(alert)) if updated && alert.state != AlertState::Resolved => {
            out.push(Event::AlertUpdated { alert: id, severity, title: item.title.clone() })
        }
        (None, Some(alert)) if updated && alert.state != AlertState::Resolved => {
            out.push(Event::AlertResolved {
                alert: id,
                operator: SYSTEM.into(),
                reason: format!("item updated and no longer matches the rule: {}", item.title),
            })
        }
        _ => {}
    }
}

/// Escalations due at `now`: open alerts nobody has acknowledged for their rule's
/// `escalate_after`, counted from when they began waiting (raised, or last unacknowledged).
pub fn escalations(rules: &[Rule], state: &DeskState, now: DateTime<Utc>) -> Vec<Event> {
    state
        .alerts()
        .values()
        .filter(|a| a.state == AlertState::Open && !a.escalated())
        .filter(|a| {
            let after = rules.iter().find(|r| r.name == a.rule).and_then(|r| r.escalate_after);
            after.and_then(|d| chrono::Duration::from_std(d).ok()).is_some_and(|d| a.waiting_since + d <= now)
        })
        .map(|a| Event::AlertEscalated { alert: a.id.clone() })
        .collect()
}
