//! `attache handover` and `attache journal verify --anchor` as real processes over real
//! journals, signed by the real `ssh-keygen`: the sheet lists what is open and anchors the
//! journal's head; a signature that cannot be made journals nothing; `[handover] copy` runs;
//! a journal cut short or chained afresh after the anchor fails verify, as does a sheet edited
//! after signing.

use assert_cmd::Command;
use attache::event::{Event, Record};
use attache::journal::{self, Writer};
use chrono::{Duration, Utc};
use std::path::{Path, PathBuf};

const CONFIG: &str = "config/attache.toml";

fn attache_with(config: &Path, journal: &Path) -> Command {
    let mut cmd = Command::cargo_bin("attache").unwrap();
    cmd.arg("--config").arg(config).arg("--journal").arg(journal);
    cmd
}

fn attache(journal: &Path) -> Command {
    attache_with(Path::new(CONFIG), journal)
}

/// A journal with an open alert (and one resolved), written as the poller would.
fn journal_with_an_open_alert(journal: &Path) {
    let start = Utc::now() - Duration::hours(2);
    let raised = |alert: &str, title: &str| Event::AlertRaised {
        alert: alert.into(),
        rule: "quakes".into(),
        feed: "usgs-quakes".into(),
        item: alert.into(),
        severity: attache::domain::Severity::Severe,
        title: title.into(),
        missions: vec![],
        traffic: Default::default(),
    };
    let mut writer = Writer::open(journal).unwrap();
    writer.append("feed:usgs-quakes", start, vec![raised("a1", "M6.8 off Mindanao")]).unwrap();
    writer.append("feed:usgs-quakes", start, vec![raised("a2", "M5.0 far away")]).unwrap();
    let resolved = Event::AlertResolved { alert: "a2".into(), operator: "kim".into(), reason: "far".into() };
    writer.append("kim", start + Duration::minutes(5), vec![resolved]).unwrap();
    // A roll-call past its deadline with Kovač not reached, and one closed: only the first is open.
    let opened = |id: &str| Event::RollcallOpened {
        rollcall: id.into(),
        contacts: vec!["Lt Col. Mirela Kovač".into(), "Col. Ana Reyes".into()],
        deadline: start + Duration::hours(1),
        mission: Some("KFOR".into()),
        alert: None,
        reason: "unrest in the north".into(),
    };
    writer.append("kim", start, vec![opened("KFOR call"), opened("old call")]).unwrap();
    let safe = Event::RollcallAnswered {
        rollcall: "KFOR call".into(),
        contact: "Col. Ana Reyes".into(),
        answer: attache::domain::Answer::Safe,
        note: None,
    };
    let closed = Event::RollcallClosed { rollcall: "old call".into(), reason: None };
    writer.append("kim", start + Duration::minutes(10), vec![safe, closed]).unwrap();
    writer.sync().unwrap();
}

/// Runs a handover and returns the sheet's path (stdout's last line), asserting `code`.
fn hand_over(cmd: &mut Command, code: i32) -> (PathBuf, std::process::Output) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(code), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    (PathBuf::from(stdout.lines().last().expect("a last line")), out)
}

fn records(journal: &Path) -> Vec<Record> {
    let (records, problems) = journal::read_all(journal).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    records
}

fn last_event(journal: &Path) -> Event {
    records(journal).pop().unwrap().event
}

fn ssh_keygen(args: &[&str]) -> std::process::Output {
    std::process::Command::new("ssh-keygen").args(args).output().expect("ssh-keygen is installed (.ci/run)")
}

