//! Crash safety with real processes: a child appends in a loop and reports each seq once
//! durable; it is killed with SIGKILL at varying points, many times over. After every kill the
//! journal reopens, verifies, holds every record reported durable, and keeps any torn tail aside.

mod journal_support;

use attache::journal::{self, Options, Writer};
use chrono::Utc;
use journal_support::{Rng, child, child_dir, note};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Small segments, so kills also land around rotations.
const OPTIONS: Options =
    Options { segment_bytes: 1 << 20, commit_interval: std::time::Duration::from_millis(10) };

/// The child: appends forever, alternating single durable appends with big group-committed
/// batches (big writes are where a kill can tear a line), printing `durable SEQ` after each.
#[test]
fn child_appender() {
    let Some(dir) = child_dir() else { return };
    let mut writer = Writer::open_with(&dir, OPTIONS).expect("the child opens the journal");
    let mut rng = Rng(std::process::id() as u64 | 1);
    loop {
        let seq = if rng.below(3) == 0 {
            let records = writer.append("child", Utc::now(), vec![note("one durable note")]).expect("append");
            records[0].seq
        } else {
            // Up to ~400 KB in one write: a kill during it tears the write between pages.
            let n = 1 + rng.below(200) as usize;
            let events = (0..n).map(|i| note(format!("batch item {i} {}", "x".repeat(2000)))).collect();
            let records = writer.append_batch("child", Utc::now(), events).expect("append_batch");
            writer.sync().expect("sync");
            records.last().map(|r| r.seq).unwrap_or_default()
        };
        println!("durable {seq}");
    }
}

/// Bytes after the last newline of the last segment: what a writer must move aside.
fn partial_tail(dir: &Path) -> Vec<u8> {
    let Some(last) = journal::segment::list(dir).unwrap().last().copied() else { return Vec::new() };
    let bytes = std::fs::read(journal::segment::segment_path(dir, last)).unwrap();
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    bytes[end..].to_vec()
}

fn torn_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".torn-"))
        .collect();
    files.sort();
    files
}

#[test]
fn sigkill_at_random_points_never_loses_a_durable_record() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("journal");
    let mut rng = Rng(0x5eed_cafe);
    let mut durable_max = 0u64;
    let mut torn_seen = 0;
    for round in 0..40 {
        let mut process = child("child_appender", &dir).spawn().expect("spawn the child");
        let mut lines = BufReader::new(process.stdout.take().unwrap()).lines();
        let wait_for = 1 + rng.below(6);
        let mut acked = 0;
        let mut round_max = 0;
        while acked < wait_for {
            let line = lines.next().expect("the child reports before it is killed").unwrap();
            if let Some(seq) = line.strip_prefix("durable ") {
                round_max = seq.parse().unwrap();
                acked += 1;
            }
        }
        // Vary the point of the kill within the child's next append (not a synchronisation:
        // any point is a valid one).
        let spin = std::time::Instant::now();
        let spin_for = std::time::Duration::from_micros(rng.below(6000));
        while spin.elapsed() < spin_for {
            std::hint::spin_loop();
        }
        process.kill().expect("SIGKILL the child");
        process.wait().unwrap();
        // Whatever the child printed before it died was durable too.
        for line in lines.map_while(Result::ok) {
            if let Some(seq) = line.strip_prefix("durable ") {
                round_max = seq.parse().unwrap();
            }
        }
        durable_max = durable_max.max(round_max);

        let torn = partial_tail(&dir);
        let torn_before = torn_files(&dir).len();
        drop(
            Writer::open_with(&dir, OPTIONS).unwrap_or_else(|e| panic!("round {round}: reopen failed: {e}")),
        );
        if !torn.is_empty() {
            torn_seen += 1;
            let files = torn_files(&dir);
            assert_eq!(files.len(), torn_before + 1, "round {round}: the torn tail was not kept aside");
            let kept = files.iter().any(|f| std::fs::read(f).unwrap() == torn);
            assert!(kept, "round {round}: no .torn file holds the torn bytes");
        }
        // Intact means every seq from 1 to the last is there, chained: so every durable one is.
        let report = journal::verify::verify(&dir).unwrap();
        assert!(report.intact(), "round {round}: {:?}", report.problems);
        assert!(report.torn_tail.is_none());
        let last = report.last.map_or(0, |(seq, _)| seq);
        assert!(
            last >= durable_max,
            "round {round}: seq {durable_max} was durable, the journal ends at {last}"
        );
        assert_eq!(report.records, last, "round {round}: records are not seq 1..={last}");
    }
    let (records, problems) = journal::read_all(&dir).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert!(records.iter().enumerate().all(|(i, r)| r.seq == i as u64 + 1), "seqs are not 1..=n");
    assert!(journal::segment::list(&dir).unwrap().len() > 1, "the rounds should have rotated segments");
    eprintln!("{torn_seen} of 40 kills left a torn tail");
}

