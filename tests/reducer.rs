//! Journal fixtures in, desk state out: the reducer alone, without terminal or network.

use attache::event::Record;
use attache::state::{AlertState, DeskState};
use std::fmt::Write;

fn load(name: &str) -> Vec<Record> {
    let text = std::fs::read_to_string(format!("tests/fixtures/journeys/{name}")).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: {e}: {l}"))).collect()
}

/// The state as plain text, so a whole journey is one reviewed snapshot.
fn summary(state: &DeskState) -> String {
    let mut out = String::new();
    writeln!(out, "last_seq {} notes {}", state.last_seq(), state.notes()).unwrap();
    let mut items: Vec<_> = state.items().values().collect();
    items.sort_by(|a, b| a.item.id.cmp(&b.item.id));
    for e in items {
        writeln!(
            out,
            "item {}/{} rev {} {:?} {}",
            e.item.feed, e.item.id, e.revisions, e.item.severity, e.item.title
        )
        .unwrap();
    }
    for (name, h) in state.feeds() {
        writeln!(
            out,
            "feed {name} ok {:?} failing {:?} items {} error {:?}",
            h.last_ok, h.failing_since, h.active_items, h.last_error
        )
        .unwrap();
    }
    for a in state.alerts().values() {
        writeln!(
            out,
            "alert {} {:?} escalated {} by {:?} {:?} {}",
            a.id,
            a.state,
            a.escalated(),
            a.acknowledged.as_ref().map(|x| &x.by),
            a.severity,
            a.title
        )
        .unwrap();
        for step in &a.history {
            writeln!(out, "  {} {}", step.ts, step.what).unwrap();
        }
    }
    let mut check_ins: Vec<_> = state.check_ins().iter().collect();
    check_ins.sort();
    for (who, when) in check_ins {
        writeln!(out, "check-in {who} {when}").unwrap();
    }
    out
}

#[test]
fn a_watch_folds_into_the_expected_state() {
    let mut state = DeskState::default();
    state.apply_all(&load("watch-2026-11-25.jsonl"));
    insta::assert_snapshot!(summary(&state));
}

#[test]
fn feed_text_reaches_state_without_control_characters() {
    let mut state = DeskState::default();
    state.apply_all(&load("watch-2026-11-25.jsonl"));
    for a in state.alerts().values() {
        assert!(!a.title.chars().any(char::is_control), "{:?}", a.title);
    }
    assert!(state.log().iter().all(|l| !l.text.chars().any(char::is_control)));
}

#[test]
fn applying_twice_changes_nothing() {
    let records = load("watch-2026-11-25.jsonl");
    let mut once = DeskState::default();
    once.apply_all(&records);
    let mut twice = once.clone();
    twice.apply_all(&records);
    assert_eq!(once, twice, "records at or below last_seq are already folded in");
}

#[test]
fn state_at_any_prefix_is_the_fold_of_that_prefix() {
    // The property replay rests on: folding records one at a time from the start reaches the
    // same state at each point as folding the prefix at once.
    let records = load("watch-2026-11-25.jsonl");
    let mut stepwise = DeskState::default();
    for (n, record) in records.iter().enumerate() {
        stepwise.apply(record);
        let mut at_once = DeskState::default();
        at_once.apply_all(&records[..=n]);
        assert_eq!(stepwise, at_once, "after record {}", record.seq);
    }
    let resolved = stepwise.alerts().values().filter(|a| a.state == AlertState::Resolved).count();
    assert_eq!(resolved, 1);
}

#[test]
fn a_withdrawal_is_logged_by_the_items_title() {
    let item: attache::domain::FeedItem = serde_json::from_value(serde_json::json!({
        "feed": "usgs-quakes", "id": "us7000lx8h", "title": "M 4.9 - 45 km NNW of Güiria", "severity": "minor"
    }))
    .unwrap();
    let at = "2026-11-25T00:00:00Z".parse().unwrap();
    let record = |seq, event| Record { seq, ts: at, by: "feed:usgs-quakes".into(), event };
    let mut state = DeskState::default();
    state.apply(&record(1, attache::event::Event::ItemSeen { item }));
    let withdrawn = attache::event::Event::ItemWithdrawn {
        feed: "usgs-quakes".into(),
        id: "us7000lx8h".into(),
        reason: attache::event::WithdrawReason::Gone,
    };
    state.apply(&record(2, withdrawn.clone()));
    assert_eq!(
        state.log()[0].text,
        "usgs-quakes withdrew (gone from feed): M 4.9 - 45 km NNW of Güiria (id us7000lx8h)"
    );
    // Withdrawn again (an item never in view): the id is all there is.
    state.apply(&record(3, withdrawn));
    assert_eq!(state.log()[0].text, "usgs-quakes withdrew us7000lx8h (gone from feed)");
}

