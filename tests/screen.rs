//! The whole console drawn into ratatui's TestBackend and snapshotted: the demo desk with a
//! fixture watch folded in, at 80x24 (tabs) and 160x48 (all panes), with help and detail views.
//! The clock is fixed, so nothing in the snapshots moves.

use attache::config::Config;
use attache::console::App;
use attache::event::Record;
use attache::ui::{self, theme::Theme};
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::{Terminal, backend::TestBackend};
use std::path::Path;

mod elsewhere;

fn now() -> DateTime<Utc> {
    "2026-11-25T01:05:30Z".parse().unwrap()
}

fn app() -> App {
    app_on("tests/fixtures/journeys/watch-2026-11-25.jsonl")
}

/// The demo desk with the watch recorded in `journey` folded in.
fn app_on(journey: &str) -> App {
    let config = Config::load(Path::new("config/attache.toml")).unwrap();
    let mut app = App::new(config, "reyes".into(), now());
    let text = std::fs::read_to_string(journey).unwrap();
    let records: Vec<Record> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    app.apply(records);
    app
}

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(frame, app, &Theme { color: true })).unwrap();
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
}

#[test]
fn console_80x24_shows_tabs() {
    insta::assert_snapshot!(draw(&app(), 80, 24));
}

#[test]
fn console_160x48_shows_all_panes() {
    insta::assert_snapshot!(draw(&app(), 160, 48));
}

#[test]
fn console_200x60() {
    insta::assert_snapshot!(draw(&app(), 200, 60));
}

#[test]
fn every_tab_at_80x24() {
    let mut app = app();
    let mut screens = String::new();
    for _ in 0..5 {
        press(&mut app, KeyCode::Tab);
        screens.push_str(&draw(&app, 80, 24));
    }
    insta::assert_snapshot!(screens);
}

#[test]
fn help_is_generated_from_the_key_map() {
    let mut app = app();
    press(&mut app, KeyCode::Char('?'));
    let screen = draw(&app, 80, 24);
    for binding in attache::console::keymap::BINDINGS.iter().take(10) {
        assert!(screen.contains(binding.help), "help lacks {:?}", binding.help);
    }
    insta::assert_snapshot!(screen);
}

#[test]
fn mission_detail_lists_contacts_alerts_and_nearby_items() {
    let mut app = app();
    press(&mut app, KeyCode::Enter); // the first mission: HADR-CAGAYAN, which has an open alert
    let screen = draw(&app, 100, 40);
    assert!(screen.contains("Baguinge"), "the Luzon quake is within reach of Cagayan");
    insta::assert_snapshot!(screen);
}

#[test]
fn rollcall_overlay_shows_each_contacts_answer_and_the_deadline() {
    use attache::domain::Answer;
    use attache::event::Event;
    let mut app = app();
    let rollcall = "HADR-CAGAYAN 2026-11-25T00:50Z";
    let seq = app.state().last_seq();
    let record = |n: u64, minutes: i64, by: &str, event: Event| Record {
        seq: seq + n,
        ts: now() - chrono::Duration::minutes(minutes),
        by: by.into(),
        event,
    };
    let answered = |contact: &str, answer, note: Option<&str>| Event::RollcallAnswered {
        rollcall: rollcall.into(),
        contact: contact.into(),
        answer,
        note: note.map(String::from),
    };
    app.apply(vec![
        record(
            1,
            15,
            "reyes",
            Event::RollcallOpened {
                rollcall: rollcall.into(),
                contacts: vec![
                    "Col. Ana Reyes".into(),
                    "BGen. Ramon Aquino".into(),
                    "Capt. Kenji Morita".into(),
                ],
                deadline: now() + chrono::Duration::minutes(45),
                mission: Some("HADR-CAGAYAN".into()),
                alert: None,
                reason: "M 6.1 near Baguio: account for the mission's people".into(),
            },
        ),
        record(2, 10, "reyes", answered("Col. Ana Reyes", Answer::Safe, None)),
        record(3, 5, "santos", answered("BGen. Ramon Aquino", Answer::NeedsHelp, Some("road cut at Aritao"))),
    ]);
    press(&mut app, KeyCode::Char('R'));
    press(&mut app, KeyCode::Down);
    let screen = draw(&app, 100, 30);
    assert!(screen.contains("roll-call 2/3"), "the status bar counts it");
    insta::assert_snapshot!(screen);
}

#[test]
fn alert_detail_shows_who_did_what() {
    let mut app = app();
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(draw(&app, 100, 30));
}

