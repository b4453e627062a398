//! End to end in a real terminal: what the status bar and the panes say about a watch written
//! beforehand. The test holds the poller lock, so the console polls nothing and shows only what
//! the prepared journal and the records the test appends while it runs say.

mod tmux_support;

use attache::domain::{Severity, Traffic};
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
    /// One line per terminal bell the console rang (a tmux hook writes it).
    bells: PathBuf,
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
        // A moment's wait, so the bell hook is set before the console can ring.
        let command = format!(
            "sleep 0.5; {} --config {config} --journal {}; sleep 60",
            env!("CARGO_BIN_EXE_attache"),
            journal.display()
        );
        let tmux = Tmux::new(name, "watch");
        tmux.start(width, height, &command);
        let bells = dir.path().join("bells");
        let hook = format!("run-shell \"echo bell >> {}\"", bells.display());
        assert!(tmux.run(&["set-hook", "-g", "alert-bell", &hook]).status.success());
        tmux.wait_for("the console", |s| s.contains(" ? help"));
        Watch { tmux, journal, bells, _lock: lock, _dir: dir }
    }

    /// Appends records as another process on the host would (the console follows the journal).
    fn append(&self, by: &str, events: Vec<Event>) {
        let mut writer = Writer::open(&self.journal).unwrap();
        writer.append(by, Utc::now(), events).unwrap();
    }

    fn bells(&self) -> usize {
        std::fs::read_to_string(&self.bells).map_or(0, |text| text.lines().count())
    }

    fn status_bar(&self) -> String {
        self.tmux.screen().lines().rfind(|l| !l.trim().is_empty()).unwrap_or_default().to_string()
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
        incomplete: 0,
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

fn raised(id: &str, severity: Severity, title: &str) -> Event {
    Event::AlertRaised {
        alert: id.into(),
        rule: "quake near a mission".into(),
        feed: "usgs-quakes".into(),
        item: id.into(),
        severity,
        title: title.into(),
        missions: vec!["HADR-CAGAYAN".into()],
        traffic: Traffic::Real,
    }
}

#[test]
fn a_critical_alert_arriving_while_others_are_escalated_leads_the_bar_and_rings_once() {
    let earlier = Utc::now() - Duration::hours(1);
    let before = vec![
        (earlier, "attache", raised("luzon", Severity::Moderate, "M 4.6 - 5 km NW of Baguinge")),
        (earlier, "attache", raised("cagayan", Severity::Moderate, "M 4.7 - 20 km E of Tuao")),
        (earlier, "attache", raised("old", Severity::Critical, "M 7.0 - an hour ago")),
        (
            earlier,
            "reyes",
            Event::AlertAcknowledged { alert: "old".into(), operator: "reyes".into(), note: None },
        ),
        (earlier, "attache", Event::AlertEscalated { alert: "luzon".into() }),
        (earlier, "attache", Event::AlertEscalated { alert: "cagayan".into() }),
    ];
    let watch = Watch::start("bell", 60, 24, before);
    watch.tmux.wait_for("the escalations", |s| s.contains("2 ESCALATED") && !s.contains("CRIT │"));
    // Long enough for several frames: the alerts read at start-up are history and ring nothing.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(watch.bells(), 0, "rang for records read at start-up");

    watch.append("attache", vec![raised("aparri", Severity::Critical, "M 6.1 - 12 km N of Aparri")]);
    let bar_of = |s: &str| s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or_default().to_string();
    let screen = watch.tmux.wait_for("the critical alert on the bar", |s| bar_of(s).contains("1 CRIT"));
    let bar = watch.status_bar();
    let (crit, escalated) = (bar.find("1 CRIT"), bar.find("2 ESCALATED"));
    assert!(crit.is_some() && crit < escalated && bar.contains("? help"), "status bar: {bar}\n{screen}");
    assert!(screen.contains("NEW CRIT M 6.1 - 12 km N of Aparri"), "{screen}");
    watch.tmux.wait_for_long("one bell", std::time::Duration::from_secs(5), |_| watch.bells() == 1);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(watch.bells(), 1, "one bell for one alert");

    watch.append("attache", vec![Event::AlertEscalated { alert: "aparri".into() }]);
    watch.tmux.wait_for("the escalation", |s| s.contains("3 ESCALATED"));
    watch.tmux.wait_for_long("a bell for the escalation", std::time::Duration::from_secs(5), |_| {
        watch.bells() == 2
    });
}

#[test]
fn the_event_log_shows_the_date_and_time_of_other_days_and_switches_to_desk_time() {
    let yesterday = Utc::now() - Duration::days(1);
    let note = Event::Note {
        operator: "reyes".into(),
        text: "relief flight landed at Tuguegarao".into(),
        mission: None,
        alert: None,
        contact: None,
    };
    let watch = Watch::start("log", 80, 24, vec![(yesterday, "reyes", note)]);
    watch.tmux.keys(&["4"]);
    let utc = yesterday.format("%m-%d %H:%MZ").to_string();
    let screen =
        watch.tmux.wait_for("the Event log in UTC", |s| s.contains("▶4 Event log") && s.contains("UTC"));
    assert!(screen.lines().any(|l| l.contains(&utc) && l.contains("relief flight")), "{utc}:\n{screen}");
    watch.tmux.keys(&["z"]);
    let local = yesterday.with_timezone(&chrono_tz::Asia::Manila);
    let today_there = Utc::now().with_timezone(&chrono_tz::Asia::Manila).date_naive();
    let shown = if local.date_naive() == today_there {
        local.format("%H:%M ").to_string()
    } else {
        local.format("%m-%d %H:%M ").to_string()
    };
    let screen = watch.tmux.wait_for("the Event log in Manila time", |s| s.contains("Manila time"));
    assert!(screen.lines().any(|l| l.contains(&shown) && l.contains("relief flight")), "{shown}:\n{screen}");
}

#[test]
fn withdrawals_are_logged_by_title_and_counts_read_as_words() {
    let at = Utc::now() - Duration::minutes(3);
    let quake: attache::domain::FeedItem = serde_json::from_value(serde_json::json!({
        "feed": "usgs-quakes", "id": "us7000lx8h", "title": "M 4.9 - 45 km NNW of Guiria", "severity": "minor"
    }))
    .unwrap();
    let drill = Event::AlertRaised {
        alert: "drill".into(),
        rule: "cyclone warnings for our missions".into(),
        feed: "pagasa-cap".into(),
        item: "EX-1".into(),
        severity: Severity::Moderate,
        title: "Typhoon signal no. 3, Cagayan".into(),
        missions: vec!["HADR-CAGAYAN".into()],
        traffic: Traffic::Exercise,
    };
    let withdrawn = Event::ItemWithdrawn {
        feed: "usgs-quakes".into(),
        id: "us7000lx8h".into(),
        reason: attache::event::WithdrawReason::Gone,
    };
    let before = vec![
        (at, "feed:usgs-quakes", Event::ItemSeen { item: quake }),
        (at, "attache", drill),
        (at, "feed:usgs-quakes", withdrawn),
    ];
    let watch = Watch::start("words", 200, 50, before);
    let screen = watch.tmux.wait_for("the log and the banner", |s| s.contains("item.withdrawn"));
    assert!(
        screen.contains("usgs-quakes withdrew (gone from feed): M 4.9 - 45 km NNW of Guiria"),
        "{screen}"
    );
    assert!(screen.contains("IN VIEW: 1 alert, 0 items"), "{screen}");
}
