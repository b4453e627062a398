//! After-action review notes: what the reviewers say about the record, kept beside it and never
//! in it. One JSON object per line in `<journal>/review.jsonl`, e.g.
//! `{"at":"2026-11-24T14:05:00Z","seq":1234,"written":"2026-11-25T09:00:00Z","operator":"reyes","text":"..."}`
//! where `at` is the replay time the note is about and `seq` the last record shown then.

use anyhow::Context as _;
use chrono::{DateTime, SecondsFormat, Utc};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const FILE: &str = "review.jsonl";

pub fn path(journal: &Path) -> PathBuf {
    journal.join(FILE)
}

/// Appends one note and syncs it: like an operator's note, it is on disk when it says so.
pub fn append(path: &Path, at: DateTime<Utc>, seq: u64, operator: &str, text: &str) -> anyhow::Result<()> {
    let line = serde_json::json!({
        "at": at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "seq": seq,
        "written": Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true),
        "operator": operator,
        "text": text,
    });
    let mut file = crate::desk_files::open_or_create(path, std::fs::OpenOptions::new().append(true))
        .with_context(|| format!("cannot open the review file {}", path.display()))?;
    writeln!(file, "{line}")
        .and_then(|()| file.sync_data())
        .with_context(|| format!("cannot write the review file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_json_lines_with_the_replay_time() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path());
        let at = DateTime::parse_from_rfc3339("2026-11-24T14:05:00Z").unwrap().with_timezone(&Utc);
        append(&file, at, 42, "reyes", "ack came 9 minutes late").unwrap();
        append(&file, at, 43, "reyes", "second").unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["at"], "2026-11-24T14:05:00.000000Z");
        assert_eq!(first["seq"], 42);
        assert_eq!(text.lines().count(), 2);
    }
}
