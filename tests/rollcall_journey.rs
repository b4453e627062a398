//! Roll-calls opened by the desk's core: a severe quake near a contact's post raises its alert,
//! and the alert opens a roll-call naming that contact (and not one whose post is out of the
//! rule's reach), once per alert; past the deadline with the contact not reached, the process
//! that polls writes `rollcall.overdue` once, on `Tick::Escalate`, as it escalates alerts.

use chrono::{DateTime, Duration, Utc};
use std::path::Path;

use attache::alerts::Rule;
use attache::config::{Config, RollcallConfig};
use attache::desk::{Desk, Host, InMemory, Input, Tick};
use attache::domain::{Answer, FeedItem, LatLon, Location, Severity, Traffic};
use attache::event::{Event, Record};

fn at(minute: i64) -> DateTime<Utc> {
    "2026-12-07T01:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minute)
}

/// The demo desk with posts placed: BGen. Aquino's at Camp Aquino (about 265 km from
/// Tuguegarao), Col. Reyes's in Manila (about 345 km); a rule that wants contacts within 300 km.
fn desk(rollcall_at: Severity) -> InMemory {
    InMemory::new(desk_config(rollcall_at))
}

fn desk_config(rollcall_at: Severity) -> Config {
    let mut config = Config::load(Path::new("config/attache.toml")).unwrap();
    for contact in &mut config.contacts {
        contact.post_location = match contact.name.as_str() {
            "BGen. Ramon Aquino" => Some(LatLon { lat: 15.49, lon: 120.59 }),
            "Col. Ana Reyes" => Some(LatLon { lat: 14.58, lon: 121.0 }),
            _ => None,
        };
    }
    config.rules = vec![Rule {
        feeds: Some(vec!["quakes".into()]),
        near_contact_km: Some(300.0),
        ..Rule::new("quake near a contact", Severity::Severe)
    }];
    config.rollcall =
        Some(RollcallConfig { at: rollcall_at, deadline: std::time::Duration::from_secs(30 * 60) });
    config
}

fn quake(updated: bool) -> Event {
    let item = FeedItem {
        feed: "quakes".into(),
        id: "q1".into(),
        title: "M 6.2 - Tuguegarao".into(),
        summary: None,
        link: None,
        published: None,
        updated: None,
        severity: Severity::Moderate,
        severity_raw: None,
        category: None,
        magnitude: Some(6.2),
        location: Some(Location::Point { lat: 17.6, lon: 121.7 }),
        expires: None,
        traffic: Traffic::Real,
    };
    if updated { Event::ItemUpdated { item } } else { Event::ItemSeen { item } }
}

fn of_kind<'a>(journal: &'a [Record], kind: &str) -> Vec<&'a Record> {
    journal.iter().filter(|r| r.event.kind() == kind).collect()
}

fn said(desk: &mut Desk, record: &mut InMemory, event: Event, minute: i64) {
    desk.handle(record, Input::FeedSaid { by: "feed:quakes".into(), events: vec![event] }, at(minute));
}

#[test]
fn a_severe_alert_near_a_post_opens_a_roll_call_of_that_contact_once() {
    let mut record = desk(Severity::Severe);
    let mut desk = Desk::new();
    said(&mut desk, &mut record, quake(false), 0);
    let opened = of_kind(record.journal(), "rollcall.opened");
    assert_eq!(opened.len(), 1, "{:#?}", record.journal());
    let raised = of_kind(record.journal(), "alert.raised");
    assert!(raised[0].seq < opened[0].seq, "the alert is on the record first");
    let Event::RollcallOpened { rollcall, contacts, deadline, alert, mission, reason } = &opened[0].event
    else {
        unreachable!()
    };
    assert_eq!(contacts, &["BGen. Ramon Aquino".to_string()], "Col. Reyes's post is out of reach");
    assert_eq!((*deadline, mission), (at(30), &None));
    let Event::AlertRaised { alert: raised_id, .. } = &raised[0].event else { unreachable!() };
    assert_eq!(alert.as_deref(), Some(raised_id.as_str()));
    assert_eq!(opened[0].by, "attache");
    assert!(reason.contains("M 6.2 - Tuguegarao"), "{reason}");
    assert!(record.state().rollcalls().get(rollcall).is_some_and(|r| r.is_open()));

    // The item updated (its alert with it) opens no second roll-call.
    said(&mut desk, &mut record, quake(true), 5);
    assert_eq!(of_kind(record.journal(), "rollcall.opened").len(), 1);
}

