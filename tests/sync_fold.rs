//! Other desks' records folded by the one reducer: a followed desk's alert shows under its label
//! with who acknowledged it and where, its check-ins bring a shared contact up to date, and a
//! forged record is not folded. Built from a real origin journal's lines, as sync carries them.

use attache::domain::{Severity, Traffic};
use attache::event::{Event, Record};
use attache::journal::Writer;
use attache::state::{AlertState, DeskState};
use chrono::{Duration, Utc};

mod elsewhere;

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
/// appends.
fn envelopes(dir: &std::path::Path, from: u64) -> Vec<Event> {
    elsewhere::envelopes(dir, "pristina", from)
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

/// Pristina's configuration as loaded there (its missions), a status it set, a roll-call it runs
/// for one of them: a desk following it lists pristina's missions under its label after its
/// own, with that status and pristina's alerts for them; the detail says where it is worked,
/// and a configuration that drops the mission leaves only its last status.
#[test]
fn a_followed_desks_missions_show_under_its_label_with_their_status_alerts_and_roll_calls() {
    let tmp = tempfile::tempdir().unwrap();
    let mut events = pristina_envelopes(tmp.path());
    let dir = tmp.path().join("pristina");
    let config = attache::config::Config::load(std::path::Path::new("config/attache.toml")).unwrap();
    let mut snapshot = attache::config::ConfigSnapshot::of(&config);
    snapshot.missions.retain(|m| m.id == "KFOR");
    snapshot.missions[0].name = "Kosovo Force\x1b[2J liaison".into();
    let loaded = |snapshot: Option<attache::config::ConfigSnapshot>| Event::ConfigLoaded {
        path: "/etc/attache/attache.toml".into(),
        digest: if snapshot.is_some() { "one".into() } else { "two".into() },
        feeds: 0,
        missions: 1,
        contacts: 0,
        config: snapshot.map(Box::new),
    };
    let mut writer = Writer::open(&dir).unwrap();
    let at = Utc::now() - Duration::minutes(5);
    writer.append("attache", at, vec![loaded(Some(snapshot.clone()))]).unwrap();
    writer
        .append(
            "kovac",
            at,
            vec![
                Event::MissionStatusChanged {
                    mission: "KFOR".into(),
                    status: attache::domain::MissionStatus::Suspended,
                    note: Some("road to Mitrovica shut".into()),
                },
                Event::Note {
                    operator: "kovac".into(),
                    text: "convoy waits at Merdare".into(),
                    mission: Some("KFOR".into()),
                    alert: None,
                    contact: None,
                },
                Event::RollcallOpened {
                    rollcall: "RC2".into(),
                    contacts: vec!["Lt Col. Mirela Kovač".into()],
                    deadline: at + Duration::hours(1),
                    mission: Some("KFOR".into()),
                    alert: None,
                    reason: "road closure".into(),
                },
            ],
        )
        .unwrap();
    events.extend(envelopes(&dir, 4));
    let state = fold(events.clone());

    let other = state.others_missions().get("pristina/KFOR").expect("pristina's KFOR under its label");
    assert_eq!(other.desk, "pristina");
    assert_eq!(other.status(), Some(attache::domain::MissionStatus::Suspended));
    assert_eq!(other.mark.as_ref().unwrap().by, "kovac@pristina");
    assert_eq!(
        other.mission.as_ref().unwrap().name,
        "Kosovo Force[2J liaison",
        "no escape reaches the screen"
    );

    let rows = attache::console::rows::missions(&config, &state);
    let own = config.missions.len();
    assert_eq!(rows.len(), own + 1, "this desk's missions, then pristina's");
    let row = &rows[own];
    assert_eq!(row.key, attache::console::pane::RowKey::OtherMission("pristina/KFOR".into()));
    assert_eq!(row.cells[0], "SUS");
    assert_eq!(row.cells[1], "pristina/KFOR");
    assert!(row.cells[2].ends_with(" - road to Mitrovica shut"), "{:?}", row.cells);
    assert_eq!(row.cells[5], "1 SEVR", "pristina's open alert naming its KFOR: {:?}", row.cells);
    // This desk's own KFOR does not count pristina's alert.
    let kfor = rows.iter().find(|r| r.cells[1] == "KFOR").unwrap();
    assert_eq!(kfor.cells[5], "-");

    let detail =
        attache::console::detail::detail(&row.key, &config, &state, &Default::default(), &[], Utc::now())
            .unwrap();
    let text = detail.lines.join("\n");
    assert!(text.contains("Held at pristina: its status and roll-calls are set there"), "{text}");
    assert!(text.contains("Status set") && text.contains("by kovac@pristina (pristina #5)"), "{text}");
    assert!(text.contains("Roll-call at pristina: road closure"), "{text}");
    assert!(text.contains("Notes at pristina, the last day (1)"), "{text}");
    assert!(text.contains("kovac@pristina: convoy waits at Merdare"), "{text}");
    assert!(text.contains("Open alerts at pristina (1)") && text.contains("M 6.2 - Kosovo"), "{text}");

    // Pristina reloads without KFOR: the mission's definition goes, its last status stays.
    let mut writer = Writer::open(&dir).unwrap();
    let mut without = snapshot;
    without.missions.clear();
    writer.append("attache", Utc::now(), vec![loaded(Some(without))]).unwrap();
    events.extend(envelopes(&dir, 8));
    let state = fold(events);
    let other = &state.others_missions()["pristina/KFOR"];
    assert!(other.mission.is_none());
    assert_eq!(other.status(), Some(attache::domain::MissionStatus::Suspended));
}

/// At the console, keys that work a mission say that pristina's is worked there; a note may be
/// tied to it here.
#[test]
fn the_console_leaves_working_another_desks_mission_to_that_desk_and_ties_notes_to_it() {
    use attache::console::{NoteAbout, Overlay, PromptPurpose};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pristina");
    let config = attache::config::Config::load(std::path::Path::new("config/attache.toml")).unwrap();
    let mut writer = Writer::open(&dir).unwrap();
    let loaded = Event::ConfigLoaded {
        path: "attache.toml".into(),
        digest: "one".into(),
        feeds: 0,
        missions: 1,
        contacts: 0,
        config: Some(Box::new(attache::config::ConfigSnapshot::of(&config))),
    };
    writer.append("attache", Utc::now(), vec![loaded]).unwrap();
    let mut app = attache::console::App::new(config.clone(), "reyes".into(), Utc::now());
    let records = envelopes(&dir, 1)
        .into_iter()
        .enumerate()
        .map(|(n, event)| Record { seq: n as u64 + 1, ts: Utc::now(), by: "sync".into(), event })
        .collect();
    app.apply(records);
    let press = |app: &mut attache::console::App, code: KeyCode| {
        app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
    };
    // The last row: pristina's last mission by id.
    press(&mut app, KeyCode::End);
    let key = app.pane(attache::console::pane::Pane::Missions).selected_row().unwrap().key.clone();
    let attache::console::pane::RowKey::OtherMission(id) = key else { panic!("{key:?}") };
    assert!(id.starts_with("pristina/"), "{id}");
    for code in [KeyCode::Char('m'), KeyCode::Char('R')] {
        app.flash = None;
        press(&mut app, code);
        let flash = app.flash.clone().unwrap_or_default();
        assert!(
            flash.contains("is desk pristina's mission: its status and roll-calls are set there"),
            "{flash}"
        );
        assert!(matches!(app.overlay, Overlay::None), "no prompt opened");
    }
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay, Overlay::Detail { .. }));
    app.flash = None;
    press(&mut app, KeyCode::Char('m'));
    assert!(app.flash.clone().unwrap_or_default().contains("is desk pristina's mission"));
    press(&mut app, KeyCode::Char('n'));
    match &app.overlay {
        Overlay::Prompt { purpose, .. } => assert_eq!(purpose, &PromptPurpose::Note(NoteAbout::Mission(id))),
        _ => panic!("n in pristina's mission's detail opens no note prompt"),
    }
}

