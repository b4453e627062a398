//! The `[[cot_out]]` destinations as the Feeds pane lists them: a row each under the feeds, with
//! its state, and a detail that says why one is down.

use super::pane::{Pane, RowKey};
use super::test_support::{config, now};
use super::{App, detail};
use crate::cot_out::{CotOutConfig, LinkStatus, Target};

fn multicast() -> CotOutConfig {
    CotOutConfig {
        url: "udp://239.2.3.1:6969".into(),
        target: Target::Udp("239.2.3.1:6969".parse().unwrap()),
        missions: true,
    }
}

fn app_publishing() -> App {
    let mut config = config();
    config.cot_out = vec![multicast()];
    let mut app = App::new(config, "reyes".into(), now());
    app.cot_out = vec![(
        multicast(),
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

/// A reload may add, remove or reorder `[[cot_out]]` entries, but the publisher keeps those it
/// started with: the detail shows each destination with its own settings, not the reloaded
/// file's entry at the same place.
#[test]
fn after_a_reload_the_detail_shows_the_running_destination_s_own_settings() {
    let mut app = app_publishing();
    let mut reloaded = app.in_force.config().clone();
    reloaded.cot_out = vec![CotOutConfig {
        url: "tcp://other.example:8087".into(),
        target: Target::Stream { address: "other.example:8087".into(), tls: None },
        missions: false,
    }];
    app.in_force = super::InForce::new(reloaded);
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
    assert!(text.contains("udp://239.2.3.1:6969") && text.contains("UDP datagrams"), "{text}");
    assert!(text.contains("Missions as markers: yes") && !text.contains("other.example"), "{text}");
    let named = super::naming::record(app.in_force.config(), &app.state, &app.cot_out, &RowKey::CotOut(0));
    assert_eq!(named.as_deref(), Some("cot out udp://239.2.3.1:6969"));
}
