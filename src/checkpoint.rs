//! Checkpoints: the desk state folded up to some record, saved beside the journal so that a
//! reader starts near where it wants to be instead of at the journal's first record: a console
//! opening a long journal, a briefing of last week, a replay started at a time. A checkpoint is
//! a cache, like the journal's index: before use it is checked against the journal (the record
//! it was taken at must still carry the same `sum`, and the version that wrote it must be this
//! one), and one that fails the check is ignored and later replaced, never trusted.
//!
//! Files: `checkpoints/<seq>.<tag>.json.gz` in the journal directory, the tag naming the version
//! that wrote it (another version's are removed, not kept as if they covered their place),
//! gzip-compressed (a desk state of a few MB of JSON shrinks about tenfold): a header line
//! (version, seq, sum), then the state as one JSON line.
//!
//! Kept: the newest `KEEP`, and the oldest of every span of `EVERY` records, so that any point
//! of the record has a checkpoint at most about `2 * EVERY` records before it.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::journal::marks::{self, Header, SUFFIX};
use crate::journal::{Follower, JournalError, format};
use crate::state::DeskState;

pub use crate::journal::marks::DIR;
/// The newest checkpoints kept whatever their place.
pub const KEEP: usize = 2;
/// A checkpoint is written once this many records were folded since the last one, and one is
/// kept for every span of this many records.
pub const EVERY: u64 = 10_000;
/// Changes when the reducer or the state's shape changes, so old checkpoints are not used.
const STATE_FORMAT: u32 = 14;

fn version() -> String {
    format!("attache {} state {STATE_FORMAT}", env!("CARGO_PKG_VERSION"))
}

/// The part of a file name that says which version wrote it.
fn tag() -> String {
    format!("v{}s{STATE_FORMAT}", env!("CARGO_PKG_VERSION"))
}

/// The sum the journal holds for record `seq`, read through the index.
fn sum_at(journal: &Path, seq: u64) -> Result<Option<String>, JournalError> {
    let mut follower = Follower::from_seq(journal, seq)?;
    let mut found = None;
    follower.poll_lines(|raw, _| {
        if raw.seq == seq {
            found = format::trailer(raw.bytes).map(|(_, sum)| String::from_utf8_lossy(&sum).into_owned());
        }
        false
    })?;
    Ok(found)
}

/// Saves `state` as a checkpoint at its last record, written to a temporary file and renamed,
/// so a crash never leaves a half checkpoint under a real name.
pub fn save(journal: &Path, state: &DeskState) -> Result<PathBuf, String> {
    let seq = state.last_seq();
    let sum =
        sum_at(journal, seq).map_err(|e| e.to_string())?.ok_or_else(|| format!("record {seq} not found"))?;
    let header = Header { version: version(), seq, sum };
    let dir = journal.join(DIR);
    crate::desk_files::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{seq:012}.{}{SUFFIX}", tag()));
    crate::desk_files::write_atomically(&path, |file| {
        // Level 2: zlib-rs's level 1 skips Huffman tables (+7% on disk); 2 is as quick to read.
        let mut out = std::io::BufWriter::new(GzEncoder::new(file, Compression::new(2)));
        write_lines(&mut out, &header, state)?;
        out.into_inner().map_err(|e| e.into_error())?.finish()?.sync_all()
    })?;
    prune(journal);
    Ok(path)
}

fn write_lines(out: &mut impl Write, header: &Header, state: &DeskState) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, header)?;
    out.write_all(b"\n")?;
    serde_json::to_writer(&mut *out, state)?;
    out.write_all(b"\n")
}

