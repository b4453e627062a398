//! Checking a whole journal: every record's sum, the chain within and across segments, and every
//! index entry. Segments are checked in parallel (each knows where its chain starts from its
//! first record's `prev`), then their ends are matched up, and the last one with the journal's
//! head (`head`): a journal that ends before its head lost records.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::format::{self, Hash};
use super::head::{self, End, Found};
use super::scan::{self, Chain, Line, ReadProblem};
use super::segment::{self, IndexEntry};
use super::{JournalError, LOCK_NAME};

/// How many problems are kept for the report; the rest are counted.
const KEEP: usize = 20;

#[derive(Debug, Default)]
pub struct Report {
    pub records: u64,
    pub segments: usize,
    pub first: Option<(u64, i64)>,
    pub last: Option<(u64, i64)>,
    /// The last record's sum: the value to note down to detect a rewrite of history later.
    pub head: Option<Hash>,
    /// Damaged records, in journal order (at most `KEEP`), and how many there are in all.
    pub problems: Vec<ReadProblem>,
    pub problem_count: u64,
    /// Index entries that do not point at the record they name.
    pub index_problems: Vec<String>,
    /// Bytes after the last record of the last segment that are not a whole line: a torn tail
    /// that the next writer to open the journal moves aside.
    pub torn_tail: Option<(PathBuf, u64, u64)>,
    /// Records but no head file: a journal written by a version that kept none, whose end
    /// cannot be checked until a writer starts keeping one.
    pub no_head: bool,
}

impl Report {
    pub fn intact(&self) -> bool {
        self.problem_count == 0 && self.index_problems.is_empty()
    }
}

#[derive(Default)]
struct SegmentReport {
    records: u64,
    first: Option<(u64, Hash, i64)>,
    last: Option<Chain>,
    problems: Vec<ReadProblem>,
    problem_count: u64,
    index_problems: Vec<String>,
    end: u64,
    len: u64,
    /// The highest seq read, from good lines or damaged ones.
    last_seq: u64,
    /// The record the head names, if in this segment: its sum and offset, or None when damaged.
    at_head: Option<Option<(Hash, u64)>>,
}

pub fn verify(dir: &Path) -> Result<Report, JournalError> {
    let numbers = segment::list(dir)?;
    // Read before the lengths: every record it names was written before them.
    let found = head::read(dir)?;
    let expected = head::expected(dir, &found);
    let wanted = expected.as_ref().map(|(h, _)| h.seq);
    let lengths = lengths_under_lock(dir, &numbers)?;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<SegmentReport, JournalError>>>> =
        Mutex::new((0..numbers.len()).map(|_| None).collect());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(numbers.len()).max(1);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&number) = numbers.get(i) else { return };
                    let result = check_segment(dir, number, lengths[i], wanted);
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(result);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut report = Report { segments: numbers.len(), ..Report::default() };
    let mut before: Option<Chain> = None;
    let mut end = End { seq: 0, sum: None, path: segment::segment_path(dir, 1), offset: 0, torn: false };
    let mut at_head = None;
    for (i, result) in results.into_iter().enumerate() {
        let seg = result.unwrap_or_else(|| Ok(SegmentReport::default()))?;
        let path = segment::segment_path(dir, numbers[i]);
        let torn = seg.end < seg.len;
        end = End { seq: end.seq.max(seg.last_seq), sum: None, path: path.clone(), offset: seg.end, torn };
        if let Some(found) = seg.at_head {
            at_head = Some(found.map(|(sum, offset)| (sum, path.clone(), offset)));
        }
        // Link this segment's first record to the last record of the one before (the first
        // segment's link to the start of the journal is checked with its records).
        if let (Some((seq, prev, _)), Some(before)) = (seg.first, before)
            && (prev != before.sum || seq != before.seq + 1)
        {
            push(
                &mut report,
                ReadProblem {
                    path: path.clone(),
                    offset: 0,
                    seq: Some(seq),
                    message: format!(
                        "the segment does not continue the one before it (which ends at seq {}): records are \
                     missing or out of order",
                        before.seq
                    ),
                },
            );
        }
        let unkept = seg.problem_count - seg.problems.len() as u64;
        for problem in seg.problems {
            push(&mut report, problem);
        }
        report.problem_count += unkept;
        report.index_problems.extend(seg.index_problems);
        if let Some((seq, _, ts)) = seg.first
            && report.first.is_none()
        {
            report.first = Some((seq, ts));
        }
        if let Some(last) = seg.last {
            report.last = Some((last.seq, last.ts_micros));
            report.head = Some(last.sum);
            before = Some(last);
        }
        report.records += seg.records;
        end.sum = report.last.filter(|(seq, _)| *seq == end.seq).and(report.head);
        if seg.end < seg.len {
            let message = "the segment ends in part of a line".to_string();
            if i + 1 == numbers.len() {
                report.torn_tail = Some((path, seg.end, seg.len - seg.end));
            } else {
                push(&mut report, ReadProblem { path, offset: seg.end, seq: None, message });
            }
        }
    }
    report.no_head = found == Found::None && report.records > 0;
    match (found, expected) {
        (Found::Damaged(why), _) => push(&mut report, head::damaged(dir, &why)),
        // A damaged record at the head's seq is reported already, as what it is.
        (_, Some(_)) if at_head == Some(None) => {}
        (_, Some((h, what))) => {
            if let Some(problem) = head::compare(&h, &end, &what, |_| Ok(at_head.flatten()))? {
                push(&mut report, problem);
            }
        }
        (_, None) => {}
    }
    Ok(report)
}

