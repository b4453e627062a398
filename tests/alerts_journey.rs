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
