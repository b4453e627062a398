//! The journal: the desk's append-only record of events, as JSON Lines files in one directory.
//!
//! Its interface is deliberately narrow — append, read from a position, follow — so that the
//! storage underneath can grow (checksums, hash chain, segments, index) without touching callers.
//! Several consoles on one host may share a directory: appends are serialized by an exclusive
//! lock on `journal.lock`, and each process reads the others' records by following the file.

mod reader;
mod writer;

pub use reader::{Follower, ReadProblem, read_all};
pub use writer::Writer;

use std::path::{Path, PathBuf};

/// The segment file holding the records. One segment for now; rotation comes with the
/// journal-hardening work, which is why the name is numbered.
pub const SEGMENT_NAME: &str = "00000001.jsonl";
const LOCK_NAME: &str = "journal.lock";

pub fn segment_path(dir: &Path) -> PathBuf {
    dir.join(SEGMENT_NAME)
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot create journal directory {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot open {path}: {source}")]
    Open { path: PathBuf, source: std::io::Error },
    #[error("cannot write to journal {path}: {source} (is the disk full or the directory read-only?)")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot read journal {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot lock {path}: {source}")]
    Lock { path: PathBuf, source: std::io::Error },
}
