//! What the checkpoints beside a journal say of it: each checkpoint file's header names a
//! record (`seq`) and the `sum` it had when the checkpoint was taken, so the journal reached at
//! least that far. The journal reads them as evidence where its head file is missing or where
//! a damage check can start; what a checkpoint holds (a desk state) is the `checkpoint`
//! module's, above the journal.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use serde::{Deserialize, Serialize};

/// The checkpoints' directory, inside the journal's.
pub const DIR: &str = "checkpoints";
/// How every checkpoint file's name ends: `<seq>.<tag>.json.gz`, the tag naming the version.
pub const SUFFIX: &str = ".json.gz";

/// A checkpoint file's first line.
#[derive(Serialize, Deserialize, PartialEq, Eq, Debug)]
pub struct Header {
    pub version: String,
    pub seq: u64,
    pub sum: String,
}

/// The checkpoint files whose names end with `ending` (one version's tag and `SUFFIX`, or
/// `SUFFIX` for every version's), oldest first, with the seq each name gives.
pub fn files(journal: &Path, ending: &str) -> Vec<(u64, PathBuf)> {
    let Ok(entries) = fs::read_dir(journal.join(DIR)) else { return Vec::new() };
    let mut found: Vec<_> = entries
        .filter_map(|e| {
            let path = e.ok()?.path();
            let stem = path.file_name()?.to_str()?.strip_suffix(ending)?;
            let seq = stem.split('.').next()?.parse().ok()?;
            Some((seq, path))
        })
        .collect();
    found.sort();
    found
}

/// Reads a header line from a checkpoint's text.
pub fn read_header(text: &mut impl BufRead) -> Option<Header> {
    let mut line = String::new();
    text.read_line(&mut line).ok()?;
    serde_json::from_str(&line).ok()
}

/// The header of the checkpoint file at `path`.
pub fn header_of(path: &Path) -> Option<Header> {
    read_header(&mut BufReader::new(GzDecoder::new(fs::File::open(path).ok()?)))
}

/// The record each checkpoint of any version was taken at and the sum it had then, newest
/// first, from the headers that agree with their file's name (not yet checked against the
/// journal).
pub fn marks(journal: &Path) -> Vec<(u64, String)> {
    files(journal, SUFFIX)
        .iter()
        .rev()
        .filter_map(|(seq, path)| header_of(path).filter(|h| h.seq == *seq))
        .map(|h| (h.seq, h.sum))
        .collect()
}

/// Whether any checkpoint lies beside the journal.
pub fn any(journal: &Path) -> bool {
    !files(journal, SUFFIX).is_empty()
}
