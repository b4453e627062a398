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
    app.apply(vec![record(
        1,
        Event::Note {
            operator: "reyes".into(),
            text: "first".into(),
            mission: None,
            alert: None,
            contact: None,
        },
    )]);
    press(&mut app, KeyCode::Char('4'));
    let before = app.pane(Pane::Log).selected_row().map(|r| r.key.clone());
    app.apply(vec![record(
        2,
        Event::Note {
            operator: "cruz".into(),
            text: "second".into(),
            mission: None,
            alert: None,
            contact: None,
        },
    )]);
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
        ..record(
            5,
            Event::Note {
                operator: "cruz".into(),
                text: "x".into(),
                mission: None,
                alert: None,
                contact: None,
            },
        )
    };
    app.apply(vec![later]);
    assert_eq!(
        app.flash.as_deref(),
        Some("nothing selected in Alerts: MODR \"M 4.6 - Bravo\" left the pane (j/k to select)")
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
        Some("nothing selected in Alerts: SEVR \"M 6.0 - Alpha\" is hidden by the filter (j/k to select)")
    );
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('1'));
    app.flash = None;
    press(&mut app, KeyCode::Char('3'));
    assert!(app.flash.as_deref().is_some_and(|f| f.contains("hidden by the filter")), "{:?}", app.flash);
}

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| crate::ui::render(frame, app, &crate::ui::theme::Theme { color: false })).unwrap();
    terminal.backend().to_string()
}

/// The screen line after the one holding `title`: the first line inside a prompt's box.
fn line_after(screen: &str, title: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let at =
        lines.iter().position(|l| l.contains(title)).unwrap_or_else(|| panic!("no {title:?} in\n{screen}"));
    lines[at + 1].to_string()
}

#[test]
fn the_acknowledge_and_resolve_prompts_name_their_alert() {
    let mut app = app();
    app.apply(vec![
        raised(1, "aparri", Severity::Severe, "M 6.1 - 12 km N of Aparri"),
        raised(2, "bravo", Severity::Moderate, "M 4.6 - Bravo"),
    ]);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('A'));
    let screen = draw(&app, 80, 24);
    assert!(line_after(&screen, "Acknowledge with a note").contains("MODR \"M 4.6 - Bravo\""), "{screen}");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char('r'));
    let screen = draw(&app, 80, 24);
    assert!(line_after(&screen, "Resolve").contains("SEVR \"M 6.1 - 12 km N of Aparri\""), "{screen}");
}

#[test]
fn refusals_name_the_alert() {
    let mut app = app();
    app.apply(vec![raised(1, "aparri", Severity::Severe, "M 6.1 - 12 km N of Aparri")]);
    let acked = Event::AlertAcknowledged { alert: "aparri".into(), operator: "cruz".into(), note: None };
    app.apply(vec![record(2, acked)]);
    press(&mut app, KeyCode::Char('3'));
    assert_eq!(press(&mut app, KeyCode::Char('a')), None);
    assert_eq!(app.flash.as_deref(), Some("SEVR \"M 6.1 - 12 km N of Aparri\" is already acknowledged"));
    let resolved =
        Event::AlertResolved { alert: "aparri".into(), operator: "cruz".into(), reason: "dup".into() };
    app.apply(vec![record(3, resolved)]);
    assert_eq!(press(&mut app, KeyCode::Char('u')), None);
    assert_eq!(app.flash.as_deref(), Some("SEVR \"M 6.1 - 12 km N of Aparri\" is resolved"));
}

#[test]
fn confirmations_name_the_alert() {
    let mut app = app();
    app.apply(vec![raised(1, "aparri", Severity::Severe, "M 6.1 - 12 km N of Aparri")]);
    let acked = Event::AlertAcknowledged { alert: "aparri".into(), operator: "reyes".into(), note: None };
    app.apply(vec![record(2, acked.clone())]);
    assert_eq!(app.saved_message(&acked, Some(2)), "acknowledged SEVR \"M 6.1 - 12 km N of Aparri\" (#2)");
    assert_eq!(
        app.saved_message(&acked, None),
        "NOT acknowledged SEVR \"M 6.1 - 12 km N of Aparri\": journal not writable"
    );
    let note =
        Event::Note { operator: "reyes".into(), text: "x".into(), mission: None, alert: None, contact: None };
    assert_eq!(app.saved_message(&note, Some(3)), "note #3 saved");
}

