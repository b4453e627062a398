//! Fixture journeys for alerts: a journal of feed items goes in, run through the rules as the
//! polling process runs them (fold, derive, fold, check escalations), and the alerts and their
//! states come out: raised, updated, resolved on cancel, expiry and no longer matching,
//! escalated when left waiting, exercise traffic raised only when a rule asks for it.

use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

use attache::alerts::{Rule, derive, escalations};
use attache::config::Config;
use attache::domain::Severity;
use attache::event::{Event, Record};
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

/// Plays the journal as the polling console does and returns the whole journal it writes.
fn play(input: &str) -> (DeskState, Vec<Record>) {
    let config = Config::load(Path::new("config/attache.toml")).unwrap();
    let rules = rules();
    let mut state = DeskState::default();
    let mut journal: Vec<Record> = Vec::new();
    let append = |state: &mut DeskState, journal: &mut Vec<Record>, ts, by: &str, events: Vec<Event>| {
        for event in events {
            let record = Record { seq: journal.len() as u64 + 1, ts, by: by.to_string(), event };
            state.apply(&record);
            journal.push(record);
        }
    };
    for line in input.lines() {
        let record: Record = serde_json::from_str(line).unwrap();
        let due = escalations(&rules, &state, record.ts);
        append(&mut state, &mut journal, record.ts, "attache", due);
        append(&mut state, &mut journal, record.ts, &record.by, vec![record.event.clone()]);
        let alerts = derive(&rules, &config.missions, &config.contacts, &state, &[record.event], record.ts);
        append(&mut state, &mut journal, record.ts, "attache", alerts);
    }
    (state, journal)
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
    for alert in state.alerts.values() {
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
