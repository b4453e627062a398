//! Checkpoints on real journal files: resuming from one gives exactly the state of folding the
//! whole journal, and a checkpoint that does not match the journal is ignored, not trusted.

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
            events.push(Event::Note { operator: "reyes".into(), text: format!("note {n}") });
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
    let resumed_at = state.last_seq;
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
    assert_eq!(resumed_at, at_checkpoint.last_seq, "the checkpoint was used");
    assert_eq!(resumed, fold_all(dir.path()));
}

#[test]
fn a_checkpoint_that_does_not_match_the_journal_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 0, 50);
    let path = checkpoint::save(dir.path(), &fold_all(dir.path())).unwrap();
    // Claim another sum for the record: as if the journal had been replaced under it.
    let text = std::fs::read_to_string(&path).unwrap();
    let (header, state) = text.split_once('\n').unwrap();
    let mut header: serde_json::Value = serde_json::from_str(header).unwrap();
    let sum = header["sum"].as_str().unwrap();
    let other = if sum.starts_with('0') { "1" } else { "0" };
    header["sum"] = format!("{other}{}", &sum[1..]).into();
    std::fs::write(&path, format!("{header}\n{state}")).unwrap();
    let (resumed, resumed_at) = resume_and_catch_up(dir.path());
    assert_eq!(resumed_at, 0, "the forged checkpoint was not used");
    assert_eq!(resumed, fold_all(dir.path()));
}

#[test]
fn only_the_newest_checkpoints_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..4 {
        write(dir.path(), round * 10, round * 10 + 10);
        checkpoint::save(dir.path(), &fold_all(dir.path())).unwrap();
    }
    let kept = std::fs::read_dir(dir.path().join(checkpoint::DIR)).unwrap().count();
    assert_eq!(kept, checkpoint::KEEP);
}
