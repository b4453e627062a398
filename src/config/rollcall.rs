//! `[rollcall]`: from which severity an alert near contacts' posts opens a roll-call of them,
//! and how long the desk has to reach them. Without the section no roll-call opens by itself;
//! `R` on a mission still opens one, with the default deadline.

use std::time::Duration;

use super::problem::{Problem, Source};
use super::raw;
use super::validate::parse_duration;
use crate::domain::Severity;

/// How long a roll-call gives the desk to reach its contacts, unless `[rollcall] deadline` says.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(3600);
/// The severity from which alerts open roll-calls when `[rollcall]` names none.
pub const DEFAULT_AT: Severity = Severity::Severe;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RollcallConfig {
    /// An alert raised at or above this, within its rule's `near_contact_km` of contacts' posts,
    /// opens a roll-call of them.
    pub at: Severity,
    pub deadline: Duration,
}

pub(super) fn section(
    src: &Source,
    raw: Option<&raw::Rollcall>,
    problems: &mut Vec<Problem>,
) -> Option<RollcallConfig> {
    let raw = raw?;
    let at = match &raw.at {
        Some(text) => text.get_ref().parse::<Severity>().unwrap_or_else(|_| {
            let message = format!(
                "`{}` is not a severity (expected info, minor, moderate, severe or critical)",
                text.get_ref()
            );
            problems.push(src.problem(Some(text.span()), "rollcall.at", message));
            DEFAULT_AT
        }),
        None => DEFAULT_AT,
    };
    let deadline = match &raw.deadline {
        Some(text) => parse_duration(text.get_ref()).unwrap_or_else(|message| {
            problems.push(src.problem(Some(text.span()), "rollcall.deadline", message));
            DEFAULT_DEADLINE
        }),
        None => DEFAULT_DEADLINE,
    };
    Some(RollcallConfig { at, deadline })
}
