//! `attache brief` end to end: the fixture journal (`brief_fixture`) covering every section,
//! briefed by the real binary in each format against golden files; JSON counts checked against
//! `attache journal export`; and a flipped byte in the files warned of in the header.

use assert_cmd::Command;
use chrono::Duration;
use serde_json::Value;
use std::path::Path;

use attache::domain::{Severity, Traffic};
use attache::event::Event;
use attache::journal::Writer;

mod brief_fixture;

use brief_fixture::*;

#[test]
fn golden_briefings_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let md = brief(dir.path(), "md", &[]);
    let text = brief(dir.path(), "text", &[]);
    let json = brief(dir.path(), "json", &[]);
    // Apart from the head hash (which covers the temp-free record bytes, so it is stable too),
    // nothing may depend on where or when the test runs.
    insta::assert_snapshot!("brief_md", md);
    insta::assert_snapshot!("brief_text", text);
    insta::assert_snapshot!("brief_json", json);
    assert!(text.lines().all(|l| l.chars().count() <= 80), "text wider than 80 columns:\n{text}");
    for out in [&md, &text, &json] {
        assert!(!out.contains("must not show") && !out.contains("after the period"));
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "control characters in output");
    }
    // Byte-identical when made again.
    assert_eq!(md, brief(dir.path(), "md", &[]));
}

#[test]
fn review_notes_about_the_period_are_listed_apart_from_the_record() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let review = attache::review::path(dir.path());
    let written = t("2026-11-26T09:00:00Z");
    let line = |at: &str, seq: u64, text: &str| {
        serde_json::json!({"at": at, "seq": seq, "written": written, "operator": "ortiz", "text": text})
            .to_string()
    };
    let lines = [
        line("2026-11-24T14:05:00Z", 20, "ack came 9 minutes late"),
        line("2026-11-23T23:00:00Z", 3, "before the period: not listed"),
        "{\"at\": \"yesterday\"".to_string(),
        line("2026-11-24T02:00:00Z", 9, "feed down \u{1b}[31munnoticed"),
    ];
    std::fs::write(&review, lines.join("\n") + "\n").unwrap();

    let json: Value = serde_json::from_str(&brief(dir.path(), "json", &[])).unwrap();
    let notes = json["review"]["notes"].as_array().unwrap();
    let listed: Vec<(u64, &str)> =
        notes.iter().map(|n| (n["seq"].as_u64().unwrap(), n["text"].as_str().unwrap())).collect();
    assert_eq!(listed, [(9, "feed down [31munnoticed"), (20, "ack came 9 minutes late")]);
    assert_eq!(json["review"]["unreadable"].as_array().unwrap().len(), 1);
    assert!(json["review"]["unreadable"][0].as_str().unwrap().contains("review.jsonl line 3, column "));

    let md = brief(dir.path(), "md", &[]);
    let section = &md[md.find("## After-action review notes").expect("a section of its own")..];
    assert!(section.contains("not part of the record and not covered by its sums"), "{section}");
    assert!(
        section.contains(
            "- 2026-11-24 14:05Z at #20 ortiz (written 2026-11-26 09:00Z): ack came 9 minutes late"
        )
    );
    assert!(section.contains("- UNREADABLE: review.jsonl line 3, column "), "{section}");
    let place = dir.path().to_string_lossy();
    assert!(!md.contains(&*place), "the same bytes wherever the journal is");
    let text = brief(dir.path(), "text", &[]);
    assert!(text.contains("AFTER-ACTION REVIEW NOTES"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "text wider than 80 columns:\n{text}");
    for out in [&md, &text] {
        assert!(!out.contains("not listed") && !out.chars().any(|c| c.is_control() && c != '\n'));
    }

    // Without the file, no section and no field: the golden briefings stand.
    std::fs::remove_file(&review).unwrap();
    let json: Value = serde_json::from_str(&brief(dir.path(), "json", &[])).unwrap();
    assert!(json.get("review").is_none());
}

#[test]
fn one_mission_only() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let json: Value = serde_json::from_str(&brief(dir.path(), "json", &["--mission", "KFOR"])).unwrap();
    let ids: Vec<&str> =
        json["missions"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["KFOR"]);
    assert_eq!(
        json["missions"][0]["open_at_end"][0]["id"], "A0",
        "an alert raised before the period is still open"
    );
}

