//! A full disk and a read-only journal directory: `attache note` (a real process) fails with a
//! clear message and exit status 1, without a panic, and nothing already written is damaged.

mod journal_support;

use attache::journal::{self, Writer};
use chrono::Utc;
use journal_support::note;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml")
}

/// A journal with a few notes; returns the bytes of its segment.
fn journal_with_notes(dir: &Path) -> Vec<u8> {
    let mut writer = Writer::open(dir).unwrap();
    for i in 0..5 {
        writer.append("reyes", Utc::now(), vec![note(format!("before {i}"))]).unwrap();
    }
    drop(writer);
    std::fs::read(journal::segment::segment_path(dir, 1)).unwrap()
}

fn assert_clear_failure(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(what), "{stderr}");
}

#[test]
fn a_full_disk_fails_the_note_clearly_and_damages_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("journal");
    let before = journal_with_notes(&dir);
    // RLIMIT_FSIZE just past the current size: the note's write is cut short mid-record, as
    // on a disk that fills up. SIGXFSZ is ignored so the write fails with EFBIG instead.
    let blocks = before.len() / 512 + 1;
    let script = format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\"");
    let out = Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_attache")])
        .arg("--config")
        .arg(config())
        .arg("--journal")
        .arg(&dir)
        .args(["note", &"a long note that does not fit ".repeat(40)])
        .output()
        .unwrap();
    assert_clear_failure(&out, "cannot write to journal");
    assert!(String::from_utf8_lossy(&out.stderr).contains("disk full"));
    assert_eq!(
        std::fs::read(journal::segment::segment_path(&dir, 1)).unwrap(),
        before,
        "the segment is as it was"
    );
    assert!(journal::verify::verify(&dir).unwrap().intact());
    // With room again, writing goes on where it stopped.
    let records = Writer::open(&dir).unwrap().append("reyes", Utc::now(), vec![note("after")]).unwrap();
    assert_eq!(records[0].seq, 6);
}

#[test]
fn a_read_only_directory_fails_the_note_clearly_and_can_still_be_read() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = tmp.path().join("journal");
    let before = journal_with_notes(&dir);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    for file in std::fs::read_dir(&dir).unwrap() {
        std::fs::set_permissions(file.unwrap().path(), std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    // Root ignores permissions: run as nobody then, as an operator without write access would.
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    let mut command = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_attache")]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_attache"))
    };
    let out = command
        .arg("--config")
        .arg(config())
        .arg("--journal")
        .arg(&dir)
        .args(["note", "hello"])
        .output()
        .unwrap();
    assert_clear_failure(&out, "Permission denied");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&dir.display().to_string()));
    assert_eq!(std::fs::read(journal::segment::segment_path(&dir, 1)).unwrap(), before);
    // Reading needs no write access.
    let mut verify = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_attache")]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_attache"))
    };
    let out = verify.arg("--journal").arg(&dir).args(["journal", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}
