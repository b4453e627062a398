//! A publisher's own way of writing times, given by the desk as a strftime format
//! (`[feed.map] time_format`): GDACS writes `2025-10-16T17:02:58` (no zone) in its GeoJSON and
//! `16 Oct 2025 17:02:58` in its descriptions. A format with an offset (`%z`, `%:z`) reads the
//! offset; one without is taken as UTC, as the desk's configuration says it is.

use chrono::format::{Fixed, Item, Numeric, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeFormat {
    format: String,
    /// The format carries an offset (`%z` and its forms) or is an epoch (`%s`).
    zoned: bool,
    /// The format has a date but no time of day: the item is placed at midnight UTC.
    date_only: bool,
}

impl TimeFormat {
    /// Checks a format as the desk wrote it; the error says what is wrong in a sentence.
    pub fn new(format: &str) -> Result<TimeFormat, String> {
        let items: Vec<Item> = StrftimeItems::new(format).collect();
        if items.iter().any(|i| matches!(i, Item::Error)) {
            return Err(format!(
                "time_format {format:?} is not a strftime format (such as \"%d %b %Y %H:%M:%S\")"
            ));
        }
        let has = |wanted: &dyn Fn(&Item) -> bool| items.iter().any(wanted);
        if has(&|i| matches!(i, Item::Fixed(Fixed::TimezoneName))) {
            return Err(format!(
                "time_format {format:?} has %Z, a zone's name, which cannot be read reliably (CST is \
                 three different zones): use %z for an offset such as +0800, write a fixed name as \
                 text (\"... GMT\"), or leave the zone out for UTC"
            ));
        }
        let epoch = has(&|i| matches!(i, Item::Numeric(Numeric::Timestamp, _)));
        let zoned = epoch
            || has(&|i| {
                matches!(
                    i,
                    Item::Fixed(
                        Fixed::TimezoneOffset
                            | Fixed::TimezoneOffsetColon
                            | Fixed::TimezoneOffsetDoubleColon
                            | Fixed::TimezoneOffsetTripleColon
                            | Fixed::TimezoneOffsetColonZ
                            | Fixed::TimezoneOffsetZ
                            | Fixed::RFC2822
                            | Fixed::RFC3339
                    )
                )
            });
        let day = has(&|i| {
            matches!(
                i,
                Item::Numeric(Numeric::Day | Numeric::Ordinal, _)
                    | Item::Fixed(Fixed::RFC2822 | Fixed::RFC3339)
            )
        });
        let hour = has(&|i| {
            matches!(i, Item::Numeric(Numeric::Hour | Numeric::Hour12, _))
                || matches!(i, Item::Fixed(Fixed::RFC2822 | Fixed::RFC3339))
        });
        if !epoch && !day {
            return Err(format!("time_format {format:?} names no day of the month (such as %d)"));
        }
        Ok(TimeFormat { format: format.to_string(), zoned, date_only: !epoch && !hour })
    }

    pub fn as_str(&self) -> &str {
        &self.format
    }

    /// Reads one time. Runs of whitespace count as one space, and whitespace around the value
    /// is ignored: publishers pad and wrap their values.
    pub fn read(&self, raw: &str) -> Result<DateTime<Utc>, String> {
        let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let format = self.format.split_whitespace().collect::<Vec<_>>().join(" ");
        let parsed = if self.zoned {
            DateTime::parse_from_str(&value, &format).map(|t| t.with_timezone(&Utc))
        } else if self.date_only {
            NaiveDate::parse_from_str(&value, &format).map(|d| d.and_time(Default::default()).and_utc())
        } else {
            NaiveDateTime::parse_from_str(&value, &format).map(|t| t.and_utc())
        };
        parsed.map_err(|e| format!("{raw:?} does not match time_format {:?} ({e})", self.format))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(format: &str, value: &str) -> Result<String, String> {
        TimeFormat::new(format)?.read(value).map(|t| t.to_rfc3339())
    }

    #[test]
    fn gdacs_forms_read_as_utc() {
        assert_eq!(read("%Y-%m-%dT%H:%M:%S", "2025-10-16T17:02:58").unwrap(), "2025-10-16T17:02:58+00:00");
        let want = "2026-05-27T14:51:04+00:00";
        assert_eq!(read("%d %b %Y %H:%M:%S", "27 May 2026 14:51:04").unwrap(), want);
        assert_eq!(read("%d %b %Y %H:%M:%S", "  27  May 2026\t14:51:04\n").unwrap(), want, "odd whitespace");
        assert_eq!(read("%d %b %Y %H:%M:%S", "27 MAY 2026 14:51:04").unwrap(), want, "month case");
        assert_eq!(read("%d %b %Y %H:%M:%S", "7 May 2026 14:51:04").unwrap(), "2026-05-07T14:51:04+00:00");
        assert_eq!(read("%d %b %Y %H:%M:%S GMT", "27 May 2026 14:51:04 GMT").unwrap(), want, "a fixed name");
    }

    #[test]
    fn offsets_epochs_fractions_and_days() {
        assert_eq!(read("%d/%m/%Y %H:%M %z", "06/02/2024 04:20 +0800").unwrap(), "2024-02-05T20:20:00+00:00");
        assert_eq!(
            read("%Y-%m-%d %H:%M:%S%.f%:z", "2024-02-06 04:20:00.5+05:30").unwrap(),
            "2024-02-05T22:50:00.500+00:00"
        );
        assert_eq!(read("%s", "1707193251").unwrap(), "2024-02-06T04:20:51+00:00");
        assert_eq!(read("%d.%m.%Y", "06.02.2024").unwrap(), "2024-02-06T00:00:00+00:00");
    }

    #[test]
    fn values_that_do_not_match_say_so() {
        let e = read("%d %b %Y %H:%M:%S", "2025-10-16T17:02:58").unwrap_err();
        assert!(e.contains("does not match time_format \"%d %b %Y %H:%M:%S\""), "{e}");
        assert!(read("%d %b %Y %H:%M:%S", "31 Feb 2026 14:51:04").is_err(), "no such day");
        assert!(read("%d %b %Y %H:%M:%S", "").is_err());
    }

    #[test]
    fn formats_that_cannot_work_are_refused() {
        assert!(TimeFormat::new("%Y-%m-%d %Q").unwrap_err().contains("not a strftime format"));
        assert!(TimeFormat::new("%d %b %Y %H:%M %Z").unwrap_err().contains("%z for an offset"));
        assert!(TimeFormat::new("%H:%M").unwrap_err().contains("no day of the month"));
    }
}