#[test]
fn an_unknown_mission_is_an_error_naming_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    Command::cargo_bin("attache")
        .unwrap()
        .args(["--config", CONFIG, "--journal"])
        .arg(dir.path())
        .args(["brief", "--mission", "NOPE"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("no mission `NOPE`").and(predicates::str::contains("KFOR")));
}

use predicates::prelude::PredicateBooleanExt as _;

/// Per-mission counts by severity of real-world alerts raised in `[from, to]`, from the
/// journal's own lines as `attache journal export` gives them.
fn counts_from_export(dir: &Path, from: &str, to: &str) -> std::collections::BTreeMap<(String, String), u64> {
    let out = Command::cargo_bin("attache")
        .unwrap()
        .args(["--journal"])
        .arg(dir)
        .args(["journal", "export", "--from", from, "--to", to, "--kind", "alert.raised"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut counts = std::collections::BTreeMap::new();
    for line in String::from_utf8(out).unwrap().lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        if record["traffic"].as_str().unwrap_or("real") != "real" {
            continue;
        }
        for mission in record["missions"].as_array().unwrap() {
            let key =
                (mission.as_str().unwrap().to_string(), record["severity"].as_str().unwrap().to_string());
            *counts.entry(key).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn json_counts_equal_counts_from_journal_export() {
    // A randomly generated journal (fixed seeds, so a failure can be replayed) with alerts of
    // every severity, traffic and mission mix, briefed over random periods.
    let missions = ["EDCA-PH", "HADR-CAGAYAN", "KFOR", "MINUSCA", "CTF-151", "DAO-TOKYO", "BALIKATAN-27"];
    for seed in 1..=4u64 {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = fastrand::Rng::with_seed(seed);
        let start = t("2026-11-20T00:00:00Z");
        let mut w = Writer::open(dir.path()).unwrap();
        for i in 0..300 {
            let ts = start + Duration::minutes(i * 23 + rng.i64(0..20));
            let picked: Vec<&str> = missions.iter().copied().filter(|_| rng.u8(0..4) == 0).collect();
            let severity = Severity::ALL[rng.usize(0..5)];
            let traffic = if rng.u8(0..5) == 0 { Traffic::Exercise } else { Traffic::Real };
            let event = raised(&format!("S{seed}-{i}"), severity, "generated", &picked, traffic);
            w.append("feed:usgs-quakes", ts, vec![event]).unwrap();
            if rng.bool() {
                let note = Event::Note {
                    operator: "x".into(),
                    text: format!("n{i}"),
                    mission: None,
                    alert: None,
                    contact: None,
                };
                w.append("x", ts, vec![note]).unwrap();
            }
        }
        drop(w);
        for _ in 0..3 {
            let from = start + Duration::minutes(rng.i64(0..3000));
            let to = from + Duration::minutes(rng.i64(0..4000));
            let (from, to) = (from.to_rfc3339(), to.to_rfc3339());
            let expected = counts_from_export(dir.path(), &from, &to);
            let out = Command::cargo_bin("attache")
                .unwrap()
                .args(["--config", CONFIG, "--journal"])
                .arg(dir.path())
                .args(["brief", "--from", &from, "--to", &to, "--format", "json"])
                .assert()
                .success()
                .get_output()
                .stdout
                .clone();
            let json: Value = serde_json::from_slice(&out).unwrap();
            let mut got = std::collections::BTreeMap::new();
            for m in json["missions"].as_array().unwrap() {
                for (severity, n) in m["alerts_raised"].as_object().unwrap() {
                    if n.as_u64().unwrap() > 0 {
                        got.insert(
                            (m["id"].as_str().unwrap().to_string(), severity.clone()),
                            n.as_u64().unwrap(),
                        );
                    }
                }
            }
            assert_eq!(got, expected, "seed {seed}, period {from} to {to}");
        }
    }
}

#[test]
fn a_tampered_journal_is_warned_of_in_the_header() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let segment = dir.path().join("00000001.jsonl");
    let mut bytes = std::fs::read(&segment).unwrap();
    // Rewrite history: the MINUSCA alert's severity, inside the period, without fixing sums.
    let at = bytes.windows(8).position(|w| w == b"Bangui\"}".as_slice() || w == b"Bangui\",").unwrap();
    bytes[at] = b'b';
    std::fs::write(&segment, bytes).unwrap();
    for format in ["md", "text", "json"] {
        let out = brief(dir.path(), format, &[]);
        let head: String = out.lines().take(4).collect::<Vec<_>>().join("\n");
        assert!(head.contains("JOURNAL DAMAGED OR TAMPERED WITH"), "{format}: no warning in:\n{head}");
        assert!(out.contains("00000001.jsonl"), "{format}: the warning says where");
    }
}

#[test]
fn the_console_key_b_then_enter_asks_for_a_briefing_which_lands_in_the_briefs_directory() {
    use attache::console::{App, Effect};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let config = attache::config::Config::load(Path::new(CONFIG)).unwrap();
    let mut app = App::new(config.clone(), "reyes".into(), t(TO));
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    assert_eq!(app.handle_key(&key(KeyCode::Char('b'))), None, "b asks for the period first");
    assert_eq!(app.handle_key(&key(KeyCode::Enter)), Some(Effect::WriteBrief { since: None }));

    let desk = tempfile::tempdir().unwrap();
    let journal = desk.path().join("journal");
    fixture(&journal);
    let request = attache::brief::Request {
        from: t(FROM),
        to: t(TO),
        missions: vec![],
        desks: Default::default(),
        generated_at: t(TO),
        operator: "reyes".into(),
    };
    // What a console that quit without waiting for its briefing left: removed by the next one.
    let briefs = desk.path().join("briefs");
    std::fs::create_dir_all(&briefs).unwrap();
    let abandoned = briefs.join(".sitrep-20261124T000000Z.md.4194305.tmp");
    let file = std::fs::File::create(&abandoned).unwrap();
    file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600)).unwrap();
    let (path, brief) = attache::brief::write_to_briefs_dir(&config, &journal, &request).unwrap();
    assert!(!abandoned.exists(), "an abandoned briefing's temporary file is removed");
    assert_eq!(path, briefs.join("sitrep-20261125T000000Z.md"));
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("# SITREP: Manila DAO watch"));
    let note = attache::brief::written_note(&path, &brief);
    assert!(note.starts_with("briefing written: ") && note.contains("seq 8..33"), "{note}");
}