/// Removes the checkpoints neither among the newest `KEEP` nor the oldest of their span of
/// `EVERY` records, and those another version wrote.
fn prune(journal: &Path) {
    let found = list(journal);
    let newest = found.len().saturating_sub(KEEP);
    let mut last_span = None;
    for (i, (seq, path)) in found.iter().enumerate() {
        let span = seq / EVERY;
        let first_of_span = last_span != Some(span);
        last_span = Some(span);
        if !first_of_span && i < newest {
            let _ = fs::remove_file(path);
        }
    }
    crate::desk_files::remove_abandoned(&journal.join(DIR));
    // Another version's (and the first format's plain `<seq>.json`, and the `.carry.json` files
    // older versions kept beside theirs): this one never uses them.
    let ours = format!(".{}{SUFFIX}", tag());
    if let Ok(entries) = fs::read_dir(journal.join(DIR)) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_str().unwrap_or("");
            if (name.ends_with(".json") || name.ends_with(SUFFIX)) && !name.ends_with(&ours) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// This version's checkpoint files, oldest first, with the seq each was taken at.
fn list(journal: &Path) -> Vec<(u64, PathBuf)> {
    marks::files(journal, &format!(".{}{SUFFIX}", tag()))
}

/// The records the checkpoints beside `journal` were taken at, oldest first (not yet checked).
pub fn taken_at(journal: &Path) -> Vec<u64> {
    list(journal).into_iter().map(|(seq, _)| seq).collect()
}

/// The newest checkpoint that checks out against the journal, as the state and a follower
/// positioned just after its record; else an empty state and a follower from the start.
pub fn resume(journal: &Path) -> (DeskState, Follower) {
    resume_before(journal, u64::MAX).unwrap_or_else(|| (DeskState::default(), Follower::new(journal)))
}

/// What a checkpoint restores: the whole state, or what a briefing carries over from it.
pub trait Restored: serde::de::DeserializeOwned {
    fn last_seq(&self) -> u64;
}

impl Restored for DeskState {
    fn last_seq(&self) -> u64 {
        DeskState::last_seq(self)
    }
}

impl Restored for crate::state::Carried {
    fn last_seq(&self) -> u64 {
        self.last_seq
    }
}

/// The newest checkpoint taken at record `seq` or before that checks out against the journal,
/// as the state (or what of it `T` keeps) and a follower positioned just after its record.
pub fn resume_before<T: Restored>(journal: &Path, seq: u64) -> Option<(T, Follower)> {
    list(journal)
        .into_iter()
        .rev()
        .filter(|(at, _)| *at <= seq)
        .find_map(|(at, path)| load(journal, at, &path))
}

fn load<T: Restored>(journal: &Path, seq: u64, path: &Path) -> Option<(T, Follower)> {
    load_from(journal, seq, &mut BufReader::new(GzDecoder::new(fs::File::open(path).ok()?)))
}

/// Reads a header line and a state from `text`, and checks them against the journal.
fn load_from<T: Restored>(journal: &Path, seq: u64, text: &mut impl BufRead) -> Option<(T, Follower)> {
    let header = marks::read_header(text)?;
    if header.version != version() || header.seq != seq {
        return None;
    }
    // The follower reads the checkpoint's own record (checking its sum), then carries on.
    let mut follower = Follower::from_seq(journal, seq).ok()?;
    let mut matches = false;
    follower
        .poll_lines(|raw, _| {
            matches = raw.seq == seq
                && format::trailer(raw.bytes).is_some_and(|(_, sum)| sum == header.sum.as_bytes());
            false
        })
        .ok()?;
    if !matches {
        return None;
    }
    let mut state = Vec::new();
    text.read_to_end(&mut state).ok()?;
    // Checked as UTF-8 once as a whole: from bytes, serde would check every string one by one.
    let state: T = serde_json::from_str(std::str::from_utf8(&state).ok()?).ok()?;
    (state.last_seq() == seq).then_some((state, follower))
}

/// What `build` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Built {
    pub records: u64,
    pub written: usize,
    pub problems: Vec<String>,
}

/// The file a process holds while it writes checkpoints along the journal (`build`), so that
/// two briefings that both found none do not fold the journal twice.
const BUILD_LOCK: &str = ".build.lock";

