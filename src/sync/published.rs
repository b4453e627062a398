//! The last of this desk's records the stream has acknowledged, as this host's publisher last
//! saw it, kept beside the journal (`sync-published.json`): with the link down `sync status`
//! cannot ask the stream, and counts the backlog from here instead of from the first record.
//! A hint, not a record: written in place (a torn or missing file only means counting from the
//! first record), at most once a second while records go out and once more when they are all
//! out; read by `sync status`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FILE: &str = "sync-published.json";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// The desk whose records these are: a journal whose `[sync] desk` changed, or one copied to
    /// another desk's host, does not count from another desk's position.
    pub desk: String,
    /// This desk's last record the stream holds.
    pub seq: u64,
    /// When the publisher learned it.
    pub at: DateTime<Utc>,
}

pub fn path(journal: &Path) -> PathBuf {
    journal.join(FILE)
}

/// Notes that the stream holds this desk's records up to `seq`.
pub fn note(journal: &Path, desk: &str, seq: u64, at: DateTime<Utc>) -> Result<(), String> {
    let mut text =
        serde_json::to_vec(&Published { desk: desk.to_string(), seq, at }).map_err(|e| e.to_string())?;
    text.push(b'\n');
    let path = path(journal);
    crate::desk_files::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// How often the publisher notes where it stands while records go out.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// What the publisher last noted, so that it notes a moved position at most every `EVERY`.
pub struct Noter {
    desk: String,
    noted: Option<(u64, std::time::Instant)>,
}

impl Noter {
    pub fn new(desk: &str) -> Self {
        Noter { desk: desk.to_string(), noted: None }
    }

    /// Notes `seq` if it moved and `EVERY` has passed since the last note, or at once when
    /// `settled` (nothing more is waiting to go out); says why it could not.
    pub fn note(&mut self, journal: &Path, seq: u64, settled: bool, say: &dyn Fn(String)) {
        let due = match self.noted {
            None => true,
            Some((noted, _)) if noted == seq => false,
            Some((_, when)) => settled || when.elapsed() >= EVERY,
        };
        if !due {
            return;
        }
        self.noted = Some((seq, std::time::Instant::now()));
        if let Err(why) = note(journal, &self.desk, seq, Utc::now()) {
            say(format!("sync: {why} (sync status with the link down will count from the first record)"));
        }
    }
}

/// What was noted last of `desk`; None when nothing was, the file cannot be read, or it is
/// another desk's (then the backlog is counted from the first record, as without it).
pub fn read(journal: &Path, desk: &str) -> Option<Published> {
    let published: Published = serde_json::from_slice(&std::fs::read(path(journal)).ok()?).ok()?;
    (published.desk == desk).then_some(published)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_noted_is_read_back_and_a_damaged_file_is_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path(), "manila"), None);
        let at = "2026-12-08T03:10:00Z".parse().unwrap();
        note(dir.path(), "manila", 41, at).unwrap();
        note(dir.path(), "manila", 42, at).unwrap();
        assert_eq!(read(dir.path(), "manila"), Some(Published { desk: "manila".into(), seq: 42, at }));
        assert_eq!(read(dir.path(), "pristina"), None, "another desk's position is not this one's");
        std::fs::write(path(dir.path()), b"{\"desk\": \"manila\", \"seq\": 4").unwrap();
        assert_eq!(read(dir.path(), "manila"), None);
    }

    #[test]
    fn a_moving_position_is_noted_at_most_every_second_and_when_all_is_out() {
        let dir = tempfile::tempdir().unwrap();
        let mut noter = Noter::new("manila");
        let quiet = |_: String| panic!("nothing to say");
        noter.note(dir.path(), 5, false, &quiet);
        assert_eq!(read(dir.path(), "manila").map(|p| p.seq), Some(5), "the first at once");
        noter.note(dir.path(), 9, false, &quiet);
        assert_eq!(read(dir.path(), "manila").map(|p| p.seq), Some(5), "not again within the second");
        noter.note(dir.path(), 12, true, &quiet);
        assert_eq!(read(dir.path(), "manila").map(|p| p.seq), Some(12), "all out: at once");
        std::fs::remove_file(path(dir.path())).unwrap();
        noter.note(dir.path(), 12, true, &quiet);
        assert_eq!(read(dir.path(), "manila"), None, "the same position is not written again");
    }
}
