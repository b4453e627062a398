//! Fuzzing the journal reader and `journal verify`: arbitrary bytes as a segment, and a real
//! journal cut anywhere or with any byte of its segment, index or head flipped. Verify always
//! answers (intact or damaged) and never panics; a cut or a flipped segment byte never verifies
//! as intact; the readers (read_all, a Follower) never panic.
//! `FUZZ_CASES=N cargo test --test fuzz_journal` runs N times as many cases.

mod fuzz_support;

use std::path::Path;
use std::sync::LazyLock;

use attache::event::Event;
use attache::journal::{self, Follower, Writer, head, segment, verify};
use chrono::{Duration, Utc};
use fuzz_support::{config, mutate, mutations};
use proptest::prelude::*;

/// The files of a real journal of 24 records: segment, index, head.
struct Files {
    segment: Vec<u8>,
    index: Vec<u8>,
    head: Vec<u8>,
}

static REAL: LazyLock<Files> = LazyLock::new(|| {
    let tmp = tempfile::tempdir().unwrap();
    let mut writer = Writer::open(tmp.path()).unwrap();
    let start = Utc::now() - Duration::hours(1);
    let texts = [
        "relief convoy at Kherson",
        "tsu\u{200b}nami \u{1b}[2J",
        "日本 \"quoted\" \\ back",
        "",
        "é\u{301}\n\t",
    ];
    for i in 0..24 {
        let text = format!("{} {i}", texts[i as usize % texts.len()]);
        let event = Event::Note { operator: "reyes".into(), text, mission: None, alert: None, contact: None };
        writer.append("reyes", start + Duration::seconds(i), vec![event]).unwrap();
    }
    drop(writer);
    let read = |p: &Path| std::fs::read(p).unwrap_or_default();
    Files {
        segment: read(&segment::segment_path(tmp.path(), 1)),
        index: read(&segment::index_path(tmp.path(), 1)),
        head: read(&head::path(tmp.path())),
    }
});

/// A journal directory holding these files (an empty one left out).
fn journal_of(segment: &[u8], index: &[u8], head: &[u8]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(segment::segment_path(tmp.path(), 1), segment).unwrap();
    if !index.is_empty() {
        std::fs::write(segment::index_path(tmp.path(), 1), index).unwrap();
    }
    if !head.is_empty() {
        std::fs::write(head::path(tmp.path()), head).unwrap();
    }
    tmp
}

/// Whether verify finds the journal intact (an error is an answer too: damaged); and the
/// readers must not panic on it.
fn intact(dir: &Path) -> bool {
    let _ = journal::read_all(dir);
    let mut follower = Follower::new(dir);
    let _ = follower.poll();
    matches!(verify::verify(dir), Ok(report) if report.intact())
}

#[test]
fn the_real_journal_verifies_intact() {
    let real = &*REAL;
    assert!(!real.head.is_empty(), "the writer keeps a head");
    let tmp = journal_of(&real.segment, &real.index, &real.head);
    assert!(intact(tmp.path()));
}

/// Found by fuzzing: a segment ending in part of a line (a torn tail, or a cut) made every
/// reader loop for ever, rescanning the partial line. Run on a thread so a regression fails.
#[test]
fn a_segment_ending_mid_line_is_read_up_to_its_last_whole_line() {
    let real = &*REAL;
    let cut = real.segment.len() - 10;
    let tmp = journal_of(&real.segment[..cut], &real.index, &real.head);
    let dir = tmp.path().to_path_buf();
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(journal::read_all(&dir).map(|(records, _)| records.len())));
    let read = result.recv_timeout(std::time::Duration::from_secs(20)).expect("read_all returns");
    assert_eq!(read.unwrap(), 23, "the 23 whole records before the cut");
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_as_a_segment_never_panic(
        bytes in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..2048),
            mutations(12).prop_map(|m| mutate(&REAL.segment, &m)),
        ],
        with_head in any::<bool>(),
    ) {
        let head = if with_head { REAL.head.clone() } else { Vec::new() };
        let tmp = journal_of(&bytes, &[], &head);
        let _ = intact(tmp.path());
    }

    #[test]
    fn a_cut_journal_never_verifies_intact(cut in 0..4096usize) {
        let real = &*REAL;
        let cut = cut % real.segment.len();
        let tmp = journal_of(&real.segment[..cut], &real.index, &real.head);
        prop_assert!(!intact(tmp.path()), "cut at byte {} of {} verifies intact", cut, real.segment.len());
        // Without its index the cut is still found, by the head.
        let tmp = journal_of(&real.segment[..cut], &[], &real.head);
        prop_assert!(!intact(tmp.path()), "cut at byte {} without index verifies intact", cut);
    }

    #[test]
    fn a_flipped_segment_byte_never_verifies_intact(at in any::<u16>(), mask in 1..=255u8, with_index in any::<bool>()) {
        let real = &*REAL;
        let mut segment = real.segment.clone();
        let i = at as usize % segment.len();
        segment[i] ^= mask;
        let index = if with_index { real.index.clone() } else { Vec::new() };
        let tmp = journal_of(&segment, &index, &real.head);
        prop_assert!(!intact(tmp.path()), "byte {} ^ {:#04x} verifies intact", i, mask);
    }

    #[test]
    fn a_flipped_index_or_head_byte_is_answered(at in any::<u16>(), mask in 1..=255u8, in_head in any::<bool>()) {
        let real = &*REAL;
        let (mut index, mut head) = (real.index.clone(), real.head.clone());
        let file = if in_head { &mut head } else { &mut index };
        let i = at as usize % file.len();
        file[i] ^= mask;
        let tmp = journal_of(&real.segment, &index, &head);
        let _ = intact(tmp.path());
    }
}