/// Folds the journal and writes the checkpoints a console would have left along it (one every
/// `EVERY` records) where there is none yet: for a journal written by another version, a
/// generator or an import. Spans that already have one of this version's are left as they are,
/// and folding starts from the newest checkpoint before the first span without one. Refused
/// while another process builds along the same journal.
pub fn build(journal: &Path, mut progress: impl FnMut(u64)) -> Result<Built, String> {
    let _lock = build_lock(journal)?;
    let have: Vec<u64> = list(journal).iter().map(|(seq, _)| seq / EVERY).collect();
    let first_missing = (1..).find(|span| !have.contains(span)).unwrap_or(1);
    let last = Follower::at_end(journal).map_err(|e| e.to_string())?.last_seq().unwrap_or(0);
    if first_missing * EVERY > last {
        return Ok(Built::default());
    }
    let (mut state, mut follower) = resume_before(journal, first_missing * EVERY)
        .unwrap_or_else(|| (DeskState::default(), Follower::new(journal)));
    let mut built = Built::default();
    loop {
        let (records, problems) = follower.poll_up_to(EVERY as usize).map_err(|e| e.to_string())?;
        built.problems.extend(problems.iter().map(|p| p.to_string()));
        let done = records.len() < EVERY as usize;
        for record in records {
            let span = record.seq / EVERY;
            let take = record.seq % EVERY == 0 && !have.contains(&span);
            state.fold(record);
            built.records += 1;
            if take {
                save(journal, &state)?;
                built.written += 1;
            }
        }
        progress(built.records);
        if done {
            return Ok(built);
        }
    }
}

fn build_lock(journal: &Path) -> Result<fs::File, String> {
    let dir = journal.join(DIR);
    crate::desk_files::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(BUILD_LOCK);
    let file = crate::desk_files::open_or_create(&path, fs::File::options().write(true))
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(format!(
            "another process is writing checkpoints along {} (it holds {})",
            journal.display(),
            path.display()
        )),
        Err(fs::TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

/// Whether a reader starting at record `seq` finds no checkpoint within two spans before it, so
/// that it folds more of the journal than a console's checkpoints would have let it.
pub fn missing_before(journal: &Path, seq: u64) -> bool {
    let nearest = taken_at(journal).into_iter().rev().find(|&at| at <= seq).unwrap_or(0);
    seq - nearest >= 2 * EVERY
}

/// Starts `attache journal checkpoint` on `journal` as a process of its own, detached and at a
/// low priority, and does not wait for it: a briefing that had to fold a long stretch leaves the
/// checkpoints behind for the next one without making its reader wait for them.
pub fn leave_behind(journal: &Path) -> std::io::Result<()> {
    use std::os::unix::process::CommandExt as _;
    use std::process::{Command, Stdio};
    let mut builder = Command::new(std::env::current_exe()?);
    builder
        .arg("--journal")
        .arg(journal)
        .args(["journal", "checkpoint"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group: a Ctrl-C meant for the briefing's pipeline does not stop it.
        .process_group(0);
    // SAFETY: nice(2) only, between fork and exec; it touches no memory of the parent's.
    unsafe {
        builder.pre_exec(|| {
            libc::nice(10);
            Ok(())
        });
    }
    builder.spawn().map(drop)
}

/// Writes checkpoints in a thread of its own, so a console never waits
/// on one: writing a few MB of state, compressed, takes tens of milliseconds.
pub struct Saver {
    journal: PathBuf,
    running: Option<std::thread::JoinHandle<Result<PathBuf, String>>>,
}

impl Saver {
    pub fn new(journal: &Path) -> Self {
        Saver { journal: journal.to_path_buf(), running: None }
    }

    /// Starts saving `state` unless the last save is still under way; returns whether it
    /// started, and the last save's error if it failed.
    pub fn offer(&mut self, state: &DeskState) -> (bool, Option<String>) {
        if self.running.as_ref().is_some_and(|r| !r.is_finished()) {
            return (false, None);
        }
        let failed = self.collect();
        let (journal, state) = (self.journal.clone(), state.clone());
        self.running = Some(std::thread::spawn(move || save(&journal, &state)));
        (true, failed)
    }

    /// Waits for the save under way, if any; its error if it failed.
    pub fn finish(&mut self) -> Option<String> {
        self.collect()
    }

    fn collect(&mut self) -> Option<String> {
        match self.running.take()?.join() {
            Ok(Ok(_)) => None,
            Ok(Err(why)) => Some(why),
            Err(_) => Some("the checkpoint writer panicked".into()),
        }
    }
}
