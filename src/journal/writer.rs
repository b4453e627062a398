use chrono::{DateTime, SubsecRound as _, Utc};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::commit::Committer;
use super::format;
use super::head::{self, Head, HeadFile};
use super::recover::{self, Tail};
use super::scan::Chain;
use super::segment::{self, Indexer};
use super::{JournalError, LOCK_NAME, Options};
use crate::desk_files;
use crate::event::{Event, Record};

/// Appends records. Each append takes the directory's lock, catches up with what other
/// processes appended (their last record is the next one's `prev`), writes whole lines and
/// releases the lock. `append` syncs before returning, so an operator's action is durable before
/// the console shows it as done; `append_batch` leaves the sync to the group committer, which
/// syncs at most `Options::commit_interval` later, so bulk writers pay one sync per interval.
pub struct Writer {
    dir: PathBuf,
    options: Options,
    lock: File,
    segment: u32,
    path: PathBuf,
    file: File,
    index: File,
    /// The index file's length as last seen under the lock; `u64::MAX` when it must be read
    /// again before the next entry is written.
    index_len: u64,
    /// Set when the index cannot even be inspected or cut: it is left for the next open to
    /// rebuild.
    index_broken: bool,
    indexer: Indexer,
    /// Bytes of the current segment that are checked records (ours or others').
    known_len: u64,
    chain: Chain,
    committer: Arc<Committer>,
    buf: Vec<u8>,
    /// Damage before the end is written after, not refused (`open_checked` with after_damage).
    past_damage: bool,
    /// Set when this open found a journal with records but no head, and started one.
    head_started: Option<u64>,
}

impl Writer {
    /// Opens (creating if needed) the journal in `dir` for appending, with default options.
    pub fn open(dir: &Path) -> Result<Self, JournalError> {
        Self::open_with(dir, Options::default())
    }

    /// Opens the journal for appending. The end of the last segment is checked: a torn or corrupt
    /// tail (a process killed mid-write, a power loss) is moved aside into
    /// `<segment>.torn-<offset>` and writing continues after the last good record; damage with
    /// good records after it is corruption in the middle, and the journal is refused
    /// (`JournalError::Corrupt`) so that nothing is written after it until an operator decides.
    pub fn open_with(dir: &Path, options: Options) -> Result<Self, JournalError> {
        Self::open_mode(dir, options, false)
    }

    /// Opens like `open_with`, but damage followed by good records is written after, not
    /// refused: for an operator who chose to (`open_checked`).
    pub(super) fn open_past_damage(dir: &Path, options: Options) -> Result<Self, JournalError> {
        Self::open_mode(dir, options, true)
    }

    fn open_mode(dir: &Path, options: Options, past_damage: bool) -> Result<Self, JournalError> {
        desk_files::create_dir_all(dir)
            .map_err(|source| JournalError::CreateDir { path: dir.to_path_buf(), source })?;
        let lock_path = dir.join(LOCK_NAME);
        let lock = desk_files::open_or_create(&lock_path, OpenOptions::new().write(true))
            .map_err(|source| JournalError::Open { path: lock_path.clone(), source })?;
        lock.lock().map_err(|source| JournalError::Lock { path: lock_path.clone(), source })?;
        let opened = Self::open_locked(dir, options, lock, past_damage);
        if let Ok(writer) = &opened {
            let _ = writer.lock.unlock();
        }
        opened
    }

    fn open_locked(
        dir: &Path,
        options: Options,
        lock: File,
        past_damage: bool,
    ) -> Result<Self, JournalError> {
        let number = segment::list(dir)?.last().copied().unwrap_or(1);
        // Before anything is changed (a torn tail set aside, the index cut to what holds): a
        // journal that ends before its head lost records, and is refused as it is.
        let found = head::read(dir)?;
        if !past_damage {
            check_reach(dir, number, &found)?;
        }
        let start = recover::start_of_tail(dir, number)?;
        let (file, path) = open_segment(dir, number)?;
        let (index, index_len) = open_index(dir, number, Some(start.index_len))?;
        let clone = file.try_clone().map_err(|source| JournalError::Open { path: path.clone(), source })?;
        let committer = Committer::start(clone, HeadFile::open(dir)?, options.commit_interval);
        let mut writer = Writer {
            dir: dir.to_path_buf(),
            options,
            lock,
            segment: number,
            path,
            file,
            index,
            index_len,
            index_broken: false,
            indexer: Indexer::after(start.last_entry),
            known_len: start.offset,
            chain: start.chain,
            committer,
            buf: Vec::new(),
            past_damage,
            head_started: None,
        };
        writer.catch_up()?;
        if writer.chain.seq == 0 && number > 1 {
            // A fresh segment: the chain continues from the one before it.
            writer.chain = recover::last_of(dir, number - 1, past_damage)?;
        }
        if found == head::Found::None && writer.chain.seq > 0 {
            // A journal from a version that kept no head: from here on it has one.
            writer.reset_head()?;
            writer.head_started = Some(writer.chain.seq);
        }
        Ok(writer)
    }

