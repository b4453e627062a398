//! Replay shows the watch exactly as it was. The live console's `App` is driven through the
//! scripted watch with a controlled clock (records appended through the real writer, then folded,
//! as the live loop does); the replay of the journal that produced is drawn at the same times and
//! the console's part of each frame must be identical, cell for cell and style for style. Then
//! seeks and steps: the state after `g` to T is the state after playing to T, from any direction.

mod replay_support;

use attache::console::App;
use attache::event::{Event, Record};
use attache::replay::clock::Clock;
use attache::replay::engine;
use attache::replay::session::Replay;
use attache::replay::widget::{self, BANNER_ROWS, TIMELINE_ROWS};
use attache::ui::{self, theme::Theme};
use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::{Terminal, backend::TestBackend};
use std::path::Path;

const THEME: Theme = Theme { color: true };

fn live_frame(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(frame, app, &THEME)).unwrap();
    terminal.backend().buffer().clone()
}

/// The replay drawn with room for its banner and timeline; returns the console's rows only.
fn replay_console(replay: &Replay, width: u16, height: u16) -> Buffer {
    let full = height + BANNER_ROWS + TIMELINE_ROWS;
    let mut terminal = Terminal::new(TestBackend::new(width, full)).unwrap();
    terminal.draw(|frame| widget::render(frame, replay, &THEME)).unwrap();
    let whole = terminal.backend().buffer();
    let mut console = Buffer::empty(ratatui::layout::Rect::new(0, 0, width, height));
    for y in 0..height {
        for x in 0..width {
            console[(x, y)] = whole[(x, y + BANNER_ROWS)].clone();
        }
    }
    console
}

fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (0..area.height)
        .map(|y| (0..area.width).map(|x| buffer[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

fn open(dir: &Path, start: DateTime<Utc>, end: DateTime<Utc>, indexed: bool) -> Replay {
    let app = App::new(replay_support::config(), "reyes".into(), start);
    let mut replay = Replay::new(app, dir, Clock::new(start, end, start, 60.0), None).unwrap();
    if indexed {
        let (tx, rx) = std::sync::mpsc::channel();
        engine::index(dir.to_path_buf(), replay_support::config(), start, end, tx);
        for progress in rx {
            replay.engine.absorb(progress);
        }
    }
    replay
}

/// The live console through the scripted watch: frames at each record's time and a minute
/// after it (so every clock-dependent pane has been refreshed, as the live loop's tick does).
fn live_watch(dir: &Path, sizes: &[(u16, u16)]) -> Vec<(DateTime<Utc>, Vec<Buffer>)> {
    let script = replay_support::script();
    let mut live = App::new(replay_support::config(), "reyes".into(), script[0].ts);
    let mut frames = Vec::new();
    let mut capture = |live: &mut App, t: DateTime<Utc>| {
        live.set_now(t);
        // The status bar's message (news of an alert, the last action's result) is the moment's,
        // not the record's: a replay shows the record.
        live.flash = None;
        frames.push((t, sizes.iter().map(|&(w, h)| live_frame(live, w, h)).collect()));
    };
    let mut previous: Option<Record> = None;
    replay_support::write_script(dir, |record, written| {
        if let Some(prev) = &previous {
            let later = prev.ts + Duration::seconds(61);
            if record.ts > later {
                capture(&mut live, later);
            } else if record.ts > prev.ts {
                capture(&mut live, prev.ts);
            }
        }
        live.set_now(record.ts);
        live.apply(written.to_vec());
        previous = Some(record.clone());
    });
    let last = previous.unwrap().ts;
    capture(&mut live, last);
    capture(&mut live, last + Duration::seconds(61));
    frames
}

#[test]
fn replay_frames_are_the_live_frames_apart_from_the_banner() {
    let tmp = tempfile::tempdir().unwrap();
    let sizes = [(120, 34), (80, 24)];
    let frames = live_watch(tmp.path(), &sizes);
    assert!(frames.len() >= 10, "the scenario captures the watch at many moments");
    let (start, end) = (frames[0].0, frames.last().unwrap().0);
    // Forward, as it was played, then backward: a seek in either direction shows the same.
    for order in [false, true] {
        let mut replay = open(tmp.path(), start, end, !order);
        let mut captured: Vec<_> = frames.iter().collect();
        if order {
            captured.reverse();
        }
        for (t, live) in captured {
            replay.seek(*t).unwrap();
            for ((w, h), live) in sizes.iter().zip(live) {
                let shown = replay_console(&replay, *w, *h);
                assert_eq!(text(&shown), text(live), "{w}x{h} at {t}");
                assert_eq!(&shown, live, "{w}x{h} at {t}: same text, different styles");
            }
        }
    }
}

#[test]
fn the_banner_says_replay_with_clock_and_speed() {
    let tmp = tempfile::tempdir().unwrap();
    replay_support::write_script(tmp.path(), |_, _| {});
    let script = replay_support::script();
    let replay = open(tmp.path(), script[0].ts, script.last().unwrap().ts, true);
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|frame| widget::render(frame, &replay, &THEME)).unwrap();
    let screen = text(terminal.backend().buffer());
    let top = screen.lines().next().unwrap();
    assert!(top.contains("REPLAY │ 2026-11-25 00:00:00Z │ ⏸ 60x skip idle"), "{top}");
    let bottom = screen.lines().last().unwrap();
    assert!(bottom.contains('▲'), "the timeline shows the cursor: {bottom}");
}

fn press(replay: &mut Replay, code: KeyCode) {
    assert!(!replay.handle_key(&KeyEvent::new(code, KeyModifiers::NONE)));
}

fn type_text(replay: &mut Replay, text: &str) {
    for c in text.chars() {
        press(replay, KeyCode::Char(c));
    }
    press(replay, KeyCode::Enter);
}

/// A journal long enough for checkpoints: the scripted watch, then hours of feed traffic.
fn long_journal(dir: &Path) -> (DateTime<Utc>, DateTime<Utc>) {
    journal_of(dir, 7000)
}

fn journal_of(dir: &Path, records: u64) -> (DateTime<Utc>, DateTime<Utc>) {
    replay_support::write_script(dir, |_, _| {});
    let mut writer = attache::journal::Writer::open(dir).unwrap();
    let start = replay_support::script()[0].ts;
    let mut ts = replay_support::script().last().unwrap().ts;
    let item = |n: u64| {
        serde_json::from_value(serde_json::json!({
            "feed": "usgs-quakes", "id": format!("q{}", n % 400), "title": format!("M 4.{} - quake {n}", n % 10),
            "severity": "minor", "magnitude": 4.5, "location": {"type": "point", "lat": 14.0, "lon": 121.0}
        }))
        .unwrap()
    };
    for n in 0..records {
        ts += Duration::seconds(3 + (n % 17) as i64);
        let event = match n % 9 {
            0 => attache::event::Event::Note {
                operator: "reyes".into(),
                text: format!("note {n}"),
                mission: None,
                alert: None,
                contact: None,
            },
            1 | 2 => attache::event::Event::ItemUpdated { item: item(n) },
            _ => attache::event::Event::ItemSeen { item: item(n) },
        };
        writer.append_batch("feed:usgs-quakes", ts, vec![event]).unwrap();
    }
    writer.sync().unwrap();
    (start, ts)
}

#[test]
fn go_to_a_time_equals_playing_to_it_and_steps_are_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let (start, end) = long_journal(tmp.path());

    // Play from the start at 1000x in 40 ms frames, as the terminal loop does.
    let mut played = open(tmp.path(), start, end, false);
    for _ in 0..4 {
        press(&mut played, KeyCode::Char('+'));
    }
    assert_eq!(played.clock.speed(), 1000.0);
    press(&mut played, KeyCode::Char(' '));
    for _ in 0..900 {
        played.tick(std::time::Duration::from_millis(40)).unwrap();
    }
    played.clock.playing = false;
    let t = played.clock.now;
    assert!(played.app.state().last_seq() > 2048, "the play went past a checkpoint");

    // `g` there from the end (backwards, through a checkpoint) and from the start (forwards).
    for from_end in [true, false] {
        let mut sought = open(tmp.path(), start, end, true);
        if from_end {
            press(&mut sought, KeyCode::End);
        }
        press(&mut sought, KeyCode::Char('g'));
        type_text(&mut sought, &t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
        assert_eq!(sought.clock.now, t);
        assert!(sought.app.state() == played.app.state(), "state after g differs (from end: {from_end})");
    }

    // Step back then forward, once and many times, across a checkpoint boundary.
    let mut replay = open(tmp.path(), start, end, true);
    replay.seek_seq(2050).unwrap();
    let here = replay.app.state().clone();
    press(&mut replay, KeyCode::Left);
    assert_eq!(replay.app.state().last_seq(), 2049);
    press(&mut replay, KeyCode::Right);
    assert!(*replay.app.state() == here);
    for _ in 0..5 {
        press(&mut replay, KeyCode::Left);
    }
    assert_eq!(replay.app.state().last_seq(), 2045);
    for _ in 0..5 {
        press(&mut replay, KeyCode::Right);
    }
    assert!(*replay.app.state() == here);
}

#[test]
fn a_replay_opened_at_a_time_starts_from_a_checkpoint_on_disk_and_is_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let (start, end) = journal_of(tmp.path(), 16_000);
    let built = attache::checkpoint::build(tmp.path(), |_| {}).unwrap();
    assert_eq!(built.written, 1, "one checkpoint, at record 10,000");
    let on_disk = std::fs::read_dir(tmp.path().join(attache::checkpoint::DIR)).unwrap().count();

    let records = attache::journal::Follower::new(tmp.path()).poll().unwrap().0;
    let t = records[14_999].ts;
    let mut expected = attache::state::DeskState::default();
    expected.apply_all(records.iter().filter(|r| r.ts <= t));

    let app = App::new(replay_support::config(), "reyes".into(), start);
    let replay = Replay::new(app, tmp.path(), Clock::new(start, end, t, 60.0), None).unwrap();
    assert!(*replay.app.state() == expected, "state at --at differs from folding up to it");
    assert!(replay.engine.copies_at().contains(&10_000), "the checkpoint on disk was used");
    assert!(replay.engine.copies_at().contains(&14_336), "a copy near the state, for steps back");
    let after = std::fs::read_dir(tmp.path().join(attache::checkpoint::DIR)).unwrap().count();
    assert_eq!(after, on_disk, "a replay writes no checkpoints");
}

/// A seek that would start from a checkpoint on disk that turns out damaged starts from the one
/// before, and folds the records from there: not those read ahead from the damaged one.
#[test]
fn a_seek_past_a_damaged_checkpoint_starts_from_the_one_before_and_is_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let (start, end) = journal_of(tmp.path(), 34_000);
    assert_eq!(attache::checkpoint::build(tmp.path(), |_| {}).unwrap().written, 3);
    let newer = std::fs::read_dir(tmp.path().join(attache::checkpoint::DIR))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("000000030000."))
        .expect("a checkpoint at record 30,000");
    let bytes = std::fs::read(&newer).unwrap();
    std::fs::write(&newer, &bytes[..bytes.len() / 2]).unwrap();

    let records = attache::journal::Follower::new(tmp.path()).poll().unwrap().0;
    let mut expected = attache::state::DeskState::default();
    expected.apply_all(&records[..33_000]);
    let app = App::new(replay_support::config(), "reyes".into(), start);
    let mut replay = Replay::new(app, tmp.path(), Clock::new(start, end, start, 60.0), None).unwrap();
    replay.seek_seq(33_000).unwrap();
    assert_eq!(replay.app.state().last_seq(), 33_000);
    assert!(*replay.app.state() == expected, "state after the seek differs from folding up to it");
    assert!(replay.engine.copies_at().contains(&20_000), "started from the checkpoint before");
}