/// A `config.loaded` line as a console writes it, with a one-mission snapshot when `mission` is
/// given.
fn config_loaded(seq: u64, digest: &str, mission: Option<(&str, f64)>) -> Record {
    let snapshot = mission.map(|(id, lat)| {
        serde_json::json!({
            "desk": {"name": "Manila desk", "tz": "Asia/Manila"},
            "missions": [{
                "id": id, "name": id, "kind": "humanitarian", "status": "active", "country": "PH",
                "area": {"lat": lat, "lon": 121.0, "radius_km": 50.0},
                "lead": null, "partners": [], "start": null, "end": null
            }]
        })
    });
    let mut line = serde_json::json!({
        "seq": seq, "ts": format!("2026-11-25T0{seq}:00:00Z"), "by": "reyes", "kind": "config.loaded",
        "path": "/etc/attache/attache.toml", "digest": digest, "feeds": 0, "missions": 1, "contacts": 0
    });
    if let Some(snapshot) = snapshot {
        line["config"] = snapshot;
    }
    serde_json::from_value(line).unwrap()
}

#[test]
fn the_configuration_in_force_changes_at_the_record_that_loads_it() {
    let note = |seq: u64| -> Record {
        serde_json::from_value(serde_json::json!({
            "seq": seq, "ts": format!("2026-11-25T0{seq}:00:00Z"), "by": "reyes", "kind": "note",
            "operator": "reyes", "text": "hello"
        }))
        .unwrap()
    };
    let records = [
        note(1),
        config_loaded(2, "sha256:a", Some(("M-OLD", 14.0))),
        note(3),
        config_loaded(4, "sha256:b", Some(("M-NEW", 10.0))),
        // A console starting with the configuration already in force journals no snapshot.
        config_loaded(5, "sha256:b", None),
        // One starting with another configuration and no snapshot (an older version).
        config_loaded(6, "sha256:c", None),
    ];
    let mut state = DeskState::default();
    let mut in_force = Vec::new();
    for record in &records {
        state.apply(record);
        let c = state.config_in_force();
        in_force.push(c.map(|c| {
            let missions =
                c.snapshot.as_ref().map(|s| s.missions.iter().map(|m| m.id.clone()).collect::<Vec<_>>());
            (c.seq, c.digest.clone(), missions)
        }));
    }
    let at = |seq: u64, digest: &str, missions: Option<&[&str]>| {
        Some((seq, digest.to_string(), missions.map(|m| m.iter().map(|s| s.to_string()).collect())))
    };
    assert_eq!(
        in_force,
        vec![
            None,
            at(2, "sha256:a", Some(&["M-OLD"])),
            at(2, "sha256:a", Some(&["M-OLD"])),
            at(4, "sha256:b", Some(&["M-NEW"])),
            at(4, "sha256:b", Some(&["M-NEW"])),
            at(6, "sha256:c", None),
        ]
    );
    // Saved with the state, as checkpoints are, and read back the same.
    let saved = serde_json::to_string(&state).unwrap();
    let back: DeskState = serde_json::from_str(&saved).unwrap();
    assert_eq!(back.config_in_force(), state.config_in_force());
}

#[test]
fn a_resolved_alert_stays_resolved_whatever_crosses_its_resolution() {
    // Another desk's unacknowledge, or `attache ack` racing the poller's resolution, arrives
    // after the alert was resolved: its life is over, nothing reopens it.
    let lines = [
        r#"{"seq":1,"ts":"2026-12-01T02:00:00Z","by":"rules","kind":"alert.raised","alert":"A1","rule":"r","feed":"f","item":"i","severity":"severe","title":"t","missions":[],"traffic":"real"}"#,
        r#"{"seq":2,"ts":"2026-12-01T02:05:00Z","by":"reyes","kind":"alert.resolved","alert":"A1","operator":"reyes","reason":"done"}"#,
        r#"{"seq":3,"ts":"2026-12-01T02:06:00Z","by":"reyes","kind":"alert.unacknowledged","alert":"A1","operator":"reyes"}"#,
        r#"{"seq":4,"ts":"2026-12-01T02:07:00Z","by":"kovac","kind":"alert.acknowledged","alert":"A1","operator":"kovac"}"#,
        r#"{"seq":5,"ts":"2026-12-01T02:08:00Z","by":"rules","kind":"alert.escalated","alert":"A1"}"#,
        r#"{"seq":6,"ts":"2026-12-01T02:09:00Z","by":"kovac","kind":"alert.resolved","alert":"A1","operator":"kovac","reason":"again"}"#,
    ];
    let records: Vec<Record> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut state = DeskState::default();
    state.fold_all(records);
    let alert = &state.alerts()["A1"];
    assert_eq!(alert.state, AlertState::Resolved);
    assert_eq!(alert.acknowledged, None);
    assert!(!alert.escalated());
    assert_eq!(alert.resolved_at, Some("2026-12-01T02:05:00Z".parse().unwrap()));
    assert_eq!(alert.resolution.as_ref().map(|r| r.by.as_str()), Some("reyes"));
    assert_eq!(state.open_alerts().count(), 0);
}

