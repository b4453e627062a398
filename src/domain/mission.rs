use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Area;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissionKind {
    Peacekeeping,
    Humanitarian,
    JointTaskForce,
    Exercise,
    DefenseCooperation,
    AttachePost,
}

impl MissionKind {
    /// The desk's short form: PKO, HA/DR, JTF, EX, DCA (defense cooperation), DAO (attaché post).
    pub fn label(self) -> &'static str {
        match self {
            MissionKind::Peacekeeping => "PKO",
            MissionKind::Humanitarian => "HA/DR",
            MissionKind::JointTaskForce => "JTF",
            MissionKind::Exercise => "EX",
            MissionKind::DefenseCooperation => "DCA",
            MissionKind::AttachePost => "DAO",
        }
    }
}

/// Where a mission stands. Only an active mission's area matches rules. Ordered as the Missions
/// pane lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MissionStatus {
    Active,
    Planned,
    Suspended,
    /// Desk files (and recorded configurations) written before missions were closed from the
    /// desk say `concluded`.
    #[serde(alias = "concluded")]
    Closed,
}

impl MissionStatus {
    /// Every status, in the order a prompt offers them.
    pub const ALL: [MissionStatus; 4] =
        [MissionStatus::Planned, MissionStatus::Active, MissionStatus::Suspended, MissionStatus::Closed];

    pub fn label(self) -> &'static str {
        match self {
            MissionStatus::Active => "active",
            MissionStatus::Planned => "planned",
            MissionStatus::Suspended => "suspended",
            MissionStatus::Closed => "closed",
        }
    }

    /// The status a word names: `closed` (or the desk file's older `concluded`), `active`...
    pub fn parse(text: &str) -> Option<MissionStatus> {
        match text {
            "concluded" => Some(MissionStatus::Closed),
            text => MissionStatus::ALL.into_iter().find(|s| s.label() == text),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mission {
    pub id: String,
    pub name: String,
    pub kind: MissionKind,
    pub status: MissionStatus,
    pub country: String,
    pub area: Area,
    pub lead: Option<String>,
    pub partners: Vec<String>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}
