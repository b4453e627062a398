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
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let [missions, contacts] =
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(left);
    let [alerts, feeds, log] = Layout::vertical([
        Constraint::Percentage(35),
        Constraint::Percentage(25),
        Constraint::Percentage(40),
    ])
    .areas(right);
    for (pane, rect) in [
        (Pane::Missions, missions),
        (Pane::Contacts, contacts),
        (Pane::Alerts, alerts),
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
    table::render(frame, body, app, app.focus, theme);
}