#[test]
fn long_or_hostile_titles_are_folded_and_cut_in_messages() {
    let mut app = app();
    let title = format!("Quake\x1b[2J near\r\n{}", "very ".repeat(30));
    app.apply(vec![raised(1, "long", Severity::Critical, &title)]);
    press(&mut app, KeyCode::Char('3'));
    app.apply(vec![record(
        2,
        Event::AlertAcknowledged { alert: "long".into(), operator: "x".into(), note: None },
    )]);
    press(&mut app, KeyCode::Char('a'));
    let flash = app.flash.clone().unwrap();
    assert!(!flash.chars().any(char::is_control), "{flash:?}");
    assert!(flash.starts_with("CRIT \"Quake[2J near very") && flash.contains('…'), "{flash}");
    assert!(flash.chars().count() < 80, "{flash}");
}

#[test]
fn a_prompt_does_not_act_on_an_alert_changed_while_it_was_open() {
    let mut app = app();
    app.apply(vec![raised(1, "aparri", Severity::Severe, "M 6.1 - 12 km N of Aparri")]);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('A'));
    press(&mut app, KeyCode::Char('x'));
    let elsewhere = Event::AlertAcknowledged { alert: "aparri".into(), operator: "cruz".into(), note: None };
    app.apply(vec![record(2, elsewhere)]);
    assert_eq!(press(&mut app, KeyCode::Enter), None);
    assert_eq!(app.flash.as_deref(), Some("SEVR \"M 6.1 - 12 km N of Aparri\" is already acknowledged"));
}

fn press_with(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Option<Effect> {
    app.handle_key(&KeyEvent::new(code, modifiers))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

#[test]
fn prompts_edit_where_the_cursor_is() {
    let mut app = app();
    press(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "Relief ETA 0400Z");
    for _ in 0.."ETA 0400Z".len() {
        press(&mut app, KeyCode::Left);
    }
    type_text(&mut app, "flight ");
    press(&mut app, KeyCode::Home);
    type_text(&mut app, "[1] ");
    press(&mut app, KeyCode::End);
    type_text(&mut app, " Tuguegarao");
    press_with(&mut app, KeyCode::Char('w'), KeyModifiers::CONTROL);
    type_text(&mut app, "Tuguegarao airport");
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        Some(Effect::Append(Box::new(Event::Note {
            operator: "reyes".into(),
            text: "[1] Relief flight ETA 0400Z Tuguegarao airport".into(),
            mission: None,
            alert: None,
            contact: None
        })))
    );
}

#[test]
fn ctrl_u_clears_what_is_before_the_cursor_in_a_filter() {
    let mut app = app();
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "xxtokyo");
    assert_eq!(app.pane(Pane::Contacts).rows.len(), 0);
    for _ in 0.."tokyo".len() {
        press(&mut app, KeyCode::Left);
    }
    press_with(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert_eq!(app.pane(Pane::Contacts).filter, "tokyo", "the filter follows the edit");
    assert!(!app.pane(Pane::Contacts).rows.is_empty());
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Delete);
    assert_eq!(app.pane(Pane::Contacts).filter, "tkyo");
}

#[test]
fn the_prompt_shows_where_the_cursor_is() {
    let mut app = app();
    press(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "abcdef");
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| crate::ui::render(frame, &app, &crate::ui::theme::Theme { color: false })).unwrap();
    let screen = terminal.backend().to_string();
    let row = screen.lines().position(|l| l.contains("abcdef")).unwrap();
    let line: Vec<char> = screen.lines().nth(row).unwrap().trim_matches('"').chars().collect();
    let text_x = line
        .iter()
        .collect::<String>()
        .find("abcdef")
        .map(|b| line.iter().collect::<String>()[..b].chars().count())
        .unwrap();
    let cursor = terminal.get_cursor_position().unwrap();
    assert_eq!((cursor.x as usize, cursor.y as usize), (text_x + 4, row), "on the 'e'\n{screen}");
}

