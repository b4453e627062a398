//! `attache journal tail|stats|export` as a script meets them: real processes, real files.

mod journal_support;

use attache::event::Event;
use attache::journal::Writer;
use chrono::{DateTime, Duration, Utc};
use journal_support::{attache, note};
use std::path::Path;

/// Ten minutes of desk: a note and an alert each minute from `start`.
fn desk(dir: &Path, start: DateTime<Utc>) {
    let mut writer = Writer::open(dir).unwrap();
    for minute in 0..10 {
        let ts = start + Duration::minutes(minute);
        writer.append("reyes", ts, vec![note(format!("minute {minute}, \"quoted\", =1+1"))]).unwrap();
        let alert = Event::AlertEscalated { alert: format!("A{minute}") };
        writer.append("attache", ts, vec![alert]).unwrap();
    }
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = attache().arg("--journal").arg(dir).arg("journal").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn export_selects_a_window_and_kinds_as_jsonl_or_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let start: DateTime<Utc> = "2026-11-25T03:00:00Z".parse().unwrap();
    desk(tmp.path(), start);

    let (code, out, err) = run(
        tmp.path(),
        &["export", "--from", "2026-11-25T03:02:00Z", "--to", "2026-11-25T03:04:00Z", "--kind", "note"],
    );
    assert_eq!(code, 0, "{err}");
    let texts: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts.len(), 3, "{out}");
    assert!(texts[0].starts_with("minute 2,") && texts[2].starts_with("minute 4,"), "{texts:?}");

    let (code, out, _) = run(tmp.path(), &["export", "--kind", "alert", "--format", "csv"]);
    assert_eq!(code, 0);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "seq,ts,by,kind,sum,data");
    assert_eq!(rows.len(), 11);
    assert!(rows[1].starts_with("2,2026-11-25T03:00:00Z,attache,alert.escalated,"), "{}", rows[1]);

    let (code, out, _) =
        run(tmp.path(), &["export", "--kind", "note", "--format", "csv", "--to", "2026-11-25T03:00:00Z"]);
    assert_eq!(code, 0);
    // Quotes doubled, the formula defused, the comma kept inside one field.
    assert!(out.contains(r#"""text"":""minute 0, \""quoted\"", =1+1""}""#), "{out}");

    // Relative times: everything was written long before an hour ago.
    let (code, out, err) = run(tmp.path(), &["export", "--from", "-1h"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "{out}");
    let (code, _, err) = run(tmp.path(), &["export", "--from", "yesterday-ish"]);
    assert_eq!(code, 1);
    assert!(err.contains("RFC 3339"), "{err}");
}

#[test]
fn tail_prints_the_last_records_and_stats_counts_kinds() {
    let tmp = tempfile::tempdir().unwrap();
    desk(tmp.path(), "2026-11-25T03:00:00Z".parse().unwrap());
    let (code, out, _) = run(tmp.path(), &["tail", "-n", "3"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("#18 2026-11-25T03:08:00Z attache alert.escalated"), "{out}");
    assert!(lines[2].starts_with("#20 "), "{out}");
    let (_, out, _) = run(tmp.path(), &["tail", "-n", "1", "--json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(out.trim()).unwrap()["seq"], 20);

    let (code, out, _) = run(tmp.path(), &["stats"]);
    assert_eq!(code, 0);
    assert!(out.contains("records    20"), "{out}");
    assert!(out.contains("10  alert.escalated") && out.contains("10  note"), "{out}");
}

#[test]
fn commands_on_a_damaged_journal_say_where_and_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    desk(tmp.path(), "2026-11-25T03:00:00Z".parse().unwrap());
    let segment = attache::journal::segment::segment_path(tmp.path(), 1);
    let text = std::fs::read_to_string(&segment).unwrap().replacen("minute 3", "minute 9", 1);
    std::fs::write(&segment, text).unwrap();
    for args in [&["export"][..], &["stats"], &["tail", "-n", "50"]] {
        let (code, _, err) = run(tmp.path(), args);
        assert_eq!(code, 1, "{args:?}");
        assert!(err.contains("00000001.jsonl byte") && err.contains("(seq 7)"), "{args:?}: {err}");
    }
}

#[test]
fn checkpoint_writes_one_for_every_ten_thousand_records_once() {
    let tmp = tempfile::tempdir().unwrap();
    let mut writer = Writer::open(tmp.path()).unwrap();
    let start: DateTime<Utc> = "2026-11-25T03:00:00Z".parse().unwrap();
    let notes: Vec<Event> = (0..1000).map(|n| note(format!("note {n}"))).collect();
    for batch in 0..21 {
        writer.append_batch("reyes", start + Duration::minutes(batch), notes.clone()).unwrap();
    }
    writer.sync().unwrap();
    drop(writer);

    let (code, out, err) = run(tmp.path(), &["checkpoint"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("21000 records folded, 2 checkpoint(s) written to "), "{out}");
    let (code, out, _) = run(tmp.path(), &["checkpoint"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("21000 records folded, 0 checkpoint(s) written"), "{out}");
    // The journal itself still verifies: checkpoints live beside it, not in it.
    assert_eq!(run(tmp.path(), &["verify"]).0, 0);
}
