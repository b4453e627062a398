//! How the console names a record in its messages and prompts: the words the operator sees on
//! the row, short enough for the status bar, folded like all text that reaches the terminal.

use super::pane::RowKey;
use crate::config::Config;
use crate::domain::Traffic;
use crate::state::{Alert, DeskState};
use crate::text::{one_line, truncate};

/// Longest title or text quoted in a message; the rest is cut with an ellipsis.
const QUOTED: usize = 48;

/// An alert as a message names it: `SEVR "M 6.1 - 12 km N of Aparri"`, and exercise or test
/// traffic as such (`CRIT "[TEST] Tsunami drill"`), so nobody takes an action on it for real.
pub fn alert(alert: &Alert) -> String {
    let title = marked_title(alert.traffic, &one_line(&alert.title));
    format!("{} \"{}\"", alert.severity.tag(), truncate(&title, QUOTED))
}

/// A title as a line shows it: exercise and test traffic marked `[TEST] ...`, once, even where
/// the publisher's own title already says so.
pub fn marked_title(traffic: Traffic, title: &str) -> String {
    match traffic.tag_for(title) {
        Some(tag) => format!("[{tag}] {title}"),
        None => title.to_string(),
    }
}

/// The record behind a row, in words; None once it is no longer known.
pub fn record(
    config: &Config,
    state: &DeskState,
    outs: &[(crate::cot_out::CotOutConfig, crate::cot_out::LinkStatus)],
    key: &RowKey,
) -> Option<String> {
    Some(match key {
        RowKey::Mission(id) | RowKey::OtherMission(id) => {
            format!("mission {}", truncate(&one_line(id), QUOTED))
        }
        RowKey::Contact(n) => {
            format!("contact {}", truncate(&one_line(&config.contacts.get(*n)?.name), QUOTED))
        }
        RowKey::Alert(id) => alert(state.alerts().get(id)?),
        RowKey::Log(seq) => {
            let line = state.log().iter().find(|l| l.seq == *seq)?;
            format!("#{seq} {} \"{}\"", line.kind, truncate(&one_line(&line.text), QUOTED / 2))
        }
        RowKey::Feed(name) => format!("feed {}", truncate(&one_line(name), QUOTED)),
        RowKey::CotOut(n) => format!("cot out {}", truncate(&one_line(&outs.get(*n)?.0.url), QUOTED)),
        RowKey::Rollcall(id) => format!("roll-call {}", truncate(&one_line(id), QUOTED)),
    })
}