#[test]
fn next_and_previous_match_step_through_the_filtered_rows_and_wrap() {
    let mut app = app();
    app.apply(vec![
        raised(1, "a1", Severity::Critical, "M 6.1 - Aparri"),
        raised(2, "b", Severity::Severe, "M 5.0 - Bravo"),
        raised(3, "a2", Severity::Moderate, "M 4.6 - Aparri east"),
        raised(4, "a3", Severity::Minor, "M 4.1 - Aparri west"),
    ]);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "aparri");
    let selected = |app: &App| app.pane(Pane::Alerts).selected_row().map(|r| r.key.clone());
    let alert = |id: &str| Some(super::pane::RowKey::Alert(id.into()));
    assert_eq!(selected(&app), alert("a1"), "the selection matches: it stays");
    // While typing: on to the next match without leaving the prompt.
    press_with(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    assert_eq!(selected(&app), alert("a2"));
    press(&mut app, KeyCode::Down);
    assert_eq!(selected(&app), alert("a3"));
    assert_eq!(app.pane(Pane::Alerts).filter, "aparri", "stepping types nothing");
    press(&mut app, KeyCode::Enter);
    // After the filter is kept: on past the last match to the first again, and back.
    press_with(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    assert_eq!(selected(&app), alert("a1"));
    assert_eq!(app.flash.as_deref(), Some("match 1 of 3 (wrapped to the first)"));
    press_with(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    assert_eq!(selected(&app), alert("a3"));
    assert_eq!(app.flash.as_deref(), Some("match 3 of 3 (wrapped to the last)"));
}

#[test]
fn next_match_without_a_filter_says_how_to_filter() {
    let mut app = app();
    press_with(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    assert_eq!(
        app.flash.as_deref(),
        Some("no filter in Missions: / filters, then C-n / C-p step through the matches")
    );
}

#[test]
fn unknown_keys_say_so_briefly() {
    use crossterm::event::{KeyEventKind, ModifierKeyCode};
    let mut app = app();
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(app.flash.as_deref(), Some("no key x here; ? for help"));
    press_with(&mut app, KeyCode::Char('x'), KeyModifiers::CONTROL);
    assert_eq!(app.flash.as_deref(), Some("no key C-x here; ? for help"));
    press(&mut app, KeyCode::F(5));
    assert_eq!(app.flash.as_deref(), Some("no key F5 here; ? for help"));
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(app.flash.as_deref(), Some("a acts on alerts: 3 focuses Alerts"));
    // Modifiers alone and key releases are not keys the operator meant.
    app.flash = None;
    press(&mut app, KeyCode::Modifier(ModifierKeyCode::LeftShift));
    let mut release = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    app.handle_key(&release);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.flash, None);
}

#[test]
fn q_asks_first_in_the_console_that_polls_the_desk() {
    let mut app = app();
    app.polls_feeds = true;
    assert_eq!(press(&mut app, KeyCode::Char('q')), None, "asks instead");
    assert!(draw(&app, 80, 24).contains("Quit?"));
    let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    release.kind = crossterm::event::KeyEventKind::Release;
    assert_eq!(app.handle_key(&release), None, "releasing q neither quits nor cancels");
    assert_eq!(press(&mut app, KeyCode::Char('x')), None, "any other key stays");
    assert!(!draw(&app, 80, 24).contains("Quit?"));
    assert_eq!(press(&mut app, KeyCode::Char('j')), None, "and keys act as before afterwards");
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(press(&mut app, KeyCode::Char('q')), Some(Effect::Quit));
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(press(&mut app, KeyCode::Char('y')), Some(Effect::Quit));
}

#[test]
fn ctrl_c_quits_at_once_and_q_does_where_another_console_polls() {
    let mut app = app();
    app.polls_feeds = true;
    assert_eq!(press_with(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL), Some(Effect::Quit));
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(press_with(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL), Some(Effect::Quit));
    let mut app = super::tests::app();
    assert!(!app.polls_feeds);
    assert_eq!(press(&mut app, KeyCode::Char('q')), Some(Effect::Quit));
}

#[test]
fn help_scrolls_to_its_last_line_at_80x24() {
    let mut app = app();
    press(&mut app, KeyCode::Char('?'));
    let mut seen = String::new();
    for _ in 0..super::keymap::BINDINGS.len() * 2 {
        seen.push_str(&draw(&app, 80, 24));
        press(&mut app, KeyCode::Char('j'));
    }
    for binding in super::keymap::BINDINGS {
        // Help may wrap a long line; its first words are on one screen line.
        let start: String = binding.help.split(' ').take(3).collect::<Vec<_>>().join(" ");
        assert!(seen.contains(&start), "help never shows {:?}", binding.help);
    }
    // Scrolled past the end, the last binding stays in view, and one k scrolls back at once.
    let last = super::keymap::BINDINGS.last().unwrap().help;
    let at_end = draw(&app, 80, 24);
    assert!(at_end.contains(last), "{at_end}");
    press(&mut app, KeyCode::Char('k'));
    assert_ne!(draw(&app, 80, 24), at_end);
}

fn notes(from: u64, count: u64) -> Vec<Record> {
    (from..from + count)
        .map(|n| {
            record(
                n,
                Event::Note {
                    operator: "cruz".into(),
                    text: format!("note number {n}"),
                    mission: None,
                    alert: None,
                    contact: None,
                },
            )
        })
        .collect()
}

#[test]
fn the_focused_pane_scrolls_to_keep_its_held_line_in_view_as_lines_arrive_above() {
    let mut app = app();
    app.apply(notes(1, 1));
    press(&mut app, KeyCode::Char('4'));
    app.apply(notes(2, 40));
    let screen = draw(&app, 80, 24);
    let view = app.pane(Pane::Log);
    let (selected, offset) = (view.selected_index().unwrap(), view.offset.get());
    assert_eq!(selected, 40);
    assert!(offset <= selected && offset > 0, "offset {offset}");
    assert!(screen.contains("note number 1 "), "the held line is drawn\n{screen}");
}

#[test]
fn an_unfocused_pane_keeps_its_place_so_new_lines_show() {
    let mut app = app();
    app.apply(notes(1, 1));
    press(&mut app, KeyCode::Char('4'));
    draw(&app, 160, 48);
    press(&mut app, KeyCode::Char('1'));
    app.apply(notes(2, 40));
    let screen = draw(&app, 160, 48);
    assert!(screen.contains("note number 41"), "the newest line is in sight\n{screen}");
    // Focused again, the held line is brought into view.
    press(&mut app, KeyCode::Char('4'));
    let screen = draw(&app, 160, 48);
    assert!(screen.contains("note number 1 "), "{screen}");
}

fn raised_test_traffic(seq: u64, id: &str, title: &str) -> Record {
    let mut record = raised(seq, id, Severity::Critical, title);
    if let Event::AlertRaised { traffic, .. } = &mut record.event {
        *traffic = Traffic::Test;
    }
    record
}

#[test]
fn test_traffic_is_marked_once_in_the_alerts_pane_and_the_status_bar() {
    let mut app = app();
    // A CAP test message whose headline already carries the tag, and one whose does not.
    app.apply(vec![raised_test_traffic(1, "carried", "Tsunami drill [TEST]")]);
    assert_eq!(app.flash.as_deref(), Some("NEW CRIT Tsunami drill [TEST]"));
    app.apply(vec![raised_test_traffic(2, "bare", "Tsunami drill")]);
    assert_eq!(app.flash.as_deref(), Some("NEW CRIT [TEST] Tsunami drill"));
    let titles: Vec<&str> =
        app.pane(Pane::Alerts).rows.iter().filter_map(|r| r.cells.last()).map(String::as_str).collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"Tsunami drill [TEST]"), "{titles:?}");
    assert!(titles.contains(&"[TEST] Tsunami drill"), "{titles:?}");
}

