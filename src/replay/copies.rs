//! What the replay's in-memory copies of the desk state really hold, so that the indexer keeps
//! them within a memory budget. Copies share unchanged item versions, alerts and log lines
//! (`Arc`): a piece costs once however many copies point at it, and a copy's own cost is its
//! tables. Two live copies share a piece exactly when they point at the same allocation, so
//! pieces are counted by address.

use std::collections::HashMap;
use std::mem::size_of;
use std::sync::Arc;

use crate::domain::{FeedItem, ItemKey, Location};
use crate::state::{Alert, DeskState, ItemEntry, LogLine};

/// What an allocation costs beyond what it asked for, about (the allocator's header and rounding).
const PER_ALLOCATION: usize = 16;

fn text(s: &str) -> usize {
    if s.is_empty() { 0 } else { s.len() + PER_ALLOCATION }
}

fn opt(s: &Option<String>) -> usize {
    s.as_deref().map_or(0, text)
}

fn item_bytes(entry: &ItemEntry) -> usize {
    let FeedItem { feed, id, title, summary, link, severity_raw, category, location, .. } = &entry.item;
    let places = match location {
        Some(Location::Polygon { points }) => points.capacity() * size_of::<[f64; 2]>() + PER_ALLOCATION,
        _ => 0,
    };
    size_of::<ItemEntry>()
        + 2 * PER_ALLOCATION
        + text(feed)
        + text(id)
        + text(title)
        + opt(summary)
        + opt(link)
        + opt(severity_raw)
        + opt(category)
        + places
        + entry.history.capacity() * size_of::<(chrono::DateTime<chrono::Utc>, Arc<str>)>()
        + PER_ALLOCATION
}

fn alert_bytes(alert: &Alert) -> usize {
    let steps: usize = alert.history.iter().map(|s| text(&s.what)).sum();
    let ack = alert.acknowledged.as_ref().map_or(0, |a| text(&a.by) + opt(&a.note));
    size_of::<Alert>()
        + 2 * PER_ALLOCATION
        + text(&alert.id)
        + text(&alert.rule)
        + text(&alert.feed)
        + text(&alert.item)
        + text(&alert.title)
        + alert.missions.iter().map(|m| text(m) + size_of::<String>()).sum::<usize>()
        + alert.history.capacity() * size_of::<crate::state::AlertStep>()
        + steps
        + ack
}

fn line_bytes(line: &LogLine) -> usize {
    size_of::<LogLine>() + 2 * PER_ALLOCATION + text(&line.by) + text(&line.text)
}

/// Each copy holds its own missions' statuses and tied notes (a few per mission, kept short).
fn mission_bytes(state: &DeskState) -> usize {
    let marks: usize = state
        .missions()
        .iter()
        .map(|(id, m)| text(id) + 2 * size_of::<crate::state::MissionMark>() + text(&m.by) + opt(&m.line))
        .sum();
    let notes: usize = state
        .mission_notes()
        .iter()
        .map(|(id, notes)| {
            let each = notes.iter().map(|n| text(&n.operator) + text(&n.text)).sum::<usize>();
            text(id) + notes.capacity() * size_of::<crate::state::TiedNote>() + each + PER_ALLOCATION
        })
        .sum();
    marks + notes
}

/// Each copy holds its own roll-calls, and what followed desks hold: their roll-calls, missions
/// (areas included) and a day of their notes.
fn rollcall_and_elsewhere_bytes(state: &DeskState) -> usize {
    let rollcall = |r: &crate::state::Rollcall| {
        size_of::<crate::state::Rollcall>()
            + text(&r.id)
            + text(&r.opened_by)
            + text(&r.reason)
            + opt(&r.mission)
            + opt(&r.alert)
            + r.contacts.iter().map(|c| size_of::<String>() + text(c)).sum::<usize>()
            + r.answers
                .iter()
                .map(|(who, t)| {
                    text(who) + size_of::<crate::state::rollcall::Taken>() + text(&t.by) + opt(&t.note)
                })
                .sum::<usize>()
    };
    let rollcalls: usize =
        state.rollcalls().values().chain(state.others_rollcalls().values()).map(rollcall).sum();
    let missions: usize = state
        .others_missions()
        .iter()
        .map(|(key, other)| {
            let defined = other.mission.as_ref().map_or(0, |m| {
                let area = match &m.area {
                    crate::domain::Area::Polygon { polygon } => polygon.capacity() * size_of::<[f64; 2]>(),
                    crate::domain::Area::Circle { .. } => 0,
                };
                text(&m.id) + text(&m.name) + text(&m.country) + opt(&m.lead) + area + PER_ALLOCATION
            });
            let mark = other.mark.as_ref().map_or(0, |m| text(&m.by) + opt(&m.line));
            text(key) + 2 * size_of::<crate::state::OtherMission>() + text(&other.desk) + defined + mark
        })
        .sum();
    let notes: usize = state
        .others_notes()
        .iter()
        .map(|n| {
            size_of::<crate::state::OtherNote>()
                + text(&n.desk)
                + text(&n.operator)
                + text(&n.text)
                + opt(&n.about)
        })
        .sum();
    rollcalls + missions + notes
}

