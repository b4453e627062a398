//! Fitting a pane's columns to its width. Each column asks for the width of its widest text (or
//! header), up to its maximum; when the pane is narrower than that, columns give way in the order
//! their ranks say (`console::pane::Column`), so that names and severities are the last to be
//! cut, and a cut text ends in `…` so that it never passes for a whole one. Fitting is done when
//! the rows or the pane's width change, not per frame.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BTreeSet;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::console::pane::{Column, Row};

/// Blank cells between two columns.
pub const SPACING: u16 = 1;

/// Each column's width for `rows` in `room` cells; 0 for a hidden column.
pub fn widths(columns: &[Column], rows: &[Row], room: u16) -> Vec<u16> {
    let (natural, floor): (Vec<u16>, Vec<u16>) = columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let texts = || rows.iter().filter_map(move |r| r.cells.get(i)).map(String::as_str);
            let natural = widest(column.header, texts(), column.max);
            let mut floor = column.min.min(natural);
            if column.names {
                floor = floor.max(apart(texts())).min(natural);
            }
            (natural, floor)
        })
        .unzip();
    fit(columns, &natural, &floor, room)
}

/// `text` cut to `width` cells, its last cell `…` where anything was cut.
pub fn cut(text: &str, width: u16) -> Cow<'_, str> {
    let width = usize::from(width);
    // A string is never wider than its bytes: most cells fit without being measured.
    if text.len() <= width || text.width() <= width {
        return Cow::Borrowed(text);
    }
    let mut kept = String::with_capacity(width + 3);
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        kept.push(ch);
    }
    if width > 0 {
        kept.push('…');
    }
    Cow::Owned(kept)
}

/// The width of the widest of `header` and `texts`, at most `max` (the scan stops there).
fn widest<'a>(header: &str, texts: impl Iterator<Item = &'a str>, max: u16) -> u16 {
    let max = usize::from(max);
    let mut widest = header.width();
    for text in texts {
        if widest >= max {
            break;
        }
        if text.len() > widest {
            widest = widest.max(text.width());
        }
    }
    widest.min(max) as u16
}

/// The narrowest width at which no two of `texts` read alike once `cut`.
fn apart<'a>(texts: impl Iterator<Item = &'a str>) -> u16 {
    let names: BTreeSet<&str> = texts.collect();
    // In sorted order the longest shared start of any two names is that of two neighbours.
    let widest = names.iter().zip(names.iter().skip(1)).map(|(a, b)| apart_pair(a, b)).max();
    widest.unwrap_or(0).min(usize::from(u16::MAX)) as u16
}

/// The narrowest width at which `a` and `b`, two different names, read differently once cut.
fn apart_pair(a: &str, b: &str) -> usize {
    let mut shared = 0;
    let (mut rest_a, mut rest_b) = (a.chars(), b.chars());
    loop {
        match (rest_a.next(), rest_b.next()) {
            (Some(x), Some(y)) if x == y => shared += x.width().unwrap_or(0),
            // Both cut after the first character that differs (and the `…`), or both whole.
            (Some(x), Some(y)) => {
                let differing = x.width().unwrap_or(0).max(y.width().unwrap_or(0));
                return (shared + differing + 1).min(a.width().max(b.width()));
            }
            // One starts the other: shown whole, the shorter differs from the longer cut.
            _ => return shared,
        }
    }
}

