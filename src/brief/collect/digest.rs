//! Digests: what a briefing takes from a span of records (its steps, and every notable item
//! with a place), worked out once and kept beside the journal in `digests/`. A briefing of a
//! week still reads and checks every record of the week, but parses only those outside whole
//! digested spans: parsing is most of what a briefing costs.
//!
//! The journal stays the truth. A digest names its span and the `sum` of the span's last
//! record, which by the chain vouches for every record before it; a briefing takes a digest's
//! steps only after reading the whole span back clean (each record's sum checked, no gap) and
//! meeting that sum. Anything else (damage, a rewritten journal, an unreadable or foreign
//! file) and the span's records are parsed as if there were no digest. `journal verify`
//! rebuilds each digest and compares, so a forged one is found.
//!
//! Format: `MAGIC`, a CRC-32 of the rest (against a damaged disk, not a forger), then the
//! `Body` in postcard. The file name carries the writing version; others are not read.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::span::{self, Items, Period, Step};
use crate::journal::format::Hash;
use crate::journal::{Follower, JournalError};

pub const DIR: &str = "digests";
/// Records per digest: digest k covers records `k * SPAN + 1` to `(k + 1) * SPAN`.
pub const SPAN: u64 = 10_000;
/// Changes when `Step` or what a briefing reads from a record changes.
const FORMAT: u32 = 1;
const MAGIC: &[u8] = b"attache digest\n";
const SUFFIX: &str = ".bin";

#[derive(Serialize, Deserialize)]
struct Body {
    first: u64,
    last: u64,
    /// The `sum` of record `last`, as the journal writes it (hex).
    sum: String,
    steps: Vec<Step>,
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

/// The digests a briefing may use, listed once.
pub(super) struct Digests {
    spans: BTreeMap<u64, (u64, PathBuf)>,
    /// The first record past the period: a span reaching it is not the period's.
    stop: u64,
}

impl Digests {
    pub(super) fn open(journal: &Path, stop: u64) -> Self {
        Digests { spans: list(journal), stop }
    }

    /// Whether a digest starts at `seq` and ends before `end` and the period's end.
    pub(super) fn covers(&self, seq: u64, end: u64) -> bool {
        self.spans.get(&seq).is_some_and(|(last, _)| *last < end.min(self.stop))
    }

    /// The last record of the digest starting at `first` (none: `first` itself).
    pub(super) fn last_of(&self, first: u64) -> u64 {
        self.spans.get(&first).map_or(first, |(last, _)| *last)
    }

    /// The steps of the digest starting at `first`, if its file reads back whole and names
    /// `sum` as its last record's.
    pub(super) fn steps(&self, first: u64, sum: &Hash) -> Option<Vec<Step>> {
        let (last, path) = self.spans.get(&first)?;
        let body = load(path)?;
        (body.first == first && body.last == *last && body.sum.as_bytes() == sum).then_some(body.steps)
    }
}

fn load(path: &Path) -> Option<Body> {
    let bytes = fs::read(path).ok()?;
    let rest = bytes.strip_prefix(MAGIC)?;
    let (crc, body) = rest.split_first_chunk::<4>()?;
    if u32::from_le_bytes(*crc) != crc32fast::hash(body) {
        return None;
    }
    postcard::from_bytes(body).ok()
}

fn encode(body: &Body) -> Result<Vec<u8>, String> {
    let payload = postcard::to_allocvec(body).map_err(|e| format!("cannot encode a digest: {e}"))?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + 4 + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    Ok(bytes)
}

/// The digest of records `first..=last`, made from the journal; none if the span does not
/// read back whole and clean (a digest is never made over damage).
fn make(journal: &Path, first: u64, last: u64) -> Result<Option<Body>, JournalError> {
    let follower = Follower::from_seq(journal, first)?;
    let all = Period { from: i64::MIN, to: i64::MAX };
    let span = span::read(follower, all, (first, last + 1), Items::All, None)?;
    let whole = span.problems.is_empty()
        && span.provenance.first_seq == Some(first)
        && span.provenance.last_seq == Some(last)
        && span.provenance.records == last - first + 1;
    Ok(match (whole, span.head) {
        (true, Some(sum)) => {
            Some(Body { first, last, sum: String::from_utf8_lossy(&sum).into_owned(), steps: span.steps })
        }
        _ => None,
    })
}

/// What `build` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Built {
    pub written: usize,
    /// Spans left without a digest because they are damaged, by first seq.
    pub damaged: Vec<u64>,
}

