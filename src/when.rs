//! Times as operators type them on a command line: `--from`, `--to`, `--at`.

use chrono::{DateTime, Duration, NaiveTime, Utc};

/// Parses `--from`/`--to`: RFC 3339, `now`, or an age such as `-2h`, `24h`, `90m`, `7d`.
pub fn parse_time(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if text == "now" {
        return Ok(now);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let age = text.strip_prefix('-').unwrap_or(text);
    humantime::parse_duration(age)
        .ok()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .and_then(|d| now.checked_sub_signed(d))
        .ok_or_else(|| {
            format!("`{text}` is not a time: give RFC 3339 (2026-11-25T03:00:00Z) or an age (-2h, 24h, 7d)")
        })
}

/// `14:05` or `14:05:30`, if that is what `text` is.
pub fn time_of_day(text: &str) -> Option<NaiveTime> {
    ["%H:%M", "%H:%M:%S"].into_iter().find_map(|format| NaiveTime::parse_from_str(text.trim(), format).ok())
}

/// The start of a period that ends now, as an operator types it: what `parse_time` takes, or a
/// time of day (UTC, as the console shows times) meaning its last occurrence: `06:00` typed at
/// 03:00 is yesterday's. Refused unless before `now`.
pub fn parse_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let since = match time_of_day(text) {
        Some(time) => {
            let today = now.date_naive().and_time(time).and_utc();
            if today <= now { today } else { today - Duration::days(1) }
        }
        None => parse_time(text, now).map_err(|why| format!("{why}, or a time of day (06:00)"))?,
    };
    if since >= now {
        return Err(format!("`{}` is not in the past", text.trim()));
    }
    Ok(since)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn since_takes_ages_times_and_times_of_day() {
        let now = t("2026-12-08T03:00:00Z");
        assert_eq!(parse_since("-12h", now), Ok(t("2026-12-07T15:00:00Z")));
        assert_eq!(parse_since(" 90m ", now), Ok(t("2026-12-08T01:30:00Z")));
        assert_eq!(parse_since("2026-12-07T18:00:00Z", now), Ok(t("2026-12-07T18:00:00Z")));
        assert_eq!(parse_since("02:15", now), Ok(t("2026-12-08T02:15:00Z")), "earlier today");
        assert_eq!(parse_since("06:00", now), Ok(t("2026-12-07T06:00:00Z")), "later today: yesterday's");
        assert_eq!(parse_since("03:00:00", now), Err("`03:00:00` is not in the past".into()));
    }

    #[test]
    fn since_refuses_what_is_not_a_time_or_not_past() {
        let now = t("2026-12-08T03:00:00Z");
        let why = parse_since("yesterday-ish", now).unwrap_err();
        assert!(why.contains("`yesterday-ish` is not a time") && why.contains("06:00"), "{why}");
        assert!(parse_since("2026-12-09T00:00:00Z", now).unwrap_err().contains("not in the past"));
        assert!(parse_since("now", now).is_err());
        assert!(parse_since("25:00", now).is_err());
    }
}
