//! The demo desk's watch already under way: the contacts its script has reached, journaled when
//! the console that serves the demo feeds starts, so most rows show a check-in due rather than
//! every one overdue. Two contacts are left unreached, as on a real desk some are.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::event::Event;
use crate::state::DeskState;

/// Who journals the script's check-ins: the demo, not an operator.
pub const BY: &str = "demo";

/// The contacts of the bundled desk the script reaches, with the channel and what was said.
const SCRIPT: &[(&str, &str, &str)] = &[
    ("Col. Ana Reyes", "secure voice", "EDCA sites quiet; Balikatan planning on track"),
    ("BGen. Ramon Aquino", "phone", "NOLCOM ready for Cagayan relief"),
    ("Capt. Kenji Morita", "email", "weekly DAO Tokyo summary received"),
    ("Cdr. Farah Qureshi", "secure voice", "CTF-151 patrol schedule unchanged"),
];

/// The script's check-ins with contacts the desk lists and has not reached within their
/// interval as of `now`: none once they are on record, so a restarted demo adds nothing.
pub fn due(config: &Config, state: &DeskState, now: DateTime<Utc>) -> Vec<Event> {
    SCRIPT
        .iter()
        .filter_map(|(name, channel, note)| {
            let contact = config.contacts.iter().find(|c| c.name == *name)?;
            let last = crate::state::last_contact(state.check_ins(), contact);
            contact.status_at(now, last).overdue_by?;
            Some(Event::ContactCheckedIn {
                contact: contact.name.clone(),
                operator: BY.into(),
                channel: Some((*channel).into()),
                note: Some((*note).into()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Record;

    #[test]
    fn most_demo_contacts_are_reached_once_and_not_again_within_their_interval() {
        let config = Config::load(std::path::Path::new("config/attache.toml")).unwrap();
        let now: DateTime<Utc> = "2026-12-07T01:00:00Z".parse().unwrap();
        let mut state = DeskState::default();
        let events = due(&config, &state, now);
        assert_eq!(events.len(), SCRIPT.len(), "every scripted contact is on the demo desk");
        assert!(events.len() * 2 > config.contacts.len(), "most contacts");
        let records = events.into_iter().enumerate().map(|(i, event)| Record {
            seq: i as u64 + 1,
            ts: now,
            by: BY.into(),
            event,
        });
        state.fold_all(records);
        let overdue = config.contacts.iter().filter(|c| {
            c.status_at(now, crate::state::last_contact(state.check_ins(), c)).overdue_by.is_some()
        });
        assert_eq!(overdue.count(), config.contacts.len() - SCRIPT.len());
        assert!(due(&config, &state, now + chrono::Duration::hours(1)).is_empty());
    }
}
