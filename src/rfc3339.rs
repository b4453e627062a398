//! Reading the timestamps that records and checkpoints hold. chrono's serde reads a timestamp
//! through its general format engine (about 140 ns); its RFC 3339 parser takes about 30, and a
//! checkpoint holds some 100,000 of them, a feed item's record four. Whatever that parser
//! refuses is read as chrono's serde reads it, so what is accepted, and its value, is unchanged.
//! Writing is chrono's own.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, de};
use std::sync::Arc;

/// A timestamp read by `parse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Stamp(pub DateTime<Utc>);

/// `text` as chrono's serde would read it, by its RFC 3339 parser first.
pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).or_else(|_| text.parse())
}

struct StampVisitor;

impl de::Visitor<'_> for StampVisitor {
    type Value = Stamp;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Stamp, E> {
        parse(text).map(Stamp).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StampVisitor)
    }
}

/// For `#[serde(deserialize_with = "crate::rfc3339::deserialize")]`.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    Stamp::deserialize(d).map(|s| s.0)
}

/// For an `Option<DateTime<Utc>>` field (with `#[serde(default)]` where it may be missing).
pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(Option::<Stamp>::deserialize(d)?.map(|s| s.0))
}

/// For an item's history: when, and what it said then.
pub fn history<'de, D: Deserializer<'de>>(d: D) -> Result<crate::state::ItemHistory, D::Error> {
    Ok(Vec::<(Stamp, Arc<str>)>::deserialize(d)?.into_iter().map(|(s, text)| (s.0, text)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn as_chrono_serde_reads(text: &str) -> Option<DateTime<Utc>> {
        serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
    }

    fn as_read_here(text: &str) -> Option<DateTime<Utc>> {
        serde_json::from_value::<Stamp>(serde_json::Value::String(text.to_string())).ok().map(|s| s.0)
    }

    #[test]
    fn what_the_journal_writes_and_what_others_might() {
        for text in [
            "2026-11-24T14:05:00Z",
            "2026-11-24T14:05:00.123456Z",
            "2026-11-24T14:05:00.123456789+05:30",
            "2026-11-24t14:05:00z",
            "2026-11-24 14:05:00Z",
            "2026-11-24T14:05:60Z",
            "2026-11-24T14:05:00",
            "2026-11-24T14:05Z",
            "2026-11-24",
            "",
            "  2026-11-24T14:05:00Z",
            "2026-13-24T14:05:00Z",
            "yesterday",
        ] {
            assert_eq!(as_read_here(text), as_chrono_serde_reads(text), "{text:?}");
        }
        assert!(as_read_here("2026-11-24T14:05:00.5+01:00").is_some());
    }

    proptest! {
        #[test]
        fn reads_every_timestamp_as_chrono_does(
            secs in -62_000_000_000i64..250_000_000_000,
            nanos in 0u32..1_000_000_000,
            offset_minutes in -1439i32..1440,
            digits in prop::sample::select(vec![0usize, 1, 3, 6, 9]),
            zulu in any::<bool>(),
            lower in any::<bool>(),
            cut in 0usize..40,
        ) {
            let t = DateTime::from_timestamp(secs, nanos).unwrap();
            let offset = chrono::FixedOffset::east_opt(offset_minutes * 60).unwrap();
            let base = if zulu { t.format("%Y-%m-%dT%H:%M:%S").to_string() } else {
                t.with_timezone(&offset).format("%Y-%m-%dT%H:%M:%S").to_string()
            };
            let fraction = if digits == 0 { String::new() } else {
                format!(".{:09}", nanos)[..=digits].to_string()
            };
            let zone = if zulu { "Z".to_string() } else { t.with_timezone(&offset).format("%:z").to_string() };
            let mut text = format!("{base}{fraction}{zone}");
            if lower {
                text = text.to_lowercase();
            }
            prop_assert_eq!(as_read_here(&text), as_chrono_serde_reads(&text), "{}", text);
            // And cut short anywhere: refused, or read, alike.
            let short: String = text.chars().take(cut).collect();
            prop_assert_eq!(as_read_here(&short), as_chrono_serde_reads(&short), "{}", short);
        }
    }
}
