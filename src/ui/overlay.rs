//! Help, detail views and prompts, drawn over the panes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::theme::Theme;
use crate::console::keymap::help_lines;
use crate::console::pane::RowKey;
use crate::console::{App, Overlay, PromptPurpose, Scroll};

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
            scrolled_box(frame, (" Help - keys ", " Esc close  j/k scroll "), lines, (scroll, None), theme);
        }
        Overlay::Detail { detail, scroll } => {
            // The contact `c` checks in with is marked in words, not by color alone.
            let chosen = detail.chosen_line();
            let lines = detail
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| match l.strip_prefix("  ") {
                    Some(rest) if Some(i) == chosen => {
                        Line::styled(format!("> {rest}"), theme.selected(true))
                    }
                    _ => Line::raw(l.as_str()),
                })
                .collect();
            // A mission's detail has keys of its own: said where the operator looks.
            let keys = match detail.key {
                RowKey::Mission(_) => {
                    " Esc close  j/k scroll  m status  n note  Tab contact  c check in  R roll-call "
                }
                RowKey::OtherMission(_) => " Esc close  j/k scroll  n note ",
                RowKey::Rollcall(_) => {
                    " Esc close  ↑↓ choose  s safe  h needs help  x not reached (S H X with a note)  C close "
                }
                _ => " Esc close  j/k scroll ",
            };
            // In a roll-call Up and Down choose the contact, so the view follows the choice; a
            // mission's detail scrolls with them and Tab chooses within what is shown.
            let follow =
                matches!(detail.key, crate::console::pane::RowKey::Rollcall(_)).then_some(chosen).flatten();
            scrolled_box(frame, (&format!(" {} ", detail.title), keys), lines, (scroll, follow), theme);
        }
        Overlay::ConfirmQuit => {
            let lines = vec![
                Line::raw("This console polls the desk's feeds and escalates its alerts."),
                Line::raw("Once it quits, another console on this host takes over, if one runs."),
                Line::raw(""),
                Line::styled("q or y quits; any other key stays", theme.header()),
            ];
            let area = centered(frame.area(), 74, lines.len() as u16 + 2);
            frame.render_widget(Clear, area);
            let block = Block::bordered().title(" Quit? ").border_style(theme.border(true));
            frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: true }), area);
        }
        Overlay::Prompt { purpose, input } => {
            let (title, about) = match purpose {
                PromptPurpose::Note(about) => {
                    (" Operator note (Enter saves to the journal, Esc cancels) ", about.words())
                }
                PromptPurpose::Filter => (" Filter (Enter keeps, Esc clears) ", None),
                PromptPurpose::AcknowledgeNote(alert) => {
                    (" Acknowledge with a note (Enter acknowledges, Esc cancels) ", Some(alert.label.clone()))
                }
                PromptPurpose::ResolveReason(alert) => {
                    (" Resolve: the reason (Enter resolves, Esc cancels) ", Some(alert.label.clone()))
                }
                PromptPurpose::CheckIn(check_in) => {
                    (" Check in: optional note (Enter records, Esc cancels) ", Some(check_in.about()))
                }
                PromptPurpose::MissionStatus(mission) => (
                    " Mission status: optional status line (Enter sets, Esc cancels) ",
                    Some(mission.about()),
                ),
                PromptPurpose::OpenRollcall(mission) => (
                    " Roll-call: optional reason (Enter opens, Esc cancels) ",
                    Some(format!("reach the contacts of mission {}", crate::text::one_line(mission))),
                ),
                PromptPurpose::AnswerNote(answer) => {
                    (" Roll-call answer: optional note (Enter records, Esc cancels) ", Some(answer.about()))
                }
                PromptPurpose::CloseRollcall(_) => {
                    (" Close the roll-call: optional reason (Enter closes, Esc keeps it open) ", None)
                }
                PromptPurpose::BriefSince => (
                    " Briefing since (Enter writes it, Esc cancels) ",
                    Some(format!(
                        "empty: this watch (from {}); or -12h, 06:00 (UTC), RFC 3339",
                        app.watching_since.format("%H:%MZ")
                    )),
                ),
            };
            // An alert's or contact's prompt says what it acts on, above the text typed.
            let height = if about.is_some() { 4 } else { 3 };
            let area = centered(frame.area(), 70, height);
            frame.render_widget(Clear, area);
            let block = Block::bordered().title(title).border_style(theme.border(true));
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let [about_area, input_area] = if about.is_some() {
                Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner)
            } else {
                [Rect::default(), inner]
            };
            if let Some(about) = about {
                frame.render_widget(Line::styled(about, theme.header()), about_area);
            }
            let (shown, cursor_x) =
                in_view(input.text(), input.before_cursor().len(), input_area.width as usize);
            frame.render_widget(Line::raw(shown), input_area);
            // The terminal's own cursor marks where typing goes.
            frame.set_cursor_position((input_area.x + cursor_x, input_area.y));
        }
    }
}

