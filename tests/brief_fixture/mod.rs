//! The journal `tests/brief.rs` briefs, written through the real writer (so sums and chain are
//! right): an alert carried into the period, an escalation, an acknowledgement with a note and a
//! resolution, an exercise alert and item, feed outages, a stale feed, overdue contacts,
//! check-ins, notes, a handover, a mission resumed and another closed.

#![allow(dead_code)] // not every item is used by every test

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::path::Path;

use attache::domain::{FeedItem, MissionStatus, Severity, Traffic};
use attache::event::Event;
use attache::journal::Writer;

pub const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/attache.toml");
pub const FROM: &str = "2026-11-24T00:00:00Z";
pub const TO: &str = "2026-11-25T00:00:00Z";

/// For reading facts directly: every item is near the one mission, at a made-up distance that
/// fingerprints its whole place.
pub fn near_all(location: &attache::domain::Location) -> attache::brief::collect::Near {
    let place = serde_json::to_string(location).unwrap();
    let fingerprint =
        place.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    [(0, fingerprint)].into_iter().collect()
}

pub fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

pub fn item(id: &str, title: &str, severity: Severity, lat: f64, lon: f64, traffic: Traffic) -> FeedItem {
    serde_json::from_value(json!({
        "feed": "usgs-quakes", "id": id, "title": title, "severity": severity,
        "location": {"type": "point", "lat": lat, "lon": lon}, "traffic": traffic,
    }))
    .unwrap()
}

pub fn raised(alert: &str, severity: Severity, title: &str, missions: &[&str], traffic: Traffic) -> Event {
    Event::AlertRaised {
        alert: alert.into(),
        rule: "quake near a mission".into(),
        feed: "usgs-quakes".into(),
        item: format!("item-{alert}"),
        severity,
        title: title.into(),
        missions: missions.iter().map(|m| m.to_string()).collect(),
        traffic,
    }
}

/// Writes the fixture journal: a day before the period, the period (2026-11-24), and an hour
/// after it that must not show.
pub fn fixture(dir: &Path) {
    fixture_edited(dir, |event| event);
}

