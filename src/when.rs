//! Times as operators type them on a command line: `--from`, `--to`, `--at`.

use chrono::{DateTime, Utc};

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