#[test]
fn a_check_in_moves_the_contact_on_with_or_without_channel_and_note() {
    // A check-in written before check-ins carried a channel and note reads as one without.
    let old = r#"{"seq":1,"ts":"2026-12-01T02:00:00Z","by":"reyes","kind":"contact.checked_in","contact":"Col. Ana Reyes","operator":"reyes"}"#;
    let new = r#"{"seq":2,"ts":"2026-12-03T02:00:00Z","by":"reyes","kind":"contact.checked_in","contact":"Capt. Kenji Morita","operator":"reyes","channel":"email","note":"quiet week"}"#;
    let records: Vec<Record> = [old, new].iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut state = DeskState::default();
    state.fold_all(records.clone());
    let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    assert_eq!(state.check_ins().get("Col. Ana Reyes"), Some(&at("2026-12-01T02:00:00Z")));
    assert_eq!(state.check_ins().get("Capt. Kenji Morita"), Some(&at("2026-12-03T02:00:00Z")));
    let said = &state.log().iter().find(|l| l.seq == 2).unwrap().text;
    assert_eq!(said, "reyes checked in with Capt. Kenji Morita by email: quiet week");
    assert_eq!(serde_json::to_string(&records[1]).unwrap(), new, "written back as read");
}

#[test]
fn a_note_tied_to_a_mission_reads_and_says_what_it_is_about() {
    let untied = r#"{"seq":1,"ts":"2026-12-01T02:00:00Z","by":"reyes","kind":"note","operator":"reyes","text":"quiet"}"#;
    let tied = r#"{"seq":2,"ts":"2026-12-01T03:00:00Z","by":"reyes","kind":"note","operator":"reyes","text":"gate reopened","mission":"KFOR"}"#;
    let records: Vec<Record> = [untied, tied].iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut state = DeskState::default();
    state.fold_all(records.clone());
    let said = |seq| state.log().iter().find(|l| l.seq == seq).unwrap().text.clone();
    assert_eq!(said(1), "reyes: quiet");
    assert_eq!(said(2), "reyes: gate reopened (on mission KFOR)");
    assert_eq!(serde_json::to_string(&records[0]).unwrap(), untied, "no tie fields where none was read");
    assert_eq!(serde_json::to_string(&records[1]).unwrap(), tied);
}