#[test]
fn filter_narrows_the_focused_pane() {
    let mut app = app();
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('/'));
    for c in "tokyo".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    let screen = draw(&app, 80, 24);
    // The pane's rows, not the status lines (which say that the selected Reyes is hidden).
    let rows: String = screen.lines().filter(|l| l.starts_with("\"│")).collect();
    assert!(rows.contains("Morita") && !rows.contains("Reyes"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn note_prompt_returns_an_append_effect_and_nothing_else() {
    let mut app = app();
    press(&mut app, KeyCode::Char('1')); // the operator chooses the first mission: the note is about it
    press(&mut app, KeyCode::Char('n'));
    for c in "Called DATT Tokyo".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(draw(&app, 80, 24));
    let effect = app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(
        effect,
        Some(attache::console::Effect::Append(Box::new(attache::event::Event::Note {
            operator: "reyes".into(),
            text: "Called DATT Tokyo".into(),
            mission: Some("HADR-CAGAYAN".into()),
            alert: None,
            contact: None
        })))
    );
}

#[test]
fn briefing_prompt_says_what_a_period_may_be_at_80x24() {
    let mut app = app();
    press(&mut app, KeyCode::Char('b'));
    for c in "-12h".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn feed_text_never_reaches_the_screen_as_escape_sequences() {
    let app = app();
    for (w, h) in [(80, 24), (160, 48)] {
        let screen = draw(&app, w, h);
        assert!(!screen.contains('\u{1b}') && !screen.contains('\u{7}'), "{screen}");
    }
}

#[test]
fn alerts_pane_at_both_sizes() {
    let mut app = app();
    press(&mut app, KeyCode::Char('3'));
    let mut screens = draw(&app, 80, 24);
    screens.push_str(&draw(&app, 160, 48));
    insta::assert_snapshot!(screens);
}

#[test]
fn alert_detail_at_both_sizes() {
    let mut app = app();
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let small = draw(&app, 80, 24);
    assert!(small.contains("Alert SEVR"), "{small}");
    let large = draw(&app, 160, 48);
    assert!(large.contains("Who did what") && large.contains("inside  EDCA-PH"), "{large}");
    let screens = small + &large;
    insta::assert_snapshot!(screens);
}

#[test]
fn map_of_the_world_and_of_a_mission() {
    let mut app = app();
    press(&mut app, KeyCode::Char('3')); // focus elsewhere: the whole world
    let world = draw(&app, 160, 48);
    press(&mut app, KeyCode::Char('1')); // the selected mission's region
    let zoomed = draw(&app, 160, 48);
    assert!(zoomed.contains("Map: HADR-CAGAYAN"), "{zoomed}");
    press(&mut app, KeyCode::Char('6'));
    let small = draw(&app, 80, 24);
    insta::assert_snapshot!(format!("{world}{zoomed}{small}"));
}

#[test]
fn exercise_traffic_raises_a_banner_and_marks_its_alerts() {
    use attache::domain::{Severity, Traffic};
    use attache::event::Event;
    let mut app = app();
    let raised = Record {
        seq: 21,
        ts: now(),
        by: "attache".into(),
        event: Event::AlertRaised {
            alert: "cap|cap-pagasa|EX-1".into(),
            rule: "cap".into(),
            feed: "cap-pagasa".into(),
            item: "EX-1".into(),
            severity: Severity::Severe,
            title: "Typhoon signal no. 3, Cagayan".into(),
            missions: vec!["HADR-CAGAYAN".into()],
            traffic: Traffic::Exercise,
        },
    };
    app.apply(vec![raised]);
    press(&mut app, KeyCode::Char('3'));
    let screen = draw(&app, 80, 24);
    assert!(screen.lines().next().unwrap().contains("EXERCISE / TEST TRAFFIC IN VIEW"), "{screen}");
    assert!(screen.contains("[EXERCISE] Typhoon"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn alert_keys_act_on_the_selected_alert_only() {
    use attache::console::Effect;
    use attache::event::Event;
    let mut app = app();
    press(&mut app, KeyCode::Char('3'));
    // The escalated, open alert is first.
    let effect = app.handle_key(&KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE));
    let id = "exercise-traffic|cap-pagasa|PAGASA-TC-2026-11".to_string();
    assert_eq!(
        effect,
        Some(Effect::Append(Box::new(Event::AlertAcknowledged {
            alert: id.clone(),
            operator: "reyes".into(),
            note: None
        })))
    );
    app.handle_key(&KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE));
    assert_eq!(
        app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        None,
        "a reason is required"
    );
    for c in "duplicate of PAGASA bulletin 4".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let effect = app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(
        effect,
        Some(Effect::Append(Box::new(Event::AlertResolved {
            alert: id,
            operator: "reyes".into(),
            reason: "duplicate of PAGASA bulletin 4".into()
        })))
    );
    // The resolved alert (second) takes no acknowledgement.
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.handle_key(&KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE)), None);
    assert_eq!(app.flash.as_deref(), Some("SEVR \"M 4.8 - 5 km NW of Baguinge, Philippines\" is resolved"));
}

/// The screen as plain text, a line per row, trailing blanks kept off.
fn plain(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(frame, app, &Theme { color: false })).unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..height {
        let line: String = (0..width).map(|x| buffer[(x, y)].symbol()).collect();
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// The README's "What it looks like" is this snapshot, so the picture a reader sees is the
/// console as it draws today. Its watch is the fixture's without the hostile escape sequences,
/// which are for the tests of folding, not for a first look.
#[test]
fn readme_screenshot_is_the_console_at_120x34() {
    let mut app = app_on("tests/fixtures/journeys/readme-watch.jsonl");
    press(&mut app, KeyCode::Char('3'));
    let screen = plain(&app, 120, 34);
    insta::assert_snapshot!(screen);
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = &readme[readme.find("## What it looks like").expect("a screenshot section")..];
    let start = section.find("```text\n").expect("a text block") + "```text\n".len();
    let block = &section[start..start + section[start..].find("```").unwrap()];
    let shown: Vec<&str> = block.lines().map(str::trim_end).collect();
    let drawn: Vec<&str> = screen.lines().collect();
    assert_eq!(shown, drawn, "README's screenshot differs from the console: paste the snapshot in");
}

/// Pristina's missions (its configuration as loaded there, a status it set, a note tied to one,
/// a handover of its watch) under its label after this desk's, and the detail of one: where it
/// is worked, by whom.
#[test]
fn another_desks_missions_under_its_label_and_their_detail() {
    let mut app = app();
    let dir = tempfile::tempdir().unwrap();
    let mut pristina = attache::journal::Writer::open(dir.path()).unwrap();
    let at = |min: i64| now() - chrono::Duration::minutes(min);
    pristina.append("attache", at(50), vec![elsewhere::config_loaded(&["KFOR", "MINUSCA"])]).unwrap();
    let changed = attache::event::Event::MissionStatusChanged {
        mission: "KFOR".into(),
        status: attache::domain::MissionStatus::Suspended,
        note: Some("Gazimestan road shut".into()),
    };
    let note = attache::event::Event::Note {
        operator: "kovac".into(),
        text: "convoy waits at Merdare".into(),
        mission: Some("KFOR".into()),
        alert: None,
        contact: None,
    };
    pristina.append("kovac", at(40), vec![changed, note]).unwrap();
    let handover = attache::event::Event::Handover {
        to: Some("ortiz".into()),
        open_alerts: vec![],
        open_rollcalls: vec![],
        overdue_contacts: vec![],
        feeds_down: vec![],
        head: attache::event::JournalHead { seq: 3, sum: "0".repeat(64) },
        sheet: "handover.md".into(),
        signature: None,
        copy: None,
    };
    pristina.append("kovac", at(35), vec![handover]).unwrap();
    let envelopes = elsewhere::envelopes(dir.path(), "pristina", 1);
    let last = app.state().last_seq();
    let records = envelopes
        .into_iter()
        .enumerate()
        .map(|(n, event)| Record { seq: last + 1 + n as u64, ts: at(30), by: "sync".into(), event })
        .collect();
    app.apply(records);
    insta::assert_snapshot!("other_desks_missions_160x48", draw(&app, 160, 48));
    // End: the last row, pristina/MINUSCA; one up: pristina/KFOR.
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("other_desks_mission_detail_100x40", draw(&app, 100, 40));
}

/// A mission only another desk works (pristina's EUFOR, at Sarajevo) is marked `m` on the world
/// map, with its own key under the map; selected in the Missions pane, the map zooms to it and
/// names it under that desk's label.
#[test]
fn another_desks_mission_on_the_map() {
    let mut app = app();
    let dir = tempfile::tempdir().unwrap();
    let mut pristina = attache::journal::Writer::open(dir.path()).unwrap();
    let mut loaded = elsewhere::config_loaded(&["KFOR"]);
    let attache::event::Event::ConfigLoaded { config: Some(snapshot), .. } = &mut loaded else {
        unreachable!()
    };
    let eufor = &mut snapshot.missions[0];
    eufor.id = "EUFOR".into();
    eufor.name = "EUFOR Althea".into();
    eufor.area = attache::domain::Area::Circle { lat: 43.86, lon: 18.41, radius_km: 40.0 };
    pristina.append("attache", now() - chrono::Duration::minutes(50), vec![loaded]).unwrap();
    let last = app.state().last_seq();
    let records = elsewhere::envelopes(dir.path(), "pristina", 1)
        .into_iter()
        .enumerate()
        .map(|(n, event)| Record { seq: last + 1 + n as u64, ts: now(), by: "sync".into(), event })
        .collect();
    app.apply(records);

    // The world (the Alerts pane focused, so no mission zoomed): the `m` over Bosnia, its key.
    press(&mut app, KeyCode::Char('3'));
    let world = draw(&app, 160, 48);
    assert!(world.contains("m another desk's"), "the key names the marker:\n{world}");
    insta::assert_snapshot!("other_desks_mission_on_the_world_map_160x48", world);

    // pristina/EUFOR selected: the map zooms to Sarajevo and labels it.
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::End);
    let zoomed = draw(&app, 160, 48);
    assert!(zoomed.contains("6 Map: pristina/EUFOR"), "the title names the mission:\n{zoomed}");
    assert!(zoomed.contains("m pristina/EUFOR") || zoomed.contains("pristina/EUFOR m"), "{zoomed}");
    insta::assert_snapshot!("other_desks_mission_zoomed_on_the_map_160x48", zoomed);
}
