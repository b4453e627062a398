//! End to end in a real terminal: the built binary runs in a detached tmux session (120x40)
//! against a copy of the demo desk, and the test types at it and reads the screen back.

mod tmux_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tmux_support::{Tmux, WAIT, copy_dir};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
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

/// A console on a copy of the demo desk in a fresh tmux server, with its journal and the file
/// its shell writes the exit status to.
struct Console {
    tmux: Tmux,
    config: PathBuf,
    journal: PathBuf,
    exit_file: PathBuf,
    _dir: tempfile::TempDir,
}

impl Console {
    fn start(name: &str) -> Self {
        Self::start_with(name, |desk| desk)
    }

    /// Starts a console on the demo desk as `edit` rewrites its attache.toml.
    fn start_with(name: &str, edit: impl FnOnce(String) -> String) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(Path::new("config"), &tmp.path().join("config"));
        // Each console serves the demo feeds on its own port, so parallel tests do not share one.
        let desk = tmp.path().join("config/attache.toml");
        let text = std::fs::read_to_string(&desk)
            .unwrap()
            .replace("127.0.0.1:8099", &format!("127.0.0.1:{}", free_port()));
        std::fs::write(&desk, edit(text)).unwrap();
        let journal = tmp.path().join("journal");
        let exit_file = tmp.path().join("exit");
        let command = format!(
            "{} --config {} --journal {}; echo $? > {}",
            env!("CARGO_BIN_EXE_attache"),
            tmp.path().join("config/attache.toml").display(),
            journal.display(),
            exit_file.display()
        );
        let tmux = Tmux::new(name, "console");
        tmux.start(120, 40, &command);
        tmux.wait_for("the pane titles and polled feeds", |s| {
            ["Missions", "Contacts", "Alerts", "Event log", "Feeds"].iter().all(|t| s.contains(t))
                && s.contains("item.seen")
        });
        let config = tmp.path().join("config/attache.toml");
        Console { tmux, config, journal, exit_file, _dir: tmp }
    }

    /// Waits for the shell to record attache's exit status, and returns it.
    fn exit_status(&self) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            // The shell writes the status right after attache exits; wait for the whole line.
            if let Ok(text) = std::fs::read_to_string(&self.exit_file)
                && text.ends_with('\n')
            {
                return text.trim().to_string();
            }
            assert!(Instant::now() < deadline, "attache did not exit:\n{}", self.tmux.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `attache ARGS` against this console's desk and journal, as another terminal would.
    fn attache(&self, args: &[&str]) {
        let status = Command::new(env!("CARGO_BIN_EXE_attache"))
            .arg("--config")
            .arg(&self.config)
            .arg("--journal")
            .arg(&self.journal)
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "attache {args:?}");
    }

    /// The text drawn in reverse video (the focused pane's highlight), a string per screen line
    /// that has any; the status bar, reversed too, is left out.
    fn highlighted(&self) -> Vec<String> {
        let out = self.tmux.run(&["capture-pane", "-p", "-e", "-t", "console"]);
        let styled = String::from_utf8_lossy(&out.stdout).into_owned();
        // Only the panes' lines, inside their borders: the status bar and any message lines above
        // it are drawn reversed too.
        let in_pane = |line: &&str| first_visible(line) == Some('│');
        styled.lines().filter(in_pane).map(reversed_text).filter(|t| !t.trim().is_empty()).collect()
    }

    /// The attache process: the child of the pane's shell.
    fn pid(&self) -> String {
        let out = self.tmux.run(&["display-message", "-p", "-t", "console", "#{pane_pid}"]);
        let shell = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
        children.split_whitespace().next().expect("attache runs under the pane's shell").to_string()
    }
}

