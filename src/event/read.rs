//! Reading a journal record in one pass. The record is one flat object: `seq`, `ts` and `by`
//! beside the event's `kind` and fields. Derived, `#[serde(flatten)]` would gather every field
//! into a buffer and the tagged `Event` would gather them again; here the record's own three
//! fields are taken out of the map as they pass, and once `kind` is known the rest go straight
//! into that kind's variant. Records with the fields in another order (written by hand or by
//! another tool) are read too, through a buffer.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::{Event, KINDS, Record, read_fields};
use crate::text::Text;

/// The fields of an item record (`item.seen`, `item.updated`) that a list of items shows,
/// borrowed from the line: most of a journal is items, and a reader that lists a week's needs
/// neither their summaries, links and times nor a copy of their text until it keeps one.
#[derive(Deserialize)]
pub struct ItemView<'a> {
    #[serde(borrow)]
    pub item: ItemFields<'a>,
}

#[derive(Deserialize)]
pub struct ItemFields<'a> {
    #[serde(borrow)]
    pub feed: Cow<'a, str>,
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    pub severity: crate::domain::Severity,
    #[serde(default)]
    pub location: Option<crate::domain::Location>,
    #[serde(default)]
    pub traffic: crate::domain::Traffic,
}

/// Reads an item record's line as an `ItemView` (checked as UTF-8 once, as `read_record` does).
pub fn read_item(line: &[u8]) -> Result<ItemView<'_>, String> {
    let line = std::str::from_utf8(line).map_err(|e| format!("not UTF-8: {e}"))?;
    serde_json::from_str(line).map_err(|e| e.to_string())
}

/// Reads a record line. The line is checked as UTF-8 once as a whole: reading it as bytes, serde
/// would check every string in it one by one, which costs more.
pub fn read_record(line: &[u8]) -> Result<Record, String> {
    let line = std::str::from_utf8(line).map_err(|e| format!("not UTF-8: {e}"))?;
    serde_json::from_str(line).map_err(|e| e.to_string())
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RecordVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Record;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a journal record (an object with seq, ts, by and kind)")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Record, A::Error> {
        let mut head = Head::default();
        let mut fields = EventFields { map, head: &mut head, kind_taken: false };
        let event = match fields.map_next_kind_or_field()? {
            // As the writer puts it: the kind before the event's fields, which are then read
            // straight into the kind's variant.
            Some(First::Kind(kind)) => {
                read_fields(&kind, fields)?.ok_or_else(|| de::Error::unknown_variant(&kind, KINDS))?
            }
            // Another order: gather the event's fields, then read them as a tagged object.
            Some(First::Field(key)) => {
                let mut object = serde_json::Map::new();
                object.insert(key.into_owned(), fields.next_value()?);
                while let Some(key) = fields.next_key::<String>()? {
                    let value = fields.next_value()?;
                    if object.contains_key(&key) {
                        return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
                    }
                    object.insert(key, value);
                }
                Event::deserialize(serde_json::Value::Object(object)).map_err(de::Error::custom)?
            }
            None => return Err(de::Error::missing_field("kind")),
        };
        let seq = head.seq.ok_or_else(|| de::Error::missing_field("seq"))?;
        let ts = head.ts.ok_or_else(|| de::Error::missing_field("ts"))?;
        let by = head.by.ok_or_else(|| de::Error::missing_field("by"))?;
        Ok(Record { seq, ts, by, event })
    }
}

