//! The configuration in the record, end to end in a real terminal: a replay shows, at each
//! point of the record, the missions in force then (and says when the record holds none); a
//! running console takes a reloaded configuration without a restart, by `attache reload` or by
//! its key, and keeps the running one when the reload is refused.

mod tmux_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use attache::config::{Config, ConfigSnapshot};
use attache::event::Event;
use attache::journal::Writer;
use tmux_support::Tmux;

/// A small desk with no feeds: one mission, one contact.
fn write_desk(dir: &Path, missions: &[(&str, &str, f64)]) -> PathBuf {
    write_desk_with(dir, missions, "")
}

/// A small desk with the `[[feed]]` tables `feeds`.
fn write_desk_with(dir: &Path, missions: &[(&str, &str, f64)], feeds: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("attache.toml"),
        format!(
            "[desk]\nname = \"Reload desk\"\ntz = \"UTC\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n\n{feeds}"
        ),
    )
    .unwrap();
    write_missions(dir, missions);
    std::fs::write(
        dir.join("contacts.toml"),
        r#"[[contact]]
name = "Maj. Santos"
role = "liaison-officer"
post = "Manila"
country = "PH"
tz = "Asia/Manila"
hours = "08:00-17:00"
check_in_every = "12h"
"#,
    )
    .unwrap();
    dir.join("attache.toml")
}

fn write_missions(dir: &Path, missions: &[(&str, &str, f64)]) {
    let text: String = missions
        .iter()
        .map(|(id, name, lat)| {
            format!(
                "[[mission]]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"humanitarian\"\nstatus = \"active\"\n\
                 country = \"PH\"\narea = {{ lat = {lat}, lon = 121.0, radius_km = 100 }}\n\n"
            )
        })
        .collect();
    std::fs::write(dir.join("missions.toml"), text).unwrap();
}

fn attache(config: &Path, journal: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_attache"))
        .arg("--config")
        .arg(config)
        .arg("--journal")
        .arg(journal)
        .args(args)
        .output()
        .unwrap()
}

