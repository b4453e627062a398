use std::cell::{Cell, RefCell};

use crate::domain::Severity;

/// The five panes, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Missions,
    Contacts,
    Alerts,
    Log,
    Feeds,
    Map,
}

impl Pane {
    pub const ALL: [Pane; 6] =
        [Pane::Missions, Pane::Contacts, Pane::Alerts, Pane::Log, Pane::Feeds, Pane::Map];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Missions => "Missions",
            Pane::Contacts => "Contacts",
            Pane::Alerts => "Alerts",
            Pane::Log => "Event log",
            Pane::Feeds => "Feeds",
            Pane::Map => "Map",
        }
    }

    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).expect("every pane is in ALL")
    }

    /// The pane's columns, left to right, and the order in which they give way when the pane
    /// is narrow: the name and the severity or status are the last to shrink.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Pane::Missions => MISSION_COLUMNS,
            Pane::Contacts => CONTACT_COLUMNS,
            Pane::Alerts => ALERT_COLUMNS,
            Pane::Log => LOG_COLUMNS,
            Pane::Feeds => FEED_COLUMNS,
            Pane::Map => &[],
        }
    }
}

const MISSION_COLUMNS: &[Column] = &[
    Column::new("St", 3).hides(8),
    Column::new("ID", 16).shrinks(6, 9).names(),
    Column::new("Mission", 28).shrinks(12, 1).hides(6).grows(),
    Column::new("Kind", 5).hides(3),
    Column::new("Ctry", 4).shrinks(2, 2).hides(4),
    Column::new("Open", 24).shrinks(7, 5),
];

const CONTACT_COLUMNS: &[Column] = &[
    Column::new("Name", 28).shrinks(12, 6).names(),
    Column::new("Role", 6).hides(4),
    Column::new("Post", 24).shrinks(6, 1).hides(3).grows(),
    Column::new("Local", 9).hides(5),
    Column::new("Duty", 4).hides(7),
    Column::new("Check-in", 16),
];

const ALERT_COLUMNS: &[Column] = &[
    Column::new("Sev", 4),
    Column::new("State", 9).hides(6),
    Column::new("Raised", 17).hides(4),
    // The event's own age: an old event must not pass for news, so it outlasts Raised.
    Column::new("Age", 5).hides(5),
    Column::new("Feed", 20).shrinks(7, 1).hides(3).names(),
    Column::new("Alert", 32).shrinks(16, 2).grows(),
];

const LOG_COLUMNS: &[Column] = &[
    Column::new("Time", 20),
    Column::new("Kind", 22).shrinks(10, 1).hides(3),
    Column::new("Event", 40).shrinks(16, 2).grows(),
];

const FEED_COLUMNS: &[Column] = &[
    Column::new("Feed", 32).shrinks(4, 5).names(),
    Column::new("State", 7).hides(6),
    Column::new("Last ok", 10).hides(4),
    Column::new("Items", 6).hides(2),
    Column::new("Took", 7).hides(1),
    Column::new("Next", 10).hides(3),
];

/// One column of a pane. A column is as wide as its widest text or header, up to `max`. When
/// the pane is too narrow for every column, columns give way in steps, lowest rank first, until
/// they fit: a column shrinks to `min` at its shrink rank and is hidden at its hide rank. Ranks
/// compare only within a pane. Columns without a hide rank stay; if even they do not fit, they
/// are cut from the right, the first column last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub header: &'static str,
    pub max: u16,
    /// The narrowest it shrinks to at its shrink rank.
    pub min: u16,
    pub shrink_rank: Option<u8>,
    pub hide_rank: Option<u8>,
    /// Takes the room left over once every column has its width (a title, a name).
    pub grows: bool,
    /// Its text names things: it is never cut so short that two of its names read alike.
    pub names: bool,
}

impl Column {
    /// A column that neither shrinks nor hides until told to.
    pub const fn new(header: &'static str, max: u16) -> Self {
        Column { header, max, min: max, shrink_rank: None, hide_rank: None, grows: false, names: false }
    }

