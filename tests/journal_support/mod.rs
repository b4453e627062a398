//! Helpers shared by the journal tests: child processes made by re-running the test binary on
//! one named test (so a "child" is a real process, killed for real), and small fixtures.
#![allow(dead_code)] // each test file uses its own subset

use attache::event::Event;
use std::path::Path;
use std::process::{Command, Stdio};

/// Set in a child process: the journal directory it works on.
pub const CHILD_ENV: &str = "ATTACHE_TEST_CHILD_JOURNAL";

/// A command that runs only the test `name` of this test binary, as a child with `dir` set.
pub fn child(name: &str, dir: &Path) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("the test binary knows its path"));
    command
        .args(["--exact", name, "--nocapture", "--test-threads=1", "--quiet"])
        .env(CHILD_ENV, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    command
}

/// In a child: its journal directory; in the parent run of the test binary: None.
pub fn child_dir() -> Option<std::path::PathBuf> {
    std::env::var_os(CHILD_ENV).map(Into::into)
}

pub fn note(text: impl Into<String>) -> Event {
    Event::Note { operator: "reyes".into(), text: text.into(), mission: None, alert: None, contact: None }
}

/// A small deterministic generator (xorshift64*): the tests need variety, not quality.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub fn attache() -> Command {
    Command::new(env!("CARGO_BIN_EXE_attache"))
}