/// The part of `text` that fits `width` columns with the cursor (at byte `cursor`) in view,
/// and the cursor's column in it: long text scrolls left as the cursor goes right.
fn in_view(text: &str, cursor: usize, width: usize) -> (&str, u16) {
    let columns = |c: char| Span::raw(&*c.encode_utf8(&mut [0; 4])).width();
    // Back from the cursor as far as fits, one column kept for the cursor past the last
    // character; then on from the cursor to fill the rest.
    let room = width.saturating_sub(1);
    let (mut start, mut used) = (cursor, 0);
    for (i, c) in text[..cursor].char_indices().rev() {
        if used + columns(c) > room {
            break;
        }
        (start, used) = (i, used + columns(c));
    }
    let cursor_x = used;
    let mut end = cursor;
    for c in text[cursor..].chars() {
        if used + columns(c) > width {
            break;
        }
        (end, used) = (end + c.len_utf8(), used + columns(c));
    }
    (&text[start..end], cursor_x as u16)
}

/// A scrolled view with its title above and its keys below, the line `chosen` (a contact the
/// next key acts on) always in view.
fn scrolled_box(
    frame: &mut Frame,
    (title, keys): (&str, &str),
    lines: Vec<Line>,
    (scroll, chosen): (&Scroll, Option<usize>),
    theme: &Theme,
) {
    let area = centered(frame.area(), 90, frame.area().height.saturating_sub(2));
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(title).title_bottom(keys).border_style(theme.border(true));
    let inner = block.inner(area);
    let height = inner.height as usize;
    // Rows as wrapped: where the chosen line starts and ends.
    let chosen_rows = chosen.filter(|&n| n < lines.len()).map(|n| {
        let start = Paragraph::new(lines[..n].to_vec()).wrap(Wrap { trim: false }).line_count(inner.width);
        let rows = Paragraph::new(lines[n].clone()).wrap(Wrap { trim: false }).line_count(inner.width);
        (start, start + rows.max(1))
    });
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    // Counted as wrapped, so the last line can be scrolled to and no further.
    let mut from = scroll.fit(paragraph.line_count(inner.width), height);
    if let Some((start, end)) = chosen_rows {
        from = from.max(end.saturating_sub(height)).min(start);
    }
    frame.render_widget(paragraph.block(block).scroll((from as u16, 0)), area);
}

/// A box `width` wide (capped by the screen, leaving a margin) and `height` tall, centred.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width.saturating_sub(2));
    let [row] =
        Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(row);
    cell
}

#[cfg(test)]
mod tests {
    use super::in_view;

    #[test]
    fn long_prompt_text_scrolls_to_keep_the_cursor_in_view() {
        assert_eq!(in_view("abcdef", 6, 10), ("abcdef", 6));
        assert_eq!(in_view("abcdefghij", 10, 5), ("ghij", 4), "the end, with room for the cursor");
        assert_eq!(in_view("abcdefghij", 2, 5), ("abcde", 2), "from the start while the cursor is there");
        assert_eq!(in_view("東京東京", 12, 5), ("東京", 4), "wide characters count two columns");
    }
}