/// The first of the map's entries that is not one of the record's own fields.
enum First<'de> {
    /// `kind`, with its value read.
    Kind(Cow<'de, str>),
    /// Some other key; its value is next.
    Field(Cow<'de, str>),
}

#[derive(Default)]
struct Head {
    seq: Option<u64>,
    ts: Option<DateTime<Utc>>,
    by: Option<String>,
}

/// The record's map as the event sees it: the record's own fields taken out into `head`.
struct EventFields<'h, A> {
    map: A,
    head: &'h mut Head,
    kind_taken: bool,
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for EventFields<'_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de, A: MapAccess<'de>> EventFields<'_, A> {
    /// The next key that is not one of the record's own fields, whose values are taken into
    /// `head` on the way.
    fn next_event_key(&mut self) -> Result<Option<Cow<'de, str>>, A::Error> {
        // Borrowed from the line: a `Cow<str>` key would be copied for every field of every record.
        while let Some(Text(key)) = self.map.next_key::<Text<'de>>()? {
            match &*key {
                "seq" => self.head.seq = Some(once(&mut self.map, self.head.seq.is_some(), "seq")?),
                "ts" => {
                    let ts: crate::rfc3339::Stamp = once(&mut self.map, self.head.ts.is_some(), "ts")?;
                    self.head.ts = Some(ts.0)
                }
                "by" => self.head.by = Some(once(&mut self.map, self.head.by.is_some(), "by")?),
                // Once the kind is known, a second one would be read as another field and lost.
                "kind" if self.kind_taken => return Err(de::Error::duplicate_field("kind")),
                _ => return Ok(Some(key)),
            }
        }
        Ok(None)
    }

    fn map_next_kind_or_field(&mut self) -> Result<Option<First<'de>>, A::Error> {
        Ok(match self.next_event_key()? {
            Some(key) if key == "kind" => {
                self.kind_taken = true;
                Some(First::Kind(self.map.next_value()?))
            }
            Some(key) => Some(First::Field(key)),
            None => None,
        })
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for EventFields<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        match self.next_event_key()? {
            Some(Cow::Borrowed(key)) => {
                seed.deserialize(de::value::BorrowedStrDeserializer::new(key)).map(Some)
            }
            Some(Cow::Owned(key)) => seed.deserialize(de::value::StringDeserializer::new(key)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A record field's value; a second occurrence of the field is an error, as it is for derived
/// structs.
fn once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    seen: bool,
    name: &'static str,
) -> Result<T, A::Error> {
    if seen {
        return Err(de::Error::duplicate_field(name));
    }
    map.next_value()
}

#[cfg(test)]
mod tests {
    use super::super::Event;
    use super::*;

    fn note(seq: u64) -> Record {
        Record {
            seq,
            ts: "2026-11-25T03:00:00Z".parse().unwrap(),
            by: "reyes".into(),
            event: Event::Note {
                operator: "reyes".into(),
                text: "Called \"DATT\" Tokyo".into(),
                mission: None,
                alert: None,
                contact: None,
            },
        }
    }

    #[test]
    fn fields_in_any_order_read_the_same() {
        let expected = note(7);
        for line in [
            r#"{"seq":7,"ts":"2026-11-25T03:00:00Z","by":"reyes","kind":"note","operator":"reyes","text":"Called \"DATT\" Tokyo"}"#,
            r#"{"kind":"note","text":"Called \"DATT\" Tokyo","by":"reyes","operator":"reyes","ts":"2026-11-25T03:00:00Z","seq":7}"#,
            r#"{"operator":"reyes","seq":7,"text":"Called \"DATT\" Tokyo","ts":"2026-11-25T03:00:00Z","kind":"note","by":"reyes","sum":"ab"}"#,
            // An escaped key cannot be borrowed from the line; it reads all the same.
            r#"{"\u0073eq":7,"ts":"2026-11-25T03:00:00Z","b\u0079":"reyes","kind":"note","operator":"reyes","t\u0065xt":"Called \"DATT\" Tokyo"}"#,
        ] {
            assert_eq!(serde_json::from_str::<Record>(line).unwrap(), expected, "{line}");
        }
    }

    #[test]
    fn missing_and_repeated_fields_are_named() {
        let missing = r#"{"ts":"2026-11-25T03:00:00Z","by":"reyes","kind":"note","operator":"r","text":"t"}"#;
        let error = serde_json::from_str::<Record>(missing).unwrap_err().to_string();
        assert!(error.contains("missing field `seq`"), "{error}");
        let twice = r#"{"seq":1,"seq":2,"ts":"2026-11-25T03:00:00Z","by":"r","kind":"note","operator":"r","text":"t"}"#;
        let error = serde_json::from_str::<Record>(twice).unwrap_err().to_string();
        assert!(error.contains("duplicate field `seq`"), "{error}");
        for twice in [
            r#"{"seq":1,"ts":"2026-11-25T03:00:00Z","by":"r","kind":"note","operator":"r","text":"t","kind":"alert.escalated"}"#,
            r#"{"seq":1,"ts":"2026-11-25T03:00:00Z","by":"r","operator":"a","kind":"note","operator":"b","text":"t"}"#,
        ] {
            let error = serde_json::from_str::<Record>(twice).unwrap_err().to_string();
            assert!(error.contains("duplicate field"), "{error}");
        }
        let no_kind = r#"{"seq":1,"ts":"2026-11-25T03:00:00Z","by":"r","operator":"r","text":"t"}"#;
        let error = serde_json::from_str::<Record>(no_kind).unwrap_err().to_string();
        assert!(error.contains("kind"), "{error}");
        let wrong_type =
            r#"{"seq":"one","ts":"2026-11-25T03:00:00Z","by":"r","kind":"note","operator":"r","text":"t"}"#;
        assert!(serde_json::from_str::<Record>(wrong_type).is_err());
    }

    #[test]
    fn every_kind_reads_back_as_written() {
        let line = serde_json::to_string(&note(3)).unwrap();
        assert_eq!(serde_json::from_str::<Record>(&line).unwrap(), note(3));
    }
}
