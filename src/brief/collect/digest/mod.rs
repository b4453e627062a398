//! Digests: what a briefing takes from a span of records (its steps, and every notable item
//! with a place), worked out once and kept beside the journal in `digests/`, so that a
//! briefing of a week parses only the records at its ends: parsing is most of what reading a
//! journal costs, and checking each record's SHA-256 most of the rest.
//!
//! The journal stays the truth. A digest is made only from a span that reads back whole and
//! clean (every record's sum checked, the chain unbroken), and it names where the span's lines
//! lie in the segment files with an XXH3-128 of those bytes: a briefing hashes the bytes
//! again, in large runs, and takes the digest only if they are still exactly the bytes it was
//! made from and lie exactly where it is reading (from its first record on, through whole
//! segments), the span's first record links to the record before it, and the record after its
//! last is checked against that last (seq, sum, time) as if the span had been read. Any change
//! to a record, a rewritten journal, an unreadable or foreign file: the span's records are
//! read and parsed as if there were no digest, damage and all.
//!
//! The hash finds changes, not forgers: whoever can write the journal's directory can forge a
//! digest outright, as they can rewrite the whole chain (its SHA-256 sums are unkeyed), so a
//! cryptographic hash would buy nothing here, and XXH3 reads about three times as fast as
//! BLAKE3 did. (`twox-hash`'s, which picks AVX2 where the CPU has it as the binary runs: twice
//! the speed of a build for the baseline x86-64.) `journal verify --digests` rebuilds each
//! digest and compares, so a forged one is found.
//!
//! Format: `MAGIC`, a CRC-32 of the rest (against a damaged disk, not a forger), then in
//! postcard the `Header`, the records' times (as a byte string), the steps and the items,
//! newest first (see `encode`). The file name carries the writing version; others are not
//! read.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Duration;

use super::kept::{ItemKey, TextAt, item_key};
use super::seal::{self, Seals};
use super::span::{Period, Step};
use super::{Near, Nearness};
use crate::domain::{Location, Severity, Traffic};
use crate::journal::format::{Hash, trailer};
use crate::journal::segment;
use chrono::{DateTime, Utc};

mod making;
mod nearness;

pub use making::{Built, Wrong, build, build_some, build_spans, build_spans_settled, verify};

pub const DIR: &str = "digests";
/// Records per digest: digest k covers records `k * SPAN + 1` to `(k + 1) * SPAN`.
pub const SPAN: u64 = 10_000;
/// How long a segment must have been left alone before it is sealed (see `seal`).
pub const SEAL_SETTLED: Duration = seal::SETTLED;
/// Changes when `Step`, what a briefing reads from a record or the file's layout changes.
const FORMAT: u32 = 8;
const MAGIC: &[u8] = b"attache digest\n";
const SUFFIX: &str = ".bin";
/// No digest file is near this size (a busy desk's are ~0.3 MB): a larger one is not read.
const MAX_FILE: u64 = 64 << 20;

/// What a digest is of: its span, how the span joins the journal, and where its bytes are.
#[derive(Serialize, Deserialize)]
struct Header {
    first: u64,
    last: u64,
    /// The `prev` of record `first` and the `sum` of record `last`, as the journal has them.
    prev: String,
    sum: String,
    /// The times of records `first` and `last` (the record after the span is checked against
    /// the last's as if the span had been read).
    first_ts: i64,
    last_ts: i64,
    /// The span's lines, newlines included, in order: (segment number, start, end) in bytes.
    pieces: Vec<(u32, u64, u64)>,
    /// XXH3-128 of the bytes of `pieces`, in order.
    xxh3: u128,
}

/// A digest's file, read whole, its CRC checked and its header read.
struct Opened<'b> {
    header: Header,
    /// The file's bytes, and where what follows the header starts in them.
    bytes: &'b [u8],
    rest_at: usize,
    crc: u32,
    /// The file, as it was when read.
    file: DigestFile,
}

/// A digest's file, and its status when it was read: the text of the items a briefing kept
/// from it is read back when they are listed, if the file is still exactly as it was (the
/// check a seal makes: any write moves its change time, a replacement is another inode).
/// Not held open: a year's briefing takes a thousand digests.
#[derive(Clone, Debug)]
pub(super) struct DigestFile {
    pub path: PathBuf,
    pub status: seal::Status,
}

impl DigestFile {
    /// The file, open, if it is still as it was read.
    pub(super) fn reopen(&self) -> Option<fs::File> {
        let file = fs::File::open(&self.path).ok()?;
        (seal::Status::of(&file.metadata().ok()?) == self.status).then_some(file)
    }
}

