//! A briefing sets the record against the configuration in force at the period's end, as the
//! journal records it (`config.loaded` with its snapshot), not today's file. The fixture: a
//! configuration loaded without a snapshot (a journal written before snapshots were), then one
//! without the mission KFOR and its contact Lt Col. Kovač, then today's with both; a quake near
//! KFOR in each period. Each period is briefed by the real binary against golden files.

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::path::Path;

use attache::config::{Config, ConfigSnapshot};
use attache::domain::FeedItem;
use attache::event::Event;
use attache::journal::Writer;

const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/attache.toml");
const KOVAC: &str = "Lt Col. Mirela Kovač";

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn quake_near_kfor(id: &str) -> Event {
    let item: FeedItem = serde_json::from_value(json!({
        "feed": "usgs-quakes", "id": id, "title": format!("M 5.9 quake near Pristina ({id})"),
        "severity": "severe", "location": {"type": "point", "lat": 42.6, "lon": 21.2},
    }))
    .unwrap();
    Event::ItemSeen { item }
}

fn loaded(digest: &str, snapshot: Option<ConfigSnapshot>) -> Event {
    let counts = snapshot.as_ref().map_or((0, 0), |s| (s.missions.len(), s.contacts.len()));
    Event::ConfigLoaded {
        path: "/etc/attache/attache.toml".into(),
        digest: digest.into(),
        feeds: 0,
        missions: counts.0,
        contacts: counts.1,
        config: snapshot.map(Box::new),
    }
}

fn fixture(dir: &Path) {
    let today = Config::load(Path::new(CONFIG)).unwrap_or_else(|p| panic!("{p:?}"));
    let now = ConfigSnapshot::of(&today);
    let mut before = now.clone();
    before.missions.retain(|m| m.id != "KFOR");
    before.contacts.retain(|c| c.name != KOVAC);
    let mut w = Writer::open(dir).unwrap();
    let mut at = |ts: &str, event: Event| {
        w.append("reyes", t(ts), vec![event]).unwrap();
    };
    at("2026-11-19T06:00:00Z", loaded("sha256:unrecorded", None));
    at("2026-11-19T08:00:00Z", quake_near_kfor("q0"));
    at("2026-11-20T06:00:00Z", loaded("sha256:before", Some(before)));
    at("2026-11-21T08:00:00Z", quake_near_kfor("q1"));
    at("2026-11-22T12:00:00Z", loaded("sha256:now", Some(now)));
    at("2026-11-23T08:00:00Z", quake_near_kfor("q2"));
    at(
        "2026-11-23T09:00:00Z",
        Event::ContactCheckedIn {
            contact: KOVAC.into(),
            operator: "reyes".into(),
            channel: None,
            note: None,
        },
    );
}

/// The briefing without its head hash: the snapshots recorded hold the desk's absolute paths
/// (feed documents), so the record's bytes, and its sums, depend on where the tests run.
fn without_head(brief: &str) -> String {
    brief
        .lines()
        .map(|line| {
            if line.starts_with("| Head hash |") {
                "| Head hash | (varies with the checkout's path) |"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn brief(dir: &Path, from: &str, to: &str, format: &str, extra: &[&str]) -> String {
    let out = Command::cargo_bin("attache")
        .unwrap()
        .env("LOGNAME", "reyes")
        .args(["--config", CONFIG, "--journal"])
        .arg(dir)
        .args(["brief", "--from", from, "--to", to, "--generated-at", "2026-11-24T00:05:00Z"])
        .args(["--format", format])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

const EARLIER: (&str, &str) = ("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z");
const LATER: (&str, &str) = ("2026-11-22T00:00:00Z", "2026-11-24T00:00:00Z");
const UNRECORDED: (&str, &str) = ("2026-11-19T00:00:00Z", "2026-11-20T00:00:00Z");

#[test]
fn each_period_is_briefed_with_the_configuration_in_force_then() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let earlier = brief(dir.path(), EARLIER.0, EARLIER.1, "md", &[]);
    let later = brief(dir.path(), LATER.0, LATER.1, "md", &[]);
    insta::assert_snapshot!("earlier_period_md", without_head(&earlier));
    insta::assert_snapshot!("later_period_md", without_head(&later));
    // Before the mission and its contact were in the configuration: neither shows.
    assert!(!earlier.contains("KFOR") && !earlier.contains(KOVAC), "{earlier}");
    assert!(!earlier.contains("Pristina"), "an item near a mission not yet watched: {earlier}");
    assert!(earlier.contains("as the journal records it (record \\#3)"), "{earlier}");
    // After: both, the quake near KFOR listed under it, and the reload said once.
    assert!(later.contains("### KFOR") && later.contains(KOVAC), "{later}");
    assert!(later.contains("(q2)") && !later.contains("(q1)"), "{later}");
    assert_eq!(
        later.matches("configuration reloaded at 2026-11-22 12:00Z (record \\#5)").count(),
        1,
        "{later}"
    );
    let text = brief(dir.path(), LATER.0, LATER.1, "text", &[]);
    assert_eq!(text.matches("configuration reloaded at 2026-11-22 12:00Z (record #5)").count(), 1, "{text}");
}

#[test]
fn a_checkpoint_before_the_period_carries_the_configuration_in_force() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let earlier = brief(dir.path(), EARLIER.0, EARLIER.1, "json", &[]);
    let later = brief(dir.path(), LATER.0, LATER.1, "json", &[]);
    // A checkpoint after the snapshot without KFOR, before either period.
    let records = attache::journal::Follower::new(dir.path()).poll().unwrap().0;
    let mut state = attache::state::DeskState::default();
    state.apply_all(records.iter().take(3));
    attache::checkpoint::save(dir.path(), &state).unwrap();
    assert_eq!(brief(dir.path(), EARLIER.0, EARLIER.1, "json", &[]), earlier);
    assert_eq!(brief(dir.path(), LATER.0, LATER.1, "json", &[]), later);
}

#[test]
fn missions_asked_for_are_those_in_force_at_the_period_end() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let json: Value =
        serde_json::from_str(&brief(dir.path(), LATER.0, LATER.1, "json", &["--mission", "KFOR"])).unwrap();
    let ids: Vec<&str> =
        json["missions"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["KFOR"]);
    assert_eq!(json["missions"][0]["items_near"][0]["id"], "q2");
    assert_eq!(json["configuration"]["source"], "record");
    assert_eq!(json["configuration"]["last_change"]["seq"], 5);
    Command::cargo_bin("attache")
        .unwrap()
        .args(["--config", CONFIG, "--journal"])
        .arg(dir.path())
        .args(["brief", "--from", EARLIER.0, "--to", EARLIER.1, "--mission", "KFOR"])
        .assert()
        .failure()
        .stderr(
            predicates::str::contains("no mission `KFOR`")
                .and(predicates::str::contains("EDCA-PH"))
                .and(predicates::str::contains("KFOR,").not()),
        );
}

#[test]
fn a_period_before_any_snapshot_is_briefed_with_todays_configuration_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let md = brief(dir.path(), UNRECORDED.0, UNRECORDED.1, "md", &[]);
    assert!(md.contains("today's configuration: none recorded by the period's end"), "{md}");
    assert!(md.contains("### KFOR") && md.contains("(q0)"), "today's configuration has KFOR: {md}");
    let json: Value =
        serde_json::from_str(&brief(dir.path(), UNRECORDED.0, UNRECORDED.1, "json", &[])).unwrap();
    assert_eq!(json["configuration"]["source"], "today");
}

use predicates::prelude::PredicateBooleanExt as _;