#[test]
fn a_new_alert_is_not_hidden_by_the_selection_leaving_in_the_same_fold() {
    let mut app = app();
    app.apply(vec![raised(1, "bravo", Severity::Moderate, "M 4.6 - Bravo")]);
    press(&mut app, KeyCode::Char('3'));
    let resolved =
        Event::AlertResolved { alert: "bravo".into(), operator: "cruz".into(), reason: "dup".into() };
    app.apply(vec![record(2, resolved)]);
    // A day later the resolved alert is let go as a critical one arrives, in one fold.
    let later = |record: Record| Record { ts: now() + Duration::hours(25), ..record };
    app.apply(vec![
        later(record(
            3,
            Event::Note {
                operator: "cruz".into(),
                text: "x".into(),
                mission: None,
                alert: None,
                contact: None,
            },
        )),
        later(raised(4, "luzon", Severity::Critical, "M 7.0 - Luzon")),
    ]);
    let flash = app.flash.clone().unwrap_or_default();
    assert!(flash.starts_with("NEW CRIT M 7.0 - Luzon"), "{flash}");
    assert!(flash.contains("MODR \"M 4.6 - Bravo\" left the pane"), "{flash}");
}

#[test]
fn an_action_on_test_traffic_says_it_is_test_traffic() {
    let mut app = app();
    app.apply(vec![raised_test_traffic(1, "drill", "Tsunami drill")]);
    press(&mut app, KeyCode::Char('3'));
    let acked = Event::AlertAcknowledged { alert: "drill".into(), operator: "reyes".into(), note: None };
    assert_eq!(app.saved_message(&acked, Some(2)), "acknowledged CRIT \"[TEST] Tsunami drill\" (#2)");
}

