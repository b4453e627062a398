//! Tamper evidence: one flipped byte, one deleted line, two swapped lines and one edited field
//! are each detected by `attache journal verify` (a real process), which exits 1 and names the
//! segment, byte offset and seq of the first bad record. Also: a wrong index is caught by
//! verify and never trusted by readers.

mod journal_support;

use attache::journal::{self, Follower, Writer};
use chrono::{DateTime, Duration, Utc};
use journal_support::{attache, note};
use std::path::Path;

/// A journal of 20 notes, one a minute from `start`.
fn journal(dir: &Path, start: DateTime<Utc>) -> Vec<u8> {
    let mut writer = Writer::open(dir).unwrap();
    for i in 0..20 {
        writer.append("reyes", start + Duration::minutes(i), vec![note(format!("note {i}"))]).unwrap();
    }
    drop(writer);
    std::fs::read(journal::segment::segment_path(dir, 1)).unwrap()
}

/// Byte offset of each line.
fn line_starts(bytes: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1))
        .collect()
}

fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

/// Runs verify on `dir` and returns its stdout, asserting exit 1.
fn verify_fails(dir: &Path) -> String {
    let out = attache().args(["--journal"]).arg(dir).args(["journal", "verify"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "verify should fail: {stdout}");
    assert_eq!(stdout.lines().count(), 1, "one-line summary: {stdout}");
    stdout
}

fn tampered(original: &[u8], change: impl FnOnce(&mut Vec<Vec<u8>>)) -> (tempfile::TempDir, Vec<usize>) {
    let tmp = tempfile::tempdir().unwrap();
    let mut all = lines(original);
    change(&mut all);
    let bytes = all.concat();
    std::fs::write(journal::segment::segment_path(tmp.path(), 1), &bytes).unwrap();
    let starts = line_starts(&bytes);
    (tmp, starts)
}

#[test]
fn an_intact_journal_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    journal(tmp.path(), Utc::now());
    let out = attache().args(["--journal"]).arg(tmp.path()).args(["journal", "verify"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("intact: 20 records in 1 segment(s), seq 1..20"), "{stdout}");
    assert!(stdout.contains("head "), "{stdout}");
}

#[test]
fn the_four_tamper_cases_are_each_detected_and_located() {
    let source = tempfile::tempdir().unwrap();
    let original = journal(source.path(), Utc::now());

    // One flipped byte inside record 5 (line index 4).
    let (tmp, starts) = tampered(&original, |l| {
        let at = l[4].windows(6).position(|w| w == b"note 4").unwrap();
        l[4][at + 5] ^= 0x02;
    });
    let out = verify_fails(tmp.path());
    assert!(out.contains(&format!("00000001.jsonl byte {} (seq 5): checksum mismatch", starts[4])), "{out}");

    // One deleted line: record 7 is gone, record 8 no longer follows record 6.
    let (tmp, starts) = tampered(&original, |l| {
        l.remove(6);
    });
    let out = verify_fails(tmp.path());
    assert!(out.contains(&format!("00000001.jsonl byte {} (seq 8)", starts[6])), "{out}");
    assert!(out.contains("seq 8 follows seq 6"), "{out}");

    // Two swapped lines: records 9 and 10 change places.
    let (tmp, starts) = tampered(&original, |l| l.swap(8, 9));
    let out = verify_fails(tmp.path());
    assert!(out.contains(&format!("00000001.jsonl byte {} (seq 10)", starts[8])), "{out}");
    assert!(out.contains("reordered"), "{out}");

    // One edited field, still valid JSON that jq reads: the note's text is rewritten.
    let (tmp, starts) = tampered(&original, |l| {
        let text = String::from_utf8(l[11].clone()).unwrap().replace("note 11", "NOTE 99");
        serde_json::from_str::<serde_json::Value>(text.trim_end()).expect("still JSON");
        l[11] = text.into_bytes();
    });
    let out = verify_fails(tmp.path());
    assert!(
        out.contains(&format!("00000001.jsonl byte {} (seq 12): checksum mismatch", starts[11])),
        "{out}"
    );
}

#[test]
fn an_edit_with_a_recomputed_sum_still_breaks_the_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let original = journal(tmp.path(), Utc::now());
    let mut all = lines(&original);
    // Rewrite record 3 as a forger would: new text, prev kept, sum recomputed.
    let record: attache::event::Record = serde_json::from_slice(&all[2]).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&all[2]).unwrap();
    let prev: [u8; 64] = value["prev"].as_str().unwrap().as_bytes().try_into().unwrap();
    let forged = attache::event::Record { event: note("nothing happened"), ..record };
    let mut line = Vec::new();
    journal::format::encode(&forged, &prev, &mut line);
    all[2] = line;
    let bytes = all.concat();
    std::fs::write(journal::segment::segment_path(tmp.path(), 1), &bytes).unwrap();
    let out = verify_fails(tmp.path());
    assert!(out.contains(&format!("byte {} (seq 4)", line_starts(&bytes)[3])), "{out}");
}

#[test]
fn a_wrong_index_is_reported_by_verify_and_ignored_by_readers() {
    let tmp = tempfile::tempdir().unwrap();
    let start: DateTime<Utc> = "2026-11-25T00:00:00Z".parse().unwrap();
    journal(tmp.path(), start);
    // An index that points at the middle of a line and names the wrong seq.
    let entry = journal::segment::IndexEntry { seq: 7, offset: 100, ts_micros: start.timestamp_micros() };
    std::fs::write(journal::segment::index_path(tmp.path(), 1), entry.to_bytes()).unwrap();
    let out = attache().args(["--journal"]).arg(tmp.path()).args(["journal", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("index"));

    // Seeking still lands on the right record: the index is checked and rebuilt.
    let mut follower = Follower::from_time(tmp.path(), start + Duration::minutes(7)).unwrap();
    let (records, problems) = follower.poll().unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records.first().map(|r| r.seq), Some(8));

    // The next writer rebuilds it, and verify is content again.
    drop(Writer::open(tmp.path()).unwrap());
    let out = attache().args(["--journal"]).arg(tmp.path()).args(["journal", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn an_unfinished_last_line_is_a_note_not_damage() {
    let tmp = tempfile::tempdir().unwrap();
    journal(tmp.path(), Utc::now());
    let segment = journal::segment::segment_path(tmp.path(), 1);
    let mut bytes = std::fs::read(&segment).unwrap();
    bytes.extend_from_slice(br#"{"seq":21,"ts":"2026-11-25T03:"#);
    std::fs::write(&segment, &bytes).unwrap();
    let out = attache().args(["--journal"]).arg(tmp.path()).args(["journal", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unfinished record") && stderr.contains("moves them aside"), "{stderr}");
}
