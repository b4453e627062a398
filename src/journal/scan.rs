//! Checking runs of record lines: each line's sum, and the chain from one record to the next.
//! The writer (at open and when catching up), the follower and `verify` all use this one check,
//! so they agree on what a good journal is.

use std::path::{Path, PathBuf};

use super::format::{self, GENESIS, Hash, LineFault};

/// Where the chain stands after the last record checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chain {
    /// The last record's seq (0 before the first record).
    pub seq: u64,
    pub sum: Hash,
    pub ts_micros: i64,
    /// False when reading starts in the middle (after a seek): the first record's `prev` and
    /// `seq` cannot be checked against a record not read.
    pub linked: bool,
}

impl Chain {
    pub fn genesis() -> Self {
        Chain { seq: 0, sum: GENESIS, ts_micros: i64::MIN, linked: true }
    }

    pub fn unlinked() -> Self {
        Chain { linked: false, ..Self::genesis() }
    }
}

/// A record that fails its check, located so an operator can find it: segment file, byte offset
/// and (when it can be read) seq.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadProblem {
    pub path: PathBuf,
    pub offset: u64,
    pub seq: Option<u64>,
    pub message: String,
}

impl std::fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} byte {}", self.path.display(), self.offset)?;
        if let Some(seq) = self.seq {
            write!(f, " (seq {seq})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One line's verdict.
pub enum Line<'a> {
    Good { offset: u64, seq: u64, ts_micros: i64, bytes: &'a [u8] },
    Bad(ReadProblem),
}

/// Checks the complete lines of `bytes` (which start at byte `start` of the segment at `path`),
/// advancing `chain`, and hands each verdict to `each`, which returns false to stop after that
/// line. Returns how many bytes were consumed (whole lines only: a last line without its newline
/// may still be being written) and whether `each` stopped.
pub fn lines(
    bytes: &[u8],
    start: u64,
    path: &Path,
    chain: &mut Chain,
    mut each: impl FnMut(Line<'_>) -> bool,
) -> (usize, bool) {
    let mut consumed = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        let offset = start + consumed as u64;
        let verdict = check_line(&bytes[consumed..end], offset, path, chain);
        consumed = end + 1;
        if !each(verdict) {
            return (consumed, true);
        }
    }
    (consumed, false)
}

fn check_line<'a>(line: &'a [u8], offset: u64, path: &Path, chain: &mut Chain) -> Line<'a> {
    let problem =
        |seq: Option<u64>, message: String| ReadProblem { path: path.to_path_buf(), offset, seq, message };
    let checked = match format::check(line) {
        Ok(checked) => checked,
        Err(fault) => {
            let seq = format::seq_of(line);
            match fault {
                // Follow the chain through the damaged record as it claims to be, so one flipped
                // byte is reported once, not again at every later record.
                LineFault::BadSum { claimed, .. } => {
                    *chain =
                        Chain { seq: seq.unwrap_or(chain.seq + 1), sum: claimed, linked: true, ..*chain };
                }
                LineFault::NoChecksum | LineFault::NoSeq => chain.linked = false,
            }
            return Line::Bad(problem(seq, fault.to_string()));
        }
    };
    let mut faults = Vec::new();
    if chain.linked && checked.prev != chain.sum {
        faults.push(if chain.seq == 0 {
            "its \"prev\" is not the start of the journal: records before it are missing".to_string()
        } else {
            format!(
                "its \"prev\" is not the sum of the record before it (seq {}): a record was removed, reordered \
                 or inserted here",
                chain.seq
            )
        });
    }
    if chain.linked && checked.seq != chain.seq + 1 {
        faults.push(format!("seq {} follows seq {}", checked.seq, chain.seq));
    }
    let ts = format::ts_micros_of(line);
    match ts {
        None => faults.push("its \"ts\" is not an RFC 3339 UTC time".to_string()),
        Some(ts) if ts < chain.ts_micros => {
            faults.push("its \"ts\" is earlier than the record before it".to_string())
        }
        Some(_) => {}
    }
    let ts_micros = ts.unwrap_or(chain.ts_micros);
    *chain = Chain { seq: checked.seq, sum: checked.sum, ts_micros, linked: true };
    if faults.is_empty() {
        Line::Good { offset, seq: checked.seq, ts_micros, bytes: line }
    } else {
        Line::Bad(problem(Some(checked.seq), faults.join("; ")))
    }
}

/// How much of a segment is read at a time: memory stays bounded however large the segment.
const CHUNK: usize = 4 << 20;
/// The first read's size: many readers stop after a few records (a seek, a checkpoint's
/// check, a replay stepping), and should not pay for reading megabytes. Reads double from
/// here up to `CHUNK` while the reader goes on.
const FIRST_CHUNK: usize = 64 << 10;

/// Checks the lines in bytes `from..to` of `file`, reading it in chunks, until `each` returns
/// false. Returns the offset just after the last line consumed.
pub fn region(
    file: &std::fs::File,
    path: &Path,
    from: u64,
    to: u64,
    chain: &mut Chain,
    mut each: impl FnMut(Line<'_>) -> bool,
) -> Result<u64, super::JournalError> {
    use std::os::unix::fs::FileExt as _;
    let mut buf = vec![0u8; FIRST_CHUNK.min((to - from) as usize)];
    let mut filled = 0;
    let mut buf_start = from;
    let mut read_to = from;
    while read_to < to {
        if filled == buf.len() {
            // One line longer than the buffer: make room for the rest of it.
            buf.resize((buf.len() * 2).max(4096), 0);
        }
        let want = (buf.len() - filled).min((to - read_to) as usize);
        file.read_exact_at(&mut buf[filled..filled + want], read_to)
            .map_err(|source| super::JournalError::Read { path: path.to_path_buf(), source })?;
        filled += want;
        read_to += want as u64;
        let (done, stopped) = lines(&buf[..filled], buf_start, path, chain, &mut each);
        buf.copy_within(done..filled, 0);
        filled -= done;
        buf_start += done as u64;
        if stopped {
            break;
        }
        if buf.len() < CHUNK {
            // Still reading: larger reads from here on.
            buf.resize((buf.len() * 2).min(CHUNK), 0);
        }
    }
    Ok(buf_start)
}
