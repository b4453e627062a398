//! The briefing's "Roll-calls" section end to end: a fixture journal written through the real
//! writer, briefed by the real binary in Markdown, text and JSON against golden files. A
//! roll-call open at the period's start and closed in it, one opened by an alert with a contact
//! tried and then reached needing help, one left overdue and open at the end; one closed before
//! the period and an answer after it must not show. The collector's roll-calls are the screen
//! reducer's, record for record.

use chrono::{DateTime, Utc};
use std::path::Path;

use attache::domain::{Answer, Severity, Traffic};
use attache::event::Event;
use attache::journal::Writer;
use attache::state::DeskState;

mod brief_fixture;

use brief_fixture::brief;

const FROM: &str = "2026-11-24T00:00:00Z";
const TO: &str = "2026-11-25T00:00:00Z";
const NGABA: &str = "Maj. Didier Ngaba";
const KOVAC: &str = "Lt Col. Mirela Kovač";

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn opened(
    id: &str,
    contact: &str,
    deadline: &str,
    mission: Option<&str>,
    alert: Option<&str>,
    reason: &str,
) -> Event {
    Event::RollcallOpened {
        rollcall: id.into(),
        contacts: vec![contact.into()],
        deadline: t(deadline),
        mission: mission.map(String::from),
        alert: alert.map(String::from),
        reason: reason.into(),
    }
}

fn answered(id: &str, contact: &str, answer: Answer, note: Option<&str>) -> Event {
    Event::RollcallAnswered {
        rollcall: id.into(),
        contact: contact.into(),
        answer,
        note: note.map(String::from),
    }
}

fn fixture(dir: &Path) {
    let mut w = Writer::open(dir).unwrap();
    let mut at = |ts: &str, by: &str, event: Event| {
        w.append(by, t(ts), vec![event]).unwrap();
    };
    let minusca = "MINUSCA 2026-11-23T21:30Z";
    let kfor_before = "KFOR 2026-11-23T23:00Z";
    let kfor = "KFOR 2026-11-24T12:01Z";
    let alert = "alert A2";
    at(
        "2026-11-23T06:00:00Z",
        "reyes",
        Event::SessionStarted { operator: "reyes".into(), host: "desk1".into(), terminal: "xterm".into() },
    );
    at(
        "2026-11-23T21:30:00Z",
        "reyes",
        opened(minusca, NGABA, "2026-11-23T22:30:00Z", Some("MINUSCA"), None, "convoy overdue at Bossembele"),
    );
    at(
        "2026-11-23T22:30:00Z",
        "attache",
        Event::RollcallOverdue { rollcall: minusca.into(), contacts: vec![NGABA.into()] },
    );
    at(
        "2026-11-23T23:00:00Z",
        "reyes",
        opened(
            kfor_before,
            KOVAC,
            "2026-11-24T00:00:00Z",
            Some("KFOR"),
            None,
            "before the period: must not show",
        ),
    );
    at("2026-11-23T23:10:00Z", "reyes", answered(kfor_before, KOVAC, Answer::Safe, None));
    at("2026-11-23T23:15:00Z", "reyes", Event::RollcallClosed { rollcall: kfor_before.into(), reason: None });
    // The period.
    at(
        "2026-11-24T02:00:00Z",
        "santos",
        answered(minusca, NGABA, Answer::Safe, Some("convoy reached Bangui")),
    );
    at(
        "2026-11-24T04:00:00Z",
        "santos",
        Event::RollcallClosed { rollcall: minusca.into(), reason: Some("all accounted for".into()) },
    );
    at(
        "2026-11-24T06:00:00Z",
        "attache",
        Event::AlertRaised {
            alert: "A2".into(),
            rule: "quake near a mission".into(),
            feed: "usgs-quakes".into(),
            item: "item-A2".into(),
            severity: Severity::Critical,
            title: "Attack on UN convoy near Bangui".into(),
            missions: vec!["MINUSCA".into()],
            traffic: Traffic::Real,
        },
    );
    at(
        "2026-11-24T06:00:01Z",
        "attache",
        opened(
            alert,
            NGABA,
            "2026-11-24T07:00:01Z",
            None,
            Some("A2"),
            "critical alert: Attack on UN convoy near Bangui",
        ),
    );
    at(
        "2026-11-24T06:30:00Z",
        "reyes",
        answered(alert, NGABA, Answer::NotReached, Some("no answer on Thuraya")),
    );
    at(
        "2026-11-24T06:45:00Z",
        "reyes",
        answered(alert, NGABA, Answer::NeedsHelp, Some("pinned down | requests *QRF*")),
    );
    at(
        "2026-11-24T12:01:00Z",
        "reyes",
        opened(kfor, KOVAC, "2026-11-24T13:01:00Z", Some("KFOR"), None, "protest at the gate"),
    );
    at("2026-11-24T12:30:00Z", "reyes", answered(kfor, KOVAC, Answer::NotReached, None));
    at(
        "2026-11-24T13:01:00Z",
        "attache",
        Event::RollcallOverdue { rollcall: kfor.into(), contacts: vec![KOVAC.into()] },
    );
    // After the period.
    at(
        "2026-11-25T00:30:00Z",
        "reyes",
        answered(kfor, KOVAC, Answer::Safe, Some("after the period: must not show")),
    );
}