fn push(report: &mut Report, problem: ReadProblem) {
    report.problem_count += 1;
    if report.problems.len() < KEEP {
        report.problems.push(problem);
    }
}

/// The segments' lengths as of one moment between appends (taking the writers' lock briefly),
/// so a record being written while verify runs is not mistaken for a torn tail.
fn lengths_under_lock(dir: &Path, numbers: &[u32]) -> Result<Vec<u64>, JournalError> {
    let lock = File::open(dir.join(LOCK_NAME)).ok();
    let locked = lock.as_ref().is_some_and(|l| l.lock_shared().is_ok());
    let lengths = numbers
        .iter()
        .map(|&n| {
            let path = segment::segment_path(dir, n);
            std::fs::metadata(&path).map(|m| m.len()).map_err(|source| JournalError::Read { path, source })
        })
        .collect();
    if locked && let Some(lock) = &lock {
        let _ = lock.unlock();
    }
    lengths
}

fn check_segment(
    dir: &Path,
    number: u32,
    len: u64,
    wanted: Option<u64>,
) -> Result<SegmentReport, JournalError> {
    let path = segment::segment_path(dir, number);
    let file = File::open(&path).map_err(|source| JournalError::Open { path: path.clone(), source })?;
    let entries = segment::read_index(dir, number, len);
    let index_bytes = std::fs::metadata(segment::index_path(dir, number)).map_or(0, |m| m.len());
    let mut report = SegmentReport { len, ..SegmentReport::default() };
    let consistent = (entries.len() * segment::ENTRY) as u64;
    if index_bytes / segment::ENTRY as u64 > entries.len() as u64 {
        report.index_problems.push(format!(
            "{}: entries after the first {} are out of order or past the end of the segment",
            segment::index_path(dir, number).display(),
            consistent / segment::ENTRY as u64
        ));
    }
    let mut pending = entries.iter().peekable();
    let mut chain = if number == 1 { Chain::genesis() } else { Chain::unlinked() };
    let mut first_line = true;
    report.end = scan::region(&file, &path, 0, len, &mut chain, |line| {
        if first_line {
            first_line = false;
            if let Line::Good { seq, ts_micros, bytes, .. } = &line
                && let Some((prev, _)) = format::trailer(bytes)
            {
                report.first = Some((*seq, prev, *ts_micros));
            }
        }
        match line {
            Line::Good { offset, seq, ts_micros, bytes } => {
                report.records += 1;
                report.last_seq = report.last_seq.max(seq);
                if wanted == Some(seq) {
                    report.at_head = Some(format::trailer(bytes).map(|(_, sum)| (sum, offset)));
                }
                while let Some(entry) = pending.next_if(|e| e.offset <= offset) {
                    check_entry(&mut report, dir, number, entry, offset, seq, ts_micros);
                }
                if let Some((_, sum)) = format::trailer(bytes) {
                    report.last = Some(Chain { seq, sum, ts_micros, linked: true });
                }
            }
            Line::Bad(problem) => {
                report.records += 1;
                report.last_seq = report.last_seq.max(problem.seq.unwrap_or(0));
                if wanted.is_some() && wanted == problem.seq {
                    report.at_head = Some(None);
                }
                report.problem_count += 1;
                if report.problems.len() < KEEP {
                    report.problems.push(problem);
                }
            }
        }
        true
    })?;
    for entry in pending {
        report.index_problems.push(format!(
            "{}: entry for seq {} points at byte {}, which starts no record",
            segment::index_path(dir, number).display(),
            entry.seq,
            entry.offset
        ));
    }
    Ok(report)
}

fn check_entry(
    report: &mut SegmentReport,
    dir: &Path,
    number: u32,
    entry: &IndexEntry,
    offset: u64,
    seq: u64,
    ts_micros: i64,
) {
    if entry.offset != offset || entry.seq != seq || entry.ts_micros != ts_micros {
        report.index_problems.push(format!(
            "{}: entry for seq {} at byte {} does not match the record there (seq {seq} at byte {offset})",
            segment::index_path(dir, number).display(),
            entry.seq,
            entry.offset
        ));
    }
}
