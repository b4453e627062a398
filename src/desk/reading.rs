//! A record only read: a replay moving along a journal. The core folds the records it is given
//! as it does any host's; nothing can be appended here, and `commit` says why.

use chrono::{DateTime, Utc};

use super::{Host, InForce};
use crate::config::Config;
use crate::event::{Event, Record};
use crate::state::DeskState;

/// Why a replay journals nothing.
const READ_ONLY: &str = "a replay only reads the record";

pub struct Reading<'a> {
    state: &'a mut DeskState,
    in_force: &'a mut InForce,
}

impl<'a> Reading<'a> {
    pub fn new(state: &'a mut DeskState, in_force: &'a mut InForce) -> Self {
        Reading { state, in_force }
    }

    /// Puts the state back to a copy taken at another point of the record (a replay's seek);
    /// the records after it are then folded through the core. Returns the state it replaces,
    /// for the caller to free when it has time.
    pub fn restore(&mut self, state: DeskState) -> DeskState {
        let replaced = std::mem::replace(self.state, state);
        self.in_force.follow(self.state);
        replaced
    }
}

impl Host for Reading<'_> {
    fn state(&self) -> &DeskState {
        self.state
    }

    fn config(&self) -> &Config {
        self.in_force.config()
    }

    fn commit(&mut self, _: &str, _: DateTime<Utc>, events: Vec<Event>) -> Result<Option<u64>, String> {
        if events.is_empty() { Ok(None) } else { Err(READ_ONLY.into()) }
    }

    fn fold(&mut self, records: Vec<Record>) {
        self.state.fold_all(records);
        self.in_force.follow(self.state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::{Desk, Input, Tick};

    fn note(seq: u64, text: &str) -> Record {
        Record {
            seq,
            ts: "2026-12-01T08:00:00Z".parse().unwrap(),
            by: "reyes".into(),
            event: Event::Note {
                operator: "reyes".into(),
                text: text.into(),
                mission: None,
                alert: None,
                contact: None,
            },
        }
    }

    fn config() -> Config {
        Config::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml")).unwrap()
    }

    #[test]
    fn a_replay_folds_what_it_reads_and_journals_nothing() {
        let (mut state, mut in_force) = (DeskState::default(), InForce::new(config()));
        let mut reading = Reading::new(&mut state, &mut in_force);
        let mut core = Desk::new();
        let at = "2026-12-01T08:00:00Z".parse().unwrap();

        let followed = core.handle(&mut reading, Input::Followed(vec![note(1, "one"), note(2, "two")]), at);
        assert_eq!(followed.failed, None);
        assert_eq!(reading.state().last_seq(), 2);

        let written = core.handle(
            &mut reading,
            Input::Operator { by: "reyes".into(), events: vec![note(3, "three").event] },
            at,
        );
        assert_eq!(written.failed.as_deref(), Some(READ_ONLY));
        assert_eq!(written.seq, None);
        // A tick with nothing due asks for nothing, so nothing is refused either.
        let ticked = core.handle(&mut reading, Input::Tick(Tick::Sweep), at);
        assert_eq!(ticked.failed, None);
        assert_eq!((reading.state().last_seq(), reading.state().notes()), (2, 2));
    }

    /// The configuration the host gives is the one in force at the state it holds: a fold past
    /// a `config.loaded` takes the recorded one, a restore to a state before it gives back the
    /// process's own.
    #[test]
    fn the_configuration_follows_the_state_both_ways() {
        let own = config();
        let mut snapshot = crate::config::ConfigSnapshot::of(&own);
        snapshot.missions.retain(|m| m.id == "KFOR");
        let loaded = Record {
            seq: 1,
            ts: "2026-12-01T08:00:00Z".parse().unwrap(),
            by: "attache".into(),
            event: Event::ConfigLoaded {
                path: "attache.toml".into(),
                digest: "kfor-only".into(),
                feeds: 0,
                missions: 1,
                contacts: 0,
                config: Some(Box::new(snapshot)),
            },
        };
        let (mut state, mut in_force) = (DeskState::default(), InForce::new(own.clone()));
        let mut reading = Reading::new(&mut state, &mut in_force);
        let at = "2026-12-01T08:00:00Z".parse().unwrap();
        Desk::new().handle(&mut reading, Input::Followed(vec![loaded]), at);
        let missions = |r: &Reading| r.config().missions.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
        assert_eq!(missions(&reading), ["KFOR"]);
        reading.restore(DeskState::default());
        assert_eq!(missions(&reading).len(), own.missions.len(), "back to this process's own");
    }
}
