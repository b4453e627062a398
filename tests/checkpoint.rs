//! Checkpoints on real journal files: resuming from one gives exactly the state of folding the
//! whole journal, and a checkpoint that does not match the journal is ignored, not trusted.

use std::io::{Read, Write};

use attache::checkpoint;
use attache::domain::{FeedItem, Location, Severity, Traffic};
use attache::event::Event;
use attache::journal::{Follower, Writer};
use attache::state::DeskState;

fn item(n: u32) -> Event {
    Event::ItemSeen {
        item: FeedItem {
            feed: "quakes".into(),
            id: format!("q{n}"),
            title: format!("M 5.{} - somewhere", n % 10),
            summary: None,
            link: None,
            published: None,
            updated: None,
            severity: Severity::Moderate,
            severity_raw: None,
            category: None,
            magnitude: Some(5.0),
            location: Some(Location::Point { lat: 14.0, lon: 121.0 }),
            expires: None,
            traffic: Traffic::Real,
        },
    }
}

fn write(dir: &std::path::Path, from: u32, to: u32) {
    let mut writer = Writer::open(dir).unwrap();
    for n in from..to {
        let mut events = vec![item(n)];
        if n % 7 == 0 {
            events.push(Event::Note {
                operator: "reyes".into(),
                text: format!("note {n}"),
                mission: None,
                alert: None,
                contact: None,
            });
        }
        writer.append("feed:quakes", chrono::Utc::now(), events).unwrap();
    }
}

fn fold_all(dir: &std::path::Path) -> DeskState {
    let mut state = DeskState::default();
    let (records, problems) = Follower::new(dir).poll().unwrap();
    assert!(problems.is_empty());
    state.apply_all(&records);
    state
}

fn resume_and_catch_up(dir: &std::path::Path) -> (DeskState, u64) {
    let (mut state, mut follower) = checkpoint::resume(dir);
    let resumed_at = state.last_seq();
    let (records, problems) = follower.poll().unwrap();
    assert!(problems.is_empty());
    state.apply_all(&records);
    (state, resumed_at)
}

#[test]
fn resuming_from_a_checkpoint_equals_folding_everything() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 0, 300);
    let at_checkpoint = fold_all(dir.path());
    checkpoint::save(dir.path(), &at_checkpoint).unwrap();
    write(dir.path(), 300, 420);
    let (resumed, resumed_at) = resume_and_catch_up(dir.path());
    assert_eq!(resumed_at, at_checkpoint.last_seq(), "the checkpoint was used");
    assert_eq!(resumed, fold_all(dir.path()));
}

#[test]
fn a_checkpoint_that_does_not_match_the_journal_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 0, 50);
    let path = checkpoint::save(dir.path(), &fold_all(dir.path())).unwrap();
    // Claim another sum for the record: as if the journal had been replaced under it.
    let text = gunzip(&path);
    let (header, state) = text.split_once('\n').unwrap();
    let mut header: serde_json::Value = serde_json::from_str(header).unwrap();
    let sum = header["sum"].as_str().unwrap();
    let other = if sum.starts_with('0') { "1" } else { "0" };
    header["sum"] = format!("{other}{}", &sum[1..]).into();
    gzip(&path, &format!("{header}\n{state}"));
    let (resumed, resumed_at) = resume_and_catch_up(dir.path());
    assert_eq!(resumed_at, 0, "the forged checkpoint was not used");
    assert_eq!(resumed, fold_all(dir.path()));
}

fn gunzip(path: &std::path::Path) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_string(&mut text).unwrap();
    text
}

fn gzip(path: &std::path::Path, text: &str) {
    let mut out = flate2::write::GzEncoder::new(std::fs::File::create(path).unwrap(), Default::default());
    out.write_all(text.as_bytes()).unwrap();
    out.finish().unwrap();
}

/// The records the checkpoints were taken at, checking that nothing else is in their directory.
fn kept(dir: &std::path::Path) -> Vec<u64> {
    let Ok(entries) = std::fs::read_dir(dir.join(checkpoint::DIR)) else { return Vec::new() };
    let names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != ".build.lock")
        .collect();
    let seqs = checkpoint::taken_at(dir);
    assert_eq!(names.len(), seqs.len(), "only checkpoints of this version are left: {names:?}");
    seqs
}

#[test]
fn the_newest_checkpoints_and_one_a_span_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..4 {
        write(dir.path(), round * 10, round * 10 + 10);
        checkpoint::save(dir.path(), &fold_all(dir.path())).unwrap();
    }
    // All four in the first span of EVERY records: its first, and the newest two.
    assert_eq!(kept(dir.path()), [12, 35, 46]);
}