/// A fresh ed25519 key without a passphrase, made by the real ssh-keygen.
fn make_key(dir: &Path) -> PathBuf {
    let key = dir.join("id_ed25519");
    let out = ssh_keygen(&["-q", "-t", "ed25519", "-N", "", "-C", "reyes@desk", "-f", key.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    key
}

fn verify(journal: &Path, sheets: &[&Path]) -> (Option<i32>, String, String) {
    let mut cmd = Command::cargo_bin("attache").unwrap();
    cmd.arg("--journal").arg(journal).args(["journal", "verify"]);
    for sheet in sheets {
        cmd.arg("--anchor").arg(sheet);
    }
    let out = cmd.output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_handover_lists_the_open_alert_and_overdue_contacts_and_journals_the_head() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    journal_with_an_open_alert(&journal);
    let before = records(&journal);
    let (sheet, _) = hand_over(attache(&journal).args(["handover", "--to", "kim"]), 0);
    assert_eq!(sheet.parent(), Some(tmp.path().join("briefs").as_path()), "beside the briefings");
    let text = std::fs::read_to_string(&sheet).unwrap();
    assert!(text.contains("- To: kim"), "{text}");
    assert!(text.contains("## Open alerts (1)") && text.contains("**SEVR** M6.8 off Mindanao"), "{text}");
    assert!(!text.contains("M5.0 far away"), "a resolved alert is not open: {text}");
    // The demo desk's contacts were last reached in November (or never): all overdue.
    assert!(
        text.contains("## Overdue contacts (6)") && text.contains("Col. Ana Reyes (Embassy Manila)"),
        "{text}"
    );
    assert!(text.contains("Maj. Didier Ngaba (MINUSCA HQ, Bangui): never contacted"), "{text}");
    assert!(
        text.contains("## Open roll-calls (1)")
            && text.contains("- `KFOR call` (**OVERDUE**, deadline")
            && text.contains("1 of 2 not reached: Lt Col. Mirela Kovač;"),
        "{text}"
    );
    assert!(!text.contains("old call"), "a closed roll-call is not open: {text}");

    let after = records(&journal);
    assert_eq!(after.len(), before.len() + 1);
    let last = before.last().unwrap();
    let Event::Handover {
        to,
        open_alerts,
        open_rollcalls,
        overdue_contacts,
        feeds_down,
        head,
        sheet: path,
        signature,
        copy,
    } = &after.last().unwrap().event
    else {
        panic!("{:?}", after.last())
    };
    assert_eq!(to.as_deref(), Some("kim"));
    assert_eq!(open_alerts.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["a1"]);
    let handed = attache::event::HandedRollcall {
        id: "KFOR call".into(),
        unreached: vec!["Lt Col. Mirela Kovač".into()],
        overdue: true,
    };
    assert_eq!(open_rollcalls, &[handed]);
    assert_eq!(overdue_contacts.len(), 6);
    assert!(feeds_down.is_empty() && signature.is_none() && copy.is_none());
    assert_eq!(path, &sheet.display().to_string());
    let (sum, _, _) = journal::head::record_at(&journal, last.seq).unwrap().unwrap();
    assert_eq!((head.seq, head.sum.as_bytes()), (last.seq, &sum[..]), "the head is the record before");
    assert!(
        text.contains(&format!("\nJournal head: #{} sum {} desk Manila DAO watch\n", head.seq, head.sum))
    );

    let (code, stdout, stderr) = verify(&journal, &[&sheet]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains(&format!("the journal holds #{}", last.seq)) && stdout.contains("not signed"));
}

#[test]
fn a_signed_sheet_checks_out_with_ssh_keygen_and_fails_verify_once_edited() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    journal_with_an_open_alert(&journal);
    let key = make_key(tmp.path());
    let (sheet, out) = hand_over(attache(&journal).arg("handover").arg("--sign").arg(&key), 0);
    let signature = PathBuf::from(format!("{}.sig", sheet.display()));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("signed: {}", signature.display())));
    let check = std::process::Command::new("ssh-keygen")
        .args(["-Y", "check-novalidate", "-n", "attache-handover", "-s"])
        .arg(&signature)
        .stdin(std::fs::File::open(&sheet).unwrap())
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    let Event::Handover { signature: recorded, .. } = &last_event(&journal) else { panic!() };
    assert_eq!(recorded.as_deref(), Some(signature.to_str().unwrap()));
    use std::os::unix::fs::PermissionsExt;
    for file in [&sheet, &signature] {
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o660, "{} is a desk file", file.display());
    }
    let (code, stdout, stderr) = verify(&journal, &[&sheet]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("good"), "{stdout}");
    // Who signed: the key's fingerprint, as `ssh-keygen -l` gives it for the public key.
    let listed = ssh_keygen(&["-l", "-f", &format!("{}.pub", key.display())]);
    let fingerprint = String::from_utf8_lossy(&listed.stdout).split(' ').nth(1).unwrap().to_string();
    assert!(fingerprint.starts_with("SHA256:"), "{fingerprint}");
    assert!(stdout.contains(&format!("made with the ED25519 key {fingerprint}")), "{stdout}");
    assert!(stdout.contains(&format!("journaled as handover #{}", records(&journal).last().unwrap().seq)));

    // One word changed after signing: the anchor still holds, the signature does not.
    let text = std::fs::read_to_string(&sheet).unwrap();
    std::fs::write(&sheet, text.replace("M6.8 off Mindanao", "M4.1 off Mindanao")).unwrap();
    let (code, stdout, stderr) = verify(&journal, &[&sheet]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("ANCHOR FAILED") && stderr.contains(&sheet.display().to_string()), "{stderr}");
    assert!(stderr.contains("does not match the sheet"), "{stderr}");
}