#[test]
fn a_torn_tail_is_moved_aside_and_writing_continues_after_the_last_good_record() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut writer = Writer::open(dir).unwrap();
    writer.append("reyes", Utc::now(), vec![note("one"), note("two")]).unwrap();
    drop(writer);
    let segment = journal::segment::segment_path(dir, 1);
    let good = std::fs::read(&segment).unwrap();
    // A record cut short, as a power loss leaves it, then garbage that is a whole line.
    let mut damaged = good.clone();
    damaged.extend_from_slice(b"{\"seq\":3,\"ts\":\"2026-11-25T03:00:00Z\",\"by\":\"re\n\0\0\0\0");
    std::fs::write(&segment, &damaged).unwrap();

    let mut writer = Writer::open(dir).unwrap();
    let aside = dir.join(format!("00000001.jsonl.torn-{}", good.len()));
    assert_eq!(std::fs::read(&aside).unwrap(), &damaged[good.len()..]);
    assert_eq!(std::fs::read(&segment).unwrap(), good);
    let records = writer.append("reyes", Utc::now(), vec![note("three")]).unwrap();
    assert_eq!(records[0].seq, 3);
    assert!(journal::verify::verify(dir).unwrap().intact());
}

#[test]
fn damage_before_the_end_refuses_writing_and_says_where() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut writer = Writer::open(dir).unwrap();
    for i in 0..5 {
        writer.append("reyes", Utc::now(), vec![note(format!("note {i}"))]).unwrap();
    }
    drop(writer);
    let segment = journal::segment::segment_path(dir, 1);
    let mut bytes = std::fs::read(&segment).unwrap();
    let third = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).unwrap().0 + 1;
    let at = third + bytes[third..].windows(6).position(|w| w == b"note 2").unwrap();
    bytes[at] = b'N';
    std::fs::write(&segment, &bytes).unwrap();

    let err = Writer::open(dir).err().expect("a damaged journal is not opened for writing");
    let message = err.to_string();
    assert!(matches!(err, journal::JournalError::Corrupt(_)), "{message}");
    assert!(message.contains(&format!("00000001.jsonl byte {third} (seq 3)")), "{message}");
    assert!(message.contains("checksum mismatch"), "{message}");
    assert_eq!(std::fs::read(&segment).unwrap(), bytes, "nothing was changed");
}

/// What a kill in the middle of a write leaves (the kernel stops copying at a page boundary):
/// a segment cut at any byte of the last batch. Every cut point reopens to the records before
/// the batch, with the cut-off bytes kept aside, and writing goes on.
#[test]
fn a_write_cut_at_any_byte_reopens_to_the_last_whole_record() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("source");
    let mut writer = Writer::open(&source).unwrap();
    writer.append("reyes", Utc::now(), vec![note("durable one"), note("durable two")]).unwrap();
    let durable_len = std::fs::metadata(journal::segment::segment_path(&source, 1)).unwrap().len();
    let batch = (0..30).map(|i| note(format!("batch {i} {}", "y".repeat(300)))).collect();
    writer.append("reyes", Utc::now(), batch).unwrap();
    drop(writer);
    let full = std::fs::read(journal::segment::segment_path(&source, 1)).unwrap();
    let mut rng = Rng(0xc0ffee);
    for round in 0..60 {
        let cut = durable_len as usize + 1 + rng.below(full.len() as u64 - durable_len - 1) as usize;
        let dir = tmp.path().join(format!("cut-{round}"));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(journal::segment::segment_path(&dir, 1), &full[..cut]).unwrap();
        let whole = full[..cut].iter().rposition(|&b| b == b'\n').unwrap() + 1;
        let mut writer = Writer::open(&dir).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        let segment = std::fs::read(journal::segment::segment_path(&dir, 1)).unwrap();
        assert_eq!(segment, &full[..whole], "cut at {cut}: whole records kept, the rest cut off");
        if whole < cut {
            let aside = dir.join(format!("00000001.jsonl.torn-{whole}"));
            assert_eq!(std::fs::read(aside).unwrap(), &full[whole..cut], "cut at {cut}");
        }
        let next = writer.append("reyes", Utc::now(), vec![note("after the crash")]).unwrap();
        let report = journal::verify::verify(&dir).unwrap();
        assert!(report.intact(), "cut at {cut}: {:?}", report.problems);
        assert_eq!(report.last.map(|(seq, _)| seq), Some(next[0].seq));
        assert!(next[0].seq >= 3, "the durable records are still there");
    }
}