/// Gives each column its natural width, then takes the give-way steps in rank order until the
/// columns fit in `room`; what is left over goes to the growing columns.
fn fit(columns: &[Column], natural: &[u16], floor: &[u16], room: u16) -> Vec<u16> {
    let mut widths = natural.to_vec();
    // At equal ranks a column shrinks before any is hidden, and the rightmost gives way first.
    let mut steps: Vec<(u8, bool, Reverse<usize>)> = columns
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            let shrink = c.shrink_rank.map(|rank| (rank, false, Reverse(i)));
            let hide = c.hide_rank.map(|rank| (rank, true, Reverse(i)));
            shrink.into_iter().chain(hide)
        })
        .collect();
    steps.sort_unstable();
    for &(_, hide, Reverse(i)) in &steps {
        let excess = used(&widths).saturating_sub(u32::from(room));
        if excess == 0 {
            break;
        }
        widths[i] = match (hide, widths[i]) {
            (true, _) => 0,
            // Hidden at an earlier rank: shrinking it now would give it back a width.
            (false, 0) => 0,
            (false, width) => width - width.saturating_sub(floor[i]).min(clamp(excess)),
        };
    }
    // Hiding may have freed more than was needed. A hidden column comes back where it fits,
    // then columns that shrank get their width back, the last to give way first.
    for &(_, hide, Reverse(i)) in steps.iter().rev() {
        let spare = u32::from(room).saturating_sub(used(&widths));
        if hide && widths[i] == 0 && u32::from(floor[i]) + u32::from(SPACING) <= spare {
            widths[i] = floor[i];
        }
    }
    for &(_, _, Reverse(i)) in steps.iter().rev() {
        let spare = u32::from(room).saturating_sub(used(&widths));
        if widths[i] > 0 {
            widths[i] += (natural[i] - widths[i]).min(clamp(spare));
        }
    }
    // Still too wide, with every step taken: the text furthest right is cut, the first column
    // (the name or the severity) last.
    for i in (0..widths.len()).rev() {
        let excess = used(&widths).saturating_sub(u32::from(room));
        if excess == 0 {
            break;
        }
        widths[i] = widths[i].saturating_sub(clamp(excess));
    }
    let growing: Vec<usize> = (0..widths.len()).filter(|&i| columns[i].grows && widths[i] > 0).collect();
    let spare = u32::from(room).saturating_sub(used(&widths));
    for (n, &i) in growing.iter().enumerate() {
        let share = spare / growing.len() as u32 + u32::from((n as u32) < spare % growing.len() as u32);
        widths[i] += clamp(share);
    }
    widths
}

/// The cells `widths` take, spacing included.
fn used(widths: &[u16]) -> u32 {
    let shown = widths.iter().filter(|w| **w > 0).count() as u32;
    widths.iter().map(|w| u32::from(*w)).sum::<u32>() + shown.saturating_sub(1) * u32::from(SPACING)
}

