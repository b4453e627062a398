//! A briefing as plain data: the journal's facts for the period set against the desk's
//! configuration (missions, contacts, feeds), ordered and counted, ready for any renderer.
//! It serializes as the JSON format documented in README.md ("Briefings"): field order and
//! names are stable, and every list has a defined order so output is byte-identical.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The JSON format's name and version; bumped only when a field changes meaning or goes away.
pub const FORMAT: &str = "attache-brief/1";

/// The most entries a list of a briefing holds; each list's `_total` says how many there were,
/// and `attache journal export` gives them all. A SITREP with thousands of lines is not read.
pub const LIST_LIMIT: usize = 50;

/// Keeps the first `LIST_LIMIT` entries and returns how many there were.
pub fn cap<T>(list: &mut Vec<T>) -> usize {
    let total = list.len();
    list.truncate(LIST_LIMIT);
    total
}

#[derive(Clone, Debug, Serialize)]
pub struct Brief {
    pub format: &'static str,
    /// Tampering or damage found while reading the journal; empty when it checked out. Second,
    /// so that a reader of the first lines cannot miss it.
    pub warnings: Vec<String>,
    pub desk: Desk,
    pub period: Period,
    pub generated_at: DateTime<Utc>,
    pub operator: String,
    pub provenance: super::collect::Provenance,
    pub configuration: Configuration,
    pub missions: Vec<MissionBrief>,
    /// The briefed missions' status changes in the period, in the record's order.
    pub mission_status: Vec<StatusChange>,
    /// Roll-calls opened in the period or open at its start, in the order they were opened.
    pub rollcalls: Vec<RollcallBrief>,
    /// Real-world alerts raised in the period that name none of the briefed missions.
    pub other_alerts: Vec<AlertLine>,
    pub other_alerts_total: usize,
    /// Exercise, test, draft and system traffic, kept apart from the real world.
    pub exercise: Exercise,
    pub contacts: Contacts,
    pub feeds: Feeds,
    pub notes: Vec<Note>,
    /// The handovers of the watch in the period, in the record's order.
    pub handovers: Vec<Handover>,
    /// The followed desks the briefing covers besides this one (`--desk`), in id order; absent
    /// when it covers this desk alone.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_desks: Vec<OtherDesk>,
    /// After-action review notes about the period; absent when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

/// What reviewers wrote in replays about the period (`crate::review`): kept beside the journal,
/// not in it, so not covered by its sums; listed apart from the record's facts.
#[derive(Clone, Debug, Serialize)]
pub struct Review {
    pub file: String,
    /// In the order of the moments they are about.
    pub notes: Vec<crate::review::ReviewNote>,
    /// Lines of the file that could not be read, each named by its number.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
}

impl Review {
    /// The review notes in `journal`'s file about `[from, to]`; None when there are none and
    /// every line of the file could be read (a line that cannot be read may be about any time,
    /// so it is listed in every briefing until mended).
    pub fn of(journal: &std::path::Path, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Review> {
        let (notes, unreadable) = crate::review::read(&crate::review::path(journal), from, to);
        let file = crate::review::FILE.to_string();
        (!notes.is_empty() || !unreadable.is_empty()).then_some(Review { file, notes, unreadable })
    }
}

/// Another desk's alerts, as its records held here tell them: those whose raising reached this
/// desk in the period (any traffic, listed with its tag; only real ones counted), and real ones
/// still open at its end.
#[derive(Clone, Debug, Serialize)]
pub struct OtherDesk {
    pub desk: String,
    pub alerts_raised: Counts,
    pub raised_total: usize,
    pub raised: Vec<AlertLine>,
    pub open_at_end_total: usize,
    pub open_at_end: Vec<AlertLine>,
    /// Its roll-calls opened in the period or open at its start, in the order they were opened
    /// (each `seq` that desk's own).
    pub rollcalls: Vec<RollcallBrief>,
    /// Its missions at the end of the period, by id, as its configuration and status changes
    /// held here tell them (none when it does not share `missions`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missions: Vec<OtherMissionBrief>,
    /// Its operators' notes received in the period, in the order received (each `seq` that
    /// desk's own, `ts` when written there).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Its handovers received in the period, in the order received (each `seq` that desk's own,
    /// `at` when made there).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub handovers: Vec<OtherHandoverBrief>,
    /// Its check-ins received in the period, in the order received (each `seq` that desk's own,
    /// `ts` when made there, `operator` `name@desk`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub check_ins: Vec<CheckIn>,
    /// How many there were: the list holds the first `LIST_LIMIT`, as this desk's does.
    #[serde(skip_serializing_if = "is_zero")]
    pub check_ins_total: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Another desk's handover: who handed its watch to whom, and how much was left open.
#[derive(Clone, Debug, Serialize)]
pub struct OtherHandoverBrief {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// `name@desk`.
    pub from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub open_alerts: usize,
    pub open_rollcalls: usize,
    pub overdue_contacts: usize,
    pub feeds_down: usize,
}

/// Another desk's mission at the end of the period.
#[derive(Clone, Debug, Serialize)]
pub struct OtherMissionBrief {
    /// Its id at that desk.
    pub id: String,
    /// None when only a status change named it here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// As that desk last set it, else as its configuration says ("unknown" when neither reached
    /// this desk).
    pub status: String,
    /// That desk's last status change, when it reached this desk in the period (shown at the
    /// time it was made there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed: Option<OtherStatusChange>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OtherStatusChange {
    pub at: DateTime<Utc>,
    pub by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
}

/// A handover of the watch (`attache handover`): who to whom, what was open, and the journal
/// head its sheet anchors, its text folded to one line. The briefing's facts keep it as it is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Handover {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub from: String,
    /// Who took the watch, when named.
    pub to: Option<String>,
    pub open_alerts: Vec<crate::event::HandedAlert>,
    pub open_rollcalls: Vec<crate::event::HandedRollcall>,
    pub overdue_contacts: Vec<String>,
    pub feeds_down: Vec<String>,
    pub head: crate::event::JournalHead,
    pub sheet: String,
    pub signed: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Desk {
    pub name: String,
    pub tz: String,
}

/// The configuration the record is set against: the one in force at the period's end.
#[derive(Clone, Debug, Serialize)]
pub struct Configuration {
    /// `record`: as the journal records it; `today`: this process's own file, where the journal
    /// records none up to the period's end (journals written before it recorded them).
    pub source: &'static str,
    /// The record that loaded the configuration in force, if any.
    pub loaded_seq: Option<u64>,
    /// How many records in the period changed the configuration in force, and the last of them.
    pub changes_in_period: usize,
    pub last_change: Option<Change>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub seq: u64,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The same instants in the desk's zone, RFC 3339 with its offset.
    pub from_local: String,
    pub to_local: String,
}

/// Alerts raised in the period, by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub critical: u32,
    pub severe: u32,
    pub moderate: u32,
    pub minor: u32,
    pub info: u32,
}

impl Counts {
    pub fn add(&mut self, severity: crate::domain::Severity) {
        use crate::domain::Severity::*;
        *match severity {
            Critical => &mut self.critical,
            Severe => &mut self.severe,
            Moderate => &mut self.moderate,
            Minor => &mut self.minor,
            Info => &mut self.info,
        } += 1;
    }

