//! Counts and durations the console writes read as words: `1 version`, `14 days`, `1 alert`,
//! never `1 versions`, `14days` or `alert(s)`.

use attache::config::Config;
use attache::console::App;
use attache::console::detail::detail;
use attache::console::pane::RowKey;
use attache::domain::{FeedItem, Traffic};
use attache::event::{Event, Record};
use attache::ui::{self, theme::Theme};
use chrono::{DateTime, Utc};
use ratatui::{Terminal, backend::TestBackend};
use std::path::Path;

fn now() -> DateTime<Utc> {
    "2026-11-25T01:00:00Z".parse().unwrap()
}

fn app() -> App {
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml")).unwrap();
    App::new(config, "reyes".into(), now())
}

fn detail_text(app: &App, key: RowKey) -> String {
    detail(&key, app.config(), app.state(), &app.feed_runtime, &app.cot_out, app.now)
        .unwrap()
        .lines
        .join("\n")
}

fn exercise_item() -> FeedItem {
    serde_json::from_value(serde_json::json!({
        "feed": "pagasa-cap", "id": "EX-1", "title": "Typhoon signal no. 3, Cagayan", "severity": "severe",
        "traffic": "exercise"
    }))
    .unwrap()
}

#[test]
fn counts_and_durations_read_as_words() {
    let mut app = app();
    let item = exercise_item();
    assert_eq!(item.traffic, Traffic::Exercise);
    let record = |seq, event| Record { seq, ts: now(), by: "attache".into(), event };
    app.apply(vec![
        record(1, Event::ItemSeen { item }),
        record(
            2,
            Event::AlertRaised {
                alert: "cap|pagasa-cap|EX-1".into(),
                rule: "cap".into(),
                feed: "pagasa-cap".into(),
                item: "EX-1".into(),
                severity: attache::domain::Severity::Severe,
                title: "Typhoon signal no. 3, Cagayan".into(),
                missions: vec![],
                traffic: Traffic::Exercise,
            },
        ),
    ]);
    let alert = detail_text(&app, RowKey::Alert("cap|pagasa-cap|EX-1".into()));
    assert!(alert.contains("Item history (1 version)"), "{alert}");
    let morita = app.config().contacts.iter().position(|c| c.name == "Capt. Kenji Morita").unwrap();
    let contact = detail_text(&app, RowKey::Contact(morita));
    assert!(contact.contains("Check in every: 14 days"), "{contact}");
    let feed = detail_text(&app, RowKey::Feed("usgs-quakes".into()));
    assert!(feed.contains("Every: 20 seconds"), "{feed}");
    let mut terminal = Terminal::new(TestBackend::new(120, 34)).unwrap();
    terminal.draw(|frame| ui::render(frame, &app, &Theme { color: false })).unwrap();
    let banner: String = (0..120).map(|x| terminal.backend().buffer()[(x, 0)].symbol().to_string()).collect();
    assert!(banner.contains("IN VIEW: 1 alert, 1 item, marked"), "{banner}");
}
