//! What `[sync]` says: where the JetStream servers are, who this desk is, whom it follows and
//! which of its own records it shares.

use std::path::PathBuf;

use crate::event::Event;

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

/// `sync.following` for the desks `follow` names (sorted; `"*"` for every desk; none without
/// `[sync]`), unless the record last said the same (`recorded`). A record that has never said
/// is told only when there is something to say: desks followed, or other desks' records held
/// (a journal from before `sync.following`, whose desk follows no one now).
pub fn following_event(
    recorded: Option<&[String]>,
    follow: Option<&Follow>,
    holds_others: bool,
) -> Option<Event> {
    let mut follow = match follow {
        Some(Follow::All) => vec!["*".to_string()],
        Some(Follow::Desks(desks)) => desks.clone(),
        None => Vec::new(),
    };
    follow.sort();
    let said = recorded.map_or(follow.is_empty() && !holds_others, |recorded| recorded == follow.as_slice());
    (!said).then_some(Event::SyncFollowing { follow })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn said(event: Option<Event>) -> Option<Vec<String>> {
        event.map(|e| match e {
            Event::SyncFollowing { follow } => follow,
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn the_desks_followed_are_journaled_when_they_differ_from_the_records() {
        let desks = |d: &[&str]| Follow::Desks(d.iter().map(|s| s.to_string()).collect());
        let list = |d: &[&str]| d.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // A desk that never followed anyone, and still does not: nothing to say.
        assert_eq!(said(following_event(None, None, false)), None);
        assert_eq!(said(following_event(None, Some(&desks(&[])), false)), None);
        // ... unless the journal holds other desks' records from before `sync.following` was.
        assert_eq!(said(following_event(None, None, true)), Some(Vec::new()));
        // Following desks for the first time: said, sorted, so the order in the file is no change.
        let first = said(following_event(None, Some(&desks(&["pristina", "hq"])), false));
        assert_eq!(first, Some(list(&["hq", "pristina"])));
        let recorded = list(&["hq", "pristina"]);
        assert_eq!(said(following_event(Some(&recorded), Some(&desks(&["pristina", "hq"])), true)), None);
        // One dropped, all, or `[sync]` gone: each said.
        assert_eq!(said(following_event(Some(&recorded), Some(&desks(&["hq"])), true)), Some(list(&["hq"])));
        assert_eq!(said(following_event(Some(&recorded), Some(&Follow::All), true)), Some(list(&["*"])));
        assert_eq!(said(following_event(Some(&recorded), None, true)), Some(Vec::new()));
    }
}