    /// The seq from which this open started keeping a head for a journal that had none (written
    /// by an older version): for the caller to say so, once.
    pub fn head_started(&self) -> Option<u64> {
        self.head_started
    }

    /// Sets the journal's head to this writer's last record, whatever it said before: for a
    /// journal that had none, and after an operator chose to write after damage.
    pub(super) fn reset_head(&mut self) -> Result<(), JournalError> {
        self.sync()?;
        self.committer.reset_head(Head { seq: self.chain.seq, sum: self.chain.sum })
    }

    /// The segment file appends currently go to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `events`, all caused by `by`, stamped `ts`, and returns them as written, once they
    /// are on disk. A `ts` earlier than the journal's last record is raised to it, so time never
    /// runs backwards along the journal (two consoles may read the clock before queuing for the
    /// lock) and seeking by time stays a binary search.
    pub fn append(
        &mut self,
        by: &str,
        ts: DateTime<Utc>,
        events: Vec<Event>,
    ) -> Result<Vec<Record>, JournalError> {
        let records = self.append_batch(by, ts, events)?;
        self.sync()?;
        Ok(records)
    }

    /// Appends like `append` but returns once the records are written, not yet synced: the
    /// group committer syncs within `Options::commit_interval`. Other consoles see them at once.
    /// For bulk writers (feed bursts, the generator); call `sync` to wait for durability.
    pub fn append_batch(
        &mut self,
        by: &str,
        ts: DateTime<Utc>,
        events: Vec<Event>,
    ) -> Result<Vec<Record>, JournalError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        self.lock.lock().map_err(|source| JournalError::Lock { path: self.dir.join(LOCK_NAME), source })?;
        let result = self.catch_up().and_then(|()| self.write_locked(by, ts, events));
        // Closing the descriptor would release it too; unlocking early lets other consoles on.
        let _ = self.lock.unlock();
        let records = result?;
        if let Some(last) = records.last() {
            self.committer.written(last.seq, self.chain.sum);
        }
        Ok(records)
    }

    /// Waits until everything this writer wrote is on disk.
    pub fn sync(&mut self) -> Result<(), JournalError> {
        self.committer.sync_now().map_err(|source| JournalError::Write { path: self.path.clone(), source })
    }

    /// The last seq this writer knows to be on disk.
    pub fn durable_seq(&self) -> u64 {
        self.committer.durable_seq()
    }

    fn write_locked(
        &mut self,
        by: &str,
        ts: DateTime<Utc>,
        events: Vec<Event>,
    ) -> Result<Vec<Record>, JournalError> {
        // Microseconds are what the index and the checks compare; more would only mislead.
        let ts = ts.trunc_subsecs(6);
        let ts = if ts.timestamp_micros() < self.chain.ts_micros {
            DateTime::from_timestamp_micros(self.chain.ts_micros).unwrap_or(ts)
        } else {
            ts
        };
        let ts_micros = ts.timestamp_micros();
        let mut records = Vec::with_capacity(events.len());
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let mut chain = self.chain;
        let mut pending_start = 0;
        let mut result = Ok(());
        for event in events {
            let record = Record { seq: chain.seq + 1, ts, by: by.to_string(), event };
            let line_start = buf.len();
            let before_line = chain;
            chain.sum = format::encode(&record, &chain.sum, &mut buf);
            chain.seq = record.seq;
            chain.ts_micros = ts_micros;
            let line_len = (buf.len() - line_start) as u64;
            let offset = self.known_len + (line_start - pending_start) as u64;
            if offset > 0 && offset + line_len > self.options.segment_bytes {
                // This record starts the next segment: write what came before it here first.
                result = self.write_bytes(&buf[pending_start..line_start]);
                if result.is_ok() {
                    // Those records are in the journal now, whatever happens to the rest.
                    self.chain = before_line;
                    result = self.rotate();
                }
                if result.is_err() {
                    break;
                }
                pending_start = line_start;
            }
            let offset = self.known_len + (line_start - pending_start) as u64;
            self.indexer.see(record.seq, offset, ts_micros);
            records.push(record);
        }
        if result.is_ok() {
            result = self.write_bytes(&buf[pending_start..]);
        }
        self.buf = buf;
        match result {
            Ok(()) => {
                self.chain = chain;
                self.flush_index();
                Ok(records)
            }
            Err(e) => {
                // Records before a failed rotation may have been written (and `self.chain` says
                // so); the caller is told the append failed. Entries for records not written
                // are dropped, and the index is read afresh before the next append.
                self.indexer.pending.clear();
                self.index_len = u64::MAX;
                Err(e)
            }
        }
    }

    /// Writes whole lines at the end of the segment. On failure (disk full, file too large,
    /// read-only), whatever part was written is cut off again so the segment still ends on a
    /// whole record; if even that fails, the next open moves the torn part aside.
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), JournalError> {
        if bytes.is_empty() {
            return Ok(());
        }
        match self.file.write_all(bytes) {
            Ok(()) => {
                self.known_len += bytes.len() as u64;
                Ok(())
            }
            Err(source) => {
                let _ = self.file.set_len(self.known_len);
                Err(JournalError::Write { path: self.path.clone(), source })
            }
        }
    }

    /// Starts the next segment. The finished one is synced first, so a segment is complete on
    /// disk before any record exists after it.
    fn rotate(&mut self) -> Result<(), JournalError> {
        self.flush_index();
        self.committer
            .sync_now()
            .map_err(|source| JournalError::Write { path: self.path.clone(), source })?;
        self.switch_to(self.segment + 1)?;
        sync_dir(&self.dir)
    }

    /// Makes segment `number` (new, or started by another process) the one appends go to.
    fn switch_to(&mut self, number: u32) -> Result<(), JournalError> {
        let (file, path) = open_segment(&self.dir, number)?;
        let (index, index_len) = open_index(&self.dir, number, None)?;
        let clone = file.try_clone().map_err(|source| JournalError::Open { path: path.clone(), source })?;
        self.committer.switch(clone);
        self.segment = number;
        self.path = path;
        self.file = file;
        self.index = index;
        self.index_len = index_len;
        self.index_broken = false;
        self.indexer = Indexer::default();
        self.known_len = 0;
        self.refresh_index_view();
        Ok(())
    }

    /// Appends pending index entries. The index is a cache: a failed write (disk full) leaves
    /// it sparser, is undone, and never fails the append; readers scan a little further.
    fn flush_index(&mut self) {
        let pending = std::mem::take(&mut self.indexer.pending);
        if pending.is_empty() || self.index_broken || self.index_len == u64::MAX {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|e| e.to_bytes()).collect();
        match self.index.write_all_at(&bytes, self.index_len) {
            Ok(()) => self.index_len += bytes.len() as u64,
            Err(_) => {
                let _ = self.index.set_len(self.index_len);
                // Read the index afresh before the next append.
                self.index_len = u64::MAX;
            }
        }
    }

    /// Takes the index as it is on disk now: other processes append entries for their records
    /// (and cut the index with a torn tail), so its length and last entry are read afresh under
    /// the lock rather than remembered.
    fn refresh_index_view(&mut self) {
        if self.index_broken {
            return;
        }
        let Ok(actual) = self.index.metadata().map(|m| m.len()) else {
            self.index_broken = true;
            return;
        };
        if actual == self.index_len {
            return;
        }
        // A partial entry at the end was left by a process that died while writing it.
        let whole = actual - actual % segment::ENTRY as u64;
        if whole != actual && self.index.set_len(whole).is_err() {
            self.index_broken = true;
            return;
        }
        self.index_len = whole;
        let mut last = [0u8; segment::ENTRY];
        self.indexer.last = match whole.checked_sub(segment::ENTRY as u64) {
            Some(at) if self.index.read_exact_at(&mut last, at).is_ok() => {
                Some(segment::IndexEntry::from_bytes(&last))
            }
            _ => None,
        };
    }

    /// Drops index entries that point into a tail just cut off (a power loss can persist the
    /// index ahead of the records).
    fn trim_index(&mut self, good_len: u64) {
        let kept = segment::read_index(&self.dir, self.segment, good_len);
        let kept_len = (kept.len() * segment::ENTRY) as u64;
        if kept_len < self.index_len {
            self.index_len = kept_len;
            if self.index.set_len(kept_len).is_err() {
                self.index_broken = true;
            }
        }
        let last_kept = kept.last().map_or(0, |e| e.offset);
        self.indexer.pending.retain(|e| e.offset < good_len && (kept.is_empty() || e.offset > last_kept));
        self.indexer.last = self.indexer.pending.last().copied().or(kept.last().copied());
    }

    /// Brings the writer up to date with records other processes appended (and segments they
    /// started) since its last append, checking them and setting aside a torn tail left by a
    /// process that died mid-write. Called with the lock held.
    fn catch_up(&mut self) -> Result<(), JournalError> {
        loop {
            self.refresh_index_view();
            let len = self
                .file
                .metadata()
                .map_err(|source| JournalError::Read { path: self.path.clone(), source })?
                .len();
            if len != self.known_len {
                let tail = recover::check_tail(
                    &self.path,
                    &self.file,
                    self.known_len,
                    len,
                    (&mut self.chain, &mut self.indexer),
                    self.past_damage,
                )?;
                if let Tail::Torn { good_len } = tail {
                    if !self.past_damage {
                        // Bytes after the head are a torn write; records the head names are not.
                        let end = head::End {
                            seq: self.chain.seq,
                            sum: Some(self.chain.sum),
                            path: self.path.clone(),
                            offset: good_len,
                            torn: true,
                        };
                        check_end(&self.dir, &head::read(&self.dir)?, &end)?;
                    }
                    recover::set_aside(&self.path, &self.file, good_len, len)?;
                    self.trim_index(good_len);
                }
                self.known_len = match tail {
                    Tail::Clean => len,
                    Tail::Torn { good_len } => good_len,
                };
                self.flush_index();
            }
            let next = segment::segment_path(&self.dir, self.segment + 1);
            if !next.exists() {
                return Ok(());
            }
            // Another process started the next segment: its records continue our chain there.
            self.switch_to(self.segment + 1)?;
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Batches still waiting for the committer are synced before the writer goes away.
        let _ = self.committer.sync_now();
        self.committer.stop();
    }
}