#[test]
fn b_asks_where_the_briefing_starts_and_refuses_what_is_not_a_past_time() {
    use super::{Overlay, PromptPurpose};
    let mut app = app();
    assert_eq!(press(&mut app, KeyCode::Char('b')), None, "nothing is written before the period is said");
    assert!(matches!(app.overlay, Overlay::Prompt { purpose: PromptPurpose::BriefSince, .. }));
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        Some(Effect::WriteBrief { since: None }),
        "empty: this watch"
    );
    assert!(matches!(app.overlay, Overlay::None));

    press(&mut app, KeyCode::Char('b'));
    type_text(&mut app, "-12h");
    let since = Some(now() - Duration::hours(12));
    assert_eq!(press(&mut app, KeyCode::Enter), Some(Effect::WriteBrief { since }));

    press(&mut app, KeyCode::Char('b'));
    type_text(&mut app, "00:30");
    let since = Some("2026-11-25T00:30:00Z".parse().unwrap());
    assert_eq!(press(&mut app, KeyCode::Enter), Some(Effect::WriteBrief { since }), "a UTC time of day");

    // A typo keeps the prompt, and what was typed, to be mended.
    press(&mut app, KeyCode::Char('b'));
    type_text(&mut app, "12 hours ago");
    assert_eq!(press(&mut app, KeyCode::Enter), None);
    let flash = app.flash.clone().unwrap_or_default();
    assert!(flash.starts_with("no briefing written: `12 hours ago` is not a time"), "{flash}");
    let Overlay::Prompt { purpose: PromptPurpose::BriefSince, input } = &app.overlay else {
        panic!("prompt gone")
    };
    assert_eq!(input.text(), "12 hours ago");
    press_with(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, "2026-11-26T00:00:00Z");
    assert_eq!(press(&mut app, KeyCode::Enter), None);
    assert_eq!(app.flash.as_deref(), Some("no briefing written: `2026-11-26T00:00:00Z` is not in the past"));
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.overlay, Overlay::None));
    assert_eq!(app.flash.as_deref(), Some("no briefing written"));

    // One at a time: said at once, before a period is typed for nothing.
    app.briefing = true;
    assert_eq!(press(&mut app, KeyCode::Char('b')), None);
    assert!(matches!(app.overlay, Overlay::None));
    assert_eq!(app.flash.as_deref(), Some("a briefing is still being written: one at a time"));
}
