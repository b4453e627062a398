//! End to end in a real terminal: what the status bar and the panes say about a watch written
//! beforehand. The test holds the poller lock, so the console polls nothing and shows only what
//! the prepared journal and the records the test appends while it runs say.

mod tmux_support;

use attache::event::Event;
use attache::journal::Writer;
use chrono::{DateTime, Duration, Utc};
use std::fs::File;
use std::path::PathBuf;
use tmux_support::Tmux;

const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/attache.toml");

/// A console in tmux on a journal the test writes, with the poller lock held by the test.
struct Watch {
    tmux: Tmux,
    journal: PathBuf,
    _lock: File,
    _dir: tempfile::TempDir,
}

impl Watch {
    /// Writes `before` (time, by, event) into a fresh journal, then starts a console on it at
    /// `width` x `height`; `extra_env` is set for the console (e.g. `TZ`).
    fn start(name: &str, width: u16, height: u16, before: Vec<(DateTime<Utc>, &str, Event)>) -> Watch {
        Watch::start_with(name, width, height, CONFIG, before)
    }

    fn start_with(
        name: &str,
        width: u16,
        height: u16,
        config: &str,
        before: Vec<(DateTime<Utc>, &str, Event)>,
    ) -> Watch {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal");
        let lock = attache::lock::try_poller_lock(&journal).expect("the test takes the poller lock");
        let mut writer = Writer::open(&journal).unwrap();
        for (ts, by, event) in before {
            writer.append(by, ts, vec![event]).unwrap();
        }
        drop(writer);
        let command = format!(
            "{} --config {config} --journal {}; sleep 60",
            env!("CARGO_BIN_EXE_attache"),
            journal.display()
        );
        let tmux = Tmux::new(name, "watch");
        tmux.start(width, height, &command);
        tmux.wait_for("the console", |s| s.contains("journal #"));
        Watch { tmux, journal, _lock: lock, _dir: dir }
    }

    /// Appends records as another process on the host would (the console follows the journal).
    fn append(&self, by: &str, events: Vec<Event>) {
        let mut writer = Writer::open(&self.journal).unwrap();
        writer.append(by, Utc::now(), events).unwrap();
    }

    fn status_bar(&self) -> String {
        self.tmux.screen().lines().filter(|l| !l.trim().is_empty()).last().unwrap_or_default().to_string()
    }
}

fn polled(feed: &str) -> Event {
    Event::FeedPolled {
        feed: feed.into(),
        items: 0,
        new: 0,
        updated: 0,
        withdrawn: 0,
        ms: 40,
        skipped: 0,
        problem: None,
    }
}

#[test]
fn feeds_that_answered_five_minutes_ago_are_not_stale() {
    // The journal's last successes are five minutes old, as they are between two quiet polls
    // of feeds polled every 20 and 30 seconds.
    let at = Utc::now() - Duration::minutes(5);
    let before = ["usgs-quakes", "pagasa-cap", "usgs-significant"]
        .into_iter()
        .map(|feed| (at, "feed:demo", polled(feed)))
        .collect();
    let watch = Watch::start("stale", 120, 40, before);
    let screen = watch.tmux.wait_for("the feed summary", |s| s.contains("│ feeds "));
    let bar = watch.status_bar();
    assert!(bar.contains("feeds 3 ok") && !bar.contains("BAD"), "status bar: {bar}\n{screen}");
    assert!(!screen.contains("STALE"), "{screen}");
}