    pub const fn shrinks(self, min: u16, rank: u8) -> Self {
        Column { min, shrink_rank: Some(rank), ..self }
    }

    pub const fn hides(self, rank: u8) -> Self {
        Column { hide_rank: Some(rank), ..self }
    }

    pub const fn grows(self) -> Self {
        Column { grows: true, ..self }
    }

    pub const fn names(self) -> Self {
        Column { names: true, ..self }
    }
}

/// Column widths fitted to a pane's inner width (0 for a hidden column), kept until the pane's
/// rows or its width change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FittedColumns {
    pub room: u16,
    pub widths: Vec<u16>,
}

/// What a row stands for, so Enter can open its detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowKey {
    Mission(String),
    /// A followed desk's mission, by `desk/ID`: shown here, worked there.
    OtherMission(String),
    Contact(usize),
    Alert(String),
    Log(u64),
    Feed(String),
    /// A `[[cot_out]]` destination, by its place in the configuration, listed under the feeds.
    CotOut(usize),
    /// Not a pane's row: a roll-call's overlay, by its id.
    Rollcall(String),
}

/// A pane's line as plain text; the UI decides how it looks.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub key: RowKey,
    pub cells: Vec<String>,
    pub severity: Option<Severity>,
    /// Needs the operator's eye: overdue, failing, escalated, exercise traffic.
    pub flagged: bool,
}

/// What a pane's highlight is on. Once the operator has used the pane it is held by the
/// record's key, never by row position, so rows arriving, sorting or being filtered never move
/// it to a record the operator did not choose.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Selection {
    /// The operator has not used this pane yet: the highlight rests on the first row, whichever
    /// record sorts there (a log shows its newest line), until they do.
    #[default]
    Resting,
    /// On a record; `index` is its row in `rows` now.
    On { key: RowKey, index: usize },
    /// The selected record left the pane. Nothing is selected until the operator moves
    /// (starting from `index`, where the record was) or the record comes back.
    Left { key: RowKey, index: usize, filtered: bool },
}

/// The selected record has left the pane: what it was, for the operator to be told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Departure {
    /// The record as the operator knows it (`SEVR "M 4.6 - Bravo"`).
    pub label: String,
    /// Still in the pane's rows, only hidden by the filter.
    pub filtered: bool,
}

/// A pane's rows after filtering, with its selection and scroll position.
#[derive(Debug, Default)]
pub struct PaneView {
    pub rows: Vec<Row>,
    /// Rows before filtering, for the title's "shown of total".
    pub total: usize,
    selection: Selection,
    /// The selected record in words, kept current while it is listed so that it can still be
    /// named once it has left.
    label: String,
    pub filter: String,
    /// First visible row; set while rendering, which alone knows the pane's height.
    pub offset: Cell<usize>,
    /// Set while rendering, which alone knows the pane's width; cleared when the rows change.
    pub fitted: RefCell<Option<FittedColumns>>,
}

impl PaneView {
    /// Replaces the rows, keeping the selection on the same record wherever it now sorts.
    /// Returns the selected record if this took it out of the pane.
    pub fn set_rows(&mut self, rows: Vec<Row>) -> Option<Departure> {
        *self.fitted.get_mut() = None;
        self.total = rows.len();
        let needle = self.filter.to_lowercase();
        let matches =
            |r: &Row| needle.is_empty() || r.cells.iter().any(|c| c.to_lowercase().contains(&needle));
        let selected = match &self.selection {
            Selection::On { key, .. } | Selection::Left { key, .. } => Some(key.clone()),
            Selection::Resting => None,
        };
        // Only needed to say why a selected record went: hidden by the filter, or gone.
        let hidden = selected.as_ref().is_some_and(|key| rows.iter().any(|r| &r.key == key && !matches(r)));
        self.rows = if needle.is_empty() { rows } else { rows.into_iter().filter(|r| matches(r)).collect() };
        let found = selected.as_ref().and_then(|key| self.rows.iter().position(|r| &r.key == key));
        match (std::mem::take(&mut self.selection), found) {
            (Selection::Resting, _) => None,
            (Selection::On { key, .. } | Selection::Left { key, .. }, Some(index)) => {
                self.selection = Selection::On { key, index };
                None
            }
            (Selection::On { key, index }, None) => {
                self.selection = Selection::Left { key, index: index.min(self.rows.len()), filtered: hidden };
                self.departure()
            }
            (Selection::Left { key, index, .. }, None) => {
                self.selection = Selection::Left { key, index: index.min(self.rows.len()), filtered: hidden };
                None
            }
        }
    }

