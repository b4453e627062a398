//! The desk's configuration: `attache.toml` (desk, feeds, UI) and the `missions.toml` and
//! `contacts.toml` it points to. Loading checks everything and reports every problem it can find,
//! each with file, line and field, instead of stopping at the first.

mod cot_out;
mod feeds;
mod notify;
mod plain;
mod problem;
mod raw;
mod rollcall;
mod rules;
mod snapshot;
mod sync;
mod tls;
mod validate;

pub use problem::Problem;
pub use rollcall::{DEFAULT_DEADLINE, RollcallConfig};
pub use snapshot::{ConfigInForce, ConfigSnapshot, FeedSnapshot};
pub use validate::{FILES as HANDOVER_FILES, parse_duration};
// What a feed is belongs to the feeds; the configuration names feeds, not the other way round.
pub use crate::feeds::spec::{
    DEFAULT_EVERY, DEFAULT_MAX_MIB, DEFAULT_TIMEOUT, FeedConfig, FeedKind, FeedSource, HeaderValue, Secret,
};

use chrono_tz::Tz;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::domain::{Contact, Mission};
use problem::Source;

/// How the panes are arranged: all at once when the terminal is large enough (`auto`), or
/// always one at a time behind tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    #[default]
    Auto,
    Tabs,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub path: PathBuf,
    pub desk_name: String,
    pub desk_tz: Tz,
    /// The journal directory named in the desk file, resolved against it.
    pub journal: Option<PathBuf>,
    /// The id of the group the desk's files are created for (`[desk] group`); None: the
    /// user's own group.
    pub desk_group: Option<u32>,
    pub feeds: Vec<FeedConfig>,
    pub rules: Vec<crate::alerts::Rule>,
    pub layout: Layout,
    /// Draw for a slow or metered link (`[ui] low_bandwidth`, `--low-bandwidth`), read when
    /// the console starts.
    pub low_bandwidth: bool,
    /// A new real-world alert at or above this severity, or an escalation, rings the terminal
    /// bell; None: never.
    pub bell: Option<crate::domain::Severity>,
    /// Where to serve the bundled demo feeds from (the demo desk sets it; real desks do not).
    pub demo_serve: Option<std::net::SocketAddr>,
    pub missions: Vec<Mission>,
    pub contacts: Vec<Contact>,
    /// The `[[notify]]` entries: commands run for the records they select, by the process
    /// holding the poller lock.
    pub notify: Vec<crate::notify::NotifyRule>,
    /// `[handover] copy`: the command that copies a handover sheet off the host, `{files}`
    /// standing for the sheet and its signature (`validate::FILES`); empty: none.
    pub handover_copy: Vec<String>,
    /// `[rollcall]`: None, no roll-call opens by itself.
    pub rollcall: Option<RollcallConfig>,
    /// The `[[cot_out]]` entries: TAK servers and UDP addresses the alerts are published to, by
    /// the process holding the poller lock.
    pub cot_out: Vec<crate::cot_out::CotOutConfig>,
    /// `[sync]`: None, this desk shares nothing and follows no one. Read from this host's file,
    /// never from the record (like `[[notify]]`): it names this host's servers and credentials.
    pub sync: Option<crate::sync::settings::SyncConfig>,
    /// SHA-256 over the three files' bytes, recorded with `config.loaded`.
    pub digest: String,
    /// What the configuration names on disk that is not there as it should be now: a feed's
    /// document, the journal directory. A console runs without them (a document may yet be
    /// dropped there), but `check` reports them.
    pub on_disk: Vec<Problem>,
    /// What is wrong with the TLS files of `ssl://` feeds and `[[cot_out]]` entries, as this
    /// account reads them. Only `check` reports them: the key belongs to the account that
    /// polls, and every other command and a reload by another operator must still work; the
    /// connection reads them again and says what is wrong as the feed's or destination's error.
    pub tls_files: Vec<Problem>,
}

/// The bell's severity for a desk that names none.
pub const DEFAULT_BELL: crate::domain::Severity = crate::domain::Severity::Severe;