#[test]
fn a_signed_sheet_edited_and_its_signature_deleted_fails_verify_by_the_journals_record() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    journal_with_an_open_alert(&journal);
    let key = make_key(tmp.path());
    let (sheet, _) = hand_over(attache(&journal).arg("handover").arg("--sign").arg(&key), 0);
    let signature = PathBuf::from(format!("{}.sig", sheet.display()));
    let handover = records(&journal).last().unwrap().seq;
    std::fs::remove_file(&signature).unwrap();
    let text = std::fs::read_to_string(&sheet).unwrap();
    std::fs::write(&sheet, text.replace("M6.8 off Mindanao", "M4.1 off Mindanao")).unwrap();
    let (code, stdout, stderr) = verify(&journal, &[&sheet]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains(&format!("ANCHOR FAILED: anchor {}", sheet.display())), "{stderr}");
    assert!(
        stderr.contains(&format!("the journal's handover #{handover} records the sheet as signed")),
        "{stderr}"
    );
    assert!(!stdout.contains("not signed"), "{stdout}");
}

#[test]
fn a_signature_that_cannot_be_made_journals_nothing_and_leaves_no_sheet() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    journal_with_an_open_alert(&journal);
    let before = records(&journal).len();
    let not_a_key = tmp.path().join("not-a-key");
    std::fs::write(&not_a_key, "this is no key\n").unwrap();
    for key in [not_a_key, tmp.path().join("missing-key")] {
        let out = attache(&journal).arg("handover").arg("--sign").arg(&key).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&key.display().to_string()) && stderr.contains("no handover was journaled"),
            "{stderr}"
        );
    }
    // A key with a passphrase, and no terminal to ask for it on (a session of its own).
    let locked = tmp.path().join("locked");
    let out = ssh_keygen(&["-q", "-t", "ed25519", "-N", "a passphrase", "-f", locked.to_str().unwrap()]);
    assert!(out.status.success());
    let out = std::process::Command::new("setsid")
        .arg("-w")
        .arg(env!("CARGO_BIN_EXE_attache"))
        .args(["--config", CONFIG, "--journal"])
        .arg(&journal)
        .arg("handover")
        .arg("--sign")
        .arg(&locked)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("could not sign with the key {}", locked.display())), "{stderr}");
    assert_eq!(records(&journal).len(), before);
    let briefs = std::fs::read_dir(tmp.path().join("briefs")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(briefs, 0, "no sheet or signature is left behind");
}

