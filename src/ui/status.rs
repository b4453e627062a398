//! The status bar: desk, clocks, journal, open alerts (the most severe first), feeds, the last
//! message, and key hints generated from the key table for the focused pane.
//!
//! Each part has forms from longest to shortest, each with a rank: while the bar is too wide,
//! the part whose current form ranks lowest shortens, or goes. The most severe open alert, the
//! escalations and `? help` are never dropped. A message that does not fit beside what stays
//! is wrapped, at word boundaries, onto lines of its own above the bar: never cut mid-word.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget as _;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::theme::Theme;
use crate::console::format::zone_city;
use crate::console::keymap::{self, Action, Context};
use crate::console::pane::Pane;
use crate::console::rows::feed_state;
use crate::console::{App, JournalStatus};
use crate::domain::Severity;

/// A form that is never dropped.
const KEEP: u8 = u8::MAX;
/// At most this many lines for a message that does not fit on the bar.
const MESSAGE_LINES: usize = 3;

struct Part {
    /// Longest first, each with how much it is wanted (low ranks shorten or go first).
    forms: Vec<(String, u8)>,
    style: Style,
    /// Index of the form shown; `forms.len()` when the part is dropped.
    shown: usize,
}

impl Part {
    fn new(forms: Vec<(String, u8)>, style: Style) -> Self {
        Part { forms, style, shown: 0 }
    }

    fn text(&self) -> Option<&str> {
        self.forms.get(self.shown).map(|(text, _)| text.as_str())
    }

    fn rank(&self) -> Option<u8> {
        self.forms.get(self.shown).map(|(_, rank)| *rank).filter(|rank| *rank != KEEP)
    }
}

/// The status area's lines for `width`: any message lines, then the bar itself (last).
pub fn lines(app: &App, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let width = width as usize;
    let fitted = |message: Option<&str>| {
        let (mut parts, hint) = parts(app, theme);
        if let Some(message) = message {
            parts.push(Part::new(vec![(message.to_string(), 6)], Style::new()));
        }
        let mut hint = Part::new(hint, theme.status().add_modifier(Modifier::BOLD));
        fit(&mut parts, &mut hint, width);
        (parts, hint)
    };
    let (mut parts, mut hint) = fitted(app.flash.as_deref());
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(message) = app.flash.as_deref()
        && parts.last().is_some_and(|p| p.text().is_none())
    {
        // The message goes above the bar, whole; what it pushed out of the bar comes back.
        (parts, hint) = fitted(None);
        lines.extend(
            wrap(message, width.saturating_sub(2), MESSAGE_LINES)
                .into_iter()
                .map(|line| Line::raw(format!(" {line}")).style(theme.status().add_modifier(Modifier::BOLD))),
        );
    }
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (n, part) in parts.iter().filter(|p| p.text().is_some()).enumerate() {
        let text = part.text().unwrap_or_default();
        let text = if n == 0 { format!(" {text} ") } else { format!("│ {text} ") };
        spans.push(Span::styled(text, part.style));
    }
    let used: usize = spans.iter().map(Span::width).sum();
    let hint_text = format!(" {} ", hint.text().unwrap_or_default());
    let gap = width.saturating_sub(used + Span::raw(hint_text.as_str()).width());
    spans.push(Span::raw(" ".repeat(gap)));
    spans.push(Span::styled(hint_text, hint.style));
    lines.push(Line::from(spans).style(theme.status()));
    lines
}

pub fn render(buf: &mut Buffer, area: Rect, lines: Vec<Line<'static>>) {
    let rows = Layout::vertical(vec![Constraint::Length(1); lines.len()]).split(area);
    for (line, row) in lines.into_iter().zip(rows.iter()) {
        line.render(*row, buf);
    }
}

/// Shortens or drops the lowest-ranked form until everything fits in `width`.
fn fit(parts: &mut [Part], hint: &mut Part, width: usize) {
    let used = |parts: &[Part], hint: &Part| -> usize {
        let shown = parts.iter().filter_map(Part::text);
        let bar: usize =
            shown.enumerate().map(|(n, t)| Span::raw(t).width() + if n == 0 { 2 } else { 3 }).sum();
        bar + hint.text().map_or(0, |t| Span::raw(t).width() + 2)
    };
    while used(parts, hint) > width {
        let lowest = parts
            .iter_mut()
            .chain(std::iter::once(&mut *hint))
            .filter(|p| p.rank().is_some())
            .min_by_key(|p| p.rank());
        match lowest {
            Some(part) => part.shown += 1,
            None => return,
        }
    }
}

