//! What the journal's readers fold records into. The screen's state (`DeskState`) and a
//! briefing's period collector are both projections, and both fold alerts, feed health and
//! check-ins by the same rules (`alert::apply`, `feed::apply`, `check_in`): a briefing and
//! the screen cannot tell two stories of one record.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{ConfigInForce, ConfigSnapshot};

use crate::event::Record;

pub trait Projection {
    /// Whether records of `kind` can change this projection: a reader parses only those, and
    /// passes over the rest (most of a journal: feed items) after a look at their kind.
    fn wants(&self, kind: &str) -> bool;
    /// Folds one record, in the journal's order.
    fn fold(&mut self, record: Record);
}

impl Projection for super::DeskState {
    fn wants(&self, _kind: &str) -> bool {
        true
    }

    fn fold(&mut self, record: Record) {
        super::DeskState::fold(self, record);
    }
}

/// A `config.loaded` record folded into the configuration in force: one without a snapshot for
/// the configuration already in force (a console starting with the same files) changes nothing;
/// one for another configuration leaves it unknown. Returns whether the configuration in force
/// changed.
pub fn load_config(
    in_force: &mut Option<ConfigInForce>,
    seq: u64,
    path: String,
    digest: String,
    snapshot: Option<Box<ConfigSnapshot>>,
) -> bool {
    let same = in_force.as_ref().is_some_and(|c| c.digest == digest);
    if snapshot.is_none() && same {
        return false;
    }
    let had_snapshot = in_force.as_ref().is_some_and(|c| c.snapshot.is_some());
    let snapshot = snapshot.map(|s| Arc::new(*s));
    let changed = !same || had_snapshot != snapshot.is_some();
    *in_force = Some(ConfigInForce { seq, path, digest, snapshot });
    changed
}

/// A contact's check-in: the last one is the one that counts.
pub fn check_in(check_ins: &mut HashMap<String, DateTime<Utc>>, contact: String, ts: DateTime<Utc>) {
    check_ins.insert(contact, ts);
}

/// Whether a kind is one of an alert's life (raised, updated, taken, escalated, resolved).
pub fn is_alert_kind(kind: &str) -> bool {
    kind.starts_with("alert.")
}

/// When a contact was last reached as of `check_ins`: their last check-in in the record, or
/// the configuration's `last_contact` if later. The screen and briefings both count overdue
/// contacts from this.
pub fn last_contact(
    check_ins: &HashMap<String, DateTime<Utc>>,
    contact: &crate::domain::Contact,
) -> Option<DateTime<Utc>> {
    check_ins.get(&contact.name).copied().max(contact.last_contact)
}
