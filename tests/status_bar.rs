//! The status bar and the counts the console shows, drawn into ratatui's TestBackend from a
//! watch folded record by record: real-world counts leave exercise and test traffic out and show
//! it apart; the most severe open thing comes first.

use attache::config::Config;
use attache::console::App;
use attache::console::pane::{Pane, RowKey};
use attache::domain::{Severity, Traffic};
use attache::event::{Event, Record};
use attache::ui::{self, theme::Theme};
use chrono::{DateTime, Duration, Utc};
use ratatui::{Terminal, backend::TestBackend};
use std::path::Path;

fn start() -> DateTime<Utc> {
    "2026-11-25T01:00:00Z".parse().unwrap()
}

fn app() -> App {
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml")).unwrap();
    App::new(config, "reyes".into(), start())
}

/// Folds `events` into the app as the next records, a second apart.
fn fold(app: &mut App, events: Vec<Event>) {
    let records = events
        .into_iter()
        .map(|event| {
            let seq = app.state.last_seq + 1;
            let ts = app.state.last_ts.map_or(start(), |t| t + Duration::seconds(1));
            let record = Record { seq, ts, by: "attache".into(), event };
            app.apply(vec![record.clone()]);
            record
        })
        .count();
    assert!(records > 0);
}

fn raised(id: &str, severity: Severity, mission: &str, traffic: Traffic) -> Event {
    Event::AlertRaised {
        alert: id.into(),
        rule: "r".into(),
        feed: "usgs-quakes".into(),
        item: id.into(),
        severity,
        title: format!("alert {id}"),
        missions: vec![mission.into()],
        traffic,
    }
}

fn screen(app: &App, width: u16, height: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(frame, app, &Theme { color: false })).unwrap();
    let buffer = terminal.backend().buffer();
    (0..height).map(|y| (0..width).map(|x| buffer[(x, y)].symbol()).collect()).collect()
}

fn status_bar(app: &App, width: u16) -> String {
    screen(app, width, 24).pop().unwrap()
}

fn open_cell(app: &App, mission: &str) -> String {
    let row = app.pane(Pane::Missions).rows.iter().find(|r| r.key == RowKey::Mission(mission.into()));
    row.unwrap().cells[5].clone()
}

#[test]
fn test_and_exercise_alerts_are_counted_apart_from_real_ones() {
    let mut app = app();
    fold(
        &mut app,
        vec![
            raised("quake", Severity::Moderate, "HADR-CAGAYAN", Traffic::Real),
            raised("typhoon-test", Severity::Severe, "HADR-CAGAYAN", Traffic::Test),
            raised("drill", Severity::Moderate, "EDCA-PH", Traffic::Exercise),
        ],
    );
    assert_eq!(open_cell(&app, "HADR-CAGAYAN"), "1 MODR +1 EX");
    assert_eq!(open_cell(&app, "EDCA-PH"), "- +1 EX", "no real-world alert open");
    let bar = status_bar(&app, 120);
    assert!(bar.contains("1 open (+2 exercise)"), "{bar}");
    // The mission with the real alert is listed first: exercise traffic does not make one urgent.
    let first = &app.pane(Pane::Missions).rows[0];
    assert_eq!(first.key, RowKey::Mission("HADR-CAGAYAN".into()));
    assert_eq!(first.severity, Some(Severity::Moderate));
}
