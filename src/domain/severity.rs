use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One scale for every feed, so rules and panes compare a CAP "Extreme", a GDACS "Red" and a
/// USGS magnitude the same way. Ordered from least to most urgent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Info,
    Minor,
    Moderate,
    Severe,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Info, Severity::Minor, Severity::Moderate, Severity::Severe, Severity::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Minor => "minor",
            Severity::Moderate => "moderate",
            Severity::Severe => "severe",
            Severity::Critical => "critical",
        }
    }

    /// A fixed-width tag that carries the severity without colour (NO_COLOR, monochrome links).
    pub fn tag(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Minor => "MINR",
            Severity::Moderate => "MODR",
            Severity::Severe => "SEVR",
            Severity::Critical => "CRIT",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL.into_iter().find(|sev| sev.as_str().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            format!("unknown severity `{s}` (expected info, minor, moderate, severe or critical)")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_runs_from_info_to_critical() {
        assert!(Severity::Info < Severity::Minor);
        assert!(Severity::Severe < Severity::Critical);
    }

    #[test]
    fn parses_case_insensitively_and_rejects_unknown() {
        assert_eq!("Severe".parse::<Severity>(), Ok(Severity::Severe));
        assert!("extreme".parse::<Severity>().is_err());
    }
}
