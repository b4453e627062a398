//! The journal's head (`journal.head`): how far the journal reached, kept beside the segments, so
//! that a journal cut at a record boundary is damage that `journal verify` reports with what is
//! missing, that writers refuse, and that nothing "repairs" by shrinking or rebuilding the index.
//! Real processes over real files.

mod journal_support;
mod tmux_support;

use attache::journal::{self, Writer};
use chrono::Utc;
use journal_support::{attache, note};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CONFIG: &str = "config/attache.toml";
const RECORDS: u64 = 1000;

/// A journal of `RECORDS` acknowledged notes, written ten at a time, each batch durable before
/// the next; returns the byte offset where each record's line starts, and the segment's length.
fn journal(dir: &Path) -> (Vec<u64>, u64) {
    let mut writer = Writer::open(dir).unwrap();
    for batch in 0..RECORDS / 10 {
        let notes =
            (0..10).map(|i| note(format!("acknowledged note {} {}", batch * 10 + i + 1, "x".repeat(200))));
        writer.append("reyes", Utc::now(), notes.collect()).unwrap();
    }
    drop(writer);
    let bytes = std::fs::read(segment(dir)).unwrap();
    let starts = std::iter::once(0)
        .chain(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i as u64 + 1))
        .take(RECORDS as usize)
        .collect();
    (starts, bytes.len() as u64)
}

fn segment(dir: &Path) -> PathBuf {
    journal::segment::segment_path(dir, 1)
}

/// Cuts the segment so that it ends just before record `seq`: a cut at a record boundary.
fn cut_before(dir: &Path, starts: &[u64], seq: u64) -> u64 {
    let at = starts[seq as usize - 1];
    std::fs::OpenOptions::new().write(true).open(segment(dir)).unwrap().set_len(at).unwrap();
    at
}

/// Every file of the journal directory and its bytes, but the empty lock files.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path.extension().is_none_or(|e| e != "lock") {
            files.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    files
}

fn verify(dir: &Path) -> std::process::Output {
    attache().arg("--journal").arg(dir).args(["journal", "verify"]).output().unwrap()
}

fn note_cmd(dir: &Path, text: &str) -> std::process::Output {
    attache().args(["--config", CONFIG, "--journal"]).arg(dir).args(["note", text]).output().unwrap()
}

fn text(out: &std::process::Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_cut_at_a_record_boundary_fails_verify_naming_the_missing_records() {
    let tmp = tempfile::tempdir().unwrap();
    let (starts, _) = journal(tmp.path());
    let at = cut_before(tmp.path(), &starts, RECORDS - 19);
    let out = verify(tmp.path());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "a cut journal is damaged: {stdout}{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let place = format!("{} byte {at}", segment(tmp.path()).display());
    assert!(stdout.contains(&place), "located: {stdout}");
    assert!(
        stdout.contains("records 981..1000 missing: the journal ends at #980 but its head says #1000 (sum "),
        "{stdout}"
    );
}

#[test]
fn a_cut_an_index_entry_exposes_is_refused_by_writers_and_nothing_is_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (starts, _) = journal(dir);
    let at = cut_before(dir, &starts, RECORDS - 299);
    let index = std::fs::read(journal::segment::index_path(dir, 1)).unwrap();
    let past_end = index
        .chunks_exact(journal::segment::ENTRY)
        .map(journal::segment::IndexEntry::from_bytes)
        .any(|e| e.offset >= at);
    assert!(past_end, "the index should name a record past the cut");
    let before = snapshot(dir);

    let out = note_cmd(dir, "after the cut");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
    assert!(stderr.contains("records 701..1000 missing"), "{stderr}");
    assert!(stderr.contains("--after-damage"), "{stderr}");
    assert!(snapshot(dir) == before, "the journal or its index was changed");

    // What a console opens with refuses too, and leaves the files as they are.
    let err = Writer::open(dir).err().expect("a cut journal is not opened for writing");
    assert!(err.to_string().contains("records 701..1000 missing"), "{err}");
    assert!(snapshot(dir) == before, "the journal or its index was changed");

    let out = verify(dir);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("records 701..1000 missing"), "{stdout}");
}

#[test]
fn records_written_before_the_head_was_advanced_are_not_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    journal(dir);
    let head = dir.join("journal.head");
    let old = std::fs::read(&head).expect("the journal keeps a head");
    // A writer killed after its records reached the disk but before it advanced the head.
    let mut writer = Writer::open(dir).unwrap();
    writer.append("reyes", Utc::now(), vec![note("written"), note("not yet in the head")]).unwrap();
    drop(writer);
    std::fs::write(&head, old).unwrap();

    let out = verify(dir);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("seq 1..1002"), "{stdout}");
    let out = note_cmd(dir, "next");
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(verify(dir).status.success());
}

#[test]
fn a_corrupt_head_is_reported_and_not_trusted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    journal(dir);
    let head = dir.join("journal.head");
    let mut bytes = std::fs::read(&head).unwrap();
    assert!(!bytes.is_empty());
    // Every copy of the head changed: none can be trusted.
    for b in bytes.iter_mut().filter(|b| b.is_ascii_digit()) {
        *b = if *b == b'9' { b'0' } else { *b + 1 };
    }
    std::fs::write(&head, &bytes).unwrap();
    let before = snapshot(dir);

    let out = verify(dir);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("journal.head") && stdout.contains("head file is damaged"), "{stdout}");
    let out = note_cmd(dir, "x");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("head file is damaged"), "{stderr}");
    assert!(snapshot(dir) == before, "the journal was changed");
}

