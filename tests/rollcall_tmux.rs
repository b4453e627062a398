//! Roll-calls end to end in a real terminal: the built binary on a copy of the demo desk in
//! tmux; `R` on KFOR opens a roll-call of its contact, `s` answers safe, the overlay's row and
//! the status bar show it at once, and the journal holds both records with the operator.

mod tmux_support;

use tmux_support::demo::{DemoConsole as Console, line};

#[test]
fn r_on_kfor_opens_a_roll_call_and_s_answers_safe() {
    let console = Console::start("rollcall");
    let tmux = &console.tmux;
    tmux.keys(&["R"]);
    tmux.wait_for("no roll-call yet, on the first mission", |s| s.contains("Roll-call: optional reason"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("the prompt gone", |s| s.contains("no roll-call opened for mission"));
    tmux.keys(&["/"]);
    tmux.wait_for("the filter prompt", |s| s.contains("Filter (Enter keeps"));
    tmux.keys(&["-l", "KFOR"]);
    tmux.keys(&["C-n"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("KFOR selected", |s| s.contains("match 1 of 1") || !s.contains("Filter (Enter keeps"));
    tmux.keys(&["R"]);
    tmux.wait_for("the roll-call prompt for KFOR", |s| {
        s.contains("Roll-call: optional reason") && s.contains("reach the contacts of mission KFOR")
    });
    tmux.keys(&["-l", "shelling near Mitrovica"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the roll-call overlay with Kovač not reached and the status bar counting", |s| {
        let kovac = line(s, "Lt Col. Mirela Kovač");
        s.contains("Roll-call KFOR")
            && s.contains("shelling near Mitrovica")
            && kovac.contains("> Lt Col.")
            && kovac.contains("not reached")
            && s.contains("roll-call 0/1")
    });
    tmux.keys(&["s"]);
    let screen = tmux.wait_for("her row reached and safe, and the status bar 1/1", |s| {
        let kovac = line(s, "Lt Col. Mirela Kovač");
        kovac.contains("reached, safe") && kovac.contains("taken by ") && s.contains("roll-call 1/1")
    });
    let opened = console.records("rollcall.opened");
    let [opened] = opened.as_slice() else { panic!("one roll-call opened: {opened:?}") };
    let operator = console.records("session.started")[0]["operator"].clone();
    assert_eq!(opened["by"], operator);
    assert_eq!(opened["mission"], "KFOR");
    assert_eq!(opened["contacts"], serde_json::json!(["Lt Col. Mirela Kovač"]));
    assert_eq!(opened["reason"], "shelling near Mitrovica");
    let answered = console.records("rollcall.answered");
    let [answered] = answered.as_slice() else { panic!("one answer: {answered:?}") };
    assert_eq!(answered["by"], operator);
    assert_eq!(answered["rollcall"], opened["rollcall"]);
    assert_eq!(answered["contact"], "Lt Col. Mirela Kovač");
    assert_eq!(answered["answer"], "safe");
    let operator = operator.as_str().unwrap();
    assert!(line(&screen, "Lt Col. Mirela Kovač").contains(&format!("taken by {operator}")), "{screen}");
}
