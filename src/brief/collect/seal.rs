//! Seals: a finished segment's file status (length, modification and change times, inode) as it
//! was when the digests over its bytes were found to hash right, and which digests those were
//! (first seq and XXH3). While the segment's status is still exactly that, its bytes are still
//! those, and a briefing takes those digests without reading the bytes again: on a week's
//! briefing that read was a third of the work (the kernel copying 100 MB out of the page cache,
//! then XXH3 over them). A digest the seal does not list (made later) is hashed as before.
//!
//! It is the check `git` makes of its index, and as strong as the file system's times: on the
//! file systems a journal lives on (ext4, xfs, btrfs, …) a write to a file moves its change time,
//! which no call can set back, and a copy or a restore is another inode. What a status does not
//! show: bytes changed on the disk beneath the file system, a file system without real change
//! times (FAT, some network and FUSE mounts), a page written again through a shared mapping while
//! still dirty. `journal verify` reads every byte; a briefing of a span whose segment has no seal,
//! or the last segment (still written), still hashes what it reads.
//!
//! Only a segment followed by another is sealed (a writer never appends to it again), and only
//! once its change time is `SETTLED` in the past: a write within the clock tick of the status
//! read would not move the times (git's "racy clean" files).
//!
//! File: `digests/<segment>.<tag>.seal`: `MAGIC`, a CRC-32 of the rest, then the `Seal` in
//! postcard.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::journal::segment;

const MAGIC: &[u8] = b"attache seal\n";
const SUFFIX: &str = ".seal";
/// How long ago a segment must have last changed to be sealed: far more than any clock tick
/// file times are kept in.
pub const SETTLED: Duration = Duration::from_secs(2);

/// What `stat` says of a file, as far as it shows a change to its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(in crate::brief::collect) struct Status {
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
    inode: u64,
    device: u64,
}

impl Status {
    pub(in crate::brief::collect) fn of(metadata: &fs::Metadata) -> Status {
        Status {
            len: metadata.len(),
            modified: (metadata.mtime(), metadata.mtime_nsec()),
            changed: (metadata.ctime(), metadata.ctime_nsec()),
            inode: metadata.ino(),
            device: metadata.dev(),
        }
    }

    /// Whether the file last changed at least `settled` before `now`.
    fn settled(&self, now: SystemTime, settled: Duration) -> bool {
        let (secs, nanos) = self.changed;
        let Ok(secs) = u64::try_from(secs) else { return false };
        let changed = SystemTime::UNIX_EPOCH + Duration::new(secs, nanos.clamp(0, 999_999_999) as u32);
        now.duration_since(changed).is_ok_and(|age| age >= settled)
    }
}

/// A digest, as a seal names it: its first seq and its XXH3.
pub(super) type Named = (u64, u128);

/// A segment's status, and the digests over it that hashed right then, sorted.
#[derive(Serialize, Deserialize)]
struct Seal {
    status: Status,
    digests: Vec<Named>,
}

/// A journal's seals of this version, by segment number.
#[derive(Default)]
pub(super) struct Seals(BTreeMap<u32, Seal>);

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

    /// Whether segment `number`, whose status is `metadata`, is as it was sealed, and the seal
    /// names `digest`.
    pub(super) fn hold(&self, number: u32, metadata: &fs::Metadata, digest: Named) -> bool {
        self.listed(number, &Status::of(metadata)).is_some_and(|named| named.binary_search(&digest).is_ok())
    }

    /// The digests segment `number`'s seal names, if the segment's status is `status`.
    fn listed(&self, number: u32, status: &Status) -> Option<&[Named]> {
        self.0.get(&number).filter(|seal| seal.status == *status).map(|seal| seal.digests.as_slice())
    }
}

/// A segment to seal: its number, its status now, and the digests its seal names (none if it
/// has no seal that holds).
pub(super) struct Unsealed {
    pub number: u32,
    pub status: Status,
    pub named: Vec<Named>,
}

/// The segments to seal now: each finished (followed by another), last changed at least
/// `settled` ago, and without a seal that holds, or in `touched` (digests were just made over
/// them, which their seal does not name).
pub(super) fn unsealed(
    journal: &Path,
    seals: &Seals,
    touched: &BTreeSet<u32>,
    settled: Duration,
) -> Vec<Unsealed> {
    let Ok(numbers) = segment::list(journal) else { return Vec::new() };
    let now = SystemTime::now();
    let finished = &numbers[..numbers.len().saturating_sub(1)];
    finished
        .iter()
        .filter_map(|&number| {
            let metadata = fs::metadata(segment::segment_path(journal, number)).ok()?;
            let status = Status::of(&metadata);
            let named = seals.listed(number, &status);
            let due = status.settled(now, settled) && (named.is_none() || touched.contains(&number));
            due.then(|| Unsealed { number, status, named: named.unwrap_or_default().to_vec() })
        })
        .collect()
}

/// Seals segment `number` at `status`, naming `digests`, if its file still has that status;
/// whether it did. (A seal not written costs a later briefing a hash, nothing else.)
pub(super) fn write(journal: &Path, tag: &str, number: u32, status: Status, mut digests: Vec<Named>) -> bool {
    let path = segment::segment_path(journal, number);
    if fs::metadata(&path).map(|m| Status::of(&m)).ok() != Some(status) {
        return false;
    }
    digests.sort_unstable();
    digests.dedup();
    let Ok(body) = postcard::to_allocvec(&Seal { status, digests }) else { return false };
    let mut bytes = Vec::with_capacity(MAGIC.len() + 4 + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    bytes.extend_from_slice(&body);
    let name = format!("{number:08}.{tag}{SUFFIX}");
    crate::desk_files::write_atomically(&journal.join(super::digest::DIR).join(name), |mut file| {
        use std::io::Write as _;
        file.write_all(&bytes)?;
        file.sync_all()
    })
    .is_ok()
}

/// Whether `name` is a seal file of another version than `tag`'s.
pub(super) fn foreign(name: &str, tag: &str) -> bool {
    name.ends_with(SUFFIX) && !name.ends_with(&format!(".{tag}{SUFFIX}"))
}
