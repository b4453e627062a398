//! Making digests: from a span of records read whole and clean, written beside the journal;
//! sealing the finished segments whose digests hash right (`seal`); rebuilding every digest to
//! check it (`journal verify --digests`).

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::super::ItemFact;
use super::super::seal::{self, Seals};
use super::super::span::{self, Items, Period, Step};
use super::{Buffers, DIR, Digests, Header, MAGIC, Opened, SPAN, SUFFIX, file_name, list, tag};
use crate::domain::Location;
use crate::journal::format::{Hash, trailer};
use crate::journal::{Follower, JournalError};

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
    #[serde(with = "super::super::place")]
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
        crate::desk_files::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let bytes = encode(&header, &contents)?;
        crate::desk_files::write_atomically(&dir.join(file_name(first, last)), |mut file| {
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
    let digests = Digests { spans: list(journal), ..Digests::none(journal) };
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
            || digests.header(*first, &mut buffers.file).is_some_and(|Opened { header, .. }| {
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

/// Removes abandoned temporary files, other versions' digests, seals and nearness files, and
/// nearness files whose digest is gone.
fn remove_foreign(journal: &Path) {
    crate::checkpoint::remove_abandoned(&journal.join(DIR));
    let tag = tag();
    let ours = format!(".{tag}{SUFFIX}");
    let dir = journal.join(DIR);
    let Ok(entries) = fs::read_dir(&dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_str().unwrap_or("");
        let foreign = name.ends_with(SUFFIX) && !name.ends_with(&ours);
        if foreign || seal::foreign(name, &tag) || super::nearness::unused(&dir, name, &tag) {
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
