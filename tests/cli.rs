//! The command line as a user or a script meets it: no terminal, relative times, unknown kinds,
//! hostile note text and a missing configuration, each run as a real process.

use assert_cmd::Command;
use attache::cli::{Cli, Command as Sub, JournalCommand};
use attache::event::Event;
use attache::journal::Writer;
use clap::Parser as _;
use std::path::{Path, PathBuf};

const CONFIG: &str = "config/attache.toml";

/// attache with the demo desk and `journal`, stdin null and stdout piped (no terminal at all).
fn attache(journal: &Path) -> Command {
    let mut cmd = Command::cargo_bin("attache").unwrap();
    cmd.args(["--config", CONFIG, "--journal"]).arg(journal);
    cmd
}

/// A journal with a note an hour ago and one now.
fn journal_with_notes(dir: &Path) {
    let mut writer = Writer::open(dir).unwrap();
    let now = chrono::Utc::now();
    for (ts, text) in [(now - chrono::Duration::hours(1)), now].into_iter().zip(["an hour ago", "just now"]) {
        writer
            .append(
                "reyes",
                ts,
                vec![Event::Note {
                    operator: "reyes".into(),
                    text: text.into(),
                    mission: None,
                    alert: None,
                    contact: None,
                }],
            )
            .unwrap();
    }
}

fn segments_text(dir: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(dir) else { return String::new() };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// Stdout empty, stderr one sentence naming the terminal, exit 2, no panic.
fn assert_refused_for_want_of_a_terminal(out: &std::process::Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "exit status; stderr:\n{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing may reach the terminal: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
    assert!(stderr.contains("terminal"), "{stderr}");
}

#[test]
fn watch_without_a_terminal_refuses_and_leaves_the_journal_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    // As `attache watch </dev/null` in a script.
    let out = attache(&journal).arg("watch").env("RUST_BACKTRACE", "1").output().unwrap();
    assert_refused_for_want_of_a_terminal(&out);
    // As `ssh host attache` without -t: stdin and stdout are pipes; no command means watch.
    let out = attache(&journal).env("RUST_BACKTRACE", "1").write_stdin("typed ahead\n").output().unwrap();
    assert_refused_for_want_of_a_terminal(&out);
    let text = segments_text(&journal);
    assert!(!text.contains("session.started"), "a session was started without a terminal:\n{text}");
}

#[test]
fn replay_without_a_terminal_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    journal_with_notes(tmp.path());
    let before = segments_text(tmp.path());
    let out = attache(tmp.path()).arg("replay").env("RUST_BACKTRACE", "1").output().unwrap();
    assert_refused_for_want_of_a_terminal(&out);
    assert_eq!(segments_text(tmp.path()), before);
}

#[test]
fn relative_times_are_taken_with_a_space_as_the_readme_writes_them() {
    let parse = |args: &[&str]| {
        Cli::try_parse_from(std::iter::once("attache").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
            .command
            .unwrap()
    };
    match parse(&["replay", "--from", "-2h", "--to", "-1h", "--at", "-90m"]) {
        Sub::Replay { from, to, at, .. } => {
            assert_eq!(
                (from.as_deref(), to.as_deref(), at.as_deref()),
                (Some("-2h"), Some("-1h"), Some("-90m"))
            )
        }
        other => panic!("{other:?}"),
    }
    match parse(&["brief", "--from", "-2h", "--to", "-1h"]) {
        Sub::Brief { from, to, .. } => {
            assert_eq!((from.as_deref(), to.as_deref()), (Some("-2h"), Some("-1h")))
        }
        other => panic!("{other:?}"),
    }
    // `--since` takes an age with or without its sign, as `--from` does.
    match parse(&["brief", "--since", "-2h"]) {
        Sub::Brief { since, .. } => assert_eq!(since.as_deref(), Some("-2h")),
        other => panic!("{other:?}"),
    }
    match parse(&["journal", "export", "--from", "-2h", "--to", "-1h"]) {
        Sub::Journal { command: JournalCommand::Export { from, to, .. } } => {
            assert_eq!((from.as_deref(), to.as_deref()), (Some("-2h"), Some("-1h")))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn export_and_brief_read_relative_times() {
    let tmp = tempfile::tempdir().unwrap();
    journal_with_notes(tmp.path());
    let out = attache(tmp.path()).args(["journal", "export", "--from", "-30m"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("just now") && !stdout.contains("an hour ago"), "{stdout}");

    let out = attache(tmp.path()).args(["brief", "--from", "-2h", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let brief: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let from: chrono::DateTime<chrono::Utc> = brief["period"]["from"].as_str().unwrap().parse().unwrap();
    let age = chrono::Utc::now() - from;
    assert!(age > chrono::Duration::minutes(119) && age < chrono::Duration::minutes(125), "from {from}");
}

#[test]
fn an_unknown_export_kind_is_a_usage_error_naming_the_known_ones() {
    let tmp = tempfile::tempdir().unwrap();
    journal_with_notes(tmp.path());
    let out = attache(tmp.path()).args(["journal", "export", "--kind", "bogus"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("bogus") && stderr.contains("note") && stderr.contains("alert.raised"),
        "{stderr}"
    );
    // Kinds and families that exist are taken, with or without a record of them.
    for kind in ["note", "alert", "alert.raised", "contact.checked_in"] {
        let out = attache(tmp.path()).args(["journal", "export", "--kind", kind]).output().unwrap();
        assert!(out.status.success(), "--kind {kind}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn a_note_from_the_command_line_is_folded_before_it_is_journaled() {
    use std::os::unix::ffi::OsStrExt as _;
    let tmp = tempfile::tempdir().unwrap();
    // An SGR colour, a C1 CSI clearing the screen, a window-title OSC ended by BEL, a line
    // break, a bidi override, and an 8-bit CSI byte that is not UTF-8 at all.
    let mut text = "\u{1b}[31mred\u{9b}2J\u{1b}]0;owned\u{7}\nnext line \u{202e}desrever".as_bytes().to_vec();
    text.extend_from_slice(b" \x9b2J end");
    attache(tmp.path()).arg("note").arg(std::ffi::OsStr::from_bytes(&text)).assert().success();
    let journaled = segments_text(tmp.path());
    let record: serde_json::Value = serde_json::from_str(journaled.lines().next().unwrap()).unwrap();
    let note = record["text"].as_str().unwrap();
    assert!(!note.chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)), "{note:?}");
    assert!(
        note.starts_with("[31mred") && note.contains("next line") && note.ends_with("2J end"),
        "{note:?}"
    );
}

#[test]
fn commands_without_a_configuration_exit_2_as_the_readme_says() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [&["brief"][..], &["check"], &["note", "x"], &["poll", "--once"]] {
        let out = Command::cargo_bin("attache")
            .unwrap()
            .current_dir(tmp.path())
            .env_remove("ATTACHE_CONFIG")
            .env("HOME", tmp.path())
            .env("XDG_CONFIG_HOME", tmp.path().join("xdg"))
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("no configuration found"), "{args:?}: {stderr}");
    }
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = &readme[readme.find("## Commands").unwrap()..readme.find("## Keys").unwrap()];
    let brief = section.lines().find(|l| l.starts_with("| `attache brief")).unwrap();
    let commands = section.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(brief.contains("2 when the configuration is missing or invalid"), "{brief}");
    assert!(
        commands.contains("exits 2 when the configuration cannot be found or does not check out"),
        "the Commands section says what every command does without a configuration"
    );
}
