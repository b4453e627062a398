use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{JournalError, segment_path};
use crate::event::Record;

/// A line of the journal that could not be read as a record. It is reported, never dropped
/// silently, and never rewritten.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadProblem {
    pub path: PathBuf,
    /// 1-based line number within the segment.
    pub line: u64,
    pub offset: u64,
    pub message: String,
}

impl std::fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} (byte {}): {}", self.path.display(), self.line, self.offset, self.message)
    }
}

/// Reads new complete records from a journal as they are appended, by this process or others.
/// A line still being written (no newline yet) is left for the next poll.
#[derive(Debug)]
pub struct Follower {
    path: PathBuf,
    offset: u64,
    line: u64,
}

impl Follower {
    /// Follows from the beginning of the journal in `dir`.
    pub fn new(dir: &Path) -> Self {
        Self { path: segment_path(dir), offset: 0, line: 0 }
    }

    /// Returns the records appended since the last call. A missing journal has no records yet.
    pub fn poll(&mut self) -> Result<(Vec<Record>, Vec<ReadProblem>), JournalError> {
        let read_err = |source| JournalError::Read { path: self.path.clone(), source };
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
            Err(source) => return Err(read_err(source)),
        };
        let len = file.metadata().map_err(read_err)?.len();
        if len < self.offset {
            // The file shrank: only a torn tail is ever cut, and it was never a whole record.
            self.offset = len;
        }
        if len == self.offset {
            return Ok((Vec::new(), Vec::new()));
        }
        file.seek(SeekFrom::Start(self.offset)).map_err(read_err)?;
        let mut buf = Vec::with_capacity((len - self.offset) as usize);
        file.take(len - self.offset).read_to_end(&mut buf).map_err(read_err)?;
        let complete = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let mut records = Vec::new();
        let mut problems = Vec::new();
        let mut at = self.offset;
        for line in buf[..complete].split_inclusive(|&b| b == b'\n') {
            self.line += 1;
            let body = line.strip_suffix(b"\n").unwrap_or(line);
            if !body.iter().all(u8::is_ascii_whitespace) {
                match serde_json::from_slice::<Record>(body) {
                    Ok(record) => records.push(record),
                    Err(e) => problems.push(ReadProblem {
                        path: self.path.clone(),
                        line: self.line,
                        offset: at,
                        message: format!("not a journal record: {e}"),
                    }),
                }
            }
            at += line.len() as u64;
        }
        self.offset += complete as u64;
        Ok((records, problems))
    }
}

/// Reads every complete record of the journal in `dir`.
pub fn read_all(dir: &Path) -> Result<(Vec<Record>, Vec<ReadProblem>), JournalError> {
    Follower::new(dir).poll()
}
