//! Notifications from the console that polls, in a real terminal: the command runs in the
//! background (a command that hangs holds up no key, and ends with the console), and its
//! `notify.sent` is in the Event log.

mod tmux_support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use tmux_support::Tmux;

/// A USGS document with one strong quake, happening now.
fn strong_quake_now() -> String {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    serde_json::json!({
        "type": "FeatureCollection",
        "metadata": {"generated": ms, "title": "test quakes", "status": 200, "count": 1},
        "features": [{
            "type": "Feature",
            "id": "us1",
            "properties": {"mag": 6.4, "place": "Baguinge, Philippines", "time": ms, "updated": ms,
                           "status": "reviewed", "tsunami": 0, "type": "earthquake",
                           "title": "M 6.4 - Baguinge, Philippines"},
            "geometry": {"type": "Point", "coordinates": [121.07, 16.81, 10.0]}
        }]
    })
    .to_string()
}

fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn the_polling_console_notifies_in_the_background_and_logs_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), dir.path().join(file)).unwrap();
    }
    std::fs::write(dir.path().join("quakes.geojson"), strong_quake_now()).unwrap();
    let recorder = script(dir.path(), "recorder.sh", r#"cat > "$1/stdin.json"; echo run >> "$1/runs""#);
    // Hangs for longer than the test, in a child of its own: the console must not wait for it.
    let hang = script(dir.path(), "hang.sh", r#"sleep 120 & echo $! > "$1/hang.pid"; wait"#);
    let desk = dir.path().join("attache.toml");
    std::fs::write(
        &desk,
        format!(
            "[desk]\nname = \"Test desk\"\ntz = \"UTC\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n\n\
             [[feed]]\nname = \"quakes\"\nkind = \"usgs-geojson\"\npath = \"quakes.geojson\"\n\n\
             [[rule]]\nname = \"strong quake\"\nmin_magnitude = 6.0\nraise = \"severe\"\n\n\
             [[notify]]\nname = \"stuck\"\non = [\"alert.raised>=severe\"]\ncommand = [\"{hang}\", \"{d}\"]\ntimeout = \"5m\"\nretries = 0\n\n\
             [[notify]]\nname = \"pager\"\non = [\"alert.raised>=severe\"]\ncommand = [\"{recorder}\", \"{d}\"]\n"
        ),
    )
    .unwrap();
    let journal = dir.path().join("journal");
    let command = format!(
        "{} --config {} --journal {}",
        env!("CARGO_BIN_EXE_attache"),
        desk.display(),
        journal.display()
    );
    let tmux = Tmux::new("notify", "console");
    tmux.start(120, 40, &command);

    tmux.wait_for("the notification in the Event log", |s| s.contains("notified pager of #"));
    let stdin: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("stdin.json")).unwrap()).unwrap();
    assert_eq!(
        (stdin["kind"].as_str(), stdin["rule"].as_str()),
        (Some("alert.raised"), Some("strong quake"))
    );

    // The other command is still running, and the keys answer all the same.
    assert!(dir.path().join("hang.pid").exists(), "the hanging command was started");
    tmux.keys(&["?"]);
    tmux.wait_for("help", |s| s.contains("Help - keys"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("help closed", |s| !s.contains("Help - keys"));

    let (records, _) = attache::journal::read_all(&journal).unwrap();
    let sent: Vec<_> = records.iter().filter(|r| r.event.kind() == "notify.sent").collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].by, "notify");
    assert!(records.iter().all(|r| r.event.kind() != "notify.failed"), "the hang is not over yet");

    // The console leaves (q, and q again to confirm: it polls): the hanging command goes with it.
    let pid = std::fs::read_to_string(dir.path().join("hang.pid")).unwrap();
    let alive = || {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
        !stat.is_empty() && stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    };
    assert!(alive(), "the hanging command runs while the console does");
    tmux.keys(&["q"]);
    tmux.wait_for("the question", |s| s.contains("Quit?"));
    tmux.keys(&["q"]);
    let deadline = std::time::Instant::now() + tmux_support::WAIT;
    while alive() {
        assert!(std::time::Instant::now() < deadline, "the command outlived the console");
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
}
