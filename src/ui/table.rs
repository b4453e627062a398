//! Draws one pane: a bordered table whose title carries the pane's name, its row count and
//! filter, with the selection kept in view.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row as TableRow, Table, TableState};

use super::theme::Theme;
use crate::console::App;
use crate::console::pane::{Pane, Row};

fn widths(pane: Pane) -> &'static [Constraint] {
    use Constraint::{Fill, Length, Min};
    match pane {
        Pane::Missions => &[Length(3), Length(12), Fill(1), Length(5), Length(4), Min(6)],
        Pane::Contacts => &[Fill(3), Length(6), Fill(2), Length(9), Length(4), Length(13)],
        Pane::Alerts => &[Length(4), Length(9), Length(11), Length(5), Length(12), Fill(1)],
        Pane::Log => &[Length(12), Length(20), Fill(1)],
        Pane::Feeds => &[Fill(1), Length(7), Length(8), Length(5), Length(7), Length(9)],
        Pane::Map => &[],
    }
}

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
    let block = Block::bordered().title(Line::from(title)).border_style(theme.border(focused));
    let inner_height = area.height.saturating_sub(3) as usize; // borders and header

    if view.rows.is_empty() {
        let empty = if view.total == 0 { empty_text(pane) } else { "nothing matches the filter" };
        frame.render_widget(
            ratatui::widgets::Paragraph::new(format!(" {empty}")).style(theme.dim()).block(block),
            area,
        );
        return;
    }

    // Keep the selection in view, scrolling as little as possible from where the pane was.
    let mut offset = view.offset.get().min(view.selected);
    if inner_height > 0 && view.selected >= offset + inner_height {
        offset = view.selected + 1 - inner_height;
    }
    view.offset.set(offset);

    let header = TableRow::new(pane.headers().iter().map(|h| Cell::from(*h))).style(theme.header());
    let rows = view.rows.iter().skip(offset).take(inner_height.max(1)).map(|row| table_row(row, theme));
    let table = Table::new(rows, widths(pane))
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(theme.selected(focused));
    let mut state = TableState::new().with_selected(Some(view.selected - offset));
    frame.render_stateful_widget(table, area, &mut state);
}

fn table_row<'a>(row: &'a Row, theme: &Theme) -> TableRow<'a> {
    let cells = row.cells.iter().enumerate().map(|(i, text)| {
        let cell = Cell::from(text.as_str());
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
