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
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ItemFact;
use super::seal::{self, Seals};
use super::span::{self, Items, Period, Step};
use crate::domain::{Location, Severity, Traffic};
use crate::journal::format::{Hash, trailer};
use crate::journal::{Follower, JournalError, segment};
use chrono::{DateTime, Utc};

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

/// Memory a reader reuses from one digest to the next: a fresh allocation of a digest's file
/// (~0.3 MB) or of a read of its journal bytes (a quarter MiB) is fresh pages for the kernel to fault
/// in and clear, every time.
#[derive(Default)]
pub(super) struct Buffers {
    file: Vec<u8>,
    journal: Vec<u8>,
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
}

/// An item as a digest holds it (laid out as a `PlacedItem`),
/// read without copying its text, or checking it is UTF-8: most items are near no briefed
/// mission and are dropped at once. (A digest is made from text, and postcard lays out text as
/// it does bytes.)
#[derive(Deserialize)]
pub(super) struct ItemRef<'a> {
    at: u32,
    /// Microseconds since the epoch (made a time only for the items kept).
    ts: i64,
    pub feed: &'a [u8],
    pub id: &'a [u8],
    pub title: &'a [u8],
    pub severity: Severity,
    pub traffic: Traffic,
    #[serde(with = "super::place")]
    pub location: Location,
}

impl ItemRef<'_> {
    /// The item as a fact; none if its text is not UTF-8 or its time out of range (only in a
    /// forged digest, which is then not taken).
    pub(super) fn to_fact(&self) -> Option<ItemFact> {
        let text = |bytes| std::str::from_utf8(bytes).ok();
        Some(ItemFact {
            ts: DateTime::from_timestamp_micros(self.ts)?,
            feed: text(self.feed)?.into(),
            id: text(self.id)?.into(),
            title: text(self.title)?.to_string(),
            severity: self.severity,
            traffic: self.traffic,
        })
    }
}

/// The part of a file name that says which version wrote it.
fn tag() -> String {
    format!("v{}d{FORMAT}", env!("CARGO_PKG_VERSION"))
}

fn file_name(first: u64, last: u64) -> String {
    format!("{first:012}-{last:012}.{}{SUFFIX}", tag())
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
}

impl Digests {
    pub(super) fn open(journal: &Path) -> Self {
        Digests { journal: journal.to_path_buf(), spans: list(journal), seals: Seals::read(journal, &tag()) }
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
    /// counted) and in it, pushed onto `steps`; its items in the period are offered to `keep`,
    /// newest first, which says whether it kept each (none: the item cannot be made, and the
    /// digest is not taken); an older version of an item kept is not offered. On `None`, what
    /// was pushed or kept is not to be used.
    pub(super) fn take(
        &self,
        first: u64,
        at: (u32, u64),
        period: Period,
        buffers: &mut Buffers,
        steps: &mut Vec<Step>,
        keep: impl FnMut(&ItemRef<'_>) -> Option<bool>,
    ) -> Option<Taken> {
        use serde::de::DeserializeSeed as _;
        let Buffers { file: bytes, journal } = buffers;
        let (header, rest) = self.header(first, bytes)?;
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
        ItemsOffered { start, end, keep }.deserialize(&mut de).ok()?;
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
        })
    }

    /// The header of the digest starting at `first`, and the rest of its file (read into
    /// `bytes`), if the file reads back whole and is of the span it is listed for.
    fn header<'b>(&self, first: u64, bytes: &'b mut Vec<u8>) -> Option<(Header, &'b [u8])> {
        use std::io::Read as _;
        let (last, path) = self.spans.get(&first)?;
        let file = fs::File::open(path).ok()?;
        if file.metadata().ok()?.len() > MAX_FILE {
            return None;
        }
        bytes.clear();
        (&file).read_to_end(bytes).ok()?;
        let (header, rest) = postcard::take_from_bytes::<Header>(checked_body(bytes)?).ok()?;
        (header.first == first && header.last == *last).then_some((header, rest))
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

/// A digest's items (stored newest first), each in the period offered to `keep` unless a
/// newer version of it was kept: a version superseded in the same span costs a lookup, not a
/// copy.
struct ItemsOffered<K> {
    start: usize,
    end: usize,
    keep: K,
}

impl<'de, K: FnMut(&ItemRef<'_>) -> Option<bool>> serde::de::DeserializeSeed<'de> for ItemsOffered<K> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, K: FnMut(&ItemRef<'_>) -> Option<bool>> serde::de::Visitor<'de> for ItemsOffered<K> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a digest's items")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut kept: std::collections::HashSet<(&[u8], &[u8]), foldhash::fast::RandomState> =
            std::collections::HashSet::default();
        let times = DateTime::<Utc>::MIN_UTC.timestamp_micros()..=DateTime::<Utc>::MAX_UTC.timestamp_micros();
        while let Some(item) = seq.next_element::<ItemRef<'de>>()? {
            if !times.contains(&item.ts) {
                return Err(serde::de::Error::custom("an item's time is out of range"));
            }
            let in_period = (self.start..self.end).contains(&(item.at as usize));
            if !in_period || kept.contains(&(item.feed, item.id)) {
                continue;
            }
            match (self.keep)(&item) {
                Some(true) => {
                    kept.insert((item.feed, item.id));
                }
                Some(false) => {}
                None => return Err(serde::de::Error::custom("an item cannot be read back")),
            }
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

