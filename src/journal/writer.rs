use chrono::{DateTime, Utc};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::{JournalError, LOCK_NAME, segment_path};
use crate::event::{Event, Record};

/// How much of the end of the segment to read at open to find the last record.
const OPEN_WINDOW: u64 = 256 * 1024;

/// Appends records. Each append takes the directory's lock, finds the last sequence number
/// (another console may have appended since), writes whole lines and syncs them to disk before
/// returning, so an operator's action is durable before the console shows it as done.
pub struct Writer {
    path: PathBuf,
    lock: File,
    file: File,
    /// Length of the segment after our last append or scan, and the last sequence number in it.
    known_len: u64,
    last_seq: u64,
}

impl Writer {
    /// Opens (creating if needed) the journal in `dir` for appending. A torn last line, left by a
    /// process killed mid-write, is moved aside into `<segment>.torn-<offset>` so that nothing
    /// is deleted and new records start on a clean line.
    pub fn open(dir: &Path) -> Result<Self, JournalError> {
        fs::create_dir_all(dir)
            .map_err(|source| JournalError::CreateDir { path: dir.to_path_buf(), source })?;
        let lock_path = dir.join(LOCK_NAME);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| JournalError::Open { path: lock_path.clone(), source })?;
        let path = segment_path(dir);
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(|source| JournalError::Open { path: path.clone(), source })?;
        let mut writer = Writer { path, lock, file, known_len: 0, last_seq: 0 };
        writer.with_lock(|w| w.catch_up())?;
        Ok(writer)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `events`, all caused by `by`, stamped `ts`, and returns them as written.
    pub fn append(
        &mut self,
        by: &str,
        ts: DateTime<Utc>,
        events: Vec<Event>,
    ) -> Result<Vec<Record>, JournalError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        self.with_lock(|w| {
            w.catch_up()?;
            let mut buf = Vec::with_capacity(events.len() * 256);
            let mut records = Vec::with_capacity(events.len());
            for (n, event) in events.into_iter().enumerate() {
                let record = Record { seq: w.last_seq + 1 + n as u64, ts, by: by.to_string(), event };
                serde_json::to_writer(&mut buf, &record).expect("records always serialize");
                buf.push(b'\n');
                records.push(record);
            }
            let write_err = |source| JournalError::Write { path: w.path.clone(), source };
            w.file.write_all(&buf).map_err(write_err)?;
            w.file.sync_data().map_err(write_err)?;
            w.known_len += buf.len() as u64;
            w.last_seq = records.last().map_or(w.last_seq, |r| r.seq);
            Ok(records)
        })
    }

    fn with_lock<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, JournalError>,
    ) -> Result<T, JournalError> {
        self.lock.lock().map_err(|source| JournalError::Lock { path: self.path.clone(), source })?;
        let result = f(self);
        // Closing the descriptor would release it too; unlocking early lets other consoles on.
        let _ = self.lock.unlock();
        result
    }

    /// Brings `last_seq` up to date with records other processes appended, and sets aside a torn
    /// tail. Called with the lock held.
    fn catch_up(&mut self) -> Result<(), JournalError> {
        let len = self
            .file
            .metadata()
            .map_err(|source| JournalError::Read { path: self.path.clone(), source })?
            .len();
        if len == self.known_len {
            return Ok(());
        }
        // On first open only the end of the file matters: the last record holds the last
        // sequence number. Start a little before the end, unless that window holds no record.
        let mut start = self.known_len;
        if start == 0 && len > OPEN_WINDOW {
            start = len - OPEN_WINDOW;
        }
        let (tail, first_complete) = loop {
            let tail = self.read_range(start, len)?;
            // A window that starts mid-file begins inside some record: skip to the next line.
            let skip = if start == self.known_len {
                0
            } else {
                tail.iter().position(|&b| b == b'\n').map_or(tail.len(), |i| i + 1)
            };
            let has_record = tail[skip..].contains(&b'\n');
            if has_record || start == self.known_len {
                break (tail, skip);
            }
            start = self.known_len;
        };
        let complete = tail.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1).max(first_complete);
        for line in tail[first_complete..complete].split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            if let Some(seq) = seq_of(line) {
                self.last_seq = self.last_seq.max(seq);
            }
        }
        let good_len = start + complete as u64;
        if complete < tail.len() && first_complete < tail.len() {
            self.set_aside_torn_tail(good_len, &tail[complete..])?;
        }
        self.known_len = good_len;
        Ok(())
    }

    fn read_range(&self, start: u64, end: u64) -> Result<Vec<u8>, JournalError> {
        let read_err = |source| JournalError::Read { path: self.path.clone(), source };
        let mut reader = File::open(&self.path).map_err(read_err)?;
        reader.seek(SeekFrom::Start(start)).map_err(read_err)?;
        let mut buf = Vec::with_capacity((end - start) as usize);
        reader.take(end - start).read_to_end(&mut buf).map_err(read_err)?;
        Ok(buf)
    }

    fn set_aside_torn_tail(&mut self, offset: u64, torn: &[u8]) -> Result<(), JournalError> {
        let aside = self.path.with_extension(format!("jsonl.torn-{offset}"));
        let write_err = |source| JournalError::Write { path: aside.clone(), source };
        let mut out = File::create(&aside).map_err(write_err)?;
        out.write_all(torn).map_err(write_err)?;
        out.sync_all().map_err(write_err)?;
        self.file
            .set_len(offset)
            .map_err(|source| JournalError::Write { path: self.path.clone(), source })?;
        Ok(())
    }
}

/// The `seq` of a record line, read without parsing the whole record.
fn seq_of(line: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct SeqOnly {
        seq: u64,
    }
    serde_json::from_slice::<SeqOnly>(line).ok().map(|r| r.seq)
}
