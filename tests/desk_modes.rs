//! A desk shares its host: every file attache creates is the desk group's (0660, directories
//! 2770) and nobody else's, whatever the umask of the operator who ran it. Real writers, run as
//! an operator runs them, under a umask set before they start.

mod journal_support;

use attache::journal::Writer;
use journal_support::note;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const QUAKES: &str = "tests/fixtures/usgs/usgs-4.5_day-2024-02-06-13features.geojson";

/// A desk in `dir` with its journal at `dir/journal`, one feed read from a file, and `extra`
/// lines in its `[desk]` table.
fn desk(dir: &Path, extra: &str) -> PathBuf {
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), dir.join(file)).unwrap();
    }
    std::fs::copy(QUAKES, dir.join("quakes.geojson")).unwrap();
    let text = format!(
        "[desk]\nname = \"Test desk\"\ntz = \"UTC\"\njournal = \"journal\"\nmissions = \"missions.toml\"\n\
         contacts = \"contacts.toml\"\n{extra}\n\n[[feed]]\nname = \"quakes\"\nkind = \"usgs-geojson\"\n\
         path = \"quakes.geojson\"\n"
    );
    let path = dir.join("attache.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs attache on the desk `config` under `umask`, as a shell would start it.
fn attache(umask: &str, config: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_attache"))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "exit {:?}: {err}", out.status.code());
    err
}

/// Every path under `dir`, `dir` first, with its permission bits.
fn modes(dir: &Path) -> Vec<(PathBuf, u32, bool)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
        found.push((path, meta.permissions().mode() & 0o7777, meta.is_dir()));
    }
    found
}

fn id(flag: &str) -> String {
    let out = Command::new("id").arg(flag).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn every_desk_file_is_the_groups_alone_whatever_the_umask() {
    for umask in ["000", "022"] {
        let tmp = tempfile::tempdir().unwrap();
        let config = desk(tmp.path(), "");
        let journal = tmp.path().join("journal");
        ok(attache(umask, &config, &["note", "watch taken over"]));
        ok(attache(umask, &config, &["poll", "--once"]));
        // Enough records for a checkpoint, then a record cut short by a crash: the next writer
        // sets it aside in a file of its own.
        let mut writer = Writer::open(&journal).unwrap();
        let notes = (0..attache::checkpoint::EVERY).map(|n| note(format!("note {n}"))).collect();
        writer.append_batch("reyes", chrono::Utc::now(), notes).unwrap();
        writer.sync().unwrap();
        drop(writer);
        let segment = journal.join("00000001.jsonl");
        let mut bytes = std::fs::read(&segment).unwrap();
        bytes.extend_from_slice(b"{\"seq\":10003,\"ts\":");
        std::fs::write(&segment, bytes).unwrap();
        ok(attache(umask, &config, &["note", "after the crash"]));
        ok(attache(umask, &config, &["journal", "checkpoint"]));
        let brief = tmp.path().join("brief.md");
        ok(attache(umask, &config, &["brief", "-o", brief.to_str().unwrap()]));

        let mut found = modes(&journal);
        found.push((brief, std::fs::metadata(tmp.path().join("brief.md")).unwrap().mode() & 0o7777, false));
        let names: Vec<String> =
            found.iter().map(|(p, _, _)| p.strip_prefix(tmp.path()).unwrap().display().to_string()).collect();
        for expected in ["journal/journal.lock", "journal/poller.lock", "journal/00000001.jsonl", "brief.md"]
        {
            assert!(names.iter().any(|n| n == expected), "umask {umask}: no {expected} in {names:?}");
        }
        for prefix in ["journal/checkpoints/", "journal/00000001.jsonl.torn-"] {
            assert!(names.iter().any(|n| n.starts_with(prefix)), "umask {umask}: no {prefix}* in {names:?}");
        }
        let wrong: Vec<String> = found
            .iter()
            .filter(|(_, mode, dir)| *mode != if *dir { 0o2770 } else { 0o660 })
            .map(|(path, mode, _)| format!("{} {mode:04o}", path.display()))
            .collect();
        assert!(wrong.is_empty(), "umask {umask}: not the desk's modes: {wrong:#?}");
    }
}

#[test]
fn check_warns_about_a_journal_others_may_read() {
    let tmp = tempfile::tempdir().unwrap();
    let config = desk(tmp.path(), "");
    ok(attache("022", &config, &["note", "watch taken over"]));
    let err = ok(attache("022", &config, &["check"]));
    assert!(!err.contains("warning"), "a journal as attache made it is fine: {err}");

    let segment = tmp.path().join("journal/00000001.jsonl");
    std::fs::set_permissions(&segment, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = ok(attache("022", &config, &["check"]));
    assert!(
        err.contains(&format!(
            "warning: {} has mode 0644: other users of this host may read",
            segment.display()
        )),
        "{err}"
    );
    assert_eq!(err.matches("warning").count(), 1, "only the segment is open to others: {err}");
}

#[test]
fn the_desk_group_owns_the_journal() {
    let tmp = tempfile::tempdir().unwrap();
    let config = desk(tmp.path(), &format!("group = \"{}\"", id("-gn")));
    ok(attache("022", &config, &["note", "watch taken over"]));
    let own: u32 = id("-g").parse().unwrap();
    for (path, mode, dir) in modes(&tmp.path().join("journal")) {
        assert_eq!(mode, if dir { 0o2770 } else { 0o660 }, "{}", path.display());
        assert_eq!(std::fs::metadata(&path).unwrap().gid(), own, "{}", path.display());
    }
}

/// A group other than the process's own that it may give files to: one of its supplementary
/// groups, or any group when it runs as root.
fn other_group() -> Option<(String, u32)> {
    let own = id("-g");
    let names = id("-Gn");
    let ids = id("-G");
    let supplementary = names.split(' ').zip(ids.split(' ')).find(|(_, gid)| *gid != own);
    if let Some((name, gid)) = supplementary {
        return Some((name.to_string(), gid.parse().unwrap()));
    }
    if id("-u") != "0" {
        return None;
    }
    let groups = std::fs::read_to_string("/etc/group").ok()?;
    groups.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 2 && fields[2] != own).then(|| (fields[0].to_string(), fields[2].parse().unwrap()))
    })
}

#[test]
fn files_are_given_to_a_desk_group_that_is_not_the_users_own() {
    let Some((name, gid)) = other_group() else {
        eprintln!("this user has no group but its own: nothing to give files to");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let config = desk(tmp.path(), &format!("group = \"{name}\""));
    ok(attache("000", &config, &["note", "watch taken over"]));
    ok(attache("000", &config, &["poll", "--once"]));
    for (path, mode, dir) in modes(&tmp.path().join("journal")) {
        assert_eq!(mode, if dir { 0o2770 } else { 0o660 }, "{}", path.display());
        assert_eq!(std::fs::metadata(&path).unwrap().gid(), gid, "{} is not {name}'s", path.display());
    }
}

#[test]
fn an_unknown_desk_group_is_a_configuration_error() {
    let tmp = tempfile::tempdir().unwrap();
    let config = desk(tmp.path(), "group = \"no-such-desk-group\"");
    for args in [&["check"][..], &["note", "anything"]] {
        let out = attache("022", &config, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("desk.group") && err.contains("there is no group `no-such-desk-group`"),
            "{err}"
        );
    }
    assert!(!tmp.path().join("journal").exists(), "nothing was written");
}
