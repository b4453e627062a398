//! The items the readers keep: every version of a notable item near a briefed mission, as
//! little as picking last versions and making lists needs (its identity, time, severity,
//! traffic and the missions it is near), and where its text is. A week has tens of thousands
//! of them and a briefing lists about a hundred: only those are made into facts, their text
//! read back from their digests then (checking it is UTF-8 and copying it was a tenth of a
//! briefing's work when every version was made).

use chrono::DateTime;
use std::fs;
use std::sync::OnceLock;

use super::digest::DigestFile;
use super::{ItemFact, Near, NearItem};
use crate::domain::{Severity, Traffic};

/// One version of an item, kept because it is near a briefed mission.
#[derive(Debug)]
pub struct Version {
    /// Names the item (its feed and id): XXH3-128 of them. Two items share one only by a
    /// collision of a 128-bit hash.
    key: ItemKey,
    /// Its record's time, in microseconds since the epoch.
    pub ts: i64,
    pub severity: Severity,
    pub traffic: Traffic,
    /// The briefed missions it is near (never empty).
    pub near: Near,
    text: Text,
}

/// Where a version's text is.
#[derive(Debug)]
enum Text {
    /// Made when read (a record parsed, not taken from a digest).
    Made(Box<ItemFact>),
    /// In a digest's file (`Kept::files`), as byte ranges (start, length): feed, id, title.
    InDigest { file: u32, feed: (u32, u32), id: (u32, u32), title: (u32, u32) },
}

/// Where a digest's item's text lies in the digest's file: feed, id, title, each (start,
/// length) in bytes.
pub(super) type TextAt = [(u32, u32); 3];

/// An item's identity: XXH3-128 of its feed and id.
pub(super) type ItemKey = (u64, u64);

pub(super) fn item_key(feed: &[u8], id: &[u8]) -> ItemKey {
    let mut hasher = twox_hash::XxHash3_128::new();
    hasher.write(feed);
    // Never in UTF-8: no feed and id run together into another's.
    hasher.write(&[0xff]);
    hasher.write(id);
    let key = hasher.finish_128();
    ((key >> 64) as u64, key as u64)
}

impl Version {
    /// A version read from a record, made at once.
    pub(super) fn made(item: ItemFact, near: Near) -> Version {
        Version {
            key: item_key(item.feed.as_bytes(), item.id.as_bytes()),
            ts: item.ts.timestamp_micros(),
            severity: item.severity,
            traffic: item.traffic,
            near,
            text: Text::Made(Box::new(item)),
        }
    }

    /// A version taken from a digest, its text left in the digest's file (`file`, at `at`).
    pub(super) fn in_digest(
        key: ItemKey,
        (ts, severity, traffic): (i64, Severity, Traffic),
        near: Near,
        (file, [feed, id, title]): (u32, TextAt),
    ) -> Version {
        Version { key, ts, severity, traffic, near, text: Text::InDigest { file, feed, id, title } }
    }
}

/// The versions the readers kept, an item in as many versions as they met near a briefed
/// mission, and the digests' files their text is in (each opened when an item of it is made).
pub struct Kept {
    head: Vec<Version>,
    tail: Vec<Version>,
    files: Vec<(DigestFile, OnceLock<Option<fs::File>>)>,
}

/// An item a digest gave that cannot be made back (`Kept::make`).
#[derive(Debug)]
pub struct Unmade;

impl Kept {
    /// The first reader's versions and files, then the second's (whose versions name their
    /// files from the second's first).
    pub(super) fn joined(
        (head, mut files): (Vec<Version>, Vec<DigestFile>),
        (mut tail, tail_files): (Vec<Version>, Vec<DigestFile>),
    ) -> Kept {
        let shift = files.len() as u32;
        if shift > 0 {
            for version in &mut tail {
                if let Text::InDigest { file, .. } = &mut version.text {
                    *file += shift;
                }
            }
        }
        files.extend(tail_files);
        let files = files.into_iter().map(|file| (file, OnceLock::new())).collect();
        Kept { head, tail, files }
    }

