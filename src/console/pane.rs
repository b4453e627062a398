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
    Column::new("State", 9).hides(5),
    Column::new("Raised", 17).hides(4),
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
    Contact(usize),
    Alert(String),
    Log(u64),
    Feed(String),
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

/// A pane's rows after filtering, with its selection and scroll position.
#[derive(Debug, Default)]
pub struct PaneView {
    pub rows: Vec<Row>,
    /// Rows before filtering, for the title's "shown of total".
    pub total: usize,
    pub selected: usize,
    pub filter: String,
    /// First visible row; set while rendering, which alone knows the pane's height.
    pub offset: Cell<usize>,
    /// Set while rendering, which alone knows the pane's width; cleared when the rows change.
    pub fitted: RefCell<Option<FittedColumns>>,
}

impl PaneView {
    pub fn set_rows(&mut self, rows: Vec<Row>) {
        *self.fitted.get_mut() = None;
        self.total = rows.len();
        let needle = self.filter.to_lowercase();
        self.rows = if needle.is_empty() {
            rows
        } else {
            rows.into_iter().filter(|r| r.cells.iter().any(|c| c.to_lowercase().contains(&needle))).collect()
        };
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    pub fn select(&mut self, index: isize) {
        let last = self.rows.len().saturating_sub(1) as isize;
        self.selected = index.clamp(0, last.max(0)) as usize;
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }
}