/// Memory a reader reuses from one digest to the next: a fresh allocation of a digest's file
/// (~0.3 MB) or of a read of its journal bytes (a quarter MiB) is fresh pages for the kernel to fault
/// in and clear, every time.
#[derive(Default)]
pub(super) struct Buffers {
    file: Vec<u8>,
    journal: Vec<u8>,
    /// The items kept from the digest being taken.
    kept: std::collections::HashSet<ItemKey, foldhash::fast::RandomState>,
}

/// A digest, as a briefing takes it (its items go one by one to the caller).
pub(super) struct Taken {
    pub last: u64,
    pub prev: Hash,
    pub sum: Hash,
    pub last_ts: i64,
    /// The span's records in the period, if any: the first's and last's seq, the last's sum.
    pub in_period: Option<(u64, u64, Hash)>,
    /// Whether the period ends inside the span (a record of it is past the period's end).
    pub ends_period: bool,
    /// Where the record after the span starts: segment number and byte offset.
    pub next: (u32, u64),
    /// Whether its bytes were taken on their segments' seals, unread.
    pub sealed: bool,
    /// Whether its items' nearness was taken from its nearness file, not measured.
    pub measured_before: bool,
    /// Its file (the text of the items kept is read back from it as they are listed).
    pub file: DigestFile,
}

/// An item as a digest holds it (laid out as a `PlacedItem`),
/// read without copying its text, or checking it is UTF-8: most items are near no briefed
/// mission and are dropped at once. (A digest is made from text, and postcard lays out text as
/// it does bytes.)
#[derive(Deserialize)]
pub(super) struct ItemRef<'a> {
    at: u32,
    /// Microseconds since the epoch (made a time only for the items listed).
    pub ts: i64,
    pub feed: &'a [u8],
    pub id: &'a [u8],
    pub title: &'a [u8],
    pub severity: Severity,
    pub traffic: Traffic,
    #[serde(with = "super::place")]
    pub location: Location,
}

/// The part of a file name that says which version wrote it.
fn tag() -> String {
    format!("v{}d{FORMAT}", env!("CARGO_PKG_VERSION"))
}

fn file_name(first: u64, last: u64) -> String {
    format!("{first:012}-{last:012}.{}{SUFFIX}", tag())
}

fn nearness_path(journal: &Path, first: u64, last: u64) -> PathBuf {
    journal.join(DIR).join(format!("{first:012}-{last:012}.{}{}", tag(), nearness::SUFFIX))
}

/// This version's digests in `journal`, by first seq: (last seq, path).
fn list(journal: &Path) -> BTreeMap<u64, (u64, PathBuf)> {
    let Ok(entries) = fs::read_dir(journal.join(DIR)) else { return BTreeMap::new() };
    let ours = format!(".{}{SUFFIX}", tag());
    entries
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_str()?.strip_suffix(&ours)?;
            let (first, last) = name.split_once('-')?;
            let (first, last) = (first.parse().ok()?, last.parse().ok()?);
            (first <= last).then_some((first, (last, path)))
        })
        .collect()
}

/// The digests a briefing may use, listed once, and the segments' seals.
pub(super) struct Digests {
    journal: PathBuf,
    spans: BTreeMap<u64, (u64, PathBuf)>,
    seals: Seals,
    /// Set once a nearness file could not be written: gaps are then measured only where needed.
    unwritable: AtomicBool,
}

impl Digests {
    pub(super) fn open(journal: &Path) -> Self {
        let (spans, seals) = (list(journal), Seals::read(journal, &tag()));
        Digests { journal: journal.to_path_buf(), spans, seals, unwritable: AtomicBool::new(false) }
    }

    /// `open` if `take`, else `none`.
    pub(super) fn open_if(journal: &Path, take: bool) -> Self {
        if take { Digests::open(journal) } else { Digests::none(journal) }
    }

    /// No digests: every record is read.
    pub(super) fn none(journal: &Path) -> Self {
        let (spans, seals) = (BTreeMap::new(), Seals::default());
        Digests { journal: journal.to_path_buf(), spans, seals, unwritable: AtomicBool::new(false) }
    }

    pub(super) fn journal(&self) -> &Path {
        &self.journal
    }

    /// Whether a digest starts at `seq` and ends before record `end`.
    pub(super) fn covers(&self, seq: u64, end: u64) -> bool {
        self.spans.get(&seq).is_some_and(|(last, _)| *last < end)
    }

