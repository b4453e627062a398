//! Fixture journeys for alerts: a journal of feed items goes in, run through the desk's core as
//! the polling process runs it (fold, derive, fold, check escalations), and the alerts and their
//! states come out: raised, updated, resolved on cancel, expiry and no longer matching,
//! escalated when left waiting, exercise traffic raised only when a rule asks for it.

use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

use attache::alerts::Rule;
use attache::config::Config;
use attache::desk::{Desk, InMemory, Input, Tick};
use attache::domain::Severity;
use attache::event::Record;
use attache::state::DeskState;

fn rules() -> Vec<Rule> {
    vec![
        Rule {
            feeds: Some(vec!["quakes".into()]),
            min_magnitude: Some(5.0),
            near_mission_km: Some(100.0),
            escalate_after: Some(Duration::from_secs(15 * 60)),
            ..Rule::new("quake near a mission", Severity::Moderate)
        },
        Rule {
            keywords: vec!["cyclone".into()],
            include_exercise: true,
            ..Rule::new("cyclone warnings", Severity::Minor)
        },
    ]
}

/// Plays the journal through the desk's core as the polling console does (at each record's
/// time: escalations due, then what the feed said and the alerts it leads to), and returns the
/// whole journal it writes.
fn play(input: &str) -> (DeskState, Vec<Record>) {
    let mut config = Config::load(Path::new("config/attache.toml")).unwrap();
    config.rules = rules();
    let mut record = InMemory::new(config);
    let mut desk = Desk::new();
    for line in input.lines() {
        let said: Record = serde_json::from_str(line).unwrap();
        desk.handle(&mut record, Input::Tick(Tick::Escalate), said.ts);
        desk.handle(&mut record, Input::FeedSaid { by: said.by, events: vec![said.event] }, said.ts);
    }
    record.into_parts()
}

#[test]
fn items_in_alerts_out() {
    let input = std::fs::read_to_string("tests/fixtures/journeys/items-for-alerts.jsonl").unwrap();
    let (state, journal) = play(&input);
    let mut out = String::new();
    for record in journal.iter().filter(|r| r.event.kind().starts_with("alert.")) {
        writeln!(
            out,
            "#{} {} {}",
            record.seq,
            record.ts.format("%H:%M"),
            serde_json::to_string(&record.event).unwrap()
        )
        .unwrap();
    }
    writeln!(out).unwrap();
    for alert in state.alerts().values() {
        writeln!(
            out,
            "{} {:?} escalated={} {:?} {:?} missions={:?}",
            alert.id,
            alert.state,
            alert.escalated(),
            alert.severity,
            alert.traffic,
            alert.missions
        )
        .unwrap();
    }
    insta::assert_snapshot!(out);
}

/// A quake inside Cagayan's area, as the quake feed says it.
fn quake_in_cagayan(id: &str) -> attache::event::Event {
    attache::event::Event::ItemSeen {
        item: attache::domain::FeedItem {
            feed: "quakes".into(),
            id: id.into(),
            title: format!("M 5.8 - Tuguegarao ({id})"),
            summary: None,
            link: None,
            published: None,
            updated: None,
            severity: Severity::Moderate,
            severity_raw: None,
            category: None,
            magnitude: Some(5.8),
            location: Some(attache::domain::Location::Point { lat: 17.6, lon: 121.7 }),
            expires: None,
            traffic: attache::domain::Traffic::Real,
        },
    }
}

#[test]
fn a_suspended_mission_matches_no_rule_from_the_record_that_suspends_it() {
    use attache::domain::MissionStatus;
    use attache::event::Event;
    let mut config = Config::load(Path::new("config/attache.toml")).unwrap();
    config.rules = rules();
    let mut record = InMemory::new(config);
    let mut desk = Desk::new();
    let at = |minute: i64| {
        "2026-12-07T01:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap()
            + chrono::Duration::minutes(minute)
    };
    let said = |desk: &mut Desk, record: &mut InMemory, id: &str, minute: i64| {
        desk.handle(
            record,
            Input::FeedSaid { by: "feed:quakes".into(), events: vec![quake_in_cagayan(id)] },
            at(minute),
        );
    };
    let raised = |record: &InMemory| -> Vec<(String, Vec<String>)> {
        record
            .journal()
            .iter()
            .filter_map(|r| match &r.event {
                Event::AlertRaised { item, missions, .. } => Some((item.clone(), missions.clone())),
                _ => None,
            })
            .collect()
    };

    let set = |desk: &mut Desk, record: &mut InMemory, mission: &str, status: MissionStatus, minute: i64| {
        let event = Event::MissionStatusChanged { mission: mission.into(), status, note: None };
        desk.handle(record, Input::Operator { by: "reyes".into(), events: vec![event] }, at(minute));
    };
    let named = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    // Cagayan's area lies within the rule's reach of EDCA-PH's too.
    said(&mut desk, &mut record, "q1", 0);
    assert_eq!(raised(&record), [("q1".into(), named(&["EDCA-PH", "HADR-CAGAYAN"]))], "both active: both");

    set(&mut desk, &mut record, "HADR-CAGAYAN", MissionStatus::Suspended, 1);
    said(&mut desk, &mut record, "q2", 2);
    assert_eq!(raised(&record)[1], ("q2".into(), named(&["EDCA-PH"])), "Cagayan suspended: not named");

    set(&mut desk, &mut record, "EDCA-PH", MissionStatus::Closed, 3);
    said(&mut desk, &mut record, "q3", 4);
    assert_eq!(raised(&record).len(), 2, "neither active: q3 raises nothing: {:?}", raised(&record));

    set(&mut desk, &mut record, "HADR-CAGAYAN", MissionStatus::Active, 5);
    said(&mut desk, &mut record, "q4", 6);
    assert_eq!(raised(&record)[2], ("q4".into(), named(&["HADR-CAGAYAN"])), "Cagayan active again");
}
