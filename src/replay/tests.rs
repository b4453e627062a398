//! The replay session driven key by key over a journal long enough that a jump across it is
//! not made at once, with the background reader's news handed over piece by piece.

use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

use super::clock::Clock;
use super::engine::{self, AT_ONCE, Progress};
use super::session::Replay;
use super::widget::banner_line;
use crate::config::Config;
use crate::console::App;
use crate::console::pane::Pane;
use crate::domain::{Severity, Traffic};
use crate::event::Event;
use crate::journal::Writer;

const RECORDS: u64 = AT_ONCE + 5_000;
/// The one alert, raised this many records before the end.
const ALERT_BEFORE_END: u64 = 1_000;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap()
}

fn polled() -> Event {
    Event::FeedPolled {
        feed: "usgs-quakes".into(),
        items: 20,
        new: 0,
        updated: 0,
        withdrawn: 0,
        ms: 120,
        skipped: 0,
        incomplete: 0,
        problem: None,
    }
}

/// `RECORDS` records, a hundred a minute, one of them an alert raised near the end.
fn write_journal(dir: &Path) -> u64 {
    let mut writer = Writer::open(dir).unwrap();
    let alert_at = RECORDS - ALERT_BEFORE_END;
    let mut seq = 0;
    for minute in 0.. {
        let ts = t0() + Duration::minutes(minute);
        let mut events = Vec::new();
        while events.len() < 100 && seq < RECORDS {
            seq += 1;
            events.push(if seq == alert_at {
                Event::AlertRaised {
                    alert: "A1".into(),
                    rule: "severe-anywhere".into(),
                    feed: "usgs-quakes".into(),
                    item: "ev1".into(),
                    severity: Severity::Severe,
                    title: "Earthquake near Luzon".into(),
                    missions: vec![],
                    traffic: Traffic::Real,
                }
            } else {
                polled()
            });
        }
        if events.is_empty() {
            break;
        }
        writer.append_batch("feed:usgs-quakes", ts, events).unwrap();
    }
    writer.sync().unwrap();
    alert_at
}

fn config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml")).unwrap()
}

/// A replay of `dir` at its start, and the reader's news it has not been given yet.
fn open(dir: &Path) -> (Replay, Vec<Progress>) {
    let (start, end) = super::span(dir).unwrap();
    let app = App::new(config(), "reyes".into(), start);
    let replay = Replay::new(app, dir, Clock::new(start, end, start, 60.0), None).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    engine::index(dir.to_path_buf(), config(), start, end, tx);
    let news: Vec<_> = rx.into_iter().collect();
    assert!(news.len() >= 2, "the reader hands the journal over in more than one piece");
    (replay, news)
}

fn press(replay: &mut Replay, code: KeyCode) {
    assert!(!replay.handle_key(&KeyEvent::new(code, KeyModifiers::NONE)));
}

fn banner(replay: &Replay) -> String {
    banner_line(replay).spans.iter().map(|s| s.content.as_ref()).collect()
}

#[test]
fn end_pressed_while_the_reader_reads_is_made_once_it_has_read_to_the_end() {
    let tmp = tempfile::tempdir().unwrap();
    write_journal(tmp.path());
    let (mut replay, news) = open(tmp.path());
    let at_start = replay.app.state().last_seq();
    assert!(at_start < 200, "opened at the start, at #{at_start}");

    press(&mut replay, KeyCode::End);
    assert_eq!(replay.app.state().last_seq(), at_start, "nothing folded on the keys' thread");
    let total = format!("{},{:03}", RECORDS / 1000, RECORDS % 1000);
    assert!(
        banner(&replay).contains(&format!("going to the end: reading 0 of {total} records")),
        "{}",
        banner(&replay)
    );
    let last = news.len() - 1;
    for (i, progress) in news.into_iter().enumerate() {
        replay.take(progress);
        if i < last {
            assert!(replay.pending.is_some(), "still waiting after piece {i}");
            assert_eq!(replay.app.state().last_seq(), at_start);
            assert!(banner(&replay).contains("going to the end: reading"), "{}", banner(&replay));
        }
    }
    assert_eq!(replay.pending, None);
    assert_eq!(replay.app.state().last_seq(), RECORDS, "at the last record without a second press");
    assert_eq!(replay.clock.now, replay.clock.end);
    assert!(!banner(&replay).contains("going to"), "{}", banner(&replay));
}

#[test]
fn states_seeks_replace_wait_for_the_frame_and_do_not_pile_up() {
    let tmp = tempfile::tempdir().unwrap();
    write_journal(tmp.path());
    let (mut replay, news) = open(tmp.path());
    for progress in news {
        replay.take(progress);
    }
    let (start, end) = (replay.clock.start, replay.clock.end);
    replay.seek(end).unwrap();
    replay.seek(start).unwrap();
    let at_start = replay.app.state().last_seq();
    assert!(
        replay.engine.put_aside_count() > 0,
        "a seek back restores a copy and keeps the state it replaced"
    );
    replay.tidy();
    assert_eq!(replay.engine.put_aside_count(), 0);
    // Keys faster than frames: nothing is drawn, so nothing is tidied, between these seeks.
    for i in 0..40 {
        replay.seek(if i % 2 == 0 { end } else { start }).unwrap();
        let held = replay.engine.put_aside_count();
        assert!(held <= engine::SPARE_AT_MOST, "{held} states held");
    }
    assert_eq!(replay.app.state().last_seq(), at_start, "back at the start");
}

