//! Command-line writers and a damaged journal. A writer's open checks only the records after
//! the last index entry, so damage further back would be written after unnoticed; a command
//! that appends (`note`, `poll --once`) first checks the whole journal as `journal verify`
//! does, and is refused at the first damaged record unless the operator says to write after
//! the damage, which is then the first thing journaled.

use chrono::Utc;
use std::path::Path;

use super::scan::ReadProblem;
use super::{JournalError, Options, Writer, segment, verify};
use crate::event::Event;

/// What `journal verify` finds: the first damaged record and how many there are.
#[derive(Debug)]
pub struct Damage {
    pub first: ReadProblem,
    pub count: u64,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let records = crate::words::count(self.count, "damaged record", "damaged records");
        write!(f, "`attache journal verify` finds {records}, the first at {}", self.first)
    }
}

/// The whole journal's damage, if any (a torn last record is not damage: the writer moves it
/// aside).
pub fn find(dir: &Path) -> Result<Option<Damage>, JournalError> {
    if segment::list(dir)?.is_empty() {
        return Ok(None);
    }
    let report = verify::verify(dir)?;
    Ok(report.problems.into_iter().next().map(|first| Damage { first, count: report.problem_count }))
}

impl Writer {
    /// Opens the journal for a command-line writer acting for `operator`: refused with
    /// `JournalError::Damaged` when the journal is damaged anywhere, unless `after_damage`,
    /// when a `journal.written_after_damage` record saying what was found is appended first.
    pub fn open_checked(dir: &Path, operator: &str, after_damage: bool) -> Result<Self, JournalError> {
        let Some(damage) = find(dir)? else { return Self::open(dir) };
        if !after_damage {
            return Err(JournalError::Damaged(Box::new(damage)));
        }
        let mut writer = Self::open_past_damage(dir, Options::default())?;
        let record =
            Event::JournalWrittenAfterDamage { operator: operator.to_string(), damage: damage.to_string() };
        writer.append(operator, Utc::now(), vec![record])?;
        // The loss is on record now: the journal's end is where it goes on from.
        writer.reset_head()?;
        Ok(writer)
    }
}
