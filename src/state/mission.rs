//! A mission's standing as the desk set it (`mission.status_changed`) and the notes tied to it.
//! The desk file says how a mission started; the record says how it stands now, and rules match
//! by what the record says from the change on.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};

use crate::domain::{Mission, MissionStatus};

/// How many of a mission's tied notes the state keeps for its detail view; the journal and
/// the briefings have them all.
pub const NOTES_KEPT: usize = 20;

/// A mission's status as last set from the desk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissionMark {
    pub status: MissionStatus,
    /// The short status line given with the change, if any.
    pub line: Option<String>,
    pub at: DateTime<Utc>,
    pub by: String,
    pub seq: u64,
}

/// An operator's note tied to a mission, as its detail lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TiedNote {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub operator: String,
    pub text: String,
}

/// Folds a status change: the last one is the one that counts. Returns the status the mission
/// had by the record before it (None: as the configuration says).
pub fn set_status(
    marks: &mut BTreeMap<String, MissionMark>,
    mission: String,
    mark: MissionMark,
) -> Option<MissionStatus> {
    marks.insert(mission, mark).map(|before| before.status)
}

/// Folds a note tied to a mission: newest first, the last `NOTES_KEPT`.
pub fn tie_note(notes: &mut BTreeMap<String, VecDeque<TiedNote>>, mission: String, note: TiedNote) {
    let list = notes.entry(mission).or_default();
    list.push_front(note);
    list.truncate(NOTES_KEPT);
}

/// A mission's status as of the record: the last change from the desk, else the desk file's.
pub fn status_of(marks: &BTreeMap<String, MissionMark>, mission: &Mission) -> MissionStatus {
    marks.get(&mission.id).map_or(mission.status, |m| m.status)
}

/// The missions with the statuses the record gives them: what rules match against. Borrowed
/// as they are when the record changed none of them.
pub fn as_of<'a>(marks: &BTreeMap<String, MissionMark>, missions: &'a [Mission]) -> Cow<'a, [Mission]> {
    if missions.iter().all(|m| status_of(marks, m) == m.status) {
        return Cow::Borrowed(missions);
    }
    Cow::Owned(missions.iter().map(|m| Mission { status: status_of(marks, m), ..m.clone() }).collect())
}
