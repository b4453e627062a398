//! Drawing the console. Reads `console::App`, never changes desk state. Panes sit side by side
//! when the terminal is large enough and become tabs when it is not (80x24 over a slow link).

mod columns;
mod map;
mod overlay;
mod painter;
mod status;
mod table;
pub mod theme;

pub use painter::Painter;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::config::Layout as LayoutSetting;
use crate::console::App;
use crate::console::pane::Pane;
use theme::Theme;

/// The smallest terminal that shows all five panes at once.
pub const GRID_MIN: (u16, u16) = (100, 28);

pub fn render(frame: &mut Frame, app: &App, theme: &Theme) {
    render_in(frame, frame.area(), app, theme);
}

/// What a draw must paint again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Redraw {
    Nothing,
    /// Only the status bar changed (the clock's second).
    StatusBar,
    All,
}

impl Redraw {
    /// `All` when `changed`, else what it was.
    pub fn or_all(self, changed: bool) -> Redraw {
        if changed { Redraw::All } else { self }
    }
}

/// Draws the console in `area`: the replay puts its banner and timeline around it.
pub fn render_in(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    render_with_status(frame, area, app, theme, status::lines(app, area.width, theme));
}

pub(crate) fn render_with_status(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    status_lines: Vec<Line<'static>>,
) {
    let (exercise_alerts, exercise_items) = (app.summary.exercise_alerts, app.summary.exercise_items);
    let banner = u16::from(exercise_alerts + exercise_items > 0);
    let [banner_area, body, status_area] = Layout::vertical([
        Constraint::Length(banner),
        Constraint::Fill(1),
        Constraint::Length(status_lines.len() as u16),
    ])
    .areas(area);
    if banner > 0 {
        let (alerts, items) = (
            crate::words::count(exercise_alerts as u64, "alert", "alerts"),
            crate::words::count(exercise_items as u64, "item", "items"),
        );
        let text = format!(
            " EXERCISE / TEST TRAFFIC IN VIEW: {alerts}, {items}, marked [EXERCISE] or [TEST]; not real-world "
        );
        frame.render_widget(Line::raw(text).style(theme.alarm()), banner_area);
    }
    // Decided on the whole screen, so a message taking a line or two does not switch the layout.
    let grid = app.config().layout == LayoutSetting::Auto
        && body.width >= GRID_MIN.0
        && area.height.saturating_sub(banner) >= GRID_MIN.1;
    if grid {
        render_grid(frame, body, app, theme);
    } else {
        render_tabs(frame, body, app, theme);
    }
    status::render(frame.buffer_mut(), status_area, status_lines);
    overlay::render(frame, app, theme);
}

fn render_grid(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // What needs attention on top, who to call and whether the picture is current in the
    // middle, the running record and the map at the bottom.
    let [top, middle, bottom] =
        Layout::vertical([Constraint::Percentage(36), Constraint::Percentage(28), Constraint::Fill(1)])
            .areas(area);
    let [missions, alerts] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
    let [contacts, feeds] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(middle);
    let [log, map] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(bottom);
    for (pane, rect) in [
        (Pane::Missions, missions),
        (Pane::Alerts, alerts),
        (Pane::Contacts, contacts),
        (Pane::Feeds, feeds),
        (Pane::Log, log),
        (Pane::Map, map),
    ] {
        render_pane(frame, rect, app, pane, theme);
    }
}

fn render_pane(frame: &mut Frame, area: Rect, app: &App, pane: Pane, theme: &Theme) {
    match pane {
        Pane::Map => map::render(frame, area, app, theme),
        _ => table::render(frame, area, app, pane, theme),
    }
}

fn render_tabs(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let mut spans = Vec::new();
    for pane in Pane::ALL {
        let label = format!(" {} {} ", pane.index() + 1, pane.title());
        let style = if pane == app.focus { theme.selected(true) } else { theme.dim() };
        spans.push(Span::styled(label, style));
    }
    let tabs_line = Line::from(spans);
    // The desk's name, where it fits beside the tabs (the status bar drops it when narrow).
    let name = format!(" {} ", app.config().desk_name);
    let room = (tabs.width as usize).saturating_sub(tabs_line.width());
    frame.render_widget(tabs_line, tabs);
    if name.chars().count() <= room {
        frame.render_widget(Line::raw(name).right_aligned().style(theme.dim()), tabs);
    }
    render_pane(frame, body, app, app.focus, theme);
}