#[test]
fn a_newer_jump_replaces_a_pending_one() {
    let tmp = tempfile::tempdir().unwrap();
    let alert_at = write_journal(tmp.path());
    let (mut replay, news) = open(tmp.path());
    let at_start = replay.app.state().last_seq();

    // `]` while the reader has not reached any alert: it waits, in place of the End before it.
    press(&mut replay, KeyCode::End);
    press(&mut replay, KeyCode::Char(']'));
    assert!(banner(&replay).contains("going to the next alert: reading 0 of"), "{}", banner(&replay));
    for progress in news {
        replay.take(progress);
    }
    assert_eq!(replay.pending, None);
    assert_eq!(replay.app.state().last_seq(), alert_at, "at the alert, not at the end");
    assert!(replay.message.as_deref().is_some_and(|m| m.starts_with(&format!("alert #{alert_at} at"))));

    // Home near the state is made at once and drops a pending End.
    let (mut replay, news) = open(tmp.path());
    press(&mut replay, KeyCode::End);
    assert!(replay.pending.is_some());
    press(&mut replay, KeyCode::Home);
    assert_eq!(replay.pending, None);
    for progress in news {
        replay.take(progress);
    }
    assert_eq!(replay.app.state().last_seq(), at_start, "still at the start");
}

#[test]
fn jumps_the_reader_has_reached_or_that_are_near_are_made_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    write_journal(tmp.path());
    let (mut replay, news) = open(tmp.path());
    // Ten minutes on: a thousand records from the state, folded at once.
    press(&mut replay, KeyCode::Char('g'));
    for c in "00:10".chars() {
        press(&mut replay, KeyCode::Char(c));
    }
    press(&mut replay, KeyCode::Enter);
    assert_eq!(replay.pending, None);
    assert_eq!(replay.app.state().last_seq(), 1_100);
    for progress in news {
        replay.take(progress);
    }
    press(&mut replay, KeyCode::End);
    assert_eq!(replay.pending, None);
    assert_eq!(replay.app.state().last_seq(), RECORDS);
}

#[test]
fn every_key_that_writes_in_the_console_says_why_not_in_a_replay() {
    let tmp = tempfile::tempdir().unwrap();
    write_journal(tmp.path());
    let before = std::fs::read(tmp.path().join("00000001.jsonl")).unwrap();
    let (mut replay, _) = open(tmp.path());
    let cases = [
        ('a', "replay is read-only: acknowledge alerts in the live console"),
        ('A', "replay is read-only: acknowledge alerts in the live console"),
        ('u', "replay is read-only: unacknowledge alerts in the live console"),
        ('r', "replay is read-only: resolve alerts in the live console"),
        ('b', "replay is read-only: write briefings in the live console or with attache brief"),
        ('c', "replay is read-only: check in with contacts in the live console or with attache checkin"),
        ('m', "replay is read-only: set a mission's status in the live console or with attache mission"),
    ];
    for focus in [Pane::Alerts, Pane::Missions, Pane::Contacts] {
        replay.app.focus = focus;
        for (key, why) in cases {
            replay.message = None;
            press(&mut replay, KeyCode::Char(key));
            assert_eq!(replay.message.as_deref(), Some(why), "{key} with {focus:?} focused");
            assert!(banner(&replay).contains(why));
        }
    }
    // A key neither the replay nor the console knows: the console's own words, in its status bar.
    replay.message = None;
    press(&mut replay, KeyCode::Char('x'));
    assert_eq!(replay.message, None);
    assert_eq!(replay.app.flash.as_deref(), Some("no key x here; ? for help"));
    // `n` is the replay's review note, not a journal note.
    press(&mut replay, KeyCode::Char('n'));
    assert!(banner(&replay).contains("review note: _"), "{}", banner(&replay));
    assert!(std::fs::read(tmp.path().join("00000001.jsonl")).unwrap() == before, "the journal is unchanged");
}

