//! Group commit: one background thread per writer syncs the segment at most `interval` after the
//! first unsynced write, so a bulk writer pays one fsync per interval instead of one per batch,
//! while `sync_now` lets an operator action wait for its own sync. After each sync the journal's
//! head (`head`) is advanced to the last record synced.

use std::fs::File;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::format::{GENESIS, Hash};
use super::head::{Head, HeadFile};

pub struct Committer {
    state: Mutex<State>,
    wake: Condvar,
    interval: Duration,
}

struct State {
    file: Arc<File>,
    written: u64,
    written_sum: Hash,
    head: HeadFile,
    durable: u64,
    dirty_since: Option<Instant>,
    /// A failed sync may have lost data (Linux drops the dirty pages), so the failure sticks:
    /// every later sync reports it rather than pretending all is well.
    failed: Option<(std::io::ErrorKind, String)>,
    stop: bool,
}

impl Committer {
    pub fn start(file: File, head: HeadFile, interval: Duration) -> Arc<Self> {
        let committer = Arc::new(Committer {
            state: Mutex::new(State {
                file: Arc::new(file),
                written: 0,
                written_sum: GENESIS,
                head,
                durable: 0,
                dirty_since: None,
                failed: None,
                stop: false,
            }),
            wake: Condvar::new(),
            interval,
        });
        let background = Arc::clone(&committer);
        let spawned =
            std::thread::Builder::new().name("journal-commit".into()).spawn(move || background.run());
        if spawned.is_err() {
            // Without the thread, batches are synced by the next `sync_now` (at the latest when
            // the writer is dropped): slower to become durable, never lost from the file.
            committer.lock().stop = true;
        }
        committer
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding this lock leaves plain numbers behind: still usable.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Notes that records up to `seq` (whose sum is `sum`) were written and need syncing.
    pub fn written(&self, seq: u64, sum: Hash) {
        let mut state = self.lock();
        if seq > state.written {
            state.written = seq;
            state.written_sum = sum;
        }
        if state.dirty_since.is_none() {
            state.dirty_since = Some(Instant::now());
            self.wake.notify_all();
        }
    }

    pub fn durable_seq(&self) -> u64 {
        self.lock().durable
    }

    /// Syncs now, unless everything written is already durable.
    pub fn sync_now(&self) -> std::io::Result<()> {
        let mut state = self.lock();
        if let Some((kind, message)) = &state.failed {
            return Err(std::io::Error::new(*kind, message.clone()));
        }
        if state.durable >= state.written && state.dirty_since.is_none() {
            return Ok(());
        }
        let target = Head { seq: state.written, sum: state.written_sum };
        let file = Arc::clone(&state.file);
        state.dirty_since = None;
        drop(state);
        let result = file.sync_data();
        self.finish(target, result)
    }

    /// Sets the journal's head to `head` in both its copies (see `HeadFile::reset`).
    pub fn reset_head(&self, head: Head) -> Result<(), super::JournalError> {
        self.lock().head.reset(head)
    }

    /// Points the committer at a new segment; the caller synced the old one.
    pub fn switch(&self, file: File) {
        self.lock().file = Arc::new(file);
    }

    pub fn stop(&self) {
        self.lock().stop = true;
        self.wake.notify_all();
    }

    fn finish(&self, target: Head, result: std::io::Result<()>) -> std::io::Result<()> {
        let mut state = self.lock();
        match result {
            Ok(()) => {
                state.durable = state.durable.max(target.seq);
                // Only now: a head never names a record that is not on disk.
                state.head.advance(target);
                Ok(())
            }
            Err(e) => {
                state.failed = Some((e.kind(), e.to_string()));
                Err(e)
            }
        }
    }

    fn run(&self) {
        let mut state = self.lock();
        loop {
            if state.stop {
                return;
            }
            let Some(since) = state.dirty_since else {
                state = self.wake.wait(state).unwrap_or_else(|p| p.into_inner());
                continue;
            };
            let now = Instant::now();
            let due = since + self.interval;
            if now < due {
                state = self.wake.wait_timeout(state, due - now).unwrap_or_else(|p| p.into_inner()).0;
                continue;
            }
            let target = Head { seq: state.written, sum: state.written_sum };
            let file = Arc::clone(&state.file);
            state.dirty_since = None;
            drop(state);
            let _ = self.finish(target, file.sync_data());
            state = self.lock();
        }
    }
}