#[test]
fn operator_session_in_tmux() {
    let console = Console::start("session");
    let tmux = &console.tmux;
    tmux.wait_for("Missions focused, missions and contacts listed", |s| {
        s.contains("▶1 Missions") && s.contains("KFOR") && s.contains("Col. Ana")
    });

    tmux.keys(&["?"]);
    // Wait for the whole overlay: capture-pane can catch a frame half written.
    tmux.wait_for("help", |s| s.contains("Help - keys") && s.contains("add an operator note to the journal"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("help closed", |s| !s.contains("Help - keys"));

    tmux.keys(&["Tab"]);
    tmux.wait_for("focus on Contacts", |s| s.contains("▶2 Contacts") && !s.contains("▶1 Missions"));

    tmux.keys(&["n"]);
    tmux.wait_for("the note prompt", |s| s.contains("Operator note"));
    tmux.keys(&["-l", "Relief flight ETA 0400Z at Tuguegarao"]);
    tmux.wait_for("the typed note", |s| s.contains("Relief flight ETA 0400Z at Tuguegarao"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the note saved and in the event log", |s| {
        s.contains("note #") && s.contains("saved") && s.contains("Relief flight ETA 0400Z")
    });

    // This console polls the desk's feeds: q asks, q again quits.
    tmux.keys(&["q"]);
    tmux.wait_for("the question", |s| s.contains("Quit?"));
    tmux.keys(&["q"]);
    assert_eq!(console.exit_status(), "0", "attache exit status");

    let text = journal_text(&console.journal);
    let note =
        text.lines().find(|l| l.contains("Relief flight ETA 0400Z at Tuguegarao")).expect("note in journal");
    let record: serde_json::Value = serde_json::from_str(note).unwrap();
    assert_eq!(record["kind"], "note");
    assert!(text.lines().any(|l| l.contains("\"kind\":\"session.ended\"")), "session end recorded");
}

#[test]
fn sigterm_restores_the_terminal_and_closes_the_session() {
    let console = Console::start("sigterm");
    let killed = Command::new("kill").args(["-TERM", &console.pid()]).status().unwrap();
    assert!(killed.success());
    assert_eq!(console.exit_status(), "0");
    // Back on the shell's screen: the alternate screen is gone, so no pane border remains.
    console
        .tmux
        .wait_for("the normal screen, no pane border left", |s| !s.contains("Event log") && !s.contains('┌'));
    let text = journal_text(&console.journal);
    assert!(
        text.lines().last().unwrap().contains("\"kind\":\"session.ended\""),
        "the last record closes the session"
    );
}

#[test]
fn sighup_from_a_dropped_link_closes_the_session() {
    let console = Console::start("sighup");
    let pid = console.pid();
    // Closing the pane hangs up its terminal, as a dropped SSH link does.
    console.tmux.run(&["kill-pane", "-t", "console"]);
    let deadline = Instant::now() + WAIT;
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(Instant::now() < deadline, "attache still running after SIGHUP");
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = journal_text(&console.journal);
    assert!(
        text.lines().last().unwrap().contains("\"kind\":\"session.ended\""),
        "the last record closes the session"
    );
}

/// The characters of a captured line (capture-pane -e writes SGR sequences only) that are drawn
/// in reverse video.
fn reversed_text(line: &str) -> String {
    let mut out = String::new();
    let mut reversed = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            if reversed {
                out.push(c);
            }
            continue;
        }
        let sequence: String = chars.by_ref().take_while(|c| !c.is_ascii_alphabetic()).collect();
        let params: Vec<&str> = sequence.trim_start_matches('[').split(';').collect();
        let mut i = 0;
        while i < params.len() {
            match params[i] {
                "" | "0" => reversed = false,
                "7" => reversed = true,
                "27" => reversed = false,
                // Colours: 38;5;n and 48;5;n (or 38;2;r;g;b) carry numbers that are not styles.
                "38" | "48" | "58" => i += if params.get(i + 1) == Some(&"2") { 4 } else { 2 },
                _ => {}
            }
            i += 1;
        }
    }
    out
}