/// Seeks to random records and times in random order (so from the copies the indexer made,
/// from a checkpoint on disk and from where the replay was, both ways), the copies spaced wider
/// by a small memory budget: each gives exactly the state a fold from the first record gives.
#[test]
fn random_seeks_equal_a_fold_from_the_start() {
    let tmp = tempfile::tempdir().unwrap();
    let (start, end) = journal_of(tmp.path(), 24_000);
    assert_eq!(attache::checkpoint::build(tmp.path(), |_| {}).unwrap().written, 2);
    let records = attache::journal::Follower::new(tmp.path()).poll().unwrap().0;
    let mut rng = 7u64;
    let goals: Vec<(bool, u64)> = (0..40)
        .map(|n| {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let seq = 1 + (rng >> 33) % records.len() as u64;
            // By time, the state holds every record stamped at or before it.
            let by_time = n % 2 == 1;
            let t = records[seq as usize - 1].ts;
            (by_time, if by_time { records.iter().rfind(|r| r.ts <= t).unwrap().seq } else { seq })
        })
        .collect();
    let mut wanted: Vec<u64> = goals.iter().map(|g| g.1).collect();
    wanted.sort_unstable();
    let mut expected = std::collections::HashMap::new();
    let mut state = attache::state::DeskState::default();
    for record in &records {
        state.apply(record);
        if wanted.binary_search(&record.seq).is_ok() {
            expected.insert(record.seq, state.clone());
        }
    }

    let app = App::new(replay_support::config(), "reyes".into(), start);
    let mut replay = Replay::new(app, tmp.path(), Clock::new(start, end, start, 60.0), None).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    engine::index_within(tmp.path().to_path_buf(), replay_support::config(), start, end, 1 << 20, tx);
    let mut thinned = false;
    for progress in rx {
        thinned |= progress.thin_to.is_some();
        replay.engine.absorb(progress);
    }
    assert!(thinned, "the budget spaced the copies wider");
    for (by_time, seq) in goals {
        if by_time {
            replay.seek(records[seq as usize - 1].ts).unwrap();
        } else {
            replay.seek_seq(seq).unwrap();
        }
        assert_eq!(replay.app.state().last_seq(), seq);
        assert!(*replay.app.state() == expected[&seq], "state after a seek to {seq} (by time: {by_time})");
    }
}

