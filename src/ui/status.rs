//! The status bar: desk, clocks, journal, feeds, and the last action's result or key hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::console::rows::feed_state;
use crate::console::{App, JournalStatus};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let now = app.now;
    let local = now.with_timezone(&app.config.desk_tz);
    let mut spans = vec![
        Span::raw(format!(" {} ", app.config.desk_name)),
        Span::raw(format!("│ {} ", now.format("%H:%M:%SZ"))),
        Span::raw(format!("│ {} {} ", short_zone(app.config.desk_tz.name()), local.format("%H:%M"))),
    ];
    match &app.journal {
        JournalStatus::Writable => spans.push(Span::raw(format!("│ journal #{} ", app.state.last_seq))),
        JournalStatus::Failing(why) => {
            spans.push(Span::styled(format!("│ JOURNAL NOT WRITABLE: {why} "), theme.alarm()))
        }
        JournalStatus::ReadOnly(why) => {
            spans.push(Span::styled(format!("│ JOURNAL DAMAGED, READ-ONLY: {why} "), theme.alarm()))
        }
    }
    let (mut ok, mut bad) = (0, 0);
    for feed in &app.config.feeds {
        match feed_state(&app.config, &app.state, &app.feed_runtime, &feed.name, now) {
            "ok" => ok += 1,
            "FAILING" | "STALE" => bad += 1,
            _ => {}
        }
    }
    let feeds = format!("│ feeds {ok} ok{} ", if bad > 0 { format!(" {bad} BAD") } else { String::new() });
    spans.push(if bad > 0 { Span::styled(feeds, theme.alarm()) } else { Span::raw(feeds) });
    let tail = match &app.flash {
        Some(message) => format!("│ {message} "),
        None => "│ ? help  Tab pane  Enter detail  n note  q quit ".to_string(),
    };
    spans.push(Span::raw(tail));
    frame.render_widget(Line::from(spans).style(theme.status()), area);
}

/// `Asia/Manila` → `Manila`: the city is what the desk says.
fn short_zone(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}
