//! The desk's keys on missions, end to end in a real terminal: the built binary on a copy of
//! the demo desk in tmux; `m` sets a mission's status from the Missions pane and from its
//! detail, `c` in the detail checks in with one of its contacts and `n` writes a note tied to
//! the mission; the screen shows each at once and the journal holds it. A followed desk's
//! missions, arriving in the journal as another process appends them, show under its label;
//! `m` on one says which desk works it, and `n` in its detail writes a note of this desk's.

mod elsewhere;
mod tmux_support;

use tmux_support::Tmux;
use tmux_support::demo::{DemoConsole as Console, line};

/// Selects KFOR on the Missions pane: filtered to it, then the match selected.
fn select_kfor(tmux: &Tmux) {
    tmux.keys(&["/"]);
    tmux.wait_for("the filter prompt", |s| s.contains("Filter (Enter keeps"));
    tmux.keys(&["-l", "KFOR"]);
    tmux.keys(&["C-n"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("KFOR matched and selected", |s| s.contains("match 1 of 1") || s.contains("KFOR"));
}

#[test]
fn m_sets_a_missions_status_from_the_pane_and_from_its_detail() {
    let console = Console::start("mission-status");
    let tmux = &console.tmux;
    select_kfor(&console.tmux);
    tmux.keys(&["m"]);
    tmux.wait_for("the status prompt on KFOR's status", |s| {
        s.contains("Mission status") && s.contains("KFOR  planned [active] suspended closed")
    });
    tmux.keys(&["Down"]);
    tmux.wait_for("suspended picked", |s| s.contains("[suspended]"));
    tmux.keys(&["-l", "road closed at Jarinje"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the row suspended with its line, and the status bar saying so", |s| {
        let row = line(s, "KFOR ");
        row.contains("SUS") && row.contains("road closed") && s.contains("mission KFOR suspended (#")
    });
    assert!(screen.contains("matches no rule from now on"), "{screen}");
    let records = console.records("mission.status_changed");
    let [record] = records.as_slice() else { panic!("one status change: {records:?}") };
    assert_eq!((&record["mission"], &record["status"]), (&"KFOR".into(), &"suspended".into()));
    assert_eq!(record["note"], "road closed at Jarinje");

    // From the detail: it opens on the status the record gives, and comes back after.
    tmux.keys(&["Enter"]);
    tmux.wait_for("KFOR's detail, suspended", |s| {
        s.contains("Mission KFOR")
            && s.contains("Status: suspended")
            && s.contains(": road closed at Jarinje")
    });
    tmux.keys(&["m"]);
    tmux.wait_for("the prompt on suspended", |s| s.contains("[suspended]"));
    tmux.keys(&["Up"]);
    tmux.wait_for("active picked", |s| s.contains("[active]"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the detail again, active", |s| {
        s.contains("Mission KFOR") && s.contains("Status: active") && s.contains("mission KFOR active (#")
    });
    let records = console.records("mission.status_changed");
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[1]["status"], "active");
    assert!(records[1].get("note").is_none(), "no line typed, none written: {}", records[1]);
}

#[test]
fn c_and_n_in_a_missions_detail_check_in_with_the_contact_chosen_and_note_the_mission() {
    let console = Console::start("mission-checkin");
    let tmux = &console.tmux;
    select_kfor(&console.tmux);
    tmux.keys(&["Enter"]);
    // Kovač is KFOR's one contact, and the demo's script never reaches her.
    tmux.wait_for("KFOR's detail with Kovač chosen and overdue", |s| {
        let kovac = line(s, "Mirela Kovač - LNO");
        s.contains("Tab chooses, c checks in") && kovac.contains("> Lt Col.") && kovac.contains("OVERDUE")
    });
    tmux.keys(&["c"]);
    tmux.wait_for("the check-in prompt naming her", |s| {
        s.contains("Check in") && s.contains("Kovač  by [phone]")
    });
    tmux.keys(&["-l", "patrols normal"]);
    tmux.keys(&["Enter"]);
    // One condition for the whole screen: a capture can fall between two writes of a frame.
    tmux.wait_for("back in the detail, her line due again and the status bar saying so", |s| {
        // A week from the record, less the seconds the console's clock has moved on since.
        let kovac = line(s, "Mirela Kovač - LNO");
        s.contains("Mission KFOR")
            && (kovac.contains("check-in due in 7d") || kovac.contains("check-in due in 6d23h"))
            && s.contains("checked in with Lt Col. Mirela Kovač (#")
    });
    let records = console.records("contact.checked_in");
    let mine: Vec<_> = records.iter().filter(|r| r["note"] == "patrols normal").collect();
    assert_eq!(mine.len(), 1, "{records:?}");
    assert_eq!((&mine[0]["contact"], &mine[0]["channel"]), (&"Lt Col. Mirela Kovač".into(), &"phone".into()));

    // n in the detail: a note tied to KFOR, at the head of its notes once saved.
    tmux.keys(&["n"]);
    tmux.wait_for("the note prompt about KFOR", |s| {
        s.contains("Operator note") && s.contains("about mission KFOR")
    });
    tmux.keys(&["-l", "gate 1 reopened"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the detail listing the note", |s| {
        s.contains("Mission KFOR") && s.contains("Notes (1)") && s.contains(": gate 1 reopened")
    });
    let notes = console.records("note");
    let tied: Vec<_> = notes.iter().filter(|r| r["text"] == "gate 1 reopened").collect();
    assert_eq!(tied.len(), 1, "{notes:?}");
    assert_eq!(tied[0]["mission"], "KFOR");
}

/// Pristina's records as sync appends them (`remote`, each pristina's line byte for byte): its
/// configuration with KFOR, then KFOR suspended there.
fn pristina_envelopes() -> Vec<attache::event::Event> {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = attache::journal::Writer::open(dir.path()).unwrap();
    let suspended = attache::event::Event::MissionStatusChanged {
        mission: "KFOR".into(),
        status: attache::domain::MissionStatus::Suspended,
        note: Some("Gazimestan road shut".into()),
    };
    writer.append("kovac", chrono::Utc::now(), vec![elsewhere::config_loaded(&["KFOR"]), suspended]).unwrap();
    elsewhere::envelopes(dir.path(), "pristina", 1)
}

#[test]
fn a_followed_desks_mission_shows_under_its_label_and_is_worked_there() {
    let console = Console::start("mission-elsewhere");
    let tmux = &console.tmux;
    let mut writer = attache::journal::Writer::open(&console.journal).unwrap();
    writer.append("sync", chrono::Utc::now(), pristina_envelopes()).unwrap();
    drop(writer);
    // Its name and status line are cut at this width; the detail shows them.
    tmux.wait_for("pristina's KFOR under its label, suspended", |s| line(s, "pristina/KFOR").contains("SUS"));
    tmux.keys(&["/"]);
    tmux.wait_for("the filter prompt", |s| s.contains("Filter (Enter keeps"));
    tmux.keys(&["-l", "pristina/KFOR"]);
    tmux.keys(&["C-n"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("pristina's KFOR selected", |s| {
        s.contains("match 1 of 1") || line(s, "pristina/KFOR").contains("SUS")
    });
    tmux.keys(&["m"]);
    tmux.wait_for("m says pristina works it", |s| s.contains("is desk pristina's mission"));
    assert!(console.records("mission.status_changed").is_empty(), "nothing journaled here");
    tmux.keys(&["Enter"]);
    tmux.wait_for("its detail, held at pristina", |s| {
        s.contains("Mission pristina/KFOR")
            && s.contains("Held at pristina")
            && s.contains("by kovac@pristina")
            && s.contains("Gazimestan road shut")
    });
    tmux.keys(&["n"]);
    tmux.wait_for("the note prompt about pristina's KFOR", |s| s.contains("about mission pristina/KFOR"));
    tmux.keys(&["-l", "called pristina about the road"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the detail listing this desk's note", |s| {
        s.contains("Notes here (1)") && s.contains(": called pristina about the road")
    });
    let notes = console.records("note");
    let tied: Vec<_> = notes.iter().filter(|r| r["text"] == "called pristina about the road").collect();
    assert_eq!(tied.len(), 1, "{notes:?}");
    assert_eq!(tied[0]["mission"], "pristina/KFOR");
}