    /// The digests a reader of records `from..end` would take: (first, last) of each.
    pub(super) fn within(&self, from: u64, end: u64) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.spans
            .range(from..end)
            .map(|(first, (last, _))| (*first, *last))
            .filter(move |(_, last)| *last < end)
    }

    /// The digest starting at `first`, whose first record was read at `at` (segment, byte
    /// offset), if its file reads back whole and the journal's bytes for its span are still
    /// exactly those it was made from. What it gives is what reading its records up to the end
    /// of `period` gives: the steps of those before the period (notes left out, check-ins not
    /// counted) and in it, pushed onto `steps`; its items in the period near a briefed mission
    /// (as `near` says, or as the digest's nearness file says for the missions `identity`
    /// names) are given to `keep` with their key, the missions they are near and where their
    /// text lies in the digest's file, newest first; an older version of an item kept is not
    /// given. On `None`, what was pushed or kept is not to be used.
    pub(super) fn take(
        &self,
        (first, at): (u64, (u32, u64)),
        period: Period,
        buffers: &mut Buffers,
        steps: &mut Vec<Step>,
        (near, identity): (&Nearness<'_>, Option<u128>),
        keep: impl FnMut(&ItemRef<'_>, ItemKey, Near, TextAt),
    ) -> Option<Taken> {
        use serde::de::DeserializeSeed as _;
        let Buffers { file: bytes, journal, kept } = buffers;
        let Opened { header, bytes, rest_at, crc, file } = self.header(first, bytes)?;
        let rest = &bytes[rest_at..];
        // Where the file's bytes start, to say where an item's text lies in it.
        let base = bytes.as_ptr() as usize;
        let records = usize::try_from(header.last.checked_sub(header.first)?.checked_add(1)?).ok()?;
        let (deltas, rest) = postcard::take_from_bytes::<&[u8]>(rest).ok()?;
        // Which of its records are in the period: [start, end) by place in the span.
        let (start, end) = if header.first_ts >= period.from && header.last_ts <= period.to {
            (0, records)
        } else {
            let (deltas, _) = postcard::take_from_bytes::<Vec<u64>>(deltas).ok()?;
            let times = times(header.first_ts, &deltas)
                .filter(|t| t.len() == records && t.last() == Some(&header.last_ts))?;
            (times.partition_point(|t| *t < period.from), times.partition_point(|t| *t <= period.to))
        };
        // The sum of the period's last record, from its line if that is not the span's last.
        let inner_last = (start < end && end < records).then(|| end - 1);
        let (sealed, inner_line) = self.unchanged(&header, at, journal, inner_last)?;
        let period_sum = match inner_line {
            Some(line) => Some(trailer(&line)?.1),
            None if start < end => Some(header.sum.as_bytes().try_into().ok()?),
            None => None,
        };
        // The bytes hold: what the digest says of them is taken, straight from its file.
        let mut de = postcard::Deserializer::from_bytes(rest);
        StepsInto { steps, start, end }.deserialize(&mut de).ok()?;
        let mut measured_before = false;
        // (A span whose records all come before the period gives only steps.)
        if start < end {
            let measured = (header.first, header.xxh3, crc);
            let nearness_path = identity.map(|_| nearness_path(&self.journal, header.first, header.last));
            let sections =
                nearness_path.as_deref().map(|path| nearness::read(path, measured)).unwrap_or_default();
            // Measured once for all, unless the directory was found not writable.
            let record = identity.filter(|_| !self.unwritable.load(Relaxed)).map(|_| Vec::new());
            let mut near_from = match identity.and_then(|identity| nearness::find(&sections, identity)) {
                Some(known) => NearFrom::File(known),
                None => NearFrom::Measuring { near, record },
            };
            kept.clear();
            ItemsOffered { start, end, near_from: &mut near_from, keep, base, kept }
                .deserialize(&mut de)
                .ok()?;
            measured_before = matches!(near_from, NearFrom::File(_));
            if let (NearFrom::Measuring { record: Some(record), .. }, Some(path), Some(identity)) =
                (near_from, nearness_path, identity)
                && !nearness::write(&path, measured, sections, identity, record)
            {
                self.unwritable.store(true, Relaxed);
            }
        }
        let &(segment, _, span_end) = header.pieces.last()?;
        let in_period = period_sum.map(|sum| (first + start as u64, first + end as u64 - 1, sum));
        Some(Taken {
            last: header.last,
            prev: header.prev.as_bytes().try_into().ok()?,
            sum: header.sum.as_bytes().try_into().ok()?,
            last_ts: header.last_ts,
            in_period,
            ends_period: end < records,
            next: (segment, span_end),
            sealed,
            measured_before,
            file,
        })
    }

    /// The digest starting at `first`, its file read into `bytes`, if the file reads back whole
    /// and is of the span it is listed for.
    fn header<'b>(&self, first: u64, bytes: &'b mut Vec<u8>) -> Option<Opened<'b>> {
        use std::io::Read as _;
        let (last, path) = self.spans.get(&first)?;
        let file = fs::File::open(path).ok()?;
        let metadata = file.metadata().ok()?;
        if metadata.len() > MAX_FILE {
            return None;
        }
        let file_read = DigestFile { path: path.clone(), status: seal::Status::of(&metadata) };
        bytes.clear();
        (&file).read_to_end(bytes).ok()?;
        let bytes: &'b [u8] = bytes;
        let (crc, body) = checked_body(bytes)?;
        let (header, rest) = postcard::take_from_bytes::<Header>(body).ok()?;
        let rest_at = bytes.len() - rest.len();
        (header.first == first && header.last == *last).then_some(Opened {
            header,
            bytes,
            rest_at,
            crc,
            file: file_read,
        })
    }

    /// Whether `header.pieces` are exactly where a reader at `at` would read the span, and
    /// their bytes still those the digest was made from: they hash to `header.xxh3`, or every
    /// one of their segments is as it was sealed (then they are not read, unless for `line`).
    /// If so: whether they were taken on seals, and the line of the span's record `line` (its
    /// place in the span) when asked for. The pieces must start at `at`, run on through
    /// consecutive segments from their starts, and end each segment but the last at its end
    /// (lines after a piece would be lines a reader reads): so the work is bounded by the
    /// journal, and a fork or an insertion is never jumped over.
    fn unchanged(
        &self,
        header: &Header,
        at: (u32, u64),
        buffer: &mut Vec<u8>,
        line: Option<usize>,
    ) -> Option<(bool, Option<Vec<u8>>)> {
        use std::os::unix::fs::FileExt as _;
        let mut files = Vec::with_capacity(header.pieces.len());
        let mut sealed = !header.pieces.is_empty();
        let mut expected = at;
        for (i, &(number, start, end)) in header.pieces.iter().enumerate() {
            if (number, start) != expected || start >= end {
                return None;
            }
            let file = fs::File::open(segment::segment_path(&self.journal, number)).ok()?;
            let metadata = file.metadata().ok()?;
            let last_piece = i + 1 == header.pieces.len();
            if end > metadata.len() || !last_piece && end != metadata.len() {
                return None;
            }
            sealed &= self.seals.hold(number, &metadata, (header.first, header.xxh3));
            files.push((file, start, end));
            expected = (number + 1, 0);
        }
        let mut finder = line.map(LineFinder::new);
        if sealed && finder.is_none() {
            return Some((true, None));
        }
        let mut hasher = (!sealed).then(twox_hash::XxHash3_128::new);
        // Reads of a quarter MiB: few system calls, and what the kernel copies in is still in
        // the core's cache when it is hashed (1 MiB reads were 4 ms slower a week).
        buffer.resize(256 << 10, 0);
        'pieces: for (file, start, end) in &files {
            let mut at = *start;
            while at < *end {
                let n = buffer.len().min((end - at) as usize);
                file.read_exact_at(&mut buffer[..n], at).ok()?;
                if let Some(hasher) = &mut hasher {
                    hasher.write(&buffer[..n]);
                }
                if let Some(finder) = &mut finder {
                    finder.look(&buffer[..n]);
                    if sealed && finder.done {
                        break 'pieces;
                    }
                }
                at += n as u64;
            }
        }
        if hasher.is_some_and(|hasher| hasher.finish_128() != header.xxh3) {
            return None;
        }
        match finder {
            Some(finder) => Some((sealed, Some(finder.found()?))),
            None => Some((sealed, None)),
        }
    }
}

