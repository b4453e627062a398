//! The built console on a copy of the demo desk in tmux, serving the demo feeds on a port of its
//! own, and what its journal holds.

use std::path::{Path, PathBuf};

use super::{Tmux, copy_dir};

pub struct DemoConsole {
    pub tmux: Tmux,
    pub journal: PathBuf,
    _dir: tempfile::TempDir,
}

impl DemoConsole {
    /// Started in a 120x40 terminal, once its panes show and its feeds were polled.
    pub fn start(name: &str) -> DemoConsole {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(Path::new("config"), &tmp.path().join("config"));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let desk = tmp.path().join("config/attache.toml");
        let text =
            std::fs::read_to_string(&desk).unwrap().replace("127.0.0.1:8099", &format!("127.0.0.1:{port}"));
        std::fs::write(&desk, text).unwrap();
        let journal = tmp.path().join("journal");
        let command = format!(
            "{} --config {} --journal {}",
            env!("CARGO_BIN_EXE_attache"),
            desk.display(),
            journal.display()
        );
        let tmux = Tmux::new(name, "console");
        tmux.start(120, 40, &command);
        tmux.wait_for("the panes and polled feeds", |s| s.contains("Missions") && s.contains("item.seen"));
        DemoConsole { tmux, journal, _dir: tmp }
    }

    /// The journal's records of `kind`, as JSON, in the record's order.
    pub fn records(&self, kind: &str) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.journal).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jsonl") {
                for line in std::fs::read_to_string(path).unwrap().lines() {
                    let record: serde_json::Value = serde_json::from_str(line).unwrap();
                    if record["kind"] == kind {
                        out.push(record);
                    }
                }
            }
        }
        out.sort_by_key(|r| r["seq"].as_u64());
        out
    }
}

/// The screen line naming `what` (empty when none does).
pub fn line<'a>(screen: &'a str, what: &str) -> &'a str {
    screen.lines().find(|l| l.contains(what)).unwrap_or_default()
}
