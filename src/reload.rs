//! Reloading the configuration without a restart, journal first: the file is checked as
//! `attache check` checks it, but for the TLS files (the poller's account reads those at each
//! connection; the operator reloading may not be able to); one that checks out is journaled as `config.loaded` with its
//! snapshot, and every console folding the journal takes the configuration in force from the
//! record. One that does not is refused with its problems, and nothing is journaled.

use std::path::Path;
use std::process::ExitCode;

use crate::config::{Config, ConfigSnapshot, Problem};
use crate::event::Event;
use crate::journal::Writer;

/// Loads the configuration at `path` and checks it as `attache check` does, what it names on
/// disk included, the TLS files excepted.
pub fn load_checked(path: &Path) -> Result<Config, Vec<Problem>> {
    let config = Config::load(path)?;
    if config.on_disk.is_empty() { Ok(config) } else { Err(config.on_disk) }
}

/// The `config.loaded` record for `config`, with its snapshot when `snapshot` is set.
/// The path is recorded whole: the console that polls may run in another directory, and reads
/// the file the record names for the feeds' secrets.
pub fn loaded_event(config: &Config, snapshot: bool) -> Event {
    let path = std::fs::canonicalize(&config.path).unwrap_or_else(|_| config.path.clone());
    Event::ConfigLoaded {
        path: path.display().to_string(),
        digest: config.digest.clone(),
        feeds: config.feeds.len(),
        missions: config.missions.len(),
        contacts: config.contacts.len(),
        config: snapshot.then(|| Box::new(ConfigSnapshot::of(config))),
    }
}

/// Whether a console starting with `config` must journal its snapshot: the record's
/// configuration in force is another one, or the record holds no snapshot of it, or the desk
/// shares its configuration over `[sync]` (sent again at each start, so that the other desks
/// hold it even when the desk's earlier snapshot was never shared or has aged out of the stream).
pub fn record_lacks(state: &crate::state::DeskState, config: &Config) -> bool {
    let shared = config.sync.as_ref().is_some_and(|s| s.shares("config.loaded"));
    shared || state.config_in_force().is_none_or(|c| c.digest != config.digest || c.snapshot.is_none())
}

/// What a console or `attache poll` starting with `config` journals of it: `config.loaded`
/// (with its snapshot when the record lacks it), and `sync.following` when the desks it follows
/// are not those the record last said.
pub fn start_events(state: &crate::state::DeskState, config: &Config) -> Vec<Event> {
    let mut events = vec![loaded_event(config, record_lacks(state, config))];
    let follow = config.sync.as_ref().map(|s| &s.follow);
    events.extend(crate::sync::settings::following_event(
        state.following(),
        follow,
        state.holds_other_desks(),
    ));
    events
}

/// One line for a refused reload: how many problems, and the first.
pub fn refused(problems: &[Problem]) -> String {
    let first = problems.first().map(ToString::to_string).unwrap_or_default();
    format!(
        "reload refused, the running configuration is kept: {} problem(s) in the configuration; {first}",
        problems.len()
    )
}

/// `attache reload`: exit 0 once the configuration is journaled, 1 when it is refused (its
/// problems on stderr) or cannot be journaled.
pub fn command(path: &Path, journal: impl FnOnce(&Config) -> std::path::PathBuf, operator: &str) -> ExitCode {
    let config = match load_checked(path) {
        Ok(config) => config,
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            eprintln!(
                "attache: reload refused: {} problem(s) in the configuration; the running consoles keep theirs",
                problems.len()
            );
            return ExitCode::FAILURE;
        }
    };
    let dir = journal(&config);
    let appended = Writer::open_checked(&dir, operator, false)
        .and_then(|mut w| w.append(operator, chrono::Utc::now(), vec![loaded_event(&config, true)]));
    match appended {
        Ok(records) => {
            let seq = records.last().map_or(0, |r| r.seq);
            println!(
                "configuration {} reloaded as record #{seq} in {} ({} feeds, {} missions, {} contacts); \
                 running consoles take it from the journal",
                path.display(),
                dir.display(),
                config.feeds.len(),
                config.missions.len(),
                config.contacts.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("attache: reload NOT journaled: {e}");
            ExitCode::FAILURE
        }
    }
}
