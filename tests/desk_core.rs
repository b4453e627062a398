//! The desk's core as the processes that poll run it: a console and `attache poll --once` fed
//! the same documents by a real HTTP server on 127.0.0.1 journal the same events, and both
//! derive alerts by the rules in force in the record, not by the file they were started with.

mod common;
mod tmux_support;

use common::{Reply, serve};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tmux_support::Tmux;

const FEED: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Watch</title>\
    <item><title>Cyclone warning, Cagayan</title><guid>watch-1</guid></item>\
    <item><title>Port reopened, Aparri</title><guid>watch-2</guid></item>\
    </channel></rss>";

const CYCLONE_RULE: &str =
    "[[rule]]\nname = \"cyclone words\"\nfeeds = [\"watch\"]\nkeywords = [\"cyclone\"]\nraise = \"minor\"\n";

/// A desk in `dir` named `file`, polling `url` once an hour, with the `[[rule]]` tables `rules`.
fn desk(dir: &Path, file: &str, url: &str, rules: &str) -> PathBuf {
    for name in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(name), dir.join(name)).unwrap();
    }
    let text = format!(
        "[desk]\nname = \"Core desk\"\ntz = \"UTC\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n\n\
         [[feed]]\nname = \"watch\"\nkind = \"rss\"\nurl = \"{url}\"\nevery = \"1h\"\n\n{rules}"
    );
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
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

fn records(journal: &Path) -> Vec<serde_json::Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(journal)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            text.lines().map(|l| serde_json::from_str(l).unwrap()).collect::<Vec<_>>()
        })
        .collect()
}

/// What a poll journals: who wrote it and the event, without what differs between any two
/// journals (times, durations, place in the record and its chain of sums).
fn poll_events(journal: &Path) -> Vec<serde_json::Value> {
    records(journal)
        .into_iter()
        .filter(|r| {
            let kind = r["kind"].as_str().unwrap();
            kind == "feed.polled" || kind.starts_with("item.") || kind.starts_with("alert.")
        })
        .map(|mut r| {
            let record = r.as_object_mut().unwrap();
            for varying in ["seq", "ts", "ms", "prev", "sum"] {
                record.remove(varying);
            }
            r
        })
        .collect()
}

fn kinds(journal: &Path, kind: &str) -> usize {
    records(journal).iter().filter(|r| r["kind"] == kind).count()
}

#[test]
fn a_console_and_poll_once_journal_the_same_events_for_the_same_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(serve(|_| Reply::ok(FEED)));
    let config = desk(tmp.path(), "attache.toml", &server.url("/watch.xml"), CYCLONE_RULE);

    let by_poll = tmp.path().join("by-poll");
    let polled = attache(&config, &by_poll, &["poll", "--once"]);
    assert_eq!(polled.status.code(), Some(0), "{}", String::from_utf8_lossy(&polled.stderr));

    let by_console = tmp.path().join("by-console");
    let tmux = Tmux::new("desk-core", "console");
    tmux.start(
        140,
        45,
        &format!(
            "{} --config {} --journal {}",
            env!("CARGO_BIN_EXE_attache"),
            config.display(),
            by_console.display()
        ),
    );
    tmux.wait_for("the alert on screen", |s| s.contains("Cyclone warning"));
    let alerted = std::time::Instant::now();
    while kinds(&by_console, "alert.raised") == 0 {
        assert!(
            alerted.elapsed().as_secs() < 20,
            "the console journaled no alert: {:?}",
            records(&by_console)
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    tmux.keys(&["C-c"]);
    let left = std::time::Instant::now();
    while kinds(&by_console, "session.ended") == 0 {
        assert!(left.elapsed().as_secs() < 20, "the console did not leave");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    let from_poll = poll_events(&by_poll);
    assert!(from_poll.iter().any(|r| r["kind"] == "alert.raised"), "{from_poll:#?}");
    assert_eq!(poll_events(&by_console), from_poll);
}

#[test]
fn poll_once_derives_alerts_by_the_rules_in_force_in_the_record() {
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(serve(|_| Reply::ok(FEED)));
    let url = server.url("/watch.xml");
    // This host's file has no rules; the desk reloaded one that has, from another file.
    let own = desk(tmp.path(), "attache.toml", &url, "");
    let reloaded = desk(tmp.path(), "reloaded.toml", &url, CYCLONE_RULE);
    let journal = tmp.path().join("journal");
    let taken = attache(&reloaded, &journal, &["reload"]);
    assert_eq!(taken.status.code(), Some(0), "{}", String::from_utf8_lossy(&taken.stderr));

    let polled = attache(&own, &journal, &["poll", "--once"]);
    assert_eq!(polled.status.code(), Some(0), "{}", String::from_utf8_lossy(&polled.stderr));
    let raised: Vec<_> = records(&journal).into_iter().filter(|r| r["kind"] == "alert.raised").collect();
    assert_eq!(raised.len(), 1, "{raised:#?}");
    assert_eq!(raised[0]["rule"], "cyclone words", "{raised:#?}");
}

/// The clock's sweep is a feed's word like any other: the item withdrawn at the end of its life
/// resolves the alert it raised, in the same pass.
#[test]
fn the_sweep_withdraws_what_expired_and_resolves_its_alert() {
    use attache::desk::{Desk, InMemory, Input, Tick};
    let mut config = attache::config::Config::load(Path::new("config/attache.toml")).unwrap();
    config.rules = vec![attache::alerts::Rule {
        keywords: vec!["cyclone".into()],
        ..attache::alerts::Rule::new("cyclone words", attache::domain::Severity::Minor)
    }];
    let seen: attache::event::Event = serde_json::from_str(
        r#"{"kind":"item.seen","item":{"feed":"cap","id":"TC-1","title":"Cyclone signal no. 2",
            "severity":"severe","expires":"2026-11-25T06:00:00Z"}}"#,
    )
    .unwrap();
    let at = |t: &str| t.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let mut record = InMemory::new(config);
    let mut desk = Desk::new();
    desk.handle(
        &mut record,
        Input::FeedSaid { by: "feed:cap".into(), events: vec![seen] },
        at("2026-11-25T00:00:00Z"),
    );
    let before = desk.handle(&mut record, Input::Tick(Tick::Sweep), at("2026-11-25T05:59:59Z"));
    assert!(before.events.is_empty(), "{before:?}");
    desk.handle(&mut record, Input::Tick(Tick::Sweep), at("2026-11-25T06:00:00Z"));
    let kinds: Vec<&str> = record.journal().iter().map(|r| r.event.kind()).collect();
    assert_eq!(kinds, ["item.seen", "alert.raised", "item.withdrawn", "alert.resolved"]);
    assert_eq!(record.journal()[3].by, "attache");
}
