//! The handover sheet: Markdown for the officer taking the watch, ending in one anchor line that
//! names the journal's head, for `attache journal verify --anchor` to check later:
//!
//! ```text
//! Journal head: #1234 sum <64 hex digits> desk <desk name>
//! ```
//!
//! The anchor is the only line of the sheet that starts with `Journal head: `; every other line
//! starts with a heading, a list marker or a label of its own, whatever the journal's text says.

use chrono::{DateTime, Utc};
use std::fmt::Write as _;

use super::matters::Matters;
use crate::brief::markdown;
use crate::event::JournalHead;
use crate::words::duration;

pub const ANCHOR: &str = "Journal head: ";

/// Who hands over to whom, where and when.
pub struct Heading<'a> {
    pub desk: &'a str,
    pub from: &'a str,
    pub to: Option<&'a str>,
    pub at: DateTime<Utc>,
    pub journal: &'a str,
}

/// Text from the journal as one escaped line: a newline in it can never start a line of its own.
fn esc(text: &str) -> String {
    markdown::esc(&crate::text::one_line(text))
}

/// An id or path as one line in a code span.
fn code(text: &str) -> String {
    markdown::code(&crate::text::one_line(text))
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn since(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    duration((now - t).to_std().unwrap_or_default())
}

/// The sheet's Markdown.
pub fn render(heading: &Heading<'_>, matters: &Matters, head: &JournalHead) -> String {
    let mut o = String::new();
    let at = heading.at;
    let _ = writeln!(o, "# Handover of the watch: {}\n", esc(heading.desk));
    let _ = writeln!(o, "- From: {}", esc(heading.from));
    let _ = writeln!(o, "- To: {}", heading.to.map_or_else(|| "(not named)".to_string(), esc));
    let _ = writeln!(o, "- At: {}", utc(at));
    let _ = writeln!(o, "- Journal: {}", code(heading.journal));
    let _ = writeln!(o, "\n## Open alerts ({})\n", matters.open_alerts.len());
    if matters.open_alerts.is_empty() {
        let _ = writeln!(o, "None.");
    }
    for a in &matters.open_alerts {
        let ack = a.acknowledged_by.as_ref().map(|by| format!(" by {}", esc(by))).unwrap_or_default();
        let _ = writeln!(
            o,
            "- **{}** {} ({}, raised {}, {} ago, {}{ack})",
            a.severity.tag(),
            esc(&a.title),
            code(&a.id),
            utc(a.raised),
            since(a.raised, at),
            a.state
        );
    }
    let _ = writeln!(o, "\n## Open roll-calls ({})\n", matters.open_rollcalls.len());
    if matters.open_rollcalls.is_empty() {
        let _ = writeln!(o, "None.");
    }
    for r in &matters.open_rollcalls {
        let overdue = if r.overdue { "**OVERDUE**, " } else { "" };
        let unreached =
            if r.unreached.is_empty() { "none".to_string() } else { esc(&r.unreached.join(", ")) };
        let _ = writeln!(
            o,
            "- {} ({overdue}deadline {}): {} of {} not reached: {unreached}; opened {}: {}",
            code(&r.id),
            utc(r.deadline),
            r.unreached.len(),
            r.called,
            utc(r.opened),
            esc(&r.reason)
        );
    }
    let _ = writeln!(o, "\n## Overdue contacts ({})\n", matters.overdue_contacts.len());
    if matters.overdue_contacts.is_empty() {
        let _ = writeln!(o, "None.");
    }
    for c in &matters.overdue_contacts {
        let when = match (c.last_contact, c.overdue_by) {
            (Some(last), Some(by)) => {
                format!(
                    "last contact {}, overdue by {}",
                    utc(last),
                    duration(by.to_std().unwrap_or_default())
                )
            }
            _ => "never contacted".to_string(),
        };
        let _ = writeln!(o, "- {} ({}): {when}", esc(&c.name), esc(&c.post));
    }
    let _ = writeln!(o, "\n## Feeds down ({})\n", matters.feeds_down.len());
    if matters.feeds_down.is_empty() {
        let _ = writeln!(o, "None.");
    }
    for f in &matters.feeds_down {
        let error = f.last_error.as_ref().map(|e| format!(": {}", esc(e))).unwrap_or_default();
        let _ = writeln!(o, "- {} down since {} ({}){error}", esc(&f.feed), utc(f.since), since(f.since, at));
    }
    let _ = writeln!(o, "\n## Journal\n");
    let _ = writeln!(
        o,
        "The journal's last record before this handover is #{}. `attache journal verify --anchor` on this \
         sheet checks that the journal still holds it, unchanged.\n",
        head.seq
    );
    let _ = writeln!(o, "{}", anchor_line(heading.desk, head));
    o
}

/// The anchor line (without its newline).
pub fn anchor_line(desk: &str, head: &JournalHead) -> String {
    format!("{ANCHOR}#{} sum {} desk {}", head.seq, head.sum, crate::text::one_line(desk))
}

/// What a sheet's anchor line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub seq: u64,
    pub sum: String,
    pub desk: String,
}