#[test]
fn a_missions_status_is_the_last_set_with_its_line_and_survives_a_checkpoint() {
    use attache::domain::MissionStatus;
    let lines = [
        r#"{"seq":1,"ts":"2026-12-01T02:00:00Z","by":"reyes","kind":"mission.status_changed","mission":"KFOR","status":"suspended","note":"road closed\u001b[2J at Jarinje"}"#,
        r#"{"seq":2,"ts":"2026-12-01T03:00:00Z","by":"santos","kind":"mission.status_changed","mission":"BALIKATAN-27","status":"concluded"}"#,
        r#"{"seq":3,"ts":"2026-12-01T04:00:00Z","by":"santos","kind":"mission.status_changed","mission":"KFOR","status":"active"}"#,
        r#"{"seq":4,"ts":"2026-12-01T05:00:00Z","by":"reyes","kind":"note","operator":"reyes","text":"gate reopened","mission":"KFOR"}"#,
    ];
    let records: Vec<Record> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut state = DeskState::default();
    state.apply_all(&records[..1]);
    let kfor = &state.missions()["KFOR"];
    assert_eq!(
        (kfor.status, kfor.line.as_deref(), kfor.by.as_str()),
        (MissionStatus::Suspended, Some("road closed[2J at Jarinje"), "reyes")
    );
    let said = |state: &DeskState, seq| state.log().iter().find(|l| l.seq == seq).unwrap().text.clone();
    assert_eq!(said(&state, 1), "reyes set mission KFOR suspended: road closed[2J at Jarinje");

    state.apply_all(&records[1..]);
    assert_eq!(state.missions()["BALIKATAN-27"].status, MissionStatus::Closed, "concluded reads as closed");
    let kfor = &state.missions()["KFOR"];
    assert_eq!(
        (kfor.status, kfor.line.as_deref(), kfor.seq),
        (MissionStatus::Active, None, 3),
        "the last one counts"
    );
    assert_eq!(said(&state, 3), "santos set mission KFOR active");
    let notes: Vec<&str> = state.mission_notes()["KFOR"].iter().map(|n| n.text.as_str()).collect();
    assert_eq!(notes, ["gate reopened"]);

    // A checkpoint holds both.
    let saved = serde_json::to_string(&state).unwrap();
    let back: DeskState = serde_json::from_str(&saved).unwrap();
    assert_eq!((back.missions(), back.mission_notes()), (state.missions(), state.mission_notes()));
    let written = serde_json::to_string(&records[1]).unwrap();
    assert!(written.contains(r#""status":"closed""#), "written back in today's word: {written}");
}

/// Notifications change nothing the panes show but the Event log, where they are said (live
/// and in replay alike: both fold the record with this reducer).
#[test]
fn notifications_are_event_log_lines() {
    let lines = [
        r#"{"seq":1,"ts":"2026-11-25T03:00:00Z","by":"notify","kind":"notify.sent","rule":"pager","trigger":"alert.raised>=severe","record":7,"attempts":1,"ms":40}"#,
        r#"{"seq":2,"ts":"2026-11-25T03:00:05Z","by":"notify","kind":"notify.failed","rule":"mail","trigger":"feed.down>30m","record":9,"attempts":3,"error":"exit status 3: relay refused\u001b[2J"}"#,
    ];
    let mut state = DeskState::default();
    for line in lines {
        state.apply(&serde_json::from_str::<Record>(line).unwrap());
    }
    let log: Vec<(&str, &str)> = state.log().iter().map(|l| (l.kind, l.text.as_str())).collect();
    assert_eq!(
        log,
        [
            (
                "notify.failed",
                "NOTIFY FAILED mail of #9 (feed.down>30m) after 3 runs: exit status 3: relay refused[2J"
            ),
            ("notify.sent", "notified pager of #7 (alert.raised>=severe)"),
        ]
    );
}

/// A handover is the state's last handover and an Event log line, where it happened: what was
/// handed over, to whom, and the head it anchors.
#[test]
fn a_handover_is_the_last_handover_and_an_event_log_line() {
    let sum = "ab".repeat(32);
    let lines = [
        r#"{"seq":1,"ts":"2026-12-01T02:00:00Z","by":"reyes","kind":"note","operator":"reyes","text":"quiet"}"#.to_string(),
        format!(
            r#"{{"seq":2,"ts":"2026-12-01T06:00:00Z","by":"reyes","kind":"handover","to":"kim\u001b[2J","open_alerts":[{{"id":"a1","severity":"severe","title":"M6.8 off Mindanao"}}],"overdue_contacts":["Col. Ana Reyes","Capt. Kenji Morita"],"feeds_down":[],"head":{{"seq":1,"sum":"{sum}"}},"sheet":"/desk/briefs/handover-20261201T060000Z.md"}}"#
        ),
    ];
    let records: Vec<Record> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut state = DeskState::default();
    state.apply_all(&records[..1]);
    assert_eq!(state.last_handover(), None);
    state.apply_all(&records[1..]);
    let mark = state.last_handover().expect("folded");
    assert_eq!(
        (
            mark.seq,
            mark.by.as_str(),
            mark.to.as_deref(),
            mark.head_seq,
            mark.open_alerts,
            mark.overdue_contacts
        ),
        (2, "reyes", Some("kim[2J"), 1, 1, 2)
    );
    let said = &state.log().iter().find(|l| l.seq == 2).unwrap().text;
    assert_eq!(
        said,
        "reyes handed over the watch to kim[2J: 1 alert and 0 roll-calls open, 2 contacts overdue, 0 feeds down (head #1)"
    );
    let back: DeskState = serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
    assert_eq!(back.last_handover(), state.last_handover(), "a checkpoint holds it");
    assert_eq!(serde_json::to_string(&records[1]).unwrap(), lines[1], "written back as read");
}
