//! Notifications as a desk runs them: `attache poll` as a service against a real HTTP server on
//! 127.0.0.1 whose feed raises alerts, and real commands (shell scripts written here) that record
//! what they received, hang, or fail.

mod common;

use attache::event::{Event, Record};
use common::{Reply, Server, serve};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A quake strong enough for the `strong quake` rule (severe) and one only `mindanao quake`
/// takes (minor): two alerts, one of them severe.
fn quakes_now() -> Vec<u8> {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    let feature = |id: &str, mag: f64, place: &str| {
        serde_json::json!({
            "type": "Feature",
            "id": id,
            "properties": {"mag": mag, "place": place, "time": ms, "updated": ms, "status": "reviewed",
                           "tsunami": 0, "type": "earthquake", "title": format!("M {mag} - {place}")},
            "geometry": {"type": "Point", "coordinates": [121.07, 16.81, 10.0]}
        })
    };
    let doc = serde_json::json!({
        "type": "FeatureCollection",
        "metadata": {"generated": ms, "title": "test quakes", "status": 200, "count": 2},
        "features": [feature("us1", 6.4, "Baguinge, Philippines"), feature("us2", 4.6, "off Mindanao")]
    });
    serde_json::to_vec(&doc).unwrap()
}

/// A desk in `dir` with the quake feed at `url`, two rules, and `notify` as its entries.
fn desk(dir: &Path, url: &str, notify: &str) -> PathBuf {
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), dir.join(file)).unwrap();
    }
    let text = format!(
        r#"[desk]
name = "Test desk"
tz = "UTC"
missions = "missions.toml"
contacts = "contacts.toml"

[[feed]]
name = "quakes"
kind = "usgs-geojson"
url = "{url}"
every = "1h"

[[rule]]
name = "strong quake"
feeds = ["quakes"]
min_magnitude = 6.0
raise = "severe"

[[rule]]
name = "mindanao quake"
feeds = ["quakes"]
keywords = ["Mindanao"]
raise = "minor"

{notify}"#
    );
    let path = dir.join("attache.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// An executable shell script in `dir`.
fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_string()
}

/// Records its stdin and the environment it was started with (as exec gave it, before the
/// shell adds its own), one run per line in `runs`.
const RECORDER: &str = r#"cat > "$1/stdin.json"
tr '\0' '\n' < /proc/$$/environ > "$1/env"
echo run >> "$1/runs""#;

/// The feed server and its runtime, kept alive for the test.
struct Feed {
    server: Server,
    _runtime: tokio::runtime::Runtime,
}

fn feed() -> Feed {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let body = quakes_now();
    let server = runtime.block_on(serve(move |_| Reply::ok(body.clone())));
    Feed { server, _runtime: runtime }
}

impl Feed {
    fn url(&self) -> String {
        self.server.url("/quakes.geojson")
    }

    fn requests(&self) -> usize {
        self.server.seen.lock().unwrap().len()
    }
}

/// `attache poll` as a service, its stderr kept in a file.
struct Service {
    child: Child,
    stderr: PathBuf,
}

impl Service {
    fn start(config: &Path, journal: &Path, stderr: PathBuf, env: &[(&str, &str)]) -> Service {
        let child = Command::new(env!("CARGO_BIN_EXE_attache"))
            .arg("--config")
            .arg(config)
            .arg("--journal")
            .arg(journal)
            .arg("poll")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        Service { child, stderr }
    }

    fn said(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    fn wait_to_say(&self, words: &str) {
        wait_for(&format!("the service to say `{words}`"), || self.said().contains(words));
    }

    /// SIGTERM, as systemd stops it: the service ends, exit 0.
    fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}: {}", self.said());
                return self.said();
            }
            assert!(Instant::now() < deadline, "the service did not end on SIGTERM: {}", self.said());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn records(journal: &Path) -> Vec<Record> {
    attache::journal::read_all(journal).map(|(records, _)| records).unwrap_or_default()
}

fn notifications(journal: &Path) -> Vec<Record> {
    records(journal).into_iter().filter(|r| r.event.kind().starts_with("notify.")).collect()
}

fn wait_for_notifications(journal: &Path, n: usize) -> Vec<Record> {
    wait_for(&format!("{n} notify records"), || notifications(journal).len() >= n);
    notifications(journal)
}

