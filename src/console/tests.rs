//! The console's behaviour over time, on the demo desk: records arrive while the operator
//! works, and every key acts on what the operator chose.

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

use super::pane::Pane;
use super::{App, Effect};
use crate::config::Config;
use crate::domain::{Severity, Traffic};
use crate::event::{Event, Record};

fn now() -> DateTime<Utc> {
    "2026-11-25T01:05:30Z".parse().unwrap()
}

fn app() -> App {
    let config = Config::load(Path::new("config/attache.toml")).unwrap();
    App::new(config, "reyes".into(), now())
}

fn press(app: &mut App, code: KeyCode) -> Option<Effect> {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE))
}

fn record(seq: u64, event: Event) -> Record {
    Record { seq, ts: now() + Duration::seconds(seq as i64), by: "attache".into(), event }
}

fn raised(seq: u64, id: &str, severity: Severity, title: &str) -> Record {
    record(
        seq,
        Event::AlertRaised {
            alert: id.into(),
            rule: "quakes".into(),
            feed: "usgs-quakes".into(),
            item: id.into(),
            severity,
            title: title.into(),
            missions: vec![],
            traffic: Traffic::Real,
        },
    )
}

#[test]
fn an_alert_sorted_above_the_selected_one_does_not_take_the_acknowledgement() {
    let mut app = app();
    app.apply(vec![raised(1, "bravo", Severity::Moderate, "M 4.6 - Bravo")]);
    press(&mut app, KeyCode::Char('3'));
    app.apply(vec![raised(2, "aparri", Severity::Severe, "M 6.1 - 12 km N of Aparri")]);
    assert_eq!(app.pane(Pane::Alerts).rows.len(), 2);
    assert_eq!(
        press(&mut app, KeyCode::Char('a')),
        Some(Effect::Append(Box::new(Event::AlertAcknowledged {
            alert: "bravo".into(),
            operator: "reyes".into(),
            note: None
        })))
    );
}

#[test]
fn a_note_from_elsewhere_does_not_move_the_event_log_highlight() {
    let mut app = app();
    app.apply(vec![record(1, Event::Note { operator: "reyes".into(), text: "first".into() })]);
    press(&mut app, KeyCode::Char('4'));
    let before = app.pane(Pane::Log).selected_row().map(|r| r.key.clone());
    app.apply(vec![record(2, Event::Note { operator: "cruz".into(), text: "second".into() })]);
    assert_eq!(app.pane(Pane::Log).selected_row().map(|r| r.key.clone()), before);
}

#[test]
fn an_alert_let_go_leaves_nothing_selected_and_says_which_it_was() {
    let mut app = app();
    app.apply(vec![
        raised(1, "alpha", Severity::Severe, "M 6.0 - Alpha"),
        raised(2, "bravo", Severity::Moderate, "M 4.6 - Bravo"),
        raised(3, "charlie", Severity::Minor, "M 4.1 - Charlie"),
    ]);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('j'));
    let resolved =
        Event::AlertResolved { alert: "bravo".into(), operator: "cruz".into(), reason: "dup".into() };
    app.apply(vec![record(4, resolved)]);
    // Resolved alerts sort last; the highlight goes with it.
    assert_eq!(app.pane(Pane::Alerts).selected_index(), Some(2));
    // A day later the resolved alert is let go.
    let later = Record {
        ts: now() + Duration::hours(25),
        ..record(5, Event::Note { operator: "cruz".into(), text: "x".into() })
    };
    app.apply(vec![later]);
    assert_eq!(
        app.flash.as_deref(),
        Some("MODR \"M 4.6 - Bravo\" left Alerts; nothing selected (j/k to select)")
    );
    assert_eq!(
        press(&mut app, KeyCode::Char('a')),
        None,
        "no alert the operator did not choose is acknowledged"
    );
    assert!(app.flash.as_deref().is_some_and(|f| f.contains("M 4.6 - Bravo")), "{:?}", app.flash);
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(
        app.pane(Pane::Alerts).selected_row().map(|r| r.key.clone()),
        Some(super::pane::RowKey::Alert("charlie".into()))
    );
}

#[test]
fn focusing_a_pane_whose_selection_left_says_so() {
    let mut app = app();
    app.apply(vec![raised(1, "alpha", Severity::Severe, "M 6.0 - Alpha")]);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('/'));
    for c in "zzz".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(
        app.flash.as_deref(),
        Some("SEVR \"M 6.0 - Alpha\" is hidden by the filter in Alerts; nothing selected (j/k to select)")
    );
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('1'));
    app.flash = None;
    press(&mut app, KeyCode::Char('3'));
    assert!(app.flash.as_deref().is_some_and(|f| f.contains("hidden by the filter")), "{:?}", app.flash);
}
