//! The configuration a desk works by: the one in force at the state's last record, or this
//! process's own file where the record holds none (journals written before the record carried
//! snapshots). The console's panes and the rules every process derives alerts by both come from
//! here, so a console and `poll --once` on the same record judge by the same rules.

use crate::config::{Config, ConfigInForce};
use crate::state::DeskState;

#[derive(Debug, Clone)]
pub struct InForce {
    /// The configuration the desk works by.
    config: Config,
    /// The configuration file this process started with, or last reloaded.
    own: Config,
    /// The digest of the recorded configuration `config` was made from; None: `own`.
    adopted: Option<String>,
}

impl InForce {
    /// `own` until a state is followed.
    pub fn new(own: Config) -> Self {
        InForce { config: own.clone(), own, adopted: None }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn own(&self) -> &Config {
        &self.own
    }

    /// Whether the configuration is one the record holds, rather than this process's own file.
    pub fn from_record(&self) -> bool {
        self.adopted.is_some()
    }

    /// The digest of the recorded configuration in use, if it is one the record holds.
    pub fn adopted(&self) -> Option<&str> {
        self.adopted.as_deref()
    }

    /// After this process reloaded its file: what the record does not hold (layout, bell) is
    /// taken from it too, until the record says otherwise.
    pub fn set_own(&mut self, config: Config) {
        self.own = config;
        self.config = self.own.clone();
        self.adopted = None;
    }

    /// Takes the configuration in force at `state`'s last record, when it changed. Returns
    /// whether it did.
    pub fn follow(&mut self, state: &DeskState) -> bool {
        self.follow_record(state.config_in_force())
    }

    /// `follow`, from the configuration in force at a point of the record (a briefing's
    /// period end) rather than a state's.
    pub fn follow_record(&mut self, in_force: Option<&ConfigInForce>) -> bool {
        let recorded = in_force.filter(|c| c.snapshot.is_some());
        match recorded {
            Some(in_force) if self.adopted.as_deref() != Some(in_force.digest.as_str()) => {
                let Some(config) = in_force.config(&self.own) else { return false };
                self.config = config;
                self.adopted = Some(in_force.digest.clone());
                true
            }
            None if self.adopted.is_some() => {
                self.config = self.own.clone();
                self.adopted = None;
                true
            }
            _ => false,
        }
    }
}