/// A desk that shares its configuration journals the snapshot at every start, even when the
/// record already holds it: an upgraded desk's earlier snapshot was never shared, and the
/// stream's limits may have let the first go. A desk that does not share it does not.
#[test]
fn a_desk_sharing_its_configuration_journals_the_snapshot_at_each_start() {
    let tmp = tempfile::tempdir().unwrap();
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(std::path::Path::new("config").join(file), tmp.path().join(file)).unwrap();
    }
    let head = "[desk]\nname = \"Manila\"\ntz = \"UTC\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n";
    let sync = "\n[sync]\nservers = [\"nats://127.0.0.1:1\"]\ndesk = \"manila\"\nfollow = [\"pristina\"]\n";
    let load = |name: &str, text: String| {
        std::fs::write(tmp.path().join(name), text).unwrap();
        attache::config::Config::load(&tmp.path().join(name)).unwrap()
    };
    let sharing = load("sharing.toml", format!("{head}{sync}"));
    let not_sharing = load("alone.toml", format!("{head}{sync}share = [\"alerts\", \"notes\"]\n"));
    for config in [&sharing, &not_sharing] {
        let mut state = DeskState::default();
        assert!(attache::reload::record_lacks(&state, config), "nothing recorded yet");
        let loaded = attache::reload::loaded_event(config, true);
        state.apply(&Record { seq: 1, ts: Utc::now(), by: "reyes".into(), event: loaded });
        let again = attache::reload::record_lacks(&state, config);
        assert_eq!(again, std::ptr::eq(config, &sharing), "{}", config.path.display());
    }
}