fn config_loaded_lines(journal: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(journal).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            let text = std::fs::read_to_string(path).unwrap();
            lines.extend(text.lines().filter(|l| l.contains(r#""kind":"config.loaded""#)).map(String::from));
        }
    }
    lines
}

/// The Missions pane's lines (the top-left pane, inside its border).
fn missions_pane(screen: &str) -> String {
    screen.lines().map(|l| l.chars().take(60).collect::<String>()).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_replay_shows_the_missions_in_force_at_each_point_of_the_record() {
    let tmp = tempfile::tempdir().unwrap();
    // The desk as it was, as it became, and as it is today: three different mission sets.
    let then = Config::load(&write_desk(&tmp.path().join("then"), &[("OLD-1", "Old relief", 14.0)])).unwrap();
    // The same mission, its area moved south, and a new one beside it.
    let later = Config::load(&write_desk(
        &tmp.path().join("later"),
        &[("OLD-1", "Old relief", 9.5), ("NEW-2", "New relief", 9.5)],
    ))
    .unwrap();
    let today = write_desk(&tmp.path().join("today"), &[("TODAY-3", "Today relief", 5.0)]);
    let journal = tmp.path().join("journal");
    let mut writer = Writer::open(&journal).unwrap();
    let t0: chrono::DateTime<chrono::Utc> = "2026-11-25T00:00:00Z".parse().unwrap();
    let loaded = |config: &Config| Event::ConfigLoaded {
        path: config.path.display().to_string(),
        digest: config.digest.clone(),
        feeds: 0,
        missions: 1,
        contacts: 1,
        config: Some(Box::new(ConfigSnapshot::of(config))),
    };
    let note = |text: &str| Event::Note {
        operator: "reyes".into(),
        text: text.into(),
        mission: None,
        alert: None,
        contact: None,
    };
    for (minutes, event) in [
        (0, note("watch begins")),
        (1, loaded(&then)),
        (10, note("before the change")),
        (20, loaded(&later)),
        (30, note("after the change")),
    ] {
        writer.append("reyes", t0 + chrono::Duration::minutes(minutes), vec![event]).unwrap();
    }
    drop(writer);

    let command = format!(
        "{} --config {} --journal {} replay --speed 1",
        env!("CARGO_BIN_EXE_attache"),
        today.display(),
        journal.display()
    );
    let tmux = Tmux::new("config-replay", "replay");
    tmux.start(120, 40, &command);
    // Before the record's first configuration: today's, and the banner says so.
    tmux.wait_for("today's missions and the banner saying so", |s| {
        s.lines().next().is_some_and(|top| top.contains("REPLAY") && top.contains("today's config"))
            && missions_pane(s).contains("TODAY-3")
    });
    tmux.keys(&["g"]);
    tmux.keys(&["00:15", "Enter"]);
    let before = tmux.wait_for("the missions in force before the change", |s| {
        s.contains("REPLAY │ 2026-11-25 00:15:00Z") && missions_pane(s).contains("OLD-1")
    });
    assert!(!before.lines().next().unwrap().contains("today's config"), "{before}");
    for absent in ["NEW-2", "TODAY-3"] {
        assert!(!missions_pane(&before).contains(absent), "{absent} before the change:\n{before}");
    }
    // The mission's detail gives its area as it was then.
    tmux.keys(&["Enter"]);
    tmux.wait_for("the old area", |s| s.contains("Area: 100 km around 14.000, 121.000"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("the detail closed", |s| !s.contains("Area: 100 km"));
    tmux.keys(&["g"]);
    tmux.keys(&["00:25", "Enter"]);
    let after = tmux.wait_for("the missions in force after the change", |s| {
        s.contains("REPLAY │ 2026-11-25 00:25:00Z") && missions_pane(s).contains("NEW-2")
    });
    assert!(!missions_pane(&after).contains("TODAY-3"), "today's mission after the change:\n{after}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the new area", |s| s.contains("Area: 100 km around 9.500, 121.000"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("the detail closed", |s| !s.contains("Area: 100 km"));
    // And back again: the configuration follows the record both ways.
    tmux.keys(&["g"]);
    tmux.keys(&["00:12", "Enter"]);
    tmux.wait_for("the old missions again, going back", |s| {
        s.contains("REPLAY │ 2026-11-25 00:12:00Z")
            && missions_pane(s).contains("OLD-1")
            && !s.contains("NEW-2")
    });
}

/// A console on a small desk in tmux, with its own journal.
struct Desk {
    tmux: Tmux,
    config: PathBuf,
    dir: PathBuf,
    journal: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Desk {
    fn start(name: &str) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("desk");
        let config = write_desk(&dir, &[("ALPHA-1", "Alpha relief", 14.0)]);
        let journal = tmp.path().join("journal");
        let command = format!(
            "{} --config {} --journal {}",
            env!("CARGO_BIN_EXE_attache"),
            config.display(),
            journal.display()
        );
        let tmux = Tmux::new(name, "console");
        tmux.start(120, 40, &command);
        tmux.wait_for("the console with its mission", |s| s.contains("Missions") && s.contains("ALPHA-1"));
        Desk { tmux, config, dir, journal, _tmp: tmp }
    }

    /// The missions file with a second mission, BRAVO-2.
    fn add_a_mission(&self) {
        write_missions(&self.dir, &[("ALPHA-1", "Alpha relief", 14.0), ("BRAVO-2", "Bravo relief", 10.0)]);
    }

    /// A missions file `check` refuses: a mission with no area.
    fn break_missions(&self) {
        std::fs::write(
            self.dir.join("missions.toml"),
            "[[mission]]\nid = \"CHARLIE-3\"\nname = \"Charlie\"\nkind = \"humanitarian\"\nstatus = \"active\"\ncountry = \"PH\"\n",
        )
        .unwrap();
    }

    /// The console keeps showing BRAVO-2 and never CHARLIE-3 for a while.
    fn keeps_the_running_configuration(&self) {
        for _ in 0..10 {
            let screen = self.tmux.screen();
            assert!(screen.contains("BRAVO-2") && !screen.contains("CHARLIE-3"), "{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn attache_reload_changes_a_running_console_and_a_refused_one_changes_nothing() {
    let desk = Desk::start("config-reload");
    assert!(!desk.tmux.screen().contains("BRAVO-2"));
    desk.add_a_mission();
    let taken = attache(&desk.config, &desk.journal, &["reload"]);
    assert_eq!(taken.status.code(), Some(0), "{}", String::from_utf8_lossy(&taken.stderr));
    desk.tmux.wait_for("the reloaded mission, without a restart, and the word that it came", |s| {
        missions_pane(s).contains("BRAVO-2") && s.contains("now in force: 2 missions")
    });
    let journaled = config_loaded_lines(&desk.journal).len();

    desk.break_missions();
    let refused = attache(&desk.config, &desk.journal, &["reload"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("missions.toml") && stderr.contains("reload refused"), "{stderr}");
    assert_eq!(config_loaded_lines(&desk.journal).len(), journaled, "a refused reload journaled something");
    desk.keeps_the_running_configuration();
}

#[test]
fn the_reload_key_does_what_attache_reload_does() {
    let desk = Desk::start("config-key");
    desk.add_a_mission();
    desk.tmux.keys(&["L"]);
    desk.tmux.wait_for("the reloaded mission and the word that it was", |s| {
        missions_pane(s).contains("BRAVO-2") && s.contains("configuration reloaded")
    });
    let journaled = config_loaded_lines(&desk.journal).len();

    desk.break_missions();
    desk.tmux.keys(&["L"]);
    desk.tmux.wait_for("the refusal and its first problem", |s| {
        s.contains("reload refused") && s.contains("missions.toml")
    });
    assert_eq!(config_loaded_lines(&desk.journal).len(), journaled, "a refused reload journaled something");
    desk.keeps_the_running_configuration();
}

/// A feed read from a file in the desk's directory, with one item titled `title`.
fn file_feed(dir: &Path, name: &str, title: &str) -> String {
    let document = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{name}</title>\
         <item><title>{title}</title><guid>{name}-1</guid></item></channel></rss>"
    );
    std::fs::write(dir.join(format!("{name}.xml")), document).unwrap();
    format!("[[feed]]\nname = \"{name}\"\nkind = \"rss\"\npath = \"{name}.xml\"\nevery = \"1h\"\n\n")
}

#[test]
fn a_reload_that_changes_the_feeds_restarts_them_in_the_console_that_polls() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let missions = [("ALPHA-1", "Alpha relief", 14.0)];
    let first = file_feed(&dir, "first", "First feed item");
    let config = write_desk_with(&dir, &missions, &first);
    let journal = tmp.path().join("journal");
    let command = format!(
        "{} --config {} --journal {}",
        env!("CARGO_BIN_EXE_attache"),
        config.display(),
        journal.display()
    );
    let tmux = Tmux::new("config-feeds", "console");
    tmux.start(160, 50, &command);
    tmux.wait_for("the first feed's item", |s| s.contains("First feed item"));

    let second = file_feed(&dir, "second", "Second feed item");
    write_desk_with(&dir, &missions, &format!("{first}{second}"));
    let taken = attache(&config, &journal, &["reload"]);
    assert_eq!(taken.status.code(), Some(0), "{}", String::from_utf8_lossy(&taken.stderr));
    tmux.wait_for("the new feed polled without a restart", |s| {
        s.contains("Second feed item") && s.contains("feeds restarted")
    });

    // A record whose feeds the file it names no longer holds (changed since): the secrets the
    // feeds need are not in the record, so the running feeds are kept, and the console says so.
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let feeds: String =
        [("first", "First feed item"), ("second", "Second feed item"), ("third", "Third feed item")]
            .iter()
            .map(|(name, title)| file_feed(&elsewhere, name, title))
            .collect();
    let changed = Config::load(&write_desk_with(&elsewhere, &missions, &feeds)).unwrap();
    assert!(changed.on_disk.is_empty(), "{:?}", changed.on_disk);
    // Still valid, and still with the third feed: only its digest says it is not the record's.
    let desk_file = elsewhere.join("attache.toml");
    let text = std::fs::read_to_string(&desk_file).unwrap();
    std::fs::write(&desk_file, format!("# changed since it was loaded\n{text}")).unwrap();
    let mut writer = Writer::open(&journal).unwrap();
    let event = Event::ConfigLoaded {
        path: changed.path.display().to_string(),
        digest: changed.digest.clone(),
        feeds: 3,
        missions: 1,
        contacts: 1,
        config: Some(Box::new(ConfigSnapshot::of(&changed))),
    };
    writer.append("reyes", chrono::Utc::now(), vec![event]).unwrap();
    drop(writer);
    let said = tmux.wait_for("the sentence saying the running feeds are kept", |s| {
        s.contains("no longer holds it") && s.contains("keeps polling the feeds it runs")
    });
    assert!(!said.contains("Third feed item"), "{said}");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!tmux.screen().contains("Third feed item"), "{}", tmux.screen());
}

/// Opens a console on `config` until it shows its missions, and quits it at once.
fn open_and_quit(name: &str, config: &Path, journal: &Path) -> String {
    let tmux = Tmux::new(name, "console");
    tmux.start(
        120,
        40,
        &format!(
            "{} --config {} --journal {}",
            env!("CARGO_BIN_EXE_attache"),
            config.display(),
            journal.display()
        ),
    );
    let screen =
        tmux.wait_for("the console with its missions", |s| s.contains("Missions") && s.contains("ALPHA-1"));
    let ended = |j: &Path| {
        std::fs::read_dir(j)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .map(|p| std::fs::read_to_string(p).unwrap().matches(r#""kind":"session.ended""#).count())
            .sum::<usize>()
    };
    let before = ended(journal);
    tmux.keys(&["C-c"]);
    tmux.wait_for("the console to leave", |_| ended(journal) > before);
    screen
}

#[test]
fn a_console_journals_its_configuration_only_when_the_record_does_not_hold_it_in_force() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("desk");
    let config = write_desk(&dir, &[("ALPHA-1", "Alpha relief", 14.0)]);
    let journal = tmp.path().join("journal");
    let with_snapshot = |journal: &Path| -> Vec<bool> {
        config_loaded_lines(journal).iter().map(|l| l.contains(r#""config":{"#)).collect()
    };

    open_and_quit("config-first", &config, &journal);
    assert_eq!(with_snapshot(&journal), [true], "the first console records its configuration");
    open_and_quit("config-same", &config, &journal);
    assert_eq!(with_snapshot(&journal), [true, false], "the same configuration is already in the record");

    // A reload from a newer file, then a console started with the older one: it journals its
    // own, since that is what it runs with, and shows it.
    let older = std::fs::read_to_string(dir.join("missions.toml")).unwrap();
    write_missions(&dir, &[("ALPHA-1", "Alpha relief", 14.0), ("BRAVO-2", "Bravo relief", 10.0)]);
    assert_eq!(attache(&config, &journal, &["reload"]).status.code(), Some(0));
    std::fs::write(dir.join("missions.toml"), older).unwrap();
    let screen = open_and_quit("config-older", &config, &journal);
    assert_eq!(with_snapshot(&journal), [true, false, true, true]);
    assert!(!missions_pane(&screen).contains("BRAVO-2"), "{screen}");
}
