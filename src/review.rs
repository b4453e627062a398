//! After-action review notes: what the reviewers say about the record, kept beside it and never
//! in it. One JSON object per line in `<journal>/review.jsonl`, e.g.
//! `{"at":"2026-11-24T14:05:00Z","seq":1234,"written":"2026-11-25T09:00:00Z","operator":"reyes","text":"..."}`
//! where `at` is the replay time the note is about and `seq` the last record shown then. A
//! replay writes them (`n`); a briefing of the period lists them.

use anyhow::Context as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
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

/// One review note as read back, its text made one printable line: anyone who can write the
/// file can put anything in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewNote {
    pub at: DateTime<Utc>,
    pub seq: u64,
    pub written: DateTime<Utc>,
    pub operator: String,
    pub text: String,
}

/// The review notes about the period `[from, to]`, in the order they are about, and a line for
/// each line of the file that could not be read (named by its number), which is passed over.
/// No file is no notes.
pub fn read(path: &Path, from: DateTime<Utc>, to: DateTime<Utc>) -> (Vec<ReviewNote>, Vec<String>) {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Vec::new(), Vec::new()),
        Err(e) => return (Vec::new(), vec![format!("cannot read {}: {e}", path.display())]),
    };
    let (mut notes, mut unreadable) = (Vec::new(), Vec::new());
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice::<ReviewNote>(line) {
            Ok(note) if note.at >= from && note.at <= to => notes.push(ReviewNote {
                operator: crate::text::one_line_owned(note.operator),
                text: crate::text::one_line_owned(note.text),
                ..note
            }),
            Ok(_) => {}
            Err(e) => {
                // serde's message counts lines within the one line it was given: said once, here.
                let what = e.to_string();
                let what = what.split(" at line ").next().unwrap_or_default();
                // Named by the file's name alone: a briefing says the same whatever path the
                // journal was given by.
                let name = path.file_name().map_or(path.as_os_str(), |n| n).to_string_lossy();
                let at = format!("{name} line {}, column {}", i + 1, e.column());
                unreadable.push(crate::text::one_line(&format!("{at}: {what}")))
            }
        }
    }
    notes.sort_by_key(|n| (n.at, n.seq));
    (notes, unreadable)
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

    #[test]
    fn a_period_reads_its_notes_cleaned_and_names_the_lines_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path());
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            read(&file, t("2026-11-24T00:00:00Z"), t("2026-11-25T00:00:00Z")),
            (vec![], vec![]),
            "no file"
        );
        append(&file, t("2026-11-24T14:05:00Z"), 42, "reyes", "ack came 9 minutes late").unwrap();
        append(&file, t("2026-11-23T23:00:00Z"), 7, "reyes", "before the period").unwrap();
        append(&file, t("2026-11-24T09:00:00Z"), 30, "ortiz", "escape \u{1b}[2Jhere").unwrap();
        let mut f = std::fs::OpenOptions::new().append(true).open(&file).unwrap();
        writeln!(f, "{{\"at\": \"yesterday\"}}\n\n  ").unwrap();
        let (notes, unreadable) = read(&file, t("2026-11-24T00:00:00Z"), t("2026-11-25T00:00:00Z"));
        let texts: Vec<(u64, &str)> = notes.iter().map(|n| (n.seq, n.text.as_str())).collect();
        assert_eq!(
            texts,
            [(30, "escape [2Jhere"), (42, "ack came 9 minutes late")],
            "in time order, cleaned"
        );
        assert_eq!(unreadable.len(), 1, "{unreadable:?}");
        let said = &unreadable[0];
        assert!(
            said.ends_with("review.jsonl line 4, column 18: input contains invalid characters"),
            "{said}"
        );
    }
}