/// A followed desk's handover is kept as that desk's own state keeps its last one, who handed
/// over and to whom under its label, for a day after it arrived; this desk's own last handover
/// is not touched by it.
#[test]
fn a_followed_desks_handover_is_kept_a_day_under_its_label() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("pristina");
    let mut writer = Writer::open(&dir).unwrap();
    let handover = Event::Handover {
        to: Some("ortiz\u{1b}[2J".into()),
        open_alerts: vec![],
        open_rollcalls: vec![],
        overdue_contacts: vec!["Lt Col. Mirela Kovač".into()],
        feeds_down: vec!["usgs".into(), "gdacs".into()],
        head: attache::event::JournalHead { seq: 41, sum: "0".repeat(64) },
        sheet: "handover.md".into(),
        signature: None,
        copy: None,
    };
    writer.append("kovac", Utc::now() - Duration::hours(2), vec![handover]).unwrap();
    let received = Utc::now();
    let mut state = DeskState::default();
    for (n, event) in envelopes(&dir, 1).into_iter().enumerate() {
        state.apply(&Record { seq: n as u64 + 1, ts: received, by: "sync".into(), event });
    }

    let [theirs] = state.others_handovers() else { panic!("{:?}", state.others_handovers()) };
    assert_eq!((theirs.desk.as_str(), theirs.received), ("pristina", received));
    let mark = &theirs.mark;
    assert_eq!((mark.seq, mark.by.as_str(), mark.to.as_deref()), (1, "kovac@pristina", Some("ortiz[2J")));
    assert_eq!((mark.head_seq, mark.overdue_contacts, mark.feeds_down), (41, 1, 2));
    assert!(state.last_handover().is_none(), "this watch handed nothing over");

    // A record a day and more after it arrived lets it go, as the day's notes are.
    let later = Record {
        seq: 2,
        ts: received + Duration::hours(25),
        by: "reyes".into(),
        event: elsewhere::config_loaded(&["KFOR"]),
    };
    state.apply(&later);
    assert!(state.others_handovers().is_empty());
}

/// A desk this one stops following (`sync.following` without it) leaves the screen: its alerts,
/// missions and check-ins, with what other desks brought staying. Following every desk keeps all.
#[test]
fn a_desk_no_longer_followed_leaves_the_screen() {
    let tmp = tempfile::tempdir().unwrap();
    let mut events = pristina_envelopes(tmp.path());
    let mut pristina = Writer::open(&tmp.path().join("pristina")).unwrap();
    pristina.append("attache", Utc::now(), vec![elsewhere::config_loaded(&["KFOR"])]).unwrap();
    events.extend(envelopes(&tmp.path().join("pristina"), 4));
    let following =
        |desks: &[&str]| Event::SyncFollowing { follow: desks.iter().map(|d| d.to_string()).collect() };

    let mut all = events.clone();
    all.push(following(&["*"]));
    let state = fold(all);
    assert_eq!(state.alerts().len(), 1);
    assert_eq!(state.others_missions().len(), 1, "{:?}", state.others_missions());
    assert_eq!(state.following(), Some(&["*".to_string()][..]));

    let raised = events[0].clone();
    events.push(following(&["hq"]));
    // A `sync run` still running with the old `follow` appends pristina's records: not folded.
    events.push(raised);
    let state = fold(events);
    assert!(state.alerts().is_empty(), "{:?}", state.alerts());
    assert!(state.others_missions().is_empty(), "{:?}", state.others_missions());
    assert_eq!(state.log()[0].text, "following desks hq");
    // What a desk's check-in told of a contact both desks list stays: it is this desk's record now.
    assert!(state.check_ins().contains_key("Lt Col. Mirela Kovač"));
}
