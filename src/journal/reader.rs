use chrono::{DateTime, Utc};
use std::fs::File;
use std::path::{Path, PathBuf};

use super::format::Hash;
use super::scan::{self, Chain, Line, ReadProblem};
use super::segment::{self, IndexEntry};
use super::{JournalError, format};
use crate::event::{Record, read_record};

/// A checked record line as it is in the file: for readers that pass lines on unchanged
/// (`export`, `tail`) or look at a few fields without parsing the whole record.
pub struct RawRecord<'a> {
    pub seq: u64,
    pub ts_micros: i64,
    /// The line without its newline.
    pub bytes: &'a [u8],
    /// Where the line starts: the segment's number and the byte offset in it.
    pub segment: u32,
    pub offset: u64,
}

/// Reads new complete records from a journal as they are appended, by this process or others,
/// checking each record's sum and its link to the one before. A line still being written (no
/// newline yet) is left for the next poll; a damaged one is reported, never dropped silently.
#[derive(Clone, Debug)]
pub struct Follower {
    dir: PathBuf,
    /// None until the first poll finds the first segment.
    segment: Option<u32>,
    offset: u64,
    chain: Chain,
}

impl Follower {
    /// Follows from the beginning of the journal in `dir`.
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.to_path_buf(), segment: None, offset: 0, chain: Chain::genesis() }
    }

    /// Follows from the first record at or after `seq`.
    pub fn from_seq(dir: &Path, seq: u64) -> Result<Self, JournalError> {
        Self::seek(dir, |s, _| s < seq)
    }

    /// Follows from byte `offset` of segment `segment`, which the caller knows to be just after
    /// record `seq` (its `sum` and time given), without reading any index: the next record is
    /// checked against that one as if it had been read here.
    pub fn after_record(
        dir: &Path,
        (segment, offset): (u32, u64),
        seq: u64,
        sum: Hash,
        ts_micros: i64,
    ) -> Self {
        let chain = Chain { seq, sum, ts_micros, linked: true };
        Self { dir: dir.to_path_buf(), segment: Some(segment), offset, chain }
    }

    /// Follows from the first record stamped at or after `ts`. Costs a binary search in the
    /// indexes and a short scan, whatever the journal's size.
    pub fn from_time(dir: &Path, ts: DateTime<Utc>) -> Result<Self, JournalError> {
        let micros = ts.timestamp_micros();
        Self::seek(dir, |_, t| t < micros)
    }

    /// The seq of the first record stamped at or after `ts`, if there is one: a seek and one
    /// line read.
    pub fn first_seq_from(dir: &Path, ts: DateTime<Utc>) -> Result<Option<u64>, JournalError> {
        let mut follower = Self::from_time(dir, ts)?;
        let mut first = None;
        follower.poll_lines(|raw, _| {
            first = Some(raw.seq);
            false
        })?;
        Ok(first)
    }

    /// Follows only records appended from now on.
    pub fn at_end(dir: &Path) -> Result<Self, JournalError> {
        Self::seek(dir, |_, _| true)
    }

    /// The seq of the last record read (or skipped over by a seek), if it is known.
    pub fn last_seq(&self) -> Option<u64> {
        (self.chain.linked && self.chain.seq > 0).then_some(self.chain.seq)
    }

    /// The segment and byte offset the next poll reads from.
    pub fn position(&self) -> (Option<u32>, u64) {
        (self.segment, self.offset)
    }

    /// Positions at the first record for which `before(seq, ts_micros)` is false. `before` must
    /// hold for a prefix of the journal (seq and ts never decrease along it).
    fn seek(dir: &Path, before: impl Fn(u64, i64) -> bool) -> Result<Self, JournalError> {
        let numbers = segment::list(dir)?;
        let mut indexes = Vec::with_capacity(numbers.len());
        for &n in &numbers {
            indexes.push((n, checked_index(dir, n)?));
        }
        // The last segment whose first record is before the target holds the target, or the
        // target is the first record of the segment after it.
        let starts_before = |(_, entries): &(u32, Vec<IndexEntry>)| {
            entries.first().is_some_and(|e| before(e.seq, e.ts_micros))
        };
        let at = indexes.partition_point(starts_before).saturating_sub(1);
        let Some((number, entries)) = indexes.get(at) else { return Ok(Self::new(dir)) };
        let mut start = segment::last_before(entries, |e| before(e.seq, e.ts_micros));
        // The entry used is checked too; one that does not hold means a stale index: rebuild.
        let path = segment::segment_path(dir, *number);
        if let (Some(entry), Some(mut file)) = (start, open_if_present(&path)?)
            && !segment::entry_holds(&mut file, &entry)
        {
            let len =
                file.metadata().map_err(|source| JournalError::Read { path: path.clone(), source })?.len();
            let rebuilt = rebuild_index(&file, &path, len)?;
            start = segment::last_before(&rebuilt, |e| before(e.seq, e.ts_micros));
        }
        let mut follower = Follower {
            dir: dir.to_path_buf(),
            segment: Some(*number),
            offset: start.map_or(0, |e| e.offset),
            chain: if *number == 1 && start.is_none() { Chain::genesis() } else { Chain::unlinked() },
        };
        follower.skip_while(&before)?;
        Ok(follower)
    }

    /// Moves past the records for which `before` holds (a scan of at most one index interval,
    /// plus the first record of the next segment).
    fn skip_while(&mut self, before: &impl Fn(u64, i64) -> bool) -> Result<(), JournalError> {
        loop {
            let Some(number) = self.segment else { return Ok(()) };
            let path = segment::segment_path(&self.dir, number);
            let Some(file) = open_if_present(&path)? else { return Ok(()) };
            let len =
                file.metadata().map_err(|source| JournalError::Read { path: path.clone(), source })?.len();
            let mut stop: Option<(u64, Chain)> = None;
            let mut chain = self.chain;
            let start = self.offset;
            let mut last_chain = self.chain;
            let end = scan::region(&file, &path, start, len, &mut chain, |line| {
                if stop.is_some() {
                    return false;
                }
                let (offset, seq, ts) = match &line {
                    Line::Good { offset, seq, ts_micros, .. } => (*offset, *seq, *ts_micros),
                    // Damage is the caller's to see: stop before it.
                    Line::Bad(problem) => {
                        stop = Some((problem.offset, last_chain));
                        return false;
                    }
                };
                if !before(seq, ts) {
                    stop = Some((offset, last_chain));
                    return false;
                }
                if let Line::Good { bytes, .. } = line
                    && let Some((_, sum)) = format::trailer(bytes)
                {
                    last_chain = Chain { seq, sum, ts_micros: ts, linked: true };
                }
                true
            })?;
            if let Some((offset, chain)) = stop {
                self.offset = offset;
                self.chain = chain;
                return Ok(());
            }
            self.offset = end;
            self.chain = chain;
            if end < len || !segment::segment_path(&self.dir, number + 1).exists() {
                return Ok(());
            }
            self.segment = Some(number + 1);
            self.offset = 0;
        }
    }

    /// Returns the records appended since the last call. A missing journal has no records yet.
    pub fn poll(&mut self) -> Result<(Vec<Record>, Vec<ReadProblem>), JournalError> {
        self.poll_up_to(usize::MAX)
    }

    /// Like `poll`, but returns at most `max` records, so a reader catching up on a long
    /// journal holds a bounded number of records at a time; call again until fewer come back.
    pub fn poll_up_to(&mut self, max: usize) -> Result<(Vec<Record>, Vec<ReadProblem>), JournalError> {
        let mut records = Vec::new();
        if max == 0 {
            return Ok((records, Vec::new()));
        }
        let problems = self.poll_lines(|raw, problems| {
            match read_record(raw.bytes) {
                Ok(record) => records.push(record),
                Err(e) => problems.push(format!(
                    "seq {} checks out but is not a record this version of attache reads: {e}",
                    raw.seq
                )),
            }
            records.len() < max
        })?;
        Ok((records, problems))
    }

    /// Like `poll`, but hands over each checked line as it is. `each` may note a problem with a
    /// record (it gets located like the others), and returns false to stop reading after it.
    pub fn poll_lines(
        &mut self,
        mut each: impl FnMut(&RawRecord<'_>, &mut Vec<String>) -> bool,
    ) -> Result<Vec<ReadProblem>, JournalError> {
        let mut problems = Vec::new();
        if self.segment.is_none() {
            match segment::list(&self.dir)?.first() {
                Some(&first) => {
                    self.segment = Some(first);
                    if first != 1 {
                        self.chain = Chain::unlinked();
                    }
                }
                None => return Ok(problems),
            }
        }
        while let Some(number) = self.segment {
            let path = segment::segment_path(&self.dir, number);
            let Some(file) = open_if_present(&path)? else { break };
            let len =
                file.metadata().map_err(|source| JournalError::Read { path: path.clone(), source })?.len();
            if len < self.offset {
                // Only a torn tail is ever cut, after this follower read past its whole lines.
                self.offset = len;
                self.chain = Chain::unlinked();
            }
            if len > self.offset {
                let mut notes = Vec::new();
                let mut stopped = false;
                let before = self.offset;
                self.offset =
                    scan::region(&file, &path, self.offset, len, &mut self.chain, |line| match line {
                        Line::Good { offset, seq, ts_micros, bytes } => {
                            let raw = RawRecord { seq, ts_micros, bytes, segment: number, offset };
                            let more = each(&raw, &mut notes);
                            for message in notes.drain(..) {
                                problems.push(ReadProblem {
                                    path: path.clone(),
                                    offset,
                                    seq: Some(seq),
                                    message,
                                });
                            }
                            stopped = !more;
                            more
                        }
                        Line::Bad(problem) => {
                            problems.push(problem);
                            true
                        }
                    })?;
                if stopped {
                    break;
                }
                if self.offset > before {
                    continue;
                }
                // All that is left is a line not yet whole (a writer still writing it, or a torn
                // tail): reading it again finds nothing more, so wait for the next poll.
                break;
            }
            // Move on only once this segment is finished: a writer starts the next one after
            // its last write here, so a look at the length after seeing the next is final.
            if !segment::segment_path(&self.dir, number + 1).exists() {
                break;
            }
            let len =
                file.metadata().map_err(|source| JournalError::Read { path: path.clone(), source })?.len();
            if len > self.offset {
                continue;
            }
            self.segment = Some(number + 1);
            self.offset = 0;
        }
        Ok(problems)
    }
}

