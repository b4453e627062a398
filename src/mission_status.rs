//! `attache mission ID --status S`: the desk sets a mission's status (and a short status line)
//! from a script as from the console's `m`, journaled as `mission.status_changed`.

use chrono::Utc;
use std::path::Path;
use std::process::ExitCode;

use crate::config::Config;
use crate::domain::MissionStatus;
use crate::event::Event;

/// Exit status for a mission the desk does not list: nothing is written.
const EXIT_UNKNOWN_MISSION: u8 = 2;

pub struct Args<'a> {
    pub mission: &'a str,
    pub status: MissionStatus,
    pub note: Option<&'a std::ffi::OsStr>,
    pub after_damage: bool,
    pub operator: String,
}

/// Journals the change; exit 0 once it is durable, 2 for an unknown mission, 1 when the journal
/// cannot take it (damaged, not writable).
pub fn run(config: &Config, journal: &Path, args: Args) -> ExitCode {
    let Some(mission) = config.missions.iter().find(|m| m.id == args.mission) else {
        eprintln!(
            "attache: no mission {:?} on this desk; nothing was written (missions: {})",
            crate::text::one_line(args.mission),
            config.missions.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(", ")
        );
        return ExitCode::from(EXIT_UNKNOWN_MISSION);
    };
    // Folded as feed text is: nothing typed on the command line reaches a terminal as a control.
    let note = args.note.map(|n| crate::text::one_line(&n.to_string_lossy())).filter(|n| !n.is_empty());
    let event = Event::MissionStatusChanged { mission: mission.id.clone(), status: args.status, note };
    match crate::checkin::append(journal, &args.operator, args.after_damage, event, Utc::now()) {
        Ok(seq) => {
            println!(
                "mission {} {} (#{seq}) saved to {}",
                mission.id,
                args.status.label(),
                journal.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("attache: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A status as the command line names it, for clap: `planned`, `active`, `suspended`, `closed`.
pub fn known_status(text: &str) -> Result<MissionStatus, String> {
    MissionStatus::parse(text).ok_or_else(|| {
        let names: Vec<&str> = MissionStatus::ALL.iter().map(|s| s.label()).collect();
        format!("one of: {}", names.join(", "))
    })
}
