//! A feed that answers is never STALE, and one that stops answering becomes STALE, in the live
//! console, in replay and in briefings alike. The watch is simulated as the polling console runs
//! it: a poll every 30 s (and the few ms it takes), its outcome turned into journal events by the
//! desk's core the runtime drives, appended through the real writer at the simulated time.

use attache::brief::{self, Request};
use attache::config::Config;
use attache::console::App;
use attache::console::pane::{Pane, RowKey};
use attache::desk::{Desk, Host, Input};
use attache::event::{Event, Record};
use attache::feeds::{Parsed, PollOutcome, PollResult};
use attache::journal::Writer;
use attache::replay::clock::Clock;
use attache::replay::session::Replay;
use attache::state::DeskState;
use attache::ui::{self, theme::Theme};
use chrono::{DateTime, Duration, Utc};
use ratatui::{Terminal, backend::TestBackend};
use std::path::Path;

/// The demo desk's CAP feed, polled every 30 s.
const FEED: &str = "pagasa-cap";

fn config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml")).unwrap()
}

fn start() -> DateTime<Utc> {
    "2026-11-25T00:00:00Z".parse().unwrap()
}

/// The word the Feeds pane shows for the feed.
fn shown_state(app: &App) -> String {
    let row = app.pane(Pane::Feeds).rows.iter().find(|r| r.key == RowKey::Feed(FEED.into()));
    row.expect("the feed has a row").cells[1].clone()
}

fn status_bar(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 34)).unwrap();
    terminal.draw(|frame| ui::render(frame, app, &Theme { color: false })).unwrap();
    let buffer = terminal.backend().buffer();
    (0..buffer.area.width).map(|x| buffer[(x, buffer.area.height - 1)].symbol()).collect()
}

fn stale_in_briefing(config: &Config, dir: &Path, to: DateTime<Utc>) -> bool {
    let request = Request {
        from: start(),
        to,
        missions: Vec::new(),
        desks: Default::default(),
        generated_at: to,
        operator: "reyes".into(),
    };
    let briefing = brief::build(config, dir, &request).unwrap();
    briefing.feeds.stale.iter().any(|s| s.feed == FEED)
}

/// The live console's record: the real writer, and the app folding what it appends.
struct Live {
    writer: Writer,
    app: App,
}

impl Host for Live {
    fn state(&self) -> &DeskState {
        self.app.state()
    }

    fn config(&self) -> &Config {
        self.app.config()
    }

    fn commit(&mut self, by: &str, at: DateTime<Utc>, events: Vec<Event>) -> Result<Option<u64>, String> {
        let records = self.writer.append(by, at, events).map_err(|e| e.to_string())?;
        let last = records.last().map(|r| r.seq);
        self.app.apply(records);
        Ok(last)
    }

    fn fold(&mut self, records: Vec<Record>) {
        self.app.apply(records);
    }
}

/// Polls the feed every 30 s for `minutes`, each poll answering with nothing new (the first one
/// with an empty document, then 304s), journaled as the runtime decides; the live console is
/// checked every 5 s in between. Returns the time of the last poll.
fn answer_quietly(config: &Config, dir: &Path, minutes: i64) -> DateTime<Utc> {
    let app = App::new(config.clone(), "reyes".into(), start());
    let mut live = Live { writer: Writer::open(dir).unwrap(), app };
    let mut desk = Desk::new();
    let (mut now, end) = (start(), start() + Duration::minutes(minutes));
    let mut last_poll = now;
    let mut polls = 0;
    while now <= end {
        let result =
            if polls == 0 { PollResult::Fetched(Parsed::default()) } else { PollResult::NotModified };
        let outcome = PollOutcome { feed: FEED.into(), result, ms: 40 };
        live.app.set_now(now);
        let handled = desk.handle(&mut live, Input::Polled(outcome), now);
        assert_eq!(handled.failed, None);
        polls += 1;
        last_poll = now;
        let next = now + Duration::seconds(30) + Duration::milliseconds(40);
        let mut t = now;
        while t < next {
            live.app.set_now(t);
            assert_eq!(shown_state(&live.app), "ok", "live console at {t}, the feed polled at {now}");
            let bar = status_bar(&live.app);
            assert!(!bar.contains("BAD"), "live status bar at {t}: {bar}");
            t += Duration::seconds(5);
        }
        now = next;
    }
    assert!(polls >= 40);
    live.writer.sync().unwrap();
    last_poll
}

#[test]
fn a_feed_that_answers_is_never_stale_and_one_that_stops_becomes_stale() {
    let config = config();
    let dir = tempfile::tempdir().unwrap();
    let last_poll = answer_quietly(&config, dir.path(), 20);
    let silent_long = last_poll + Duration::minutes(15);

    let app = App::new(config.clone(), "reyes".into(), start());
    let mut replay =
        Replay::new(app, dir.path(), Clock::new(start(), silent_long, start(), 60.0), None).unwrap();
    let mut t = start();
    while t <= last_poll {
        replay.seek(t).unwrap();
        assert_eq!(shown_state(&replay.app), "ok", "replay at {t}");
        t += Duration::seconds(10);
    }
    let mut t = start() + Duration::minutes(1);
    while t <= last_poll {
        assert!(!stale_in_briefing(&config, dir.path(), t), "a briefing to {t} calls the feed stale");
        t += Duration::minutes(1);
    }

    // Nobody polls any more: the picture from this feed is no longer current.
    replay.seek(silent_long).unwrap();
    assert_eq!(shown_state(&replay.app), "STALE", "replay, 15 minutes after the last poll");
    assert!(stale_in_briefing(&config, dir.path(), silent_long), "briefing, 15 minutes after the last poll");
    let mut live = App::new(config.clone(), "reyes".into(), silent_long);
    live.apply(attache::journal::read_all(dir.path()).unwrap().0);
    live.set_now(silent_long);
    assert_eq!(shown_state(&live), "STALE", "live console, 15 minutes after the last poll");
    assert!(status_bar(&live).contains("1 BAD"), "{}", status_bar(&live));
}