#[test]
fn a_journal_without_a_head_says_so_once_and_starts_keeping_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (starts, _) = journal(dir);
    // A journal written by a version without heads.
    std::fs::remove_file(dir.join("journal.head")).unwrap();
    let out = verify(dir);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "no head is not damage: {stdout}{stderr}");
    assert!(stderr.contains("no head yet"), "{stderr}");

    let out = note_cmd(dir, "first with a head");
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("no head yet"), "said once, by the writer that starts one: {stderr}");
    let out = note_cmd(dir, "second");
    assert!(out.stderr.is_empty(), "{:?}", text(&out));
    let (_, stderr) = text(&verify(dir));
    assert!(!stderr.contains("no head"), "{stderr}");

    // From now on a cut is seen.
    cut_before(dir, &starts, RECORDS - 19);
    assert_eq!(verify(dir).status.code(), Some(1));
}

#[test]
fn after_damage_a_cut_journal_is_written_after_and_the_head_follows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (starts, _) = journal(dir);
    cut_before(dir, &starts, RECORDS - 19);
    let out = attache()
        .args(["--config", CONFIG, "--journal"])
        .arg(dir)
        .args(["note", "--after-damage", "carry on"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let (records, _) = journal::read_all(dir).unwrap();
    let damage = records.iter().find_map(|r| match &r.event {
        attache::event::Event::JournalWrittenAfterDamage { damage, .. } => Some(damage.clone()),
        _ => None,
    });
    assert!(damage.is_some_and(|d| d.contains("records 981..1000 missing")), "the loss is journaled");
    assert!(verify(dir).status.success(), "{:?}", text(&verify(dir)));
    assert!(note_cmd(dir, "and on").status.success());
}

#[test]
fn with_its_head_file_gone_a_checkpoint_still_shows_a_cut() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (starts, _) = journal(dir);
    let (records, _) = journal::read_all(dir).unwrap();
    let mut state = attache::state::DeskState::default();
    state.apply_all(&records);
    attache::checkpoint::save(dir, &state).unwrap();
    std::fs::remove_file(dir.join("journal.head")).unwrap();
    cut_before(dir, &starts, RECORDS - 19);
    let before = snapshot(dir);

    let out = verify(dir);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("records 981..1000 missing") && stdout.contains("the checkpoint at #1000"),
        "{stdout}"
    );
    let out = note_cmd(dir, "x");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("records 981..1000 missing"), "{stderr}");
    assert!(snapshot(dir) == before, "the journal was changed");
}

#[test]
fn a_damaged_last_record_the_head_names_is_not_set_aside_as_a_torn_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (starts, len) = journal(dir);
    // One byte of the last acknowledged note changed: nothing good follows it, yet it is no
    // torn write, since the head says it was written whole.
    let mut bytes = std::fs::read(segment(dir)).unwrap();
    let at = starts[RECORDS as usize - 1] as usize + 40;
    bytes[at] ^= 0x01;
    assert_eq!(bytes.len() as u64, len);
    std::fs::write(segment(dir), &bytes).unwrap();
    let before = snapshot(dir);

    let err = Writer::open(dir).err().expect("the last record is damaged, not torn");
    let message = err.to_string();
    assert!(message.contains("record 1000 missing") && message.contains("damaged or cut short"), "{message}");
    assert!(snapshot(dir) == before, "the record was set aside");
    let out = note_cmd(dir, "x");
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    assert!(snapshot(dir) == before, "the record was set aside");
}

/// In a real terminal: a console opened on a cut journal says it is damaged, appends nothing and
/// changes nothing (before, it rebuilt the index to fit and carried on).
#[test]
fn a_console_on_a_cut_journal_shows_it_damaged_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("journal");
    let (starts, _) = journal(&dir);
    cut_before(&dir, &starts, RECORDS - 299);
    let before = snapshot(&dir);
    // A desk without feeds: nothing but the journal to show.
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), tmp.path().join(file)).unwrap();
    }
    let config = tmp.path().join("attache.toml");
    std::fs::write(
        &config,
        "[desk]\nname = \"Test desk\"\ntz = \"UTC\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n",
    )
    .unwrap();
    let command = format!(
        "{} --config {} --journal {}",
        env!("CARGO_BIN_EXE_attache"),
        config.display(),
        dir.display()
    );
    let tmux = tmux_support::Tmux::new("cut-journal", "console");
    tmux.start(200, 40, &command);
    tmux.wait_for("the journal shown damaged", |s| s.contains("JOURNAL DAMAGED"));
    // q asks, q again quits (this console holds the desk's poller lock).
    tmux.keys(&["q"]);
    tmux.wait_for("the question", |s| s.contains("Quit?"));
    tmux.keys(&["q"]);
    tmux.wait_for("the console gone", |s| !s.contains("JOURNAL DAMAGED"));
    assert!(snapshot(&dir) == before, "the console changed the cut journal");
    assert!(text(&verify(&dir)).0.contains("records 701..1000 missing"));
}

#[test]
fn a_journal_whose_segments_are_all_gone_is_not_started_afresh() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    journal(dir);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl" || e == "idx") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let out = verify(dir);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    assert!(text(&out).0.contains("records 1..1000 missing"), "{:?}", text(&out));
    let out = note_cmd(dir, "a fresh start?");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("records 1..1000 missing") && stderr.contains("--after-damage"), "{stderr}");
    assert!(journal::segment::list(dir).unwrap().is_empty(), "nothing was written");
}