/// A replay of a part of the journal reads only that part: from the checkpoint on disk before
/// its start to the first record after its end, whatever the journal holds around it.
#[test]
fn the_reader_reads_the_range_only() {
    let tmp = tempfile::tempdir().unwrap();
    journal_of(tmp.path(), 24_000);
    attache::checkpoint::build(tmp.path(), |_| {}).unwrap();
    let records = attache::journal::Follower::new(tmp.path()).poll().unwrap().0;
    let (first, last) = (&records[14_999], &records[17_999]);
    let (tx, rx) = std::sync::mpsc::channel();
    engine::index(tmp.path().to_path_buf(), replay_support::config(), first.ts, last.ts, tx);
    let news: Vec<_> = rx.into_iter().collect();
    let entries: Vec<u64> = news.iter().flat_map(|p| p.entries.iter().map(|e| e.0)).collect();
    assert_eq!(entries.first(), Some(&10_001), "from the checkpoint on disk at record 10,000");
    assert_eq!(entries.last(), Some(&(last.seq + 1)), "to the first record after the range");
    assert!(news.last().unwrap().done);

    let app = App::new(replay_support::config(), "reyes".into(), first.ts);
    let mut replay =
        Replay::new(app, tmp.path(), Clock::new(first.ts, last.ts, first.ts, 60.0), None).unwrap();
    for progress in news {
        replay.engine.absorb(progress);
    }
    for at in [&records[16_500], first, last, &records[15_001]] {
        replay.seek(at.ts).unwrap();
        let mut expected = attache::state::DeskState::default();
        expected.apply_all(records.iter().filter(|r| r.ts <= at.ts));
        assert!(*replay.app.state() == expected, "state at record {}", at.seq);
    }
}