/// The bar's parts in the order shown, and the key hints' forms.
fn parts(app: &App, theme: &Theme) -> (Vec<Part>, Vec<(String, u8)>) {
    let now = app.now;
    let local = now.with_timezone(&app.config().desk_tz);
    let plain = Style::new();
    let mut parts = vec![
        Part::new(vec![(app.config().desk_name.clone(), 1)], plain),
        Part::new(
            vec![(now.format(if app.low_bandwidth { "%H:%MZ" } else { "%H:%M:%SZ" }).to_string(), 8)],
            plain,
        ),
        Part::new(vec![(format!("{} {}", zone_city(app.config().desk_tz), local.format("%H:%M")), 4)], plain),
    ];
    let seq = app.state().last_seq();
    parts.push(match &app.journal {
        JournalStatus::Writable if app.reading_journal => {
            Part::new(vec![(format!("READING JOURNAL #{seq}"), 8), ("READING".into(), 8)], theme.flagged())
        }
        JournalStatus::Writable => Part::new(vec![(format!("journal #{seq}"), 3)], plain),
        JournalStatus::Failing(why) => Part::new(
            vec![(format!("JOURNAL NOT WRITABLE: {why}"), 6), ("JOURNAL NOT WRITABLE".into(), 9)],
            theme.alarm(),
        ),
        JournalStatus::ReadOnly(why) => Part::new(
            vec![(format!("JOURNAL DAMAGED, READ-ONLY: {why}"), 6), ("JOURNAL DAMAGED".into(), 9)],
            theme.alarm(),
        ),
    });
    parts.extend(alert_parts(app, theme));
    let (mut ok, mut partial, mut bad) = (0, 0, 0);
    for feed in &app.config().feeds {
        match feed_state(app.config(), app.state(), &app.feed_runtime, &feed.name, now) {
            "ok" => ok += 1,
            "PARTIAL" => partial += 1,
            "FAILING" | "BACKOFF" | "STALE" => bad += 1,
            _ => {}
        }
    }
    let partial = if partial > 0 { format!(" {partial} partial") } else { String::new() };
    parts.push(if bad > 0 {
        Part::new(
            vec![(format!("feeds {ok} ok{partial} {bad} BAD"), 7), (format!("{bad} feeds BAD"), 9)],
            theme.alarm(),
        )
    } else {
        Part::new(vec![(format!("feeds {ok} ok{partial}"), 2)], plain)
    });
    if let Some(sync) = &app.sync {
        let [_, backlog, link] = crate::console::sync_line::forms(sync, now);
        let style = if sync.healthy() { plain } else { theme.flagged() };
        parts.push(Part::new(vec![(backlog, 5), (link, 7)], style));
    }
    (parts, hints(app.focus))
}

/// The most severe open real-world alerts first, then the escalated, then open roll-calls'
/// contacts reached out of those called, then the open count with exercise and test traffic apart.
fn alert_parts(app: &App, theme: &Theme) -> Vec<Part> {
    let summary = &app.summary;
    let mut parts = Vec::new();
    if let Some((severity, n)) = summary.worst {
        let style = if severity >= Severity::Severe { theme.alarm() } else { theme.flagged() };
        parts.push(Part::new(vec![(format!("{n} {}", severity.tag()), KEEP)], style));
    }
    if summary.escalated > 0 {
        parts.push(Part::new(vec![(format!("{} ESCALATED", summary.escalated), KEEP)], theme.alarm()));
    }
    if let Some((reached, called)) = summary.rollcall {
        parts.push(if summary.rollcall_overdue {
            let forms = vec![(format!("roll-call {reached}/{called} OVERDUE"), KEEP)];
            Part::new(forms, theme.alarm())
        } else {
            Part::new(vec![(format!("roll-call {reached}/{called}"), 8)], theme.flagged())
        });
    }
    let (open, exercise) = (summary.waiting, summary.exercise_waiting);
    let forms = match (open, exercise) {
        (0, 0) => return parts,
        (0, e) => vec![(format!("+{e} exercise"), 6), (format!("+{e} ex"), 7)],
        (n, 0) => vec![(format!("{n} open"), 7)],
        (n, e) => vec![(format!("{n} open (+{e} exercise)"), 6), (format!("{n} open +{e} ex"), 7)],
    };
    parts.push(Part::new(forms, theme.flagged()));
    parts
}