    /// Selects the row at `index`, clamped to the rows there are.
    pub fn select(&mut self, index: isize) {
        let Some(last) = self.rows.len().checked_sub(1) else { return };
        let index = index.clamp(0, last as isize) as usize;
        self.selection = Selection::On { key: self.rows[index].key.clone(), index };
    }

    /// Moves the selection by `delta` rows. After the selected record left, movement starts
    /// where it was: down selects the row that took its place, up the row above it.
    pub fn move_by(&mut self, delta: isize) {
        match self.selection {
            Selection::On { index, .. } => self.select(index as isize + delta),
            Selection::Left { index, .. } if delta > 0 => self.select(index as isize + delta - 1),
            Selection::Left { index, .. } => self.select(index as isize + delta),
            Selection::Resting => self.select(delta),
        }
    }

    /// Selects the next (or previous) row, wrapping past either end: every row shown matches
    /// the filter, so this steps through the matches. Returns the row selected and whether
    /// it wrapped; None when no row is shown.
    pub fn step_match(&mut self, forward: bool) -> Option<(usize, bool)> {
        let count = self.rows.len();
        if count == 0 {
            return None;
        }
        // The place to step from; after a departure, between the rows around where it was.
        let (after, before) = match self.selection {
            Selection::On { index, .. } => (index + 1, index.checked_sub(1)),
            Selection::Left { index, .. } => (index, index.checked_sub(1)),
            Selection::Resting => (1, None),
        };
        let (index, wrapped) = match (forward, before) {
            (true, _) if after < count => (after, false),
            (true, _) => (0, true),
            (false, Some(before)) => (before.min(count - 1), false),
            (false, None) => (count - 1, true),
        };
        self.select(index as isize);
        Some((index, wrapped))
    }

    /// Holds the highlight on the record it rests on: from the operator's first use of the pane
    /// it stays there whatever arrives.
    pub fn hold(&mut self) {
        if self.selection == Selection::Resting && !self.rows.is_empty() {
            self.select(0);
        }
    }

    /// The operator has used this pane: its highlight is on a record they chose, not resting
    /// on whichever row sorts first.
    pub fn held(&self) -> bool {
        !matches!(self.selection, Selection::Resting)
    }

    pub fn selected_index(&self) -> Option<usize> {
        match self.selection {
            Selection::On { index, .. } => Some(index),
            Selection::Resting if !self.rows.is_empty() => Some(0),
            _ => None,
        }
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.selected_index().and_then(|i| self.rows.get(i))
    }

    /// Names the selected record, so it can be named after it has left.
    pub fn set_label(&mut self, label: String) {
        self.label = label;
    }

    /// The selected record, if it has left the pane and nothing is selected since.
    pub fn departure(&self) -> Option<Departure> {
        match self.selection {
            Selection::Left { filtered, .. } => Some(Departure { label: self.label.clone(), filtered }),
            _ => None,
        }
    }

