//! Rebuilding the desk state at any point of the record, exactly. The state moves forward by
//! handing the journal's records to the desk's core as the live console does; it moves backward
//! (or far forward) by restoring the nearest copy of the state and folding on from it: a copy
//! the indexer made in memory (every `CHECKPOINT_EVERY` records at first, sharing unchanged
//! items, alerts and log lines with its neighbours, thinned to stay within `CHECKPOINT_BUDGET`),
//! one of the engine's own, or the checkpoint a console left on disk (`crate::checkpoint`). The
//! journal and its checkpoints are only ever read.

use chrono::{DateTime, Utc};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use super::copies::{Footprint, Held};
use super::timeline::{Class, Timeline};
use crate::config::Config;
use crate::desk::{Desk, Host, InForce, Input, Reading};
use crate::event::{Record, read_record};
use crate::journal::{Follower, JournalError, format::kind_of};
use crate::state::DeskState;

/// Records between copies at first: a seek folds at most this many records after restoring
/// one. At a few microseconds a record, that keeps a seek inside 20 ms.
pub const CHECKPOINT_EVERY: u64 = 2048;
/// What the copies may hold in memory, measured by `copies::Held`: past this, every other copy
/// is dropped and the spacing doubles, so memory stays bounded whatever the range's length and
/// seeks stay exact (only slower; a console's checkpoint on disk serves where it is nearer).
/// With the rest of a replay, a peak of about 200 MiB.
pub const CHECKPOINT_BUDGET: usize = 80 << 20;
/// The copies the engine keeps of its own, besides the indexer's: about 20 MiB at most.
const OWN_COPIES: usize = 4;

/// A checkpoint on disk takes about as long to load as folding this many records.
const DISK_WORTH: u64 = 10_000;
/// A jump the reader has not reached yet is made at once only if it folds at most this many
/// records (loading a console's checkpoint on disk counted as `DISK_WORTH`): one near the state
/// or near a checkpoint on disk (a console leaves one every
/// `checkpoint::EVERY` records). A longer one waits for the reader, which folds those records
/// anyway and leaves copies there, so the keys stay answered meanwhile.
pub const AT_ONCE: u64 = DISK_WORTH + crate::checkpoint::EVERY;
/// The states put aside to free (`Engine::tidy`) before they are freed at once: keys held down
/// can keep the loop from drawing, and each state is up to a few MiB (a seek puts aside at most
/// three: the state it replaced and old copies of its own).
pub const SPARE_AT_MOST: usize = 4;
/// At most this many records are read ahead while a checkpoint on disk loads (about 10 MB
/// parsed): as many as a console leaves between two of them.
const READ_AHEAD: u64 = crate::checkpoint::EVERY;
/// Records read from the journal at a time while moving forward.
const BATCH: usize = 256;
/// Records the indexer reads before handing over what it has.
const INDEX_BATCH: usize = 16_384;

/// The desk state right after record `seq` (0: before the first record).
pub struct Checkpoint {
    pub seq: u64,
    pub ts: Option<DateTime<Utc>>,
    pub state: DeskState,
}

/// What the background indexer hands over as it reads the journal.
pub struct Progress {
    pub entries: Vec<(u64, i64, Class)>,
    /// The record the indexer started after: its first copy, always kept.
    pub start: u64,
    /// Keep only the copies whose seq is a multiple of this (the spacing doubled).
    pub thin_to: Option<u64>,
    pub checkpoints: Vec<Checkpoint>,
    pub done: bool,
    pub problem: Option<String>,
}

/// Whether the copy at `seq` stays once the spacing is `every`.
fn kept(seq: u64, every: u64, start: u64) -> bool {
    seq.is_multiple_of(every) || seq == start
}

/// Reads the replay's range `[from, to]` of the journal once, in its own thread: the
/// timeline's entries and the copies of the state. Starts from the checkpoint a console left on
/// disk nearest before the range (a replay of last week does not fold the year before it) and
/// stops at the first record after it. Stops early if the receiver has gone (the replay quit).
/// Records are folded through the desk's core, as the replay's own state is; `config` is what
/// its host stands on, and a followed record derives nothing from it, so the copies do not
/// depend on it.
pub fn index(dir: PathBuf, config: Config, from: DateTime<Utc>, to: DateTime<Utc>, tx: Sender<Progress>) {
    index_within(dir, config, from, to, CHECKPOINT_BUDGET, tx);
}