fn open_if_present(path: &Path) -> Result<Option<File>, JournalError> {
    match File::open(path) {
        Ok(file) => Ok(Some(file)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(JournalError::Open { path: path.to_path_buf(), source }),
    }
}

/// A segment's index entries, checked: the first and last entries must point at the records
/// they name, or the index is rebuilt in memory from the segment's lines.
pub fn checked_index(dir: &Path, number: u32) -> Result<Vec<IndexEntry>, JournalError> {
    let path = segment::segment_path(dir, number);
    let Some(mut file) = open_if_present(&path)? else { return Ok(Vec::new()) };
    let len = file.metadata().map_err(|source| JournalError::Read { path: path.clone(), source })?.len();
    let entries = segment::read_index(dir, number, len);
    let holds = |file: &mut File, e: Option<&IndexEntry>| e.is_some_and(|e| segment::entry_holds(file, e));
    if holds(&mut file, entries.first()) && holds(&mut file, entries.last()) {
        return Ok(entries);
    }
    rebuild_index(&file, &path, len)
}

/// Builds a segment's index from its lines (seq and ts only: the index locates, the reader
/// checks).
pub fn rebuild_index(file: &File, path: &Path, len: u64) -> Result<Vec<IndexEntry>, JournalError> {
    use std::os::unix::fs::FileExt as _;
    let mut indexer = segment::Indexer::default();
    let mut buf = vec![0u8; 4 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut at = 0u64;
    let mut line_start = 0u64;
    while at < len {
        let n = (len - at).min(buf.len() as u64) as usize;
        file.read_exact_at(&mut buf[..n], at)
            .map_err(|source| JournalError::Read { path: path.to_path_buf(), source })?;
        at += n as u64;
        let mut rest = &buf[..n];
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            let line: &[u8] = if carry.is_empty() {
                &rest[..i]
            } else {
                carry.extend_from_slice(&rest[..i]);
                &carry
            };
            if let (Some(seq), Some(ts)) = (format::seq_of(line), format::ts_micros_of(line)) {
                indexer.see(seq, line_start, ts);
            }
            line_start += (carry.len().max(i) + 1) as u64;
            carry.clear();
            rest = &rest[i + 1..];
        }
        carry.extend_from_slice(rest);
    }
    Ok(indexer.pending)
}

/// Reads every complete record of the journal in `dir`.
pub fn read_all(dir: &Path) -> Result<(Vec<Record>, Vec<ReadProblem>), JournalError> {
    Follower::new(dir).poll()
}
