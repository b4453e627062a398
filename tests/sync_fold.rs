//! Other desks' records folded by the one reducer: a followed desk's alert shows under its label
//! with who acknowledged it and where, its check-ins bring a shared contact up to date, and a
//! forged record is not folded. Built from a real origin journal's lines, as sync carries them.

use attache::domain::{Severity, Traffic};
use attache::event::{Event, Record};
use attache::journal::Writer;
use attache::journal::format::{GENESIS, to_hex};
use attache::state::{AlertState, DeskState};
use chrono::{Duration, Utc};

/// Pristina's journal: an alert raised, acknowledged by an operator there, a check-in; returned
/// as the `remote` records a desk following pristina appends.
fn pristina_envelopes(root: &std::path::Path) -> Vec<Event> {
    let dir = root.join("pristina");
    let mut writer = Writer::open(&dir).unwrap();
    let at = Utc::now() - Duration::minutes(10);
    writer
        .append(
            "attache",
            at,
            vec![Event::AlertRaised {
                alert: "quakes|usgs|us7".into(),
                rule: "quakes".into(),
                feed: "usgs".into(),
                item: "us7".into(),
                severity: Severity::Severe,
                title: "M 6.2 - Kosovo".into(),
                missions: vec!["KFOR".into()],
                traffic: Traffic::Real,
            }],
        )
        .unwrap();
    writer
        .append(
            "kovac",
            at + Duration::minutes(1),
            vec![
                Event::AlertAcknowledged {
                    alert: "quakes|usgs|us7".into(),
                    operator: "kovac".into(),
                    note: None,
                },
                Event::ContactCheckedIn {
                    contact: "Lt Col. Mirela Kovač".into(),
                    operator: "kovac".into(),
                    channel: None,
                    note: None,
                },
            ],
        )
        .unwrap();
    envelopes(&dir, 1)
}

/// Pristina's records from its record `from` on, as the `remote` records a desk following it
/// appends, each linked to the one before.
fn envelopes(dir: &std::path::Path, from: u64) -> Vec<Event> {
    let mut follower = attache::journal::Follower::from_seq(dir, from).unwrap();
    let mut after = (0, GENESIS);
    let mut events = Vec::new();
    follower
        .poll_lines(|raw, _| {
            events.push(Event::Remote {
                desk: "pristina".into(),
                record: String::from_utf8(raw.bytes.to_vec()).unwrap(),
                after_seq: after.0,
                after_sum: to_hex(&after.1),
                stream_seq: None,
            });
            after = (raw.seq, attache::journal::format::trailer(raw.bytes).unwrap().1);
            true
        })
        .unwrap();
    events
}

fn fold(events: Vec<Event>) -> DeskState {
    let mut state = DeskState::default();
    for (n, event) in events.into_iter().enumerate() {
        state.apply(&Record { seq: n as u64 + 1, ts: Utc::now(), by: "sync".into(), event });
    }
    state
}

#[test]
fn a_followed_desks_alert_shows_under_its_label_with_who_acknowledged_it_where() {
    let tmp = tempfile::tempdir().unwrap();
    let state = fold(pristina_envelopes(tmp.path()));
    let alert = state.alerts().get("pristina/quakes|usgs|us7").expect("the alert under pristina's label");
    assert_eq!(alert.desk.as_deref(), Some("pristina"));
    assert_eq!(alert.state, AlertState::Acknowledged);
    assert_eq!(alert.acknowledged.as_ref().unwrap().by, "kovac@pristina");
    assert_eq!(alert.feed, "pristina/usgs");
    assert!(state.check_ins().contains_key("Lt Col. Mirela Kovač"));
    assert_eq!(state.alerts().len(), 1);
    // The Event log says whose record it is.
    assert!(state.log().iter().any(|l| l.text.starts_with("[pristina #2] ")), "{:?}", state.log());
}

#[test]
fn a_forged_remote_record_is_not_folded() {
    let tmp = tempfile::tempdir().unwrap();
    let mut events = pristina_envelopes(tmp.path());
    if let Event::Remote { record, .. } = &mut events[0] {
        *record = record.replace("M 6.2 - Kosovo", "M 2.0 - Kosovo");
    }
    let state = fold(events);
    assert!(state.alerts().is_empty(), "{:?}", state.alerts());
}

#[test]
fn the_console_leaves_acting_on_another_desks_alert_to_that_desk() {
    let tmp = tempfile::tempdir().unwrap();
    let config = attache::config::Config::load(std::path::Path::new("config/attache.toml")).unwrap();
    let mut app = attache::console::App::new(config, "reyes".into(), Utc::now());
    let records = pristina_envelopes(tmp.path())
        .into_iter()
        .enumerate()
        .map(|(n, event)| Record { seq: n as u64 + 1, ts: Utc::now(), by: "sync".into(), event })
        .collect();
    app.apply(records);
    let rows = &app.pane(attache::console::pane::Pane::Alerts).rows;
    assert!(rows[0].cells.last().unwrap().starts_with("[pristina] M 6.2 - Kosovo"), "{rows:?}");
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    app.handle_key(&KeyEvent::new(KeyCode::Char('3'), KeyModifiers::NONE));
    let effect = app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::NONE));
    assert!(effect.is_none());
    let flash = app.flash.clone().unwrap_or_default();
    assert!(flash.contains("is desk pristina's alert: it is acted on at that desk"), "{flash}");
    // `R` does not open a roll-call of this desk for it, nor the latest of this desk's.
    app.handle_key(&KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT));
    let flash = app.flash.clone().unwrap_or_default();
    assert!(flash.contains("roll-calls for desk pristina's alert are run at that desk"), "{flash}");
}

