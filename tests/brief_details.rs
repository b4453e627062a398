//! The details a briefing's reader trusts: local times that name their zone unambiguously (the
//! UTC offset, not `PST` for Manila), a test alert marked once however its title reads, alert
//! ids shown in Markdown exactly as they are (no `\|` inside a code span), and a one-mission
//! briefing that lists only that mission's contacts. A fixture journal written through the real
//! writer, briefed by the real binary, against golden files and plain checks.

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::path::Path;

use attache::domain::{FeedItem, Severity, Traffic};
use attache::event::Event;
use attache::journal::Writer;

const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/attache.toml");

/// Alert ids as the rules make them: rule, feed and item, joined by `|`.
const QUAKE: &str = "quake-near-mission|usgs-quakes|us7000_q1";
const CYCLONE: &str = "cap-warnings|pagasa-cap|PAGASA-TC-2026`11";
const GATE: &str = "quake-near-mission|usgs-quakes|kfor_1";

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn raised(alert: &str, title: &str, missions: &[&str], traffic: Traffic) -> Event {
    let mut parts = alert.split('|');
    Event::AlertRaised {
        alert: alert.into(),
        rule: parts.next().unwrap().into(),
        feed: parts.next().unwrap().into(),
        item: parts.next().unwrap().into(),
        severity: Severity::Severe,
        title: title.into(),
        missions: missions.iter().map(|m| m.to_string()).collect(),
        traffic,
    }
}

/// A day's journal (2026-11-24): a real quake alert near the Philippine missions, a PAGASA test
/// bulletin whose title already says `[TEST]`, a KFOR alert, and a check-in with the CTF-151
/// liaison officer.
fn fixture(dir: &Path) {
    let mut w = Writer::open(dir).unwrap();
    let mut at = |ts: &str, by: &str, event: Event| {
        w.append(by, t(ts), vec![event]).unwrap();
    };
    let reyes = || "reyes".to_string();
    at(
        "2026-11-24T00:30:00Z",
        "reyes",
        Event::SessionStarted { operator: reyes(), host: "desk1".into(), terminal: "xterm".into() },
    );
    at(
        "2026-11-24T03:00:00Z",
        "attache",
        raised(QUAKE, "M 6.1 - 20 km N of Baguio, Philippines", &["EDCA-PH", "HADR-CAGAYAN"], Traffic::Real),
    );
    at(
        "2026-11-24T03:25:00Z",
        "reyes",
        Event::AlertAcknowledged {
            alert: QUAKE.into(),
            operator: reyes(),
            note: Some("Calling AFP NOLCOM | *urgent*".into()),
        },
    );
    let bulletin = "Tropical Cyclone Alert : Typhoon Paeng [TEST]";
    let item: FeedItem = serde_json::from_value(json!({
        "feed": "pagasa-cap", "id": "PAGASA-TC-2026`11", "title": bulletin, "severity": "severe",
        "location": {"type": "point", "lat": 17.6, "lon": 121.7}, "traffic": "test",
    }))
    .unwrap();
    at("2026-11-24T04:00:00Z", "feed:pagasa-cap", Event::ItemSeen { item });
    at("2026-11-24T04:00:01Z", "attache", raised(CYCLONE, bulletin, &["HADR-CAGAYAN"], Traffic::Test));
    at(
        "2026-11-24T12:00:00Z",
        "attache",
        raised(GATE, "Protest at the KFOR gate, Pristina", &["KFOR"], Traffic::Real),
    );
    at(
        "2026-11-24T13:00:00Z",
        "reyes",
        Event::ContactCheckedIn {
            contact: "Cdr. Farah Qureshi".into(),
            operator: reyes(),
            channel: Some("secure voice".into()),
            note: Some("CTF-151 *patrols* unchanged".into()),
        },
    );
}

fn brief(dir: &Path, format: &str, extra: &[&str]) -> String {
    let out = Command::cargo_bin("attache")
        .unwrap()
        .env("LOGNAME", "reyes")
        .args(["--config", CONFIG, "--journal"])
        .arg(dir)
        .args(["brief", "--from", "2026-11-24T00:00:00Z", "--to", "2026-11-25T00:00:00Z"])
        .args(["--generated-at", "2026-11-25T00:05:00Z", "--format", format])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn golden_briefings_of_the_details() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    insta::assert_snapshot!("details_md", brief(dir.path(), "md", &[]));
    insta::assert_snapshot!("details_text", brief(dir.path(), "text", &[]));
    insta::assert_snapshot!("details_kfor_md", brief(dir.path(), "md", &["--mission", "KFOR"]));
}

