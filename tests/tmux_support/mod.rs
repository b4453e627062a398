//! Driving a program in tmux, a real terminal emulator: a private tmux server per test (killed
//! when the test ends), keys sent with `send-keys`, the screen read back with `capture-pane`.

#![allow(dead_code)] // each test binary uses the part it needs

pub mod demo;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long any one expected screen may take to appear (generous for a loaded CI machine).
pub const WAIT: Duration = Duration::from_secs(20);

pub struct Tmux {
    socket: String,
    /// The session the test runs its program in.
    session: &'static str,
}

impl Tmux {
    /// A private server named after the test and this process, for a session `session`.
    pub fn new(name: &str, session: &'static str) -> Self {
        Tmux { socket: format!("attache-test-{name}-{}", std::process::id()), session }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is installed (.ci/run installs it)")
    }

    /// Starts `command` in a detached session of the given size, keeping the pane when the
    /// command exits so the screen it leaves can still be read.
    pub fn start(&self, width: u16, height: u16, command: &str) {
        let (w, h) = (width.to_string(), height.to_string());
        let started = self.run(&["new-session", "-d", "-s", self.session, "-x", &w, "-y", &h, command]);
        assert!(started.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&started.stderr));
        self.run(&["set-option", "-t", self.session, "remain-on-exit", "on"]);
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", self.session]).stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Polls the screen until `pred` holds (a terminal gives no signal to wait on); fails with
    /// the last screen if it never does. Name everything asserted in `pred`: capture-pane can
    /// catch a frame half written.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_for_long(what, WAIT, pred)
    }

    pub fn wait_for_long(&self, what: &str, wait: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + wait;
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; screen was:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// Copies a directory tree (a desk's config, for a test to change its copy).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
