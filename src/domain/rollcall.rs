use serde::{Deserialize, Serialize};

/// What the desk heard from a contact in a roll-call: reached and safe, reached and needing
/// help, or tried and not reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Safe,
    NeedsHelp,
    NotReached,
}

impl Answer {
    /// As the record writes it: `safe`, `needs_help`, `not_reached`.
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Safe => "safe",
            Answer::NeedsHelp => "needs_help",
            Answer::NotReached => "not_reached",
        }
    }

    /// As the overlay and briefings say it.
    pub fn label(self) -> &'static str {
        match self {
            Answer::Safe => "reached, safe",
            Answer::NeedsHelp => "NEEDS HELP",
            Answer::NotReached => "tried, not reached",
        }
    }

    /// Whether the contact was reached: a roll-call waits on those who were not.
    pub fn reached(self) -> bool {
        self != Answer::NotReached
    }
}