fn clamp(n: u32) -> u16 {
    n.min(u32::from(u16::MAX)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::pane::{Pane, RowKey};

    fn rows(cells: &[&[&str]]) -> Vec<Row> {
        cells
            .iter()
            .map(|cells| Row {
                key: RowKey::Log(0),
                cells: cells.iter().map(|c| c.to_string()).collect(),
                severity: None,
                flagged: false,
            })
            .collect()
    }

    #[test]
    fn a_cut_text_says_so_and_a_whole_one_is_left_alone() {
        assert_eq!(cut("usgs-significant", 16), "usgs-significant");
        assert_eq!(cut("usgs-significant", 7), "usgs-s…");
        assert_eq!(cut("Lt Col. Mirela Kovač", 19), "Lt Col. Mirela Kov…");
        assert_eq!(cut("台風警報", 5), "台風…");
        assert_eq!(cut("abc", 0), "");
    }

    #[test]
    fn names_are_kept_long_enough_to_tell_apart() {
        assert_eq!(apart(["usgs-quakes", "usgs-significant", "pagasa-cap"].into_iter()), 7);
        assert_eq!(cut("usgs-quakes", 7), "usgs-q…");
        // Repeats of one name need no room to be told apart.
        assert_eq!(apart(["cap-pagasa", "cap-pagasa"].into_iter()), 0);
        // A name that starts another is shown whole beside the other cut.
        assert_eq!(apart(["kfor", "kfor-south"].into_iter()), 4);
        assert_eq!(apart(["ab", "ac"].into_iter()), 2);
    }

    #[test]
    fn columns_fit_as_they_are_when_there_is_room_and_the_rest_goes_to_the_title() {
        let rows = rows(&[&["SEVR", "OPEN", "13:32Z", "1m", "usgs-quakes", "M 4.6 - 5 km NW of Baguinge"]]);
        let widths = widths(Pane::Alerts.columns(), &rows, 78);
        assert_eq!(widths, [4, 5, 6, 3, 11, 44]);
        assert_eq!(used(&widths), 78);
    }

    #[test]
    fn the_feed_gives_way_before_the_title_and_the_severity() {
        let rows = rows(&[
            &["SEVR", "RESOLVED", "00:00Z", "2h", "usgs-quakes", "M 4.8 - 5 km NW of Baguinge, Philippines"],
            &[
                "MODR",
                "ESCALATED",
                "00:20Z",
                "11y",
                "usgs-significant",
                "Tropical cyclone warning signal no. 2",
            ],
        ]);
        // Natural widths: 4 9 6 3 16 32, 75 with spacing.
        assert_eq!(widths(Pane::Alerts.columns(), &rows, 71), [4, 9, 6, 3, 12, 32]);
        // The feed stops at its minimum; then the title shrinks.
        assert_eq!(widths(Pane::Alerts.columns(), &rows, 59), [4, 9, 6, 3, 7, 25]);
        // Then the feed goes, and the title has its width back; then the raised time, the
        // event's age and the state go, in that order.
        assert_eq!(widths(Pane::Alerts.columns(), &rows, 49), [4, 9, 6, 3, 0, 23]);
        assert_eq!(widths(Pane::Alerts.columns(), &rows, 38), [4, 9, 0, 3, 0, 19]);
        assert_eq!(widths(Pane::Alerts.columns(), &rows, 34), [4, 9, 0, 0, 0, 19]);
        assert_eq!(widths(Pane::Alerts.columns(), &rows, 24), [4, 0, 0, 0, 0, 19]);
        // Narrower than the two that are never hidden: the title is cut, the severity last.
        assert_eq!(widths(Pane::Alerts.columns(), &rows, 10), [4, 0, 0, 0, 0, 5]);
        assert_eq!(widths(Pane::Alerts.columns(), &rows, 3), [3, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn a_column_hidden_before_its_shrink_rank_stays_hidden() {
        // Still too wide once the note is hidden: its shrink step comes after, and must not
        // give it a width again (nor take one from nothing).
        let columns = [Column::new("Name", 30), Column::new("Note", 20).shrinks(4, 5).hides(1)];
        let rows = rows(&[&["a name longer than the pane is", "and a long note"]]);
        assert_eq!(widths(&columns, &rows, 20), [20, 0]);
    }

    #[test]
    fn feeds_hide_their_figures_before_a_feed_name_is_cut() {
        let feeds = rows(&[
            &["usgs-quakes", "STALE", "1h05 ago", "1", "3ms", "elsewhere"],
            &["usgs-significant", "ok", "15m ago", "0", "4ms", "elsewhere"],
        ]);
        // Natural widths 16 5 8 5 4 9, 52 with spacing: the timing goes, then the item count,
        // and the name stays whole.
        assert_eq!(widths(Pane::Feeds.columns(), &feeds, 48), [16, 5, 8, 5, 0, 9]);
        assert_eq!(widths(Pane::Feeds.columns(), &feeds, 43), [16, 5, 8, 0, 0, 9]);
        let narrow = super::widths(Pane::Feeds.columns(), &feeds, 20);
        assert_eq!(narrow, [14, 5, 0, 0, 0, 0]);
        // Hiding the next poll frees more than was needed: the item count fits again.
        let later = rows(&[
            &["usgs-quakes", "STALE", "12d1h ago", "1", "3ms", "elsewhere"],
            &["usgs-significant", "waiting", "never", "0", "-", "elsewhere"],
        ]);
        assert_eq!(widths(Pane::Feeds.columns(), &later, 43), [16, 7, 9, 5, 0, 0]);
        let narrowest = super::widths(Pane::Feeds.columns(), &feeds, 7);
        assert_eq!(narrowest[0], 7);
    }
}
