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
    app_with(|_| {})
}

/// The app for the desk's configuration as `change` leaves it.
fn app_with(change: impl FnOnce(&mut Config)) -> App {
    let mut config =
        Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml")).unwrap();
    change(&mut config);
    App::new(config, "reyes".into(), start())
}

/// Folds `events` into the app as the next records, a second apart.
fn fold(app: &mut App, events: Vec<Event>) {
    let records = events
        .into_iter()
        .map(|event| {
            let seq = app.state().last_seq() + 1;
            let ts = app.state().last_ts().map_or(start(), |t| t + Duration::seconds(1)).max(start());
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

fn escalated(id: &str) -> Event {
    Event::AlertEscalated { alert: id.into() }
}

/// Two moderate alerts escalated, then a critical one arrives.
fn escalations_then_a_critical_alert() -> App {
    let mut app = app();
    fold(
        &mut app,
        vec![
            raised("luzon", Severity::Moderate, "HADR-CAGAYAN", Traffic::Real),
            raised("cagayan", Severity::Moderate, "HADR-CAGAYAN", Traffic::Real),
            raised("drill", Severity::Severe, "EDCA-PH", Traffic::Exercise),
            escalated("luzon"),
            escalated("cagayan"),
        ],
    );
    app.flash = None;
    fold(&mut app, vec![raised("aparri", Severity::Critical, "EDCA-PH", Traffic::Real)]);
    app
}

#[test]
fn the_most_severe_open_alert_comes_first_and_stays_at_every_width() {
    let mut app = escalations_then_a_critical_alert();
    for width in [60, 80, 120] {
        let bar = status_bar(&app, width);
        let (crit, escalated, help) = (bar.find("1 CRIT"), bar.find("2 ESCALATED"), bar.find("? help"));
        assert!(crit.is_some() && escalated.is_some() && help.is_some(), "{width} columns: {bar}");
        assert!(crit < escalated, "the critical alert before the escalated ones at {width}: {bar}");
        assert_eq!(bar.chars().count(), width as usize);
    }
    assert!(status_bar(&app, 120).contains("3 open (+1 exercise)"), "{}", status_bar(&app, 120));
    // Acknowledged, the critical alert leaves the bar; the escalations lead again.
    fold(
        &mut app,
        vec![Event::AlertAcknowledged { alert: "aparri".into(), operator: "reyes".into(), note: None }],
    );
    let bar = status_bar(&app, 80);
    assert!(!bar.contains("CRIT") && bar.contains("2 MODR") && bar.contains("2 ESCALATED"), "{bar}");
}

#[test]
fn a_new_severe_alert_flashes_and_rings_once_and_old_records_do_not() {
    let mut app = app();
    // Records from before the console started (read at start-up) are history.
    let old = Record {
        seq: 1,
        ts: start() - Duration::hours(1),
        by: "attache".into(),
        event: raised("old", Severity::Critical, "KFOR", Traffic::Real),
    };
    app.apply(vec![old]);
    assert_eq!((app.bells, app.flash.as_deref()), (0, None), "an old alert at start-up");
    fold(&mut app, vec![raised("minor", Severity::Moderate, "KFOR", Traffic::Real)]);
    assert_eq!((app.bells, app.flash.as_deref()), (0, None), "below the bell's severity (severe)");
    fold(&mut app, vec![raised("aparri", Severity::Critical, "EDCA-PH", Traffic::Real)]);
    assert_eq!(app.bells, 1);
    assert_eq!(app.flash.as_deref(), Some("NEW CRIT alert aparri"));
    app.bells = 0;
    fold(&mut app, vec![raised("test", Severity::Critical, "EDCA-PH", Traffic::Test)]);
    assert_eq!(app.bells, 0, "test traffic is named, not rung for");
    assert_eq!(app.flash.as_deref(), Some("NEW CRIT [TEST] alert test"));
    fold(&mut app, vec![escalated("minor")]);
    assert_eq!(app.bells, 1, "an escalation rings, whatever its severity");
    assert_eq!(app.flash.as_deref(), Some("ESCALATED MODR alert minor"));
    // Nothing rings again for what was already rung: the bell is owed once per alert.
    app.bells = 0;
    app.set_now(start() + Duration::minutes(5));
    fold(
        &mut app,
        vec![Event::Note {
            operator: "reyes".into(),
            text: "called".into(),
            mission: None,
            alert: None,
            contact: None,
        }],
    );
    assert_eq!(app.bells, 0);
}

#[test]
fn the_bell_follows_the_desks_setting() {
    let mut quiet = app_with(|c| c.bell = None);
    fold(&mut quiet, vec![raised("aparri", Severity::Critical, "EDCA-PH", Traffic::Real)]);
    assert_eq!(quiet.bells, 0, "bell = \"off\"");
    assert!(quiet.flash.as_deref().is_some_and(|f| f.contains("NEW CRIT")), "still named");
    let mut keen = app_with(|c| c.bell = Some(Severity::Moderate));
    fold(&mut keen, vec![raised("luzon", Severity::Moderate, "HADR-CAGAYAN", Traffic::Real)]);
    assert_eq!(keen.bells, 1, "bell = \"moderate\"");
}

#[test]
fn a_long_message_is_never_cut_mid_word() {
    let mut app = escalations_then_a_critical_alert();
    app.flash = Some("alert.unacknowledged #51 saved: M 6.1 - 12 km N of Aparri, Cagayan (SEVR)".into());
    for width in [60, 80, 120] {
        let screen = screen(&app, width, 24).join("\n");
        for word in app.flash.as_ref().unwrap().split_whitespace() {
            let whole = screen.split(|c: char| c.is_whitespace() || c == '│').any(|w| w == word);
            assert!(whole, "`{word}` not shown whole at {width} columns:\n{screen}");
        }
        let bar = status_bar(&app, width);
        assert!(bar.contains("1 CRIT") && bar.contains("? help"), "{bar}");
    }
}

#[test]
fn hints_come_from_the_key_table_for_the_focused_pane() {
    let mut app = app();
    app.focus = Pane::Alerts;
    assert!(status_bar(&app, 80).contains("a A u r  ? help"), "{}", status_bar(&app, 80));
    let wide = status_bar(&app, 160);
    assert!(wide.contains("a ack  A ack+note  u unack  r resolve  ? help"), "{wide}");
    app.focus = Pane::Contacts;
    assert!(!status_bar(&app, 80).contains("a A u r"), "{}", status_bar(&app, 80));
    assert!(status_bar(&app, 160).contains("c check in  ? help"), "{}", status_bar(&app, 160));
}

/// The status area, every line of it, at the three widths a desk meets.
fn status_area(app: &App, width: u16) -> String {
    let lines = screen(app, width, 24);
    let start = lines.iter().rposition(|l| l.starts_with('└') || l.ends_with('┘')).map_or(0, |i| i + 1);
    lines[start..].join("\n")
}

#[test]
fn status_bar_snapshots_at_60_80_and_120_columns() {
    let mut app = escalations_then_a_critical_alert();
    app.focus = Pane::Alerts;
    for width in [60, 80, 120] {
        insta::assert_snapshot!(format!("status_{width}"), status_area(&app, width));
    }
    app.flash = Some("alert.unacknowledged #51 saved: M 6.1 - 12 km N of Aparri, Cagayan (SEVR)".into());
    for width in [60, 80, 120] {
        insta::assert_snapshot!(format!("status_with_message_{width}"), status_area(&app, width));
    }
}

#[test]
fn the_event_log_keeps_the_time_of_day_after_midnight_and_switches_zone() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml")).unwrap();
    let at = |t: &str| t.parse::<DateTime<Utc>>().unwrap();
    let mut app = App::new(config, "reyes".into(), at("2026-11-30T23:00:00Z"));
    let note = |seq, ts: &str, text: &str| Record {
        seq,
        ts: at(ts),
        by: "reyes".into(),
        event: Event::Note {
            operator: "reyes".into(),
            text: text.into(),
            mission: None,
            alert: None,
            contact: None,
        },
    };
    app.apply(vec![
        note(1, "2026-11-30T23:50:00Z", "before midnight"),
        note(2, "2026-12-01T00:10:00Z", "after"),
    ]);
    app.set_now(at("2026-12-01T00:20:00Z"));
    app.focus = Pane::Log;
    for width in [60, 80, 120] {
        let shown = screen(&app, width, 24).join("\n");
        assert!(shown.contains("11-30 23:50Z") && shown.contains("00:10Z"), "{width} columns:\n{shown}");
        assert!(shown.contains("Event log 2 UTC"), "{shown}");
    }
    assert!(status_bar(&app, 80).contains("z  ? help"), "{}", status_bar(&app, 80));
    app.handle_key(&KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE));
    let shown = screen(&app, 80, 24).join("\n");
    // In Manila (UTC+8) both notes were written on the morning of 1 December.
    assert!(shown.contains("07:50 ") && shown.contains("08:10 "), "{shown}");
    assert!(shown.contains("Event log 2 Manila time"), "{shown}");
    app.handle_key(&KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE));
    assert!(screen(&app, 80, 24).join("\n").contains("11-30 23:50Z"));
}

/// The Sync line: on the status bar, link and backlog (the link alone when narrow); under the
/// Feeds pane, each followed desk's last record too.
#[test]
fn the_sync_line_shows_link_backlog_and_followed_desks() {
    use attache::sync::{chains::Held, status::SyncStatus};
    let mut app = app();
    let mut status = SyncStatus { link_up: false, backlog: 3, ..SyncStatus::default() };
    let heard = (start() - Duration::minutes(2)).timestamp_micros();
    status.desks.insert("pristina".into(), Held { seq: 42, ts_micros: Some(heard), ..Held::default() });
    app.sync = Some(status);
    let bar = status_bar(&app, 160);
    assert!(bar.contains("SYNC DOWN, 3 to send"), "{bar}");
    let narrow = status_bar(&app, 34);
    assert!(narrow.contains("SYNC DOWN") && !narrow.contains("to send"), "{narrow}");
    let whole = screen(&app, 160, 40).join("\n");
    assert!(whole.contains("SYNC DOWN, 3 to send; pristina #42 2m ago"), "{whole}");
}
