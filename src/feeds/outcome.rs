use chrono::{DateTime, Utc};

use super::spec::FeedConfig;
use super::{Missing, PollOutcome, PollResult, diff, expired};
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
/// `QUIET_OK_INTERVAL`); one is also written when what the document left unread changes.
pub fn outcome_events(
    state: &DeskState,
    outcome: PollOutcome,
    journal_ok: bool,
    missing: Missing,
    now: DateTime<Utc>,
) -> Vec<Event> {
    let health = state.feeds().get(&outcome.feed);
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
                // The same document as last time: what could not be read still cannot be.
                let last = health.cloned().unwrap_or_default();
                events.push(Event::FeedPolled {
                    feed: outcome.feed,
                    items: last.active_items,
                    new: 0,
                    updated: 0,
                    withdrawn,
                    ms: outcome.ms,
                    skipped: last.skipped,
                    incomplete: last.incomplete,
                    problem: last.problem,
                });
            }
            events
        }
        PollResult::Fetched(parsed) => {
            let count = parsed.items.len();
            let (skipped, incomplete) = (parsed.skipped.len(), parsed.incomplete.len());
            let problem = parsed.first_problem().map(|p| one_line(p));
            let changes = diff(state, &outcome.feed, parsed.items, parsed.withdrawn, missing, now);
            let mut events = Vec::with_capacity(changes.events.len() + 2);
            if failing {
                events.push(Event::FeedRecovered { feed: outcome.feed.clone() });
            }
            let changed = changes.new + changes.updated + changes.withdrawn > 0;
            let (new, updated, withdrawn) = (changes.new, changes.updated, changes.withdrawn);
            events.extend(changes.events);
            // What could not be read is journaled when it changes, so the record (and every
            // screen folded from it) says which polls left something unread.
            let unread_changed = match health {
                Some(h) => {
                    (h.skipped, h.incomplete, h.problem.as_deref())
                        != (skipped, incomplete, problem.as_deref())
                }
                None => skipped + incomplete > 0,
            };
            if changed || journal_ok || failing || unread_changed {
                events.push(Event::FeedPolled {
                    feed: outcome.feed,
                    items: count,
                    new,
                    updated,
                    withdrawn,
                    ms: outcome.ms,
                    skipped,
                    incomplete,
                    problem,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Record, read_record};
    use crate::feeds::Parsed;

    fn at(minute: u32) -> DateTime<Utc> {
        format!("2026-11-25T12:{minute:02}:00Z").parse().unwrap()
    }

    /// Folds what one poll journals into `state`, as the console does; returns the kinds.
    fn poll(state: &mut DeskState, result: PollResult, minute: u32) -> Vec<&'static str> {
        let outcome = PollOutcome { feed: "gdacs".into(), result, ms: 40 };
        let events = outcome_events(state, outcome, false, Missing::Withdraw, at(minute));
        let kinds = events.iter().map(Event::kind).collect();
        for event in events {
            let seq = state.last_seq() + 1;
            state.apply(&Record { seq, ts: at(minute), by: "feed:gdacs".into(), event });
        }
        kinds
    }

    fn unread(skipped: &[&str], incomplete: &[&str]) -> PollResult {
        PollResult::Fetched(Parsed {
            skipped: skipped.iter().map(|s| s.to_string()).collect(),
            incomplete: incomplete.iter().map(|s| s.to_string()).collect(),
            ..Parsed::default()
        })
    }

    #[test]
    fn what_a_poll_could_not_read_is_journaled_when_it_changes_and_kept_over_a_304() {
        let mut state = DeskState::default();
        assert_eq!(
            poll(&mut state, unread(&["item 3: no id at /id"], &["item 1: time"]), 0),
            ["feed.polled"]
        );
        let health = &state.feeds()["gdacs"];
        assert_eq!((health.skipped, health.incomplete), (1, 1));
        assert_eq!(health.problem.as_deref(), Some("item 3: no id at /id"), "a skipped entry comes first");
        assert!(health.partly_read());

        assert!(
            poll(&mut state, unread(&["item 3: no id at /id"], &["item 1: time"]), 1).is_empty(),
            "no change"
        );
        assert!(poll(&mut state, PollResult::NotModified, 2).is_empty());
        // A 304 journaled after a quiet spell says the same document is still partly unread.
        let outcome = PollOutcome { feed: "gdacs".into(), result: PollResult::NotModified, ms: 5 };
        let events = outcome_events(&state, outcome, true, Missing::Withdraw, at(12));
        match &events[..] {
            [Event::FeedPolled { skipped: 1, incomplete: 1, problem: Some(p), .. }] => {
                assert_eq!(p, "item 3: no id at /id")
            }
            other => panic!("{other:?}"),
        }

        assert_eq!(poll(&mut state, unread(&[], &[]), 3), ["feed.polled"], "mended: journaled");
        assert!(!state.feeds()["gdacs"].partly_read());
        assert_eq!(state.feeds()["gdacs"].problem, None);
    }

    #[test]
    fn journals_and_checkpoints_written_before_the_counts_still_read() {
        let line = br#"{"seq":4,"ts":"2026-11-25T12:00:00Z","by":"feed:gdacs","kind":"feed.polled","feed":"gdacs","items":3,"new":0,"updated":0,"withdrawn":0,"ms":80}"#;
        let record = read_record(line).unwrap();
        let mut state = DeskState::default();
        state.apply(&record);
        assert!(!state.feeds()["gdacs"].partly_read());
        let saved = r#"{"last_ok":"2026-11-25T12:00:00Z","last_poll_ms":80,"last_error":null,"failing_since":null,"active_items":3}"#;
        let health: crate::state::FeedHealth = serde_json::from_str(saved).unwrap();
        assert_eq!((health.skipped, health.incomplete, health.problem), (0, 0, None));
    }
}