#[test]
fn another_versions_checkpoints_are_replaced_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = Writer::open(dir.path()).unwrap();
    let batch: Vec<Event> = (0..1000).map(item).collect();
    for _ in 0..11 {
        writer.append("feed:quakes", chrono::Utc::now(), batch.clone()).unwrap();
    }
    drop(writer);
    let older = dir.path().join(checkpoint::DIR);
    std::fs::create_dir_all(&older).unwrap();
    for name in ["000000010000.v0.0.1s1.json.gz", "000000010000.json", "000000010000.v0.0.1s3.carry.json"] {
        std::fs::write(older.join(name), "from an older attache").unwrap();
    }
    let built = checkpoint::build(dir.path(), |_| {}).unwrap();
    assert_eq!(built.written, 1, "the older version's file does not cover its span");
    assert_eq!(kept(dir.path()), [10_000]);
}

#[test]
fn build_leaves_one_checkpoint_a_span_and_each_resumes_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = Writer::open(dir.path()).unwrap();
    let batch: Vec<Event> = (0..1000).map(item).collect();
    let spans = 2 * checkpoint::EVERY / 1000 + 1;
    for _ in 0..spans {
        writer.append("feed:quakes", chrono::Utc::now(), batch.clone()).unwrap();
    }
    drop(writer);
    let built = checkpoint::build(dir.path(), |_| {}).unwrap();
    assert_eq!(built.records, spans * 1000);
    assert_eq!(built.written, 2);
    assert!(built.problems.is_empty());
    assert_eq!(kept(dir.path()), [10_000, 20_000]);
    // A second run finds nothing to do.
    assert_eq!(checkpoint::build(dir.path(), |_| {}).unwrap().written, 0);

    // Each resumes to the state of folding up to its record.
    let everything = fold_all(dir.path());
    for limit in [9_999, 10_000, 15_000, 20_000, u64::MAX] {
        let resumed = checkpoint::resume_before::<DeskState>(dir.path(), limit);
        let expected_at = match limit {
            9_999 => None,
            10_000 | 15_000 => Some(10_000),
            _ => Some(20_000),
        };
        assert_eq!(resumed.as_ref().map(|(state, _)| state.last_seq()), expected_at, "limit {limit}");
        if let Some((mut state, mut follower)) = resumed {
            state.fold_all(follower.poll().unwrap().0);
            assert_eq!(state, everything);
        }
    }
}

/// A writer killed mid-write leaves its temporary file; the next save removes it once it is
/// clearly abandoned, and leaves one that may still be being written.
#[test]
fn abandoned_temporary_files_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 0, 20);
    let checkpoints = dir.path().join(checkpoint::DIR);
    std::fs::create_dir_all(&checkpoints).unwrap();
    let (old, fresh) =
        (checkpoints.join(".000000000005.4242.tmp"), checkpoints.join(".000000000007.4343.tmp"));
    for path in [&old, &fresh] {
        std::fs::write(path, b"half a checkpoint").unwrap();
    }
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&old).unwrap().set_modified(an_hour_ago).unwrap();
    checkpoint::save(dir.path(), &fold_all(dir.path())).unwrap();
    assert!(!old.exists(), "an hour-old temporary file is removed");
    assert!(fresh.exists(), "a fresh one may be another writer's");
}

/// Three spans of records, each checkpointed by `build`.
fn three_spans(dir: &std::path::Path, stamped: impl Fn(u64) -> chrono::DateTime<chrono::Utc>) {
    let mut writer = Writer::open(dir).unwrap();
    let batch: Vec<Event> = (0..1000).map(item).collect();
    for n in 0..25 {
        writer.append("feed:quakes", stamped(n), batch.clone()).unwrap();
    }
}

#[test]
fn build_folds_from_the_checkpoint_before_the_first_span_without_one() {
    let dir = tempfile::tempdir().unwrap();
    three_spans(dir.path(), |_| chrono::Utc::now());
    assert_eq!(checkpoint::build(dir.path(), |_| {}).unwrap().written, 2);
    let second = dir.path().join(checkpoint::DIR).join(format!(
        "000000020000.{}",
        std::fs::read_dir(dir.path().join(checkpoint::DIR))
            .unwrap()
            .filter_map(|e| e.unwrap().file_name().into_string().ok())
            .find_map(|name| name.strip_prefix("000000010000.").map(str::to_string))
            .unwrap()
    ));
    std::fs::remove_file(&second).unwrap();

    let built = checkpoint::build(dir.path(), |_| {}).unwrap();
    assert_eq!(built.written, 1);
    assert_eq!(built.records, 15_000, "from the checkpoint at 10,000 to the end");
    let (mut state, mut follower) = checkpoint::resume_before::<DeskState>(dir.path(), 20_000).unwrap();
    assert_eq!(state.last_seq(), 20_000);
    state.fold_all(follower.poll().unwrap().0);
    assert_eq!(state, fold_all(dir.path()));
}

