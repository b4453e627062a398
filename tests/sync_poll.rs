//! A headless desk in one process: `attache poll` with `[sync]` shares the desk's records as a
//! polling console does, leaves sync to `attache sync run` while that holds the journal, and
//! takes it over when it stops.

mod sync_support;

use std::process::{Child, Stdio};
use std::time::Duration;

use sync_support::{Desk, NatsServer, assert_no_duplicate, wait_converged};

const CONVERGE: Duration = Duration::from_secs(60);

struct Poll(Child);

impl Drop for Poll {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn poll(desk: &Desk, log: &std::path::Path) -> Poll {
    let log = std::fs::File::create(log).unwrap();
    Poll(desk.attache().arg("poll").stdout(Stdio::null()).stderr(log).spawn().unwrap())
}

#[test]
fn attache_poll_shares_the_desks_records_and_leaves_sync_to_sync_run() {
    let tmp = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&tmp.path().join("nats"));
    let manila = Desk::plain(tmp.path(), "manila", &["pristina"], &[server.url()]);
    let mut pristina = Desk::plain(tmp.path(), "pristina", &["manila"], &[server.url()]);
    pristina.start_sync();
    let log = tmp.path().join("poll.log");
    let _poll = poll(&manila, &log);
    for n in 0..3 {
        let out = manila.attache().args(["note", &format!("from the poll desk {n}")]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    pristina.write_notes(0, 2);
    wait_converged(&manila, &pristina, CONVERGE);
    wait_converged(&pristina, &manila, CONVERGE);
    assert_no_duplicate(&pristina);
    let said = std::fs::read_to_string(&log).unwrap();
    assert!(said.contains("sync link up: desk manila"), "{said}");
    // Manila shares its configuration as loaded: pristina lists manila's missions.
    let mut state = attache::state::DeskState::default();
    state.fold_all(attache::journal::read_all(&pristina.journal).unwrap().0);
    let missions: Vec<&String> = state.others_missions().keys().collect();
    assert!(missions.iter().any(|k| *k == "manila/KFOR"), "{missions:?}");
    assert!(state.others_missions().values().all(|m| m.mission.is_some()), "defined, not status only");

    // With `sync run` holding pristina's journal, a poll there leaves sync to it, and takes it
    // over when it stops.
    let second = tmp.path().join("poll-pristina.log");
    let _other = poll(&pristina, &second);
    sync_support::wait_for("the second poll to say who syncs", CONVERGE, || {
        std::fs::read_to_string(&second).unwrap_or_default().contains("sync runs in another process")
    });
    pristina.stop_sync();
    pristina.write_notes(2, 3);
    wait_converged(&pristina, &manila, CONVERGE);
    let said = std::fs::read_to_string(&second).unwrap();
    assert!(said.contains("sync link up: desk pristina"), "{said}");
}

/// A desk that stops following another (its name taken out of `follow`, `attache poll`
/// restarted) journals so at start, and what that desk had brought leaves its state.
#[test]
fn a_desk_no_longer_followed_leaves_the_state_when_poll_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&tmp.path().join("nats"));
    let manila = Desk::plain(tmp.path(), "manila", &["pristina"], &[server.url()]);
    let mut pristina = Desk::plain(tmp.path(), "pristina", &["manila"], &[server.url()]);
    pristina.start_sync();
    pristina.write_notes(0, 2);
    let state = || {
        let mut state = attache::state::DeskState::default();
        state.fold_all(attache::journal::read_all(&manila.journal).unwrap().0);
        state
    };
    {
        let _poll = poll(&manila, &tmp.path().join("poll.log"));
        wait_converged(&pristina, &manila, CONVERGE);
    }
    let held = state();
    assert_eq!(held.following(), Some(&["pristina".to_string()][..]));
    // `sync run` says whom it follows too (written by the sync engine, `by` sync).
    let records = attache::journal::read_all(&pristina.journal).unwrap().0;
    let said = records.iter().find(
        |r| matches!(&r.event, attache::event::Event::SyncFollowing { follow } if follow == &["manila"]),
    );
    assert_eq!(said.map(|r| r.by.as_str()), Some("sync"));
    assert_eq!(held.others_notes().len(), 2, "{:?}", held.others_notes());

    let text = std::fs::read_to_string(&manila.config).unwrap();
    std::fs::write(&manila.config, text.replace("follow = [\"pristina\"]", "follow = []")).unwrap();
    let _poll = poll(&manila, &tmp.path().join("poll-again.log"));
    sync_support::wait_for("the restarted poll to journal whom it follows", CONVERGE, || {
        state().following() == Some(&[][..])
    });
    let held = state();
    assert!(held.others_notes().is_empty(), "{:?}", held.others_notes());
    assert!(held.log().iter().any(|l| l.text == "following no other desk"));
}