#[test]
fn another_desks_open_alert_is_not_handed_over_as_this_watchs_work() {
    let tmp = tempfile::tempdir().unwrap();
    let state = fold(pristina_envelopes(tmp.path()));
    assert_eq!(state.open_alerts().count(), 1);
    let config = attache::config::Config::load(std::path::Path::new("config/attache.toml")).unwrap();
    let matters = attache::handover::matters::open_at(&state, &config, Utc::now());
    assert!(matters.open_alerts.is_empty(), "{:?}", matters.open_alerts);
}

/// A subject token that is not a desk id (a `/` that would make `a/b` + `x` and `a` + `b/x` the
/// same alert id, or control characters) is not folded, even if a journal holds one.
#[test]
fn a_remote_record_under_a_name_that_is_no_desk_id_is_not_folded() {
    for name in ["a/b", "pri\u{1b}]0;owned\u{7}stina", "Pristina"] {
        let tmp = tempfile::tempdir().unwrap();
        let mut events = pristina_envelopes(tmp.path());
        for event in &mut events {
            if let Event::Remote { desk, .. } = event {
                *desk = name.into();
            }
        }
        let state = fold(events);
        assert!(state.alerts().is_empty(), "{name:?}: {:?}", state.alerts());
    }
}

/// Pristina runs a roll-call for its alert: at a desk following it, the roll-call is kept apart
/// from the desk's own (no tick here makes it overdue, no key here answers it) and shows in that
/// alert's detail with who answered and who took it, where.
#[test]
fn a_followed_desks_roll_call_shows_in_its_alerts_detail_and_is_not_this_desks() {
    let tmp = tempfile::tempdir().unwrap();
    let mut events = pristina_envelopes(tmp.path());
    let dir = tmp.path().join("pristina");
    let mut writer = Writer::open(&dir).unwrap();
    let at = Utc::now() - Duration::minutes(5);
    writer
        .append(
            "kovac",
            at,
            vec![Event::RollcallOpened {
                rollcall: "RC1".into(),
                contacts: vec!["Lt Col. Mirela Kovač".into(), "Maj. Didier Ngaba".into()],
                deadline: at - Duration::minutes(1),
                mission: None,
                alert: Some("quakes|usgs|us7".into()),
                reason: "M6.2 near the post".into(),
            }],
        )
        .unwrap();
    writer
        .append(
            "kovac",
            at + Duration::seconds(30),
            vec![Event::RollcallAnswered {
                rollcall: "RC1".into(),
                contact: "Lt Col. Mirela Kovač".into(),
                answer: attache::domain::Answer::Safe,
                note: Some("at Film City".into()),
            }],
        )
        .unwrap();
    events.extend(envelopes(&dir, 4));
    let state = fold(events);
    assert!(state.rollcalls().is_empty(), "not this desk's roll-call");
    assert!(attache::state::rollcall::overdue(state.rollcalls(), Utc::now()).is_empty());
    let call = state.others_rollcalls().get("pristina/RC1").expect("pristina's roll-call under its label");
    assert_eq!(call.alert.as_deref(), Some("pristina/quakes|usgs|us7"));
    assert_eq!(call.opened_by, "kovac@pristina");
    assert_eq!(call.answers["Lt Col. Mirela Kovač"].by, "kovac@pristina");

    let config = attache::config::Config::load(std::path::Path::new("config/attache.toml")).unwrap();
    let key = attache::console::pane::RowKey::Alert("pristina/quakes|usgs|us7".into());
    let detail =
        attache::console::detail::detail(&key, &config, &state, &Default::default(), &[], Utc::now())
            .unwrap();
    let text = detail.lines.join("\n");
    assert!(text.contains("Roll-call at pristina: M6.2 near the post"), "{text}");
    assert!(text.contains("OVERDUE"), "{text}");
    assert!(text.contains("Contacts: 1 of 2 reached"), "{text}");
    assert!(text.contains("taken by kovac@pristina") && text.contains("at Film City"), "{text}");
}

/// Another desk's alert names that desk's missions: a mission here with the same id does not
/// count it as its own open alert.
#[test]
fn another_desks_alert_is_not_counted_against_this_desks_mission_of_the_same_id() {
    let tmp = tempfile::tempdir().unwrap();
    let state = fold(pristina_envelopes(tmp.path()));
    let config = attache::config::Config::load(std::path::Path::new("config/attache.toml")).unwrap();
    let key = attache::console::pane::RowKey::Mission("KFOR".into());
    let detail =
        attache::console::detail::detail(&key, &config, &state, &Default::default(), &[], Utc::now())
            .unwrap();
    let text = detail.lines.join("\n");
    assert!(text.contains("Open alerts (0)"), "{text}");
    let alert = attache::console::pane::RowKey::Alert("pristina/quakes|usgs|us7".into());
    let detail =
        attache::console::detail::detail(&alert, &config, &state, &Default::default(), &[], Utc::now())
            .unwrap();
    assert!(detail.lines.iter().any(|l| l == "Item: held at pristina"), "{:?}", detail.lines);
}