/// A desk file like the demo's, with `[handover] copy` set to `copy`.
fn desk_with_copy(dir: &Path, copy: &[&str]) -> PathBuf {
    let config = std::fs::canonicalize("config").unwrap();
    let copy: Vec<String> = copy.iter().map(|a| format!("{a:?}")).collect();
    let text = format!(
        "[desk]\nname = \"Copy desk\"\ntz = \"UTC\"\nmissions = {:?}\ncontacts = {:?}\n\n[handover]\ncopy = [{}]\n",
        config.join("missions.toml"),
        config.join("contacts.toml"),
        copy.join(", ")
    );
    let path = dir.join("attache.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn handover_copy_copies_the_sheet_and_its_signature_and_a_failed_copy_is_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    journal_with_an_open_alert(&journal);
    let archive = tmp.path().join("archive");
    std::fs::create_dir(&archive).unwrap();
    let desk = desk_with_copy(tmp.path(), &["cp", "{files}", archive.to_str().unwrap()]);
    attache_with(&desk, &journal).arg("check").assert().success();
    let key = make_key(tmp.path());
    let (sheet, _) = hand_over(attache_with(&desk, &journal).arg("handover").arg("--sign").arg(&key), 0);
    let name = sheet.file_name().unwrap().to_str().unwrap();
    assert_eq!(std::fs::read(archive.join(name)).unwrap(), std::fs::read(&sheet).unwrap());
    let sig = format!("{name}.sig");
    assert_eq!(
        std::fs::read(archive.join(&sig)).unwrap(),
        std::fs::read(sheet.with_file_name(&sig)).unwrap()
    );
    let Event::Handover { copy, .. } = &last_event(&journal) else { panic!() };
    assert_eq!(copy.as_deref(), Some("copied"));

    // Into a directory that is not there: journaled all the same, the failure said and recorded.
    let desk = desk_with_copy(tmp.path(), &["cp", "{files}", tmp.path().join("gone/").to_str().unwrap()]);
    let (sheet, out) = hand_over(attache_with(&desk, &journal).arg("handover"), 3);
    assert!(sheet.is_file());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("was not copied") && stderr.contains("cp exit status: 1"), "{stderr}");
    let Event::Handover { copy, .. } = &last_event(&journal) else { panic!() };
    assert!(copy.as_deref().is_some_and(|c| c.starts_with("failed: cp")), "{copy:?}");
}

#[test]
fn a_copy_that_outlasts_its_timeout_is_killed_with_the_children_it_started() {
    let tmp = tempfile::tempdir().unwrap();
    // As scp leaves ssh running: a child that would outlive the command killed at its timeout.
    let pid_file = tmp.path().join("sleeper.pid");
    let command: Vec<String> =
        ["sh", "-c", r#"sleep 600 & echo $! > "$1"; wait"#, "copy", "{files}"].map(String::from).to_vec();
    let started = std::time::Instant::now();
    let failed = attache::handover::copy::run(
        &command,
        std::slice::from_ref(&pid_file),
        std::time::Duration::from_secs(1),
        None,
    )
    .unwrap_err();
    assert!(failed.contains("did not finish within 1s"), "{failed}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "killed at its timeout, not later");
    let sleeper = std::fs::read_to_string(&pid_file).unwrap();
    // Gone (or a zombie no one has reaped yet): give the kill a moment to land.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", sleeper.trim())).unwrap_or_default();
        let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start().chars().next());
        if stat.is_empty() || state == Some(Some('Z')) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the copy's child is still running: {stat}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_copy_command_without_files_is_refused_by_check() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk_with_copy(tmp.path(), &["scp", "-q", "archive@hq:/handovers/"]);
    let out = attache_with(&desk, &tmp.path().join("journal")).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("attache.toml:8") && stderr.contains("handover.copy") && stderr.contains("{files}"),
        "{stderr}"
    );
}

/// Writes `records` as the journal's one segment, chained afresh from the start as anyone who
/// can write the files can, and leaves no head or index behind to tell: the journal's own
/// checks pass.
fn rewrite(journal: &Path, records: &[Record]) {
    let mut bytes = Vec::new();
    let mut prev = journal::format::GENESIS;
    for record in records {
        prev = journal::format::encode(record, &prev, &mut bytes);
    }
    std::fs::write(journal::segment::segment_path(journal, 1), bytes).unwrap();
    std::fs::remove_file(journal::segment::index_path(journal, 1)).unwrap();
    std::fs::remove_file(journal::head::path(journal)).unwrap();
    let (code, stdout, stderr) = verify(journal, &[]);
    assert_eq!(code, Some(0), "the journal's own checks cannot tell: {stdout}{stderr}");
}