    /// Each item once, in its last version near a briefed mission, in the order of those
    /// versions' records.
    pub fn latest(&self) -> Vec<&Version> {
        let count = self.head.len() + self.tail.len();
        let mut seen: std::collections::HashSet<(u64, u64), foldhash::fast::RandomState> =
            std::collections::HashSet::with_capacity_and_hasher(count, Default::default());
        let mut latest: Vec<&Version> =
            self.head.iter().chain(&self.tail).rev().filter(|v| seen.insert(v.key)).collect();
        latest.reverse();
        latest
    }

    /// The item `version` is a version of, as a fact. `Unmade` only if its digest's file is no
    /// longer as it was read (changed, or replaced), or holds text that is not UTF-8 (forged):
    /// then no digest should be trusted for the briefing.
    pub fn make(&self, version: &Version) -> Result<ItemFact, Unmade> {
        match &version.text {
            Text::Made(item) => Ok(item.as_ref().clone()),
            Text::InDigest { file, feed, id, title } => {
                self.read_back(version, *file, [*feed, *id, *title]).ok_or(Unmade)
            }
        }
    }

    fn read_back(&self, version: &Version, file: u32, [feed, id, title]: TextAt) -> Option<ItemFact> {
        use std::os::unix::fs::FileExt as _;
        // Each digest's file is opened once, for all the items listed from it.
        let (digest, opened) = self.files.get(file as usize)?;
        let file = opened.get_or_init(|| digest.reopen()).as_ref()?;
        let (start, end) = (feed.0, title.0.checked_add(title.1)?);
        let mut bytes = vec![0; end.checked_sub(start)? as usize];
        file.read_exact_at(&mut bytes, u64::from(start)).ok()?;
        let text = |(at, length): (u32, u32)| {
            let from = at.checked_sub(start)? as usize;
            std::str::from_utf8(bytes.get(from..from + length as usize)?).ok()
        };
        let (feed, id) = (text(feed)?, text(id)?);
        if item_key(feed.as_bytes(), id.as_bytes()) != version.key {
            return None;
        }
        Some(ItemFact {
            ts: DateTime::from_timestamp_micros(version.ts)?,
            feed: feed.into(),
            id: id.into(),
            title: text(title)?.to_string(),
            severity: version.severity,
            traffic: version.traffic,
        })
    }

    /// `latest`, every one made (`Facts::items`).
    pub fn made_latest(&self) -> Result<Vec<NearItem>, Unmade> {
        let make =
            |version: &&Version| Ok(NearItem { item: self.make(version)?, near: version.near.clone() });
        self.latest().iter().map(make).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(feed: &str, id: &str, title: &str) -> Version {
        let item = ItemFact {
            ts: DateTime::UNIX_EPOCH,
            feed: feed.into(),
            id: id.into(),
            title: title.into(),
            severity: Severity::Severe,
            traffic: Traffic::Real,
        };
        Version::made(item, Near::from_slice(&[(0, 1)]))
    }

    /// Each item's last version is kept, in the order of those versions, across the two
    /// readers' versions and within either; an id of another feed is another item.
    #[test]
    fn last_versions_across_both_readers() {
        let head = vec![
            version("f", "a", "a1"),
            version("f", "b", "b1"),
            version("g", "a", "ga"),
            version("f", "a", "a2"),
            version("f", "c", "c1"),
        ];
        let tail = vec![version("f", "b", "b2"), version("f", "d", "d1"), version("f", "d", "d2")];
        let kept = Kept::joined((head, Vec::new()), (tail, Vec::new()));
        let titles: Vec<String> = kept.made_latest().unwrap().into_iter().map(|n| n.item.title).collect();
        assert_eq!(titles, ["ga", "a2", "c1", "b2", "d2"]);
        // "f" + "ab" and "fa" + "b" are two items.
        assert_ne!(item_key(b"f", b"ab"), item_key(b"fa", b"b"));
    }
}
