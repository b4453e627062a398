//! The journal: the desk's append-only record of events, as JSON Lines files in one directory.
//!
//! Its interface is deliberately narrow — append, read from a position or a time, follow — so
//! callers do not see the storage underneath: each line carries a checksum of its own bytes and
//! a hash chaining it to the record before (`format`), records are split into size-limited
//! segments with a sparse, rebuildable index beside each (`segment`), appends are group-committed
//! (`commit`), the seq and sum of the last record synced are kept in `journal.head` so that a
//! journal cut short is told from one torn by a crash (`head`), and a torn tail left by a crash
//! is set aside at open (`recover`). Several
//! consoles on one host may share a directory: appends are serialized by an exclusive lock on
//! `journal.lock`, and each process reads the others' records by following the files.
//! The format and its guarantees are documented in docs/journal.md.

mod changes;
mod commit;
pub mod damage;
pub mod escape;
pub mod format;
pub mod head;
pub mod marks;
mod reader;
mod recover;
mod scan;
pub mod segment;
pub mod verify;
mod writer;

pub use changes::Changes;
pub use reader::{Follower, RawRecord, read_all};
pub use scan::ReadProblem;
pub use writer::Writer;

use std::path::PathBuf;
use std::time::Duration;

const LOCK_NAME: &str = "journal.lock";

/// Tunables of a writer. The defaults are the journal's documented behaviour; tests shrink the
/// segment size to exercise rotation.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// A segment is not grown past this size; the record that would pass it starts a new one.
    pub segment_bytes: u64,
    /// The longest a batch appended with `append_batch` waits for its sync.
    pub commit_interval: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options { segment_bytes: 64 << 20, commit_interval: Duration::from_millis(10) }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot create journal directory {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error(
        "cannot open {path}: {source} (check that the journal directory exists and this user may write to it)"
    )]
    Open { path: PathBuf, source: std::io::Error },
    #[error("cannot write to journal {path}: {source} (is the disk full or the directory read-only?)")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot read journal {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot lock {path}: {source}")]
    Lock { path: PathBuf, source: std::io::Error },
    #[error(
        "journal damaged at {0}; nothing more is written to it until an operator decides: run \
         `attache journal verify`, keep the segment for inspection and start a new journal directory"
    )]
    Corrupt(Box<ReadProblem>),
    #[error(
        "the journal is damaged: {0}; nothing was written (run `attache journal verify`; to append after \
         the damage anyway, which is journaled, run again with --after-damage)"
    )]
    Damaged(Box<damage::Damage>),
}