/// The part of a digest file after its magic and CRC, if the CRC holds.
fn checked_body(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (crc, body) = rest.split_first_chunk::<4>()?;
    (u32::from_le_bytes(*crc) == crc32fast::hash(body)).then_some(body)
}

/// What a span gives a briefing: its records' times, so that a briefing whose period starts or
/// ends inside the span takes what reading up to the end of the period gives; its steps, and
/// its items apart, each with its record's place in the span.
struct Contents {
    /// Each record's time but the first's, as its difference from the one before's.
    deltas: Vec<u64>,
    steps: Vec<(u32, Step)>,
    /// In the order of their records (the file has them newest first).
    items: Vec<PlacedItem>,
}

/// An item as a digest lays it out (`ItemRef` reads it back): its record's place in the span,
/// the fact, then the item's place (postcard runs a struct's fields together).
#[derive(Serialize)]
struct PlacedItem {
    at: u32,
    fact: ItemFact,
    #[serde(with = "super::place")]
    location: Location,
}

/// The file: the times come first, as bytes a briefing whose period holds the whole span skips
/// without reading; the items newest first, as a briefing takes them.
fn encode(header: &Header, contents: &Contents) -> Result<Vec<u8>, String> {
    let fail = |e: postcard::Error| format!("cannot encode a digest: {e}");
    let mut body = postcard::to_allocvec(header).map_err(fail)?;
    let deltas = postcard::to_allocvec(&contents.deltas).map_err(fail)?;
    body.extend(postcard::to_allocvec(&deltas).map_err(fail)?);
    body.extend(postcard::to_allocvec(&contents.steps).map_err(fail)?);
    let newest_first: Vec<&PlacedItem> = contents.items.iter().rev().collect();
    body.extend(postcard::to_allocvec(&newest_first).map_err(fail)?);
    let mut bytes = Vec::with_capacity(MAGIC.len() + 4 + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

/// The digest of records `first..=last`, made from the journal; none if the span does not
/// read back whole and clean (a digest is never made over damage).
fn make(journal: &Path, first: u64, last: u64) -> Result<Option<(Header, Contents)>, JournalError> {
    let all = Period { from: i64::MIN, to: i64::MAX };
    let span = span::read(Follower::from_seq(journal, first)?, all, (first, last + 1), Items::All, None)?;
    let whole = span.problems.is_empty()
        && span.provenance.first_seq == Some(first)
        && span.provenance.last_seq == Some(last)
        && span.provenance.records == last - first + 1;
    let (Some((_, prev)), Some((_, sum)), true) = (span.first, span.last, whole) else { return Ok(None) };
    // Where the lines are, and their hash, from a second reading of the same span.
    let mut pieces: Vec<(u32, u64, u64)> = Vec::new();
    let mut hasher = twox_hash::XxHash3_128::new();
    let mut next = first;
    let mut times: Vec<i64> = Vec::new();
    let problems = Follower::from_seq(journal, first)?.poll_lines(|raw, _| {
        if raw.seq < first {
            return true;
        }
        if raw.seq != next || trailer(raw.bytes).is_none_or(|(p, _)| raw.seq == first && p != prev) {
            return false;
        }
        next += 1;
        let end = raw.offset + raw.bytes.len() as u64 + 1;
        match pieces.last_mut() {
            Some((segment, _, piece_end)) if *segment == raw.segment && *piece_end == raw.offset => {
                *piece_end = end
            }
            _ => pieces.push((raw.segment, raw.offset, end)),
        }
        hasher.write(raw.bytes);
        hasher.write(b"\n");
        times.push(raw.ts_micros);
        raw.seq < last
    })?;
    if !problems.is_empty() || next != last + 1 {
        return Ok(None);
    }
    let text = |hash: Hash| String::from_utf8_lossy(&hash).into_owned();
    let xxh3 = hasher.finish_128();
    let (Some(&first_ts), Some(&last_ts)) = (times.first(), times.last()) else { return Ok(None) };
    let header = Header { first, last, prev: text(prev), sum: text(sum), first_ts, last_ts, pieces, xxh3 };
    // Time never runs backwards along a journal read whole.
    let deltas = times.windows(2).map(|w| w[1].abs_diff(w[0])).collect();
    let mut contents = Contents { deltas, steps: Vec::new(), items: Vec::new() };
    for (step, seq) in span.steps.into_iter().zip(span.stamps) {
        // Spans are thousands of records, never billions.
        let Ok(at) = u32::try_from(seq - first) else { return Ok(None) };
        match step {
            Step::Item(item) => {
                let (fact, location) = *item;
                contents.items.push(PlacedItem { at, fact, location });
            }
            step => contents.steps.push((at, step)),
        }
    }
    Ok(Some((header, contents)))
}

/// What `build` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Built {
    pub written: usize,
    /// Spans left without a digest because they are damaged, by first seq.
    pub damaged: Vec<u64>,
    /// Segments sealed (see `seal`).
    pub sealed: usize,
}

/// Writes a digest for every whole span of `SPAN` records the journal has and no digest of
/// this version covers, seals the finished segments whose digests all hash right, and removes
/// other versions' digests and seals and abandoned temporary files.
pub fn build(journal: &Path) -> Result<Built, String> {
    build_spans(journal, SPAN, usize::MAX)
}

/// `build`, writing at most `most` digests (a console's checkpoint writer takes a few at each
/// save, so that a console on a long journal without digests is never kept waiting at exit).
pub fn build_some(journal: &Path, most: usize) -> Result<Built, String> {
    build_spans(journal, SPAN, most)
}

/// `build` with spans of `span` records (tests use short ones; a briefing uses any digest it
/// finds, whatever its length).
pub fn build_spans(journal: &Path, span: u64, most: usize) -> Result<Built, String> {
    build_spans_settled(journal, span, most, seal::SETTLED)
}

/// `build_spans`, sealing only segments last changed at least `settled` ago (tests ask for
/// more than `SETTLED`, to see nothing sealed).
pub fn build_spans_settled(
    journal: &Path,
    span: u64,
    most: usize,
    settled: Duration,
) -> Result<Built, String> {
    let failed = |e: JournalError| format!("reading journal {}: {e}", journal.display());
    remove_foreign(journal);
    let last_seq = Follower::at_end(journal).map_err(failed)?.last_seq().unwrap_or(0);
    let have = list(journal);
    let dir = journal.join(DIR);
    let mut built = Built::default();
    // The segments the digests written now lie in: their seals must name them.
    let mut touched = BTreeSet::new();
    for k in 0..last_seq / span {
        let (first, last) = (k * span + 1, (k + 1) * span);
        if have.get(&first).is_some_and(|(l, _)| *l == last) {
            continue;
        }
        if built.written + built.damaged.len() >= most {
            break;
        }
        let Some((header, contents)) = make(journal, first, last).map_err(failed)? else {
            built.damaged.push(first);
            continue;
        };
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let bytes = encode(&header, &contents)?;
        crate::checkpoint::write_atomically(&dir.join(file_name(first, last)), |mut file| {
            use std::io::Write as _;
            file.write_all(&bytes)?;
            file.sync_all()
        })?;
        built.written += 1;
        touched.extend(header.pieces.iter().map(|(number, _, _)| *number));
    }
    built.sealed = seal_segments(journal, &touched, settled);
    Ok(built)
}

/// Seals each finished segment settled for `settled` that has no seal that holds, or over
/// which digests were just made (`touched`), if every digest with bytes in it hashes right:
/// the seal names them. Their bytes are read in full (no seal is taken on trust), but for
/// digests a seal that holds already names. A digest that does not hash right is removed (a
/// later build makes it again from the records, or finds them damaged). The number sealed.
fn seal_segments(journal: &Path, touched: &BTreeSet<u32>, settled: Duration) -> usize {
    let unsealed = seal::unsealed(journal, &Seals::read(journal, &tag()), touched, settled);
    if unsealed.is_empty() {
        return 0;
    }
    let digests = Digests { journal: journal.to_path_buf(), spans: list(journal), seals: Seals::default() };
    // Each segment's digests that hash right; none once one does not.
    let mut checked: BTreeMap<u32, Option<Vec<seal::Named>>> =
        unsealed.iter().map(|u| (u.number, Some(Vec::new()))).collect();
    let named: BTreeSet<(u32, seal::Named)> =
        unsealed.iter().flat_map(|u| u.named.iter().map(|n| (u.number, *n))).collect();
    let mut buffers = Buffers::default();
    for (first, (_, path)) in &digests.spans {
        let Some(header) = peek(path) else { continue };
        let name = (*first, header.xxh3);
        let segments: BTreeSet<u32> =
            header.pieces.iter().map(|(number, _, _)| *number).filter(|n| checked.contains_key(n)).collect();
        if segments.is_empty() {
            continue;
        }
        let trusted = segments.iter().all(|number| named.contains(&(*number, name)));
        let hashes_right = trusted
            || digests.header(*first, &mut buffers.file).is_some_and(|(header, _)| {
                let at = header.pieces.first().map(|&(number, start, _)| (number, start));
                let right = at.and_then(|at| digests.unchanged(&header, at, &mut buffers.journal, None));
                right.is_some() && (header.first, header.xxh3) == name
            });
        if !hashes_right {
            let _ = fs::remove_file(path);
        }
        for number in segments {
            let Some(Some(names)) = checked.get_mut(&number) else { continue };
            if hashes_right {
                names.push(name);
            } else {
                checked.insert(number, None);
            }
        }
    }
    let mut sealed = 0;
    for unsealed in unsealed {
        // A segment no digest was checked over is left unsealed: a seal would name nothing.
        let Some(Some(names)) = checked.remove(&unsealed.number) else { continue };
        if !names.is_empty() && seal::write(journal, &tag(), unsealed.number, unsealed.status, names) {
            sealed += 1;
        }
    }
    sealed
}

/// A digest file's header, read alone and not checked: only to find the digests a seal
/// depends on (each then read whole and checked, unless a seal that holds names it).
fn peek(path: &Path) -> Option<Header> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(4096);
    fs::File::open(path).ok()?.take(4096).read_to_end(&mut head).ok()?;
    let body = head.strip_prefix(MAGIC)?.get(4..)?;
    match postcard::take_from_bytes::<Header>(body) {
        Ok((header, _)) => Some(header),
        // A header longer than that (a span over many small segments): read it all.
        Err(_) => {
            let whole = fs::read(path).ok()?;
            let body = whole.strip_prefix(MAGIC)?.get(4..)?;
            Some(postcard::take_from_bytes::<Header>(body).ok()?.0)
        }
    }
}