/// Finds one line, by its number, in text that comes in pieces.
struct LineFinder {
    /// Newlines still to pass before the line starts.
    before: usize,
    line: Vec<u8>,
    done: bool,
}

impl LineFinder {
    fn new(number: usize) -> Self {
        LineFinder { before: number, line: Vec::new(), done: false }
    }

    fn look(&mut self, mut text: &[u8]) {
        while self.before > 0 && !self.done {
            match memchr::memchr(b'\n', text) {
                Some(i) => {
                    self.before -= 1;
                    text = &text[i + 1..];
                }
                None => return,
            }
        }
        if self.done {
            return;
        }
        match memchr::memchr(b'\n', text) {
            Some(i) => {
                self.line.extend_from_slice(&text[..i]);
                self.done = true;
            }
            None => self.line.extend_from_slice(text),
        }
    }

    fn found(self) -> Option<Vec<u8>> {
        self.done.then_some(self.line)
    }
}

/// A digest's steps (each with its record's place in the span), decoded straight onto a
/// reader's steps as reading records `..end` gives them: those before `start` are before the
/// period (no notes, check-ins not counted), those from `end` on past it (none).
struct StepsInto<'v> {
    steps: &'v mut Vec<Step>,
    start: usize,
    end: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for StepsInto<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for StepsInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a digest's steps")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // A digest's length is its own word: trusted only as far as a span's steps can go.
        self.steps.reserve(seq.size_hint().unwrap_or(0).min(SPAN as usize));
        while let Some((place, step)) = seq.next_element::<(u32, Step)>()? {
            let place = place as usize;
            let step = match step {
                _ if place >= self.end => continue,
                step if place >= self.start => step,
                Step::Note(_) => continue,
                Step::CheckedIn { contact, at, .. } => Step::CheckedIn { contact, at, in_period: false },
                step => step,
            };
            self.steps.push(step);
        }
        Ok(())
    }
}

