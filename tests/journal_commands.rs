//! `attache journal tail|stats|export` as a script meets them: real processes, real files.

mod journal_support;

use attache::event::Event;
use attache::journal::Writer;
use chrono::{DateTime, Duration, Utc};
use journal_support::{attache, note};
use sha2::Digest;
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
    assert!(out.starts_with("0 records folded, 0 checkpoint(s) written"), "every span has one: {out}");
    // The journal itself still verifies: checkpoints live beside it, not in it.
    assert_eq!(run(tmp.path(), &["verify"]).0, 0);
}

/// Feed text with every kind of character that must not reach a terminal raw: C1 controls (as an
/// ISO-8859-1 document decodes to), NEL, DEL, a bidi override and isolate, a zero-width space.
const HOSTILE: &str =
    "Flood\u{9b}2J\u{85}warning \u{202e}desrever\u{2066} tsu\u{200b}nami\u{7f} \u{90}1;2q\u{9c}";

fn hidden_in(out: &str) -> Vec<char> {
    out.chars().filter(|&c| c != '\n' && attache::text::is_hidden(c)).collect()
}

fn sum_verifies(line: &str) -> bool {
    attache::journal::format::check(line.as_bytes()).is_ok()
}

/// Every printed line shows no hidden character, reads back as the text the journal holds, and
/// (JSON lines) still carries a sum that checks over the printed bytes.
fn assert_text_from_strangers_is_safe(dir: &Path, sums_verify: bool) {
    let (code, out, err) = run(dir, &["tail"]);
    assert_eq!((code, hidden_in(&out)), (0, vec![]), "{out:?} {err}");
    // Folded exactly as the console folds it.
    assert!(out.contains(&attache::text::one_line(HOSTILE)), "{out:?}");
    assert!(out.contains("Flood2J warning desrever tsunami 1;2q"), "{out:?}");

    for args in [&["tail", "--json"][..], &["export"][..]] {
        let (code, out, err) = run(dir, args);
        assert_eq!((code, hidden_in(&out)), (0, vec![]), "{args:?}: {out:?} {err}");
        let line = out.lines().find(|l| l.contains("\"kind\":\"note\"")).unwrap();
        assert!(
            line.contains(r"Flood\u009b2J\u0085warning \u202edesrever\u2066 tsu\u200bnami\u007f"),
            "{line}"
        );
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["text"], HOSTILE);
        assert_eq!(sum_verifies(line), sums_verify, "{args:?}: {line}");
    }

    let (code, out, _) = run(dir, &["export", "--format", "csv"]);
    assert_eq!((code, hidden_in(&out)), (0, vec![]), "{out:?}");
    assert!(out.contains(r"Flood\u009b2J"), "{out}");
}

#[test]
fn tail_and_export_never_print_hidden_characters_from_feed_text() {
    let tmp = tempfile::tempdir().unwrap();
    let mut writer = Writer::open(tmp.path()).unwrap();
    writer.append("reyes", "2026-11-25T03:00:00Z".parse().unwrap(), vec![note(HOSTILE)]).unwrap();
    drop(writer);
    // The journal itself holds the escapes, so its lines are safe to `cat` and their sums hold.
    let disk = std::fs::read_to_string(attache::journal::segment::segment_path(tmp.path(), 1)).unwrap();
    assert!(hidden_in(&disk).is_empty(), "{disk:?}");
    assert_text_from_strangers_is_safe(tmp.path(), true);
}

#[test]
fn a_record_holding_raw_hidden_characters_is_escaped_on_output() {
    // A line as a writer that left these characters raw wrote it, with its sum over the raw bytes.
    let tmp = tempfile::tempdir().unwrap();
    let mut writer = Writer::open(tmp.path()).unwrap();
    writer.append("reyes", "2026-11-25T03:00:00Z".parse().unwrap(), vec![note(HOSTILE)]).unwrap();
    drop(writer);
    let segment = attache::journal::segment::segment_path(tmp.path(), 1);
    let line = std::fs::read_to_string(&segment).unwrap();
    let escaped: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
    let raw_text = serde_json::to_string(escaped["text"].as_str().unwrap()).unwrap();
    let hashed_end = line.find(r#","sum":""#).unwrap();
    let text_at = line.find(r#""text":"#).unwrap() + 7;
    let text_end = line[text_at..].find(r#","prev""#).unwrap() + text_at;
    let hashed = format!("{}{}{}", &line[..text_at], raw_text, &line[text_end..hashed_end]);
    assert!(!hidden_in(&hashed).is_empty());
    let sum: String = sha2::Sha256::digest(hashed.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&segment, format!("{hashed},\"sum\":\"{sum}\"}}\n")).unwrap();
    let _ = std::fs::remove_file(attache::journal::segment::index_path(tmp.path(), 1));
    // That writer kept no head either.
    std::fs::remove_file(tmp.path().join("journal.head")).unwrap();
    let (code, out, err) = run(tmp.path(), &["verify"]);
    assert_eq!(code, 0, "{out} {err}");
    // Shown safely; the printed line's sum is over the raw form the journal holds.
    assert_text_from_strangers_is_safe(tmp.path(), false);
}

#[test]
fn tail_says_what_a_configuration_record_loaded_and_json_keeps_its_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let config = attache::config::Config::load(Path::new("config/attache.toml")).unwrap();
    let mut writer = Writer::open(tmp.path()).unwrap();
    let loaded = attache::reload::loaded_event(&config, true);
    writer.append("reyes", "2026-11-25T03:00:00Z".parse().unwrap(), vec![loaded]).unwrap();
    drop(writer);

    let (code, out, _) = run(tmp.path(), &["tail", "-n", "1"]);
    assert_eq!(code, 0);
    let path = std::fs::canonicalize(&config.path).unwrap();
    assert_eq!(
        out.trim(),
        format!(
            "#1 2026-11-25T03:00:00Z reyes config.loaded {} digest {} {} feeds {} missions {} contacts, snapshot of {} rules",
            path.display(),
            &config.digest[..12],
            config.feeds.len(),
            config.missions.len(),
            config.contacts.len(),
            config.rules.len()
        )
    );
    let (_, out, _) = run(tmp.path(), &["tail", "-n", "1", "--json"]);
    let record: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(record["config"]["missions"].as_array().unwrap().len(), config.missions.len(), "{out}");
}