#[test]
fn long_lists_are_capped_with_exact_totals() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::open(dir.path()).unwrap();
    for i in 0..60 {
        let ts = t("2026-11-24T01:00:00Z") + Duration::minutes(i);
        w.append(
            "feed:usgs-quakes",
            ts,
            vec![raised(&format!("K{i}"), Severity::Moderate, "busy", &["KFOR"], Traffic::Real)],
        )
        .unwrap();
    }
    drop(w);
    let json: Value = serde_json::from_str(&brief(dir.path(), "json", &["--mission", "KFOR"])).unwrap();
    let kfor = &json["missions"][0];
    assert_eq!(kfor["alerts_raised"]["moderate"], 60);
    assert_eq!((kfor["raised_total"].as_u64(), kfor["raised"].as_array().unwrap().len()), (Some(60), 50));
    assert_eq!(
        (kfor["open_at_end_total"].as_u64(), kfor["open_at_end"].as_array().unwrap().len()),
        (Some(60), 50)
    );
    let text = brief(dir.path(), "text", &["--mission", "KFOR"]);
    assert!(text.contains("open at end 60"), "{text}");
    assert!(text.contains("... and 10 more"), "{text}");
}

#[test]
fn a_removed_record_breaks_the_chain_and_is_warned_of() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let segment = dir.path().join("00000001.jsonl");
    let text = std::fs::read_to_string(&segment).unwrap();
    // Drop the acknowledgement of A1: every remaining line checks out, but the chain does not.
    let kept: String =
        text.lines().filter(|l| !l.contains("Calling AFP NOLCOM")).map(|l| format!("{l}\n")).collect();
    assert_ne!(kept.len(), text.len());
    std::fs::write(&segment, kept).unwrap();
    let out = brief(dir.path(), "text", &[]);
    assert!(out.lines().nth(1).unwrap().contains("JOURNAL DAMAGED OR TAMPERED WITH"), "{out}");
}