/// Refuses a journal that ends before its head, or whose head cannot be read.
fn check_reach(dir: &Path, number: u32, found: &head::Found) -> Result<(), JournalError> {
    if *found == head::Found::None && !super::marks::any(dir) {
        return Ok(());
    }
    check_end(dir, found, &recover::end(dir, number, false)?)
}

fn check_end(dir: &Path, found: &head::Found, end: &head::End) -> Result<(), JournalError> {
    let problem = match (found, head::expected(dir, found)) {
        (head::Found::Damaged(why), _) => Some(head::damaged(dir, why)),
        (_, Some((h, what))) => head::compare(&h, end, &what, |seq| head::record_at(dir, seq))?,
        (_, None) => None,
    };
    match problem {
        Some(problem) => Err(JournalError::Corrupt(Box::new(problem))),
        None => Ok(()),
    }
}

fn open_segment(dir: &Path, number: u32) -> Result<(File, PathBuf), JournalError> {
    let path = segment::segment_path(dir, number);
    let file = desk_files::open_or_create(&path, OpenOptions::new().read(true).append(true))
        .map_err(|source| JournalError::Open { path: path.clone(), source })?;
    Ok((file, path))
}

/// Opens a segment's index; with `keep`, cuts it to its first `keep` bytes (the entries found
/// consistent). Without, it is taken as it is: `refresh_index_view` reads it under the lock.
fn open_index(dir: &Path, number: u32, keep: Option<u64>) -> Result<(File, u64), JournalError> {
    let path = segment::index_path(dir, number);
    let file = desk_files::open_or_create(&path, OpenOptions::new().read(true).write(true))
        .map_err(|source| JournalError::Open { path: path.clone(), source })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    match keep {
        Some(keep) if keep != len => {
            file.set_len(keep).map_err(|source| JournalError::Write { path: path.clone(), source })?;
            Ok((file, keep))
        }
        // Unknown length: `refresh_index_view` reads the real one before the first write.
        None => Ok((file, u64::MAX)),
        Some(keep) => Ok((file, keep)),
    }
}

fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| JournalError::Write { path: dir.to_path_buf(), source })
}