/// `index`, its copies holding at most `budget` bytes.
pub fn index_within(
    dir: PathBuf,
    config: Config,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    budget: usize,
    tx: Sender<Progress>,
) {
    let fresh = || (DeskState::default(), Follower::new(&dir));
    let (mut state, mut follower) = match last_at_or_before(&dir, from) {
        Ok(0) | Err(_) => fresh(),
        Ok(seq) => crate::checkpoint::resume_before(&dir, seq).unwrap_or_else(fresh),
    };
    let start = state.last_seq();
    let (mut core, mut in_force) = (Desk::new(), InForce::new(config));
    let end = to.timestamp_micros();
    let mut every = CHECKPOINT_EVERY;
    let mut held = Held::default();
    let mut first = Some(Checkpoint { seq: start, ts: state.last_ts(), state: state.clone() });
    held.add(Footprint::of(&state));
    let mut past_end = false;
    loop {
        let mut progress = Progress {
            entries: Vec::new(),
            start,
            thin_to: None,
            checkpoints: first.take().into_iter().collect(),
            done: false,
            problem: None,
        };
        let result = follower.poll_lines(|raw, problems| {
            let kind = kind_of(raw.bytes).unwrap_or("");
            progress.entries.push((raw.seq, raw.ts_micros, Class::of(kind, raw.bytes)));
            past_end = raw.ts_micros > end;
            match read_record(raw.bytes) {
                Ok(record) => {
                    let at = record.ts;
                    core.handle(
                        &mut Reading::new(&mut state, &mut in_force),
                        Input::Followed(vec![record]),
                        at,
                    );
                }
                Err(e) => problems.push(format!("seq {} is not a record this attache reads: {e}", raw.seq)),
            }
            if raw.seq % every == 0 {
                held.add(Footprint::of(&state));
                progress.checkpoints.push(Checkpoint {
                    seq: raw.seq,
                    ts: state.last_ts(),
                    state: state.clone(),
                });
                while held.bytes() > budget && held.len() > 2 {
                    every *= 2;
                    held.retain(|seq| kept(seq, every, start));
                    progress.checkpoints.retain(|c| kept(c.seq, every, start));
                    progress.thin_to = Some(every);
                }
            }
            progress.entries.len() < INDEX_BATCH && !past_end
        });
        match result {
            Ok(problems) => progress.problem = problems.first().map(|p| p.to_string()),
            Err(e) => progress.problem = Some(e.to_string()),
        }
        progress.done = progress.entries.len() < INDEX_BATCH || past_end || progress.problem.is_some();
        let done = progress.done;
        if tx.send(progress).is_err() || done {
            return;
        }
    }
}

/// Records read past a checkpoint while it loads (`read_ahead`).
struct Ahead {
    records: VecDeque<Record>,
    problem: Option<String>,
    /// Positioned right after the last record read.
    reader: Follower,
}

/// Reads the records after record `at` up to `target` (at most `READ_AHEAD` of them: the rest,
/// if any, are read as the fold reaches them).
fn read_ahead(dir: &Path, at: u64, target: u64) -> Result<Ahead, JournalError> {
    let mut reader = Follower::from_seq(dir, at + 1)?;
    let (mut records, mut problem) = (VecDeque::new(), None);
    let wanted = target.saturating_sub(at).min(READ_AHEAD);
    while (records.len() as u64) < wanted {
        let (batch, problems) = reader.poll_up_to(BATCH * 4)?;
        problem = problem.or(problems.first().map(ToString::to_string));
        if batch.is_empty() {
            break;
        }
        records.extend(batch);
    }
    Ok(Ahead { records, problem, reader })
}

/// The seq of the last record stamped at or before `t` (0 if none).
fn last_at_or_before(dir: &Path, t: DateTime<Utc>) -> Result<u64, JournalError> {
    let first_after = Follower::first_seq_from(dir, t + chrono::Duration::microseconds(1))?;
    Ok(first_after.map_or(u64::MAX, |seq| seq.saturating_sub(1)))
}

