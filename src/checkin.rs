//! `attache checkin`: the desk reached a contact, journaled from a script as from the console;
//! and what an `attache note` is tied to.

use chrono::Utc;
use std::path::Path;
use std::process::ExitCode;

use crate::config::Config;
use crate::event::Event;
use crate::journal::Writer;

/// Exit status for a contact the desk does not list: nothing is written.
const EXIT_UNKNOWN_CONTACT: u8 = 2;

pub struct Args<'a> {
    pub contact: &'a str,
    pub note: Option<&'a std::ffi::OsStr>,
    pub channel: Option<&'static str>,
    pub after_damage: bool,
    pub operator: String,
}

/// Journals the check-in; exit 0 once it is durable, 2 for an unknown contact, 1 when the
/// journal cannot take it (damaged, not writable).
pub fn run(config: &Config, journal: &Path, args: Args) -> ExitCode {
    let Some(contact) = config.contact(args.contact) else {
        eprintln!(
            "attache: no contact {:?} on this desk; nothing was written (contacts: {})",
            crate::text::one_line(args.contact),
            config
                .contacts
                .iter()
                .map(|c| match &c.id {
                    Some(id) => format!("{id} ({})", c.name),
                    None => c.name.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::from(EXIT_UNKNOWN_CONTACT);
    };
    // Folded as feed text is: nothing typed on the command line reaches a terminal as a control.
    let note = args.note.map(|n| crate::text::one_line(&n.to_string_lossy())).filter(|n| !n.is_empty());
    let event = Event::ContactCheckedIn {
        contact: contact.name.clone(),
        operator: args.operator.clone(),
        channel: args.channel.map(str::to_string),
        note,
    };
    let now = Utc::now();
    match append(journal, &args.operator, args.after_damage, event, now) {
        Ok(seq) => {
            let due = contact
                .status_at(now, Some(now))
                .due
                .map_or_else(String::new, |due| format!("; next due {}", due.format("%Y-%m-%d %H:%M UTC")));
            println!("check-in #{seq} with {} saved to {}{due}", contact.name, journal.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("attache: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Appends one operator event for a command (`checkin`, `mission`): refused on a damaged
/// journal unless `after_damage`; the record's seq once it is durable.
pub(crate) fn append(
    journal: &Path,
    operator: &str,
    after_damage: bool,
    event: Event,
    now: chrono::DateTime<Utc>,
) -> Result<u64, crate::journal::JournalError> {
    let mut writer = Writer::open_checked(journal, operator, after_damage)?;
    if let Some(seq) = writer.head_started() {
        eprintln!("attache: {}", crate::journal::head::started(seq));
    }
    let records = writer.append(operator, now, vec![event])?;
    Ok(records.last().map_or(0, |r| r.seq))
}

/// The mission, alert or contact an `attache note` is about.
pub struct NoteTie {
    pub mission: Option<String>,
    pub alert: Option<String>,
    pub contact: Option<String>,
}

impl NoteTie {
    /// Resolves what the note is about as the record names it (a contact given by id is
    /// recorded by name, as every record names contacts); why it cannot be, for a mission or
    /// contact the desk does not list. An alert is taken as given: it lives in the journal,
    /// which the command does not read.
    pub fn resolve(&mut self, config: &Config) -> Result<(), String> {
        if let Some(id) = &self.mission
            && !config.missions.iter().any(|m| &m.id == id)
        {
            return Err(format!("no mission {:?} on this desk", crate::text::one_line(id)));
        }
        if let Some(given) = &self.contact {
            match config.contact(given) {
                Some(contact) => self.contact = Some(contact.name.clone()),
                None => return Err(format!("no contact {:?} on this desk", crate::text::one_line(given))),
            }
        }
        Ok(())
    }
}
