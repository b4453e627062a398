//! Command-line writers and a damaged journal. A writer's open checks the journal's end
//! against its head, and the records after the last index entry; a command that appends
//! (`note`, `poll --once`) also checks every record no reader has checked yet: those after the
//! newest checkpoint whose record still has its sum (the ones before were checked when it was
//! folded), or, with no such checkpoint, the whole journal as `journal verify` does. It is
//! refused at the first damaged record unless the operator says to write after the damage,
//! which is then the first thing journaled. `journal verify` still reads every record.

use chrono::Utc;
use std::fs::File;
use std::path::Path;

use super::format;
use super::head::{self, Found};
use super::scan::{self, Chain, Line, ReadProblem};
use super::{Follower, JournalError, Options, Writer, recover, segment, verify};
use crate::event::Event;

/// What the writers' check finds: the first damaged record and how many it found.
#[derive(Debug)]
pub struct Damage {
    pub first: ReadProblem,
    pub count: u64,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let records = crate::words::count(self.count, "damaged record", "damaged records");
        write!(f, "{records} found, the first at {}", self.first)
    }
}

/// The journal's damage a writer must not append after, if any (a torn last record is not
/// damage: the writer moves it aside).
pub fn find(dir: &Path) -> Result<Option<Damage>, JournalError> {
    let numbers = segment::list(dir)?;
    // Read before the records: every record it names was written before they are looked at.
    let found = head::read(dir)?;
    let Some(&last) = numbers.last() else {
        // No segment at all: damage only if a head says there were records.
        let end =
            head::End { seq: 0, sum: None, path: segment::segment_path(dir, 1), offset: 0, torn: false };
        let problem = match (&found, head::expected(dir, &found)) {
            (Found::Damaged(why), _) => Some(head::damaged(dir, why)),
            (_, Some((h, what))) => head::compare(&h, &end, &what, |_| Ok(None))?,
            (_, None) => None,
        };
        return Ok(problem.map(|first| Damage { first, count: 1 }));
    };
    let checked = super::marks::marks(dir)
        .into_iter()
        .find_map(|(seq, sum)| since(dir, &numbers, seq, sum.as_bytes()).transpose());
    let Some(checked) = checked else {
        // No checkpoint to start from: everything, the head included, as verify checks it.
        let report = verify::verify(dir)?;
        return Ok(Damage::of(report.problems.into_iter().next(), report.problem_count));
    };
    let mut damage = checked?;
    let at_end = match (&found, head::expected(dir, &found)) {
        (Found::Damaged(why), _) => Some(head::damaged(dir, why)),
        (_, Some((h, what))) => match recover::end(dir, last, true) {
            Ok(end) => head::compare(&h, &end, &what, |seq| head::record_at(dir, seq))?,
            Err(JournalError::Corrupt(problem)) => Some(*problem),
            Err(e) => return Err(e),
        },
        (_, None) => None,
    };
    if let Some(problem) = at_end {
        match &mut damage {
            Some(damage) => damage.count += 1,
            None => damage = Some(Damage { first: problem, count: 1 }),
        }
    }
    Ok(damage)
}

impl Damage {
    fn of(first: Option<ReadProblem>, count: u64) -> Option<Self> {
        first.map(|first| Damage { first, count })
    }
}

/// The damage in the records after record `seq`, checked from it on; None when record `seq`
/// no longer has `sum` (the checkpoint does not hold, and proves nothing).
fn since(dir: &Path, numbers: &[u32], seq: u64, sum: &[u8]) -> Result<Option<Option<Damage>>, JournalError> {
    let mut at = None;
    Follower::from_seq(dir, seq)?.poll_lines(|raw, _| {
        if let Some((_, found)) = format::trailer(raw.bytes)
            && raw.seq == seq
            && found == sum
        {
            at = Some((raw.segment, raw.offset + raw.bytes.len() as u64 + 1, raw.ts_micros, found));
        }
        false
    })?;
    let Some((first, mut offset, ts_micros, sum)) = at else { return Ok(None) };
    let mut chain = Chain { seq, sum, ts_micros, linked: true };
    let (mut problem, mut count) = (None, 0);
    for (i, &number) in numbers.iter().enumerate().filter(|(_, n)| **n >= first) {
        let path = segment::segment_path(dir, number);
        let file = File::open(&path).map_err(|source| JournalError::Open { path: path.clone(), source })?;
        let len = file.metadata().map_err(|source| JournalError::Read { path: path.clone(), source })?.len();
        let end = scan::region(&file, &path, offset.min(len), len, &mut chain, |line| {
            if let Line::Bad(bad) = line {
                count += 1;
                problem.get_or_insert(bad);
            }
            true
        })?;
        // Part of a line at the end of the last segment is a torn tail, not damage.
        if end < len && i + 1 < numbers.len() {
            count += 1;
            let message = "the segment ends in part of a line".to_string();
            problem.get_or_insert(ReadProblem { path, offset: end, seq: None, message });
        }
        offset = 0;
    }
    Ok(Some(Damage::of(problem, count)))
}

impl Writer {
    /// Opens the journal for a command-line writer acting for `operator`: refused with
    /// `JournalError::Damaged` when the journal is damaged anywhere, unless `after_damage`,
    /// when a `journal.written_after_damage` record saying what was found is appended first.
    pub fn open_checked(dir: &Path, operator: &str, after_damage: bool) -> Result<Self, JournalError> {
        let Some(damage) = find(dir)? else { return Self::open(dir) };
        if !after_damage {
            return Err(JournalError::Damaged(Box::new(damage)));
        }
        let mut writer = Self::open_past_damage(dir, Options::default())?;
        let record =
            Event::JournalWrittenAfterDamage { operator: operator.to_string(), damage: damage.to_string() };
        writer.append(operator, Utc::now(), vec![record])?;
        // The loss is on record now: the journal's end is where it goes on from.
        writer.reset_head()?;
        Ok(writer)
    }
}
