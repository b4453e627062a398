//! Where sync stands, as the engine keeps it for whoever shows it (the console's Sync line,
//! `attache sync run`'s messages).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::chains::Held;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStatus {
    pub link_up: bool,
    /// Why the link is down, when it is.
    pub error: Option<String>,
    /// This desk's shared records not yet in the stream.
    pub backlog: u64,
    /// Why this desk's own records are not being sent while the link is up, when they are not.
    pub not_sending: Option<String>,
    /// This desk's last record the stream is known to hold: None before the first link.
    pub published: Option<u64>,
    /// The last seq held here of each desk heard from.
    pub desks: BTreeMap<String, Held>,
}

impl SyncStatus {
    /// Up, and sending this desk's records: nothing for the operator to look into.
    pub fn healthy(&self) -> bool {
        self.link_up && self.not_sending.is_none()
    }
}

/// The status shared between the engine and its readers.
#[derive(Clone, Debug, Default)]
pub struct Shared(Arc<Mutex<SyncStatus>>);

impl Shared {
    pub fn get(&self) -> SyncStatus {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn update(&self, change: impl FnOnce(&mut SyncStatus)) {
        change(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()));
    }
}
