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
    let Some(contact) = config.contacts.iter().find(|c| c.name == args.contact) else {
        eprintln!(
            "attache: no contact {:?} on this desk; nothing was written (contacts: {})",
            crate::text::one_line(args.contact),
            config.contacts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
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
    let result = Writer::open_checked(journal, &args.operator, args.after_damage).and_then(|mut w| {
        if let Some(seq) = w.head_started() {
            eprintln!("attache: {}", crate::journal::head::started(seq));
        }
        w.append(&args.operator, now, vec![event])
    });
    match result {
        Ok(records) => {
            let seq = records.last().map_or(0, |r| r.seq);
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

/// The mission, alert or contact an `attache note` is about.
pub struct NoteTie {
    pub mission: Option<String>,
    pub alert: Option<String>,
    pub contact: Option<String>,
}

impl NoteTie {
    /// Why the note cannot be tied as asked: a mission or contact the desk does not list. An
    /// alert is taken as given: it lives in the journal, which the command does not read.
    pub fn unknown(&self, config: &Config) -> Option<String> {
        if let Some(id) = &self.mission
            && !config.missions.iter().any(|m| &m.id == id)
        {
            return Some(format!("no mission {:?} on this desk", crate::text::one_line(id)));
        }
        if let Some(name) = &self.contact
            && !config.contacts.iter().any(|c| &c.name == name)
        {
            return Some(format!("no contact {:?} on this desk", crate::text::one_line(name)));
        }
        None
    }
}