#[test]
fn local_times_carry_their_utc_offset_not_an_abbreviation_read_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    for format in ["md", "text", "json"] {
        let out = brief(dir.path(), format, &[]);
        // chrono-tz calls Manila's zone PST, which a reader takes for US Pacific time.
        assert!(!out.contains(" PST"), "{format}:\n{out}");
        assert!(out.contains("2026-11-25 08:05 UTC+08:00"), "{format}: Manila's local time\n{out}");
        assert!(out.contains("2026-11-25 03:05 UTC+03:00"), "{format}: Djibouti's local time\n{out}");
    }
}

#[test]
fn a_title_that_says_test_is_not_marked_test_again() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    for format in ["md", "text"] {
        let out = brief(dir.path(), format, &[]);
        let lines: Vec<&str> = out.lines().filter(|l| l.contains("Typhoon Paeng")).collect();
        assert_eq!(lines.len(), 2, "{format}: the test alert and its item\n{out}");
        for line in lines {
            assert_eq!(line.matches("TEST").count(), 1, "{format}: {line}");
        }
    }
}

#[test]
fn markdown_code_spans_show_alert_ids_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let md = brief(dir.path(), "md", &[]);
    // Inside a code span a backslash is shown, not read as an escape.
    assert!(md.contains(&format!("`{QUAKE}`")), "{md}");
    assert!(md.contains("`` cap-warnings|pagasa-cap|PAGASA-TC-2026`11 ``"), "{md}");
    for line in md.lines().filter(|l| l.starts_with("- **")) {
        let spans: Vec<&str> = line.split('`').skip(1).step_by(2).collect();
        assert!(spans.iter().all(|s| !s.contains('\\')), "{line}");
    }
    // Outside code spans, text from the journal is still escaped.
    assert!(md.contains(r"Calling AFP NOLCOM \| \*urgent\*"), "{md}");
}

#[test]
fn a_one_mission_briefing_lists_only_that_missions_contacts() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let json: Value = serde_json::from_str(&brief(dir.path(), "json", &["--mission", "KFOR"])).unwrap();
    let names = |list: &str| -> Vec<String> {
        json["contacts"][list]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().into())
            .collect()
    };
    assert_eq!(names("overdue"), ["Lt Col. Mirela Kovač"]);
    assert_eq!(names("active"), ["Lt Col. Mirela Kovač"]);
    for format in ["md", "text"] {
        let out = brief(dir.path(), format, &["--mission", "KFOR"]);
        for other in ["Ngaba", "Aquino", "Qureshi", "Reyes (", "Morita"] {
            assert!(!out.contains(other), "{format}: {other} is no KFOR contact\n{out}");
        }
    }
    // Every mission briefed: every contact that is overdue.
    let json: Value = serde_json::from_str(&brief(dir.path(), "json", &[])).unwrap();
    assert_eq!(json["contacts"]["overdue"].as_array().unwrap().len(), 3, "{json:#}");
}

/// An alert escalated and then resolved is shown resolved and no longer escalated, as the
/// screen's state holds it: a briefing and the screen fold an alert's life by one rule.
#[test]
fn a_resolved_alert_is_no_longer_escalated_in_the_briefing_as_on_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::open(dir.path()).unwrap();
    let mut at = |ts: &str, event: Event| w.append("reyes", t(ts), vec![event]).unwrap();
    at("2026-11-24T02:00:00Z", raised(GATE, "M 4.9 near Camp Bondsteel", &["KFOR"], Traffic::Real));
    at("2026-11-24T02:30:00Z", Event::AlertEscalated { alert: GATE.into() });
    let reason = "felt, no damage".to_string();
    at("2026-11-24T03:00:00Z", Event::AlertResolved { alert: GATE.into(), operator: "reyes".into(), reason });
    drop(w);
    let (records, _) = attache::journal::Follower::new(dir.path()).poll().unwrap();
    let mut state = attache::state::DeskState::default();
    state.apply_all(&records);
    assert_eq!(state.alerts()[GATE].escalated_at, None, "the screen's rule");

    let mut cmd = Command::cargo_bin("attache").unwrap();
    cmd.args(["--config", CONFIG, "--journal"]).arg(dir.path()).args([
        "brief",
        "--from",
        "2026-11-24T00:00:00Z",
        "--to",
        "2026-11-25T00:00:00Z",
        "--generated-at",
        "2026-11-25T00:05:00Z",
        "--format",
        "json",
        "--mission",
        "KFOR",
    ]);
    let json: Value = serde_json::from_slice(&cmd.assert().success().get_output().stdout).unwrap();
    let line = &json["missions"][0]["raised"][0];
    assert_eq!(line["id"], GATE);
    assert_eq!(line["state"], "resolved");
    assert_eq!(line["escalated"], Value::Null, "{line}");
    assert_eq!(line["resolved"]["by"], "reyes");
    assert_eq!(line["resolved"]["text"], "felt, no damage");
}