/// The replay's reading position and what it knows of the range.
pub struct Engine {
    dir: PathBuf,
    /// Positioned right after the state's last record (records read ahead wait in `pending`).
    follower: Follower,
    pending: VecDeque<Record>,
    checkpoints: Vec<Checkpoint>,
    /// The records the consoles' checkpoints on disk were taken at (`checkpoint`).
    on_disk: Vec<u64>,
    /// The copies the engine made itself, oldest first (see `keep_own`).
    own: VecDeque<u64>,
    /// What folds the records read into the replay's state, as it does the live console's.
    core: Desk,
    /// The indexer's spacing and first copy, to tell its copies from the engine's own.
    every: u64,
    start: u64,
    pub timeline: Timeline,
    pub indexed: bool,
    pub problem: Option<String>,
    /// The journal's last record when the replay opened (from its index).
    pub last_seq: Option<u64>,
    /// States a seek replaced or evicted, freed by `tidy` once the frame is drawn: freeing a
    /// whole state takes longer than the fold after it.
    spare: Vec<DeskState>,
}

impl Engine {
    pub fn new(dir: &Path) -> Self {
        Engine {
            dir: dir.to_path_buf(),
            follower: Follower::new(dir),
            pending: VecDeque::new(),
            checkpoints: vec![Checkpoint { seq: 0, ts: None, state: DeskState::default() }],
            on_disk: crate::checkpoint::taken_at(dir),
            own: VecDeque::new(),
            core: Desk::new(),
            every: CHECKPOINT_EVERY,
            start: 0,
            timeline: Timeline::default(),
            indexed: false,
            problem: None,
            last_seq: Follower::at_end(dir).ok().and_then(|f| f.last_seq()),
            spare: Vec::new(),
        }
    }

    /// The records in the journal, as far as the replay knows (for the reader's progress).
    pub fn records(&self) -> u64 {
        let first = if self.timeline.is_empty() { 1 } else { self.timeline.first_seq };
        let last = self.last_seq.max(self.timeline.last_seq()).unwrap_or(0);
        (last + 1).saturating_sub(first)
    }

    /// The record a seek to time `t` ends after: from the part read so far, else the journal's
    /// index.
    pub fn seq_at(&self, t: DateTime<Utc>) -> Result<u64, JournalError> {
        match self.timeline.last_at_or_before(t.timestamp_micros()) {
            Some(seq) => Ok(seq),
            None if self.indexed => Ok(self.timeline.last_seq().unwrap_or(0)),
            None => Ok(last_at_or_before(&self.dir, t)?.min(self.last_seq.unwrap_or(u64::MAX))),
        }
    }

    /// Whether the reader has read record `seq` (so the copies near it are in memory).
    pub fn has_read(&self, seq: u64) -> bool {
        self.indexed || self.timeline.last_seq().is_some_and(|last| last >= seq)
    }

    /// Whether bringing `state` to just after record `seq`, which the reader has not read,
    /// folds at most `AT_ONCE` records, from the state itself or a console's checkpoint on disk.
    /// (The copies in memory all lie behind the reader: it will reach `seq` before the keys'
    /// thread could fold its way there from one of them.)
    pub fn near(&self, state: &DeskState, seq: u64) -> bool {
        let from_state = (state.last_seq() <= seq).then(|| seq - state.last_seq());
        let from_disk = self.on_disk.iter().rev().find(|&&at| at <= seq).map(|&at| DISK_WORTH + (seq - at));
        [from_state, from_disk].into_iter().flatten().min().is_some_and(|cost| cost <= AT_ONCE)
    }

    /// Takes what the indexer has read so far.
    pub fn absorb(&mut self, progress: Progress) {
        for (seq, ts, class) in progress.entries {
            self.timeline.push(seq, ts, class);
        }
        self.start = progress.start;
        if let Some(every) = progress.thin_to {
            self.every = every;
            let (keep, free): (Vec<_>, Vec<_>) = std::mem::take(&mut self.checkpoints)
                .into_iter()
                .partition(|c| c.seq == 0 || self.own.contains(&c.seq) || kept(c.seq, every, progress.start));
            self.checkpoints = keep;
            // Freeing a hundred MB of copies takes longer than a frame: not on the keys' thread.
            std::thread::spawn(move || drop(free));
        }
        self.checkpoints.extend(progress.checkpoints);
        // One loaded from disk may already be further on than the indexer's: keep them in order.
        self.checkpoints.sort_by_key(|c| c.seq);
        self.checkpoints.dedup_by_key(|c| c.seq);
        self.indexed |= progress.done;
        if progress.problem.is_some() {
            self.problem = progress.problem;
        }
    }

    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// The records the copies in memory were taken at.
    pub fn copies_at(&self) -> Vec<u64> {
        self.checkpoints.iter().map(|c| c.seq).collect()
    }

