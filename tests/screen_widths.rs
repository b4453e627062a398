//! What narrow panes keep: each pane's columns give way by priority, so the names and severities
//! an operator decides by stay readable at 80x24, at 100 columns and at 120x40, and map labels
//! never overwrite each other or a marker. The demo desk with a fixture watch, at a fixed clock.

use attache::config::Config;
use attache::console::App;
use attache::event::Record;
use attache::ui::{self, theme::Theme};
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::{Terminal, backend::TestBackend};
use std::path::Path;

fn now() -> DateTime<Utc> {
    "2026-11-25T01:05:30Z".parse().unwrap()
}

fn app() -> App {
    let config = Config::load(Path::new("config/attache.toml")).unwrap();
    let mut app = App::new(config, "reyes".into(), now());
    let text = std::fs::read_to_string("tests/fixtures/journeys/watch-2026-11-25.jsonl").unwrap();
    app.apply(records(&text));
    app
}

fn records(jsonl: &str) -> Vec<Record> {
    jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
}

/// The screen as rows of characters (every character in these screens is one column wide).
fn draw(app: &App, width: u16, height: u16) -> Vec<Vec<char>> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(frame, app, &Theme { color: true })).unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| (0..width).map(|x| buffer[(x, y)].symbol().chars().next().unwrap_or(' ')).collect())
        .collect()
}

fn text(screen: &[Vec<char>]) -> String {
    screen.iter().map(|row| format!("{}\n", row.iter().collect::<String>())).collect()
}

/// The inside of the pane whose top border carries `title`, one string per line.
fn pane(screen: &[Vec<char>], title: &str) -> Vec<String> {
    let (top, row) = screen
        .iter()
        .enumerate()
        .find(|(_, row)| {
            let row: String = row.iter().collect();
            row.find(title).is_some_and(|at| row[..at].contains('┌'))
        })
        .unwrap_or_else(|| panic!("no pane titled {title:?} in\n{}", text(screen)));
    let at = row.iter().collect::<String>().find(title).unwrap();
    let at = row.iter().collect::<String>()[..at].chars().count();
    let left = (0..at).rev().find(|&x| row[x] == '┌').expect("the pane's corner");
    let right = (at..row.len()).find(|&x| row[x] == '┐').expect("the pane's other corner");
    screen[top + 1..]
        .iter()
        .take_while(|row| row[left] == '│')
        .map(|row| row[left + 1..right].iter().collect())
        .collect()
}

/// The first column's text on each row under the header, as the pane shows it.
fn first_column(lines: &[String]) -> Vec<String> {
    lines[1..]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect()
}

#[test]
fn feed_names_stay_apart_at_100_columns() {
    let screen = draw(&app(), 100, 30);
    let names = first_column(&pane(&screen, "5 Feeds"));
    assert_eq!(names.len(), 3, "{}", text(&screen));
    let feeds = ["usgs-quakes", "pagasa-cap", "usgs-significant"];
    for (shown, feed) in names.iter().zip(feeds) {
        // A name is shown whole, or cut with a mark that says so, never cut silently.
        let kept = shown.strip_suffix('…').unwrap_or(shown);
        assert!(shown == feed || feed.starts_with(kept), "{shown:?} for {feed:?}\n{}", text(&screen));
    }
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            assert_ne!(a, b, "two feeds read alike\n{}", text(&screen));
        }
    }
}

#[test]
fn feed_names_are_whole_where_the_pane_has_room_for_them() {
    for (width, height) in [(100, 30), (120, 40)] {
        let screen = draw(&app(), width, height);
        let names = first_column(&pane(&screen, "5 Feeds"));
        assert_eq!(names, ["usgs-quakes", "pagasa-cap", "usgs-significant"], "\n{}", text(&screen));
    }
}

#[test]
fn alert_severity_and_title_keep_their_width_while_the_feed_gives_way() {
    let screen = draw(&app(), 100, 30);
    let alerts = pane(&screen, "3 Alerts");
    let quake = alerts.iter().find(|l| l.starts_with("SEVR")).expect("the quake alert");
    assert!(quake.contains("M 4.8 - 5 km NW"), "{quake:?}\n{}", text(&screen));
    assert!(alerts.iter().any(|l| l.starts_with("MODR ESCALATED")), "{}", text(&screen));
}

#[test]
fn contact_and_mission_names_are_whole_at_100_columns() {
    let app = app();
    let screen = draw(&app, 100, 30);
    let contacts = pane(&screen, "2 Contacts");
    for contact in &app.config().contacts {
        let name = format!("{} ", contact.name);
        assert!(contacts.iter().any(|l| l.starts_with(&name)), "{name}\n{}", text(&screen));
    }
    let missions = pane(&screen, "1 Missions");
    for mission in &app.config().missions {
        let id = format!(" {} ", mission.id);
        assert!(missions.iter().any(|l| l.contains(&id)), "{id}\n{}", text(&screen));
    }
}

