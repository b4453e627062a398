//! Help, detail views and prompts, drawn over the panes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::theme::Theme;
use crate::console::keymap::help_lines;
use crate::console::{App, Overlay, PromptPurpose};

pub fn render(frame: &mut Frame, app: &App, theme: &Theme) {
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => {
            let mut lines = Vec::new();
            let mut section = "";
            for (keys, what, group) in help_lines() {
                if group != section {
                    if !section.is_empty() {
                        lines.push(Line::raw(""));
                    }
                    lines.push(Line::styled(group, theme.header()));
                    section = group;
                }
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys:<14}"), theme.header()),
                    Span::raw(what),
                ]));
            }
            scrolled_box(frame, " Help - keys ", lines, *scroll, theme);
        }
        Overlay::Detail { detail, scroll } => {
            let lines = detail.lines.iter().map(|l| Line::raw(l.as_str())).collect();
            scrolled_box(frame, &format!(" {} ", detail.title), lines, *scroll, theme);
        }
        Overlay::Prompt { purpose, text } => {
            let (title, about) = match purpose {
                PromptPurpose::Note => (" Operator note (Enter saves to the journal, Esc cancels) ", None),
                PromptPurpose::Filter => (" Filter (Enter keeps, Esc clears) ", None),
                PromptPurpose::AcknowledgeNote(alert) => {
                    (" Acknowledge with a note (Enter acknowledges, Esc cancels) ", Some(alert))
                }
                PromptPurpose::ResolveReason(alert) => {
                    (" Resolve: the reason (Enter resolves, Esc cancels) ", Some(alert))
                }
            };
            // An alert's prompt says which alert it acts on, above the text typed.
            let mut lines = Vec::new();
            if let Some(alert) = about {
                lines.push(Line::styled(alert.label.as_str(), theme.header()));
            }
            lines.push(Line::raw(format!("{text}█")));
            let area = centered(frame.area(), 70, lines.len() as u16 + 2);
            frame.render_widget(Clear, area);
            let block = Block::bordered().title(title).border_style(theme.border(true));
            frame.render_widget(Paragraph::new(lines).block(block), area);
        }
    }
}

fn scrolled_box(frame: &mut Frame, title: &str, lines: Vec<Line>, scroll: usize, theme: &Theme) {
    let area = centered(frame.area(), 90, frame.area().height.saturating_sub(2));
    frame.render_widget(Clear, area);
    let visible = area.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    let block = Block::bordered()
        .title(title)
        .title_bottom(" Esc close  j/k scroll ")
        .border_style(theme.border(true));
    let paragraph = Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((scroll as u16, 0));
    frame.render_widget(paragraph, area);
}

/// A box `width` wide (capped by the screen, leaving a margin) and `height` tall, centred.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width.saturating_sub(2));
    let [row] =
        Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(row);
    cell
}