#[test]
fn alert_and_action_jumps_and_the_journal_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    replay_support::write_script(tmp.path(), |_, _| {});
    let before = journal_bytes(tmp.path());
    let script = replay_support::script();
    let mut replay = open(tmp.path(), script[0].ts, script.last().unwrap().ts, true);
    press(&mut replay, KeyCode::Char(']'));
    let raised = script.iter().find(|r| r.event.kind() == "alert.raised").unwrap();
    assert_eq!(replay.app.state().last_seq(), raised.seq);
    assert_eq!(replay.clock.now, raised.ts);
    press(&mut replay, KeyCode::Char('}'));
    let action = script.iter().find(|r| r.seq > raised.seq && is_action(r.event.kind())).unwrap();
    assert_eq!(replay.app.state().last_seq(), action.seq);
    press(&mut replay, KeyCode::Char('['));
    assert_eq!(replay.app.state().last_seq(), raised.seq);
    // Keys that would write to the journal do nothing in a replay; `n` writes a review note.
    press(&mut replay, KeyCode::Char('3'));
    press(&mut replay, KeyCode::Char('a'));
    press(&mut replay, KeyCode::Char('n'));
    type_text(&mut replay, "ack came late");
    assert_eq!(journal_bytes(tmp.path()), before);
    let review = std::fs::read_to_string(tmp.path().join("review.jsonl")).unwrap();
    assert!(
        review.contains("\"text\":\"ack came late\"") && review.contains(&format!("\"seq\":{}", raised.seq))
    );
}

fn is_action(kind: &str) -> bool {
    matches!(
        kind,
        "note" | "alert.acknowledged" | "alert.unacknowledged" | "alert.resolved" | "contact.checked_in"
    )
}

/// Every file of the journal but the review notes, by name.
pub fn journal_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "review.jsonl")
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn a_check_in_shows_in_the_replay_where_it_happened() {
    let tmp = tempfile::tempdir().unwrap();
    let mut records = replay_support::script();
    let at = records.iter().position(|r| r.event.kind() == "contact.checked_in").unwrap();
    let attache::event::Event::ContactCheckedIn { channel, note, .. } = &mut records[at].event else {
        unreachable!()
    };
    *channel = Some("in person".into());
    *note = Some("MINUSCA convoy briefed".into());
    let mut writer = attache::journal::Writer::open(tmp.path()).unwrap();
    for record in &records {
        writer.append(&record.by, record.ts, vec![record.event.clone()]).unwrap();
    }
    drop(writer);
    let seq = records[at].seq;
    let mut replay = open(tmp.path(), records[0].ts, records.last().unwrap().ts, true);
    let ngaba = |replay: &Replay| {
        let row = replay
            .app
            .pane(attache::console::pane::Pane::Contacts)
            .rows
            .iter()
            .find(|r| r.cells[0] == "Maj. Didier Ngaba");
        row.unwrap().cells[5].clone()
    };
    replay.seek_seq(seq - 1).unwrap();
    assert_eq!(ngaba(&replay), "OVERDUE never");
    replay.seek_seq(seq).unwrap();
    assert_eq!(ngaba(&replay), "due in 7d0h", "the replay clock at the check-in");
    let frame = text(&replay_console(&replay, 160, 40));
    assert!(frame.contains("checked in with Maj. Didier Ngaba by in person: MINUSCA"), "{frame}");
}

/// The scripted watch written to `dir` with one more record by reyes right after the record
/// halfway through, at its time; the script and that halfway index.
fn written_with_one_more_at_half(dir: &Path, event: impl Fn(&Record) -> Event) -> (Vec<Record>, usize) {
    let records = replay_support::script();
    let half = records.len() / 2;
    let mut writer = attache::journal::Writer::open(dir).unwrap();
    for (i, record) in records.iter().enumerate() {
        writer.append(&record.by, record.ts, vec![record.event.clone()]).unwrap();
        if i == half {
            writer.append("reyes", record.ts, vec![event(record)]).unwrap();
        }
    }
    (records, half)
}

