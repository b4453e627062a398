//! Another desk's records as this desk's journal holds them once sync brought them: that desk's
//! own journal, written by its own writer, each line carried byte for byte in a `remote` record.

#![allow(dead_code)] // each test file uses a different part of this module

use std::path::Path;

use attache::event::Event;
use attache::journal::format::{GENESIS, to_hex, trailer};

/// The records of the journal in `dir` from record `from` on, as `remote` records of `desk`,
/// each linked to the one before it there.
pub fn envelopes(dir: &Path, desk: &str, from: u64) -> Vec<Event> {
    let mut follower = attache::journal::Follower::from_seq(dir, from).unwrap();
    let mut after = (0, GENESIS);
    let mut events = Vec::new();
    follower
        .poll_lines(|raw, _| {
            events.push(Event::Remote {
                desk: desk.into(),
                record: String::from_utf8(raw.bytes.to_vec()).unwrap(),
                after_seq: after.0,
                after_sum: to_hex(&after.1),
                stream_seq: None,
            });
            after = (raw.seq, trailer(raw.bytes).unwrap().1);
            true
        })
        .unwrap();
    events
}

/// The demo desk's configuration as another desk would load it, with only the missions named,
/// as its `config.loaded`. Its feeds are left out: they name files by where this checkout is.
pub fn config_loaded(missions: &[&str]) -> Event {
    let config = attache::config::Config::load(Path::new("config/attache.toml")).unwrap();
    let mut snapshot = attache::config::ConfigSnapshot::of(&config);
    snapshot.missions.retain(|m| missions.contains(&m.id.as_str()));
    snapshot.feeds.clear();
    Event::ConfigLoaded {
        path: "/etc/attache/attache.toml".into(),
        digest: missions.join(","),
        feeds: 0,
        missions: missions.len(),
        contacts: 0,
        config: Some(Box::new(snapshot)),
    }
}
