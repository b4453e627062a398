//! `attache checkin` as a script meets it, as a real process over a real journal: a check-in
//! is journaled with its channel and note, an unknown contact or channel is refused with exit 2
//! and nothing written.

use assert_cmd::Command;
use attache::event::Event;
use std::path::Path;

const CONFIG: &str = "config/attache.toml";

fn attache(journal: &Path) -> Command {
    let mut cmd = Command::cargo_bin("attache").unwrap();
    cmd.args(["--config", CONFIG, "--journal"]).arg(journal);
    cmd
}

#[test]
fn a_check_in_is_journaled_with_its_channel_and_note_and_says_when_the_next_is_due() {
    let tmp = tempfile::tempdir().unwrap();
    let out = attache(tmp.path())
        .args([
            "checkin",
            "Col. Ana Reyes",
            "--channel",
            "secure-voice",
            "--note",
            "all well\u{1b}[2J at post",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("check-in #1 with Col. Ana Reyes") && stdout.contains("next due"), "{stdout}");
    let (records, problems) = attache::journal::read_all(tmp.path()).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let [record] = records.as_slice() else { panic!("one record: {records:?}") };
    let Event::ContactCheckedIn { contact, channel, note, operator } = &record.event else {
        panic!("{record:?}")
    };
    assert_eq!(contact, "Col. Ana Reyes");
    assert_eq!(channel.as_deref(), Some("secure voice"));
    assert_eq!(note.as_deref(), Some("all well[2J at post"), "folded as a note is");
    assert_eq!(operator, &record.by);
}

#[test]
fn a_check_in_without_channel_or_note_writes_neither_field() {
    let tmp = tempfile::tempdir().unwrap();
    attache(tmp.path()).args(["checkin", "Capt. Kenji Morita"]).assert().success();
    let (records, _) = attache::journal::read_all(tmp.path()).unwrap();
    let line = serde_json::to_string(&records[0]).unwrap();
    assert!(!line.contains("channel") && !line.contains("note"), "{line}");
}

#[test]
fn an_unknown_contact_is_exit_2_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    // Names are exact: another case is another name.
    for name in ["Col. Nobody", "col. ana reyes"] {
        let out = attache(&journal).args(["checkin", name]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("no contact") && stderr.contains("Col. Ana Reyes"), "{stderr}");
    }
    assert!(!journal.exists() || attache::journal::read_all(&journal).unwrap().0.is_empty());
}

#[test]
fn an_unknown_channel_is_a_usage_error_naming_the_channels() {
    let tmp = tempfile::tempdir().unwrap();
    let out =
        attache(tmp.path()).args(["checkin", "Col. Ana Reyes", "--channel", "pigeon"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("secure voice") && stderr.contains("in person"), "{stderr}");
    assert!(attache::journal::read_all(tmp.path()).map(|(r, _)| r.is_empty()).unwrap_or(true));
}

#[test]
fn a_note_is_tied_to_a_mission_and_an_unknown_mission_or_contact_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    attache(tmp.path()).args(["note", "--mission", "KFOR", "gate reopened"]).assert().success();
    for (flag, id) in [("--mission", "NOPE"), ("--contact", "Col. Nobody")] {
        let out = attache(tmp.path()).args(["note", flag, id, "x"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {id}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was written"));
    }
    let (records, _) = attache::journal::read_all(tmp.path()).unwrap();
    let [record] = records.as_slice() else { panic!("one record: {records:?}") };
    let Event::Note { mission, alert, contact, text, .. } = &record.event else { panic!("{record:?}") };
    assert_eq!(
        (mission.as_deref(), alert, contact, text.as_str()),
        (Some("KFOR"), &None, &None, "gate reopened")
    );
}
