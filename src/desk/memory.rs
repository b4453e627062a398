//! A record kept in memory: the desk's whole journal as a list, folded as it is appended. What
//! the tests play journeys through, by the same core as the console.

use chrono::{DateTime, Utc};

use super::{Host, InForce};
use crate::config::Config;
use crate::event::{Event, Record};
use crate::state::DeskState;

pub struct InMemory {
    state: DeskState,
    config: InForce,
    journal: Vec<Record>,
}

impl InMemory {
    pub fn new(config: Config) -> Self {
        InMemory { state: DeskState::default(), config: InForce::new(config), journal: Vec::new() }
    }

    /// Every record appended, in order.
    pub fn journal(&self) -> &[Record] {
        &self.journal
    }

    pub fn into_parts(self) -> (DeskState, Vec<Record>) {
        (self.state, self.journal)
    }
}

impl Host for InMemory {
    fn state(&self) -> &DeskState {
        &self.state
    }

    fn config(&self) -> &Config {
        self.config.config()
    }

    fn commit(&mut self, by: &str, at: DateTime<Utc>, events: Vec<Event>) -> Result<Option<u64>, String> {
        let records: Vec<Record> = events
            .into_iter()
            .enumerate()
            .map(|(i, event)| Record {
                seq: self.journal.len() as u64 + 1 + i as u64,
                ts: at,
                by: by.into(),
                event,
            })
            .collect();
        let last = records.last().map(|r| r.seq);
        self.fold(records);
        Ok(last)
    }

    fn fold(&mut self, records: Vec<Record>) {
        for record in records {
            self.state.apply(&record);
            self.journal.push(record);
        }
        self.config.follow(&self.state);
    }
}
