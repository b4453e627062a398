//! Nearness kept beside a digest: which of its items lie near which briefed missions, and how
//! near, measured once for one set of missions' areas and taken by every later briefing of
//! them. Measuring a week's items against the missions is a fifth of a briefing made from
//! digests; a desk's missions are redrawn seldom, and its briefings are made every watch.
//!
//! A briefing that takes a digest with no nearness for its missions measures every item of
//! it (not only those it lists) and writes what it found, as git refreshes its index on
//! `git status`: a cache, never the truth. The file names the digest it was measured from (its
//! span, the XXH3 of its journal bytes, the CRC of its body) and each section its missions
//! (`identity`, from the areas and the measure's version); any other digest, other missions
//! or a file that does not read back whole, and the items are measured again. A journal
//! directory the briefing cannot write to only means measuring each time.
//!
//! Format: `MAGIC`, a CRC-32 of the rest (against a damaged disk), then `Contents` in postcard.
//! Like a digest, it can be forged by whoever can write the journal's directory.

use serde::{Deserialize, Serialize};
use std::fs;
use std::path::Path;

use crate::brief::collect::Near;

const MAGIC: &[u8] = b"attache nearness\n";
pub(super) const SUFFIX: &str = ".near";
/// A desk that redraws its missions' areas (or briefs some of them apart) leaves a section for
/// each set: the oldest go past this many.
const MOST_SECTIONS: usize = 8;
/// A nearness file is a few kilobytes a set of missions: a larger one is not read.
const MAX_FILE: u64 = 16 << 20;

/// The digest a file was measured from: its first record, the XXH3 of its journal bytes and
/// the CRC of its body.
pub(super) type Measured = (u64, u128, u32);

/// One item's gap to one mission: the item's place in the digest's list (newest first), the
/// mission's place among those briefed, and the gap in whole km.
pub(super) type Gap = (u32, u32, u32);

#[derive(Serialize, Deserialize)]
pub(super) struct Section {
    identity: u128,
    /// In order of item, then mission; only items near a mission are here.
    gaps: Vec<Gap>,
}

#[derive(Serialize, Deserialize)]
struct Contents {
    digest: Measured,
    sections: Vec<Section>,
}

/// Whether `name`, in the digests' directory `dir`, is a nearness file of another version
/// than `tag`'s, or of a digest no longer there (removed as wrong, or never made by this
/// version): nothing would read it again.
pub(super) fn unused(dir: &Path, name: &str, tag: &str) -> bool {
    let Some(stem) = name.strip_suffix(SUFFIX) else { return false };
    match stem.strip_suffix(&format!(".{tag}")) {
        Some(_) => !dir.join(format!("{stem}{}", super::SUFFIX)).exists(),
        None => true,
    }
}

/// The sections of the nearness file at `path` if it reads back whole and was measured from
/// `digest` (none otherwise).
pub(super) fn read(path: &Path, digest: Measured) -> Vec<Section> {
    let read = || {
        let file = fs::File::open(path).ok()?;
        if file.metadata().ok()?.len() > MAX_FILE {
            return None;
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut bytes).ok()?;
        let rest = bytes.strip_prefix(MAGIC)?;
        let (crc, body) = rest.split_first_chunk::<4>()?;
        if u32::from_le_bytes(*crc) != crc32fast::hash(body) {
            return None;
        }
        let contents: Contents = postcard::from_bytes(body).ok()?;
        (contents.digest == digest).then_some(contents.sections)
    };
    read().unwrap_or_default()
}

/// The gaps measured for the missions `identity` names, if they are in order (a reader walks
/// them once, in step with the items: out of order, some would never be met).
pub(super) fn find(sections: &[Section], identity: u128) -> Option<Gaps<'_>> {
    let section = sections.iter().find(|s| s.identity == identity)?;
    let ordered = section.gaps.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1));
    ordered.then_some(Gaps { gaps: &section.gaps, at: 0 })
}

/// Writes `path` with `gaps` as the section for `identity`, keeping the newest of the other
/// sections read from it; whether it did. Not written is no harm: the next briefing measures
/// again.
pub(super) fn write(
    path: &Path,
    digest: Measured,
    mut sections: Vec<Section>,
    identity: u128,
    gaps: Vec<Gap>,
) -> bool {
    sections.retain(|s| s.identity != identity);
    let old = sections.len().saturating_sub(MOST_SECTIONS - 1);
    sections.drain(..old);
    sections.push(Section { identity, gaps });
    let Ok(body) = postcard::to_allocvec(&Contents { digest, sections }) else { return false };
    let mut bytes = Vec::with_capacity(MAGIC.len() + 4 + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    bytes.extend_from_slice(&body);
    // Not synced: a file lost or torn in a crash fails its CRC and is measured again.
    crate::desk_files::write_atomically(path, |mut file| std::io::Write::write_all(&mut file, &bytes)).is_ok()
}

/// A section's gaps, walked in step with a digest's items.
pub(super) struct Gaps<'g> {
    gaps: &'g [Gap],
    at: usize,
}

impl Gaps<'_> {
    /// The missions item `index` is near; items are asked for in order.
    pub(super) fn near(&mut self, index: u32) -> Near {
        let mut near = Near::new();
        while let Some(&(item, mission, km)) = self.gaps.get(self.at) {
            if item > index {
                break;
            }
            if item == index {
                near.push((mission as usize, km));
            }
            self.at += 1;
        }
        near
    }
}

/// Gaps as measured, to be written: what `Gaps::near` gives back for item `index`.
pub(super) fn record(gaps: &mut Vec<Gap>, index: u32, near: &Near) {
    let from = gaps.len();
    gaps.extend(near.iter().map(|&(mission, km)| (index, mission as u32, km)));
    gaps[from..].sort_unstable();
}
