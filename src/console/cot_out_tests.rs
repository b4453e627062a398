//! The `[[cot_out]]` destinations as the Feeds pane lists them: a row each under the feeds, with
//! its state, and a detail that says why one is down.

use super::pane::{Pane, RowKey};
use super::test_support::{config, now};
use super::{App, detail};
use crate::cot_out::{CotOutConfig, LinkStatus, Target};

fn app_publishing() -> App {
    let mut config = config();
    config.cot_out = vec![CotOutConfig {
        url: "udp://239.2.3.1:6969".into(),
        target: Target::Udp("239.2.3.1:6969".parse().unwrap()),
        missions: true,
    }];
    let mut app = App::new(config, "reyes".into(), now());
    app.cot_out = vec![(
        "udp://239.2.3.1:6969".into(),
        LinkStatus {
            state: "sending to udp://239.2.3.1:6969 failed: Network is unreachable".into(),
            up: false,
            retry_at: Some("2026-12-07T01:06:30Z".parse().unwrap()),
            connections: 1,
            sent: 12,
            dropped: 0,
        },
    )];
    app.refresh(Pane::Feeds);
    app
}

#[test]
fn a_destination_is_a_row_under_the_feeds_flagged_when_down() {
    let app = app_publishing();
    let rows = &app.pane(Pane::Feeds).rows;
    let last = rows.last().expect("rows");
    assert_eq!(last.key, RowKey::CotOut(0));
    assert_eq!(last.cells[..4], ["out udp://239.2.3.1:6969", "DOWN", "-", "12"]);
    assert!(last.flagged);
    assert!(matches!(rows[0].key, RowKey::Feed(_)), "the feeds come first");
}

#[test]
fn its_detail_says_why_it_is_down() {
    let app = app_publishing();
    let detail = detail::detail(
        &RowKey::CotOut(0),
        app.in_force.config(),
        &app.state,
        &app.feed_runtime,
        &app.cot_out,
        now(),
    )
    .expect("a detail");
    let text = detail.lines.join("\n");
    assert!(
        text.contains(
            "State: sending to udp://239.2.3.1:6969 failed: Network is unreachable; trying again at 01:06:30Z"
        ),
        "{text}"
    );
    assert!(text.contains("Missions as markers: yes") && text.contains("Sent: 12 events"), "{text}");
    assert!(
        detail::detail(
            &RowKey::CotOut(1),
            app.in_force.config(),
            &app.state,
            &app.feed_runtime,
            &app.cot_out,
            now()
        )
        .is_none()
    );
}