/// One copy's tables (what it holds alone) and the shared pieces it points at.
pub struct Footprint {
    pub seq: u64,
    tables: usize,
    pieces: Vec<(usize, usize)>,
}

impl Footprint {
    pub fn of(state: &DeskState) -> Footprint {
        let buckets = state.items().capacity() * 8 / 7;
        let tables = size_of::<DeskState>()
            + buckets * (size_of::<(ItemKey, Arc<ItemEntry>)>() + 1)
            + state.alerts().keys().map(|k| text(k) + 2 * size_of::<(String, Arc<Alert>)>()).sum::<usize>()
            + state.log().capacity() * size_of::<Arc<LogLine>>()
            + state
                .feeds()
                .keys()
                .map(|k| text(k) + 2 * size_of::<crate::state::FeedHealth>())
                .sum::<usize>()
            + state.check_ins().capacity() * 64
            + state.activity().len() * 64
            + mission_bytes(state)
            + rollcall_and_elsewhere_bytes(state);
        let mut pieces = Vec::with_capacity(state.items().len() + state.alerts().len() + state.log().len());
        pieces.extend(state.items().values().map(|e| (Arc::as_ptr(e) as usize, item_bytes(e))));
        pieces.extend(state.alerts().values().map(|a| (Arc::as_ptr(a) as usize, alert_bytes(a))));
        pieces.extend(state.log().iter().map(|l| (Arc::as_ptr(l) as usize, line_bytes(l))));
        Footprint { seq: state.last_seq(), tables, pieces }
    }
}

/// The copies kept, and what they hold together: each shared piece counted once.
#[derive(Default)]
pub struct Held {
    copies: Vec<Footprint>,
    /// Each piece pointed at: its size and how many of the copies point at it.
    pieces: HashMap<usize, (usize, u32)>,
    bytes: usize,
}

impl Held {
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.copies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.copies.is_empty()
    }

    pub fn add(&mut self, copy: Footprint) {
        self.bytes += copy.tables;
        for &(at, size) in &copy.pieces {
            let piece = self.pieces.entry(at).or_insert((size, 0));
            if piece.1 == 0 {
                self.bytes += size;
            }
            piece.1 += 1;
        }
        self.copies.push(copy);
    }

    /// Keeps the copies whose seq `keep` accepts, releasing what only the others held.
    pub fn retain(&mut self, keep: impl Fn(u64) -> bool) {
        let (kept, dropped): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.copies).into_iter().partition(|c| keep(c.seq));
        for copy in dropped {
            self.bytes -= copy.tables;
            for (at, _) in copy.pieces {
                if let Some(piece) = self.pieces.get_mut(&at) {
                    piece.1 -= 1;
                    if piece.1 == 0 {
                        self.bytes -= piece.0;
                        self.pieces.remove(&at);
                    }
                }
            }
        }
        self.copies = kept;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, Record};
    use chrono::{TimeZone, Utc};

    fn seen(state: &mut DeskState, seq: u64, id: &str) {
        let item = serde_json::from_value(serde_json::json!({
            "feed": "usgs-quakes", "id": id, "title": "M 5.1 - a long title for a quake far away", "severity": "minor"
        }))
        .unwrap();
        let ts = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap() + chrono::Duration::seconds(seq as i64);
        state.fold(Record { seq, ts, by: "feed:usgs-quakes".into(), event: Event::ItemSeen { item } });
    }

    #[test]
    fn shared_pieces_count_once_and_leave_with_the_last_copy_that_holds_them() {
        let mut state = DeskState::default();
        for n in 1..=50 {
            seen(&mut state, n, &format!("q{n}"));
        }
        let first = state.clone();
        let mut held = Held::default();
        held.add(Footprint::of(&first));
        let one = held.bytes();
        assert!(one > 50 * 100, "fifty items and log lines with their text: {one} bytes");

        // A copy of the same state adds only its tables.
        held.add(Footprint::of(&first.clone()));
        let tables = held.bytes() - one;
        assert!(tables < one / 2, "a second copy of the same state: {tables} more bytes");

        // One item changed: that version and its log line are the later copy's own.
        seen(&mut state, 51, "q1");
        held.add(Footprint::of(&state));
        let changed = held.bytes() - one - tables;
        assert!(changed > tables && changed < tables + one / 10, "{changed}");

        held.retain(|seq| seq == 51);
        let alone = Footprint::of(&state);
        let mut only = Held::default();
        only.add(alone);
        assert_eq!(held.bytes(), only.bytes(), "what the dropped copies held alone is released");
        assert_eq!(held.len(), 1);
    }
}