    /// Keeps a copy the engine made (loaded from disk, or passed while folding forward), so that
    /// steps and seeks back near where the replay has been are quick; only the newest
    /// `OWN_COPIES` stay.
    fn keep_own(&mut self, state: &DeskState) {
        let Err(at) = self.checkpoints.binary_search_by_key(&state.last_seq(), |c| c.seq) else { return };
        self.checkpoints
            .insert(at, Checkpoint { seq: state.last_seq(), ts: state.last_ts(), state: state.clone() });
        self.own.push_back(state.last_seq());
        while self.own.len() > OWN_COPIES {
            let old = self.own.pop_front().unwrap_or_default();
            if old != 0
                && !kept(old, self.every, self.start)
                && let Ok(at) = self.checkpoints.binary_search_by_key(&old, |c| c.seq)
            {
                let evicted = self.checkpoints.remove(at);
                self.put_aside(evicted.state);
            }
        }
    }

    /// Brings the replay's state (`host`) to just after the last record stamped at or before `t`.
    pub fn seek_time(&mut self, host: &mut Reading, t: DateTime<Utc>) -> Result<bool, JournalError> {
        let here_ok = host.state().last_ts().is_none_or(|ts| ts <= t);
        let best = self.checkpoints.iter().rposition(|c| c.ts.is_none_or(|ts| ts <= t)).unwrap_or(0);
        // The timeline answers for the part of the journal read so far; past it, the journal's index.
        let target = |dir: &Path, timeline: &Timeline| match timeline.last_at_or_before(t.timestamp_micros())
        {
            Some(seq) => Ok(seq),
            None => last_at_or_before(dir, t),
        };
        let from_disk = self.restore_from_disk(host, best, here_ok, target)?;
        let restored = from_disk || self.restore_if_better(host, best, here_ok)?;
        // Where the fold ends, for the copy it leaves: after a restore, from the index if need be.
        let until = match self.timeline.last_at_or_before(t.timestamp_micros()) {
            None if restored => last_at_or_before(&self.dir, t).ok(),
            until => until,
        };
        Ok(self.advance(host, |r| r.ts <= t, until)? || restored)
    }

    /// Brings the replay's state (`host`) to just after record `seq`.
    pub fn seek_seq(&mut self, host: &mut Reading, seq: u64) -> Result<bool, JournalError> {
        let here_ok = host.state().last_seq() <= seq;
        let best = self.checkpoints.iter().rposition(|c| c.seq <= seq).unwrap_or(0);
        let from_disk = self.restore_from_disk(host, best, here_ok, |_, _| Ok(seq))?;
        let restored = from_disk || self.restore_if_better(host, best, here_ok)?;
        Ok(self.advance(host, |r| r.seq <= seq, Some(seq))? || restored)
    }

    /// Starts from the checkpoint a console left on disk nearest before the target when that
    /// saves folding more records than loading it costs: before the indexer has made copies
    /// there (a replay opened `--at` a time, a jump ahead of the indexer), and between copies
    /// the memory budget spaced wider than the consoles' checkpoints. The one loaded is kept as
    /// one of the engine's own copies.
    fn restore_from_disk(
        &mut self,
        host: &mut Reading,
        best: usize,
        here_ok: bool,
        target: impl FnOnce(&Path, &Timeline) -> Result<u64, JournalError>,
    ) -> Result<bool, JournalError> {
        let near = self.checkpoints[best].seq.max(if here_ok { host.state().last_seq() } else { 0 });
        if !self.on_disk.iter().any(|&seq| seq >= near + DISK_WORTH) {
            return Ok(false);
        }
        let target = target(&self.dir, &self.timeline)?;
        if target < near + DISK_WORTH {
            return Ok(false);
        }
        // The checkpoint it would load must itself be worth it, not only the target.
        let Some(&at) = self.on_disk.iter().rev().find(|&&seq| seq <= target) else { return Ok(false) };
        if at < near + DISK_WORTH {
            return Ok(false);
        }
        // Loading a checkpoint keeps one core busy for tens of milliseconds: meanwhile the
        // records from it to the target are read and parsed on the other.
        let dir = &self.dir;
        let (loaded, ahead) = std::thread::scope(|scope| {
            let ahead = scope.spawn(|| read_ahead(dir, at, target));
            (crate::checkpoint::resume_before::<DeskState>(dir, target), ahead.join())
        });
        let Some((resumed, follower)) = loaded.filter(|(resumed, _)| resumed.last_seq() >= near + DISK_WORTH)
        else {
            return Ok(false);
        };
        let from = resumed.last_seq();
        self.keep_own(&resumed);
        let replaced = host.restore(resumed);
        self.put_aside(replaced);
        match ahead {
            // The checkpoint the records were read from; another (this one was damaged) reads on
            // from its own.
            Ok(Ok(Ahead { records, problem, reader })) if from == at => {
                self.follower = reader;
                self.pending = records;
                self.problem = problem.or(self.problem.take());
            }
            _ => {
                self.follower = follower;
                self.pending.clear();
            }
        }
        Ok(true)
    }

