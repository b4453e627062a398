//! Finding where a segment's checked records end, and dealing with what lies after them.
//!
//! Opening never scans the whole history: it starts at the last index entry that holds, so only
//! the records written since (normally under `INDEX_EVERY` bytes) are read and checked.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::JournalError;
use super::head::End;
use super::scan::{self, Chain, Line, ReadProblem};
use super::segment::{self, IndexEntry, Indexer};

/// Where to start checking the end of a segment.
#[derive(Clone, Copy)]
pub struct Start {
    pub offset: u64,
    pub chain: Chain,
    pub last_entry: Option<IndexEntry>,
    /// Bytes of the index file that hold entries found consistent.
    pub index_len: u64,
}

pub fn start_of_tail(dir: &Path, number: u32) -> Result<Start, JournalError> {
    let path = segment::segment_path(dir, number);
    let mut file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(from_start(number)),
        Err(source) => return Err(JournalError::Open { path, source }),
    };
    let len = file.metadata().map_err(|source| JournalError::Read { path: path.clone(), source })?.len();
    let entries = segment::read_index(dir, number, len);
    match entries.last() {
        Some(last) if segment::entry_holds(&mut file, last) => Ok(Start {
            offset: last.offset,
            chain: Chain::unlinked(),
            last_entry: Some(*last),
            index_len: (entries.len() * segment::ENTRY) as u64,
        }),
        // No index, or one that does not match the records: rebuild it from the start.
        _ => Ok(from_start(number)),
    }
}

fn from_start(number: u32) -> Start {
    let chain = if number == 1 { Chain::genesis() } else { Chain::unlinked() };
    Start { offset: 0, chain, last_entry: None, index_len: 0 }
}

/// What follows the last good record of a region.
#[derive(Debug, PartialEq, Eq)]
pub enum Tail {
    Clean,
    /// From `good_len` on, the segment holds no good record: a torn or corrupt tail.
    Torn {
        good_len: u64,
    },
}

/// Checks bytes `from..to` of a segment, advancing `chain` and `indexer` over the good records.
/// Damage followed by a good record is corruption in the middle and an error (unless
/// `past_damage`: an operator chose to write after it, and it is left where it is); damage with
/// nothing good after it is a torn tail.
pub fn check_tail(
    path: &Path,
    file: &File,
    from: u64,
    to: u64,
    (chain, indexer): (&mut Chain, &mut Indexer),
    past_damage: bool,
) -> Result<Tail, JournalError> {
    let mut first_bad: Option<ReadProblem> = None;
    let mut good_after_bad = false;
    let mut good_chain = *chain;
    let end = scan::region(file, path, from, to, chain, |line| match line {
        Line::Good { offset, seq, ts_micros, bytes } => {
            if first_bad.is_some() {
                if !past_damage {
                    // One good record after damage settles it: the damage is not a tail.
                    good_after_bad = true;
                    return false;
                }
                first_bad = None;
            }
            indexer.see(seq, offset, ts_micros);
            if let Some((_, sum)) = super::format::trailer(bytes) {
                good_chain = Chain { seq, sum, ts_micros, linked: true };
            }
            true
        }
        Line::Bad(problem) => {
            first_bad.get_or_insert(problem);
            true
        }
    })?;
    *chain = good_chain;
    match first_bad {
        Some(problem) if good_after_bad => Err(JournalError::Corrupt(Box::new(problem))),
        Some(problem) => Ok(Tail::Torn { good_len: problem.offset }),
        None if end < to => Ok(Tail::Torn { good_len: end }),
        None => Ok(Tail::Clean),
    }
}

/// Moves bytes `good_len..len` of a segment into `<segment>.torn-<good_len>` (never over an
/// earlier one), then cuts the segment back to its last good record.
pub fn set_aside(path: &Path, file: &File, good_len: u64, len: u64) -> Result<PathBuf, JournalError> {
    let mut torn = vec![0u8; (len - good_len) as usize];
    file.read_exact_at(&mut torn, good_len)
        .map_err(|source| JournalError::Read { path: path.to_path_buf(), source })?;
    let base = format!("{}.torn-{good_len}", path.display());
    let mut n = 1;
    let (aside, mut out) = loop {
        let candidate = if n == 1 { PathBuf::from(&base) } else { PathBuf::from(format!("{base}.{n}")) };
        match crate::desk_files::create_new(&candidate) {
            Ok(out) => break (candidate, out),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            Err(source) => return Err(JournalError::Write { path: candidate, source }),
        }
    };
    let write_err = |source| JournalError::Write { path: aside.clone(), source };
    out.write_all(&torn).map_err(write_err)?;
    out.sync_all().map_err(write_err)?;
    let cut_err = |source| JournalError::Write { path: path.to_path_buf(), source };
    file.set_len(good_len).map_err(cut_err)?;
    file.sync_all().map_err(cut_err)?;
    if let Some(dir) = path.parent() {
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(aside)
}

/// The journal's last good record and where it ends, found without changing anything: what a
/// writer opening the journal would continue from (a torn tail is left where it is).
pub fn end(dir: &Path, number: u32, past_damage: bool) -> Result<End, JournalError> {
    let path = segment::segment_path(dir, number);
    let file = match File::open(&path) {
        Ok(file) => Some(file),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(JournalError::Open { path, source }),
    };
    let mut chain = from_start(number).chain;
    let mut offset = 0;
    let mut torn = false;
    if let Some(file) = &file {
        let len = file.metadata().map_err(|source| JournalError::Read { path: path.clone(), source })?.len();
        let start = start_of_tail(dir, number)?;
        for from in [Some(start), (start.offset > 0).then(|| from_start(number))].into_iter().flatten() {
            chain = from.chain;
            let mut indexer = Indexer::default();
            offset = match check_tail(&path, file, from.offset, len, (&mut chain, &mut indexer), past_damage)?
            {
                Tail::Clean => len,
                Tail::Torn { good_len } => good_len,
            };
            torn = offset < len;
            // Nothing good after the index entry: the end lies before it.
            if chain.seq > 0 {
                break;
            }
        }
    }
    if chain.seq == 0 && number > 1 {
        let before = last_of(dir, number - 1, past_damage)?;
        let path = segment::segment_path(dir, number - 1);
        let len =
            std::fs::metadata(&path).map_err(|source| JournalError::Read { path: path.clone(), source })?;
        return Ok(End { seq: before.seq, sum: Some(before.sum), path, offset: len.len(), torn });
    }
    Ok(End { seq: chain.seq, sum: (chain.seq > 0).then_some(chain.sum), path, offset, torn })
}

/// The chain after the last record of a finished segment, which must end on a good record.
pub fn last_of(dir: &Path, number: u32, past_damage: bool) -> Result<Chain, JournalError> {
    let path = segment::segment_path(dir, number);
    let file = File::open(&path).map_err(|source| JournalError::Open { path: path.clone(), source })?;
    let len = file.metadata().map_err(|source| JournalError::Read { path: path.clone(), source })?.len();
    let start = start_of_tail(dir, number)?;
    let mut chain = start.chain;
    match check_tail(&path, &file, start.offset, len, (&mut chain, &mut Indexer::default()), past_damage)? {
        Tail::Clean => Ok(chain),
        Tail::Torn { good_len } => Err(JournalError::Corrupt(Box::new(ReadProblem {
            path,
            offset: good_len,
            seq: None,
            message: "a finished segment does not end on a whole, good record".into(),
        }))),
    }
}