fn remove_foreign(journal: &Path) {
    crate::checkpoint::remove_abandoned(&journal.join(DIR));
    let tag = tag();
    let ours = format!(".{tag}{SUFFIX}");
    let Ok(entries) = fs::read_dir(journal.join(DIR)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_str().unwrap_or("");
        if name.ends_with(SUFFIX) && !name.ends_with(&ours) || seal::foreign(name, &tag) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A digest that does not say what its span's records say.
#[derive(Debug, PartialEq, Eq)]
pub struct Wrong {
    pub path: PathBuf,
    pub why: String,
}

/// Rebuilds every digest of this version from the journal and compares: a digest that differs
/// (forged, or made by a faulty build) or cannot be read is reported. Slow: it parses every
/// record a digest covers.
pub fn verify(journal: &Path) -> Result<Vec<Wrong>, String> {
    let failed = |e: JournalError| format!("reading journal {}: {e}", journal.display());
    let mut wrong = Vec::new();
    for (first, (last, path)) in list(journal) {
        let why = match (fs::read(&path), make(journal, first, last).map_err(failed)?) {
            (Err(e), _) => Some(format!("cannot be read: {e}")),
            (Ok(_), None) => Some("its records are damaged or missing".to_string()),
            (Ok(bytes), Some((header, contents))) => {
                (bytes != encode(&header, &contents)?).then(|| "it does not match its records".to_string())
            }
        };
        if let Some(why) = why {
            wrong.push(Wrong { path, why });
        }
    }
    Ok(wrong)
}