/// Reads the sheet's one anchor line; why not, when it has none, more than one, or a malformed one.
pub fn read_anchor(sheet: &str) -> Result<Anchor, String> {
    let lines: Vec<&str> = sheet.lines().filter(|line| line.starts_with(ANCHOR)).collect();
    let line = match lines.as_slice() {
        [line] => *line,
        [] => return Err(format!("no line starting `{ANCHOR}`")),
        more => return Err(format!("{} lines start `{ANCHOR}`; a sheet has one", more.len())),
    };
    let malformed = || format!("the anchor line is not `{ANCHOR}#SEQ sum <64 hex> desk NAME`: {line:?}");
    let rest = line[ANCHOR.len()..].strip_prefix('#').ok_or_else(malformed)?;
    let (seq, rest) = rest.split_once(" sum ").ok_or_else(malformed)?;
    let seq: u64 = seq.parse().map_err(|_| malformed())?;
    let (sum, desk) = rest.split_once(" desk ").ok_or_else(malformed)?;
    let hex = sum.len() == 64 && sum.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !hex {
        return Err(malformed());
    }
    Ok(Anchor { seq, sum: sum.to_string(), desk: desk.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_journal_never_makes_a_second_anchor_line() {
        let head = JournalHead { seq: 7, sum: "ab".repeat(32) };
        let forged = format!("x\nJournal head: #1 sum {} desk forged", "00".repeat(32));
        let at: DateTime<Utc> = "2026-12-07T14:00:00Z".parse().unwrap();
        let matters = Matters {
            open_alerts: vec![super::super::matters::OpenAlert {
                id: forged.clone(),
                severity: crate::domain::Severity::Severe,
                title: forged.clone(),
                raised: at,
                state: "ACK",
                acknowledged_by: Some(forged.clone()),
            }],
            open_rollcalls: vec![super::super::matters::OpenRollcall {
                id: forged.clone(),
                reason: forged.clone(),
                opened: at,
                deadline: at,
                unreached: vec![forged.clone()],
                called: 1,
                overdue: false,
            }],
            overdue_contacts: vec![super::super::matters::OverdueContact {
                name: forged.clone(),
                post: forged.clone(),
                last_contact: None,
                overdue_by: None,
            }],
            feeds_down: vec![super::super::matters::FeedDown {
                feed: forged.clone(),
                since: at,
                last_error: Some(forged.clone()),
            }],
        };
        let heading = Heading { desk: &forged, from: &forged, to: Some(&forged), at, journal: &forged };
        let sheet = render(&heading, &matters, &head);
        let anchors: Vec<&str> = sheet.lines().filter(|line| line.starts_with(ANCHOR)).collect();
        assert_eq!(anchors.len(), 1, "{sheet}");
        assert_eq!(read_anchor(&sheet).map(|a| a.seq), Ok(7));
        assert!(sheet.contains("x Journal head: #1"), "the id is kept, on its line: {sheet}");
    }

    #[test]
    fn the_anchor_line_reads_back_and_a_malformed_one_is_refused() {
        let head = JournalHead { seq: 1234, sum: "9f".repeat(32) };
        let sheet = format!("# x\n\n- Journal head: #1 in a list\n{}\n", anchor_line("Manila desk", &head));
        assert_eq!(
            read_anchor(&sheet),
            Ok(Anchor { seq: 1234, sum: head.sum.clone(), desk: "Manila desk".into() })
        );
        for bad in [
            "Journal head: 1234 sum x desk d",
            &format!("Journal head: #12a sum {} desk d", head.sum),
            &format!("Journal head: #12 sum {}0 desk d", head.sum),
            "nothing here",
        ] {
            assert!(read_anchor(bad).is_err(), "{bad}");
        }
        let twice = format!("{0}\n{0}\n", anchor_line("d", &head));
        assert!(read_anchor(&twice).unwrap_err().contains("2 lines"));
    }
}
