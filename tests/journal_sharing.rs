//! Several consoles on one host: four real processes appending at once lose, duplicate and
//! interleave nothing; a follower sees another process's note at its next poll; readers cross
//! segment boundaries and seek by time and seq.

mod journal_support;

use attache::event::Event;
use attache::journal::{self, Follower, Options, Writer};
use chrono::{DateTime, Duration, Utc};
use journal_support::{Rng, attache, child, child_dir, note};
use std::collections::HashMap;

const PER_PROCESS: usize = 600;
const SMALL_SEGMENTS: Options =
    Options { segment_bytes: 64 * 1024, commit_interval: std::time::Duration::from_millis(10) };

/// The child: appends PER_PROCESS notes `P#k`, singly and in batches, into small segments.
#[test]
fn child_concurrent_appender() {
    let Some(dir) = child_dir() else { return };
    let name = std::env::var("ATTACHE_TEST_CHILD_NAME").expect("the child's name");
    let mut writer = Writer::open_with(&dir, SMALL_SEGMENTS).expect("open");
    let mut rng = Rng(name.bytes().fold(7, |h, b| h * 31 + u64::from(b)));
    let mut k = 0;
    while k < PER_PROCESS {
        let n = (1 + rng.below(20) as usize).min(PER_PROCESS - k);
        let events: Vec<Event> = (k..k + n).map(|i| note(format!("{name}#{i}"))).collect();
        if n == 1 {
            writer.append(&name, Utc::now(), events).expect("append");
        } else {
            writer.append_batch(&name, Utc::now(), events).expect("append_batch");
        }
        k += n;
    }
    writer.sync().expect("sync");
}

#[test]
fn four_processes_appending_at_once_lose_duplicate_and_interleave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let names = ["alpha", "bravo", "charlie", "delta"];
    let children: Vec<_> = names
        .iter()
        .map(|name| {
            child("child_concurrent_appender", dir)
                .env("ATTACHE_TEST_CHILD_NAME", name)
                .spawn()
                .expect("spawn")
        })
        .collect();
    for mut process in children {
        assert!(process.wait().unwrap().success(), "a child failed");
    }
    let report = journal::verify::verify(dir).unwrap();
    assert!(report.intact(), "{:?}", report.problems);
    assert!(report.segments > 1, "small segments should have rotated");
    let (records, problems) = journal::read_all(dir).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records.len(), names.len() * PER_PROCESS);
    let mut next: HashMap<String, usize> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record.seq, i as u64 + 1, "seqs strictly increase with no gap");
        let Event::Note { text, .. } = &record.event else { panic!("only notes were written") };
        let (name, k) = text.split_once('#').unwrap();
        assert_eq!(name, record.by);
        // Each process's notes arrive exactly once and in its own order.
        let expected = next.entry(name.to_string()).or_default();
        assert_eq!(k.parse::<usize>().unwrap(), *expected, "{name}: lost, duplicated or reordered");
        *expected += 1;
    }
    assert!(next.values().all(|&n| n == PER_PROCESS));
    let timestamps: Vec<_> = records.iter().map(|r| r.ts).collect();
    assert!(timestamps.windows(2).all(|w| w[0] <= w[1]), "time never runs backwards along the journal");
}

