//! The journal's head: how far it reached. `journal.head` beside the segments holds the seq and
//! sum of the last record a writer knows to be on disk, advanced after each sync of a segment,
//! so a journal that ends before its head (cut at a record boundary, a lost last segment, a
//! restore from an older copy) is damage, told apart from a torn tail (bytes after the head).
//!
//! The file is two fixed-size slots of one text line each, overwritten in place (no fsync of
//! its own: a head that lags behind the records is allowed, one ahead of them never happens,
//! because it is written only after the records' sync). A reader takes the furthest slot whose
//! CRC holds, so a write torn by a crash or read half-done leaves the other one to go by:
//!
//! ```text
//! attache head 1 seq 00000000000000001000 sum <64 hex> crc <8 hex>      (padded to 127 bytes, \n)
//! ```

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::JournalError;
use super::format::{self, Hash};
use super::scan::ReadProblem;

pub const NAME: &str = "journal.head";
const SLOT: usize = 128;
const MAGIC: &[u8] = b"attache head 1 seq ";

/// The last record a writer knew to be on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub sum: Hash,
}

/// What the head file holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// No head file, or an empty one: a journal written by a version that kept none (or none yet).
    None,
    /// No slot reads back whole: how far the journal reached cannot be told.
    Damaged(String),
    Head(Head),
}

pub fn path(dir: &Path) -> PathBuf {
    dir.join(NAME)
}

fn encode(head: Head) -> [u8; SLOT] {
    let mut slot = [b' '; SLOT];
    let body = format!("attache head 1 seq {:020} sum {}", head.seq, format::to_hex(&head.sum));
    let crc = crc32fast::hash(body.as_bytes());
    let line = format!("{body} crc {crc:08x}");
    slot[..line.len()].copy_from_slice(line.as_bytes());
    slot[SLOT - 1] = b'\n';
    slot
}

/// A slot's head; None when it is empty (zeros or spaces), Err when it is not a whole slot.
fn decode(slot: &[u8]) -> Result<Option<Head>, ()> {
    if slot.iter().all(|&b| b == 0 || b == b' ') {
        return Ok(None);
    }
    let body_len = MAGIC.len() + 20 + 5 + 64;
    let whole = slot.len() == SLOT && slot.starts_with(MAGIC) && slot[SLOT - 1] == b'\n';
    let padded = slot.get(body_len + 13..SLOT - 1).is_some_and(|pad| pad.iter().all(|&b| b == b' '));
    if !whole || !padded || &slot[body_len..body_len + 5] != b" crc " {
        return Err(());
    }
    let body = &slot[..body_len];
    let crc = std::str::from_utf8(&slot[body_len + 5..body_len + 13]).map_err(|_| ())?;
    if u32::from_str_radix(crc, 16) != Ok(crc32fast::hash(body)) {
        return Err(());
    }
    let seq = std::str::from_utf8(&body[MAGIC.len()..MAGIC.len() + 20]).map_err(|_| ())?;
    let sum: Hash = body[body_len - 64..].try_into().map_err(|_| ())?;
    Ok(Some(Head { seq: seq.parse().map_err(|_| ())?, sum }))
}

/// Reads the head. A slot being rewritten by another process can read torn: a read that finds
/// no whole slot is tried again before the head is called damaged.
pub fn read(dir: &Path) -> Result<Found, JournalError> {
    let path = path(dir);
    let mut why = String::new();
    for attempt in 0..3 {
        if attempt > 0 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::None),
            Err(source) => return Err(JournalError::Read { path, source }),
        };
        if bytes.is_empty() {
            return Ok(Found::None);
        }
        if bytes.len() != 2 * SLOT && bytes.len() != SLOT {
            why = format!("it is {} bytes long, not {}", bytes.len(), 2 * SLOT);
            continue;
        }
        let slots: Vec<_> = bytes.chunks_exact(SLOT).map(decode).collect();
        let best = slots.iter().filter_map(|s| s.ok().flatten()).max_by_key(|h| h.seq);
        match best {
            Some(head) => return Ok(Found::Head(head)),
            None if slots.iter().all(|s| *s == Ok(None)) => return Ok(Found::None),
            None => why = "neither of its two copies has a matching checksum".to_string(),
        }
    }
    Ok(Found::Damaged(why))
}

/// The head file of a writer, advanced in place.
#[derive(Debug)]
pub struct HeadFile {
    file: File,
    path: PathBuf,
    /// The furthest seq this process wrote, so a late sync never moves the head back.
    written: u64,
}

impl HeadFile {
    pub fn open(dir: &Path) -> Result<Self, JournalError> {
        let path = path(dir);
        let file = crate::desk_files::open_or_create(&path, OpenOptions::new().read(true).write(true))
            .map_err(|source| JournalError::Open { path: path.clone(), source })?;
        // Both copies' room from the start (zeros read as no head yet).
        if file.metadata().is_ok_and(|m| m.len() == 0) {
            let _ = file.set_len(2 * SLOT as u64);
        }
        Ok(HeadFile { file, path, written: 0 })
    }

    /// Records that the journal reached `head` (its records are on disk). Copies alternate by
    /// seq, so the copy not being written holds an earlier head. A failed write leaves the head
    /// behind, which is allowed.
    pub fn advance(&mut self, head: Head) {
        if head.seq <= self.written {
            return;
        }
        let at = (head.seq % 2) * SLOT as u64;
        if self.file.write_all_at(&encode(head), at).is_ok() {
            self.written = head.seq;
        }
    }

