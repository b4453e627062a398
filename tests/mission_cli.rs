//! `attache mission` as a script meets it, as a real process over a real journal: a status
//! change is journaled with its status line and operator, an unknown mission is exit 2 and an
//! unknown status a usage error, nothing written for either; the record folds into the state
//! the console and briefings read.

use assert_cmd::Command;
use attache::domain::MissionStatus;
use attache::event::Event;
use std::path::Path;

const CONFIG: &str = "config/attache.toml";

fn attache(journal: &Path) -> Command {
    let mut cmd = Command::cargo_bin("attache").unwrap();
    cmd.env("LOGNAME", "reyes").args(["--config", CONFIG, "--journal"]).arg(journal);
    cmd
}

fn nothing_written(journal: &Path) -> bool {
    !journal.exists() || attache::journal::read_all(journal).unwrap().0.is_empty()
}

#[test]
fn a_status_change_is_durable_once_it_exits_0_and_folds_into_the_state() {
    let tmp = tempfile::tempdir().unwrap();
    let out = attache(tmp.path())
        .args(["mission", "KFOR", "--status", "suspended", "--note", "road\u{1b}[2J closed at Jarinje"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("mission KFOR suspended (#1) saved to "), "{stdout}");

    // Read back by another process's reader: on disk, checksummed and chained.
    let (records, problems) = attache::journal::read_all(tmp.path()).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let [record] = records.as_slice() else { panic!("one record: {records:?}") };
    assert_eq!(record.by, attache::operator::operator(), "the operator is the record's by");
    assert_eq!(
        record.event,
        Event::MissionStatusChanged {
            mission: "KFOR".into(),
            status: MissionStatus::Suspended,
            note: Some("road[2J closed at Jarinje".into()),
        },
        "the status line folded to one line as a note is"
    );
    let line = serde_json::to_string(record).unwrap();
    assert!(
        line.contains(r#""kind":"mission.status_changed","mission":"KFOR","status":"suspended""#),
        "{line}"
    );
    assert_eq!(attache::journal::verify::verify(tmp.path()).unwrap().problem_count, 0);

    let mut state = attache::state::DeskState::default();
    state.apply_all(&records);
    let mark = &state.missions()["KFOR"];
    assert_eq!(
        (mark.status, mark.line.as_deref(), mark.seq),
        (MissionStatus::Suspended, Some("road[2J closed at Jarinje"), 1)
    );

    // Every status; `concluded` is the desk file's older word for closed.
    for (word, status) in [
        ("planned", MissionStatus::Planned),
        ("active", MissionStatus::Active),
        ("closed", MissionStatus::Closed),
        ("concluded", MissionStatus::Closed),
    ] {
        attache(tmp.path()).args(["mission", "KFOR", "--status", word]).assert().success();
        let (records, _) = attache::journal::read_all(tmp.path()).unwrap();
        let Event::MissionStatusChanged { status: got, note, .. } = &records.last().unwrap().event else {
            panic!()
        };
        assert_eq!((*got, note), (status, &None), "{word}");
    }
}

#[test]
fn an_unknown_mission_is_exit_2_naming_the_known_ones_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    for id in ["NOPE", "kfor"] {
        let out = attache(&journal).args(["mission", id, "--status", "closed"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{id}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("no mission") && stderr.contains("HADR-CAGAYAN"), "{stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
    }
    assert!(nothing_written(&journal));
}

#[test]
fn an_unknown_or_missing_status_is_a_usage_error_naming_the_statuses() {
    let tmp = tempfile::tempdir().unwrap();
    let out = attache(tmp.path()).args(["mission", "KFOR", "--status", "paused"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("planned, active, suspended, closed"), "{stderr}");
    let out = attache(tmp.path()).args(["mission", "KFOR"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--status"));
    assert!(nothing_written(tmp.path()));
}

#[test]
fn contacts_are_named_by_id_or_exact_name_and_recorded_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    attache(tmp.path()).args(["checkin", "datt-manila"]).assert().success();
    attache(tmp.path()).args(["checkin", "Col. Ana Reyes"]).assert().success();
    attache(tmp.path()).args(["note", "--contact", "lno-kfor", "leave from Friday"]).assert().success();
    let (records, _) = attache::journal::read_all(tmp.path()).unwrap();
    let named: Vec<String> = records
        .iter()
        .map(|r| match &r.event {
            Event::ContactCheckedIn { contact, .. } => contact.clone(),
            Event::Note { contact: Some(contact), .. } => contact.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(named, ["Col. Ana Reyes", "Col. Ana Reyes", "Lt Col. Mirela Kovač"]);
    let out = attache(tmp.path()).args(["checkin", "datt-tokyo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("datt-manila (Col. Ana Reyes)"), "the known ones, by id and name: {stderr}");
}

#[test]
fn check_refuses_a_contact_id_used_twice_or_not_a_word_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["attache.toml", "missions.toml"] {
        std::fs::copy(Path::new("config").join(name), tmp.path().join(name)).unwrap();
    }
    let contacts = std::fs::read_to_string("config/contacts.toml").unwrap();
    let contacts = contacts
        .replace("id = \"navatt-tokyo\"", "id = \"datt-manila\"")
        .replace("id = \"lno-kfor\"", "id = \"lno kfor\"");
    std::fs::write(tmp.path().join("contacts.toml"), contacts).unwrap();
    let out = Command::cargo_bin("attache")
        .unwrap()
        .arg("--config")
        .arg(tmp.path().join("attache.toml"))
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("contact[2].id") && stderr.contains("`datt-manila` is already used by contact[0]"),
        "{stderr}"
    );
    assert!(stderr.contains("contact[3].id") && stderr.contains("`lno kfor` must be letters"), "{stderr}");
    assert!(stderr.contains("contacts.toml:"), "names the file and line: {stderr}");
}
