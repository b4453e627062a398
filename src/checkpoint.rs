//! Checkpoints: the desk state folded up to some record, saved beside the journal so that a
//! console opens a long journal by folding only the records after it. A checkpoint is a cache,
//! like the journal's index: before use it is checked against the journal (the record it was
//! taken at must still carry the same `sum`, and the version that wrote it must be this one),
//! and one that fails the check is ignored and later replaced, never trusted.
//!
//! Files: `checkpoints/<seq>.json` in the journal directory: a header line (version, seq, sum),
//! then the state as one JSON line. The newest `KEEP` are kept.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::journal::{Follower, JournalError, format};
use crate::state::DeskState;

pub const DIR: &str = "checkpoints";
/// Checkpoints kept; older ones are removed when a new one is written.
pub const KEEP: usize = 2;
/// A console writes a new checkpoint once this many records were folded since the last one.
pub const EVERY: u64 = 20_000;
/// Changes when the reducer or the state's shape changes, so old checkpoints are not used.
const STATE_FORMAT: u32 = 1;

#[derive(Serialize, Deserialize, PartialEq, Eq, Debug)]
struct Header {
    version: String,
    seq: u64,
    sum: String,
}

fn version() -> String {
    format!("attache {} state {STATE_FORMAT}", env!("CARGO_PKG_VERSION"))
}

/// The sum the journal holds for record `seq`, read through the index.
fn sum_at(journal: &Path, seq: u64) -> Result<Option<String>, JournalError> {
    let mut follower = Follower::from_seq(journal, seq)?;
    let mut found = None;
    follower.poll_lines(|raw, _| {
        if raw.seq == seq {
            found = format::trailer(raw.bytes).map(|(_, sum)| String::from_utf8_lossy(&sum).into_owned());
        }
        false
    })?;
    Ok(found)
}

/// Saves `state` as a checkpoint at its last record. Written to a temporary file and renamed,
/// so a crash never leaves a half checkpoint under a real name.
pub fn save(journal: &Path, state: &DeskState) -> Result<PathBuf, String> {
    let seq = state.last_seq;
    let sum =
        sum_at(journal, seq).map_err(|e| e.to_string())?.ok_or_else(|| format!("record {seq} not found"))?;
    let dir = journal.join(DIR);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{seq:012}.json"));
    let temporary = dir.join(format!(".{seq:012}.json.tmp"));
    let write = || -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(fs::File::create(&temporary)?);
        serde_json::to_writer(&mut out, &Header { version: version(), seq, sum })?;
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut out, state)?;
        out.write_all(b"\n")?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&temporary, &path)
    };
    write().map_err(|e| format!("cannot write checkpoint {}: {e}", path.display()))?;
    for old in list(journal).into_iter().rev().skip(KEEP) {
        let _ = fs::remove_file(old.1);
    }
    Ok(path)
}

/// Checkpoint files, oldest first, with the seq each was taken at.
fn list(journal: &Path) -> Vec<(u64, PathBuf)> {
    let Ok(entries) = fs::read_dir(journal.join(DIR)) else { return Vec::new() };
    let mut found: Vec<_> = entries
        .filter_map(|e| {
            let path = e.ok()?.path();
            let seq = path.file_name()?.to_str()?.strip_suffix(".json")?.parse().ok()?;
            Some((seq, path))
        })
        .collect();
    found.sort();
    found
}

/// The newest checkpoint that checks out against the journal, as the state and a follower
/// positioned just after its record; else an empty state and a follower from the start.
pub fn resume(journal: &Path) -> (DeskState, Follower) {
    for (seq, path) in list(journal).into_iter().rev() {
        if let Some(resumed) = load(journal, seq, &path) {
            return resumed;
        }
    }
    (DeskState::default(), Follower::new(journal))
}

fn load(journal: &Path, seq: u64, path: &Path) -> Option<(DeskState, Follower)> {
    let text = fs::read(path).ok()?;
    let newline = text.iter().position(|&b| b == b'\n')?;
    let header: Header = serde_json::from_slice(&text[..newline]).ok()?;
    if header.version != version() || header.seq != seq {
        return None;
    }
    // The follower reads the checkpoint's own record (checking its sum), then carries on.
    let mut follower = Follower::from_seq(journal, seq).ok()?;
    let mut matches = false;
    follower
        .poll_lines(|raw, _| {
            matches = raw.seq == seq
                && format::trailer(raw.bytes).is_some_and(|(_, sum)| sum == header.sum.as_bytes());
            false
        })
        .ok()?;
    if !matches {
        return None;
    }
    let state: DeskState = serde_json::from_slice(&text[newline + 1..]).ok()?;
    (state.last_seq == seq).then_some((state, follower))
}
