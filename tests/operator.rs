//! Who wrote a record: the real user id's account, whatever the environment claims, run as a
//! real process.

use assert_cmd::Command;
use std::path::Path;

const CONFIG: &str = "config/attache.toml";

fn id(flag: &str) -> String {
    let out = std::process::Command::new("id").arg(flag).output().expect("id runs");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Runs `attache note` with `env` set (LOGNAME, USER and SUDO_USER removed first) and returns
/// the journaled note's `by` and `operator`.
fn note_as(journal: &Path, env: &[(&str, &str)]) -> (String, String) {
    let mut cmd = Command::cargo_bin("attache").unwrap();
    cmd.args(["--config", CONFIG, "--journal"]).arg(journal).args(["note", "who wrote this"]);
    for var in ["LOGNAME", "USER", "SUDO_USER"] {
        cmd.env_remove(var);
    }
    for (var, value) in env {
        cmd.env(var, value);
    }
    cmd.assert().success();
    let (records, problems) = attache::journal::read_all(journal).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let last = records.last().expect("the note was journaled");
    let attache::event::Event::Note { operator, .. } = &last.event else { panic!("{last:?}") };
    (last.by.clone(), operator.clone())
}

#[test]
fn the_journaled_operator_is_the_real_user_not_a_forged_logname() {
    let tmp = tempfile::tempdir().unwrap();
    let real = id("-un");
    let forged = [("LOGNAME", "col.reyes"), ("USER", "col.reyes")];
    let (by, operator) = note_as(tmp.path(), &forged);
    assert_eq!((by.as_str(), operator.as_str()), (real.as_str(), real.as_str()));
    // With neither variable set (cron, `env -i`), the same name.
    assert_eq!(note_as(tmp.path(), &[]), (real.clone(), real.clone()));
}

#[test]
fn under_sudo_both_the_account_and_who_ran_sudo_are_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let real = id("-un");
    let (by, _) = note_as(tmp.path(), &[("SUDO_USER", "reyes"), ("LOGNAME", "col.reyes")]);
    if id("-u") == "0" {
        assert_eq!(by, format!("{real} (sudo from reyes)"));
    } else {
        // SUDO_USER means nothing to an unprivileged process: anyone can set it.
        assert_eq!(by, real);
    }
}
