//! A fixture journal for the replay tests, written through the real `journal::Writer`: the
//! scripted watch of 2026-11-25 (sessions, quakes, alerts raised, acknowledged, resolved, notes).

#![allow(dead_code)] // each test file uses a different part of this module

use attache::config::Config;
use attache::event::Record;
use attache::journal::Writer;
use std::path::Path;

pub fn config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml")).unwrap()
}

/// The scripted watch's records (as the live console appended them).
pub fn script() -> Vec<Record> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journeys/watch-2026-11-25.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Appends each scripted record through the writer; `each` sees what was written.
pub fn write_script(dir: &Path, mut each: impl FnMut(&Record, &[Record])) {
    let mut writer = Writer::open(dir).unwrap();
    for record in script() {
        let written = writer.append(&record.by, record.ts, vec![record.event.clone()]).unwrap();
        each(&record, &written);
    }
}
