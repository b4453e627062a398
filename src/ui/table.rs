//! Draws one pane: a bordered table whose title carries the pane's name, its row count and
//! filter, with the selection kept in view.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row as TableRow, Table, TableState};

use super::columns;
use super::theme::Theme;
use crate::console::App;
use crate::console::pane::{FittedColumns, Pane, PaneView, Row};

pub fn render(frame: &mut Frame, area: Rect, app: &App, pane: Pane, theme: &Theme) {
    let view = app.pane(pane);
    let focused = app.focus == pane;
    // Focus is marked in text as well as colour, for monochrome terminals and NO_COLOR.
    let marker = if focused { "▶" } else { " " };
    let mut title = vec![Span::raw(format!("{marker}{} {} ", pane.index() + 1, pane.title()))];
    let count = if view.filter.is_empty() {
        format!("{} ", view.total)
    } else {
        format!("{}/{} filter \"{}\" ", view.rows.len(), view.total, view.filter)
    };
    title.push(Span::styled(count, theme.dim()));
    if pane == Pane::Log {
        title.push(Span::raw(format!("{} ", crate::console::rows::log_zone_label(app.log_zone()))));
    }
    let mut block = Block::bordered().title(Line::from(title)).border_style(theme.border(focused));
    if pane == Pane::Feeds
        && let Some(sync) = &app.sync
    {
        let [whole, ..] = crate::console::sync_line::forms(sync, app.now);
        let style = if sync.healthy() { theme.dim() } else { theme.flagged() };
        block = block.title_bottom(Line::styled(format!(" {} ", crate::text::one_line(&whole)), style));
    }
    let inner_height = area.height.saturating_sub(3) as usize; // borders and header

    if view.rows.is_empty() {
        let empty = if view.total == 0 { empty_text(pane) } else { "nothing matches the filter" };
        frame.render_widget(
            ratatui::widgets::Paragraph::new(format!(" {empty}")).style(theme.dim()).block(block),
            area,
        );
        return;
    }

    // The focused pane keeps its selection in view, scrolling as little as possible from where
    // it was; the others keep their place, so rows arriving above a selection stay in sight.
    let selected = view.selected_index();
    // No blank lines below the last row while rows above are scrolled out of sight.
    let mut offset = view.offset.get().min(view.rows.len().saturating_sub(inner_height.max(1)));
    if focused && let Some(selected) = selected {
        offset = offset.min(selected);
        if inner_height > 0 && selected >= offset + inner_height {
            offset = selected + 1 - inner_height;
        }
    }
    view.offset.set(offset);

    let height = inner_height.max(1);
    let widths = fitted_widths(view, pane, area.width.saturating_sub(2));
    let shown: Vec<(usize, u16)> = widths.iter().copied().enumerate().filter(|(_, w)| *w > 0).collect();
    let headers = shown.iter().map(|&(i, _)| Cell::from(pane.columns()[i].header));
    let header = TableRow::new(headers).style(theme.header());
    let rows = view.rows.iter().skip(offset).take(height).map(|row| table_row(row, &shown, theme));
    let constraints = shown.iter().map(|&(_, w)| Constraint::Length(w));
    let table = Table::new(rows, constraints)
        .header(header)
        .block(block)
        .column_spacing(columns::SPACING)
        .row_highlight_style(theme.selected(focused));
    // A selection scrolled out of an unfocused pane's view is not drawn on another row.
    let visible = selected.filter(|&s| s >= offset && s < offset + height).map(|s| s - offset);
    let mut state = TableState::new().with_selected(visible);
    frame.render_stateful_widget(table, area, &mut state);
}

/// The pane's column widths for `room` cells, fitted once for its rows and width.
fn fitted_widths(view: &PaneView, pane: Pane, room: u16) -> Vec<u16> {
    let mut fitted = view.fitted.borrow_mut();
    match &*fitted {
        Some(f) if f.room == room => f.widths.clone(),
        _ => {
            let widths = columns::widths(pane.columns(), &view.rows, room);
            *fitted = Some(FittedColumns { room, widths: widths.clone() });
            widths
        }
    }
}

/// A row's cells in the shown columns, each cut to its column's width.
fn table_row<'a>(row: &'a Row, shown: &[(usize, u16)], theme: &Theme) -> TableRow<'a> {
    let cells = shown.iter().filter_map(|&(i, width)| Some((i, columns::cut(row.cells.get(i)?, width))));
    let cells = cells.map(|(i, text)| {
        let cell = Cell::from(text);
        match (i, row.severity) {
            // The first column carries the severity tag (or the name) and its colour.
            (0, Some(sev)) => cell.style(theme.severity(sev)),
            _ => cell,
        }
    });
    let style = if row.flagged { theme.flagged() } else { Default::default() };
    TableRow::new(cells).style(style)
}

fn empty_text(pane: Pane) -> &'static str {
    match pane {
        Pane::Missions => "no missions configured",
        Pane::Contacts => "no contacts configured",
        Pane::Alerts => "no alerts",
        Pane::Log => "no events yet",
        Pane::Feeds => "no feeds configured",
        Pane::Map => "",
    }
}