/// Key hints from the key table: the focused pane's own keys, then the common ones. Longest
/// with words, then the pane's keys alone, then `? help`, which always stays.
fn hints(focus: Pane) -> Vec<(String, u8)> {
    let first_key = |b: &keymap::Binding| b.keys.first().map(keymap::label);
    let pane_keys: Vec<(String, Action)> = keymap::BINDINGS
        .iter()
        .filter(|b| match focus {
            Pane::Alerts => b.context == Context::AlertsPane,
            Pane::Log => b.action == Action::ToggleLogZone,
            Pane::Contacts => b.context == Context::Panes && b.action == Action::CheckIn,
            _ => false,
        })
        .filter_map(|b| Some((first_key(b)?, b.action)))
        .collect();
    let common: Vec<(String, Action)> =
        [Action::Help, Action::FocusNext, Action::Open, Action::Note, Action::Quit]
            .into_iter()
            .filter_map(|action| {
                let binding =
                    keymap::BINDINGS.iter().find(|b| b.context == Context::Panes && b.action == action)?;
                Some((first_key(binding)?, action))
            })
            .collect();
    let worded = |keys: &[(String, Action)]| {
        keys.iter().map(|(key, action)| format!("{key} {}", word(*action))).collect::<Vec<_>>().join("  ")
    };
    let help = common
        .iter()
        .find(|(_, a)| *a == Action::Help)
        .map_or("? help".to_string(), |(k, _)| format!("{k} help"));
    let mut forms = Vec::new();
    let long =
        [worded(&pane_keys), worded(&common)].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>();
    forms.push((long.join("  "), 0));
    if !pane_keys.is_empty() {
        let keys: Vec<&str> = pane_keys.iter().map(|(k, _)| k.as_str()).collect();
        forms.push((format!("{}  {help}", keys.join(" ")), 5));
    }
    forms.push((help, KEEP));
    forms
}

/// A hint's word for an action: short, as the status bar has little room; the help screen
/// has the full text.
fn word(action: Action) -> &'static str {
    match action {
        Action::Help => "help",
        Action::FocusNext => "pane",
        Action::Open => "detail",
        Action::Note => "note",
        Action::Quit => "quit",
        Action::Acknowledge => "ack",
        Action::AcknowledgeWithNote => "ack+note",
        Action::Unacknowledge => "unack",
        Action::Resolve => "resolve",
        Action::ToggleLogZone => "UTC/local",
        Action::CheckIn => "check in",
        other => keymap::BINDINGS
            .iter()
            .find(|b| b.action == other)
            .and_then(|b| b.help.split_whitespace().next())
            .unwrap_or(""),
    }
}

/// `text` in lines of at most `width` columns (a wide character takes two), broken between
/// words (a word longer than a line is broken inside). More than `max` lines: the last ends with
/// the last whole word that fits and `…`.
fn wrap(text: &str, width: usize, max: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word;
        loop {
            let room = if line.is_empty() { width } else { width.saturating_sub(line.width() + 1) };
            if word.width() <= room {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                break;
            }
            if line.is_empty() {
                let (head, rest) = split_at_width(word, width);
                lines.push(head.to_string());
                word = rest;
            } else {
                lines.push(std::mem::take(&mut line));
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max {
        lines.truncate(max);
        let last = &mut lines[max - 1];
        while last.width() + 2 > width {
            match last.rfind(' ') {
                Some(space) => last.truncate(space),
                None => *last = split_at_width(last, width - 2).0.to_string(),
            }
        }
        last.push_str(" …");
    }
    lines
}

/// `text` split after as many characters as fit in `width` columns (at least one, so that
/// wrapping always moves on).
fn split_at_width(text: &str, width: usize) -> (&str, &str) {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += c.width().unwrap_or(0);
        if used > width && i > 0 {
            return text.split_at(i);
        }
    }
    (text, "")
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn messages_wrap_between_words() {
        let text = "alert.unacknowledged #51 saved for M 6.1 - 12 km N of Aparri";
        assert_eq!(wrap(text, 30, 3), ["alert.unacknowledged #51 saved", "for M 6.1 - 12 km N of Aparri"]);
        let long = "one two three four five six seven eight nine ten";
        assert_eq!(wrap(long, 14, 2), ["one two three", "four five …"]);
        assert_eq!(wrap("abcdefghijklmnop", 8, 3), ["abcdefgh", "ijklmnop"]);
    }

    #[test]
    fn wide_characters_wrap_by_the_columns_they_take() {
        use unicode_width::UnicodeWidthStr;
        let text = "NEW CRIT 台風第十号 大雨特別警報 沖縄本島地方";
        let lines = wrap(text, 12, 5);
        assert_eq!(lines, ["NEW CRIT", "台風第十号", "大雨特別警報", "沖縄本島地方"]);
        assert!(lines.iter().all(|l| l.width() <= 12), "{lines:?}");
        let lines = wrap("東京東京東京東京東京", 8, 3);
        assert_eq!(lines, ["東京東京", "東京東京", "東京"]);
        let cut = wrap("一二三四 五六七八 九十一二 三四五六", 10, 2);
        assert_eq!(cut, ["一二三四", "五六七八 …"]);
        assert_eq!(wrap("一二三四 五六七八 九十一二", 9, 2), ["一二三四", "五六七 …"]);
    }
}
