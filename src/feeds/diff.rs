use std::collections::HashSet;

use crate::domain::FeedItem;
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

/// Compares a feed's current document with what the journal holds for that feed. An unchanged
/// item yields nothing; a changed one an update; an item the document no longer carries is
/// withdrawn, since summary feeds define their window by what they list.
pub fn diff(state: &DeskState, feed: &str, items: Vec<FeedItem>) -> Changes {
    let mut changes = Changes::default();
    let mut present = HashSet::new();
    for item in items {
        // Compare with the form the state holds, so text cleaning is not mistaken for a change.
        let key = item.cleaned().key();
        if !present.insert(key.clone()) {
            continue; // a document listing the same id twice: the first wins
        }
        match state.items.get(&key) {
            None => {
                changes.new += 1;
                changes.events.push(Event::ItemSeen { item });
            }
            Some(known) if !same_content(&known.item, &item) => {
                changes.updated += 1;
                changes.events.push(Event::ItemUpdated { item });
            }
            Some(_) => {}
        }
    }
    let mut gone: Vec<_> = state.items.keys().filter(|k| k.feed == feed && !present.contains(*k)).collect();
    gone.sort();
    for key in gone {
        changes.withdrawn += 1;
        changes.events.push(Event::ItemWithdrawn {
            feed: key.feed.clone(),
            id: key.id.clone(),
            reason: WithdrawReason::Gone,
        });
    }
    changes
}

fn same_content(known: &FeedItem, fresh: &FeedItem) -> bool {
    *known == fresh.cleaned()
}