/// Where the missions each of a digest's items is near come from.
enum NearFrom<'g> {
    /// Its nearness file, measured before for these missions.
    File(nearness::Gaps<'g>),
    /// Measuring; with `record`, every item is measured and its gaps recorded (to be written
    /// to the nearness file), else only those that could be kept.
    Measuring { near: &'g Nearness<'g>, record: Option<Vec<nearness::Gap>> },
}

/// A digest's items (stored newest first), each in the period and near a briefed mission
/// given to `keep` unless a newer version of it was kept: a version superseded in the same
/// span costs a lookup, not a copy.
struct ItemsOffered<'a, 'g, K> {
    start: usize,
    end: usize,
    near_from: &'a mut NearFrom<'g>,
    keep: K,
    /// The address of the file's first byte (the items' text is borrowed from the file).
    base: usize,
    kept: &'a mut std::collections::HashSet<ItemKey, foldhash::fast::RandomState>,
}

impl<'de, K: FnMut(&ItemRef<'_>, ItemKey, Near, TextAt)> serde::de::DeserializeSeed<'de>
    for ItemsOffered<'_, '_, K>
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, K: FnMut(&ItemRef<'_>, ItemKey, Near, TextAt)> serde::de::Visitor<'de> for ItemsOffered<'_, '_, K> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a digest's items")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let times = DateTime::<Utc>::MIN_UTC.timestamp_micros()..=DateTime::<Utc>::MAX_UTC.timestamp_micros();
        let mut index = 0_u32;
        while let Some(item) = seq.next_element::<ItemRef<'de>>()? {
            if !times.contains(&item.ts) {
                return Err(serde::de::Error::custom("an item's time is out of range"));
            }
            let in_period = (self.start..self.end).contains(&(item.at as usize));
            let near = match &mut self.near_from {
                NearFrom::File(gaps) => gaps.near(index),
                NearFrom::Measuring { near, record: Some(record) } => {
                    let near = near(&item.location);
                    nearness::record(record, index, &near);
                    near
                }
                // Measured only if it could be kept: measuring is the dear part.
                NearFrom::Measuring { near, record: None }
                    if in_period && !self.kept.contains(&item_key(item.feed, item.id)) =>
                {
                    near(&item.location)
                }
                NearFrom::Measuring { record: None, .. } => Near::new(),
            };
            index += 1;
            if !in_period || near.is_empty() {
                continue;
            }
            let key = item_key(item.feed, item.id);
            if !self.kept.insert(key) {
                continue; // a newer version was kept
            }
            let at = |text: &[u8]| {
                let start =
                    (text.as_ptr() as usize).checked_sub(self.base).and_then(|at| u32::try_from(at).ok());
                Some((start?, u32::try_from(text.len()).ok()?))
            };
            let (Some(feed), Some(id), Some(title)) = (at(item.feed), at(item.id), at(item.title)) else {
                return Err(serde::de::Error::custom("an item's text is not in the file"));
            };
            (self.keep)(&item, key, near, [feed, id, title]);
        }
        Ok(())
    }
}

/// Record times, from the first's and each later one's difference from the one before (none if
/// they overflow).
fn times(first: i64, deltas: &[u64]) -> Option<Vec<i64>> {
    let mut times = Vec::with_capacity(deltas.len() + 1);
    times.push(first);
    let mut at = first;
    for delta in deltas {
        at = at.checked_add_unsigned(*delta)?;
        times.push(at);
    }
    Some(times)
}

/// A digest file's CRC and the part after it, if the CRC holds.
fn checked_body(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (crc, body) = rest.split_first_chunk::<4>()?;
    let crc = u32::from_le_bytes(*crc);
    (crc == crc32fast::hash(body)).then_some((crc, body))
}
