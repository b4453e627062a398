//! The status bar: desk, clocks, journal, feeds, and the last action's result or key hints.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::console::rows::feed_state;
use crate::console::{App, JournalStatus};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let now = app.now;
    let local = now.with_timezone(&app.config.desk_tz);
    // Narrow terminals drop the desk name first (the tab bar carries it): clocks, journal and
    // feed health matter more at a glance.
    let mut spans = Vec::new();
    if area.width >= super::GRID_MIN.0 {
        spans.push(Span::raw(format!(" {} │", app.config.desk_name)));
    }
    spans.push(Span::raw(format!(" {} ", now.format("%H:%M:%SZ"))));
    spans.push(Span::raw(format!("│ {} {} ", short_zone(app.config.desk_tz.name()), local.format("%H:%M"))));
    match &app.journal {
        JournalStatus::Writable if app.reading_journal => {
            spans.push(Span::styled(format!("│ READING JOURNAL #{} ", app.state.last_seq), theme.flagged()))
        }
        JournalStatus::Writable => spans.push(Span::raw(format!("│ journal #{} ", app.state.last_seq))),
        JournalStatus::Failing(why) => {
            spans.push(Span::styled(format!("│ JOURNAL NOT WRITABLE: {why} "), theme.alarm()))
        }
        JournalStatus::ReadOnly(why) => {
            spans.push(Span::styled(format!("│ JOURNAL DAMAGED, READ-ONLY: {why} "), theme.alarm()))
        }
    }
    let (escalated, waiting) = (app.summary.escalated, app.summary.waiting);
    // Exercise and test alerts are never added to the real-world count; they are shown apart.
    let exercise = match app.summary.exercise_waiting {
        0 => String::new(),
        n => format!("(+{n} exercise) "),
    };
    if escalated > 0 {
        spans.push(Span::styled(format!("│ {escalated} ESCALATED {exercise}"), theme.alarm()));
    } else if waiting > 0 || !exercise.is_empty() {
        spans.push(Span::styled(format!("│ {waiting} open {exercise}"), theme.flagged()));
    }
    let (mut ok, mut bad) = (0, 0);
    for feed in &app.config.feeds {
        match feed_state(&app.config, &app.state, &app.feed_runtime, &feed.name, now) {
            "ok" => ok += 1,
            "FAILING" | "BACKOFF" | "STALE" => bad += 1,
            _ => {}
        }
    }
    let feeds = format!("│ feeds {ok} ok{} ", if bad > 0 { format!(" {bad} BAD") } else { String::new() });
    spans.push(if bad > 0 { Span::styled(feeds, theme.alarm()) } else { Span::raw(feeds) });
    if let Some(message) = &app.flash {
        spans.push(Span::raw(format!("│ {message} ")));
    }
    // The way to help stays visible however narrow the terminal: it is drawn last, on the right.
    // The longer hint only where it leaves everything else whole.
    const LONG_HINT: &str = " ? help  Tab pane  Enter detail  n note  q quit ";
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let hint = if used + LONG_HINT.len() <= area.width as usize { LONG_HINT } else { " ? help " };
    let [left, right] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(hint.len() as u16)]).areas(area);
    frame.render_widget(Line::from(spans).style(theme.status()), left);
    frame.render_widget(Line::raw(hint).style(theme.status().add_modifier(Modifier::BOLD)), right);
}

/// `Asia/Manila` → `Manila`: the city is what the desk says.
fn short_zone(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}
