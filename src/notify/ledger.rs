//! What is owed a notification and what has had one: built from the journal's records alone
//! (any process's `notify.sent` and `notify.failed` count), so the process that takes the poller
//! lock after another knows what was sent before it. Pure: no clock, no processes.

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use super::{NotifyRule, Trigger};
use crate::event::{Event, Record};
use crate::state::DeskState;

/// A notification to send: which entry, by which of its selectors, for which record.
#[derive(Clone, Debug, PartialEq)]
pub struct Due {
    /// The entry's place in the rules the ledger was given.
    pub rule: usize,
    pub trigger: Trigger,
    pub record: Record,
}

/// A notification is known by its entry's name and its record's seq.
type Key = (String, u64);

#[derive(Debug, Default)]
pub struct Ledger {
    /// Records an entry selected, not yet notified, in the journal's order.
    pending: BTreeMap<(u64, usize), Due>,
    /// Journaled as sent or failed, or settled by this process.
    done: HashSet<Key>,
    /// Started by this process and not settled yet.
    in_flight: HashSet<Key>,
    /// Each failing feed's current outage: the `feed.failed` record that began it.
    outages: HashMap<String, Record>,
}

impl Ledger {
    pub fn new() -> Self {
        Ledger::default()
    }

    /// Takes note of one record, in the journal's order.
    pub fn observe(&mut self, rules: &[NotifyRule], record: &Record) {
        match &record.event {
            Event::NotifySent { rule, record: seq, .. } | Event::NotifyFailed { rule, record: seq, .. } => {
                self.pending
                    .retain(|(s, n), _| !(s == seq && rules.get(*n).is_some_and(|r| r.name == *rule)));
                self.done.insert((rule.clone(), *seq));
            }
            Event::FeedFailed { feed, .. } => {
                self.outages.entry(feed.clone()).or_insert_with(|| record.clone());
            }
            Event::FeedPolled { feed, .. } | Event::FeedRecovered { feed } => {
                self.outages.remove(feed);
            }
            _ => {}
        }
        for (n, rule) in rules.iter().enumerate() {
            if self.done.contains(&(rule.name.clone(), record.seq)) {
                continue;
            }
            if let Some(trigger) = rule.on.iter().find(|t| t.matches(record)) {
                self.pending.insert(
                    (record.seq, n),
                    Due { rule: n, trigger: trigger.clone(), record: record.clone() },
                );
            }
        }
    }

    /// What is due at `now`, each handed out once (it is in flight until `settle`d): the
    /// records selected no longer ago than `window`, and the outages of feeds the state still
    /// shows failing that have lasted longer than an entry's `feed.down>T`.
    pub fn take_due(
        &mut self,
        rules: &[NotifyRule],
        state: &DeskState,
        now: DateTime<Utc>,
        window: Duration,
    ) -> Vec<Due> {
        let horizon = now - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
        // Older than the window: left alone, not sent late.
        self.pending.retain(|_, due| due.record.ts >= horizon);
        let mut due: Vec<Due> = std::mem::take(&mut self.pending).into_values().collect();
        let mut outages: Vec<&Record> = self
            .outages
            .iter()
            .filter(|(feed, _)| state.feeds().get(*feed).is_some_and(|h| h.failing_since.is_some()))
            .map(|(_, record)| record)
            .collect();
        outages.sort_by_key(|r| r.seq);
        for record in outages {
            for (n, rule) in rules.iter().enumerate() {
                let key = (rule.name.clone(), record.seq);
                if self.done.contains(&key) || self.in_flight.contains(&key) {
                    continue;
                }
                if let Some(trigger) = rule.on.iter().find(|t| t.down_long_enough(record.ts, now)) {
                    due.push(Due { rule: n, trigger: trigger.clone(), record: record.clone() });
                }
            }
        }
        due.retain(|d| {
            let key = (rules[d.rule].name.clone(), d.record.seq);
            !self.done.contains(&key) && !resolved_before_escalation(d, state) && self.in_flight.insert(key)
        });
        due
    }

    /// The notification of `seq` for `rule` is over, sent or failed.
    pub fn settle(&mut self, rule: &str, seq: u64) {
        let key = (rule.to_string(), seq);
        self.in_flight.remove(&key);
        self.done.insert(key);
    }

    /// Notifications started and not yet settled.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }
}

