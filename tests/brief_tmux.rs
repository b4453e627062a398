//! End to end, in a real terminal: `b` in the console asks where the briefing starts, writes it
//! into the briefs directory and notes it in the journal; a period it cannot read is refused
//! with the prompt kept.

mod tmux_support;

use tmux_support::demo::DemoConsole as Console;

#[test]
fn b_writes_a_briefing_of_the_period_typed_and_notes_it() {
    let console = Console::start("brief");
    let tmux = &console.tmux;
    let briefs = console.journal.parent().unwrap().join("briefs");

    tmux.keys(&["b"]);
    tmux.wait_for("the prompt for the period", |s| s.contains("Briefing since"));
    tmux.keys(&["-l", "since lunch"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("a period it cannot read refused, the prompt kept", |s| {
        s.contains("no briefing written: `since lunch` is not a time") && s.contains("Briefing since")
    });
    assert!(!briefs.exists(), "nothing written");

    tmux.keys(&["C-u"]);
    tmux.keys(&["-l", "--", "-2h"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the briefing written", |s| s.contains("briefing written to"));

    let written: Vec<_> = std::fs::read_dir(&briefs).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let text = std::fs::read_to_string(&written[0]).unwrap();
    assert!(text.starts_with("# SITREP: "), "{text}");
    // The note names the period: it starts two hours before it was written (give or take the
    // minute the keys and the note may fall either side of).
    let notes = console.records("note");
    let note = notes.iter().find(|n| n["text"].as_str().unwrap().starts_with("briefing written: "));
    let note = note.expect("the briefing is noted");
    let ts: chrono::DateTime<chrono::Utc> = note["ts"].as_str().unwrap().parse().unwrap();
    let said = note["text"].as_str().unwrap();
    let from = |ago: i64| (ts - chrono::Duration::minutes(ago)).format("period %Y-%m-%d %H:%MZ").to_string();
    assert!(
        said.contains(&from(120)) || said.contains(&from(121)),
        "the period starts at {}: {said}",
        from(120)
    );
}