#[test]
fn a_contacts_check_in_status_is_never_cut() {
    let mut app = app();
    // Weeks on, the overdue spans are as long as they get: `OVERDUE 19d16h`.
    app.set_now(now() + chrono::Duration::days(12));
    for (width, height) in [(80, 24), (100, 30), (120, 40)] {
        let mut app_at = |key| {
            press(&mut app, KeyCode::Char(key));
            draw(&app, width, height)
        };
        let screen = app_at('2');
        let contacts = pane(&screen, "2 Contacts");
        assert!(contacts.iter().any(|l| l.trim_end().ends_with("OVERDUE 19d16h")), "{}", text(&screen));
        for line in &contacts[1..] {
            let status = line.trim_end().rsplit("  ").next().unwrap();
            assert!(!status.contains('…'), "{line:?}\n{}", text(&screen));
        }
    }
}

#[test]
fn the_map_legend_is_never_cut() {
    let legends = [
        "M mission c post ! crit * sev + mod - min",
        "M mission c post !crit *sev +mod -min",
        "M mission c post !*+- by severity",
    ];
    for (width, height) in [(80, 24), (100, 30), (120, 40), (160, 48)] {
        let mut app = app();
        press(&mut app, KeyCode::Char('6'));
        let screen = text(&draw(&app, width, height));
        assert!(legends.iter().any(|l| screen.contains(&format!(" {l} "))), "{width}x{height}\n{screen}");
    }
}

#[test]
fn panes_at_80x24() {
    let mut app = app();
    let mut screens = String::new();
    for key in ['1', '2', '3', '4', '5'] {
        press(&mut app, KeyCode::Char(key));
        screens.push_str(&text(&draw(&app, 80, 24)));
    }
    insta::assert_snapshot!(screens);
}

#[test]
fn grid_at_100x30() {
    insta::assert_snapshot!(text(&draw(&app(), 100, 30)));
}

#[test]
fn grid_at_120x40() {
    insta::assert_snapshot!(text(&draw(&app(), 120, 40)));
}

/// The map's inside without its borders, title and legend.
fn map(screen: &[Vec<char>]) -> String {
    pane(screen, "6 Map").join("\n")
}

#[test]
fn mission_labels_never_overwrite_each_other() {
    let mut app = app();
    press(&mut app, KeyCode::Char('j')); // EDCA-PH: its region holds three missions close together
    for (width, height) in [(100, 30), (120, 40)] {
        let screen = draw(&app, width, height);
        let map = map(&screen);
        // Every mission's marker is drawn, whatever happens to its label.
        assert_eq!(map.matches('M').count(), 3, "\n{map}");
        for id in ["HADR-CAGAYAN", "BALIKATAN-27", "EDCA-PH"] {
            assert!(map.contains(&format!("M {id}")) || map.contains(&format!("{id} M")), "{id}\n{map}");
        }
    }
    press(&mut app, KeyCode::Char('6'));
    let screen = draw(&app, 80, 24);
    let map = map(&screen);
    assert_eq!(map.matches('M').count(), 3, "\n{map}");
    insta::assert_snapshot!(map);
}

#[test]
fn an_alert_marker_beside_a_label_stays_and_the_label_moves() {
    let mut app = app();
    // An open severe alert a few columns east of Cagayan, on the line its label is written.
    app.apply(records(concat!(
        r#"{"seq":21,"ts":"2026-11-25T01:05:00Z","by":"feed:usgs-quakes","kind":"item.seen","item":{"feed":"usgs-quakes","id":"us7000lxaa","title":"M 6.1 - 40 km E of Aparri, Philippines","published":"2026-11-25T01:02:00Z","severity":"moderate","magnitude":6.1,"location":{"type":"point","lat":17.6,"lon":123.2},"traffic":"real"}}"#,
        "\n",
        r#"{"seq":22,"ts":"2026-11-25T01:05:01Z","by":"attache","kind":"alert.raised","alert":"quake-near-mission|usgs-quakes|us7000lxaa","rule":"quake near mission","feed":"usgs-quakes","item":"us7000lxaa","severity":"severe","title":"M 6.1 - 40 km E of Aparri, Philippines","missions":["HADR-CAGAYAN"]}"#,
    )));
    for (width, height) in [(100, 30), (120, 40)] {
        let screen = draw(&app, width, height);
        let map = map(&screen);
        assert!(text(&screen).contains("Map: HADR-CAGAYAN"), "{}", text(&screen));
        assert_eq!(map.matches('*').count(), 1, "the alert's marker\n{map}");
        assert!(
            map.contains("M HADR-CAGAYAN") || map.contains("HADR-CAGAYAN M"),
            "the label whole, beside its marker\n{map}"
        );
    }
}