/// An escalation written by a poller that had not yet folded the alert's resolution (a command
/// in another process resolved it): the fold passes over it, and nobody is paged for it.
fn resolved_before_escalation(due: &Due, state: &DeskState) -> bool {
    let Event::AlertEscalated { alert } = &due.record.event else { return false };
    state.alerts().get(alert).is_some_and(|a| a.resolved_at.is_some_and(|t| t <= due.record.ts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;

    fn rule(name: &str, on: &[&str]) -> NotifyRule {
        NotifyRule {
            name: name.into(),
            on: on.iter().map(|t| Trigger::parse(t).unwrap()).collect(),
            command: vec!["true".into()],
            timeout: Duration::from_secs(1),
            env: vec![],
            retries: 0,
        }
    }

    fn at(minute: i64) -> DateTime<Utc> {
        "2026-11-25T03:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::Duration::minutes(minute)
    }

    fn record(seq: u64, minute: i64, event: Event) -> Record {
        Record { seq, ts: at(minute), by: "attache".into(), event }
    }

    fn raised(seq: u64, minute: i64, severity: Severity) -> Record {
        record(
            seq,
            minute,
            Event::AlertRaised {
                alert: format!("a{seq}"),
                rule: "r".into(),
                feed: "quakes".into(),
                item: "i".into(),
                severity,
                title: "M6.1".into(),
                missions: vec![],
                traffic: Default::default(),
            },
        )
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn an_alert_at_or_above_the_threshold_is_due_once() {
        let rules = [rule("pager", &["alert.raised>=severe"])];
        let mut ledger = Ledger::new();
        let state = DeskState::default();
        ledger.observe(&rules, &raised(1, 0, Severity::Moderate));
        ledger.observe(&rules, &raised(2, 0, Severity::Critical));
        let due = ledger.take_due(&rules, &state, at(1), HOUR);
        assert_eq!(due.iter().map(|d| d.record.seq).collect::<Vec<_>>(), [2]);
        assert!(ledger.take_due(&rules, &state, at(2), HOUR).is_empty(), "in flight: not handed out again");
        ledger.settle("pager", 2);
        assert!(ledger.take_due(&rules, &state, at(3), HOUR).is_empty());
    }

    #[test]
    fn what_the_journal_says_was_sent_is_not_sent_again() {
        let rules = [rule("pager", &["alert.raised"]), rule("mail", &["alert.raised"])];
        let mut ledger = Ledger::new();
        ledger.observe(&rules, &raised(1, 0, Severity::Info));
        let sent = Event::NotifySent {
            rule: "pager".into(),
            trigger: "alert.raised".into(),
            record: 1,
            attempts: 1,
            ms: 3,
        };
        ledger.observe(&rules, &record(2, 0, sent));
        let due = ledger.take_due(&rules, &DeskState::default(), at(1), HOUR);
        assert_eq!(due.iter().map(|d| rules[d.rule].name.as_str()).collect::<Vec<_>>(), ["mail"]);
    }

    #[test]
    fn an_escalation_is_due_by_its_own_record_and_a_raise_below_the_threshold_is_not() {
        let rules = [rule("pager", &["alert.raised>=critical", "alert.escalated"])];
        let mut ledger = Ledger::new();
        ledger.observe(&rules, &raised(1, 0, Severity::Severe));
        ledger.observe(&rules, &record(2, 15, Event::AlertEscalated { alert: "a1".into() }));
        let due = ledger.take_due(&rules, &DeskState::default(), at(16), HOUR);
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].record.seq, due[0].trigger.to_string()), (2, "alert.escalated".to_string()));
    }

    #[test]
    fn an_escalation_that_crossed_the_alerts_resolution_pages_nobody() {
        let rules = [rule("pager", &["alert.escalated"])];
        let mut ledger = Ledger::new();
        let mut state = DeskState::default();
        let resolved =
            Event::AlertResolved { alert: "a1".into(), operator: "reyes".into(), reason: "done".into() };
        for r in [
            raised(1, 0, Severity::Severe),
            record(2, 14, resolved),
            record(3, 15, Event::AlertEscalated { alert: "a1".into() }),
        ] {
            ledger.observe(&rules, &r);
            state.apply(&r);
        }
        assert!(ledger.take_due(&rules, &state, at(16), HOUR).is_empty());
    }

    #[test]
    fn records_older_than_the_window_are_left_alone() {
        let rules = [rule("pager", &["alert.escalated"])];
        let mut ledger = Ledger::new();
        ledger.observe(&rules, &record(1, 0, Event::AlertEscalated { alert: "a".into() }));
        assert!(ledger.take_due(&rules, &DeskState::default(), at(61), HOUR).is_empty());
    }

    #[test]
    fn a_feed_down_longer_than_the_threshold_is_due_once_per_outage() {
        let rules = [rule("pager", &["feed.down>30m"])];
        let mut ledger = Ledger::new();
        let mut state = DeskState::default();
        let failed = |seq, minute| {
            record(seq, minute, Event::FeedFailed { feed: "quakes".into(), error: "503".into() })
        };
        for r in [failed(1, 0), failed(2, 10)] {
            ledger.observe(&rules, &r);
            state.apply(&r);
        }
        assert!(ledger.take_due(&rules, &state, at(30), HOUR).is_empty(), "not longer than 30m yet");
        let due = ledger.take_due(&rules, &state, at(31), HOUR);
        assert_eq!(due.iter().map(|d| d.record.seq).collect::<Vec<_>>(), [1], "the outage's first failure");
        ledger.settle("pager", 1);
        assert!(ledger.take_due(&rules, &state, at(50), HOUR).is_empty(), "once per outage");

        // Recovered, then down again: a new outage.
        for r in [record(3, 51, Event::FeedRecovered { feed: "quakes".into() }), failed(4, 52)] {
            ledger.observe(&rules, &r);
            state.apply(&r);
        }
        let due = ledger.take_due(&rules, &state, at(83), HOUR);
        assert_eq!(due.iter().map(|d| d.record.seq).collect::<Vec<_>>(), [4]);
    }
}