/// The state at the period's start may come from a checkpoint taken at any record before it:
/// the briefing is the same, byte for byte, as one read from the journal's first record.
#[test]
fn a_checkpoint_before_the_period_gives_the_same_briefing() {
    use attache::checkpoint;
    use attache::journal::Follower;
    use attache::state::DeskState;

    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let (md, json) = (brief(dir.path(), "md", &[]), brief(dir.path(), "json", &[]));
    let records = Follower::new(dir.path()).poll().unwrap().0;
    let before: Vec<_> = records.iter().filter(|r| r.ts < t(FROM)).collect();
    assert!(before.len() > 5, "the fixture has a day before the period");
    for upto in &before {
        let _ = std::fs::remove_dir_all(dir.path().join(checkpoint::DIR));
        let mut state = DeskState::default();
        state.apply_all(records.iter().take_while(|r| r.seq <= upto.seq));
        checkpoint::save(dir.path(), &state).unwrap();
        let facts = attache::brief::collect::collect(dir.path(), t(FROM), t(TO), &near_all).unwrap();
        assert_eq!(facts.resumed_at, Some(upto.seq), "the checkpoint at #{} was used", upto.seq);
        assert_eq!(brief(dir.path(), "md", &[]), md, "checkpoint at #{}", upto.seq);
        assert_eq!(brief(dir.path(), "json", &[]), json, "checkpoint at #{}", upto.seq);
    }
    // One taken inside the period is not used.
    let mut state = DeskState::default();
    state.apply_all(records.iter().filter(|r| r.ts < t(FROM) + Duration::hours(12)));
    let _ = std::fs::remove_dir_all(dir.path().join(checkpoint::DIR));
    checkpoint::save(dir.path(), &state).unwrap();
    let facts = attache::brief::collect::collect(dir.path(), t(FROM), t(TO), &near_all).unwrap();
    assert_eq!(facts.resumed_at, None);
    assert_eq!(brief(dir.path(), "md", &[]), md);
}

/// A long period is read in two halves on two cores: split anywhere, the facts are those of
/// one reading, and damage at the join is still found.
#[test]
fn a_period_read_in_halves_gives_the_same_facts() {
    use attache::brief::collect::{collect, collect_split_at};
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let whole = collect_split_at(dir.path(), t(FROM), t(TO), &near_all, None).unwrap();
    let (first, last) = (whole.provenance.first_seq.unwrap(), whole.provenance.last_seq.unwrap());
    assert!(last - first > 10);
    for middle in first..=last + 1 {
        let halves = collect_split_at(dir.path(), t(FROM), t(TO), &near_all, Some(middle)).unwrap();
        assert_eq!(halves, whole, "second half from record {middle}");
    }
    assert_eq!(collect(dir.path(), t(FROM), t(TO), &near_all).unwrap(), whole);

    // A flipped byte anywhere gives the same facts, damage included, wherever the halves meet:
    // the second reader may start at the damage, before its first record, and must not count
    // the records between twice.
    let segment = dir.path().join("00000001.jsonl");
    let pristine = std::fs::read(&segment).unwrap();
    let lines: Vec<usize> =
        pristine.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect();
    let mut damaged = 0;
    for (n, end) in lines.iter().enumerate().step_by(3) {
        let mut bytes = pristine.clone();
        bytes[end - 100] ^= 0x01;
        std::fs::write(&segment, &bytes).unwrap();
        let whole = collect_split_at(dir.path(), t(FROM), t(TO), &near_all, None).unwrap();
        // Lines after the period are not read, so their damage is not the briefing's.
        damaged += usize::from(!whole.damage.is_empty());
        for middle in first..=last + 1 {
            let halves = collect_split_at(dir.path(), t(FROM), t(TO), &near_all, Some(middle)).unwrap();
            assert_eq!(halves, whole, "line {n} damaged, second half from record {middle}");
        }
    }
    assert!(damaged >= 8, "only {damaged} flipped bytes were found");
    std::fs::write(&segment, &pristine).unwrap();

    // A record taken out is found wherever the halves meet, at the join too.
    let segment = dir.path().join("00000001.jsonl");
    let text = std::fs::read_to_string(&segment).unwrap();
    let kept: String =
        text.lines().filter(|l| !l.contains("Calling AFP NOLCOM")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&segment, kept).unwrap();
    for middle in first..=last + 1 {
        let halves = collect_split_at(dir.path(), t(FROM), t(TO), &near_all, Some(middle)).unwrap();
        assert!(!halves.damage.is_empty(), "second half from record {middle}: damage not found");
    }
}
