use std::cell::Cell;

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

    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Pane::Missions => &["St", "ID", "Mission", "Kind", "Ctry", "Open"],
            Pane::Contacts => &["Name", "Role", "Post", "Local", "Duty", "Check-in"],
            Pane::Alerts => &["Sev", "State", "Raised", "Age", "Feed", "Alert"],
            Pane::Log => &["Time", "Kind", "Event"],
            Pane::Feeds => &["Feed", "State", "Last ok", "Items", "Took", "Next"],
            Pane::Map => &[],
        }
    }
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
}

impl PaneView {
    pub fn set_rows(&mut self, rows: Vec<Row>) {
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
