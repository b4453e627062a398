//! Small text formats shared by the panes and detail views.

use chrono::{DateTime, Duration, Utc};

/// A compact span: `45s`, `12m`, `3h05`, `2d4h`.
pub fn span(d: Duration) -> String {
    let secs = d.num_seconds().max(0);
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86_400 => format!("{}h{:02}", secs / 3600, (secs % 3600) / 60),
        _ => format!("{}d{}h", secs / 86_400, (secs % 86_400) / 3600),
    }
}

/// An age in at most five columns: `span` up to two days, then whole days, then years (`11y`).
pub fn age(d: Duration) -> String {
    match d.num_days() {
        ..2 => span(d),
        2..365 => format!("{}d", d.num_days()),
        days => format!("{}y", days / 365),
    }
}

/// How long ago `t` was, as of `now`: `12m ago`.
pub fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if t > now { "just now".into() } else { format!("{} ago", span(now - t)) }
}

/// A UTC time as the desk reads it in tables: today's as `14:05Z`, older ones with the date.
pub fn when(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if t.date_naive() == now.date_naive() {
        t.format("%H:%MZ").to_string()
    } else {
        t.format("%m-%d %H:%MZ").to_string()
    }
}

/// A full UTC timestamp for detail views.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_at_a_glance() {
        assert_eq!(span(Duration::seconds(45)), "45s");
        assert_eq!(span(Duration::seconds(125)), "2m");
        assert_eq!(span(Duration::seconds(3 * 3600 + 5 * 60)), "3h05");
        assert_eq!(span(Duration::seconds(2 * 86_400 + 4 * 3600)), "2d4h");
        assert_eq!(span(Duration::seconds(-5)), "0s");
    }

    #[test]
    fn ages_fit_five_columns() {
        assert_eq!(age(Duration::minutes(12)), "12m");
        assert_eq!(age(Duration::hours(30)), "1d6h");
        assert_eq!(age(Duration::days(45)), "45d");
        assert_eq!(age(Duration::days(4339)), "11y");
        assert!((0..40_000).step_by(7).all(|d| age(Duration::days(d)).len() <= 5));
    }
}