/// A roll-call in the record shows in a replay as it stood, and its keys that would write say
/// why not, leaving the journal as it was.
#[test]
fn a_roll_call_shows_read_only_in_a_replay() {
    let tmp = tempfile::tempdir().unwrap();
    let mut writer = Writer::open(tmp.path()).unwrap();
    let kovac = "Lt Col. Mirela Kovač";
    let opened = Event::RollcallOpened {
        rollcall: "KFOR 2026-11-25T00:00Z".into(),
        contacts: vec![kovac.into()],
        deadline: t0() + Duration::hours(1),
        mission: Some("KFOR".into()),
        alert: None,
        reason: "shelling near Mitrovica".into(),
    };
    writer.append("reyes", t0(), vec![opened]).unwrap();
    let answered = Event::RollcallAnswered {
        rollcall: "KFOR 2026-11-25T00:00Z".into(),
        contact: kovac.into(),
        answer: crate::domain::Answer::NeedsHelp,
        note: None,
    };
    writer.append("santos", t0() + Duration::minutes(5), vec![answered]).unwrap();
    writer.sync().unwrap();
    drop(writer);
    let before = std::fs::read(tmp.path().join("00000001.jsonl")).unwrap();
    let (start, end) = super::span(tmp.path()).unwrap();
    let app = App::new(config(), "reyes".into(), end);
    let mut replay = Replay::new(app, tmp.path(), Clock::new(start, end, end, 60.0), None).unwrap();
    assert_eq!(replay.app.state().last_seq(), 2, "at the end of the record");
    press(&mut replay, KeyCode::Char('2'));
    press(&mut replay, KeyCode::Char('R'));
    let crate::console::Overlay::Detail { detail, .. } = &replay.app.overlay else {
        panic!("the roll-call shown")
    };
    let text = detail.lines.join("\n");
    assert!(text.contains("NEEDS HELP") && text.contains("taken by santos"), "{text}");
    for key in ['s', 'h', 'x', 'C'] {
        replay.app.flash = None;
        press(&mut replay, KeyCode::Char(key));
        let flash = replay.app.flash.as_deref().unwrap_or_default();
        assert!(
            flash.starts_with("replay is read-only: open, answer and close roll-calls"),
            "{key}: {flash}"
        );
    }
    assert!(matches!(replay.app.overlay, crate::console::Overlay::Detail { .. }), "still shown");
    assert_eq!(std::fs::read(tmp.path().join("00000001.jsonl")).unwrap(), before, "the journal is unchanged");
}

/// `c`, `m` and `n` in a mission's detail would write in the console: a replay says why not
/// and opens no prompt whose Enter could only be dropped.
#[test]
fn writing_keys_in_a_missions_detail_say_why_not_in_a_replay() {
    let tmp = tempfile::tempdir().unwrap();
    let mut writer = Writer::open(tmp.path()).unwrap();
    let note = Event::Note {
        operator: "reyes".into(),
        text: "quiet".into(),
        mission: None,
        alert: None,
        contact: None,
    };
    writer.append("reyes", t0(), vec![note]).unwrap();
    writer.sync().unwrap();
    drop(writer);
    let (start, end) = super::span(tmp.path()).unwrap();
    let app = App::new(config(), "reyes".into(), end);
    let mut replay = Replay::new(app, tmp.path(), Clock::new(start, end, end, 60.0), None).unwrap();
    press(&mut replay, KeyCode::Char('1'));
    press(&mut replay, KeyCode::Enter);
    assert!(matches!(replay.app.overlay, crate::console::Overlay::Detail { .. }), "a mission's detail");
    for (key, says) in [('c', "check in with contacts"), ('m', "set a mission's status"), ('n', "add notes")]
    {
        replay.message = None;
        press(&mut replay, KeyCode::Char(key));
        let message = replay.message.as_deref().unwrap_or_default();
        assert!(message.starts_with("replay is read-only: ") && message.contains(says), "{key}: {message}");
        assert!(matches!(replay.app.overlay, crate::console::Overlay::Detail { .. }), "{key}: no prompt");
    }
}

/// `--at` reads ages as `--from` and `--to` do, back from the journal's last record (before, an
/// age went back from the range's start and the replay opened at the start); a time of day is
/// the first at or after the range's start, the next day's when the range starts later in the
/// day.
#[test]
fn at_counts_an_age_back_from_the_journals_end() {
    let dir = tempfile::tempdir().unwrap();
    write_journal(dir.path());
    let (start, end) = super::span(dir.path()).unwrap();
    let at = |text: &str| {
        let options = super::Options { at: Some(text.into()), ..Default::default() };
        let replay = super::open(config(), dir.path(), &options, "reyes".into()).unwrap();
        let now = replay.clock.now;
        super::close(replay);
        now
    };
    assert_eq!(at("-1h"), end - Duration::hours(1));
    assert_eq!(at("01:30"), start + Duration::minutes(90));
    // From 01:00 on: 00:30 is the next day's, at the range's end.
    let late = |text: &str| {
        let options = super::Options {
            from: Some((start + Duration::hours(1)).to_rfc3339()),
            at: Some(text.into()),
            ..Default::default()
        };
        let replay = super::open(config(), dir.path(), &options, "reyes".into()).unwrap();
        let now = replay.clock.now;
        super::close(replay);
        now
    };
    assert_eq!(late("00:30"), end, "the next day's 00:30 is past the journal: its end");
    assert_eq!(late("02:00"), start + Duration::hours(2));
}
