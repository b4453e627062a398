//! Counts and durations in words, for the console and briefings: `1 version`, `2 versions`,
//! `14 days`, `1 hour 30 minutes`. Never `1 versions`, `alert(s)` or `14days`.

use std::time::Duration;

/// `n` and its noun in the right number: `count(1, "alert", "alerts")` is `1 alert`.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A duration in words, its two largest units: `14 days`, `1 day 12 hours`, `20 seconds`.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    let units = [
        (s / 86_400, "day", "days"),
        (s % 86_400 / 3600, "hour", "hours"),
        (s % 3600 / 60, "minute", "minutes"),
        (s % 60, "second", "seconds"),
    ];
    let Some(first) = units.iter().position(|(n, ..)| *n > 0) else { return count(0u64, "", "seconds") };
    units[first..]
        .iter()
        .take(2)
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many)| count(*n, one, many))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(1u32, "version", "versions"), "1 version");
        assert_eq!(count(0u32, "version", "versions"), "0 versions");
        assert_eq!(count(14u64, "check-in", "check-ins"), "14 check-ins");
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration(Duration::from_secs(14 * 86_400)), "14 days");
        assert_eq!(duration(Duration::from_secs(86_400 + 12 * 3600 + 59)), "1 day 12 hours");
        assert_eq!(duration(Duration::from_secs(20)), "20 seconds");
        assert_eq!(duration(Duration::from_secs(3600 + 60)), "1 hour 1 minute");
        assert_eq!(duration(Duration::from_secs(600)), "10 minutes");
        assert_eq!(duration(Duration::ZERO), "0 seconds");
    }
}
