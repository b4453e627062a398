//! What `[sync]` says: where the JetStream servers are, who this desk is, whom it follows and
//! which of its own records it shares.

use std::path::PathBuf;

/// The groups of record kinds a desk may share, as `share` names them, and the kinds in each.
pub const SHARE_GROUPS: &[(&str, &[&str])] = &[
    (
        "alerts",
        &[
            "alert.raised",
            "alert.updated",
            "alert.acknowledged",
            "alert.unacknowledged",
            "alert.escalated",
            "alert.resolved",
        ],
    ),
    ("checkins", &["contact.checked_in"]),
    ("rollcalls", &["rollcall.opened", "rollcall.answered", "rollcall.overdue", "rollcall.closed"]),
    ("notes", &["note"]),
    // The configuration as loaded (no secrets) defines the missions the status changes are
    // about: other desks show this desk's missions from it.
    ("missions", &["mission.status_changed", "config.loaded"]),
    ("handovers", &["handover"]),
    ("items", &["item.seen", "item.updated", "item.withdrawn"]),
];

/// Shared when `share` is not given: everything but feed items, which are large.
pub const DEFAULT_SHARE: &[&str] = &["alerts", "checkins", "rollcalls", "notes", "missions", "handovers"];

/// The JetStream stream every desk publishes to, one subject per desk under `SUBJECT_PREFIX`.
pub const STREAM: &str = "ATTACHE";
pub const SUBJECT_PREFIX: &str = "attache.desk.";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Follow {
    /// Every desk publishing to the stream but this one.
    All,
    Desks(Vec<String>),
}

/// Nobody: a desk alone, a briefing of this desk alone.
impl Default for Follow {
    fn default() -> Self {
        Follow::Desks(Vec::new())
    }
}

impl Follow {
    pub fn follows(&self, desk: &str) -> bool {
        match self {
            Follow::All => true,
            Follow::Desks(desks) => desks.iter().any(|d| d == desk),
        }
    }
}

/// Where a desk's NATS credentials are read from, at each connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// A credentials file, resolved against the desk file.
    File(PathBuf),
    /// An environment variable holding a credentials file's text, for hosts whose secrets come
    /// from the service manager rather than the disk.
    Env(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncConfig {
    /// `nats://host:port` or `tls://host:port`, tried in turn.
    pub servers: Vec<String>,
    /// This desk's id: its subject, and the label its records carry at other desks.
    pub desk: String,
    pub follow: Follow,
    /// Where the desk's NATS credentials (JWT and NKey seed) are, when the servers ask for them.
    pub credentials: Option<Credentials>,
    /// The JetStream domain of the servers holding the stream, for a desk that reaches them
    /// through a leaf node (whose own server has no JetStream of its name).
    pub domain: Option<String>,
    /// The record kinds this desk publishes (from `share`'s groups).
    pub kinds: Vec<&'static str>,
    /// How many servers hold the stream when this desk is the one to create it.
    pub replicas: usize,
}

impl SyncConfig {
    /// The variable holding the desk's credentials, when they come from the environment.
    pub fn credentials_env(&self) -> Option<&str> {
        match &self.credentials {
            Some(Credentials::Env(name)) => Some(name),
            _ => None,
        }
    }

    pub fn subject(&self) -> String {
        subject_of(&self.desk)
    }

    pub fn shares(&self, kind: &str) -> bool {
        self.kinds.contains(&kind)
    }
}

pub fn subject_of(desk: &str) -> String {
    format!("{SUBJECT_PREFIX}{desk}")
}

/// Whether `id` can name a desk: it is a subject token, part of a message id (`desk:seq:sum`)
/// and the prefix of its alerts' ids at other desks (`desk/ID`), so only plain characters.
pub fn valid_desk_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The kinds of the groups `names` names; the name that is not a group, if any.
pub fn kinds_of(names: &[&str]) -> Result<Vec<&'static str>, String> {
    let mut kinds = Vec::new();
    for name in names {
        let Some((_, group)) = SHARE_GROUPS.iter().find(|(g, _)| g == name) else {
            let known: Vec<&str> = SHARE_GROUPS.iter().map(|(g, _)| *g).collect();
            return Err(format!("`{name}` is not something a desk shares (one of {})", known.join(", ")));
        };
        kinds.extend_from_slice(group);
    }
    Ok(kinds)
}
