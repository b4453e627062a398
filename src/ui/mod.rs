//! Drawing the console. Reads `console::App`, never changes desk state. Panes sit side by side
//! when the terminal is large enough and become tabs when it is not (80x24 over a slow link).

mod overlay;
mod status;
mod table;
pub mod theme;

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
    let [body, status_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(frame.area());
    let grid =
        app.config.layout == LayoutSetting::Auto && body.width >= GRID_MIN.0 && body.height + 1 >= GRID_MIN.1;
    if grid {
        render_grid(frame, body, app, theme);
    } else {
        render_tabs(frame, body, app, theme);
    }
    status::render(frame, status_area, app, theme);
    overlay::render(frame, app, theme);
}

fn render_grid(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // What needs attention on top, who to call and whether the picture is current in the
    // middle, and the running record across the full width where its lines fit.
    let [top, middle, log] =
        Layout::vertical([Constraint::Percentage(38), Constraint::Percentage(30), Constraint::Fill(1)])
            .areas(area);
    let [missions, alerts] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
    let [contacts, feeds] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(middle);
    for (pane, rect) in [
        (Pane::Missions, missions),
        (Pane::Alerts, alerts),
        (Pane::Contacts, contacts),
        (Pane::Feeds, feeds),
        (Pane::Log, log),
    ] {
        table::render(frame, rect, app, pane, theme);
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
    frame.render_widget(Line::from(spans), tabs);
    frame.render_widget(
        Line::raw(format!("{} ", app.config.desk_name)).right_aligned().style(theme.dim()),
        tabs,
    );
    table::render(frame, body, app, app.focus, theme);
}
