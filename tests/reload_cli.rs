//! `attache reload` as a script meets it: exit 0 once the configuration is journaled with its
//! snapshot; exit 1, its problems on stderr and nothing journaled, when it does not check out.

mod tmux_support;

use assert_cmd::Command;
use std::path::Path;

fn journal_lines(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut lines = Vec::new();
    for path in entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "jsonl")) {
        lines.extend(std::fs::read_to_string(path).unwrap().lines().map(String::from));
    }
    lines
}

#[test]
fn reload_exits_0_when_taken_and_1_when_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("config");
    tmux_support::copy_dir(Path::new("config"), &desk);
    let journal = tmp.path().join("journal");
    let reload = || {
        Command::cargo_bin("attache")
            .unwrap()
            .current_dir(tmp.path())
            .args(["--config", "config/attache.toml"])
            .arg("--journal")
            .arg(&journal)
            .arg("reload")
            .output()
            .unwrap()
    };

    let taken = reload();
    assert_eq!(taken.status.code(), Some(0), "{}", String::from_utf8_lossy(&taken.stderr));
    let lines = journal_lines(&journal);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let record: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(record["kind"], "config.loaded");
    // Whole, so that the console that polls, in another directory, reads the same file for the
    // feeds' secrets.
    let recorded = record["path"].as_str().unwrap();
    assert_eq!(Path::new(recorded), desk.join("attache.toml").canonicalize().unwrap(), "{record}");
    let missions = record["config"]["missions"].as_array().expect("the snapshot's missions");
    assert!(missions.iter().any(|m| m["id"] == "EDCA-PH"), "{record}");
    assert_eq!(record["config"]["desk"]["name"], "Manila DAO watch");

    // A contact naming a mission the missions file does not have: `check` refuses it.
    let contacts = std::fs::read_to_string(desk.join("contacts.toml")).unwrap();
    std::fs::write(
        desk.join("contacts.toml"),
        contacts.replacen("missions = [\"", "missions = [\"NO-SUCH-", 1),
    )
    .unwrap();
    let refused = reload();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("contacts.toml") && stderr.contains("reload refused"), "{stderr}");
    assert_eq!(journal_lines(&journal).len(), 1, "a refused reload journaled something");
}
