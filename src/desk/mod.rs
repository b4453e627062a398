//! The desk's core: the one place that turns what happens to a desk (a feed's poll, an
//! operator's action, the clock, records another process journaled) into journal events and
//! state. The console, `attache poll --once`, the replay (which only reads) and the tests drive it
//! through one message type, `Input`; what they differ in is only where the record lives (`Host`).
//!
//! Journal first, always: events are committed (appended, then folded), and what follows from
//! them (alerts) is derived from the state after the fold, by the rules of the configuration in
//! force in the record. No terminal here.

mod in_force;
mod memory;
mod reading;
pub mod rollcalls;

pub use in_force::InForce;
pub use memory::InMemory;
pub use reading::Reading;

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use crate::alerts;
use crate::config::Config;
use crate::event::{Event, Record};
use crate::feeds::{self, Missing, PollOutcome};
use crate::state::DeskState;

/// Something that happened to the desk.
#[derive(Debug)]
pub enum Input {
    /// A feed's poll, or a stream's batch, came back.
    Polled(PollOutcome),
    /// What a feed said, already as events (a recorded journey played again).
    FeedSaid { by: String, events: Vec<Event> },
    /// An operator (or a command acting for one) journals events.
    Operator { by: String, events: Vec<Event> },
    /// The clock moved: the process that polls escalates and withdraws what expired.
    Tick(Tick),
    /// Records read from the journal (others' and our own): folded, nothing derived.
    Followed(Vec<Record>),
}

/// What a tick of the clock asks of the process that polls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tick {
    /// Alerts left waiting past their rule's `escalate_after` are escalated, and roll-calls past
    /// their deadline with contacts not reached are said to be overdue (once each).
    Escalate,
    /// Items past their life (CoT `stale`, CAP `expires`) are withdrawn, between polls.
    Sweep,
}

/// Where the desk's record lives: a journal on disk for the console and `poll --once`, the same
/// read only for a replay (`Reading`), a list in memory for tests.
pub trait Host {
    /// The state at the last record folded.
    fn state(&self) -> &DeskState;
    /// The configuration in force at that record (`InForce`): its rules, missions and contacts.
    fn config(&self) -> &Config;
    /// Appends `events` and folds what is new; the sequence number of the last record
    /// appended, None when nothing was (no events, or a journal that is read-only and already
    /// says so), or why it could not be.
    fn commit(&mut self, by: &str, at: DateTime<Utc>, events: Vec<Event>) -> Result<Option<u64>, String>;
    /// Folds records someone journaled.
    fn fold(&mut self, records: Vec<Record>);
}

/// What handling one input did.
#[derive(Debug, Default)]
pub struct Handled {
    /// The events the input itself came to (a poll's `feed.polled`, items; an operator's), before
    /// any alert they led to.
    pub events: Vec<Event>,
    /// The last record appended for them, alerts included.
    pub seq: Option<u64>,
    /// Why they could not be journaled.
    pub failed: Option<String>,
}

/// The core's own memory between inputs: only what the journal does not hold.
#[derive(Debug, Default)]
pub struct Desk {
    /// When each feed last had a `feed.polled` record written by this process: a feed that
    /// answers with nothing new is journaled only every `feeds::QUIET_OK_INTERVAL`.
    journaled_ok: HashMap<String, DateTime<Utc>>,
}

impl Desk {
    pub fn new() -> Self {
        Desk::default()
    }

    /// Turns `input`, at `now`, into journal events and commits them through `host`.
    pub fn handle(&mut self, host: &mut impl Host, input: Input, now: DateTime<Utc>) -> Handled {
        match input {
            Input::Polled(outcome) => self.polled(host, outcome, now),
            Input::FeedSaid { by, events } => feed_said(host, &by, events, now),
            Input::Operator { by, events } => commit(host, &by, events, now),
            Input::Tick(Tick::Escalate) => {
                let mut due = alerts::escalations(&host.config().rules, host.state(), now);
                due.extend(crate::state::rollcall::overdue(host.state().rollcalls(), now));
                commit(host, alerts::SYSTEM, due, now)
            }
            Input::Tick(Tick::Sweep) => {
                let expired = feeds::expired(host.state(), now).into_iter().map(|(_, e)| e).collect();
                feed_said(host, alerts::SYSTEM, expired, now)
            }
            Input::Followed(records) => {
                host.fold(records);
                Handled::default()
            }
        }
    }

    fn polled(&mut self, host: &mut impl Host, outcome: PollOutcome, now: DateTime<Utc>) -> Handled {
        let feed = outcome.feed.clone();
        let journal_ok = feeds::quiet_ok_due(self.journaled_ok.get(&feed).copied(), now);
        let missing =
            host.config().feeds.iter().find(|f| f.name == feed).map_or(Missing::Keep, |f| f.kind.missing());
        let events = feeds::outcome_events(host.state(), outcome, journal_ok, missing, now);
        if events.iter().any(|e| matches!(e, Event::FeedPolled { .. })) {
            self.journaled_ok.insert(feed.clone(), now);
        }
        feed_said(host, &format!("feed:{feed}"), events, now)
    }
}

/// Journals what a feed said, then the alerts that follow from it (derived from the state
/// after the feed's events are folded, by the rules in force), then the roll-calls those alerts
/// open (`[rollcall]`).
fn feed_said(host: &mut impl Host, by: &str, events: Vec<Event>, now: DateTime<Utc>) -> Handled {
    let mut handled = commit(host, by, events, now);
    if handled.seq.is_none() {
        return handled;
    }
    let config = host.config();
    let derived =
        alerts::derive(&config.rules, &config.missions, &config.contacts, host.state(), &handled.events, now);
    match host.commit(alerts::SYSTEM, now, derived.clone()) {
        Ok(seq) => handled.seq = seq.or(handled.seq),
        Err(why) => {
            handled.failed = Some(why);
            return handled;
        }
    }
    // Roll-calls follow from the alerts once those are on the record, as alerts follow items.
    let opened = rollcalls::opened(host.config(), host.state(), &derived, now);
    match host.commit(alerts::SYSTEM, now, opened) {
        Ok(seq) => handled.seq = seq.or(handled.seq),
        Err(why) => handled.failed = Some(why),
    }
    handled
}

fn commit(host: &mut impl Host, by: &str, events: Vec<Event>, now: DateTime<Utc>) -> Handled {
    let (seq, failed) = match host.commit(by, now, events.clone()) {
        Ok(seq) => (seq, None),
        Err(why) => (None, Some(why)),
    };
    Handled { events, seq, failed }
}