    /// Keeps a state for `tidy` to free, unless keys have come too fast for it to run.
    fn put_aside(&mut self, state: DeskState) {
        if self.spare.len() >= SPARE_AT_MOST {
            self.spare.clear();
        }
        self.spare.push(state);
    }

    /// Frees the states seeks have replaced: the replay's loop calls it once a frame is drawn.
    pub fn tidy(&mut self) {
        self.spare.clear();
    }

    /// How many replaced states wait for `tidy`.
    pub fn put_aside_count(&self) -> usize {
        self.spare.len()
    }

    /// When the next record after the state is stamped, if there is one yet.
    pub fn next_ts(&mut self) -> Result<Option<DateTime<Utc>>, JournalError> {
        self.fill()?;
        Ok(self.pending.front().map(|r| r.ts))
    }

    /// Restores checkpoint `best` unless moving forward from where the state is costs less.
    fn restore_if_better(
        &mut self,
        host: &mut Reading,
        best: usize,
        here_ok: bool,
    ) -> Result<bool, JournalError> {
        let checkpoint = &self.checkpoints[best];
        if here_ok && checkpoint.seq <= host.state().last_seq() + CHECKPOINT_EVERY {
            return Ok(false);
        }
        let seq = checkpoint.seq;
        let replaced = host.restore(checkpoint.state.clone());
        self.put_aside(replaced);
        self.follower = Follower::from_seq(&self.dir, seq + 1)?;
        self.pending.clear();
        Ok(true)
    }

    fn fill(&mut self) -> Result<(), JournalError> {
        if self.pending.is_empty() {
            let (records, problems) = self.follower.poll_up_to(BATCH)?;
            if let Some(problem) = problems.first() {
                self.problem = Some(problem.to_string());
            }
            self.pending.extend(records);
        }
        Ok(())
    }

    /// Folds records while `wanted` holds for them, through the desk's core; returns whether any
    /// was folded. Keeps a copy at the last multiple of `CHECKPOINT_EVERY` before `until` (the
    /// last record wanted, when known), so that stepping back from there folds at most that many
    /// records.
    fn advance(
        &mut self,
        host: &mut Reading,
        wanted: impl Fn(&Record) -> bool,
        until: Option<u64>,
    ) -> Result<bool, JournalError> {
        let mut changed = false;
        loop {
            self.fill()?;
            // The records wanted, moved into the state rather than cloned, in batches that end at
            // a multiple of `CHECKPOINT_EVERY`: a copy kept there is taken at exactly that record.
            let mut batch = Vec::new();
            while let Some(record) = self.pending.pop_front() {
                if !wanted(&record) {
                    self.pending.push_front(record);
                    break;
                }
                let copy_here = record.seq.is_multiple_of(CHECKPOINT_EVERY);
                batch.push(record);
                if copy_here {
                    break;
                }
            }
            let Some(at) = batch.last().map(|r| r.ts) else { return Ok(changed) };
            changed = true;
            self.core.handle(host, Input::Followed(batch), at);
            let seq = host.state().last_seq();
            if seq.is_multiple_of(CHECKPOINT_EVERY) && until.is_some_and(|u| seq + CHECKPOINT_EVERY > u) {
                self.keep_own(host.state());
            }
        }
    }
}