/// The ids of the roll-calls a JSON briefing of the period lists, with `extra` arguments.
fn rollcall_ids(dir: &Path, extra: &[&str]) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&brief(dir, "json", extra)).unwrap();
    json["rollcalls"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
}

/// The lines from the one starting with `start` to the next one starting with `next`.
fn section(text: &str, start: &str, next: &str) -> String {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start} in:\n{text}"));
    let rest = &text[from..];
    let end = rest[start.len()..].find(next).map_or(rest.len(), |n| n + start.len());
    rest[..end].to_string()
}

#[test]
fn golden_roll_call_sections_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let md = brief(dir.path(), "md", &[]);
    let text = brief(dir.path(), "text", &[]);
    let json: serde_json::Value = serde_json::from_str(&brief(dir.path(), "json", &[])).unwrap();
    let md = section(&md, "## Roll-calls", "\n## ");
    let text = section(&text, "ROLL-CALLS", "\nEXERCISE AND TEST TRAFFIC");
    insta::assert_snapshot!("rollcalls_md", md);
    insta::assert_snapshot!("rollcalls_text", text);
    insta::assert_snapshot!("rollcalls_json", serde_json::to_string_pretty(&json["rollcalls"]).unwrap());
    for out in [&md, &text] {
        assert!(!out.contains("must not show"), "{out}");
    }
    assert_eq!(json["rollcalls"].as_array().unwrap().len(), 3);
    assert!(text.lines().all(|l| l.chars().count() <= 80), "text wider than 80 columns:\n{text}");
}

#[test]
fn a_one_mission_briefing_holds_that_missions_roll_calls_and_its_alerts() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let ids = |mission: &str| rollcall_ids(dir.path(), &["--mission", mission]);
    assert_eq!(ids("KFOR"), ["KFOR 2026-11-24T12:01Z"]);
    assert_eq!(ids("MINUSCA"), ["MINUSCA 2026-11-23T21:30Z", "alert A2"], "A2 names MINUSCA");
    assert!(ids("EDCA-PH").is_empty());
}

#[test]
fn the_briefing_folds_roll_calls_by_the_screens_reducer() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let facts =
        attache::brief::collect::collect(dir.path(), t(FROM), t(TO), &|_: &attache::domain::Location| {
            attache::brief::collect::Near::new()
        })
        .unwrap();
    let mut state = DeskState::default();
    let (records, problems) = attache::journal::read_all(dir.path()).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    state.fold_all(records.into_iter().filter(|r| r.ts <= t(TO)));
    for (id, call) in state.rollcalls() {
        assert_eq!(facts.rollcalls.get(id), Some(call), "{id}");
    }
    assert_eq!(state.rollcalls().len(), 4, "the one closed the evening before is still kept by both");
    assert_eq!(facts.rollcalls.len(), 4);
}

/// An alert's roll-call whose alert the record no longer tells of (resolved long before the
/// period) belongs to no known mission: a briefing of the whole desk lists it, a one-mission
/// briefing does not.
#[test]
fn a_roll_call_of_an_alert_no_longer_known_is_only_in_the_whole_desks_briefing() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::open(dir.path()).unwrap();
    let call = opened("alert gone", NGABA, "2026-11-24T13:00:00Z", None, Some("gone"), "severe alert: M6");
    w.append("attache", t("2026-11-24T12:00:00Z"), vec![call]).unwrap();
    w.sync().unwrap();
    drop(w);
    assert_eq!(rollcall_ids(dir.path(), &[]), ["alert gone"]);
    assert!(rollcall_ids(dir.path(), &["--mission", "KFOR"]).is_empty());
}