#[test]
fn notes_arriving_above_the_selected_log_line_leave_the_highlight_on_it() {
    let console = Console::start("highlight");
    let tmux = &console.tmux;
    tmux.keys(&["4"]);
    tmux.wait_for("the Event log focused", |s| s.contains("▶4 Event log"));
    // The note is durable when the command returns. Feed records keep arriving meanwhile, and
    // the log's highlight (held since `4`) may have scrolled the newest lines out of view, so
    // the note is found through the filter, not by looking at the top of the pane.
    console.attache(&["note", "First marker"]);
    // Select it: filter down to it, select it, show everything again.
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "First marker"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the log filtered to the first note", |s| {
        s.contains("filter \"First marker\"")
            && !s.contains("Filter (Enter")
            && s.lines().any(|l| l.contains(" note ") && l.contains("First marker"))
    });
    tmux.keys(&["j", "Escape"]);
    tmux.wait_for("the filter cleared", |s| !s.contains("filter \"First marker\""));
    let on_first = |lines: &[String]| lines.len() == 1 && lines[0].contains("First marker");
    let deadline = Instant::now() + WAIT;
    while !on_first(&console.highlighted()) {
        assert!(Instant::now() < deadline, "highlight not on the first note: {:?}", console.highlighted());
        std::thread::sleep(Duration::from_millis(50));
    }

    // Another terminal writes two notes; they sort above the selected one.
    console.attache(&["note", "Second marker"]);
    console.attache(&["note", "Third marker"]);
    tmux.wait_for("the newer notes in the log", |s| {
        s.contains("Second marker") && s.contains("Third marker")
    });
    let highlighted = console.highlighted();
    assert!(on_first(&highlighted), "the highlight moved off the first note: {highlighted:?}");
    // And what the keys act on is that record too.
    let first = journal_text(&console.journal)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["text"] == "First marker")
        .expect("the first note in the journal")["seq"]
        .clone();
    tmux.keys(&["Enter"]);
    tmux.wait_for("the first note's detail", |s| s.contains(&format!("Event #{first} ")));
}

