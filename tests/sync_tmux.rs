//! The console runs sync when it polls: in a real terminal against a real `nats-server`, its
//! status bar and Feeds pane say the link's state, what waits to be sent and each followed desk's
//! last record; with the server killed the keys still answer, and when it returns the records
//! written meanwhile cross both ways.

mod sync_support;
mod tmux_support;

use std::time::Duration;
use sync_support::{Desk, NatsServer, wait_converged};
use tmux_support::Tmux;

#[test]
fn the_polling_console_syncs_and_shows_the_link_backlog_and_followed_desks() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = NatsServer::start(&tmp.path().join("nats"));
    let manila = Desk::plain(tmp.path(), "manila", &["pristina"], &[server.url()]);
    let mut pristina = Desk::plain(tmp.path(), "pristina", &["manila"], &[server.url()]);
    pristina.start_sync();
    pristina.write_notes(0, 3);
    let command = format!(
        "{} --config {} --journal {}",
        env!("CARGO_BIN_EXE_attache"),
        manila.config.display(),
        manila.journal.display()
    );
    let tmux = Tmux::new("sync", "console");
    tmux.start(160, 40, &command);
    let last = *pristina.own_shared().last().unwrap();
    tmux.wait_for("the Sync line with pristina's last record", |s| {
        s.contains("sync up, 0 to send") && s.contains(&format!("pristina #{last} "))
    });
    // A note written at manila reaches pristina.
    let out = manila.attache().args(["note", "from the manila console's desk"]).output().unwrap();
    assert!(out.status.success());
    wait_converged(&manila, &pristina, Duration::from_secs(20));

    server.kill();
    tmux.wait_for("the link down", |s| s.contains("SYNC DOWN"));
    let out = manila.attache().args(["note", "written while cut off"]).output().unwrap();
    assert!(out.status.success());
    tmux.wait_for("the backlog", |s| {
        s.contains("SYNC DOWN, 1 to send") || s.contains("SYNC DOWN, 2 to send")
    });
    tmux.keys(&["?"]);
    tmux.wait_for("help, with the link down", |s| s.contains("Help - keys"));
    tmux.keys(&["Escape"]);
    pristina.write_notes(3, 2);
    server.restart();
    wait_converged(&manila, &pristina, Duration::from_secs(30));
    wait_converged(&pristina, &manila, Duration::from_secs(30));
    let last = *pristina.own_shared().last().unwrap();
    tmux.wait_for("back in sync", |s| {
        s.contains("sync up, 0 to send") && s.contains(&format!("pristina #{last} "))
    });
    tmux.keys(&["q"]);
    tmux.wait_for("the question", |s| s.contains("Quit?"));
    tmux.keys(&["q"]);
}
