//! Moving the selection: the App's side of what `pane` keeps. The highlight rests on a pane's
//! first row until the operator first uses the pane, then stays on that record; when the record
//! leaves, the operator is told, and nothing is selected until they move.

use super::App;
use super::naming;
use super::pane::{Departure, Pane};

impl App {
    /// Whether `pane` has the focus; if not, says what the key `does` and which key focuses it.
    pub(super) fn focused_on(&mut self, pane: Pane, does: &str) -> bool {
        if self.focus == pane {
            return true;
        }
        let focus = super::keymap::keys_for(
            super::keymap::Context::Panes,
            super::keymap::Action::FocusPane(pane.index()),
        )
        .unwrap_or_default();
        self.flash = Some(format!("{does}: {focus} focuses {}", pane.title()));
        false
    }

    /// Keeps the words for the selected record current, to name it once it has left.
    pub(super) fn relabel(&mut self, pane: Pane) {
        let view = &self.panes[pane.index()];
        if let Some(label) =
            view.selected_key().and_then(|key| naming::record(self.config(), &self.state, &self.cot_out, key))
        {
            self.panes[pane.index()].set_label(label);
        }
    }

    /// Moves the focused pane's selection by `delta` rows.
    pub(super) fn move_selection(&mut self, delta: isize) {
        self.focused_mut().move_by(delta);
        self.relabel(self.focus);
    }

    pub(super) fn select_in_focused(&mut self, index: isize) {
        self.focused_mut().select(index);
        self.relabel(self.focus);
    }

    /// From the operator's first key in a pane, its highlight stays on the record it is on.
    pub(super) fn hold_selection(&mut self, pane: Pane) {
        self.panes[pane.index()].hold();
        self.relabel(pane);
    }

    pub(super) fn focus_on(&mut self, pane: Pane) {
        self.focus = pane;
        self.hold_selection(pane);
        if let Some(departure) = self.pane(pane).departure() {
            self.flash = Some(departure_message(pane, &departure));
        }
    }

    /// Steps the focused pane's selection through the rows its filter matches.
    pub(super) fn step_match(&mut self, forward: bool) {
        let pane = self.focus;
        if self.pane(pane).filter.is_empty() {
            self.flash = Some(format!(
                "no filter in {}: / filters, then C-n / C-p step through the matches",
                pane.title()
            ));
            return;
        }
        let count = self.pane(pane).rows.len();
        self.flash = Some(match self.focused_mut().step_match(forward) {
            None => "nothing matches the filter".into(),
            Some((index, false)) => format!("match {} of {count}", index + 1),
            Some((index, true)) => {
                let to = if forward { "first" } else { "last" };
                format!("match {} of {count} (wrapped to the {to})", index + 1)
            }
        });
        self.relabel(pane);
    }
}

/// Says that the selected record left `pane`, and that nothing acts until the operator selects.
pub(super) fn departure_message(pane: Pane, departure: &Departure) -> String {
    // What the operator must know first, in case the status bar has to cut the rest.
    let how = if departure.filtered { "is hidden by the filter" } else { "left the pane" };
    format!("nothing selected in {}: {} {how} (j/k to select)", pane.title(), departure.label)
}

pub(super) fn nothing_selected(pane: Pane) -> String {
    format!("nothing selected in {} (j/k to select)", pane.title())
}