fn runs(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("runs")).map_or(0, |text| text.lines().count())
}

#[test]
fn the_command_gets_the_record_on_stdin_and_only_path_and_the_named_variables() {
    let dir = tempfile::tempdir().unwrap();
    let feed = feed();
    let recorder = script(dir.path(), "recorder.sh", RECORDER);
    let notify = format!(
        "[[notify]]\nname = \"pager\"\non = [\"alert.raised>=severe\"]\ncommand = [\"{recorder}\", \"{}\"]\ntimeout = \"10s\"\nenv = [\"PAGER_TOKEN\"]\n",
        dir.path().display()
    );
    let config = desk(dir.path(), &feed.url(), &notify);
    let journal = dir.path().join("journal");
    let service = Service::start(
        &config,
        &journal,
        dir.path().join("stderr"),
        &[("PAGER_TOKEN", "tok-4711"), ("DESK_SECRET", "not-for-the-pager")],
    );

    let sent = wait_for_notifications(&journal, 1);
    let said = service.stop();
    assert!(said.contains("stopped polling"), "{said}");

    let all = records(&journal);
    let raised: Vec<&Record> = all.iter().filter(|r| r.event.kind() == "alert.raised").collect();
    assert_eq!(raised.len(), 2, "two quakes, one alert each: {raised:?}");
    let severe = raised
        .iter()
        .find(|r| matches!(&r.event, Event::AlertRaised { rule, .. } if rule == "strong quake"))
        .unwrap();
    let Event::NotifySent { rule, trigger, record, attempts, .. } = &sent[0].event else {
        panic!("{sent:?}")
    };
    assert_eq!((rule.as_str(), trigger.as_str(), *attempts), ("pager", "alert.raised>=severe", 1));
    assert_eq!(sent[0].by, "notify");

    // The record on stdin is the journal's record, as JSON: the severe alert it names.
    let stdin: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("stdin.json")).unwrap()).unwrap();
    assert_eq!(stdin["kind"], "alert.raised");
    assert_eq!(stdin["severity"], "severe");
    assert_eq!(stdin["rule"], "strong quake");
    assert_eq!(stdin["seq"].as_u64(), Some(*record));
    assert_eq!(severe.seq, *record, "notify.sent names the record it notified");

    // Only PATH and the variable the entry names; nothing else of the service's environment.
    let env = std::fs::read_to_string(dir.path().join("env")).unwrap();
    let mut names: Vec<&str> = env.lines().filter_map(|l| l.split_once('=')).map(|(n, _)| n).collect();
    names.sort_unstable();
    assert_eq!(names, ["PAGER_TOKEN", "PATH"], "{env}");
    assert!(env.lines().any(|l| l == "PAGER_TOKEN=tok-4711"), "{env}");

    // Only the severe alert was notified, and the secret never reached the journal.
    assert_eq!(runs(dir.path()), 1);
    assert_eq!(notifications(&journal).len(), 1);
    let text = std::fs::read_to_string(journal.join("00000001.jsonl")).unwrap();
    assert!(!text.contains("tok-4711"));
}

#[test]
fn a_command_that_hangs_is_killed_with_its_group_and_the_service_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let feed = feed();
    let hang = script(dir.path(), "hang.sh", r#"sleep 600 & echo $! > "$1/sleeper.pid"; wait"#);
    let recorder = script(dir.path(), "recorder.sh", RECORDER);
    let d = dir.path().display();
    let notify = format!(
        "[[notify]]\nname = \"stuck\"\non = [\"alert.raised>=severe\"]\ncommand = [\"{hang}\", \"{d}\"]\ntimeout = \"1s\"\nretries = 0\n\n\
         [[notify]]\nname = \"pager\"\non = [\"alert.raised>=severe\"]\ncommand = [\"{recorder}\", \"{d}\"]\n"
    );
    let config = desk(dir.path(), &feed.url(), &notify);
    let journal = dir.path().join("journal");
    let mut service = Service::start(&config, &journal, dir.path().join("stderr"), &[]);

    let started = Instant::now();
    let settled = wait_for_notifications(&journal, 2);
    let failed = settled.iter().find(|r| r.event.kind() == "notify.failed").expect("the hang failed");
    let Event::NotifyFailed { rule, attempts, error, .. } = &failed.event else { unreachable!() };
    assert_eq!((rule.as_str(), *attempts), ("stuck", 1));
    assert!(error.contains("timed out after 1s"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(15), "killed at its timeout, not later");
    // The other entry was not held up by it.
    assert!(settled.iter().any(|r| matches!(&r.event, Event::NotifySent { rule, .. } if rule == "pager")));

    // The whole group went: the sleep the script left running is no more (or a zombie).
    let sleeper = std::fs::read_to_string(dir.path().join("sleeper.pid")).unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", sleeper.trim())).unwrap_or_default();
    let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start().chars().next());
    assert!(stat.is_empty() || state == Some(Some('Z')), "sleep still running: {stat}");

    assert!(service.running(), "{}", service.said());
    assert!(service.said().contains("notify stuck of record"), "{}", service.said());
    service.stop();
}