impl Config {
    /// The contact `text` names: by id first, then by exact name.
    pub fn contact(&self, text: &str) -> Option<&Contact> {
        let by_id = self.contacts.iter().find(|c| c.id.as_deref() == Some(text));
        by_id.or_else(|| self.contacts.iter().find(|c| c.answers_to(text)))
    }

    /// Loads and checks the desk file at `path` and the files it names.
    pub fn load(path: &Path) -> Result<Config, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut hasher = Sha256::new();
        let desk_text = read(path).map_err(|p| vec![p])?;
        hasher.update(desk_text.as_bytes());
        let desk_src = Source { path, text: &desk_text };
        let desk: raw::DeskFile = validate::parse(&desk_src).map_err(|p| vec![p])?;
        let base = path.parent().unwrap_or(Path::new("."));

        let missions_path = base.join(desk.desk.missions.get_ref());
        let contacts_path = base.join(desk.desk.contacts.get_ref());
        let missions_text = read_named(&missions_path, &desk_src, &desk.desk.missions, "desk.missions");
        let contacts_text = read_named(&contacts_path, &desk_src, &desk.desk.contacts, "desk.contacts");

        let mut config = validate::desk(&desk_src, desk, base, &mut problems);
        // The ids the missions file declares, valid or not, so that one bad mission does not also
        // make every contact that names it wrong. None when the file could not be read at all.
        let mut mission_ids = None;
        match missions_text {
            Ok(text) => {
                hasher.update(text.as_bytes());
                let src = Source { path: &missions_path, text: &text };
                match validate::parse::<raw::MissionsFile>(&src) {
                    Ok(file) => {
                        mission_ids = Some(file.missions.iter().map(|m| m.id.get_ref().clone()).collect());
                        config.missions = validate::missions(&src, file, &mut problems);
                    }
                    Err(p) => problems.push(p),
                }
            }
            Err(p) => problems.push(p),
        }
        match contacts_text {
            Ok(text) => {
                hasher.update(text.as_bytes());
                let src = Source { path: &contacts_path, text: &text };
                match validate::parse::<raw::ContactsFile>(&src) {
                    Ok(file) => {
                        config.contacts = validate::contacts(&src, file, mission_ids.as_ref(), &mut problems)
                    }
                    Err(p) => problems.push(p),
                }
            }
            Err(p) => problems.push(p),
        }
        config.path = path.to_path_buf();
        config.digest = format!("sha256:{:x}", hasher.finalize());
        if problems.is_empty() { Ok(config) } else { Err(problems) }
    }
}

fn read(path: &Path) -> Result<String, Problem> {
    std::fs::read_to_string(path).map_err(|e| Problem {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        field: String::new(),
        message: format!("cannot read: {e}"),
    })
}

/// Reads a file named by a field of the desk file; a failure points at that field.
fn read_named(path: &Path, desk: &Source, field: &raw::Text, name: &str) -> Result<String, Problem> {
    std::fs::read_to_string(path)
        .map_err(|e| desk.problem(Some(field.span()), name, format!("cannot read {}: {e}", path.display())))
}

/// Finds the desk file: `--config`, then `$ATTACHE_CONFIG`, then `./config/attache.toml`, then
/// `attache/attache.toml` in the XDG config directory.
pub fn locate(flag: Option<&Path>, env: Option<&str>) -> Result<PathBuf, String> {
    if let Some(path) = flag {
        return Ok(path.to_path_buf());
    }
    if let Some(path) = env.filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let local = PathBuf::from("config/attache.toml");
    if local.is_file() {
        return Ok(local);
    }
    let xdg = directories::ProjectDirs::from("", "", "attache").map(|d| d.config_dir().join("attache.toml"));
    match xdg {
        Some(path) if path.is_file() => Ok(path),
        Some(path) => Err(format!(
            "no configuration found: tried --config, $ATTACHE_CONFIG, ./config/attache.toml and {}",
            path.display()
        )),
        None => {
            Err("no configuration found: tried --config, $ATTACHE_CONFIG and ./config/attache.toml".into())
        }
    }
}