/// A desk whose severe quake near Aquino's post opened a roll-call; its id.
fn opened_by_a_quake() -> (Desk, InMemory, String) {
    let mut record = desk(Severity::Severe);
    let mut desk = Desk::new();
    said(&mut desk, &mut record, quake(false), 0);
    let rollcall = match &of_kind(record.journal(), "rollcall.opened")[0].event {
        Event::RollcallOpened { rollcall, .. } => rollcall.clone(),
        _ => unreachable!(),
    };
    (desk, record, rollcall)
}

#[test]
fn overdue_is_written_once_when_the_deadline_passes_with_the_contact_not_reached() {
    let (mut desk, mut record, rollcall) = opened_by_a_quake();
    let tried = Event::RollcallAnswered {
        rollcall: rollcall.clone(),
        contact: "BGen. Ramon Aquino".into(),
        answer: Answer::NotReached,
        note: Some("no answer on the phone".into()),
    };
    desk.handle(&mut record, Input::Operator { by: "reyes".into(), events: vec![tried] }, at(10));
    for minute in [29, 30, 31, 45] {
        desk.handle(&mut record, Input::Tick(Tick::Escalate), at(minute));
    }
    let overdue = of_kind(record.journal(), "rollcall.overdue");
    assert_eq!(overdue.len(), 1, "once: {:#?}", record.journal());
    assert_eq!(overdue[0].ts, at(30));
    assert_eq!(
        overdue[0].event,
        Event::RollcallOverdue { rollcall: rollcall.clone(), contacts: vec!["BGen. Ramon Aquino".into()] }
    );
    assert_eq!(overdue[0].by, "attache");
}

#[test]
fn a_roll_call_answered_in_time_is_never_overdue() {
    let (mut desk, mut record, rollcall) = opened_by_a_quake();
    let safe = Event::RollcallAnswered {
        rollcall,
        contact: "BGen. Ramon Aquino".into(),
        answer: Answer::Safe,
        note: None,
    };
    desk.handle(&mut record, Input::Operator { by: "reyes".into(), events: vec![safe] }, at(10));
    desk.handle(&mut record, Input::Tick(Tick::Escalate), at(40));
    assert!(of_kind(record.journal(), "rollcall.overdue").is_empty());
}

#[test]
fn an_alert_below_the_configured_severity_opens_no_roll_call() {
    let mut record = desk(Severity::Critical);
    let mut desk = Desk::new();
    said(&mut desk, &mut record, quake(false), 0);
    assert_eq!(of_kind(record.journal(), "alert.raised").len(), 1);
    assert!(of_kind(record.journal(), "rollcall.opened").is_empty());
}

/// An exercise quake near a post, on a rule that takes exercise traffic, raises its (marked)
/// alert but calls no roll: a roll-call rings and pages as the real world does.
#[test]
fn exercise_traffic_opens_no_roll_call() {
    let mut config = desk_config(Severity::Severe);
    config.rules[0].include_exercise = true;
    let mut record = InMemory::new(config);
    let mut desk = Desk::new();
    let Event::ItemSeen { mut item } = quake(false) else { unreachable!() };
    item.traffic = Traffic::Exercise;
    said(&mut desk, &mut record, Event::ItemSeen { item }, 0);
    assert_eq!(of_kind(record.journal(), "alert.raised").len(), 1, "the alert, marked as exercise");
    assert!(of_kind(record.journal(), "rollcall.opened").is_empty());
}
