//! Seals: a finished segment's file status (length, modification and change times, inode) as it
//! was when every digest over its bytes was last found to hash right. While the segment's status
//! is still exactly that, its bytes are still those, and a briefing takes those digests without
//! reading the bytes again: on a week's briefing that read was a third of the work (the kernel
//! copying 100 MB out of the page cache, then XXH3 over them).
//!
//! It is the check `git` makes of its index, and as strong as the file system's times: any
//! write to a file moves its change time (which no call can set back), a copy or a restore is
//! another inode. What it does not see is what no status shows: bytes changed on the disk under
//! the file system. `journal verify` reads every byte; a briefing of a span whose segment has no
//! seal, or the last segment (still written), still hashes what it reads.
//!
//! Only a segment followed by another is sealed (a writer never appends to it again), and only
//! once its change time is `SETTLED` in the past: a write within the clock tick of the status
//! read would not move the times (git's "racy clean" files).
//!
//! File: `digests/<segment>.<tag>.seal`: `MAGIC`, a CRC-32 of the rest, then the `Status` in
//! postcard.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::journal::segment;

const MAGIC: &[u8] = b"attache seal\n";
const SUFFIX: &str = ".seal";
/// How long ago a segment must have last changed to be sealed: far more than any clock tick
/// file times are kept in.
pub(super) const SETTLED: Duration = Duration::from_secs(2);

/// What `stat` says of a file, as far as it shows a change to its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Status {
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
    inode: u64,
    device: u64,
}

impl Status {
    pub(super) fn of(metadata: &fs::Metadata) -> Status {
        Status {
            len: metadata.len(),
            modified: (metadata.mtime(), metadata.mtime_nsec()),
            changed: (metadata.ctime(), metadata.ctime_nsec()),
            inode: metadata.ino(),
            device: metadata.dev(),
        }
    }

    /// Whether the file last changed at least `SETTLED` before `now`.
    fn settled(&self, now: SystemTime) -> bool {
        let (secs, nanos) = self.changed;
        let Ok(secs) = u64::try_from(secs) else { return false };
        let changed = SystemTime::UNIX_EPOCH + Duration::new(secs, nanos.clamp(0, 999_999_999) as u32);
        now.duration_since(changed).is_ok_and(|age| age >= SETTLED)
    }
}

/// A journal's seals of this version, by segment number.
#[derive(Default)]
pub(super) struct Seals(BTreeMap<u32, Status>);

impl Seals {
    pub(super) fn read(journal: &Path, tag: &str) -> Seals {
        let Ok(entries) = fs::read_dir(journal.join(super::digest::DIR)) else { return Seals::default() };
        let ours = format!(".{tag}{SUFFIX}");
        let seals = entries.filter_map(|entry| {
            let path = entry.ok()?.path();
            let number = path.file_name()?.to_str()?.strip_suffix(&ours)?.parse().ok()?;
            let bytes = fs::read(&path).ok()?;
            let rest = bytes.strip_prefix(MAGIC)?;
            let (crc, body) = rest.split_first_chunk::<4>()?;
            (u32::from_le_bytes(*crc) == crc32fast::hash(body)).then_some(())?;
            Some((number, postcard::from_bytes(body).ok()?))
        });
        Seals(seals.collect())
    }

    /// Whether segment `number`, whose status is `metadata`, is as it was sealed.
    pub(super) fn hold(&self, number: u32, metadata: &fs::Metadata) -> bool {
        self.0.get(&number).is_some_and(|sealed| *sealed == Status::of(metadata))
    }
}

/// The segments to seal now: each followed by another, settled, and without a seal that holds;
/// with its status.
pub(super) fn unsealed(journal: &Path, seals: &Seals) -> Vec<(u32, Status)> {
    let Ok(numbers) = segment::list(journal) else { return Vec::new() };
    let now = SystemTime::now();
    let finished = &numbers[..numbers.len().saturating_sub(1)];
    finished
        .iter()
        .filter_map(|&number| {
            let metadata = fs::metadata(segment::segment_path(journal, number)).ok()?;
            let status = Status::of(&metadata);
            (status.settled(now) && !seals.hold(number, &metadata)).then_some((number, status))
        })
        .collect()
}

/// Seals segment `number` at `status` if its file still has that status.
pub(super) fn write(journal: &Path, tag: &str, number: u32, status: Status) -> Result<bool, String> {
    let path = segment::segment_path(journal, number);
    if fs::metadata(&path).map(|m| Status::of(&m)).ok() != Some(status) {
        return Ok(false);
    }
    let body = postcard::to_allocvec(&status).map_err(|e| format!("cannot encode a seal: {e}"))?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + 4 + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    bytes.extend_from_slice(&body);
    let name = format!("{number:08}.{tag}{SUFFIX}");
    crate::checkpoint::write_atomically(&journal.join(super::digest::DIR).join(name), |mut file| {
        use std::io::Write as _;
        file.write_all(&bytes)?;
        file.sync_all()
    })?;
    Ok(true)
}

/// Whether `name` is a seal file of another version than `tag`'s.
pub(super) fn foreign(name: &str, tag: &str) -> bool {
    name.ends_with(SUFFIX) && !name.ends_with(&format!(".{tag}{SUFFIX}"))
}
