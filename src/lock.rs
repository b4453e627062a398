//! The poller lock: exactly one process per journal polls the feeds (a console, or
//! `attache poll --once`). Holding `poller.lock` in the journal directory is being that process;
//! the operating system releases it when the process exits, however it exits.

use std::fs::File;
use std::path::Path;

pub const POLLER_LOCK: &str = "poller.lock";
/// Held by the one process per journal that syncs it with other desks (`[sync]`).
pub const SYNC_LOCK: &str = "sync.lock";

/// Takes the poller lock if no other process holds it. Keep the file to keep the lock.
pub fn try_poller_lock(journal_dir: &Path) -> Option<File> {
    try_lock(journal_dir, POLLER_LOCK)
}

/// Takes the sync lock if no other process holds it. Keep the file to keep the lock.
pub fn try_sync_lock(journal_dir: &Path) -> Option<File> {
    try_lock(journal_dir, SYNC_LOCK)
}

/// Holds a lock until the process exits, when the kernel lets it go: for a lock that guards a
/// thread which runs until then (sync appends `remote` records up to the last moment, and a
/// process taking over the lock before this one is gone could append them a second time).
pub fn keep_until_exit(lock: File) {
    std::mem::forget(lock);
}

fn try_lock(journal_dir: &Path, name: &str) -> Option<File> {
    crate::desk_files::create_dir_all(journal_dir).ok()?;
    let file =
        crate::desk_files::open_or_create(&journal_dir.join(name), File::options().write(true)).ok()?;
    file.try_lock().ok().map(|()| file)
}
