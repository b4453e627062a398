use chrono::{DateTime, Utc};

use super::{Missing, PollOutcome, PollResult, diff, expired};
use crate::config::FeedConfig;
use crate::event::Event;
use crate::state::DeskState;
use crate::text::one_line;

/// How long a feed may poll successfully without change before the journal records that it is
/// still good; bounds how stale "last success" can look in a replay.
pub const QUIET_OK_INTERVAL: chrono::Duration = chrono::Duration::minutes(10);

/// Whether a poll that found nothing new is journaled, given when this process last journaled
/// a `feed.polled` for the feed: the first of a session, then one every `QUIET_OK_INTERVAL`.
pub fn quiet_ok_due(last_journaled: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_journaled.is_none_or(|t| now - t >= QUIET_OK_INTERVAL)
}

/// How long after its last journaled success a polled feed is stale. A feed that answers with
/// nothing new is journaled only every `QUIET_OK_INTERVAL`, so the journal's silence means
/// nothing before that has passed; after it, three missed polls.
pub fn stale_after(every: std::time::Duration) -> chrono::Duration {
    let every = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::MAX / 4);
    QUIET_OK_INTERVAL + every * 3
}

/// Whether the journal shows `feed` as stale at `now`, given its last journaled success: the
/// one rule the Feeds pane, the status bar, replay and briefings share. Only polled feeds can
/// be: a stream (CoT) may be silent without fault, and a lost connection shows as failing.
pub fn is_stale(feed: &FeedConfig, last_ok: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    feed.enabled && feed.source.is_polled() && last_ok.is_none_or(|t| now - t > stale_after(feed.every))
}

/// The journal events for one poll's outcome, given what the journal already holds. `journal_ok`
/// asks for a `feed.polled` record even if nothing changed (first poll of a session, or after
/// `QUIET_OK_INTERVAL`).
pub fn outcome_events(
    state: &DeskState,
    outcome: PollOutcome,
    journal_ok: bool,
    missing: Missing,
    now: DateTime<Utc>,
) -> Vec<Event> {
    let health = state.feeds.get(&outcome.feed);
    let failing = health.is_some_and(|h| h.failing_since.is_some());
    match outcome.result {
        PollResult::NotModified => {
            // Nothing new, but lives still end: withdraw what expired since the last poll.
            let mut events: Vec<Event> = Vec::new();
            if failing {
                events.push(Event::FeedRecovered { feed: outcome.feed.clone() });
            }
            let gone: Vec<Event> = expired(state, now)
                .into_iter()
                .filter(|(feed, _)| *feed == outcome.feed)
                .map(|(_, e)| e)
                .collect();
            let withdrawn = gone.len();
            events.extend(gone);
            if withdrawn > 0 || journal_ok || failing {
                let items = state.feeds.get(&outcome.feed).map_or(0, |h| h.active_items);
                events.push(Event::FeedPolled {
                    feed: outcome.feed,
                    items,
                    new: 0,
                    updated: 0,
                    withdrawn,
                    ms: outcome.ms,
                    skipped: 0,
                    problem: None,
                });
            }
            events
        }
        PollResult::Fetched(parsed) => {
            let count = parsed.items.len();
            let changes = diff(state, &outcome.feed, parsed.items, parsed.withdrawn, missing, now);
            let mut events = Vec::with_capacity(changes.events.len() + 2);
            if failing {
                events.push(Event::FeedRecovered { feed: outcome.feed.clone() });
            }
            let changed = changes.new + changes.updated + changes.withdrawn > 0;
            let (new, updated, withdrawn) = (changes.new, changes.updated, changes.withdrawn);
            events.extend(changes.events);
            if changed || journal_ok || failing || !parsed.skipped.is_empty() {
                events.push(Event::FeedPolled {
                    feed: outcome.feed,
                    items: count,
                    new,
                    updated,
                    withdrawn,
                    ms: outcome.ms,
                    skipped: parsed.skipped.len(),
                    problem: parsed.skipped.into_iter().next(),
                });
            }
            events
        }
        PollResult::Failed(error) => {
            // A feed failing the same way every poll is one fact, not one per poll.
            let same = failing
                && health.and_then(|h| h.last_error.as_ref()).is_some_and(|(_, e)| *e == one_line(&error));
            if same { Vec::new() } else { vec![Event::FeedFailed { feed: outcome.feed, error }] }
        }
    }
}