#[test]
fn a_missions_status_shows_in_the_replay_where_it_was_set() {
    let tmp = tempfile::tempdir().unwrap();
    // The status change goes in halfway through the watch, at that record's time.
    let (records, half) =
        written_with_one_more_at_half(tmp.path(), |_| attache::event::Event::MissionStatusChanged {
            mission: "KFOR".into(),
            status: attache::domain::MissionStatus::Suspended,
            note: Some("road closed at Jarinje".into()),
        });
    let seq = records[half].seq + 1;
    let mut replay = open(tmp.path(), records[0].ts, records.last().unwrap().ts, true);
    let kfor = |replay: &Replay| {
        let rows = &replay.app.pane(attache::console::pane::Pane::Missions).rows;
        rows.iter().find(|r| r.cells[1] == "KFOR").unwrap().cells.clone()
    };
    replay.seek_seq(seq - 1).unwrap();
    assert_eq!(kfor(&replay)[0], "ACT", "before the record");
    replay.seek_seq(seq).unwrap();
    let row = kfor(&replay);
    assert_eq!(row[0], "SUS", "at the record");
    assert!(row[2].ends_with(" - road closed at Jarinje"), "{row:?}");
    let frame = text(&replay_console(&replay, 160, 40));
    assert!(frame.contains("mission.status_changed"), "{frame}");
    assert!(frame.contains("reyes set mission KFOR suspended: road closed"), "the event log line: {frame}");
}

#[test]
fn a_notification_shows_in_the_replays_event_log_where_it_happened() {
    let tmp = tempfile::tempdir().unwrap();
    let mut records = replay_support::script();
    let raised = records.iter().position(|r| r.event.kind() == "alert.raised").unwrap();
    let (seq, ts) = (records[raised].seq, records[raised].ts);
    let sent = attache::event::Event::NotifySent {
        rule: "duty officer".into(),
        trigger: "alert.raised>=severe".into(),
        record: seq,
        attempts: 2,
        ms: 120,
    };
    records.insert(raised + 1, Record { seq: seq + 1, ts, by: "notify".into(), event: sent });
    let mut writer = attache::journal::Writer::open(tmp.path()).unwrap();
    for record in &records {
        writer.append(&record.by, record.ts, vec![record.event.clone()]).unwrap();
    }
    drop(writer);
    let mut replay = open(tmp.path(), records[0].ts, records.last().unwrap().ts, true);
    let said = format!("notified duty officer of #{seq} (alert.raised>=severe) (attempt 2)");
    replay.seek_seq(seq).unwrap();
    assert!(!text(&replay_console(&replay, 160, 40)).contains("notified duty officer"));
    replay.seek_seq(seq + 1).unwrap();
    let frame = text(&replay_console(&replay, 160, 40));
    assert!(frame.contains(&said), "{frame}");
}

#[test]
fn a_handover_shows_in_the_replays_event_log_where_it_happened_and_is_an_action() {
    let tmp = tempfile::tempdir().unwrap();
    let (records, half) =
        written_with_one_more_at_half(tmp.path(), |record| attache::event::Event::Handover {
            to: Some("kim".into()),
            open_alerts: vec![],
            open_rollcalls: vec![],
            overdue_contacts: vec!["Maj. Didier Ngaba".into()],
            feeds_down: vec![],
            head: attache::event::JournalHead { seq: record.seq, sum: "ab".repeat(32) },
            sheet: "/desk/briefs/handover.md".into(),
            signature: None,
            copy: None,
        });
    let seq = records[half].seq + 1;
    let mut replay = open(tmp.path(), records[0].ts, records.last().unwrap().ts, true);
    let said = format!(
        "reyes handed over the watch to kim: 0 alerts and 0 roll-calls open, 1 contact overdue, 0 feeds down (head #{})",
        seq - 1
    );
    replay.seek_seq(seq - 1).unwrap();
    assert!(!text(&replay_console(&replay, 160, 40)).contains("handed over"), "not before the record");
    assert_eq!(replay.app.state().last_handover(), None);
    replay.seek_seq(seq).unwrap();
    let frame = text(&replay_console(&replay, 160, 40));
    assert!(
        frame.contains(
            "handover           reyes handed over the watch to kim: 0 alerts and 0 roll-calls open"
        ),
        "{frame}"
    );
    let state = replay.app.state();
    assert_eq!(state.log().iter().find(|l| l.seq == seq).map(|l| l.text.as_str()), Some(said.as_str()));
    assert_eq!(state.last_handover().as_ref().map(|h| h.seq), Some(seq));
}