    pub fn selected_key(&self) -> Option<&RowKey> {
        self.selected_row().map(|row| &row.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(keys: &[&str]) -> Vec<Row> {
        keys.iter()
            .map(|k| Row {
                key: RowKey::Alert((*k).to_string()),
                cells: vec![(*k).to_string()],
                severity: None,
                flagged: false,
            })
            .collect()
    }

    fn selected(view: &PaneView) -> Option<String> {
        match view.selected_row().map(|r| &r.key) {
            Some(RowKey::Alert(k)) => Some(k.clone()),
            _ => None,
        }
    }

    #[test]
    fn the_selection_stays_on_its_record_when_rows_arrive_above_it() {
        let mut view = PaneView::default();
        view.set_rows(rows(&["bravo", "charlie"]));
        view.hold();
        assert_eq!(selected(&view).as_deref(), Some("bravo"));
        view.set_rows(rows(&["alpha", "bravo", "charlie"]));
        assert_eq!(selected(&view).as_deref(), Some("bravo"));
    }

    #[test]
    fn an_unused_pane_rests_on_its_first_row_until_held() {
        let mut view = PaneView::default();
        view.set_rows(Vec::new());
        assert_eq!(view.selected_index(), None);
        view.hold();
        view.set_rows(rows(&["bravo", "charlie"]));
        assert_eq!(selected(&view).as_deref(), Some("bravo"));
        view.set_rows(rows(&["alpha", "bravo", "charlie"]));
        assert_eq!(selected(&view).as_deref(), Some("alpha"), "resting: the newest first row");
        view.hold();
        view.set_rows(rows(&["zulu", "alpha", "bravo", "charlie"]));
        assert_eq!(selected(&view).as_deref(), Some("alpha"), "held: the same record");
    }

    #[test]
    fn the_selection_follows_its_record_when_the_order_changes() {
        let mut view = PaneView::default();
        view.set_rows(rows(&["alpha", "bravo", "charlie"]));
        view.select(2);
        view.set_rows(rows(&["charlie", "alpha", "bravo"]));
        assert_eq!((selected(&view).as_deref(), view.selected_index()), (Some("charlie"), Some(0)));
    }

    #[test]
    fn a_record_that_leaves_takes_the_selection_with_it_and_says_so() {
        let mut view = PaneView::default();
        view.set_rows(rows(&["alpha", "bravo", "charlie"]));
        view.select(1);
        view.set_label("bravo's words".into());
        let departure = view.set_rows(rows(&["alpha", "charlie"]));
        assert_eq!(departure, Some(Departure { label: "bravo's words".into(), filtered: false }));
        assert_eq!(view.selected_row(), None, "no neighbour is selected in its place");
        // Said once, not again with every later change.
        assert_eq!(view.set_rows(rows(&["zulu", "alpha", "charlie"])), None);
        assert_eq!(view.selected_row(), None);
    }

    #[test]
    fn movement_after_a_departure_starts_where_the_record_was() {
        let mut view = PaneView::default();
        view.set_rows(rows(&["alpha", "bravo", "charlie", "delta"]));
        view.select(2);
        view.set_rows(rows(&["alpha", "bravo", "delta"]));
        view.move_by(1);
        assert_eq!(selected(&view).as_deref(), Some("delta"), "down: the row that took its place");
        view.select(2);
        view.set_rows(rows(&["alpha", "bravo"]));
        view.move_by(-1);
        assert_eq!(selected(&view).as_deref(), Some("bravo"), "up: the row above where it was");
    }

    #[test]
    fn a_filter_hides_the_selection_and_clearing_it_brings_it_back() {
        let mut view = PaneView::default();
        view.set_rows(rows(&["alpha", "bravo", "charlie"]));
        view.select(1);
        view.filter = "ch".into();
        let departure = view.set_rows(rows(&["alpha", "bravo", "charlie"]));
        assert!(departure.is_some_and(|d| d.filtered));
        assert_eq!(view.selected_row(), None, "charlie matches, but the operator did not choose it");
        view.filter.clear();
        view.set_rows(rows(&["alpha", "bravo", "charlie"]));
        assert_eq!(selected(&view).as_deref(), Some("bravo"));
    }
}