#[test]
fn a_second_build_along_the_same_journal_is_refused_while_one_runs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 0, 20);
    let lock_path = dir.path().join(checkpoint::DIR).join(".build.lock");
    std::fs::create_dir_all(lock_path.parent().unwrap()).unwrap();
    let held = std::fs::File::create(&lock_path).unwrap();
    held.lock().unwrap();
    let refused = checkpoint::build(dir.path(), |_| {}).unwrap_err();
    assert!(refused.contains("another process is writing checkpoints"), "{refused}");
    drop(held);
    assert!(checkpoint::build(dir.path(), |_| {}).is_ok());
}

fn brief_the_last_hour(dir: &std::path::Path, extra: &[&str]) {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(["--config", concat!(env!("CARGO_MANIFEST_DIR"), "/config/attache.toml"), "--journal"])
        .arg(dir)
        .args(["brief", "--since", "1h", "--format", "json", "-o"])
        .arg(dir.join("brief.json"))
        .args(extra)
        .status()
        .unwrap();
    assert!(status.success());
}

/// A briefing of the last hour of a journal without checkpoints folds 24,000 records before its
/// period; it leaves the checkpoints along them behind it (in a process of its own, once the
/// briefing is out), so the next starts near its period. `--read-only` leaves none.
#[test]
fn a_briefing_that_found_no_checkpoint_before_its_period_leaves_them_behind() {
    let dir = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now();
    three_spans(dir.path(), |n| if n < 24 { now - chrono::Duration::days(2) } else { now });

    brief_the_last_hour(dir.path(), &["--read-only"]);
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(checkpoint::taken_at(dir.path()), Vec::<u64>::new(), "--read-only leaves nothing");

    brief_the_last_hour(dir.path(), &[]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while checkpoint::taken_at(dir.path()) != [10_000, 20_000] {
        assert!(std::time::Instant::now() < deadline, "left behind: {:?}", checkpoint::taken_at(dir.path()));
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (state, _) =
        checkpoint::resume_before::<DeskState>(dir.path(), 24_000).expect("the checkpoint checks out");
    assert_eq!(state.last_seq(), 20_000);
}

/// A briefing restores from a checkpoint only what it carries over (not the items and log lines
/// that are most of the file): those parts are the state's, field for field.
#[test]
fn a_briefing_restores_from_a_checkpoint_the_parts_of_the_state_it_carries() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("tests/fixtures/journeys/watch-2026-11-25.jsonl").unwrap();
    let mut writer = Writer::open(dir.path()).unwrap();
    for line in text.lines() {
        let record: attache::event::Record = serde_json::from_str(line).unwrap();
        writer.append(&record.by, record.ts, vec![record.event]).unwrap();
    }
    let last = attache::journal::read_all(dir.path()).unwrap().0.last().unwrap().ts;
    let events = vec![
        Event::MissionStatusChanged {
            mission: "KFOR".into(),
            status: attache::domain::MissionStatus::Suspended,
            note: Some("road shut".into()),
        },
        Event::RollcallOpened {
            rollcall: "RC1".into(),
            contacts: vec!["Lt Col. Mirela Kovač".into()],
            deadline: last + chrono::Duration::hours(1),
            mission: Some("KFOR".into()),
            alert: None,
            reason: "road closure".into(),
        },
    ];
    writer.append("reyes", last, events).unwrap();
    let state = fold_all(dir.path());
    assert!(!state.alerts().is_empty() && !state.check_ins().is_empty() && !state.feeds().is_empty());
    assert!(!state.missions().is_empty() && !state.rollcalls().is_empty());
    checkpoint::save(dir.path(), &state).unwrap();
    let (carried, _): (attache::state::Carried, _) =
        checkpoint::resume_before(dir.path(), u64::MAX).expect("read as what a briefing carries");
    assert_eq!(carried.last_seq, state.last_seq());
    assert_eq!(&carried.alerts, state.alerts());
    assert_eq!(&carried.feeds, state.feeds());
    assert_eq!(&carried.check_ins, state.check_ins());
    assert_eq!(&carried.missions, state.missions());
    assert_eq!(&carried.rollcalls, state.rollcalls());
    assert_eq!(&carried.elsewhere.rollcalls, state.others_rollcalls());
    assert_eq!(carried.config.as_ref(), state.config_in_force());
}