    pub fn total(&self) -> u32 {
        self.critical + self.severe + self.moderate + self.minor + self.info
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct MissionBrief {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// At the end of the period, as the desk last set it (else as the configuration says).
    pub status: String,
    /// The status line the desk gave with it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_line: Option<String>,
    pub alerts_raised: Counts,
    /// Raised in the period, most severe first, then in time order.
    pub raised: Vec<AlertLine>,
    pub raised_total: usize,
    /// Open at the end of the period, whenever raised.
    pub open_at_end: Vec<AlertLine>,
    pub open_at_end_total: usize,
    /// Items of moderate severity or more reported in the period near the mission's area.
    pub items_near: Vec<ItemLine>,
    /// Operator notes in the period tied to this mission.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

/// A mission's status set in the period (`mission.status_changed`).
#[derive(Clone, Debug, Serialize)]
pub struct StatusChange {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub mission: String,
    /// The status before: as the desk last set it, or as the configuration says.
    pub from: String,
    pub to: String,
    pub by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A roll-call as it stood at the end of the period.
#[derive(Clone, Debug, Serialize)]
pub struct RollcallBrief {
    pub id: String,
    pub seq: u64,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mission: Option<String>,
    /// The alert that opened it (its id), and that alert's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert_title: Option<String>,
    pub deadline: DateTime<Utc>,
    /// Each contact called, in the order called, with their latest answer up to the period's end.
    pub contacts: Vec<RollcallAnswer>,
    /// The contacts not reached (never answered, or tried and not reached) at the period's end.
    pub unreached_at_end: Vec<String>,
    /// When the record said the deadline passed with contacts not reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<RollcallClosing>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RollcallAnswer {
    pub contact: String,
    /// `safe`, `needs_help`, `not_reached`; absent: no answer recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RollcallClosing {
    pub at: DateTime<Utc>,
    pub by: String,
    pub seq: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Step {
    pub by: String,
    pub at: DateTime<Utc>,
    pub text: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AlertLine {
    pub id: String,
    pub raised: DateTime<Utc>,
    pub severity: crate::domain::Severity,
    pub title: String,
    pub feed: String,
    /// `real`, `exercise`, `test`, `draft` or `system`.
    pub traffic: crate::domain::Traffic,
    pub missions: Vec<String>,
    /// `open`, `escalated`, `acknowledged` or `resolved`, at the end of the period.
    pub state: &'static str,
    pub escalated: Option<DateTime<Utc>>,
    pub acknowledged: Option<Step>,
    pub resolved: Option<Step>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ItemLine {
    pub ts: DateTime<Utc>,
    pub feed: String,
    pub id: String,
    pub severity: crate::domain::Severity,
    pub title: String,
    pub traffic: crate::domain::Traffic,
    /// Gap from the item to the mission's area, whole km (0: inside).
    pub km: u32,
    pub missions: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Exercise {
    pub alerts: Vec<AlertLine>,
    pub alerts_total: usize,
    pub items: Vec<ItemLine>,
    pub items_total: usize,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Contacts {
    /// Overdue for a check-in at the end of the period, longest overdue first.
    pub overdue: Vec<Overdue>,
    /// Checked in during the period or linked to a mission with alerts in it.
    pub active: Vec<ActiveContact>,
    /// The period's check-ins with the contacts briefed, in the record's order.
    pub check_ins: Vec<CheckIn>,
    pub check_ins_total: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct CheckIn {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub contact: String,
    /// Who took it.
    pub operator: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Overdue {
    pub name: String,
    pub role: String,
    pub post: String,
    pub last_contact: Option<DateTime<Utc>>,
    /// Seconds past due at the end of the period; null when never contacted.
    pub overdue_s: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ActiveContact {
    pub name: String,
    pub role: String,
    pub tz: String,
    /// Their local time when the briefing was generated, `YYYY-MM-DD HH:MM ZONE`.
    pub local_now: String,
    pub on_duty_now: bool,
    pub check_ins: u32,
    /// How the last check-in in the period went, when it says: `by phone: "note"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_check_in: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Feeds {
    pub outages: Vec<OutageLine>,
    pub outages_total: usize,
    pub stale: Vec<Stale>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OutageLine {
    pub feed: String,
    pub start: DateTime<Utc>,
    /// Null: still down at the end of the period.
    pub end: Option<DateTime<Utc>>,
    /// Seconds, up to the end of the period when still down.
    pub duration_s: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Stale {
    pub feed: String,
    pub last_ok: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Note {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub operator: String,
    pub text: String,
    /// What the note is tied to, in words (`mission KFOR`), when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
}
