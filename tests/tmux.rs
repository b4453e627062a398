//! End to end in a real terminal: the built binary runs in a detached tmux session (120x40)
//! against a copy of the demo desk, and the test types at it and reads the screen back.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long any one expected screen may take to appear (generous for a loaded CI machine).
const WAIT: Duration = Duration::from_secs(20);

struct Tmux {
    socket: String,
}

impl Tmux {
    fn new(name: &str) -> Self {
        Tmux { socket: format!("attache-test-{name}-{}", std::process::id()) }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is installed (.ci/run installs it)")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "console"]).stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "console"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Polls the screen until `pred` holds; fails with the last screen if it never does.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; screen was:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every journal file's text, whatever the segment names.
fn journal_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            text.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    text
}

#[test]
fn operator_session_in_tmux() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(Path::new("config"), &tmp.path().join("config"));
    let journal = tmp.path().join("journal");
    let exit_file = tmp.path().join("exit");
    let command = format!(
        "{} --config {} --journal {}; echo $? > {}",
        env!("CARGO_BIN_EXE_attache"),
        tmp.path().join("config/attache.toml").display(),
        journal.display(),
        exit_file.display()
    );
    let tmux = Tmux::new("session");
    let started = tmux.run(&["new-session", "-d", "-s", "console", "-x", "120", "-y", "40", &command]);
    assert!(started.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&started.stderr));
    // tmux must keep the pane after the command exits so the exit status can be read.
    tmux.run(&["set-option", "-t", "console", "remain-on-exit", "on"]);

    let screen = tmux.wait_for("all five pane titles and polled feeds", |s| {
        ["Missions", "Contacts", "Alerts", "Event log", "Feeds"].iter().all(|t| s.contains(t))
            && s.contains("item.seen")
    });
    assert!(screen.contains("▶1 Missions"), "Missions has focus at start:\n{screen}");
    assert!(screen.contains("KFOR") && screen.contains("Col. Ana"), "{screen}");

    tmux.keys(&["?"]);
    let screen = tmux.wait_for("help", |s| s.contains("Help - keys"));
    assert!(screen.contains("add an operator note to the journal"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("help closed", |s| !s.contains("Help - keys"));

    tmux.keys(&["Tab"]);
    tmux.wait_for("focus on Contacts", |s| s.contains("▶2 Contacts") && !s.contains("▶1 Missions"));

    tmux.keys(&["n"]);
    tmux.wait_for("the note prompt", |s| s.contains("Operator note"));
    tmux.keys(&["-l", "Relief flight ETA 0400Z at Tuguegarao"]);
    tmux.wait_for("the typed note", |s| s.contains("Relief flight ETA 0400Z at Tuguegarao"));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the note saved", |s| s.contains("note #") && s.contains("saved"));
    assert!(screen.contains("Relief flight ETA 0400Z"), "the note shows in the event log:\n{screen}");

    tmux.keys(&["q"]);
    let deadline = Instant::now() + WAIT;
    while !exit_file.exists() {
        assert!(Instant::now() < deadline, "attache did not exit after q:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    // The shell writes the status right after attache exits; wait for the whole line.
    let status = loop {
        let text = std::fs::read_to_string(&exit_file).unwrap();
        if text.ends_with('\n') {
            break text;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.trim(), "0", "attache exit status");

    let text = journal_text(&journal);
    let note =
        text.lines().find(|l| l.contains("Relief flight ETA 0400Z at Tuguegarao")).expect("note in journal");
    let record: serde_json::Value = serde_json::from_str(note).unwrap();
    assert_eq!(record["kind"], "note");
    assert!(text.lines().any(|l| l.contains("\"kind\":\"session.ended\"")), "session end recorded");
}