/// A journal handed over once, with records after the handover; the sheet and the seq it anchors.
fn handed_over(tmp: &Path) -> (PathBuf, PathBuf, u64) {
    let journal = tmp.join("journal");
    journal_with_an_open_alert(&journal);
    let (sheet, _) = hand_over(attache(&journal).args(["handover", "--to", "kim"]), 0);
    attache(&journal).args(["note", "kim took the watch"]).assert().success();
    let anchored = records(&journal).iter().rev().nth(2).unwrap().seq;
    let (code, stdout, stderr) = verify(&journal, &[&sheet]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    (journal, sheet, anchored)
}

#[test]
fn a_journal_cut_short_before_the_anchor_fails_verify_naming_the_anchor() {
    let tmp = tempfile::tempdir().unwrap();
    let (journal, sheet, anchored) = handed_over(tmp.path());
    let kept: Vec<Record> = records(&journal).into_iter().filter(|r| r.seq < anchored).collect();
    rewrite(&journal, &kept);
    let (code, stdout, stderr) = verify(&journal, &[&sheet]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains(&format!("anchor {} (#{anchored})", sheet.display())), "{stderr}");
    assert!(stderr.contains("no longer holds"), "{stderr}");
}

/// Cut just after the anchored record, with the journal's own head made to agree: the anchored
/// record is there, the handover that anchored it is not.
#[test]
fn a_journal_cut_just_after_the_anchor_fails_verify_for_the_missing_handover() {
    let tmp = tempfile::tempdir().unwrap();
    let (journal, sheet, anchored) = handed_over(tmp.path());
    let kept: Vec<Record> = records(&journal).into_iter().filter(|r| r.seq <= anchored).collect();
    rewrite(&journal, &kept);
    let (code, stdout, stderr) = verify(&journal, &[&sheet]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains(&format!("anchor {} (#{anchored})", sheet.display())), "{stderr}");
    let said = format!(
        "the journal holds record #{anchored} but no handover anchored at it: the records after #{anchored} were \
         removed (or the handover was never journaled)"
    );
    assert!(stderr.contains(&said), "{stderr}");
}

#[test]
fn a_journal_chained_afresh_after_an_edit_fails_verify_at_the_anchor() {
    let tmp = tempfile::tempdir().unwrap();
    let (journal, sheet, anchored) = handed_over(tmp.path());
    let mut all = records(&journal);
    // The alert is made to look minor, and every record after it chained again.
    let Event::AlertRaised { severity, .. } = &mut all[0].event else { panic!("{:?}", all[0]) };
    *severity = attache::domain::Severity::Minor;
    rewrite(&journal, &all);
    let (code, stdout, stderr) = verify(&journal, &[&sheet]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains(&format!("anchor {} (#{anchored})", sheet.display())), "{stderr}");
    assert!(stderr.contains("rewritten"), "{stderr}");
}

#[test]
fn a_sheet_that_cannot_be_read_or_has_no_anchor_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal");
    journal_with_an_open_alert(&journal);
    let plain = tmp.path().join("plain.md");
    std::fs::write(&plain, "# A sheet\n\nNo anchor here.\n").unwrap();
    for sheet in [plain, tmp.path().join("missing.md")] {
        let (code, stdout, stderr) = verify(&journal, &[&sheet]);
        assert_eq!(code, Some(2), "{stdout}{stderr}");
        assert!(stderr.contains(&sheet.display().to_string()), "{stderr}");
        assert!(stdout.is_empty(), "nothing checked: {stdout}");
    }
}

/// The desk's NATS credentials, when `[sync]` takes them from the environment, are not handed to
/// the copy command (here `HOME` stands for that variable, being set wherever tests run).
#[test]
fn the_copy_command_does_not_see_the_variable_withheld_from_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("seen");
    let command: Vec<String> =
        ["sh", "-c", r#"echo "${HOME:-withheld}" > "$1""#, "copy", "{files}"].map(String::from).to_vec();
    let copy = |withheld| {
        attache::handover::copy::run(
            &command,
            std::slice::from_ref(&out),
            std::time::Duration::from_secs(10),
            withheld,
        )
        .unwrap();
        std::fs::read_to_string(&out).unwrap()
    };
    assert_eq!(copy(Some("HOME")).trim(), "withheld");
    assert_eq!(copy(None).trim(), std::env::var("HOME").unwrap());
}
