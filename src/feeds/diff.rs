use chrono::{DateTime, Utc};
use std::collections::HashSet;

use crate::domain::{FeedItem, ItemKey};
use crate::event::{Event, WithdrawReason};
use crate::state::DeskState;

/// The journal events one successful poll produces.
#[derive(Debug, Default, PartialEq)]
pub struct Changes {
    pub events: Vec<Event>,
    pub new: usize,
    pub updated: usize,
    pub withdrawn: usize,
}

/// What to make of an item the journal holds that the current document does not list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// Summary feeds (USGS, GDACS, CAP indexes) define their window by what they list: an item
    /// that drops out is withdrawn.
    Withdraw,
    /// Streams (CoT) send one item at a time: an item not in this message is not gone.
    Keep,
}

impl Changes {
    fn withdraw(&mut self, key: &ItemKey, reason: WithdrawReason) {
        self.withdrawn += 1;
        self.events.push(Event::ItemWithdrawn { feed: key.feed.to_string(), id: key.id.to_string(), reason });
    }
}

/// Compares a feed's current document with what the journal holds for that feed. An unchanged
/// item yields nothing, a changed one an update, one past its expiry or withdrawn by the
/// document (a CAP Cancel) a withdrawal. Items already past their life are never journaled as
/// seen.
pub fn diff(
    state: &DeskState,
    feed: &str,
    items: Vec<FeedItem>,
    withdrawn: Vec<(String, WithdrawReason)>,
    missing: Missing,
    now: DateTime<Utc>,
) -> Changes {
    let mut changes = Changes::default();
    // Keys this document has settled, so that nothing is journaled twice for one key.
    let mut settled = HashSet::new();
    for (id, reason) in withdrawn {
        let key = FeedItem::key_for(feed, &id);
        if settled.insert(key.clone()) && state.items().contains_key(&key) {
            changes.withdraw(&key, reason);
        }
    }
    for item in items {
        // Compare with the form the state holds, so text cleaning is not mistaken for a change.
        let key = item.cleaned().key();
        if !settled.insert(key.clone()) {
            continue; // withdrawn above, or listed twice: the first wins
        }
        let known = state.items().get(&key);
        if item.expires.is_some_and(|t| t <= now) {
            if known.is_some() {
                changes.withdraw(&key, WithdrawReason::Expired);
            }
            continue;
        }
        match known {
            None => {
                changes.new += 1;
                changes.events.push(Event::ItemSeen { item });
            }
            Some(known) if known.item != item.cleaned() => {
                changes.updated += 1;
                changes.events.push(Event::ItemUpdated { item });
            }
            Some(_) => {}
        }
    }
    let mut rest: Vec<_> =
        state.items().iter().filter(|(k, _)| *k.feed == *feed && !settled.contains(*k)).collect();
    rest.sort_by(|a, b| a.0.cmp(b.0));
    for (key, entry) in rest {
        if entry.item.expires.is_some_and(|t| t <= now) {
            changes.withdraw(key, WithdrawReason::Expired);
        } else if missing == Missing::Withdraw {
            changes.withdraw(key, WithdrawReason::Gone);
        }
    }
    changes
}

/// Withdrawals for every item in the journal whose life has ended by `now`, whatever its feed:
/// a CoT track past `stale` leaves the active view even if its sender has gone quiet.
pub fn expired(state: &DeskState, now: DateTime<Utc>) -> Vec<(String, Event)> {
    let mut keys: Vec<_> =
        state.items().iter().filter(|(_, e)| e.item.expires.is_some_and(|t| t <= now)).collect();
    keys.sort_by(|a, b| a.0.cmp(b.0));
    keys.into_iter()
        .map(|(key, _)| {
            let event = Event::ItemWithdrawn {
                feed: key.feed.to_string(),
                id: key.id.to_string(),
                reason: WithdrawReason::Expired,
            };
            (key.feed.to_string(), event)
        })
        .collect()
}