#[test]
fn q_asks_first_in_the_console_that_polls_and_not_in_another() {
    let console = Console::start("quit");
    let tmux = &console.tmux;
    // The items seen (Console::start waits for them) were polled by this console.
    tmux.keys(&["q"]);
    tmux.wait_for("the question", |s| s.contains("Quit?"));
    tmux.keys(&["x"]);
    tmux.wait_for("the question gone, the console still there", |s| {
        !s.contains("Quit?") && s.contains("Event log")
    });
    assert!(!console.exit_file.exists(), "attache quit on q alone");

    // A second console on the same desk leaves polling to the first: q quits it at once.
    let second_exit = console.exit_file.with_file_name("second-exit");
    let command = format!(
        "{} --config {} --journal {}; echo $? > {}",
        env!("CARGO_BIN_EXE_attache"),
        console.config.display(),
        console.journal.display(),
        second_exit.display()
    );
    let second = Tmux::new("quit-second", "console");
    second.start(120, 40, &command);
    second.wait_for("the second console, polling left to the first", |s| s.contains("elsewhere"));
    second.keys(&["q"]);
    let deadline = Instant::now() + WAIT;
    while std::fs::read_to_string(&second_exit).map_or(true, |t| !t.ends_with('\n')) {
        assert!(Instant::now() < deadline, "the second console did not quit on q:\n{}", second.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read_to_string(&second_exit).unwrap().trim(), "0");

    tmux.keys(&["q"]);
    tmux.wait_for("the question again", |s| s.contains("Quit?"));
    tmux.keys(&["y"]);
    assert_eq!(console.exit_status(), "0");
    let text = journal_text(&console.journal);
    assert!(text.lines().last().unwrap().contains("\"kind\":\"session.ended\""));
}

/// `attache demo-serve` in its own process, stopped when dropped.
struct DemoServer(std::process::Child);

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn an_alert_from_demo_serve_is_acknowledged_with_a_note() {
    let port = free_port();
    let server = std::process::Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(["demo-serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let _server = DemoServer(server);
    // The console polls that server instead of starting its own.
    let console = Console::start_with("alert", |desk| {
        let desk =
            desk.replace("serve = \"127.0.0.1:", "# serve = \"127.0.0.1:").replace("[demo]", "# [demo]");
        point_feeds_at(&desk, port)
    });
    let tmux = &console.tmux;
    tmux.keys(&["3"]);
    // The quake near the desk's missions arrives 15 s into the scenario; the feed polls every 20 s.
    tmux.wait_for_long("the Luzon quake's alert", Duration::from_secs(90), |s| {
        // Its line in the Alerts pane: the title may be cut there, the filter below reads it whole.
        s.contains("▶3 Alerts")
            && s.lines().any(|l| l.contains(" OPEN ") && l.contains(" usgs-q") && l.contains(" M "))
    });
    tmux.keys(&["/"]);
    tmux.wait_for("the filter prompt", |s| s.contains("Filter (Enter keeps"));
    tmux.keys(&["-l", "Baguinge"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("one alert left", |s| {
        s.contains("filter \"Baguinge\"") && !s.contains("Filter (Enter keeps")
    });
    // Whether the highlight rested on the first row or held an alert the filter now hides
    // depends on what had arrived when `3` was pressed; either way `j` selects the one left.
    tmux.keys(&["j"]);
    tmux.keys(&["A"]);
    // The prompt says which alert it will acknowledge, on the line under its title.
    tmux.wait_for("the acknowledgement prompt naming the alert", |s| {
        let lines: Vec<&str> = s.lines().collect();
        lines
            .iter()
            .position(|l| l.contains("Acknowledge with a note"))
            .is_some_and(|at| lines.get(at + 1).is_some_and(|l| l.contains("\"M ") && l.contains("Baguinge")))
    });
    tmux.keys(&["-l", "Called AFP NOLCOM, no damage reported"]);
    tmux.keys(&["Enter"]);
    // The confirmation names it too: `acknowledged MODR "M 4.6 - 5 km NW of Baguinge, ..." (#N)`,
    // checked against the journal below (the status bar may cut it short).
    let screen = tmux.wait_for("the acknowledgement saved, naming the alert", |s| {
        s.lines().last().is_some_and(|status| status.contains("│ acknowledged ")) && s.contains(" ACK ")
    });
    let status = screen.lines().last().unwrap().to_string();
    let said = status[status.find("│ acknowledged ").unwrap() + "│ ".len()..].to_string();
    tmux.keys(&["q"]);
    tmux.wait_for("the question", |s| s.contains("Quit?"));
    tmux.keys(&["y"]);
    assert_eq!(console.exit_status(), "0");

    let journal = journal_text(&console.journal);
    let records: Vec<serde_json::Value> = journal.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let operator = records.iter().find(|r| r["kind"] == "session.started").unwrap()["operator"].clone();
    let raised = records
        .iter()
        .find(|r| r["kind"] == "alert.raised" && r["title"].as_str().unwrap().contains("Baguinge"))
        .expect("the alert was raised");
    assert_eq!(raised["by"], "attache");
    let severity = match raised["severity"].as_str().unwrap() {
        "minor" => "MINR",
        "moderate" => "MODR",
        "severe" => "SEVR",
        "critical" => "CRIT",
        other => panic!("severity {other}"),
    };
    let named = format!("acknowledged {severity} \"{}\"", raised["title"].as_str().unwrap());
    // What the status bar shows of it, up to where it is cut, names this alert.
    let shown = said.trim_end().trim_end_matches("? help").trim_end();
    let shown = shown.strip_suffix('…').unwrap_or(shown);
    assert!(shown.len() > "acknowledged MODR \"M ".len(), "{said:?}");
    assert!(named.starts_with(shown) || shown.starts_with(&named), "{said:?} does not name {named:?}");
    let acked = records.iter().find(|r| r["kind"] == "alert.acknowledged").expect("the acknowledgement");
    assert_eq!(acked["alert"], raised["alert"]);
    assert_eq!(acked["note"], "Called AFP NOLCOM, no damage reported");
    assert_eq!(acked["operator"], operator);
    assert_eq!(acked["by"], operator);
}

/// Points the demo desk's feed at the demo server on `port` (Console::start gave it another).
fn point_feeds_at(desk: &str, port: u16) -> String {
    desk.lines()
        .map(|line| match line.strip_prefix("url = \"http://127.0.0.1:") {
            Some(rest) => {
                let path = &rest[rest.find('/').unwrap()..];
                format!("url = \"http://127.0.0.1:{port}{path}")
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_demo_archive_is_listed_but_raises_no_alert() {
    let console = Console::start("archive");
    let tmux = &console.tmux;
    let screen =
        tmux.wait_for_long("the archive read and the Luzon quake's alert", Duration::from_secs(90), |s| {
            s.lines().any(|l| l.contains("usgs-significant ") && l.contains(" ok ") && l.contains(" 12 "))
                && s.lines().any(|l| l.contains(" OPEN ") && l.contains(" usgs-q"))
        });
    let alert_lines: Vec<&str> = screen.lines().filter(|l| l.contains(" OPEN ")).collect();
    assert!(alert_lines.iter().all(|l| !l.contains(" usgs-s")), "quakes of 2014 raised alerts:\n{screen}");
    // The Luzon quake happened a minute and a half before the demo lists it: its age is shown.
    let luzon = alert_lines.iter().find(|l| l.contains(" usgs-q")).expect("the Luzon quake's alert");
    assert!(screen.lines().any(|l| l.contains(" Raised ") && l.contains(" Age ")), "{screen}");
    assert!(
        luzon.split_whitespace().any(|w| w.ends_with('m') && w[..w.len() - 1].parse::<u32>().is_ok()),
        "{luzon}"
    );
    tmux.keys(&["5", "G"]);
    tmux.wait_for("Feeds focused", |s| s.contains("▶5 Feeds"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the archive's quakes with their dates", |s| {
        s.contains("Feed usgs-significant") && s.contains("2014-03-")
    });
}

/// The first character of `line` that is not part of an SGR escape sequence.
fn first_visible(line: &str) -> Option<char> {
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            return Some(c);
        }
        // ESC [ parameters, up to the final letter.
        chars.by_ref().find(|c| c.is_ascii_alphabetic());
    }
    None
}

/// The screen line of the Contacts pane that names `who`.
fn contact_line(screen: &str, who: &str) -> String {
    screen.lines().find(|l| l.contains(who)).unwrap_or_default().to_string()
}

#[test]
fn c_checks_in_with_a_contact_and_the_row_shows_the_next_due_time_at_once() {
    let console = Console::start("checkin");
    let tmux = &console.tmux;
    // The demo's script has reached most contacts: theirs are due, Kovač's is still overdue.
    tmux.wait_for("the demo's check-ins", |s| {
        contact_line(s, "Col. Ana Reyes").contains("due in") && contact_line(s, "Kovač").contains("OVERDUE")
    });
    tmux.keys(&["2", "j", "j", "j"]);
    tmux.wait_for("Kovač selected", |_| console.highlighted().iter().any(|l| l.contains("Kovač")));
    tmux.keys(&["c"]);
    tmux.wait_for("the check-in prompt naming her", |s| {
        s.contains("Check in") && s.contains("Kovač  by [phone]")
    });
    tmux.keys(&["Down"]);
    tmux.wait_for("secure voice picked", |s| s.contains("[secure voice]"));
    tmux.keys(&["-l", "KFOR posture unchanged"]);
    tmux.wait_for("the typed note", |s| s.contains("KFOR posture unchanged"));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("her row due again, and the status saying when", |s| {
        contact_line(s, "Kovač").contains("due in 7d")
            && s.contains("checked in with Lt Col. Mirela Kovač (#")
    });
    assert!(screen.contains("next due"), "{screen}");

    let text = journal_text(&console.journal);
    let line = text.lines().find(|l| l.contains("KFOR posture unchanged")).expect("the check-in journaled");
    let record: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(record["kind"], "contact.checked_in");
    assert_eq!(record["contact"], "Lt Col. Mirela Kovač");
    assert_eq!(record["channel"], "secure voice");
    assert_ne!(record["by"], "demo", "the operator's check-in, not the demo's");
}
