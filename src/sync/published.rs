//! The last of this desk's records the stream has acknowledged, as this host's publisher last
//! saw it, kept beside the journal (`sync-published.json`): with the link down `sync status`
//! cannot ask the stream, and counts the backlog from here instead of from the first record.
//! A hint, not a record: written when the publisher's position moves, read by `sync status`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub const FILE: &str = "sync-published.json";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// This desk's last record the stream holds.
    pub seq: u64,
    /// When the publisher learned it.
    pub at: DateTime<Utc>,
}

pub fn path(journal: &Path) -> PathBuf {
    journal.join(FILE)
}

/// Notes that the stream holds this desk's records up to `seq`.
pub fn note(journal: &Path, seq: u64, at: DateTime<Utc>) -> Result<(), String> {
    let text = serde_json::to_string(&Published { seq, at }).map_err(|e| e.to_string())?;
    crate::desk_files::write_atomically(&path(journal), |mut file| writeln!(file, "{text}"))
}

/// What was noted last; None when nothing was, or the file cannot be read (then the backlog is
/// counted from the first record, as without it).
pub fn read(journal: &Path) -> Option<Published> {
    serde_json::from_slice(&std::fs::read(path(journal)).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_noted_is_read_back_and_a_damaged_file_is_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()), None);
        let at = "2026-12-08T03:10:00Z".parse().unwrap();
        note(dir.path(), 41, at).unwrap();
        note(dir.path(), 42, at).unwrap();
        assert_eq!(read(dir.path()), Some(Published { seq: 42, at }));
        std::fs::write(path(dir.path()), b"{\"seq\": 4").unwrap();
        assert_eq!(read(dir.path()), None);
    }
}