    /// Sets both copies to `head`, whatever they said: for a new head, and after an operator
    /// chose to write after damage (the journal's end is then where the head is).
    pub fn reset(&mut self, head: Head) -> Result<(), JournalError> {
        let mut both = [0u8; 2 * SLOT];
        both[..SLOT].copy_from_slice(&encode(head));
        both[SLOT..].copy_from_slice(&encode(head));
        self.file
            .write_all_at(&both, 0)
            .and_then(|()| self.file.set_len(2 * SLOT as u64))
            .map_err(|source| JournalError::Write { path: self.path.clone(), source })?;
        self.written = head.seq;
        Ok(())
    }
}

/// Where the journal ends: its last good record (seq 0 and no sum when it has none), and the
/// place just after it.
#[derive(Clone, Debug)]
pub struct End {
    pub seq: u64,
    pub sum: Option<Hash>,
    pub path: PathBuf,
    pub offset: u64,
    /// What follows the last good record is not one (damaged, or a write cut short).
    pub torn: bool,
}

/// How the journal's end compares with a head: None when it reaches the head and the record at
/// the head's seq is the one the head names. `sum_at` finds the sum of a record before the end.
pub fn compare(
    head: &Head,
    end: &End,
    what: &str,
    sum_at: impl FnOnce(u64) -> Result<Option<(Hash, PathBuf, u64)>, JournalError>,
) -> Result<Option<ReadProblem>, JournalError> {
    let sum_text = format::to_hex(&head.sum);
    if end.seq < head.seq {
        let missing = match end.seq + 1 == head.seq {
            true => format!("record {} missing", head.seq),
            false => format!("records {}..{} missing", end.seq + 1, head.seq),
        };
        let ends = match end.torn {
            true => format!(
                "the journal's last good record is #{}, what follows it is damaged or cut short,",
                end.seq
            ),
            false => format!("the journal ends at #{}", end.seq),
        };
        let message = format!("{missing}: {ends} but its head says #{} (sum {sum_text}; {what})", head.seq);
        return Ok(Some(ReadProblem { path: end.path.clone(), offset: end.offset, seq: None, message }));
    }
    let last = end.sum.filter(|_| end.seq == head.seq);
    if last == Some(head.sum) {
        return Ok(None);
    }
    // Found again to say where it is (`end` knows where the journal ends, not where it starts).
    let found = sum_at(head.seq)?.or(last.map(|sum| (sum, end.path.clone(), end.offset)));
    match found {
        Some((sum, _, _)) if sum == head.sum => Ok(None),
        Some((sum, path, offset)) => Ok(Some(ReadProblem {
            path,
            offset,
            seq: Some(head.seq),
            message: format!(
                "the journal's head says record #{} has sum {sum_text} ({what}), but it has {}: the records \
                 from there on are not the ones written",
                head.seq,
                format::to_hex(&sum)
            ),
        })),
        None => Ok(Some(ReadProblem {
            path: end.path.clone(),
            offset: end.offset,
            seq: Some(head.seq),
            message: format!(
                "record #{} that the journal's head names (sum {sum_text}, {what}) cannot be read",
                head.seq
            ),
        })),
    }
}

/// The head the journal's end must reach, and what says so: the head file's, or, with no head
/// file, the record the newest checkpoint was taken at (a checkpoint names a record the journal
/// reached, and its sum). None when the head file is damaged (that is reported as such).
pub fn expected(dir: &Path, found: &Found) -> Option<(Head, String)> {
    match found {
        Found::Head(head) => Some((*head, NAME.to_string())),
        Found::Damaged(_) => None,
        Found::None => super::marks::marks(dir).into_iter().find_map(|(seq, sum)| {
            let sum: Hash = sum.as_bytes().try_into().ok()?;
            Some((Head { seq, sum }, format!("the checkpoint at #{seq}")))
        }),
    }
}

/// The sum of record `seq`, and where its line starts, found through the index.
pub fn record_at(dir: &Path, seq: u64) -> Result<Option<(Hash, PathBuf, u64)>, JournalError> {
    let mut follower = super::Follower::from_seq(dir, seq)?;
    let mut found = None;
    follower.poll_lines(|raw, _| {
        if raw.seq == seq {
            found = format::trailer(raw.bytes)
                .map(|(_, sum)| (sum, super::segment::segment_path(dir, raw.segment), raw.offset));
        }
        false
    })?;
    Ok(found)
}

/// What the writer that starts keeping a head for a journal that had none says, once.
pub fn started(seq: u64) -> String {
    format!(
        "the journal had no head yet (written by a version that kept none): keeping one from #{seq} on, so \
         that records cut from its end are found"
    )
}

/// The damage a head file that cannot be read is.
pub fn damaged(dir: &Path, why: &str) -> ReadProblem {
    ReadProblem {
        path: path(dir),
        offset: 0,
        seq: None,
        message: format!("the head file is damaged ({why}): how far the journal reached cannot be checked"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_reads_back_and_any_changed_byte_is_caught() {
        let head = Head { seq: 1000, sum: [b'a'; 64] };
        let slot = encode(head);
        assert_eq!(decode(&slot), Ok(Some(head)));
        for i in 0..SLOT - 1 {
            let mut bad = slot;
            bad[i] ^= 0x01;
            assert!(decode(&bad) != Ok(Some(head)), "byte {i}");
        }
    }
}