/// The fixture with each event passed through `edit` first.
pub fn fixture_edited(dir: &Path, edit: impl Fn(Event) -> Event) {
    let mut w = Writer::open(dir).unwrap();
    let mut at = |ts: &str, by: &str, event: Event| -> u64 {
        w.append(by, t(ts), vec![edit(event)]).unwrap().last().unwrap().seq
    };
    let reyes = || "reyes".to_string();
    at(
        "2026-11-23T06:00:00Z",
        "reyes",
        Event::SessionStarted { operator: reyes(), host: "desk1".into(), terminal: "xterm".into() },
    );
    at(
        "2026-11-23T08:00:00Z",
        "reyes",
        Event::ContactCheckedIn {
            contact: "Col. Ana Reyes".into(),
            operator: reyes(),
            channel: None,
            note: None,
        },
    );
    at(
        "2026-11-23T10:00:00Z",
        "feed:usgs-quakes",
        raised("A0", Severity::Severe, "Armed clash reported near Mitrovica", &["KFOR"], Traffic::Real),
    );
    at(
        "2026-11-23T11:00:00Z",
        "reyes",
        Event::AlertAcknowledged {
            alert: "A0".into(),
            operator: reyes(),
            note: Some("KFOR J2 informed".into()),
        },
    );
    at(
        "2026-11-23T20:00:00Z",
        "feed:usgs-significant",
        Event::FeedFailed { feed: "usgs-significant".into(), error: "HTTP 503".into() },
    );
    at(
        "2026-11-23T22:00:00Z",
        "reyes",
        Event::Note {
            operator: reyes(),
            text: "before the period: must not show".into(),
            mission: None,
            alert: None,
            contact: None,
        },
    );
    at(
        "2026-11-23T21:00:00Z",
        "reyes",
        Event::MissionStatusChanged {
            mission: "MINUSCA".into(),
            status: MissionStatus::Suspended,
            note: Some("convoys paused".into()),
        },
    );
    // The period.
    let polled = |feed: &str| Event::FeedPolled {
        feed: feed.into(),
        items: 12,
        new: 1,
        updated: 0,
        withdrawn: 0,
        ms: 80,
        skipped: 0,
        incomplete: 0,
        problem: None,
    };
    at("2026-11-24T01:00:00Z", "feed:usgs-quakes", polled("usgs-quakes"));
    at("2026-11-24T02:00:00Z", "feed:usgs-significant", polled("usgs-significant"));
    at(
        "2026-11-24T03:00:00Z",
        "feed:usgs-quakes",
        Event::ItemSeen {
            item: item(
                "q1",
                "M 6.1 - 20 km N of Baguio, Philippines",
                Severity::Severe,
                16.6,
                120.6,
                Traffic::Real,
            ),
        },
    );
    at(
        "2026-11-24T03:00:01Z",
        "feed:usgs-quakes",
        Event::ItemSeen {
            item: item("q2", "M 4.6 - Reykjanes Ridge", Severity::Moderate, 60.0, -30.0, Traffic::Real),
        },
    );
    at(
        "2026-11-24T03:00:02Z",
        "feed:usgs-quakes",
        Event::ItemSeen {
            item: item("q3", "M 3.1 - minor, near Baguio", Severity::Minor, 16.5, 120.6, Traffic::Real),
        },
    );
    at(
        "2026-11-24T03:00:03Z",
        "feed:usgs-quakes",
        raised(
            "A1",
            Severity::Severe,
            "M 6.1 - 20 km N of Baguio, Philippines",
            &["EDCA-PH", "HADR-CAGAYAN"],
            Traffic::Real,
        ),
    );
    at("2026-11-24T03:20:00Z", "attache", Event::AlertEscalated { alert: "A1".into() });
    at(
        "2026-11-24T03:25:00Z",
        "reyes",
        Event::AlertAcknowledged {
            alert: "A1".into(),
            operator: reyes(),
            note: Some("Calling AFP NOLCOM | *urgent*".into()),
        },
    );
    at(
        "2026-11-24T05:00:00Z",
        "reyes",
        Event::AlertResolved {
            alert: "A1".into(),
            operator: reyes(),
            reason: "No damage reported by AFP".into(),
        },
    );
    at(
        "2026-11-24T06:00:00Z",
        "feed:usgs-quakes",
        raised("A2", Severity::Critical, "Attack on UN convoy near Bangui", &["MINUSCA"], Traffic::Real),
    );
    at("2026-11-24T06:40:00Z", "attache", Event::AlertEscalated { alert: "A2".into() });
    at(
        "2026-11-24T07:00:00Z",
        "feed:usgs-quakes",
        Event::ItemSeen {
            item: item(
                "x1",
                "EXERCISE: simulated typhoon landfall, Zambales",
                Severity::Severe,
                15.3,
                120.0,
                Traffic::Exercise,
            ),
        },
    );
    at(
        "2026-11-24T07:00:01Z",
        "feed:usgs-quakes",
        raised(
            "A3",
            Severity::Severe,
            "EXERCISE: simulated typhoon landfall, Zambales",
            &["BALIKATAN-27"],
            Traffic::Exercise,
        ),
    );
    at(
        "2026-11-24T08:00:00Z",
        "reyes",
        Event::Note {
            operator: reyes(),
            text: "Handover: MINUSCA convoy incident open,\nawaiting OCHA update".into(),
            mission: None,
            alert: None,
            contact: None,
        },
    );
    at(
        "2026-11-24T09:00:00Z",
        "feed:usgs-quakes",
        Event::FeedFailed { feed: "usgs-quakes".into(), error: "HTTP 503 from earthquake.usgs.gov".into() },
    );
    at(
        "2026-11-24T09:02:00Z",
        "feed:usgs-quakes",
        Event::FeedFailed { feed: "usgs-quakes".into(), error: "HTTP 503 from earthquake.usgs.gov".into() },
    );
    at("2026-11-24T10:30:00Z", "feed:usgs-quakes", Event::FeedRecovered { feed: "usgs-quakes".into() });
    at(
        "2026-11-24T11:00:00Z",
        "reyes",
        Event::ContactCheckedIn {
            contact: "Cdr. Farah Qureshi".into(),
            operator: reyes(),
            channel: None,
            note: None,
        },
    );
    at(
        "2026-11-24T12:00:00Z",
        "feed:usgs-quakes",
        raised("A4", Severity::Moderate, "Protest at the KFOR gate, Pristina", &["KFOR"], Traffic::Real),
    );
    at(
        "2026-11-24T12:05:00Z",
        "reyes",
        Event::AlertAcknowledged { alert: "A4".into(), operator: reyes(), note: None },
    );
    let before = at(
        "2026-11-24T13:00:00Z",
        "feed:usgs-quakes",
        raised("A5", Severity::Minor, "Ship reported adrift off Luanda", &[], Traffic::Real),
    );
    // The sheet's sum is the record's word: a briefing shows what the record says.
    let handover = |to: &str, head: u64| Event::Handover {
        to: Some(to.into()),
        open_alerts: vec![attache::event::HandedAlert {
            id: "A4".into(),
            severity: Severity::Moderate,
            title: "Protest at the KFOR gate, Pristina".into(),
        }],
        open_rollcalls: vec![attache::event::HandedRollcall {
            id: "KFOR 2026-11-24T17:00Z".into(),
            unreached: vec!["Lt Col. Mirela Kovač".into()],
            overdue: true,
        }],
        overdue_contacts: vec!["Maj. Didier Ngaba".into(), "Capt. Kenji Morita".into()],
        feeds_down: vec![],
        head: attache::event::JournalHead { seq: head, sum: "5e".repeat(32) },
        sheet: "/desk/briefs/handover-20261124T180000Z.md".into(),
        signature: Some("/desk/briefs/handover-20261124T180000Z.md.sig".into()),
        copy: None,
    };
    at("2026-11-24T18:00:00Z", "reyes", handover("santos", before));
    at(
        "2026-11-24T23:00:00Z",
        "reyes",
        Event::Note {
            operator: "reyes".into(),
            text: "Typhoon \u{1b}[31mwatch\u{7} continues".into(),
            mission: Some("HADR-CAGAYAN".into()),
            alert: None,
            contact: None,
        },
    );
    at(
        "2026-11-24T23:10:00Z",
        "reyes",
        Event::MissionStatusChanged {
            mission: "MINUSCA".into(),
            status: MissionStatus::Active,
            note: Some("convoys resume | under *escort*".into()),
        },
    );
    at(
        "2026-11-24T23:20:00Z",
        "santos",
        Event::MissionStatusChanged {
            mission: "BALIKATAN-27".into(),
            status: MissionStatus::Closed,
            note: None,
        },
    );
    at("2026-11-24T23:59:30Z", "feed:usgs-quakes", polled("usgs-quakes"));
    // After the period.
    at(
        "2026-11-25T00:30:00Z",
        "reyes",
        Event::MissionStatusChanged {
            mission: "KFOR".into(),
            status: MissionStatus::Suspended,
            note: Some("after the period: must not show".into()),
        },
    );
    at(
        "2026-11-25T01:00:00Z",
        "reyes",
        Event::AlertResolved { alert: "A2".into(), operator: reyes(), reason: "after the period".into() },
    );
    at("2026-11-25T01:00:00Z", "santos", handover("after the period: must not show", 30));
    at(
        "2026-11-25T01:00:01Z",
        "reyes",
        Event::Note {
            operator: reyes(),
            text: "after the period: must not show".into(),
            mission: None,
            alert: None,
            contact: None,
        },
    );
}

/// The briefing of the period in `format` by the real binary, with `extra` arguments.
pub fn brief(dir: &Path, format: &str, extra: &[&str]) -> String {
    let mut cmd = Command::cargo_bin("attache").unwrap();
    cmd.env("LOGNAME", "reyes")
        .args(["--config", CONFIG, "--journal"])
        .arg(dir)
        .args([
            "brief",
            "--from",
            FROM,
            "--to",
            TO,
            "--generated-at",
            "2026-11-25T00:05:00Z",
            "--format",
            format,
        ])
        .args(extra);
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}
