//! Small text formats shared by the panes and detail views.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use chrono_tz::Tz;

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
        format!("{}Z", clock(&t))
    } else {
        format!("{} {}Z", month_day(&t), clock(&t))
    }
}

// Written out rather than by a chrono format string, which is parsed again at every call: these
// run for every row of every pane at each refresh, thousands on a busy desk.
fn clock(t: &impl Timelike) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn month_day(t: &impl Datelike) -> String {
    format!("{:02}-{:02}", t.month(), t.day())
}

/// An Event log time in `zone` (None: UTC, marked `Z`): today's, in that zone, as `14:05Z`;
/// another day's with its date, `12-01 14:05Z`, so the time of day is never lost.
pub fn log_time(t: DateTime<Utc>, now: DateTime<Utc>, zone: Option<Tz>) -> String {
    let (day, today, time) = match zone {
        None => (t.date_naive(), now.date_naive(), format!("{}Z", clock(&t))),
        Some(tz) => {
            let local = t.with_timezone(&tz);
            (local.date_naive(), now.with_timezone(&tz).date_naive(), clock(&local))
        }
    };
    if day == today { time } else { format!("{} {time}", month_day(&day)) }
}

/// A zone as the desk says it, by its city: `Asia/Ho_Chi_Minh` is `Ho Chi Minh`.
pub fn zone_city(tz: Tz) -> String {
    let name = tz.name();
    name.rsplit('/').next().unwrap_or(name).replace('_', " ")
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
    fn table_times_carry_the_date_only_for_other_days() {
        let now: DateTime<Utc> = "2026-12-01T09:20:00Z".parse().unwrap();
        assert_eq!(when("2026-12-01T00:05:00Z".parse().unwrap(), now), "00:05Z");
        assert_eq!(when("2026-02-28T23:59:59Z".parse().unwrap(), now), "02-28 23:59Z");
    }

    #[test]
    fn log_times_keep_the_time_of_day_on_other_days() {
        let now: DateTime<Utc> = "2026-12-01T00:20:00Z".parse().unwrap();
        let before_midnight: DateTime<Utc> = "2026-11-30T23:50:00Z".parse().unwrap();
        assert_eq!(log_time(now, now, None), "00:20Z");
        assert_eq!(log_time(before_midnight, now, None), "11-30 23:50Z");
        // In Manila (UTC+8) both are on the morning of 1 December.
        let manila = Some(chrono_tz::Asia::Manila);
        assert_eq!(log_time(before_midnight, now, manila), "07:50");
        let last_week: DateTime<Utc> = "2026-11-24T20:00:00Z".parse().unwrap();
        assert_eq!(log_time(last_week, now, manila), "11-25 04:00");
    }

    #[test]
    fn zones_are_named_by_their_city() {
        assert_eq!(zone_city(chrono_tz::Asia::Manila), "Manila");
        assert_eq!(zone_city(chrono_tz::America::Argentina::Buenos_Aires), "Buenos Aires");
        assert_eq!(zone_city(chrono_tz::UTC), "UTC");
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
