//! Command-line writers and a damaged journal, as real processes over real files: refused with
//! what `journal verify` finds and nothing written, unless told to write after the damage,
//! which is then journaled.

use assert_cmd::Command;
use attache::event::Event;
use attache::journal::Writer;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CONFIG: &str = "config/attache.toml";

/// Notes in the damaged journal: enough that the damage lies well before the end a writer
/// checks at open (the records after the last index entry).
const NOTES: u64 = 1500;

/// A journal of `NOTES` notes with one byte of the third flipped; returns its segment.
fn damaged_journal(dir: &Path) -> PathBuf {
    let mut writer = Writer::open(dir).unwrap();
    let notes = (1..=NOTES)
        .map(|i| Event::Note {
            operator: "reyes".into(),
            text: format!("note number {i} "),
            mission: None,
            alert: None,
            contact: None,
        })
        .collect();
    writer.append("reyes", chrono::Utc::now(), notes).unwrap();
    let segment = writer.path().to_path_buf();
    drop(writer);
    let mut bytes = std::fs::read(&segment).unwrap();
    let at = bytes.windows(14).position(|w| w == b"note number 3 ").unwrap() + 12;
    bytes[at] = b'8';
    std::fs::write(&segment, bytes).unwrap();
    segment
}

/// Every file of the journal directory and its bytes, but the empty lock files (which hold
/// nothing, and which `poll` takes before anything else).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_none_or(|e| e != "lock") {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Exit 1, nothing on stdout, one sentence on stderr naming the damaged record as verify does.
fn assert_refused(out: &std::process::Output, segment: &Path) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
    let place = format!("{} byte ", segment.display());
    assert!(stderr.contains(&place) && stderr.contains("(seq 3)"), "names the record: {stderr}");
    assert!(stderr.contains("journal verify") && stderr.contains("--after-damage"), "{stderr}");
}

#[test]
fn note_refuses_a_damaged_journal_and_leaves_it_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let segment = damaged_journal(tmp.path());
    let before = snapshot(tmp.path());
    let mut cmd = Command::cargo_bin("attache").unwrap();
    let out =
        cmd.args(["--config", CONFIG, "--journal"]).arg(tmp.path()).args(["note", "x"]).output().unwrap();
    assert_refused(&out, &segment);
    assert!(snapshot(tmp.path()) == before, "the journal was changed");
}

#[test]
fn checkin_refuses_a_damaged_journal_and_leaves_it_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let segment = damaged_journal(tmp.path());
    let before = snapshot(tmp.path());
    let mut cmd = Command::cargo_bin("attache").unwrap();
    let out = cmd
        .args(["--config", CONFIG, "--journal"])
        .arg(tmp.path())
        .args(["checkin", "Col. Ana Reyes"])
        .output()
        .unwrap();
    assert_refused(&out, &segment);
    assert!(snapshot(tmp.path()) == before, "the journal was changed");
}

#[test]
fn mission_refuses_a_damaged_journal_and_leaves_it_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let segment = damaged_journal(tmp.path());
    let before = snapshot(tmp.path());
    let mut cmd = Command::cargo_bin("attache").unwrap();
    let out = cmd
        .args(["--config", CONFIG, "--journal"])
        .arg(tmp.path())
        .args(["mission", "KFOR", "--status", "suspended"])
        .output()
        .unwrap();
    assert_refused(&out, &segment);
    assert!(snapshot(tmp.path()) == before, "the journal was changed");
}

#[test]
fn note_after_damage_appends_and_journals_that_it_did() {
    let tmp = tempfile::tempdir().unwrap();
    let segment = damaged_journal(tmp.path());
    let mut cmd = Command::cargo_bin("attache").unwrap();
    cmd.args(["--config", CONFIG, "--journal"]).arg(tmp.path()).args(["note", "--after-damage", "x"]);
    cmd.assert().success();
    let (records, problems) = attache::journal::read_all(tmp.path()).unwrap();
    assert_eq!(problems.len(), 1, "only the flipped record is damaged: {problems:?}");
    let kinds: Vec<&str> = records.iter().map(|r| r.event.kind()).collect();
    assert_eq!(kinds[kinds.len() - 2..], ["journal.written_after_damage", "note"]);
    let Event::JournalWrittenAfterDamage { damage, .. } = &records[records.len() - 2].event else {
        unreachable!()
    };
    assert!(damage.contains(&segment.display().to_string()) && damage.contains("(seq 3)"), "{damage}");
    assert_eq!(records.last().unwrap().seq, NOTES + 2);
    // Verify finds the same one damaged record, and the records after it chained.
    let report = attache::journal::verify::verify(tmp.path()).unwrap();
    assert_eq!((report.problem_count, report.records), (1, NOTES + 2), "{:?}", report.problems);
    // The next writer without the flag still refuses.
    let mut cmd = Command::cargo_bin("attache").unwrap();
    let out =
        cmd.args(["--config", CONFIG, "--journal"]).arg(tmp.path()).args(["note", "y"]).output().unwrap();
    assert_refused(&out, &segment);
}

#[test]
fn poll_once_refuses_a_damaged_journal_and_leaves_it_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    let segment = damaged_journal(&journal);
    // A feed at a port nothing listens on: polled, it would journal its failure.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), tmp.path().join(file)).unwrap();
    }
    let config = tmp.path().join("attache.toml");
    std::fs::write(
        &config,
        format!(
            "[desk]\nname = \"Test desk\"\ntz = \"UTC\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n\n\
             [[feed]]\nname = \"down\"\nkind = \"usgs-geojson\"\nurl = \"http://127.0.0.1:{port}/x\"\ntimeout = \"2s\"\n"
        ),
    )
    .unwrap();
    let before = snapshot(&journal);
    let mut cmd = Command::cargo_bin("attache").unwrap();
    let out = cmd
        .arg("--config")
        .arg(&config)
        .arg("--journal")
        .arg(&journal)
        .args(["poll", "--once"])
        .output()
        .unwrap();
    assert_refused(&out, &segment);
    assert!(snapshot(&journal) == before, "the journal was changed");
}

/// With a checkpoint (the desk state folded to record 1000, as a console leaves it), a writer
/// checks the records after it rather than all of them: damage there is still refused.
#[test]
fn note_refuses_damage_after_the_newest_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let segment = damaged_journal(tmp.path());
    let (records, _) = attache::journal::read_all(tmp.path()).unwrap();
    let mut state = attache::state::DeskState::default();
    state.apply_all(records.iter().take_while(|r| r.seq <= 1000));
    // Record 3's damage lies before the checkpoint (`journal verify` finds it; the writer
    // trusts what was folded); flip one after it too.
    let mut bytes = std::fs::read(&segment).unwrap();
    let at = bytes.windows(17).position(|w| w == b"note number 1200 ").unwrap() + 12;
    bytes[at] = b'7';
    std::fs::write(&segment, bytes).unwrap();
    // Record 1000 has the sum the checkpoint holds: the checkpoint is trusted.
    attache::checkpoint::save(tmp.path(), &state).unwrap();
    let mut cmd = Command::cargo_bin("attache").unwrap();
    let out =
        cmd.args(["--config", CONFIG, "--journal"]).arg(tmp.path()).args(["note", "x"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("(seq 1200)") && stderr.contains("--after-damage"), "{stderr}");
}