#[test]
fn a_second_console_sees_a_note_from_another_process_at_its_next_poll() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("journal");
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml");
    let mut first = Writer::open(&dir).unwrap();
    first.append("reyes", Utc::now(), vec![note("on watch")]).unwrap();
    let mut follower = Follower::new(&dir);
    assert_eq!(follower.poll().unwrap().0.len(), 1);

    // `attache note` is another process; once it has exited, its note is durable.
    let out = attache()
        .arg("--config")
        .arg(&config)
        .arg("--journal")
        .arg(&dir)
        .args(["note", "Called DATT Tokyo"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The console polls every 250 ms; one poll after the write is all it takes.
    let (records, problems) = follower.poll().unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert!(
        matches!(&records[..], [r] if matches!(&r.event, Event::Note { text, .. } if text == "Called DATT Tokyo"))
    );

    // And the other way round: this process's append after theirs continues the chain.
    let records = first.append("reyes", Utc::now(), vec![note("ack")]).unwrap();
    assert_eq!(records[0].seq, 3);
    assert_eq!(follower.poll().unwrap().0[0].seq, 3);
}

#[test]
fn followers_cross_segments_and_seek_by_time_and_seq() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let start: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    let mut writer = Writer::open_with(dir, SMALL_SEGMENTS).unwrap();
    let mut live = Follower::new(dir);
    let mut seen = 0;
    for minute in 0..3000 {
        let text = format!("minute {minute} {}", "·".repeat(40));
        writer.append_batch("reyes", start + Duration::minutes(minute), vec![note(text)]).unwrap();
        if minute % 97 == 0 {
            let (records, problems) = live.poll().unwrap();
            assert!(problems.is_empty(), "{problems:?}");
            seen += records.len();
        }
    }
    writer.sync().unwrap();
    seen += live.poll().unwrap().0.len();
    assert_eq!(seen, 3000, "the live follower saw every record once across rotations");
    assert!(journal::segment::list(dir).unwrap().len() > 5);

    for minute in [0, 1, 777, 1500, 2999] {
        let (records, _) =
            Follower::from_time(dir, start + Duration::minutes(minute)).unwrap().poll().unwrap();
        assert_eq!(records.first().map(|r| r.seq), Some(minute as u64 + 1), "from_time minute {minute}");
        assert_eq!(records.len(), 3000 - minute as usize);
        let (records, _) = Follower::from_seq(dir, minute as u64 + 1).unwrap().poll().unwrap();
        assert_eq!(records.first().map(|r| r.seq), Some(minute as u64 + 1), "from_seq {minute}");
    }
    // Between two records: the next one. After the last: nothing, until more is written.
    let between = start + Duration::minutes(10) + Duration::seconds(30);
    assert_eq!(Follower::from_time(dir, between).unwrap().poll().unwrap().0[0].seq, 12);
    let mut end = Follower::from_time(dir, start + Duration::days(30)).unwrap();
    assert!(end.poll().unwrap().0.is_empty());
    writer.append("reyes", start + Duration::days(31), vec![note("later")]).unwrap();
    assert_eq!(end.poll().unwrap().0[0].seq, 3001);
    assert_eq!(Follower::at_end(dir).unwrap().last_seq(), Some(3001));

    // Catching up in bounded batches reads every record once, in order.
    let mut batches = Follower::new(dir);
    let mut next_seq = 1;
    loop {
        let (records, _) = batches.poll_up_to(7).unwrap();
        for record in &records {
            assert_eq!(record.seq, next_seq);
            next_seq += 1;
        }
        if records.len() < 7 {
            break;
        }
    }
    assert_eq!(next_seq, 3002);
}

#[test]
fn two_writers_taking_turns_keep_one_consistent_index() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut a = Writer::open(dir).unwrap();
    let mut b = Writer::open(dir).unwrap();
    for round in 0..200 {
        let writer = if round % 3 == 0 { &mut b } else { &mut a };
        let events = (0..10).map(|i| note(format!("round {round} #{i} {}", "z".repeat(500)))).collect();
        writer.append_batch("reyes", Utc::now(), events).unwrap();
    }
    drop((a, b));
    let report = journal::verify::verify(dir).unwrap();
    assert!(report.intact(), "{:?} {:?}", report.problems, report.index_problems);
    let len = std::fs::metadata(journal::segment::segment_path(dir, 1)).unwrap().len();
    let entries = journal::segment::read_index(dir, 1, len);
    // One entry per 64 KiB of records, none duplicated or missing.
    eprintln!("{len} {}", entries.len());
    assert_eq!(entries.len() as u64, len.div_ceil(journal::segment::INDEX_EVERY), "{entries:?}");
}
