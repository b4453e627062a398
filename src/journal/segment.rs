//! Segment files and their indexes.
//!
//! Records live in numbered segments (`00000001.jsonl`, `00000002.jsonl`, …); a new one starts
//! when the current one would pass the size limit. Beside each is a sparse index
//! (`00000001.idx`): one fixed-size entry (seq, byte offset, ts) for the first record of the
//! segment and then for the first record after every `INDEX_EVERY` bytes, so finding a seq or a
//! time costs a binary search and a short scan. The index is a cache: it is checked against the
//! segment before use and rebuilt from the records when it disagrees, never trusted blindly.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::JournalError;
use super::format;

/// Bytes of records between two index entries: the longest scan after a binary search.
pub const INDEX_EVERY: u64 = 64 * 1024;
pub const ENTRY: usize = 24;

pub fn segment_name(number: u32) -> String {
    format!("{number:08}.jsonl")
}

pub fn segment_path(dir: &Path, number: u32) -> PathBuf {
    dir.join(segment_name(number))
}

pub fn index_path(dir: &Path, number: u32) -> PathBuf {
    dir.join(format!("{number:08}.idx"))
}

/// The segment numbers present in `dir`, in order. A missing directory has none.
pub fn list(dir: &Path) -> Result<Vec<u32>, JournalError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(JournalError::Read { path: dir.to_path_buf(), source }),
    };
    let mut numbers: Vec<u32> = entries
        .filter_map(|entry| {
            let name = entry.ok()?.file_name();
            let stem = name.to_str()?.strip_suffix(".jsonl")?;
            (stem.len() == 8).then(|| stem.parse().ok())?
        })
        .collect();
    numbers.sort_unstable();
    Ok(numbers)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    pub seq: u64,
    pub offset: u64,
    pub ts_micros: i64,
}

impl IndexEntry {
    pub fn to_bytes(self) -> [u8; ENTRY] {
        let mut out = [0u8; ENTRY];
        out[..8].copy_from_slice(&self.seq.to_le_bytes());
        out[8..16].copy_from_slice(&self.offset.to_le_bytes());
        out[16..].copy_from_slice(&self.ts_micros.to_le_bytes());
        out
    }

    pub fn from_bytes(b: &[u8]) -> Self {
        let word = |i: usize| <[u8; 8]>::try_from(&b[i..i + 8]).unwrap_or_default();
        IndexEntry {
            seq: u64::from_le_bytes(word(0)),
            offset: u64::from_le_bytes(word(8)),
            ts_micros: i64::from_le_bytes(word(16)),
        }
    }
}

/// Reads the index entries of a segment that are consistent with each other and with a segment
/// of `segment_len` bytes. Entries after the first inconsistent one are dropped, so a torn or
/// stale end of the index costs a longer scan, never a wrong answer; the caller still checks
/// the entry it lands on.
pub fn read_index(dir: &Path, number: u32, segment_len: u64) -> Vec<IndexEntry> {
    let bytes = fs::read(index_path(dir, number)).unwrap_or_default();
    let mut entries: Vec<IndexEntry> = Vec::with_capacity(bytes.len() / ENTRY);
    for chunk in bytes.chunks_exact(ENTRY) {
        let entry = IndexEntry::from_bytes(chunk);
        let fits = match entries.last() {
            None => entry.offset == 0,
            Some(last) => {
                entry.seq > last.seq && entry.offset > last.offset && entry.ts_micros >= last.ts_micros
            }
        };
        if !fits || entry.offset >= segment_len {
            break;
        }
        entries.push(entry);
    }
    entries
}

/// Whether the record at `entry.offset` really is `entry.seq`: the spot check before an index
/// entry is used.
pub fn entry_holds(file: &mut File, entry: &IndexEntry) -> bool {
    let mut head = [0u8; 32];
    if file.seek(SeekFrom::Start(entry.offset)).is_err() {
        return false;
    }
    let n = read_up_to(file, &mut head);
    if entry.offset > 0 {
        // An entry must start a line: the byte before it is a newline.
        let mut before = [0u8; 1];
        if file.seek(SeekFrom::Start(entry.offset - 1)).is_err() || read_up_to(file, &mut before) != 1 {
            return false;
        }
        if before[0] != b'\n' {
            return false;
        }
    }
    let line = &head[..n];
    let line = line.split(|&b| b == b'\n').next().unwrap_or(line);
    format::seq_of(line) == Some(entry.seq)
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> usize {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    filled
}

/// Collects index entries while records go by (written or read), one whenever `INDEX_EVERY`
/// bytes have passed since the last entry.
#[derive(Debug, Default)]
pub struct Indexer {
    pub last: Option<IndexEntry>,
    pub pending: Vec<IndexEntry>,
}

impl Indexer {
    pub fn after(last: Option<IndexEntry>) -> Self {
        Indexer { last, pending: Vec::new() }
    }

    pub fn see(&mut self, seq: u64, offset: u64, ts_micros: i64) {
        let due = self
            .last
            .is_none_or(|e| offset >= e.offset + INDEX_EVERY && seq > e.seq && ts_micros >= e.ts_micros);
        if due {
            let entry = IndexEntry { seq, offset, ts_micros };
            self.pending.push(entry);
            self.last = Some(entry);
        }
    }
}

/// The last entry at or before the point wanted: `before(entry)` is true for entries wholly
/// before it.
pub fn last_before(entries: &[IndexEntry], before: impl Fn(&IndexEntry) -> bool) -> Option<IndexEntry> {
    let n = entries.partition_point(before);
    n.checked_sub(1).map(|i| entries[i])
}
