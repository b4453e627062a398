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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MissionStatus {
    Active,
    Planned,
    Suspended,
    Concluded,
}

impl MissionStatus {
    pub fn label(self) -> &'static str {
        match self {
            MissionStatus::Active => "active",
            MissionStatus::Planned => "planned",
            MissionStatus::Suspended => "suspended",
            MissionStatus::Concluded => "concluded",
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
