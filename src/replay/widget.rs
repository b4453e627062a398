//! Drawing a replay: the REPLAY banner on the top line, the console exactly as `ui::render`
//! draws it in the middle, and the timeline bar across the bottom (density, alerts by
//! severity, operator actions, the cursor). Severity is written as a letter, never colour alone.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::keys;
use super::session::{Ask, Replay};
use crate::domain::Severity;
use crate::ui::{self, theme::Theme};

/// Rows the replay adds around the console: the banner above, the timeline bar below.
pub const BANNER_ROWS: u16 = 1;
pub const TIMELINE_ROWS: u16 = 2;

pub fn render(frame: &mut Frame, replay: &Replay, theme: &Theme) {
    let [banner, console, timeline] = Layout::vertical([
        Constraint::Length(BANNER_ROWS),
        Constraint::Fill(1),
        Constraint::Length(TIMELINE_ROWS),
    ])
    .areas(frame.area());
    ui::render_in(frame, console, &replay.app, theme);
    frame.render_widget(banner_line(replay).style(banner_style(theme)), banner);
    render_timeline(frame, timeline, replay, theme);
    if replay.help {
        render_help(frame, console);
    }
}

fn banner_style(theme: &Theme) -> Style {
    if theme.color {
        Style::new().fg(Color::White).bg(Color::Magenta).add_modifier(Modifier::BOLD)
    } else {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
}

/// The banner is drawn whatever else is on screen: a replay must never pass for the live watch.
pub fn banner_line(replay: &Replay) -> Line<'static> {
    let clock = &replay.clock;
    let state = if clock.playing { "▶" } else { "⏸" };
    let speed = clock.speed();
    let speed = if speed < 1.0 { format!("{speed}x") } else { format!("{speed:.0}x") };
    let idle = if clock.skip_idle { " skip idle" } else { "" };
    let mut text = format!(
        " REPLAY │ {} │ {state} {speed}{idle} │ #{} ",
        clock.now.format("%Y-%m-%d %H:%M:%SZ"),
        replay.app.state().last_seq()
    );
    if !replay.app.config_from_record() {
        // The record holds no configuration at this point: missions, areas and contacts are
        // today's, which may not be what the desk had then.
        text.push_str("│ today's config ");
    }
    let read = replay.engine.timeline.len() as u64;
    if !replay.engine.indexed && replay.pending.is_none() {
        text.push_str(&format!("│ reading {} ", crate::words::count(read, "record", "records")));
    }
    match (&replay.prompt, &replay.pending, &replay.message, &replay.engine.problem) {
        (Some((Ask::GoTo, typed)), ..) => text.push_str(&format!("│ go to (RFC 3339, 14:05, -2h): {typed}_")),
        (Some((Ask::Note, typed)), ..) => text.push_str(&format!("│ review note: {typed}_")),
        (None, Some(pending), ..) => text.push_str(&format!(
            "│ {}: reading {} of {} records",
            pending.what,
            grouped(read),
            grouped(replay.engine.records())
        )),
        (None, None, Some(message), _) => text.push_str(&format!("│ {message}")),
        (None, None, None, Some(problem)) => text.push_str(&format!("│ JOURNAL PROBLEM: {problem}")),
        (None, None, None, None) => {
            text.push_str("│ Space play  ←→ step  [ ] alert  { } action  g go  ? help  q quit")
        }
    }
    Line::raw(text)
}

/// A count with thousands separated: `612,000`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

fn severity_letter(severity: Severity) -> char {
    match severity {
        Severity::Critical => 'C',
        Severity::Severe => 'S',
        Severity::Moderate => 'M',
        Severity::Minor => 'm',
        Severity::Info => 'i',
    }
}

fn render_timeline(frame: &mut Frame, area: Rect, replay: &Replay, theme: &Theme) {
    let columns = area.width as usize;
    let (start, end) = (replay.clock.start.timestamp_micros(), replay.clock.end.timestamp_micros());
    let buckets = replay.engine.timeline.buckets(start, end, columns);
    let most = buckets.iter().map(|b| b.records).max().unwrap_or(0).max(1);
    let span = (end - start).max(0) as i128;
    let cursor = ((replay.clock.now.timestamp_micros() - start).max(0) as i128 * columns as i128 / (span + 1))
        as usize;
    let mut density = Vec::with_capacity(columns);
    let mut marks = Vec::with_capacity(columns);
    for (col, bucket) in buckets.iter().enumerate() {
        let level = if bucket.records == 0 {
            0
        } else {
            1 + (bucket.records as usize * 7).div_ceil(most as usize).min(7)
        };
        let at_cursor = col == cursor.min(columns.saturating_sub(1));
        let style = if at_cursor { Style::new().add_modifier(Modifier::REVERSED) } else { theme.dim() };
        density.push(Span::styled(LEVELS[level.min(8)].to_string(), style));
        let (mark, style) = match (at_cursor, bucket.worst_alert) {
            (true, _) => ('▲', Style::new().add_modifier(Modifier::BOLD)),
            (false, Some(severity)) => (severity_letter(severity), theme.severity(severity)),
            (false, None) if bucket.actions > 0 => ('*', theme.header()),
            (false, None) => (' ', Style::new()),
        };
        marks.push(Span::styled(mark.to_string(), style));
    }
    let [top, bottom] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(Line::from(density), top);
    frame.render_widget(Line::from(marks), bottom);
}

fn render_help(frame: &mut Frame, area: Rect) {
    let mut lines: Vec<Line> =
        keys::help_lines().into_iter().map(|(keys, what)| Line::raw(format!(" {keys:<10} {what}"))).collect();
    lines.push(Line::raw(""));
    lines.push(Line::raw(" Other keys move around the panes as in the console (Tab, 1-6, j/k, Enter, /)."));
    lines.push(Line::raw(
        " Timeline: density above; alerts below by severity (C S M m i), * operator action, ▲ now.",
    ));
    let height = (lines.len() as u16 + 2).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(92.min(area.width))]).flex(Flex::Center).areas(row);
    frame.render_widget(Clear, cell);
    let block = Block::default().borders(Borders::ALL).title(" Replay keys (any key closes) ");
    frame.render_widget(Paragraph::new(lines).block(block), cell);
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(612_000), "612,000");
        assert_eq!(super::grouped(1_000_000), "1,000,000");
    }
}