#[test]
fn a_command_that_fails_is_retried_then_journaled_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let feed = feed();
    let fail = script(
        dir.path(),
        "fail.sh",
        r#"echo run >> "$1/runs"; echo "pager gateway refused: 503" >&2; exit 3"#,
    );
    let notify = format!(
        "[[notify]]\nname = \"pager\"\non = [\"alert.raised>=severe\"]\ncommand = [\"{fail}\", \"{}\"]\nretries = 2\n",
        dir.path().display()
    );
    let config = desk(dir.path(), &feed.url(), &notify);
    let journal = dir.path().join("journal");
    let service = Service::start(&config, &journal, dir.path().join("stderr"), &[]);

    let settled = wait_for_notifications(&journal, 1);
    let Event::NotifyFailed { rule, attempts, error, trigger, .. } = &settled[0].event else {
        panic!("{settled:?}")
    };
    assert_eq!((rule.as_str(), trigger.as_str(), *attempts), ("pager", "alert.raised>=severe", 3));
    assert_eq!(error, "exit status 3: pager gateway refused: 503");
    assert_eq!(runs(dir.path()), 3, "run once, then retried twice");
    service.stop();
    assert_eq!(notifications(&journal).len(), 1, "failed once, not again");
}

#[test]
fn only_the_lock_holder_notifies_and_a_successor_sends_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let feed = feed();
    let recorder = script(dir.path(), "recorder.sh", RECORDER);
    let notify = format!(
        "[[notify]]\nname = \"pager\"\non = [\"alert.raised>=severe\", \"alert.raised>=critical\"]\ncommand = [\"{recorder}\", \"{}\"]\n",
        dir.path().display()
    );
    let config = desk(dir.path(), &feed.url(), &notify);
    let journal = dir.path().join("journal");

    // `poll --once` raises the alert and notifies nobody: it is owed a notification.
    let once = Command::new(env!("CARGO_BIN_EXE_attache"))
        .arg("--config")
        .arg(&config)
        .arg("--journal")
        .arg(&journal)
        .args(["poll", "--once"])
        .output()
        .unwrap();
    assert!(once.status.success(), "{}", String::from_utf8_lossy(&once.stderr));
    assert_eq!(runs(dir.path()), 0);
    assert!(records(&journal).iter().any(|r| r.event.kind() == "alert.raised"));

    // The first service takes the lock and sends what was owed; the second waits for the lock.
    let first = Service::start(&config, &journal, dir.path().join("first"), &[]);
    first.wait_to_say("polling 1 feed");
    let second = Service::start(&config, &journal, dir.path().join("second"), &[]);
    second.wait_to_say("waiting to take over");
    wait_for_notifications(&journal, 1);

    // The first goes; the second takes over, polls, reads the record, and sends nothing again.
    let polled = feed.requests();
    first.stop();
    second.wait_to_say("polling 1 feed");
    wait_for("the successor to poll", || feed.requests() > polled);
    // Its notifier looks at the record every second: give it a few.
    std::thread::sleep(Duration::from_secs(3));
    second.stop();
    assert_eq!(runs(dir.path()), 1, "exactly one run for one alert, across two processes");
    assert_eq!(notifications(&journal).len(), 1);
}