/// Writes a digest for every whole span of `SPAN` records the journal has and no digest of
/// this version covers, and removes other versions' digests.
pub fn build(journal: &Path) -> Result<Built, String> {
    build_spans(journal, SPAN)
}

/// `build` with spans of `span` records (tests use short ones; a briefing uses any digest it
/// finds, whatever its length).
pub fn build_spans(journal: &Path, span: u64) -> Result<Built, String> {
    let failed = |e: JournalError| format!("reading journal {}: {e}", journal.display());
    remove_foreign(journal);
    let last_seq = Follower::at_end(journal).map_err(failed)?.last_seq().unwrap_or(0);
    let have = list(journal);
    let dir = journal.join(DIR);
    let mut built = Built::default();
    for k in 0..last_seq / span {
        let (first, last) = (k * span + 1, (k + 1) * span);
        if have.get(&first).is_some_and(|(l, _)| *l == last) {
            continue;
        }
        let Some(body) = make(journal, first, last).map_err(failed)? else {
            built.damaged.push(first);
            continue;
        };
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        write(&dir.join(file_name(first, last)), &encode(&body)?)?;
        built.written += 1;
    }
    Ok(built)
}

/// Written to a temporary file of this process's and renamed: a crash or a second writer
/// never leaves half a digest under a real name.
fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let temporary = path.with_extension(format!("{}.tmp", std::process::id()));
    let written = (|| {
        use std::io::Write;
        let mut file = fs::File::options().write(true).create_new(true).open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written.map_err(|e| format!("cannot write digest {}: {e}", path.display()))
}

fn remove_foreign(journal: &Path) {
    let ours = format!(".{}{SUFFIX}", tag());
    let Ok(entries) = fs::read_dir(journal.join(DIR)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_str().unwrap_or("");
        if name.ends_with(SUFFIX) && !name.ends_with(&ours) {
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
            (Ok(bytes), Some(body)) => {
                (bytes != encode(&body)?).then(|| "it does not match its records".to_string())
            }
        };
        if let Some(why) = why {
            wrong.push(Wrong { path, why });
        }
    }
    Ok(wrong)
}

/// `Location` in a form postcard reads back (it cannot read an internally tagged enum).
pub mod place {
    use crate::domain::Location;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    enum Place {
        Point(f64, f64),
        Circle(f64, f64, f64),
        Polygon(Vec<[f64; 2]>),
        Bbox(f64, f64, f64, f64),
        Multi(Vec<Place>),
    }

    fn place(location: &Location) -> Place {
        match location {
            Location::Point { lat, lon } => Place::Point(*lat, *lon),
            Location::Circle { lat, lon, radius_km } => Place::Circle(*lat, *lon, *radius_km),
            Location::Polygon { points } => Place::Polygon(points.clone()),
            Location::Bbox { lat_min, lat_max, lon_min, lon_max } => {
                Place::Bbox(*lat_min, *lat_max, *lon_min, *lon_max)
            }
            Location::Multi { parts } => Place::Multi(parts.iter().map(place).collect()),
        }
    }

    fn location(place: Place) -> Location {
        match place {
            Place::Point(lat, lon) => Location::Point { lat, lon },
            Place::Circle(lat, lon, radius_km) => Location::Circle { lat, lon, radius_km },
            Place::Polygon(points) => Location::Polygon { points },
            Place::Bbox(lat_min, lat_max, lon_min, lon_max) => {
                Location::Bbox { lat_min, lat_max, lon_min, lon_max }
            }
            Place::Multi(parts) => Location::Multi { parts: parts.into_iter().map(location).collect() },
        }
    }

    pub fn serialize<S: Serializer>(location: &Location, s: S) -> Result<S::Ok, S::Error> {
        place(location).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Location, D::Error> {
        Place::deserialize(d).map(location)
    }
}