#[test]
fn the_service_takes_neither_a_feed_nor_a_format() {
    for flags in [["--feed", "quakes"], ["--format", "json"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_attache"))
            .args(["--config", "config/attache.toml", "poll"])
            .args(flags)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--once"), "{flags:?}");
    }
}

#[test]
fn a_feed_down_longer_than_the_threshold_notifies_once_per_outage() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(serve(|_| Reply::status("503 Service Unavailable")));
    let recorder = script(dir.path(), "recorder.sh", RECORDER);
    let notify = format!(
        "[[notify]]\nname = \"feeds\"\non = [\"feed.down>2s\"]\ncommand = [\"{recorder}\", \"{}\"]\n",
        dir.path().display()
    );
    let config = desk(dir.path(), &server.url("/quakes.geojson"), &notify);
    let journal = dir.path().join("journal");
    let service = Service::start(&config, &journal, dir.path().join("stderr"), &[]);

    let sent = wait_for_notifications(&journal, 1);
    let all = records(&journal);
    let first_failure = all.iter().find(|r| r.event.kind() == "feed.failed").expect("the feed failed");
    let Event::NotifySent { trigger, record, .. } = &sent[0].event else { panic!("{sent:?}") };
    assert_eq!(
        (trigger.as_str(), *record),
        ("feed.down>2s", first_failure.seq),
        "the outage's first failure"
    );
    assert!(sent[0].ts - first_failure.ts > chrono::Duration::seconds(2), "not before the feed was down 2s");
    let stdin: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("stdin.json")).unwrap()).unwrap();
    assert_eq!((stdin["kind"].as_str(), stdin["feed"].as_str()), (Some("feed.failed"), Some("quakes")));

    // Still down a while later: the same outage, not notified again.
    std::thread::sleep(Duration::from_secs(3));
    service.stop();
    assert_eq!(runs(dir.path()), 1);
    assert_eq!(notifications(&journal).len(), 1);
}

/// A process taking the lock reads the whole window back before it sends anything, however
/// many records the window holds: a `notify.sent` far down it still counts.
#[test]
fn a_successor_reads_the_whole_window_before_sending() {
    use attache::domain::Severity;
    use attache::notify::{Notifier, NotifyRule, Trigger};
    let dir = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now();
    let minutes = |m: i64| now - chrono::Duration::minutes(m);
    let raised = |id: &str| Event::AlertRaised {
        alert: id.into(),
        rule: "strong quake".into(),
        feed: "quakes".into(),
        item: id.into(),
        severity: Severity::Severe,
        title: "M 6.4".into(),
        missions: vec![],
        traffic: Default::default(),
    };
    let mut writer = attache::journal::Writer::open(dir.path()).unwrap();
    let first = writer.append("attache", minutes(10), vec![raised("a1")]).unwrap()[0].seq;
    let notes = (0..10_500)
        .map(|n| Event::Note {
            operator: "reyes".into(),
            text: format!("{n}"),
            mission: None,
            alert: None,
            contact: None,
        })
        .collect();
    writer.append("reyes", minutes(9), notes).unwrap();
    let sent = Event::NotifySent {
        rule: "pager".into(),
        trigger: "alert.raised>=severe".into(),
        record: first,
        attempts: 1,
        ms: 9,
    };
    writer.append("notify", minutes(8), vec![sent]).unwrap();

    let rule = NotifyRule {
        name: "pager".into(),
        on: vec![Trigger::parse("alert.raised>=severe").unwrap()],
        command: vec!["true".into()],
        timeout: Duration::from_secs(5),
        env: vec![],
        retries: 0,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut notifier = Notifier::start(vec![rule], dir.path(), now, tx).unwrap().unwrap();
        let state = attache::state::DeskState::default();
        assert_eq!(notifier.tick(&state, now), Ok(0), "a first batch: nothing sent yet");
        assert_eq!(notifier.tick(&state, now), Ok(0), "the rest: it was sent already");

        let second = writer.append("attache", now, vec![raised("a2")]).unwrap()[0].seq;
        assert_eq!(notifier.tick(&state, now), Ok(1));
        let settled = rx.recv().await.unwrap();
        assert_eq!(settled.record, second);
        assert_eq!(settled.event.kind(), "notify.sent");
    });
}
